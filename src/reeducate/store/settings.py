"""Where the database is.

``REEDUCATE_DATABASE_URL`` names it (any SQLAlchemy URL; ``postgresql://`` is read with the
psycopg 3 driver). Without it, reeducate uses one SQLite file in the user's data directory
(``platformdirs.user_data_dir("reeducate")/reeducate.sqlite3``), so one machine needs no server.

Examples
--------
>>> database_url({"REEDUCATE_DATABASE_URL": "postgresql://clinic@db.example/reeducate"})
'postgresql+psycopg://clinic@db.example/reeducate'
>>> database_url({}).startswith("sqlite+pysqlite:///")
True
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Final

import platformdirs

from reeducate.errors import InvalidParameterError

__all__ = ["DATABASE_URL_ENV", "database_url", "default_database_path", "normalize_url"]

#: Environment variable that names the database.
DATABASE_URL_ENV: Final = "REEDUCATE_DATABASE_URL"

_DRIVERS: Final = {
    "postgresql": "postgresql+psycopg",
    "postgres": "postgresql+psycopg",
    "sqlite": "sqlite+pysqlite",
}


def default_database_path() -> Path:
    """The default SQLite file: ``reeducate.sqlite3`` in the user's data directory."""
    return Path(platformdirs.user_data_dir("reeducate", appauthor=False)) / "reeducate.sqlite3"


def normalize_url(url: str, /) -> str:
    """``url`` with the driver reeducate uses made explicit (psycopg 3, pysqlite).

    Raises
    ------
    InvalidParameterError
        If ``url`` is empty or names a database reeducate does not support.
    """
    text = url.strip()
    scheme, sep, rest = text.partition("://")
    if not sep or (not rest and scheme != "sqlite"):
        raise InvalidParameterError(
            f"{DATABASE_URL_ENV} must be a database URL such as postgresql://user@host/db or "
            "sqlite:///path; got a value without '://'"
        )
    backend = scheme.split("+", 1)[0]
    if backend not in ("postgresql", "postgres", "sqlite"):
        raise InvalidParameterError(
            f"{DATABASE_URL_ENV} must name a postgresql or sqlite database; got {backend!r}"
        )
    if "+" in scheme:
        return text
    return f"{_DRIVERS[backend]}://{rest}"


def database_url(environ: Mapping[str, str] | None = None, /) -> str:
    """The database URL: ``REEDUCATE_DATABASE_URL`` if set, else the default SQLite file.

    Parameters
    ----------
    environ : Mapping or None
        Environment to read; ``os.environ`` when None.
    """
    env = os.environ if environ is None else environ
    configured = env.get(DATABASE_URL_ENV, "").strip()
    if configured:
        return normalize_url(configured)
    return f"sqlite+pysqlite:///{default_database_path()}"
