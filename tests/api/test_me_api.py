"""The patient's JSON API (``/api/v1/me/...``) on the demo clinic: the programme in force, a home
session logged through the same function as the page (and seen in the patient's progress and
the therapist's chart), bad bodies refused naming the field with nothing written, other roles
and requests without the CSRF header refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from reeducate.api import create_app, load_settings
from reeducate.services import accounts, care
from reeducate.services.demo_clinic import DEMO_PASSWORDS, seed_demo_clinic

FAST = accounts.SecuritySettings(argon2_time_cost=1, argon2_memory_kib=1024, argon2_parallelism=1)
PATIENT = "walter.b"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, stub_assets: Path) -> Iterator[dict[str, Any]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('me-api') / 'demo.sqlite3'}"
    today = datetime.now(UTC).date()
    store = care.open_store(url, actor="demo")
    try:
        clinic = seed_demo_clinic(store, today=today, security=FAST, with_trials=False)
    finally:
        store.close()
    settings = load_settings(
        environ={"REEDUCATE_DATABASE_URL": url, "REEDUCATE_ASSETS_DIR": str(stub_assets)},
        cookie_secure=False,
    )
    app = create_app(settings)
    app.state.context.security = FAST
    (code,) = [a.patient_code for a in clinic.accounts if a.login == PATIENT]
    with TestClient(app, raise_server_exceptions=False) as client:
        yield {"client": client, "store": app.state.context.store, "today": today, "code": code}


def sign_in(client: TestClient, login: str, role: str = "patient") -> str:
    """Sign in through the API; the session's CSRF token."""
    client.cookies.clear()
    anonymous = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    response = client.post(
        "/api/v1/auth/login",
        json={"login": login, "password": DEMO_PASSWORDS[role]},
        headers={"X-CSRF-Token": anonymous},
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["csrf_token"]
    return token


def sessions(world: dict[str, Any]) -> list[Any]:
    overview = care.patient_overview(world["store"], world["code"], today=world["today"])
    return list(overview.sessions)


def body_for(programme: dict[str, Any], **first: Any) -> dict[str, Any]:
    """Every exercise of the programme done at its dose, the first one with ``first``."""
    exercises = []
    for i, item in enumerate(programme["exercises"]):
        dose = item["dose"]
        done: dict[str, Any] = {"variant_id": item["variant_id"], "sets": dose["sets"]}
        if dose["reps"] is not None:
            done["reps"] = dose["reps"]
        if dose["hold_s"] is not None:
            done["hold_s"] = dose["hold_s"]
        done |= {"difficulty": 2, "pain_before": 1, "pain_after": 2}
        if i == 0:
            done |= first
        exercises.append(done)
    return {"exercises": exercises}


def test_programme_is_the_prescription_in_force(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    sign_in(client, PATIENT)
    response = client.get("/api/v1/me/programme")
    assert response.status_code == 200
    programme = response.json()
    assert programme["on"] == world["today"].isoformat()
    overview = care.patient_overview(world["store"], world["code"], today=world["today"])
    assert overview.plan is not None and overview.plan.prescription is not None
    prescribed = overview.plan.prescription.exercises
    assert [x["variant_id"] for x in programme["exercises"]] == [x.variant_id for x in prescribed]
    first = programme["exercises"][0]
    assert first["instructions"] and first["dose"]["sets"] == prescribed[0].dose.sets
    assert first["dose"]["text"] == care.describe_dose(prescribed[0].dose)
    # Never the name or date of birth.
    assert "Walter" not in response.text


def test_a_logged_session_shows_in_progress_and_in_the_therapists_chart(
    world: dict[str, Any],
) -> None:
    client: TestClient = world["client"]
    token = sign_in(client, PATIENT)
    programme = client.get("/api/v1/me/programme").json()
    before = len(sessions(world))
    body = body_for(programme, pain_after=5, comment="knee felt <b>tight</b>")
    body["exercises"][-1] = {"variant_id": body["exercises"][-1]["variant_id"], "done": False}
    response = client.post("/api/v1/me/sessions", json=body, headers={"X-CSRF-Token": token})
    assert response.status_code == 201, response.text
    logged = response.json()
    assert logged["setting"] == "home" and logged["session_date"] == world["today"].isoformat()
    assert logged["exercises"] == [x["variant_id"] for x in body["exercises"][:-1]]
    assert "knee felt <b>tight</b>" in logged["note"] and "not done" in logged["note"]
    after = sessions(world)
    assert len(after) == before + 1
    stored = next(s for s in after if s.id == logged["id"])
    assert stored.exercises[0].pain_after_nprs == 5 and stored.exercises[0].pain_before_nprs == 1
    assert stored.exercises[0].difficulty is not None
    assert str(stored.exercises[0].difficulty.rater) == "patient"
    # In the patient's progress ...
    progress = client.get("/api/v1/me/progress").json()
    newest = progress["sessions"][0]
    assert newest["date"] == world["today"].isoformat() and newest["setting"] == "home"
    assert newest["pain_after"] == 5
    # ... and in the therapist's chart.
    sign_in(client, "pt.rivera", "therapist")
    chart = client.get(f"/api/v1/patients/{world['code']}").json()
    assert any(s["id"] == logged["id"] and s["setting"] == "home" for s in chart["sessions"])
    # A second one the same day gets the next sequence; an explicit one is kept.
    token = sign_in(client, PATIENT)
    again = client.post(
        "/api/v1/me/sessions", json=body_for(programme), headers={"X-CSRF-Token": token}
    )
    assert again.status_code == 201 and again.json()["sequence"] == logged["sequence"] + 1
    yesterday = (world["today"] - timedelta(days=1)).isoformat()
    past = client.post(
        "/api/v1/me/sessions",
        json={**body_for(programme), "session_date": yesterday, "sequence": 7},
        headers={"X-CSRF-Token": token},
    )
    assert past.status_code == 201, past.text
    assert past.json()["session_date"] == yesterday and past.json()["sequence"] == 7


BAD: list[tuple[str, dict[str, Any], str]] = [
    ("pain out of range", {"pain_after": 11}, "exercises[0].pain_after must be 0–10"),
    ("pain not a number", {"pain_after": "much"}, "exercises.0.pain_after"),
    ("sets out of range", {"sets": 99}, "exercises[0].sets must be 1–10"),
    ("unknown exercise", {"variant_id": "no-such-exercise"}, "exercises[0].variant_id"),
    ("unknown field", {"load_kg": 5}, "exercises.0.load_kg"),
]


@pytest.mark.parametrize(("case", "first", "field"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_body_is_a_422_problem_naming_the_field_and_writes_nothing(
    world: dict[str, Any], case: str, first: dict[str, Any], field: str
) -> None:
    client: TestClient = world["client"]
    token = sign_in(client, PATIENT)
    programme = client.get("/api/v1/me/programme").json()
    before = len(sessions(world))
    response = client.post(
        "/api/v1/me/sessions", json=body_for(programme, **first), headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 422, (case, response.text)
    assert response.headers["content-type"] == "application/problem+json"
    assert field in response.json()["detail"], response.json()
    assert len(sessions(world)) == before


def test_whole_body_refusals_write_nothing(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    token = sign_in(client, PATIENT)
    programme = client.get("/api/v1/me/programme").json()
    before = len(sessions(world))
    tomorrow = (world["today"] + timedelta(days=1)).isoformat()
    first = programme["exercises"][0]["variant_id"]
    cases = [
        ({**body_for(programme), "session_date": tomorrow}, "session_date must not be after"),
        ({"exercises": [{"variant_id": first, "done": False}]}, "exercises must include"),
        ({"exercises": []}, "exercises"),
        ({"exercises": [{"variant_id": first}, {"variant_id": first}]}, "exercises[1].variant_id"),
        ({**body_for(programme), "sequence": 0}, "sequence"),
    ]
    for body, field in cases:
        response = client.post("/api/v1/me/sessions", json=body, headers={"X-CSRF-Token": token})
        assert response.status_code == 422, (field, response.text)
        assert field in response.json()["detail"], (field, response.json())
    assert len(sessions(world)) == before


def test_other_roles_anonymous_and_missing_csrf_are_refused(world: dict[str, Any]) -> None:
    client: TestClient = world["client"]
    token = sign_in(client, PATIENT)
    programme = client.get("/api/v1/me/programme").json()
    before = len(sessions(world))
    body = body_for(programme)
    for headers in ({}, {"X-CSRF-Token": "forged"}):
        refused = client.post("/api/v1/me/sessions", json=body, headers=headers)
        assert refused.status_code == 403 and refused.json()["status"] == 403
    for login, role in (("pt.rivera", "therapist"), ("demo.admin", "administrator")):
        token = sign_in(client, login, role)
        for path in ("/api/v1/me/programme", "/api/v1/me/progress"):
            response = client.get(path)
            assert response.status_code == 403, (role, path)
            assert response.headers["content-type"] == "application/problem+json"
        posted = client.post("/api/v1/me/sessions", json=body, headers={"X-CSRF-Token": token})
        assert posted.status_code == 403
    client.cookies.clear()
    assert client.get("/api/v1/me/programme").status_code == 401
    assert len(sessions(world)) == before
