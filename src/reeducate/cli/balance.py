"""``reeducate balance ...``: analyse recordings and write reports."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from reeducate.balance.preset_names import DEFAULT_PRESET, PRESET_NAMES
from reeducate.cli.common import TableCsvFormat, err_console, out_console, progress_bar
from reeducate.cli.exit_codes import ExitCode, exit_code_for_kind
from reeducate.io.options import DelimitedOptions
from reeducate.services import balance as service

balance_app = typer.Typer(
    help="Balance assessment: centre-of-pressure sway from force plates and balance boards.",
    no_args_is_help=True,
)


class CopUnit(StrEnum):
    m = "m"
    cm = "cm"
    mm = "mm"


class AgeGroup(StrEnum):
    young = "young"
    old = "old"


PathsArg = Annotated[
    list[Path],
    typer.Argument(
        help="Recordings: delimited text, HBEDB/PDS/AMTI exports, Wii Balance Board, C3D."
    ),
]
PresetOpt = Annotated[
    str,
    typer.Option(
        "--preset", help=f"Metric conventions and preprocessing ({', '.join(PRESET_NAMES)})."
    ),
]
TimeColOpt = Annotated[str | None, typer.Option("--time-col", help="Name of the time column.")]
ApColOpt = Annotated[
    str | None, typer.Option("--ap-col", help="Name of the anterior-posterior CoP column.")
]
MlColOpt = Annotated[
    str | None, typer.Option("--ml-col", help="Name of the medio-lateral CoP column.")
]
UnitOpt = Annotated[
    CopUnit | None, typer.Option("--cop-unit", help="CoP unit when the header does not say it.")
]


class TimeUnit(StrEnum):
    s = "s"
    ms = "ms"


TimeUnitOpt = Annotated[
    TimeUnit | None,
    typer.Option("--time-unit", help="Unit of the time column when the header does not say it."),
]
RateOpt = Annotated[
    float | None,
    typer.Option("--sampling-rate-hz", help="Sampling rate when the file has no time column."),
]
ManifestOpt = Annotated[
    Path | None,
    typer.Option(
        "--manifest",
        help="Delimited file with columns file,condition (eo-firm, ec-firm, eo-foam, ec-foam).",
    ),
]
MetadataOpt = Annotated[
    Path | None,
    typer.Option(
        "--metadata",
        help="Data-set metadata table (BDSinfoCOP / PDSinfoCOP) giving each trial's condition.",
    ),
]
ResampleOpt = Annotated[
    float | None,
    typer.Option(
        "--resample-hz",
        help="Resample unevenly timed recordings to this rate (SWARII); boards always are.",
    ),
]
ConditionOpt = Annotated[
    str | None,
    typer.Option(
        "--condition", help="One condition for every file, e.g. eo-firm or ec-foam+tandem."
    ),
]


def _request(
    *,
    preset: str,
    time_col: str | None,
    ap_col: str | None,
    ml_col: str | None,
    cop_unit: CopUnit | None,
    time_unit: TimeUnit | None,
    sampling_rate_hz: float | None,
    resample_hz: float | None,
    manifest: Path | None,
    metadata: Path | None,
    condition: str | None,
    paths: list[Path],
) -> service.AnalysisRequest:
    options = DelimitedOptions(
        time_col=time_col,
        ap_col=ap_col,
        ml_col=ml_col,
        cop_unit=cop_unit.value if cop_unit else None,
        time_unit=time_unit.value if time_unit else None,
        sampling_rate_hz=sampling_rate_hz,
        resample_hz=resample_hz,
    )
    conditions = service.read_manifest(manifest) if manifest else {}
    info = {}
    if metadata:
        from reeducate.io import read_trial_metadata

        info = read_trial_metadata(metadata)
    if condition:
        one = service.parse_condition(condition, field_name="--condition")
        conditions = {p.name: one for p in paths} | conditions
    return service.AnalysisRequest(
        reader_options=options, preset=preset, conditions=conditions, metadata=info
    )


@balance_app.command("analyze")
def analyze(
    paths: PathsArg,
    output_format: Annotated[
        TableCsvFormat, typer.Option("--format", help="Output format.")
    ] = TableCsvFormat.table,
    out: Annotated[
        Path | None, typer.Option("--out", help="Directory for balance_metrics.csv/.json.")
    ] = None,
    jobs: Annotated[int, typer.Option("--jobs", min=1, help="Worker processes.")] = 1,
    preset: PresetOpt = DEFAULT_PRESET,
    time_col: TimeColOpt = None,
    ap_col: ApColOpt = None,
    ml_col: MlColOpt = None,
    cop_unit: UnitOpt = None,
    time_unit: TimeUnitOpt = None,
    sampling_rate_hz: RateOpt = None,
    resample_hz: ResampleOpt = None,
    manifest: ManifestOpt = None,
    metadata: MetadataOpt = None,
    condition: ConditionOpt = None,
) -> int:
    """Compute the full set of centre-of-pressure sway metrics for each recording."""
    paths = service.expand_paths(paths)
    request = _request(
        preset=preset,
        time_col=time_col,
        ap_col=ap_col,
        ml_col=ml_col,
        cop_unit=cop_unit,
        time_unit=time_unit,
        sampling_rate_hz=sampling_rate_hz,
        resample_hz=resample_hz,
        manifest=manifest,
        metadata=metadata,
        condition=condition,
        paths=paths,
    )
    with progress_bar() as progress:
        task = progress.add_task("analysing", total=len(paths))
        outcomes = service.analyze_files(
            paths, request=request, jobs=jobs, on_done=lambda _o: progress.advance(task)
        )
    for outcome in outcomes:
        for message in outcome.warnings:
            err_console.print(
                f"[yellow]warning:[/yellow] {message}", highlight=False, soft_wrap=True
            )
    good = [o for o in outcomes if o.ok]
    if good:
        _emit(good, outcomes, output_format=output_format, out=out)
    failed = [o for o in outcomes if not o.ok]
    for outcome in failed:
        err_console.print(f"[red]error:[/red] {outcome.error}", highlight=False, soft_wrap=True)
    if not failed:
        return ExitCode.OK
    if not good:
        return (
            exit_code_for_kind(failed[0].error_kind)
            if len(failed) == 1
            else ExitCode.PARTIAL_FAILURE
        )
    err_console.print(f"{len(failed)} of {len(outcomes)} files failed", highlight=False)
    return ExitCode.PARTIAL_FAILURE


_TABLE_COLUMNS = (
    ("file", "file", "{}"),
    ("condition", "condition", "{}"),
    ("duration_s", "s", "{:.0f}"),
    ("ellipse_area_95_mm2", "area95 mm²", "{:.1f}"),
    ("mean_velocity_mm_s", "vel. mm/s", "{:.2f}"),
    ("mean_power_frequency_hz", "MPF Hz", "{:.3f}"),
)


def _emit(
    good: list[service.FileOutcome],
    outcomes: list[service.FileOutcome],
    *,
    output_format: TableCsvFormat,
    out: Path | None,
) -> None:
    rows = [o.row for o in good if o.row is not None]
    if out is not None:
        service.write_atomically(out / "balance_metrics.csv", service.rows_to_csv(rows))
        service.write_atomically(out / "balance_metrics.json", service.outcomes_to_json(outcomes))
        settings = {o.source_name: o.settings for o in good}
        service.write_atomically(
            out / "balance_settings.json", json.dumps(settings, indent=2) + "\n"
        )
        err_console.print(
            f"wrote {len(rows)} results to {out}/balance_metrics.csv and .json", highlight=False
        )
    if output_format is TableCsvFormat.csv:
        typer.echo(service.rows_to_csv(rows), nl=False)
    elif output_format is TableCsvFormat.json:
        typer.echo(service.outcomes_to_json(good), nl=False)
    else:
        table = Table(title="Centre-of-pressure sway", title_justify="left")
        for _, header, _ in _TABLE_COLUMNS:
            if header in ("file", "condition"):
                table.add_column(header, overflow="fold", min_width=16)
            else:
                table.add_column(header, justify="right", no_wrap=True)
        for row in rows:
            table.add_row(
                *(fmt.format(row.get(key, float("nan"))) for key, _, fmt in _TABLE_COLUMNS)
            )
        out_console.print(table)
        out_console.print(
            "area95: 95 % prediction ellipse; vel.: mean sway velocity; MPF: mean power"
            " frequency. All metrics: --format csv or json.",
            style="dim",
            highlight=False,
        )


@balance_app.command("report")
def report(
    paths: PathsArg,
    out: Annotated[Path, typer.Option("--out", help="Directory for report.html and figures/.")],
    age_group: Annotated[
        AgeGroup | None,
        typer.Option("--age-group", help="Norm group: young (18-59) or old (60+)."),
    ] = None,
    age_years: Annotated[
        float | None,
        typer.Option("--age-years", min=0, max=120, help="Age, to pick the norm group."),
    ] = None,
    label: Annotated[
        str, typer.Option("--label", help="Pseudonymous label shown on the report (no names).")
    ] = "Balance assessment",
    preset: PresetOpt = DEFAULT_PRESET,
    time_col: TimeColOpt = None,
    ap_col: ApColOpt = None,
    ml_col: MlColOpt = None,
    cop_unit: UnitOpt = None,
    time_unit: TimeUnitOpt = None,
    sampling_rate_hz: RateOpt = None,
    resample_hz: ResampleOpt = None,
    manifest: ManifestOpt = None,
    metadata: MetadataOpt = None,
    condition: ConditionOpt = None,
) -> int:
    """Write an HTML report with figures (and the figures as PNG) for a session of trials."""
    paths = service.expand_paths(paths)
    request = _request(
        preset=preset,
        time_col=time_col,
        ap_col=ap_col,
        ml_col=ml_col,
        cop_unit=cop_unit,
        time_unit=time_unit,
        sampling_rate_hz=sampling_rate_hz,
        resample_hz=resample_hz,
        manifest=manifest,
        metadata=metadata,
        condition=condition,
        paths=paths,
    )
    from reeducate.services.balance_report import build_report

    group = age_group.value if age_group else None
    with progress_bar() as progress:
        task = progress.add_task("analysing", total=len(paths))
        result = build_report(
            paths,
            request=request,
            out_dir=out,
            title=label,
            age_group=group,
            age_years=age_years,
            on_file=lambda: progress.advance(task),
        )
    err_console.print(f"report: {result.report_path}", highlight=False)
    return ExitCode.OK


@balance_app.command("presets")
def presets() -> int:
    """List the metric presets and what each one does."""
    from reeducate.balance.presets import PRESETS

    table = Table(title="Presets", title_justify="left")
    table.add_column("name")
    table.add_column("description")
    for name, preset in PRESETS.items():
        table.add_row(name + (" (default)" if name == DEFAULT_PRESET else ""), preset.description)
    out_console.print(table)
    return ExitCode.OK
