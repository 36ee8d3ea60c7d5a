"""Time reeducate against the code of Quijoux et al. (2021) on the same HBEDB trials.

Usage::

    python benchmarks/bench_vs_quijoux.py --peer-path /path/to/code_descriptors_postural_control \
        [--data ../shared/data/hbedb/trials] [--trials 10] [--mode raw|paper]

``--peer-path`` is a checkout of github.com/Jythen/code_descriptors_postural_control (MIT) that
you provide (it is never shipped with reeducate); it needs numpy, scipy, scikit-learn and
statsmodels. Without it the script says so and exits 0. For each trial it times the peer's
``Stabilogram.from_array`` + ``compute_all_features`` and reeducate's ``analyze_trial`` with
the matching preset ("quijoux-2021-raw" for ``--mode raw``, "quijoux-2021" for ``paper``),
reading excluded from both, then prints the per-trial times, the speed-up and the largest
relative difference per feature (peer units: cm, s, Hz).

Quijoux F et al. (2021) Physiol Rep 9:e15067, doi:10.14814/phy2.15067.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import types
import warnings
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tests" / "reference"))  # the peer-name tables of the tests

from reeducate.balance.analysis import TrialAnalysis, analyze_trial  # noqa: E402
from reeducate.balance.presets import get_preset  # noqa: E402
from reeducate.balance.trial import CopTrial  # noqa: E402

PACKAGE = "code_descriptors_postural_control"


def _load_peer(path: Path) -> tuple[Any, Any]:
    """Import the peer from ``path`` whatever the folder is called (its imports are absolute)."""
    package = types.ModuleType(PACKAGE)
    package.__path__ = [str(path)]
    sys.modules[PACKAGE] = package
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from code_descriptors_postural_control.descriptors import (  # type: ignore[import-not-found]
            compute_all_features,
        )
        from code_descriptors_postural_control.stabilogram.stato import (  # type: ignore[import-not-found]
            Stabilogram,
        )
    return Stabilogram, compute_all_features


def _read_cm(path: Path) -> tuple[np.ndarray, np.ndarray]:
    data = np.loadtxt(path, skiprows=1, usecols=(7, 8))  # COPx[cm] (AP), COPy[cm] (ML)
    return data[:, 0], data[:, 1]


def _ours_in_peer_units(analysis: TrialAnalysis) -> dict[str, float]:
    from test_diffusion_density_quijoux_raw import PEER_TO_OURS as SDA_SD
    from test_sway_quijoux_raw import FACTOR, PEER_TO_OURS

    n = analysis.trial.n_samples
    fs = analysis.trial.sampling_rate_hz
    row = {}
    for peer_name, (ours, kind) in PEER_TO_OURS.items():
        factor = FACTOR[kind]
        scale = 1e4 / (fs / n) if factor == "power" else float(factor)
        row[peer_name] = analysis.metrics[ours] * scale
    for peer_name, (ours, scale) in SDA_SD.items():
        row[peer_name] = analysis.metrics[ours] * scale
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer-path", type=Path, default=None)
    parser.add_argument(
        "--data", type=Path, default=REPO.parent / "shared" / "data" / "hbedb" / "trials"
    )
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--mode", choices=["raw", "paper"], default="raw")
    args = parser.parse_args(argv)
    if args.peer_path is None or not (args.peer_path / "stabilogram" / "stato.py").is_file():
        print(
            "skipped: give --peer-path, a checkout of "
            "github.com/Jythen/code_descriptors_postural_control"
        )
        return 0
    files = sorted(args.data.glob("BDS*.txt"))[: args.trials]
    if not files:
        print(f"skipped: no BDS*.txt trials in {args.data}")
        return 0
    stabilogram, compute_all_features = _load_peer(args.peer_path)
    preset = get_preset("quijoux-2021-raw" if args.mode == "raw" else "quijoux-2021")
    paper = args.mode == "paper"
    peer_s, ours_s = [], []
    worst: dict[str, float] = {}
    for path in files:
        ap_cm, ml_cm = _read_cm(path)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            st = stabilogram()
            st.from_array(
                np.column_stack([ml_cm, ap_cm]),
                original_frequency=100,
                resample=paper,
                filter_=paper,
            )
            peer = compute_all_features(st, params_dic={"sway_density_radius": 0.3})
            peer_s.append(time.perf_counter() - start)
        trial = CopTrial(
            ap_m=ap_cm * 1e-2,
            ml_m=ml_cm * 1e-2,
            sampling_rate_hz=100.0,
            source_unit="cm",
            source_name=path.name,
        )
        start = time.perf_counter()
        analysis = analyze_trial(trial, preset=preset)
        ours_s.append(time.perf_counter() - start)
        for name, value in _ours_in_peer_units(analysis).items():
            want = float(peer[name])
            rel = abs(value - want) / abs(want) if want else abs(value)
            worst[name] = max(worst.get(name, 0.0), rel)
        print(
            f"{path.name}: peer {peer_s[-1] * 1e3:9.1f} ms   reeducate {ours_s[-1] * 1e3:7.2f} ms"
        )
    peer_med, ours_med = statistics.median(peer_s), statistics.median(ours_s)
    print(
        f"\n{len(files)} trials, mode {args.mode}: median per trial peer {peer_med * 1e3:.1f} ms, "
        f"reeducate {ours_med * 1e3:.2f} ms, speed-up x{peer_med / ours_med:.0f}"
    )
    print("\nlargest relative difference per feature:")
    for name, rel in sorted(worst.items(), key=lambda kv: -kv[1]):
        print(f"  {name:52s} {rel:.2e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
