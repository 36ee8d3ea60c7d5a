"""``reeducate measure ...``: list, explain and score the outcome measures.

The measure tables and the services are imported inside the commands, so ``reeducate --help``
stays instant.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from reeducate.cli.common import FormatOpt, TextFormat, out_console
from reeducate.cli.exit_codes import ExitCode
from reeducate.cli.key_values import parse_key_values, parse_number

if TYPE_CHECKING:
    from reeducate.services.library import MeasureDetail, ScoreReport

measure_app = typer.Typer(
    help="Outcome measures (Berg, TUG, Mini-BESTest, FGA, ABC, ODI, NDI, ...): items, "
    "cut-offs, MCID/MDC with their sources, and scoring.",
    no_args_is_help=True,
)


MeasureArg = Annotated[
    str, typer.Argument(help="Measure id, e.g. bbs (see 'reeducate measure list').")
]


def _emit_json(document: object) -> None:
    typer.echo(json.dumps(document, indent=2, ensure_ascii=False))


@measure_app.command("list")
def list_command(output_format: FormatOpt = TextFormat.text) -> int:
    """List the outcome measures reeducate scores."""
    from reeducate.services.library import list_measures

    measures = list_measures()
    if output_format is TextFormat.json:
        _emit_json([m.to_dict() for m in measures])
        return ExitCode.OK
    table = Table(title="Outcome measures", title_justify="left", box=box.SIMPLE_HEAD)
    table.add_column("id", no_wrap=True, style="cyan")
    table.add_column("measure", overflow="fold", ratio=1)
    table.add_column("items", justify="right", no_wrap=True)
    table.add_column("total", no_wrap=True)
    table.add_column("better", no_wrap=True)
    for m in measures:
        unit = "" if m.unit == "points" or m.unit in m.total_range else f" {m.unit}"
        table.add_row(m.id, Text(m.name), str(m.n_items), Text(f"{m.total_range}{unit}"), m.better)
    out_console.print(table)
    out_console.print(
        "Items, cut-offs and MCID/MDC: reeducate measure show ID", style="dim", highlight=False
    )
    return ExitCode.OK


@measure_app.command("show")
def show(measure_id: MeasureArg, output_format: FormatOpt = TextFormat.text) -> int:
    """Show a measure: items, scoring, cut-offs, norms and MCID/MDC, with sources."""
    from reeducate.services.library import measure_detail

    detail = measure_detail(measure_id)
    if output_format is TextFormat.json:
        _emit_json(detail.to_dict())
    else:
        _print_detail(detail)
    return ExitCode.OK


def _heading(text: str) -> Text:
    return Text(f"\n{text}", style="bold")


def _indent(renderable: Table | Text) -> Padding:
    return Padding(renderable, (0, 0, 0, 2))


def _grid(*styles: str) -> Table:
    """A borderless grid: every column kept on one line but the last, which wraps."""
    grid = Table.grid(padding=(0, 2))
    for n, style in enumerate(styles):
        last = n == len(styles) - 1
        grid.add_column(style=style, no_wrap=not last, overflow="fold" if last else "ellipsis")
    return grid


def _print_detail(d: MeasureDetail) -> None:
    c = out_console
    c.print(Text.assemble((d.name, "bold"), "  ", (d.id, "cyan")))
    unit = " points" if d.unit == "points" else ""
    summary = Table.grid(padding=(0, 1))
    summary.add_column(no_wrap=True, style="bold")
    summary.add_column(overflow="fold")
    summary.add_row("Total", Text(f"{d.total_range}{unit}, {d.better} is better"))
    summary.add_row("Scoring", Text(d.scoring_source))
    summary.add_row("Missing", Text(d.missing_rule))
    if d.loinc:
        summary.add_row("LOINC", Text(d.loinc))
    c.print(summary)

    c.print(_heading("Items"))
    items = _grid("cyan", "", "dim")
    for item in d.items:
        extra = []
        if item.optional:
            extra.append("optional")
        if item.group:
            extra.append(f"group {item.group}")
        note = f" ({', '.join(extra)})" if extra else ""
        items.add_row(item.id, Text(item.allowed + note), Text(item.label))
    c.print(_indent(items))
    if d.group_rule:
        c.print(f"  Grouped items count once, by the {d.group_rule} value.", style="dim")

    if d.subscores:
        c.print(_heading("Subscores"))
        subs = _grid("cyan", "")
        for s in d.subscores:
            subs.add_row(s["id"], Text(f"{s['label']} ({s['scoring']} of {', '.join(s['items'])})"))
        c.print(_indent(subs))

    if d.cutoffs:
        c.print(_heading("Cut-offs"))
        for scheme in d.cutoffs:
            verify = " [verify]" if scheme.verify else ""
            c.print(Text.assemble("  ", (scheme.name, "bold"), f" — {scheme.population}{verify}"))
            bands = _grid("", "")
            for band in scheme.bands:
                label = Text(band.label, style="red" if band.flag else "")
                if band.flag:
                    label.append(" ⚑")
                bands.add_row(Text(band.criterion), label)
            c.print(Padding(bands, (0, 0, 0, 4)))
            c.print(Padding(Text(scheme.source, style="dim"), (0, 0, 0, 4)))
            if scheme.note:
                c.print(Padding(Text(scheme.note, style="dim"), (0, 0, 0, 4)))

    if d.age_norms:
        c.print(_heading("Age norms"))
        norms = _grid("", "", "dim")
        unit_text = "" if d.unit == "points" else f" {d.unit}"
        for n in d.age_norms:
            group = f"age {n.age_years}" + (f", {n.sex}" if n.sex else "")
            verify = " [verify]" if n.verify else ""
            norms.add_row(
                Text(group), Text(f"{n.statistic} {n.value:g}{unit_text}"), Text(n.source + verify)
            )
        c.print(_indent(norms))

    c.print(_heading("Change thresholds (MCID / MDC)"))
    if not d.thresholds:
        c.print("  none encoded", highlight=False)
    for t in d.thresholds:
        verify = " [verify]" if t.verify else ""
        c.print(Text.assemble("  ", (t.description, "bold"), f" — {t.population}{verify}"))
        c.print(
            Padding(Text(t.source + (f"; {t.note}" if t.note else ""), style="dim"), (0, 0, 0, 4))
        )

    if d.notes:
        c.print(_heading("Notes"))
        for note in d.notes:
            c.print(f"  • {note}", highlight=False, markup=False)


@measure_app.command("score")
def score(
    measure_id: MeasureArg,
    item: Annotated[
        list[str] | None,
        typer.Option(
            "--item",
            metavar="KEY=VALUE",
            help="An item value, e.g. 1=4 (repeatable; or 1=4,2=3,...). Leave an item out when "
            "it is missing.",
        ),
    ] = None,
    value: Annotated[
        float | None,
        typer.Option("--value", help="The value of a one-item measure (tug, ftsts, nprs, ...)."),
    ] = None,
    age_years: Annotated[
        float | None, typer.Option("--age-years", help="Age, for age norms.")
    ] = None,
    sex: Annotated[
        str | None, typer.Option("--sex", metavar="f|m", help="Sex, for sex-specific norms.")
    ] = None,
    population: Annotated[
        str | None,
        typer.Option(
            "--population",
            help="Only cut-offs and thresholds for this population, e.g. older_adults, stroke.",
        ),
    ] = None,
    max_missing: Annotated[
        int | None,
        typer.Option("--max-missing", help="Missing items allowed (odi and ndi only)."),
    ] = None,
    patient: Annotated[
        str | None,
        typer.Option(
            "--patient",
            metavar="CODE",
            help="Store the score in this patient's record (e.g. P-0001).",
        ),
    ] = None,
    scored_on: Annotated[
        str | None,
        typer.Option("--date", metavar="YYYY-MM-DD", help="Day it was taken (with --patient)."),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url", metavar="URL", help="Database (with --patient; see 'patient add')."
        ),
    ] = None,
    actor: Annotated[
        str | None,
        typer.Option("--actor", metavar="NAME", help="Who scored it (REEDUCATE_ACTOR)."),
    ] = None,
    output_format: FormatOpt = TextFormat.text,
) -> int:
    """Score a measure from its item values: total, subscores, interpretation and flags."""
    from reeducate.services.library import score_measure

    pairs = parse_key_values(item or [], option="--item", example="1=4")
    items = {key: parse_number(text, field_name=f"--item {key}") for key, text in pairs.items()}
    report = score_measure(
        measure_id,
        items,
        value=value,
        age_years=age_years,
        sex=sex,
        population=population,
        max_missing=max_missing,
    )
    stored_id = None
    if patient is not None:
        from reeducate.cli.care import store_measure_score

        stored_id = store_measure_score(
            report, patient=patient, scored_on=scored_on, database_url=database_url, actor=actor
        )
    if output_format is TextFormat.json:
        document = report.to_dict()
        if stored_id is not None:
            document["stored"] = {"id": stored_id, "patient_code": patient}
        _emit_json(document)
    else:
        _print_score(report)
        if stored_id is not None:
            out_console.print(f"\nStored as {stored_id} for {patient}.", highlight=False)
    return ExitCode.OK


def _print_score(r: ScoreReport) -> None:
    from reeducate.services.library import format_number

    c = out_console
    unit = "points" if r.unit == "points" else r.unit
    c.print(Text.assemble((r.name, "bold"), "  ", (r.measure, "cyan")))
    summary = Table.grid(padding=(0, 1))
    summary.add_column(no_wrap=True, style="bold")
    summary.add_column(overflow="fold")
    summary.add_row(
        "Total",
        Text.assemble(
            (f"{format_number(r.total)} {unit}", "bold yellow" if r.flags else "bold green"),
            (f"  (range {r.total_range}, {r.better} is better)", "dim"),
        ),
    )
    for sub in r.subscores:
        summary.add_row("", Text(f"{sub['label']}: {format_number(sub['value'])}"))
    summary.add_row("Items", Text("  ".join(f"{k}={format_number(v)}" for k, v in r.items.items())))
    summary.add_row("Missing", Text(r.missing_handling))
    c.print(summary)
    if r.flags:
        c.print(_heading("Flags"))
        c.print(_marked([(True, Text(flag, style="red")) for flag in r.flags]))
    if r.interpretation:
        c.print(_heading("Interpretation"))
        rows = []
        for i in r.interpretation:
            verify = " [verify]" if i["verify"] else ""
            rows.append(
                (
                    bool(i["flag"]),
                    Text.assemble(
                        (i["scheme"], "bold"),
                        f" ({i['population']}): {i['label']}\n",
                        (f"{i['criterion']} · {i['source']}{verify}", "dim"),
                    ),
                )
            )
        c.print(_marked(rows, bullet="•"))
    if r.notes:
        c.print(_heading("Notes"))
        c.print(_marked([(False, Text(note)) for note in r.notes], bullet="•"))


def _marked(rows: list[tuple[bool, Text]], *, bullet: str = "") -> Padding:
    """Rows with a red flag mark (or a bullet) in a column of their own, wrapped beside it."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, width=1)
    grid.add_column(overflow="fold")
    for flagged, text in rows:
        grid.add_row(Text("⚑", style="red") if flagged else Text(bullet), text)
    return Padding(grid, (0, 0, 0, 2))
