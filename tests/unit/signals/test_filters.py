"""Butterworth filters: closed-form gains, state carrying, validation."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import signal as sps

from reeducate.errors import InvalidParameterError
from reeducate.signals.filters import (
    CausalButterworth,
    butterworth_coefficients,
    zero_phase_butterworth,
)

FS = 100.0


def _steady_amplitude(y: np.ndarray) -> float:
    core = y[len(y) // 4 : -len(y) // 4]
    return float(np.sqrt(2.0 * np.mean(core**2)))


def test_designed_gain_at_cutoff_is_minus_3_db() -> None:
    b, a = butterworth_coefficients(sampling_rate_hz=FS, cutoff_hz=10.0, order=4)
    _, h = sps.freqz(b, a, worN=[10.0], fs=FS)
    # Butterworth magnitude at the cut-off is exactly 1/sqrt(2) (bilinear transform pre-warped).
    assert_allclose(abs(h[0]), 1 / np.sqrt(2), rtol=1e-12)


@pytest.mark.parametrize("form", ["ba", "sos"])
def test_zero_phase_gain_at_cutoff_is_minus_6_db(form: str) -> None:
    t = np.arange(40_000) / FS
    x = np.sin(2 * np.pi * 10.0 * t)
    y = zero_phase_butterworth(x, sampling_rate_hz=FS, cutoff_hz=10.0, order=4, form=form)
    # forward-backward squares the magnitude: 1/2; the steady-state estimate over an integer
    # number of periods is exact to rounding, so 1e-6 only absorbs the edge transients' tails
    assert_allclose(_steady_amplitude(y), 0.5, rtol=1e-6)
    # and no phase shift
    assert_allclose(y[10_000:-10_000], 0.5 * x[10_000:-10_000], atol=1e-6)


def test_dc_gain_is_one_and_slow_sine_passes() -> None:
    t = np.arange(6000) / FS
    const = np.full(6000, 3.7)
    assert_allclose(
        zero_phase_butterworth(const, sampling_rate_hz=FS, cutoff_hz=10.0, order=4),
        3.7,
        rtol=1e-12,
    )
    slow = np.sin(2 * np.pi * 0.5 * t)
    y = zero_phase_butterworth(slow, sampling_rate_hz=FS, cutoff_hz=10.0, order=4)
    # |H(0.5 Hz)|² = 1/(1+(0.05)^16) differs from 1 by 1e-21; edges aside the sine is intact
    assert np.max(np.abs(y[200:-200] - slow[200:-200])) < 1e-3


def test_two_columns_are_filtered_independently_and_input_untouched() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(500, 2))
    before = x.copy()
    y = zero_phase_butterworth(x, sampling_rate_hz=FS, cutoff_hz=5.0, order=2)
    assert_allclose(
        y[:, 1], zero_phase_butterworth(x[:, 1], sampling_rate_hz=FS, cutoff_hz=5.0, order=2)
    )
    np.testing.assert_array_equal(x, before)


def test_causal_filter_chunks_equal_one_pass_and_gain() -> None:
    rng = np.random.default_rng(2)
    x = rng.normal(size=(1000, 2))
    whole = CausalButterworth(sampling_rate_hz=FS, cutoff_hz=10.0, order=4, n_channels=2)
    chunked = CausalButterworth(sampling_rate_hz=FS, cutoff_hz=10.0, order=4, n_channels=2)
    y = whole.process(x)
    z = np.concatenate([chunked.process(x[i : i + 37]) for i in range(0, 1000, 37)])
    assert_allclose(z, y, rtol=0, atol=1e-12)  # same recursion, only the chunking differs
    sine = CausalButterworth(sampling_rate_hz=FS, cutoff_hz=10.0, order=4)
    t = np.arange(40_000) / FS
    out = sine.process(np.sin(2 * np.pi * 10.0 * t))
    assert_allclose(_steady_amplitude(out), 1 / np.sqrt(2), rtol=1e-6)  # -3 dB, one pass


def test_causal_filter_starts_without_ringing_and_reports_delay() -> None:
    f = CausalButterworth(sampling_rate_hz=FS, cutoff_hz=10.0, order=4)
    assert_allclose(f.process(np.full(50, 2.5)), 2.5, rtol=1e-12)
    # analog 4th-order Butterworth: DC group delay 2.6131/(2π fc) = 0.0416 s; bilinear ≈ 0.040
    assert 0.035 < f.group_delay_s < 0.045
    f.reset()
    assert_allclose(f.process(np.full(5, -1.0)), -1.0, rtol=1e-12)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"cutoff_hz": 50.0, "order": 4}, "Nyquist"),
        ({"cutoff_hz": -1.0, "order": 4}, "cutoff_hz"),
        ({"cutoff_hz": 10.0, "order": 0}, "order must be an integer >= 1; got 0"),
        ({"cutoff_hz": 10.0, "order": 2.5}, "order"),
    ],
)
def test_invalid_design_is_refused(kwargs: dict[str, float], match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        zero_phase_butterworth(np.zeros(100), sampling_rate_hz=FS, **kwargs)  # type: ignore[arg-type]


def test_too_short_signal_is_refused() -> None:
    with pytest.raises(InvalidParameterError, match="at least"):
        zero_phase_butterworth(np.zeros(10), sampling_rate_hz=FS, cutoff_hz=10.0, order=4)
