"""NMES: the patient's screening items (contraindications and precautions, with a body site and
the documented precaution; resolved, never deleted) and the stimulation session log (protocol,
parameters actually used, intensity reached, derived rms current, current density and charge,
evoked force as % MVIC, skin check, attended minutes, the checks shown). Additive: two new
tables.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-06 02:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "nmes_screening_item",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("patient_code", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("body_site", sa.String(length=32), nullable=True),
        sa.Column("precaution", sa.Text(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(resolved_at IS NULL) = (resolved_by IS NULL)",
            name=op.f("ck_nmes_screening_item_resolved_complete"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_code"],
            ["patient.code"],
            name=op.f("fk_nmes_screening_item_patient_code_patient"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nmes_screening_item")),
    )
    with op.batch_alter_table("nmes_screening_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nmes_screening_item_patient_code"), ["patient_code"], unique=False
        )

    op.create_table(
        "nmes_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("patient_code", sa.String(length=16), nullable=False),
        sa.Column("session_date", sa.Date(), nullable=False),
        sa.Column("protocol_id", sa.String(length=64), nullable=False),
        sa.Column("waveform", sa.String(length=32), nullable=False),
        sa.Column("frequency_hz", sa.Float(), nullable=False),
        sa.Column("pulse_width_us", sa.Float(), nullable=False),
        sa.Column("on_s", sa.Float(), nullable=False),
        sa.Column("off_s", sa.Float(), nullable=False),
        sa.Column("ramp_up_s", sa.Float(), nullable=False),
        sa.Column("ramp_down_s", sa.Float(), nullable=False),
        sa.Column("intensity_ma", sa.Float(), nullable=False),
        sa.Column("electrode_area_cm2", sa.Float(), nullable=False),
        sa.Column("rms_current_ma", sa.Float(), nullable=False),
        sa.Column("current_density_ma_cm2", sa.Float(), nullable=False),
        sa.Column("charge_per_phase_uc", sa.Float(), nullable=False),
        sa.Column("contractions", sa.Integer(), nullable=False),
        sa.Column("peak_force_n", sa.Float(), nullable=True),
        sa.Column("mvic_n", sa.Float(), nullable=True),
        sa.Column("evoked_force_pct_mvic", sa.Float(), nullable=True),
        sa.Column("skin_before", sa.String(length=32), nullable=False),
        sa.Column("skin_after", sa.String(length=32), nullable=False),
        sa.Column("minutes_attended", sa.Integer(), nullable=False),
        sa.Column("precaution", sa.Text(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("checks", sa.JSON(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "skin_after IN ('intact', 'mild_redness', 'marked_redness', 'blister_or_burn')",
            name=op.f("ck_nmes_session_skin_after_valid"),
        ),
        sa.CheckConstraint(
            "skin_before IN ('intact', 'mild_redness', 'marked_redness', 'blister_or_burn')",
            name=op.f("ck_nmes_session_skin_before_valid"),
        ),
        sa.CheckConstraint(
            "waveform IN ('symmetric_biphasic', 'monophasic')",
            name=op.f("ck_nmes_session_waveform_valid"),
        ),
        sa.CheckConstraint(
            "(peak_force_n IS NULL) = (mvic_n IS NULL)", name=op.f("ck_nmes_session_force_complete")
        ),
        sa.CheckConstraint(
            "contractions IS NULL OR (contractions >= 0 AND contractions <= 500)",
            name=op.f("ck_nmes_session_contractions_range"),
        ),
        sa.CheckConstraint(
            "electrode_area_cm2 > 0", name=op.f("ck_nmes_session_electrode_area_positive")
        ),
        sa.CheckConstraint("frequency_hz > 0", name=op.f("ck_nmes_session_frequency_positive")),
        sa.CheckConstraint("intensity_ma > 0", name=op.f("ck_nmes_session_intensity_positive")),
        sa.CheckConstraint(
            "minutes_attended IS NULL OR (minutes_attended >= 0 AND minutes_attended <= 480)",
            name=op.f("ck_nmes_session_minutes_attended_range"),
        ),
        sa.CheckConstraint(
            "mvic_n IS NULL OR mvic_n > 0", name=op.f("ck_nmes_session_mvic_positive")
        ),
        sa.CheckConstraint(
            "off_s IS NULL OR (off_s >= 0 AND off_s <= 300)",
            name=op.f("ck_nmes_session_off_s_range"),
        ),
        sa.CheckConstraint(
            "on_s IS NULL OR (on_s >= 0 AND on_s <= 60)", name=op.f("ck_nmes_session_on_s_range")
        ),
        sa.CheckConstraint(
            "peak_force_n IS NULL OR peak_force_n > 0",
            name=op.f("ck_nmes_session_peak_force_positive"),
        ),
        sa.CheckConstraint("pulse_width_us > 0", name=op.f("ck_nmes_session_pulse_width_positive")),
        sa.CheckConstraint(
            "ramp_down_s IS NULL OR (ramp_down_s >= 0 AND ramp_down_s <= 10)",
            name=op.f("ck_nmes_session_ramp_down_s_range"),
        ),
        sa.CheckConstraint(
            "ramp_up_s IS NULL OR (ramp_up_s >= 0 AND ramp_up_s <= 10)",
            name=op.f("ck_nmes_session_ramp_up_s_range"),
        ),
        sa.ForeignKeyConstraint(
            ["patient_code"], ["patient.code"], name=op.f("fk_nmes_session_patient_code_patient")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nmes_session")),
    )
    with op.batch_alter_table("nmes_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_nmes_session_patient_code"), ["patient_code"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("nmes_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nmes_session_patient_code"))

    op.drop_table("nmes_session")
    with op.batch_alter_table("nmes_screening_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_nmes_screening_item_patient_code"))

    op.drop_table("nmes_screening_item")
