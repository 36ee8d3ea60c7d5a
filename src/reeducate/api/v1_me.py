"""The patient's own record as JSON: today's programme, logging a home session, progress.

=================================  ===============================================================
route                              what
=================================  ===============================================================
``GET /api/v1/me/programme``       the prescription in force: each exercise with its dose,
                                   instructions, cues and safety notes
``POST /api/v1/me/sessions``       log a home session (201): per exercise of the programme done
                                   or not, sets, repetitions or hold per set, difficulty, pain
                                   before and after, a comment
``GET /api/v1/me/progress``        their sessions, pain and outcome scores with their trend
=================================  ===============================================================

The same functions as the pages (:mod:`reeducate.web.patient`: :func:`patient_programme`,
:func:`record_home_session`, :func:`patient_progress`), so the checks, the audit of every read
and the session written as the patient's account are the same. Only the patient role; no route
takes a patient code, so the record is always the signed-in account's own. The POST carries the
``X-CSRF-Token`` header. Refusals are problem+json: 401 without a session, 403 for another role
or without the CSRF token, 422 naming the field (``exercises[0].pain_after``), and nothing is
written.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field

from reeducate.api.problems import problem_responses
from reeducate.errors import InvalidParameterError
from reeducate.web.deps import PatientUser, StoreDep
from reeducate.web.patient import (
    COMMENT_MAX_CHARS,
    Programme,
    ProgrammeItem,
    ProgressView,
    patient_programme,
    patient_progress,
    record_home_session,
)
from reeducate.web.therapist_forms import past_day

if TYPE_CHECKING:
    from reeducate.services.care import CareStore

__all__ = ["router"]

router = APIRouter(prefix="/me", tags=["patient"], responses=problem_responses(401, 403, 422, 500))

#: The API's name of each exercise field of :func:`reeducate.web.patient.parse_home_session`.
_API_FIELDS = {
    "sets": "sets",
    "reps": "reps",
    "hold": "hold_s",
    "difficulty": "difficulty",
    "pain_before": "pain_before",
    "pain_after": "pain_after",
}


class HomeExerciseIn(BaseModel):
    """One exercise of the programme: done or not; sets done, repetitions or hold seconds per
    set (left out: the prescribed dose), difficulty (1–5 for balance exercises, 0–10
    otherwise), pain before and after (NPRS 0–10), a comment."""

    model_config = ConfigDict(extra="forbid")
    variant_id: str = Field(max_length=80)
    done: bool = True
    sets: int | None = None
    reps: int | None = None
    hold_s: float | None = None
    difficulty: int | None = None
    pain_before: int | None = None
    pain_after: int | None = None
    comment: str | None = Field(default=None, max_length=COMMENT_MAX_CHARS)


class HomeSessionIn(BaseModel):
    """A home session: its date (default today; not after today), which session of the day
    (default the next one) and the exercises of the programme in force that day (those left
    out count as not done)."""

    model_config = ConfigDict(extra="forbid")
    session_date: date | None = None
    sequence: int | None = Field(default=None, ge=1, le=20)
    exercises: list[HomeExerciseIn] = Field(min_length=1, max_length=40)


def _today(store: CareStore) -> date:
    return store.clock().date()


def _item(item: ProgrammeItem) -> dict[str, Any]:
    variant, dose = item.variant, item.dose
    return {
        "variant_id": variant.id,
        "name": variant.name,
        "dose": {
            "sets": dose.sets,
            "reps": dose.reps,
            "hold_s": dose.hold_s,
            "rest_s": dose.rest_s,
            "sessions_per_week": dose.sessions_per_week,
            "text": item.dose_text,
        },
        "difficulty_scale": "balance_1_5" if item.balance_scale else "rpe_0_10",
        "instructions": list(variant.instructions),
        "cues": list(variant.cues),
        "common_faults": list(variant.common_faults),
        "safety_notes": list(variant.safety_notes),
    }


def _programme(programme: Programme) -> dict[str, Any]:
    return {
        "on": programme.today.isoformat(),
        "prescription_id": programme.prescription_id,
        "since": None if programme.since is None else programme.since.isoformat(),
        "sessions_per_week": programme.sessions_per_week,
        "home_sessions_logged_on_day": programme.done_today,
        "exercises": [_item(item) for item in programme.items],
    }


def _progress(view: ProgressView, today: date) -> dict[str, Any]:
    return {
        "on": today.isoformat(),
        "home_sessions": view.home_sessions,
        "clinic_sessions": view.clinic_sessions,
        "sessions_last_28_days": view.last_28_days,
        "sessions": [
            {
                "date": s.on.isoformat(),
                "setting": s.setting,
                "exercises": list(s.exercises),
                "pain_before": s.pain_before,
                "pain_after": s.pain_after,
                "note": s.note,
            }
            for s in view.sessions
        ],
        "outcome_scores": [
            {
                "measure": t.measure,
                "name": t.name,
                "unit": t.unit,
                "first": t.first,
                "latest": t.latest,
                "improved": t.improved,
                "count": t.count,
            }
            for t in view.scores
        ],
    }


@router.get("/programme", summary="Your exercises in force today, with dose and instructions")
def get_programme(user: PatientUser, store: StoreDep) -> dict[str, Any]:
    return _programme(patient_programme(store, user, today=_today(store)))


@router.get("/progress", summary="Your sessions, pain after exercise and outcome scores")
def get_progress(user: PatientUser, store: StoreDep) -> dict[str, Any]:
    today = _today(store)
    return _progress(patient_progress(store, user, today=today), today)


@router.post(
    "/sessions",
    status_code=201,
    summary="Log a home session of your programme",
)
def log_session(body: HomeSessionIn, user: PatientUser, store: StoreDep) -> dict[str, Any]:
    today = _today(store)
    day = past_day("session_date", body.session_date, today=today)
    programme = patient_programme(store, user, today=day)
    by_variant = {item.variant.id: item for item in programme.items}
    form: dict[str, str] = {}
    position: dict[int, int] = {}
    for j, exercise in enumerate(body.exercises):
        item = by_variant.get(exercise.variant_id)
        if item is None:
            allowed = ", ".join(by_variant) or "none"
            raise InvalidParameterError(
                f"exercises[{j}].variant_id must be an exercise of the programme on "
                f"{day.isoformat()} ({allowed}); got {exercise.variant_id[:80]!r}"
            )
        if item.index in position:
            raise InvalidParameterError(
                f"exercises[{j}].variant_id must not repeat exercises[{position[item.index]}]; "
                f"got {exercise.variant_id!r} twice"
            )
        position[item.index] = j
        prefix = f"ex{item.index}_"
        if exercise.done:
            form[prefix + "done"] = "yes"
        for key, name in (("sets", "sets"), ("reps", "reps"), ("hold", "hold_s"),
                          ("difficulty", "difficulty"), ("pain_before", "pain_before"),
                          ("pain_after", "pain_after"), ("comment", "comment")):  # fmt: skip
            value = getattr(exercise, name)
            if value is not None:
                form[prefix + key] = f"{value:g}" if isinstance(value, float) else str(value)

    def label(item: ProgrammeItem, key: str) -> str:
        where = position.get(item.index)
        return f"exercises[{where}].{_API_FIELDS[key]}"

    session = record_home_session(store, user, programme, form, sequence=body.sequence, label=label)
    return {
        "id": session.id,
        "session_date": session.session_date.isoformat(),
        "setting": str(session.setting),
        "sequence": session.sequence,
        "exercises": [x.variant_id for x in session.exercises],
        "note": session.note,
    }
