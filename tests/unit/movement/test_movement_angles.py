"""Joint angles against closed forms on synthetic skeletons, in all four camera views and 3-D."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose
from synthetic_skeleton import NAMES, frontal, sagittal, to_3d, to_image

from reeducate.errors import DomainRuleError, InvalidParameterError, NotFoundError
from reeducate.movement.angles import (
    angle_from_coordinates,
    circular_mean_deg,
    detect_view,
    included_angle_deg,
    joint_angle,
    plane_visibility,
    unwrap_deg,
    wrap_deg,
)
from reeducate.movement.coordinates import CoordinateSeries
from reeducate.movement.keypoints import KeypointSeries

SAG = {
    "left": {"hip": 35.0, "knee": 60.0, "ankle": 12.0, "shoulder": 70.0, "elbow": 45.0},
    "right": {"hip": -10.0, "knee": 5.0, "ankle": -20.0, "shoulder": -25.0, "elbow": 100.0},
}
FRO = {
    "left": {"fppa": 12.0, "hip_abd": 8.0, "shoulder_abd": 80.0},
    "right": {"fppa": -6.0, "hip_abd": 20.0, "shoulder_abd": 30.0},
}
SAG_KEYS = {
    "hip": ("hip", "flexion_extension"),
    "knee": ("knee", "flexion_extension"),
    "ankle": ("ankle", "dorsiflexion_plantarflexion"),
    "shoulder": ("shoulder", "flexion_extension"),
    "elbow": ("elbow", "flexion_extension"),
}
FRO_KEYS = {
    "fppa": ("knee", "frontal_plane_projection"),
    "hip_abd": ("hip", "abduction_adduction"),
    "shoulder_abd": ("shoulder", "abduction_adduction"),
}
# Tolerance: the skeleton is built and measured in float64 with a few rotations; 1e-9 deg.
TOL = 1e-9


def _series(
    pos: np.ndarray, *, unit: str = "px", vertical_axis: int | None = None
) -> KeypointSeries:
    return KeypointSeries(
        positions=pos,
        confidence=np.ones(pos.shape[:2]),
        keypoint_names=NAMES,
        frame_rate_hz=30.0,
        unit=unit,
        skeleton="markers",  # type: ignore[arg-type]
        vertical_axis=vertical_axis,
    )


@pytest.mark.parametrize("view", ["facing_right", "facing_left"])
@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("key", list(SAG_KEYS))
def test_sagittal_angles_match_construction(view: str, side: str, key: str) -> None:
    s = _series(to_image(sagittal(SAG, trunk_flexion=15.0), view))
    joint, angle = SAG_KEYS[key]
    got = joint_angle(s, joint=joint, angle=angle, side=side, view="auto")  # type: ignore[arg-type]
    assert got.view == view  # detected from heel->toe, once
    assert_allclose(got.values_deg, [SAG[side][key]], atol=TOL)


@pytest.mark.parametrize("view", ["front", "back"])
@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("key", list(FRO_KEYS))
def test_frontal_angles_match_construction(view: str, side: str, key: str) -> None:
    s = _series(to_image(frontal(FRO), view))
    joint, angle = FRO_KEYS[key]
    got = joint_angle(s, joint=joint, angle=angle, side=side, view="auto")  # type: ignore[arg-type]
    assert got.view == view
    assert_allclose(got.values_deg, [FRO[side][key]], atol=TOL)


@pytest.mark.parametrize("view", ["front", "back"])
def test_trunk_lateral_flexion_sign_follows_side(view: str) -> None:
    s = _series(to_image(frontal(FRO, lateral_flexion=9.0), view))
    left = joint_angle(s, joint="trunk", angle="lateral_flexion", side="left", view=view)  # type: ignore[arg-type]
    right = joint_angle(s, joint="trunk", angle="lateral_flexion", side="right", view=view)  # type: ignore[arg-type]
    assert_allclose(left.values_deg, [9.0], atol=TOL)
    assert_allclose(right.values_deg, [-9.0], atol=TOL)


@pytest.mark.parametrize("view", ["facing_right", "facing_left"])
def test_trunk_flexion_and_craniovertebral(view: str) -> None:
    s = _series(to_image(sagittal(SAG, trunk_flexion=22.0, cva=41.0), view))
    trunk = joint_angle(s, joint="trunk", angle="flexion_extension", side="left", view=view)  # type: ignore[arg-type]
    cva = joint_angle(s, joint="neck", angle="craniovertebral", side="left", view=view)  # type: ignore[arg-type]
    assert_allclose(trunk.values_deg, [22.0], atol=TOL)
    assert_allclose(cva.values_deg, [41.0], atol=TOL)


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("key", list(SAG_KEYS))
def test_3d_sagittal_angles_any_heading(side: str, key: str) -> None:
    pos = to_3d(sagittal(SAG), "sagittal")
    a = np.radians(137.0)  # the person faces another direction in the lab
    rz = np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]])
    s = _series(pos @ rz.T + [1.0, -2.0, 0.0], unit="m", vertical_axis=2)
    joint, angle = SAG_KEYS[key]
    got = joint_angle(s, joint=joint, angle=angle, side=side)  # type: ignore[arg-type]
    assert got.source == "keypoints_3d"
    assert_allclose(got.values_deg, [SAG[side][key]], atol=1e-9)


@pytest.mark.parametrize("side", ["left", "right"])
@pytest.mark.parametrize("key", list(FRO_KEYS))
def test_3d_frontal_angles(side: str, key: str) -> None:
    s = _series(to_3d(frontal(FRO), "frontal"), unit="m", vertical_axis=2)
    joint, angle = FRO_KEYS[key]
    got = joint_angle(s, joint=joint, angle=angle, side=side)  # type: ignore[arg-type]
    assert_allclose(got.values_deg, [FRO[side][key]], atol=1e-9)


def test_3d_trunk_rotation() -> None:
    pos = to_3d(sagittal(SAG), "sagittal")[0]
    # turn the shoulders 20 deg towards the left about the vertical through their midpoint
    idx = [NAMES.index("left_shoulder"), NAMES.index("right_shoulder")]
    mid = pos[idx].mean(axis=0)
    a = np.radians(20.0)
    rz = np.array([[np.cos(a), -np.sin(a), 0], [np.sin(a), np.cos(a), 0], [0, 0, 1]])
    pos[idx] = (pos[idx] - mid) @ rz.T + mid
    s = _series(pos[None], unit="m", vertical_axis=2)
    assert_allclose(
        joint_angle(s, joint="trunk", angle="rotation", side="left").values_deg, [20.0], atol=1e-9
    )
    assert_allclose(
        joint_angle(s, joint="trunk", angle="rotation", side="right").values_deg, [-20.0], atol=1e-9
    )


def test_plane_mismatch_is_refused_not_guessed() -> None:
    s = _series(to_image(frontal(FRO), "front"))
    with pytest.raises(DomainRuleError, match="sagittal angles need a side view"):
        joint_angle(s, joint="knee", angle="flexion_extension", side="left")
    with pytest.raises(DomainRuleError, match="needs 3-D"):
        joint_angle(s, joint="trunk", angle="rotation", side="left")
    with pytest.raises(InvalidParameterError, match="joint/angle"):
        joint_angle(s, joint="wrist", angle="flexion_extension", side="left")
    with pytest.raises(InvalidParameterError, match="side"):
        joint_angle(s, joint="knee", angle="frontal_plane_projection", side="up")  # type: ignore[arg-type]


def test_missing_keypoint_names_the_keypoint() -> None:
    s = KeypointSeries(
        positions=np.zeros((2, 2, 2)),
        confidence=np.ones((2, 2)),
        keypoint_names=("left_hip", "left_knee"),
        frame_rate_hz=30.0,
        unit="px",
        skeleton="markers",
    )
    with pytest.raises(NotFoundError, match="left_ankle"):
        joint_angle(s, joint="knee", angle="flexion_extension", side="left", view="facing_left")


def test_view_detection_reports_consistency() -> None:
    right = to_image(sagittal(SAG), "facing_right")
    left = to_image(sagittal(SAG), "facing_left")
    s = _series(np.concatenate([right] * 7 + [left] * 3))
    d = detect_view(s)
    assert d.view == "facing_right" and d.consistency_ratio == pytest.approx(0.7)


def test_unwrap_uses_360_period() -> None:
    # a real 100 deg jump between frames survives (a 180 period would fold it to -80)
    x = np.array([0.0, 100.0, 179.0, -170.0])
    assert_allclose(unwrap_deg(x), [0.0, 100.0, 179.0, 190.0])


def test_included_angle_is_180_minus_flexion() -> None:
    s = _series(to_image(sagittal(SAG), "facing_right"))
    inc = included_angle_deg(s.point("left_hip"), s.point("left_knee"), s.point("left_ankle"))
    assert_allclose(inc, [180.0 - SAG["left"]["knee"]], atol=1e-9)


def test_opensim_signs() -> None:
    c = CoordinateSeries(
        values=np.array([[10.0, -5.0, 3.0, 7.0]]),
        names=("knee_angle_r", "lumbar_extension", "hip_adduction_l", "lumbar_bending"),
        units=("deg", "deg", "deg", "deg"),
        frame_rate_hz=100.0,
    )
    assert (
        angle_from_coordinates(c, joint="knee", angle="flexion_extension", side="right").values_deg[
            0
        ]
        == 10.0
    )
    assert (
        angle_from_coordinates(
            c, joint="trunk", angle="flexion_extension", side="right"
        ).values_deg[0]
        == 5.0
    )
    assert (
        angle_from_coordinates(c, joint="hip", angle="abduction_adduction", side="left").values_deg[
            0
        ]
        == -3.0
    )
    assert (
        angle_from_coordinates(c, joint="trunk", angle="lateral_flexion", side="right").values_deg[
            0
        ]
        == -7.0
    )
    with pytest.raises(DomainRuleError, match="not a coordinate"):
        angle_from_coordinates(c, joint="knee", angle="frontal_plane_projection", side="left")


def test_plane_visibility_gates_frontal_and_sagittal_angles() -> None:
    """Front for 1 s, then side-on for 1 s, then the back for 1 s (30 fps)."""
    front = to_image(frontal(FRO), "front")
    side = to_image(sagittal(SAG), "facing_right")
    back = to_image(frontal(FRO), "back")
    s = _series(np.concatenate([front] * 30 + [side] * 30 + [back] * 30))
    seen_front = plane_visibility(s, view="front")
    assert seen_front.tolist() == [True] * 30 + [False] * 60  # the back is not the front
    assert plane_visibility(s, view="back").tolist() == [False] * 60 + [True] * 30
    assert plane_visibility(s, view="facing_right").tolist() == [False] * 30 + [True] * 30 + [
        False
    ] * 30
    abd = joint_angle(s, joint="shoulder", angle="abduction_adduction", side="left", view="front",
                      visible_only=True).values_deg  # fmt: skip
    assert_allclose(abd[:30], FRO["left"]["shoulder_abd"], atol=TOL)
    assert np.isnan(abd[30:]).all()
    knee = joint_angle(s, joint="knee", angle="flexion_extension", side="left",
                       view="facing_right", visible_only=True).values_deg  # fmt: skip
    assert_allclose(knee[30:60], SAG["left"]["knee"], atol=TOL)
    assert np.isnan(knee[:30]).all() and np.isnan(knee[60:]).all()
    # without the gate every frame is computed as if frontal (the old behaviour)
    assert np.isfinite(joint_angle(s, joint="shoulder", angle="abduction_adduction",
                                   side="left", view="front").values_deg).all()  # fmt: skip


def test_plane_visibility_running_median_bridges_a_shrug() -> None:
    """Four side-on-looking frames (a shrug at the top of a jump) inside 0.5 s do not cut."""
    front = to_image(frontal(FRO), "front")
    side = to_image(sagittal(SAG), "facing_right")
    s = _series(np.concatenate([front] * 20 + [side] * 4 + [front] * 20))
    assert plane_visibility(s, view="front").all()
    assert plane_visibility(s, view="front", window_s=0.0).sum() == 40  # frame by frame
    with pytest.raises(InvalidParameterError, match="view"):
        plane_visibility(s, view="auto")  # type: ignore[arg-type]


def test_wrap_and_circular_mean_closed_forms() -> None:
    x = np.array([-170.0, 10.0, 190.0, 530.0, np.nan])
    assert_allclose(wrap_deg(x), [-170.0, 10.0, -170.0, 170.0, np.nan])
    assert_allclose(wrap_deg(x, center_deg=90.0), [190.0, 10.0, 190.0, 170.0, np.nan])
    # arms down (20 deg) half the time and overhead (190 deg, past 180, read as -170) the other
    # half: the circular mean is 105 deg and the window (-75, 285] keeps both without a jump
    arms = np.array([20.0, -170.0] * 5)
    assert circular_mean_deg(arms) == pytest.approx(105.0, abs=1e-9)
    assert_allclose(wrap_deg(arms, center_deg=circular_mean_deg(arms)), [20.0, 190.0] * 5)
    assert np.isnan(circular_mean_deg(np.array([np.nan])))
    assert np.isnan(circular_mean_deg(np.array([0.0, 180.0])))  # opposite: undefined


def test_auto_view_measures_the_frames_that_show_the_plane() -> None:
    """Facing the camera for 1 s, then side-on for 2 s: the side view prevails."""
    front = to_image(frontal(FRO), "front")
    side = to_image(sagittal(SAG), "facing_right")
    s = _series(np.concatenate([front] * 30 + [side] * 60))
    assert detect_view(s).view == "facing_right"
    with pytest.raises(DomainRuleError, match="front or back"):
        joint_angle(s, joint="shoulder", angle="abduction_adduction", side="left")
    c = joint_angle(s, joint="shoulder", angle="abduction_adduction", side="left",
                    visible_only=True)  # fmt: skip
    assert c.view == "front"
    assert_allclose(c.values_deg[:30], FRO["left"]["shoulder_abd"], atol=TOL)
    assert np.isnan(c.values_deg[30:]).all()
    k = joint_angle(s, joint="knee", angle="flexion_extension", side="left", visible_only=True)
    assert k.view == "facing_right"
    assert_allclose(k.values_deg[30:], SAG["left"]["knee"], atol=TOL)
    # too few frames of a plane (2 of 90, under 10 %): refused as before, not guessed
    few = _series(np.concatenate([front] * 2 + [side] * 88))
    with pytest.raises(DomainRuleError, match="front or back"):
        joint_angle(few, joint="shoulder", angle="abduction_adduction", side="left",
                    visible_only=True)  # fmt: skip
