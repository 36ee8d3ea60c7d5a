"""Keypoint name tables of the skeletons reeducate reads, and the segments used to draw them.

Every table maps a keypoint *index* in the source format to a canonical ``snake_case`` name.
Names shared between skeletons mean the same anatomical point (``left_knee`` is the left knee
in every table). Left and right are the *person's* left and right, as in every pose model.

Sources of the tables:

* ``MEDIAPIPE33``: MediaPipe BlazePose landmark order (``mediapipe.solutions.pose.PoseLandmark``;
  Bazarevsky et al. 2020, arXiv:2006.10204).
* ``BODY25``: OpenPose ``BODY_25`` output order (``poseParameters.cpp``; Cao et al. 2021,
  doi:10.1109/TPAMI.2019.2929257).
* ``BODY25B``: OpenPose experimental ``BODY_25B`` order as used by Pose2Sim (``skeletons.py``):
  17 is the upper neck, 18 the top of the head.
* ``COCO17``: COCO keypoint order (Lin et al. 2014, doi:10.1007/978-3-319-10602-1_48).

Example
-------
>>> from reeducate.movement.skeletons import SKELETONS, segments_for
>>> SKELETONS["body25b"][13]
'left_knee'
>>> ("left_hip", "left_knee") in segments_for("coco17")
True
"""

from __future__ import annotations

from typing import Final

from reeducate.errors import InvalidParameterError

MEDIAPIPE33: Final[tuple[str, ...]] = (
    "nose",
    "left_eye_inner",
    "left_eye",
    "left_eye_outer",
    "right_eye_inner",
    "right_eye",
    "right_eye_outer",
    "left_ear",
    "right_ear",
    "mouth_left",
    "mouth_right",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_pinky",
    "right_pinky",
    "left_index",
    "right_index",
    "left_thumb",
    "right_thumb",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_foot_index",
    "right_foot_index",
)
"""MediaPipe BlazePose 33 landmarks, in model output order."""

BODY25: Final[tuple[str, ...]] = (
    "nose",
    "neck",
    "right_shoulder",
    "right_elbow",
    "right_wrist",
    "left_shoulder",
    "left_elbow",
    "left_wrist",
    "mid_hip",
    "right_hip",
    "right_knee",
    "right_ankle",
    "left_hip",
    "left_knee",
    "left_ankle",
    "right_eye",
    "left_eye",
    "right_ear",
    "left_ear",
    "left_big_toe",
    "left_small_toe",
    "left_heel",
    "right_big_toe",
    "right_small_toe",
    "right_heel",
)
"""OpenPose BODY_25, in output order."""

COCO17: Final[tuple[str, ...]] = (
    "nose",
    "left_eye",
    "right_eye",
    "left_ear",
    "right_ear",
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
)
"""COCO-17 keypoints (also MoveNet, RTMPose body, YOLO-pose), in output order."""

BODY25B: Final[tuple[str, ...]] = (
    *COCO17,  # BODY_25B starts with COCO-17's keypoints, in the same order
    "neck",
    "head_top",
    "left_big_toe",
    "left_small_toe",
    "left_heel",
    "right_big_toe",
    "right_small_toe",
    "right_heel",
)
"""OpenPose BODY_25B (Pose2Sim's default OpenPose model), in output order."""


SKELETONS: Final[dict[str, tuple[str, ...]]] = {
    "mediapipe33": MEDIAPIPE33,
    "body25": BODY25,
    "body25b": BODY25B,
    "coco17": COCO17,
}
"""Skeleton identifier (as in :attr:`KeypointSeries.skeleton`) to name table."""

_LIMBS: Final[tuple[tuple[str, str], ...]] = (
    ("left_shoulder", "right_shoulder"),
    ("left_hip", "right_hip"),
    ("left_shoulder", "left_hip"),
    ("right_shoulder", "right_hip"),
    ("left_shoulder", "left_elbow"),
    ("left_elbow", "left_wrist"),
    ("right_shoulder", "right_elbow"),
    ("right_elbow", "right_wrist"),
    ("left_hip", "left_knee"),
    ("left_knee", "left_ankle"),
    ("right_hip", "right_knee"),
    ("right_knee", "right_ankle"),
    # feet (each pair is kept only where both names exist in the skeleton)
    ("left_ankle", "left_heel"),
    ("right_ankle", "right_heel"),
    ("left_heel", "left_big_toe"),
    ("right_heel", "right_big_toe"),
    ("left_ankle", "left_big_toe"),
    ("right_ankle", "right_big_toe"),
    ("left_big_toe", "left_small_toe"),
    ("right_big_toe", "right_small_toe"),
    ("left_heel", "left_foot_index"),
    ("right_heel", "right_foot_index"),
    ("left_ankle", "left_foot_index"),
    ("right_ankle", "right_foot_index"),
    # hands (MediaPipe)
    ("left_wrist", "left_index"),
    ("right_wrist", "right_index"),
    ("left_wrist", "left_pinky"),
    ("right_wrist", "right_pinky"),
    ("left_wrist", "left_thumb"),
    ("right_wrist", "right_thumb"),
    # head and neck
    ("neck", "nose"),
    ("neck", "head_top"),
    ("neck", "left_shoulder"),
    ("neck", "right_shoulder"),
    ("neck", "mid_hip"),
    ("mid_hip", "left_hip"),
    ("mid_hip", "right_hip"),
    ("nose", "left_eye"),
    ("nose", "right_eye"),
    ("left_eye", "left_ear"),
    ("right_eye", "right_ear"),
    ("mouth_left", "mouth_right"),
)


def segments_for(skeleton: str | tuple[str, ...], /) -> tuple[tuple[str, str], ...]:
    """Return the pairs of keypoint names to join when drawing a skeleton.

    Parameters
    ----------
    skeleton : str or tuple of str
        A skeleton identifier of :data:`SKELETONS`, or the keypoint names of a series (for
        ``"markers"`` series only the pairs whose two names are present are returned).

    Returns
    -------
    tuple of (str, str)
        Segments whose two ends both exist in the skeleton.

    Example
    -------
    >>> len(segments_for("mediapipe33")) > 20
    True
    """
    if isinstance(skeleton, str):
        if skeleton not in SKELETONS:
            raise InvalidParameterError(
                f"skeleton must be one of {sorted(SKELETONS)}; got {skeleton!r}"
            )
        names = set(SKELETONS[skeleton])
    else:
        names = set(skeleton)
    return tuple((a, b) for a, b in _LIMBS if a in names and b in names)


_MARKER_ALIASES: Final[dict[str, str]] = {
    "hip": "mid_hip",
    "chip": "mid_hip",
    "midhip": "mid_hip",
    "mid_hip": "mid_hip",
    "head": "head_top",
    "headtop": "head_top",
    "upperneck": "neck",
}


def canonical_marker_name(name: str, /) -> str:
    """Turn a marker or keypoint label into the canonical ``snake_case`` name.

    ``RKnee`` -> ``right_knee``, ``LBigToe`` -> ``left_big_toe``, ``R.Knee``/``r_knee`` ->
    ``right_knee``, ``Neck`` -> ``neck``, ``CHip``/``Hip`` -> ``mid_hip``. Labels that do
    not follow these patterns are only lower-cased, with spaces as underscores.

    Example
    -------
    >>> [canonical_marker_name(n) for n in ("RKnee", "LBigToe", "r_knee", "CHip", "C7")]
    ['right_knee', 'left_big_toe', 'right_knee', 'mid_hip', 'c7']
    """
    raw = name.strip()
    side = ""
    rest = raw
    if len(raw) > 1 and raw[0] in "LR" and (raw[1].isupper() or raw[1] in "._ "):
        side = "left_" if raw[0] == "L" else "right_"
        rest = raw[1:].lstrip("._ ")
    elif len(raw) > 2 and raw[0] in "lr" and raw[1] in "._":
        side = "left_" if raw[0] == "l" else "right_"
        rest = raw[2:]
    snake = ""
    for i, ch in enumerate(rest):
        if ch.isupper() and i > 0 and (rest[i - 1].islower() or rest[i - 1].isdigit()):
            snake += "_"
        snake += ch.lower()
    snake = snake.replace(" ", "_").replace(".", "_").replace("-", "_")
    if not side:
        return _MARKER_ALIASES.get(snake, snake)
    return side + snake
