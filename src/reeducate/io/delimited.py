"""Generic delimited-text CoP files: comma, semicolon or tab; any line ending; optional gzip.

Columns are found by name, case-insensitively and ignoring unit tags: ``CoP AP``,
``cop_ap_mm``, ``COP_ML (mm)`` are recognised as anterior-posterior / medio-lateral. Columns
named only ``x`` / ``y`` (``COPx``, ``cop_y``) are ambiguous: the reader refuses and asks for
``--ap-col`` / ``--ml-col``. Units come from a header tag (``[cm]``, ``(mm)``, a ``_mm``
suffix) or from ``--cop-unit``; never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from reeducate.balance.trial import CopTrial, TrialCondition
from reeducate.errors import (
    FileFormatError,
    InvalidParameterError,
    SignalQualityError,
    UnitError,
)
from reeducate.io._text import Table, check_finite, check_text, parse_table, read_bytes
from reeducate.io.options import DelimitedOptions
from reeducate.signals.resample import swarii
from reeducate.units import LENGTH_TO_M

__all__ = ["read_delimited_cop"]

_TAG = re.compile(r"^(?P<base>.*?)\s*[\[(]\s*(?P<unit>[^\])]*?)\s*[\])]\s*$")
_SUFFIX_UNITS = frozenset({"m", "cm", "mm", "s", "ms", "kg", "n"})
_TIME_UNITS = {"s": 1.0, "sec": 1.0, "ms": 1e-3}
#: Largest relative deviation of a time step from the median still counted as uniform.
JITTER_RATIO = 0.01


@dataclass(frozen=True, slots=True)
class ColumnName:
    """A header cell split into a normalised base name and its unit tag."""

    raw: str
    base: str
    tokens: tuple[str, ...]
    unit: str | None
    tagged: bool


def parse_column(raw: str, /) -> ColumnName:
    """Split ``"COPx[cm]"`` into base ``"copx"`` and unit ``"cm"``; ``"cop_ap_mm"`` too."""
    text = raw.strip()
    unit: str | None = None
    tagged = False
    match = _TAG.match(text)
    if match:
        text, unit, tagged = match.group("base"), match.group("unit").strip(), True
    tokens = [t for t in re.split(r"[^0-9a-z]+", text.lower()) if t]
    if not tagged and len(tokens) > 1 and tokens[-1] in _SUFFIX_UNITS:
        unit, tagged = tokens.pop(), True
    return ColumnName(
        raw=raw, base="_".join(tokens), tokens=tuple(tokens), unit=unit, tagged=tagged
    )


def find_named(columns: list[ColumnName], wanted: str, /, *, name: str, option: str) -> int:
    """Index of the column the user named (case-insensitive, unit tag optional)."""
    key = wanted.strip().lower()
    key_base = parse_column(wanted).base
    for i, col in enumerate(columns):
        if col.raw.strip().lower() == key:
            return i
    hits = [i for i, col in enumerate(columns) if col.base == key_base]
    if len(hits) == 1:
        return hits[0]
    listed = ", ".join(repr(c.raw) for c in columns)
    raise FileFormatError(
        f"{name}: {option} {wanted!r} matches no single column; columns: {listed}"
    )


def _is_axis(col: ColumnName, axis: str) -> bool:
    long = {"ap": ("anteroposterior", "antero", "anterior"), "ml": ("mediolateral", "medio")}
    return axis in col.tokens or any(t.startswith(long[axis]) for t in col.tokens)


def find_axis(columns: list[ColumnName], axis: str, /, *, name: str) -> int:
    """Index of the AP (``axis="ap"``) or ML column, refusing when it is ambiguous."""
    option = "--ap-col" if axis == "ap" else "--ml-col"
    hits = [i for i, c in enumerate(columns) if _is_axis(c, axis)]
    if len(hits) > 1:
        cop = [i for i in hits if "cop" in columns[i].base]
        hits = cop if cop else hits
    if len(hits) == 1:
        return hits[0]
    listed = ", ".join(repr(c.raw) for c in columns)
    what = "anterior-posterior" if axis == "ap" else "medio-lateral"
    if hits:
        candidates = ", ".join(repr(columns[i].raw) for i in hits)
        raise FileFormatError(
            f"{name}: several columns could be the {what} CoP ({candidates}); pass {option} NAME"
        )
    raise FileFormatError(
        f"{name}: no column is named as the {what} CoP (AP/ML); columns: {listed}. Which of x/y "
        f"is {what} cannot be told from the names: pass {option} NAME"
    )


def find_time(columns: list[ColumnName], /) -> int | None:
    """Index of a column named time, t or timestamp (with or without unit), else None."""
    for i, col in enumerate(columns):
        if col.tokens and col.tokens[0] in ("time", "t", "timestamp", "times"):
            return i
    return None


def length_factor(col: ColumnName, given: str | None, /, *, name: str) -> tuple[float, str]:
    """Factor to metres for a CoP column, from its tag or ``--cop-unit``; refuse otherwise."""
    if col.tagged and col.unit is not None:
        tag = col.unit.lower()
        if tag not in LENGTH_TO_M:
            raise UnitError(
                f"{name}, column {col.raw!r}: unknown unit tag {col.unit!r}; expected one of "
                f"{', '.join(LENGTH_TO_M)}"
            )
        if given is not None and given != tag:
            raise UnitError(
                f"{name}, column {col.raw!r}: header says {tag!r} but --cop-unit is {given!r}; "
                "remove --cop-unit or correct the file"
            )
        return LENGTH_TO_M[tag], tag
    if given is None:
        raise UnitError(
            f"{name}, column {col.raw!r}: the CoP unit is not in the header; give it with "
            "--cop-unit {m,cm,mm} (cop_unit= in DelimitedOptions)"
        )
    return LENGTH_TO_M[given], given


def time_factor(col: ColumnName, given: str | None, /, *, name: str) -> float:
    """Factor to seconds for a time column (tag ``[s]``/``(ms)``/``_ms`` or ``time_unit``)."""
    if col.tagged and col.unit is not None:
        tag = col.unit.lower()
        if tag not in _TIME_UNITS:
            raise UnitError(
                f"{name}, column {col.raw!r}: unknown time unit tag {col.unit!r}; expected s or ms"
            )
        if given is not None and _TIME_UNITS[tag] != _TIME_UNITS[given]:
            raise UnitError(
                f"{name}, column {col.raw!r}: header says {tag!r} but time_unit is {given!r}"
            )
        return _TIME_UNITS[tag]
    if given is None:
        raise UnitError(
            f"{name}, column {col.raw!r}: the time unit is not in the header; tag the column "
            "(e.g. 'time[s]' or 'time (ms)'), give --time-unit s|ms, or drop --time-col "
            "and pass --sampling-rate-hz"
        )
    return _TIME_UNITS[given]


def check_monotonic(time_s: NDArray[np.float64], /, *, table: Table) -> NDArray[np.float64]:
    """Time steps, after refusing duplicated or decreasing timestamps (naming the lines)."""
    steps = np.diff(time_s)
    bad = steps <= 0
    if bad.any():
        i = int(np.argmax(bad))
        kind = "duplicated timestamp" if steps[i] == 0 else "time goes backwards"
        raise SignalQualityError(
            f"{table.name}, line {table.line(i + 1)}: {kind} (t = {time_s[i + 1]:.6g} s after "
            f"t = {time_s[i]:.6g} s on line {table.line(i)}); {int(bad.sum())} such steps; "
            "expected strictly increasing time"
        )
    return steps


def check_gaps(
    time_s: NDArray[np.float64], steps: NDArray[np.float64], /, *, table: Table, ratio: float
) -> None:
    """Refuse steps longer than ``ratio`` times the median step, naming the time span."""
    median = float(np.median(steps))
    gaps = np.flatnonzero(steps > ratio * median)
    if gaps.size:
        i = int(gaps[0])
        raise SignalQualityError(
            f"{table.name}, line {table.line(i + 1)}: gap in time from t = {time_s[i]:.3f} s to "
            f"t = {time_s[i + 1]:.3f} s ({steps[i] / median:.1f} x the median step of "
            f"{median * 1e3:.3g} ms); {gaps.size} gap(s) in all; cut the trial at the gap"
        )


def uniform_rate_hz(time_s: NDArray[np.float64], steps: NDArray[np.float64], /) -> float | None:
    """Mean rate when every step is within :data:`JITTER_RATIO` of the median, else None."""
    median = float(np.median(steps))
    if np.max(np.abs(steps - median)) > JITTER_RATIO * median:
        return None
    rate = (time_s.size - 1) / float(time_s[-1] - time_s[0])
    nearest = round(rate)
    return float(nearest) if nearest > 0 and abs(rate - nearest) <= 1e-6 * rate else rate


def check_min_duration(trial: CopTrial, min_duration_s: float | None, /) -> CopTrial:
    """Refuse a trial shorter than the caller's minimum."""
    if min_duration_s is not None and trial.duration_s < min_duration_s:
        raise SignalQualityError(
            f"{trial.source_name}: trial lasts {trial.duration_s:.2f} s; min_duration_s is "
            f"{min_duration_s:g} s"
        )
    return trial


def read_delimited_cop(
    path: str | Path,
    /,
    *,
    options: DelimitedOptions,
    raw: bytes | None = None,
    name: str | None = None,
) -> CopTrial:
    """Read a delimited text file of CoP samples into a :class:`CopTrial` (metres).

    Parameters
    ----------
    path : str or Path
        File to read (``.gz`` compressed allowed).
    options : DelimitedOptions
        Column names, units and sampling rate where the header does not give them.
    raw, name : optional
        Already-read bytes and display name (used by :func:`reeducate.io.read_cop`).

    Returns
    -------
    CopTrial
        AP and ML in metres; ``source_unit`` is the CoP unit of the file.

    Raises
    ------
    NotFoundError, FileFormatError, UnitError, SignalQualityError
        Messages name the file, line and column, and what was expected.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> text = "time[s];CoP AP[mm];CoP ML[mm]\\n0;1;2\\n0.5;3;4\\n1;5;6\\n"
    >>> _ = (d / "sway.csv").write_text(text)
    >>> trial = read_delimited_cop(d / "sway.csv", options=DelimitedOptions())
    >>> trial.sampling_rate_hz, trial.ap_m.tolist(), trial.source_unit
    (2.0, [0.001, 0.003, 0.005], 'mm')
    """
    if raw is None or name is None:
        raw, name = read_bytes(path)
        check_text(raw, name=name)
    table = parse_table(raw, name=name)
    columns = [parse_column(c) for c in table.columns]
    if options.ap_col is not None:
        i_ap = find_named(columns, options.ap_col, name=name, option="--ap-col")
    else:
        i_ap = find_axis(columns, "ap", name=name)
    if options.ml_col is not None:
        i_ml = find_named(columns, options.ml_col, name=name, option="--ml-col")
    else:
        i_ml = find_axis(columns, "ml", name=name)
    if i_ap == i_ml:
        raise InvalidParameterError(
            f"{name}: AP and ML resolve to the same column {columns[i_ap].raw!r}"
        )
    f_ap, unit_ap = length_factor(columns[i_ap], options.cop_unit, name=name)
    f_ml, unit_ml = length_factor(columns[i_ml], options.cop_unit, name=name)
    if options.time_col is not None:
        i_t: int | None = find_named(columns, options.time_col, name=name, option="--time-col")
    else:
        i_t = find_time(columns)
        if i_t is not None and options.sampling_rate_hz is not None and not columns[i_t].tagged:
            i_t = None  # the user gave the rate; an untagged time column is not needed
    needed = {columns[i_ap].raw: i_ap, columns[i_ml].raw: i_ml}
    time_s: NDArray[np.float64] | None = None
    if i_t is not None:
        time_s = table.values[:, i_t] * time_factor(columns[i_t], options.time_unit, name=name)
        needed[columns[i_t].raw] = i_t
    check_finite(table, columns=needed, time_s=time_s)
    ap = table.values[:, i_ap] * f_ap
    ml = table.values[:, i_ml] * f_ml
    if ap.size < 2:
        raise FileFormatError(f"{name}: has 1 data row; expected at least 2")
    source_unit = unit_ap if unit_ap == unit_ml else f"AP {unit_ap}, ML {unit_ml}"
    condition = options.condition if options.condition is not None else TrialCondition()
    if time_s is None:
        if options.sampling_rate_hz is None:
            raise InvalidParameterError(
                f"{name}: no time column found; pass --sampling-rate-hz HZ or --time-col NAME"
            )
        trial = CopTrial(
            ap_m=ap,
            ml_m=ml,
            sampling_rate_hz=options.sampling_rate_hz,
            source_unit=source_unit,
            source_name=name,
            condition=condition,
        )
        return check_min_duration(trial, options.min_duration_s)
    steps = check_monotonic(time_s, table=table)
    check_gaps(time_s, steps, table=table, ratio=1.5)
    rate = uniform_rate_hz(time_s, steps)
    if rate is not None:
        if options.sampling_rate_hz is not None and abs(rate - options.sampling_rate_hz) > (
            JITTER_RATIO * rate
        ):
            raise InvalidParameterError(
                f"{name}: --sampling-rate-hz is {options.sampling_rate_hz:g} but the time column "
                f"says {rate:.6g} Hz"
            )
        if options.resample_hz is None or options.resample_hz == rate:
            trial = CopTrial(
                ap_m=ap,
                ml_m=ml,
                sampling_rate_hz=rate,
                source_unit=source_unit,
                source_name=name,
                start_time_s=float(time_s[0]),
                condition=condition,
            )
            return check_min_duration(trial, options.min_duration_s)
    if options.resample_hz is None:
        spread = float(np.max(np.abs(steps / np.median(steps) - 1.0)))
        raise SignalQualityError(
            f"{name}: time steps vary by up to {spread:.1%} of the median step "
            f"({float(np.median(steps)) * 1e3:.3g} ms; more than {JITTER_RATIO:.0%} jitter); "
            "pass resample_hz=HZ to resample uniformly with SWARII"
        )
    grid, values = swarii(
        time_s,
        np.column_stack((ap, ml)),
        target_rate_hz=options.resample_hz,
        window_s=2.0 / options.resample_hz,
    )
    out = np.asarray(values, dtype=np.float64)
    trial = CopTrial(
        ap_m=out[:, 0],
        ml_m=out[:, 1],
        sampling_rate_hz=options.resample_hz,
        source_unit=source_unit,
        source_name=name,
        start_time_s=float(np.asarray(grid)[0]),
        condition=condition,
    )
    return check_min_duration(trial, options.min_duration_s)
