"""The movement service's routes on synthetic recordings with known answers.

* 2-D keypoints (a MediaPipe landmark CSV drawn here): three shoulder abductions facing the
  camera, then a turn side-on and two arm circles (a windmill) seen from the side. The frontal
  angle is not measured side-on, so the windmill adds no repetition: three, at the known tops.
* IMU (a CSV written here): a trunk sensor at rest and an upper-arm sensor rotating 40 deg four
  times; the variant's IMU segment (``upper_arm``) picks the sensor and the repetitions fill
  the rep table.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from reeducate.movement.angles import joint_angle
from reeducate.movement.reps import segment_repetitions
from reeducate.movement.skeletons import MEDIAPIPE33
from reeducate.services.movement import (
    DEFAULT_MAX_POSES,
    DEFAULT_POSE_MODEL,
    analyze_movement,
    find_variant,
    rep_rows,
)

FPS = 30.0
JACK_TOPS_S = (0.5, 1.5, 2.5)  # three abductions of 1 s each, 15 -> 165 -> 15 deg


def _body(abduction_deg: float, flexion_deg: float) -> dict[str, np.ndarray]:
    """3-D body points (x = person's left, y up, z forward; px) for arm angles of both arms."""
    pts: dict[str, np.ndarray] = {}
    a, f = np.radians(abduction_deg), np.radians(flexion_deg)
    for side, s in (("left", 1.0), ("right", -1.0)):
        # arm: abduction in the frontal plane, flexion in the sagittal plane (one at a time)
        arm = np.array([s * np.sin(a), -np.cos(a), 0.0]) if flexion_deg == 0 else np.array(
            [0.0, -np.cos(f), np.sin(f)]
        )
        sh = np.array([s * 80.0, 200.0, 0.0])
        elbow = sh + 120 * arm
        wrist = elbow + 110 * arm
        pts |= {
            f"{side}_shoulder": sh, f"{side}_elbow": elbow, f"{side}_wrist": wrist,
            f"{side}_pinky": wrist + 15 * arm, f"{side}_index": wrist + 18 * arm,
            f"{side}_thumb": wrist + 10 * arm, f"{side}_hip": np.array([s * 50.0, 0.0, 0.0]),
            f"{side}_knee": np.array([s * 50.0, -180.0, 0.0]),
            f"{side}_ankle": np.array([s * 50.0, -360.0, 0.0]),
            f"{side}_heel": np.array([s * 50.0, -375.0, -10.0]),
            f"{side}_foot_index": np.array([s * 50.0, -380.0, 40.0]),
            f"{side}_ear": np.array([s * 30.0, 285.0, 0.0]),
            f"{side}_eye": np.array([s * 15.0, 290.0, 10.0]),
            f"{side}_eye_inner": np.array([s * 8.0, 290.0, 12.0]),
            f"{side}_eye_outer": np.array([s * 22.0, 290.0, 8.0]),
        }  # fmt: skip
    pts["nose"] = np.array([0.0, 280.0, 15.0])
    pts["mouth_left"] = np.array([10.0, 265.0, 10.0])
    pts["mouth_right"] = np.array([-10.0, 265.0, 10.0])
    return pts


def _image(pts: dict[str, np.ndarray], turn_deg: float) -> np.ndarray:
    """Orthographic camera in front; the person turned ``turn_deg`` to face the image right."""
    c, s = np.cos(np.radians(turn_deg)), np.sin(np.radians(turn_deg))
    xyz = np.array([pts[n] for n in MEDIAPIPE33])
    return np.column_stack((800 + xyz[:, 0] * c + xyz[:, 2] * s, 700 - xyz[:, 1]))


def _jacks_then_windmill_csv(path: Path) -> None:
    frames = []
    t_jacks = np.arange(0, 3.0, 1 / FPS)
    for t in t_jacks:  # 15 -> 165 -> 15 deg per second, facing the camera
        frames.append(_image(_body(90 - 75 * np.cos(2 * np.pi * t), 0.0), 0.0))
    for k in range(15):  # 0.5 s: turn to face the image right, arms down
        frames.append(_image(_body(15.0, 0.0), 90.0 * (k + 1) / 15))
    for t in np.arange(0, 2.0, 1 / FPS):  # 2 s: two full arm circles (flexion 0 -> 720 deg)
        frames.append(_image(_body(0.0, 360.0 * t + 1e-6), 90.0))
    xy = np.stack(frames)
    header = ",".join(f"{n}_x,{n}_y" for n in MEDIAPIPE33)
    rows = "\n".join(",".join(f"{v:.3f}" for v in frame.ravel()) for frame in xy)
    path.write_text(f"time_s,{header}\n" + "\n".join(
        f"{i / FPS:.6f},{row}" for i, row in enumerate(rows.splitlines())) + "\n")  # fmt: skip


def test_video_defaults_are_the_precise_model_and_one_person() -> None:
    # full with one person: lite overestimates arms overhead by 20-45 deg on the Sports2D
    # demo (benchmarks/bench_video.py for speeds); the CLI and estimate_keypoints agree
    import inspect

    from reeducate.movement.pose import estimate_keypoints

    params = inspect.signature(estimate_keypoints).parameters
    assert (DEFAULT_POSE_MODEL, DEFAULT_MAX_POSES) == ("full", 1)
    assert (params["model"].default, params["max_poses"].default) == ("full", 1)


def test_keypoints_frontal_angle_gated_and_counted_by_hysteresis(tmp_path: Path) -> None:
    csv = tmp_path / "jacks.csv"
    _jacks_then_windmill_csv(csv)
    variant = find_variant("co-sh-d2")
    a = analyze_movement(csv, variant=variant, side="left", view="front")
    assert a.task is not None and a.task.label == "left shoulder abduction_adduction (frontal)"
    assert a.repetitions is not None and a.repetitions.method == "hysteresis"
    assert a.repetitions.count == 3
    # tops at the known times; the cleaning's 6 Hz zero-phase low-pass keeps them in place
    # (symmetric peaks), within one frame
    peaks = [r.peak_s for r in a.repetitions.repetitions]
    np.testing.assert_allclose(peaks, JACK_TOPS_S, atol=1 / FPS)
    # ROM 150 deg (15 -> 165) less what the low-pass rounds off a 1-s raised cosine: within 3
    # deg, from the trough before each top (after the third, the arm seen during the turn
    # projects to a smaller angle until the gate closes: that trough is lower)
    reps = a.repetitions.repetitions
    np.testing.assert_allclose([r.peak_value - r.trough_before_value for r in reps], 150.0,
                               atol=3.0)  # fmt: skip
    assert reps[2].trough_after_value < reps[2].trough_before_value
    # side-on (the windmill) the frontal angle is not measured
    side_on = a.task.times_s > 3.4
    assert np.isnan(a.task.values_deg[side_on]).all()
    assert a.quality.reps_done == 3
    assert len(rep_rows(a)) == 3
    # the same recording without the gate: the windmill, read as a frontal angle, runs to 720
    # deg and past, and a rep count on it is wrong (the old behaviour this fixes)
    from reeducate.io.keypoints import read_keypoints

    raw = read_keypoints(csv)
    ungated = joint_angle(raw, joint="shoulder", angle="abduction_adduction", side="left",
                          view="front").values_deg  # fmt: skip
    assert np.nanmax(ungated) > 540
    assert segment_repetitions(ungated, sampling_rate_hz=FPS).count != 3


def _imu_csv(path: Path, *, n_reps: int = 4, fs: float = 100.0) -> None:
    """Trunk at rest and an upper arm rotating 0 -> 40 -> 0 deg about its y axis, 2 s per rep."""
    t = np.arange(0, 2.0 * n_reps + 2.0, 1 / fs)
    moving = (t >= 1.0) & (t < 1.0 + 2.0 * n_reps)
    angle = np.where(moving, np.radians(20.0) * (1 - np.cos(np.pi * (t - 1.0))), 0.0)
    rate = np.gradient(angle, 1 / fs)
    acc = Rotation.from_euler("y", angle[:, None]).inv().apply([0.0, 0.0, 9.81])
    zeros = np.zeros_like(t)
    cols = {
        "time [s]": t,
        **{f"trunk_acc_{ax}": v for ax, v in zip("xyz", (zeros, zeros, zeros + 9.81), strict=True)},
        **{f"trunk_gyr_{ax}": zeros for ax in "xyz"},
        **{f"upper_arm_acc_{ax}": acc[:, i] for i, ax in enumerate("xyz")},
        "upper_arm_gyr_x": zeros,
        "upper_arm_gyr_y": np.degrees(rate),
        "upper_arm_gyr_z": zeros,
    }
    head = ",".join(cols)
    body = np.column_stack(list(cols.values()))
    path.write_text(head + "\n" + "\n".join(",".join(f"{v:.6f}" for v in r) for r in body) + "\n")


def test_imu_segment_picks_the_sensor_and_fills_the_rep_table(tmp_path: Path) -> None:
    csv = tmp_path / "arm.csv"
    _imu_csv(csv)
    variant = find_variant("co-sh-d2")  # IMU: upper_arm, smoothness
    a = analyze_movement(csv, variant=variant, side="left", imu_acc_unit="m/s2",
                         imu_gyr_unit="deg/s")  # fmt: skip
    assert a.source_kind == "imu"
    assert "IMU: smoothness of the upper_arm from sensor upper_arm" in a.notes  # by the segment
    assert a.repetitions is not None and a.repetitions.count == 4
    # 40 deg of rotation, fused by Madgwick from these exact signals: within 1 deg
    np.testing.assert_allclose([r.rom for r in a.repetitions.repetitions], 40.0, atol=1.0)
    np.testing.assert_allclose([r.peak_s for r in a.repetitions.repetitions],
                               [2.0, 4.0, 6.0, 8.0], atol=0.02)  # fmt: skip
    assert len(rep_rows(a)) == 4 and a.quality.reps_done == 4
    # "2 s up, 2 s down" is prescribed; these reps last less than 2 s: a tempo component
    assert "tempo" in [c.name for c in a.quality.components]


def test_imu_units_reach_the_reader(tmp_path: Path) -> None:
    csv = tmp_path / "arm.csv"
    _imu_csv(csv)
    from reeducate.errors import UnitError

    variant = find_variant("co-sh-d2")
    # the same numbers read as g: the median |acc| is 9.81 g, which the reader refuses
    with pytest.raises(UnitError):
        analyze_movement(csv, variant=variant, side="left", imu_acc_unit="g",
                         imu_gyr_unit="deg/s")  # fmt: skip
