"""Request dependencies shared by the pages and the JSON API.

The application factory (:func:`reeducate.api.create_app`) keeps one :class:`AppContext` on
``app.state.context``; route functions reach it only through these dependencies, so a test can
replace any of them with ``app.dependency_overrides``.

``current_user`` is the seam for accounts: it answers None (nobody signed in) until the
accounts step fills it from the session cookie. Routes that need a user are not built yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, Request

from reeducate.web.assets import InstalledAssets
from reeducate.web.settings import Settings

if TYPE_CHECKING:
    from reeducate.services.care import CareStore

__all__ = [
    "AppContext",
    "CurrentUser",
    "StoreDep",
    "app_context",
    "current_user",
    "get_settings",
    "get_store",
]


@dataclass(slots=True, kw_only=True)
class AppContext:
    """What one application instance holds: its settings, assets and (once started) store.

    ``store`` is opened when the application starts (its lifespan) and closed when it stops;
    it is None in between.
    """

    settings: Settings
    assets: InstalledAssets
    store: CareStore | None = field(default=None, repr=False)


def app_context(request: Request) -> AppContext:
    """The :class:`AppContext` of the application serving ``request``."""
    context: AppContext = request.app.state.context
    return context


def get_settings(request: Request) -> Settings:
    """The application's settings."""
    return app_context(request).settings


def get_store(request: Request) -> CareStore:
    """The open store (one per application; each use case runs its own transaction)."""
    store = app_context(request).store
    if store is None:
        raise RuntimeError("the store is opened when the application starts (its lifespan)")
    return store


def current_user(request: Request) -> Any | None:
    """The signed-in account, or None.

    SEAM for the accounts step: read the session cookie here (signed with
    ``settings.secret_key``, valid for ``settings.session_lifetime_s``), load the account
    through ``services/accounts.py`` and return it. Pages already receive the result as
    ``user``; the layout shows "Sign in" while it is None.
    """
    return None


CurrentUser = Annotated[Any | None, Depends(current_user)]
StoreDep = Annotated["CareStore", Depends(get_store)]
