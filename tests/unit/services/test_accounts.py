"""Accounts, sign-in, throttling, sessions and audited reads on SQLite and PostgreSQL (the
fixtures of ``tests/store``), with an injected clock.

Most tests hash with cheap argon2 parameters (1 pass, 1 MiB) to stay quick; one checks the
default parameters themselves.
"""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from reeducate.clinic.care import Patient
from reeducate.errors import DomainRuleError, InvalidParameterError, NotFoundError
from reeducate.services import accounts, care
from reeducate.services.access import (
    Action,
    PermissionDeniedError,
    Resource,
    audited_patient_list,
    audited_read,
    record_read,
    view_audit_log,
)
from reeducate.services.accounts import (
    AuthenticationError,
    LoginThrottledError,
    SecuritySettings,
)
from reeducate.services.care import CareStore
from reeducate.store.models import AuditAction, Base, LoginOutcome, Role
from reeducate.store.repositories import Repositories, UserAccount

# The database fixtures of tests/store (SQLite and a throwaway PostgreSQL), loaded by path:
# the test tree has no packages.
_spec = importlib.util.spec_from_file_location(
    "_store_fixtures", Path(__file__).resolve().parents[2] / "store" / "conftest.py"
)
assert _spec is not None and _spec.loader is not None
_store_fixtures = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_store_fixtures)
backend = _store_fixtures.backend
postgres_server_url = _store_fixtures.postgres_server_url
_databases = _store_fixtures._databases
engine = _store_fixtures.engine

START = datetime(2025, 3, 3, 8, 0, tzinfo=UTC)
FAST = SecuritySettings(argon2_time_cost=1, argon2_memory_kib=1024, argon2_parallelism=1)
PASSWORD = "correct horse battery"
NAME = "Ada Lovelace-Example"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def store(engine: Engine, clock: Clock) -> Iterator[CareStore]:
    """A store whose every commit is a savepoint of a transaction rolled back after the test."""
    connection = engine.connect()
    outer = connection.begin()
    factory: sessionmaker[Session] = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    try:
        yield CareStore(factory=factory, actor="setup", clock=clock)
    finally:
        outer.rollback()
        connection.close()


def rows(store: CareStore) -> dict[str, int]:
    with store.factory() as session:
        return {
            name: session.scalar(select(func.count()).select_from(table)) or 0
            for name, table in Base.metadata.tables.items()
        }


def repos_of(store: CareStore, session: Session) -> Repositories:
    return Repositories(session, actor="test", clock=store.clock)


@pytest.fixture
def clinic(store: CareStore) -> dict[str, Any]:
    """Two clinics: the default CL-0001 (patients P-0001, P-0002, therapist, patient user of
    P-0001) and CL-0002 (patient P-0003, its therapist); an administrator of no clinic."""
    admin = accounts.bootstrap_administrator(
        store, login="admin", password="administrator pass", settings=FAST
    )
    other = accounts.create_clinic(store, admin, name="Riverside Physio")
    therapist = accounts.create_user(
        store, admin, login="PT.Jones", password=PASSWORD, role="therapist",
        clinic_id="CL-0001", settings=FAST,
    )  # fmt: skip
    other_therapist = accounts.create_user(
        store, admin, login="pt.smith", password=PASSWORD, role=Role.THERAPIST,
        clinic_id=other.id, settings=FAST,
    )  # fmt: skip
    assert care.add_patient(store, name=NAME, date_of_birth=date(1950, 6, 1)) == "P-0001"
    assert care.add_patient(store, name="Bo Example", date_of_birth=date(1960, 1, 2)) == "P-0002"
    with store.factory.begin() as session:
        repos_of(store, session).patients.add(Patient(code="P-0003"), clinic_id=other.id)
    patient = accounts.create_user(
        store, therapist, login="ada.l", password=PASSWORD, role=Role.PATIENT,
        patient_code="P-0001", settings=FAST,
    )  # fmt: skip
    return {
        "admin": admin,
        "therapist": therapist,
        "other_therapist": other_therapist,
        "patient": patient,
        "other_clinic": other,
    }


# --------------------------------------------------------------------------------------------
# Passwords
# --------------------------------------------------------------------------------------------


def test_default_hash_is_argon2id_with_the_rfc_9106_parameters() -> None:
    stored = accounts.hash_password(PASSWORD)
    assert stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert accounts.verify_password(stored, PASSWORD)
    assert not accounts.verify_password(stored, PASSWORD + "!")
    assert not accounts.verify_password("not a hash", PASSWORD)
    assert accounts.hash_password(PASSWORD) != stored  # a new salt every time
    assert not accounts.needs_rehash(stored)
    assert accounts.needs_rehash(stored, settings=FAST)


def test_password_rules() -> None:
    assert accounts.check_password("x" * 12, login="pt.jones") == "x" * 12
    with pytest.raises(
        InvalidParameterError, match=r"^password must be at least 12 characters; got 11$"
    ):
        accounts.check_password("x" * 11, login="pt.jones")
    with pytest.raises(InvalidParameterError, match=r"^password must be at most 1024"):
        accounts.check_password("x" * 1025, login="pt.jones")
    with pytest.raises(InvalidParameterError, match=r"^password must not be the login name"):
        accounts.check_password("PT.Jones.Clinic", login="pt.jones.clinic")
    with pytest.raises(InvalidParameterError, match=r"^password must be text"):
        accounts.check_password(None, login="pt.jones")
    strict = SecuritySettings(password_min_length=16)
    with pytest.raises(InvalidParameterError, match="at least 16"):
        accounts.check_password("x" * 15, login="pt.jones", settings=strict)


def test_login_names() -> None:
    assert accounts.normalize_login("  PT.Jones@Clinic-1 ") == "pt.jones@clinic-1"
    for bad in ("ab", "-leading", "with space", "x" * 65, "émile"):
        with pytest.raises(InvalidParameterError, match=r"^login must be 3–64 characters") as err:
            accounts.normalize_login(bad)
        assert bad not in str(err.value)  # a login name may be a person's name


def test_settings_are_checked() -> None:
    with pytest.raises(InvalidParameterError, match=r"^login_failures_per_login must be"):
        SecuritySettings(login_failures_per_login=0)
    with pytest.raises(InvalidParameterError, match=r"^argon2_memory_kib must be >= 8"):
        SecuritySettings(argon2_memory_kib=16, argon2_parallelism=4)
    with pytest.raises(InvalidParameterError, match=r"^session_idle_min must be > 0"):
        SecuritySettings(session_idle_min=0)


# --------------------------------------------------------------------------------------------
# Clinics and users
# --------------------------------------------------------------------------------------------


def test_bootstrap_makes_only_the_first_administrator(store: CareStore) -> None:
    admin = accounts.bootstrap_administrator(
        store, login="Admin", password="administrator pass", settings=FAST
    )
    assert (admin.id, admin.login, admin.role, admin.clinic_id) == (
        "U-0001", "admin", Role.ADMINISTRATOR, None,
    )  # fmt: skip
    before = rows(store)
    with pytest.raises(DomainRuleError, match="only the first administrator"):
        accounts.bootstrap_administrator(
            store, login="admin2", password="administrator pass", settings=FAST
        )
    assert rows(store) == before
    with store.factory() as session:
        (event,) = repos_of(store, session).audit.events(entity="user_account")
    assert (event.actor, event.action, event.entity_id) == (
        "bootstrap",
        AuditAction.CREATE,
        "U-0001",
    )


def test_who_creates_whom(store: CareStore, clinic: dict[str, Any]) -> None:
    admin, therapist, patient = clinic["admin"], clinic["therapist"], clinic["patient"]
    assert (therapist.login, therapist.clinic_id) == ("pt.jones", "CL-0001")
    assert (patient.role, patient.clinic_id, patient.patient_code) == (
        Role.PATIENT, "CL-0001", "P-0001",
    )  # fmt: skip
    before = rows(store)
    refusals: list[tuple[UserAccount, dict[str, Any], type[Exception], str]] = [
        # The administrator does not create patient accounts (the therapist does).
        (admin, {"role": "patient", "patient_code": "P-0002"}, PermissionDeniedError,
         "may create accounts of roles: administrator, therapist; got patient"),
        # A therapist creates patients' accounts only, of their own clinic's patients.
        (therapist, {"role": "therapist", "clinic_id": "CL-0001"}, PermissionDeniedError,
         "may create accounts of roles: patient; got therapist"),
        (therapist, {"role": "patient", "patient_code": "P-0003"}, PermissionDeniedError,
         "only for patients of their own clinic; got patient P-0003"),
        (therapist, {"role": "patient", "patient_code": "P-0404"}, PermissionDeniedError,
         "only for patients of their own clinic; got patient P-0404"),
        (therapist, {"role": "patient", "patient_code": "P-0002", "clinic_id": "CL-0002"},
         InvalidParameterError, "clinic_id must be the patient's clinic CL-0001"),
        (patient, {"role": "patient", "patient_code": "P-0002"}, PermissionDeniedError,
         "may create accounts of roles: none"),
        # One account per patient; one owner per login name, whatever its case.
        (therapist, {"role": "patient", "patient_code": "P-0001"}, DomainRuleError,
         "patient_code must not have an account yet"),
        (admin, {"role": "therapist", "clinic_id": "CL-0001", "login": "PT.JONES"},
         DomainRuleError, "login must be unique"),
        (admin, {"role": "therapist"}, InvalidParameterError, "clinic_id is required"),
        (admin, {"role": "therapist", "clinic_id": "CL-0404"}, NotFoundError,
         "clinic_id must be a recorded clinic"),
        (admin, {"role": "superuser"}, InvalidParameterError, "role must be one of"),
        (admin, {"role": "therapist", "clinic_id": "CL-0001", "password": "short"},
         InvalidParameterError, "password must be at least 12"),
    ]  # fmt: skip
    for by, changes, error, message in refusals:
        values = {"login": "new.user", "password": PASSWORD, "settings": FAST, **changes}
        with pytest.raises(error, match=message):
            accounts.create_user(store, by, **values)
    assert rows(store) == before  # nothing written by any refusal
    second = accounts.create_user(
        store, therapist, login="bo.e", password=PASSWORD, role="patient", patient_code="P-0002",
        settings=FAST,
    )  # fmt: skip
    assert (second.id, second.clinic_id) == ("U-0005", "CL-0001")


def test_clinics_are_managed_by_administrators(store: CareStore, clinic: dict[str, Any]) -> None:
    admin, therapist = clinic["admin"], clinic["therapist"]
    assert [c.id for c in accounts.list_clinics(store, admin)] == ["CL-0001", "CL-0002"]
    assert [c.id for c in accounts.list_clinics(store, therapist)] == ["CL-0001"]
    renamed = accounts.rename_clinic(store, admin, "CL-0001", name="  Northside Physio ")
    assert renamed.name == "Northside Physio"
    with pytest.raises(PermissionDeniedError, match="may not create clinic"):
        accounts.create_clinic(store, therapist, name="Rogue clinic")
    with pytest.raises(PermissionDeniedError, match="may not update clinic"):
        accounts.rename_clinic(store, therapist, "CL-0001", name="Mine now")
    with pytest.raises(InvalidParameterError, match=r"^name must be non-empty text"):
        accounts.create_clinic(store, admin, name="  ")
    assert [u.id for u in accounts.list_users(store, therapist)] == ["U-0002", "U-0004"]
    assert len(accounts.list_users(store, admin)) == 4
    with pytest.raises(
        PermissionDeniedError, match="only for their own clinic; got clinic CL-0002"
    ):
        accounts.list_users(store, therapist, clinic_id="CL-0002")


def test_disable_and_reset(store: CareStore, clinic: dict[str, Any], clock: Clock) -> None:
    admin, therapist, patient = clinic["admin"], clinic["therapist"], clinic["patient"]
    signed_in = accounts.login(store, login="ada.l", password=PASSWORD, settings=FAST)
    # A therapist resets their patient's password: the patient's sessions end.
    accounts.set_password(
        store, therapist, patient.id, new_password="a brand new secret", settings=FAST
    )
    assert accounts.authenticate(store, signed_in.token, settings=FAST) is None
    with pytest.raises(AuthenticationError):
        accounts.login(store, login="ada.l", password=PASSWORD, settings=FAST)
    accounts.login(store, login="ada.l", password="a brand new secret", settings=FAST)
    # One's own password needs the current one.
    with pytest.raises(AuthenticationError, match=r"^current_password must be"):
        accounts.set_password(
            store, patient, patient.id, new_password="another new secret",
            current_password="wrong guess here", settings=FAST,
        )  # fmt: skip
    accounts.set_password(
        store, patient, patient.id, new_password="another new secret",
        current_password="a brand new secret", settings=FAST,
    )  # fmt: skip
    # Nobody manages accounts outside their reach.
    with pytest.raises(PermissionDeniedError, match="may reset accounts of roles: patient"):
        accounts.set_password(
            store, therapist, admin.id, new_password="taking over now", settings=FAST
        )
    with pytest.raises(
        PermissionDeniedError, match="only for their own clinic; got clinic CL-0001"
    ):
        accounts.set_password(
            store, clinic["other_therapist"], patient.id, new_password="taking over now",
            settings=FAST,
        )  # fmt: skip
    with pytest.raises(DomainRuleError, match=r"^user_id must be another account"):
        accounts.disable_user(store, admin, admin.id)
    # Disabling ends sessions and sign-ins, and the account can no longer act.
    session = accounts.login(store, login="pt.jones", password=PASSWORD, settings=FAST)
    clock.advance(minutes=1)
    disabled = accounts.disable_user(store, admin, therapist.id)
    assert disabled.disabled_at == clock.now
    assert accounts.authenticate(store, session.token, settings=FAST) is None
    with pytest.raises(AuthenticationError, match=r"^login or password is incorrect$"):
        accounts.login(store, login="pt.jones", password=PASSWORD, settings=FAST)
    with pytest.raises(PermissionDeniedError, match="is disabled"):
        accounts.create_user(
            store, disabled, login="new.user", password=PASSWORD, role="patient",
            patient_code="P-0002", settings=FAST,
        )  # fmt: skip
    with store.factory() as s:
        details = [e.detail for e in repos_of(store, s).audit.events(entity="user_account")]
    assert {"password": "reset"} in details and {"password": "changed"} in details


# --------------------------------------------------------------------------------------------
# Sign-in
# --------------------------------------------------------------------------------------------


def test_login_opens_a_session_and_says_the_same_for_every_refusal(
    store: CareStore, clinic: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    signed_in = accounts.login(store, login=" PT.JONES ", password=PASSWORD, settings=FAST)
    assert signed_in.user == clinic["therapist"]
    assert signed_in.token not in repr(signed_in)
    verified: list[str] = []
    real_verify = accounts.verify_password

    def spy(stored: str, password: str, /, **kw: Any) -> bool:
        verified.append(stored)
        return real_verify(stored, password, **kw)

    monkeypatch.setattr(accounts, "verify_password", spy)
    messages = []
    for login, password in [("pt.jones", "wrong password!"), ("nobody.here", PASSWORD)]:
        with pytest.raises(AuthenticationError) as refused:
            accounts.login(store, login=login, password=password, settings=FAST)
        assert not isinstance(refused.value, LoginThrottledError)
        messages.append(str(refused.value))
    assert messages == ["login or password is incorrect"] * 2
    # The unknown name was verified too, against a dummy argon2id hash of the same parameters.
    assert len(verified) == 2
    assert verified[1].startswith("$argon2id$v=19$m=1024,t=1,p=1$")
    assert verified[1] != verified[0]


def test_login_rehashes_a_password_hashed_with_old_parameters(
    store: CareStore, clinic: dict[str, Any]
) -> None:
    stronger = replace(FAST, argon2_time_cost=2)
    with store.factory() as session:
        before = repos_of(store, session).users.password_hash("U-0002")
    assert ",t=1," in before
    accounts.login(store, login="pt.jones", password=PASSWORD, settings=stronger)
    with store.factory() as session:
        repos = repos_of(store, session)
        after = repos.users.password_hash("U-0002")
        (event,) = [e for e in repos.audit.events(entity="user_account") if e.action == "update"]
    assert after.startswith("$argon2id$v=19$m=1024,t=2,p=1$")
    assert accounts.verify_password(after, PASSWORD, settings=stronger)
    assert (event.actor, event.detail) == ("U-0002", {"password": "rehashed"})
    accounts.login(store, login="pt.jones", password=PASSWORD, settings=stronger)
    with store.factory() as session:
        assert repos_of(store, session).users.password_hash("U-0002") == after  # no second rehash


def _fail(store: CareStore, login: str = "pt.jones", address: str | None = None) -> None:
    with pytest.raises(AuthenticationError) as refused:
        accounts.login(
            store, login=login, password="wrong password!", client_address=address, settings=FAST
        )
    assert not isinstance(refused.value, LoginThrottledError)


def test_five_failures_in_15_minutes_lock_the_login_name_for_15_minutes(
    store: CareStore, clinic: dict[str, Any], clock: Clock
) -> None:
    for _ in range(4):
        _fail(store)
        clock.advance(minutes=1)
    # Four failures: still open (and a success clears the count).
    accounts.login(store, login="pt.jones", password=PASSWORD, settings=FAST)
    for _ in range(4):
        _fail(store)
        clock.advance(minutes=1)
    _fail(store)  # the fifth within 15 minutes (at +8 min): locked until +23 min
    locked_at = clock.now
    clock.advance(minutes=14, seconds=59)
    with pytest.raises(LoginThrottledError) as locked:
        accounts.login(store, login="PT.Jones", password=PASSWORD, settings=FAST)
    assert locked.value.retry_after_s == pytest.approx(1.0)
    assert isinstance(locked.value, AuthenticationError)
    # Attempts while locked did not extend the lock; other names are not locked.
    accounts.login(store, login="ada.l", password=PASSWORD, settings=FAST)
    clock.now = locked_at + timedelta(minutes=15)
    accounts.login(store, login="pt.jones", password=PASSWORD, settings=FAST)
    with store.factory() as session:
        digest = accounts._digest("login", "pt.jones")
        outcomes = repos_of(store, session).login_attempts.outcomes(login_digest=digest)
    assert outcomes == [LoginOutcome.FAILURE] * 4 + [LoginOutcome.SUCCESS] + [
        LoginOutcome.FAILURE
    ] * 5 + [LoginOutcome.LOCKED, LoginOutcome.SUCCESS]


def test_failures_spread_over_15_minutes_do_not_lock(
    store: CareStore, clinic: dict[str, Any], clock: Clock
) -> None:
    for _ in range(8):
        _fail(store)
        clock.advance(minutes=3, seconds=45)  # 5 failures span exactly 15 minutes
    accounts.login(store, login="pt.jones", password=PASSWORD, settings=FAST)


def test_twenty_failures_from_one_address_lock_that_address(
    store: CareStore, clinic: dict[str, Any], clock: Clock
) -> None:
    for i in range(20):
        _fail(store, login=f"guess{i:02d}", address="203.0.113.7")
        clock.advance(seconds=30)
    with pytest.raises(LoginThrottledError):
        accounts.login(
            store, login="pt.jones", password=PASSWORD, client_address="203.0.113.7", settings=FAST
        )
    accounts.login(
        store, login="pt.jones", password=PASSWORD, client_address="198.51.100.1", settings=FAST
    )
    with store.factory() as session:
        stored = session.execute(
            text("SELECT login_digest, address_digest FROM login_attempt")
        ).all()
    flat = repr(stored)
    assert "203.0.113.7" not in flat and "guess" not in flat and "pt.jones" not in flat


def test_lockout_until_at_its_thresholds() -> None:
    window = lock = timedelta(minutes=15)
    at = [START + timedelta(minutes=m) for m in (0, 1, 2, 3, 14)]
    assert accounts.lockout_until(at, threshold=5, window=window, lockout=lock) == at[-1] + lock
    assert accounts.lockout_until(at[:4], threshold=5, window=window, lockout=lock) is None
    spread = [START + timedelta(minutes=m) for m in (0, 1, 2, 3, 15)]  # 15 min is not "within"
    assert accounts.lockout_until(spread, threshold=5, window=window, lockout=lock) is None
    assert accounts.lockout_until([], threshold=1, window=window, lockout=lock) is None
    assert accounts.lockout_until(at[:1], threshold=1, window=window, lockout=lock) == at[0] + lock


# --------------------------------------------------------------------------------------------
# Sessions
# --------------------------------------------------------------------------------------------


def test_the_session_token_is_stored_only_as_its_digest(
    store: CareStore, clinic: dict[str, Any]
) -> None:
    signed_in = accounts.login(store, login="pt.jones", password=PASSWORD, settings=FAST)
    token = signed_in.token
    assert len(token) >= 43  # 32 random bytes, base64url
    with store.factory() as session:
        stored = [
            repr(session.execute(text(f"SELECT * FROM {table}")).all())
            for table in Base.metadata.tables
        ]
        (row,) = session.execute(text("SELECT token_digest FROM web_session")).all()
    assert not any(token in dump for dump in stored)
    assert row[0] == hashlib.sha256(token.encode()).hexdigest() == signed_in.session.token_digest


def test_sessions_expire_when_idle_or_old_and_end_at_logout(
    store: CareStore, clinic: dict[str, Any], clock: Clock
) -> None:
    token = accounts.login(store, login="pt.jones", password=PASSWORD, settings=FAST).token
    # Idle for 29:59 — still valid, and the visit counts as activity.
    clock.advance(minutes=29, seconds=59)
    current = accounts.authenticate(store, token, settings=FAST)
    assert current is not None and current.user.login == "pt.jones"
    assert current.session.last_seen_at == clock.now
    # Active every 25 minutes, the session still ends 12 hours after it began.
    while clock.now - START < timedelta(hours=11, minutes=35):
        clock.advance(minutes=25)
        assert accounts.authenticate(store, token, settings=FAST) is not None
    clock.now = START + timedelta(hours=12)
    assert accounts.authenticate(store, token, settings=FAST) is None
    # Idle for exactly 30 minutes: ended, and deleted.
    token = accounts.login(store, login="pt.jones", password=PASSWORD, settings=FAST).token
    clock.advance(minutes=30)
    assert accounts.authenticate(store, token, settings=FAST) is None
    with store.factory() as session:
        assert session.scalar(text("SELECT count(*) FROM web_session")) == 0
    # Logout ends it at once.
    token = accounts.login(store, login="pt.jones", password=PASSWORD, settings=FAST).token
    assert accounts.logout(store, token) is True
    assert accounts.authenticate(store, token, settings=FAST) is None
    assert accounts.logout(store, token) is False
    for junk in (None, "", "x" * 500, 42):
        assert accounts.authenticate(store, junk, settings=FAST) is None


def test_activity_is_written_at_most_once_a_minute(
    store: CareStore, clinic: dict[str, Any], clock: Clock
) -> None:
    token = accounts.login(store, login="pt.jones", password=PASSWORD, settings=FAST).token
    clock.advance(seconds=59)
    current = accounts.authenticate(store, token, settings=FAST)
    assert current is not None and current.session.last_seen_at == START
    clock.advance(seconds=1)
    current = accounts.authenticate(store, token, settings=FAST)
    assert current is not None and current.session.last_seen_at == START + timedelta(minutes=1)


def test_purge_deletes_expired_sessions_and_old_attempts(
    store: CareStore, clinic: dict[str, Any], clock: Clock
) -> None:
    kept = accounts.login(store, login="ada.l", password=PASSWORD, settings=FAST).token
    accounts.login(store, login="pt.jones", password=PASSWORD, settings=FAST)
    clock.advance(minutes=20)
    assert accounts.authenticate(store, kept, settings=FAST) is not None
    clock.advance(minutes=15)  # pt.jones idle 35 min, ada.l 15 min
    assert accounts.purge_expired(store, settings=FAST) == 1
    assert accounts.authenticate(store, kept, settings=FAST) is not None
    clock.advance(days=31)
    assert accounts.purge_expired(store, settings=FAST) == 1 + 2  # a session, two attempts


def test_csrf_token_is_the_session_secret(store: CareStore, clinic: dict[str, Any]) -> None:
    session = accounts.login(store, login="pt.jones", password=PASSWORD, settings=FAST).session
    assert len(session.csrf_secret) >= 43
    assert accounts.verify_csrf(session, session.csrf_secret)
    assert not accounts.verify_csrf(session, session.csrf_secret[:-1] + "x")
    assert not accounts.verify_csrf(session, "")
    assert not accounts.verify_csrf(session, None)
    other = accounts.login(store, login="ada.l", password=PASSWORD, settings=FAST).session
    assert not accounts.verify_csrf(session, other.csrf_secret)


# --------------------------------------------------------------------------------------------
# Audited reads
# --------------------------------------------------------------------------------------------


def test_reads_of_patient_data_are_audited(
    store: CareStore, clinic: dict[str, Any], clock: Clock
) -> None:
    therapist, patient, admin = clinic["therapist"], clinic["patient"], clinic["admin"]
    clock.advance(minutes=5)
    audited_read(store, therapist, Resource.SESSION, patient_code="P-0002", action=Action.LIST)
    clock.advance(minutes=1)
    audited_read(store, patient, Resource.PLAN, patient_code="P-0001", record_ids=["C-0001"])
    before = rows(store)
    refused = [
        (therapist, "P-0003"),  # another clinic's patient
        (patient, "P-0002"),  # another patient
        (admin, "P-0001"),  # the administrator reads no clinical record
        (therapist, "P-0404"),  # unknown: refused the same way
    ]
    for user, code in refused:
        with pytest.raises(PermissionDeniedError):
            audited_read(store, user, Resource.SESSION, patient_code=code)
    assert rows(store) == before  # a refusal writes nothing
    events = view_audit_log(store, admin, action="read")
    assert [(e.actor, e.entity, e.entity_id, e.occurred_at) for e in events] == [
        ("U-0002", "patient", "P-0002", START + timedelta(minutes=5)),
        ("U-0004", "patient", "P-0001", START + timedelta(minutes=6)),
    ]
    assert events[0].detail == {
        "resource": "session", "action": "list", "record_ids": [], "role": "therapist",
    }  # fmt: skip
    assert events[1].detail["record_ids"] == ["C-0001"]
    assert NAME not in repr(events) and "1950" not in repr(events)
    assert [
        e.entity_id for e in view_audit_log(store, admin, entity_id="P-0001", action="read")
    ] == ["P-0001"]
    for user in (therapist, patient):
        with pytest.raises(PermissionDeniedError, match="may not list audit_log"):
            view_audit_log(store, user)
    with pytest.raises(InvalidParameterError, match=r"^action must be one of"):
        view_audit_log(store, admin, action="peek")


def test_record_read_joins_the_callers_transaction(
    store: CareStore, clinic: dict[str, Any]
) -> None:
    therapist = clinic["therapist"]
    with pytest.raises(RuntimeError, match="rendering failed"), store.factory.begin() as session:
        repos = Repositories(session, actor=therapist.id, clock=store.clock)
        record_read(repos, therapist, Resource.OUTCOME_SCORE, patient_code="P-0001")
        raise RuntimeError("rendering failed")
    assert view_audit_log(store, clinic["admin"], action="read") == []  # rolled back with it
    with store.factory.begin() as session:
        repos = Repositories(session, actor=therapist.id, clock=store.clock)
        record_read(repos, therapist, Resource.OUTCOME_SCORE, patient_code="P-0001")
    assert len(view_audit_log(store, clinic["admin"], action="read")) == 1
    with store.factory() as session:
        repos = Repositories(session, actor=therapist.id, clock=store.clock)
        with pytest.raises(InvalidParameterError, match=r"^action must be read or list"):
            record_read(
                repos, therapist, Resource.SESSION, patient_code="P-0001", action=Action.UPDATE
            )
        with pytest.raises(InvalidParameterError, match=r"^resource must be patient data"):
            record_read(repos, therapist, Resource.CLINIC, patient_code="P-0001")


def test_a_clinics_patient_list_is_audited_as_one_read(
    store: CareStore, clinic: dict[str, Any]
) -> None:
    therapist, admin = clinic["therapist"], clinic["admin"]
    audited_patient_list(store, therapist, clinic_id="CL-0001", patient_codes=["P-0001", "P-0002"])
    before = rows(store)
    for user, clinic_id in [
        (therapist, "CL-0002"),
        (admin, "CL-0001"),
        (clinic["patient"], "CL-0001"),
    ]:
        with pytest.raises(PermissionDeniedError):
            audited_patient_list(store, user, clinic_id=clinic_id, patient_codes=["P-0003"])
    assert rows(store) == before
    (event,) = view_audit_log(store, admin, action="read")
    assert (event.actor, event.entity, event.entity_id) == ("U-0002", "clinic", "CL-0001")
    assert event.detail == {
        "resource": "patient", "action": "list", "patient_codes": ["P-0001", "P-0002"],
        "role": "therapist",
    }  # fmt: skip
