"""Angles from the Pose2Sim BODY_25B keypoints against an independent closed form.

The reference parses the JSON files itself (``json`` + lists), takes the person the reader
tracks (checked by identity of the points), and computes each frame's knee angle with the
law of cosines from the three side lengths (no vectors, no atan2). Our FPPA is
``180 - included angle`` in magnitude; its sign says valgus or varus.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from reeducate.io.keypoints import read_openpose_json
from reeducate.movement.angles import joint_angle
from reeducate.movement.cleaning import CleaningSettings, clean_keypoints

pytestmark = pytest.mark.shared_data

# BODY_25B indices (Pose2Sim skeletons.py): hips 11/12, knees 13/14, ankles 15/16
IDX = {"left": (11, 13, 15), "right": (12, 14, 16)}


def _law_of_cosines(a: list[float], b: list[float], c: list[float]) -> float:
    ab = math.dist(a, b)
    cb = math.dist(c, b)
    ac = math.dist(a, c)
    cos_b = (ab**2 + cb**2 - ac**2) / (2 * ab * cb)
    return math.degrees(math.acos(max(-1.0, min(1.0, cos_b))))


def test_knee_angles_match_law_of_cosines(shared_data: Path) -> None:
    folder = shared_data / "movement" / "pose2sim_openpose_cam01"
    s = read_openpose_json(folder, frame_rate_hz=60.0, skeleton="body25b")
    assert s.n_frames == 100 and s.skeleton == "body25b"
    files = sorted(folder.glob("*.json"))
    checked = 0
    for side, (h, k, a) in IDX.items():
        fppa = joint_angle(
            s, joint="knee", angle="frontal_plane_projection", side=side, view="front"
        ).values_deg
        for f, path in enumerate(files):
            people = json.loads(path.read_text())["people"]
            flat = next(
                p["pose_keypoints_2d"]
                for p in people
                if p["pose_keypoints_2d"][3 * k] == s.positions[f, k, 0]
            )
            pts = [flat[3 * i : 3 * i + 2] for i in (h, k, a)]
            if any(flat[3 * i + 2] == 0 for i in (h, k, a)):
                assert math.isnan(fppa[f])
                continue
            # float64 both ways; the acos route loses ~1e-8 deg near 180
            assert abs(fppa[f]) == pytest.approx(180.0 - _law_of_cosines(*pts), abs=1e-6)
            checked += 1
    assert checked >= 190


def test_cleaning_keeps_real_keypoints_close(shared_data: Path) -> None:
    s = read_openpose_json(
        shared_data / "movement" / "pose2sim_openpose_cam01", frame_rate_hz=60.0, skeleton="body25b"
    )
    r = clean_keypoints(s, settings=CleaningSettings())
    # a 6 Hz low-pass on a slow balancing trial moves points by a few pixels at most
    diff = np.abs(np.asarray(r.series.positions) - np.asarray(s.positions))
    assert np.nanmedian(diff) < 2.0
    # the one keypoint missing in 73 frames (BODY_25B index 3, left ear) is not invented
    assert r.n_missing >= 60
