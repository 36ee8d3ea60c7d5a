"""Benchmark: the therapist's chart of a patient with six balance trials, in-process.

Seeds a temporary SQLite clinic with one patient (75 years old) holding a plan, a prescription,
three outcome scores and two clinic visits with balance recordings from the bundled data set
(two trials, then four: eyes open/closed x firm/foam), six trials in all. Then, through the
application (``create_app``, a signed-in therapist by dependency override, Starlette's test
client: no network), it times

* ``GET /patients/{code}``, the chart, ``--repeat`` times after one warm-up;
* every image the chart links to by address (``<img src="/...">``), first request (cold: the
  figure is rendered) and the following ones (warm), if the chart has such images.

It prints p50/p95/p99 in milliseconds and the chart's size. Sequential requests: this measures
the server's work per request, not concurrency (``bench_web.py`` does that).

Usage::

    .venv/bin/python benchmarks/bench_chart.py --repeat 60
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
import typing
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import numpy as np
from fastapi.testclient import TestClient

from reeducate.api import create_app, load_settings
from reeducate.services import accounts, care
from reeducate.services.library import score_measure
from reeducate.web.deps import TherapistUser

DEMO = Path(care.__file__).parents[1] / "data" / "demo"
FAST = accounts.SecuritySettings(argon2_time_cost=1, argon2_memory_kib=1024, argon2_parallelism=1)
#: Two visits: firm EO/EC, then the four mCTSIB conditions.
VISITS = (
    (("BDS00161.txt.gz", "eo-firm"), ("BDS00158.txt.gz", "ec-firm")),
    (
        ("BDS00160.txt.gz", "eo-firm"),
        ("BDS00157.txt.gz", "ec-firm"),
        ("BDS00166.txt.gz", "eo-foam"),
        ("BDS00163.txt.gz", "ec-foam"),
    ),
)
IMG_SRC = re.compile(r'<img src="(/patients/[^"]+)"')


def seed(folder: Path) -> tuple[str, accounts.UserAccount, str]:
    """The database URL, a therapist and the patient's code."""
    url = f"sqlite:///{folder / 'bench.sqlite3'}"
    today = datetime.now(UTC).date()
    store = care.open_store(url, actor="setup")
    try:
        admin = accounts.bootstrap_administrator(
            store, login="admin", password="a long admin passphrase", settings=FAST
        )
        therapist = accounts.create_user(
            store, admin, login="pt.bench", password="a long therapist passphrase",
            role="therapist", clinic_id="CL-0001", settings=FAST,
        )  # fmt: skip
        code = care.add_patient(store, name="Bench Patient", date_of_birth=date(1950, 6, 1))
        start = today - timedelta(days=30)
        care.open_episode(
            store, patient_code=code, start_date=start, diagnoses=["R26.81"],
            impairments=["balance"],
        )  # fmt: skip
        care.create_plan(
            store, patient_code=code, start_date=start, frequency_per_week=2,
            duration_weeks=8, certification_date=start,
            recertification_due_date=today + timedelta(days=40),
            goal=care.GoalSpec(description="Walk to the shop safely", measure="tug",
                               baseline_value=16.0, target_value=11.0,
                               target_date=today + timedelta(days=30)),
        )  # fmt: skip
        care.prescribe(store, patient_code=code, variant_id="bal-sls-firm-eo", start_date=start)
        for days_ago, files in zip((14, 2), VISITS, strict=True):
            care.log_session(
                store,
                care.SessionLog(
                    patient_code=code,
                    session_date=today - timedelta(days=days_ago),
                    exercises=(
                        care.ExerciseLog(variant_id="bal-sls-firm-eo", hold_done_s=(30.0, 30.0)),
                    ),
                    minutes_by_code={"97112": 25},
                    trials=tuple(
                        care.TrialLog(path=DEMO / name, condition=condition)
                        for name, condition in files
                    ),
                ),
            )
        for days_ago, seconds in ((25, 16.0), (12, 14.0), (2, 12.5)):
            care.store_score(
                store, score_measure("tug", value=seconds), patient_code=code,
                scored_on=today - timedelta(days=days_ago),
            )  # fmt: skip
    finally:
        store.close()
    return url, therapist, code


def _percentiles(times_s: list[float]) -> str:
    ms = np.asarray(times_s) * 1e3
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return f"p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  p99 {p99:7.1f} ms  (n={len(ms)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=60)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url, therapist, code = seed(Path(folder))
        app = create_app(load_settings(environ={"REEDUCATE_DATABASE_URL": url}))
        app.dependency_overrides[typing.get_args(TherapistUser)[1].dependency] = lambda: therapist
        with TestClient(app) as client:
            t0 = time.perf_counter()
            first = client.get(f"/patients/{code}")
            first_s = time.perf_counter() - t0
            assert first.status_code == 200, first.status_code
            print(f"chart GET, first view          {first_s * 1e3:7.1f} ms")
            times = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                response = client.get(f"/patients/{code}")
                times.append(time.perf_counter() - t0)
                assert response.status_code == 200
            print(f"chart GET /patients/{{code}}   {_percentiles(times)}")
            print(f"chart size {len(response.content) / 1024:.0f} KiB")
            images = IMG_SRC.findall(response.text)
            if not images:
                print("the chart links no image by address (figures inline, if any)")
                return
            cold, warm = [], []
            for src in dict.fromkeys(images):
                t0 = time.perf_counter()
                got = client.get(src.replace("&amp;", "&"))
                cold.append(time.perf_counter() - t0)
                assert got.status_code == 200, (src, got.status_code)
            for _ in range(max(1, args.repeat // len(cold))):
                for src in dict.fromkeys(images):
                    t0 = time.perf_counter()
                    client.get(src.replace("&amp;", "&"))
                    warm.append(time.perf_counter() - t0)
            print(f"{len(cold)} figure images, cold  {_percentiles(cold)}")
            print(f"{len(cold)} figure images, warm  {_percentiles(warm)}")
            print(f"last figure {len(got.content) / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
