"""Repetitions: segmentation, count, range of motion, tempo, rest, consistency and symmetry.

Method (OpenCap's squat segmentation, ``opencap-processing/ActivityAnalyses/squat_analysis.py``,
generalised to any task signal, and with start and end found independently so pauses between
repetitions are handled, as asked in opencap-processing#118):

1. **Peaks**: ``scipy.signal.find_peaks`` on the task signal (e.g. knee flexion for a squat),
   keeping peaks whose prominence is at least ``min_prominence_ratio`` of the signal's robust
   range (5th-95th percentile) and that are at least ``min_interval_s`` apart.
2. **Troughs**: the minimum between consecutive peaks (and between the recording's ends and
   the first/last peak) bounds each repetition.
3. **Events**, by linear interpolation between samples, on each side of the peak, relative to
   that side's own trough: *start*/*end* where the signal crosses ``trough + rest_level_ratio x
   (peak - trough)``, the *hold* phase where it is above ``hold_level_ratio`` of that
   excursion, and the *half-width* at 50 %.

**Hysteresis** (``method="hysteresis"``, for noisy or gapped curves such as 2-D video angles,
where a person turns away or leaves the frame): a repetition is the signal rising from below a
*low* level to above a *high* level (a Schmitt trigger, Schmitt 1938: noise between the
levels cannot add a count); its peak is the highest sample before the signal next falls below
the low level. The levels are given, or taken at ``hysteresis_ratios`` (30 %
and 70 % by default) of the robust range. Gaps are not filled: the trigger's state carries over
a gap (arms seen up before and after a gap are one repetition), nothing counts before the
signal has been seen below the low level, and each repetition's troughs and events are
searched in the NaN-free run that holds its peak (a repetition cut by a gap ends at the gap).
A peak-prominence count needs both sides of a peak and misses a last repetition that a gap
cuts; this one does not.

Per repetition: range of motion ``peak - min(trough before, trough after)``; duration
``end - start``; tempo = rise (start -> reaching the hold level), hold, return (leaving the
hold level -> end); rest before (previous end -> start). Across repetitions: mean, SD and
coefficient of variation (sample SD, ``ddof=1``). Left/right symmetry: the symmetry index of
Robinson et al. (1987).

References
----------
Uhlrich SD et al. (2023) OpenCap: human movement dynamics from smartphone videos. PLoS Comput
Biol 19(10):e1011462, doi:10.1371/journal.pcbi.1011462.
Schmitt OH (1938) A thermionic trigger. J Sci Instrum 15(1):24-26,
doi:10.1088/0950-7671/15/1/305 (hysteresis between two levels).
Robinson RO, Herzog W, Nigg BM (1987) Use of force platform variables to quantify the effects
of chiropractic manipulation on gait symmetry. J Manipulative Physiol Ther 10(4):172-176
(symmetry index).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.signal import find_peaks

from reeducate.errors import InvalidParameterError, SignalQualityError
from reeducate.signals.checks import check_sampling_rate

FloatArray = NDArray[np.float64]


@dataclass(frozen=True, slots=True, kw_only=True)
class Repetition:
    """One repetition; times in seconds from the start of the signal, values in its unit.

    Attributes
    ----------
    index : int
        1-based number of the repetition.
    start_s, peak_s, end_s : float
        Start and end (rest-level crossings) and time of the peak.
    peak_value, trough_before_value, trough_after_value : float
        Signal at the peak and at the troughs bounding the repetition.
    rom : float
        Range of motion ``peak - min(troughs)`` (degrees for an angle).
    duration_s : float
        ``end_s - start_s``.
    half_width_s : float
        Time above the 50 % level of each side's excursion.
    rise_s, hold_s, return_s : float
        Tempo: start -> hold level, time above the hold level, hold level -> end.
    rest_before_s : float or None
        Previous repetition's end -> this start; None for the first.
    """

    index: int
    start_s: float
    peak_s: float
    end_s: float
    peak_value: float
    trough_before_value: float
    trough_after_value: float
    rom: float
    duration_s: float
    half_width_s: float
    rise_s: float
    hold_s: float
    return_s: float
    rest_before_s: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Spread:
    """Mean, sample SD and coefficient of variation (SD/|mean| x 100) of a per-rep value."""

    mean: float
    sd: float
    cv_pct: float

    @staticmethod
    def of(values: ArrayLike) -> Spread:
        """Spread of ``values`` (SD and CV are NaN for fewer than 2 values)."""
        v = np.asarray(values, dtype=np.float64)
        if v.size == 0:
            return Spread(mean=float("nan"), sd=float("nan"), cv_pct=float("nan"))
        mean = float(np.mean(v))
        sd = float(np.std(v, ddof=1)) if v.size > 1 else float("nan")
        cv = 100.0 * sd / abs(mean) if mean != 0 and np.isfinite(sd) else float("nan")
        return Spread(mean=mean, sd=sd, cv_pct=cv)


@dataclass(frozen=True, slots=True, kw_only=True)
class RepetitionAnalysis:
    """Repetitions found in one signal, with the settings used.

    Attributes
    ----------
    repetitions : tuple of Repetition
    rom, duration_s, rise_s, hold_s, return_s : Spread
        Across repetitions (consistency: ``rom.cv_pct``, ``duration_s.cv_pct``).
    rest_s : Spread
        Rest between repetitions.
    direction : {"peaks", "troughs"}
        Whether repetitions are peaks of the signal or troughs (then values are of the
        negated signal: ``rom`` stays positive).
    min_prominence_ratio, min_interval_s, rest_level_ratio, hold_level_ratio : float
        The settings.
    method : {"prominence", "hysteresis"}
        How repetitions were found (see the module).
    levels : tuple of float or None
        ``(low, high)`` levels of the hysteresis, in the signal's unit (for ``"troughs"``, a
        repetition falls from above ``high`` to below ``low``); None for ``"prominence"``.
    """

    repetitions: tuple[Repetition, ...]
    rom: Spread
    duration_s: Spread
    rise_s: Spread
    hold_s: Spread
    return_s: Spread
    rest_s: Spread
    direction: Literal["peaks", "troughs"]
    min_prominence_ratio: float
    min_interval_s: float
    rest_level_ratio: float
    hold_level_ratio: float
    method: Literal["prominence", "hysteresis"] = "prominence"
    levels: tuple[float, float] | None = None

    @property
    def count(self) -> int:
        """Number of repetitions."""
        return len(self.repetitions)


def _rise_crossing(x: FloatArray, lo: int, peak: int, level: float) -> float:
    """Fractional index where x last rises through ``level`` in [lo, peak]."""
    seg = x[lo : peak + 1]
    below = np.flatnonzero(seg < level)
    if below.size == 0:
        return float(lo)
    k = lo + int(below[-1])
    x0, x1 = x[k], x[k + 1]
    return k + float((level - x0) / (x1 - x0))


def _fall_crossing(x: FloatArray, peak: int, hi: int, level: float) -> float:
    """Fractional index where x first falls through ``level`` in [peak, hi]."""
    seg = x[peak : hi + 1]
    below = np.flatnonzero(seg < level)
    if below.size == 0:
        return float(hi)
    k = peak + int(below[0])
    x0, x1 = x[k - 1], x[k]
    return (k - 1) + float((x0 - level) / (x0 - x1))


def _hysteresis_peaks(x: FloatArray, low: float, high: float) -> NDArray[np.intp]:
    """Peaks of the rises from below ``low`` to above ``high`` (NaN samples are skipped)."""
    n = x.size
    with np.errstate(invalid="ignore"):
        marks = np.where(x > high, 1, np.where(x < low, -1, 0)).astype(np.int8)
    last = np.maximum.accumulate(np.where(marks != 0, np.arange(n), -1))
    state = np.where(last >= 0, marks[np.maximum(last, 0)], 0)  # trigger state, carried over gaps
    up = np.concatenate(([False], state == 1, [False]))
    starts = np.flatnonzero(~up[:-1] & up[1:])
    stops = np.flatnonzero(up[:-1] & ~up[1:])
    peaks = [
        a + int(np.nanargmax(x[a:b]))
        for a, b in zip(starts, stops, strict=True)
        if a > 0 and state[a - 1] == -1  # a rise from below the low level; not the start
    ]
    return np.asarray(peaks, dtype=np.intp)


def _finite_run(finite: NDArray[np.bool_], i: int) -> tuple[int, int]:
    """First and last index of the NaN-free run holding sample ``i``."""
    gaps = np.flatnonzero(~finite)
    before = gaps[gaps < i]
    after = gaps[gaps > i]
    lo = int(before[-1]) + 1 if before.size else 0
    hi = int(after[0]) - 1 if after.size else finite.size - 1
    return lo, hi


def segment_repetitions(
    signal: ArrayLike,
    /,
    *,
    sampling_rate_hz: float,
    min_prominence_ratio: float = 0.5,
    min_interval_s: float = 0.5,
    direction: Literal["peaks", "troughs"] = "peaks",
    rest_level_ratio: float = 0.1,
    hold_level_ratio: float = 0.9,
    method: Literal["prominence", "hysteresis"] = "prominence",
    levels: tuple[float, float] | None = None,
    hysteresis_ratios: tuple[float, float] = (0.3, 0.7),
) -> RepetitionAnalysis:
    """Find repetitions in a task signal and measure each (see the module for the method).

    Parameters
    ----------
    signal : array_like, shape (n_samples,)
        Uniformly sampled task signal (an angle in degrees, a height in metres ...). With
        ``method="prominence"``, short NaN gaps are interpolated linearly for the search;
        leading and trailing NaNs are cut off; more than 20 % NaN in between is refused.
        With ``method="hysteresis"``, NaNs (frames where the angle is not measured) are
        left as gaps.
    sampling_rate_hz : float
        Sampling rate in Hz.
    min_prominence_ratio : float
        Smallest peak prominence as a share of the robust range, in (0, 1] (``"prominence"``).
    min_interval_s : float
        Smallest time between two peaks, > 0 (``"prominence"``).
    direction : {"peaks", "troughs"}
        ``"troughs"`` when the movement makes the signal *fall* (then the negated signal is
        analysed).
    rest_level_ratio, hold_level_ratio : float
        Levels of the start/end and of the hold phase, shares of each side's excursion,
        ``0 < rest < 0.5 < hold < 1``.
    method : {"prominence", "hysteresis"}
        Peak prominence (OpenCap; Uhlrich et al. 2023, doi:10.1371/journal.pcbi.1011462) or
        hysteresis between two levels (see the module).
    levels : (float, float), optional
        ``(low, high)`` of the hysteresis in the signal's unit, ``low < high``; for
        ``"troughs"`` a repetition falls from above ``high`` to below ``low``. Default: from
        ``hysteresis_ratios``.
    hysteresis_ratios : (float, float)
        ``(low, high)`` as shares of the robust range (5th-95th percentile) measured from its
        bottom in the direction of the movement, ``0 < low < high < 1``.

    Raises
    ------
    SignalQualityError
        Too many missing samples, or a flat signal.

    Example
    -------
    >>> import numpy as np
    >>> t = np.arange(0, 10, 0.01)
    >>> knee = 40 * (1 - np.cos(2 * np.pi * 0.5 * t))          # 5 reps of 2 s, 0-80 deg
    >>> r = segment_repetitions(knee, sampling_rate_hz=100.0)
    >>> r.count, round(r.rom.mean, 3), round(r.repetitions[1].half_width_s, 3)
    (5, 80.0, 1.0)
    >>> knee[480:] = np.nan                      # the person walks out of view in the 3rd rep
    >>> h = segment_repetitions(knee, sampling_rate_hz=100.0, method="hysteresis",
    ...                         levels=(20.0, 60.0))
    >>> h.count, [round(r.peak_s, 2) for r in h.repetitions], round(h.repetitions[2].rom, 1)
    (3, [1.0, 3.0, 4.79], 71.6)
    """
    x = np.array(signal, dtype=np.float64, copy=True)
    if x.ndim != 1:
        raise InvalidParameterError(f"signal must be 1-D; got shape {x.shape}")
    check_sampling_rate(sampling_rate_hz)
    if not 0 < min_prominence_ratio <= 1:
        raise InvalidParameterError(
            f"min_prominence_ratio must lie in (0, 1]; got {min_prominence_ratio!r}"
        )
    if not min_interval_s > 0:
        raise InvalidParameterError(f"min_interval_s must be > 0; got {min_interval_s!r}")
    if not 0 < rest_level_ratio < 0.5 < hold_level_ratio < 1:
        raise InvalidParameterError(
            "levels must satisfy 0 < rest_level_ratio < 0.5 < hold_level_ratio < 1; got "
            f"{rest_level_ratio!r} and {hold_level_ratio!r}"
        )
    if direction not in ("peaks", "troughs"):
        raise InvalidParameterError(f"direction must be 'peaks' or 'troughs'; got {direction!r}")
    if method not in ("prominence", "hysteresis"):
        raise InvalidParameterError(
            f"method must be 'prominence' or 'hysteresis'; got {method!r}"
        )
    r_lo, r_hi = (float(v) for v in hysteresis_ratios)
    if not 0 < r_lo < r_hi < 1:
        raise InvalidParameterError(
            f"hysteresis_ratios must satisfy 0 < low < high < 1; got {hysteresis_ratios!r}"
        )
    if levels is not None and not float(levels[0]) < float(levels[1]):
        raise InvalidParameterError(f"levels must be (low, high) with low < high; got {levels!r}")
    sign = 1.0 if direction == "peaks" else -1.0
    fs = float(sampling_rate_hz)
    offset = 0
    used_levels: tuple[float, float] | None = None
    if method == "prominence":
        finite_idx = np.flatnonzero(np.isfinite(x))
        # leading and trailing gaps (the person not yet or no longer in view) are cut off; the
        # times below stay measured from the start of the signal
        offset = int(finite_idx[0]) if finite_idx.size else 0
        if finite_idx.size:
            x = x[offset : int(finite_idx[-1]) + 1]
        n = x.size
        missing = ~np.isfinite(x)
        if n < 3 or missing.mean() > 0.2:
            raise SignalQualityError(
                f"signal has {int(missing.sum())} missing samples of {n} in the span where it "
                "is seen; at most 20 % may be missing to find repetitions"
            )
        if missing.any():
            idx = np.arange(n)
            x[missing] = np.interp(idx[missing], idx[~missing], x[~missing])
    n = x.size
    finite = np.isfinite(x)
    if finite.sum() < 3:
        raise SignalQualityError(
            f"signal has {int(finite.sum())} measured samples of {n}; at least 3 are needed "
            "to find repetitions"
        )
    x = sign * x
    lo_p, hi_p = np.percentile(x[finite], [5, 95])
    span = float(hi_p - lo_p)
    if span <= 0:
        raise SignalQualityError("signal is flat (5th and 95th percentiles equal); no movement")
    if method == "prominence":
        distance = max(1, round(min_interval_s * fs))
        peaks, _ = find_peaks(x, prominence=min_prominence_ratio * span, distance=distance)
        run_lo = np.zeros(peaks.size, dtype=np.intp)
        run_hi = np.full(peaks.size, n - 1, dtype=np.intp)
    else:
        if levels is not None:
            low, high = sorted(sign * float(v) for v in levels)
        else:
            low, high = float(lo_p) + r_lo * span, float(lo_p) + r_hi * span
        used_levels = (low, high) if direction == "peaks" else (-high, -low)
        peaks = _hysteresis_peaks(x, low, high)
        runs = [_finite_run(finite, int(p)) for p in peaks]
        run_lo = np.asarray([r[0] for r in runs], dtype=np.intp)
        run_hi = np.asarray([r[1] for r in runs], dtype=np.intp)
    t_off = offset / fs
    reps: list[Repetition] = []
    prev_end: float | None = None
    bounds = np.concatenate(([0], peaks, [n - 1]))
    for i, p in enumerate(peaks):
        left = max(int(bounds[i]), int(run_lo[i]))
        right = min(int(bounds[i + 2]), int(run_hi[i]))
        tb = left + int(np.argmin(x[left : p + 1]))
        ta = int(p) + int(np.argmin(x[p : right + 1]))
        peak_v = float(x[p])
        exc_b = peak_v - float(x[tb])
        exc_a = peak_v - float(x[ta])

        def rise(q: float, p: int = int(p), tb: int = tb, exc_b: float = exc_b) -> float:
            return t_off + _rise_crossing(x, tb, p, float(x[tb]) + q * exc_b) / fs

        def fall(q: float, p: int = int(p), ta: int = ta, exc_a: float = exc_a) -> float:
            return t_off + _fall_crossing(x, p, ta, float(x[ta]) + q * exc_a) / fs

        start, end = rise(rest_level_ratio), fall(rest_level_ratio)
        h_in, h_out = rise(hold_level_ratio), fall(hold_level_ratio)
        reps.append(
            Repetition(
                index=i + 1,
                start_s=start,
                peak_s=t_off + int(p) / fs,
                end_s=end,
                peak_value=sign * peak_v,
                trough_before_value=sign * float(x[tb]),
                trough_after_value=sign * float(x[ta]),
                rom=peak_v - float(min(x[tb], x[ta])),
                duration_s=end - start,
                half_width_s=fall(0.5) - rise(0.5),
                rise_s=h_in - start,
                hold_s=h_out - h_in,
                return_s=end - h_out,
                rest_before_s=None if prev_end is None else max(0.0, start - prev_end),
            )
        )
        prev_end = end
    rests = [r.rest_before_s for r in reps if r.rest_before_s is not None]
    return RepetitionAnalysis(
        repetitions=tuple(reps),
        rom=Spread.of([r.rom for r in reps]),
        duration_s=Spread.of([r.duration_s for r in reps]),
        rise_s=Spread.of([r.rise_s for r in reps]),
        hold_s=Spread.of([r.hold_s for r in reps]),
        return_s=Spread.of([r.return_s for r in reps]),
        rest_s=Spread.of(rests),
        direction=direction,
        min_prominence_ratio=float(min_prominence_ratio),
        min_interval_s=float(min_interval_s),
        rest_level_ratio=float(rest_level_ratio),
        hold_level_ratio=float(hold_level_ratio),
        method=method,
        levels=used_levels,
    )


def symmetry_index_pct(left: float, right: float, /) -> float:
    """Symmetry index ``100 x (L - R) / ((L + R) / 2)`` (Robinson et al. 1987).

    0 is perfect symmetry; positive means the left value is larger.

    Example
    -------
    >>> round(symmetry_index_pct(90.0, 80.0), 3)
    11.765
    """
    mean = 0.5 * (left + right)
    if mean == 0:
        raise InvalidParameterError("symmetry index needs left + right != 0; got 0")
    return 100.0 * (left - right) / mean
