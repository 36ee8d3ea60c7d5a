"""The command line end to end: exit codes, one-line errors, outputs (through ``main``)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import numpy as np
import pytest
from tests.cli.running import run

from reeducate import __version__
from reeducate.cli.exit_codes import ExitCode


def write_circle_csv(path: Path, *, radius_cm: float, turns: int, fs_hz: float, n: int) -> None:
    t = np.arange(n) / fs_hz
    phase = 2 * np.pi * turns * np.arange(n) / n
    # A little seeded noise (1 µm) keeps the path from being exactly periodic, which
    # the diffusion analysis rightly refuses (zero MSD at one period).
    noise = np.random.default_rng(7).normal(scale=1e-4, size=(2, n))
    ap = 5.0 + radius_cm * np.cos(phase) + noise[0]
    ml = -2.0 + radius_cm * np.sin(phase) + noise[1]
    lines = ["time_s;COP_AP[cm];COP_ML[cm]"]
    lines += [f"{a:.6f};{b:.9f};{c:.9f}" for a, b, c in zip(t, ap, ml, strict=True)]
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--version"], capsys)
    assert code == ExitCode.OK
    assert out.strip() == f"reeducate {__version__}"


def test_help_lists_the_commands(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--help"], capsys)
    assert code == ExitCode.OK
    assert "balance" in out and "demo" in out


def test_analyze_csv_has_unit_named_columns_in_display_units(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "circle.csv"
    write_circle_csv(path, radius_cm=1.0, turns=20, fs_hz=100.0, n=6000)
    code, out, err = run(["balance", "analyze", "--format", "csv", str(path)], capsys)
    assert code == ExitCode.OK, err
    (row,) = list(csv.DictReader(io.StringIO(out)))
    for column in ("ellipse_area_95_mm2", "mean_velocity_mm_s", "mean_power_frequency_hz"):
        assert column in row
    # A circle of radius 10 mm: mean distance 10 mm; 20 turns of 2*pi*10 mm in 60 s.
    assert float(row["mean_distance_mm"]) == pytest.approx(10.0, rel=1e-5)  # 1 µm noise
    path_mm = 20 * 2 * np.pi * 10.0 * (5999 / 6000)  # the last segment back to the start is absent
    assert float(row["mean_velocity_mm_s"]) == pytest.approx(path_mm / 60.0, rel=1e-3)
    assert row["source_unit"] == "cm"
    assert row["preset"] == "santos-duarte-2016"


def test_analyze_json_records_the_settings_with_each_result(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "circle.csv"
    write_circle_csv(path, radius_cm=1.0, turns=5, fs_hz=50.0, n=1500)
    code, out, err = run(["balance", "analyze", "--format", "json", str(path)], capsys)
    assert code == ExitCode.OK, err
    doc = json.loads(out)
    (result,) = doc["results"]
    assert result["settings"]["preset"] == "santos-duarte-2016"
    assert "preprocessing" in result["settings"] and "conventions" in result["settings"]


def test_missing_unit_is_refused_with_how_to_give_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nounit.csv"
    path.write_text("time,cop_ap,cop_ml\n0,1,2\n0.01,1,2\n0.02,1,2\n", encoding="utf-8")
    code, out, err = run(["balance", "analyze", str(path)], capsys)
    assert code == ExitCode.INPUT_ERROR
    assert "--cop-unit" in err and "nounit.csv" in err
    assert "Traceback" not in err and out == ""
    assert len(err.strip().splitlines()) == 1


def test_unit_given_on_the_command_line_is_used(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "nounit.csv"
    rng = np.random.default_rng(0)
    rows = "\n".join(
        f"{i / 100:.2f},{a:.5f},{b:.5f}" for i, (a, b) in enumerate(rng.normal(size=(3000, 2)))
    )
    path.write_text("t,ap,ml\n" + rows + "\n", encoding="utf-8")
    args = [
        "balance",
        "analyze",
        "--format",
        "csv",
        "--time-col",
        "t",
        "--time-unit",
        "s",
        "--ap-col",
        "ap",
        "--ml-col",
        "ml",
        str(path),
    ]
    code_mm, out_mm, err = run([*args, "--cop-unit", "mm"], capsys)
    assert code_mm == ExitCode.OK, err
    code_cm, out_cm, err = run([*args, "--cop-unit", "cm"], capsys)
    assert code_cm == ExitCode.OK, err
    (mm,) = list(csv.DictReader(io.StringIO(out_mm)))
    (cm,) = list(csv.DictReader(io.StringIO(out_cm)))
    assert float(cm["rms_ap_mm"]) == pytest.approx(10 * float(mm["rms_ap_mm"]), rel=1e-12)


def test_missing_file_exits_not_found(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["balance", "analyze", str(tmp_path / "absent.csv")], capsys)
    assert code == ExitCode.NOT_FOUND
    assert "absent.csv" in err and "Traceback" not in err


def test_one_bad_file_in_a_batch_keeps_the_good_ones(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = tmp_path / "good.csv"
    write_circle_csv(good, radius_cm=1.0, turns=5, fs_hz=50.0, n=1500)
    bad = tmp_path / "bad.csv"
    bad.write_text("", encoding="utf-8")
    out_dir = tmp_path / "out"
    code, out, err = run(
        ["balance", "analyze", "--format", "csv", "--out", str(out_dir), str(good), str(bad)],
        capsys,
    )
    assert code == ExitCode.PARTIAL_FAILURE
    assert "bad.csv" in err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["file"] for r in rows] == ["good.csv"]
    written = list(
        csv.DictReader(io.StringIO((out_dir / "balance_metrics.csv").read_text("utf-8")))
    )
    assert [r["file"] for r in written] == ["good.csv"]
    assert not list(out_dir.glob(".*tmp"))


def test_unknown_preset_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "circle.csv"
    write_circle_csv(path, radius_cm=1.0, turns=5, fs_hz=50.0, n=1500)
    code, _, err = run(["balance", "analyze", "--preset", "nope", str(path)], capsys)
    assert code == ExitCode.NOT_FOUND
    assert "nope" in err and "santos-duarte-2016" in err


def test_bad_condition_names_the_option(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "circle.csv"
    write_circle_csv(path, radius_cm=1.0, turns=5, fs_hz=50.0, n=1500)
    code, _, err = run(["balance", "analyze", "--condition", "eyes-shut", str(path)], capsys)
    assert code == ExitCode.USAGE
    assert "--condition" in err and "eo-firm" in err


def test_unknown_option_is_a_usage_error_without_traceback(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(["balance", "analyze", "--bogus"], capsys)
    assert code == ExitCode.USAGE
    assert "Traceback" not in err


def test_jobs_two_gives_the_same_rows_as_jobs_one(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    paths = []
    for i in range(5):
        path = tmp_path / f"c{i}.csv"
        write_circle_csv(path, radius_cm=1.0 + i, turns=5 + i, fs_hz=50.0, n=1500)
        paths.append(str(path))
    _, one, _ = run(["balance", "analyze", "--format", "csv", "--jobs", "1", *paths], capsys)
    code, two, err = run(["balance", "analyze", "--format", "csv", "--jobs", "2", *paths], capsys)
    assert code == ExitCode.OK, err
    rows_one = list(csv.DictReader(io.StringIO(one)))
    rows_two = list(csv.DictReader(io.StringIO(two)))
    assert [r["file"] for r in rows_two] == [r["file"] for r in rows_one]  # input order kept
    for a, b in zip(rows_one, rows_two, strict=True):
        assert a.keys() == b.keys()
        for key in a:
            try:
                x, y = float(a[key]), float(b[key])
            except ValueError:
                assert a[key] == b[key]
                continue
            # Same code in another process: NumPy's SIMD sums may round differently with
            # another memory alignment (seen: 3e-15), nothing more.
            assert x == pytest.approx(y, rel=1e-12, abs=1e-300, nan_ok=True), key


def test_a_folder_is_expanded_to_its_recordings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "session"
    folder.mkdir()
    for i in range(2):
        write_circle_csv(folder / f"t{i}.csv", radius_cm=1.0, turns=5, fs_hz=50.0, n=1500)
    (folder / "notes.md").write_text("not a recording", encoding="utf-8")
    code, out, err = run(["balance", "analyze", "--format", "csv", str(folder)], capsys)
    assert code == ExitCode.OK, err
    assert [r["file"] for r in csv.DictReader(io.StringIO(out))] == ["t0.csv", "t1.csv"]


def test_an_empty_folder_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "empty").mkdir()
    code, _, err = run(["balance", "analyze", str(tmp_path / "empty")], capsys)
    assert code == ExitCode.NOT_FOUND
    assert "empty/" in err and "no recordings" in err


def test_a_short_trial_keeps_what_it_supports_and_warns_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "six_seconds.csv"
    write_circle_csv(path, radius_cm=1.0, turns=3, fs_hz=50.0, n=300)  # 6 s
    code, out, err = run(["balance", "analyze", "--format", "csv", str(path)], capsys)
    assert code == ExitCode.OK, err
    assert "six_seconds.csv: stabilogram diffusion metrics not computed" in err
    (row,) = list(csv.DictReader(io.StringIO(out)))
    assert row["ap_critical_time_s"] == "nan"
    assert float(row["mean_distance_mm"]) == pytest.approx(10.0, rel=1e-5)


def test_errors_from_deep_inside_name_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "four_samples.csv"
    path.write_text("t[s],ap[mm],ml[mm]\n0,1,2\n0.01,1,3\n0.02,2,2\n0.03,1,1\n", encoding="utf-8")
    code, out, err = run(["balance", "analyze", str(path)], capsys)
    assert code == ExitCode.SIGNAL_QUALITY
    assert err.strip().startswith("error: four_samples.csv") and out == ""
