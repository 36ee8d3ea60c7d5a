"""Person tracking across frames: give each pose detection a persistent identity.

A pose model returns, for every frame, an unordered list of candidate poses. This module links
them into tracks, one per person:

* each live track is compared with each detection of the new frame by a cost that mixes the
  overlap of their bounding boxes (1 - IoU) and the mean distance between corresponding
  keypoints, normalised by the track's box diagonal (an object-keypoint-similarity in spirit,
  Ruggero Ronchi & Perona 2017, doi:10.1109/ICCV.2017.48);
* detections are assigned to tracks by the Hungarian algorithm (minimum total cost; Kuhn 1955,
  doi:10.1002/nav.3800020109; ``scipy.optimize.linear_sum_assignment``), and a pair whose boxes
  do not overlap and whose keypoints are further apart than ``max_distance_ratio`` box
  diagonals is never linked;
* a track survives ``max_gap_frames`` frames without a detection (a person briefly hidden
  behind a tree keeps their identity); unmatched detections start new tracks.

:func:`isolated_left_right_swaps` finds single frames whose left/right labels are exchanged (the
model calling the left knee "right" for one frame, a known BlazePose failure).

Example
-------
>>> import numpy as np
>>> a = np.zeros((33, 2)); a[:, 0] = np.linspace(0, 50, 33); a[:, 1] = np.linspace(0, 200, 33)
>>> b = a + [500.0, 0.0]
>>> frames = [np.stack([a, b]), np.stack([b + 3, a + 3]), np.stack([a + 6])]
>>> ids = track_poses(frames, max_gap_frames=5)
>>> [f.tolist() for f in ids]
[[0, 1], [1, 0], [0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from scipy.optimize import linear_sum_assignment

from reeducate.errors import InvalidParameterError
from reeducate.movement.skeletons import MEDIAPIPE33

_FORBIDDEN = 1e6


def _mirror_index(names: Sequence[str], /) -> NDArray[np.intp]:
    """Index permutation that swaps every ``left_*`` keypoint with its ``right_*`` twin."""
    pos = {n: i for i, n in enumerate(names)}
    out = np.arange(len(names))
    for i, n in enumerate(names):
        for a, b in (("left", "right"), ("right", "left")):
            if a in n:
                twin = n.replace(a, b)
                if twin in pos:
                    out[i] = pos[twin]
    return out


MIRROR_MEDIAPIPE33: NDArray[np.intp] = _mirror_index(MEDIAPIPE33)
"""Permutation swapping left and right landmarks of the MediaPipe 33 skeleton."""


def boxes_of(keypoints_px: NDArray[np.float64], /) -> NDArray[np.float64]:
    """Bounding boxes ``(x0, y0, x1, y1)`` of poses ``(n, n_keypoints, 2)``, ignoring NaN."""
    kp = np.asarray(keypoints_px, dtype=np.float64)
    with np.errstate(invalid="ignore"):
        lo = np.nanmin(kp, axis=1) if kp.size else np.zeros((0, 2))
        hi = np.nanmax(kp, axis=1) if kp.size else np.zeros((0, 2))
    return np.concatenate([lo, hi], axis=1)


def box_iou(a: NDArray[np.float64], b: NDArray[np.float64], /) -> NDArray[np.float64]:
    """Pairwise intersection-over-union of boxes ``a (n, 4)`` and ``b (m, 4)`` -> ``(n, m)``.

    Example
    -------
    >>> box_iou(np.array([[0., 0, 2, 2]]), np.array([[1., 1, 3, 3], [5., 5, 6, 6]])).round(3)
    array([[0.143, 0.   ]])
    """
    a = np.asarray(a, dtype=np.float64)[:, None, :]
    b = np.asarray(b, dtype=np.float64)[None, :, :]
    iw = np.clip(np.minimum(a[..., 2], b[..., 2]) - np.maximum(a[..., 0], b[..., 0]), 0, None)
    ih = np.clip(np.minimum(a[..., 3], b[..., 3]) - np.maximum(a[..., 1], b[..., 1]), 0, None)
    inter = iw * ih
    area_a = (a[..., 2] - a[..., 0]) * (a[..., 3] - a[..., 1])
    area_b = (b[..., 2] - b[..., 0]) * (b[..., 3] - b[..., 1])
    union = area_a + area_b - inter
    with np.errstate(invalid="ignore", divide="ignore"):
        iou = np.where(union > 0, inter / union, 0.0)
    return np.asarray(iou, dtype=np.float64)


def _mean_distance(a: NDArray[np.float64], b: NDArray[np.float64], /) -> float:
    d = np.linalg.norm(a - b, axis=-1)
    d = d[np.isfinite(d)]
    return float(d.mean()) if d.size else np.inf


def suppress_duplicates(
    poses_px: NDArray[np.float64],
    scores: NDArray[np.float64],
    /,
    *,
    iou_threshold: float = 0.5,
    max_distance_ratio: float = 0.35,
) -> NDArray[np.bool_]:
    """Which poses of one frame to keep when the model returns the same person twice.

    With ``num_poses > 1`` the MediaPipe landmarker sometimes returns two landmark sets for one
    person (seen on the Sports2D demo: box IoU 0.6-0.98, keypoints 0.02-0.3 box diagonals
    apart). A pose is dropped when a higher-scoring pose of the same frame overlaps it with
    box IoU >= ``iou_threshold`` *and* their keypoints are on average within
    ``max_distance_ratio`` box diagonals (so two real people side by side are both kept):
    greedy non-maximum suppression (Neubeck & Van Gool 2006, doi:10.1109/ICPR.2006.479).

    Parameters
    ----------
    poses_px : ndarray, shape (n_poses, n_keypoints, 2)
        Candidate poses of one frame.
    scores : ndarray, shape (n_poses,)
        Their confidence (e.g. mean landmark confidence).

    Returns
    -------
    ndarray of bool, shape (n_poses,)
        True for the poses to keep.

    Example
    -------
    >>> import numpy as np
    >>> a = np.array([[0.0, 0.0], [10.0, 100.0]])
    >>> poses = np.stack([a, a + 2.0, a + 300.0])
    >>> suppress_duplicates(poses, np.array([0.7, 0.9, 0.5])).tolist()
    [False, True, True]
    """
    poses = np.asarray(poses_px, dtype=np.float64)
    n = poses.shape[0]
    keep = np.ones(n, dtype=bool)
    if n < 2:
        return keep
    boxes = boxes_of(poses)
    iou = box_iou(boxes, boxes)
    diag = np.hypot(boxes[:, 2] - boxes[:, 0], boxes[:, 3] - boxes[:, 1])
    for i in np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable"):
        if not keep[i]:
            continue
        for j in range(n):
            if j == i or not keep[j] or iou[i, j] < iou_threshold:
                continue
            if _mean_distance(poses[i], poses[j]) <= max_distance_ratio * max(diag[i], 1.0):
                keep[j] = False
    return keep


@dataclass(slots=True)
class _Track:
    track_id: int
    keypoints: NDArray[np.float64]
    box: NDArray[np.float64]
    last_frame: int
    hits: int = 1
    history: list[int] = field(default_factory=list)


def track_poses(
    poses_px: Sequence[NDArray[np.float64]],
    /,
    *,
    max_gap_frames: int,
    max_distance_ratio: float = 0.5,
) -> list[NDArray[np.intp]]:
    """Give every detected pose of every frame a track identity.

    Parameters
    ----------
    poses_px : sequence of ndarray, each shape (n_detections, n_keypoints, 2)
        Candidate poses of each frame in image pixels (NaN for keypoints to ignore).
    max_gap_frames : int
        Frames a track may go undetected and still be continued (>= 0).
    max_distance_ratio : float
        Keypoint distance, in units of the track's box diagonal, beyond which a detection
        whose box does not overlap the track's box can never continue that track.

    Returns
    -------
    list of ndarray of int, one per frame, shape (n_detections,)
        Identity of each detection (0, 1, 2, ... in order of first appearance).
    """
    if max_gap_frames < 0:
        raise InvalidParameterError(f"max_gap_frames must be >= 0; got {max_gap_frames}")
    if not max_distance_ratio > 0:
        raise InvalidParameterError(f"max_distance_ratio must be > 0; got {max_distance_ratio}")
    live: list[_Track] = []
    next_id = 0
    all_ids: list[NDArray[np.intp]] = []
    for frame, raw in enumerate(poses_px):
        dets = np.asarray(raw, dtype=np.float64)
        if dets.ndim != 3 or (dets.shape[0] and dets.shape[2] != 2):
            raise InvalidParameterError(
                "poses_px[i] must have shape (n_detections, n_keypoints, 2); "
                f"got {dets.shape} at frame {frame}"
            )
        live = [t for t in live if frame - t.last_frame <= max_gap_frames + 1]
        n_det = dets.shape[0]
        ids = np.full(n_det, -1, dtype=np.intp)
        if n_det and live:
            det_boxes = boxes_of(dets)
            trk_boxes = np.stack([t.box for t in live])
            iou = box_iou(trk_boxes, det_boxes)
            cost = np.empty((len(live), n_det))
            for i, trk in enumerate(live):
                diag = float(np.hypot(*(trk.box[2:] - trk.box[:2]))) or 1.0
                for j in range(n_det):
                    dist = _mean_distance(trk.keypoints, dets[j]) / diag
                    ok = iou[i, j] > 0 or dist <= max_distance_ratio
                    cost[i, j] = (1.0 - iou[i, j]) + dist if ok else _FORBIDDEN
            rows, cols = linear_sum_assignment(cost)
            for i, j in zip(rows, cols, strict=True):
                if cost[i, j] >= _FORBIDDEN:
                    continue
                ids[j] = live[i].track_id
                trk = live[i]
                trk.keypoints = np.where(np.isfinite(dets[j]), dets[j], trk.keypoints)
                trk.box = boxes_of(dets[j : j + 1])[0]
                trk.last_frame = frame
                trk.hits += 1
        for k in np.flatnonzero(ids < 0):
            if not np.isfinite(dets[k]).any():
                continue
            box = boxes_of(dets[k : k + 1])[0]
            live.append(_Track(track_id=next_id, keypoints=dets[k].copy(), box=box,
                               last_frame=frame))  # fmt: skip
            ids[k] = next_id
            next_id += 1
        all_ids.append(ids)
    return all_ids


def isolated_left_right_swaps(
    positions: NDArray[np.float64],
    /,
    *,
    mirror: NDArray[np.intp],
    swap_ratio: float = 0.5,
) -> NDArray[np.bool_]:
    """Frames of one track whose left/right labels are swapped for that frame alone.

    A frame is flagged when its mirrored labelling is closer than ``swap_ratio`` times its
    labelling as returned to **both** neighbouring frames (mean keypoint distance). Comparing
    with the two neighbours, never with a running state, cannot latch onto a wrong labelling;
    swaps lasting two frames or more are left alone (they are outliers for
    :mod:`reeducate.movement.cleaning`).

    Parameters
    ----------
    positions : ndarray, shape (n_frames, n_keypoints, 2 or 3)
        One person's keypoints, NaN where missing.
    mirror : ndarray of int, shape (n_keypoints,)
        Permutation mapping each keypoint to its left/right twin.
    swap_ratio : float
        In (0, 1]; smaller is stricter.

    Returns
    -------
    ndarray of bool, shape (n_frames,)

    Example
    -------
    >>> import numpy as np
    >>> pose = np.array([[0.0, 0.0], [10.0, 0.0], [5.0, 20.0]])  # left, right, centre
    >>> seq = np.stack([pose, pose, pose[[1, 0, 2]], pose])
    >>> isolated_left_right_swaps(seq, mirror=np.array([1, 0, 2])).tolist()
    [False, False, True, False]
    """
    pos = np.asarray(positions, dtype=np.float64)
    if pos.ndim != 3:
        raise InvalidParameterError(
            f"positions must have shape (n_frames, n_keypoints, dims); got {pos.shape}"
        )
    if mirror.shape != (pos.shape[1],):
        raise InvalidParameterError(
            f"mirror must have {pos.shape[1]} entries; got {mirror.shape[0]}"
        )
    if not 0 < swap_ratio <= 1:
        raise InvalidParameterError(f"swap_ratio must lie in (0, 1]; got {swap_ratio}")
    out = np.zeros(pos.shape[0], dtype=bool)
    for t in range(1, pos.shape[0] - 1):
        here, flipped = pos[t], pos[t][mirror]
        ok = True
        for other in (pos[t - 1], pos[t + 1]):
            as_is = _mean_distance(other, here)
            ok &= bool(np.isfinite(as_is)) and _mean_distance(other, flipped) < swap_ratio * as_is
        out[t] = ok
    return out


def stitch_tracks(
    positions: NDArray[np.float64],
    /,
    *,
    max_gap_frames: int,
    max_overlap_frames: int = 2,
    lookback_frames: int = 5,
    max_distance_ratio: float = 0.5,
) -> NDArray[np.intp]:
    """Join track fragments of one person that the frame-to-frame tracker split.

    A track can split when the model returns a wrong pose for a frame or two (the track then
    follows the wrong pose and the next good detection starts a new track). Track B continues
    track A when B starts at most ``max_gap_frames`` after A's last detection (or overlaps A's
    end by at most ``max_overlap_frames``) and B's first pose lies within
    ``max_distance_ratio`` box diagonals of one of A's last ``lookback_frames`` detected poses
    (mean keypoint distance). Candidate links are taken closest first, each track continuing
    at most one and continued by at most one.

    Parameters
    ----------
    positions : ndarray, shape (n_tracks, n_frames, n_keypoints, 2)
        Keypoints of each track (NaN where not detected).

    Returns
    -------
    ndarray of int, shape (n_tracks,)
        For each track, the identity of the track it belongs to after stitching (the first
        fragment's identity).

    Example
    -------
    >>> import numpy as np
    >>> pose = np.array([[0.0, 0.0], [10.0, 100.0]])
    >>> pos = np.full((2, 6, 2, 2), np.nan)
    >>> pos[0, :3] = pose; pos[1, 3:] = pose + 3.0        # one person, split at frame 3
    >>> stitch_tracks(pos, max_gap_frames=5).tolist()
    [0, 0]
    """
    pos = np.asarray(positions, dtype=np.float64)
    if pos.ndim != 4:
        raise InvalidParameterError(
            f"positions must have shape (n_tracks, n_frames, n_keypoints, 2); got {pos.shape}"
        )
    n_tracks = pos.shape[0]
    detected: NDArray[np.bool_] = np.asarray(np.isfinite(pos).any(axis=(2, 3)))
    spans = []
    for t in range(n_tracks):
        seen = np.flatnonzero(detected[t])
        spans.append((int(seen[0]), int(seen[-1])) if seen.size else (-1, -1))
    candidates: list[tuple[float, int, int]] = []
    for a in range(n_tracks):
        a_start, a_end = spans[a]
        if a_start < 0:
            continue
        recent = [int(f) for f in np.flatnonzero(detected[a]) if f > a_end - lookback_frames]
        for b in range(n_tracks):
            b_start, b_end = spans[b]
            if b == a or b_start < 0 or b_start <= a_start or b_end <= a_end:
                continue
            if not -max_overlap_frames <= b_start - a_end - 1 <= max_gap_frames:
                continue
            first = pos[b, b_start]
            best = np.inf
            for f in recent:
                box = boxes_of(pos[a, f][None])[0]
                diag = float(np.hypot(*(box[2:] - box[:2]))) or 1.0
                best = min(best, _mean_distance(pos[a, f], first) / diag)
            if best <= max_distance_ratio:
                candidates.append((best, a, b))
    owner = np.arange(n_tracks)
    has_next = np.zeros(n_tracks, dtype=bool)
    has_prev = np.zeros(n_tracks, dtype=bool)
    for _dist, a, b in sorted(candidates):
        if has_next[a] or has_prev[b]:
            continue
        has_next[a] = has_prev[b] = True
        owner[b] = a
    for t in range(n_tracks):  # follow chains a <- b <- c to the first fragment
        root = t
        while owner[root] != root:
            root = int(owner[root])
        owner[t] = root
    return owner
