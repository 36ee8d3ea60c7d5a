"""Shared test fixtures.

The reference recordings live in ``../shared/data`` beside the repository (or where
``REEDUCATE_SHARED_DATA`` points). Tests that need them are marked ``shared_data`` and skip only
when that folder is absent, as in a user's clone. In CI (``CI`` set) a missing folder is an error,
so the tier can never be skipped silently there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[1]
TEST_DATA = Path(__file__).resolve().parent / "data"


def _shared_data_dir() -> Path:
    env = os.environ.get("REEDUCATE_SHARED_DATA")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "data"


SHARED_DATA = _shared_data_dir()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if SHARED_DATA.is_dir():
        return
    if os.environ.get("CI"):
        raise pytest.UsageError(
            f"CI is set but the reference recordings are missing at {SHARED_DATA}; "
            "the shared_data tier must run in CI"
        )
    skip = pytest.mark.skip(reason=f"reference recordings not found at {SHARED_DATA}")
    for item in items:
        if "shared_data" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path to ``../shared/data`` (tests using it must carry ``@pytest.mark.shared_data``)."""
    return SHARED_DATA


@pytest.fixture(scope="session")
def test_data() -> Path:
    """Path to ``tests/data`` (small fixtures with a PROVENANCE note)."""
    return TEST_DATA
