"""The progression engine against every test case of ``reference/clinic.md`` §5.2, and the seed
ladder walked end to end.

Each test is named after its case; read together they are the engine's specification:

1. 3 × 8–12 reps at the same load, logged 8, 8, 8 → no progression (openGym #278).
2. Logged 12, 12, 11 → no progression (wger #2480); 12, 12, 12 on two consecutive sessions →
   progress the load, reps reset to 8.
3. Single-leg stance 30 s, eyes open, firm, no support, mastered on 2 sessions with self-rating 2
   → exactly one axis: foam, not foam plus eyes closed.
4. Same exercise, self-rating 5, or NPRS from 3 to 6 → regress one level, flag the therapist.
5. Otago sit-to-stand level B (one hand, 10 reps) mastered → level C (no hands, 10 reps).
6. Eight days without a session → restart one level down.
7. Weekly dose 60 min → "below evidence-based dose" alert.
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta

import pytest

from reeducate.clinic.dimensions import (
    LADDER_ORDER,
    LADDER_STAGES,
    Dimension,
    DimensionLevels,
    Joints,
    LoadBearing,
    Support,
    Surface,
    Vision,
    levels_of,
    next_level,
)
from reeducate.clinic.exercises import (
    ExerciseFamily,
    ExerciseLibrary,
    ExerciseVariant,
    load_library,
)
from reeducate.clinic.progression import (
    Decision,
    DifficultyScale,
    PerceivedDifficulty,
    Rule,
    SessionRecord,
    SetRecord,
    Setting,
    recommend,
    weekly_dose,
)
from reeducate.clinic.progression_rules import ProgressionRules, default_rules

TODAY = date(2024, 11, 15)


@pytest.fixture(scope="module")
def library() -> ExerciseLibrary:
    return load_library()


@pytest.fixture(scope="module")
def rules() -> ProgressionRules:
    return default_rules()


def reps_session(
    variant_id: str,
    day: date,
    reps_done: tuple[int, ...],
    *,
    target: int = 12,
    target_min: int | None = 8,
    load_kg: float | None = 2.0,
    rpe: float = 2,
) -> SessionRecord:
    return SessionRecord(
        variant_id=variant_id,
        session_date=day,
        setting=Setting.HOME,
        sets_prescribed=len(reps_done),
        sets=tuple(
            SetRecord(reps_target=target, reps_target_min=target_min, reps_done=r, load_kg=load_kg)
            for r in reps_done
        ),
        difficulty=PerceivedDifficulty(scale=DifficultyScale.RPE_0_10, value=rpe),
        pain_before_nprs=0,
        pain_after_nprs=0,
        duration_min=15,
    )


def stance_session(
    variant_id: str,
    day: date,
    *,
    rating: int = 2,
    pain: tuple[int, int] = (0, 0),
    hold_s: float = 30,
) -> SessionRecord:
    return SessionRecord(
        variant_id=variant_id,
        session_date=day,
        setting=Setting.CLINIC,
        sets_prescribed=3,
        sets=(SetRecord(hold_target_s=30, hold_done_s=hold_s),) * 3,
        difficulty=PerceivedDifficulty(scale=DifficultyScale.BALANCE_1_5, value=rating),
        pain_before_nprs=pain[0],
        pain_during_nprs=pain[1],
        duration_min=10,
    )


def mastered(variant: ExerciseVariant, day: date) -> SessionRecord:
    """A session that meets every mastery criterion at the variant's default dose."""
    dose = variant.dose
    done = SetRecord(
        reps_target=dose.reps,
        reps_done=dose.reps,
        hold_target_s=dose.hold_s,
        hold_done_s=dose.hold_s,
    )
    return SessionRecord(
        variant_id=variant.id,
        session_date=day,
        setting=Setting.HOME,
        sets_prescribed=dose.sets,
        sets=(done,) * dose.sets,
        difficulty=PerceivedDifficulty(scale=DifficultyScale.BALANCE_1_5, value=1),
        pain_before_nprs=0,
        pain_after_nprs=0,
        duration_min=20,
    )


D12, D13, D14 = date(2024, 11, 12), date(2024, 11, 13), date(2024, 11, 14)


# --- Case 1 ----------------------------------------------------------------------------------


def test_case_1_three_sets_of_8_to_12_logged_8_8_8_does_not_progress(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    sessions = [reps_session("ma-slr", d, (8, 8, 8)) for d in (D12, D14)]
    rec = recommend("ma-slr", sessions, library=library, rules=rules, today=TODAY)
    assert rec.decision is Decision.HOLD
    assert rec.rule is Rule.NOT_MASTERED
    assert rec.target_variant_id == "ma-slr"
    assert rec.dose_change is None
    assert "not every set at the top of its target (3 sets at 8/12 reps with 2 kg)" in rec.evidence


# --- Case 2 ----------------------------------------------------------------------------------


def test_case_2_logged_12_12_11_does_not_progress(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    sessions = [reps_session("ma-slr", d, (12, 12, 11)) for d in (D12, D14)]
    rec = recommend("ma-slr", sessions, library=library, rules=rules, today=TODAY)
    assert (rec.decision, rec.rule) == (Decision.HOLD, Rule.NOT_MASTERED)
    assert "sets 12/12 reps, 12/12 reps, 11/12 reps" in rec.evidence


def test_case_2_logged_12_12_12_on_two_consecutive_sessions_progresses_load_and_resets_reps_to_8(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    sessions = [reps_session("ma-slr", d, (12, 12, 12)) for d in (D12, D14)]
    rec = recommend("ma-slr", sessions, library=library, rules=rules, today=TODAY)
    assert (rec.decision, rec.rule) == (Decision.PROGRESS, Rule.MASTERY_LOAD)
    assert rec.target_variant_id == "ma-slr"  # same exercise, more load
    assert rec.dose_change is not None
    assert rec.dose_change.load_kg_before == 2.0
    assert rec.dose_change.load_kg == 2.5  # + load.increment_kg
    assert (rec.dose_change.reps_target_min, rec.dose_change.reps_target) == (8, 12)
    assert rec.dose_change.sets == 3
    assert rec.evidence == (
        "2 consecutive sessions (12 and 14 Nov) with all 3 sets at 12/12 reps with 2 kg, "
        "difficulty 2/10, no symptoms → progress load 2 → 2.5 kg, reps reset to 8 "
        "(target 8–12)"
    )


def test_case_2_one_session_of_12_12_12_is_not_yet_two_consecutive(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    sessions = [reps_session("ma-slr", D12, (12, 12, 11)), reps_session("ma-slr", D14, (12,) * 3)]
    rec = recommend("ma-slr", sessions, library=library, rules=rules, today=TODAY)
    assert (rec.decision, rec.rule) == (Decision.HOLD, Rule.NOT_ENOUGH_SESSIONS)
    assert "1 of 2 consecutive sessions" in rec.evidence


# --- Case 3 ----------------------------------------------------------------------------------


def test_case_3_single_leg_stance_mastered_moves_one_axis_to_foam_not_foam_and_eyes_closed(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    current = library.get("bal-sls-firm-eo")
    assert (current.levels.surface, current.levels.vision, current.levels.support) == (
        Surface.FIRM,
        Vision.EYES_OPEN,
        Support.NONE,
    )
    sessions = [stance_session("bal-sls-firm-eo", d, rating=2) for d in (D12, D14)]
    rec = recommend("bal-sls-firm-eo", sessions, library=library, rules=rules, today=TODAY)
    assert (rec.decision, rec.rule) == (Decision.PROGRESS, Rule.MASTERY)
    target = library.get(rec.target_variant_id)
    assert target.levels.differences(current.levels) == (Dimension.SURFACE,)
    assert (target.levels.surface, target.levels.vision) == (Surface.FOAM, Vision.EYES_OPEN)
    assert (rec.dimension, rec.level_from, rec.level_to) == (
        Dimension.SURFACE,
        Surface.FIRM,
        Surface.FOAM,
    )
    assert rec.evidence == (
        "2 consecutive sessions (12 and 14 Nov) with all 3 sets at 30/30 s, self-rating 2/5, "
        "no symptoms → progress along surface: firm → foam (bal-sls-foam-eo)"
    )


def test_case_3_holds_short_of_30_s_on_one_trial(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    sessions = [
        stance_session("bal-sls-firm-eo", D12),
        dataclasses.replace(
            stance_session("bal-sls-firm-eo", D14),
            sets=(SetRecord(hold_target_s=30, hold_done_s=30),) * 2
            + (SetRecord(hold_target_s=30, hold_done_s=28),),
        ),
    ]
    rec = recommend("bal-sls-firm-eo", sessions, library=library, rules=rules, today=TODAY)
    assert (rec.decision, rec.rule) == (Decision.HOLD, Rule.NOT_MASTERED)


# --- Case 4 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("trigger", "rule", "words"),
    [
        ({"rating": 5}, Rule.DIFFICULTY_TOO_HIGH, "self-rating 5/5 (loss of balance)"),
        ({"pain": (3, 6)}, Rule.SYMPTOMS, "pain rose from 3 to 6 (NPRS, +3; regress at +2)"),
    ],
    ids=["self-rating-5", "nprs-3-to-6"],
)
def test_case_4_self_rating_5_or_nprs_3_to_6_regresses_one_level_and_flags_the_therapist(
    library: ExerciseLibrary,
    rules: ProgressionRules,
    trigger: dict[str, object],
    rule: Rule,
    words: str,
) -> None:
    # The patient came to firm-floor single-leg stance by letting go of the fingertip support.
    sessions = [
        stance_session("bal-sls-fingertip", D12),
        stance_session("bal-sls-firm-eo", D13),
        stance_session("bal-sls-firm-eo", D14, **trigger),  # type: ignore[arg-type]
    ]
    rec = recommend("bal-sls-firm-eo", sessions, library=library, rules=rules, today=TODAY)
    assert (rec.decision, rec.rule) == (Decision.REGRESS, rule)
    assert rec.flag_for_therapist
    assert rec.target_variant_id == "bal-sls-fingertip"
    assert library.easier("bal-sls-firm-eo", Dimension.SUPPORT) == library.get(
        rec.target_variant_id
    )
    assert (rec.dimension, rec.level_from, rec.level_to) == (
        Dimension.SUPPORT,
        Support.NONE,
        Support.FINGERTIP,
    )
    assert rec.evidence == (
        f"14 Nov: {words} → regress one level along support (the dimension most recently "
        "progressed): none → fingertip (bal-sls-fingertip); flag for the therapist"
    )
    assert any(not p.ok and p.session_date == D14 for p in rec.data_points)


def test_case_4_after_progressing_to_foam_a_self_rating_of_5_returns_to_the_firm_floor(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    sessions = [
        stance_session("bal-sls-firm-eo", D12),
        stance_session("bal-sls-firm-eo", D13),
        stance_session("bal-sls-foam-eo", D14, rating=5),
    ]
    rec = recommend("bal-sls-foam-eo", sessions, library=library, rules=rules, today=TODAY)
    assert (rec.decision, rec.target_variant_id, rec.dimension) == (
        Decision.REGRESS,
        "bal-sls-firm-eo",
        Dimension.SURFACE,
    )


# --- Case 5 ----------------------------------------------------------------------------------


def otago_sit_to_stand_library(template: ExerciseVariant) -> ExerciseLibrary:
    """Otago sit-to-stand levels A–D as a clinic would write them: A two hands → B one hand →
    C no hands → D no hands, 2 sets. Otago's B → C skips the built-in ladder's fingertip rung,
    which the TOML loader refuses, so this library is built directly from variants."""
    base = template.levels.replace(Dimension.LOAD_BEARING, LoadBearing.FULL_STANDING)
    rows = {
        "otago-sts-a": ("two_hands", "short", 1),
        "otago-sts-b": ("one_hand", "short", 1),
        "otago-sts-c": ("none", "short", 1),
        "otago-sts-d": ("none", "long", 2),
    }
    variants = {
        vid: dataclasses.replace(
            template,
            id=vid,
            name=f"Otago sit-to-stand level {vid[-1].upper()}",
            family="otago-sts",
            levels=base.replace(Dimension.SUPPORT, support).replace(Dimension.DURATION, duration),
            dose=dataclasses.replace(template.dose, sets=sets, reps=10, hold_s=None),
        )
        for vid, (support, duration, sets) in rows.items()
    }
    family = ExerciseFamily(
        id="otago-sts",
        name="Otago sit-to-stand",
        technique=template.technique,
        regions=template.regions,
        entry="otago-sts-a",
        leads_to=(),
        variant_ids=tuple(variants),
        source="Otago manual (ACC1162), sit-to-stand levels A-D",
    )
    harder = {
        ("otago-sts-a", Dimension.SUPPORT): "otago-sts-b",
        ("otago-sts-b", Dimension.SUPPORT): "otago-sts-c",
        ("otago-sts-c", Dimension.DURATION): "otago-sts-d",
    }
    return ExerciseLibrary(variants=variants, families={"otago-sts": family}, harder=harder)


def test_case_5_otago_sit_to_stand_level_b_one_hand_mastered_goes_to_level_c_no_hands(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    otago = otago_sit_to_stand_library(library.get("co-mini-squat"))
    level_b = otago.get("otago-sts-b")
    sessions = [mastered(level_b, d) for d in (D12, D14)]
    assert all(s.sets == (SetRecord(reps_target=10, reps_done=10),) for s in sessions)
    rec = recommend("otago-sts-b", sessions, library=otago, rules=rules, today=TODAY)
    assert (rec.decision, rec.target_variant_id) == (Decision.PROGRESS, "otago-sts-c")
    assert (rec.dimension, rec.level_from, rec.level_to) == (
        Dimension.SUPPORT,
        Support.ONE_HAND,
        Support.NONE,
    )
    level_c = otago.get("otago-sts-c")
    assert level_c.dose.reps == 10 and level_c.dose.sets == 1
    # Level C mastered → level D (no hands, 2 sets): the only harder step left.
    rec_c = recommend(
        "otago-sts-c",
        [mastered(level_c, d) for d in (D12, D14)],
        library=otago,
        rules=rules,
        today=TODAY,
    )
    assert (rec_c.target_variant_id, otago.get(rec_c.target_variant_id).dose.sets) == (
        "otago-sts-d",
        2,
    )


def test_case_5_in_the_built_in_library_one_hand_reaches_no_hands_through_the_fingertip_rung(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    """The built-in ladder has a fingertip rung between one hand and none, so a built-in
    Otago-like family (mini squat) takes two mastered steps where Otago takes one."""
    walk = ["co-mini-squat-one-hand"]
    for _ in range(2):
        current = library.get(walk[-1])
        rec = recommend(
            current.id,
            [mastered(current, d) for d in (D12, D14)],
            library=library,
            rules=rules,
            today=TODAY,
        )
        assert rec.dimension is Dimension.SUPPORT
        walk.append(rec.target_variant_id)
    assert [library.get(v).levels.support for v in walk] == [
        Support.ONE_HAND,
        Support.FINGERTIP,
        Support.NONE,
    ]


# --- Case 6 ----------------------------------------------------------------------------------


def test_case_6_eight_days_without_a_session_restarts_one_level_down(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    last = date(2024, 11, 1)
    sessions = [
        stance_session("bal-sls-firm-eo", date(2024, 10, 28)),
        stance_session("bal-sls-firm-eo", date(2024, 10, 30)),
        stance_session("bal-sls-foam-eo", last, rating=3),
    ]
    today = last + timedelta(days=8)
    rec = recommend("bal-sls-foam-eo", sessions, library=library, rules=rules, today=today)
    assert (rec.decision, rec.rule) == (Decision.REGRESS, Rule.LONG_GAP)
    assert rec.target_variant_id == "bal-sls-firm-eo"
    assert rec.flag_for_therapist
    assert rec.evidence.startswith(
        "7 days without a session (last session 1 Nov, today 9 Nov; step back after 7) → "
        "regress one level along surface"
    )


# --- Case 7 ----------------------------------------------------------------------------------


def test_case_7_weekly_dose_of_60_min_raises_the_below_evidence_based_dose_alert(
    rules: ProgressionRules,
) -> None:
    week = [date(2024, 11, 11), date(2024, 11, 13), date(2024, 11, 15)]  # Mon, Wed, Fri
    sessions = [
        dataclasses.replace(stance_session("bal-sls-firm-eo", d), duration_min=20) for d in week
    ]
    dose = weekly_dose(sessions, week_of=date(2024, 11, 14), rules=rules)
    assert (dose.minutes, dose.training_days, dose.minutes_target) == (60.0, 3, 120.0)
    assert dose.below_target
    assert dose.alert == (
        "below evidence-based dose: 60 of 120 min this week (11–17 Nov) (Sherrington 2011: "
        "≥ 2 h/week; Lesinski 2015: 91–120 min and 3 sessions/week)"
    )
    enough = [dataclasses.replace(s, duration_min=40) for s in sessions]
    at_target = weekly_dose(enough, week_of=date(2024, 11, 14), rules=rules)
    assert (at_target.minutes, at_target.below_target, at_target.alert) == (120.0, False, None)


# --- The seed ladder -------------------------------------------------------------------------


def seed_ladder_library(template: ExerciseVariant) -> ExerciseLibrary:
    """A family built from the ladder order: a chain from the easiest point (single joint,
    non-weight-bearing, ...) climbing every dimension to its top in turn, and at every rung a
    one-step branch along EVERY other dimension that can still climb, so that the engine has to
    choose the dimension at each step."""
    chain = [DimensionLevels.easiest()]
    for dimension in LADDER_ORDER:
        while (up := next_level(chain[-1].level(dimension))) is not None:
            chain.append(chain[-1].replace(dimension, up))
    variants: dict[str, ExerciseVariant] = {}
    harder: dict[tuple[str, Dimension], str] = {}

    def add(vid: str, levels: DimensionLevels) -> None:
        variants[vid] = dataclasses.replace(template, id=vid, family="seed", levels=levels)

    for k, levels in enumerate(chain):
        add(f"seed-{k}", levels)
    for k, levels in enumerate(chain):
        for dimension in Dimension:
            up = next_level(levels.level(dimension))
            if up is None:
                continue
            if k + 1 < len(chain) and chain[k + 1] == levels.replace(dimension, up):
                harder[(f"seed-{k}", dimension)] = f"seed-{k + 1}"
            else:
                branch = f"seed-{k}-{dimension.value.replace('_', '-')}"
                add(branch, levels.replace(dimension, up))
                harder[(f"seed-{k}", dimension)] = branch
    family = ExerciseFamily(
        id="seed",
        name="Seed ladder",
        technique=template.technique,
        regions=template.regions,
        entry="seed-0",
        leads_to=(),
        variant_ids=tuple(variants),
        source="test",
    )
    return ExerciseLibrary(variants=variants, families={"seed": family}, harder=harder)


def test_seed_ladder_walked_end_to_end_single_joint_nwb_to_speed_and_duration(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    seed = seed_ladder_library(library.get("ma-quad-set"))
    start = seed.get("seed-0")
    assert (start.levels.joints, start.levels.load_bearing) == (
        Joints.SINGLE,
        LoadBearing.NON_WEIGHT_BEARING,
    )
    steps: list[Dimension] = []
    current = start
    day = date(2024, 1, 1)
    history: list[SessionRecord] = []
    while True:
        history += [mastered(current, day), mastered(current, day + timedelta(days=2))]
        day += timedelta(days=3)
        rec = recommend(current.id, history, library=seed, rules=rules, today=day)
        if rec.decision is Decision.HOLD:
            assert rec.rule is Rule.TOP_OF_LADDER
            break
        assert rec.decision is Decision.PROGRESS and rec.dimension is not None
        nxt = seed.get(rec.target_variant_id)
        assert nxt.levels.differences(current.levels) == (rec.dimension,)
        steps.append(rec.dimension)
        current = nxt
    # Every rung of every dimension, one at a time, in the ladder's order ...
    assert steps == [d for d in LADDER_ORDER for _ in levels_of(d)[1:]]
    assert current.levels == DimensionLevels.from_mapping({d: levels_of(d)[-1] for d in Dimension})
    # ... which is the seed ladder: multi-joint → non-linear → weight-bearing → proprioceptive
    # challenge → task → resistance → speed and duration.
    stage_of = {d: name for name, dims in LADDER_STAGES for d in dims}
    assert list(dict.fromkeys(stage_of[d] for d in steps)) == [
        "multi-joint",
        "non-linear movement",
        "weight-bearing",
        "proprioceptive challenge",
        "task challenge",
        "resistance",
        "speed and duration",
    ]
    # Within the proprioceptive challenge the base narrows first under easy sensory conditions.
    proprio = [d for d in steps if stage_of[d] == "proprioceptive challenge"]
    assert (
        proprio
        == [Dimension.BASE_OF_SUPPORT] * 3
        + [Dimension.SUPPORT] * 3
        + [Dimension.SURFACE] * 2
        + [Dimension.VISION] * 2
    )


def test_seed_ladder_in_the_library_every_mastered_variant_climbs_its_first_dimension_in_order(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    checked = 0
    for variant in library:
        options = library.harder_options(variant.id)
        rec = recommend(
            variant.id,
            [mastered(variant, d) for d in (D12, D14)],
            library=library,
            rules=dataclasses.replace(rules, load_progression=False),
            today=TODAY,
        )
        if not options:
            assert rec.rule is Rule.TOP_OF_LADDER
            continue
        first = min(options, key=lambda o: LADDER_ORDER.index(o[0]))
        assert (rec.dimension, rec.target_variant_id) == (first[0], first[1].id), variant.id
        checked += 1
    assert checked > 100


def test_seed_ladder_otago_single_leg_stance_from_two_hands_to_the_top_then_the_next_family(
    library: ExerciseLibrary, rules: ProgressionRules
) -> None:
    walk = ["bal-sls-two-hands"]
    while True:
        current = library.get(walk[-1])
        rec = recommend(
            current.id,
            [mastered(current, d) for d in (D12, D14)],
            library=library,
            rules=rules,
            today=TODAY,
        )
        if rec.decision is Decision.HOLD:
            break
        walk.append(rec.target_variant_id)
    assert walk == [
        "bal-sls-two-hands",
        "bal-sls-one-hand",
        "bal-sls-fingertip",
        "bal-sls-firm-eo",
        "bal-sls-foam-eo",
        "bal-sls-wobble-eo",
    ]
    assert rec.rule is Rule.TOP_OF_LADDER
    assert rec.suggested_families == ("bal-reach",)
    assert "hold: top of the ladder" in rec.evidence
    assert "next: family bal-reach (start at bal-reach-anterior-fingertip)" in rec.evidence
