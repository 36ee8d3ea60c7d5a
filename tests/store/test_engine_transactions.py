"""SQLite transactions: writers begin IMMEDIATE (they queue), readers begin DEFERRED (they never
wait), and a read-only transaction refuses to write.

The first test is the failure the web benchmark met (``database is locked`` under concurrent
visits): a transaction that reads, then writes after another writer committed, fails with
SQLITE_BUSY_SNAPSHOT however long the busy timeout; it is reproduced with a read-only (plain
``BEGIN``) transaction that writes raw SQL, so that the test can fail.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import OperationalError

from reeducate.clinic.care import Patient
from reeducate.errors import InvalidParameterError
from reeducate.store.engine import create_engine_for, session_factory, transaction
from reeducate.store.migrate import upgrade
from reeducate.store.repositories import Repositories


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'tx.sqlite3'}")
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE visit (id INTEGER PRIMARY KEY, seen INTEGER)")
    yield engine
    engine.dispose()


def _begins(engine: Engine) -> list[str]:
    seen: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _capture(_c: Any, _cur: Any, statement: str, *_args: Any) -> None:
        if statement.startswith("BEGIN"):
            seen.append(statement)

    return seen


def test_writers_begin_immediate_and_readers_begin_deferred(engine: Engine) -> None:
    begins = _begins(engine)
    factory = session_factory(engine)
    with transaction(factory) as session:
        session.execute(text("SELECT 1"))
    with transaction(factory, read_only=True) as session:
        session.execute(text("SELECT 1"))
    with engine.begin() as connection:  # no option: treated as a writer
        connection.exec_driver_sql("SELECT 1")
    assert begins == ["BEGIN IMMEDIATE", "BEGIN", "BEGIN IMMEDIATE"]


def _read_then_write(
    engine: Engine, *, read_only: bool, first_holds: threading.Event, first_done: threading.Event
) -> int:
    """Read the count, wait until the other writer committed, write; the count read."""
    with transaction(session_factory(engine), read_only=read_only) as session:
        seen = int(session.execute(text("SELECT count(*) FROM visit")).scalar_one())
        assert first_done.wait(timeout=10)
        session.execute(text("INSERT INTO visit (seen) VALUES (:seen)"), {"seen": seen})
    return seen


def _first_writer(
    engine: Engine, first_holds: threading.Event, first_done: threading.Event
) -> None:
    with transaction(session_factory(engine)) as session:
        session.execute(text("SELECT count(*) FROM visit")).scalar_one()
        first_holds.set()
        time.sleep(0.3)  # the second transaction begins meanwhile
        session.execute(text("INSERT INTO visit (seen) VALUES (0)"))
    first_done.set()


def _race(engine: Engine, *, second_read_only: bool) -> tuple[list[BaseException], list[int]]:
    first_holds, first_done = threading.Event(), threading.Event()
    errors: list[BaseException] = []
    counts: list[int] = []

    def guarded(call: Callable[[], Any]) -> Callable[[], None]:
        def run() -> None:
            try:
                result = call()
                if result is not None:
                    counts.append(result)
            except BaseException as exc:  # collected and asserted on
                errors.append(exc)
                first_done.set()

        return run

    first = threading.Thread(target=guarded(lambda: _first_writer(engine, first_holds, first_done)))
    first.start()
    assert first_holds.wait(timeout=10)
    second = threading.Thread(
        target=guarded(
            lambda: _read_then_write(
                engine, read_only=second_read_only, first_holds=first_holds, first_done=first_done
            )
        )
    )
    second.start()
    first.join(timeout=20)
    second.join(timeout=20)
    return errors, counts


def test_two_writers_that_read_then_write_queue_instead_of_failing(engine: Engine) -> None:
    errors, counts = _race(engine, second_read_only=False)
    assert errors == []
    # The second began only after the first committed: it read the first one's row.
    assert counts == [1]
    with engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT seen FROM visit ORDER BY id").scalars().all() == [
            0,
            1,
        ]


def test_a_deferred_transaction_that_writes_after_another_commit_fails(engine: Engine) -> None:
    # The control: plain BEGIN (what every transaction was before) reads a snapshot, and its
    # write after the other writer's commit is refused at once, busy timeout or not.
    errors, _ = _race(engine, second_read_only=True)
    assert len(errors) == 1 and isinstance(errors[0], OperationalError)
    assert "locked" in str(errors[0]) or "busy" in str(errors[0]).lower()


def test_a_reader_does_not_wait_for_a_writer(engine: Engine) -> None:
    holds, release = threading.Event(), threading.Event()

    def writer() -> None:
        with transaction(session_factory(engine)) as session:
            session.execute(text("INSERT INTO visit (seen) VALUES (7)"))
            holds.set()
            release.wait(timeout=10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert holds.wait(timeout=10)
        t0 = time.perf_counter()
        with transaction(session_factory(engine), read_only=True) as session:
            count = session.execute(text("SELECT count(*) FROM visit")).scalar_one()
        waited_s = time.perf_counter() - t0
    finally:
        release.set()
        thread.join(timeout=10)
    assert count == 0  # the writer has not committed: the reader's snapshot is before it
    assert waited_s < 1.0  # far below the 5 s busy timeout: it never queued


def test_a_read_only_transaction_refuses_to_write(tmp_path: Path) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path / 'ro.sqlite3'}")
    try:
        upgrade(engine)
        factory = session_factory(engine)
        with (
            pytest.raises(InvalidParameterError, match="read_only"),
            transaction(factory, read_only=True) as session,
        ):
            Repositories(session, actor="t").patients.add(Patient(code="P-0001"))
        with transaction(factory, read_only=True) as session:
            assert Repositories(session, actor="t").patients.codes() == []
    finally:
        engine.dispose()
