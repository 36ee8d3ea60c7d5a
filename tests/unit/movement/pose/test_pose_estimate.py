"""The estimation entry points on synthetic videos (no person): errors, metadata, no tracks."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from reeducate.errors import FileFormatError, InvalidParameterError, NotFoundError
from reeducate.movement.pose import PoseEstimator, estimate_keypoints, iter_frames, video_info
from reeducate.movement.pose.models import locate_model

pytestmark = pytest.mark.video


@pytest.fixture(scope="module")
def blank_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """24 frames of a moving grey gradient, 160x120 at 25 fps: no person in it."""
    import cv2

    path = tmp_path_factory.mktemp("video") / "blank.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 25.0, (160, 120))
    x = np.linspace(0, 255, 160, dtype=np.float64)
    for t in range(24):
        row = ((x + 8 * t) % 256).astype(np.uint8)
        writer.write(np.repeat(np.repeat(row[None, :, None], 120, axis=0), 3, axis=2))
    writer.release()
    return path


def test_video_info_and_frames(blank_video: Path) -> None:
    info = video_info(blank_video)
    assert (info.width_px, info.height_px) == (160, 120)
    assert info.frame_rate_hz == pytest.approx(25.0)
    frames = list(iter_frames(blank_video))
    assert len(frames) == info.n_frames_reported == 24
    assert frames[0].shape == (120, 160, 3) and frames[0].dtype == np.uint8


def test_no_person_gives_no_track(blank_video: Path) -> None:
    result = estimate_keypoints(blank_video, model="lite", max_poses=1)
    assert result.n_frames == 24
    assert (result.frame_width_px, result.frame_height_px) == (160, 120)
    assert result.tracks == () and result.main_track_id is None
    with pytest.raises(NotFoundError, match="no person"):
        _ = result.main
    with pytest.raises(NotFoundError, match=r"person .*3 not found"):
        result.track(3)


def test_max_frames(blank_video: Path) -> None:
    assert estimate_keypoints(blank_video, model="lite", max_frames=5).n_frames == 5


def test_missing_and_unreadable_videos(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="video file not found"):
        estimate_keypoints(tmp_path / "absent.mp4")
    bad = tmp_path / "notes.mp4"
    bad.write_text("this is not a video")
    with pytest.raises(FileFormatError, match=r"notes.mp4: cannot be opened"):
        estimate_keypoints(bad)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"model": "huge"}, "model must be one of"),
        ({"max_poses": 0}, "max_poses must be >= 1"),
        ({"min_keypoint_confidence": 1.5}, r"min_keypoint_confidence must lie in \[0, 1\]"),
        ({"max_gap_s": -1.0}, "max_gap_s must be >= 0"),
        ({"max_frames": 0}, "max_frames must be >= 1"),
    ],
)
def test_bad_parameters(blank_video: Path, kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(InvalidParameterError, match=match):
        estimate_keypoints(blank_video, **kwargs)  # type: ignore[arg-type]


def test_tampered_model_refused_before_any_frame(blank_video: Path, tmp_path: Path) -> None:
    shutil.copyfile(locate_model("lite"), tmp_path / "pose_landmarker_lite.task")
    with (tmp_path / "pose_landmarker_lite.task").open("r+b") as fh:
        fh.seek(1000)
        fh.write(b"\xff\xff")
    with pytest.raises(FileFormatError, match=r"pose_landmarker_lite\.task: sha256"):
        estimate_keypoints(blank_video, model="lite", models_dir=tmp_path)


def test_estimator_checks_frames_and_closes() -> None:
    est = PoseEstimator(model="lite", max_poses=1)
    with pytest.raises(InvalidParameterError, match=r"\(height, width, 3\) uint8"):
        est.detect(np.zeros((10, 10, 3), dtype=np.float32), timestamp_ms=0)
    empty = est.detect(np.zeros((64, 64, 3), dtype=np.uint8), timestamp_ms=0)
    assert empty.image_px.shape == (0, 33, 2) and empty.world_m.shape == (0, 33, 3)
    est.close()
    with pytest.raises(InvalidParameterError, match="closed"):
        est.detect(np.zeros((64, 64, 3), dtype=np.uint8), timestamp_ms=40)
