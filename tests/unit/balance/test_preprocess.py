"""Preprocessing: identity by default, each step, order, validation, no mutation."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from reeducate.balance.preprocess import Preprocessing, centre_offset_m, preprocess
from reeducate.balance.trial import CopTrial, Surface, TrialCondition, Vision
from reeducate.errors import InvalidParameterError

FS = 100.0


def _trial(n: int = 3000, *, fz: bool = False) -> CopTrial:
    t = np.arange(n) / FS
    rng = np.random.default_rng(0)
    return CopTrial(
        ap_m=0.01 * np.sin(2 * np.pi * 0.3 * t) + 1e-4 * rng.normal(size=n) - 0.05,
        ml_m=0.005 * np.cos(2 * np.pi * 0.2 * t) + 0.001 * t,
        sampling_rate_hz=FS,
        source_unit="cm",
        source_name="synthetic",
        start_time_s=2.0,
        vertical_force_n=np.full(n, 600.0) if fz else None,
        condition=TrialCondition(vision=Vision.CLOSED, surface=Surface.FOAM),
    )


def test_default_is_identity_and_recorded() -> None:
    trial = _trial()
    assert preprocess(trial, preprocessing=Preprocessing()) is trial
    settings = Preprocessing().as_dict()
    assert settings["resample_hz"] is None and settings["lowpass_hz"] is None
    assert settings["trim_start_s"] == 0.0 and settings["detrend"] == "none"
    assert settings["centre"] == "none"
    assert Preprocessing.quijoux_2021().as_dict()["centre"] == "raw_mean"


def test_raw_mean_centring_runs_first_on_the_whole_record() -> None:
    trial = _trial(fz=True)
    offset = centre_offset_m(trial, preprocessing=Preprocessing(centre="raw_mean"))
    assert offset == (float(np.mean(trial.ap_m)), float(np.mean(trial.ml_m)))
    assert centre_offset_m(trial, preprocessing=Preprocessing()) == (0.0, 0.0)
    centred = preprocess(trial, preprocessing=Preprocessing(centre="raw_mean"))
    assert_allclose(centred.ap_m, trial.ap_m - offset[0], rtol=0, atol=0)
    assert_allclose(centred.ml_m, trial.ml_m - offset[1], rtol=0, atol=0)
    assert centred.vertical_force_n is not None and trial.vertical_force_n is not None
    np.testing.assert_array_equal(centred.vertical_force_n, trial.vertical_force_n)
    # Before the trim: the trimmed trial keeps the whole record's mean as its origin, so its
    # own mean is not zero (the ML ramp's mean moves with the trim).
    trimmed = preprocess(trial, preprocessing=Preprocessing(centre="raw_mean", trim_start_s=10.0))
    assert_allclose(trimmed.ml_m, trial.ml_m[1000:] - offset[1], rtol=0, atol=0)
    assert abs(np.mean(trimmed.ml_m)) > 1e-3


def test_trim_removes_whole_samples_and_moves_the_start() -> None:
    trial = _trial(fz=True)
    out = preprocess(trial, preprocessing=Preprocessing(trim_start_s=5.0, trim_end_s=1.0))
    assert out.n_samples == 3000 - 600
    assert out.start_time_s == pytest.approx(7.0)
    np.testing.assert_array_equal(out.ap_m, trial.ap_m[500:2900])
    assert out.vertical_force_n is not None and out.vertical_force_n.shape == (2400,)
    assert out.condition == trial.condition and out.source_name == trial.source_name


def test_linear_detrend_removes_the_drift() -> None:
    out = preprocess(_trial(), preprocessing=Preprocessing(detrend="linear"))
    t = np.arange(3000) / FS
    slope = np.polyfit(t, out.ml_m, 1)[0]
    assert abs(slope) < 1e-12  # exact least-squares line removed


def test_resample_and_filter_give_a_uniform_smooth_trial() -> None:
    trial = _trial(fz=True)
    out = preprocess(trial, preprocessing=Preprocessing(resample_hz=25.0, lowpass_hz=5.0))
    assert out.sampling_rate_hz == 25.0
    assert out.n_samples in (749, 750)  # grid strictly below the last time (rounding)
    t = out.start_time_s - trial.start_time_s + np.arange(out.n_samples) / 25.0
    clean = 0.01 * np.sin(2 * np.pi * 0.3 * t) - 0.05
    # 0.3 Hz passes a 5 Hz filter and a 0.08 s SWARII window (sinc loss 1e-3 relative);
    # the remaining error is the 0.1 mm noise averaged over ~8 samples (SD 3.5e-5 m):
    # 2e-4 m is about 6 SDs
    assert np.max(np.abs(out.ap_m - clean)[20:-20]) < 2e-4
    assert out.vertical_force_n is not None
    assert_allclose(out.vertical_force_n, 600.0, rtol=1e-12)  # resampled, not filtered


def test_linear_resampling_is_available() -> None:
    out = preprocess(
        _trial(), preprocessing=Preprocessing(resample_hz=50.0, resample_method="linear")
    )
    assert out.sampling_rate_hz == 50.0
    np.testing.assert_allclose(out.ap_m[:10], _trial().ap_m[:20:2], rtol=1e-12)


def test_quijoux_pipeline_purges_the_first_tenth_of_a_second() -> None:
    out = preprocess(_trial(), preprocessing=Preprocessing.quijoux_2021())
    assert out.sampling_rate_hz == 25.0
    assert out.start_time_s == pytest.approx(2.1)  # t < 0.1 s dropped, grid starts at 0.1 s
    assert out.n_samples in (747, 748)  # 0.10 s onwards, below the last kept 29.98 s (rounding)


def test_inputs_are_not_mutated() -> None:
    trial = _trial()
    ap = trial.ap_m.copy()
    preprocess(trial, preprocessing=Preprocessing(lowpass_hz=5.0, detrend="constant"))
    np.testing.assert_array_equal(trial.ap_m, ap)
    preprocess(trial, preprocessing=Preprocessing.quijoux_2021())
    np.testing.assert_array_equal(trial.ap_m, ap)


@pytest.mark.parametrize(
    ("settings", "match"),
    [
        ({"trim_start_s": 20.0, "trim_end_s": 10.0}, "shorter than the trial"),
        ({"lowpass_hz": 50.0}, "Nyquist frequency 50 Hz"),
        ({"resample_hz": 25.0, "lowpass_hz": 12.5}, "Nyquist frequency 12.5 Hz"),
    ],
)
def test_settings_incompatible_with_the_trial_are_refused(
    settings: dict[str, float], match: str
) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        preprocess(_trial(), preprocessing=Preprocessing(**settings))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("settings", "match"),
    [
        ({"trim_start_s": -1.0}, "trim_start_s must be a finite number >= 0; got -1.0"),
        ({"filter_order": 0}, "filter_order must be an integer >= 1; got 0"),
        ({"resample_hz": 0.0}, "resample_hz must be None or a finite number > 0"),
        ({"lowpass_hz": float("nan")}, "lowpass_hz"),
        ({"detrend": "quadratic"}, "detrend must be one of"),
        ({"centre": "mean"}, "centre must be one of 'none', 'raw_mean'; got 'mean'"),
        ({"purge_artefacts": True}, "purge_artefacts requires resample_hz"),
    ],
)
def test_invalid_settings_are_refused(settings: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        Preprocessing(**settings)  # type: ignore[arg-type]
