"""The therapist's patient list and chart: the right data for a seeded patient, escaping,
the other clinic refused like an unknown code, and one audit event per view."""

from __future__ import annotations

import typing
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.web.worlds import FAST

from reeducate.api import create_app, load_settings
from reeducate.clinic.care import Patient, PatientIdentity
from reeducate.services import accounts, care
from reeducate.services.access import view_audit_log
from reeducate.services.library import score_measure
from reeducate.store.engine import transaction
from reeducate.store.repositories import Repositories, UserAccount
from reeducate.web.charts import TrendPoint, measure_trend_svg
from reeducate.web.deps import TherapistUser
from reeducate.web.therapist import AttentionKind, home_sessions_expected, waiting_decisions

HOSTILE = "Ada <script>alert('x')</script> & O'Brien"
THERAPIST_DEPENDENCY = typing.get_args(TherapistUser)[1].dependency


@dataclass(frozen=True)
class Seeded:
    url: str
    today: date
    admin: UserAccount
    therapist_a: UserAccount
    therapist_b: UserAccount
    flagged: str  # clinic A, plan, symptoms, scores
    quiet: str  # clinic A, no episode
    other: str  # clinic B


@dataclass(frozen=True)
class TwoClinics:
    admin: UserAccount
    clinic_b: str
    therapist_a: UserAccount  # clinic A (CL-0001)
    therapist_b: UserAccount  # clinic B


def two_clinics(store: care.CareStore, *, logins: tuple[str, str]) -> TwoClinics:
    """An administrator, clinic B beside the default clinic A, a therapist in each."""
    admin = accounts.bootstrap_administrator(
        store, login="admin", password="a long admin passphrase", settings=FAST
    )
    clinic_b = accounts.create_clinic(store, admin, name="Clinic B")
    therapists = [
        accounts.create_user(
            store,
            admin,
            login=login,
            password="a long therapist passphrase",
            role="therapist",
            clinic_id=clinic,
            settings=FAST,
        )
        for login, clinic in zip(logins, ("CL-0001", clinic_b.id), strict=True)
    ]
    return TwoClinics(admin, clinic_b.id, *therapists)


def patient_in(store: care.CareStore, clinic_id: str, *, name: str, born: date) -> str:
    """A patient registered in ``clinic_id``; returns the code."""
    with transaction(store.factory) as session:
        repos = Repositories(session, actor="setup", clock=store.clock)
        code = repos.patients.next_code()
        identity = PatientIdentity(name=name, date_of_birth=born)
        repos.patients.add(Patient(code=code, identity=identity), clinic_id=clinic_id)
    return code


def seed(folder: Path) -> Seeded:
    """Two clinics; clinic A has a flagged patient with a full record and a quiet one."""
    url = f"sqlite:///{folder / 'reeducate.sqlite3'}"
    today = datetime.now(UTC).date()
    store = care.open_store(url, actor="setup")
    try:
        clinics = two_clinics(store, logins=("pt.a", "pt.b"))
        admin, therapist_a, therapist_b = clinics.admin, clinics.therapist_a, clinics.therapist_b
        flagged = care.add_patient(store, name=HOSTILE, date_of_birth=date(1950, 6, 1))
        quiet = care.add_patient(store, name="Bob Quiet", date_of_birth=date(1961, 2, 3))
        other = patient_in(store, clinics.clinic_b, name="Carla Other", born=date(1970, 1, 1))
        start = today - timedelta(days=30)
        care.open_episode(
            store, patient_code=flagged, start_date=start, diagnoses=["R26.81"],
            impairments=["balance"],
        )  # fmt: skip
        care.create_plan(
            store, patient_code=flagged, start_date=start, frequency_per_week=2,
            duration_weeks=8, certification_date=start,
            recertification_due_date=today + timedelta(days=40),
            goal=care.GoalSpec(description="Walk to the shop safely", measure="tug",
                               baseline_value=16.0, target_value=11.0,
                               target_date=today + timedelta(days=30)),
        )  # fmt: skip
        care.prescribe(
            store, patient_code=flagged, variant_id="bal-sls-firm-eo",
            start_date=today - timedelta(days=20),
        )  # fmt: skip
        care.log_session(
            store,
            care.SessionLog(
                patient_code=flagged,
                session_date=today - timedelta(days=3),
                exercises=(
                    care.ExerciseLog(variant_id="bal-sls-firm-eo", hold_done_s=(30.0, 30.0),
                                     pain_before_nprs=1, pain_after_nprs=4,
                                     symptoms_during=("dizziness",)),
                ),
                minutes_by_code={"97112": 25},
            ),
        )  # fmt: skip
        for days_ago, seconds in ((25, 16.0), (2, 12.5)):
            care.store_score(
                store, score_measure("tug", value=seconds), patient_code=flagged,
                scored_on=today - timedelta(days=days_ago),
            )  # fmt: skip
    finally:
        store.close()
    return Seeded(url, today, admin, therapist_a, therapist_b, flagged, quiet, other)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    return seed(tmp_path_factory.mktemp("therapist"))


def signed_in(app: FastAPI, user: UserAccount) -> None:
    """Sign ``user`` in on the pages and on the mounted API."""
    app.dependency_overrides[THERAPIST_DEPENDENCY] = lambda: user
    for route in app.routes:
        sub = getattr(route, "app", None)
        if isinstance(sub, FastAPI):
            sub.dependency_overrides[THERAPIST_DEPENDENCY] = lambda: user


@pytest.fixture(scope="module")
def app(seeded: Seeded, installed_assets: object) -> Iterator[tuple[FastAPI, TestClient]]:
    application = create_app(load_settings(environ={"REEDUCATE_DATABASE_URL": seeded.url}))
    with TestClient(application, raise_server_exceptions=False) as client:
        yield application, client


def as_user(app: tuple[FastAPI, TestClient], user: UserAccount) -> TestClient:
    signed_in(app[0], user)
    return app[1]


def audit_reads(seeded: Seeded) -> list[tuple[str, str, str, str]]:
    store = care.open_store(seeded.url, actor="test")
    try:
        return [
            (e.actor, e.entity, e.entity_id, str(e.detail.get("resource")))
            for e in view_audit_log(store, seeded.admin, action="read", limit=10_000)
        ]
    finally:
        store.close()


def view_events(seeded: Seeded) -> list[Any]:
    """The chart views' read events (entity ``patient``), oldest first."""
    store = care.open_store(seeded.url, actor="test")
    try:
        return view_audit_log(store, seeded.admin, action="read", entity="patient", limit=10_000)
    finally:
        store.close()


def test_patient_list_shows_the_clinic_most_urgent_first(
    app: tuple[FastAPI, TestClient], seeded: Seeded
) -> None:
    before = len(audit_reads(seeded))
    page = as_user(app, seeded.therapist_a).get("/patients")
    assert page.status_code == 200
    html = page.text
    # Clinic A only: the other clinic's patient is neither named nor linked.
    assert "Carla Other" not in html and seeded.other not in html
    # The flagged patient first, the quiet one after.
    first, second = (
        html.index(f'data-code="{seeded.flagged}"'),
        html.index(f'data-code="{seeded.quiet}"'),
    )
    assert first < second
    assert "Bob Quiet" in html
    row = html[first:second]
    assert 'data-kind="symptom_flag"' in row and "dizziness" in row and "pain 1→4/10" in row
    assert 'data-kind="missed_home_sessions"' in row and "0 of 3 home sessions" in row
    assert 'class="flagged-count" data-count="1"' in html
    # The name is escaped, never markup.
    assert "<script>alert" not in html
    assert "Ada &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; O&#39;Brien" in html
    # One audit event for the list, naming the codes shown, by the therapist.
    events = audit_reads(seeded)[before:]
    assert events == [(seeded.therapist_a.id, "clinic", "CL-0001", "patient")]


def test_chart_shows_the_record_with_figures(
    app: tuple[FastAPI, TestClient], seeded: Seeded
) -> None:
    before = len(audit_reads(seeded))
    page = as_user(app, seeded.therapist_a).get(f"/patients/{seeded.flagged}")
    assert page.status_code == 200
    html = page.text
    assert "<script>alert" not in html and "Ada &lt;script&gt;" in html
    assert "ICD-10 R26.81" in html and "balance" in html
    # The goal: baseline 16, target 11, current 12.5 (the latest TUG), 70 % of the way.
    assert '<td class="baseline">16</td>' in html and '<td class="target">11</td>' in html
    assert '<td class="current">12.5' in html and 'value="70"' in html
    # The prescription in force and its dose, the session with its symptom and minutes.
    assert "3 × 10 s hold, rest 30 s, 3×/week" in html
    assert "dizziness" in html and "<td>25</td>" in html
    # The TUG trend as an SVG figure, with its values in the alt text.
    assert 'data-measure="tug"' in html
    code = seeded.flagged
    assert f'src="/patients/{code}/trends/tug.svg"' in html  # loaded beside the page
    assert "16 on " in html and "12.5 on " in html
    # Audited: one read event for the view, by the therapist, for this patient, naming every
    # kind of record shown with the ids shown.
    events = audit_reads(seeded)[before:]
    assert events == [(seeded.therapist_a.id, "patient", seeded.flagged, "patient")]
    (view,) = view_events(seeded)[-1:]
    assert set(view.detail["records"]) == {
        "patient", "episode", "plan", "prescription", "session", "outcome_score",
        "balance_trial", "decision",
    }  # fmt: skip
    assert view.detail["records"]["patient"] == [seeded.flagged]
    assert view.detail["records"]["session"] == ["S-0001"]
    assert view.detail["records"]["outcome_score"] == ["M-0001", "M-0002"]
    assert view.detail["action"] == "read" and view.detail["role"] == "therapist"


def test_chart_of_another_clinic_and_an_unknown_code_are_refused_alike(
    app: tuple[FastAPI, TestClient], seeded: Seeded
) -> None:
    before = len(audit_reads(seeded))
    client = as_user(app, seeded.therapist_a)
    other = client.get(f"/patients/{seeded.other}")
    unknown = client.get("/patients/P-9999")
    assert other.status_code == unknown.status_code == 403
    assert "Carla Other" not in other.text
    # Therapist B reaches their own patient and not clinic A's.
    client_b = as_user(app, seeded.therapist_b)
    assert client_b.get(f"/patients/{seeded.other}").status_code == 200
    assert client_b.get(f"/patients/{seeded.flagged}").status_code == 403
    # Refusals write nothing; B's one chart view did.
    events = audit_reads(seeded)[before:]
    assert {e[2] for e in events} == {seeded.other}


def test_trend_figure_is_the_scores_drawn_audited_and_refused_elsewhere(
    app: tuple[FastAPI, TestClient], seeded: Seeded
) -> None:
    client = as_user(app, seeded.therapist_a)
    before = len(audit_reads(seeded))
    answer = client.get(f"/patients/{seeded.flagged}/trends/tug.svg")
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/svg+xml"
    assert answer.headers["cache-control"] == "no-store" and b"<svg" in answer.content
    # The figure is the chart's TUG trend drawn: the same bytes as drawing the points, MCID
    # and target that the chart's JSON gives (figures carry no date, so equal data: equal SVG).
    events = audit_reads(seeded)[before:]
    (trend,) = [t for t in client.get(f"/api/v1/patients/{seeded.flagged}").json()["outcome_trends"]
                if t["measure"] == "tug"]  # fmt: skip
    drawn = measure_trend_svg(
        [TrendPoint(on=date.fromisoformat(p["on"]), value=p["value"]) for p in trend["points"]],
        title=trend["name"], unit=trend["unit"], mcid=trend["mcid"], target=trend["target"],
        higher_is_better=trend["higher_is_better"],
    )  # fmt: skip
    assert answer.content == drawn and [p["value"] for p in trend["points"]] == [16, 12.5]
    assert events == [(seeded.therapist_a.id, "patient", seeded.flagged, "outcome_score")]
    # A measure the patient has no scores of: 404, nothing audited.
    assert client.get(f"/patients/{seeded.flagged}/trends/bbs.svg").status_code == 404
    # Another clinic's patient and an unknown code: 403 alike, nothing audited.
    assert client.get(f"/patients/{seeded.other}/trends/tug.svg").status_code == 403
    assert client.get("/patients/P-9999/trends/tug.svg").status_code == 403
    assert len(audit_reads(seeded)) == before + 2  # the figure, the JSON chart; no refusal


def test_signed_out_is_not_let_in(seeded: Seeded, installed_assets: object) -> None:
    application = create_app(load_settings(environ={"REEDUCATE_DATABASE_URL": seeded.url}))
    with TestClient(application, follow_redirects=False) as client:
        answer = client.get(f"/patients/{seeded.flagged}")
    assert answer.status_code in (303, 401, 403)
    assert "Ada" not in answer.text


def test_missed_home_sessions_are_pro_rata_in_the_first_week() -> None:
    from reeducate.clinic.care import PrescribedExercise, Prescription
    from reeducate.clinic.exercises import load_library

    dose = load_library().get("bal-sls-firm-eo").dose
    rx = Prescription(
        id="RX-0001", plan_id="C-0001", start_date=date(2025, 3, 3),
        exercises=(PrescribedExercise(variant_id="bal-sls-firm-eo", dose=dose),),
    )  # fmt: skip
    assert dose.sessions_per_week == 3
    assert home_sessions_expected(rx, today=date(2025, 3, 3)) == (3, 0)
    assert home_sessions_expected(rx, today=date(2025, 3, 5)) == (3, 1)
    assert home_sessions_expected(rx, today=date(2025, 3, 20)) == (3, 3)
    assert home_sessions_expected(None, today=date(2025, 3, 20)) is None
    assert waiting_decisions([], [], prescription_id="RX-0001") == []
    assert AttentionKind.SYMPTOM_FLAG.urgency < AttentionKind.MISSED_HOME_SESSIONS.urgency
