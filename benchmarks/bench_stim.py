"""Benchmark: the EMG-triggered stimulation controller on a live-sized stream.

Prints, for a simulated 2 kHz envelope (rest and efforts, 10 minutes by default) fed in chunks of
20 samples (10 ms, the chunk of the reference's latency figures):

* per-chunk latency percentiles of :meth:`EmgTriggeredController.update` (p50, p99, max), and the
  samples per second it sustains;
* the ratio to a baseline measured in the same run: the same state machine written as a plain
  Python loop over samples (what the vectorised version replaces); both must issue the same
  commands. At 20-sample chunks the loop is faster (a NumPy call costs more than 20 Python
  steps); the controller's cost per chunk is nearly flat, so it wins from a few hundred samples
  per chunk (the table below), and either is far below 1 % of a 10 ms chunk's time budget;
* cost per chunk as the chunk grows (20 ... 2000 samples), with the log-log slope of time per
  chunk against chunk size (1.0 = linear in the samples);
* peak memory (tracemalloc) of a whole run.

Usage: ``.venv/bin/python benchmarks/bench_stim.py [--minutes 10]``
"""

from __future__ import annotations

import argparse
import time
import tracemalloc

import numpy as np

from reeducate.stim.controller import EmgTriggeredController, StimAction, TriggerSettings

FS_HZ = 2000.0
CHUNK = 20
SETTINGS = TriggerSettings(
    trigger_pct_mvc=20, release_pct_mvc=10, min_effort_s=0.05, on_s=5, ramp_up_s=1,
    ramp_down_s=1, off_s=10,
)  # fmt: skip


def simulated(minutes: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    n = int(minutes * 60 * FS_HZ)
    times = np.arange(n) / FS_HZ
    envelope = rng.uniform(2, 8, n)
    t = 1.0
    while t < times[-1]:
        on = (times >= t) & (times < t + rng.uniform(0.3, 4))
        envelope[on] = rng.uniform(30, 60, int(on.sum()))
        t += rng.uniform(3, 25)
    return envelope, times


def baseline(envelope: np.ndarray, times: np.ndarray) -> list[tuple[str, float]]:
    """The same rules, sample by sample in Python (no chunk vectorisation)."""
    s = SETTINGS
    state, above_since, started, stopped = "rest", None, 0.0, 0.0
    out: list[tuple[str, float]] = []
    for e, t in zip(envelope.tolist(), times.tolist(), strict=True):
        if state == "rest":
            if e > s.trigger_pct_mvc:
                above_since = t if above_since is None else above_since
                if t - above_since + 1e-9 >= s.min_effort_s:
                    state, started, above_since = "stim", t, None
                    out.append(("start", t))
            else:
                above_since = None
        elif state == "stim":
            if t + 1e-9 >= started + s.on_s:
                state, stopped = "recovery", t
                out.append(("stop", t))
        elif state == "recovery":
            if t + 1e-9 >= stopped + s.off_s:
                state = "release"
        if state == "release" and e < s.release_pct_mvc:
            state = "rest"
    return out


def run(envelope: np.ndarray, times: np.ndarray, chunk: int) -> tuple[list[float], list]:
    controller = EmgTriggeredController(settings=SETTINGS)
    latencies, commands = [], []
    for i in range(0, envelope.size, chunk):
        t0 = time.perf_counter()
        commands += controller.update(envelope[i : i + chunk], times_s=times[i : i + chunk])
        latencies.append(time.perf_counter() - t0)
    return latencies, commands


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=10.0)
    args = parser.parse_args()
    envelope, times = simulated(args.minutes, np.random.default_rng(0))
    print(
        f"stream: {envelope.size} samples ({args.minutes:g} min at {FS_HZ:g} Hz), chunks of {CHUNK}"
    )

    latencies, commands = run(envelope, times, CHUNK)
    total = sum(latencies)
    p50, p99 = np.percentile(np.array(latencies) * 1e6, [50, 99])
    print(
        f"controller: {envelope.size / total / 1e6:.2f} M samples/s; per chunk p50 {p50:.1f} µs, "
        f"p99 {p99:.1f} µs, max {max(latencies) * 1e6:.1f} µs; {len(commands)} commands"
    )
    t0 = time.perf_counter()
    reference = baseline(envelope, times)
    base = time.perf_counter() - t0
    same = [(c.action.value, c.at_s) for c in commands] == reference
    print(f"baseline (Python loop per sample): {base:.3f} s; controller {total:.3f} s; "
          f"ratio baseline/controller {base / total:.1f}; same commands: {same}")  # fmt: skip
    assert same, "the controller and the baseline disagree"
    assert sum(c.action is StimAction.START for c in commands) > 0

    sizes = [20, 100, 500, 2000]
    per_chunk = []
    for size in sizes:
        lat, _ = run(envelope, times, size)
        per_chunk.append(float(np.median(lat)))
        loop_s = base / envelope.size * size  # the Python loop's cost for the same samples
        print(
            f"chunk {size:5d}: median {per_chunk[-1] * 1e6:8.1f} µs per chunk "
            f"(Python loop {loop_s * 1e6:8.1f} µs; ratio loop/controller "
            f"{loop_s / per_chunk[-1]:.1f})"
        )
    slope = np.polyfit(np.log(sizes), np.log(per_chunk), 1)[0]
    print(f"log-log slope of time per chunk against chunk size: {slope:.2f}")

    tracemalloc.start()
    run(envelope, times, CHUNK)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak memory of a run (tracemalloc): {peak / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
