"""The progression engine: each mastery, regress and hold rule at its boundary, the choice of the
dimension and of the regress step, the evidence in words, the weekly dose, therapist decisions,
and bad inputs refused with a message naming the field.

The §5.2 test cases themselves are in ``test_progression_cases.py``.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest

from reeducate.clinic.dimensions import Dimension, Surface, Vision
from reeducate.clinic.exercises import ExerciseLibrary, load_library
from reeducate.clinic.progression import (
    Assistance,
    BalanceEvent,
    Criterion,
    Decision,
    DecisionKind,
    DifficultyScale,
    PerceivedDifficulty,
    Quality,
    QualitySource,
    Rater,
    Recommendation,
    Rule,
    SessionRecord,
    SetRecord,
    Setting,
    Symptom,
    TherapistDecision,
    apply_decision,
    recommend,
    weekly_dose,
)
from reeducate.clinic.progression_rules import ProgressionRules, default_rules
from reeducate.errors import DomainRuleError, InvalidParameterError, NotFoundError

D11, D12, D13, D14, TODAY = (date(2024, 11, d) for d in (11, 12, 13, 14, 15))
SLS = "bal-sls-firm-eo"


@pytest.fixture(scope="module")
def library() -> ExerciseLibrary:
    return load_library()


@pytest.fixture(scope="module")
def rules() -> ProgressionRules:
    return default_rules()


def good(variant_id: str = SLS, day: date = D14, **changes: Any) -> SessionRecord:
    """A session meeting every mastery criterion (3 × 30 s holds, self-rating 2, no pain)."""
    session = SessionRecord(
        variant_id=variant_id,
        session_date=day,
        setting=Setting.CLINIC,
        sets_prescribed=3,
        sets=(SetRecord(hold_target_s=30, hold_done_s=30),) * 3,
        difficulty=PerceivedDifficulty(scale=DifficultyScale.BALANCE_1_5, value=2),
        pain_before_nprs=2,
        pain_during_nprs=2,
        pain_after_nprs=2,
        duration_min=10,
    )
    return dataclasses.replace(session, **changes)


def run(
    library: ExerciseLibrary,
    rules: ProgressionRules,
    *sessions: SessionRecord,
    variant_id: str = SLS,
    **kwargs: Any,
) -> Recommendation:
    kwargs.setdefault("today", TODAY)
    return recommend(variant_id, list(sessions), library=library, rules=rules, **kwargs)


def rule_after_one_good_day(
    library: ExerciseLibrary, rules: ProgressionRules, **latest: Any
) -> Recommendation:
    return run(library, rules, good(day=D12), good(day=D14, **latest))


# --- Mastery: every criterion on 2 consecutive sessions on different days ---------------------


def test_two_good_sessions_progress_and_every_data_point_is_ok(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    rec = run(library, rules, good(day=D12), good(day=D14))
    assert (rec.decision, rec.rule, rec.flag_for_therapist) == (
        Decision.PROGRESS,
        Rule.MASTERY,
        False,
    )
    assert {p.session_date for p in rec.data_points} == {D12, D14}
    assert all(p.ok for p in rec.data_points)
    assert {p.criterion for p in rec.data_points} >= {
        Criterion.SETS,
        Criterion.DIFFICULTY,
        Criterion.PAIN,
        Criterion.SYMPTOMS,
        Criterion.BALANCE_EVENT,
    }


def test_one_good_session_holds_and_says_how_many_more_are_needed(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    rec = run(library, rules, good(day=D14))
    assert (rec.decision, rec.rule) == (Decision.HOLD, Rule.NOT_ENOUGH_SESSIONS)
    assert rec.evidence == (
        "hold: 1 of 2 consecutive sessions meet every criterion (14 Nov: all 3 sets at 30/30 s, "
        "self-rating 2/5, no symptoms); 1 more needed"
    )


def test_no_session_at_this_level_holds(library: ExerciseLibrary, rules: ProgressionRules) -> None:
    rec = run(library, rules, good("bal-sls-fingertip", D12), good("bal-sls-fingertip", D14))
    assert (rec.decision, rec.rule, rec.data_points) == (
        Decision.HOLD,
        Rule.NOT_ENOUGH_SESSIONS,
        (),
    )
    assert rec.evidence.startswith("hold: no session at this level yet")


def test_two_good_sessions_on_the_same_day_are_not_two_consecutive_sessions(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    rec = run(library, rules, good(day=D14), good(day=D14, sequence=2))
    assert (rec.decision, rec.rule) == (Decision.HOLD, Rule.NOT_ENOUGH_SESSIONS)


def test_a_poor_session_between_good_ones_breaks_the_run(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    poor = good(day=D13, difficulty=PerceivedDifficulty(scale=DifficultyScale.BALANCE_1_5, value=3))
    assert run(library, rules, good(day=D12), poor, good(day=D14)).rule is Rule.NOT_ENOUGH_SESSIONS
    poor_last = dataclasses.replace(poor, session_date=D14)
    assert run(library, rules, good(day=D12), good(day=D13), poor_last).rule is Rule.NOT_MASTERED


def test_consecutive_sessions_comes_from_the_rules(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    three = dataclasses.replace(rules, consecutive_sessions=3)
    two_days = (good(day=D12), good(day=D14))
    assert run(library, three, *two_days).rule is Rule.NOT_ENOUGH_SESSIONS
    assert run(library, three, good(day=D11), *two_days).decision is Decision.PROGRESS


@pytest.mark.parametrize(
    ("latest", "words"),
    [
        (
            {"sets": (SetRecord(hold_target_s=30, hold_done_s=30),) * 2},
            "not every set at the top of its target (sets 30/30 s, 30/30 s (1 of 3 not done))",
        ),
        ({"difficulty": None}, "difficulty not recorded"),
        (
            {"difficulty": PerceivedDifficulty(scale=DifficultyScale.BALANCE_1_5, value=3)},
            "self-rating 3/5, above 2/5",
        ),
        (
            {"difficulty": PerceivedDifficulty(scale=DifficultyScale.RPE_0_10, value=4)},
            "difficulty 4/10, above 3/10",
        ),
        (
            {"pain_before_nprs": None},
            "pain before the session not recorded, so a rise cannot be ruled out",
        ),
        (
            {"sets": (SetRecord(hold_target_s=30, hold_done_s=30, losses_of_balance=1),) * 3},
            "1 loss of balance in one set",
        ),
        (
            {"quality": Quality(source=QualitySource.THERAPIST_RATING, score=2, scale_max=4)},
            "quality 2/4 (therapist), below 75% of its scale",
        ),
        ({"assistance": Assistance.CONTACT_GUARD}, "needed contact guard assistance"),
    ],
    ids=[
        "a-set-missing",
        "no-difficulty",
        "self-rating-3",
        "rpe-4",
        "pain-start-missing",
        "one-loss-of-balance",
        "quality-low",
        "contact-guard",
    ],
)
def test_each_mastery_criterion_alone_holds(
    library: ExerciseLibrary, rules: ProgressionRules, latest: dict[str, Any], words: str
) -> None:
    rec = rule_after_one_good_day(library, rules, **latest)
    assert (rec.decision, rec.rule) == (Decision.HOLD, Rule.NOT_MASTERED)
    assert rec.evidence.startswith(f"hold: 14 Nov: {words}")
    assert rec.evidence.endswith("progress needs 2 consecutive sessions meeting every criterion")
    assert [p.ok for p in rec.data_points].count(False) == 1


def test_difficulty_at_the_threshold_and_a_good_quality_progress(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    rpe3 = PerceivedDifficulty(scale=DifficultyScale.RPE_0_10, value=3)
    quality = Quality(source=QualitySource.MEASUREMENT, score=0.75, method="sway, balance trial")
    rec = run(
        library,
        rules,
        good(day=D12, difficulty=rpe3, quality=quality),
        good(day=D14, difficulty=rpe3, quality=quality),
    )
    assert rec.decision is Decision.PROGRESS
    assert "difficulty 3/10, quality 0.75 (measured), no symptoms" in rec.evidence


def test_quality_required_holds_a_session_without_one(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    strict = dataclasses.replace(rules, quality_required=True)
    rec = run(library, strict, good(day=D12), good(day=D14))
    assert (rec.rule, rec.evidence.split(";")[0]) == (
        Rule.NOT_MASTERED,
        "hold: 14 Nov: quality not recorded",
    )


def test_bottom_of_the_range_is_enough_only_when_the_rules_say_so(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    sets = (SetRecord(reps_target=12, reps_target_min=8, reps_done=9),) * 2
    sessions = [
        good("ma-slr", d, sets_prescribed=2, sets=sets, pain_during_nprs=None) for d in (D12, D14)
    ]
    assert run(library, rules, *sessions, variant_id="ma-slr").rule is Rule.NOT_MASTERED
    lenient = dataclasses.replace(rules, all_sets_at_top_of_target=False)
    assert run(library, lenient, *sessions, variant_id="ma-slr").decision is Decision.PROGRESS


def test_a_symptom_before_the_session_only_does_not_stop_progress(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    rec = run(
        library,
        rules,
        good(day=D12),
        good(day=D14, symptoms_before=frozenset({Symptom.HEADACHE})),
    )
    assert rec.decision is Decision.PROGRESS


# --- Regress triggers ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latest", "rule", "words"),
    [
        ({"balance_event": BalanceEvent.NEAR_FALL}, Rule.FALL_OR_NEAR_FALL, "a near-fall"),
        ({"balance_event": "fall"}, Rule.FALL_OR_NEAR_FALL, "a fall"),
        ({"pain_during_nprs": 4}, Rule.SYMPTOMS, "pain rose from 2 to 4 (NPRS, +2; regress at +2)"),
        ({"symptoms_during": {"dizziness"}}, Rule.SYMPTOMS, "dizziness during"),
        (
            {"symptoms_after": frozenset({Symptom.NAUSEA, Symptom.HEADACHE})},
            Rule.SYMPTOMS,
            "headache and nausea after",
        ),
        (
            {
                "difficulty": PerceivedDifficulty(
                    scale=DifficultyScale.BALANCE_1_5, value=5, rater=Rater.THERAPIST
                )
            },
            Rule.DIFFICULTY_TOO_HIGH,
            "therapist rating 5/5 (loss of balance)",
        ),
        (
            {"sets": (SetRecord(hold_target_s=30, hold_done_s=30, losses_of_balance=2),) * 3},
            Rule.LOSSES_OF_BALANCE,
            "2 losses of balance in one set (regress at 2)",
        ),
        (
            {"sets": (SetRecord(hold_target_s=30, hold_done_s=10),) * 3},
            Rule.BELOW_HALF_OF_TARGET,
            "only 33% of the target done (3 sets at 10/30 s; regress below 50%)",
        ),
    ],
    ids=[
        "near-fall",
        "fall",
        "pain-plus-2",
        "dizziness",
        "other-symptoms",
        "rating-5",
        "two-losses",
        "below-half",
    ],
)
def test_each_regress_trigger_alone_regresses_and_flags(
    library: ExerciseLibrary,
    rules: ProgressionRules,
    latest: dict[str, Any],
    rule: Rule,
    words: str,
) -> None:
    rec = rule_after_one_good_day(library, rules, **latest)
    assert (rec.decision, rec.rule, rec.flag_for_therapist) == (Decision.REGRESS, rule, True)
    assert rec.evidence.startswith(f"14 Nov: {words} → regress one level along ")


def test_just_below_each_regress_threshold_does_not_regress(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    rpe_10 = PerceivedDifficulty(scale=DifficultyScale.RPE_0_10, value=10)
    below: list[dict[str, Any]] = [
        {"pain_during_nprs": 3},  # +1 < MCID of 2
        {"sets": (SetRecord(hold_target_s=30, hold_done_s=15),) * 3},  # exactly 50 %
        {"difficulty": PerceivedDifficulty(scale=DifficultyScale.BALANCE_1_5, value=4)},
        {"difficulty": rpe_10},  # the default rules regress on no RPE rating
    ]
    for latest in below:
        assert rule_after_one_good_day(library, rules, **latest).decision is not Decision.REGRESS


def test_the_first_trigger_by_priority_decides_and_all_are_shown(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    rec = rule_after_one_good_day(
        library,
        rules,
        sets=(SetRecord(hold_target_s=30, hold_done_s=5),) * 3,
        balance_event=BalanceEvent.FALL,
    )
    assert rec.rule is Rule.FALL_OR_NEAR_FALL
    assert rec.evidence.startswith("14 Nov: a fall; only 17% of the target done")


def test_a_near_fall_the_clinic_does_not_regress_on_still_blocks_progress(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    only_falls = dataclasses.replace(rules, regress_balance_events=frozenset({BalanceEvent.FALL}))
    rec = run(library, only_falls, good(day=D12), good(day=D14, balance_event="near_fall"))
    assert (rec.decision, rec.rule) == (Decision.HOLD, Rule.NOT_MASTERED)


def test_only_the_latest_session_at_this_level_can_regress(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    fell_earlier = good(day=D12, balance_event="fall")
    rec = run(library, rules, fell_earlier, good(day=D13), good(day=D14))
    assert rec.decision is Decision.PROGRESS


# --- Which step a regress takes --------------------------------------------------------------


def test_regress_goes_back_along_the_dimension_most_recently_progressed(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    # firm + head turns → foam + head turns was a surface step: go back to the firm floor.
    came_by_surface = run(
        library,
        rules,
        good("bal-sls-firm-ht", D12),
        good("bal-sls-foam-ht", D14, balance_event="near_fall"),
        variant_id="bal-sls-foam-ht",
    )
    assert (came_by_surface.dimension, came_by_surface.target_variant_id) == (
        Dimension.SURFACE,
        "bal-sls-firm-ht",
    )
    assert "(the dimension most recently progressed)" in came_by_surface.evidence


def test_without_that_step_in_the_sessions_regress_takes_the_ladders_last_dimension(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    rec = run(
        library,
        rules,
        good("bal-sls-foam-ht", D14, balance_event="near_fall"),
        variant_id="bal-sls-foam-ht",
    )
    # Easier options: surface (foam → firm) and vision (head turns → eyes open); vision is later.
    assert (rec.dimension, rec.level_from, rec.level_to, rec.target_variant_id) == (
        Dimension.VISION,
        Vision.HEAD_TURNS,
        Vision.EYES_OPEN,
        "bal-sls-foam-eo",
    )
    assert "(the ladder's last dimension with an easier level)" in rec.evidence


def test_regress_at_the_familys_easiest_level_stays_and_names_the_families_leading_here(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    quad = good(
        "ma-quad-set",
        D14,
        sets_prescribed=1,
        sets=(SetRecord(reps_target=10, reps_done=10, hold_target_s=5, hold_done_s=5),),
        symptoms_during={"dizziness"},
    )
    rec = run(library, rules, quad, variant_id="ma-quad-set")
    assert (rec.decision, rec.target_variant_id, rec.dimension) == (
        Decision.REGRESS,
        "ma-quad-set",
        None,
    )
    assert rec.flag_for_therapist
    assert rec.suggested_families == ("nm-quadriceps",)
    assert rec.evidence == (
        "14 Nov: dizziness during → regress: no easier level in family ma-quad-set: reduce the "
        "dose or choose an easier exercise (families leading here: nm-quadriceps); flag for the "
        "therapist"
    )


# --- Long gaps -------------------------------------------------------------------------------


@pytest.mark.parametrize(("days_after", "steps_back"), [(7, False), (8, True), (30, True)])
def test_step_back_after_7_days_with_no_session(
    library: ExerciseLibrary, rules: ProgressionRules, days_after: int, steps_back: bool
) -> None:
    sessions = (good(day=D12), good(day=D14))
    rec = run(library, rules, *sessions, today=D14 + timedelta(days=days_after))
    assert (rec.rule is Rule.LONG_GAP) == steps_back
    if steps_back:
        assert rec.target_variant_id == "bal-sls-fingertip"
    else:
        assert rec.decision is Decision.PROGRESS


def test_the_gap_counts_from_the_prescription_date_so_a_step_back_is_not_repeated(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    # Stepped back from foam to firm on 23 Nov after a gap; no session since.
    sessions = (good(day=D12), good(day=D14))
    later = date(2024, 11, 25)
    without = run(library, rules, *sessions, today=later)
    assert without.rule is Rule.LONG_GAP
    stepped = run(library, rules, *sessions, today=later, prescribed_on=date(2024, 11, 23))
    assert stepped.rule is not Rule.LONG_GAP


def test_sessions_of_other_families_count_for_nothing(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    other = good("bal-stance-ft-firm-eo", date(2024, 11, 15), balance_event="fall")
    rec = run(library, rules, good(day=D12), good(day=D14), other, today=date(2024, 11, 23))
    # The fall is in another exercise; the gap of this exercise (8 days) still counts.
    assert rec.rule is Rule.LONG_GAP


# --- Which dimension a progression takes -----------------------------------------------------


def test_the_patients_goal_dimension_comes_first(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    rec = run(library, rules, good(day=D12), good(day=D14), goal_dimensions=["vision"])
    assert (rec.dimension, rec.target_variant_id) == (Dimension.VISION, "bal-sls-firm-ht")
    assert "→ progress along vision (patient goal): eyes open → head turns" in rec.evidence


def test_a_goal_with_no_harder_step_falls_back_to_the_ladder_order(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    rec = run(
        library,
        rules,
        good(day=D12),
        good(day=D14),
        goal_dimensions=(Dimension.RESISTANCE, Dimension.DURATION),
    )
    assert rec.dimension is Dimension.DURATION  # resistance has no step here; duration does
    rec = run(library, rules, good(day=D12), good(day=D14), goal_dimensions=("resistance",))
    assert (rec.dimension, rec.level_to) == (Dimension.SURFACE, Surface.FOAM)


def test_a_clinics_dimension_order_replaces_the_ladders(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    order = (Dimension.VISION, *(d for d in rules.dimension_order if d is not Dimension.VISION))
    vision_first = dataclasses.replace(rules, dimension_order=order)
    assert run(library, vision_first, good(day=D12), good(day=D14)).dimension is Dimension.VISION


def test_the_evidence_reads_like_the_therapists_note(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    sessions = [
        good(
            "co-mini-squat",
            day,
            sets_prescribed=3,
            sets=(SetRecord(reps_target=10, reps_done=10),) * 3,
            difficulty=PerceivedDifficulty(scale=DifficultyScale.RPE_0_10, value=3),
            pain_during_nprs=None,
        )
        for day in (D12, D14)
    ]
    rec = run(library, rules, *sessions, variant_id="co-mini-squat", goal_dimensions=["surface"])
    assert rec.evidence == (
        "2 consecutive sessions (12 and 14 Nov) with all 3 sets at 10/10 reps, difficulty 3/10, "
        "no symptoms → progress along surface (patient goal): firm → foam (co-mini-squat-foam)"
    )


def test_dates_across_months_and_differing_sets_are_spelled_out(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    first = good(day=date(2024, 10, 31))
    second = good(
        day=date(2024, 11, 2),
        sets=(SetRecord(hold_target_s=30, hold_done_s=30),) * 2
        + (SetRecord(hold_target_s=30, hold_done_s=35),),
    )
    rec = run(library, rules, first, second, today=date(2024, 11, 3))
    assert rec.evidence.startswith(
        "2 consecutive sessions (31 Oct and 2 Nov) with 31 Oct: all 3 sets at 30/30 s; "
        "2 Nov: sets 30/30 s, 30/30 s, 35/30 s, self-rating 2/5, no symptoms"
    )


def test_top_of_the_ladder_without_a_following_family(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    sessions = [
        good(
            "bal-perturb-dual",
            day,
            sets=(SetRecord(reps_target=8, reps_done=8),) * 3,
        )
        for day in (D12, D14)
    ]
    rec = run(library, rules, *sessions, variant_id="bal-perturb-dual")
    assert (rec.decision, rec.rule, rec.suggested_families) == (
        Decision.HOLD,
        Rule.TOP_OF_LADDER,
        (),
    )
    assert rec.evidence.endswith(
        "but bal-perturb-dual has no harder step on any dimension; no family follows it in the "
        "library"
    )


# --- Load progression ------------------------------------------------------------------------


def loaded(day: date, load_kg: float, reps: int = 12) -> SessionRecord:
    return good(
        "ma-slr",
        day,
        sets=(SetRecord(reps_target=12, reps_target_min=8, reps_done=reps, load_kg=load_kg),) * 3,
    )


def test_only_sessions_at_the_current_load_count(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    rec = run(library, rules, loaded(D12, 2.0), loaded(D14, 2.5), variant_id="ma-slr")
    assert (rec.decision, rec.rule) == (Decision.HOLD, Rule.NOT_ENOUGH_SESSIONS)
    rec = run(library, rules, loaded(D13, 2.5), loaded(D14, 2.5), variant_id="ma-slr")
    assert rec.dose_change is not None and rec.dose_change.load_kg == 3.0


def test_without_load_progression_a_loaded_exercise_climbs_a_dimension(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    off = dataclasses.replace(rules, load_progression=False)
    rec = run(library, off, loaded(D13, 2.0), loaded(D14, 2.0), variant_id="ma-slr")
    assert (rec.rule, rec.target_variant_id, rec.dose_change) == (
        Rule.MASTERY,
        "ma-slr-long",
        None,
    )


def test_a_fixed_rep_target_with_a_load_climbs_a_dimension(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    fixed = [
        good("ma-slr", d, sets=(SetRecord(reps_target=10, reps_done=10, load_kg=1),) * 3)
        for d in (D13, D14)
    ]
    assert run(library, rules, *fixed, variant_id="ma-slr").rule is Rule.MASTERY


# --- Weekly dose ------------------------------------------------------------------------------


def test_weekly_dose_counts_monday_to_sunday_and_training_days(rules: ProgressionRules) -> None:
    week = [
        good(day=date(2024, 11, 10), duration_min=99),  # Sunday before: not counted
        good(day=date(2024, 11, 11), duration_min=30),
        good("bal-stance-ft-firm-eo", date(2024, 11, 11), duration_min=20),
        good(day=date(2024, 11, 14), duration_min=40),
        good(day=date(2024, 11, 17), duration_min=None),
        good(day=date(2024, 11, 18), duration_min=99),  # next Monday: not counted
    ]
    dose = weekly_dose(week, week_of=date(2024, 11, 17), rules=rules)
    assert (dose.week_start, dose.week_end) == (date(2024, 11, 11), date(2024, 11, 17))
    assert (dose.minutes, dose.training_days, dose.records, dose.records_without_minutes) == (
        90.0,
        3,
        4,
        1,
    )
    assert dose.alert == (
        "below evidence-based dose: 90 of 120 min this week (11–17 Nov) (Sherrington 2011: "
        "≥ 2 h/week; Lesinski 2015: 91–120 min and 3 sessions/week); 1 record without minutes"
    )


def test_weekly_dose_flags_too_few_training_days_even_with_enough_minutes(
    rules: ProgressionRules,
) -> None:
    two_days = [good(day=date(2024, 11, d), duration_min=60) for d in (28, 29)]
    dose = weekly_dose(two_days, week_of=date(2024, 12, 1), rules=rules)
    assert dose.below_target
    assert dose.alert is not None
    assert dose.alert.startswith(
        "below evidence-based dose: 2 of 3 training days this week (25 Nov–1 Dec)"
    )


# --- Therapist decisions ---------------------------------------------------------------------

AT = datetime(2024, 11, 15, 9, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def progress(library: ExerciseLibrary, rules: ProgressionRules) -> Recommendation:
    return recommend(SLS, [good(day=D12), good(day=D14)], library=library, rules=rules, today=TODAY)


def test_accept_takes_the_recommended_variant(
    library: ExerciseLibrary, progress: Recommendation
) -> None:
    change = apply_decision(
        progress,
        TherapistDecision(kind=DecisionKind.ACCEPT, therapist_id="pt-7", decided_at=AT),
        library=library,
    )
    assert (change.variant_id_before, change.variant_id_after, change.changed) == (
        SLS,
        "bal-sls-foam-eo",
        True,
    )
    assert (change.recommended, change.rule, change.reason) == (
        Decision.PROGRESS,
        Rule.MASTERY,
        None,
    )
    assert change.evidence == progress.evidence


def test_accepting_a_load_progression_carries_the_dose_change(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    rec = run(library, rules, loaded(D13, 2.0), loaded(D14, 2.0), variant_id="ma-slr")
    change = apply_decision(
        rec,
        TherapistDecision(kind=DecisionKind.ACCEPT, therapist_id="pt-7", decided_at=AT),
        library=library,
    )
    assert change.variant_id_after == "ma-slr"
    assert change.dose_change == rec.dose_change
    assert change.changed


def test_reject_keeps_the_prescription_and_stores_the_reason(
    library: ExerciseLibrary, progress: Recommendation
) -> None:
    change = apply_decision(
        progress,
        TherapistDecision(
            kind=DecisionKind.REJECT,
            therapist_id="pt-7",
            decided_at=AT,
            reason="  fatigued today  ",
        ),
        library=library,
    )
    assert (change.variant_id_after, change.changed, change.reason) == (
        SLS,
        False,
        "fatigued today",
    )


def test_change_to_another_step_or_any_variant_records_which(
    library: ExerciseLibrary, progress: Recommendation
) -> None:
    def change_to(variant_id: str) -> tuple[tuple[Dimension, str] | None, str]:
        result = apply_decision(
            progress,
            TherapistDecision(
                kind=DecisionKind.CHANGE,
                therapist_id="pt-7",
                decided_at=AT,
                reason="goal is walking in the dark",
                change_to_variant_id=variant_id,
            ),
            library=library,
        )
        return result.step, result.variant_id_after

    assert change_to("bal-sls-firm-ht") == ((Dimension.VISION, "harder"), "bal-sls-firm-ht")
    assert change_to("bal-sls-fingertip") == ((Dimension.SUPPORT, "easier"), "bal-sls-fingertip")
    assert change_to("bal-reach-anterior") == (None, "bal-reach-anterior")


def test_decision_times_are_stored_in_utc(
    library: ExerciseLibrary, progress: Recommendation
) -> None:
    paris = timezone(timedelta(hours=1))
    decision = TherapistDecision(
        kind=DecisionKind.ACCEPT,
        therapist_id="pt-7",
        decided_at=datetime(2024, 11, 15, 10, 30, tzinfo=paris),
    )
    assert decision.decided_at == AT and decision.decided_at.tzinfo is UTC


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"kind": "reject"}, InvalidParameterError, "reason is required to reject"),
        (
            {"kind": "change", "change_to_variant_id": "bal-sls-firm-ht"},
            InvalidParameterError,
            "reason is required to change",
        ),
        ({"kind": "change", "reason": "x"}, InvalidParameterError, "change_to_variant_id must be"),
        ({"kind": "reject", "reason": "   "}, InvalidParameterError, "reason must be non-empty"),
        (
            {"kind": "accept", "change_to_variant_id": "bal-sls-firm-ht"},
            InvalidParameterError,
            "change_to_variant_id must be None unless kind is change",
        ),
        ({"kind": "maybe"}, InvalidParameterError, "kind must be one of accept, change, reject"),
        ({"kind": "accept", "therapist_id": ""}, InvalidParameterError, "therapist_id must be"),
        (
            {"kind": "accept", "decided_at": datetime(2024, 11, 15, 9)},
            InvalidParameterError,
            "decided_at must be a timezone-aware datetime",
        ),
    ],
)
def test_bad_decisions_are_refused(
    kwargs: dict[str, Any], error: type[Exception], message: str
) -> None:
    values: dict[str, Any] = {"therapist_id": "pt-7", "decided_at": AT, **kwargs}
    with pytest.raises(error, match=message):
        TherapistDecision(**values)


def test_applying_a_bad_change_is_refused(
    library: ExerciseLibrary, progress: Recommendation
) -> None:
    def decide(**kwargs: Any) -> TherapistDecision:
        values: dict[str, Any] = {"kind": "change", "therapist_id": "pt-7", "decided_at": AT}
        return TherapistDecision(**{**values, "reason": "because", **kwargs})

    with pytest.raises(NotFoundError, match=r"decision.change_to_variant_id must name a variant"):
        apply_decision(progress, decide(change_to_variant_id="bal-nope"), library=library)
    with pytest.raises(DomainRuleError, match="that is an accept"):
        apply_decision(progress, decide(change_to_variant_id="bal-sls-foam-eo"), library=library)
    with pytest.raises(DomainRuleError, match="must not be before the recommendation"):
        apply_decision(
            progress,
            decide(change_to_variant_id="bal-sls-firm-ht", decided_at=AT - timedelta(days=2)),
            library=library,
        )


# --- Bad inputs: refused with the field named, nothing returned ------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pain_before_nprs": 11}, "pain_before_nprs must be an integer 0–10; got 11"),
        ({"pain_during_nprs": -1}, "pain_during_nprs must be an integer 0–10; got -1"),
        ({"pain_after_nprs": 2.5}, "pain_after_nprs must be an integer 0–10; got 2.5"),
        ({"sets_prescribed": 0}, "sets_prescribed must be an integer 1–10; got 0"),
        ({"sets_prescribed": 2}, "sets must hold at most sets_prescribed (2) sets; got 3"),
        ({"sets": ("30 s",)}, "sets[0] must be a SetRecord; got '30 s'"),
        ({"session_date": datetime(2024, 11, 14, 9)}, "session_date must be a date"),
        ({"sequence": 0}, "sequence must be an integer 1–14; got 0"),
        ({"setting": "gym"}, "setting must be one of clinic, home; got 'gym'"),
        ({"variant_id": ""}, "variant_id must be non-empty text"),
        ({"balance_event": "trip"}, "balance_event must be one of none, near_fall, fall"),
        ({"assistance": "lots"}, "assistance must be one of independent, supervision"),
        ({"symptoms_during": "dizziness"}, "symptoms_during must be a set of symptoms"),
        ({"symptoms_after": {"vertigo"}}, "symptoms_after must be one of dizziness, nausea"),
        ({"duration_min": -5}, "duration_min must be a number 0–600; got -5"),
        ({"difficulty": 3}, "difficulty must be a PerceivedDifficulty or None; got 3"),
    ],
)
def test_a_bad_session_record_is_refused_naming_the_field(
    changes: dict[str, Any], message: str
) -> None:
    with pytest.raises(InvalidParameterError) as info:
        good(**changes)
    assert str(info.value).startswith(message)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"reps_target": 10, "reps_done": -3}, "reps_done must be an integer 0–1000; got -3"),
        ({"reps_target": 0, "reps_done": 0}, "reps_target must be an integer 1–100; got 0"),
        (
            {"reps_target": 8, "reps_target_min": 12, "reps_done": 8},
            "reps_target_min must be an integer 1–8; got 12",
        ),
        ({"reps_target": 10}, "reps_done must be given when reps_target is; got None"),
        ({"reps_done": 10}, "reps_target or hold_target_s must be given; got neither"),
        ({"hold_target_s": 30}, "hold_done_s must be given when hold_target_s is; got None"),
        ({"hold_target_s": 0, "hold_done_s": 0}, "hold_target_s must be > 0; got 0"),
        ({"hold_target_s": 30, "hold_done_s": -1}, "hold_done_s must be a number 0–3600; got -1"),
        ({"hold_target_s": 30, "hold_done_s": float("nan")}, "hold_done_s must be a number"),
        (
            {"hold_target_s": 30, "hold_done_s": 30, "load_kg": -2},
            "load_kg must be a number 0–500; got -2",
        ),
        (
            {"hold_target_s": 30, "hold_done_s": 30, "losses_of_balance": -1},
            "losses_of_balance must be an integer 0–100; got -1",
        ),
        (
            {"reps_target": 10, "reps_done": True},
            "reps_done must be an integer 0–1000; got True",
        ),
    ],
)
def test_a_bad_set_is_refused_naming_the_field(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        SetRecord(**kwargs)
    assert str(info.value).startswith(message)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: PerceivedDifficulty(scale=DifficultyScale.BALANCE_1_5, value=6),
            "difficulty.value on balance_1_5 must be a number 1–5; got 6",
        ),
        (
            lambda: PerceivedDifficulty(scale=DifficultyScale.BALANCE_1_5, value=2.5),
            "difficulty.value on balance_1_5 must be a whole number; got 2.5",
        ),
        (
            lambda: PerceivedDifficulty(scale="borg_6_20", value=12),
            "difficulty.scale must be one of balance_1_5, rpe_0_10; got 'borg_6_20'",
        ),
        (
            lambda: Quality(source=QualitySource.MEASUREMENT, score=1.2),
            "quality.score must be a number 0–1; got 1.2",
        ),
        (
            lambda: Quality(source=QualitySource.MEASUREMENT, score=3, scale_max=5),
            "quality.scale_max of a measurement must be 1; got 5",
        ),
        (
            lambda: Quality(source=QualitySource.THERAPIST_RATING, score=2.5, scale_max=4),
            "quality.score of a therapist rating must be a whole number; got 2.5",
        ),
    ],
)
def test_a_bad_rating_is_refused_naming_the_field(build: Any, message: str) -> None:
    with pytest.raises(InvalidParameterError) as info:
        build()
    assert str(info.value) == message


def test_sessions_out_of_date_order_are_refused(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    sessions = [good(day=D14), good(day=D12)]
    with pytest.raises(InvalidParameterError) as info:
        run(library, rules, *sessions)
    assert str(info.value) == (
        "sessions[1].session_date must not be before sessions[0] (2024-11-14, sequence 1): "
        "sessions must be in date order; got 2024-11-12, sequence 1"
    )
    assert sessions == [good(day=D14), good(day=D12)]  # not sorted in place


def test_a_duplicated_session_is_refused(library: ExerciseLibrary, rules: ProgressionRules) -> None:
    with pytest.raises(DomainRuleError) as info:
        run(library, rules, good(day=D12), good(day=D14), good(day=D14))
    assert str(info.value).startswith(
        "sessions[2] duplicates sessions[1]: the same variant_id 'bal-sls-firm-eo', "
        "session_date 2024-11-14 and sequence 1"
    )
    # The same day, second session of a twice-daily programme, is not a duplicate.
    run(library, rules, good(day=D14), good(day=D14, sequence=2))
    with pytest.raises(DomainRuleError):
        weekly_dose([good(day=D14)] * 2, week_of=D14, rules=default_rules())


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            {"variant_id": "bal-nope"},
            NotFoundError,
            "variant_id must name a variant of the library; got 'bal-nope'",
        ),
        (
            {"sessions": [good("bal-nope", D14)]},
            NotFoundError,
            "sessions[0].variant_id must name a variant of the library; got 'bal-nope'",
        ),
        (
            {"sessions": [good(day=date(2024, 11, 16))]},
            InvalidParameterError,
            "sessions[0].session_date must not be after today (2024-11-15); got 2024-11-16",
        ),
        (
            {"sessions": [{"variant_id": SLS}]},
            InvalidParameterError,
            "sessions[0] must be a SessionRecord; got dict",
        ),
        (
            {"goal_dimensions": ["balance"]},
            InvalidParameterError,
            "goal_dimensions must be one of joints, movement_path",
        ),
        (
            {"goal_dimensions": "surface"},
            InvalidParameterError,
            "goal_dimensions must be a sequence of dimensions; got 'surface'",
        ),
        (
            {"today": datetime(2024, 11, 15, 12)},
            InvalidParameterError,
            "today must be a date (datetime.date, not a datetime)",
        ),
        (
            {"prescribed_on": date(2024, 11, 16)},
            InvalidParameterError,
            "prescribed_on must not be after today (2024-11-15); got 2024-11-16",
        ),
    ],
)
def test_bad_recommend_arguments_are_refused_naming_the_field(
    library: ExerciseLibrary,
    rules: ProgressionRules,
    call: dict[str, Any],
    error: type[Exception],
    message: str,
) -> None:
    kwargs: dict[str, Any] = {"today": TODAY, **call}
    variant_id = kwargs.pop("variant_id", SLS)
    sessions = kwargs.pop("sessions", [good(day=D14)])
    with pytest.raises(error) as info:
        recommend(variant_id, sessions, library=library, rules=rules, **kwargs)
    assert str(info.value).startswith(message)


def test_recommend_is_pure_the_same_inputs_give_the_same_answer(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    sessions = (good(day=D12), good(day=D14))
    first = recommend(SLS, sessions, library=library, rules=rules, today=TODAY)
    again = recommend(SLS, sessions, library=library, rules=rules, today=TODAY)
    assert first == again
    assert sessions == (good(day=D12), good(day=D14))
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.decision = Decision.HOLD
