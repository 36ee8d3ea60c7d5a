"""Put the browser-facing site on an application: pages, error pages, our static files and the
vendor files from npm packages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from reeducate.web.admin import router as admin_router
from reeducate.web.assets import STATIC_DIR
from reeducate.web.auth import install_auth
from reeducate.web.deps import app_context
from reeducate.web.errors import install_page_errors
from reeducate.web.pages import router as pages_router
from reeducate.web.patient import router as patient_router
from reeducate.web.patient_sign_in import router as patient_sign_in_router
from reeducate.web.report import router as report_router
from reeducate.web.templating import build_templates
from reeducate.web.therapist import router as therapist_router
from reeducate.web.therapist_forms import router as therapist_forms_router

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["install_site"]

#: Vendor files carry their version in the address, so browsers may keep them for a year.
VENDOR_CACHE_CONTROL = "public, max-age=31536000, immutable"

vendor_router = APIRouter(include_in_schema=False)


@vendor_router.get("/vendor/{spec:path}")
def vendor_file(request: Request, spec: str) -> FileResponse:
    """A file of an allowed npm package at its installed version (404 for anything else).

    The address is ``/vendor/<package>@<version>/<path>``; a scoped package name holds one
    ``/`` (``@picocss/pico``).
    """
    assets = app_context(request).assets
    head, _, rest = spec.partition("/")
    if head.startswith("@"):
        second, _, rest = rest.partition("/")
        head = f"{head}/{second}"
    found = assets.resolve(head, rest)
    if found is None:
        raise HTTPException(status_code=404)
    file, media_type = found
    return FileResponse(
        file, media_type=media_type, headers={"Cache-Control": VENDOR_CACHE_CONTROL}
    )


def install_site(app: FastAPI, /) -> None:
    """Add the pages, their error pages and the asset routes to ``app``.

    ``app.state.context`` (an :class:`~reeducate.web.deps.AppContext`) must be set.
    """
    context = app.state.context
    app.state.templates = build_templates(context.assets)
    install_page_errors(app)
    install_auth(app)  # first: CSRF checks every route included after it
    app.include_router(admin_router)
    app.include_router(pages_router)
    app.include_router(therapist_router)
    app.include_router(patient_router)
    app.include_router(therapist_forms_router)
    app.include_router(patient_sign_in_router)
    app.include_router(report_router)
    app.include_router(vendor_router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
