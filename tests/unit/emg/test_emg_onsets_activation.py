"""Onset detection, the activation scorer and the exercise library's EMG targets."""

from __future__ import annotations

import numpy as np
import pytest

from reeducate.clinic.emg_targets import (
    MUSCLE_RULES,
    TARGET_DEFAULTS,
    activation_target,
    activation_targets,
    quality_from_score,
    set_record_from_score,
)
from reeducate.clinic.exercises import MeasurementKind, Technique, load_library
from reeducate.emg.activation import ActivationTarget, score_activation
from reeducate.emg.onsets import OnsetSettings, active_runs, detect_onsets
from reeducate.errors import DomainRuleError, InvalidParameterError

FS = 1000.0


def _target(**kw: object) -> ActivationTarget:
    base: dict[str, object] = dict(
        muscle="vastus_medialis", target_pct_mvc=30, time_to_target_s=2, hold_s=5,
        hold_floor_ratio=0.8, reps=3, rest_pct_mvc=10,
    )  # fmt: skip
    base.update(kw)
    return ActivationTarget(**base)  # type: ignore[arg-type]


def test_active_runs_drop_blips_then_bridge_gaps() -> None:
    mask = np.zeros(100, bool)
    mask[10:40] = True
    mask[42:60] = True  # a 2-sample gap: bridged
    mask[80:82] = True  # a 2-sample blip: dropped
    s, e = active_runs(mask, min_on_samples=5, min_off_samples=5)
    assert s.tolist() == [10] and e.tolist() == [60]


def test_baseline_methods_need_a_rest_span() -> None:
    with pytest.raises(InvalidParameterError, match="rest_s"):
        detect_onsets(np.ones(100), sampling_rate_hz=FS, method="hodges_bui",
                      settings=OnsetSettings())  # fmt: skip
    with pytest.raises(InvalidParameterError, match="inside the record"):
        detect_onsets(np.ones(100), sampling_rate_hz=FS, method="bonato",
                      settings=OnsetSettings(), rest_s=(0.0, 5.0))  # fmt: skip


def test_envelope_threshold_needs_a_threshold() -> None:
    with pytest.raises(InvalidParameterError, match="threshold is required"):
        detect_onsets(np.ones(100), sampling_rate_hz=FS, method="envelope_threshold",
                      settings=OnsetSettings())  # fmt: skip


def test_unknown_method_is_refused() -> None:
    with pytest.raises(InvalidParameterError, match="method must be one of"):
        detect_onsets(np.ones(100), sampling_rate_hz=FS, method="visual",  # type: ignore[arg-type]
                      settings=OnsetSettings(), rest_s=(0.0, 0.05))  # fmt: skip


def test_envelope_threshold_finds_exact_steps() -> None:
    env = np.zeros(3000)
    env[1000:2000] = 50.0
    p = detect_onsets(env, sampling_rate_hz=FS, method="envelope_threshold",
                      settings=OnsetSettings(), threshold=10.0)  # fmt: skip
    assert p.onsets_s == (1.0,) and p.offsets_s == (2.0,)


def test_scorer_reports_time_to_target_hold_and_coactivation() -> None:
    fs = 100.0
    env = np.zeros(int(30 * fs))
    ramp = np.linspace(10.5, 35.0, int(1.5 * fs))  # reaches 30 after ~1.2 s
    env[100 : 100 + ramp.size] = ramp
    env[100 + ramp.size : 100 + ramp.size + 600] = 35.0
    env[1200:1500] = 35.0  # a 3 s hold: too short
    env[2000:2100] = 20.0  # never reaches the target
    ant = np.where(env > 0, 5.0, 0.0)
    ant[1200:1500] = 40.0
    target = _target(antagonist="hamstrings", antagonist_max_pct_mvc=15)
    score = score_activation(env, sampling_rate_hz=fs, target=target, antagonist_pct_mvc=ant)
    assert score.reps_attempted == 3 and score.reps_achieved == 1
    first, second, third = score.reps
    ttt = np.flatnonzero(ramp >= 30.0)[0] / fs
    assert first.time_to_target_s == pytest.approx(ttt)
    assert first.achieved and first.hold_quality_ratio == 1.0
    assert second.held_s == 3.0 and second.hold_quality_ratio == pytest.approx(0.6)
    assert second.antagonist_mean_pct_mvc == 40.0 and not second.achieved
    assert third.time_to_target_s is None and third.hold_quality_ratio == 0.0
    record = set_record_from_score(score)
    assert (record.reps_target, record.reps_done, record.hold_target_s) == (3, 1, 5.0)
    assert quality_from_score(score).score == pytest.approx((1.0 + 0.6 + 0.0) / 3, abs=1e-3)


def test_scorer_needs_the_antagonist_the_target_names() -> None:
    with pytest.raises(InvalidParameterError, match="antagonist_pct_mvc is required"):
        score_activation(np.zeros(10), sampling_rate_hz=FS,
                         target=_target(antagonist="hamstrings", antagonist_max_pct_mvc=15))


def test_target_checks_its_levels() -> None:
    with pytest.raises(InvalidParameterError, match="rest_pct_mvc must be below the hold floor"):
        _target(rest_pct_mvc=25)
    with pytest.raises(InvalidParameterError, match="given together"):
        _target(antagonist="hamstrings")


def test_every_emg_activation_variant_has_a_target_or_a_reason() -> None:
    library = load_library()
    targets = activation_targets(library)
    expected = {
        v.id
        for v in library
        if v.technique is Technique.MUSCLE_ACTIVATION
        and any(m.kind is MeasurementKind.EMG_ACTIVATION for m in v.measurements)
    }
    assert set(targets) == expected and len(expected) > 30
    for variant_id, target in targets.items():
        variant = library.get(variant_id)
        if isinstance(target, str):
            assert "sternocleidomastoid" in target  # the only documented refusal
            continue
        # Derived from the variant's own data: its dose and measurement.
        assert target.reps == variant.dose.reps
        want_hold = variant.dose.hold_s or TARGET_DEFAULTS.hold_without_dose_s
        assert target.hold_s == want_hold
        emg = next(m for m in variant.measurements if m.kind is MeasurementKind.EMG_ACTIVATION)
        rule = MUSCLE_RULES[emg.muscle]  # type: ignore[index]
        assert target.target_pct_mvc == (emg.target_pct_mvc or rule.target_pct_mvc)


def test_quad_set_target_is_the_issues_example() -> None:
    t = activation_target(load_library().get("ma-quad-set-long"))
    assert (t.target_pct_mvc, t.time_to_target_s, t.hold_s) == (30.0, 2.0, 10.0)
    assert (t.antagonist, t.antagonist_max_pct_mvc) == ("hamstrings", 15.0)


def test_variant_without_emg_is_refused() -> None:
    library = load_library()
    no_emg = next(
        v for v in library
        if not any(m.kind is MeasurementKind.EMG_ACTIVATION for m in v.measurements)
    )  # fmt: skip
    with pytest.raises(DomainRuleError, match="has no emg_activation measurement"):
        activation_target(no_emg)
