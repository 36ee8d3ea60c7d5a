"""Engine and session factory, and the unit of work.

SQLite connections get ``PRAGMA foreign_keys = ON`` (SQLite leaves foreign keys unchecked
otherwise), write-ahead logging for file databases (readers do not block the writer) and a busy
timeout. The pysqlite driver's own transaction handling is switched off and SQLAlchemy emits
``BEGIN`` itself, so that transactions and savepoints behave as on PostgreSQL (the recipe of the
SQLAlchemy SQLite dialect documentation, "Serializable isolation / Savepoints / Transactional
DDL").

Every write is one transaction: :func:`transaction` commits when its block ends and rolls
everything back when the block raises, so an interrupted write leaves no partial record.
Repositories flush but never commit.

Examples
--------
>>> from sqlalchemy import text
>>> engine = create_engine_for("sqlite://")
>>> with transaction(session_factory(engine)) as session:
...     session.execute(text("PRAGMA foreign_keys")).scalar_one()
1
>>> engine.dispose()
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from reeducate.store.settings import database_url, normalize_url

__all__ = ["create_engine_for", "session_factory", "transaction"]

_SQLITE_BUSY_TIMEOUT_MS = 5000


def create_engine_for(url: str | URL | None = None, /, *, echo: bool = False) -> Engine:
    """An engine for ``url`` (default: :func:`reeducate.store.settings.database_url`).

    For a SQLite file, the parent directory is created if missing.
    """
    if isinstance(url, URL):
        parsed = url
    else:
        parsed = make_url(database_url() if url is None else normalize_url(url))
    kwargs: dict[str, Any] = {"echo": echo}
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(parsed, **kwargs)
        _configure_sqlite(engine, in_memory=not parsed.database or parsed.database == ":memory:")
        return engine
    return create_engine(parsed, pool_pre_ping=True, **kwargs)


def _configure_sqlite(engine: Engine, *, in_memory: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # No implicit transactions from the driver: SQLAlchemy emits BEGIN (below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.execute(f"PRAGMA busy_timeout = {_SQLITE_BUSY_TIMEOUT_MS}")
            if not in_memory:
                cursor.execute("PRAGMA journal_mode = WAL")
                cursor.execute("PRAGMA synchronous = NORMAL")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


def session_factory(engine: Engine, /) -> sessionmaker[Session]:
    """A session factory bound to ``engine`` (objects stay readable after commit)."""
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)


@contextmanager
def transaction(factory: sessionmaker[Session], /) -> Iterator[Session]:
    """One unit of work: commit at the end of the block, roll back everything if it raises.

    Examples
    --------
    >>> from sqlalchemy import text
    >>> engine = create_engine_for("sqlite://")
    >>> with transaction(session_factory(engine)) as session:
    ...     session.execute(text("SELECT 1")).scalar_one()
    1
    """
    with factory.begin() as session:
        yield session
