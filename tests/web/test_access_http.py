"""HTTP-level access: every route walked as each role; sign-in, cookies, CSRF, throttling."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from starlette.routing import Mount
from tests.web.worlds import FAST, PASSWORD, csrf_token, two_clinic_world

from reeducate.api import create_app, load_settings
from reeducate.services.accounts import (
    bootstrap_administrator,
    create_user,
)
from reeducate.services.care import add_patient
from reeducate.web.assets import InstalledAssets

PATIENT_NAME = "Zelda Quintessa Testperson"
ROLES = ("anonymous", "admin", "therapist_a", "therapist_b", "patient_p", "patient_q")


def _routes(routes: list[Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    """(method, path) of every route, through included routers and mounted applications."""
    for route in routes:
        original = getattr(route, "original_router", None)
        if original is not None:
            yield from _routes(original.routes, prefix + route.include_context.prefix)
        elif isinstance(route, Mount):
            if route.path in ("/static",):
                continue
            yield from _routes(getattr(route.app, "routes", []), prefix + route.path)
        elif isinstance(route, APIRoute):
            for method in sorted(route.methods):
                yield method, prefix + route.path


#: Who may GET each page or API resource. Rules: first match wins; a route no rule matches
#: fails the walk (add a rule and its expectation when adding a route).
PUBLIC = set(ROLES)
GET_RULES: tuple[tuple[str, set[str]], ...] = (
    (r"^/$", PUBLIC),
    (r"^/signin$", PUBLIC),
    (r"^/library(/.*)?$", PUBLIC),
    (r"^/vendor/", PUBLIC),
    (r"^/api/v1/(health|exercises.*|terms|measures.*|problems/.*|openapi\.json)$", PUBLIC),
    (r"^/api/v1/auth/csrf$", PUBLIC),
    (r"^/api/v1/auth/me$", PUBLIC - {"anonymous"}),
    (r"^/admin(/.*)?$", {"admin"}),
    (r"^/me$", {"patient_p", "patient_q"}),
    (r"^/me/progress$", {"patient_p", "patient_q"}),
    (r"^/api/v1/me/(programme|progress)$", {"patient_p", "patient_q"}),
    # the patient list and the new-patient form: any therapist (their own clinic's);
    # a chart: only patient P's clinic. /patients/new before /patients/{code}.
    (r"^(/api/v1)?/patients$", {"therapist_a", "therapist_b"}),
    (r"^/patients/new$", {"therapist_a", "therapist_b"}),
    # a chart's balance figures (SVG): only patient P's clinic, like the chart
    (r"^/patients/\{code\}/trials/\{trial_id\}/figure\.svg$", {"therapist_a"}),
    (r"^/patients/\{code\}/sessions/\{session_id\}/balance\.svg$", {"therapist_a"}),
    (r"^/patients/\{code\}/trends/\{measure\}\.svg$", {"therapist_a"}),
    (r"^(/api/v1)?/patients/\{code\}.*$", {"therapist_a"}),
)
#: State-changing routes, each refused without a CSRF token for everybody.
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, installed_assets: InstalledAssets) -> Any:
    with two_clinic_world(tmp_path_factory.mktemp("access")) as w:
        p = add_patient(
            w.store, name=PATIENT_NAME, date_of_birth=date(1951, 2, 3), clinic_id="CL-0001"
        )
        q = add_patient(
            w.store, name="Other Person", date_of_birth=date(1960, 1, 1), clinic_id=w.clinic_b
        )
        for therapist, login, code in ((w.therapist_a, "pat.p", p), (w.therapist_b, "pat.q", q)):
            create_user(w.store, therapist, login=login, password=PASSWORD, role="patient",
                        patient_code=code, settings=FAST)  # fmt: skip
        yield {"app": w.app, "client": w.client, "store": w.store, "p": p, "q": q,
               "admin": w.admin}  # fmt: skip


LOGINS = {"admin": "admin", "therapist_a": "ther.a", "therapist_b": "ther.b",
          "patient_p": "pat.p", "patient_q": "pat.q"}  # fmt: skip


def sign_in(client: TestClient, role: str) -> None:
    client.cookies.clear()
    if role == "anonymous":
        return
    token = csrf_token(client.get("/signin").text)
    response = client.post(
        "/signin",
        data={"login": LOGINS[role], "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def _audit_count(world: Any) -> int:
    return len(world["store"] and _events(world))


def _events(world: Any) -> list[Any]:
    from reeducate.services.access import view_audit_log

    return view_audit_log(world["store"], world["admin"], limit=100_000)


def test_every_route_has_an_access_rule_and_every_denial_is_clean(world: Any) -> None:
    client: TestClient = world["client"]
    routes = sorted(set(_routes(world["app"].routes)))
    gets = [path for method, path in routes if method == "GET"]
    unruled = [p for p in gets if not any(re.match(rx, p) for rx, _ in GET_RULES)]
    assert not unruled, f"routes without an access rule in this test: {unruled}"
    checked = 0
    for role in ROLES:
        sign_in(client, role)
        for path in gets:
            allowed = next(who for rx, who in GET_RULES if re.match(rx, path))
            url = (
                path.replace("{code}", world["p"])
                .replace("{exercise_id}", "nonexistent-exercise")
                .replace("{measure_id}", "bbs")
                .replace("{trial_id}", "T-0001")
                .replace("{session_id}", "S-0001")
                .replace("{measure}", "tug")
                .replace("{slug}", "not-found")
                .replace("{spec:path}", "nothing@0/x.css")
            )
            response = client.get(url, follow_redirects=False)
            checked += 1
            if role in allowed:
                assert response.status_code not in (401, 403), (role, url, response.status_code)
                assert not (
                    response.status_code == 303
                    and response.headers["location"].startswith("/signin")
                ), (role, url)
            else:
                assert response.status_code in (303, 401, 403, 404), (role, url)
                if response.status_code == 303:
                    assert response.headers["location"].startswith("/signin"), (role, url)
                # a code may appear only where the client itself asked for it
                if world["p"] not in url:
                    assert world["p"] not in response.text, (role, url)
            if role != "therapist_a":  # only patient P's clinic may see who P is
                assert PATIENT_NAME not in response.text, (role, url)
                assert "1951-02-03" not in response.text, (role, url)
    assert checked == len(ROLES) * len(gets)


@pytest.mark.parametrize("role", ["anonymous", "admin", "therapist_a", "patient_p"])
def test_every_state_changing_route_refuses_a_missing_or_wrong_csrf_token(
    world: Any, role: str
) -> None:
    client: TestClient = world["client"]
    sign_in(client, role)
    before = len(_events(world))
    unsafe = sorted((m, p) for m, p in set(_routes(world["app"].routes)) if m in UNSAFE)
    assert ("POST", "/signin") in unsafe and ("POST", "/admin/users") in unsafe
    for method, path in unsafe:
        url = path.replace("{user_id}", "U-0002").replace("{code}", world["p"])
        for headers in ({}, {"X-CSRF-Token": "forged"}):
            response = client.request(
                method,
                url,
                data={"name": "Forged", "login": "x.y.z", "password": PASSWORD},
                headers=headers,
                follow_redirects=False,
            )
            assert response.status_code == 403, (role, method, url, response.status_code)
    assert len(_events(world)) == before  # nothing written
    assert client.get("/signin" if role == "anonymous" else "/").status_code == 200


def test_session_cookie_flags_and_logout(world: Any) -> None:
    client: TestClient = world["client"]
    client.cookies.clear()
    token = csrf_token(client.get("/signin").text)
    response = client.post(
        "/signin",
        data={"login": "ther.a", "password": PASSWORD, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.headers["location"] == "/patients"
    cookie = response.headers["set-cookie"].lower()
    for flag in ("httponly", "samesite=lax", "path=/", "max-age="):
        assert flag in cookie
    session_token = client.cookies["reeducate_session"]
    # the database keeps the digest only
    from sqlalchemy import text

    with world["store"].engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM web_session")).all()
    assert rows and all(session_token not in str(row) for row in rows)
    page = client.get("/patients")
    assert page.status_code == 200
    out = client.post(
        "/signout", data={"csrf_token": csrf_token(page.text)}, follow_redirects=False
    )
    assert out.status_code == 303 and 'reeducate_session=""' in out.headers["set-cookie"]
    client.cookies.set("reeducate_session", session_token)  # replaying the old cookie fails
    assert client.get("/patients", follow_redirects=False).status_code == 303


def test_secure_cookie_by_default(tmp_path: Path, installed_assets: InstalledAssets) -> None:
    settings = load_settings(environ={"REEDUCATE_DATABASE_URL": f"sqlite:///{tmp_path}/d.db"})
    app = create_app(settings)
    app.state.context.security = FAST
    with TestClient(app, base_url="https://testserver") as client:
        bootstrap_administrator(
            app.state.context.store, login="root", password=PASSWORD, settings=FAST
        )
        token = csrf_token(client.get("/signin").text)
        response = client.post(
            "/signin",
            data={"login": "root", "password": PASSWORD, "csrf_token": token},
            follow_redirects=False,
        )
        cookie = response.headers["set-cookie"]
        assert cookie.startswith("__Host-reeducate_session=") and "Secure" in cookie
        assert client.get("/admin").status_code == 200


def test_throttled_sign_in_answers_429_with_the_wait(
    world: Any, caplog: pytest.LogCaptureFixture
) -> None:
    client: TestClient = world["client"]
    client.cookies.clear()
    token = csrf_token(client.get("/signin").text)
    caplog.set_level(logging.DEBUG)
    statuses = []
    for _ in range(FAST.login_failures_per_login + 1):
        response = client.post(
            "/signin",
            data={"login": "pat.q", "password": "wrong password 123", "csrf_token": token},
        )
        statuses.append(response.status_code)
    assert statuses[:-1] == [401] * FAST.login_failures_per_login
    assert statuses[-1] == 429
    assert "try again in 15 minutes" in response.text
    assert int(response.headers["retry-after"]) > 0
    locked = client.post(
        "/signin", data={"login": "pat.q", "password": PASSWORD, "csrf_token": token}
    )
    assert locked.status_code == 429  # even the right password waits
    api = client.post(
        "/api/v1/auth/login",
        json={"login": "pat.q", "password": PASSWORD},
        headers={"X-CSRF-Token": token},
    )
    assert api.status_code == 429 and api.json()["retry_after_s"] > 0
    assert "wrong password 123" not in caplog.text and PASSWORD not in caplog.text


def test_api_sign_in_with_csrf_header(world: Any) -> None:
    client: TestClient = world["client"]
    client.cookies.clear()
    assert client.get("/api/v1/auth/me").status_code == 401
    anonymous = client.get("/api/v1/auth/csrf").json()["csrf_token"]
    refused = client.post("/api/v1/auth/login", json={"login": "admin", "password": PASSWORD})
    assert refused.status_code == 403
    wrong = client.post(
        "/api/v1/auth/login",
        json={"login": "admin", "password": "nope nope nope"},
        headers={"X-CSRF-Token": anonymous},
    )
    assert wrong.status_code == 401 and wrong.json()["detail"] == "login or password is incorrect"
    ok = client.post(
        "/api/v1/auth/login",
        json={"login": "admin", "password": PASSWORD},
        headers={"X-CSRF-Token": anonymous},
    )
    assert ok.status_code == 200 and ok.json()["account"]["role"] == "administrator"
    session_csrf = ok.json()["csrf_token"]
    assert client.get("/api/v1/auth/me").json()["id"] == "U-0001"
    assert (
        client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": anonymous}).status_code == 403
    )
    assert (
        client.post("/api/v1/auth/logout", headers={"X-CSRF-Token": session_csrf}).status_code
        == 204
    )
    assert client.get("/api/v1/auth/me").status_code == 401


def test_admin_creates_clinic_and_therapist_and_reads_the_audit_log(world: Any) -> None:
    client: TestClient = world["client"]
    sign_in(client, "admin")
    page = client.get("/admin")
    assert page.status_code == 200 and "Clinic B" in page.text
    token = csrf_token(page.text)
    added = client.post("/admin/clinics", data={"name": "<script>x</script>", "csrf_token": token})
    assert added.status_code == 200 and "&lt;script&gt;" in added.text
    made = client.post(
        "/admin/users",
        data={
            "login": "ther.c",
            "password": PASSWORD,
            "role": "therapist",
            "clinic_id": "CL-0001",
            "csrf_token": token,
        },
    )
    assert made.status_code == 200 and "ther.c" in made.text
    short = client.post(
        "/admin/users",
        data={"login": "ther.d", "password": "short", "clinic_id": "CL-0001", "csrf_token": token},
    )
    assert short.status_code == 422 and "at least 12 characters" in short.text
    audit = client.get("/admin/audit", params={"actor": "U-0001", "action": "create"})
    assert (audit.status_code == 200 and "ther.c" not in audit.text) or "user_account" in audit.text
    assert PATIENT_NAME not in client.get("/admin/audit").text
    bad = client.get("/admin/audit", params={"since": "2030-01-02", "until": "2030-01-01"})
    assert bad.status_code == 422


def test_the_audit_log_pages_back_through_every_event_once(
    world: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from reeducate.web import admin

    client: TestClient = world["client"]
    sign_in(client, "admin")
    client.get("/admin")  # at least a few events exist by now (sign-ins, reads)
    every = [e.id for e in _events(world)]
    monkeypatch.setattr(admin, "AUDIT_PAGE_LIMIT", 3)
    seen: list[int] = []
    url: str | None = "/admin/audit"
    pages = 0
    while url is not None:
        page = client.get(url)
        assert page.status_code == 200
        seen += [int(x) for x in re.findall(r'data-event="(\d+)"', page.text)]
        older = re.search(r'href="(/admin/audit\?[^"]*)"[^>]*>Older events', page.text)
        url = None if older is None else older.group(1).replace("&amp;", "&")
        pages += 1
        assert pages < 1000
    # Latest first, no event twice, none missed (events written while paging are newer).
    assert seen == sorted(seen, reverse=True) and len(seen) == len(set(seen))
    assert set(every) <= set(seen)
    assert pages >= 2 and "Latest events" in page.text
    filtered = client.get("/admin/audit", params={"action": "read", "before": seen[0]})
    assert 'href="/admin/audit?action=read"' in filtered.text  # the filters kept
    assert client.get("/admin/audit", params={"before": 0}).status_code == 422
