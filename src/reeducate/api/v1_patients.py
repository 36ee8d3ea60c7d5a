"""The therapist's patients as read-only JSON: ``GET /api/v1/patients`` and
``GET /api/v1/patients/{code}``; and the progress report as PDF,
``GET /api/v1/patients/{code}/report.pdf`` (:mod:`reeducate.web.report`).

The same read model as the pages (:func:`reeducate.web.therapist.patient_list` and
:func:`~reeducate.web.therapist.patient_chart`), so the API and the pages show the same data,
authorized and audited the same way: the list is the therapist's own clinic; another clinic's
patient and an unknown code both answer 403 (problem+json), so codes cannot be probed.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from reeducate.api.problems import problem_responses
from reeducate.web.deps import StoreDep, TherapistUser
from reeducate.web.report import DayQuery, report_for, report_pdf_response
from reeducate.web.therapist import (
    LIST_PAGE_MAX,
    LIST_PAGE_SIZE,
    PatientCode,
    SessionsShown,
    patient_chart,
    patient_list,
    patient_list_page,
    today_of,
)

__all__ = ["router"]

router = APIRouter(tags=["patients"], responses=problem_responses(401, 403, 422, 500))


@router.get(
    "/patients",
    summary="The therapist's patients, most urgent first, with what needs attention today",
)
def list_patients(
    user: TherapistUser,
    store: StoreDep,
    page: Annotated[int | None, Query(ge=1, le=100_000)] = None,
    per_page: Annotated[int, Query(ge=1, le=LIST_PAGE_MAX)] = LIST_PAGE_SIZE,
) -> dict[str, Any]:
    """Every patient, or with ``page`` (from 1) that page of ``per_page`` patients; ``total``
    and ``flagged`` count the whole list."""
    today = today_of(store)
    if page is None:
        entries = patient_list(store, user, today=today)
        return {
            "on": today.isoformat(),
            "total": len(entries),
            "flagged": sum(1 for e in entries if e.attention),
            "patients": [e.to_dict() for e in entries],
        }
    listing = patient_list_page(store, user, today=today, page=page, per_page=per_page)
    return {
        "on": today.isoformat(),
        "page": listing.page,
        "per_page": listing.per_page,
        "pages": listing.pages,
        "total": listing.total,
        "flagged": listing.flagged,
        "patients": [e.to_dict() for e in listing.entries],
    }


@router.get(
    "/patients/{code}",
    summary="One patient's chart: episode, goals, plan, prescription, sessions, outcome "
    "trends with MCID, recommendations with evidence, balance trials",
)
def get_patient(
    code: PatientCode, user: TherapistUser, store: StoreDep, sessions: SessionsShown = "latest"
) -> dict[str, Any]:
    """The latest sessions (``sessions_total`` says how many there are); ``?sessions=all``:
    every one."""
    chart = patient_chart(store, user, code, today=today_of(store), all_sessions=sessions == "all")
    return chart.to_dict()


@router.get(
    "/patients/{code}/report.pdf",
    summary="The progress report of a period as PDF (the page's HTML rendered for A4)",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "the report"}},
)
def get_report_pdf(
    request: Request,
    code: PatientCode,
    user: TherapistUser,
    store: StoreDep,
    start: DayQuery = None,
    end: DayQuery = None,
) -> Response:
    """``start`` and ``end`` (``YYYY-MM-DD``) as for the page; a bad date or an ``end``
    before ``start`` answers 422 naming the field."""
    report = report_for(store, user, code, start=start, end=end)
    return report_pdf_response(request, user, report)
