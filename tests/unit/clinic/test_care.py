"""Plans of care and clinical records: invariants, refusals naming the field, cross-record rules.

The tables below double as documentation of the rules.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import numpy as np
import pytest

from reeducate.balance.analysis import analyze_trial
from reeducate.balance.presets import DEFAULT_PRESET, get_preset
from reeducate.balance.trial import CopTrial
from reeducate.clinic.care import (
    BalanceTrialRecord,
    EpisodeOfCare,
    Goal,
    GoalDirection,
    Patient,
    PatientIdentity,
    PlanOfCare,
    PrescribedExercise,
    Prescription,
    TreatmentSession,
    check_prescription,
    check_session,
    count_treatment_visits,
    duplicate_keys,
    exercise_history,
    normalize_icd10,
    progress_report_due,
    recertification_due,
    trial_record_from_analysis,
)
from reeducate.clinic.exercises import Dose, load_library
from reeducate.clinic.progression import SessionRecord, SetRecord, Setting
from reeducate.errors import DomainRuleError, InvalidParameterError, NotFoundError

START = date(2025, 3, 3)


def _episode(**changes: Any) -> EpisodeOfCare:
    fields: dict[str, Any] = {
        "id": "E-1",
        "patient_code": "P-0001",
        "start_date": START,
        "diagnoses": ("R26.81",),
        "impairments": {"balance"},
    }
    return EpisodeOfCare(**(fields | changes))


def _goal(**changes: Any) -> Goal:
    fields: dict[str, Any] = {
        "id": "G-1",
        "description": "Get up and walk safely",
        "measure_kind": "outcome_measure",
        "measure": "tug",
        "direction": "decrease",
        "baseline_value": 16.0,
        "target_value": 12.0,
        "baseline_date": START,
        "target_date": date(2025, 5, 26),
    }
    return Goal(**(fields | changes))


def _plan(**changes: Any) -> PlanOfCare:
    fields: dict[str, Any] = {
        "id": "C-1",
        "episode_id": "E-1",
        "start_date": START,
        "frequency_per_week": 3,
        "duration_weeks": 12,
        "certification_date": date(2025, 3, 4),
        "recertification_due_date": date(2025, 6, 1),
        "goals": (_goal(),),
    }
    return PlanOfCare(**(fields | changes))


def _exercise(
    variant_id: str = "bal-sls-firm-eo", *, on: date = date(2025, 3, 5), **changes: Any
) -> SessionRecord:
    fields: dict[str, Any] = {
        "variant_id": variant_id,
        "session_date": on,
        "setting": Setting.CLINIC,
        "sets_prescribed": 1,
        "sets": (SetRecord(hold_target_s=30, hold_done_s=30),),
    }
    return SessionRecord(**(fields | changes))


def _session(session_id: str = "S-1", **changes: Any) -> TreatmentSession:
    day = changes.get("session_date", date(2025, 3, 5))
    setting = changes.get("setting", Setting.CLINIC)
    fields: dict[str, Any] = {
        "id": session_id,
        "patient_code": "P-0001",
        "episode_id": "E-1",
        "session_date": day,
        "setting": setting,
        "exercises": (_exercise(on=day, setting=setting),),
    }
    return TreatmentSession(**(fields | changes))


# --------------------------------------------------------------------------------------------
# Patient: a pseudonymous code; identifying fields never shown
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", ["P-0001", "P-12345678"])
def test_patient_codes_accepted(code: str) -> None:
    assert Patient(code=code).code == code


@pytest.mark.parametrize("code", ["P-1", "p-0001", "P0001", "Ada Example", "P-123456789", ""])
def test_patient_codes_refused(code: str) -> None:
    with pytest.raises(InvalidParameterError, match=r"^code must be a pseudonymous code"):
        Patient(code=code)


def test_identity_never_appears_in_repr_or_messages() -> None:
    identity = PatientIdentity(name="Ada Example", date_of_birth=date(1950, 6, 1))
    patient = Patient(code="P-0001", identity=identity)
    for text in (repr(patient), str(patient), repr(identity), repr([patient])):
        assert "Ada" not in text and "1950" not in text
    assert patient == Patient(code="P-0001")  # identity is not part of equality
    with pytest.raises(InvalidParameterError) as error:
        PatientIdentity(name="  ", date_of_birth=date(1950, 6, 1))
    assert str(error.value).startswith("identity.name must be")
    with pytest.raises(InvalidParameterError) as error:
        PatientIdentity(name="Ada Example", date_of_birth=date(1850, 6, 1))
    assert "1850" not in str(error.value) and "Ada" not in str(error.value)
    assert identity.age_years(on=date(2025, 6, 1)) == 75
    assert identity.age_years(on=date(2025, 5, 31)) == 74


# --------------------------------------------------------------------------------------------
# Episode of care
# --------------------------------------------------------------------------------------------

ICD10_CASES = [
    # (written, stored)
    ("R26.81", "R26.81"),  # unsteadiness on feet
    ("r2681", "R26.81"),  # claim form, lower case
    ("M54.50", "M54.50"),
    ("G20", "G20"),  # Parkinson disease
    ("S83.511A", "S83.511A"),  # 7th character
    (" I63.9 ", "I63.9"),
]


@pytest.mark.parametrize(("written", "stored"), ICD10_CASES)
def test_icd10_codes_are_checked_and_written_dotted(written: str, stored: str) -> None:
    assert normalize_icd10(written) == stored


@pytest.mark.parametrize("bad", ["97112", "R2", "R26.", "R26.81234", "1R26", "R-26.81", "", 26])
def test_icd10_format_errors(bad: object) -> None:
    with pytest.raises(InvalidParameterError, match=r"^diagnosis must be an ICD-10 code"):
        normalize_icd10(bad)


def test_episode_invariants_name_the_field() -> None:
    assert _episode(diagnoses=("r2681", "G20")).diagnoses == ("R26.81", "G20")
    cases: list[tuple[dict[str, Any], str]] = [
        ({"diagnoses": ()}, r"^diagnoses must list"),
        ({"diagnoses": ("R26.81", "97112")}, r"^diagnoses\[1\] must be an ICD-10 code"),
        ({"diagnoses": ("R26.81", "r2681")}, r"^diagnoses must not repeat"),
        ({"impairments": set()}, r"^impairments must name"),
        ({"impairments": {"balance", "strength"}}, r"^impairments must be one of .*'strength'"),
        ({"end_date": date(2025, 3, 2)}, r"^end_date must not be before start_date"),
        ({"start_date": datetime(2025, 3, 3, tzinfo=UTC)}, r"^start_date must be a date"),
        ({"patient_code": "Ada"}, r"^patient_code must be"),
        ({"id": "has space"}, r"^id must be"),
    ]
    for changes, message in cases:
        with pytest.raises(InvalidParameterError, match=message):
            _episode(**changes)
    episode = _episode(end_date=date(2025, 6, 1))
    assert episode.is_open(on=date(2025, 6, 1)) and not episode.is_open(on=date(2025, 6, 2))


# --------------------------------------------------------------------------------------------
# Goals
# --------------------------------------------------------------------------------------------


def test_goal_direction_must_match_the_measure() -> None:
    with pytest.raises(InvalidParameterError, match=r"^direction must be decrease for tug"):
        _goal(direction="increase", target_value=20.0)
    bbs = _goal(measure="bbs", direction="increase", baseline_value=38, target_value=46)
    assert bbs.direction is GoalDirection.INCREASE


GOAL_REFUSALS: list[tuple[dict[str, Any], str]] = [
    ({"target_value": 16.0}, r"^target_value must be below baseline_value \(16\)"),
    ({"target_value": 18.0}, r"^target_value must be below baseline_value"),
    ({"measure": "walking_speed"}, r"^measure must be an outcome measure id"),
    ({"measure_kind": "metric", "measure": "Sway Path"}, r"^measure must be a metric name"),
    ({"target_date": START}, r"^target_date must be after baseline_date"),
    ({"baseline_value": float("nan")}, r"^baseline_value must be a finite number"),
    ({"description": ""}, r"^description must be non-empty"),
]


@pytest.mark.parametrize(("changes", "message"), GOAL_REFUSALS)
def test_goal_refusals(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        _goal(**changes)


def test_goal_progress_and_achievement() -> None:
    tug = _goal()  # 16 s -> 12 s
    assert [tug.progress_ratio(v) for v in (16.0, 14.0, 12.0, 17.0)] == [0.0, 0.5, 1.0, -0.25]
    assert [tug.achieved(v) for v in (12.1, 12.0, 11.0)] == [False, True, True]
    sls = _goal(
        measure_kind="metric",
        measure="single_leg_stance_s",
        direction="increase",
        baseline_value=4,
        target_value=20,
    )
    assert sls.progress_ratio(12) == 0.5 and sls.achieved(20) and not sls.achieved(19.9)


# --------------------------------------------------------------------------------------------
# Plan of care: certification, re-certification, progress reports
# --------------------------------------------------------------------------------------------

PLAN_REFUSALS: list[tuple[dict[str, Any], str]] = [
    ({"recertification_due_date": date(2025, 6, 3)}, r"^recertification_due_date .* at most 90"),
    ({"recertification_due_date": date(2025, 3, 4)}, r"^recertification_due_date must be after"),
    ({"frequency_per_week": 0}, r"^frequency_per_week must be an integer 1–7; got 0"),
    ({"frequency_per_week": 8}, r"^frequency_per_week must be an integer 1–7; got 8"),
    ({"duration_weeks": 53}, r"^duration_weeks must be an integer 1–52"),
    ({"goals": ()}, r"^goals must hold at least one"),
    ({"goals": (_goal(), _goal())}, r"^goals must have unique ids"),
    ({"progress_report_interval_visits": 11}, r"^progress_report_interval_visits must be"),
]


@pytest.mark.parametrize(("changes", "message"), PLAN_REFUSALS)
def test_plan_refusals(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        _plan(**changes)


def test_plan_dates_and_recertification() -> None:
    plan = _plan(recertification_due_date=date(2025, 6, 2))  # exactly 90 days: allowed
    assert plan.end_date == date(2025, 5, 25) and plan.planned_visits == 36
    assert not recertification_due(plan, on=date(2025, 6, 1))
    assert recertification_due(plan, on=date(2025, 6, 2))


# (visits so far, visit of the last report, report due?) with the Medicare interval of 10.
PROGRESS_REPORT_TABLE = [
    (0, 0, False),
    (9, 0, False),
    (10, 0, True),
    (12, 0, True),  # overdue stays due
    (12, 10, False),
    (19, 10, False),
    (20, 10, True),
    (20, 20, False),
]


@pytest.mark.parametrize(("visits", "last_report", "due"), PROGRESS_REPORT_TABLE)
def test_progress_report_due_every_10_visits(visits: int, last_report: int, due: bool) -> None:
    assert progress_report_due(_plan(), visits, last_report_at_visit=last_report) is due


def test_progress_report_counts_treatment_visits_from_sessions() -> None:
    plan = _plan(progress_report_interval_visits=3)
    day = date(2025, 3, 5)
    sessions = [
        _session("S-1", session_date=day),
        _session("S-2", session_date=day, exercises=(_exercise("bal-sls-foam-eo", on=day),)),
        _session("S-3", session_date=day + timedelta(days=1), setting="home"),  # not a visit
        _session("S-4", session_date=day + timedelta(days=2)),
        _session("S-5", session_date=day + timedelta(days=3), episode_id="E-2"),  # other episode
        _session("S-6", session_date=date(2025, 3, 2)),  # before the plan started
    ]
    assert count_treatment_visits(plan, sessions) == 2
    assert not progress_report_due(plan, sessions)
    sessions.append(_session("S-7", session_date=day + timedelta(days=4)))
    assert count_treatment_visits(plan, sessions) == 3
    assert progress_report_due(plan, sessions)
    assert count_treatment_visits(plan, sessions, through=day) == 1
    with pytest.raises(InvalidParameterError, match=r"^last_report_at_visit must be an integer"):
        progress_report_due(plan, 5, last_report_at_visit=6)


# --------------------------------------------------------------------------------------------
# Prescription
# --------------------------------------------------------------------------------------------


def test_prescription_refuses_a_repeated_or_unknown_exercise() -> None:
    dose = Dose(sets=3, hold_s=20, rest_s=30, sessions_per_week=5)
    item = PrescribedExercise(variant_id="bal-sls-firm-eo", dose=dose)
    with pytest.raises(InvalidParameterError, match=r"^exercises\[1\]\.variant_id must not"):
        Prescription(id="R-1", plan_id="C-1", start_date=START, exercises=(item, item))
    with pytest.raises(InvalidParameterError, match=r"^exercises must prescribe"):
        Prescription(id="R-1", plan_id="C-1", start_date=START, exercises=())
    library = load_library()
    good = Prescription(id="R-1", plan_id="C-1", start_date=START, exercises=(item,))
    check_prescription(good, library=library)
    assert good.dose_for("bal-sls-firm-eo") is dose
    with pytest.raises(NotFoundError, match=r"^variant_id is not in prescription R-1"):
        good.dose_for("bal-sls-foam-eo")
    unknown = replace(item, variant_id="bal-sls-on-ice")
    bad = Prescription(id="R-2", plan_id="C-1", start_date=START, exercises=(item, unknown))
    with pytest.raises(NotFoundError, match=r"^exercises\[1\]\.variant_id .*'bal-sls-on-ice'"):
        check_prescription(bad, library=library)


def test_impossible_prescribed_doses_are_refused() -> None:
    with pytest.raises(InvalidParameterError, match=r"^sets must be an integer 1–10; got 0"):
        Dose(sets=0, reps=10, rest_s=30, sessions_per_week=3)
    with pytest.raises(InvalidParameterError, match=r"^hold_s must be a number 1–300"):
        Dose(sets=3, hold_s=900, rest_s=30, sessions_per_week=3)


# --------------------------------------------------------------------------------------------
# Sessions: impossible doses, pain outside 0–10, duplicates, dates
# --------------------------------------------------------------------------------------------

# Impossible doses and pain outside 0–10 are refused by the exercise records a session holds
# (the progression engine's SessionRecord and SetRecord), naming the field.
EXERCISE_REFUSALS: list[tuple[dict[str, Any], str]] = [
    ({"pain_before_nprs": 11}, r"^pain_before_nprs must be an integer 0–10; got 11"),
    ({"pain_during_nprs": -1}, r"^pain_during_nprs must be an integer 0–10; got -1"),
    ({"pain_after_nprs": 3.5}, r"^pain_after_nprs must be an integer 0–10"),
    ({"sets_prescribed": 0}, r"^sets_prescribed must be an integer 1–10; got 0"),
    (
        {"sets": (SetRecord(hold_target_s=30, hold_done_s=30),) * 2},
        r"^sets must hold at most sets_prescribed \(1\) sets; got 2",
    ),
]


@pytest.mark.parametrize(("changes", "message"), EXERCISE_REFUSALS)
def test_impossible_doses_and_pain_are_refused(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        _exercise(**changes)


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"reps_target": 10, "reps_done": -1}, r"^reps_done must be"),
        ({"hold_target_s": 30, "hold_done_s": 4000.0}, r"^hold_done_s must be"),
        ({"reps_target": 101, "reps_done": 10}, r"^reps_target must be an integer 1–100"),
        ({"reps_target": 10, "reps_done": 10, "load_kg": -1.0}, r"^load_kg must be"),
    ],
)
def test_impossible_sets_are_refused(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        SetRecord(**fields)


SESSION_REFUSALS: list[tuple[dict[str, Any], type[Exception], str]] = [
    ({"exercises": ()}, InvalidParameterError, r"^exercises must hold at least one"),
    (
        {"exercises": (_exercise(), _exercise())},
        DomainRuleError,
        r"^exercises\[1\]\.variant_id must not repeat .*duplicate",
    ),
    (
        {"exercises": (_exercise(on=date(2025, 3, 6)),)},
        InvalidParameterError,
        r"^exercises\[0\]\.session_date must be the session's \(2025-03-05\)",
    ),
    (
        {"exercises": (_exercise(setting="home"),)},
        InvalidParameterError,
        r"^exercises\[0\]\.setting must be the session's \(clinic\)",
    ),
    (
        {"cues": {"bal-sls-foam-eo": ("Soft knee",)}},
        InvalidParameterError,
        r"^cues keys must be variants of the session's exercises",
    ),
    (
        {"cues": {"bal-sls-firm-eo": ("",)}},
        InvalidParameterError,
        r"^cues\[bal-sls-firm-eo\]\[0\] must be non-empty",
    ),
    (
        {"minutes_by_code": {"97112": 0}},
        InvalidParameterError,
        r"^minutes_by_code\[97112\] must be an integer 1–480; got 0",
    ),
    (
        {"minutes_by_code": {"NMR": 15}},
        InvalidParameterError,
        r"^minutes_by_code keys must be CPT .*'NMR'",
    ),
    (
        {"setting": "home", "minutes_by_code": {"97112": 15}},
        DomainRuleError,
        r"^minutes_by_code must be empty for a home session",
    ),
    ({"sequence": 15}, InvalidParameterError, r"^sequence must be an integer 1–14"),
    (
        {"started_at": datetime(2025, 3, 5, 9, 0)},
        InvalidParameterError,
        r"^started_at must be a timezone-aware datetime",
    ),
    ({"trial_ids": ("T-1", "T-1")}, InvalidParameterError, r"^trial_ids must not repeat"),
]


@pytest.mark.parametrize(("changes", "error", "message"), SESSION_REFUSALS)
def test_session_refusals(changes: dict[str, Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        _session(**changes)


def test_unknown_setting_is_refused() -> None:
    with pytest.raises(InvalidParameterError, match=r"^setting must be one of clinic, home"):
        TreatmentSession(
            id="S-1",
            patient_code="P-0001",
            episode_id="E-1",
            session_date=date(2025, 3, 5),
            setting="gym",
            exercises=(_exercise(),),
        )


def test_session_cues_and_exercise_lookup() -> None:
    visit = _session(cues={"bal-sls-firm-eo": "Soft knee"})
    assert visit.cues == {"bal-sls-firm-eo": ("Soft knee",)}
    assert visit.exercise("bal-sls-firm-eo").sets_prescribed == 1
    with pytest.raises(NotFoundError, match=r"^variant_id was not done in session S-1"):
        visit.exercise("bal-sls-foam-eo")


def test_exercise_history_is_in_date_order_for_the_engine() -> None:
    late = _session("S-2", session_date=date(2025, 3, 9))
    early = _session(
        "S-1",
        session_date=date(2025, 3, 7),
        exercises=(
            _exercise(on=date(2025, 3, 7)),
            _exercise("bal-sls-foam-eo", on=date(2025, 3, 7)),
        ),
    )
    history = exercise_history([late, early])
    assert [(r.session_date.day, r.variant_id) for r in history] == [
        (7, "bal-sls-firm-eo"),
        (7, "bal-sls-foam-eo"),
        (9, "bal-sls-firm-eo"),
    ]
    only = exercise_history([late, early], family_of={"bal-sls-foam-eo"})
    assert [r.variant_id for r in only] == ["bal-sls-foam-eo"]


def test_session_start_time_is_stored_as_utc() -> None:
    local = datetime(2025, 3, 5, 11, 0, tzinfo=timezone(timedelta(hours=2)))
    started = _session(started_at=local).started_at
    assert started == local and started is not None and started.tzinfo is UTC
    visit = _session(minutes_by_code={"97112": 24, "97110": 23})
    assert visit.total_minutes == 47 and list(visit.minutes_by_code) == ["97110", "97112"]


def test_check_session_dates_against_the_episode() -> None:
    episode = _episode(end_date=date(2025, 6, 1))
    check_session(_session(session_date=START), episode=episode, existing=())
    with pytest.raises(
        DomainRuleError,
        match=r"^session_date must not be before the episode began \(2025-03-03\); got 2025-03-02$",
    ):
        check_session(_session(session_date=date(2025, 3, 2)), episode=episode, existing=())
    with pytest.raises(DomainRuleError, match=r"^session_date must not be after the episode ended"):
        check_session(_session(session_date=date(2025, 6, 2)), episode=episode, existing=())
    with pytest.raises(DomainRuleError, match=r"^patient_code must be the episode's patient"):
        check_session(_session(patient_code="P-0002"), episode=episode, existing=())
    with pytest.raises(DomainRuleError, match=r"^episode_id must be the episode's id"):
        check_session(_session(episode_id="E-2"), episode=episode, existing=())


# Duplicate rule: same patient, date, setting and exercise variant.
DUPLICATE_TABLE: list[tuple[dict[str, Any], bool]] = [
    ({}, True),
    ({"exercises": (_exercise("bal-sls-foam-eo"), _exercise())}, True),
    ({"setting": "home"}, False),
    ({"session_date": date(2025, 3, 6)}, False),
    ({"patient_code": "P-0002"}, False),
    ({"exercises": (_exercise("bal-sls-foam-eo"),)}, False),
    ({"sequence": 2, "exercises": (_exercise(sequence=2),)}, False),  # twice-daily programme
]


@pytest.mark.parametrize(("changes", "duplicate"), DUPLICATE_TABLE)
def test_duplicate_sessions(changes: dict[str, Any], duplicate: bool) -> None:
    stored = _session("S-1")
    new = _session("S-2", **changes)
    assert bool(duplicate_keys(stored) & duplicate_keys(new)) is duplicate
    episode = _episode(patient_code=new.patient_code)
    if duplicate:
        with pytest.raises(DomainRuleError, match=r"variant_id must not repeat .*session S-1"):
            check_session(new, episode=episode, existing=[stored])
    else:
        check_session(new, episode=episode, existing=[stored])


def test_check_session_refuses_unknown_exercises_trials_and_a_taken_id() -> None:
    episode = _episode()
    library = load_library()
    check_session(_session(), episode=episode, existing=(), library=library)
    with pytest.raises(NotFoundError, match=r"^exercises\[0\]\.variant_id .*'bal-sls-on-ice'"):
        check_session(
            _session(exercises=(_exercise("bal-sls-on-ice"),)),
            episode=episode,
            existing=(),
            library=library,
        )
    with_trial = _session(trial_ids=("T-9",))
    with pytest.raises(NotFoundError, match=r"^trial_ids\[0\] must be a stored balance trial"):
        check_session(with_trial, episode=episode, existing=(), trial_ids={"T-1"})
    check_session(with_trial, episode=episode, existing=(), trial_ids={"T-9"})
    other_day = _session("S-1", session_date=date(2025, 3, 9))
    with pytest.raises(DomainRuleError, match=r"^id must be new; got 'S-1'"):
        check_session(_session("S-1"), episode=episode, existing=[other_day])


# --------------------------------------------------------------------------------------------
# Balance trials
# --------------------------------------------------------------------------------------------


def _trial(**changes: Any) -> BalanceTrialRecord:
    fields: dict[str, Any] = {
        "id": "T-1",
        "patient_code": "P-0001",
        "recorded_at": datetime(2025, 3, 5, 10, 0, tzinfo=UTC),
        "source_name": "trial.csv",
        "condition": "firm/eyes open",
        "preset": "reeducate-default",
        "sampling_rate_hz": 100.0,
        "duration_s": 30.0,
        "metrics": {"sway_path_length_m": 0.5},
        "settings": {"conventions": {"ellipse": "prediction"}, "lowpass_hz": 10},
    }
    return BalanceTrialRecord(**(fields | changes))


TRIAL_REFUSALS: list[tuple[dict[str, Any], str]] = [
    ({"metrics": {"sway_path_length_m": float("nan")}}, r"^metrics\.sway_path_length_m must be"),
    ({"metrics": {}}, r"^metrics must map"),
    ({"metrics": {"Path Length": 1.0}}, r"^metrics keys must be metric names"),
    ({"settings": {"window": object()}}, r"^settings\.window must hold only JSON values"),
    ({"settings": {"cut": float("inf")}}, r"^settings\.cut must hold finite numbers"),
    ({"recorded_at": datetime(2025, 3, 5, 10, 0)}, r"^recorded_at must be a timezone-aware"),
    ({"sampling_rate_hz": 0.0}, r"^sampling_rate_hz must be > 0; got 0.0"),
]


@pytest.mark.parametrize(("changes", "message"), TRIAL_REFUSALS)
def test_balance_trial_refusals(changes: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        _trial(**changes)


def test_balance_trial_does_not_share_the_callers_mappings() -> None:
    metrics = {"sway_path_length_m": 0.5}
    settings: dict[str, Any] = {"lowpass_hz": 10, "bands": (0.1, 0.5)}
    trial = _trial(metrics=metrics, settings=settings)
    metrics["sway_path_length_m"] = 9.0
    settings["lowpass_hz"] = 99
    assert trial.metrics["sway_path_length_m"] == 0.5
    assert trial.settings == {"lowpass_hz": 10, "bands": [0.1, 0.5]}


def test_trial_record_from_an_analysis_keeps_metrics_and_settings() -> None:
    rng = np.random.default_rng(7)
    n = 3000
    trial = CopTrial(
        ap_m=np.cumsum(rng.normal(0, 1e-4, n)),
        ml_m=np.cumsum(rng.normal(0, 1e-4, n)),
        sampling_rate_hz=100.0,
        source_unit="m",
        source_name="synthetic.csv",
    )
    analysis = analyze_trial(trial, preset=get_preset(DEFAULT_PRESET))
    record = trial_record_from_analysis(
        analysis, id="T-1", patient_code="P-0001", recorded_at=datetime(2025, 3, 5, tzinfo=UTC)
    )
    finite = {k: v for k, v in analysis.metrics.items() if np.isfinite(v)}
    assert dict(record.metrics) == finite and len(finite) > 10
    assert record.settings["preset"] == DEFAULT_PRESET
    assert record.sampling_rate_hz == analysis.trial.sampling_rate_hz
    assert record.source_name == "synthetic.csv"
