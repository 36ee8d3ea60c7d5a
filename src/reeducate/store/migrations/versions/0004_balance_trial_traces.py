"""Balance-trial traces: the CoP of each trial, kept for drawing it (display only). Additive: one
new table.

* ``balance_trial_trace`` holds, per trial (``trial_id``, its primary key, a foreign key to
  ``balance_trial`` ON DELETE CASCADE), the CoP decimated to at most 25 Hz, ML then AP,
  float32 little-endian, zlib-compressed (``data``, ``encoding``), with its ``sampling_rate_hz``
  and ``n_samples``. The metrics stay those computed on the full signal at analysis time; no
  metric is computed from a trace.
* Trials recorded before this revision keep their metrics and have no trace (the chart says
  "trace not stored"); nothing can be back-filled, the recordings were not kept.

Downgrade drops the table, and with it the traces (the metrics are untouched).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27 09:20:51.402317
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "balance_trial_trace",
        sa.Column("trial_id", sa.String(length=64), nullable=False),
        sa.Column("sampling_rate_hz", sa.Float(), nullable=False),
        sa.Column("n_samples", sa.Integer(), nullable=False),
        sa.Column("encoding", sa.String(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.CheckConstraint(
            "n_samples >= 2", name=op.f("ck_balance_trial_trace_n_samples_at_least_two")
        ),
        sa.CheckConstraint(
            "sampling_rate_hz > 0", name=op.f("ck_balance_trial_trace_sampling_rate_positive")
        ),
        sa.ForeignKeyConstraint(
            ["trial_id"],
            ["balance_trial.id"],
            name=op.f("fk_balance_trial_trace_trial_id_balance_trial"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("trial_id", name=op.f("pk_balance_trial_trace")),
    )


def downgrade() -> None:
    op.drop_table("balance_trial_trace")
