"""Positional metrics: closed forms, the convex-hull range against all pairs, bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from reeducate.balance.metrics.positional import max_pairwise_distance, positional_metrics
from reeducate.errors import InvalidParameterError, SignalQualityError


def _circle(radius_m: float, turns: int, samples_per_turn: int) -> tuple[np.ndarray, np.ndarray]:
    phase = 2 * np.pi * np.arange(turns * samples_per_turn) / samples_per_turn
    return radius_m * np.sin(phase), radius_m * np.cos(phase)


def _brute_force_diameter(points: np.ndarray) -> float:
    d = points[:, None, :] - points[None, :, :]
    return float(np.sqrt((d**2).sum(-1)).max())


def test_circle_distances_match_closed_form() -> None:
    ap, ml = _circle(0.01, turns=3, samples_per_turn=400)
    m = positional_metrics(ap + 0.2, ml - 0.1)
    # Exact geometry: every sample is at distance r from the centre; rounding only.
    for name in ("mean_distance_m", "rms_distance_m", "max_distance_m"):
        assert_allclose(m[name], 0.01, rtol=1e-12)
    # 400 samples per turn include the four axis extremes and antipodal pairs: exact 2r.
    for name in ("range_m", "range_ap_m", "range_ml_m"):
        assert_allclose(m[name], 0.02, rtol=1e-12)
    assert_allclose(m["mean_position_ap_m"], 0.2, rtol=1e-12)
    assert_allclose(m["mean_position_ml_m"], -0.1, rtol=1e-12)
    # RMS per axis of a sine over whole periods is r/sqrt(2); rounding only.
    assert_allclose(m["rms_ap_m"], 0.01 / math.sqrt(2), rtol=1e-12)
    # Prieto's confidence circle: s_RD = 0, so the area is pi r^2.
    assert_allclose(m["confidence_circle_area_95_m2"], math.pi * 1e-4, rtol=1e-9)
    assert_allclose(m["range_ml_over_ap_ratio"], 1.0, rtol=1e-12)


def test_sine_rms_and_mean_distance_match_closed_form() -> None:
    amplitude = 0.004
    t = np.arange(6000) / 100.0
    m = positional_metrics(amplitude * np.sin(2 * np.pi * 0.5 * t), np.zeros(6000))
    # A/sqrt(2) over 30 whole periods; the sampled sum is exact up to rounding.
    assert_allclose(m["rms_ap_m"], amplitude / math.sqrt(2), rtol=1e-12)
    # mean |sin| = 2/pi for the continuous sine; 200 samples/period give a midpoint-rule error
    # of order (pi/200)^2 / 6 = 4e-5.
    assert_allclose(m["mean_distance_ap_m"], 2 * amplitude / math.pi, rtol=1e-4)
    assert m["rms_ml_m"] == 0.0
    assert m["planar_deviation_m"] == pytest.approx(m["rms_ap_m"], rel=1e-15)


def test_constant_signal_has_zero_spread_and_nan_ratios() -> None:
    m = positional_metrics(np.full(50, 0.3), np.full(50, -0.2))
    for name in ("mean_distance_m", "rms_ap_m", "range_m", "range_ap_m", "max_distance_m"):
        assert m[name] == 0.0
    assert math.isnan(m["range_ml_over_ap_ratio"])
    assert math.isnan(m["sway_direction_coefficient_ratio"])


@pytest.mark.parametrize(
    ("ml_of_ap", "direction_deg", "coefficient"),
    [
        (lambda ap: 0.0 * ap, 0.0, math.nan),  # pure AP sway
        (lambda ap: 0.5 * ap, math.degrees(math.atan(0.5)), 1.0),
        (lambda ap: -ap, 45.0, -1.0),
        (lambda ap: 3.0 * ap, math.degrees(math.atan(3.0)), 1.0),
    ],
)
def test_sway_direction_of_a_line(ml_of_ap, direction_deg: float, coefficient: float) -> None:
    ap = np.sin(np.linspace(0, 20, 500)) * 0.01
    m = positional_metrics(ap, ml_of_ap(ap))
    # Angle from AP of a perfect line is atan(|slope|); rounding only.
    assert_allclose(m["principal_sway_direction_deg"], direction_deg, atol=1e-9)
    assert_allclose(m["sway_direction_coefficient_ratio"], coefficient, rtol=1e-12)


@pytest.mark.parametrize("seed", range(2))
@pytest.mark.parametrize("n_points", [3, 10, 200, 1500])
@pytest.mark.parametrize("shape", ["gauss", "walk", "ring", "grid"])
def test_hull_diameter_matches_all_pairs(shape: str, seed: int, n_points: int) -> None:
    rng = np.random.default_rng(seed)
    if shape == "gauss":
        pts = rng.normal(size=(n_points, 2)) * [0.01, 0.003]
    elif shape == "walk":
        pts = np.cumsum(rng.normal(size=(n_points, 2)), axis=0) * 1e-4
    elif shape == "ring":  # every point on the hull: the rotating-calipers path
        a = rng.uniform(0, 2 * np.pi, n_points)
        pts = np.column_stack((np.cos(a), 0.3 * np.sin(a)))
    else:  # many collinear and duplicate points (quantised plate data)
        pts = rng.integers(0, 5, size=(n_points, 2)).astype(float) * 1e-3
    # Same point pair and formula as the all-pairs search: rounding only.
    assert_allclose(max_pairwise_distance(pts), _brute_force_diameter(pts), rtol=1e-12)


def test_hull_diameter_matches_all_pairs_on_many_small_sets() -> None:
    """Regression: rounding once made the pre-filter drop an extreme point (a hull vertex)."""
    rng = np.random.default_rng(2024)
    for case in range(400):
        n = int(rng.integers(3, 300))
        if case % 2:
            pts = np.cumsum(rng.normal(size=(n, 2)), axis=0)
        else:
            pts = rng.integers(0, 6, size=(n, 2)) * 1e-3
        # Same point pair and formula as the all-pairs search: rounding only.
        assert_allclose(max_pairwise_distance(pts), _brute_force_diameter(pts), rtol=1e-12)


def test_hull_diameter_of_a_large_regular_polygon() -> None:
    a = 2 * np.pi * np.arange(2001) / 2001  # odd: no exactly antipodal vertex pair
    pts = np.column_stack((np.cos(a), np.sin(a)))
    assert_allclose(max_pairwise_distance(pts), _brute_force_diameter(pts), rtol=1e-12)


@pytest.mark.parametrize(
    ("points", "expected"),
    [
        ([[0.1, 0.2]], 0.0),
        ([[0.0, 0.0], [0.3, 0.4]], 0.5),
        ([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [0.5, 0.5]], math.sqrt(8)),  # collinear
        ([[1.0, 1.0]] * 5, 0.0),  # identical points
    ],
)
def test_hull_diameter_of_degenerate_sets(points: list[list[float]], expected: float) -> None:
    assert_allclose(max_pairwise_distance(points), expected, rtol=1e-12)


def test_bad_input_is_refused() -> None:
    with pytest.raises(InvalidParameterError, match="ap_m and ml_m must be 1-D"):
        positional_metrics(np.zeros(5), np.zeros(6))
    with pytest.raises(SignalQualityError, match="non-finite"):
        positional_metrics(np.array([0.0, np.nan, 1.0]), np.zeros(3))
    with pytest.raises(SignalQualityError, match="at least 1 samples"):
        positional_metrics(np.zeros(0), np.zeros(0))
    with pytest.raises(InvalidParameterError, match=r"points_m must have shape"):
        max_pairwise_distance(np.zeros((4, 3)))
    with pytest.raises(
        InvalidParameterError, match="centring must be 'signal_mean' or 'as_given'; got 'plate'"
    ):
        positional_metrics(np.zeros(5), np.zeros(5), centring="plate")  # type: ignore[arg-type]


def test_as_given_centring_measures_from_the_origin() -> None:
    # A 1 cm sine on AP around +2 mm, a 0.5 cm one on ML around -1 mm (10 whole periods).
    t = np.arange(1000) / 100.0
    ap = 0.002 + 0.01 * np.sin(2 * np.pi * t)
    ml = -0.001 + 0.005 * np.sin(2 * np.pi * t)
    before = (ap.copy(), ml.copy())
    about_mean = positional_metrics(ap, ml)
    about_origin = positional_metrics(ap, ml, centring="as_given")
    np.testing.assert_array_equal(ap, before[0])
    np.testing.assert_array_equal(ml, before[1])
    assert ap.flags.writeable and ml.flags.writeable
    # RMS about the origin: sqrt(A²/2 + offset²) (closed form).
    assert_allclose(about_origin["rms_ap_m"], math.sqrt(0.01**2 / 2 + 0.002**2), rtol=1e-12)
    assert_allclose(about_origin["rms_ml_m"], math.sqrt(0.005**2 / 2 + 0.001**2), rtol=1e-12)
    assert_allclose(about_origin["max_distance_ap_m"], 0.012, rtol=1e-9)
    assert_allclose(about_mean["max_distance_ap_m"], 0.01, rtol=1e-9)
    assert about_origin["mean_position_ap_m"] == 0.0
    assert_allclose(about_mean["mean_position_ap_m"], 0.002, rtol=1e-9)
    # Ranges and the principal (PCA) direction do not depend on where distances start.
    for name in ("range_m", "range_ap_m", "principal_sway_direction_deg"):
        assert_allclose(about_origin[name], about_mean[name], rtol=1e-12)
