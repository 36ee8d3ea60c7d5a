"""Benchmark: IMU reading, stride segmentation, orientation fusion and smoothness.

Prints, on the gaitmap example recording (``../shared/data/imu_gait``, or ``--data-dir``):

* latency percentiles of ``read_imu`` + stride segmentation of both feet, against a baseline
  measured in the same run: ``pandas.read_csv(header=[0, 1])`` + ``scipy.signal.find_peaks``
  on the pitch rate (the least a peak-based segmenter must do);
* cost of stride segmentation as the recording grows (1x ... 32x the 39 s walk) with the
  log-log slope (1.0 = linear);
* Madgwick fusion per sample (ours: scalar arithmetic), against the ``ahrs`` package's
  ``Madgwick`` (same output, per-sample NumPy) and the vectorised accelerometer-only tilt;
* SPARC + LDLJ per 1 s movement at 100 Hz, against the bare zero-padded FFT it needs;
* peak memory (tracemalloc) of read + strides + orientation of one sensor.

Usage: ``.venv/bin/python benchmarks/bench_imu.py [--data-dir DIR] [--repeat 20]``
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
from ahrs.filters import Madgwick
from scipy.signal import find_peaks

from reeducate.io.imu import ImuReadOptions, read_imu
from reeducate.movement.imu import (
    estimate_orientation,
    inclination_from_accelerometer_deg,
    segment_strides,
)
from reeducate.movement.smoothness import movement_smoothness

ROOT = Path(__file__).resolve().parents[1]
RATE_HZ = 204.8


def timed(fn: Callable[[], object], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t0)
    return out


def percentiles(samples_s: list[float]) -> str:
    ms = np.asarray(samples_s) * 1e3
    p50, p90, p99 = np.percentile(ms, [50, 90, 99])
    return f"p50 {p50:.2f} ms, p90 {p90:.2f} ms, p99 {p99:.2f} ms, max {ms.max():.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=ROOT.parent / "shared" / "data")
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    run(data_dir=args.data_dir, repeat=args.repeat)


def run(*, data_dir: Path, repeat: int) -> None:
    """The whole IMU benchmark (also called by ``bench_movement.py``)."""
    path = data_dir / "imu_gait" / "gaitmap_imu_sample.csv"
    if not path.is_file():
        print(f"IMU benchmark skipped: {path} not found (the shared recordings)")
        return
    options = ImuReadOptions(sampling_rate_hz=RATE_HZ)

    def ours() -> None:
        rec = read_imu(path, options=options)
        for sensor in rec.sensors:
            segment_strides(sensor.gyr_rad_s[:, 1], sampling_rate_hz=RATE_HZ)

    def baseline() -> None:
        frame = pd.read_csv(path, header=[0, 1], index_col=0)
        for side in ("left_sensor", "right_sensor"):
            pitch = np.radians(frame[side]["gyr_y"].to_numpy())
            find_peaks(-pitch, height=np.radians(100), distance=int(0.5 * RATE_HZ))

    ours()
    baseline()  # warm caches
    t_ours = timed(ours, repeat)
    t_base = timed(baseline, repeat)
    rec = read_imu(path, options=options)
    n = rec.n_samples
    print(f"recording: {n} samples x {len(rec.sensors)} sensors ({rec.duration_s:.1f} s)")
    print(f"read + strides (ours):     {percentiles(t_ours)}")
    print(f"read + find_peaks (base):  {percentiles(t_base)}")
    ratio = float(np.median(t_ours) / np.median(t_base))
    print(f"ratio ours/baseline (median): {ratio:.2f}")
    print(f"throughput: {2 * n / np.median(t_ours) / 1e6:.2f} M sensor-samples/s (read + strides)")

    pitch = rec.sensors[0].gyr_rad_s[:, 1]
    sizes, costs = [], []
    for k in (1, 2, 4, 8, 16, 32):
        x = np.tile(pitch, k)
        t = timed(lambda x=x: segment_strides(x, sampling_rate_hz=RATE_HZ), max(3, repeat // 4))
        sizes.append(x.size)
        costs.append(float(np.median(t)))
        print(f"strides on {x.size:>7} samples: {np.median(t) * 1e3:7.2f} ms")
    slope = np.polyfit(np.log(sizes), np.log(costs), 1)[0]
    print(f"log-log slope of stride segmentation cost vs length: {slope:.2f} (1.0 = linear)")

    sensor = rec.sensors[0]
    t_fuse = timed(
        lambda: estimate_orientation(sensor.acc_m_s2, sensor.gyr_rad_s, sampling_rate_hz=RATE_HZ),
        5,
    )
    t_peer = timed(
        lambda: Madgwick(
            gyr=np.array(sensor.gyr_rad_s), acc=np.array(sensor.acc_m_s2), frequency=RATE_HZ
        ),
        2,
    )
    t_tilt = timed(
        lambda: inclination_from_accelerometer_deg(sensor.acc_m_s2, segment_axis="z"), 20
    )
    print(
        f"Madgwick (ours): {np.median(t_fuse) / n * 1e6:.1f} us/sample; ahrs.Madgwick (same "
        f"output): {np.median(t_peer) / n * 1e6:.1f} us/sample; ratio ours/ahrs "
        f"{np.median(t_fuse) / np.median(t_peer):.3f}; accelerometer-only tilt "
        f"{np.median(t_tilt) / n * 1e9:.1f} ns/sample"
    )

    tau = np.arange(0, 1, 0.01)
    speed = 30 * tau**2 - 60 * tau**3 + 30 * tau**4
    t_smooth = timed(lambda: movement_smoothness(speed, sampling_rate_hz=100.0), 200)
    t_fft = timed(lambda: np.abs(np.fft.fft(speed, 2048)), 200)
    print(
        f"SPARC + LDLJ per 1 s movement: {percentiles(t_smooth)}; bare FFT "
        f"{np.median(t_fft) * 1e6:.1f} us; ratio {np.median(t_smooth) / np.median(t_fft):.1f}"
    )

    tracemalloc.start()
    rec2 = read_imu(path, options=options)
    segment_strides(rec2.sensors[0].gyr_rad_s[:, 1], sampling_rate_hz=RATE_HZ)
    estimate_orientation(
        rec2.sensors[0].acc_m_s2, rec2.sensors[0].gyr_rad_s, sampling_rate_hz=RATE_HZ
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"peak memory (read + strides + orientation of one sensor): {peak / 2**20:.1f} MiB")


if __name__ == "__main__":
    main()
