"""The live pipeline: chunk invariance, equality with the causal offline filters, delays."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy import signal

from reeducate.emg.activation import ActivationTarget
from reeducate.emg.cleaning import CleaningSettings, cleaning_sos
from reeducate.emg.envelope import linear_envelope, lowpass_sos, moving_rms
from reeducate.emg.live import LiveEnvelope, LiveSettings, TargetTracker
from reeducate.emg.simulate import simulate_bursts
from reeducate.errors import InvalidParameterError

FS = 2000.0
CLEAN = CleaningSettings(mains_hz=50.0)


def _signal(n: int = 8000, channels: int = 3) -> np.ndarray:
    rng = np.random.default_rng(11)
    return rng.normal(scale=50e-6, size=(n, channels))


@pytest.mark.parametrize("kind", ["lowpass", "moving_rms"])
@pytest.mark.parametrize("chunk", [1, 7, 20, 333])
def test_chunked_output_equals_one_pass(kind: str, chunk: int) -> None:
    x = _signal()
    settings = LiveSettings(cleaning=CLEAN, envelope=kind)  # type: ignore[arg-type]
    live = LiveEnvelope(sampling_rate_hz=FS, n_channels=3, settings=settings)
    whole = LiveEnvelope(sampling_rate_hz=FS, n_channels=3, settings=settings).process(x)
    parts = np.concatenate([live.process(x[i : i + chunk]) for i in range(0, len(x), chunk)])
    assert_allclose(parts, whole, rtol=0, atol=1e-15)  # rounding of the carried state only


def test_lowpass_path_is_sosfilt_of_the_offline_designs() -> None:
    x = _signal(channels=1)
    live = LiveEnvelope(sampling_rate_hz=FS, n_channels=1,
                        settings=LiveSettings(cleaning=CLEAN, envelope="lowpass"))  # fmt: skip
    got = live.process(x)
    # Independent: scipy's sosfilt, zero initial state, on the same designs.
    band = signal.sosfilt(cleaning_sos(CLEAN, sampling_rate_hz=FS), x, axis=0)
    want = signal.sosfilt(lowpass_sos(sampling_rate_hz=FS, cutoff_hz=6.0, order=2),
                          np.abs(band), axis=0)  # fmt: skip
    assert_allclose(got, want, rtol=1e-12, atol=1e-18)


def test_moving_rms_path_matches_offline_trailing_rms_of_causal_band() -> None:
    x = _signal(channels=2)
    live = LiveEnvelope(sampling_rate_hz=FS, n_channels=2,
                        settings=LiveSettings(cleaning=CLEAN, envelope="moving_rms"))  # fmt: skip
    got = np.concatenate([live.process(x[i : i + 20]) for i in range(0, len(x), 20)])
    band = signal.sosfilt(cleaning_sos(CLEAN, sampling_rate_hz=FS), x, axis=0)
    want = moving_rms(band, sampling_rate_hz=FS, window_s=0.1, alignment="trailing")
    assert_allclose(got, want, rtol=1e-9)


def test_live_envelope_lags_the_offline_one_by_the_documented_delay() -> None:
    # A slowly modulated burst train; the causal envelope is the zero-phase one delayed.
    x = simulate_bursts(duration_s=20.0, sampling_rate_hz=FS, onsets_s=(2.0, 8.0, 14.0),
                        burst_s=3.0, burst_rms_v=100e-6, noise_rms_v=5e-6,
                        rng=np.random.default_rng(5), ramp_s=1.0)  # fmt: skip
    settings = LiveSettings(cleaning=CleaningSettings(mains_hz=None), envelope="lowpass",
                            lowpass_hz=3.0)  # fmt: skip
    live = LiveEnvelope(sampling_rate_hz=FS, n_channels=1, settings=settings)
    causal = live.process(x[:, None])[:, 0]
    offline = linear_envelope(
        signal.sosfiltfilt(cleaning_sos(settings.cleaning, sampling_rate_hz=FS), x),
        sampling_rate_hz=FS, cutoff_hz=3.0, order=2,
    )  # zero-phase: no delay
    lags = np.arange(0, 400)
    a = causal - causal.mean()
    b = offline - offline.mean()
    xc = [np.dot(a[lag:], b[: b.size - lag]) for lag in lags]  # lag of causal behind offline
    lag_s = lags[int(np.argmax(xc))] / FS
    # Group delay of the 3 Hz order-2 low-pass at 0 Hz is 75 ms; the band-pass adds 1.7 ms.
    # The cross-correlation peak of broadband envelopes sits near the low-frequency group
    # delay; 10 ms tolerance covers the frequency dependence of the delay below 3 Hz.
    assert live.total_delay_s == pytest.approx(0.0767, abs=5e-4)
    assert lag_s == pytest.approx(live.total_delay_s, abs=0.010)


def test_moving_rms_delay_is_half_the_window() -> None:
    live = LiveEnvelope(sampling_rate_hz=FS, n_channels=1,
                        settings=LiveSettings(cleaning=CLEAN, envelope="moving_rms",
                                              rms_window_s=0.1))  # fmt: skip
    assert live.delays_s["moving_rms"] == pytest.approx(199 / 2 / FS)


def test_wrong_channel_count_is_refused() -> None:
    live = LiveEnvelope(sampling_rate_hz=FS, n_channels=2,
                        settings=LiveSettings(cleaning=CLEAN, envelope="lowpass"))  # fmt: skip
    with pytest.raises(InvalidParameterError, match=r"shape \(n, 2\); got \(20, 3\)"):
        live.process(np.zeros((20, 3)))


def test_tracker_counts_reps_like_the_offline_scorer() -> None:
    from reeducate.emg.activation import score_activation

    fs = 100.0
    env = np.zeros(int(40 * fs))
    for start, length, level in ((2, 5, 35.0), (10, 2, 35.0), (15, 6, 20.0), (25, 6, 40.0)):
        env[int(start * fs) : int((start + length) * fs)] = level
    target = ActivationTarget(muscle="vm", target_pct_mvc=30, time_to_target_s=2, hold_s=4,
                              hold_floor_ratio=0.8, reps=4, rest_pct_mvc=10)  # fmt: skip
    tracker = TargetTracker(target=target, sampling_rate_hz=fs)
    states = [tracker.update(env[i : i + 3]) for i in range(0, env.size, 3)]
    offline = score_activation(env, sampling_rate_hz=fs, target=target)
    assert states[-1].reps_achieved == offline.reps_achieved == 2
    phases = {s.phase for s in states}
    assert {"rest", "holding", "held", "rising"} <= phases


def test_tracker_refuses_a_rep_when_the_antagonist_is_too_active() -> None:
    fs = 100.0
    env = np.zeros(800)
    env[100:600] = 35.0
    ant = np.where(env > 0, 20.0, 0.0)
    target = ActivationTarget(muscle="vm", target_pct_mvc=30, time_to_target_s=2, hold_s=3,
                              hold_floor_ratio=0.8, reps=1, rest_pct_mvc=10,
                              antagonist="hamstrings", antagonist_max_pct_mvc=15)  # fmt: skip
    tracker = TargetTracker(target=target, sampling_rate_hz=fs)
    last = [tracker.update(env[i : i + 10], ant[i : i + 10]) for i in range(0, 800, 10)][-1]
    assert last.reps_achieved == 0
    quiet = TargetTracker(target=target, sampling_rate_hz=fs)
    last_quiet = [quiet.update(env[i : i + 10], ant[i : i + 10] * 0.5) for i in range(0, 800, 10)]
    assert last_quiet[-1].reps_achieved == 1


def test_documented_delays_match_scipy_group_delay() -> None:
    from reeducate.signals.filters import sos_group_delay_s

    band = cleaning_sos(CleaningSettings(mains_hz=None), sampling_rate_hz=FS)
    b, a = signal.sos2tf(band)
    _, want = signal.group_delay((b, a), w=[100.0], fs=FS)
    # Central difference of the unwrapped phase vs scipy's polynomial formula: 1e-4 relative.
    assert sos_group_delay_s(band, sampling_rate_hz=FS, frequency_hz=100.0) == pytest.approx(
        want[0] / FS, rel=1e-4
    )
    # A 2nd-order Butterworth low-pass at fc has DC group delay sqrt(2) / (2 pi fc) (analog
    # prototype; 6 Hz << 2 kHz so the bilinear warping is negligible): 37.5 ms.
    low = lowpass_sos(sampling_rate_hz=FS, cutoff_hz=6.0, order=2)
    assert sos_group_delay_s(low, sampling_rate_hz=FS, frequency_hz=0.0) == pytest.approx(
        np.sqrt(2) / (2 * np.pi * 6.0), rel=2e-3
    )


def test_biofeedback_emits_envelope_pct_mvc_and_state() -> None:
    from reeducate.emg.live import Biofeedback

    x = simulate_bursts(duration_s=6.0, sampling_rate_hz=FS, onsets_s=(1.0, 3.5), burst_s=1.5,
                        burst_rms_v=50e-6, noise_rms_v=2e-6,
                        rng=np.random.default_rng(4))  # fmt: skip
    quiet = 0.1 * simulate_bursts(duration_s=6.0, sampling_rate_hz=FS, onsets_s=(1.0,),
                                  burst_s=4.0, burst_rms_v=50e-6, noise_rms_v=2e-6,
                                  rng=np.random.default_rng(5))  # fmt: skip
    data = np.column_stack([x, quiet])
    target = ActivationTarget(muscle="vm", target_pct_mvc=30, time_to_target_s=2, hold_s=1,
                              hold_floor_ratio=0.8, reps=2, rest_pct_mvc=10,
                              antagonist="hamstrings", antagonist_max_pct_mvc=15)  # fmt: skip
    settings = LiveSettings(cleaning=CLEAN, envelope="lowpass")
    bf = Biofeedback(sampling_rate_hz=FS, channel_names=("VM", "HAM"),
                     mvc_v={"VM": 100e-6, "HAM": 100e-6}, target=target, agonist="vm",
                     antagonist="HAM", settings=settings)  # fmt: skip
    frames = list(bf.run(data[i : i + 20] for i in range(0, len(data), 20)))
    pct = np.concatenate([f.pct_mvc for f in frames])
    env = np.concatenate([f.envelope_v for f in frames])
    assert_allclose(pct, 100.0 * env / 100e-6)
    # mean |x| of 50 uV-RMS Gaussian EMG is 40 uV: 40 %MVC on the plateau.
    assert 30.0 < float(np.median(pct[int(1.6 * FS) : int(2.4 * FS), 0])) < 50.0
    assert frames[-1].state.reps_achieved == 2
    assert frames[-1].delay_s == pytest.approx(LiveEnvelope(
        sampling_rate_hz=FS, n_channels=2, settings=settings).total_delay_s)  # fmt: skip
    with pytest.raises(InvalidParameterError, match="agonist 'TA' is not a channel"):
        Biofeedback(sampling_rate_hz=FS, channel_names=("VM",), mvc_v={"VM": 1e-4},
                    target=target, agonist="TA", antagonist="VM", settings=settings)  # fmt: skip
    with pytest.raises(InvalidParameterError, match="name its channel with antagonist="):
        Biofeedback(sampling_rate_hz=FS, channel_names=("VM",), mvc_v={"VM": 1e-4},
                    target=target, agonist="VM", antagonist=None, settings=settings)  # fmt: skip
