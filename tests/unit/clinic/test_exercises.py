"""The exercise library: loading, validation of bad files, content rules, and search."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reeducate.clinic import exercises
from reeducate.clinic.dimensions import Dimension, LoadBearing, Resistance, Surface, Vision
from reeducate.clinic.exercises import (
    Contraindication,
    CptCode,
    Dose,
    Equipment,
    ExerciseLibrary,
    Measurement,
    MeasurementKind,
    Region,
    Technique,
    load_library,
    load_library_from,
)
from reeducate.errors import FileFormatError, InvalidParameterError, NotFoundError


@pytest.fixture(scope="module")
def library() -> ExerciseLibrary:
    return load_library()


# ---------------------------------------------------------------------------------------------
# A small valid file; the bad-file tests each break one thing in it.

GOOD = """\
schema_version = 1

[[family]]
id = "t-stance"
name = "Test stance"
technique = "balance"
regions = ["hip"]
entry = "t-firm"
posture = "standing"
cpt_code = "97112"
instructions = ["Stand tall."]
cues = ["Breathe normally."]
common_faults = ["Leaning."]
safety_notes = ["Keep a counter within reach."]
contraindications = ["unable_to_stand_unassisted"]
equipment = ["counter"]
dose = { sets = 3, hold_s = 30, rest_s = 30, sessions_per_week = 3 }
measurements = [{ kind = "balance_trial" }]

[family.levels]
joints = "multi"
movement_path = "linear_one_plane"
load_bearing = "full_standing"
base_of_support = "bipedal"
support = "none"
surface = "firm"
vision = "eyes_open"
task = "static_hold"
resistance = "none"
speed = "slow_controlled"
duration = "short"

[[family.variant]]
id = "t-firm"
name = "Stance on the floor"
harder = { surface = "t-foam" }

[[family.variant]]
id = "t-foam"
name = "Stance on foam"
setup = ["Stand on a foam pad."]
levels = { surface = "foam" }
equipment = ["foam_pad"]
cues = ["Soft knees."]
contraindications = ["high_fall_risk_unsupervised"]
dose = { sets = 2, hold_s = 20, rest_s = 30, sessions_per_week = 3 }
"""


def write(tmp_path: Path, text: str, name: str = "clinic.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def load_error(tmp_path: Path, text: str) -> str:
    path = write(tmp_path, text)
    with pytest.raises(FileFormatError) as info:
        load_library_from([path])
    message = str(info.value)
    assert message.startswith(f"{path}, "), message  # every message names the file first
    return message[len(f"{path}, ") :]


def test_the_small_valid_file_loads_with_family_defaults_inherited(tmp_path: Path) -> None:
    library = load_library_from([write(tmp_path, GOOD)])
    firm, foam = library.get("t-firm"), library.get("t-foam")
    assert len(library) == 2
    assert foam.levels.surface is Surface.FOAM and firm.levels.surface is Surface.FIRM
    # setup goes before the family's instructions (no {setup} line); lists add; dose replaces
    assert foam.instructions == ("Stand on a foam pad.", "Stand tall.")
    assert foam.cues == ("Breathe normally.", "Soft knees.")
    assert foam.equipment == {Equipment.COUNTER, Equipment.FOAM_PAD}
    assert foam.contraindications == {
        Contraindication.UNABLE_TO_STAND_UNASSISTED,
        Contraindication.HIGH_FALL_RISK_UNSUPERVISED,
    }
    assert foam.dose == Dose(sets=2, hold_s=20, rest_s=30, sessions_per_week=3)
    assert firm.dose.hold_s == 30.0
    assert library.harder("t-firm", "surface") is foam
    assert library.easier("t-foam", Dimension.SURFACE) is firm
    assert library.harder("t-foam", "surface") is None
    assert foam.source == str(tmp_path / "clinic.toml")


def test_dose_message_has_the_documented_form(tmp_path: Path) -> None:
    text = GOOD.replace("dose = { sets = 2,", "dose = { sets = 0,")
    assert load_error(tmp_path, text) == (
        "variant 't-foam', field dose.sets: must be an integer 1–10; got 0"
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            'technique = "balance"',
            'technique = "yoga"',
            "family 't-stance', field technique: must be one of muscle_activation, "
            "nmes_activation, postural_control, balance, coordination; got 'yoga'",
            id="unknown-technique",
        ),
        pytest.param(
            'levels = { surface = "foam" }',
            'levels = { surface = "sand" }',
            "variant 't-foam', field levels.surface: must be a level of surface "
            "(firm, foam, unstable); got 'sand'",
            id="level-not-in-dimension",
        ),
        pytest.param(
            "hold_s = 30, rest_s = 30,",
            "hold_s = 30, rest_s = -5,",
            "family 't-stance', field dose.rest_s: must be a number 0–600; got -5",
            id="negative-dose",
        ),
        pytest.param(
            "dose = { sets = 2, hold_s = 20,",
            "dose = { sets = 2, hold_s = -20,",
            "variant 't-foam', field dose.hold_s: must be a number 1–300; got -20",
            id="negative-hold",
        ),
        pytest.param(
            'cpt_code = "97112"',
            'cpt_code = "97999"',
            "family 't-stance', field cpt_code: must be one of 97110, 97112, 97530, 97032; "
            "got '97999'",
            id="unknown-cpt",
        ),
        pytest.param(
            'id = "t-foam"',
            'id = "t-firm"',
            "variant 't-firm', field id: must be unique; 't-firm' is already a variant in",
            id="duplicate-id",
        ),
        pytest.param(
            'harder = { surface = "t-foam" }',
            'harder = { surface = "t-sand" }',
            "variant 't-firm', field harder.surface: must name a variant of the library; "
            "got 't-sand'",
            id="harder-link-to-missing-id",
        ),
        pytest.param(
            'harder = { surface = "t-foam" }',
            'harder = { vision = "t-foam" }',
            "variant 't-firm', field harder.vision: must name a variant exactly one level "
            "higher on vision and equal on every other dimension; 't-foam' differs by: "
            "surface firm → foam",
            id="harder-link-on-the-wrong-dimension",
        ),
        pytest.param(
            'levels = { surface = "foam" }',
            'levels = { surface = "unstable" }',
            "variant 't-firm', field harder.surface: must name a variant exactly one level "
            "higher on surface",
            id="harder-link-skips-a-level",
        ),
        pytest.param(
            'name = "Stance on foam"',
            'name = "Stance on foam"\nrepetitions = 10',
            "variant 't-foam', field repetitions: is not a known field",
            id="unknown-field",
        ),
        pytest.param(
            'duration = "short"\n',
            "",
            "family 't-stance', field levels.duration: is required: a family gives a level on "
            "every dimension",
            id="family-misses-a-dimension",
        ),
        pytest.param(
            'measurements = [{ kind = "balance_trial" }]',
            'measurements = [{ kind = "emg_activation" }]',
            "family 't-stance', field measurements[0].muscle: is required for kind "
            "emg_activation; got none",
            id="measurement-without-its-parameter",
        ),
        pytest.param(
            'measurements = [{ kind = "balance_trial" }]',
            'measurements = [{ kind = "balance_trial", muscle = "quadriceps" }]',
            "family 't-stance', field measurements[0].muscle: is not a parameter of kind "
            "balance_trial",
            id="measurement-with-a-foreign-parameter",
        ),
        pytest.param(
            'technique = "balance"',
            'technique = "nmes_activation"',
            "variant 't-firm', field nmes: must be given exactly when technique is nmes_activation",
            id="nmes-without-settings",
        ),
        pytest.param(
            'contraindications = ["unable_to_stand_unassisted"]',
            'contraindications = ["bad_knees"]',
            "family 't-stance', field contraindications: must be one of",
            id="unknown-contraindication",
        ),
        pytest.param(
            'entry = "t-firm"',
            'entry = "t-other"',
            "family 't-stance', field entry: must be one of the family's variants; got 't-other'",
            id="entry-not-in-family",
        ),
        pytest.param(
            'entry = "t-firm"',
            'entry = "t-firm"\nleads_to = ["t-nowhere"]',
            "family 't-stance', field leads_to: must name other families of the library; "
            "got 't-nowhere'",
            id="leads-to-unknown-family",
        ),
        pytest.param(
            'setup = ["Stand on a foam pad."]',
            'setup = ["Stand on a foam pad."]\ninstructions = ["Stand."]',
            "variant 't-foam', field setup: must not be given together with instructions",
            id="setup-and-instructions",
        ),
        pytest.param(
            "schema_version = 1",
            "schema_version = 2",
            "top level, field schema_version: must be 1; got 2",
            id="schema-version",
        ),
    ],
)
def test_a_bad_file_is_refused_naming_file_id_and_field(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert old in GOOD
    assert load_error(tmp_path, GOOD.replace(old, new, 1)).startswith(expected)


def test_two_variants_at_the_same_levels_are_refused(tmp_path: Path) -> None:
    text = GOOD.replace('harder = { surface = "t-foam" }', "").replace(
        'levels = { surface = "foam" }', ""
    )
    assert load_error(tmp_path, text).startswith(
        "variant 't-foam', field levels: must differ from every other variant of family "
        "'t-stance'; 't-firm' has the same level on every dimension"
    )


def test_invalid_toml_is_refused_with_its_position(tmp_path: Path) -> None:
    path = write(tmp_path, "schema_version = 1\n[[family]\n")
    with pytest.raises(FileFormatError, match=r"clinic\.toml: not valid TOML: .*line 2"):
        load_library_from([path])


def test_duplicate_family_across_files_names_both_files(tmp_path: Path) -> None:
    first = write(tmp_path, GOOD, "a.toml")
    second = write(tmp_path, GOOD.replace('"t-f', '"u-f'), "b.toml")
    with pytest.raises(
        FileFormatError,
        match=r"b\.toml, family 't-stance', field id: must be "
        r"unique; 't-stance' is already a family in .*a\.toml",
    ):
        load_library_from([first, second])


def test_a_clinic_file_clashing_with_the_builtin_library_is_refused(tmp_path: Path) -> None:
    clash = GOOD.replace('id = "t-foam"', 'id = "bal-sls-firm-eo"').replace(
        '"t-foam"', '"bal-sls-firm-eo"'
    )
    with pytest.raises(
        FileFormatError, match=r"'bal-sls-firm-eo' is already a variant in exercises/balance\.toml"
    ):
        load_library_from([write(tmp_path, clash)], include_builtin=True)


def test_a_clinic_file_adds_to_the_builtin_library(
    library: ExerciseLibrary, tmp_path: Path
) -> None:
    write(tmp_path, GOOD)
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    combined = load_library_from([tmp_path], include_builtin=True)  # a folder: its *.toml files
    assert len(combined) == len(library) + 2
    assert "t-foam" in combined and "bal-sls-firm-eo" in combined


def test_a_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=r"absent\.toml does not exist"):
        load_library_from([tmp_path / "absent.toml"])


# ---------------------------------------------------------------------------------------------
# The built-in library


def test_library_is_loaded_once_and_cached() -> None:
    assert load_library() is load_library()


def test_library_builds_uncached_from_the_package_files() -> None:
    # The load time itself is measured in benchmarks/bench_library.py, not asserted here.
    built = exercises._build(exercises._builtin_documents())
    assert len(built) >= 150
    assert {v.id for v in built.variants} == {v.id for v in load_library().variants}


def test_every_variant_has_text_a_patient_can_follow(library: ExerciseLibrary) -> None:
    for v in library:
        for field in ("instructions", "cues", "common_faults", "safety_notes"):
            texts = getattr(v, field)
            assert texts, f"{v.id}: no {field}"
            for text in texts:
                # whole sentences, short enough to read at a glance
                assert text[0].isupper() and text.endswith("."), f"{v.id} {field}: {text!r}"
                assert len(text) <= 180, f"{v.id} {field}: {len(text)} characters"


def test_nmes_variants_carry_settings_code_and_screening(library: ExerciseLibrary) -> None:
    nmes = [v for v in library if v.technique is Technique.NMES_ACTIVATION]
    assert nmes
    for v in nmes:
        assert v.nmes is not None and v.cpt_code is CptCode.ESTIM_ATTENDED, v.id
        assert {
            Contraindication.PACEMAKER,
            Contraindication.MALIGNANCY_AT_SITE,
            Contraindication.SKIN_DAMAGE_AT_SITE,
            Contraindication.IMPAIRED_COGNITION,
        } <= v.contraindications, v.id
        if Region.LUMBAR_CORE in v.regions or Region.HIP in v.regions:
            assert Contraindication.PREGNANCY in v.contraindications, v.id
        if Region.CERVICAL in v.regions:
            assert Contraindication.EPILEPSY in v.contraindications, v.id
    for v in library:
        if v.technique is not Technique.NMES_ACTIVATION:
            assert v.nmes is None and v.cpt_code is not CptCode.ESTIM_ATTENDED, v.id


def test_equipment_matches_the_levels(library: ExerciseLibrary) -> None:
    unstable = {
        Equipment.WOBBLE_BOARD,
        Equipment.BALANCE_DISC,
        Equipment.STABILITY_BALL,
        Equipment.SMALL_BALL,
    }
    for v in library:
        if v.levels.surface is Surface.FOAM:
            assert Equipment.FOAM_PAD in v.equipment, v.id
        if v.levels.surface is Surface.UNSTABLE:
            assert v.equipment & unstable, v.id
        if v.levels.resistance is Resistance.BAND:
            assert Equipment.RESISTANCE_BAND in v.equipment, v.id


def test_standing_with_eyes_closed_is_screened_for_unsupervised_fall_risk(
    library: ExerciseLibrary,
) -> None:
    risky = [
        v
        for v in library
        if v.levels.vision is Vision.EYES_CLOSED
        and v.levels.load_bearing is LoadBearing.FULL_STANDING
    ]
    assert risky
    for v in risky:
        assert Contraindication.HIGH_FALL_RISK_UNSUPERVISED in v.contraindications, v.id


def test_balance_trials_only_judge_standing_variants(library: ExerciseLibrary) -> None:
    # A balance trial takes its stance, surface and vision from the variant's levels.
    for v in library:
        if any(m.kind is MeasurementKind.BALANCE_TRIAL for m in v.measurements):
            assert v.levels.load_bearing is LoadBearing.FULL_STANDING, v.id


def test_measurement_parameters_are_checked_on_construction() -> None:
    with pytest.raises(InvalidParameterError, match="muscle is required for kind emg_activation"):
        Measurement(kind=MeasurementKind.EMG_ACTIVATION)
    with pytest.raises(InvalidParameterError, match="target_pct_mvc must be a number 1–100"):
        Measurement(kind=MeasurementKind.EMG_ACTIVATION, muscle="quadriceps", target_pct_mvc=150)  # type: ignore[arg-type]


def test_dose_needs_reps_or_hold() -> None:
    with pytest.raises(InvalidParameterError, match="reps or hold_s must be given"):
        Dose(sets=1, rest_s=0, sessions_per_week=3)


# ---------------------------------------------------------------------------------------------
# Lookup and search


def test_get_unknown_id_is_not_found(library: ExerciseLibrary) -> None:
    with pytest.raises(NotFoundError, match="'no-such-exercise' is not in the library"):
        library.get("no-such-exercise")
    with pytest.raises(LookupError):
        library.harder("no-such-exercise", "surface")
    with pytest.raises(InvalidParameterError, match="dimension must be one of"):
        library.harder("bal-sls-firm-eo", "colour")


def test_harder_options_follow_the_ladder_order(library: ExerciseLibrary) -> None:
    options = library.harder_options("bal-sls-firm-eo")
    assert [(d.value, v.id) for d, v in options] == [
        ("surface", "bal-sls-foam-eo"),
        ("vision", "bal-sls-firm-ht"),
        ("duration", "bal-sls-firm-eo-long"),
    ]
    assert [(d.value, v.id) for d, v in library.easier_options("bal-sls-foam-ht")] == [
        ("surface", "bal-sls-firm-ht"),
        ("vision", "bal-sls-foam-eo"),
    ]


def test_search_by_region_and_technique(library: ExerciseLibrary) -> None:
    hits = library.search(region="cervical", technique=Technique.BALANCE)
    assert hits and all(
        Region.CERVICAL in h.variant.regions and h.variant.technique is Technique.BALANCE
        for h in hits
    )
    assert {h.variant.family for h in hits} == {"bal-gaze-sit", "bal-gaze-stand"}


def test_search_by_levels(library: ExerciseLibrary) -> None:
    hits = library.search(
        technique="balance", levels={Dimension.SURFACE: "foam", "vision": Vision.EYES_CLOSED}
    )
    assert [h.variant.id for h in hits] == ["bal-stance-ft-foam-ec", "bal-sls-foam-ec"]


def test_search_by_equipment_keeps_only_fully_equipped_variants(library: ExerciseLibrary) -> None:
    counter_only = {h.variant.id for h in library.search(equipment_available={"counter"})}
    assert "bal-sls-firm-eo" in counter_only
    assert "bal-sls-foam-eo" not in counter_only  # needs a foam pad too
    assert all(library.get(i).equipment <= {Equipment.COUNTER} for i in counter_only)
    nothing = library.search(equipment_available=set())
    assert nothing and all(not h.variant.equipment for h in nothing)
    with_pad = {h.variant.id for h in library.search(equipment_available={"counter", "foam_pad"})}
    assert counter_only < with_pad and "bal-sls-foam-eo" in with_pad


def test_search_excludes_or_flags_a_patients_contraindications(library: ExerciseLibrary) -> None:
    everything = library.search()
    assert len(everything) == len(library) and not any(h.flagged for h in everything)
    excluded = library.search(contraindications={"pacemaker"})
    assert not any(h.variant.technique is Technique.NMES_ACTIVATION for h in excluded)
    assert not any(h.flagged for h in excluded)
    flagged = library.search(contraindications={"pacemaker"}, on_contraindication="flag")
    assert [h.variant.id for h in flagged] == [h.variant.id for h in everything]
    marked = {h.variant.id for h in flagged if h.flagged}
    assert marked == {v.id for v in library if Contraindication.PACEMAKER in v.contraindications}
    assert len(excluded) == len(library) - len(marked)
    assert all(h.contraindicated_by == {Contraindication.PACEMAKER} for h in flagged if h.flagged)


def test_search_by_text_needs_every_word(library: ExerciseLibrary) -> None:
    hits = [h.variant.id for h in library.search(text="Wobble  BOARD circles")]
    assert hits == ["bal-wobble-circles"]
    assert library.search(text="no-such-word-anywhere") == ()


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"region": "elbow"}, "region must be one of"),
        ({"technique": "yoga"}, "technique must be one of"),
        ({"levels": {"colour": "red"}}, "dimension must be one of"),
        ({"levels": {"surface": "sand"}}, "level of surface must be one of"),
        ({"equipment_available": {"trampoline"}}, "equipment_available must be one of"),
        ({"contraindications": {"bad_knees"}}, "contraindications must be one of"),
        ({"on_contraindication": "warn"}, "on_contraindication must be 'exclude' or 'flag'"),
    ],
)
def test_search_refuses_unknown_filter_values(
    library: ExerciseLibrary, kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        library.search(**kwargs)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Where a variant's own steps go: the family's "{setup}" and "{then}" placeholder lines

SLOTTED = GOOD.replace(
    'instructions = ["Stand tall."]',
    'instructions = ["Stand beside a counter.", "{setup}", "Lift one foot.", "{then}", "Hold."]',
).replace(
    'setup = ["Stand on a foam pad."]',
    'setup = ["Step onto a foam pad."]\nthen = ["Turn your head."]',
)


def test_setup_and_then_lines_fill_the_family_placeholders(tmp_path: Path) -> None:
    library = load_library_from([write(tmp_path, SLOTTED)])
    assert library.get("t-foam").instructions == (
        "Stand beside a counter.",
        "Step onto a foam pad.",
        "Lift one foot.",
        "Turn your head.",
        "Hold.",
    )
    # a variant that fills neither placeholder gets the family's steps, placeholders dropped
    assert library.get("t-firm").instructions == (
        "Stand beside a counter.",
        "Lift one foot.",
        "Hold.",
    )


def test_without_a_setup_placeholder_setup_goes_first(tmp_path: Path) -> None:
    text = SLOTTED.replace('"Stand beside a counter.", "{setup}", ', '"Stand beside a counter.", ')
    assert load_library_from([write(tmp_path, text)]).get("t-foam").instructions == (
        "Step onto a foam pad.",
        "Stand beside a counter.",
        "Lift one foot.",
        "Turn your head.",
        "Hold.",
    )


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(
            ', "{then}", "Hold."]',
            ', "Hold."]',
            "variant 't-foam', field then: needs a '{then}' line in the instructions of family "
            "'t-stance' to mark where these steps go; it has none",
            id="then-without-a-then-placeholder",
        ),
        pytest.param(
            'setup = ["Step onto a foam pad."]\nthen = ["Turn your head."]',
            'then = ["Turn your head."]\ninstructions = ["Stand."]',
            "variant 't-foam', field then: must not be given together with instructions",
            id="then-and-instructions",
        ),
        pytest.param(
            '"{setup}", "Lift one foot.", "{then}"',
            '"{then}", "Lift one foot.", "{setup}"',
            "family 't-stance', field instructions: must put '{setup}' before '{then}'",
            id="then-placeholder-before-setup-placeholder",
        ),
        pytest.param(
            '"Lift one foot.", "{then}"',
            '"Lift one foot.", "{setup}"',
            "family 't-stance', field instructions: must hold '{setup}' at most once; got it 2 "
            "times",
            id="placeholder-twice",
        ),
        pytest.param(
            '"{then}", "Hold."',
            '"{than}", "Hold."',
            "family 't-stance', field instructions: may hold braces only in the whole-line "
            "placeholders '{setup}' and '{then}'; got '{than}'",
            id="misspelt-placeholder",
        ),
        pytest.param(
            '"Lift one foot."',
            '"Lift one foot {then}."',
            "family 't-stance', field instructions: may hold braces only in the whole-line",
            id="placeholder-inside-a-step",
        ),
        pytest.param(
            'instructions = ["Stand beside a counter.", "{setup}", "Lift one foot.", "{then}", '
            '"Hold."]',
            'instructions = ["{setup}", "{then}"]',
            "family 't-stance', field instructions: must have at least one step besides the "
            "placeholders",
            id="only-placeholders",
        ),
        pytest.param(
            'then = ["Turn your head."]',
            'then = ["{then}"]',
            "variant 't-foam', field then: must not hold braces (placeholders such as '{setup}' "
            "belong in a family's instructions); got '{then}'",
            id="placeholder-in-a-variant",
        ),
        pytest.param(
            'setup = ["Step onto a foam pad."]',
            'setup = "Step onto a foam pad."',
            "variant 't-foam', field setup: must be a list of text; got 'Step onto a foam pad.'",
            id="setup-not-a-list",
        ),
        pytest.param(
            'then = ["Turn your head."]',
            'then = [" Turn."]',
            "variant 't-foam', field then: must be non-empty text without leading or trailing "
            "spaces; got ' Turn.'",
            id="then-line-with-spaces",
        ),
    ],
)
def test_bad_placeholders_are_refused_naming_file_id_and_field(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    assert old in SLOTTED
    assert load_error(tmp_path, SLOTTED.replace(old, new, 1)).startswith(expected)


# ---------------------------------------------------------------------------------------------
# The merged instructions read in an order a patient can follow (the real library)

#: How a line that puts the patient in a posture starts, and the postures it may stand for.
POSTURE_OPENINGS = {
    "Stand ": {"standing"},
    "Sit or lie ": {"sitting", "supine"},  # the patient's choice (quadriceps sets)
    "Sit ": {"sitting"},
    "Lie on your back": {"supine"},
    "Lie face down": {"prone"},
    "Lie on your side": {"side_lying"},
    "Kneel on hands and knees": {"quadruped"},
    "Kneel upright": {"tall_kneeling"},
    "Kneel on one knee": {"half_kneeling"},
}

#: Lines that only make sense once the patient is in position.
AFTER_POSITION = ("close your eyes", "turn your head", "the therapist gives", "hold for the time")


def postures_of(line: str) -> set[str] | None:
    return next((p for opening, p in POSTURE_OPENINGS.items() if line.startswith(opening)), None)


def test_every_variant_takes_its_own_posture_before_anything_else(library: ExerciseLibrary) -> None:
    for v in library:
        stated = [(i, postures_of(s)) for i, s in enumerate(v.instructions) if postures_of(s)]
        assert stated, f"{v.id}: no line puts the patient in a posture: {v.instructions}"
        first = stated[0][0]
        # every posture line agrees with the variant's posture (no "Lie on your back" in a
        # hands-and-knees variant)
        for i, allowed in stated:
            assert v.posture.value in (allowed or set()), (v.id, v.instructions[i])
        # at most one setting-up line (fixing a band, placing a pad) comes before the posture
        assert first <= 1, (v.id, v.instructions)
        for i, line in enumerate(v.instructions):
            if any(phrase in line.lower() for phrase in AFTER_POSITION):
                assert i > first, f"{v.id}: {line!r} comes before the patient is in position"


#: Equipment a line may only call "the ..." once an earlier line introduced it (patterns; "the
#: ball of the foot" is anatomy, not equipment).
INTRODUCED = (
    "counter",
    "foam pad",
    "wobble board",
    "band",
    "anchor",
    r"ball(?! of)",
    "stick",
    "towel",
)


def test_equipment_is_introduced_before_it_is_used(library: ExerciseLibrary) -> None:
    checked = 0
    for v in library:
        text = " ".join(v.instructions).lower()
        for thing in INTRODUCED:
            first = re.search(rf"\b{thing}\b", text)
            if first is not None:
                checked += 1
                # the two words before the first mention: "a sturdy counter", not "the counter"
                before = text[: first.start()].split()[-2:]
                assert "the" not in before, f"{v.id}: 'the {first[0]}' comes first: {text!r}"
        # no "as described" pointing at a line the patient has not read yet
        assert "described" not in text, v.id
    assert checked > 100  # the check reaches most variants


def test_single_leg_stance_reads_in_order(library: ExerciseLibrary) -> None:
    family = next(f for f in library.families if f.id == "bal-sls")
    assert len(family.variant_ids) >= 10
    for vid in family.variant_ids:
        steps = library.get(vid).instructions
        # the counter is introduced first, and only then held, touched or hovered over
        assert steps[0] == "Stand beside a sturdy counter.", (vid, steps)
        lift = next(i for i, s in enumerate(steps) if "lift the other foot" in s)
        before_lift = " ".join(steps[:lift]).lower()
        # nothing before the lift assumes the patient already stands on one leg, or asks for a
        # head turn or closed eyes
        for phrase in ("one leg", "standing on", "turn your head", "close your eyes"):
            assert phrase not in before_lift, (vid, phrase, steps)
        assert steps[-1] == "Hold for the time given, then change legs.", (vid, steps)


def test_the_reported_single_leg_stance_variants_read_as_a_patient_follows_them(
    library: ExerciseLibrary,
) -> None:
    assert library.get("bal-sls-firm-eo").instructions == (
        "Stand beside a sturdy counter.",
        "Keep your hands just above the counter without touching it.",
        "Shift your weight onto one leg and lift the other foot a few centimetres.",
        "Hold for the time given, then change legs.",
    )
    assert library.get("bal-sls-firm-ht").instructions == (
        "Stand beside a sturdy counter.",
        "Keep your hands just above the counter without touching it.",
        "Shift your weight onto one leg and lift the other foot a few centimetres.",
        "Once steady, turn your head slowly left and right.",
        "Hold for the time given, then change legs.",
    )
