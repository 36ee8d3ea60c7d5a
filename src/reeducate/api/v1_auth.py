"""Sign-in for the JSON API: the same server-side sessions and cookie as the pages.

A client (a browser script, or any HTTP client with a cookie jar):

1. ``GET /api/v1/auth/csrf`` -> ``{"csrf_token": ...}`` (and a pre-session cookie);
2. ``POST /api/v1/auth/login`` with ``{"login", "password"}`` and the header
   ``X-CSRF-Token`` -> the account and the session's own ``csrf_token``; the session cookie is
   set (``HttpOnly``, ``Secure`` per the settings, ``SameSite=Lax``);
3. every later POST, PUT, PATCH and DELETE sends ``X-CSRF-Token: <that token>``;
4. ``POST /api/v1/auth/logout`` ends the session.

Refusals are problem+json: 401 for a wrong login or password (one answer for every cause) and
for a request that needs a session without one, 429 with ``Retry-After`` once sign-in is
throttled, 403 for a missing or wrong CSRF token.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field

from reeducate.api.problems import problem_response, problem_responses
from reeducate.services.accounts import (
    PASSWORD_MAX_LENGTH,
    AuthenticationError,
    LoginThrottledError,
    login,
    logout,
)
from reeducate.store.repositories import UserAccount
from reeducate.web.auth import clear_session_cookie, set_session_cookie
from reeducate.web.deps import (
    SignedInUser,
    SignInRequiredError,
    StoreDep,
    app_context,
    csrf_token,
    get_security,
    session_cookie_name,
    verify_csrf_form,
)

if TYPE_CHECKING:
    from fastapi import FastAPI

__all__ = ["install_api_auth", "router"]

router = APIRouter(prefix="/auth", tags=["sign-in"], responses=problem_responses(422, 500))


class Credentials(BaseModel):
    """A login name and password (never logged, echoed or stored in clear)."""

    login: str = Field(max_length=256)
    password: str = Field(max_length=PASSWORD_MAX_LENGTH, repr=False)


class Account(BaseModel):
    """The signed-in account."""

    id: str
    login: str
    role: str
    clinic_id: str | None
    patient_code: str | None

    @classmethod
    def of(cls, user: UserAccount) -> Account:
        return cls(
            id=user.id,
            login=user.login,
            role=user.role.value,
            clinic_id=user.clinic_id,
            patient_code=user.patient_code,
        )


class CsrfToken(BaseModel):
    """The token to send in ``X-CSRF-Token`` with every state-changing request."""

    csrf_token: str


class SignedIn(BaseModel):
    """A new session: the account and the session's CSRF token."""

    account: Account
    csrf_token: str


@router.get("/csrf", response_model=CsrfToken, summary="The CSRF token for this client")
def get_csrf(request: Request) -> CsrfToken:
    return CsrfToken(csrf_token=csrf_token(request))


@router.post(
    "/login",
    response_model=SignedIn,
    summary="Sign in (sets the session cookie)",
    responses=problem_responses(401, 403, 429),
)
def api_login(request: Request, store: StoreDep, credentials: Credentials) -> Any:
    settings = app_context(request).settings
    security = get_security(request)
    address = request.client.host if request.client is not None else None
    try:
        result = login(
            store,
            login=credentials.login,
            password=credentials.password,
            client_address=address,
            settings=security,
        )
    except LoginThrottledError as exc:
        wait_s = max(1, math.ceil(exc.retry_after_s))
        return problem_response(
            request,
            status=429,
            slug=None,
            title="Too many sign-in attempts",
            detail=f"sign-in is locked after too many failed attempts; retry in {wait_s} s",
            headers={"Retry-After": str(wait_s)},
            retry_after_s=wait_s,
        )
    except AuthenticationError as exc:
        return problem_response(
            request, status=401, slug=None, title="Sign-in refused", detail=str(exc)
        )
    response = JSONResponse(
        SignedIn(
            account=Account.of(result.user), csrf_token=result.session.csrf_secret
        ).model_dump()
    )
    set_session_cookie(
        response, result, settings=settings, max_age_s=round(security.session_lifetime_min * 60)
    )
    return response


@router.post("/logout", status_code=204, summary="End the session")
def api_logout(request: Request, store: StoreDep) -> Response:
    settings = app_context(request).settings
    logout(store, request.cookies.get(session_cookie_name(settings)))
    response = Response(status_code=204)
    clear_session_cookie(response, settings=settings)
    return response


@router.get(
    "/me",
    response_model=Account,
    summary="The signed-in account",
    responses=problem_responses(401),
)
def api_me(user: SignedInUser) -> Account:
    return Account.of(user)


def install_api_auth(api: FastAPI, /) -> None:
    """401 problems for requests that need a session, CSRF on every route included after this,
    and the ``/auth`` routes. Call before including other routers."""

    async def on_sign_in_required(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequiredError)
        return problem_response(
            request,
            status=401,
            slug=None,
            title="Sign-in required",
            detail=str(exc),
            headers={"WWW-Authenticate": 'Cookie realm="reeducate"'},
        )

    api.add_exception_handler(SignInRequiredError, on_sign_in_required)
    api.router.dependencies.append(Depends(verify_csrf_form))
    api.include_router(router)
