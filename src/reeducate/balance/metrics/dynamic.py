"""Dynamic (velocity) sway metrics of a centre-of-pressure trajectory.

Notation: centred ``AP[n]``, ``ML[n]``, ``n = 1..N`` at ``fs`` Hz; steps
``Δp[n] = p[n+1] - p[n]``; path length ``L = Σ ||Δp||``; ``T`` the duration convention
(``N/fs`` or ``(N-1)/fs``, chosen per metric in :class:`~reeducate.balance.conventions.
SwayConventions`); ``A`` the 95 % prediction-ellipse area; ``v_SG`` the Savitzky-Golay first
derivative of each coordinate (Quijoux: window 5, order 3, scipy ``mode="interp"``).

References
----------
Prieto TE, Myklebust JB, Hoffmann RG, Lovett EG, Myklebust BM (1996) Measures of postural
steadiness: differences between healthy young and elderly adults. IEEE Trans Biomed Eng
43(9):956-966. doi:10.1109/10.532130

Quijoux F et al. (2021) A review of center of pressure (COP) variables to quantify standing
balance in elderly people: algorithms and open-access code. Physiol Rep 9(22):e15067.
doi:10.14814/phy2.15067

Hufschmidt A, Dichgans J, Mauritz KH, Hufschmidt M (1980) Some methods and parameters of body
sway quantification and their neurological applications. Arch Psychiatr Nervenkr
228(2):135-150. doi:10.1007/BF00365601

Riley PO, Benda BJ, Gill-Body KM, Krebs DE (1995) Phase plane analysis of stability in quiet
standing. J Rehabil Res Dev 32(3):227-235 (PMID 8592294).

Katz MJ (1988) Fractals and the analysis of waveforms. Comput Biol Med 18(3):145-156.
doi:10.1016/0010-4825(88)90041-8

Savitzky A, Golay MJE (1964) Smoothing and differentiation of data by simplified least
squares procedures. Anal Chem 36(8):1627-1639. doi:10.1021/ac60214a047
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

import numpy as np
from numpy.typing import ArrayLike
from scipy.signal import savgol_filter

from reeducate.balance.metrics.ellipse import (
    MIN_SAMPLES as ELLIPSE_MIN_SAMPLES,
)
from reeducate.balance.metrics.ellipse import (
    PredictionEllipse,
    ellipse_from_centred,
)
from reeducate.balance.metrics.positional import (
    Z_05,
    CentredCop,
    FloatArray,
    centre_cop,
    positional_from_centred,
)
from reeducate.signals.checks import check_sampling_rate

if TYPE_CHECKING:
    from reeducate.balance.conventions import DurationConvention, SwayConventions

#: Savitzky-Golay velocities below this ratio × fs × max|x| are rounding noise, i.e. zero.
_VELOCITY_NOISE_RATIO: Final = 1e-10

DESCRIPTIONS: Final[Mapping[str, str]] = {
    "path_length_m": "Total CoP path length, sum of step lengths, TOTEX (Prieto 1996, "
    "doi:10.1109/10.532130).",
    "path_length_ap_m": "AP path length, sum of |ΔAP| (Prieto 1996).",
    "path_length_ml_m": "ML path length, sum of |ΔML| (Prieto 1996).",
    "mean_velocity_m_s": "Mean CoP speed: path length / duration, MVELO (Prieto 1996; Santos "
    "& Duarte 2016, doi:10.7717/peerj.2648).",
    "mean_velocity_ap_m_s": "Mean AP speed: AP path length / duration (Prieto 1996).",
    "mean_velocity_ml_m_s": "Mean ML speed: ML path length / duration (Prieto 1996).",
    "sway_area_per_second_m2_s": "Area swept by the CoP radius per second, AREA-SW (Hufschmidt "
    "1980, doi:10.1007/BF00365601; Prieto 1996).",
    "phase_plane_parameter_ap_m": "Phase-plane parameter sqrt(σ_AP² + σ_vAP²·1 s²) with the "
    "Savitzky-Golay velocity (Riley 1995; Quijoux 2021, doi:10.14814/phy2.15067).",
    "phase_plane_parameter_ml_m": "Phase-plane parameter sqrt(σ_ML² + σ_vML²·1 s²) (Riley 1995; "
    "Quijoux 2021).",
    "fractal_dimension_ce": "Fractal dimension log N / log(N·d/L), d = 95 % ellipse diameter "
    "sqrt(4A/π) (Prieto 1996 FD-CE; Quijoux 2021).",
    "fractal_dimension_pd": "Fractal dimension with d = largest pairwise distance (Prieto 1996 "
    "FD-PD).",
    "fractal_dimension_cc": "Fractal dimension with d = diameter of the 95 % confidence circle "
    "(Prieto 1996 FD-CC).",
    "prieto_mean_frequency_hz": "Prieto's mean frequency: mean speed / (2π·mean distance), "
    "MFREQ (Prieto 1996).",
    "prieto_mean_frequency_ap_hz": "Prieto's AP mean frequency: AP mean speed / (4√2·mean "
    "|AP|) (Prieto 1996).",
    "prieto_mean_frequency_ml_hz": "Prieto's ML mean frequency: ML mean speed / (4√2·mean "
    "|ML|) (Prieto 1996).",
    "length_over_area_m_inv": "Path length over 95 % ellipse area, LFS (Quijoux 2021).",
    "zero_crossings_ap_count": "Sign changes of the Savitzky-Golay AP velocity (Quijoux 2021).",
    "zero_crossings_ml_count": "Sign changes of the Savitzky-Golay ML velocity (Quijoux 2021).",
    "peak_velocity_pos_ap_m_s": "Mean peak of the positive AP velocity excursions between "
    "zero crossings (Quijoux 2021).",
    "peak_velocity_neg_ap_m_s": "Mean peak magnitude of the negative AP velocity excursions "
    "(Quijoux 2021).",
    "peak_velocity_all_ap_m_s": "Mean peak magnitude of all AP velocity excursions (Quijoux 2021).",
    "peak_velocity_pos_ml_m_s": "Mean peak of the positive ML velocity excursions between "
    "zero crossings (Quijoux 2021).",
    "peak_velocity_neg_ml_m_s": "Mean peak magnitude of the negative ML velocity excursions "
    "(Quijoux 2021).",
    "peak_velocity_all_ml_m_s": "Mean peak magnitude of all ML velocity excursions (Quijoux 2021).",
}


def duration_s(
    n_samples: int, sampling_rate_hz: float, /, *, convention: DurationConvention
) -> float:
    """Record duration under ``convention``: ``N/fs`` or ``(N-1)/fs``.

    >>> duration_s(6000, 100.0, convention="n_over_fs"), duration_s(6000, 100.0,
    ...     convention="n_minus_1_over_fs")
    (60.0, 59.99)
    """
    n = n_samples if convention == "n_over_fs" else n_samples - 1
    return n / sampling_rate_hz


def _mean_or_nan(values: FloatArray) -> float:
    return float(np.mean(values)) if values.size else math.nan


def velocity_peaks(
    velocity_m_s: FloatArray, /, *, noise_floor_m_s: float = 0.0
) -> tuple[int, float, float, float]:
    """Zero crossings and mean peaks of a velocity signal, as Quijoux et al. 2021 define them.

    A zero crossing is a sample whose (non-zero) sign differs from the sign of the previous
    non-zero sample. Between two consecutive crossings the signal keeps one sign (zeros
    aside); the peak of that excursion is its largest magnitude. The excursions before the
    first and after the last crossing are incomplete and not counted.

    Samples with ``|v| <= noise_floor_m_s`` count as zero. A Savitzky-Golay derivative of a
    locally constant (quantised) signal is exactly 0 only up to rounding; without a floor the
    sign of that rounding noise (±1e-15) would add spurious pairs of crossings.

    Returns
    -------
    n_crossings : int
    mean_positive_peak, mean_negative_peak_magnitude, mean_peak_magnitude : float
        NaN when there is no complete excursion of that sign.

    Examples
    --------
    >>> import numpy as np
    >>> velocity_peaks(np.array([1.0, 2.0, -1.0, -3.0, 0.0, 2.0, 5.0, 1.0, -1.0]))
    (3, 5.0, 3.0, 4.0)
    """
    v = np.asarray(velocity_m_s, dtype=np.float64)
    if noise_floor_m_s > 0:
        v = np.where(np.abs(v) <= noise_floor_m_s, 0.0, v)
    nonzero = np.flatnonzero(v)
    if nonzero.size == 0:
        return 0, math.nan, math.nan, math.nan
    sign = np.sign(v[nonzero])
    crossings = nonzero[1:][sign[1:] != sign[:-1]]
    if crossings.size < 2:
        return int(crossings.size), math.nan, math.nan, math.nan
    peaks = np.maximum.reduceat(np.abs(v), crossings)[:-1]
    positive = v[crossings[:-1]] > 0
    return (
        int(crossings.size),
        _mean_or_nan(peaks[positive]),
        _mean_or_nan(peaks[~positive]),
        float(np.mean(peaks)),
    )


def min_samples(conventions: SwayConventions, /) -> int:
    """Fewest samples the dynamic metrics need (ellipse and Savitzky-Golay window)."""
    return max(ELLIPSE_MIN_SAMPLES, conventions.velocity_savgol_window)


def dynamic_from_centred(
    cop: CentredCop,
    /,
    *,
    sampling_rate_hz: float,
    conventions: SwayConventions,
    positional: Mapping[str, float],
    ellipse: PredictionEllipse,
) -> dict[str, float]:
    """Dynamic metrics of an already centred trajectory (internal)."""
    fs = sampling_rate_hz
    n = cop.n
    ap, ml = cop.ap, cop.ml
    d_ap = np.diff(ap)
    d_ml = np.diff(ml)
    path = float(np.sum(np.sqrt(d_ap * d_ap + d_ml * d_ml)))
    path_ap = float(np.sum(np.abs(d_ap)))
    path_ml = float(np.sum(np.abs(d_ml)))
    t_velocity = duration_s(n, fs, convention=conventions.velocity_duration)
    t_area = duration_s(n, fs, convention=conventions.sway_area_duration)
    t_prieto = duration_s(n, fs, convention=conventions.prieto_frequency_duration)
    swept = float(np.sum(np.abs(ap[1:] * ml[:-1] - ap[:-1] * ml[1:])))

    velocity = savgol_filter(
        np.column_stack((ap, ml)),
        window_length=conventions.velocity_savgol_window,
        polyorder=conventions.velocity_savgol_polyorder,
        deriv=1,
        delta=1.0 / fs,
        axis=0,
    )
    values: dict[str, float] = {
        "path_length_m": path,
        "path_length_ap_m": path_ap,
        "path_length_ml_m": path_ml,
        "mean_velocity_m_s": path / t_velocity,
        "mean_velocity_ap_m_s": path_ap / t_velocity,
        "mean_velocity_ml_m_s": path_ml / t_velocity,
        "sway_area_per_second_m2_s": swept / (2.0 * t_area),
    }
    for column, axis in enumerate(("ap", "ml")):
        v = velocity[:, column]
        rms = positional[f"rms_{axis}_m"]
        values[f"phase_plane_parameter_{axis}_m"] = math.sqrt(rms * rms + float(np.var(v)))

    area = ellipse.area_m2
    mean_distance = positional["mean_distance_m"]
    sd_radius = math.sqrt(max(positional["rms_distance_m"] ** 2 - mean_distance**2, 0.0))
    diameters = {
        "ce": math.sqrt(4.0 * area / math.pi),
        "pd": positional["range_m"],
        "cc": 2.0 * (mean_distance + Z_05 * sd_radius),
    }
    log_n = math.log(n)
    with np.errstate(divide="ignore", invalid="ignore"):
        for variant, d in diameters.items():
            values[f"fractal_dimension_{variant}"] = float(
                log_n / (log_n + np.log(d) - np.log(path))
            )
        values["prieto_mean_frequency_hz"] = float(
            np.divide(path / t_prieto, 2.0 * math.pi * mean_distance)
        )
        for axis, axis_path in (("ap", path_ap), ("ml", path_ml)):
            values[f"prieto_mean_frequency_{axis}_hz"] = float(
                np.divide(
                    axis_path / t_prieto,
                    4.0 * math.sqrt(2.0) * positional[f"mean_distance_{axis}_m"],
                )
            )
        values["length_over_area_m_inv"] = float(np.divide(path, area))

    for column, axis in enumerate(("ap", "ml")):
        # Rounding noise of the differentiator: far below any velocity a plate can resolve.
        coordinate = ap if column == 0 else ml
        floor = _VELOCITY_NOISE_RATIO * fs * float(np.max(np.abs(coordinate)))
        crossings, positive, negative, every = velocity_peaks(
            velocity[:, column], noise_floor_m_s=floor
        )
        values[f"zero_crossings_{axis}_count"] = float(crossings)
        values[f"peak_velocity_pos_{axis}_m_s"] = positive
        values[f"peak_velocity_neg_{axis}_m_s"] = negative
        values[f"peak_velocity_all_{axis}_m_s"] = every
    return values


def dynamic_metrics(
    ap_m: ArrayLike,
    ml_m: ArrayLike,
    /,
    *,
    sampling_rate_hz: float,
    conventions: SwayConventions,
) -> dict[str, float]:
    """Dynamic sway metrics of a CoP trajectory (the mean is removed inside).

    With ``L`` the path length, ``T_v``, ``T_a``, ``T_f`` the durations of
    ``conventions.velocity_duration``, ``sway_area_duration`` and ``prieto_frequency_duration``:

    * ``path_length_m = Σ ||Δp||``; ``path_length_ap_m = Σ |ΔAP|`` (and ML);
    * ``mean_velocity_m_s = L / T_v``; ``mean_velocity_ap_m_s = Σ |ΔAP| / T_v`` (and ML);
    * ``sway_area_per_second_m2_s = Σ |AP[n+1]·ML[n] - AP[n]·ML[n+1]| / (2·T_a)``;
    * ``phase_plane_parameter_{ap,ml}_m = sqrt(RMS² + var(v_SG)·(1 s)²)`` (Riley 1995 as coded
      by Quijoux: positions in metres, velocities in m/s taken over one second);
    * ``fractal_dimension_{ce,pd,cc} = log N / log(N·d / L)`` (Katz 1988 as adapted by Prieto
      1996) with ``d`` the 95 % ellipse diameter ``sqrt(4A/π)`` (CE, the Quijoux variant), the
      largest pairwise distance (PD) or ``2·(MDIST + 1.645·s_RD)`` (CC);
    * ``prieto_mean_frequency_hz = (L / T_f) / (2π·MDIST)``;
      ``prieto_mean_frequency_ap_hz = (Σ |ΔAP| / T_f) / (4√2·MDIST_AP)`` (and ML);
    * ``length_over_area_m_inv = L / A`` (LFS);
    * ``zero_crossings_{ap,ml}_count`` and ``peak_velocity_{pos,neg,all}_{ap,ml}_m_s`` of
      ``v_SG`` (:func:`velocity_peaks`), with velocities below ``1e-10·fs·max|x|`` (rounding
      noise of the differentiator) taken as zero.

    Undefined values (a motionless CoP) are NaN.

    Parameters
    ----------
    ap_m, ml_m : array_like, shape (n_samples,)
        Raw anterior-posterior and medio-lateral CoP in metres (mean not removed); at least
        ``max(3, conventions.velocity_savgol_window)`` samples.
    sampling_rate_hz : float
        Uniform sampling rate in Hz.
    conventions : SwayConventions
        Duration, ellipse, Savitzky-Golay and centring conventions (``centring`` moves the
        point the sway area, phase plane, fractal dimensions and Prieto frequencies measure
        from; path lengths and velocities do not depend on it).

    Returns
    -------
    dict of str to float

    References
    ----------
    Prieto TE et al. (1996) IEEE Trans Biomed Eng 43(9):956-966. doi:10.1109/10.532130

    Quijoux F et al. (2021) Physiol Rep 9(22):e15067. doi:10.14814/phy2.15067

    Examples
    --------
    >>> import numpy as np
    >>> from reeducate.balance.conventions import SwayConventions
    >>> t = np.arange(1000) / 100.0  # 10 s at 100 Hz: one turn of a 1 cm circle per second
    >>> # 999 chords of 3.6°: the path is 2πr·9.99 turns × sin(π/100)/(π/100)
    >>> m = dynamic_metrics(0.01 * np.sin(2 * np.pi * t), 0.01 * np.cos(2 * np.pi * t),
    ...                     sampling_rate_hz=100.0, conventions=SwayConventions())
    >>> chord = 2 * 0.01 * np.sin(np.pi / 100)
    >>> round(float(m["path_length_m"] / (999 * chord)), 12), round(m["mean_velocity_m_s"], 6)
    (1.0, 0.062759)
    """
    fs = check_sampling_rate(sampling_rate_hz)
    cop = centre_cop(
        ap_m,
        ml_m,
        min_samples=min_samples(conventions),
        purpose="dynamic metrics",
        centring=conventions.centring,
    )
    positional = positional_from_centred(cop)
    ellipse = ellipse_from_centred(cop, conventions=conventions)
    return dynamic_from_centred(
        cop,
        sampling_rate_hz=fs,
        conventions=conventions,
        positional=positional,
        ellipse=ellipse,
    )


__all__ = ["DESCRIPTIONS", "duration_s", "dynamic_metrics", "velocity_peaks"]
