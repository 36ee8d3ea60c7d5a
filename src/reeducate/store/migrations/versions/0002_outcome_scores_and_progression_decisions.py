"""Outcome-measure scores per patient and progression decisions (recommendation, rule,
evidence, the therapist's accept/change/reject with its reason). Additive: two new tables.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 13:45:08.911614
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "outcome_score",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("patient_code", sa.String(length=16), nullable=False),
        sa.Column("measure", sa.String(length=32), nullable=False),
        sa.Column("scored_on", sa.Date(), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=16), nullable=False),
        sa.Column("interpretation", sa.JSON(), nullable=False),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.Column("missing_items", sa.JSON(), nullable=False),
        sa.Column("context", sa.JSON(), nullable=False),
        sa.Column("scored_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_code"], ["patient.code"], name=op.f("fk_outcome_score_patient_code_patient")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outcome_score")),
    )
    with op.batch_alter_table("outcome_score", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_outcome_score_patient_code"), ["patient_code"], unique=False
        )

    op.create_table(
        "progression_decision",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("patient_code", sa.String(length=16), nullable=False),
        sa.Column("prescription_id", sa.String(length=64), nullable=False),
        sa.Column("new_prescription_id", sa.String(length=64), nullable=True),
        sa.Column("made_on", sa.Date(), nullable=False),
        sa.Column("variant_id", sa.String(length=64), nullable=False),
        sa.Column("recommended", sa.String(length=16), nullable=False),
        sa.Column("recommended_variant_id", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.String(length=32), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("variant_id_after", sa.String(length=64), nullable=False),
        sa.Column("dose_change", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "decision = 'accept' OR reason IS NOT NULL",
            name=op.f("ck_progression_decision_reason_unless_accept"),
        ),
        sa.CheckConstraint(
            "decision IN ('accept', 'change', 'reject')",
            name=op.f("ck_progression_decision_decision_valid"),
        ),
        sa.CheckConstraint(
            "recommended IN ('progress', 'hold', 'regress')",
            name=op.f("ck_progression_decision_recommended_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["new_prescription_id"],
            ["prescription.id"],
            name=op.f("fk_progression_decision_new_prescription_id_prescription"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_code"],
            ["patient.code"],
            name=op.f("fk_progression_decision_patient_code_patient"),
        ),
        sa.ForeignKeyConstraint(
            ["prescription_id"],
            ["prescription.id"],
            name=op.f("fk_progression_decision_prescription_id_prescription"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progression_decision")),
    )
    with op.batch_alter_table("progression_decision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_progression_decision_patient_code"), ["patient_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_progression_decision_prescription_id"), ["prescription_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("progression_decision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_progression_decision_prescription_id"))
        batch_op.drop_index(batch_op.f("ix_progression_decision_patient_code"))

    op.drop_table("progression_decision")
    with op.batch_alter_table("outcome_score", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outcome_score_patient_code"))

    op.drop_table("outcome_score")
