"""The annotated copy: skeleton and angle labels drawn, frames and size kept."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reeducate.errors import InvalidParameterError, NotFoundError
from reeducate.movement.keypoints import KeypointSeries
from reeducate.movement.pose import AngleOverlay, annotate_video, iter_frames, video_info

pytestmark = pytest.mark.video

N, W, H = 12, 200, 160


@pytest.fixture(scope="module")
def black_video(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import cv2

    path = tmp_path_factory.mktemp("annotate") / "black.mp4"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), 30.0, (W, H))
    for _ in range(N):
        writer.write(np.zeros((H, W, 3), dtype=np.uint8))
    writer.release()
    return path


def _leg(unit: str = "px") -> KeypointSeries:
    pos = np.zeros((N, 2, 2))
    pos[:, 0] = [50.0, 30.0]  # hip
    pos[:, 1] = [50.0, 130.0]  # knee straight below: a vertical line at x = 50
    pos[N - 1] = np.nan  # the last frame has no keypoints
    return KeypointSeries(positions=pos, confidence=np.ones((N, 2)),
                          keypoint_names=("left_hip", "left_knee"), frame_rate_hz=30.0,
                          unit=unit, skeleton="markers")  # type: ignore[arg-type]


def test_skeleton_and_label_are_drawn(black_video: Path, tmp_path: Path) -> None:
    out = annotate_video(
        black_video, tmp_path / "out.mp4", people=[_leg()],
        angles=[AngleOverlay(label="L knee", anchor="left_knee", values_deg=np.full(N, 12.0))],
    )  # fmt: skip
    assert out.n_frames == N
    info = video_info(out.path)
    assert (info.width_px, info.height_px, info.n_frames_reported) == (W, H, N)
    frames = list(iter_frames(out.path))
    first, last = frames[0].astype(int), frames[-1].astype(int)
    assert first[60:100, 48:53].max() > 100  # the thigh line at x = 50
    assert first[60:100, 150:].max() < 40  # far from it the frame stays black
    assert first[125:140, 60:200].max() > 100  # the label right of the knee
    assert last.max() < 40  # no keypoints in the last frame: copied unchanged


def test_errors(black_video: Path, tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match="output_path must differ"):
        annotate_video(black_video, black_video, people=[_leg()])
    with pytest.raises(InvalidParameterError, match=r"people\[0\] must be 2-D image keypoints"):
        annotate_video(black_video, tmp_path / "o.mp4", people=[_leg(unit="m")])
    with pytest.raises(NotFoundError, match="left_ankle"):
        annotate_video(black_video, tmp_path / "o.mp4", people=[_leg()],
                       angles=[AngleOverlay(label="x", anchor="left_ankle",
                                            values_deg=np.zeros(N))])  # fmt: skip
    with pytest.raises(InvalidParameterError, match="person must index people"):
        annotate_video(black_video, tmp_path / "o.mp4", people=[_leg()],
                       angles=[AngleOverlay(label="x", anchor="left_knee",
                                            values_deg=np.zeros(N), person=1)])  # fmt: skip
