"""Cleaning, envelopes, %MVC, co-contraction and fatigue: behaviour and error messages."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import signal

from reeducate.emg.cleaning import CleaningSettings, bandpass_sos, clean_emg, notch_sos
from reeducate.emg.cocontraction import co_contraction_index
from reeducate.emg.envelope import linear_envelope, moving_rms, teager_kaiser
from reeducate.emg.fatigue import median_frequency_slope
from reeducate.emg.normalisation import mvc_reference, to_pct_mvc
from reeducate.emg.recording import EmgRecording
from reeducate.errors import InvalidParameterError, NotFoundError, SignalQualityError

FS = 2000.0


def test_mains_notch_removes_50_hz_and_keeps_neighbours() -> None:
    t = np.arange(int(8 * FS)) / FS
    mains = 200e-6 * np.sin(2 * np.pi * 50.0 * t)
    emg_tone = 50e-6 * np.sin(2 * np.pi * 80.0 * t)
    y = clean_emg(mains + emg_tone, sampling_rate_hz=FS, settings=CleaningSettings(mains_hz=50.0))
    mid = slice(int(2 * FS), int(6 * FS))
    # Residual 50 Hz after the notch (Q 30, forward-backward): below 1 % of its amplitude.
    residual = y[mid] - emg_tone[mid]
    assert np.sqrt(np.mean(residual**2)) < 0.01 * 200e-6 / np.sqrt(2)
    # Without the notch the 50 Hz passes the 20-450 Hz band almost whole.
    y_no = clean_emg(mains, sampling_rate_hz=FS, settings=CleaningSettings(mains_hz=None))
    assert np.sqrt(np.mean(y_no[mid] ** 2)) > 0.9 * 200e-6 / np.sqrt(2)


def test_band_pass_removes_offset_and_drift() -> None:
    t = np.arange(int(6 * FS)) / FS
    x = 1e-3 + 2e-4 * t + 30e-6 * np.sin(2 * np.pi * 100.0 * t)
    y = clean_emg(x, sampling_rate_hz=FS, settings=CleaningSettings(mains_hz=None))
    mid = slice(int(1 * FS), int(5 * FS))
    # Zero-phase band-pass: the 100 Hz tone passes with gain |H(100)|^2, offset and drift go.
    gain = np.abs(signal.sosfreqz(bandpass_sos(sampling_rate_hz=FS, band_hz=(20, 450), order=4),
                                  worN=[100.0], fs=FS)[1][0]) ** 2  # fmt: skip
    assert_allclose(y[mid], gain * 30e-6 * np.sin(2 * np.pi * 100.0 * t[mid]), atol=3e-8)


def test_cleaning_refuses_a_band_above_nyquist() -> None:
    with pytest.raises(InvalidParameterError, match=r"Nyquist \(400 Hz"):
        clean_emg(np.zeros(1000), sampling_rate_hz=800.0, settings=CleaningSettings(mains_hz=50))


def test_cleaning_settings_refuse_other_mains() -> None:
    with pytest.raises(InvalidParameterError, match="mains_hz must be 50, 60 or None; got 55"):
        CleaningSettings(mains_hz=55.0)


def test_notch_harmonics_stop_at_the_band_edge() -> None:
    sos = notch_sos(sampling_rate_hz=FS, mains_hz=60.0, q=30.0, harmonics=10, below_hz=450.0)
    assert sos is not None and sos.shape == (7, 6)  # 60..420 Hz


def test_inputs_are_not_modified() -> None:
    x = np.random.default_rng(0).normal(size=(3000, 2))
    before = x.copy()
    clean_emg(x, sampling_rate_hz=FS, settings=CleaningSettings(mains_hz=50.0))
    linear_envelope(x, sampling_rate_hz=FS, cutoff_hz=6.0, order=2)
    moving_rms(x, sampling_rate_hz=FS, window_s=0.1, alignment="centred")
    assert np.array_equal(x, before)


def test_moving_rms_trailing_matches_a_direct_loop() -> None:
    x = np.random.default_rng(1).normal(size=500)
    got = moving_rms(x, sampling_rate_hz=1000.0, window_s=0.02, alignment="trailing")
    want = np.array([np.sqrt(np.mean(x[max(0, i - 19) : i + 1] ** 2)) for i in range(500)])
    assert_allclose(got, want, rtol=1e-10)  # running sums vs direct sums: rounding only


def test_moving_rms_centred_is_the_trailing_one_shifted() -> None:
    x = np.random.default_rng(2).normal(size=(800, 2))
    c = moving_rms(x, sampling_rate_hz=FS, window_s=0.05, alignment="centred")
    tr = moving_rms(x, sampling_rate_hz=FS, window_s=0.05, alignment="trailing")
    # w = 100: the centred window n-50..n+49 is the trailing window ending at n + 49
    assert_allclose(c[50:-60], tr[99:-11], rtol=1e-10)


def test_teager_kaiser_needs_three_samples() -> None:
    with pytest.raises(InvalidParameterError, match="at least 3 samples; got 2"):
        teager_kaiser([1.0, 2.0])


def test_mvc_reference_methods_and_pct() -> None:
    env = np.full(3000, 1.0)
    env[1000:2000] = 4.0
    env[1500] = 100.0  # a spike
    avg = mvc_reference(env, sampling_rate_hz=1000.0, method="peak_moving_average", window_s=0.5)
    top = mvc_reference(env, sampling_rate_hz=1000.0, method="top_samples_median", window_s=0.5)
    assert avg.value == pytest.approx(4.0 + 96.0 / 500)  # the spike averaged over 500 samples
    assert top.value == 4.0  # median of the 500 largest: robust to the spike
    assert_allclose(to_pct_mvc(np.array([[2.0, 1.0]]), mvc=np.array([4.0, 2.0])), [[50.0, 50.0]])


def test_mvc_reference_refuses_short_recordings() -> None:
    with pytest.raises(SignalQualityError, match=r"0\.100 s; window_s is 0\.5 s"):
        mvc_reference(np.ones(100), sampling_rate_hz=1000.0, method="peak_moving_average",
                      window_s=0.5)  # fmt: skip


def test_pct_mvc_refuses_zero_reference() -> None:
    with pytest.raises(InvalidParameterError, match="mvc must be > 0"):
        to_pct_mvc([1.0], mvc=0.0)


def test_cci_is_symmetric_and_bounded() -> None:
    rng = np.random.default_rng(3)
    a, b = rng.uniform(0, 50, 200), rng.uniform(0, 50, 200)
    for method in ("falconer_winter", "rudolph"):
        assert co_contraction_index(a, b, method=method) == pytest.approx(
            co_contraction_index(b, a, method=method)
        )
    assert 0 <= co_contraction_index(a, b, method="falconer_winter") <= 100


def test_cci_refuses_negative_envelopes() -> None:
    with pytest.raises(InvalidParameterError, match=">= 0"):
        co_contraction_index([1.0, -1.0], [1.0, 1.0], method="falconer_winter")


def test_fatigue_needs_three_epochs() -> None:
    with pytest.raises(SignalQualityError, match="need at least 3"):
        median_frequency_slope(np.ones(2000), sampling_rate_hz=FS, epoch_s=0.5,
                               overlap_ratio=0.0, band_hz=(20.0, 450.0))  # fmt: skip


def test_recording_checks_and_lookup() -> None:
    rec = EmgRecording(signals_v=np.zeros((10, 2)), channel_names=("VL", "BF"),
                       sampling_rate_hz=FS, source_name="s.csv", source_unit="uV")  # fmt: skip
    assert rec.select(("bf",)).channel_names == ("BF",)
    with pytest.raises(NotFoundError, match="no channel named 'TA'; channels: VL, BF"):
        rec.channel("TA")
    with pytest.raises(InvalidParameterError, match="sampling_rate_hz must be a finite"):
        EmgRecording(signals_v=np.zeros((10, 1)), channel_names=("VL",), sampling_rate_hz=-1.0,
                     source_name="s", source_unit="uV")  # fmt: skip
    bad = np.zeros((10, 1))
    bad[3, 0] = np.nan
    with pytest.raises(SignalQualityError, match="channel 'VL' has 1 non-finite samples"):
        EmgRecording(signals_v=bad, channel_names=("VL",), sampling_rate_hz=FS, source_name="s",
                     source_unit="uV")  # fmt: skip
