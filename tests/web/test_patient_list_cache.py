"""The patient list's cache: entries are what the per-patient computation gives; every write
of a patient's records bumps the revision, so the list shows a change at once, from this
process or another; a stale entry is never shown; concurrent cold requests compute each entry
once; the warm-up fills the cache; the page and the JSON list paginate."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.web.test_therapist import Seeded, seed, signed_in

from reeducate.api import create_app, load_settings
from reeducate.clinic.care import Patient, PatientIdentity
from reeducate.errors import ReeducateError
from reeducate.services import care
from reeducate.services.access import view_audit_log
from reeducate.services.library import score_measure
from reeducate.store.engine import transaction
from reeducate.store.repositories import Repositories
from reeducate.web import therapist
from reeducate.web.therapist import (
    LIST_CACHE,
    LIST_PAGE_SIZE,
    AttentionKind,
    PatientListEntry,
    _attention,
    patient_list,
    patient_list_page,
    start_list_warmup,
    waiting_decisions,
)


@pytest.fixture
def seeded(tmp_path: Path) -> Iterator[Seeded]:
    LIST_CACHE.clear()
    yield seed(tmp_path)
    LIST_CACHE.clear()


@pytest.fixture
def store(seeded: Seeded) -> Iterator[care.CareStore]:
    store = care.open_store(seeded.url, actor="U-0002")
    yield store
    store.close()


def _reference(store: care.CareStore, code: str, *, today: Any) -> PatientListEntry:
    """The entry as the list computed it before the cache: every record of the patient read,
    the engine on the whole history."""
    from reeducate.clinic.care import count_treatment_visits

    with transaction(store.factory, read_only=True) as session:
        repos = Repositories(session, actor="test")
        patient = repos.patients.get(code)
        episodes = repos.episodes.for_patient(code)
        episode = episodes[-1] if episodes else None
        plans = [] if episode is None else repos.plans.for_episode(episode.id)
        plan = plans[-1] if plans else None
        prescription = None if plan is None else repos.prescriptions.current(plan.id, on=today)
        sessions = repos.sessions.for_patient(code, until=today)
        decisions = repos.decisions.for_patient(code)
    waiting: list[Any] = []
    if prescription is not None:
        try:
            items = care.progress(store, code, today=today).exercises
        except ReeducateError:
            items = ()
        waiting = waiting_decisions(items, decisions, prescription_id=prescription.id)
    week_start = today - timedelta(days=6)
    return PatientListEntry(
        code=code,
        name=None if patient.identity is None else patient.identity.name,
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
            visits=0 if plan is None else count_treatment_visits(plan, sessions, through=today),
            waiting=waiting,
            today=today,
        ),
    )


def _log(store: care.CareStore, code: str, day: Any, **extra: Any) -> None:
    care.log_session(
        store,
        care.SessionLog(
            patient_code=code,
            session_date=day,
            setting="home",
            exercises=(
                care.ExerciseLog(
                    variant_id="bal-sls-firm-eo",
                    hold_done_s=(10.0, 10.0, 10.0),
                    hold_target_s=10.0,
                    **extra,
                ),
            ),
        ),
    )


def _revision(store: care.CareStore, code: str) -> int:
    with transaction(store.factory, read_only=True) as session:
        return Repositories(session, actor="test").patients.revisions_of([code])[code]


def test_entries_are_what_the_per_patient_computation_gives(
    seeded: Seeded, store: care.CareStore
) -> None:
    # A history long enough for the engine to progress (mastered holds on many days).
    for days_ago in range(16, 4, -2):
        _log(store, seeded.flagged, seeded.today - timedelta(days=days_ago))
    listed = patient_list(store, seeded.therapist_a, today=seeded.today)
    assert [e.code for e in listed] == [seeded.flagged, seeded.quiet]
    for entry in listed:
        assert entry == _reference(store, entry.code, today=seeded.today)
    kinds = {a.kind for a in listed[0].attention}
    assert AttentionKind.DECISION_WAITING in kinds and AttentionKind.SYMPTOM_FLAG in kinds


def test_every_write_of_a_patient_bumps_the_revision_and_reads_do_not(
    seeded: Seeded, store: care.CareStore
) -> None:
    code, today = seeded.flagged, seeded.today
    before = _revision(store, code)
    patient_list(store, seeded.therapist_a, today=today)
    therapist.patient_chart(store, seeded.therapist_a, code, today=today)
    care.progress(store, code, today=today)
    assert _revision(store, code) == before  # reads write nothing
    writes = [
        lambda: care.add_goal(
            store, patient_code=code,
            goal=care.GoalSpec(description="Reach", measure="fr", baseline_value=20.0,
                               target_value=28.0, target_date=today + timedelta(days=30)),
        ),
        lambda: care.prescribe(
            store, patient_code=code, variant_id="bal-sls-foam-eo", start_date=today
        ),
        lambda: _log(store, code, today - timedelta(days=1)),
        lambda: care.store_score(
            store, score_measure("tug", value=13.0), patient_code=code, scored_on=today
        ),
        lambda: care.open_episode(
            store, patient_code=seeded.quiet, start_date=today, diagnoses=["R26.81"],
            impairments=["balance"],
        ),
        lambda: care.create_plan(
            store, patient_code=seeded.quiet, start_date=today, frequency_per_week=2,
            duration_weeks=4, certification_date=today,
            goal=care.GoalSpec(description="Walk", measure="tug", baseline_value=15.0,
                               target_value=12.0, target_date=today + timedelta(days=28)),
        ),
    ]  # fmt: skip
    for write in writes:
        revisions = (_revision(store, code), _revision(store, seeded.quiet))
        write()
        after = (_revision(store, code), _revision(store, seeded.quiet))
        assert sum(after) == sum(revisions) + 1, write
    rx = care.progress(store, code, today=today).exercises[0]
    revision = _revision(store, code)
    care.decide(
        store, patient_code=code, variant_id=rx.variant_id, kind="reject", today=today,
        reason="wait for the review",
    )  # fmt: skip
    assert _revision(store, code) == revision + 1


def test_a_write_shows_in_the_list_at_once_and_hits_skip_the_computation(
    seeded: Seeded, store: care.CareStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    computed: list[str] = []
    real = therapist._list_entries

    def counting(store: care.CareStore, codes: Any, /, **kw: Any) -> Any:
        computed.extend(codes)
        return real(store, codes, **kw)

    monkeypatch.setattr(therapist, "_list_entries", counting)
    first = patient_list(store, seeded.therapist_a, today=seeded.today)
    again = patient_list(store, seeded.therapist_a, today=seeded.today)
    assert again == first and sorted(computed) == sorted([seeded.flagged, seeded.quiet])
    quiet = next(e for e in first if e.code == seeded.quiet)
    assert quiet.attention == () and quiet.last_session is None
    # Another process writes (its own engine): this process sees it on the next view.
    other = care.open_store(seeded.url, actor="U-0002")
    try:
        care.open_episode(
            other, patient_code=seeded.quiet, start_date=seeded.today - timedelta(days=5),
            diagnoses=["M54.50"], impairments=["balance"],
        )  # fmt: skip
        _log(other, seeded.quiet, seeded.today, symptoms_after=("nausea",))
    finally:
        other.close()
    computed.clear()
    after = patient_list(store, seeded.therapist_a, today=seeded.today)
    assert computed == [seeded.quiet]  # only the patient written to is computed again
    quiet = next(e for e in after if e.code == seeded.quiet)
    assert quiet.diagnoses == ("M54.50",) and quiet.last_session == seeded.today
    assert quiet.attention[0].kind is AttentionKind.SYMPTOM_FLAG
    assert "nausea" in quiet.attention[0].detail
    assert after[0].code == seeded.quiet or after[0].attention  # most urgent first
    # The next day is a new key: nothing of yesterday is reused.
    computed.clear()
    patient_list(store, seeded.therapist_a, today=seeded.today + timedelta(days=1))
    assert sorted(computed) == sorted([seeded.flagged, seeded.quiet])


def test_a_stale_entry_is_never_shown(seeded: Seeded, store: care.CareStore) -> None:
    patient_list(store, seeded.therapist_a, today=seeded.today)
    revision = _revision(store, seeded.quiet)
    _log_episode = care.open_episode(
        store, patient_code=seeded.quiet, start_date=seeded.today, diagnoses=["R42"],
        impairments=["balance"],
    )  # fmt: skip
    assert _log_episode.patient_code == seeded.quiet
    # A poisoned entry under the revision before the write (what a stale cache would hold).
    stale = PatientListEntry(
        code=seeded.quiet, name="STALE", diagnoses=("STALE",), plan_id=None,
        last_session=None, sessions_last_7_days=99, attention=(),
    )  # fmt: skip
    LIST_CACHE.put(therapist._list_key(store, seeded.quiet, revision, seeded.today), stale)
    shown = {e.code: e for e in patient_list(store, seeded.therapist_a, today=seeded.today)}
    assert shown[seeded.quiet].diagnoses == ("R42",) and shown[seeded.quiet].name == "Bob Quiet"


def test_concurrent_cold_requests_compute_each_entry_once(
    seeded: Seeded, store: care.CareStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    with transaction(store.factory) as session:
        repos = Repositories(session, actor="setup")
        for n in range(30):
            repos.patients.add(
                Patient(code=f"P-{100 + n:04d}",
                        identity=PatientIdentity(name=f"Extra {n}", date_of_birth=seeded.today)),
            )  # fmt: skip
    computed: list[str] = []
    real = therapist._list_entries

    def counting(store: care.CareStore, codes: Any, /, **kw: Any) -> Any:
        computed.extend(codes)
        return real(store, codes, **kw)

    monkeypatch.setattr(therapist, "_list_entries", counting)
    start = threading.Barrier(8)
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def view() -> None:
        try:
            start.wait(timeout=10)
            results.append([e.code for e in patient_list(store, seeded.therapist_a,
                                                          today=seeded.today)])  # fmt: skip
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=view) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == [] and len(results) == 8
    assert all(r == results[0] for r in results) and len(results[0]) == 32
    assert sorted(computed) == sorted(results[0])  # each entry computed once


def test_the_warm_up_fills_the_cache_and_logs_ids_only(
    seeded: Seeded, store: care.CareStore, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="reeducate.web"):
        stop = start_list_warmup(store)
        for _ in range(1200):  # up to 60 s on a loaded machine
            if "patient list cache warmed: clinic CL-0002" in caplog.text:
                break
            threading.Event().wait(0.05)
        stop()
    assert "patient list cache warmed: clinic CL-0001, 2 of 2 patients" in caplog.text
    assert "patient list cache warmed: clinic CL-0002, 1 of 1 patients" in caplog.text
    assert "Ada" not in caplog.text and "Bob" not in caplog.text and "Carla" not in caplog.text
    keys = [
        therapist._list_key(store, code, _revision(store, code), seeded.today)
        for code in (seeded.flagged, seeded.quiet, seeded.other)
    ]
    assert len(LIST_CACHE.get_many(keys)) == 3


def test_a_failing_warm_up_never_stops_the_application(
    seeded: Seeded, store: care.CareStore, caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    def broken(*_a: Any, **_k: Any) -> Any:
        raise RuntimeError("P-0001 Ada")  # a message that must not reach the log

    monkeypatch.setattr(therapist, "_list_entries", broken)
    with caplog.at_level(logging.INFO, logger="reeducate.web"):
        stop = start_list_warmup(store)
        for _ in range(1200):  # up to 60 s on a loaded machine
            if "warm-up stopped" in caplog.text:
                break
            threading.Event().wait(0.05)
        stop()
    assert "patient list warm-up stopped: RuntimeError" in caplog.text
    assert "Ada" not in caplog.text


@pytest.fixture
def crowded(seeded: Seeded, store: care.CareStore) -> Seeded:
    """Clinic A with 60 patients (the 2 seeded and 58 more)."""
    with transaction(store.factory) as session:
        repos = Repositories(session, actor="setup")
        for n in range(58):
            repos.patients.add(Patient(code=f"P-{200 + n:04d}"))
    return seeded


@pytest.fixture
def app(crowded: Seeded, installed_assets: object) -> Iterator[tuple[FastAPI, TestClient]]:
    application = create_app(load_settings(environ={"REEDUCATE_DATABASE_URL": crowded.url}))
    with TestClient(application, raise_server_exceptions=False) as client:
        signed_in(application, crowded.therapist_a)
        yield application, client


def test_the_list_page_shows_fifty_most_urgent_first_with_page_links(
    app: tuple[FastAPI, TestClient], crowded: Seeded, store: care.CareStore
) -> None:
    client = app[1]
    first = client.get("/patients")
    assert first.status_code == 200
    assert first.text.count('class="result-item patient-row"') == LIST_PAGE_SIZE
    assert "60 patients of your clinic" in first.text
    assert 'data-count="1"' in first.text  # the flagged patient, counted over every page
    assert first.text.index(f'data-code="{crowded.flagged}"') < first.text.index("P-0200")
    assert 'href="/patients?page=2"' in first.text and "Patients 1–50 of 60" in first.text
    second = client.get("/patients", params={"page": 2})
    assert second.text.count('class="result-item patient-row"') == 10
    assert "Patients 51–60 of 60" in second.text and 'href="/patients?page=1"' in second.text
    assert client.get("/patients", params={"page": 0}).status_code == 422
    # Each page's audit event names the patients it showed.
    events = view_audit_log(store, crowded.admin, action="read", entity="clinic")
    shown = [e.detail["patient_codes"] for e in events[-2:]]
    assert [len(codes) for codes in shown] == [50, 10] and shown[0][0] == crowded.flagged
    # The JSON list: every patient, or a page.
    body = client.get("/api/v1/patients").json()
    assert body["total"] == len(body["patients"]) == 60 and body["flagged"] == 1
    page = client.get("/api/v1/patients", params={"page": 3, "per_page": 25}).json()
    assert (page["page"], page["pages"], page["total"], len(page["patients"])) == (3, 3, 60, 10)
    assert [p["code"] for p in page["patients"]] == [p["code"] for p in body["patients"]][50:]
    assert client.get("/api/v1/patients", params={"per_page": 501, "page": 1}).status_code == 422


def test_a_page_past_the_last_is_empty_and_bad_pages_are_refused(
    crowded: Seeded, store: care.CareStore
) -> None:
    listing = patient_list_page(store, crowded.therapist_a, today=crowded.today, page=9,
                                per_page=50)  # fmt: skip
    assert listing.entries == () and listing.total == 60 and listing.pages == 2
    with pytest.raises(ValueError, match="page must be"):
        patient_list_page(store, crowded.therapist_a, today=crowded.today, page=0, per_page=5)
    with pytest.raises(ValueError, match="per_page must be"):
        patient_list_page(store, crowded.therapist_a, today=crowded.today, page=1, per_page=0)


def test_the_warm_up_fills_the_cache_again_when_the_day_changes(
    seeded: Seeded, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime, time

    days = [seeded.today]
    clocked = care.open_store(
        seeded.url, actor="U-0002", clock=lambda: datetime.combine(days[-1], time(9), UTC)
    )
    monkeypatch.setattr(therapist, "_WARM_POLL_S", 0.02)

    def warmed(count: int) -> bool:
        for _ in range(1200):  # up to 60 s on a loaded machine
            if caplog.text.count("warmed: clinic CL-0001") >= count:
                return True
            threading.Event().wait(0.05)
        return False

    try:
        with caplog.at_level(logging.INFO, logger="reeducate.web"):
            stop = start_list_warmup(clocked)
            try:
                assert warmed(1)
                days.append(seeded.today + timedelta(days=1))
                assert warmed(2)
            finally:
                stop()
        tomorrow = [
            therapist._list_key(clocked, code, _revision(clocked, code), days[-1])
            for code in (seeded.flagged, seeded.quiet)
        ]
        assert len(LIST_CACHE.get_many(tomorrow)) == 2
    finally:
        clocked.close()


def test_the_warm_up_calls_after_pass_once_every_clinic_is_done(
    seeded: Seeded, store: care.CareStore
) -> None:
    passes: list[int] = []

    def after_pass() -> None:
        passes.append(len(LIST_CACHE))

    LIST_CACHE.clear()
    stop = start_list_warmup(store, after_pass=after_pass)
    for _ in range(1200):  # up to 60 s on a loaded machine
        if passes:
            break
        threading.Event().wait(0.05)
    stop()
    assert passes and passes[0] >= 3  # called after both clinics' 3 patients were cached


def test_the_warm_up_prepares_first_and_builds_a_chart_without_auditing_it(
    seeded: Seeded, store: care.CareStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    order: list[str] = []
    built: list[str] = []
    real_build = therapist._build_chart

    def build(code: str, records: Any, /, **kwargs: Any) -> Any:
        built.append(code)
        order.append("chart")
        return real_build(code, records, **kwargs)

    monkeypatch.setattr(therapist, "_build_chart", build)
    before = len(view_audit_log(store, seeded.admin, limit=100_000))
    passes: list[int] = []
    stop = start_list_warmup(
        store, prepare=lambda: order.append("prepare"), after_pass=lambda: passes.append(1)
    )
    for _ in range(1200):  # up to 60 s on a loaded machine
        if passes:
            break
        threading.Event().wait(0.05)
    stop()
    assert order[:2] == ["prepare", "chart"] and len(built) == 1
    assert len(view_audit_log(store, seeded.admin, limit=100_000)) == before  # nothing shown
