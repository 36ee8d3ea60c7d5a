"""Stabilogram diffusion analysis (SDA; Collins & De Luca 1993).

The mean square displacement (MSD) of the centre of pressure over a time lag Δt,
``<Δx²>(Δt) = mean_j (x[j + k] - x[j])²`` with ``Δt = k / fs``, grows fast at short lags
(persistent, open-loop) and slowly at long lags (anti-persistent, closed-loop). Two straight
lines are fitted, one per region; the lags where one gives way to the other is the critical
point.

Two different "diffusion" numbers circulate under the same name, so they carry different names
here:

* ``*_diffusion_coefficient_m2_s`` -- Collins & De Luca's D: the slope of the linear-linear
  MSD plot in the region divided by ``2 * n_dims`` (``<Δx²> = 2 D Δt`` per axis,
  ``<Δr²> = 4 D Δt`` in the plane), in m²/s.
* ``*_loglog_intercept_m2`` -- ``exp(intercept)`` of the log-log fit ``log <Δx²> = c + H2 log Δt``
  with Δt in seconds, i.e. the fitted power law's MSD at Δt = 1 s, in m². This is what the
  code of Quijoux et al. (2021) reports as "short/long_time_diffusion" (in cm² there).

Scaling exponents are half the log-log slopes (``*_scaling_exponent_ratio``; 0.5 for Brownian
motion, > 0.5 persistent, < 0.5 anti-persistent). The critical time is where the two log-log
lines cross (clipped to the longest lag), and the critical mean square displacement is the
short-term line's value there (Quijoux's "critical_displacement", in m²).

The MSD of every lag comes from one FFT autocorrelation (O(N log N), Wiener-Khinchin), and
the breakpoint scan fits every candidate region at once from cumulative sums; the few
candidates within 1e-8 of the best RMSE are refitted exactly before the choice so that ties
resolve as in the reference code (the last minimum wins).

References
----------
Collins JJ, De Luca CJ (1993) Open-loop and closed-loop control of posture: a random-walk
analysis of center-of-pressure trajectories. Exp Brain Res 95:308-318, doi:10.1007/BF00229788.
Quijoux F et al. (2021) A review of center of pressure (COP) variables to quantify standing
balance in elderly people: algorithms and open-access code. Physiol Rep 9:e15067,
doi:10.14814/phy2.15067.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import fft

from reeducate.errors import InvalidParameterError, SignalQualityError

__all__ = [
    "METRIC_DESCRIPTIONS",
    "DiffusionConventions",
    "diffusion_metrics",
    "mean_square_displacement",
]

_AXIS_WORDS = {"ap": "anterior-posterior", "ml": "medio-lateral", "planar": "planar"}
_CDL = "Collins & De Luca 1993, doi:10.1007/BF00229788"
_QJX = "Quijoux et al. 2021, doi:10.14814/phy2.15067"

#: SI metric name -> one-line description with its reference.
METRIC_DESCRIPTIONS: dict[str, str] = {
    f"{axis}_{key}": text.format(axis=word)
    for axis, word in _AXIS_WORDS.items()
    for key, text in {
        "short_term_diffusion_coefficient_m2_s": "Short-term diffusion coefficient D, {axis} "
        f"(slope / 2 per axis, / 4 planar, of the linear MSD plot; {_CDL})",
        "long_term_diffusion_coefficient_m2_s": "Long-term diffusion coefficient D, {axis} "
        f"({_CDL})",
        "short_term_scaling_exponent_ratio": "Short-term scaling exponent H, {axis} "
        f"(log-log slope / 2; {_CDL})",
        "long_term_scaling_exponent_ratio": "Long-term scaling exponent H, {axis} "
        f"(log-log slope / 2; {_CDL})",
        "short_term_loglog_intercept_m2": "Fitted short-term MSD at 1 s, {axis} (exp of the "
        f"log-log intercept; Quijoux's 'short_time_diffusion'; {_QJX})",
        "long_term_loglog_intercept_m2": "Fitted long-term MSD at 1 s, {axis} (exp of the "
        f"log-log intercept; Quijoux's 'long_time_diffusion'; {_QJX})",
        "critical_time_s": "Critical time where the short- and long-term log-log lines cross, "
        f"{{axis}} ({_CDL})",
        "critical_mean_square_displacement_m2": f"MSD at the critical time, {{axis}} ({_CDL})",
        "short_term_region_end_s": f"Last lag of the short-term fit, {{axis}} (RMSE scan; {_QJX})",
        "long_term_region_start_s": f"First lag of the long-term fit, {{axis}} (RMSE scan; {_QJX})",
    }.items()
}


@dataclass(frozen=True, slots=True, kw_only=True)
class DiffusionConventions:
    """Conventions of the stabilogram diffusion analysis (stored with every result).

    Attributes
    ----------
    max_lag_ratio : float
        The MSD is computed for lags ``1 .. int(n_samples * max_lag_ratio)`` (Quijoux: 1/3).
    breakpoints : {"rmse_scan", "fixed"}
        ``"rmse_scan"`` (Quijoux et al. 2021): the short-term region is lags ``1 .. i`` and the
        long-term region lags ``i .. max``, each ``i`` chosen separately as the one whose
        log-log OLS fit has the smallest RMSE, ``i`` running over
        ``int(scan_start_s * fs) + 1 .. int(scan_stop_s * fs)`` (last minimum on ties).
        ``"fixed"``: short-term lags ``Δt <= short_term_max_s`` and long-term lags
        ``Δt >= long_term_min_s`` (e.g. micromotion's 0.6 s and 1.5 s... as the user sets).
    scan_start_s, scan_stop_s : float
        Range of the RMSE scan in seconds (0.3 and 2.5 in Quijoux).
    short_term_max_s, long_term_min_s : float
        Region bounds for ``breakpoints="fixed"``.
    """

    max_lag_ratio: float = 1.0 / 3.0
    breakpoints: Literal["rmse_scan", "fixed"] = "rmse_scan"
    scan_start_s: float = 0.3
    scan_stop_s: float = 2.5
    short_term_max_s: float = 1.0
    long_term_min_s: float = 2.5

    def __post_init__(self) -> None:
        if not 0 < self.max_lag_ratio <= 1:
            raise InvalidParameterError(
                f"max_lag_ratio must be in (0, 1]; got {self.max_lag_ratio!r}"
            )
        if self.breakpoints not in ("rmse_scan", "fixed"):
            raise InvalidParameterError(
                f"breakpoints must be 'rmse_scan' or 'fixed'; got {self.breakpoints!r}"
            )
        if not 0 <= self.scan_start_s < self.scan_stop_s:
            raise InvalidParameterError(
                "scan_start_s must be >= 0 and < scan_stop_s; got "
                f"{self.scan_start_s!r} and {self.scan_stop_s!r}"
            )
        if not 0 < self.short_term_max_s <= self.long_term_min_s:
            raise InvalidParameterError(
                "short_term_max_s must be > 0 and <= long_term_min_s; got "
                f"{self.short_term_max_s!r} and {self.long_term_min_s!r}"
            )

    def as_dict(self) -> dict[str, Any]:
        """Plain-value copy of the conventions."""
        return asdict(self)

    @classmethod
    def santos_duarte_2016(cls) -> DiffusionConventions:
        """Default conventions. Santos & Duarte (2016) publish no SDA, so the default is the
        openly available and validated recipe of Quijoux et al. (2021)."""
        return cls()

    @classmethod
    def quijoux_2021(cls) -> DiffusionConventions:
        """The code of Quijoux et al. (2021, doi:10.14814/phy2.15067): MSD up to 1/3 of the
        record, breakpoints scanned over 0.3-2.5 s by minimum RMSE of log-log OLS fits."""
        return cls(
            max_lag_ratio=1.0 / 3.0, breakpoints="rmse_scan", scan_start_s=0.3, scan_stop_s=2.5
        )


def mean_square_displacement(x: ArrayLike, /, *, max_lag: int) -> NDArray[np.float64]:
    """Mean square displacement for lags ``0 .. max_lag`` along axis 0, by FFT.

    ``msd[k] = sum over channels of mean_j (x[j + k] - x[j])²``, computed for all lags at once
    as ``(Q[k] - 2 R[k]) / (n - k)`` with ``R`` the autocorrelation (FFT, zero-padded to avoid
    wrap-around) and ``Q`` from cumulative sums of ``x²``: O(N log N). The signal is centred
    first (the MSD is translation invariant) to limit cancellation; the relative error at the
    shortest lags of real CoP records is below 1e-10.

    Parameters
    ----------
    x : array_like, shape (n,) or (n, k)
        Uniformly sampled signal; for (n, k) the channels' MSDs are summed (planar MSD).
    max_lag : int
        Largest lag in samples (``< n``).

    Returns
    -------
    ndarray, shape (max_lag + 1,)
        In the squared unit of ``x``; ``msd[0] == 0``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.0, 1.0, 3.0, 2.0])
    >>> np.round(mean_square_displacement(x, max_lag=2), 12) + 0.0
    array([0., 2., 5.])
    """
    arr = np.asarray(x, dtype=np.float64)
    arr2 = arr[:, None] if arr.ndim == 1 else arr
    n = arr2.shape[0]
    if not 0 <= max_lag < n:
        raise InvalidParameterError(f"max_lag must be in [0, {n - 1}]; got {max_lag!r}")
    centred = arr2 - arr2.mean(axis=0)
    nfft = fft.next_fast_len(2 * n, real=True)
    spec = fft.rfft(centred, nfft, axis=0)
    acf = fft.irfft((spec * spec.conj()).real, nfft, axis=0)[: max_lag + 1].sum(axis=1)
    cs = np.concatenate([[0.0], np.cumsum((centred * centred).sum(axis=1))])
    k = np.arange(max_lag + 1)
    q = (cs[n] - cs[k]) + cs[n - k]
    msd = (q - 2.0 * acf) / (n - k)
    msd[0] = 0.0
    return np.asarray(msd, dtype=np.float64)


def _prefix_ols_rmse(
    x: NDArray[np.float64], y: NDArray[np.float64], counts: NDArray[np.intp], *, suffix: bool
) -> NDArray[np.float64]:
    """RMSE of the OLS line through the first (or last) ``counts`` points, all at once."""
    xs = x - x.mean()
    ys = y - y.mean()
    if suffix:
        xs, ys = xs[::-1], ys[::-1]
    sx = np.cumsum(xs)[counts - 1]
    sy = np.cumsum(ys)[counts - 1]
    sxx = np.cumsum(xs * xs)[counts - 1]
    sxy = np.cumsum(xs * ys)[counts - 1]
    syy = np.cumsum(ys * ys)[counts - 1]
    m = counts.astype(np.float64)
    varx = sxx - sx * sx / m
    cov = sxy - sx * sy / m
    vary = syy - sy * sy / m
    ssr = np.maximum(vary - cov * cov / varx, 0.0)
    return np.asarray(np.sqrt(ssr / m), dtype=np.float64)


def _ols(x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[float, float, float]:
    """Intercept, slope and RMSE of the OLS line (two-pass, centred)."""
    mx = x.mean()
    my = y.mean()
    dx = x - mx
    slope = float(np.dot(dx, y - my) / np.dot(dx, dx))
    intercept = float(my - slope * mx)
    resid = y - (intercept + slope * x)
    return intercept, slope, float(np.sqrt(np.mean(resid * resid)))


def _best_split(
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    candidates: NDArray[np.intp],
    *,
    long_term: bool,
) -> int:
    """Candidate ``i`` with the smallest RMSE (last one on ties), as the reference code."""
    n_points = x.shape[0]
    counts = (n_points - candidates + 1) if long_term else candidates
    rmse = _prefix_ols_rmse(x, y, counts.astype(np.intp), suffix=long_term)
    best = float(np.min(rmse))
    near = np.flatnonzero(rmse <= best * (1.0 + 1e-8) + 1e-300)
    if near.size == 1:
        return int(candidates[near[0]])
    exact = []
    for j in near:
        i = int(candidates[j])
        sl = slice(i - 1, None) if long_term else slice(0, i)
        exact.append(_ols(x[sl], y[sl])[2])
    exact_arr = np.asarray(exact)
    last_min = int(np.flatnonzero(exact_arr == exact_arr.min())[-1])
    return int(candidates[near[last_min]])


def _one_axis(
    msd: NDArray[np.float64],
    lag_s: NDArray[np.float64],
    *,
    sampling_rate_hz: float,
    n_dims: int,
    conventions: DiffusionConventions,
) -> dict[str, float]:
    # index p of (log_t, log_msd) is lag p + 1
    if np.any(msd[1:] <= 0):
        raise SignalQualityError(
            "the CoP does not move over some lags (MSD = 0); the diffusion analysis needs a "
            "moving CoP"
        )
    log_t = np.log(lag_s[1:])
    log_msd = np.log(msd[1:])
    n_points = log_t.shape[0]
    if conventions.breakpoints == "rmse_scan":
        start = int(conventions.scan_start_s * sampling_rate_hz) + 1
        stop = int(conventions.scan_stop_s * sampling_rate_hz)
        if start < 2 or stop < start or stop > n_points - 1:
            raise SignalQualityError(
                f"the diffusion analysis needs lags up to {conventions.scan_stop_s:g} s plus "
                f"two more samples within max_lag_ratio = {conventions.max_lag_ratio:.4g} of "
                f"the record; got lags up to {lag_s[-1]:.3f} s at {sampling_rate_hz:g} Hz"
            )
        candidates = np.arange(start, stop + 1, dtype=np.intp)
        end_short = _best_split(log_t, log_msd, candidates, long_term=False)
        begin_long = _best_split(log_t, log_msd, candidates, long_term=True)
    else:
        end_short = int(np.searchsorted(lag_s[1:], conventions.short_term_max_s, side="right"))
        begin_long = int(np.searchsorted(lag_s[1:], conventions.long_term_min_s, side="left")) + 1
        if end_short < 2 or n_points - begin_long + 1 < 2:
            raise SignalQualityError(
                f"the diffusion analysis needs at least two lags <= "
                f"{conventions.short_term_max_s:g} s and two lags >= "
                f"{conventions.long_term_min_s:g} s; got lags up to {lag_s[-1]:.3f} s at "
                f"{sampling_rate_hz:g} Hz"
            )
    short = slice(0, end_short)
    long = slice(begin_long - 1, None)
    c_s, h2_s, _ = _ols(log_t[short], log_msd[short])
    c_l, h2_l, _ = _ols(log_t[long], log_msd[long])
    log_tc = (c_l - c_s) / (h2_s - h2_l)
    log_tc = min(log_tc, float(log_t[-1]))
    _, slope_s, _ = _ols(lag_s[1:][short], msd[1:][short])
    _, slope_l, _ = _ols(lag_s[1:][long], msd[1:][long])
    return {
        "short_term_diffusion_coefficient_m2_s": slope_s / (2.0 * n_dims),
        "long_term_diffusion_coefficient_m2_s": slope_l / (2.0 * n_dims),
        "short_term_scaling_exponent_ratio": h2_s / 2.0,
        "long_term_scaling_exponent_ratio": h2_l / 2.0,
        "short_term_loglog_intercept_m2": float(np.exp(c_s)),
        "long_term_loglog_intercept_m2": float(np.exp(c_l)),
        "critical_time_s": float(np.exp(log_tc)),
        "critical_mean_square_displacement_m2": float(np.exp(c_s + h2_s * log_tc)),
        "short_term_region_end_s": float(lag_s[end_short]),
        "long_term_region_start_s": float(lag_s[begin_long]),
    }


def diffusion_metrics(
    ap_m: ArrayLike,
    ml_m: ArrayLike,
    /,
    *,
    sampling_rate_hz: float,
    conventions: DiffusionConventions,
) -> dict[str, float]:
    """Stabilogram diffusion metrics for AP, ML and the plane.

    Parameters
    ----------
    ap_m, ml_m : array_like, shape (n_samples,)
        Anterior-posterior and medio-lateral CoP in metres, uniformly sampled (any offset;
        the MSD does not depend on it).
    sampling_rate_hz : float
        Sampling rate in Hz.
    conventions : DiffusionConventions

    Returns
    -------
    dict[str, float]
        For each prefix ``ap_``, ``ml_``, ``planar_`` (planar MSD = AP MSD + ML MSD):
        ``short_term_diffusion_coefficient_m2_s``, ``long_term_diffusion_coefficient_m2_s``
        (Collins & De Luca D), ``short_term_scaling_exponent_ratio``,
        ``long_term_scaling_exponent_ratio`` (log-log slope / 2),
        ``short_term_loglog_intercept_m2``, ``long_term_loglog_intercept_m2`` (exp of the
        log-log intercept = fitted MSD at 1 s; Quijoux's "diffusion"), ``critical_time_s``,
        ``critical_mean_square_displacement_m2``, ``short_term_region_end_s``,
        ``long_term_region_start_s``.

    Raises
    ------
    SignalQualityError
        When the record is too short for the scan (60 s at 100 Hz or 25 s at 25 Hz are fine;
        at least about ``3 * scan_stop_s`` seconds are needed) or the CoP does not move.

    References
    ----------
    Collins JJ, De Luca CJ (1993) Exp Brain Res 95:308-318, doi:10.1007/BF00229788.
    Quijoux F et al. (2021) Physiol Rep 9:e15067, doi:10.14814/phy2.15067.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> fs = 100.0
    >>> steps = rng.normal(scale=np.sqrt(2 * 1e-5 / fs), size=(6000, 2))  # D = 1e-5 m²/s
    >>> walk = np.cumsum(steps, axis=0)
    >>> out = diffusion_metrics(walk[:, 0], walk[:, 1], sampling_rate_hz=fs,
    ...                         conventions=DiffusionConventions.quijoux_2021())
    >>> round(out["ap_short_term_scaling_exponent_ratio"], 1)
    0.5
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
    if not (np.all(np.isfinite(ap)) and np.all(np.isfinite(ml))):
        raise SignalQualityError("ap_m and ml_m must be finite (no NaN or inf)")
    n = ap.shape[0]
    max_lag = int(n * conventions.max_lag_ratio)
    if max_lag < 3:
        raise SignalQualityError(f"the diffusion analysis needs a longer record; got {n} samples")
    max_lag = min(max_lag, n - 1)
    lag_s = np.arange(max_lag + 1) / sampling_rate_hz
    msd_ap = mean_square_displacement(ap, max_lag=max_lag)
    msd_ml = mean_square_displacement(ml, max_lag=max_lag)
    out: dict[str, float] = {}
    for name, msd, n_dims in (
        ("ap", msd_ap, 1),
        ("ml", msd_ml, 1),
        ("planar", msd_ap + msd_ml, 2),
    ):
        values = _one_axis(
            msd, lag_s, sampling_rate_hz=sampling_rate_hz, n_dims=n_dims, conventions=conventions
        )
        out.update({f"{name}_{key}": value for key, value in values.items()})
    return out
