"""Sway density: closed forms, the sample-by-sample definition, peaks, errors."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.signal import butter, filtfilt, find_peaks

from reeducate.balance.metrics.sway_density import (
    SwayDensityConventions,
    _positive_stretch_peaks,
    sway_density_curve,
    sway_density_metrics,
)
from reeducate.errors import InvalidParameterError

FS = 100.0


def test_constant_cop_stays_within_r_for_the_whole_record() -> None:
    n = 500
    curve = sway_density_curve(
        np.full(n, 0.01), np.full(n, -0.02), sampling_rate_hz=FS, radius_m=0.003
    )
    assert_allclose(curve, (n - 1) / FS, rtol=0)  # (n - 1) / fs: the record's sample span
    out = sway_density_metrics(
        np.full(n, 0.01),
        np.full(n, -0.02),
        sampling_rate_hz=FS,
        conventions=SwayDensityConventions(),
    )
    assert np.isnan(out["sway_density_mean_peak_s"])  # a flat curve has no peak


def test_constant_speed_stays_2r_over_v_away_from_the_ends() -> None:
    n, v, r = 1000, 0.007, 0.003  # R fs / v = 42.86: not an integer, no boundary tie
    x = v * np.arange(n) / FS
    curve = sway_density_curve(x, np.zeros(n), sampling_rate_hz=FS, radius_m=r)
    m = int(np.floor(r * FS / v))  # samples within R on each side
    idx = np.arange(n)
    expected = (np.minimum(idx + m, n - 1) - np.maximum(idx - m, 0)) / FS  # ends truncated
    assert_allclose(curve, expected, rtol=0, atol=1e-15)
    assert abs(curve[n // 2] - 2 * r / v) < 2 / FS  # floor() costs under one sample a side


def _curve_loop(p: np.ndarray, radius: float) -> np.ndarray:
    """The definition, sample by sample (as the reference code loops)."""
    n = len(p)
    out = np.empty(n)
    for t in range(n):
        f = t + 1
        while f < n and np.linalg.norm(p[f] - p[t]) <= radius:
            f += 1
        b = t - 1
        while b >= 0 and np.linalg.norm(p[b] - p[t]) <= radius:
            b -= 1
        out[t] = (f - b - 2) / FS
    return out


def test_curve_equals_the_sample_by_sample_definition() -> None:
    rng = np.random.default_rng(0)
    walk = np.cumsum(rng.normal(scale=4e-4, size=(800, 2)), axis=0)
    curve = sway_density_curve(walk[:, 1], walk[:, 0], sampling_rate_hz=FS, radius_m=0.003)
    np.testing.assert_array_equal(curve, _curve_loop(walk, 0.003))  # same comparisons: exact


def test_metrics_follow_the_filtered_curve_peaks() -> None:
    rng = np.random.default_rng(1)
    walk = np.cumsum(rng.normal(scale=3e-4, size=(3000, 2)), axis=0)
    ap, ml = walk[:, 1], walk[:, 0]
    conv = SwayDensityConventions.quijoux_2021()
    out = sway_density_metrics(ap, ml, sampling_rate_hz=FS, conventions=conv)
    b, a = butter(4, 2.5 / 50)
    smooth = filtfilt(b, a, _curve_loop(walk, 0.003)[:-1])
    peaks = find_peaks(smooth)[0]
    assert out["sway_density_mean_peak_s"] == pytest.approx(smooth[peaks].mean(), rel=1e-12)
    dist = np.linalg.norm(np.diff(walk[peaks], axis=0), axis=1).mean()
    assert out["sway_density_mean_distance_peak_m"] == pytest.approx(dist, rel=1e-12)


def _stretch_peaks_loop(s: np.ndarray) -> list[int]:
    """One peak (first maximum) per positive stretch bounded by two sign changes, scanning
    sample by sample as the earlier version of the reference code did."""
    peaks: list[int] = []
    side = np.sign(s[s != 0][0])
    seen_crossing = False
    best, best_i, past = 0.0, 0, 0.0
    for i, value in enumerate(s):
        if i and value != 0 and value * past <= 0 and np.sign(value) != side:
            if seen_crossing and value < 0:
                peaks.append(best_i)
            seen_crossing, side, best = True, np.sign(value), 0.0
        if value > best:
            best, best_i = value, i
        past = value
    return peaks


def test_median_crossing_peaks_equal_the_sequential_scan() -> None:
    rng = np.random.default_rng(2)
    s = np.round(np.convolve(rng.normal(size=3000), np.ones(25) / 25, mode="same"), 2)
    assert (s == 0).any()  # zeros inside stretches are part of the test
    got = _positive_stretch_peaks(s)
    np.testing.assert_array_equal(got, _stretch_peaks_loop(s))
    assert got.size > 20


def test_invalid_conventions_and_inputs_are_refused() -> None:
    with pytest.raises(InvalidParameterError, match="radius_m must be > 0"):
        SwayDensityConventions(radius_m=0.0)
    with pytest.raises(InvalidParameterError, match="Nyquist"):
        sway_density_metrics(
            np.zeros(100), np.zeros(100), sampling_rate_hz=4.0, conventions=SwayDensityConventions()
        )
    with pytest.raises(InvalidParameterError, match="equal length"):
        sway_density_curve(np.zeros(3), np.zeros(4), sampling_rate_hz=FS, radius_m=0.003)
    assert SwayDensityConventions.quijoux_2021().as_dict()["radius_m"] == 0.003
