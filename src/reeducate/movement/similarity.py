"""Similarity to the therapist's demonstration: dynamic time warping of angle curves.

:func:`dtw` is the classic dynamic time warping of Sakoe and Chiba (1978) with the symmetric
step pattern (match, insertion, deletion, each costing the local distance once), an optional
Sakoe-Chiba band, and the warping path recovered by backtracking. The cumulative cost matrix is
filled one anti-diagonal at a time (vectorised with NumPy), so an n x m comparison costs
O(n m) work in O(n + m) Python steps. It is checked in the tests against a plain double loop.

:func:`compare_to_demonstration` warps the patient's curves (one or several angles, in degrees)
onto the demonstration's and reports the mean absolute angle difference along the warping path
(degrees: "on average 7 deg off"), a 0-1 score ``max(0, 1 - mean_diff / tolerance_deg)``, the
moments that differed most, and the tempo ratio (patient duration over demonstration's).

References
----------
Sakoe H, Chiba S (1978) Dynamic programming algorithm optimization for spoken word
recognition. IEEE Trans Acoust Speech Signal Process 26(1):43-49,
doi:10.1109/TASSP.1978.1163055.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.signal import find_peaks

from reeducate.errors import InvalidParameterError, SignalQualityError

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class DtwResult:
    """Cost and warping path of a DTW alignment.

    Attributes
    ----------
    distance : float
        Cumulative cost of the optimal path (sum of Euclidean local distances).
    path : ndarray of int, shape (n_steps, 2)
        Index pairs ``(i, j)`` from ``(0, 0)`` to ``(n - 1, m - 1)``.
    """

    distance: float
    path: NDArray[np.intp]

    @property
    def normalized_distance(self) -> float:
        """``distance / n_steps``: the mean local distance along the path."""
        return self.distance / len(self.path)


def _as_2d(x: ArrayLike, name: str) -> FloatArray:
    a = np.asarray(x, dtype=np.float64)
    if a.ndim == 1:
        a = a[:, None]
    if a.ndim != 2 or a.shape[0] < 2:
        raise InvalidParameterError(
            f"{name} must have shape (n_samples >= 2,) or (n_samples, n_channels); got {a.shape}"
        )
    if not np.all(np.isfinite(a)):
        raise SignalQualityError(f"{name} has missing (NaN) samples; fill gaps first")
    return a


def dtw(x: ArrayLike, y: ArrayLike, /, *, window: int | None = None) -> DtwResult:
    """Dynamic time warping of two sequences (Sakoe and Chiba 1978, symmetric steps).

    Parameters
    ----------
    x, y : array_like, shape (n,) / (m,) or (n, k) / (m, k)
        Sequences with the same number of channels; local distance is Euclidean.
    window : int, optional
        Sakoe-Chiba band half-width in samples (at least ``|n - m|``); None: no band.

    Example
    -------
    >>> r = dtw([0.0, 1.0, 2.0, 1.0, 0.0], [0.0, 1.0, 1.0, 2.0, 1.0, 0.0])
    >>> r.distance, r.path.tolist()[:4]
    (0.0, [[0, 0], [1, 1], [1, 2], [2, 3]])
    """
    a = _as_2d(x, "x")
    b = _as_2d(y, "y")
    if a.shape[1] != b.shape[1]:
        raise InvalidParameterError(
            f"x and y must have the same number of channels; got {a.shape[1]} and {b.shape[1]}"
        )
    n, m = a.shape[0], b.shape[0]
    if n * m > 40_000_000:
        raise InvalidParameterError(
            f"x and y are too long to warp together ({n} x {m} samples > 4e7); compare one "
            "repetition at a time or resample to a lower rate"
        )
    if window is not None and window < abs(n - m):
        raise InvalidParameterError(
            f"window must be >= |len(x) - len(y)| = {abs(n - m)}; got {window}"
        )
    cost = np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2))
    if window is not None:
        ii, jj = np.indices((n, m))
        cost = np.where(np.abs(ii - jj) <= window, cost, np.inf)
    acc = np.full((n + 1, m + 1), np.inf)
    acc[0, 0] = 0.0
    for k in range(2, n + m + 1):  # anti-diagonals i + j = k in the 1-based padded matrix
        i = np.arange(max(1, k - m), min(n, k - 1) + 1)
        j = k - i
        best = np.minimum(np.minimum(acc[i - 1, j - 1], acc[i - 1, j]), acc[i, j - 1])
        acc[i, j] = cost[i - 1, j - 1] + best
    if not np.isfinite(acc[n, m]):
        raise InvalidParameterError("no warping path within the band; widen window")
    # backtrack (preference on ties: diagonal, then insertion, then deletion)
    path = [(n - 1, m - 1)]
    i, j = n, m
    while (i, j) != (1, 1):
        steps = ((i - 1, j - 1), (i - 1, j), (i, j - 1))
        i, j = min(steps, key=lambda s: acc[s])
        path.append((i - 1, j - 1))
    return DtwResult(distance=float(acc[n, m]), path=np.asarray(path[::-1], dtype=np.intp))


@dataclass(frozen=True, slots=True, kw_only=True)
class DifferenceMoment:
    """A moment where the patient's movement differed most from the demonstration."""

    time_s: float
    demonstration_time_s: float
    difference_deg: float


@dataclass(frozen=True, slots=True, kw_only=True)
class DemonstrationComparison:
    """Patient vs demonstration after time warping.

    Attributes
    ----------
    mean_difference_deg : float
        Mean absolute angle difference along the warping path (mean over channels).
    score : float
        ``max(0, 1 - mean_difference_deg / tolerance_deg)``.
    tolerance_deg : float
    tempo_ratio : float
        Patient duration / demonstration duration (> 1: slower than demonstrated).
    worst_moments : tuple of DifferenceMoment
        Largest local differences, largest first.
    dtw_distance : float
    """

    mean_difference_deg: float
    score: float
    tolerance_deg: float
    tempo_ratio: float
    worst_moments: tuple[DifferenceMoment, ...]
    dtw_distance: float


def compare_to_demonstration(
    patient_deg: ArrayLike,
    demonstration_deg: ArrayLike,
    /,
    *,
    patient_rate_hz: float,
    demonstration_rate_hz: float,
    tolerance_deg: float = 20.0,
    n_moments: int = 3,
    window_ratio: float | None = 0.5,
) -> DemonstrationComparison:
    """Compare angle curves with the demonstration of the same exercise (see the module).

    Both curves are resampled to the lower of the two rates before warping.

    Parameters
    ----------
    patient_deg, demonstration_deg : array_like, shape (n,) or (n, k)
        Angle curves in degrees (the same k angles in the same order).
    patient_rate_hz, demonstration_rate_hz : float
    tolerance_deg : float
        Mean difference at which the score reaches 0.
    n_moments : int
        How many worst moments to report.
    window_ratio : float or None
        Sakoe-Chiba band as a share of the longer sequence (None: no band).

    Example
    -------
    >>> import numpy as np
    >>> t = np.linspace(0, 1, 101)
    >>> demo = 80 * np.sin(np.pi * t)
    >>> slow = 80 * np.sin(np.pi * np.linspace(0, 1, 151))        # same shape, 1.5x slower
    >>> c = compare_to_demonstration(slow, demo, patient_rate_hz=100.0,
    ...                              demonstration_rate_hz=100.0)
    >>> round(c.tempo_ratio, 2), c.mean_difference_deg < 1.0
    (1.5, True)
    """
    if not patient_rate_hz > 0 or not demonstration_rate_hz > 0:
        raise InvalidParameterError(
            f"rates must be > 0; got {patient_rate_hz!r} and {demonstration_rate_hz!r}"
        )
    if not tolerance_deg > 0:
        raise InvalidParameterError(f"tolerance_deg must be > 0; got {tolerance_deg!r}")
    p = _as_2d(patient_deg, "patient_deg")
    d = _as_2d(demonstration_deg, "demonstration_deg")
    rate = min(patient_rate_hz, demonstration_rate_hz)

    def resample(x: FloatArray, fs: float) -> FloatArray:
        if fs == rate:
            return x
        t = np.arange(x.shape[0]) / fs
        tn = np.arange(0, t[-1] + 1e-12, 1 / rate)
        return np.stack([np.interp(tn, t, x[:, c]) for c in range(x.shape[1])], axis=1)

    p, d = resample(p, patient_rate_hz), resample(d, demonstration_rate_hz)
    window = None
    if window_ratio is not None:
        window = max(abs(len(p) - len(d)), int(window_ratio * max(len(p), len(d))))
    res = dtw(p, d, window=window)
    diffs = np.abs(p[res.path[:, 0]] - d[res.path[:, 1]]).mean(axis=1)
    mean_diff = float(diffs.mean())
    # local difference per patient sample (max over the demonstration samples it maps to)
    per_sample = np.zeros(len(p))
    np.maximum.at(per_sample, res.path[:, 0], diffs)
    demo_of = np.zeros(len(p), dtype=np.intp)
    demo_of[res.path[:, 0]] = res.path[:, 1]
    peaks, _ = find_peaks(np.r_[0.0, per_sample, 0.0], distance=max(1, int(0.25 * rate)))
    peaks = peaks - 1
    order = peaks[np.argsort(per_sample[peaks])[::-1]][:n_moments]
    moments = tuple(
        DifferenceMoment(
            time_s=float(i / rate),
            demonstration_time_s=float(demo_of[i] / rate),
            difference_deg=float(per_sample[i]),
        )
        for i in order
    )
    return DemonstrationComparison(
        mean_difference_deg=mean_diff,
        score=max(0.0, 1.0 - mean_diff / tolerance_deg),
        tolerance_deg=float(tolerance_deg),
        tempo_ratio=float((len(p) - 1) / (len(d) - 1)),
        worst_moments=moments,
        dtw_distance=res.distance,
    )
