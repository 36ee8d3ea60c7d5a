"""The patient's pages on the demo clinic: today's programme from the library, a home session
logged through log_session (and a bad one writing nothing), progress, and only their own record
ever reachable."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.web.worlds import FAST, csrf_token

from reeducate.api import create_app, load_settings
from reeducate.clinic.exercises import load_library
from reeducate.services import accounts, care
from reeducate.services.access import view_audit_log
from reeducate.services.demo_clinic import DEMO_PASSWORDS, DemoClinic, seed_demo_clinic
from reeducate.web.assets import InstalledAssets


@pytest.fixture(scope="module")
def world(
    tmp_path_factory: pytest.TempPathFactory, installed_assets: InstalledAssets
) -> Iterator[dict[str, Any]]:
    database = tmp_path_factory.mktemp("patient") / "demo.sqlite3"
    url = f"sqlite:///{database}"
    store = care.open_store(url, actor="demo")
    today = datetime.now(UTC).date()
    try:
        clinic = seed_demo_clinic(store, today=today, security=FAST, with_trials=False)
    finally:
        store.close()
    app = create_app(load_settings(environ={"REEDUCATE_DATABASE_URL": url}, cookie_secure=False))
    app.state.context.security = FAST
    with TestClient(app, raise_server_exceptions=False) as client:
        yield {"app": app, "client": client, "clinic": clinic, "store": app.state.context.store,
               "today": today}  # fmt: skip


def sign_in(client: TestClient, login: str, role: str = "patient") -> None:
    client.cookies.clear()
    response = client.post(
        "/signin",
        data={"login": login, "password": DEMO_PASSWORDS[role],
              "csrf_token": csrf_token(client.get("/signin").text)},
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303, response.text


def code_of(clinic: DemoClinic, login: str) -> str:
    (code,) = [a.patient_code for a in clinic.accounts if a.login == login]
    assert code is not None
    return code


def sessions_of(world: dict[str, Any], code: str) -> list[Any]:
    overview = care.patient_overview(world["store"], code, today=world["today"])
    return list(overview.sessions)


def test_today_shows_the_prescription_with_instructions_cues_and_dose(
    world: dict[str, Any],
) -> None:
    client: TestClient = world["client"]
    sign_in(client, "margaret.e")
    page = client.get("/me")
    assert page.status_code == 200
    library = load_library()
    for variant_id in ("bal-stance-ft-firm-ec", "bal-sls-two-hands", "bal-tw-one-hand"):
        variant = library.get(variant_id)
        assert f'data-variant="{variant_id}"' in page.text
        assert variant.instructions[0].replace("'", "&#39;") in page.text
        assert variant.cues[0].replace("'", "&#39;") in page.text
        assert care.describe_dose(variant.dose).replace("'", "&#39;") in page.text
    assert 'name="csrf_token"' in page.text and 'action="/me/sessions"' in page.text
    # The patient's name and date of birth are never on the patient's pages.
    assert "Margaret" not in page.text and "Ellis" not in page.text and "1947" not in page.text


def test_logging_a_home_session_goes_through_log_session_as_the_patient(
    world: dict[str, Any],
) -> None:
    client: TestClient = world["client"]
    code = code_of(world["clinic"], "james.o")
    sign_in(client, "james.o")
    before = sessions_of(world, code)
    token = csrf_token(client.get("/me").text)
    response = client.post(
        "/me/sessions",
        data={
            "csrf_token": token,
            "ex0_done": "yes", "ex0_sets": "2", "ex0_reps": "7", "ex0_difficulty": "3",
            "ex0_pain_before": "1", "ex0_pain_after": "3", "ex0_comment": "<b>stiff</b> ankle",
            "ex1_done": "yes", "ex1_sets": "3", "ex1_hold": "8.5", "ex1_difficulty": "2",
            # ex2 not done: no ex2_done field
            "ex2_comment": "ran out of time",
            "patient_code": code_of(world["clinic"], "margaret.e"),  # ignored: own record only
        },
        follow_redirects=False,
    )  # fmt: skip
    assert response.status_code == 303 and response.headers["location"] == "/me?logged=1"
    after = sessions_of(world, code)
    assert len(after) == len(before) + 1
    (new,) = [s for s in after if s.id not in {b.id for b in before}]
    assert str(new.setting) == "home" and new.session_date == world["today"]
    assert [x.variant_id for x in new.exercises] == ["co-ankle-jpr-eyes-open", "bal-sls-firm-eo"]
    jpr, sls = new.exercises
    assert [s.reps_done for s in jpr.sets] == [7, 7] and jpr.sets_prescribed == 2
    assert jpr.pain_before_nprs == 1 and jpr.pain_after_nprs == 3
    assert jpr.difficulty is not None and jpr.difficulty.value == 3
    assert str(jpr.difficulty.scale) == "rpe_0_10"
    assert [s.hold_done_s for s in sls.sets] == [8.5, 8.5, 8.5]
    assert str(sls.difficulty.scale) == "balance_1_5"
    assert new.note is not None and "<b>stiff</b> ankle" in new.note
    assert "not done (ran out of time)" in new.note
    # Written as the patient's account (the audit trail), into their own record only.
    user_id = next(
        e.actor
        for e in view_audit_log(world["store"], _admin(world), limit=100_000)
        if e.entity_id == new.id
    )
    assert user_id.startswith("U-") and user_id == _user(world, "james.o").id
    margaret = code_of(world["clinic"], "margaret.e")
    assert all(s.session_date != world["today"] or str(s.setting) != "home"
               for s in sessions_of(world, margaret))  # fmt: skip
    # The confirmation, and the comment escaped on the progress page.
    assert "Session saved" in client.get("/me?logged=1").text
    progress = client.get("/me/progress").text
    assert "&lt;b&gt;stiff&lt;/b&gt; ankle" in progress and "<b>stiff" not in progress
    # A second session the same day gets the next sequence number.
    again = client.post(
        "/me/sessions",
        data={"csrf_token": token, "ex0_done": "yes", "ex0_reps": "8"},
        follow_redirects=False,
    )
    assert again.status_code == 303
    latest = sessions_of(world, code)[-1]
    assert latest.session_date == world["today"] and latest.sequence == new.sequence + 1


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"ex0_done": "yes", "ex0_pain_before": "11"}, "pain before must be 0–10; got 11"),
        ({"ex0_done": "yes", "ex0_sets": "2.5"}, "sets must be a whole number; got '2.5'"),
        ({"ex0_done": "yes", "ex0_difficulty": "7"}, "difficulty must be 1–5; got 7"),
        ({"ex0_done": "yes", "ex0_reps": "lots"}, "must be a number; got 'lots'"),
        ({}, "at least one marked as done; got none done"),
    ],
)
def test_a_bad_value_writes_nothing_and_names_the_field(
    world: dict[str, Any], fields: dict[str, str], message: str
) -> None:
    client: TestClient = world["client"]
    code = code_of(world["clinic"], "walter.b")
    sign_in(client, "walter.b")
    before = len(sessions_of(world, code))
    response = client.post("/me/sessions", data={"csrf_token": csrf_token(client.get("/me").text),
                                                 **fields})  # fmt: skip
    assert response.status_code == 422
    assert message in response.text.replace("&#39;", "'")
    assert len(sessions_of(world, code)) == before
    # The values typed are kept in the form.
    for name, value in fields.items():
        if name != "ex0_done":
            assert f'value="{value}"' in response.text or f'name="{name}"' in response.text


def test_a_post_without_the_csrf_token_is_refused(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    code = code_of(world["clinic"], "sofia.m")
    sign_in(client, "sofia.m")
    before = len(sessions_of(world, code))
    response = client.post("/me/sessions", data={"ex0_done": "yes"})
    assert response.status_code == 403
    assert len(sessions_of(world, code)) == before


def test_progress_shows_own_sessions_pain_trend_and_scores(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    code = code_of(world["clinic"], "priya.n")
    sign_in(client, "priya.n")
    page = client.get("/me/progress")
    assert page.status_code == 200
    sessions = sessions_of(world, code)
    home = sum(1 for s in sessions if str(s.setting) == "home")
    clinic = len(sessions) - home
    assert f'<dd class="home-count">{home}</dd>' in page.text
    assert f'<dd class="clinic-count">{clinic}</dd>' in page.text
    assert page.text.count("<tr>") == len(sessions) + 1  # the header row
    assert 'class="trend pain-trend"' in page.text and "data:image/svg+xml;base64," in page.text
    # Priya's scores: NPRS 6 -> 4, ODI 34 -> 26 (better, lower is better).
    assert 'data-measure="nprs"' in page.text and 'data-measure="odi"' in page.text
    assert re.search(r'data-measure="odi".*?class="latest">26<', page.text, re.S)
    assert "Not better yet" not in page.text
    # What the patient does not see: the engine's recommendations, billing minutes.
    assert "97112" not in page.text and "ecommend" not in page.text


def test_only_their_own_record_is_ever_reachable(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    clinic: DemoClinic = world["clinic"]
    mine, other = code_of(clinic, "henry.l"), code_of(clinic, "margaret.e")
    sign_in(client, "henry.l")
    library = load_library()
    theirs = library.get("bal-tw-one-hand").name  # Margaret's only
    for url in ("/me", "/me/progress"):
        text = client.get(url).text
        assert other not in text and theirs not in text
    for url in (f"/patients/{other}", f"/patients/{mine}", "/patients",
                f"/api/v1/patients/{other}", f"/api/v1/patients/{mine}"):  # fmt: skip
        response = client.get(url, follow_redirects=False)
        assert response.status_code == 403, url
        assert theirs not in response.text  # a code only where the client asked for it
        assert other not in response.text.replace(url, "")
    # Every read audited names the patient's own code only.
    store = world["store"]
    user = _user(world, "henry.l")
    reads = [e for e in view_audit_log(store, _admin(world), limit=100_000)
             if e.actor == user.id and e.action.value == "read"]  # fmt: skip
    assert reads and {e.entity_id for e in reads} == {mine}
    assert {e.detail["resource"] for e in reads} >= {"patient", "prescription", "session",
                                                     "outcome_score"}  # fmt: skip


def test_staff_cannot_open_the_patient_pages(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    sign_in(client, "pt.rivera", "therapist")
    assert client.get("/me", follow_redirects=False).status_code == 403
    token = csrf_token(client.get("/patients").text)
    response = client.post("/me/sessions", data={"csrf_token": token, "ex0_done": "yes"})
    assert response.status_code == 403
    client.cookies.clear()
    anonymous = client.get("/me/progress", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/signin")


def test_a_patient_without_a_prescription_sees_an_empty_state(
    tmp_path: Path, installed_assets: InstalledAssets
) -> None:
    url = f"sqlite:///{tmp_path / 'db.sqlite3'}"
    app = create_app(load_settings(environ={"REEDUCATE_DATABASE_URL": url}, cookie_secure=False))
    app.state.context.security = FAST
    with TestClient(app, raise_server_exceptions=False) as client:
        store = app.state.context.store
        admin = accounts.bootstrap_administrator(
            store, login="admin", password="a long admin password", settings=FAST
        )
        therapist = accounts.create_user(
            store, admin, login="pt.x", password="a long therapist password",
            role="therapist", clinic_id="CL-0001", settings=FAST,
        )  # fmt: skip
        code = care.add_patient(
            store, name="New Patient", date_of_birth=datetime(1970, 1, 1).date()
        )
        accounts.create_user(
            store, therapist, login="new.patient", password=DEMO_PASSWORDS["patient"],
            role="patient", patient_code=code, settings=FAST,
        )  # fmt: skip
        sign_in(client, "new.patient")
        page = client.get("/me")
        assert page.status_code == 200 and "Nothing to do yet" in page.text
        assert 'action="/me/sessions"' not in page.text
        refused = client.post("/me/sessions", data={"csrf_token": csrf_token(page.text),
                                                    "ex0_done": "yes"})  # fmt: skip
        assert refused.status_code == 422 and "must be prescribed" in refused.text
        progress = client.get("/me/progress")
        assert progress.status_code == 200 and "No sessions yet" in progress.text


def _admin(world: dict[str, Any]) -> Any:
    return _user(world, "demo.admin")


def _user(world: dict[str, Any], login: str) -> Any:
    from reeducate.store.engine import transaction
    from reeducate.store.repositories import Repositories

    store = world["store"]
    with transaction(store.factory) as session:
        repos = Repositories(session, actor="test", clock=store.clock)
        return repos.users.by_login(login)
