"""The therapist's write flows as JSON: register a patient, prescribe, decide, record a visit,
score a measure.

The same functions as the pages (:mod:`reeducate.web.therapist_forms`,
:mod:`reeducate.web.patient_intake`), so both go through the same access check, use cases and
audit. ``POST /api/v1/patients`` registers a patient of the therapist's clinic (201 with
``Location``); every other route is under ``/api/v1/patients/{code}``. A state-changing
request carries the ``X-CSRF-Token`` header; another clinic's patient and an unknown code
answer 403, a value that breaks its constraint 422, an oversized upload 413, all as
problem+json, and nothing is written.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from reeducate.api.problems import problem_response, problem_responses
from reeducate.api.v1 import API_PREFIX
from reeducate.errors import InvalidParameterError
from reeducate.services.accounts import PASSWORD_MAX_LENGTH
from reeducate.web.deps import StoreDep, TherapistUser, get_security, get_settings
from reeducate.web.errors import UploadTooLargeError
from reeducate.web.patient_intake import MAX_GOALS, register_for
from reeducate.web.therapist import PatientCode, today_of
from reeducate.web.therapist_forms import (
    decide_for,
    past_day,
    prescribe_for,
    record_uploaded_visit,
    score_for,
    visit_from_form,
)

__all__ = ["router"]

router = APIRouter(tags=["care"], responses=problem_responses(401, 403, 422, 500))


class DoseIn(BaseModel):
    """A dose; a field left out keeps the dose in force (or the library's default)."""

    model_config = ConfigDict(extra="forbid")
    sets: int | None = Field(default=None, ge=1, le=20)
    reps: int | None = Field(default=None, ge=1, le=200)
    hold_s: float | None = Field(default=None, ge=1, le=600)
    rest_s: float | None = Field(default=None, ge=0, le=600)
    sessions_per_week: int | None = Field(default=None, ge=1, le=14)


class PrescribeIn(BaseModel):
    """Prescribe a variant (or change its dose) from today."""

    model_config = ConfigDict(extra="forbid")
    variant_id: str = Field(max_length=80)
    dose: DoseIn = Field(default_factory=DoseIn)


class DecisionIn(BaseModel):
    """Accept, change (to ``change_to``) or reject the recommendation for ``variant_id``."""

    model_config = ConfigDict(extra="forbid")
    variant_id: str = Field(max_length=80)
    decision: Literal["accept", "change", "reject"]
    reason: str | None = Field(default=None, max_length=1000)
    change_to: str | None = Field(default=None, max_length=80)


class ScoreIn(BaseModel):
    """Item values by item id, or ``value`` for a one-item measure."""

    model_config = ConfigDict(extra="forbid")
    measure: str = Field(max_length=40)
    items: dict[str, float] = Field(default_factory=dict, max_length=60)
    value: float | None = None
    scored_on: date | None = None


class GoalIn(BaseModel):
    """A measurable goal: an outcome-measure id (``GET /measures``) or a metric name ending in
    its unit, the value now, the value to reach and by when."""

    model_config = ConfigDict(extra="forbid")
    description: str = Field(max_length=500)
    measure: str = Field(max_length=80)
    baseline_value: float
    target_value: float
    target_date: date


class EpisodeIn(BaseModel):
    """An episode of care: first day (default today), ICD-10 codes, impairments (balance,
    coordination, proprioception, posture, motor_control)."""

    model_config = ConfigDict(extra="forbid")
    start_date: date | None = None
    diagnoses: list[str] = Field(max_length=20)
    impairments: list[str] = Field(max_length=10)


class PlanIn(BaseModel):
    """A plan of care with at least one goal (``certification_date`` defaults to the first
    day, ``start_date`` to today)."""

    model_config = ConfigDict(extra="forbid")
    start_date: date | None = None
    frequency_per_week: int
    duration_weeks: int
    certification_date: date | None = None
    goals: list[GoalIn] = Field(min_length=1, max_length=MAX_GOALS)


class AccountIn(BaseModel):
    """The patient's sign-in: a login name and an initial password (left out: one is
    generated and returned once, in ``password``)."""

    model_config = ConfigDict(extra="forbid")
    login: str = Field(max_length=64)
    password: str | None = Field(default=None, max_length=PASSWORD_MAX_LENGTH, repr=False)


class NewPatientIn(BaseModel):
    """A new patient of the therapist's clinic; episode, plan (needs the episode) and
    account are optional."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(max_length=200, repr=False)
    date_of_birth: date = Field(repr=False)
    episode: EpisodeIn | None = None
    plan: PlanIn | None = None
    account: AccountIn | None = None


@router.post(
    "/patients",
    status_code=201,
    summary="Register a patient of your clinic, with an episode, a plan with goals and a "
    "sign-in account if given (one transaction)",
    response_model=None,
)
def register(
    request: Request, body: NewPatientIn, user: TherapistUser, store: StoreDep
) -> JSONResponse:
    from urllib.parse import quote

    result = register_for(
        store,
        user,
        body.model_dump(mode="json", exclude_none=True),
        today=today_of(store),
        settings=get_security(request),
    )
    account = result.account
    document: dict[str, Any] = {
        "code": result.code,
        "clinic_id": result.clinic_id,
        "episode_id": result.episode_id,
        "plan_id": result.plan_id,
        "goal_ids": list(result.goal_ids),
        "account": None if account is None else {"id": account.id, "login": account.login},
    }
    if result.password is not None:
        document["password"] = result.password  # generated: returned this once, never stored
    return JSONResponse(
        document,
        status_code=201,
        headers={
            "Location": f"{API_PREFIX}/patients/{quote(result.code)}",
            "Cache-Control": "no-store",
        },
    )


@router.post(
    "/patients/{code}/prescriptions",
    status_code=201,
    summary="Prescribe an exercise from the library, or change the dose of one in force",
)
def prescribe(
    code: PatientCode, body: PrescribeIn, user: TherapistUser, store: StoreDep
) -> dict[str, Any]:
    rx = prescribe_for(
        store,
        user,
        code,
        variant_id=body.variant_id,
        dose=body.dose.model_dump(),
        today=today_of(store),
    )
    return {
        "id": rx.id,
        "start_date": rx.start_date.isoformat(),
        "exercises": [
            {"variant_id": x.variant_id, "sets": x.dose.sets, "reps": x.dose.reps,
             "hold_s": x.dose.hold_s, "rest_s": x.dose.rest_s,
             "sessions_per_week": x.dose.sessions_per_week}
            for x in rx.exercises
        ],
    }  # fmt: skip


@router.post(
    "/patients/{code}/decisions",
    status_code=201,
    summary="Accept, change or reject the engine's recommendation for an exercise",
)
def decide(
    code: PatientCode, body: DecisionIn, user: TherapistUser, store: StoreDep
) -> dict[str, Any]:
    result = decide_for(
        store,
        user,
        code,
        variant_id=body.variant_id,
        decision=body.decision,
        reason=body.reason,
        change_to=body.change_to,
        today=today_of(store),
    )
    return result.to_dict()


@router.post(
    "/patients/{code}/sessions",
    status_code=201,
    summary="Record a clinic visit (multipart: the visit as JSON, an optional balance recording)",
    description=(
        "Field ``visit``: JSON with ``session_date`` (default today), ``exercises`` (each: "
        "``variant_id``, ``kind`` reps|hold, ``done`` one value per set, ``difficulty`` 1-5, "
        "``quality`` 0-4, ``pain_before``, ``pain_after`` 0-10, ``symptoms``, "
        "``balance_event``, ``losses_of_balance`` per set, ``assistance``, ``cues``), "
        "``minutes`` by CPT code, ``note``. Field ``recording``: a balance file; "
        "``condition``: eo-firm, ec-firm, eo-foam or ec-foam."
    ),
    responses=problem_responses(413),
    response_model=None,
)
def record(
    request: Request,
    code: PatientCode,
    user: TherapistUser,
    store: StoreDep,
    visit: Annotated[str, Form(max_length=100_000)],
    recording: Annotated[UploadFile | None, File()] = None,
    condition: Annotated[str | None, Form(max_length=40)] = None,
) -> dict[str, Any] | JSONResponse:
    try:
        values = json.loads(visit)
    except json.JSONDecodeError as exc:
        raise InvalidParameterError(f"visit must be JSON; got an error at {exc.pos}") from None
    if not isinstance(values, dict) or not isinstance(values.get("exercises", []), list):
        raise InvalidParameterError("visit must be a JSON object with a list of exercises")
    rows = [r if isinstance(r, dict) else {"variant_id": "?"} for r in values["exercises"]]
    if not isinstance(values.get("minutes", {}), dict):
        raise InvalidParameterError("visit.minutes must be an object by CPT code")
    log = visit_from_form(code, values, today=today_of(store), rows=rows)
    limit = get_settings(request).upload_limit_bytes
    try:
        session = record_uploaded_visit(
            store, user, log, upload=recording, condition=condition, limit_bytes=limit
        )
    except UploadTooLargeError as exc:
        return problem_response(request, status=413, slug=None, detail=str(exc))
    finally:
        if recording is not None:
            recording.file.close()
    return {
        "id": session.id,
        "date": session.session_date.isoformat(),
        "exercises": [x.variant_id for x in session.exercises],
        "minutes_by_code": dict(session.minutes_by_code),
        "trial_ids": list(session.trial_ids),
    }


@router.post(
    "/patients/{code}/scores",
    status_code=201,
    summary="Score an outcome measure item by item and store it in the record",
)
def score(code: PatientCode, body: ScoreIn, user: TherapistUser, store: StoreDep) -> dict[str, Any]:
    today = today_of(store)
    day = past_day("scored_on", body.scored_on, today=today)
    stored = score_for(
        store,
        user,
        code,
        measure_id=body.measure,
        items=dict(body.items),
        value=body.value,
        scored_on=day,
    )
    return {
        "id": stored.id,
        "measure": stored.measure,
        "scored_on": stored.scored_on.isoformat(),
        "total": stored.total,
        "unit": stored.unit,
        "flags": list(stored.flags),
        "items": dict(stored.items),
    }


class PasswordIn(BaseModel):
    """A new password for the patient's sign-in (left out: one is generated and returned
    once, in ``password``)."""

    model_config = ConfigDict(extra="forbid")
    password: str | None = Field(default=None, max_length=PASSWORD_MAX_LENGTH, repr=False)


def _account_document(account: Any, password: str | None) -> dict[str, Any]:
    document: dict[str, Any] = {
        "id": account.id,
        "login": account.login,
        "created_at": account.created_at.isoformat(),
        "disabled": account.disabled_at is not None,
    }
    if password is not None:
        document["password"] = password  # generated: returned this once, never stored
    return document


@router.get(
    "/patients/{code}/account",
    summary="The patient's sign-in account (404 when the patient has none)",
    responses=problem_responses(404),
)
def patient_sign_in(code: PatientCode, user: TherapistUser, store: StoreDep) -> dict[str, Any]:
    from reeducate.services.patient_sign_in import require_patient_account

    return _account_document(require_patient_account(store, user, code), None)


@router.post(
    "/patients/{code}/account",
    status_code=201,
    summary="Create the sign-in of a patient registered without one",
    response_model=None,
)
def create_sign_in(
    request: Request, code: PatientCode, body: AccountIn, user: TherapistUser, store: StoreDep
) -> JSONResponse:
    from reeducate.services.patient_sign_in import create_patient_sign_in

    made = create_patient_sign_in(
        store, user, code, login=body.login, password=body.password,
        settings=get_security(request),
    )  # fmt: skip
    return JSONResponse(
        _account_document(made.account, made.password),
        status_code=201,
        headers={"Cache-Control": "no-store"},
    )


@router.post(
    "/patients/{code}/account/password",
    summary="Reset the patient's password (ends their web sessions)",
    responses=problem_responses(404),
    response_model=None,
)
def reset_sign_in_password(
    request: Request, code: PatientCode, body: PasswordIn, user: TherapistUser, store: StoreDep
) -> JSONResponse:
    from reeducate.services.patient_sign_in import reset_patient_password

    reset = reset_patient_password(
        store, user, code, password=body.password, settings=get_security(request)
    )
    return JSONResponse(
        _account_document(reset.account, reset.password), headers={"Cache-Control": "no-store"}
    )
