"""Concurrent session logs on each backend: every one stored, under its own id, none refused
(SQLite: writers queue on BEGIN IMMEDIATE; PostgreSQL: ids are made one transaction at a time).
"""

from __future__ import annotations

import threading
from datetime import date, timedelta

from tests.store.conftest import make_episode

from reeducate.clinic.care import Patient
from reeducate.services import care
from reeducate.store.engine import transaction
from reeducate.store.repositories import Repositories

THREADS = 8
LOGS_PER_THREAD = 4
START = date(2025, 3, 3)


def test_concurrent_session_logs_all_land_with_distinct_ids(new_store: care.CareStore) -> None:
    store = new_store
    with transaction(store.factory) as session:
        repos = Repositories(session, actor="setup")
        for k in range(THREADS):
            repos.patients.add(Patient(code=f"P-{k + 1:04d}"))
            repos.episodes.add(make_episode(f"P-{k + 1:04d}", f"E-{k + 1:04d}"))
    errors: list[BaseException] = []
    barrier = threading.Barrier(THREADS)

    def writer(k: int) -> None:
        try:
            barrier.wait(timeout=30)
            for n in range(LOGS_PER_THREAD):
                care.log_session(
                    store,
                    care.SessionLog(
                        patient_code=f"P-{k + 1:04d}",
                        session_date=START + timedelta(days=n),
                        exercises=(
                            care.ExerciseLog(
                                variant_id="bal-sls-firm-eo",
                                hold_done_s=(30.0,),
                                hold_target_s=30.0,
                            ),
                        ),
                    ),
                )
        except BaseException as exc:  # collected: the test fails on any
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(k,)) for k in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    with transaction(store.factory, read_only=True) as session:
        repos = Repositories(session, actor="test")
        stored = [s for k in range(THREADS) for s in repos.sessions.for_patient(f"P-{k + 1:04d}")]
        revisions = repos.patients.revisions_of([f"P-{k + 1:04d}" for k in range(THREADS)])
    assert len(stored) == THREADS * LOGS_PER_THREAD
    assert len({s.id for s in stored}) == len(stored)
    # Each patient: created (1), episode (1), one per session logged.
    assert set(revisions.values()) == {2 + LOGS_PER_THREAD}
