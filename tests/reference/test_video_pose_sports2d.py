"""The video route on the Sports2D demo video (``movement/sports2d_demo.mp4``, BSD-3).

What the video shows (checked frame by frame by eye, and in shared/reference/movement.md
§1.2-1.3): a man on a box does exactly two jumping jacks facing the camera (arms highest at
about frames 24 and 57), turns, prepares and does a back flip off the box (frames ~140-188);
a woman walks from right to left in side view (frames ~59-200).

Independent references:
* the pixel landmarks of the legacy MediaPipe API (``mediapipe==0.10.21`` ``solutions.pose``,
  another implementation of the same model) at frame 100 (reference §1.2);
* the visual count of jumping jacks (2) and their peak frames (§1.3);
* physiological ranges of knee flexion in walking (Perry & Burnfield 2010, *Gait Analysis:
  Normal and Pathological Function*, 2nd ed., ch. 7: about 0-5 deg at heel strike, ~60-70 deg
  peak in swing) and of hip width (bi-iliac breadth of adults 0.25-0.35 m).

Cleaning and angles use :mod:`reeducate.movement.cleaning` and :mod:`reeducate.movement.angles`
(the movement-core modules), with Sports2D's demo settings (Hampel 7 frames / 2 sigma,
Butterworth 4th order zero-phase 6 Hz).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.signal import find_peaks

from reeducate.movement.angles import circular_mean_deg, joint_angle, wrap_deg
from reeducate.movement.cleaning import CleaningSettings, clean_keypoints
from reeducate.movement.keypoints import KeypointSeries
from reeducate.movement.pose import (
    AngleOverlay,
    PersonTrack,
    VideoPoseResult,
    annotate_video,
    estimate_keypoints,
    video_info,
)
from reeducate.movement.reps import segment_repetitions

pytestmark = [pytest.mark.shared_data, pytest.mark.video, pytest.mark.slow]

SPORTS2D = CleaningSettings(hampel_window_s=0.1, hampel_n_sigma=2.0, cutoff_hz=6.0, order=2)


@pytest.fixture(scope="module")
def demo(shared_data: Path) -> Path:
    return shared_data / "movement" / "sports2d_demo.mp4"


@pytest.fixture(scope="module")
def result(demo: Path) -> VideoPoseResult:
    return estimate_keypoints(demo, model="full", max_poses=2)


def _span(series: KeypointSeries) -> tuple[KeypointSeries, int]:
    """The series cut to the frames between its first and last detection, and the offset."""
    detected = np.flatnonzero(np.isfinite(series.positions).any(axis=(1, 2)))
    lo, hi = int(detected[0]), int(detected[-1]) + 1
    cut = KeypointSeries(
        positions=series.positions[lo:hi], confidence=series.confidence[lo:hi],
        keypoint_names=series.keypoint_names, frame_rate_hz=series.frame_rate_hz,
        unit=series.unit, skeleton=series.skeleton, source_name=series.source_name,
    )  # fmt: skip
    return cut, lo


def _walker(result: VideoPoseResult) -> PersonTrack:
    """The longest-tracked person whose hips are on the ground (below y = 600 px of 994)."""
    on_ground = [
        t for t in result.tracks if np.nanmedian(t.image.point("left_hip")[:, 1]) > 600
    ]
    return max(on_ground, key=lambda t: t.n_detected_frames)


def test_video_metadata(result: VideoPoseResult, demo: Path) -> None:
    info = video_info(demo)
    assert (result.frame_width_px, result.frame_height_px) == (1768, 994)
    assert result.frame_rate_hz == pytest.approx(30.0, rel=1e-3)
    assert result.n_frames == info.n_frames_reported == 230
    assert result.model == "full"
    assert len(result.model_sha256) == 64


def test_man_on_box_is_one_track_through_the_jumping_jacks(result: VideoPoseResult) -> None:
    man = result.main
    detected = np.isfinite(man.image.positions).any(axis=(1, 2))
    # One identity from the first jump to the flip (frames 5-165), missing at most 3 frames.
    assert detected[5:166].sum() >= 158
    assert np.nanmedian(man.image.point("left_hip")[5:166, 1]) < 400  # on the box


def test_landmarks_match_legacy_mediapipe_api_frame_100(result: VideoPoseResult) -> None:
    walker = _walker(result).image
    want = {  # reference §1.2: legacy solutions.pose, model_complexity=1, same video
        "nose": (1007, 565),
        "left_hip": (1032, 727),
        "left_knee": (1066, 823),
        "left_ankle": (1121, 892),
    }
    for name, xy in want.items():
        got = walker.point(name)[100]
        # 6 px (0.34 % of the frame width): the legacy graph smooths landmarks and crops its
        # region of interest differently; the reference measured 0-1 px for the same bundle in
        # IMAGE mode and we see 1-4 px in VIDEO mode.
        np.testing.assert_allclose(got, xy, atol=6.0, err_msg=name)


def test_jumping_jacks_counted_from_shoulder_abduction(result: VideoPoseResult) -> None:
    man, offset = _span(result.main.image)
    cleaned = clean_keypoints(man, settings=SPORTS2D).series
    # The product's steps: shoulder abduction is a frontal-plane angle, measured only in frames
    # where the man faces the camera (angles.plane_visibility: shoulder width > 0.35 trunk
    # length, the threshold of angles.detect_view, as a 0.5-s running median so the brief
    # shrug at the top of a jump does not cut it); one 360-deg window for the whole curve;
    # repetitions by hysteresis (reps.segment_repetitions(method="hysteresis")): a jumping
    # jack = the arms rising from below 45 deg to above 140 deg (they go from ~15 to 150-180
    # deg, §1.3). The second jack ends while he turns away, so a peak-prominence count (which
    # needs both sides of the peak) would miss it; a rise count does not.
    curve = joint_angle(cleaned, joint="shoulder", angle="abduction_adduction", side="left",
                        view="front", visible_only=True).values_deg  # fmt: skip
    abduction = wrap_deg(curve, center_deg=circular_mean_deg(curve))
    reps = segment_repetitions(abduction, sampling_rate_hz=cleaned.frame_rate_hz,
                               method="hysteresis", levels=(45.0, 140.0))  # fmt: skip
    peaks = [round(r.peak_s * cleaned.frame_rate_hz) for r in reps.repetitions]
    assert reps.count == 2, [p + offset for p in peaks]
    # Peak frames of the visual count (§1.3: 24 and 57), within 3 frames (0.1 s).
    np.testing.assert_allclose(np.array(peaks) + offset, [24, 57], atol=3)
    # Arms well above shoulder height (90 deg) at each top: §1.3 read 151 and 178 deg on the
    # raw elbow-shoulder-hip angle; the 6-Hz low-pass rounds such short peaks off by a few deg.
    # Checked on the curve wrapped to (-180, 180] here, independently of the product's window.
    wrapped = (curve + 180.0) % 360.0 - 180.0
    assert np.all(wrapped[peaks] > 140), wrapped[peaks]
    assert np.nanmin(wrapped[peaks[0] : peaks[1]]) < 30  # and down between the two jacks
    # Independent check of the gate: at the tops he faces the camera (left shoulder on the
    # image right, shoulders wider than 0.35 trunk length), and during the flip (§1.3: frames
    # ~140-188) the frontal angle is not measured.
    ls, rs = cleaned.point("left_shoulder"), cleaned.point("right_shoulder")
    mid_hip = (cleaned.point("left_hip") + cleaned.point("right_hip")) / 2
    width = (ls[:, 0] - rs[:, 0]) / np.linalg.norm((ls + rs) / 2 - mid_hip, axis=1)
    assert np.all(width[peaks] > 0.35), width[peaks]
    flip = slice(150 - offset, 180 - offset)
    assert np.isnan(curve[flip]).mean() > 0.8


# full with 2 people: the validation's settings; lite with 1: the product's default. (lite
# with 2 people finds 2 jacks too, but its tops fall at frames 18 and 64, outside the 3-frame
# tolerance: not claimed.)
@pytest.mark.parametrize(("model", "people"), [("full", 2), ("lite", 1)])
def test_jumping_jacks_through_the_service(demo: Path, model: str, people: int) -> None:
    """The whole video route as the CLI runs it (default cleaning, library variant co-sh-d2)."""
    from reeducate.services.movement import analyze_movement, find_variant

    a = analyze_movement(demo, variant=find_variant("co-sh-d2"), side="left", view="front",
                         pose_model=model, max_poses=people)  # type: ignore[arg-type]
    assert a.repetitions is not None and a.task is not None
    assert a.repetitions.method == "hysteresis"
    assert a.repetitions.count == 2
    frames = [r.peak_s * a.task.frame_rate_hz for r in a.repetitions.repetitions]
    np.testing.assert_allclose(frames, [24, 57], atol=3)  # §1.3, within 0.1 s
    assert all(r.peak_value > 140 for r in a.repetitions.repetitions)  # arms above the head


def test_walking_knee_flexion_plausible_after_outlier_handling(result: VideoPoseResult) -> None:
    walker, _ = _span(_walker(result).image)
    raw_knees = [
        joint_angle(walker, joint="knee", angle="flexion_extension", side=side).values_deg
        for side in ("left", "right")
    ]
    # Before outlier handling the knee goes far outside anatomy (leaving the frame, occlusion
    # by the tree): the test would catch a cleaning step that did nothing.
    assert max(np.nanmax(np.abs(k)) for k in raw_knees) > 120
    cleaned = clean_keypoints(walker, settings=SPORTS2D)
    assert cleaned.n_outliers > 0
    for side in ("left", "right"):
        knee = joint_angle(cleaned.series, joint="knee", angle="flexion_extension",
                           side=side).values_deg  # fmt: skip
        finite = knee[np.isfinite(knee)]
        assert finite.size > 0.8 * knee.size
        # Walking: about 0 deg at heel strike, 60-70 deg peak in swing (Perry & Burnfield).
        # Bounds widened by 15-20 deg for 2-D projection and pose-model error.
        assert finite.min() > -15.0, side
        assert finite.max() < 90.0, side
        swings, _ = find_peaks(np.nan_to_num(knee, nan=0.0), prominence=25.0)
        assert len(swings) >= 2, side  # she takes several steps: the knee does flex
        assert np.median(knee[swings]) > 40.0, side


def test_world_landmarks_are_metric(result: VideoPoseResult) -> None:
    world = _walker(result).world
    assert world.unit == "m" and world.n_dims == 3
    hip_width_m = np.linalg.norm(world.point("left_hip") - world.point("right_hip"), axis=1)
    # Hip joint centres of adults are ~0.15-0.25 m apart (bi-iliac breadth 0.25-0.35 m);
    # BlazePose's GHUM-fitted world landmarks are metric, so the median must fall there.
    assert 0.12 < np.nanmedian(hip_width_m) < 0.35


def test_annotated_copy_of_the_demo(result: VideoPoseResult, demo: Path, tmp_path: Path) -> None:
    man = result.main.image
    knee = joint_angle(man, joint="shoulder", angle="abduction_adduction", side="left",
                       view="front").values_deg  # fmt: skip
    out = annotate_video(
        demo, tmp_path / "demo_annotated.mp4",
        people=[t.image for t in result.tracks],
        angles=[AngleOverlay(label="L shoulder abd", anchor="left_shoulder", values_deg=knee,
                             person=[t.track_id for t in result.tracks].index(
                                 result.main.track_id))],
    )  # fmt: skip
    assert out.n_frames == 230
    info = video_info(out.path)
    assert (info.width_px, info.height_px, info.n_frames_reported) == (1768, 994, 230)
