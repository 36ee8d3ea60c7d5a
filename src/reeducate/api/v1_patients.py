"""The therapist's patients as read-only JSON: ``GET /api/v1/patients`` and
``GET /api/v1/patients/{code}``.

The same read model as the pages (:func:`reeducate.web.therapist.patient_list` and
:func:`~reeducate.web.therapist.patient_chart`), so the API and the pages show the same data,
authorized and audited the same way: the list is the therapist's own clinic; another clinic's
patient and an unknown code both answer 403 (problem+json), so codes cannot be probed.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from reeducate.api.problems import problem_responses
from reeducate.web.deps import StoreDep, TherapistUser
from reeducate.web.therapist import PatientCode, patient_chart, patient_list, today_of

__all__ = ["router"]

router = APIRouter(tags=["patients"], responses=problem_responses(401, 403, 422, 500))


@router.get(
    "/patients",
    summary="The therapist's patients, most urgent first, with what needs attention today",
)
def list_patients(user: TherapistUser, store: StoreDep) -> dict[str, Any]:
    today = today_of(store)
    entries = patient_list(store, user, today=today)
    return {"on": today.isoformat(), "patients": [e.to_dict() for e in entries]}


@router.get(
    "/patients/{code}",
    summary="One patient's chart: episode, goals, plan, prescription, sessions, outcome "
    "trends with MCID, recommendations with evidence, balance trials",
)
def get_patient(code: PatientCode, user: TherapistUser, store: StoreDep) -> dict[str, Any]:
    return patient_chart(store, user, code, today=today_of(store)).to_dict()
