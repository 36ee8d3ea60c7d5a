"""``reeducate admin init``, ``reeducate user add|list|disable``, ``reeducate clinic add|list``.

Accounts and clinics from the server's shell. Passwords are never taken from an argument (it
would show in ``ps`` and the shell's history): they are typed at a hidden prompt, or read from
``--password-file FILE`` (``-``: the first line of standard input).

``admin init`` creates the first administrator of an installation; the other commands act as an
administrator named by ``--as LOGIN`` (default: the installation's only active administrator),
so that the audit trail names who did it.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reeducate.cli.care import DatabaseOpt, _store
from reeducate.cli.common import err_console, out_console
from reeducate.cli.exit_codes import ExitCode
from reeducate.errors import InvalidParameterError, NotFoundError

if TYPE_CHECKING:
    from reeducate.services.care import CareStore
    from reeducate.store.repositories import UserAccount

__all__ = ["admin_app", "clinic_app", "user_app"]

admin_app = typer.Typer(help="Set up the installation's first administrator.", no_args_is_help=True)
user_app = typer.Typer(help="User accounts: add, list, disable.", no_args_is_help=True)
clinic_app = typer.Typer(help="Clinics: add, list.", no_args_is_help=True)

PasswordFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--password-file",
        metavar="FILE",
        help="Read the password from the first line of FILE ('-': standard input) instead of "
        "a hidden prompt.",
        allow_dash=True,
    ),
]
AsOpt = Annotated[
    str | None,
    typer.Option(
        "--as",
        metavar="LOGIN",
        help="The administrator acting (default: the only active administrator).",
    ),
]


def _read_password(password_file: Path | None) -> str:
    if password_file is None:
        if not sys.stdin.isatty():
            raise InvalidParameterError(
                "password must be typed at a prompt or given with --password-file; got no "
                "terminal (use --password-file - to read standard input)"
            )
        first = typer.prompt("Password", hide_input=True)
        again = typer.prompt("Repeat the password", hide_input=True)
        if first != again:
            raise InvalidParameterError("password must be typed twice the same; got two different")
        return str(first)
    if str(password_file) == "-":
        text = sys.stdin.readline()
    else:
        try:
            text = password_file.read_text(encoding="utf-8").splitlines()[0]
        except FileNotFoundError:
            raise NotFoundError(f"--password-file must exist; got {password_file}") from None
        except IndexError:
            text = ""
    return text.rstrip("\r\n")


def _acting_admin(store: CareStore, login: str | None) -> UserAccount:
    from reeducate.store.engine import transaction
    from reeducate.store.models import Role
    from reeducate.store.repositories import Repositories

    with transaction(store.factory) as session:
        repos = Repositories(session, actor="cli", clock=store.clock)
        if login is not None:
            user = repos.users.by_login(login.strip().lower())
            if user is None or user.role is not Role.ADMINISTRATOR or not user.active:
                raise InvalidParameterError(
                    "--as must be the login of an active administrator; got another"
                )
            return user
        admins = [u for u in repos.users.all() if u.role is Role.ADMINISTRATOR and u.active]
    if len(admins) != 1:
        raise InvalidParameterError(
            "--as LOGIN is required: the installation has "
            f"{len(admins)} active administrators (run 'reeducate admin init' first if none)"
        )
    return admins[0]


@admin_app.command("init")
def admin_init(
    login: Annotated[str, typer.Option("--login", help="The administrator's login name.")],
    password_file: PasswordFileOpt = None,
    database_url: DatabaseOpt = None,
) -> int:
    """Create the installation's first administrator (refused once one exists)."""
    from reeducate.services.accounts import bootstrap_administrator

    password = _read_password(password_file)
    store = _store(database_url, "bootstrap")
    try:
        user = bootstrap_administrator(store, login=login, password=password)
    finally:
        store.close()
    out_console.print(f"{user.id} {user.login} administrator", highlight=False)
    return ExitCode.OK


@user_app.command("add")
def user_add(
    login: Annotated[str, typer.Option("--login", help="Login name of the new account.")],
    role: Annotated[
        str, typer.Option("--role", help="administrator or therapist (patients: their therapist)")
    ] = "therapist",
    clinic: Annotated[
        str | None, typer.Option("--clinic", metavar="CL-0001", help="The therapist's clinic.")
    ] = None,
    password_file: PasswordFileOpt = None,
    acting: AsOpt = None,
    database_url: DatabaseOpt = None,
) -> int:
    """Create an administrator or a therapist account; prints its id."""
    from reeducate.services.accounts import create_user

    password = _read_password(password_file)
    store = _store(database_url, None)
    try:
        by = _acting_admin(store, acting)
        user = create_user(store, by, login=login, password=password, role=role, clinic_id=clinic)
    finally:
        store.close()
    out_console.print(f"{user.id} {user.login} {user.role.value}", highlight=False)
    return ExitCode.OK


@user_app.command("list")
def user_list(
    clinic: Annotated[str | None, typer.Option("--clinic", help="Only this clinic's.")] = None,
    acting: AsOpt = None,
    database_url: DatabaseOpt = None,
) -> int:
    """List accounts: id, login, role, clinic, patient code, status."""
    from reeducate.services.accounts import list_users

    store = _store(database_url, None)
    try:
        users = list_users(store, _acting_admin(store, acting), clinic_id=clinic)
    finally:
        store.close()
    for user in users:
        status = "active" if user.active else "disabled"
        out_console.print(
            f"{user.id}\t{user.login}\t{user.role.value}\t{user.clinic_id or '-'}\t"
            f"{user.patient_code or '-'}\t{status}",
            highlight=False,
        )
    return ExitCode.OK


@user_app.command("disable")
def user_disable(
    user_id: Annotated[str, typer.Argument(metavar="U-0002", help="The account to disable.")],
    acting: AsOpt = None,
    database_url: DatabaseOpt = None,
) -> int:
    """Disable an account: it can no longer sign in, and its sessions end."""
    from reeducate.services.accounts import disable_user

    store = _store(database_url, None)
    try:
        user = disable_user(store, _acting_admin(store, acting), user_id)
    finally:
        store.close()
    out_console.print(f"{user.id} disabled", highlight=False)
    return ExitCode.OK


@clinic_app.command("add")
def clinic_add(
    name: Annotated[str, typer.Option("--name", help="The clinic's name.")],
    acting: AsOpt = None,
    database_url: DatabaseOpt = None,
) -> int:
    """Create a clinic; prints its id."""
    from reeducate.services.accounts import create_clinic

    store = _store(database_url, None)
    try:
        clinic = create_clinic(store, _acting_admin(store, acting), name=name)
    finally:
        store.close()
    out_console.print(clinic.id, highlight=False)
    return ExitCode.OK


@clinic_app.command("list")
def clinic_list(acting: AsOpt = None, database_url: DatabaseOpt = None) -> int:
    """List clinics: id and name."""
    from reeducate.services.accounts import list_clinics

    store = _store(database_url, None)
    try:
        clinics = list_clinics(store, _acting_admin(store, acting))
    finally:
        store.close()
    for clinic in clinics:
        out_console.print(f"{clinic.id}\t{clinic.name}", highlight=False)
    err_console.print(f"{len(clinics)} clinics", highlight=False)
    return ExitCode.OK
