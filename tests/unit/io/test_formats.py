"""Force-plate exports (HBEDB, AMTI/Motive, PDS layouts), the WBB reader and C3D, on small
synthetic files: detection, units, step-off handling and bad input."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from reeducate.balance.forceplate import DualPlateTrial
from reeducate.balance.trial import CopTrial
from reeducate.errors import FileFormatError, SignalQualityError, SignalQualityWarning, UnitError
from reeducate.io import DelimitedOptions, read_cop
from reeducate.io.forceplates import HBEDB_COLUMNS, PDS_COLUMNS

DATA = Path(__file__).resolve().parents[2] / "data"


def _load(name: str):  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(name, DATA / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _hbedb_text(n: int = 200, fz: np.ndarray | None = None) -> str:
    t = np.arange(1, n + 1) / 100
    fz = np.full(n, 600.0) if fz is None else fz
    mx = 0.02 * fz
    my = -0.01 * fz
    with np.errstate(divide="ignore", invalid="ignore"):
        copx = np.where(fz > 0, -my / fz * 100, 0.0)
        copy = np.where(fz > 0, mx / fz * 100, 0.0)
    rows = np.column_stack((t, np.zeros(n), np.zeros(n), fz, mx, my, np.zeros(n), copx, copy))
    lines = ["\t".join(HBEDB_COLUMNS)] + ["\t".join(f"{v:.6f}" for v in r) for r in rows]
    return "\r\n".join(lines) + "\r\n"


def test_hbedb_layout(tmp_path: Path) -> None:
    p = tmp_path / "BDS99999.txt"
    p.write_text(_hbedb_text(), newline="")
    trial = read_cop(p)
    assert isinstance(trial, CopTrial)
    assert trial.sampling_rate_hz == 100.0 and trial.source_unit == "cm"
    assert_allclose(trial.ap_m, 0.01, rtol=1e-12)
    assert_allclose(trial.ml_m, 0.02, rtol=1e-12)
    with pytest.raises(UnitError, match="header says COP in 'cm' but --cop-unit is 'mm'"):
        read_cop(p, options=DelimitedOptions(cop_unit="mm"))


def test_hbedb_inconsistent_cop_refused(tmp_path: Path) -> None:
    p = tmp_path / "BDS99998.txt"
    p.write_text(_hbedb_text().replace("\t1.000000\t", "\t1.500000\t"), newline="")
    with pytest.raises(FileFormatError, match="disagree with -My/Fz and Mx/Fz"):
        read_cop(p)


def test_hbedb_trailing_step_off_trimmed(tmp_path: Path) -> None:
    fz = np.r_[np.full(180, 600.0), np.zeros(20)]
    p = tmp_path / "BDS99997.txt"
    p.write_text(_hbedb_text(fz=fz), newline="")
    with pytest.warns(SignalQualityWarning, match=r"from 1\.810 s to 2\.000 s"):
        trial = read_cop(p)
    assert trial.n_samples == 180
    with pytest.raises(SignalQualityError, match="pass on_step_off='trim'"):
        read_cop(p, options=DelimitedOptions(on_step_off="error"))


def test_hbedb_step_off_in_middle_refused(tmp_path: Path) -> None:
    fz = np.r_[np.full(100, 600.0), np.zeros(20), np.full(80, 600.0)]
    p = tmp_path / "BDS99996.txt"
    p.write_text(_hbedb_text(fz=fz), newline="")
    with pytest.raises(SignalQualityError, match=r"middle of the trial \(1\.010 s to 1\.200 s\)"):
        read_cop(p)


def _amti_text(fz: np.ndarray, *, moment_scale: float = 1.0) -> str:
    header = [
        "Format Version,1.0,",
        "Take Name,demo,",
        "Export Frame Rate,100.00,",
        "Device Name,AMTI 3265 3265,",
        "",
        "Offset_Z,0.000000",
        "",
        "",
        "MocapFrame, MocapTime, DeviceFrame, Fx, Fy, Fz, Mx, My, Mz, Cx, Cy, Cz",
    ]
    rows = []
    for i, f in enumerate(fz):
        cx, cy = (0.02, -0.06) if f > 0 else (0.0, 0.0)
        mx, my = cy * f * moment_scale, -cx * f * moment_scale
        rows.append(f"{i},{i / 100:.6f},{i},0,0,{f:.6f},{mx:.6f},{my:.6f},0,{cx},{cy},0")
    return "\n".join(header + rows) + "\n"


def test_amti_export_with_dropouts_and_step_off(tmp_path: Path) -> None:
    fz = np.r_[600.0, 0.0, 0.0, np.full(300, 600.0), np.zeros(5)]
    p = tmp_path / "amti.csv"
    p.write_text(_amti_text(fz))
    with pytest.warns(SignalQualityWarning, match=r"0\.000 s to 0\.020 s, 3\.030 s to 3\.070 s"):
        trial = read_cop(p)
    assert isinstance(trial, CopTrial)
    assert trial.n_samples == 300 and trial.start_time_s == pytest.approx(0.03)
    assert_allclose(trial.ap_m, 0.02, rtol=1e-12)
    assert_allclose(trial.ml_m, -0.06, rtol=1e-12)
    assert trial.source_unit == "N, N·m"


def test_amti_moments_in_wrong_unit_refused(tmp_path: Path) -> None:
    p = tmp_path / "amti_nmm.csv"
    p.write_text(_amti_text(np.full(100, 600.0), moment_scale=1000.0))
    with pytest.raises(UnitError, match="cannot be established"):
        read_cop(p)


def test_pds_layout_two_plates(tmp_path: Path) -> None:
    n = 100
    t = np.arange(n) / 100
    rf, lf = np.full(n, 300.0), np.full(n, 400.0)
    rx, rz, lx, lz = 0.01, 0.1, 0.03, -0.1
    netx = (rf * rx + lf * lx) / (rf + lf)
    netz = (rf * rz + lf * lz) / (rf + lf)
    cols = {c: np.zeros(n) for c in PDS_COLUMNS}
    cols.update(Time=t, RGRF_Y=rf, LGRF_Y=lf, GRFNET_Y=rf + lf, RCOP_X=np.full(n, rx),
                RCOP_Z=np.full(n, rz), LCOP_X=np.full(n, lx), LCOP_Z=np.full(n, lz),
                COPNET_X=netx, COPNET_Z=netz)  # fmt: skip
    rows = np.column_stack([cols[c] for c in PDS_COLUMNS])
    text = "\t".join(PDS_COLUMNS) + "\r\n"
    text += "".join("\t".join(f"{v:.6f}" for v in r) + "\r\n" for r in rows)
    p = tmp_path / "PDS99OR1grf.txt"
    p.write_text(text, newline="")
    trial = read_cop(p)
    assert isinstance(trial, DualPlateTrial)
    assert_allclose(trial.net.ap_m, netx, atol=5e-7)  # 6 decimals in the file
    assert_allclose(trial.right_ml_m, rz) and trial.left_vertical_force_n[0] == 400.0


def test_wbb_fixture_round_trip(test_data: Path) -> None:
    fixture = _load("make_wbb_fixture")
    trial = read_cop(test_data / "wbb_synthetic.csv")
    assert isinstance(trial, CopTrial)
    assert trial.sampling_rate_hz == 60.0 and trial.source_unit == "kg"
    ap, ml = fixture.true_cop_m(trial.time_s)
    # The CoP algebra is exact; what remains is SWARII's average over a 33 ms window of
    # samples jittered by +-25 %: slope (AP: 0.01*2*pi*0.25 = 16 mm/s) x up to ~10 ms offset.
    assert_allclose(trial.ap_m, ap, atol=2e-4)
    assert_allclose(trial.ml_m, ml, atol=2e-4)
    assert float(np.sqrt(np.mean((trial.ap_m - ap) ** 2))) < 6e-5


def test_wbb_loads_need_a_unit(tmp_path: Path) -> None:
    p = tmp_path / "wbb.csv"
    p.write_text("time[s],TL,TR,BR,BL\n0,1,1,1,1\n0.02,1,1,1,1\n")
    with pytest.raises(UnitError, match="load_unit='kg' or 'N'"):
        read_cop(p)


def test_wbb_needs_time(tmp_path: Path) -> None:
    p = tmp_path / "wbb.csv"
    p.write_text("top_left[kg],top_right[kg],bottom_right[kg],bottom_left[kg]\n1,1,1,1\n2,2,2,2\n")
    with pytest.raises(FileFormatError, match="needs per-sample timestamps"):
        read_cop(p)


def test_c3d_fixture_matches_closed_form(test_data: Path) -> None:
    fixture = _load("make_c3d_fixture")
    trial = read_cop(test_data / "plate_type2.c3d")
    assert isinstance(trial, CopTrial)
    assert trial.sampling_rate_hz == 100.0 and trial.source_unit == "N, Nmm"
    ap, ml = fixture.true_cop_m(trial.time_s)
    assert_allclose(trial.ap_m, ap, atol=2e-9)  # C3D stores float32: ~1e-7 relative on M and F
    assert_allclose(trial.ml_m, ml, atol=2e-9)


def test_c3d_matches_ezc3d_with_origin_offsets(tmp_path: Path) -> None:
    ezc3d = pytest.importorskip("ezc3d")
    fixture = _load("make_c3d_fixture")
    f, m = fixture.forces_moments(120)
    p = tmp_path / "offset.c3d"
    fixture.write_type2_c3d(p, f, m, origin_mm=(10.0, -20.0, -40.0))
    trial = read_cop(p)
    ref = ezc3d.c3d(str(p), extract_forceplat_data=True)["data"]["platform"][0]
    cop_mm = ref["center_of_pressure"]  # ezc3d's own CoP, lab frame = plate frame here
    assert_allclose(trial.ap_m * 1e3, cop_mm[0], atol=1e-5)  # float32 data: 1e-8 m agreement
    assert_allclose(trial.ml_m * 1e3, cop_mm[1], atol=1e-5)


def test_c3d_unknown_unit_and_type(tmp_path: Path) -> None:
    fixture = _load("make_c3d_fixture")
    f, m = fixture.forces_moments(50)
    p = tmp_path / "lbf.c3d"
    fixture.write_type2_c3d(p, f, m, moment_unit="lbf.in")
    with pytest.raises(UnitError, match=r"moment channel unit 'lbf.in' is not supported"):
        read_cop(p)
    p4 = tmp_path / "type4.c3d"
    fixture.write_type2_c3d(p4, f, m, plate_type=4)
    with pytest.raises(FileFormatError, match="only TYPE 2"):
        read_cop(p4)
    p2 = tmp_path / "two.c3d"
    fixture.write_type2_c3d(p2, f, m, n_plates=2)
    with pytest.raises(FileFormatError, match="choose one with plate_index"):
        read_cop(p2)
    assert read_cop(p2, options=DelimitedOptions(plate_index=1)).n_samples == 50


def test_c3d_garbage(tmp_path: Path) -> None:
    p = tmp_path / "broken.c3d"
    p.write_bytes(b"\x02\x50" + bytes(600))
    with pytest.raises(FileFormatError, match=r"broken\.c3d: "):
        read_cop(p)


def test_text_starting_like_a_c3d_header_is_read_as_text(tmp_path: Path) -> None:
    # "AP;ML" starts with bytes 0x41 0x50, like a C3D file's first word; it must stay text.
    path = tmp_path / "starts_like_c3d.csv"
    rows = "\n".join(f"{0.1 * (i % 7):.3f};{0.05 * (i % 5):.3f}" for i in range(700))
    path.write_text("AP;ML\n" + rows + "\n", encoding="utf-8")
    trial = read_cop(path, options=DelimitedOptions(cop_unit="cm", sampling_rate_hz=50.0))
    assert isinstance(trial, CopTrial)
    assert trial.n_samples == 700
