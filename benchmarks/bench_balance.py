"""Benchmark: the full sway-metric set on the public balance data set (HBEDB).

Prints, for the reference trials in ``../shared/data/hbedb/trials`` (or ``--data-dir``):

* per-trial latency percentiles of read + all metrics, and of the metrics alone, on one core;
* the ratio of the full metric set to a baseline run in the same process: the three published
  metrics (area, velocity, mean frequency) by the Santos & Duarte recipe, plain numpy/scipy;
* cost per trial as the trial length grows (15 s ... 480 s), with the log-log slope
  (1.0 = linear; a quadratic loop would show 2.0);
* wall time, trials per second and peak memory of ``reeducate balance analyze --format csv``
  over the full data-set size (1930 trials of 60 s: the available trials repeated), with
  ``--jobs 1`` and ``--jobs 2``.

Usage: ``.venv/bin/python benchmarks/bench_balance.py [--data-dir DIR] [--n-trials 1930]``
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
from scipy import signal, stats

from reeducate.balance.analysis import analyze_trial
from reeducate.balance.presets import get_preset
from reeducate.balance.trial import CopTrial
from reeducate.io import read_cop

ROOT = Path(__file__).resolve().parents[1]


def baseline_three_metrics(ap_cm: np.ndarray, ml_cm: np.ndarray, fs: float) -> tuple[float, ...]:
    """The published recipe (balance.md §3.6): the baseline the full set is compared with."""
    cop = np.column_stack([ap_cm, ml_cm])
    n = cop.shape[0]
    area = (
        np.pi
        * np.sqrt(np.linalg.det(np.cov(cop, rowvar=False)))
        * stats.f.ppf(0.95, 2, n - 2)
        * 2
        * (n - 1)
        * (n + 1)
        / (n * (n - 2))
    )
    velo = np.sum(np.linalg.norm(np.diff(cop, axis=0), axis=1)) / (n / fs)
    mpf = []
    power = []
    for x in (ap_cm, ml_cm):
        f, p = signal.welch(x, fs, window="hann", nperseg=n // 2, noverlap=n // 4, nfft=n // 2)
        mpf.append(np.trapezoid(f * p, f) / np.trapezoid(p, f))
        power.append(p.sum())
    return area, velo, (mpf[0] * power[0] + mpf[1] * power[1]) / (power[0] + power[1])


def percentiles(samples_s: list[float]) -> str:
    ms = np.asarray(samples_s) * 1e3
    p50, p90, p99 = np.percentile(ms, [50, 90, 99])
    return f"p50 {p50:.2f} ms, p90 {p90:.2f} ms, p99 {p99:.2f} ms, max {ms.max():.2f} ms"


def time_per_trial(paths: list[Path]) -> None:
    preset = get_preset("santos-duarte-2016")
    read_and_all, metrics_only, baseline = [], [], []
    trials: list[CopTrial] = []
    for path in paths:
        t0 = time.perf_counter()
        trial = read_cop(path)
        assert isinstance(trial, CopTrial)
        t1 = time.perf_counter()
        analyze_trial(trial, preset=preset)
        t2 = time.perf_counter()
        baseline_three_metrics(trial.ap_m * 100, trial.ml_m * 100, trial.sampling_rate_hz)
        t3 = time.perf_counter()
        read_and_all.append(t2 - t0)
        metrics_only.append(t2 - t1)
        baseline.append(t3 - t2)
        trials.append(trial)
    print(f"trials: {len(paths)} (60 s at 100 Hz each), one core, in-process")
    print(f"  read + all metrics : {percentiles(read_and_all)}")
    print(f"  all metrics        : {percentiles(metrics_only)}")
    print(f"  baseline (3 published metrics, plain numpy): {percentiles(baseline)}")
    ratio = np.median(metrics_only) / np.median(baseline)
    print(
        f"  ratio all-metrics / baseline (median): {ratio:.1f}x "
        f"for {len(analyze_trial(trials[0], preset=preset).metrics)} metrics vs 3"
    )
    print(f"  throughput (read + all): {len(paths) / sum(read_and_all):.1f} trials/s")
    tracemalloc.start()
    analyze_trial(trials[0], preset=preset)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"  peak Python-heap allocation for one trial's metrics: {peak / 2**20:.1f} MiB")


def scaling(path: Path) -> None:
    preset = get_preset("santos-duarte-2016")
    base = read_cop(path)
    assert isinstance(base, CopTrial)
    print("cost per trial vs trial length (real trial tiled, mirrored to stay continuous)")
    lengths_s = [15, 30, 60, 120, 240, 480]
    costs = []
    for length_s in lengths_s:
        n = int(length_s * base.sampling_rate_hz)
        reps = int(np.ceil(n / base.n_samples))
        ap = np.concatenate([base.ap_m if i % 2 == 0 else base.ap_m[::-1] for i in range(reps)])[:n]
        ml = np.concatenate([base.ml_m if i % 2 == 0 else base.ml_m[::-1] for i in range(reps)])[:n]
        trial = CopTrial(
            ap_m=ap,
            ml_m=ml,
            sampling_rate_hz=base.sampling_rate_hz,
            source_unit="cm",
            source_name=f"tiled-{length_s}s",
        )
        runs = []
        for _ in range(5):
            t0 = time.perf_counter()
            analyze_trial(trial, preset=preset)
            runs.append(time.perf_counter() - t0)
        costs.append(min(runs))
        print(f"  {length_s:4d} s ({n:6d} samples): {min(runs) * 1e3:8.2f} ms")
    slope = np.polyfit(np.log(lengths_s[1:]), np.log(costs[1:]), 1)[0]
    print(f"  log-log slope (30-480 s): {slope:.2f}  (1 = linear, 2 = quadratic)")


def cli_run(paths: list[Path], n_trials: int) -> None:
    exe = ROOT / ".venv" / "bin" / "reeducate"
    if not exe.exists():
        exe = Path(shutil.which("reeducate") or "reeducate")
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i in range(n_trials):
            src = paths[i % len(paths)]
            dst = Path(tmp) / f"rep{i // len(paths):02d}_{src.name}"
            dst.symlink_to(src)
            files.append(str(dst))
        print(
            f"reeducate balance analyze --format csv on {n_trials} trials of 60 s "
            f"(the {len(paths)} available trials repeated)"
        )
        for jobs in (1, 2):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            t0 = time.perf_counter()
            proc = subprocess.run(
                [str(exe), "balance", "analyze", "--format", "csv", "--jobs", str(jobs), *files],
                capture_output=True,
                text=True,
                check=False,
            )
            wall = time.perf_counter() - t0
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            rows = proc.stdout.count("\n") - 1
            print(
                f"  --jobs {jobs}: {wall:.2f} s wall, {n_trials / wall:.0f} trials/s, "
                f"rows {rows}, exit {proc.returncode}, "
                f"CPU {after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime:.1f} s, "
                f"peak RSS of any process so far {after.ru_maxrss / 1024:.0f} MiB"
            )
            if proc.returncode != 0:
                print(proc.stderr[-2000:], file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--data-dir", type=Path, default=ROOT.parent / "shared" / "data" / "hbedb" / "trials"
    )
    parser.add_argument("--n-trials", type=int, default=1930)
    args = parser.parse_args()
    paths = sorted(args.data_dir.glob("BDS*.txt"))
    if not paths:
        sys.exit(f"no HBEDB trials found in {args.data_dir}")
    time_per_trial(paths)
    scaling(paths[0])
    cli_run(paths, args.n_trials)


if __name__ == "__main__":
    main()
