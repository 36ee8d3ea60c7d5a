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


def test_hysteresis_equals_prominence_on_clean_repetitions() -> None:
    """Without gaps both methods find the same peaks and bound them by the same troughs."""
    fs = 1000.0
    x = _raised_cosine_reps([60.0, 80.0, 70.0], 2.0, 1.0, fs)
    a = segment_repetitions(x, sampling_rate_hz=fs)
    b = segment_repetitions(x, sampling_rate_hz=fs, method="hysteresis")
    assert (a.method, b.method) == ("prominence", "hysteresis")
    assert a.levels is None
    # default levels: 30 % and 70 % of the 5th-95th percentile range
    lo, hi = np.percentile(x, [5, 95])
    assert b.levels == pytest.approx((lo + 0.3 * (hi - lo), lo + 0.7 * (hi - lo)), rel=1e-12)
    assert a.count == b.count == 3
    for ra, rb in zip(a.repetitions, b.repetitions, strict=True):
        assert rb == ra  # every field: same samples, same interpolation


def test_hysteresis_counts_a_repetition_cut_by_a_gap() -> None:
    """A repetition ends in a gap (the person turns away and comes back): counted, peak exact."""
    fs = 100.0
    t = np.arange(0, 10, 1 / fs)
    x = 40 * (1 - np.cos(np.pi * t))  # peaks at 1, 3, 5, 7, 9 s; 0-80 deg
    x[520:800] = np.nan  # gone 0.2 s after the third peak, while coming down; back at 8 s
    with pytest.raises(SignalQualityError, match="missing"):
        segment_repetitions(x, sampling_rate_hz=fs)  # 28 % missing: refused, not guessed
    r = segment_repetitions(x, sampling_rate_hz=fs, method="hysteresis", levels=(20.0, 60.0))
    assert r.count == 4
    assert [rep.peak_s for rep in r.repetitions] == pytest.approx([1.0, 3.0, 5.0, 9.0], abs=1e-12)
    # ROM: peak minus the lower trough (for the third, the one before: the one after is the
    # last sample seen, at 5.19 s: 40 (1 + cos(0.19 pi)) = 73.1 deg)
    assert [rep.rom for rep in r.repetitions] == pytest.approx([80.0] * 4, abs=1e-9)
    assert r.repetitions[2].trough_after_value == pytest.approx(40 * (1 + np.cos(0.19 * np.pi)))
    assert 5.0 < r.repetitions[2].end_s <= 5.19  # cut by the gap: it ends in the part seen


def test_hysteresis_state_and_band() -> None:
    fs = 50.0
    t = np.arange(0, 6, 1 / fs)
    # starts with the arms up: nothing counts before they have been seen down
    x = np.where(t < 1, 150.0, 20.0)
    x = np.where((t > 2) & (t < 3), 150.0, x)
    x = np.where(t >= 4, 150.0, x)
    r = segment_repetitions(x, sampling_rate_hz=fs, method="hysteresis", levels=(45.0, 140.0))
    assert r.count == 2
    # wobbling inside the band (between the levels) is not a repetition
    y = x.copy()
    y[(t > 3.2) & (t < 3.8)] = 100.0 + 30.0 * np.sin(2 * np.pi * 5 * t[(t > 3.2) & (t < 3.8)])
    assert segment_repetitions(y, sampling_rate_hz=fs, method="hysteresis",
                               levels=(45.0, 140.0)).count == 2  # fmt: skip
    # a gap with the arms up before and after it is one repetition, not two
    z = x.copy()
    z[(t > 2.4) & (t < 2.6)] = np.nan
    assert segment_repetitions(z, sampling_rate_hz=fs, method="hysteresis",
                               levels=(45.0, 140.0)).count == 2  # fmt: skip


def test_hysteresis_troughs_and_refusals() -> None:
    fs = 100.0
    x = 1.0 - _raised_cosine_reps([0.2, 0.2, 0.2], 1.5, 1.0, fs)  # pelvis height dips
    r = segment_repetitions(x, sampling_rate_hz=fs, direction="troughs", method="hysteresis",
                            levels=(0.85, 0.95))  # fmt: skip
    assert r.count == 3 and r.levels == (0.85, 0.95)
    assert [rep.peak_value for rep in r.repetitions] == pytest.approx([0.8] * 3, abs=1e-3)
    with pytest.raises(InvalidParameterError, match="low < high"):
        segment_repetitions(x, sampling_rate_hz=fs, method="hysteresis", levels=(0.9, 0.9))
    with pytest.raises(InvalidParameterError, match="hysteresis_ratios"):
        segment_repetitions(x, sampling_rate_hz=fs, hysteresis_ratios=(0.7, 0.3))
    with pytest.raises(InvalidParameterError, match="method"):
        segment_repetitions(x, sampling_rate_hz=fs, method="zero_crossing")  # type: ignore[arg-type]
    with pytest.raises(SignalQualityError, match="at least 3"):
        segment_repetitions(np.full(50, np.nan), sampling_rate_hz=fs, method="hysteresis")
