"""Concurrent visits on one SQLite file: therapists logging sessions while others open the
chart, from many threads at once (as under the web server's thread pool), never fail and lose
nothing.

Before writers began ``BEGIN IMMEDIATE``, this failed with ``sqlite3.OperationalError:
database is locked``: a chart view (reads, then its audit event) or a session log (reads, then
the session) that read before another writer committed could not write after it.
"""

from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

from tests.web.test_therapist import seed

from reeducate.services import care
from reeducate.store.engine import transaction
from reeducate.store.repositories import Repositories
from reeducate.web.therapist import patient_chart

WRITERS = 6
READERS = 6
SESSIONS_PER_WRITER = 4  # days 4 to 27 back: inside the seeded episode
CHARTS_PER_READER = 8


def test_concurrent_session_logs_and_chart_views_never_fail(tmp_path: Path) -> None:
    seeded = seed(tmp_path)
    store = care.open_store(seeded.url, actor="U-0002")
    errors: list[BaseException] = []
    start = threading.Barrier(WRITERS + READERS)
    with transaction(store.factory, read_only=True) as session:
        before = Repositories(session, actor="test").sessions.count(seeded.flagged)

    def writer(k: int) -> None:
        try:
            start.wait(timeout=30)
            for n in range(SESSIONS_PER_WRITER):
                # Distinct days (the duplicate-session rule): writer k takes every k-th day.
                day = seeded.today - timedelta(days=4 + n * WRITERS + k)
                care.log_session(
                    store,
                    care.SessionLog(
                        patient_code=seeded.flagged,
                        session_date=day,
                        setting="home",
                        exercises=(
                            care.ExerciseLog(
                                variant_id="bal-sls-firm-eo",
                                hold_done_s=(30.0, 30.0, 30.0),
                                hold_target_s=30.0,
                            ),
                        ),
                    ),
                )
        except BaseException as exc:  # collected: the test fails on any
            errors.append(exc)

    def reader() -> None:
        try:
            start.wait(timeout=30)
            for _ in range(CHARTS_PER_READER):
                chart = patient_chart(store, seeded.therapist_a, seeded.flagged, today=seeded.today)
                assert chart.sessions
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(WRITERS)]
    threads += [threading.Thread(target=reader) for _ in range(READERS)]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads)
        assert errors == []
        with transaction(store.factory, read_only=True) as session:
            repos = Repositories(session, actor="test")
            stored = repos.sessions.for_patient(seeded.flagged)
            views = repos.audit.events(entity="patient", entity_id=seeded.flagged)
        # Every session stored, once, with distinct ids; every chart view audited.
        assert len(stored) == before + WRITERS * SESSIONS_PER_WRITER
        assert len({s.id for s in stored}) == len(stored)
        reads = [e for e in views if e.action.value == "read"]
        assert len(reads) == READERS * CHARTS_PER_READER
    finally:
        store.close()
