"""The public JSON API: health, OpenAPI, exercise library and outcome measures return what the
services return."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from reeducate import __version__
from reeducate.services.library import (
    exercise_detail,
    library_terms,
    list_measures,
    measure_detail,
    search_exercises,
)
from reeducate.store import migrate


def test_health_reports_the_database_at_the_newest_schema(client: TestClient) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.json() == {
        "status": "ok",
        "version": __version__,
        "database": "ok",
        "schema_revision": migrate.head(),
        "schema_up_to_date": True,
    }


def test_openapi_document_lists_every_route_and_documents_problems(client: TestClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["servers"] == [{"url": "/api/v1"}]
    assert set(document["paths"]) == {
        "/health",
        "/problems/{slug}",
        "/exercises",
        "/exercises/{exercise_id}",
        "/terms",
        "/measures",
        "/measures/{measure_id}",
        "/auth/csrf",
        "/auth/login",
        "/auth/logout",
        "/auth/me",
        "/patients",
        "/patients/{code}",
        "/patients/{code}/report.pdf",
        "/patients/{code}/prescriptions",
        "/patients/{code}/decisions",
        "/patients/{code}/sessions",
        "/patients/{code}/scores",
        "/patients/{code}/account",
        "/patients/{code}/account/password",
        "/me/programme",
        "/me/sessions",
        "/me/progress",
    }
    problem = document["components"]["schemas"]["Problem"]
    assert set(problem["required"]) == {"type", "title", "status", "detail", "instance"}
    for path, item in document["paths"].items():
        for status, answer in (
            (status, answer)
            for operation in item.values()
            for status, answer in operation["responses"].items()
        ):
            if status.startswith(("4", "5")):
                assert list(answer["content"]) == ["application/problem+json"], (path, status)
    assert {"404", "422"} <= set(document["paths"]["/exercises/{exercise_id}"]["get"]["responses"])
    # The interactive pages load scripts from a CDN: they are not served.
    assert client.get("/api/v1/docs").status_code == 404


@pytest.mark.parametrize(
    ("params", "kwargs"),
    [
        ({}, {}),
        (
            {
                "region": "knee",
                "technique": "nmes_activation",
                "contraindication": "pacemaker",
                "flag_contraindicated": "true",
            },
            {
                "region": "knee",
                "technique": "nmes_activation",
                "contraindications": ["pacemaker"],
                "flag_contraindicated": True,
            },
        ),
        (
            [("level", "surface:foam"), ("level", "vision:eyes_open")],
            {"levels": {"surface": "foam", "vision": "eyes_open"}},
        ),
        ({"equipment": "none"}, {"equipment": []}),
        (
            [("equipment", "counter"), ("equipment", "foam_pad")],
            {"equipment": ["counter", "foam_pad"]},
        ),
        (
            {"text": "single-leg", "region": "ankle_foot"},
            {"text": "single-leg", "region": "ankle_foot"},
        ),
    ],
)
def test_exercise_search_returns_what_the_service_returns(
    client: TestClient, params: Any, kwargs: dict[str, Any]
) -> None:
    response = client.get("/api/v1/exercises", params=params)
    assert response.status_code == 200, response.text
    want = search_exercises(**kwargs)
    assert response.json() == want.to_dict()
    assert response.json()["count"] == len(response.json()["exercises"])


def test_filters_narrow_the_search(client: TestClient) -> None:
    everything = client.get("/api/v1/exercises").json()["count"]
    foam = client.get("/api/v1/exercises", params={"level": "surface:foam"}).json()
    assert 0 < foam["count"] < everything
    assert all(hit["levels"]["surface"] == "foam" for hit in foam["exercises"])


@pytest.mark.parametrize("exercise_id", ["bal-sls-firm-eo", "nm-quad-supine"])
def test_exercise_detail_returns_what_the_service_returns(
    client: TestClient, exercise_id: str
) -> None:
    response = client.get(f"/api/v1/exercises/{exercise_id}")
    assert response.status_code == 200
    assert response.json() == exercise_detail(exercise_id).to_dict()


def test_terms_and_measures_return_what_the_services_return(client: TestClient) -> None:
    assert client.get("/api/v1/terms").json() == library_terms().to_dict()
    assert client.get("/api/v1/measures").json() == [m.to_dict() for m in list_measures()]
    for summary in list_measures():
        response = client.get(f"/api/v1/measures/{summary.id}")
        assert response.status_code == 200
        assert response.json() == measure_detail(summary.id).to_dict()
