"""``reeducate serve``: run the web application (pages and JSON API) with uvicorn.

The settings come from ``REEDUCATE_*`` environment variables (:mod:`reeducate.web.settings`);
the options here override them. The database is created and migrated on first start.
"""

from __future__ import annotations

from typing import Annotated

import typer

from reeducate.cli.common import err_console
from reeducate.cli.exit_codes import ExitCode

_LOOPBACK = ("127.0.0.1", "::1", "localhost")


def serve_command(
    host: Annotated[
        str,
        typer.Option("--host", help="Address to listen on (127.0.0.1: this machine only)."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            metavar="URL",
            help="Database URL (default: REEDUCATE_DATABASE_URL, else a SQLite file in the "
            "user's data directory).",
        ),
    ] = None,
    demo: Annotated[
        bool,
        typer.Option(
            "--demo",
            help="Run a demo clinic (fictional patients, real balance recordings) on a fresh "
            "temporary database (or an empty one given by --database-url); the demo accounts "
            "and their passwords are printed once.",
        ),
    ] = False,
) -> int:
    """Serve the clinic application: pages at /, the JSON API at /api/v1."""
    import os
    import tempfile
    from contextlib import ExitStack

    from reeducate.api import create_app, load_settings

    with ExitStack() as stack:
        if demo and database_url is None:
            folder = stack.enter_context(tempfile.TemporaryDirectory(prefix="reeducate-demo-"))
            database_url = f"sqlite:///{folder}/demo.sqlite3"
        settings = load_settings(
            database_url=database_url,
            demo=True if demo else None,
            # A long-running server: on unless REEDUCATE_GC_FREEZE says otherwise.
            gc_freeze=None if os.environ.get("REEDUCATE_GC_FREEZE", "").strip() else True,
        )
        app = create_app(settings)  # refuses to start without the web assets, naming the fix
        if demo:
            _seed_demo(settings.resolved_database_url())
        return _run(app, host=host, port=port)
    raise AssertionError("unreachable")  # pragma: no cover  (ExitStack re-raises)


def _seed_demo(url: str) -> None:
    """Seed the demo clinic and print its accounts once on stderr."""
    from datetime import UTC, datetime

    from reeducate.services.care import open_store
    from reeducate.services.demo_clinic import DEMO_CLINIC_NAME, seed_demo_clinic

    err_console.print("reeducate: building the demo clinic…", highlight=False)
    store = open_store(url, actor="demo")
    try:
        clinic = seed_demo_clinic(store, today=datetime.now(UTC).date())
    finally:
        store.close()
    err_console.print(
        f"demo clinic '{DEMO_CLINIC_NAME}': {len(clinic.patient_codes)} patients, "
        f"{clinic.sessions} sessions, {clinic.trials} balance trials. Demo accounts "
        "(public passwords: never put real patients in a demo):",
        highlight=False,
        soft_wrap=True,
    )
    for account in clinic.accounts:
        err_console.print(
            f"  {account.role:<13} {account.login:<12} {account.password}",
            highlight=False,
            soft_wrap=True,
        )


def _run(app: object, *, host: str, port: int) -> int:
    """Log to stderr and serve ``app`` until Ctrl-C."""
    import logging

    import uvicorn

    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
    logger = logging.getLogger("reeducate")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    if host not in _LOOPBACK:
        err_console.print(
            f"note: listening on {host}: put HTTPS in front of it (cookies are sent over "
            "HTTPS only unless REEDUCATE_COOKIE_SECURE=false)",
            highlight=False,
            soft_wrap=True,
        )
    err_console.print(f"reeducate: http://{host}:{port}/ (Ctrl-C stops)", highlight=False)
    # uvicorn's own access log prints query strings, which may hold search words: reeducate
    # logs each request itself (method, path, status, duration).
    uvicorn.run(
        app,
        host=host,
        port=port,
        access_log=False,
        server_header=False,
        proxy_headers=False,
        log_level="info",
    )
    return ExitCode.OK
