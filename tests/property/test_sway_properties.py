"""Invariances of the sway metrics (positional, ellipse, dynamic, spectral families).

Trajectories are random walks plus a slow drift, drawn from a Hypothesis-chosen seed (a local
``numpy.random.Generator``, never the global one), 64-400 samples at 50 Hz.
"""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from reeducate.balance.conventions import SwayConventions
from reeducate.balance.metrics import dynamic, ellipse, positional, spectral

FS_HZ = 50.0
PRESETS = (SwayConventions.santos_duarte_2016(), SwayConventions.quijoux_2021())
QUIJOUX_MIN = 500  # one 10-s Welch segment at 50 Hz

#: Powers of a length scale k by which each unit suffix scales.
SCALING = (("_m2_s", 2), ("_m2", 2), ("_m_s", 1), ("_m_inv", -1), ("_m", 1))

ROTATION_INVARIANT = (
    "path_length_m",
    "mean_velocity_m_s",
    "mean_distance_m",
    "rms_distance_m",
    "max_distance_m",
    "range_m",
    "planar_deviation_m",
    "confidence_circle_area_95_m2",
    "ellipse_area_95_m2",
    "ellipse_semi_major_m",
    "ellipse_semi_minor_m",
    "sway_area_per_second_m2_s",
    "prieto_mean_frequency_hz",
    "fractal_dimension_ce",
    "fractal_dimension_pd",
    "length_over_area_m_inv",
)
TIME_REVERSAL_INVARIANT = (
    *ROTATION_INVARIANT,
    "mean_velocity_ap_m_s",
    "mean_velocity_ml_m_s",
    "mean_distance_ap_m",
    "mean_distance_ml_m",
    "rms_ap_m",
    "rms_ml_m",
    "range_ap_m",
    "range_ml_m",
    "max_distance_ap_m",
    "max_distance_ml_m",
    "ellipse_angle_deg",
    "principal_sway_direction_deg",
    "prieto_mean_frequency_ap_hz",
)


def _metrics(ap: np.ndarray, ml: np.ndarray, conventions: SwayConventions) -> dict[str, float]:
    return {
        **positional.positional_metrics(ap, ml),
        **ellipse.ellipse_metrics(ap, ml, conventions=conventions),
        **dynamic.dynamic_metrics(ap, ml, sampling_rate_hz=FS_HZ, conventions=conventions),
        **spectral.spectral_metrics(ap, ml, sampling_rate_hz=FS_HZ, conventions=conventions),
    }


@st.composite
def trajectories(draw: st.DrawFn, min_samples: int = 64) -> tuple[np.ndarray, np.ndarray]:
    seed = draw(st.integers(0, 2**32 - 1))
    n = draw(st.integers(min_samples, max(min_samples, 400) + 200))
    step_m = draw(st.floats(1e-5, 1e-3))
    rng = np.random.default_rng(seed)
    walk = np.cumsum(rng.normal(0.0, step_m, size=(n, 2)), axis=0)
    drift = np.outer(np.arange(n) / n, rng.normal(0.0, 10 * step_m, size=2))
    xy = walk + drift + rng.uniform(-0.2, 0.2, size=2)
    return xy[:, 0].copy(), xy[:, 1].copy()


@settings(max_examples=40, deadline=None)
@given(
    cop=trajectories(min_samples=QUIJOUX_MIN),
    angle=st.floats(-math.pi, math.pi),
    preset=st.sampled_from(PRESETS),
)
def test_rotation_leaves_path_velocity_distance_and_area_unchanged(
    cop: tuple[np.ndarray, np.ndarray], angle: float, preset: SwayConventions
) -> None:
    ap, ml = cop
    c, s = math.cos(angle), math.sin(angle)
    before = _metrics(ap, ml, preset)
    after = _metrics(c * ap - s * ml, s * ap + c * ml, preset)
    for name in ROTATION_INVARIANT:
        # Rotation mixes rounding of the two axes: ~1e-13 relative at most here.
        assert_allclose(after[name], before[name], rtol=1e-9, err_msg=name)


@settings(max_examples=40, deadline=None)
@given(
    cop=trajectories(min_samples=QUIJOUX_MIN),
    shift=st.tuples(st.floats(-0.5, 0.5), st.floats(-0.5, 0.5)),
    preset=st.sampled_from(PRESETS),
)
def test_translation_changes_only_the_mean_position(
    cop: tuple[np.ndarray, np.ndarray], shift: tuple[float, float], preset: SwayConventions
) -> None:
    ap, ml = cop
    before = _metrics(ap, ml, preset)
    after = _metrics(ap + shift[0], ml + shift[1], preset)
    assert_allclose(
        after["mean_position_ap_m"], before["mean_position_ap_m"] + shift[0], atol=1e-12
    )
    assert_allclose(
        after["mean_position_ml_m"], before["mean_position_ml_m"] + shift[1], atol=1e-12
    )
    for name, value in before.items():
        if name.startswith("mean_position"):
            continue
        # Centring absorbs the shift up to rounding of |shift| (<= 0.5 m) against the sway:
        # relative 1e-7 bounds eps·0.5 m / 1e-5 m-sized sways with margin; NaN stays NaN.
        assert_allclose(after[name], value, rtol=1e-7, atol=0, equal_nan=True, err_msg=name)


@settings(max_examples=40, deadline=None)
@given(cop=trajectories(), k=st.floats(0.01, 100.0), preset=st.sampled_from(PRESETS[:1]))
def test_scaling_scales_lengths_areas_velocities_and_keeps_frequencies(
    cop: tuple[np.ndarray, np.ndarray], k: float, preset: SwayConventions
) -> None:
    ap, ml = cop
    before = _metrics(ap, ml, preset)
    after = _metrics(k * ap, k * ml, preset)
    for name, value in before.items():
        power = next((p for suffix, p in SCALING if name.endswith(suffix)), 0)
        # Scaling is exact up to rounding; 1e-9 leaves room for cancellation in ratios.
        assert_allclose(after[name], value * k**power, rtol=1e-9, equal_nan=True, err_msg=name)


@settings(max_examples=40, deadline=None)
@given(cop=trajectories(), preset=st.sampled_from(PRESETS[:1]))
def test_time_reversal_leaves_path_area_and_distances_unchanged(
    cop: tuple[np.ndarray, np.ndarray], preset: SwayConventions
) -> None:
    ap, ml = cop
    before = _metrics(ap, ml, preset)
    after = _metrics(ap[::-1], ml[::-1], preset)
    for name in TIME_REVERSAL_INVARIANT:
        # Same samples in reverse order: summation order only.
        assert_allclose(after[name], before[name], rtol=1e-9, err_msg=name)


@settings(max_examples=20, deadline=None)
@given(cop=trajectories(min_samples=QUIJOUX_MIN), preset=st.sampled_from(PRESETS))
def test_inputs_are_never_mutated(
    cop: tuple[np.ndarray, np.ndarray], preset: SwayConventions
) -> None:
    ap, ml = cop
    ap_copy, ml_copy = ap.copy(), ml.copy()
    _metrics(ap, ml, preset)
    np.testing.assert_array_equal(ap, ap_copy)
    np.testing.assert_array_equal(ml, ml_copy)
