"""What the HTTP tests of the pages share: fast password hashing, one password, the CSRF field
of a page, and an application with two clinics, an administrator and a therapist in each."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from reeducate.api import create_app, load_settings
from reeducate.services.accounts import (
    SecuritySettings,
    bootstrap_administrator,
    create_clinic,
    create_user,
)
from reeducate.services.care import CareStore
from reeducate.store.repositories import UserAccount

#: argon2 at its cheapest: the tests sign in often (the product's settings are tested apart).
FAST = SecuritySettings(argon2_time_cost=1, argon2_memory_kib=1024, argon2_parallelism=1)
PASSWORD = "correct horse battery"


def csrf_token(html: str) -> str:
    """The value of the page's CSRF field."""
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


@dataclass(frozen=True)
class World:
    """The application on its own SQLite file, signed-out client, and its accounts."""

    app: FastAPI
    client: TestClient
    store: CareStore
    admin: UserAccount  # login "admin"
    clinic_b: str
    therapist_a: UserAccount  # login "ther.a", clinic A (CL-0001)
    therapist_b: UserAccount  # login "ther.b", clinic B


@contextmanager
def two_clinic_world(folder: Path) -> Iterator[World]:
    """The application on ``folder/db.sqlite3`` with clinic B beside the default clinic A, an
    administrator and a therapist in each clinic, every password :data:`PASSWORD`."""
    settings = load_settings(
        environ={"REEDUCATE_DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}"},
        cookie_secure=False,
    )
    app = create_app(settings)
    app.state.context.security = FAST
    with TestClient(app, raise_server_exceptions=False) as client:
        store = app.state.context.store
        admin = bootstrap_administrator(store, login="admin", password=PASSWORD, settings=FAST)
        clinic_b = create_clinic(store, admin, name="Clinic B").id
        therapists = [
            create_user(
                store,
                admin,
                login=login,
                password=PASSWORD,
                role="therapist",
                clinic_id=clinic,
                settings=FAST,
            )
            for login, clinic in (("ther.a", "CL-0001"), ("ther.b", clinic_b))
        ]
        yield World(app, client, store, admin, clinic_b, *therapists)
