"""Repositories on SQLite and PostgreSQL: round trips, refusals that write nothing, one
transaction per write, the append-only audit trail."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import Engine, event, func, insert, select, text, update
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from reeducate.clinic.care import (
    BalanceTrialRecord,
    EpisodeOfCare,
    Goal,
    Patient,
    PatientIdentity,
    PlanOfCare,
    PrescribedExercise,
    Prescription,
    TreatmentSession,
    exercise_history,
)
from reeducate.clinic.exercises import Dose, load_library
from reeducate.clinic.progression import (
    Decision,
    PerceivedDifficulty,
    Quality,
    QualitySource,
    Rater,
    SessionRecord,
    SetRecord,
    Setting,
    Symptom,
    recommend,
)
from reeducate.clinic.progression_rules import (
    Assistance,
    BalanceEvent,
    DifficultyScale,
    default_rules,
)
from reeducate.errors import DomainRuleError, NotFoundError
from reeducate.store.engine import session_factory, transaction
from reeducate.store.migrate import upgrade
from reeducate.store.models import (
    AuditEventRow,
    EpisodeRow,
    ExerciseSetRow,
    SessionExerciseRow,
    SessionProcedureRow,
    SessionRow,
)
from reeducate.store.repositories import Repositories

CHILD_TABLES = (SessionRow, SessionExerciseRow, ExerciseSetRow, SessionProcedureRow)
NOW = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)


def _count(db: Session, model: type[Any]) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def _counts(db: Session) -> dict[str, int]:
    models = (*CHILD_TABLES, AuditEventRow)
    return {model.__tablename__: _count(db, model) for model in models}


def _plan() -> PlanOfCare:
    goals = (
        Goal(
            id="G-1",
            description="Get up and walk safely",
            measure_kind="outcome_measure",
            measure="tug",
            direction="decrease",
            baseline_value=16.2,
            target_value=12.0,
            baseline_date=date(2025, 3, 3),
            target_date=date(2025, 5, 26),
        ),
        Goal(
            id="G-2",
            description="Less sway standing on foam",
            measure_kind="metric",
            measure="sway_path_length_m",
            direction="decrease",
            baseline_value=1.25,
            target_value=0.9,
            baseline_date=date(2025, 3, 3),
            target_date=date(2025, 5, 26),
        ),
    )
    return PlanOfCare(
        id="C-1",
        episode_id="E-1",
        start_date=date(2025, 3, 3),
        frequency_per_week=3,
        duration_weeks=12,
        certification_date=date(2025, 3, 4),
        recertification_due_date=date(2025, 6, 1),
        goals=goals,
    )


def _trial(trial_id: str = "T-1", patient_code: str = "P-0001") -> BalanceTrialRecord:
    return BalanceTrialRecord(
        id=trial_id,
        patient_code=patient_code,
        recorded_at=datetime(2025, 3, 5, 10, 15, 30, 250000, tzinfo=UTC),
        source_name="BDS00157.txt",
        condition="firm/eyes closed",
        preset="reeducate-default",
        sampling_rate_hz=100.0,
        duration_s=60.0,
        metrics={"sway_path_length_m": 0.123456789012345, "ellipse_area_95_m2": 1.5e-4},
        settings={"preset": "reeducate-default", "preprocessing": {"lowpass_hz": 10, "on": True}},
    )


# --------------------------------------------------------------------------------------------
# Round trips
# --------------------------------------------------------------------------------------------


def test_patient_round_trip_keeps_identity_apart(repos: Repositories) -> None:
    identity = PatientIdentity(name="Ada Example", date_of_birth=date(1950, 6, 1))
    repos.patients.add(Patient(code="P-0007", identity=identity))
    got = repos.patients.get("P-0007")
    assert got == Patient(code="P-0007")
    assert got.identity is not None
    assert (got.identity.name, got.identity.date_of_birth) == ("Ada Example", date(1950, 6, 1))
    # The audit trail says an identity was recorded, never what it is.
    (event_,) = repos.audit.events(entity="patient")
    assert "Ada" not in repr(event_.detail) and "1950" not in repr(event_.detail)
    assert repos.patients.next_code() == "P-0008"


def test_episode_plan_prescription_round_trip(seeded: Repositories) -> None:
    assert seeded.episodes.get("E-1") == EpisodeOfCare(
        id="E-1",
        patient_code="P-0001",
        start_date=date(2025, 3, 3),
        diagnoses=("R26.81", "M54.50"),
        impairments={"balance", "proprioception"},
    )
    plan = _plan()
    seeded.plans.add(plan)
    assert seeded.plans.get("C-1") == plan
    assert seeded.plans.for_episode("E-1") == [plan]
    library = load_library()
    first = Prescription(
        id="R-1",
        plan_id="C-1",
        start_date=date(2025, 3, 3),
        exercises=(
            PrescribedExercise(
                variant_id="bal-sls-firm-eo",
                dose=Dose(sets=3, hold_s=20, rest_s=30, sessions_per_week=5),
            ),
        ),
    )
    second = Prescription(
        id="R-2",
        plan_id="C-1",
        start_date=date(2025, 3, 17),
        exercises=(
            PrescribedExercise(
                variant_id="bal-sls-foam-eo",
                dose=Dose(sets=3, hold_s=10, rest_s=30, sessions_per_week=5, tempo="steady"),
            ),
            PrescribedExercise(
                variant_id="bal-sls-firm-eo",
                dose=Dose(sets=2, reps=8, hold_s=5, rest_s=45, sessions_per_week=3),
            ),
        ),
    )
    seeded.prescriptions.add(first, library=library)
    seeded.prescriptions.add(second, library=library)
    assert seeded.prescriptions.get("R-2") == second
    assert seeded.prescriptions.current("C-1", on=date(2025, 3, 16)) == first
    assert seeded.prescriptions.current("C-1", on=date(2025, 3, 17)) == second
    assert seeded.prescriptions.current("C-1", on=date(2025, 3, 2)) is None


def test_session_round_trip_with_every_field(seeded: Repositories) -> None:
    seeded.trials.add(_trial())
    day = date(2025, 3, 5)
    record = TreatmentSession(
        id="S-9",
        patient_code="P-0001",
        episode_id="E-1",
        session_date=day,
        setting=Setting.CLINIC,
        started_at=datetime(2025, 3, 5, 11, 0, tzinfo=timezone(timedelta(hours=2))),
        note="Progress to foam next visit.",
        exercises=(
            SessionRecord(
                variant_id="bal-sls-firm-eo",
                session_date=day,
                setting=Setting.CLINIC,
                sets_prescribed=3,
                sets=(
                    SetRecord(hold_target_s=30, hold_done_s=30.0, losses_of_balance=1),
                    SetRecord(reps_target=12, reps_target_min=8, reps_done=0, load_kg=1.5),
                ),
                difficulty=PerceivedDifficulty(scale="balance_1_5", value=4, rater="therapist"),
                quality=Quality(source=QualitySource.MEASUREMENT, score=0.8, method="sway"),
                pain_before_nprs=2,
                pain_during_nprs=4,
                pain_after_nprs=3,
                symptoms_during={Symptom.DIZZINESS, Symptom.NAUSEA},
                symptoms_after={Symptom.HEADACHE},
                balance_event=BalanceEvent.NEAR_FALL,
                assistance=Assistance.CONTACT_GUARD,
                duration_min=12.5,
            ),
            SessionRecord(
                variant_id="bal-sls-foam-eo",
                session_date=day,
                setting=Setting.CLINIC,
                sets_prescribed=1,
                sets=(SetRecord(reps_target=10, reps_done=10),),
                difficulty=PerceivedDifficulty(scale=DifficultyScale.RPE_0_10, value=6.5),
                quality=Quality(source=QualitySource.THERAPIST_RATING, score=3, scale_max=4),
            ),
        ),
        cues={"bal-sls-firm-eo": ("Soft knee",)},
        minutes_by_code={"97112": 24, "97110": 23, "G0283": 15},
        trial_ids=("T-1",),
    )
    seeded.sessions.add(record, library=load_library())
    seeded.session.expire_all()
    got = seeded.sessions.get("S-9")
    assert got == record
    assert got.exercises[0].difficulty is not None
    assert got.exercises[0].difficulty.rater is Rater.THERAPIST
    assert got.started_at == datetime(2025, 3, 5, 9, 0, tzinfo=UTC)
    assert got.started_at is not None and got.started_at.utcoffset() == timedelta(0)
    assert seeded.sessions.for_patient("P-0001", variant_id="bal-sls-foam-eo") == [record]
    assert seeded.sessions.for_patient("P-0001", since=date(2025, 3, 6)) == []


def test_stored_sessions_feed_the_progression_engine(seeded: Repositories) -> None:
    def visit(day: date) -> TreatmentSession:
        done = SessionRecord(
            variant_id="bal-sls-firm-eo",
            session_date=day,
            setting=Setting.CLINIC,
            sets_prescribed=3,
            sets=(SetRecord(hold_target_s=30, hold_done_s=30),) * 3,
            difficulty=PerceivedDifficulty(scale="balance_1_5", value=2),
            pain_before_nprs=1,
            pain_after_nprs=1,
            duration_min=10,
        )
        return TreatmentSession(
            id=f"S-{day.day}",
            patient_code="P-0001",
            episode_id="E-1",
            session_date=day,
            setting="clinic",
            exercises=(done,),
        )

    for day in (date(2025, 3, 12), date(2025, 3, 14)):
        seeded.sessions.add(visit(day))
    seeded.session.expire_all()
    history = exercise_history(seeded.sessions.for_patient("P-0001"))
    rec = recommend(
        "bal-sls-firm-eo",
        history,
        library=load_library(),
        rules=default_rules(),
        today=date(2025, 3, 15),
    )
    assert (rec.decision, rec.target_variant_id) == (Decision.PROGRESS, "bal-sls-foam-eo")


def test_balance_trial_metrics_and_settings_round_trip_exactly(seeded: Repositories) -> None:
    trial = _trial()
    seeded.trials.add(trial)
    seeded.session.expire_all()
    got = seeded.trials.get("T-1")
    assert got == trial
    assert got.metrics["sway_path_length_m"] == 0.123456789012345  # floats stored exactly
    assert got.recorded_at == trial.recorded_at  # microseconds and UTC kept
    assert seeded.trials.for_patient("P-0001") == [trial]


# --------------------------------------------------------------------------------------------
# Refusals: message names the field, nothing is written
# --------------------------------------------------------------------------------------------


def test_session_before_episode_start_is_refused_and_nothing_written(
    seeded: Repositories, session_record: Callable[..., TreatmentSession]
) -> None:
    before = _counts(seeded.session)
    with pytest.raises(DomainRuleError, match=r"^session_date must not be before .*2025-03-01"):
        seeded.sessions.add(session_record(on=date(2025, 3, 1)))
    assert _counts(seeded.session) == before


def test_duplicate_session_is_refused_and_nothing_written(
    seeded: Repositories, session_record: Callable[..., TreatmentSession]
) -> None:
    seeded.sessions.add(session_record("S-1", variants=("bal-sls-firm-eo", "bal-sls-foam-eo")))
    before = _counts(seeded.session)
    again = session_record("S-2", variants=("bal-stance-tandem-firm-eo", "bal-sls-foam-eo"))
    with pytest.raises(DomainRuleError, match=r"^exercises\[1\]\.variant_id .*duplicate"):
        seeded.sessions.add(again)
    assert _counts(seeded.session) == before
    # Same exercise the same day at home, or in the clinic the next day, is not a duplicate.
    seeded.sessions.add(session_record("S-3", setting=Setting.HOME))
    seeded.sessions.add(session_record("S-4", on=date(2025, 3, 6)))
    with pytest.raises(DomainRuleError, match=r"^id must be new"):
        seeded.sessions.add(session_record("S-4", on=date(2025, 3, 7)))


def test_database_refuses_a_duplicate_exercise_even_without_the_repository(
    seeded: Repositories, session_record: Callable[..., TreatmentSession]
) -> None:
    seeded.sessions.add(session_record("S-1", variants=("bal-sls-firm-eo",)))
    db = seeded.session
    db.add(
        SessionRow(
            id="S-raw",
            patient_code="P-0001",
            episode_id="E-1",
            session_date=date(2025, 3, 5),
            setting="clinic",
            sequence=1,
        )
    )
    db.flush()
    row = {
        "session_id": "S-raw",
        "position": 0,
        "patient_code": "P-0001",
        "session_date": date(2025, 3, 5),
        "setting": "clinic",
        "sequence": 1,
        "variant_id": "bal-sls-firm-eo",
        "sets_prescribed": 3,
        "symptoms_before": [],
        "symptoms_during": [],
        "symptoms_after": [],
        "balance_event": "none",
        "assistance": "independent",
        "cues": [],
    }
    with pytest.raises(IntegrityError), db.begin_nested():
        db.execute(insert(SessionExerciseRow), [row])
    # And pain outside 0-10 (CHECK constraint), another exercise so only the check can fail.
    with pytest.raises(IntegrityError), db.begin_nested():
        other_day = {**row, "position": 1, "variant_id": "bal-stance-tandem-firm-eo"}
        db.execute(insert(SessionExerciseRow), [{**other_day, "pain_after_nprs": 11}])


def test_unknown_exercise_or_trial_is_refused_and_nothing_written(
    seeded: Repositories, session_record: Callable[..., TreatmentSession]
) -> None:
    before = _counts(seeded.session)
    with pytest.raises(NotFoundError, match=r"^exercises\[0\]\.variant_id .*'bal-on-the-moon'"):
        seeded.sessions.add(session_record(variants=("bal-on-the-moon",)), library=load_library())
    record = session_record()
    with_trial = replace(record, trial_ids=("T-missing",))
    with pytest.raises(NotFoundError, match=r"^trial_ids\[0\] .*'T-missing'"):
        seeded.sessions.add(with_trial)
    assert _counts(seeded.session) == before


def test_trial_of_another_patient_cannot_be_attached(
    seeded: Repositories, session_record: Callable[..., TreatmentSession]
) -> None:
    seeded.patients.add(Patient(code="P-0002"))
    seeded.trials.add(_trial("T-2", patient_code="P-0002"))
    record = session_record()
    foreign = replace(record, trial_ids=("T-2",))
    with pytest.raises(DomainRuleError, match=r"^trial_ids\[0\] must be a trial of P-0001"):
        seeded.sessions.add(foreign)


def test_unknown_references_are_refused(repos: Repositories) -> None:
    with pytest.raises(NotFoundError, match=r"^patient_code"):
        repos.episodes.add(
            EpisodeOfCare(
                id="E-9",
                patient_code="P-0404",
                start_date=date(2025, 1, 1),
                diagnoses=("R26.81",),
                impairments={"balance"},
            )
        )
    with pytest.raises(NotFoundError, match=r"^episode_id"):
        repos.plans.add(_plan())
    with pytest.raises(NotFoundError, match=r"^episode_id"):
        repos.episodes.get("E-404")


def test_foreign_keys_are_enforced_by_the_database(db: Session) -> None:
    db.add(EpisodeRow(id="E-x", patient_code="P-0404", start_date=date(2025, 1, 1)))
    with pytest.raises(IntegrityError):
        db.flush()


# --------------------------------------------------------------------------------------------
# One transaction per write
# --------------------------------------------------------------------------------------------


def test_interrupted_write_leaves_no_partial_record(
    new_database: Callable[[], Engine], session_record: Callable[..., TreatmentSession]
) -> None:
    engine = new_database()
    upgrade(engine)
    factory = session_factory(engine)
    with transaction(factory) as db:
        repos = Repositories(db, actor="pt-test", clock=lambda: NOW)
        repos.patients.add(Patient(code="P-0001"))
        repos.episodes.add(
            EpisodeOfCare(
                id="E-1",
                patient_code="P-0001",
                start_date=date(2025, 3, 3),
                diagnoses=("R26.81",),
                impairments={"balance"},
            )
        )

    inserted: list[int] = []

    def fail_on_fourth_set(_mapper: Any, _connection: Any, target: ExerciseSetRow) -> None:
        inserted.append(target.set_number)
        if len(inserted) == 4:
            raise RuntimeError("power cut")

    event.listen(ExerciseSetRow, "after_insert", fail_on_fourth_set)
    try:
        with pytest.raises(RuntimeError, match="power cut"), transaction(factory) as db:
            Repositories(db, actor="pt-test", clock=lambda: NOW).sessions.add(session_record())
    finally:
        event.remove(ExerciseSetRow, "after_insert", fail_on_fourth_set)
    assert len(inserted) == 4  # the session, its exercises and three sets had been written

    with engine.connect() as connection:  # a new connection sees only committed data
        for model in CHILD_TABLES:
            assert connection.scalar(select(func.count()).select_from(model)) == 0, model
        actions = connection.execute(select(AuditEventRow.entity)).scalars().all()
    assert sorted(actions) == ["episode", "patient"]

    with transaction(factory) as db:  # and the same write, uninterrupted, commits whole
        Repositories(db, actor="pt-test", clock=lambda: NOW).sessions.add(session_record())
    with engine.connect() as connection:
        assert connection.scalar(select(func.count()).select_from(ExerciseSetRow)) == 6


# --------------------------------------------------------------------------------------------
# Audit
# --------------------------------------------------------------------------------------------


def test_every_change_is_audited_with_who_what_when(
    seeded: Repositories, session_record: Callable[..., TreatmentSession]
) -> None:
    seeded.plans.add(_plan())
    seeded.trials.add(_trial())
    seeded.sessions.add(session_record())
    seeded.episodes.close("E-1", end_date=date(2025, 5, 30))
    events = seeded.audit.events()
    assert [(e.action, e.entity, e.entity_id) for e in events] == [
        ("create", "patient", "P-0001"),
        ("create", "episode", "E-1"),
        ("create", "plan_of_care", "C-1"),
        ("create", "balance_trial", "T-1"),
        ("create", "session", "S-1"),
        ("update", "episode", "E-1"),
    ]
    assert {e.actor for e in events} == {"pt-test"}
    assert {e.occurred_at for e in events} == {NOW}
    assert events[-1].detail["before"]["end_date"] is None
    assert events[-1].detail["after"]["end_date"] == "2025-05-30"
    assert events[4].detail["exercises"][0] == {"variant_id": "bal-sls-firm-eo", "sets": 3}
    assert events[4].detail["sequence"] == 1


def test_closing_before_the_last_session_is_refused(
    seeded: Repositories, session_record: Callable[..., TreatmentSession]
) -> None:
    seeded.sessions.add(session_record(on=date(2025, 3, 10)))
    with pytest.raises(DomainRuleError, match=r"^end_date must not be before the last session"):
        seeded.episodes.close("E-1", end_date=date(2025, 3, 9))
    assert seeded.episodes.get("E-1").end_date is None


def test_audit_is_append_only_in_the_database(seeded: Repositories) -> None:
    db = seeded.session
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(text("UPDATE audit_event SET actor = 'someone-else'"))
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(text("DELETE FROM audit_event"))
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(update(AuditEventRow).values(action="delete"))
    assert len(seeded.audit.events()) == 2


def test_audit_is_append_only_in_the_orm(seeded: Repositories) -> None:
    db = seeded.session
    row = db.scalars(select(AuditEventRow).limit(1)).one()
    with pytest.raises(DomainRuleError, match="append-only"), db.begin_nested():
        row.actor = "someone-else"
        db.flush()
    row = db.scalars(select(AuditEventRow).limit(1)).one()
    with pytest.raises(DomainRuleError, match="append-only"), db.begin_nested():
        db.delete(row)
        db.flush()
    assert [e.actor for e in seeded.audit.events()] == ["pt-test", "pt-test"]


def test_naive_clock_is_refused(db: Session) -> None:
    repos = Repositories(db, actor="pt-test", clock=lambda: datetime(2025, 3, 3, 9, 30))
    with pytest.raises(ValueError, match=r"^clock must return timezone-aware"):
        repos.patients.add(Patient(code="P-0001"))
