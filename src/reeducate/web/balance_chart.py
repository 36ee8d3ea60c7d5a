"""The balance part of the therapist's chart: each recent trial's statokinesigram and
stabilogram, the condition summary of the latest visit's trials and where they stand on the
published norms; and the figures themselves, drawn on request as SVG.

What the chart shows (:func:`balance_chart`)
    * The latest :data:`CHART_TRIAL_FIGURES` trials, newest visit first, each with its
      statokinesigram (CoP path with the 95 % prediction ellipse of its stored metrics) and its
      stabilogram (AP and ML against time), all on one scale in mm so that conditions compare
      by eye. They are drawn from the trial's stored display trace
      (:mod:`reeducate.balance.display`: decimated, for drawing only; the metrics were computed
      on the full signal when the recording was analysed). A trial analysed before traces were
      kept shows its ellipse alone and says "trace not stored"; its metrics are unchanged.
    * The condition summary (:mod:`reeducate.balance.conditions`) of the latest visit with
      recordings: per condition (eyes open/closed x firm/foam) the median 95 % ellipse area and
      mean velocity, the Romberg quotient and the foam ratio, as one figure per metric and a
      table.
    * The same medians on the age group's published norms (:mod:`reeducate.balance.norms`),
      only where they apply (preset, sampling rate, duration, stance, condition and age must
      match the source's protocol); otherwise "no norm" and the reason, never a number.

Figures are separate requests, not data URIs in the page
    The chart page carries the numbers (tables, text alternatives) and ``<img>`` elements that
    point at :func:`trial_figure_svg` and :func:`visit_figure_svg`
    (``GET /patients/{code}/trials/{trial_id}/figure.svg`` and
    ``GET /patients/{code}/sessions/{session_id}/balance.svg``). Why: drawing six trials' paths
    and the summary takes matplotlib a second or more the first time, and inlining 16 figures
    would make every chart a megabyte; as separate requests the chart's own time does not grow
    with the figures, the browser loads them in parallel (``loading="lazy"`` below the fold),
    and each figure is rendered once (:data:`reeducate.web.charts.FIGURE_CACHE`: a trace
    never changes once stored). Every figure request is authorized and audited like the chart
    (the therapist of the patient's clinic only; another clinic's patient and an unknown code
    are refused alike, 403), in its own transaction, before the cache is consulted; a trial or
    visit that is not this patient's answers 404 as an unknown one does. Responses carry
    ``Cache-Control: no-store`` (patient data stays off shared computers' disks). A page asks
    for its figures all at once: each request is a writing transaction (its audit event),
    which on SQLite begins ``IMMEDIATE`` (:mod:`reeducate.store.engine`), so they queue on the
    busy timeout for the few milliseconds of their reads instead of failing.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Final, Literal
from urllib.parse import quote, urlencode

from reeducate.errors import InvalidParameterError, NotFoundError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from reeducate.balance.conditions import ConditionSummary
    from reeducate.balance.display import DisplayTrace
    from reeducate.balance.norms import NormComparison
    from reeducate.balance.trial import TrialCondition
    from reeducate.clinic.care import BalanceTrialRecord, TreatmentSession
    from reeducate.services.care import CareStore
    from reeducate.store.repositories import UserAccount

__all__ = [
    "CHART_TRIAL_FIGURES",
    "SUMMARY_METRICS",
    "BalanceChart",
    "ConditionRow",
    "IndexRow",
    "NormView",
    "TrialFigureKind",
    "TrialFigures",
    "VisitFigureKind",
    "VisitSummary",
    "balance_chart",
    "condition_class",
    "trial_figure_svg",
    "trial_figure_url",
    "visit_figure_svg",
    "visit_figure_url",
]

#: How many of the latest trials the chart draws (two figure requests each).
CHART_TRIAL_FIGURES: Final = 6
#: The metrics of the condition summary and the norms (both have published norms).
SUMMARY_METRICS: Final = ("ellipse_area_95_m2", "mean_velocity_m_s")

TrialFigureKind = Literal["statokinesigram", "stabilogram"]
VisitFigureKind = Literal["conditions", "norms"]
SummaryMetric = Literal["ellipse_area_95_m2", "mean_velocity_m_s"]

#: Sizes in inches for the chart: about 400 CSS pixels wide, so that a phone shows them at
#: nearly full size (text stays legible) and a desktop puts two side by side.
_STATOKINESIGRAM_IN: Final = (4.0, 4.15)
_STABILOGRAM_IN: Final = (4.3, 3.3)
#: Room around the largest excursion on the shared scale.
_SCALE_MARGIN: Final = 1.08
_NO_TRACE: Final = "trace not stored (recorded before traces were kept)"


# --------------------------------------------------------------------------------------------
# Stored trials as the condition summary reads them
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class _StoredTrial:
    """A stored trial's description (:class:`reeducate.balance.conditions.SummarisedTrial`)."""

    condition: TrialCondition
    source_name: str
    sampling_rate_hz: float
    duration_s: float


@dataclass(frozen=True, slots=True, kw_only=True)
class _StoredAnalysis:
    """A stored analysis (:class:`reeducate.balance.conditions.SummarisedAnalysis`)."""

    trial: _StoredTrial
    metrics: Mapping[str, float]
    preset: str


def _condition(record: BalanceTrialRecord) -> TrialCondition:
    from reeducate.balance.conditions import condition_from_label
    from reeducate.balance.trial import TrialCondition

    try:
        return condition_from_label(record.condition)
    except InvalidParameterError:
        return TrialCondition()


def _stored_analysis(record: BalanceTrialRecord) -> _StoredAnalysis:
    return _StoredAnalysis(
        # The record id stands for the file name: the summary names trials by it.
        trial=_StoredTrial(
            condition=_condition(record),
            source_name=record.id,
            sampling_rate_hz=record.sampling_rate_hz,
            duration_s=record.duration_s,
        ),
        metrics=record.metrics,
        preset=record.preset,
    )


# --------------------------------------------------------------------------------------------
# Views
# --------------------------------------------------------------------------------------------


def _mm(value_m: float | None) -> float | None:
    return None if value_m is None else value_m * 1e3


def _shown(name: str, value_si: float) -> str:
    from reeducate.reports.figures import display_unit, to_display_value

    value = to_display_value(name, value_si)
    digits = 0 if abs(value) >= 100 else (1 if abs(value) >= 10 else 2)
    return f"{value:.{digits}f} {display_unit(name)}"


def condition_class(condition: TrialCondition, /) -> str:
    """CSS class of a condition's colour on the page: the figures' colour
    (:func:`reeducate.reports.figures.condition_colour`; the stylesheet holds the same
    colours, as the Content-Security-Policy allows no inline style).

    >>> from reeducate.balance.trial import Surface, TrialCondition, Vision
    >>> condition_class(TrialCondition(surface=Surface.FOAM, vision=Vision.CLOSED))
    'cond-foam-ec'
    """
    from reeducate.balance.trial import Stance, Vision

    if condition.stance in (Stance.SEMI_TANDEM, Stance.TANDEM):
        return "cond-tandem"
    if condition.stance is not Stance.BIPEDAL:
        return "cond-single-leg"
    if condition.surface is None or condition.vision is None:
        return "cond-other"
    return f"cond-{condition.surface.value}-{'eo' if condition.vision is Vision.OPEN else 'ec'}"


def trial_figure_url(
    code: str, trial_id: str, kind: TrialFigureKind, /, *, scale_mm: float | None = None
) -> str:
    """Address of a trial's figure (``scale_mm``: the shared half-range, when given).

    >>> trial_figure_url("P-0001", "T-0003", "stabilogram", scale_mm=12.5)
    '/patients/P-0001/trials/T-0003/figure.svg?kind=stabilogram&scale_mm=12.5'
    """
    query: dict[str, str] = {"kind": kind}
    if scale_mm is not None:
        query["scale_mm"] = f"{scale_mm:g}"
    return (
        f"/patients/{quote(code, safe='')}/trials/{quote(trial_id, safe='')}/figure.svg?"
        f"{urlencode(query)}"
    )


def visit_figure_url(code: str, session_id: str, kind: VisitFigureKind, metric: str, /) -> str:
    """Address of a visit's condition-summary or norms figure for one metric.

    >>> visit_figure_url("P-0001", "S-0009", "norms", "mean_velocity_m_s")
    '/patients/P-0001/sessions/S-0009/balance.svg?kind=norms&metric=mean_velocity_m_s'
    """
    return (
        f"/patients/{quote(code, safe='')}/sessions/{quote(session_id, safe='')}/balance.svg?"
        f"{urlencode({'kind': kind, 'metric': metric})}"
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class TrialFigures:
    """One trial as the chart draws it: two figures with their text alternatives."""

    id: str
    session_id: str | None
    recorded_on: date
    condition: str
    """Short label, e.g. ``"Foam · EC"``."""
    colour_class: str
    """CSS class of the condition's colour (:func:`condition_class`)."""
    duration_s: float
    has_trace: bool
    key_metrics: tuple[tuple[str, str], ...]
    """(title, value with its unit) of the metrics the session list shows."""
    statokinesigram_url: str
    stabilogram_url: str
    statokinesigram_alt: str
    stabilogram_alt: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {
            "id": self.id,
            "session_id": self.session_id,
            "recorded_on": self.recorded_on.isoformat(),
            "condition": self.condition,
            "has_trace": self.has_trace,
        }


def _key_metrics(record: BalanceTrialRecord) -> tuple[tuple[str, str], ...]:
    from reeducate.reports.figures import metric_title

    return tuple(
        (metric_title(name), _shown(name, record.metrics[name]))
        for name in SUMMARY_METRICS
        if name in record.metrics
    )


def _trial_figures(
    code: str,
    record: BalanceTrialRecord,
    *,
    session_id: str | None,
    has_trace: bool,
    scale_mm: float | None,
) -> TrialFigures:
    from reeducate.reports.figures import condition_short_label

    condition = _condition(record)
    short = condition_short_label(condition)
    metrics = record.metrics
    day = record.recorded_at.date().isoformat()
    area = metrics.get("ellipse_area_95_m2")
    axes = [_mm(metrics.get(k)) for k in ("ellipse_semi_major_m", "ellipse_semi_minor_m")]
    ellipse_words = (
        ""
        if area is None
        else f"95 % prediction ellipse of {_shown('ellipse_area_95_m2', area)}"
        + (
            f" (axes {2 * axes[0]:.1f} by {2 * axes[1]:.1f} mm)"
            if axes[0] is not None and axes[1] is not None
            else ""
        )
    )
    rms = [
        f"RMS {axis} {_shown(f'rms_{axis.lower()}_m', metrics[f'rms_{axis.lower()}_m'])}"
        for axis in ("AP", "ML")
        if f"rms_{axis.lower()}_m" in metrics
    ]
    what = f"trial {record.id}, {record.condition}, {day}"
    if has_trace:
        stato_alt = (
            f"Statokinesigram of {what}: the centre-of-pressure path, medio-lateral across and "
            f"antero-posterior up, with its {ellipse_words or 'path only'}"
        )
        stabilo_alt = (
            f"Stabilogram of {what}: antero-posterior and medio-lateral centre of pressure over "
            f"{record.duration_s:g} s" + (f"; {', '.join(rms)}" if rms else "")
        )
    else:
        stato_alt = f"Statokinesigram of {what}: {_NO_TRACE}; " + (
            f"the {ellipse_words} from the stored metrics" if ellipse_words else "no ellipse"
        )
        stabilo_alt = f"Stabilogram of {what}: {_NO_TRACE}" + (f"; {', '.join(rms)}" if rms else "")
    return TrialFigures(
        id=record.id,
        session_id=session_id,
        recorded_on=record.recorded_at.date(),
        condition=short,
        colour_class=condition_class(condition),
        duration_s=record.duration_s,
        has_trace=has_trace,
        key_metrics=_key_metrics(record),
        statokinesigram_url=trial_figure_url(code, record.id, "statokinesigram", scale_mm=scale_mm),
        stabilogram_url=trial_figure_url(code, record.id, "stabilogram", scale_mm=scale_mm),
        statokinesigram_alt=stato_alt,
        stabilogram_alt=stabilo_alt,
    )


def shared_scale_mm(records: Sequence[BalanceTrialRecord], /) -> float | None:
    """One half-range in mm for every figure of ``records``: 8 % beyond the largest distance
    from the mean CoP (``max_distance_m``) or ellipse semi-major axis among them; None when
    no trial has either. Rounded up to 0.5 mm (a stable figure address).

    >>> from types import SimpleNamespace as R
    >>> shared_scale_mm([R(metrics={"max_distance_m": 0.0101}),
    ...                  R(metrics={"ellipse_semi_major_m": 0.004})])
    11.0
    """
    extents = [
        value
        for record in records
        for name in ("max_distance_m", "ellipse_semi_major_m")
        if (value := record.metrics.get(name)) is not None and math.isfinite(value) and value > 0
    ]
    if not extents:
        return None
    return math.ceil(_SCALE_MARGIN * max(extents) * 1e3 * 2.0) / 2.0


@dataclass(frozen=True, slots=True, kw_only=True)
class ConditionRow:
    """One condition of the visit: its trials and median per summary metric."""

    condition: str
    colour_class: str
    n_trials: int
    medians: tuple[str, ...]
    """Display values, in the order of :attr:`VisitSummary.metrics`."""


@dataclass(frozen=True, slots=True, kw_only=True)
class IndexRow:
    """A sensory index of the visit (Romberg quotient, foam ratio) for one metric."""

    name: str
    metric: str
    value: float | None
    formula: str
    missing: str
    """Conditions it needs that the visit lacks ("" when computed)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class NormView:
    """A condition median on the published norms, or "no norm" and why."""

    condition: str
    metric: str
    metric_title: str
    value: str
    compared: bool
    percentile: str | None
    outside_band: bool | None
    words: str
    """The interpretation when compared; the reason otherwise."""
    source: str | None

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {
            "condition": self.condition,
            "metric": self.metric,
            "value": self.value,
            "status": "compared" if self.compared else "no_norm",
            "percentile": self.percentile,
            "outside_band": self.outside_band,
            "interpretation" if self.compared else "reason": self.words,
            "source": self.source,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class VisitSummary:
    """The latest visit with recordings: condition summary and norms."""

    session_id: str
    on: date
    trial_ids: tuple[str, ...]
    metrics: tuple[tuple[str, str, str], ...]
    """(SI name, title, display unit) of each summarised metric."""
    conditions: tuple[ConditionRow, ...]
    missing: tuple[str, ...]
    """mCTSIB conditions the visit has no trial of."""
    indices: tuple[IndexRow, ...]
    summary_figures: tuple[tuple[str, str], ...]
    """(address, text alternative) per metric; empty without a summary."""
    summary_note: str | None
    """Why there is no summary (mixed presets, a metric missing ...)."""
    norms: tuple[NormView, ...]
    norm_figures: tuple[tuple[str, str], ...]
    norms_note: str | None
    """Why no norm applies at all (age unknown ...); per-row reasons are in ``norms``."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {
            "session_id": self.session_id,
            "on": self.on.isoformat(),
            "trial_ids": list(self.trial_ids),
            "conditions": [
                {
                    "condition": c.condition,
                    "n_trials": c.n_trials,
                    "medians": dict(zip([m for m, _, _ in self.metrics], c.medians, strict=True)),
                }
                for c in self.conditions
            ],
            "missing_conditions": list(self.missing),
            "indices": [
                {"name": i.name, "metric": i.metric, "value": i.value, "missing": i.missing}
                for i in self.indices
            ],
            "summary_note": self.summary_note,
            "norms": [n.to_dict() for n in self.norms],
            "norms_note": self.norms_note,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class BalanceChart:
    """The chart's balance figures: recent trials, and the latest visit's summary."""

    trials: tuple[TrialFigures, ...]
    more_trials: int
    """Trials not drawn (older than the latest :data:`CHART_TRIAL_FIGURES`)."""
    scale_mm: float | None
    visit: VisitSummary | None

    def figures_of(self, trial_id: str, /) -> TrialFigures | None:
        """The drawn trial ``trial_id``, or None when it is not among the drawn ones."""
        return next((t for t in self.trials if t.id == trial_id), None)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {
            "drawn_trials": [t.to_dict() for t in self.trials],
            "more_trials": self.more_trials,
            "latest_visit": None if self.visit is None else self.visit.to_dict(),
        }


_INDEX_WORDS: Final[Mapping[str, str]] = {
    "romberg_ratio": "Romberg quotient (firm: eyes closed / open)",
    "foam_ratio": "Foam ratio (eyes open: foam / firm)",
}


def _summary(records: Sequence[BalanceTrialRecord]) -> tuple[ConditionSummary | None, str | None]:
    from reeducate.balance.conditions import summarize_conditions

    presets = sorted({r.preset for r in records})
    if len(presets) > 1:
        return None, (
            f"no summary: the visit's trials were analysed with different presets "
            f"({', '.join(presets)}), and conventions differ between presets"
        )
    metrics = [m for m in SUMMARY_METRICS if all(m in r.metrics for r in records)]
    if not metrics:
        return None, "no summary: the trials lack the ellipse area and the mean velocity"
    try:
        return summarize_conditions([_stored_analysis(r) for r in records], metrics=metrics), None
    except InvalidParameterError as exc:
        return None, f"no summary: {exc}"


def _norm_views(comparisons: Sequence[NormComparison]) -> tuple[NormView, ...]:
    from reeducate.reports.figures import condition_short_label, metric_title, percentile_label

    views = []
    for c in comparisons:
        compared = c.status == "compared"
        views.append(
            NormView(
                condition=condition_short_label(c.condition),
                metric=c.metric,
                metric_title=metric_title(c.metric),
                value=_shown(c.metric, c.value_si),
                compared=compared,
                percentile=None if c.percentile is None else percentile_label(c.percentile),
                outside_band=c.outside_band,
                words=c.interpretation if compared else c.reason,
                source=None if c.row is None else c.row.citation,
            )
        )
    return tuple(views)


def _visit_summary(
    code: str,
    session: TreatmentSession,
    records: Sequence[BalanceTrialRecord],
    *,
    age_years: int | None,
) -> VisitSummary:
    from reeducate.balance.conditions import MCTSIB_CONDITIONS
    from reeducate.balance.norms import compare_summary_with_norms
    from reeducate.balance.trial import TrialCondition
    from reeducate.reports.figures import condition_short_label, display_unit, metric_title

    summary, summary_note = _summary(records)
    metrics = () if summary is None else summary.metrics
    conditions: tuple[ConditionRow, ...] = ()
    indices: list[IndexRow] = []
    missing: tuple[str, ...] = ()
    norms: tuple[NormView, ...] = ()
    norms_note: str | None = None
    summary_figures: list[tuple[str, str]] = []
    norm_figures: list[tuple[str, str]] = []
    if summary is not None:
        conditions = tuple(
            ConditionRow(
                condition=condition_short_label(entry.condition),
                colour_class=condition_class(entry.condition),
                n_trials=entry.n_trials,
                medians=tuple(_shown(m, entry.median[m]) for m in metrics),
            )
            for entry in summary.conditions
        )
        present = {entry.condition for entry in summary.conditions}
        missing = tuple(
            condition_short_label(c)
            for s, v in MCTSIB_CONDITIONS
            if (c := TrialCondition(surface=s, vision=v)) not in present
        )
        for metric in metrics:
            for name, words in _INDEX_WORDS.items():
                index = summary.index(name, metric=metric) if _has_index(summary, name) else None
                if index is None:
                    continue
                indices.append(
                    IndexRow(
                        name=words,
                        metric=metric_title(metric),
                        value=index.value,
                        formula=index.formula,
                        missing=", ".join(index.missing),
                    )
                )
            medians = "; ".join(
                f"{row.condition} {row.medians[metrics.index(metric)]}"
                f" ({row.n_trials} trial{'' if row.n_trials == 1 else 's'})"
                for row in conditions
            )
            summary_figures.append(
                (
                    visit_figure_url(code, session.id, "conditions", metric),
                    f"Condition summary of the visit of {session.session_date.isoformat()}, "
                    f"{metric_title(metric)}, median per condition: {medians}",
                )
            )
        if age_years is None:
            norms_note = "no norm: the patient's date of birth is not recorded"
        else:
            comparisons = compare_summary_with_norms(summary, age_years=float(age_years))
            norms = _norm_views(comparisons)
            for metric in metrics:
                drawn = [
                    n
                    for n, c in zip(norms, comparisons, strict=True)
                    if c.metric == metric and _drawable(c)
                ]
                if drawn:
                    where = "; ".join(
                        f"{n.condition} {n.value}, {n.percentile or 'no percentile'}"
                        + (" (outside the normal band)" if n.outside_band else "")
                        for n in drawn
                    )
                    norm_figures.append(
                        (
                            visit_figure_url(code, session.id, "norms", metric),
                            f"{metric_title(metric)} of the visit on its age group's published "
                            f"distribution (5th to 95th percentile band, quartile box, median): "
                            f"{where}",
                        )
                    )
    return VisitSummary(
        session_id=session.id,
        on=session.session_date,
        trial_ids=tuple(r.id for r in records),
        metrics=tuple((m, metric_title(m), display_unit(m)) for m in metrics),
        conditions=conditions,
        missing=missing,
        indices=tuple(indices),
        summary_figures=tuple(summary_figures),
        summary_note=summary_note,
        norms=norms,
        norm_figures=tuple(norm_figures),
        norms_note=norms_note,
    )


def _has_index(summary: ConditionSummary, name: str) -> bool:
    return any(i.name == name for i in summary.indices)


def _drawable(comparison: NormComparison) -> bool:
    """Whether :func:`reeducate.reports.figures.norms_figure` draws this comparison."""
    return (
        comparison.status == "compared"
        and comparison.row is not None
        and comparison.row.has_quartiles
    )


def balance_chart(
    code: str,
    /,
    *,
    trials: Sequence[BalanceTrialRecord],
    sessions: Sequence[TreatmentSession],
    traced: frozenset[str],
    age_years: int | None,
) -> BalanceChart:
    """The chart's balance figures from a patient's records (already read and audited).

    Parameters
    ----------
    code : str
        The patient's code.
    trials : sequence of BalanceTrialRecord
        The patient's trials, oldest first.
    sessions : sequence of TreatmentSession
        The patient's sessions, oldest first (they say which trials each visit attached).
    traced : frozenset of str
        The ids of the trials with a stored trace.
    age_years : int or None
        The patient's age (for the norms); None when unknown.
    """
    by_id = {t.id: t for t in trials}
    session_of = {tid: s.id for s in sessions for tid in s.trial_ids}
    # Newest visit first; within a visit, in the order the trials were attached.
    ordered: list[BalanceTrialRecord] = []
    for session in reversed(sessions):
        ordered += [by_id[tid] for tid in session.trial_ids if tid in by_id]
    attached = {t.id for t in ordered}
    ordered += [t for t in reversed(trials) if t.id not in attached]
    drawn = ordered[:CHART_TRIAL_FIGURES]
    scale = shared_scale_mm(drawn)
    latest = next((s for s in reversed(sessions) if any(t in by_id for t in s.trial_ids)), None)
    visit = (
        None
        if latest is None
        else _visit_summary(
            code,
            latest,
            [by_id[t] for t in latest.trial_ids if t in by_id],
            age_years=age_years,
        )
    )
    return BalanceChart(
        trials=tuple(
            _trial_figures(
                code,
                record,
                session_id=session_of.get(record.id),
                has_trace=record.id in traced,
                scale_mm=scale,
            )
            for record in drawn
        ),
        more_trials=len(ordered) - len(drawn),
        scale_mm=scale,
        visit=visit,
    )


# --------------------------------------------------------------------------------------------
# The figures (SVG), on request
# --------------------------------------------------------------------------------------------


def _trace_digest(trace: DisplayTrace | None) -> bytes | None:
    if trace is None:
        return None
    digest = hashlib.blake2b(digest_size=16)
    digest.update(trace.ml_m.tobytes())
    digest.update(trace.ap_m.tobytes())
    return digest.digest()


def trial_figure(
    kind: TrialFigureKind,
    /,
    *,
    record: BalanceTrialRecord,
    trace: DisplayTrace | None,
    scale_mm: float | None,
) -> Figure:
    """A trial's statokinesigram or stabilogram from its stored trace and metrics
    (:mod:`reeducate.reports.figures`); without a trace, the ellipse alone or a note."""
    from reeducate.reports.figures import (
        condition_colour,
        condition_short_label,
        cop_stabilogram_figure,
        cop_statokinesigram_figure,
        ellipse_from_metrics,
    )

    condition = _condition(record)
    label = f"{condition_short_label(condition)} · {record.recorded_at.date().isoformat()}"
    if kind == "statokinesigram":
        centre_ap = 0.0 if trace is None else float(trace.ap_m.mean())
        centre_ml = 0.0 if trace is None else float(trace.ml_m.mean())
        try:
            ellipse = ellipse_from_metrics(
                record.metrics, centre_ap_m=centre_ap, centre_ml_m=centre_ml, source=record.id
            )
        except InvalidParameterError:
            ellipse = None
        if trace is None and ellipse is None:
            return _note_figure(f"Statokinesigram · {label}", _NO_TRACE, _STATOKINESIGRAM_IN)
        return cop_statokinesigram_figure(
            None if trace is None else trace.ap_m,
            None if trace is None else trace.ml_m,
            ellipse=ellipse,
            ellipse_area_m2=record.metrics.get("ellipse_area_95_m2"),
            colour=condition_colour(condition),
            title=f"Statokinesigram · {label}",
            half_range_mm=scale_mm,
            size_in=_STATOKINESIGRAM_IN,
            note=_NO_TRACE if trace is None else None,
        )
    if kind == "stabilogram":
        if trace is None:
            return _note_figure(f"Stabilogram · {label}", _NO_TRACE, _STABILOGRAM_IN)
        return cop_stabilogram_figure(
            trace.time_s,
            trace.ap_m,
            trace.ml_m,
            title=f"Stabilogram · {label}",
            amplitude_limit_mm=scale_mm,
            size_in=_STABILOGRAM_IN,
        )
    raise InvalidParameterError(f"kind must be 'statokinesigram' or 'stabilogram'; got {kind!r}")


def _note_figure(title: str, note: str, size_in: tuple[float, float]) -> Figure:
    """A figure that only says why there is nothing to draw."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=size_in, dpi=110, layout="constrained")
    ax = fig.add_subplot()
    ax.axis("off")
    ax.text(0.5, 0.5, note, ha="center", va="center", color="#6B7280", fontsize=9, wrap=True)
    fig.suptitle(title, x=0.01, ha="left", fontsize=11, fontweight="bold", color="#1F2937")
    return fig


def _read_trial(
    store: CareStore, user: UserAccount, code: str, trial_id: str
) -> tuple[BalanceTrialRecord, DisplayTrace | None]:
    from reeducate.services.access import Resource, record_read
    from reeducate.store.engine import transaction
    from reeducate.store.repositories import Repositories

    with transaction(store.factory) as session:
        repos = Repositories(session, actor=user.id, clock=store.clock)
        # First: a patient of another clinic or an unknown code is refused (403) before
        # anything else is read; an exception below rolls the audit event back.
        record_read(repos, user, Resource.BALANCE_TRIAL, patient_code=code, record_ids=[trial_id])
        unknown = NotFoundError(f"trial_id must be a balance trial of {code}; got {trial_id!r}")
        try:
            record = repos.trials.get(trial_id)
        except NotFoundError:
            raise unknown from None
        if record.patient_code != code:
            raise unknown
        return record, repos.trials.trace(trial_id)


def trial_figure_svg(
    store: CareStore,
    user: UserAccount,
    code: str,
    trial_id: str,
    /,
    *,
    kind: TrialFigureKind,
    scale_mm: float | None,
) -> bytes:
    """A trial's figure as SVG, the read authorized and audited first.

    Raises
    ------
    reeducate.services.access.PermissionDeniedError
        Another clinic's patient, an unknown code, or a user who may not read it.
    NotFoundError
        No such trial of this patient (nothing is audited).
    """
    from reeducate.web.charts import FIGURE_CACHE

    record, trace = _read_trial(store, user, code, trial_id)
    key = (
        "trial",
        kind,
        _trace_digest(trace),
        None if trace is None else trace.sampling_rate_hz,
        tuple(
            record.metrics.get(name)
            for name in (
                "ellipse_semi_major_m",
                "ellipse_semi_minor_m",
                "ellipse_angle_deg",
                "ellipse_area_95_m2",
            )
        ),
        record.condition,
        record.recorded_at.date(),
        scale_mm,
    )
    return FIGURE_CACHE.get_or_render(
        key, lambda: trial_figure(kind, record=record, trace=trace, scale_mm=scale_mm)
    )


def _read_visit(
    store: CareStore, user: UserAccount, code: str, session_id: str
) -> tuple[TreatmentSession, list[BalanceTrialRecord], int | None]:
    from reeducate.services.access import Resource, record_read
    from reeducate.store.engine import transaction
    from reeducate.store.repositories import Repositories
    from reeducate.web.therapist import _age

    with transaction(store.factory) as session:
        repos = Repositories(session, actor=user.id, clock=store.clock)
        record_read(repos, user, Resource.SESSION, patient_code=code, record_ids=[session_id])
        unknown = NotFoundError(
            f"session_id must be a session of {code} with balance trials; got {session_id!r}"
        )
        try:
            visit = repos.sessions.get(session_id)
        except NotFoundError:
            raise unknown from None
        if visit.patient_code != code or not visit.trial_ids:
            raise unknown
        records = [repos.trials.get(t) for t in visit.trial_ids]
        record_read(
            repos,
            user,
            Resource.BALANCE_TRIAL,
            patient_code=code,
            record_ids=list(visit.trial_ids),
        )
        # The age group of the norms comes from the date of birth: a read of the patient.
        record_read(repos, user, Resource.PATIENT, patient_code=code, record_ids=[code])
        identity = repos.patients.get(code).identity
        age = None if identity is None else _age(identity.date_of_birth, store.clock().date())
    return visit, records, age


def visit_figure(
    kind: VisitFigureKind,
    metric: str,
    /,
    *,
    records: Sequence[BalanceTrialRecord],
    age_years: int | None,
) -> Figure:
    """A visit's condition summary or norms figure for one metric
    (:func:`reeducate.reports.figures.condition_summary_figure`, :func:`~.norms_figure`).

    Raises
    ------
    NotFoundError
        No summary of these trials for ``metric`` (the chart shows why), or no norm to draw.
    """
    from reeducate.balance.conditions import summarize_conditions
    from reeducate.balance.norms import compare_summary_with_norms
    from reeducate.reports.figures import condition_summary_figure, norms_figure

    summary, note = _summary(records)
    if summary is None or metric not in summary.metrics:
        raise NotFoundError(f"metric must be summarised for this visit; got {metric!r} ({note})")
    single = summarize_conditions([_stored_analysis(r) for r in records], metrics=[metric])
    if kind == "conditions":
        return condition_summary_figure(single)
    if kind == "norms":
        if age_years is None:
            raise NotFoundError("norms need the patient's date of birth; none is recorded")
        comparisons = compare_summary_with_norms(single, age_years=float(age_years))
        if not any(_drawable(c) for c in comparisons):
            raise NotFoundError(f"no published norm applies to this visit's {metric}")
        return norms_figure(comparisons)
    raise InvalidParameterError(f"kind must be 'conditions' or 'norms'; got {kind!r}")


def visit_figure_svg(
    store: CareStore,
    user: UserAccount,
    code: str,
    session_id: str,
    /,
    *,
    kind: VisitFigureKind,
    metric: SummaryMetric,
) -> bytes:
    """A visit's condition summary or norms figure as SVG, the reads authorized and audited
    first (the session, its trials and, for the age group, the patient).

    Raises
    ------
    reeducate.services.access.PermissionDeniedError
        Another clinic's patient, an unknown code, or a user who may not read it.
    NotFoundError
        No such session of this patient with trials, or nothing to draw.
    """
    from reeducate.balance.norms import age_group_for
    from reeducate.web.charts import FIGURE_CACHE

    _visit, records, age = _read_visit(store, user, code, session_id)
    group = None if age is None or kind != "norms" else age_group_for(float(age))
    key = (
        "visit",
        kind,
        metric,
        tuple(
            (r.condition, r.preset, r.sampling_rate_hz, r.duration_s, r.metrics.get(metric))
            for r in records
        ),
        kind == "norms" and age is None,
        group,
    )
    # A figure that cannot be drawn raises from the renderer, and nothing is cached.
    return FIGURE_CACHE.get_or_render(
        key, lambda: visit_figure(kind, metric, records=records, age_years=age)
    )
