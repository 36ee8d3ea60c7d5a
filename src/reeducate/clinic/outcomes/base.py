"""The building blocks of an outcome measure, and the one scoring engine they all share.

A measure is *data*: a :class:`MeasureDefinition` lists its items (each with its allowed range
and unit), how the total is formed (:class:`Scoring`, :class:`GroupRule`), its subscores, its
cut-off schemes (:class:`CutOffScheme`, one per population and source), its age norms
(:class:`AgeNorm`) and its change thresholds (:class:`ChangeThreshold`, MCID/MDC per population
and source). The tables in :mod:`~reeducate.clinic.outcomes.balance_scales`,
:mod:`~reeducate.clinic.outcomes.performance_tests` and
:mod:`~reeducate.clinic.outcomes.questionnaires` are what a clinician reads; this module only
turns them into an :class:`OutcomeScore` (:func:`score_measure`) and compares two scores
(:func:`compare`).

Conventions
-----------
- Every cut-off, norm and threshold carries its population and source. Items that the team
  reference (``reference/clinic.md`` §2) marks **[verify]** carry ``verify=True``, and that
  flag travels into every interpretation built from them.
- Bands of a cut-off scheme are written as in the source (``below(45)``, ``at_least(45)``,
  ``between(21, 40)``) and must cover the measure's whole range without overlap; this is
  checked when the measure is defined, so a gap or an overlap in a table fails at import.
  Integer-valued totals (sums of integer items) may use integer bands such as 0–20, 21–40.
- Change ``current − previous`` is in the measure's unit. A threshold is met when the size of
  the change is at least the threshold (``|Δ| ≥ amount``, or ``|Δ| ≥ relative_pct`` % of the
  previous total where the source gives a relative criterion). Whether the change is an
  improvement is decided by :attr:`MeasureDefinition.better`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from reeducate.errors import InvalidParameterError

# --------------------------------------------------------------------------------------------
# Small vocabularies
# --------------------------------------------------------------------------------------------


class Unit(StrEnum):
    """Unit of an item value or a total (clinical units, as the measures are published)."""

    POINTS = "points"
    SECONDS = "s"
    CENTIMETRES = "cm"
    PERCENT = "%"


class Better(StrEnum):
    """Which direction of the total is better."""

    HIGHER = "higher"
    LOWER = "lower"


class Population(StrEnum):
    """Populations in which a cut-off, norm or threshold was established."""

    ADULTS = "adults"  # not restricted by the source
    OLDER_ADULTS = "older adults"
    COMMUNITY_OLDER_ADULTS = "community-dwelling older adults"
    OLDER_ADULTS_CHINA = "older adults (China)"
    STROKE = "stroke"
    CHRONIC_STROKE = "chronic stroke"
    PARKINSON = "Parkinson disease"
    VESTIBULAR = "vestibular disorders"
    LOW_BACK_PAIN = "low back pain"
    CHRONIC_PAIN = "chronic pain"
    NECK_PAIN = "neck pain"
    LOWER_EXTREMITY = "lower-extremity musculoskeletal conditions"


class Sex(StrEnum):
    """Sex, for sex-specific norms."""

    FEMALE = "female"
    MALE = "male"


class Scoring(StrEnum):
    """How the total is formed from the (group-resolved) item values.

    ``sum``
        Sum of the items.
    ``mean``
        Mean of the answered items.
    ``percent_of_maximum``
        ``sum / (sum of the maxima of the answered items) × 100``: each missing item lowers the
        denominator by its maximum (Oswestry: 16 points with 9 sections answered = 16/45).
    ``prorated_sum``
        ``sum × n_items / n_answered``: each missing item is replaced by the mean of the answered
        items (Neck Disability Index).
    """

    SUM = "sum"
    MEAN = "mean"
    PERCENT_OF_MAXIMUM = "percent_of_maximum"
    PRORATED_SUM = "prorated_sum"


class GroupRule(StrEnum):
    """How the items of one group (bilateral pair, trials of a condition) become one value.

    ``lower``: the lower of the values (Mini-BESTest bilateral items); ``mean``: the mean of the
    trials given (mCTSIB, Functional Reach); ``best``: the highest (single-leg stance).
    """

    LOWER = "lower"
    MEAN = "mean"
    BEST = "best"


class ThresholdKind(StrEnum):
    """Kind of change threshold: clinically important (MCID) or detectable (MDC, SRD)."""

    MCID = "MCID"
    MDC = "MDC"
    MDC90 = "MDC90"
    MDC95 = "MDC95"
    SRD = "SRD"

    @property
    def is_detectable(self) -> bool:
        """True for the measurement-error thresholds (MDC, MDC90, MDC95, SRD)."""
        return self is not ThresholdKind.MCID


class ChangeDirection(StrEnum):
    """Direction of a change, knowing which way is better for the measure."""

    IMPROVED = "improved"
    WORSE = "worse"
    UNCHANGED = "unchanged"


# --------------------------------------------------------------------------------------------
# Ranges (value bounds, band edges) written as the sources write them
# --------------------------------------------------------------------------------------------


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Range:
    """An interval of values, each end open or closed (infinite ends are open).

    Build one with :func:`below`, :func:`at_most`, :func:`above`, :func:`at_least`,
    :func:`between`, :func:`over_to`, :func:`from_until` or :func:`strictly_between`.

    Examples
    --------
    >>> below(45).describe()
    '< 45'
    >>> 45 in below(45), 44 in below(45)
    (False, True)
    >>> over_to(20, 40).describe("%")
    '> 20 and ≤ 40 %'
    """

    low: float = -math.inf
    high: float = math.inf
    low_inclusive: bool = True
    high_inclusive: bool = True

    def __post_init__(self) -> None:
        if math.isnan(self.low) or math.isnan(self.high) or self.low > self.high:
            raise InvalidParameterError(
                f"range must have low ≤ high; got low={self.low}, high={self.high}"
            )

    def __contains__(self, value: float) -> bool:
        if value < self.low or (value == self.low and not self.low_inclusive):
            return False
        return not (value > self.high or (value == self.high and not self.high_inclusive))

    def describe(self, unit: str = "", *, whole_numbers: bool = False) -> str:
        """The range in words a clinician reads: ``'< 45'``, ``'0–4'``, ``'≥ 13.5 s'``.

        ``whole_numbers=True`` writes a range of whole numbers (ages in completed years) the
        way sources print it: ``from_until(70, 80)`` as ``'70–79'``.
        """
        suffix = f" {unit}" if unit else ""
        lo_open, hi_open = math.isinf(self.low), math.isinf(self.high)
        if (
            whole_numbers
            and not (lo_open or hi_open)
            and self.low_inclusive
            and not self.high_inclusive
            and float(self.low).is_integer()
            and float(self.high).is_integer()
        ):
            return f"{_fmt(self.low)}–{_fmt(self.high - 1)}{suffix}"
        if lo_open and hi_open:
            return "any value"
        if lo_open:
            return f"{'≤' if self.high_inclusive else '<'} {_fmt(self.high)}{suffix}"
        if hi_open:
            return f"{'≥' if self.low_inclusive else '>'} {_fmt(self.low)}{suffix}"
        if self.low_inclusive and self.high_inclusive:
            if self.low == self.high:
                return f"{_fmt(self.low)}{suffix}"
            return f"{_fmt(self.low)}–{_fmt(self.high)}{suffix}"
        lo = f"{'≥' if self.low_inclusive else '>'} {_fmt(self.low)}"
        hi = f"{'≤' if self.high_inclusive else '<'} {_fmt(self.high)}"
        return f"{lo} and {hi}{suffix}"


def below(x: float) -> Range:
    """``< x``."""
    return Range(high=x, high_inclusive=False)


def at_most(x: float) -> Range:
    """``≤ x``."""
    return Range(high=x)


def above(x: float) -> Range:
    """``> x``."""
    return Range(low=x, low_inclusive=False)


def at_least(x: float) -> Range:
    """``≥ x``."""
    return Range(low=x)


def between(low: float, high: float) -> Range:
    """``low–high``, both ends included."""
    return Range(low=low, high=high)


def over_to(low: float, high: float) -> Range:
    """``> low and ≤ high``."""
    return Range(low=low, high=high, low_inclusive=False)


def from_until(low: float, high: float) -> Range:
    """``≥ low and < high``."""
    return Range(low=low, high=high, high_inclusive=False)


def strictly_between(low: float, high: float) -> Range:
    """``> low and < high``."""
    return Range(low=low, high=high, low_inclusive=False, high_inclusive=False)


# --------------------------------------------------------------------------------------------
# The parts of a measure definition
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    """One item (question, task or trial) of a measure.

    ``group`` joins items that become one value before the total is formed (the two sides of a
    bilateral item, the trials of a condition); the measure's :class:`GroupRule` says how.
    ``optional`` items may be left out without counting as missing (extra trials, PSFS
    activities 4–5).
    """

    id: str
    label: str
    allowed: Range
    unit: Unit = Unit.POINTS
    integer: bool = True
    optional: bool = False
    group: str | None = None

    def describe_allowed(self) -> str:
        """``'an integer 0–4'`` or ``'a number > 0 and ≤ 300 s'``."""
        kind = "an integer" if self.integer else "a number"
        unit = "" if self.unit is Unit.POINTS else self.unit.value
        return f"{kind} {self.allowed.describe(unit)}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Band:
    """One band of a cut-off scheme; ``flag`` marks a band the clinician must notice."""

    range: Range
    label: str
    flag: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class CutOffScheme:
    """Bands of the total for one population, from one source, in ascending order."""

    name: str
    population: Population
    bands: tuple[Band, ...]
    source: str
    verify: bool = False
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class AgeNorm:
    """Published typical value of the total for an age group (and sex, where the source splits).

    A total on the worse side of ``value`` (by the measure's :class:`Better`) is reported as
    worse than the age norm; equal is not.
    """

    age_years: Range
    value: float
    source: str
    sex: Sex | None = None
    statistic: str = "mean"
    verify: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class ChangeThreshold:
    """An MCID or MDC for one population, from one source.

    ``amount`` is in the measure's unit; ``relative_pct`` is a percentage of the previous total
    (met when either criterion is met). ``baseline`` restricts the threshold to previous totals
    in that range (Berg MDC by baseline, NPRS MCID by baseline). ``scope="item"`` applies it to
    each item present in both scores (PSFS single activity) instead of the total.
    """

    kind: ThresholdKind
    population: Population
    source: str
    amount: float | None = None
    relative_pct: float | None = None
    baseline: Range | None = None
    scope: str = "total"
    verify: bool = False
    note: str = ""

    def __post_init__(self) -> None:
        if self.amount is None and self.relative_pct is None:
            raise InvalidParameterError(
                f"change threshold ({self.source}) needs amount or relative_pct; got neither"
            )
        if self.scope not in ("total", "item"):
            raise InvalidParameterError(
                f"change threshold scope must be 'total' or 'item'; got {self.scope!r}"
            )

    def describe(self, unit: str) -> str:
        """``'MDC95 4 points (baseline 45–56)'`` and the like."""
        parts = []
        if self.amount is not None:
            parts.append(f"{_fmt(self.amount)} {unit}")
        if self.relative_pct is not None:
            parts.append(f"{_fmt(self.relative_pct)} % of baseline")
        text = f"{self.kind.value} {' or '.join(parts)}"
        if self.baseline is not None:
            text += f" (baseline {self.baseline.describe()})"
        if self.scope == "item":
            text += " per item"
        return text

    def is_met(self, change: float, *, baseline: float) -> bool:
        """Whether a change of this size meets the threshold (``|change| ≥ threshold``)."""
        size = abs(change)
        if self.amount is not None and size >= self.amount - 1e-9:
            return True
        if self.relative_pct is not None and baseline != 0:
            return bool(size / abs(baseline) * 100.0 >= self.relative_pct - 1e-9)
        return False


@dataclass(frozen=True, slots=True, kw_only=True)
class Subscore:
    """A subscore over item (or group) ids, formed by ``scoring``."""

    id: str
    label: str
    items: tuple[str, ...]
    scoring: Scoring = Scoring.SUM


@dataclass(frozen=True, slots=True, kw_only=True)
class Interpretation:
    """What one cut-off scheme, norm or pattern says about a score."""

    scheme: str
    population: Population
    label: str
    criterion: str
    source: str
    flag: bool
    verify: bool = False

    def __str__(self) -> str:
        mark = " [verify]" if self.verify else ""
        where = f"{self.criterion}; {self.population}; {self.source}"
        return f"{self.scheme}: {self.label} ({where}){mark}"


#: A measure-specific reading of the group-resolved item values (the mCTSIB sensory pattern).
ItemInterpreter = Callable[[Mapping[str, float]], tuple[Interpretation, ...]]
#: A measure-specific rule over the validated item values (e.g. the order of trials); it raises
#: :class:`~reeducate.errors.InvalidParameterError` naming the measure and item.
ItemCheck = Callable[["MeasureDefinition", Mapping[str, float]], None]


def check_consecutive_trials(measure: MeasureDefinition, given: Mapping[str, float], /) -> None:
    """Within each group of trials, a trial may be given only when the one before it was.

    Items of a group are taken in their table order.

    Examples
    --------
    >>> from reeducate.clinic.outcomes import MEASURES
    >>> from reeducate.errors import InvalidParameterError
    >>> try:
    ...     check_consecutive_trials(MEASURES["frt"], {"trial_1": 20.0, "trial_3": 22.0})
    ... except InvalidParameterError as err:
    ...     "item 'trial_3'" in str(err) and "needs the trial before it ('trial_2')" in str(err)
    True
    """
    previous: dict[str, Item] = {}
    for item in measure.items:
        if item.group is None:
            continue
        before = previous.get(item.group)
        previous[item.group] = item
        if before is not None and item.id in given and before.id not in given:
            raise InvalidParameterError(
                f"measure {measure.id!r}, item {item.id!r} ({item.label}): needs the trial "
                f"before it ({before.id!r}); got {given[item.id]!r} without it"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class MeasureDefinition:
    """Everything reeducate knows about one outcome measure.

    Invariants checked on construction: item ids are unique; subscores name known items or
    groups; every cut-off scheme's bands are in ascending order, do not overlap, leave no gap,
    and cover ``total_range``; a missing-item allowance exists only where the scoring rule says
    how to handle a missing item.
    """

    id: str
    name: str
    code: str
    unit: Unit
    better: Better
    items: tuple[Item, ...]
    total_range: Range
    scoring: Scoring
    scoring_source: str
    group_rule: GroupRule | None = None
    subscores: tuple[Subscore, ...] = ()
    cutoffs: tuple[CutOffScheme, ...] = ()
    age_norms: tuple[AgeNorm, ...] = ()
    thresholds: tuple[ChangeThreshold, ...] = ()
    max_missing: int = 0
    missing_rule: str = "no item may be missing (no published rule for missing items)"
    loinc: str | None = None
    interpret_items: ItemInterpreter | None = None
    check_items: ItemCheck | None = None
    notes: tuple[str, ...] = ()
    _by_id: Mapping[str, Item] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_id: dict[str, Item] = {}
        for item in self.items:
            if item.id in by_id:
                raise InvalidParameterError(f"measure {self.id!r}: duplicate item id {item.id!r}")
            by_id[item.id] = item
        object.__setattr__(self, "_by_id", MappingProxyType(by_id))
        if any(item.group is not None for item in self.items) and self.group_rule is None:
            raise InvalidParameterError(f"measure {self.id!r}: grouped items need a group_rule")
        known = set(by_id) | {item.group for item in self.items if item.group is not None}
        for sub in self.subscores:
            unknown = [i for i in sub.items if i not in known]
            if unknown:
                raise InvalidParameterError(
                    f"measure {self.id!r}, subscore {sub.id!r}: unknown items {unknown}"
                )
        prorates = self.scoring in (Scoring.PERCENT_OF_MAXIMUM, Scoring.PRORATED_SUM)
        if self.max_missing and not prorates:
            raise InvalidParameterError(
                f"measure {self.id!r}: max_missing must be 0 without a prorating rule; "
                f"got {self.max_missing}"
            )
        for scheme in self.cutoffs:
            _check_bands(self, scheme)

    @property
    def item_ids(self) -> tuple[str, ...]:
        """Ids of all items, in order."""
        return tuple(item.id for item in self.items)

    def item(self, item_id: str) -> Item:
        """The item with this id (``InvalidParameterError`` naming the known ids if absent)."""
        try:
            return self._by_id[item_id]
        except KeyError:
            raise InvalidParameterError(
                f"measure {self.id!r}: unknown item {item_id!r}; "
                f"expected one of {', '.join(self.item_ids)}"
            ) from None

    @property
    def integer_total(self) -> bool:
        """True when every possible total is an integer (sums of integer items, not prorated)."""
        return (
            all(item.integer for item in self.items)
            and self.scoring is Scoring.SUM
            and self.group_rule in (None, GroupRule.LOWER, GroupRule.BEST)
        )

    @property
    def prorates(self) -> bool:
        """True when the scoring rule says how to handle a missing item."""
        return self.scoring in (Scoring.PERCENT_OF_MAXIMUM, Scoring.PRORATED_SUM)


def _check_bands(measure: MeasureDefinition, scheme: CutOffScheme) -> None:
    where = f"measure {measure.id!r}, cut-offs {scheme.name!r} ({scheme.source})"
    bands = scheme.bands
    if not bands:
        raise InvalidParameterError(f"{where}: needs at least one band; got none")
    for left, right in itertools.pairwise(bands):
        a, b = left.range, right.range
        touching = a.high == b.low and a.high_inclusive != b.low_inclusive
        integer_step = (
            measure.integer_total
            and a.high_inclusive
            and b.low_inclusive
            and float(a.high).is_integer()
            and b.low == a.high + 1
        )
        if not (touching or integer_step):
            raise InvalidParameterError(
                f"{where}: bands {a.describe()!r} and {b.describe()!r} must meet without gap "
                "or overlap"
            )
    total = measure.total_range
    first, last = bands[0].range, bands[-1].range
    low_ok = first.low < total.low or (
        first.low == total.low and (first.low_inclusive or not total.low_inclusive)
    )
    high_ok = last.high > total.high or (
        last.high == total.high and (last.high_inclusive or not total.high_inclusive)
    )
    if not (low_ok and high_ok):
        raise InvalidParameterError(
            f"{where}: bands must cover the total range {total.describe()}; "
            f"got {first.describe()} … {last.describe()}"
        )


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomeScore:
    """A scored outcome measure.

    ``items`` holds the item values as given (validated); ``missing_items`` the required items
    that were not given and ``missing_handling`` what was done about them (in words). ``flags``
    repeats, in short, every interpretation a clinician must notice.
    """

    measure: str
    total: float
    unit: Unit
    better: Better
    subscores: Mapping[str, float]
    interpretation: tuple[Interpretation, ...]
    flags: tuple[str, ...]
    items: Mapping[str, float]
    missing_items: tuple[str, ...]
    missing_handling: str
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ThresholdCheck:
    """One change threshold applied to one change (``item`` set for item-scope thresholds)."""

    threshold: ChangeThreshold
    change: float
    met: bool
    item: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class OutcomeChange:
    """Change of a measure between two scores.

    ``exceeds_mdc`` / ``exceeds_mcid`` are ``None`` where no such threshold applies (measure,
    population, baseline); otherwise True only when the change meets *every* applicable
    threshold of that kind (the conservative reading when sources disagree). ``checks`` lists
    each threshold with its own result.
    """

    measure: str
    unit: Unit
    previous_total: float
    current_total: float
    change: float
    direction: ChangeDirection
    checks: tuple[ThresholdCheck, ...]
    exceeds_mdc: bool | None
    exceeds_mcid: bool | None
    summary: str


# --------------------------------------------------------------------------------------------
# Scoring
# --------------------------------------------------------------------------------------------

_NO_MISSING: Final = "no required item missing"


def _validated_value(measure: MeasureDefinition, item: Item, value: object) -> float:
    problem = None
    number = math.nan
    if isinstance(value, bool) or not isinstance(value, int | float):
        problem = "not a number"
    else:
        number = float(value)
        if math.isnan(number) or number not in item.allowed:
            problem = "out of range"
        elif item.integer and not number.is_integer():
            problem = "not an integer"
    if problem is not None:
        raise InvalidParameterError(
            f"measure {measure.id!r}, item {item.id!r} ({item.label}): must be "
            f"{item.describe_allowed()}; got {value!r}"
        )
    return number


def _combine(values: list[float], rule: Scoring, maxima: list[float], n_items: int) -> float:
    if rule is Scoring.SUM:
        return math.fsum(values)
    if rule is Scoring.MEAN:
        return math.fsum(values) / len(values)
    if rule is Scoring.PERCENT_OF_MAXIMUM:
        return math.fsum(values) / math.fsum(maxima) * 100.0
    return math.fsum(values) * n_items / len(values)  # PRORATED_SUM


def _group_value(values: list[float], rule: GroupRule) -> float:
    if rule is GroupRule.LOWER:
        return min(values)
    if rule is GroupRule.BEST:
        return max(values)
    return math.fsum(values) / len(values)


def _normalise_items(
    measure: MeasureDefinition, items: Mapping[str, object] | Mapping[int, object] | float
) -> dict[str, object]:
    if isinstance(items, Mapping):
        return {str(key): value for key, value in items.items()}
    required = [item for item in measure.items if not item.optional]
    if len(required) != 1:
        raise InvalidParameterError(
            f"measure {measure.id!r} needs item values as a mapping of "
            f"{', '.join(measure.item_ids)}; got a single value {items!r}"
        )
    return {required[0].id: items}


def _resolve(
    measure: MeasureDefinition, given: Mapping[str, float]
) -> tuple[dict[str, float], dict[str, float]]:
    """(effective values by item-or-group id, maxima by the same ids)."""
    effective: dict[str, float] = {}
    maxima: dict[str, float] = {}
    groups: dict[str, list[float]] = {}
    for item in measure.items:
        if item.group is None:
            if item.id in given:
                effective[item.id] = given[item.id]
                maxima[item.id] = item.allowed.high
        else:
            if item.group not in groups:
                groups[item.group] = []
                maxima[item.group] = item.allowed.high
            if item.id in given:
                groups[item.group].append(given[item.id])
    for gid, values in groups.items():
        if values and measure.group_rule is not None:
            effective[gid] = _group_value(values, measure.group_rule)
    return effective, maxima


def score_measure(
    measure: MeasureDefinition,
    items: Mapping[str, object] | Mapping[int, object] | float,
    /,
    *,
    age_years: float | None = None,
    sex: Sex | str | None = None,
    population: Population | str | None = None,
    max_missing: int | None = None,
) -> OutcomeScore:
    """Validate item values and score one measure (see :func:`reeducate.clinic.outcomes.score`).

    Parameters
    ----------
    measure
        The definition to score against.
    items
        Item values by item id (``int`` keys are read as their string). A missing item is left
        out or given as ``None``. A single number is accepted for measures with one required
        item (TUG, 5xSTS, NPRS, first trial of SLS or Functional Reach).
    age_years, sex
        For age (and sex) norms; when absent the norms are not applied and a note says so.
    population
        Restrict the interpretation to cut-offs for this population (plus those whose source
        does not restrict it); ``None`` reports every population.
    max_missing
        Override the measure's allowance of missing items (only where the scoring rule prorates).

    Returns
    -------
    OutcomeScore

    Examples
    --------
    >>> from reeducate.clinic.outcomes import MEASURES
    >>> s = score_measure(MEASURES["odi"], {str(i): 2 for i in range(1, 10)})
    >>> round(s.total, 2), s.missing_items
    (40.0, ('10',))
    """
    given_raw = _normalise_items(measure, items)
    for key in given_raw:
        measure.item(key)  # unknown ids raise, naming the known ones
    given: dict[str, float] = {}
    for item in measure.items:
        value = given_raw.get(item.id)
        if value is not None:
            given[item.id] = _validated_value(measure, item, value)
    if measure.check_items is not None:
        measure.check_items(measure, given)
    sex_value = _parse_sex(sex)
    population_value = _parse_population(population)
    if age_years is not None and (
        isinstance(age_years, bool)
        or not isinstance(age_years, int | float)
        or not 0 < age_years <= 120
    ):
        raise InvalidParameterError(f"age_years must be > 0 and ≤ 120; got {age_years!r}")

    allowance = measure.max_missing if max_missing is None else max_missing
    if max_missing is not None:
        if not measure.prorates and max_missing != 0:
            raise InvalidParameterError(
                f"measure {measure.id!r}: max_missing must be 0 because {measure.missing_rule}; "
                f"got {max_missing}"
            )
        if isinstance(max_missing, bool) or not 0 <= max_missing < len(measure.items):
            raise InvalidParameterError(
                f"max_missing must be an integer 0–{len(measure.items) - 1}; got {max_missing!r}"
            )

    missing = tuple(i.id for i in measure.items if not i.optional and i.id not in given)
    if len(missing) > allowance:
        raise InvalidParameterError(
            f"measure {measure.id!r}: at most {allowance} required items may be missing "
            f"({measure.missing_rule}); got {len(missing)} missing: {', '.join(missing)}"
        )
    grouped_missing = _groups_without_value(measure, given)
    if grouped_missing:
        raise InvalidParameterError(
            f"measure {measure.id!r}: group {', '.join(grouped_missing)}: needs at least one "
            "value; got none"
        )
    if missing:
        handling = f"{len(missing)} missing ({', '.join(missing)}): {measure.missing_rule}"
    else:
        handling = _NO_MISSING

    effective, maxima = _resolve(measure, given)
    ids = list(effective)
    total = _combine(
        [effective[i] for i in ids],
        measure.scoring,
        [maxima[i] for i in ids],
        _n_effective(measure),
    )
    subscores: dict[str, float] = {}
    for sub in measure.subscores:
        values, sub_max = [], []
        for sid in sub.items:
            if sid in effective:
                values.append(effective[sid])
                sub_max.append(maxima[sid])
            elif sid in given:
                values.append(given[sid])
                sub_max.append(measure.item(sid).allowed.high)
        if values:
            subscores[sub.id] = _combine(values, sub.scoring, sub_max, len(sub.items))

    interpretation, notes = interpret(
        measure, total, age_years=age_years, sex=sex_value, population=population_value
    )
    if measure.interpret_items is not None:
        interpretation += measure.interpret_items(effective)
    flags = tuple(f"{i.scheme}: {i.label} ({i.population})" for i in interpretation if i.flag)
    return OutcomeScore(
        measure=measure.id,
        total=total,
        unit=measure.unit,
        better=measure.better,
        subscores=MappingProxyType(subscores),
        interpretation=interpretation,
        flags=flags,
        items=MappingProxyType(dict(given)),
        missing_items=missing,
        missing_handling=handling,
        notes=notes,
    )


def _n_effective(measure: MeasureDefinition) -> int:
    """Number of values the total is formed from: ungrouped items plus groups."""
    return len({item.id if item.group is None else f"group:{item.group}" for item in measure.items})


def _groups_without_value(measure: MeasureDefinition, given: Mapping[str, float]) -> list[str]:
    groups: dict[str, bool] = {}
    for item in measure.items:
        if item.group is not None:
            groups[item.group] = groups.get(item.group, False) or item.id in given
    return [g for g, has in groups.items() if not has]


def _parse_sex(sex: Sex | str | None) -> Sex | None:
    if sex is None:
        return None
    try:
        return Sex(sex)
    except ValueError:
        raise InvalidParameterError(
            f"sex must be one of {', '.join(s.value for s in Sex)}; got {sex!r}"
        ) from None


def _parse_population(population: Population | str | None) -> Population | None:
    if population is None:
        return None
    if isinstance(population, Population):
        return population
    for p in Population:
        if population in (p.value, p.name, p.name.lower()):
            return p
    raise InvalidParameterError(
        f"population must be one of {', '.join(p.name.lower() for p in Population)}; "
        f"got {population!r}"
    )


def _applies(population: Population, wanted: Population | None) -> bool:
    return wanted is None or population in (wanted, Population.ADULTS)


def interpret(
    measure: MeasureDefinition,
    total: float,
    /,
    *,
    age_years: float | None = None,
    sex: Sex | None = None,
    population: Population | None = None,
) -> tuple[tuple[Interpretation, ...], tuple[str, ...]]:
    """Interpretations of a total by every cut-off scheme and age norm, and notes on what was
    not applied (no age given, no norm for this age).

    Examples
    --------
    >>> from reeducate.clinic.outcomes import MEASURES
    >>> found, notes = interpret(MEASURES["bbs"], 44.0)
    >>> found[0].label, found[0].criterion, found[0].flag
    ('increased fall risk', '< 45', True)
    """
    unit = "" if measure.unit is Unit.POINTS else measure.unit.value
    found: list[Interpretation] = []
    for scheme in measure.cutoffs:
        if not _applies(scheme.population, population):
            continue
        band = next(b for b in scheme.bands if total in b.range)
        found.append(
            Interpretation(
                scheme=scheme.name,
                population=scheme.population,
                label=band.label,
                criterion=band.range.describe(unit),
                source=scheme.source,
                flag=band.flag,
                verify=scheme.verify,
            )
        )
    notes: list[str] = []
    if measure.age_norms:
        if age_years is None:
            notes.append("age not given: age norms not applied")
        else:
            norms = [n for n in measure.age_norms if age_years in n.age_years]
            if not norms:
                notes.append(f"no age norm for age {age_years:g} y")
            for norm in norms:
                if norm.sex is not None and sex is None:
                    notes.append(f"sex not given: {norm.sex} norm ({norm.source}) not applied")
                    continue
                if norm.sex is not None and norm.sex is not sex:
                    continue
                found.append(_norm_interpretation(measure, norm, total, unit))
    return tuple(found), tuple(notes)


def _norm_interpretation(
    measure: MeasureDefinition, norm: AgeNorm, total: float, unit: str
) -> Interpretation:
    worse = total < norm.value if measure.better is Better.HIGHER else total > norm.value
    group = f"age {norm.age_years.describe('y', whole_numbers=True)}"
    if norm.sex is not None:
        group += f", {norm.sex}"
    side = "worse than" if worse else "not worse than"
    return Interpretation(
        scheme="age norm",
        population=Population.ADULTS,
        label=f"{side} the {norm.statistic} for {group}",
        criterion=f"{norm.statistic} {_fmt(norm.value)} {unit}".rstrip(),
        source=norm.source,
        flag=worse,
        verify=norm.verify,
    )


# --------------------------------------------------------------------------------------------
# Change over time
# --------------------------------------------------------------------------------------------


def compare(
    measure: MeasureDefinition,
    previous: OutcomeScore,
    current: OutcomeScore,
    /,
    *,
    population: Population | str | None = None,
) -> OutcomeChange:
    """Change from ``previous`` to ``current`` (see :func:`reeducate.clinic.outcomes.compare`).

    Examples
    --------
    >>> from reeducate.clinic.outcomes import MEASURES, score
    >>> c = compare(MEASURES["lefs"], score("lefs", {str(i): 2 for i in range(1, 21)}),
    ...             score("lefs", {str(i): 3 for i in range(1, 21)}))
    >>> c.change, c.direction.value, c.exceeds_mcid
    (20.0, 'improved', True)
    """
    for name, s in (("previous", previous), ("current", current)):
        if s.measure != measure.id:
            raise InvalidParameterError(
                f"{name} must be a score of measure {measure.id!r}; got {s.measure!r}"
            )
    wanted = _parse_population(population)
    change = current.total - previous.total
    if change == 0:
        direction = ChangeDirection.UNCHANGED
    elif (change > 0) == (measure.better is Better.HIGHER):
        direction = ChangeDirection.IMPROVED
    else:
        direction = ChangeDirection.WORSE
    checks: list[ThresholdCheck] = []
    for t in measure.thresholds:
        if not _applies(t.population, wanted):
            continue
        if t.scope == "item":
            for iid in measure.item_ids:
                if iid in previous.items and iid in current.items:
                    before, delta = previous.items[iid], current.items[iid] - previous.items[iid]
                    if t.baseline is None or before in t.baseline:
                        checks.append(
                            ThresholdCheck(
                                threshold=t,
                                change=delta,
                                met=t.is_met(delta, baseline=before),
                                item=iid,
                            )
                        )
            continue
        if t.baseline is not None and previous.total not in t.baseline:
            continue
        checks.append(
            ThresholdCheck(
                threshold=t, change=change, met=t.is_met(change, baseline=previous.total)
            )
        )
    total_checks = [c for c in checks if c.item is None]
    mdc = [c.met for c in total_checks if c.threshold.kind.is_detectable]
    mcid = [c.met for c in total_checks if not c.threshold.kind.is_detectable]
    exceeds_mdc = all(mdc) if mdc else None
    exceeds_mcid = all(mcid) if mcid else None
    unit = measure.unit.value
    summary = f"{measure.name}: {_fmt(previous.total)} → {_fmt(current.total)} {unit} " + (
        f"({change:+g} {unit}, {direction.value})"
    )
    for label, verdict in (("MDC", exceeds_mdc), ("MCID", exceeds_mcid)):
        if verdict is not None:
            summary += f"; {'meets' if verdict else 'below'} {label}"
    return OutcomeChange(
        measure=measure.id,
        unit=measure.unit,
        previous_total=previous.total,
        current_total=current.total,
        change=change,
        direction=direction,
        checks=tuple(checks),
        exceeds_mdc=exceeds_mdc,
        exceeds_mcid=exceeds_mcid,
        summary=summary,
    )
