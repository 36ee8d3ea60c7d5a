"""KeypointSeries invariants, skeleton tables and marker names."""

from __future__ import annotations

import numpy as np
import pytest

from reeducate.errors import InvalidParameterError, NotFoundError
from reeducate.movement.keypoints import KeypointSeries
from reeducate.movement.skeletons import (
    BODY25,
    BODY25B,
    COCO17,
    MEDIAPIPE33,
    canonical_marker_name,
    segments_for,
)


def _s(**kw: object) -> KeypointSeries:
    base: dict[str, object] = {
        "positions": np.zeros((3, 2, 2)),
        "confidence": np.ones((3, 2)),
        "keypoint_names": ("left_hip", "left_knee"),
        "frame_rate_hz": 30.0,
        "unit": "px",
        "skeleton": "markers",
    }
    return KeypointSeries(**(base | kw))  # type: ignore[arg-type]


def test_copies_are_read_only_and_missing_means_zero_confidence() -> None:
    pos = np.zeros((3, 2, 2))
    pos[1, 0] = np.nan
    s = _s(positions=pos)
    pos[0, 0, 0] = 99.0
    assert s.positions[0, 0, 0] == 0.0  # a copy
    assert not s.positions.flags.writeable
    assert s.confidence[1, 0] == 0.0
    assert s.vertical_axis == 1 and s.vertical_sign == -1  # image y points down
    assert s.times_s.tolist() == pytest.approx([0, 1 / 30, 2 / 30])


@pytest.mark.parametrize(
    ("kw", "match"),
    [
        ({"positions": np.zeros((3, 2, 4))}, "positions must have shape"),
        ({"confidence": np.ones((3, 3))}, "confidence must have shape"),
        ({"confidence": np.full((3, 2), 2.0)}, r"confidence must lie in \[0, 1\]"),
        ({"keypoint_names": ("a", "a")}, "unique"),
        ({"frame_rate_hz": 0.0}, "frame_rate_hz"),
        ({"unit": "cm"}, "unit"),
        ({"positions": np.zeros((3, 2, 3))}, "must be 2-D"),
        ({"time_s": np.array([0.0, 0.0, 1.0])}, "strictly increasing"),
    ],
)
def test_refusals(kw: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        _s(**kw)


def test_index_names_what_exists() -> None:
    with pytest.raises(NotFoundError, match="left_ankle"):
        _s().point("left_ankle")


def test_tables() -> None:
    assert len(MEDIAPIPE33) == 33 and len(BODY25) == 25 and len(BODY25B) == 25
    assert len(COCO17) == 17
    for table in (MEDIAPIPE33, BODY25, BODY25B, COCO17):
        assert len(set(table)) == len(table)
    # spot checks against the sources' documented indices
    assert MEDIAPIPE33[25] == "left_knee" and MEDIAPIPE33[32] == "right_foot_index"
    assert BODY25[8] == "mid_hip" and BODY25[24] == "right_heel"
    assert BODY25B[17] == "neck" and BODY25B[18] == "head_top" and BODY25B[16] == "right_ankle"
    assert COCO17[15] == "left_ankle"
    assert ("left_knee", "left_ankle") in segments_for("body25b")
    with pytest.raises(InvalidParameterError):
        segments_for("body99")


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("RKnee", "right_knee"),
        ("LSmallToe", "left_small_toe"),
        ("R.Shoulder", "right_shoulder"),
        ("l_ankle", "left_ankle"),
        ("Neck", "neck"),
        ("Hip", "mid_hip"),
        ("Head", "head_top"),
    ],
)
def test_marker_names(raw: str, want: str) -> None:
    assert canonical_marker_name(raw) == want
