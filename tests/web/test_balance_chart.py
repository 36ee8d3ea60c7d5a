"""The balance figures of the therapist's chart: a circle draws as a circle in its circular
ellipse (closed form); a recording uploaded with a visit shows its figures, its visit's condition
summary and norms, and is listed with the visit; a trial without a stored trace still shows;
every figure is refused to another clinic (403) and audited when shown."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from numpy.testing import assert_allclose
from scipy import stats
from sqlalchemy import text
from tests.web.test_therapist import Seeded, audit_reads, seed, signed_in

from reeducate.api import create_app, load_settings
from reeducate.balance.analysis import analyze_trial
from reeducate.balance.display import DISPLAY_MAX_RATE_HZ, display_trace
from reeducate.balance.presets import get_preset
from reeducate.balance.trial import CopTrial, Surface, TrialCondition, Vision
from reeducate.clinic.care import trial_record_from_analysis
from reeducate.services import care
from reeducate.store.trace_codec import TRACE_ENCODING, decode_trace, encode_trace
from reeducate.web.balance_chart import CHART_TRIAL_FIGURES, trial_figure
from reeducate.web.charts import figure_to_svg

DEMO = Path(care.__file__).parents[1] / "data" / "demo"
#: The four mCTSIB conditions of subject 14 of the public data set (demo_manifest.tsv).
FOUR = (
    ("BDS00160.txt.gz", "eo-firm"),
    ("BDS00157.txt.gz", "ec-firm"),
    ("BDS00166.txt.gz", "eo-foam"),
    ("BDS00163.txt.gz", "ec-foam"),
)
IMG = re.compile(r'<img src="(/patients/[^"]+)"')


# --------------------------------------------------------------------------------------------
# Closed form: a circle
# --------------------------------------------------------------------------------------------


def test_a_stored_circle_draws_as_a_circle_inside_its_circular_ellipse() -> None:
    radius_m, rate_hz = 0.01, 100.0
    t = np.arange(6000) / rate_hz
    # 14 whole turns in 60 s (a period of 4.29 s, no whole number of samples: a CoP that came
    # back exactly to where it was would stop the diffusion analysis).
    phase = 2 * np.pi * (14 / 60) * t
    trial = CopTrial(
        ap_m=0.05 + radius_m * np.sin(phase),
        ml_m=-0.02 + radius_m * np.cos(phase),
        sampling_rate_hz=rate_hz,
        source_unit="m",
        source_name="circle",
        condition=TrialCondition(surface=Surface.FIRM, vision=Vision.OPEN),
    )
    analysis = analyze_trial(trial, preset=get_preset("santos-duarte-2016"))
    record = trial_record_from_analysis(
        analysis, id="T-0001", patient_code="P-0001", recorded_at=datetime(2025, 3, 5, tzinfo=UTC)
    )
    trace = display_trace(analysis.trial, max_rate_hz=DISPLAY_MAX_RATE_HZ)
    stored = decode_trace(
        encode_trace(trace), encoding=TRACE_ENCODING, n_samples=trace.n_samples,
        sampling_rate_hz=trace.sampling_rate_hz,
    )  # fmt: skip
    metrics = record.metrics
    # Points spread evenly round a circle: covariance r²/2 on both axes, so the 95 %
    # prediction ellipse is a circle of radius r·sqrt(F-quantile scale) ≈ r·sqrt(χ²₂(0.95)/2).
    assert_allclose(metrics["ellipse_semi_minor_m"], metrics["ellipse_semi_major_m"], rtol=1e-9)
    expected_m = radius_m * np.sqrt(stats.chi2.ppf(0.95, 2) / 2)
    assert_allclose(metrics["ellipse_semi_major_m"], expected_m, rtol=1e-3)  # F vs χ², n-1

    fig = trial_figure("statokinesigram", record=record, trace=stored, scale_mm=None)
    path, ellipse = fig.axes[0].lines[0], fig.axes[0].lines[1]
    path_radius_mm = np.hypot(*path.get_xydata().T)
    # The stored path is the circle, in mm around its mean; away from the first and last 2 s
    # (the decimation filter's edge transient), to single precision of coordinates ~0.05 m.
    assert_allclose(path_radius_mm[50:-50], radius_m * 1e3, rtol=1e-6)
    ellipse_radius_mm = np.hypot(*ellipse.get_xydata().T)
    assert_allclose(ellipse_radius_mm, metrics["ellipse_semi_major_m"] * 1e3, rtol=1e-6)
    texts = [t.get_text() for t in fig.axes[0].texts]
    shown_mm2 = round(metrics["ellipse_area_95_m2"] * 1e6)
    assert f"95 % ellipse: {shown_mm2} mm²" in texts
    assert_allclose(shown_mm2, np.pi * (expected_m * 1e3) ** 2, rtol=2e-3)
    assert figure_to_svg(fig).startswith(b"<?xml")

    stabilogram = trial_figure("stabilogram", record=record, trace=stored, scale_mm=None)
    ap_line = stabilogram.axes[0].lines[0]
    assert_allclose(np.max(np.abs(ap_line.get_ydata())), radius_m * 1e3, rtol=1e-4)
    assert_allclose(ap_line.get_xdata()[[0, -1]], [0.0, 59.96])  # 25 Hz from 0 s


# --------------------------------------------------------------------------------------------
# The chart through HTTP
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    app: FastAPI
    client: TestClient
    seeded: Seeded
    uploaded: str  # the trial uploaded with a visit of the flagged patient
    four: tuple[str, ...]  # the quiet patient's four trials of one visit


def _token(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    return found.group(1)


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, installed_assets: object) -> Iterator[World]:
    seeded = seed(tmp_path_factory.mktemp("balance-chart"))
    store = care.open_store(seeded.url, actor="setup")
    try:
        start = seeded.today - timedelta(days=10)
        care.open_episode(store, patient_code=seeded.quiet, start_date=start,
                          diagnoses=["R26.81"], impairments=["balance"])  # fmt: skip
        visit = care.log_session(
            store,
            care.SessionLog(
                patient_code=seeded.quiet,
                session_date=seeded.today - timedelta(days=1),
                exercises=(
                    care.ExerciseLog(
                        variant_id="bal-sls-firm-eo", hold_done_s=(30.0,), hold_target_s=30.0
                    ),
                ),
                minutes_by_code={"97112": 30},
                trials=tuple(care.TrialLog(path=DEMO / f, condition=c) for f, c in FOUR),
            ),
        )
    finally:
        store.close()
    settings = load_settings(environ={"REEDUCATE_DATABASE_URL": seeded.url}, cookie_secure=False)
    app = create_app(settings)
    with TestClient(app, raise_server_exceptions=False) as client:
        signed_in(app, seeded.therapist_a)
        page = client.get(f"/patients/{seeded.flagged}/visits/new")
        form = {
            "csrf_token": _token(page.text),
            "session_date": (seeded.today - timedelta(days=1)).isoformat(),
            "ex-0-variant_id": "bal-sls-firm-eo",
            "ex-0-kind": "hold",
            "ex-0-done": "30, 28",
            "minutes-97112": "23",
            "condition": "ec-firm",
        }
        posted = client.post(
            f"/patients/{seeded.flagged}/visits",
            data=form,
            files={"recording": ("BDS00157.txt.gz", (DEMO / "BDS00157.txt.gz").read_bytes())},
            follow_redirects=False,
        )
        assert posted.status_code == 303, posted.text[-500:]
        store = care.open_store(seeded.url, actor="test")
        try:
            latest = care.patient_overview(store, seeded.flagged, today=seeded.today).sessions[-1]
        finally:
            store.close()
        (uploaded,) = latest.trial_ids
        yield World(app, client, seeded, uploaded, visit.trial_ids)


def _images(page: str) -> list[str]:
    return [html.unescape(src) for src in IMG.findall(page)]


def test_an_uploaded_recording_shows_its_figures_and_its_visit(world: World) -> None:
    signed_in(world.app, world.seeded.therapist_a)
    code, trial = world.seeded.flagged, world.uploaded
    page = world.client.get(f"/patients/{code}")
    assert page.status_code == 200
    body = page.text
    # The trial's two figures, with text alternatives.
    assert f'id="trial-{trial}"' in body
    images = _images(body)
    for kind in ("statokinesigram", "stabilogram"):
        assert any(f"/trials/{trial}/figure.svg?kind={kind}" in src for src in images)
    assert "Statokinesigram of trial" in body and "95 % prediction ellipse of" in body
    # The visit lists its recording with its key metrics and a link to the figures.
    row = body[body.index('data-session-trials="') :]
    assert f'data-trial-link="{trial}"' in row and f'href="#trial-{trial}"' in row
    assert "Firm · EC" in row and "mm²" in row and "mm/s" in row
    # Its visit's condition summary: one condition measured, the others named as missing.
    assert "condition summary" in body and "no trial: Firm · EO, Foam · EO, Foam · EC" in body
    assert any("balance.svg?kind=conditions&metric=ellipse_area_95_m2" in s for s in images)
    assert "not computed (no firm/eyes open trial)" in body  # the Romberg quotient
    # Every figure of the page is an SVG, kept off the browser's disk.
    for src in images:
        answer = world.client.get(src)
        assert answer.status_code == 200, (src, answer.text[:300])
        assert answer.headers["content-type"] == "image/svg+xml"
        assert answer.headers["cache-control"] == "no-store"
        assert answer.content.startswith(b"<?xml") and b"<svg" in answer.content


def test_a_visit_of_four_conditions_has_its_summary_and_norms(world: World) -> None:
    signed_in(world.app, world.seeded.therapist_a)
    page = world.client.get(f"/patients/{world.seeded.quiet}")
    assert page.status_code == 200
    body = page.text
    table = body[body.index('<table class="condition-summary">') :]
    table = table[: table.index("</table>")]
    for label in ("Firm · EO", "Firm · EC", "Foam · EO", "Foam · EC"):
        assert label in table
    assert "no trial:" not in body
    romberg = re.search(r"Romberg quotient \(firm: eyes closed / open\), 95 % ellipse area: "
                        r"<strong>(\d+\.\d\d)</strong>", body)  # fmt: skip
    assert romberg is not None
    # Bob Quiet is 64 or 65: the 60+ norms of the data set these 100-Hz, 60-s trials match.
    norms = body[body.index('<table class="norms">') :]
    assert norms.count('data-status="compared"') == 8  # 4 conditions x 2 metrics
    assert "adults 60+" in norms
    images = _images(body)
    assert sum("kind=norms" in s for s in images) == 2
    assert sum("kind=conditions" in s for s in images) == 2
    # The four trials of the visit are drawn (at most CHART_TRIAL_FIGURES), one scale for all.
    drawn = [s for s in images if "/trials/" in s]
    assert len(drawn) == 2 * min(4, CHART_TRIAL_FIGURES)
    assert len({s.split("scale_mm=")[1] for s in drawn}) == 1
    for src in [s for s in images if "balance.svg" in s]:
        assert world.client.get(src).status_code == 200, src
    api = world.client.get(f"/api/v1/patients/{world.seeded.quiet}").json()
    visit = api["balance"]["latest_visit"]
    assert visit["trial_ids"] == list(world.four)
    assert [c["condition"] for c in visit["conditions"]] == [
        "Firm · EO", "Firm · EC", "Foam · EO", "Foam · EC"
    ]  # fmt: skip
    assert {n["status"] for n in visit["norms"]} == {"compared"}


def test_no_norm_is_given_without_a_date_of_birth_and_the_reason_is_shown(world: World) -> None:
    from reeducate.web.balance_chart import balance_chart

    store = care.open_store(world.seeded.url, actor="test")
    try:
        from reeducate.store.engine import transaction
        from reeducate.store.repositories import Repositories

        with transaction(store.factory) as db:
            repos = Repositories(db, actor="test", clock=store.clock)
            trials = repos.trials.for_patient(world.seeded.quiet)
            sessions = repos.sessions.for_patient(world.seeded.quiet)
    finally:
        store.close()
    chart = balance_chart(world.seeded.quiet, trials=trials, sessions=sessions,
                          traced=frozenset(), age_years=None)  # fmt: skip
    assert chart.visit is not None and chart.visit.norms == ()
    assert chart.visit.norms_note == "no norm: the patient's date of birth is not recorded"
    young = balance_chart(world.seeded.quiet, trials=trials, sessions=sessions,
                          traced=frozenset(), age_years=15)  # fmt: skip
    assert young.visit is not None and young.visit.norm_figures == ()
    assert {n.words for n in young.visit.norms} == {"no norms below 18 years; got 15.0 years"}
    assert all(not t.has_trace and "trace not stored" in t.stabilogram_alt for t in chart.trials)


def test_a_trial_without_a_stored_trace_still_shows(world: World) -> None:
    signed_in(world.app, world.seeded.therapist_a)
    store = care.open_store(world.seeded.url, actor="test")
    try:
        with store.factory.begin() as db:  # as a trial recorded before migration 0004
            db.execute(
                text("DELETE FROM balance_trial_trace WHERE trial_id = :t"),
                {"t": world.four[0]},
            )
    finally:
        store.close()
    page = world.client.get(f"/patients/{world.seeded.quiet}")
    assert page.status_code == 200
    block = page.text[page.text.index(f'id="trial-{world.four[0]}"') :]
    block = block[: block.index("</article>")]
    assert "trace not stored" in block and "95 % ellipse area" in block
    for src in _images(block):
        answer = world.client.get(src)
        assert answer.status_code == 200 and answer.content.startswith(b"<?xml"), src


def test_figures_are_refused_to_another_clinic_and_audited_when_shown(world: World) -> None:
    seeded, client = world.seeded, world.client
    trial_url = f"/patients/{seeded.flagged}/trials/{world.uploaded}/figure.svg?kind=stabilogram"
    visit_url = (
        f"/patients/{seeded.quiet}/sessions/{_session_of(world)}/balance.svg?kind=norms"
        "&metric=mean_velocity_m_s"
    )
    signed_in(world.app, seeded.therapist_b)
    before = len(audit_reads(seeded))
    for url in (trial_url, visit_url, f"/patients/P-9999/trials/{world.uploaded}/figure.svg"):
        assert client.get(url).status_code == 403, url
    assert len(audit_reads(seeded)) == before  # a refusal writes nothing
    signed_in(world.app, seeded.therapist_a)
    # Another patient's trial or visit, and unknown ones, are not found, and not audited.
    for url in (
        f"/patients/{seeded.flagged}/trials/{world.four[1]}/figure.svg",
        f"/patients/{seeded.flagged}/trials/T-9999/figure.svg",
        f"/patients/{seeded.flagged}/sessions/{_session_of(world)}/balance.svg",
    ):
        assert client.get(url).status_code == 404, url
    assert len(audit_reads(seeded)) == before
    assert client.get(trial_url.replace("stabilogram", "spectrum")).status_code == 422
    assert client.get(trial_url).status_code == 200
    assert client.get(visit_url).status_code == 200
    events = audit_reads(seeded)[before:]
    assert events == [
        (seeded.therapist_a.id, "patient", seeded.flagged, "balance_trial"),
        (seeded.therapist_a.id, "patient", seeded.quiet, "session"),
        (seeded.therapist_a.id, "patient", seeded.quiet, "balance_trial"),
        (seeded.therapist_a.id, "patient", seeded.quiet, "patient"),
    ]


def _session_of(world: World) -> str:
    store = care.open_store(world.seeded.url, actor="test")
    try:
        overview = care.patient_overview(store, world.seeded.quiet, today=world.seeded.today)
    finally:
        store.close()
    return next(s.id for s in overview.sessions if s.trial_ids)


def test_a_pages_figures_requested_together_all_answer(world: World) -> None:
    # A browser asks for a chart's figures at once; each request reads (the access check), then
    # writes (the audit event). On SQLite that must queue, never fail with "database is locked".
    from concurrent.futures import ThreadPoolExecutor

    from reeducate.web.balance_chart import TrialFigureKind, trial_figure_svg

    store = care.open_store(world.seeded.url, actor=world.seeded.therapist_a.id)
    try:

        def draw(job: tuple[str, TrialFigureKind]) -> bytes:
            trial_id, kind = job
            user, code = world.seeded.therapist_a, world.seeded.quiet
            return trial_figure_svg(store, user, code, trial_id, kind=kind, scale_mm=None)

        kinds: tuple[TrialFigureKind, ...] = ("statokinesigram", "stabilogram")
        jobs = [(t, k) for t in world.four for k in kinds] * 3
        with ThreadPoolExecutor(max_workers=8) as pool:
            answers = list(pool.map(draw, jobs))
    finally:
        store.close()
    assert all(a.startswith(b"<?xml") for a in answers)
