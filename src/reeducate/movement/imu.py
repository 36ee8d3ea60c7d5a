"""Inertial (IMU) movement analysis: strides, segment angles, repositioning error, trunk sway.

Data model: an :class:`ImuRecording` holds one or more :class:`ImuSensor` (accelerometer in
m/s², gyroscope in rad/s, time on axis 0, uniformly sampled); readers in
:mod:`reeducate.io.imu` build it from files. Everything here is pure computation.

Frames and signs
----------------
* Accelerometers measure specific force: a sensor at rest reads ``+9.81 m/s²`` along the axis
  that points **up**.
* Orientation quaternions are scalar-first ``(w, x, y, z)`` and rotate **sensor-frame vectors
  into an earth frame whose z axis points up** (the convention of the ``ahrs`` package's
  Madgwick filter; heading is arbitrary without a magnetometer).
* Foot strides use the pitch rate of a foot sensor, **positive when the toes move down** (the
  heel rises). In the gaitmap sensor frame (x to the toes, y to the left, z up, the same for
  both feet) that is ``gyr_y`` of either foot.

What is and is not validated
----------------------------
* Stride segmentation against the 58 hand-annotated strides of the gaitmap example recording
  (``tests/reference/test_imu_gait_strides.py``): sensitivity, precision and boundary error.
* The Madgwick filter against the ``ahrs`` package's implementation on real gait data
  (identical to 2e-15); tilt, relative rotation and repositioning error against closed forms
  on synthetic rotations (``tests/unit/movement/test_imu.py``).
* Per-movement smoothness through :mod:`reeducate.movement.smoothness` (published values);
  here only the cutting of each rep into out/back movements and the low-pass are added,
  checked on minimum-jerk movements with and without gyroscope noise.
* Trunk-sway numbers against closed forms (RMS of a sine; ellipse of known covariance).
  Time-to-loss-of-balance thresholds are heuristics, checked on synthetic signals only: they
  have not been validated against a clinical gold standard.

References
----------
Barth J, Oberndorfer C, Pasluosta C, et al. (2015) Stride segmentation during free walk
movements using multi-dimensional subsequence dynamic time warping on inertial sensor data.
Sensors 15(3):6419-6440. doi:10.3390/s150306419 (stride definition: from the gyroscope
extremum just before toe-off to the next one; the gaitmap annotations follow it).

Salarian A, Russmann H, Vingerhoets FJG, et al. (2004) Gait assessment in Parkinson's disease:
toward an ambulatory system for long-term monitoring. IEEE Trans Biomed Eng 51(8):1434-1443.
doi:10.1109/TBME.2004.827933 (mid-swing detected as the large sagittal angular-velocity
excursion).

Madgwick SOH, Harrison AJL, Vaidyanathan R (2011) Estimation of IMU and MARG orientation using
a gradient descent algorithm. IEEE Int Conf Rehabil Robot 2011:5975346.
doi:10.1109/ICORR.2011.5975346

Moe-Nilssen R (1998) A new method for evaluating motor control in gait under real-life
environmental conditions. Part 1: the instrument. Clin Biomech 13(4-5):320-327.
doi:10.1016/S0268-0033(98)00089-8 (tilt correction of trunk accelerations)

Mancini M, Salarian A, Carlson-Kuhta P, et al. (2012) ISway: a sensitive, valid and reliable
measure of postural control. J NeuroEng Rehabil 9:59. doi:10.1186/1743-0003-9-59

Revel M, Andre-Deshays C, Minguet M (1991) Cervicocephalic kinesthetic sensibility in patients
with cervical pain. Arch Phys Med Rehabil 72(5):288-291 (joint-position repositioning error).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Final, Literal, TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial.transform import Rotation

from reeducate.balance.conventions import SwayConventions
from reeducate.balance.metrics.ellipse import prediction_ellipse
from reeducate.errors import (
    InvalidParameterError,
    NotFoundError,
    SignalQualityError,
)
from reeducate.movement.reps import RepetitionAnalysis, segment_repetitions
from reeducate.movement.smoothness import SmoothnessResult, movement_smoothness
from reeducate.signals.checks import check_sampling_rate
from reeducate.signals.filters import zero_phase_butterworth

__all__ = [
    "GRAVITY_M_S2",
    "BalanceLoss",
    "Hold",
    "ImuAnalysis",
    "ImuRecording",
    "ImuSensor",
    "Orientation",
    "PhaseSmoothness",
    "RepositioningResult",
    "StrideList",
    "StrideMatch",
    "TrunkSway",
    "analyze_imu_recording",
    "estimate_orientation",
    "find_holds",
    "inclination_from_accelerometer_deg",
    "match_strides",
    "phase_bounds",
    "repositioning_error",
    "segment_inclination_deg",
    "segment_strides",
    "time_to_loss_of_balance",
    "trunk_sway",
]

#: Standard gravity (m/s²), ISO 80000-3.
GRAVITY_M_S2: Final = 9.80665

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]

ImuMeasure = Literal["strides", "smoothness", "repositioning_error", "angle", "sway"]
StrideMethod = Literal["preswing_peak"]
OrientationMethod = Literal["madgwick"]

_AXES: Final = {"x": 0, "y": 1, "z": 2}


# --------------------------------------------------------------------------------------------
# Checks


def _check_positive(name: str, value: float) -> float:
    if not isinstance(value, int | float | np.integer | np.floating) or not (
        math.isfinite(float(value)) and value > 0
    ):
        raise InvalidParameterError(f"{name} must be a finite number > 0; got {value!r}")
    return float(value)


def _vector3(x: ArrayLike, /, *, name: str, min_samples: int = 2) -> FloatArray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise InvalidParameterError(f"{name} must have shape (n_samples, 3); got {arr.shape}")
    if arr.shape[0] < min_samples:
        raise SignalQualityError(
            f"{name} must have at least {min_samples} samples; got {arr.shape[0]}"
        )
    if not np.all(np.isfinite(arr)):
        rows = np.flatnonzero(~np.isfinite(arr).all(axis=1))
        raise SignalQualityError(
            f"{name} must be finite; got {rows.size} row(s) with NaN or infinite values, "
            f"first at sample {int(rows[0])}"
        )
    return arr


def _series(x: ArrayLike, /, *, name: str, min_samples: int = 2) -> FloatArray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 1:
        raise InvalidParameterError(f"{name} must be 1-D (n_samples,); got shape {arr.shape}")
    if arr.size < min_samples:
        raise SignalQualityError(f"{name} must have at least {min_samples} samples; got {arr.size}")
    if not np.all(np.isfinite(arr)):
        bad = np.flatnonzero(~np.isfinite(arr))
        raise SignalQualityError(
            f"{name} must be finite; got {bad.size} NaN or infinite value(s), first at sample "
            f"{int(bad[0])}"
        )
    return arr


def _unit_axis(axis: str | ArrayLike, /, *, name: str) -> FloatArray:
    """A sensor-frame unit vector from ``"x"``, ``"-y"`` ... or three numbers."""
    if isinstance(axis, str):
        text = axis.strip().lower()
        sign = -1.0 if text.startswith("-") else 1.0
        key = text.lstrip("+-")
        if key not in _AXES:
            raise InvalidParameterError(
                f"{name} must be 'x', 'y', 'z' (optionally with a sign) or 3 numbers; got {axis!r}"
            )
        out = np.zeros(3)
        out[_AXES[key]] = sign
        return out
    vec = np.asarray(axis, dtype=np.float64)
    norm = float(np.linalg.norm(vec)) if vec.shape == (3,) else 0.0
    if vec.shape != (3,) or not math.isfinite(norm) or norm == 0:
        raise InvalidParameterError(f"{name} must be a non-zero 3-vector; got {axis!r}")
    return vec / norm


_G = TypeVar("_G", bound=np.generic)


def _readonly(arr: NDArray[_G]) -> NDArray[_G]:
    out = np.array(arr, copy=True)
    out.setflags(write=False)
    return out


# --------------------------------------------------------------------------------------------
# Data model


@dataclass(frozen=True, slots=True, kw_only=True)
class ImuSensor:
    """One inertial sensor: accelerometer and gyroscope, time on axis 0.

    Attributes
    ----------
    name : str
        Sensor label as in the file (``"left_sensor"``, ``"trunk"`` ...).
    acc_m_s2 : ndarray, shape (n_samples, 3)
        Specific force in m/s² (reads +9.81 along the axis pointing up at rest).
    gyr_rad_s : ndarray, shape (n_samples, 3)
        Angular velocity in rad/s, right-handed about the sensor axes.

    Examples
    --------
    >>> import numpy as np
    >>> s = ImuSensor(name="trunk", acc_m_s2=np.tile([0, 0, 9.81], (4, 1)),
    ...               gyr_rad_s=np.zeros((4, 3)))
    >>> s.n_samples
    4
    """

    name: str
    acc_m_s2: FloatArray
    gyr_rad_s: FloatArray

    def __post_init__(self) -> None:
        if not self.name:
            raise InvalidParameterError("name must be a non-empty sensor label; got ''")
        acc = _vector3(self.acc_m_s2, name=f"sensor {self.name!r} acc_m_s2", min_samples=1)
        gyr = _vector3(self.gyr_rad_s, name=f"sensor {self.name!r} gyr_rad_s", min_samples=1)
        if acc.shape != gyr.shape:
            raise InvalidParameterError(
                f"sensor {self.name!r}: acc_m_s2 and gyr_rad_s must have the same shape; got "
                f"{acc.shape} and {gyr.shape}"
            )
        object.__setattr__(self, "acc_m_s2", _readonly(acc))
        object.__setattr__(self, "gyr_rad_s", _readonly(gyr))

    @property
    def n_samples(self) -> int:
        """Number of samples."""
        return int(self.acc_m_s2.shape[0])


@dataclass(frozen=True, slots=True, kw_only=True)
class ImuRecording:
    """Synchronised IMU sensors sampled at one uniform rate.

    Attributes
    ----------
    sensors : tuple of ImuSensor
        At least one; names unique; all the same length.
    sampling_rate_hz : float
    source_name : str
        File name (no directories) or another label, for messages.
    source_acc_unit, source_gyr_unit : str
        Units in the source (``"m/s2"``, ``"g"``, ``"deg/s"``, ``"rad/s"``), for the record.
    start_time_s : float
        Time of the first sample.

    Examples
    --------
    >>> import numpy as np
    >>> s = ImuSensor(name="trunk", acc_m_s2=np.tile([0, 0, 9.81], (100, 1)),
    ...               gyr_rad_s=np.zeros((100, 3)))
    >>> rec = ImuRecording(sensors=(s,), sampling_rate_hz=100.0)
    >>> rec.duration_s, rec.sensor_names, rec.sensor("trunk").n_samples
    (1.0, ('trunk',), 100)
    """

    sensors: tuple[ImuSensor, ...]
    sampling_rate_hz: float
    source_name: str = ""
    source_acc_unit: str = "m/s2"
    source_gyr_unit: str = "rad/s"
    start_time_s: float = 0.0

    def __post_init__(self) -> None:
        check_sampling_rate(self.sampling_rate_hz)
        sensors = tuple(self.sensors)
        if not sensors:
            raise InvalidParameterError("sensors must hold at least one ImuSensor; got none")
        names = [s.name for s in sensors]
        if len(set(names)) != len(names):
            raise InvalidParameterError(f"sensor names must be unique; got {names}")
        lengths = {s.n_samples for s in sensors}
        if len(lengths) != 1:
            raise InvalidParameterError(
                f"all sensors must have the same number of samples; got {sorted(lengths)}"
            )
        object.__setattr__(self, "sensors", sensors)
        object.__setattr__(self, "sampling_rate_hz", float(self.sampling_rate_hz))

    @property
    def sensor_names(self) -> tuple[str, ...]:
        """Names of the sensors, in file order."""
        return tuple(s.name for s in self.sensors)

    @property
    def n_samples(self) -> int:
        """Samples per sensor."""
        return self.sensors[0].n_samples

    @property
    def duration_s(self) -> float:
        """``n_samples / sampling_rate_hz``."""
        return self.n_samples / self.sampling_rate_hz

    def sensor(self, name: str, /) -> ImuSensor:
        """The sensor called ``name`` (case-insensitive); NotFoundError lists the others."""
        for s in self.sensors:
            if s.name.lower() == name.lower():
                return s
        raise NotFoundError(
            f"{self.source_name or 'recording'}: no sensor named {name!r}; sensors: "
            f"{', '.join(self.sensor_names)}"
        )


# --------------------------------------------------------------------------------------------
# Strides


@dataclass(frozen=True, slots=True, kw_only=True)
class StrideList:
    """Strides segmented from one foot sensor.

    Attributes
    ----------
    start_sample, end_sample : ndarray of int, shape (n_strides,)
        Stride borders (end exclusive of the next stride's start: they are equal for
        consecutive strides).
    midswing_sample : ndarray of int, shape (n_strides,)
        Largest toe-up pitch rate of the swing inside each stride.
    sampling_rate_hz : float
    method : str
        ``"preswing_peak"`` (see :func:`segment_strides`).
    swing_threshold_rad_s, min_swing_s, min_stride_s, max_stride_s, border_search_s : float
        The parameters used.
    """

    start_sample: IntArray
    end_sample: IntArray
    midswing_sample: IntArray
    sampling_rate_hz: float
    method: StrideMethod
    swing_threshold_rad_s: float
    min_swing_s: float
    min_stride_s: float
    max_stride_s: float
    border_search_s: float

    @property
    def n_strides(self) -> int:
        """Number of strides."""
        return int(self.start_sample.size)

    @property
    def stride_time_s(self) -> FloatArray:
        """Duration of each stride in seconds."""
        return (self.end_sample - self.start_sample) / self.sampling_rate_hz

    @property
    def start_s(self) -> FloatArray:
        """Stride starts in seconds from the first sample."""
        return self.start_sample / self.sampling_rate_hz


def _runs(mask: NDArray[np.bool_]) -> tuple[IntArray, IntArray]:
    """Starts and (exclusive) ends of the runs of True in ``mask``."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return np.flatnonzero(edges == 1).astype(np.int64), np.flatnonzero(edges == -1).astype(np.int64)


def segment_strides(
    pitch_rate_rad_s: ArrayLike,
    /,
    *,
    sampling_rate_hz: float,
    method: StrideMethod = "preswing_peak",
    swing_threshold_rad_s: float = math.radians(100.0),
    min_swing_s: float = 0.1,
    merge_gap_s: float = 0.05,
    border_search_s: float = 0.3,
    min_stride_s: float = 0.5,
    max_stride_s: float = 2.0,
) -> StrideList:
    """Segment strides from the sagittal angular velocity of a foot-mounted IMU.

    Method ``"preswing_peak"``:

    1. **Swing phases** are the runs where the pitch rate is below ``-swing_threshold_rad_s``
       (the toes rise as the foot swings forward; Salarian et al. 2004, doi:10.1109/TBME.
       2004.827933, detect mid-swing the same way on the shank), runs closer than
       ``merge_gap_s`` merged, runs shorter than ``min_swing_s`` dropped.
    2. The **stride border** before each swing is the maximum of the toe-down pitch rate in
       the ``border_search_s`` before the swing starts (never before the previous swing ended):
       the gyroscope extremum just before toe-off that Barth et al. (2015,
       doi:10.3390/s150306419) and gaitmap use as the start and end of a stride. It must be
       positive (a real push-off).
    3. Two consecutive borders make a **stride** when it lasts between ``min_stride_s`` and
       ``max_stride_s``; longer intervals are pauses or turns, and a last swing with no
       following push-off (stopping) ends no stride.

    Parameters
    ----------
    pitch_rate_rad_s : array_like, shape (n_samples,)
        Angular velocity about the foot's medio-lateral axis, **positive when the toes move
        down** (gaitmap sensor frame: ``gyr_y`` of either foot, in rad/s).
    sampling_rate_hz : float
    method : {"preswing_peak"}
    swing_threshold_rad_s : float, default 100 deg/s
        Healthy adult swings reach 300-400 deg/s at the foot; 100 deg/s keeps slow gait while
        ignoring the shuffles of a turn.
    min_swing_s, merge_gap_s, border_search_s, min_stride_s, max_stride_s : float
        Timing limits in seconds (see above).

    Returns
    -------
    StrideList

    Examples
    --------
    Three synthetic strides of 1 s: a push-off peak then a swing each second.

    >>> import numpy as np
    >>> fs = 100.0
    >>> t = np.arange(400) / fs
    >>> phase = t % 1.0
    >>> pitch = np.where(phase < 0.1, 8 * np.sin(np.pi * phase / 0.1), 0.0)
    >>> pitch -= np.where((phase >= 0.1) & (phase < 0.5), 5 * np.sin(np.pi * (phase - 0.1)
    ...                   / 0.4), 0.0)
    >>> strides = segment_strides(pitch, sampling_rate_hz=fs)
    >>> strides.start_sample.tolist(), strides.end_sample.tolist()
    ([5, 105, 205], [105, 205, 305])
    """
    fs = check_sampling_rate(sampling_rate_hz)
    if method != "preswing_peak":
        raise InvalidParameterError(f"method must be 'preswing_peak'; got {method!r}")
    pitch = _series(pitch_rate_rad_s, name="pitch_rate_rad_s", min_samples=3)
    threshold = _check_positive("swing_threshold_rad_s", swing_threshold_rad_s)
    for name, value in (
        ("min_swing_s", min_swing_s),
        ("merge_gap_s", merge_gap_s),
        ("border_search_s", border_search_s),
        ("min_stride_s", min_stride_s),
        ("max_stride_s", max_stride_s),
    ):
        _check_positive(name, value)
    if max_stride_s <= min_stride_s:
        raise InvalidParameterError(
            f"max_stride_s must be > min_stride_s ({min_stride_s:g}); got {max_stride_s!r}"
        )
    starts, ends = _runs(pitch < -threshold)
    if starts.size > 1:
        keep = np.concatenate(([True], (starts[1:] - ends[:-1]) > merge_gap_s * fs))
        first = np.flatnonzero(keep)
        starts, ends = starts[first], ends[np.concatenate((first[1:] - 1, [ends.size - 1]))]
    long_enough = (ends - starts) >= min_swing_s * fs
    starts, ends = starts[long_enough], ends[long_enough]
    search = round(border_search_s * fs)
    borders = np.full(starts.size, -1, dtype=np.int64)
    midswing = np.empty(starts.size, dtype=np.int64)
    previous_end = 0
    # One iteration per swing (about one per second), not per sample.
    for k, (onset, offset) in enumerate(zip(starts.tolist(), ends.tolist(), strict=True)):
        lo = max(previous_end, onset - search)
        i = lo + int(np.argmax(pitch[lo : onset + 1]))
        if pitch[i] > 0:
            borders[k] = i
        midswing[k] = onset + int(np.argmin(pitch[onset:offset]))
        previous_end = offset
    a, b = borders[:-1], borders[1:]
    duration_s = (b - a) / fs
    ok = (a >= 0) & (b >= 0) & (duration_s >= min_stride_s) & (duration_s <= max_stride_s)
    return StrideList(
        start_sample=_readonly(a[ok]),
        end_sample=_readonly(b[ok]),
        midswing_sample=_readonly(midswing[:-1][ok]),
        sampling_rate_hz=fs,
        method=method,
        swing_threshold_rad_s=threshold,
        min_swing_s=float(min_swing_s),
        min_stride_s=float(min_stride_s),
        max_stride_s=float(max_stride_s),
        border_search_s=float(border_search_s),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class StrideMatch:
    """Agreement of detected strides with reference (annotated) strides.

    A detected stride matches a reference stride when both its start and its end are within
    ``tolerance_samples`` of the reference's; each stride matches at most once.

    Attributes
    ----------
    n_reference, n_detected, true_positives : int
    sensitivity_ratio : float
        ``true_positives / n_reference``.
    precision_ratio : float
        ``true_positives / n_detected``.
    start_error_samples, end_error_samples : ndarray of int
        Detected minus reference border, per matched pair.
    tolerance_samples : int
    """

    n_reference: int
    n_detected: int
    true_positives: int
    sensitivity_ratio: float
    precision_ratio: float
    start_error_samples: IntArray
    end_error_samples: IntArray
    tolerance_samples: int

    def boundary_errors_s(self, *, sampling_rate_hz: float) -> FloatArray:
        """All start and end errors, in seconds."""
        fs = check_sampling_rate(sampling_rate_hz)
        return np.concatenate((self.start_error_samples, self.end_error_samples)) / fs


def match_strides(
    detected: tuple[ArrayLike, ArrayLike],
    reference: tuple[ArrayLike, ArrayLike],
    /,
    *,
    tolerance_samples: int,
) -> StrideMatch:
    """Match detected strides to reference strides (both borders within a tolerance).

    Parameters
    ----------
    detected, reference : (starts, ends)
        Stride borders in samples.
    tolerance_samples : int
        Largest allowed |difference| of each border.

    Examples
    --------
    >>> m = match_strides(([0, 100, 300], [100, 200, 400]), ([2, 101], [99, 205]),
    ...                   tolerance_samples=3)
    >>> m.true_positives, m.sensitivity_ratio, round(m.precision_ratio, 3)
    (1, 0.5, 0.333)
    """
    if isinstance(tolerance_samples, bool) or not isinstance(tolerance_samples, int | np.integer):
        raise InvalidParameterError(
            f"tolerance_samples must be an integer >= 0; got {tolerance_samples!r}"
        )
    if tolerance_samples < 0:
        raise InvalidParameterError(f"tolerance_samples must be >= 0; got {tolerance_samples}")
    d_start, d_end = (np.asarray(x, dtype=np.int64).ravel() for x in detected)
    r_start, r_end = (np.asarray(x, dtype=np.int64).ravel() for x in reference)
    if d_start.shape != d_end.shape or r_start.shape != r_end.shape:
        raise InvalidParameterError("starts and ends must have the same length")
    # Candidate pairs: borders within tolerance (strides do not overlap, so few candidates).
    order = np.argsort(d_start, kind="stable")
    ds, de = d_start[order], d_end[order]
    lo = np.searchsorted(ds, r_start - tolerance_samples, side="left")
    hi = np.searchsorted(ds, r_start + tolerance_samples, side="right")
    used = np.zeros(ds.size, dtype=bool)
    start_err: list[int] = []
    end_err: list[int] = []
    for i in np.argsort(r_start, kind="stable").tolist():
        cand = np.arange(lo[i], hi[i])
        cand = cand[~used[cand] & (np.abs(de[cand] - r_end[i]) <= tolerance_samples)]
        if cand.size == 0:
            continue
        j = int(cand[np.argmin(np.abs(ds[cand] - r_start[i]) + np.abs(de[cand] - r_end[i]))])
        used[j] = True
        start_err.append(int(ds[j] - r_start[i]))
        end_err.append(int(de[j] - r_end[i]))
    tp = len(start_err)
    return StrideMatch(
        n_reference=int(r_start.size),
        n_detected=int(d_start.size),
        true_positives=tp,
        sensitivity_ratio=tp / r_start.size if r_start.size else math.nan,
        precision_ratio=tp / d_start.size if d_start.size else math.nan,
        start_error_samples=_readonly(np.asarray(start_err, dtype=np.int64)),
        end_error_samples=_readonly(np.asarray(end_err, dtype=np.int64)),
        tolerance_samples=int(tolerance_samples),
    )


# --------------------------------------------------------------------------------------------
# Orientation and angles


def inclination_from_accelerometer_deg(
    acc_m_s2: ArrayLike, /, *, segment_axis: str | ArrayLike
) -> FloatArray:
    """Angle between a sensor axis and the upward vertical, from the accelerometer alone.

    ``arccos(a·u / |a|)`` with ``u`` the segment axis in the sensor frame: 0° = axis pointing
    up, 90° = horizontal, 180° = pointing down. Exact when the sensor is still (the
    accelerometer then reads gravity only); during movement, linear acceleration biases it:
    use :func:`estimate_orientation` and :func:`segment_inclination_deg`.

    Parameters
    ----------
    acc_m_s2 : array_like, shape (n_samples, 3)
    segment_axis : {"x", "y", "z", "-x", "-y", "-z"} or 3 numbers
        The segment's long axis in the sensor frame.

    Examples
    --------
    >>> import numpy as np
    >>> a = 9.81 * np.array([[0.0, 0.0, 1.0], [np.sin(np.radians(30)), 0, np.cos(np.radians(30))]])
    >>> inclination_from_accelerometer_deg(a, segment_axis="z").round(6).tolist()
    [0.0, 30.0]
    """
    acc = _vector3(acc_m_s2, name="acc_m_s2", min_samples=1)
    axis = _unit_axis(segment_axis, name="segment_axis")
    norm = np.linalg.norm(acc, axis=1)
    if np.any(norm < 0.1 * GRAVITY_M_S2):
        i = int(np.argmax(norm < 0.1 * GRAVITY_M_S2))
        raise SignalQualityError(
            f"acc_m_s2 magnitude is {norm[i]:.3g} m/s² at sample {i}, far below gravity: free "
            "fall or a unit error (is the accelerometer in g?)"
        )
    cosine = np.clip(acc @ axis / norm, -1.0, 1.0)
    return np.asarray(np.degrees(np.arccos(cosine)), dtype=np.float64)


@dataclass(frozen=True, slots=True, kw_only=True)
class Orientation:
    """Orientation of a sensor over time.

    Attributes
    ----------
    quaternions : ndarray, shape (n_samples, 4)
        Scalar-first unit quaternions rotating sensor-frame vectors into the earth frame
        (z up; heading arbitrary).
    sampling_rate_hz : float
    method : str
        ``"madgwick"``.
    gain : float
        Filter gain (Madgwick's beta).
    """

    quaternions: FloatArray
    sampling_rate_hz: float
    method: OrientationMethod
    gain: float

    def rotation(self) -> Rotation:
        """The orientations as a :class:`scipy.spatial.transform.Rotation`."""
        return Rotation.from_quat(self.quaternions, scalar_first=True)


def estimate_orientation(
    acc_m_s2: ArrayLike,
    gyr_rad_s: ArrayLike,
    /,
    *,
    sampling_rate_hz: float,
    method: OrientationMethod = "madgwick",
    gain: float = 0.033,
) -> Orientation:
    """Fuse accelerometer and gyroscope into an orientation (no magnetometer).

    ``method="madgwick"``: the gradient-descent filter of Madgwick et al. (2011,
    doi:10.1109/ICORR.2011.5975346), IMU (6-axis) form, initialised from the first
    accelerometer sample (roll and pitch, zero heading). It reproduces the ``ahrs`` package's
    ``Madgwick`` (MIT) to rounding, which the tests check on real gait data, at ~1/30 of its
    cost (scalar arithmetic instead of per-sample NumPy calls; the filter is sequential, so
    it cannot be vectorised). ``gain`` (beta) trades gyroscope drift against accelerometer
    noise; 0.033 is the ``ahrs`` IMU default. Beta is also the fixed rate (rad/s) at which the
    accelerometer pulls the estimate, so during a movement the inclination can lag by up to
    about beta x the movement's duration. Inclination is absolute; rotation about the vertical
    is relative (it drifts slowly with gyroscope bias).

    Parameters
    ----------
    acc_m_s2 : array_like, shape (n_samples, 3)
    gyr_rad_s : array_like, shape (n_samples, 3)
    sampling_rate_hz : float
    method : {"madgwick"}
    gain : float, default 0.033

    Returns
    -------
    Orientation

    Examples
    --------
    A still sensor pitched by 30° about its y axis:

    >>> import numpy as np
    >>> acc = np.tile(9.81 * np.array([np.sin(np.radians(30)), 0, np.cos(np.radians(30))]),
    ...               (50, 1))
    >>> o = estimate_orientation(acc, np.zeros((50, 3)), sampling_rate_hz=100.0)
    >>> round(float(segment_inclination_deg(o, segment_axis="z")[-1]), 6)
    30.0
    """
    fs = check_sampling_rate(sampling_rate_hz)
    if method != "madgwick":
        raise InvalidParameterError(f"method must be 'madgwick'; got {method!r}")
    gain = _check_positive("gain", gain)
    acc = _vector3(acc_m_s2, name="acc_m_s2")
    gyr = _vector3(gyr_rad_s, name="gyr_rad_s")
    if acc.shape != gyr.shape:
        raise InvalidParameterError(
            f"acc_m_s2 and gyr_rad_s must have the same shape; got {acc.shape} and {gyr.shape}"
        )
    if float(np.linalg.norm(acc[0])) < 0.1 * GRAVITY_M_S2:
        raise SignalQualityError(
            "acc_m_s2 at sample 0 is far below gravity: the orientation cannot be initialised "
            "(is the accelerometer in g?)"
        )
    quats = _madgwick_imu(acc, gyr, dt_s=1.0 / fs, beta=gain)
    return Orientation(quaternions=_readonly(quats), sampling_rate_hz=fs, method=method, gain=gain)


def _initial_quaternion(acc: FloatArray) -> tuple[float, float, float, float]:
    """Roll and pitch from one accelerometer sample, zero heading (as ``ahrs.acc2q``)."""
    ax, ay, az = (float(v) for v in acc / np.linalg.norm(acc))
    roll = math.atan2(ay, az)
    pitch = math.atan2(-ax, math.hypot(ay, az))
    cx, sx = math.cos(roll / 2), math.sin(roll / 2)
    cy, sy = math.cos(pitch / 2), math.sin(pitch / 2)
    q = (cx * cy, sx * cy, cx * sy, -sx * sy)
    norm = math.sqrt(sum(v * v for v in q))
    return q[0] / norm, q[1] / norm, q[2] / norm, q[3] / norm


def _madgwick_imu(acc: FloatArray, gyr: FloatArray, *, dt_s: float, beta: float) -> FloatArray:
    """Madgwick IMU update over all samples (eqs. 12, 25, 26, 33, 34 of Madgwick 2011).

    Sample k moves the estimate from k-1 to k with ``gyr[k]`` and ``acc[k]``. Scalar Python
    floats: ~20x faster than per-sample NumPy for 4-vectors.
    """
    n = acc.shape[0]
    out = np.empty((n, 4))
    q0, q1, q2, q3 = _initial_quaternion(acc[0])
    out[0] = (q0, q1, q2, q3)
    accs = acc.tolist()
    gyrs = gyr.tolist()
    for k in range(1, n):
        gx, gy, gz = gyrs[k]
        if gx == 0.0 and gy == 0.0 and gz == 0.0:
            out[k] = (q0, q1, q2, q3)  # as ahrs: no rotation, no correction
            continue
        # Rate of change from the gyroscope: 0.5 q ⊗ (0, ω) (eq. 12).
        d0 = 0.5 * (-q1 * gx - q2 * gy - q3 * gz)
        d1 = 0.5 * (q0 * gx + q2 * gz - q3 * gy)
        d2 = 0.5 * (q0 * gy - q1 * gz + q3 * gx)
        d3 = 0.5 * (q0 * gz + q1 * gy - q2 * gx)
        ax, ay, az = accs[k]
        a_norm = math.sqrt(ax * ax + ay * ay + az * az)
        if a_norm > 0.0:
            ax, ay, az = ax / a_norm, ay / a_norm, az / a_norm
            # Objective (eq. 25): gravity predicted by q minus gravity measured.
            f0 = 2.0 * (q1 * q3 - q0 * q2) - ax
            f1 = 2.0 * (q0 * q1 + q2 * q3) - ay
            f2 = 2.0 * (0.5 - q1 * q1 - q2 * q2) - az
            if f0 != 0.0 or f1 != 0.0 or f2 != 0.0:
                # Gradient J^T f (eqs. 26, 34), normalised; step of size beta (eq. 33).
                g0 = -2.0 * q2 * f0 + 2.0 * q1 * f1
                g1 = 2.0 * q3 * f0 + 2.0 * q0 * f1 - 4.0 * q1 * f2
                g2 = -2.0 * q0 * f0 + 2.0 * q3 * f1 - 4.0 * q2 * f2
                g3 = 2.0 * q1 * f0 + 2.0 * q2 * f1
                g_norm = math.sqrt(g0 * g0 + g1 * g1 + g2 * g2 + g3 * g3)
                if g_norm > 0.0:
                    d0 -= beta * g0 / g_norm
                    d1 -= beta * g1 / g_norm
                    d2 -= beta * g2 / g_norm
                    d3 -= beta * g3 / g_norm
        q0, q1, q2, q3 = q0 + d0 * dt_s, q1 + d1 * dt_s, q2 + d2 * dt_s, q3 + d3 * dt_s
        norm = math.sqrt(q0 * q0 + q1 * q1 + q2 * q2 + q3 * q3)
        q0, q1, q2, q3 = q0 / norm, q1 / norm, q2 / norm, q3 / norm
        out[k] = (q0, q1, q2, q3)
    return out


def segment_inclination_deg(
    orientation: Orientation, /, *, segment_axis: str | ArrayLike
) -> FloatArray:
    """Angle between a segment axis and the upward vertical, from a fused orientation.

    0° = the axis points up, 90° = horizontal, 180° = down. For an upper-arm sensor whose
    ``segment_axis`` points from shoulder to elbow, arm elevation is ``180 - inclination``.

    Examples
    --------
    >>> import numpy as np
    >>> o = Orientation(quaternions=np.array([[1.0, 0, 0, 0]]), sampling_rate_hz=100.0,
    ...                 method="madgwick", gain=0.033)
    >>> segment_inclination_deg(o, segment_axis="x").tolist()
    [90.0]
    """
    axis = _unit_axis(segment_axis, name="segment_axis")
    up = orientation.rotation().apply(axis)[..., 2]
    return np.atleast_1d(np.degrees(np.arccos(np.clip(up, -1.0, 1.0))))


def rotation_from_reference_deg(
    orientation: Orientation,
    /,
    *,
    reference: tuple[int, int],
    about_axis: str | ArrayLike | None = None,
) -> FloatArray:
    """Rotation of the sensor relative to its mean orientation over a reference window.

    With ``about_axis=None`` the total (geodesic) rotation angle ``|θ|`` in degrees, >= 0.
    With an axis (sensor frame, as held during the reference window), the signed component
    of the rotation vector along it (right-hand rule), in degrees: the angle of a movement
    about that axis (e.g. head rotation about the sensor's vertical axis).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.spatial.transform import Rotation
    >>> r = Rotation.from_euler("z", [[0], [0], [10], [45]], degrees=True)
    >>> o = Orientation(quaternions=r.as_quat(scalar_first=True), sampling_rate_hz=10.0,
    ...                 method="madgwick", gain=0.033)
    >>> rotation_from_reference_deg(o, reference=(0, 2), about_axis="z").round(9).tolist()
    [0.0, 0.0, 10.0, 45.0]
    """
    rot = orientation.rotation()
    n = len(rot)
    start, stop = _window(reference, n, name="reference")
    ref = rot[start:stop].mean()
    relative = ref.inv() * rot  # rotation expressed in the reference sensor frame
    rotvec = relative.as_rotvec()
    if about_axis is None:
        return np.asarray(np.degrees(np.linalg.norm(rotvec, axis=1)), dtype=np.float64)
    axis = _unit_axis(about_axis, name="about_axis")
    return np.asarray(np.degrees(rotvec @ axis), dtype=np.float64)


def _window(window: tuple[int, int], n: int, /, *, name: str) -> tuple[int, int]:
    try:
        start, stop = (int(v) for v in window)
    except (TypeError, ValueError):
        raise InvalidParameterError(
            f"{name} must be a (start, stop) pair of sample indices; got {window!r}"
        ) from None
    if not 0 <= start < stop <= n:
        raise InvalidParameterError(
            f"{name} must satisfy 0 <= start < stop <= {n}; got ({start}, {stop})"
        )
    return start, stop


# --------------------------------------------------------------------------------------------
# Holds and repositioning error


@dataclass(frozen=True, slots=True, kw_only=True)
class Hold:
    """A still period: ``start_sample`` inclusive, ``stop_sample`` exclusive."""

    start_sample: int
    stop_sample: int


def find_holds(
    gyr_rad_s: ArrayLike,
    /,
    *,
    sampling_rate_hz: float,
    still_threshold_rad_s: float = math.radians(10.0),
    min_hold_s: float = 0.5,
    smoothing_s: float = 0.1,
) -> tuple[Hold, ...]:
    """Periods where the sensor is still (angular speed below a threshold long enough).

    The angular speed ``|ω|`` is averaged over ``smoothing_s`` (moving mean) and compared with
    ``still_threshold_rad_s`` (10 deg/s by default: slower than any deliberate movement,
    faster than tremor-free holding); runs of at least ``min_hold_s`` are holds.

    Examples
    --------
    >>> import numpy as np
    >>> g = np.zeros((300, 3)); g[100:150, 2] = 1.0
    >>> [(h.start_sample, h.stop_sample) for h in find_holds(g, sampling_rate_hz=100.0)]
    [(0, 97), (154, 300)]
    """
    fs = check_sampling_rate(sampling_rate_hz)
    gyr = _vector3(gyr_rad_s, name="gyr_rad_s")
    threshold = _check_positive("still_threshold_rad_s", still_threshold_rad_s)
    _check_positive("min_hold_s", min_hold_s)
    _check_positive("smoothing_s", smoothing_s)
    speed = np.linalg.norm(gyr, axis=1)
    width = max(1, round(smoothing_s * fs))
    kernel = np.ones(width) / width
    smooth = np.convolve(speed, kernel, mode="same")
    starts, stops = _runs(smooth < threshold)
    keep = (stops - starts) >= min_hold_s * fs
    return tuple(
        Hold(start_sample=int(a), stop_sample=int(b))
        for a, b in zip(starts[keep].tolist(), stops[keep].tolist(), strict=True)
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class RepositioningResult:
    """Joint-position sense: how far each reproduction lands from the target position.

    Angles are rotations of the segment sensor relative to the neutral (start) position.

    Attributes
    ----------
    target_angle_deg : float
        Rotation from neutral to the target position.
    attempt_angle_deg : ndarray, shape (n_attempts,)
        Rotation from neutral to each reproduced position.
    absolute_error_deg : ndarray, shape (n_attempts,)
        Rotation between the target and each reproduced orientation (>= 0; includes errors in
        direction as well as in amplitude).
    signed_error_deg : ndarray, shape (n_attempts,)
        ``attempt_angle - target_angle``: overshoot positive, undershoot negative.
    mean_absolute_error_deg : float
    neutral, target : Hold
    attempts : tuple of Hold
    """

    target_angle_deg: float
    attempt_angle_deg: FloatArray
    absolute_error_deg: FloatArray
    signed_error_deg: FloatArray
    mean_absolute_error_deg: float
    neutral: Hold
    target: Hold
    attempts: tuple[Hold, ...]


def repositioning_error(
    orientation: Orientation,
    /,
    *,
    neutral: Hold,
    target: Hold,
    attempts: Sequence[Hold],
) -> RepositioningResult:
    """Repositioning (joint-position) error from the orientation of the moving segment.

    The mean orientation (scipy ``Rotation.mean``) of each hold is compared: the target and
    attempt angles are rotations from the neutral hold, the absolute error the rotation
    between target and attempt (Revel et al. 1991, Arch Phys Med Rehabil 72:288-291, measure
    the same quantity with a head-mounted target).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.spatial.transform import Rotation
    >>> angles = np.r_[np.zeros(10), np.full(10, 30.0), np.zeros(10), np.full(10, 27.0)]
    >>> q = Rotation.from_euler("z", angles[:, None], degrees=True).as_quat(scalar_first=True)
    >>> o = Orientation(quaternions=q, sampling_rate_hz=10.0, method="madgwick", gain=0.033)
    >>> r = repositioning_error(o, neutral=Hold(start_sample=0, stop_sample=10),
    ...     target=Hold(start_sample=10, stop_sample=20),
    ...     attempts=[Hold(start_sample=30, stop_sample=40)])
    >>> round(r.target_angle_deg, 6), r.absolute_error_deg.round(6).tolist()
    (30.0, [3.0])
    """
    rot = orientation.rotation()
    n = len(rot)
    if not attempts:
        raise InvalidParameterError("attempts must hold at least one Hold; got none")

    def mean_of(hold: Hold, name: str) -> Rotation:
        a, b = _window((hold.start_sample, hold.stop_sample), n, name=name)
        return rot[a:b].mean()

    r_neutral = mean_of(neutral, "neutral")
    r_target = mean_of(target, "target")
    target_angle = float(np.degrees((r_neutral.inv() * r_target).magnitude()))
    attempt_angle = np.empty(len(attempts))
    abs_err = np.empty(len(attempts))
    for k, hold in enumerate(attempts):
        r_attempt = mean_of(hold, f"attempts[{k}]")
        attempt_angle[k] = np.degrees((r_neutral.inv() * r_attempt).magnitude())
        abs_err[k] = np.degrees((r_target.inv() * r_attempt).magnitude())
    return RepositioningResult(
        target_angle_deg=target_angle,
        attempt_angle_deg=_readonly(attempt_angle),
        absolute_error_deg=_readonly(abs_err),
        signed_error_deg=_readonly(attempt_angle - target_angle),
        mean_absolute_error_deg=float(np.mean(abs_err)),
        neutral=neutral,
        target=target,
        attempts=tuple(attempts),
    )


def _auto_repositioning(
    orientation: Orientation, holds: Sequence[Hold], /, *, away_deg: float
) -> RepositioningResult:
    """Neutral = first hold; target = first hold away from it; attempts = later away holds."""
    if not holds:
        raise SignalQualityError(
            "no still period found: a repositioning test needs still holds at neutral, at the "
            "target and at each reproduction"
        )
    neutral = holds[0]
    rot = orientation.rotation()
    r_neutral = rot[neutral.start_sample : neutral.stop_sample].mean()
    away = [
        h
        for h in holds[1:]
        if np.degrees((r_neutral.inv() * rot[h.start_sample : h.stop_sample].mean()).magnitude())
        >= away_deg
    ]
    if len(away) < 2:
        raise SignalQualityError(
            f"found {len(away)} hold(s) more than {away_deg:g}° away from the starting "
            "position; a repositioning test needs the target hold and at least one reproduction"
        )
    return repositioning_error(orientation, neutral=neutral, target=away[0], attempts=away[1:])


# --------------------------------------------------------------------------------------------
# Trunk sway and loss of balance


@dataclass(frozen=True, slots=True, kw_only=True)
class TrunkSway:
    """Sway of the body's centre from a trunk (or pelvis) accelerometer.

    Accelerations are tilt-corrected to the horizontal plane, mean-removed and low-pass
    filtered (Moe-Nilssen 1998; Mancini et al. 2012, doi:10.1186/1743-0003-9-59).

    Attributes
    ----------
    rms_ap_m_s2, rms_ml_m_s2, rms_m_s2 : float
        Root mean square of the AP, ML and horizontal acceleration.
    range_ap_m_s2, range_ml_m_s2 : float
        Peak-to-peak AP and ML acceleration.
    path_length_m_s2 : float
        Length of the AP-ML acceleration trajectory, ``Σ |Δa|``.
    mean_jerk_m_s3 : float
        Path length / duration (the mean horizontal jerk magnitude).
    jerk_m2_s5 : float
        ``0.5 · mean(|da/dt|²)`` (the JERK of Mancini et al. 2012, per unit time).
    ellipse_area_95_m2_s4 : float
        95 % prediction-ellipse area of the AP-ML acceleration (F-distribution scale, as the
        balance package's default; Schubert & Kirchner 2014).
    mean_tilt_deg : float
        Mean inclination of the sensor's vertical axis (the posture the correction removed).
    duration_s, lowpass_hz : float
    """

    rms_ap_m_s2: float
    rms_ml_m_s2: float
    rms_m_s2: float
    range_ap_m_s2: float
    range_ml_m_s2: float
    path_length_m_s2: float
    mean_jerk_m_s3: float
    jerk_m2_s5: float
    ellipse_area_95_m2_s4: float
    mean_tilt_deg: float
    duration_s: float
    lowpass_hz: float


def _horizontal_acc(
    acc: FloatArray, *, ap_axis: str | ArrayLike, mean_gravity: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """AP and ML acceleration in the horizontal plane, and the unit up vector (sensor frame)."""
    up = mean_gravity / np.linalg.norm(mean_gravity)
    ap = _unit_axis(ap_axis, name="ap_axis")
    ap_h = ap - (ap @ up) * up
    norm = float(np.linalg.norm(ap_h))
    if norm < 0.2:
        raise InvalidParameterError(
            f"ap_axis {ap_axis!r} is within {math.degrees(math.asin(norm)):.0f}° of vertical; "
            "expected the sensor axis pointing forward"
        )
    ap_h /= norm
    ml_h = np.cross(up, ap_h)  # up × forward = left
    return acc @ ap_h, acc @ ml_h, up


def trunk_sway(
    acc_m_s2: ArrayLike,
    /,
    *,
    sampling_rate_hz: float,
    ap_axis: str | ArrayLike,
    lowpass_hz: float = 3.5,
) -> TrunkSway:
    """Postural sway measures from a trunk accelerometer during a stance exercise.

    The mean acceleration over the trial is gravity; it defines the vertical (Moe-Nilssen
    1998 tilt correction). ``ap_axis`` (the sensor axis pointing forward) projected on the
    horizontal plane gives AP; ML points to the left. The horizontal accelerations are
    mean-removed and low-pass filtered (zero-phase Butterworth, order 2 designed, 4 effective)
    at ``lowpass_hz`` (3.5 Hz as in Mancini et al. 2012).

    Parameters
    ----------
    acc_m_s2 : array_like, shape (n_samples, 3)
    sampling_rate_hz : float
    ap_axis : {"x", "-x", "y", "-y", "z", "-z"} or 3 numbers
        Sensor axis pointing forward (anterior).
    lowpass_hz : float, default 3.5

    Returns
    -------
    TrunkSway

    Examples
    --------
    A 0.5 Hz AP sway of amplitude 0.2 m/s²: RMS = 0.2/√2.

    >>> import numpy as np
    >>> t = np.arange(0, 30, 0.01)
    >>> acc = np.column_stack((0.2 * np.sin(np.pi * t), np.zeros_like(t),
    ...                        np.full_like(t, 9.81)))
    >>> s = trunk_sway(acc, sampling_rate_hz=100.0, ap_axis="x")
    >>> round(s.rms_ap_m_s2, 4), round(s.rms_ml_m_s2, 4)
    (0.1414, 0.0)
    """
    fs = check_sampling_rate(sampling_rate_hz)
    acc = _vector3(acc_m_s2, name="acc_m_s2", min_samples=max(16, round(fs)))
    cutoff = _check_positive("lowpass_hz", lowpass_hz)
    mean = acc.mean(axis=0)
    if float(np.linalg.norm(mean)) < 0.5 * GRAVITY_M_S2:
        raise SignalQualityError(
            f"mean acceleration is {np.linalg.norm(mean):.3g} m/s², far from gravity: not a "
            "stance trial, or the accelerometer is not in m/s²"
        )
    a_ap, a_ml, up = _horizontal_acc(acc, ap_axis=ap_axis, mean_gravity=mean)
    horiz = np.column_stack((a_ap - a_ap.mean(), a_ml - a_ml.mean()))
    horiz = zero_phase_butterworth(horiz, sampling_rate_hz=fs, cutoff_hz=cutoff, order=2)
    n = horiz.shape[0]
    duration = n / fs
    step = np.diff(horiz, axis=0)
    step_len = np.linalg.norm(step, axis=1)
    jerk = step * fs
    ellipse = prediction_ellipse(horiz[:, 0], horiz[:, 1], conventions=SwayConventions())
    rms_ap = float(np.sqrt(np.mean(horiz[:, 0] ** 2)))
    rms_ml = float(np.sqrt(np.mean(horiz[:, 1] ** 2)))
    vertical_axis = acc / np.linalg.norm(acc, axis=1, keepdims=True)
    # Tilt of the sensor's own "up" (the mean gravity direction) is the posture; report the
    # mean angle between the instantaneous gravity direction and the sensor's closest axis.
    closest = np.zeros(3)
    closest[int(np.argmax(np.abs(up)))] = np.sign(up[int(np.argmax(np.abs(up)))])
    tilt = np.degrees(np.arccos(np.clip(vertical_axis @ closest, -1.0, 1.0)))
    return TrunkSway(
        rms_ap_m_s2=rms_ap,
        rms_ml_m_s2=rms_ml,
        rms_m_s2=math.hypot(rms_ap, rms_ml),
        range_ap_m_s2=float(np.ptp(horiz[:, 0])),
        range_ml_m_s2=float(np.ptp(horiz[:, 1])),
        path_length_m_s2=float(step_len.sum()),
        mean_jerk_m_s3=float(step_len.sum()) / duration,
        jerk_m2_s5=0.5 * float(np.mean(np.sum(jerk * jerk, axis=1))),
        ellipse_area_95_m2_s4=ellipse.area_m2,
        mean_tilt_deg=float(np.mean(tilt)),
        duration_s=duration,
        lowpass_hz=cutoff,
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class BalanceLoss:
    """When a stance exercise ended (balance lost), from a trunk IMU.

    Attributes
    ----------
    time_s : float or None
        Time of the loss from the start of the signal; None when the stance was held to the
        end (a censored trial: the patient held at least ``held_s``).
    held_s : float
        Time in stance: ``time_s``, or the whole duration when not lost.
    criterion : str or None
        ``"tilt"``, ``"acceleration"`` or ``"angular_velocity"``: which threshold fired first.
    tilt_threshold_deg, acc_threshold_m_s2, gyr_threshold_rad_s, baseline_s : float
        The thresholds and the baseline window used.
    """

    time_s: float | None
    held_s: float
    criterion: Literal["tilt", "acceleration", "angular_velocity"] | None
    tilt_threshold_deg: float
    acc_threshold_m_s2: float
    gyr_threshold_rad_s: float
    baseline_s: float


def time_to_loss_of_balance(
    acc_m_s2: ArrayLike,
    gyr_rad_s: ArrayLike,
    /,
    *,
    sampling_rate_hz: float,
    baseline_s: float = 1.0,
    tilt_threshold_deg: float = 10.0,
    acc_threshold_m_s2: float = 2.0,
    gyr_threshold_rad_s: float = math.radians(60.0),
    lowpass_hz: float = 5.0,
) -> BalanceLoss:
    """Time to loss of balance in a stance exercise (e.g. single-leg stance) from a trunk IMU.

    After the first ``baseline_s`` (the settled starting posture), balance counts as lost at
    the first sample where, after a zero-phase low-pass at ``lowpass_hz``:

    * ``"tilt"``: the trunk's inclination differs from the baseline posture by more than
      ``tilt_threshold_deg`` (gravity direction of the accelerometer), or
    * ``"acceleration"``: the acceleration differs from the baseline mean by more than
      ``acc_threshold_m_s2`` (a step or a foot touching down jolts the trunk), or
    * ``"angular_velocity"``: the trunk rotates faster than ``gyr_threshold_rad_s`` (a
      corrective trunk or arm movement).

    The defaults are heuristics chosen to lie well above quiet single-leg sway (trunk
    acceleration RMS ~0.1-0.3 m/s², angular velocity < 20 deg/s) and below the jolt of a
    touch-down; they are not validated against a clinical gold standard. Check them on the
    patient's own recordings before relying on them.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 100.0
    >>> acc = np.tile([0, 0, 9.81], (1000, 1)); gyr = np.zeros((1000, 3))
    >>> acc[700:, 2] += 5.0  # a vertical jolt at 7 s (no tilt)
    >>> loss = time_to_loss_of_balance(acc, gyr, sampling_rate_hz=fs)
    >>> 6.9 < loss.time_s < 7.0, loss.criterion
    (True, 'acceleration')
    """
    fs = check_sampling_rate(sampling_rate_hz)
    acc = _vector3(acc_m_s2, name="acc_m_s2", min_samples=16)
    gyr = _vector3(gyr_rad_s, name="gyr_rad_s", min_samples=16)
    if acc.shape != gyr.shape:
        raise InvalidParameterError(
            f"acc_m_s2 and gyr_rad_s must have the same shape; got {acc.shape} and {gyr.shape}"
        )
    for name, value in (
        ("baseline_s", baseline_s),
        ("tilt_threshold_deg", tilt_threshold_deg),
        ("acc_threshold_m_s2", acc_threshold_m_s2),
        ("gyr_threshold_rad_s", gyr_threshold_rad_s),
        ("lowpass_hz", lowpass_hz),
    ):
        _check_positive(name, value)
    n = acc.shape[0]
    n_base = round(baseline_s * fs)
    if n_base >= n:
        raise SignalQualityError(
            f"the recording lasts {n / fs:.2f} s; baseline_s is {baseline_s:g} s: nothing is "
            "left to assess"
        )
    acc_f = zero_phase_butterworth(acc, sampling_rate_hz=fs, cutoff_hz=lowpass_hz, order=2)
    gyr_f = zero_phase_butterworth(gyr, sampling_rate_hz=fs, cutoff_hz=lowpass_hz, order=2)
    base = acc_f[:n_base].mean(axis=0)
    base_norm = float(np.linalg.norm(base))
    if base_norm < 0.5 * GRAVITY_M_S2:
        raise SignalQualityError(
            f"mean acceleration in the baseline is {base_norm:.3g} m/s², far from gravity: not "
            "a stance trial, or the accelerometer is not in m/s²"
        )
    norms = np.linalg.norm(acc_f, axis=1)
    cos_tilt = np.clip(acc_f @ base / (norms * base_norm + 1e-300), -1.0, 1.0)
    tilt = np.degrees(np.arccos(cos_tilt))
    jolt = np.linalg.norm(acc_f - base, axis=1)
    spin = np.linalg.norm(gyr_f, axis=1)
    tests: list[tuple[Literal["tilt", "acceleration", "angular_velocity"], NDArray[np.bool_]]] = [
        ("tilt", tilt > tilt_threshold_deg),
        ("acceleration", jolt > acc_threshold_m_s2),
        ("angular_velocity", spin > gyr_threshold_rad_s),
    ]
    first: int | None = None
    criterion: Literal["tilt", "acceleration", "angular_velocity"] | None = None
    for name, mask in tests:
        hits = np.flatnonzero(mask[n_base:])
        if hits.size and (first is None or int(hits[0]) + n_base < first):
            first, criterion = int(hits[0]) + n_base, name
    time_s = None if first is None else first / fs
    return BalanceLoss(
        time_s=time_s,
        held_s=n / fs if time_s is None else time_s,
        criterion=criterion,
        tilt_threshold_deg=float(tilt_threshold_deg),
        acc_threshold_m_s2=float(acc_threshold_m_s2),
        gyr_threshold_rad_s=float(gyr_threshold_rad_s),
        baseline_s=float(baseline_s),
    )


# --------------------------------------------------------------------------------------------
# One entry point for a recording


@dataclass(frozen=True, slots=True, kw_only=True)
class PhaseSmoothness:
    """Smoothness of one phase of a repetition.

    SPARC and LDLJ are defined for one discrete movement, so each rep is split at its peak:
    ``"out"`` (start to peak) and ``"back"`` (peak to end) are assessed separately.
    """

    rep_index: int
    phase: Literal["out", "back"]
    smoothness: SmoothnessResult


@dataclass(frozen=True, slots=True, kw_only=True)
class ImuAnalysis:
    """What :func:`analyze_imu_recording` found in a recording.

    Attributes
    ----------
    measure : str
        ``"strides"``, ``"smoothness"``, ``"angle"``, ``"repositioning_error"`` or ``"sway"``.
    sensors : tuple of str
        Sensors analysed.
    sampling_rate_hz, duration_s : float
    strides : dict of str to StrideList
        Per foot sensor (``measure="strides"``).
    repetitions : RepetitionAnalysis or None
        Repetitions found in the segment angle (smoothness and angle measures) by
        :func:`reeducate.movement.reps.segment_repetitions`: count, ROM, tempo, hold; feed it
        to :func:`reeducate.movement.quality.score_movement`.
    rep_smoothness : tuple of PhaseSmoothness
        SPARC and LDLJ of the angular speed of each phase (out, back) of each rep (given for
        ``"smoothness"`` and ``"angle"``).
    angle_deg : ndarray or None
        The segment angle analysed (rotation from the first hold or the start, deg).
    range_of_motion_deg : float
        Largest angle change over the recording (angle measures).
    repositioning : RepositioningResult or None
    sway : TrunkSway or None
    balance_loss : BalanceLoss or None
    notes : tuple of str
        What was assumed (axes, windows) and anything a clinician should know.
    """

    measure: ImuMeasure
    sensors: tuple[str, ...]
    sampling_rate_hz: float
    duration_s: float
    strides: Mapping[str, StrideList] = field(default_factory=lambda: MappingProxyType({}))
    repetitions: RepetitionAnalysis | None = None
    rep_smoothness: tuple[PhaseSmoothness, ...] = ()
    angle_deg: FloatArray | None = None
    range_of_motion_deg: float = math.nan
    repositioning: RepositioningResult | None = None
    sway: TrunkSway | None = None
    balance_loss: BalanceLoss | None = None
    notes: tuple[str, ...] = ()

    @property
    def n_reps(self) -> int:
        """Dose done: strides, repetitions or reproductions found (0 for sway)."""
        if self.measure == "strides":
            return sum(s.n_strides for s in self.strides.values())
        if self.repositioning is not None:
            return len(self.repositioning.attempts)
        return self.repetitions.count if self.repetitions is not None else 0

    def summary(self) -> tuple[str, ...]:
        """The findings in plain words, one line each (for a report or the CLI)."""
        lines: list[str] = []
        for name, st in self.strides.items():
            t = st.stride_time_s
            mean = f", stride time {np.mean(t):.2f} ± {np.std(t):.2f} s" if t.size else ""
            lines.append(f"{name}: {st.n_strides} strides{mean}")
        if self.repetitions is not None:
            lines.append(
                f"{self.repetitions.count} repetitions, range of motion "
                f"{self.repetitions.rom.mean:.1f}° (mean)"
            )
        if self.rep_smoothness:
            sparc_values = [p.smoothness.sparc for p in self.rep_smoothness]
            ldlj_values = [p.smoothness.log_dimensionless_jerk for p in self.rep_smoothness]
            lines.append(
                f"smoothness of {len(sparc_values)} movements (angular speed): SPARC "
                f"{np.mean(sparc_values):.2f} (closer to 0 is smoother; one bell ≈ -1.4), LDLJ "
                f"{np.mean(ldlj_values):.2f}"
            )
        if self.repositioning is not None:
            r = self.repositioning
            lines.append(
                f"repositioning: target {r.target_angle_deg:.1f}°, mean absolute error "
                f"{r.mean_absolute_error_deg:.1f}° over {len(r.attempts)} reproduction(s)"
            )
        if self.sway is not None:
            sw = self.sway
            lines.append(
                f"trunk sway: RMS {sw.rms_m_s2:.3f} m/s² (AP {sw.rms_ap_m_s2:.3f}, ML "
                f"{sw.rms_ml_m_s2:.3f}), 95 % ellipse {sw.ellipse_area_95_m2_s4:.4f} m²/s⁴"
            )
        if self.balance_loss is not None:
            bl = self.balance_loss
            lines.append(
                f"stance held the whole {bl.held_s:.1f} s"
                if bl.time_s is None
                else f"balance lost at {bl.time_s:.1f} s ({bl.criterion})"
            )
        return (*lines, *self.notes)


def _pick_sensor(
    recording: ImuRecording,
    sensor: str | None,
    *,
    measure: str,
    segment: str | None,
    side: str | None,
) -> ImuSensor:
    """The named sensor; the only one; or the one named after the segment (and side)."""
    if sensor is not None:
        return recording.sensor(sensor)
    if len(recording.sensors) == 1:
        return recording.sensors[0]
    if segment is not None:
        hits = [s for s in recording.sensors if segment.lower() in s.name.lower()]
        if side is not None and len(hits) > 1:
            hits = [s for s in hits if side in s.name.lower()]
        if len(hits) == 1:
            return hits[0]
    raise InvalidParameterError(
        f"{recording.source_name or 'recording'} has {len(recording.sensors)} sensors "
        f"({', '.join(recording.sensor_names)}) and none is named after the segment "
        f"{segment!r}{f' and side {side!r}' if side else ''}; pass sensor=NAME for measure "
        f"{measure!r}"
    )


def _foot_sensors(recording: ImuRecording, side: str | None) -> list[ImuSensor]:
    if side is not None and side not in ("left", "right"):
        raise InvalidParameterError(f"side must be 'left', 'right' or None; got {side!r}")
    sides = ("left", "right") if side is None else (side,)
    found = [s for s in recording.sensors if any(s.name.lower().startswith(x) for x in sides)]
    if not found:
        if len(recording.sensors) == 1 and side is None:
            return [recording.sensors[0]]
        raise NotFoundError(
            f"{recording.source_name or 'recording'}: no foot sensor named left*/right* "
            f"(sensors: {', '.join(recording.sensor_names)}); pass sensor=NAME"
        )
    return found


#: Movement onset and offset: angular speed below this fraction of the phase's peak speed.
ONSET_SPEED_RATIO: Final = 0.05


def _bell(speed: FloatArray, lo: int, hi: int) -> tuple[int, int]:
    """Onset and (exclusive) offset of the speed bell around the largest speed in [lo, hi)."""
    seg = speed[lo:hi]
    m = int(np.argmax(seg))
    below = seg < ONSET_SPEED_RATIO * seg[m]
    before = np.flatnonzero(below[:m])
    after = np.flatnonzero(below[m:])
    start = lo + (int(before[-1]) if before.size else 0)
    stop = lo + m + (int(after[0]) + 1 if after.size else seg.size - m)
    return start, stop


def phase_bounds(
    speed: FloatArray, repetitions: RepetitionAnalysis, /, *, sampling_rate_hz: float
) -> tuple[tuple[int, Literal["out", "back"], int, int], ...]:
    """Onset and offset of the "out" and "back" movements of each rep, from the speed.

    SPARC and LDLJ assess one discrete movement from rest to rest, so each phase is cut where
    the angular speed falls below :data:`ONSET_SPEED_RATIO` (5 %) of that phase's peak, a
    common onset convention in reaching studies. The "out" phase is searched between the
    previous rep's end and the peak, the "back" phase between the peak and the next rep's
    start. Returns ``(rep_index, phase, start_sample, stop_sample)`` tuples (0-based index).

    Examples
    --------
    >>> import numpy as np
    >>> from reeducate.movement.reps import segment_repetitions
    >>> t = np.arange(0, 4, 0.01)
    >>> angle = 20 * (1 - np.cos(np.pi * t))              # 2 reps, out and back each 1 s
    >>> speed = np.abs(np.gradient(angle, 0.01))
    >>> reps = segment_repetitions(angle, sampling_rate_hz=100.0)
    >>> [(k, p) for k, p, _, _ in phase_bounds(speed, reps, sampling_rate_hz=100.0)]
    [(0, 'out'), (0, 'back'), (1, 'out'), (1, 'back')]
    """
    fs = check_sampling_rate(sampling_rate_hz)
    n = speed.size
    reps = repetitions.repetitions
    out: list[tuple[int, Literal["out", "back"], int, int]] = []
    for k, rep in enumerate(reps):
        peak = min(n - 1, round(rep.peak_s * fs))
        lo = math.floor(reps[k - 1].end_s * fs) if k > 0 else 0
        hi = math.ceil(reps[k + 1].start_s * fs) + 1 if k + 1 < len(reps) else n
        lo = max(0, min(lo, math.floor(rep.start_s * fs)))
        hi = min(n, max(hi, math.ceil(rep.end_s * fs) + 1))
        if peak + 1 - lo >= 2:
            out.append((k, "out", *_bell(speed, lo, peak + 1)))
        if hi - peak >= 2:
            out.append((k, "back", *_bell(speed, peak, hi)))
    return tuple(out)


def analyze_imu_recording(
    recording: ImuRecording,
    /,
    *,
    measure: ImuMeasure,
    sensor: str | None = None,
    segment: str | None = None,
    side: Literal["left", "right"] | None = None,
    segment_axis: str | ArrayLike = "z",
    pitch_axis: str | ArrayLike = "y",
    ap_axis: str | ArrayLike = "x",
    min_range_deg: float = 10.0,
    still_threshold_rad_s: float = math.radians(10.0),
    smoothness_lowpass_hz: float | None = 6.0,
) -> ImuAnalysis:
    """Analyse an IMU recording for one measure of an exercise.

    Parameters
    ----------
    recording : ImuRecording
    measure : {"strides", "smoothness", "angle", "repositioning_error", "sway"}
        * ``"strides"``: foot-sensor strides (:func:`segment_strides`) on every sensor whose
          name starts with ``left``/``right`` (or ``side``), pitch rate about ``pitch_axis``
          (positive = toes down; gaitmap frame ``"y"``).
        * ``"angle"``: orientation (Madgwick), the segment's rotation from its starting
          posture about the dominant axis of the movement, range of motion and reps.
        * ``"smoothness"``: as ``"angle"``, plus SPARC and LDLJ of the angular speed of each
          rep (Melendez-Calderon et al. 2021 recommend the gyroscope's angular speed).
        * ``"repositioning_error"``: holds found where the sensor is still; the first is
          neutral, the first hold away from it (> 5°) the target, later ones reproductions.
        * ``"sway"``: trunk sway (:func:`trunk_sway`, forward axis ``ap_axis``) and time to
          loss of balance (:func:`time_to_loss_of_balance`).
    sensor : str, optional
        Sensor to analyse. Without it: the only sensor, or the one whose name contains
        ``segment`` (and ``side`` when several do), e.g. ``"trunk"`` for ``trunk_acc_x``.
    segment : str, optional
        The exercise's IMU segment (``head``, ``upper_arm``, ``trunk``, ``pelvis``, ``thigh``,
        ``shank``, ``foot``), used to find the sensor.
    side : {"left", "right"}, optional
        Foot for strides (default both).
    segment_axis, pitch_axis, ap_axis : axis names or 3-vectors in the sensor frame
    min_range_deg : float
        Smallest range of motion that counts as a repetition.
    still_threshold_rad_s : float
        Angular speed below which the sensor counts as still (holds).
    smoothness_lowpass_hz : float or None, default 6.0
        Zero-phase low-pass of the gyroscope before SPARC and LDLJ (None: unfiltered). LDLJ
        differentiates twice and is dominated by sensor noise without it (a 0.3 deg/s noise
        turns -4.5 into about -11); 6 Hz keeps voluntary movement (< 5 Hz) intact. SPARC barely
        depends on it.

    Returns
    -------
    ImuAnalysis

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.spatial.transform import Rotation
    >>> fs = 100.0
    >>> t = np.arange(0, 8, 1 / fs)
    >>> angle = np.radians(40) * (1 - np.cos(2 * np.pi * t / 2)) / 2   # 4 reps of 40°
    >>> rate = np.gradient(angle, 1 / fs)
    >>> r = Rotation.from_euler("y", angle[:, None])
    >>> acc = r.inv().apply([0, 0, 9.81])
    >>> gyr = np.column_stack((np.zeros_like(t), rate, np.zeros_like(t)))
    >>> rec = ImuRecording(sensors=(ImuSensor(name="thigh", acc_m_s2=acc, gyr_rad_s=gyr),),
    ...                    sampling_rate_hz=fs)
    >>> out = analyze_imu_recording(rec, measure="smoothness")
    >>> out.n_reps, round(out.repetitions.rom.mean), len(out.rep_smoothness)
    (4, 40, 8)
    >>> all(-1.7 < p.smoothness.sparc < -1.4 for p in out.rep_smoothness)  # one bell each
    True
    """
    fs = recording.sampling_rate_hz
    notes: list[str] = []
    if measure == "strides":
        feet = [recording.sensor(sensor)] if sensor is not None else _foot_sensors(recording, side)
        axis = _unit_axis(pitch_axis, name="pitch_axis")
        strides = MappingProxyType(
            {s.name: segment_strides(s.gyr_rad_s @ axis, sampling_rate_hz=fs) for s in feet}
        )
        notes.append(
            f"pitch rate about sensor axis {np.round(axis, 3).tolist()} (positive = toes down)"
        )
        return ImuAnalysis(
            measure=measure,
            sensors=tuple(s.name for s in feet),
            sampling_rate_hz=fs,
            duration_s=recording.duration_s,
            strides=strides,
            notes=tuple(notes),
        )
    chosen = _pick_sensor(recording, sensor, measure=measure, segment=segment, side=side)
    if measure == "sway":
        sway = trunk_sway(chosen.acc_m_s2, sampling_rate_hz=fs, ap_axis=ap_axis)
        loss = time_to_loss_of_balance(chosen.acc_m_s2, chosen.gyr_rad_s, sampling_rate_hz=fs)
        notes.append("time to loss of balance uses heuristic thresholds (not validated)")
        return ImuAnalysis(
            measure=measure,
            sensors=(chosen.name,),
            sampling_rate_hz=fs,
            duration_s=recording.duration_s,
            sway=sway,
            balance_loss=loss,
            notes=tuple(notes),
        )
    if measure not in ("smoothness", "angle", "repositioning_error"):
        raise InvalidParameterError(
            "measure must be one of 'strides', 'smoothness', 'angle', 'repositioning_error', "
            f"'sway'; got {measure!r}"
        )
    orientation = estimate_orientation(chosen.acc_m_s2, chosen.gyr_rad_s, sampling_rate_hz=fs)
    holds = find_holds(
        chosen.gyr_rad_s, sampling_rate_hz=fs, still_threshold_rad_s=still_threshold_rad_s
    )
    if measure == "repositioning_error":
        repositioning = _auto_repositioning(orientation, holds, away_deg=5.0)
        notes.append(
            f"{len(holds)} still periods found; neutral = the first, target = the first more "
            "than 5° away, reproductions = the later ones"
        )
        return ImuAnalysis(
            measure=measure,
            sensors=(chosen.name,),
            sampling_rate_hz=fs,
            duration_s=recording.duration_s,
            repositioning=repositioning,
            notes=tuple(notes),
        )
    # Angle: rotation from the starting posture about the movement's dominant axis.
    reference = (
        (holds[0].start_sample, holds[0].stop_sample)
        if holds and holds[0].start_sample == 0
        else (0, max(1, min(recording.n_samples, round(0.2 * fs))))
    )
    rotvec = (
        orientation.rotation()[reference[0] : reference[1]].mean().inv() * orientation.rotation()
    ).as_rotvec()
    _, _, vt = np.linalg.svd(rotvec - rotvec.mean(axis=0), full_matrices=False)
    axis = vt[0]
    if float(np.sum(rotvec @ axis)) < 0:
        axis = -axis
    # Rotation vectors wrap at 180°; unwrap so a turn beyond it stays continuous.
    angle = np.degrees(np.unwrap(rotvec @ axis))
    notes.append(
        f"angle = rotation about sensor axis {np.round(axis, 2).tolist()} (the dominant axis of "
        f"the movement) from the posture held over samples {reference[0]}-{reference[1]}"
    )
    robust_range = float(np.subtract(*np.percentile(angle, [95, 5])))
    repetitions: RepetitionAnalysis | None = None
    smooth: tuple[PhaseSmoothness, ...] = ()
    if robust_range < min_range_deg:
        notes.append(
            f"no repetitions: the angle changed by {robust_range:.1f}° (5th-95th percentile), "
            f"less than min_range_deg = {min_range_deg:g}°"
        )
    else:
        repetitions = segment_repetitions(angle, sampling_rate_hz=fs)
        gyr_f = (
            zero_phase_butterworth(
                chosen.gyr_rad_s, sampling_rate_hz=fs, cutoff_hz=smoothness_lowpass_hz, order=2
            )
            if smoothness_lowpass_hz is not None
            else chosen.gyr_rad_s
        )
        speed = np.linalg.norm(gyr_f, axis=1)
        notes.append(
            "smoothness of the angular speed"
            + (
                f" after a zero-phase {smoothness_lowpass_hz:g} Hz low-pass (Butterworth, "
                "order 2 designed, 4 effective)"
                if smoothness_lowpass_hz is not None
                else ", unfiltered"
            )
            + "; each out/back movement cut at 5 % of its peak speed"
        )
        smooth = tuple(
            PhaseSmoothness(
                rep_index=k,
                phase=phase,
                smoothness=movement_smoothness(speed[lo:hi], sampling_rate_hz=fs),
            )
            for k, phase, lo, hi in phase_bounds(speed, repetitions, sampling_rate_hz=fs)
            if hi - lo >= 8
        )
    if segment_axis is not None:
        incl = segment_inclination_deg(orientation, segment_axis=segment_axis)
        notes.append(
            f"segment inclination from vertical (axis {segment_axis!r}): "
            f"{float(np.min(incl)):.1f}° to {float(np.max(incl)):.1f}°"
        )
    return ImuAnalysis(
        measure=measure,
        sensors=(chosen.name,),
        sampling_rate_hz=fs,
        duration_s=recording.duration_s,
        repetitions=repetitions,
        rep_smoothness=smooth,
        angle_deg=_readonly(angle),
        range_of_motion_deg=float(np.ptp(angle)),
        notes=tuple(notes),
    )
