"""Invariances of the EMG metrics (Hypothesis; local generators seeded by Hypothesis).

* Amplifier gain: envelopes and RMS scale with the gain; %MVC, co-contraction indices and the
  onsets of the baseline methods do not change.
* Chunking: the live pipeline gives the same output whatever the chunk boundaries.
* Symmetry: co-contraction indices do not depend on which muscle is called the agonist.
* Inputs are never modified.
"""

from __future__ import annotations

import itertools

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from reeducate.emg.cleaning import CleaningSettings, clean_emg
from reeducate.emg.cocontraction import co_contraction_index
from reeducate.emg.envelope import linear_envelope, moving_rms
from reeducate.emg.live import LiveEnvelope, LiveSettings
from reeducate.emg.normalisation import mvc_reference, to_pct_mvc
from reeducate.emg.onsets import OnsetSettings, detect_onsets
from reeducate.emg.simulate import simulate_bursts

FS = 2000.0
seeds = st.integers(min_value=0, max_value=2**32 - 1)
gains = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False)


@settings(max_examples=25, deadline=None)
@given(seed=seeds, gain=gains)
def test_gain_scales_envelopes_and_leaves_pct_mvc_unchanged(seed: int, gain: float) -> None:
    rng = np.random.default_rng(seed)
    x = rng.normal(scale=50e-6, size=(1500, 2))
    before = x.copy()
    clean = CleaningSettings(mains_hz=50.0)
    env = linear_envelope(clean_emg(x, sampling_rate_hz=FS, settings=clean),
                          sampling_rate_hz=FS, cutoff_hz=6.0, order=2)  # fmt: skip
    env_k = linear_envelope(clean_emg(gain * x, sampling_rate_hz=FS, settings=clean),
                            sampling_rate_hz=FS, cutoff_hz=6.0, order=2)  # fmt: skip
    assert np.array_equal(x, before)
    assert_allclose(env_k, gain * env, rtol=1e-9, atol=1e-9 * gain * np.abs(env).max())
    rms = moving_rms(x, sampling_rate_hz=FS, window_s=0.05, alignment="trailing")
    rms_k = moving_rms(gain * x, sampling_rate_hz=FS, window_s=0.05, alignment="trailing")
    assert_allclose(rms_k, gain * rms, rtol=1e-9)
    mvc = [mvc_reference(env[:, i], sampling_rate_hz=FS, method="peak_moving_average",
                         window_s=0.1).value for i in range(2)]  # fmt: skip
    mvc_k = [mvc_reference(env_k[:, i], sampling_rate_hz=FS, method="peak_moving_average",
                           window_s=0.1).value for i in range(2)]  # fmt: skip
    pct = to_pct_mvc(env, mvc=np.array(mvc))
    assert_allclose(to_pct_mvc(env_k, mvc=np.array(mvc_k)), pct, rtol=1e-7, atol=1e-7)


@settings(max_examples=40, deadline=None)
@given(seed=seeds, gain=gains)
def test_cci_is_symmetric_and_gain_free(seed: int, gain: float) -> None:
    rng = np.random.default_rng(seed)
    a, b = rng.uniform(0.0, 80.0, size=(2, 300))
    for method in ("falconer_winter", "rudolph"):
        v = co_contraction_index(a, b, method=method)  # type: ignore[arg-type]
        assert v == co_contraction_index(b, a, method=method)  # type: ignore[arg-type]
    fw = co_contraction_index(a, b, method="falconer_winter")
    assert abs(co_contraction_index(gain * a, gain * b, method="falconer_winter") - fw) <= 1e-9
    assert 0.0 <= fw <= 100.0


@settings(max_examples=20, deadline=None)
@given(seed=seeds, cuts=st.lists(st.integers(min_value=1, max_value=1199), max_size=12))
def test_live_output_does_not_depend_on_chunk_boundaries(seed: int, cuts: list[int]) -> None:
    x = np.random.default_rng(seed).normal(scale=1e-4, size=(1200, 2))
    s = LiveSettings(cleaning=CleaningSettings(mains_hz=60.0), envelope="moving_rms",
                     rms_window_s=0.02)  # fmt: skip
    whole = LiveEnvelope(sampling_rate_hz=FS, n_channels=2, settings=s).process(x)
    live = LiveEnvelope(sampling_rate_hz=FS, n_channels=2, settings=s)
    bounds = [0, *sorted(set(cuts)), 1200]
    parts = np.concatenate([live.process(x[a:b]) for a, b in itertools.pairwise(bounds)])
    assert_allclose(parts, whole, rtol=1e-9, atol=1e-20)


@settings(max_examples=10, deadline=None)
@given(seed=seeds, gain=st.floats(min_value=0.01, max_value=100.0))
def test_baseline_onsets_do_not_depend_on_gain(seed: int, gain: float) -> None:
    x = simulate_bursts(duration_s=4.0, sampling_rate_hz=FS, onsets_s=(2.0,), burst_s=1.0,
                        burst_rms_v=100e-6, noise_rms_v=5e-6,
                        rng=np.random.default_rng(seed))  # fmt: skip
    for method in ("hodges_bui", "bonato"):
        p = detect_onsets(x, sampling_rate_hz=FS, method=method,  # type: ignore[arg-type]
                          settings=OnsetSettings(), rest_s=(0.0, 1.5))  # fmt: skip
        q = detect_onsets(gain * x, sampling_rate_hz=FS, method=method,  # type: ignore[arg-type]
                          settings=OnsetSettings(), rest_s=(0.0, 1.5))  # fmt: skip
        assert p.onsets_s == q.onsets_s
