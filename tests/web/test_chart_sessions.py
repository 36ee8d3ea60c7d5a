"""The chart reads and shows the latest sessions only, with the total and a link to all of them;
the attention rules still see every session of their window; the view is one audit event naming
the sessions shown."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.web.test_therapist import signed_in
from tests.web.worlds import FAST

from reeducate.api import create_app, load_settings
from reeducate.services import accounts, care
from reeducate.services.access import view_audit_log
from reeducate.store.repositories import UserAccount
from reeducate.web.therapist import CHART_SESSIONS, AttentionKind, patient_chart

N_SESSIONS = CHART_SESSIONS + 5


@dataclass(frozen=True)
class Busy:
    url: str
    today: date
    admin: UserAccount
    therapist: UserAccount
    code: str


@pytest.fixture(scope="module")
def busy(tmp_path_factory: pytest.TempPathFactory) -> Busy:
    """A patient with more sessions in the last 12 days than the chart shows: three home
    sessions a day; the oldest one had dizziness."""
    folder: Path = tmp_path_factory.mktemp("busy")
    url = f"sqlite:///{folder / 'reeducate.sqlite3'}"
    today = datetime.now(UTC).date()
    store = care.open_store(url, actor="setup")
    try:
        admin = accounts.bootstrap_administrator(
            store, login="admin", password="a long admin passphrase", settings=FAST
        )
        therapist = accounts.create_user(
            store, admin, login="pt.busy", password="a long therapist passphrase",
            role="therapist", clinic_id="CL-0001", settings=FAST,
        )  # fmt: skip
        code = care.add_patient(store, name="Dora Busy", date_of_birth=date(1948, 4, 4))
        start = today - timedelta(days=40)
        care.open_episode(
            store, patient_code=code, start_date=start, diagnoses=["R26.81"],
            impairments=["balance"],
        )  # fmt: skip
        care.create_plan(
            store, patient_code=code, start_date=start, frequency_per_week=3, duration_weeks=10,
            certification_date=start, recertification_due_date=today + timedelta(days=30),
            goal=care.GoalSpec(description="Stand on one leg", measure="tug",
                               baseline_value=15.0, target_value=11.0,
                               target_date=today + timedelta(days=30)),
        )  # fmt: skip
        care.prescribe(store, patient_code=code, variant_id="bal-sls-firm-eo", start_date=start)
        first_day = today - timedelta(days=12)
        for n in range(N_SESSIONS):
            care.log_session(
                store,
                care.SessionLog(
                    patient_code=code,
                    session_date=first_day + timedelta(days=n // 3),
                    setting="home",
                    sequence=n % 3 + 1,
                    exercises=(
                        care.ExerciseLog(
                            variant_id="bal-sls-firm-eo",
                            hold_done_s=(10.0, 10.0, 10.0),
                            symptoms_during=("dizziness",) if n == 0 else (),
                        ),
                    ),
                ),
            )
    finally:
        store.close()
    return Busy(url, today, admin, therapist, code)


@pytest.fixture(scope="module")
def app(busy: Busy, installed_assets: object) -> Iterator[tuple[FastAPI, TestClient]]:
    application = create_app(load_settings(environ={"REEDUCATE_DATABASE_URL": busy.url}))
    with TestClient(application, raise_server_exceptions=False) as client:
        signed_in(application, busy.therapist)
        yield application, client


def _chart_views(busy: Busy) -> list[dict[str, object]]:
    store = care.open_store(busy.url, actor="test")
    try:
        return [
            dict(e.detail)
            for e in view_audit_log(store, busy.admin, action="read", entity="patient")
        ]
    finally:
        store.close()


def test_the_chart_reads_the_latest_sessions_newest_first(busy: Busy) -> None:
    store = care.open_store(busy.url, actor="test")
    try:
        latest = patient_chart(store, busy.therapist, busy.code, today=busy.today)
        every = patient_chart(store, busy.therapist, busy.code, today=busy.today, all_sessions=True)
    finally:
        store.close()
    assert len(latest.sessions) == CHART_SESSIONS and latest.sessions_total == N_SESSIONS
    assert latest.more_sessions == N_SESSIONS - CHART_SESSIONS
    assert [s.id for s in latest.sessions] == [s.id for s in every.sessions][:CHART_SESSIONS]
    keys = [(s.on, s.sequence) for s in every.sessions]
    assert keys == sorted(keys, reverse=True) and len(every.sessions) == N_SESSIONS
    assert every.more_sessions == 0
    # The dizziness of the oldest session (not shown) is in the 14-day window: still flagged.
    flags = [a for a in latest.attention if a.kind is AttentionKind.SYMPTOM_FLAG]
    assert flags and "dizziness" in flags[0].detail
    assert latest.attention == every.attention
    assert latest.recommendations == every.recommendations
    # The view's one audit event names the sessions shown, newest first.
    views = _chart_views(busy)
    assert views[-2]["records"]["session"] == [s.id for s in latest.sessions]  # type: ignore[index]
    assert views[-1]["records"]["session"] == [s.id for s in every.sessions]  # type: ignore[index]


def test_the_chart_page_links_to_every_session(app: tuple[FastAPI, TestClient], busy: Busy) -> None:
    client = app[1]
    page = client.get(f"/patients/{busy.code}")
    assert page.status_code == 200
    assert page.text.count("<tr data-session=") == CHART_SESSIONS
    assert f"The latest {CHART_SESSIONS} of {N_SESSIONS} sessions" in page.text
    assert f'href="/patients/{busy.code}?sessions=all#sessions-title"' in page.text
    every = client.get(f"/patients/{busy.code}", params={"sessions": "all"})
    assert every.status_code == 200
    assert every.text.count("<tr data-session=") == N_SESSIONS
    assert "?sessions=all" not in every.text
    assert client.get(f"/patients/{busy.code}", params={"sessions": "some"}).status_code == 422
    body = client.get(f"/api/v1/patients/{busy.code}").json()
    assert len(body["sessions"]) == CHART_SESSIONS and body["sessions_total"] == N_SESSIONS
    body = client.get(f"/api/v1/patients/{busy.code}", params={"sessions": "all"}).json()
    assert len(body["sessions"]) == body["sessions_total"] == N_SESSIONS


def test_the_audit_viewer_lists_the_records_of_a_chart_view(busy: Busy) -> None:
    from reeducate.web.admin import _event_row

    store = care.open_store(busy.url, actor="test")
    try:
        patient_chart(store, busy.therapist, busy.code, today=busy.today)
        (event,) = view_audit_log(store, busy.admin, action="read", entity="patient", limit=1)
    finally:
        store.close()
    row = _event_row(event)
    records = row["detail"]["records"]
    assert records[0] == f"patient {busy.code}"
    assert any(r.startswith("session S-") and r.count("S-") == CHART_SESSIONS for r in records)
    assert "balance trial (none)" in records and "records" not in row["changed"]
