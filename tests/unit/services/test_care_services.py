"""Episode-of-care use cases on SQLite and PostgreSQL (the fixtures of ``tests/store``): a full
episode, the therapist's decisions stored with the recommendation, and every refusal writing
nothing (rows counted in every table, the audit trail included)."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.exercises import Dose
from reeducate.clinic.progression import Decision, DecisionKind, Rule
from reeducate.errors import DomainRuleError, InvalidParameterError, NotFoundError
from reeducate.services import care
from reeducate.services.care import CareStore, ExerciseLog, GoalSpec, SessionLog, TrialLog
from reeducate.services.library import score_measure
from reeducate.store.models import Base
from reeducate.store.repositories import Repositories

# The database fixtures of tests/store (SQLite and a throwaway PostgreSQL), loaded by path:
# the test tree has no packages.
_spec = importlib.util.spec_from_file_location(
    "_store_fixtures", Path(__file__).resolve().parents[2] / "store" / "conftest.py"
)
assert _spec is not None and _spec.loader is not None
_store_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_store_fixtures)
backend = _store_fixtures.backend
postgres_server_url = _store_fixtures.postgres_server_url
_databases = _store_fixtures._databases
engine = _store_fixtures.engine

NOW = datetime(2025, 3, 20, 9, 30, tzinfo=UTC)
START = date(2025, 3, 3)
NAME = "Ada Lovelace-Example"
#: A real 60-s force-plate trial bundled with the package (see its PROVENANCE.md).
DEMO_TRIAL = Path(str(resources.files("reeducate.data").joinpath("demo", "BDS00157.txt.gz")))


@pytest.fixture
def store(engine: Engine) -> Iterator[CareStore]:
    """A store whose every commit is a savepoint of a transaction rolled back after the test."""
    connection = engine.connect()
    outer = connection.begin()
    factory: sessionmaker[Session] = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield CareStore(factory=factory, actor="pt-test", clock=lambda: NOW)
    finally:
        outer.rollback()
        connection.close()


def row_counts(store: CareStore) -> dict[str, int]:
    with store.factory() as session:
        return {
            name: session.scalar(select(func.count()).select_from(table)) or 0
            for name, table in Base.metadata.tables.items()
        }


def exercise(variant: str = "bal-sls-firm-eo", **changes: Any) -> ExerciseLog:
    values: dict[str, Any] = {
        "variant_id": variant,
        "hold_done_s": (30, 30, 30),
        "difficulty": 2,
        "pain_before_nprs": 1,
        "pain_after_nprs": 1,
        "duration_min": 10,
    }
    values.update(changes)
    return ExerciseLog(**values)


def session_on(day: int, *items: ExerciseLog, **changes: Any) -> SessionLog:
    values: dict[str, Any] = {
        "patient_code": "P-0001",
        "session_date": date(2025, 3, day),
        "exercises": items or (exercise(),),
        "minutes_by_code": {"97112": 25},
    }
    values.update(changes)
    return SessionLog(**values)


@pytest.fixture
def planned(store: CareStore) -> CareStore:
    """P-0001 with an episode, a plan (goal: TUG 16 → 12 s) and bal-sls-firm-eo 3 × 30 s."""
    assert care.add_patient(store, name=NAME, date_of_birth=date(1950, 6, 1)) == "P-0001"
    care.open_episode(
        store,
        patient_code="P-0001",
        start_date=START,
        diagnoses=["r2681"],
        impairments=["balance"],
    )
    care.create_plan(
        store,
        patient_code="P-0001",
        start_date=START,
        frequency_per_week=2,
        duration_weeks=8,
        certification_date=START,
        goal=GoalSpec(
            description="Get up and walk safely",
            measure="tug",
            baseline_value=16,
            target_value=12,
            target_date=date(2025, 4, 28),
        ),
    )
    care.prescribe(
        store,
        patient_code="P-0001",
        variant_id="bal-sls-firm-eo",
        start_date=START,
        dose=Dose(sets=3, hold_s=30, rest_s=30, sessions_per_week=3),
    )
    return store


def test_a_full_episode_progresses_on_mastery_and_regresses_on_pain(planned: CareStore) -> None:
    store = planned
    care.log_session(store, session_on(5))
    care.log_session(store, session_on(7))
    report = care.progress(store, "P-0001", today=date(2025, 3, 7))
    (item,) = report.exercises
    rec = item.recommendation
    assert (rec.decision, rec.rule) == (Decision.PROGRESS, Rule.MASTERY)
    assert rec.target_variant_id == "bal-sls-foam-eo" and str(rec.dimension) == "surface"
    assert "2 consecutive sessions (5 and 7 Mar)" in rec.evidence
    assert any(a.startswith("below evidence-based dose: 20 of 120 min") for a in report.alerts)

    result = care.decide(
        store,
        patient_code="P-0001",
        variant_id="bal-sls-firm-eo",
        kind="accept",
        today=date(2025, 3, 7),
    )
    assert result.prescription is not None
    assert [x.variant_id for x in result.prescription.exercises] == ["bal-sls-foam-eo"]
    # the dose was kept: one dimension changes at a time
    assert result.prescription.dose_for("bal-sls-foam-eo").hold_s == 30
    plan = care.plan_overview(store, "P-0001", today=date(2025, 3, 8))
    assert plan.prescription is not None and plan.prescription.id == result.prescription.id

    care.log_session(store, session_on(10, exercise("bal-sls-foam-eo", pain_after_nprs=4)))
    (item,) = care.progress(store, "P-0001", today=date(2025, 3, 10)).exercises
    assert item.variant_id == "bal-sls-foam-eo"
    assert (item.recommendation.decision, item.recommendation.rule) == (
        Decision.REGRESS,
        Rule.SYMPTOMS,
    )
    assert item.recommendation.target_variant_id == "bal-sls-firm-eo"
    assert "pain rose from 1 to 4" in item.recommendation.evidence


def test_decisions_store_recommendation_rule_evidence_reason_and_who(planned: CareStore) -> None:
    store = planned
    care.log_session(store, session_on(5))
    care.log_session(store, session_on(7))
    rejected = care.decide(
        store,
        patient_code="P-0001",
        variant_id="bal-sls-firm-eo",
        kind=DecisionKind.REJECT,
        reason="Knee swelling today",
        today=date(2025, 3, 7),
    )
    assert rejected.prescription is None
    changed = care.decide(
        store,
        patient_code="P-0001",
        variant_id="bal-sls-firm-eo",
        kind="change",
        change_to="bal-sls-firm-ec",
        reason="Vision is the goal",
        today=date(2025, 3, 7),
    )
    assert changed.prescription is not None
    stored = care.patient_overview(store, "P-0001", today=date(2025, 3, 7)).decisions
    assert [(d.decision, d.variant_id_after, d.reason) for d in stored] == [
        (DecisionKind.REJECT, "bal-sls-firm-eo", "Knee swelling today"),
        (DecisionKind.CHANGE, "bal-sls-firm-ec", "Vision is the goal"),
    ]
    first = stored[0]
    assert (first.recommended, first.rule, first.decided_by, first.decided_at) == (
        Decision.PROGRESS,
        Rule.MASTERY,
        "pt-test",
        NOW,
    )
    assert first.evidence.startswith("2 consecutive sessions")


def test_an_outcome_score_is_stored_with_its_items_and_interpretation(
    planned: CareStore,
) -> None:
    report = score_measure("tug", value=14.1, population="older_adults")
    record = care.store_score(planned, report, patient_code="P-0001", scored_on=date(2025, 3, 5))
    (stored,) = care.patient_overview(planned, "P-0001", today=date(2025, 3, 5)).scores
    assert stored == record
    assert (stored.measure, stored.total, stored.unit, dict(stored.items)) == (
        "tug",
        14.1,
        "s",
        {"time": 14.1},
    )
    assert stored.flags == ("mobility: below normal (older adults)",)
    assert stored.scored_by == "pt-test"


def test_plan_alerts_progress_report_every_10_visits_and_recertification(
    planned: CareStore,
) -> None:
    for day in range(4, 14):  # ten clinic visits, 4 to 13 Mar
        care.log_session(planned, session_on(day))
    overview = care.plan_overview(planned, "P-0001", today=date(2025, 3, 13))
    assert overview.visits == 10
    assert any(a.startswith("progress report due: 10 treatment visits") for a in overview.alerts)
    late = care.plan_overview(planned, "P-0001", today=date(2025, 4, 27))
    assert any(a.startswith("re-certification due") for a in late.alerts)


def _refusals() -> list[tuple[str, Callable[[CareStore], object], type[Exception], str]]:
    return [
        (
            "unknown exercise",
            lambda s: care.prescribe(
                s, patient_code="P-0001", variant_id="bal-nope", start_date=START
            ),
            NotFoundError,
            "variant_id must be an exercise of the library",
        ),
        (
            "impossible dose",
            lambda s: care.prescribe(
                s,
                patient_code="P-0001",
                variant_id="bal-sls-foam-eo",
                start_date=START,
                dose=Dose(sets=3, hold_s=900, rest_s=30, sessions_per_week=3),
            ),
            InvalidParameterError,
            "hold_s",
        ),
        (
            "pain outside 0-10",
            lambda s: care.log_session(s, session_on(12, exercise(pain_before_nprs=11))),
            InvalidParameterError,
            "pain_before_nprs must be an integer 0–10; got 11",
        ),
        (
            "date before the episode",
            lambda s: care.log_session(s, session_on(1)),
            DomainRuleError,
            "session_date must not be before the episode began (2025-03-03)",
        ),
        (
            "duplicate session",
            lambda s: care.log_session(s, session_on(5)),
            DomainRuleError,
            "a duplicate session",
        ),
        (
            "same exercise at home, same sequence",
            lambda s: care.log_session(s, session_on(5, setting="home", minutes_by_code={})),
            DomainRuleError,
            "--sequence 2",
        ),
        (
            "unknown patient",
            lambda s: care.log_session(s, session_on(12, patient_code="P-0999")),
            NotFoundError,
            "patient_code must be a recorded patient; got 'P-0999'",
        ),
        (
            "unknown exercise in a session",
            lambda s: care.log_session(s, session_on(12, exercise("bal-nope"))),
            NotFoundError,
            "exercises[0].variant_id must be an exercise of the library",
        ),
        (
            "reject without a reason",
            lambda s: care.decide(
                s,
                patient_code="P-0001",
                variant_id="bal-sls-firm-eo",
                kind="reject",
                today=date(2025, 3, 7),
            ),
            InvalidParameterError,
            "reason is required to reject",
        ),
        (
            "score before the episode",
            lambda s: care.store_score(
                s,
                score_measure("tug", value=12),
                patient_code="P-0001",
                scored_on=date(2025, 1, 1),
            ),
            DomainRuleError,
            "scored_on must not be before the episode began",
        ),
        (
            "decision on an exercise not prescribed",
            lambda s: care.decide(
                s,
                patient_code="P-0001",
                variant_id="bal-sls-foam-eo",
                kind="accept",
                today=date(2025, 3, 7),
            ),
            NotFoundError,
            "variant_id must be an exercise of prescription",
        ),
    ]


@pytest.mark.parametrize(
    ("action", "error", "message"),
    [pytest.param(a, e, m, id=name) for name, a, e, m in _refusals()],
)
def test_every_refusal_names_the_field_and_writes_nothing(
    planned: CareStore,
    action: Callable[[CareStore], object],
    error: type[Exception],
    message: str,
) -> None:
    care.log_session(planned, session_on(5))
    before = row_counts(planned)
    with pytest.raises(error, match=_escaped(message)):
        action(planned)
    assert row_counts(planned) == before


def test_a_balance_recording_is_analysed_stored_and_attached(planned: CareStore) -> None:
    session = care.log_session(
        planned, session_on(5, trials=(TrialLog(path=DEMO_TRIAL, condition="eo-firm"),))
    )
    assert session.trial_ids == ("T-0001",)
    with planned.factory() as db:
        trial = Repositories(db, actor="pt-test").trials.get("T-0001")
    assert (trial.patient_code, trial.condition, trial.source_name) == (
        "P-0001",
        "firm/eyes open",
        "BDS00157.txt",
    )
    assert trial.metrics["path_length_m"] > 0  # metres of CoP path in 60 s


def test_a_refusal_after_the_first_write_of_a_unit_rolls_it_back(planned: CareStore) -> None:
    # The trial is written first inside the unit of work, then the session is refused as a
    # duplicate: the trial must not remain either.
    care.log_session(planned, session_on(5))
    before = row_counts(planned)
    with pytest.raises(DomainRuleError, match="a duplicate session"):
        care.log_session(
            planned, session_on(5, trials=(TrialLog(path=DEMO_TRIAL, condition="eo-firm"),))
        )
    assert row_counts(planned) == before
    assert before["audit_event"] > 0 and before["balance_trial"] == 0


def test_the_name_is_stored_but_never_returned(planned: CareStore) -> None:
    overview = care.patient_overview(planned, "P-0001", today=date(2025, 3, 5))
    assert overview.identity_recorded
    assert NAME not in repr(overview) and NAME not in str(overview.to_dict())
    assert [p.code for p in care.list_patients(planned)] == ["P-0001"]
    assert NAME not in repr(care.list_patients(planned))


def _escaped(text: str) -> str:
    import re

    return re.escape(text)
