"""The administrator's pages: clinics, accounts (create a therapist, disable an account) and the
audit log viewer.

Every route needs an administrator (:data:`reeducate.web.deps.AdminUser`); every form carries
the CSRF token. The pages follow post/redirect/get: a change redirects back with a short
confirmation, a refused change re-renders the page with the reason (422). The audit log shows
the events as stored: who (account id), what, which record (patient *codes*, never names), when;
it is append-only, so the page has no way to change it.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Final
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reeducate.errors import InvalidParameterError, NotFoundError, ReeducateError
from reeducate.services.access import view_audit_log
from reeducate.services.accounts import (
    PASSWORD_MAX_LENGTH,
    create_clinic,
    create_user,
    disable_user,
    list_clinics,
    list_users,
)
from reeducate.store.models import Role
from reeducate.store.repositories import UserAccount
from reeducate.web.deps import AdminUser, StoreDep, get_security
from reeducate.web.pages import render

__all__ = ["AUDIT_PAGE_LIMIT", "router"]

#: Most audit events one page shows (the latest ones matching the filters).
AUDIT_PAGE_LIMIT: Final = 500

router = APIRouter(prefix="/admin", include_in_schema=False, default_response_class=HTMLResponse)

_NOTICES: Final = {
    "clinic": "Clinic created.",
    "user": "Account created. Give the person their login name and initial password in person.",
    "disabled": "Account disabled; its sessions have ended.",
}
_SHOWN_DETAIL: Final = (
    "resource",
    "action",
    "role",
    "record_ids",
    "records",
    "patient_codes",
    "reason",
)


def _overview(
    request: Request,
    user: UserAccount,
    store: StoreDep,
    *,
    notice: str | None = None,
    error: str | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    clinics = list_clinics(store, user)
    users = list_users(store, user)
    clinic_names = {clinic.id: clinic.name for clinic in clinics}
    return render(
        request,
        "admin/index.html",
        {
            "user": user,
            "section": "admin",
            "clinics": clinics,
            "clinic_names": clinic_names,
            "users": users,
            "staff_count": {
                clinic.id: sum(1 for u in users if u.clinic_id == clinic.id and u.active)
                for clinic in clinics
            },
            "notice": notice,
            "error": error,
            "form": form or {},
        },
        status_code=status_code,
    )


@router.get("", name="admin")
def admin_home(
    request: Request,
    user: AdminUser,
    store: StoreDep,
    done: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    """Clinics and accounts, with the forms to add them."""
    return _overview(request, user, store, notice=_NOTICES.get(done or ""))


@router.post("/clinics", name="admin_add_clinic")
def add_clinic(
    request: Request,
    user: AdminUser,
    store: StoreDep,
    name: Annotated[str, Form(max_length=200)],
) -> Response:
    """Create a clinic."""
    try:
        create_clinic(store, user, name=name)
    except InvalidParameterError as exc:
        return _overview(
            request, user, store, error=str(exc), form={"clinic_name": name}, status_code=422
        )
    return RedirectResponse("/admin?done=clinic", status_code=303)


@router.post("/users", name="admin_add_user")
def add_user(
    request: Request,
    user: AdminUser,
    store: StoreDep,
    login: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=PASSWORD_MAX_LENGTH)],
    role: Annotated[str, Form(max_length=20)] = Role.THERAPIST.value,
    clinic_id: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    """Create a therapist of a clinic (or another administrator)."""
    try:
        create_user(
            store,
            user,
            login=login,
            password=password,
            role=role,
            clinic_id=clinic_id or None,
            settings=get_security(request),
        )
    except (InvalidParameterError, NotFoundError, ReeducateError) as exc:
        if isinstance(exc, PermissionError):
            raise
        return _overview(
            request,
            user,
            store,
            error=str(exc),
            form={"login": login.strip()[:64], "role": role, "clinic_id": clinic_id},
            status_code=422,
        )
    return RedirectResponse("/admin?done=user", status_code=303)


@router.post("/users/{user_id}/disable", name="admin_disable_user")
def disable(
    request: Request,
    user: AdminUser,
    store: StoreDep,
    user_id: Annotated[str, Path(max_length=20)],
) -> Response:
    """Disable an account (it can no longer sign in; its sessions end)."""
    try:
        disable_user(store, user, user_id)
    except ReeducateError as exc:
        if isinstance(exc, PermissionError | NotFoundError):
            raise
        return _overview(request, user, store, error=str(exc), status_code=422)
    return RedirectResponse("/admin?done=disabled", status_code=303)


def _day_start(value: date | None, /) -> datetime | None:
    return None if value is None else datetime.combine(value, time(), tzinfo=UTC)


def _event_row(event: Any) -> dict[str, Any]:
    detail = event.detail if isinstance(event.detail, dict) else dict(event.detail)
    shown = {key: detail[key] for key in _SHOWN_DETAIL if key in detail}
    if isinstance(shown.get("records"), dict):
        # A chart view's one event: the ids shown of each kind of record, in words.
        shown["records"] = [
            f"{kind.replace('_', ' ')} {', '.join(map(str, ids)) or '(none)'}"
            for kind, ids in shown["records"].items()
        ]
    return {
        "id": event.id,
        "when": event.occurred_at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "actor": event.actor,
        "action": event.action.value,
        "entity": event.entity,
        "entity_id": event.entity_id,
        "detail": shown,
        "changed": sorted(key for key in detail if key not in _SHOWN_DETAIL),
    }


@router.get("/audit", name="admin_audit")
def audit(
    request: Request,
    user: AdminUser,
    store: StoreDep,
    actor: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[date | None, Query(description="from this day (UTC)")] = None,
    until: Annotated[date | None, Query(description="to this day included (UTC)")] = None,
    action: Annotated[str | None, Query(max_length=10)] = None,
    entity_id: Annotated[str | None, Query(max_length=40)] = None,
    before: Annotated[
        int | None, Query(ge=1, description="events written before this one (older page)")
    ] = None,
) -> HTMLResponse:
    """The audit log, latest first, filtered by actor, dates, action and record,
    :data:`AUDIT_PAGE_LIMIT` a page; ``before`` pages back (keyset: the oldest id shown)."""
    error = None
    events: list[Any] = []
    if since is not None and until is not None and until < since:
        error = f"until must be on or after since ({since.isoformat()}); got {until.isoformat()}"
    else:
        try:
            events = view_audit_log(
                store,
                user,
                actor=actor or None,
                since=_day_start(since),
                until=_day_start(until + timedelta(days=1)) if until is not None else None,
                action=action or None,
                entity_id=entity_id or None,
                before_id=before,
                limit=AUDIT_PAGE_LIMIT,
            )
        except InvalidParameterError as exc:
            error = str(exc)
    rows = [_event_row(event) for event in reversed(events)]
    filters = {
        "actor": actor or "",
        "since": since.isoformat() if since else "",
        "until": until.isoformat() if until else "",
        "action": action or "",
        "entity_id": entity_id or "",
    }
    kept = {key: value for key, value in filters.items() if value}
    # A full page may have older events behind it: link to them (the oldest id shown).
    older = (
        "/admin/audit?" + urlencode({**kept, "before": events[0].id})
        if len(events) == AUDIT_PAGE_LIMIT
        else None
    )
    newest = "/admin/audit" + ("?" + urlencode(kept) if kept else "") if before else None
    return render(
        request,
        "admin/audit.html",
        {
            "user": user,
            "section": "admin",
            "rows": rows,
            "limit": AUDIT_PAGE_LIMIT,
            "error": error,
            "filters": filters,
            "older": older,
            "newest": newest,
            "paged": before is not None,
        },
        status_code=422 if error else 200,
    )
