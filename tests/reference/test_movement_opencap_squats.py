"""Repetitions of OpenCap's ``squats1`` against values computed independently from the file.

The file (``movement/opencap_squats1.mot``, Apache-2.0, OpenCap processing) holds 5 body-weight
squats at 100 Hz. The reference values are computed here from the file's own ``knee_angle_r``
and ``knee_angle_l`` columns, parsed with ``numpy.loadtxt`` (not our reader), by hand-written
loops that find each squat by thresholding at half of the global range (no ``find_peaks``),
then walk sample by sample from each peak to the troughs and level crossings.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reeducate.io.opensim import read_mot
from reeducate.movement.angles import angle_from_coordinates
from reeducate.movement.reps import segment_repetitions

pytestmark = pytest.mark.shared_data


def _load_columns(path: Path) -> dict[str, np.ndarray]:
    lines = path.read_text().splitlines()
    end = lines.index("endheader")
    names = lines[end + 1].split("\t")
    data = np.loadtxt(path, skiprows=end + 2)
    return {n.strip(): data[:, i] for i, n in enumerate(names)}


def _independent_reps(x: list[float], fs: float) -> list[dict[str, float]]:
    """Plain-Python loops: runs above half range -> peaks -> troughs -> crossings."""
    lo, hi = min(x), max(x)
    half = lo + 0.5 * (hi - lo)
    runs: list[tuple[int, int]] = []
    i = 0
    while i < len(x):
        if x[i] > half:
            j = i
            while j + 1 < len(x) and x[j + 1] > half:
                j += 1
            runs.append((i, j))
            i = j + 1
        else:
            i += 1
    peaks = []
    for a, b in runs:
        best = a
        for k in range(a, b + 1):
            if x[k] > x[best]:
                best = k
        peaks.append(best)
    out = []
    for n, p in enumerate(peaks):
        left = peaks[n - 1] if n > 0 else 0
        right = peaks[n + 1] if n + 1 < len(peaks) else len(x) - 1
        tb = left
        for k in range(left, p + 1):
            if x[k] < x[tb]:
                tb = k
        ta = p
        for k in range(p, right + 1):
            if x[k] < x[ta]:
                ta = k

        def up(q: float, p: int = p, tb: int = tb) -> float:
            level = x[tb] + q * (x[p] - x[tb])
            k = p
            while x[k - 1] >= level:  # walk back from the peak to the last sample below
                k -= 1
            return (k - 1 + (level - x[k - 1]) / (x[k] - x[k - 1])) / fs

        def down(q: float, p: int = p, ta: int = ta) -> float:
            level = x[ta] + q * (x[p] - x[ta])
            k = p
            while x[k + 1] >= level:
                k += 1
            return (k + (x[k] - level) / (x[k] - x[k + 1])) / fs

        out.append(
            {
                "rom": x[p] - min(x[tb], x[ta]),
                "half_width_s": down(0.5) - up(0.5),
                "duration_s": down(0.1) - up(0.1),
                "hold_s": down(0.9) - up(0.9),
                "peak_s": p / fs,
            }
        )
    return out


@pytest.mark.parametrize("side", ["right", "left"])
def test_squat_reps_match_independent_loops(shared_data: Path, side: str) -> None:
    path = shared_data / "movement" / "opencap_squats1.mot"
    raw = _load_columns(path)
    column = "knee_angle_r" if side == "right" else "knee_angle_l"
    fs = 1.0 / float(np.median(np.diff(raw["time"])))
    want = _independent_reps(raw[column].tolist(), fs)
    assert len(want) == 5  # the data set documents 5 squats

    coords = read_mot(path)
    knee = angle_from_coordinates(coords, joint="knee", angle="flexion_extension", side=side)
    got = segment_repetitions(knee.values_deg, sampling_rate_hz=coords.frame_rate_hz)
    assert got.count == 5
    for rep, ref in zip(got.repetitions, want, strict=True):
        # ROM: both take the same two samples of the file (peak and lower trough); the file
        # prints 8 decimals, so agreement is to rounding of the subtraction.
        assert rep.rom == pytest.approx(ref["rom"], abs=1e-9)
        # Durations: crossings are interpolated linearly in both; one sample (10 ms) is the
        # tolerance asked for, the two methods agree far closer (float rounding only).
        for key in ("half_width_s", "duration_s", "hold_s", "peak_s"):
            assert getattr(rep, key) == pytest.approx(ref[key], abs=0.01), key
            assert abs(getattr(rep, key) - ref[key]) < 1e-6, key
    # Plausibility against the data description (knee flexion peaks about 78-87 deg) and the
    # reference's OpenCap segmentation (durations 1.10-1.18 s at its own levels).
    assert 70 < got.rom.mean < 90
    assert all(75 < r.peak_value < 90 for r in got.repetitions)
    assert all(0.9 < r.duration_s < 1.4 for r in got.repetitions)
    assert got.rom.cv_pct < 10  # five similar squats: consistent ROM


def test_squat_pelvis_height_gives_same_count(shared_data: Path) -> None:
    """OpenCap segments squats on pelvis height (troughs); the same five are found."""
    coords = read_mot(shared_data / "movement" / "opencap_squats1.mot")
    pelvis = segment_repetitions(
        coords.column("pelvis_ty"),
        sampling_rate_hz=coords.frame_rate_hz,
        direction="troughs",
        min_prominence_ratio=0.7,
    )
    knee = segment_repetitions(coords.column("knee_angle_r"), sampling_rate_hz=coords.frame_rate_hz)
    assert pelvis.count == 5
    # the lowest pelvis and the deepest knee flexion occur within 0.1 s of each other
    for a, b in zip(pelvis.repetitions, knee.repetitions, strict=True):
        assert abs(a.peak_s - b.peak_s) < 0.1
