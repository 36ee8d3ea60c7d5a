"""Errors of the JSON API are RFC 9457 problem+json, with the status of their kind, and a 500
says nothing of the exception."""

from __future__ import annotations

import logging
from collections.abc import Callable

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pydantic import BaseModel

from reeducate.errors import (
    DomainRuleError,
    FileFormatError,
    InvalidParameterError,
    NotFoundError,
    ReeducateError,
    SignalQualityError,
    UnitError,
)

PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}
# Stand-ins for what an exception message may carry and a response must never show.
SECRET = "Jane Doe born 1950-02-03 at /srv/reeducate/secret_module.py line 42"


class AccessDenied(ReeducateError, PermissionError):
    """What the access policy will raise (a ReeducateError that is a PermissionError)."""


def assert_problem(response: object, *, status: int, slug: str | None, path: str) -> dict:
    assert response.status_code == status  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body = response.json()  # type: ignore[attr-defined]
    assert PROBLEM_KEYS <= set(body)
    assert body["status"] == status
    assert body["instance"] == path
    assert body["title"] and body["detail"]
    if slug is None:
        assert body["type"] == "about:blank"
    else:
        assert body["type"].split("://", 1)[1] == f"testserver/api/v1/problems/{slug}"
        assert body["type"].startswith(("http://", "https://"))
    return body


def test_unknown_exercise_is_a_404_problem_whose_type_is_documented(client: TestClient) -> None:
    response = client.get("/api/v1/exercises/no-such-exercise")
    body = assert_problem(
        response, status=404, slug="not-found", path="/api/v1/exercises/no-such-exercise"
    )
    assert "no-such-exercise" in body["detail"]
    # The type URI dereferences to its documentation (RFC 9457 §3.1.1).
    described = client.get(body["type"].removeprefix("http://testserver"))
    assert described.status_code == 200
    assert described.json()["status"] == 404 and described.json()["title"] == body["title"]


def test_unknown_measure_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/api/v1/measures/xyz")
    body = assert_problem(response, status=404, slug="not-found", path="/api/v1/measures/xyz")
    assert "xyz" in body["detail"]


def test_a_word_the_service_refuses_is_a_422_naming_the_field(client: TestClient) -> None:
    response = client.get("/api/v1/exercises", params={"region": "elbow", "text": "x"})
    body = assert_problem(response, status=422, slug="invalid-parameter", path="/api/v1/exercises")
    assert body["detail"].startswith("region must be one of")
    assert "elbow" in body["detail"]
    # The query string is not repeated in `instance`.
    assert "text=" not in response.text


def test_a_malformed_level_is_a_422(client: TestClient) -> None:
    response = client.get("/api/v1/exercises", params={"level": "surface"})
    body = assert_problem(response, status=422, slug="invalid-parameter", path="/api/v1/exercises")
    assert body["detail"] == "level must be DIMENSION:LEVEL, e.g. surface:foam; got 'surface'"


def test_a_query_of_the_wrong_type_is_a_422_listing_fields_without_their_values(
    client: TestClient,
) -> None:
    response = client.get(
        "/api/v1/exercises",
        params={"flag_contraindicated": "Jane Doe", "text": "x" * 201},
    )
    body = assert_problem(response, status=422, slug="request-validation", path="/api/v1/exercises")
    fields = {(e["field"], e["location"]) for e in body["errors"]}
    assert fields == {("flag_contraindicated", "query"), ("text", "query")}
    assert body["detail"].startswith("flag_contraindicated (query): ")
    assert body["detail"].endswith("; and 1 more")
    assert "Jane" not in response.text and "x" * 50 not in response.text


def test_unknown_route_and_wrong_method_are_about_blank_problems(client: TestClient) -> None:
    body = assert_problem(
        client.get("/api/v1/nothing-here"), status=404, slug=None, path="/api/v1/nothing-here"
    )
    assert body["title"] == "Not found"
    response = client.post("/api/v1/exercises")
    assert_problem(response, status=405, slug=None, path="/api/v1/exercises")
    assert response.headers["allow"] == "GET"


@pytest.mark.parametrize(
    ("error", "status", "slug"),
    [
        (NotFoundError("patient code must name a patient; got 'P-9'"), 404, "not-found"),
        (AccessDenied("therapist t1 may not read patient P-1"), 403, "permission-denied"),
        (InvalidParameterError("sets must be 1-10; got 0"), 422, "invalid-parameter"),
        (FileFormatError("trial.csv line 3: expected 3 columns; got 2"), 422, "file-format"),
        (UnitError("unit must be mm, cm or m; got 'in'"), 422, "unit"),
        (SignalQualityError("cop_m has 12 % NaN; at most 1 % allowed"), 422, "signal-quality"),
        (DomainRuleError("a goal needs a baseline"), 422, "domain-rule"),
    ],
)
def test_each_reeducate_error_has_its_status_and_type(
    make_client: Callable[..., TestClient], error: ReeducateError, status: int, slug: str
) -> None:
    def setup(_app: FastAPI, api: FastAPI) -> None:
        def fail() -> None:
            raise error

        api.add_api_route("/raise", fail)

    client = make_client(setup)
    body = assert_problem(
        client.get("/api/v1/raise"), status=status, slug=slug, path="/api/v1/raise"
    )
    assert body["detail"] == str(error)


class Body(BaseModel):
    sets: int


def test_a_body_that_is_not_json_is_a_400(make_client: Callable[..., TestClient]) -> None:
    def setup(_app: FastAPI, api: FastAPI) -> None:
        def echo(body: Body) -> dict[str, int]:
            return {"sets": body.sets}

        api.add_api_route("/echo", echo, methods=["POST"])

    client = make_client(setup)
    client.base_url = "https://testserver"  # the CSRF cookie is Secure, as in production
    # Every state-changing request carries the CSRF token (the API's own flow).
    token = {"X-CSRF-Token": client.get("/api/v1/auth/csrf").json()["csrf_token"]}
    assert client.post("/api/v1/echo", json={"sets": 3}, headers=token).json() == {"sets": 3}
    response = client.post(
        "/api/v1/echo",
        content=b"{not json",
        headers={"content-type": "application/json", **token},
    )
    assert_problem(response, status=400, slug="malformed-request", path="/api/v1/echo")
    response = client.post("/api/v1/echo", json={"sets": "three"}, headers=token)
    body = assert_problem(response, status=422, slug="request-validation", path="/api/v1/echo")
    assert body["errors"][0]["field"] == "sets" and body["errors"][0]["location"] == "body"
    assert "three" not in response.text


def test_an_unexpected_error_is_a_500_without_internals(
    make_client: Callable[..., TestClient], caplog: pytest.LogCaptureFixture
) -> None:
    def setup(_app: FastAPI, api: FastAPI) -> None:
        def crash() -> None:
            raise KeyError(SECRET)

        api.add_api_route("/crash", crash)

    client = make_client(setup)
    with caplog.at_level(logging.ERROR, logger="reeducate.web"):
        response = client.get("/api/v1/crash")
    body = assert_problem(response, status=500, slug="internal-error", path="/api/v1/crash")
    reference = body["reference"]
    assert len(reference) == 12 and reference in body["detail"]
    for leak in ("Jane", "1950", "secret_module", "Traceback", "KeyError", ".py", "raise"):
        assert leak not in response.text, leak
    # The log names the reference, the type and where it happened, never the message.
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert reference in logged and "KeyError" in logged and "test_api_problems.py" in logged
    assert "Jane" not in logged and "1950" not in logged


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for path in ("/api/v1/health", "/api/v1/exercises/nope"):
        headers = client.get(path).headers
        assert headers["content-security-policy"].startswith("default-src 'self'")
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"


def test_repeatable_filters_are_limited_in_length_and_count(client: TestClient) -> None:
    response = client.get("/api/v1/exercises", params={"level": "surface:" + "f" * 60})
    body = assert_problem(response, status=422, slug="request-validation", path="/api/v1/exercises")
    assert body["errors"] == [
        {
            "field": "level.0",
            "location": "query",
            "message": "String should have at most 60 characters",
        }
    ]
    assert "f" * 60 not in response.text
    many = [("contraindication", "pacemaker")] * 61
    body = assert_problem(
        client.get("/api/v1/exercises", params=many),
        status=422,
        slug="request-validation",
        path="/api/v1/exercises",
    )
    assert body["errors"][0]["field"] == "contraindication"
