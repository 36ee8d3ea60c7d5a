"""The EMG-triggered controller on a recorded envelope: subject 1 of the CC0 elderly EMG data set
(``../shared/data/emg_elderly/ID_1.xlsx``; Silva DA et al. 2024, Biomed Signal Process Control
88:105635), vastus lateralis channel of the tibialis-anterior task, which starts at rest and
contracts after about 1 s (a real rest-to-effort onset).

The envelope is made live, chunk by chunk (20 samples = 10 ms at 2 kHz, the chunk of the
reference's latency figures), with :class:`reeducate.emg.live.LiveEnvelope` (causal band-pass
20–450 Hz, 60 Hz notch: the data come from Brazil; rectification; 6 Hz 2nd-order causal
low-pass), normalised to % MVC by the peak 0.5 s mean of the same channel's envelope during the
subject's knee-extension (vastus lateralis) task (reference §6). The controller is fed the same
chunks. Its start must be the sample an independent offline computation finds (first run above
the trigger lasting ``min_effort_s``), and the stimulation must last the on-time.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reeducate.stim.controller import (
    EmgTriggeredController,
    command_pairs,
    trigger_settings_for,
)
from reeducate.stim.protocols import load_protocols

SAMPLING_RATE_HZ = 2000.0  # data set README: 2000 Hz
CHUNK = 20
VL_COLUMN = 0  # columns VL, BF, TA, GL in every sheet (data README)


def _column(path: Path, sheet: str) -> np.ndarray:
    import openpyxl  # dev dependency: a missing reader must fail the test, not skip it

    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        rows = workbook[sheet].iter_rows(min_col=1, max_col=1, values_only=True)
        values = [row[0] for row in rows]
    finally:
        workbook.close()
    numbers = [v for v in values if isinstance(v, int | float)]
    assert len(numbers) >= 19_000, f"{path.name} {sheet}: expected ~20000 samples"
    return np.asarray(numbers, dtype=float)


def _live_envelope(raw: np.ndarray) -> np.ndarray:
    from reeducate.emg.cleaning import CleaningSettings
    from reeducate.emg.live import LiveEnvelope, LiveSettings

    live = LiveEnvelope(
        sampling_rate_hz=SAMPLING_RATE_HZ,
        n_channels=1,
        settings=LiveSettings(cleaning=CleaningSettings(mains_hz=60.0), envelope="lowpass"),
    )
    chunks = [live.process(raw[i : i + CHUNK, None]) for i in range(0, raw.size, CHUNK)]
    return np.concatenate(chunks)[:, 0]


@pytest.fixture(scope="module")
def recorded(shared_data: Path) -> tuple[np.ndarray, np.ndarray]:
    path = shared_data / "emg_elderly" / "ID_1.xlsx"
    effort = _live_envelope(_column(path, "EMG_TA"))
    mvc_task = _live_envelope(_column(path, "EMG_VL"))
    window = int(0.5 * SAMPLING_RATE_HZ)
    mvc = np.convolve(mvc_task, np.ones(window) / window, mode="valid").max()
    times = np.arange(effort.size) / SAMPLING_RATE_HZ
    return 100.0 * effort / mvc, times


def _offline_start(envelope: np.ndarray, *, trigger: float, min_effort_samples: int) -> int:
    """First sample at which the envelope has been above ``trigger`` for ``min_effort_samples``
    intervals, by run lengths (no state machine)."""
    above = np.concatenate(([False], envelope > trigger, [False]))
    edges = np.flatnonzero(np.diff(above.astype(int)))
    starts, ends = edges[::2], edges[1::2]  # runs [start, end)
    long_enough = (ends - starts) > min_effort_samples
    assert long_enough.any()
    return int(starts[np.argmax(long_enough)] + min_effort_samples)


@pytest.mark.shared_data
def test_triggered_stimulation_on_a_recorded_onset_matches_the_offline_onset(
    recorded: tuple[np.ndarray, np.ndarray],
) -> None:
    envelope, times = recorded
    settings = trigger_settings_for(load_protocols().get("dorsiflexion-assist"))
    controller = EmgTriggeredController(settings=settings)
    commands = []
    for i in range(0, envelope.size, CHUNK):
        commands += controller.update(envelope[i : i + CHUNK], times_s=times[i : i + CHUNK])
    pairs = command_pairs(commands)

    # The recording: at rest for the first ~0.5 s, contracting from about 1 s on, until 10 s.
    assert envelope[: int(0.5 * SAMPLING_RATE_HZ)].max() < settings.release_pct_mvc
    assert np.median(envelope[int(3 * SAMPLING_RATE_HZ) :]) > 2 * settings.trigger_pct_mvc

    min_effort_samples = round(settings.min_effort_s * SAMPLING_RATE_HZ)
    k = _offline_start(
        envelope, trigger=settings.trigger_pct_mvc, min_effort_samples=min_effort_samples
    )
    # One stimulation: the contraction goes on to the end, so it is never released.
    assert len(pairs) == 1
    start_s, stop_s = pairs[0]
    assert start_s == times[k]  # the same sample: both read the same envelope
    assert 0.5 < start_s < 2.5  # the recorded effort, not the rest before it
    # on-time within one sample (0.5 ms) of the protocol's 5 s
    assert settings.on_s <= stop_s - start_s <= settings.on_s + 1 / SAMPLING_RATE_HZ + 1e-9
