"""Spectral sway metrics: Welch power spectrum of each CoP axis and its summary frequencies.

For each axis the PSD ``G(f)`` is estimated by Welch's method (Hann window; segment,
overlap, FFT length and detrend from :class:`~reeducate.balance.conventions.SwayConventions`).
Over the analysis band ``[band_low_hz, band_high_hz]`` (bins at both ends included) each bin
gets a weight ``w`` such that ``Σ w·G`` is the band integral: ``Δf`` everywhere (rectangle rule;
the Quijoux code's plain sums times ``Δf``) or ``Δf`` with halves at the two ends (trapezoid
rule, Santos & Duarte ``psd2``). With ``μ_k = Σ w·f^k·G``:

* ``total_power = μ0`` (m²);
* ``power_frequency_50/95``: the first band frequency at which the cumulative ``Σ w·G``
  reaches 50 % / 95 % of ``μ0``;
* ``mean_power_frequency = μ1/μ0``; ``centroid_frequency = sqrt(μ2/μ0)``;
  ``frequency_dispersion = sqrt(1 - μ1²/(μ0·μ2))``;
* ``frequency_mode``: the band frequency of the largest ``G``;
* band powers ``[low, 0.5]``, ``(0.5, 2]``, ``(2, high]`` Hz, and the frequency quotient
  ``power(> 2 Hz) / power(≤ 2 Hz)``.

References
----------
Welch PD (1967) The use of fast Fourier transform for the estimation of power spectra. IEEE
Trans Audio Electroacoust 15(2):70-73. doi:10.1109/TAU.1967.1161901

Prieto TE et al. (1996) Measures of postural steadiness: differences between healthy young and
elderly adults. IEEE Trans Biomed Eng 43(9):956-966. doi:10.1109/10.532130

Santos DA, Duarte M (2016) A public data set of human balance evaluations. PeerJ 4:e2648.
doi:10.7717/peerj.2648

Quijoux F et al. (2021) Physiol Rep 9(22):e15067. doi:10.14814/phy2.15067
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reeducate.balance.metrics.positional import (
    CentredCop,
    FloatArray,
    centre_cop,
)
from reeducate.errors import InvalidParameterError, SignalQualityError
from reeducate.signals.checks import check_sampling_rate
from reeducate.signals.spectra import welch_psd

if TYPE_CHECKING:
    from reeducate.balance.conventions import SwayConventions

_AXIS_DESCRIPTIONS: Final[Mapping[str, str]] = {
    "total_power_{axis}_m2": "Total {AXIS} CoP power in the analysis band (Welch PSD "
    "integral; Prieto 1996, doi:10.1109/10.532130).",
    "power_frequency_50_{axis}_hz": "Frequency below which 50 % of the {AXIS} power lies "
    "(Prieto 1996).",
    "power_frequency_95_{axis}_hz": "Frequency below which 95 % of the {AXIS} power lies "
    "(Prieto 1996).",
    "mean_power_frequency_{axis}_hz": "Power-weighted mean frequency of the {AXIS} spectrum "
    "(Santos & Duarte 2016, doi:10.7717/peerj.2648).",
    "centroid_frequency_{axis}_hz": "Centroid frequency sqrt(μ2/μ0) of the {AXIS} spectrum "
    "(Prieto 1996).",
    "frequency_dispersion_{axis}_ratio": "Frequency dispersion sqrt(1 - μ1²/(μ0·μ2)) of the "
    "{AXIS} spectrum, 0 for a pure tone (Prieto 1996).",
    "frequency_mode_{axis}_hz": "Frequency of the {AXIS} spectral peak (Quijoux 2021, "
    "doi:10.14814/phy2.15067).",
    "band_power_below_0p5hz_{axis}_m2": "{AXIS} power from the band start to 0.5 Hz (Quijoux "
    "2021).",
    "band_power_0p5_2hz_{axis}_m2": "{AXIS} power in (0.5, 2] Hz (Quijoux 2021).",
    "band_power_above_2hz_{axis}_m2": "{AXIS} power above 2 Hz to the band end (Quijoux 2021).",
    "frequency_quotient_{axis}_ratio": "{AXIS} power above 2 Hz over power up to 2 Hz "
    "(Quijoux 2021).",
}

DESCRIPTIONS: Final[Mapping[str, str]] = {
    **{
        key.format(axis=axis): text.format(AXIS=axis.upper())
        for axis in ("ap", "ml")
        for key, text in _AXIS_DESCRIPTIONS.items()
    },
    "mean_power_frequency_hz": "Mean power frequency of the CoP combining AP and ML (the "
    "data set's COPmfreq; Santos & Duarte 2016, doi:10.7717/peerj.2648).",
}

#: Fewest PSD bins the analysis band must hold.
_MIN_BAND_BINS: Final = 2


def welch_parameters(
    n_samples: int, sampling_rate_hz: float, /, *, conventions: SwayConventions
) -> tuple[int, int, int]:
    """``(nperseg, noverlap, nfft)`` of the Welch estimate for a record of ``n_samples``.

    Raises
    ------
    SignalQualityError
        When the record is shorter than one Welch segment.

    Examples
    --------
    >>> from reeducate.balance.conventions import SwayConventions
    >>> welch_parameters(6000, 100.0, conventions=SwayConventions.santos_duarte_2016())
    (3000, 1500, 3000)
    >>> welch_parameters(6000, 100.0, conventions=SwayConventions.quijoux_2021())
    (1000, 500, 6000)
    """
    if conventions.welch_segment_s is None:
        nperseg = n_samples // 2
        minimum = 4
        rule = "welch_segment_s=None (half the record)"
    else:
        nperseg = round(conventions.welch_segment_s * sampling_rate_hz)
        minimum = max(nperseg, 2)
        rule = (
            f"welch_segment_s={conventions.welch_segment_s!r} at sampling_rate_hz="
            f"{sampling_rate_hz!r}"
        )
    if n_samples < minimum or nperseg < 2:
        raise SignalQualityError(
            f"ap_m and ml_m must have at least {minimum} samples for the spectral metrics "
            f"({rule}); got {n_samples}"
        )
    noverlap = math.floor(conventions.welch_overlap_ratio * nperseg)
    nfft = nperseg if conventions.welch_nfft == "segment" else n_samples
    return nperseg, noverlap, nfft


def _welch(
    x: FloatArray, sampling_rate_hz: float, conventions: SwayConventions
) -> tuple[FloatArray, FloatArray]:
    nperseg, noverlap, nfft = welch_parameters(
        x.shape[0], sampling_rate_hz, conventions=conventions
    )
    return welch_psd(
        x,
        sampling_rate_hz=sampling_rate_hz,
        nperseg=nperseg,
        noverlap=noverlap,
        nfft=nfft,
        detrend=conventions.welch_detrend,
    )


def cop_power_spectrum(
    x_m: ArrayLike, /, *, sampling_rate_hz: float, conventions: SwayConventions
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Welch power spectral density of one CoP coordinate, as the spectral metrics see it.

    The whole one-sided spectrum (0 to Nyquist) is returned; the metrics use the bins inside
    ``[conventions.band_low_hz, conventions.band_high_hz]``.

    Parameters
    ----------
    x_m : array_like, shape (n_samples,)
        One CoP coordinate in metres (mean not removed).
    sampling_rate_hz : float
        Uniform sampling rate in Hz.
    conventions : SwayConventions
        Uses the ``welch_*`` fields.

    Returns
    -------
    f_hz : ndarray, shape (n_bins,)
        Bin frequencies in Hz.
    psd_m2_per_hz : ndarray, shape (n_bins,)
        One-sided power spectral density in m²/Hz.

    References
    ----------
    Welch PD (1967) IEEE Trans Audio Electroacoust 15(2):70-73. doi:10.1109/TAU.1967.1161901

    Examples
    --------
    >>> import numpy as np
    >>> from reeducate.balance.conventions import SwayConventions
    >>> t = np.arange(6000) / 100.0
    >>> f, p = cop_power_spectrum(0.01 * np.sin(2 * np.pi * 0.5 * t), sampling_rate_hz=100.0,
    ...                           conventions=SwayConventions())
    >>> float(f[np.argmax(p)])
    0.5
    """
    fs = check_sampling_rate(sampling_rate_hz)
    x = np.asarray(x_m, dtype=np.float64)
    if x.ndim != 1:
        raise InvalidParameterError(f"x_m must be a 1-D array; got shape {x.shape}")
    cop = centre_cop(x, np.zeros_like(x), min_samples=1, purpose="the power spectrum")
    return _welch(np.array(cop.ap), fs, conventions)


def _band_weights(
    f: FloatArray, sampling_rate_hz: float, conventions: SwayConventions
) -> tuple[NDArray[np.bool_], FloatArray]:
    high = sampling_rate_hz / 2.0 if conventions.band_high_hz is None else conventions.band_high_hz
    in_band = (f >= conventions.band_low_hz) & (f <= high)
    n_bins = int(np.count_nonzero(in_band))
    if n_bins < _MIN_BAND_BINS:
        raise SignalQualityError(
            f"the spectral band [{conventions.band_low_hz}, {high}] Hz must hold at least "
            f"{_MIN_BAND_BINS} PSD bins; got {n_bins} (bin width {f[1] - f[0]:.4g} Hz)"
        )
    df = float(f[1] - f[0])
    weights = np.full(n_bins, df)
    if conventions.spectral_integral == "trapezoid":
        weights[0] *= 0.5
        weights[-1] *= 0.5
    return in_band, weights


def _axis_metrics(
    f: FloatArray, p: FloatArray, w: FloatArray, axis: str
) -> tuple[dict[str, float], float, float]:
    """Metrics of one axis from its band bins; also returns ``μ1`` and ``μ0``."""
    power = w * p
    cumulative = np.cumsum(power)
    m0 = float(np.sum(power))
    m1 = float(np.sum(f * power))
    m2 = float(np.sum(f * f * power))
    below = f <= 0.5
    above = f > 2.0
    with np.errstate(divide="ignore", invalid="ignore"):
        p_below = float(np.sum(power[below]))
        p_mid = float(np.sum(power[~below & ~above]))
        p_above = float(np.sum(power[above]))
        if cumulative[-1] > 0:
            f50 = float(f[np.argmax(cumulative >= 0.5 * cumulative[-1])])
            f95 = float(f[np.argmax(cumulative >= 0.95 * cumulative[-1])])
        else:
            f50 = f95 = math.nan
        values = {
            f"total_power_{axis}_m2": m0,
            f"power_frequency_50_{axis}_hz": f50,
            f"power_frequency_95_{axis}_hz": f95,
            f"mean_power_frequency_{axis}_hz": float(np.divide(m1, m0)),
            f"centroid_frequency_{axis}_hz": float(np.sqrt(np.divide(m2, m0))),
            f"frequency_dispersion_{axis}_ratio": float(
                np.sqrt(np.maximum(1.0 - np.divide(m1 * m1, m0 * m2), 0.0))
            ),
            f"frequency_mode_{axis}_hz": float(f[np.argmax(p)]) if m0 > 0 else math.nan,
            f"band_power_below_0p5hz_{axis}_m2": p_below,
            f"band_power_0p5_2hz_{axis}_m2": p_mid,
            f"band_power_above_2hz_{axis}_m2": p_above,
            f"frequency_quotient_{axis}_ratio": float(np.divide(p_above, p_below + p_mid)),
        }
    return values, m1, m0


def spectral_from_centred(
    cop: CentredCop, /, *, sampling_rate_hz: float, conventions: SwayConventions
) -> dict[str, float]:
    """Spectral metrics of an already centred trajectory (internal)."""
    f, p = _welch(np.column_stack((cop.ap, cop.ml)), sampling_rate_hz, conventions)
    in_band, w = _band_weights(f, sampling_rate_hz, conventions)
    fb = f[in_band]
    pb = p[in_band]
    values: dict[str, float] = {}
    moments = []
    for column, axis in enumerate(("ap", "ml")):
        axis_values, m1, m0 = _axis_metrics(fb, pb[:, column], w, axis)
        values.update(axis_values)
        moments.append((m1, m0, float(np.sum(pb[:, column]))))
    (m1_ap, m0_ap, sum_ap), (m1_ml, m0_ml, sum_ml) = moments
    with np.errstate(divide="ignore", invalid="ignore"):
        if conventions.mean_power_frequency_axes == "power_weighted_sum":
            combined = np.divide(
                values["mean_power_frequency_ap_hz"] * sum_ap
                + values["mean_power_frequency_ml_hz"] * sum_ml,
                sum_ap + sum_ml,
            )
        else:
            combined = np.divide(m1_ap + m1_ml, m0_ap + m0_ml)
    values["mean_power_frequency_hz"] = float(combined)
    return values


def spectral_metrics(
    ap_m: ArrayLike,
    ml_m: ArrayLike,
    /,
    *,
    sampling_rate_hz: float,
    conventions: SwayConventions,
) -> dict[str, float]:
    """Spectral sway metrics per axis, and the combined mean power frequency.

    Per axis (``ap``, ``ml``; formulas in the module docstring): ``total_power_{axis}_m2``,
    ``power_frequency_50_{axis}_hz``, ``power_frequency_95_{axis}_hz``,
    ``mean_power_frequency_{axis}_hz``, ``centroid_frequency_{axis}_hz``,
    ``frequency_dispersion_{axis}_ratio``, ``frequency_mode_{axis}_hz``,
    ``band_power_below_0p5hz_{axis}_m2``, ``band_power_0p5_2hz_{axis}_m2``,
    ``band_power_above_2hz_{axis}_m2``, ``frequency_quotient_{axis}_ratio``.

    ``mean_power_frequency_hz`` combines the axes as ``conventions.mean_power_frequency_axes``
    says. With the default ``power_weighted_sum`` it is
    ``(MPF_AP·ΣG_AP + MPF_ML·ΣG_ML) / (ΣG_AP + ΣG_ML)``, the data set's ``COPmfreq``.

    Parameters
    ----------
    ap_m, ml_m : array_like, shape (n_samples,)
        Raw anterior-posterior and medio-lateral CoP in metres (mean not removed); at least one
        Welch segment long.
    sampling_rate_hz : float
        Uniform sampling rate in Hz.
    conventions : SwayConventions
        Welch parameters, band, integration rule and axis combination.

    Returns
    -------
    dict of str to float

    References
    ----------
    Welch PD (1967) IEEE Trans Audio Electroacoust 15(2):70-73. doi:10.1109/TAU.1967.1161901

    Prieto TE et al. (1996) IEEE Trans Biomed Eng 43(9):956-966. doi:10.1109/10.532130

    Santos DA, Duarte M (2016) PeerJ 4:e2648. doi:10.7717/peerj.2648

    Examples
    --------
    >>> import numpy as np
    >>> from reeducate.balance.conventions import SwayConventions
    >>> t = np.arange(6000) / 100.0
    >>> x = np.sin(2 * np.pi * 0.4 * t)
    >>> m = spectral_metrics(0.01 * x, 0.002 * x, sampling_rate_hz=100.0,
    ...                      conventions=SwayConventions.quijoux_2021())
    >>> round(m["mean_power_frequency_hz"], 2), m["frequency_mode_ap_hz"]
    (0.4, 0.4)
    """
    fs = check_sampling_rate(sampling_rate_hz)
    cop = centre_cop(
        ap_m, ml_m, min_samples=1, purpose="the spectral metrics", centring=conventions.centring
    )
    return spectral_from_centred(cop, sampling_rate_hz=fs, conventions=conventions)


__all__ = ["DESCRIPTIONS", "cop_power_spectrum", "spectral_metrics", "welch_parameters"]
