"""Benchmark: movement kinematics alone (no pose model) on 100,000 frames of keypoints.

Input: the 100 real Pose2Sim BODY_25B frames (``../shared/data/movement/...``, or a synthetic
25-keypoint skeleton when the folder is absent) tiled to ``--n-frames`` frames at 60 Hz, with
1 % of keypoints dropped to NaN and 0.1 % displaced as outliers so that every cleaning step has
work to do. Prints:

* time and throughput (frames/s) of each stage: cleaning (confidence mask, Hampel, gap fill,
  zero-phase Butterworth), six frontal-plane joint angles, repetition segmentation, three
  alignment faults, path shape of a wrist;
* the ratio of the whole pipeline to a baseline measured in the same run: the same six angles
  as plain NumPy included angles (``arccos`` of normalised dot products), the least work any
  angle computation must do;
* cost as the number of frames grows (10k, 30k, 100k) with the log-log slope (1.0 = linear);
* per-frame latency percentiles of the live path (One-Euro filter step on 25 keypoints);
* peak memory (tracemalloc) of the whole pipeline.

Usage: ``.venv/bin/python benchmarks/bench_movement.py [--n-frames 100000]``
"""

from __future__ import annotations

import argparse
import time
import tracemalloc
from pathlib import Path

import numpy as np

from reeducate.movement.alignment import check_alignment
from reeducate.movement.angles import joint_angle
from reeducate.movement.cleaning import CleaningSettings, OneEuroFilter, clean_keypoints
from reeducate.movement.keypoints import KeypointSeries
from reeducate.movement.path import path_shape
from reeducate.movement.reps import segment_repetitions
from reeducate.movement.skeletons import BODY25B

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "movement" / "pose2sim_openpose_cam01"
ANGLES = (
    ("knee", "frontal_plane_projection"),
    ("hip", "abduction_adduction"),
    ("shoulder", "abduction_adduction"),
)


def base_frames() -> tuple[np.ndarray, np.ndarray]:
    if DATA.is_dir():
        from reeducate.io.keypoints import read_openpose_json

        s = read_openpose_json(DATA, frame_rate_hz=60.0, skeleton="body25b")
        return np.asarray(s.positions), np.asarray(s.confidence)
    rng = np.random.default_rng(0)
    pos = rng.uniform(200, 800, (100, 25, 2))
    return pos, np.full((100, 25), 0.9)


def make_series(n_frames: int, rng: np.random.Generator) -> KeypointSeries:
    pos0, conf0 = base_frames()
    reps = -(-n_frames // len(pos0))
    # play the clip forwards then backwards so that tiling has no jumps
    clip = np.concatenate([pos0, pos0[::-1]])
    cconf = np.concatenate([conf0, conf0[::-1]])
    pos = np.tile(clip, (reps // 2 + 1, 1, 1))[:n_frames].copy()
    conf = np.tile(cconf, (reps // 2 + 1, 1))[:n_frames].copy()
    pos += rng.normal(0, 0.5, pos.shape)
    drop = rng.random(conf.shape) < 0.01
    conf[drop] = 0.0
    out = rng.random(conf.shape) < 0.001
    pos[out] += 80.0
    return KeypointSeries(
        positions=pos,
        confidence=conf,
        keypoint_names=BODY25B,
        frame_rate_hz=60.0,
        unit="px",
        skeleton="body25b",
    )


def baseline(series: KeypointSeries) -> float:
    t0 = time.perf_counter()
    for side in ("left", "right"):
        for a, b, c in (
            (f"{side}_hip", f"{side}_knee", f"{side}_ankle"),
            (f"{side}_shoulder", f"{side}_hip", f"{side}_knee"),
            (f"{side}_hip", f"{side}_shoulder", f"{side}_elbow"),
        ):
            u = series.point(a) - series.point(b)
            v = series.point(c) - series.point(b)
            cos = np.sum(u * v, axis=1) / (np.linalg.norm(u, axis=1) * np.linalg.norm(v, axis=1))
            np.degrees(np.arccos(np.clip(cos, -1, 1)))
    return time.perf_counter() - t0


def pipeline(series: KeypointSeries) -> dict[str, float]:
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    cleaned = clean_keypoints(series, settings=CleaningSettings()).series
    t1 = time.perf_counter()
    curves = [
        joint_angle(cleaned, joint=j, angle=a, side=s, view="front")  # type: ignore[arg-type]
        for j, a in ANGLES
        for s in ("left", "right")
    ]
    t2 = time.perf_counter()
    x = curves[0].values_deg
    finite = np.isfinite(x)
    idx = np.arange(len(x))
    x = np.interp(idx, idx[finite], x[finite])
    segment_repetitions(x, sampling_rate_hz=60.0, min_prominence_ratio=0.3)
    t3 = time.perf_counter()
    check_alignment(
        cleaned,
        faults=("knee_valgus", "pelvic_drop", "trunk_lean_pelvis"),
        side="left",
        view="front",
    )
    t4 = time.perf_counter()
    path_shape(cleaned.point("left_wrist"), vertical=(0, -1))
    t5 = time.perf_counter()
    times.update(
        cleaning=t1 - t0,
        angles=t2 - t1,
        repetitions=t3 - t2,
        alignment=t4 - t3,
        path=t5 - t4,
        total=t5 - t0,
    )
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-frames", type=int, default=100_000)
    args = parser.parse_args()
    rng = np.random.default_rng(42)
    n = args.n_frames
    series = make_series(n, rng)
    print(
        f"movement kinematics on {n:,} frames x 25 keypoints (60 Hz, "
        f"{'Pose2Sim BODY_25B tiled' if DATA.is_dir() else 'synthetic'})"
    )
    pipeline(make_series(2_000, rng))  # warm-up (imports, caches)
    runs = [pipeline(series) for _ in range(3)]
    best = {k: min(r[k] for r in runs) for k in runs[0]}
    for stage in ("cleaning", "angles", "repetitions", "alignment", "path", "total"):
        print(f"  {stage:<12} {best[stage] * 1e3:9.1f} ms   {n / best[stage]:14,.0f} frames/s")
    base = min(baseline(series) for _ in range(3))
    print(
        f"  baseline (6 plain NumPy included angles): {base * 1e3:.1f} ms; "
        f"whole pipeline / baseline = {best['total'] / base:.1f}x; "
        f"angles alone / baseline = {best['angles'] / base:.1f}x"
    )
    sizes = [10_000, 30_000, n]
    costs = [min(pipeline(make_series(m, rng))["total"] for _ in range(2)) for m in sizes]
    slope = np.polyfit(np.log(sizes), np.log(costs), 1)[0]
    print(
        "  scaling: "
        + ", ".join(f"{m:,}: {c * 1e3:.0f} ms" for m, c in zip(sizes, costs, strict=True))
        + f"; log-log slope {slope:.2f} (1.0 = linear)"
    )
    f = OneEuroFilter(min_cutoff_hz=4.0, beta=0.01, d_cutoff_hz=1.0)
    lat = []
    pos = np.asarray(series.positions)
    for i in range(5_000):
        t0 = time.perf_counter()
        f.step(pos[i], t_s=i / 60.0)
        lat.append(time.perf_counter() - t0)
    p50, p90, p99 = np.percentile(np.asarray(lat) * 1e6, [50, 90, 99])
    print(
        f"  live One-Euro step (25 keypoints): p50 {p50:.0f} us, p90 {p90:.0f} us, "
        f"p99 {p99:.0f} us per frame"
    )
    tracemalloc.start()
    pipeline(series)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        f"  peak memory of the pipeline (tracemalloc): {peak / 2**20:.0f} MiB "
        f"(input {series.positions.nbytes / 2**20:.0f} MiB)"
    )
    # The IMU part (reading, strides, Madgwick, SPARC/LDLJ): benchmarks/bench_imu.py.
    from bench_imu import run as run_imu

    print("IMU recordings (gaitmap example data)")
    run_imu(data_dir=ROOT.parent / "shared" / "data", repeat=10)


if __name__ == "__main__":
    main()
