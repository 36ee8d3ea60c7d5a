"""The application factory: the site and the JSON API on one ASGI application."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from reeducate import __version__
from reeducate.api.v1 import API_PREFIX, build_api
from reeducate.api.v1_care import router as care_router
from reeducate.api.v1_me import router as me_router
from reeducate.api.v1_patients import router as patients_router
from reeducate.web.assets import check_assets
from reeducate.web.deps import AppContext
from reeducate.web.errors import (
    ErrorGuardMiddleware,
    SecurityHeadersMiddleware,
    render_error_page,
)
from reeducate.web.settings import Settings
from reeducate.web.site import install_site

__all__ = ["STORE_ACTOR", "create_app"]


def _freeze_long_lived() -> None:
    """Collect, then move every object alive (modules, the exercise library, the cached patient
    lists) to the collector's permanent generation (:func:`gc.freeze`).

    Measured on the benchmark clinic (2,000 patients): a full collection of the server's
    200,000 long-lived objects took 90-150 ms, and these pauses were the chart's p99; after a
    freeze a full collection scans only what requests create. Frozen objects are still freed
    by reference counting; only cycles among them are kept, which is why this runs in the
    server (``reeducate serve``), not in every application a test creates.
    """
    gc.collect()
    gc.freeze()

#: Who the application's store writes as until a signed-in account is known (the audit trail).
STORE_ACTOR = "web"


def create_app(settings: Settings, /) -> FastAPI:
    """The reeducate web application: pages at ``/``, the JSON API at ``/api/v1``.

    Nothing is opened here but the asset check: the store (database) is opened, and migrated
    to the newest schema, when the application starts (its lifespan), and closed when it
    stops; at start a daemon thread fills the patient-list cache of every clinic
    (:func:`reeducate.web.therapist.start_list_warmup`), stopped before the store closes.
    Under a test client, use it as a context manager so the lifespan runs.

    Parameters
    ----------
    settings : Settings
        See :func:`reeducate.web.settings.load_settings` (``REEDUCATE_*`` variables).

    Raises
    ------
    reeducate.web.assets.WebAssetsMissingError
        The stylesheets and fonts are not installed (or not at their locked versions); the
        message names the missing file and ``scripts/web-assets.sh``.
    """
    assets = check_assets(settings.assets_dir)
    context = AppContext(settings=settings, assets=assets)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        from reeducate.services.care import open_store
        from reeducate.web.templating import compile_templates
        from reeducate.web.therapist import start_list_warmup

        context.store = open_store(settings.resolved_database_url(), actor=STORE_ACTOR)
        freeze = _freeze_long_lived if settings.gc_freeze else None
        if freeze is not None:
            freeze()
        # The patient lists computed ahead, in a daemon thread, while the first requests come.
        stop_warmup = start_list_warmup(
            context.store,
            after_pass=freeze,
            prepare=lambda: compile_templates(_app.state.templates),
        )
        try:
            yield
        finally:
            stop_warmup()
            if freeze is not None:
                gc.unfreeze()  # back in the collector's reach (an application in a test run)
            store, context.store = context.store, None
            store.close()

    app = FastAPI(
        title="reeducate",
        version=__version__,
        openapi_url=None,
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.context = context
    install_site(app)
    api = build_api(context)
    api.state.templates = app.state.templates  # the progress report's PDF renders the page
    api.include_router(patients_router)  # the therapist's patients (read-only)
    api.include_router(care_router)  # the therapist's write flows
    api.include_router(me_router)  # the patient's own record
    app.mount(API_PREFIX, api, name="api")
    app.add_middleware(ErrorGuardMiddleware, render=render_error_page, access_log=True)
    app.add_middleware(SecurityHeadersMiddleware)
    return app
