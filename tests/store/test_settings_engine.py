"""Where the database is, and how connections are set up."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from reeducate.errors import InvalidParameterError
from reeducate.store.engine import create_engine_for, session_factory, transaction
from reeducate.store.settings import DATABASE_URL_ENV, database_url, default_database_path


def test_url_from_the_environment_uses_psycopg3() -> None:
    assert database_url({DATABASE_URL_ENV: "postgresql://u:p@db:5432/clinic"}) == (
        "postgresql+psycopg://u:p@db:5432/clinic"
    )
    assert database_url({DATABASE_URL_ENV: "postgresql+psycopg://u@db/c"}) == (
        "postgresql+psycopg://u@db/c"
    )
    assert database_url({DATABASE_URL_ENV: "sqlite:////srv/r.db"}) == "sqlite+pysqlite:////srv/r.db"


@pytest.mark.parametrize("bad", ["mysql://u@h/db", "just-a-path.sqlite3", "postgresql://"])
def test_unsupported_or_malformed_url_is_refused(bad: str) -> None:
    with pytest.raises(InvalidParameterError, match=f"^{DATABASE_URL_ENV} must"):
        database_url({DATABASE_URL_ENV: bad})


def test_default_is_a_sqlite_file_in_the_user_data_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    expected = tmp_path / "data" / "reeducate" / "reeducate.sqlite3"
    assert default_database_path() == expected
    assert database_url({}) == f"sqlite+pysqlite:///{expected}"
    assert database_url({DATABASE_URL_ENV: "  "}) == f"sqlite+pysqlite:///{expected}"
    monkeypatch.delenv(DATABASE_URL_ENV, raising=False)
    engine = create_engine_for()  # creates the directory, and the file on first connection
    try:
        with transaction(session_factory(engine)) as db:
            assert db.execute(text("PRAGMA journal_mode")).scalar_one() == "wal"
            assert db.execute(text("PRAGMA foreign_keys")).scalar_one() == 1
    finally:
        engine.dispose()
    assert expected.is_file()


def test_transaction_rolls_back_everything_when_the_block_raises(tmp_path: Path) -> None:
    engine = create_engine_for(f"sqlite:///{tmp_path / 't.sqlite3'}")
    factory = session_factory(engine)
    try:
        with transaction(factory) as db:
            db.execute(text("CREATE TABLE t (x INTEGER)"))
        with pytest.raises(RuntimeError), transaction(factory) as db:
            db.execute(text("INSERT INTO t VALUES (1)"))
            db.execute(text("INSERT INTO t VALUES (2)"))
            raise RuntimeError("interrupted")
        with transaction(factory) as db:
            assert db.execute(text("SELECT count(*) FROM t")).scalar_one() == 0
    finally:
        engine.dispose()
