"""Wii Balance Board: load cells -> CoP (Leach et al. 2014) and SWARII resampling."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from reeducate.balance.wii import (
    WBB_SENSOR_SPACING_AP_M,
    WBB_SENSOR_SPACING_ML_M,
    cop_from_load_cells,
    wbb_trial,
)
from reeducate.errors import InvalidParameterError, SignalQualityError, SignalQualityWarning

GEOM = {"spacing_ml_m": WBB_SENSOR_SPACING_ML_M, "spacing_ap_m": WBB_SENSOR_SPACING_AP_M}


def _loads_for(ap_m, ml_m, total_n):
    """Load-cell split of a point load at (ap, ml): bilinear weights of the four corners."""
    u = 0.5 + ml_m / WBB_SENSOR_SPACING_ML_M  # 0 = left, 1 = right
    v = 0.5 + ap_m / WBB_SENSOR_SPACING_AP_M  # 0 = bottom, 1 = top
    tl = (1 - u) * v
    tr = u * v
    br = u * (1 - v)
    bl = (1 - u) * (1 - v)
    return np.column_stack((tl, tr, br, bl)) * np.asarray(total_n)[..., None]


def test_signs_anterior_is_top_right_is_positive() -> None:
    ap, ml = cop_from_load_cells([[1.0, 1.0, 0.0, 0.0], [0.0, 1.0, 1.0, 0.0]], **GEOM)
    assert ap[0] == pytest.approx(WBB_SENSOR_SPACING_AP_M / 2) and ml[0] == 0.0
    assert ml[1] == pytest.approx(WBB_SENSOR_SPACING_ML_M / 2) and ap[1] == 0.0


def test_round_trip_matches_closed_form() -> None:
    rng = np.random.default_rng(11)
    ap = rng.uniform(-0.1, 0.1, 300)
    ml = rng.uniform(-0.2, 0.2, 300)
    got_ap, got_ml = cop_from_load_cells(_loads_for(ap, ml, rng.uniform(300, 900, 300)), **GEOM)
    assert_allclose(got_ap, ap, atol=1e-15)  # exact algebra; round-off only
    assert_allclose(got_ml, ml, atol=1e-15)


def test_unit_of_loads_does_not_matter() -> None:
    loads = _loads_for(np.array([0.03]), np.array([-0.05]), np.array([70.0]))
    a = cop_from_load_cells(loads, **GEOM)
    b = cop_from_load_cells(loads * 9.80665, **GEOM)
    assert_allclose(a, b, rtol=1e-14)


def test_bad_shapes_and_geometry() -> None:
    with pytest.raises(InvalidParameterError, match="TL, TR, BR, BL"):
        cop_from_load_cells(np.zeros((5, 3)), **GEOM)
    with pytest.raises(InvalidParameterError, match="spacing_ml_m must be > 0"):
        cop_from_load_cells(np.ones((5, 4)), spacing_ml_m=0.0, spacing_ap_m=0.2)


def _jittered(n: int, rate_hz: float, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.cumsum(np.full(n, 1 / rate_hz) * rng.uniform(0.8, 1.2, n))


def test_wbb_trial_resamples_slow_sway_accurately() -> None:
    t = _jittered(3000, 60.0, 1)
    ap = 0.01 * np.sin(2 * np.pi * 0.3 * t)
    ml = 0.005 * np.cos(2 * np.pi * 0.2 * t)
    trial = wbb_trial(
        t, _loads_for(ap, ml, np.full(t.size, 700.0)), resample_hz=None, window_s=None,
        source_name="s", source_unit="N",
    )  # fmt: skip
    assert trial.sampling_rate_hz == 60.0  # median rate rounded
    want_ap = 0.01 * np.sin(2 * np.pi * 0.3 * trial.time_s)
    # SWARII averages the samples in a 33 ms window; with +-20 % jitter the weighted centre of a
    # window can sit up to ~8 ms from the grid time, and the sine's slope is at most
    # 0.01 * 2*pi*0.3 = 0.019 m/s, so each sample is within 0.019 * 0.008 = 0.15 mm.
    assert_allclose(trial.ap_m, want_ap, atol=1.6e-4)
    rms_error_m = float(np.sqrt(np.mean((trial.ap_m - want_ap) ** 2)))
    assert rms_error_m < 5e-5  # the typical error is a third of the bound (measured 3e-5)
    assert_allclose(trial.vertical_force_n, 700.0, rtol=1e-12)


def test_wbb_trial_refuses_non_increasing_time() -> None:
    t = np.array([0.0, 0.01, 0.01, 0.03])
    with pytest.raises(SignalQualityError, match=r"strictly increasing; sample 2"):
        wbb_trial(t, np.ones((4, 4)), resample_hz=100.0, window_s=None, source_name="s",
                  source_unit="N")  # fmt: skip


def test_wbb_trial_trims_step_off() -> None:
    t = _jittered(1200, 60.0, 2)
    total = np.where(t < t[1100], 700.0, 0.0)
    loads = _loads_for(np.zeros(t.size), np.zeros(t.size), total)
    with pytest.warns(SignalQualityWarning, match="person off the plate"):
        trial = wbb_trial(t, loads, resample_hz=50.0, window_s=None, source_name="s",
                          source_unit="N")  # fmt: skip
    assert trial.time_s[-1] < t[1100]
