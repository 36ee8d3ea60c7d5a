"""Settings from REEDUCATE_* variables, and what create_app does and refuses."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from reeducate.api import create_app, load_settings
from reeducate.errors import InvalidParameterError
from reeducate.web.assets import WebAssetsMissingError
from reeducate.web.settings import Settings


def test_settings_come_from_reeducate_variables(tmp_path: Path) -> None:
    settings = load_settings(
        environ={
            "REEDUCATE_DATABASE_URL": "postgresql://clinic@db.example/reeducate",
            "REEDUCATE_SECRET_KEY": "k" * 40,
            "REEDUCATE_SESSION_LIFETIME_S": "3600",
            "REEDUCATE_COOKIE_SECURE": "false",
            "REEDUCATE_UPLOAD_LIMIT_BYTES": "1048576",
            "REEDUCATE_DEMO": "yes",
            "REEDUCATE_ASSETS_DIR": str(tmp_path),
            "OTHER_SECRET_KEY": "ignored",
        }
    )
    assert settings.resolved_database_url() == "postgresql+psycopg://clinic@db.example/reeducate"
    assert settings.secret_key.get_secret_value() == "k" * 40
    assert (settings.session_lifetime_s, settings.cookie_secure) == (3600, False)
    assert (settings.upload_limit_bytes, settings.demo, settings.assets_dir) == (
        1048576,
        True,
        tmp_path,
    )
    # The secret never shows in a representation.
    assert "k" * 40 not in repr(settings)


def test_defaults_and_overrides() -> None:
    settings = load_settings(environ={}, database_url="sqlite:///x.db", demo=None)
    assert settings.database_url == "sqlite+pysqlite:///x.db"
    assert settings.cookie_secure is True and settings.demo is False
    assert settings.session_lifetime_s == 8 * 3600
    # A random key per process when none is set, long enough to sign cookies.
    other = load_settings(environ={})
    assert len(settings.secret_key.get_secret_value()) >= 32
    assert settings.secret_key != other.secret_key
    assert load_settings(environ={}).resolved_database_url().startswith("sqlite+pysqlite:///")
    with pytest.raises(TypeError, match="databse_url"):
        load_settings(environ={}, databse_url="sqlite://")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("SESSION_LIFETIME_S", "0", "REEDUCATE_SESSION_LIFETIME_S must be > 0; got '0'"),
        ("SESSION_LIFETIME_S", "soon", "REEDUCATE_SESSION_LIFETIME_S must be a whole number"),
        ("UPLOAD_LIMIT_BYTES", "-1", "REEDUCATE_UPLOAD_LIMIT_BYTES must be > 0; got '-1'"),
        ("COOKIE_SECURE", "maybe", "REEDUCATE_COOKIE_SECURE must be true or false"),
        ("DATABASE_URL", "mysql://u:pw@h/db", "REEDUCATE_DATABASE_URL must name a postgresql"),
        ("SECRET_KEY", "hunter2", "REEDUCATE_SECRET_KEY must be at least 32 characters"),
    ],
)
def test_a_bad_variable_is_named_with_its_constraint(name: str, value: str, message: str) -> None:
    with pytest.raises(InvalidParameterError) as raised:
        load_settings(environ={f"REEDUCATE_{name}": value})
    assert str(raised.value).startswith(message)
    if name in ("SECRET_KEY", "DATABASE_URL"):
        assert value not in str(raised.value)  # secrets and passwords are never repeated


def test_create_app_refuses_to_start_without_the_assets(tmp_path: Path) -> None:
    settings = Settings(database_url="sqlite://", assets_dir=tmp_path / "node_modules")
    with pytest.raises(WebAssetsMissingError) as raised:
        create_app(settings)
    message = str(raised.value)
    assert "@picocss/pico" in message and "scripts/web-assets.sh" in message


def test_create_app_refuses_assets_of_another_version(stub_assets: Path, tmp_path: Path) -> None:
    import shutil

    copy = Path(shutil.copytree(stub_assets, tmp_path / "node_modules"))
    (copy / "@picocss" / "pico" / "package.json").write_text(json.dumps({"version": "1.0.0"}))
    with pytest.raises(WebAssetsMissingError, match=r"must be version .*got '1\.0\.0'"):
        create_app(Settings(database_url="sqlite://", assets_dir=copy))


def test_the_store_is_opened_and_migrated_when_the_app_starts(
    tmp_path: Path, stub_assets: Path
) -> None:
    database = tmp_path / "new" / "clinic.sqlite3"
    app = create_app(Settings(database_url=f"sqlite:///{database}", assets_dir=stub_assets))
    assert not database.exists()  # create_app opens nothing
    with TestClient(app) as client:
        assert database.exists()
        assert client.get("/api/v1/health").json()["schema_up_to_date"] is True
    assert app.state.context.store is None  # closed when the app stops


def test_importing_the_api_and_web_packages_loads_no_framework() -> None:
    code = (
        "import sys, reeducate.api, reeducate.web; "
        "print([m for m in ('fastapi', 'starlette', 'pydantic', 'sqlalchemy', 'jinja2') "
        "if m in sys.modules])"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"
