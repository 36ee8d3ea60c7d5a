"""The display trace: decimation factor, rate, what a circle becomes, inputs left alone."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal

from reeducate.balance.display import (
    DISPLAY_MAX_RATE_HZ,
    DisplayTrace,
    decimation_factor,
    display_trace,
)
from reeducate.balance.trial import CopTrial
from reeducate.errors import InvalidParameterError

RADIUS_M = 0.012
CENTRE_AP_M, CENTRE_ML_M = 0.03, -0.01


def _circle(*, sampling_rate_hz: float, duration_s: float = 60.0) -> CopTrial:
    """A CoP going round a circle at 0.25 Hz (15 whole turns in 60 s)."""
    t = np.arange(round(duration_s * sampling_rate_hz)) / sampling_rate_hz
    phase = 2 * np.pi * 0.25 * t
    return CopTrial(
        ap_m=CENTRE_AP_M + RADIUS_M * np.sin(phase),
        ml_m=CENTRE_ML_M + RADIUS_M * np.cos(phase),
        sampling_rate_hz=sampling_rate_hz,
        source_unit="m",
        source_name="circle",
    )


@pytest.mark.parametrize(
    ("rate_hz", "factor"),
    [(25.0, 1), (24.0, 1), (50.0, 2), (100.0, 4), (120.0, 5), (1000.0, 40), (1200.0, 48)],
)
def test_decimation_factor_is_the_smallest_that_reaches_the_display_rate(
    rate_hz: float, factor: int
) -> None:
    assert decimation_factor(rate_hz, max_rate_hz=DISPLAY_MAX_RATE_HZ) == factor
    assert rate_hz / factor <= DISPLAY_MAX_RATE_HZ
    assert factor == 1 or rate_hz / (factor - 1) > DISPLAY_MAX_RATE_HZ


@pytest.mark.parametrize("rate_hz", [0.0, -100.0, float("nan"), float("inf")])
def test_decimation_factor_refuses_an_impossible_rate(rate_hz: float) -> None:
    with pytest.raises(InvalidParameterError, match="sampling_rate_hz must be"):
        decimation_factor(rate_hz, max_rate_hz=25.0)


@pytest.mark.parametrize("rate_hz", [100.0, 1000.0])
def test_a_circle_stays_a_circle_at_the_display_rate(rate_hz: float) -> None:
    trial = _circle(sampling_rate_hz=rate_hz)
    trace = display_trace(trial, max_rate_hz=DISPLAY_MAX_RATE_HZ)
    assert trace.sampling_rate_hz == 25.0
    assert trace.n_samples == 1500 and trace.duration_s == trial.duration_s
    radius = np.hypot(trace.ap_m - CENTRE_AP_M, trace.ml_m - CENTRE_ML_M)
    # 0.25 Hz is far below the 10-Hz anti-alias cut-off (gain 1 - 1e-14); away from the first
    # and last 2 s (the forward-backward filter's edge transient) the circle is exact.
    inner = slice(50, -50)
    assert_allclose(radius[inner], RADIUS_M, rtol=1e-9)
    assert_allclose(radius, RADIUS_M, rtol=1e-3)  # the transient at the edges stays tiny
    # The samples kept are the recorded ones at every q-th instant (same phase, no delay).
    q = round(rate_hz / 25.0)
    assert_allclose(trace.ap_m[inner], trial.ap_m[::q][inner], rtol=0, atol=1e-12)


def test_a_slow_trial_is_kept_as_it_is() -> None:
    trial = _circle(sampling_rate_hz=25.0)
    trace = display_trace(trial, max_rate_hz=DISPLAY_MAX_RATE_HZ)
    assert_array_equal(trace.ap_m, trial.ap_m)
    assert_array_equal(trace.ml_m, trial.ml_m)
    assert trace.sampling_rate_hz == 25.0


def test_display_trace_leaves_the_trial_alone_and_is_read_only() -> None:
    trial = _circle(sampling_rate_hz=100.0)
    before = trial.ap_m.copy()
    trace = display_trace(trial, max_rate_hz=DISPLAY_MAX_RATE_HZ)
    assert_array_equal(trial.ap_m, before)
    with pytest.raises(ValueError, match="read-only"):
        trace.ap_m[0] = 1.0


def test_a_trace_checks_its_samples() -> None:
    with pytest.raises(InvalidParameterError, match="equal length"):
        DisplayTrace(ml_m=np.zeros(3), ap_m=np.zeros(4), sampling_rate_hz=25.0)
    with pytest.raises(InvalidParameterError, match="at least 2 samples"):
        DisplayTrace(ml_m=np.zeros(1), ap_m=np.zeros(1), sampling_rate_hz=25.0)
    with pytest.raises(InvalidParameterError, match="finite"):
        DisplayTrace(ml_m=np.array([0.0, np.nan]), ap_m=np.zeros(2), sampling_rate_hz=25.0)
    with pytest.raises(InvalidParameterError, match="sampling_rate_hz"):
        DisplayTrace(ml_m=np.zeros(2), ap_m=np.zeros(2), sampling_rate_hz=0.0)
