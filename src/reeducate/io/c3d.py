"""C3D force-plate data through ezc3d (optional dependency: ``pip install reeducate[c3d]``).

Only TYPE 2 plates (six channels Fx, Fy, Fz, Mx, My, Mz in the plate frame) are read. ezc3d
returns analog samples already converted with ANALOG:SCALE, ANALOG:OFFSET and
ANALOG:GEN_SCALE. Units come from ANALOG:UNITS of the plate's channels (N; N·mm or N·m) and
POINT:UNITS for FORCE_PLATFORM:ORIGIN (mm, cm or m). ORIGIN is read as in the C3D manual and
ezc3d: the vector from the transducer origin to the centre of the plate's top surface, in the
plate frame (z down), so the origin depth is ``-ORIGIN[2]`` and the CoP relative to the centre of
the surface is the CoP about the origin minus ``ORIGIN[:2]`` (checked against ezc3d's own CoP in
the tests). Plate x = AP, y = ML; the lab frame (FORCE_PLATFORM:CORNERS) is not applied.

References
----------
Motion Lab Systems (2008) The C3D file format user guide, FORCE_PLATFORM group.
Michaud B, Begon M (2021) ezc3d: an easy C3D file I/O cross-platform solution for C++, Python
and MATLAB. J Open Source Softw 6(58):2911, doi:10.21105/joss.02911.
"""

from __future__ import annotations

import contextlib
import io
from pathlib import Path
from typing import Any

import numpy as np

from reeducate.balance.forceplate import cop_from_forces_moments, stance_slice
from reeducate.balance.trial import CopTrial, TrialCondition
from reeducate.errors import FileFormatError, InvalidParameterError, UnitError
from reeducate.io.delimited import check_min_duration
from reeducate.io.options import DelimitedOptions

__all__ = ["read_c3d"]

_FORCE_UNITS = {"n": 1.0}
_MOMENT_UNITS = {"nmm": 1e-3, "n.mm": 1e-3, "n*mm": 1e-3, "n·mm": 1e-3, "nm": 1.0, "n.m": 1.0,
                 "n*m": 1.0, "n·m": 1.0}  # fmt: skip
_LENGTH_UNITS = {"mm": 1e-3, "cm": 1e-2, "m": 1.0}


def open_c3d(path: str | Path, /, *, name: str) -> Any:
    """The ``ezc3d.c3d`` object of a C3D file (ezc3d's C++ chatter kept off stdout);
    :class:`FileFormatError` naming ``name`` when ezc3d is missing or cannot read it."""
    try:
        import ezc3d
    except ImportError:  # pragma: no cover - installed with the c3d extra
        raise FileFormatError(f"{name}: reading C3D needs ezc3d; install reeducate[c3d]") from None
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            return ezc3d.c3d(str(path))
    except Exception as exc:  # ezc3d raises plain RuntimeError/IOError with C++ messages
        raise FileFormatError(f"{name}: cannot be read as C3D ({type(exc).__name__})") from None


def _param(params: Any, group: str, key: str, *, name: str) -> Any:
    try:
        return params[group][key]["value"]
    except KeyError:
        raise FileFormatError(f"{name}: C3D parameter {group}:{key} is missing") from None


def _unit(value: str, table: dict[str, float], *, name: str, field: str) -> float:
    key = value.strip().lower().replace(" ", "")
    if key not in table:
        raise UnitError(
            f"{name}: {field} unit {value!r} is not supported; expected {', '.join(table)}"
        )
    return table[key]


def read_c3d(path: str | Path, /, *, name: str, options: DelimitedOptions) -> CopTrial:
    """Read one TYPE 2 force plate of a C3D file into a :class:`CopTrial` (metres).

    Raises
    ------
    FileFormatError
        Unreadable file, missing FORCE_PLATFORM parameters, a plate TYPE other than 2, several
        plates and no ``plate_index``.
    UnitError
        Unknown ANALOG:UNITS or POINT:UNITS.
    """
    c3d = open_c3d(path, name=name)
    params = c3d["parameters"]
    if "FORCE_PLATFORM" not in params:
        raise FileFormatError(f"{name}: no FORCE_PLATFORM parameters; expected force-plate data")
    used = int(np.asarray(_param(params, "FORCE_PLATFORM", "USED", name=name)).ravel()[0])
    if used < 1:
        raise FileFormatError(f"{name}: FORCE_PLATFORM:USED is {used}; expected at least 1 plate")
    index = options.plate_index
    if index is None:
        if used > 1:
            raise FileFormatError(
                f"{name}: has {used} force plates; choose one with plate_index (0-{used - 1})"
            )
        index = 0
    if index >= used:
        raise InvalidParameterError(f"plate_index must be < {used} for {name}; got {index}")
    types = np.asarray(_param(params, "FORCE_PLATFORM", "TYPE", name=name)).ravel()
    if int(types[index]) != 2:
        raise FileFormatError(
            f"{name}: FORCE_PLATFORM:TYPE of plate {index} is {int(types[index])}; only TYPE 2 "
            "(Fx, Fy, Fz, Mx, My, Mz) is supported"
        )
    channels = np.asarray(_param(params, "FORCE_PLATFORM", "CHANNEL", name=name))
    channels = channels.reshape(6, -1) if channels.ndim == 1 else channels
    chans = channels[:, index].astype(int) - 1
    origin = np.asarray(_param(params, "FORCE_PLATFORM", "ORIGIN", name=name), dtype=float)
    origin = origin.reshape(3, -1)[:, index]
    analogs = np.asarray(c3d["data"]["analogs"], dtype=np.float64)[0]
    if chans.min() < 0 or chans.max() >= analogs.shape[0]:
        raise FileFormatError(
            f"{name}: FORCE_PLATFORM:CHANNEL refers to analog channels {(chans + 1).tolist()}; "
            f"the file has {analogs.shape[0]}"
        )
    units = list(_param(params, "ANALOG", "UNITS", name=name))
    if len(units) < analogs.shape[0]:
        raise UnitError(f"{name}: ANALOG:UNITS is missing for some force-plate channels")
    f_scale = [_unit(units[c], _FORCE_UNITS, name=name, field="force channel") for c in chans[:3]]
    m_scale = [_unit(units[c], _MOMENT_UNITS, name=name, field="moment channel") for c in chans[3:]]
    point_unit = str(next(iter(_param(params, "POINT", "UNITS", name=name))))
    origin_m = origin * _unit(point_unit, _LENGTH_UNITS, name=name, field="POINT:UNITS")
    rate = float(np.asarray(_param(params, "ANALOG", "RATE", name=name)).ravel()[0])
    if not (np.isfinite(rate) and rate > 0):
        raise FileFormatError(f"{name}: ANALOG:RATE must be > 0; got {rate!r}")
    force = analogs[chans[:3]].T * np.asarray(f_scale)
    moment = analogs[chans[3:]].T * np.asarray(m_scale)
    keep = stance_slice(
        force[:, 2], sampling_rate_hz=rate, on_step_off=options.on_step_off, source_name=name
    )
    force, moment = force[keep], moment[keep]
    depth = (
        options.plate_origin_depth_m
        if options.plate_origin_depth_m is not None
        else float(-origin_m[2])
    )
    ap, ml = cop_from_forces_moments(force, moment, origin_depth_m=depth)
    trial = CopTrial(
        ap_m=ap - origin_m[0],
        ml_m=ml - origin_m[1],
        sampling_rate_hz=rate,
        source_unit=f"{units[chans[0]].strip()}, {units[chans[3]].strip()}",
        source_name=name,
        start_time_s=(keep.start or 0) / rate,
        vertical_force_n=force[:, 2],
        condition=options.condition if options.condition is not None else TrialCondition(),
    )
    return check_min_duration(trial, options.min_duration_s)
