"""IMU reader: gaitmap layout, named columns, unit conversion and every bad input."""

from __future__ import annotations

import gzip
import math
from pathlib import Path

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
from reeducate.io.imu import ImuReadOptions, read_imu
from reeducate.movement.imu import GRAVITY_M_S2

GAITMAP_RATE_HZ = 204.8


def _write(tmp_path: Path, text: str, name: str = "imu.csv") -> Path:
    p = tmp_path / name
    p.write_text(text)
    return p


def _rows(n: int = 20, rate_hz: float = 100.0, sep: str = ",", time_scale: float = 1.0) -> str:
    """Still sensor, z up: acc (0, 0, 1 g) in g, gyr (0, 0, 90) deg/s."""
    return "".join(
        sep.join([f"{i / rate_hz * time_scale:.6g}", "0", "0", "1", "0", "0", "90"]) + "\n"
        for i in range(n)
    )


HEADER = "time [s],acc_x [g],acc_y [g],acc_z [g],gyr_x [deg/s],gyr_y [deg/s],gyr_z [deg/s]\n"


# ----------------------------------------------------------------------------- gaitmap


def test_gaitmap_slice_is_read_in_si(test_data: Path) -> None:
    path = test_data / "gaitmap_imu_slice.csv.gz"
    rec = read_imu(path, options=ImuReadOptions(sampling_rate_hz=GAITMAP_RATE_HZ))
    assert rec.sensor_names == ("left_sensor", "right_sensor")
    assert rec.n_samples == 600
    assert rec.sampling_rate_hz == GAITMAP_RATE_HZ
    assert (rec.source_acc_unit, rec.source_gyr_unit) == ("m/s2", "deg/s")
    assert_allclose(rec.start_time_s, 560 / GAITMAP_RATE_HZ)
    # First data row, straight from the text: columns interleave left/right per axis.
    first = gzip.decompress(path.read_bytes()).decode().splitlines()[2].split(",")
    values = np.array([float(v) for v in first[1:]])
    left = rec.sensor("left_sensor")
    right = rec.sensor("right_sensor")
    assert_allclose(left.acc_m_s2[0], values[[0, 2, 4]], rtol=0)  # m/s² unchanged
    assert_allclose(right.acc_m_s2[0], values[[1, 3, 5]], rtol=0)
    assert_allclose(left.gyr_rad_s[0], np.radians(values[[6, 8, 10]]), rtol=1e-15)
    assert_allclose(right.gyr_rad_s[0], np.radians(values[[7, 9, 11]]), rtol=1e-15)


def _gaitmap_text(n: int = 30, counter_jump_at: int | None = None) -> str:
    head = "sensor,s1,s1,s1,s1,s1,s1\naxis,acc_x,acc_y,acc_z,gyr_x,gyr_y,gyr_z\n"
    rows = []
    for i in range(n):
        c = i + (5 if counter_jump_at is not None and i >= counter_jump_at else 0)
        rows.append(f"{c},0.1,0.2,9.8,1.0,-2.0,3.0\n")
    return head + "".join(rows)


def test_gaitmap_needs_a_sampling_rate(tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match="pass sampling_rate_hz"):
        read_imu(_write(tmp_path, _gaitmap_text()))


def test_gaitmap_counter_gap_is_refused_with_its_line(tmp_path: Path) -> None:
    path = _write(tmp_path, _gaitmap_text(counter_jump_at=10))
    with pytest.raises(
        SignalQualityError, match=r"imu.csv, line 13: the sample counter jumps from 9 to 15"
    ):
        read_imu(path, options=ImuReadOptions(sampling_rate_hz=100.0))


def test_gaitmap_unknown_axis_and_missing_axis(tmp_path: Path) -> None:
    text = _gaitmap_text().replace("gyr_z\n", "mag_z\n", 1)
    with pytest.raises(FileFormatError, match=r"column 7: unknown axis 'mag_z'"):
        read_imu(_write(tmp_path, text), options=ImuReadOptions(sampling_rate_hz=100.0))
    lines = _gaitmap_text().splitlines(keepends=True)
    short = "".join(",".join(line.split(",")[:-1]) + "\n" for line in lines)
    with pytest.raises(FileFormatError, match=r"sensor 's1' lacks column.*gyr_z"):
        read_imu(_write(tmp_path, short, "b.csv"), options=ImuReadOptions(sampling_rate_hz=100.0))


def test_gaitmap_gyroscope_declared_in_rad_s_is_refused(test_data: Path) -> None:
    with pytest.raises(UnitError, match="is the unit deg/s"):
        read_imu(
            test_data / "gaitmap_imu_slice.csv.gz",
            options=ImuReadOptions(sampling_rate_hz=GAITMAP_RATE_HZ, gyr_unit="rad/s"),
        )


# ----------------------------------------------------------------------------- columns


@pytest.mark.parametrize("sep", [",", ";", "\t"])
def test_tagged_columns_are_converted(tmp_path: Path, sep: str) -> None:
    header = HEADER.replace(",", sep)
    rec = read_imu(_write(tmp_path, header + _rows(sep=sep)))
    s = rec.sensors[0]
    assert rec.sampling_rate_hz == 100.0
    assert (rec.source_acc_unit, rec.source_gyr_unit) == ("g", "deg/s")
    assert_allclose(s.acc_m_s2[:, 2], GRAVITY_M_S2)
    assert_allclose(s.gyr_rad_s[:, 2], math.pi / 2)


def test_time_in_milliseconds_and_several_sensors(tmp_path: Path) -> None:
    header = (
        "t (ms),trunk_acc_x [m/s^2],trunk_acc_y [m/s^2],trunk_acc_z [m/s^2],trunk_gyr_x [rad/s],"
        "trunk_gyr_y [rad/s],trunk_gyr_z [rad/s],shank_acc_x [m/s^2],shank_acc_y [m/s^2],"
        "shank_acc_z [m/s^2],shank_gyr_x [rad/s],shank_gyr_y [rad/s],shank_gyr_z [rad/s]\n"
    )
    rows = "".join(f"{i * 5},0,0,9.81,0,0,0.5,0,9.81,0,1,0,0\n" for i in range(40))
    rec = read_imu(_write(tmp_path, header + rows))
    assert rec.sampling_rate_hz == 200.0
    assert rec.sensor_names == ("trunk", "shank")
    assert_allclose(rec.sensor("shank").acc_m_s2[0], [0, 9.81, 0])
    assert_allclose(rec.sensor("trunk").gyr_rad_s[0], [0, 0, 0.5])


def test_explicit_columns_and_unit_options(tmp_path: Path) -> None:
    header = "AccX,AccY,AccZ,GyroX,GyroY,GyroZ\n"
    rows = "".join("0,0,1,0,10,0\n" for _ in range(10))
    cols = {
        "acc_x": "AccX",
        "acc_y": "AccY",
        "acc_z": "AccZ",
        "gyr_x": "GyroX",
        "gyr_y": "GyroY",
        "gyr_z": "GyroZ",
    }
    opts = ImuReadOptions(
        columns=cols, acc_unit="g", gyr_unit="deg/s", sampling_rate_hz=50.0, sensor_name="thigh"
    )
    rec = read_imu(_write(tmp_path, header + rows), options=opts)
    assert rec.sensor_names == ("thigh",)
    assert_allclose(rec.sensors[0].gyr_rad_s[0, 1], math.radians(10))


@pytest.mark.parametrize(
    ("header", "options", "error", "match"),
    [
        (
            HEADER.replace(" [g]", ""),
            ImuReadOptions(),
            UnitError,
            r"column 'acc_x': the acc unit is not in the header",
        ),
        (HEADER.replace("acc_x [g]", "acc_x [ft/s2]"), ImuReadOptions(), UnitError, "ft/s2"),
        (
            HEADER.replace("acc_x [g]", "acc_x [m/s2]"),
            ImuReadOptions(),
            UnitError,
            "different units",
        ),
        (HEADER, ImuReadOptions(acc_unit="m/s2"), UnitError, "header says g"),
        (
            HEADER.replace(" [g]", " [m/s2]"),
            ImuReadOptions(),
            UnitError,
            "looks like g|look like g",
        ),
        (
            "time [s],foo,bar\n",
            ImuReadOptions(),
            FileFormatError,
            "no accelerometer/gyroscope columns",
        ),
        (
            "time [s],acc_x [g],acc_y [g],acc_z [g],foo,bar,baz\n",
            ImuReadOptions(),
            FileFormatError,
            "no gyroscope",
        ),
        (HEADER, ImuReadOptions(sampling_rate_hz=50.0), InvalidParameterError, "says 100 Hz"),
    ],
)
def test_bad_headers_are_refused(
    tmp_path: Path,
    header: str,
    options: ImuReadOptions,
    error: type[Exception],
    match: str,
) -> None:
    with pytest.raises(error, match=match):
        read_imu(_write(tmp_path, header + _rows()), options=options)


def test_no_time_and_no_rate_is_refused(tmp_path: Path) -> None:
    header = HEADER.replace("time [s],", "")
    rows = "".join("0,0,1,0,0,90\n" for _ in range(10))
    with pytest.raises(InvalidParameterError, match="no time column"):
        read_imu(_write(tmp_path, header + rows))
    rec = read_imu(_write(tmp_path, header + rows), options=ImuReadOptions(sampling_rate_hz=20.0))
    assert rec.duration_s == 0.5


def test_gap_jitter_nan_and_text_cells_are_refused(tmp_path: Path) -> None:
    lines = _rows(30).splitlines(keepends=True)
    gap = lines[:10] + [
        line.replace(line.split(",")[0], f"{float(line.split(',')[0]) + 0.5:.6g}", 1)
        for line in lines[10:]
    ]
    with pytest.raises(SignalQualityError, match=r"line 12: gap in time"):
        read_imu(_write(tmp_path, HEADER + "".join(gap)))
    rng = np.random.default_rng(1)
    t = np.cumsum(rng.uniform(0.009, 0.011, 30))
    jitter = "".join(f"{ti:.6f},0,0,1,0,0,90\n" for ti in t)
    with pytest.raises(SignalQualityError, match="jitter"):
        read_imu(_write(tmp_path, HEADER + jitter, "j.csv"))
    nan = [*lines[:5], "0.05,0,,1,0,0,90\n", *lines[6:]]
    with pytest.raises(SignalQualityError, match=r"acc_y \[g\]"):
        read_imu(_write(tmp_path, HEADER + "".join(nan), "n.csv"))
    text = [*lines[:5], "0.05,0,abc,1,0,0,90\n", *lines[6:]]
    with pytest.raises(FileFormatError, match=r"line 7, column 'acc_y \[g\]': expected a number"):
        read_imu(_write(tmp_path, HEADER + "".join(text), "t.csv"))


def test_missing_file_names_only_the_file(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=r"'nope\.csv' does not exist"):
        read_imu(tmp_path / "patient_name" / "nope.csv")


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"layout": "xsens"}, "layout"),
        ({"sampling_rate_hz": -1.0}, "sampling_rate_hz"),
        ({"acc_unit": "furlong"}, "acceleration unit"),
        ({"gyr_unit": "rpm"}, "angular-velocity unit"),
        ({"columns": {"acc_x": "a"}}, "columns must map"),
    ],
)
def test_bad_options_are_refused(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises((InvalidParameterError, UnitError), match=match):
        ImuReadOptions(**kwargs)  # type: ignore[arg-type]
