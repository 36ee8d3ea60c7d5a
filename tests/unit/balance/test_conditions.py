"""Condition summary: grouping, per-condition medians and the sensory indices (closed forms)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest

from reeducate.balance.conditions import (
    DEFAULT_SUMMARY_METRICS,
    INDEX_SPECS,
    condition_medians,
    group_by_condition,
    summarize_conditions,
)
from reeducate.balance.trial import CopTrial, Stance, Surface, TrialCondition, Vision
from reeducate.errors import InvalidParameterError

AREA = "ellipse_area_95_m2"
VELO = "mean_velocity_m_s"


@dataclass(frozen=True, slots=True, kw_only=True)
class FakeAnalysis:
    """Stands in for ``TrialAnalysis`` (same attributes) without running the metric pipeline."""

    trial: CopTrial
    metrics: Mapping[str, float]
    preset: str = "santos-duarte-2016"
    settings: Mapping[str, Any] | None = None


def make(
    surface: Surface | None,
    vision: Vision | None,
    *,
    area: float,
    velocity: float = 0.01,
    stance: Stance = Stance.BIPEDAL,
    name: str = "t.txt",
    preset: str = "santos-duarte-2016",
) -> FakeAnalysis:
    trial = CopTrial(
        ap_m=np.zeros(20),
        ml_m=np.zeros(20),
        sampling_rate_hz=100.0,
        source_unit="m",
        source_name=name,
        condition=TrialCondition(surface=surface, vision=vision, stance=stance),
    )
    return FakeAnalysis(trial=trial, metrics={AREA: area, VELO: velocity}, preset=preset)


FE, FC = (Surface.FIRM, Vision.OPEN), (Surface.FIRM, Vision.CLOSED)
OE, OC = (Surface.FOAM, Vision.OPEN), (Surface.FOAM, Vision.CLOSED)


def session(medians: Mapping[tuple[Surface, Vision], float]) -> list[FakeAnalysis]:
    """Three trials per condition with the given median area (others at ×0.5 and ×3)."""
    out = []
    for (surface, vision), med in medians.items():
        for k, factor in enumerate((3.0, 1.0, 0.5)):
            out.append(
                make(surface, vision, area=med * factor, velocity=med * factor / 10, name=f"{k}")
            )
    return out


def test_medians_are_the_middle_of_three_trials_in_mctsib_order() -> None:
    analyses = session({OC: 8.0, FE: 1.0, OE: 4.0, FC: 2.0})  # deliberately shuffled
    medians = condition_medians(analyses)
    assert [(c.condition.surface, c.condition.vision) for c in medians] == [FE, FC, OE, OC]
    assert [c.median[AREA] for c in medians] == [1.0, 2.0, 4.0, 8.0]
    assert [c.n_trials for c in medians] == [3, 3, 3, 3]
    assert medians[0].trial_values[AREA] == (3.0, 1.0, 0.5)  # input order kept
    assert medians[0].trial_names == ("0", "1", "2")


def test_even_number_of_trials_takes_the_mean_of_the_middle_two() -> None:
    analyses = [make(*FE, area=a) for a in (1.0, 2.0, 10.0, 4.0)]
    assert condition_medians(analyses, metrics=[AREA])[0].median[AREA] == 3.0


def test_ratios_match_their_closed_forms() -> None:
    s = summarize_conditions(session({FE: 2.0, FC: 3.0, OE: 10.0, OC: 25.0}))
    for metric in DEFAULT_SUMMARY_METRICS:  # velocity medians are area / 10: same ratios
        assert s.index("romberg_ratio", metric=metric).value == pytest.approx(1.5, rel=1e-15)
        assert s.index("romberg_foam_ratio", metric=metric).value == pytest.approx(2.5, rel=1e-15)
        assert s.index("foam_ratio", metric=metric).value == pytest.approx(5.0, rel=1e-15)
        assert s.index("foam_eyes_closed_ratio", metric=metric).value == pytest.approx(
            25.0 / 3.0, rel=1e-15
        )


def test_apdm_contributions_take_the_smaller_percent_change() -> None:
    # firm: EC vs EO +50 %; foam: EC vs EO +150 % -> visual = +50 % (the firm pair)
    # foam vs firm: EO +400 %, EC +733.3 % -> somatosensory = +400 % (the eyes-open pair)
    s = summarize_conditions(session({FE: 2.0, FC: 3.0, OE: 10.0, OC: 25.0}))
    assert s.index("visual_pct", metric=AREA).value == pytest.approx(50.0, rel=1e-13)
    assert s.index("somatosensory_pct", metric=AREA).value == pytest.approx(400.0, rel=1e-13)
    assert s.index("vestibular_pct", metric=AREA).value == pytest.approx(1150.0, rel=1e-13)
    # Now the foam pair is the smaller visual change (EC < EO on foam: negative)
    s2 = summarize_conditions(session({FE: 2.0, FC: 3.0, OE: 10.0, OC: 8.0}))
    assert s2.index("visual_pct", metric=AREA).value == pytest.approx(-20.0, rel=1e-13)
    assert s2.index("somatosensory_pct", metric=AREA).value == pytest.approx(
        100.0 * (8.0 / 3.0 - 1.0), rel=1e-13
    )


def test_sot_analogues_are_inverse_ratios_to_firm_eyes_open() -> None:
    s = summarize_conditions(session({FE: 2.0, FC: 4.0, OE: 8.0, OC: 16.0}))
    assert s.index("som_ratio", metric=AREA).value == pytest.approx(0.5, rel=1e-15)
    assert s.index("vis_ratio", metric=AREA).value == pytest.approx(0.25, rel=1e-15)
    assert s.index("vest_ratio", metric=AREA).value == pytest.approx(0.125, rel=1e-15)
    assert "sot_pref_ratio" in s.not_computed  # needs sway-referenced vision: not in mCTSIB


def test_ratios_are_unchanged_when_every_value_is_scaled() -> None:
    base = summarize_conditions(session({FE: 2.0, FC: 3.0, OE: 10.0, OC: 25.0}))
    scaled = summarize_conditions(session({FE: 2e-5, FC: 3e-5, OE: 1e-4, OC: 2.5e-4}))
    for a, b in zip(base.indices, scaled.indices, strict=True):
        assert a.value == pytest.approx(b.value, rel=1e-12)


def test_missing_condition_is_reported_not_imputed() -> None:
    s = summarize_conditions(session({FE: 2.0, FC: 3.0, OE: 10.0}))
    assert s.missing_conditions == (TrialCondition(surface=Surface.FOAM, vision=Vision.CLOSED),)
    vest = s.index("vestibular_pct", metric=AREA)
    assert vest.value is None
    assert vest.missing == ("foam/eyes closed",)
    visual = s.index("visual_pct", metric=AREA)  # needs both pairs: foam EC missing
    assert visual.value is None and visual.missing == ("foam/eyes closed",)
    assert s.index("romberg_ratio", metric=AREA).value == pytest.approx(1.5)
    assert s.index("foam_ratio", metric=AREA).value == pytest.approx(5.0)


def test_zero_denominator_gives_no_value_and_says_why() -> None:
    s = summarize_conditions(session({FE: 0.0, FC: 3.0}))
    romberg = s.index("romberg_ratio", metric=AREA)
    assert romberg.value is None
    assert "denominator" in romberg.note
    assert s.index("som_ratio", metric=AREA).value == 0.0  # 0 / 3 is defined


def test_stances_are_summarised_separately() -> None:
    analyses = [
        make(*FE, area=1.0),
        make(*FC, area=2.0),
        make(*FE, area=10.0, stance=Stance.TANDEM),
        make(*FC, area=40.0, stance=Stance.TANDEM),
    ]
    s = summarize_conditions(analyses, metrics=[AREA])
    assert s.index("romberg_ratio", metric=AREA).value == pytest.approx(2.0)
    assert s.index("romberg_ratio", metric=AREA, stance=Stance.TANDEM).value == pytest.approx(4.0)
    assert [c.condition.stance for c in s.conditions] == [Stance.BIPEDAL] * 2 + [Stance.TANDEM] * 2
    with pytest.raises(InvalidParameterError, match="single_leg_left"):
        s.index("romberg_ratio", metric=AREA, stance=Stance.SINGLE_LEG_LEFT)


def test_trials_with_unknown_condition_are_kept_but_used_in_no_index() -> None:
    analyses = [*session({FE: 2.0, FC: 3.0}), make(None, None, area=99.0, name="x")]
    s = summarize_conditions(analyses, metrics=[AREA])
    assert s.unclassified_trials == ("x",)
    assert s.conditions[-1].condition.label == "unspecified"
    assert s.index("romberg_ratio", metric=AREA).value == pytest.approx(1.5)
    assert len(s.indices) == len(INDEX_SPECS)  # bipedal only, once per index


def test_group_by_condition_keeps_input_order_within_a_condition() -> None:
    a, b, c = make(*FC, area=1.0, name="a"), make(*FE, area=1.0, name="b"), make(*FC, area=2.0)
    groups = group_by_condition([a, b, c])
    assert list(groups) == [b.trial.condition, a.trial.condition]
    assert groups[a.trial.condition] == (a, c)


@pytest.mark.parametrize(
    ("analyses", "metrics", "message"),
    [
        ([], DEFAULT_SUMMARY_METRICS, "at least one trial; got 0"),
        ([make(*FE, area=1.0)], [], "at least one metric"),
        ([make(*FE, area=1.0)], ["path_length_m"], "'path_length_m'"),
        (
            [make(*FE, area=1.0), make(*FC, area=1.0, preset="quijoux-2021")],
            DEFAULT_SUMMARY_METRICS,
            "one preset",
        ),
    ],
)
def test_bad_sessions_are_refused(analyses: list[FakeAnalysis], metrics: Any, message: str) -> None:
    with pytest.raises(InvalidParameterError, match=message):
        summarize_conditions(analyses, metrics=metrics)


def test_unknown_index_name_is_refused() -> None:
    s = summarize_conditions(session({FE: 2.0, FC: 3.0}))
    with pytest.raises(InvalidParameterError, match="got 'sot_composite'"):
        s.index("sot_composite", metric=AREA)


def test_inputs_are_not_mutated() -> None:
    analyses = session({FE: 2.0, FC: 3.0})
    before = [dict(a.metrics) for a in analyses]
    summarize_conditions(analyses)
    assert [dict(a.metrics) for a in analyses] == before
