"""``reeducate exercises ...``: search the exercise library and show one exercise in full.

The library and the services are imported inside the commands, so ``reeducate --help`` stays
instant.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated

import typer
from rich import box
from rich.console import Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from reeducate.cli.common import TableFormat, TextFormat, out_console
from reeducate.cli.exit_codes import ExitCode
from reeducate.cli.key_values import parse_key_values

if TYPE_CHECKING:
    from reeducate.services.library import (
        ExerciseDetail,
        ExerciseSearch,
        LibraryTerms,
        StepOption,
    )

exercises_app = typer.Typer(
    help="The exercise library: search by region, technique, level, equipment and "
    "contraindications; show an exercise with its dose and its harder and easier steps.",
    no_args_is_help=True,
)

_TERMS_HINT = "see 'reeducate exercises terms'"


def _split(values: list[str] | None) -> list[str] | None:
    """Repeated options, each also accepting a comma-separated list."""
    if values is None:
        return None
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


@exercises_app.command("search")
def search(
    region: Annotated[
        str | None, typer.Option("--region", help=f"Body region, e.g. knee ({_TERMS_HINT}).")
    ] = None,
    technique: Annotated[
        str | None,
        typer.Option("--technique", help=f"Technique, e.g. balance ({_TERMS_HINT})."),
    ] = None,
    level: Annotated[
        list[str] | None,
        typer.Option(
            "--level",
            metavar="DIM=LEVEL",
            help="Exact level on a difficulty dimension, e.g. surface=foam (repeatable).",
        ),
    ] = None,
    equipment: Annotated[
        list[str] | None,
        typer.Option(
            "--equipment",
            metavar="E",
            help="Equipment the patient has (repeatable): keep exercises that need nothing "
            "else. '--equipment none': exercises without equipment.",
        ),
    ] = None,
    contraindication: Annotated[
        list[str] | None,
        typer.Option(
            "--contraindication",
            metavar="CODE",
            help=f"The patient's contraindication codes (repeatable; {_TERMS_HINT}): matching "
            "exercises are left out.",
        ),
    ] = None,
    flag_contraindicated: Annotated[
        bool,
        typer.Option(
            "--flag-contraindicated",
            help="Keep contraindicated exercises and mark them instead of leaving them out.",
        ),
    ] = False,
    text: Annotated[
        str | None,
        typer.Option("--text", help="Words that must all appear (name, instructions, cues)."),
    ] = None,
    output_format: Annotated[
        TableFormat, typer.Option("--format", help="Output format.")
    ] = TableFormat.table,
) -> int:
    """Find exercises matching every filter given."""
    from reeducate.services.library import search_exercises

    levels = parse_key_values(level or [], option="--level", example="surface=foam")
    available = _split(equipment)
    if available is not None:
        available = [e for e in available if e != "none"]
    found = search_exercises(
        region=region,
        technique=technique,
        levels=levels,
        equipment=available,
        contraindications=_split(contraindication) or [],
        flag_contraindicated=flag_contraindicated,
        text=text,
    )
    if output_format is TableFormat.json:
        typer.echo(json.dumps(found.to_dict(), indent=2, ensure_ascii=False))
    else:
        _print_search(found)
    return ExitCode.OK


def _filters_text(found: ExerciseSearch) -> str:
    f = found.filters
    parts = [f"{key} {f[key]}" for key in ("region", "technique") if f[key]]
    parts += [f"{d}={lv}" for d, lv in f["levels"].items()]
    if f["equipment"] is not None:
        parts.append("equipment: " + (", ".join(f["equipment"]) or "none"))
    if f["contraindications"]:
        verb = "flagged" if f["flag_contraindicated"] else "excluded"
        parts.append(f"{verb}: {', '.join(f['contraindications'])}")
    if f["text"]:
        parts.append(f"text {f['text']!r}")
    return "; ".join(parts) if parts else "no filter"


def _print_search(found: ExerciseSearch) -> None:
    noun = "exercise" if found.count == 1 else "exercises"
    title = f"{found.count} {noun} ({_filters_text(found)})"
    if not found.exercises:
        out_console.print(
            f"No exercise matches: {_filters_text(found)}.", highlight=False, markup=False
        )
        return
    table = Table(
        title=Text(title, style="italic"),
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_lines=False,
    )
    table.add_column("id", no_wrap=True, style="cyan")
    table.add_column("exercise", overflow="fold", ratio=1)
    for hit in found.exercises:
        cell = Text(hit.name)
        cell.append(
            f"\n{hit.technique_label} · {', '.join(hit.regions)} · CPT {hit.cpt_code}",
            style="dim",
        )
        if hit.contraindicated_by:
            cell.append(f"\n⚠ contraindicated: {', '.join(hit.contraindicated_by)}", style="red")
        table.add_row(hit.id, cell)
    out_console.print(table)
    out_console.print("Full details: reeducate exercises show ID", style="dim", highlight=False)


@exercises_app.command("show")
def show(
    exercise_id: Annotated[str, typer.Argument(help="Exercise id, e.g. bal-sls-firm-eo.")],
    output_format: Annotated[
        TextFormat, typer.Option("--format", help="Output format.")
    ] = TextFormat.text,
) -> int:
    """Show an exercise in full, with its one-step-harder and -easier variants."""
    from reeducate.services.library import exercise_detail

    detail = exercise_detail(exercise_id)
    if output_format is TextFormat.json:
        typer.echo(json.dumps(detail.to_dict(), indent=2, ensure_ascii=False))
    else:
        _print_detail(detail)
    return ExitCode.OK


def _heading(text: str) -> Text:
    return Text(f"\n{text}", style="bold")


def _bullets(lines: tuple[str, ...] | list[str], *, numbered: bool = False) -> Padding:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(justify="right", no_wrap=True, style="dim")
    grid.add_column(overflow="fold")
    for n, line in enumerate(lines, start=1):
        grid.add_row(f"{n}." if numbered else "•", Text(line))
    return Padding(grid, (0, 0, 0, 2))


def _steps(options: tuple[StepOption, ...], arrow: str) -> Padding:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold")
    for step in options:
        grid.add_row(
            Text(f"{arrow} {step.dimension}", style="bold"),
            Text.assemble(
                f"{step.to_level} ({step.to_level_label})\n", (step.id, "cyan"), f"  {step.name}"
            ),
        )
    return Padding(grid, (0, 0, 0, 2))


def _print_detail(detail: ExerciseDetail) -> None:
    from reeducate.clinic.dimensions import DIMENSIONS, Dimension

    c = out_console
    c.print(Text.assemble((detail.name, "bold"), "  ", (detail.id, "cyan")))
    regions = ", ".join(detail.regions)
    c.print(
        f"{detail.technique_label} · {regions} · {detail.posture.replace('_', ' ')} · "
        f"family: {detail.family_name} ({detail.family})",
        style="dim",
        highlight=False,
        markup=False,
    )
    c.print(Text.assemble(("CPT   ", "bold"), f"{detail.cpt_code} ({detail.cpt_label})"))
    c.print(Text.assemble(("Dose  ", "bold"), detail.dose["text"]))
    c.print(_heading("Instructions"))
    c.print(_bullets(detail.instructions, numbered=True))
    for title, lines in (
        ("Cues", detail.cues),
        ("Common faults", detail.common_faults),
        ("Safety", detail.safety_notes),
    ):
        if lines:
            c.print(_heading(title))
            c.print(_bullets(lines))
    if detail.contraindications:
        c.print(_heading("Contraindications"))
        grid = Table.grid(padding=(0, 1))
        grid.add_column(no_wrap=True, style="red")
        grid.add_column(overflow="fold")
        for item in detail.contraindications:
            grid.add_row("•", Text.assemble((item["code"], "red"), f": {item['label']}"))
        c.print(Padding(grid, (0, 0, 0, 2)))
    c.print(_heading("Equipment"))
    c.print(
        "  " + (", ".join(e.replace("_", " ") for e in detail.equipment) or "none"),
        highlight=False,
        markup=False,
    )
    c.print(_heading("Measured by"))
    c.print(_bullets([m["description"] for m in detail.measurements]))
    if detail.nmes is not None:
        n = detail.nmes
        c.print(_heading("Stimulation (confirm with the treating clinician)"))
        c.print(
            f"  {n['mode']}, {n['frequency_hz']:g} Hz, {n['pulse_width_us']:g} µs, "
            f"on {n['on_s']:g} s / off {n['off_s']:g} s, ramps {n['ramp_up_s']:g} s up, "
            f"{n['ramp_down_s']:g} s down",
            highlight=False,
            markup=False,
        )
        c.print(_bullets(n["electrode_sites"]))
    c.print(_heading("Levels"))

    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(no_wrap=True)
    grid.add_column(overflow="fold", style="dim")
    easiest: list[str] = []
    for dim, lv in detail.levels.items():
        if DIMENSIONS[Dimension(dim)].levels[0].value == lv:
            easiest.append(dim)
        else:
            grid.add_row(dim, lv, Text(detail.level_labels[dim]))
    if grid.row_count:
        c.print(Padding(grid, (0, 0, 0, 2)))
    if easiest:
        c.print(Padding(Text(f"easiest level on {', '.join(easiest)}", style="dim"), (0, 0, 0, 2)))
    c.print(_heading("One step harder"))
    c.print(_steps(detail.harder, "↑") if detail.harder else Text("  none: top of this ladder"))
    c.print(_heading("One step easier"))
    c.print(_steps(detail.easier, "↓") if detail.easier else Text("  none: start of this ladder"))


@exercises_app.command("terms")
def terms(
    output_format: Annotated[
        TextFormat, typer.Option("--format", help="Output format.")
    ] = TextFormat.text,
) -> int:
    """List the regions, techniques, levels, equipment and contraindications to search by."""
    from reeducate.services.library import library_terms

    found = library_terms()
    if output_format is TextFormat.json:
        typer.echo(json.dumps(found.to_dict(), indent=2, ensure_ascii=False))
    else:
        _print_terms(found)
    return ExitCode.OK


def _print_terms(t: LibraryTerms) -> None:
    c = out_console
    c.print(Text("--region", style="bold"))
    c.print(Padding(Text("  ".join(t.regions)), (0, 0, 0, 2)))
    c.print(Text("--technique", style="bold"))
    c.print(Padding(_pairs(t.techniques), (0, 0, 0, 2)))
    c.print(Text("--level DIM=LEVEL (levels easiest first)", style="bold"))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="cyan")
    grid.add_column(overflow="fold")
    for dim, levels in t.dimensions.items():
        grid.add_row(dim, Text(" → ".join(levels)))
    c.print(Padding(grid, (0, 0, 0, 2)))
    c.print(Text("--equipment", style="bold"))
    c.print(Padding(Text("  ".join(t.equipment)), (0, 0, 0, 2)))
    c.print(Text("--contraindication", style="bold"))
    c.print(Padding(_pairs(t.contraindications), (0, 0, 0, 2)))


def _pairs(mapping: Mapping[str, str]) -> Group:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style="cyan")
    grid.add_column(overflow="fold")
    for key, label in mapping.items():
        grid.add_row(key, Text(label))
    return Group(grid)
