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

Readers and writers on SQLite
    A transaction that may write starts with ``BEGIN IMMEDIATE``: it takes SQLite's write lock
    at once, so concurrent writers queue on the busy timeout. A plain (deferred) ``BEGIN`` that
    reads first and writes later fails with ``SQLITE_BUSY_SNAPSHOT`` ("database is locked")
    whenever another writer committed in between, and the busy timeout cannot help: its
    snapshot is stale. ``transaction(factory, read_only=True)`` starts with a plain ``BEGIN``
    instead (in write-ahead-log mode readers never block and are never blocked) and refuses
    to flush any change. The choice travels as the connection's execution option
    :data:`READ_ONLY_OPTION`, set before the first statement and read by the ``begin`` event
    listener; a transaction begun without it (migrations, a bare ``engine.begin()``) is
    treated as a writer. PostgreSQL is unaffected (its transactions conflict per row).

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
from typing import Any, Final

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session, sessionmaker

from reeducate.errors import InvalidParameterError
from reeducate.store.settings import database_url, normalize_url

__all__ = ["READ_ONLY_OPTION", "create_engine_for", "session_factory", "transaction"]

#: How long a SQLite writer waits for the write lock before it fails. Writers queue (BEGIN
#: IMMEDIATE): 50 clinicians logging visits at once on a loaded server queue for seconds, and
#: waiting is better than losing the visit.
_SQLITE_BUSY_TIMEOUT_MS = 20_000

#: The connection execution option that marks a read-only transaction (SQLite: plain BEGIN).
READ_ONLY_OPTION: Final = "reeducate_read_only"


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
        # A writer takes the write lock now (writers queue on busy_timeout); a reader reads a
        # snapshot and never waits (see the module docstring).
        read_only = connection.get_execution_options().get(READ_ONLY_OPTION, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def session_factory(engine: Engine, /) -> sessionmaker[Session]:
    """A session factory bound to ``engine`` (objects stay readable after commit); a session of
    a read-only :func:`transaction` refuses to flush a change."""
    factory = sessionmaker(bind=engine, expire_on_commit=False, autoflush=True)
    event.listen(factory, "before_flush", _refuse_writes_when_read_only)
    return factory


def _refuse_writes_when_read_only(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get(READ_ONLY_OPTION) and (session.new or session.dirty or session.deleted):
        raise InvalidParameterError(
            "transaction(read_only=True) must not write; got a change to flush (open the "
            "transaction without read_only)"
        )


@contextmanager
def transaction(factory: sessionmaker[Session], /, *, read_only: bool = False) -> Iterator[Session]:
    """One unit of work: commit at the end of the block, roll back everything if it raises.

    Parameters
    ----------
    factory : sessionmaker
        From :func:`session_factory`.
    read_only : bool
        The block only reads: on SQLite it starts with a plain ``BEGIN`` (a snapshot; it never
        waits for a writer) rather than ``BEGIN IMMEDIATE``, and a change to flush raises
        :class:`~reeducate.errors.InvalidParameterError` (with a factory of
        :func:`session_factory`).

    Examples
    --------
    >>> from sqlalchemy import text
    >>> engine = create_engine_for("sqlite://")
    >>> with transaction(session_factory(engine), read_only=True) as session:
    ...     session.execute(text("SELECT 1")).scalar_one()
    1
    """
    with factory.begin() as session:
        if read_only:
            session.info[READ_ONLY_OPTION] = True
        # Before the first statement: the "begin" listener reads the option.
        session.connection(execution_options={READ_ONLY_OPTION: read_only})
        yield session
