"""Difficulty dimensions of the progression ladder.

Neuromuscular re-education starts with single-joint movement in non-weight-bearing postures
and, once a level is mastered without symptoms, is made harder along **one dimension at a
time**. Each dimension is an ordered :class:`~enum.StrEnum` whose members run from easiest to
hardest; the order of the members *is* the clinical order.

==================  =============================================================================
dimension           levels, easiest → hardest
==================  =============================================================================
joints              single → multi → whole_body
movement_path       linear_one_plane → diagonal → circular (circular or rotational)
load_bearing        non_weight_bearing (supine, prone, side-lying, quadruped, sitting)
                    → partial_weight_bearing → full_sitting → full_kneeling → full_standing
base_of_support     bipedal → staggered → tandem → single_leg
support             two_hands → one_hand → fingertip → none
surface             firm → foam → unstable (wobble board, balance disc, ball)
vision              eyes_open → head_turns → eyes_closed
task                static_hold → dynamic → reactive → dual_task
resistance          none → band → free_weight → progressive_load
speed               slow_controlled → variable → fast
duration            short → long (holds, repetitions)
==================  =============================================================================

Convention for dimensions an exercise does not challenge: the exercise sits at the dimension's
**first (easiest) level**. A quad set done lying on a mat is ``support = two_hands`` (the body is
fully supported), ``base_of_support = bipedal`` and ``surface = firm``. So every exercise has a
level on every dimension, and a step along a dimension always means more challenge.

:data:`LADDER_ORDER` is the default order in which dimensions are progressed (the seed ladder:
single-joint non-weight-bearing → multi-joint → non-linear → weight-bearing → proprioceptive
challenge → task → resistance → speed and duration). Within the proprioceptive challenge the base
of support narrows first under easy sensory conditions, then hand support is withdrawn, then the
surface and vision are challenged (Muehlbauer et al. 2012; Otago levels A→D).

References
----------
Muehlbauer T, Roth R, Bopp M, Granacher U (2012) An exercise sequence for progression in balance
training. J Strength Cond Res 26(2):568-574. doi:10.1519/JSC.0b013e318225f3c4

Sherrington C, Tiedemann A, Fairhall N, Close JC, Lord SR (2011) Exercise to prevent falls in
older adults: an updated meta-analysis and best practice recommendations. N S W Public Health
Bull 22(3-4):78-83. doi:10.1071/NB10056

Examples
--------
>>> from reeducate.clinic.dimensions import Dimension, Surface, next_level, levels_of
>>> [str(level) for level in levels_of(Dimension.SURFACE)]
['firm', 'foam', 'unstable']
>>> next_level(Surface.FIRM)
<Surface.FOAM: 'foam'>
>>> next_level(Surface.UNSTABLE) is None
True
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, fields
from enum import StrEnum
from types import MappingProxyType
from typing import Final, TypeAlias

from reeducate.enums import allowed_values, member_of
from reeducate.errors import InvalidParameterError

__all__ = [
    "DIMENSIONS",
    "LADDER_ORDER",
    "LADDER_STAGES",
    "BaseOfSupport",
    "Dimension",
    "DimensionInfo",
    "DimensionLevels",
    "Duration",
    "Joints",
    "Level",
    "LevelMapping",
    "LoadBearing",
    "MovementPath",
    "Resistance",
    "Speed",
    "Support",
    "Surface",
    "Task",
    "Vision",
    "dimension_of",
    "label_of",
    "levels_of",
    "next_level",
    "parse_level",
    "previous_level",
    "rank",
]


class Dimension(StrEnum):
    """A difficulty dimension of the progression ladder."""

    JOINTS = "joints"
    MOVEMENT_PATH = "movement_path"
    LOAD_BEARING = "load_bearing"
    BASE_OF_SUPPORT = "base_of_support"
    SUPPORT = "support"
    SURFACE = "surface"
    VISION = "vision"
    TASK = "task"
    RESISTANCE = "resistance"
    SPEED = "speed"
    DURATION = "duration"


class Joints(StrEnum):
    """Joints involved, easiest first."""

    SINGLE = "single"
    MULTI = "multi"
    WHOLE_BODY = "whole_body"


class MovementPath(StrEnum):
    """Movement path, easiest first."""

    LINEAR_ONE_PLANE = "linear_one_plane"
    DIAGONAL = "diagonal"
    CIRCULAR = "circular"


class LoadBearing(StrEnum):
    """Load bearing and posture, easiest first.

    Non-weight-bearing covers supine, prone, side-lying, quadruped (for the legs and trunk) and
    sitting with the limb free; the posture itself is recorded separately on each exercise.
    """

    NON_WEIGHT_BEARING = "non_weight_bearing"
    PARTIAL_WEIGHT_BEARING = "partial_weight_bearing"
    FULL_SITTING = "full_sitting"
    FULL_KNEELING = "full_kneeling"
    FULL_STANDING = "full_standing"


class BaseOfSupport(StrEnum):
    """Base of support, widest (easiest) first."""

    BIPEDAL = "bipedal"
    STAGGERED = "staggered"
    TANDEM = "tandem"
    SINGLE_LEG = "single_leg"


class Support(StrEnum):
    """External (hand) support, most first."""

    TWO_HANDS = "two_hands"
    ONE_HAND = "one_hand"
    FINGERTIP = "fingertip"
    NONE = "none"


class Surface(StrEnum):
    """Support surface, most stable first."""

    FIRM = "firm"
    FOAM = "foam"
    UNSTABLE = "unstable"


class Vision(StrEnum):
    """Visual condition, easiest first."""

    EYES_OPEN = "eyes_open"
    HEAD_TURNS = "head_turns"
    EYES_CLOSED = "eyes_closed"


class Task(StrEnum):
    """Task demand, easiest first."""

    STATIC_HOLD = "static_hold"
    DYNAMIC = "dynamic"
    REACTIVE = "reactive"
    DUAL_TASK = "dual_task"


class Resistance(StrEnum):
    """External resistance, none first."""

    NONE = "none"
    BAND = "band"
    FREE_WEIGHT = "free_weight"
    PROGRESSIVE_LOAD = "progressive_load"


class Speed(StrEnum):
    """Speed and tempo, easiest first."""

    SLOW_CONTROLLED = "slow_controlled"
    VARIABLE = "variable"
    FAST = "fast"


class Duration(StrEnum):
    """Duration of holds and number of repetitions, easiest first."""

    SHORT = "short"
    LONG = "long"


#: Any level of any dimension.
Level: TypeAlias = (
    Joints
    | MovementPath
    | LoadBearing
    | BaseOfSupport
    | Support
    | Surface
    | Vision
    | Task
    | Resistance
    | Speed
    | Duration
)

#: Levels keyed by dimension (or its name), as accepted by queries and constructors.
LevelMapping: TypeAlias = Mapping[Dimension, Level | str] | Mapping[str, Level | str]


@dataclass(frozen=True, slots=True, kw_only=True)
class DimensionInfo:
    """One dimension with its levels (easiest first) and plain-language labels.

    Attributes
    ----------
    dimension : Dimension
        The dimension.
    label : str
        What the dimension is, in plain language.
    levels : tuple of Level
        Its levels, easiest first.
    level_labels : tuple of str
        A plain-language label for each level, in the order of ``levels``.
    """

    dimension: Dimension
    label: str
    levels: tuple[Level, ...]
    level_labels: tuple[str, ...]

    def __post_init__(self) -> None:
        if len(self.levels) != len(self.level_labels):
            raise InvalidParameterError(
                f"level_labels of dimension {self.dimension!s} must have one label per level "
                f"({len(self.levels)}); got {len(self.level_labels)}"
            )


def _info(dimension: Dimension, label: str, rows: tuple[tuple[Level, str], ...]) -> DimensionInfo:
    return DimensionInfo(
        dimension=dimension,
        label=label,
        levels=tuple(level for level, _ in rows),
        level_labels=tuple(text for _, text in rows),
    )


# The table clinicians read: every dimension, its levels easiest first, and their labels.
_TABLE: Final[tuple[DimensionInfo, ...]] = (
    _info(
        Dimension.JOINTS,
        "Joints involved",
        (
            (Joints.SINGLE, "one joint moves"),
            (Joints.MULTI, "several joints move together"),
            (Joints.WHOLE_BODY, "the whole body moves"),
        ),
    ),
    _info(
        Dimension.MOVEMENT_PATH,
        "Movement path",
        (
            (MovementPath.LINEAR_ONE_PLANE, "straight line in one plane"),
            (MovementPath.DIAGONAL, "diagonal, across planes"),
            (MovementPath.CIRCULAR, "circles or rotation"),
        ),
    ),
    _info(
        Dimension.LOAD_BEARING,
        "Load bearing and posture",
        (
            (
                LoadBearing.NON_WEIGHT_BEARING,
                "no body weight on it (lying, side-lying, on hands and knees, or seated with the "
                "limb free)",
            ),
            (
                LoadBearing.PARTIAL_WEIGHT_BEARING,
                "part of the body weight on it, the rest on the hands, a wall or a table",
            ),
            (LoadBearing.FULL_SITTING, "full weight, sitting unsupported"),
            (LoadBearing.FULL_KNEELING, "full weight, kneeling"),
            (LoadBearing.FULL_STANDING, "full weight, standing"),
        ),
    ),
    _info(
        Dimension.BASE_OF_SUPPORT,
        "Base of support",
        (
            (BaseOfSupport.BIPEDAL, "both feet side by side (or lying, fully supported)"),
            (BaseOfSupport.STAGGERED, "one foot half a step ahead"),
            (BaseOfSupport.TANDEM, "heel to toe"),
            (BaseOfSupport.SINGLE_LEG, "on one leg"),
        ),
    ),
    _info(
        Dimension.SUPPORT,
        "Hand support",
        (
            (Support.TWO_HANDS, "holding on with two hands (or the body fully supported)"),
            (Support.ONE_HAND, "holding on with one hand"),
            (Support.FINGERTIP, "fingertips resting lightly on a support"),
            (Support.NONE, "no hand support"),
        ),
    ),
    _info(
        Dimension.SURFACE,
        "Surface",
        (
            (Surface.FIRM, "firm floor"),
            (Surface.FOAM, "foam pad or soft surface"),
            (Surface.UNSTABLE, "wobble board, balance disc or ball"),
        ),
    ),
    _info(
        Dimension.VISION,
        "Vision",
        (
            (Vision.EYES_OPEN, "eyes open, looking at the task or a fixed point"),
            (Vision.HEAD_TURNS, "head turning, or looking away from the task"),
            (Vision.EYES_CLOSED, "eyes closed"),
        ),
    ),
    _info(
        Dimension.TASK,
        "Task",
        (
            (Task.STATIC_HOLD, "hold still"),
            (Task.DYNAMIC, "move: shift weight, reach, step or repeat a movement"),
            (Task.REACTIVE, "react to a push, pull or unexpected movement"),
            (Task.DUAL_TASK, "do a second task at the same time (thinking or hand task)"),
        ),
    ),
    _info(
        Dimension.RESISTANCE,
        "Resistance",
        (
            (Resistance.NONE, "no added resistance"),
            (Resistance.BAND, "elastic band"),
            (Resistance.FREE_WEIGHT, "free weight or cuff weight"),
            (Resistance.PROGRESSIVE_LOAD, "load increased step by step"),
        ),
    ),
    _info(
        Dimension.SPEED,
        "Speed and tempo",
        (
            (Speed.SLOW_CONTROLLED, "slow and controlled"),
            (Speed.VARIABLE, "changing speed"),
            (Speed.FAST, "fast"),
        ),
    ),
    _info(
        Dimension.DURATION,
        "Duration, repetitions and holds",
        (
            (Duration.SHORT, "short holds, few repetitions"),
            (Duration.LONG, "long holds, more repetitions"),
        ),
    ),
)

#: Every dimension with its levels and labels, in :class:`Dimension` order.
DIMENSIONS: Final[Mapping[Dimension, DimensionInfo]] = MappingProxyType(
    {info.dimension: info for info in _TABLE}
)

#: The ladder's default order of dimensions: the first that can be progressed is chosen unless the
#: patient's goal says otherwise.
LADDER_ORDER: Final[tuple[Dimension, ...]] = (
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

#: The seed ladder's stages after the single-joint non-weight-bearing start, each with the
#: dimensions it progresses; flattened, they give :data:`LADDER_ORDER`.
LADDER_STAGES: Final[tuple[tuple[str, tuple[Dimension, ...]], ...]] = (
    ("multi-joint", (Dimension.JOINTS,)),
    ("non-linear movement", (Dimension.MOVEMENT_PATH,)),
    ("weight-bearing", (Dimension.LOAD_BEARING,)),
    (
        "proprioceptive challenge",
        (Dimension.BASE_OF_SUPPORT, Dimension.SUPPORT, Dimension.SURFACE, Dimension.VISION),
    ),
    ("task challenge", (Dimension.TASK,)),
    ("resistance", (Dimension.RESISTANCE,)),
    ("speed and duration", (Dimension.SPEED, Dimension.DURATION)),
)

_ENUM_OF: Final[Mapping[Dimension, type[StrEnum]]] = MappingProxyType(
    {info.dimension: type(info.levels[0]) for info in _TABLE}
)
_DIMENSION_OF_ENUM: Final[Mapping[type[StrEnum], Dimension]] = MappingProxyType(
    {enum: dimension for dimension, enum in _ENUM_OF.items()}
)


def _as_dimension(dimension: Dimension | str) -> Dimension:
    try:
        return Dimension(dimension)
    except ValueError:
        allowed = ", ".join(d.value for d in Dimension)
        raise InvalidParameterError(
            f"dimension must be one of {allowed}; got {dimension!r}"
        ) from None


def dimension_of(level: Level, /) -> Dimension:
    """Return the dimension a level belongs to.

    Parameters
    ----------
    level : Level
        A member of one of the level enums.

    Returns
    -------
    Dimension

    Examples
    --------
    >>> dimension_of(Support.FINGERTIP)
    <Dimension.SUPPORT: 'support'>
    """
    try:
        return _DIMENSION_OF_ENUM[type(level)]
    except KeyError:
        raise InvalidParameterError(
            f"level must be a member of a dimension's level enum; got {level!r}"
        ) from None


def levels_of(dimension: Dimension | str, /) -> tuple[Level, ...]:
    """Return the levels of a dimension, easiest first.

    Examples
    --------
    >>> [str(level) for level in levels_of("vision")]
    ['eyes_open', 'head_turns', 'eyes_closed']
    """
    return DIMENSIONS[_as_dimension(dimension)].levels


def rank(level: Level, /) -> int:
    """Return the position of a level within its dimension (0 = easiest).

    Examples
    --------
    >>> rank(BaseOfSupport.TANDEM)
    2
    """
    return DIMENSIONS[dimension_of(level)].levels.index(level)


def next_level(level: Level, /) -> Level | None:
    """Return the level one step harder, or None when ``level`` is the hardest.

    Examples
    --------
    >>> next_level(Vision.EYES_OPEN)
    <Vision.HEAD_TURNS: 'head_turns'>
    """
    levels = DIMENSIONS[dimension_of(level)].levels
    position = levels.index(level)
    return levels[position + 1] if position + 1 < len(levels) else None


def previous_level(level: Level, /) -> Level | None:
    """Return the level one step easier, or None when ``level`` is the easiest.

    Examples
    --------
    >>> previous_level(Task.REACTIVE)
    <Task.DYNAMIC: 'dynamic'>
    >>> previous_level(Task.STATIC_HOLD) is None
    True
    """
    levels = DIMENSIONS[dimension_of(level)].levels
    position = levels.index(level)
    return levels[position - 1] if position > 0 else None


def label_of(level: Level, /) -> str:
    """Return the plain-language label of a level.

    Examples
    --------
    >>> label_of(Surface.UNSTABLE)
    'wobble board, balance disc or ball'
    """
    info = DIMENSIONS[dimension_of(level)]
    return info.level_labels[info.levels.index(level)]


def parse_level(dimension: Dimension | str, value: str, /) -> Level:
    """Return the level of ``dimension`` named ``value``.

    Raises
    ------
    InvalidParameterError
        If ``dimension`` is unknown or ``value`` is not one of its levels; the message lists
        the allowed levels.

    Examples
    --------
    >>> parse_level("surface", "foam")
    <Surface.FOAM: 'foam'>
    >>> try:
    ...     parse_level("surface", "sand")
    ... except ValueError as error:
    ...     print(error)
    level of surface must be one of firm, foam, unstable; got 'sand'
    """
    dim = _as_dimension(dimension)
    enum = _ENUM_OF[dim]
    foreign = type(value) in _DIMENSION_OF_ENUM and type(value) is not enum
    member = member_of(enum, value) if isinstance(value, str) and not foreign else None
    if member is None:
        raise InvalidParameterError(
            f"level of {dim} must be one of {allowed_values(enum)}; got {value!r}"
        )
    return member  # type: ignore[return-value]


@dataclass(frozen=True, slots=True, kw_only=True)
class DimensionLevels:
    """A point on the ladder: one level on every dimension.

    Attributes
    ----------
    joints, movement_path, load_bearing, base_of_support, support, surface, vision, task, \
resistance, speed, duration : Level
        The level on each dimension; each must be a member of that dimension's enum.

    Examples
    --------
    >>> point = DimensionLevels.easiest()
    >>> harder = point.replace(Dimension.SURFACE, Surface.FOAM)
    >>> harder.differences(point)
    (<Dimension.SURFACE: 'surface'>,)
    >>> harder.level("surface")
    <Surface.FOAM: 'foam'>
    """

    joints: Joints
    movement_path: MovementPath
    load_bearing: LoadBearing
    base_of_support: BaseOfSupport
    support: Support
    surface: Surface
    vision: Vision
    task: Task
    resistance: Resistance
    speed: Speed
    duration: Duration

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            enum = _ENUM_OF[Dimension(field.name)]
            if not isinstance(value, enum):
                raise InvalidParameterError(
                    f"{field.name} must be a {enum.__name__} level; got {value!r}"
                )

    @classmethod
    def easiest(cls) -> DimensionLevels:
        """Return the point at the first (easiest) level of every dimension."""
        return cls.from_mapping({info.dimension: info.levels[0] for info in _TABLE})

    @classmethod
    def from_mapping(cls, levels: LevelMapping, /) -> DimensionLevels:
        """Build from a mapping with a level (or its name) for every dimension.

        Raises
        ------
        InvalidParameterError
            If a dimension is missing or unknown, or a level is not in its dimension.
        """
        parsed: dict[str, Level] = {}
        for key, value in levels.items():
            dim = _as_dimension(key)
            parsed[dim.value] = parse_level(dim, value)
        missing = [d.value for d in Dimension if d.value not in parsed]
        if missing:
            raise InvalidParameterError(
                f"levels must name every dimension; missing {', '.join(missing)}"
            )
        return cls(**parsed)  # type: ignore[arg-type]

    def level(self, dimension: Dimension | str, /) -> Level:
        """Return the level on ``dimension``."""
        name = dimension.value if type(dimension) is Dimension else _as_dimension(dimension).value
        level: Level = getattr(self, name)
        return level

    def replace(self, dimension: Dimension | str, level: Level | str, /) -> DimensionLevels:
        """Return a copy with ``dimension`` set to ``level``."""
        dim = _as_dimension(dimension)
        values = {d.value: self.level(d) for d in Dimension}
        values[dim.value] = parse_level(dim, level)
        return DimensionLevels(**values)  # type: ignore[arg-type]

    def differences(self, other: DimensionLevels, /) -> tuple[Dimension, ...]:
        """Return the dimensions on which ``self`` and ``other`` differ, in :class:`Dimension`
        order."""
        return tuple(d for d in Dimension if getattr(self, d.value) is not getattr(other, d.value))

    def items(self) -> Iterator[tuple[Dimension, Level]]:
        """Yield ``(dimension, level)`` pairs in :class:`Dimension` order."""
        for dimension in Dimension:
            yield dimension, self.level(dimension)

    def as_dict(self) -> dict[str, str]:
        """Return ``{dimension name: level name}``, e.g. for JSON."""
        return {d.value: str(self.level(d)) for d in Dimension}
