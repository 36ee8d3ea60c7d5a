"""Stabilogram diffusion analysis: FFT MSD, Brownian closed forms, conventions, errors."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.signal import lfilter

from reeducate.balance.metrics.stochastic import (
    DiffusionConventions,
    diffusion_metrics,
    mean_square_displacement,
)
from reeducate.errors import InvalidParameterError, SignalQualityError

FS = 100.0


def test_fft_msd_equals_the_direct_definition() -> None:
    x = np.random.default_rng(0).normal(size=(257, 2))
    direct = [0.0] + [float(np.mean(np.sum((x[k:] - x[:-k]) ** 2, axis=1))) for k in range(1, 200)]
    # O(1) values, 257 samples: FFT rounding stays far below 1e-12
    assert_allclose(mean_square_displacement(x, max_lag=199), direct, rtol=1e-12, atol=1e-12)


def _brownian(n: int, d_m2_s: float, seed: int) -> np.ndarray:
    steps = np.random.default_rng(seed).normal(scale=np.sqrt(2 * d_m2_s / FS), size=(n, 2))
    return np.cumsum(steps, axis=0)


def test_brownian_motion_gives_its_diffusion_coefficient_and_exponent_one_half() -> None:
    d = 2e-5
    walk = _brownian(60_000, d, seed=11)  # 600 s
    out = diffusion_metrics(
        walk[:, 0], walk[:, 1], sampling_rate_hz=FS, conventions=DiffusionConventions()
    )
    # Spread over 200 seeds at 60 s: SD(D_ap/D) = 0.11, SD(H_ap) = 0.016, SD(D_planar/D) = 0.08;
    # at 600 s the SDs shrink by about sqrt(10): tolerances are about 4-5 SDs.
    for axis in ("ap", "ml"):
        assert out[f"{axis}_short_term_diffusion_coefficient_m2_s"] == pytest.approx(d, rel=0.15)
        assert out[f"{axis}_short_term_scaling_exponent_ratio"] == pytest.approx(0.5, abs=0.025)
    assert out["planar_short_term_diffusion_coefficient_m2_s"] == pytest.approx(d, rel=0.12)
    assert out["planar_short_term_scaling_exponent_ratio"] == pytest.approx(0.5, abs=0.02)
    # exp(log-log intercept) is the fitted MSD at 1 s: 2 D (per axis) for Brownian motion
    assert out["ap_short_term_loglog_intercept_m2"] == pytest.approx(2 * d, rel=0.2)


def test_mean_reverting_motion_has_a_plateau_after_its_time_constant() -> None:
    # Ornstein-Uhlenbeck process, time constant 1 s: Brownian at short lags (H = 0.5), MSD
    # flat at long lags (H = 0), the two lines crossing near the time constant.
    tau_s = 1.0
    noise = np.random.default_rng(3).normal(scale=1e-3, size=(6000, 2))
    x = lfilter([1.0], [1.0, -np.exp(-1 / (FS * tau_s))], noise, axis=0)
    out = diffusion_metrics(
        x[:, 0], x[:, 1], sampling_rate_hz=FS, conventions=DiffusionConventions()
    )
    for axis in ("ap", "ml"):
        # H is biased low by the curvature of the OU MSD inside the 0.3 s short region
        assert 0.35 < out[f"{axis}_short_term_scaling_exponent_ratio"] < 0.55
        assert abs(out[f"{axis}_long_term_scaling_exponent_ratio"]) < 0.1
        assert 0.5 * tau_s < out[f"{axis}_critical_time_s"] < 2.0 * tau_s


def test_results_do_not_depend_on_offset_or_mutate_inputs() -> None:
    walk = _brownian(3000, 1e-5, seed=5)
    ap, ml = walk[:, 0].copy(), walk[:, 1].copy()
    a = diffusion_metrics(ap, ml, sampling_rate_hz=FS, conventions=DiffusionConventions())
    b = diffusion_metrics(
        ap + 0.1, ml - 0.05, sampling_rate_hz=FS, conventions=DiffusionConventions()
    )
    for key in a:
        assert b[key] == pytest.approx(a[key], rel=1e-7), key  # rounding of the 0.1 m offset
    np.testing.assert_array_equal(ap, walk[:, 0])


def test_fixed_breakpoints_use_the_given_regions() -> None:
    walk = _brownian(6000, 1e-5, seed=6)
    conv = DiffusionConventions(breakpoints="fixed", short_term_max_s=0.5, long_term_min_s=3.0)
    out = diffusion_metrics(walk[:, 0], walk[:, 1], sampling_rate_hz=FS, conventions=conv)
    assert out["ap_short_term_region_end_s"] == pytest.approx(0.5)
    assert out["ap_long_term_region_start_s"] == pytest.approx(3.0)
    assert conv.as_dict()["breakpoints"] == "fixed"


def test_quijoux_and_default_conventions_are_recorded() -> None:
    assert DiffusionConventions.quijoux_2021().as_dict() == {
        "max_lag_ratio": 1 / 3,
        "breakpoints": "rmse_scan",
        "scan_start_s": 0.3,
        "scan_stop_s": 2.5,
        "short_term_max_s": 1.0,
        "long_term_min_s": 2.5,
    }


def test_too_short_or_motionless_records_are_refused() -> None:
    walk = _brownian(600, 1e-5, seed=7)  # 6 s: lags only up to 2 s < 2.5 s scan
    with pytest.raises(SignalQualityError, match=r"lags up to 2\.5 s"):
        diffusion_metrics(
            walk[:, 0], walk[:, 1], sampling_rate_hz=FS, conventions=DiffusionConventions()
        )
    flat = np.zeros(6000)
    with pytest.raises(SignalQualityError, match="does not move"):
        diffusion_metrics(flat, flat, sampling_rate_hz=FS, conventions=DiffusionConventions())
    with pytest.raises(InvalidParameterError, match="sampling_rate_hz must be"):
        diffusion_metrics(flat, flat, sampling_rate_hz=-1.0, conventions=DiffusionConventions())
    with pytest.raises(InvalidParameterError, match="max_lag_ratio"):
        DiffusionConventions(max_lag_ratio=0.0)
