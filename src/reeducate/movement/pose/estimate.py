"""Video to 2-D and 3-D keypoints with MediaPipe BlazePose (Tasks API, VIDEO mode), offline.

The pose model is BlazePose GHUM (Bazarevsky et al. 2020, "BlazePose: On-device Real-time Body
Pose tracking", arXiv:2006.10204; Xu et al. 2022, "GHUM & GHUML", doi:10.1109/CVPR42600.2020.00626
for the 3-D body model behind the world landmarks), run by ``mediapipe`` 1.2 ``PoseLandmarker``
in VIDEO mode (the detector runs only when a person must be found again; between frames the
landmark model follows each person from its previous pose). The model bundle is one of the
pinned files of :mod:`reeducate.movement.pose.models`, whose sha256 is checked at load.

For each frame the landmarker returns up to ``max_poses`` candidate poses; they are linked
across frames by :func:`reeducate.movement.pose.tracking.track_poses` and returned as one
:class:`PersonTrack` per person, each with

* ``image``: a :class:`~reeducate.movement.keypoints.KeypointSeries` of the 33 landmarks in
  image pixels (x right, y down; skeleton ``"mediapipe33"``, unit ``"px"``), and
* ``world``: the same landmarks in metres in MediaPipe's body-centred frame (origin midway
  between the hips, y pointing down; unit ``"m"``).

**Confidence handling.** The confidence of a landmark is ``min(visibility, presence)`` as the
model reports them. A landmark whose confidence is below ``min_keypoint_confidence`` is set to
NaN (its measured confidence is kept); a whole detection is dropped when its mean confidence is
below ``min_pose_confidence`` or fewer than ``min_good_fraction`` of its landmarks pass; the
defaults (0.3, 0.5, 0.3) are those of Sports2D's ``Config_demo.toml``. Outlier rejection, gap
filling and filtering are left to :mod:`reeducate.movement.cleaning` (the raw model output is
what this module returns, so the cleaning choices stay explicit and are stored with results).

This module reads video files and model files: it is the one part of :mod:`reeducate.movement`
that touches files, and it needs the ``video`` extra (``mediapipe``, OpenCV). Importing it does
not import either.
"""

from __future__ import annotations

import contextlib
import math
import os
import queue
import sys
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from reeducate.errors import FileFormatError, InvalidParameterError, NotFoundError
from reeducate.movement.keypoints import KeypointSeries
from reeducate.movement.pose.models import BUNDLE_SHA256, PoseModel, check_model, locate_model
from reeducate.movement.pose.tracking import (
    MIRROR_MEDIAPIPE33,
    boxes_of,
    isolated_left_right_swaps,
    stitch_tracks,
    suppress_duplicates,
    track_poses,
)
from reeducate.movement.skeletons import MEDIAPIPE33

N_LANDMARKS = 33


def _require_video_extra() -> tuple[Any, Any]:
    """Import OpenCV and mediapipe, or say which extra installs them."""
    try:
        import cv2
        import mediapipe
    except ImportError as exc:  # pragma: no cover - depends on the installed extras
        raise NotFoundError(
            f"the video route needs the 'video' extra ({exc.name} is not installed); "
            "install it with scripts/install.sh video"
        ) from None
    return cv2, mediapipe


@dataclass(frozen=True, slots=True, kw_only=True)
class FramePoses:
    """Candidate poses of one frame, as the landmarker returns them.

    Attributes
    ----------
    image_px : ndarray, shape (n_poses, 33, 2)
        Landmarks in image pixels (x right, y down).
    world_m : ndarray, shape (n_poses, 33, 3)
        World landmarks in metres (origin between the hips, y down).
    confidence : ndarray, shape (n_poses, 33)
        ``min(visibility, presence)`` of each landmark, in [0, 1].
    """

    image_px: NDArray[np.float64]
    world_m: NDArray[np.float64]
    confidence: NDArray[np.float64]


@contextlib.contextmanager
def _native_stderr_captured() -> Iterator[Path]:
    """Send the C++ log lines MediaPipe/TFLite print on loading a model to a temporary file.

    They ("Created TensorFlow Lite XNNPACK delegate", "Feedback manager requires ...") are
    informational and would otherwise clutter the command line; on failure they are quoted in
    the error instead.
    """
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "mediapipe.log"
        with log.open("wb") as fh:
            os.dup2(fh.fileno(), 2)
            try:
                yield log
            finally:
                os.dup2(saved, 2)
                os.close(saved)


class PoseEstimator:
    """MediaPipe ``PoseLandmarker`` in VIDEO mode over a verified bundle (frames in, poses out).

    Use as a context manager; frames must come with strictly increasing timestamps.

    Parameters
    ----------
    model : {"lite", "full", "heavy"}
        Landmark model size.
    max_poses : int
        Most candidate poses per frame (>= 1).
    min_detection_confidence, min_presence_confidence, min_tracking_confidence : float
        MediaPipe's thresholds, in [0, 1].
    models_dir : Path, optional
        Folder of the bundles (default: :func:`~reeducate.movement.pose.models.default_models_dir`).
    """

    def __init__(
        self,
        *,
        model: PoseModel = "full",
        max_poses: int = 2,
        min_detection_confidence: float = 0.5,
        min_presence_confidence: float = 0.5,
        min_tracking_confidence: float = 0.5,
        models_dir: Path | None = None,
    ) -> None:
        check_model(model)
        if max_poses < 1:
            raise InvalidParameterError(f"max_poses must be >= 1; got {max_poses}")
        for name, value in (
            ("min_detection_confidence", min_detection_confidence),
            ("min_presence_confidence", min_presence_confidence),
            ("min_tracking_confidence", min_tracking_confidence),
        ):
            if not 0.0 <= value <= 1.0:
                raise InvalidParameterError(f"{name} must lie in [0, 1]; got {value}")
        path = locate_model(model, models_dir=models_dir)
        _, mp = _require_video_extra()
        from mediapipe.tasks.python import BaseOptions, vision

        self.model: PoseModel = model
        self.model_path = path
        self._mp = mp
        options = vision.PoseLandmarkerOptions(
            base_options=BaseOptions(model_asset_buffer=path.read_bytes()),
            running_mode=vision.RunningMode.VIDEO,
            num_poses=int(max_poses),
            min_pose_detection_confidence=float(min_detection_confidence),
            min_pose_presence_confidence=float(min_presence_confidence),
            min_tracking_confidence=float(min_tracking_confidence),
        )
        self._quiet_frames = 30
        with _native_stderr_captured() as captured:
            try:
                self._landmarker: Any = vision.PoseLandmarker.create_from_options(options)
            except Exception as exc:
                raise FileFormatError(
                    f"{path.name}: MediaPipe cannot load the pose model ({exc}); "
                    f"its log: {captured.read_text(errors='replace').strip()[-500:]}"
                ) from None

    def __enter__(self) -> PoseEstimator:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Release the landmarker (also done on leaving a ``with`` block)."""
        if self._landmarker is not None:
            self._landmarker.close()
            self._landmarker = None

    def detect(self, frame_rgb: NDArray[np.uint8], /, *, timestamp_ms: int) -> FramePoses:
        """Candidate poses of one RGB frame ``(height, width, 3)`` uint8."""
        if self._landmarker is None:
            raise InvalidParameterError("this PoseEstimator is closed; create a new one")
        frame = np.ascontiguousarray(frame_rgb)
        if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
            raise InvalidParameterError(
                f"frame_rgb must be (height, width, 3) uint8; got {frame.shape} {frame.dtype}"
            )
        height, width = frame.shape[:2]
        image = self._mp.Image(image_format=self._mp.ImageFormat.SRGB, data=frame)
        if self._quiet_frames > 0:  # the graph logs a C++ notice once it starts tracking
            with _native_stderr_captured():
                result = self._landmarker.detect_for_video(image, int(timestamp_ms))
            self._quiet_frames -= 1
        else:
            result = self._landmarker.detect_for_video(image, int(timestamp_ms))
        n = len(result.pose_landmarks)
        raw = np.empty((n, N_LANDMARKS, 4))
        world = np.empty((n, N_LANDMARKS, 3))
        for p, (pose, wpose) in enumerate(
            zip(result.pose_landmarks, result.pose_world_landmarks, strict=True)
        ):
            raw[p] = [(lm.x, lm.y, lm.visibility or 0.0, lm.presence or 0.0) for lm in pose]
            world[p] = [(lm.x, lm.y, lm.z) for lm in wpose]
        image_px = raw[..., :2] * np.array([width, height], dtype=np.float64)
        confidence = np.clip(np.minimum(raw[..., 2], raw[..., 3]), 0.0, 1.0)
        return FramePoses(image_px=image_px, world_m=world, confidence=confidence)


@dataclass(frozen=True, slots=True, kw_only=True)
class VideoInfo:
    """What OpenCV reports about a video file."""

    width_px: int
    height_px: int
    frame_rate_hz: float
    n_frames_reported: int


def _open_video(path: Path, /) -> tuple[Any, VideoInfo]:
    cv2, _ = _require_video_extra()
    if not path.is_file():
        raise NotFoundError(f"video file not found: {path}")
    cap = cv2.VideoCapture(str(path))
    if not cap.isOpened():
        raise FileFormatError(f"{path.name}: cannot be opened as a video by OpenCV")
    fps = float(cap.get(cv2.CAP_PROP_FPS))
    if not math.isfinite(fps) or fps <= 0:
        cap.release()
        raise FileFormatError(f"{path.name}: frame rate must be > 0; the file reports {fps}")
    info = VideoInfo(
        width_px=int(cap.get(cv2.CAP_PROP_FRAME_WIDTH)),
        height_px=int(cap.get(cv2.CAP_PROP_FRAME_HEIGHT)),
        frame_rate_hz=fps,
        n_frames_reported=int(cap.get(cv2.CAP_PROP_FRAME_COUNT)),
    )
    return cap, info


def video_info(video_path: Path | str, /) -> VideoInfo:
    """Frame size, frame rate and reported frame count of a video file."""
    cap, info = _open_video(Path(video_path))
    cap.release()
    return info


def iter_frames(video_path: Path | str, /, *, rgb: bool = True) -> Iterator[NDArray[np.uint8]]:
    """Decode a video frame by frame (RGB by default, else OpenCV's BGR)."""
    cv2, _ = _require_video_extra()
    cap, _info = _open_video(Path(video_path))
    try:
        while True:
            ok, frame = cap.read()
            if not ok:
                return
            yield cv2.cvtColor(frame, cv2.COLOR_BGR2RGB) if rgb else frame
    finally:
        cap.release()


def _decode_ahead(
    cap: Any, cv2: Any, /, *, max_frames: int | None, depth: int = 4
) -> Iterator[NDArray[np.uint8]]:
    """Yield RGB frames decoded by a background thread (decoding overlaps pose estimation).

    OpenCV releases the GIL while decoding, so on two cores the decoder runs beside the model.
    The queue holds at most ``depth`` frames; the thread stops when the consumer stops.
    """
    frames: queue.Queue[NDArray[np.uint8] | None] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        n = 0
        try:
            while not stop.is_set() and (max_frames is None or n < max_frames):
                ok, frame = cap.read()
                if not ok:
                    break
                rgb = cv2.cvtColor(frame, cv2.COLOR_BGR2RGB)
                while not stop.is_set():
                    try:
                        frames.put(rgb, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                n += 1
        finally:
            while not stop.is_set():
                try:
                    frames.put(None, timeout=0.1)
                    break
                except queue.Full:
                    continue

    worker = threading.Thread(target=produce, name="reeducate-video-decode", daemon=True)
    worker.start()
    try:
        while (item := frames.get()) is not None:
            yield item
    finally:
        stop.set()
        worker.join()


@dataclass(frozen=True, slots=True, kw_only=True)
class PersonTrack:
    """One tracked person.

    Attributes
    ----------
    track_id : int
        Identity (0, 1, ... in order of first appearance).
    image : KeypointSeries
        33 landmarks in pixels, shape (n_frames, 33, 2); NaN where not detected or below the
        keypoint confidence threshold.
    world : KeypointSeries
        33 world landmarks in metres, shape (n_frames, 33, 3), origin between the hips,
        y down (``vertical_axis=1, vertical_sign=-1``).
    n_detected_frames : int
        Frames in which the person was detected.
    median_height_px : float
        Median height of the person's bounding box over the detected frames.
    n_left_right_fixed : int
        Frames whose left/right labels were exchanged by the tracker.
    """

    track_id: int
    image: KeypointSeries
    world: KeypointSeries
    n_detected_frames: int
    median_height_px: float
    n_left_right_fixed: int


@dataclass(frozen=True, slots=True, kw_only=True)
class VideoPoseResult:
    """Keypoints of every person tracked in a video, with the settings that produced them.

    Attributes
    ----------
    tracks : tuple of PersonTrack
        One per person, in order of first appearance (fragments re-joined, short tracks
        dropped).
    main_track_id : int or None
        The main person: the track with the largest ``n_detected_frames x median_height_px``
        (seen longest and largest, i.e. usually nearest the camera); None without any track.
        Choose another person with :meth:`track`.
    frame_width_px, frame_height_px : int
        Frame size.
    frame_rate_hz : float
        Frame rate the file reports (frames are taken as evenly spaced).
    n_frames : int
        Frames analysed.
    model : {"lite", "full", "heavy"}
        Model size, and ``model_sha256`` the sha256 of the bundle used.
    max_poses, min_detection_confidence, min_tracking_confidence, min_keypoint_confidence, \
min_pose_confidence, min_good_fraction, max_gap_s, min_track_s, fix_left_right
        The settings of :func:`estimate_keypoints`.
    """

    tracks: tuple[PersonTrack, ...]
    main_track_id: int | None
    frame_width_px: int
    frame_height_px: int
    frame_rate_hz: float
    n_frames: int
    model: PoseModel
    model_sha256: str
    max_poses: int
    min_detection_confidence: float
    min_tracking_confidence: float
    min_keypoint_confidence: float
    min_pose_confidence: float
    min_good_fraction: float
    max_gap_s: float
    min_track_s: float
    fix_left_right: bool

    def track(self, track_id: int, /) -> PersonTrack:
        """The track with identity ``track_id``."""
        for trk in self.tracks:
            if trk.track_id == track_id:
                return trk
        raise NotFoundError(
            f"person (track) {track_id} not found; the video has tracks "
            f"{[t.track_id for t in self.tracks]}"
        )

    @property
    def main(self) -> PersonTrack:
        """The main person: detected longest, weighted by apparent size (see ``main_track_id``)."""
        if self.main_track_id is None:
            raise NotFoundError("no person was detected in the video")
        return self.track(self.main_track_id)


def _check_fraction(name: str, value: float, /) -> None:
    if not 0.0 <= value <= 1.0:
        raise InvalidParameterError(f"{name} must lie in [0, 1]; got {value}")


def estimate_keypoints(
    video_path: Path | str,
    /,
    *,
    model: PoseModel = "full",
    max_poses: int = 1,
    min_detection_confidence: float = 0.5,
    min_tracking_confidence: float = 0.5,
    min_keypoint_confidence: float = 0.3,
    min_pose_confidence: float = 0.5,
    min_good_fraction: float = 0.3,
    max_gap_s: float = 0.5,
    min_track_s: float = 0.3,
    fix_left_right: bool = True,
    max_frames: int | None = None,
    models_dir: Path | None = None,
) -> VideoPoseResult:
    """Estimate 2-D and 3-D keypoints of every person in a video, tracked across frames.

    Parameters
    ----------
    video_path : Path or str
        A video file OpenCV can decode (mp4, avi, mov ...).
    model : {"lite", "full", "heavy"}, default "full"
        BlazePose landmark model size (speed vs accuracy; see ``benchmarks/bench_video.py``).
        ``full`` is the default: on the Sports2D demo ``lite`` overestimates the shoulder
        abduction of arms overhead by 20-45 deg (195-201 deg against about 151/178), which a
        measurement must not; ``lite`` is faster (38 fps against 29 at 640x480 on 2 cores).
    max_poses : int, default 1
        Most persons looked for in each frame (>= 1): one, the patient of a home exercise
        video, by default. Each extra pose costs one landmark-model run per frame, and while
        fewer persons than ``max_poses`` are visible the detector runs on every frame.
    min_detection_confidence, min_tracking_confidence : float
        MediaPipe's detector and tracking thresholds, in [0, 1].
    min_keypoint_confidence : float
        Landmarks below this confidence are set to NaN (Sports2D: 0.3).
    min_pose_confidence : float
        Detections whose mean landmark confidence is below this are dropped (Sports2D: 0.5).
    min_good_fraction : float
        Detections with fewer than this fraction of landmarks above ``min_keypoint_confidence``
        are dropped (Sports2D: 0.3).
    max_gap_s : float
        A person undetected for up to this long keeps their identity (>= 0).
    min_track_s : float
        Tracks detected for less than this in total are discarded (spurious detections).
    fix_left_right : bool
        Undo single-frame left/right label swaps
        (:func:`~reeducate.movement.pose.tracking.isolated_left_right_swaps`).
    max_frames : int, optional
        Analyse only the first ``max_frames`` frames.
    models_dir : Path, optional
        Folder of the model bundles.

    Returns
    -------
    VideoPoseResult
        One :class:`PersonTrack` per person, the main person's identity, the frame size and
        rate, the model and its sha256, and the settings used.

    Raises
    ------
    NotFoundError
        The video or the model bundle is missing, or the video extra is not installed.
    FileFormatError
        The video cannot be decoded, or the model bundle's sha256 differs from the pinned one.

    Example
    -------
    Needs the ``video`` extra and a video, so it is not a doctest;
    ``tests/reference/test_video_pose_sports2d.py`` runs it on the Sports2D demo::

        result = estimate_keypoints("sports2d_demo.mp4", model="full")
        knee_px = result.main.image.point("left_knee")  # (n_frames, 2), NaN where missing
    """
    path = Path(video_path)
    check_model(model)
    for name, value in (
        ("min_keypoint_confidence", min_keypoint_confidence),
        ("min_pose_confidence", min_pose_confidence),
        ("min_good_fraction", min_good_fraction),
    ):
        _check_fraction(name, value)
    if not (math.isfinite(max_gap_s) and max_gap_s >= 0):
        raise InvalidParameterError(f"max_gap_s must be >= 0; got {max_gap_s}")
    if not (math.isfinite(min_track_s) and min_track_s >= 0):
        raise InvalidParameterError(f"min_track_s must be >= 0; got {min_track_s}")
    if max_frames is not None and max_frames < 1:
        raise InvalidParameterError(f"max_frames must be >= 1; got {max_frames}")
    cv2, _ = _require_video_extra()
    cap, info = _open_video(path)
    frames_img: list[NDArray[np.float64]] = []
    frames_world: list[NDArray[np.float64]] = []
    frames_conf: list[NDArray[np.float64]] = []
    try:
        with PoseEstimator(
            model=model,
            max_poses=max_poses,
            min_detection_confidence=min_detection_confidence,
            min_tracking_confidence=min_tracking_confidence,
            models_dir=models_dir,
        ) as estimator:
            model_sha256 = BUNDLE_SHA256[model]  # verified by locate_model when loaded
            for index, frame_rgb in enumerate(_decode_ahead(cap, cv2, max_frames=max_frames)):
                poses = estimator.detect(
                    frame_rgb, timestamp_ms=round(index * 1000.0 / info.frame_rate_hz)
                )
                good = poses.confidence >= min_keypoint_confidence
                score = poses.confidence.mean(axis=1)
                keep = (score >= min_pose_confidence) & (good.mean(axis=1) >= min_good_fraction)
                kept = np.flatnonzero(keep)
                keep[kept[~suppress_duplicates(poses.image_px[kept], score[kept])]] = False
                img = np.where(good[..., None], poses.image_px, np.nan)[keep]
                frames_img.append(img)
                frames_world.append(np.where(good[..., None], poses.world_m, np.nan)[keep])
                frames_conf.append(poses.confidence[keep])
    finally:
        cap.release()
    n_frames = len(frames_img)
    if n_frames == 0:
        raise FileFormatError(f"{path.name}: no frame could be decoded")
    fps = info.frame_rate_hz
    ids = track_poses(frames_img, max_gap_frames=round(max_gap_s * fps))
    return _assemble(
        path=path,
        info=info,
        n_frames=n_frames,
        frames=(frames_img, frames_world, frames_conf),
        ids=ids,
        min_track_frames=max(1, math.ceil(min_track_s * fps)),
        max_gap_frames=round(max_gap_s * fps),
        settings={
            "model": model,
            "model_sha256": model_sha256,
            "max_poses": int(max_poses),
            "min_detection_confidence": float(min_detection_confidence),
            "min_tracking_confidence": float(min_tracking_confidence),
            "min_track_s": float(min_track_s),
            "min_keypoint_confidence": float(min_keypoint_confidence),
            "min_pose_confidence": float(min_pose_confidence),
            "min_good_fraction": float(min_good_fraction),
            "max_gap_s": float(max_gap_s),
            "fix_left_right": bool(fix_left_right),
        },
    )


def _assemble(
    *,
    path: Path,
    info: VideoInfo,
    n_frames: int,
    frames: tuple[
        list[NDArray[np.float64]], list[NDArray[np.float64]], list[NDArray[np.float64]]
    ],
    ids: list[NDArray[np.intp]],
    min_track_frames: int,
    max_gap_frames: int,
    settings: dict[str, Any],
) -> VideoPoseResult:
    frames_img, frames_world, frames_conf = frames
    n_tracks = 1 + max((int(f.max()) for f in ids if f.size), default=-1)
    img = np.full((n_tracks, n_frames, N_LANDMARKS, 2), np.nan)
    world = np.full((n_tracks, n_frames, N_LANDMARKS, 3), np.nan)
    conf = np.zeros((n_tracks, n_frames, N_LANDMARKS))
    n_swapped = np.zeros(n_tracks, dtype=int)
    for f in range(n_frames):
        for j, tid in enumerate(ids[f]):
            if tid >= 0:
                img[tid, f] = frames_img[f][j]
                world[tid, f] = frames_world[f][j]
                conf[tid, f] = frames_conf[f][j]
    # Join fragments of one person (a wrong pose for a frame or two splits a track); in the
    # frames where two fragments overlap, the later fragment's poses are kept (the earlier
    # one ended because its poses had gone wrong).
    owner = stitch_tracks(img, max_gap_frames=max_gap_frames)
    for tid in np.argsort(owner, kind="stable"):
        root = int(owner[tid])
        if root == tid:
            continue
        later = np.isfinite(img[tid]).any(axis=(1, 2))
        img[root, later] = img[tid, later]
        world[root, later] = world[tid, later]
        conf[root, later] = conf[tid, later]
        img[tid], world[tid], conf[tid] = np.nan, np.nan, 0.0
    if settings["fix_left_right"]:
        for tid in range(n_tracks):
            swapped = isolated_left_right_swaps(img[tid], mirror=MIRROR_MEDIAPIPE33)
            img[tid, swapped] = img[tid, swapped][:, MIRROR_MEDIAPIPE33]
            world[tid, swapped] = world[tid, swapped][:, MIRROR_MEDIAPIPE33]
            conf[tid, swapped] = conf[tid, swapped][:, MIRROR_MEDIAPIPE33]
            n_swapped[tid] = int(swapped.sum())
    tracks = []
    best: tuple[float, int] | None = None
    for tid in range(n_tracks):
        detected = np.isfinite(img[tid]).any(axis=(1, 2))
        n_det = int(detected.sum())
        if n_det < min_track_frames:
            continue
        boxes = boxes_of(img[tid][detected])
        height = float(np.median(boxes[:, 3] - boxes[:, 1]))
        name = f"{path.name} person {tid}"
        tracks.append(
            PersonTrack(
                track_id=tid,
                image=KeypointSeries(
                    positions=img[tid], confidence=conf[tid], keypoint_names=MEDIAPIPE33,
                    frame_rate_hz=info.frame_rate_hz, unit="px", skeleton="mediapipe33",
                    source_name=name,
                ),
                world=KeypointSeries(
                    positions=world[tid], confidence=conf[tid], keypoint_names=MEDIAPIPE33,
                    frame_rate_hz=info.frame_rate_hz, unit="m", skeleton="mediapipe33",
                    vertical_axis=1, vertical_sign=-1, source_name=name,
                ),
                n_detected_frames=n_det,
                median_height_px=height,
                n_left_right_fixed=int(n_swapped[tid]),
            )
        )
        score = n_det * height
        if best is None or score > best[0]:
            best = (score, tid)
    return VideoPoseResult(
        tracks=tuple(tracks),
        main_track_id=None if best is None else best[1],
        frame_width_px=info.width_px,
        frame_height_px=info.height_px,
        frame_rate_hz=info.frame_rate_hz,
        n_frames=n_frames,
        **settings,
    )
