"""Joint angles are invariant to translation, rotation and scale of the keypoints.

On synthetic skeletons built from random angles (checked against the construction) and on the
real Pose2Sim BODY_25B keypoints.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from numpy.testing import assert_allclose

from reeducate.io.keypoints import read_openpose_json
from reeducate.movement.angles import joint_angle
from reeducate.movement.keypoints import KeypointSeries

NAMES = (
    "left_shoulder",
    "left_hip",
    "left_knee",
    "left_ankle",
    "left_heel",
    "left_big_toe",
    "right_shoulder",
    "right_hip",
    "right_knee",
    "right_ankle",
)
JOINT_ANGLES = (
    ("hip", "flexion_extension"),
    ("knee", "flexion_extension"),
    ("ankle", "dorsiflexion_plantarflexion"),
)


def _rot(v: np.ndarray, deg: float) -> np.ndarray:
    a = np.radians(deg)
    return np.array([np.cos(a) * v[0] - np.sin(a) * v[1], np.sin(a) * v[0] + np.cos(a) * v[1]])


def _leg(hip_deg: float, knee_deg: float, ankle_deg: float) -> np.ndarray:
    """Side-view skeleton (image pixels, person facing right) with the given angles."""
    hip = np.array([0.0, 0.0])
    shoulder = np.array([0.0, 0.5])
    thigh = _rot(np.array([0.0, -1.0]), hip_deg)
    knee = hip + 0.45 * thigh
    shank = _rot(thigh, -knee_deg)
    ankle = knee + 0.43 * shank
    foot = _rot(shank, 90 + ankle_deg)
    pts = [
        shoulder,
        hip,
        knee,
        ankle,
        ankle - 0.05 * foot,
        ankle + 0.2 * foot,
        shoulder,
        hip,
        knee,
        ankle,
    ]
    return np.array([[400 + 300 * p[0], 600 - 300 * p[1]] for p in pts])


def _series(pos: np.ndarray) -> KeypointSeries:
    return KeypointSeries(
        positions=pos,
        confidence=np.ones(pos.shape[:2]),
        keypoint_names=NAMES,
        frame_rate_hz=30.0,
        unit="px",
        skeleton="markers",
    )


def _transform(pos: np.ndarray, angle_deg: float, scale: float, shift: np.ndarray) -> np.ndarray:
    a = np.radians(angle_deg)
    r = np.array([[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]])
    centre = np.nanmean(pos.reshape(-1, 2), axis=0)
    return np.asarray((pos - centre) @ r.T * scale + centre + shift)


angles_st = st.tuples(st.floats(-30, 120), st.floats(-10, 150), st.floats(-40, 40))
transform_st = st.tuples(
    st.floats(-60, 60), st.floats(0.05, 20.0), st.tuples(st.floats(-1e4, 1e4), st.floats(-1e4, 1e4))
)


@settings(max_examples=60, deadline=None)
@given(angles=angles_st, transform=transform_st)
def test_synthetic_angles_closed_form_and_invariant(
    angles: tuple[float, float, float], transform: tuple[float, float, tuple[float, float]]
) -> None:
    pos = _leg(*angles)[None]
    rot, scale, shift = transform
    moved = _transform(pos, rot, scale, np.array(shift))
    before = pos.copy()
    for (joint, angle), want in zip(JOINT_ANGLES, angles, strict=True):
        got = joint_angle(
            _series(pos), joint=joint, angle=angle, side="left", view="facing_right"
        ).values_deg
        # closed form: the construction's angle, to float rounding of a few rotations
        assert_allclose(got, [want], atol=1e-8)
        # rigid motion and scaling of the image: joint angles are relative, so unchanged;
        # tolerance covers rounding of coordinates up to 1e4 px
        assert_allclose(
            joint_angle(
                _series(moved), joint=joint, angle=angle, side="left", view="facing_right"
            ).values_deg,
            got,
            atol=1e-7,
        )
    assert np.array_equal(pos, before)  # inputs never mutated


@pytest.mark.shared_data
@settings(max_examples=25, deadline=None)
@given(transform=transform_st)
def test_pose2sim_angles_invariant(
    shared_data: Path, transform: tuple[float, float, tuple[float, float]]
) -> None:
    s = read_openpose_json(
        shared_data / "movement" / "pose2sim_openpose_cam01", frame_rate_hz=60.0, skeleton="body25b"
    )
    rot, scale, shift = transform
    moved = s.with_positions(_transform(np.asarray(s.positions), rot, scale, np.array(shift)))
    for side in ("left", "right"):
        want = joint_angle(
            s, joint="knee", angle="frontal_plane_projection", side=side, view="front"
        ).values_deg
        got = joint_angle(
            moved, joint="knee", angle="frontal_plane_projection", side=side, view="front"
        ).values_deg
        assert_allclose(got, want, atol=1e-7, equal_nan=True)
