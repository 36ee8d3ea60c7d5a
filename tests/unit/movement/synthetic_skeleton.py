"""Synthetic skeletons with known joint angles (closed forms for the angle tests).

Built in the view frames of :mod:`reeducate.movement.angles` from chosen angles, then drawn
into an image (y down) for a given camera view, or embedded in 3-D.
"""

from __future__ import annotations

import numpy as np

NAMES = (
    "left_shoulder",
    "right_shoulder",
    "left_elbow",
    "right_elbow",
    "left_wrist",
    "right_wrist",
    "left_hip",
    "right_hip",
    "left_knee",
    "right_knee",
    "left_ankle",
    "right_ankle",
    "left_heel",
    "right_heel",
    "left_big_toe",
    "right_big_toe",
    "left_ear",
    "right_ear",
    "nose",
)


def rot(v: np.ndarray, deg: float) -> np.ndarray:
    """Rotate 2-D vectors counter-clockwise by ``deg``."""
    a = np.radians(deg)
    c, s = np.cos(a), np.sin(a)
    return np.stack([c * v[..., 0] - s * v[..., 1], s * v[..., 0] + c * v[..., 1]], axis=-1)


def sagittal(
    angles: dict[str, dict[str, float]], *, trunk_flexion: float = 0.0, cva: float = 50.0
) -> dict[str, np.ndarray]:
    """2-D points (X forward, Y up) of a side view with per-side angles.

    ``angles[side]`` keys: hip, knee, ankle, shoulder, elbow (our conventions, degrees).
    """
    hip = np.array([0.0, 0.9])
    up = rot(np.array([0.0, 1.0]), -trunk_flexion)  # forward lean: rotate clockwise
    shoulder = hip + 0.5 * up
    down = -up
    pts: dict[str, np.ndarray] = {}
    for side in ("left", "right"):
        a = angles[side]
        thigh = rot(down, a["hip"])
        knee = hip + 0.45 * thigh
        shank = rot(thigh, -a["knee"])
        ankle = knee + 0.43 * shank
        foot = rot(shank, 90.0 + a["ankle"])
        arm = rot(down, a["shoulder"])
        elbow = shoulder + 0.3 * arm
        wrist = elbow + 0.25 * rot(arm, a["elbow"])
        pts |= {
            f"{side}_hip": hip,
            f"{side}_knee": knee,
            f"{side}_ankle": ankle,
            f"{side}_heel": ankle - 0.05 * foot,
            f"{side}_big_toe": ankle + 0.2 * foot,
            f"{side}_shoulder": shoulder,
            f"{side}_elbow": elbow,
            f"{side}_wrist": wrist,
        }
    ear = shoulder + 0.15 * np.array([np.cos(np.radians(cva)), np.sin(np.radians(cva))])
    pts |= {"left_ear": ear, "right_ear": ear, "nose": ear + np.array([0.08, 0.0])}
    return pts


def frontal(
    angles: dict[str, dict[str, float]], *, lateral_flexion: float = 0.0
) -> dict[str, np.ndarray]:
    """2-D points (X = person's left, Y up) seen from the front.

    ``angles[side]`` keys: fppa (+ valgus), hip_abd, shoulder_abd.
    """
    mid_hip = np.array([0.0, 0.9])
    up = rot(np.array([0.0, 1.0]), -lateral_flexion)  # lean towards +X (left)
    mid_sh = mid_hip + 0.5 * up
    down = np.array([0.0, -1.0])
    pts: dict[str, np.ndarray] = {}
    for side, s in (("left", 1.0), ("right", -1.0)):
        a = angles[side]
        hip = mid_hip + np.array([s * 0.1, 0.0])
        thigh = rot(down, s * a["hip_abd"])
        knee = hip + 0.45 * thigh
        ankle = knee + 0.43 * rot(thigh, s * a["fppa"])
        sh = mid_sh + s * 0.18 * rot(up, -90.0)
        arm = rot(-up, s * a["shoulder_abd"])
        elbow = sh + 0.3 * arm
        pts |= {
            f"{side}_hip": hip,
            f"{side}_knee": knee,
            f"{side}_ankle": ankle,
            f"{side}_heel": ankle + np.array([0.0, -0.02]),
            f"{side}_big_toe": ankle + np.array([s * 0.03, -0.05]),
            f"{side}_shoulder": sh,
            f"{side}_elbow": elbow,
            f"{side}_wrist": elbow + 0.25 * arm,
            f"{side}_ear": mid_sh + 0.2 * up + s * 0.07 * rot(up, -90.0),
        }
    pts["nose"] = mid_sh + 0.22 * up
    return pts


def to_image(pts: dict[str, np.ndarray], view: str, *, scale: float = 400.0) -> np.ndarray:
    """(1, n_keypoints, 2) image pixels (y down) for a camera view."""
    mirror = -1.0 if view in ("facing_left", "back") else 1.0
    out = np.array([[500 + mirror * scale * pts[n][0], 900 - scale * pts[n][1]] for n in NAMES])
    return out[None]


def to_3d(pts: dict[str, np.ndarray], plane: str) -> np.ndarray:
    """(1, n_keypoints, 3) metres, X forward, Y left, Z up (vertical_axis=2)."""
    rows = []
    for n in NAMES:
        x, y = pts[n]
        lateral = 0.1 if n.startswith("left") else -0.1 if n.startswith("right") else 0.0
        if plane == "sagittal":
            rows.append([x, lateral, y])
        else:
            rows.append([0.0, x, y])
    return np.array(rows)[None]
