"""The printable progress report (HTML and PDF): the numbers of a seeded record, computed here
from the seed's own data; the period; access like the chart (403 alike, nothing rendered or
audited); escaping; the PDF's text and file name; the PDF renderer never fetches off-disk."""

from __future__ import annotations

import base64
import io
import logging
import math
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.web.test_therapist import patient_in, signed_in, two_clinics

from reeducate.api import create_app, load_settings
from reeducate.clinic.care import BalanceTrialRecord
from reeducate.clinic.exercises import load_library
from reeducate.services import care
from reeducate.services.access import view_audit_log
from reeducate.services.library import score_measure
from reeducate.store.engine import transaction
from reeducate.store.repositories import Repositories, UserAccount
from reeducate.web.assets import STATIC_DIR, InstalledAssets
from reeducate.web.pdf import (
    DOCUMENT_ORIGIN,
    ResourceRefusedError,
    local_fetcher,
    local_resource,
    pdf_from_html,
)
from reeducate.web.therapist_forms import acting

NAME = "Edith Reportson"
HOSTILE_GOAL = "<script>alert(1)</script> walk to the shop"
HOSTILE_REASON = "Dizzy <b>today</b> & pale"
VARIANT = "bal-sls-firm-eo"

#: The seeded sessions: (days before today, setting, sequence, minutes per code, symptomatic).
SESSIONS: tuple[tuple[int, str, int, dict[str, int], bool], ...] = (
    (50, "clinic", 1, {"97112": 30, "97110": 10}, False),
    (20, "clinic", 1, {"97112": 25, "97110": 15}, False),
    (10, "clinic", 1, {"97112": 20, "97530": 8}, True),
    (9, "home", 1, {}, False),
    (9, "home", 2, {}, False),
    (5, "home", 1, {}, False),
)
#: Outcome scores: (measure, days before today, value).
SCORES = (
    ("tug", 55, 16.0),
    ("tug", 25, 14.0),
    ("tug", 3, 12.5),
    ("ftsts", 4, 12.0),
    ("frt", 6, 18.0),
    ("nprs", 25, 6.0),
    ("nprs", 3, 3.0),
)
MEASURE_NAMES = {
    "tug": "Timed Up and Go",
    "ftsts": "Five Times Sit to Stand",
    "frt": "Functional Reach Test",
    "nprs": "Numeric Pain Rating Scale",
}
#: Decisions (rejections, so the prescription stays): (days before today, reason).
DECISIONS = ((40, "Wait for the next visit"), (10, HOSTILE_REASON))
#: Balance trials: (id, days before today, ellipse area in m²).
TRIALS = (("T-0901", 45, 3.0e-4), ("T-0902", 8, 1.2e-4))
PLAN_DAYS_AGO = 60


@dataclass(frozen=True)
class World:
    url: str
    today: date
    admin: UserAccount
    therapist_a: UserAccount
    therapist_b: UserAccount
    code: str
    bare: str  # clinic A, no episode
    other: str  # clinic B


def _seed(folder: Path) -> World:
    url = f"sqlite:///{folder / 'reeducate.sqlite3'}"
    today = datetime.now(UTC).date()

    def ago(days: int) -> date:
        return today - timedelta(days=days)

    store = care.open_store(url, actor="setup")
    try:
        clinics = two_clinics(store, logins=("pt.report", "pt.other"))
        admin, therapist_a, therapist_b = clinics.admin, clinics.therapist_a, clinics.therapist_b
        code = care.add_patient(store, name=NAME, date_of_birth=date(1948, 4, 2))
        bare = care.add_patient(store, name="Bare Record", date_of_birth=date(1960, 1, 1))
        other = patient_in(store, clinics.clinic_b, name="Olga Otherclinic", born=date(1970, 1, 1))
        start = ago(PLAN_DAYS_AGO)
        care.open_episode(
            store, patient_code=code, start_date=start, diagnoses=["R26.81", "M62.81"],
            impairments=["balance", "proprioception"],
        )  # fmt: skip
        care.create_plan(
            store, patient_code=code, start_date=start, frequency_per_week=2,
            duration_weeks=12, certification_date=start, recertification_due_date=ago(-20),
            goal=care.GoalSpec(description=HOSTILE_GOAL, measure="tug", baseline_value=16.0,
                               target_value=11.0, target_date=ago(-30)),
        )  # fmt: skip
        for description, measure, baseline, target in (
            ("Stand up from a chair quickly", "ftsts", 18.0, 13.0),
            ("Reach the top shelf", "frt", 20.0, 30.0),
            ("Stand on one leg", "sls-eo", 4.0, 20.0),
        ):
            care.add_goal(
                store, patient_code=code,
                goal=care.GoalSpec(description=description, measure=measure,
                                   baseline_value=baseline, target_value=target,
                                   target_date=ago(-30)),
            )  # fmt: skip
        care.prescribe(store, patient_code=code, variant_id=VARIANT, start_date=start)
        for days, setting, sequence, minutes, symptomatic in SESSIONS:
            care.log_session(
                store,
                care.SessionLog(
                    patient_code=code, session_date=ago(days), setting=setting,
                    sequence=sequence, minutes_by_code=minutes,
                    exercises=(care.ExerciseLog(
                        variant_id=VARIANT, hold_done_s=(10.0, 10.0, 10.0),
                        pain_before_nprs=1, pain_after_nprs=4 if symptomatic else 1,
                        symptoms_during=("dizziness",) if symptomatic else (),
                    ),),
                ),
            )  # fmt: skip
        for measure, days, value in SCORES:
            care.store_score(
                store, score_measure(measure, value=value), patient_code=code,
                scored_on=ago(days),
            )  # fmt: skip
        with transaction(store.factory) as session:
            repos = Repositories(session, actor="setup", clock=store.clock)
            for trial_id, days, area_m2 in TRIALS:
                repos.trials.add(
                    BalanceTrialRecord(
                        id=trial_id, patient_code=code,
                        recorded_at=datetime.combine(ago(days), time(10), tzinfo=UTC),
                        source_name="trial.csv", condition="firm/eyes closed",
                        preset="santos-duarte-2016", sampling_rate_hz=100.0, duration_s=60.0,
                        metrics={"ellipse_area_95_m2": area_m2, "mean_velocity_m_s": 0.015},
                        settings={},
                    )
                )  # fmt: skip
        for days, reason in DECISIONS:
            care.decide(
                acting(store, therapist_a), patient_code=code, variant_id=VARIANT,
                kind="reject", today=ago(days), reason=reason,
            )  # fmt: skip
    finally:
        store.close()
    return World(url, today, admin, therapist_a, therapist_b, code, bare, other)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    return _seed(tmp_path_factory.mktemp("report"))


@pytest.fixture(scope="module")
def app(world: World, installed_assets: object) -> Iterator[tuple[FastAPI, TestClient]]:
    application = create_app(load_settings(environ={"REEDUCATE_DATABASE_URL": world.url}))
    with TestClient(application, raise_server_exceptions=False) as client:
        yield application, client


def as_user(app: tuple[FastAPI, TestClient], user: UserAccount) -> TestClient:
    signed_in(app[0], user)
    return app[1]


def audit_reads(world: World) -> list[tuple[str, str, str, str]]:
    store = care.open_store(world.url, actor="test")
    try:
        return [
            (e.actor, e.entity, e.entity_id, str(e.detail.get("resource")))
            for e in view_audit_log(store, world.admin, action="read", limit=10_000)
        ]
    finally:
        store.close()


def period(world: World, first_days_ago: int, last_days_ago: int) -> str:
    first = world.today - timedelta(days=first_days_ago)
    last = world.today - timedelta(days=last_days_ago)
    return f"?start={first.isoformat()}&end={last.isoformat()}"


def _in(days: int, first: int, last: int) -> bool:
    """Whether a record ``days`` before today falls in the period [first, last] days ago."""
    return last <= days <= first


def minutes_shown(html: str) -> dict[str, int]:
    return {
        code: int(value)
        for code, value in re.findall(
            r'<tr data-code="(\d+)">.*?<td class="num minutes-value">(\d+)</td>', html
        )
    }


def stat(html: str, name: str) -> str:
    found = re.search(rf'data-stat="{name}">\s*<span class="stat-value">(.*?)</span>', html)
    assert found, name
    return re.sub(r"<[^>]+>", "", found.group(1))


# --------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------


def test_report_shows_the_record_of_the_period(
    app: tuple[FastAPI, TestClient], world: World
) -> None:
    first, last = 30, 0
    page = as_user(app, world.therapist_a).get(
        f"/patients/{world.code}/report{period(world, first, last)}"
    )
    assert page.status_code == 200
    html = page.text
    assert NAME in html and world.code in html
    # The name is in the body, not in the title (browser history, PDF metadata).
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    assert title and NAME not in title.group(1) and world.code in title.group(1)
    assert "R26.81, M62.81" in html and "balance, proprioception" in html
    assert "2×/week for 12 weeks" in html

    # Minutes per CPT code: the clinic sessions dated in the period, summed here.
    want: dict[str, int] = {}
    for days, _, _, minutes, _ in SESSIONS:
        if _in(days, first, last):
            for code, value in minutes.items():
                want[code] = want.get(code, 0) + value
    assert want == {"97112": 45, "97110": 15, "97530": 8}  # the seed, by hand
    assert minutes_shown(html) == want
    assert f'<td class="num total-minutes">{sum(want.values())}</td>' in html

    # Attendance: distinct clinic dates and home (date, sequence) in the period.
    clinic = {d for d, s, _, _, _ in SESSIONS if s == "clinic" and _in(d, first, last)}
    home = {(d, q) for d, s, q, _, _ in SESSIONS if s == "home" and _in(d, first, last)}
    days = first - last + 1
    per_week = load_library().get(VARIANT).dose.sessions_per_week
    assert stat(html, "clinic") == f"{len(clinic)} of {math.floor(2 * days / 7)}"
    assert stat(html, "home") == f"{len(home)} of {math.floor(per_week * days / 7)}"
    since_plan = {d for d, s, _, _, _ in SESSIONS if s == "clinic" and d <= PLAN_DAYS_AGO}
    assert stat(html, "visits-to-date") == str(len(since_plan))
    assert stat(html, "minutes") == str(sum(want.values()))

    # Goals: latest value on or before the end, and where it stands.
    goals = re.findall(r'<tr data-goal="[^"]+" data-status="([a-z_]+)">\s*<td>(.*?)<br>', html)
    assert {description: status for status, description in goals} == {
        "&lt;script&gt;alert(1)&lt;/script&gt; walk to the shop": "progressing",  # 16 → 12.5
        "Stand up from a chair quickly": "met",  # 12 ≤ 13
        "Reach the top shelf": "not_progressing",  # 18 < baseline 20
        "Stand on one leg": "not_measured",
    }
    assert len(goals) == 4
    assert '<td class="num latest">12.5<br>' in html
    assert "70 % of the way" in html  # (16 − 12.5) / (16 − 11)

    # One trend figure per measure scored in the period, an SVG data URI with MCID band.
    scored = {m for m, d, _ in SCORES if _in(d, first, last)}
    figures = re.findall(r'<figure class="report-figure" data-measure="([^"]+)">\s*<img src="'
                         r'data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', html)  # fmt: skip
    assert {m for m, _ in figures} == scored and len(figures) == len(scored)
    for _, payload in figures:
        assert b"<svg" in base64.b64decode(payload)
    for measure in scored:
        assert MEASURE_NAMES[measure] in html
    # The TUG trend holds the period's two scores, not the one before it.
    assert "14 on " in html and "12.5 on " in html and "16 on " not in html

    # The decision of the period with its evidence and reason (escaped); not the earlier one.
    decisions = re.findall(r'<tr data-decision="[^"]+">(.*?)</tr>', html, re.S)
    assert len(decisions) == sum(1 for d, _ in DECISIONS if _in(d, first, last)) == 1
    assert "Reject" in decisions[0] and 'class="evidence"' in decisions[0]
    assert "Dizzy &lt;b&gt;today&lt;/b&gt; &amp; pale" in decisions[0]
    assert "by pt.report" in decisions[0]  # the deciding therapist's login, not an id
    assert "Wait for the next visit" not in html

    # Symptoms, the exercise in force with its dose, the trial of the period.
    assert html.count('<tr class="symptom">') == 1 and "dizziness, pain 1→4/10" in html
    assert "3 × 10 s hold, rest 30 s, 3×/week" in html
    assert 'data-trial="T-0902"' in html and 'data-trial="T-0901"' not in html
    assert '<td class="num">120</td>' in html  # 1.2e-4 m² = 120 mm²

    # Signature block and the chart's link to the report.
    assert 'class="signature-login">pt.report<' in html
    assert f'class="signature-date">{world.today.isoformat()}<' in html
    chart = as_user(app, world.therapist_a).get(f"/patients/{world.code}")
    assert f'href="/patients/{world.code}/report"' in chart.text


def test_hostile_text_is_escaped(app: tuple[FastAPI, TestClient], world: World) -> None:
    html = as_user(app, world.therapist_a).get(f"/patients/{world.code}/report").text
    assert "<script>alert(1)" not in html and "<b>today</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    # No inline script or style anywhere (the CSP would refuse them).
    assert "<style" not in html and " style=" not in html
    assert not re.search(r"<script(?![^>]*\ssrc=)", html)


def test_default_period_is_the_plan_and_another_period_filters(
    app: tuple[FastAPI, TestClient], world: World
) -> None:
    client = as_user(app, world.therapist_a)
    default = client.get(f"/patients/{world.code}/report").text
    start = world.today - timedelta(days=PLAN_DAYS_AGO)
    assert f"Reporting period {start.isoformat()} to {world.today.isoformat()}" in default
    everything: dict[str, int] = {}
    for _, _, _, minutes, _ in SESSIONS:
        for code, value in minutes.items():
            everything[code] = everything.get(code, 0) + value
    assert minutes_shown(default) == everything
    assert default.count("<tr data-decision=") == len(DECISIONS)

    # An earlier period: the first visit and decision only; the trial of then; the first TUG.
    first, last = 60, 35
    html = client.get(f"/patients/{world.code}/report{period(world, first, last)}").text
    want = {
        code: value
        for days, _, _, minutes, _ in SESSIONS
        if _in(days, first, last)
        for code, value in minutes.items()
    }
    assert minutes_shown(html) == want == {"97112": 30, "97110": 10}
    assert html.count("<tr data-decision=") == 1 and "Wait for the next visit" in html
    assert 'data-trial="T-0901"' in html and 'data-trial="T-0902"' not in html
    assert re.findall(r'data-measure="([^"]+)"', html) == ["tug"]
    assert "16 on " in html and "12.5 on " not in html
    assert "No symptom" in html
    # The goal's latest value is as of the period's end: the first TUG, at baseline.
    assert '<td class="num latest">16<br>' in html


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?start=2025-13-01", "start"),
        ("?end=yesterday", "end"),
        ("?start=2025-03-10&end=2025-03-01", "end"),
    ],
)
def test_a_bad_period_answers_422_naming_the_field(
    app: tuple[FastAPI, TestClient], world: World, query: str, field: str
) -> None:
    client = as_user(app, world.therapist_a)
    before = len(audit_reads(world))
    page = client.get(f"/patients/{world.code}/report{query}")
    assert page.status_code == 422 and f"{field} must" in page.text
    assert NAME not in page.text
    pdf = client.get(f"/patients/{world.code}/report.pdf{query}")
    assert pdf.status_code == 422 and not pdf.content.startswith(b"%PDF")
    api = client.get(f"/api/v1/patients/{world.code}/report.pdf{query}")
    assert api.status_code == 422
    assert api.headers["content-type"].startswith("application/problem+json")
    assert f"{field} must" in api.json()["detail"]
    assert len(audit_reads(world)) == before  # nothing read, nothing audited


def test_report_is_refused_alike_for_another_clinic_and_an_unknown_code(
    app: tuple[FastAPI, TestClient], world: World
) -> None:
    before = len(audit_reads(world))
    client = as_user(app, world.therapist_a)
    for path in (
        "/patients/{}/report",
        "/patients/{}/report.pdf",
        "/api/v1/patients/{}/report.pdf",
    ):
        other = client.get(path.format(world.other))
        unknown = client.get(path.format("P-9999"))
        assert other.status_code == unknown.status_code == 403, path
        for answer in (other, unknown):
            assert not answer.content.startswith(b"%PDF")
            assert "Olga" not in answer.text and "Reporting period" not in answer.text
    # Therapist B may not read clinic A's patient either.
    assert as_user(app, world.therapist_b).get(f"/patients/{world.code}/report").status_code == 403
    assert audit_reads(world)[before:] == []


def test_every_kind_of_record_shown_is_audited(
    app: tuple[FastAPI, TestClient], world: World
) -> None:
    before = len(audit_reads(world))
    assert as_user(app, world.therapist_a).get(f"/patients/{world.code}/report").status_code == 200
    events = audit_reads(world)[before:]  # one event for the report, naming every kind
    assert events == [(world.therapist_a.id, "patient", world.code, "patient")]
    store = care.open_store(world.url, actor="test")
    try:
        event = view_audit_log(store, world.admin, action="read", limit=10_000)[-1]
    finally:
        store.close()
    assert set(event.detail["records"]) == {
        "patient", "episode", "plan", "prescription", "session", "outcome_score",
        "balance_trial", "decision",
    }  # fmt: skip
    assert event.detail["records"]["patient"] == [world.code]


def test_a_record_without_an_episode_gives_an_empty_report(
    app: tuple[FastAPI, TestClient], world: World
) -> None:
    html = as_user(app, world.therapist_a).get(f"/patients/{world.bare}/report").text
    start = world.today - timedelta(days=30)
    assert f"Reporting period {start.isoformat()} to {world.today.isoformat()}" in html
    assert "No episode of care recorded." in html and "No goals recorded." in html
    assert stat(html, "clinic") == "0" and stat(html, "visits-to-date") == "–"


# --------------------------------------------------------------------------------------------
# The PDF
# --------------------------------------------------------------------------------------------


@pytest.mark.slow
def test_pdf_is_the_report_with_its_figures(app: tuple[FastAPI, TestClient], world: World) -> None:
    from pypdf import PdfReader

    client = as_user(app, world.therapist_a)
    query = period(world, 30, 0)
    answer = client.get(f"/patients/{world.code}/report.pdf{query}")
    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="progress-report-{world.code}-{world.today.isoformat()}.pdf"'
    )
    assert NAME not in str(answer.headers)
    assert answer.content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(answer.content))
    assert len(reader.pages) >= 2
    text = " ".join(page.extract_text() for page in reader.pages)
    flat = " ".join(text.split())
    assert world.code in flat and NAME in flat
    assert "Stand up from a chair quickly" in flat
    for measure in ("tug", "ftsts", "frt", "nprs"):
        assert MEASURE_NAMES[measure] in flat, measure
    assert "Page 1 of" in flat
    # The figures are drawn (vector SVG): the outcome section is not text only.
    assert any("/XObject" in str(page.get("/Resources", {})) for page in reader.pages)
    metadata = reader.metadata
    assert metadata is None or NAME not in str(metadata.title)
    # The API gives the same document.
    api = client.get(f"/api/v1/patients/{world.code}/report.pdf{query}")
    assert api.status_code == 200 and api.content.startswith(b"%PDF-")
    assert len(PdfReader(io.BytesIO(api.content)).pages) == len(reader.pages)


# --------------------------------------------------------------------------------------------
# The PDF renderer fetches nothing off-disk
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/style.css",
        "http://reeducate.invalid/static/report.css",  # another scheme: another origin
        "file:///etc/passwd",
        f"{DOCUMENT_ORIGIN}/static/../../../../etc/passwd",
        f"{DOCUMENT_ORIGIN}/static/%2e%2e/assets.py",
        f"{DOCUMENT_ORIGIN}/api/v1/patients",
        f"{DOCUMENT_ORIGIN}/vendor/@picocss/pico@0.0.0/css/pico.jade.min.css",
        "ftp://example.org/x.css",
    ],
)
def test_url_fetcher_refuses_anything_but_our_files(
    url: str, installed_assets: InstalledAssets
) -> None:
    with pytest.raises(ResourceRefusedError, match="url must be"):
        local_resource(url, assets=installed_assets)
    fetcher = local_fetcher(assets=installed_assets)
    with pytest.raises(ResourceRefusedError):
        fetcher.fetch(url)


def test_url_fetcher_serves_static_vendor_and_data(installed_assets: InstalledAssets) -> None:
    fetcher = local_fetcher(assets=installed_assets)
    css = fetcher.fetch(f"{DOCUMENT_ORIGIN}/static/report.css?v=123")
    assert css.content_type == "text/css"
    assert css.read() == (STATIC_DIR / "report.css").read_bytes()
    vendor = installed_assets.stylesheet_urls()[0]
    assert fetcher.fetch(f"{DOCUMENT_ORIGIN}{vendor}").content_type == "text/css"
    svg = base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'/>").decode()
    data = fetcher.fetch(f"data:image/svg+xml;base64,{svg}")
    assert data.content_type == "image/svg+xml" and data.read().startswith(b"<svg")


def test_pdf_renderer_asks_the_fetcher_and_renders_without_a_refused_resource(
    installed_assets: InstalledAssets, caplog: pytest.LogCaptureFixture
) -> None:
    html = (
        '<!doctype html><html><head><link rel="stylesheet" href="https://example.org/x.css">'
        '</head><body><p>Hello</p><img src="https://example.org/pixel.png"></body></html>'
    )
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        pdf = pdf_from_html(html, assets=installed_assets)
    assert pdf.startswith(b"%PDF-")
    refused = [r.getMessage() for r in caplog.records if "example.org" in r.getMessage()]
    assert len(refused) == 2 and all("ResourceRefusedError" in m for m in refused)


def test_pdf_without_weasyprint_answers_503(
    app: tuple[FastAPI, TestClient], world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # `import weasyprint` fails
    client = as_user(app, world.therapist_a)
    page = client.get(f"/patients/{world.code}/report.pdf")
    assert page.status_code == 503 and NAME not in page.text
    api = client.get(f"/api/v1/patients/{world.code}/report.pdf")
    assert api.status_code == 503
    assert api.headers["content-type"].startswith("application/problem+json")
    # The page itself does not need it.
    assert client.get(f"/patients/{world.code}/report").status_code == 200
