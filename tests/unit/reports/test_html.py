"""The HTML report: self-contained, figures also saved as PNG, escaped, no file names, norms in
words, attribution present."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pytest

from reeducate.balance.analysis import TrialAnalysis, analyze_trial
from reeducate.balance.conditions import summarize_conditions
from reeducate.balance.norms import compare_summary_with_norms
from reeducate.balance.presets import get_preset
from reeducate.balance.trial import CopTrial, Surface, TrialCondition, Vision
from reeducate.errors import InvalidParameterError
from reeducate.reports.html import percentile_label, render_balance_report

WHEN = datetime(2024, 5, 2, 10, 30, tzinfo=UTC)


def trial(condition: TrialCondition, *, sd_m: float, seed: int, seconds: float = 60.0) -> CopTrial:
    rng = np.random.default_rng(seed)
    n = int(seconds * 100)
    # a random walk scaled to the wanted SD: CoP-like, 100 Hz
    walk = np.cumsum(rng.normal(size=(n, 2)), axis=0)
    walk = (walk - walk.mean(axis=0)) / walk.std(axis=0) * sd_m
    return CopTrial(ap_m=walk[:, 0], ml_m=walk[:, 1], sampling_rate_hz=100.0, source_unit="m",
                    source_name="Doe_Jane_2024.txt", condition=condition)  # fmt: skip


@pytest.fixture(scope="module")
def session() -> list[TrialAnalysis]:
    preset = get_preset("santos-duarte-2016")
    conditions = [
        (TrialCondition(surface=Surface.FIRM, vision=Vision.OPEN), 0.003),
        (TrialCondition(surface=Surface.FIRM, vision=Vision.CLOSED), 0.004),
        (TrialCondition(surface=Surface.FOAM, vision=Vision.OPEN), 0.02),
    ]  # foam / eyes closed deliberately missing
    return [
        analyze_trial(trial(c, sd_m=sd, seed=i), preset=preset)
        for i, (c, sd) in enumerate(conditions)
    ]


def test_report_is_self_contained_and_figures_are_saved(
    session: list[TrialAnalysis], tmp_path: Path
) -> None:
    summary = summarize_conditions(session)
    comps = compare_summary_with_norms(summary, age_years=72.0)
    path = render_balance_report(
        session, summary=summary, norm_comparisons=comps, title="Balance <b>check</b>",
        generated_at=WHEN, out_dir=tmp_path, subject_label="P-014",
    )  # fmt: skip
    assert path == tmp_path / "report.html"
    html = path.read_text(encoding="utf-8")
    pngs = sorted((tmp_path / "figures").glob("*.png"))
    # 3 trials × (stabilogram, statokinesigram, spectrum) + condition summary + norms
    assert len(pngs) == 3 * 3 + 2
    embedded = re.findall(r'src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(embedded) == len(pngs)
    assert {base64.b64decode(e) for e in embedded} == {p.read_bytes() for p in pngs}
    assert not re.search(r'(src|href)="(?!data:|https://doi.org/)', html)  # nothing external
    # autoescape on; the pseudonymous label is shown; file names never are
    assert "Balance &lt;b&gt;check&lt;/b&gt;" in html and "<b>check</b>" not in html
    assert "P-014" in html
    text = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]+", "", html)
    assert "Doe" not in text and "Jane" not in text
    # header, settings, methods, attribution
    assert "2024-05-02 10:30 UTC" in html and "santos-duarte-2016" in html
    assert "doi:10.7717/peerj.2648" in html.replace(
        '<a href="https://doi.org/10.7717/peerj.2648">', ""
    )
    assert "CC BY 4.0" in html
    # missing condition said, not imputed; norms in words
    assert "Missing conditions (not imputed): Foam · EC" in html
    for comp in comps:
        assert comp.interpretation in html
    assert "@page { size: A4" in html


def test_flags_are_written_for_a_therapist(session: list[TrialAnalysis], tmp_path: Path) -> None:
    summary = summarize_conditions(session)
    comps = compare_summary_with_norms(summary, age_years=72.0)
    flagged = [c for c in comps if c.outside_band]
    assert flagged  # foam EO at 20 mm SD is far above the 60+ foam/EO norm
    html = render_balance_report(
        session, summary=summary, norm_comparisons=comps, title="t", generated_at=WHEN,
        out_dir=tmp_path,
    ).read_text(encoding="utf-8")  # fmt: skip
    assert "Outside the normal range of the age group" in html
    assert "more sway than" in html and "adults 60+" in html


def test_no_norms_and_no_summary_still_render(session: list[TrialAnalysis], tmp_path: Path) -> None:
    summary = summarize_conditions(session)
    comps = compare_summary_with_norms(summary, age_years=12.0)  # no norms below 18
    html = render_balance_report(
        session[:1], summary=None, norm_comparisons=comps, title="t", generated_at=WHEN,
        out_dir=tmp_path,
    ).read_text(encoding="utf-8")  # fmt: skip
    assert "No norm: no norms below 18 years" in html
    assert "Condition summary" not in html
    assert len(list((tmp_path / "figures").glob("*.png"))) == 3


def test_bad_calls_are_refused(session: list[TrialAnalysis], tmp_path: Path) -> None:
    with pytest.raises(InvalidParameterError, match="timezone-aware"):
        render_balance_report(session, summary=None, norm_comparisons=(), title="t",
                              generated_at=datetime(2024, 1, 1), out_dir=tmp_path)  # fmt: skip
    with pytest.raises(InvalidParameterError, match="at least one trial"):
        render_balance_report([], summary=None, norm_comparisons=(), title="t",
                              generated_at=WHEN, out_dir=tmp_path)  # fmt: skip


def test_percentile_labels_never_round_to_0_or_100() -> None:
    assert [percentile_label(p) for p in (99.6, 99.0, 50.4, 1.0, 0.4)] == [
        ">P99", "P99", "P50", "P1", "<P1",
    ]  # fmt: skip
