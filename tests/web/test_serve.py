"""``reeducate serve``: refuses to start without the assets; serves pages and API under uvicorn,
logging requests without their query strings."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from reeducate.cli.app import main
from reeducate.cli.exit_codes import ExitCode
from reeducate.web.assets import InstalledAssets


def test_serve_without_assets_exits_with_one_line_naming_the_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("REEDUCATE_ASSETS_DIR", str(tmp_path / "none"))
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--database-url", f"sqlite:///{tmp_path / 'db.sqlite3'}"])
    _, err = capsys.readouterr()
    assert exited.value.code == ExitCode.NOT_FOUND
    assert len(err.strip().splitlines()) == 1
    assert "web assets missing" in err and "scripts/web-assets.sh" in err


def test_serve_rejects_a_bad_port(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["serve", "--port", "70000"])
    assert exited.value.code == ExitCode.USAGE
    assert "--port" in capsys.readouterr().err


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return int(response.status), response.read()
    except urllib.error.HTTPError as error:
        return int(error.code), error.read()


@pytest.mark.slow
def test_serve_runs_the_application_under_uvicorn(
    tmp_path: Path, installed_assets: InstalledAssets
) -> None:
    port = _free_port()
    database = tmp_path / "served.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("REEDUCATE_")}
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "reeducate",
            "serve",
            "--port",
            str(port),
            "--database-url",
            f"sqlite:///{database}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                status, body = _get(base + "/api/v1/health")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        assert status == 200 and b'"schema_up_to_date":true' in body
        status, body = _get(base + "/library?q=Jane+Doe")
        assert status == 200 and b"Exercise library" in body
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=30)
    assert process.returncode == 0, err
    assert database.exists()
    assert "GET /api/v1/health 200" in err and "GET /library 200" in err
    assert "Jane" not in err and "server: uvicorn" not in err.lower()


def test_gc_freeze_holds_while_the_application_runs_and_ends_with_it(
    tmp_path: Path, installed_assets: InstalledAssets
) -> None:
    import gc

    from fastapi.testclient import TestClient

    from reeducate.api import create_app, load_settings

    settings = load_settings(
        environ={"REEDUCATE_DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"},
        gc_freeze=True,
    )
    assert gc.get_freeze_count() == 0
    with TestClient(create_app(settings)) as client:
        assert client.get("/api/v1/health").status_code == 200
        assert gc.get_freeze_count() > 10_000  # the modules and the library, at least
    assert gc.get_freeze_count() == 0


def test_gc_freeze_is_off_unless_asked_for_and_reads_its_variable() -> None:
    from reeducate.api import load_settings

    assert load_settings(environ={}).gc_freeze is False
    assert load_settings(environ={"REEDUCATE_GC_FREEZE": "true"}).gc_freeze is True


@pytest.mark.slow
def test_serve_with_two_workers_shares_one_sign_in_across_processes(
    tmp_path: Path, installed_assets: InstalledAssets
) -> None:
    """Two processes on one port: a session signed by one worker is valid in the other (one
    secret key), and both serve the migrated database."""
    import http.cookiejar
    import re

    port = _free_port()
    database = tmp_path / "served.sqlite3"
    env = {k: v for k, v in os.environ.items() if not k.startswith("REEDUCATE_")}
    env["REEDUCATE_COOKIE_SECURE"] = "false"
    process = subprocess.Popen(
        [sys.executable, "-m", "reeducate", "serve", "--port", str(port), "--workers", "2",
         "--demo", "--database-url", f"sqlite:///{database}"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                status, _ = _get(base + "/api/v1/health")
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert status == 200
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        page = opener.open(base + "/signin", timeout=10).read().decode()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert token
        form = urllib.parse.urlencode(
            {"login": "pt.rivera", "password": "demo-therapist-password",
             "csrf_token": token.group(1)}
        ).encode()  # fmt: skip
        opener.open(base + "/signin", data=form, timeout=30)
        # Many requests on fresh connections: both workers answer, all signed in.
        for _ in range(20):
            with opener.open(base + "/patients", timeout=30) as answer:
                assert answer.status == 200 and answer.url.endswith("/patients")
    finally:
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "2 worker processes" in err
    pids = set(re.findall(r"Started server process \[(\d+)\]", err))
    assert len(pids) == 2, err
