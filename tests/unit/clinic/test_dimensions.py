"""The difficulty dimensions of the progression ladder.

The tables below are the ladder of ``DOMAIN.md`` written out level by level; they double as the
documentation of the order a clinician can expect.
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from reeducate.clinic.dimensions import (
    DIMENSIONS,
    LADDER_ORDER,
    LADDER_STAGES,
    BaseOfSupport,
    Dimension,
    DimensionLevels,
    Joints,
    Level,
    LoadBearing,
    Resistance,
    Support,
    Surface,
    Task,
    Vision,
    dimension_of,
    label_of,
    levels_of,
    next_level,
    parse_level,
    previous_level,
    rank,
)
from reeducate.errors import InvalidParameterError

# DOMAIN.md, "The progression ladder": every dimension from easiest to hardest.
LADDER_TABLE: dict[str, list[str]] = {
    "joints": ["single", "multi", "whole_body"],
    "movement_path": ["linear_one_plane", "diagonal", "circular"],
    "load_bearing": [
        "non_weight_bearing",
        "partial_weight_bearing",
        "full_sitting",
        "full_kneeling",
        "full_standing",
    ],
    "base_of_support": ["bipedal", "staggered", "tandem", "single_leg"],
    "support": ["two_hands", "one_hand", "fingertip", "none"],
    "surface": ["firm", "foam", "unstable"],
    "vision": ["eyes_open", "head_turns", "eyes_closed"],
    "task": ["static_hold", "dynamic", "reactive", "dual_task"],
    "resistance": ["none", "band", "free_weight", "progressive_load"],
    "speed": ["slow_controlled", "variable", "fast"],
    "duration": ["short", "long"],
}

ALL_LEVELS: list[Level] = [level for info in DIMENSIONS.values() for level in info.levels]


@pytest.mark.parametrize(("dimension", "expected"), LADDER_TABLE.items())
def test_levels_run_easiest_to_hardest_as_in_the_domain_ladder(
    dimension: str, expected: list[str]
) -> None:
    assert [str(level) for level in levels_of(dimension)] == expected


def test_every_dimension_is_in_the_table_once() -> None:
    assert list(DIMENSIONS) == list(Dimension)
    assert set(LADDER_TABLE) == {d.value for d in Dimension}


@pytest.mark.parametrize("dimension", list(Dimension))
def test_every_level_has_a_distinct_plain_language_label(dimension: Dimension) -> None:
    info = DIMENSIONS[dimension]
    assert info.label
    assert len(info.level_labels) == len(info.levels)
    assert all(text.strip() for text in info.level_labels)
    assert len(set(info.level_labels)) == len(info.level_labels)


def test_label_of_returns_the_level_label() -> None:
    assert label_of(Support.FINGERTIP) == "fingertips resting lightly on a support"
    assert label_of(LoadBearing.FULL_KNEELING) == "full weight, kneeling"


def test_ladder_order_is_the_seed_ladder() -> None:
    # single-joint non-weight-bearing -> multi-joint -> non-linear -> weight-bearing ->
    # proprioceptive challenge (base first, then hands, surface, vision) -> task -> resistance
    # -> speed/duration
    assert LADDER_ORDER == (
        Dimension.JOINTS,
        Dimension.MOVEMENT_PATH,
        Dimension.LOAD_BEARING,
        Dimension.BASE_OF_SUPPORT,
        Dimension.SUPPORT,
        Dimension.SURFACE,
        Dimension.VISION,
        Dimension.TASK,
        Dimension.RESISTANCE,
        Dimension.SPEED,
        Dimension.DURATION,
    )
    assert tuple(d for _, dims in LADDER_STAGES for d in dims) == LADDER_ORDER
    assert [name for name, _ in LADDER_STAGES] == [
        "multi-joint",
        "non-linear movement",
        "weight-bearing",
        "proprioceptive challenge",
        "task challenge",
        "resistance",
        "speed and duration",
    ]


@pytest.mark.parametrize("level", ALL_LEVELS, ids=lambda lv: f"{type(lv).__name__}.{lv}")
def test_next_and_previous_are_inverse_and_move_one_rank(level: Level) -> None:
    up = next_level(level)
    if up is None:
        assert rank(level) == len(levels_of(dimension_of(level))) - 1
    else:
        assert dimension_of(up) is dimension_of(level)
        assert rank(up) == rank(level) + 1
        assert previous_level(up) is level
    down = previous_level(level)
    if down is None:
        assert rank(level) == 0
    else:
        assert next_level(down) is level


def test_ends_of_a_dimension_have_no_step_beyond() -> None:
    assert next_level(Task.DUAL_TASK) is None
    assert previous_level(Joints.SINGLE) is None
    assert next_level(BaseOfSupport.TANDEM) is BaseOfSupport.SINGLE_LEG


def test_parse_level_accepts_names_and_refuses_others_with_the_allowed_list() -> None:
    assert parse_level(Dimension.VISION, "head_turns") is Vision.HEAD_TURNS
    assert parse_level("resistance", "none") is Resistance.NONE
    with pytest.raises(InvalidParameterError, match=r"level of surface must be one of firm, foam"):
        parse_level("surface", "sand")
    with pytest.raises(InvalidParameterError, match=r"dimension must be one of .*; got 'colour'"):
        parse_level("colour", "red")


def test_parse_level_refuses_a_level_of_another_dimension_with_the_same_name() -> None:
    # Support.NONE and Resistance.NONE are both the string "none"; the enum decides.
    assert str(Support.NONE) == str(Resistance.NONE)  # why the check below matters
    with pytest.raises(InvalidParameterError):
        parse_level(Dimension.RESISTANCE, Support.NONE)


def test_dimension_levels_refuses_a_level_of_the_wrong_dimension() -> None:
    easiest = DimensionLevels.easiest()
    values = {d.value: easiest.level(d) for d in Dimension}
    values["surface"] = Vision.EYES_OPEN
    with pytest.raises(InvalidParameterError, match="surface must be a Surface level"):
        DimensionLevels(**values)  # type: ignore[arg-type]


def test_dimension_levels_from_mapping_needs_every_dimension() -> None:
    with pytest.raises(InvalidParameterError, match=r"missing .*duration"):
        DimensionLevels.from_mapping({d: levels_of(d)[0] for d in Dimension if d != "duration"})


def test_easiest_point_is_rank_zero_everywhere() -> None:
    assert all(rank(level) == 0 for _, level in DimensionLevels.easiest().items())


@given(
    dimension=st.sampled_from(list(Dimension)),
    ranks=st.lists(st.integers(min_value=0, max_value=4), min_size=11, max_size=11),
)
def test_replace_changes_exactly_one_dimension(dimension: Dimension, ranks: list[int]) -> None:
    point = DimensionLevels.from_mapping(
        {
            d: levels_of(d)[min(r, len(levels_of(d)) - 1)]
            for d, r in zip(Dimension, ranks, strict=True)
        }
    )
    up = next_level(point.level(dimension))
    if up is None:
        return
    moved = point.replace(dimension, up)
    assert moved.differences(point) == (dimension,)
    assert rank(moved.level(dimension)) == rank(point.level(dimension)) + 1
    assert point.replace(dimension, point.level(dimension)) == point


def test_as_dict_round_trips() -> None:
    point = DimensionLevels.easiest().replace("surface", Surface.FOAM)
    assert DimensionLevels.from_mapping(point.as_dict()) == point
    assert point.as_dict()["surface"] == "foam"
