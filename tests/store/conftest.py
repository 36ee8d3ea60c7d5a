"""Database fixtures: every store test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``REEDUCATE_TEST_POSTGRES_URL`` (a server URL; each test run creates and
drops its own databases on it) or, when that is not set, from a throwaway server that
``scripts/postgres.sh`` starts for the test session (Debian's postgresql package, installed if
missing; ``initdb`` in a temporary directory; a free port on 127.0.0.1) and stops at the end.
In CI (``CI`` set) a PostgreSQL that cannot be had is an error; locally those tests skip with the
reason.

Fixtures
--------
backend
    ``"sqlite"`` or ``"postgresql"`` (session scope, parametrised).
engine
    An engine on a database migrated to head, shared by the session's tests of that backend.
db
    A database session inside a transaction that is rolled back after the test: what the code
    under test commits is only a savepoint (``join_transaction_mode="create_savepoint"``).
new_database
    A factory of fresh, empty databases (engines) of the current backend, dropped afterwards.
new_store
    A care store on a fresh database migrated to head (``pt-test``, a fixed clock).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import psycopg
import pytest
from psycopg import sql
from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from reeducate.clinic.care import EpisodeOfCare, Impairment, Patient, TreatmentSession
from reeducate.clinic.progression import (
    PerceivedDifficulty,
    SessionRecord,
    SetRecord,
    Setting,
)
from reeducate.services.care import CareStore
from reeducate.store.engine import create_engine_for, session_factory
from reeducate.store.migrate import upgrade
from reeducate.store.repositories import Repositories

REPO_ROOT = Path(__file__).resolve().parents[2]
POSTGRES_SCRIPT = REPO_ROOT / "scripts" / "postgres.sh"
POSTGRES_URL_ENV = "REEDUCATE_TEST_POSTGRES_URL"

NOW = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)


def clock() -> datetime:
    """A fixed clock for audit times."""
    return NOW


@pytest.fixture(scope="session")
def postgres_server_url() -> Iterator[str]:
    """URL of a PostgreSQL server (its maintenance database) that tests may create DBs on."""
    configured = os.environ.get(POSTGRES_URL_ENV, "").strip()
    if configured:
        yield configured
        return
    directory = Path(tempfile.gettempdir()) / f"reeducate-pg-{uuid.uuid4().hex[:12]}"
    try:
        started = subprocess.run(
            ["bash", str(POSTGRES_SCRIPT), "start", str(directory)],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        _unavailable(f"scripts/postgres.sh could not run: {error}")
    if started.returncode != 0:
        subprocess.run(["bash", str(POSTGRES_SCRIPT), "stop", str(directory)], check=False)
        _unavailable(
            f"scripts/postgres.sh start failed ({started.returncode}): {started.stderr.strip()}"
        )
    try:
        yield started.stdout.strip().splitlines()[-1]
    finally:
        subprocess.run(
            ["bash", str(POSTGRES_SCRIPT), "stop", str(directory)], check=False, timeout=60
        )


def _unavailable(reason: str) -> None:
    message = f"PostgreSQL unavailable: {reason} (set {POSTGRES_URL_ENV} to use a server)"
    if os.environ.get("CI"):
        pytest.fail(f"{message}; CI must run the PostgreSQL tests", pytrace=False)
    pytest.skip(message)


def _psycopg_url(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class _Databases:
    """Creates fresh databases of one backend and drops them at the end."""

    def __init__(self, backend: str, workdir: Path, server_url: str | None) -> None:
        self.backend = backend
        self.workdir = workdir
        self.server_url = server_url
        self.engines: list[Engine] = []
        self.names: list[str] = []

    def new(self) -> Engine:
        name = f"reeducate_test_{uuid.uuid4().hex[:12]}"
        if self.backend == "sqlite":
            engine = create_engine_for(f"sqlite:///{self.workdir / name}.sqlite3")
        else:
            assert self.server_url is not None
            with psycopg.connect(_psycopg_url(self.server_url), autocommit=True) as admin:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            self.names.append(name)
            url = make_url(self.server_url).set(drivername="postgresql+psycopg", database=name)
            engine = create_engine_for(url)
        self.engines.append(engine)
        return engine

    def close(self) -> None:
        for engine in self.engines:
            engine.dispose()
        if self.names and self.server_url is not None:
            with psycopg.connect(_psycopg_url(self.server_url), autocommit=True) as admin:
                for name in self.names:
                    admin.execute(
                        sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                            sql.Identifier(name)
                        )
                    )


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """The database backend under test."""
    return str(request.param)


@pytest.fixture(scope="session")
def _databases(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[_Databases]:
    server_url = request.getfixturevalue("postgres_server_url") if backend == "postgresql" else None
    databases = _Databases(backend, tmp_path_factory.mktemp(f"db-{backend}"), server_url)
    try:
        yield databases
    finally:
        databases.close()


@pytest.fixture(scope="session")
def engine(_databases: _Databases) -> Engine:
    """An engine on a database of the backend, migrated to head."""
    engine = _databases.new()
    upgrade(engine)
    return engine


@pytest.fixture
def new_database(_databases: _Databases) -> Callable[[], Engine]:
    """Make a fresh, empty database of the backend (dropped at the end of the session)."""
    return _databases.new


@pytest.fixture
def new_store(new_database: Callable[[], Engine]) -> CareStore:
    """A care store (the services' handle) on a fresh database migrated to head, acting as
    ``pt-test`` at 2025-04-01 09:00 UTC, for use cases that commit."""
    engine = new_database()
    upgrade(engine)
    return CareStore(
        factory=session_factory(engine),
        actor="pt-test",
        clock=lambda: datetime(2025, 4, 1, 9, tzinfo=UTC),
    )


@pytest.fixture
def db(engine: Engine) -> Iterator[Session]:
    """A session whose work is rolled back after the test, whatever it committed."""
    connection = engine.connect()
    outer = connection.begin()
    session = Session(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def repos(db: Session) -> Repositories:
    """All repositories on ``db``, as actor ``pt-test`` with a fixed clock."""
    return Repositories(db, actor="pt-test", clock=clock)


# --------------------------------------------------------------------------------------------
# Records used by several tests
# --------------------------------------------------------------------------------------------

EPISODE_START = date(2025, 3, 3)


def make_episode(patient_code: str = "P-0001", episode_id: str = "E-1") -> EpisodeOfCare:
    return EpisodeOfCare(
        id=episode_id,
        patient_code=patient_code,
        start_date=EPISODE_START,
        diagnoses=("R26.81", "M54.50"),
        impairments={Impairment.BALANCE, Impairment.PROPRIOCEPTION},
    )


def make_session(
    session_id: str = "S-1",
    *,
    patient_code: str = "P-0001",
    episode_id: str = "E-1",
    on: date = date(2025, 3, 5),
    setting: Setting = Setting.CLINIC,
    variants: tuple[str, ...] = ("bal-sls-firm-eo", "bal-sls-foam-eo"),
) -> TreatmentSession:
    """A session with three 30-s holds of each variant (the last one 22.5 s)."""
    return TreatmentSession(
        id=session_id,
        patient_code=patient_code,
        episode_id=episode_id,
        session_date=on,
        setting=setting,
        exercises=tuple(
            SessionRecord(
                variant_id=variant,
                session_date=on,
                setting=setting,
                sets_prescribed=3,
                sets=(
                    SetRecord(hold_target_s=30, hold_done_s=30),
                    SetRecord(hold_target_s=30, hold_done_s=30),
                    SetRecord(hold_target_s=30, hold_done_s=22.5),
                ),
                difficulty=PerceivedDifficulty(scale="balance_1_5", value=3),
                pain_before_nprs=2,
                pain_after_nprs=3,
            )
            for variant in variants
        ),
        cues={variants[0]: ("Soft knee", "Eyes on the target")},
        minutes_by_code={"97112": 24, "97110": 8} if setting is Setting.CLINIC else {},
    )


@pytest.fixture
def seeded(repos: Repositories) -> Repositories:
    """Repositories with patient P-0001 and episode E-1 stored."""
    repos.patients.add(Patient(code="P-0001"))
    repos.episodes.add(make_episode())
    return repos


@pytest.fixture
def episode_record() -> Callable[..., EpisodeOfCare]:
    """:func:`make_episode`."""
    return make_episode


@pytest.fixture
def session_record() -> Callable[..., TreatmentSession]:
    """:func:`make_session`."""
    return make_session
