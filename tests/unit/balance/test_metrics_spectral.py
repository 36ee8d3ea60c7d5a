"""Spectral metrics: pure tones, Parseval, band additivity, presets' Welch parameters."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import signal

from reeducate.balance.conventions import SwayConventions
from reeducate.balance.metrics.spectral import (
    cop_power_spectrum,
    spectral_metrics,
    welch_parameters,
)
from reeducate.errors import InvalidParameterError, SignalQualityError

FS_HZ = 100.0
PRESETS = {
    "santos_duarte_2016": SwayConventions.santos_duarte_2016(),
    "quijoux_2021": SwayConventions.quijoux_2021(),
}


def _tone(f_hz: float, amplitude_m: float, n: int = 6000) -> np.ndarray:
    return amplitude_m * np.sin(2 * np.pi * f_hz * np.arange(n) / FS_HZ) + 0.07


@pytest.mark.parametrize("preset", sorted(PRESETS))
@pytest.mark.parametrize("f_hz", [0.3, 0.8, 1.7, 3.1])
def test_pure_tone_frequencies_are_the_tone(preset: str, f_hz: float) -> None:
    conventions = PRESETS[preset]
    m = spectral_metrics(
        _tone(f_hz, 0.004), _tone(f_hz, 0.001), sampling_rate_hz=FS_HZ, conventions=conventions
    )
    _, _, nfft = welch_parameters(6000, FS_HZ, conventions=conventions)
    bin_hz = FS_HZ / nfft
    for axis in ("ap", "ml"):
        # The Hann main lobe is symmetric about the tone: within one bin.
        for name in ("mean_power_frequency", "centroid_frequency", "frequency_mode"):
            assert abs(m[f"{name}_{axis}_hz"] - f_hz) <= bin_hz, name
        assert abs(m[f"power_frequency_50_{axis}_hz"] - f_hz) <= bin_hz
    assert abs(m["mean_power_frequency_hz"] - f_hz) <= bin_hz


@pytest.mark.parametrize(
    ("preset", "rtol"),
    [
        # Parseval holds exactly for on-bin tones with a constant detrend: rounding only.
        ("santos_duarte_2016", 1e-9),
        # A per-segment linear detrend also fits part of a sine (8 cycles per 10-s segment):
        # measured +0.03 % in the 0.15-5 Hz band.
        ("quijoux_2021", 1e-3),
    ],
)
def test_total_power_of_a_tone_is_its_variance(preset: str, rtol: float) -> None:
    amplitude = 0.004
    m = spectral_metrics(
        _tone(0.8, amplitude), _tone(0.8, 0.0), sampling_rate_hz=FS_HZ, conventions=PRESETS[preset]
    )
    # A density integrates to the variance A²/2 (the 0.8 Hz tone is on a bin of both presets).
    assert_allclose(m["total_power_ap_m2"], amplitude**2 / 2, rtol=rtol)
    assert m["total_power_ml_m2"] == 0.0


def test_a_tone_is_less_dispersed_than_a_random_walk() -> None:
    walk = np.cumsum(np.random.default_rng(1).normal(size=6000)) * 1e-4
    tone = _tone(1.7, 0.004)
    for conventions in PRESETS.values():
        m = spectral_metrics(tone, walk, sampling_rate_hz=FS_HZ, conventions=conventions)
        # Main lobe of ±2 bins around 1.7 Hz vs a broadband 1/f² spectrum.
        assert m["frequency_dispersion_ap_ratio"] < 0.1 < m["frequency_dispersion_ml_ratio"]


def test_band_powers_add_up_and_give_the_quotient() -> None:
    rng = np.random.default_rng(4)
    ap, ml = np.cumsum(rng.normal(size=(2, 6000)), axis=1) * 1e-4
    for conventions in PRESETS.values():
        m = spectral_metrics(ap, ml, sampling_rate_hz=FS_HZ, conventions=conventions)
        for axis in ("ap", "ml"):
            low, mid, high = (
                m[f"band_power_below_0p5hz_{axis}_m2"],
                m[f"band_power_0p5_2hz_{axis}_m2"],
                m[f"band_power_above_2hz_{axis}_m2"],
            )
            # The three bands partition the analysis band: rounding only.
            assert_allclose(low + mid + high, m[f"total_power_{axis}_m2"], rtol=1e-12)
            assert_allclose(m[f"frequency_quotient_{axis}_ratio"], high / (low + mid), rtol=1e-12)
            assert m[f"power_frequency_50_{axis}_hz"] <= m[f"power_frequency_95_{axis}_hz"]


def test_santos_duarte_mean_frequency_follows_the_published_recipe() -> None:
    rng = np.random.default_rng(8)
    ap, ml = np.cumsum(rng.normal(size=(2, 5000)), axis=1) * 1e-4
    m = spectral_metrics(ap, ml, sampling_rate_hz=FS_HZ, conventions=SwayConventions())
    per_axis, sums = [], []
    for x in (ap, ml):
        f, p = signal.welch(
            x, FS_HZ, window="hann", nperseg=2500, noverlap=1250, nfft=2500, detrend="constant"
        )
        per_axis.append(np.trapezoid(f * p, f) / np.trapezoid(p, f))
        sums.append(p.sum())
    # reference/balance.md §3.6, written independently with scipy/numpy: rounding only.
    assert_allclose(m["mean_power_frequency_ap_hz"], per_axis[0], rtol=1e-12)
    assert_allclose(
        m["mean_power_frequency_hz"],
        (per_axis[0] * sums[0] + per_axis[1] * sums[1]) / (sums[0] + sums[1]),
        rtol=1e-12,
    )


def test_summed_spectrum_combination_is_the_mean_frequency_of_the_sum() -> None:
    rng = np.random.default_rng(9)
    ap, ml = np.cumsum(rng.normal(size=(2, 3000)), axis=1) * 1e-4
    conventions = replace(SwayConventions(), mean_power_frequency_axes="summed_spectrum")
    m = spectral_metrics(ap, ml, sampling_rate_hz=FS_HZ, conventions=conventions)
    f, p_ap = cop_power_spectrum(ap, sampling_rate_hz=FS_HZ, conventions=conventions)
    _, p_ml = cop_power_spectrum(ml, sampling_rate_hz=FS_HZ, conventions=conventions)
    total = p_ap + p_ml
    # Trapezoid rule over the whole spectrum, as the convention says: rounding only.
    assert_allclose(
        m["mean_power_frequency_hz"],
        np.trapezoid(f * total, f) / np.trapezoid(total, f),
        rtol=1e-12,
    )


def test_welch_parameters_of_the_presets() -> None:
    assert welch_parameters(6000, 100.0, conventions=PRESETS["santos_duarte_2016"]) == (
        3000,
        1500,
        3000,
    )
    assert welch_parameters(6000, 100.0, conventions=PRESETS["quijoux_2021"]) == (1000, 500, 6000)
    assert welch_parameters(625, 25.0, conventions=PRESETS["quijoux_2021"]) == (250, 125, 625)


def test_power_spectrum_shape_and_units() -> None:
    f, p = cop_power_spectrum(
        _tone(0.5, 0.01), sampling_rate_hz=FS_HZ, conventions=PRESETS["santos_duarte_2016"]
    )
    assert f.shape == p.shape == (1501,)
    assert f[0] == 0.0 and f[-1] == 50.0
    # Density in m²/Hz integrates to the variance 0.01²/2 (Parseval, on-bin tone, constant
    # detrend): rounding only.
    assert_allclose(np.sum(p) * (f[1] - f[0]), 0.01**2 / 2, rtol=1e-9)


def test_too_short_record_is_refused_naming_the_minimum() -> None:
    x = _tone(0.5, 0.01, n=500)  # 5 s at 100 Hz, shorter than a 10-s segment
    with pytest.raises(SignalQualityError, match=r"at least 1000 samples .*welch_segment_s=10.0"):
        spectral_metrics(x, x, sampling_rate_hz=FS_HZ, conventions=PRESETS["quijoux_2021"])
    with pytest.raises(SignalQualityError, match="at least 4 samples"):
        spectral_metrics(x[:3], x[:3], sampling_rate_hz=FS_HZ, conventions=SwayConventions())
    with pytest.raises(SignalQualityError, match=r"spectral band \[4.0, 4.2\] Hz .* at least 2"):
        spectral_metrics(
            x,
            x,
            sampling_rate_hz=FS_HZ,
            conventions=replace(SwayConventions(), band_low_hz=4.0, band_high_hz=4.2),
        )


def test_bad_parameters_are_refused() -> None:
    x = _tone(0.5, 0.01)
    for rate in (0.0, -100.0, math.nan, math.inf):
        with pytest.raises(InvalidParameterError, match="sampling_rate_hz must be"):
            spectral_metrics(x, x, sampling_rate_hz=rate, conventions=SwayConventions())
    with pytest.raises(InvalidParameterError, match="x_m must be a 1-D array"):
        cop_power_spectrum(np.zeros((10, 2)), sampling_rate_hz=FS_HZ, conventions=SwayConventions())
