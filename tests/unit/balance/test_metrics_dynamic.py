"""Dynamic metrics: circle and sine closed forms, duration conventions, velocity peaks."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from numpy.testing import assert_allclose

from reeducate.balance.conventions import SwayConventions
from reeducate.balance.metrics.dynamic import dynamic_metrics, velocity_peaks
from reeducate.balance.metrics.ellipse import ellipse_metrics
from reeducate.balance.metrics.positional import positional_metrics
from reeducate.errors import InvalidParameterError, SignalQualityError

FS_HZ = 100.0


def _circle(radius_m: float, turns: int, samples_per_turn: int) -> tuple[np.ndarray, np.ndarray]:
    # turns * samples_per_turn + 1 samples: exactly `turns` closed turns of path.
    phase = 2 * np.pi * np.arange(turns * samples_per_turn + 1) / samples_per_turn
    return radius_m * np.cos(phase) + 0.3, radius_m * np.sin(phase) - 0.1


@pytest.mark.parametrize(("radius_m", "turns"), [(0.01, 1), (0.004, 3), (0.02, 7)])
def test_circle_path_is_2_pi_r_k(radius_m: float, turns: int) -> None:
    ap, ml = _circle(radius_m, turns, samples_per_turn=10_000)
    conventions = replace(SwayConventions(), velocity_duration="n_minus_1_over_fs")
    m = dynamic_metrics(ap, ml, sampling_rate_hz=FS_HZ, conventions=conventions)
    # Chords of 2π/10000 rad undershoot the arc by (π/10000)²/6 = 1.6e-8 relative.
    assert_allclose(m["path_length_m"], 2 * math.pi * radius_m * turns, rtol=3e-8)
    # The closing sample repeats the first, so the centring is not exactly the circle centre;
    # the mean distance is r to O(1/N).
    assert_allclose(positional_metrics(ap, ml)["mean_distance_m"], radius_m, rtol=1e-3)
    # T = (N-1)/fs = turns·100 s: speed 2πr/100 per second (chord error as above).
    assert_allclose(m["mean_velocity_m_s"], 2 * math.pi * radius_m / 100.0, rtol=3e-8)
    # Prieto's mean frequency of a uniform circular motion is its rotation frequency, 0.01 Hz
    # (mean distance from the sample mean: O(1/N) as above).
    assert_allclose(m["prieto_mean_frequency_hz"], 0.01, rtol=1e-3)


def test_sway_area_per_second_of_a_circle() -> None:
    radius_m, samples_per_turn = 0.01, 400
    phase = 2 * np.pi * np.arange(4 * samples_per_turn) / samples_per_turn  # whole turns
    ap, ml = radius_m * np.cos(phase), radius_m * np.sin(phase)
    m = dynamic_metrics(ap, ml, sampling_rate_hz=FS_HZ, conventions=SwayConventions())
    # Each step sweeps a triangle of area r² sin(Δθ)/2; N-1 steps over T = N/fs.
    n = len(ap)
    want = (n - 1) * 0.5 * radius_m**2 * math.sin(2 * math.pi / samples_per_turn) / (n / FS_HZ)
    assert_allclose(m["sway_area_per_second_m2_s"], want, rtol=1e-12)


@pytest.mark.parametrize(
    ("convention", "duration_s"), [("n_over_fs", 10.0), ("n_minus_1_over_fs", 9.99)]
)
def test_duration_conventions(convention: str, duration_s: float) -> None:
    t = np.arange(1000) / FS_HZ
    ap = 0.002 * t  # a ramp at 2 mm/s
    ml = np.sin(t)
    conventions = replace(
        SwayConventions(),
        velocity_duration=convention,
        sway_area_duration=convention,
        prieto_frequency_duration=convention,
    )
    m = dynamic_metrics(ap, ml, sampling_rate_hz=FS_HZ, conventions=conventions)
    # Path of the ramp = 0.002 m/s × 9.99 s; divided by the convention's duration.
    assert_allclose(m["path_length_ap_m"], 0.002 * 9.99, rtol=1e-12)
    assert_allclose(m["mean_velocity_ap_m_s"], 0.002 * 9.99 / duration_s, rtol=1e-12)
    mean_abs_ap = np.mean(np.abs(ap - ap.mean()))
    assert_allclose(
        m["prieto_mean_frequency_ap_hz"],
        0.002 * 9.99 / duration_s / (4 * math.sqrt(2) * mean_abs_ap),
        rtol=1e-12,
    )


def test_phase_plane_parameter_of_a_sine() -> None:
    amplitude, f = 0.005, 0.5
    t = np.arange(6000) / FS_HZ
    m = dynamic_metrics(
        amplitude * np.sin(2 * np.pi * f * t),
        np.zeros(6000),
        sampling_rate_hz=FS_HZ,
        conventions=SwayConventions(),
    )
    omega = 2 * math.pi * f
    want = amplitude / math.sqrt(2) * math.sqrt(1 + omega**2)
    # The cubic 5-point Savitzky-Golay derivative of a sine is exact to O((ωΔt)^4) = 1e-6.
    assert_allclose(m["phase_plane_parameter_ap_m"], want, rtol=1e-5)
    assert m["phase_plane_parameter_ml_m"] == 0.0
    # The velocity ∝ cos(πt) changes sign at t = 0.5, 1.5, ..., 59.5 s: 60 crossings.
    assert m["zero_crossings_ap_count"] == 60
    # Velocity peaks of a sine are ωA; the sampled peak is within (ωΔt)² of it.
    assert_allclose(m["peak_velocity_all_ap_m_s"], omega * amplitude, rtol=1e-3)
    assert_allclose(m["peak_velocity_pos_ap_m_s"], m["peak_velocity_neg_ap_m_s"], rtol=1e-3)


def test_fractal_dimension_and_lfs_follow_their_formulas() -> None:
    rng = np.random.default_rng(2)
    ap, ml = np.cumsum(rng.normal(size=(2, 3000)), axis=1) * 1e-4
    conventions = SwayConventions.quijoux_2021()
    m = dynamic_metrics(ap, ml, sampling_rate_hz=FS_HZ, conventions=conventions)
    area = ellipse_metrics(ap, ml, conventions=conventions)["ellipse_area_95_m2"]
    pos = positional_metrics(ap, ml)
    path = np.sum(np.hypot(np.diff(ap), np.diff(ml)))
    n = 3000
    s_rd = math.sqrt(pos["rms_distance_m"] ** 2 - pos["mean_distance_m"] ** 2)
    diameters = {
        "ce": math.sqrt(4 * area / math.pi),
        "pd": pos["range_m"],
        "cc": 2 * (pos["mean_distance_m"] + 1.645 * s_rd),
    }
    for variant, d in diameters.items():
        # Prieto 1996: FD = log N / log(N d / L); same formula, rounding only.
        assert_allclose(
            m[f"fractal_dimension_{variant}"], math.log(n) / math.log(n * d / path), rtol=1e-12
        )
    assert_allclose(m["length_over_area_m_inv"], path / area, rtol=1e-12)


def test_constant_signal_has_zero_path_and_no_warning() -> None:
    m = dynamic_metrics(
        np.full(100, 0.2), np.full(100, 0.1), sampling_rate_hz=FS_HZ, conventions=SwayConventions()
    )
    assert m["path_length_m"] == 0.0
    assert m["mean_velocity_m_s"] == 0.0
    assert m["sway_area_per_second_m2_s"] == 0.0
    assert m["zero_crossings_ap_count"] == 0.0
    assert math.isnan(m["peak_velocity_all_ap_m_s"])
    assert math.isnan(m["prieto_mean_frequency_hz"])


def test_velocity_peaks_by_hand() -> None:
    v = np.array([0.5, 1.0, -1.0, -3.0, 0.0, -2.0, 2.0, 5.0, 1.0, -4.0, -1.0, 2.0])
    # Crossings at 2, 6, 9, 11; complete excursions [-1,-3,0,-2] (peak 3), [2,5,1] (peak 5),
    # [-4,-1] (peak 4); the first and the last are incomplete.
    assert velocity_peaks(v) == (4, 5.0, 3.5, 4.0)
    count, *peaks = velocity_peaks(np.zeros(5))
    assert count == 0 and all(math.isnan(p) for p in peaks)
    # Rounding noise below the floor is zero, so it cannot add crossings.
    noisy = np.array([1.0, 2.0, -1e-15, 2.0, -1.0, -2.0, 1.0])
    assert velocity_peaks(noisy)[0] == 4
    assert velocity_peaks(noisy, noise_floor_m_s=1e-12)[0] == 2


def test_bad_input_is_refused() -> None:
    conventions = SwayConventions()
    with pytest.raises(InvalidParameterError, match=r"sampling_rate_hz must be .* > 0; got -100"):
        dynamic_metrics(
            np.zeros(10), np.zeros(10), sampling_rate_hz=-100.0, conventions=conventions
        )
    with pytest.raises(SignalQualityError, match="at least 5 samples"):
        dynamic_metrics(np.zeros(4), np.zeros(4), sampling_rate_hz=FS_HZ, conventions=conventions)
    with pytest.raises(SignalQualityError, match="non-finite"):
        dynamic_metrics(
            np.array([0.0, 1.0, np.inf, 0.0, 1.0]),
            np.zeros(5),
            sampling_rate_hz=FS_HZ,
            conventions=conventions,
        )
