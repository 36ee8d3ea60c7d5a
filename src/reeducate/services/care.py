"""Episode-of-care use cases: patients, episodes, goals, plans, prescriptions, sessions,
outcome scores, progression recommendations and the therapist's decisions.

Each use case is one unit of work: it opens one transaction
(:func:`reeducate.store.engine.transaction`), checks everything, writes, and commits at the end;
any refusal raises one of the project's errors (naming the field, the constraint and what was
received) and rolls everything back, so **nothing is written**. Repositories never commit.

Nothing here reads a clock: ``today`` and the audit clock come from the caller
(:class:`CareStore`). Patients are named by their pseudonymous code (``P-0001``) in every result
and message; names and dates of birth are stored but never returned by a use case.

Record ids are made here, one prefix per kind, numbered in the order they are made:

========  =========================  ========  ==========================
prefix    record                     prefix    record
========  =========================  ========  ==========================
``E``     episode of care            ``S``     treatment session
``C``     plan of care               ``T``     balance trial
``G``     goal                       ``M``     outcome-measure score
``RX``    prescription               ``D``     progression decision
========  =========================  ========  ==========================

Examples
--------
>>> from datetime import UTC, date, datetime
>>> store = open_store("sqlite://", actor="pt-jones",
...                    clock=lambda: datetime(2025, 3, 3, 9, tzinfo=UTC))
>>> add_patient(store, name="Ada Example", date_of_birth=date(1950, 6, 1))
'P-0001'
>>> open_episode(store, patient_code="P-0001", start_date=date(2025, 3, 3),
...              diagnoses=["R26.81"], impairments=["balance"]).id
'E-0001'
>>> store.close()
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from reeducate.clinic.care import (
    RECERTIFICATION_MAX_DAYS,
    BalanceTrialRecord,
    EpisodeOfCare,
    Goal,
    GoalDirection,
    GoalMeasureKind,
    Patient,
    PatientIdentity,
    PlanOfCare,
    PrescribedExercise,
    Prescription,
    TreatmentSession,
    exercise_history,
    progress_report_due,
    recertification_due,
    trial_record_from_analysis,
)
from reeducate.clinic.exercises import Dose, ExerciseLibrary, load_library
from reeducate.clinic.outcomes import MEASURES
from reeducate.clinic.outcomes.base import Better
from reeducate.clinic.progression import (
    DecisionKind,
    PerceivedDifficulty,
    Quality,
    Recommendation,
    SessionRecord,
    SetRecord,
    TherapistDecision,
    WeeklyDose,
    apply_decision,
    recommend,
    recommend_needs_since,
    weekly_dose,
)
from reeducate.clinic.progression_rules import ProgressionRules, default_rules, load_rules
from reeducate.errors import DomainRuleError, InvalidParameterError, NotFoundError
from reeducate.store.clock import utc_now

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from reeducate.services.library import ScoreReport
    from reeducate.store.repositories import (
        ProgressionDecisionRecord,
        Repositories,
        StoredOutcomeScore,
    )

__all__ = [
    "CareStore",
    "DecisionResult",
    "ExerciseLog",
    "ExerciseProgress",
    "GoalSpec",
    "PatientOverview",
    "PatientSummary",
    "PlanOverview",
    "ProgressReport",
    "SessionLog",
    "TrialLog",
    "add_goal",
    "add_patient",
    "create_plan",
    "decide",
    "describe_dose",
    "list_patients",
    "log_session",
    "open_episode",
    "open_store",
    "patient_overview",
    "plan_overview",
    "prescribe",
    "progress",
    "progress_from",
    "progress_needs_since",
    "store_score",
]

#: Days before the re-certification due date from which ``progress`` warns.
RECERTIFICATION_WARNING_DAYS: Final = 14


# --------------------------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class CareStore:
    """Where the use cases write: a session factory, who writes (for the audit), the clock.

    Attributes
    ----------
    factory : sqlalchemy.orm.sessionmaker
        Sessions on the database; each use case runs one transaction on it.
    actor : str
        Who makes the changes (a therapist or service id, never a patient's name).
    clock : callable returning datetime
        The time of each change, timezone-aware.
    engine : sqlalchemy.Engine or None
        The engine to dispose of in :meth:`close` (None when the caller owns it).
    library : ExerciseLibrary or None
        The exercise library (None: the built-in one).
    """

    factory: sessionmaker[Session]
    actor: str
    clock: Callable[[], datetime] = utc_now
    engine: Engine | None = None
    library: ExerciseLibrary | None = field(default=None, repr=False)

    def exercises(self) -> ExerciseLibrary:
        """The exercise library in use."""
        return self.library if self.library is not None else load_library()

    def close(self) -> None:
        """Dispose of the engine (when the store made it)."""
        if self.engine is not None:
            self.engine.dispose()


def open_store(
    url: str | None = None,
    /,
    *,
    actor: str,
    clock: Callable[[], datetime] = utc_now,
    notify: Callable[[str], None] | None = None,
) -> CareStore:
    """Open the database, creating and migrating it on first use.

    Parameters
    ----------
    url : str or None
        A database URL; None: ``REEDUCATE_DATABASE_URL`` or the default SQLite file in the
        user's data directory (:func:`reeducate.store.settings.database_url`).
    actor : str
        Who makes the changes, for the audit trail (1–64 characters).
    clock : callable returning datetime
        Time of each change, timezone-aware.
    notify : callable or None
        Called once with a line of text when a SQLite file is created or a database is
        migrated (the CLI prints it on stderr).

    Raises
    ------
    InvalidParameterError
        A URL that is not a supported database, or a bad actor.
    """
    from sqlalchemy.engine import make_url

    from reeducate.store import migrate
    from reeducate.store.engine import create_engine_for, session_factory
    from reeducate.store.settings import database_url, normalize_url

    _check_actor(actor)
    resolved = normalize_url(url) if url is not None else database_url()
    parsed = make_url(resolved)
    new_file: Path | None = None
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(str(parsed.database)).expanduser()
        if not path.exists():
            new_file = path
    engine = create_engine_for(parsed)
    try:
        revision = migrate.current(engine)
        if revision != migrate.head():
            migrate.upgrade(engine)
            if notify is not None:
                if new_file is not None:
                    notify(f"created the database {new_file} (choose another with --database-url)")
                elif revision is not None:
                    notify(f"upgraded the database from revision {revision} to {migrate.head()}")
    except Exception:
        engine.dispose()
        raise
    return CareStore(factory=session_factory(engine), actor=actor, clock=clock, engine=engine)


def _check_actor(actor: object) -> str:
    if not isinstance(actor, str) or not actor.strip() or len(actor) > 64:
        raise InvalidParameterError(
            f"actor must be non-empty text of at most 64 characters; got {actor!r}"
        )
    return actor


class _Unit:
    """One transaction with the repositories (commit at the end, roll back on any error)."""

    def __init__(self, store: CareStore, *, read_only: bool) -> None:
        self._store = store
        self._read_only = read_only
        self._context: Any = None

    def __enter__(self) -> Repositories:
        from reeducate.store.engine import transaction
        from reeducate.store.repositories import Repositories

        self._context = transaction(self._store.factory, read_only=self._read_only)
        session = self._context.__enter__()
        return Repositories(session, actor=self._store.actor, clock=self._store.clock)

    def __exit__(self, *exc: Any) -> bool | None:
        result: bool | None = self._context.__exit__(*exc)
        return result


def _read(store: CareStore) -> _Unit:
    """A unit of work that only reads (on SQLite a snapshot that never waits for a writer)."""
    return _Unit(store, read_only=True)


def _write(store: CareStore) -> _Unit:
    """A unit of work that writes (on SQLite it takes the write lock when it begins)."""
    return _Unit(store, read_only=False)


def _model(name: str) -> type[Any]:
    from reeducate.store import models

    model: type[Any] = getattr(models, name)
    return model


# --------------------------------------------------------------------------------------------
# Lookups shared by the use cases
# --------------------------------------------------------------------------------------------


def _patient(repos: Repositories, code: str) -> Patient:
    if not isinstance(code, str):
        raise InvalidParameterError(f"patient_code must be text like 'P-0001'; got {code!r}")
    return repos.patients.get(code)


def _episode(repos: Repositories, patient_code: str, episode_id: str | None) -> EpisodeOfCare:
    """The episode named, or the patient's latest one."""
    _patient(repos, patient_code)
    if episode_id is not None:
        episode = repos.episodes.get(episode_id)
        if episode.patient_code != patient_code:
            raise NotFoundError(
                f"episode_id must be an episode of {patient_code}; got {episode_id!r}"
            )
        return episode
    episodes = repos.episodes.for_patient(patient_code)
    if not episodes:
        raise NotFoundError(
            f"patient_code {patient_code} must have an episode of care; got none "
            "(open one with 'reeducate episode open')"
        )
    return episodes[-1]


def _plan(repos: Repositories, episode: EpisodeOfCare, plan_id: str | None) -> PlanOfCare:
    """The plan named, or the episode's latest one."""
    if plan_id is not None:
        plan = repos.plans.get(plan_id)
        if plan.episode_id != episode.id:
            raise NotFoundError(f"plan_id must be a plan of episode {episode.id}; got {plan_id!r}")
        return plan
    plans = repos.plans.for_episode(episode.id)
    if not plans:
        raise NotFoundError(
            f"episode {episode.id} of {episode.patient_code} must have a plan of care; got none "
            "(create one with 'reeducate plan create')"
        )
    return plans[-1]


def _check_variant(library: ExerciseLibrary, variant_id: object, field_name: str) -> str:
    if not isinstance(variant_id, str) or variant_id not in library:
        raise NotFoundError(
            f"{field_name} must be an exercise of the library (see 'reeducate exercises "
            f"search'); got unknown {variant_id!r}"
        )
    return variant_id


def describe_dose(dose: Dose, /) -> str:
    """A dose in words, e.g. ``"3 × 30 s hold, rest 30 s, 5×/week"``.

    Examples
    --------
    >>> describe_dose(Dose(sets=3, reps=10, hold_s=5, rest_s=60, sessions_per_week=3))
    '3 × 10 reps with 5 s hold, rest 60 s, 3×/week'
    """
    if dose.reps is not None and dose.hold_s is not None:
        what = f"{dose.reps} reps with {dose.hold_s:g} s hold"
    elif dose.reps is not None:
        what = f"{dose.reps} reps"
    else:
        what = f"{dose.hold_s:g} s hold"
    text = f"{dose.sets} × {what}, rest {dose.rest_s:g} s, {dose.sessions_per_week}×/week"
    return f"{text}, tempo {dose.tempo}" if dose.tempo else text


def _dose_dict(dose: Dose) -> dict[str, Any]:
    return {
        "sets": dose.sets,
        "reps": dose.reps,
        "hold_s": dose.hold_s,
        "rest_s": dose.rest_s,
        "sessions_per_week": dose.sessions_per_week,
        "tempo": dose.tempo,
    }


# --------------------------------------------------------------------------------------------
# Patients
# --------------------------------------------------------------------------------------------


def add_patient(
    store: CareStore,
    /,
    *,
    name: str,
    date_of_birth: date,
    code: str | None = None,
    clinic_id: str | None = None,
) -> str:
    """Record a new patient and return the pseudonymous code (the next free one by default).

    The name and date of birth are stored apart from every clinical record and never returned.
    The patient belongs to ``clinic_id`` (None: the default clinic ``CL-0001``, where the CLI
    puts its patients).

    Raises
    ------
    InvalidParameterError
        A bad code, name or date of birth (the message never quotes the name or date).
    DomainRuleError
        The code is taken.
    """
    identity = PatientIdentity(name=name, date_of_birth=date_of_birth)
    with _write(store) as repos:
        patient = Patient(code=code or repos.patients.next_code(), identity=identity)
        if clinic_id is None:
            repos.patients.add(patient)
        else:
            repos.patients.add(patient, clinic_id=clinic_id)
    return patient.code


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientSummary:
    """One patient in a list: code, latest episode, how many sessions (no identifying data)."""

    code: str
    episode_id: str | None
    episode_start: date | None
    diagnoses: tuple[str, ...]
    sessions: int
    last_session: date | None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {
            "code": self.code,
            "episode_id": self.episode_id,
            "episode_start": None if self.episode_start is None else self.episode_start.isoformat(),
            "diagnoses": list(self.diagnoses),
            "sessions": self.sessions,
            "last_session": None if self.last_session is None else self.last_session.isoformat(),
        }


def list_patients(store: CareStore, /, *, clinic_id: str | None = None) -> list[PatientSummary]:
    """The patients of ``clinic_id`` (None: of every clinic), by code."""
    out: list[PatientSummary] = []
    with _read(store) as repos:
        for code in repos.patients.codes(clinic_id=clinic_id):
            episodes = repos.episodes.for_patient(code)
            sessions = repos.sessions.for_patient(code)
            latest = episodes[-1] if episodes else None
            out.append(
                PatientSummary(
                    code=code,
                    episode_id=None if latest is None else latest.id,
                    episode_start=None if latest is None else latest.start_date,
                    diagnoses=() if latest is None else latest.diagnoses,
                    sessions=len(sessions),
                    last_session=sessions[-1].session_date if sessions else None,
                )
            )
    return out


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientOverview:
    """A patient's record without identifying data: episodes, plan, prescription, sessions,
    outcome scores and progression decisions."""

    code: str
    identity_recorded: bool
    episodes: tuple[EpisodeOfCare, ...]
    plan: PlanOverview | None
    sessions: tuple[TreatmentSession, ...]
    scores: tuple[StoredOutcomeScore, ...]
    decisions: tuple[ProgressionDecisionRecord, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {
            "code": self.code,
            "identity_recorded": self.identity_recorded,
            "episodes": [
                {
                    "id": e.id,
                    "start_date": e.start_date.isoformat(),
                    "end_date": None if e.end_date is None else e.end_date.isoformat(),
                    "diagnoses": list(e.diagnoses),
                    "impairments": sorted(e.impairments),
                }
                for e in self.episodes
            ],
            "plan": None if self.plan is None else self.plan.to_dict(),
            "sessions": [
                {
                    "id": s.id,
                    "date": s.session_date.isoformat(),
                    "setting": str(s.setting),
                    "sequence": s.sequence,
                    "exercises": [x.variant_id for x in s.exercises],
                    "minutes_by_code": dict(s.minutes_by_code),
                    "trial_ids": list(s.trial_ids),
                }
                for s in self.sessions
            ],
            "scores": [
                {
                    "id": m.id,
                    "measure": m.measure,
                    "scored_on": m.scored_on.isoformat(),
                    "total": m.total,
                    "unit": m.unit,
                    "flags": list(m.flags),
                    "scored_by": m.scored_by,
                }
                for m in self.scores
            ],
            "decisions": [_decision_dict(d) for d in self.decisions],
        }


def patient_overview(store: CareStore, patient_code: str, /, *, today: date) -> PatientOverview:
    """Everything recorded for a patient, without the name or date of birth."""
    with _read(store) as repos:
        patient = _patient(repos, patient_code)
        episodes = tuple(repos.episodes.for_patient(patient_code))
        plan = None
        if episodes and repos.plans.for_episode(episodes[-1].id):
            plan = _plan_overview(repos, episodes[-1], None, today=today)
        return PatientOverview(
            code=patient.code,
            identity_recorded=patient.identity is not None,
            episodes=episodes,
            plan=plan,
            sessions=tuple(repos.sessions.for_patient(patient_code)),
            scores=tuple(repos.outcome_scores.for_patient(patient_code)),
            decisions=tuple(repos.decisions.for_patient(patient_code)),
        )


# --------------------------------------------------------------------------------------------
# Episodes, goals, plans
# --------------------------------------------------------------------------------------------


def open_episode(
    store: CareStore,
    /,
    *,
    patient_code: str,
    start_date: date,
    diagnoses: Sequence[str],
    impairments: Iterable[str],
) -> EpisodeOfCare:
    """Open an episode of care (ICD-10 diagnoses, NMR impairments) for a recorded patient."""
    with _write(store) as repos:
        _patient(repos, patient_code)
        episode = EpisodeOfCare(
            id=repos.next_id(_model("EpisodeRow"), "E"),
            patient_code=patient_code,
            start_date=start_date,
            diagnoses=tuple(diagnoses),
            impairments=frozenset(impairments),  # type: ignore[arg-type]  # checked by the record
        )
        repos.episodes.add(episode)
    return episode


@dataclass(frozen=True, slots=True, kw_only=True)
class GoalSpec:
    """A goal as typed: what, measured with what, from where to where, by when.

    ``measure`` is an outcome-measure id (``tug``, ``bbs``; the direction follows the measure:
    a lower TUG is better) or a metric name ending in its unit (``single_leg_stance_s``; the
    direction follows from the target being above or below the baseline).
    """

    description: str
    measure: str
    baseline_value: float
    target_value: float
    target_date: date
    baseline_date: date | None = None


def _goal(spec: GoalSpec, *, goal_id: str, default_baseline_date: date) -> Goal:
    if spec.measure in MEASURES:
        kind = GoalMeasureKind.OUTCOME_MEASURE
        better = MEASURES[spec.measure].better
        direction = GoalDirection.INCREASE if better is Better.HIGHER else GoalDirection.DECREASE
    else:
        kind = GoalMeasureKind.METRIC
        direction = (
            GoalDirection.INCREASE
            if spec.target_value > spec.baseline_value
            else GoalDirection.DECREASE
        )
    return Goal(
        id=goal_id,
        description=spec.description,
        measure_kind=kind,
        measure=spec.measure,
        direction=direction,
        baseline_value=spec.baseline_value,
        target_value=spec.target_value,
        baseline_date=spec.baseline_date or default_baseline_date,
        target_date=spec.target_date,
    )


def create_plan(
    store: CareStore,
    /,
    *,
    patient_code: str,
    start_date: date,
    frequency_per_week: int,
    duration_weeks: int,
    certification_date: date,
    goal: GoalSpec,
    recertification_due_date: date | None = None,
    episode_id: str | None = None,
) -> PlanOfCare:
    """Create the plan of care of the patient's (latest) episode, with its first goal.

    ``recertification_due_date`` defaults to the plan's last day or
    :data:`~reeducate.clinic.care.RECERTIFICATION_MAX_DAYS` (90) days after certification,
    whichever comes first. More goals: :func:`add_goal`.
    """
    with _write(store) as repos:
        episode = _episode(repos, patient_code, episode_id)
        first_goal = _goal(
            goal, goal_id=repos.next_id(_model("GoalRow"), "G"), default_baseline_date=start_date
        )
        if recertification_due_date is None:
            latest = certification_date + timedelta(days=RECERTIFICATION_MAX_DAYS)
            last_day = start_date + timedelta(weeks=duration_weeks, days=-1)
            recertification_due_date = min(latest, max(last_day, certification_date + timedelta(1)))
        plan = PlanOfCare(
            id=repos.next_id(_model("PlanOfCareRow"), "C"),
            episode_id=episode.id,
            start_date=start_date,
            frequency_per_week=frequency_per_week,
            duration_weeks=duration_weeks,
            certification_date=certification_date,
            recertification_due_date=recertification_due_date,
            goals=(first_goal,),
        )
        repos.plans.add(plan)
    return plan


def add_goal(
    store: CareStore, /, *, patient_code: str, goal: GoalSpec, plan_id: str | None = None
) -> Goal:
    """Add a measurable goal to the patient's current plan of care."""
    with _write(store) as repos:
        episode = _episode(repos, patient_code, None)
        plan = _plan(repos, episode, plan_id)
        record = _goal(
            goal,
            goal_id=repos.next_id(_model("GoalRow"), "G"),
            default_baseline_date=plan.start_date,
        )
        repos.plans.add_goal(plan.id, record)
    return record


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanOverview:
    """A plan with its goals, the prescription in force, visits and plan alerts."""

    patient_code: str
    episode: EpisodeOfCare
    plan: PlanOfCare
    prescription: Prescription | None
    exercise_names: Mapping[str, str]
    visits: int
    alerts: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        plan = self.plan
        return {
            "patient_code": self.patient_code,
            "episode_id": self.episode.id,
            "plan_id": plan.id,
            "start_date": plan.start_date.isoformat(),
            "end_date": plan.end_date.isoformat(),
            "frequency_per_week": plan.frequency_per_week,
            "duration_weeks": plan.duration_weeks,
            "certification_date": plan.certification_date.isoformat(),
            "recertification_due_date": plan.recertification_due_date.isoformat(),
            "progress_report_interval_visits": plan.progress_report_interval_visits,
            "visits": self.visits,
            "goals": [
                {
                    "id": g.id,
                    "description": g.description,
                    "measure": g.measure,
                    "measure_kind": str(g.measure_kind),
                    "direction": str(g.direction),
                    "baseline_value": g.baseline_value,
                    "target_value": g.target_value,
                    "baseline_date": g.baseline_date.isoformat(),
                    "target_date": g.target_date.isoformat(),
                }
                for g in plan.goals
            ],
            "prescription": None
            if self.prescription is None
            else {
                "id": self.prescription.id,
                "start_date": self.prescription.start_date.isoformat(),
                "exercises": [
                    {
                        "variant_id": x.variant_id,
                        "name": self.exercise_names.get(x.variant_id, x.variant_id),
                        "dose": _dose_dict(x.dose),
                    }
                    for x in self.prescription.exercises
                ],
            },
            "alerts": list(self.alerts),
        }


def _visits(repos: Repositories, plan: PlanOfCare, *, today: date) -> int:
    """Treatment visits under ``plan`` through ``today``, counted by the database (what
    :func:`~reeducate.clinic.care.count_treatment_visits` counts, without reading sessions)."""
    return repos.sessions.treatment_visits(plan.episode_id, since=plan.start_date, until=today)


def _plan_alerts(plan: PlanOfCare, visits: int, *, today: date) -> tuple[int, list[str]]:
    interval = plan.progress_report_interval_visits
    alerts: list[str] = []
    last_report = max(0, (visits - 1) // interval * interval)
    if visits and progress_report_due(plan, visits, last_report_at_visit=last_report):
        alerts.append(
            f"progress report due: {visits} treatment visits under plan {plan.id} "
            f"(one at least every {interval} visits; Medicare BPM ch. 15 §220.3D)"
        )
    due = plan.recertification_due_date
    if recertification_due(plan, on=today):
        alerts.append(
            f"re-certification due: the plan of care had to be re-certified by "
            f"{due.isoformat()} (at least every 90 days; Medicare BPM ch. 15 §220.1.3)"
        )
    elif (due - today).days <= RECERTIFICATION_WARNING_DAYS:
        alerts.append(f"re-certification due on {due.isoformat()}, in {(due - today).days} days")
    if today > plan.end_date:
        alerts.append(f"the plan ended on {plan.end_date.isoformat()}: update or discharge")
    return visits, alerts


def _plan_overview(
    repos: Repositories, episode: EpisodeOfCare, plan_id: str | None, *, today: date
) -> PlanOverview:
    plan = _plan(repos, episode, plan_id)
    visits, alerts = _plan_alerts(plan, _visits(repos, plan, today=today), today=today)
    prescription = repos.prescriptions.current(plan.id, on=today)
    names: dict[str, str] = {}
    if prescription is not None:
        library = load_library()
        names = {
            x.variant_id: library.get(x.variant_id).name
            for x in prescription.exercises
            if x.variant_id in library
        }
    return PlanOverview(
        patient_code=episode.patient_code,
        episode=episode,
        plan=plan,
        prescription=prescription,
        exercise_names=names,
        visits=visits,
        alerts=tuple(alerts),
    )


def plan_overview(
    store: CareStore, patient_code: str, /, *, today: date, plan_id: str | None = None
) -> PlanOverview:
    """The patient's current plan: goals, the prescription in force on ``today``, alerts."""
    with _read(store) as repos:
        episode = _episode(repos, patient_code, None)
        return _plan_overview(repos, episode, plan_id, today=today)


# --------------------------------------------------------------------------------------------
# Prescriptions
# --------------------------------------------------------------------------------------------


def prescribe(
    store: CareStore,
    /,
    *,
    patient_code: str,
    variant_id: str,
    start_date: date,
    dose: Dose | None = None,
    plan_id: str | None = None,
) -> Prescription:
    """Prescribe an exercise variant with its dose (default: the library's) from ``start_date``.

    The prescription in force is copied with the variant added (or its dose replaced), and the
    copy takes effect on ``start_date``: earlier sessions keep the prescription they had.

    Raises
    ------
    NotFoundError
        Unknown patient, episode, plan or exercise id.
    InvalidParameterError
        An impossible dose (from :class:`~reeducate.clinic.exercises.Dose`).
    DomainRuleError
        ``start_date`` before the plan began.
    """
    library = store.exercises()
    with _write(store) as repos:
        episode = _episode(repos, patient_code, None)
        plan = _plan(repos, episode, plan_id)
        _check_variant(library, variant_id, "variant_id")
        if start_date < plan.start_date:
            raise DomainRuleError(
                f"start_date must not be before the plan of care began "
                f"({plan.start_date.isoformat()}); got {start_date.isoformat()}"
            )
        chosen = dose if dose is not None else library.get(variant_id).dose
        current = repos.prescriptions.current(plan.id, on=start_date)
        kept = (
            [] if current is None else [x for x in current.exercises if x.variant_id != variant_id]
        )
        prescription = Prescription(
            id=repos.next_id(_model("PrescriptionRow"), "RX"),
            plan_id=plan.id,
            start_date=start_date,
            exercises=(*kept, PrescribedExercise(variant_id=variant_id, dose=chosen)),
        )
        repos.prescriptions.add(prescription, library=library)
    return prescription


def _current_prescription(repos: Repositories, plan: PlanOfCare, on: date) -> Prescription:
    prescription = repos.prescriptions.current(plan.id, on=on)
    if prescription is None:
        raise NotFoundError(
            f"plan {plan.id} must have a prescription in force on {on.isoformat()}; got none "
            "(add exercises with 'reeducate plan prescribe')"
        )
    return prescription


def _prescribed_on(prescriptions: Sequence[Prescription], variant_id: str, on: date) -> date:
    """The first day of the unbroken run of prescriptions, up to ``on``, holding the variant
    (``prescriptions``: the plan's, in the order they took effect)."""
    since = on
    for prescription in reversed([p for p in prescriptions if p.start_date <= on]):
        if all(x.variant_id != variant_id for x in prescription.exercises):
            break
        since = prescription.start_date
    return since


# --------------------------------------------------------------------------------------------
# Sessions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ExerciseLog:
    """One exercise as done, as typed on the command line or in a session file.

    Targets left out come from the prescription in force on the session's date: the sets, and
    the repetitions or hold of the prescribed dose. ``reps_done`` / ``hold_done_s`` hold one
    value per set done (at most the sets prescribed); ``losses_of_balance`` one per set, or
    none (0 in every set).
    """

    variant_id: str
    reps_done: tuple[int, ...] | None = None
    hold_done_s: tuple[float, ...] | None = None
    sets_prescribed: int | None = None
    reps_target: int | None = None
    reps_target_min: int | None = None
    hold_target_s: float | None = None
    load_kg: float | None = None
    losses_of_balance: tuple[int, ...] = ()
    difficulty: float | None = None
    difficulty_scale: str = "balance_1_5"
    difficulty_rater: str = "patient"
    quality_score: float | None = None
    quality_scale_max: float = 1.0
    quality_source: str = "therapist_rating"
    quality_method: str | None = None
    pain_before_nprs: int | None = None
    pain_during_nprs: int | None = None
    pain_after_nprs: int | None = None
    symptoms_before: tuple[str, ...] = ()
    symptoms_during: tuple[str, ...] = ()
    symptoms_after: tuple[str, ...] = ()
    balance_event: str = "none"
    assistance: str = "independent"
    duration_min: float | None = None
    cues: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class TrialLog:
    """A balance recording to analyse and attach to the session."""

    path: Path
    condition: str | None = None
    preset: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionLog:
    """A clinic or home session as typed: date, setting, exercises, minutes per code, trials."""

    patient_code: str
    session_date: date
    setting: str = "clinic"
    sequence: int = 1
    exercises: tuple[ExerciseLog, ...]
    minutes_by_code: Mapping[str, int] = field(default_factory=dict)
    trials: tuple[TrialLog, ...] = ()
    note: str | None = None
    started_at: datetime | None = None
    episode_id: str | None = None


def _sets(index: int, log: ExerciseLog, dose: Dose | None) -> tuple[int, tuple[SetRecord, ...]]:
    where = f"exercises[{index}]"
    if log.reps_done is None and log.hold_done_s is None:
        raise InvalidParameterError(
            f"{where}: reps_done or hold_done_s must be given (one value per set done); got neither"
        )
    counts = {len(v) for v in (log.reps_done, log.hold_done_s) if v is not None}
    if len(counts) > 1:
        raise InvalidParameterError(
            f"{where}: reps_done and hold_done_s must have one value per set each; got "
            f"{len(log.reps_done or ())} and {len(log.hold_done_s or ())}"
        )
    n_sets = counts.pop()
    if n_sets == 0:
        raise InvalidParameterError(f"{where}: at least one set must be given; got none")
    reps_target = log.reps_target
    hold_target = log.hold_target_s
    if log.reps_done is not None and reps_target is None:
        reps_target = None if dose is None else dose.reps
        if reps_target is None:
            raise InvalidParameterError(
                f"{where}.reps_target must be given: {log.variant_id} has no prescribed "
                "repetitions in force on the session's date; got none"
            )
    if log.hold_done_s is not None and hold_target is None:
        hold_target = None if dose is None else dose.hold_s
        if hold_target is None:
            raise InvalidParameterError(
                f"{where}.hold_target_s must be given: {log.variant_id} has no prescribed hold "
                "in force on the session's date; got none"
            )
    losses = log.losses_of_balance or (0,) * n_sets
    if len(losses) != n_sets:
        raise InvalidParameterError(
            f"{where}.losses_of_balance must have one value per set ({n_sets}); got {len(losses)}"
        )
    sets = tuple(
        SetRecord(
            reps_target=reps_target if log.reps_done is not None else None,
            reps_target_min=log.reps_target_min if log.reps_done is not None else None,
            reps_done=None if log.reps_done is None else log.reps_done[k],
            hold_target_s=hold_target if log.hold_done_s is not None else None,
            hold_done_s=None if log.hold_done_s is None else log.hold_done_s[k],
            load_kg=log.load_kg,
            losses_of_balance=losses[k],
        )
        for k in range(n_sets)
    )
    prescribed = log.sets_prescribed
    if prescribed is None:
        prescribed = max(n_sets, dose.sets) if dose is not None else n_sets
    return prescribed, sets


def _exercise_record(
    index: int, log: ExerciseLog, session: SessionLog, dose: Dose | None
) -> SessionRecord:
    prescribed, sets = _sets(index, log, dose)
    difficulty = (
        None
        if log.difficulty is None
        else PerceivedDifficulty(
            scale=log.difficulty_scale,  # type: ignore[arg-type]  # checked by the record
            value=log.difficulty,
            rater=log.difficulty_rater,  # type: ignore[arg-type]
        )
    )
    quality = (
        None
        if log.quality_score is None
        else Quality(
            source=log.quality_source,  # type: ignore[arg-type]
            score=log.quality_score,
            scale_max=(
                int(log.quality_scale_max)
                if float(log.quality_scale_max).is_integer()
                else log.quality_scale_max
            ),
            method=log.quality_method,
        )
    )
    return SessionRecord(
        variant_id=log.variant_id,
        session_date=session.session_date,
        sequence=session.sequence,
        setting=session.setting,  # type: ignore[arg-type]
        sets_prescribed=prescribed,
        sets=sets,
        difficulty=difficulty,
        quality=quality,
        pain_before_nprs=log.pain_before_nprs,
        pain_during_nprs=log.pain_during_nprs,
        pain_after_nprs=log.pain_after_nprs,
        symptoms_before=frozenset(log.symptoms_before),  # type: ignore[arg-type]
        symptoms_during=frozenset(log.symptoms_during),  # type: ignore[arg-type]
        symptoms_after=frozenset(log.symptoms_after),  # type: ignore[arg-type]
        balance_event=log.balance_event,  # type: ignore[arg-type]
        assistance=log.assistance,  # type: ignore[arg-type]
        duration_min=log.duration_min,
    )


def _analyse_trials(trials: Sequence[TrialLog]) -> list[Any]:
    """Analyse the recordings before anything is written (a bad file writes nothing)."""
    if not trials:
        return []
    from reeducate.balance.preset_names import DEFAULT_PRESET
    from reeducate.services.balance import AnalysisRequest, analyze_path, parse_condition

    analyses = []
    for i, trial in enumerate(trials):
        conditions = (
            {}
            if trial.condition is None
            else {
                trial.path.name: parse_condition(
                    trial.condition, field_name=f"trials[{i}].condition"
                )
            }
        )
        request = AnalysisRequest(preset=trial.preset or DEFAULT_PRESET, conditions=conditions)
        analysis, _extra = analyze_path(trial.path, request=request)
        analyses.append(analysis)
    return analyses


def _display_traces(analyses: Sequence[Any]) -> list[Any]:
    """Each analysed trial's CoP decimated for display (stored with the trial in the same
    transaction, for the chart's figures only: the metrics were computed on the full signal)."""
    if not analyses:
        return []
    from reeducate.balance.display import DISPLAY_MAX_RATE_HZ, display_trace

    return [display_trace(a.trial, max_rate_hz=DISPLAY_MAX_RATE_HZ) for a in analyses]


def log_session(store: CareStore, log: SessionLog, /) -> TreatmentSession:
    """Record a clinic or home session (and analyse and attach its balance recordings).

    Each recording is analysed on its full signal before anything is written; its metrics and
    its CoP decimated for display (:mod:`reeducate.balance.display`) are stored with the
    session, in one transaction.

    Raises
    ------
    NotFoundError
        Unknown patient, episode or exercise id.
    InvalidParameterError
        A value out of range (pain outside 0–10, an impossible set, minutes, difficulty...).
    DomainRuleError
        A date before the episode began, a duplicate session, minutes on a home session.
    """
    library = store.exercises()
    for i, item in enumerate(log.exercises):
        _check_variant(library, item.variant_id, f"exercises[{i}].variant_id")
    analyses = _analyse_trials(log.trials)
    traces = _display_traces(analyses)
    with _write(store) as repos:
        episode = _episode(repos, log.patient_code, log.episode_id)
        if log.session_date < episode.start_date:  # before the defaults are looked up
            raise DomainRuleError(
                "session_date must not be before the episode began "
                f"({episode.start_date.isoformat()}); got {log.session_date.isoformat()}"
            )
        plans = [p for p in repos.plans.for_episode(episode.id) if p.start_date <= log.session_date]
        prescription = (
            None if not plans else repos.prescriptions.current(plans[-1].id, on=log.session_date)
        )
        records = tuple(
            _exercise_record(
                i,
                item,
                log,
                None
                if prescription is None
                or all(x.variant_id != item.variant_id for x in prescription.exercises)
                else prescription.dose_for(item.variant_id),
            )
            for i, item in enumerate(log.exercises)
        )
        trial_ids: list[str] = []
        trial_model = _model("BalanceTrialRow")
        recorded_at = log.started_at or datetime.combine(log.session_date, time(0), tzinfo=UTC)
        pending: list[BalanceTrialRecord] = []
        for analysis in analyses:
            number = int(repos.next_id(trial_model, "T")[2:]) + len(pending)
            pending.append(
                trial_record_from_analysis(
                    analysis,
                    id=f"T-{number:04d}",
                    patient_code=log.patient_code,
                    recorded_at=recorded_at,
                )
            )
            trial_ids.append(pending[-1].id)
        session = TreatmentSession(
            id=repos.next_id(_model("SessionRow"), "S"),
            patient_code=log.patient_code,
            episode_id=episode.id,
            session_date=log.session_date,
            setting=log.setting,  # type: ignore[arg-type]  # checked by the record
            sequence=log.sequence,
            exercises=records,
            cues={item.variant_id: item.cues for item in log.exercises if item.cues},
            minutes_by_code=log.minutes_by_code,
            trial_ids=tuple(trial_ids),
            started_at=log.started_at,
            note=log.note,
        )
        _refuse_same_sequence_elsewhere(repos, session)
        for record, trace in zip(pending, traces, strict=True):
            repos.trials.add(record, trace=trace)
        repos.sessions.add(session, library=library)
    return session


def _refuse_same_sequence_elsewhere(repos: Repositories, session: TreatmentSession) -> None:
    """The progression engine tells sessions of a day apart by their sequence: the same
    exercise at home and in the clinic on one day needs two sequence numbers."""
    done = {item.variant_id: i for i, item in enumerate(session.exercises)}
    for other in repos.sessions.for_patient(
        session.patient_code, since=session.session_date, until=session.session_date
    ):
        if other.setting is session.setting or other.sequence != session.sequence:
            continue
        for item in other.exercises:
            if item.variant_id in done:
                raise DomainRuleError(
                    f"exercises[{done[item.variant_id]}].variant_id must not repeat an exercise "
                    f"already recorded for {session.patient_code} on "
                    f"{session.session_date.isoformat()} as session {other.sequence} of the day "
                    f"({other.setting}, {other.id}); got {item.variant_id!r} (a duplicate "
                    f"session: give the second one --sequence {other.sequence + 1})"
                )


# --------------------------------------------------------------------------------------------
# Outcome measures
# --------------------------------------------------------------------------------------------


def store_score(
    store: CareStore, report: ScoreReport, /, *, patient_code: str, scored_on: date
) -> StoredOutcomeScore:
    """Store a scored outcome measure (from :func:`reeducate.services.library.score_measure`)
    in a patient's record; the scorer is the store's actor.

    Raises
    ------
    NotFoundError
        Unknown patient.
    DomainRuleError
        ``scored_on`` before the patient's first episode began.
    """
    from reeducate.store.repositories import StoredOutcomeScore

    with _write(store) as repos:
        _patient(repos, patient_code)
        episodes = repos.episodes.for_patient(patient_code)
        if episodes and scored_on < episodes[0].start_date:
            raise DomainRuleError(
                f"scored_on must not be before the episode began "
                f"({episodes[0].start_date.isoformat()}); got {scored_on.isoformat()}"
            )
        record = StoredOutcomeScore(
            id=repos.next_id(_model("OutcomeScoreRow"), "M"),
            patient_code=patient_code,
            measure=report.measure,
            scored_on=scored_on,
            items={k: float(v) for k, v in report.items.items()},
            total=float(report.total),
            unit=report.unit,
            interpretation=tuple(str(i) for i in report.outcome.interpretation),
            flags=tuple(report.flags),
            missing_items=tuple(report.missing_items),
            context=dict(report.context),
            scored_by=store.actor,
            recorded_at=repos.audit.now(),
        )
        repos.outcome_scores.add(record)
    return record


# --------------------------------------------------------------------------------------------
# Progress and decisions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ExerciseProgress:
    """The recommendation for one prescribed exercise, with what it was based on."""

    variant_id: str
    name: str
    dose: Dose
    prescribed_on: date
    sessions_used: int
    recommendation: Recommendation
    target_name: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        rec = self.recommendation
        return {
            "variant_id": self.variant_id,
            "name": self.name,
            "dose": _dose_dict(self.dose),
            "prescribed_on": self.prescribed_on.isoformat(),
            "sessions_used": self.sessions_used,
            "decision": str(rec.decision),
            "rule": str(rec.rule),
            "target_variant_id": rec.target_variant_id,
            "target_name": self.target_name,
            "dimension": None if rec.dimension is None else str(rec.dimension),
            "level_from": None if rec.level_from is None else str(rec.level_from),
            "level_to": None if rec.level_to is None else str(rec.level_to),
            "dose_change": None if rec.dose_change is None else rec.dose_change.describe(),
            "evidence": rec.evidence,
            "flag_for_therapist": rec.flag_for_therapist,
            "suggested_families": list(rec.suggested_families),
            "data_points": [
                {
                    "session_date": p.session_date.isoformat(),
                    "sequence": p.sequence,
                    "variant_id": p.variant_id,
                    "criterion": str(p.criterion),
                    "value": p.value,
                    "ok": p.ok,
                }
                for p in rec.data_points
            ],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class ProgressReport:
    """Recommendations for every prescribed exercise, the weekly dose and the plan alerts."""

    patient_code: str
    on: date
    episode_id: str
    plan_id: str
    prescription_id: str
    exercises: tuple[ExerciseProgress, ...]
    weekly: WeeklyDose
    visits: int
    alerts: tuple[str, ...]
    rules_source: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        w = self.weekly
        return {
            "patient_code": self.patient_code,
            "on": self.on.isoformat(),
            "episode_id": self.episode_id,
            "plan_id": self.plan_id,
            "prescription_id": self.prescription_id,
            "rules": self.rules_source,
            "exercises": [x.to_dict() for x in self.exercises],
            "weekly_dose": {
                "week_start": w.week_start.isoformat(),
                "week_end": w.week_end.isoformat(),
                "minutes": w.minutes,
                "minutes_target": w.minutes_target,
                "training_days": w.training_days,
                "training_days_target": w.training_days_target,
                "below_target": w.below_target,
                "alert": w.alert,
            },
            "visits": self.visits,
            "alerts": list(self.alerts),
        }


def _rules(rules_path: Path | None) -> ProgressionRules:
    return default_rules() if rules_path is None else load_rules(rules_path)


def progress_needs_since(
    prescription: Prescription,
    keys: Sequence[tuple[date, int, str]],
    /,
    *,
    today: date,
    library: ExerciseLibrary,
    rules: ProgressionRules,
) -> date:
    """The first day of the sessions :func:`progress_from` needs for ``prescription`` on
    ``today``: what each recommendation reads
    (:func:`~reeducate.clinic.progression.recommend_needs_since`, from ``keys``: the (date,
    sequence, variant) of the patient's exercise records, oldest first) and the week of
    ``today`` (the weekly dose). Any later session may be left unread."""
    since = today - timedelta(days=today.weekday())
    for item in prescription.exercises:
        needed = recommend_needs_since(item.variant_id, keys, library=library, rules=rules)
        if needed is not None:
            since = min(since, needed)
    return since


def progress_from(
    *,
    episode: EpisodeOfCare,
    plan: PlanOfCare,
    prescriptions: Sequence[Prescription],
    keys: Sequence[tuple[date, int, str]],
    sessions: Sequence[TreatmentSession],
    visits: int,
    today: date,
    library: ExerciseLibrary,
    rules: ProgressionRules,
) -> ProgressReport:
    """The :func:`progress` report from records already read: reads nothing.

    Parameters
    ----------
    episode, plan : EpisodeOfCare, PlanOfCare
        The patient's latest episode and its latest plan.
    prescriptions : sequence of Prescription
        The plan's prescriptions in the order they took effect.
    keys : sequence of (date, int, str)
        (date, sequence, variant id) of every exercise record of the patient up to ``today``
        (:meth:`reeducate.store.repositories.SessionRepository.exercise_keys`).
    sessions : sequence of TreatmentSession
        The patient's sessions up to ``today`` from :func:`progress_needs_since` on (or from
        any earlier day), in date order.
    visits : int
        Treatment visits under ``plan`` through ``today``.

    Raises
    ------
    NotFoundError
        No prescription in force on ``today``.
    """
    in_force = [p for p in prescriptions if p.start_date <= today]
    if not in_force:
        raise NotFoundError(
            f"plan {plan.id} must have a prescription in force on {today.isoformat()}; got none "
            "(add exercises with 'reeducate plan prescribe')"
        )
    prescription = in_force[-1]
    since = progress_needs_since(prescription, keys, today=today, library=library, rules=rules)
    sessions = [s for s in sessions if since <= s.session_date <= today]
    items: list[ExerciseProgress] = []
    for item in prescription.exercises:
        variant = library.get(item.variant_id)
        family = set(library.family(variant.family).variant_ids)
        history = exercise_history(sessions, family_of=family)
        prescribed_on = _prescribed_on(prescriptions, item.variant_id, today)
        rec = recommend(
            item.variant_id,
            history,
            library=library,
            rules=rules,
            today=today,
            prescribed_on=prescribed_on,
        )
        target = library.get(rec.target_variant_id) if rec.target_variant_id in library else None
        items.append(
            ExerciseProgress(
                variant_id=item.variant_id,
                name=variant.name,
                dose=item.dose,
                prescribed_on=prescribed_on,
                sessions_used=sum(1 for key in keys if key[2] == item.variant_id),
                recommendation=rec,
                target_name=rec.target_variant_id if target is None else target.name,
            )
        )
    prescribed = {x.variant_id for x in prescription.exercises}
    prescribed_records = exercise_history(sessions, family_of=prescribed)
    week = weekly_dose(prescribed_records, week_of=today, rules=rules)
    visits, alerts = _plan_alerts(plan, visits, today=today)
    if week.alert is not None:
        alerts.insert(0, week.alert)
    return ProgressReport(
        patient_code=episode.patient_code,
        on=today,
        episode_id=episode.id,
        plan_id=plan.id,
        prescription_id=prescription.id,
        exercises=tuple(items),
        weekly=week,
        visits=visits,
        alerts=tuple(alerts),
        rules_source=rules.source,
    )


def _progress(
    repos: Repositories,
    library: ExerciseLibrary,
    rules: ProgressionRules,
    *,
    patient_code: str,
    today: date,
) -> tuple[PlanOfCare, Prescription, ProgressReport]:
    episode = _episode(repos, patient_code, None)
    plan = _plan(repos, episode, None)
    prescription = _current_prescription(repos, plan, today)
    # The engine reads a bounded window: the (date, sequence, variant) of every record, a few
    # columns, say from which day the recommendations and the week's dose need the records
    # (progress_needs_since); the visits are counted by the database. Only the sessions from
    # that day on are read in full.
    keys = repos.sessions.exercise_keys(patient_code, until=today)
    since = progress_needs_since(prescription, keys, today=today, library=library, rules=rules)
    report = progress_from(
        episode=episode,
        plan=plan,
        prescriptions=repos.prescriptions.for_plan(plan.id),
        keys=keys,
        sessions=repos.sessions.for_patient(patient_code, since=since, until=today),
        visits=_visits(repos, plan, today=today),
        today=today,
        library=library,
        rules=rules,
    )
    return plan, prescription, report


def progress(
    store: CareStore, patient_code: str, /, *, today: date, rules_path: Path | None = None
) -> ProgressReport:
    """For each exercise in force on ``today``: progress, hold or regress with its evidence,
    plus the week's dose against its target and the plan alerts (progress report every 10
    visits, re-certification).

    Parameters
    ----------
    rules_path : Path or None
        The clinic's progression rules file (TOML, only the keys it changes); None: defaults.
    """
    rules = _rules(rules_path)
    library = store.exercises()
    with _read(store) as repos:
        _, _, report = _progress(repos, library, rules, patient_code=patient_code, today=today)
    return report


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionResult:
    """The decision stored, and the prescription it wrote (None when nothing changed)."""

    decision: ProgressionDecisionRecord
    prescription: Prescription | None
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {
            "decision": _decision_dict(self.decision),
            "prescription_id": None if self.prescription is None else self.prescription.id,
            "note": self.note,
        }


def _decision_dict(d: ProgressionDecisionRecord) -> dict[str, Any]:
    return {
        "id": d.id,
        "made_on": d.made_on.isoformat(),
        "variant_id": d.variant_id,
        "recommended": str(d.recommended),
        "recommended_variant_id": d.recommended_variant_id,
        "rule": str(d.rule),
        "evidence": d.evidence,
        "decision": str(d.decision),
        "variant_id_after": d.variant_id_after,
        "dose_change": None if d.dose_change is None else dict(d.dose_change),
        "reason": d.reason,
        "decided_by": d.decided_by,
        "decided_at": d.decided_at.isoformat(),
        "prescription_id": d.prescription_id,
        "new_prescription_id": d.new_prescription_id,
    }


def _same_shape(a: Dose, b: Dose) -> bool:
    return (a.reps is None) == (b.reps is None) and (a.hold_s is None) == (b.hold_s is None)


def decide(
    store: CareStore,
    /,
    *,
    patient_code: str,
    variant_id: str,
    kind: DecisionKind | str,
    today: date,
    reason: str | None = None,
    change_to: str | None = None,
    rules_path: Path | None = None,
) -> DecisionResult:
    """Accept, change or reject the recommendation for a prescribed exercise.

    The recommendation is made again exactly as :func:`progress` shows it on ``today``; the
    decision is stored with it (rule and evidence), the therapist (the store's actor), the time
    (the store's clock) and the reason. Accept and change write a new prescription that takes
    effect on ``today``: the variant is replaced, its dose kept when the new variant is dosed
    the same way (repetitions or hold), else the new variant's default dose. Reject keeps the
    prescription.

    Raises
    ------
    NotFoundError
        Unknown patient, an exercise not in the prescription in force, or an unknown
        ``change_to`` variant.
    InvalidParameterError
        A reason missing for change or reject, or ``change_to`` given without change.
    DomainRuleError
        A change to the recommended variant (that is an accept).
    """
    from reeducate.store.repositories import ProgressionDecisionRecord

    rules = _rules(rules_path)
    library = store.exercises()
    with _write(store) as repos:
        plan, prescription, report = _progress(
            repos, library, rules, patient_code=patient_code, today=today
        )
        chosen = [x for x in report.exercises if x.variant_id == variant_id]
        if not chosen:
            raise NotFoundError(
                f"variant_id must be an exercise of prescription {prescription.id} in force on "
                f"{today.isoformat()} ({', '.join(x.variant_id for x in prescription.exercises)}); "
                f"got {variant_id!r}"
            )
        rec = chosen[0].recommendation
        therapist = TherapistDecision(
            kind=kind,  # type: ignore[arg-type]  # checked by the record
            therapist_id=store.actor,
            decided_at=repos.audit.now(),
            reason=reason,
            change_to_variant_id=change_to,
        )
        change = apply_decision(rec, therapist, library=library)
        new_prescription: Prescription | None = None
        note: str | None = None
        if change.variant_id_after != change.variant_id_before:
            old_dose = prescription.dose_for(variant_id)
            new_default = library.get(change.variant_id_after).dose
            dose = old_dose if _same_shape(old_dose, new_default) else new_default
            exercises = [
                PrescribedExercise(variant_id=change.variant_id_after, dose=dose)
                if x.variant_id == variant_id
                else x
                for x in prescription.exercises
                if x.variant_id != change.variant_id_after or x.variant_id == variant_id
            ]
            new_prescription = Prescription(
                id=repos.next_id(_model("PrescriptionRow"), "RX"),
                plan_id=plan.id,
                start_date=today,
                exercises=tuple(exercises),
            )
            repos.prescriptions.add(new_prescription, library=library)
        elif change.dose_change is not None:
            note = (
                f"{change.dose_change.describe()}: recorded with the decision (a prescribed "
                "dose has no load field)"
            )
        record = ProgressionDecisionRecord(
            id=repos.next_id(_model("ProgressionDecisionRow"), "D"),
            patient_code=patient_code,
            prescription_id=prescription.id,
            new_prescription_id=None if new_prescription is None else new_prescription.id,
            made_on=rec.made_on,
            variant_id=variant_id,
            recommended=rec.decision,
            recommended_variant_id=rec.target_variant_id,
            rule=rec.rule,
            evidence=rec.evidence,
            decision=change.decision,
            variant_id_after=change.variant_id_after,
            dose_change=None
            if change.dose_change is None
            else {
                "sets": change.dose_change.sets,
                "reps_target_min": change.dose_change.reps_target_min,
                "reps_target": change.dose_change.reps_target,
                "load_kg_before": change.dose_change.load_kg_before,
                "load_kg": change.dose_change.load_kg,
            },
            reason=change.reason,
            decided_by=store.actor,
            decided_at=change.decided_at,
        )
        repos.decisions.add(record)
    return DecisionResult(decision=record, prescription=new_prescription, note=note)
