"""The registry as a whole: which measures exist, which way is better for each, the floor and
ceiling of every measure, the shared entry points and their refusals."""

from __future__ import annotations

import pytest

from reeducate.clinic.outcomes import (
    MEASURES,
    Better,
    ChangeDirection,
    Unit,
    compare,
    get_measure,
    score,
)
from reeducate.errors import InvalidParameterError, NotFoundError

#: id → (unit, better, floor, ceiling) as published (team reference §2; Kempen 2008).
#: ``None`` floor: the test time must be > 0 s, so there is no attainable minimum.
EXPECTED = {
    "bbs": (Unit.POINTS, Better.HIGHER, 0, 56),
    "tug": (Unit.SECONDS, Better.LOWER, None, 300),
    "minibest": (Unit.POINTS, Better.HIGHER, 0, 28),
    "fga": (Unit.POINTS, Better.HIGHER, 0, 30),
    "abc": (Unit.PERCENT, Better.HIGHER, 0, 100),
    "ftsts": (Unit.SECONDS, Better.LOWER, None, 300),
    "frt": (Unit.CENTIMETRES, Better.HIGHER, 0, 100),
    "sls-eo": (Unit.SECONDS, Better.HIGHER, 0, 120),
    "mctsib": (Unit.SECONDS, Better.HIGHER, 0, 120),
    "odi": (Unit.PERCENT, Better.LOWER, 0, 100),
    "ndi": (Unit.POINTS, Better.LOWER, 0, 50),
    "nprs": (Unit.POINTS, Better.LOWER, 0, 10),
    "psfs": (Unit.POINTS, Better.HIGHER, 0, 10),
    "lefs": (Unit.POINTS, Better.HIGHER, 0, 80),
    "short-fes-i": (Unit.POINTS, Better.LOWER, 7, 28),
}


def test_registry_holds_exactly_the_measures_of_issue_3() -> None:
    assert set(MEASURES) == set(EXPECTED)
    assert all(m.id == key for key, m in MEASURES.items())


@pytest.mark.parametrize("measure_id", sorted(EXPECTED))
def test_unit_and_better_direction(measure_id: str) -> None:
    unit, better, _, _ = EXPECTED[measure_id]
    assert (MEASURES[measure_id].unit, MEASURES[measure_id].better) == (unit, better)


def _all_items_at(measure_id: str, end: str) -> dict[str, float]:
    m = MEASURES[measure_id]
    out: dict[str, float] = {}
    for item in m.items:
        out[item.id] = item.allowed.low if end == "low" else item.allowed.high
        if measure_id == "mctsib" and end == "high" and item.optional:
            del out[item.id]  # no further trial after a first trial held for 30 s
    return out


@pytest.mark.parametrize("measure_id", sorted(EXPECTED))
def test_floor_and_ceiling_scores(measure_id: str) -> None:
    _, _, floor, ceiling = EXPECTED[measure_id]
    assert score(measure_id, _all_items_at(measure_id, "high")).total == ceiling
    if floor is not None:
        assert score(measure_id, _all_items_at(measure_id, "low")).total == floor


@pytest.mark.parametrize("measure_id", sorted(EXPECTED))
def test_every_cutoff_threshold_and_norm_names_its_source(measure_id: str) -> None:
    m = MEASURES[measure_id]
    sources = [s.source for s in m.cutoffs]
    sources += [t.source for t in m.thresholds]
    sources += [n.source for n in m.age_norms]
    assert all(len(src) > 5 for src in sources)


@pytest.mark.parametrize(
    ("measure_id", "lower", "higher"),
    [
        ("bbs", {str(i): 2 for i in range(1, 15)}, {str(i): 3 for i in range(1, 15)}),
        ("tug", 9.0, 14.0),
        ("ftsts", 10.0, 16.0),
        ("odi", {str(i): 1 for i in range(1, 11)}, {str(i): 3 for i in range(1, 11)}),
        ("ndi", {str(i): 1 for i in range(1, 11)}, {str(i): 3 for i in range(1, 11)}),
        ("nprs", 2, 6),
        ("short-fes-i", {str(i): 1 for i in range(1, 8)}, {str(i): 3 for i in range(1, 8)}),
        ("lefs", {str(i): 1 for i in range(1, 21)}, {str(i): 3 for i in range(1, 21)}),
    ],
)
def test_direction_of_change_knows_which_way_is_better(
    measure_id: str, lower: object, higher: object
) -> None:
    low, high = score(measure_id, lower), score(measure_id, higher)  # type: ignore[arg-type]
    up, down = compare(low, high), compare(high, low)
    assert up.change == -down.change > 0
    if MEASURES[measure_id].better is Better.LOWER:
        assert (up.direction, down.direction) == (ChangeDirection.WORSE, ChangeDirection.IMPROVED)
    else:
        assert (up.direction, down.direction) == (ChangeDirection.IMPROVED, ChangeDirection.WORSE)
    assert compare(low, low).direction is ChangeDirection.UNCHANGED


def test_lower_is_better_exactly_for_the_measures_the_issue_names() -> None:
    lower = {k for k, m in MEASURES.items() if m.better is Better.LOWER}
    assert lower == {"tug", "ftsts", "odi", "ndi", "nprs", "short-fes-i"}


def test_unknown_measure_is_not_found_and_lists_the_known_ids() -> None:
    with pytest.raises(NotFoundError, match=r"measure_id must be one of bbs, tug, .*; got 'berg'"):
        score("berg", 40)
    with pytest.raises(LookupError):
        get_measure("")


def test_unknown_item_names_measure_and_known_items() -> None:
    with pytest.raises(InvalidParameterError, match=r"measure 'fga': unknown item '11'; expected"):
        score("fga", {**{str(i): 2 for i in range(1, 11)}, "11": 2})


def test_a_single_number_only_for_single_value_measures() -> None:
    assert score("nprs", 4).total == 4.0
    assert score("frt", 20.0).total == 20.0
    with pytest.raises(InvalidParameterError, match="'bbs' needs item values as a mapping"):
        score("bbs", 40)


def test_compare_refuses_scores_of_different_measures() -> None:
    with pytest.raises(InvalidParameterError, match="same measure as previous \\('tug'\\)"):
        compare(score("tug", 12.0), score("ftsts", 12.0))
    with pytest.raises(InvalidParameterError, match="previous must be a score of measure 'bbs'"):
        from reeducate.clinic.outcomes.base import compare as base_compare

        base_compare(MEASURES["bbs"], score("tug", 12.0), score("tug", 11.0))


def test_population_filter_and_refusal() -> None:
    s = score("bbs", {str(i): 3 for i in range(1, 15)}, population="stroke")
    # stroke cut-off, plus the banding whose source does not restrict the population
    assert [i.scheme for i in s.interpretation] == [
        "fall-risk banding",
        "community walking (on admission)",
    ]
    with pytest.raises(InvalidParameterError, match="population must be one of adults, older"):
        score("bbs", {str(i): 3 for i in range(1, 15)}, population="astronauts")


def test_missing_items_are_refused_without_a_published_rule() -> None:
    with pytest.raises(
        InvalidParameterError,
        match=r"measure 'lefs': at most 0 required items may be missing .*got 1 missing: 20",
    ):
        score("lefs", {str(i): 2 for i in range(1, 20)})
    with pytest.raises(InvalidParameterError, match="max_missing must be 0 because"):
        score("lefs", {str(i): 2 for i in range(1, 20)}, max_missing=1)


def test_registry_is_the_union_of_the_three_module_tables() -> None:
    from reeducate.clinic.outcomes.balance_scales import BALANCE_SCALES
    from reeducate.clinic.outcomes.performance_tests import PERFORMANCE_TESTS
    from reeducate.clinic.outcomes.questionnaires import QUESTIONNAIRES

    tables = (*BALANCE_SCALES, *PERFORMANCE_TESTS, *QUESTIONNAIRES)
    assert sorted(m.id for m in tables) == sorted(MEASURES)
    assert all(MEASURES[m.id] is m for m in tables)


@pytest.mark.parametrize(
    ("measure_id", "loinc"), [("odi", "97909-6"), ("tug", "89423-8"), ("nprs", "72514-3")]
)
def test_only_the_verified_loinc_codes_are_carried(measure_id: str, loinc: str) -> None:
    assert MEASURES[measure_id].loinc == loinc
    others = {k for k, m in MEASURES.items() if m.loinc is not None}
    assert others == {"odi", "tug", "nprs"}
