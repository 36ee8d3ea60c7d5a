"""Person tracking: identities across frames, duplicates, left/right swaps, track stitching."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from reeducate.errors import InvalidParameterError
from reeducate.movement.pose.tracking import (
    MIRROR_MEDIAPIPE33,
    box_iou,
    boxes_of,
    isolated_left_right_swaps,
    stitch_tracks,
    suppress_duplicates,
    track_poses,
)
from reeducate.movement.skeletons import MEDIAPIPE33


def _person(x0: float, y0: float = 100.0, height: float = 300.0) -> np.ndarray:
    """A 33-landmark stick person: left side at x0 + 40, right side at x0, spread in y."""
    pose = np.zeros((33, 2))
    for i, name in enumerate(MEDIAPIPE33):
        pose[i, 0] = x0 + (40.0 if name.startswith("left") else 0.0 if "right" in name else 20.0)
        pose[i, 1] = y0 + height * i / 32
    return pose


def test_box_iou_closed_form() -> None:
    a = np.array([[0.0, 0.0, 10.0, 10.0]])
    b = np.array([[5.0, 0.0, 15.0, 10.0], [20.0, 20.0, 30.0, 30.0], [0.0, 0.0, 10.0, 10.0]])
    # overlap 5x10 = 50, union 150 -> 1/3; disjoint -> 0; identical -> 1
    np.testing.assert_allclose(box_iou(a, b), [[1 / 3, 0.0, 1.0]], rtol=1e-12)


def test_boxes_ignore_missing_keypoints() -> None:
    pose = _person(100.0)
    pose[0] = np.nan
    box = boxes_of(pose[None])[0]
    assert np.all(np.isfinite(box))
    assert box[1] == pytest.approx(100.0 + 300.0 / 32)


def test_two_people_keep_their_identity_whatever_the_order() -> None:
    rng = np.random.default_rng(1)
    frames = []
    for t in range(30):
        a, b = _person(100.0 + 3 * t), _person(800.0 - 3 * t)
        dets = [a, b] if rng.random() < 0.5 else [b, a]
        frames.append(np.stack(dets) + rng.normal(0, 1.0, (2, 33, 2)))
    ids = track_poses(frames, max_gap_frames=5)
    first = int(ids[0][int(np.argmin(frames[0][:, 0, 0]))])  # identity of the one at x=100
    assert sorted(ids[0].tolist()) == [0, 1]
    for t, frame in enumerate(frames):
        walker = int(np.argmin(frame[:, 0, 0]))  # walking right from x=100, never crossing
        assert ids[t][walker] == first and ids[t][1 - walker] == 1 - first, t


def test_short_miss_keeps_identity_long_miss_starts_a_new_track() -> None:
    pose = _person(300.0)
    empty = np.zeros((0, 33, 2))
    frames = [pose[None]] * 3 + [empty] * 4 + [pose[None] + 5.0]
    assert track_poses(frames, max_gap_frames=5)[-1].tolist() == [0]
    assert track_poses(frames, max_gap_frames=3)[-1].tolist() == [1]


def test_far_detection_does_not_continue_a_track() -> None:
    frames = [_person(100.0)[None], _person(1200.0)[None]]
    ids = track_poses(frames, max_gap_frames=10)
    assert [f.tolist() for f in ids] == [[0], [1]]


def test_inputs_not_mutated() -> None:
    frames = [np.stack([_person(100.0), _person(600.0)]) for _ in range(3)]
    copies = [f.copy() for f in frames]
    track_poses(frames, max_gap_frames=2)
    for f, c in zip(frames, copies, strict=True):
        np.testing.assert_array_equal(f, c)


def test_bad_parameters_are_refused() -> None:
    with pytest.raises(InvalidParameterError, match="max_gap_frames"):
        track_poses([], max_gap_frames=-1)
    with pytest.raises(InvalidParameterError, match=r"poses_px\[i\]"):
        track_poses([np.zeros((1, 33, 3))], max_gap_frames=1)


def test_duplicates_of_one_person_are_suppressed_not_neighbours() -> None:
    a = _person(100.0)
    poses = np.stack([a, a + 4.0, _person(160.0)])  # a, its duplicate, a neighbour overlapping
    keep = suppress_duplicates(poses, np.array([0.8, 0.9, 0.7]))
    # the duplicate with the higher score wins; the neighbour (60 px away: box IoU 0.2) stays
    assert keep.tolist() == [False, True, True]


def test_mirror_of_mediapipe33_swaps_sides() -> None:
    names = [MEDIAPIPE33[i] for i in MIRROR_MEDIAPIPE33]
    assert names[MEDIAPIPE33.index("left_knee")] == "right_knee"
    assert names[MEDIAPIPE33.index("nose")] == "nose"
    np.testing.assert_array_equal(MIRROR_MEDIAPIPE33[MIRROR_MEDIAPIPE33], np.arange(33))


def test_single_frame_swap_is_found_and_a_long_swap_is_left_alone() -> None:
    pose = _person(100.0)
    seq = np.stack([pose + t for t in range(10)])
    seq[4] = seq[4][MIRROR_MEDIAPIPE33]  # one-frame swap
    seq[7:] = seq[7:][:, MIRROR_MEDIAPIPE33]  # labels swapped from frame 7 on (not isolated)
    flags = isolated_left_right_swaps(seq, mirror=MIRROR_MEDIAPIPE33)
    assert np.flatnonzero(flags).tolist() == [4]


def test_swap_detection_refuses_wrong_mirror() -> None:
    with pytest.raises(InvalidParameterError, match="mirror"):
        isolated_left_right_swaps(np.zeros((3, 33, 2)), mirror=np.arange(5))


def test_stitch_joins_a_fragment_after_a_bad_frame_but_not_another_person() -> None:
    n = 20
    pos = np.full((3, n, 33, 2), np.nan)
    for t in range(10):
        pos[0, t] = _person(100.0 + 2 * t)
    pos[0, 10] = _person(100.0 + 20) + np.array([0.0, -250.0])  # a wrong pose: the track then ends
    for t in range(10, n):
        pos[1, t] = _person(100.0 + 2 * t)  # the same person, picked up again
        pos[2, t] = _person(900.0)  # somebody else, appearing at the same time
    owner = stitch_tracks(pos, max_gap_frames=5)
    assert owner.tolist() == [0, 0, 2]


def test_stitch_respects_the_gap() -> None:
    pos = np.full((2, 30, 33, 2), np.nan)
    pos[0, :5] = _person(100.0)
    pos[1, 20:] = _person(100.0)
    assert stitch_tracks(pos, max_gap_frames=5).tolist() == [0, 1]
    assert stitch_tracks(pos, max_gap_frames=20).tolist() == [0, 0]


@settings(max_examples=30, deadline=None)
@given(
    xs=st.lists(st.floats(0.0, 2000.0), min_size=1, max_size=4, unique=True),
    seed=st.integers(0, 2**31 - 1),
)
def test_identities_do_not_depend_on_detection_order(xs: list[float], seed: int) -> None:
    """Property: permuting the detections of each frame never changes who is who."""
    xs = sorted(xs)
    if np.any(np.diff(xs) < 120.0):  # people at least a body width apart
        return
    rng = np.random.default_rng(seed)
    people = [np.stack([_person(x + 2.0 * t) for x in xs]) for t in range(8)]
    shuffled, orders = [], []
    for frame in people:
        order = rng.permutation(len(xs))
        shuffled.append(frame[order])
        orders.append(order)
    ids_sorted = track_poses(people, max_gap_frames=2)
    ids_shuffled = track_poses(shuffled, max_gap_frames=2)
    # map each person (by x order) to its identity, in both runs: the partition must agree
    first_sorted = {int(i): p for p, i in enumerate(ids_sorted[0])}
    first_shuffled = {int(i): int(orders[0][j]) for j, i in enumerate(ids_shuffled[0])}
    for t in range(8):
        who_sorted = [first_sorted[int(i)] for i in ids_sorted[t]]
        who_shuffled = [first_shuffled[int(i)] for i in ids_shuffled[t]]
        assert who_sorted == list(range(len(xs)))
        assert who_shuffled == orders[t].tolist()
