"""Repetition segmentation on closed-form signals."""

from __future__ import annotations

import numpy as np
import pytest

from reeducate.errors import InvalidParameterError, SignalQualityError
from reeducate.movement.reps import Spread, segment_repetitions, symmetry_index_pct


def _raised_cosine_reps(rom: list[float], period_s: float, rest_s: float, fs: float) -> np.ndarray:
    parts = [np.zeros(round(rest_s * fs))]
    for r in rom:
        t = np.arange(round(period_s * fs)) / fs
        parts += [r / 2 * (1 - np.cos(2 * np.pi * t / period_s)), np.zeros(round(rest_s * fs))]
    return np.concatenate(parts)


def test_raised_cosine_closed_forms() -> None:
    """For r/2 (1 - cos(2 pi t / P)): crossing of level q at t = P/(2 pi) arccos(1 - 2q)."""
    fs, period = 1000.0, 2.0
    x = _raised_cosine_reps([60.0, 80.0, 70.0], period, 1.0, fs)
    r = segment_repetitions(x, sampling_rate_hz=fs)
    assert r.count == 3
    assert [rep.rom for rep in r.repetitions] == pytest.approx([60.0, 80.0, 70.0], abs=1e-6)

    def width(q: float) -> float:
        return period - 2 * period / (2 * np.pi) * np.arccos(1 - 2 * q)

    # linear interpolation between samples 1 ms apart: error well under 1e-4 s
    for rep in r.repetitions:
        assert rep.half_width_s == pytest.approx(width(0.5), abs=1e-4)
        assert rep.duration_s == pytest.approx(width(0.1), abs=1e-4)
        assert rep.hold_s == pytest.approx(width(0.9), abs=1e-4)
        assert rep.rise_s == pytest.approx((width(0.1) - width(0.9)) / 2, abs=1e-4)
    assert r.repetitions[0].rest_before_s is None
    rest = r.repetitions[1].rest_before_s
    assert rest == pytest.approx(1.0 + (period - width(0.1)), abs=1e-3)
    assert r.rom.cv_pct == pytest.approx(100 * np.std([60, 80, 70], ddof=1) / 70, rel=1e-6)


def test_troughs_and_pauses() -> None:
    fs = 100.0
    x = -_raised_cosine_reps([0.2, 0.2, 0.2, 0.2], 1.5, 2.0, fs) + 1.0  # pelvis height dips
    r = segment_repetitions(x, sampling_rate_hz=fs, direction="troughs")
    assert r.count == 4
    assert r.repetitions[0].peak_value == pytest.approx(0.8, abs=1e-3)
    assert r.rom.mean == pytest.approx(0.2, abs=1e-3)


def test_noise_does_not_add_reps() -> None:
    rng = np.random.default_rng(1)
    x = _raised_cosine_reps([80.0] * 5, 2.0, 0.5, 100.0) + rng.normal(0, 2.0, 1300)
    assert segment_repetitions(x, sampling_rate_hz=100.0).count == 5


def test_refusals() -> None:
    with pytest.raises(SignalQualityError, match="flat"):
        segment_repetitions(np.ones(100), sampling_rate_hz=100.0)
    x = np.full(100, np.nan)
    with pytest.raises(SignalQualityError, match="missing"):
        segment_repetitions(x, sampling_rate_hz=100.0)
    with pytest.raises(InvalidParameterError, match="levels"):
        segment_repetitions(np.arange(10.0), sampling_rate_hz=1.0, rest_level_ratio=0.6)


def test_symmetry_and_spread() -> None:
    assert symmetry_index_pct(100.0, 100.0) == 0.0
    assert symmetry_index_pct(110.0, 90.0) == pytest.approx(20.0)
    s = Spread.of([1.0])
    assert s.mean == 1.0 and np.isnan(s.sd)


def test_leading_and_trailing_gaps_keep_times() -> None:
    fs = 100.0
    x = _raised_cosine_reps([50.0, 50.0], 2.0, 0.5, fs)
    padded = np.r_[np.full(300, np.nan), x, np.full(500, np.nan)]
    a = segment_repetitions(x, sampling_rate_hz=fs)
    b = segment_repetitions(padded, sampling_rate_hz=fs)
    assert b.count == 2
    for ra, rb in zip(a.repetitions, b.repetitions, strict=True):
        assert rb.peak_s == pytest.approx(ra.peak_s + 3.0)
        assert rb.start_s == pytest.approx(ra.start_s + 3.0)
        assert rb.duration_s == pytest.approx(ra.duration_s)
