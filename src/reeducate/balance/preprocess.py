"""Explicit, recorded preprocessing of a centre-of-pressure trial (everything off by default).

Steps run in this fixed order, each only when switched on:

0. **centre** (``centre="raw_mean"``): subtract the mean of each CoP coordinate of the whole
   raw record, so that every later step and the metrics see positions relative to the raw
   mean (the Quijoux et al. 2021 code centres once, here, and never again; combine it with
   ``SwayConventions(centring="as_given")`` so the metrics keep that origin);
1. **trim** ``trim_start_s`` and ``trim_end_s`` off the ends (rounded to whole samples);
2. **resample** to ``resample_hz``: ``"swarii"`` (Audiffren & Contal 2016) or ``"linear"``;
   with ``purge_artefacts`` the SWARII authors' artefact purge runs first (as in the code of
   Quijoux et al. 2021: it drops the first and the last sample, samples earlier than 0.1 s
   after the trial start, and isolated 1-2-sample spikes that jump > 2 cm and come back
   within 0.5 cm);
3. **low-pass** at ``lowpass_hz``: zero-phase Butterworth (``filtfilt``) of designed order
   ``filter_order`` (effective order twice that, -6 dB at the cut-off; the order as Quijoux
   counts it);
4. **detrend** (``"constant"`` or ``"linear"``).

This is the order of the Quijoux pipeline (resample, then filter); trimming comes first so the
filter's edge transients fall inside the kept record, and detrending last so it sees the
signal the metrics see. Only the CoP is filtered and detrended; a vertical force, when
present, is trimmed and resampled with it.

References
----------
Audiffren J, Contal E (2016) Sensors 16(8):1208, doi:10.3390/s16081208.
Quijoux F et al. (2021) Physiol Rep 9:e15067, doi:10.14814/phy2.15067.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import Literal

import numpy as np

from reeducate.balance.trial import CopTrial
from reeducate.errors import InvalidParameterError, SignalQualityError
from reeducate.signals.detrend import detrend as _detrend
from reeducate.signals.filters import zero_phase_butterworth
from reeducate.signals.resample import isolated_spike_keep_mask, linear_resample, swarii

__all__ = ["Preprocessing", "centre_offset_m", "preprocess"]

#: Window of the Quijoux et al. (2021) SWARII call: 0.08 s minus 1e-6 s, so that samples exactly
#: 0.04 s from an output time (100 Hz input, 25 Hz output) are reliably left out.
QUIJOUX_SWARII_WINDOW_S = 0.08 - 1e-6
#: Artefact purge of the SWARII reference code, converted from cm to m.
_PURGE_JUMP_M = 0.02
_PURGE_RETURN_M = 0.005
_PURGE_MIN_TIME_S = 0.1


@dataclass(frozen=True, slots=True, kw_only=True)
class Preprocessing:
    """Preprocessing settings; every step is off by default.

    Attributes
    ----------
    centre : {"none", "raw_mean"}
        ``raw_mean`` subtracts the mean of each CoP coordinate of the raw record, first
        (Quijoux et al. 2021); ``none`` keeps the plate frame.
    trim_start_s, trim_end_s : float
        Seconds removed at the start and at the end (>= 0).
    detrend : {"none", "constant", "linear"}
        Removal of the mean or of the least-squares line, last.
    resample_hz : float or None
        Target uniform rate; ``None`` keeps the trial's rate.
    resample_method : {"swarii", "linear"}
        SWARII (doi:10.3390/s16081208) or linear interpolation.
    swarii_window_s : float
        Full SWARII window (Quijoux: 0.08 s - 1e-6 s).
    purge_artefacts : bool
        Run the SWARII reference code's artefact purge before resampling (see the module
        documentation); only with ``resample_hz``.
    lowpass_hz : float or None
        Cut-off of the zero-phase Butterworth low-pass; ``None`` for no filter.
    filter_order : int
        Designed Butterworth order (applied forward and backward).

    Examples
    --------
    >>> Preprocessing().as_dict()["resample_hz"] is None
    True
    >>> Preprocessing.quijoux_2021().lowpass_hz
    10.0
    >>> Preprocessing.quijoux_2021().as_dict()["centre"]
    'raw_mean'
    """

    centre: Literal["none", "raw_mean"] = "none"
    trim_start_s: float = 0.0
    trim_end_s: float = 0.0
    detrend: Literal["none", "constant", "linear"] = "none"
    resample_hz: float | None = None
    resample_method: Literal["swarii", "linear"] = "swarii"
    swarii_window_s: float = QUIJOUX_SWARII_WINDOW_S
    purge_artefacts: bool = False
    lowpass_hz: float | None = None
    filter_order: int = 4

    def __post_init__(self) -> None:
        if self.centre not in ("none", "raw_mean"):
            raise InvalidParameterError(
                f"centre must be one of 'none', 'raw_mean'; got {self.centre!r}"
            )
        for name in ("trim_start_s", "trim_end_s"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and math.isfinite(value) and value >= 0):
                raise InvalidParameterError(f"{name} must be a finite number >= 0; got {value!r}")
        if self.detrend not in ("none", "constant", "linear"):
            raise InvalidParameterError(
                f"detrend must be one of 'none', 'constant', 'linear'; got {self.detrend!r}"
            )
        if self.resample_hz is not None and not (
            math.isfinite(self.resample_hz) and self.resample_hz > 0
        ):
            raise InvalidParameterError(
                f"resample_hz must be None or a finite number > 0; got {self.resample_hz!r}"
            )
        if self.resample_method not in ("swarii", "linear"):
            raise InvalidParameterError(
                f"resample_method must be 'swarii' or 'linear'; got {self.resample_method!r}"
            )
        if not (math.isfinite(self.swarii_window_s) and self.swarii_window_s > 0):
            raise InvalidParameterError(
                f"swarii_window_s must be a finite number > 0; got {self.swarii_window_s!r}"
            )
        if self.purge_artefacts and self.resample_hz is None:
            raise InvalidParameterError(
                "purge_artefacts requires resample_hz (it is part of the SWARII pipeline); "
                "got resample_hz=None"
            )
        if self.lowpass_hz is not None and not (
            math.isfinite(self.lowpass_hz) and self.lowpass_hz > 0
        ):
            raise InvalidParameterError(
                f"lowpass_hz must be None or a finite number > 0; got {self.lowpass_hz!r}"
            )
        if (
            isinstance(self.filter_order, bool)
            or not isinstance(self.filter_order, int)
            or self.filter_order < 1
        ):
            raise InvalidParameterError(
                f"filter_order must be an integer >= 1; got {self.filter_order!r}"
            )

    def as_dict(self) -> dict[str, object]:
        """Plain-value copy of the settings (stored with every result)."""
        return asdict(self)

    @property
    def is_identity(self) -> bool:
        """True when no step is switched on."""
        return self == Preprocessing()

    @classmethod
    def quijoux_2021(cls) -> Preprocessing:
        """The pipeline of Quijoux et al. (2021, doi:10.14814/phy2.15067): centring on the raw
        mean, artefact purge and SWARII to 25 Hz (window 0.08 s), then a 4th-order zero-phase
        Butterworth low-pass at 10 Hz."""
        return cls(
            centre="raw_mean",
            resample_hz=25.0,
            resample_method="swarii",
            swarii_window_s=QUIJOUX_SWARII_WINDOW_S,
            purge_artefacts=True,
            lowpass_hz=10.0,
            filter_order=4,
        )


def centre_offset_m(trial: CopTrial, /, *, preprocessing: Preprocessing) -> tuple[float, float]:
    """``(ap, ml)`` in metres that :func:`preprocess` subtracts from ``trial`` (its centre step).

    The raw means of the whole record for ``centre="raw_mean"``, ``(0.0, 0.0)`` otherwise: the
    plate-frame position of the processed trial's origin. Pass it to
    :func:`~reeducate.balance.metrics.compute_sway_metrics` (``origin_ap_m``, ``origin_ml_m``)
    so that ``mean_position_*`` stays in the plate frame.

    Examples
    --------
    >>> import numpy as np
    >>> trial = CopTrial(ap_m=np.array([0.01, 0.03]), ml_m=np.array([-0.02, 0.0]),
    ...                  sampling_rate_hz=100.0, source_unit="m", source_name="synthetic")
    >>> centre_offset_m(trial, preprocessing=Preprocessing(centre="raw_mean"))
    (0.02, -0.01)
    >>> centre_offset_m(trial, preprocessing=Preprocessing())
    (0.0, 0.0)
    """
    if preprocessing.centre == "none":
        return 0.0, 0.0
    return float(np.mean(trial.ap_m)), float(np.mean(trial.ml_m))


def preprocess(trial: CopTrial, /, *, preprocessing: Preprocessing) -> CopTrial:
    """Apply ``preprocessing`` to ``trial`` and return a new trial (the input is not changed).

    Parameters
    ----------
    trial : CopTrial
    preprocessing : Preprocessing

    Returns
    -------
    CopTrial
        Same source, unit and condition; new samples, rate and ``start_time_s``. With
        ``centre="raw_mean"`` the CoP is relative to the raw record's mean, no longer in the
        plate frame.

    Raises
    ------
    InvalidParameterError
        Trims as long as the trial, a low-pass at or above the Nyquist frequency of the rate it
        applies to, a trial too short for the filter.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(1000) / 100.0
    >>> trial = CopTrial(ap_m=0.01 * np.sin(t), ml_m=0.002 * t, sampling_rate_hz=100.0,
    ...                  source_unit="m", source_name="synthetic")
    >>> out = preprocess(trial, preprocessing=Preprocessing(trim_start_s=1.0, resample_hz=25.0,
    ...                                                    lowpass_hz=5.0, detrend="linear"))
    >>> out.sampling_rate_hz, out.n_samples, round(out.start_time_s, 2)
    (25.0, 225, 1.0)
    >>> bool(abs(out.ml_m).max() < 1e-4)  # ramp removed; SWARII clips the first window
    True
    """
    if preprocessing.is_identity:
        return trial
    fs = trial.sampling_rate_hz
    ap = np.asarray(trial.ap_m)
    ml = np.asarray(trial.ml_m)
    fz = None if trial.vertical_force_n is None else np.asarray(trial.vertical_force_n)
    start_s = trial.start_time_s

    # 0. centre on the raw mean (the trial has no non-finite samples)
    if preprocessing.centre == "raw_mean":
        offset_ap, offset_ml = centre_offset_m(trial, preprocessing=preprocessing)
        ap = ap - offset_ap
        ml = ml - offset_ml

    # 1. trim
    n = trial.n_samples
    cut_start = round(preprocessing.trim_start_s * fs)
    cut_end = round(preprocessing.trim_end_s * fs)
    if cut_start + cut_end >= n - 1:
        raise InvalidParameterError(
            f"trim_start_s + trim_end_s must be shorter than the trial ({trial.duration_s:g} s); "
            f"got {preprocessing.trim_start_s:g} s + {preprocessing.trim_end_s:g} s"
        )
    if cut_start or cut_end:
        keep = slice(cut_start, n - cut_end)
        ap, ml = ap[keep], ml[keep]
        fz = None if fz is None else fz[keep]
        start_s += cut_start / fs

    # 2. resample
    if preprocessing.resample_hz is not None:
        channels = [ap, ml] if fz is None else [ap, ml, fz]
        values = np.column_stack(channels)
        time_s = np.arange(values.shape[0]) / fs  # relative to the (trimmed) start, as Quijoux
        if preprocessing.purge_artefacts:
            kept = isolated_spike_keep_mask(
                time_s,
                values[:, :2],
                jump_threshold=_PURGE_JUMP_M,
                return_threshold=_PURGE_RETURN_M,
                min_time_s=_PURGE_MIN_TIME_S,
            )
            time_s, values = time_s[kept], values[kept]
            if time_s.size < 2:
                raise SignalQualityError(
                    f"{trial.source_name}: fewer than 2 samples remain after the artefact purge"
                )
        if preprocessing.resample_method == "swarii":
            grid, out = swarii(
                time_s,
                values,
                target_rate_hz=preprocessing.resample_hz,
                window_s=preprocessing.swarii_window_s,
            )
        else:
            grid, out = linear_resample(time_s, values, target_rate_hz=preprocessing.resample_hz)
        ap, ml = out[:, 0], out[:, 1]
        fz = None if fz is None else out[:, 2]
        start_s += float(grid[0])
        fs = float(preprocessing.resample_hz)

    # 3. low-pass
    if preprocessing.lowpass_hz is not None:
        if preprocessing.lowpass_hz >= 0.5 * fs:
            raise InvalidParameterError(
                f"lowpass_hz must be < the Nyquist frequency {0.5 * fs:g} Hz of the "
                f"{'resampled' if preprocessing.resample_hz else 'trial'} rate; "
                f"got {preprocessing.lowpass_hz:g}"
            )
        filtered = zero_phase_butterworth(
            np.column_stack([ap, ml]),
            sampling_rate_hz=fs,
            cutoff_hz=preprocessing.lowpass_hz,
            order=preprocessing.filter_order,
            form="ba",
        )
        ap, ml = filtered[:, 0], filtered[:, 1]

    # 4. detrend
    if preprocessing.detrend != "none":
        detrended = _detrend(np.column_stack([ap, ml]), method=preprocessing.detrend)
        ap, ml = detrended[:, 0], detrended[:, 1]

    return replace(
        trial,
        ap_m=ap,
        ml_m=ml,
        sampling_rate_hz=fs,
        start_time_s=start_s,
        vertical_force_n=fz,
    )
