"""OpenSim motion (``.mot``) and marker (``.trc``) files.

``.mot`` (OpenSim Storage, as written by OpenCap and OpenSim IK): header lines up to
``endheader`` (``inDegrees=yes|no`` is required for rotations), a tab-separated column line
starting with ``time``, then numeric rows. Columns ending in ``_tx``, ``_ty`` or ``_tz`` are
translations in metres; the others are rotations, converted to degrees when
``inDegrees=no``.

``.trc`` (Motion Analysis track row column, as written by OpenSim, Pose2Sim and OpenCap):
five header lines (``PathFileType``; the ``DataRate ... Units`` names and values; the
``Frame# Time M1 ...`` marker line; the ``X1 Y1 Z1`` line), then one row per frame. Units
``mm``, ``cm`` or ``m`` are converted to metres; an empty cell or NaN is a missing marker.
The vertical axis is Y (the OpenSim convention) unless stated.

References
----------
OpenSim documentation, "Storage (.sto) and motion (.mot) files" and "Marker (.trc) files",
https://opensimconfluence.atlassian.net/wiki/spaces/OpenSim/pages/53089972 (file formats).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from reeducate.errors import FileFormatError, UnitError
from reeducate.io._text import read_bytes
from reeducate.movement.coordinates import CoordinateSeries, CoordinateUnit
from reeducate.movement.keypoints import KeypointSeries
from reeducate.movement.skeletons import canonical_marker_name

__all__ = ["read_mot", "read_trc"]

_LENGTH = {"mm": 1e-3, "cm": 1e-2, "m": 1.0}


def _decode(raw: bytes, name: str) -> list[str]:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise FileFormatError(f"{name}: is not a text file (invalid UTF-8)") from None
    return text.splitlines()


def _uniform_rate(time_s: NDArray[np.float64], *, name: str) -> float:
    if time_s.size < 2:
        raise FileFormatError(f"{name}: needs at least 2 rows of data; got {time_s.size}")
    dt = np.diff(time_s)
    if np.any(dt <= 0):
        bad = int(np.argmax(dt <= 0)) + 1
        raise FileFormatError(f"{name}: time must increase; row {bad + 1} of the data does not")
    step = float(np.median(dt))
    if np.max(np.abs(dt - step)) > 0.01 * step + 1e-9:
        raise FileFormatError(
            f"{name}: time steps must be uniform (within 1 %); got steps from {dt.min():.6g} "
            f"to {dt.max():.6g} s"
        )
    # rows are printed with a few decimals: 1/median(dt) of 0.01 s steps is 100.00000000000213
    return float(f"{1.0 / step:.9g}")


def read_mot(path: str | Path, /) -> CoordinateSeries:
    """Read an OpenSim ``.mot`` motion file into a :class:`CoordinateSeries`.

    Raises
    ------
    FileFormatError
        No ``endheader``, no ``time`` column, a non-numeric cell (named by line and column),
        or non-uniform time.
    UnitError
        Rotations present but no ``inDegrees`` line.
    """
    raw, name = read_bytes(path)
    lines = _decode(raw, name)
    try:
        end = next(i for i, line in enumerate(lines) if line.strip().lower() == "endheader")
    except StopIteration:
        raise FileFormatError(f"{name}: no 'endheader' line; expected an OpenSim .mot") from None
    in_degrees: bool | None = None
    for line in lines[:end]:
        key, _, value = line.partition("=")
        if key.strip().lower() == "indegrees":
            in_degrees = value.strip().lower() == "yes"
    if end + 1 >= len(lines):
        raise FileFormatError(f"{name}: no column line after 'endheader'")
    columns = lines[end + 1].split()
    if not columns or columns[0].lower() != "time":
        raise FileFormatError(
            f"{name}: line {end + 2} must list the columns starting with 'time'; "
            f"got {lines[end + 1][:40]!r}"
        )
    rows: list[list[float]] = []
    for i, line in enumerate(lines[end + 2 :], start=end + 3):
        if not line.strip():
            continue
        cells = line.split()
        if len(cells) != len(columns):
            raise FileFormatError(
                f"{name}: line {i} has {len(cells)} values; expected {len(columns)}"
            )
        try:
            rows.append([float(c) for c in cells])
        except ValueError:
            col = next(j for j, c in enumerate(cells) if not _is_float(c))
            raise FileFormatError(
                f"{name}: line {i}, column {columns[col]!r}: expected a number; got "
                f"{cells[col][:20]!r}"
            ) from None
    data = np.asarray(rows, dtype=np.float64)
    if data.ndim != 2 or data.shape[0] < 2:
        raise FileFormatError(f"{name}: needs at least 2 rows of data")
    time_s = data[:, 0]
    rate = _uniform_rate(time_s, name=name)
    names = tuple(columns[1:])
    is_translation = [n.endswith(("_tx", "_ty", "_tz")) for n in names]
    if in_degrees is None and not all(is_translation):
        raise UnitError(
            f"{name}: header has no 'inDegrees=yes|no' line; cannot tell degrees from radians"
        )
    values = data[:, 1:].copy()
    units: list[CoordinateUnit] = []
    for j, trans in enumerate(is_translation):
        if trans:
            units.append("m")
        else:
            units.append("deg")
            if in_degrees is False:
                values[:, j] = np.degrees(values[:, j])
    if not np.all(np.isfinite(values)):
        j = int(np.argmax(~np.isfinite(values).all(axis=0)))
        raise FileFormatError(f"{name}: column {names[j]!r} has non-finite values")
    return CoordinateSeries(
        values=values,
        names=names,
        units=tuple(units),
        frame_rate_hz=rate,
        start_time_s=float(time_s[0]),
        source_name=name,
    )


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def read_trc(path: str | Path, /, *, vertical_axis: int = 1) -> KeypointSeries:
    """Read a ``.trc`` marker file into a 3-D :class:`KeypointSeries` in metres.

    Parameters
    ----------
    path : str or Path
    vertical_axis : int
        Index of the upward axis (Y = 1 in OpenSim, Pose2Sim and OpenCap files).

    Raises
    ------
    FileFormatError
        Missing header lines, a marker without three columns, a non-numeric cell.
    UnitError
        Units other than mm, cm or m.
    """
    raw, name = read_bytes(path)
    lines = _decode(raw, name)
    if len(lines) < 6 or not lines[0].startswith("PathFileType"):
        raise FileFormatError(f"{name}: line 1 must start with 'PathFileType'; not a .trc file")
    keys = lines[1].split("\t")
    vals = lines[2].split("\t")
    meta = {k.strip(): v.strip() for k, v in zip(keys, vals, strict=False)}
    try:
        rate = float(meta["DataRate"])
        unit_text = meta["Units"]
    except (KeyError, ValueError):
        raise FileFormatError(
            f"{name}: lines 2-3 must give DataRate and Units; got {sorted(meta)}"
        ) from None
    unit_key = unit_text.lower()
    if unit_key not in _LENGTH:
        raise UnitError(f"{name}: Units {unit_text!r} is not supported; expected mm, cm or m")
    header = lines[3].split("\t")
    if len(header) < 3 or header[0].strip().lower() != "frame#":
        raise FileFormatError(f"{name}: line 4 must start with 'Frame#', 'Time'")
    markers = [h.strip() for h in header[2:] if h.strip()]
    n_m = len(markers)
    rows: list[list[float]] = []
    for i, line in enumerate(lines[5:], start=6):
        if not line.strip():
            continue
        cells = line.rstrip("\n").split("\t")
        cells += [""] * (2 + 3 * n_m - len(cells))
        try:
            rows.append([float(c) if c.strip() else np.nan for c in cells[1 : 2 + 3 * n_m]])
        except ValueError:
            raise FileFormatError(f"{name}: line {i}: expected numbers separated by tabs") from None
    if len(rows) < 2:
        raise FileFormatError(f"{name}: needs at least 2 frames; got {len(rows)}")
    data = np.asarray(rows, dtype=np.float64)
    time_s = data[:, 0]
    if np.all(np.isfinite(time_s)):
        _uniform_rate(time_s, name=name)
    pos = data[:, 1:].reshape(len(rows), n_m, 3) * _LENGTH[unit_key]
    names = tuple(canonical_marker_name(m) for m in markers)
    if len(set(names)) != len(names):
        names = tuple(markers)
    finite: NDArray[np.bool_] = np.asarray(np.isfinite(pos).all(axis=2))
    return KeypointSeries(
        positions=np.where(finite[:, :, None], pos, np.nan),
        confidence=finite.astype(np.float64),
        keypoint_names=names,
        frame_rate_hz=rate,
        unit="m",
        skeleton="markers",
        vertical_axis=vertical_axis,
        vertical_sign=1,
        source_name=name,
    )
