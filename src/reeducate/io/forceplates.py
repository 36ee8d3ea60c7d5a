"""Force-plate exports: the Santos & Duarte data set (HBEDB), AMTI via OptiTrack Motive, and
the dos Santos et al. two-plate data set (PDS); plus their metadata tables."""

from __future__ import annotations

import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from reeducate.balance.forceplate import (
    DualPlateTrial,
    cop_from_forces_moments,
    net_cop_from_plates,
    stance_slice,
)
from reeducate.balance.trial import CopTrial, Surface, TrialCondition, Vision
from reeducate.errors import FileFormatError, UnitError
from reeducate.io._text import Table, check_finite, parse_table, read_bytes, split_lines
from reeducate.io.delimited import check_gaps, check_min_duration, check_monotonic, uniform_rate_hz
from reeducate.io.options import DelimitedOptions

__all__ = [
    "AMTI_COLUMNS",
    "HBEDB_COLUMNS",
    "PDS_COLUMNS",
    "TrialInfo",
    "is_amti_export",
    "read_amti",
    "read_hbedb",
    "read_pds",
    "read_trial_metadata",
]

#: Header of a Santos & Duarte (2016) trial file.
HBEDB_COLUMNS = (
    "Time[s]",
    "Fx[N]",
    "Fy[N]",
    "Fz[N]",
    "Mx[Nm]",
    "My[Nm]",
    "Mz[Nm]",
    "COPx[cm]",
    "COPy[cm]",
)
#: Header of a dos Santos et al. (2017) ``PDS*grf.txt`` file.
PDS_COLUMNS = (
    "Time",
    "RGRF_X",
    "RGRF_Y",
    "RGRF_Z",
    "LGRF_X",
    "LGRF_Y",
    "LGRF_Z",
    "GRFNET_X",
    "GRFNET_Y",
    "GRFNET_Z",
    "RCOP_X",
    "RCOP_Y",
    "RCOP_Z",
    "LCOP_X",
    "LCOP_Y",
    "LCOP_Z",
    "COPNET_X",
    "COPNET_Y",
    "COPNET_Z",
    "RFREEMOMENT_Y",
    "LFREEMOMENT_Y",
)
#: Table header of an OptiTrack Motive force-plate export.
AMTI_COLUMNS = ("MocapFrame", "MocapTime", "DeviceFrame", "Fx", "Fy", "Fz", "Mx", "My", "Mz")

#: Largest disagreement (m) tolerated between recorded CoP and the CoP from forces and moments;
#: the files print 6 decimals, so honest files agree to about 1e-8 m.
_COP_AGREEMENT_M = 1e-5


def _uniform_time(table: Table, time_s: NDArray[np.float64], *, name: str) -> float:
    steps = check_monotonic(time_s, table=table)
    check_gaps(time_s, steps, table=table, ratio=1.5)
    rate = uniform_rate_hz(time_s, steps)
    if rate is None:
        raise FileFormatError(
            f"{name}: time steps are not uniform; expected a constant sampling rate in this format"
        )
    return rate


def _condition(
    options: DelimitedOptions, metadata: Mapping[str, TrialInfo] | None, name: str
) -> TrialCondition:
    if options.condition is not None:
        return options.condition
    if metadata is not None:
        stem = Path(name).stem
        # PDS files are named <trial>grf.txt; the metadata names the trial.
        for key in (stem, stem.removesuffix("grf")):
            info = metadata.get(key)
            if info is not None:
                return info.condition
    return TrialCondition()


def read_hbedb(
    raw: bytes,
    /,
    *,
    name: str,
    options: DelimitedOptions,
    metadata: Mapping[str, TrialInfo] | None = None,
) -> CopTrial:
    """A Santos & Duarte (2016) trial: recorded ``COPx`` (AP) and ``COPy`` (ML) in cm.

    The recorded CoP is used so that the published metrics reproduce exactly; it is checked
    against ``-My/Fz`` and ``Mx/Fz`` (agreement to 1e-5 m, the files agree to about 6e-9 m).
    """
    if options.cop_unit is not None and options.cop_unit != "cm":
        raise UnitError(f"{name}: header says COP in 'cm' but --cop-unit is {options.cop_unit!r}")
    # Only the columns used: time, Fz, Mx, My (to check the recorded CoP) and COPx, COPy.
    used = (0, 3, 4, 5, 7, 8)
    table = parse_table(raw, name=name, sep="\t", usecols=used)
    v = table.values
    check_finite(table, columns={HBEDB_COLUMNS[c]: i for i, c in enumerate(used)}, time_s=v[:, 0])
    rate = _uniform_time(table, v[:, 0], name=name)
    keep = stance_slice(
        v[:, 1],
        sampling_rate_hz=rate,
        on_step_off=options.on_step_off,
        start_time_s=float(v[0, 0]),
        source_name=name,
    )
    v = v[keep]
    fz, mx, my = v[:, 1], v[:, 2], v[:, 3]
    ap_m = v[:, 4] * 1e-2
    ml_m = v[:, 5] * 1e-2
    # The data set's convention (its README): COPx = -My/Fz, COPy = Mx/Fz, moments about the
    # plate surface (no thickness term).
    worst = max(float(np.max(np.abs(-my / fz - ap_m))), float(np.max(np.abs(mx / fz - ml_m))))
    if not worst <= _COP_AGREEMENT_M:
        raise FileFormatError(
            f"{name}: COPx/COPy disagree with -My/Fz and Mx/Fz by up to {worst * 1e3:.3g} mm; "
            "expected the Santos & Duarte convention (agreement to 0.01 mm)"
        )
    trial = CopTrial(
        ap_m=ap_m,
        ml_m=ml_m,
        sampling_rate_hz=rate,
        source_unit="cm",
        source_name=name,
        start_time_s=float(v[0, 0]),
        vertical_force_n=fz,
        condition=_condition(options, metadata, name),
    )
    return check_min_duration(trial, options.min_duration_s)


def read_pds(
    raw: bytes,
    /,
    *,
    name: str,
    options: DelimitedOptions,
    metadata: Mapping[str, TrialInfo] | None = None,
) -> DualPlateTrial:
    """A dos Santos et al. (2017) two-plate trial (N and m; Y vertical, X = AP, Z = ML).

    The net CoP is the recorded ``COPNET_X`` (AP) / ``COPNET_Z`` (ML) so the published metrics
    reproduce; per-foot CoP from ``RCOP_*``/``LCOP_*``, per-foot vertical force ``*GRF_Y``.
    """
    if options.cop_unit is not None and options.cop_unit != "m":
        raise UnitError(
            f"{name}: this format stores CoP in 'm' but --cop-unit is {options.cop_unit!r}"
        )
    table = parse_table(raw, name=name, sep="\t")
    col = {c: i for i, c in enumerate(table.columns)}
    v = table.values
    check_finite(table, columns=col, time_s=v[:, col["Time"]])
    rate = _uniform_time(table, v[:, col["Time"]], name=name)
    keep = stance_slice(
        v[:, col["GRFNET_Y"]],
        sampling_rate_hz=rate,
        on_step_off=options.on_step_off,
        start_time_s=float(v[0, col["Time"]]),
        source_name=name,
    )
    v = v[keep]
    net = CopTrial(
        ap_m=v[:, col["COPNET_X"]],
        ml_m=v[:, col["COPNET_Z"]],
        sampling_rate_hz=rate,
        source_unit="m",
        source_name=name,
        start_time_s=float(v[0, col["Time"]]),
        vertical_force_n=v[:, col["GRFNET_Y"]],
        condition=_condition(options, metadata, name),
    )
    check_min_duration(net, options.min_duration_s)
    return DualPlateTrial(
        net=net,
        left_ap_m=v[:, col["LCOP_X"]],
        left_ml_m=v[:, col["LCOP_Z"]],
        right_ap_m=v[:, col["RCOP_X"]],
        right_ml_m=v[:, col["RCOP_Z"]],
        left_vertical_force_n=v[:, col["LGRF_Y"]],
        right_vertical_force_n=v[:, col["RGRF_Y"]],
    )


def merged_net_cop(trial: DualPlateTrial, /) -> NDArray[np.float64]:
    """Our own merge of the two plates, ``(F_L·CoP_L + F_R·CoP_R)/(F_L + F_R)``, shape (n, 2)."""
    return net_cop_from_plates(
        np.column_stack((trial.left_ap_m, trial.left_ml_m)),
        trial.left_vertical_force_n,
        np.column_stack((trial.right_ap_m, trial.right_ml_m)),
        trial.right_vertical_force_n,
    )


def is_amti_export(raw: bytes, /) -> bool:
    """True for an OptiTrack Motive force-plate export (``Format Version`` ... ``MocapFrame``)."""
    lines = split_lines(raw, count=60)
    return (
        bool(lines)
        and lines[0].startswith("Format Version")
        and any(line.replace(" ", "").startswith("MocapFrame,") for line in lines)
    )


def read_amti(raw: bytes, /, *, name: str, options: DelimitedOptions) -> CopTrial:
    """An AMTI plate recorded through OptiTrack Motive (device header, then a frame table).

    Units. The export has no unit fields. Motive writes force-plate data in N, N·m and m (its
    documented export convention); this reader accepts that only after three checks on the
    file itself, and refuses otherwise instead of guessing:

    1. the exported ``Cx``/``Cy`` equal ``-My/Fz`` and ``Mx/Fz`` to 1e-5 (moments are in
       force unit × CoP unit);
    2. the median vertical force is that of a standing adult in newtons (200-2000 N; in lbf
       or kgf it would read 45-450 or 20-200);
    3. the CoP stays within ±0.5 m, the size of a plate (in mm or inches it would not).

    The frame rate is the header's ``Export Frame Rate``, checked against ``MocapTime``; the
    plate axes are used as they are (x = AP, y = ML; the Motive "Local" coordinate space).
    Samples with the plate unloaded at the start or end (the person stepping on or off; this
    file also has two dropped frames at the start) are trimmed with a warning.
    """
    lines = split_lines(raw, count=80)
    header: dict[str, str] = {}
    table_line = None
    for i, line in enumerate(lines):
        if line.replace(" ", "").startswith("MocapFrame,"):
            table_line = i
            break
        key, _, value = line.partition(",")
        if key.strip():
            header[key.strip()] = value.strip().rstrip(",").strip()
    if table_line is None:
        raise FileFormatError(f"{name}: no 'MocapFrame, MocapTime, ...' table header found")
    rate_text = header.get("Export Frame Rate") or header.get("Capture Frame Rate")
    try:
        rate = float(rate_text) if rate_text is not None else float("nan")
    except ValueError:
        rate = float("nan")
    if not (np.isfinite(rate) and rate > 0):
        raise FileFormatError(
            f"{name}: header field 'Export Frame Rate' must be a number > 0; got {rate_text!r}"
        )
    table = parse_table(raw, name=name, header_line=table_line, sep=",")
    col = {c: i for i, c in enumerate(table.columns)}
    missing = [c for c in (*AMTI_COLUMNS, "Cx", "Cy") if c not in col]
    if missing:
        raise FileFormatError(f"{name}, line {table_line + 1}: missing column(s) {missing}")
    v = table.values
    check_finite(table, columns={c: col[c] for c in AMTI_COLUMNS}, time_s=v[:, col["MocapTime"]])
    time_s = v[:, col["MocapTime"]]
    steps = check_monotonic(time_s, table=table)
    if np.max(np.abs(steps * rate - 1.0)) > 0.01:
        raise FileFormatError(
            f"{name}: MocapTime steps do not match the header's frame rate of {rate:g} Hz"
        )
    depth = options.plate_origin_depth_m
    if depth is None:
        offset_text = header.get("Offset_Z", "0")
        try:
            offset = float(offset_text)
        except ValueError:
            offset = float("nan")
        if offset != 0.0:
            raise UnitError(
                f"{name}: header Offset_Z is {offset_text!r} with no unit; give the plate's "
                "origin depth in metres with plate_origin_depth_m"
            )
        depth = 0.0
    fz = v[:, col["Fz"]]
    keep = stance_slice(
        fz,
        sampling_rate_hz=rate,
        on_step_off=options.on_step_off,
        start_time_s=float(time_s[0]),
        source_name=name,
    )
    v = v[keep]
    force = v[:, [col["Fx"], col["Fy"], col["Fz"]]]
    moment = v[:, [col["Mx"], col["My"], col["Mz"]]]
    ap, ml = cop_from_forces_moments(force, moment, origin_depth_m=depth)
    median_fz = float(np.median(force[:, 2]))
    if not 200.0 <= median_fz <= 2000.0:
        raise UnitError(
            f"{name}: median Fz is {median_fz:.4g}; expected 200-2000 N for a standing person, so "
            "the force unit cannot be established. Export forces in N, moments in N·m"
        )
    if depth == 0.0:
        recorded = v[:, [col["Cx"], col["Cy"]]]
        worst = float(np.max(np.abs(np.column_stack((ap, ml)) - recorded)))
        if not worst <= _COP_AGREEMENT_M:
            raise UnitError(
                f"{name}: exported Cx/Cy disagree with -My/Fz, Mx/Fz by up to {worst:.3g}; the "
                "moment and CoP units cannot be established. Export forces in N, moments in N·m"
            )
    extent = float(max(np.max(np.abs(ap)), np.max(np.abs(ml))))
    if extent > 0.5:
        raise UnitError(
            f"{name}: CoP reaches {extent:.3g} from the plate origin; expected < 0.5 m, so the "
            "moment unit is not N·m"
        )
    trial = CopTrial(
        ap_m=ap,
        ml_m=ml,
        sampling_rate_hz=rate,
        source_unit="N, N·m",
        source_name=name,
        start_time_s=float(v[0, col["MocapTime"]]),
        vertical_force_n=force[:, 2],
        condition=options.condition if options.condition is not None else TrialCondition(),
    )
    return check_min_duration(trial, options.min_duration_s)


@dataclass(frozen=True, slots=True, kw_only=True)
class TrialInfo:
    """One row of a ``BDSinfoCOP`` / ``PDSinfoCOP`` metadata table.

    Attributes
    ----------
    trial_id : str
        File stem, e.g. ``"BDS00001"``.
    condition : TrialCondition
        Vision and surface (``Rigid`` is read as firm).
    age_group : str or None
        ``"Young"`` or ``"Old"`` as in the data set.
    published_metrics : Mapping[str, float]
        The data set's ``COParea``, ``COPvelo``, ``COPmfreq`` converted to SI:
        ``ellipse_area_95_m2``, ``mean_velocity_m_s``, ``mean_power_frequency_hz``.
    """

    trial_id: str
    condition: TrialCondition
    age_group: str | None = None
    published_metrics: Mapping[str, float] = field(default_factory=dict)


_VISION = {"open": Vision.OPEN, "closed": Vision.CLOSED}
_SURFACE = {"firm": Surface.FIRM, "rigid": Surface.FIRM, "foam": Surface.FOAM}


def read_trial_metadata(path: str | Path, /) -> dict[str, TrialInfo]:
    """Read a Santos & Duarte ``BDSinfoCOP`` or dos Santos ``PDSinfoCOP`` table (tab-separated).

    Returns
    -------
    dict
        Trial id (file stem) -> :class:`TrialInfo`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "info.tsv"
    >>> _ = p.write_text("Trial\\tVision\\tSurface\\tAgeGroup\\tCOParea\\n"
    ...                  "BDS00001\\tOpen\\tFirm\\tYoung\\t0.5\\n")
    >>> info = read_trial_metadata(p)["BDS00001"]
    >>> info.condition.label, info.age_group, info.published_metrics
    ('firm/eyes open', 'Young', {'ellipse_area_95_m2': 5e-05})
    """
    raw, name = read_bytes(path)
    try:
        frame = pd.read_csv(io.BytesIO(raw), sep="\t", dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, ValueError) as exc:
        raise FileFormatError(
            f"{name}: cannot be parsed as a tab-separated table ({exc})"
        ) from None
    for needed in ("Trial", "Vision", "Surface"):
        if needed not in frame.columns:
            raise FileFormatError(f"{name}: missing column {needed!r}")
    scale = {"COParea": ("ellipse_area_95_m2", 1e-4), "COPvelo": ("mean_velocity_m_s", 1e-2),
             "COPmfreq": ("mean_power_frequency_hz", 1.0)}  # fmt: skip
    out: dict[str, TrialInfo] = {}
    for row_index, row in enumerate(frame.to_dict("records")):
        line = row_index + 2
        vision = _VISION.get(row["Vision"].strip().lower())
        surface = _SURFACE.get(row["Surface"].strip().lower())
        if vision is None or surface is None:
            raise FileFormatError(
                f"{name}, line {line}: Vision must be Open/Closed and Surface Firm/Rigid/Foam; "
                f"got {row['Vision']!r}, {row['Surface']!r}"
            )
        published: dict[str, float] = {}
        for column, (si_name, factor) in scale.items():
            text = row.get(column, "").strip()
            if text:
                try:
                    published[si_name] = float(text) * factor
                except ValueError:
                    raise FileFormatError(
                        f"{name}, line {line}, column {column!r}: expected a number; "
                        f"got {text[:20]!r}"
                    ) from None
        trial_id = row["Trial"].strip()
        out[trial_id] = TrialInfo(
            trial_id=trial_id,
            condition=TrialCondition(vision=vision, surface=surface),
            age_group=row.get("AgeGroup", "").strip() or None,
            published_metrics=published,
        )
    return out
