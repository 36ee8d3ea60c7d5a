"""Fixtures of the CLI tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh SQLite file as the commands' database, acting as ``pt-jones``, 80 columns wide."""
    path = tmp_path / "clinic.sqlite3"
    monkeypatch.setenv("REEDUCATE_DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("REEDUCATE_ACTOR", "pt-jones")
    monkeypatch.setenv("COLUMNS", "80")
    yield path
