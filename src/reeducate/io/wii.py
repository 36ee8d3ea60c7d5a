"""Wii Balance Board recordings as delimited text: a timestamp and the four load cells.

Columns are found by name: ``TL, TR, BR, BL`` or ``top_left, top_right, bottom_right,
bottom_left`` (case-insensitive, unit tags allowed), and a time column tagged ``[s]`` or
``(ms)``. Loads in kg (converted with standard gravity) or N, from a header tag or
``load_unit``.
"""

from __future__ import annotations

from typing import Final

from reeducate.balance.trial import CopTrial, TrialCondition
from reeducate.balance.wii import wbb_trial
from reeducate.errors import FileFormatError, UnitError
from reeducate.io._text import check_finite, parse_table
from reeducate.io.delimited import (
    ColumnName,
    check_gaps,
    check_min_duration,
    check_monotonic,
    find_named,
    find_time,
    parse_column,
    time_factor,
)
from reeducate.io.options import DelimitedOptions

__all__ = ["STANDARD_GRAVITY_M_S2", "is_wbb_header", "read_wbb"]

#: Standard gravity (CGPM 1901), converts kilogram-force to newtons.
STANDARD_GRAVITY_M_S2: Final[float] = 9.80665
_CELLS: Final = (
    ("tl", "top_left"),
    ("tr", "top_right"),
    ("br", "bottom_right"),
    ("bl", "bottom_left"),
)
_LOAD_TO_N: Final = {"kg": STANDARD_GRAVITY_M_S2, "n": 1.0}


def _cell_indices(columns: list[ColumnName]) -> list[int] | None:
    found: list[int] = []
    for names in _CELLS:
        hits = [i for i, c in enumerate(columns) if c.base in names]
        if len(hits) != 1:
            return None
        found.append(hits[0])
    return found


def is_wbb_header(columns: tuple[str, ...], /) -> bool:
    """True when the header names the four load cells TL, TR, BR, BL."""
    return _cell_indices([parse_column(c) for c in columns]) is not None


def read_wbb(raw: bytes, /, *, name: str, options: DelimitedOptions) -> CopTrial:
    """Read a balance-board file: load cells -> CoP (Leach et al. 2014) -> SWARII resampling.

    The output rate is ``options.resample_hz`` or, by default, the board's median rate rounded
    to the nearest Hz. Gaps longer than 3 median steps are refused (the board's jitter is large,
    so the 1.5 x threshold of plate files would flag normal samples).
    """
    table = parse_table(raw, name=name)
    columns = [parse_column(c) for c in table.columns]
    cells = _cell_indices(columns)
    if cells is None:
        raise FileFormatError(f"{name}: expected load-cell columns TL, TR, BR, BL")
    units = {(u.lower() if (u := columns[i].unit) else None) for i in cells}
    if len(units) != 1:
        raise UnitError(f"{name}: load cells carry different unit tags {sorted(map(str, units))}")
    tag = units.pop()
    given = options.load_unit.lower() if options.load_unit else None
    if tag is not None and tag not in _LOAD_TO_N:
        raise UnitError(f"{name}: unknown load unit tag {tag!r}; expected kg or N")
    if tag is not None and given is not None and tag != given:
        raise UnitError(f"{name}: header says loads in {tag!r} but load_unit is {given!r}")
    unit = tag or given
    if unit is None:
        raise UnitError(
            f"{name}: the load-cell unit is not in the header; tag the columns (e.g. 'TL[kg]') "
            "or give load_unit='kg' or 'N'"
        )
    if options.time_col is not None:
        i_t = find_named(columns, options.time_col, name=name, option="--time-col")
    else:
        found = find_time(columns)
        if found is None:
            raise FileFormatError(
                f"{name}: no time column; a balance board needs per-sample timestamps "
                "(column 'time[s]' or 'time (ms)', or --time-col NAME)"
            )
        i_t = found
    time_s = table.values[:, i_t] * time_factor(columns[i_t], options.time_unit, name=name)
    needed = {columns[i].raw: i for i in (i_t, *cells)}
    check_finite(table, columns=needed, time_s=time_s)
    steps = check_monotonic(time_s, table=table)
    check_gaps(time_s, steps, table=table, ratio=3.0)
    loads_n = table.values[:, cells] * _LOAD_TO_N[unit]
    trial = wbb_trial(
        time_s,
        loads_n,
        resample_hz=options.resample_hz,
        window_s=None,
        source_name=name,
        source_unit="kg" if unit == "kg" else "N",
        on_step_off=options.on_step_off,
        condition=options.condition if options.condition is not None else TrialCondition(),
    )
    return check_min_duration(trial, options.min_duration_s)
