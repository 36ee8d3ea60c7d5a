"""Readers of surface-EMG recordings into :class:`~reeducate.emg.recording.EmgRecording` (volts).

:func:`read_emg` detects the format and dispatches:

* **delimited text** (``.csv``, ``.tsv``, ``.txt``, optionally gzipped): a header row of channel
  names; an optional time column (``time[s]``, ``t_ms``...); the unit from each channel's tag
  (``VL [uV]``, ``BF (mV)``, ``TA_uV``) or from ``unit=``; the rate from the time column or
  ``sampling_rate_hz=`` (both given: they must agree within 1 %);
* **EDF / BDF** (``.edf``, ``.bdf``; edfio): physical values, unit from each signal's physical
  dimension, rate from the header; every selected channel must share one rate;
* **XDF** (``.xdf``, Lab Streaming Layer recordings; pyxdf): the stream of type ``EMG`` (or the
  one named ``stream=``), channel labels and units from the stream's description, the nominal
  rate checked against the time stamps (1 %);
* **C3D** (``.c3d``; ezc3d): analog channels whose label contains ``EMG`` (or those named),
  units from ANALOG:UNITS, rate ANALOG:RATE (scale and offset applied by ezc3d);
* **the emg_elderly spreadsheet** (``.xlsx`` with sheets ``EMG_VL``, ``EMG_BF``, ``EMG_TA``,
  ``EMG_LG`` and ``DNM``; openpyxl): the sheet of the task ``task=`` (VL, BF, TA or LG), four
  columns = channels VL, BF, TA, GL, 2000 Hz (Silva et al. 2024). The sheets carry no unit:
  ``unit=`` is required (the data set documents microvolts: ``"uV"``).

Units accepted: V, mV, uV (µV, μV). An unknown or missing unit is refused, never guessed, and a
converted signal whose amplitude is implausible for surface EMG (99th percentile of |x| above
50 mV, or every channel below 0.1 µV) is refused as a probable unit error.

References
----------
Kemp B, Olivan J (2003) European data format 'plus' (EDF+). Clin Neurophysiol
114(9):1755-1761, doi:10.1016/S1388-2457(03)00123-8.
Kothe C et al. (2024) The Lab Streaming Layer for synchronized multimodal recording. bioRxiv,
doi:10.1101/2024.02.13.580071.
Michaud B, Begon M (2021) ezc3d. J Open Source Softw 6(58):2911, doi:10.21105/joss.02911.
Silva DA et al. (2024) Electromyography and dynamometry in the prediction of risk of falls in
the elderly using machine learning tools. Biomed Signal Process Control 88:105635,
doi:10.1016/j.bspc.2023.105635.
"""

from __future__ import annotations

import contextlib
import io
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
from numpy.typing import NDArray

from reeducate.emg.recording import EmgRecording
from reeducate.errors import (
    FileFormatError,
    InvalidParameterError,
    NotFoundError,
    SignalQualityError,
    UnitError,
)
from reeducate.io._text import check_text, parse_table, read_bytes
from reeducate.io.delimited import JITTER_RATIO, check_monotonic, parse_column, time_factor

__all__ = [
    "EMG_ELDERLY_CHANNELS",
    "EMG_ELDERLY_RATE_HZ",
    "EMG_ELDERLY_TASKS",
    "EmgReadOptions",
    "read_emg",
    "voltage_factor",
]

#: Factor from each accepted unit to volts (keys lower case).
_TO_V: Final[dict[str, float]] = {
    "v": 1.0,
    "volt": 1.0,
    "volts": 1.0,
    "mv": 1e-3,
    "uv": 1e-6,
    "µv": 1e-6,
    "μv": 1e-6,
    "microvolt": 1e-6,
    "microvolts": 1e-6,
}
_CANONICAL: Final[dict[float, str]] = {1.0: "V", 1e-3: "mV", 1e-6: "uV"}

#: The emg_elderly layout (Silva et al. 2024): tasks (sheet EMG_<task>) and channel columns.
EMG_ELDERLY_TASKS: Final[tuple[str, ...]] = ("VL", "BF", "TA", "LG")
EMG_ELDERLY_CHANNELS: Final[tuple[str, ...]] = ("VL", "BF", "TA", "GL")
#: Sampling rate of the data set (its description: 2000 Hz, 10 s, 20001 rows).
EMG_ELDERLY_RATE_HZ: Final[float] = 2000.0

#: Plausible surface-EMG amplitude (99th percentile of |x|), volts.
_MAX_P99_V: Final[float] = 0.05
_MIN_P99_V: Final[float] = 1e-7


@dataclass(frozen=True, slots=True, kw_only=True)
class EmgReadOptions:
    """What the user tells an EMG reader that the file does not say.

    Attributes
    ----------
    unit : str, optional
        Unit of the samples when the file does not state it (``V``, ``mV``, ``uV``); a file
        that states another unit is refused.
    sampling_rate_hz : float, optional
        Rate of a text file without a time column (checked against one when both exist).
    channels : tuple of str, optional
        Channels to keep, in this order (case-insensitive).
    task : str, optional
        emg_elderly spreadsheet: which task sheet (VL, BF, TA, LG).
    stream : str, optional
        XDF: the name of the stream to read (default: the only stream of type EMG).
    """

    unit: str | None = None
    sampling_rate_hz: float | None = None
    channels: tuple[str, ...] | None = None
    task: str | None = None
    stream: str | None = None

    def __post_init__(self) -> None:
        if self.unit is not None:
            voltage_factor(self.unit, where="unit")
        rate = self.sampling_rate_hz
        if rate is not None and not (
            isinstance(rate, int | float) and math.isfinite(rate) and rate > 0
        ):
            raise InvalidParameterError(
                f"sampling_rate_hz must be a finite number > 0; got {rate!r}"
            )
        if self.task is not None and self.task.upper() not in EMG_ELDERLY_TASKS:
            raise InvalidParameterError(
                f"task must be one of {', '.join(EMG_ELDERLY_TASKS)}; got {self.task!r}"
            )


def voltage_factor(unit: str, /, *, where: str) -> float:
    """Factor from ``unit`` to volts; :class:`UnitError` naming ``where`` for anything else.

    >>> voltage_factor("µV", where="VL"), voltage_factor("mV", where="BF")
    (1e-06, 0.001)
    """
    key = unit.strip().lower().replace(" ", "")
    if key not in _TO_V:
        raise UnitError(f"{where}: unit {unit!r} is not an EMG voltage unit; expected V, mV or uV")
    return _TO_V[key]


def _finish(
    data_v: NDArray[np.float64],
    names: list[str],
    *,
    rate: float,
    name: str,
    unit: str,
    options: EmgReadOptions,
    start_time_s: float = 0.0,
) -> EmgRecording:
    rec = EmgRecording(
        signals_v=data_v,
        channel_names=tuple(names),
        sampling_rate_hz=rate,
        source_name=name,
        source_unit=unit,
        start_time_s=start_time_s,
    )
    if options.channels:
        rec = rec.select(tuple(options.channels))
    centred = rec.signals_v - np.median(rec.signals_v, axis=0)
    p99 = np.percentile(np.abs(centred), 99, axis=0)
    if np.any(p99 > _MAX_P99_V) or np.all(p99 < _MIN_P99_V):
        worst = float(p99.max())
        raise UnitError(
            f"{name}: 99th percentile of |EMG| is {worst:.3g} V after converting from {unit}; "
            f"surface EMG lies between {_MIN_P99_V:g} and {_MAX_P99_V:g} V. Is the unit right?"
        )
    return rec


def _unit_of_column(raw: str) -> tuple[str, str | None]:
    """Base name and unit of a header cell: ``VL [uV]``, ``BF (mV)``, ``TA_uV``."""
    col = parse_column(raw)
    match = re.match(r"^(?P<base>.*?)\s*[\[(]\s*(?P<unit>[^\])]*?)\s*[\])]\s*$", raw.strip())
    if match:
        return match.group("base").strip(), match.group("unit").strip()
    tokens = col.tokens
    if len(tokens) > 1 and tokens[-1] in _TO_V:
        stem = re.sub(r"[\s_\-]*" + re.escape(tokens[-1]) + r"$", "", raw.strip(), flags=re.I)
        return stem, tokens[-1]
    return raw.strip(), None


def _is_time(raw: str) -> bool:
    tokens = parse_column(raw).tokens
    return bool(tokens) and tokens[0] in ("time", "t", "timestamp", "times")


def _read_text(raw: bytes, *, name: str, options: EmgReadOptions) -> EmgRecording:
    check_text(raw, name=name)
    table = parse_table(raw, name=name)
    time_idx = [i for i, c in enumerate(table.columns) if _is_time(c)]
    if len(time_idx) > 1:
        raise FileFormatError(f"{name}: several time columns ({len(time_idx)}); expected one")
    chan_idx = [i for i in range(len(table.columns)) if i not in time_idx]
    if not chan_idx:
        raise FileFormatError(f"{name}: no channel columns; expected a header of channel names")
    names: list[str] = []
    factors: list[float] = []
    units: set[str] = set()
    for i in chan_idx:
        base, unit = _unit_of_column(table.columns[i])
        if unit is None:
            if options.unit is None:
                raise UnitError(
                    f"{name}, column {table.columns[i]!r}: the unit is not in the header; tag it "
                    "(e.g. 'VL [uV]') or give --unit V|mV|uV"
                )
            unit = options.unit
        elif options.unit is not None and voltage_factor(unit, where=name) != voltage_factor(
            options.unit, where="unit"
        ):
            raise UnitError(
                f"{name}, column {table.columns[i]!r}: header says {unit!r} but --unit is "
                f"{options.unit!r}"
            )
        f = voltage_factor(unit, where=f"{name}, column {table.columns[i]!r}")
        names.append(base)
        factors.append(f)
        units.add(_CANONICAL[f])
    values = table.values
    bad = ~np.isfinite(values)
    if bad.any():
        row, col = (int(v) for v in np.argwhere(bad)[0])
        raise SignalQualityError(
            f"{name}, line {table.line(row)}, column {table.columns[col]!r}: empty or NaN cell; "
            "expected numbers in every row"
        )
    data = values[:, chan_idx] * np.asarray(factors)
    start = 0.0
    if time_idx:
        col = parse_column(table.columns[time_idx[0]])
        time_s = values[:, time_idx[0]] * time_factor(col, None, name=name)
        steps = check_monotonic(time_s, table=table)
        median = float(np.median(steps))
        if np.max(np.abs(steps - median)) > JITTER_RATIO * median:
            raise SignalQualityError(
                f"{name}: time steps vary by more than {JITTER_RATIO:.0%} of the median step "
                f"({median * 1e3:.4g} ms); EMG must be uniformly sampled"
            )
        rate = (time_s.size - 1) / float(time_s[-1] - time_s[0])
        nearest = round(rate)
        rate = float(nearest) if abs(rate - nearest) <= 1e-6 * rate else rate
        if options.sampling_rate_hz is not None and abs(rate - options.sampling_rate_hz) > (
            JITTER_RATIO * rate
        ):
            raise InvalidParameterError(
                f"{name}: --sampling-rate-hz is {options.sampling_rate_hz:g} but the time column "
                f"says {rate:.6g} Hz"
            )
        start = float(time_s[0])
    elif options.sampling_rate_hz is None:
        raise InvalidParameterError(
            f"{name}: no time column found; pass --sampling-rate-hz HZ (sampling_rate_hz=)"
        )
    else:
        rate = float(options.sampling_rate_hz)
    return _finish(
        data, names, rate=rate, name=name, unit="/".join(sorted(units)), options=options,
        start_time_s=start,
    )  # fmt: skip


def _read_edf(path: Path, *, name: str, bdf: bool, options: EmgReadOptions) -> EmgRecording:
    try:
        import edfio
    except ImportError:  # pragma: no cover - a core dependency
        raise FileFormatError(
            f"{name}: reading EDF/BDF needs edfio; reinstall reeducate (scripts/install.sh)"
        ) from None

    try:
        with contextlib.redirect_stderr(io.StringIO()):
            doc: Any = edfio.read_bdf(path) if bdf else edfio.read_edf(path)
    except Exception as exc:  # edfio raises ValueError/EdfError with header details
        raise FileFormatError(
            f"{name}: cannot be read as {'BDF' if bdf else 'EDF'} ({type(exc).__name__}: {exc})"
        ) from None
    signals = [s for s in doc.signals if s.label.strip() != "EDF Annotations"]
    if options.channels:
        wanted = {c.strip().lower() for c in options.channels}
        signals = [s for s in signals if s.label.strip().lower() in wanted]
    if not signals:
        raise FileFormatError(f"{name}: no signals to read")
    rates = {float(s.sampling_frequency) for s in signals}
    if len(rates) > 1:
        listed = ", ".join(f"{s.label.strip()} {s.sampling_frequency:g} Hz" for s in signals)
        raise FileFormatError(
            f"{name}: channels have different sampling rates ({listed}); choose channels of one "
            "rate with --channel"
        )
    factors = []
    units = set()
    for s in signals:
        dim = s.physical_dimension.strip()
        if not dim:
            if options.unit is None:
                raise UnitError(
                    f"{name}, signal {s.label.strip()!r}: no physical dimension; give --unit"
                )
            dim = options.unit
        f = voltage_factor(dim, where=f"{name}, signal {s.label.strip()!r}")
        factors.append(f)
        units.add(_CANONICAL[f])
    n = min(len(s.data) for s in signals)
    data = np.column_stack([np.asarray(s.data[:n], dtype=np.float64) for s in signals])
    return _finish(
        data * np.asarray(factors),
        [s.label.strip() for s in signals],
        rate=rates.pop(),
        name=name,
        unit="/".join(sorted(units)),
        options=EmgReadOptions(unit=options.unit),
    )


def _xdf_text(node: Any, key: str) -> str | None:
    try:
        value = node[key][0]
    except (KeyError, IndexError, TypeError):
        return None
    return str(value) if value is not None else None


def _read_xdf(path: Path, *, name: str, options: EmgReadOptions) -> EmgRecording:
    try:
        import pyxdf
    except ImportError:  # pragma: no cover - a core dependency
        raise FileFormatError(
            f"{name}: reading XDF needs pyxdf; reinstall reeducate (scripts/install.sh)"
        ) from None

    try:
        with contextlib.redirect_stderr(io.StringIO()):
            streams, _ = pyxdf.load_xdf(str(path))
    except Exception as exc:  # pyxdf raises plain Exceptions on malformed chunks
        raise FileFormatError(f"{name}: cannot be read as XDF ({type(exc).__name__})") from None
    described = [
        (s, _xdf_text(s["info"], "name") or "", _xdf_text(s["info"], "type") or "")
        for s in streams
    ]
    if options.stream is not None:
        chosen = [s for s, n, _ in described if n == options.stream]
        what = f"named {options.stream!r}"
    else:
        chosen = [s for s, _, t in described if t.strip().lower() == "emg"]
        what = "of type EMG"
    if len(chosen) != 1:
        listed = ", ".join(f"{n!r} ({t})" for _, n, t in described) or "none"
        raise FileFormatError(
            f"{name}: {len(chosen)} streams {what}; expected one. Streams: {listed} "
            "(choose one with --stream NAME)"
        )
    stream = chosen[0]
    info = stream["info"]
    nominal = float(_xdf_text(info, "nominal_srate") or 0.0)
    if not nominal > 0:
        raise FileFormatError(f"{name}: the EMG stream has an irregular rate (nominal_srate 0)")
    data = np.asarray(stream["time_series"], dtype=np.float64)
    stamps = np.asarray(stream["time_stamps"], dtype=np.float64)
    if data.ndim != 2 or data.shape[0] < 2:
        raise SignalQualityError(f"{name}: the EMG stream has fewer than 2 samples")
    effective = (stamps.size - 1) / float(stamps[-1] - stamps[0])
    if abs(effective - nominal) > JITTER_RATIO * nominal:
        raise SignalQualityError(
            f"{name}: time stamps give {effective:.6g} Hz but the stream's nominal rate is "
            f"{nominal:g} Hz (more than {JITTER_RATIO:.0%} apart: dropped samples?)"
        )
    labels: list[str] = []
    units: list[str | None] = []
    try:
        channels = info["desc"][0]["channels"][0]["channel"]
    except (KeyError, IndexError, TypeError):
        channels = []
    for i in range(data.shape[1]):
        ch = channels[i] if i < len(channels) else {}
        labels.append(_xdf_text(ch, "label") or f"ch{i + 1}")
        units.append(_xdf_text(ch, "unit"))
    factors = []
    seen = set()
    for label, unit in zip(labels, units, strict=True):
        u = unit if unit else options.unit
        if u is None:
            raise UnitError(f"{name}, channel {label!r}: the stream states no unit; give --unit")
        f = voltage_factor(u, where=f"{name}, channel {label!r}")
        factors.append(f)
        seen.add(_CANONICAL[f])
    return _finish(
        data * np.asarray(factors),
        labels,
        rate=nominal,
        name=name,
        unit="/".join(sorted(seen)),
        options=options,
        start_time_s=float(stamps[0]),
    )


def _read_c3d(path: Path, *, name: str, options: EmgReadOptions) -> EmgRecording:
    from reeducate.io.c3d import open_c3d

    c3d = open_c3d(path, name=name)
    params = c3d["parameters"]
    try:
        labels = [str(v).strip() for v in params["ANALOG"]["LABELS"]["value"]]
        rate = float(np.asarray(params["ANALOG"]["RATE"]["value"]).ravel()[0])
        units = [str(v).strip() for v in params["ANALOG"]["UNITS"]["value"]]
    except KeyError as exc:
        raise FileFormatError(f"{name}: C3D parameter ANALOG:{exc.args[0]} is missing") from None
    analogs = np.asarray(c3d["data"]["analogs"], dtype=np.float64)[0]
    if options.channels:
        idx = []
        for wanted in options.channels:
            hits = [i for i, lab in enumerate(labels) if lab.lower() == wanted.strip().lower()]
            if not hits:
                raise NotFoundError(
                    f"{name}: no analog channel named {wanted!r}; channels: {', '.join(labels)}"
                )
            idx.append(hits[0])
    else:
        idx = [i for i, lab in enumerate(labels) if "emg" in lab.lower()]
        if not idx:
            raise FileFormatError(
                f"{name}: no analog channel label contains 'EMG'; name the channels with "
                f"--channel. Channels: {', '.join(labels)}"
            )
    factors = []
    seen = set()
    for i in idx:
        u = units[i] if i < len(units) and units[i] else options.unit
        if u is None:
            raise UnitError(f"{name}, channel {labels[i]!r}: ANALOG:UNITS is empty; give --unit")
        f = voltage_factor(u, where=f"{name}, channel {labels[i]!r}")
        factors.append(f)
        seen.add(_CANONICAL[f])
    data = analogs[idx].T * np.asarray(factors)
    return _finish(
        data,
        [labels[i] for i in idx],
        rate=rate,
        name=name,
        unit="/".join(sorted(seen)),
        options=EmgReadOptions(unit=options.unit),
    )


def _sheet_array(ws: Any, *, name: str, sheet: str) -> NDArray[np.float64]:
    rows = list(ws.iter_rows(values_only=True))
    try:
        data = np.asarray(rows, dtype=np.float64)
    except (TypeError, ValueError):
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                if not isinstance(cell, int | float):
                    raise FileFormatError(
                        f"{name}, sheet {sheet}, row {r + 1}, column {c + 1}: expected a number; "
                        f"got {str(cell)[:20]!r}"
                    ) from None
        raise
    if data.ndim != 2 or data.shape[1] != len(EMG_ELDERLY_CHANNELS):
        raise FileFormatError(
            f"{name}, sheet {sheet}: expected {len(EMG_ELDERLY_CHANNELS)} columns "
            f"({', '.join(EMG_ELDERLY_CHANNELS)}); got shape {data.shape}"
        )
    return data


def _read_xlsx(path: Path, *, name: str, options: EmgReadOptions) -> EmgRecording:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a core dependency
        raise FileFormatError(
            f"{name}: reading xlsx needs openpyxl; reinstall reeducate (scripts/install.sh)"
        ) from None

    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises zipfile/KeyError/InvalidFileException
        raise FileFormatError(f"{name}: cannot be read as xlsx ({type(exc).__name__})") from None
    try:
        sheets = set(wb.sheetnames)
        expected = {f"EMG_{t}" for t in EMG_ELDERLY_TASKS}
        if not expected <= sheets:
            raise FileFormatError(
                f"{name}: sheets {sorted(sheets)}; the emg_elderly layout has "
                f"{', '.join(sorted(expected))} and DNM"
            )
        if options.task is None:
            raise InvalidParameterError(
                f"{name}: an emg_elderly workbook holds one recording per task; choose one with "
                f"--task {'|'.join(EMG_ELDERLY_TASKS)}"
            )
        if options.unit is None:
            raise UnitError(
                f"{name}: the emg_elderly sheets state no unit; the data set documents "
                "microvolts: pass --unit uV (unit='uV')"
            )
        sheet = f"EMG_{options.task.upper()}"
        data = _sheet_array(wb[sheet], name=name, sheet=sheet)
    finally:
        wb.close()
    f = voltage_factor(options.unit, where="unit")
    return _finish(
        data * f,
        list(EMG_ELDERLY_CHANNELS),
        rate=EMG_ELDERLY_RATE_HZ,
        name=f"{name} [{sheet}]",
        unit=_CANONICAL[f],
        options=options,
    )


def read_emg(path: str | Path, /, *, options: EmgReadOptions | None = None) -> EmgRecording:
    """Read any supported EMG file into volts, with the source unit recorded.

    Parameters
    ----------
    path : str or Path
    options : EmgReadOptions, optional

    Returns
    -------
    EmgRecording

    Raises
    ------
    NotFoundError
        The file or a named channel does not exist.
    FileFormatError, UnitError, SignalQualityError, InvalidParameterError
        Messages name the file, column or channel and what was expected.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "emg.csv"
    >>> _ = p.write_text("time[ms],VL [uV],BF [uV]\\n0,10,-5\\n0.5,12,-3\\n1.0,-8,4\\n")
    >>> rec = read_emg(p)
    >>> rec.sampling_rate_hz, rec.channel_names, rec.source_unit
    (2000.0, ('VL', 'BF'), 'uV')
    >>> round(float(rec.signals_v[0, 0]) * 1e6, 9)  # volts
    10.0
    """
    opts = options if options is not None else EmgReadOptions()
    p = Path(path)
    if not p.exists():
        raise NotFoundError(f"file {p.name!r} does not exist (looked in {p.parent.name or '.'!r})")
    if p.is_dir():
        raise FileFormatError(f"{p.name!r} is a directory; expected an EMG recording")
    suffix = p.suffix.lower()
    name = p.name
    if suffix in (".edf", ".bdf"):
        return _read_edf(p, name=name, bdf=suffix == ".bdf", options=opts)
    if suffix == ".xdf":
        return _read_xdf(p, name=name, options=opts)
    if suffix == ".c3d":
        return _read_c3d(p, name=name, options=opts)
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(p, name=name, options=opts)
    raw, shown = read_bytes(p)
    if raw[:4] == b"PK\x03\x04":
        return _read_xlsx(p, name=name, options=opts)
    return _read_text(raw, name=shown, options=opts)
