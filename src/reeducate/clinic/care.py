"""Plans of care and clinical records: patients, episodes, goals, plans, prescriptions, sessions.

These are the pure domain records that the store saves and the services, CLI and web work on.
Every record is a frozen dataclass whose invariants are checked on construction; rules that need
more than one record (a session dated before its episode began, a duplicate session, an exercise
id the library does not know) are functions that take the other records as arguments. Nothing
here reads a clock: dates and ``now`` are passed in.

==========================  ======================================================================
record                      what it holds
==========================  ======================================================================
:class:`Patient`            a pseudonymous code (``"P-0001"``) used in every output; identifying
                            fields live apart in :class:`PatientIdentity`, never in a repr or
                            message
:class:`EpisodeOfCare`      diagnoses (ICD-10 codes), NMR impairments, start (and end) date
:class:`Goal`               a measurable goal: outcome measure or metric, baseline, target,
                            direction, target date
:class:`PlanOfCare`         frequency per week, duration in weeks, certification and
                            re-certification dates, progress report every 10 visits, goals
:class:`Prescription`       exercise variants of the library, each with its dose
:class:`TreatmentSession`    a clinic or home session: the exercises done as the progression
                            engine's records (sets, reps, holds, load, quality, difficulty,
                            symptoms, assistance), therapist cues, minutes per procedure code,
                            attached balance trials
:class:`BalanceTrialRecord` a stored trial analysis: its metrics and the settings that made them
==========================  ======================================================================

Rules (the numbers a clinician may want to check)
-------------------------------------------------

=================================  =============================================================
rule                               value and source
=================================  =============================================================
pain                               NPRS, an integer 0–10 (``reference/clinic.md`` §2)
re-certification                   at most 90 days after certification (Medicare Benefit Policy
                                   Manual ch. 15 §220.1.3); :data:`RECERTIFICATION_MAX_DAYS`
progress report                    at least every 10 treatment visits (§220.3D);
                                   :data:`PROGRESS_REPORT_INTERVAL_VISITS`; home sessions are not
                                   treatment visits
duplicate session                  same patient, date, setting (and session of the day, 1 unless
                                   a twice-daily programme) and exercise variant
procedure codes                    CPT (five digits) or HCPCS level II (a letter and four digits)
ICD-10 code                        letter, digit, letter-or-digit, then optionally a dot and
                                   1–4 letters or digits (``R26.81``); ``R2681`` is accepted and
                                   written ``R26.81``
=================================  =============================================================

Examples
--------
>>> from datetime import date
>>> from reeducate.clinic.care import (
...     EpisodeOfCare, Impairment, TreatmentSession, check_session)
>>> from reeducate.clinic.progression import SessionRecord, SetRecord, Setting
>>> episode = EpisodeOfCare(id="E-1", patient_code="P-0001", start_date=date(2025, 3, 3),
...                         diagnoses=("r2681",), impairments={Impairment.BALANCE})
>>> episode.diagnoses
('R26.81',)
>>> def done(day, setting=Setting.CLINIC):
...     return SessionRecord(variant_id="bal-sls-firm-eo", session_date=day, setting=setting,
...                          sets_prescribed=2, sets=(SetRecord(hold_target_s=30,
...                          hold_done_s=30),) * 2, pain_before_nprs=2, pain_after_nprs=3)
>>> visit = TreatmentSession(id="S-1", patient_code="P-0001", episode_id="E-1",
...                          session_date=date(2025, 3, 5), setting=Setting.CLINIC,
...                          exercises=(done(date(2025, 3, 5)),),
...                          cues={"bal-sls-firm-eo": ("Soft knee",)},
...                          minutes_by_code={"97112": 25})
>>> check_session(visit, episode=episode, existing=())
>>> early = TreatmentSession(id="S-0", patient_code="P-0001", episode_id="E-1",
...                          session_date=date(2025, 3, 1), setting=Setting.HOME,
...                          exercises=(done(date(2025, 3, 1), Setting.HOME),))
>>> check_session(early, episode=episode, existing=())  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
reeducate.errors.DomainRuleError: session_date must not be before the episode ...; got 2025-03-01
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, TypeVar

from reeducate.clinic.exercises import Dose
from reeducate.clinic.outcomes import MEASURES
from reeducate.clinic.outcomes.base import Better
from reeducate.clinic.progression import SessionRecord as ExerciseDone
from reeducate.clinic.progression import Setting
from reeducate.enums import allowed_values, member_of
from reeducate.errors import DomainRuleError, InvalidParameterError, NotFoundError

if TYPE_CHECKING:
    from reeducate.balance.analysis import TrialAnalysis
    from reeducate.clinic.exercises import ExerciseLibrary

__all__ = [
    "PROGRESS_REPORT_INTERVAL_VISITS",
    "RECERTIFICATION_MAX_DAYS",
    "BalanceTrialRecord",
    "EpisodeOfCare",
    "Goal",
    "GoalDirection",
    "GoalMeasureKind",
    "Impairment",
    "Patient",
    "PatientIdentity",
    "PlanOfCare",
    "PrescribedExercise",
    "Prescription",
    "TreatmentSession",
    "check_prescription",
    "check_session",
    "count_treatment_visits",
    "duplicate_keys",
    "exercise_history",
    "normalize_icd10",
    "progress_report_due",
    "recertification_due",
    "trial_record_from_analysis",
]

#: Longest allowed gap between certification and re-certification of a plan, in days
#: (Medicare Benefit Policy Manual ch. 15 §220.1.3: "at least every 90 days").
RECERTIFICATION_MAX_DAYS: Final = 90

#: Treatment visits between progress reports (Medicare Benefit Policy Manual ch. 15 §220.3D:
#: "at least once every 10 treatment days").
PROGRESS_REPORT_INTERVAL_VISITS: Final = 10

_PATIENT_CODE: Final = re.compile(r"P-[0-9]{4,8}")
_RECORD_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}")
_ICD10: Final = re.compile(r"([A-Z][0-9][0-9A-Z])(?:\.?([0-9A-Z]{1,4}))?")
_PROCEDURE_CODE: Final = re.compile(r"[0-9]{5}|[A-Z][0-9]{4}")
_METRIC_NAME: Final = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
_EARLIEST_DATE: Final = date(1900, 1, 1)


# --------------------------------------------------------------------------------------------
# Vocabularies
# --------------------------------------------------------------------------------------------


class Impairment(StrEnum):
    """Neuromuscular impairments that neuromuscular re-education (CPT 97112) addresses."""

    BALANCE = "balance"
    COORDINATION = "coordination"
    PROPRIOCEPTION = "proprioception"
    POSTURE = "posture"
    MOTOR_CONTROL = "motor_control"


class GoalMeasureKind(StrEnum):
    """What a goal is measured with."""

    OUTCOME_MEASURE = "outcome_measure"  # an id of reeducate.clinic.outcomes.MEASURES
    METRIC = "metric"  # a metric name ending in its unit, e.g. sway_path_length_m


class GoalDirection(StrEnum):
    """Whether the goal is reached by raising or by lowering the value."""

    INCREASE = "increase"
    DECREASE = "decrease"


# --------------------------------------------------------------------------------------------
# Checks
# --------------------------------------------------------------------------------------------


def _fail(field_name: str, constraint: str, got: object) -> InvalidParameterError:
    return InvalidParameterError(f"{field_name} {constraint}; got {got}")


def _check_id(field_name: str, value: object) -> str:
    if not isinstance(value, str) or not _RECORD_ID.fullmatch(value):
        raise _fail(
            field_name,
            "must be 1–64 letters, digits, '_', '.', ':' or '-' starting with a letter or digit",
            repr(value),
        )
    return value


def _check_patient_code(field_name: str, value: object) -> str:
    if not isinstance(value, str) or not _PATIENT_CODE.fullmatch(value):
        raise _fail(field_name, "must be a pseudonymous code like 'P-0001'", repr(value))
    return value


def _check_int(field_name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _fail(field_name, f"must be an integer {low}–{high}", repr(value))
    return value


def _check_number(field_name: str, value: object, low: float, high: float) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not low <= value <= high  # also refuses NaN
    ):
        raise _fail(field_name, f"must be a number {low:g}–{high:g}", repr(value))
    return float(value)


def _check_finite(field_name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _fail(field_name, "must be a finite number", repr(value))
    return float(value)


def _check_text(field_name: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip() or value != value.strip():
        raise _fail(
            field_name, "must be non-empty text without leading or trailing spaces", repr(value)
        )
    return value


def _check_date(field_name: str, value: object) -> date:
    # datetime is a subclass of date: a datetime where a date is meant hides a time zone.
    if isinstance(value, datetime) or not isinstance(value, date):
        raise _fail(field_name, "must be a date (not a datetime)", repr(value))
    if value < _EARLIEST_DATE:
        raise _fail(field_name, f"must be on or after {_EARLIEST_DATE.isoformat()}", value)
    return value


def _check_utc(field_name: str, value: object) -> datetime:
    if not isinstance(value, datetime) or value.utcoffset() is None:
        raise _fail(field_name, "must be a timezone-aware datetime", repr(value))
    return value.astimezone(UTC)


_E = TypeVar("_E", bound=StrEnum)


def _check_enum(field_name: str, value: object, enum: type[_E]) -> _E:
    member = member_of(enum, value) if isinstance(value, str) else None
    if member is None:
        raise _fail(field_name, f"must be one of {allowed_values(enum)}", repr(value))
    return member


def _set(self: object, name: str, value: object) -> None:
    object.__setattr__(self, name, value)


def normalize_icd10(code: object, /, *, field_name: str = "diagnosis") -> str:
    """Check the format of an ICD-10 code and write it in its dotted form.

    This checks the *format* only (ICD-10 and ICD-10-CM share it): a letter, a digit, a letter or
    digit, then optionally a dot and 1–4 letters or digits. It does not look the code up.
    Lower case and the undotted claim form are accepted.

    Parameters
    ----------
    code : str
        The code, e.g. ``"R26.81"``, ``"r2681"`` or ``"M54.5"``.
    field_name : str
        Name used in the error message.

    Returns
    -------
    str
        The code in upper case with its dot, e.g. ``"R26.81"``.

    Raises
    ------
    InvalidParameterError
        If the text is not an ICD-10 code.

    Examples
    --------
    >>> normalize_icd10("r2681"), normalize_icd10("M54.5"), normalize_icd10("G20")
    ('R26.81', 'M54.5', 'G20')
    >>> normalize_icd10("97112")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    reeducate.errors.InvalidParameterError: diagnosis must be an ICD-10 code ...; got '97112'
    """
    match = _ICD10.fullmatch(code.strip().upper()) if isinstance(code, str) else None
    if match is None:
        raise _fail(field_name, "must be an ICD-10 code such as 'R26.81'", repr(code))
    category, detail = match.groups()
    return category if detail is None else f"{category}.{detail}"


# --------------------------------------------------------------------------------------------
# Patient
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True, repr=False)
class PatientIdentity:
    """The identifying fields of a patient, kept apart from every clinical record.

    Its ``repr`` shows no field, and error messages never quote a value, so that identifying
    data cannot leak into logs or tracebacks.

    Attributes
    ----------
    name : str
        Full name.
    date_of_birth : date
        Date of birth, on or after 1900-01-01.

    Examples
    --------
    >>> from datetime import date
    >>> PatientIdentity(name="Ada Example", date_of_birth=date(1950, 6, 1))
    PatientIdentity(<identifying fields hidden>)
    >>> PatientIdentity(name="Ada Example", date_of_birth=date(1950, 6, 1)).age_years(
    ...     on=date(2025, 5, 31))
    74
    """

    name: str
    date_of_birth: date

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip() or len(self.name) > 200:
            raise InvalidParameterError(
                "identity.name must be non-empty text of at most 200 characters; got a value "
                "that is not (not shown: identifying)"
            )
        if (
            isinstance(self.date_of_birth, datetime)
            or not isinstance(self.date_of_birth, date)
            or self.date_of_birth < _EARLIEST_DATE
        ):
            raise InvalidParameterError(
                "identity.date_of_birth must be a date on or after 1900-01-01; got a value that "
                "is not (not shown: identifying)"
            )

    def __repr__(self) -> str:
        return "PatientIdentity(<identifying fields hidden>)"

    def age_years(self, *, on: date) -> int:
        """Age in whole years on the date ``on``."""
        if on < self.date_of_birth:
            raise InvalidParameterError(
                "on must not be before the date of birth; got an earlier date (not shown)"
            )
        before_birthday = (on.month, on.day) < (self.date_of_birth.month, self.date_of_birth.day)
        return on.year - self.date_of_birth.year - int(before_birthday)


@dataclass(frozen=True, slots=True, kw_only=True)
class Patient:
    """A patient, known everywhere by a pseudonymous code.

    Attributes
    ----------
    code : str
        Pseudonymous code ``"P-"`` followed by 4–8 digits, used in every output.
    identity : PatientIdentity or None
        Identifying fields, kept out of the ``repr`` and out of equality.

    Examples
    --------
    >>> from datetime import date
    >>> Patient(code="P-0001",
    ...         identity=PatientIdentity(name="Ada Example", date_of_birth=date(1950, 6, 1)))
    Patient(code='P-0001')
    >>> Patient(code="Ada")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    reeducate.errors.InvalidParameterError: code must be a pseudonymous code ...; got 'Ada'
    """

    code: str
    identity: PatientIdentity | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        _check_patient_code("code", self.code)
        if self.identity is not None and not isinstance(self.identity, PatientIdentity):
            raise InvalidParameterError(
                f"identity must be a PatientIdentity or None; got {type(self.identity).__name__}"
            )


# --------------------------------------------------------------------------------------------
# Episode, goals, plan, prescription
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class EpisodeOfCare:
    """One episode of physical-therapy care for a patient.

    Attributes
    ----------
    id : str
        Record id.
    patient_code : str
        The patient's pseudonymous code.
    start_date : date
        First day of the episode; no session may be dated before it.
    diagnoses : tuple of str
        ICD-10 codes, at least one, without repeats (format-checked and written dotted).
    impairments : frozenset of Impairment
        At least one of balance, coordination, proprioception, posture, motor control.
    end_date : date or None
        Discharge date, on or after ``start_date``; None while the episode is open.

    Examples
    --------
    >>> from datetime import date
    >>> EpisodeOfCare(id="E-1", patient_code="P-0001", start_date=date(2025, 3, 3),
    ...               diagnoses=("R26.81", "M54.50"), impairments={"balance"}).impairments
    frozenset({<Impairment.BALANCE: 'balance'>})
    """

    id: str
    patient_code: str
    start_date: date
    diagnoses: tuple[str, ...]
    impairments: frozenset[Impairment]
    end_date: date | None = None

    def __post_init__(self) -> None:
        _check_id("id", self.id)
        _check_patient_code("patient_code", self.patient_code)
        _check_date("start_date", self.start_date)
        if isinstance(self.diagnoses, str) or not self.diagnoses:
            raise _fail("diagnoses", "must list at least one ICD-10 code", repr(self.diagnoses))
        codes = tuple(
            normalize_icd10(code, field_name=f"diagnoses[{i}]")
            for i, code in enumerate(self.diagnoses)
        )
        if len(set(codes)) != len(codes):
            raise _fail("diagnoses", "must not repeat a code", codes)
        _set(self, "diagnoses", codes)
        if isinstance(self.impairments, str) or not self.impairments:
            raise _fail("impairments", "must name at least one impairment", repr(self.impairments))
        _set(
            self,
            "impairments",
            frozenset(_check_enum("impairments", i, Impairment) for i in self.impairments),
        )
        if self.end_date is not None:
            _check_date("end_date", self.end_date)
            if self.end_date < self.start_date:
                raise _fail(
                    "end_date",
                    f"must not be before start_date ({self.start_date.isoformat()})",
                    self.end_date.isoformat(),
                )

    def is_open(self, *, on: date) -> bool:
        """Whether the episode covers the date ``on``."""
        return self.start_date <= on and (self.end_date is None or on <= self.end_date)


@dataclass(frozen=True, slots=True, kw_only=True)
class Goal:
    """A measurable goal: a value to reach on an outcome measure or a metric by a date.

    Attributes
    ----------
    id : str
        Record id.
    description : str
        The goal in plain language ("walk to the shop without fear of falling").
    measure_kind : GoalMeasureKind
        Outcome measure or metric.
    measure : str
        An outcome-measure id of :data:`reeducate.clinic.outcomes.MEASURES` (``"tug"``) or a
        metric name in snake case ending in its unit (``"sway_path_length_m"``).
    direction : GoalDirection
        Increase or decrease. For an outcome measure it must agree with which direction of the
        measure is better (a lower TUG time is better, so a TUG goal decreases).
    baseline_value, target_value : float
        Value at ``baseline_date`` and the value to reach; the target lies beyond the baseline
        in ``direction``.
    baseline_date, target_date : date
        When the baseline was measured and when the target should be reached (later).

    Examples
    --------
    >>> from datetime import date
    >>> goal = Goal(id="G-1", description="Get up and walk safely",
    ...             measure_kind="outcome_measure", measure="tug", direction="decrease",
    ...             baseline_value=16.0, target_value=12.0,
    ...             baseline_date=date(2025, 3, 3), target_date=date(2025, 5, 26))
    >>> goal.progress_ratio(14.0), goal.achieved(11.5)
    (0.5, True)
    """

    id: str
    description: str
    measure_kind: GoalMeasureKind
    measure: str
    direction: GoalDirection
    baseline_value: float
    target_value: float
    baseline_date: date
    target_date: date

    def __post_init__(self) -> None:
        _check_id("id", self.id)
        _check_text("description", self.description)
        kind = _check_enum("measure_kind", self.measure_kind, GoalMeasureKind)
        _set(self, "measure_kind", kind)
        direction = _check_enum("direction", self.direction, GoalDirection)
        _set(self, "direction", direction)
        if kind is GoalMeasureKind.OUTCOME_MEASURE:
            if self.measure not in MEASURES:
                raise _fail(
                    "measure",
                    f"must be an outcome measure id ({', '.join(MEASURES)})",
                    repr(self.measure),
                )
            better = MEASURES[self.measure].better
            expected = GoalDirection.INCREASE if better is Better.HIGHER else GoalDirection.DECREASE
            if direction is not expected:
                raise _fail(
                    "direction",
                    f"must be {expected} for {self.measure} ({better} is better)",
                    str(direction),
                )
        elif not isinstance(self.measure, str) or not _METRIC_NAME.fullmatch(self.measure):
            raise _fail(
                "measure",
                "must be a metric name in snake case ending in its unit, e.g. 'sway_path_length_m'",
                repr(self.measure),
            )
        baseline = _check_finite("baseline_value", self.baseline_value)
        target = _check_finite("target_value", self.target_value)
        _set(self, "baseline_value", baseline)
        _set(self, "target_value", target)
        beyond = target > baseline if direction is GoalDirection.INCREASE else target < baseline
        if not beyond:
            word = "above" if direction is GoalDirection.INCREASE else "below"
            raise _fail(
                "target_value",
                f"must be {word} baseline_value ({baseline:g}) for a goal to {direction}",
                f"{target:g}",
            )
        _check_date("baseline_date", self.baseline_date)
        _check_date("target_date", self.target_date)
        if self.target_date <= self.baseline_date:
            raise _fail(
                "target_date",
                f"must be after baseline_date ({self.baseline_date.isoformat()})",
                self.target_date.isoformat(),
            )

    def progress_ratio(self, value: float, /) -> float:
        """Fraction of the way from baseline to target (0 at baseline, 1 at target).

        Negative when the value moved away from the target; above 1 past it.
        """
        value = _check_finite("value", value)
        return (value - self.baseline_value) / (self.target_value - self.baseline_value)

    def achieved(self, value: float, /) -> bool:
        """Whether ``value`` reaches the target in the goal's direction."""
        value = _check_finite("value", value)
        if self.direction is GoalDirection.INCREASE:
            return value >= self.target_value
        return value <= self.target_value


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanOfCare:
    """The plan of care of an episode.

    Attributes
    ----------
    id : str
        Record id.
    episode_id : str
        The episode it belongs to.
    start_date : date
        First day of the plan.
    frequency_per_week : int
        Planned visits per week, 1–7.
    duration_weeks : int
        Planned duration, 1–52 weeks.
    certification_date : date
        When the physician or NPP certified the plan (on or after ``start_date`` minus 30 days).
    recertification_due_date : date
        When the plan must be re-certified: after ``certification_date`` and at most
        :data:`RECERTIFICATION_MAX_DAYS` (90) days after it.
    goals : tuple of Goal
        At least one measurable goal, ids unique.
    progress_report_interval_visits : int
        Treatment visits between progress reports, 1–10 (default 10, the Medicare maximum).

    Examples
    --------
    >>> from datetime import date
    >>> goal = Goal(id="G-1", description="Stand on one leg for 20 s", measure_kind="metric",
    ...             measure="single_leg_stance_s", direction="increase", baseline_value=4,
    ...             target_value=20, baseline_date=date(2025, 3, 3),
    ...             target_date=date(2025, 5, 26))
    >>> plan = PlanOfCare(id="C-1", episode_id="E-1", start_date=date(2025, 3, 3),
    ...                   frequency_per_week=3, duration_weeks=12,
    ...                   certification_date=date(2025, 3, 4),
    ...                   recertification_due_date=date(2025, 6, 1), goals=(goal,))
    >>> plan.end_date, plan.planned_visits
    (datetime.date(2025, 5, 25), 36)
    """

    id: str
    episode_id: str
    start_date: date
    frequency_per_week: int
    duration_weeks: int
    certification_date: date
    recertification_due_date: date
    goals: tuple[Goal, ...]
    progress_report_interval_visits: int = PROGRESS_REPORT_INTERVAL_VISITS

    def __post_init__(self) -> None:
        _check_id("id", self.id)
        _check_id("episode_id", self.episode_id)
        _check_date("start_date", self.start_date)
        _check_int("frequency_per_week", self.frequency_per_week, 1, 7)
        _check_int("duration_weeks", self.duration_weeks, 1, 52)
        _check_date("certification_date", self.certification_date)
        _check_date("recertification_due_date", self.recertification_due_date)
        if self.recertification_due_date <= self.certification_date:
            raise _fail(
                "recertification_due_date",
                f"must be after certification_date ({self.certification_date.isoformat()})",
                self.recertification_due_date.isoformat(),
            )
        latest = self.certification_date + timedelta(days=RECERTIFICATION_MAX_DAYS)
        if self.recertification_due_date > latest:
            raise _fail(
                "recertification_due_date",
                f"must be at most {RECERTIFICATION_MAX_DAYS} days after certification_date "
                f"(by {latest.isoformat()})",
                self.recertification_due_date.isoformat(),
            )
        _check_int(
            "progress_report_interval_visits",
            self.progress_report_interval_visits,
            1,
            PROGRESS_REPORT_INTERVAL_VISITS,
        )
        goals = tuple(self.goals)
        if not goals:
            raise _fail("goals", "must hold at least one measurable goal", "none")
        for i, goal in enumerate(goals):
            if not isinstance(goal, Goal):
                raise _fail(f"goals[{i}]", "must be a Goal", type(goal).__name__)
        ids = [goal.id for goal in goals]
        if len(set(ids)) != len(ids):
            raise _fail("goals", "must have unique ids", ids)
        _set(self, "goals", goals)

    @property
    def end_date(self) -> date:
        """Last planned day: ``start_date`` plus ``duration_weeks`` weeks, minus one day."""
        return self.start_date + timedelta(weeks=self.duration_weeks, days=-1)

    @property
    def planned_visits(self) -> int:
        """Planned number of visits: frequency per week times duration in weeks."""
        return self.frequency_per_week * self.duration_weeks


@dataclass(frozen=True, slots=True, kw_only=True)
class PrescribedExercise:
    """One exercise variant of the library with the dose prescribed.

    Attributes
    ----------
    variant_id : str
        Id of a variant in the exercise library (checked by :func:`check_prescription`).
    dose : reeducate.clinic.exercises.Dose
        Sets, reps and/or hold, rest, sessions per week (ranges checked by ``Dose``).
    """

    variant_id: str
    dose: Dose

    def __post_init__(self) -> None:
        _check_text("variant_id", self.variant_id)
        if not isinstance(self.dose, Dose):
            raise _fail("dose", "must be a Dose", type(self.dose).__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class Prescription:
    """The exercises prescribed under a plan from a date on (a new one replaces it).

    Attributes
    ----------
    id : str
        Record id.
    plan_id : str
        The plan of care it belongs to.
    start_date : date
        From when it applies.
    exercises : tuple of PrescribedExercise
        At least one, without repeating a variant.

    Examples
    --------
    >>> from datetime import date
    >>> from reeducate.clinic.exercises import Dose
    >>> rx = Prescription(id="R-1", plan_id="C-1", start_date=date(2025, 3, 3), exercises=(
    ...     PrescribedExercise(variant_id="bal-sls-firm-eo",
    ...                        dose=Dose(sets=3, hold_s=20, rest_s=30, sessions_per_week=5)),))
    >>> rx.dose_for("bal-sls-firm-eo").hold_s
    20.0
    """

    id: str
    plan_id: str
    start_date: date
    exercises: tuple[PrescribedExercise, ...]

    def __post_init__(self) -> None:
        _check_id("id", self.id)
        _check_id("plan_id", self.plan_id)
        _check_date("start_date", self.start_date)
        exercises = tuple(self.exercises)
        if not exercises:
            raise _fail("exercises", "must prescribe at least one exercise", "none")
        seen: set[str] = set()
        for i, item in enumerate(exercises):
            if not isinstance(item, PrescribedExercise):
                raise _fail(f"exercises[{i}]", "must be a PrescribedExercise", type(item).__name__)
            if item.variant_id in seen:
                raise _fail(
                    f"exercises[{i}].variant_id", "must not repeat a variant", repr(item.variant_id)
                )
            seen.add(item.variant_id)
        _set(self, "exercises", exercises)

    def dose_for(self, variant_id: str, /) -> Dose:
        """The dose prescribed for ``variant_id``; NotFoundError if it is not prescribed."""
        for item in self.exercises:
            if item.variant_id == variant_id:
                return item.dose
        raise NotFoundError(f"variant_id is not in prescription {self.id}; got {variant_id!r}")


# --------------------------------------------------------------------------------------------
# Sessions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class TreatmentSession:
    """A clinic visit or a home session: the exercises done, minutes per code, trials.

    Each exercise done is the progression engine's own record,
    :class:`reeducate.clinic.progression.SessionRecord` (sets against their targets, load,
    difficulty, quality, pain before/during/after, other symptoms, balance events, assistance,
    minutes), so that stored sessions feed :func:`reeducate.clinic.progression.recommend`
    unchanged. What the engine does not need is added here: therapist cues, billable minutes,
    attached balance trials, a note.

    Attributes
    ----------
    id : str
        Record id.
    patient_code, episode_id : str
        Whose session, under which episode.
    session_date : date
        Date of the session (not before the episode began: :func:`check_session`).
    setting : Setting
        Clinic or home.
    sequence : int
        Number of the session within the day, 1–14 (2 for the second of a twice-daily home
        programme); every exercise record carries the same date, setting and sequence.
    exercises : tuple of reeducate.clinic.progression.SessionRecord
        Exercises done, at least one, each variant once.
    cues : Mapping[str, tuple of str]
        Therapist cues given, by variant id (variants of ``exercises`` only).
    minutes_by_code : Mapping[str, int]
        Treatment minutes per procedure code (CPT ``"97112"`` or HCPCS ``"G0283"``), 1–480 each.
        Only clinic sessions have billable minutes; a home session has none.
    trial_ids : tuple of str
        Ids of stored balance-trial analyses (:class:`BalanceTrialRecord`) attached.
    started_at : datetime or None
        Start time, timezone-aware (stored as UTC).
    note : str or None
        Free-text note (patient response, plan for next visit).
    """

    id: str
    patient_code: str
    episode_id: str
    session_date: date
    setting: Setting
    exercises: tuple[ExerciseDone, ...]
    sequence: int = 1
    cues: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: MappingProxyType({}))
    minutes_by_code: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    trial_ids: tuple[str, ...] = ()
    started_at: datetime | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        _check_id("id", self.id)
        _check_patient_code("patient_code", self.patient_code)
        _check_id("episode_id", self.episode_id)
        _check_date("session_date", self.session_date)
        setting = _check_enum("setting", self.setting, Setting)
        _set(self, "setting", setting)
        _check_int("sequence", self.sequence, 1, 14)
        exercises = tuple(self.exercises)
        if not exercises:
            raise _fail("exercises", "must hold at least one exercise", "none")
        seen: set[str] = set()
        for i, item in enumerate(exercises):
            if not isinstance(item, ExerciseDone):
                raise _fail(
                    f"exercises[{i}]",
                    "must be a reeducate.clinic.progression.SessionRecord",
                    type(item).__name__,
                )
            for name in ("session_date", "setting", "sequence"):
                if getattr(item, name) != getattr(self, name):
                    raise _fail(
                        f"exercises[{i}].{name}",
                        f"must be the session's ({getattr(self, name)})",
                        getattr(item, name),
                    )
            if item.variant_id in seen:
                raise DomainRuleError(
                    f"exercises[{i}].variant_id must not repeat an exercise of the same session "
                    f"(a duplicate); got {item.variant_id!r} twice"
                )
            seen.add(item.variant_id)
        _set(self, "exercises", exercises)
        if not isinstance(self.cues, Mapping):
            raise _fail("cues", "must map variant ids to cues", repr(self.cues))
        cues: dict[str, tuple[str, ...]] = {}
        for variant_id, given in self.cues.items():
            if variant_id not in seen:
                raise _fail(
                    "cues", "keys must be variants of the session's exercises", repr(variant_id)
                )
            texts = (given,) if isinstance(given, str) else tuple(given)
            for k, cue in enumerate(texts):
                _check_text(f"cues[{variant_id}][{k}]", cue)
            if texts:
                cues[variant_id] = texts
        _set(self, "cues", MappingProxyType(cues))
        if not isinstance(self.minutes_by_code, Mapping):
            raise _fail(
                "minutes_by_code", "must map procedure codes to minutes", repr(self.minutes_by_code)
            )
        minutes: dict[str, int] = {}
        for code, value in sorted(self.minutes_by_code.items()):
            if not isinstance(code, str) or not _PROCEDURE_CODE.fullmatch(code):
                raise _fail(
                    "minutes_by_code",
                    "keys must be CPT (5 digits) or HCPCS (letter and 4 digits) codes",
                    repr(code),
                )
            minutes[code] = _check_int(f"minutes_by_code[{code}]", value, 1, 480)
        if minutes and setting is Setting.HOME:
            raise DomainRuleError(
                "minutes_by_code must be empty for a home session (no billable treatment "
                f"minutes); got {', '.join(minutes)}"
            )
        _set(self, "minutes_by_code", MappingProxyType(minutes))
        trial_ids = tuple(self.trial_ids)
        for i, trial_id in enumerate(trial_ids):
            _check_id(f"trial_ids[{i}]", trial_id)
        if len(set(trial_ids)) != len(trial_ids):
            raise _fail("trial_ids", "must not repeat a trial", trial_ids)
        _set(self, "trial_ids", trial_ids)
        if self.started_at is not None:
            _set(self, "started_at", _check_utc("started_at", self.started_at))
        if self.note is not None:
            _check_text("note", self.note)

    @property
    def total_minutes(self) -> int:
        """Sum of the minutes over all procedure codes."""
        return sum(self.minutes_by_code.values())

    def exercise(self, variant_id: str, /) -> ExerciseDone:
        """The record of ``variant_id`` in this session; NotFoundError if it was not done."""
        for item in self.exercises:
            if item.variant_id == variant_id:
                return item
        raise NotFoundError(f"variant_id was not done in session {self.id}; got {variant_id!r}")


def exercise_history(
    sessions: Iterable[TreatmentSession], /, *, family_of: Collection[str] | None = None
) -> list[ExerciseDone]:
    """The exercise records of ``sessions`` in date order, ready for the progression engine.

    ``family_of`` keeps only records of these variant ids (e.g. a family's variants).
    """
    ordered = sorted(sessions, key=lambda s: (s.session_date, s.sequence, s.setting, s.id))
    return [
        item
        for s in ordered
        for item in s.exercises
        if family_of is None or item.variant_id in family_of
    ]


# --------------------------------------------------------------------------------------------
# Balance trials
# --------------------------------------------------------------------------------------------


def _json_value(field_name: str, value: object) -> object:
    """A copy of ``value`` as plain JSON (str keys; str, finite float, int, bool, None)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise _fail(field_name, "must hold finite numbers only", repr(value))
        return value
    if isinstance(value, Mapping):
        out: dict[str, object] = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise _fail(field_name, "must have text keys", repr(key))
            out[key] = _json_value(f"{field_name}.{key}", item)
        return out
    if isinstance(value, list | tuple):
        return [_json_value(f"{field_name}[{i}]", item) for i, item in enumerate(value)]
    raise _fail(field_name, "must hold only JSON values", type(value).__name__)


@dataclass(frozen=True, slots=True, kw_only=True)
class BalanceTrialRecord:
    """A stored balance-trial analysis: its metrics and the settings that produced them.

    Attributes
    ----------
    id : str
        Record id.
    patient_code : str
        Whose trial.
    recorded_at : datetime
        When the trial was recorded, timezone-aware (stored as UTC).
    source_name : str
        File or stream name the trial came from.
    condition : str
        Condition label, e.g. ``"firm/eyes closed"``.
    preset : str
        Analysis preset name.
    sampling_rate_hz : float
        Sampling rate after preprocessing, > 0.
    duration_s : float
        Trial duration, > 0.
    metrics : Mapping[str, float]
        Metric values in SI, names ending in their unit (``ellipse_area_95_m2``); finite.
    settings : Mapping[str, Any]
        Preprocessing and metric conventions as plain JSON values.
    """

    id: str
    patient_code: str
    recorded_at: datetime
    source_name: str
    condition: str
    preset: str
    sampling_rate_hz: float
    duration_s: float
    metrics: Mapping[str, float]
    settings: Mapping[str, Any]

    def __post_init__(self) -> None:
        _check_id("id", self.id)
        _check_patient_code("patient_code", self.patient_code)
        _set(self, "recorded_at", _check_utc("recorded_at", self.recorded_at))
        for name in ("source_name", "condition", "preset"):
            _check_text(name, getattr(self, name))
        for name in ("sampling_rate_hz", "duration_s"):
            value = _check_finite(name, getattr(self, name))
            if value <= 0:
                raise _fail(name, "must be > 0", value)
            _set(self, name, value)
        if not isinstance(self.metrics, Mapping) or not self.metrics:
            raise _fail("metrics", "must map metric names to values", repr(self.metrics))
        metrics: dict[str, float] = {}
        for name, value in self.metrics.items():
            if not isinstance(name, str) or not _METRIC_NAME.fullmatch(name):
                raise _fail("metrics", "keys must be metric names in snake case", repr(name))
            metrics[name] = _check_finite(f"metrics.{name}", value)
        _set(self, "metrics", MappingProxyType(metrics))
        if not isinstance(self.settings, Mapping):
            raise _fail("settings", "must be a mapping", repr(self.settings))
        settings = _json_value("settings", self.settings)
        assert isinstance(settings, dict)  # a Mapping comes back as a dict
        _set(self, "settings", MappingProxyType(settings))


def trial_record_from_analysis(
    analysis: TrialAnalysis, /, *, id: str, patient_code: str, recorded_at: datetime
) -> BalanceTrialRecord:
    """The record to store for a balance-trial analysis.

    Parameters
    ----------
    analysis : reeducate.balance.analysis.TrialAnalysis
        Result of :func:`reeducate.balance.analysis.analyze_trial`.
    id : str
        Record id to give it.
    patient_code : str
        Whose trial.
    recorded_at : datetime
        When it was recorded, timezone-aware.

    Returns
    -------
    BalanceTrialRecord
        Non-finite metric values (a metric undefined for this trial) are left out.
    """
    trial = analysis.trial
    metrics = {k: float(v) for k, v in analysis.metrics.items() if math.isfinite(float(v))}
    return BalanceTrialRecord(
        id=id,
        patient_code=patient_code,
        recorded_at=recorded_at,
        source_name=trial.source_name,
        condition=trial.condition.label,
        preset=analysis.preset,
        sampling_rate_hz=trial.sampling_rate_hz,
        duration_s=trial.duration_s,
        metrics=metrics,
        settings=analysis.settings,
    )


# --------------------------------------------------------------------------------------------
# Rules across records
# --------------------------------------------------------------------------------------------


def duplicate_keys(session: TreatmentSession, /) -> frozenset[tuple[str, date, Setting, int, str]]:
    """The keys that make a session a duplicate: (patient, date, setting, sequence, variant).

    Examples
    --------
    >>> from datetime import date
    >>> from reeducate.clinic.progression import SessionRecord, SetRecord
    >>> one = SessionRecord(variant_id="bal-sls-firm-eo", session_date=date(2025, 3, 5),
    ...                     setting="home", sets_prescribed=1,
    ...                     sets=(SetRecord(hold_target_s=30, hold_done_s=30),))
    >>> s = TreatmentSession(id="S-1", patient_code="P-0001", episode_id="E-1",
    ...                      session_date=date(2025, 3, 5), setting="home", exercises=(one,))
    >>> sorted(duplicate_keys(s))
    [('P-0001', datetime.date(2025, 3, 5), <Setting.HOME: 'home'>, 1, 'bal-sls-firm-eo')]
    """
    return frozenset(_ordered_keys(session))


def check_session(
    session: TreatmentSession,
    /,
    *,
    episode: EpisodeOfCare,
    existing: Iterable[TreatmentSession],
    library: ExerciseLibrary | None = None,
    trial_ids: Collection[str] | None = None,
) -> None:
    """Refuse a session that breaks a rule involving other records.

    Parameters
    ----------
    session : TreatmentSession
        The new session.
    episode : EpisodeOfCare
        Its episode.
    existing : iterable of TreatmentSession
        Sessions already recorded (any patient; only the same patient's are compared).
    library : ExerciseLibrary or None
        When given, every exercise must be a variant of it.
    trial_ids : collection of str or None
        When given, the ids of stored trials the session may attach.

    Raises
    ------
    DomainRuleError
        The session belongs to another patient or episode, is dated before the episode began or
        after it ended, or repeats an exercise already recorded for the same patient, date and
        setting (a duplicate), or reuses the id of another session.
    NotFoundError
        An exercise variant or an attached trial is unknown.
    """
    if session.episode_id != episode.id:
        raise DomainRuleError(
            f"episode_id must be the episode's id ({episode.id}); got {session.episode_id!r}"
        )
    if session.patient_code != episode.patient_code:
        raise DomainRuleError(
            f"patient_code must be the episode's patient ({episode.patient_code}); "
            f"got {session.patient_code!r}"
        )
    if session.session_date < episode.start_date:
        raise DomainRuleError(
            "session_date must not be before the episode began "
            f"({episode.start_date.isoformat()}); got {session.session_date.isoformat()}"
        )
    if episode.end_date is not None and session.session_date > episode.end_date:
        raise DomainRuleError(
            "session_date must not be after the episode ended "
            f"({episode.end_date.isoformat()}); got {session.session_date.isoformat()}"
        )
    if library is not None:
        for i, item in enumerate(session.exercises):
            if item.variant_id not in library:
                raise NotFoundError(
                    f"exercises[{i}].variant_id must be an exercise of the library; "
                    f"got unknown {item.variant_id!r}"
                )
    if trial_ids is not None:
        for i, trial_id in enumerate(session.trial_ids):
            if trial_id not in trial_ids:
                raise NotFoundError(
                    f"trial_ids[{i}] must be a stored balance trial; got unknown {trial_id!r}"
                )
    keys = {key[4]: i for i, key in enumerate(_ordered_keys(session))}
    for other in existing:
        if other.id == session.id:
            raise DomainRuleError(f"id must be new; got {session.id!r}, already recorded")
        if (other.patient_code, other.session_date, other.setting, other.sequence) != (
            session.patient_code,
            session.session_date,
            session.setting,
            session.sequence,
        ):
            continue
        for item in other.exercises:
            if item.variant_id in keys:
                raise DomainRuleError(
                    f"exercises[{keys[item.variant_id]}].variant_id must not repeat an exercise "
                    f"already recorded for {session.patient_code} on "
                    f"{session.session_date.isoformat()} ({session.setting}, session {other.id}); "
                    f"got {item.variant_id!r} (a duplicate session)"
                )


def _ordered_keys(session: TreatmentSession) -> list[tuple[str, date, Setting, int, str]]:
    return [
        (
            session.patient_code,
            session.session_date,
            session.setting,
            session.sequence,
            item.variant_id,
        )
        for item in session.exercises
    ]


def check_prescription(prescription: Prescription, /, *, library: ExerciseLibrary) -> None:
    """Refuse a prescription that names an exercise the library does not hold.

    Raises
    ------
    NotFoundError
        Names the field (``exercises[i].variant_id``) and the unknown id.

    Examples
    --------
    >>> from datetime import date
    >>> from reeducate.clinic.exercises import Dose, load_library
    >>> rx = Prescription(id="R-1", plan_id="C-1", start_date=date(2025, 3, 3), exercises=(
    ...     PrescribedExercise(variant_id="bal-sls-on-the-moon",
    ...                        dose=Dose(sets=3, hold_s=20, rest_s=30, sessions_per_week=5)),))
    >>> check_prescription(rx, library=load_library())  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    reeducate.errors.NotFoundError: exercises[0].variant_id ...; got unknown 'bal-sls-on-the-moon'
    """
    for i, item in enumerate(prescription.exercises):
        if item.variant_id not in library:
            raise NotFoundError(
                f"exercises[{i}].variant_id must be an exercise of the library; "
                f"got unknown {item.variant_id!r}"
            )


def count_treatment_visits(
    plan: PlanOfCare, sessions: Iterable[TreatmentSession], /, *, through: date | None = None
) -> int:
    """Treatment visits under a plan: distinct dates of clinic sessions from the plan's start.

    Home sessions are not treatment visits. ``through`` (inclusive) limits the count to
    sessions up to a date.
    """
    dates = {
        s.session_date
        for s in sessions
        if s.setting is Setting.CLINIC
        and s.episode_id == plan.episode_id
        and s.session_date >= plan.start_date
        and (through is None or s.session_date <= through)
    }
    return len(dates)


def progress_report_due(
    plan: PlanOfCare,
    visits: int | Iterable[TreatmentSession],
    /,
    *,
    last_report_at_visit: int = 0,
) -> bool:
    """Whether a progress report is due: ``plan.progress_report_interval_visits`` (10) treatment
    visits have passed since the last one.

    Parameters
    ----------
    plan : PlanOfCare
        The plan.
    visits : int or iterable of TreatmentSession
        Treatment visits so far under the plan (today's included), or the sessions to count
        them from (:func:`count_treatment_visits`).
    last_report_at_visit : int
        The visit number at which the last progress report was written (0: none yet).

    Examples
    --------
    >>> from datetime import date
    >>> goal = Goal(id="G-1", description="Walk faster", measure_kind="outcome_measure",
    ...             measure="tug", direction="decrease", baseline_value=16, target_value=12,
    ...             baseline_date=date(2025, 3, 3), target_date=date(2025, 5, 26))
    >>> plan = PlanOfCare(id="C-1", episode_id="E-1", start_date=date(2025, 3, 3),
    ...                   frequency_per_week=3, duration_weeks=12,
    ...                   certification_date=date(2025, 3, 4),
    ...                   recertification_due_date=date(2025, 6, 1), goals=(goal,))
    >>> [progress_report_due(plan, n) for n in (9, 10, 11)]
    [False, True, True]
    >>> progress_report_due(plan, 19, last_report_at_visit=10)
    False
    """
    count = (
        _check_int("visits", visits, 0, 100_000)
        if isinstance(visits, int)
        else count_treatment_visits(plan, visits)
    )
    _check_int("last_report_at_visit", last_report_at_visit, 0, count)
    return count - last_report_at_visit >= plan.progress_report_interval_visits


def recertification_due(plan: PlanOfCare, /, *, on: date) -> bool:
    """Whether the plan must be re-certified on date ``on`` (its due date has come)."""
    return _check_date("on", on) >= plan.recertification_due_date
