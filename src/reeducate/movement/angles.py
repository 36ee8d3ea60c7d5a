"""Joint and segment angles from keypoints (2-D and 3-D) and from OpenSim coordinates.

Conventions (one per joint and plane; tested on synthetic skeletons in all four views)
------------------------------------------------------------------------------------
Every angle is computed in a **named anatomical plane** for a **named side** (the person's
left or right). Points are first expressed in a 2-D *view frame* of that plane:

* **sagittal**: X = the person's forward direction, Y = up;
* **frontal**: X = towards the person's **left**, Y = up (as seen from the front);
* **transverse** (3-D only): X = forward, Y = towards the person's left (seen from above).

For image keypoints (unit ``"px"``, y down) the view frame comes from the camera view, which is
stated or detected **once per recording** (never flipped frame by frame, the main complaint of
Sports2D users, Sports2D#31/#35/#39): ``facing_right`` / ``facing_left`` (a side view; the
person faces that image direction) gives sagittal angles, ``front`` / ``back`` gives frontal
angles. A 2-D recording only measures angles in its own plane; asking for another raises
:class:`~reeducate.errors.DomainRuleError`. For metric 3-D keypoints the frame is built per
frame from the hips and the vertical axis, so all three planes are available (projected angles,
not Euler angles).

With ``signed(u, v)`` the angle from u to v, counter-clockwise positive, in (-180, 180]:

========================= ================ ======================================================
angle                     plane            definition (0 = anatomical standing position)
========================= ================ ======================================================
knee flexion_extension    sagittal         signed(shank, thigh): + flexion, - hyperextension
hip flexion_extension     sagittal         signed(trunk down, thigh): + flexion, - extension
ankle dorsiflexion_...    sagittal         signed(shank, heel->toe) - 90: + dorsiflexion
shoulder flexion_ext.     sagittal         signed(trunk down, upper arm): + flexion
elbow flexion_extension   sagittal         signed(upper arm, forearm): + flexion
trunk flexion_extension   sagittal         signed(hip->shoulder, up): + forward lean (flexion)
neck craniovertebral      sagittal         angle of C7->ear above the horizontal, forward (about
                                           50 deg upright; smaller = forward head); C7 is
                                           ``neck`` or the mid-shoulder point (a proxy)
knee frontal_plane_proj.  frontal          s * signed(thigh, shank): + valgus (knee medial)
hip abduction_adduction   frontal          s * signed(trunk down, thigh): + abduction
shoulder abduction_add.   frontal          s * signed(trunk down, upper arm): + abduction
trunk lateral_flexion     frontal          s * signed(hip->shoulder, up): + towards ``side``
trunk rotation            transverse       s * signed(hip line, shoulder line), lines right->left:
                                           + shoulders turned towards ``side`` (3-D only)
========================= ================ ======================================================

"trunk down" is the side's shoulder->hip line in the sagittal plane and the trunk's long axis
(mid-shoulder->mid-hip) in the frontal plane, where the shoulders are wider than the hips.
``s`` is +1 for the left side and -1 for the right, so that every angle means the same thing
on both sides. Flexion angles are *joint* angles (0 at full extension), not the *included*
angle between segments (180 at full extension): ``included = 180 - |flexion|``.

Wrap and unwrap: each frame's angle lies in (-180, 180]; a curve is then unwrapped over time
with a period of **360** deg (never 180, which folds true changes above 90 deg, a Sports2D
smell) on each NaN-free run. To compare runs separated by gaps (or a curve that drifted by a
turn, e.g. a somersault), :func:`wrap_deg` puts every value in one 360-deg window centred on
the curve's :func:`circular_mean_deg`.

Plane visibility: a 2-D recording measures an angle only while the person shows the camera
that plane. A person who turns (a jumping jack facing the camera, then a turn and a back flip)
is seen side-on for a while; :func:`plane_visibility` finds those frames per frame from the
same shoulder-width / trunk-length ratio that :func:`detect_view` uses (signed, so a person
who turns their back is not taken as facing the camera), as a running median over 0.5 s so
a shrug at the top of a jump does not cut the curve; ``joint_angle(..., visible_only=True)``
sets the angle to NaN (not measured) in the other frames.

References
----------
Wu G et al. (2002) ISB recommendation on definitions of joint coordinate system ... Part I.
J Biomech 35:543-548, doi:10.1016/S0021-9290(01)00222-6 (sign conventions).
Munro A, Herrington L, Carolan M (2012) Reliability of 2-dimensional video assessment of
frontal-plane dynamic knee valgus during common athletic screening tasks. J Sport Rehabil
21:7-11, doi:10.1123/jsr.21.1.7 (FPPA).
Pagnon D, Domalain M, Reveret L (2022) Pose2Sim. J Open Source Softw 7(77):4362,
doi:10.21105/joss.04362 (Sports2D/Pose2Sim angle definitions this table departs from).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
from numpy.typing import NDArray

from reeducate.errors import DomainRuleError, InvalidParameterError, NotFoundError
from reeducate.movement.coordinates import CoordinateSeries
from reeducate.movement.keypoints import KeypointSeries

FloatArray = NDArray[np.float64]
Side = Literal["left", "right"]
PlaneName = Literal["sagittal", "frontal", "transverse"]
CameraView = Literal["facing_right", "facing_left", "front", "back"]
_VIEWS: Final = ("facing_right", "facing_left", "front", "back")


def signed_angle_deg(u: FloatArray, v: FloatArray, /) -> FloatArray:
    """Angle from 2-D vectors ``u`` to ``v``, counter-clockwise positive, in (-180, 180].

    Parameters
    ----------
    u, v : ndarray, shape (..., 2)

    Example
    -------
    >>> import numpy as np
    >>> float(signed_angle_deg(np.array([1.0, 0.0]), np.array([0.0, 1.0])))
    90.0
    """
    cross = u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0]
    dot = u[..., 0] * v[..., 0] + u[..., 1] * v[..., 1]
    out = np.degrees(np.arctan2(cross, dot))
    return np.asarray(np.where(out == -180.0, 180.0, out), dtype=np.float64)


def included_angle_deg(a: FloatArray, b: FloatArray, c: FloatArray, /) -> FloatArray:
    """Unsigned angle at ``b`` between ``b->a`` and ``b->c``, in [0, 180] (2-D or 3-D).

    Computed as ``atan2(|u x v|, u . v)``, accurate near 0 and 180 (unlike ``arccos``).

    Example
    -------
    >>> import numpy as np
    >>> float(included_angle_deg(np.array([0.0, 1.0]), np.zeros(2), np.array([1.0, 0.0])))
    90.0
    """
    u = np.asarray(a, dtype=np.float64) - b
    v = np.asarray(c, dtype=np.float64) - b
    if u.shape[-1] == 2:
        cross = np.abs(u[..., 0] * v[..., 1] - u[..., 1] * v[..., 0])
    else:
        cross = np.linalg.norm(np.cross(u, v), axis=-1)
    return np.asarray(np.degrees(np.arctan2(cross, np.sum(u * v, axis=-1))), dtype=np.float64)


def unwrap_deg(angle_deg: FloatArray, /) -> FloatArray:
    """Unwrap an angle curve with a 360 deg period on each NaN-free run.

    Each run is shifted by a multiple of 360 so that its first value lies in (-180, 180].

    Example
    -------
    >>> import numpy as np
    >>> unwrap_deg(np.array([170.0, 179.0, -172.0, np.nan, 10.0])).tolist()
    [170.0, 179.0, 188.0, nan, 10.0]
    """
    x = np.array(angle_deg, dtype=np.float64, copy=True)
    finite = np.isfinite(x)
    if finite.all():
        out = np.unwrap(x, period=360.0)
        return np.asarray(out - 360.0 * np.round((out[0] - _wrap(out[0])) / 360.0))
    d = np.diff(np.concatenate(([0], finite.astype(np.int8), [0])))
    for a, b in zip(np.flatnonzero(d == 1), np.flatnonzero(d == -1), strict=True):
        seg = np.unwrap(x[a:b], period=360.0)
        x[a:b] = seg - 360.0 * np.round((seg[0] - _wrap(seg[0])) / 360.0)
    return x


def _wrap(a: float) -> float:
    w = (a + 180.0) % 360.0 - 180.0
    return 180.0 if w == -180.0 else w


def wrap_deg(angle_deg: FloatArray, /, *, center_deg: float = 0.0) -> FloatArray:
    """Wrap angles into the 360-deg window ``(center_deg - 180, center_deg + 180]``.

    NaN stays NaN. With ``center_deg=0`` this is the usual (-180, 180].

    Example
    -------
    >>> import numpy as np
    >>> wrap_deg(np.array([190.0, 550.0, -170.0, np.nan]), center_deg=90.0).tolist()
    [190.0, 190.0, 190.0, nan]
    >>> wrap_deg(np.array([190.0, -180.0])).tolist()
    [-170.0, 180.0]
    """
    x = np.asarray(angle_deg, dtype=np.float64)
    w = (x - center_deg + 180.0) % 360.0 - 180.0
    return np.asarray(np.where(w == -180.0, 180.0, w) + center_deg, dtype=np.float64)


def circular_mean_deg(angle_deg: FloatArray, /) -> float:
    """Circular mean of the finite values, in (-180, 180] (NaN when none or undefined).

    Example
    -------
    >>> import numpy as np
    >>> round(circular_mean_deg(np.array([170.0, -170.0, np.nan])), 6)
    180.0
    """
    x = np.radians(np.asarray(angle_deg, dtype=np.float64))
    x = x[np.isfinite(x)]
    if x.size == 0:
        return float("nan")
    s, c = float(np.mean(np.sin(x))), float(np.mean(np.cos(x)))
    if np.hypot(s, c) < 1e-12:
        return float("nan")
    return _wrap(float(np.degrees(np.arctan2(s, c))))


# --------------------------------------------------------------------------------------------
# View frames
# --------------------------------------------------------------------------------------------


def _mid(series: KeypointSeries, a: str, b: str) -> FloatArray:
    return np.asarray(0.5 * (series.point(a) + series.point(b)), dtype=np.float64)


def _get(series: KeypointSeries, name: str) -> FloatArray:
    """A keypoint, or a derived point (``mid_hip``, ``mid_shoulder``, ``*_toe``, ``c7``)."""
    if series.has(name):
        return np.asarray(series.point(name), dtype=np.float64)
    if name == "mid_hip":
        return _mid(series, "left_hip", "right_hip")
    if name in ("mid_shoulder", "neck"):
        return _mid(series, "left_shoulder", "right_shoulder")
    if name == "c7":
        return _get(series, "neck")
    if name.endswith("_toe"):
        side = name.split("_")[0]
        for alt in (f"{side}_big_toe", f"{side}_foot_index"):
            if series.has(alt):
                return np.asarray(series.point(alt), dtype=np.float64)
    return np.asarray(series.point(name), dtype=np.float64)  # raises NotFoundError


def _nanmedian(x: FloatArray) -> float:
    finite = x[np.isfinite(x)]
    return float(np.median(finite)) if finite.size else float("nan")


@dataclass(frozen=True, slots=True, kw_only=True)
class ViewDetection:
    """The camera view of a 2-D recording and how it was decided.

    Attributes
    ----------
    view : {"facing_right", "facing_left", "front", "back"}
    shoulder_width_ratio : float
        Median |x(left shoulder) - x(right shoulder)| / trunk length; large in a front or back
        view, small in a side view.
    consistency_ratio : float
        Share of frames whose own evidence agrees with ``view`` (1 = the person never turned).
    evidence : str
        What decided it, in words.
    """

    view: CameraView
    shoulder_width_ratio: float
    consistency_ratio: float
    evidence: str


def detect_view(series: KeypointSeries, /, *, frontal_width_ratio: float = 0.35) -> ViewDetection:
    """Decide once whether a 2-D recording is a side, front or back view.

    Front/back when the median shoulder width exceeds ``frontal_width_ratio`` of the trunk
    length (front when the person's left shoulder is on the image right). Otherwise a side
    view, facing the image direction of heel->toe (or, without feet, ear->nose).

    Raises
    ------
    DomainRuleError
        Not enough visible keypoints to decide; pass ``view`` explicitly.
    """
    ls, rs = _get(series, "left_shoulder"), _get(series, "right_shoulder")
    trunk = np.linalg.norm(_get(series, "mid_shoulder") - _get(series, "mid_hip"), axis=1)
    dx = ls[:, 0] - rs[:, 0]
    with np.errstate(invalid="ignore", divide="ignore"):
        width = _nanmedian(np.abs(dx) / trunk)
    if np.isfinite(width) and width > frontal_width_ratio:
        view: CameraView = "front" if _nanmedian(dx) > 0 else "back"
        per_frame = np.sign(dx[np.isfinite(dx)])
        agree = float(np.mean(per_frame == (1 if view == "front" else -1)))
        return ViewDetection(view=view, shoulder_width_ratio=width, consistency_ratio=agree,
                             evidence="left shoulder on the image "
                             + ("right" if view == "front" else "left"))  # fmt: skip
    fwd: FloatArray | None = None
    evidence = ""
    try:
        fwd = np.concatenate([_get(series, f"{s}_toe")[:, 0] - _get(series, f"{s}_heel")[:, 0]
                              for s in ("left", "right")])  # fmt: skip
        evidence = "heel->toe direction"
    except NotFoundError:
        try:
            ears = _mid(series, "left_ear", "right_ear")
            fwd = _get(series, "nose")[:, 0] - ears[:, 0]
            evidence = "ear->nose direction"
        except NotFoundError:
            fwd = None
    if fwd is None or not np.isfinite(fwd).any() or not np.isfinite(width):
        raise DomainRuleError(
            f"camera view of {series.source_name or 'the recording'} cannot be detected "
            "(needs shoulders, hips and feet or face keypoints); pass view= explicitly: "
            f"one of {list(_VIEWS)}"
        )
    view = "facing_right" if _nanmedian(fwd) > 0 else "facing_left"
    per = np.sign(fwd[np.isfinite(fwd)])
    agree = float(np.mean(per == (1 if view == "facing_right" else -1)))
    return ViewDetection(view=view, shoulder_width_ratio=width, consistency_ratio=agree,
                         evidence=evidence)  # fmt: skip


def shoulder_width_ratio(series: KeypointSeries, /) -> FloatArray:
    """Per frame ``(x(left shoulder) - x(right shoulder)) / trunk length`` of 2-D keypoints.

    Positive when the person's left shoulder is on the image right (facing the camera),
    negative with their back to it, near 0 side-on; NaN where a keypoint is missing. The
    median of its absolute value is :attr:`ViewDetection.shoulder_width_ratio`.
    """
    ls, rs = _get(series, "left_shoulder"), _get(series, "right_shoulder")
    trunk = np.linalg.norm(_get(series, "mid_shoulder") - _get(series, "mid_hip"), axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.asarray((ls[:, 0] - rs[:, 0]) / trunk, dtype=np.float64)


def plane_visibility(
    series: KeypointSeries,
    /,
    *,
    view: CameraView,
    frontal_width_ratio: float = 0.35,
    window_s: float = 0.5,
) -> NDArray[np.bool_]:
    """Frames in which a 2-D recording shows the person in the plane of ``view``.

    The signed :func:`shoulder_width_ratio` is smoothed by a running median over
    ``window_s`` (an odd number of frames; missing frames ignored) and compared with
    ``frontal_width_ratio``, the threshold of :func:`detect_view`: ``front`` needs it above
    the threshold, ``back`` below minus the threshold, a side view (``facing_right`` or
    ``facing_left``) within it. Frames where the ratio is unknown (no shoulders or hips in the
    whole window) are kept: an angle that needs those keypoints is NaN there anyway.

    Parameters
    ----------
    series : KeypointSeries
        2-D keypoints with shoulders and hips.
    view : {"facing_right", "facing_left", "front", "back"}
    frontal_width_ratio : float
        Shoulder width / trunk length above which a person faces (or turns their back to) the
        camera, > 0.
    window_s : float
        Length of the running median, >= 0 (0: frame by frame).

    Returns
    -------
    ndarray of bool, shape (n_frames,)

    Example
    -------
    >>> import numpy as np
    >>> names = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")
    >>> front = [[120.0, 100.0], [80.0, 100.0], [110.0, 200.0], [90.0, 200.0]]
    >>> side = [[102.0, 100.0], [98.0, 100.0], [101.0, 200.0], [99.0, 200.0]]
    >>> pos = np.array([front] * 20 + [side] * 20)              # turns side-on after 20 frames
    >>> s = KeypointSeries(positions=pos, confidence=np.ones((40, 4)), keypoint_names=names,
    ...                    frame_rate_hz=30.0, unit="px", skeleton="markers")
    >>> seen = plane_visibility(s, view="front")
    >>> int(seen.sum()), bool(seen[19]), bool(seen[20])
    (20, True, False)
    """
    if series.n_dims != 2:
        raise InvalidParameterError(
            f"plane_visibility needs 2-D keypoints; got {series.n_dims}-D"
        )
    if view not in _VIEWS:
        raise InvalidParameterError(f"view must be one of {list(_VIEWS)}; got {view!r}")
    if not frontal_width_ratio > 0:
        raise InvalidParameterError(
            f"frontal_width_ratio must be > 0; got {frontal_width_ratio!r}"
        )
    if not window_s >= 0:
        raise InvalidParameterError(f"window_s must be >= 0; got {window_s!r}")
    ratio = shoulder_width_ratio(series)
    half = round(window_s * series.frame_rate_hz) // 2
    if half > 0 and ratio.size:
        windows = np.lib.stride_tricks.sliding_window_view(
            np.pad(ratio, half, mode="edge"), 2 * half + 1
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows give NaN
            ratio = np.nanmedian(windows, axis=1)
    known = np.isfinite(ratio)
    with np.errstate(invalid="ignore"):
        if view == "front":
            seen = ratio > frontal_width_ratio
        elif view == "back":
            seen = ratio < -frontal_width_ratio
        else:
            seen = np.abs(ratio) <= frontal_width_ratio
    return np.asarray(seen | ~known, dtype=np.bool_)


_VIEW_PLANE: Final[dict[str, PlaneName]] = {
    "facing_right": "sagittal",
    "facing_left": "sagittal",
    "front": "frontal",
    "back": "frontal",
}

#: Smallest share of frames showing a plane for ``view="auto"`` to measure it there.
MIN_PLANE_SHARE: Final = 0.1


def _view_for_plane(series: KeypointSeries, plane: PlaneName) -> CameraView | None:
    """The view of the frames that show ``plane`` (a person who turns), if enough do."""
    known = np.isfinite(shoulder_width_ratio(series))
    need = max(3, MIN_PLANE_SHARE * series.n_frames)
    if plane == "frontal":
        counts = {v: int((plane_visibility(series, view=v) & known).sum())
                  for v in ("front", "back")}  # fmt: skip
        best: CameraView = "front" if counts["front"] >= counts["back"] else "back"
        return best if counts[best] >= need else None
    side_on = plane_visibility(series, view="facing_right") & known
    if plane != "sagittal" or side_on.sum() < need:
        return None
    only = series.with_positions(np.where(side_on[:, None, None], series.positions, np.nan))
    try:
        found = detect_view(only).view
    except DomainRuleError:
        return None
    return found if _VIEW_PLANE[found] == "sagittal" else None


class _Frame:
    """Projects keypoints into the 2-D view frame of one plane."""

    def __init__(self, series: KeypointSeries, plane: PlaneName, view: CameraView | None) -> None:
        self.series = series
        self.plane = plane
        self.view = view
        self._basis: tuple[FloatArray, FloatArray] | None = None
        if series.n_dims == 2:
            if view is None:
                raise InvalidParameterError("view must be given for 2-D keypoints")
            if _VIEW_PLANE[view] != plane:
                raise DomainRuleError(
                    f"{plane} angles need a {'side' if plane == 'sagittal' else 'front or back'}"
                    f" view; {series.source_name or 'this recording'} is a {view} view "
                    f"(2-D keypoints measure only the camera's plane)"
                )
            sx = -1.0 if view in ("facing_left", "back") else 1.0
            sy = -1.0 if series.unit == "px" else float(series.vertical_sign)
            self._scale = np.array([sx, sy])
        else:
            if series.vertical_axis is None:
                raise DomainRuleError(
                    f"3-D keypoints of {series.source_name or 'this recording'} do not say which "
                    "axis is vertical; the reader must set vertical_axis"
                )
            up = np.zeros(3)
            up[series.vertical_axis] = float(series.vertical_sign)
            ml = _get(series, "left_hip") - _get(series, "right_hip")
            ml = ml - (ml @ up)[:, None] * up[None, :]
            with np.errstate(invalid="ignore", divide="ignore"):
                ml = ml / np.linalg.norm(ml, axis=1, keepdims=True)
            ap = np.cross(ml, up[None, :])
            e1, e2 = {
                "sagittal": (ap, np.broadcast_to(up, ap.shape)),
                "frontal": (ml, np.broadcast_to(up, ap.shape)),
                "transverse": (ap, ml),
            }[plane]
            self._basis = (np.asarray(e1), np.asarray(e2))

    def __call__(self, name: str) -> FloatArray:
        p = _get(self.series, name)
        if self._basis is None:
            return np.asarray(p * self._scale, dtype=np.float64)
        e1, e2 = self._basis
        return np.stack([np.sum(p * e1, axis=1), np.sum(p * e2, axis=1)], axis=1)


_UP: Final = np.array([0.0, 1.0])


def _knee_flex(f: _Frame, s: str, sign: float) -> FloatArray:
    thigh = f(f"{s}_knee") - f(f"{s}_hip")
    shank = f(f"{s}_ankle") - f(f"{s}_knee")
    return signed_angle_deg(shank, thigh)


def _hip_flex(f: _Frame, s: str, sign: float) -> FloatArray:
    down = f(f"{s}_hip") - f(f"{s}_shoulder")
    return signed_angle_deg(down, f(f"{s}_knee") - f(f"{s}_hip"))


def _ankle_df(f: _Frame, s: str, sign: float) -> FloatArray:
    shank = f(f"{s}_ankle") - f(f"{s}_knee")
    foot = f(f"{s}_toe") - f(f"{s}_heel")
    return np.asarray(unwrap_fold(signed_angle_deg(shank, foot) - 90.0))


def unwrap_fold(x: FloatArray) -> FloatArray:
    """Wrap values into (-180, 180] (vectorised)."""
    w = (x + 180.0) % 360.0 - 180.0
    return np.asarray(np.where(w == -180.0, 180.0, w), dtype=np.float64)


def _shoulder_flex(f: _Frame, s: str, sign: float) -> FloatArray:
    down = f(f"{s}_hip") - f(f"{s}_shoulder")
    return signed_angle_deg(down, f(f"{s}_elbow") - f(f"{s}_shoulder"))


def _elbow_flex(f: _Frame, s: str, sign: float) -> FloatArray:
    return signed_angle_deg(f(f"{s}_elbow") - f(f"{s}_shoulder"), f(f"{s}_wrist") - f(f"{s}_elbow"))


def _trunk_flex(f: _Frame, s: str, sign: float) -> FloatArray:
    up = f("mid_shoulder") - f("mid_hip")
    return signed_angle_deg(up, np.broadcast_to(_UP, up.shape))


def _cva(f: _Frame, s: str, sign: float) -> FloatArray:
    v = f(f"{s}_ear") - f("c7")
    return np.asarray(np.degrees(np.arctan2(v[:, 1], v[:, 0])), dtype=np.float64)


def _fppa(f: _Frame, s: str, sign: float) -> FloatArray:
    thigh = f(f"{s}_knee") - f(f"{s}_hip")
    shank = f(f"{s}_ankle") - f(f"{s}_knee")
    return sign * signed_angle_deg(thigh, shank)


def _hip_abd(f: _Frame, s: str, sign: float) -> FloatArray:
    down = f("mid_hip") - f("mid_shoulder")
    return sign * signed_angle_deg(down, f(f"{s}_knee") - f(f"{s}_hip"))


def _shoulder_abd(f: _Frame, s: str, sign: float) -> FloatArray:
    down = f("mid_hip") - f("mid_shoulder")
    return sign * signed_angle_deg(down, f(f"{s}_elbow") - f(f"{s}_shoulder"))


def _trunk_lat(f: _Frame, s: str, sign: float) -> FloatArray:
    up = f("mid_shoulder") - f("mid_hip")
    return sign * signed_angle_deg(up, np.broadcast_to(_UP, up.shape))


def _trunk_rot(f: _Frame, s: str, sign: float) -> FloatArray:
    hips = f("left_hip") - f("right_hip")
    shoulders = f("left_shoulder") - f("right_shoulder")
    return sign * signed_angle_deg(hips, shoulders)


_Def = tuple[PlaneName, Callable[[_Frame, str, float], FloatArray]]

ANGLE_DEFINITIONS: Final[dict[tuple[str, str], _Def]] = {
    ("knee", "flexion_extension"): ("sagittal", _knee_flex),
    ("hip", "flexion_extension"): ("sagittal", _hip_flex),
    ("ankle", "dorsiflexion_plantarflexion"): ("sagittal", _ankle_df),
    ("shoulder", "flexion_extension"): ("sagittal", _shoulder_flex),
    ("elbow", "flexion_extension"): ("sagittal", _elbow_flex),
    ("trunk", "flexion_extension"): ("sagittal", _trunk_flex),
    ("neck", "craniovertebral"): ("sagittal", _cva),
    ("knee", "frontal_plane_projection"): ("frontal", _fppa),
    ("hip", "abduction_adduction"): ("frontal", _hip_abd),
    ("shoulder", "abduction_adduction"): ("frontal", _shoulder_abd),
    ("trunk", "lateral_flexion"): ("frontal", _trunk_lat),
    ("trunk", "rotation"): ("transverse", _trunk_rot),
}
"""(joint, angle) -> (plane, function of the view frame); see the module table."""


@dataclass(frozen=True, slots=True, kw_only=True)
class AngleCurve:
    """One angle over time, with everything needed to read it.

    Attributes
    ----------
    values_deg : ndarray, shape (n_frames,)
        Angle in degrees (NaN where a keypoint is missing), unwrapped over time.
    times_s : ndarray, shape (n_frames,)
    frame_rate_hz : float
    joint, angle, plane : str
        As in the exercise library (``knee``, ``flexion_extension``, ``sagittal``).
    side : {"left", "right"}
    source : {"keypoints_2d", "keypoints_3d", "opensim"}
    view : str
        Camera view for 2-D keypoints; ``"body frame"`` for 3-D; ``"model"`` for OpenSim.
    convention : str
        The sign convention in words.
    """

    values_deg: FloatArray
    times_s: FloatArray
    frame_rate_hz: float
    joint: str
    angle: str
    plane: str
    side: Side
    source: Literal["keypoints_2d", "keypoints_3d", "opensim"]
    view: str
    convention: str

    @property
    def label(self) -> str:
        """e.g. ``"right knee flexion_extension (sagittal)"``."""
        return f"{self.side} {self.joint} {self.angle} ({self.plane})"


CONVENTIONS: Final[dict[tuple[str, str], str]] = {
    ("knee", "flexion_extension"): "+ flexion, 0 = straight knee",
    ("hip", "flexion_extension"): "+ flexion, 0 = thigh in line with the trunk",
    ("ankle", "dorsiflexion_plantarflexion"): "+ dorsiflexion, 0 = foot at 90 deg to the shank",
    ("shoulder", "flexion_extension"): "+ flexion, 0 = arm along the trunk",
    ("elbow", "flexion_extension"): "+ flexion, 0 = straight elbow",
    ("trunk", "flexion_extension"): "+ forward lean from vertical",
    ("neck", "craniovertebral"): "C7->ear above horizontal; smaller = forward head",
    ("knee", "frontal_plane_projection"): "+ valgus (knee medial), - varus",
    ("hip", "abduction_adduction"): "+ abduction",
    ("shoulder", "abduction_adduction"): "+ abduction, 0 = arm along the trunk",
    ("trunk", "lateral_flexion"): "+ lean towards the stated side",
    ("trunk", "rotation"): "+ shoulders turned towards the stated side",
}


def _check_side(side: str) -> Side:
    if side not in ("left", "right"):
        raise InvalidParameterError(f"side must be 'left' or 'right'; got {side!r}")
    return "left" if side == "left" else "right"


def joint_angle(
    series: KeypointSeries,
    /,
    *,
    joint: str,
    angle: str,
    side: Side,
    view: CameraView | Literal["auto"] = "auto",
    visible_only: bool = False,
) -> AngleCurve:
    """Compute one joint or segment angle from keypoints (see the module's convention table).

    Parameters
    ----------
    series : KeypointSeries
        2-D image keypoints or metric 3-D keypoints with a vertical axis.
    joint, angle : str
        A key of :data:`ANGLE_DEFINITIONS`, e.g. ``"knee"``, ``"flexion_extension"``.
    side : {"left", "right"}
        The person's side.
    view : {"auto", "facing_right", "facing_left", "front", "back"}
        Camera view of 2-D keypoints; ``"auto"`` detects it once (:func:`detect_view`).
        Ignored for 3-D keypoints.
    visible_only : bool
        2-D keypoints: NaN (not measured) in frames where the person does not show the
        camera the angle's plane (:func:`plane_visibility`: side-on for a frontal angle,
        facing or back to the camera for a sagittal one). With ``view="auto"``, a recording
        whose prevailing view shows another plane is measured in the frames that show the
        angle's plane when at least :data:`MIN_PLANE_SHARE` of the frames do (a person who
        faces the camera for a while, then turns side-on). Ignored for 3-D keypoints.

    Raises
    ------
    InvalidParameterError
        Unknown joint/angle or side.
    DomainRuleError
        The angle's plane is not the camera's plane (2-D), or 3-D data lacks a vertical axis.
    NotFoundError
        A keypoint the angle needs is not in the skeleton.

    Example
    -------
    >>> import numpy as np
    >>> names = ("right_hip", "right_knee", "right_ankle")
    >>> pos = np.array([[[100.0, 100.0], [130.0, 200.0], [100.0, 300.0]]])  # knee forward
    >>> s = KeypointSeries(positions=pos, confidence=np.ones((1, 3)), keypoint_names=names,
    ...                    frame_rate_hz=30.0, unit="px", skeleton="markers")
    >>> c = joint_angle(s, joint="knee", angle="flexion_extension", side="right",
    ...                 view="facing_right")
    >>> round(float(c.values_deg[0]), 2)
    33.4
    """
    side = _check_side(side)
    key = (joint, angle)
    if key not in ANGLE_DEFINITIONS:
        raise InvalidParameterError(
            f"joint/angle must be one of {sorted(ANGLE_DEFINITIONS)}; got {key}"
        )
    plane, fn = ANGLE_DEFINITIONS[key]
    if series.n_dims == 2:
        if plane == "transverse":
            raise DomainRuleError(
                f"{joint} {angle} is a transverse-plane angle; it needs 3-D keypoints "
                f"({series.source_name or 'this recording'} is 2-D)"
            )
        used: CameraView | None
        if view == "auto":
            used = detect_view(series).view
            if visible_only and _VIEW_PLANE[used] != plane:
                used = _view_for_plane(series, plane) or used
        elif view in _VIEWS:
            used = view
        else:
            raise InvalidParameterError(
                f"view must be 'auto' or one of {list(_VIEWS)}; got {view!r}"
            )
        view_text: str = used
        source: Literal["keypoints_2d", "keypoints_3d"] = "keypoints_2d"
    else:
        used = None
        view_text = "body frame"
        source = "keypoints_3d"
    frame = _Frame(series, plane, used)
    sign = 1.0 if side == "left" else -1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        raw = fn(frame, side, sign)
    if visible_only and used is not None:
        raw = np.where(plane_visibility(series, view=used), raw, np.nan)
    return AngleCurve(
        values_deg=unwrap_deg(np.asarray(raw, dtype=np.float64)),
        times_s=series.times_s,
        frame_rate_hz=series.frame_rate_hz,
        joint=joint,
        angle=angle,
        plane=plane,
        side=side,
        source=source,
        view=view_text,
        convention=CONVENTIONS[key],
    )


# --------------------------------------------------------------------------------------------
# OpenSim coordinates (LaiUhlrich2022 / Rajagopal2016 models used by OpenCap)
# --------------------------------------------------------------------------------------------

OPENSIM_COORDINATES: Final[dict[tuple[str, str], tuple[str, float, bool]]] = {
    ("knee", "flexion_extension"): ("knee_angle_{s}", 1.0, True),
    ("hip", "flexion_extension"): ("hip_flexion_{s}", 1.0, True),
    ("hip", "abduction_adduction"): ("hip_adduction_{s}", -1.0, True),
    ("hip", "rotation"): ("hip_rotation_{s}", 1.0, True),
    ("ankle", "dorsiflexion_plantarflexion"): ("ankle_angle_{s}", 1.0, True),
    ("shoulder", "flexion_extension"): ("arm_flex_{s}", 1.0, True),
    ("shoulder", "abduction_adduction"): ("arm_add_{s}", -1.0, True),
    ("elbow", "flexion_extension"): ("elbow_flex_{s}", 1.0, True),
    ("trunk", "flexion_extension"): ("lumbar_extension", -1.0, False),
    ("trunk", "lateral_flexion"): ("lumbar_bending", 1.0, False),
    ("trunk", "rotation"): ("lumbar_rotation", 1.0, False),
}
"""(joint, angle) -> (OpenSim coordinate, sign to our convention, per side).

Signs follow the models' coordinate definitions: ``knee_angle`` + flexion, ``hip_flexion`` +
flexion, ``ankle_angle`` + dorsiflexion, ``hip_adduction``/``arm_add`` + adduction (negated
to + abduction), ``lumbar_extension`` + extension (negated to + flexion). ``lumbar_bending``
and ``lumbar_rotation`` are + towards the model's left; for the right side they are negated.
"""


_OPENSIM_PLANES: Final = {
    "flexion_extension": "sagittal",
    "dorsiflexion_plantarflexion": "sagittal",
    "rotation": "transverse",
}


def angle_from_coordinates(
    coords: CoordinateSeries, /, *, joint: str, angle: str, side: Side
) -> AngleCurve:
    """Take a joint angle from OpenSim coordinates, converted to this module's convention.

    Example
    -------
    >>> import numpy as np
    >>> c = CoordinateSeries(values=np.array([[10.0], [20.0]]), names=("knee_angle_l",),
    ...                      units=("deg",), frame_rate_hz=100.0)
    >>> angle_from_coordinates(c, joint="knee", angle="flexion_extension",
    ...                        side="left").values_deg.tolist()
    [10.0, 20.0]
    """
    side = _check_side(side)
    key = (joint, angle)
    if key not in OPENSIM_COORDINATES:
        raise DomainRuleError(
            f"{joint} {angle} is not a coordinate of the OpenSim model; available: "
            f"{sorted(OPENSIM_COORDINATES)}"
        )
    pattern, sign, per_side = OPENSIM_COORDINATES[key]
    name = pattern.format(s=side[0])
    values = coords.column(name)
    if coords.units[coords.names.index(name)] != "deg":
        raise DomainRuleError(f"column {name!r} is not an angle in degrees")
    if not per_side and side == "right" and angle in ("lateral_flexion", "rotation"):
        sign = -sign
    return AngleCurve(
        values_deg=np.asarray(sign * values, dtype=np.float64),
        times_s=coords.times_s,
        frame_rate_hz=coords.frame_rate_hz,
        joint=joint,
        angle=angle,
        plane=_OPENSIM_PLANES.get(angle, "frontal"),
        side=side,
        source="opensim",
        view="model",
        convention=CONVENTIONS.get(key, "+ as the OpenSim coordinate"),
    )
