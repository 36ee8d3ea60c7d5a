"""The centre-of-pressure trace kept with a stored trial, for drawing it later: display only.

A trial's metrics are computed once, on the full signal at its full rate, when the recording is
analysed (:func:`reeducate.balance.analysis.analyze_trial`), and stored with the conventions
that made them. What is kept of the signal itself is a **display trace**: the same CoP (after
the preset's preprocessing, i.e. the signal the metrics saw), low-pass filtered and decimated to
at most :data:`DISPLAY_MAX_RATE_HZ`, enough to draw the stabilogram and the statokinesigram of
the trial on a page, and far lighter to store and to draw. **No metric is ever computed from a
display trace**: decimation changes path length, velocities and spectra.

Decimation (:func:`display_trace`)
    An integer factor ``q = ceil(sampling_rate_hz / max_rate_hz)``; for ``q > 1`` a zero-phase
    Butterworth low-pass (order 4, applied forward and backward) at
    :data:`ANTI_ALIAS_SHARE` of the new Nyquist frequency, then every ``q``-th sample from the
    first. Quiet-standing sway has almost all its power below 2 Hz (Santos & Duarte 2016), so at
    25 Hz the drawn path is the recorded one to the eye.

References
----------
Santos DA, Duarte M (2016) A public data set of human balance evaluations. PeerJ 4:e2648.
doi:10.7717/peerj.2648
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reeducate.balance.trial import CopTrial
from reeducate.errors import InvalidParameterError

__all__ = [
    "ANTI_ALIAS_SHARE",
    "DISPLAY_MAX_RATE_HZ",
    "DisplayTrace",
    "decimation_factor",
    "display_trace",
]

#: The highest sampling rate a display trace is kept at.
DISPLAY_MAX_RATE_HZ: Final[float] = 25.0
#: Cut-off of the anti-alias low-pass as a share of the decimated signal's Nyquist frequency.
ANTI_ALIAS_SHARE: Final[float] = 0.8
_FILTER_ORDER: Final[int] = 4
#: Below this many samples no low-pass is applied before decimating (the forward-backward
#: filter needs a padding longer than a very short signal; such a trial has no metrics anyway).
_MIN_SAMPLES_TO_FILTER: Final[int] = 64


@dataclass(frozen=True, slots=True, kw_only=True)
class DisplayTrace:
    """A CoP trace for drawing only (never for metrics; see the module docstring).

    Parameters
    ----------
    ml_m, ap_m : ndarray, shape (n_samples,)
        Medio-lateral and anterior-posterior CoP in metres (mean not removed), at least 2
        samples, finite.
    sampling_rate_hz : float
        Uniform sampling rate of the trace, > 0; the first sample is at time 0.
    """

    ml_m: NDArray[np.float64]
    ap_m: NDArray[np.float64]
    sampling_rate_hz: float

    def __post_init__(self) -> None:
        rate = float(self.sampling_rate_hz)
        if not math.isfinite(rate) or rate <= 0:
            raise InvalidParameterError(
                f"sampling_rate_hz must be a finite number > 0; got {self.sampling_rate_hz!r}"
            )
        object.__setattr__(self, "sampling_rate_hz", rate)
        ml = np.array(self.ml_m, dtype=np.float64, copy=True)
        ap = np.array(self.ap_m, dtype=np.float64, copy=True)
        if ml.ndim != 1 or ap.shape != ml.shape:
            raise InvalidParameterError(
                f"ml_m and ap_m must be 1-D arrays of equal length; got shapes {ml.shape} "
                f"and {ap.shape}"
            )
        if ml.shape[0] < 2:
            raise InvalidParameterError(f"a trace must hold at least 2 samples; got {ml.shape[0]}")
        if not (np.isfinite(ml).all() and np.isfinite(ap).all()):
            raise InvalidParameterError("ml_m and ap_m must be finite; got NaN or infinity")
        for name, values in (("ml_m", ml), ("ap_m", ap)):
            values.setflags(write=False)
            object.__setattr__(self, name, values)

    @property
    def n_samples(self) -> int:
        """Number of samples."""
        return int(self.ml_m.shape[0])

    @property
    def duration_s(self) -> float:
        """``n_samples / sampling_rate_hz`` (the convention of :class:`CopTrial`)."""
        return self.n_samples / self.sampling_rate_hz

    @property
    def time_s(self) -> NDArray[np.float64]:
        """Sample times in seconds from 0."""
        return np.arange(self.n_samples) / self.sampling_rate_hz


def decimation_factor(sampling_rate_hz: float, /, *, max_rate_hz: float) -> int:
    """The smallest integer factor that brings ``sampling_rate_hz`` to ``max_rate_hz`` or below.

    >>> decimation_factor(100.0, max_rate_hz=25.0), decimation_factor(1000.0, max_rate_hz=25.0)
    (4, 40)
    >>> decimation_factor(25.0, max_rate_hz=25.0), decimation_factor(120.0, max_rate_hz=25.0)
    (1, 5)
    """
    for name, value in (("sampling_rate_hz", sampling_rate_hz), ("max_rate_hz", max_rate_hz)):
        if not math.isfinite(value) or value <= 0:
            raise InvalidParameterError(f"{name} must be a finite number > 0; got {value!r}")
    # The tolerance keeps 100/25 at 4 despite rounding in the division.
    return max(1, math.ceil(sampling_rate_hz / max_rate_hz - 1e-9))


def _decimate(
    x: ArrayLike, /, *, sampling_rate_hz: float, factor: int, filtered: bool
) -> NDArray[np.float64]:
    values = np.asarray(x, dtype=np.float64)
    if factor == 1:
        return values.copy()
    if filtered:
        # Imported here: SciPy's signal package takes a second to import, and the store reads
        # traces through this module without filtering anything.
        from reeducate.signals.filters import zero_phase_butterworth

        values = zero_phase_butterworth(
            values,
            sampling_rate_hz=sampling_rate_hz,
            cutoff_hz=ANTI_ALIAS_SHARE * sampling_rate_hz / factor / 2.0,
            order=_FILTER_ORDER,
            form="sos",
        )
    return values[::factor]


def display_trace(trial: CopTrial, /, *, max_rate_hz: float) -> DisplayTrace:
    """The trial's CoP decimated for display (module docstring: filter and factor).

    Parameters
    ----------
    trial : CopTrial
        The trial as the metrics saw it (``TrialAnalysis.trial``); not modified.
    max_rate_hz : float
        Highest rate to keep, > 0 (the application uses :data:`DISPLAY_MAX_RATE_HZ`).

    Returns
    -------
    DisplayTrace
        At ``trial.sampling_rate_hz / q``; the trial itself (copied) when already slow enough.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(6000) / 100.0
    >>> trial = CopTrial(ap_m=0.01 * np.sin(t), ml_m=0.01 * np.cos(t), sampling_rate_hz=100.0,
    ...                  source_unit="m", source_name="example")
    >>> trace = display_trace(trial, max_rate_hz=25.0)
    >>> trace.sampling_rate_hz, trace.n_samples, trace.duration_s
    (25.0, 1500, 60.0)
    """
    factor = decimation_factor(trial.sampling_rate_hz, max_rate_hz=max_rate_hz)
    filtered = trial.n_samples >= _MIN_SAMPLES_TO_FILTER
    ml_m, ap_m = (
        _decimate(values, sampling_rate_hz=trial.sampling_rate_hz, factor=factor, filtered=filtered)
        for values in (trial.ml_m, trial.ap_m)
    )
    return DisplayTrace(ml_m=ml_m, ap_m=ap_m, sampling_rate_hz=trial.sampling_rate_hz / factor)
