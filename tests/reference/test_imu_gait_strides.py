"""Stride segmentation from foot IMUs against the hand-annotated strides of gaitmap.

Data: ``imu_gait/gaitmap_imu_sample.csv`` (two foot IMUs, 204.8 Hz, ~39 s of walking with a
turn) and ``gaitmap_stride_borders_sample.csv``: 58 strides (28 left, 30 right; ``s_id`` 0-57)
annotated by hand by the gaitmap authors (MaD Lab FAU, MIT), each from the gyroscope extremum
before toe-off to the next (Barth et al. 2015, doi:10.3390/s150306419).

Matching: a detected stride is a true positive when both its start and its end lie within
10 samples (48.8 ms) of an annotated stride's, one-to-one. 10 samples is under 5 % of a stride
(~215 samples) and under half of the shortest gait phase of interest (double support, ~100 ms),
so a match cannot be a neighbouring stride or a shifted phase.

Measured (this implementation, default parameters): sensitivity 56/58 = 0.966, precision
56/57 = 0.982, every matched border at 0 samples (0 ms) from the annotation. The two misses are
the last stride before the turn of the left foot (its next push-off is a shuffle below the swing
threshold) and the final, stopping stride of the right foot (annotated to a shuffle after the
stop); the one extra detection is a left stride after the last annotated one (also a shuffle
at the end). Caveat: the default parameters were checked on this recording, so it is not an
independent test set; the thresholds below leave room for one or two more borderline strides.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reeducate.io.imu import ImuReadOptions, read_imu
from reeducate.movement.imu import analyze_imu_recording, match_strides

RATE_HZ = 204.8
TOLERANCE_SAMPLES = 10


@pytest.mark.shared_data
def test_strides_match_gaitmap_annotations(shared_data: Path) -> None:
    folder = shared_data / "imu_gait"
    rec = read_imu(
        folder / "gaitmap_imu_sample.csv", options=ImuReadOptions(sampling_rate_hz=RATE_HZ)
    )
    borders = np.genfromtxt(
        folder / "gaitmap_stride_borders_sample.csv",
        delimiter=",",
        names=True,
        dtype=None,
        encoding="utf-8",
    )
    assert borders.size == 58
    result = analyze_imu_recording(rec, measure="strides", pitch_axis="y")
    tp = n_ref = n_det = 0
    errors_ms: list[np.ndarray] = []
    for foot in ("left", "right"):
        ref = borders[borders["foot"] == foot]
        strides = result.strides[f"{foot}_sensor"]
        match = match_strides(
            (strides.start_sample, strides.end_sample),
            (ref["start"], ref["end"]),
            tolerance_samples=TOLERANCE_SAMPLES,
        )
        print(
            f"{foot}: {match.true_positives}/{match.n_reference} annotated strides found, "
            f"{match.n_detected} detected, sensitivity {match.sensitivity_ratio:.3f}, "
            f"precision {match.precision_ratio:.3f}"
        )
        tp += match.true_positives
        n_ref += match.n_reference
        n_det += match.n_detected
        errors_ms.append(1e3 * match.boundary_errors_s(sampling_rate_hz=RATE_HZ))
    err = np.abs(np.concatenate(errors_ms))
    sensitivity, precision = tp / n_ref, tp / n_det
    print(
        f"all: sensitivity {sensitivity:.3f} ({tp}/{n_ref}), precision {precision:.3f} "
        f"({tp}/{n_det}); boundary error mean {err.mean():.1f} ms, median "
        f"{np.median(err):.1f} ms, max {err.max():.1f} ms (tolerance "
        f"{1e3 * TOLERANCE_SAMPLES / RATE_HZ:.1f} ms)"
    )
    # At least 0.95 on both. Sensitivity: 55/58 = 0.948 fails, so no stride beyond the two
    # explained misses may be lost. Precision: one more false detection (56/58 = 0.966) passes,
    # two more (56/59 = 0.949) fail.
    assert sensitivity >= 0.95
    assert precision >= 0.95
    # Borders are sample-exact on this data (measured 0 ms): the annotation follows the same
    # extremum. Allow 1 sample (4.9 ms) on the median and 2 samples (9.8 ms) at most.
    assert np.median(err) <= 1e3 / RATE_HZ + 1e-9
    assert err.max() <= 2e3 / RATE_HZ + 1e-9
