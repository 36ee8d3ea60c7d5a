"""Benchmark: the whole video route (decode, pose, tracking, kinematics) on this machine's CPU.

For each input and each BlazePose model size (lite, full, heavy), in a fresh process:

* **end to end**: ``estimate_keypoints`` (decode + MediaPipe pose in VIDEO mode + tracking)
  then kinematics of every tracked person (``clean_keypoints`` with Sports2D's settings, view
  detection, two joint angles of the camera's plane on both sides): frames per second, the
  ratio to real time (30 fps), and the process's peak RSS;
* **per frame**: latency percentiles of one ``PoseEstimator.detect`` call (decode excluded);
* **baselines in the same run**: decode alone (OpenCV, frames per second), and each of lite
  and full with ``max_poses=1`` (one person, the detector only when the person is lost);
* **summary**: the product's default (``reeducate.services.movement.DEFAULT_POSE_MODEL`` and
  ``DEFAULT_MAX_POSES``, what ``estimate_keypoints`` and ``reeducate movement analyze`` use
  without options) and whether it meets the target of the issue, faster than real time
  (30 fps) end to end, on each input.

Inputs: the Sports2D demo video (1768x994, 30 fps, 230 frames, two people) and a 640x480
stream made from it (centre 4:3 crop, resized, written with OpenCV's mp4v codec beforehand).
CPU only: no GPU is used or needed.

Usage: ``.venv/bin/python benchmarks/bench_video.py [--video PATH] [--models lite,full,heavy]``
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT.parent / "shared" / "data" / "movement" / "sports2d_demo.mp4"
REAL_TIME_FPS = 30.0  # the target: faster than real time at 30 fps


def make_640x480(src: Path, dst: Path) -> None:
    import cv2

    cap = cv2.VideoCapture(str(src))
    fps = cap.get(cv2.CAP_PROP_FPS)
    writer = cv2.VideoWriter(str(dst), cv2.VideoWriter_fourcc(*"mp4v"), fps, (640, 480))
    while True:
        ok, frame = cap.read()
        if not ok:
            break
        h, w = frame.shape[:2]
        cw = h * 4 // 3
        x0 = (w - cw) // 2
        writer.write(cv2.resize(frame[:, x0 : x0 + cw], (640, 480), interpolation=cv2.INTER_AREA))
    cap.release()
    writer.release()


def child(video: Path, model: str, max_poses: int, mode: str) -> dict[str, float]:
    """One measurement in this (fresh) process; returns numbers as a dict."""
    import cv2

    from reeducate.movement.angles import detect_view, joint_angle
    from reeducate.movement.cleaning import CleaningSettings, clean_keypoints
    from reeducate.movement.pose import PoseEstimator, estimate_keypoints

    out: dict[str, float] = {}
    if mode == "decode":
        t0 = time.perf_counter()
        cap = cv2.VideoCapture(str(video))
        n = 0
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
            n += 1
        out["fps"] = n / (time.perf_counter() - t0)
    elif mode == "e2e":
        cpu0 = time.process_time()
        t0 = time.perf_counter()
        result = estimate_keypoints(video, model=model, max_poses=max_poses)  # type: ignore[arg-type]
        t1 = time.perf_counter()
        for track in result.tracks:  # every person: clean, then the angles of its plane
            cleaned = clean_keypoints(track.image, settings=CleaningSettings(hampel_n_sigma=2.0))
            view = detect_view(cleaned.series).view
            frontal = view in ("front", "back")
            pairs = ((("shoulder", "abduction_adduction"), ("knee", "frontal_plane_projection"))
                     if frontal else (("knee", "flexion_extension"),
                                      ("hip", "flexion_extension")))  # fmt: skip
            for side in ("left", "right"):
                for joint, angle in pairs:
                    joint_angle(cleaned.series, joint=joint, angle=angle, side=side, view=view)
        t2 = time.perf_counter()
        out["cpu_ms_per_frame"] = (time.process_time() - cpu0) * 1e3 / result.n_frames
        out.update(n_frames=result.n_frames, pose_s=t1 - t0, kinematics_s=t2 - t1,
                   fps=result.n_frames / (t2 - t0), n_tracks=len(result.tracks))  # fmt: skip
    else:
        latencies = []
        with PoseEstimator(model=model, max_poses=max_poses) as est:  # type: ignore[arg-type]
            cap = cv2.VideoCapture(str(video))
            fps = cap.get(cv2.CAP_PROP_FPS)
            i = 0
            while True:
                ok, frame = cap.read()
                if not ok:
                    break
                rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
                t = time.perf_counter()
                est.detect(rgb, timestamp_ms=round(i * 1000 / fps))
                latencies.append(time.perf_counter() - t)
                i += 1
        ms = np.asarray(latencies) * 1e3
        out.update(p50_ms=float(np.percentile(ms, 50)), p90_ms=float(np.percentile(ms, 90)),
                   p99_ms=float(np.percentile(ms, 99)), max_ms=float(ms.max()))  # fmt: skip
    out["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def run_child(video: Path, model: str, max_poses: int, mode: str) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", str(video), model, str(max_poses), mode]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"child failed: {' '.join(cmd)}\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, default=DEMO)
    parser.add_argument("--models", default="lite,full,heavy")
    parser.add_argument("--max-poses", type=int, default=2)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        video, model, max_poses, mode = args.child
        print(json.dumps(child(Path(video), model, int(max_poses), mode)))
        return
    from reeducate.services.movement import DEFAULT_MAX_POSES, DEFAULT_POSE_MODEL

    default = (DEFAULT_POSE_MODEL, DEFAULT_MAX_POSES)
    fps_of: dict[tuple[str, str, int], float] = {}
    print(f"CPU cores: {os.cpu_count()}, load average at start: {os.getloadavg()}")
    with tempfile.TemporaryDirectory() as tmp:
        small = Path(tmp) / "stream_640x480.mp4"
        make_640x480(args.video, small)
        for label, video in ((f"{args.video.name} (1768x994)", args.video),
                             ("640x480 stream (same footage)", small)):  # fmt: skip
            dec = run_child(video, "full", 1, "decode")
            print(f"\n{label}\n  baseline decode only: {dec['fps']:.0f} fps")
            runs = [(model, max_poses) for model in args.models.split(",")
                    for max_poses in dict.fromkeys(
                        [args.max_poses] + ([1] if model in ("lite", "full") else []))]
            if default not in runs:
                runs.append(default)  # the summary needs the default, measured in this run
            for model, max_poses in runs:
                e2e = run_child(video, model, max_poses, "e2e")
                fps_of[(label, model, max_poses)] = e2e["fps"]
                lat = run_child(video, model, max_poses, "latency")
                print(
                    f"  {model:5s} max_poses={max_poses}: end to end {e2e['fps']:5.1f} fps "
                    f"({e2e['fps'] / REAL_TIME_FPS:.2f}x real time at 30 fps; "
                    f"{e2e['n_frames']:.0f} frames, {e2e['n_tracks']:.0f} tracks, "
                    f"kinematics {e2e['kinematics_s'] * 1e3:.0f} ms in all; CPU time "
                    f"{e2e['cpu_ms_per_frame']:.1f} ms/frame, both cores), "
                    f"pose per frame p50 {lat['p50_ms']:.1f} / p90 {lat['p90_ms']:.1f} / "
                    f"p99 {lat['p99_ms']:.1f} / max {lat['max_ms']:.1f} ms, "
                    f"peak RSS {e2e['peak_rss_mib']:.0f} MiB, "
                    f"decode alone {e2e['fps'] / dec['fps'] * 100:.0f} % of the wall time"
                )
    print(f"\nload average at end: {os.getloadavg()} (other work on the machine slows these)")
    print(f"\nsummary: product default = model {default[0]!r}, max_poses={default[1]} "
          "(estimate_keypoints, the movement service and `reeducate movement analyze`)")
    for (label, model, max_poses), fps in fps_of.items():
        if (model, max_poses) == default:
            verdict = "meets" if fps >= REAL_TIME_FPS else "does NOT meet"
            print(f"  {label}: {fps:.1f} fps end to end, {fps / REAL_TIME_FPS:.2f}x real time: "
                  f"{verdict} the target (faster than real time, {REAL_TIME_FPS:g} fps)")


if __name__ == "__main__":
    main()
