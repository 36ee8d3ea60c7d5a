"""An annotated copy of a video: each tracked person's skeleton and joint angles drawn on it.

Drawing uses OpenCV (``video`` extra). Keypoints come from
:func:`~reeducate.movement.pose.estimate.estimate_keypoints` (raw or cleaned); angle values
from :mod:`reeducate.movement.angles` (or any per-frame series in degrees). The copy has the
source's frame size and frame rate; frames without keypoints are copied unchanged.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from reeducate.errors import InvalidParameterError
from reeducate.movement.keypoints import KeypointSeries
from reeducate.movement.pose.estimate import _open_video, _require_video_extra
from reeducate.movement.skeletons import segments_for

# BGR colours, one per person (colour-blind-safe Okabe-Ito palette).
_PALETTE: tuple[tuple[int, int, int], ...] = (
    (0, 159, 230),  # orange
    (233, 180, 86),  # sky blue
    (115, 158, 0),  # bluish green
    (66, 228, 240),  # yellow
    (178, 114, 0),  # blue
    (0, 94, 213),  # vermillion
    (167, 121, 204),  # reddish purple
)


@dataclass(frozen=True, slots=True, kw_only=True)
class AngleOverlay:
    """One angle to print beside a keypoint on every frame.

    Attributes
    ----------
    label : str
        Short text, e.g. ``"R knee"``.
    anchor : str
        Keypoint beside which the value is written, e.g. ``"right_knee"``.
    values_deg : ndarray, shape (n_frames,)
        Angle in degrees per frame (NaN: nothing written that frame).
    person : int
        Index, in the ``people`` passed to :func:`annotate_video`, of the person it belongs to.
    """

    label: str
    anchor: str
    values_deg: NDArray[np.float64]
    person: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class AnnotatedVideo:
    """What :func:`annotate_video` wrote."""

    path: Path
    n_frames: int
    frame_rate_hz: float
    width_px: int
    height_px: int


def annotate_video(
    video_path: Path | str,
    output_path: Path | str,
    /,
    *,
    people: Sequence[KeypointSeries],
    angles: Sequence[AngleOverlay] = (),
    min_confidence: float = 0.0,
    fourcc: str = "mp4v",
    line_width_px: int | None = None,
) -> AnnotatedVideo:
    """Write a copy of ``video_path`` with skeletons and angle values drawn on it.

    Parameters
    ----------
    video_path : Path or str
        The source video (the one the keypoints were estimated from).
    output_path : Path or str
        The annotated copy (e.g. ``.mp4``); must differ from ``video_path``.
    people : sequence of KeypointSeries
        Image keypoints (unit ``"px"``), one series per person, each with as many frames as
        the video (the frames beyond a shorter series are copied unchanged).
    angles : sequence of AngleOverlay
        Angle values to print beside keypoints (shown wrapped to (-180, 180] deg, on the
        outer side of the body).
    min_confidence : float
        Keypoints below this confidence are not drawn.
    fourcc : str
        Four-character codec code for OpenCV's writer (``"mp4v"`` is in every OpenCV build).
    line_width_px : int, optional
        Skeleton line width (default: frame height / 300, at least 2).

    Returns
    -------
    AnnotatedVideo

    Example
    -------
    Needs the ``video`` extra and a video, so it is not a doctest
    (``tests/unit/movement/pose/test_pose_annotate.py`` runs it)::

        result = estimate_keypoints("clip.mp4")
        annotate_video("clip.mp4", "clip_annotated.mp4",
                       people=[t.image for t in result.tracks])
    """
    cv2, _ = _require_video_extra()
    src, dst = Path(video_path), Path(output_path)
    if src.resolve() == dst.resolve():
        raise InvalidParameterError(f"output_path must differ from the video; got {dst}")
    if len(fourcc) != 4:
        raise InvalidParameterError(f"fourcc must have 4 characters; got {fourcc!r}")
    for i, s in enumerate(people):
        if s.unit != "px" or s.n_dims != 2:
            raise InvalidParameterError(
                f"people[{i}] must be 2-D image keypoints (unit 'px'); got unit {s.unit!r}, "
                f"{s.n_dims} coordinates"
            )
    for a in angles:
        if not 0 <= a.person < len(people):
            raise InvalidParameterError(
                f"angle {a.label!r}: person must index people (0..{len(people) - 1}); "
                f"got {a.person}"
            )
        people[a.person].index(a.anchor)  # NotFoundError naming the keypoint
    segments = [
        [(s.index(a), s.index(b)) for a, b in segments_for(s.skeleton if s.skeleton != "markers"
                                                           else s.keypoint_names)]
        for s in people
    ]  # fmt: skip
    cap, info = _open_video(src)
    lw = line_width_px or max(2, info.height_px // 300)
    font_scale = max(0.5, info.height_px / 1400)
    dst.parent.mkdir(parents=True, exist_ok=True)
    writer = cv2.VideoWriter(
        str(dst), cv2.VideoWriter_fourcc(*fourcc), info.frame_rate_hz,
        (info.width_px, info.height_px),
    )  # fmt: skip
    if not writer.isOpened():
        cap.release()
        raise InvalidParameterError(f"OpenCV cannot write {dst.name} with codec {fourcc!r}")
    n = 0
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                break
            for p, series in enumerate(people):
                if n >= series.n_frames:
                    continue
                colour = _PALETTE[p % len(_PALETTE)]
                xy = series.positions[n]
                shown = np.isfinite(xy).all(axis=1) & (series.confidence[n] >= min_confidence)
                for i, j in segments[p]:
                    if shown[i] and shown[j]:
                        cv2.line(frame, _pt(xy[i]), _pt(xy[j]), colour, lw, cv2.LINE_AA)
                for k in np.flatnonzero(shown):
                    cv2.circle(frame, _pt(xy[k]), lw + 1, (255, 255, 255), -1, cv2.LINE_AA)
            for a in angles:
                series = people[a.person]
                if n >= series.n_frames or n >= a.values_deg.shape[0]:
                    continue
                value = float(a.values_deg[n])
                anchor = series.positions[n, series.index(a.anchor)]
                if not (math.isfinite(value) and np.isfinite(anchor).all()):
                    continue
                shown_deg = (value + 180.0) % 360.0 - 180.0  # an unwrapped 381 reads as 21
                text = f"{a.label} {shown_deg:.0f} deg"
                # Labels go on the outer side of the body, so left and right do not overlap.
                centre_x = float(np.nanmedian(series.positions[n, :, 0]))
                if anchor[0] < centre_x:
                    (width, _), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX,
                                                    font_scale, lw)  # fmt: skip
                    org = (int(anchor[0]) - 2 * lw - 4 - width, int(anchor[1]))
                else:
                    org = (int(anchor[0]) + 2 * lw + 4, int(anchor[1]))
                cv2.putText(frame, text, org, cv2.FONT_HERSHEY_SIMPLEX, font_scale, (0, 0, 0),
                            3 * lw, cv2.LINE_AA)  # fmt: skip
                cv2.putText(frame, text, org, cv2.FONT_HERSHEY_SIMPLEX, font_scale,
                            (255, 255, 255), lw, cv2.LINE_AA)  # fmt: skip
            writer.write(frame)
            n += 1
    finally:
        cap.release()
        writer.release()
    return AnnotatedVideo(
        path=dst, n_frames=n, frame_rate_hz=info.frame_rate_hz, width_px=info.width_px,
        height_px=info.height_px,
    )  # fmt: skip


def _pt(xy: NDArray[np.float64], /) -> tuple[int, int]:
    return round(float(xy[0])), round(float(xy[1]))
