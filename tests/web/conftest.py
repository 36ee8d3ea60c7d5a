"""Fixtures for the pages: the application with the real web assets (``scripts/web-assets.sh``).

Without the assets these tests skip locally, and fail in CI (``CI`` set), where the install step
must have run.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from reeducate.api import create_app, load_settings
from reeducate.web.assets import InstalledAssets, WebAssetsMissingError, check_assets
from reeducate.web.settings import Settings


@pytest.fixture(scope="session")
def installed_assets() -> InstalledAssets:
    try:
        return check_assets()
    except WebAssetsMissingError as exc:
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but the web assets are missing: {exc}")
        pytest.skip(str(exc))


@pytest.fixture(scope="session")
def web_settings(
    tmp_path_factory: pytest.TempPathFactory, installed_assets: InstalledAssets
) -> Settings:
    database = tmp_path_factory.mktemp("web-db") / "reeducate.sqlite3"
    return load_settings(environ={"REEDUCATE_DATABASE_URL": f"sqlite:///{database}"})


@pytest.fixture(scope="session")
def site(web_settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(web_settings), raise_server_exceptions=False) as client:
        yield client
