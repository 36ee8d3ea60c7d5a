"""Force plates: CoP from forces and moments, stance detection, two plates, weight bearing."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from numpy.testing import assert_allclose

from reeducate.balance.forceplate import (
    DualPlateTrial,
    cop_from_forces_moments,
    find_stance,
    net_cop_from_plates,
    stance_slice,
    weight_bearing_summary,
)
from reeducate.balance.trial import CopTrial
from reeducate.errors import InvalidParameterError, SignalQualityError, SignalQualityWarning


def _loads_at(ap_m, ml_m, force_n, depth_m):
    """Forces/moments (plate frame, z down) of loads applied at (ap, ml) on the surface."""
    fx, fy, fz = force_n.T
    mx = ml_m * fz + depth_m * fy
    my = -ap_m * fz - depth_m * fx
    return force_n, np.column_stack((mx, my, np.zeros_like(fx)))


@pytest.mark.parametrize("depth_m", [0.0, 0.041])
def test_cop_round_trip_with_origin_depth(depth_m: float) -> None:
    rng = np.random.default_rng(3)
    ap = rng.uniform(-0.2, 0.2, 500)
    ml = rng.uniform(-0.2, 0.2, 500)
    force = np.column_stack(
        (rng.normal(0, 20, 500), rng.normal(0, 20, 500), rng.uniform(300, 900, 500))
    )
    f, m = _loads_at(ap, ml, force, depth_m)
    got_ap, got_ml = cop_from_forces_moments(f, m, origin_depth_m=depth_m)
    assert_allclose(got_ap, ap, rtol=0, atol=1e-15)  # closed form; float64 round-off only
    assert_allclose(got_ml, ml, rtol=0, atol=1e-15)


def test_cop_ignoring_depth_is_wrong_when_shear_present() -> None:
    f, m = _loads_at(np.array([0.0]), np.array([0.0]), np.array([[50.0, 0.0, 500.0]]), 0.04)
    ap, _ = cop_from_forces_moments(f, m, origin_depth_m=0.0)
    assert ap[0] == pytest.approx(0.004)  # dz·Fx/Fz: the error the offset corrects


def test_cop_is_nan_without_load_and_inputs_untouched() -> None:
    f = np.array([[0.0, 0.0, 0.0], [0.0, 0.0, 100.0]])
    m = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0]])
    f0, m0 = f.copy(), m.copy()
    ap, ml = cop_from_forces_moments(f, m, origin_depth_m=0.0)
    assert np.isnan(ap[0]) and np.isnan(ml[0])
    assert (ap[1], ml[1]) == (-0.01, 0.01)
    assert np.array_equal(f, f0) and np.array_equal(m, m0)


def test_cop_rejects_bad_shapes() -> None:
    with pytest.raises(InvalidParameterError, match=r"force_n must have shape \(n_samples, 3\)"):
        cop_from_forces_moments(np.zeros((3, 2)), np.zeros((3, 3)), origin_depth_m=0.0)


def test_trailing_step_off_is_trimmed_with_a_warning_naming_the_span() -> None:
    fz = np.r_[np.full(1000, 600.0), np.zeros(50)]
    with pytest.warns(SignalQualityWarning, match=r"from 10\.000 s to 10\.490 s"):
        keep = stance_slice(fz, sampling_rate_hz=100.0, on_step_off="trim", source_name="x")
    assert keep == slice(0, 1000)


def test_step_off_with_error_policy_raises() -> None:
    fz = np.r_[np.full(1000, 600.0), np.zeros(50)]
    with pytest.raises(
        SignalQualityError, match=r"x: vertical force below .* 10\.000 s to 10\.490 s"
    ):
        stance_slice(fz, sampling_rate_hz=100.0, on_step_off="error", source_name="x")


def test_step_off_in_the_middle_raises_with_span() -> None:
    fz = np.r_[np.full(1000, 600.0), np.full(300, 3.0), np.full(1000, 600.0)]
    with pytest.raises(SignalQualityError, match=r"middle of the trial \(10\.000 s to 12\.990 s\)"):
        find_stance(fz, sampling_rate_hz=100.0, source_name="x")


def test_threshold_is_five_percent_of_median_or_ten_newtons() -> None:
    fz = np.r_[np.full(100, 600.0), np.full(3, 29.0), np.full(100, 600.0)]
    with pytest.raises(SignalQualityError):  # 29 N < 5 % of 600 N = 30 N: a drop mid-trial
        find_stance(fz, sampling_rate_hz=100.0)
    ok = np.r_[np.full(100, 600.0), np.full(3, 31.0), np.full(100, 600.0)]
    assert find_stance(ok, sampling_rate_hz=100.0).removed_spans_s == ()


def test_nobody_on_the_plate() -> None:
    with pytest.raises(SignalQualityError, match="nobody stood on the plate"):
        find_stance(np.full(10, 2.0), sampling_rate_hz=100.0)


def test_clean_stance_emits_no_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert stance_slice(np.full(5, 700.0), sampling_rate_hz=10.0, on_step_off="trim") == slice(
            0, 5
        )


def test_net_cop_is_force_weighted_mean() -> None:
    left = np.array([[0.01, -0.1], [0.02, -0.1], [0.0, 0.0]])
    right = np.array([[0.03, 0.1], [0.00, 0.1], [0.05, 0.1]])
    fl = np.array([300.0, 100.0, 0.0])
    fr = np.array([100.0, 300.0, 400.0])
    net = net_cop_from_plates(left, fl, right, fr)
    assert_allclose(net[0], [0.015, -0.05], atol=1e-15)
    assert_allclose(net[1], [0.005, 0.05], atol=1e-15)
    assert_allclose(net[2], [0.05, 0.1], atol=1e-15)  # lifted left foot contributes nothing


def test_net_cop_equals_single_plate_cop_of_summed_loads() -> None:
    """Two plates in one frame behave as one plate carrying both loads (moment additivity)."""
    rng = np.random.default_rng(7)
    n = 200
    ap_l, ml_l = rng.normal(0.0, 0.02, n), rng.normal(-0.1, 0.01, n)
    ap_r, ml_r = rng.normal(0.0, 0.02, n), rng.normal(0.1, 0.01, n)
    f_l = np.column_stack((rng.normal(0, 5, n), rng.normal(0, 5, n), rng.uniform(200, 400, n)))
    f_r = np.column_stack((rng.normal(0, 5, n), rng.normal(0, 5, n), rng.uniform(200, 400, n)))
    fl, ml_ = _loads_at(ap_l, ml_l, f_l, 0.0)
    fr, mr = _loads_at(ap_r, ml_r, f_r, 0.0)
    ap_sum, ml_sum = cop_from_forces_moments(fl + fr, ml_ + mr, origin_depth_m=0.0)
    net = net_cop_from_plates(
        np.column_stack((ap_l, ml_l)), f_l[:, 2], np.column_stack((ap_r, ml_r)), f_r[:, 2]
    )
    assert_allclose(net[:, 0], ap_sum, atol=1e-15)  # identical algebra, round-off only
    assert_allclose(net[:, 1], ml_sum, atol=1e-15)


def _dual(fl: float, fr: float) -> DualPlateTrial:
    z = np.zeros(10)
    net = CopTrial(ap_m=z, ml_m=z, sampling_rate_hz=10.0, source_unit="m", source_name="t")
    return DualPlateTrial(
        net=net,
        left_ap_m=z,
        left_ml_m=z,
        right_ap_m=z,
        right_ml_m=z,
        left_vertical_force_n=np.full(10, fl),
        right_vertical_force_n=np.full(10, fr),
    )


def test_weight_bearing_symmetric_and_asymmetric() -> None:
    s = weight_bearing_summary(_dual(350.0, 350.0))
    assert s["left_load_ratio"] == 0.5 and s["symmetry_index_ratio"] == 0.0
    s = weight_bearing_summary(_dual(200.0, 600.0))
    assert s["right_load_ratio"] == 0.75
    assert s["symmetry_index_ratio"] == pytest.approx(1.0)  # (600-200)/(0.5*800)
    assert s["left_mean_vertical_force_n"] == 200.0


def test_dual_plate_trial_checks_lengths_and_freezes() -> None:
    t = _dual(1.0, 1.0)
    with pytest.raises(ValueError):
        t.left_ap_m[0] = 1.0
    with pytest.raises(InvalidParameterError, match=r"left_ap_m must have shape \(10,\)"):
        DualPlateTrial(
            net=t.net,
            left_ap_m=np.zeros(3),
            left_ml_m=t.left_ml_m,
            right_ap_m=t.right_ap_m,
            right_ml_m=t.right_ml_m,
            left_vertical_force_n=t.left_vertical_force_n,
            right_vertical_force_n=t.right_vertical_force_n,
        )
