"""The therapist's page for a patient's sign-in: create it when the patient was registered
without one, or reset a forgotten password (typed, or generated and shown once).

``GET /patients/{code}/sign-in`` shows the account (login name, since when) or the form to
create one; ``POST /patients/{code}/sign-in`` creates it (``login``, optional ``password``) or,
when the patient has one, resets its password (optional ``password``) and ends the patient's
web sessions. A generated password is shown on a page that browsers do not cache; a refused
field re-renders the page with the reason (422) and writes nothing.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reeducate.errors import ReeducateError
from reeducate.services.patient_sign_in import (
    create_patient_sign_in,
    patient_account,
    reset_patient_password,
)
from reeducate.store.repositories import UserAccount
from reeducate.web.deps import StoreDep, TherapistUser, get_security
from reeducate.web.therapist import PatientCode

__all__ = ["router"]

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def _page(
    request: Request,
    user: UserAccount,
    store: Any,
    code: str,
    /,
    *,
    error: str | None = None,
    login: str = "",
    status_code: int = 200,
    done: bool = False,
) -> HTMLResponse:
    from reeducate.web.pages import render
    from reeducate.web.therapist_forms import _patient_name

    account = patient_account(store, user, code)  # authorized first
    return render(
        request,
        "therapist/forms/sign_in.html",
        {
            "user": user,
            "section": "patients",
            "code": code,
            "name": _patient_name(store, user, code),
            "account": account,
            "error": error,
            "login": login,
            "done": done,
        },
        status_code=status_code,
    )


@router.get("/patients/{code}/sign-in", name="patient_sign_in_page")
def sign_in_page(
    request: Request, code: PatientCode, user: TherapistUser, store: StoreDep, done: str = ""
) -> HTMLResponse:
    """The patient's sign-in: the account, or the form to create it."""
    return _page(request, user, store, code, done=done == "reset")


@router.post("/patients/{code}/sign-in", name="patient_sign_in_submit", response_model=None)
async def sign_in_submit(
    request: Request, code: PatientCode, user: TherapistUser, store: StoreDep
) -> Response:
    """Create the sign-in, or reset its password; a generated password is shown once."""
    from urllib.parse import quote

    from reeducate.web.errors import status_for
    from reeducate.web.pages import render

    form = await request.form()
    login = str(form.get("login") or "").strip()[:64]
    password = str(form.get("password") or "") or None
    try:
        if patient_account(store, user, code) is None:
            result = create_patient_sign_in(
                store, user, code, login=login, password=password, settings=get_security(request)
            )
        else:
            result = reset_patient_password(
                store, user, code, password=password, settings=get_security(request)
            )
    except ReeducateError as exc:
        if isinstance(exc, PermissionError):
            raise
        return _page(
            request, user, store, code, error=str(exc), login=login, status_code=status_for(exc)
        )
    if result.password is None:
        return RedirectResponse(f"/patients/{quote(code)}/sign-in?done=reset", status_code=303)
    response = render(
        request,
        "therapist/forms/sign_in_given.html",
        {"user": user, "section": "patients", "code": code, "result": result},
    )
    response.headers["Cache-Control"] = "no-store"
    return response
