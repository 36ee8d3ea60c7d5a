"""``reeducate demo``: the main job on bundled real data."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from reeducate.cli.common import out_console, progress_bar
from reeducate.cli.exit_codes import ExitCode
from reeducate.units import to_display

if TYPE_CHECKING:
    from reeducate.balance.norms import NormComparison


def demo_command(
    out: Annotated[
        Path, typer.Option("--out", help="Directory for report.html, figures/ and metrics.")
    ] = Path("reeducate-demo"),
) -> int:
    """Analyse bundled real trials of one person (eyes open/closed x firm/foam) and write a
    balance report."""
    from reeducate.services.demo import DEMO_LABEL, demo_files, run_demo

    paths, _, _ = demo_files()
    with progress_bar() as progress:
        task = progress.add_task("analysing", total=len(paths))
        result = run_demo(out, on_file=lambda: progress.advance(task))
    table = Table(
        title=f"{DEMO_LABEL}: median of 3 trials per condition, vs adults 60+",
        title_justify="left",
    )
    for header in ("condition", "n", "area 95% (mm²)", "pctl", "velocity (mm/s)", "pctl"):
        table.add_column(header, justify="left" if header == "condition" else "right")
    norms = {(c.metric, c.condition): c for c in result.norm_comparisons}
    for entry in result.summary.conditions:
        shown = to_display(entry.median)
        table.add_row(
            entry.condition.label,
            str(entry.n_trials),
            f"{shown['ellipse_area_95_mm2']:.0f}",
            _percentile(norms.get(("ellipse_area_95_m2", entry.condition))),
            f"{shown['mean_velocity_mm_s']:.1f}",
            _percentile(norms.get(("mean_velocity_m_s", entry.condition))),
        )
    out_console.print(table)
    out_console.print(
        "pctl: percentile among adults 60+ of the public balance data set (Santos & Duarte 2016);"
        " ⚑ outside the normal band.",
        style="dim",
        highlight=False,
    )
    out_console.print(f"report: {result.report_path}", highlight=False)
    out_console.print(f"figures: {result.report_path.parent / 'figures'}", highlight=False)
    out_console.print(
        f"all metrics: {result.report_path.parent / 'balance_metrics.csv'}", highlight=False
    )
    return ExitCode.OK


def _percentile(comparison: NormComparison | None) -> str:
    from reeducate.reports.html import percentile_label

    if comparison is None or comparison.percentile is None:
        return "no norm"
    flag = " [red]⚑[/red]" if comparison.outside_band else ""
    return f"{percentile_label(comparison.percentile)}{flag}"
