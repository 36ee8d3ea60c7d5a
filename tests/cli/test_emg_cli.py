"""``reeducate emg analyze`` end to end: table, CSV, figures, one-line errors and exit codes."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from tests.cli.running import run

from reeducate.cli.exit_codes import ExitCode
from reeducate.emg.simulate import simulate_bursts

FS = 2000.0


def write_emg_csv(path: Path, *, onsets_s: tuple[float, ...], burst_uv: float, rate: float = FS,
                  seed: int = 1) -> None:  # fmt: skip
    n_s = 6.0
    vl = simulate_bursts(duration_s=n_s, sampling_rate_hz=rate, onsets_s=onsets_s, burst_s=2.0,
                         burst_rms_v=burst_uv * 1e-6, noise_rms_v=3e-6,
                         rng=np.random.default_rng(seed)) * 1e6  # fmt: skip
    bf = simulate_bursts(duration_s=n_s, sampling_rate_hz=rate, onsets_s=onsets_s, burst_s=2.0,
                         burst_rms_v=0.2 * burst_uv * 1e-6, noise_rms_v=3e-6,
                         rng=np.random.default_rng(seed + 100)) * 1e6  # fmt: skip
    t_ms = np.arange(vl.size) / rate * 1e3
    rows = [f"{t:.4f},{a:.4f},{b:.4f}" for t, a, b in zip(t_ms, vl, bf, strict=True)]
    path.write_text("time (ms),VL [uV],BF [uV]\n" + "\n".join(rows) + "\n")


@pytest.fixture
def recordings(tmp_path: Path) -> tuple[Path, Path]:
    task = tmp_path / "task.csv"
    mvc = tmp_path / "mvc.csv"
    write_emg_csv(task, onsets_s=(2.0,), burst_uv=60.0)
    write_emg_csv(mvc, onsets_s=(2.0,), burst_uv=200.0, seed=9)
    return task, mvc


def test_analyze_writes_table_and_figures(
    recordings: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    task, mvc = recordings
    out_dir = tmp_path / "out"
    code, out, err = run(["emg", "analyze", str(task), "--muscle", "VL", "--antagonist", "BF",
                          "--mvc", str(mvc), "--mains-hz", "50", "--rest-s", "0,1.5",
                          "--out", str(out_dir)], capsys)  # fmt: skip
    assert code == ExitCode.OK, err
    assert "VL" in out and "co-contraction VL/BF" in out
    for name in ("emg_raw.png", "emg_envelope.png", "emg_pct_mvc.png"):
        assert (out_dir / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rows = list(csv.DictReader(io.StringIO((out_dir / "emg_metrics.csv").read_text())))
    vl = next(r for r in rows if r["channel"] == "VL")
    # A 60 uV-RMS burst against a 200 uV-RMS calibration: about 30 %MVC at the peak of the
    # 0.5-s mean (2 s of burst in 6 s: mean %MVC lower).
    assert 20.0 < float(vl["peak_pct_mvc"]) < 45.0
    for method in ("hodges_bui", "solnik", "bonato", "envelope_threshold"):
        assert vl[f"onsets_{method}"] == "1"
    # 20 ms: the zero-phase 50 Hz notch (Q 30, time constant ~0.2 s) smears a little of the
    # burst's 50 Hz content before the onset, which the sample-pair test can catch.
    assert abs(float(vl["first_onset_bonato_s"]) - 2.0) < 0.02
    doc = json.loads((out_dir / "emg_analysis.json").read_text())
    assert doc["settings"]["cleaning"]["mains_hz"] == 50.0
    assert 0.0 <= doc["co_contraction"]["falconer_winter_pct"] <= 100.0


def test_analyze_csv_format_on_stdout(
    recordings: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    task, _ = recordings
    code, out, err = run(["emg", "analyze", str(task), "--muscle", "VL", "--muscle", "BF",
                          "--mains-hz", "none", "--envelope", "rms", "--format", "csv",
                          "--out", str(tmp_path / "o")], capsys)  # fmt: skip
    assert code == ExitCode.OK, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["channel"] for r in rows] == ["VL", "BF"]
    assert rows[0]["mvc_uv"] == ""  # no --mvc: no %MVC, never an invented one
    assert not (tmp_path / "o" / "emg_pct_mvc.png").exists()


def test_exercise_scoring_for_the_progression_engine(
    recordings: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    task, mvc = recordings
    code, out, err = run(["emg", "analyze", str(task), "--muscle", "VL", "--antagonist", "BF",
                          "--mvc", str(mvc), "--mains-hz", "50", "--exercise", "ma-slr",
                          "--format", "json", "--out", str(tmp_path / "o")], capsys)  # fmt: skip
    assert code == ExitCode.OK, err
    act = json.loads(out)["activation"]
    # One 2-s burst at ~30 %MVC of the calibration; straight-leg raise: 30 %MVC, hold 1 s.
    assert act["reps_attempted"] == 1 and act["target"].startswith("reach 30 %MVC (quadriceps)")
    assert act["set_record"].startswith(f"{act['reps_achieved']}/10 reps")
    code, _, err = run(["emg", "analyze", str(task), "--muscle", "VL", "--mains-hz", "50",
                        "--exercise", "ma-quad-set", "--out", str(tmp_path / "o")],
                       capsys)  # fmt: skip
    assert code == ExitCode.USAGE and "give --mvc FILE" in err


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["missing.csv", "--muscle", "VL"], ExitCode.NOT_FOUND, "'missing.csv' does not exist"),
        (["TASK", "--muscle", "TA"], ExitCode.NOT_FOUND, "no channel named 'TA'"),
        (["TASK", "--muscle", "VL", "--sampling-rate-hz", "1000"], ExitCode.USAGE,
         "--sampling-rate-hz is 1000 but the time column says 2000 Hz"),
        (["TASK", "--muscle", "VL", "--antagonist", "BF"], ExitCode.USAGE, "give --mvc FILE"),
        (["TASK", "--muscle", "VL", "--rest-s", "soon"], ExitCode.USAGE, "--rest-s must be"),
        (["SLOW", "--muscle", "VL"], ExitCode.USAGE, "Nyquist (300 Hz at sampling_rate_hz=600)"),
        (["SHORT", "--muscle", "VL"], ExitCode.SIGNAL_QUALITY,
         "short.csv: has 20 samples (0.01 s at 2000 Hz); the cleaning filters need at least 34"),
    ],
)  # fmt: skip
def test_errors_are_one_line_with_an_exit_code(
    recordings: tuple[Path, Path],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    code: int,
    message: str,
) -> None:
    task, _ = recordings
    slow = tmp_path / "slow.csv"
    t = np.arange(600) / 600.0
    slow.write_text("t_s,VL [uV]\n" + "\n".join(f"{a:.6f},{np.sin(a * 300):.4f}" for a in t))
    short = tmp_path / "short.csv"  # 10 ms: shorter than the filters' edge padding
    short.write_text("t_s,VL [uV]\n" + "\n".join(f"{i / FS:.4f},{(-1) ** i * 40.0 + i:.1f}"
                                                   for i in range(20)))  # fmt: skip
    paths = {"TASK": task, "SLOW": slow, "SHORT": short, "missing.csv": tmp_path / "missing.csv"}
    argv = [str(paths[a]) if a in paths else a for a in args]
    got, _, err = run(["emg", "analyze", *argv, "--mains-hz", "50", "--out",
                         str(tmp_path / "o")], capsys)  # fmt: skip
    assert got == code, err
    assert message in err
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_mains_frequency_has_no_default(
    recordings: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    task, _ = recordings
    code, _, err = run(["emg", "analyze", str(task), "--muscle", "VL", "--out",
                        str(tmp_path)], capsys)  # fmt: skip
    assert code == ExitCode.USAGE and "--mains-hz" in err


@pytest.mark.shared_data
@pytest.mark.slow
def test_analyze_the_elderly_vl_task(
    shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = shared_data / "emg_elderly" / "ID_1.xlsx"
    code, out, err = run(["emg", "analyze", str(book), "--task", "VL", "--unit", "uV",
                          "--muscle", "VL", "--antagonist", "BF", "--mvc", str(book),
                          "--mains-hz", "60", "--format", "json", "--out", str(tmp_path)],
                         capsys)  # fmt: skip
    assert code == ExitCode.OK, err
    doc = json.loads(out)
    vl = next(r for r in doc["rows"] if r["channel"] == "VL")
    # VL's own task is its calibration: the best 0.5-s mean is 100 %MVC; the whole-trial mean
    # is lower (60-100 %).
    assert 60.0 < vl["mean_pct_mvc"] < 100.0
    assert 0.0 < doc["co_contraction"]["falconer_winter_pct"] < 100.0


@pytest.mark.shared_data
@pytest.mark.slow
def test_the_readme_emg_example_runs(
    shared_data: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    import re
    import shlex

    repo = Path(__file__).resolve().parents[2]
    readme = (repo / "README.md").read_text(encoding="utf-8")
    start = readme.index("### Surface EMG")
    block = re.search(r"```bash\n(.*?)```", readme[start:], flags=re.S)
    assert block is not None
    argv = shlex.split(block.group(1).splitlines()[2])  # the first command (after 2 comments)
    assert argv[:3] == ["reeducate", "emg", "analyze"]
    work = tmp_path / "work"
    work.mkdir()
    (tmp_path / "shared").symlink_to(shared_data.parent)  # the README's ../shared/data
    monkeypatch.chdir(work)
    code, out, err = run(argv[1:], capsys)
    assert code == ExitCode.OK, err
    assert (work / "emg-report" / "emg_pct_mvc.png").exists() and "co-contraction VL/BF" in out
