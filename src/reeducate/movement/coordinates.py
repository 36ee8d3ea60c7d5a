"""Named generalized coordinates over time (joint angles in degrees, translations in metres).

What an OpenSim ``.mot`` motion file holds (OpenCap's output), read by
:func:`reeducate.io.opensim.read_mot`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from reeducate.errors import InvalidParameterError, NotFoundError
from reeducate.signals.checks import check_sampling_rate

CoordinateUnit = Literal["deg", "m"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CoordinateSeries:
    """Generalized coordinates sampled over time.

    Parameters
    ----------
    values : ndarray, shape (n_frames, n_coordinates)
        Values in the unit of each column (read-only float64 copy).
    names : tuple of str
        Column names as in the source (e.g. OpenSim ``knee_angle_r``), unique.
    units : tuple of {"deg", "m"}
        Unit of each column: rotations in degrees, translations in metres.
    frame_rate_hz : float
        Uniform frame rate in Hz.
    start_time_s : float
        Time of the first frame.
    source_name : str
        File name or short description.

    Example
    -------
    >>> import numpy as np
    >>> c = CoordinateSeries(values=np.zeros((3, 1)), names=("knee_angle_r",), units=("deg",),
    ...                      frame_rate_hz=100.0)
    >>> c.column("knee_angle_r").shape
    (3,)
    """

    values: NDArray[np.float64]
    names: tuple[str, ...]
    units: tuple[CoordinateUnit, ...]
    frame_rate_hz: float
    start_time_s: float = 0.0
    source_name: str = ""

    def __post_init__(self) -> None:
        v = np.array(self.values, dtype=np.float64, copy=True)
        if v.ndim != 2:
            raise InvalidParameterError(
                f"values must have shape (n_frames, n_coordinates); got {v.shape}"
            )
        names = tuple(self.names)
        units = tuple(self.units)
        if len(names) != v.shape[1] or len(units) != v.shape[1]:
            raise InvalidParameterError(
                f"names and units must have {v.shape[1]} entries; got {len(names)} and {len(units)}"
            )
        if len(set(names)) != len(names):
            raise InvalidParameterError(f"names must be unique; got {names}")
        bad = [u for u in units if u not in ("deg", "m")]
        if bad:
            raise InvalidParameterError(f"units must be 'deg' or 'm'; got {bad}")
        check_sampling_rate(self.frame_rate_hz, name="frame_rate_hz")
        v.setflags(write=False)
        object.__setattr__(self, "values", v)
        object.__setattr__(self, "names", names)
        object.__setattr__(self, "units", units)
        object.__setattr__(self, "frame_rate_hz", float(self.frame_rate_hz))

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return int(self.values.shape[0])

    @property
    def times_s(self) -> NDArray[np.float64]:
        """Frame times in seconds."""
        return self.start_time_s + np.arange(self.n_frames) / self.frame_rate_hz

    def has(self, name: str) -> bool:
        """Whether a column ``name`` exists."""
        return name in self.names

    def column(self, name: str) -> NDArray[np.float64]:
        """Values of column ``name``, shape (n_frames,)."""
        try:
            i = self.names.index(name)
        except ValueError:
            raise NotFoundError(
                f"column {name!r} is not in {self.source_name or 'the coordinates'}; "
                f"it has {list(self.names)}"
            ) from None
        return self.values[:, i]
