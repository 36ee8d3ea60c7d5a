"""The progression engine: progress, hold or regress an exercise from the patient's sessions.

A patient's recent :class:`SessionRecord` s for an exercise and the clinic's
:class:`~reeducate.clinic.progression_rules.ProgressionRules` go in; a :class:`Recommendation`
comes out: **progress** (one step harder along one dimension, or more load), **hold**, or
**regress** (one step easier), with the rule that decided, the evidence in words a therapist can
read, and the data points used. The therapist then accepts, changes or rejects it
(:class:`TherapistDecision`, :func:`apply_decision`). :func:`weekly_dose` checks the week's
training time against the evidence-based target.

How :func:`recommend` decides (``reference/clinic.md`` §5.2; every number is a rule setting)
-------------------------------------------------------------------------------------------------
Only sessions of the current variant's family count; sessions at the current variant are the
"sessions at this level".

1. **Regress** when the latest session at this level shows any of: a fall or near-fall; a
   symptom (pain during or after ≥ 2 NPRS points above the session's start, dizziness or another
   symptom during or after); a difficulty rating at the regress threshold (self-rating 5/5); ≥ 2
   losses of balance in one set; less than 50 % of the prescribed dose done. The recommendation
   is flagged for the therapist.
2. **Regress** (step back) when there were ≥ 7 calendar days with no session of this exercise
   between the last session (or ``prescribed_on``, if later) and ``today``.
3. **Progress** when the last sessions at this level, on ``consecutive_sessions`` different days,
   each met every mastery criterion: every prescribed set at the top of its target, difficulty
   recorded and at or below the threshold, no pain rise (the starting pain recorded whenever pain
   was), no other symptom, no fall or near-fall, no loss of balance, quality (when recorded or
   required) and assistance within the rules, all at the same load.

   * A loaded exercise with a rep range (e.g. 3 × 8–12 reps at 2 kg) progresses its **load** by
     ``load_increment_kg`` and restarts at the bottom of the range (double progression).
   * Otherwise it steps **one level harder along one dimension**: the first of the patient's
     goal dimensions, then the rules' dimension order (the seed ladder), that has a harder
     variant in the library.
   * When no dimension has a harder variant: **hold, top of the ladder**, suggesting the
     families the library says follow this one (``leads_to``).
4. Otherwise **hold**, naming what is missing.

A regress goes **one level easier along the dimension most recently progressed** (the step from
the previous variant of the family in the sessions to the current one); when the sessions do not
show that step, along **the ladder's last dimension** that has an easier variant (the step the
ladder would have taken last). At the family's easiest level it stays, flagged, and names the
families that lead to this one.

Examples
--------
>>> from datetime import date
>>> from reeducate.clinic.exercises import load_library
>>> from reeducate.clinic.progression_rules import default_rules
>>> def session(day):
...     return SessionRecord(
...         variant_id="bal-sls-firm-eo", session_date=date(2024, 11, day),
...         setting=Setting.CLINIC, sets_prescribed=3,
...         sets=(SetRecord(hold_target_s=30, hold_done_s=30),) * 3,
...         difficulty=PerceivedDifficulty(scale=DifficultyScale.BALANCE_1_5, value=2),
...         pain_before_nprs=1, pain_after_nprs=1, duration_min=10)
>>> rec = recommend("bal-sls-firm-eo", [session(12), session(14)],
...                 library=load_library(), rules=default_rules(), today=date(2024, 11, 15))
>>> rec.decision, rec.target_variant_id
(<Decision.PROGRESS: 'progress'>, 'bal-sls-foam-eo')
>>> print(rec.evidence)
2 consecutive sessions (12 and 14 Nov) with all 3 sets at 30/30 s, self-rating 2/5, \
no symptoms → progress along surface: firm → foam (bal-sls-foam-eo)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Final, Literal, TypeVar

from reeducate.clinic.dimensions import Dimension, Level
from reeducate.clinic.exercises import ExerciseLibrary, ExerciseVariant
from reeducate.clinic.progression_rules import (
    DIFFICULTY_SCALE_RANGES,
    Assistance,
    BalanceEvent,
    DifficultyScale,
    ProgressionRules,
)
from reeducate.enums import allowed_values, member_of
from reeducate.errors import DomainRuleError, InvalidParameterError, NotFoundError

__all__ = [
    "Assistance",
    "BalanceEvent",
    "Criterion",
    "DataPoint",
    "Decision",
    "DecisionKind",
    "DifficultyScale",
    "DoseChange",
    "PerceivedDifficulty",
    "PrescriptionChange",
    "Quality",
    "QualitySource",
    "Rater",
    "Recommendation",
    "Rule",
    "SessionRecord",
    "SetRecord",
    "Setting",
    "Symptom",
    "TherapistDecision",
    "WeeklyDose",
    "apply_decision",
    "recommend",
    "recommend_needs_since",
    "weekly_dose",
]


# --------------------------------------------------------------------------------------------
# Vocabularies
# --------------------------------------------------------------------------------------------


class Setting(StrEnum):
    """Where the session took place."""

    CLINIC = "clinic"
    HOME = "home"


class Rater(StrEnum):
    """Who gave a rating."""

    PATIENT = "patient"
    THERAPIST = "therapist"


class QualitySource(StrEnum):
    """Where a quality score comes from."""

    MEASUREMENT = "measurement"
    THERAPIST_RATING = "therapist_rating"


class Symptom(StrEnum):
    """Symptoms other than pain (pain is recorded on the NPRS)."""

    DIZZINESS = "dizziness"
    NAUSEA = "nausea"
    HEADACHE = "headache"
    NUMBNESS_TINGLING = "numbness_tingling"
    VISUAL_DISTURBANCE = "visual_disturbance"
    SHORTNESS_OF_BREATH = "shortness_of_breath"
    CHEST_PAIN = "chest_pain"
    OTHER = "other"


class Decision(StrEnum):
    """What the engine recommends."""

    PROGRESS = "progress"
    HOLD = "hold"
    REGRESS = "regress"


class Rule(StrEnum):
    """The rule that decided a recommendation."""

    MASTERY = "mastery"
    MASTERY_LOAD = "mastery_load"
    NOT_ENOUGH_SESSIONS = "not_enough_sessions"
    NOT_MASTERED = "not_mastered"
    TOP_OF_LADDER = "top_of_ladder"
    FALL_OR_NEAR_FALL = "fall_or_near_fall"
    SYMPTOMS = "symptoms"
    DIFFICULTY_TOO_HIGH = "difficulty_too_high"
    LOSSES_OF_BALANCE = "losses_of_balance"
    BELOW_HALF_OF_TARGET = "below_half_of_target"
    LONG_GAP = "long_gap"


class Criterion(StrEnum):
    """What a :class:`DataPoint` reports on."""

    SETS = "sets"
    COMPLETION = "completion"
    DIFFICULTY = "difficulty"
    PAIN = "pain"
    SYMPTOMS = "symptoms"
    BALANCE_EVENT = "balance_event"
    LOSSES_OF_BALANCE = "losses_of_balance"
    QUALITY = "quality"
    ASSISTANCE = "assistance"
    LOAD = "load"
    DAYS_WITHOUT_SESSION = "days_without_session"


class DecisionKind(StrEnum):
    """What the therapist did with a recommendation."""

    ACCEPT = "accept"
    CHANGE = "change"
    REJECT = "reject"


# --------------------------------------------------------------------------------------------
# Validation helpers (messages: field, constraint, what was received)
# --------------------------------------------------------------------------------------------

_E = TypeVar("_E", bound=StrEnum)


def _int(field: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise InvalidParameterError(f"{field} must be an integer {low}–{high}; got {value!r}")
    return value


def _number(field: str, value: object, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise InvalidParameterError(f"{field} must be a number {low:g}–{high:g}; got {value!r}")
    return float(value)


def _enum(field: str, value: object, enum: type[_E]) -> _E:
    member = member_of(enum, value) if isinstance(value, str) else None
    if member is None:
        raise InvalidParameterError(
            f"{field} must be one of {allowed_values(enum)}; got {value!r}"
        )
    return member


def _text(field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InvalidParameterError(f"{field} must be non-empty text; got {value!r}")
    return value.strip()


def _date(field: str, value: object) -> date:
    if isinstance(value, datetime) or not isinstance(value, date):
        raise InvalidParameterError(
            f"{field} must be a date (datetime.date, not a datetime); got {value!r}"
        )
    return value


def _set_field(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


# --------------------------------------------------------------------------------------------
# Input records
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SetRecord:
    """One set as done: repetitions and/or hold time achieved against the set's target.

    Attributes
    ----------
    reps_target : int or None
        Repetitions asked for, 1–100; the **top** of the range when there is a range.
    reps_target_min : int or None
        Bottom of a rep range (e.g. 8 for 8–12), 1–``reps_target``; None: a fixed target.
    reps_done : int or None
        Repetitions done, 0–1000; given exactly when ``reps_target`` is.
    hold_target_s : float or None
        Hold asked for (per repetition, or per set when there are no repetitions), 0–600 s
        (> 0).
    hold_done_s : float or None
        Hold achieved, 0–3600 s; given exactly when ``hold_target_s`` is.
    load_kg : float or None
        External load, 0–500 kg; None when none is used.
    losses_of_balance : int
        Steps or grabs for support to recover balance during the set, 0–100.

    At least one of ``reps_target`` and ``hold_target_s`` is given.

    Examples
    --------
    >>> s = SetRecord(reps_target=12, reps_target_min=8, reps_done=12, load_kg=2)
    >>> s.at_top, s.completion_ratio
    (True, 1.0)
    """

    reps_target: int | None = None
    reps_target_min: int | None = None
    reps_done: int | None = None
    hold_target_s: float | None = None
    hold_done_s: float | None = None
    load_kg: float | None = None
    losses_of_balance: int = 0

    def __post_init__(self) -> None:
        if self.reps_target is None and self.hold_target_s is None:
            raise InvalidParameterError("reps_target or hold_target_s must be given; got neither")
        if self.reps_target is not None:
            _int("reps_target", self.reps_target, 1, 100)
            if self.reps_done is None:
                raise InvalidParameterError("reps_done must be given when reps_target is; got None")
        elif self.reps_done is not None or self.reps_target_min is not None:
            raise InvalidParameterError(
                "reps_done and reps_target_min must be None without reps_target; "
                f"got reps_done={self.reps_done!r}, reps_target_min={self.reps_target_min!r}"
            )
        if self.reps_done is not None:
            _int("reps_done", self.reps_done, 0, 1000)
        if self.reps_target_min is not None and self.reps_target is not None:
            _int("reps_target_min", self.reps_target_min, 1, self.reps_target)
        if self.hold_target_s is not None:
            if _number("hold_target_s", self.hold_target_s, 0, 600) <= 0:
                raise InvalidParameterError(
                    f"hold_target_s must be > 0; got {self.hold_target_s!r}"
                )
            _set_field(self, "hold_target_s", float(self.hold_target_s))
            if self.hold_done_s is None:
                raise InvalidParameterError(
                    "hold_done_s must be given when hold_target_s is; got None"
                )
            _set_field(self, "hold_done_s", _number("hold_done_s", self.hold_done_s, 0, 3600))
        elif self.hold_done_s is not None:
            raise InvalidParameterError(
                f"hold_done_s must be None without hold_target_s; got {self.hold_done_s!r}"
            )
        if self.load_kg is not None:
            _set_field(self, "load_kg", _number("load_kg", self.load_kg, 0, 500))
        _int("losses_of_balance", self.losses_of_balance, 0, 100)

    @property
    def at_top(self) -> bool:
        """True when every target of the set was reached at its top."""
        reps_ok = self.reps_target is None or (self.reps_done or 0) >= self.reps_target
        hold_ok = self.hold_target_s is None or (self.hold_done_s or 0.0) >= self.hold_target_s
        return reps_ok and hold_ok

    @property
    def at_least_min(self) -> bool:
        """True when every target reached at least its bottom (the target itself if fixed)."""
        low = self.reps_target_min if self.reps_target_min is not None else self.reps_target
        reps_ok = low is None or (self.reps_done or 0) >= low
        hold_ok = self.hold_target_s is None or (self.hold_done_s or 0.0) >= self.hold_target_s
        return reps_ok and hold_ok

    @property
    def completion_ratio(self) -> float:
        """Share of the set's target done, 0–1: the lower of the reps and hold shares, each
        against the bottom of its target and capped at 1."""
        shares: list[float] = []
        if self.reps_target is not None:
            low = self.reps_target_min if self.reps_target_min is not None else self.reps_target
            shares.append(min(1.0, (self.reps_done or 0) / low))
        if self.hold_target_s is not None:
            shares.append(min(1.0, (self.hold_done_s or 0.0) / self.hold_target_s))
        return min(shares)

    def describe(self) -> str:
        """The set in words, e.g. ``"11/12 reps"`` or ``"25/30 s"``."""
        parts: list[str] = []
        if self.reps_target is not None:
            parts.append(f"{self.reps_done}/{self.reps_target} reps")
        if self.hold_target_s is not None and self.hold_done_s is not None:
            parts.append(f"{self.hold_done_s:g}/{self.hold_target_s:g} s")
        return " × ".join(parts)


@dataclass(frozen=True, slots=True, kw_only=True)
class PerceivedDifficulty:
    """A difficulty (intensity) rating on a named scale.

    Attributes
    ----------
    scale : DifficultyScale
        ``balance_1_5`` (whole numbers 1–5) or ``rpe_0_10`` (0–10).
    value : float
        The rating, within the scale's range.
    rater : Rater
        Who rated it (patient self-rating by default).

    Examples
    --------
    >>> PerceivedDifficulty(scale=DifficultyScale.RPE_0_10, value=3).describe()
    'difficulty 3/10'
    """

    scale: DifficultyScale
    value: float
    rater: Rater = Rater.PATIENT

    def __post_init__(self) -> None:
        scale = _enum("difficulty.scale", self.scale, DifficultyScale)
        _set_field(self, "scale", scale)
        _set_field(self, "rater", _enum("difficulty.rater", self.rater, Rater))
        low, high, whole = DIFFICULTY_SCALE_RANGES[scale]
        value = _number(f"difficulty.value on {scale}", self.value, low, high)
        if whole and not value.is_integer():
            raise InvalidParameterError(
                f"difficulty.value on {scale} must be a whole number; got {self.value!r}"
            )
        _set_field(self, "value", value)

    def describe(self) -> str:
        """The rating in words, e.g. ``"self-rating 2/5"`` or ``"difficulty 3/10"``."""
        if self.scale is DifficultyScale.BALANCE_1_5:
            who = "self-rating" if self.rater is Rater.PATIENT else "therapist rating"
            note = " (loss of balance)" if self.value == 5 else ""
            return f"{who} {self.value:g}/5{note}"
        return f"difficulty {self.value:g}/10"


@dataclass(frozen=True, slots=True, kw_only=True)
class Quality:
    """Movement quality: a 0–1 measurement or a therapist rating on a stated scale.

    Attributes
    ----------
    source : QualitySource
    score : float
        0–``scale_max``; a whole number for a therapist rating.
    scale_max : float
        Top of the scale: 1 for a measurement, 2–10 (whole) for a therapist rating.
    method : str or None
        What measured or rated it, e.g. ``"sway path, balance trial"``.

    Examples
    --------
    >>> Quality(source=QualitySource.THERAPIST_RATING, score=3, scale_max=4).ratio
    0.75
    """

    source: QualitySource
    score: float
    scale_max: float = 1.0
    method: str | None = None

    def __post_init__(self) -> None:
        source = _enum("quality.source", self.source, QualitySource)
        _set_field(self, "source", source)
        if source is QualitySource.MEASUREMENT:
            if self.scale_max != 1:
                raise InvalidParameterError(
                    f"quality.scale_max of a measurement must be 1; got {self.scale_max!r}"
                )
        else:
            _int("quality.scale_max of a therapist rating", self.scale_max, 2, 10)
            if not float(self.score).is_integer():
                raise InvalidParameterError(
                    f"quality.score of a therapist rating must be a whole number; "
                    f"got {self.score!r}"
                )
        _set_field(self, "scale_max", float(self.scale_max))
        _set_field(self, "score", _number("quality.score", self.score, 0, self.scale_max))
        if self.method is not None:
            _set_field(self, "method", _text("quality.method", self.method))

    @property
    def ratio(self) -> float:
        """The score as a share of its scale, 0–1."""
        return self.score / self.scale_max

    def describe(self) -> str:
        """The score in words."""
        if self.source is QualitySource.MEASUREMENT:
            return f"quality {self.score:.2f} (measured)"
        return f"quality {self.score:g}/{self.scale_max:g} (therapist)"


def _symptoms(field: str, value: object) -> frozenset[Symptom]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidParameterError(f"{field} must be a set of symptoms; got {value!r}")
    return frozenset(_enum(field, item, Symptom) for item in value)


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionRecord:
    """One exercise as done in one session.

    Attributes
    ----------
    variant_id : str
        The exercise variant done.
    session_date : datetime.date
        The day (a date, not a clock reading).
    sequence : int
        The session's number within the day, 1–14 (2 for the second of a twice-daily
        programme).
    setting : Setting
        Clinic or home.
    sets_prescribed : int
        Sets asked for, 1–10.
    sets : tuple of SetRecord
        The sets done, at most ``sets_prescribed``; missing sets count as not done.
    difficulty : PerceivedDifficulty or None
    quality : Quality or None
    pain_before_nprs, pain_during_nprs, pain_after_nprs : int or None
        Pain on the 0–10 numeric pain rating scale.
    symptoms_before, symptoms_during, symptoms_after : frozenset of Symptom
    balance_event : BalanceEvent
        The worst loss of balance in the session.
    assistance : Assistance
        The most help needed.
    duration_min : float or None
        Minutes spent on the exercise, 0–600 (for the weekly dose).

    Examples
    --------
    >>> from datetime import date
    >>> try:
    ...     SessionRecord(variant_id="bal-sls-firm-eo", session_date=date(2024, 11, 12),
    ...                   setting="clinic", sets_prescribed=3,
    ...                   sets=(SetRecord(hold_target_s=30, hold_done_s=30),),
    ...                   pain_before_nprs=11)
    ... except ValueError as error:
    ...     print(error)
    pain_before_nprs must be an integer 0–10; got 11
    """

    variant_id: str
    session_date: date
    sequence: int = 1
    setting: Setting
    sets_prescribed: int
    sets: tuple[SetRecord, ...]
    difficulty: PerceivedDifficulty | None = None
    quality: Quality | None = None
    pain_before_nprs: int | None = None
    pain_during_nprs: int | None = None
    pain_after_nprs: int | None = None
    symptoms_before: frozenset[Symptom] = frozenset()
    symptoms_during: frozenset[Symptom] = frozenset()
    symptoms_after: frozenset[Symptom] = frozenset()
    balance_event: BalanceEvent = BalanceEvent.NONE
    assistance: Assistance = Assistance.INDEPENDENT
    duration_min: float | None = None

    def __post_init__(self) -> None:
        _text("variant_id", self.variant_id)
        _date("session_date", self.session_date)
        _int("sequence", self.sequence, 1, 14)
        _set_field(self, "setting", _enum("setting", self.setting, Setting))
        _int("sets_prescribed", self.sets_prescribed, 1, 10)
        sets = self.sets
        if isinstance(sets, str) or not isinstance(sets, Iterable):
            raise InvalidParameterError(f"sets must be a sequence of SetRecord; got {sets!r}")
        sets = tuple(sets)
        for index, item in enumerate(sets):
            if not isinstance(item, SetRecord):
                raise InvalidParameterError(f"sets[{index}] must be a SetRecord; got {item!r}")
        if len(sets) > self.sets_prescribed:
            raise InvalidParameterError(
                f"sets must hold at most sets_prescribed ({self.sets_prescribed}) sets; "
                f"got {len(sets)}"
            )
        _set_field(self, "sets", sets)
        if self.difficulty is not None and not isinstance(self.difficulty, PerceivedDifficulty):
            raise InvalidParameterError(
                f"difficulty must be a PerceivedDifficulty or None; got {self.difficulty!r}"
            )
        if self.quality is not None and not isinstance(self.quality, Quality):
            raise InvalidParameterError(f"quality must be a Quality or None; got {self.quality!r}")
        for name in ("pain_before_nprs", "pain_during_nprs", "pain_after_nprs"):
            value = getattr(self, name)
            if value is not None:
                _int(name, value, 0, 10)
        for name in ("symptoms_before", "symptoms_during", "symptoms_after"):
            _set_field(self, name, _symptoms(name, getattr(self, name)))
        _set_field(self, "balance_event", _enum("balance_event", self.balance_event, BalanceEvent))
        _set_field(self, "assistance", _enum("assistance", self.assistance, Assistance))
        if self.duration_min is not None:
            _set_field(self, "duration_min", _number("duration_min", self.duration_min, 0, 600))

    @property
    def completion_ratio(self) -> float:
        """Share of the prescribed dose done, 0–1 (missing sets count as 0)."""
        return sum(s.completion_ratio for s in self.sets) / self.sets_prescribed

    @property
    def pain_rise_nprs(self) -> int | None:
        """Highest pain during or after minus pain before; None when either is missing."""
        later = [p for p in (self.pain_during_nprs, self.pain_after_nprs) if p is not None]
        if self.pain_before_nprs is None or not later:
            return None
        return max(later) - self.pain_before_nprs

    @property
    def load_kg(self) -> float | None:
        """The heaviest load of the session's sets, or None when no set used a load."""
        loads = [s.load_kg for s in self.sets if s.load_kg is not None]
        return max(loads) if loads else None


# --------------------------------------------------------------------------------------------
# Outputs
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class DataPoint:
    """One recorded value the engine used, and whether it met the rule.

    Attributes
    ----------
    session_date : datetime.date
    sequence : int
    variant_id : str
    criterion : Criterion
    value : str
        The value as recorded, in words.
    ok : bool
        True when the value meets the rule (no concern); False when it stopped a progression or
        caused a regression.
    """

    session_date: date
    sequence: int
    variant_id: str
    criterion: Criterion
    value: str
    ok: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class DoseChange:
    """A new dose at the same variant (load progression).

    Attributes
    ----------
    sets : int
    reps_target_min, reps_target : int
        The rep range; the patient restarts at ``reps_target_min``.
    load_kg_before, load_kg : float
    """

    sets: int
    reps_target_min: int
    reps_target: int
    load_kg_before: float
    load_kg: float

    def describe(self) -> str:
        """The change in words."""
        return (
            f"load {self.load_kg_before:g} → {self.load_kg:g} kg, reps reset to "
            f"{self.reps_target_min} (target {self.reps_target_min}–{self.reps_target})"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class Recommendation:
    """What the engine recommends for one exercise, with its evidence.

    Attributes
    ----------
    decision : Decision
    rule : Rule
        The rule that decided.
    variant_id : str
        The variant the patient is on.
    target_variant_id : str
        The variant recommended next (the same one for a hold or a load progression).
    dimension : Dimension or None
        The single dimension changed, for a step to another variant.
    level_from, level_to : Level or None
        The levels on ``dimension`` before and after.
    dose_change : DoseChange or None
        For a load progression.
    evidence : str
        The decision and its evidence in words a therapist can read.
    data_points : tuple of DataPoint
        The recorded values used.
    flag_for_therapist : bool
        True for every regression: the therapist should review it.
    suggested_families : tuple of str
        At the top of a ladder: the families that follow; at the bottom: those leading here.
    made_on : datetime.date
        ``today`` of the call.
    """

    decision: Decision
    rule: Rule
    variant_id: str
    target_variant_id: str
    dimension: Dimension | None
    level_from: Level | None
    level_to: Level | None
    dose_change: DoseChange | None
    evidence: str
    data_points: tuple[DataPoint, ...]
    flag_for_therapist: bool
    suggested_families: tuple[str, ...]
    made_on: date


# --------------------------------------------------------------------------------------------
# Words
# --------------------------------------------------------------------------------------------

_MONTHS: Final = tuple("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split())


def _day(day: date) -> str:
    return f"{day.day} {_MONTHS[day.month - 1]}"


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"


def _days(days: Iterable[date]) -> str:
    unique = sorted(set(days))
    if unique and all((d.year, d.month) == (unique[0].year, unique[0].month) for d in unique):
        return f"{_join([str(d.day) for d in unique])} {_MONTHS[unique[0].month - 1]}"
    return _join([_day(d) for d in unique])


def _level_words(level: Level) -> str:
    return str(level).replace("_", " ")


def _sets_words(session: SessionRecord) -> str:
    described = [s.describe() for s in session.sets]
    missing = session.sets_prescribed - len(session.sets)
    if described and len(set(described)) == 1 and not missing:
        all_top = all(s.at_top for s in session.sets)
        words = f"{'all ' if all_top else ''}{len(described)} sets at {described[0]}"
    else:
        words = f"sets {', '.join(described) or 'none'}"
        if missing:
            words += f" ({missing} of {session.sets_prescribed} not done)"
    load = session.load_kg
    if load is not None and load > 0:
        words += f" with {load:g} kg"
    return words


def _symptom_words(symptoms: frozenset[Symptom]) -> str:
    return _join(sorted(s.value.replace("_", " ") for s in symptoms))


# --------------------------------------------------------------------------------------------
# Assessment of one session
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Assessment:
    points: tuple[DataPoint, ...]
    not_mastered: tuple[str, ...]
    regress: tuple[tuple[Rule, str], ...]


_REGRESS_PRIORITY: Final = (
    Rule.FALL_OR_NEAR_FALL,
    Rule.SYMPTOMS,
    Rule.DIFFICULTY_TOO_HIGH,
    Rule.LOSSES_OF_BALANCE,
    Rule.BELOW_HALF_OF_TARGET,
)
_ASSISTANCE_ORDER: Final = tuple(Assistance)


def _assess(session: SessionRecord, rules: ProgressionRules) -> _Assessment:
    points: list[DataPoint] = []
    not_mastered: list[str] = []
    regress: list[tuple[Rule, str]] = []

    def point(criterion: Criterion, value: str, ok: bool) -> None:
        points.append(
            DataPoint(
                session_date=session.session_date,
                sequence=session.sequence,
                variant_id=session.variant_id,
                criterion=criterion,
                value=value,
                ok=ok,
            )
        )

    # Sets: every prescribed set at the top of its target.
    done_all = len(session.sets) == session.sets_prescribed
    if rules.all_sets_at_top_of_target:
        sets_ok = done_all and all(s.at_top for s in session.sets)
        wanted = "the top of its target"
    else:
        sets_ok = done_all and all(s.at_least_min for s in session.sets)
        wanted = "at least the bottom of its target"
    sets_words = _sets_words(session)
    point(Criterion.SETS, sets_words, sets_ok)
    if not sets_ok:
        not_mastered.append(f"not every set at {wanted} ({sets_words})")
    ratio = session.completion_ratio
    completion_ok = ratio >= rules.regress_below_completion_ratio
    point(Criterion.COMPLETION, f"{ratio:.0%} of the target done", completion_ok)
    if not completion_ok:
        regress.append(
            (
                Rule.BELOW_HALF_OF_TARGET,
                f"only {ratio:.0%} of the target done ({sets_words}; regress below "
                f"{rules.regress_below_completion_ratio:.0%})",
            )
        )
    # Difficulty.
    difficulty = session.difficulty
    if difficulty is None:
        point(Criterion.DIFFICULTY, "not recorded", False)
        not_mastered.append("difficulty not recorded")
    else:
        words = difficulty.describe()
        at = rules.regress_difficulty_at_or_above.get(difficulty.scale)
        limit = rules.max_difficulty[difficulty.scale]
        top = DIFFICULTY_SCALE_RANGES[difficulty.scale][1]
        if at is not None and difficulty.value >= at:
            point(Criterion.DIFFICULTY, words, False)
            regress.append((Rule.DIFFICULTY_TOO_HIGH, words))
        elif difficulty.value > limit:
            point(Criterion.DIFFICULTY, words, False)
            not_mastered.append(f"{words}, above {limit:g}/{top:g}")
        else:
            point(Criterion.DIFFICULTY, words, True)
    # Pain: a rise of pain_rise_nprs points or more above the session's start is a symptom.
    pains = (
        ("before", session.pain_before_nprs),
        ("during", session.pain_during_nprs),
        ("after", session.pain_after_nprs),
    )
    pain_words = ", ".join(f"{when} {p}" for when, p in pains if p is not None) or "not recorded"
    rise = session.pain_rise_nprs
    if rise is not None and rise >= rules.pain_rise_nprs:
        peak = rise + (session.pain_before_nprs or 0)
        point(Criterion.PAIN, f"NPRS {pain_words}", False)
        regress.append(
            (
                Rule.SYMPTOMS,
                f"pain rose from {session.pain_before_nprs} to {peak} (NPRS, +{rise}; "
                f"regress at +{rules.pain_rise_nprs})",
            )
        )
    elif session.pain_before_nprs is None and (
        session.pain_during_nprs is not None or session.pain_after_nprs is not None
    ):
        point(Criterion.PAIN, f"NPRS {pain_words}", False)
        not_mastered.append("pain before the session not recorded, so a rise cannot be ruled out")
    else:
        point(Criterion.PAIN, f"NPRS {pain_words}", True)
    # Other symptoms during or after the exercise.
    provoked = session.symptoms_during | session.symptoms_after
    if provoked:
        parts = [
            f"{_symptom_words(found)} {when}"
            for when, found in (
                ("during", session.symptoms_during),
                ("after", session.symptoms_after),
            )
            if found
        ]
        words = "; ".join(parts)
        point(Criterion.SYMPTOMS, words, False)
        regress.append((Rule.SYMPTOMS, words))
    else:
        before = session.symptoms_before
        point(
            Criterion.SYMPTOMS,
            "none" + (f" ({_symptom_words(before)} before the session)" if before else ""),
            True,
        )
    # Balance: falls and near-falls, losses of balance per set.
    event = session.balance_event
    event_words = event.value.replace("_", "-")
    if event is BalanceEvent.NONE:
        point(Criterion.BALANCE_EVENT, "none", True)
    else:
        point(Criterion.BALANCE_EVENT, event_words, False)
        if event in rules.regress_balance_events:
            regress.append((Rule.FALL_OR_NEAR_FALL, f"a {event_words}"))
        else:
            not_mastered.append(f"a {event_words}")
    most = max((s.losses_of_balance for s in session.sets), default=0)
    losses_words = f"{most} in one set" if most else "none"
    if most >= rules.regress_losses_of_balance_per_set:
        point(Criterion.LOSSES_OF_BALANCE, losses_words, False)
        regress.append(
            (
                Rule.LOSSES_OF_BALANCE,
                f"{most} losses of balance in one set (regress at "
                f"{rules.regress_losses_of_balance_per_set})",
            )
        )
    elif most > rules.max_losses_of_balance:
        point(Criterion.LOSSES_OF_BALANCE, losses_words, False)
        not_mastered.append(f"{most} loss{'es' if most > 1 else ''} of balance in one set")
    else:
        point(Criterion.LOSSES_OF_BALANCE, losses_words, True)
    # Quality and assistance.
    quality = session.quality
    if quality is None:
        point(Criterion.QUALITY, "not recorded", not rules.quality_required)
        if rules.quality_required:
            not_mastered.append("quality not recorded")
    elif quality.ratio < rules.min_quality_ratio:
        point(Criterion.QUALITY, quality.describe(), False)
        not_mastered.append(
            f"{quality.describe()}, below {rules.min_quality_ratio:.0%} of its scale"
        )
    else:
        point(Criterion.QUALITY, quality.describe(), True)
    help_ok = _ASSISTANCE_ORDER.index(session.assistance) <= _ASSISTANCE_ORDER.index(
        rules.max_assistance
    )
    help_words = session.assistance.value.replace("_", " ")
    point(Criterion.ASSISTANCE, help_words, help_ok)
    if not help_ok:
        not_mastered.append(
            f"needed {help_words} assistance (at most "
            f"{rules.max_assistance.value.replace('_', ' ')})"
        )
    regress.sort(key=lambda item: _REGRESS_PRIORITY.index(item[0]))
    return _Assessment(tuple(points), tuple(not_mastered), tuple(regress))


# --------------------------------------------------------------------------------------------
# Checking the inputs
# --------------------------------------------------------------------------------------------


def _check_sessions(
    sessions: Iterable[SessionRecord],
    *,
    library: ExerciseLibrary | None,
    today: date | None,
) -> tuple[SessionRecord, ...]:
    if isinstance(sessions, str) or not isinstance(sessions, Iterable):
        raise InvalidParameterError(
            f"sessions must be a sequence of SessionRecord; got {sessions!r}"
        )
    checked = tuple(sessions)
    seen: dict[tuple[date, int, str], int] = {}
    previous: SessionRecord | None = None
    for index, session in enumerate(checked):
        if not isinstance(session, SessionRecord):
            raise InvalidParameterError(
                f"sessions[{index}] must be a SessionRecord; got {type(session).__name__}"
            )
        if library is not None and session.variant_id not in library:
            raise NotFoundError(
                f"sessions[{index}].variant_id must name a variant of the library; "
                f"got {session.variant_id!r}"
            )
        if today is not None and session.session_date > today:
            raise InvalidParameterError(
                f"sessions[{index}].session_date must not be after today ({today}); "
                f"got {session.session_date}"
            )
        if previous is not None and (session.session_date, session.sequence) < (
            previous.session_date,
            previous.sequence,
        ):
            raise InvalidParameterError(
                f"sessions[{index}].session_date must not be before sessions[{index - 1}] "
                f"({previous.session_date}, sequence {previous.sequence}): sessions must be in "
                f"date order; got {session.session_date}, sequence {session.sequence}"
            )
        key = (session.session_date, session.sequence, session.variant_id)
        if key in seen:
            raise DomainRuleError(
                f"sessions[{index}] duplicates sessions[{seen[key]}]: the same variant_id "
                f"{session.variant_id!r}, session_date {session.session_date} and sequence "
                f"{session.sequence}; got a duplicate session"
            )
        seen[key] = index
        previous = session
    return checked


def _check_goal(goal_dimensions: Iterable[Dimension | str]) -> tuple[Dimension, ...]:
    if isinstance(goal_dimensions, str) or not isinstance(goal_dimensions, Iterable):
        raise InvalidParameterError(
            f"goal_dimensions must be a sequence of dimensions; got {goal_dimensions!r}"
        )
    return tuple(
        dict.fromkeys(_enum("goal_dimensions", item, Dimension) for item in goal_dimensions)
    )


# --------------------------------------------------------------------------------------------
# The engine
# --------------------------------------------------------------------------------------------


def _easier_step(
    current: ExerciseVariant,
    own: Sequence[SessionRecord],
    *,
    library: ExerciseLibrary,
    rules: ProgressionRules,
) -> tuple[Dimension, ExerciseVariant, str] | None:
    options = library.easier_options(current.id)
    if not options:
        return None
    for session in reversed(own):
        if session.variant_id != current.id:
            for dimension, easier in options:
                if easier.id == session.variant_id:
                    return dimension, easier, "the dimension most recently progressed"
            break
    order = rules.dimension_order
    dimension, easier = max(options, key=lambda option: order.index(option[0]))
    return dimension, easier, "the ladder's last dimension with an easier level"


def _regress(
    current: ExerciseVariant,
    own: Sequence[SessionRecord],
    *,
    rule: Rule,
    because: str,
    points: tuple[DataPoint, ...],
    library: ExerciseLibrary,
    rules: ProgressionRules,
    today: date,
) -> Recommendation:
    step = _easier_step(current, own, library=library, rules=rules)
    if step is None:
        leading = tuple(f.id for f in library.families if current.family in f.leads_to)
        tail = (
            f"no easier level in family {current.family}: reduce the dose or choose an easier "
            "exercise" + (f" (families leading here: {', '.join(leading)})" if leading else "")
        )
        return Recommendation(
            decision=Decision.REGRESS,
            rule=rule,
            variant_id=current.id,
            target_variant_id=current.id,
            dimension=None,
            level_from=None,
            level_to=None,
            dose_change=None,
            evidence=f"{because} → regress: {tail}; flag for the therapist",
            data_points=points,
            flag_for_therapist=True,
            suggested_families=leading,
            made_on=today,
        )
    dimension, easier, why = step
    before, after = current.levels.level(dimension), easier.levels.level(dimension)
    return Recommendation(
        decision=Decision.REGRESS,
        rule=rule,
        variant_id=current.id,
        target_variant_id=easier.id,
        dimension=dimension,
        level_from=before,
        level_to=after,
        dose_change=None,
        evidence=(
            f"{because} → regress one level along {dimension} ({why}): "
            f"{_level_words(before)} → {_level_words(after)} ({easier.id}); "
            "flag for the therapist"
        ),
        data_points=points,
        flag_for_therapist=True,
        suggested_families=(),
        made_on=today,
    )


def _load_change(session: SessionRecord, rules: ProgressionRules) -> DoseChange | None:
    if not rules.load_progression or len(session.sets) != session.sets_prescribed:
        return None
    first = session.sets[0]
    if (
        first.reps_target is None
        or first.reps_target_min is None
        or first.reps_target_min >= first.reps_target
    ):
        return None
    load = session.load_kg
    if load is None or load <= 0 or any(s.load_kg is None for s in session.sets):
        return None
    return DoseChange(
        sets=session.sets_prescribed,
        reps_target_min=first.reps_target_min,
        reps_target=first.reps_target,
        load_kg_before=load,
        load_kg=round(load + rules.load_increment_kg, 3),
    )


def _run_words(run: Sequence[SessionRecord]) -> str:
    sets = list(dict.fromkeys(_sets_words(s) for s in run))
    if len(sets) == 1:
        sets_words = sets[0]
    else:
        sets_words = "; ".join(f"{_day(s.session_date)}: {_sets_words(s)}" for s in run)
    ratings = list(dict.fromkeys(s.difficulty.describe() for s in run if s.difficulty))
    qualities = list(dict.fromkeys(s.quality.describe() for s in run if s.quality))
    parts = [sets_words, _join(ratings), *([_join(qualities)] if qualities else []), "no symptoms"]
    return ", ".join(parts)


def _mastery_words(run: Sequence[SessionRecord]) -> str:
    return (
        f"{len(run)} consecutive session{'s' if len(run) > 1 else ''} "
        f"({_days(s.session_date for s in run)}) with {_run_words(run)}"
    )


def recommend(
    variant_id: str,
    sessions: Sequence[SessionRecord],
    /,
    *,
    library: ExerciseLibrary,
    rules: ProgressionRules,
    goal_dimensions: Sequence[Dimension | str] = (),
    today: date,
    prescribed_on: date | None = None,
) -> Recommendation:
    """Recommend progress, hold or regress for the exercise the patient is on.

    Parameters
    ----------
    variant_id : str
        The variant the patient is on now.
    sessions : sequence of SessionRecord
        The patient's sessions of this exercise, oldest first (by date, then sequence). Only
        sessions of the variant's family are used; sessions at earlier variants of the family
        tell which dimension was progressed last.
    library : ExerciseLibrary
    rules : ProgressionRules
    goal_dimensions : sequence of Dimension or str
        Dimensions the patient's functional goal needs, tried first, in this order.
    today : datetime.date
        The day of the recommendation (no clock is read).
    prescribed_on : datetime.date or None
        The day the current variant was prescribed; the days without a session are counted
        from the later of it and the last session, so that a step back is not repeated before
        the patient trains again. None: from the last session.

    Returns
    -------
    Recommendation

    Raises
    ------
    NotFoundError
        If ``variant_id`` or a session's variant is not in the library.
    InvalidParameterError
        If a session is not a :class:`SessionRecord`, is dated after ``today`` or out of date
        order, or a goal dimension, ``today`` or ``prescribed_on`` is invalid.
    DomainRuleError
        If two sessions have the same variant, date and sequence.

    Examples
    --------
    >>> from datetime import date
    >>> from reeducate.clinic.exercises import load_library
    >>> from reeducate.clinic.progression_rules import default_rules
    >>> rec = recommend("bal-sls-firm-eo", [], library=load_library(), rules=default_rules(),
    ...                 today=date(2024, 11, 15))
    >>> rec.decision, rec.rule
    (<Decision.HOLD: 'hold'>, <Rule.NOT_ENOUGH_SESSIONS: 'not_enough_sessions'>)
    """
    _date("today", today)
    if prescribed_on is not None:
        _date("prescribed_on", prescribed_on)
        if prescribed_on > today:
            raise InvalidParameterError(
                f"prescribed_on must not be after today ({today}); got {prescribed_on}"
            )
    if not isinstance(variant_id, str) or variant_id not in library:
        raise NotFoundError(f"variant_id must name a variant of the library; got {variant_id!r}")
    if not isinstance(rules, ProgressionRules):
        raise InvalidParameterError(f"rules must be a ProgressionRules; got {type(rules).__name__}")
    checked = _check_sessions(sessions, library=library, today=today)
    goal = _check_goal(goal_dimensions)
    current = library.get(variant_id)
    own = [s for s in checked if library.get(s.variant_id).family == current.family]
    at_level = [s for s in own if s.variant_id == variant_id]

    def regress(rule: Rule, because: str, points: tuple[DataPoint, ...]) -> Recommendation:
        return _regress(
            current,
            own,
            rule=rule,
            because=because,
            points=points,
            library=library,
            rules=rules,
            today=today,
        )

    def hold(
        rule: Rule, evidence: str, points: tuple[DataPoint, ...], suggested: tuple[str, ...] = ()
    ) -> Recommendation:
        return Recommendation(
            decision=Decision.HOLD,
            rule=rule,
            variant_id=variant_id,
            target_variant_id=variant_id,
            dimension=None,
            level_from=None,
            level_to=None,
            dose_change=None,
            evidence=evidence,
            data_points=points,
            flag_for_therapist=False,
            suggested_families=suggested,
            made_on=today,
        )

    # 1. The latest session at this level regresses on any trigger.
    latest = _assess(at_level[-1], rules) if at_level else None
    if latest is not None and latest.regress:
        rule = latest.regress[0][0]
        because = f"{_day(at_level[-1].session_date)}: " + "; ".join(w for _, w in latest.regress)
        return regress(rule, because, latest.points)

    # 2. A long gap steps back one level.
    if own:
        since = own[-1].session_date
        if prescribed_on is not None and prescribed_on > since:
            since = prescribed_on
        empty_days = (today - since).days - 1
        if empty_days >= rules.step_back_after_days_without_session:
            started = (
                f"last session {_day(own[-1].session_date)}"
                if since == own[-1].session_date
                else f"prescribed {_day(since)}"
            )
            point = DataPoint(
                session_date=own[-1].session_date,
                sequence=own[-1].sequence,
                variant_id=own[-1].variant_id,
                criterion=Criterion.DAYS_WITHOUT_SESSION,
                value=f"{empty_days} days without a session ({started}, today {_day(today)})",
                ok=False,
            )
            because = (
                f"{empty_days} days without a session ({started}, today {_day(today)}; step "
                f"back after {rules.step_back_after_days_without_session})"
            )
            return regress(Rule.LONG_GAP, because, (point,))

    needed = rules.consecutive_sessions
    if latest is None:
        return hold(
            Rule.NOT_ENOUGH_SESSIONS,
            f"hold: no session at this level yet; progress needs {needed} consecutive sessions "
            "meeting every criterion",
            (),
        )
    if latest.not_mastered:
        return hold(
            Rule.NOT_MASTERED,
            f"hold: {_day(at_level[-1].session_date)}: {'; '.join(latest.not_mastered)}; "
            f"progress needs {needed} consecutive sessions meeting every criterion",
            latest.points,
        )

    # 3. The run of mastered sessions at the same load, back to `needed` different days.
    run: list[SessionRecord] = []
    points: list[DataPoint] = []
    days: set[date] = set()
    load = at_level[-1].load_kg
    for session in reversed(at_level):
        if session.load_kg != load:
            break
        assessment = latest if session is at_level[-1] else _assess(session, rules)
        if assessment.not_mastered or assessment.regress:
            break
        if len(days) == needed and session.session_date not in days:
            break
        run.append(session)
        points.extend(assessment.points)
        days.add(session.session_date)
    run.reverse()
    used = tuple(sorted(points, key=lambda p: (p.session_date, p.sequence)))
    if len(days) < needed:
        missing = needed - len(days)
        return hold(
            Rule.NOT_ENOUGH_SESSIONS,
            f"hold: {len(days)} of {needed} consecutive sessions meet every criterion "
            f"({_days(days)}: {_run_words(run)}); "
            f"{missing} more needed",
            used,
        )
    mastered = _mastery_words(run)

    change = _load_change(run[-1], rules)
    if change is not None:
        return Recommendation(
            decision=Decision.PROGRESS,
            rule=Rule.MASTERY_LOAD,
            variant_id=variant_id,
            target_variant_id=variant_id,
            dimension=None,
            level_from=None,
            level_to=None,
            dose_change=change,
            evidence=f"{mastered} → progress {change.describe()}",
            data_points=used,
            flag_for_therapist=False,
            suggested_families=(),
            made_on=today,
        )

    for dimension in (*goal, *(d for d in rules.dimension_order if d not in goal)):
        harder = library.harder(variant_id, dimension)
        if harder is not None:
            before, after = current.levels.level(dimension), harder.levels.level(dimension)
            return Recommendation(
                decision=Decision.PROGRESS,
                rule=Rule.MASTERY,
                variant_id=variant_id,
                target_variant_id=harder.id,
                dimension=dimension,
                level_from=before,
                level_to=after,
                dose_change=None,
                evidence=(
                    f"{mastered} → progress along {dimension}"
                    f"{' (patient goal)' if dimension in goal else ''}: "
                    f"{_level_words(before)} → {_level_words(after)} ({harder.id})"
                ),
                data_points=used,
                flag_for_therapist=False,
                suggested_families=(),
                made_on=today,
            )

    family = library.family(current.family)
    if family.leads_to:
        nexts = [f"{f} (start at {library.family(f).entry})" for f in family.leads_to]
        tail = f"next: family {_join(nexts)}"
    else:
        tail = "no family follows it in the library"
    return hold(
        Rule.TOP_OF_LADDER,
        f"hold: top of the ladder — {mastered}, but {variant_id} has no harder step on any "
        f"dimension; {tail}",
        used,
        family.leads_to,
    )


def recommend_needs_since(
    variant_id: str,
    records: Sequence[tuple[date, int, str]],
    /,
    *,
    library: ExerciseLibrary,
    rules: ProgressionRules,
) -> date | None:
    """The first day of the history :func:`recommend` reads for ``variant_id``: given every
    record from that day on, it decides exactly as on the whole history.

    What :func:`recommend` looks at, walking back from the latest record of the family: the
    family's latest record (the regression triggers, the long gap); the records at the current
    variant on the latest ``rules.consecutive_sessions`` distinct days (the mastery run; one
    more day is kept as a margin); and the latest record of another variant of the family (the
    dimension progressed last, when it regresses). A store reads the (date, sequence, variant)
    of a patient's records, which is light, then the full records from this day only.

    Parameters
    ----------
    variant_id : str
        The variant the patient is on now.
    records : sequence of (date, int, str)
        (session date, sequence, variant id) of the patient's exercise records, in the order
        :func:`recommend` takes them (oldest first); records of other families are ignored.
    library : ExerciseLibrary
    rules : ProgressionRules

    Returns
    -------
    datetime.date or None
        None when no record of the family exists (the engine needs none).

    Examples
    --------
    >>> from datetime import date
    >>> from reeducate.clinic.exercises import load_library
    >>> from reeducate.clinic.progression_rules import default_rules
    >>> days = [date(2024, 11, d) for d in (4, 6, 8, 11, 13, 15)]
    >>> records = [(d, 1, "bal-sls-firm-eo") for d in days]
    >>> recommend_needs_since("bal-sls-firm-eo", records, library=load_library(),
    ...                       rules=default_rules())  # 2 consecutive days, plus one
    datetime.date(2024, 11, 11)
    """
    if not isinstance(variant_id, str) or variant_id not in library:
        raise NotFoundError(f"variant_id must name a variant of the library; got {variant_id!r}")
    family = frozenset(library.family(library.get(variant_id).family).variant_ids)
    own = [(day, other) for day, _sequence, other in records if other in family]
    if not own:
        return None
    since = own[-1][0]
    days: list[date] = []
    for day, other in reversed(own):
        if other == variant_id and day not in days:
            days.append(day)
            if len(days) > rules.consecutive_sessions:
                break
    if days:
        since = min(since, days[-1])
    for day, other in reversed(own):
        if other != variant_id:
            since = min(since, day)
            break
    return since


# --------------------------------------------------------------------------------------------
# Weekly dose
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class WeeklyDose:
    """Training time in one week (Monday to Sunday) against the evidence-based target.

    Attributes
    ----------
    week_start, week_end : datetime.date
        Monday and Sunday of the week.
    minutes : float
        Sum of ``duration_min`` of the week's records.
    training_days : int
        Days with at least one record.
    records : int
        Exercise records in the week.
    records_without_minutes : int
        Records with no ``duration_min`` (their time is unknown, counted as 0).
    minutes_target : float
    training_days_target : int
    below_target : bool
        True when the minutes or the training days are below their targets.
    alert : str or None
        The alert in words when below target.
    """

    week_start: date
    week_end: date
    minutes: float
    training_days: int
    records: int
    records_without_minutes: int
    minutes_target: float
    training_days_target: int
    below_target: bool
    alert: str | None


def weekly_dose(
    sessions: Sequence[SessionRecord], /, *, week_of: date, rules: ProgressionRules
) -> WeeklyDose:
    """Sum the training time of the week holding ``week_of`` and compare it with the target.

    Pass the records of the training that counts towards the target (e.g. the balance
    exercises); every record given is counted. The defaults follow Sherrington et al. 2011 (≥ 2 h
    a week for falls prevention) and Lesinski et al. 2015 (91–120 min and 3 sessions a week).

    Parameters
    ----------
    sessions : sequence of SessionRecord
        Oldest first; the same order and duplicate rules as :func:`recommend`.
    week_of : datetime.date
        Any day of the week (Monday to Sunday).
    rules : ProgressionRules

    Returns
    -------
    WeeklyDose

    Examples
    --------
    >>> from datetime import date
    >>> from reeducate.clinic.progression_rules import default_rules
    >>> record = SessionRecord(variant_id="bal-sls-firm-eo", session_date=date(2024, 11, 12),
    ...                        setting="home", sets_prescribed=1,
    ...                        sets=(SetRecord(hold_target_s=30, hold_done_s=30),),
    ...                        duration_min=60)
    >>> print(weekly_dose([record], week_of=date(2024, 11, 14), rules=default_rules()).alert)
    below evidence-based dose: 60 of 120 min; 1 of 3 training days this week (11–17 Nov) \
(Sherrington 2011: ≥ 2 h/week; Lesinski 2015: 91–120 min and 3 sessions/week)
    """
    _date("week_of", week_of)
    checked = _check_sessions(sessions, library=None, today=None)
    start = week_of - timedelta(days=week_of.weekday())
    end = start + timedelta(days=6)
    week = [s for s in checked if start <= s.session_date <= end]
    minutes = sum(s.duration_min or 0.0 for s in week)
    unknown = sum(1 for s in week if s.duration_min is None)
    days = len({s.session_date for s in week})
    parts: list[str] = []
    if minutes < rules.weekly_minutes_target:
        parts.append(f"{minutes:g} of {rules.weekly_minutes_target:g} min")
    if days < rules.weekly_sessions_target:
        parts.append(f"{days} of {rules.weekly_sessions_target} training days")
    alert = None
    if parts:
        span = (
            f"{start.day}–{end.day} {_MONTHS[end.month - 1]}"
            if start.month == end.month
            else f"{_day(start)}–{_day(end)}"
        )
        alert = (
            f"below evidence-based dose: {'; '.join(parts)} this week ({span}) "
            "(Sherrington 2011: ≥ 2 h/week; Lesinski 2015: 91–120 min and 3 sessions/week)"
        )
        if unknown:
            alert += f"; {unknown} record{'s' if unknown > 1 else ''} without minutes"
    return WeeklyDose(
        week_start=start,
        week_end=end,
        minutes=minutes,
        training_days=days,
        records=len(week),
        records_without_minutes=unknown,
        minutes_target=rules.weekly_minutes_target,
        training_days_target=rules.weekly_sessions_target,
        below_target=bool(parts),
        alert=alert,
    )


# --------------------------------------------------------------------------------------------
# Therapist decisions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TherapistDecision:
    """The therapist's answer to a recommendation.

    Attributes
    ----------
    kind : DecisionKind
        Accept, change (to another variant) or reject (keep the current prescription).
    therapist_id : str
        Who decided (an id, never a name).
    decided_at : datetime.datetime
        When, timezone-aware; stored in UTC.
    reason : str or None
        Required for change and reject.
    change_to_variant_id : str or None
        Required for change, None otherwise.

    Examples
    --------
    >>> from datetime import datetime, UTC
    >>> try:
    ...     TherapistDecision(kind="reject", therapist_id="pt-7",
    ...                       decided_at=datetime(2024, 11, 15, 9, tzinfo=UTC))
    ... except ValueError as error:
    ...     print(error)
    reason is required to reject a recommendation; got None
    """

    kind: DecisionKind
    therapist_id: str
    decided_at: datetime
    reason: str | None = None
    change_to_variant_id: str | None = None

    def __post_init__(self) -> None:
        kind = _enum("kind", self.kind, DecisionKind)
        _set_field(self, "kind", kind)
        _set_field(self, "therapist_id", _text("therapist_id", self.therapist_id))
        if not isinstance(self.decided_at, datetime) or self.decided_at.utcoffset() is None:
            raise InvalidParameterError(
                f"decided_at must be a timezone-aware datetime; got {self.decided_at!r}"
            )
        _set_field(self, "decided_at", self.decided_at.astimezone(UTC))
        if kind is DecisionKind.ACCEPT:
            if self.reason is not None:
                _set_field(self, "reason", _text("reason", self.reason))
        elif self.reason is None:
            raise InvalidParameterError(f"reason is required to {kind} a recommendation; got None")
        else:
            _set_field(self, "reason", _text("reason", self.reason))
        if kind is DecisionKind.CHANGE:
            _text("change_to_variant_id", self.change_to_variant_id)
        elif self.change_to_variant_id is not None:
            raise InvalidParameterError(
                f"change_to_variant_id must be None unless kind is change; "
                f"got {self.change_to_variant_id!r}"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class PrescriptionChange:
    """The prescription after the therapist's decision, with what was recommended and why.

    Attributes
    ----------
    variant_id_before, variant_id_after : str
        The variant before and after; equal when nothing changes variant.
    dose_change : DoseChange or None
        A load change (an accepted load progression).
    decision : DecisionKind
    recommended : Decision
    recommended_variant_id : str
    rule : Rule
        The rule behind the recommendation.
    evidence : str
        The recommendation's evidence.
    step : tuple of (Dimension, str) or None
        For a change: ``(dimension, "harder" | "easier")`` when the chosen variant is one level
        from the current one; None for any other variant.
    reason : str or None
    therapist_id : str
    decided_at : datetime.datetime
        In UTC.
    """

    variant_id_before: str
    variant_id_after: str
    dose_change: DoseChange | None
    decision: DecisionKind
    recommended: Decision
    recommended_variant_id: str
    rule: Rule
    evidence: str
    step: tuple[Dimension, Literal["harder", "easier"]] | None
    reason: str | None
    therapist_id: str
    decided_at: datetime

    @property
    def changed(self) -> bool:
        """True when the variant or the dose changes."""
        return self.variant_id_after != self.variant_id_before or self.dose_change is not None


def apply_decision(
    recommendation: Recommendation,
    decision: TherapistDecision,
    /,
    *,
    library: ExerciseLibrary,
) -> PrescriptionChange:
    """Apply the therapist's decision to a recommendation and return the prescription change.

    Accept takes the recommended variant (and dose change); change takes the therapist's variant,
    which must be in the library (any variant: the reason records why); reject keeps the current
    prescription. Storing the result is the caller's.

    Raises
    ------
    NotFoundError
        If ``change_to_variant_id`` is not in the library.
    DomainRuleError
        If the decision is dated before the recommendation, or a change names the recommended
        variant (that is an accept).

    Examples
    --------
    >>> from datetime import date, datetime, UTC
    >>> from reeducate.clinic.exercises import load_library
    >>> from reeducate.clinic.progression_rules import default_rules
    >>> library = load_library()
    >>> rec = recommend("bal-sls-firm-eo", [], library=library, rules=default_rules(),
    ...                 today=date(2024, 11, 15))
    >>> change = apply_decision(
    ...     rec,
    ...     TherapistDecision(kind="change", therapist_id="pt-7",
    ...                       decided_at=datetime(2024, 11, 15, 9, tzinfo=UTC),
    ...                       reason="steady in clinic today",
    ...                       change_to_variant_id="bal-sls-foam-eo"),
    ...     library=library)
    >>> change.variant_id_after, change.step
    ('bal-sls-foam-eo', (<Dimension.SURFACE: 'surface'>, 'harder'))
    """
    if not isinstance(recommendation, Recommendation):
        raise InvalidParameterError(
            f"recommendation must be a Recommendation; got {type(recommendation).__name__}"
        )
    if not isinstance(decision, TherapistDecision):
        raise InvalidParameterError(
            f"decision must be a TherapistDecision; got {type(decision).__name__}"
        )
    if decision.decided_at.date() < recommendation.made_on:
        raise DomainRuleError(
            f"decision.decided_at must not be before the recommendation "
            f"({recommendation.made_on}); got {decision.decided_at.isoformat()}"
        )
    before = recommendation.variant_id
    step: tuple[Dimension, Literal["harder", "easier"]] | None = None
    dose_change = None
    if decision.kind is DecisionKind.ACCEPT:
        after = recommendation.target_variant_id
        dose_change = recommendation.dose_change
    elif decision.kind is DecisionKind.REJECT:
        after = before
    else:
        after = decision.change_to_variant_id or ""
        if after not in library:
            raise NotFoundError(
                f"decision.change_to_variant_id must name a variant of the library; got {after!r}"
            )
        if after == recommendation.target_variant_id and recommendation.dose_change is None:
            raise DomainRuleError(
                "decision.change_to_variant_id must differ from the recommended variant "
                f"(that is an accept); got {after!r}"
            )
        if before in library:
            for dimension, variant in library.harder_options(before):
                if variant.id == after:
                    step = (dimension, "harder")
            for dimension, variant in library.easier_options(before):
                if variant.id == after:
                    step = (dimension, "easier")
    return PrescriptionChange(
        variant_id_before=before,
        variant_id_after=after,
        dose_change=dose_change,
        decision=decision.kind,
        recommended=recommendation.decision,
        recommended_variant_id=recommendation.target_variant_id,
        rule=recommendation.rule,
        evidence=recommendation.evidence,
        step=step,
        reason=decision.reason,
        therapist_id=decision.therapist_id,
        decided_at=decision.decided_at,
    )
