"""Myoelectric fatigue: the slope of the median frequency over a sustained contraction.

During a sustained isometric contraction the EMG power spectrum shifts to lower frequencies
(conduction velocity falls), so the median frequency (MDF, the frequency that splits the power
spectrum into two halves of equal power) decreases roughly linearly with time. The slope of a
least-squares line through the MDF of successive epochs, in Hz/s and as a percentage of the
initial (fitted) MDF per second, is the usual fatigue index.

Each epoch of ``epoch_s`` (0.5–1 s in practice: long enough for a stable spectrum, short enough
to treat the signal as stationary) is detrended (mean), Hann-windowed and transformed; the MDF
is interpolated linearly within the frequency bin where the cumulative power reaches one half.
Power below ``band_hz[0]`` and above ``band_hz[1]`` is excluded.

References
----------
Merletti R, Knaflitz M, De Luca CJ (1990) Myoelectric manifestations of fatigue in voluntary
and electrically elicited contractions. J Appl Physiol 69(5):1810-1820,
doi:10.1152/jappl.1990.69.5.1810.
Cifrek M, Medved V, Tonkovic S, Ostojic S (2009) Surface EMG based muscle fatigue evaluation in
biomechanics. Clin Biomech 24(4):327-340, doi:10.1016/j.clinbiomech.2009.01.010.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import fft as sp_fft

from reeducate.errors import InvalidParameterError, SignalQualityError
from reeducate.signals.checks import check_sampling_rate

__all__ = ["FatigueResult", "median_frequency", "median_frequency_slope"]


@dataclass(frozen=True, slots=True, kw_only=True)
class FatigueResult:
    """Median-frequency trend of one channel.

    Attributes
    ----------
    epoch_times_s : ndarray
        Centre of each epoch, seconds from the first sample.
    median_frequency_hz : ndarray
        MDF of each epoch.
    slope_hz_s : float
        Least-squares slope of MDF against time.
    intercept_hz : float
        Fitted MDF at the first epoch's centre.
    slope_pct_s : float
        ``100 * slope_hz_s / intercept_hz``: percent of the initial MDF lost per second
        (negative when fatiguing).
    epoch_s, overlap_ratio : float
    band_hz : (float, float)
    """

    epoch_times_s: NDArray[np.float64]
    median_frequency_hz: NDArray[np.float64]
    slope_hz_s: float
    intercept_hz: float
    slope_pct_s: float
    epoch_s: float
    overlap_ratio: float
    band_hz: tuple[float, float]


def _mdf_of_spectrum(
    f_hz: NDArray[np.float64], power: NDArray[np.float64]
) -> NDArray[np.float64]:
    """MDF of each row of ``power`` (frequency on the last axis), interpolated within a bin."""
    cum = np.cumsum(power, axis=-1)
    total = cum[..., -1:]
    half = 0.5 * total
    k = np.argmax(cum >= half, axis=-1)
    prev = np.where(k > 0, np.take_along_axis(cum, np.maximum(k - 1, 0)[..., None], -1)[..., 0], 0)
    here = np.take_along_axis(cum, k[..., None], -1)[..., 0]
    p_k = here - prev
    frac = np.divide(half[..., 0] - prev, p_k, out=np.full_like(p_k, 0.5), where=p_k > 0)
    df = f_hz[1] - f_hz[0] if f_hz.size > 1 else 0.0
    # bin k covers [f_k - df/2, f_k + df/2]; the half-power point lies frac of the way through it
    return np.asarray(f_hz[k] - 0.5 * df + frac * df, dtype=np.float64)


def median_frequency(
    x: ArrayLike, /, *, sampling_rate_hz: float, band_hz: tuple[float, float]
) -> float:
    """Median frequency of one epoch (Hann window, one periodogram).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(2000) / 2000.0
    >>> round(median_frequency(np.sin(2 * np.pi * 80.0 * t), sampling_rate_hz=2000.0,
    ...                        band_hz=(20.0, 450.0)), 1)
    80.0
    """
    rate = check_sampling_rate(sampling_rate_hz)
    seg = np.asarray(x, dtype=np.float64)
    if seg.ndim != 1 or seg.size < 8:
        raise InvalidParameterError(f"x must be 1-D with at least 8 samples; got {seg.shape}")
    f, p = _epoch_power(seg[None, :], rate, band_hz)
    return float(_mdf_of_spectrum(f, p)[0])


def _epoch_power(
    segments: NDArray[np.float64], rate: float, band_hz: tuple[float, float]
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    lo, hi = band_hz
    if not 0 <= lo < hi <= 0.5 * rate:
        raise InvalidParameterError(
            f"band_hz must satisfy 0 <= low < high <= Nyquist ({0.5 * rate:g} Hz); got {band_hz!r}"
        )
    n = segments.shape[-1]
    window = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(n) / n)
    centred = segments - segments.mean(axis=-1, keepdims=True)
    spec = sp_fft.rfft(centred * window, axis=-1)
    power = spec.real**2 + spec.imag**2
    f = sp_fft.rfftfreq(n, 1.0 / rate)
    keep = (f >= lo) & (f <= hi)
    if keep.sum() < 2:
        raise InvalidParameterError(
            f"band_hz {band_hz!r} holds fewer than 2 frequency bins for epochs of {n} samples"
        )
    power_band = power[..., keep]
    if np.any(power_band.sum(axis=-1) <= 0):
        raise SignalQualityError("an epoch has no power in band_hz; is the channel silent?")
    return np.asarray(f[keep], dtype=np.float64), np.asarray(power_band, dtype=np.float64)


def median_frequency_slope(
    x: ArrayLike,
    /,
    *,
    sampling_rate_hz: float,
    epoch_s: float,
    overlap_ratio: float,
    band_hz: tuple[float, float],
) -> FatigueResult:
    """MDF of successive epochs over a sustained contraction, and its linear trend.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        Cleaned EMG of one channel during the contraction only (cut the rest away).
    sampling_rate_hz : float
    epoch_s : float
        Epoch length, seconds (0.5–1 s usual).
    overlap_ratio : float
        Overlap of successive epochs, 0 (none) to < 1.
    band_hz : (float, float)
        Band whose power counts (e.g. the cleaning band, 20–450 Hz).

    Returns
    -------
    FatigueResult

    References
    ----------
    Merletti R et al. (1990) J Appl Physiol 69:1810-1820, doi:10.1152/jappl.1990.69.5.1810.
    Cifrek M et al. (2009) Clin Biomech 24:327-340, doi:10.1016/j.clinbiomech.2009.01.010.

    Examples
    --------
    A tone that glides from 120 Hz down at 2 Hz/s:

    >>> import numpy as np
    >>> fs = 2000.0
    >>> t = np.arange(int(20 * fs)) / fs
    >>> x = np.sin(2 * np.pi * (120.0 * t - 1.0 * t**2))  # f(t) = 120 - 2 t
    >>> r = median_frequency_slope(x, sampling_rate_hz=fs, epoch_s=1.0, overlap_ratio=0.5,
    ...                            band_hz=(20.0, 450.0))
    >>> round(r.slope_hz_s, 2), round(r.intercept_hz, 1)
    (-2.0, 119.0)
    """
    rate = check_sampling_rate(sampling_rate_hz)
    sig = np.asarray(x, dtype=np.float64)
    if sig.ndim != 1:
        raise InvalidParameterError(f"x must be 1-D (one channel); got shape {sig.shape}")
    if not (np.isfinite(epoch_s) and epoch_s > 0):
        raise InvalidParameterError(f"epoch_s must be > 0; got {epoch_s!r}")
    if not (np.isfinite(overlap_ratio) and 0 <= overlap_ratio < 1):
        raise InvalidParameterError(f"overlap_ratio must be in [0, 1); got {overlap_ratio!r}")
    n_epoch = round(epoch_s * rate)
    step = max(1, round(n_epoch * (1.0 - overlap_ratio)))
    if n_epoch < 8 or sig.size < n_epoch:
        raise SignalQualityError(
            f"the contraction lasts {sig.size / rate:.2f} s; need at least one epoch of "
            f"{epoch_s:g} s"
        )
    starts = np.arange(0, sig.size - n_epoch + 1, step)
    if starts.size < 3:
        raise SignalQualityError(
            f"the contraction gives {starts.size} epoch(s) of {epoch_s:g} s; need at least 3 for "
            "a slope"
        )
    segments = sig[starts[:, None] + np.arange(n_epoch)]
    f, p = _epoch_power(segments, rate, band_hz)
    mdf = _mdf_of_spectrum(f, p)
    times = (starts + 0.5 * n_epoch) / rate
    slope, intercept_at_zero = np.polyfit(times, mdf, 1)
    intercept = float(intercept_at_zero + slope * times[0])
    return FatigueResult(
        epoch_times_s=np.asarray(times, dtype=np.float64),
        median_frequency_hz=mdf,
        slope_hz_s=float(slope),
        intercept_hz=intercept,
        slope_pct_s=float(100.0 * slope / intercept),
        epoch_s=float(epoch_s),
        overlap_ratio=float(overlap_ratio),
        band_hz=(float(band_hz[0]), float(band_hz[1])),
    )
