"""Use case: a balance report for a session of trials (HTML, PNG figures, metrics CSV)."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from reeducate.balance.analysis import TrialAnalysis
from reeducate.balance.conditions import ConditionSummary, summarize_conditions
from reeducate.balance.norms import NormComparison, compare_summary_with_norms, resolve_age_group
from reeducate.errors import InvalidParameterError, ReeducateError
from reeducate.reports.html import render_balance_report
from reeducate.services.balance import (
    AnalysisRequest,
    analyze_path,
    metrics_row,
    rows_to_csv,
    with_file_name,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportResult:
    """What :func:`build_report` produced."""

    report_path: Path
    analyses: tuple[TrialAnalysis, ...]
    summary: ConditionSummary
    norm_comparisons: tuple[NormComparison, ...]


def build_report(
    paths: Sequence[Path],
    /,
    *,
    request: AnalysisRequest,
    out_dir: Path,
    title: str,
    age_group: str | None = None,
    age_years: float | None = None,
    subject_label: str | None = None,
    on_file: Callable[[], None] | None = None,
    now: datetime | None = None,
) -> ReportResult:
    """Analyse a session's recordings and write ``out_dir/report.html``, ``figures/*.png`` and
    ``balance_metrics.csv``.

    Every file must analyse cleanly (a report with a silently missing trial would mislead), so
    the first error stops the work and nothing is written. Files are written to a temporary
    folder first and moved into ``out_dir`` only when all of them are complete.
    """
    if not paths:
        raise InvalidParameterError("paths must name at least one recording; got none")
    group = (
        resolve_age_group(age_years=age_years, age_group=age_group)
        if age_years is not None or age_group is not None
        else None
    )
    analyses: list[TrialAnalysis] = []
    rows = []
    for path in paths:
        try:
            with warnings.catch_warnings(record=True) as recorded:
                warnings.simplefilter("always")
                analysis, extra = analyze_path(Path(path), request=request)
        except ReeducateError as exc:
            raise type(exc)(with_file_name(str(exc), Path(path).name)) from None
        for caught in recorded:  # re-issue each warning with the file it concerns
            warnings.warn(
                with_file_name(str(caught.message), Path(path).name),
                caught.category,
                stacklevel=2,
            )
        analyses.append(analysis)
        rows.append(metrics_row(analysis, extra))
        if on_file is not None:
            on_file()
    summary = summarize_conditions(analyses)
    comparisons = compare_summary_with_norms(summary, age_group=group) if group is not None else ()
    generated_at = now or datetime.now(UTC)
    out_dir.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(dir=out_dir, prefix=".staging-"))
    try:
        render_balance_report(
            analyses,
            summary=summary,
            norm_comparisons=comparisons,
            title=title,
            generated_at=generated_at,
            out_dir=staging,
            subject_label=subject_label,
        )
        (staging / "balance_metrics.csv").write_text(rows_to_csv(rows), encoding="utf-8")
        settings = {a.trial.source_name: a.settings for a in analyses}
        (staging / "balance_settings.json").write_text(
            json.dumps(settings, indent=2) + "\n", encoding="utf-8"
        )
        _move_into(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ReportResult(
        report_path=out_dir / "report.html",
        analyses=tuple(analyses),
        summary=summary,
        norm_comparisons=tuple(comparisons),
    )


def _move_into(staging: Path, out_dir: Path) -> None:
    for src in sorted(staging.rglob("*")):
        if src.is_file():
            dst = out_dir / src.relative_to(staging)
            dst.parent.mkdir(parents=True, exist_ok=True)
            os.replace(src, dst)
