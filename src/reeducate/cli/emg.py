"""``reeducate emg ...``: analyse surface-EMG recordings (table + figures).

The numerical stack is imported inside the command, so ``reeducate --help`` stays instant.
"""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from reeducate.cli.common import TableCsvFormat, err_console, out_console
from reeducate.cli.exit_codes import ExitCode
from reeducate.errors import InvalidParameterError

emg_app = typer.Typer(
    help="Surface EMG: cleaning, envelope, %MVC, onsets, co-contraction and fatigue.",
    no_args_is_help=True,
)


class Envelope(StrEnum):
    lowpass = "lowpass"
    rms = "rms"


class Mains(StrEnum):
    hz50 = "50"
    hz60 = "60"
    none = "none"


def _rest_span(text: str | None) -> tuple[float, float] | None:
    if text is None:
        return None
    parts = text.split(",")
    try:
        start, stop = (float(p) for p in parts)
    except ValueError:
        raise InvalidParameterError(
            f"--rest-s must be START,STOP in seconds (e.g. 0,1.5); got {text!r}"
        ) from None
    return start, stop


@emg_app.command("analyze")
def analyze(
    path: Annotated[
        Path,
        typer.Argument(
            help="Recording: delimited text, EDF/BDF, XDF, C3D, or an emg_elderly .xlsx."
        ),
    ],
    muscle: Annotated[
        list[str],
        typer.Option("--muscle", help="Channel to analyse (repeat for several), e.g. VL."),
    ],
    out: Annotated[Path, typer.Option("--out", help="Directory for the table and figures.")],
    mains_hz: Annotated[
        Mains,
        typer.Option("--mains-hz", help="Mains frequency to notch out: 50, 60 or none."),
    ],
    mvc: Annotated[
        Path | None,
        typer.Option("--mvc", help="Calibration (MVC) recording of the same channels: %MVC."),
    ] = None,
    antagonist: Annotated[
        str | None,
        typer.Option("--antagonist", help="Antagonist channel: co-contraction with the first "
                     "--muscle (needs --mvc)."),
    ] = None,
    task: Annotated[
        str | None, typer.Option("--task", help="emg_elderly workbook: task sheet VL|BF|TA|LG.")
    ] = None,
    mvc_task: Annotated[
        str | None,
        typer.Option("--mvc-task", help="emg_elderly MVC workbook: task sheet to calibrate from "
                     "(default: each muscle's own task)."),
    ] = None,
    unit: Annotated[
        str | None, typer.Option("--unit", help="Sample unit when the file does not say: V|mV|uV.")
    ] = None,
    sampling_rate_hz: Annotated[
        float | None,
        typer.Option("--sampling-rate-hz", help="Rate of a text file without a time column."),
    ] = None,
    stream: Annotated[str | None, typer.Option("--stream", help="XDF stream name.")] = None,
    envelope: Annotated[
        Envelope, typer.Option("--envelope", help="Linear envelope (low-pass) or moving RMS.")
    ] = Envelope.lowpass,
    lowpass_hz: Annotated[
        float, typer.Option("--lowpass-hz", help="Envelope low-pass cut-off (Hz).")
    ] = 6.0,
    rms_window_s: Annotated[
        float, typer.Option("--rms-window-s", help="Moving-RMS window (s).")
    ] = 0.1,
    rest_s: Annotated[
        str | None,
        typer.Option("--rest-s", help="Rest span START,STOP (s) for the baseline onset methods."),
    ] = None,
    exercise: Annotated[
        str | None,
        typer.Option("--exercise", help="Score against this muscle-activation variant's EMG "
                     "target (e.g. ma-quad-set-long); needs --mvc."),
    ] = None,
    output_format: Annotated[
        TableCsvFormat, typer.Option("--format", help="Output format on stdout.")
    ] = TableCsvFormat.table,
) -> int:
    """Clean, envelope and normalise EMG; find onsets; write emg_metrics.csv, a JSON and PNGs."""
    from reeducate.emg.cleaning import CleaningSettings
    from reeducate.io.emg_readers import EmgReadOptions
    from reeducate.services import emg as service

    request = service.EmgRequest(
        muscles=tuple(muscle),
        antagonist=antagonist,
        mvc_path=mvc,
        read_options=EmgReadOptions(
            unit=unit, sampling_rate_hz=sampling_rate_hz, task=task, stream=stream
        ),
        mvc_task=mvc_task,
        cleaning=CleaningSettings(
            mains_hz=None if mains_hz is Mains.none else float(mains_hz.value)
        ),
        envelope="lowpass" if envelope is Envelope.lowpass else "moving_rms",
        lowpass_hz=lowpass_hz,
        rms_window_s=rms_window_s,
        rest_s=_rest_span(rest_s),
        exercise=exercise,
    )
    analysis = service.analyze_emg(path, request=request)
    written = service.write_outputs(analysis, out)
    err_console.print(
        f"wrote {', '.join(p.name for p in written)} to {out}", highlight=False, soft_wrap=True
    )
    if output_format is TableCsvFormat.csv:
        typer.echo(service.rows_to_csv(analysis.rows), nl=False)
        return ExitCode.OK
    if output_format is TableCsvFormat.json:
        typer.echo(
            json.dumps({"rows": analysis.rows, "co_contraction": analysis.co_contraction,
                        "activation": analysis.activation}, indent=2, allow_nan=False)
        )  # fmt: skip
        return ExitCode.OK
    table = Table(title=f"EMG: {analysis.recording.source_name}", title_justify="left")
    for header in ("channel", "RMS µV", "peak env µV", "MVC µV", "mean %MVC", "peak %MVC",
                   "MDF Hz", "MDF slope Hz/s", "onsets"):  # fmt: skip
        table.add_column(header, justify="left" if header == "channel" else "right")

    def cell(value: object, fmt: str) -> str:
        return "–" if value is None else fmt.format(value)

    for row in analysis.rows:
        counts = [f"{k.removeprefix('onsets_')}={v}" for k, v in row.items()
                  if k.startswith("onsets_")]  # fmt: skip
        table.add_row(
            row["channel"],
            cell(row["rms_uv"], "{:.1f}"),
            cell(row["peak_envelope_uv"], "{:.1f}"),
            cell(row["mvc_uv"], "{:.1f}"),
            cell(row["mean_pct_mvc"], "{:.1f}"),
            cell(row["peak_pct_mvc"], "{:.1f}"),
            cell(row["median_frequency_start_hz"], "{:.1f}"),
            cell(row["median_frequency_slope_hz_s"], "{:.2f}"),
            " ".join(counts) or "–",
        )
    out_console.print(table)
    if analysis.co_contraction is not None:
        c = analysis.co_contraction
        out_console.print(
            f"co-contraction {c['agonist']}/{c['antagonist']}: Falconer-Winter CCI "
            f"{c['falconer_winter_pct']:.1f} %, Rudolph {c['rudolph_pct_mvc']:.1f} %MVC",
            highlight=False,
        )
    if analysis.activation is not None:
        a = analysis.activation
        ttt = a["median_time_to_target_s"]
        out_console.print(
            f"{a['exercise']}: {a['target']}\n  reps achieved {a['reps_achieved']} of "
            f"{a['reps_attempted']} attempted; median time to target "
            f"{'–' if ttt is None else f'{ttt:.2f} s'}; median hold {a['median_held_s']:.1f} s; "
            f"hold quality {a['mean_hold_quality_ratio']:.2f}; for the session record: "
            f"{a['set_record']}, {a['quality']}",
            highlight=False,
        )
    return ExitCode.OK
