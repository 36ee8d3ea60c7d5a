"""Console objects and small helpers shared by the commands."""

from __future__ import annotations

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

#: Messages, warnings and progress go to stderr; results go to stdout.
err_console = Console(stderr=True)
out_console = Console()


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
