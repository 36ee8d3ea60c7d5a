"""The 95 % prediction ellipse: exact covariance, scales, angle convention, bad input."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import stats

from reeducate.balance.conventions import SwayConventions
from reeducate.balance.metrics.ellipse import (
    ellipse_metrics,
    ellipse_scale,
    f_quantile_2,
    prediction_ellipse,
)
from reeducate.errors import InvalidParameterError, SignalQualityError


def _with_sample_covariance(cov: np.ndarray, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """(ap, ml) whose sample covariance (ddof=1) is exactly ``cov`` (up to rounding)."""
    z = np.random.default_rng(seed).normal(size=(n, 2))
    z -= z.mean(axis=0)
    whiten = np.linalg.inv(np.linalg.cholesky(np.cov(z, rowvar=False)))
    x = z @ whiten.T @ np.linalg.cholesky(cov).T
    return x[:, 0] + 0.1, x[:, 1] - 0.05


@pytest.mark.parametrize("d", [1, 2, 3, 10, 118, 1498, 5998])
def test_f_quantile_matches_scipy(d: int) -> None:
    # Closed form of F(2, d) against scipy's numerical inverse: both accurate to ~1e-15.
    assert_allclose(f_quantile_2(0.95, d), stats.f.ppf(0.95, 2, d), rtol=1e-12)


def test_scales_of_each_method() -> None:
    # chi2_.95(2) = -2 ln 0.05, the textbook 5.991.
    assert_allclose(ellipse_scale(6000, method="chi2_prediction"), 5.991464547107979, rtol=1e-15)
    assert ellipse_scale(6000, method="prieto_f3") == 6.0
    n = 6000
    f = stats.f.ppf(0.95, 2, n - 2)
    # Duarte's hyperellipsoid scale, same F quantile; rounding only.
    assert_allclose(
        ellipse_scale(n, method="f_prediction"),
        2 * f * (n - 1) * (n + 1) / (n * (n - 2)),
        rtol=1e-12,
    )
    # The F scale tends to the chi-square one: +0.08 % at N = 6000 (reference/balance.md §0.5).
    ratio = ellipse_scale(n, method="chi2_prediction") / ellipse_scale(n, method="f_prediction")
    assert_allclose(ratio, 0.99917, atol=1e-5)


@pytest.mark.parametrize(
    ("cov", "angle_deg"),
    [
        (np.array([[16e-6, 0.0], [0.0, 4e-6]]), 90.0),  # elongated along AP
        (np.array([[4e-6, 0.0], [0.0, 16e-6]]), 0.0),  # elongated along ML
        (np.array([[10e-6, 6e-6], [6e-6, 10e-6]]), 45.0),  # along +ML +AP
        (np.array([[10e-6, -6e-6], [-6e-6, 10e-6]]), -45.0),  # along +ML -AP
    ],
)
@pytest.mark.parametrize("method", ["f_prediction", "chi2_prediction", "prieto_f3"])
def test_ellipse_of_a_known_covariance(cov: np.ndarray, angle_deg: float, method: str) -> None:
    n = 3000
    ap, ml = _with_sample_covariance(cov, n, seed=3)
    conventions = replace(SwayConventions(), ellipse_method=method, covariance_ddof=1)
    e = prediction_ellipse(ap, ml, conventions=conventions)
    k = ellipse_scale(n, method=method)
    eigenvalues = np.linalg.eigvalsh(cov)
    # The sample covariance equals cov to rounding, so the closed forms hold to ~1e-12.
    assert_allclose(e.area_m2, math.pi * k * math.sqrt(np.linalg.det(cov)), rtol=1e-9)
    assert_allclose(e.semi_major_m, math.sqrt(k * eigenvalues[1]), rtol=1e-9)
    assert_allclose(e.semi_minor_m, math.sqrt(k * eigenvalues[0]), rtol=1e-9)
    assert_allclose(e.area_m2, math.pi * e.semi_major_m * e.semi_minor_m, rtol=1e-12)
    assert -90.0 < e.angle_deg <= 90.0
    # An axis is a direction modulo 180°; the covariance is exact to ~1e-12 relative.
    assert_allclose((e.angle_deg - angle_deg + 90.0) % 180.0 - 90.0, 0.0, atol=1e-7)
    assert_allclose([e.centre_ap_m, e.centre_ml_m], [0.1, -0.05], atol=1e-15)


def test_area_matches_duarte_recipe_on_random_data() -> None:
    rng = np.random.default_rng(11)
    x = np.cumsum(rng.normal(size=(1500, 2)), axis=0) * 1e-4
    n = len(x)
    want = (
        math.pi
        * math.sqrt(np.linalg.det(np.cov(x, rowvar=False)))
        * stats.f.ppf(0.95, 2, n - 2)
        * 2
        * (n - 1)
        * (n + 1)
        / (n * (n - 2))
    )
    got = ellipse_metrics(x[:, 0], x[:, 1], conventions=SwayConventions.santos_duarte_2016())
    # Santos & Duarte's recipe (reference/balance.md §3.6), independent code path: rounding only.
    assert_allclose(got["ellipse_area_95_m2"], want, rtol=1e-11)


def test_population_covariance_scales_area_by_n_minus_1_over_n() -> None:
    rng = np.random.default_rng(5)
    ap, ml = rng.normal(size=(2, 800)) * 1e-3
    sample = ellipse_metrics(ap, ml, conventions=SwayConventions.santos_duarte_2016())
    population = ellipse_metrics(ap, ml, conventions=SwayConventions.quijoux_2021())
    # Exact factor of the divisor; rounding only.
    assert_allclose(
        population["ellipse_area_95_m2"], sample["ellipse_area_95_m2"] * 799 / 800, rtol=1e-13
    )
    assert population["ellipse_angle_deg"] == pytest.approx(sample["ellipse_angle_deg"], abs=1e-9)


def test_constant_signal_has_zero_area() -> None:
    e = prediction_ellipse(np.full(20, 0.1), np.full(20, 0.2), conventions=SwayConventions())
    assert (e.area_m2, e.semi_major_m, e.semi_minor_m) == (0.0, 0.0, 0.0)


def test_too_few_points_are_refused() -> None:
    with pytest.raises(SignalQualityError, match="at least 3 samples"):
        prediction_ellipse([0.0, 1.0], [1.0, 0.0], conventions=SwayConventions())
    with pytest.raises(InvalidParameterError, match="n_samples must be >= 3"):
        ellipse_scale(2, method="f_prediction")
    with pytest.raises(InvalidParameterError, match="method must be"):
        ellipse_scale(100, method="confidence")


def test_as_given_centring_keeps_the_origin() -> None:
    rng = np.random.default_rng(3)
    ap, ml = rng.normal(0.0, 0.004, 2000), rng.normal(0.0, 0.002, 2000)
    ap, ml = ap - ap.mean() + 0.003, ml - ml.mean()  # mean exactly 3 mm AP from the origin
    conventions = SwayConventions.quijoux_2021()
    about_mean = prediction_ellipse(ap, ml, conventions=conventions)
    about_origin = prediction_ellipse(ap, ml, conventions=replace(conventions, centring="as_given"))
    assert_allclose(about_mean.centre_ap_m, 0.003, rtol=1e-9)
    assert about_origin.centre_ap_m == 0.0 and about_origin.centre_ml_m == 0.0
    # Moments about the origin (population, ddof 0): the AP variance grows by the offset².
    k = ellipse_scale(2000, method="f_prediction")
    moments = np.cov(np.vstack((ap, ml)), ddof=0) + np.array([[0.003**2, 0.0], [0.0, 0.0]])
    assert_allclose(about_origin.semi_major_m**2, k * np.linalg.eigvalsh(moments)[1], rtol=1e-9)
    assert_allclose(about_origin.area_m2, np.pi * k * np.sqrt(np.linalg.det(moments)), rtol=1e-9)
    assert about_origin.area_m2 > about_mean.area_m2
