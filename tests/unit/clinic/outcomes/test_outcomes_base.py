"""The building blocks: ranges as sources write them, the checks that make a broken table fail
at definition, change thresholds, and item validation."""

from __future__ import annotations

import math

import pytest

from reeducate.clinic.outcomes import compare, score
from reeducate.clinic.outcomes.base import (
    Band,
    Better,
    ChangeThreshold,
    CutOffScheme,
    GroupRule,
    Item,
    MeasureDefinition,
    Population,
    Range,
    Scoring,
    Subscore,
    ThresholdKind,
    Unit,
    above,
    at_least,
    at_most,
    below,
    between,
    from_until,
    over_to,
    strictly_between,
)
from reeducate.errors import InvalidParameterError


@pytest.mark.parametrize(
    ("rng", "text", "inside", "outside"),
    [
        (below(45), "< 45", [44.999, -1e9], [45, 46]),
        (at_most(22), "≤ 22", [22, 0], [22.001]),
        (above(10), "> 10", [10.001], [10, 9]),
        (at_least(13.5), "≥ 13.5", [13.5, 1e9], [13.499]),
        (between(21, 40), "21–40", [21, 40], [20.999, 40.001]),
        (between(0, 0), "0", [0], [-0.001, 0.001]),
        (over_to(20, 40), "> 20 and ≤ 40", [20.001, 40], [20, 40.001]),
        (from_until(5, 15), "≥ 5 and < 15", [5, 14.999], [4.999, 15]),
        (strictly_between(20, 30), "> 20 and < 30", [20.001, 29.999], [20, 30]),
    ],
)
def test_range_reads_as_written_and_contains_its_edges_exactly(
    rng: Range, text: str, inside: list[float], outside: list[float]
) -> None:
    assert rng.describe() == text
    assert all(x in rng for x in inside)
    assert not any(x in rng for x in outside)


def test_range_describes_units_and_whole_years() -> None:
    assert at_least(12).describe("s") == "≥ 12 s"
    assert from_until(70, 80).describe("y", whole_numbers=True) == "70–79 y"
    assert from_until(70, 80).describe("y") == "≥ 70 and < 80 y"
    assert Range().describe() == "any value"


def test_range_refuses_low_above_high() -> None:
    with pytest.raises(InvalidParameterError, match=r"low ≤ high; got low=5, high=4"):
        between(5, 4)


def _measure(bands: tuple[Band, ...], **kw: object) -> MeasureDefinition:
    args: dict[str, object] = {
        "id": "toy",
        "name": "toy",
        "code": "toy",
        "unit": Unit.POINTS,
        "better": Better.HIGHER,
        "items": (Item(id="1", label="a", allowed=between(0, 10)),),
        "total_range": between(0, 10),
        "scoring": Scoring.SUM,
        "scoring_source": "test",
        "cutoffs": (
            CutOffScheme(name="s", population=Population.ADULTS, bands=bands, source="src"),
        ),
    }
    args.update(kw)
    return MeasureDefinition(**args)  # type: ignore[arg-type]


def test_bands_that_meet_exactly_are_accepted_including_integer_steps() -> None:
    _measure((Band(range=below(5), label="a"), Band(range=at_least(5), label="b")))
    _measure((Band(range=between(0, 4), label="a"), Band(range=between(5, 10), label="b")))


@pytest.mark.parametrize(
    ("bands", "match"),
    [
        ((Band(range=below(5), label="a"), Band(range=above(5), label="b")), "without gap"),
        ((Band(range=at_most(5), label="a"), Band(range=at_least(5), label="b")), "overlap"),
        ((Band(range=between(0, 4), label="a"), Band(range=between(6, 10), label="b")), "gap"),
        ((Band(range=below(5), label="a"), Band(range=between(5, 9), label="b")), "cover"),
        ((Band(range=between(1, 5), label="a"), Band(range=above(5), label="b")), "cover"),
        ((), "at least one band"),
    ],
)
def test_broken_cutoff_tables_fail_when_defined(bands: tuple[Band, ...], match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        _measure(bands)


def test_integer_steps_are_refused_for_non_integer_totals() -> None:
    bands = (Band(range=between(0, 4), label="a"), Band(range=between(5, 10), label="b"))
    with pytest.raises(InvalidParameterError, match="without gap"):
        _measure(bands, scoring=Scoring.MEAN)


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        (
            {"items": (Item(id="1", label="a", allowed=between(0, 10)),) * 2},
            "duplicate item id '1'",
        ),
        ({"subscores": (Subscore(id="s", label="s", items=("9",)),)}, r"unknown items \['9'\]"),
        ({"max_missing": 1}, "max_missing must be 0 without a prorating rule; got 1"),
        (
            {"items": (Item(id="1", label="a", allowed=between(0, 10), group="g"),)},
            "grouped items need a group_rule",
        ),
    ],
)
def test_inconsistent_definitions_fail_when_defined(kw: dict[str, object], match: str) -> None:
    bands = (Band(range=between(0, 10), label="a"),)
    with pytest.raises(InvalidParameterError, match=match):
        _measure(bands, **kw)


def test_grouped_definition_with_rule_is_accepted() -> None:
    items = (Item(id="1", label="a", allowed=between(0, 10), group="g"),)
    m = _measure((Band(range=between(0, 10), label="a"),), items=items, group_rule=GroupRule.BEST)
    assert m.integer_total


def test_threshold_needs_a_criterion_and_a_known_scope() -> None:
    with pytest.raises(InvalidParameterError, match="needs amount or relative_pct"):
        ChangeThreshold(kind=ThresholdKind.MCID, population=Population.ADULTS, source="x")
    with pytest.raises(InvalidParameterError, match="scope must be 'total' or 'item'"):
        ChangeThreshold(
            kind=ThresholdKind.MCID, population=Population.ADULTS, source="x", amount=1, scope="x"
        )


def test_threshold_is_met_at_exactly_its_size_in_either_direction() -> None:
    t = ChangeThreshold(kind=ThresholdKind.MDC, population=Population.ADULTS, source="x", amount=4)
    assert t.is_met(4, baseline=40) and t.is_met(-4, baseline=40)
    assert not t.is_met(3.99, baseline=40)
    rel = ChangeThreshold(
        kind=ThresholdKind.MCID, population=Population.ADULTS, source="x", relative_pct=30
    )
    assert rel.is_met(-3, baseline=10) and not rel.is_met(-2.9, baseline=10)
    assert not rel.is_met(5, baseline=0)  # no relative change from a zero baseline
    assert rel.describe("points") == "MCID 30 % of baseline"


def test_kinds_split_into_detectable_and_important() -> None:
    assert [k.is_detectable for k in ThresholdKind] == [False, True, True, True, True]


@pytest.mark.parametrize(
    ("value", "shown"),
    [(5, "5"), (-1, "-1"), (2.5, "2.5"), (True, "True"), ("3", "'3'"), (math.nan, "nan")],
)
def test_bad_item_value_names_measure_item_and_allowed_range(value: object, shown: str) -> None:
    items: dict[str, object] = {str(i): 2 for i in range(1, 15)}
    items["3"] = value
    with pytest.raises(InvalidParameterError) as err:
        score("bbs", items)
    assert str(err.value) == (
        f"measure 'bbs', item '3' (sitting unsupported): must be an integer 0–4; got {shown}"
    )


def test_real_valued_item_message_carries_its_unit() -> None:
    with pytest.raises(InvalidParameterError) as err:
        score("tug", 0)
    assert str(err.value) == (
        "measure 'tug', item 'time' (time to rise, walk 3 m, turn, walk back and sit): "
        "must be a number > 0 and ≤ 300 s; got 0"
    )


def test_scoring_never_mutates_its_inputs_and_results_are_frozen() -> None:
    items: dict[str, object] = {str(i): 2 for i in range(1, 10)}
    items["10"] = None
    before = dict(items)
    s = score("odi", items)
    assert items == before
    with pytest.raises(AttributeError):
        s.total = 0.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        s.items["1"] = 5  # type: ignore[index]
    assert compare(s, s).change == 0.0


def test_int_keys_are_read_as_item_ids() -> None:
    assert score("lefs", dict.fromkeys(range(1, 21), 4)).total == 80.0


def test_a_group_of_optional_trials_still_needs_one_value() -> None:
    from reeducate.clinic.outcomes.base import score_measure

    items = tuple(
        Item(id=f"t{n}", label=f"trial {n}", allowed=between(0, 10), optional=True, group="g")
        for n in (1, 2)
    )
    m = _measure((Band(range=between(0, 10), label="a"),), items=items, group_rule=GroupRule.MEAN)
    assert score_measure(m, {"t2": 4.0}).total == 4.0
    with pytest.raises(InvalidParameterError, match="measure 'toy': group g: needs at least one"):
        score_measure(m, {})


def test_threshold_describes_baseline_and_scope() -> None:
    t = ChangeThreshold(
        kind=ThresholdKind.MDC95,
        population=Population.OLDER_ADULTS,
        source="x",
        amount=4,
        baseline=between(45, 56),
    )
    assert t.describe("points") == "MDC95 4 points (baseline 45–56)"
    item = ChangeThreshold(
        kind=ThresholdKind.MDC90, population=Population.ADULTS, source="x", amount=3, scope="item"
    )
    assert item.describe("points") == "MDC90 3 points per item"
