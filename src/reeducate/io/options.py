"""Options of the CoP readers (the CLI maps its flags onto :class:`DelimitedOptions`)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from reeducate.balance.trial import TrialCondition
from reeducate.errors import InvalidParameterError
from reeducate.units import normalize_length_unit

__all__ = ["DelimitedOptions"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DelimitedOptions:
    """What the user tells a reader that the file itself does not say.

    Every field is optional; a reader refuses (with a message naming the option) when the file
    needs a field that is missing, and when a field contradicts the file.

    Attributes
    ----------
    time_col, ap_col, ml_col : str, optional
        Column names (case-insensitive; a unit tag such as ``[cm]`` may be left out).
        CLI: ``--time-col``, ``--ap-col``, ``--ml-col``.
    cop_unit : {"m", "cm", "mm"}, optional
        Unit of the CoP columns when the header does not tag it (``--cop-unit``). A header tag
        that contradicts it is refused.
    time_unit : {"s", "ms"}, optional
        Unit of the time column when the header does not tag it.
    load_unit : {"kg", "N"}, optional
        Unit of balance-board load cells when the header does not tag it.
    sampling_rate_hz : float, optional
        Sampling rate for files without a time column (``--sampling-rate-hz``).
    resample_hz : float, optional
        Resample non-uniformly timed data to this rate with SWARII (asked for explicitly;
        balance boards are always resampled, by default to their median rate rounded).
    min_duration_s : float, optional
        Refuse trials shorter than this (after trimming a step-off).
    on_step_off : {"trim", "error"}
        A person stepping on or off at the start or end of a force-plate or board recording:
        trim to the longest stance span with a warning (default) or refuse. A step-off in the
        middle of a trial is always refused.
    plate_origin_depth_m : float, optional
        Depth of the force plate's moment origin below its surface, overriding the file.
    plate_index : int, optional
        Which force plate of a C3D file to read (0-based) when it has several.
    condition : TrialCondition, optional
        Vision, surface and stance to record with the trial.
    """

    time_col: str | None = None
    ap_col: str | None = None
    ml_col: str | None = None
    cop_unit: Literal["m", "cm", "mm"] | None = None
    time_unit: Literal["s", "ms"] | None = None
    load_unit: Literal["kg", "N"] | None = None
    sampling_rate_hz: float | None = None
    resample_hz: float | None = None
    min_duration_s: float | None = None
    on_step_off: Literal["trim", "error"] = "trim"
    plate_origin_depth_m: float | None = None
    plate_index: int | None = None
    condition: TrialCondition | None = None

    def __post_init__(self) -> None:
        if self.cop_unit is not None:
            object.__setattr__(
                self, "cop_unit", normalize_length_unit(self.cop_unit, field="cop_unit")
            )
        if self.time_unit is not None and self.time_unit not in ("s", "ms"):
            raise InvalidParameterError(f"time_unit must be 's' or 'ms'; got {self.time_unit!r}")
        if self.load_unit is not None and self.load_unit not in ("kg", "N"):
            raise InvalidParameterError(f"load_unit must be 'kg' or 'N'; got {self.load_unit!r}")
        if self.on_step_off not in ("trim", "error"):
            raise InvalidParameterError(
                f"on_step_off must be 'trim' or 'error'; got {self.on_step_off!r}"
            )
        for name in ("sampling_rate_hz", "resample_hz", "min_duration_s"):
            value = getattr(self, name)
            if value is not None and not (math.isfinite(value) and value > 0):
                raise InvalidParameterError(f"{name} must be a finite number > 0; got {value!r}")
        depth = self.plate_origin_depth_m
        if depth is not None and not math.isfinite(depth):
            raise InvalidParameterError(f"plate_origin_depth_m must be finite; got {depth!r}")
        if self.plate_index is not None and self.plate_index < 0:
            raise InvalidParameterError(f"plate_index must be >= 0; got {self.plate_index!r}")
