"""compute_sway_metrics and SwayConventions: names, sharing, presets, errors, immutability."""

from __future__ import annotations

import json
import math
from dataclasses import FrozenInstanceError, replace

import numpy as np
import pytest

from reeducate.balance.conventions import SwayConventions
from reeducate.balance.metrics import (
    METRIC_DESCRIPTIONS,
    SwayMetrics,
    compute_sway_metrics,
    dynamic,
    ellipse,
    positional,
    spectral,
)
from reeducate.errors import InvalidParameterError, SignalQualityError, SignalQualityWarning

FS_HZ = 100.0
REQUIRED = (
    "ellipse_area_95_m2",
    "mean_velocity_m_s",
    "mean_power_frequency_hz",
    "ellipse_semi_major_m",
    "ellipse_semi_minor_m",
    "ellipse_angle_deg",
    "path_length_m",
    "mean_velocity_ap_m_s",
    "mean_velocity_ml_m_s",
    "rms_ap_m",
    "rms_ml_m",
)
OUR_FAMILIES = {
    **positional.DESCRIPTIONS,
    **ellipse.DESCRIPTIONS,
    **dynamic.DESCRIPTIONS,
    **spectral.DESCRIPTIONS,
}
UNIT_SUFFIXES = ("_m", "_m2", "_m_s", "_m2_s", "_m_inv", "_hz", "_deg", "_ratio", "_count")
DIMENSIONLESS = {"fractal_dimension_ce", "fractal_dimension_pd", "fractal_dimension_cc"}


@pytest.fixture(scope="module")
def trajectory() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(12)
    steps = rng.normal(0.0, 1e-4, size=(3000, 2))
    return 0.04 + np.cumsum(steps[:, 0]), -0.02 + np.cumsum(steps[:, 1])


def test_required_names_are_present(trajectory: tuple[np.ndarray, np.ndarray]) -> None:
    values = compute_sway_metrics(
        *trajectory, sampling_rate_hz=FS_HZ, conventions=SwayConventions()
    ).values
    for name in REQUIRED:
        assert math.isfinite(values[name]), name


def test_every_metric_of_these_families_is_named_with_a_unit_and_described() -> None:
    for name, text in OUR_FAMILIES.items():
        assert name.endswith(UNIT_SUFFIXES) or name in DIMENSIONLESS, name
        assert text and METRIC_DESCRIPTIONS[name] == text


@pytest.mark.parametrize("centring", ["signal_mean", "as_given"])
@pytest.mark.parametrize("preset", ["santos_duarte_2016", "quijoux_2021"])
def test_shared_work_gives_the_family_values(
    preset: str, centring: str, trajectory: tuple[np.ndarray, np.ndarray]
) -> None:
    conventions = replace(getattr(SwayConventions, preset)(), centring=centring)
    ap, ml = trajectory
    if centring == "as_given":  # referred to a point near, not at, the mean
        ap, ml = ap - ap[:100].mean(), ml - ml[:100].mean()
    together = compute_sway_metrics(ap, ml, sampling_rate_hz=FS_HZ, conventions=conventions)
    separate = {
        **positional.positional_metrics(ap, ml, centring=conventions.centring),
        **ellipse.ellipse_metrics(ap, ml, conventions=conventions),
        **dynamic.dynamic_metrics(ap, ml, sampling_rate_hz=FS_HZ, conventions=conventions),
        **spectral.spectral_metrics(ap, ml, sampling_rate_hz=FS_HZ, conventions=conventions),
    }
    assert set(separate) == set(OUR_FAMILIES)
    for name, value in separate.items():
        assert together.values[name] == value, name  # the same computation, bit for bit
    assert together.conventions is conventions


def test_result_is_immutable_and_inputs_are_untouched(
    trajectory: tuple[np.ndarray, np.ndarray],
) -> None:
    ap, ml = (x.copy() for x in trajectory)
    result = compute_sway_metrics(ap, ml, sampling_rate_hz=FS_HZ, conventions=SwayConventions())
    assert isinstance(result, SwayMetrics)
    np.testing.assert_array_equal(ap, trajectory[0])
    np.testing.assert_array_equal(ml, trajectory[1])
    with pytest.raises(TypeError):
        result.values["rms_ap_m"] = 0.0  # type: ignore[index]
    with pytest.raises(FrozenInstanceError):
        result.values = {}  # type: ignore[misc]
    # Read-only inputs are accepted.
    ap.setflags(write=False)
    compute_sway_metrics(ap, ml, sampling_rate_hz=FS_HZ, conventions=SwayConventions())


def test_presets_differ_where_documented() -> None:
    default, quijoux = SwayConventions.santos_duarte_2016(), SwayConventions.quijoux_2021()
    assert SwayConventions() == default
    assert default != quijoux
    d = quijoux.as_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["covariance_ddof"] == 0 and d["welch_nfft"] == "record"
    assert isinstance(d["diffusion"], dict) and isinstance(d["sway_density"], dict)
    assert set(d) == set(SwayConventions.__dataclass_fields__)
    assert d["centring"] == "signal_mean" == default.as_dict()["centring"]
    assert replace(quijoux, centring="as_given").as_dict()["centring"] == "as_given"


def test_as_given_centring_measures_from_the_input_origin(
    trajectory: tuple[np.ndarray, np.ndarray],
) -> None:
    ap0, ml0 = trajectory
    # A trajectory whose mean is 1.5 mm AP, -0.5 mm ML away from its origin.
    ap, ml = ap0 - ap0.mean() + 1.5e-3, ml0 - ml0.mean() - 0.5e-3
    ap.setflags(write=False)
    base = replace(SwayConventions.quijoux_2021(), centring="signal_mean")
    given = replace(base, centring="as_given")
    mean = compute_sway_metrics(ap, ml, sampling_rate_hz=FS_HZ, conventions=base).values
    origin = compute_sway_metrics(ap, ml, sampling_rate_hz=FS_HZ, conventions=given).values
    assert ml.flags.writeable and not ap.flags.writeable  # the inputs' flags are unchanged
    # Second moments about the origin: RMS² = variance + offset² (closed form).
    assert origin["rms_ap_m"] ** 2 == pytest.approx(mean["rms_ap_m"] ** 2 + 1.5e-3**2, rel=1e-12)
    assert origin["rms_ml_m"] ** 2 == pytest.approx(mean["rms_ml_m"] ** 2 + 0.5e-3**2, rel=1e-12)
    assert origin["max_distance_ap_m"] == pytest.approx(float(np.abs(ap).max()), rel=1e-15)
    assert origin["ellipse_area_95_m2"] > mean["ellipse_area_95_m2"]
    assert origin["mean_position_ap_m"] == 0.0 and origin["mean_position_ml_m"] == 0.0
    assert mean["mean_position_ap_m"] == pytest.approx(1.5e-3, rel=1e-9)
    # Translation-invariant metrics and the PCA direction do not depend on the centring.
    invariant = [
        "range_m",
        "range_ap_m",
        "path_length_m",
        "mean_velocity_m_s",
        "principal_sway_direction_deg",
        "total_power_ap_m2",
        "mean_power_frequency_hz",
        "zero_crossings_ml_count",
        "sway_density_mean_peak_s",
        "ap_critical_time_s",
    ]
    for name in invariant:
        assert origin[name] == pytest.approx(mean[name], rel=1e-9), name
    different = {name for name in mean if not origin[name] == pytest.approx(mean[name])}
    assert {"rms_ap_m", "mean_distance_m", "sway_area_per_second_m2_s"} <= different
    # On a trajectory centred on its own mean, both centrings agree (up to rounding).
    ap_c, ml_c = ap0 - ap0.mean(), ml0 - ml0.mean()
    a = compute_sway_metrics(ap_c, ml_c, sampling_rate_hz=FS_HZ, conventions=base).values
    b = compute_sway_metrics(ap_c, ml_c, sampling_rate_hz=FS_HZ, conventions=given).values
    for name in a:
        assert b[name] == pytest.approx(a[name], rel=1e-9, abs=1e-15), name


def test_origin_moves_only_the_mean_position(trajectory: tuple[np.ndarray, np.ndarray]) -> None:
    ap, ml = trajectory
    plain = compute_sway_metrics(ap, ml, sampling_rate_hz=FS_HZ, conventions=SwayConventions())
    moved = compute_sway_metrics(
        ap,
        ml,
        sampling_rate_hz=FS_HZ,
        conventions=SwayConventions(),
        origin_ap_m=0.25,
        origin_ml_m=-0.125,
    )
    assert moved.values["mean_position_ap_m"] == plain.values["mean_position_ap_m"] + 0.25
    assert moved.values["mean_position_ml_m"] == plain.values["mean_position_ml_m"] - 0.125
    for name, value in plain.values.items():
        if not name.startswith("mean_position"):
            assert moved.values[name] == value or math.isnan(value), name
    for bad in (math.nan, math.inf, "0"):
        with pytest.raises(InvalidParameterError, match="origin_ml_m must be a finite number"):
            compute_sway_metrics(
                ap,
                ml,
                sampling_rate_hz=FS_HZ,
                conventions=SwayConventions(),
                origin_ml_m=bad,  # type: ignore[arg-type]
            )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"ellipse_method": "confidence"}, "ellipse_method must be one of"),
        ({"covariance_ddof": 2}, "covariance_ddof must be 0 or 1; got 2"),
        ({"velocity_duration": "n"}, "velocity_duration must be one of"),
        ({"welch_segment_s": 0.0}, "welch_segment_s must be None or a finite number > 0"),
        ({"welch_overlap_ratio": 1.0}, r"welch_overlap_ratio must be in \[0, 1\); got 1.0"),
        ({"welch_detrend": "none"}, "welch_detrend must be one of"),
        ({"band_low_hz": -1.0}, "band_low_hz must be a finite number >= 0"),
        ({"band_low_hz": 2.0, "band_high_hz": 1.0}, "band_high_hz must be None or"),
        ({"spectral_integral": "simpson"}, "spectral_integral must be one of"),
        ({"velocity_savgol_window": 4}, "velocity_savgol_window must be an odd integer >= 3"),
        ({"velocity_savgol_polyorder": 5}, r"velocity_savgol_polyorder must be .*; got 5"),
        (
            {"centring": "raw_mean"},
            "centring must be one of 'signal_mean', 'as_given'; got 'raw_mean'",
        ),
    ],
)
def test_bad_conventions_are_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        replace(SwayConventions(), **change)


def test_bad_input_is_refused(trajectory: tuple[np.ndarray, np.ndarray]) -> None:
    ap, ml = trajectory
    conventions = SwayConventions()
    for rate in (0.0, -100.0, math.nan, "fast"):
        with pytest.raises(InvalidParameterError, match="sampling_rate_hz must be a finite"):
            compute_sway_metrics(ap, ml, sampling_rate_hz=rate, conventions=conventions)  # type: ignore[arg-type]
    bad = ap.copy()
    bad[10] = np.nan
    with pytest.raises(SignalQualityError, match="got 1 non-finite samples out of 3000"):
        compute_sway_metrics(bad, ml, sampling_rate_hz=FS_HZ, conventions=conventions)
    with pytest.raises(InvalidParameterError, match="equal length"):
        compute_sway_metrics(ap, ml[:-1], sampling_rate_hz=FS_HZ, conventions=conventions)
    with pytest.raises(InvalidParameterError, match="1-D"):
        compute_sway_metrics(
            np.column_stack((ap, ml)), ml, sampling_rate_hz=FS_HZ, conventions=conventions
        )
    with pytest.raises(SignalQualityError, match="at least 5 samples"):
        compute_sway_metrics(ap[:4], ml[:4], sampling_rate_hz=FS_HZ, conventions=conventions)
    # One sample short of a 10-s Welch segment: the spectral family is NaN, with the reason.
    with pytest.warns(SignalQualityWarning, match="at least 1000 samples"):
        short = compute_sway_metrics(
            ap[:999], ml[:999], sampling_rate_hz=FS_HZ, conventions=SwayConventions.quijoux_2021()
        )
    assert math.isnan(short.values["mean_power_frequency_hz"])


def test_each_family_publishes_exactly_the_names_it_computes() -> None:
    from reeducate.balance.metrics import _family_names, spectral, stochastic, sway_density
    from reeducate.balance.metrics.positional import centre_cop

    rng = np.random.default_rng(3)
    walk = np.cumsum(rng.normal(0.0, 1e-4, size=(6000, 2)), axis=0)
    conventions = SwayConventions.santos_duarte_2016()
    cop = centre_cop(walk[:, 0], walk[:, 1], min_samples=5, purpose="test", centring="signal_mean")
    computed = {
        spectral: spectral.spectral_from_centred(
            cop, sampling_rate_hz=100.0, conventions=conventions
        ),
        stochastic: stochastic.diffusion_metrics(
            walk[:, 0], walk[:, 1], sampling_rate_hz=100.0, conventions=conventions.diffusion
        ),
        sway_density: sway_density.sway_density_metrics(
            walk[:, 0], walk[:, 1], sampling_rate_hz=100.0, conventions=conventions.sway_density
        ),
    }
    for module, values in computed.items():
        assert set(_family_names(module)) == set(values), module.__name__


def test_a_record_too_short_for_a_family_gives_nan_for_it_and_says_why() -> None:
    rng = np.random.default_rng(4)
    walk = np.cumsum(rng.normal(0.0, 1e-4, size=(600, 2)), axis=0)  # 6 s at 100 Hz
    with pytest.warns(SignalQualityWarning) as caught:
        values = compute_sway_metrics(
            walk[:, 0], walk[:, 1], sampling_rate_hz=100.0,
            conventions=SwayConventions.quijoux_2021(),
        ).values  # fmt: skip
    messages = " | ".join(str(w.message) for w in caught)
    assert "spectral metrics not computed" in messages  # 10-s Welch segments
    assert "diffusion metrics not computed" in messages  # lags up to 2.5 s need 7.5 s
    assert np.isnan(values["total_power_ap_m2"]) and np.isnan(values["ap_critical_time_s"])
    # The families the record supports are still there, and right.
    path = np.sum(np.hypot(*np.diff(walk, axis=0).T))
    assert values["mean_velocity_m_s"] == pytest.approx(path / 6.0, rel=1e-12)
    assert np.isfinite(values["sway_density_mean_peak_s"])
