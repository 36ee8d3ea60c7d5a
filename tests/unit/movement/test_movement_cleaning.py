"""Cleaning steps against closed forms and plain reference loops."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.signal import lfilter

from reeducate.errors import InvalidParameterError
from reeducate.movement.cleaning import (
    CleaningSettings,
    OneEuroFilter,
    butterworth_nan_aware,
    clean_keypoints,
    fill_gaps,
    hampel,
    one_euro,
)
from reeducate.movement.keypoints import KeypointSeries


def _hampel_loop(x: np.ndarray, k: int, n_sigma: float) -> np.ndarray:
    """Textbook Hampel identifier, one sample at a time (windows shrink at the edges)."""
    flags = np.zeros(len(x), dtype=bool)
    for i in range(len(x)):
        w = x[max(0, i - k) : i + k + 1]
        w = w[np.isfinite(w)]
        med = np.median(w)
        mad = np.median(np.abs(w - med))
        flags[i] = abs(x[i] - med) > n_sigma * 1.4826 * mad
    return flags


def test_hampel_matches_loop_and_keeps_input() -> None:
    rng = np.random.default_rng(3)
    x = np.cumsum(rng.normal(size=300))
    x[[40, 41, 150, 299]] += [25.0, -30.0, 40.0, 35.0]
    x[100:104] = np.nan
    before = x.copy()
    cleaned, flags = hampel(x, window_frames=4, n_sigma=3.0)
    assert_allclose(x, before, equal_nan=True)  # input not mutated
    assert np.array_equal(flags, _hampel_loop(x, 4, 3.0))
    assert flags[[40, 150, 299]].all()
    assert np.isnan(cleaned[flags]).all()


def test_fill_gaps_linear_and_limits() -> None:
    x = np.array([np.nan, 1.0, np.nan, np.nan, 4.0, np.nan, np.nan, np.nan, 8.0, np.nan])
    got = fill_gaps(x, max_gap_frames=2)
    assert_allclose(got, [np.nan, 1, 2, 3, 4, np.nan, np.nan, np.nan, 8, np.nan], equal_nan=True)
    cubic = fill_gaps(
        np.r_[np.arange(5.0) ** 2, np.nan, np.arange(6.0, 10) ** 2],
        max_gap_frames=1,
        method="cubic",
    )
    assert cubic[5] == pytest.approx(25.0)  # a cubic spline reproduces a parabola exactly


def test_butterworth_leaves_nan_and_filters_runs() -> None:
    t = np.arange(400) / 100.0
    x = np.sin(2 * np.pi * 1.0 * t) + 0.2 * np.sin(2 * np.pi * 30.0 * t)
    x[200:205] = np.nan
    y = butterworth_nan_aware(x, sampling_rate_hz=100.0, cutoff_hz=6.0, order=2)
    assert np.isnan(y[200:205]).all()
    clean = np.sin(2 * np.pi * 1.0 * t)
    # 30 Hz is attenuated by the 4th-order zero-phase filter to |H|^2 = 1/(1+(30/6)^8) ~ 2.6e-6
    assert np.max(np.abs(y[50:150] - clean[50:150])) < 0.01


def test_one_euro_with_zero_beta_is_first_order_lowpass() -> None:
    """beta = 0: y[n] = a x[n] + (1 - a) y[n-1], a = 1 / (1 + tau / T), tau = 1/(2 pi fc)."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    fs, fc = 50.0, 2.0
    a = 1.0 / (1.0 + (1.0 / (2 * np.pi * fc)) * fs)
    want = lfilter([a], [1, -(1 - a)], x[1:], zi=[(1 - a) * x[0]])[0]
    got = one_euro(x, sampling_rate_hz=fs, min_cutoff_hz=fc, beta=0.0, d_cutoff_hz=1.0)
    assert got[0] == x[0]
    assert_allclose(got[1:], want, rtol=1e-9, atol=1e-14)  # same recursion, other rounding order


def test_one_euro_adapts_to_speed() -> None:
    fast = np.r_[np.zeros(20), np.arange(1, 41) * 5.0]
    slow = one_euro(fast, sampling_rate_hz=30.0, min_cutoff_hz=1.0, beta=0.0, d_cutoff_hz=1.0)
    adaptive = one_euro(fast, sampling_rate_hz=30.0, min_cutoff_hz=1.0, beta=0.5, d_cutoff_hz=1.0)
    assert abs(adaptive[-1] - fast[-1]) < abs(slow[-1] - fast[-1])  # less lag when moving
    f = OneEuroFilter(min_cutoff_hz=1.0, beta=0.0, d_cutoff_hz=1.0)
    f.step([1.0], t_s=0.0)
    with pytest.raises(InvalidParameterError, match="t_s must increase"):
        f.step([1.0], t_s=0.0)


def test_clean_keypoints_counts_each_step() -> None:
    n = 90
    t = np.arange(n) / 30.0
    pos = np.zeros((n, 2, 2))
    pos[:, 0] = np.c_[100 + 20 * np.sin(t), 200 + 10 * np.cos(t)]
    pos[:, 1] = np.c_[150 + 5 * t, 300.0 + 0 * t]
    conf = np.ones((n, 2))
    conf[10:13, 0] = 0.1  # 3 low-confidence frames
    pos[60, 1] += [0.0, 90.0]  # one outlier
    s = KeypointSeries(
        positions=pos,
        confidence=conf,
        keypoint_names=("left_knee", "left_ankle"),
        frame_rate_hz=30.0,
        unit="px",
        skeleton="markers",
    )
    r = clean_keypoints(s, settings=CleaningSettings(filter="none"))
    assert (r.n_low_confidence, r.n_outliers, r.n_filled, r.n_missing) == (3, 1, 4, 0)
    assert r.series.point("left_ankle")[60, 1] == pytest.approx(300.0)
    assert s.positions[60, 1, 1] == 390.0  # input untouched
    with pytest.raises(InvalidParameterError, match="filter"):
        CleaningSettings(filter="kalman")  # type: ignore[arg-type]
