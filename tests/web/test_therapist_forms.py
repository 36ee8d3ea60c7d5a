"""The therapist's write flows through HTTP: prescribe, decide, record a visit with a balance
recording, score a measure; bad input 422 with nothing written; another clinic 403; uploads
refused when too large or binary."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from tests.web.test_therapist import Seeded, seed, signed_in
from tests.web.worlds import csrf_token

from reeducate.api import create_app, load_settings
from reeducate.services import care

DEMO = Path(care.__file__).parents[1] / "data" / "demo" / "BDS00160.txt.gz"


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Seeded:
    return seed(tmp_path_factory.mktemp("forms"))


@pytest.fixture(scope="module")
def client(seeded: Seeded, installed_assets: object) -> Iterator[tuple[FastAPI, TestClient]]:
    settings = load_settings(
        environ={"REEDUCATE_DATABASE_URL": seeded.url, "REEDUCATE_UPLOAD_LIMIT_BYTES": "600000"},
        cookie_secure=False,
    )
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield app, c


def _overview(seeded: Seeded) -> care.PatientOverview:
    store = care.open_store(seeded.url, actor="test")
    try:
        return care.patient_overview(store, seeded.flagged, today=seeded.today)
    finally:
        store.close()


def test_prescribe_opens_with_the_screened_contraindications(
    client: tuple[FastAPI, TestClient], seeded: Seeded
) -> None:
    """The patient's active NMES screening items are ticked when the page opens (and flag the
    NMES variants they rule out); the therapist's own ticks replace them once the search form
    is sent; the read of the items is audited; a resolved item is no longer ticked."""
    from reeducate.services.nmes import ScreeningSpec, update_screening
    from reeducate.store.engine import transaction
    from reeducate.store.models import AuditAction
    from reeducate.store.repositories import Repositories

    app, c = client
    signed_in(app, seeded.therapist_a)
    store = care.open_store(seeded.url, actor="test")
    try:
        (item,) = update_screening(store, seeded.quiet, add=[ScreeningSpec(code="pacemaker")])
        url = f"/patients/{seeded.quiet}/prescribe?technique=nmes_activation"
        opened = c.get(url)
        assert opened.status_code == 200
        assert re.search(r'value="pacemaker" checked', opened.text)
        assert "From the patient's screening" in opened.text
        assert "conflicts with" in opened.text  # NMES variants flagged for the pacemaker
        unticked = c.get(url + "&filtered=1")  # the search form sent with nothing ticked
        assert 'value="pacemaker" checked' not in unticked.text
        assert "conflicts with" not in unticked.text
        with transaction(store.factory, read_only=True) as session:
            events = Repositories(session, actor="test").audit.events(
                entity="patient", entity_id=seeded.quiet, action=AuditAction.READ
            )
        reads = [e for e in events if e.detail.get("resource") == "nmes_screening_item"]
        assert reads and reads[-1].actor == seeded.therapist_a.id
        assert reads[-1].detail["record_ids"] == [item.id]
        update_screening(store, seeded.quiet, resolve=[item.id])
        resolved = c.get(url)
        assert 'value="pacemaker" checked' not in resolved.text
        assert "holds no coded contraindications" in resolved.text
    finally:
        store.close()


def test_prescribe_adjust_and_refusals(client: tuple[FastAPI, TestClient], seeded: Seeded) -> None:
    app, c = client
    signed_in(app, seeded.therapist_a)
    page = c.get(f"/patients/{seeded.flagged}/prescribe?q=dead+bug&contraindication=pacemaker")
    assert page.status_code == 200 and "no coded contraindications" in page.text
    token = csrf_token(page.text)
    url = f"/patients/{seeded.flagged}/prescriptions"
    ok = c.post(
        url,
        data={
            "csrf_token": token,
            "variant_id": "bal-stance-tandem-firm-eo",
            "sets": "2",
            "hold_s": "20",
        },
        follow_redirects=False,
    )
    assert ok.status_code == 303, ok.text[-600:]
    before = _overview(seeded)
    rx = before.plan.prescription if before.plan else None
    assert rx is not None
    assert (
        rx.exercises[-1].variant_id == "bal-stance-tandem-firm-eo"
        and rx.exercises[-1].dose.sets == 2
    )
    chart = c.get(f"/patients/{seeded.flagged}")
    assert "2 × 20 s hold" in chart.text
    bad = c.post(
        url, data={"csrf_token": token, "variant_id": "bal-stance-tandem-firm-eo", "sets": "99"}
    )
    assert bad.status_code == 422 and "sets must be 1–20" in bad.text
    after = _overview(seeded)
    assert after.plan and after.plan.prescription and after.plan.prescription.id == rx.id
    signed_in(app, seeded.therapist_b)
    denied = c.post(url, data={"csrf_token": token, "variant_id": "bal-stance-tandem-firm-eo"})
    assert denied.status_code == 403
    api = c.post(
        f"/api/v1/patients/{seeded.flagged}/prescriptions",
        json={"variant_id": "bal-stance-tandem-firm-eo"},
        headers={"X-CSRF-Token": token},
    )
    assert api.status_code == 403
    signed_in(app, seeded.therapist_a)
    api = c.post(
        f"/api/v1/patients/{seeded.flagged}/prescriptions",
        json={"variant_id": "nope", "dose": {"sets": 3}},
        headers={"X-CSRF-Token": token},
    )
    assert api.status_code == 422 and "variant_id" in api.json()["detail"]


def test_visit_with_recording_and_upload_refusals(
    client: tuple[FastAPI, TestClient], seeded: Seeded
) -> None:
    app, c = client
    signed_in(app, seeded.therapist_a)
    page = c.get(f"/patients/{seeded.flagged}/visits/new")
    assert page.status_code == 200
    token = csrf_token(page.text)
    url = f"/patients/{seeded.flagged}/visits"
    form = {
        "csrf_token": token,
        "ex-0-variant_id": "bal-sls-firm-eo",
        "ex-0-kind": "hold",
        "ex-0-done": "30, 28",
        "ex-0-pain_before": "1",
        "ex-0-pain_after": "2",
        "ex-0-difficulty": "2",
        "ex-0-cues": "eyes on target",
        "minutes-97112": "23",
    }
    sessions = len(_overview(seeded).sessions)
    bad = c.post(url, data={**form, "ex-0-pain_after": "11"})
    assert bad.status_code == 422 and "exercises[0].pain_after must be 0–10" in bad.text
    binary = c.post(url, data=form, files={"recording": ("x.csv", b"\x00\x01\x02" * 100)})
    assert binary.status_code == 422 and "binary" in binary.text
    big = c.post(url, data=form, files={"recording": ("x.csv", b"1,2\n" * 160_000)})
    assert big.status_code == 413
    assert len(_overview(seeded).sessions) == sessions  # nothing written
    ok = c.post(
        url,
        data={**form, "condition": "eo-firm"},
        files={"recording": ("BDS00160.txt.gz", DEMO.read_bytes())},
        follow_redirects=False,
    )
    assert ok.status_code == 303, ok.text
    record = _overview(seeded)
    assert len(record.sessions) == sessions + 1
    latest = record.sessions[-1]
    assert latest.minutes_by_code == {"97112": 23} and len(latest.trial_ids) == 1
    chart = c.get(f"/patients/{seeded.flagged}")
    assert f'data-trial="{latest.trial_ids[0]}"' in chart.text


def test_score_item_by_item_and_decide(client: tuple[FastAPI, TestClient], seeded: Seeded) -> None:
    app, c = client
    signed_in(app, seeded.therapist_a)
    page = c.get(f"/patients/{seeded.flagged}/scores/new?measure=bbs")
    assert page.status_code == 200 and page.text.count('name="item-') == 14
    token = csrf_token(page.text)
    items = {f"item-{i}": "3" for i in range(1, 15)}
    bad = c.post(
        f"/patients/{seeded.flagged}/scores",
        data={"csrf_token": token, "measure": "bbs", **items, "item-3": "7"},
    )
    assert bad.status_code == 422 and "items.3" in bad.text
    ok = c.post(
        f"/patients/{seeded.flagged}/scores",
        data={"csrf_token": token, "measure": "bbs", **items},
        follow_redirects=False,
    )
    assert ok.status_code == 303, ok.text[-600:]
    scores = [s for s in _overview(seeded).scores if s.measure == "bbs"]
    assert len(scores) == 1 and scores[0].total == 42 and scores[0].scored_by == "U-0002"
    api = c.post(
        f"/api/v1/patients/{seeded.flagged}/scores",
        json={"measure": "tug", "value": 11.5},
        headers={"X-CSRF-Token": token},
    )
    assert api.status_code == 201 and api.json()["total"] == 11.5
    review = c.get(f"/patients/{seeded.flagged}/recommendations")
    assert review.status_code == 200 and "Record decision" in review.text
    no_reason = c.post(
        f"/patients/{seeded.flagged}/decisions",
        data={"csrf_token": token, "variant_id": "bal-sls-firm-eo", "decision": "reject"},
    )
    assert no_reason.status_code == 422 and "reason" in no_reason.text
    assert not _overview(seeded).decisions
    done = c.post(
        f"/patients/{seeded.flagged}/decisions",
        data={
            "csrf_token": token,
            "variant_id": "bal-sls-firm-eo",
            "decision": "reject",
            "reason": "wait for the next visit",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    decisions = _overview(seeded).decisions
    assert len(decisions) == 1 and decisions[0].reason == "wait for the next visit"
    assert decisions[0].decided_by == "U-0002"
