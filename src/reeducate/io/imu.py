"""IMU recordings from delimited text: the gaitmap layout and a generic column layout.

Layouts
-------
``gaitmap``
    The CSV of the gaitmap example data (Küderle et al. 2024, MaD Lab FAU, MIT): two header
    rows, ``sensor`` (e.g. ``left_sensor``) and ``axis`` (``acc_x`` ... ``gyr_z``), then a
    sample counter and one column per sensor and axis. gaitmap defines the units as m/s² and
    deg/s; there is no time column, so the sampling rate must be given (204.8 Hz for the
    gaitmap example recordings).
``columns``
    One header row. Columns named ``acc_x``, ``gyr_y`` ... (also ``accel``, ``accelerometer``,
    ``gyro``, ``gyroscope``; case-insensitive), optionally prefixed by a sensor name
    (``trunk_acc_x``) and tagged with a unit (``acc_x [g]``, ``gyr_z (deg/s)``). Columns can
    also be named explicitly (``ImuReadOptions.columns``). A ``time`` column with a unit tag
    (or ``time_unit``) gives the sampling rate; otherwise ``sampling_rate_hz`` must be given.

Units are converted at load: acceleration to m/s² (from ``m/s2`` or ``g``; 1 g = 9.80665 m/s²)
and angular velocity to rad/s (from ``deg/s`` or ``rad/s``). An unknown unit, a missing unit, or
a unit that contradicts the data (a still accelerometer reading 1 "m/s²", a gyroscope beyond
any sensor's range in "rad/s") is refused. Non-uniform or gapped time is refused, naming the
line.

References
----------
Küderle A, Ullrich M, Roth N, et al. (2024) Gaitmap: an open ecosystem for IMU-based human gait
analysis and algorithm benchmarking. IEEE Open J Eng Med Biol 5:163-172.
doi:10.1109/OJEMB.2024.3356791
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import numpy as np
from numpy.typing import NDArray

from reeducate.errors import FileFormatError, InvalidParameterError, SignalQualityError, UnitError
from reeducate.io._text import (
    Table,
    check_finite,
    check_text,
    parse_table,
    read_bytes,
    sniff_delimiter,
    split_lines,
)
from reeducate.io.delimited import (
    JITTER_RATIO,
    check_gaps,
    check_monotonic,
    find_named,
    find_time,
    parse_column,
    time_factor,
    uniform_rate_hz,
)
from reeducate.movement.imu import GRAVITY_M_S2, ImuRecording, ImuSensor

__all__ = ["ImuReadOptions", "read_imu"]

#: Accepted spellings of the acceleration units -> factor to m/s².
ACC_UNITS: Final[Mapping[str, float]] = {
    "m/s2": 1.0,
    "m/s^2": 1.0,
    "m/s²": 1.0,
    "m*s^-2": 1.0,
    "m s-2": 1.0,
    "ms-2": 1.0,
    "g": GRAVITY_M_S2,
}
#: Accepted spellings of the angular-velocity units -> factor to rad/s.
GYR_UNITS: Final[Mapping[str, float]] = {
    "deg/s": math.pi / 180.0,
    "°/s": math.pi / 180.0,
    "dps": math.pi / 180.0,
    "deg s-1": math.pi / 180.0,
    "rad/s": 1.0,
    "rad s-1": 1.0,
}
_KIND = {
    "acc": "acc",
    "accel": "acc",
    "accelerometer": "acc",
    "acceleration": "acc",
    "gyr": "gyr",
    "gyro": "gyr",
    "gyroscope": "gyr",
}
_NAME = re.compile(
    r"^(?:(?P<sensor>[a-z0-9_]+?)_)?(?P<kind>acc|accel|accelerometer|acceleration|gyr|gyro|"
    r"gyroscope)_?(?P<axis>[xyz])$"
)
_AXES: Final = ("acc_x", "acc_y", "acc_z", "gyr_x", "gyr_y", "gyr_z")
#: |ω| above this in "rad/s" exceeds any wearable gyroscope's range (±2000 deg/s = 35 rad/s).
MAX_PLAUSIBLE_RAD_S: Final = 40.0


def _acc_unit(text: str, /, *, where: str) -> tuple[str, float]:
    key = text.strip().lower().replace(" ", "")
    for spelling, factor in ACC_UNITS.items():
        if key == spelling.replace(" ", ""):
            return ("g" if spelling == "g" else "m/s2"), factor
    raise UnitError(
        f"{where}: unknown acceleration unit {text!r}; expected m/s2 (m/s^2, m/s²) or g"
    )


def _gyr_unit(text: str, /, *, where: str) -> tuple[str, float]:
    key = text.strip().lower().replace(" ", "")
    for spelling, factor in GYR_UNITS.items():
        if key == spelling.replace(" ", ""):
            return ("rad/s" if factor == 1.0 else "deg/s"), factor
    raise UnitError(f"{where}: unknown angular-velocity unit {text!r}; expected deg/s or rad/s")


@dataclass(frozen=True, slots=True, kw_only=True)
class ImuReadOptions:
    """What the user tells the IMU reader that the file does not say.

    Attributes
    ----------
    layout : {"auto", "gaitmap", "columns"}
        ``auto`` picks ``gaitmap`` when the first two header cells are ``sensor`` and ``axis``.
    sampling_rate_hz : float, optional
        Needed when the file has no time column (always for gaitmap files).
    acc_unit : {"m/s2", "g"}, optional
        Acceleration unit when the header does not tag it (gaitmap: m/s² by definition).
    gyr_unit : {"deg/s", "rad/s"}, optional
        Angular-velocity unit when the header does not tag it (gaitmap: deg/s).
    time_col : str, optional
        Name of the time column (columns layout).
    time_unit : {"s", "ms"}, optional
        Unit of an untagged time column.
    columns : mapping, optional
        Explicit columns of one sensor: keys ``acc_x`` ... ``gyr_z``, values the file's column
        names (columns layout).
    sensor_name : str, optional
        Name given to the sensor of a single-sensor file (default ``"imu"``).
    """

    layout: Literal["auto", "gaitmap", "columns"] = "auto"
    sampling_rate_hz: float | None = None
    acc_unit: str | None = None
    gyr_unit: str | None = None
    time_col: str | None = None
    time_unit: Literal["s", "ms"] | None = None
    columns: Mapping[str, str] | None = None
    sensor_name: str | None = None

    def __post_init__(self) -> None:
        if self.layout not in ("auto", "gaitmap", "columns"):
            raise InvalidParameterError(
                f"layout must be 'auto', 'gaitmap' or 'columns'; got {self.layout!r}"
            )
        rate = self.sampling_rate_hz
        if rate is not None and not (
            isinstance(rate, int | float) and math.isfinite(rate) and rate > 0
        ):
            raise InvalidParameterError(
                f"sampling_rate_hz must be a finite number > 0; got {rate!r}"
            )
        if self.acc_unit is not None:
            object.__setattr__(self, "acc_unit", _acc_unit(self.acc_unit, where="acc_unit")[0])
        if self.gyr_unit is not None:
            object.__setattr__(self, "gyr_unit", _gyr_unit(self.gyr_unit, where="gyr_unit")[0])
        if self.time_unit is not None and self.time_unit not in ("s", "ms"):
            raise InvalidParameterError(f"time_unit must be 's' or 'ms'; got {self.time_unit!r}")
        if self.columns is not None:
            keys = set(self.columns)
            if keys != set(_AXES):
                raise InvalidParameterError(
                    f"columns must map exactly {', '.join(_AXES)} to column names; got keys "
                    f"{sorted(keys)}"
                )


def _is_gaitmap(raw: bytes, /, *, name: str) -> bool:
    first, second = ([*split_lines(raw, count=2), ""])[:2]
    sep = sniff_delimiter(first, name=name)
    a = first.split(sep)[0].strip().lower()
    b = second.split(sep)[0].strip().lower()
    return a == "sensor" and b == "axis"


def _sanity_check(
    acc: NDArray[np.float64],
    gyr: NDArray[np.float64],
    /,
    *,
    name: str,
    sensor: str,
    acc_unit: str,
    gyr_unit: str,
) -> None:
    """Refuse units that contradict the data (g read as m/s², deg/s read as rad/s)."""
    median_norm = float(np.median(np.linalg.norm(acc, axis=1)))
    if not 0.4 * GRAVITY_M_S2 <= median_norm <= 3.0 * GRAVITY_M_S2:
        hint = (
            " (values look like g: pass acc_unit='g')"
            if 0.4 <= median_norm <= 3.0
            else " (values look like m/s² read as g)"
            if median_norm > 3.0 * GRAVITY_M_S2
            else ""
        )
        raise UnitError(
            f"{name}, sensor {sensor!r}: the median acceleration magnitude is "
            f"{median_norm:.3g} m/s² after converting from {acc_unit}; expected about "
            f"{GRAVITY_M_S2:g} (gravity){hint}"
        )
    peak = float(np.max(np.abs(gyr)))
    if peak > MAX_PLAUSIBLE_RAD_S:
        raise UnitError(
            f"{name}, sensor {sensor!r}: angular velocity reaches {peak:.3g} rad/s after "
            f"converting from {gyr_unit}, beyond any wearable gyroscope's range "
            f"({MAX_PLAUSIBLE_RAD_S:g} rad/s); is the unit deg/s?"
        )


def _read_gaitmap(raw: bytes, /, *, name: str, options: ImuReadOptions) -> ImuRecording:
    first, second = split_lines(raw, count=2)
    sep = sniff_delimiter(first, name=name)
    sensors_row = [c.strip() for c in first.split(sep)]
    axes_row = [c.strip().lower() for c in second.split(sep)]
    if len(sensors_row) != len(axes_row):
        raise FileFormatError(
            f"{name}, line 2: the axis row has {len(axes_row)} cells but the sensor row has "
            f"{len(sensors_row)}; expected one axis per sensor column"
        )
    if options.sampling_rate_hz is None:
        raise InvalidParameterError(
            f"{name}: gaitmap files have no time column; pass sampling_rate_hz "
            "(--sampling-rate-hz; 204.8 for the gaitmap example recordings)"
        )
    acc_unit = options.acc_unit or "m/s2"
    gyr_unit = options.gyr_unit or "deg/s"
    acc_factor = _acc_unit(acc_unit, where="acc_unit")[1]
    gyr_factor = _gyr_unit(gyr_unit, where="gyr_unit")[1]
    table = parse_table(raw, name=name, header_line=1, sep=sep)
    columns: dict[str, dict[str, int]] = {}
    for i, (sensor, axis) in enumerate(zip(sensors_row[1:], axes_row[1:], strict=True), start=1):
        if axis not in _AXES:
            raise FileFormatError(
                f"{name}, line 2, column {i + 1}: unknown axis {axis!r}; expected one of "
                f"{', '.join(_AXES)}"
            )
        if not sensor:
            raise FileFormatError(f"{name}, line 1, column {i + 1}: empty sensor name")
        if axis in columns.setdefault(sensor, {}):
            raise FileFormatError(
                f"{name}: sensor {sensor!r} has two {axis!r} columns (columns "
                f"{columns[sensor][axis] + 1} and {i + 1})"
            )
        columns[sensor][axis] = i
    counter = table.values[:, 0]
    needed = {f"{s}/{a}": i for s, cols in columns.items() for a, i in cols.items()}
    needed["sample counter"] = 0
    check_finite(table, columns=needed, time_s=None)
    steps = np.diff(counter)
    if np.any(steps != 1):
        k = int(np.argmax(steps != 1))
        raise SignalQualityError(
            f"{name}, line {table.line(k + 1)}: the sample counter jumps from "
            f"{counter[k]:.0f} to {counter[k + 1]:.0f}; expected consecutive samples (a gap "
            "or a reordering); cut the recording at the gap"
        )
    sensors = tuple(
        _sensor(
            table, cols, sensor=s, name=name, acc=(acc_unit, acc_factor), gyr=(gyr_unit, gyr_factor)
        )
        for s, cols in columns.items()
    )
    return ImuRecording(
        sensors=sensors,
        sampling_rate_hz=float(options.sampling_rate_hz),
        source_name=name,
        source_acc_unit=acc_unit,
        source_gyr_unit=gyr_unit,
        start_time_s=float(counter[0]) / float(options.sampling_rate_hz),
    )


def _sensor(
    table: Table,
    cols: Mapping[str, int],
    /,
    *,
    sensor: str,
    name: str,
    acc: tuple[str, float],
    gyr: tuple[str, float],
) -> ImuSensor:
    missing = [a for a in _AXES if a not in cols]
    if missing:
        raise FileFormatError(
            f"{name}: sensor {sensor!r} lacks column(s) {', '.join(missing)}; expected "
            f"{', '.join(_AXES)}"
        )
    acc_m_s2 = table.values[:, [cols["acc_x"], cols["acc_y"], cols["acc_z"]]] * acc[1]
    gyr_rad_s = table.values[:, [cols["gyr_x"], cols["gyr_y"], cols["gyr_z"]]] * gyr[1]
    _sanity_check(acc_m_s2, gyr_rad_s, name=name, sensor=sensor, acc_unit=acc[0], gyr_unit=gyr[0])
    return ImuSensor(name=sensor, acc_m_s2=acc_m_s2, gyr_rad_s=gyr_rad_s)


def _column_units(
    units: list[tuple[str | None, str]], given: str | None, /, *, kind: str, name: str
) -> tuple[str, float]:
    """One unit for all acc (or gyr) columns, from their tags and/or the option."""
    parse = _acc_unit if kind == "acc" else _gyr_unit
    option = "acc_unit" if kind == "acc" else "gyr_unit"
    found: dict[str, tuple[str, float]] = {}
    for tag, raw_name in units:
        if tag is None:
            continue
        found[raw_name] = parse(tag, where=f"{name}, column {raw_name!r}")
    canon = {v[0] for v in found.values()}
    if len(canon) > 1:
        raise UnitError(
            f"{name}: {kind} columns carry different units ({', '.join(sorted(canon))}); "
            "expected one unit per quantity"
        )
    if given is not None:
        if canon and canon != {given}:
            raise UnitError(
                f"{name}: the header says {canon.pop()} but {option} is {given!r}; remove "
                f"{option} or correct the file"
            )
        return parse(given, where=option)
    if len(found) != len(units):
        untagged = [raw for tag, raw in units if tag is None]
        raise UnitError(
            f"{name}, column {untagged[0]!r}: the {kind} unit is not in the header; tag the "
            f"column (e.g. '{untagged[0]} [{'m/s2' if kind == 'acc' else 'deg/s'}]') or pass "
            f"{option}"
        )
    return next(iter(found.values()))


def _read_columns(raw: bytes, /, *, name: str, options: ImuReadOptions) -> ImuRecording:
    table = parse_table(raw, name=name)
    columns = [parse_column(c) for c in table.columns]
    groups: dict[str, dict[str, int]] = {}
    if options.columns is not None:
        sensor = options.sensor_name or "imu"
        groups[sensor] = {
            axis: find_named(columns, col, name=name, option=f"columns[{axis!r}]")
            for axis, col in options.columns.items()
        }
    else:
        for i, col in enumerate(columns):
            match = _NAME.match(col.base)
            if match is None:
                continue
            sensor = match.group("sensor") or options.sensor_name or "imu"
            axis = f"{_KIND[match.group('kind')]}_{match.group('axis')}"
            if axis in groups.setdefault(sensor, {}):
                raise FileFormatError(
                    f"{name}: columns {columns[groups[sensor][axis]].raw!r} and {col.raw!r} are "
                    f"both {axis} of sensor {sensor!r}; pass columns= to choose"
                )
            groups[sensor][axis] = i
        if not groups:
            listed = ", ".join(repr(c.raw) for c in columns)
            raise FileFormatError(
                f"{name}: no accelerometer/gyroscope columns found (expected names such as "
                f"acc_x, gyr_x, trunk_acc_x); columns: {listed}. Pass columns= to name them"
            )
    acc_cols = [
        (columns[i].unit, columns[i].raw)
        for g in groups.values()
        for a, i in g.items()
        if a.startswith("acc")
    ]
    gyr_cols = [
        (columns[i].unit, columns[i].raw)
        for g in groups.values()
        for a, i in g.items()
        if a.startswith("gyr")
    ]
    acc = _column_units(acc_cols, options.acc_unit, kind="acc", name=name) if acc_cols else None
    gyr = _column_units(gyr_cols, options.gyr_unit, kind="gyr", name=name) if gyr_cols else None
    if acc is None or gyr is None:
        raise FileFormatError(
            f"{name}: found {'no accelerometer' if acc is None else 'no gyroscope'} columns; "
            "expected both (acc_x..acc_z and gyr_x..gyr_z)"
        )
    # Time and sampling rate.
    if options.time_col is not None:
        i_t: int | None = find_named(columns, options.time_col, name=name, option="time_col")
    else:
        i_t = find_time(columns)
        if i_t is not None and options.sampling_rate_hz is not None and not columns[i_t].tagged:
            i_t = None
    needed = {columns[i].raw: i for g in groups.values() for i in g.values()}
    time_s: NDArray[np.float64] | None = None
    if i_t is not None:
        time_s = table.values[:, i_t] * time_factor(columns[i_t], options.time_unit, name=name)
        needed[columns[i_t].raw] = i_t
    check_finite(table, columns=needed, time_s=time_s)
    if table.values.shape[0] < 2:
        raise FileFormatError(f"{name}: has 1 data row; expected at least 2")
    start_s = 0.0
    if time_s is None:
        if options.sampling_rate_hz is None:
            raise InvalidParameterError(
                f"{name}: no time column found; pass sampling_rate_hz (--sampling-rate-hz) or "
                "time_col"
            )
        rate = float(options.sampling_rate_hz)
    else:
        steps = check_monotonic(time_s, table=table)
        check_gaps(time_s, steps, table=table, ratio=1.5)
        found = uniform_rate_hz(time_s, steps)
        if found is None:
            spread = float(np.max(np.abs(steps / np.median(steps) - 1.0)))
            raise SignalQualityError(
                f"{name}: time steps vary by up to {spread:.1%} of the median step "
                f"({float(np.median(steps)) * 1e3:.3g} ms; more than {JITTER_RATIO:.0%} "
                "jitter); expected uniformly sampled IMU data"
            )
        if options.sampling_rate_hz is not None and abs(found - options.sampling_rate_hz) > (
            JITTER_RATIO * found
        ):
            raise InvalidParameterError(
                f"{name}: sampling_rate_hz is {options.sampling_rate_hz:g} but the time column "
                f"says {found:.6g} Hz"
            )
        rate = found
        start_s = float(time_s[0])
    sensors = tuple(
        _sensor(table, cols, sensor=s, name=name, acc=acc, gyr=gyr) for s, cols in groups.items()
    )
    return ImuRecording(
        sensors=sensors,
        sampling_rate_hz=rate,
        source_name=name,
        source_acc_unit=acc[0],
        source_gyr_unit=gyr[0],
        start_time_s=start_s,
    )


def read_imu(path: str | Path, /, *, options: ImuReadOptions | None = None) -> ImuRecording:
    """Read an IMU recording (gaitmap CSV or a delimited file with named columns).

    Parameters
    ----------
    path : str or Path
        Delimited text (comma, semicolon or tab); ``.gz`` compressed allowed.
    options : ImuReadOptions, optional
        Layout, units, columns and sampling rate where the file does not give them.

    Returns
    -------
    ImuRecording
        Acceleration in m/s², angular velocity in rad/s; source units recorded.

    Raises
    ------
    NotFoundError, FileFormatError, UnitError, SignalQualityError, InvalidParameterError
        Messages name the file (never its directories), line and column.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> rows = "".join(f"{i / 100:.2f},0,0,1,0,0,90\\n" for i in range(5))
    >>> text = "time [s],acc_x [g],acc_y [g],acc_z [g],gyr_x [deg/s],gyr_y [deg/s],gyr_z [deg/s]\\n"
    >>> _ = (d / "imu.csv").write_text(text + rows)
    >>> rec = read_imu(d / "imu.csv")
    >>> rec.sampling_rate_hz, rec.sensor_names, rec.sensors[0].acc_m_s2[0].tolist()
    (100.0, ('imu',), [0.0, 0.0, 9.80665])
    >>> round(float(rec.sensors[0].gyr_rad_s[0, 2]), 6)  # 90 deg/s
    1.570796
    """
    opts = options if options is not None else ImuReadOptions()
    raw, name = read_bytes(path)
    check_text(raw, name=name)
    layout = opts.layout
    if layout == "auto":
        layout = "gaitmap" if _is_gaitmap(raw, name=name) else "columns"
    if layout == "gaitmap":
        return _read_gaitmap(raw, name=name, options=opts)
    return _read_columns(raw, name=name, options=opts)
