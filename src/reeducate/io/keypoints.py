"""Keypoint files of other tools: OpenPose JSON, COCO-17 JSON, MediaPipe landmarks, C3D markers.

Every reader returns a :class:`~reeducate.movement.keypoints.KeypointSeries` (one person) with
canonical keypoint names (:mod:`reeducate.movement.skeletons`). Formats:

* **OpenPose JSON** (``BODY_25`` or ``BODY_25B``): one file per frame (``*_keypoints.json``
  or Pose2Sim's ``cam01.0000.json``), ``people[].pose_keypoints_2d`` = 25 x (x px, y px,
  confidence); a confidence of 0 means not detected. The frame rate is not in the files and
  must be given.
* **COCO-17 JSON**: a results list ``[{"image_id", "keypoints": [x, y, v] * 17, "score"}]``
  (frames in ``image_id`` order) or a dataset ``{"annotations": [...]}``. ``v`` is the
  visibility flag (0, 1, 2) of annotations (0 = missing) or a confidence in [0, 1].
* **MediaPipe landmarks**: CSV with a ``time_s`` or ``frame`` column and, per landmark,
  ``{name}_x, {name}_y[, {name}_z][, {name}_visibility]`` (names of
  :data:`~reeducate.movement.skeletons.MEDIAPIPE33`), or JSON ``{"frame_rate_hz", "frames":
  [[{"x", "y", "z", "visibility"} * 33], ...]}``. Coordinates normalised to [0, 1] (as
  MediaPipe returns them) are converted to pixels with the image size, which must then be
  given; pixel coordinates are read as they are.
* **C3D markers** (through ezc3d): POINT data in POINT:UNITS (mm, cm, m) converted to metres;
  the vertical axis is Z unless stated.

Person selection (OpenPose, COCO): in the first frame with people, the person with the largest
bounding box of confident keypoints; then, frame by frame, the person whose mean keypoint is
nearest the previous choice (a simple tracker; frames with nobody are missing).
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from reeducate.errors import FileFormatError, InvalidParameterError, NotFoundError, UnitError
from reeducate.io._text import read_bytes
from reeducate.movement.keypoints import KeypointSeries
from reeducate.movement.skeletons import BODY25, BODY25B, COCO17, MEDIAPIPE33, canonical_marker_name
from reeducate.signals.checks import check_sampling_rate

__all__ = [
    "read_c3d_markers",
    "read_coco_json",
    "read_keypoints",
    "read_mediapipe_landmarks",
    "read_openpose_json",
]

FloatArray = NDArray[np.float64]


def _check_rate(frame_rate_hz: float | None, name: str) -> float:
    if frame_rate_hz is None:
        raise InvalidParameterError(
            f"{name}: frame_rate_hz must be given (the files do not store it); got None"
        )
    return check_sampling_rate(frame_rate_hz, name="frame_rate_hz")


def _load_json(path: Path) -> tuple[Any, str]:
    raw, name = read_bytes(path)
    try:
        return json.loads(raw.decode("utf-8")), name
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise FileFormatError(f"{name}: is not valid JSON ({type(exc).__name__})") from None


def _track(candidates: list[list[tuple[FloatArray, FloatArray]]]) -> tuple[FloatArray, FloatArray]:
    """Choose one person per frame: biggest first, then nearest to the previous choice."""
    n = len(candidates)
    n_kp = next((len(c[0][0]) for c in candidates if c), 0)
    pos = np.full((n, n_kp, 2), np.nan)
    conf = np.zeros((n, n_kp))
    prev: FloatArray | None = None
    for f, people in enumerate(candidates):
        if not people:
            continue
        if prev is None:

            def size(p: tuple[FloatArray, FloatArray]) -> float:
                xy = p[0][np.isfinite(p[0]).all(axis=1)]
                return float(np.prod(np.ptp(xy, axis=0))) if len(xy) > 1 else 0.0

            choice = max(people, key=size)
        else:

            def dist(p: tuple[FloatArray, FloatArray], prev: FloatArray = prev) -> float:
                c = np.nanmean(p[0], axis=0)
                return float(np.hypot(*(c - prev))) if np.isfinite(c).all() else np.inf

            choice = min(people, key=dist)
        pos[f], conf[f] = choice
        centre = np.nanmean(choice[0], axis=0) if np.isfinite(choice[0]).any() else None
        if centre is not None:
            prev = centre
    return pos, conf


def _openpose_frames(path: Path) -> list[Path]:
    if path.is_dir():
        files = sorted(path.glob("*.json"))
        if not files:
            raise NotFoundError(f"folder {path.name!r} holds no .json files")

        def key(p: Path) -> tuple[int, str]:
            nums = re.findall(r"\d+", p.stem)
            return (int(nums[-1]) if nums else -1, p.name)

        return sorted(files, key=key)
    if not path.exists():
        raise NotFoundError(f"file {path.name!r} does not exist")
    return [path]


def read_openpose_json(
    path: str | Path,
    /,
    *,
    frame_rate_hz: float,
    skeleton: Literal["body25", "body25b"],
) -> KeypointSeries:
    """Read OpenPose JSON (a folder of per-frame files, or one file) for one person.

    Parameters
    ----------
    path : str or Path
        A folder of per-frame JSON files (sorted by the last number in the name) or one file.
    frame_rate_hz : float
        Video frame rate (not stored in the files).
    skeleton : {"body25", "body25b"}
        The OpenPose model that wrote them (both have 25 keypoints in different orders, so it
        cannot be guessed safely).

    Raises
    ------
    FileFormatError
        Not JSON, no ``people`` list, or a keypoint list of the wrong length.
    """
    p = Path(path)
    rate = _check_rate(frame_rate_hz, p.name)
    if skeleton not in ("body25", "body25b"):
        raise InvalidParameterError(f"skeleton must be 'body25' or 'body25b'; got {skeleton!r}")
    names = BODY25 if skeleton == "body25" else BODY25B
    candidates: list[list[tuple[FloatArray, FloatArray]]] = []
    for f in _openpose_frames(p):
        doc, name = _load_json(f)
        if not isinstance(doc, dict) or not isinstance(doc.get("people"), list):
            raise FileFormatError(f"{name}: expected an object with a 'people' list (OpenPose)")
        people = []
        for k, person in enumerate(doc["people"]):
            flat = person.get("pose_keypoints_2d") if isinstance(person, dict) else None
            if not isinstance(flat, list) or len(flat) != 3 * len(names):
                got = len(flat) if isinstance(flat, list) else type(flat).__name__
                raise FileFormatError(
                    f"{name}: people[{k}].pose_keypoints_2d must hold {3 * len(names)} numbers "
                    f"({skeleton}); got {got}"
                )
            arr = np.asarray(flat, dtype=np.float64).reshape(len(names), 3)
            c = np.clip(arr[:, 2], 0.0, 1.0)
            xy = np.where((c > 0)[:, None], arr[:, :2], np.nan)
            people.append((xy, c))
        candidates.append(people)
    pos, conf = _track(candidates)
    if not np.isfinite(pos).any():
        raise FileFormatError(f"{p.name}: no person detected in any frame")
    return KeypointSeries(positions=pos, confidence=conf, keypoint_names=names,
                          frame_rate_hz=rate, unit="px", skeleton=skeleton,
                          source_name=p.name)  # fmt: skip


def read_coco_json(path: str | Path, /, *, frame_rate_hz: float) -> KeypointSeries:
    """Read COCO-17 keypoints (results list or dataset with ``annotations``), one person.

    Raises
    ------
    FileFormatError
        Not JSON, no keypoints, or keypoint lists that are not 51 numbers.
    """
    p = Path(path)
    doc, name = _load_json(p)
    rate = _check_rate(frame_rate_hz, name)
    items = doc.get("annotations") if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not items:
        raise FileFormatError(f"{name}: expected a list of keypoint results or 'annotations'")
    frames: dict[Any, list[tuple[FloatArray, FloatArray]]] = {}
    all_v: list[FloatArray] = []
    for k, item in enumerate(items):
        kp = item.get("keypoints") if isinstance(item, dict) else None
        if not isinstance(kp, list) or len(kp) != 51:
            raise FileFormatError(
                f"{name}: item {k} 'keypoints' must hold 51 numbers (17 x [x, y, v]); got "
                f"{len(kp) if isinstance(kp, list) else type(kp).__name__}"
            )
        arr = np.asarray(kp, dtype=np.float64).reshape(17, 3)
        all_v.append(arr[:, 2])
        frames.setdefault(item.get("image_id", k), []).append((arr[:, :2], arr[:, 2]))
    v_all = np.concatenate(all_v)
    flags = bool(np.all(np.isin(v_all, (0.0, 1.0, 2.0))) and np.any(v_all == 2.0))
    candidates = []
    for key in sorted(frames, key=lambda x: (str(type(x)), x)):
        people = []
        for xy, v in frames[key]:
            c = (v > 0).astype(np.float64) if flags else np.clip(v, 0.0, 1.0)
            people.append((np.where((c > 0)[:, None], xy, np.nan), c))
        candidates.append(people)
    pos, conf = _track(candidates)
    return KeypointSeries(positions=pos, confidence=conf, keypoint_names=COCO17,
                          frame_rate_hz=rate, unit="px", skeleton="coco17",
                          source_name=name)  # fmt: skip


def _to_px(x: FloatArray, y: FloatArray, *, width: float | None, height: float | None,
           name: str) -> tuple[FloatArray, FloatArray]:  # fmt: skip
    finite = np.isfinite(x) & np.isfinite(y)
    normalised = bool(finite.any()) and float(np.nanmax(np.abs(np.r_[x[finite], y[finite]]))) <= 1.5
    if not normalised:
        return x, y
    if width is None or height is None:
        raise UnitError(
            f"{name}: landmarks are normalised to the image (values within [0, 1]); "
            "image_width_px and image_height_px must be given to convert them to pixels"
        )
    return x * width, y * height


def read_mediapipe_landmarks(
    path: str | Path,
    /,
    *,
    frame_rate_hz: float | None = None,
    image_width_px: float | None = None,
    image_height_px: float | None = None,
) -> KeypointSeries:
    """Read MediaPipe BlazePose landmarks from CSV or JSON (see the module for the layout).

    Parameters
    ----------
    path : str or Path
    frame_rate_hz : float, optional
        Needed unless the file has a ``time_s`` column or a ``frame_rate_hz`` field.
    image_width_px, image_height_px : float, optional
        Needed when the coordinates are normalised to [0, 1].

    Raises
    ------
    FileFormatError
        Missing landmark columns or a wrong number of landmarks.
    UnitError
        Normalised coordinates without the image size.
    """
    p = Path(path)
    raw, name = read_bytes(p)
    names = MEDIAPIPE33
    if p.suffix.lower() == ".json":
        try:
            doc = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise FileFormatError(f"{name}: is not valid JSON") from None
        frames = doc.get("frames") if isinstance(doc, dict) else None
        if not isinstance(frames, list) or not frames:
            raise FileFormatError(f"{name}: expected an object with a non-empty 'frames' list")
        rate = _check_rate(frame_rate_hz or doc.get("frame_rate_hz"), name)
        xs = np.full((len(frames), 33), np.nan)
        ys, zs, vs = xs.copy(), xs.copy(), np.zeros((len(frames), 33))
        for i, fr in enumerate(frames):
            if not fr:
                continue
            if not isinstance(fr, list) or len(fr) != 33:
                raise FileFormatError(f"{name}: frames[{i}] must hold 33 landmarks or be empty")
            for j, lm in enumerate(fr):
                xs[i, j], ys[i, j] = float(lm["x"]), float(lm["y"])
                zs[i, j] = float(lm.get("z", np.nan))
                vs[i, j] = float(lm.get("visibility", 1.0))
        time_s = None
    else:
        import pandas as pd

        try:
            table = pd.read_csv(io.BytesIO(raw))
        except Exception:
            raise FileFormatError(f"{name}: cannot be parsed as CSV") from None
        cols = {c.strip().lower(): c for c in table.columns}
        missing = [f"{n}_x" for n in names if f"{n}_x" not in cols or f"{n}_y" not in cols]
        if missing:
            raise FileFormatError(
                f"{name}: landmark columns missing, e.g. {missing[:3]}; expected "
                "'{name}_x', '{name}_y' for the 33 MediaPipe landmarks"
            )

        def col(key: str, default: float) -> FloatArray:
            return (np.asarray(pd.to_numeric(table[cols[key]], errors="coerce"), dtype=np.float64)
                    if key in cols else np.full(len(table), default))  # fmt: skip

        xs = np.stack([col(f"{n}_x", np.nan) for n in names], axis=1)
        ys = np.stack([col(f"{n}_y", np.nan) for n in names], axis=1)
        vs = np.stack([col(f"{n}_visibility", 1.0) for n in names], axis=1)
        time_s = col("time_s", np.nan) if "time_s" in cols else None
        if time_s is not None:
            rate = 1.0 / float(np.median(np.diff(time_s)))
        else:
            rate = _check_rate(frame_rate_hz, name)
    xs, ys = _to_px(xs, ys, width=image_width_px, height=image_height_px, name=name)
    pos = np.stack([xs, ys], axis=2)
    vs = np.clip(np.nan_to_num(vs, nan=0.0), 0.0, 1.0)
    return KeypointSeries(positions=pos, confidence=vs, keypoint_names=names,
                          frame_rate_hz=rate, unit="px", skeleton="mediapipe33",
                          time_s=time_s, source_name=name)  # fmt: skip


_C3D_LENGTH = {"mm": 1e-3, "cm": 1e-2, "m": 1.0}


def read_c3d_markers(path: str | Path, /, *, vertical_axis: int = 2) -> KeypointSeries:
    """Read the POINT (marker) data of a C3D file into metres.

    Parameters
    ----------
    path : str or Path
    vertical_axis : int
        Index of the upward axis (Z = 2 in most laboratories).

    Raises
    ------
    FileFormatError
        Not a readable C3D, or no markers.
    UnitError
        POINT:UNITS other than mm, cm or m.
    """
    p = Path(path)
    if not p.exists():
        raise NotFoundError(f"file {p.name!r} does not exist")
    from reeducate.io.c3d import open_c3d

    c3d = open_c3d(p, name=p.name)
    params = c3d["parameters"]
    labels = [str(s).strip() for s in params["POINT"]["LABELS"]["value"]]
    points = np.asarray(c3d["data"]["points"], dtype=np.float64)  # (4, n_markers, n_frames)
    if not labels or points.shape[1] == 0:
        raise FileFormatError(f"{p.name}: has no markers (POINT:LABELS is empty)")
    unit_text = str(params["POINT"]["UNITS"]["value"][0]).strip()
    if unit_text.lower() not in _C3D_LENGTH:
        raise UnitError(
            f"{p.name}: POINT:UNITS {unit_text!r} is not supported; expected mm, cm or m"
        )
    rate = float(params["POINT"]["RATE"]["value"][0])
    xyz = np.transpose(points[:3], (2, 1, 0)) * _C3D_LENGTH[unit_text.lower()]
    names = tuple(canonical_marker_name(lb) for lb in labels)
    if len(set(names)) != len(names):
        names = tuple(labels)
    finite: NDArray[np.bool_] = np.asarray(np.isfinite(xyz).all(axis=2))
    return KeypointSeries(positions=np.where(finite[:, :, None], xyz, np.nan),
                          confidence=finite.astype(np.float64), keypoint_names=names,
                          frame_rate_hz=rate, unit="m", skeleton="markers",
                          vertical_axis=vertical_axis, vertical_sign=1,
                          source_name=p.name)  # fmt: skip


def read_keypoints(
    path: str | Path,
    /,
    *,
    frame_rate_hz: float | None = None,
    skeleton: str | None = None,
    image_width_px: float | None = None,
    image_height_px: float | None = None,
) -> KeypointSeries:
    """Read any supported keypoint file, chosen by extension and content.

    ``.trc`` -> :func:`reeducate.io.opensim.read_trc`; ``.c3d`` -> :func:`read_c3d_markers`;
    ``.csv`` -> :func:`read_mediapipe_landmarks`; a folder or ``.json``: OpenPose when it has
    ``people`` (``skeleton`` ``"body25"`` or ``"body25b"`` required), MediaPipe when it has
    ``frames``, COCO otherwise.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".trc":
        from reeducate.io.opensim import read_trc

        return read_trc(p)
    if suffix == ".c3d":
        return read_c3d_markers(p)
    if suffix == ".csv":
        return read_mediapipe_landmarks(p, frame_rate_hz=frame_rate_hz,
                                        image_width_px=image_width_px,
                                        image_height_px=image_height_px)  # fmt: skip
    if p.is_dir() or suffix == ".json":
        first = _openpose_frames(p)[0]
        doc, name = _load_json(first)
        if isinstance(doc, dict) and "people" in doc:
            if skeleton not in ("body25", "body25b"):
                raise InvalidParameterError(
                    f"{name}: OpenPose JSON needs skeleton 'body25' or 'body25b' (both have 25 "
                    f"keypoints in different orders); got {skeleton!r}"
                )
            rate = _check_rate(frame_rate_hz, name)
            model: Literal["body25", "body25b"] = "body25" if skeleton == "body25" else "body25b"
            return read_openpose_json(p, frame_rate_hz=rate, skeleton=model)
        if isinstance(doc, dict) and "frames" in doc:
            return read_mediapipe_landmarks(p, frame_rate_hz=frame_rate_hz,
                                            image_width_px=image_width_px,
                                            image_height_px=image_height_px)  # fmt: skip
        return read_coco_json(p, frame_rate_hz=_check_rate(frame_rate_hz, name))
    raise FileFormatError(
        f"{p.name}: unknown keypoint file type {suffix!r}; expected .json (OpenPose, COCO, "
        "MediaPipe), a folder of OpenPose .json, .csv (MediaPipe), .trc or .c3d"
    )
