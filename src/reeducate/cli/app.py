"""The ``reeducate`` command line: thin commands over :mod:`reeducate.services`.

Errors are translated once, here: one line on stderr and an :class:`ExitCode`; never a
traceback for a user error (set ``REEDUCATE_DEBUG=1`` to see one for a bug).
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Sequence
from typing import NoReturn

import typer

from reeducate import __version__
from reeducate.cli.admin import admin_app, clinic_app, user_app
from reeducate.cli.balance import balance_app
from reeducate.cli.care import (
    episode_app,
    goal_app,
    patient_app,
    plan_app,
    progress_app,
    session_app,
)
from reeducate.cli.common import err_console
from reeducate.cli.demo import demo_command
from reeducate.cli.emg import emg_app
from reeducate.cli.exercises import exercises_app
from reeducate.cli.exit_codes import ExitCode, exit_code_for
from reeducate.cli.measures import measure_app
from reeducate.cli.movement import movement_app
from reeducate.cli.nmes import nmes_app
from reeducate.cli.serve import serve_command
from reeducate.errors import ReeducateError, SignalQualityWarning

app = typer.Typer(
    name="reeducate",
    help="Neuromuscular re-education, measured: validated posturography and more.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.add_typer(balance_app, name="balance")
app.command(name="demo")(demo_command)
app.add_typer(exercises_app, name="exercises")
app.add_typer(measure_app, name="measure")
app.add_typer(movement_app, name="movement")
app.add_typer(emg_app, name="emg")
app.add_typer(nmes_app, name="nmes")
app.add_typer(patient_app, name="patient")
app.add_typer(episode_app, name="episode")
app.add_typer(goal_app, name="goal")
app.add_typer(plan_app, name="plan")
app.add_typer(session_app, name="session")
app.add_typer(progress_app, name="progress")
app.command(name="serve")(serve_command)
app.add_typer(admin_app, name="admin")
app.add_typer(user_app, name="user")
app.add_typer(clinic_app, name="clinic")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"reeducate {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Neuromuscular re-education, measured."""


def _show_warning(message, category, filename, lineno, file=None, line=None):  # type: ignore[no-untyped-def]
    prefix = "warning" if issubclass(category, SignalQualityWarning) else category.__name__
    err_console.print(f"[yellow]{prefix}:[/yellow] {message}", highlight=False, soft_wrap=True)


def main(argv: Sequence[str] | None = None) -> NoReturn:
    """Entry point of the ``reeducate`` script."""
    warnings.showwarning = _show_warning
    try:
        result = app(args=list(argv) if argv is not None else None, standalone_mode=False)
        code = int(result) if isinstance(result, int) else ExitCode.OK
    except ReeducateError as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        code = exit_code_for(exc)
    except KeyboardInterrupt:
        err_console.print("interrupted", highlight=False)
        code = ExitCode.INTERRUPTED
    except Exception as exc:
        code = _framework_exit(exc)
    sys.stdout.flush()
    sys.exit(int(code))


def _framework_exit(exc: Exception) -> int:
    """Exit code for an exception from the command-line framework, or for a bug.

    Typer ships its own copy of Click, so its exceptions are recognised by shape (an
    ``exit_code`` and, for usage errors, ``format_message``), not by class.
    """
    name = type(exc).__name__
    if name == "Exit" and hasattr(exc, "exit_code"):
        return int(exc.exit_code)
    if name == "Abort":
        err_console.print("interrupted", highlight=False)
        return ExitCode.INTERRUPTED
    if hasattr(exc, "format_message") and hasattr(exc, "exit_code"):
        ctx = getattr(exc, "ctx", None)
        hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
        err_console.print(
            f"[red]error:[/red] {exc.format_message()}{hint}", highlight=False, soft_wrap=True
        )
        return int(exc.exit_code)
    if os.environ.get("REEDUCATE_DEBUG"):
        raise exc
    err_console.print(
        f"[red]internal error:[/red] {type(exc).__name__}: {exc} "
        "(this is a bug; rerun with REEDUCATE_DEBUG=1 and report the traceback)",
        highlight=False,
        soft_wrap=True,
    )
    return ExitCode.INTERNAL_ERROR
