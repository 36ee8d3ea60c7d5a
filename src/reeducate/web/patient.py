"""The patient's own pages (phone first): today's programme, logging a home session, progress.

=====================  ===========================================================================
route                  what
=====================  ===========================================================================
``GET /me``            today's programme: each exercise of the prescription in force with its
                       dose, instructions, cues and safety notes from the library, and the form
                       that logs it
``POST /me/sessions``  log a home session (:func:`reeducate.services.care.log_session`): per
                       exercise done or not, sets, repetitions or hold, difficulty, pain before
                       and after, a comment
``GET /me/progress``   their sessions, pain over time and outcome scores with their trend
=====================  ===========================================================================

Only their own record
    No route takes a patient code: the record is the signed-in account's own
    (``user.patient_code``), so another patient's data has no address here. Every read is
    authorized and audited (:func:`~reeducate.services.access.record_read`, the patient's own
    scope) in the transaction that reads it; the session is written as the patient's account
    after :func:`~reeducate.services.access.authorize` allows ``create session`` on their own
    record. The pages never show the patient's name or date of birth (the login is enough).
The JSON API
    ``/api/v1/me/programme``, ``/api/v1/me/sessions`` and ``/api/v1/me/progress``
    (:mod:`reeducate.api.v1_me`) call the same functions: :func:`patient_programme`,
    :func:`record_home_session`, :func:`patient_progress`.
What a patient does not see
    The engine's recommendations and the therapist's decisions (decision support for the
    therapist: :mod:`reeducate.services.access`), the billing minutes, the therapist's notes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reeducate.errors import InvalidParameterError, ReeducateError
from reeducate.web.deps import PatientUser, StoreDep

if TYPE_CHECKING:
    from reeducate.clinic.care import TreatmentSession
    from reeducate.clinic.exercises import Dose, ExerciseVariant
    from reeducate.services.care import CareStore, ExerciseLog
    from reeducate.store.repositories import StoredOutcomeScore, UserAccount

__all__ = [
    "COMMENT_MAX_CHARS",
    "FIELD_WORDS",
    "Programme",
    "ProgrammeItem",
    "ProgressView",
    "parse_home_session",
    "patient_programme",
    "patient_progress",
    "record_home_session",
    "router",
]

#: The longest comment kept per exercise.
COMMENT_MAX_CHARS: Final = 500
#: The most sets a patient may log for one exercise.
MAX_SETS: Final = 10


@dataclass(frozen=True, slots=True, kw_only=True)
class ProgrammeItem:
    """One exercise of today's programme, as the library describes it."""

    index: int
    variant: ExerciseVariant
    dose: Dose
    dose_text: str
    balance_scale: bool  # difficulty on the 1-5 balance scale, else Borg CR10 (0-10)


@dataclass(frozen=True, slots=True, kw_only=True)
class Programme:
    """Today's programme of a patient."""

    code: str
    today: date
    prescription_id: str | None
    since: date | None
    items: tuple[ProgrammeItem, ...]
    done_today: int  # home sessions already logged today
    sessions_per_week: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionRow:
    """One session in the patient's history."""

    on: date
    setting: str
    exercises: tuple[str, ...]
    pain_before: int | None
    pain_after: int | None
    note: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoreTrend:
    """An outcome measure over time."""

    measure: str
    name: str
    unit: str
    first: float
    latest: float
    improved: bool | None
    count: int
    figure: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class ProgressView:
    """A patient's progress: sessions, pain trend, outcome scores."""

    code: str
    sessions: tuple[SessionRow, ...]
    home_sessions: int
    clinic_sessions: int
    last_28_days: int
    pain_figure: str | None
    scores: tuple[ScoreTrend, ...]


def _repos(session: Any, store: CareStore, user: UserAccount) -> Any:
    from reeducate.store.repositories import Repositories

    return Repositories(session, actor=user.id, clock=store.clock)


def _own_code(user: UserAccount) -> str:
    from reeducate.services.access import PermissionDeniedError

    if user.patient_code is None:
        raise PermissionDeniedError(f"patient account {user.id} has no patient record")
    return user.patient_code


def patient_programme(store: CareStore, user: UserAccount, /, *, today: date) -> Programme:
    """The prescription in force on ``today`` for the signed-in patient (reads audited)."""
    from reeducate.services.access import Action, Resource, record_read
    from reeducate.services.care import describe_dose
    from reeducate.store.engine import transaction

    code = _own_code(user)
    with transaction(store.factory) as session:
        repos = _repos(session, store, user)
        record_read(repos, user, Resource.PATIENT, patient_code=code, record_ids=[code])
        episodes = repos.episodes.for_patient(code)
        plans = repos.plans.for_episode(episodes[-1].id) if episodes else []
        prescription = repos.prescriptions.current(plans[-1].id, on=today) if plans else None
        todays = [
            s
            for s in repos.sessions.for_patient(code, since=today, until=today)
            if str(s.setting) == "home"
        ]
        record_read(
            repos,
            user,
            Resource.PRESCRIPTION,
            patient_code=code,
            record_ids=[] if prescription is None else [prescription.id],
            action=Action.LIST,
        )
    library = store.exercises()
    items = tuple(
        ProgrammeItem(
            index=i,
            variant=library.get(x.variant_id),
            dose=x.dose,
            dose_text=describe_dose(x.dose),
            balance_scale=str(library.get(x.variant_id).technique) == "balance",
        )
        for i, x in enumerate(prescription.exercises if prescription is not None else ())
        if x.variant_id in library
    )
    return Programme(
        code=code,
        today=today,
        prescription_id=None if prescription is None else prescription.id,
        since=None if prescription is None else prescription.start_date,
        items=items,
        done_today=len(todays),
        sessions_per_week=max((x.dose.sessions_per_week for x in items), default=None),
    )


def _pain(session: TreatmentSession) -> tuple[int | None, int | None]:
    before = [x.pain_before_nprs for x in session.exercises if x.pain_before_nprs is not None]
    after = [x.pain_after_nprs for x in session.exercises if x.pain_after_nprs is not None]
    return (max(before) if before else None, max(after) if after else None)


def patient_progress(store: CareStore, user: UserAccount, /, *, today: date) -> ProgressView:
    """The signed-in patient's sessions, pain trend and outcome scores (reads audited)."""
    from datetime import timedelta

    from reeducate.clinic.outcomes import MEASURES
    from reeducate.clinic.outcomes.base import Better
    from reeducate.services.access import Action, Resource, record_read
    from reeducate.store.engine import transaction
    from reeducate.web.charts import TrendPoint, measure_trend_svg, svg_to_data_uri

    code = _own_code(user)
    with transaction(store.factory) as session:
        repos = _repos(session, store, user)
        sessions = repos.sessions.for_patient(code, until=today)
        scores: list[StoredOutcomeScore] = repos.outcome_scores.for_patient(code)
        record_read(
            repos, user, Resource.SESSION, patient_code=code,
            record_ids=[s.id for s in sessions], action=Action.LIST,
        )  # fmt: skip
        record_read(
            repos, user, Resource.OUTCOME_SCORE, patient_code=code,
            record_ids=[s.id for s in scores], action=Action.LIST,
        )  # fmt: skip
    library = store.exercises()
    rows = []
    pain_points = []
    for s in reversed(sessions):
        before, after = _pain(s)
        rows.append(
            SessionRow(
                on=s.session_date,
                setting=str(s.setting),
                exercises=tuple(
                    library.get(x.variant_id).name if x.variant_id in library else x.variant_id
                    for x in s.exercises
                ),
                pain_before=before,
                pain_after=after,
                note=s.note if str(s.setting) == "home" else None,
            )
        )
        if after is not None:
            pain_points.append(TrendPoint(on=s.session_date, value=float(after)))
    pain_figure = (
        svg_to_data_uri(
            measure_trend_svg(
                pain_points,
                title="Pain after exercise",
                unit="NPRS 0–10",
                mcid=2.0,
                higher_is_better=False,
            )
        )
        if len(pain_points) >= 2
        else None
    )
    by_measure: dict[str, list[StoredOutcomeScore]] = {}
    for score in scores:
        by_measure.setdefault(score.measure, []).append(score)
    trends = []
    for measure_id, items in sorted(by_measure.items()):
        items.sort(key=lambda m: m.scored_on)
        measure = MEASURES.get(measure_id)
        name = measure.name if measure is not None else measure_id
        higher = measure is None or measure.better is Better.HIGHER
        first, latest = items[0].total, items[-1].total
        trends.append(
            ScoreTrend(
                measure=measure_id,
                name=name,
                unit=items[-1].unit,
                first=first,
                latest=latest,
                improved=None if len(items) < 2 or first == latest else (latest > first) == higher,
                count=len(items),
                figure=(
                    svg_to_data_uri(
                        measure_trend_svg(
                            [TrendPoint(on=m.scored_on, value=m.total) for m in items],
                            title=name,
                            unit=items[-1].unit,
                            mcid=None,
                            higher_is_better=higher,
                        )
                    )
                    if len(items) >= 2
                    else None
                ),
            )
        )
    window = today - timedelta(days=27)
    return ProgressView(
        code=code,
        sessions=tuple(rows),
        home_sessions=sum(1 for s in sessions if str(s.setting) == "home"),
        clinic_sessions=sum(1 for s in sessions if str(s.setting) == "clinic"),
        last_28_days=sum(1 for s in sessions if s.session_date >= window),
        pain_figure=pain_figure,
        scores=tuple(trends),
    )


# --------------------------------------------------------------------------------------------
# The form
# --------------------------------------------------------------------------------------------


def _number(
    form: Mapping[str, str], name: str, label: str, *, low: float, high: float, whole: bool
) -> float | None:
    text = form.get(name, "").strip()
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise InvalidParameterError(f"{label} must be a number; got {text[:20]!r}") from None
    if whole and not value.is_integer():
        raise InvalidParameterError(f"{label} must be a whole number; got {text[:20]!r}")
    if not low <= value <= high:
        raise InvalidParameterError(f"{label} must be {low:g}–{high:g}; got {value:g}")
    return value


#: How the page names a field of an exercise in a message (after the exercise's name).
FIELD_WORDS: Final[Mapping[str, str]] = {
    "sets": "sets",
    "reps": "repetitions per set",
    "hold": "hold (seconds)",
    "difficulty": "difficulty",
    "pain_before": "pain before",
    "pain_after": "pain after",
}


def _page_label(item: ProgrammeItem, key: str) -> str:
    return f"{item.variant.name}: {FIELD_WORDS[key]}"


def parse_home_session(
    form: Mapping[str, str],
    items: Sequence[ProgrammeItem],
    *,
    label: Callable[[ProgrammeItem, str], str] = _page_label,
) -> tuple[tuple[ExerciseLog, ...], str | None]:
    """The exercises logged in the form (fields ``ex{i}_*``) and the session's note.

    A comment goes into the session's note (``Exercise name: comment``), and so does each
    exercise not done (the record of a session holds what was done). ``label(item, key)``
    names a field in a message (``key`` one of :data:`FIELD_WORDS`); the page says
    ``"Exercise name: pain after"``, the JSON API ``"exercises[0].pain_after"``.

    Raises
    ------
    InvalidParameterError
        A value out of range (the message names the exercise and the field), or nothing done.
    """
    from reeducate.services.care import ExerciseLog

    logs: list[ExerciseLog] = []
    notes: list[str] = []
    for item in items:
        prefix = f"ex{item.index}_"
        name = item.variant.name
        comment = form.get(prefix + "comment", "").strip()[:COMMENT_MAX_CHARS]
        if form.get(prefix + "done") != "yes":
            notes.append(f"{name}: not done" + (f" ({comment})" if comment else ""))
            continue
        if comment:
            notes.append(f"{name}: {comment}")
        sets = _number(form, prefix + "sets", label(item, "sets"), low=1, high=MAX_SETS,
                       whole=True)  # fmt: skip
        n_sets = int(sets) if sets is not None else item.dose.sets
        reps = hold = None
        if item.dose.reps is not None:
            value = _number(form, prefix + "reps", label(item, "reps"), low=0, high=200,
                            whole=True)  # fmt: skip
            reps = (int(value if value is not None else item.dose.reps),) * n_sets
        if item.dose.hold_s is not None:
            value = _number(form, prefix + "hold", label(item, "hold"), low=0, high=600,
                            whole=False)  # fmt: skip
            hold = (float(value if value is not None else item.dose.hold_s),) * n_sets
        top = 5 if item.balance_scale else 10
        difficulty = _number(form, prefix + "difficulty", label(item, "difficulty"),
                             low=1 if item.balance_scale else 0, high=top, whole=True)  # fmt: skip
        before = _number(form, prefix + "pain_before", label(item, "pain_before"), low=0,
                         high=10, whole=True)  # fmt: skip
        after = _number(form, prefix + "pain_after", label(item, "pain_after"), low=0, high=10,
                        whole=True)  # fmt: skip
        logs.append(
            ExerciseLog(
                variant_id=item.variant.id,
                reps_done=reps,
                hold_done_s=hold,
                sets_prescribed=max(n_sets, item.dose.sets),
                difficulty=difficulty,
                difficulty_scale="balance_1_5" if item.balance_scale else "rpe_0_10",
                difficulty_rater="patient",
                pain_before_nprs=None if before is None else int(before),
                pain_after_nprs=None if after is None else int(after),
            )
        )
    if not logs:
        raise InvalidParameterError(
            "exercises must include at least one marked as done; got none done"
        )
    return tuple(logs), ("\n".join(notes) or None)


def record_home_session(
    store: CareStore,
    user: UserAccount,
    programme: Programme,
    form: Mapping[str, str],
    /,
    *,
    sequence: int | None = None,
    label: Callable[[ProgrammeItem, str], str] = _page_label,
) -> TreatmentSession:
    """Log the exercises of ``form`` (:func:`parse_home_session`) as a home session of the
    signed-in patient on ``programme.today``, written as their account; the session of the day
    is ``sequence`` (default: the next one). The page and the JSON API both call this.

    Raises
    ------
    reeducate.services.access.PermissionDeniedError
        Not a patient account of a record, or one that may not log sessions.
    InvalidParameterError, DomainRuleError
        Nothing prescribed, nothing done, a value out of range (nothing is written).
    """
    from reeducate.services.access import Action, Resource, authorize
    from reeducate.services.care import SessionLog, log_session

    code = _own_code(user)
    authorize(user, Action.CREATE, Resource.SESSION, patient_code=code)
    if not programme.items:
        raise InvalidParameterError("exercises must be prescribed to log a session; got none")
    exercises, note = parse_home_session(form, programme.items, label=label)
    return log_session(
        replace(store, actor=user.id, engine=None),
        SessionLog(
            patient_code=code,
            session_date=programme.today,
            setting="home",
            sequence=programme.done_today + 1 if sequence is None else sequence,
            exercises=exercises,
            note=note,
        ),
    )


# --------------------------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------------------------

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def _today(store: CareStore) -> date:
    return store.clock().date()


def _programme_page(
    request: Request,
    user: UserAccount,
    programme: Programme,
    *,
    error: str | None = None,
    values: Mapping[str, str] | None = None,
    logged: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    from reeducate.web.pages import render

    return render(
        request,
        "patient/today.html",
        {
            "user": user,
            "section": "me",
            "programme": programme,
            "error": error,
            "values": values or {},
            "logged": logged,
        },
        status_code=status_code,
    )


@router.get("/me", name="me")
def today_page(request: Request, user: PatientUser, store: StoreDep) -> HTMLResponse:
    """Today's programme and the form that logs it."""
    programme = patient_programme(store, user, today=_today(store))
    return _programme_page(
        request, user, programme, logged=request.query_params.get("logged") == "1"
    )


@router.post("/me/sessions", name="me_log_session")
async def log_home_session(request: Request, user: PatientUser, store: StoreDep) -> Response:
    """Log today's home session; back to the programme with a confirmation (303)."""
    from reeducate.services.access import Action, Resource, authorize

    authorize(user, Action.CREATE, Resource.SESSION, patient_code=_own_code(user))
    programme = patient_programme(store, user, today=_today(store))
    raw = await request.form()
    form = {k: v for k, v in raw.items() if isinstance(v, str)}
    try:
        record_home_session(store, user, programme, form)
    except ReeducateError as exc:
        from reeducate.services.access import PermissionDeniedError

        if isinstance(exc, PermissionDeniedError):
            raise
        return _programme_page(
            request, user, programme, error=str(exc), values=form, status_code=422
        )
    return RedirectResponse("/me?logged=1", status_code=303)


@router.get("/me/progress", name="me_progress")
def progress_page(request: Request, user: PatientUser, store: StoreDep) -> HTMLResponse:
    """The patient's sessions, pain trend and outcome scores."""
    from reeducate.web.pages import render

    view = patient_progress(store, user, today=_today(store))
    return render(
        request,
        "patient/progress.html",
        {"user": user, "section": "progress", "view": view},
    )
