"""Sign-in and sign-out pages, the session cookie, and where each role lands.

The session cookie
    ``__Host-reeducate_session`` (``reeducate_session`` when ``cookie_secure`` is off, for
    plain-HTTP development and tests) holds the random token :func:`~reeducate.services.
    accounts.login` returns; the server keeps only its digest and looks the session up on every
    request (idle and absolute expiry, disabled accounts: :func:`reeducate.web.deps.
    current_user`). Flags: ``HttpOnly`` (no script reads it), ``Secure`` (per
    ``settings.cookie_secure``, default on), ``Path=/``, ``Max-Age`` the session's whole
    lifetime, and ``SameSite=Lax``: ``Strict`` would drop the cookie on every link followed from
    elsewhere (an e-mail, the clinic's intranet), so a therapist would land signed out; ``Lax``
    keeps it off cross-site POSTs and sub-requests, and every state-changing request needs the
    CSRF token anyway (:mod:`reeducate.web.csrf`).
Sign-in
    Throttled by :func:`~reeducate.services.accounts.login`: after too many failures the page
    answers 429 with ``Retry-After`` and says how long to wait. Any failure says the same
    ("login or password is incorrect"); the password is never logged, echoed or kept.
After sign-in
    Administrators land on ``/admin``, therapists on ``/patients``, patients on ``/me``; a
    ``next`` address (a path of this site) given by the sign-in redirect wins.
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING, Annotated, Final
from urllib.parse import quote, urlsplit

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reeducate.services.accounts import (
    PASSWORD_MAX_LENGTH,
    AuthenticationError,
    LoginResult,
    LoginThrottledError,
    login,
    logout,
)
from reeducate.store.models import Role
from reeducate.web.deps import (
    CurrentUser,
    SignInRequiredError,
    StoreDep,
    app_context,
    csrf_token,
    get_security,
    session_cookie_name,
)
from reeducate.web.pages import render

if TYPE_CHECKING:
    from fastapi import FastAPI

    from reeducate.store.repositories import UserAccount
    from reeducate.web.settings import Settings

__all__ = [
    "LANDING",
    "clear_session_cookie",
    "install_auth",
    "landing_for",
    "router",
    "safe_next",
    "set_session_cookie",
]

logger = logging.getLogger("reeducate.web")

#: Where each role lands after signing in.
LANDING: Final = {
    Role.ADMINISTRATOR: "/admin",
    Role.THERAPIST: "/patients",
    Role.PATIENT: "/me",
}

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)

LoginField = Annotated[str, Form(max_length=256)]
PasswordField = Annotated[str, Form(max_length=PASSWORD_MAX_LENGTH)]
NextField = Annotated[str, Form(max_length=500)]


def landing_for(user: UserAccount | None, /) -> str:
    """The page ``user`` starts from (the home page for nobody)."""
    return "/" if user is None else LANDING[Role(user.role)]


def safe_next(value: str | None, /) -> str | None:
    """``value`` if it is a path of this site (``/...``, not ``//host`` or a URL), else None.

    Examples
    --------
    >>> safe_next("/patients?q=1"), safe_next("//evil.example/"), safe_next("https://x/")
    ('/patients?q=1', None, None)
    """
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return None
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or any(ord(c) < 32 for c in value):
        return None
    return value


def set_session_cookie(
    response: Response, result: LoginResult, *, settings: Settings, max_age_s: int
) -> None:
    """Give the browser the session cookie (flags: see the module text)."""
    response.set_cookie(
        session_cookie_name(settings),
        result.token,
        max_age=max_age_s,
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )


def clear_session_cookie(response: Response, *, settings: Settings) -> None:
    """Tell the browser to drop the session cookie."""
    response.delete_cookie(
        session_cookie_name(settings),
        path="/",
        secure=settings.cookie_secure,
        httponly=True,
        samesite="lax",
    )


def _wait_words(seconds: float) -> str:
    minutes = max(1, math.ceil(seconds / 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _signin_page(
    request: Request,
    *,
    status_code: int = 200,
    error: str | None = None,
    login_value: str = "",
    next_url: str | None = None,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    response = render(
        request,
        "auth/signin.html",
        {
            "user": None,
            "error": error,
            "login_value": login_value,
            "next_url": next_url or "",
            "demo": app_context(request).settings.demo,
        },
        status_code=status_code,
    )
    if headers:
        response.headers.update(headers)
    return response


@router.get("/signin", name="signin")
def signin_page(
    request: Request,
    user: CurrentUser,
    next: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """The sign-in form (a signed-in user goes straight to their page)."""
    if user is not None:
        return RedirectResponse(safe_next(next) or landing_for(user), status_code=303)
    return _signin_page(request, next_url=safe_next(next))


@router.post("/signin", name="signin_submit")
def signin_submit(
    request: Request,
    store: StoreDep,
    login_name: Annotated[str, Form(alias="login", max_length=256)],
    password: PasswordField,
    next: NextField = "",
) -> Response:
    """Check the password (throttled); on success open a session and go to the user's page."""
    context = app_context(request)
    security = get_security(request)
    address = request.client.host if request.client is not None else None
    shown_login = login_name.strip()[:64]
    try:
        result = login(
            store, login=login_name, password=password, client_address=address, settings=security
        )
    except LoginThrottledError as exc:
        logger.info("sign-in refused: locked")
        return _signin_page(
            request,
            status_code=429,
            error=(
                "Too many failed sign-in attempts. For your security, sign-in is paused: "
                f"please try again in {_wait_words(exc.retry_after_s)}."
            ),
            login_value=shown_login,
            next_url=safe_next(next),
            headers={"Retry-After": str(max(1, math.ceil(exc.retry_after_s)))},
        )
    except AuthenticationError:
        logger.info("sign-in refused: wrong credentials")
        return _signin_page(
            request,
            status_code=401,
            error="The login or password is incorrect.",
            login_value=shown_login,
            next_url=safe_next(next),
        )
    logger.info("sign-in: user %s", result.user.id)
    response = RedirectResponse(safe_next(next) or landing_for(result.user), status_code=303)
    set_session_cookie(
        response,
        result,
        settings=context.settings,
        max_age_s=round(security.session_lifetime_min * 60),
    )
    return response


@router.post("/signout", name="signout")
def signout(request: Request, store: StoreDep) -> Response:
    """End the session on the server and drop the cookie."""
    settings = app_context(request).settings
    logout(store, request.cookies.get(session_cookie_name(settings)))
    response = RedirectResponse("/", status_code=303)
    clear_session_cookie(response, settings=settings)
    return response


def install_auth(app: FastAPI, /) -> None:
    """Sessions, CSRF on every route included after this, the sign-in pages, and the redirect
    to the sign-in page for pages that need a user. Call before including other routers."""
    from reeducate.web.csrf import install_csrf

    settings: Settings = app.state.context.settings
    install_csrf(app, secure=settings.cookie_secure)
    env = app.state.templates.env
    env.globals["csrf_token"] = csrf_token
    env.globals["landing_for"] = landing_for

    async def on_sign_in_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequiredError)
        target = "/signin"
        if request.method.upper() == "GET":
            path = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            target += "?next=" + quote(path, safe="/")
        return RedirectResponse(target, status_code=303)

    app.add_exception_handler(SignInRequiredError, on_sign_in_required)
    app.include_router(router)
