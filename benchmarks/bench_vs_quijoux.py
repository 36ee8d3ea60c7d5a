"""Time reeducate against the code of Quijoux et al. (2021) on the same HBEDB trials.

The peer is github.com/Jythen/code_descriptors_postural_control (MIT). It is never shipped with
reeducate: give a checkout of it with ``--peer-path`` (the folder holding ``stabilogram/`` and
``descriptors/``; its own imports are absolute, ``code_descriptors_postural_control.…``, and
the script maps that package name onto the folder, whatever it is called). Without it the
script says so and exits 0. The peer needs scikit-learn and statsmodels, which reeducate does
not, so run it under a separate environment holding both (pytest too: the feature-name tables
are imported from the reference tests)::

    python3 -m venv /tmp/peervenv
    /tmp/peervenv/bin/pip install numpy scipy scikit-learn statsmodels pandas pytest
    /tmp/peervenv/bin/pip install -e /path/to/reeducate
    /tmp/peervenv/bin/python benchmarks/bench_vs_quijoux.py \
        --peer-path /tmp/peer/code_descriptors_postural_control --trials 24 --mode both

Options: ``--data DIR`` (default ``../shared/data/hbedb/trials``), ``--trials N`` (the first N
``BDS*.txt``; default 24), ``--mode raw|paper|both`` (default both), ``--stored DIR`` (the
peer's stored outputs, default ``../shared/data/hbedb/peer``).

For each trial, in one process, it times

* the peer: ``Stabilogram().from_array([ML, AP] cm, original_frequency=100, ...)`` followed
  by ``compute_all_features(st, params_dic={"sway_density_radius": 0.3})``; raw mode passes
  ``resample=False, filter_=False``, paper mode the peer's defaults (SWARII to 25 Hz, 10 Hz
  Butterworth);
* reeducate: :func:`analyze_trial` with preset ``"quijoux-2021-raw"`` (raw) or
  ``"quijoux-2021"`` (paper), preprocessing included as in the peer.

Reading the file is excluded from both; one untimed warm-up run of each on the first trial.
It prints the per-trial p50/p90 of both, the speed-up (peer p50 / ours p50, and the ratio of
the totals), and for every feature both define (the name tables of
``tests/reference/test_sway_quijoux_raw.py`` and ``test_diffusion_density_quijoux_raw.py``)
the largest relative difference |a - b| / |b| over the trials between: ours and the peer run
here; ours and the peer's stored outputs (``quijoux2021_*_subjects_01-16.csv``, the values the
reference tests hold us to); and the peer run here and those stored outputs (a check that the
peer checkout is the version that produced them). Peer units: cm, cm², s, Hz.

Quijoux F et al. (2021) Physiol Rep 9:e15067, doi:10.14814/phy2.15067.
"""

from __future__ import annotations

import argparse
import csv
import sys
import time
import types
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(REPO / "tests" / "reference"))  # the peer-name tables of the tests

from reeducate.balance.analysis import TrialAnalysis, analyze_trial  # noqa: E402
from reeducate.balance.presets import Preset, get_preset  # noqa: E402
from reeducate.balance.trial import CopTrial  # noqa: E402

PACKAGE = "code_descriptors_postural_control"
FS_HZ = 100.0
STORED = {
    "raw": "quijoux2021_raw100Hz_subjects_01-16.csv",
    "paper": "quijoux2021_swarii25Hz_lowpass10Hz_subjects_01-16.csv",
}
PRESET = {"raw": "quijoux-2021-raw", "paper": "quijoux-2021"}


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


def _read_stored(path: Path) -> dict[str, dict[str, float]]:
    if not path.is_file():
        return {}
    with path.open(newline="") as handle:
        return {
            row["Trial"]: {k: float(v) for k, v in row.items() if k != "Trial"}
            for row in csv.DictReader(handle)
        }


def _ours_in_peer_units(analysis: TrialAnalysis) -> dict[str, float]:
    """Our metrics under the peer's names and units (``analysis.trial`` is the processed trial).

    The peer's ``mean_value_*`` is the raw mean, before preprocessing; so is our
    ``mean_position_*_m``: :func:`analyze_trial` reports positions from the plate origin.
    """
    from test_diffusion_density_quijoux_raw import PEER_TO_OURS as SDA_SD
    from test_sway_quijoux_raw import FACTOR, PEER_TO_OURS

    n = analysis.trial.n_samples
    fs = analysis.trial.sampling_rate_hz
    metrics = analysis.metrics
    row = {}
    for peer_name, (ours, kind) in PEER_TO_OURS.items():
        factor = FACTOR[kind]
        scale = 1e4 / (fs / n) if factor == "power" else float(factor)
        row[peer_name] = metrics[ours] * scale
    for peer_name, (ours, scale) in SDA_SD.items():
        row[peer_name] = metrics[ours] * scale
    return row


def _rel(got: float, want: float) -> float:
    return abs(got - want) / abs(want) if want else abs(got)


def _peer_run(
    stabilogram: Any,
    compute_all_features: Callable[..., dict[str, float]],
    ml_cm: np.ndarray,
    ap_cm: np.ndarray,
    paper: bool,
) -> dict[str, float]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        st = stabilogram()
        st.from_array(
            np.column_stack([ml_cm, ap_cm]),
            original_frequency=FS_HZ,
            resample=paper,
            filter_=paper,
        )
        return compute_all_features(st, params_dic={"sway_density_radius": 0.3})


def _ours_run(ap_cm: np.ndarray, ml_cm: np.ndarray, name: str, preset: Preset) -> TrialAnalysis:
    """Build the trial (cm -> m, as the peer builds its stabilogram) and analyse it."""
    trial = CopTrial(
        ap_m=ap_cm * 1e-2,
        ml_m=ml_cm * 1e-2,
        sampling_rate_hz=FS_HZ,
        source_unit="cm",
        source_name=name,
    )
    return analyze_trial(trial, preset=preset)


def run_mode(mode: str, files: list[Path], peer: tuple[Any, Any], stored_dir: Path) -> None:
    stabilogram, compute_all_features = peer
    preset = get_preset(PRESET[mode])
    paper = mode == "paper"
    stored = _read_stored(stored_dir / STORED[mode])
    # Warm-up, untimed: first-call costs (imports, caches) of both.
    ap0, ml0 = _read_cm(files[0])
    _peer_run(stabilogram, compute_all_features, ml0, ap0, paper)
    _ours_run(ap0, ml0, files[0].name, preset)

    peer_s, ours_s = [], []
    vs_peer: dict[str, float] = {}
    vs_stored: dict[str, float] = {}
    peer_vs_stored: dict[str, float] = {}
    missing_stored = 0
    print(f"\n=== mode {mode}: peer resample={paper}, filter_={paper}; ours {preset.name!r} ===")
    for path in files:
        ap_cm, ml_cm = _read_cm(path)
        start = time.perf_counter()
        theirs = _peer_run(stabilogram, compute_all_features, ml_cm, ap_cm, paper)
        peer_s.append(time.perf_counter() - start)

        start = time.perf_counter()
        analysis = _ours_run(ap_cm, ml_cm, path.stem, preset)
        ours_s.append(time.perf_counter() - start)

        ours = _ours_in_peer_units(analysis)
        ref = stored.get(path.stem)
        missing_stored += ref is None
        for name, value in ours.items():
            vs_peer[name] = max(vs_peer.get(name, 0.0), _rel(value, float(theirs[name])))
            if ref is not None:
                vs_stored[name] = max(vs_stored.get(name, 0.0), _rel(value, ref[name]))
                peer_vs_stored[name] = max(
                    peer_vs_stored.get(name, 0.0), _rel(float(theirs[name]), ref[name])
                )
        print(
            f"{path.stem}: peer {peer_s[-1] * 1e3:9.1f} ms   reeducate {ours_s[-1] * 1e3:7.2f} ms"
        )

    p_peer = np.percentile(peer_s, [50, 90])
    p_ours = np.percentile(ours_s, [50, 90])
    print(
        f"\nmode {mode}: {len(files)} trials\n"
        f"  peer      per trial p50 {p_peer[0] * 1e3:9.1f} ms   p90 {p_peer[1] * 1e3:9.1f} ms\n"
        f"  reeducate per trial p50 {p_ours[0] * 1e3:9.2f} ms   p90 {p_ours[1] * 1e3:9.2f} ms\n"
        f"  speed-up  p50 x{p_peer[0] / p_ours[0]:.0f}, total x{sum(peer_s) / sum(ours_s):.0f}"
        f" (peer {sum(peer_s):.1f} s, reeducate {sum(ours_s):.3f} s)"
    )
    if missing_stored:
        print(f"  ({missing_stored} trial(s) not in the stored peer table)")
    header = "ours vs peer(run)"
    print(
        f"\nlargest relative difference per feature ({len(vs_peer)} features both define):\n"
        f"  {'feature':52s} {header:>17s} {'ours vs stored':>14s} {'peer vs stored':>14s}"
    )
    for name, rel in sorted(vs_peer.items(), key=lambda kv: -kv[1]):
        s1 = f"{vs_stored[name]:.2e}" if name in vs_stored else "-"
        s2 = f"{peer_vs_stored[name]:.2e}" if name in peer_vs_stored else "-"
        print(f"  {name:52s} {rel:17.2e} {s1:>14s} {s2:>14s}")
    if vs_peer:
        print(
            f"  {'max over features':52s} {max(vs_peer.values()):17.2e}"
            f" {max(vs_stored.values(), default=float('nan')):14.2e}"
            f" {max(peer_vs_stored.values(), default=float('nan')):14.2e}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer-path", type=Path, default=None)
    hbedb = REPO.parent / "shared" / "data" / "hbedb"
    parser.add_argument("--data", type=Path, default=hbedb / "trials")
    parser.add_argument("--stored", type=Path, default=hbedb / "peer")
    parser.add_argument("--trials", type=int, default=24)
    parser.add_argument("--mode", choices=["raw", "paper", "both"], default="both")
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
    peer = _load_peer(args.peer_path.resolve())
    print(f"peer: {args.peer_path.resolve()}   python: {sys.executable}")
    print(f"numpy {np.__version__}; {len(files)} trials from {args.data}")
    for mode in ("raw", "paper") if args.mode == "both" else (args.mode,):
        run_mode(mode, files, peer, args.stored)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
