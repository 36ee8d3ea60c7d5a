"""Errors at the HTTP edge: one status for each kind of :class:`~reeducate.errors.ReeducateError`,
HTML error pages for the browser, and a guard that turns any unexpected exception into a bare
500 response (problem+json for the API, a page for the browser) without internals.

Statuses
--------
============================================  =====  ==========================================
error                                         HTTP   why
============================================  =====  ==========================================
``NotFoundError``                             404    the named record or exercise does not exist
a ``PermissionError`` (the access policy's)   403    signed in, but not allowed
``UploadTooLargeError``                       413    an upload above the size limit
``InvalidParameterError``                     422    the request was understood, a value breaks
                                                     its constraint (as FastAPI's own validation)
``FileFormatError``, ``UnitError``,           422    the upload arrived whole, but its content
``SignalQualityError``                               cannot be processed (RFC 9110 §15.5.21)
``DomainRuleError`` and any other             422    the content breaks a clinical rule
============================================  =====  ==========================================

400 is left to requests that cannot be parsed at all (a malformed JSON body).

Unexpected exceptions are logged with a reference, the exception's type and its stack frames
but never its message, which may hold data (an SQL error carries its parameters); the response
gives only the reference.
"""

from __future__ import annotations

import logging
import time
import traceback
import uuid
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Final

from reeducate.errors import InvalidParameterError, NotFoundError, ReeducateError

if TYPE_CHECKING:
    from fastapi import FastAPI
    from starlette.requests import Request
    from starlette.responses import Response
    from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "CONTENT_SECURITY_POLICY",
    "ErrorGuardMiddleware",
    "SecurityHeadersMiddleware",
    "UploadTooLargeError",
    "install_page_errors",
    "render_error_page",
    "status_for",
    "title_for",
]

logger = logging.getLogger("reeducate.web")

_TITLES: Final = {
    400: "Bad request",
    401: "Sign-in required",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    413: "Too large",
    422: "Invalid request",
    500: "Unexpected error",
    503: "Service unavailable",
}


class UploadTooLargeError(InvalidParameterError):
    """An upload above the size limit (413)."""


def status_for(error: ReeducateError, /) -> int:
    """The HTTP status of a reeducate error (see the table above)."""
    if isinstance(error, UploadTooLargeError):
        return 413
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, PermissionError):
        return 403
    return 422


def title_for(status: int, /) -> str:
    """A short human title for an HTTP status."""
    return _TITLES.get(status, "Error")


def new_reference() -> str:
    """A short random reference that ties an error page to its log line."""
    return uuid.uuid4().hex[:12]


def log_unexpected(error: BaseException, *, reference: str, method: str, path: str) -> None:
    """Log an unexpected exception: type and frames, never the message (it may hold data)."""
    frames = "".join(traceback.format_list(traceback.extract_tb(error.__traceback__)))
    logger.error(
        "unexpected %s (reference %s) on %s %s\n%s",
        type(error).__qualname__,
        reference,
        method,
        path,
        frames.rstrip(),
    )


Renderer = Callable[["Request", int, str], Awaitable["Response"]]


class ErrorGuardMiddleware:
    """Answer 500 through ``render`` for any exception a route lets through, and log it safely.

    ``render(request, status, reference)`` builds the response (problem+json or a page). When
    the response had already started, the exception is only logged. With ``access_log``, also
    logs one line per request: method, path without the query string (it may hold search
    words), status and duration.
    """

    def __init__(self, app: ASGIApp, *, render: Renderer, access_log: bool = False) -> None:
        self.app = app
        self.render = render
        self.access_log = access_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        from starlette.requests import Request

        started = False
        status = 500
        t0 = time.perf_counter()

        async def send_wrapper(message: Message) -> None:
            nonlocal started, status
            if message["type"] == "http.response.start":
                started = True
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        except Exception as exc:
            reference = new_reference()
            path = str(scope.get("path", ""))
            log_unexpected(exc, reference=reference, method=scope["method"], path=path)
            if not started:
                response = await self.render(Request(scope, receive), 500, reference)
                await response(scope, receive, send_wrapper)
        finally:
            if self.access_log:
                logger.info(
                    "%s %s %d %.1f ms",
                    scope["method"],
                    scope.get("path", ""),
                    status,
                    (time.perf_counter() - t0) * 1e3,
                )


#: Every script, style, font and image comes from the application itself.
CONTENT_SECURITY_POLICY: Final = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)

_SECURITY_HEADERS: Final = (
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)


class SecurityHeadersMiddleware:
    """Add a strict Content-Security-Policy and related headers to every HTTP response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_wrapper(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(n, v) for n, v in _SECURITY_HEADERS if n not in present]
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, send_wrapper)


_PAGE_MESSAGES: Final = {
    404: "There is no page at this address.",
    405: "This page cannot be used that way.",
    500: "Something went wrong on our side. Nothing you entered has been lost.",
}


async def render_error_page(
    request: Request, status: int, reference: str | None = None, *, message: str | None = None
) -> Response:
    """An error page in the site's layout (plain text if even the templates fail)."""
    from starlette.responses import PlainTextResponse

    text = message or _PAGE_MESSAGES.get(status, title_for(status))
    try:
        templates = request.app.state.templates
        response: Response = templates.TemplateResponse(
            request,
            "error.html",
            {
                "user": None,
                "status": status,
                "title": title_for(status),
                "message": text,
                "reference": reference,
            },
            status_code=status,
        )
    except Exception:  # the error page must not fail in turn
        return PlainTextResponse(f"{status} {title_for(status)}", status_code=status)
    return response


def install_page_errors(app: FastAPI, /) -> None:
    """HTML error pages for the browser-facing application ``app``."""
    from fastapi.exceptions import RequestValidationError
    from starlette.exceptions import HTTPException

    async def on_reeducate_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ReeducateError)
        return await render_error_page(request, status_for(exc), message=str(exc))

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        response = await render_error_page(request, exc.status_code)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    async def on_validation_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        fields = sorted({str(e["loc"][-1]) for e in exc.errors() if e.get("loc")})
        message = "Please check " + (", ".join(fields) or "the request") + "."
        return await render_error_page(request, 422, message=message)

    app.add_exception_handler(ReeducateError, on_reeducate_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
