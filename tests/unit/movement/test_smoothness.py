"""SPARC and (log) dimensionless jerk: invariances, input kinds and every bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose

from reeducate.errors import InvalidParameterError, SignalQualityError
from reeducate.movement.smoothness import (
    dimensionless_jerk,
    log_dimensionless_jerk,
    movement_smoothness,
    sparc,
    sparc_spectrum,
)

FS = 100.0


def _bell(rate_hz: float = FS, duration_s: float = 2.0) -> np.ndarray:
    t = np.arange(-duration_s / 2, duration_s / 2, 1 / rate_hz)
    return np.exp(-5 * t**2)


@pytest.mark.parametrize("k", [0.01, 3.0, 250.0])
def test_metrics_do_not_depend_on_amplitude(k: float) -> None:
    v = _bell()
    assert_allclose(sparc(k * v, sampling_rate_hz=FS), sparc(v, sampling_rate_hz=FS), rtol=1e-12)
    assert_allclose(
        log_dimensionless_jerk(k * v, sampling_rate_hz=FS),
        log_dimensionless_jerk(v, sampling_rate_hz=FS),
        rtol=1e-12,
    )


def test_sparc_barely_depends_on_sampling_rate() -> None:
    # Same movement at 100 Hz and 1 kHz: the spectrum is the same below 10 Hz up to the FFT
    # grid; 2e-3 covers the band edge moving by one bin.
    assert_allclose(
        sparc(_bell(1000.0), sampling_rate_hz=1000.0),
        sparc(_bell(100.0), sampling_rate_hz=100.0),
        atol=2e-3,
    )


def test_sparc_is_robust_to_noise_where_ldlj_is_not() -> None:
    # Balasubramanian et al. 2015: the amplitude threshold keeps broadband noise out of SPARC,
    # while jerk (a second derivative) amplifies it.
    rng = np.random.default_rng(7)
    v = _bell()
    noisy = np.abs(v + rng.normal(0.0, 0.05, v.size))
    assert abs(sparc(noisy, sampling_rate_hz=FS) - sparc(v, sampling_rate_hz=FS)) < 0.05
    drop = log_dimensionless_jerk(v, sampling_rate_hz=FS) - log_dimensionless_jerk(
        noisy, sampling_rate_hz=FS
    )
    assert drop > 1.0


def test_velocity_vector_along_a_line_equals_its_speed() -> None:
    v = _bell()
    direction = np.array([0.6, -0.8, 0.0])
    vel = v[:, None] * direction
    r_vec = movement_smoothness(vel, sampling_rate_hz=FS, data_type="velocity")
    r_speed = movement_smoothness(v, sampling_rate_hz=FS)
    assert_allclose(r_vec.sparc, r_speed.sparc, rtol=1e-12)
    assert_allclose(r_vec.dimensionless_jerk, r_speed.dimensionless_jerk, rtol=1e-9)


def test_acceleration_input_has_no_sparc_but_ldlj() -> None:
    tau = np.arange(0, 1, 0.001)
    acc = np.column_stack((60 * tau - 180 * tau**2 + 120 * tau**3, np.zeros_like(tau)))
    r = movement_smoothness(acc, sampling_rate_hz=1000.0, data_type="acceleration")
    assert math.isnan(r.sparc)
    assert_allclose(r.log_dimensionless_jerk, -math.log(21.6), atol=0.01)  # closed form, O(dt)


def test_jerk_input_uses_the_jerk_directly() -> None:
    tau = np.arange(0, 1, 0.001)
    jerk = 60 - 360 * tau + 360 * tau**2
    # DJ from jerk = -(T^-1 / j_peak²) ∫ j² dt = -720/3600 = -0.2 in the continuous limit.
    got = dimensionless_jerk(jerk, sampling_rate_hz=1000.0, data_type="jerk")
    assert_allclose(got, -0.2, rtol=5e-3)


def test_spectrum_is_normalised_and_band_limited() -> None:
    out = sparc_spectrum(_bell(), sampling_rate_hz=FS, cutoff_hz=2.0)
    assert out.magnitude_ratio.max() == 1.0
    assert out.selected_frequency_hz.max() <= 2.0
    assert out.selected_magnitude_ratio.min() >= 0.05 or out.selected_frequency_hz.size >= 2
    assert out.frequency_hz.size == 2 ** (math.ceil(math.log2(200)) + 4)


def test_inputs_are_not_mutated() -> None:
    v = _bell()
    before = v.copy()
    movement_smoothness(v, sampling_rate_hz=FS)
    np.testing.assert_array_equal(v, before)


@pytest.mark.parametrize(
    ("speed", "error", "match"),
    [
        (np.array([0.0, 1.0, -0.5, 0.2, 0.1]), InvalidParameterError, "speed must be >= 0"),
        (np.array([0.0, 1.0, np.nan, 0.2, 0.1]), SignalQualityError, "NaN"),
        (np.ones((10, 3)), InvalidParameterError, "1-D"),
        (np.array([0.0, 1.0, 0.0]), SignalQualityError, "at least 4"),
        (np.zeros(20), SignalQualityError, "no movement"),
    ],
)
def test_bad_speed_is_refused(speed: np.ndarray, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        sparc(speed, sampling_rate_hz=FS)


@pytest.mark.parametrize("rate", [0.0, -100.0, math.nan, math.inf])
def test_bad_sampling_rate_is_refused(rate: float) -> None:
    with pytest.raises(InvalidParameterError, match="sampling_rate_hz"):
        sparc(_bell(), sampling_rate_hz=rate)
    with pytest.raises(InvalidParameterError, match="sampling_rate_hz"):
        log_dimensionless_jerk(_bell(), sampling_rate_hz=rate)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"padding_level": -1}, "padding_level"),
        ({"padding_level": 2.5}, "padding_level"),
        ({"cutoff_hz": 60.0}, "cutoff_hz"),
        ({"amplitude_threshold": 1.5}, "amplitude_threshold"),
    ],
)
def test_bad_sparc_parameters_are_refused(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        sparc(_bell(), sampling_rate_hz=FS, **kwargs)  # type: ignore[arg-type]


def test_unknown_data_type_is_refused() -> None:
    with pytest.raises(InvalidParameterError, match="data_type"):
        dimensionless_jerk(_bell(), sampling_rate_hz=FS, data_type="position")  # type: ignore[arg-type]


def test_constant_speed_has_undefined_ldlj() -> None:
    with pytest.raises(SignalQualityError, match="zero jerk"):
        log_dimensionless_jerk(np.ones(50), sampling_rate_hz=FS)


def test_metrics_are_unchanged_by_time_reversal() -> None:
    # |FFT| of a reversed real signal equals the original's (up to a phase), and the squared
    # jerk integral is symmetric in time: both metrics must not change.
    rng = np.random.default_rng(3)
    v = np.abs(_bell() + 0.3 * np.exp(-20 * (np.arange(200) / FS - 1.4) ** 2))
    v += rng.uniform(0.0, 0.01, v.size)
    assert_allclose(sparc(v[::-1], sampling_rate_hz=FS), sparc(v, sampling_rate_hz=FS), rtol=1e-10)
    assert_allclose(
        log_dimensionless_jerk(v[::-1], sampling_rate_hz=FS),
        log_dimensionless_jerk(v, sampling_rate_hz=FS),
        rtol=1e-12,
    )
