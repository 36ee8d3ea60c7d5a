"""The therapist's write flows: prescribe and adjust a dose, decide on the engine's
recommendations, record a clinic visit (with a balance recording), score an outcome measure.

Every flow is a page with a plain HTML form (CSRF field, works without JavaScript) and a JSON
route in :mod:`reeducate.api.v1_care`; both call the functions of this module, which call the
use cases of :mod:`reeducate.services.care` and :mod:`reeducate.services.library` with the
signed-in therapist as the store's actor (the audit trail names them).

Access
    Before anything is read or written the policy is checked for the patient's clinic
    (:func:`authorize_change`); another clinic's patient and an unknown code are refused alike
    (403) and nothing is written. Pages that show patient data audit the read.
Bad input
    A value that breaks its constraint answers 422 with the form again, the message naming the
    field; the use cases are single transactions, so a refusal writes nothing.
Uploads (:func:`save_upload`)
    At most ``settings.upload_limit_bytes`` (413 above it, read in chunks, never more), a known
    recording suffix, gzip inflated with the same cap, then C3D by its signature or UTF-8 text
    without NUL bytes; the bytes go to a private temporary file that the balance readers parse
    and that is removed afterwards.
Contraindications
    The coded contraindications of a patient are the active items of their NMES screening
    (``reeducate nmes screen``: pacemaker, pregnancy, skin damage at a site ...); an episode's
    ICD-10 diagnoses and impairments are not mapped to any. The prescribe page opens with those
    items ticked (their read is audited), says where they come from, and lets the therapist
    tick more or untick; ticked ones flag (or hide) the variants that conflict.
"""

from __future__ import annotations

import tempfile
import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import UploadFile

from reeducate.errors import InvalidParameterError, ReeducateError
from reeducate.web.deps import StoreDep, TherapistUser, get_settings
from reeducate.web.errors import UploadTooLargeError, status_for
from reeducate.web.therapist import PatientCode, today_of

if TYPE_CHECKING:
    from reeducate.clinic.care import Prescription, TreatmentSession
    from reeducate.clinic.exercises import Dose
    from reeducate.services.access import Action, Resource
    from reeducate.services.care import CareStore, DecisionResult, SessionLog
    from reeducate.store.repositories import StoredOutcomeScore, UserAccount

__all__ = [
    "CPT_CODES",
    "UploadTooLargeError",
    "acting",
    "authorize_change",
    "decide_for",
    "exercise_log",
    "parse_dose",
    "past_day",
    "prescribe_for",
    "record_uploaded_visit",
    "record_visit",
    "router",
    "save_upload",
    "score_for",
    "visit_from_form",
]

#: The procedure codes a visit's minutes are recorded under (``reference/clinic.md`` §1.1).
CPT_CODES: Final = ("97112", "97110", "97530", "97032")
#: Exercise rows on the visit form.
VISIT_ROWS: Final = 4
#: Name endings accepted for a balance recording (the balance readers' formats).
UPLOAD_SUFFIXES: Final = (".txt", ".csv", ".tsv", ".dat", ".c3d", ".txt.gz", ".csv.gz", ".tsv.gz")
_CHUNK: Final = 64 * 1024
_DOSE_FIELDS: Final = ("sets", "reps", "hold_s", "rest_s", "sessions_per_week")


# --------------------------------------------------------------------------------------------
# Shared by the pages and the API
# --------------------------------------------------------------------------------------------


def acting(store: CareStore, user: UserAccount, /) -> CareStore:
    """The store writing as ``user`` (the audit trail's actor)."""
    return replace(store, actor=user.id, engine=None)


def authorize_change(
    store: CareStore,
    user: UserAccount,
    code: str,
    /,
    *,
    resource: Resource,
    action: Action,
    read: bool = False,
) -> None:
    """Refuse (403) ``action`` on ``resource`` of patient ``code`` unless the policy allows it;
    with ``read``, also audit a read of it (the page shows the patient's data)."""
    from reeducate.services.access import authorize_patient, record_read
    from reeducate.store.engine import transaction
    from reeducate.store.repositories import Repositories

    with transaction(store.factory) as session:
        repos = Repositories(session, actor=user.id, clock=store.clock)
        authorize_patient(repos, user, action, resource, patient_code=code)
        if read:
            record_read(repos, user, resource, patient_code=code, record_ids=[code])


def _number(
    field: str, raw: object, *, integer: bool, low: float, high: float | None = None
) -> float | int | None:
    """A form or JSON value as a number in range; None when left empty."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    text = str(raw).strip()
    try:
        value: float | int = int(text) if integer else float(text)
    except ValueError:
        kind = "a whole number" if integer else "a number"
        raise InvalidParameterError(f"{field} must be {kind}; got {text[:40]!r}") from None
    if value != value or value < low or (high is not None and value > high):
        bound = f"{low:g}–{high:g}" if high is not None else f">= {low:g}"
        raise InvalidParameterError(f"{field} must be {bound}; got {value!r}")
    return value


def past_day(field: str, raw: object, /, *, today: date) -> date:
    """A day as typed (``YYYY-MM-DD``) or given, not after ``today``; left empty: ``today``."""
    if isinstance(raw, date):
        day = raw
    else:
        text = str(raw or "").strip()
        if not text:
            return today
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise InvalidParameterError(
                f"{field} must be a date YYYY-MM-DD; got {text[:20]!r}"
            ) from None
    if day > today:
        raise InvalidParameterError(
            f"{field} must not be after today ({today.isoformat()}); got {day.isoformat()}"
        )
    return day


def parse_dose(values: Mapping[str, object], /, *, default: Dose) -> Dose:
    """A dose from ``sets``, ``reps``, ``hold_s``, ``rest_s``, ``sessions_per_week`` (a field
    left empty keeps ``default``'s value; reps and hold keep the default's shape)."""
    from reeducate.clinic.exercises import Dose

    sets = _number("sets", values.get("sets"), integer=True, low=1, high=20)
    reps = _number("reps", values.get("reps"), integer=True, low=1, high=200)
    hold = _number("hold_s", values.get("hold_s"), integer=False, low=1, high=600)
    rest = _number("rest_s", values.get("rest_s"), integer=False, low=0, high=600)
    per_week = _number(
        "sessions_per_week", values.get("sessions_per_week"), integer=True, low=1, high=14
    )
    return Dose(
        sets=int(sets) if sets is not None else default.sets,
        reps=int(reps) if reps is not None else default.reps,
        hold_s=float(hold) if hold is not None else default.hold_s,
        rest_s=float(rest) if rest is not None else default.rest_s,
        sessions_per_week=int(per_week) if per_week is not None else default.sessions_per_week,
        tempo=default.tempo,
    )


def prescribe_for(
    store: CareStore,
    user: UserAccount,
    code: str,
    /,
    *,
    variant_id: str,
    dose: Mapping[str, object],
    today: date,
) -> Prescription:
    """Prescribe ``variant_id`` (or change its dose) for patient ``code`` from ``today``."""
    from reeducate.services.access import Action, Resource
    from reeducate.services.care import prescribe

    authorize_change(store, user, code, resource=Resource.PRESCRIPTION, action=Action.CREATE)
    library = store.exercises()
    if not isinstance(variant_id, str) or variant_id not in library:
        raise InvalidParameterError(
            f"variant_id must be an exercise of the library; got {str(variant_id)[:80]!r}"
        )
    chosen = parse_dose(dose, default=_dose_in_force(store, code, variant_id, today))
    return prescribe(
        acting(store, user), patient_code=code, variant_id=variant_id, start_date=today, dose=chosen
    )


def _dose_in_force(store: CareStore, code: str, variant_id: str, today: date) -> Dose:
    from reeducate.services.care import plan_overview

    try:
        rx = plan_overview(store, code, today=today).prescription
    except ReeducateError:
        rx = None
    if rx is not None:
        for item in rx.exercises:
            if item.variant_id == variant_id:
                return item.dose
    return store.exercises().get(variant_id).dose


def decide_for(
    store: CareStore,
    user: UserAccount,
    code: str,
    /,
    *,
    variant_id: str,
    decision: str,
    reason: str | None,
    change_to: str | None,
    today: date,
) -> DecisionResult:
    """Accept, change or reject the recommendation for ``variant_id``."""
    from reeducate.services.access import Action, Resource
    from reeducate.services.care import decide

    authorize_change(store, user, code, resource=Resource.DECISION, action=Action.DECIDE)
    if decision not in ("accept", "change", "reject"):
        raise InvalidParameterError(
            f"decision must be one of accept, change, reject; got {decision[:40]!r}"
        )
    reason = (reason or "").strip() or None
    if reason is not None and len(reason) > 1000:
        raise InvalidParameterError(f"reason must be at most 1000 characters; got {len(reason)}")
    change_to = (change_to or "").strip() or None
    return decide(
        acting(store, user),
        patient_code=code,
        variant_id=variant_id,
        kind=decision,
        today=today,
        reason=reason,
        change_to=change_to if decision == "change" else None,
    )


def _list(field: str, raw: object, *, integer: bool, low: float, high: float) -> tuple[Any, ...]:
    """``"10, 10, 8"`` (or a JSON list) as numbers, one per set."""
    if raw is None:
        return ()
    items = raw if isinstance(raw, list | tuple) else str(raw).replace(";", ",").split(",")
    out = []
    for i, item in enumerate(items):
        if isinstance(item, str) and not item.strip():
            continue
        out.append(_number(f"{field}[{i}]", item, integer=integer, low=low, high=high))
    if len(out) > 20:
        raise InvalidParameterError(f"{field} must have at most 20 sets; got {len(out)}")
    return tuple(out)


def exercise_log(index: int, values: Mapping[str, Any], /) -> Any:
    """One exercise done, from a form row or a JSON object (see the visit form's fields)."""
    from reeducate.clinic.progression import Symptom
    from reeducate.clinic.progression_rules import Assistance, BalanceEvent
    from reeducate.services.care import ExerciseLog

    where = f"exercises[{index}]"
    done = _list(f"{where}.done", values.get("done"), integer=False, low=0, high=600)
    if not done:
        raise InvalidParameterError(
            f"{where}.done must give one value per set done (e.g. 10, 10, 8); got none"
        )
    kind = str(values.get("kind") or "reps")
    if kind not in ("reps", "hold"):
        raise InvalidParameterError(f"{where}.kind must be reps or hold; got {kind[:20]!r}")
    if kind == "reps" and any(float(v).is_integer() is False for v in done):
        raise InvalidParameterError(f"{where}.done must be whole repetitions; got {list(done)}")
    losses = _list(
        f"{where}.losses_of_balance", values.get("losses_of_balance"), integer=True, low=0, high=99
    )
    symptoms = values.get("symptoms") or ()
    symptoms = [symptoms] if isinstance(symptoms, str) else list(symptoms)
    allowed = {s.value for s in Symptom}
    for s in symptoms:
        if s not in allowed:
            raise InvalidParameterError(
                f"{where}.symptoms must be among {', '.join(sorted(allowed))}; got {str(s)[:40]!r}"
            )
    event = str(values.get("balance_event") or "none")
    if event not in {e.value for e in BalanceEvent}:
        raise InvalidParameterError(
            f"{where}.balance_event must be one of none, near_fall, fall; got {event[:20]!r}"
        )
    assistance = str(values.get("assistance") or "independent")
    if assistance not in {a.value for a in Assistance}:
        raise InvalidParameterError(
            f"{where}.assistance must be one of {', '.join(a.value for a in Assistance)}; "
            f"got {assistance[:20]!r}"
        )
    cues_raw = values.get("cues") or ()
    cues = [cues_raw] if isinstance(cues_raw, str) else list(cues_raw)
    cue_lines = tuple(
        line.strip()[:200] for text in cues for line in str(text).splitlines() if line.strip()
    )
    difficulty = _number(
        f"{where}.difficulty", values.get("difficulty"), integer=True, low=1, high=5
    )
    quality = _number(f"{where}.quality", values.get("quality"), integer=True, low=0, high=4)

    def pain(name: str) -> int | None:
        found = _number(f"{where}.{name}", values.get(name), integer=True, low=0, high=10)
        return None if found is None else int(found)

    return ExerciseLog(
        variant_id=str(values.get("variant_id") or ""),
        reps_done=tuple(int(v) for v in done) if kind == "reps" else None,
        hold_done_s=tuple(float(v) for v in done) if kind == "hold" else None,
        losses_of_balance=tuple(int(v) for v in losses),
        difficulty=None if difficulty is None else float(difficulty),
        difficulty_rater="therapist",
        quality_score=None if quality is None else float(quality),
        quality_scale_max=4.0,
        pain_before_nprs=pain("pain_before"),
        pain_after_nprs=pain("pain_after"),
        symptoms_during=tuple(symptoms),
        balance_event=event,
        assistance=assistance,
        cues=cue_lines[:10],
    )


def visit_from_form(
    code: str, values: Mapping[str, Any], /, *, today: date, rows: Sequence[Mapping[str, Any]]
) -> SessionLog:
    """A clinic visit as typed: date, exercise rows (a row without an exercise is skipped),
    minutes per CPT code, note."""
    from reeducate.services.care import SessionLog

    day = past_day("session_date", values.get("session_date"), today=today)
    exercises = tuple(
        exercise_log(i, row) for i, row in enumerate(rows) if str(row.get("variant_id") or "")
    )
    if not exercises:
        raise InvalidParameterError("exercises must name at least one exercise done; got none")
    minutes_in = values.get("minutes") or {}
    minutes: dict[str, int] = {}
    for cpt in CPT_CODES:
        found = _number(f"minutes.{cpt}", minutes_in.get(cpt), integer=True, low=0, high=480)
        if found:
            minutes[cpt] = int(found)
    unknown = set(minutes_in) - set(CPT_CODES)
    if unknown:
        raise InvalidParameterError(
            f"minutes must be per CPT code ({', '.join(CPT_CODES)}); got {sorted(unknown)[0]!r}"
        )
    note = str(values.get("note") or "").strip() or None
    if note is not None and len(note) > 2000:
        raise InvalidParameterError(f"note must be at most 2000 characters; got {len(note)}")
    return SessionLog(
        patient_code=code,
        session_date=day,
        setting="clinic",
        exercises=exercises,
        minutes_by_code=minutes,
        note=note,
    )


def save_upload(
    name: str, read: Callable[[int], bytes], /, *, limit_bytes: int, folder: Path
) -> Path:
    """Copy an upload to ``folder`` after checking its size, name and content (module text).

    Raises
    ------
    UploadTooLargeError
        More than ``limit_bytes`` (as sent, or once inflated).
    InvalidParameterError
        An unknown name ending, a bad gzip stream, or binary content that is not C3D.
    """
    from reeducate.io._text import check_text

    lower = name.lower()
    if not lower.endswith(UPLOAD_SUFFIXES):
        raise InvalidParameterError(
            f"recording must be a balance file ({', '.join(UPLOAD_SUFFIXES)}); got a file "
            f"ending {Path(lower).suffix[:10]!r}"
        )
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = read(_CHUNK)
        if not chunk:
            break
        size += len(chunk)
        if size > limit_bytes:
            raise UploadTooLargeError(
                f"recording must be at most {limit_bytes} bytes; got more than that"
            )
        chunks.append(chunk)
    raw = b"".join(chunks)
    if not raw.strip():
        raise InvalidParameterError("recording must not be empty; got 0 bytes of data")
    if lower.endswith(".gz"):
        if not raw.startswith(b"\x1f\x8b"):
            raise InvalidParameterError("recording: a .gz name must hold gzip data; got other")
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            raw = inflater.decompress(raw, limit_bytes + 1)
        except zlib.error:
            raise InvalidParameterError("recording: is not a valid gzip file") from None
        if len(raw) > limit_bytes or inflater.unconsumed_tail:
            raise UploadTooLargeError(
                f"recording must be at most {limit_bytes} bytes once inflated; got more"
            )
        lower = lower.removesuffix(".gz")
    if lower.endswith(".c3d"):
        if len(raw) < 512 or raw[1] != 0x50:
            raise InvalidParameterError(
                "recording: a .c3d file must start with the C3D signature; got other bytes"
            )
    else:
        try:
            check_text(raw, name="recording")
        except ReeducateError as exc:
            raise InvalidParameterError(str(exc)) from None
    safe = "recording" + (".c3d" if lower.endswith(".c3d") else Path(lower).suffix)
    target = folder / safe
    target.write_bytes(raw)
    return target


def record_visit(
    store: CareStore,
    user: UserAccount,
    log: SessionLog,
    /,
    *,
    recording: Path | None = None,
    condition: str | None = None,
) -> TreatmentSession:
    """Record a clinic visit, with its balance recording analysed and attached."""
    from reeducate.services.access import Action, Resource
    from reeducate.services.care import TrialLog, log_session

    authorize_change(store, user, log.patient_code, resource=Resource.SESSION, action=Action.CREATE)
    if recording is not None:
        authorize_change(
            store, user, log.patient_code, resource=Resource.BALANCE_TRIAL, action=Action.CREATE
        )
        log = replace(log, trials=(TrialLog(path=recording, condition=condition or None),))
    return log_session(acting(store, user), log)


def record_uploaded_visit(
    store: CareStore,
    user: UserAccount,
    log: SessionLog,
    /,
    *,
    upload: object,
    condition: str | None,
    limit_bytes: int,
) -> TreatmentSession:
    """:func:`record_visit` with the recording uploaded (an ``UploadFile`` with a name, else
    none): checked and copied by :func:`save_upload` into a private temporary folder that is
    removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="reeducate-upload-") as folder:
        path = None
        if isinstance(upload, UploadFile) and upload.filename:
            path = save_upload(
                upload.filename, upload.file.read, limit_bytes=limit_bytes, folder=Path(folder)
            )
        return record_visit(store, user, log, recording=path, condition=condition)


def score_for(
    store: CareStore,
    user: UserAccount,
    code: str,
    /,
    *,
    measure_id: str,
    items: Mapping[str, object] | None,
    value: object,
    scored_on: date,
) -> StoredOutcomeScore:
    """Score ``measure_id`` item by item (or its single value) and store it for ``code``."""
    from reeducate.services.access import Action, Resource
    from reeducate.services.care import store_score
    from reeducate.services.library import measure_detail, score_measure

    authorize_change(store, user, code, resource=Resource.OUTCOME_SCORE, action=Action.CREATE)
    detail = measure_detail(measure_id)
    parsed: dict[str, float | None] = {}
    for item in detail.items:
        raw = (items or {}).get(item.id)
        number = _number(
            f"items.{item.id}", raw, integer=item.integer, low=item.low, high=item.high
        )
        parsed[item.id] = None if number is None else float(number)
    single = _number("value", value, integer=False, low=0)
    if single is not None:
        report = score_measure(measure_id, value=float(single))
    else:
        report = score_measure(measure_id, {k: v for k, v in parsed.items() if v is not None})
    return store_score(acting(store, user), report, patient_code=code, scored_on=scored_on)


# --------------------------------------------------------------------------------------------
# Pages
# --------------------------------------------------------------------------------------------

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def _render(
    request: Request, name: str, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    from reeducate.web.pages import render

    return render(
        request,
        f"therapist/forms/{name}",
        {"section": "patients", **context},
        status_code=status_code,
    )


def _back(code: str, anchor: str) -> RedirectResponse:
    from urllib.parse import quote

    return RedirectResponse(f"/patients/{quote(code)}#{anchor}", status_code=303)


@dataclass(frozen=True, slots=True, kw_only=True)
class _PlanView:
    """What the write pages show of the plan in force (no identifying data but the name)."""

    name: str | None
    prescription: Prescription | None
    names: Mapping[str, str]
    doses: Mapping[str, str]
    note: str | None


def _plan_view(store: CareStore, user: UserAccount, code: str, today: date) -> _PlanView:
    from reeducate.services.access import Action, Resource
    from reeducate.services.care import describe_dose, plan_overview

    authorize_change(
        store, user, code, resource=Resource.PRESCRIPTION, action=Action.READ, read=True
    )
    name = _patient_name(store, user, code)
    try:
        plan = plan_overview(store, code, today=today)
    except ReeducateError as exc:
        return _PlanView(name=name, prescription=None, names={}, doses={}, note=str(exc))
    rx = plan.prescription
    doses = {} if rx is None else {x.variant_id: describe_dose(x.dose) for x in rx.exercises}
    return _PlanView(
        name=name, prescription=rx, names=dict(plan.exercise_names), doses=doses, note=None
    )


def _patient_name(store: CareStore, user: UserAccount, code: str) -> str | None:
    from reeducate.store.engine import transaction
    from reeducate.store.repositories import Repositories

    with transaction(store.factory) as session:
        patient = Repositories(session, actor=user.id, clock=store.clock).patients.get(code)
        return None if patient.identity is None else patient.identity.name


def _screened_contraindications(
    store: CareStore, user: UserAccount, code: str, /, *, known: Mapping[str, str]
) -> tuple[str, ...]:
    """The codes of the patient's active NMES screening items that the library's search knows
    (``known``), sorted; the read is audited like any read of the patient's data (the caller
    has authorized it)."""
    from reeducate.store.engine import transaction
    from reeducate.store.nmes_repositories import NmesScreeningRepository
    from reeducate.store.repositories import Repositories

    with transaction(store.factory) as session:
        repos = Repositories(session, actor=user.id, clock=store.clock)
        items = NmesScreeningRepository(session, repos.audit, actor=user.id).active(code)
        if items:
            repos.audit.record_read(
                "patient",
                code,
                {
                    "resource": "nmes_screening_item",
                    "action": "read",
                    "record_ids": [item.id for item in items],
                    "role": user.role.value,
                },
            )
    return tuple(sorted({item.code for item in items if item.code in known}))


def _prescribe_context(
    request: Request, store: CareStore, user: UserAccount, code: str
) -> dict[str, Any]:
    from reeducate.services.library import library_terms, search_exercises

    params = request.query_params
    today = today_of(store)
    view = _plan_view(store, user, code, today)
    terms = library_terms()
    screened = _screened_contraindications(store, user, code, known=terms.contraindications)
    form: dict[str, Any] = {
        "q": (params.get("q") or "")[:200],
        "region": (params.get("region") or "")[:40],
        "technique": (params.get("technique") or "")[:40],
        "equipment": [e[:40] for e in params.getlist("equipment")[:30]],
        # The search form sends "filtered": then the ticks are the therapist's; before it, the
        # patient's screening.
        "contraindication": [c[:60] for c in params.getlist("contraindication")[:30]]
        if params.get("filtered") == "1"
        else list(screened),
        "hide": params.get("hide") == "1",
    }
    search_error = None
    hits: Sequence[Any] = ()
    try:
        found = search_exercises(
            region=form["region"] or None,
            technique=form["technique"] or None,
            equipment=None
            if not form["equipment"]
            else [e for e in form["equipment"] if e != "none"],
            contraindications=form["contraindication"],
            flag_contraindicated=not form["hide"],
            text=form["q"] or None,
        )
        hits = found.exercises[:40]
        count = found.count
    except ReeducateError as exc:
        search_error, count = str(exc), 0
    library = store.exercises()
    defaults = {h.id: library.get(h.id).dose for h in hits}
    return {
        "user": user,
        "code": code,
        "view": view,
        "today": today,
        "terms": terms,
        "screened": screened,
        "form": form,
        "hits": hits,
        "count": count,
        "defaults": defaults,
        "current": {}
        if view.prescription is None
        else {x.variant_id: x.dose for x in view.prescription.exercises},
        "search_error": search_error,
    }


@router.get("/patients/{code}/prescribe", name="prescribe_page")
def prescribe_page(
    request: Request, code: PatientCode, user: TherapistUser, store: StoreDep
) -> HTMLResponse:
    """Search the library for the patient and prescribe; adjust the doses in force."""
    return _render(request, "prescribe.html", _prescribe_context(request, store, user, code))


@router.post("/patients/{code}/prescriptions", name="prescribe_submit", response_model=None)
async def prescribe_submit(
    request: Request, code: PatientCode, user: TherapistUser, store: StoreDep
) -> Response:
    """Prescribe (or re-dose) one exercise from today; back to the chart."""
    form = await request.form()
    values = {k: form.get(k) for k in (*_DOSE_FIELDS, "variant_id")}
    try:
        prescribe_for(
            store,
            user,
            code,
            variant_id=str(values.get("variant_id") or ""),
            dose={k: values.get(k) for k in _DOSE_FIELDS},
            today=today_of(store),
        )
    except ReeducateError as exc:
        if isinstance(exc, PermissionError):
            raise
        context = _prescribe_context(request, store, user, code)
        context["error"] = str(exc)
        return _render(request, "prescribe.html", context, status_code=status_for(exc))
    return _back(code, "rx-title")


def _review_context(store: CareStore, user: UserAccount, code: str) -> dict[str, Any]:
    from reeducate.services.access import Action, Resource
    from reeducate.services.care import progress
    from reeducate.services.library import exercise_detail

    authorize_change(store, user, code, resource=Resource.DECISION, action=Action.LIST, read=True)
    today = today_of(store)
    name = _patient_name(store, user, code)
    items: Sequence[Any] = ()
    note = None
    try:
        items = progress(store, code, today=today).exercises
    except ReeducateError as exc:
        note = str(exc)
    options = {}
    for item in items:
        detail = exercise_detail(item.variant_id)
        options[item.variant_id] = [*detail.harder, *detail.easier]
    return {
        "user": user,
        "code": code,
        "name": name,
        "today": today,
        "items": items,
        "options": options,
        "note": note,
    }


@router.get("/patients/{code}/recommendations", name="review_page")
def review_page(
    request: Request, code: PatientCode, user: TherapistUser, store: StoreDep
) -> HTMLResponse:
    """The engine's recommendations with their evidence, each with accept / change / reject."""
    return _render(request, "review.html", _review_context(store, user, code))


@router.post("/patients/{code}/decisions", name="decide_submit", response_model=None)
async def decide_submit(
    request: Request, code: PatientCode, user: TherapistUser, store: StoreDep
) -> Response:
    """Store the therapist's decision on one recommendation; back to the chart."""
    form = await request.form()
    try:
        decide_for(
            store,
            user,
            code,
            variant_id=str(form.get("variant_id") or ""),
            decision=str(form.get("decision") or ""),
            reason=str(form.get("reason") or ""),
            change_to=str(form.get("change_to") or ""),
            today=today_of(store),
        )
    except ReeducateError as exc:
        if isinstance(exc, PermissionError):
            raise
        context = _review_context(store, user, code)
        context["error"] = str(exc)
        return _render(request, "review.html", context, status_code=status_for(exc))
    return _back(code, "rec-title")


def _visit_context(store: CareStore, user: UserAccount, code: str) -> dict[str, Any]:
    from reeducate.clinic.progression import Symptom
    from reeducate.clinic.progression_rules import Assistance
    from reeducate.services.library import CPT_LABELS

    today = today_of(store)
    view = _plan_view(store, user, code, today)
    library = store.exercises()
    prescribed = [] if view.prescription is None else list(view.prescription.exercises)
    rows = []
    for i in range(max(VISIT_ROWS, len(prescribed))):
        item = prescribed[i] if i < len(prescribed) else None
        rows.append(
            {
                "variant_id": "" if item is None else item.variant_id,
                "kind": "hold" if item is not None and item.dose.reps is None else "reps",
                "hint": ""
                if item is None
                else ", ".join(
                    [str(item.dose.reps if item.dose.reps is not None else f"{item.dose.hold_s:g}")]
                    * item.dose.sets
                ),
            }
        )
    choices = sorted(((v.id, v.name) for v in library), key=lambda p: p[1])
    return {
        "user": user,
        "code": code,
        "view": view,
        "today": today,
        "rows": rows,
        "choices": choices,
        "symptoms": [s.value for s in Symptom],
        "assistance": [a.value for a in Assistance],
        "cpt": [(c, CPT_LABELS.get(c, c)) for c in CPT_CODES],
        "conditions": ("eo-firm", "ec-firm", "eo-foam", "ec-foam"),
        "limit_mib": "",
        "values": {},
    }


def _form_rows(form: Any) -> list[dict[str, Any]]:
    rows = []
    for i in range(20):
        prefix = f"ex-{i}-"
        if not any(k.startswith(prefix) for k in form):
            continue
        rows.append(
            {
                "variant_id": form.get(prefix + "variant_id"),
                "kind": form.get(prefix + "kind"),
                "done": form.get(prefix + "done"),
                "difficulty": form.get(prefix + "difficulty"),
                "quality": form.get(prefix + "quality"),
                "pain_before": form.get(prefix + "pain_before"),
                "pain_after": form.get(prefix + "pain_after"),
                "symptoms": form.getlist(prefix + "symptoms"),
                "balance_event": form.get(prefix + "balance_event"),
                "losses_of_balance": form.get(prefix + "losses_of_balance"),
                "assistance": form.get(prefix + "assistance"),
                "cues": form.get(prefix + "cues"),
            }
        )
    return rows


@router.get("/patients/{code}/visits/new", name="visit_page")
def visit_page(
    request: Request, code: PatientCode, user: TherapistUser, store: StoreDep
) -> HTMLResponse:
    """The clinic-visit form, prefilled with the exercises in force."""
    context = _visit_context(store, user, code)
    context["limit_mib"] = f"{get_settings(request).upload_limit_bytes / 2**20:g}"
    return _render(request, "visit.html", context)


@router.post("/patients/{code}/visits", name="visit_submit", response_model=None)
async def visit_submit(
    request: Request, code: PatientCode, user: TherapistUser, store: StoreDep
) -> Response:
    """Record the visit (and analyse its recording); back to the chart."""
    limit = get_settings(request).upload_limit_bytes
    form = await request.form()
    upload = form.get("recording")
    try:
        return _visit_submit(request, code, user, store, form, upload, limit)
    finally:
        await form.close()


def _visit_submit(
    request: Request,
    code: str,
    user: UserAccount,
    store: CareStore,
    form: Any,
    upload: object,
    limit: int,
) -> Response:
    values = {
        "session_date": form.get("session_date"),
        "note": form.get("note"),
        "minutes": {c: form.get(f"minutes-{c}") for c in CPT_CODES},
    }
    try:
        log = visit_from_form(code, values, today=today_of(store), rows=_form_rows(form))
        record_uploaded_visit(
            store,
            user,
            log,
            upload=upload,
            condition=str(form.get("condition") or ""),
            limit_bytes=limit,
        )
    except ReeducateError as exc:
        if isinstance(exc, PermissionError):
            raise
        context = _visit_context(store, user, code)
        context["limit_mib"] = f"{limit / 2**20:g}"
        context["error"] = str(exc)
        context["values"] = {k: form.get(k) for k in form}
        return _render(request, "visit.html", context, status_code=status_for(exc))
    return _back(code, "sessions-title")


def _score_context(
    store: CareStore, user: UserAccount, code: str, measure_id: str | None
) -> dict[str, Any]:
    from reeducate.services.access import Action, Resource
    from reeducate.services.library import list_measures, measure_detail

    authorize_change(store, user, code, resource=Resource.OUTCOME_SCORE, action=Action.CREATE)
    detail = None
    error = None
    if measure_id:
        try:
            detail = measure_detail(measure_id)
        except ReeducateError as exc:
            error = str(exc)
    return {
        "user": user,
        "code": code,
        "name": _patient_name(store, user, code),
        "today": today_of(store),
        "measures": list_measures(),
        "detail": detail,
        "error": error,
        "values": {},
    }


@router.get("/patients/{code}/scores/new", name="score_page")
def score_page(
    request: Request,
    code: PatientCode,
    user: TherapistUser,
    store: StoreDep,
    measure: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    """Choose a measure, then score it item by item."""
    context = _score_context(store, user, code, measure)
    status = 200 if context["error"] is None else 404
    return _render(request, "score.html", context, status_code=status)


@router.post("/patients/{code}/scores", name="score_submit", response_model=None)
async def score_submit(
    request: Request, code: PatientCode, user: TherapistUser, store: StoreDep
) -> Response:
    """Score and store the measure; back to the chart."""
    form = await request.form()
    measure_id = str(form.get("measure") or "")[:40]
    today = today_of(store)
    try:
        day = past_day("scored_on", form.get("scored_on"), today=today)
        items = {str(k)[5:]: v for k, v in form.items() if str(k).startswith("item-") and v != ""}
        score_for(
            store,
            user,
            code,
            measure_id=measure_id,
            items=items,
            value=form.get("value"),
            scored_on=day,
        )
    except ReeducateError as exc:
        if isinstance(exc, PermissionError):
            raise
        context = _score_context(store, user, code, measure_id)
        context["error"] = str(exc)
        context["values"] = {k: form.get(k) for k in form}
        return _render(request, "score.html", context, status_code=status_for(exc))
    return _back(code, "trends-title")
