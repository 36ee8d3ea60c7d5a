"""The video route: pose estimation from video files with MediaPipe BlazePose, offline.

Needs the ``video`` extra (``mediapipe`` 1.2, OpenCV) and the model bundles that
``scripts/pose-models.sh`` builds at install time from the npm registry package
``@mediapipe/pose`` (sha256-pinned; never downloaded at run time). Importing this package
imports neither mediapipe nor OpenCV.

* :func:`estimate_keypoints`: video -> 2-D (px) and 3-D (m) keypoints per tracked person;
* :func:`annotate_video`: an annotated copy with skeletons and angle values;
* :mod:`~reeducate.movement.pose.models`: where the bundles are and their checksums;
* :mod:`~reeducate.movement.pose.tracking`: person tracking across frames.

Unlike the rest of :mod:`reeducate.movement`, this subpackage reads and writes files (videos
and model bundles): a video decoder cannot be separated from the model that consumes its
frames without copying every frame. It stays free of the CLI, database and plotting layers.
"""

from __future__ import annotations

from reeducate.movement.pose.annotate import AngleOverlay, AnnotatedVideo, annotate_video
from reeducate.movement.pose.estimate import (
    FramePoses,
    PersonTrack,
    PoseEstimator,
    VideoInfo,
    VideoPoseResult,
    estimate_keypoints,
    iter_frames,
    video_info,
)
from reeducate.movement.pose.models import PoseModel, locate_model

__all__ = [
    "AngleOverlay",
    "AnnotatedVideo",
    "FramePoses",
    "PersonTrack",
    "PoseEstimator",
    "PoseModel",
    "VideoInfo",
    "VideoPoseResult",
    "annotate_video",
    "estimate_keypoints",
    "iter_frames",
    "locate_model",
    "video_info",
]
