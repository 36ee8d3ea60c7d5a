"""SQLAlchemy 2 typed models of the care records.

One table per record of :mod:`reeducate.clinic.care`, with child tables for its lists (diagnoses,
impairments, goals, prescribed exercises, exercises done and their sets, minutes per procedure
code, attached trials). Column names carry their unit (``hold_s``, ``load_kg``). Constraint names
follow :data:`NAMING_CONVENTION` so that migrations can name them.

Rules the database itself enforces (a second line behind the domain checks):

* foreign keys everywhere (SQLite: ``PRAGMA foreign_keys = ON``, see
  :mod:`~reeducate.store.engine`);
* ranges as CHECK constraints: pain 0–10, sets and repetitions, minutes, frequency;
* an exercise done stores every field of :class:`reeducate.clinic.progression.SessionRecord`;
* the duplicate-session rule as a unique key on exercises done: (patient, date, setting,
  sequence, variant); an exercise row carries its session's patient, date, setting and sequence
  through a composite foreign key, so they cannot disagree with the session;
* the audit table is append-only: triggers (created by the migrations) refuse UPDATE and DELETE,
  and the ORM refuses to flush a change to an audit row; it records changes and, since
  migration 0003, reads of patient data (action ``read``);
* every patient belongs to a clinic (``patient.clinic_id``, required); a patient's user account
  carries the patient's code *and* clinic through a composite foreign key to
  ``patient (code, clinic_id)``, so an account can never point at a patient of another clinic;
* login names are stored lower-case (a CHECK constraint) under a unique key: unique
  case-insensitively;
* web sessions store the SHA-256 digest of their token, never the token.

Identifying data (name, date of birth) lives only in ``patient_identity``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any, ClassVar, Final

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    event,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from reeducate.clinic.care import GoalDirection, GoalMeasureKind, Impairment
from reeducate.clinic.progression import Decision, DecisionKind, QualitySource, Rater, Setting
from reeducate.clinic.progression_rules import Assistance, BalanceEvent, DifficultyScale
from reeducate.errors import DomainRuleError
from reeducate.stim.parameters import Waveform
from reeducate.stim.session import SkinCondition

__all__ = [
    "DEFAULT_CLINIC_ID",
    "NAMING_CONVENTION",
    "AuditAction",
    "AuditEventRow",
    "BalanceTrialRow",
    "BalanceTrialTraceRow",
    "Base",
    "ClinicRow",
    "EpisodeDiagnosisRow",
    "EpisodeImpairmentRow",
    "EpisodeRow",
    "ExerciseSetRow",
    "GoalRow",
    "LoginAttemptRow",
    "LoginOutcome",
    "NmesScreeningItemRow",
    "NmesSessionRow",
    "OutcomeScoreRow",
    "PatientIdentityRow",
    "PatientRow",
    "PlanOfCareRow",
    "PrescribedExerciseRow",
    "PrescriptionRow",
    "ProgressionDecisionRow",
    "Role",
    "SessionExerciseRow",
    "SessionProcedureRow",
    "SessionRow",
    "SessionTrialRow",
    "UserAccountRow",
    "UtcDateTime",
    "WebSessionRow",
]

#: Constraint names: ``pk_<table>``, ``fk_<table>_<column>_<referred table>``,
#: ``uq_<table>_<first column>``, ``ck_<table>_<name>``, ``ix_<column label>``.
NAMING_CONVENTION: Final = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

ID_LENGTH: Final = 64

#: The clinic that migration 0003 creates and gives every patient recorded before it; patients
#: added without naming a clinic (a one-machine install, the CLI) belong to it.
DEFAULT_CLINIC_ID: Final = "CL-0001"

#: Length of a SHA-256 digest in hexadecimal.
DIGEST_LENGTH: Final = 64


class AuditAction(StrEnum):
    """What an audited event did: a change (create, update, delete) or a read of patient data."""

    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    READ = "read"


class Role(StrEnum):
    """The role of a user account."""

    ADMINISTRATOR = "administrator"
    THERAPIST = "therapist"
    PATIENT = "patient"


class LoginOutcome(StrEnum):
    """How a login attempt ended: accepted, refused (bad credentials), or refused unchecked
    because the login name or client address was locked."""

    SUCCESS = "success"
    FAILURE = "failure"
    LOCKED = "locked"


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC; read back timezone-aware UTC on every backend.

    SQLite keeps no time zone, so values are written as naive UTC and marked UTC on reading.
    Naive datetimes are refused.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError(f"datetime must be timezone-aware; got naive {value.isoformat()}")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def _one_of(column: str, enum: type[StrEnum], *, nullable: bool = False) -> CheckConstraint:
    values = ", ".join(f"'{member.value}'" for member in enum)
    condition = f"{column} IN ({values})"
    if nullable:
        condition = f"{column} IS NULL OR {condition}"
    return CheckConstraint(condition, name=f"{column}_valid")


def _between(column: str, low: float, high: float) -> CheckConstraint:
    return CheckConstraint(
        f"{column} IS NULL OR ({column} >= {low} AND {column} <= {high})", name=f"{column}_range"
    )


class Base(DeclarativeBase):
    """Declarative base with the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UtcDateTime(),
        dict[str, Any]: JSON(),
    }


# --------------------------------------------------------------------------------------------
# Clinics, patients and episodes
# --------------------------------------------------------------------------------------------


class ClinicRow(Base):
    """A clinic: therapists and patients belong to one (migration 0003)."""

    __tablename__ = "clinic"
    __table_args__ = (UniqueConstraint("name"),)

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime]


class PatientRow(Base):
    __tablename__ = "patient"
    # (code, clinic_id) is the target of the patient accounts' composite foreign key.
    __table_args__ = (UniqueConstraint("code", "clinic_id"),)

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    created_at: Mapped[datetime]
    clinic_id: Mapped[str] = mapped_column(ForeignKey("clinic.id"), index=True)
    # Bumped by every write of the patient's records (migration 0005): what is derived from
    # them (the patient list) is cached per revision.
    revision: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))

    identity: Mapped[PatientIdentityRow | None] = relationship(
        back_populates="patient", cascade="all, delete-orphan", uselist=False
    )


class PatientIdentityRow(Base):
    """Identifying fields, apart from every clinical table."""

    __tablename__ = "patient_identity"

    patient_code: Mapped[str] = mapped_column(
        ForeignKey("patient.code", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(200))
    date_of_birth: Mapped[date] = mapped_column(Date)

    patient: Mapped[PatientRow] = relationship(back_populates="identity")


class EpisodeRow(Base):
    __tablename__ = "episode"
    __table_args__ = (
        CheckConstraint("end_date IS NULL OR end_date >= start_date", name="end_after_start"),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    patient_code: Mapped[str] = mapped_column(ForeignKey("patient.code"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)

    diagnoses: Mapped[list[EpisodeDiagnosisRow]] = relationship(
        cascade="all, delete-orphan", order_by="EpisodeDiagnosisRow.position"
    )
    impairments: Mapped[list[EpisodeImpairmentRow]] = relationship(
        cascade="all, delete-orphan", order_by="EpisodeImpairmentRow.impairment"
    )


class EpisodeDiagnosisRow(Base):
    __tablename__ = "episode_diagnosis"
    __table_args__ = (UniqueConstraint("episode_id", "code"),)

    episode_id: Mapped[str] = mapped_column(
        ForeignKey("episode.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(8))


class EpisodeImpairmentRow(Base):
    __tablename__ = "episode_impairment"
    __table_args__ = (_one_of("impairment", Impairment),)

    episode_id: Mapped[str] = mapped_column(
        ForeignKey("episode.id", ondelete="CASCADE"), primary_key=True
    )
    impairment: Mapped[str] = mapped_column(String(32), primary_key=True)


# --------------------------------------------------------------------------------------------
# Plans, goals, prescriptions
# --------------------------------------------------------------------------------------------


class PlanOfCareRow(Base):
    __tablename__ = "plan_of_care"
    __table_args__ = (
        _between("frequency_per_week", 1, 7),
        _between("duration_weeks", 1, 52),
        _between("progress_report_interval_visits", 1, 10),
        CheckConstraint(
            "recertification_due_date > certification_date", name="recertification_after"
        ),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    episode_id: Mapped[str] = mapped_column(ForeignKey("episode.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    frequency_per_week: Mapped[int] = mapped_column(Integer)
    duration_weeks: Mapped[int] = mapped_column(Integer)
    certification_date: Mapped[date] = mapped_column(Date)
    recertification_due_date: Mapped[date] = mapped_column(Date)
    progress_report_interval_visits: Mapped[int] = mapped_column(Integer)

    goals: Mapped[list[GoalRow]] = relationship(
        cascade="all, delete-orphan", order_by="GoalRow.position"
    )


class GoalRow(Base):
    __tablename__ = "goal"
    __table_args__ = (
        _one_of("measure_kind", GoalMeasureKind),
        _one_of("direction", GoalDirection),
        CheckConstraint("target_date > baseline_date", name="target_after_baseline"),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    plan_id: Mapped[str] = mapped_column(
        ForeignKey("plan_of_care.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    measure_kind: Mapped[str] = mapped_column(String(32))
    measure: Mapped[str] = mapped_column(String(ID_LENGTH))
    direction: Mapped[str] = mapped_column(String(16))
    baseline_value: Mapped[float] = mapped_column(Float)
    target_value: Mapped[float] = mapped_column(Float)
    baseline_date: Mapped[date] = mapped_column(Date)
    target_date: Mapped[date] = mapped_column(Date)


class PrescriptionRow(Base):
    __tablename__ = "prescription"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    plan_id: Mapped[str] = mapped_column(ForeignKey("plan_of_care.id"), index=True)
    start_date: Mapped[date] = mapped_column(Date)

    exercises: Mapped[list[PrescribedExerciseRow]] = relationship(
        cascade="all, delete-orphan", order_by="PrescribedExerciseRow.position"
    )


class PrescribedExerciseRow(Base):
    __tablename__ = "prescribed_exercise"
    __table_args__ = (
        UniqueConstraint("prescription_id", "variant_id"),
        _between("sets", 1, 10),
        _between("reps", 1, 100),
        _between("hold_s", 1, 300),
        _between("rest_s", 0, 600),
        _between("sessions_per_week", 1, 14),
        CheckConstraint("reps IS NOT NULL OR hold_s IS NOT NULL", name="reps_or_hold"),
    )

    prescription_id: Mapped[str] = mapped_column(
        ForeignKey("prescription.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    variant_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    sets: Mapped[int] = mapped_column(Integer)
    reps: Mapped[int | None] = mapped_column(Integer)
    hold_s: Mapped[float | None] = mapped_column(Float)
    rest_s: Mapped[float] = mapped_column(Float)
    sessions_per_week: Mapped[int] = mapped_column(Integer)
    tempo: Mapped[str | None] = mapped_column(String(200))


# --------------------------------------------------------------------------------------------
# Sessions
# --------------------------------------------------------------------------------------------


class SessionRow(Base):
    """A treatment session (``treatment_session``: "session" means a database session here)."""

    __tablename__ = "treatment_session"
    __table_args__ = (
        # The target of the exercises' composite foreign key.
        UniqueConstraint("id", "patient_code", "session_date", "setting", "sequence"),
        _one_of("setting", Setting),
        _between("sequence", 1, 14),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    patient_code: Mapped[str] = mapped_column(ForeignKey("patient.code"), index=True)
    episode_id: Mapped[str] = mapped_column(ForeignKey("episode.id"), index=True)
    session_date: Mapped[date] = mapped_column(Date)
    setting: Mapped[str] = mapped_column(String(16))
    sequence: Mapped[int] = mapped_column(Integer)
    started_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)

    exercises: Mapped[list[SessionExerciseRow]] = relationship(
        cascade="all, delete-orphan", order_by="SessionExerciseRow.position"
    )
    procedures: Mapped[list[SessionProcedureRow]] = relationship(
        cascade="all, delete-orphan", order_by="SessionProcedureRow.code"
    )
    trials: Mapped[list[SessionTrialRow]] = relationship(
        cascade="all, delete-orphan", order_by="SessionTrialRow.position"
    )


class SessionExerciseRow(Base):
    """One exercise done in a session (the progression engine's record, plus cues).

    Unique per (patient, date, setting, sequence, variant): the duplicate-session rule.
    """

    __tablename__ = "session_exercise"
    __table_args__ = (
        ForeignKeyConstraint(
            ["session_id", "patient_code", "session_date", "setting", "sequence"],
            [
                "treatment_session.id",
                "treatment_session.patient_code",
                "treatment_session.session_date",
                "treatment_session.setting",
                "treatment_session.sequence",
            ],
            ondelete="CASCADE",
        ),
        UniqueConstraint("patient_code", "session_date", "setting", "sequence", "variant_id"),
        _between("sets_prescribed", 1, 10),
        _between("difficulty_value", 0, 10),
        _one_of("difficulty_scale", DifficultyScale, nullable=True),
        _one_of("difficulty_rater", Rater, nullable=True),
        CheckConstraint(
            "(difficulty_scale IS NULL) = (difficulty_value IS NULL)", name="difficulty_complete"
        ),
        _one_of("quality_source", QualitySource, nullable=True),
        _between("quality_score", 0, 10),
        _between("quality_scale_max", 1, 10),
        CheckConstraint(
            "(quality_source IS NULL) = (quality_score IS NULL)", name="quality_complete"
        ),
        _between("pain_before_nprs", 0, 10),
        _between("pain_during_nprs", 0, 10),
        _between("pain_after_nprs", 0, 10),
        _one_of("balance_event", BalanceEvent),
        _one_of("assistance", Assistance),
        _between("duration_min", 0, 600),
    )

    session_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_code: Mapped[str] = mapped_column(String(16))
    session_date: Mapped[date] = mapped_column(Date)
    setting: Mapped[str] = mapped_column(String(16))
    sequence: Mapped[int] = mapped_column(Integer)
    variant_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    sets_prescribed: Mapped[int] = mapped_column(Integer)
    difficulty_scale: Mapped[str | None] = mapped_column(String(16))
    difficulty_value: Mapped[float | None] = mapped_column(Float)
    difficulty_rater: Mapped[str | None] = mapped_column(String(16))
    quality_source: Mapped[str | None] = mapped_column(String(32))
    quality_score: Mapped[float | None] = mapped_column(Float)
    quality_scale_max: Mapped[float | None] = mapped_column(Float)
    quality_method: Mapped[str | None] = mapped_column(String(200))
    pain_before_nprs: Mapped[int | None] = mapped_column(Integer)
    pain_during_nprs: Mapped[int | None] = mapped_column(Integer)
    pain_after_nprs: Mapped[int | None] = mapped_column(Integer)
    symptoms_before: Mapped[list[str]] = mapped_column(JSON)
    symptoms_during: Mapped[list[str]] = mapped_column(JSON)
    symptoms_after: Mapped[list[str]] = mapped_column(JSON)
    balance_event: Mapped[str] = mapped_column(String(16))
    assistance: Mapped[str] = mapped_column(String(32))
    duration_min: Mapped[float | None] = mapped_column(Float)
    cues: Mapped[list[str]] = mapped_column(JSON)

    sets: Mapped[list[ExerciseSetRow]] = relationship(
        cascade="all, delete-orphan", order_by="ExerciseSetRow.set_number"
    )


class ExerciseSetRow(Base):
    """One set: repetitions and/or hold done against the set's target, load, losses of balance."""

    __tablename__ = "exercise_set"
    __table_args__ = (
        ForeignKeyConstraint(
            ["session_id", "exercise_position"],
            ["session_exercise.session_id", "session_exercise.position"],
            ondelete="CASCADE",
        ),
        _between("reps_target", 1, 100),
        _between("reps_target_min", 1, 100),
        _between("reps_done", 0, 1000),
        _between("hold_target_s", 0, 600),
        _between("hold_done_s", 0, 3600),
        _between("load_kg", 0, 500),
        _between("losses_of_balance", 0, 100),
        CheckConstraint(
            "reps_target IS NOT NULL OR hold_target_s IS NOT NULL", name="reps_or_hold"
        ),
    )

    session_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    exercise_position: Mapped[int] = mapped_column(Integer, primary_key=True)
    set_number: Mapped[int] = mapped_column(Integer, primary_key=True)
    reps_target: Mapped[int | None] = mapped_column(Integer)
    reps_target_min: Mapped[int | None] = mapped_column(Integer)
    reps_done: Mapped[int | None] = mapped_column(Integer)
    hold_target_s: Mapped[float | None] = mapped_column(Float)
    hold_done_s: Mapped[float | None] = mapped_column(Float)
    load_kg: Mapped[float | None] = mapped_column(Float)
    losses_of_balance: Mapped[int] = mapped_column(Integer)


class SessionProcedureRow(Base):
    """Treatment minutes of one procedure code in a session."""

    __tablename__ = "session_procedure"
    __table_args__ = (_between("minutes", 1, 480),)

    session_id: Mapped[str] = mapped_column(
        ForeignKey("treatment_session.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(8), primary_key=True)
    minutes: Mapped[int] = mapped_column(Integer)


class BalanceTrialRow(Base):
    """A balance-trial analysis with its metrics (SI, JSON) and settings (JSON)."""

    __tablename__ = "balance_trial"
    __table_args__ = (
        CheckConstraint("sampling_rate_hz > 0", name="sampling_rate_positive"),
        CheckConstraint("duration_s > 0", name="duration_positive"),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    patient_code: Mapped[str] = mapped_column(ForeignKey("patient.code"), index=True)
    recorded_at: Mapped[datetime]
    source_name: Mapped[str] = mapped_column(String(255))
    condition: Mapped[str] = mapped_column(String(64))
    preset: Mapped[str] = mapped_column(String(64))
    sampling_rate_hz: Mapped[float] = mapped_column(Float)
    duration_s: Mapped[float] = mapped_column(Float)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON)


class BalanceTrialTraceRow(Base):
    """The CoP trace of a balance trial, kept for display only (migration 0004).

    Decimated to at most 25 Hz (:mod:`reeducate.balance.display`) and stored as ``data`` in
    ``encoding`` (:mod:`reeducate.store.trace_codec`: ML then AP, float32 little-endian,
    zlib). The trial's metrics were computed on the full signal at analysis time; none is ever
    computed from this trace. Trials analysed before 0004 have no trace (their metrics stay).
    """

    __tablename__ = "balance_trial_trace"
    __table_args__ = (
        CheckConstraint("sampling_rate_hz > 0", name="sampling_rate_positive"),
        CheckConstraint("n_samples >= 2", name="n_samples_at_least_two"),
    )

    trial_id: Mapped[str] = mapped_column(
        ForeignKey("balance_trial.id", ondelete="CASCADE"), primary_key=True
    )
    sampling_rate_hz: Mapped[float] = mapped_column(Float)
    n_samples: Mapped[int] = mapped_column(Integer)
    encoding: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class SessionTrialRow(Base):
    """A balance trial attached to a session."""

    __tablename__ = "session_trial"

    session_id: Mapped[str] = mapped_column(
        ForeignKey("treatment_session.id", ondelete="CASCADE"), primary_key=True
    )
    trial_id: Mapped[str] = mapped_column(ForeignKey("balance_trial.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)


# --------------------------------------------------------------------------------------------
# Outcome measures and progression decisions (migration 0002)
# --------------------------------------------------------------------------------------------


class OutcomeScoreRow(Base):
    """An outcome measure scored for a patient: item values, total, interpretation, who scored.

    ``items`` maps item ids to the values given; ``interpretation`` and ``flags`` hold the words
    shown at scoring time (a later change of cut-offs does not rewrite a stored result);
    ``context`` the age, sex and population the interpretation used.
    """

    __tablename__ = "outcome_score"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    patient_code: Mapped[str] = mapped_column(ForeignKey("patient.code"), index=True)
    measure: Mapped[str] = mapped_column(String(32))
    scored_on: Mapped[date] = mapped_column(Date)
    items: Mapped[dict[str, Any]] = mapped_column(JSON)
    total: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(16))
    interpretation: Mapped[list[str]] = mapped_column(JSON)
    flags: Mapped[list[str]] = mapped_column(JSON)
    missing_items: Mapped[list[str]] = mapped_column(JSON)
    context: Mapped[dict[str, Any]] = mapped_column(JSON)
    scored_by: Mapped[str] = mapped_column(String(ID_LENGTH))
    recorded_at: Mapped[datetime]


class ProgressionDecisionRow(Base):
    """A progression recommendation as shown (rule and evidence) and the therapist's decision.

    ``prescription_id`` is the prescription the recommendation was made on;
    ``new_prescription_id`` the one written by an accept or change (None for a reject, or when
    nothing changed).
    """

    __tablename__ = "progression_decision"
    __table_args__ = (
        _one_of("recommended", Decision),
        _one_of("decision", DecisionKind),
        CheckConstraint("decision = 'accept' OR reason IS NOT NULL", name="reason_unless_accept"),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    patient_code: Mapped[str] = mapped_column(ForeignKey("patient.code"), index=True)
    prescription_id: Mapped[str] = mapped_column(ForeignKey("prescription.id"), index=True)
    new_prescription_id: Mapped[str | None] = mapped_column(ForeignKey("prescription.id"))
    made_on: Mapped[date] = mapped_column(Date)
    variant_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    recommended: Mapped[str] = mapped_column(String(16))
    recommended_variant_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    rule: Mapped[str] = mapped_column(String(32))
    evidence: Mapped[str] = mapped_column(Text)
    decision: Mapped[str] = mapped_column(String(16))
    variant_id_after: Mapped[str] = mapped_column(String(ID_LENGTH))
    dose_change: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str] = mapped_column(String(ID_LENGTH))
    decided_at: Mapped[datetime]


# --------------------------------------------------------------------------------------------
# NMES: the patient's screening items and the stimulation session log (migration 0006)
# --------------------------------------------------------------------------------------------


class NmesScreeningItemRow(Base):
    """A contraindication or precaution on the patient's record, screened before NMES.

    ``code`` is a :class:`reeducate.clinic.exercises.Contraindication` value (checked by the
    service, not by a CHECK constraint: the list grows with the exercise library, and a CHECK
    would need a migration for every new code); ``body_site`` a
    :class:`reeducate.stim.screening.BodySite` value, or None when not at a site;
    ``precaution`` the precaution documented for it. Items are resolved, never deleted.
    """

    __tablename__ = "nmes_screening_item"
    __table_args__ = (
        CheckConstraint(
            "(resolved_at IS NULL) = (resolved_by IS NULL)", name="resolved_complete"
        ),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    patient_code: Mapped[str] = mapped_column(ForeignKey("patient.code"), index=True)
    code: Mapped[str] = mapped_column(String(ID_LENGTH))
    body_site: Mapped[str | None] = mapped_column(String(32))
    precaution: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(ID_LENGTH))
    recorded_at: Mapped[datetime]
    resolved_by: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    resolved_at: Mapped[datetime | None]


class NmesSessionRow(Base):
    """One NMES session as delivered: protocol, parameters actually used, intensity reached,
    derived safety values, evoked force (% MVIC) when measured, skin check, attended minutes,
    and the screening and parameter verdicts shown when it was logged (``checks``)."""

    __tablename__ = "nmes_session"
    __table_args__ = (
        _one_of("waveform", Waveform),
        _one_of("skin_before", SkinCondition),
        _one_of("skin_after", SkinCondition),
        CheckConstraint("frequency_hz > 0", name="frequency_positive"),
        CheckConstraint("pulse_width_us > 0", name="pulse_width_positive"),
        CheckConstraint("intensity_ma > 0", name="intensity_positive"),
        CheckConstraint("electrode_area_cm2 > 0", name="electrode_area_positive"),
        _between("on_s", 0, 60),
        _between("off_s", 0, 300),
        _between("ramp_up_s", 0, 10),
        _between("ramp_down_s", 0, 10),
        _between("contractions", 0, 500),
        _between("minutes_attended", 0, 480),
        CheckConstraint("(peak_force_n IS NULL) = (mvic_n IS NULL)", name="force_complete"),
        CheckConstraint("peak_force_n IS NULL OR peak_force_n > 0", name="peak_force_positive"),
        CheckConstraint("mvic_n IS NULL OR mvic_n > 0", name="mvic_positive"),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    patient_code: Mapped[str] = mapped_column(ForeignKey("patient.code"), index=True)
    session_date: Mapped[date] = mapped_column(Date)
    protocol_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    waveform: Mapped[str] = mapped_column(String(32))
    frequency_hz: Mapped[float] = mapped_column(Float)
    pulse_width_us: Mapped[float] = mapped_column(Float)
    on_s: Mapped[float] = mapped_column(Float)
    off_s: Mapped[float] = mapped_column(Float)
    ramp_up_s: Mapped[float] = mapped_column(Float)
    ramp_down_s: Mapped[float] = mapped_column(Float)
    intensity_ma: Mapped[float] = mapped_column(Float)
    electrode_area_cm2: Mapped[float] = mapped_column(Float)
    rms_current_ma: Mapped[float] = mapped_column(Float)
    current_density_ma_cm2: Mapped[float] = mapped_column(Float)
    charge_per_phase_uc: Mapped[float] = mapped_column(Float)
    contractions: Mapped[int] = mapped_column(Integer)
    peak_force_n: Mapped[float | None] = mapped_column(Float)
    mvic_n: Mapped[float | None] = mapped_column(Float)
    evoked_force_pct_mvic: Mapped[float | None] = mapped_column(Float)
    skin_before: Mapped[str] = mapped_column(String(32))
    skin_after: Mapped[str] = mapped_column(String(32))
    minutes_attended: Mapped[int] = mapped_column(Integer)
    precaution: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    checks: Mapped[dict[str, Any]] = mapped_column(JSON)
    recorded_by: Mapped[str] = mapped_column(String(ID_LENGTH))
    recorded_at: Mapped[datetime]


# --------------------------------------------------------------------------------------------
# Accounts, login attempts and web sessions (migration 0003)
# --------------------------------------------------------------------------------------------


class UserAccountRow(Base):
    """A user account: login name (lower-case, unique), role, clinic, password hash.

    Administrators may have no clinic; therapists and patients have one. A patient account
    names its patient; ``(patient_code, clinic_id)`` references ``patient (code, clinic_id)``, so
    the account's clinic is the patient's. One account per patient. Accounts are disabled, never
    deleted (the audit trail names them).
    """

    __tablename__ = "user_account"
    __table_args__ = (
        UniqueConstraint("login"),
        UniqueConstraint("patient_code"),
        ForeignKeyConstraint(["patient_code", "clinic_id"], ["patient.code", "patient.clinic_id"]),
        _one_of("role", Role),
        CheckConstraint("login = lower(login)", name="login_lower_case"),
        CheckConstraint(
            "role = 'administrator' OR clinic_id IS NOT NULL", name="clinic_unless_administrator"
        ),
        CheckConstraint(
            "(role = 'patient') = (patient_code IS NOT NULL)", name="patient_code_iff_patient"
        ),
    )

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    login: Mapped[str] = mapped_column(String(ID_LENGTH))
    role: Mapped[str] = mapped_column(String(16))
    clinic_id: Mapped[str | None] = mapped_column(ForeignKey("clinic.id"), index=True)
    patient_code: Mapped[str | None] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime]
    disabled_at: Mapped[datetime | None]


class LoginAttemptRow(Base):
    """One login attempt, for throttling: when, which login name and client address (each as a
    SHA-256 digest, never in clear), and how it ended."""

    __tablename__ = "login_attempt"
    __table_args__ = (_one_of("outcome", LoginOutcome),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    attempted_at: Mapped[datetime] = mapped_column(index=True)
    login_digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH), index=True)
    address_digest: Mapped[str | None] = mapped_column(String(DIGEST_LENGTH), index=True)
    outcome: Mapped[str] = mapped_column(String(16))


class WebSessionRow(Base):
    """A signed-in browser session, kept on the server.

    The cookie holds a random 256-bit token; the table holds only its SHA-256 digest (a stolen
    copy of the table opens no session). ``csrf_secret`` is the session's anti-forgery token.
    """

    __tablename__ = "web_session"

    token_digest: Mapped[str] = mapped_column(String(DIGEST_LENGTH), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"), index=True)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
    csrf_secret: Mapped[str] = mapped_column(String(ID_LENGTH))


# --------------------------------------------------------------------------------------------
# Audit
# --------------------------------------------------------------------------------------------


class AuditEventRow(Base):
    """Who changed or read what, when. Append-only (triggers and the ORM refuse UPDATE and
    DELETE).

    ``detail`` holds the record as written (for a change) or what was shown (for a read), never
    identifying fields.
    """

    __tablename__ = "audit_event"
    __table_args__ = (_one_of("action", AuditAction),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    occurred_at: Mapped[datetime] = mapped_column(index=True)
    actor: Mapped[str] = mapped_column(String(ID_LENGTH))
    action: Mapped[str] = mapped_column(String(16))
    entity: Mapped[str] = mapped_column(String(32))
    entity_id: Mapped[str] = mapped_column(String(ID_LENGTH), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)


def _refuse_audit_change(_mapper: Any, _connection: Any, target: AuditEventRow) -> None:
    raise DomainRuleError(
        f"audit_event is append-only; refused to change or delete event {target.id}"
    )


event.listen(AuditEventRow, "before_update", _refuse_audit_change)
event.listen(AuditEventRow, "before_delete", _refuse_audit_change)
