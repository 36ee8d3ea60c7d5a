"""Alignment faults, centre of mass, sway and single-leg stance on constructed skeletons."""

from __future__ import annotations

import numpy as np
import pytest
from synthetic_skeleton import NAMES, frontal, to_image

from reeducate.movement.alignment import check_alignment
from reeducate.movement.keypoints import KeypointSeries
from reeducate.movement.skeletons import COCO17
from reeducate.movement.stability import body_sway, centre_of_mass, single_leg_stance


def _frontal_series(n: int, fppa: np.ndarray, view: str = "front") -> KeypointSeries:
    frames = [
        to_image(
            frontal(
                {
                    "left": {"fppa": float(v), "hip_abd": 0.0, "shoulder_abd": 10.0},
                    "right": {"fppa": 0.0, "hip_abd": 0.0, "shoulder_abd": 10.0},
                }
            ),
            view,
        )[0]
        for v in fppa
    ]
    return KeypointSeries(
        positions=np.array(frames),
        confidence=np.ones((n, len(NAMES))),
        keypoint_names=NAMES,
        frame_rate_hz=30.0,
        unit="px",
        skeleton="markers",
    )


@pytest.mark.parametrize("view", ["front", "back"])
def test_knee_valgus_flagged_only_when_sustained(view: str) -> None:
    fppa = np.r_[np.zeros(20), np.full(10, 15.0)]  # a third of the time at 15 deg
    s = _frontal_series(30, fppa, view)
    (f,) = check_alignment(s, faults=("knee_valgus",), side="left", view="auto")
    assert f.flagged and f.time_above_ratio == pytest.approx(1 / 3)
    assert f.peak_deg == pytest.approx(15.0)
    (g,) = check_alignment(s, faults=("knee_valgus",), side="left", min_time_ratio=0.5)
    assert not g.flagged
    # sagittal faults are skipped on a frontal recording, not guessed
    assert check_alignment(s, faults=("trunk_lean_forward",), side="left") == ()


def test_pelvic_drop_and_hike_are_opposite() -> None:
    s = _frontal_series(10, np.zeros(10))
    pos = np.array(s.positions)
    pos[:, NAMES.index("left_hip"), 1] += 0.2 * 400 * np.tan(np.radians(8.0))  # left hip lower
    s2 = s.with_positions(pos)
    drop, hike = check_alignment(s2, faults=("pelvic_drop", "hip_hike"), side="left", view="front")
    assert drop.peak_deg == pytest.approx(8.0, abs=1e-9) and drop.flagged
    assert hike.peak_deg == pytest.approx(-8.0, abs=1e-9) and not hike.flagged


def test_centre_of_mass_of_symmetric_pose_is_on_midline_and_translates() -> None:
    s = _frontal_series(1, np.zeros(1))
    com = centre_of_mass(s)[0]
    assert com[0] == pytest.approx(500.0)  # the skeleton is symmetric about x = 500
    moved = s.with_positions(np.asarray(s.positions) + np.array([7.0, -3.0]))
    assert centre_of_mass(moved)[0] == pytest.approx(com + np.array([7.0, -3.0]))


def test_body_sway_of_sinusoid_in_metres() -> None:
    n = 300
    pos = np.zeros((n, 17, 3))
    pos[:, :, 2] = np.linspace(0, 1.7, 17)
    x = 0.01 * np.sin(2 * np.pi * 0.5 * np.arange(n) / 100.0)
    pos[:, :, 0] = x[:, None]
    s = KeypointSeries(
        positions=pos,
        confidence=np.ones((n, 17)),
        keypoint_names=COCO17,
        frame_rate_hz=100.0,
        unit="m",
        skeleton="coco17",
        vertical_axis=2,
    )
    sway = body_sway(s)
    assert sway.unit == "m"
    assert sway.range_h == pytest.approx(np.ptp(x), rel=1e-9)
    assert sway.rms_h == pytest.approx(np.sqrt(np.mean((x - x.mean()) ** 2)), rel=1e-9)
    assert sway.path_length == pytest.approx(np.abs(np.diff(x)).sum(), rel=1e-9)


def test_single_leg_stance_held_to_the_end() -> None:
    names = ("left_hip", "left_ankle", "right_hip", "right_ankle")
    pos = np.tile(np.array([[0, 100], [0, 200], [20, 100], [20, 200]], float), (90, 1, 1))
    pos[30:, 1, 1] = 180.0  # left foot lifted from 1 s to the end; stance on the right
    pos[50:52, 1, 1] = 199.0  # a brief touch (2 frames < 0.2 s) is not a loss of balance
    s = KeypointSeries(
        positions=pos,
        confidence=np.ones((90, 4)),
        keypoint_names=names,
        frame_rate_hz=30.0,
        unit="px",
        skeleton="markers",
    )
    r = single_leg_stance(s, stance_side="right")
    assert r.lift_off_s == pytest.approx(1.0) and not r.lost_balance
    assert r.hold_s == pytest.approx(2.0)
