"""SWARII, linear resampling and the artefact purge: closed forms and a loop reference."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from reeducate.errors import InvalidParameterError, SignalQualityError, SignalQualityWarning
from reeducate.signals.resample import (
    isolated_spike_keep_mask,
    linear_resample,
    purge_isolated_spikes,
    swarii,
    uniform_grid,
)


def _jittered_times(n: int, dt: float, jitter: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.arange(n) * dt + rng.uniform(-jitter, jitter, size=n)


def test_constant_is_preserved() -> None:
    t = _jittered_times(600, 1 / 60, 0.004, seed=0)
    t -= t[0]
    grid, y = swarii(t, np.full((600, 2), [1.5, -2.0]), target_rate_hz=25.0, window_s=0.08)
    assert_allclose(y, np.broadcast_to([1.5, -2.0], y.shape), rtol=1e-14)
    assert_allclose(np.diff(grid), 0.04, rtol=1e-9)


def test_jittery_ramp_is_reproduced_within_half_the_largest_gap() -> None:
    # Each window average is the mean of the piecewise-constant (Voronoi) interpolant, which is
    # within half the local sample gap g of the true time: |y - (a c + b)| <= |a| g_max / 2.
    t = _jittered_times(2000, 1 / 65, 0.005, seed=3)
    t -= t[0]
    a, b = 0.7, -0.2
    grid, y = swarii(t, a * t + b, target_rate_hz=25.0, window_s=0.08)
    interior = (grid - 0.04 > t[0]) & (grid + 0.04 < t[-1])
    bound = abs(a) * np.max(np.diff(t)) / 2
    err = np.abs(y - (a * grid + b))[interior]
    assert err.max() <= bound
    assert err.max() > 0  # jitter does move the estimate: the bound is not vacuous


def test_uniform_input_at_the_target_rate_is_returned_unchanged() -> None:
    t = np.arange(500) / 25.0
    x = np.random.default_rng(4).normal(size=(500, 2))
    grid, y = swarii(t, x, target_rate_hz=25.0, window_s=0.04)  # one sample per window
    # The grid is built by repeated addition (as the reference code); whether its last point
    # rounds below the last sample time decides if that sample is included.
    m = len(grid)
    assert m in (499, 500)
    assert_allclose(grid, t[:m], rtol=0, atol=1e-12)
    np.testing.assert_array_equal(y, x[:m])


def _swarii_loop(t: np.ndarray, x: np.ndarray, rate: float, window: float) -> np.ndarray:
    """Direct transcription of the published algorithm (Audiffren & Contal 2016)."""
    half = window / 2
    out = []
    c = max(0.0, t[0])
    while c < t[-1]:
        rel = [i for i in range(len(t)) if abs(t[i] - c) < half]
        if len(rel) == 1:
            out.append(x[rel[0]])
        elif rel:
            num, den = 0.0, 0.0
            for j, i in enumerate(rel):
                left = max(t[0], c - half) if j == 0 or i == 0 else 0.5 * (t[i] + t[i - 1])
                right = min(t[-1], c + half) if j == len(rel) - 1 else 0.5 * (t[i + 1] + t[i])
                num += x[i] * (right - left)
                den += right - left
            out.append(num / den)
        c += 1 / rate
    return np.array(out)


def test_swarii_matches_the_sample_by_sample_algorithm() -> None:
    t = _jittered_times(400, 0.01, 0.003, seed=5)
    t -= t[0]
    x = np.cumsum(np.random.default_rng(6).normal(size=400))
    _, y = swarii(t, x, target_rate_hz=25.0, window_s=0.08 - 1e-6)
    # same arithmetic in another summation order: rounding only
    assert_allclose(y, _swarii_loop(t, x, 25.0, 0.08 - 1e-6), rtol=1e-12, atol=1e-12)


def test_empty_windows_are_interpolated_with_a_warning() -> None:
    t = np.concatenate([np.arange(0, 1, 0.01), np.arange(1.5, 3, 0.01)])
    with pytest.warns(SignalQualityWarning, match="empty window"):
        grid, y = swarii(t, 2.0 * t, target_rate_hz=25.0, window_s=0.08)
    gap = (grid > 1.05) & (grid < 1.45)
    assert gap.any()
    assert_allclose(y[gap], 2.0 * grid[gap], rtol=0.05)


def test_non_increasing_time_is_refused() -> None:
    with pytest.raises(SignalQualityError, match="strictly increasing"):
        swarii(np.array([0.0, 0.1, 0.1, 0.2]), np.zeros(4), target_rate_hz=10.0, window_s=0.1)
    with pytest.raises(InvalidParameterError, match="target_rate_hz"):
        swarii(np.arange(4.0), np.zeros(4), target_rate_hz=0.0, window_s=0.1)


def test_uniform_grid_accumulates_like_a_loop() -> None:
    c, expected = 0.1, []
    while c < 59.98:
        expected.append(c)
        c += 1 / 25
    np.testing.assert_array_equal(uniform_grid(start_s=0.1, stop_s=59.98, rate_hz=25.0), expected)


def test_linear_resample_of_a_line_is_exact() -> None:
    t = _jittered_times(300, 0.02, 0.005, seed=7)
    grid, y = linear_resample(t, 3.0 * t - 1.0, target_rate_hz=10.0)
    assert_allclose(y, 3.0 * grid - 1.0, rtol=1e-12, atol=1e-12)


def _purge_loop(t: np.ndarray, x: np.ndarray, up: float, down: float, tmin: float) -> np.ndarray:
    """The purge as published: a sequential scan against the last kept sample."""
    kept: list[int] = []
    for i in range(1, len(t) - 1):
        if t[i] < tmin:
            continue
        if kept:
            ref = x[kept[-1]]
            if np.abs(x[i + 1] - ref).sum() < down and np.abs(x[i] - ref).sum() > up:
                continue
            if (
                1 < i < len(t) - 2
                and np.abs(x[i + 2] - ref).sum() < down
                and np.abs(x[i] - ref).sum() > up
            ):
                continue
        kept.append(i)
    mask = np.zeros(len(t), dtype=bool)
    mask[kept] = True
    return mask


def test_purge_matches_the_sequential_scan_with_adjacent_spikes() -> None:
    t = np.arange(300) * 0.01
    x = np.zeros((300, 2))
    x[50] = [3.0, 0.0]  # one-sample spike
    x[100:102] = [0.0, 2.6]  # two-sample spike
    x[150], x[151], x[152] = [2.5, 0.0], [0.0, 2.5], [2.5, 2.5]  # spike train
    x[200:] += [5.0, 0.0]  # a real step: kept
    x[5] = [9.0, 9.0]  # before min_time: dropped anyway
    mask = isolated_spike_keep_mask(t, x, jump_threshold=2.0, return_threshold=0.5, min_time_s=0.1)
    np.testing.assert_array_equal(mask, _purge_loop(t, x, 2.0, 0.5, 0.1))
    assert not mask[[0, 50, 100, 101, 299]].any() and mask[[200, 201]].all()
    tk, xk = purge_isolated_spikes(t, x, jump_threshold=2.0, return_threshold=0.5, min_time_s=0.1)
    np.testing.assert_array_equal(tk, t[mask])
    np.testing.assert_array_equal(xk, x[mask])


def test_purge_matches_the_scan_on_random_spiky_data() -> None:
    rng = np.random.default_rng(8)
    t = np.arange(3000) * 0.01
    x = np.cumsum(rng.normal(scale=0.05, size=(3000, 2)), axis=0)
    spikes = rng.choice(3000, size=80, replace=False)
    x[spikes] += rng.choice([-3.0, 3.0], size=(80, 2))
    mask = isolated_spike_keep_mask(t, x, jump_threshold=2.0, return_threshold=0.5, min_time_s=0.1)
    np.testing.assert_array_equal(mask, _purge_loop(t, x, 2.0, 0.5, 0.1))
