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
) -> int:
    """Serve the clinic application: pages at /, the JSON API at /api/v1."""
    import logging

    import uvicorn

    from reeducate.api import create_app, load_settings

    settings = load_settings(database_url=database_url)
    app = create_app(settings)  # refuses to start without the web assets, naming the fix
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
