"""Keypoint and OpenSim readers on small files written here, and their refusals."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from reeducate.errors import FileFormatError, InvalidParameterError, UnitError
from reeducate.io.keypoints import (
    read_c3d_markers,
    read_coco_json,
    read_keypoints,
    read_mediapipe_landmarks,
    read_openpose_json,
)
from reeducate.io.opensim import read_mot, read_trc
from reeducate.movement.skeletons import BODY25, MEDIAPIPE33

MOT = """Coordinates
version=1
nRows=3
nColumns=3
inDegrees={deg}
endheader
time\tknee_angle_r\tpelvis_ty
0.00\t{a}\t1.0
0.01\t{b}\t0.9
0.02\t{c}\t0.8
"""


def test_mot_degrees_and_radians(tmp_path: Path) -> None:
    p = tmp_path / "a.mot"
    p.write_text(MOT.format(deg="yes", a=10, b=20, c=30))
    c = read_mot(p)
    assert c.frame_rate_hz == 100.0 and c.units == ("deg", "m")
    assert_allclose(c.column("knee_angle_r"), [10, 20, 30])
    p.write_text(MOT.format(deg="no", a=0.5, b=1.0, c=1.5))
    assert_allclose(read_mot(p).column("knee_angle_r"), np.degrees([0.5, 1.0, 1.5]))
    assert_allclose(read_mot(p).column("pelvis_ty"), [1.0, 0.9, 0.8])  # translations untouched


def test_mot_refusals(tmp_path: Path) -> None:
    p = tmp_path / "b.mot"
    p.write_text(MOT.format(deg="yes", a=1, b="x", c=3))
    with pytest.raises(FileFormatError, match=r"b.mot: line 9, column 'knee_angle_r'"):
        read_mot(p)
    p.write_text(MOT.replace("inDegrees={deg}\n", "").format(a=1, b=2, c=3))
    with pytest.raises(UnitError, match="inDegrees"):
        read_mot(p)
    p.write_text("no header\n1 2\n")
    with pytest.raises(FileFormatError, match="endheader"):
        read_mot(p)


def _trc(units: str) -> str:
    rows = "".join(
        f"{i + 1}\t{i / 50:.3f}\t{10 * i}\t{1000}\t{5}\t\t\t\n"
        if i == 2
        else f"{i + 1}\t{i / 50:.3f}\t{10 * i}\t{1000}\t{5}\t{1}\t{2}\t{3}\n"
        for i in range(4)
    )
    return (
        "PathFileType\t4\t(X/Y/Z)\tx.trc\n"
        "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\n"
        f"50\t50\t4\t2\t{units}\t50\n"
        "Frame#\tTime\tRKnee\t\t\tLBigToe\n"
        "\t\tX1\tY1\tZ1\tX2\tY2\tZ2\n\n" + rows
    )


def test_trc_units_names_and_gaps(tmp_path: Path) -> None:
    p = tmp_path / "m.trc"
    p.write_text(_trc("mm"))
    s = read_trc(p)
    assert s.keypoint_names == ("right_knee", "left_big_toe")
    assert s.unit == "m" and s.vertical_axis == 1 and s.frame_rate_hz == 50.0
    assert_allclose(s.point("right_knee")[3], [0.03, 1.0, 0.005])
    assert np.isnan(s.point("left_big_toe")[2]).all() and s.confidence[2, 1] == 0.0
    p.write_text(_trc("in"))
    with pytest.raises(UnitError, match="'in'"):
        read_trc(p)


def _openpose_frame(people: list[np.ndarray]) -> dict[str, object]:
    return {
        "version": 1.3,
        "people": [{"person_id": [-1], "pose_keypoints_2d": p.ravel().tolist()} for p in people],
    }


def test_openpose_tracks_one_person(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    big = np.c_[rng.uniform(100, 400, (25, 2)), np.full(25, 0.9)]
    small = np.c_[rng.uniform(600, 650, (25, 2)), np.full(25, 0.8)]
    big[3, 2] = 0.0  # not detected
    for i in range(3):
        order = [small, big + np.array([i, 0, 0])] if i % 2 else [big + np.array([i, 0, 0]), small]
        (tmp_path / f"clip_{i:012d}_keypoints.json").write_text(json.dumps(_openpose_frame(order)))
    (tmp_path / "clip_000000000003_keypoints.json").write_text(json.dumps(_openpose_frame([])))
    s = read_openpose_json(tmp_path, frame_rate_hz=30.0, skeleton="body25")
    assert s.n_frames == 4 and s.keypoint_names == BODY25
    assert_allclose(s.positions[2, 0], big[0, :2] + [2, 0])  # the same (big) person each frame
    assert np.isnan(s.positions[:3, 3]).all() and np.isnan(s.positions[3]).all()
    assert read_keypoints(tmp_path, frame_rate_hz=30.0, skeleton="body25").n_frames == 4
    with pytest.raises(InvalidParameterError, match="skeleton 'body25' or 'body25b'"):
        read_keypoints(tmp_path, frame_rate_hz=30.0)
    (tmp_path / "clip_000000000004_keypoints.json").write_text(
        json.dumps({"people": [{"pose_keypoints_2d": [1, 2, 3]}]})
    )
    with pytest.raises(FileFormatError, match="must hold 75 numbers"):
        read_openpose_json(tmp_path, frame_rate_hz=30.0, skeleton="body25")


def test_coco_flags_and_scores(tmp_path: Path) -> None:
    kp = np.c_[np.arange(17) * 10.0, np.arange(17) * 5.0, np.full(17, 2.0)]
    kp[5, 2] = 0
    items = [{"image_id": i, "category_id": 1, "keypoints": kp.ravel().tolist()} for i in (2, 1)]
    p = tmp_path / "coco.json"
    p.write_text(json.dumps({"annotations": items}))
    s = read_coco_json(p, frame_rate_hz=25.0)
    assert s.skeleton == "coco17" and s.n_frames == 2
    assert s.confidence[0, 0] == 1.0 and s.confidence[0, 5] == 0.0
    assert_allclose(s.point("left_wrist")[0], [90.0, 45.0])


def test_mediapipe_csv_normalised_needs_image_size(tmp_path: Path) -> None:
    cols = {"time_s": [0.0, 0.04, 0.08]}
    for n in MEDIAPIPE33:
        cols |= {
            f"{n}_x": [0.5, 0.5, 0.5],
            f"{n}_y": [0.25, 0.5, 0.75],
            f"{n}_visibility": [0.9, 0.9, 0.2],
        }
    header = ",".join(cols)
    rows = "\n".join(",".join(str(v[i]) for v in cols.values()) for i in range(3))
    p = tmp_path / "mp.csv"
    p.write_text(header + "\n" + rows + "\n")
    with pytest.raises(UnitError, match="image_width_px"):
        read_mediapipe_landmarks(p)
    s = read_mediapipe_landmarks(p, image_width_px=640, image_height_px=480)
    assert s.frame_rate_hz == pytest.approx(25.0)
    assert_allclose(s.point("left_knee")[1], [320.0, 240.0])
    assert s.point_confidence("nose")[2] == pytest.approx(0.2)


def test_c3d_markers_round_trip(tmp_path: Path) -> None:
    ezc3d = pytest.importorskip("ezc3d")
    c3d = ezc3d.c3d()
    c3d["parameters"]["POINT"]["RATE"]["value"] = [100.0]
    c3d["parameters"]["POINT"]["LABELS"]["value"] = ["LKnee", "LAnkle"]
    c3d["parameters"]["POINT"]["UNITS"]["value"] = ["mm"]
    pts = np.zeros((4, 2, 5))
    pts[0] = 100.0
    pts[2] = np.arange(5) * 10.0
    pts[3] = 1.0
    c3d["data"]["points"] = pts
    p = tmp_path / "m.c3d"
    c3d.write(str(p))
    s = read_c3d_markers(p)
    assert s.keypoint_names == ("left_knee", "left_ankle") and s.frame_rate_hz == 100.0
    assert_allclose(s.point("left_ankle")[:, 2], np.arange(5) * 0.01, atol=1e-6)
    assert read_keypoints(p).n_frames == 5
    (tmp_path / "bad.c3d").write_bytes(b"not a c3d")
    with pytest.raises(FileFormatError, match=r"bad\.c3d"):
        read_c3d_markers(tmp_path / "bad.c3d")
