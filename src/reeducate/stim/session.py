"""What one NMES session delivered: the parameters actually used, the intensity reached, the
evoked force as % MVIC when a dynamometer reading is given, the skin check and the attended
minutes (CPT 97032, attended electrical stimulation, is billed by the minutes the clinician is
in constant attendance).

Examples
--------
>>> from datetime import date
>>> record = NmesSessionRecord(protocol_id="quad-tka", session_date=date(2025, 3, 5),
...     frequency_hz=50, pulse_width_us=250, waveform="symmetric_biphasic", on_s=15, off_s=45,
...     ramp_up_s=3, ramp_down_s=1, intensity_ma=62, electrode_area_cm2=96.52,
...     contractions=15, minutes_attended=16, skin_before="intact", skin_after="mild_redness",
...     peak_force_n=210.0, mvic_n=350.0)
>>> record.evoked_force_pct_mvic
60.0
>>> record.parameter_check().severity.value
'ok'
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from reeducate.errors import DomainRuleError, InvalidParameterError
from reeducate.stim.parameters import ParameterCheck, Waveform, check_parameters

__all__ = ["NmesSessionRecord", "SkinCondition", "evoked_force_pct_mvic", "parse_skin"]


class SkinCondition(StrEnum):
    """The skin under the electrodes, checked before and after (a safety note of the exercise
    library: stop if it stays red for more than an hour or blisters)."""

    INTACT = "intact"
    MILD_REDNESS = "mild_redness"
    MARKED_REDNESS = "marked_redness"
    BLISTER_OR_BURN = "blister_or_burn"


def evoked_force_pct_mvic(*, peak_force_n: float, mvic_n: float) -> float:
    """Force evoked by stimulation as % of the maximal voluntary isometric contraction.

    Both forces come from the same dynamometer set-up (same joint angle and lever arm).

    Examples
    --------
    >>> evoked_force_pct_mvic(peak_force_n=175.0, mvic_n=350.0)
    50.0
    """
    for name, value in (("peak_force_n", peak_force_n), ("mvic_n", mvic_n)):
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidParameterError(f"{name} must be a number; got {value!r}")
        if not math.isfinite(value) or value <= 0:
            raise InvalidParameterError(f"{name} must be a finite number > 0; got {value!r}")
    return 100.0 * float(peak_force_n) / float(mvic_n)


def parse_skin(value: object, /, *, field: str) -> SkinCondition:
    """A :class:`SkinCondition` from its code, or :class:`InvalidParameterError` naming
    ``field``.

    >>> parse_skin("intact", field="skin_before").value
    'intact'
    """
    for member in SkinCondition:
        if value == member.value:
            return member
    allowed = ", ".join(s.value for s in SkinCondition)
    raise InvalidParameterError(f"{field} must be one of {allowed}; got {value!r}")


@dataclass(frozen=True, slots=True, kw_only=True)
class NmesSessionRecord:
    """One NMES session as delivered.

    Attributes
    ----------
    protocol_id : str
        The protocol followed.
    session_date : date
        The day.
    frequency_hz, pulse_width_us : float
        Pulse frequency and phase duration used.
    waveform : Waveform
        Pulse shape used.
    on_s, off_s, ramp_up_s, ramp_down_s : float
        Timing used (ramps within the on-time).
    intensity_ma : float
        Peak current reached (the highest intensity of the session), mA.
    electrode_area_cm2 : float
        Area of the smaller electrode used, cm².
    contractions : int
        Contractions delivered, 0–500.
    minutes_attended : int
        Minutes of constant attendance (CPT 97032), 0–480.
    skin_before, skin_after : SkinCondition
        Skin check under the electrodes before and after.
    peak_force_n, mvic_n : float or None
        Peak evoked force and maximal voluntary isometric force on the dynamometer, N; both or
        neither.
    precaution : str or None
        The precaution taken this session, when the screening asked for one.
    note : str or None
        Free text (no identifying data).
    """

    protocol_id: str
    session_date: date
    frequency_hz: float
    pulse_width_us: float
    waveform: Waveform
    on_s: float
    off_s: float
    ramp_up_s: float
    ramp_down_s: float
    intensity_ma: float
    electrode_area_cm2: float
    contractions: int
    minutes_attended: int
    skin_before: SkinCondition
    skin_after: SkinCondition
    peak_force_n: float | None = None
    mvic_n: float | None = None
    precaution: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.protocol_id, str) or not self.protocol_id.strip():
            raise InvalidParameterError(
                f"protocol_id must be non-empty text; got {self.protocol_id!r}"
            )
        if not isinstance(self.session_date, date):
            raise InvalidParameterError(f"session_date must be a date; got {self.session_date!r}")
        for name, low, high in (
            ("on_s", 0.0, 60.0),
            ("off_s", 0.0, 300.0),
            ("ramp_up_s", 0.0, 10.0),
            ("ramp_down_s", 0.0, 10.0),
        ):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InvalidParameterError(f"{name} must be a number; got {value!r}")
            if not low <= value <= high:  # also refuses NaN
                raise InvalidParameterError(f"{name} must be {low:g}–{high:g}; got {value!r}")
            object.__setattr__(self, name, float(value))
        if self.ramp_up_s + self.ramp_down_s > self.on_s:
            raise InvalidParameterError(
                f"ramp_up_s plus ramp_down_s must not exceed on_s ({self.on_s:g} s); got "
                f"{self.ramp_up_s:g} + {self.ramp_down_s:g} s"
            )
        for name, high in (("contractions", 500), ("minutes_attended", 480)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= high:
                raise InvalidParameterError(f"{name} must be an integer 0–{high}; got {value!r}")
        object.__setattr__(self, "skin_before", parse_skin(self.skin_before, field="skin_before"))
        object.__setattr__(self, "skin_after", parse_skin(self.skin_after, field="skin_after"))
        if self.skin_before is SkinCondition.BLISTER_OR_BURN:
            raise DomainRuleError(
                "skin_before must not be blister_or_burn: electrodes never go on broken skin; "
                "got blister_or_burn"
            )
        if (self.peak_force_n is None) != (self.mvic_n is None):
            raise InvalidParameterError(
                "peak_force_n and mvic_n must be given together (one dynamometer reading); got "
                f"peak_force_n {self.peak_force_n!r}, mvic_n {self.mvic_n!r}"
            )
        if self.peak_force_n is not None and self.mvic_n is not None:
            evoked_force_pct_mvic(peak_force_n=self.peak_force_n, mvic_n=self.mvic_n)
        for name in ("precaution", "note"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise InvalidParameterError(f"{name} must be non-empty text or None; got {value!r}")
        # Derived values validate the output parameters (and the waveform) now.
        object.__setattr__(self, "waveform", self.parameter_check().waveform)

    @property
    def evoked_force_pct_mvic(self) -> float | None:
        """Evoked force as % MVIC, when a dynamometer reading was given."""
        if self.peak_force_n is None or self.mvic_n is None:
            return None
        return evoked_force_pct_mvic(peak_force_n=self.peak_force_n, mvic_n=self.mvic_n)

    def parameter_check(self) -> ParameterCheck:
        """The parameter check of what was delivered (IEC 60601-2-10 limits)."""
        return check_parameters(
            intensity_ma=self.intensity_ma,
            pulse_width_us=self.pulse_width_us,
            frequency_hz=self.frequency_hz,
            waveform=self.waveform,
            electrode_area_cm2=self.electrode_area_cm2,
        )
