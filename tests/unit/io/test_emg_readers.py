"""EMG readers: every format round-trips known samples; units and rates are checked.

Binary files are written in ``tmp_path`` by ``tests/data/make_emg_fixtures.py`` with each
format's own writer (edfio, ezc3d) or, for XDF, a small writer of the specification read back
by pyxdf (an independent implementation).
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest
from numpy.testing import assert_allclose

from reeducate.errors import (
    FileFormatError,
    InvalidParameterError,
    NotFoundError,
    SignalQualityError,
    UnitError,
)
from reeducate.io.emg_readers import EmgReadOptions, read_emg

DATA = Path(__file__).resolve().parents[2] / "data"


def _fixtures() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_emg_fixtures",
                                                  DATA / "make_emg_fixtures.py")  # fmt: skip
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


FX = _fixtures()


def _csv(path: Path, header: str, rows: np.ndarray, sep: str = ",") -> Path:
    lines = [header] + [sep.join(f"{v:.6f}" for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_text_with_unit_tags_and_time_column(tmp_path: Path) -> None:
    x = FX.known_emg_uv(200)
    t_ms = np.arange(200) * 0.5
    p = _csv(tmp_path / "a.csv", "time (ms);VL [uV];BF [mV]",
             np.column_stack([t_ms, x[:, 0], x[:, 1] / 1000]), sep=";")  # fmt: skip
    rec = read_emg(p)
    assert rec.sampling_rate_hz == 2000.0 and rec.channel_names == ("VL", "BF")
    assert rec.source_unit == "mV/uV"
    # Text written with 6 decimals: 1e-6 uV and 1e-6 mV (= 1e-3 uV) rounding.
    assert_allclose(rec.signals_v * 1e6, x, atol=1e-3)


def test_text_suffix_units_and_given_rate(tmp_path: Path) -> None:
    p = _csv(tmp_path / "b.csv", "VL_uV,BF_uV", FX.known_emg_uv(50))
    rec = read_emg(p, options=EmgReadOptions(sampling_rate_hz=1000.0))
    assert rec.sampling_rate_hz == 1000.0 and rec.channel_names == ("VL", "BF")


def test_text_without_unit_is_refused_not_guessed(tmp_path: Path) -> None:
    p = _csv(tmp_path / "c.csv", "VL,BF", FX.known_emg_uv(50))
    with pytest.raises(UnitError, match=r"c\.csv, column 'VL': the unit is not in the header"):
        read_emg(p, options=EmgReadOptions(sampling_rate_hz=1000.0))
    rec = read_emg(p, options=EmgReadOptions(sampling_rate_hz=1000.0, unit="uV"))
    assert rec.source_unit == "uV"


def test_text_unit_contradiction_is_refused(tmp_path: Path) -> None:
    p = _csv(tmp_path / "d.csv", "VL [uV],BF [uV]", FX.known_emg_uv(50))
    with pytest.raises(UnitError, match="header says 'uV' but --unit is 'mV'"):
        read_emg(p, options=EmgReadOptions(sampling_rate_hz=1000.0, unit="mV"))


def test_text_rate_is_required_and_checked(tmp_path: Path) -> None:
    p = _csv(tmp_path / "e.csv", "VL [uV],BF [uV]", FX.known_emg_uv(50))
    with pytest.raises(InvalidParameterError, match="no time column found; pass --sampling-rate"):
        read_emg(p)
    x = FX.known_emg_uv(100)
    q = _csv(tmp_path / "f.csv", "t_s,VL [uV],BF [uV]",
             np.column_stack([np.arange(100) / 2000.0, x]))  # fmt: skip
    with pytest.raises(InvalidParameterError, match="--sampling-rate-hz is 1000 but the time"):
        read_emg(q, options=EmgReadOptions(sampling_rate_hz=1000.0))


def test_text_jittered_time_is_refused(tmp_path: Path) -> None:
    x = FX.known_emg_uv(100)
    t = np.arange(100) / 2000.0
    t[50] += 0.0002
    p = _csv(tmp_path / "g.csv", "t_s,VL [uV],BF [uV]", np.column_stack([t, x]))
    with pytest.raises(SignalQualityError, match="uniformly sampled"):
        read_emg(p)


def test_text_nan_cell_is_located(tmp_path: Path) -> None:
    p = tmp_path / "h.csv"
    p.write_text("VL [uV],BF [uV]\n1,2\n3,\n5,6\n")
    with pytest.raises(SignalQualityError, match=r"h\.csv, line 3, column 'BF \[uV\]'"):
        read_emg(p, options=EmgReadOptions(sampling_rate_hz=1000.0))


def test_implausible_amplitude_is_a_unit_error(tmp_path: Path) -> None:
    # Microvolt numbers labelled as millivolts: hundreds of mV is not surface EMG.
    p = _csv(tmp_path / "i.csv", "VL [mV],BF [mV]", FX.known_emg_uv())
    with pytest.raises(UnitError, match="Is the unit right"):
        read_emg(p, options=EmgReadOptions(sampling_rate_hz=2000.0))


def test_missing_file_and_channel(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=r"'nope\.edf' does not exist"):
        read_emg(tmp_path / "nope.edf")
    p = _csv(tmp_path / "j.csv", "VL [uV],BF [uV]", FX.known_emg_uv(50))
    with pytest.raises(NotFoundError, match="no channel named 'TA'; channels: VL, BF"):
        read_emg(p, options=EmgReadOptions(sampling_rate_hz=1000.0, channels=("TA",)))


def test_edf_round_trip_within_half_a_digital_step(tmp_path: Path) -> None:
    x = FX.known_emg_uv()
    FX.write_edf(tmp_path / "a.edf", x)
    rec = read_emg(tmp_path / "a.edf")
    assert rec.channel_names == ("VL", "BF") and rec.sampling_rate_hz == 2000.0
    step_uv = 10000.0 / 65535  # +-5000 uV on 16 bits
    assert_allclose(rec.signals_v * 1e6, x, atol=0.5 * step_uv + 1e-9)


def test_bdf_round_trip_within_half_a_digital_step(tmp_path: Path) -> None:
    x = FX.known_emg_uv()
    FX.write_edf(tmp_path / "a.bdf", x, bdf=True)
    rec = read_emg(tmp_path / "a.bdf", options=EmgReadOptions(channels=("BF",)))
    step_uv = 10000.0 / (2**24 - 1)  # 24-bit
    assert_allclose(rec.signals_v[:, 0] * 1e6, x[:, 1], atol=0.5 * step_uv + 1e-9)


def test_edf_with_a_non_voltage_dimension_is_refused(tmp_path: Path) -> None:
    FX.write_edf(tmp_path / "b.edf", FX.known_emg_uv(), unit="degC")
    with pytest.raises(UnitError, match="signal 'VL': unit 'degC' is not an EMG voltage unit"):
        read_emg(tmp_path / "b.edf")


def test_xdf_round_trip_float32(tmp_path: Path) -> None:
    x = FX.known_emg_uv()
    FX.write_xdf(tmp_path / "a.xdf", x)
    rec = read_emg(tmp_path / "a.xdf")
    assert rec.channel_names == ("VL", "BF") and rec.sampling_rate_hz == 2000.0
    assert rec.start_time_s == pytest.approx(100.0)
    assert_allclose(rec.signals_v * 1e6, x, rtol=2**-23)  # float32 storage


def test_xdf_unit_and_rate_checks(tmp_path: Path) -> None:
    x = FX.known_emg_uv()
    FX.write_xdf(tmp_path / "u.xdf", x, units=(None, None))
    with pytest.raises(UnitError, match="channel 'VL': the stream states no unit"):
        read_emg(tmp_path / "u.xdf")
    FX.write_xdf(tmp_path / "r.xdf", x, stamp_rate_hz=1900.0)
    with pytest.raises(SignalQualityError, match="nominal rate is 2000 Hz"):
        read_emg(tmp_path / "r.xdf")
    FX.write_xdf(tmp_path / "t.xdf", x, stream_type="EEG")
    with pytest.raises(FileFormatError, match="0 streams of type EMG"):
        read_emg(tmp_path / "t.xdf")
    rec = read_emg(tmp_path / "t.xdf", options=EmgReadOptions(stream="emg-amp"))
    assert rec.n_channels == 2


def test_c3d_analog_emg_with_scale(tmp_path: Path) -> None:
    x = FX.known_emg_uv()
    FX.write_c3d(tmp_path / "a.c3d", x / 1000.0)
    rec = read_emg(tmp_path / "a.c3d")
    assert rec.channel_names == ("EMG VL", "EMG BF") and rec.source_unit == "mV"
    assert_allclose(rec.signals_v * 1e6, x, rtol=2**-22, atol=1e-4)  # float32 analog storage


def test_c3d_channels_by_name_and_refusals(tmp_path: Path) -> None:
    x = FX.known_emg_uv()
    FX.write_c3d(tmp_path / "b.c3d", x / 1000.0)
    with pytest.raises(NotFoundError, match="no analog channel named 'EMG TA'"):
        read_emg(tmp_path / "b.c3d", options=EmgReadOptions(channels=("EMG TA",)))
    with pytest.raises(UnitError, match="'Force': unit 'N' is not an EMG voltage unit"):
        read_emg(tmp_path / "b.c3d", options=EmgReadOptions(channels=("Force",)))


def _write_elderly_xlsx(path: Path, n: int = 400) -> np.ndarray:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "DNM"
    for row in np.ones((n, 4)):
        ws.append(row.tolist())
    rng = np.random.default_rng(3)
    sheets = {}
    for task in ("VL", "BF", "TA", "LG"):
        data = np.round(rng.normal(scale=30.0, size=(n, 4)), 4)
        sheets[task] = data
        sheet = wb.create_sheet(f"EMG_{task}")
        for row in data:
            sheet.append(row.tolist())
    wb.save(path)
    return sheets["BF"]


def test_emg_elderly_layout(tmp_path: Path) -> None:
    p = tmp_path / "ID_9.xlsx"
    want = _write_elderly_xlsx(p)
    with pytest.raises(InvalidParameterError, match=re.escape("--task VL|BF|TA|LG")):
        read_emg(p, options=EmgReadOptions(unit="uV"))
    with pytest.raises(UnitError, match="state no unit; the data set documents microvolts"):
        read_emg(p, options=EmgReadOptions(task="BF"))
    rec = read_emg(p, options=EmgReadOptions(task="BF", unit="uV"))
    assert rec.channel_names == ("VL", "BF", "TA", "GL") and rec.sampling_rate_hz == 2000.0
    assert rec.source_name == "ID_9.xlsx [EMG_BF]"
    assert_allclose(rec.signals_v * 1e6, want, rtol=1e-12)


def test_workbook_of_another_layout_is_refused(tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.save(tmp_path / "other.xlsx")
    with pytest.raises(FileFormatError, match="the emg_elderly layout has"):
        read_emg(tmp_path / "other.xlsx", options=EmgReadOptions(task="VL", unit="uV"))
