"""Console objects and small helpers shared by the commands."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

#: Messages, warnings and progress go to stderr; results go to stdout.
err_console = Console(stderr=True)
out_console = Console()


class TextFormat(StrEnum):
    """``--format`` of a command that prints a record: text or JSON."""

    text = "text"
    json = "json"


#: ``--format text|json``, text by default where the command says so.
FormatOpt = Annotated[TextFormat, typer.Option("--format", help="Output format.")]


class TableFormat(StrEnum):
    """``--format`` of a command that prints a table: a Rich table or JSON."""

    table = "table"
    json = "json"


class TableCsvFormat(StrEnum):
    """``--format`` of a command that prints a table of metrics: a Rich table, CSV or JSON."""

    table = "table"
    csv = "csv"
    json = "json"


def progress_bar() -> Progress:
    """A progress bar on stderr for work on many files (hidden when stderr is not a terminal)."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
