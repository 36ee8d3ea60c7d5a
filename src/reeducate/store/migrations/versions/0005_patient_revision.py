"""Patient revision: a counter on ``patient`` that every write of the patient's data bumps, so
that what is derived from it (the therapist's patient list) can be cached and known current.
Additive: one column.

* ``patient.revision`` INTEGER NOT NULL DEFAULT 0. The repositories add 1 in the transaction of
  every write of a patient's records (episode, plan, goal, prescription, session, balance
  trial, outcome score, progression decision; :mod:`reeducate.store.repositories`). Existing
  patients start at 0: a process that cached nothing yet has nothing stale.

Downgrade drops the column (in place on SQLite, which has ALTER TABLE DROP COLUMN since 3.35).

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 10:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite included): never a batch rebuild of ``patient``, which every
    # clinical table references (see 0003 for what a rebuild takes).
    op.add_column(
        "patient",
        sa.Column("revision", sa.Integer(), server_default=sa.text("0"), nullable=False),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("ALTER TABLE patient DROP COLUMN revision")  # SQLite >= 3.35, in place
    else:
        op.drop_column("patient", "revision")
