"""Care records: patients, episodes, plans, sessions, trials, audit.

The audit table is made append-only by triggers (SQLite: RAISE(ABORT); PostgreSQL: a plpgsql
function), which autogenerate does not compare.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-21 13:40:25.774207
"""

# ruff: noqa: E501  (generated table definitions)
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

# Written out here, not imported from the models: a migration must not change when models do.
_APPEND_ONLY = {
    "sqlite": (
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    ),
    "postgresql": (
        "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$",
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    ),
}
_DROP_APPEND_ONLY = {
    "sqlite": (
        "DROP TRIGGER IF EXISTS audit_event_no_update",
        "DROP TRIGGER IF EXISTS audit_event_no_delete",
    ),
    "postgresql": (
        "DROP TRIGGER IF EXISTS audit_event_append_only ON audit_event",
        "DROP FUNCTION IF EXISTS audit_event_append_only()",
    ),
}


revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "action IN ('create', 'update', 'delete')", name=op.f("ck_audit_event_action_valid")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_audit_event_entity_id"), ["entity_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_audit_event_occurred_at"), ["occurred_at"], unique=False
        )

    op.create_table(
        "patient",
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_patient")),
    )
    op.create_table(
        "balance_trial",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("patient_code", sa.String(length=16), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("source_name", sa.String(length=255), nullable=False),
        sa.Column("condition", sa.String(length=64), nullable=False),
        sa.Column("preset", sa.String(length=64), nullable=False),
        sa.Column("sampling_rate_hz", sa.Float(), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("metrics", sa.JSON(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.CheckConstraint("duration_s > 0", name=op.f("ck_balance_trial_duration_positive")),
        sa.CheckConstraint(
            "sampling_rate_hz > 0", name=op.f("ck_balance_trial_sampling_rate_positive")
        ),
        sa.ForeignKeyConstraint(
            ["patient_code"], ["patient.code"], name=op.f("fk_balance_trial_patient_code_patient")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_balance_trial")),
    )
    with op.batch_alter_table("balance_trial", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_balance_trial_patient_code"), ["patient_code"], unique=False
        )

    op.create_table(
        "episode",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("patient_code", sa.String(length=16), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.CheckConstraint(
            "end_date IS NULL OR end_date >= start_date", name=op.f("ck_episode_end_after_start")
        ),
        sa.ForeignKeyConstraint(
            ["patient_code"], ["patient.code"], name=op.f("fk_episode_patient_code_patient")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_episode")),
    )
    with op.batch_alter_table("episode", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_episode_patient_code"), ["patient_code"], unique=False)

    op.create_table(
        "patient_identity",
        sa.Column("patient_code", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("date_of_birth", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_code"],
            ["patient.code"],
            name=op.f("fk_patient_identity_patient_code_patient"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("patient_code", name=op.f("pk_patient_identity")),
    )
    op.create_table(
        "episode_diagnosis",
        sa.Column("episode_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episode.id"],
            name=op.f("fk_episode_diagnosis_episode_id_episode"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("episode_id", "position", name=op.f("pk_episode_diagnosis")),
        sa.UniqueConstraint("episode_id", "code", name=op.f("uq_episode_diagnosis_episode_id")),
    )
    op.create_table(
        "episode_impairment",
        sa.Column("episode_id", sa.String(length=64), nullable=False),
        sa.Column("impairment", sa.String(length=32), nullable=False),
        sa.CheckConstraint(
            "impairment IN ('balance', 'coordination', 'proprioception', 'posture', 'motor_control')",
            name=op.f("ck_episode_impairment_impairment_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"],
            ["episode.id"],
            name=op.f("fk_episode_impairment_episode_id_episode"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("episode_id", "impairment", name=op.f("pk_episode_impairment")),
    )
    op.create_table(
        "plan_of_care",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("episode_id", sa.String(length=64), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("frequency_per_week", sa.Integer(), nullable=False),
        sa.Column("duration_weeks", sa.Integer(), nullable=False),
        sa.Column("certification_date", sa.Date(), nullable=False),
        sa.Column("recertification_due_date", sa.Date(), nullable=False),
        sa.Column("progress_report_interval_visits", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "duration_weeks IS NULL OR (duration_weeks >= 1 AND duration_weeks <= 52)",
            name=op.f("ck_plan_of_care_duration_weeks_range"),
        ),
        sa.CheckConstraint(
            "frequency_per_week IS NULL OR (frequency_per_week >= 1 AND frequency_per_week <= 7)",
            name=op.f("ck_plan_of_care_frequency_per_week_range"),
        ),
        sa.CheckConstraint(
            "progress_report_interval_visits IS NULL OR (progress_report_interval_visits >= 1 AND progress_report_interval_visits <= 10)",
            name=op.f("ck_plan_of_care_progress_report_interval_visits_range"),
        ),
        sa.CheckConstraint(
            "recertification_due_date > certification_date",
            name=op.f("ck_plan_of_care_recertification_after"),
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episode.id"], name=op.f("fk_plan_of_care_episode_id_episode")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_of_care")),
    )
    with op.batch_alter_table("plan_of_care", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_plan_of_care_episode_id"), ["episode_id"], unique=False
        )

    op.create_table(
        "treatment_session",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("patient_code", sa.String(length=16), nullable=False),
        sa.Column("episode_id", sa.String(length=64), nullable=False),
        sa.Column("session_date", sa.Date(), nullable=False),
        sa.Column("setting", sa.String(length=16), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "setting IN ('clinic', 'home')", name=op.f("ck_treatment_session_setting_valid")
        ),
        sa.CheckConstraint(
            "sequence IS NULL OR (sequence >= 1 AND sequence <= 14)",
            name=op.f("ck_treatment_session_sequence_range"),
        ),
        sa.ForeignKeyConstraint(
            ["episode_id"], ["episode.id"], name=op.f("fk_treatment_session_episode_id_episode")
        ),
        sa.ForeignKeyConstraint(
            ["patient_code"],
            ["patient.code"],
            name=op.f("fk_treatment_session_patient_code_patient"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_treatment_session")),
        sa.UniqueConstraint(
            "id",
            "patient_code",
            "session_date",
            "setting",
            "sequence",
            name=op.f("uq_treatment_session_id"),
        ),
    )
    with op.batch_alter_table("treatment_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_treatment_session_episode_id"), ["episode_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_treatment_session_patient_code"), ["patient_code"], unique=False
        )

    op.create_table(
        "goal",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("plan_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("measure_kind", sa.String(length=32), nullable=False),
        sa.Column("measure", sa.String(length=64), nullable=False),
        sa.Column("direction", sa.String(length=16), nullable=False),
        sa.Column("baseline_value", sa.Float(), nullable=False),
        sa.Column("target_value", sa.Float(), nullable=False),
        sa.Column("baseline_date", sa.Date(), nullable=False),
        sa.Column("target_date", sa.Date(), nullable=False),
        sa.CheckConstraint(
            "direction IN ('increase', 'decrease')", name=op.f("ck_goal_direction_valid")
        ),
        sa.CheckConstraint(
            "measure_kind IN ('outcome_measure', 'metric')", name=op.f("ck_goal_measure_kind_valid")
        ),
        sa.CheckConstraint(
            "target_date > baseline_date", name=op.f("ck_goal_target_after_baseline")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["plan_of_care.id"],
            name=op.f("fk_goal_plan_id_plan_of_care"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_goal")),
    )
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_goal_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "prescription",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("plan_id", sa.String(length=64), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["plan_id"], ["plan_of_care.id"], name=op.f("fk_prescription_plan_id_plan_of_care")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_prescription")),
    )
    with op.batch_alter_table("prescription", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_prescription_plan_id"), ["plan_id"], unique=False)

    op.create_table(
        "session_exercise",
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("patient_code", sa.String(length=16), nullable=False),
        sa.Column("session_date", sa.Date(), nullable=False),
        sa.Column("setting", sa.String(length=16), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("variant_id", sa.String(length=64), nullable=False),
        sa.Column("sets_prescribed", sa.Integer(), nullable=False),
        sa.Column("difficulty_scale", sa.String(length=16), nullable=True),
        sa.Column("difficulty_value", sa.Float(), nullable=True),
        sa.Column("difficulty_rater", sa.String(length=16), nullable=True),
        sa.Column("quality_source", sa.String(length=32), nullable=True),
        sa.Column("quality_score", sa.Float(), nullable=True),
        sa.Column("quality_scale_max", sa.Float(), nullable=True),
        sa.Column("quality_method", sa.String(length=200), nullable=True),
        sa.Column("pain_before_nprs", sa.Integer(), nullable=True),
        sa.Column("pain_during_nprs", sa.Integer(), nullable=True),
        sa.Column("pain_after_nprs", sa.Integer(), nullable=True),
        sa.Column("symptoms_before", sa.JSON(), nullable=False),
        sa.Column("symptoms_during", sa.JSON(), nullable=False),
        sa.Column("symptoms_after", sa.JSON(), nullable=False),
        sa.Column("balance_event", sa.String(length=16), nullable=False),
        sa.Column("assistance", sa.String(length=32), nullable=False),
        sa.Column("duration_min", sa.Float(), nullable=True),
        sa.Column("cues", sa.JSON(), nullable=False),
        sa.CheckConstraint(
            "assistance IN ('independent', 'supervision', 'contact_guard', 'minimal', 'moderate', 'maximal')",
            name=op.f("ck_session_exercise_assistance_valid"),
        ),
        sa.CheckConstraint(
            "balance_event IN ('none', 'near_fall', 'fall')",
            name=op.f("ck_session_exercise_balance_event_valid"),
        ),
        sa.CheckConstraint(
            "difficulty_rater IS NULL OR difficulty_rater IN ('patient', 'therapist')",
            name=op.f("ck_session_exercise_difficulty_rater_valid"),
        ),
        sa.CheckConstraint(
            "difficulty_scale IS NULL OR difficulty_scale IN ('balance_1_5', 'rpe_0_10')",
            name=op.f("ck_session_exercise_difficulty_scale_valid"),
        ),
        sa.CheckConstraint(
            "quality_source IS NULL OR quality_source IN ('measurement', 'therapist_rating')",
            name=op.f("ck_session_exercise_quality_source_valid"),
        ),
        sa.CheckConstraint(
            "(difficulty_scale IS NULL) = (difficulty_value IS NULL)",
            name=op.f("ck_session_exercise_difficulty_complete"),
        ),
        sa.CheckConstraint(
            "(quality_source IS NULL) = (quality_score IS NULL)",
            name=op.f("ck_session_exercise_quality_complete"),
        ),
        sa.CheckConstraint(
            "difficulty_value IS NULL OR (difficulty_value >= 0 AND difficulty_value <= 10)",
            name=op.f("ck_session_exercise_difficulty_value_range"),
        ),
        sa.CheckConstraint(
            "duration_min IS NULL OR (duration_min >= 0 AND duration_min <= 600)",
            name=op.f("ck_session_exercise_duration_min_range"),
        ),
        sa.CheckConstraint(
            "pain_after_nprs IS NULL OR (pain_after_nprs >= 0 AND pain_after_nprs <= 10)",
            name=op.f("ck_session_exercise_pain_after_nprs_range"),
        ),
        sa.CheckConstraint(
            "pain_before_nprs IS NULL OR (pain_before_nprs >= 0 AND pain_before_nprs <= 10)",
            name=op.f("ck_session_exercise_pain_before_nprs_range"),
        ),
        sa.CheckConstraint(
            "pain_during_nprs IS NULL OR (pain_during_nprs >= 0 AND pain_during_nprs <= 10)",
            name=op.f("ck_session_exercise_pain_during_nprs_range"),
        ),
        sa.CheckConstraint(
            "quality_scale_max IS NULL OR (quality_scale_max >= 1 AND quality_scale_max <= 10)",
            name=op.f("ck_session_exercise_quality_scale_max_range"),
        ),
        sa.CheckConstraint(
            "quality_score IS NULL OR (quality_score >= 0 AND quality_score <= 10)",
            name=op.f("ck_session_exercise_quality_score_range"),
        ),
        sa.CheckConstraint(
            "sets_prescribed IS NULL OR (sets_prescribed >= 1 AND sets_prescribed <= 10)",
            name=op.f("ck_session_exercise_sets_prescribed_range"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id", "patient_code", "session_date", "setting", "sequence"],
            [
                "treatment_session.id",
                "treatment_session.patient_code",
                "treatment_session.session_date",
                "treatment_session.setting",
                "treatment_session.sequence",
            ],
            name=op.f("fk_session_exercise_session_id_treatment_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "position", name=op.f("pk_session_exercise")),
        sa.UniqueConstraint(
            "patient_code",
            "session_date",
            "setting",
            "sequence",
            "variant_id",
            name=op.f("uq_session_exercise_patient_code"),
        ),
    )
    op.create_table(
        "session_procedure",
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=8), nullable=False),
        sa.Column("minutes", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "minutes IS NULL OR (minutes >= 1 AND minutes <= 480)",
            name=op.f("ck_session_procedure_minutes_range"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_session.id"],
            name=op.f("fk_session_procedure_session_id_treatment_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "code", name=op.f("pk_session_procedure")),
    )
    op.create_table(
        "session_trial",
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("trial_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["treatment_session.id"],
            name=op.f("fk_session_trial_session_id_treatment_session"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["trial_id"], ["balance_trial.id"], name=op.f("fk_session_trial_trial_id_balance_trial")
        ),
        sa.PrimaryKeyConstraint("session_id", "trial_id", name=op.f("pk_session_trial")),
    )
    op.create_table(
        "exercise_set",
        sa.Column("session_id", sa.String(length=64), nullable=False),
        sa.Column("exercise_position", sa.Integer(), nullable=False),
        sa.Column("set_number", sa.Integer(), nullable=False),
        sa.Column("reps_target", sa.Integer(), nullable=True),
        sa.Column("reps_target_min", sa.Integer(), nullable=True),
        sa.Column("reps_done", sa.Integer(), nullable=True),
        sa.Column("hold_target_s", sa.Float(), nullable=True),
        sa.Column("hold_done_s", sa.Float(), nullable=True),
        sa.Column("load_kg", sa.Float(), nullable=True),
        sa.Column("losses_of_balance", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "hold_done_s IS NULL OR (hold_done_s >= 0 AND hold_done_s <= 3600)",
            name=op.f("ck_exercise_set_hold_done_s_range"),
        ),
        sa.CheckConstraint(
            "hold_target_s IS NULL OR (hold_target_s >= 0 AND hold_target_s <= 600)",
            name=op.f("ck_exercise_set_hold_target_s_range"),
        ),
        sa.CheckConstraint(
            "load_kg IS NULL OR (load_kg >= 0 AND load_kg <= 500)",
            name=op.f("ck_exercise_set_load_kg_range"),
        ),
        sa.CheckConstraint(
            "losses_of_balance IS NULL OR (losses_of_balance >= 0 AND losses_of_balance <= 100)",
            name=op.f("ck_exercise_set_losses_of_balance_range"),
        ),
        sa.CheckConstraint(
            "reps_done IS NULL OR (reps_done >= 0 AND reps_done <= 1000)",
            name=op.f("ck_exercise_set_reps_done_range"),
        ),
        sa.CheckConstraint(
            "reps_target IS NOT NULL OR hold_target_s IS NOT NULL",
            name=op.f("ck_exercise_set_reps_or_hold"),
        ),
        sa.CheckConstraint(
            "reps_target IS NULL OR (reps_target >= 1 AND reps_target <= 100)",
            name=op.f("ck_exercise_set_reps_target_range"),
        ),
        sa.CheckConstraint(
            "reps_target_min IS NULL OR (reps_target_min >= 1 AND reps_target_min <= 100)",
            name=op.f("ck_exercise_set_reps_target_min_range"),
        ),
        sa.ForeignKeyConstraint(
            ["session_id", "exercise_position"],
            ["session_exercise.session_id", "session_exercise.position"],
            name=op.f("fk_exercise_set_session_id_session_exercise"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "session_id", "exercise_position", "set_number", name=op.f("pk_exercise_set")
        ),
    )
    op.create_table(
        "prescribed_exercise",
        sa.Column("prescription_id", sa.String(length=64), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("variant_id", sa.String(length=64), nullable=False),
        sa.Column("sets", sa.Integer(), nullable=False),
        sa.Column("reps", sa.Integer(), nullable=True),
        sa.Column("hold_s", sa.Float(), nullable=True),
        sa.Column("rest_s", sa.Float(), nullable=False),
        sa.Column("sessions_per_week", sa.Integer(), nullable=False),
        sa.Column("tempo", sa.String(length=200), nullable=True),
        sa.CheckConstraint(
            "hold_s IS NULL OR (hold_s >= 1 AND hold_s <= 300)",
            name=op.f("ck_prescribed_exercise_hold_s_range"),
        ),
        sa.CheckConstraint(
            "reps IS NOT NULL OR hold_s IS NOT NULL",
            name=op.f("ck_prescribed_exercise_reps_or_hold"),
        ),
        sa.CheckConstraint(
            "reps IS NULL OR (reps >= 1 AND reps <= 100)",
            name=op.f("ck_prescribed_exercise_reps_range"),
        ),
        sa.CheckConstraint(
            "rest_s IS NULL OR (rest_s >= 0 AND rest_s <= 600)",
            name=op.f("ck_prescribed_exercise_rest_s_range"),
        ),
        sa.CheckConstraint(
            "sessions_per_week IS NULL OR (sessions_per_week >= 1 AND sessions_per_week <= 14)",
            name=op.f("ck_prescribed_exercise_sessions_per_week_range"),
        ),
        sa.CheckConstraint(
            "sets IS NULL OR (sets >= 1 AND sets <= 10)",
            name=op.f("ck_prescribed_exercise_sets_range"),
        ),
        sa.ForeignKeyConstraint(
            ["prescription_id"],
            ["prescription.id"],
            name=op.f("fk_prescribed_exercise_prescription_id_prescription"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("prescription_id", "position", name=op.f("pk_prescribed_exercise")),
        sa.UniqueConstraint(
            "prescription_id", "variant_id", name=op.f("uq_prescribed_exercise_prescription_id")
        ),
    )
    for statement in _APPEND_ONLY[op.get_bind().dialect.name]:
        op.execute(statement)


def downgrade() -> None:
    for statement in _DROP_APPEND_ONLY[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_table("prescribed_exercise")
    op.drop_table("exercise_set")
    op.drop_table("session_trial")
    op.drop_table("session_procedure")
    op.drop_table("session_exercise")
    with op.batch_alter_table("prescription", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_prescription_plan_id"))

    op.drop_table("prescription")
    with op.batch_alter_table("goal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_goal_plan_id"))

    op.drop_table("goal")
    with op.batch_alter_table("treatment_session", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_treatment_session_patient_code"))
        batch_op.drop_index(batch_op.f("ix_treatment_session_episode_id"))

    op.drop_table("treatment_session")
    with op.batch_alter_table("plan_of_care", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_of_care_episode_id"))

    op.drop_table("plan_of_care")
    op.drop_table("episode_impairment")
    op.drop_table("episode_diagnosis")
    op.drop_table("patient_identity")
    with op.batch_alter_table("episode", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_episode_patient_code"))

    op.drop_table("episode")
    with op.batch_alter_table("balance_trial", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_balance_trial_patient_code"))

    op.drop_table("balance_trial")
    op.drop_table("patient")
    with op.batch_alter_table("audit_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_audit_event_occurred_at"))
        batch_op.drop_index(batch_op.f("ix_audit_event_entity_id"))

    op.drop_table("audit_event")
