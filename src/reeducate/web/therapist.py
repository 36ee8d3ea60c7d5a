"""The therapist's pages: the patient list with what needs attention today, and the chart.

Read-only in this step. Both pages are built from one read model (:func:`patient_list`,
:func:`patient_chart`), which the JSON API (:mod:`reeducate.api.v1_patients`) returns as it is,
so the pages and the API show the same data.

Access and audit
    The list shows the patients of the therapist's own clinic only and writes one audit event
    for the codes shown (:func:`~reeducate.services.access.audited_patient_list`). The chart
    authorizes and audits a read of every kind of record it shows (patient, episode, plan,
    prescription, session, outcome score, balance trial, decision) with
    :func:`~reeducate.services.access.record_read`, in the same transaction as the reads, before
    anything is rendered. A patient of another clinic and an unknown code are refused alike
    (403, no existence oracle). Patient codes go in addresses and logs; names only on the page.

What needs attention (:class:`AttentionKind`, most urgent first)
    ``symptom_flag``
        In the last :data:`SYMPTOM_LOOKBACK_DAYS` days a session recorded a symptom (dizziness,
        nausea, ...), pain 2 or more NPRS points above the session's start, or a near-fall or a
        fall (the engine's own mastery criteria: DOMAIN.md).
    ``recertification_due``
        The plan's re-certification date has come (Medicare BPM ch. 15 §220.1.3), or comes
        within 14 days (less urgent: ``recertification_soon``).
    ``decision_waiting``
        The engine recommends progressing or regressing an exercise in force and no decision
        was taken on it since the latest session the recommendation rests on.
    ``progress_report_due``
        10 treatment visits since the last progress report (Medicare BPM ch. 15 §220.3D).
    ``missed_home_sessions``
        The home programme asks for ``sessions_per_week`` sessions (the most of the exercises
        in force); fewer distinct home sessions (date and sequence) were logged in the 7 days
        ending today, pro rata when the prescription began less than 7 days ago.

    The list is sorted by the most urgent item, then by how many items, then by code.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Final

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from reeducate.errors import ReeducateError
from reeducate.web.deps import StoreDep, TherapistUser

if TYPE_CHECKING:
    from reeducate.clinic.care import (
        BalanceTrialRecord,
        EpisodeOfCare,
        PlanOfCare,
        Prescription,
        TreatmentSession,
    )
    from reeducate.services.care import CareStore, ExerciseProgress
    from reeducate.store.repositories import (
        ProgressionDecisionRecord,
        Repositories,
        StoredOutcomeScore,
        UserAccount,
    )

__all__ = [
    "MISSED_HOME_WINDOW_DAYS",
    "SYMPTOM_LOOKBACK_DAYS",
    "Attention",
    "AttentionKind",
    "PatientChart",
    "PatientListEntry",
    "patient_chart",
    "patient_list",
    "router",
]

#: How far back a symptom in a session flags the patient.
SYMPTOM_LOOKBACK_DAYS: Final = 14
#: The window in which home sessions are counted against the prescribed frequency.
MISSED_HOME_WINDOW_DAYS: Final = 7
#: Days before the re-certification due date from which the list warns.
RECERTIFICATION_WARNING_DAYS: Final = 14
#: A session's pain this many NPRS points above its start is a symptom.
PAIN_RISE_NPRS: Final = 2

PatientCode = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]


class AttentionKind(StrEnum):
    """What needs the therapist's attention, most urgent first."""

    SYMPTOM_FLAG = "symptom_flag"
    RECERTIFICATION_DUE = "recertification_due"
    DECISION_WAITING = "decision_waiting"
    PROGRESS_REPORT_DUE = "progress_report_due"
    MISSED_HOME_SESSIONS = "missed_home_sessions"
    RECERTIFICATION_SOON = "recertification_soon"

    @property
    def urgency(self) -> int:
        """0 is the most urgent."""
        return list(AttentionKind).index(self)

    @property
    def label(self) -> str:
        """A short label for a badge."""
        return _LABELS[self]


_LABELS: Final[Mapping[AttentionKind, str]] = {
    AttentionKind.SYMPTOM_FLAG: "Symptom flag",
    AttentionKind.RECERTIFICATION_DUE: "Re-certification due",
    AttentionKind.DECISION_WAITING: "Decision waiting",
    AttentionKind.PROGRESS_REPORT_DUE: "Progress report due",
    AttentionKind.MISSED_HOME_SESSIONS: "Missed home sessions",
    AttentionKind.RECERTIFICATION_SOON: "Re-certification soon",
}


@dataclass(frozen=True, slots=True, kw_only=True)
class Attention:
    """One thing that needs attention, in words."""

    kind: AttentionKind
    detail: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {"kind": self.kind.value, "label": self.kind.label, "detail": self.detail}


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientListEntry:
    """One patient of the list (the name is for the authorised therapist's page only)."""

    code: str
    name: str | None
    diagnoses: tuple[str, ...]
    plan_id: str | None
    last_session: date | None
    sessions_last_7_days: int
    attention: tuple[Attention, ...]

    @property
    def urgency(self) -> int:
        """The most urgent item's rank; ``len(AttentionKind)`` when nothing needs attention."""
        return min((a.kind.urgency for a in self.attention), default=len(AttentionKind))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {
            "code": self.code,
            "name": self.name,
            "diagnoses": list(self.diagnoses),
            "plan_id": self.plan_id,
            "last_session": _iso(self.last_session),
            "sessions_last_7_days": self.sessions_last_7_days,
            "attention": [a.to_dict() for a in self.attention],
        }


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


# --------------------------------------------------------------------------------------------
# Attention rules (pure: records in, findings out)
# --------------------------------------------------------------------------------------------


def symptom_findings(
    sessions: Iterable[TreatmentSession], /, *, today: date
) -> list[tuple[date, str]]:
    """(day, words) for every exercise with a symptom in the last
    :data:`SYMPTOM_LOOKBACK_DAYS` days up to ``today``."""
    since = today - timedelta(days=SYMPTOM_LOOKBACK_DAYS - 1)
    found: list[tuple[date, str]] = []
    for session in sessions:
        if not since <= session.session_date <= today:
            continue
        for done in session.exercises:
            words: list[str] = []
            symptoms = done.symptoms_before | done.symptoms_during | done.symptoms_after
            words += sorted(str(s).replace("_", " ") for s in symptoms)
            start = done.pain_before_nprs
            worst = max(
                (p for p in (done.pain_during_nprs, done.pain_after_nprs) if p is not None),
                default=None,
            )
            if start is not None and worst is not None and worst - start >= PAIN_RISE_NPRS:
                words.append(f"pain {start}→{worst}/10")
            if str(done.balance_event) != "none":
                words.append(str(done.balance_event).replace("_", " "))
            if words:
                found.append((session.session_date, ", ".join(words)))
    return found


def home_sessions_expected(
    prescription: Prescription | None, /, *, today: date
) -> tuple[int, int] | None:
    """(sessions per week asked for, sessions expected in the window ending ``today``), or
    None without a home programme in force."""
    if prescription is None or not prescription.exercises:
        return None
    per_week = max(x.dose.sessions_per_week for x in prescription.exercises)
    days = min(MISSED_HOME_WINDOW_DAYS, (today - prescription.start_date).days + 1)
    if days <= 0:
        return None
    return per_week, math.floor(per_week * days / MISSED_HOME_WINDOW_DAYS)


def home_sessions_logged(sessions: Iterable[TreatmentSession], /, *, today: date) -> int:
    """Distinct home sessions (date and sequence) in the 7 days ending ``today``."""
    since = today - timedelta(days=MISSED_HOME_WINDOW_DAYS - 1)
    return len(
        {
            (s.session_date, s.sequence)
            for s in sessions
            if str(s.setting) == "home" and since <= s.session_date <= today
        }
    )


def waiting_decisions(
    progress: Sequence[ExerciseProgress],
    decisions: Sequence[ProgressionDecisionRecord],
    /,
    *,
    prescription_id: str,
) -> list[ExerciseProgress]:
    """The recommendations to progress or regress that no decision has answered since the
    latest session they rest on."""
    waiting = []
    for item in progress:
        rec = item.recommendation
        if str(rec.decision) == "hold":
            continue
        latest = max((p.session_date for p in rec.data_points), default=None)
        answered = any(
            d.prescription_id == prescription_id
            and d.variant_id == item.variant_id
            and (latest is None or d.made_on >= latest)
            for d in decisions
        )
        if not answered:
            waiting.append(item)
    return waiting


def _plan_attention(
    plan: PlanOfCare, sessions: Sequence[TreatmentSession], *, today: date
) -> list[Attention]:
    from reeducate.clinic.care import (
        count_treatment_visits,
        progress_report_due,
        recertification_due,
    )

    found: list[Attention] = []
    due = plan.recertification_due_date
    if recertification_due(plan, on=today):
        found.append(
            Attention(
                kind=AttentionKind.RECERTIFICATION_DUE,
                detail=f"plan {plan.id} had to be re-certified by {due.isoformat()}",
            )
        )
    elif (due - today).days <= RECERTIFICATION_WARNING_DAYS:
        found.append(
            Attention(
                kind=AttentionKind.RECERTIFICATION_SOON,
                detail=f"re-certify plan {plan.id} by {due.isoformat()} "
                f"(in {(due - today).days} days)",
            )
        )
    visits = count_treatment_visits(plan, sessions, through=today)
    interval = plan.progress_report_interval_visits
    last_report = max(0, (visits - 1) // interval * interval)
    if visits and progress_report_due(plan, visits, last_report_at_visit=last_report):
        found.append(
            Attention(
                kind=AttentionKind.PROGRESS_REPORT_DUE,
                detail=f"{visits} treatment visits (a report at least every {interval})",
            )
        )
    return found


def _attention(
    *,
    plan: PlanOfCare | None,
    prescription: Prescription | None,
    sessions: Sequence[TreatmentSession],
    waiting: Sequence[ExerciseProgress],
    today: date,
) -> tuple[Attention, ...]:
    found: list[Attention] = []
    symptoms = symptom_findings(sessions, today=today)
    if symptoms:
        day, words = symptoms[-1]
        more = f" (+{len(symptoms) - 1} more)" if len(symptoms) > 1 else ""
        found.append(
            Attention(kind=AttentionKind.SYMPTOM_FLAG, detail=f"{day.isoformat()}: {words}{more}")
        )
    if plan is not None:
        found += _plan_attention(plan, sessions, today=today)
    for item in waiting:
        rec = item.recommendation
        found.append(
            Attention(
                kind=AttentionKind.DECISION_WAITING,
                detail=f"{rec.decision} {item.name} → {item.target_name}",
            )
        )
    expected = home_sessions_expected(prescription, today=today)
    if expected is not None:
        per_week, due_now = expected
        logged = home_sessions_logged(sessions, today=today)
        if logged < due_now:
            found.append(
                Attention(
                    kind=AttentionKind.MISSED_HOME_SESSIONS,
                    detail=f"{logged} of {due_now} home sessions in the last 7 days "
                    f"({per_week} a week prescribed)",
                )
            )
    return tuple(sorted(found, key=lambda a: a.kind.urgency))


# --------------------------------------------------------------------------------------------
# Reading the store
# --------------------------------------------------------------------------------------------


def _repos(session: Any, store: CareStore, user: UserAccount) -> Repositories:
    from reeducate.store.repositories import Repositories

    return Repositories(session, actor=user.id, clock=store.clock)


def _current_plan(
    repos: Repositories, episodes: Sequence[EpisodeOfCare]
) -> tuple[EpisodeOfCare | None, PlanOfCare | None]:
    episode = episodes[-1] if episodes else None
    if episode is None:
        return None, None
    plans = repos.plans.for_episode(episode.id)
    return episode, (plans[-1] if plans else None)


def _progress(
    store: CareStore, code: str, *, today: date
) -> tuple[tuple[ExerciseProgress, ...], str | None]:
    """The engine's recommendations for the exercises in force; () and why, without any."""
    from reeducate.services.care import progress

    try:
        report = progress(store, code, today=today)
    except ReeducateError as exc:
        return (), str(exc)
    return report.exercises, None


def patient_list(store: CareStore, user: UserAccount, /, *, today: date) -> list[PatientListEntry]:
    """The patients of ``user``'s clinic with what needs attention on ``today``, most urgent
    first; the list shown is audited (one event).

    Raises
    ------
    reeducate.services.access.PermissionDeniedError
        ``user`` may not list patients (a therapist without a clinic, another role).
    """
    from reeducate.services.access import Action, Resource, audited_patient_list, authorize
    from reeducate.store.engine import transaction

    clinic_id = user.clinic_id or ""
    authorize(user, Action.LIST, Resource.PATIENT, clinic_id=clinic_id)
    rows: list[tuple[str, str | None, Any, Any, Any, list[Any], list[Any]]] = []
    with transaction(store.factory) as session:
        repos = _repos(session, store, user)
        for code in repos.patients.codes(clinic_id=clinic_id):
            patient = repos.patients.get(code)
            episodes = repos.episodes.for_patient(code)
            episode, plan = _current_plan(repos, episodes)
            prescription = None if plan is None else repos.prescriptions.current(plan.id, on=today)
            sessions = repos.sessions.for_patient(code, until=today)
            decisions = repos.decisions.for_patient(code)
            name = None if patient.identity is None else patient.identity.name
            rows.append((code, name, episode, plan, prescription, sessions, decisions))
    entries: list[PatientListEntry] = []
    for code, name, episode, plan, prescription, sessions, decisions in rows:
        waiting: list[ExerciseProgress] = []
        if prescription is not None:
            items, _ = _progress(store, code, today=today)
            waiting = waiting_decisions(items, decisions, prescription_id=prescription.id)
        week_start = today - timedelta(days=MISSED_HOME_WINDOW_DAYS - 1)
        entries.append(
            PatientListEntry(
                code=code,
                name=name,
                diagnoses=() if episode is None else episode.diagnoses,
                plan_id=None if plan is None else plan.id,
                last_session=sessions[-1].session_date if sessions else None,
                sessions_last_7_days=len(
                    {
                        (s.session_date, s.sequence, str(s.setting))
                        for s in sessions
                        if week_start <= s.session_date <= today
                    }
                ),
                attention=_attention(
                    plan=plan,
                    prescription=prescription,
                    sessions=sessions,
                    waiting=waiting,
                    today=today,
                ),
            )
        )
    entries.sort(key=lambda e: (e.urgency, -len(e.attention), e.code))
    audited_patient_list(store, user, clinic_id=clinic_id, patient_codes=[e.code for e in entries])
    return entries


# --------------------------------------------------------------------------------------------
# The chart
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class GoalView:
    """A goal with its latest measured value (None when nothing measured it yet)."""

    id: str
    description: str
    measure: str
    measure_name: str
    direction: str
    baseline_value: float
    target_value: float
    target_date: date
    current_value: float | None
    current_on: date | None

    @property
    def progress_pct(self) -> float | None:
        """How far from baseline to target the current value is, 0–100 (clipped)."""
        if self.current_value is None or self.target_value == self.baseline_value:
            return None
        share = (self.current_value - self.baseline_value) / (
            self.target_value - self.baseline_value
        )
        return max(0.0, min(100.0, 100.0 * share))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {
            "id": self.id,
            "description": self.description,
            "measure": self.measure,
            "measure_name": self.measure_name,
            "direction": self.direction,
            "baseline_value": self.baseline_value,
            "target_value": self.target_value,
            "target_date": self.target_date.isoformat(),
            "current_value": self.current_value,
            "current_on": _iso(self.current_on),
            "progress_pct": self.progress_pct,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class MeasureTrend:
    """One outcome measure over time, its MCID and the goal's target."""

    measure: str
    name: str
    unit: str
    higher_is_better: bool
    mcid: float | None
    mcid_source: str | None
    target: float | None
    points: tuple[tuple[date, float], ...]

    @property
    def change(self) -> float | None:
        """Latest minus first value (None with one value)."""
        if len(self.points) < 2:
            return None
        return self.points[-1][1] - self.points[0][1]

    @property
    def important(self) -> bool | None:
        """Whether the change reaches the MCID in the better direction (None: cannot say)."""
        change = self.change
        if change is None or self.mcid is None:
            return None
        better = change if self.higher_is_better else -change
        return better >= self.mcid

    def figure(self) -> str:
        """The trend as an SVG data URI (:mod:`reeducate.web.charts`)."""
        from reeducate.web.charts import TrendPoint, measure_trend_svg

        return measure_trend_svg(
            [TrendPoint(on=day, value=value) for day, value in self.points],
            title=self.name,
            unit=self.unit,
            mcid=self.mcid,
            target=self.target,
            higher_is_better=self.higher_is_better,
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {
            "measure": self.measure,
            "name": self.name,
            "unit": self.unit,
            "higher_is_better": self.higher_is_better,
            "mcid": self.mcid,
            "mcid_source": self.mcid_source,
            "target": self.target,
            "change": self.change,
            "clinically_important": self.important,
            "points": [{"on": d.isoformat(), "value": v} for d, v in self.points],
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class SessionView:
    """One session as a row of the chart's table."""

    id: str
    on: date
    setting: str
    sequence: int
    exercises: tuple[str, ...]
    pain: str
    symptoms: str
    minutes: int

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {
            "id": self.id,
            "date": self.on.isoformat(),
            "setting": self.setting,
            "sequence": self.sequence,
            "exercises": list(self.exercises),
            "pain": self.pain,
            "symptoms": self.symptoms,
            "minutes": self.minutes,
        }


@dataclass(frozen=True, slots=True, kw_only=True)
class TrialView:
    """One balance trial's headline metrics, in display units."""

    id: str
    recorded_on: date
    condition: str
    duration_s: float
    metrics: tuple[tuple[str, str, float, str], ...]
    """(SI name, title, display value, display unit)."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {
            "id": self.id,
            "recorded_on": self.recorded_on.isoformat(),
            "condition": self.condition,
            "duration_s": self.duration_s,
            "metrics": {name: value for name, _, value, _ in self.metrics},
            "units": {name: unit for name, _, _, unit in self.metrics},
        }


#: The balance metrics the chart shows, in this order.
TRIAL_METRICS: Final = ("ellipse_area_95_m2", "mean_velocity_m_s", "rms_ml_m", "rms_ap_m")


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientChart:
    """Everything the chart shows. ``name`` and ``age_years`` are for the authorised page."""

    code: str
    name: str | None
    age_years: int | None
    today: date
    episode: EpisodeOfCare | None
    plan: PlanOfCare | None
    prescription: Prescription | None
    exercise_names: Mapping[str, str]
    goals: tuple[GoalView, ...]
    sessions: tuple[SessionView, ...]
    trends: tuple[MeasureTrend, ...]
    recommendations: tuple[ExerciseProgress, ...]
    recommendations_note: str | None
    trials: tuple[TrialView, ...]
    balance_trends: tuple[MeasureTrend, ...]
    attention: tuple[Attention, ...]

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values (the API's answer)."""
        from reeducate.services.care import describe_dose

        episode, plan, rx = self.episode, self.plan, self.prescription
        return {
            "code": self.code,
            "name": self.name,
            "age_years": self.age_years,
            "on": self.today.isoformat(),
            "episode": None
            if episode is None
            else {
                "id": episode.id,
                "start_date": episode.start_date.isoformat(),
                "diagnoses": list(episode.diagnoses),
                "impairments": sorted(str(i) for i in episode.impairments),
            },
            "plan": None
            if plan is None
            else {
                "id": plan.id,
                "start_date": plan.start_date.isoformat(),
                "end_date": plan.end_date.isoformat(),
                "frequency_per_week": plan.frequency_per_week,
                "duration_weeks": plan.duration_weeks,
                "certification_date": plan.certification_date.isoformat(),
                "recertification_due_date": plan.recertification_due_date.isoformat(),
            },
            "prescription": None
            if rx is None
            else {
                "id": rx.id,
                "start_date": rx.start_date.isoformat(),
                "exercises": [
                    {
                        "variant_id": x.variant_id,
                        "name": self.exercise_names.get(x.variant_id, x.variant_id),
                        "dose": describe_dose(x.dose),
                    }
                    for x in rx.exercises
                ],
            },
            "goals": [g.to_dict() for g in self.goals],
            "sessions": [s.to_dict() for s in self.sessions],
            "outcome_trends": [t.to_dict() for t in self.trends],
            "recommendations": [r.to_dict() for r in self.recommendations],
            "recommendations_note": self.recommendations_note,
            "balance_trials": [t.to_dict() for t in self.trials],
            "attention": [a.to_dict() for a in self.attention],
        }


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _mcid(measure_id: str) -> tuple[float | None, str | None]:
    """The smallest total MCID with an absolute amount, and its source."""
    from reeducate.clinic.outcomes import MEASURES

    measure = MEASURES.get(measure_id)
    if measure is None:
        return None, None
    found = [
        t
        for t in measure.thresholds
        if not t.kind.is_detectable and t.scope == "total" and t.amount is not None
    ]
    if not found:
        return None, None
    best = min(found, key=lambda t: t.amount or 0.0)
    return best.amount, best.source


def _trends(
    scores: Sequence[StoredOutcomeScore], plan: PlanOfCare | None
) -> tuple[MeasureTrend, ...]:
    from reeducate.clinic.outcomes import MEASURES
    from reeducate.clinic.outcomes.base import Better

    by_measure: dict[str, list[StoredOutcomeScore]] = {}
    for score in scores:
        by_measure.setdefault(score.measure, []).append(score)
    targets = {} if plan is None else {g.measure: g.target_value for g in plan.goals}
    trends = []
    for measure_id, items in by_measure.items():
        items.sort(key=lambda s: (s.scored_on, s.id))
        definition = MEASURES.get(measure_id)
        mcid, source = _mcid(measure_id)
        trends.append(
            MeasureTrend(
                measure=measure_id,
                name=measure_id if definition is None else definition.name,
                unit=items[-1].unit,
                higher_is_better=definition is None or definition.better is Better.HIGHER,
                mcid=mcid,
                mcid_source=source,
                target=targets.get(measure_id),
                points=tuple((s.scored_on, s.total) for s in items),
            )
        )
    return tuple(trends)


def _goals(
    plan: PlanOfCare | None,
    scores: Sequence[StoredOutcomeScore],
    trials: Sequence[BalanceTrialRecord],
) -> tuple[GoalView, ...]:
    from reeducate.clinic.outcomes import MEASURES

    if plan is None:
        return ()
    views = []
    for goal in plan.goals:
        current: tuple[date, float] | None = None
        for score in scores:
            if score.measure == goal.measure and (current is None or score.scored_on >= current[0]):
                current = (score.scored_on, score.total)
        for trial in trials:
            if goal.measure in trial.metrics:
                day = trial.recorded_at.date()
                if current is None or day >= current[0]:
                    current = (day, trial.metrics[goal.measure])
        definition = MEASURES.get(goal.measure)
        views.append(
            GoalView(
                id=goal.id,
                description=goal.description,
                measure=goal.measure,
                measure_name=goal.measure.replace("_", " ")
                if definition is None
                else definition.name,
                direction=str(goal.direction),
                baseline_value=goal.baseline_value,
                target_value=goal.target_value,
                target_date=goal.target_date,
                current_value=None if current is None else current[1],
                current_on=None if current is None else current[0],
            )
        )
    return tuple(views)


def _session_view(session: TreatmentSession, names: Mapping[str, str]) -> SessionView:
    pains = [
        f"{x.pain_before_nprs if x.pain_before_nprs is not None else '–'}→"
        f"{x.pain_after_nprs if x.pain_after_nprs is not None else '–'}"
        for x in session.exercises
        if x.pain_before_nprs is not None or x.pain_after_nprs is not None
    ]
    symptoms = symptom_findings([session], today=session.session_date)
    return SessionView(
        id=session.id,
        on=session.session_date,
        setting=str(session.setting),
        sequence=session.sequence,
        exercises=tuple(names.get(x.variant_id, x.variant_id) for x in session.exercises),
        pain=", ".join(dict.fromkeys(pains)) or "–",
        symptoms="; ".join(words for _, words in symptoms) or "none",
        minutes=sum(session.minutes_by_code.values()),
    )


def _trial_views(trials: Sequence[BalanceTrialRecord]) -> tuple[TrialView, ...]:
    from reeducate.reports.figures import display_unit, metric_title, to_display_value

    views = []
    for trial in trials:
        shown = tuple(
            (
                name,
                metric_title(name),
                round(to_display_value(name, trial.metrics[name]), 2),
                display_unit(name),
            )
            for name in TRIAL_METRICS
            if name in trial.metrics
        )
        views.append(
            TrialView(
                id=trial.id,
                recorded_on=trial.recorded_at.date(),
                condition=trial.condition,
                duration_s=trial.duration_s,
                metrics=shown,
            )
        )
    return tuple(views)


def _balance_trends(trials: Sequence[TrialView]) -> tuple[MeasureTrend, ...]:
    """Sway area over time, one trend per condition (lower is better)."""
    by_condition: dict[str, list[tuple[date, float]]] = {}
    unit = "mm²"
    for trial in trials:
        for name, _, value, shown_unit in trial.metrics:
            if name == "ellipse_area_95_m2":
                unit = shown_unit
                by_condition.setdefault(trial.condition, []).append((trial.recorded_on, value))
    return tuple(
        MeasureTrend(
            measure="ellipse_area_95_m2",
            name=f"95 % sway ellipse area · {condition}",
            unit=unit,
            higher_is_better=False,
            mcid=None,
            mcid_source=None,
            target=None,
            points=tuple(sorted(points)),
        )
        for condition, points in by_condition.items()
    )


def patient_chart(
    store: CareStore, user: UserAccount, code: str, /, *, today: date
) -> PatientChart:
    """A patient's chart for ``user``, every kind of record read authorized and audited.

    Raises
    ------
    reeducate.services.access.PermissionDeniedError
        Another clinic's patient, an unknown code, or a user who may not read it (nothing is
        read or written).
    """
    from reeducate.services.access import Action, Resource, record_read
    from reeducate.store.engine import transaction

    with transaction(store.factory) as session:
        repos = _repos(session, store, user)
        record_read(repos, user, Resource.PATIENT, patient_code=code, record_ids=[code])
        patient = repos.patients.get(code)
        episodes = repos.episodes.for_patient(code)
        episode, plan = _current_plan(repos, episodes)
        prescription = None if plan is None else repos.prescriptions.current(plan.id, on=today)
        sessions = repos.sessions.for_patient(code, until=today)
        scores = repos.outcome_scores.for_patient(code)
        trials = repos.trials.for_patient(code)
        decisions = repos.decisions.for_patient(code)
        reads: list[tuple[Resource, list[str]]] = [
            (Resource.EPISODE, [e.id for e in episodes]),
            (Resource.PLAN, [] if plan is None else [plan.id]),
            (Resource.PRESCRIPTION, [] if prescription is None else [prescription.id]),
            (Resource.SESSION, [s.id for s in sessions]),
            (Resource.OUTCOME_SCORE, [s.id for s in scores]),
            (Resource.BALANCE_TRIAL, [t.id for t in trials]),
            (Resource.DECISION, [d.id for d in decisions]),
        ]
        for resource, ids in reads:
            record_read(
                repos, user, resource, patient_code=code, record_ids=ids, action=Action.LIST
            )
    library = store.exercises()
    names = {
        variant_id: library.get(variant_id).name
        for variant_id in {x.variant_id for s in sessions for x in s.exercises}
        | ({x.variant_id for x in prescription.exercises} if prescription else set())
        if variant_id in library
    }
    recommendations: tuple[ExerciseProgress, ...] = ()
    note: str | None = None
    waiting: list[ExerciseProgress] = []
    if prescription is not None:
        recommendations, note = _progress(store, code, today=today)
        waiting = waiting_decisions(recommendations, decisions, prescription_id=prescription.id)
    else:
        note = "no prescription in force"
    trial_views = _trial_views(trials)
    identity = patient.identity
    return PatientChart(
        code=code,
        name=None if identity is None else identity.name,
        age_years=None if identity is None else _age(identity.date_of_birth, today),
        today=today,
        episode=episode,
        plan=plan,
        prescription=prescription,
        exercise_names=names,
        goals=_goals(plan, scores, trials),
        sessions=tuple(_session_view(s, names) for s in reversed(sessions)),
        trends=_trends(scores, plan),
        recommendations=recommendations,
        recommendations_note=note,
        trials=trial_views,
        balance_trends=_balance_trends(trial_views),
        attention=_attention(
            plan=plan,
            prescription=prescription,
            sessions=sessions,
            waiting=waiting,
            today=today,
        ),
    )


# --------------------------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------------------------

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def today_of(store: CareStore, /) -> date:
    """Today, from the store's clock (UTC)."""
    return store.clock().date()


@router.get("/patients", name="patients")
def patients_page(request: Request, user: TherapistUser, store: StoreDep) -> HTMLResponse:
    """The therapist's patients, most urgent first."""
    from reeducate.web.pages import render

    today = today_of(store)
    entries = patient_list(store, user, today=today)
    flagged = sum(1 for e in entries if e.attention)
    return render(
        request,
        "therapist/patients.html",
        {
            "user": user,
            "section": "patients",
            "entries": entries,
            "flagged": flagged,
            "today": today,
        },
    )


@router.get("/patients/{code}", name="patient_chart")
def chart_page(
    request: Request, code: PatientCode, user: TherapistUser, store: StoreDep
) -> HTMLResponse:
    """One patient's chart."""
    from reeducate.services.care import describe_dose
    from reeducate.web.pages import render

    chart = patient_chart(store, user, code, today=today_of(store))
    doses = (
        {}
        if chart.prescription is None
        else {x.variant_id: describe_dose(x.dose) for x in chart.prescription.exercises}
    )
    return render(
        request,
        "therapist/chart.html",
        {"user": user, "section": "patients", "chart": chart, "doses": doses},
    )
