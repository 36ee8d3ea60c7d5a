"""The therapist registers a new patient: ``GET /patients/new`` (the form) and
``POST /patients``, with the same flow as ``POST /api/v1/patients``
(:mod:`reeducate.api.v1_care`).

What is typed
    The name and date of birth (stored apart from the clinical record, shown only to the
    patient's clinic); optionally an episode of care (first day, ICD-10 codes, impairments), a
    plan of care (first day, visits per week, weeks, certification date) with up to
    :data:`GOAL_ROWS` goals on the form (each: description, outcome measure, baseline, target,
    target date), and the patient's sign-in account (login name, and an initial password typed
    by the therapist or generated and shown once). An episode is opened when diagnoses or
    impairments are given, a plan when a goal or the plan's numbers are; a plan needs an
    episode.
One transaction, the therapist's clinic
    :func:`register_for` parses what was typed (the form's fields are named as the JSON API's,
    ``plan.goals[0].target_value``), then :func:`reeducate.services.intake.register_patient`
    writes it all in one transaction as the signed-in therapist, in their own clinic. A refusal
    answers 422 with the form again, the message naming the field, and nothing is written; the
    name and date of birth are never quoted in a message, a log or an address (the patient is
    addressed by their new code).
After
    303 to the new chart; when a password was generated, a page that shows it once instead
    (``Cache-Control: no-store``), with the link to the chart.

This module imports :mod:`reeducate.web.therapist_forms` inside functions only:
:mod:`reeducate.web.therapist` includes this router ahead of its ``/patients/{code}`` route
(which would take ``new`` for a code), and therapist_forms imports therapist.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from reeducate.errors import InvalidParameterError, ReeducateError
from reeducate.web.deps import StoreDep, TherapistUser, get_security

if TYPE_CHECKING:
    from reeducate.services.accounts import SecuritySettings
    from reeducate.services.care import CareStore, GoalSpec
    from reeducate.services.intake import NewPatient, NewPatientResult
    from reeducate.store.repositories import UserAccount

__all__ = [
    "GOAL_FIELDS",
    "GOAL_ROWS",
    "MAX_GOALS",
    "intake_from_values",
    "register_for",
    "router",
    "values_from_form",
]

#: Goal rows on the form (the JSON API takes up to :data:`MAX_GOALS`).
GOAL_ROWS: Final = 3
#: Most goals in one request.
MAX_GOALS: Final = 20
#: The fields of a goal, as the form and the JSON API name them.
GOAL_FIELDS: Final = ("description", "measure", "baseline_value", "target_value", "target_date")
_TEXT_MAX: Final = 500


# --------------------------------------------------------------------------------------------
# Parsing (shared by the page and the API)
# --------------------------------------------------------------------------------------------


def _blank(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(field: str, value: object, *, required: bool = True) -> str:
    if _blank(value):
        if required:
            raise InvalidParameterError(f"{field} must be given; got nothing")
        return ""
    if not isinstance(value, str):
        raise InvalidParameterError(f"{field} must be text; got {type(value).__name__}")
    text = value.strip()
    if len(text) > _TEXT_MAX:
        raise InvalidParameterError(
            f"{field} must be at most {_TEXT_MAX} characters; got {len(text)}"
        )
    return text


def _day(field: str, value: object, *, default: date | None = None) -> date:
    if _blank(value):
        if default is None:
            raise InvalidParameterError(f"{field} must be a date YYYY-MM-DD; got nothing")
        return default
    if isinstance(value, date):
        return value
    text = str(value).strip()
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidParameterError(
            f"{field} must be a date YYYY-MM-DD; got {text[:20]!r}"
        ) from None


def _whole(field: str, value: object, *, low: int, high: int) -> int:
    from reeducate.web.therapist_forms import _number

    if _blank(value):
        raise InvalidParameterError(f"{field} must be given ({low}–{high}); got nothing")
    found = _number(field, value, integer=True, low=low, high=high)
    assert found is not None
    return int(found)


def _real(field: str, value: object) -> float:
    from reeducate.web.therapist_forms import _number

    if _blank(value):
        raise InvalidParameterError(f"{field} must be a number; got nothing")
    found = _number(field, value, integer=False, low=-1e9)
    assert found is not None
    return float(found)


def _words(value: object) -> tuple[str, ...]:
    """``"R26.81, M54.50"`` or a list, as its non-empty items."""
    if _blank(value):
        return ()
    items = value if isinstance(value, list | tuple) else str(value).replace(";", ",").split(",")
    return tuple(str(item).strip() for item in items if str(item).strip())


def _mapping(field: str, value: object) -> Mapping[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InvalidParameterError(f"{field} must be an object; got {type(value).__name__}")
    return value


def _goal(index: int, values: Mapping[str, Any], *, plan_start: date) -> GoalSpec:
    from reeducate.services.care import GoalSpec

    where = f"plan.goals[{index}]"
    return GoalSpec(
        description=_text(f"{where}.description", values.get("description")),
        measure=_text(f"{where}.measure", values.get("measure")),
        baseline_value=_real(f"{where}.baseline_value", values.get("baseline_value")),
        target_value=_real(f"{where}.target_value", values.get("target_value")),
        target_date=_day(f"{where}.target_date", values.get("target_date")),
        baseline_date=plan_start,
    )


def intake_from_values(values: Mapping[str, Any], /, *, today: date) -> NewPatient:
    """What was typed (the JSON API's body, or the form unflattened) as a
    :class:`~reeducate.services.intake.NewPatient`; dates left empty are ``today``.

    Raises
    ------
    InvalidParameterError
        A value of the wrong shape, naming the field (``plan.goals[1].target_date``); the
        name and date of birth are never quoted.
    """
    from reeducate.services.intake import AccountSpec, EpisodeSpec, NewPatient, PlanSpec

    name = values.get("name")
    if not isinstance(name, str) or not name.strip():
        raise InvalidParameterError(
            "name must be non-empty text of at most 200 characters; got "
            + ("nothing" if _blank(name) else "a value that is not text")
        )
    raw_born = values.get("date_of_birth")
    try:
        born = _day("date_of_birth", raw_born)
    except InvalidParameterError:
        raise InvalidParameterError(
            "date_of_birth must be a date YYYY-MM-DD; got "
            + ("nothing" if _blank(raw_born) else "a value that is not (not shown: identifying)")
        ) from None
    episode = None
    raw_episode = _mapping("episode", values.get("episode"))
    if raw_episode is not None:
        episode = EpisodeSpec(
            start_date=_day("episode.start_date", raw_episode.get("start_date"), default=today),
            diagnoses=_words(raw_episode.get("diagnoses")),
            impairments=_words(raw_episode.get("impairments")),
        )
    plan = None
    raw_plan = _mapping("plan", values.get("plan"))
    if raw_plan is not None:
        start = _day("plan.start_date", raw_plan.get("start_date"), default=today)
        raw_goals = raw_plan.get("goals") or ()
        if not isinstance(raw_goals, Sequence) or isinstance(raw_goals, str):
            raise InvalidParameterError("plan.goals must be a list of goals; got another value")
        if not raw_goals:
            raise InvalidParameterError(
                "plan.goals must hold at least one measurable goal; got none"
            )
        if len(raw_goals) > MAX_GOALS:
            raise InvalidParameterError(
                f"plan.goals must hold at most {MAX_GOALS} goals; got {len(raw_goals)}"
            )
        goals = tuple(
            _goal(i, _mapping(f"plan.goals[{i}]", g) or {}, plan_start=start)
            for i, g in enumerate(raw_goals)
        )
        certified = raw_plan.get("certification_date")
        plan = PlanSpec(
            start_date=start,
            frequency_per_week=_whole(
                "plan.frequency_per_week", raw_plan.get("frequency_per_week"), low=1, high=7
            ),
            duration_weeks=_whole(
                "plan.duration_weeks", raw_plan.get("duration_weeks"), low=1, high=52
            ),
            certification_date=None
            if _blank(certified)
            else _day("plan.certification_date", certified),
            goals=goals,
        )
    account = None
    raw_account = _mapping("account", values.get("account"))
    if raw_account is not None:
        password = raw_account.get("password")
        if password is not None and not isinstance(password, str):
            raise InvalidParameterError(
                f"account.password must be text; got {type(password).__name__}"
            )
        account = AccountSpec(
            login=_text("account.login", raw_account.get("login")),
            password=password or None,
        )
    return NewPatient(
        name=name.strip(),
        date_of_birth=born,
        episode=episode,
        plan=plan,
        account=account,
    )


def register_for(
    store: CareStore,
    user: UserAccount,
    values: Mapping[str, Any],
    /,
    *,
    today: date,
    settings: SecuritySettings | None = None,
) -> NewPatientResult:
    """Register the patient typed in ``values`` in ``user``'s clinic (one transaction)."""
    from reeducate.services.access import Action, Resource, authorize
    from reeducate.services.intake import register_patient

    # Refuse another role before saying anything about the values.
    authorize(user, Action.CREATE, Resource.PATIENT, clinic_id=user.clinic_id or "")
    new = intake_from_values(values, today=today)
    return register_patient(store, user, new, today=today, settings=settings)


def values_from_form(form: Any, /) -> dict[str, Any]:
    """The form's fields (named as the JSON API's) as the API's body: an episode when
    diagnoses or impairments are given, a plan when a goal or the plan's numbers are, goal rows
    left empty skipped, an account when a login name or password is given."""

    def get(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    values: dict[str, Any] = {"name": get("name"), "date_of_birth": get("date_of_birth")}
    diagnoses, impairments = get("episode.diagnoses"), form.getlist("episode.impairments")
    if diagnoses.strip() or impairments:
        values["episode"] = {
            "start_date": get("episode.start_date"),
            "diagnoses": diagnoses,
            "impairments": [i for i in impairments if isinstance(i, str)],
        }
    goals = [{key: get(f"plan.goals[{i}].{key}") for key in GOAL_FIELDS} for i in range(GOAL_ROWS)]
    goals = [g for g in goals if any(v.strip() for v in g.values())]
    numbers = [get(f"plan.{k}") for k in ("frequency_per_week", "duration_weeks")]
    if goals or any(n.strip() for n in numbers):
        values["plan"] = {
            "start_date": get("plan.start_date"),
            "frequency_per_week": numbers[0],
            "duration_weeks": numbers[1],
            "certification_date": get("plan.certification_date"),
            "goals": goals,
        }
    if get("account.login").strip() or get("account.password"):
        values["account"] = {
            "login": get("account.login"),
            "password": get("account.password") or None,
        }
    return values


# --------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def _today(store: CareStore) -> date:
    return store.clock().date()


def _form_page(
    request: Request,
    user: UserAccount,
    store: CareStore,
    *,
    values: Mapping[str, str] | None = None,
    impairments: Sequence[str] = (),
    error: str | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    from reeducate.clinic.care import Impairment
    from reeducate.services.library import list_measures
    from reeducate.web.pages import render

    field = "" if not error else error.split(" ", 1)[0].rstrip(":")

    def invalid(path: str) -> bool:
        """Whether the error names the form field ``path`` (or an item of it)."""
        return bool(field) and (field == path or field.startswith(path + "["))

    return render(
        request,
        "therapist/forms/new_patient.html",
        {
            "user": user,
            "section": "patients",
            "today": _today(store),
            "measures": list_measures(),
            "impairment_choices": [i.value for i in Impairment],
            "goal_rows": GOAL_ROWS,
            "values": values or {},
            "chosen_impairments": set(impairments),
            "error": error,
            "invalid": invalid,
        },
        status_code=status_code,
    )


@router.get("/patients/new", name="new_patient_page")
def new_patient_page(request: Request, user: TherapistUser, store: StoreDep) -> HTMLResponse:
    """The new-patient form."""
    from reeducate.services.access import Action, Resource, authorize

    authorize(user, Action.CREATE, Resource.PATIENT, clinic_id=user.clinic_id or "")
    return _form_page(request, user, store)


@router.post("/patients", name="new_patient_submit", response_model=None)
async def new_patient_submit(request: Request, user: TherapistUser, store: StoreDep) -> Response:
    """Register the patient; to the new chart (or the page showing a generated password)."""
    from urllib.parse import quote

    from reeducate.web.errors import status_for
    from reeducate.web.pages import render

    form = await request.form()
    try:
        result = register_for(
            store,
            user,
            values_from_form(form),
            today=_today(store),
            settings=get_security(request),
        )
    except ReeducateError as exc:
        if isinstance(exc, PermissionError):
            raise
        kept = {
            k: v
            for k, v in form.items()
            if isinstance(v, str) and k not in ("csrf_token", "account.password")
        }
        chosen = [i for i in form.getlist("episode.impairments") if isinstance(i, str)]
        return _form_page(
            request,
            user,
            store,
            values=kept,
            impairments=chosen,
            error=str(exc),
            status_code=status_for(exc),
        )
    if result.password is None:
        return RedirectResponse(f"/patients/{quote(result.code)}", status_code=303)
    response = render(
        request,
        "therapist/forms/patient_created.html",
        {"user": user, "section": "patients", "result": result},
    )
    response.headers["Cache-Control"] = "no-store"
    return response
