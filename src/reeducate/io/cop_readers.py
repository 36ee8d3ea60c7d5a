"""One entry point for every CoP source: :func:`read_cop` detects the format and dispatches.

Formats, in the order they are detected:

* C3D (``.c3d`` or the C3D parameter-block signature), one TYPE 2 force plate;
* OptiTrack Motive / AMTI export (``Format Version`` device header, ``MocapFrame`` table);
* Santos & Duarte (2016) trial (header ``Time[s] Fx[N] ... COPx[cm] COPy[cm]``);
* dos Santos et al. (2017) two-plate trial (``Time RGRF_X ... COPNET_Z ...``) -> DualPlateTrial;
* Wii Balance Board text (columns TL, TR, BR, BL and a time column);
* any other delimited text with CoP columns (see :mod:`reeducate.io.delimited`).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from reeducate.balance.forceplate import DualPlateTrial
from reeducate.balance.trial import CopTrial
from reeducate.io._text import check_text, read_bytes, sniff_delimiter, split_lines
from reeducate.io.c3d import read_c3d
from reeducate.io.delimited import read_delimited_cop
from reeducate.io.forceplates import (
    HBEDB_COLUMNS,
    PDS_COLUMNS,
    TrialInfo,
    is_amti_export,
    read_amti,
    read_hbedb,
    read_pds,
)
from reeducate.io.options import DelimitedOptions
from reeducate.io.wii import is_wbb_header, read_wbb

__all__ = ["detect_format", "read_cop"]


def _is_c3d(raw: bytes, path: Path) -> bool:
    # A C3D file starts with the parameter-block pointer and the key byte 0x50 ('P'); a text
    # header such as "AP;ML" starts the same way, so the parameter section must also carry the
    # C3D processor byte (84, 85 or 86 at offset 3 of the parameter block).
    if path.suffix.lower() == ".c3d":
        return True
    if len(raw) < 512 or raw[1] != 0x50 or raw[0] < 2:
        return False
    start = (raw[0] - 1) * 512
    return len(raw) > start + 3 and raw[start + 3] in (84, 85, 86)


def detect_format(raw: bytes, /, *, path: Path, name: str) -> str:
    """Name of the format of ``raw``: c3d, amti, hbedb, pds, wbb or delimited."""
    if _is_c3d(raw, path):
        return "c3d"
    check_text(raw, name=name)
    if is_amti_export(raw):
        return "amti"
    header = split_lines(raw, count=1)[0]
    sep = sniff_delimiter(header, name=name)
    columns = tuple(c.strip() for c in header.split(sep))
    if columns == HBEDB_COLUMNS:
        return "hbedb"
    if columns[: len(PDS_COLUMNS)] == PDS_COLUMNS:
        return "pds"
    if is_wbb_header(columns):
        return "wbb"
    return "delimited"


def read_cop(
    path: str | Path,
    /,
    *,
    options: DelimitedOptions | None = None,
    metadata: Mapping[str, TrialInfo] | None = None,
) -> CopTrial | DualPlateTrial:
    """Read any supported CoP file, converted to SI, with the source unit recorded.

    Parameters
    ----------
    path : str or Path
        The file (``.gz`` allowed for text formats).
    options : DelimitedOptions, optional
        What the file does not say (columns, units, rates) and the step-off policy.
    metadata : Mapping[str, TrialInfo], optional
        From :func:`reeducate.io.read_trial_metadata`: fills ``condition`` of data-set trials
        by file stem.

    Returns
    -------
    CopTrial or DualPlateTrial
        A two-plate file gives a :class:`~reeducate.balance.forceplate.DualPlateTrial`.

    Raises
    ------
    NotFoundError
        The file does not exist.
    FileFormatError, UnitError, SignalQualityError, InvalidParameterError
        Messages name the file, line and column and what was expected.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "trial.csv"
    >>> _ = p.write_text("t[s],cop_ap_cm,cop_ml_cm\\n0,1,2\\n0.01,1.5,2\\n0.02,2,2\\n")
    >>> trial = read_cop(p)
    >>> trial.sampling_rate_hz, trial.source_unit, trial.source_name
    (100.0, 'cm', 'trial.csv')
    """
    opts = options if options is not None else DelimitedOptions()
    p = Path(path)
    raw, name = read_bytes(p)
    kind = detect_format(raw, path=p, name=name)
    if kind == "c3d":
        return read_c3d(p, name=name, options=opts)
    if kind == "amti":
        return read_amti(raw, name=name, options=opts)
    if kind == "hbedb":
        return read_hbedb(raw, name=name, options=opts, metadata=metadata)
    if kind == "pds":
        return read_pds(raw, name=name, options=opts, metadata=metadata)
    if kind == "wbb":
        return read_wbb(raw, name=name, options=opts)
    return read_delimited_cop(p, options=opts, raw=raw, name=name)
