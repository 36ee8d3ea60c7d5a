"""GET /api/v1/patients and /api/v1/patients/{code}: the same data as the pages, the same
refusals (403 problem+json for another clinic's patient and for an unknown code)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.web.test_therapist import Seeded, audit_reads, seed, signed_in

from reeducate.api import create_app, load_settings


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    return seed(tmp_path_factory.mktemp("patients-api"))


@pytest.fixture(scope="module")
def api(seeded: Seeded, stub_assets: Path) -> Iterator[tuple[FastAPI, TestClient]]:
    settings = load_settings(
        environ={"REEDUCATE_DATABASE_URL": seeded.url, "REEDUCATE_ASSETS_DIR": str(stub_assets)}
    )
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield app, client


def test_list_is_the_clinic_most_urgent_first(
    api: tuple[FastAPI, TestClient], seeded: Seeded
) -> None:
    signed_in(api[0], seeded.therapist_a)
    body = api[1].get("/api/v1/patients").json()
    assert body["on"] == seeded.today.isoformat()
    assert [p["code"] for p in body["patients"]] == [seeded.flagged, seeded.quiet]
    first = body["patients"][0]
    kinds = [a["kind"] for a in first["attention"]]
    assert kinds[0] == "symptom_flag" and "missed_home_sessions" in kinds
    assert first["diagnoses"] == ["R26.81"] and first["name"].startswith("Ada <script>")
    assert body["patients"][1]["attention"] == []


def test_chart_returns_the_record(api: tuple[FastAPI, TestClient], seeded: Seeded) -> None:
    signed_in(api[0], seeded.therapist_a)
    before = len(audit_reads(seeded))
    body = api[1].get(f"/api/v1/patients/{seeded.flagged}").json()
    assert body["episode"]["diagnoses"] == ["R26.81"]
    assert body["episode"]["impairments"] == ["balance"]
    (goal,) = body["goals"]
    assert (goal["baseline_value"], goal["target_value"], goal["current_value"]) == (16, 11, 12.5)
    assert goal["progress_pct"] == pytest.approx(70.0)
    assert body["prescription"]["exercises"][0]["variant_id"] == "bal-sls-firm-eo"
    (trend,) = body["outcome_trends"]
    assert trend["measure"] == "tug" and [p["value"] for p in trend["points"]] == [16.0, 12.5]
    assert trend["change"] == pytest.approx(-3.5) and trend["higher_is_better"] is False
    assert body["sessions"][0]["symptoms"].startswith("dizziness")
    assert body["sessions"][0]["minutes"] == 25
    # One read event for the view, naming every kind of record shown.
    assert audit_reads(seeded)[before:] == [
        (seeded.therapist_a.id, "patient", seeded.flagged, "patient")
    ]
    assert body["sessions_total"] == len(body["sessions"]) == 1


def test_other_clinic_and_unknown_code_are_the_same_403(
    api: tuple[FastAPI, TestClient], seeded: Seeded
) -> None:
    signed_in(api[0], seeded.therapist_a)
    other = api[1].get(f"/api/v1/patients/{seeded.other}")
    unknown = api[1].get("/api/v1/patients/P-9999")
    assert other.status_code == unknown.status_code == 403
    assert other.headers["content-type"].startswith("application/problem+json")
    assert "Carla" not in other.text
    assert other.json()["title"] == unknown.json()["title"] == "Not allowed"
