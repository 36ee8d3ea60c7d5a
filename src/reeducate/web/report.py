"""The therapist's printable progress report, as a page (A4 when printed) and as a PDF.

One read model (:func:`progress_report`) for one reporting period, one template
(``therapist/report.html``), two outputs: ``GET /patients/{code}/report`` (HTML; the print
stylesheet hides the navigation and lays the document out on A4) and
``GET /patients/{code}/report.pdf``, the same HTML rendered by WeasyPrint
(:func:`reeducate.web.pdf.pdf_from_html`, which fetches nothing from the network). The JSON API
offers the PDF too (:mod:`reeducate.api.v1_patients`).

Reporting period
    ``?start=YYYY-MM-DD&end=YYYY-MM-DD``; ``end`` defaults to today, ``start`` to the start of
    the current plan of care (when it began on or before ``end``), else to 30 days before
    ``end``. A value that is not such a date, or an ``end`` before ``start``, answers 422 with
    the field named, and nothing is read or audited.

What is in the period, and what is "as of its end"
    ============================  ==========================================================
    item                          records used
    ============================  ==========================================================
    goals                         latest value on or before ``end`` (a score or a trial metric)
    outcome-measure trends        scores dated in the period (MCID band around the first one)
    attendance                    clinic visits (distinct dates) and home sessions (distinct
                                  date and session of the day) in the period, against the
                                  plan's frequency and the home programme's sessions per week
    treatment visits              clinic visits under the plan from its start to ``end``
                                  (Medicare BPM ch. 15 §220.3D: a report every 10)
    exercises in force            the prescription in force on ``end``
    decisions, symptoms, trials,  dated in the period
    minutes per code
    ============================  ==========================================================

Goal status (:class:`GoalStatus`)
    ``met``: the latest value reaches the target in the goal's direction; ``progressing``: it
    is beyond the baseline towards the target; ``not_progressing``: at or behind the baseline;
    ``not_measured``: nothing measured it on or before ``end``.

Access and audit
    As for the chart (:func:`reeducate.web.therapist.patient_chart`): the therapist of the
    patient's clinic only; another clinic's patient and an unknown code are refused alike (403)
    before anything is read; every kind of record shown is audited as read, with the ids used,
    in the same transaction as the reads. The patient's name is in the document body only:
    never in the page title, the PDF's file name or metadata, or a log line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Final

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from reeducate.errors import InvalidParameterError
from reeducate.web.deps import StoreDep, TherapistUser
from reeducate.web.therapist import (
    GoalView,
    MeasureTrend,
    PatientCode,
    TrialView,
    symptom_findings,
    today_of,
)

if TYPE_CHECKING:
    from reeducate.clinic.care import (
        EpisodeOfCare,
        Goal,
        PlanOfCare,
        Prescription,
        TreatmentSession,
    )
    from reeducate.services.care import CareStore
    from reeducate.store.repositories import (
        ProgressionDecisionRecord,
        Repositories,
        UserAccount,
    )

__all__ = [
    "DEFAULT_PERIOD_DAYS",
    "Attendance",
    "CodeMinutes",
    "DayQuery",
    "DecisionView",
    "ExerciseInForce",
    "GoalStatus",
    "ProgressReport",
    "ReportGoal",
    "SymptomView",
    "attendance",
    "goal_status",
    "minutes_by_code",
    "parse_day",
    "pdf_filename",
    "progress_report",
    "render_report_html",
    "report_for",
    "report_pdf_response",
    "router",
    "symptoms_flagged",
]

#: Without a plan of care (or with one that begins after the period's end), the period is the
#: 30 days before its end.
DEFAULT_PERIOD_DAYS: Final = 30

_ISO_DAY: Final = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

DayQuery = Annotated[str | None, Query(max_length=40, description="a date, YYYY-MM-DD")]


class GoalStatus(StrEnum):
    """Where a goal stands at the end of the period."""

    MET = "met"
    PROGRESSING = "progressing"
    NOT_PROGRESSING = "not_progressing"
    NOT_MEASURED = "not_measured"

    @property
    def label(self) -> str:
        """The status in words."""
        return _GOAL_LABELS[self]


_GOAL_LABELS: Final[Mapping[GoalStatus, str]] = {
    GoalStatus.MET: "Met",
    GoalStatus.PROGRESSING: "Progressing",
    GoalStatus.NOT_PROGRESSING: "Not progressing",
    GoalStatus.NOT_MEASURED: "Not yet measured",
}


def goal_status(goal: Goal, current_value: float | None, /) -> GoalStatus:
    """The status of ``goal`` given its latest value (None: not measured).

    Examples
    --------
    >>> from datetime import date
    >>> from reeducate.clinic.care import Goal
    >>> tug = Goal(id="G-1", description="Walk safely", measure_kind="outcome_measure",
    ...            measure="tug", direction="decrease", baseline_value=16, target_value=11,
    ...            baseline_date=date(2025, 3, 3), target_date=date(2025, 5, 1))
    >>> [goal_status(tug, v).value for v in (None, 17, 16, 12.5, 11)]
    ['not_measured', 'not_progressing', 'not_progressing', 'progressing', 'met']
    """
    if current_value is None:
        return GoalStatus.NOT_MEASURED
    if goal.achieved(current_value):
        return GoalStatus.MET
    if goal.progress_ratio(current_value) > 0:
        return GoalStatus.PROGRESSING
    return GoalStatus.NOT_PROGRESSING


@dataclass(frozen=True, slots=True, kw_only=True)
class ReportGoal:
    """A goal with its latest value on or before the period's end, and its status."""

    view: GoalView
    status: GoalStatus


@dataclass(frozen=True, slots=True, kw_only=True)
class Attendance:
    """Clinic visits and home sessions in the period, against what was planned.

    ``clinic_visits_planned`` is the plan's visits per week times the weeks of the period the
    plan covers (rounded down; None without a plan); ``home_sessions_expected`` sums, over the
    days of the period, the sessions per week of the home programme in force that day, over 7
    (rounded down; None without a prescription in the period).
    """

    clinic_visits: int
    clinic_visits_planned: int | None
    home_sessions: int
    home_sessions_expected: int | None
    treatment_visits_to_date: int | None
    """Clinic visits under the plan from its start to the period's end (None without a plan)."""

    @property
    def clinic_pct(self) -> float | None:
        """Clinic visits as a percentage of those planned (None when none were planned)."""
        return _pct(self.clinic_visits, self.clinic_visits_planned)

    @property
    def home_pct(self) -> float | None:
        """Home sessions as a percentage of those expected (None when none were expected)."""
        return _pct(self.home_sessions, self.home_sessions_expected)


def _pct(done: int, planned: int | None) -> float | None:
    return None if not planned else 100.0 * done / planned


@dataclass(frozen=True, slots=True, kw_only=True)
class ExerciseInForce:
    """An exercise of the prescription in force, with its dose in words."""

    variant_id: str
    name: str
    dose: str


@dataclass(frozen=True, slots=True, kw_only=True)
class DecisionView:
    """A progression recommendation of the period and the therapist's decision on it."""

    id: str
    made_on: date
    exercise: str
    recommended: str
    recommended_exercise: str
    rule: str
    evidence: str
    decision: str
    exercise_after: str
    reason: str | None
    decided_by: str
    """The login of the therapist who decided (their account id when not of this clinic)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class SymptomView:
    """An exercise of a session in the period with a symptom, a pain rise or a balance event
    (:func:`reeducate.web.therapist.symptom_findings`)."""

    on: date
    setting: str
    exercise: str
    words: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CodeMinutes:
    """Treatment minutes under one procedure code in the period."""

    code: str
    label: str
    minutes: int
    sessions: int


@dataclass(frozen=True, slots=True, kw_only=True)
class ProgressReport:
    """Everything the progress report shows. ``name`` is for the document body only."""

    code: str
    name: str | None
    start: date
    end: date
    prepared_on: date
    therapist_login: str
    episode: EpisodeOfCare | None
    plan: PlanOfCare | None
    prescription: Prescription | None
    exercises: tuple[ExerciseInForce, ...]
    goals: tuple[ReportGoal, ...]
    trends: tuple[MeasureTrend, ...]
    attendance: Attendance
    decisions: tuple[DecisionView, ...]
    symptoms: tuple[SymptomView, ...]
    trials: tuple[TrialView, ...]
    minutes: tuple[CodeMinutes, ...]

    @property
    def total_minutes(self) -> int:
        """Treatment minutes over all codes in the period."""
        return sum(m.minutes for m in self.minutes)

    @property
    def period_days(self) -> int:
        """Days in the period, both ends included."""
        return (self.end - self.start).days + 1


# --------------------------------------------------------------------------------------------
# The period
# --------------------------------------------------------------------------------------------


def parse_day(field: str, raw: str | None, /) -> date | None:
    """``raw`` as a date (``YYYY-MM-DD``); None when absent or empty.

    Raises
    ------
    InvalidParameterError
        Not a date of that form; the message names ``field``.

    Examples
    --------
    >>> parse_day("start", "2025-03-03"), parse_day("end", "")
    (datetime.date(2025, 3, 3), None)
    >>> parse_day("start", "2025-02-30")
    Traceback (most recent call last):
    ...
    reeducate.errors.InvalidParameterError: start must be a date YYYY-MM-DD; got '2025-02-30'
    """
    if raw is None or not raw.strip():
        return None
    text = raw.strip()
    try:
        if not _ISO_DAY.fullmatch(text):
            raise ValueError(text)
        return date.fromisoformat(text)
    except ValueError:
        raise InvalidParameterError(
            f"{field} must be a date YYYY-MM-DD; got {text[:40]!r}"
        ) from None


def _period(
    start: date | None, end: date | None, plan: PlanOfCare | None, *, today: date
) -> tuple[date, date]:
    last = today if end is None else end
    if start is None:
        if plan is not None and plan.start_date <= last:
            start = plan.start_date
        else:
            start = last - timedelta(days=DEFAULT_PERIOD_DAYS)
    if last < start:
        raise InvalidParameterError(
            f"end must be on or after start ({start.isoformat()}); got {last.isoformat()}"
        )
    return start, last


# --------------------------------------------------------------------------------------------
# Pieces of the report (pure: records in, views out)
# --------------------------------------------------------------------------------------------


def _overlap_days(a: tuple[date, date], b: tuple[date, date]) -> int:
    first, last = max(a[0], b[0]), min(a[1], b[1])
    return max(0, (last - first).days + 1)


def _home_expected(
    prescriptions: Sequence[Prescription], period: tuple[date, date]
) -> tuple[int | None, list[Prescription]]:
    """Home sessions expected in ``period`` and the prescriptions in force in it."""
    ordered = sorted(prescriptions, key=lambda p: (p.start_date, p.id))
    used: list[Prescription] = []
    total = 0.0
    for i, rx in enumerate(ordered):
        until = ordered[i + 1].start_date - timedelta(days=1) if i + 1 < len(ordered) else None
        days = _overlap_days(period, (rx.start_date, until or period[1]))
        if days and rx.exercises:
            used.append(rx)
            total += max(x.dose.sessions_per_week for x in rx.exercises) * days / 7
    return (math.floor(total + 1e-9) if used else None), used


def attendance(
    sessions: Sequence[TreatmentSession],
    /,
    *,
    period: tuple[date, date],
    plan: PlanOfCare | None,
    prescriptions: Sequence[Prescription],
) -> Attendance:
    """Attendance in ``period`` from the sessions up to its end (see :class:`Attendance`)."""
    from reeducate.clinic.care import count_treatment_visits

    start, end = period
    inside = [s for s in sessions if start <= s.session_date <= end]
    clinic = {s.session_date for s in inside if str(s.setting) == "clinic"}
    home = {(s.session_date, s.sequence) for s in inside if str(s.setting) == "home"}
    planned = None
    to_date = None
    if plan is not None:
        days = _overlap_days(period, (plan.start_date, plan.end_date))
        planned = math.floor(plan.frequency_per_week * days / 7 + 1e-9)
        to_date = count_treatment_visits(plan, sessions, through=end)
    expected, _ = _home_expected(prescriptions, period)
    return Attendance(
        clinic_visits=len(clinic),
        clinic_visits_planned=planned,
        home_sessions=len(home),
        home_sessions_expected=expected,
        treatment_visits_to_date=to_date,
    )


def minutes_by_code(sessions: Sequence[TreatmentSession], /) -> tuple[CodeMinutes, ...]:
    """Minutes per procedure code over ``sessions``, by code."""
    from reeducate.services.library import CPT_LABELS

    minutes: dict[str, int] = {}
    counts: dict[str, int] = {}
    for session in sessions:
        for code, value in session.minutes_by_code.items():
            minutes[code] = minutes.get(code, 0) + value
            counts[code] = counts.get(code, 0) + 1
    return tuple(
        CodeMinutes(
            code=code,
            label=CPT_LABELS.get(code, ""),
            minutes=minutes[code],
            sessions=counts[code],
        )
        for code in sorted(minutes)
    )


def symptoms_flagged(
    sessions: Sequence[TreatmentSession], /, *, names: Mapping[str, str]
) -> tuple[SymptomView, ...]:
    """Every exercise of ``sessions`` with a symptom, a pain rise or a balance event, in
    session order (the chart's rule, applied to each exercise on its own)."""
    from dataclasses import replace

    found = []
    for session in sessions:
        for done in session.exercises:
            alone = replace(session, exercises=(done,), cues={})
            for day, words in symptom_findings([alone], today=session.session_date):
                found.append(
                    SymptomView(
                        on=day,
                        setting=str(session.setting),
                        exercise=names.get(done.variant_id, done.variant_id),
                        words=words,
                    )
                )
    return tuple(found)


def _logins(repos: Repositories, ids: set[str], /, *, clinic_id: str | None) -> dict[str, str]:
    """Login names of the accounts ``ids`` of the clinic ``clinic_id`` (others are left out:
    the report then shows the id)."""
    from reeducate.errors import NotFoundError

    found = {}
    for user_id in sorted(ids):
        try:
            account = repos.users.get(user_id)
        except NotFoundError:
            continue
        if clinic_id is not None and account.clinic_id == clinic_id:
            found[user_id] = account.login
    return found


def _decision_view(
    record: ProgressionDecisionRecord, names: Mapping[str, str], logins: Mapping[str, str]
) -> DecisionView:
    return DecisionView(
        id=record.id,
        made_on=record.made_on,
        exercise=names.get(record.variant_id, record.variant_id),
        recommended=str(record.recommended),
        recommended_exercise=names.get(
            record.recommended_variant_id, record.recommended_variant_id
        ),
        rule=str(record.rule),
        evidence=record.evidence,
        decision=str(record.decision),
        exercise_after=names.get(record.variant_id_after, record.variant_id_after),
        reason=record.reason,
        decided_by=logins.get(record.decided_by, record.decided_by),
    )


# --------------------------------------------------------------------------------------------
# The read model
# --------------------------------------------------------------------------------------------


#: The kinds of record the report shows (authorized before anything is read).
_REPORT_RECORDS: Final = (
    "episode",
    "plan",
    "prescription",
    "session",
    "outcome_score",
    "balance_trial",
    "decision",
)


def progress_report(
    store: CareStore,
    user: UserAccount,
    code: str,
    /,
    *,
    start: date | None,
    end: date | None,
    today: date,
) -> ProgressReport:
    """The progress report of patient ``code`` for ``user``, every kind of record read
    authorized and audited (one transaction).

    Parameters
    ----------
    start, end : date or None
        The reporting period (both included); None: the defaults (module docstring).
    today : date
        The report's date (the store's clock).

    Raises
    ------
    reeducate.services.access.PermissionDeniedError
        Another clinic's patient, an unknown code, or a user who may not read it (nothing is
        read or written).
    InvalidParameterError
        ``end`` before ``start`` (nothing is written).
    """
    from reeducate.services.access import Resource, authorize_view, record_view
    from reeducate.services.care import describe_dose
    from reeducate.store.engine import transaction
    from reeducate.store.repositories import Repositories
    from reeducate.web.therapist import _current_plan, _goals, _trends, _trial_views

    with transaction(store.factory) as session:
        repos = Repositories(session, actor=user.id, clock=store.clock)
        # First, before anything is read: every kind of record the report shows.
        authorize_view(repos, user, patient_code=code, resources=map(Resource, _REPORT_RECORDS))
        patient = repos.patients.get(code)
        episode, plan = _current_plan(repos, repos.episodes.for_patient(code))
        period = _period(start, end, plan, today=today)
        first, last = period
        prescriptions = [] if plan is None else repos.prescriptions.for_plan(plan.id)
        in_force = None if plan is None else repos.prescriptions.current(plan.id, on=last)
        sessions = repos.sessions.for_patient(code, until=last)
        scores = [s for s in repos.outcome_scores.for_patient(code) if s.scored_on <= last]
        trials = [t for t in repos.trials.for_patient(code) if t.recorded_at.date() <= last]
        decisions = [d for d in repos.decisions.for_patient(code) if first <= d.made_on <= last]
        _, rx_used = _home_expected(prescriptions, period)
        rx_ids = dict.fromkeys([r.id for r in rx_used] + ([in_force.id] if in_force else []))
        reads: list[tuple[Resource, list[str]]] = [
            (Resource.EPISODE, [] if episode is None else [episode.id]),
            (Resource.PLAN, [] if plan is None else [plan.id]),
            (Resource.PRESCRIPTION, list(rx_ids)),
            (Resource.SESSION, [s.id for s in sessions]),
            (Resource.OUTCOME_SCORE, [s.id for s in scores]),
            (Resource.BALANCE_TRIAL, [t.id for t in trials]),
            (Resource.DECISION, [d.id for d in decisions]),
        ]
        record_view(repos, user, patient_code=code, records=dict(reads))  # one event
        deciders = _logins(repos, {d.decided_by for d in decisions}, clinic_id=user.clinic_id)
    in_period = [s for s in sessions if first <= s.session_date <= last]
    library = store.exercises()
    wanted = {x.variant_id for x in in_force.exercises} if in_force else set()
    wanted |= {
        v for d in decisions for v in (d.variant_id, d.recommended_variant_id, d.variant_id_after)
    }
    wanted |= {x.variant_id for s in in_period for x in s.exercises}
    names = {v: library.get(v).name for v in wanted if v in library}
    goal_views = _goals(plan, scores, trials)
    goals = tuple(
        ReportGoal(view=view, status=goal_status(goal, view.current_value))
        for goal, view in zip(() if plan is None else plan.goals, goal_views, strict=True)
    )
    identity = patient.identity
    return ProgressReport(
        code=code,
        name=None if identity is None else identity.name,
        start=first,
        end=last,
        prepared_on=today,
        therapist_login=user.login,
        episode=episode,
        plan=plan,
        prescription=in_force,
        exercises=()
        if in_force is None
        else tuple(
            ExerciseInForce(
                variant_id=x.variant_id,
                name=names.get(x.variant_id, x.variant_id),
                dose=describe_dose(x.dose),
            )
            for x in in_force.exercises
        ),
        goals=goals,
        trends=_trends([s for s in scores if s.scored_on >= first], plan),
        attendance=attendance(sessions, period=period, plan=plan, prescriptions=prescriptions),
        decisions=tuple(_decision_view(d, names, deciders) for d in decisions),
        symptoms=symptoms_flagged(in_period, names=names),
        trials=_trial_views([t for t in trials if t.recorded_at.date() >= first]),
        minutes=minutes_by_code(in_period),
    )


# --------------------------------------------------------------------------------------------
# Rendering
# --------------------------------------------------------------------------------------------

TEMPLATE: Final = "therapist/report.html"


def _context(request: Request, user: UserAccount, report: ProgressReport) -> dict[str, Any]:
    return {"request": request, "user": user, "section": "patients", "report": report}


def render_report_html(request: Request, user: UserAccount, report: ProgressReport, /) -> str:
    """The report page as HTML text (what the PDF is made from)."""
    templates = request.app.state.templates
    text: str = templates.env.get_template(TEMPLATE).render(_context(request, user, report))
    return text


def pdf_filename(report: ProgressReport, /) -> str:
    """The PDF's file name: the code and the period's end, never the name.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> pdf_filename(SimpleNamespace(code="P-0001", end=date(2025, 3, 31)))
    'progress-report-P-0001-2025-03-31.pdf'
    """
    return f"progress-report-{report.code}-{report.end.isoformat()}.pdf"


def report_pdf_response(request: Request, user: UserAccount, report: ProgressReport, /) -> Response:
    """The report as a PDF attachment (rendered from the page's HTML); 503 when the PDF
    renderer is not installed."""
    from fastapi import HTTPException

    from reeducate.web.deps import app_context
    from reeducate.web.pdf import PdfUnavailableError, pdf_from_html

    html = render_report_html(request, user, report)
    try:
        pdf = pdf_from_html(html, assets=app_context(request).assets)
    except PdfUnavailableError:
        raise HTTPException(status_code=503) from None
    return Response(
        content=pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'attachment; filename="{pdf_filename(report)}"',
            "Cache-Control": "no-store",
        },
    )


def report_for(
    store: CareStore,
    user: UserAccount,
    code: str,
    /,
    *,
    start: str | None,
    end: str | None,
) -> ProgressReport:
    """:func:`progress_report` for the raw query values (checked before anything is read)."""
    first, last = parse_day("start", start), parse_day("end", end)
    return progress_report(store, user, code, start=first, end=last, today=today_of(store))


# --------------------------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------------------------

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


@router.get("/patients/{code}/report", name="progress_report")
def report_page(
    request: Request,
    code: PatientCode,
    user: TherapistUser,
    store: StoreDep,
    start: DayQuery = None,
    end: DayQuery = None,
) -> HTMLResponse:
    """The progress report, printable on A4."""
    report = report_for(store, user, code, start=start, end=end)
    return HTMLResponse(
        render_report_html(request, user, report), headers={"Cache-Control": "no-store"}
    )


@router.get("/patients/{code}/report.pdf", name="progress_report_pdf")
def report_pdf(
    request: Request,
    code: PatientCode,
    user: TherapistUser,
    store: StoreDep,
    start: DayQuery = None,
    end: DayQuery = None,
) -> Response:
    """The progress report as a PDF attachment."""
    report = report_for(store, user, code, start=start, end=end)
    return report_pdf_response(request, user, report)
