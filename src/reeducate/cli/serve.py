"""``reeducate serve``: run the web application (pages and JSON API) with uvicorn.

The settings come from ``REEDUCATE_*`` environment variables (:mod:`reeducate.web.settings`);
the options here override them. The database is created and migrated on first start.

With ``--workers N`` (N > 1), uvicorn runs N processes on one port, each building the
application from the environment (:func:`worker_app`): the options are handed to them as
``REEDUCATE_*`` variables, with one secret key for all (a session signed by one worker is
valid in the others), and the database is migrated once, here, before they start.
"""

from __future__ import annotations

import os
from typing import Annotated, Any

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
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            max=64,
            help="Processes serving requests on the port (about one per CPU core).",
        ),
    ] = 1,
) -> int:
    """Serve the clinic application: pages at /, the JSON API at /api/v1."""
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
        if workers > 1:
            _hand_to_workers(settings)
            return _run(f"{__name__}:worker_app", host=host, port=port, workers=workers)
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


def _hand_to_workers(settings: Any) -> None:
    """Put the settings where the worker processes read them (their environment), and migrate
    the database once, before they start."""
    from reeducate.services.care import open_store

    os.environ["REEDUCATE_DATABASE_URL"] = settings.resolved_database_url()
    os.environ["REEDUCATE_SECRET_KEY"] = settings.secret_key.get_secret_value()
    os.environ["REEDUCATE_DEMO"] = "true" if settings.demo else "false"
    os.environ["REEDUCATE_GC_FREEZE"] = "true" if settings.gc_freeze else "false"
    open_store(settings.resolved_database_url(), actor="serve").close()


def worker_app() -> Any:
    """The application of one worker process (``--workers``), from its environment."""
    from reeducate.api import create_app, load_settings

    _log_to_stderr()
    return create_app(load_settings())


def _log_to_stderr() -> None:
    """reeducate's own log (requests, warm-up) on stderr, at INFO."""
    import logging

    logger = logging.getLogger("reeducate")
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)s:     %(name)s: %(message)s"))
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def _run(app: Any, *, host: str, port: int, workers: int = 1) -> int:
    """Log to stderr and serve ``app`` (an application, or the import string of a factory
    for ``workers`` > 1) until Ctrl-C."""
    import uvicorn

    _log_to_stderr()
    if host not in _LOOPBACK:
        err_console.print(
            f"note: listening on {host}: put HTTPS in front of it (cookies are sent over "
            "HTTPS only unless REEDUCATE_COOKIE_SECURE=false)",
            highlight=False,
            soft_wrap=True,
        )
    processes = f", {workers} worker processes" if workers > 1 else ""
    err_console.print(
        f"reeducate: http://{host}:{port}/{processes} (Ctrl-C stops)", highlight=False
    )
    # uvicorn's own access log prints query strings, which may hold search words: reeducate
    # logs each request itself (method, path, status, duration).
    uvicorn.run(
        app,
        host=host,
        port=port,
        factory=workers > 1,
        workers=workers if workers > 1 else None,
        access_log=False,
        server_header=False,
        proxy_headers=False,
        log_level="info",
    )
    return ExitCode.OK
