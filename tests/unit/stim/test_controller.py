"""The EMG-triggered controller driven by simulated envelopes with known effort onsets: the
stimulation starts within the detection delay, lasts the on-time (± one sample, seen at most one
chunk late), rests, needs the effort released, and ignores how the samples are chunked."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest
from numpy.testing import assert_allclose

from reeducate.errors import InvalidParameterError, SignalQualityError
from reeducate.stim.controller import (
    ControllerState,
    EmgTriggeredController,
    StimAction,
    StimCommand,
    TriggerSettings,
    command_pairs,
    ramp_profile,
    run_offline,
)

SETTINGS = TriggerSettings(
    trigger_pct_mvc=20, release_pct_mvc=10, min_effort_s=0.05, on_s=5, ramp_up_s=1,
    ramp_down_s=1, off_s=10,
)  # fmt: skip


def simulated_envelope(
    onsets_s: Sequence[float],
    durations_s: Sequence[float],
    *,
    sampling_rate_hz: float,
    total_s: float,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """A rest envelope of 2–8 % MVC with efforts of 35–60 % MVC from each onset: every rest
    sample is below the trigger and every effort sample above it, so the crossing is the first
    sample at or after the onset."""
    times = np.arange(0.0, total_s, 1.0 / sampling_rate_hz)
    envelope = rng.uniform(2.0, 8.0, times.size)
    for onset, duration in zip(onsets_s, durations_s, strict=True):
        effort = (times >= onset) & (times < onset + duration)
        envelope[effort] = rng.uniform(35.0, 60.0, int(effort.sum()))
    return envelope, times


def feed(
    envelope: np.ndarray, times: np.ndarray, chunk: int, settings: TriggerSettings = SETTINGS
) -> list[tuple[StimCommand, float]]:
    """Feed in chunks; each command with the time of the last sample of the chunk that gave it."""
    controller = EmgTriggeredController(settings=settings)
    out: list[tuple[StimCommand, float]] = []
    for start in range(0, envelope.size, chunk):
        part = slice(start, start + chunk)
        for command in controller.update(envelope[part], times_s=times[part]):
            out.append((command, float(times[part][-1])))
    return out


@pytest.mark.parametrize("sampling_rate_hz", [1000.0, 2000.0])
@pytest.mark.parametrize("chunk", [1, 20, 64])
def test_start_within_the_detection_delay_and_on_time_within_one_sample(
    sampling_rate_hz: float, chunk: int
) -> None:
    rng = np.random.default_rng(7)
    onsets = [2.0, 19.37, 36.5]  # each after the previous stimulation's recovery
    envelope, times = simulated_envelope(
        onsets, [1.5, 3.0, 0.4], sampling_rate_hz=sampling_rate_hz, total_s=43.0, rng=rng
    )
    dt = 1.0 / sampling_rate_hz
    commands = feed(envelope, times, chunk)
    pairs = command_pairs([c for c, _ in commands])
    assert len(pairs) == len(onsets)
    for (start_s, stop_s), onset in zip(pairs, onsets, strict=True):
        crossing = times[np.searchsorted(times, onset - 1e-12)]
        # detection delay: min_effort_s after the first sample above, within one sample
        assert crossing + SETTINGS.min_effort_s - 1e-9 <= start_s
        assert start_s <= crossing + SETTINGS.min_effort_s + dt + 1e-9
        # on-time: on_s, at most one sample more
        assert SETTINGS.on_s - 1e-9 <= stop_s - start_s <= SETTINGS.on_s + dt + 1e-9
    # each command came out of the chunk holding its sample: at most one chunk late
    chunk_s = chunk * dt
    for command, seen_at in commands:
        assert 0.0 <= seen_at - command.at_s < chunk_s + 1e-9


def test_commands_do_not_depend_on_the_chunking() -> None:
    rng = np.random.default_rng(11)
    envelope, times = simulated_envelope(
        [1.0, 7.0, 17.2, 36.0], [2.0, 0.5, 12.0, 0.03], sampling_rate_hz=1000.0, total_s=38.0,
        rng=rng,
    )  # fmt: skip
    reference = run_offline(envelope, times_s=times, settings=SETTINGS)
    for chunk in (1, 17, 20, 4999):
        assert run_offline(envelope, times_s=times, settings=SETTINGS, chunk_size=chunk) == (
            reference
        ), chunk


def test_an_effort_during_the_rest_is_ignored_and_a_sustained_one_gives_one_stimulation() -> None:
    rng = np.random.default_rng(3)
    # 1.0 s: triggers; 7.0 s: inside the recovery (5.05 + 5 .. 16.05) -> ignored; 16.0–30 s:
    # one long effort that starts in the recovery and goes on after it -> no trigger until
    # released; 35 s: a fresh effort -> triggers.
    envelope, times = simulated_envelope(
        [1.0, 7.0, 16.0, 35.0], [0.5, 1.0, 14.0, 1.0], sampling_rate_hz=1000.0, total_s=45.0,
        rng=rng,
    )  # fmt: skip
    pairs = command_pairs(run_offline(envelope, times_s=times, settings=SETTINGS))
    assert [round(a, 3) for a, _ in pairs] == [1.05, 35.05]


def test_a_spike_shorter_than_the_minimum_effort_does_not_trigger() -> None:
    rng = np.random.default_rng(5)
    envelope, times = simulated_envelope(
        [1.0, 3.0], [0.049, 0.02], sampling_rate_hz=1000.0, total_s=6.0, rng=rng
    )
    assert run_offline(envelope, times_s=times, settings=SETTINGS) == []
    # ... and one of exactly the minimum does (50 samples above at 1 kHz span 49 ms, so 51)
    envelope, times = simulated_envelope(
        [1.0], [0.051], sampling_rate_hz=1000.0, total_s=8.0, rng=rng
    )
    assert [c.action for c in run_offline(envelope, times_s=times, settings=SETTINGS)] == [
        StimAction.START,
        StimAction.STOP,
    ]


def test_states_in_order_and_advance_stops_on_time_without_samples() -> None:
    controller = EmgTriggeredController(settings=SETTINGS)
    assert controller.state is ControllerState.REST
    t = np.arange(0.0, 1.0, 0.001)
    controller.update(np.full(t.size, 50.0), times_s=t)
    assert controller.state is ControllerState.STIMULATING
    # the EMG stream stops (e.g. a lost connection): time alone ends the stimulation
    (stop,) = controller.advance(30.0)
    assert stop.action is StimAction.STOP and stop.at_s == pytest.approx(0.05 + 5.0)
    assert controller.state is ControllerState.WAIT_RELEASE
    controller.update([5.0], times_s=[30.001])
    assert controller.state is ControllerState.REST
    assert [c.action for c in controller.history] == [StimAction.START, StimAction.STOP]


def test_abort_stops_at_once() -> None:
    controller = EmgTriggeredController(settings=SETTINGS)
    controller.update([50.0] * 100, times_s=np.arange(100) * 0.001)
    (stop,) = controller.abort(0.2, reason="patient asked")
    assert stop.action is StimAction.STOP and stop.at_s == 0.2
    assert stop.reason == "aborted: patient asked"
    assert controller.abort(0.3, reason="again") == []
    assert controller.state is ControllerState.RECOVERY


def test_bad_input_is_refused_with_the_time_named() -> None:
    controller = EmgTriggeredController(settings=SETTINGS)
    with pytest.raises(SignalQualityError, match=r"got nan at t = 0.0020 s"):
        controller.update([1.0, 2.0, np.nan], times_s=[0.0, 0.001, 0.002])
    with pytest.raises(InvalidParameterError, match="must increase strictly"):
        controller.update([1.0, 2.0], times_s=[0.0, 0.0])
    controller.update([1.0], times_s=[1.0])
    with pytest.raises(InvalidParameterError, match="continue after the previous chunk"):
        controller.update([1.0], times_s=[0.5])
    with pytest.raises(InvalidParameterError, match="same length"):
        controller.update([1.0, 2.0], times_s=[2.0])


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"release_pct_mvc": 30}, "release_pct_mvc must be <= trigger_pct_mvc"),
        ({"trigger_pct_mvc": 0}, "trigger_pct_mvc must be > 0"),
        ({"ramp_up_s": 3, "ramp_down_s": 3}, "must not exceed on_s"),
        ({"min_effort_s": -0.1}, "min_effort_s must be a finite number >= 0"),
        ({"on_s": float("nan")}, "on_s must be a finite number"),
    ],
)
def test_bad_settings_are_refused(changes: dict[str, float], match: str) -> None:
    values = {
        "trigger_pct_mvc": 20, "release_pct_mvc": 10, "min_effort_s": 0.05, "on_s": 5,
        "ramp_up_s": 1, "ramp_down_s": 1, "off_s": 10,
    } | changes  # fmt: skip
    with pytest.raises(InvalidParameterError, match=match):
        TriggerSettings(**values)


def test_ramp_profile_is_the_trapezoid() -> None:
    t = np.linspace(-1.0, 7.0, 80001)
    profile = ramp_profile(t, on_s=5.0, ramp_up_s=1.0, ramp_down_s=2.0)
    # area of the trapezoid = on - (up + down) / 2 = 3.5 s (closed form); trapezoid rule on a
    # 0.1 ms grid of a piecewise-linear function is exact up to the kinks at the grid
    assert_allclose(np.trapezoid(profile, t), 3.5, atol=1e-6)
    assert profile.max() == 1.0 and profile[t < 0].max() == 0.0 and profile[t > 5].max() == 0.0
    assert_allclose(ramp_profile([0.5, 4.0], on_s=5, ramp_up_s=1, ramp_down_s=2), [0.5, 0.5])
    # no ramps: full output from the start until the on-time ends
    assert_allclose(ramp_profile([0.0, 2.0, 5.0], on_s=5, ramp_up_s=0, ramp_down_s=0), [1, 1, 0])
