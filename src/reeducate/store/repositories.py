"""Repositories: read and write the care records of :mod:`reeducate.clinic.care`.

Repositories add rows and flush (so that the database's own checks run at once) but **never
commit**: the service that owns the unit of work does, through
:func:`reeducate.store.engine.transaction`, so a write that fails half-way leaves nothing behind.
Every change appends an :class:`~reeducate.store.models.AuditEventRow` (who, what, when) in the
same transaction; the record as written is its detail, without identifying fields. Every write
of a patient's records (the patient, an episode, plan, goal, prescription, session, balance
trial, outcome score or progression decision) also adds 1 to ``patient.revision`` in the same
transaction, so that what is cached of a patient (the therapist's patient list,
:mod:`reeducate.web.therapist`) is known stale by the revision alone.

Reads of patient data are audited too (action ``read``, :meth:`AuditLog.record_read`); the
services call it after the access policy has allowed the read. Clinics, user accounts, login
attempts and web sessions have their repositories here as well; account changes are audited
(never a password or its hash), login attempts and web sessions are not patient data and are
not (the attempts are their own log).

Before writing, the domain rules that need other records run here, on what is stored: a session
must not be dated before its episode began nor repeat an exercise already recorded for the same
patient, date and setting; exercise ids must be in the library when one is given. The database
enforces the same duplicate rule with a unique key, as a second line.

Examples
--------
>>> from datetime import UTC, date, datetime
>>> from reeducate.clinic.care import Patient
>>> from reeducate.store.engine import create_engine_for, session_factory, transaction
>>> from reeducate.store.migrate import upgrade
>>> engine = create_engine_for("sqlite://")
>>> upgrade(engine)
>>> clock = lambda: datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
>>> with transaction(session_factory(engine)) as db:
...     Repositories(db, actor="pt-jones", clock=clock).patients.add(Patient(code="P-0001"))
>>> with transaction(session_factory(engine)) as db:
...     repos = Repositories(db, actor="pt-jones", clock=clock)
...     repos.patients.get("P-0001"), [e.action.value for e in repos.audit.events()]
(Patient(code='P-0001'), ['create'])
>>> engine.dispose()
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Final

from sqlalchemy import String, delete, func, or_, select, update
from sqlalchemy.orm import Session, selectinload

from reeducate.balance.display import DisplayTrace
from reeducate.clinic.care import (
    BalanceTrialRecord,
    EpisodeOfCare,
    Goal,
    GoalDirection,
    GoalMeasureKind,
    Impairment,
    Patient,
    PatientIdentity,
    PlanOfCare,
    PrescribedExercise,
    Prescription,
    TreatmentSession,
    check_prescription,
    check_session,
)
from reeducate.clinic.exercises import Dose, ExerciseLibrary
from reeducate.clinic.progression import (
    Decision,
    DecisionKind,
    PerceivedDifficulty,
    Quality,
    QualitySource,
    Rater,
    Rule,
    SetRecord,
    Setting,
    Symptom,
)
from reeducate.clinic.progression import SessionRecord as ExerciseDone
from reeducate.clinic.progression_rules import Assistance, BalanceEvent, DifficultyScale
from reeducate.errors import DomainRuleError, InvalidParameterError, NotFoundError
from reeducate.store.clock import utc_now
from reeducate.store.models import (
    DEFAULT_CLINIC_ID,
    AuditAction,
    AuditEventRow,
    BalanceTrialRow,
    BalanceTrialTraceRow,
    ClinicRow,
    EpisodeDiagnosisRow,
    EpisodeImpairmentRow,
    EpisodeRow,
    ExerciseSetRow,
    GoalRow,
    LoginAttemptRow,
    LoginOutcome,
    OutcomeScoreRow,
    PatientIdentityRow,
    PatientRow,
    PlanOfCareRow,
    PrescribedExerciseRow,
    PrescriptionRow,
    ProgressionDecisionRow,
    Role,
    SessionExerciseRow,
    SessionProcedureRow,
    SessionRow,
    SessionTrialRow,
    UserAccountRow,
    WebSessionRow,
)
from reeducate.store.trace_codec import TRACE_ENCODING, decode_trace, encode_trace

__all__ = [
    "AuditEvent",
    "AuditLog",
    "BalanceTrialRepository",
    "Clinic",
    "ClinicRepository",
    "EpisodeRepository",
    "LoginAttemptRepository",
    "OutcomeScoreRepository",
    "PatientRepository",
    "PlanRepository",
    "PrescriptionRepository",
    "ProgressionDecisionRecord",
    "ProgressionDecisionRepository",
    "Repositories",
    "SessionRepository",
    "StoredOutcomeScore",
    "UserAccount",
    "UserRepository",
    "WebSession",
    "WebSessionRepository",
    "utc_now",
]

_ACTOR_MAX: Final = 64
#: The PostgreSQL advisory lock that :meth:`Repositories.next_id` holds until the commit.
_ID_LOCK_KEY: Final = 0x5245_4944  # "REID"
#: Ids :meth:`Repositories.next_id` reads before it looks at every id of the prefix.
_NEXT_ID_PROBE: Final = 32
#: Most keys in one ``IN (...)`` of a batched read (far below every backend's limit).
_IN_CHUNK: Final = 500


def _chunks(keys: Collection[str], /) -> list[list[str]]:
    ordered = sorted(set(keys))
    return [ordered[i : i + _IN_CHUNK] for i in range(0, len(ordered), _IN_CHUNK)]


@dataclass(frozen=True, slots=True, kw_only=True)
class AuditEvent:
    """One audit event as read back: who did what to which record, when."""

    id: int
    occurred_at: datetime
    actor: str
    action: AuditAction
    entity: str
    entity_id: str
    detail: Mapping[str, Any]


class AuditLog:
    """Append-only log of changes (``audit_event``)."""

    def __init__(self, session: Session, *, actor: str, clock: Callable[[], datetime]) -> None:
        self._session = session
        self._actor = actor
        self._clock = clock

    def now(self) -> datetime:
        """The time of a change, from the clock (timezone-aware)."""
        occurred_at = self._clock()
        if occurred_at.utcoffset() is None:
            raise InvalidParameterError(
                f"clock must return timezone-aware datetimes; got naive {occurred_at.isoformat()}"
            )
        return occurred_at

    def record(
        self, action: AuditAction, entity: str, entity_id: str, detail: Mapping[str, Any]
    ) -> None:
        """Append one event (flushed with the change it describes)."""
        self._session.add(
            AuditEventRow(
                occurred_at=self.now(),
                actor=self._actor,
                action=action.value,
                entity=entity,
                entity_id=entity_id,
                detail=dict(detail),
            )
        )

    def record_read(self, entity: str, entity_id: str, detail: Mapping[str, Any]) -> None:
        """Append a ``read`` event: the actor was shown ``entity_id`` (flushed at once)."""
        self.record(AuditAction.READ, entity, entity_id, detail)
        self._session.flush()

    def events(
        self,
        *,
        entity: str | None = None,
        entity_id: str | None = None,
        action: AuditAction | None = None,
        actor: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        before_id: int | None = None,
        limit: int | None = None,
    ) -> list[AuditEvent]:
        """Events in the order they were written, optionally only those of one entity (and
        id), action or actor, at or after ``since`` and before ``until``, written before the
        event ``before_id`` (the next page back); with ``limit``, the latest ``limit`` of them
        (still oldest first)."""
        query = select(AuditEventRow)
        if before_id is not None:
            query = query.where(AuditEventRow.id < before_id)
        if entity is not None:
            query = query.where(AuditEventRow.entity == entity)
        if entity_id is not None:
            query = query.where(AuditEventRow.entity_id == entity_id)
        if action is not None:
            query = query.where(AuditEventRow.action == action.value)
        if actor is not None:
            query = query.where(AuditEventRow.actor == actor)
        if since is not None:
            query = query.where(AuditEventRow.occurred_at >= since)
        if until is not None:
            query = query.where(AuditEventRow.occurred_at < until)
        if limit is not None:
            if limit < 1:
                raise InvalidParameterError(f"limit must be >= 1; got {limit}")
            query = query.order_by(AuditEventRow.id.desc()).limit(limit)
            rows = list(self._session.scalars(query))[::-1]
        else:
            rows = list(self._session.scalars(query.order_by(AuditEventRow.id)))
        return [
            AuditEvent(
                id=row.id,
                occurred_at=row.occurred_at,
                actor=row.actor,
                action=AuditAction(row.action),
                entity=row.entity,
                entity_id=row.entity_id,
                detail=row.detail,
            )
            for row in rows
        ]


class _Repository:
    def __init__(self, session: Session, audit: AuditLog) -> None:
        self._session = session
        self._audit = audit

    def _require_patient(self, code: str, /) -> None:
        if not self._exists(PatientRow, code):
            raise NotFoundError(f"patient_code must be a recorded patient; got {code!r}")

    def _require_new(self, model: type[Any], key: str, /, *, what: str) -> None:
        if self._exists(model, key):
            raise DomainRuleError(f"id must be new; got {what} {key!r}, already recorded")

    def _exists(self, model: type[Any], key: object) -> bool:
        return self._session.get(model, key) is not None

    def _bump(self, patient_code: str, /) -> None:
        """Add 1 to the patient's revision, in this transaction: every write of a patient's
        records does, so that what is cached of them (the patient list) is known stale."""
        self._session.execute(
            update(PatientRow)
            .where(PatientRow.code == patient_code)
            .values(revision=PatientRow.revision + 1)
            .execution_options(synchronize_session=False)
        )

    def _bump_episode(self, episode_id: str, /) -> None:
        """:meth:`_bump` the patient of an episode."""
        episode = self._session.get(EpisodeRow, episode_id)
        if episode is not None:
            self._bump(episode.patient_code)


# --------------------------------------------------------------------------------------------
# Patients
# --------------------------------------------------------------------------------------------


class PatientRepository(_Repository):
    """Patients and their identifying fields (kept in their own table)."""

    def add(self, patient: Patient, /, *, clinic_id: str = DEFAULT_CLINIC_ID) -> None:
        """Store a new patient of ``clinic_id`` (default: the default clinic); DomainRuleError
        if the code is taken, NotFoundError if the clinic is not recorded."""
        if self._exists(PatientRow, patient.code):
            raise DomainRuleError(f"code must be new; got {patient.code!r}, already recorded")
        if not self._exists(ClinicRow, clinic_id):
            raise NotFoundError(f"clinic_id must be a recorded clinic; got {clinic_id!r}")
        row = PatientRow(code=patient.code, created_at=self._audit.now(), clinic_id=clinic_id)
        if patient.identity is not None:
            row.identity = PatientIdentityRow(
                name=patient.identity.name, date_of_birth=patient.identity.date_of_birth
            )
        self._session.add(row)
        self._audit.record(
            AuditAction.CREATE,
            "patient",
            patient.code,
            {"identity_recorded": patient.identity is not None, "clinic_id": clinic_id},
        )
        self._session.flush()
        self._bump(patient.code)

    def get(self, code: str, /) -> Patient:
        """The patient with ``code`` (identity included); NotFoundError if none."""
        row = self._session.get(PatientRow, code)
        if row is None:
            raise NotFoundError(f"patient_code must be a recorded patient; got {code!r}")
        identity = (
            None
            if row.identity is None
            else PatientIdentity(name=row.identity.name, date_of_birth=row.identity.date_of_birth)
        )
        return Patient(code=row.code, identity=identity)

    def codes(self, *, clinic_id: str | None = None) -> list[str]:
        """All patient codes (of one clinic, with ``clinic_id``), sorted."""
        query = select(PatientRow.code).order_by(PatientRow.code)
        if clinic_id is not None:
            query = query.where(PatientRow.clinic_id == clinic_id)
        return list(self._session.scalars(query))

    def identities(self, codes: Collection[str], /) -> dict[str, PatientIdentity | None]:
        """The identity of each patient of ``codes`` (None when not recorded); unknown codes
        are left out. One query per 500 codes."""
        found: dict[str, PatientIdentity | None] = {}
        for chunk in _chunks(codes):
            query = (
                select(PatientRow.code, PatientIdentityRow.name, PatientIdentityRow.date_of_birth)
                .outerjoin(PatientIdentityRow, PatientIdentityRow.patient_code == PatientRow.code)
                .where(PatientRow.code.in_(chunk))
            )
            for code, name, born in self._session.execute(query):
                found[code] = (
                    None if name is None else PatientIdentity(name=name, date_of_birth=born)
                )
        return found

    def revisions_of(self, codes: Collection[str], /) -> dict[str, int]:
        """The revision of each patient of ``codes`` (unknown codes left out)."""
        found: dict[str, int] = {}
        for chunk in _chunks(codes):
            query = select(PatientRow.code, PatientRow.revision).where(PatientRow.code.in_(chunk))
            found.update((row[0], row[1]) for row in self._session.execute(query))
        return found

    def revisions(self, *, clinic_id: str | None = None) -> list[tuple[str, int]]:
        """(code, revision) of every patient (of one clinic, with ``clinic_id``), by code."""
        query = select(PatientRow.code, PatientRow.revision).order_by(PatientRow.code)
        if clinic_id is not None:
            query = query.where(PatientRow.clinic_id == clinic_id)
        return [(row[0], row[1]) for row in self._session.execute(query)]

    def clinic_of(self, code: str, /) -> str | None:
        """The clinic of patient ``code``; None if there is no such patient."""
        return self._session.scalar(select(PatientRow.clinic_id).where(PatientRow.code == code))

    def next_code(self) -> str:
        """The next free code ``P-0001``, ``P-0002`` … (one above the highest)."""
        numbers = [int(code[2:]) for code in self.codes()]
        return f"P-{max(numbers, default=0) + 1:04d}"


# --------------------------------------------------------------------------------------------
# Episodes
# --------------------------------------------------------------------------------------------


def _episode_detail(episode: EpisodeOfCare) -> dict[str, Any]:
    return {
        "patient_code": episode.patient_code,
        "start_date": episode.start_date.isoformat(),
        "end_date": None if episode.end_date is None else episode.end_date.isoformat(),
        "diagnoses": list(episode.diagnoses),
        "impairments": sorted(episode.impairments),
    }


class EpisodeRepository(_Repository):
    """Episodes of care."""

    def add(self, episode: EpisodeOfCare, /) -> None:
        """Store a new episode of a recorded patient."""
        self._require_patient(episode.patient_code)
        self._require_new(EpisodeRow, episode.id, what="episode")
        self._session.add(
            EpisodeRow(
                id=episode.id,
                patient_code=episode.patient_code,
                start_date=episode.start_date,
                end_date=episode.end_date,
                diagnoses=[
                    EpisodeDiagnosisRow(position=i, code=code)
                    for i, code in enumerate(episode.diagnoses)
                ],
                impairments=[
                    EpisodeImpairmentRow(impairment=impairment.value)
                    for impairment in sorted(episode.impairments)
                ],
            )
        )
        self._audit.record(AuditAction.CREATE, "episode", episode.id, _episode_detail(episode))
        self._session.flush()
        self._bump(episode.patient_code)

    def get(self, episode_id: str, /) -> EpisodeOfCare:
        """The episode ``episode_id``; NotFoundError if none."""
        row = self._session.get(EpisodeRow, episode_id)
        if row is None:
            raise NotFoundError(f"episode_id must be a recorded episode; got {episode_id!r}")
        return _episode(row)

    def for_patients(self, patient_codes: Collection[str], /) -> dict[str, list[EpisodeOfCare]]:
        """The episodes of each patient of ``patient_codes`` (those with any), oldest first;
        one query per 500 patients (and one for each kind of child)."""
        found: dict[str, list[EpisodeOfCare]] = {}
        for chunk in _chunks(patient_codes):
            query = (
                select(EpisodeRow)
                .options(selectinload(EpisodeRow.diagnoses), selectinload(EpisodeRow.impairments))
                .where(EpisodeRow.patient_code.in_(chunk))
                .order_by(EpisodeRow.patient_code, EpisodeRow.start_date, EpisodeRow.id)
            )
            for row in self._session.scalars(query):
                found.setdefault(row.patient_code, []).append(_episode(row))
        return found

    def for_patient(self, patient_code: str, /) -> list[EpisodeOfCare]:
        """The patient's episodes, oldest first."""
        query = (
            select(EpisodeRow)
            .where(EpisodeRow.patient_code == patient_code)
            .order_by(EpisodeRow.start_date, EpisodeRow.id)
        )
        return [_episode(row) for row in self._session.scalars(query)]

    def close(self, episode_id: str, /, *, end_date: date) -> EpisodeOfCare:
        """Discharge: set the episode's end date (audited as an update, before and after)."""
        row = self._session.get(EpisodeRow, episode_id)
        if row is None:
            raise NotFoundError(f"episode_id must be a recorded episode; got {episode_id!r}")
        before = _episode(row)
        after = EpisodeOfCare(
            id=before.id,
            patient_code=before.patient_code,
            start_date=before.start_date,
            diagnoses=before.diagnoses,
            impairments=before.impairments,
            end_date=end_date,
        )
        last = self._session.scalar(
            select(SessionRow.session_date)
            .where(SessionRow.episode_id == episode_id)
            .order_by(SessionRow.session_date.desc())
            .limit(1)
        )
        if last is not None and end_date < last:
            raise DomainRuleError(
                f"end_date must not be before the last session ({last.isoformat()}); "
                f"got {end_date.isoformat()}"
            )
        row.end_date = end_date
        self._bump(row.patient_code)
        self._audit.record(
            AuditAction.UPDATE,
            "episode",
            episode_id,
            {"before": _episode_detail(before), "after": _episode_detail(after)},
        )
        self._session.flush()
        return after


def _episode(row: EpisodeRow) -> EpisodeOfCare:
    return EpisodeOfCare(
        id=row.id,
        patient_code=row.patient_code,
        start_date=row.start_date,
        end_date=row.end_date,
        diagnoses=tuple(d.code for d in row.diagnoses),
        impairments=frozenset(Impairment(i.impairment) for i in row.impairments),
    )


# --------------------------------------------------------------------------------------------
# Plans and prescriptions
# --------------------------------------------------------------------------------------------


def _goal_detail(goal: Goal) -> dict[str, Any]:
    return {
        "id": goal.id,
        "description": goal.description,
        "measure_kind": str(goal.measure_kind),
        "measure": goal.measure,
        "direction": str(goal.direction),
        "baseline_value": goal.baseline_value,
        "target_value": goal.target_value,
        "baseline_date": goal.baseline_date.isoformat(),
        "target_date": goal.target_date.isoformat(),
    }


class PlanRepository(_Repository):
    """Plans of care with their goals."""

    def add(self, plan: PlanOfCare, /) -> None:
        """Store a new plan of a recorded episode (goals in the same write)."""
        episode = self._session.get(EpisodeRow, plan.episode_id)
        if episode is None:
            raise NotFoundError(f"episode_id must be a recorded episode; got {plan.episode_id!r}")
        self._require_new(PlanOfCareRow, plan.id, what="plan")
        if plan.start_date < episode.start_date:
            raise DomainRuleError(
                "start_date must not be before the episode began "
                f"({episode.start_date.isoformat()}); got {plan.start_date.isoformat()}"
            )
        for i, goal in enumerate(plan.goals):
            if self._exists(GoalRow, goal.id):
                raise DomainRuleError(
                    f"goals[{i}].id must be new; got {goal.id!r}, already recorded"
                )
        self._session.add(
            PlanOfCareRow(
                id=plan.id,
                episode_id=plan.episode_id,
                start_date=plan.start_date,
                frequency_per_week=plan.frequency_per_week,
                duration_weeks=plan.duration_weeks,
                certification_date=plan.certification_date,
                recertification_due_date=plan.recertification_due_date,
                progress_report_interval_visits=plan.progress_report_interval_visits,
                goals=[
                    GoalRow(
                        id=goal.id,
                        position=i,
                        description=goal.description,
                        measure_kind=goal.measure_kind.value,
                        measure=goal.measure,
                        direction=goal.direction.value,
                        baseline_value=goal.baseline_value,
                        target_value=goal.target_value,
                        baseline_date=goal.baseline_date,
                        target_date=goal.target_date,
                    )
                    for i, goal in enumerate(plan.goals)
                ],
            )
        )
        self._audit.record(
            AuditAction.CREATE,
            "plan_of_care",
            plan.id,
            {
                "episode_id": plan.episode_id,
                "start_date": plan.start_date.isoformat(),
                "frequency_per_week": plan.frequency_per_week,
                "duration_weeks": plan.duration_weeks,
                "certification_date": plan.certification_date.isoformat(),
                "recertification_due_date": plan.recertification_due_date.isoformat(),
                "progress_report_interval_visits": plan.progress_report_interval_visits,
                "goals": [_goal_detail(goal) for goal in plan.goals],
            },
        )
        self._session.flush()
        self._bump(episode.patient_code)

    def get(self, plan_id: str, /) -> PlanOfCare:
        """The plan ``plan_id``; NotFoundError if none."""
        row = self._session.get(PlanOfCareRow, plan_id)
        if row is None:
            raise NotFoundError(f"plan_id must be a recorded plan of care; got {plan_id!r}")
        return _plan(row)

    def add_goal(self, plan_id: str, goal: Goal, /) -> PlanOfCare:
        """Add a goal to a stored plan (audited as an update of the plan); the plan after."""
        row = self._session.get(PlanOfCareRow, plan_id)
        if row is None:
            raise NotFoundError(f"plan_id must be a recorded plan of care; got {plan_id!r}")
        if self._exists(GoalRow, goal.id):
            raise DomainRuleError(f"goal.id must be new; got {goal.id!r}, already recorded")
        before = _plan(row)
        after = PlanOfCare(
            id=before.id,
            episode_id=before.episode_id,
            start_date=before.start_date,
            frequency_per_week=before.frequency_per_week,
            duration_weeks=before.duration_weeks,
            certification_date=before.certification_date,
            recertification_due_date=before.recertification_due_date,
            progress_report_interval_visits=before.progress_report_interval_visits,
            goals=(*before.goals, goal),
        )
        row.goals.append(
            GoalRow(
                id=goal.id,
                position=len(before.goals),
                description=goal.description,
                measure_kind=goal.measure_kind.value,
                measure=goal.measure,
                direction=goal.direction.value,
                baseline_value=goal.baseline_value,
                target_value=goal.target_value,
                baseline_date=goal.baseline_date,
                target_date=goal.target_date,
            )
        )
        self._audit.record(
            AuditAction.UPDATE, "plan_of_care", plan_id, {"added_goal": _goal_detail(goal)}
        )
        self._session.flush()
        self._bump_episode(row.episode_id)
        return after

    def for_episodes(self, episode_ids: Collection[str], /) -> dict[str, list[PlanOfCare]]:
        """The plans of each episode of ``episode_ids`` (those with any), oldest first."""
        found: dict[str, list[PlanOfCare]] = {}
        for chunk in _chunks(episode_ids):
            query = (
                select(PlanOfCareRow)
                .options(selectinload(PlanOfCareRow.goals))
                .where(PlanOfCareRow.episode_id.in_(chunk))
                .order_by(PlanOfCareRow.episode_id, PlanOfCareRow.start_date, PlanOfCareRow.id)
            )
            for row in self._session.scalars(query):
                found.setdefault(row.episode_id, []).append(_plan(row))
        return found

    def for_episode(self, episode_id: str, /) -> list[PlanOfCare]:
        """The episode's plans, oldest first."""
        query = (
            select(PlanOfCareRow)
            .where(PlanOfCareRow.episode_id == episode_id)
            .order_by(PlanOfCareRow.start_date, PlanOfCareRow.id)
        )
        return [_plan(row) for row in self._session.scalars(query)]


def _plan(row: PlanOfCareRow) -> PlanOfCare:
    return PlanOfCare(
        id=row.id,
        episode_id=row.episode_id,
        start_date=row.start_date,
        frequency_per_week=row.frequency_per_week,
        duration_weeks=row.duration_weeks,
        certification_date=row.certification_date,
        recertification_due_date=row.recertification_due_date,
        progress_report_interval_visits=row.progress_report_interval_visits,
        goals=tuple(
            Goal(
                id=g.id,
                description=g.description,
                measure_kind=GoalMeasureKind(g.measure_kind),
                measure=g.measure,
                direction=GoalDirection(g.direction),
                baseline_value=g.baseline_value,
                target_value=g.target_value,
                baseline_date=g.baseline_date,
                target_date=g.target_date,
            )
            for g in row.goals
        ),
    )


def _dose_detail(dose: Dose) -> dict[str, Any]:
    return {
        "sets": dose.sets,
        "reps": dose.reps,
        "hold_s": dose.hold_s,
        "rest_s": dose.rest_s,
        "sessions_per_week": dose.sessions_per_week,
        "tempo": dose.tempo,
    }


class PrescriptionRepository(_Repository):
    """Prescriptions: exercise variants with their dose, under a plan."""

    def add(self, prescription: Prescription, /, *, library: ExerciseLibrary | None = None) -> None:
        """Store a new prescription; with ``library``, every variant id must be in it."""
        plan = self._session.get(PlanOfCareRow, prescription.plan_id)
        if plan is None:
            raise NotFoundError(
                f"plan_id must be a recorded plan of care; got {prescription.plan_id!r}"
            )
        self._require_new(PrescriptionRow, prescription.id, what="prescription")
        if library is not None:
            check_prescription(prescription, library=library)
        self._session.add(
            PrescriptionRow(
                id=prescription.id,
                plan_id=prescription.plan_id,
                start_date=prescription.start_date,
                exercises=[
                    PrescribedExerciseRow(
                        position=i,
                        variant_id=item.variant_id,
                        sets=item.dose.sets,
                        reps=item.dose.reps,
                        hold_s=item.dose.hold_s,
                        rest_s=item.dose.rest_s,
                        sessions_per_week=item.dose.sessions_per_week,
                        tempo=item.dose.tempo,
                    )
                    for i, item in enumerate(prescription.exercises)
                ],
            )
        )
        self._audit.record(
            AuditAction.CREATE,
            "prescription",
            prescription.id,
            {
                "plan_id": prescription.plan_id,
                "start_date": prescription.start_date.isoformat(),
                "exercises": [
                    {"variant_id": item.variant_id, "dose": _dose_detail(item.dose)}
                    for item in prescription.exercises
                ],
            },
        )
        self._session.flush()
        self._bump_episode(plan.episode_id)

    def get(self, prescription_id: str, /) -> Prescription:
        """The prescription ``prescription_id``; NotFoundError if none."""
        row = self._session.get(PrescriptionRow, prescription_id)
        if row is None:
            raise NotFoundError(
                f"prescription_id must be a recorded prescription; got {prescription_id!r}"
            )
        return _prescription(row)

    def current(self, plan_id: str, /, *, on: date) -> Prescription | None:
        """The prescription in force on ``on``: the latest started on or before it."""
        row = self._session.scalar(
            select(PrescriptionRow)
            .where(PrescriptionRow.plan_id == plan_id, PrescriptionRow.start_date <= on)
            .order_by(PrescriptionRow.start_date.desc(), PrescriptionRow.id.desc())
            .limit(1)
        )
        return None if row is None else _prescription(row)

    def for_plans(self, plan_ids: Collection[str], /) -> dict[str, list[Prescription]]:
        """The prescriptions of each plan of ``plan_ids`` (those with any), in the order they
        took effect."""
        found: dict[str, list[Prescription]] = {}
        for chunk in _chunks(plan_ids):
            query = (
                select(PrescriptionRow)
                .options(selectinload(PrescriptionRow.exercises))
                .where(PrescriptionRow.plan_id.in_(chunk))
                .order_by(PrescriptionRow.plan_id, PrescriptionRow.start_date, PrescriptionRow.id)
            )
            for row in self._session.scalars(query):
                found.setdefault(row.plan_id, []).append(_prescription(row))
        return found

    def for_plan(self, plan_id: str, /) -> list[Prescription]:
        """The plan's prescriptions in the order they took effect (start date, then id)."""
        query = (
            select(PrescriptionRow)
            .options(selectinload(PrescriptionRow.exercises))  # two queries, however many
            .where(PrescriptionRow.plan_id == plan_id)
            .order_by(PrescriptionRow.start_date, PrescriptionRow.id)
        )
        return [_prescription(row) for row in self._session.scalars(query)]


def _prescription(row: PrescriptionRow) -> Prescription:
    return Prescription(
        id=row.id,
        plan_id=row.plan_id,
        start_date=row.start_date,
        exercises=tuple(
            PrescribedExercise(
                variant_id=e.variant_id,
                dose=Dose(
                    sets=e.sets,
                    reps=e.reps,
                    hold_s=e.hold_s,
                    rest_s=e.rest_s,
                    sessions_per_week=e.sessions_per_week,
                    tempo=e.tempo,
                ),
            )
            for e in row.exercises
        ),
    )


# --------------------------------------------------------------------------------------------
# Balance trials
# --------------------------------------------------------------------------------------------


class BalanceTrialRepository(_Repository):
    """Balance-trial analyses with their metrics and settings, and their display traces."""

    def add(self, trial: BalanceTrialRecord, /, *, trace: DisplayTrace | None = None) -> None:
        """Store a trial analysis of a recorded patient, with its CoP trace for display when
        given (:mod:`reeducate.store.trace_codec`; never used for metrics)."""
        self._require_patient(trial.patient_code)
        self._require_new(BalanceTrialRow, trial.id, what="trial")
        self._session.add(
            BalanceTrialRow(
                id=trial.id,
                patient_code=trial.patient_code,
                recorded_at=trial.recorded_at,
                source_name=trial.source_name,
                condition=trial.condition,
                preset=trial.preset,
                sampling_rate_hz=trial.sampling_rate_hz,
                duration_s=trial.duration_s,
                metrics=dict(trial.metrics),
                settings=dict(trial.settings),
            )
        )
        self._audit.record(
            AuditAction.CREATE,
            "balance_trial",
            trial.id,
            {
                "patient_code": trial.patient_code,
                "recorded_at": trial.recorded_at.isoformat(),
                "source_name": trial.source_name,
                "condition": trial.condition,
                "preset": trial.preset,
                "trace_samples": None if trace is None else trace.n_samples,
            },
        )
        self._session.flush()
        self._bump(trial.patient_code)
        if trace is not None:
            self._session.add(
                BalanceTrialTraceRow(
                    trial_id=trial.id,
                    sampling_rate_hz=trace.sampling_rate_hz,
                    n_samples=trace.n_samples,
                    encoding=TRACE_ENCODING,
                    data=encode_trace(trace),
                )
            )
            self._session.flush()

    def trace(self, trial_id: str, /) -> DisplayTrace | None:
        """The display trace of trial ``trial_id``; None when none was stored (a trial analysed
        before traces were kept, or an unknown id)."""
        row = self._session.get(BalanceTrialTraceRow, trial_id)
        if row is None:
            return None
        return decode_trace(
            row.data,
            encoding=row.encoding,
            n_samples=row.n_samples,
            sampling_rate_hz=row.sampling_rate_hz,
        )

    def with_trace(self, trial_ids: Collection[str], /) -> frozenset[str]:
        """Which of ``trial_ids`` have a stored trace (without reading the traces)."""
        if not trial_ids:
            return frozenset()
        query = select(BalanceTrialTraceRow.trial_id).where(
            BalanceTrialTraceRow.trial_id.in_(list(trial_ids))
        )
        return frozenset(self._session.scalars(query))

    def get(self, trial_id: str, /) -> BalanceTrialRecord:
        """The trial ``trial_id``; NotFoundError if none."""
        row = self._session.get(BalanceTrialRow, trial_id)
        if row is None:
            raise NotFoundError(f"trial_id must be a stored balance trial; got {trial_id!r}")
        return _trial(row)

    def for_patient(self, patient_code: str, /) -> list[BalanceTrialRecord]:
        """The patient's trials, oldest first."""
        query = (
            select(BalanceTrialRow)
            .where(BalanceTrialRow.patient_code == patient_code)
            .order_by(BalanceTrialRow.recorded_at, BalanceTrialRow.id)
        )
        return [_trial(row) for row in self._session.scalars(query)]


def _trial(row: BalanceTrialRow) -> BalanceTrialRecord:
    return BalanceTrialRecord(
        id=row.id,
        patient_code=row.patient_code,
        recorded_at=row.recorded_at,
        source_name=row.source_name,
        condition=row.condition,
        preset=row.preset,
        sampling_rate_hz=row.sampling_rate_hz,
        duration_s=row.duration_s,
        metrics=row.metrics,
        settings=row.settings,
    )


# --------------------------------------------------------------------------------------------
# Sessions
# --------------------------------------------------------------------------------------------


def _session_detail(session: TreatmentSession) -> dict[str, Any]:
    return {
        "patient_code": session.patient_code,
        "episode_id": session.episode_id,
        "session_date": session.session_date.isoformat(),
        "setting": str(session.setting),
        "sequence": session.sequence,
        "exercises": [
            {"variant_id": item.variant_id, "sets": len(item.sets)} for item in session.exercises
        ],
        "minutes_by_code": dict(session.minutes_by_code),
        "trial_ids": list(session.trial_ids),
    }


class SessionRepository(_Repository):
    """Treatment sessions with the exercises done, their sets, minutes and attached trials."""

    def add(self, record: TreatmentSession, /, *, library: ExerciseLibrary | None = None) -> None:
        """Store a new session after checking it against the stored records.

        Raises
        ------
        NotFoundError
            Unknown episode, exercise (when ``library`` is given) or attached trial.
        DomainRuleError
            A session dated before its episode began, a duplicate session (same patient, date,
            setting and exercise), a trial of another patient, or a taken id.
        """
        episode = EpisodeRepository(self._session, self._audit).get(record.episode_id)
        trial_rows = {
            trial_id: self._session.get(BalanceTrialRow, trial_id) for trial_id in record.trial_ids
        }
        stored_trials = {tid for tid, row in trial_rows.items() if row is not None}
        taken = self._session.get(SessionRow, record.id)
        existing = self._same_day(record)
        if taken is not None:
            existing.append(_session(taken))
        check_session(
            record, episode=episode, existing=existing, library=library, trial_ids=stored_trials
        )
        for i, (trial_id, trial_row) in enumerate(trial_rows.items()):
            if trial_row is not None and trial_row.patient_code != record.patient_code:
                raise DomainRuleError(
                    f"trial_ids[{i}] must be a trial of {record.patient_code}; got {trial_id!r} "
                    "of another patient"
                )
        self._session.add(_session_row(record))
        self._audit.record(AuditAction.CREATE, "session", record.id, _session_detail(record))
        self._session.flush()
        self._bump(record.patient_code)

    def _read(self, *where: Any, order: Sequence[Any] = ()) -> list[TreatmentSession]:
        """The sessions matching ``where``, read as plain rows (no ORM objects: five queries,
        one per table, whatever their number), in date order (or ``order``)."""
        sessions = SessionRow.__table__
        query = select(sessions).where(*where)
        query = query.order_by(
            *(
                order
                or (SessionRow.session_date, SessionRow.sequence, SessionRow.setting, SessionRow.id)
            )
        )
        rows = list(self._session.execute(query))
        exercises: dict[str, list[tuple[Any, list[Any]]]] = {}
        procedures: dict[str, list[Any]] = {}
        trials: dict[str, list[Any]] = {}
        for chunk in _chunks([row.id for row in rows]):
            sets: dict[tuple[str, int], list[Any]] = {}
            for one in self._session.execute(
                select(ExerciseSetRow.__table__)
                .where(ExerciseSetRow.session_id.in_(chunk))
                .order_by(ExerciseSetRow.session_id, ExerciseSetRow.exercise_position,
                          ExerciseSetRow.set_number)
            ):  # fmt: skip
                sets.setdefault((one.session_id, one.exercise_position), []).append(one)
            for e in self._session.execute(
                select(SessionExerciseRow.__table__)
                .where(SessionExerciseRow.session_id.in_(chunk))
                .order_by(SessionExerciseRow.session_id, SessionExerciseRow.position)
            ):
                exercises.setdefault(e.session_id, []).append(
                    (e, sets.get((e.session_id, e.position), []))
                )
            for p in self._session.execute(
                select(SessionProcedureRow.__table__)
                .where(SessionProcedureRow.session_id.in_(chunk))
                .order_by(SessionProcedureRow.session_id, SessionProcedureRow.code)
            ):
                procedures.setdefault(p.session_id, []).append(p)
            for t in self._session.execute(
                select(SessionTrialRow.__table__)
                .where(SessionTrialRow.session_id.in_(chunk))
                .order_by(SessionTrialRow.session_id, SessionTrialRow.position)
            ):
                trials.setdefault(t.session_id, []).append(t)
        return [
            _session_from(
                row,
                exercises=exercises.get(row.id, []),
                procedures=procedures.get(row.id, []),
                trials=trials.get(row.id, []),
            )
            for row in rows
        ]

    def _same_day(self, record: TreatmentSession) -> list[TreatmentSession]:
        query = (
            select(SessionRow)
            .options(*_SESSION_LOADS)
            .where(
                SessionRow.patient_code == record.patient_code,
                SessionRow.session_date == record.session_date,
                SessionRow.setting == record.setting.value,
                SessionRow.sequence == record.sequence,
            )
        )
        return [_session(row) for row in self._session.scalars(query)]

    def get(self, session_id: str, /) -> TreatmentSession:
        """The session ``session_id``; NotFoundError if none."""
        row = self._session.get(SessionRow, session_id)
        if row is None:
            raise NotFoundError(f"session_id must be a recorded session; got {session_id!r}")
        return _session(row)

    def for_patient(
        self,
        patient_code: str,
        /,
        *,
        since: date | None = None,
        until: date | None = None,
        variant_id: str | None = None,
    ) -> list[TreatmentSession]:
        """The patient's sessions in date order, optionally in a date range (inclusive) and
        only those that include ``variant_id``."""
        where: list[Any] = [SessionRow.patient_code == patient_code]
        if since is not None:
            where.append(SessionRow.session_date >= since)
        if until is not None:
            where.append(SessionRow.session_date <= until)
        if variant_id is not None:
            where.append(
                SessionRow.id.in_(
                    select(SessionExerciseRow.session_id).where(
                        SessionExerciseRow.patient_code == patient_code,
                        SessionExerciseRow.variant_id == variant_id,
                    )
                )
            )
        return self._read(*where)

    def latest(
        self, patient_code: str, /, *, until: date | None = None, limit: int
    ) -> list[TreatmentSession]:
        """The patient's ``limit`` latest sessions (up to ``until``), still in date order; the
        older ones are not read."""
        if limit < 1:
            raise InvalidParameterError(f"limit must be >= 1; got {limit}")
        newest = select(SessionRow.id).where(SessionRow.patient_code == patient_code)
        if until is not None:
            newest = newest.where(SessionRow.session_date <= until)
        newest = newest.order_by(
            SessionRow.session_date.desc(),
            SessionRow.sequence.desc(),
            SessionRow.setting.desc(),
            SessionRow.id.desc(),
        ).limit(limit)
        return self._read(SessionRow.id.in_(newest.scalar_subquery()))

    def with_trials(
        self, patient_code: str, /, *, until: date | None = None
    ) -> list[TreatmentSession]:
        """The patient's sessions (up to ``until``) that attach a balance trial, in date order."""
        where: list[Any] = [
            SessionRow.patient_code == patient_code,
            select(SessionTrialRow.session_id)
            .where(SessionTrialRow.session_id == SessionRow.id)
            .exists(),
        ]
        if until is not None:
            where.append(SessionRow.session_date <= until)
        return self._read(*where)

    def since_each(
        self, since: Mapping[str, date], /, *, until: date | None = None
    ) -> dict[str, list[TreatmentSession]]:
        """For each patient code of ``since``, their sessions from that day (to ``until``), in
        date order; one query per 500 patients."""
        found: dict[str, list[TreatmentSession]] = {}
        for chunk in _chunks(since):
            where: list[Any] = [
                or_(
                    *(
                        (SessionRow.patient_code == code) & (SessionRow.session_date >= since[code])
                        for code in chunk
                    )
                )
            ]
            if until is not None:
                where.append(SessionRow.session_date <= until)
            order = (
                SessionRow.patient_code,
                SessionRow.session_date,
                SessionRow.sequence,
                SessionRow.setting,
                SessionRow.id,
            )
            for record in self._read(*where, order=order):
                found.setdefault(record.patient_code, []).append(record)
        return found

    def last_dates(
        self, patient_codes: Collection[str], /, *, until: date | None = None
    ) -> dict[str, date]:
        """The date of each patient's latest session (up to ``until``; those with any)."""
        found: dict[str, date] = {}
        for chunk in _chunks(patient_codes):
            query = select(SessionRow.patient_code, func.max(SessionRow.session_date)).where(
                SessionRow.patient_code.in_(chunk)
            )
            if until is not None:
                query = query.where(SessionRow.session_date <= until)
            for code, last in self._session.execute(query.group_by(SessionRow.patient_code)):
                found[code] = last
        return found

    def exercise_keys_of(
        self, patient_codes: Collection[str], /, *, until: date | None = None
    ) -> dict[str, list[tuple[date, int, str]]]:
        """:meth:`exercise_keys` of each patient of ``patient_codes`` (those with any)."""
        found: dict[str, list[tuple[date, int, str]]] = {}
        for chunk in _chunks(patient_codes):
            query = select(
                SessionExerciseRow.patient_code,
                SessionExerciseRow.session_date,
                SessionExerciseRow.sequence,
                SessionExerciseRow.variant_id,
            ).where(SessionExerciseRow.patient_code.in_(chunk))
            if until is not None:
                query = query.where(SessionExerciseRow.session_date <= until)
            query = query.order_by(
                SessionExerciseRow.patient_code,
                SessionExerciseRow.session_date,
                SessionExerciseRow.sequence,
                SessionExerciseRow.setting,
                SessionExerciseRow.session_id,
                SessionExerciseRow.position,
            )
            for code, day, sequence, variant_id in self._session.execute(query):
                found.setdefault(code, []).append((day, sequence, variant_id))
        return found

    def treatment_visits_of(
        self, plan_ids: Collection[str], /, *, until: date | None = None
    ) -> dict[str, int]:
        """Treatment visits under each plan of ``plan_ids`` from its start (to ``until``): the
        distinct dates of its episode's clinic sessions (0 included), as
        :meth:`treatment_visits` counts them; one query per 500 plans."""
        found = dict.fromkeys(plan_ids, 0)
        for chunk in _chunks(plan_ids):
            query = (
                select(PlanOfCareRow.id, func.count(SessionRow.session_date.distinct()))
                .join(SessionRow, SessionRow.episode_id == PlanOfCareRow.episode_id)
                .where(
                    PlanOfCareRow.id.in_(chunk),
                    SessionRow.setting == Setting.CLINIC.value,
                    SessionRow.session_date >= PlanOfCareRow.start_date,
                )
            )
            if until is not None:
                query = query.where(SessionRow.session_date <= until)
            for plan_id, visits in self._session.execute(query.group_by(PlanOfCareRow.id)):
                found[plan_id] = int(visits)
        return found

    def count(self, patient_code: str, /, *, until: date | None = None) -> int:
        """How many sessions the patient has (up to ``until``)."""
        query = select(func.count()).where(SessionRow.patient_code == patient_code)
        if until is not None:
            query = query.where(SessionRow.session_date <= until)
        return int(self._session.scalar(query) or 0)

    def exercise_keys(
        self, patient_code: str, /, *, until: date | None = None
    ) -> list[tuple[date, int, str]]:
        """(session date, sequence, variant id) of every exercise the patient did (up to
        ``until``), in the order :func:`reeducate.clinic.care.exercise_history` gives them:
        columns only, no records built (what the progression engine's window is cut from:
        :func:`reeducate.clinic.progression.recommend_needs_since`)."""
        query = select(
            SessionExerciseRow.session_date,
            SessionExerciseRow.sequence,
            SessionExerciseRow.variant_id,
        ).where(SessionExerciseRow.patient_code == patient_code)
        if until is not None:
            query = query.where(SessionExerciseRow.session_date <= until)
        query = query.order_by(
            SessionExerciseRow.session_date,
            SessionExerciseRow.sequence,
            SessionExerciseRow.setting,
            SessionExerciseRow.session_id,
            SessionExerciseRow.position,
        )
        return [(row[0], row[1], row[2]) for row in self._session.execute(query)]

    def treatment_visits(
        self, episode_id: str, /, *, since: date, until: date | None = None
    ) -> int:
        """Treatment visits of an episode from ``since`` (to ``until``): distinct dates of its
        clinic sessions, counted by the database (as
        :func:`reeducate.clinic.care.count_treatment_visits` counts them)."""
        query = select(func.count(SessionRow.session_date.distinct())).where(
            SessionRow.episode_id == episode_id,
            SessionRow.setting == Setting.CLINIC.value,
            SessionRow.session_date >= since,
        )
        if until is not None:
            query = query.where(SessionRow.session_date <= until)
        return int(self._session.scalar(query) or 0)


#: A session's children in one query each (not one query per row: the chart reads hundreds).
#: The sets come joined to their exercises: a separate "IN" on the sets' two-column key is not
#: served by SQLite's index (it scanned every set of the database).
_SESSION_LOADS: Final = (
    selectinload(SessionRow.exercises).joinedload(SessionExerciseRow.sets),
    selectinload(SessionRow.procedures),
    selectinload(SessionRow.trials),
)


def _session_row(record: TreatmentSession) -> SessionRow:
    return SessionRow(
        id=record.id,
        patient_code=record.patient_code,
        episode_id=record.episode_id,
        session_date=record.session_date,
        setting=record.setting.value,
        sequence=record.sequence,
        started_at=record.started_at,
        note=record.note,
        exercises=[
            _exercise_row(
                i, item, record.cues.get(item.variant_id, ()), patient_code=record.patient_code
            )
            for i, item in enumerate(record.exercises)
        ],
        procedures=[
            SessionProcedureRow(code=code, minutes=minutes)
            for code, minutes in record.minutes_by_code.items()
        ],
        trials=[
            SessionTrialRow(trial_id=trial_id, position=i)
            for i, trial_id in enumerate(record.trial_ids)
        ],
    )


def _exercise_row(
    position: int, item: ExerciseDone, cues: tuple[str, ...], *, patient_code: str
) -> SessionExerciseRow:
    difficulty, quality = item.difficulty, item.quality
    return SessionExerciseRow(
        position=position,
        patient_code=patient_code,
        session_date=item.session_date,
        setting=item.setting.value,
        sequence=item.sequence,
        variant_id=item.variant_id,
        sets_prescribed=item.sets_prescribed,
        difficulty_scale=None if difficulty is None else difficulty.scale.value,
        difficulty_value=None if difficulty is None else difficulty.value,
        difficulty_rater=None if difficulty is None else difficulty.rater.value,
        quality_source=None if quality is None else quality.source.value,
        quality_score=None if quality is None else quality.score,
        quality_scale_max=None if quality is None else quality.scale_max,
        quality_method=None if quality is None else quality.method,
        pain_before_nprs=item.pain_before_nprs,
        pain_during_nprs=item.pain_during_nprs,
        pain_after_nprs=item.pain_after_nprs,
        symptoms_before=sorted(item.symptoms_before),
        symptoms_during=sorted(item.symptoms_during),
        symptoms_after=sorted(item.symptoms_after),
        balance_event=item.balance_event.value,
        assistance=item.assistance.value,
        duration_min=item.duration_min,
        cues=list(cues),
        sets=[
            ExerciseSetRow(
                set_number=n,
                reps_target=one.reps_target,
                reps_target_min=one.reps_target_min,
                reps_done=one.reps_done,
                hold_target_s=one.hold_target_s,
                hold_done_s=one.hold_done_s,
                load_kg=one.load_kg,
                losses_of_balance=one.losses_of_balance,
            )
            for n, one in enumerate(item.sets, start=1)
        ],
    )


def _exercise(e: Any, sets: Sequence[Any] | None = None) -> ExerciseDone:
    """The record of a ``session_exercise`` row (ORM object or Core row) and its sets (default:
    the ORM object's)."""
    return ExerciseDone(
        variant_id=e.variant_id,
        session_date=e.session_date,
        sequence=e.sequence,
        setting=Setting(e.setting),
        sets_prescribed=e.sets_prescribed,
        sets=tuple(
            SetRecord(
                reps_target=s.reps_target,
                reps_target_min=s.reps_target_min,
                reps_done=s.reps_done,
                hold_target_s=s.hold_target_s,
                hold_done_s=s.hold_done_s,
                load_kg=s.load_kg,
                losses_of_balance=s.losses_of_balance,
            )
            for s in (e.sets if sets is None else sets)
        ),
        difficulty=(
            None
            if e.difficulty_scale is None or e.difficulty_value is None
            else PerceivedDifficulty(
                scale=DifficultyScale(e.difficulty_scale),
                value=e.difficulty_value,
                rater=Rater(e.difficulty_rater or Rater.PATIENT),
            )
        ),
        quality=(
            None
            if e.quality_source is None or e.quality_score is None
            else Quality(
                source=QualitySource(e.quality_source),
                score=e.quality_score,
                # A whole number: progression.Quality wants an int scale for a rating.
                scale_max=_whole(1.0 if e.quality_scale_max is None else e.quality_scale_max),
                method=e.quality_method,
            )
        ),
        pain_before_nprs=e.pain_before_nprs,
        pain_during_nprs=e.pain_during_nprs,
        pain_after_nprs=e.pain_after_nprs,
        symptoms_before=frozenset(Symptom(x) for x in e.symptoms_before),
        symptoms_during=frozenset(Symptom(x) for x in e.symptoms_during),
        symptoms_after=frozenset(Symptom(x) for x in e.symptoms_after),
        balance_event=BalanceEvent(e.balance_event),
        assistance=Assistance(e.assistance),
        duration_min=e.duration_min,
    )


def _whole(value: float) -> float:
    return int(value) if value.is_integer() else value


def _session(row: SessionRow) -> TreatmentSession:
    return _session_from(
        row,
        exercises=[(e, e.sets) for e in row.exercises],
        procedures=row.procedures,
        trials=row.trials,
    )


def _session_from(
    row: Any,
    *,
    exercises: Sequence[tuple[Any, Sequence[Any]]],
    procedures: Sequence[Any],
    trials: Sequence[Any],
) -> TreatmentSession:
    """A session from its row and its children's rows (ORM objects or Core rows), each kind
    in its stored order."""
    return TreatmentSession(
        id=row.id,
        patient_code=row.patient_code,
        episode_id=row.episode_id,
        session_date=row.session_date,
        setting=Setting(row.setting),
        sequence=row.sequence,
        started_at=row.started_at,
        note=row.note,
        exercises=tuple(_exercise(e, sets) for e, sets in exercises),
        cues={e.variant_id: tuple(e.cues) for e, _ in exercises if e.cues},
        minutes_by_code={p.code: p.minutes for p in procedures},
        trial_ids=tuple(t.trial_id for t in trials),
    )


# --------------------------------------------------------------------------------------------
# Outcome-measure scores
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredOutcomeScore:
    """An outcome measure scored for a patient, as stored.

    Attributes
    ----------
    id : str
        Record id.
    patient_code : str
        Whose score.
    measure : str
        Measure id of :data:`reeducate.clinic.outcomes.MEASURES`.
    scored_on : date
        The day the measure was taken.
    items : Mapping[str, float]
        Item values as given (validated by the scoring).
    total : float
        The total, in ``unit``.
    unit : str
        ``points``, ``s``, ``cm`` or ``%``.
    interpretation, flags : tuple of str
        The interpretation and flags in words, as shown when scored.
    missing_items : tuple of str
        Required items not given (handled by the measure's published rule).
    context : Mapping[str, Any]
        Age, sex and population the interpretation used.
    scored_by : str
        Who scored it (an id, never a name).
    recorded_at : datetime
        When it was stored, timezone-aware.
    """

    id: str
    patient_code: str
    measure: str
    scored_on: date
    items: Mapping[str, float]
    total: float
    unit: str
    interpretation: tuple[str, ...]
    flags: tuple[str, ...]
    missing_items: tuple[str, ...]
    context: Mapping[str, Any]
    scored_by: str
    recorded_at: datetime


class OutcomeScoreRepository(_Repository):
    """Outcome-measure scores of patients."""

    def add(self, record: StoredOutcomeScore, /) -> None:
        """Store a score of a recorded patient."""
        self._require_patient(record.patient_code)
        self._require_new(OutcomeScoreRow, record.id, what="score")
        self._session.add(
            OutcomeScoreRow(
                id=record.id,
                patient_code=record.patient_code,
                measure=record.measure,
                scored_on=record.scored_on,
                items=dict(record.items),
                total=record.total,
                unit=record.unit,
                interpretation=list(record.interpretation),
                flags=list(record.flags),
                missing_items=list(record.missing_items),
                context=dict(record.context),
                scored_by=record.scored_by,
                recorded_at=record.recorded_at,
            )
        )
        self._audit.record(
            AuditAction.CREATE,
            "outcome_score",
            record.id,
            {
                "patient_code": record.patient_code,
                "measure": record.measure,
                "scored_on": record.scored_on.isoformat(),
                "items": dict(record.items),
                "total": record.total,
                "scored_by": record.scored_by,
            },
        )
        self._session.flush()
        self._bump(record.patient_code)

    def for_patient(
        self, patient_code: str, /, *, measure: str | None = None
    ) -> list[StoredOutcomeScore]:
        """The patient's scores, oldest first, optionally of one measure."""
        query = select(OutcomeScoreRow).where(OutcomeScoreRow.patient_code == patient_code)
        if measure is not None:
            query = query.where(OutcomeScoreRow.measure == measure)
        query = query.order_by(OutcomeScoreRow.scored_on, OutcomeScoreRow.id)
        return [
            StoredOutcomeScore(
                id=row.id,
                patient_code=row.patient_code,
                measure=row.measure,
                scored_on=row.scored_on,
                items=dict(row.items),
                total=row.total,
                unit=row.unit,
                interpretation=tuple(row.interpretation),
                flags=tuple(row.flags),
                missing_items=tuple(row.missing_items),
                context=dict(row.context),
                scored_by=row.scored_by,
                recorded_at=row.recorded_at,
            )
            for row in self._session.scalars(query)
        ]


# --------------------------------------------------------------------------------------------
# Progression decisions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ProgressionDecisionRecord:
    """A progression recommendation as shown to the therapist, and the decision taken on it.

    Attributes
    ----------
    id : str
        Record id.
    patient_code : str
    prescription_id : str
        The prescription the recommendation was made on.
    new_prescription_id : str or None
        The prescription an accept or change wrote; None when nothing changed.
    made_on : date
        The day of the recommendation.
    variant_id : str
        The variant the patient was on.
    recommended : Decision
        Progress, hold or regress.
    recommended_variant_id : str
    rule : Rule
        The rule that decided the recommendation.
    evidence : str
        The evidence in words, as shown.
    decision : DecisionKind
        Accept, change or reject.
    variant_id_after : str
        The variant prescribed after the decision.
    dose_change : Mapping or None
        A load progression accepted (sets, rep range, load before and after).
    reason : str or None
        The therapist's reason (required for change and reject).
    decided_by : str
        Who decided (an id, never a name).
    decided_at : datetime
        When, timezone-aware.
    """

    id: str
    patient_code: str
    prescription_id: str
    new_prescription_id: str | None
    made_on: date
    variant_id: str
    recommended: Decision
    recommended_variant_id: str
    rule: Rule
    evidence: str
    decision: DecisionKind
    variant_id_after: str
    dose_change: Mapping[str, Any] | None
    reason: str | None
    decided_by: str
    decided_at: datetime

    def __post_init__(self) -> None:
        if self.decision is not DecisionKind.ACCEPT and not self.reason:
            raise InvalidParameterError(
                f"reason is required to {self.decision} a recommendation; got {self.reason!r}"
            )


class ProgressionDecisionRepository(_Repository):
    """Therapists' decisions on progression recommendations."""

    def add(self, record: ProgressionDecisionRecord, /) -> None:
        """Store a decision on a recorded patient's prescription."""
        self._require_patient(record.patient_code)
        for name in ("prescription_id", "new_prescription_id"):
            value = getattr(record, name)
            if value is not None and not self._exists(PrescriptionRow, value):
                raise NotFoundError(f"{name} must be a recorded prescription; got {value!r}")
        self._require_new(ProgressionDecisionRow, record.id, what="decision")
        detail = {
            "patient_code": record.patient_code,
            "prescription_id": record.prescription_id,
            "new_prescription_id": record.new_prescription_id,
            "made_on": record.made_on.isoformat(),
            "variant_id": record.variant_id,
            "recommended": record.recommended.value,
            "recommended_variant_id": record.recommended_variant_id,
            "rule": record.rule.value,
            "evidence": record.evidence,
            "decision": record.decision.value,
            "variant_id_after": record.variant_id_after,
            "dose_change": None if record.dose_change is None else dict(record.dose_change),
            "reason": record.reason,
        }
        self._session.add(
            ProgressionDecisionRow(
                id=record.id,
                patient_code=record.patient_code,
                prescription_id=record.prescription_id,
                new_prescription_id=record.new_prescription_id,
                made_on=record.made_on,
                variant_id=record.variant_id,
                recommended=record.recommended.value,
                recommended_variant_id=record.recommended_variant_id,
                rule=record.rule.value,
                evidence=record.evidence,
                decision=record.decision.value,
                variant_id_after=record.variant_id_after,
                dose_change=None if record.dose_change is None else dict(record.dose_change),
                reason=record.reason,
                decided_by=record.decided_by,
                decided_at=record.decided_at,
            )
        )
        self._audit.record(AuditAction.CREATE, "progression_decision", record.id, detail)
        self._session.flush()
        self._bump(record.patient_code)

    def for_patients(
        self, patient_codes: Collection[str], /
    ) -> dict[str, list[ProgressionDecisionRecord]]:
        """The decisions of each patient of ``patient_codes`` (those with any), in the order
        they were taken."""
        found: dict[str, list[ProgressionDecisionRecord]] = {}
        for chunk in _chunks(patient_codes):
            query = (
                select(ProgressionDecisionRow)
                .where(ProgressionDecisionRow.patient_code.in_(chunk))
                .order_by(
                    ProgressionDecisionRow.patient_code,
                    ProgressionDecisionRow.decided_at,
                    ProgressionDecisionRow.id,
                )
            )
            for record in self._records(query):
                found.setdefault(record.patient_code, []).append(record)
        return found

    def for_patient(self, patient_code: str, /) -> list[ProgressionDecisionRecord]:
        """The patient's decisions in the order they were taken."""
        query = (
            select(ProgressionDecisionRow)
            .where(ProgressionDecisionRow.patient_code == patient_code)
            .order_by(ProgressionDecisionRow.decided_at, ProgressionDecisionRow.id)
        )
        return self._records(query)

    def _records(self, query: Any) -> list[ProgressionDecisionRecord]:
        return [
            ProgressionDecisionRecord(
                id=row.id,
                patient_code=row.patient_code,
                prescription_id=row.prescription_id,
                new_prescription_id=row.new_prescription_id,
                made_on=row.made_on,
                variant_id=row.variant_id,
                recommended=Decision(row.recommended),
                recommended_variant_id=row.recommended_variant_id,
                rule=Rule(row.rule),
                evidence=row.evidence,
                decision=DecisionKind(row.decision),
                variant_id_after=row.variant_id_after,
                dose_change=row.dose_change,
                reason=row.reason,
                decided_by=row.decided_by,
                decided_at=row.decided_at,
            )
            for row in self._session.scalars(query)
        ]


# --------------------------------------------------------------------------------------------
# Clinics
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Clinic:
    """A clinic as stored."""

    id: str
    name: str
    created_at: datetime


def _clinic(row: ClinicRow) -> Clinic:
    return Clinic(id=row.id, name=row.name, created_at=row.created_at)


class ClinicRepository(_Repository):
    """Clinics (audited)."""

    def add(self, clinic_id: str, /, *, name: str) -> Clinic:
        """Store a new clinic; DomainRuleError if the id or the name is taken."""
        self._require_new(ClinicRow, clinic_id, what="clinic")
        if self._session.scalar(select(ClinicRow.id).where(ClinicRow.name == name)) is not None:
            raise DomainRuleError(f"name must be unique among clinics; got {name!r}, taken")
        row = ClinicRow(id=clinic_id, name=name, created_at=self._audit.now())
        self._session.add(row)
        self._audit.record(AuditAction.CREATE, "clinic", clinic_id, {"name": name})
        self._session.flush()
        return _clinic(row)

    def get(self, clinic_id: str, /) -> Clinic:
        """The clinic ``clinic_id``; NotFoundError if none."""
        row = self._session.get(ClinicRow, clinic_id)
        if row is None:
            raise NotFoundError(f"clinic_id must be a recorded clinic; got {clinic_id!r}")
        return _clinic(row)

    def all(self) -> list[Clinic]:
        """Every clinic, by id."""
        return [
            _clinic(row) for row in self._session.scalars(select(ClinicRow).order_by(ClinicRow.id))
        ]

    def rename(self, clinic_id: str, /, *, name: str) -> Clinic:
        """Give a clinic a new name (audited, before and after)."""
        row = self._session.get(ClinicRow, clinic_id)
        if row is None:
            raise NotFoundError(f"clinic_id must be a recorded clinic; got {clinic_id!r}")
        taken = self._session.scalar(
            select(ClinicRow.id).where(ClinicRow.name == name, ClinicRow.id != clinic_id)
        )
        if taken is not None:
            raise DomainRuleError(f"name must be unique among clinics; got {name!r}, taken")
        before = row.name
        row.name = name
        self._audit.record(
            AuditAction.UPDATE,
            "clinic",
            clinic_id,
            {"before": {"name": before}, "after": {"name": name}},
        )
        self._session.flush()
        return _clinic(row)


# --------------------------------------------------------------------------------------------
# User accounts
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class UserAccount:
    """A user account as stored, without its password hash.

    Attributes
    ----------
    id : str
        Account id (``U-0001``); what the audit trail names as the actor.
    login : str
        Login name, lower-case.
    role : Role
    clinic_id : str or None
        The clinic (None only for an administrator of the whole installation).
    patient_code : str or None
        For a patient account, the patient it belongs to; None otherwise.
    created_at : datetime
    disabled_at : datetime or None
        When the account was disabled; a disabled account can neither sign in nor act.
    """

    id: str
    login: str
    role: Role
    clinic_id: str | None
    patient_code: str | None
    created_at: datetime
    disabled_at: datetime | None = None

    @property
    def active(self) -> bool:
        """Whether the account may sign in and act."""
        return self.disabled_at is None


def _user(row: UserAccountRow) -> UserAccount:
    return UserAccount(
        id=row.id,
        login=row.login,
        role=Role(row.role),
        clinic_id=row.clinic_id,
        patient_code=row.patient_code,
        created_at=row.created_at,
        disabled_at=row.disabled_at,
    )


def _user_detail(user: UserAccount) -> dict[str, Any]:
    # Neither the login name (it may be a person's name) nor anything about the password.
    return {"role": user.role.value, "clinic_id": user.clinic_id, "patient_code": user.patient_code}


class UserRepository(_Repository):
    """User accounts (audited; the password hash is never in an audit event)."""

    def add(self, user: UserAccount, /, *, password_hash: str) -> None:
        """Store a new account; DomainRuleError if the id, the login name or the patient's
        account is taken; NotFoundError for an unknown clinic or patient."""
        self._require_new(UserAccountRow, user.id, what="user")
        if user.login != user.login.lower():
            raise InvalidParameterError("login must be lower-case; got one with capitals")
        if self.by_login(user.login) is not None:
            raise DomainRuleError("login must be unique; got one that is taken")
        if user.clinic_id is not None and not self._exists(ClinicRow, user.clinic_id):
            raise NotFoundError(f"clinic_id must be a recorded clinic; got {user.clinic_id!r}")
        if user.patient_code is not None:
            self._require_patient(user.patient_code)
            taken = self._session.scalar(
                select(UserAccountRow.id).where(UserAccountRow.patient_code == user.patient_code)
            )
            if taken is not None:
                raise DomainRuleError(
                    f"patient_code must not have an account yet; got {user.patient_code!r}, "
                    f"which has {taken}"
                )
        self._session.add(
            UserAccountRow(
                id=user.id,
                login=user.login,
                role=user.role.value,
                clinic_id=user.clinic_id,
                patient_code=user.patient_code,
                password_hash=password_hash,
                created_at=user.created_at,
                disabled_at=user.disabled_at,
            )
        )
        self._audit.record(AuditAction.CREATE, "user_account", user.id, _user_detail(user))
        self._session.flush()

    def get(self, user_id: str, /) -> UserAccount:
        """The account ``user_id``; NotFoundError if none."""
        row = self._session.get(UserAccountRow, user_id)
        if row is None:
            raise NotFoundError(f"user_id must be a recorded user account; got {user_id!r}")
        return _user(row)

    def by_login(self, login: str, /) -> UserAccount | None:
        """The account with login name ``login`` (compared lower-case); None if none."""
        row = self._session.scalar(
            select(UserAccountRow).where(UserAccountRow.login == login.lower())
        )
        return None if row is None else _user(row)

    def for_patient(self, patient_code: str, /) -> UserAccount | None:
        """The sign-in account of patient ``patient_code``; None if the patient has none."""
        row = self._session.scalar(
            select(UserAccountRow).where(UserAccountRow.patient_code == patient_code)
        )
        return None if row is None else _user(row)

    def password_hash(self, user_id: str, /) -> str:
        """The stored password hash of ``user_id``."""
        row = self._session.get(UserAccountRow, user_id)
        if row is None:
            raise NotFoundError(f"user_id must be a recorded user account; got {user_id!r}")
        return row.password_hash

    def set_password_hash(self, user_id: str, password_hash: str, /, *, reason: str) -> None:
        """Replace the password hash (audited as an update saying ``reason``, e.g. ``changed``
        or ``rehashed``; never the hash)."""
        row = self._session.get(UserAccountRow, user_id)
        if row is None:
            raise NotFoundError(f"user_id must be a recorded user account; got {user_id!r}")
        row.password_hash = password_hash
        self._audit.record(AuditAction.UPDATE, "user_account", user_id, {"password": reason})
        self._session.flush()

    def disable(self, user_id: str, /) -> UserAccount:
        """Disable the account now (audited); disabling a disabled account changes nothing."""
        row = self._session.get(UserAccountRow, user_id)
        if row is None:
            raise NotFoundError(f"user_id must be a recorded user account; got {user_id!r}")
        if row.disabled_at is None:
            row.disabled_at = self._audit.now()
            self._audit.record(
                AuditAction.UPDATE,
                "user_account",
                user_id,
                {"disabled_at": row.disabled_at.isoformat()},
            )
            self._session.flush()
        return _user(row)

    def all(self, *, clinic_id: str | None = None, role: Role | None = None) -> list[UserAccount]:
        """Accounts by id, optionally of one clinic and/or one role."""
        query = select(UserAccountRow).order_by(UserAccountRow.id)
        if clinic_id is not None:
            query = query.where(UserAccountRow.clinic_id == clinic_id)
        if role is not None:
            query = query.where(UserAccountRow.role == role.value)
        return [_user(row) for row in self._session.scalars(query)]

    def count(self, *, role: Role | None = None) -> int:
        """How many accounts (of ``role``) are recorded, disabled ones included."""
        query = select(func.count()).select_from(UserAccountRow)
        if role is not None:
            query = query.where(UserAccountRow.role == role.value)
        return self._session.scalar(query) or 0


# --------------------------------------------------------------------------------------------
# Login attempts and web sessions (not patient data: not audited)
# --------------------------------------------------------------------------------------------


class LoginAttemptRepository:
    """Login attempts by login-name digest and client-address digest, for throttling."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(
        self,
        *,
        attempted_at: datetime,
        login_digest: str,
        address_digest: str | None,
        outcome: LoginOutcome,
    ) -> None:
        """Record one attempt (flushed)."""
        self._session.add(
            LoginAttemptRow(
                attempted_at=attempted_at,
                login_digest=login_digest,
                address_digest=address_digest,
                outcome=outcome.value,
            )
        )
        self._session.flush()

    def failures(
        self,
        *,
        since: datetime,
        login_digest: str | None = None,
        address_digest: str | None = None,
    ) -> list[datetime]:
        """Times of the failed attempts at or after ``since`` of one login name or one client
        address (exactly one of the two), oldest first."""
        if (login_digest is None) == (address_digest is None):
            raise InvalidParameterError(
                "failures needs exactly one of login_digest and address_digest; got "
                f"{'both' if login_digest is not None else 'neither'}"
            )
        query = select(LoginAttemptRow.attempted_at).where(
            LoginAttemptRow.outcome == LoginOutcome.FAILURE.value,
            LoginAttemptRow.attempted_at >= since,
        )
        if login_digest is not None:
            query = query.where(LoginAttemptRow.login_digest == login_digest)
        else:
            query = query.where(LoginAttemptRow.address_digest == address_digest)
        return list(self._session.scalars(query.order_by(LoginAttemptRow.attempted_at)))

    def last_success(self, *, login_digest: str) -> datetime | None:
        """When the login name last signed in successfully; None if never."""
        return self._session.scalar(
            select(func.max(LoginAttemptRow.attempted_at)).where(
                LoginAttemptRow.login_digest == login_digest,
                LoginAttemptRow.outcome == LoginOutcome.SUCCESS.value,
            )
        )

    def outcomes(self, *, login_digest: str) -> list[LoginOutcome]:
        """The outcomes of a login name's attempts, oldest first."""
        query = (
            select(LoginAttemptRow.outcome)
            .where(LoginAttemptRow.login_digest == login_digest)
            .order_by(LoginAttemptRow.attempted_at, LoginAttemptRow.id)
        )
        return [LoginOutcome(value) for value in self._session.scalars(query)]

    def purge(self, *, before: datetime) -> int:
        """Delete the attempts made before ``before``; how many were deleted."""
        result = self._session.execute(
            delete(LoginAttemptRow).where(LoginAttemptRow.attempted_at < before)
        )
        return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True, slots=True, kw_only=True)
class WebSession:
    """A server-side web session as stored (the token's digest, never the token)."""

    token_digest: str
    user_id: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    csrf_secret: str = field(repr=False)


def _web_session(row: WebSessionRow) -> WebSession:
    return WebSession(
        token_digest=row.token_digest,
        user_id=row.user_id,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        expires_at=row.expires_at,
        csrf_secret=row.csrf_secret,
    )


class WebSessionRepository:
    """Server-side web sessions keyed by the SHA-256 digest of their token."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, record: WebSession, /) -> None:
        """Store a new session (flushed)."""
        self._session.add(
            WebSessionRow(
                token_digest=record.token_digest,
                user_id=record.user_id,
                created_at=record.created_at,
                last_seen_at=record.last_seen_at,
                expires_at=record.expires_at,
                csrf_secret=record.csrf_secret,
            )
        )
        self._session.flush()

    def get(self, token_digest: str, /) -> WebSession | None:
        """The session with this token digest; None if none."""
        row = self._session.get(WebSessionRow, token_digest)
        return None if row is None else _web_session(row)

    def touch(self, token_digest: str, /, *, at: datetime) -> None:
        """Set the session's last activity to ``at``."""
        row = self._session.get(WebSessionRow, token_digest)
        if row is None:
            raise NotFoundError("token must be that of a current web session; got an unknown one")
        row.last_seen_at = at
        self._session.flush()

    def delete(self, token_digest: str, /) -> bool:
        """End one session; whether there was one."""
        row = self._session.get(WebSessionRow, token_digest)
        if row is None:
            return False
        self._session.delete(row)
        self._session.flush()
        return True

    def delete_for_user(self, user_id: str, /) -> int:
        """End every session of ``user_id``; how many."""
        result = self._session.execute(
            delete(WebSessionRow).where(WebSessionRow.user_id == user_id)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    def for_user(self, user_id: str, /) -> list[WebSession]:
        """The user's sessions, oldest first."""
        query = (
            select(WebSessionRow)
            .where(WebSessionRow.user_id == user_id)
            .order_by(WebSessionRow.created_at, WebSessionRow.token_digest)
        )
        return [_web_session(row) for row in self._session.scalars(query)]

    def purge(self, *, now: datetime, idle_since: datetime) -> int:
        """Delete the sessions past their expiry at ``now`` or idle since before
        ``idle_since``; how many."""
        result = self._session.execute(
            delete(WebSessionRow).where(
                or_(WebSessionRow.expires_at <= now, WebSessionRow.last_seen_at <= idle_since)
            )
        )
        return int(getattr(result, "rowcount", 0) or 0)


# --------------------------------------------------------------------------------------------
# All together
# --------------------------------------------------------------------------------------------


class Repositories:
    """Every repository on one database session, writing audit events as ``actor``.

    Parameters
    ----------
    session : sqlalchemy.orm.Session
        The unit of work (the caller commits: :func:`reeducate.store.engine.transaction`).
    actor : str
        Who makes the changes (a user or service id, never a patient's name), 1–64 characters.
    clock : callable returning datetime
        Time of each change, timezone-aware (default :func:`utc_now`).
    """

    def __init__(
        self, session: Session, /, *, actor: str, clock: Callable[[], datetime] = utc_now
    ) -> None:
        if not isinstance(actor, str) or not actor.strip() or len(actor) > _ACTOR_MAX:
            raise InvalidParameterError(
                f"actor must be non-empty text of at most {_ACTOR_MAX} characters; got {actor!r}"
            )
        self.session = session
        self.audit = AuditLog(session, actor=actor, clock=clock)
        self.patients = PatientRepository(session, self.audit)
        self.episodes = EpisodeRepository(session, self.audit)
        self.plans = PlanRepository(session, self.audit)
        self.prescriptions = PrescriptionRepository(session, self.audit)
        self.trials = BalanceTrialRepository(session, self.audit)
        self.sessions = SessionRepository(session, self.audit)
        self.outcome_scores = OutcomeScoreRepository(session, self.audit)
        self.decisions = ProgressionDecisionRepository(session, self.audit)
        self.clinics = ClinicRepository(session, self.audit)
        self.users = UserRepository(session, self.audit)
        self.login_attempts = LoginAttemptRepository(session)
        self.web_sessions = WebSessionRepository(session)

    def next_id(self, model: type[Any], prefix: str, /) -> str:
        """The next free id ``PREFIX-0001``, ``PREFIX-0002`` … of a table with a text ``id``.

        Ids of other shapes are ignored; numbers are zero-padded to 4 digits (more when
        needed), so ids of one prefix sort in the order they were made up to 9999.

        The database finds the highest number without every id being read into Python: for
        each length of id, longest first, the last id of that length in the index's order is
        the highest number of that length (digits of one length sort as numbers); a shorter
        length whose numbers cannot reach the best found is not looked at. When the ids at the
        top of a length are all of other shapes, every id is looked at, as before. The id is
        made inside the writer's transaction, which holds SQLite's write lock: reading every id
        (200,000 sessions: most of a session log's time) made every other writer wait.
        """
        if self.session.get_bind().dialect.name == "postgresql":
            # One transaction at a time makes ids, until it commits: under READ COMMITTED two
            # writers would read the same highest id and make the same next one. (SQLite's
            # writers hold its write lock from BEGIN IMMEDIATE already.)
            self.session.execute(select(func.pg_advisory_xact_lock(_ID_LOCK_KEY)))
        column = model.id
        pattern = f"{prefix}-%"
        start = len(prefix) + 1
        lengths = sorted(
            self.session.scalars(
                select(func.length(column)).where(column.like(pattern)).distinct()
            ),
            reverse=True,
        )
        best: int | None = None
        for length in lengths:
            if best is not None and best >= 10 ** (length - start):
                break  # every id this short holds a lower number
            top = list(
                self.session.scalars(
                    select(column)
                    .where(column.like(pattern), func.length(column) == length)
                    .order_by(column.desc())
                    .limit(_NEXT_ID_PROBE)
                )
            )
            found = next((int(v[start:]) for v in top if v[start:].isdigit()), None)
            if found is None and len(top) == _NEXT_ID_PROBE:
                best = None  # only other shapes at the top: look at every id
                break
            if found is not None:
                best = found if best is None else max(best, found)
        else:
            return f"{prefix}-{(best or 0) + 1:04d}"
        if best is not None:
            return f"{prefix}-{best + 1:04d}"
        query = select(column.cast(String)).where(column.like(pattern))
        numbers = [
            int(value[start:]) for value in self.session.scalars(query) if value[start:].isdigit()
        ]
        return f"{prefix}-{max(numbers, default=0) + 1:04d}"
