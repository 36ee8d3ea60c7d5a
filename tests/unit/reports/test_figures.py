"""Report figures: the drawn 95 % ellipse encloses 95 % of Gaussian points, figures render to
PNG with units on every axis, colours are consistent per condition."""

from __future__ import annotations

import math

import numpy as np
import pytest

from reeducate.balance.analysis import TrialAnalysis, analyze_trial
from reeducate.balance.conditions import summarize_conditions
from reeducate.balance.norms import compare_summary_with_norms
from reeducate.balance.presets import get_preset
from reeducate.balance.trial import CopTrial, Surface, TrialCondition, Vision
from reeducate.errors import InvalidParameterError
from reeducate.reports import figures

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CONDITIONS = [
    TrialCondition(surface=s, vision=v)
    for s in (Surface.FIRM, Surface.FOAM)
    for v in (Vision.OPEN, Vision.CLOSED)
]


def gaussian_trial(
    *, seed: int, n: int = 6000, sd_major_m: float = 0.006, sd_minor_m: float = 0.002,
    angle_deg: float = 35.0, condition: TrialCondition = CONDITIONS[0],
) -> CopTrial:  # fmt: skip
    """i.i.d. bivariate normal CoP, major axis at ``angle_deg`` from +ML towards +AP."""
    rng = np.random.default_rng(seed)
    u = rng.normal(scale=sd_major_m, size=n)
    v = rng.normal(scale=sd_minor_m, size=n)
    a = math.radians(angle_deg)
    ml = 0.01 + u * math.cos(a) - v * math.sin(a)
    ap = -0.03 + u * math.sin(a) + v * math.cos(a)
    return CopTrial(ap_m=ap, ml_m=ml, sampling_rate_hz=100.0, source_unit="m",
                    source_name="synthetic.txt", condition=condition)  # fmt: skip


def analysed(trial: CopTrial) -> TrialAnalysis:
    return analyze_trial(trial, preset=get_preset("santos-duarte-2016"))


@pytest.mark.parametrize("angle_deg", [-60.0, 0.0, 35.0, 90.0])
def test_drawn_ellipse_encloses_95_percent_of_gaussian_points(angle_deg: float) -> None:
    analysis = analysed(gaussian_trial(seed=int(angle_deg) + 100, angle_deg=angle_deg))
    ellipse = figures.prediction_ellipse(analysis)
    inside = ellipse.contains(analysis.trial.ap_m, analysis.trial.ml_m).mean()
    # binomial SE of the fraction at n = 6000 is 0.0028: ±0.012 is > 4 SE
    assert inside == pytest.approx(0.95, abs=0.012)
    # the outline lies on the boundary of the same ellipse
    ap, ml = ellipse.outline(n_points=64)
    d_ap, d_ml = ap - ellipse.centre_ap_m, ml - ellipse.centre_ml_m
    along = d_ap * ellipse.major_ap_ratio + d_ml * ellipse.major_ml_ratio
    across = d_ap * ellipse.major_ml_ratio - d_ml * ellipse.major_ap_ratio
    np.testing.assert_allclose(
        (along / ellipse.semi_major_m) ** 2 + (across / ellipse.semi_minor_m) ** 2, 1.0, rtol=1e-12
    )


def test_a_misread_angle_convention_would_be_caught() -> None:
    analysis = analysed(gaussian_trial(seed=7, angle_deg=35.0, sd_major_m=0.008))
    good = figures.prediction_ellipse(analysis)
    # the same ellipse measured from the AP axis instead of ML: clearly fewer points inside
    swapped = figures.EllipseGeometry(
        centre_ap_m=good.centre_ap_m, centre_ml_m=good.centre_ml_m,
        semi_major_m=good.semi_major_m, semi_minor_m=good.semi_minor_m,
        major_ap_ratio=good.major_ml_ratio, major_ml_ratio=good.major_ap_ratio,
    )  # fmt: skip
    ap, ml = analysis.trial.ap_m, analysis.trial.ml_m
    assert good.contains(ap, ml).mean() > 0.93
    assert swapped.contains(ap, ml).mean() < 0.85


def test_ellipse_centre_is_the_mean_cop_and_missing_metrics_are_refused() -> None:
    analysis = analysed(gaussian_trial(seed=3))
    e = figures.prediction_ellipse(analysis)
    assert e.centre_ap_m == pytest.approx(float(np.mean(analysis.trial.ap_m)), rel=1e-12)
    assert e.centre_ml_m == pytest.approx(float(np.mean(analysis.trial.ml_m)), rel=1e-12)
    stripped = TrialAnalysis(
        trial=analysis.trial,
        metrics={k: v for k, v in analysis.metrics.items() if k != "ellipse_angle_deg"},
        preset=analysis.preset,
        settings=analysis.settings,
    )
    with pytest.raises(InvalidParameterError, match="lacks ellipse_angle_deg"):
        figures.prediction_ellipse(stripped)


def _labels(fig: object) -> list[str]:
    return [t for ax in fig.axes for t in (ax.get_xlabel(), ax.get_ylabel()) if t]  # type: ignore[attr-defined]


def test_trial_figures_render_with_units_on_every_axis() -> None:
    analysis = analysed(gaussian_trial(seed=1, condition=CONDITIONS[3]))
    stabilogram = figures.stabilogram_figure(analysis, label="Foam · EC · trial 1")
    assert _labels(stabilogram) == ["AP (mm)", "Time (s)", "ML (mm)"]
    kinesigram = figures.statokinesigram_figure(analysis)
    assert _labels(kinesigram) == ["ML (mm)", "AP (mm)"]
    ax = kinesigram.axes[0]
    assert ax.get_aspect() == 1.0  # equal aspect
    assert ax.lines[0].get_color().upper() == "#D55E00"  # foam/EC colour
    spectrum = figures.spectrum_figure(analysis)
    assert _labels(spectrum) == ["Frequency (Hz)", "Power (mm²/Hz)"]
    assert spectrum.axes[0].get_xlim() == (0.0, 5.0)
    assert spectrum.axes[0].get_yscale() == "log"
    legend = [t.get_text() for t in spectrum.axes[0].get_legend().get_texts()]
    mpf = analysis.metrics["mean_power_frequency_hz"]
    assert f"Mean power frequency {mpf:.2f} Hz" in legend
    for fig in (stabilogram, kinesigram, spectrum):
        assert figures.figure_to_png(fig).startswith(PNG_SIGNATURE)
    # the title never shows the file name (it may identify the person)
    assert kinesigram.get_suptitle() == "Statokinesigram · Foam · EC"
    assert "synthetic" not in stabilogram.get_suptitle()


def test_summary_and_norm_figures_render() -> None:
    analyses = [
        analysed(gaussian_trial(seed=10 * i + k, sd_major_m=0.004 * (1 + i), condition=c))
        for i, c in enumerate(CONDITIONS)
        for k in range(2)
    ]
    summary = summarize_conditions(analyses)
    comps = compare_summary_with_norms(summary, age_years=70.0)
    summary_fig = figures.condition_summary_figure(summary)
    assert _labels(summary_fig) == ["95 % ellipse area (mm²)", "Mean sway velocity (mm/s)"]
    norms_fig = figures.norms_figure(comps)
    assert [ax.get_yscale() for ax in norms_fig.axes] == ["log", "log"]
    for fig in (summary_fig, norms_fig):
        assert figures.figure_to_png(fig).startswith(PNG_SIGNATURE)


def test_colours_and_labels_are_fixed_per_condition() -> None:
    colours = [figures.condition_colour(c) for c in CONDITIONS]
    assert len(set(colours)) == 4
    assert [figures.condition_short_label(c) for c in CONDITIONS] == [
        "Firm · EO", "Firm · EC", "Foam · EO", "Foam · EC",
    ]  # fmt: skip
    assert figures.display_unit("ellipse_area_95_m2") == "mm²"
    assert figures.to_display_value("mean_velocity_m_s", 0.0123) == pytest.approx(12.3)
