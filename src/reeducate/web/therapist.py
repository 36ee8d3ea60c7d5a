"""The therapist's pages: the patient list with what needs attention today, and the chart.

Read-only in this step. Both pages are built from one read model (:func:`patient_list`,
:func:`patient_chart`), which the JSON API (:mod:`reeducate.api.v1_patients`) returns as it is,
so the pages and the API show the same data.

Access and audit
    The list shows the patients of the therapist's own clinic only and writes one audit event
    for the codes shown (:func:`~reeducate.services.access.audited_patient_list`). The chart
    authorizes every kind of record it shows (patient, episode, plan, prescription, session,
    outcome score, balance trial, decision; the patient's clinic looked up once,
    :func:`~reeducate.services.access.authorize_view`) before reading anything, reads them in one
    read-only transaction, then writes **one** audit event naming the ids shown of each kind
    (:func:`~reeducate.services.access.record_view`), committed before anything is rendered.
    A patient of another clinic and an unknown code are refused alike (403, no existence
    oracle). Patient codes go in addresses and logs; names only on the page.
    The chart's balance figures are separate requests (``/patients/{code}/trials/{trial_id}/
    figure.svg``, ``/patients/{code}/sessions/{session_id}/balance.svg``), each authorized and
    audited the same way (:mod:`reeducate.web.balance_chart`).

Bounded reads
    The chart reads the latest :data:`CHART_SESSIONS` sessions (``?sessions=all``: every one)
    and the count; the attention rules read the sessions of their 14-day window and count the
    treatment visits in the database; the engine reads the few records it decides on
    (:func:`reeducate.services.care.progress_needs_since`). The outcome and balance figures are
    rendered once per distinct figure (:data:`reeducate.web.charts.FIGURE_CACHE`).

The patient list's cache (:data:`LIST_CACHE`)
    Computing a patient's entry reads the patient's records and runs the engine: a clinic of
    2,000 patients would take seconds per view. So each entry is kept in a bounded, thread-safe,
    least-recently-used cache in the process (:class:`~reeducate.web.revision_cache.RevisionCache`)
    under the key (database URL, patient code, **patient revision**, day, progression rules,
    exercise library): every input of the entry.

    Invalidation is by the key alone. ``patient.revision`` (migration 0005) is incremented by
    the repositories in the transaction of every write of the patient's records (the patient,
    episode, plan, goal, prescription, session, balance trial, outcome score, decision;
    :mod:`reeducate.store.repositories`). Every list view first reads (code, revision) of the
    clinic's patients (one query), so an entry written before a change is never looked up
    again, whichever process made the change; the day is in the key because the attention
    rules depend on it. Old entries leave by least-recent use. An entry is stored under the
    revision read in the transaction that computed it, never under an older one.

    Only the missing entries are computed, 100 patients at a time, each batch in one read-only
    transaction of a dozen queries (no query per patient), under the database's single-flight
    lock: concurrent cold requests wait for the batch in progress and find it cached instead of
    computing it again. At start-up a daemon thread (:func:`start_list_warmup`) fills the
    cache for every clinic, batch by batch, logging clinic ids, counts and times; an error ends
    the warm-up, never the application, and it stops at shutdown. The page shows
    :data:`LIST_PAGE_SIZE` patients, most urgent first, with page links and the counts of the
    whole list; the JSON list takes ``?page=&per_page=``.

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

import logging
import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Any, Final, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from reeducate.errors import ReeducateError
from reeducate.web.deps import StoreDep, TherapistUser
from reeducate.web.patient_intake import router as _intake_router
from reeducate.web.revision_cache import RevisionCache

if TYPE_CHECKING:
    from reeducate.clinic.care import (
        BalanceTrialRecord,
        EpisodeOfCare,
        Patient,
        PlanOfCare,
        Prescription,
        TreatmentSession,
    )
    from reeducate.clinic.exercises import ExerciseLibrary
    from reeducate.services.care import CareStore, ExerciseProgress
    from reeducate.store.repositories import (
        ProgressionDecisionRecord,
        Repositories,
        StoredOutcomeScore,
        UserAccount,
    )
    from reeducate.web.balance_chart import BalanceChart

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
RecordId = Annotated[str, Path(max_length=64, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]


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


def _plan_attention(plan: PlanOfCare, *, visits: int, today: date) -> list[Attention]:
    """Re-certification and progress-report findings; ``visits``: the treatment visits under
    ``plan`` through ``today`` (:func:`~reeducate.clinic.care.count_treatment_visits`)."""
    from reeducate.clinic.care import progress_report_due, recertification_due

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
    visits: int,
    waiting: Sequence[ExerciseProgress],
    today: date,
) -> tuple[Attention, ...]:
    """What needs attention; ``sessions``: at least those of the last
    :data:`SYMPTOM_LOOKBACK_DAYS` days (older ones are ignored); ``visits``: the treatment
    visits under ``plan`` through ``today``."""
    found: list[Attention] = []
    symptoms = symptom_findings(sessions, today=today)
    if symptoms:
        day, words = symptoms[-1]
        more = f" (+{len(symptoms) - 1} more)" if len(symptoms) > 1 else ""
        found.append(
            Attention(kind=AttentionKind.SYMPTOM_FLAG, detail=f"{day.isoformat()}: {words}{more}")
        )
    if plan is not None:
        found += _plan_attention(plan, visits=visits, today=today)
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


# --------------------------------------------------------------------------------------------
# The patient list: cached per patient revision
# --------------------------------------------------------------------------------------------

#: Patients one page of the list shows.
LIST_PAGE_SIZE: Final = 50
#: Most patients one page of the JSON list may ask for.
LIST_PAGE_MAX: Final = 500
#: How often the warm-up looks whether the day has changed, s.
_WARM_POLL_S: Final = 60.0
#: Patients computed together: one read-only transaction, a dozen queries.
_LIST_BATCH: Final = 100
#: Each patient's list entry, by (database, code, revision, day, rules, library): see the
#: module docstring. An entry is about 1 KiB: 50,000 of them stay under about 50 MiB.
LIST_CACHE: Final = RevisionCache["PatientListEntry"](max_entries=50_000)

logger = logging.getLogger("reeducate.web")


def _store_scope(store: CareStore) -> str:
    """The database a store writes to (its URL, password hidden): a cache key's first part."""
    bind = store.factory.kw.get("bind")
    url = getattr(bind, "url", None)
    return repr(bind) if url is None else url.render_as_string(hide_password=True)


def _key_base(store: CareStore, today: date) -> tuple[Any, ...]:
    """What every entry's key of one store and day holds besides the patient's."""
    from reeducate.clinic.progression_rules import default_rules

    library = "built-in" if store.library is None else id(store.library)
    return (_store_scope(store), today, default_rules().source, library)


def _list_key(store: CareStore, code: str, revision: int, today: date) -> tuple[Any, ...]:
    return (*_key_base(store, today), code, revision)


def _in_force(prescriptions: Sequence[Prescription], today: date) -> Prescription | None:
    """The prescription in force on ``today`` of a plan's (in the order they took effect)."""
    started = [p for p in prescriptions if p.start_date <= today]
    return started[-1] if started else None


def _list_entries(
    store: CareStore, codes: Sequence[str], /, *, today: date
) -> dict[str, tuple[int, PatientListEntry]]:
    """The list entries of ``codes`` with the revision each was read at: one read-only
    transaction, batched reads (a query per kind of record for all of them), the engine on its
    bounded window of each patient's records."""
    from reeducate.clinic.progression_rules import default_rules
    from reeducate.services.care import progress_from, progress_needs_since
    from reeducate.store.engine import transaction
    from reeducate.store.repositories import Repositories

    library = store.exercises()
    rules = default_rules()
    since = today - timedelta(days=SYMPTOM_LOOKBACK_DAYS - 1)
    with transaction(store.factory, read_only=True) as session:
        repos = Repositories(session, actor=store.actor, clock=store.clock)
        revisions = repos.patients.revisions_of(codes)
        codes = [code for code in codes if code in revisions]
        identities = repos.patients.identities(codes)
        latest = {code: eps[-1] for code, eps in repos.episodes.for_patients(codes).items()}
        plans = repos.plans.for_episodes([e.id for e in latest.values()])
        plan_of = {code: plans[e.id][-1] for code, e in latest.items() if e.id in plans}
        prescriptions = repos.prescriptions.for_plans([p.id for p in plan_of.values()])
        in_force = {
            code: rx
            for code, plan in plan_of.items()
            if (rx := _in_force(prescriptions.get(plan.id, ()), today)) is not None
        }
        keys = repos.sessions.exercise_keys_of(list(in_force), until=today)
        cuts = dict.fromkeys(codes, since)
        for code, rx in in_force.items():
            try:
                needed = progress_needs_since(
                    rx, keys.get(code, []), today=today, library=library, rules=rules
                )
            except ReeducateError:  # the engine will refuse too: no recommendation
                continue
            cuts[code] = min(since, needed)
        sessions = repos.sessions.since_each(cuts, until=today)
        last = repos.sessions.last_dates(codes, until=today)
        visits = repos.sessions.treatment_visits_of([p.id for p in plan_of.values()], until=today)
        decisions = repos.decisions.for_patients(list(in_force))
    week_start = today - timedelta(days=MISSED_HOME_WINDOW_DAYS - 1)
    entries: dict[str, tuple[int, PatientListEntry]] = {}
    for code in codes:
        episode, plan, prescription = latest.get(code), plan_of.get(code), in_force.get(code)
        own = sessions.get(code, [])
        window = [s for s in own if s.session_date >= since]
        waiting: list[ExerciseProgress] = []
        if episode is not None and plan is not None and prescription is not None:
            try:
                report = progress_from(
                    episode=episode,
                    plan=plan,
                    prescriptions=prescriptions[plan.id],
                    keys=keys.get(code, []),
                    sessions=own,
                    visits=visits[plan.id],
                    today=today,
                    library=library,
                    rules=rules,
                )
            except ReeducateError:
                pass  # no recommendation: nothing waits for a decision
            else:
                waiting = waiting_decisions(
                    report.exercises, decisions.get(code, []), prescription_id=prescription.id
                )
        identity = identities.get(code)
        entries[code] = (
            revisions[code],
            PatientListEntry(
                code=code,
                name=None if identity is None else identity.name,
                diagnoses=() if episode is None else episode.diagnoses,
                plan_id=None if plan is None else plan.id,
                last_session=last.get(code),
                sessions_last_7_days=len(
                    {
                        (s.session_date, s.sequence, str(s.setting))
                        for s in window
                        if week_start <= s.session_date
                    }
                ),
                attention=_attention(
                    plan=plan,
                    prescription=prescription,
                    sessions=window,
                    visits=0 if plan is None else visits[plan.id],
                    waiting=waiting,
                    today=today,
                ),
            ),
        )
    return entries


def _cached_entries(
    store: CareStore,
    revisions: Sequence[tuple[str, int]],
    /,
    *,
    today: date,
    stop: threading.Event | None = None,
) -> list[PatientListEntry]:
    """The entries of the patients of ``revisions`` ((code, revision), as just read), from the
    cache; the missing ones computed batch by batch under the database's single-flight lock
    (looked up again first: another request may have computed them meanwhile). ``stop`` set:
    return what is at hand between two batches (the warm-up at shutdown)."""
    base = _key_base(store, today)
    keys = {code: (*base, code, revision) for code, revision in revisions}
    found = LIST_CACHE.get_many(keys.values())
    entries = {code: found[key] for code, key in keys.items() if key in found}
    missing = [code for code in keys if code not in entries]
    for start in range(0, len(missing), _LIST_BATCH):
        if stop is not None and stop.is_set():
            break
        batch = missing[start : start + _LIST_BATCH]
        with LIST_CACHE.flight(_store_scope(store)):
            again = LIST_CACHE.get_many(keys[code] for code in batch)
            todo = []
            for code in batch:
                if keys[code] in again:
                    entries[code] = again[keys[code]]
                else:
                    todo.append(code)
            if todo:
                computed = _list_entries(store, todo, today=today)
                for code, (revision, entry) in computed.items():
                    # Under the revision it was read at (a write since makes it newer, not
                    # older, than the revision this request read).
                    LIST_CACHE.put((*base, code, revision), entry)
                    entries[code] = entry
        if stop is not None:
            stop.wait(0.01)  # let requests in between two warm-up batches
    return [entries[code] for code in keys if code in entries]


def _by_urgency(entry: PatientListEntry) -> tuple[int, int, str]:
    return (entry.urgency, -len(entry.attention), entry.code)


def _clinic_entries(store: CareStore, clinic_id: str, /, *, today: date) -> list[PatientListEntry]:
    """Every patient of the clinic, most urgent first (not audited: the callers are)."""
    from reeducate.store.engine import transaction
    from reeducate.store.repositories import Repositories

    with transaction(store.factory, read_only=True) as session:
        repos = Repositories(session, actor=store.actor, clock=store.clock)
        revisions = repos.patients.revisions(clinic_id=clinic_id)
    return sorted(_cached_entries(store, revisions, today=today), key=_by_urgency)


def patient_list(store: CareStore, user: UserAccount, /, *, today: date) -> list[PatientListEntry]:
    """The patients of ``user``'s clinic with what needs attention on ``today``, most urgent
    first; the list shown is audited (one event). Entries come from :data:`LIST_CACHE` when
    the patient's revision has not changed (module docstring).

    Raises
    ------
    reeducate.services.access.PermissionDeniedError
        ``user`` may not list patients (a therapist without a clinic, another role).
    """
    from reeducate.services.access import Action, Resource, audited_patient_list, authorize

    clinic_id = user.clinic_id or ""
    authorize(user, Action.LIST, Resource.PATIENT, clinic_id=clinic_id)
    entries = _clinic_entries(store, clinic_id, today=today)
    audited_patient_list(store, user, clinic_id=clinic_id, patient_codes=[e.code for e in entries])
    return entries


@dataclass(frozen=True, slots=True, kw_only=True)
class PatientListPage:
    """One page of the patient list (most urgent first) and the counts of the whole list."""

    entries: tuple[PatientListEntry, ...]
    page: int
    per_page: int
    total: int
    flagged: int
    """Patients of the whole list with something needing attention."""

    @property
    def pages(self) -> int:
        """How many pages the list has (1 when empty)."""
        return max(1, math.ceil(self.total / self.per_page))

    @property
    def first(self) -> int:
        """The rank of the page's first patient, from 1 (0 when empty)."""
        return 0 if not self.entries else (self.page - 1) * self.per_page + 1


def patient_list_page(
    store: CareStore, user: UserAccount, /, *, today: date, page: int = 1, per_page: int
) -> PatientListPage:
    """Page ``page`` (from 1) of :func:`patient_list`, ``per_page`` patients; the patients
    shown on it are audited (one event). A page past the last is empty.

    Raises
    ------
    reeducate.services.access.PermissionDeniedError
        As :func:`patient_list`.
    InvalidParameterError
        ``page`` < 1 or ``per_page`` outside 1 to :data:`LIST_PAGE_MAX`.
    """
    from reeducate.errors import InvalidParameterError
    from reeducate.services.access import Action, Resource, audited_patient_list, authorize

    if not isinstance(page, int) or page < 1:
        raise InvalidParameterError(f"page must be an integer >= 1; got {page!r}")
    if not isinstance(per_page, int) or not 1 <= per_page <= LIST_PAGE_MAX:
        raise InvalidParameterError(f"per_page must be 1 to {LIST_PAGE_MAX}; got {per_page!r}")
    clinic_id = user.clinic_id or ""
    authorize(user, Action.LIST, Resource.PATIENT, clinic_id=clinic_id)
    every = _clinic_entries(store, clinic_id, today=today)
    shown = tuple(every[(page - 1) * per_page : page * per_page])
    audited_patient_list(store, user, clinic_id=clinic_id, patient_codes=[e.code for e in shown])
    return PatientListPage(
        entries=shown,
        page=page,
        per_page=per_page,
        total=len(every),
        flagged=sum(1 for e in every if e.attention),
    )


def _warm_figures(today: date) -> None:
    from reeducate.web.charts import TrendPoint, figure_to_svg, trend_figure

    figure_to_svg(
        trend_figure(
            [TrendPoint(on=today, value=1.0)],
            title="warm-up",
            unit="s",
            mcid=None,
            higher_is_better=True,
        )
    )


def _warm_chart(store: CareStore, /, *, today: date) -> None:
    """Read and build one chart (the first patient's; nothing shown, nothing audited), so that
    the first chart a therapist opens does not pay the first-use costs of its code path (SQL
    compilation, imports): about 300 ms measured on the benchmark clinic."""
    from reeducate.store.engine import transaction
    from reeducate.store.repositories import Repositories

    library = store.exercises()
    with transaction(store.factory, read_only=True) as session:
        repos = Repositories(session, actor=store.actor, clock=store.clock)
        first = next(
            (codes[0][0] for clinic in repos.clinics.all()
             if (codes := repos.patients.revisions(clinic_id=clinic.id))),
            None,
        )  # fmt: skip
        if first is None:
            return
        records = _read_chart(repos, first, today=today, all_sessions=False, library=library)
    _build_chart(first, records, today=today, library=library)


def start_list_warmup(
    store: CareStore,
    /,
    *,
    after_pass: Callable[[], None] | None = None,
    prepare: Callable[[], object] | None = None,
) -> Callable[[], None]:
    """Fill :data:`LIST_CACHE` with every clinic's patients in a daemon thread (batch by
    batch, letting requests in between), after drawing one throw-away figure (matplotlib's
    import and font cache: about a second the first chart view would otherwise pay), and
    again each time the store's day changes (the day is in every key); returns the function
    that stops it (it waits up to 10 s for the batch in progress). ``prepare`` runs first (the
    application compiles its templates there), then one chart is read and built
    (:func:`_warm_chart`). ``after_pass`` is called
    after each pass over every clinic (the server freezes the new cache entries there). Logs
    clinic ids, counts and times only; an error ends the warm-up (logged by its kind), never
    the application."""
    stop = threading.Event()

    def warm() -> None:
        from reeducate.store.engine import transaction
        from reeducate.store.repositories import Repositories

        try:
            if prepare is not None:
                prepare()
            _warm_figures(today_of(store))
            _warm_chart(store, today=today_of(store))
            while not stop.is_set():
                today = today_of(store)
                with transaction(store.factory, read_only=True) as session:
                    repos = Repositories(session, actor=store.actor, clock=store.clock)
                    clinics = [
                        (clinic.id, repos.patients.revisions(clinic_id=clinic.id))
                        for clinic in repos.clinics.all()
                    ]
                for clinic_id, revisions in clinics:
                    t0 = time.perf_counter()
                    done = _cached_entries(store, revisions, today=today, stop=stop)
                    if stop.is_set():
                        return
                    logger.info(
                        "patient list cache warmed: clinic %s, %d of %d patients in %.1f s",
                        clinic_id,
                        len(done),
                        len(revisions),
                        time.perf_counter() - t0,
                    )
                if after_pass is not None:
                    after_pass()
                # The day is in every key: fill the cache again when the next one begins.
                while not stop.is_set() and today_of(store) == today:
                    stop.wait(_WARM_POLL_S)
        except Exception as exc:  # never the application's end: the list computes on demand
            logger.warning("patient list warm-up stopped: %s", type(exc).__name__)

    thread = threading.Thread(target=warm, name="reeducate-list-warmup", daemon=True)
    thread.start()

    def stop_warmup() -> None:
        stop.set()
        thread.join(timeout=10)

    return stop_warmup


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

    #: The balance condition of a sway-area trend (None: an outcome measure).
    condition: str | None = None

    def svg(self) -> bytes:
        """The trend as SVG (:mod:`reeducate.web.charts`, rendered once per distinct figure)."""
        from reeducate.web.charts import TrendPoint, measure_trend_svg

        return measure_trend_svg(
            [TrendPoint(on=day, value=value) for day, value in self.points],
            title=self.name,
            unit=self.unit,
            mcid=self.mcid,
            target=self.target,
            higher_is_better=self.higher_is_better,
        )

    def figure(self) -> str:
        """The trend as an SVG data URI (the printable report embeds its figures)."""
        from reeducate.web.charts import svg_to_data_uri

        return svg_to_data_uri(self.svg())

    def url(self, code: str, /) -> str:
        """Where the chart loads the figure from (:func:`trend_figure_svg`), so that the page
        itself never waits for matplotlib."""
        from urllib.parse import quote, urlencode

        query = "" if self.condition is None else "?" + urlencode({"condition": self.condition})
        return f"/patients/{quote(code)}/trends/{quote(self.measure)}.svg{query}"

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
    trials: tuple[TrialView, ...] = ()
    """The balance trials recorded at this visit (their analysis)."""

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {
            "id": self.id,
            "trial_ids": [t.id for t in self.trials],
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
    session_id: str | None = None
    """The visit the trial was recorded at."""
    has_trace: bool = False
    """Whether its CoP trace was stored (to draw it); trials before migration 0004 have none."""

    @property
    def short_condition(self) -> str:
        """The condition as the figures label it, e.g. ``"Foam · EC"``."""
        from reeducate.balance.conditions import condition_from_label
        from reeducate.reports.figures import condition_short_label

        try:
            return condition_short_label(condition_from_label(self.condition))
        except ReeducateError:
            return self.condition

    @property
    def colour_class(self) -> str:
        """CSS class of the condition's colour (the figures' colour)."""
        from reeducate.balance.conditions import condition_from_label
        from reeducate.web.balance_chart import condition_class

        try:
            return condition_class(condition_from_label(self.condition))
        except ReeducateError:
            return "cond-other"

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON values."""
        return {
            "id": self.id,
            "session_id": self.session_id,
            "has_trace": self.has_trace,
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
    balance: BalanceChart | None = None
    """The balance figures: recent trials, the latest visit's condition summary and norms."""
    sessions_total: int | None = None
    """How many sessions the patient has (``sessions`` may show only the latest); None: as
    many as shown."""

    @property
    def more_sessions(self) -> int:
        """Sessions not shown (the older ones)."""
        return 0 if self.sessions_total is None else self.sessions_total - len(self.sessions)

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
            "sessions_total": len(self.sessions)
            if self.sessions_total is None
            else self.sessions_total,
            "outcome_trends": [t.to_dict() for t in self.trends],
            "recommendations": [r.to_dict() for r in self.recommendations],
            "recommendations_note": self.recommendations_note,
            "balance_trials": [t.to_dict() for t in self.trials],
            "balance": None if self.balance is None else self.balance.to_dict(),
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


def _session_view(
    session: TreatmentSession,
    names: Mapping[str, str],
    trials: Mapping[str, TrialView] | None = None,
) -> SessionView:
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
        trials=tuple(trials[t] for t in session.trial_ids if trials and t in trials),
    )


def _trial_views(
    trials: Sequence[BalanceTrialRecord],
    *,
    sessions: Sequence[TreatmentSession] = (),
    traced: frozenset[str] = frozenset(),
) -> tuple[TrialView, ...]:
    from reeducate.reports.figures import display_unit, metric_title, to_display_value

    session_of = {tid: s.id for s in sessions for tid in s.trial_ids}
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
                session_id=session_of.get(trial.id),
                has_trace=trial.id in traced,
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
            condition=condition,
        )
        for condition, points in by_condition.items()
    )


#: The sessions the chart shows, newest first (``?sessions=all``: every one).
CHART_SESSIONS: Final = 30

#: What the chart shows of a patient's record (authorized and audited as one view).
_CHART_RECORDS: Final = (
    "patient",
    "episode",
    "plan",
    "prescription",
    "session",
    "outcome_score",
    "balance_trial",
    "decision",
)


def patient_chart(
    store: CareStore,
    user: UserAccount,
    code: str,
    /,
    *,
    today: date,
    all_sessions: bool = False,
) -> PatientChart:
    """A patient's chart for ``user``: authorized, then read in one read-only transaction, then
    audited (one event naming every record shown, committed before anything is rendered).

    The latest :data:`CHART_SESSIONS` sessions are read and shown (``all_sessions``: every
    one), with the total; the attention rules read the sessions of their window and count the
    visits in the database; the engine decides on its bounded window
    (:func:`reeducate.services.care.progress_needs_since`), from the sessions shown when they
    reach back far enough.

    Raises
    ------
    reeducate.services.access.PermissionDeniedError
        Another clinic's patient, an unknown code, or a user who may not read it (nothing is
        read or written).
    """
    from reeducate.services.access import Resource, authorize_view, record_view
    from reeducate.store.engine import transaction

    library = store.exercises()
    kinds = [Resource(kind) for kind in _CHART_RECORDS]
    with transaction(store.factory, read_only=True) as session:
        repos = _repos(session, store, user)
        authorize_view(repos, user, patient_code=code, resources=kinds)  # before any read
        records = _read_chart(
            repos, code, today=today, all_sessions=all_sessions, library=library
        )
    with transaction(store.factory) as session:
        record_view(
            _repos(session, store, user),
            user,
            patient_code=code,
            records={
                Resource.PATIENT: [code],
                Resource.EPISODE: [e.id for e in records.episodes],
                Resource.PLAN: [] if records.plan is None else [records.plan.id],
                Resource.PRESCRIPTION: (
                    [] if records.prescription is None else [records.prescription.id]
                ),
                Resource.SESSION: [s.id for s in reversed(records.shown)],
                Resource.OUTCOME_SCORE: [s.id for s in records.scores],
                Resource.BALANCE_TRIAL: [t.id for t in records.trials],
                Resource.DECISION: [d.id for d in records.decisions],
            },
        )
    return _build_chart(code, records, today=today, library=library)


def _build_chart(
    code: str, records: _ChartRecords, /, *, today: date, library: ExerciseLibrary
) -> PatientChart:
    """The chart of patient ``code`` from its records (no database access)."""
    from reeducate.web.balance_chart import balance_chart

    r = records
    patient, plan, prescription, shown = r.patient, r.plan, r.prescription, r.shown
    scores, trials, with_trials, traced = r.scores, r.trials, r.with_trials, r.traced
    recommendations, decisions, total = r.recommendations, r.decisions, r.total
    names = {
        variant_id: library.get(variant_id).name
        for variant_id in {x.variant_id for s in shown for x in s.exercises}
        | ({x.variant_id for x in prescription.exercises} if prescription else set())
        if variant_id in library
    }
    waiting: list[ExerciseProgress] = []
    if prescription is not None:
        waiting = waiting_decisions(recommendations, decisions, prescription_id=prescription.id)
    trial_views = _trial_views(trials, sessions=with_trials, traced=traced)
    views_by_id = {t.id: t for t in trial_views}
    identity = patient.identity
    age_years = None if identity is None else _age(identity.date_of_birth, today)
    return PatientChart(
        code=code,
        name=None if identity is None else identity.name,
        age_years=age_years,
        today=today,
        episode=r.episode,
        plan=plan,
        prescription=prescription,
        exercise_names=names,
        goals=_goals(plan, scores, trials),
        sessions=tuple(_session_view(s, names, views_by_id) for s in reversed(shown)),
        sessions_total=total,
        trends=_trends(scores, plan),
        recommendations=recommendations,
        recommendations_note=r.note,
        trials=trial_views,
        balance_trends=_balance_trends(trial_views),
        # The sessions that attach a trial are all the balance figures read of the sessions.
        balance=balance_chart(
            code, trials=trials, sessions=with_trials, traced=traced, age_years=age_years
        ),
        attention=_attention(
            plan=plan,
            prescription=prescription,
            sessions=r.window,
            visits=r.visits,
            waiting=waiting,
            today=today,
        ),
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class _ChartRecords:
    """What a chart reads of a patient's records (one read-only transaction), and the engine's
    recommendations made from them."""

    patient: Patient
    episodes: Sequence[EpisodeOfCare]
    episode: EpisodeOfCare | None
    plan: PlanOfCare | None
    prescription: Prescription | None
    shown: Sequence[TreatmentSession]
    total: int
    window: Sequence[TreatmentSession]
    visits: int
    with_trials: Sequence[TreatmentSession]
    scores: Sequence[StoredOutcomeScore]
    trials: Sequence[BalanceTrialRecord]
    traced: frozenset[str]
    decisions: Sequence[ProgressionDecisionRecord]
    recommendations: tuple[ExerciseProgress, ...]
    note: str | None


def _read_chart(
    repos: Repositories,
    code: str,
    /,
    *,
    today: date,
    all_sessions: bool,
    library: ExerciseLibrary,
) -> _ChartRecords:
    """The records of patient ``code``'s chart (callers authorize first; nothing is audited
    here: :func:`patient_chart` audits what it shows)."""
    patient = repos.patients.get(code)
    episodes = repos.episodes.for_patient(code)
    episode, plan = _current_plan(repos, episodes)
    # The plan's prescriptions once: the one in force, and the engine's history.
    prescriptions = [] if plan is None else repos.prescriptions.for_plan(plan.id)
    prescription = _in_force(prescriptions, today)
    total = repos.sessions.count(code, until=today)
    if all_sessions:
        shown = repos.sessions.for_patient(code, until=today)
    else:
        shown = repos.sessions.latest(code, until=today, limit=CHART_SESSIONS)
    window = _symptom_window(repos, code, shown, total=total, today=today)
    visits = 0
    if plan is not None:
        visits = repos.sessions.treatment_visits(
            plan.episode_id, since=plan.start_date, until=today
        )
    with_trials = repos.sessions.with_trials(code, until=today)
    scores = repos.outcome_scores.for_patient(code)
    trials = repos.trials.for_patient(code)
    traced = repos.trials.with_trace([t.id for t in trials])
    decisions = repos.decisions.for_patient(code)
    recommendations: tuple[ExerciseProgress, ...] = ()
    note: str | None = None
    if episode is None or plan is None or prescription is None:
        note = "no prescription in force"
    else:
        try:
            recommendations = _chart_progress(
                repos,
                code,
                episode=episode,
                plan=plan,
                prescription=prescription,
                prescriptions=prescriptions,
                shown=shown,
                total=total,
                visits=visits,
                today=today,
                library=library,
            )
        except ReeducateError as exc:
            note = str(exc)
    return _ChartRecords(
        patient=patient,
        episodes=episodes,
        episode=episode,
        plan=plan,
        prescription=prescription,
        shown=shown,
        total=total,
        window=window,
        visits=visits,
        with_trials=with_trials,
        scores=scores,
        trials=trials,
        traced=traced,
        decisions=decisions,
        recommendations=recommendations,
        note=note,
    )


def _chart_progress(
    repos: Repositories,
    code: str,
    /,
    *,
    episode: EpisodeOfCare,
    plan: PlanOfCare,
    prescription: Prescription,
    prescriptions: Sequence[Prescription],
    shown: Sequence[TreatmentSession],
    total: int,
    visits: int,
    today: date,
    library: ExerciseLibrary,
) -> tuple[ExerciseProgress, ...]:
    """The engine's recommendations, as :func:`reeducate.services.care.progress` makes them,
    from the records the chart has read (the ``prescription`` in force among the plan's
    ``prescriptions``): the sessions shown when they reach back to the day the engine needs
    (the usual case), else the sessions from that day."""
    from reeducate.clinic.progression_rules import default_rules
    from reeducate.services.care import progress_from, progress_needs_since

    rules = default_rules()
    keys = repos.sessions.exercise_keys(code, until=today)
    since = progress_needs_since(prescription, keys, today=today, library=library, rules=rules)
    covered = len(shown) == total or (bool(shown) and shown[0].session_date < since)
    report = progress_from(
        episode=episode,
        plan=plan,
        prescriptions=prescriptions,
        keys=keys,
        sessions=shown if covered else repos.sessions.for_patient(code, since=since, until=today),
        visits=visits,
        today=today,
        library=library,
        rules=rules,
    )
    return report.exercises


def _symptom_window(
    repos: Repositories,
    code: str,
    shown: Sequence[TreatmentSession],
    /,
    *,
    total: int,
    today: date,
) -> Sequence[TreatmentSession]:
    """The sessions of the attention rules' window (the last :data:`SYMPTOM_LOOKBACK_DAYS`
    days): the ones shown when they reach back past it (the usual case), else read."""
    since = today - timedelta(days=SYMPTOM_LOOKBACK_DAYS - 1)
    if len(shown) == total or (shown and shown[0].session_date < since):
        return [s for s in shown if s.session_date >= since]
    return repos.sessions.for_patient(code, since=since, until=today)


# --------------------------------------------------------------------------------------------
# Routes
# --------------------------------------------------------------------------------------------

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def today_of(store: CareStore, /) -> date:
    """Today, from the store's clock (UTC)."""
    return store.clock().date()


# The new-patient form and its POST, ahead of /patients/{code} (which would take "new").
router.include_router(_intake_router)


@router.get("/patients", name="patients")
def patients_page(
    request: Request,
    user: TherapistUser,
    store: StoreDep,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    """The therapist's patients, most urgent first, :data:`LIST_PAGE_SIZE` a page."""
    from reeducate.web.pages import render

    today = today_of(store)
    listing = patient_list_page(store, user, today=today, page=page, per_page=LIST_PAGE_SIZE)
    return render(
        request,
        "therapist/patients.html",
        {
            "user": user,
            "section": "patients",
            "listing": listing,
            "entries": listing.entries,
            "flagged": listing.flagged,
            "today": today,
        },
    )


#: ``?sessions=all``: the chart shows every session, not only the latest.
SessionsShown = Annotated[Literal["latest", "all"], Query()]


@router.get("/patients/{code}", name="patient_chart")
def chart_page(
    request: Request,
    code: PatientCode,
    user: TherapistUser,
    store: StoreDep,
    sessions: SessionsShown = "latest",
) -> HTMLResponse:
    """One patient's chart (the latest sessions; ``?sessions=all``: every one)."""
    from reeducate.services.care import describe_dose
    from reeducate.web.pages import render

    chart = patient_chart(store, user, code, today=today_of(store), all_sessions=sessions == "all")
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


#: The figures are patient data: kept off the browser's disk cache (shared clinic computers).
_FIGURE_HEADERS: Final = {"Cache-Control": "no-store"}


def trend_figure_svg(
    store: CareStore, user: UserAccount, code: str, measure: str, /, *, condition: str | None
) -> bytes:
    """One trend of the chart as SVG: an outcome measure's scores (``condition`` None) or the
    sway area of one balance condition; authorized first, the records drawn audited.

    Raises
    ------
    reeducate.services.access.PermissionDeniedError
        Another clinic's patient, an unknown code, or a user who may not read it.
    NotFoundError
        The patient has no such trend (nothing is audited).
    """
    from reeducate.errors import NotFoundError
    from reeducate.services.access import Action, Resource, authorize_patient, record_read
    from reeducate.store.engine import transaction

    resource = Resource.OUTCOME_SCORE if condition is None else Resource.BALANCE_TRIAL
    with transaction(store.factory) as session:
        repos = _repos(session, store, user)
        authorize_patient(repos, user, Action.READ, resource, patient_code=code)
        if condition is None:
            scores = [s for s in repos.outcome_scores.for_patient(code) if s.measure == measure]
            _, plan = _current_plan(repos, repos.episodes.for_patient(code))
            trends, ids = _trends(scores, plan), [s.id for s in scores]
        else:
            trials = [t for t in repos.trials.for_patient(code) if t.condition == condition]
            trends, ids = _balance_trends(_trial_views(trials)), [t.id for t in trials]
        found = next((t for t in trends if t.measure == measure), None)
        if found is None:
            raise NotFoundError(f"measure must name a trend of {code}'s chart; got {measure!r}")
        record_read(repos, user, resource, patient_code=code, record_ids=ids)
    return found.svg()


@router.get("/patients/{code}/trends/{measure}.svg", name="trend_figure")
def trend_figure_page(
    code: PatientCode,
    measure: RecordId,
    user: TherapistUser,
    store: StoreDep,
    condition: Annotated[str | None, Query(max_length=64)] = None,
) -> Response:
    """A trend of the chart (SVG): an outcome measure, or ``condition``'s sway area."""
    svg = trend_figure_svg(store, user, code, measure, condition=condition)
    return Response(svg, media_type="image/svg+xml", headers=_FIGURE_HEADERS)


@router.get("/patients/{code}/trials/{trial_id}/figure.svg", name="trial_figure")
def trial_figure_page(
    code: PatientCode,
    trial_id: RecordId,
    user: TherapistUser,
    store: StoreDep,
    kind: Annotated[Literal["statokinesigram", "stabilogram"], Query()] = "statokinesigram",
    scale_mm: Annotated[float | None, Query(gt=0, le=1000)] = None,
) -> Response:
    """A balance trial's statokinesigram or stabilogram (SVG), drawn from its stored trace;
    ``scale_mm``: the half-range of the axes, shared by the trials of a chart
    (:mod:`reeducate.web.balance_chart`)."""
    from reeducate.web.balance_chart import trial_figure_svg

    svg = trial_figure_svg(store, user, code, trial_id, kind=kind, scale_mm=scale_mm)
    return Response(svg, media_type="image/svg+xml", headers=_FIGURE_HEADERS)


@router.get("/patients/{code}/sessions/{session_id}/balance.svg", name="visit_balance_figure")
def visit_balance_figure_page(
    code: PatientCode,
    session_id: RecordId,
    user: TherapistUser,
    store: StoreDep,
    kind: Annotated[Literal["conditions", "norms"], Query()] = "conditions",
    metric: Annotated[
        Literal["ellipse_area_95_m2", "mean_velocity_m_s"], Query()
    ] = "ellipse_area_95_m2",
) -> Response:
    """The condition summary, or the norms, of a visit's balance trials for one metric (SVG)."""
    from reeducate.web.balance_chart import visit_figure_svg

    svg = visit_figure_svg(store, user, code, session_id, kind=kind, metric=metric)
    return Response(svg, media_type="image/svg+xml", headers=_FIGURE_HEADERS)
