"""The therapist creates a patient: the form and ``POST /api/v1/patients`` write the patient of
their clinic with an episode, a plan with goals and a sign-in account in one transaction; every
bad field answers 422 naming it with nothing written; CSRF and roles are enforced; the new
patient signs in and sees their page; another clinic cannot see them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from tests.web.worlds import FAST, PASSWORD, csrf_token, two_clinic_world

from reeducate.services.access import view_audit_log
from reeducate.services.accounts import (
    create_user,
)
from reeducate.services.care import add_patient
from reeducate.web.assets import InstalledAssets

NAME = "Imogen Quillfeather-Test"
BORN = "1948-07-09"
TABLES = ("patient", "patient_identity", "episode", "plan_of_care", "goal", "user_account",
          "audit_event")  # fmt: skip


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, installed_assets: InstalledAssets) -> Any:
    with two_clinic_world(tmp_path_factory.mktemp("create")) as w:
        ta = w.therapist_a
        p = add_patient(w.store, name="Existing Person", date_of_birth=date(1950, 1, 1))
        create_user(w.store, ta, login="pat.p", password=PASSWORD, role="patient",
                    patient_code=p, settings=FAST)  # fmt: skip
        yield {"app": w.app, "client": w.client, "store": w.store, "admin": w.admin,
               "therapist": ta, "today": w.store.clock().date()}  # fmt: skip


def sign_in(client: TestClient, login: str, password: str = PASSWORD) -> str:
    """Sign in through the page; the session's CSRF token."""
    client.cookies.clear()
    token = csrf_token(client.get("/signin").text)
    response = client.post(
        "/signin",
        data={"login": login, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text
    return csrf_token(client.get("/library").text)


def counts(world: Any) -> dict[str, int]:
    with world["store"].engine.connect() as connection:
        return {
            t: connection.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in TABLES
        }


def audit(world: Any) -> list[Any]:
    return view_audit_log(world["store"], world["admin"], limit=100_000)


def full_form(world: Any, token: str, **changes: str) -> dict[str, Any]:
    today: date = world["today"]
    form: dict[str, Any] = {
        "csrf_token": token,
        "name": NAME,
        "date_of_birth": BORN,
        "episode.start_date": today.isoformat(),
        "episode.diagnoses": "R26.81, m54.50",
        "episode.impairments": ["balance", "proprioception"],
        "plan.start_date": today.isoformat(),
        "plan.frequency_per_week": "2",
        "plan.duration_weeks": "8",
        "plan.goals[0].description": "Get up and walk safely",
        "plan.goals[0].measure": "tug",
        "plan.goals[0].baseline_value": "16",
        "plan.goals[0].target_value": "12",
        "plan.goals[0].target_date": (today + timedelta(days=56)).isoformat(),
        "plan.goals[1].description": "Better balance",
        "plan.goals[1].measure": "bbs",
        "plan.goals[1].baseline_value": "40",
        "plan.goals[1].target_value": "48",
        "plan.goals[1].target_date": (today + timedelta(days=56)).isoformat(),
        "account.login": "imogen.q",
        "account.password": "a typed initial password",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def _alert(html: str) -> str:
    found = re.search(r'<div class="alert alert-error form-error" role="alert">(.*?)</div>', html)
    assert found, "no error message on the page"
    return found.group(1)


def test_the_list_has_a_new_patient_button_and_the_form_works_without_javascript(
    world: Any,
) -> None:
    client: TestClient = world["client"]
    sign_in(client, "ther.a")
    listing = client.get("/patients")
    assert 'href="/patients/new"' in listing.text
    page = client.get("/patients/new")
    assert page.status_code == 200
    html = page.text
    assert 'method="post" action="/patients"' in html and 'name="csrf_token"' in html
    for name in ("name", "date_of_birth", "episode.diagnoses", "episode.impairments",
                 "plan.frequency_per_week", "plan.goals[2].target_date", "account.login",
                 "account.password"):  # fmt: skip
        assert f'name="{name}"' in html, name
    assert '<option value="tug">' in html  # the outcome-measure catalogue


def test_a_therapist_creates_a_patient_who_signs_in_and_another_clinic_cannot_see_them(
    world: Any,
) -> None:
    client: TestClient = world["client"]
    token = sign_in(client, "ther.a")
    before = counts(world)
    logged = len(audit(world))
    response = client.post("/patients", data=full_form(world, token), follow_redirects=False)
    assert response.status_code == 303, response.text[-800:]
    location = response.headers["location"]
    code = location.rsplit("/", 1)[1]
    assert re.fullmatch(r"/patients/P-\d{4}", location) and NAME not in location
    after = counts(world)
    assert after["patient"] == before["patient"] + 1
    assert (after["episode"], after["plan_of_care"], after["goal"], after["user_account"]) == (
        before["episode"] + 1, before["plan_of_care"] + 1, before["goal"] + 2,
        before["user_account"] + 1,
    )  # fmt: skip
    # Of the therapist's clinic, written as the therapist; no name in the audit trail.
    events = audit(world)[logged:]
    assert {(e.entity, e.action.value) for e in events} == {
        ("patient", "create"), ("episode", "create"), ("plan_of_care", "create"),
        ("plan_of_care", "update"), ("user_account", "create"),
    }  # fmt: skip
    assert all(e.actor == world["therapist"].id for e in events)
    assert all(NAME not in str(e.detail) and BORN not in str(e.detail) for e in events)
    patient_event = next(e for e in events if e.entity == "patient")
    assert patient_event.entity_id == code and patient_event.detail["clinic_id"] == "CL-0001"
    chart = client.get(location)
    assert chart.status_code == 200
    assert NAME in chart.text and "ICD-10 R26.81" in chart.text and "ICD-10 M54.50" in chart.text
    assert "Get up and walk safely" in chart.text and "Better balance" in chart.text
    # The patient signs in with the typed password and sees their own page.
    sign_in(client, "imogen.q", "a typed initial password")
    me = client.get("/me", follow_redirects=False)
    assert me.status_code == 200
    # Another clinic's therapist: not in their list, the chart refused like an unknown code.
    sign_in(client, "ther.b")
    assert code not in client.get("/patients").text
    assert client.get(location).status_code == 403
    assert client.get(f"/api/v1/patients/{code}").status_code == 403


def test_a_generated_password_is_shown_once_and_signs_in(world: Any) -> None:
    client: TestClient = world["client"]
    token = sign_in(client, "ther.a")
    form = full_form(world, token, **{"account.login": "gen.patient", "account.password": ""})
    response = client.post("/patients", data=form, follow_redirects=False)
    assert response.status_code == 200, response.text[-800:]
    assert response.headers["cache-control"] == "no-store"
    found = re.search(r'<code class="account-password">([^<]+)</code>', response.text)
    assert found and "Shown this once" in response.text
    password = found.group(1)
    assert len(password) >= 12
    # Only its hash is stored.
    with world["store"].engine.connect() as connection:
        stored = connection.execute(
            text("SELECT password_hash FROM user_account WHERE login = 'gen.patient'")
        ).scalar_one()
    assert stored.startswith("$argon2id$") and password not in stored
    sign_in(client, "gen.patient", password)
    assert client.get("/me", follow_redirects=False).status_code == 200


def test_a_patient_without_episode_plan_or_account(world: Any) -> None:
    client: TestClient = world["client"]
    token = sign_in(client, "ther.a")
    before = counts(world)
    response = client.post(
        "/patients",
        data={"csrf_token": token, "name": "Solo Registration", "date_of_birth": "1970-02-03"},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text[-800:]
    after = counts(world)
    assert after["patient"] == before["patient"] + 1
    assert (after["episode"], after["user_account"]) == (before["episode"], before["user_account"])


TOMORROW = "__tomorrow__"
BAD_FIELDS: list[tuple[dict[str, Any], str]] = [
    ({"name": "  "}, "name must be"),
    ({"date_of_birth": "09/07/1948"}, "date_of_birth must be a date"),
    ({"date_of_birth": TOMORROW}, "date_of_birth must not be after today"),
    ({"episode.start_date": "2025-13-01"}, "episode.start_date must be a date"),
    ({"episode.diagnoses": "R26.81, not-a-code"}, "episode.diagnoses[1] must be an ICD-10 code"),
    ({"episode.impairments": ["balance", "dizziness"]}, "episode.impairments must be"),
    ({"episode.impairments": None}, "episode.impairments must name at least one"),
    ({"plan.frequency_per_week": "9"}, "plan.frequency_per_week must be 1–7"),
    ({"plan.duration_weeks": ""}, "plan.duration_weeks must be given"),
    ({"plan.certification_date": "soon"}, "plan.certification_date must be a date"),
    ({"plan.goals[0].target_value": "20"}, "plan.goals[0].target_value must be below"),
    ({"plan.goals[0].baseline_value": "abc"}, "plan.goals[0].baseline_value must be a number"),
    ({"plan.goals[1].measure": "no-such-measure"}, "plan.goals[1].measure must be"),
    ({"plan.goals[1].target_date": ""}, "plan.goals[1].target_date must be a date"),
    ({"plan.goals[1].description": ""}, "plan.goals[1].description must be given"),
    ({"episode.diagnoses": "", "episode.impairments": None}, "plan needs an episode of care"),
    ({"account.login": "x"}, "account.login must be 3–64 characters"),
    ({"account.login": "pat.p"}, "account.login must be unique"),
    ({"account.password": "too short"}, "account.password must be at least 12 characters"),
    ({"account.password": "imogen.q"}, "account.password must"),
]


@pytest.mark.parametrize(("changes", "message"), BAD_FIELDS, ids=[m for _, m in BAD_FIELDS])
def test_every_bad_field_answers_422_naming_it_and_writes_nothing(
    world: Any, changes: dict[str, Any], message: str
) -> None:
    client: TestClient = world["client"]
    token = sign_in(client, "ther.a")
    tomorrow = (world["today"] + timedelta(days=1)).isoformat()
    changes = {k: tomorrow if v == TOMORROW else v for k, v in changes.items()}
    before = counts(world)
    response = client.post("/patients", data=full_form(world, token, **changes))
    assert response.status_code == 422, (message, response.status_code)
    alert = _alert(response.text)
    assert "Nothing was saved." in alert and message in alert, alert
    # The message never quotes the name or the date of birth; the password is not kept.
    assert NAME not in alert and BORN not in alert and "09/07/1948" not in alert
    assert "a typed initial password" not in response.text
    assert 'aria-invalid="true"' in response.text or message.startswith("plan needs")
    assert counts(world) == before


def test_csrf_is_required_and_other_roles_are_refused(world: Any) -> None:
    client: TestClient = world["client"]
    token = sign_in(client, "ther.a")
    before = counts(world)
    form = full_form(world, token, **{"account.login": "csrf.test"})
    del form["csrf_token"]
    assert client.post("/patients", data=form).status_code == 403
    assert client.post("/patients", data={**form, "csrf_token": "forged"}).status_code == 403
    body = {"name": NAME, "date_of_birth": BORN}
    assert client.post("/api/v1/patients", json=body).status_code == 403
    for login in ("pat.p", "admin"):
        token = sign_in(client, login)
        assert client.get("/patients/new", follow_redirects=False).status_code == 403
        refused = client.post("/patients", data={**form, "csrf_token": token})
        assert refused.status_code == 403 and NAME not in refused.text
        api = client.post("/api/v1/patients", json=body, headers={"X-CSRF-Token": token})
        assert api.status_code == 403
        assert api.headers["content-type"] == "application/problem+json"
    client.cookies.clear()
    anonymous_token = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    anonymous = client.post(
        "/api/v1/patients", json=body, headers={"X-CSRF-Token": anonymous_token}
    )
    assert anonymous.status_code == 401
    assert counts(world) == before


def _api_body(world: Any, **changes: Any) -> dict[str, Any]:
    today: date = world["today"]
    body: dict[str, Any] = {
        "name": NAME,
        "date_of_birth": BORN,
        "episode": {"diagnoses": ["R26.81"], "impairments": ["balance"]},
        "plan": {
            "frequency_per_week": 3,
            "duration_weeks": 6,
            "goals": [
                {"description": "Stand on one leg", "measure": "single_leg_stance_s",
                 "baseline_value": 4, "target_value": 20,
                 "target_date": (today + timedelta(days=40)).isoformat()},
                {"description": "Walk safely", "measure": "tug", "baseline_value": 15,
                 "target_value": 11, "target_date": (today + timedelta(days=40)).isoformat()},
            ],
        },
        "account": {"login": "api.patient"},
    }  # fmt: skip
    body.update(changes)
    return body


def test_the_api_creates_a_patient_with_location_and_a_generated_password(world: Any) -> None:
    client: TestClient = world["client"]
    token = sign_in(client, "ther.a")
    response = client.post(
        "/api/v1/patients", json=_api_body(world), headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 201, response.text
    body = response.json()
    code = body["code"]
    assert response.headers["location"] == f"/api/v1/patients/{code}"
    assert response.headers["cache-control"] == "no-store"
    assert body["clinic_id"] == "CL-0001" and len(body["goal_ids"]) == 2
    assert body["account"]["login"] == "api.patient" and len(body["password"]) >= 12
    chart = client.get(response.headers["location"]).json()
    assert chart["name"] == NAME and chart["episode"]["diagnoses"] == ["R26.81"]
    assert [g["measure"] for g in chart["goals"]] == ["single_leg_stance_s", "tug"]
    assert chart["plan"]["frequency_per_week"] == 3
    sign_in(client, "api.patient", body["password"])
    assert client.get("/api/v1/auth/me").json()["patient_code"] == code
    # A typed password is not echoed back.
    token = sign_in(client, "ther.a")
    typed = client.post(
        "/api/v1/patients",
        json=_api_body(world, account={"login": "api.typed", "password": PASSWORD}),
        headers={"X-CSRF-Token": token},
    )
    assert typed.status_code == 201 and "password" not in typed.json()


API_BAD: list[tuple[dict[str, Any], str]] = [
    ({"date_of_birth": "not a date"}, "date_of_birth"),
    ({"name": ""}, "name must be"),
    ({"episode": {"diagnoses": ["??"], "impairments": ["balance"]}}, "episode.diagnoses[0]"),
    ({"episode": None}, "plan needs an episode"),
    ({"plan": {"frequency_per_week": 2, "duration_weeks": 99, "goals": [
        {"description": "x", "measure": "tug", "baseline_value": 15, "target_value": 11,
         "target_date": "2099-01-01"}]}}, "plan.duration_weeks"),
    ({"plan": {"frequency_per_week": 2, "duration_weeks": 8, "goals": []}}, "plan.goals"),
    ({"account": {"login": "pat.p"}}, "account.login must be unique"),
    ({"sex": "F"}, "sex"),
]  # fmt: skip


@pytest.mark.parametrize(("changes", "field"), API_BAD, ids=[f for _, f in API_BAD])
def test_the_api_answers_422_problems_naming_the_field_and_writes_nothing(
    world: Any, changes: dict[str, Any], field: str
) -> None:
    client: TestClient = world["client"]
    token = sign_in(client, "ther.a")
    before = counts(world)
    response = client.post(
        "/api/v1/patients", json=_api_body(world, **changes), headers={"X-CSRF-Token": token}
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert field in problem["detail"], problem
    assert NAME not in response.text and BORN not in response.text
    assert counts(world) == before


@pytest.fixture(autouse=True)
def _signed_out(world: Any) -> Iterator[None]:
    yield
    world["client"].cookies.clear()
