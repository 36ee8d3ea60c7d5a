"""Delimited CoP text: delimiters, line endings, gzip, names, units and every bad input."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from reeducate.balance.trial import TrialCondition, Vision
from reeducate.errors import (
    FileFormatError,
    InvalidParameterError,
    NotFoundError,
    SignalQualityError,
    UnitError,
)
from reeducate.io import DelimitedOptions, read_cop
from reeducate.io.delimited import parse_column


def _write(tmp_path: Path, text: str, name: str = "trial.csv", eol: str = "\n") -> Path:
    p = tmp_path / name
    p.write_bytes(text.replace("\n", eol).encode())
    return p


def _rows(n: int = 50, rate: float = 100.0, sep: str = ",") -> str:
    t = np.arange(n) / rate
    return "".join(f"{ti:.4f}{sep}{i * 0.1:.3f}{sep}{-i * 0.2:.3f}\n" for i, ti in enumerate(t))


@pytest.mark.parametrize("sep", [",", ";", "\t"])
@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r"])
def test_delimiters_and_line_endings(tmp_path: Path, sep: str, eol: str) -> None:
    header = sep.join(["Time[s]", "CoP AP[mm]", "CoP ML[mm]"]) + "\n"
    trial = read_cop(_write(tmp_path, header + _rows(sep=sep), eol=eol))
    assert trial.sampling_rate_hz == 100.0
    assert trial.source_unit == "mm"
    assert_allclose(trial.ap_m[:3], [0.0, 1e-4, 2e-4], atol=1e-18)
    assert_allclose(trial.ml_m[:3], [0.0, -2e-4, -4e-4], atol=1e-18)


def test_semicolon_with_decimal_comma(tmp_path: Path) -> None:
    text = "time (s);cop_ap_cm;cop_ml_cm\n0,00;1,5;2,5\n0,01;1,6;2,4\n0,02;1,7;2,3\n"
    trial = read_cop(_write(tmp_path, text))
    assert_allclose(trial.ap_m, [0.015, 0.016, 0.017], rtol=1e-15)


def test_gzip(tmp_path: Path) -> None:
    p = tmp_path / "trial.csv.gz"
    p.write_bytes(gzip.compress(("t[s],ap_cm,ml_cm\n" + _rows()).encode()))
    trial = read_cop(p)
    assert trial.source_name == "trial.csv" and trial.n_samples == 50


@pytest.mark.parametrize(
    ("raw", "base", "unit"),
    [
        ("COPx[cm]", "copx", "cm"),
        ("cop_x", "cop_x", None),
        ("CoP AP", "cop_ap", None),
        ("cop_ap_mm", "cop_ap", "mm"),
        ("COP_ML (mm)", "cop_ml", "mm"),
        ("time (ms)", "time", "ms"),
    ],
)
def test_column_names(raw: str, base: str, unit: str | None) -> None:
    col = parse_column(raw)
    assert (col.base, col.unit) == (base, unit)


def test_time_in_ms(tmp_path: Path) -> None:
    text = "time (ms),ap_mm,ml_mm\n0,1,1\n20,2,2\n40,3,3\n"
    assert read_cop(_write(tmp_path, text)).sampling_rate_hz == 50.0


def test_user_given_columns_and_unit(tmp_path: Path) -> None:
    text = "t[s],COPx,COPy\n" + _rows()
    p = _write(tmp_path, text)
    with pytest.raises(FileFormatError, match=r"pass --ap-col NAME"):
        read_cop(p)
    opts = DelimitedOptions(ap_col="copx", ml_col="COPY", cop_unit="cm")
    trial = read_cop(p, options=opts)
    assert trial.source_unit == "cm"
    assert trial.ap_m[1] == pytest.approx(0.001)


def test_sampling_rate_without_time_column(tmp_path: Path) -> None:
    p = _write(tmp_path, "ap_mm,ml_mm\n1,2\n3,4\n5,6\n")
    with pytest.raises(InvalidParameterError, match="--sampling-rate-hz"):
        read_cop(p)
    cond = TrialCondition(vision=Vision.CLOSED)
    trial = read_cop(p, options=DelimitedOptions(sampling_rate_hz=25.0, condition=cond))
    assert trial.sampling_rate_hz == 25.0 and trial.condition is cond


def test_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=r"'missing\.csv' does not exist"):
        read_cop(tmp_path / "missing.csv")


def test_directory(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match="is a directory"):
        read_cop(tmp_path)


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match=r"trial\.csv: file is empty"):
        read_cop(_write(tmp_path, ""))


def test_header_only(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match=r"has a header \(3 columns\) but no data rows"):
        read_cop(_write(tmp_path, "t[s],ap_mm,ml_mm\n"))


def test_binary_garbage(tmp_path: Path) -> None:
    p = tmp_path / "junk.csv"
    p.write_bytes(bytes(np.random.default_rng(0).integers(0, 256, 4000, dtype=np.uint8)))
    with pytest.raises(FileFormatError, match=r"junk\.csv: (looks binary|is not text)"):
        read_cop(p)


def test_missing_ml_column(tmp_path: Path) -> None:
    with pytest.raises(FileFormatError, match=r"no column is named as the medio-lateral CoP"):
        read_cop(_write(tmp_path, "t[s],cop_ap_mm,force\n0,1,2\n0.01,1,2\n"))


def test_unknown_unit_tag(tmp_path: Path) -> None:
    with pytest.raises(UnitError, match=r"column 'cop_ap\[in\]': unknown unit tag 'in'"):
        read_cop(_write(tmp_path, "t[s],cop_ap[in],cop_ml[in]\n0,1,2\n0.01,1,2\n"))


def test_no_unit_and_none_given(tmp_path: Path) -> None:
    with pytest.raises(UnitError, match=r"give it with --cop-unit \{m,cm,mm\}"):
        read_cop(_write(tmp_path, "t[s],cop ap,cop ml\n0,1,2\n0.01,1,2\n"))


def test_unit_tag_contradicts_option(tmp_path: Path) -> None:
    p = _write(tmp_path, "t[s],cop_ap[cm],cop_ml[cm]\n0,1,2\n0.01,1,2\n")
    with pytest.raises(UnitError, match=r"header says 'cm' but --cop-unit is 'mm'"):
        read_cop(p, options=DelimitedOptions(cop_unit="mm"))


def test_bad_cop_unit_option() -> None:
    with pytest.raises(UnitError, match=r"cop_unit must be one of m, cm, mm; got 'in'"):
        DelimitedOptions(cop_unit="in")  # type: ignore[arg-type]


def test_time_without_unit(tmp_path: Path) -> None:
    p = _write(tmp_path, "time,ap_mm,ml_mm\n0,1,2\n0.01,1,2\n0.02,1,2\n")
    with pytest.raises(UnitError, match="the time unit is not in the header"):
        read_cop(p)
    assert read_cop(p, options=DelimitedOptions(time_unit="s")).sampling_rate_hz == 100.0


def test_non_numeric_cell_names_line_and_column(tmp_path: Path) -> None:
    text = "t[s],ap_mm,ml_mm\n0,1,2\n0.01,1,2\n0.02,oops,2\n0.03,1,2\n"
    with pytest.raises(
        FileFormatError, match=r"line 4, column 'ap_mm': expected a number; got 'oops'"
    ):
        read_cop(_write(tmp_path, text))


def test_ragged_row(tmp_path: Path) -> None:
    text = "t[s],ap_mm,ml_mm\n0,1,2\n0.01,1,2,9\n"
    with pytest.raises(FileFormatError, match=r"line 3: expected 3 fields as in the header; got 4"):
        read_cop(_write(tmp_path, text))


def test_nan_run_names_lines_and_time_span(tmp_path: Path) -> None:
    lines = [f"{i / 100:.2f},{'' if 20 <= i < 25 else 1},2" for i in range(50)]
    text = "t[s],ap_mm,ml_mm\n" + "\n".join(lines) + "\n"
    with pytest.raises(
        SignalQualityError,
        match=r"5 rows with empty or NaN cells in column\(s\) 'ap_mm' between line 22 and line "
        r"26, t = 0\.200 s to 0\.240 s",
    ):
        read_cop(_write(tmp_path, text))


def test_gap(tmp_path: Path) -> None:
    t = np.r_[np.arange(20), np.arange(25, 50)] / 100
    text = "t[s],ap_mm,ml_mm\n" + "".join(f"{x:.2f},1,2\n" for x in t)
    with pytest.raises(
        SignalQualityError, match=r"line 22: gap in time from t = 0\.190 s to t = 0\.250 s"
    ):
        read_cop(_write(tmp_path, text))


def test_duplicated_time(tmp_path: Path) -> None:
    text = "t[s],ap_mm,ml_mm\n0,1,2\n0.01,1,2\n0.01,1,2\n0.02,1,2\n"
    with pytest.raises(SignalQualityError, match=r"line 4: duplicated timestamp"):
        read_cop(_write(tmp_path, text))


def test_non_monotonic_time(tmp_path: Path) -> None:
    text = "t[s],ap_mm,ml_mm\n0,1,2\n0.02,1,2\n0.01,1,2\n0.03,1,2\n"
    with pytest.raises(SignalQualityError, match=r"line 4: time goes backwards"):
        read_cop(_write(tmp_path, text))


def test_jittery_time_needs_explicit_resampling(tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    t = np.cumsum(rng.uniform(0.008, 0.012, 400))
    text = "t[s],ap_mm,ml_mm\n" + "".join(f"{x:.6f},{np.sin(x):.6f},0\n" for x in t)
    p = _write(tmp_path, text)
    with pytest.raises(
        SignalQualityError, match=r"pass resample_hz=HZ to resample uniformly with SWARII"
    ):
        read_cop(p)
    trial = read_cop(p, options=DelimitedOptions(resample_hz=100.0))
    assert trial.sampling_rate_hz == 100.0
    # sin is nearly linear over a 20 ms window: SWARII is within 0.01 mm of the true value
    assert_allclose(trial.ap_m, np.sin(trial.time_s) * 1e-3, atol=1e-5)


def test_min_duration(tmp_path: Path) -> None:
    p = _write(tmp_path, "t[s],ap_mm,ml_mm\n" + _rows(50))
    with pytest.raises(SignalQualityError, match=r"trial lasts 0\.50 s; min_duration_s is 30 s"):
        read_cop(p, options=DelimitedOptions(min_duration_s=30.0))


def test_sampling_rate_contradicting_time(tmp_path: Path) -> None:
    p = _write(tmp_path, "t[s],ap_mm,ml_mm\n" + _rows(50))
    with pytest.raises(
        InvalidParameterError, match=r"--sampling-rate-hz is 50 but the time column says 100"
    ):
        read_cop(p, options=DelimitedOptions(sampling_rate_hz=50.0))


def test_input_file_not_modified(tmp_path: Path) -> None:
    p = _write(tmp_path, "t[s],ap_mm,ml_mm\n" + _rows(10))
    before = p.read_bytes()
    read_cop(p)
    assert p.read_bytes() == before
