"""Output parameters of a stimulator: derived charge, rms current and current density, checked
against the limits of IEC 60601-2-10 with a warning band and a hard stop.

What is derived (closed forms, rectangular phases, ``pw`` = phase duration, ``f`` = pulse
frequency, ``I`` = peak current of a phase):

=================================  ===========================================================
quantity                           formula
=================================  ===========================================================
charge per phase                   ``Q = I · pw``  (µC = mA · µs / 1000)
rms current, monophasic            ``I_rms = I · sqrt(pw · f)``
rms current, symmetric biphasic    ``I_rms = I · sqrt(2 · pw · f)``  (two phases per period)
rms current density                ``J = I_rms / A``  (A = area of the *smaller* electrode)
energy per pulse into 500 Ω        ``E = n_phases · I² · R · pw``  (R = the standard's 500 Ω
                                   test load)
=================================  ===========================================================

The rms formula is the one the Enraf-Nonius Endomed 484 instructions for use quote from the
standard: ``I_rms = I_peak · sqrt(phase duration [µs] · frequency [Hz] · 1e-6)``, phase
duration doubled for symmetric biphasic pulses (``reference/emg-nmes-streaming.md`` §5.2).
"Pulse width" everywhere in this package is the **phase** duration, the convention of that
formula and of the NMES literature (a 300 µs symmetric biphasic pulse has two 300 µs phases).

Limits, and where each comes from (:data:`IEC_60601_2_10`):

* **from the standard** (IEC 60601-2-10:2012, as quoted by a device's instructions for use and
  the Biopac knowledge base; the standard's own text was not read, see §8 of the reference):
  output current at most **50 mA rms** for any waveform; current density "recommended not to
  exceed **2 mA rms/cm²**"; at most **300 mJ per pulse into 500 Ω**.
* **clinical conventions of this software** (not from the standard): the hard stop on current
  density (the standard words 2 mA rms/cm² as a recommendation; the reference's software
  implication is to warn or block above it, and this package blocks), and the warning band,
  which starts at 80 % of every limit so that the clinician is told before the stop.

A value in the warning band gives :attr:`Severity.WARN`; a value at or above a limit
:attr:`Severity.STOP`. Charge per phase is derived and shown but has no limit here: the
reference names none from the standard (device data sheets give maximum charges per pulse).

References
----------
IEC 60601-2-10:2012+A1:2016 Medical electrical equipment - Part 2-10: Particular requirements
for the basic safety and essential performance of nerve and muscle stimulators.

Maffiuletti NA (2010) Physiological and methodological considerations for the use of
neuromuscular electrical stimulation. Eur J Appl Physiol 110:223-234.
doi:10.1007/s00421-010-1502-y

Examples
--------
>>> check = check_parameters(intensity_ma=60.0, pulse_width_us=300.0, frequency_hz=50.0,
...                          waveform=Waveform.SYMMETRIC_BIPHASIC, electrode_area_cm2=45.0)
>>> round(check.charge_per_phase_uc, 3), round(check.rms_current_ma, 3)
(18.0, 10.392)
>>> round(check.current_density_ma_cm2, 4), check.severity.value
(0.2309, 'ok')
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Literal

from reeducate.errors import InvalidParameterError

__all__ = [
    "IEC_60601_2_10",
    "TEST_LOAD_OHM",
    "Finding",
    "Limit",
    "ParameterCheck",
    "SafetyLimits",
    "Severity",
    "Waveform",
    "charge_per_phase_uc",
    "check_parameters",
    "current_density_ma_cm2",
    "energy_per_pulse_mj",
    "intensity_limit_ma",
    "rms_current_ma",
]

#: The standard's test load for energy per pulse (IEC 60601-2-10, as quoted in §5.2).
TEST_LOAD_OHM: Final = 500.0


class Waveform(StrEnum):
    """Pulse shape: rectangular phases; ``symmetric_biphasic`` has two equal opposite phases."""

    SYMMETRIC_BIPHASIC = "symmetric_biphasic"
    MONOPHASIC = "monophasic"


#: Phases per pulse of each waveform.
PHASES: Final = {Waveform.SYMMETRIC_BIPHASIC: 2, Waveform.MONOPHASIC: 1}


class Severity(StrEnum):
    """How a derived value stands against its limit: below the warning band, in it, or at or
    above the limit (a hard stop)."""

    OK = "ok"
    WARN = "warn"
    STOP = "stop"


_SEVERITY_RANK: Final = {Severity.OK: 0, Severity.WARN: 1, Severity.STOP: 2}


@dataclass(frozen=True, slots=True, kw_only=True)
class Limit:
    """One limit: the hard stop, where the warning band starts, and where each comes from.

    Attributes
    ----------
    quantity : str
        The derived quantity's name (its unit in the name), e.g. ``rms_current_ma``.
    stop_at : float
        A value at or above this is a hard stop.
    warn_from : float
        A value at or above this (and below ``stop_at``) is a warning; ``0 < warn_from <=
        stop_at``.
    stop_source, warn_source : {"standard", "convention"}
        Whether the number is the standard's or a clinical convention of this software.
    reason : str
        Why the limit exists, in words, with its source.
    """

    quantity: str
    stop_at: float
    warn_from: float
    stop_source: Literal["standard", "convention"]
    warn_source: Literal["standard", "convention"]
    reason: str

    def __post_init__(self) -> None:
        if not (0 < self.warn_from <= self.stop_at and math.isfinite(self.stop_at)):
            raise InvalidParameterError(
                f"{self.quantity} limit must have 0 < warn_from <= stop_at; got warn_from "
                f"{self.warn_from!r}, stop_at {self.stop_at!r}"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class SafetyLimits:
    """The limits applied by :func:`check_parameters`."""

    name: str
    rms_current_ma: Limit
    current_density_ma_cm2: Limit
    energy_per_pulse_mj: Limit


#: Warning band: from this fraction of each limit (a convention of this software).
WARNING_FRACTION: Final = 0.8

#: IEC 60601-2-10:2012 as summarised in ``reference/emg-nmes-streaming.md`` §5.2.
IEC_60601_2_10: Final = SafetyLimits(
    name="IEC 60601-2-10:2012 (as quoted in reference/emg-nmes-streaming.md §5.2)",
    rms_current_ma=Limit(
        quantity="rms_current_ma",
        stop_at=50.0,
        warn_from=WARNING_FRACTION * 50.0,
        stop_source="standard",
        warn_source="convention",
        reason="IEC 60601-2-10: output current must never exceed 50 mA rms for any waveform "
        "(quoted in the Endomed 484 IFU); warning from 80 % is this software's convention",
    ),
    current_density_ma_cm2=Limit(
        quantity="current_density_ma_cm2",
        stop_at=2.0,
        warn_from=WARNING_FRACTION * 2.0,
        stop_source="standard",
        warn_source="convention",
        reason="IEC 60601-2-10 recommends not to exceed 2 mA rms/cm² under the smaller "
        "electrode (skin burns); this software blocks at it and warns from 80 %",
    ),
    energy_per_pulse_mj=Limit(
        quantity="energy_per_pulse_mj",
        stop_at=300.0,
        warn_from=WARNING_FRACTION * 300.0,
        stop_source="standard",
        warn_source="convention",
        reason="IEC 60601-2-10: at most 300 mJ per pulse into a 500 Ω load (Biopac knowledge "
        "base, earlier edition §51.104); warning from 80 % is this software's convention",
    ),
)


def _positive(name: str, value: object, *, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidParameterError(f"{name} must be a number; got {value!r}")
    number = float(value)
    if not (0 < number <= high):  # also refuses NaN
        raise InvalidParameterError(f"{name} must be > 0 and <= {high:g}; got {value!r}")
    return number


def _waveform(value: object) -> Waveform:
    for member in Waveform:
        if value == member.value:
            return member
    allowed = ", ".join(w.value for w in Waveform)
    raise InvalidParameterError(f"waveform must be one of {allowed}; got {value!r}")


# Plausible input ranges: beyond them a number is a typing error, not a stimulation.
_MAX_INTENSITY_MA: Final = 500.0
_MAX_PULSE_WIDTH_US: Final = 10_000.0
_MAX_FREQUENCY_HZ: Final = 10_000.0
_MAX_AREA_CM2: Final = 1_000.0


def charge_per_phase_uc(*, intensity_ma: float, pulse_width_us: float) -> float:
    """Charge of one rectangular phase, µC: ``I · pw``.

    Examples
    --------
    >>> charge_per_phase_uc(intensity_ma=80.0, pulse_width_us=250.0)
    20.0
    """
    current = _positive("intensity_ma", intensity_ma, high=_MAX_INTENSITY_MA)
    width = _positive("pulse_width_us", pulse_width_us, high=_MAX_PULSE_WIDTH_US)
    return current * width / 1000.0


def rms_current_ma(
    *, intensity_ma: float, pulse_width_us: float, frequency_hz: float, waveform: Waveform | str
) -> float:
    """Rms current of a train of rectangular pulses, mA: ``I · sqrt(n_phases · pw · f)``.

    Refuses a pulse train whose phases would overlap (``n_phases · pw · f > 1``).

    Examples
    --------
    >>> round(rms_current_ma(intensity_ma=100.0, pulse_width_us=250.0, frequency_hz=50.0,
    ...                      waveform="symmetric_biphasic"), 6)
    15.811388
    """
    current = _positive("intensity_ma", intensity_ma, high=_MAX_INTENSITY_MA)
    width = _positive("pulse_width_us", pulse_width_us, high=_MAX_PULSE_WIDTH_US)
    frequency = _positive("frequency_hz", frequency_hz, high=_MAX_FREQUENCY_HZ)
    shape = _waveform(waveform)
    duty = PHASES[shape] * width * 1e-6 * frequency
    if duty > 1.0:
        raise InvalidParameterError(
            f"pulse_width_us × frequency_hz × {PHASES[shape]} phases must leave the phases "
            f"apart (duty <= 1); got {width:g} µs at {frequency:g} Hz (duty {duty:.3g})"
        )
    return current * math.sqrt(duty)


def current_density_ma_cm2(*, rms_current_ma: float, electrode_area_cm2: float) -> float:
    """Rms current density under an electrode, mA/cm².

    Examples
    --------
    >>> current_density_ma_cm2(rms_current_ma=50.0, electrode_area_cm2=25.0)
    2.0
    """
    current = _positive("rms_current_ma", rms_current_ma, high=_MAX_INTENSITY_MA)
    area = _positive("electrode_area_cm2", electrode_area_cm2, high=_MAX_AREA_CM2)
    return current / area


def energy_per_pulse_mj(
    *,
    intensity_ma: float,
    pulse_width_us: float,
    waveform: Waveform | str,
    load_ohm: float = TEST_LOAD_OHM,
) -> float:
    """Energy of one pulse into a resistive load, mJ: ``n_phases · I² · R · pw``.

    ``load_ohm`` defaults to the standard's 500 Ω test load (a convention of the standard,
    not a physical parameter of the patient).

    Examples
    --------
    >>> round(energy_per_pulse_mj(intensity_ma=100.0, pulse_width_us=1000.0,
    ...                           waveform="monophasic"), 9)
    5.0
    """
    current = _positive("intensity_ma", intensity_ma, high=_MAX_INTENSITY_MA)
    width = _positive("pulse_width_us", pulse_width_us, high=_MAX_PULSE_WIDTH_US)
    load = _positive("load_ohm", load_ohm, high=1e6)
    shape = _waveform(waveform)
    joules = PHASES[shape] * (current * 1e-3) ** 2 * load * width * 1e-6
    return joules * 1e3


@dataclass(frozen=True, slots=True, kw_only=True)
class Finding:
    """One derived value against its limit.

    Attributes
    ----------
    quantity : str
        ``rms_current_ma``, ``current_density_ma_cm2`` or ``energy_per_pulse_mj``.
    value : float
        The derived value, in the unit of its name.
    severity : Severity
        OK, WARN (in the warning band) or STOP (at or above the limit).
    limit : Limit
        The limit applied (its numbers, sources and reason).
    """

    quantity: str
    value: float
    severity: Severity
    limit: Limit

    @property
    def message(self) -> str:
        """The finding in words, with the limit's reason."""
        if self.severity is Severity.OK:
            return f"{self.quantity} {self.value:.3g} is below {self.limit.warn_from:g}"
        if self.severity is Severity.WARN:
            return (
                f"{self.quantity} {self.value:.3g} is in the warning band "
                f"[{self.limit.warn_from:g}, {self.limit.stop_at:g}): {self.limit.reason}"
            )
        return (
            f"{self.quantity} {self.value:.3g} reaches the hard stop {self.limit.stop_at:g}: "
            f"{self.limit.reason}"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ParameterCheck:
    """Derived values of one set of output parameters and their findings.

    Attributes
    ----------
    intensity_ma, pulse_width_us, frequency_hz : float
        The parameters checked (peak current of a phase, phase duration, pulse frequency).
    waveform : Waveform
        Pulse shape.
    electrode_area_cm2 : float
        Area of the smaller electrode.
    charge_per_phase_uc : float
        ``I · pw``, µC.
    rms_current_ma : float
        Rms current of the pulse train, mA.
    current_density_ma_cm2 : float
        Rms current density under the smaller electrode, mA/cm².
    energy_per_pulse_mj : float
        Energy of one pulse into the standard's 500 Ω test load, mJ.
    findings : tuple of Finding
        One per limited quantity, worst first.
    limits : str
        Name of the limit set applied.
    """

    intensity_ma: float
    pulse_width_us: float
    frequency_hz: float
    waveform: Waveform
    electrode_area_cm2: float
    charge_per_phase_uc: float
    rms_current_ma: float
    current_density_ma_cm2: float
    energy_per_pulse_mj: float
    findings: tuple[Finding, ...]
    limits: str

    @property
    def severity(self) -> Severity:
        """The worst severity of the findings."""
        return max((f.severity for f in self.findings), key=_SEVERITY_RANK.__getitem__)

    def to_dict(self) -> dict[str, object]:
        """Plain values for JSON and the session log."""
        return {
            "intensity_ma": self.intensity_ma,
            "pulse_width_us": self.pulse_width_us,
            "frequency_hz": self.frequency_hz,
            "waveform": self.waveform.value,
            "electrode_area_cm2": self.electrode_area_cm2,
            "charge_per_phase_uc": self.charge_per_phase_uc,
            "rms_current_ma": self.rms_current_ma,
            "current_density_ma_cm2": self.current_density_ma_cm2,
            "energy_per_pulse_mj": self.energy_per_pulse_mj,
            "severity": self.severity.value,
            "limits": self.limits,
            "findings": [
                {
                    "quantity": f.quantity,
                    "value": f.value,
                    "severity": f.severity.value,
                    "warn_from": f.limit.warn_from,
                    "stop_at": f.limit.stop_at,
                    "stop_source": f.limit.stop_source,
                    "warn_source": f.limit.warn_source,
                    "message": f.message,
                }
                for f in self.findings
            ],
        }


def _judge(value: float, limit: Limit) -> Finding:
    if value >= limit.stop_at:
        severity = Severity.STOP
    elif value >= limit.warn_from:
        severity = Severity.WARN
    else:
        severity = Severity.OK
    return Finding(quantity=limit.quantity, value=value, severity=severity, limit=limit)


def check_parameters(
    *,
    intensity_ma: float,
    pulse_width_us: float,
    frequency_hz: float,
    waveform: Waveform | str,
    electrode_area_cm2: float,
    limits: SafetyLimits = IEC_60601_2_10,
) -> ParameterCheck:
    """Derive charge, rms current, current density and energy, and judge them against limits.

    Parameters
    ----------
    intensity_ma : float
        Peak current of a phase, mA (what a stimulator's intensity dial shows).
    pulse_width_us : float
        Phase duration, µs.
    frequency_hz : float
        Pulse frequency, Hz.
    waveform : Waveform or str
        ``symmetric_biphasic`` or ``monophasic`` (rectangular phases).
    electrode_area_cm2 : float
        Area of the smaller electrode, cm² (the current density is highest under it).
    limits : SafetyLimits
        The limits (default :data:`IEC_60601_2_10`).

    Returns
    -------
    ParameterCheck
        Derived values and one :class:`Finding` per limited quantity, worst first.

    Raises
    ------
    InvalidParameterError
        A parameter that is not a positive number in its plausible range, an unknown
        waveform, or phases that would overlap.

    Examples
    --------
    >>> c = check_parameters(intensity_ma=100.0, pulse_width_us=400.0, frequency_hz=50.0,
    ...                      waveform="symmetric_biphasic", electrode_area_cm2=25.0)
    >>> round(c.rms_current_ma, 3), c.severity.value
    (20.0, 'ok')
    >>> c = check_parameters(intensity_ma=100.0, pulse_width_us=400.0, frequency_hz=50.0,
    ...                      waveform="symmetric_biphasic", electrode_area_cm2=10.0)
    >>> c.severity.value, c.findings[0].quantity
    ('stop', 'current_density_ma_cm2')
    """
    shape = _waveform(waveform)
    rms = rms_current_ma(
        intensity_ma=intensity_ma,
        pulse_width_us=pulse_width_us,
        frequency_hz=frequency_hz,
        waveform=shape,
    )
    density = current_density_ma_cm2(rms_current_ma=rms, electrode_area_cm2=electrode_area_cm2)
    energy = energy_per_pulse_mj(
        intensity_ma=intensity_ma, pulse_width_us=pulse_width_us, waveform=shape
    )
    findings = sorted(
        (
            _judge(rms, limits.rms_current_ma),
            _judge(density, limits.current_density_ma_cm2),
            _judge(energy, limits.energy_per_pulse_mj),
        ),
        key=lambda f: (-_SEVERITY_RANK[f.severity], -f.value / f.limit.stop_at),
    )
    return ParameterCheck(
        intensity_ma=float(intensity_ma),
        pulse_width_us=float(pulse_width_us),
        frequency_hz=float(frequency_hz),
        waveform=shape,
        electrode_area_cm2=float(electrode_area_cm2),
        charge_per_phase_uc=charge_per_phase_uc(
            intensity_ma=intensity_ma, pulse_width_us=pulse_width_us
        ),
        rms_current_ma=rms,
        current_density_ma_cm2=density,
        energy_per_pulse_mj=energy,
        findings=tuple(findings),
        limits=limits.name,
    )


def intensity_limit_ma(
    *,
    pulse_width_us: float,
    frequency_hz: float,
    waveform: Waveform | str,
    electrode_area_cm2: float,
    level: Literal["warn", "stop"],
    limits: SafetyLimits = IEC_60601_2_10,
) -> float:
    """The peak intensity at which a limit is first reached with these settings, mA.

    The inverse of the closed forms: rms ``I = I_rms / sqrt(n · pw · f)`` with ``I_rms`` the
    rms-current limit or the density limit times the area, whichever is lower; energy
    ``I = sqrt(E / (n · R · pw))``. ``level`` picks the hard stop or the start of the warning
    band. Tells the clinician how far the dial may go before a warning or a stop.

    Examples
    --------
    >>> round(intensity_limit_ma(pulse_width_us=250.0, frequency_hz=50.0,
    ...                          waveform="symmetric_biphasic", electrode_area_cm2=25.0,
    ...                          level="stop"), 3)
    316.228
    """
    if level not in ("warn", "stop"):
        raise InvalidParameterError(f"level must be 'warn' or 'stop'; got {level!r}")
    width = _positive("pulse_width_us", pulse_width_us, high=_MAX_PULSE_WIDTH_US)
    frequency = _positive("frequency_hz", frequency_hz, high=_MAX_FREQUENCY_HZ)
    area = _positive("electrode_area_cm2", electrode_area_cm2, high=_MAX_AREA_CM2)
    shape = _waveform(waveform)
    n = PHASES[shape]
    duty = n * width * 1e-6 * frequency
    if duty > 1.0:
        raise InvalidParameterError(
            f"pulse_width_us × frequency_hz × {n} phases must leave the phases apart (duty "
            f"<= 1); got {width:g} µs at {frequency:g} Hz (duty {duty:.3g})"
        )

    def at(limit: Limit) -> float:
        return limit.stop_at if level == "stop" else limit.warn_from

    rms_ma = min(at(limits.rms_current_ma), at(limits.current_density_ma_cm2) * area)
    by_rms = rms_ma / math.sqrt(duty)
    energy_j = at(limits.energy_per_pulse_mj) * 1e-3
    by_energy = math.sqrt(energy_j / (n * TEST_LOAD_OHM * width * 1e-6)) * 1e3
    return min(by_rms, by_energy)
