"""A patient's sign-in, managed by their therapist: created for a patient registered without
one, a forgotten password reset (typed, or generated and shown once), on the page and through
``/api/v1/patients/{code}/account``; the old password and the patient's open sessions end; a
bad field answers 422 naming it with nothing written; another clinic is refused."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from tests.web.worlds import PASSWORD, csrf_token, two_clinic_world

from reeducate.services.access import view_audit_log
from reeducate.services.care import add_patient
from reeducate.web.assets import InstalledAssets


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, installed_assets: InstalledAssets) -> Any:
    with two_clinic_world(tmp_path_factory.mktemp("sign-in")) as w:
        codes = [
            add_patient(w.store, name=f"Person {n}", date_of_birth=date(1950, 1, n))
            for n in (1, 2, 3)
        ]
        yield {"client": w.client, "store": w.store, "admin": w.admin, "codes": codes}


def sign_in(client: TestClient, login: str, password: str = PASSWORD) -> int:
    client.cookies.clear()
    token = csrf_token(client.get("/signin").text)
    return client.post(
        "/signin",
        data={"login": login, "password": password, "csrf_token": token},
        follow_redirects=False,
    ).status_code


def _csrf(client: TestClient) -> str:
    return str(client.get("/api/v1/auth/csrf").json()["csrf_token"])


def test_create_then_reset_on_the_page(world: Any) -> None:
    client: TestClient = world["client"]
    code = world["codes"][0]
    assert sign_in(client, "ther.a") == 303
    chart = client.get(f"/patients/{code}")
    assert f'href="/patients/{code}/sign-in"' in chart.text
    page = client.get(f"/patients/{code}/sign-in")
    assert page.status_code == 200 and "Create the sign-in" in page.text
    token = csrf_token(page.text)
    short = client.post(
        f"/patients/{code}/sign-in",
        data={"login": "p.one", "password": "short", "csrf_token": token},
    )
    assert short.status_code == 422 and "password must be at least 12 characters" in short.text
    assert 'value="p.one"' in short.text and 'value="short"' not in short.text  # not echoed
    made = client.post(f"/patients/{code}/sign-in", data={"login": "p.one", "csrf_token": token})
    assert made.status_code == 200 and made.headers["cache-control"] == "no-store"
    generated = re.search(r'class="account-password">([^<]+)<', made.text)
    assert generated and len(generated.group(1)) == 19
    # The patient signs in with it; the therapist resets with a typed password.
    patient = TestClient(client.app)
    assert sign_in(patient, "p.one", generated.group(1)) == 303
    assert patient.get("/me").status_code == 200
    page = client.get(f"/patients/{code}/sign-in")
    assert "Reset the password" in page.text and "p.one" in page.text
    reset = client.post(
        f"/patients/{code}/sign-in",
        data={"password": "a brand new password", "csrf_token": csrf_token(page.text)},
        follow_redirects=False,
    )
    assert reset.status_code == 303
    assert reset.headers["location"] == f"/patients/{code}/sign-in?done=reset"
    assert "The new password is set" in client.get(reset.headers["location"]).text
    # The patient's open session ended; the old password no longer works, the new one does.
    assert patient.get("/me", follow_redirects=False).status_code in (303, 401)
    assert sign_in(patient, "p.one", generated.group(1)) != 303
    assert sign_in(patient, "p.one", "a brand new password") == 303
    # Audited as an account change, never with the password.
    events = view_audit_log(world["store"], world["admin"], entity="user_account")
    assert any(e.detail.get("password") == "reset" for e in events)
    assert all("brand new" not in str(e.detail) for e in events)


def test_the_api_creates_reads_and_resets_and_refuses_bad_fields(world: Any) -> None:
    client: TestClient = world["client"]
    code = world["codes"][1]
    assert sign_in(client, "ther.a") == 303
    csrf = {"X-CSRF-Token": _csrf(client)}
    missing = client.get(f"/api/v1/patients/{code}/account")
    assert missing.status_code == 404
    assert missing.headers["content-type"].startswith("application/problem+json")
    no_account = client.post(f"/api/v1/patients/{code}/account/password", json={}, headers=csrf)
    assert no_account.status_code == 404 and "has none yet" in no_account.json()["detail"]
    taken = client.post(
        f"/api/v1/patients/{code}/account", json={"login": "p.one"}, headers=csrf
    )
    assert taken.status_code == 422 and "login" in taken.json()["detail"]
    made = client.post(f"/api/v1/patients/{code}/account", json={"login": "p.two"}, headers=csrf)
    assert made.status_code == 201 and made.json()["login"] == "p.two"
    assert len(made.json()["password"]) == 19 and made.headers["cache-control"] == "no-store"
    again = client.post(f"/api/v1/patients/{code}/account", json={"login": "p.2"}, headers=csrf)
    assert again.status_code == 422 and "must not have an account yet" in again.json()["detail"]
    shown = client.get(f"/api/v1/patients/{code}/account").json()
    assert shown["login"] == "p.two" and shown["disabled"] is False and "password" not in shown
    weak = client.post(
        f"/api/v1/patients/{code}/account/password", json={"password": "p.two"}, headers=csrf
    )
    assert weak.status_code == 422 and "password" in weak.json()["detail"]
    typed = client.post(
        f"/api/v1/patients/{code}/account/password",
        json={"password": "another typed password"},
        headers=csrf,
    )
    assert typed.status_code == 200 and "password" not in typed.json()
    generated = client.post(f"/api/v1/patients/{code}/account/password", json={}, headers=csrf)
    assert generated.status_code == 200 and len(generated.json()["password"]) == 19
    assert sign_in(TestClient(client.app), "p.two", generated.json()["password"]) == 303


def test_another_clinic_and_other_roles_are_refused_and_nothing_is_written(world: Any) -> None:
    client: TestClient = world["client"]
    code = world["codes"][2]
    for login in ("ther.b", "admin"):
        assert sign_in(client, login) == 303
        csrf = {"X-CSRF-Token": _csrf(client)}
        assert client.get(f"/patients/{code}/sign-in").status_code == 403
        assert client.get(f"/api/v1/patients/{code}/account").status_code == 403
        refused = client.post(
            f"/api/v1/patients/{code}/account", json={"login": "p.three"}, headers=csrf
        )
        assert refused.status_code == 403
    assert sign_in(client, "ther.a") == 303
    assert client.get(f"/api/v1/patients/{code}/account").status_code == 404  # still none
