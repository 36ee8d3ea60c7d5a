"""Sway density (Baratto et al. 2002; Jacono et al. 2004).

For every sample the sway-density curve holds how long the centre of pressure stays within a
circle of radius R centred on it, counting both backward and forward in time: with ``b`` the
first sample before ``t`` and ``f`` the first sample after ``t`` that lie farther than R from
``p[t]``, the curve is ``(f - b - 2) / fs`` seconds (``b = -1`` and ``f = n`` when the CoP never
leaves the circle on that side, so at the record's ends only the part inside the record
counts). A constant CoP therefore gives ``(n - 1) / fs`` everywhere, and a CoP moving at constant
speed v gives ``2 m / fs`` with ``m = floor(R fs / v)`` (about ``2 R / v``) away from the ends.

The curve is low-passed (zero-phase Butterworth, 2.5 Hz) and its peaks are taken as in the code
of Quijoux et al. (2021) at its published head: every local maximum of the filtered curve
(``scipy.signal.find_peaks`` without thresholds; a flat top counts once, at its middle). An
earlier version of that code kept one peak per stretch above the curve's median
(``peak_method="median_crossing"``). The metrics are the mean peak value and the mean distance
between the CoP positions of successive peaks. As in that code the curve leaves out the last
sample.

The reference code loops over samples and grows each circle one sample at a time (O(N^2) for a
steady CoP); here all circles grow at once by exact path-length jumps (each pass one
``searchsorted`` over the cumulative path length), then the few long stays by blocks, with
exactly the reference's comparisons; peaks are found without a Python loop.

References
----------
Baratto L, Morasso PG, Re C, Spada G (2002) A new look at posturographic analysis in the
clinical context: sway-density versus other parameterization techniques. Motor Control
6(3):246-270, doi:10.1123/mcj.6.3.246.
Jacono M, Casadio M, Morasso PG, Sanguineti V (2004) The sway-density curve and the underlying
postural stabilization process. Motor Control 8(3):292-311, doi:10.1123/mcj.8.3.292.
Quijoux F et al. (2021) Physiol Rep 9:e15067, doi:10.14814/phy2.15067.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.signal import find_peaks

from reeducate.errors import InvalidParameterError, SignalQualityError
from reeducate.signals.filters import zero_phase_butterworth

__all__ = [
    "METRIC_DESCRIPTIONS",
    "SwayDensityConventions",
    "sway_density_curve",
    "sway_density_metrics",
]

#: SI metric name -> one-line description with its reference.
METRIC_DESCRIPTIONS: dict[str, str] = {
    "sway_density_mean_peak_s": "Mean peak of the sway-density curve: time the CoP stays "
    "within R (Baratto et al. 2002, doi:10.1123/mcj.6.3.246; Jacono et al. 2004)",
    "sway_density_mean_distance_peak_m": "Mean distance between the CoP positions of successive "
    "sway-density peaks (Jacono et al. 2004, doi:10.1123/mcj.8.3.292)",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class SwayDensityConventions:
    """Conventions of the sway-density analysis (stored with every result).

    Attributes
    ----------
    radius_m : float
        Radius of the circle (3 mm in Quijoux et al. 2021 and Jacono et al. 2004).
    lowpass_hz : float
        Cut-off of the zero-phase Butterworth applied to the curve (2.5 Hz).
    filter_order : int
        Order of the designed Butterworth, applied forward and backward (4).
    filter_form : {"ba", "sos"}
        Filter implementation; ``"ba"`` with SciPy's default padding is the reference code's.
    peak_method : {"local_maxima", "median_crossing"}
        ``"local_maxima"``: every local maximum of the filtered curve (Quijoux et al. 2021,
        published code). ``"median_crossing"``: one peak (the first maximum) per stretch where
        the curve is above its median, bounded by two crossings (an earlier version of that
        code).
    zero_median_fallback_s : float
        For ``"median_crossing"``: threshold used instead of the curve's median when that
        median is exactly 0 (a CoP that never stays within R), as that code does (1e-4 s).
    """

    radius_m: float = 0.003
    lowpass_hz: float = 2.5
    filter_order: int = 4
    filter_form: Literal["ba", "sos"] = "ba"
    peak_method: Literal["local_maxima", "median_crossing"] = "local_maxima"
    zero_median_fallback_s: float = 1e-4

    def __post_init__(self) -> None:
        if not np.isfinite(self.radius_m) or self.radius_m <= 0:
            raise InvalidParameterError(f"radius_m must be > 0; got {self.radius_m!r}")
        if not np.isfinite(self.lowpass_hz) or self.lowpass_hz <= 0:
            raise InvalidParameterError(f"lowpass_hz must be > 0; got {self.lowpass_hz!r}")
        if self.filter_order < 1:
            raise InvalidParameterError(f"filter_order must be >= 1; got {self.filter_order!r}")
        if self.filter_form not in ("ba", "sos"):
            raise InvalidParameterError(
                f"filter_form must be 'ba' or 'sos'; got {self.filter_form!r}"
            )
        if self.peak_method not in ("local_maxima", "median_crossing"):
            raise InvalidParameterError(
                f"peak_method must be 'local_maxima' or 'median_crossing'; got {self.peak_method!r}"
            )

    def as_dict(self) -> dict[str, Any]:
        """Plain-value copy of the conventions."""
        return asdict(self)

    @classmethod
    def santos_duarte_2016(cls) -> SwayDensityConventions:
        """Default conventions. Santos & Duarte (2016) publish no sway density, so the default
        is the validated recipe of Quijoux et al. (2021)."""
        return cls()

    @classmethod
    def quijoux_2021(cls) -> SwayDensityConventions:
        """The code of Quijoux et al. (2021, doi:10.14814/phy2.15067): R = 3 mm, 4th-order
        zero-phase Butterworth low-pass at 2.5 Hz (``filtfilt``, transfer-function form), every
        local maximum of the filtered curve is a peak."""
        return cls(
            radius_m=0.003,
            lowpass_hz=2.5,
            filter_order=4,
            filter_form="ba",
            peak_method="local_maxima",
        )


#: Path-length passes at most, and the number of circles left below which they stop.
_MAX_JUMP_PASSES = 64
_FEW_CIRCLES = 64
#: First and largest block of samples tested at once for the circles left.
_FIRST_BLOCK = 64
_LARGEST_BLOCK = 4096


def _first_exits(
    p: NDArray[np.float64], radius: float
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """For each t: the first s > t and the last s < t with |p[s] - p[t]| > radius
    (``n`` and ``-1`` when there is none).

    Both directions run at once, on the record followed by its reversal. Two stages, each
    skipping only samples proven inside the circle and testing every candidate exit with the
    reference's own comparison, so the result equals its sample-by-sample scan exactly:

    1. Path-length jumps. If sample ``s`` lies at distance ``d <= R`` from ``p[t]``, no sample
       reachable from ``s`` along less than ``R - d`` of path can be outside (triangle
       inequality), so the scan jumps to the first sample beyond that path length (a
       ``searchsorted`` on the cumulative path length, less a 1e-9 R margin against rounding).
       A few vectorised passes settle almost every circle.
    2. The few circles left (long stays of a very still CoP) test blocks of samples at once,
       the block doubling each pass.
    """
    n = p.shape[0]
    x = np.concatenate([p[:, 0], p[::-1, 0]])
    y = np.concatenate([p[:, 1], p[::-1, 1]])
    cum_f = np.concatenate([[0.0], np.cumsum(np.hypot(np.diff(p[:, 0]), np.diff(p[:, 1])))])
    cum_b = cum_f[-1] - cum_f[::-1]  # cumulative path length of the reversed record
    # One increasing array for both records: the reversed record's lengths start beyond any
    # jump target of the forward record, so a search never lands across the join.
    cum = np.concatenate([cum_f, cum_b + (cum_f[-1] + 2.0 * radius + 1.0)])
    exits = np.full(2 * n, n, dtype=np.intp)
    t = np.concatenate([np.arange(n - 1), n + np.arange(n - 1)]).astype(np.intp)
    pos = t + 1
    end = np.where(t >= n, 2 * n, n)
    xt, yt = x[t], y[t]
    margin = 1e-9 * radius
    for _ in range(_MAX_JUMP_PASSES):
        if t.size < _FEW_CIRCLES:
            break
        dx = x[pos] - xt
        dy = y[pos] - yt
        d = np.sqrt(dx * dx + dy * dy)
        outside = d > radius
        exits[t[outside]] = pos[outside]
        jump = np.searchsorted(cum, cum[pos] + (radius - d) - margin, side="right")
        pos = np.maximum(jump, pos + 1)
        keep = ~outside & (pos < end)
        t, pos, end, xt, yt = t[keep], pos[keep], end[keep], xt[keep], yt[keep]
    block = _FIRST_BLOCK
    while t.size:
        candidates = pos[:, None] + np.arange(block)
        valid = candidates < end[:, None]
        candidates = np.where(valid, candidates, 0)
        dx = x[candidates] - xt[:, None]
        dy = y[candidates] - yt[:, None]
        outside = (np.sqrt(dx * dx + dy * dy) > radius) & valid
        hit = outside.any(axis=1)
        exits[t[hit]] = pos[hit] + outside[hit].argmax(axis=1)
        more = ~hit & (pos + block < end)
        t, pos, end = t[more], pos[more] + block, end[more]
        xt, yt = xt[more], yt[more]
        block = min(2 * block, _LARGEST_BLOCK)
    forward = exits[:n]
    reversed_exits = np.where(exits[n:] == n, n, exits[n:] - n)
    return forward, (n - 1) - reversed_exits[::-1]  # reversed index n (never left) -> -1


def sway_density_curve(
    ap_m: ArrayLike,
    ml_m: ArrayLike,
    /,
    *,
    sampling_rate_hz: float,
    radius_m: float,
) -> NDArray[np.float64]:
    """Unfiltered sway-density curve: seconds the CoP stays within ``radius_m`` of each sample.

    Parameters
    ----------
    ap_m, ml_m : array_like, shape (n_samples,)
        CoP in metres (any offset).
    sampling_rate_hz : float
    radius_m : float

    Returns
    -------
    ndarray, shape (n_samples,)
        ``(f - b - 2) / fs`` per sample (see the module documentation for the edges).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(10) * 0.001  # 1 mm per sample along AP
    >>> sway_density_curve(x, np.zeros(10), sampling_rate_hz=10.0, radius_m=0.0025)
    array([0.2, 0.3, 0.4, 0.4, 0.4, 0.4, 0.4, 0.4, 0.3, 0.2])
    """
    ap = np.asarray(ap_m, dtype=np.float64)
    ml = np.asarray(ml_m, dtype=np.float64)
    if ap.ndim != 1 or ml.shape != ap.shape:
        raise InvalidParameterError(
            f"ap_m and ml_m must be 1-D arrays of equal length; got {ap.shape} and {ml.shape}"
        )
    if not np.isfinite(sampling_rate_hz) or sampling_rate_hz <= 0:
        raise InvalidParameterError(
            f"sampling_rate_hz must be a finite number > 0; got {sampling_rate_hz!r}"
        )
    if not np.isfinite(radius_m) or radius_m <= 0:
        raise InvalidParameterError(f"radius_m must be > 0; got {radius_m!r}")
    if not (np.all(np.isfinite(ap)) and np.all(np.isfinite(ml))):
        raise SignalQualityError("ap_m and ml_m must be finite (no NaN or inf)")
    n = ap.shape[0]
    if n < 2:
        raise SignalQualityError(f"the sway density needs at least 2 samples; got {n}")
    p = np.column_stack([ml, ap])  # the reference's [ML, AP] order (same distances)
    forward, backward = _first_exits(p, radius_m)
    return np.asarray((forward - backward - 2) / sampling_rate_hz, dtype=np.float64)


def _positive_stretch_peaks(s: NDArray[np.float64]) -> NDArray[np.intp]:
    """Index of the first maximum of each positive stretch bounded by two sign changes."""
    nonzero = np.flatnonzero(s != 0)
    if nonzero.size < 2:
        return np.empty(0, dtype=np.intp)
    signs = np.sign(s[nonzero])
    change = np.flatnonzero(signs[1:] != signs[:-1]) + 1
    crossings = nonzero[change]  # first sample of each new sign
    crossing_sign = signs[change]
    # a stretch that ends at crossing k (into negative) and started at crossing k - 1
    ends_k = np.flatnonzero(crossing_sign < 0)
    ends_k = ends_k[ends_k >= 1]
    if ends_k.size == 0:
        return np.empty(0, dtype=np.intp)
    starts = crossings[ends_k - 1]
    ends = crossings[ends_k]
    bounds = np.empty(2 * starts.size, dtype=np.intp)
    bounds[0::2] = starts
    bounds[1::2] = ends
    seg_max = np.maximum.reduceat(s, bounds)[0::2]
    positions = np.arange(s.shape[0])
    label = np.searchsorted(starts, positions, side="right") - 1
    inside = (label >= 0) & (positions < ends[np.maximum(label, 0)])
    is_max = inside & (s == seg_max[np.maximum(label, 0)])
    hits = np.flatnonzero(is_max)
    _, first = np.unique(label[hits], return_index=True)
    return np.asarray(hits[first], dtype=np.intp)


def sway_density_metrics(
    ap_m: ArrayLike,
    ml_m: ArrayLike,
    /,
    *,
    sampling_rate_hz: float,
    conventions: SwayDensityConventions,
) -> dict[str, float]:
    """Mean peak of the sway-density curve and mean distance between its peaks.

    Parameters
    ----------
    ap_m, ml_m : array_like, shape (n_samples,)
        CoP in metres, uniformly sampled (any offset).
    sampling_rate_hz : float
    conventions : SwayDensityConventions

    Returns
    -------
    dict[str, float]
        ``sway_density_mean_peak_s`` (mean of the peak values of the filtered curve, s) and
        ``sway_density_mean_distance_peak_m`` (mean distance between the CoP positions of
        successive peaks, m; Quijoux's ``mean_peak_Sway_Density`` and
        ``mean_distance_peak_Sway_Density``). NaN when the curve has no peak (or, for the
        distance, fewer than two), as for a CoP that never moves more than R.

    References
    ----------
    Baratto L et al. (2002) Motor Control 6(3):246-270, doi:10.1123/mcj.6.3.246.
    Jacono M et al. (2004) Motor Control 8(3):292-311, doi:10.1123/mcj.8.3.292.
    Quijoux F et al. (2021) Physiol Rep 9:e15067, doi:10.14814/phy2.15067.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(3000) / 100.0
    >>> ap = 0.01 * np.sin(2 * np.pi * 0.25 * t)
    >>> out = sway_density_metrics(ap, np.zeros_like(ap), sampling_rate_hz=100.0,
    ...                            conventions=SwayDensityConventions.quijoux_2021())
    >>> round(out["sway_density_mean_peak_s"], 2)
    0.87
    """
    curve = sway_density_curve(
        ap_m, ml_m, sampling_rate_hz=sampling_rate_hz, radius_m=conventions.radius_m
    )[:-1]
    if conventions.lowpass_hz >= 0.5 * sampling_rate_hz:
        raise InvalidParameterError(
            f"lowpass_hz must be < the Nyquist frequency {0.5 * sampling_rate_hz:g} Hz; "
            f"got {conventions.lowpass_hz!r}"
        )
    smooth = zero_phase_butterworth(
        curve,
        sampling_rate_hz=sampling_rate_hz,
        cutoff_hz=conventions.lowpass_hz,
        order=conventions.filter_order,
        form=conventions.filter_form,
    )
    if np.ptp(curve) == 0:
        # A CoP that never leaves (or never stays within) R: the curve is flat and has no peak
        # (its filtered version only carries rounding noise).
        peaks = np.empty(0, dtype=np.intp)
    elif conventions.peak_method == "local_maxima":
        peaks = np.asarray(find_peaks(smooth)[0], dtype=np.intp)
    else:
        border = float(np.median(smooth))
        if border == 0:
            border = conventions.zero_median_fallback_s
        peaks = _positive_stretch_peaks(smooth - border)
    ap = np.asarray(ap_m, dtype=np.float64)
    ml = np.asarray(ml_m, dtype=np.float64)
    mean_peak = float(np.mean(smooth[peaks])) if peaks.size else float("nan")
    if peaks.size >= 2:
        dist = np.hypot(np.diff(ml[peaks]), np.diff(ap[peaks]))
        mean_distance = float(np.mean(dist))
    else:
        mean_distance = float("nan")
    return {
        "sway_density_mean_peak_s": mean_peak,
        "sway_density_mean_distance_peak_m": mean_distance,
    }
