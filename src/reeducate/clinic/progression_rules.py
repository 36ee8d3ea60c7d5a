"""Rule settings of the progression engine, read from TOML so that clinicians can review them.

The defaults live in ``reeducate/clinic/data/progression_rules.toml``, with the evidence for each
number beside it (``reference/clinic.md`` §5). A clinic changes any of them with its own file,
which holds ``schema_version = 1`` and only the keys it changes; every other key keeps its
default:

.. code-block:: toml

    schema_version = 1
    [mastery]
    consecutive_sessions = 3
    [dose]
    weekly_minutes = 180

===========================================  ======================================================
key                                          meaning (default)
===========================================  ======================================================
mastery.consecutive_sessions                 sessions in a row, on different days, that must meet
                                             every mastery criterion (2)
mastery.all_sets_at_top_of_target            every set at the top of its target (true); false: at
                                             least the bottom of a rep range
mastery.max_difficulty                       highest rating that still counts as easy, per scale
                                             (balance_1_5 = 2, rpe_0_10 = 3)
mastery.max_losses_of_balance                losses of balance allowed in any set (0)
mastery.max_assistance                       most help allowed (supervision)
mastery.min_quality_ratio                    lowest quality, as a share of its scale (0.75)
mastery.quality_required                     a session without a quality score cannot count
                                             (false)
symptoms.pain_rise_nprs                      NPRS points above the session's start that count as a
                                             symptom (2, the NPRS MCID)
regress.balance_events                       events that regress (near_fall, fall)
regress.difficulty_at_or_above               ratings that regress, per scale (balance_1_5 = 5)
regress.losses_of_balance_per_set            losses of balance in one set that regress (2)
regress.below_completion_ratio               share of the dose below which the level regresses
                                             (0.5)
regress.step_back_after_days_without_session days with no session that step back one level (7)
order.dimensions                             the order dimensions are progressed in, after the
                                             patient's goal (the seed ladder)
load.progression                             loaded exercises with a rep range progress the load
                                             first (true)
load.increment_kg                            load added per step (0.5 kg)
dose.weekly_minutes                          weekly minutes below which the dose is flagged (120)
dose.weekly_sessions                         training days per week below which the dose is
                                             flagged (3)
===========================================  ======================================================

References
----------
Lesinski M, Hortobágyi T, Muehlbauer T, Gollhofer A, Granacher U (2015) Dose-response
relationships of balance training in healthy young adults: a systematic review and
meta-analysis. Sports Med 45(4):557-576. doi:10.1007/s40279-014-0284-5

Muehlbauer T, Roth R, Bopp M, Granacher U (2012) An exercise sequence for progression in balance
training. J Strength Cond Res 26(2):568-574. doi:10.1519/JSC.0b013e318225f3c4

Sherrington C, Tiedemann A, Fairhall N, Close JC, Lord SR (2011) Exercise to prevent falls in
older adults: an updated meta-analysis and best practice recommendations. N S W Public Health
Bull 22(3-4):78-83. doi:10.1071/NB10056

Farlie MK, Robins L, Haas R, Keating JL, Molloy E, Haines TP (2019) Programme frequency, type,
time and duration do not explain the effects of balance exercise in older adults: a systematic
review with a meta-regression analysis. Br J Sports Med 53(16):996-1002.
doi:10.1136/bjsports-2016-096874

Examples
--------
>>> rules = default_rules()
>>> rules.consecutive_sessions, rules.pain_rise_nprs, rules.weekly_minutes_target
(2, 2, 120.0)
>>> rules.max_difficulty[DifficultyScale.BALANCE_1_5]
2.0
>>> parse_rules("schema_version = 1\\n[mastery]\\nconsecutive_sessions = 3",
...             source="clinic.toml").consecutive_sessions
3
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, TypeVar

from reeducate.clinic.dimensions import Dimension
from reeducate.enums import allowed_values, member_of
from reeducate.errors import FileFormatError, InvalidParameterError, NotFoundError

__all__ = [
    "DIFFICULTY_SCALE_RANGES",
    "Assistance",
    "BalanceEvent",
    "DifficultyScale",
    "ProgressionRules",
    "default_rules",
    "load_rules",
    "parse_rules",
]

SCHEMA_VERSION: Final = 1


class DifficultyScale(StrEnum):
    """A scale of perceived difficulty (intensity), with its range in
    :data:`DIFFICULTY_SCALE_RANGES`.

    ``balance_1_5`` is the 1–5 balance self-rating (1 = steady … 5 = loss of balance; Univ.
    Michigan, Front Rehabil Sci 2023, 4:1096171), the scale ``reference/clinic.md`` §5.2 gates on.
    Self-ratings run about 0.3–0.4 below a therapist's; ratings are compared as recorded.
    ``rpe_0_10`` is Borg's CR10 rating of perceived exertion.
    """

    BALANCE_1_5 = "balance_1_5"
    RPE_0_10 = "rpe_0_10"


#: (lowest, highest, whole numbers only) of each difficulty scale.
DIFFICULTY_SCALE_RANGES: Final[Mapping[DifficultyScale, tuple[float, float, bool]]] = (
    MappingProxyType(
        {
            DifficultyScale.BALANCE_1_5: (1.0, 5.0, True),
            DifficultyScale.RPE_0_10: (0.0, 10.0, False),
        }
    )
)


class Assistance(StrEnum):
    """Help the patient needed, least first (the order is the clinical order)."""

    INDEPENDENT = "independent"
    SUPERVISION = "supervision"
    CONTACT_GUARD = "contact_guard"
    MINIMAL = "minimal"
    MODERATE = "moderate"
    MAXIMAL = "maximal"


class BalanceEvent(StrEnum):
    """The worst loss of balance in a session (WHO fall definition for ``fall``)."""

    NONE = "none"
    NEAR_FALL = "near_fall"
    FALL = "fall"


class _RuleError(InvalidParameterError):
    """An invalid rule; ``field`` and ``detail`` let the loader name the file and key."""

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(f"{field} {detail}")
        self.field = field
        self.detail = detail


_E = TypeVar("_E", bound=StrEnum)


def _int(field: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _RuleError(field, f"must be an integer {low}–{high}; got {value!r}")
    return value


def _number(field: str, value: object, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise _RuleError(field, f"must be a number {low:g}–{high:g}; got {value!r}")
    return float(value)


def _bool(field: str, value: object) -> bool:
    if not isinstance(value, bool):
        raise _RuleError(field, f"must be true or false; got {value!r}")
    return value


def _enum(field: str, value: object, enum: type[_E]) -> _E:
    member = member_of(enum, value) if isinstance(value, str) else None
    if member is None:
        raise _RuleError(field, f"must be one of {allowed_values(enum)}; got {value!r}")
    return member


def _scale_map(
    field: str, value: object, *, complete: bool, regress: bool
) -> Mapping[DifficultyScale, float]:
    if not isinstance(value, Mapping):
        raise _RuleError(field, f"must be a table of scale = rating; got {value!r}")
    parsed: dict[DifficultyScale, float] = {}
    for key, rating in value.items():
        scale = _enum(field, key, DifficultyScale)
        low, high, _ = DIFFICULTY_SCALE_RANGES[scale]
        # A progress threshold at the top, or a regress threshold at the bottom, would make every
        # rating pass (or regress): refuse both.
        if regress:
            parsed[scale] = _number(f"{field}.{scale}", rating, low + 1, high)
        else:
            parsed[scale] = _number(f"{field}.{scale}", rating, low, high - 1)
    if complete:
        missing = [s.value for s in DifficultyScale if s not in parsed]
        if missing:
            raise _RuleError(
                field, f"must give a rating for every scale; missing {', '.join(missing)}"
            )
    return MappingProxyType(parsed)


@dataclass(frozen=True, slots=True, kw_only=True)
class ProgressionRules:
    """The rule settings of the progression engine (see the module's table for each key).

    Build it with :func:`default_rules`, :func:`load_rules` or :func:`parse_rules`; constructing
    it directly validates every field the same way.

    Attributes
    ----------
    consecutive_sessions : int
        Sessions in a row, on different days, meeting every mastery criterion (1–10).
    all_sets_at_top_of_target : bool
    max_difficulty : mapping of DifficultyScale to float
        Highest rating still counted as easy, for every scale.
    max_losses_of_balance : int
        Losses of balance allowed in any set of a mastered session (0–10).
    max_assistance : Assistance
    min_quality_ratio : float
        Lowest quality (0–1 share of its scale) of a mastered session.
    quality_required : bool
    pain_rise_nprs : int
        NPRS points above the session's starting pain that count as a symptom (1–10).
    regress_balance_events : frozenset of BalanceEvent
        Events that regress (never ``none``).
    regress_difficulty_at_or_above : mapping of DifficultyScale to float
        Ratings that regress; scales not named never regress on the rating alone.
    regress_losses_of_balance_per_set : int
        Losses of balance in one set that regress (1–20).
    regress_below_completion_ratio : float
        Share of the prescribed dose below which the level regresses (0–1).
    step_back_after_days_without_session : int
        Days with no session that step back one level (1–365).
    dimension_order : tuple of Dimension
        Every dimension once, in the order they are progressed after the patient's goal.
    load_progression : bool
    load_increment_kg : float
        Load added per load step (0.1–20 kg).
    weekly_minutes_target : float
        Weekly minutes below which the dose is flagged (1–2000).
    weekly_sessions_target : int
        Training days per week below which the dose is flagged (1–7).
    source : str
        Where the rules were read from.
    """

    consecutive_sessions: int
    all_sets_at_top_of_target: bool
    max_difficulty: Mapping[DifficultyScale, float]
    max_losses_of_balance: int
    max_assistance: Assistance
    min_quality_ratio: float
    quality_required: bool
    pain_rise_nprs: int
    regress_balance_events: frozenset[BalanceEvent]
    regress_difficulty_at_or_above: Mapping[DifficultyScale, float]
    regress_losses_of_balance_per_set: int
    regress_below_completion_ratio: float
    step_back_after_days_without_session: int
    dimension_order: tuple[Dimension, ...]
    load_progression: bool
    load_increment_kg: float
    weekly_minutes_target: float
    weekly_sessions_target: int
    source: str = "(constructed)"

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(
            self,
            "consecutive_sessions",
            _int("consecutive_sessions", self.consecutive_sessions, 1, 10),
        )
        _bool("all_sets_at_top_of_target", self.all_sets_at_top_of_target)
        set_(
            self,
            "max_difficulty",
            _scale_map("max_difficulty", self.max_difficulty, complete=True, regress=False),
        )
        _int("max_losses_of_balance", self.max_losses_of_balance, 0, 10)
        set_(self, "max_assistance", _enum("max_assistance", self.max_assistance, Assistance))
        set_(self, "min_quality_ratio", _number("min_quality_ratio", self.min_quality_ratio, 0, 1))
        _bool("quality_required", self.quality_required)
        _int("pain_rise_nprs", self.pain_rise_nprs, 1, 10)
        events = self.regress_balance_events
        if isinstance(events, str) or not isinstance(events, frozenset | set | tuple | list):
            raise _RuleError(
                "regress_balance_events", f"must be a list of balance events; got {events!r}"
            )
        parsed_events = frozenset(_enum("regress_balance_events", e, BalanceEvent) for e in events)
        if BalanceEvent.NONE in parsed_events:
            raise _RuleError("regress_balance_events", "must not contain none; got none")
        set_(self, "regress_balance_events", parsed_events)
        set_(
            self,
            "regress_difficulty_at_or_above",
            _scale_map(
                "regress_difficulty_at_or_above",
                self.regress_difficulty_at_or_above,
                complete=False,
                regress=True,
            ),
        )
        for scale, at in self.regress_difficulty_at_or_above.items():
            if at <= self.max_difficulty[scale]:
                raise _RuleError(
                    "regress_difficulty_at_or_above",
                    f"must be above max_difficulty for {scale} ({self.max_difficulty[scale]:g}); "
                    f"got {at:g}",
                )
        _int("regress_losses_of_balance_per_set", self.regress_losses_of_balance_per_set, 1, 20)
        if self.regress_losses_of_balance_per_set <= self.max_losses_of_balance:
            raise _RuleError(
                "regress_losses_of_balance_per_set",
                f"must be above max_losses_of_balance ({self.max_losses_of_balance}); "
                f"got {self.regress_losses_of_balance_per_set}",
            )
        set_(
            self,
            "regress_below_completion_ratio",
            _number("regress_below_completion_ratio", self.regress_below_completion_ratio, 0, 1),
        )
        _int(
            "step_back_after_days_without_session",
            self.step_back_after_days_without_session,
            1,
            365,
        )
        order = self.dimension_order
        if isinstance(order, str) or not isinstance(order, tuple | list):
            raise _RuleError("dimension_order", f"must be a list of dimensions; got {order!r}")
        parsed_order = tuple(_enum("dimension_order", d, Dimension) for d in order)
        if sorted(parsed_order) != sorted(Dimension):
            repeated = sorted({d.value for d in parsed_order if parsed_order.count(d) > 1})
            missing = [d.value for d in Dimension if d not in parsed_order]
            raise _RuleError(
                "dimension_order",
                "must name every dimension exactly once; "
                f"missing {', '.join(missing) or 'none'}, repeated {', '.join(repeated) or 'none'}",
            )
        set_(self, "dimension_order", parsed_order)
        _bool("load_progression", self.load_progression)
        set_(
            self, "load_increment_kg", _number("load_increment_kg", self.load_increment_kg, 0.1, 20)
        )
        set_(
            self,
            "weekly_minutes_target",
            _number("weekly_minutes_target", self.weekly_minutes_target, 1, 2000),
        )
        _int("weekly_sessions_target", self.weekly_sessions_target, 1, 7)
        if not isinstance(self.source, str) or not self.source:
            raise _RuleError("source", f"must be non-empty text; got {self.source!r}")


# The file layout: (section, key) -> (field, how to read the TOML value).
_Reader = Callable[[object], object]


def _as_list(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


_KEYS: Final[Mapping[tuple[str, str], tuple[str, _Reader]]] = MappingProxyType(
    {
        ("mastery", "consecutive_sessions"): ("consecutive_sessions", lambda v: v),
        ("mastery", "all_sets_at_top_of_target"): ("all_sets_at_top_of_target", lambda v: v),
        ("mastery", "max_difficulty"): ("max_difficulty", lambda v: v),
        ("mastery", "max_losses_of_balance"): ("max_losses_of_balance", lambda v: v),
        ("mastery", "max_assistance"): ("max_assistance", lambda v: v),
        ("mastery", "min_quality_ratio"): ("min_quality_ratio", lambda v: v),
        ("mastery", "quality_required"): ("quality_required", lambda v: v),
        ("symptoms", "pain_rise_nprs"): ("pain_rise_nprs", lambda v: v),
        ("regress", "balance_events"): ("regress_balance_events", _as_list),
        ("regress", "difficulty_at_or_above"): ("regress_difficulty_at_or_above", lambda v: v),
        ("regress", "losses_of_balance_per_set"): (
            "regress_losses_of_balance_per_set",
            lambda v: v,
        ),
        ("regress", "below_completion_ratio"): ("regress_below_completion_ratio", lambda v: v),
        ("regress", "step_back_after_days_without_session"): (
            "step_back_after_days_without_session",
            lambda v: v,
        ),
        ("order", "dimensions"): ("dimension_order", _as_list),
        ("load", "progression"): ("load_progression", lambda v: v),
        ("load", "increment_kg"): ("load_increment_kg", lambda v: v),
        ("dose", "weekly_minutes"): ("weekly_minutes_target", lambda v: v),
        ("dose", "weekly_sessions"): ("weekly_sessions_target", lambda v: v),
    }
)
_KEY_OF_FIELD: Final[Mapping[str, str]] = MappingProxyType(
    {field: f"{section}.{key}" for (section, key), (field, _) in _KEYS.items()}
)
_SECTIONS: Final = tuple(dict.fromkeys(section for section, _ in _KEYS))


def _read_document(label: str, text: str) -> dict[tuple[str, str], object]:
    def error(key: str, detail: str) -> FileFormatError:
        return FileFormatError(f"{label}, key {key}: {detail}")

    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise FileFormatError(f"{label}: is not valid TOML; {exc}") from None
    version = document.pop("schema_version", None)
    if version != SCHEMA_VERSION:
        raise error("schema_version", f"must be {SCHEMA_VERSION}; got {version!r}")
    values: dict[tuple[str, str], object] = {}
    for section, table in document.items():
        if section not in _SECTIONS:
            raise error(section, f"is not a section; allowed: {', '.join(_SECTIONS)}")
        if not isinstance(table, dict):
            raise error(section, f"must be a table ([{section}]); got {table!r}")
        for key, value in table.items():
            if (section, key) not in _KEYS:
                allowed = ", ".join(k for s, k in _KEYS if s == section)
                raise error(f"{section}.{key}", f"is not a key of [{section}]; allowed: {allowed}")
            values[(section, key)] = value
    return values


def _build(label: str, values: Mapping[tuple[str, str], object]) -> ProgressionRules:
    kwargs: dict[str, Any] = {"source": label}
    for (section, key), value in values.items():
        field, read = _KEYS[(section, key)]
        kwargs[field] = read(value)
    missing = [f"{s}.{k}" for s, k in _KEYS if (s, k) not in values]
    if missing:
        raise FileFormatError(f"{label}, key {missing[0]}: is required; got nothing")
    try:
        return ProgressionRules(**kwargs)
    except _RuleError as exc:
        key = _KEY_OF_FIELD.get(exc.field.split(".")[0], exc.field)
        suffix = exc.field.split(".", 1)[1] if "." in exc.field else ""
        raise FileFormatError(
            f"{label}, key {key}{'.' + suffix if suffix else ''}: {exc.detail}"
        ) from None


_DEFAULT_LABEL: Final = "progression_rules.toml (built-in defaults)"


@cache
def _default_values() -> Mapping[tuple[str, str], object]:
    text = (
        resources.files("reeducate.clinic.data")
        .joinpath("progression_rules.toml")
        .read_text(encoding="utf-8")
    )
    return MappingProxyType(_read_document(_DEFAULT_LABEL, text))


@cache
def default_rules() -> ProgressionRules:
    """Return the built-in rules (read once from the package's TOML file, then cached).

    Returns
    -------
    ProgressionRules

    Examples
    --------
    >>> default_rules().dimension_order[:3]
    (<Dimension.JOINTS: 'joints'>, <Dimension.MOVEMENT_PATH: 'movement_path'>, \
<Dimension.LOAD_BEARING: 'load_bearing'>)
    """
    return _build(_DEFAULT_LABEL, _default_values())


def parse_rules(text: str, /, *, source: str) -> ProgressionRules:
    """Read a clinic's rules from TOML text; keys it does not give keep their defaults.

    A table value (``max_difficulty``, ``difficulty_at_or_above``) is merged scale by scale
    with the default; a list (``balance_events``, ``dimensions``) replaces it.

    Parameters
    ----------
    text : str
        The TOML document, with ``schema_version = 1``.
    source : str
        Its name for messages (e.g. the file name).

    Returns
    -------
    ProgressionRules

    Raises
    ------
    FileFormatError
        If the text is not TOML, or a section, key or value is wrong; the message names
        ``source`` and the key.

    Examples
    --------
    >>> try:
    ...     parse_rules("schema_version = 1\\n[mastery]\\nconsecutive_sessions = 0",
    ...                 source="clinic.toml")
    ... except ValueError as error:
    ...     print(error)
    clinic.toml, key mastery.consecutive_sessions: must be an integer 1–10; got 0
    """
    values = dict(_default_values())
    for key, value in _read_document(source, text).items():
        default = values.get(key)
        if isinstance(default, dict) and isinstance(value, dict):
            value = {**default, **value}
        values[key] = value
    return _build(source, values)


def load_rules(path: str | os.PathLike[str], /) -> ProgressionRules:
    """Read a clinic's rules file (the only file this module reads that is not its own data,
    and only because the caller names it); see :func:`parse_rules`.

    Raises
    ------
    NotFoundError
        If the file does not exist.
    FileFormatError
        If it is not UTF-8 TOML or a key is wrong; the message names the file and the key.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "rules.toml"
    >>> _ = path.write_text("schema_version = 1\\n[dose]\\nweekly_minutes = 180\\n")
    >>> load_rules(path).weekly_minutes_target
    180.0
    """
    file = Path(os.fspath(path))
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise NotFoundError(f"rules file {file} does not exist") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FileFormatError(f"{file}: must be UTF-8 text; {exc}") from None
    return parse_rules(text, source=str(file))
