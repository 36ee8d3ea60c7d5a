"""The centre-of-pressure trial: what every reader produces and every metric consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
from numpy.typing import NDArray

from reeducate.errors import InvalidParameterError, SignalQualityError


class Vision(StrEnum):
    """Visual condition of a standing trial."""

    OPEN = "open"
    CLOSED = "closed"


class Surface(StrEnum):
    """Support surface of a standing trial."""

    FIRM = "firm"
    FOAM = "foam"


class Stance(StrEnum):
    """Base of support of a standing trial."""

    BIPEDAL = "bipedal"
    SEMI_TANDEM = "semi_tandem"
    TANDEM = "tandem"
    SINGLE_LEG_LEFT = "single_leg_left"
    SINGLE_LEG_RIGHT = "single_leg_right"


@dataclass(frozen=True, slots=True, kw_only=True)
class TrialCondition:
    """The sensory and stance condition a trial was recorded under (all fields optional)."""

    vision: Vision | None = None
    surface: Surface | None = None
    stance: Stance = Stance.BIPEDAL

    @property
    def label(self) -> str:
        """Short label such as ``"firm/eyes open"``; ``"unspecified"`` when nothing is known."""
        parts = []
        if self.surface is not None:
            parts.append(self.surface.value)
        if self.vision is not None:
            parts.append(f"eyes {self.vision.value}")
        if self.stance is not Stance.BIPEDAL:
            parts.append(self.stance.value.replace("_", " "))
        return "/".join(parts) if parts else "unspecified"


@dataclass(frozen=True, slots=True, kw_only=True)
class CopTrial:
    """A uniformly sampled centre-of-pressure trajectory in SI units.

    Parameters
    ----------
    ap_m, ml_m : ndarray, shape (n_samples,)
        Anterior-posterior and medio-lateral CoP in metres, in the plate or board frame
        (mean not removed).
    sampling_rate_hz : float
        Uniform sampling rate in Hz.
    source_unit : str
        Unit the CoP (or forces and moments) had in the source, e.g. ``"cm"`` or ``"N, N·m"``.
    source_name : str
        File name (never a path with patient data) or a short description of the source.
    start_time_s : float
        Time of the first sample in the source's clock.
    vertical_force_n : ndarray, shape (n_samples,), optional
        Vertical force, when the source has it.
    condition : TrialCondition
        Vision, surface and stance, when known.
    """

    ap_m: NDArray[np.float64]
    ml_m: NDArray[np.float64]
    sampling_rate_hz: float
    source_unit: str
    source_name: str
    start_time_s: float = 0.0
    vertical_force_n: NDArray[np.float64] | None = None
    condition: TrialCondition = field(default_factory=TrialCondition)

    def __post_init__(self) -> None:
        if not np.isfinite(self.sampling_rate_hz) or self.sampling_rate_hz <= 0:
            raise InvalidParameterError(
                f"sampling_rate_hz must be a finite number > 0; got {self.sampling_rate_hz!r}"
            )
        ap = np.asarray(self.ap_m)
        ml = np.asarray(self.ml_m)
        if ap.ndim != 1 or ml.shape != ap.shape:
            raise InvalidParameterError(
                f"ap_m and ml_m must be 1-D arrays of equal length; got shapes {ap.shape} "
                f"and {ml.shape} ({self.source_name})"
            )
        bad = ~(np.isfinite(ap) & np.isfinite(ml))
        if bad.any():
            first = int(np.argmax(bad))
            last = int(len(bad) - 1 - np.argmax(bad[::-1]))
            raise SignalQualityError(
                f"{self.source_name}: CoP has {int(bad.sum())} non-finite samples between "
                f"t = {self.start_time_s + first / self.sampling_rate_hz:.3f} s and "
                f"t = {self.start_time_s + last / self.sampling_rate_hz:.3f} s"
            )
        # Store read-only float64 copies so nobody mutates a trial in place.
        for name, arr in (("ap_m", ap), ("ml_m", ml)):
            frozen = np.array(arr, dtype=np.float64, copy=True)
            frozen.setflags(write=False)
            object.__setattr__(self, name, frozen)
        if self.vertical_force_n is not None:
            fz = np.array(self.vertical_force_n, dtype=np.float64, copy=True)
            if fz.shape != ap.shape:
                raise InvalidParameterError(
                    f"vertical_force_n must have shape {ap.shape}; got {fz.shape}"
                )
            fz.setflags(write=False)
            object.__setattr__(self, "vertical_force_n", fz)

    @property
    def n_samples(self) -> int:
        """Number of samples."""
        return int(self.ap_m.shape[0])

    @property
    def duration_s(self) -> float:
        """Duration as ``n_samples / sampling_rate_hz`` (the Santos & Duarte convention)."""
        return self.n_samples / self.sampling_rate_hz

    @property
    def time_s(self) -> NDArray[np.float64]:
        """Sample times in seconds, starting at ``start_time_s``."""
        return self.start_time_s + np.arange(self.n_samples) / self.sampling_rate_hz
