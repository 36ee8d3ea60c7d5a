"""Library and outcome-measure use cases: filters hold for every hit, match an independent scan of
the library, and scores match totals computed here from the published scoring rules."""

from __future__ import annotations

import json
import random

import pytest

from reeducate.clinic.dimensions import DIMENSIONS, Dimension
from reeducate.clinic.exercises import load_library
from reeducate.clinic.outcomes import MEASURES
from reeducate.errors import InvalidParameterError, NotFoundError
from reeducate.services.library import (
    exercise_detail,
    library_terms,
    list_measures,
    measure_detail,
    score_measure,
    search_exercises,
)

LIBRARY = load_library()


def _rank(dimension: str, level: str) -> int:
    return [lv.value for lv in DIMENSIONS[Dimension(dimension)].levels].index(level)


@pytest.mark.parametrize(
    ("region", "technique"),
    [("knee", "balance"), ("cervical", "muscle_activation"), ("lumbar_core", "postural_control")],
)
def test_region_and_technique_keep_exactly_the_matching_variants(
    region: str, technique: str
) -> None:
    found = search_exercises(region=region, technique=technique)
    assert found.count == len(found.exercises) > 0
    for hit in found.exercises:
        assert region in hit.regions and hit.technique == technique
    expected = [
        v.id for v in LIBRARY if v.technique.value == technique and region in v.regions
    ]  # an independent scan, in library order
    assert [hit.id for hit in found.exercises] == expected


def test_levels_filter_holds_on_every_dimension_given() -> None:
    found = search_exercises(levels={"surface": "foam", "base_of_support": "single_leg"})
    assert found.count > 0
    assert all(
        h.levels["surface"] == "foam" and h.levels["base_of_support"] == "single_leg"
        for h in found.exercises
    )
    expected = {
        v.id
        for v in LIBRARY
        if v.levels.surface.value == "foam" and v.levels.base_of_support.value == "single_leg"
    }
    assert {h.id for h in found.exercises} == expected


def test_a_contraindication_excludes_or_flags_exactly_the_conflicting_variants() -> None:
    with_pacemaker = {v.id for v in LIBRARY if "pacemaker" in v.contraindications}
    assert with_pacemaker  # the NMES exercises
    excluded = search_exercises(region="knee", contraindications=["pacemaker"])
    knee = {v.id for v in LIBRARY if "knee" in v.regions}
    assert {h.id for h in excluded.exercises} == knee - with_pacemaker
    flagged = search_exercises(
        region="knee", contraindications=["pacemaker"], flag_contraindicated=True
    )
    assert {h.id for h in flagged.exercises} == knee
    for hit in flagged.exercises:
        assert hit.contraindicated_by == (("pacemaker",) if hit.id in with_pacemaker else ())


def test_equipment_keeps_only_what_the_patient_has() -> None:
    found = search_exercises(equipment=["foam_pad", "counter"])
    assert found.count > 0
    assert all(set(h.equipment) <= {"foam_pad", "counter"} for h in found.exercises)
    assert any("foam_pad" in h.equipment for h in found.exercises)
    bare = search_exercises(equipment=[])
    assert bare.count > 0 and all(h.equipment == () for h in bare.exercises)


def test_text_words_must_all_appear() -> None:
    found = search_exercises(text="Single-leg  FOAM")
    assert found.count > 0 and found.filters["text"] == "Single-leg FOAM"
    for hit in found.exercises:
        d = exercise_detail(hit.id)
        words = " ".join(
            (d.id, d.name, d.family_name, *d.instructions, *d.cues, *d.equipment)
        ).lower()
        assert "single-leg" in words and "foam" in words
    assert search_exercises(text="zzz-no-such-word").count == 0


@pytest.mark.parametrize(
    ("kwargs", "field", "allowed"),
    [
        ({"region": "neck"}, "region", "cervical"),
        ({"technique": "yoga"}, "technique", "postural_control"),
        ({"levels": {"surfac": "foam"}}, "level", "base_of_support"),
        ({"levels": {"surface": "sand"}}, "level of surface", "firm, foam, unstable"),
        ({"equipment": ["trampoline"]}, "equipment", "foam_pad"),
        ({"contraindications": ["flu"]}, "contraindication", "pacemaker"),
    ],
)
def test_unknown_filter_words_name_the_field_and_what_is_allowed(
    kwargs: dict[str, object], field: str, allowed: str
) -> None:
    with pytest.raises(InvalidParameterError) as info:
        search_exercises(**kwargs)  # type: ignore[arg-type]
    message = str(info.value)
    assert message.startswith(field) and allowed in message and "got" in message


def test_harder_and_easier_steps_move_one_level_on_one_dimension_and_invert() -> None:
    checked = 0
    for variant in list(LIBRARY)[::7]:
        detail = exercise_detail(variant.id)
        for step in detail.harder:
            target = exercise_detail(step.id)
            changed = [d for d in detail.levels if detail.levels[d] != target.levels[d]]
            assert changed == [step.dimension]
            assert (
                _rank(step.dimension, step.to_level) == _rank(step.dimension, step.from_level) + 1
            )
            assert (step.dimension, variant.id) in {(s.dimension, s.id) for s in target.easier}
            checked += 1
    assert checked > 20


def test_exercise_detail_carries_what_a_therapist_needs() -> None:
    detail = exercise_detail("nm-quad-supine")
    assert detail.cpt_code == "97032" and detail.cpt_label
    assert detail.instructions and detail.safety_notes and detail.cues
    assert "pacemaker" in {c["code"] for c in detail.contraindications}
    assert all(c["label"] for c in detail.contraindications)
    assert detail.nmes is not None and detail.nmes["frequency_hz"] == 50.0
    assert detail.dose["sets"] == 1 and "10 reps" in detail.dose["text"]
    assert detail.measurements[0]["description"]


def test_unknown_exercise_id_suggests_the_closest() -> None:
    with pytest.raises(NotFoundError, match="bal-sls-firm-eo"):
        exercise_detail("bal-sls-firm")


def test_results_are_json_ready_and_round_trip() -> None:
    for result in (
        search_exercises(region="hip", contraindications=["pregnancy"], flag_contraindicated=True),
        exercise_detail("bal-sls-firm-eo"),
        library_terms(),
        measure_detail("minibest"),
        score_measure("odi", {"1": 3, "2": 1}, max_missing=8),
    ):
        doc = result.to_dict()
        assert json.loads(json.dumps(doc)) == doc


def test_berg_total_is_the_sum_of_the_items_and_the_cut_off_is_45() -> None:
    rng = random.Random(3)
    for _ in range(25):
        items = {str(n): rng.randint(0, 4) for n in range(1, 15)}
        report = score_measure("bbs", items, population="older_adults")
        total = sum(items.values())  # Berg 1992: 14 items 0–4, summed
        assert report.total == total
        fall_risk = next(i for i in report.interpretation if i["scheme"] == "fall risk")
        assert fall_risk["flag"] is (total < 45)
        assert report.items == {k: float(v) for k, v in items.items()}


def test_odi_missing_sections_lower_the_denominator() -> None:
    report = score_measure("odi", {str(n): 2 for n in range(1, 10)})
    assert report.total == pytest.approx(18 / 45 * 100)  # Fairbank & Pynsent 2000
    assert report.missing_items == ("10",) and "denominator" in report.missing_handling


def test_single_value_sex_and_age_reach_the_norms() -> None:
    report = score_measure("frt", value=20.0, age_years=75, sex="f")
    assert report.context == {"age_years": 75, "sex": "female", "population": None}
    assert any("female" in i["label"] for i in report.interpretation)
    with pytest.raises(InvalidParameterError, match="either item values or a single value"):
        score_measure("tug", {"time": 3.0}, value=12.0)
    with pytest.raises(InvalidParameterError, match="sex must be one of f, m"):
        score_measure("tug", value=12.0, sex="x")
    with pytest.raises(NotFoundError, match="bbs"):
        score_measure("berg", value=1.0)


def test_measure_list_and_detail_show_every_item_and_threshold() -> None:
    assert [m.id for m in list_measures()] == list(MEASURES)
    for measure_id, definition in MEASURES.items():
        detail = measure_detail(measure_id)
        assert [i.id for i in detail.items] == list(definition.item_ids)
        assert [(i.low, i.high) for i in detail.items] == [
            (i.allowed.low, i.allowed.high) for i in definition.items
        ]
        assert len(detail.thresholds) == len(definition.thresholds)
        assert all(t.source for t in detail.thresholds)
