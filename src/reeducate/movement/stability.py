"""Postural stability from keypoints: sway of the body's centre, single-leg stance time.

The body's centre of mass is estimated from keypoints with the segment masses and centre-of-
mass locations of Dempster's data as tabulated by Winter (2009, Table 4.1): head and neck 8.1 %
(at the ear), trunk 49.7 % (half-way from the hips to the shoulders), upper arm 2.8 % (43.6 %
from the shoulder), forearm and hand 2.2 % (68.2 % from the elbow to the wrist), thigh 10 %
(43.3 % from the hip), shank 4.65 % (43.3 % from the knee), foot 1.45 % (half-way from the ankle
to the toe; the ankle when the skeleton has no toe). The fractions sum to 1.

Sway uses the positional metrics of :mod:`reeducate.balance` on the horizontal coordinates
(3-D keypoints) or the single visible horizontal axis (2-D), plus path length and mean speed.
For image keypoints the lengths are expressed in **body heights** estimated from the skeleton
(``unit = "body_height"``), since pixels have no physical size.

Time to loss of balance in single-leg stance: the lifted ankle must stay above the stance
ankle by at least ``min_lift_ratio`` of the leg length; the stance ends when it stays below for
``min_touch_s`` (foot down), as in the timed single-leg stance test (Springer et al. 2007).

References
----------
Winter DA (2009) Biomechanics and motor control of human movement, 4th ed. Wiley,
doi:10.1002/9780470549148 (Table 4.1, segment parameters).
Springer BA et al. (2007) Normative values for the unipedal stance test with eyes open and
closed. J Geriatr Phys Ther 30(1):8-15, doi:10.1519/00139143-200704000-00003.
"""

from __future__ import annotations

import itertools
import warnings
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
from numpy.typing import NDArray

from reeducate.balance.metrics.positional import positional_metrics
from reeducate.errors import InvalidParameterError, SignalQualityError
from reeducate.movement.angles import Side, _get
from reeducate.movement.keypoints import KeypointSeries

FloatArray = NDArray[np.float64]

# (mass fraction, proximal point, distal point, COM position from proximal)
_SEGMENTS: Final[tuple[tuple[float, str, str, float], ...]] = (
    (0.081, "head", "head", 1.0),
    (0.497, "mid_hip", "mid_shoulder", 0.5),
    (0.028, "left_shoulder", "left_elbow", 0.436),
    (0.028, "right_shoulder", "right_elbow", 0.436),
    (0.022, "left_elbow", "left_wrist", 0.682),
    (0.022, "right_elbow", "right_wrist", 0.682),
    (0.100, "left_hip", "left_knee", 0.433),
    (0.100, "right_hip", "right_knee", 0.433),
    (0.0465, "left_knee", "left_ankle", 0.433),
    (0.0465, "right_knee", "right_ankle", 0.433),
    (0.0145, "left_ankle", "left_toe", 0.5),
    (0.0145, "right_ankle", "right_toe", 0.5),
)


def _point(series: KeypointSeries, name: str) -> FloatArray:
    if name == "head":
        # mean of the ears visible in each frame, else the nose
        cands = [series.point(c) for c in ("left_ear", "right_ear", "nose") if series.has(c)]
        if not cands:
            return _get(series, "nose")  # raises NotFoundError naming it
        ears = np.stack(cands[:-1] if len(cands) == 3 else cands)
        with np.errstate(invalid="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN frames stay NaN
            head = np.nanmean(ears, axis=0)
        if len(cands) == 3:
            head = np.where(np.isnan(head), cands[-1], head)
        return np.asarray(head, dtype=np.float64)
    if name.endswith("_toe"):
        try:
            return _get(series, name)
        except LookupError:
            return _get(series, name.replace("_toe", "_ankle"))
    return _get(series, name)


def centre_of_mass(series: KeypointSeries, /) -> FloatArray:
    """Whole-body centre of mass from keypoints (Winter 2009 segment table), per frame.

    Returns
    -------
    ndarray, shape (n_frames, n_dims)
        In the series' unit and frame; NaN in frames where a needed keypoint is missing.

    Example
    -------
    >>> import numpy as np
    >>> from reeducate.movement.skeletons import COCO17
    >>> pos = np.zeros((1, 17, 2)); pos[0, :, 0] = 5.0   # every point at x = 5
    >>> s = KeypointSeries(positions=pos, confidence=np.ones((1, 17)), keypoint_names=COCO17,
    ...                    frame_rate_hz=30.0, unit="px", skeleton="coco17")
    >>> centre_of_mass(s)[0].tolist()
    [5.0, 0.0]
    """
    total = np.zeros((series.n_frames, series.n_dims))
    mass = 0.0
    for m, a, b, r in _SEGMENTS:
        pa, pb = _point(series, a), _point(series, b)
        total += m * (pa + r * (pb - pa))
        mass += m
    return np.asarray(total / mass, dtype=np.float64)


def _up_vector(series: KeypointSeries) -> FloatArray:
    up = np.zeros(series.n_dims)
    if series.unit == "px":
        up[1] = -1.0
        return up
    if series.vertical_axis is None:
        raise InvalidParameterError(
            "3-D keypoints must say which axis is vertical (vertical_axis) for stability"
        )
    up[series.vertical_axis] = float(series.vertical_sign)
    return up


def body_height(series: KeypointSeries, /) -> float:
    """Rough standing height: ankle->knee->hip->shoulder path plus 1.3 x shoulder->head.

    Only a normaliser to express image lengths in body heights (so sway can be compared
    between recordings at different camera distances); the 1.3 factor takes the ear or nose
    level up to the top of the head (about 13 % of stature from ear to vertex, Winter 2009
    Fig. 4.1). Median over frames, in the series' unit.
    """
    side = "left"
    chain = [f"{side}_ankle", f"{side}_knee", f"{side}_hip", f"{side}_shoulder"]
    pts = [_get(series, n) for n in chain]
    length = sum(np.linalg.norm(b - a, axis=1) for a, b in itertools.pairwise(pts))
    head = _point(series, "head")
    length = length + 1.3 * np.linalg.norm(head - pts[-1], axis=1)
    h = float(np.nanmedian(length)) if np.isfinite(length).any() else float("nan")
    if not np.isfinite(h) or h <= 0:
        raise SignalQualityError("body height cannot be estimated: legs or trunk not visible")
    return h


@dataclass(frozen=True, slots=True, kw_only=True)
class BodySway:
    """Sway of the body's centre of mass over a stance.

    Attributes
    ----------
    unit : {"m", "body_height"}
        Unit of the lengths (metres for metric keypoints, body heights for images).
    range_h, rms_h : float
        Range and RMS of the horizontal position (the visible horizontal axis in 2-D, the
        resultant in 3-D), mean removed.
    path_length : float
        Horizontal path length of the centre.
    mean_speed_per_s : float
        ``path_length / duration``.
    metrics : dict of str to float
        :func:`reeducate.balance.metrics.positional.positional_metrics` for 3-D data (the
        balance package's names carry ``_m``: here they are in ``unit``); empty in 2-D.
    duration_s : float
    """

    unit: Literal["m", "body_height"]
    range_h: float
    rms_h: float
    path_length: float
    mean_speed_per_s: float
    metrics: dict[str, float]
    duration_s: float


def body_sway(series: KeypointSeries, /) -> BodySway:
    """Sway of the keypoint centre of mass (frames with a missing centre are dropped).

    Example
    -------
    >>> import numpy as np
    >>> from reeducate.movement.skeletons import COCO17
    >>> rng = np.random.default_rng(0)
    >>> pos = np.zeros((60, 17, 2)); pos[:, :, 1] = np.linspace(0, 170, 17)
    >>> pos[:, :, 0] = 3 * np.sin(np.linspace(0, 2 * np.pi, 60))[:, None]
    >>> s = KeypointSeries(positions=pos, confidence=np.ones((60, 17)), keypoint_names=COCO17,
    ...                    frame_rate_hz=30.0, unit="mm", skeleton="coco17", vertical_axis=1)
    >>> round(body_sway(s).range_h, 3)
    0.006
    """
    com = centre_of_mass(series)
    ok = np.isfinite(com).all(axis=1)
    if ok.sum() < 3:
        raise SignalQualityError("centre of mass is missing in nearly every frame")
    com = com[ok]
    up = _up_vector(series)
    horiz = com - np.outer(com @ up, up)
    scale = {"m": 1.0, "mm": 1e-3}.get(series.unit)
    unit: Literal["m", "body_height"] = "m"
    if scale is None:
        scale = 1.0 / body_height(series)
        unit = "body_height"
    horiz = horiz * scale
    duration = float(ok.sum()) / series.frame_rate_hz
    path = float(np.linalg.norm(np.diff(horiz, axis=0), axis=1).sum())
    centred = horiz - horiz.mean(axis=0)
    metrics: dict[str, float] = {}
    if series.n_dims == 3:
        axes = [i for i in range(3) if i != int(np.argmax(np.abs(up)))]
        metrics = positional_metrics(horiz[:, axes[0]], horiz[:, axes[1]])
        radial = np.linalg.norm(centred, axis=1)
        rng_h = float(metrics["range_m"])
    else:
        radial = np.abs(centred[:, 0])
        rng_h = float(np.ptp(centred[:, 0]))
    return BodySway(unit=unit, range_h=rng_h, rms_h=float(np.sqrt(np.mean(radial**2))),
                    path_length=path, mean_speed_per_s=path / duration, metrics=metrics,
                    duration_s=duration)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class SingleLegStance:
    """Timed single-leg stance from keypoints.

    Attributes
    ----------
    stance_side : {"left", "right"}
    lift_off_s : float or None
        When the other foot left the ground (None: never lifted).
    touch_down_s : float or None
        When it came down for at least ``min_touch_s`` (None: held to the end).
    hold_s : float
        Time on one leg.
    lost_balance : bool
        Whether the foot came down before the recording ended.
    lift_ratio : ndarray, shape (n_frames,)
        Height of the lifted ankle above the stance ankle over the leg length.
    """

    stance_side: Side
    lift_off_s: float | None
    touch_down_s: float | None
    hold_s: float
    lost_balance: bool
    lift_ratio: FloatArray


def single_leg_stance(
    series: KeypointSeries,
    /,
    *,
    stance_side: Side,
    min_lift_ratio: float = 0.05,
    min_touch_s: float = 0.2,
) -> SingleLegStance:
    """Time on one leg until the lifted foot comes down (see the module).

    Example
    -------
    >>> import numpy as np
    >>> names = ("left_hip", "left_ankle", "right_hip", "right_ankle")
    >>> pos = np.tile(np.array([[0, 100], [0, 200], [20, 100], [20, 200]], float), (100, 1, 1))
    >>> pos[10:70, 3, 1] = 170.0                      # right foot up from 0.33 s to 2.33 s
    >>> s = KeypointSeries(positions=pos, confidence=np.ones((100, 4)), keypoint_names=names,
    ...                    frame_rate_hz=30.0, unit="px", skeleton="markers")
    >>> r = single_leg_stance(s, stance_side="left")
    >>> round(r.hold_s, 2), r.lost_balance
    (2.0, True)
    """
    if stance_side not in ("left", "right"):
        raise InvalidParameterError(f"stance_side must be 'left' or 'right'; got {stance_side!r}")
    other = "right" if stance_side == "left" else "left"
    up = _up_vector(series)
    stance = _get(series, f"{stance_side}_ankle")
    lifted = _get(series, f"{other}_ankle")
    leg = np.nanmedian(np.linalg.norm(_get(series, f"{stance_side}_hip") - stance, axis=1))
    if not np.isfinite(leg) or leg <= 0:
        raise SignalQualityError("leg length cannot be measured: hip or ankle not visible")
    lift = ((lifted - stance) @ up) / leg
    up_mask = np.nan_to_num(lift, nan=0.0) > min_lift_ratio
    t = series.times_s
    fs = series.frame_rate_hz
    if not up_mask.any():
        return SingleLegStance(stance_side=stance_side, lift_off_s=None, touch_down_s=None,
                               hold_s=0.0, lost_balance=False, lift_ratio=lift)  # fmt: skip
    start = int(np.argmax(up_mask))
    need = max(1, round(min_touch_s * fs))
    down = ~up_mask[start:]
    # first index where `need` consecutive frames are down
    run = np.convolve(down.astype(np.int32), np.ones(need, dtype=np.int32), mode="valid")
    hits = np.flatnonzero(run == need)
    if hits.size:
        end = start + int(hits[0])
        return SingleLegStance(stance_side=stance_side, lift_off_s=float(t[start]),
                               touch_down_s=float(t[end]), hold_s=float(t[end] - t[start]),
                               lost_balance=True, lift_ratio=lift)  # fmt: skip
    return SingleLegStance(stance_side=stance_side, lift_off_s=float(t[start]), touch_down_s=None,
                           hold_s=float(t[-1] - t[start]) + 1.0 / fs, lost_balance=False,
                           lift_ratio=lift)  # fmt: skip
