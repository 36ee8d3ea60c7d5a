"""Cross-site request forgery protection: a synchronizer token on every state-changing request.

Signed in
    The token is the session's own random secret (256 bits, made at sign-in and kept on the
    server with the session, :class:`reeducate.store.repositories.WebSession`); a new sign-in
    gives a new one, sign-out ends it.
Anonymous (the sign-in form)
    Sign-in must be protected too (a forged sign-in would put the victim in the attacker's
    account). Before a session exists the token is bound to a random pre-session cookie
    (:data:`PRESESSION_COOKIE`, ``HttpOnly``, ``SameSite=Strict``): the token is
    ``HMAC-SHA256(secret_key, "csrf-presession:" + cookie)``. A cross-site page can neither read
    the token nor make the browser send the Strict cookie.

Every POST, PUT, PATCH and DELETE, from the pages and from the API, must carry the token in the
header ``X-CSRF-Token`` or the form field ``csrf_token``; a missing or wrong token is refused
with :class:`CsrfError` (403) before the route runs, so nothing is written. Tokens are compared
in constant time. The check is a dependency of the whole application
(:func:`reeducate.web.deps.verify_csrf_form`, added by :func:`install_csrf`), so a new route
cannot forget it.

Why this and not only ``SameSite``: the session cookie is ``SameSite=Lax`` (a link from an
e-mail to a patient's chart must open signed in), which already keeps it off cross-site POSTs in
current browsers; the token is the defence that does not depend on the browser's cookie rules
(OWASP CSRF Prevention Cheat Sheet: synchronizer token pattern, defence in depth).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import TYPE_CHECKING, Final

from fastapi import Depends

from reeducate.errors import ReeducateError

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.requests import Request
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "PRESESSION_COOKIE",
    "SAFE_METHODS",
    "CsrfCookieMiddleware",
    "CsrfError",
    "install_csrf",
    "token_for",
    "verify_request",
]

#: The cookie an anonymous form's token is bound to.
PRESESSION_COOKIE: Final = "reeducate_csrf"
#: Methods that change nothing (RFC 9110 §9.2.1) and need no token.
SAFE_METHODS: Final = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
_STATE_KEY: Final = "reeducate_csrf_cookie"
_MAX_TOKEN: Final = 256


class CsrfError(ReeducateError, PermissionError):
    """A state-changing request without the right CSRF token (403)."""


def _presession_token(secret_key: str, cookie: str) -> str:
    return hmac.new(
        secret_key.encode(), f"csrf-presession:{cookie}".encode(), hashlib.sha256
    ).hexdigest()


def _secret_key(request: Request) -> str:
    from reeducate.web.deps import app_context

    return app_context(request).settings.secret_key.get_secret_value()


def token_for(request: Request, /) -> str:
    """The token the forms of this request's page carry (see the module text)."""
    from reeducate.web.deps import current_session

    found = current_session(request)
    if found is not None:
        return found.session.csrf_secret
    state = request.scope.setdefault("state", {})
    cookie = request.cookies.get(PRESESSION_COOKIE) or state.get(_STATE_KEY)
    if not cookie or len(cookie) > _MAX_TOKEN:
        cookie = secrets.token_urlsafe(32)
        state[_STATE_KEY] = cookie  # CsrfCookieMiddleware sets it on the response
    return _presession_token(_secret_key(request), cookie)


def _expected(request: Request) -> str | None:
    from reeducate.web.deps import current_session

    found = current_session(request)
    if found is not None:
        return found.session.csrf_secret
    cookie = request.cookies.get(PRESESSION_COOKIE)
    if not cookie or len(cookie) > _MAX_TOKEN:
        return None
    return _presession_token(_secret_key(request), cookie)


async def verify_request(request: Request, /) -> None:
    """Refuse a state-changing ``request`` whose CSRF token is missing or wrong.

    Raises
    ------
    CsrfError
        Missing or wrong token (the message says which, never the token).
    """
    if request.method.upper() in SAFE_METHODS:
        return
    from reeducate.web.deps import CSRF_FIELD, CSRF_HEADER

    submitted: object = request.headers.get(CSRF_HEADER)
    if not submitted:
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.form()
            submitted = form.get(CSRF_FIELD)
    if not isinstance(submitted, str) or not submitted:
        raise CsrfError(
            f"{CSRF_FIELD} (form field) or {CSRF_HEADER} (header) is required on "
            f"{request.method.upper()}; got none"
        )
    expected = _expected(request)
    if (
        expected is None
        or len(submitted) > _MAX_TOKEN
        or not hmac.compare_digest(expected.encode(), submitted.encode())
    ):
        raise CsrfError(
            f"{CSRF_FIELD} must be this session's token; got a wrong or expired one "
            "(reload the page and try again)"
        )


class CsrfCookieMiddleware:
    """Set the pre-session cookie on a response whose page made a new anonymous token."""

    def __init__(self, app: ASGIApp, *, secure: bool) -> None:
        self.app = app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = scope.setdefault("state", {})

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                cookie = state.get(_STATE_KEY)
                if cookie:
                    flags = "; Secure" if self.secure else ""
                    header = (
                        f"{PRESESSION_COOKIE}={cookie}; Path=/; HttpOnly; SameSite=Strict{flags}"
                    )
                    message["headers"] = [
                        *message.get("headers", []),
                        (b"set-cookie", header.encode("latin-1")),
                    ]
            await send(message)

        await self.app(scope, receive, send_wrapper)


def install_csrf(app: FastAPI, /, *, secure: bool) -> None:
    """Check the CSRF token on every route ``app`` includes from now on, and set the
    pre-session cookie where a page made one."""
    from reeducate.web.deps import verify_csrf_form

    app.router.dependencies.append(Depends(verify_csrf_form))
    app.add_middleware(CsrfCookieMiddleware, secure=secure)
