"""Quality rules, tempo parsing, and the mapping onto the progression engine's records."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from reeducate.clinic.progression import QualitySource
from reeducate.movement.quality import DoseTarget, parse_tempo, score_movement
from reeducate.movement.reps import segment_repetitions
from reeducate.services.movement import analyze_movement, find_variant, to_session_records


def _reps(roms: list[float], period_s: float):  # type: ignore[no-untyped-def]
    fs = 100.0
    parts = [np.zeros(50)]
    for r in roms:
        t = np.arange(round(period_s * fs)) / fs
        parts += [r / 2 * (1 - np.cos(2 * np.pi * t / period_s)), np.zeros(50)]
    return segment_repetitions(np.concatenate(parts), sampling_rate_hz=fs)


def test_parse_tempo() -> None:
    assert parse_tempo("3 s out, 3 s back") == (6.0, None)
    assert parse_tempo("2 s up, 3 s down") == (5.0, None)
    assert parse_tempo("2 s hold at straight") == (None, 2.0)
    assert parse_tempo("slowly") == (None, None)


def test_consistency_and_tempo_rules_closed_form() -> None:
    reps = _reps([60.0, 80.0, 70.0], 2.0)
    q = score_movement(dose=DoseTarget(reps=3, tempo="2 s down, 2 s up"), repetitions=reps)
    cv = 100 * np.std([60, 80, 70], ddof=1) / 70  # 14.29 %
    consistency, tempo = q.components
    assert consistency.score == pytest.approx((30 - cv) / 20)
    d = reps.duration_s.mean  # duration at the 10 % level of a 2 s raised cosine
    assert tempo.score == pytest.approx(1 - abs(d - 4.0) / 4.0)
    assert q.score == pytest.approx((consistency.score + tempo.score) / 2)
    assert q.reps_done == 3


def test_nothing_measured_gives_no_score() -> None:
    q = score_movement(dose=DoseTarget(hold_s=30.0))
    assert q.score is None and q.components == ()


@pytest.mark.shared_data
def test_session_records_from_opencap(shared_data: Path) -> None:
    variant = find_variant("co-mini-squat")
    a = analyze_movement(
        shared_data / "movement" / "opencap_squats1.mot", variant=variant, side="right"
    )
    quality, record = to_session_records(a)
    assert quality is not None and quality.source is QualitySource.MEASUREMENT
    assert quality.score == pytest.approx(a.quality.score, abs=1e-4)
    assert record is not None
    assert (record.reps_target, record.reps_done) == (variant.dose.reps, 5)


@pytest.mark.shared_data
def test_demonstration_comparison_through_the_service(shared_data: Path, tmp_path: Path) -> None:
    mot = shared_data / "movement" / "opencap_squats1.mot"
    variant = find_variant("co-mini-squat")
    same = analyze_movement(mot, variant=variant, side="right", demonstration=mot)
    assert same.demonstration is not None
    assert same.demonstration.mean_difference_deg == 0.0
    names = [c.name for c in same.quality.components]
    assert "demonstration" in names and "range" in names
    # a shallower copy of the squats: ROM scaled by 0.6 -> range score 0.6
    lines = mot.read_text().splitlines()
    end = lines.index("endheader")
    cols = lines[end + 1].split("\t")
    k = [cols.index("knee_angle_r"), cols.index("knee_angle_l")]
    out = lines[: end + 2]
    for line in lines[end + 2 :]:
        cells = line.split()
        for i in k:
            cells[i] = f"{0.6 * float(cells[i]):.8f}"
        out.append("\t".join(cells))
    shallow = tmp_path / "shallow.mot"
    shallow.write_text("\n".join(out) + "\n")
    a = analyze_movement(shallow, variant=variant, side="right", demonstration=mot)
    rng = next(c for c in a.quality.components if c.name == "range")
    assert rng.score == pytest.approx(0.6, abs=1e-6)  # ROM is linear in the scale factor
    assert a.demonstration is not None and a.demonstration.mean_difference_deg > 5
    assert a.demonstration.worst_moments
