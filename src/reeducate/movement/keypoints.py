"""The keypoint series: what every keypoint reader and the pose layer produce.

A :class:`KeypointSeries` holds the 2-D or 3-D positions of named body points over time, one
person per series, with a per-point confidence. Every analysis in :mod:`reeducate.movement`
consumes it; readers in :mod:`reeducate.io.keypoints` and :mod:`reeducate.io.opensim`, and the
video layer :mod:`reeducate.movement.pose`, produce it.

Coordinate conventions
----------------------
* ``unit="px"``: image coordinates, x to the right and **y pointing down** (as every pose model
  and image library returns them). Angle functions flip y themselves; never flip it yourself.
* ``unit="m"`` / ``"mm"``: a laboratory or world frame. For 3-D data the frame is the
  source's (OpenSim/TRC: y up; MediaPipe world landmarks: y down, origin at the hips); the
  reader states which axis is vertical in :attr:`KeypointSeries.vertical_axis`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from reeducate.errors import InvalidParameterError, NotFoundError
from reeducate.signals.checks import check_sampling_rate

KeypointUnit = Literal["px", "m", "mm"]
_UNITS: tuple[str, ...] = ("px", "m", "mm")


@dataclass(frozen=True, slots=True, kw_only=True)
class KeypointSeries:
    """Positions of named keypoints of one person over time.

    Parameters
    ----------
    positions : ndarray, shape (n_frames, n_keypoints, 2 or 3)
        Coordinates in ``unit``; NaN where a keypoint is missing. Stored as a read-only float64
        copy.
    confidence : ndarray, shape (n_frames, n_keypoints)
        Detection confidence in [0, 1]; 0 where a keypoint is missing (NaN position). Sources
        without a confidence (markers, joint files) use 1 where the position is finite.
    keypoint_names : tuple of str
        Canonical ``snake_case`` names (see :mod:`reeducate.movement.skeletons`), unique.
    frame_rate_hz : float
        Nominal frame rate in Hz (> 0). When frames are not evenly spaced, ``time_s`` gives
        the true times and ``frame_rate_hz`` their median rate.
    unit : {"px", "m", "mm"}
        Unit of ``positions``. ``"px"`` means image coordinates with y pointing down.
    skeleton : str
        ``"mediapipe33"``, ``"body25"``, ``"body25b"``, ``"coco17"`` or ``"markers"``.
    time_s : ndarray, shape (n_frames,), optional
        Frame times in seconds, strictly increasing, when frames are not evenly spaced.
    vertical_axis : int, optional
        For metric 3-D data, the index (0, 1 or 2) of the vertical axis, and
        ``vertical_sign`` (+1 up, -1 down) says which way is up. Image data (``"px"``) is
        always ``vertical_axis=1, vertical_sign=-1``.
    vertical_sign : int
        +1 when the vertical axis points up, -1 when it points down.
    source_name : str
        File name or short description (never a path with patient data).

    Example
    -------
    >>> import numpy as np
    >>> pos = np.zeros((4, 2, 2)); pos[:, 1, 1] = 10.0
    >>> s = KeypointSeries(positions=pos, confidence=np.ones((4, 2)),
    ...                    keypoint_names=("left_hip", "left_knee"), frame_rate_hz=30.0,
    ...                    unit="px", skeleton="markers")
    >>> s.n_frames, s.n_dims, s.index("left_knee")
    (4, 2, 1)
    >>> s.point("left_knee")[0].tolist()
    [0.0, 10.0]
    """

    positions: NDArray[np.float64]
    confidence: NDArray[np.float64]
    keypoint_names: tuple[str, ...]
    frame_rate_hz: float
    unit: KeypointUnit
    skeleton: str
    time_s: NDArray[np.float64] | None = None
    vertical_axis: int | None = None
    vertical_sign: int = 1
    source_name: str = ""

    def __post_init__(self) -> None:
        pos = np.array(self.positions, dtype=np.float64, copy=True)
        if pos.ndim != 3 or pos.shape[2] not in (2, 3):
            raise InvalidParameterError(
                "positions must have shape (n_frames, n_keypoints, 2 or 3); "
                f"got {pos.shape} ({self.source_name or 'keypoints'})"
            )
        n_frames, n_kp, _ = pos.shape
        conf = np.array(self.confidence, dtype=np.float64, copy=True)
        if conf.shape != (n_frames, n_kp):
            raise InvalidParameterError(
                f"confidence must have shape {(n_frames, n_kp)}; got {conf.shape}"
            )
        if np.any(np.isinf(pos)):
            raise InvalidParameterError(
                "positions must be finite or NaN (missing); got infinite values"
            )
        conf = np.where(np.isnan(conf), 0.0, conf)
        if np.any((conf < 0.0) | (conf > 1.0)):
            raise InvalidParameterError(
                f"confidence must lie in [0, 1]; got values from {conf.min()} to {conf.max()}"
            )
        conf[np.isnan(pos).any(axis=2)] = 0.0
        names = tuple(self.keypoint_names)
        if len(names) != n_kp:
            raise InvalidParameterError(
                f"keypoint_names must have {n_kp} names (one per keypoint); got {len(names)}"
            )
        if len(set(names)) != len(names):
            dupes = sorted({n for n in names if names.count(n) > 1})
            raise InvalidParameterError(f"keypoint_names must be unique; got duplicates {dupes}")
        fr = check_sampling_rate(self.frame_rate_hz, name="frame_rate_hz")
        if self.unit not in _UNITS:
            raise InvalidParameterError(f"unit must be one of {_UNITS}; got {self.unit!r}")
        if self.unit == "px" and pos.shape[2] != 2:
            raise InvalidParameterError(
                f"image keypoints (unit 'px') must be 2-D; got {pos.shape[2]} coordinates"
            )
        vert = self.vertical_axis
        sign = self.vertical_sign
        if self.unit == "px":
            vert, sign = 1, -1
        if vert is not None and vert not in range(pos.shape[2]):
            raise InvalidParameterError(
                f"vertical_axis must be an axis index below {pos.shape[2]}; got {vert!r}"
            )
        if sign not in (1, -1):
            raise InvalidParameterError(f"vertical_sign must be +1 or -1; got {sign!r}")
        t = self.time_s
        if t is not None:
            t = np.array(t, dtype=np.float64, copy=True)
            if t.shape != (n_frames,):
                raise InvalidParameterError(f"time_s must have shape {(n_frames,)}; got {t.shape}")
            if not np.all(np.isfinite(t)) or np.any(np.diff(t) <= 0):
                raise InvalidParameterError("time_s must be finite and strictly increasing")
            t.setflags(write=False)
        pos.setflags(write=False)
        conf.setflags(write=False)
        object.__setattr__(self, "positions", pos)
        object.__setattr__(self, "confidence", conf)
        object.__setattr__(self, "keypoint_names", names)
        object.__setattr__(self, "frame_rate_hz", fr)
        object.__setattr__(self, "time_s", t)
        object.__setattr__(self, "vertical_axis", vert)
        object.__setattr__(self, "vertical_sign", sign)

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return int(self.positions.shape[0])

    @property
    def n_keypoints(self) -> int:
        """Number of keypoints."""
        return int(self.positions.shape[1])

    @property
    def n_dims(self) -> int:
        """Number of coordinates per keypoint (2 or 3)."""
        return int(self.positions.shape[2])

    @property
    def times_s(self) -> NDArray[np.float64]:
        """Frame times in seconds: ``time_s`` when given, else ``arange(n) / frame_rate_hz``."""
        if self.time_s is not None:
            return self.time_s
        return np.arange(self.n_frames, dtype=np.float64) / self.frame_rate_hz

    @property
    def duration_s(self) -> float:
        """Duration as ``n_frames / frame_rate_hz`` (or the span of ``time_s``)."""
        if self.time_s is not None and self.n_frames > 1:
            return float(self.time_s[-1] - self.time_s[0]) + 1.0 / self.frame_rate_hz
        return self.n_frames / self.frame_rate_hz

    def has(self, name: str) -> bool:
        """Whether the series has a keypoint called ``name``."""
        return name in self.keypoint_names

    def index(self, name: str) -> int:
        """Index of keypoint ``name``; :class:`NotFoundError` naming the skeleton if absent."""
        try:
            return self.keypoint_names.index(name)
        except ValueError:
            raise NotFoundError(
                f"keypoint {name!r} is not in this {self.skeleton} series "
                f"({self.source_name or 'keypoints'}); it has {list(self.keypoint_names)}"
            ) from None

    def point(self, name: str) -> NDArray[np.float64]:
        """Positions of keypoint ``name``, shape (n_frames, n_dims), read-only."""
        return self.positions[:, self.index(name), :]

    def point_confidence(self, name: str) -> NDArray[np.float64]:
        """Confidence of keypoint ``name``, shape (n_frames,)."""
        return self.confidence[:, self.index(name)]

    def with_positions(
        self,
        positions: NDArray[np.float64],
        /,
        *,
        confidence: NDArray[np.float64] | None = None,
    ) -> KeypointSeries:
        """Return a copy with new positions (and optionally confidence), all else equal."""
        return KeypointSeries(
            positions=positions,
            confidence=self.confidence if confidence is None else confidence,
            keypoint_names=self.keypoint_names,
            frame_rate_hz=self.frame_rate_hz,
            unit=self.unit,
            skeleton=self.skeleton,
            time_s=self.time_s,
            vertical_axis=self.vertical_axis,
            vertical_sign=self.vertical_sign,
            source_name=self.source_name,
        )

    def select(self, names: tuple[str, ...] | list[str], /) -> KeypointSeries:
        """Return a series restricted to ``names`` (in that order), skeleton ``"markers"``."""
        idx = [self.index(n) for n in names]
        return KeypointSeries(
            positions=self.positions[:, idx, :],
            confidence=self.confidence[:, idx],
            keypoint_names=tuple(names),
            frame_rate_hz=self.frame_rate_hz,
            unit=self.unit,
            skeleton="markers",
            time_s=self.time_s,
            vertical_axis=self.vertical_axis,
            vertical_sign=self.vertical_sign,
            source_name=self.source_name,
        )
