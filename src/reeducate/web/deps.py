"""Request dependencies shared by the pages and the JSON API.

The application factory (:func:`reeducate.api.create_app`) keeps one :class:`AppContext` on
``app.state.context``; route functions reach it only through these dependencies, so a test can
replace any of them with ``app.dependency_overrides``.

Who is signed in
    :func:`current_user` reads the session cookie (:data:`SESSION_COOKIE`), looks the session
    up on the server (:func:`reeducate.services.accounts.authenticate`: idle and absolute
    expiry, disabled accounts) once per request, and answers the :class:`UserAccount` or None.
    :func:`require_user` refuses an anonymous request with :class:`SignInRequiredError`: the
    pages answer it with a redirect to the sign-in page (``303``, ``?next=`` the page asked
    for), the API with a ``401`` problem. :func:`require_role` also refuses another role with
    :class:`~reeducate.services.access.PermissionDeniedError` (403 everywhere).
CSRF
    Every state-changing request (POST, PUT, PATCH, DELETE) carries a synchronizer token, in
    the form field ``csrf_token`` or the header ``X-CSRF-Token``; :func:`csrf_token` gives the
    token a template puts in its forms (``{{ csrf_token(request) }}``), and
    :func:`verify_csrf_form` checks it (see :mod:`reeducate.web.csrf`). The application checks
    it on every route already (a dependency of the whole application); a route may name
    :func:`verify_csrf_form` too, to say so.

Examples
--------
A page for therapists and the handler of its form::

    @router.get("/patients")
    def patients(request: Request, user: TherapistUser) -> HTMLResponse: ...

    @router.post("/patients", dependencies=[Depends(verify_csrf_form)])
    def add(request: Request, user: Annotated[UserAccount, Depends(require_role("therapist"))],
            name: Annotated[str, Form()]) -> RedirectResponse: ...
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Final, cast

from fastapi import Depends, Request

from reeducate.errors import ReeducateError
from reeducate.services.accounts import SecuritySettings
from reeducate.store.models import Role
from reeducate.store.repositories import UserAccount
from reeducate.web.assets import InstalledAssets
from reeducate.web.settings import Settings

if TYPE_CHECKING:
    from reeducate.services.accounts import CurrentSession
    from reeducate.services.care import CareStore

__all__ = [
    "CSRF_FIELD",
    "CSRF_HEADER",
    "SESSION_COOKIE",
    "AdminUser",
    "AppContext",
    "CurrentUser",
    "PatientUser",
    "SignInRequiredError",
    "SignedInUser",
    "StoreDep",
    "TherapistUser",
    "app_context",
    "csrf_token",
    "current_session",
    "current_user",
    "get_security",
    "get_settings",
    "get_store",
    "require_role",
    "require_user",
    "session_cookie_name",
    "verify_csrf_form",
]

#: Name of the session cookie when it is not ``Secure`` (development, tests).
SESSION_COOKIE: Final = "reeducate_session"
#: The form field and the header that carry the CSRF token.
CSRF_FIELD: Final = "csrf_token"
CSRF_HEADER: Final = "X-CSRF-Token"


class SignInRequiredError(ReeducateError, PermissionError):
    """Nobody is signed in (or the session has expired): pages redirect to the sign-in page,
    the API answers 401."""


@dataclass(slots=True, kw_only=True)
class AppContext:
    """What one application instance holds: its settings, assets and (once started) store.

    ``store`` is opened when the application starts (its lifespan) and closed when it stops;
    it is None in between. ``security`` holds the password-hashing, throttling and session
    parameters (None: the defaults, with the session lifetime of ``settings``); tests put
    cheap hashing parameters there.
    """

    settings: Settings
    assets: InstalledAssets
    store: CareStore | None = field(default=None, repr=False)
    security: SecuritySettings | None = None


def app_context(request: Request) -> AppContext:
    """The :class:`AppContext` of the application serving ``request``."""
    context: AppContext = request.app.state.context
    return context


def get_settings(request: Request) -> Settings:
    """The application's settings."""
    return app_context(request).settings


def get_security(request: Request) -> SecuritySettings:
    """Password, throttling and session parameters of the application."""
    context = app_context(request)
    if context.security is not None:
        return context.security
    security = SecuritySettings(session_lifetime_min=context.settings.session_lifetime_s / 60)
    context.security = security
    return security


def get_store(request: Request) -> CareStore:
    """The open store (one per application; each use case runs its own transaction)."""
    store = app_context(request).store
    if store is None:
        raise RuntimeError("the store is opened when the application starts (its lifespan)")
    return store


def session_cookie_name(settings: Settings, /) -> str:
    """The session cookie's name: ``__Host-`` prefixed when the cookie is ``Secure`` (browsers
    then refuse it unless it is Secure, host-only and ``Path=/``)."""
    return f"__Host-{SESSION_COOKIE}" if settings.cookie_secure else SESSION_COOKIE


_UNSET: Final = object()


def current_session(request: Request) -> CurrentSession | None:
    """The request's valid session and its user, or None (looked up once per request)."""
    cached = getattr(request.state, "reeducate_session", _UNSET)
    if cached is not _UNSET:
        return cast("CurrentSession | None", cached)
    from reeducate.services.accounts import authenticate

    context = app_context(request)
    token = request.cookies.get(session_cookie_name(context.settings))
    found = None
    if token and context.store is not None:
        found = authenticate(context.store, token, settings=get_security(request))
    request.state.reeducate_session = found
    return found


def current_user(request: Request) -> UserAccount | None:
    """The signed-in account, or None (nobody, an expired session, a disabled account)."""
    found = current_session(request)
    return None if found is None else found.user


def require_user(request: Request) -> UserAccount:
    """The signed-in account; :class:`SignInRequiredError` when there is none."""
    user = current_user(request)
    if user is None:
        raise SignInRequiredError("this resource requires signing in; got no valid session")
    return user


def require_role(*roles: Role | str) -> Callable[[Request], UserAccount]:
    """A dependency: the signed-in account, which must have one of ``roles``.

    Anonymous: :class:`SignInRequiredError`; another role:
    :class:`~reeducate.services.access.PermissionDeniedError` (403).
    """
    wanted = frozenset(Role(role) for role in roles)
    if not wanted:
        raise ValueError("require_role needs at least one role")
    names = ", ".join(sorted(wanted))

    def dependency(request: Request) -> UserAccount:
        from reeducate.services.access import PermissionDeniedError

        user = require_user(request)
        if user.role not in wanted:
            raise PermissionDeniedError(
                f"this resource is for the roles: {names}; got {user.role} {user.id}"
            )
        return user

    dependency.__name__ = f"require_role_{'_'.join(sorted(wanted))}"
    return dependency


def csrf_token(request: Request) -> str:
    """The CSRF token to put in a form (field ``csrf_token``) or the ``X-CSRF-Token`` header.

    Signed in: the session's synchronizer token. Anonymous (the sign-in form): a token bound
    to a pre-session cookie (see :mod:`reeducate.web.csrf`).
    """
    from reeducate.web.csrf import token_for

    return token_for(request)


async def verify_csrf_form(request: Request) -> None:
    """Refuse (403) a state-changing request without the right CSRF token; safe methods pass."""
    from reeducate.web.csrf import verify_request

    await verify_request(request)


CurrentUser = Annotated[UserAccount | None, Depends(current_user)]
SignedInUser = Annotated[UserAccount, Depends(require_user)]
AdminUser = Annotated[UserAccount, Depends(require_role(Role.ADMINISTRATOR))]
TherapistUser = Annotated[UserAccount, Depends(require_role(Role.THERAPIST))]
PatientUser = Annotated[UserAccount, Depends(require_role(Role.PATIENT))]
StoreDep = Annotated["CareStore", Depends(get_store)]
