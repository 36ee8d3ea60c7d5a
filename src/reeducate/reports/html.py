"""The balance report: one self-contained HTML file (figures embedded as PNG) plus the figures as
separate PNG files.

The report shows a pseudonymous label the caller passes, never file names or paths (they may
identify the person); trials are named by condition and order ("Foam · EC · trial 2").
"""

from __future__ import annotations

import base64
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from reeducate.balance.conditions import (
    INDEX_SPECS,
    ConditionSummary,
    condition_medians,
    condition_sort_key,
)
from reeducate.balance.norms import AGE_GROUP_WORDS, SOURCES, NormComparison, NormSource
from reeducate.balance.trial import TrialCondition
from reeducate.errors import InvalidParameterError
from reeducate.reports import figures as fig
from reeducate.reports.figures import percentile_label

if TYPE_CHECKING:
    from reeducate.balance.analysis import TrialAnalysis

__all__ = ["KEY_METRICS", "percentile_label", "render_balance_report"]

TEMPLATE: Final[str] = "templates/balance_report.html.j2"

#: Metrics of the summary table, in order, when every trial has them.
KEY_METRICS: Final[tuple[str, ...]] = (
    "ellipse_area_95_m2",
    "mean_velocity_m_s",
    "mean_power_frequency_hz",
)
_DECIMALS: Final[Mapping[str, int]] = {"mm²": 0, "mm/s": 1, "Hz": 2, "mm": 1}

_INDEX_LABELS: Final[Mapping[str, str]] = {
    "romberg_ratio": "Romberg quotient (firm)",
    "romberg_foam_ratio": "Romberg quotient (foam)",
    "foam_ratio": "Foam ratio (eyes open)",
    "foam_eyes_closed_ratio": "Foam ratio (eyes closed)",
    "visual_pct": "Visual contribution",
    "somatosensory_pct": "Somatosensory contribution",
    "vestibular_pct": "Vestibular reliance",
    "som_ratio": "SOM-like ratio",
    "vis_ratio": "VIS-like ratio",
    "vest_ratio": "VEST-like ratio",
}

REFERENCES: Final[tuple[tuple[str, str], ...]] = (
    (
        "Santos DA, Duarte M (2016) A public data set of human balance evaluations. PeerJ 4:e2648.",
        "10.7717/peerj.2648",
    ),
    (
        "dos Santos DA, Fukuchi CA, Fukuchi RK, Duarte M (2017) A data set with kinematic and "
        "ground reaction forces of human balance. PeerJ 5:e3626.",
        "10.7717/peerj.3626",
    ),
    (
        "Quijoux F et al. (2021) A review of center of pressure (COP) variables to quantify "
        "standing balance in elderly people: algorithms and open-access code. "
        "Physiol Rep 9:e15067.",
        "10.14814/phy2.15067",
    ),
    (
        "Schubert P, Kirchner M (2014) Ellipse area calculations and their applicability in "
        "posturography. Gait Posture 39:518–522.",
        "10.1016/j.gaitpost.2013.09.001",
    ),
    (
        "Prieto TE et al. (1996) Measures of postural steadiness: differences between healthy "
        "young and elderly adults. IEEE Trans Biomed Eng 43:956–966.",
        "10.1109/10.532130",
    ),
    (
        "Shumway-Cook A, Horak FB (1986) Assessing the influence of sensory interaction on "
        "balance. Phys Ther 66:1548–1550.",
        "10.1093/ptj/66.10.1548",
    ),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Image:
    title: str
    file: str
    data_uri: str


def _format(metric: str, value_si: float | None) -> str:
    if value_si is None or not math.isfinite(value_si):
        return "–"
    unit = fig.display_unit(metric)
    decimals = _DECIMALS.get(unit, 2)
    return f"{fig.to_display_value(metric, value_si):.{decimals}f}"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def _settings_lines(settings: Mapping[str, Any]) -> list[tuple[str, str]]:
    lines = []
    for section in ("preprocessing", "conventions"):
        values = settings.get(section)
        if isinstance(values, Mapping):
            flat = []
            for key, value in values.items():
                if isinstance(value, Mapping):
                    inner = ", ".join(f"{k}={v}" for k, v in value.items())
                    flat.append(f"{key}: {{{inner}}}")
                else:
                    flat.append(f"{key}={value}")
            lines.append((section, "; ".join(flat) if flat else "none"))
    return lines


def render_balance_report(
    analyses: Sequence[TrialAnalysis],
    /,
    *,
    summary: ConditionSummary | None,
    norm_comparisons: Sequence[NormComparison],
    title: str,
    generated_at: datetime,
    out_dir: Path,
    subject_label: str | None = None,
) -> Path:
    """Write ``out_dir/report.html`` and ``out_dir/figures/*.png``; return the HTML path.

    Parameters
    ----------
    analyses : sequence of TrialAnalysis
        The session's analysed trials (all with one preset).
    summary : ConditionSummary or None
        From :func:`reeducate.balance.conditions.summarize_conditions`; ``None`` leaves the
        condition summary out.
    norm_comparisons : sequence of NormComparison
        From :func:`reeducate.balance.norms.compare_summary_with_norms` (may be empty).
    title : str
        Title shown on the report (no patient-identifying data).
    generated_at : datetime
        Timezone-aware time of generation (passed in: the report layer reads no clock).
    out_dir : Path
        Folder to write into (created if needed).
    subject_label : str, optional
        Pseudonymous label of the person (e.g. ``"P-014"``).

    Returns
    -------
    Path
        Path of ``report.html``.

    Raises
    ------
    InvalidParameterError
        If ``analyses`` is empty, mixes presets, or ``generated_at`` is naive.

    Examples
    --------
    >>> render_balance_report.__name__
    'render_balance_report'
    """
    if not analyses:
        raise InvalidParameterError("analyses must hold at least one trial; got 0")
    if generated_at.tzinfo is None or generated_at.utcoffset() is None:
        raise InvalidParameterError(
            f"generated_at must be timezone-aware; got naive {generated_at.isoformat()}"
        )
    presets = sorted({a.preset for a in analyses})
    if len(presets) != 1:
        raise InvalidParameterError(f"analyses must all use one preset; got {presets}")
    figures_dir = out_dir / "figures"
    figures_dir.mkdir(parents=True, exist_ok=True)

    def save(figure: Any, name: str, caption: str) -> _Image:
        png = fig.figure_to_png(figure)
        (figures_dir / name).write_bytes(png)
        uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        return _Image(title=caption, file=f"figures/{name}", data_uri=uri)

    # Trials named by condition and order, never by file name.
    counts: dict[TrialCondition, int] = {}
    amplitude_mm, half_range_mm = fig.session_scales(analyses)
    trial_cards = []
    ordered = sorted(analyses, key=lambda a: condition_sort_key(a.trial.condition))
    for number, analysis in enumerate(ordered, start=1):
        condition = analysis.trial.condition
        counts[condition] = counts.get(condition, 0) + 1
        label = f"{fig.condition_short_label(condition)} · trial {counts[condition]}"
        stem = f"trial_{number:02d}_{_slug(label)}"
        images = [
            save(
                fig.stabilogram_figure(analysis, amplitude_limit_mm=amplitude_mm, label=label),
                f"{stem}_stabilogram.png",
                "Stabilogram",
            )
        ]
        try:
            images.append(
                save(
                    fig.statokinesigram_figure(analysis, half_range_mm=half_range_mm, label=label),
                    f"{stem}_statokinesigram.png",
                    "Statokinesigram with the 95 % prediction ellipse",
                )
            )
        except InvalidParameterError:
            pass
        images.append(
            save(
                fig.spectrum_figure(analysis, label=label), f"{stem}_spectrum.png", "Power spectrum"
            )
        )
        trial_cards.append(
            {
                "label": label,
                "colour": fig.condition_colour(condition),
                "images": images,
                "metrics": [
                    (fig.metric_title(m), _format(m, analysis.metrics.get(m)), fig.display_unit(m))
                    for m in KEY_METRICS
                    if m in analysis.metrics
                ],
            }
        )

    key_metrics = [m for m in KEY_METRICS if all(m in a.metrics for a in analyses)]
    medians = condition_medians(analyses, metrics=key_metrics)
    compared_metrics = list(
        dict.fromkeys(c.metric for c in norm_comparisons if c.status == "compared")
    )
    rows = []
    for entry in medians:
        comps = {c.metric: c for c in norm_comparisons if c.condition == entry.condition}
        cells = []
        for metric in key_metrics:
            comp = comps.get(metric)
            cells.append(
                {
                    "value": _format(metric, entry.median[metric]),
                    "percentile": (
                        fig.percentile_label(comp.percentile)
                        if comp is not None and comp.percentile is not None
                        else ""
                    ),
                    "flag": bool(comp is not None and comp.outside_band),
                }
            )
        findings = [c for c in comps.values() if c.status == "compared" and c.interpretation]
        rows.append(
            {
                "label": fig.condition_short_label(entry.condition),
                "colour": fig.condition_colour(entry.condition),
                "n": entry.n_trials,
                "cells": cells,
                "findings": [
                    {"text": c.interpretation, "flag": bool(c.outside_band)} for c in findings
                ],
            }
        )
    flagged = [c for c in norm_comparisons if c.status == "compared" and c.outside_band]
    no_norm = sorted({c.reason for c in norm_comparisons if c.status == "no_norm"})

    summary_images = []
    index_rows = []
    if summary is not None:
        summary_images.append(
            save(
                fig.condition_summary_figure(summary), "condition_summary.png", "Condition summary"
            )
        )
        for spec in INDEX_SPECS:
            index_cells: list[str] = []
            for metric in summary.metrics:
                index = summary.index(spec.name, metric=metric)
                if index.value is None:
                    text = (
                        "n/a (missing " + ", ".join(index.missing) + ")" if index.missing else "n/a"
                    )
                elif spec.name.endswith("_pct"):
                    text = f"{index.value:+.0f} %"
                else:
                    text = f"{index.value:.2f}"
                index_cells.append(text)
            index_rows.append(
                {
                    "label": _INDEX_LABELS.get(spec.name, spec.name),
                    "formula": spec.formula,
                    "cells": index_cells,
                    "sot": spec.name in ("som_ratio", "vis_ratio", "vest_ratio"),
                }
            )
    norms_image = None
    if any(c.status == "compared" for c in norm_comparisons):
        norms_image = save(fig.norms_figure(norm_comparisons), "norms.png", "Norms")
    sources = sorted(
        {c.source for c in norm_comparisons if c.status == "compared" and c.source}, key=str
    )
    age_groups = sorted(
        {AGE_GROUP_WORDS[c.age_group] for c in norm_comparisons if c.age_group is not None}
    )

    context = {
        "title": title,
        "subject_label": subject_label,
        "generated_at": generated_at.strftime("%Y-%m-%d %H:%M %Z").strip(),
        "preset": presets[0],
        "settings": _settings_lines(analyses[0].settings),
        "n_trials": len(analyses),
        "key_metrics": [
            {
                "title": fig.metric_title(m),
                "unit": fig.display_unit(m),
                "normed": m in compared_metrics,
            }
            for m in key_metrics
        ],
        "rows": rows,
        "flagged": [c.interpretation for c in flagged],
        "no_norm": no_norm,
        "age_groups": age_groups,
        "summary": summary,
        "summary_metrics": [
            f"{fig.metric_title(m)} ({fig.display_unit(m)})"
            for m in (summary.metrics if summary else ())
        ],
        "index_rows": index_rows,
        "missing_conditions": [fig.condition_short_label(c) for c in summary.missing_conditions]
        if summary
        else [],
        "not_computed": dict(summary.not_computed) if summary else {},
        "summary_images": summary_images,
        "norms_image": norms_image,
        "norm_sources": [SOURCES[NormSource(s)] for s in sources],
        "trial_cards": trial_cards,
        "references": REFERENCES,
    }
    template = resources.files("reeducate.reports").joinpath(TEMPLATE).read_text(encoding="utf-8")
    from jinja2 import Environment, StrictUndefined

    env = Environment(
        autoescape=True, undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    html = env.from_string(template).render(**context)
    path = out_dir / "report.html"
    path.write_text(html, encoding="utf-8")
    return path
