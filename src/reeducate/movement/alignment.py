"""Alignment faults of common NMR exercises, from keypoints.

Each fault is a named measure (:data:`FAULTS`), a threshold the clinician can change, and the
share of the analysed frames above it. A fault is flagged when the measure exceeds its
threshold for at least ``min_time_ratio`` of the frames (default 10 %), so one noisy frame
never flags a fault.

==================== ======== ==============================================================
fault                view     measure (degrees)
==================== ======== ==============================================================
knee_valgus          frontal  knee frontal-plane projection angle, + valgus
                              (:func:`reeducate.movement.angles.joint_angle`)
trunk_lean_lateral   frontal  trunk (mid-hip -> mid-shoulder) from vertical, either side
trunk_lean_pelvis    frontal  shoulder line against the pelvis line (lean w.r.t. the pelvis,
                              OpenCap's distinction, opencap-processing#118)
trunk_lean_forward   sagittal trunk flexion from vertical
pelvic_drop          frontal  pelvis line below horizontal on ``side`` (+ = that hip lower)
hip_hike             frontal  pelvis line above horizontal on ``side`` (+ = that hip higher)
spine_flexion        sagittal change of the hip->shoulder->ear angle from the first 0.5 s:
                              a *proxy* for loss of neutral spine (keypoints do not see the
                              lumbar curve; OpenSim files give ``lumbar_extension`` instead)
==================== ======== ==============================================================

Thresholds are defaults to be set per patient: 10 deg of FPPA (2-D FPPA in single-leg squats
averages roughly 5-10 deg in healthy adults, Munro et al. 2012), 10 deg of trunk lean, 5 deg of
pelvic drop or hike, 15 deg of spine-angle change. They are not validated diagnostic cut-offs.

References
----------
Munro A, Herrington L, Carolan M (2012) J Sport Rehabil 21:7-11, doi:10.1123/jsr.21.1.7.
Uhlrich SD et al. (2023) PLoS Comput Biol 19(10):e1011462,
doi:10.1371/journal.pcbi.1011462 (trunk lean w.r.t. ground and pelvis).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
from numpy.typing import NDArray

from reeducate.errors import InvalidParameterError
from reeducate.movement.angles import (
    CameraView,
    Side,
    _Frame,
    detect_view,
    included_angle_deg,
    joint_angle,
    signed_angle_deg,
)
from reeducate.movement.keypoints import KeypointSeries

FloatArray = NDArray[np.float64]
FaultName = Literal[
    "knee_valgus",
    "trunk_lean_lateral",
    "trunk_lean_pelvis",
    "trunk_lean_forward",
    "pelvic_drop",
    "hip_hike",
    "spine_flexion",
]

FAULTS: Final[dict[str, tuple[Literal["sagittal", "frontal"], float, str]]] = {
    "knee_valgus": ("frontal", 10.0, "knee collapses inwards (valgus)"),
    "trunk_lean_lateral": ("frontal", 10.0, "trunk leans sideways"),
    "trunk_lean_pelvis": ("frontal", 10.0, "trunk bends sideways on the pelvis"),
    "trunk_lean_forward": ("sagittal", 10.0, "trunk leans forward"),
    "pelvic_drop": ("frontal", 5.0, "pelvis drops on the side"),
    "hip_hike": ("frontal", 5.0, "hip hikes up on the side"),
    "spine_flexion": ("sagittal", 15.0, "loses neutral spine (proxy)"),
}
"""fault -> (plane, default threshold in degrees, plain-language description)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AlignmentFault:
    """One alignment check.

    Attributes
    ----------
    name : str
        Key of :data:`FAULTS`.
    description : str
    side : {"left", "right"}
    peak_deg : float
        Largest value of the measure (95th percentile, robust to single-frame outliers).
    threshold_deg : float
    time_above_ratio : float
        Share of analysed frames above the threshold.
    flagged : bool
        ``time_above_ratio >= min_time_ratio``.
    values_deg : ndarray, shape (n_frames,)
        The measure over time.
    """

    name: str
    description: str
    side: Side
    peak_deg: float
    threshold_deg: float
    time_above_ratio: float
    flagged: bool
    values_deg: FloatArray

    @property
    def reason(self) -> str:
        """One line for a report."""
        state = "FAULT" if self.flagged else "ok"
        return (
            f"{self.description} ({self.side}): peak {self.peak_deg:.1f} deg, above "
            f"{self.threshold_deg:g} deg for {100 * self.time_above_ratio:.0f} % of the time "
            f"[{state}]"
        )


def _measure(series: KeypointSeries, name: str, side: Side, view: CameraView | None) -> FloatArray:
    plane = FAULTS[name][0]
    if name == "knee_valgus":
        return joint_angle(series, joint="knee", angle="frontal_plane_projection", side=side,
                           view=view or "auto").values_deg  # fmt: skip
    if name == "trunk_lean_forward":
        return joint_angle(series, joint="trunk", angle="flexion_extension", side=side,
                           view=view or "auto").values_deg  # fmt: skip
    if name == "trunk_lean_lateral":
        lean = joint_angle(series, joint="trunk", angle="lateral_flexion", side=side,
                           view=view or "auto").values_deg  # fmt: skip
        return np.abs(lean)
    f = _Frame(series, plane, view)
    if name == "trunk_lean_pelvis":
        hips = f("left_hip") - f("right_hip")
        shoulders = f("left_shoulder") - f("right_shoulder")
        return np.abs(signed_angle_deg(hips, shoulders))
    if name in ("pelvic_drop", "hip_hike"):
        own, other = f(f"{side}_hip"), f(f"{'right' if side == 'left' else 'left'}_hip")
        d = own - other
        drop = np.degrees(np.arctan2(-d[:, 1], np.abs(d[:, 0])))
        return np.asarray(drop if name == "pelvic_drop" else -drop, dtype=np.float64)
    if name == "spine_flexion":
        ang = included_angle_deg(f(f"{side}_hip"), f(f"{side}_shoulder"), f(f"{side}_ear"))
        n0 = max(1, round(0.5 * series.frame_rate_hz))
        base = np.nanmedian(ang[:n0]) if np.isfinite(ang[:n0]).any() else np.nan
        return np.asarray(np.abs(ang - base), dtype=np.float64)
    raise InvalidParameterError(f"fault must be one of {sorted(FAULTS)}; got {name!r}")


def check_alignment(
    series: KeypointSeries,
    /,
    *,
    faults: tuple[str, ...],
    side: Side,
    view: CameraView | Literal["auto"] = "auto",
    thresholds_deg: dict[str, float] | None = None,
    min_time_ratio: float = 0.1,
) -> tuple[AlignmentFault, ...]:
    """Check the named alignment faults on one side (see the module's table).

    Faults whose plane is not the camera's (2-D) are skipped, not guessed; the result holds
    only the faults that could be measured.

    Example
    -------
    >>> import numpy as np
    >>> names = ("left_hip", "right_hip", "left_knee", "left_ankle",
    ...          "left_shoulder", "right_shoulder")
    >>> frame = [[120, 100], [80, 100], [110, 200], [125, 300], [125, 0], [75, 0]]
    >>> s = KeypointSeries(positions=np.array([frame] * 30, float), confidence=np.ones((30, 6)),
    ...                    keypoint_names=names, frame_rate_hz=30.0, unit="px",
    ...                    skeleton="markers")
    >>> [f.flagged for f in check_alignment(s, faults=("knee_valgus",), side="left",
    ...                                     view="front")]
    [True]
    """
    if side not in ("left", "right"):
        raise InvalidParameterError(f"side must be 'left' or 'right'; got {side!r}")
    unknown = [f for f in faults if f not in FAULTS]
    if unknown:
        raise InvalidParameterError(f"faults must be among {sorted(FAULTS)}; got {unknown}")
    thresholds = dict(thresholds_deg or {})
    used: CameraView | None = None
    if series.n_dims == 2:
        used = detect_view(series).view if view == "auto" else view
        cam_plane = "sagittal" if used in ("facing_right", "facing_left") else "frontal"
    out = []
    for name in faults:
        plane, default, description = FAULTS[name]
        if series.n_dims == 2 and plane != cam_plane:
            continue
        with np.errstate(invalid="ignore"):
            values = _measure(series, name, side, used)
        finite = values[np.isfinite(values)]
        thr = float(thresholds.get(name, default))
        if finite.size == 0:
            continue
        above = float(np.mean(finite > thr))
        out.append(
            AlignmentFault(
                name=name,
                description=description,
                side=side,
                peak_deg=float(np.percentile(finite, 95)),
                threshold_deg=thr,
                time_above_ratio=above,
                flagged=above >= min_time_ratio,
                values_deg=values,
            )
        )
    return tuple(out)
