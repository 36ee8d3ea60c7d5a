"""The web application and its versioned JSON API.

:func:`create_app` builds the ASGI application from :class:`Settings` (read from ``REEDUCATE_*``
environment variables by :func:`load_settings`): the server-rendered site of
:mod:`reeducate.web` at ``/`` and the JSON API at ``/api/v1`` (OpenAPI document at
``/api/v1/openapi.json``; errors as RFC 9457 problem+json). ``reeducate serve`` runs it with
uvicorn.

Importing this package does nothing: the names below are loaded on first use.

Modules
-------
app
    :func:`create_app`.
v1
    The ``/api/v1`` routes: health, exercise library, outcome measures, problem types.
problems
    problem+json responses and the exception handlers that produce them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reeducate.api.app import create_app
    from reeducate.web.settings import Settings, load_settings

__all__ = ["Settings", "create_app", "load_settings"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from reeducate.api.app import create_app

        return create_app
    if name in ("Settings", "load_settings"):
        from reeducate.web import settings

        return getattr(settings, name)
    raise AttributeError(f"module 'reeducate.api' has no attribute {name!r}")
