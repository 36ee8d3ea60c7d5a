"""Invariances (Hypothesis): the controller's commands do not depend on how the samples are cut
into chunks and never overlap; the derived parameters scale as their closed forms say; inputs
are never mutated."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from reeducate.stim.controller import (
    EmgTriggeredController,
    StimAction,
    TriggerSettings,
    run_offline,
)
from reeducate.stim.parameters import check_parameters

SETTINGS = TriggerSettings(
    trigger_pct_mvc=20, release_pct_mvc=10, min_effort_s=0.02, on_s=0.5, ramp_up_s=0.1,
    ramp_down_s=0.1, off_s=0.3,
)  # fmt: skip


@st.composite
def envelopes(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """Blocks of rest (0–25 % MVC, so some cross the trigger briefly) and effort, sampled at
    1 kHz with jittered timestamps, and a random chunking."""
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    n_blocks = draw(st.integers(1, 12))
    parts = []
    for _ in range(n_blocks):
        length = int(rng.integers(5, 600))
        level = rng.choice([rng.uniform(0, 25), rng.uniform(25, 80)])
        parts.append(np.abs(level + rng.normal(0, 5, length)))
    envelope = np.concatenate(parts)
    steps = rng.uniform(0.0005, 0.0015, envelope.size)
    times = np.cumsum(steps)
    cuts = sorted(set(draw(st.lists(st.integers(1, envelope.size - 1), max_size=40))))
    return envelope, times, [c for c in cuts if 0 < c < envelope.size]


@settings(max_examples=60, deadline=None)
@given(envelopes())
def test_chunking_never_changes_the_commands(
    case: tuple[np.ndarray, np.ndarray, list[int]],
) -> None:
    envelope, times, cuts = case
    kept = (envelope.copy(), times.copy())
    whole = run_offline(envelope, times_s=times, settings=SETTINGS)
    controller = EmgTriggeredController(settings=SETTINGS)
    chunked = []
    for env_part, t_part in zip(np.split(envelope, cuts), np.split(times, cuts), strict=True):
        chunked += controller.update(env_part, times_s=t_part)
    chunked += controller.advance(float(times[-1]))
    assert chunked == whole
    assert_allclose(envelope, kept[0], rtol=0, atol=0)  # inputs never mutated
    assert_allclose(times, kept[1], rtol=0, atol=0)
    # starts and stops alternate; each stimulation lasts on_s up to one (jittered) step, and the
    # next starts no sooner than off_s after the stop
    actions = [c.action for c in whole]
    assert actions[::2] == [StimAction.START] * len(actions[::2])
    assert actions[1::2] == [StimAction.STOP] * len(actions[1::2])
    for start, stop in zip(whole[::2], whole[1::2], strict=False):
        assert SETTINGS.on_s - 1e-9 <= stop.at_s - start.at_s <= SETTINGS.on_s + 0.0015 + 1e-9
    for stop, start in zip(whole[1::2], whole[2::2], strict=False):
        assert start.at_s - stop.at_s >= SETTINGS.off_s - 1e-9


@settings(max_examples=60, deadline=None)
@given(
    intensity_ma=st.floats(1, 150),
    pulse_width_us=st.floats(50, 1000),
    frequency_hz=st.floats(1, 200),
    area_cm2=st.floats(1, 200),
    k=st.floats(0.1, 3),
)
def test_rms_scales_with_intensity_and_density_inversely_with_area(
    intensity_ma: float, pulse_width_us: float, frequency_hz: float, area_cm2: float, k: float
) -> None:
    def check(i: float, a: float) -> tuple[float, float, float]:
        c = check_parameters(
            intensity_ma=i, pulse_width_us=pulse_width_us, frequency_hz=frequency_hz,
            waveform="symmetric_biphasic", electrode_area_cm2=a,
        )  # fmt: skip
        return c.rms_current_ma, c.current_density_ma_cm2, c.energy_per_pulse_mj

    rms, density, energy = check(intensity_ma, area_cm2)
    rms_k, _, energy_k = check(min(k * intensity_ma, 500.0), area_cm2)
    scale = min(k * intensity_ma, 500.0) / intensity_ma
    assert_allclose(rms_k, scale * rms, rtol=1e-12)  # I_rms is linear in I
    assert_allclose(energy_k, scale**2 * energy, rtol=1e-12)  # E is quadratic in I
    _, density_area, _ = check(intensity_ma, min(k * area_cm2, 1000.0))
    assert_allclose(density_area * min(k * area_cm2, 1000.0), density * area_cm2, rtol=1e-12)
