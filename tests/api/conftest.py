"""Fixtures for the JSON API: an application made by ``create_app`` on a temporary SQLite file.

The API does not need the stylesheets, so these tests use a stub asset folder holding the locked
package versions (``create_app`` checks versions and linked files, not their content); the real
assets are tested in ``tests/web``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from reeducate.api import create_app, load_settings
from reeducate.web.assets import ASSETS_PACKAGE_DIR, VENDOR_PACKAGES
from reeducate.web.settings import Settings


def write_stub_assets(folder: Path) -> Path:
    """A ``node_modules`` with every vendor package at its locked version (placeholder files)."""
    lock = json.loads((ASSETS_PACKAGE_DIR / "package-lock.json").read_text(encoding="utf-8"))
    for package in VENDOR_PACKAGES:
        version = lock["packages"][f"node_modules/{package.name}"]["version"]
        root = folder / package.name
        root.mkdir(parents=True, exist_ok=True)
        (root / "package.json").write_text(json.dumps({"version": version}), encoding="utf-8")
        for linked in (*package.stylesheets, *package.scripts):
            (root / linked).parent.mkdir(parents=True, exist_ok=True)
            (root / linked).write_text("/* stub */\n", encoding="utf-8")
    return folder


@pytest.fixture(scope="session")
def stub_assets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_stub_assets(tmp_path_factory.mktemp("assets") / "node_modules")


@pytest.fixture(scope="session")
def api_settings(tmp_path_factory: pytest.TempPathFactory, stub_assets: Path) -> Settings:
    database = tmp_path_factory.mktemp("api-db") / "reeducate.sqlite3"
    return load_settings(
        environ={
            "REEDUCATE_DATABASE_URL": f"sqlite:///{database}",
            "REEDUCATE_ASSETS_DIR": str(stub_assets),
        }
    )


@pytest.fixture(scope="session")
def client(api_settings: Settings) -> Iterator[TestClient]:
    """A client of one application shared by the read-only tests."""
    with TestClient(create_app(api_settings), raise_server_exceptions=False) as test_client:
        yield test_client


def api_of(app: FastAPI) -> FastAPI:
    """The ``/api/v1`` sub-application of ``app``."""
    for route in app.routes:
        if getattr(route, "path", None) == "/api/v1":
            sub: Any = getattr(route, "app", None)
            assert isinstance(sub, FastAPI)
            return sub
    raise AssertionError("no /api/v1 mount")


@pytest.fixture
def make_client(api_settings: Settings) -> Iterator[Callable[..., TestClient]]:
    """A fresh application, with a hook to add routes to it (and its API) before it starts."""
    clients: list[TestClient] = []

    def make(setup: Callable[[FastAPI, FastAPI], None] | None = None) -> TestClient:
        app = create_app(api_settings)
        if setup is not None:
            setup(app, api_of(app))
        test_client = TestClient(app, raise_server_exceptions=False)
        test_client.__enter__()
        clients.append(test_client)
        return test_client

    yield make
    for test_client in clients:
        test_client.__exit__(None, None, None)
