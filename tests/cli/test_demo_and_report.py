"""The main job (``reeducate demo``) and ``balance report`` produce a complete report."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from tests.cli.running import run

from reeducate.cli.exit_codes import ExitCode


@pytest.mark.slow
def test_demo_writes_report_figures_and_metrics(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "demo"
    code, out, err = run(["demo", "--out", str(out_dir)], capsys)
    assert code == ExitCode.OK, err
    html = (out_dir / "report.html").read_text(encoding="utf-8")
    assert "Romberg" in html and "doi:10.7717/peerj.2648" in html
    pngs = sorted((out_dir / "figures").glob("*.png"))
    assert len(pngs) >= 4
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    rows = list(csv.DictReader(io.StringIO((out_dir / "balance_metrics.csv").read_text("utf-8"))))
    assert len(rows) == 12
    assert {r["condition"] for r in rows} == {
        "firm/eyes open",
        "firm/eyes closed",
        "foam/eyes open",
        "foam/eyes closed",
    }
    assert "foam/eyes closed" in out
    assert not list(out_dir.glob(".staging-*"))


def test_report_with_a_bad_file_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("time,x\n", encoding="utf-8")
    out_dir = tmp_path / "report"
    code, _, err = run(["balance", "report", "--out", str(out_dir), str(bad)], capsys)
    assert code != ExitCode.OK
    assert "bad.csv" in err and "Traceback" not in err
    assert not (out_dir / "report.html").exists()
