"""Migration 0003 and the account tables on SQLite and PostgreSQL: patients recorded before it
keep everything and join the default clinic; accounts, login attempts, web sessions and read
events round-trip; the database itself refuses what the services must never write."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine, inspect, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from reeducate.clinic.care import Patient, PatientIdentity
from reeducate.errors import DomainRuleError, InvalidParameterError, NotFoundError
from reeducate.store import migrate
from reeducate.store.engine import session_factory, transaction
from reeducate.store.models import (
    DEFAULT_CLINIC_ID,
    AuditAction,
    AuditEventRow,
    LoginOutcome,
    Role,
    UserAccountRow,
    UtcDateTime,
)
from reeducate.store.repositories import Repositories, UserAccount, WebSession

NOW = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
BEFORE = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)


# --------------------------------------------------------------------------------------------
# Migration 0003 on a database that holds records
# --------------------------------------------------------------------------------------------

_PATIENT = sa.table("patient", sa.column("code"), sa.column("created_at", UtcDateTime()))
_IDENTITY = sa.table(
    "patient_identity", sa.column("patient_code"), sa.column("name"), sa.column("date_of_birth")
)
_EPISODE = sa.table("episode", sa.column("id"), sa.column("patient_code"), sa.column("start_date"))
_AUDIT = sa.table(
    "audit_event",
    sa.column("occurred_at", UtcDateTime()),
    sa.column("actor"),
    sa.column("action"),
    sa.column("entity"),
    sa.column("entity_id"),
    sa.column("detail", sa.JSON()),
)


def _database_at_0002_with_records(new_database: Callable[[], Engine]) -> Engine:
    engine = new_database()
    migrate.upgrade(engine, revision="0002")
    with engine.begin() as connection:
        connection.execute(
            sa.insert(_PATIENT),
            [{"code": "P-0001", "created_at": BEFORE}, {"code": "P-0002", "created_at": BEFORE}],
        )
        connection.execute(
            sa.insert(_IDENTITY),
            [{"patient_code": "P-0001", "name": "Ada Example", "date_of_birth": date(1950, 6, 1)}],
        )
        connection.execute(
            sa.insert(_EPISODE),
            [
                {"id": "E-1", "patient_code": "P-0001", "start_date": date(2025, 1, 6)},
                {"id": "E-2", "patient_code": "P-0002", "start_date": date(2025, 1, 7)},
            ],
        )
        connection.execute(
            sa.insert(_AUDIT),
            [
                {
                    "occurred_at": BEFORE,
                    "actor": "pt-jones",
                    "action": "create",
                    "entity": "patient",
                    "entity_id": code,
                    "detail": {"identity_recorded": code == "P-0001"},
                }
                for code in ("P-0001", "P-0002")
            ],
        )
    return engine


def test_upgrade_gives_recorded_patients_the_default_clinic_and_keeps_everything(
    new_database: Callable[[], Engine], backend: str
) -> None:
    engine = _database_at_0002_with_records(new_database)
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    migrate.check(engine)
    with transaction(session_factory(engine)) as db:
        repos = Repositories(db, actor="pt-test", clock=lambda: NOW)
        (clinic,) = repos.clinics.all()
        assert (clinic.id, clinic.name) == (DEFAULT_CLINIC_ID, "Default clinic")
        assert repos.patients.codes(clinic_id=DEFAULT_CLINIC_ID) == ["P-0001", "P-0002"]
        ada = repos.patients.get("P-0001")
        assert ada.identity == PatientIdentity(name="Ada Example", date_of_birth=date(1950, 6, 1))
        assert db.execute(text("SELECT id, patient_code FROM episode ORDER BY id")).all() == [
            ("E-1", "P-0001"),
            ("E-2", "P-0002"),
        ]
        events = repos.audit.events()
        assert [(e.id, e.actor, e.entity_id) for e in events] == [
            (1, "pt-jones", "P-0001"),
            (2, "pt-jones", "P-0002"),
        ]
        assert events[0].occurred_at == BEFORE
    with engine.connect() as connection:
        columns = {c["name"]: c for c in inspect(connection).get_columns("patient")}
        assert columns["clinic_id"]["nullable"] is False
        if backend == "sqlite":
            assert connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall() == []
    # Foreign keys still hold both ways after the rebuild, and the audit is still append-only.
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(
            sa.insert(_EPISODE).values(id="E-9", patient_code="P-0404", start_date=date(2025, 1, 6))
        )
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(text("UPDATE patient SET clinic_id = 'CL-0404'"))
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_event"))
    with pytest.raises(DBAPIError, match="append-only"), engine.begin() as connection:
        connection.execute(text("UPDATE audit_event SET actor = 'someone-else'"))


def test_downgrade_to_0002_keeps_patients_and_drops_the_accounts(
    new_database: Callable[[], Engine],
) -> None:
    engine = _database_at_0002_with_records(new_database)
    migrate.upgrade(engine)
    with transaction(session_factory(engine)) as db:
        repos = Repositories(db, actor="pt-test", clock=lambda: NOW)
        repos.users.add(_user("U-0001", Role.ADMINISTRATOR, clinic_id=None), password_hash="h")
    migrate.downgrade(engine, revision="0002")
    with engine.connect() as connection:
        tables = set(inspect(connection).get_table_names())
        assert not {"clinic", "user_account", "login_attempt", "web_session"} & tables
        assert "clinic_id" not in {c["name"] for c in inspect(connection).get_columns("patient")}
        assert connection.execute(
            text("SELECT code FROM patient ORDER BY code")
        ).scalars().all() == [
            "P-0001",
            "P-0002",
        ]
        assert connection.execute(text("SELECT name FROM patient_identity")).scalar_one() == (
            "Ada Example"
        )
        assert connection.execute(text("SELECT count(*) FROM episode")).scalar_one() == 2
    with pytest.raises(DBAPIError), engine.begin() as connection:  # 0002 has no 'read'
        connection.execute(
            sa.insert(_AUDIT).values(
                occurred_at=NOW,
                actor="a",
                action="read",
                entity="patient",
                entity_id="P-0001",
                detail={},
            )
        )
    migrate.upgrade(engine)
    migrate.check(engine)


def test_downgrade_is_refused_while_read_events_exist(new_database: Callable[[], Engine]) -> None:
    engine = _database_at_0002_with_records(new_database)
    migrate.upgrade(engine)
    with transaction(session_factory(engine)) as db:
        Repositories(db, actor="U-0002", clock=lambda: NOW).audit.record_read(
            "patient", "P-0001", {"resource": "session"}
        )
    with pytest.raises(DomainRuleError, match="holds 1 read events"):
        migrate.downgrade(engine, revision="0002")
    assert migrate.current(engine) == migrate.head()  # the refusal rolled everything back
    migrate.check(engine)


# --------------------------------------------------------------------------------------------
# Round trips
# --------------------------------------------------------------------------------------------


def _user(
    user_id: str,
    role: Role,
    *,
    login: str | None = None,
    clinic_id: str | None = DEFAULT_CLINIC_ID,
    patient_code: str | None = None,
) -> UserAccount:
    return UserAccount(
        id=user_id,
        login=login or user_id.lower(),
        role=role,
        clinic_id=clinic_id,
        patient_code=patient_code,
        created_at=NOW,
    )


def test_clinics_round_trip_and_are_audited(repos: Repositories) -> None:
    clinic = repos.clinics.add("CL-0002", name="Riverside Physio")
    assert repos.clinics.get("CL-0002") == clinic
    assert clinic.created_at == NOW
    assert [c.id for c in repos.clinics.all()] == [DEFAULT_CLINIC_ID, "CL-0002"]
    with pytest.raises(DomainRuleError, match=r"^name must be unique among clinics"):
        repos.clinics.add("CL-0003", name="Riverside Physio")
    assert repos.clinics.rename("CL-0002", name="Riverside Physiotherapy").name == (
        "Riverside Physiotherapy"
    )
    with pytest.raises(NotFoundError, match=r"^clinic_id must be a recorded clinic"):
        repos.clinics.get("CL-0404")
    assert [(e.action, e.entity_id, e.detail) for e in repos.audit.events(entity="clinic")] == [
        (AuditAction.CREATE, "CL-0002", {"name": "Riverside Physio"}),
        (
            AuditAction.UPDATE,
            "CL-0002",
            {"before": {"name": "Riverside Physio"}, "after": {"name": "Riverside Physiotherapy"}},
        ),
    ]


def test_patients_belong_to_a_clinic(repos: Repositories) -> None:
    repos.clinics.add("CL-0002", name="Riverside Physio")
    repos.patients.add(Patient(code="P-0001"))
    repos.patients.add(Patient(code="P-0002"), clinic_id="CL-0002")
    assert repos.patients.clinic_of("P-0001") == DEFAULT_CLINIC_ID
    assert repos.patients.clinic_of("P-0002") == "CL-0002"
    assert repos.patients.clinic_of("P-0404") is None
    assert repos.patients.codes(clinic_id="CL-0002") == ["P-0002"]
    assert repos.patients.codes() == ["P-0001", "P-0002"]
    with pytest.raises(NotFoundError, match=r"^clinic_id must be a recorded clinic; got 'CL-0404'"):
        repos.patients.add(Patient(code="P-0003"), clinic_id="CL-0404")
    (created,) = repos.audit.events(entity="patient", entity_id="P-0002")
    assert created.detail["clinic_id"] == "CL-0002"


def test_user_accounts_round_trip_without_secrets_in_the_audit(repos: Repositories) -> None:
    repos.patients.add(Patient(code="P-0001"))
    therapist = _user("U-0002", Role.THERAPIST, login="pt.jones")
    patient = _user("U-0003", Role.PATIENT, login="ada.example", patient_code="P-0001")
    repos.users.add(therapist, password_hash="$argon2id$secret-hash-1")
    repos.users.add(patient, password_hash="$argon2id$secret-hash-2")
    assert repos.users.get("U-0003") == patient
    assert repos.users.by_login("ADA.Example") == patient
    assert repos.users.by_login("nobody") is None
    assert repos.users.password_hash("U-0002") == "$argon2id$secret-hash-1"
    assert repos.users.all(role=Role.PATIENT) == [patient]
    assert repos.users.count(role=Role.THERAPIST) == 1
    repos.users.set_password_hash("U-0002", "$argon2id$secret-hash-3", reason="changed")
    disabled = repos.users.disable("U-0003")
    assert disabled.disabled_at == NOW and not disabled.active
    assert repos.users.disable("U-0003") == disabled  # once only
    events = repos.audit.events(entity="user_account")
    assert [(e.action, e.entity_id) for e in events] == [
        (AuditAction.CREATE, "U-0002"),
        (AuditAction.CREATE, "U-0003"),
        (AuditAction.UPDATE, "U-0002"),
        (AuditAction.UPDATE, "U-0003"),
    ]
    assert events[1].detail == {"role": "patient", "clinic_id": "CL-0001", "patient_code": "P-0001"}
    assert events[2].detail == {"password": "changed"}
    written = repr([e.detail for e in events])
    assert "secret-hash" not in written and "ada.example" not in written


def test_repository_refusals_name_the_field(repos: Repositories) -> None:
    repos.patients.add(Patient(code="P-0001"))
    repos.users.add(_user("U-0002", Role.THERAPIST, login="pt.jones"), password_hash="h")
    with pytest.raises(DomainRuleError, match=r"^login must be unique"):
        repos.users.add(_user("U-0003", Role.THERAPIST, login="pt.jones"), password_hash="h")
    with pytest.raises(InvalidParameterError, match=r"^login must be lower-case"):
        repos.users.add(_user("U-0003", Role.THERAPIST, login="PT.Smith"), password_hash="h")
    with pytest.raises(NotFoundError, match=r"^patient_code must be a recorded patient"):
        repos.users.add(_user("U-0003", Role.PATIENT, patient_code="P-0404"), password_hash="h")
    repos.users.add(_user("U-0003", Role.PATIENT, patient_code="P-0001"), password_hash="h")
    with pytest.raises(DomainRuleError, match=r"^patient_code must not have an account yet"):
        repos.users.add(_user("U-0004", Role.PATIENT, patient_code="P-0001"), password_hash="h")


_ROW_DEFAULTS: dict[str, Any] = {
    "role": "therapist",
    "clinic_id": DEFAULT_CLINIC_ID,
    "patient_code": None,
    "password_hash": "h",
    "created_at": NOW,
}


@pytest.mark.parametrize(
    ("changes", "constraint"),
    [
        ({"login": "PT.Jones"}, "login_lower_case"),
        ({"role": "superuser"}, "role_valid"),
        ({"role": "therapist", "clinic_id": None}, "clinic_unless_administrator"),
        ({"role": "patient"}, "patient_code_iff_patient"),
        ({"role": "therapist", "patient_code": "P-0001"}, "patient_code_iff_patient"),
        # A patient account in another clinic than its patient's: the composite foreign key.
        ({"role": "patient", "patient_code": "P-0001", "clinic_id": "CL-0002"}, "fk_user_account"),
        ({"login": "pt.jones"}, "login"),  # taken (unique key)
    ],
)
def test_the_database_refuses_inconsistent_accounts(
    repos: Repositories, changes: dict[str, Any], constraint: str
) -> None:
    db = repos.session
    repos.clinics.add("CL-0002", name="Riverside Physio")
    repos.patients.add(Patient(code="P-0001"))
    repos.users.add(_user("U-0002", Role.THERAPIST, login="pt.jones"), password_hash="h")
    values = {**_ROW_DEFAULTS, "id": "U-0009", "login": "someone", **changes}
    with pytest.raises(IntegrityError) as refused, db.begin_nested():
        db.add(UserAccountRow(**values))
        db.flush()
    if constraint != "login":  # SQLite names the columns of a unique key, not the key
        message = str(refused.value.orig).lower()
        assert constraint in message or "foreign key" in message
    assert repos.users.count() == 1


def test_login_attempts_are_counted_by_digest(repos: Repositories) -> None:
    attempts = repos.login_attempts
    for minutes, outcome, address in [
        (0, LoginOutcome.FAILURE, "a" * 64),
        (1, LoginOutcome.FAILURE, "b" * 64),
        (2, LoginOutcome.SUCCESS, "a" * 64),
        (3, LoginOutcome.LOCKED, "a" * 64),
        (4, LoginOutcome.FAILURE, None),
    ]:
        attempts.add(
            attempted_at=NOW + timedelta(minutes=minutes),
            login_digest="1" * 64,
            address_digest=address,
            outcome=outcome,
        )
    assert attempts.failures(since=NOW, login_digest="1" * 64) == [
        NOW,
        NOW + timedelta(minutes=1),
        NOW + timedelta(minutes=4),
    ]
    assert attempts.failures(since=NOW + timedelta(minutes=1), address_digest="a" * 64) == []
    assert attempts.failures(since=NOW, address_digest="a" * 64) == [NOW]
    assert attempts.last_success(login_digest="1" * 64) == NOW + timedelta(minutes=2)
    assert attempts.last_success(login_digest="2" * 64) is None
    assert attempts.outcomes(login_digest="1" * 64)[2:4] == [
        LoginOutcome.SUCCESS,
        LoginOutcome.LOCKED,
    ]
    with pytest.raises(InvalidParameterError, match="exactly one of"):
        attempts.failures(since=NOW)
    assert attempts.purge(before=NOW + timedelta(minutes=2)) == 2
    assert len(attempts.outcomes(login_digest="1" * 64)) == 3


def test_web_sessions_round_trip_and_purge(repos: Repositories) -> None:
    repos.users.add(_user("U-0002", Role.THERAPIST), password_hash="h")
    old = WebSession(
        token_digest="a" * 64,
        user_id="U-0002",
        created_at=NOW,
        last_seen_at=NOW,
        expires_at=NOW + timedelta(hours=12),
        csrf_secret="csrf-a",
    )
    recent = WebSession(
        token_digest="b" * 64,
        user_id="U-0002",
        created_at=NOW + timedelta(hours=1),
        last_seen_at=NOW + timedelta(hours=1),
        expires_at=NOW + timedelta(hours=13),
        csrf_secret="csrf-b",
    )
    repos.web_sessions.add(old)
    repos.web_sessions.add(recent)
    assert "csrf-a" not in repr(old)
    assert repos.web_sessions.get("a" * 64) == old
    repos.web_sessions.touch("a" * 64, at=NOW + timedelta(minutes=20))
    got = repos.web_sessions.get("a" * 64)
    assert got is not None and got.last_seen_at == NOW + timedelta(minutes=20)
    assert repos.web_sessions.for_user("U-0002") == [got, recent]
    # At NOW + 1 h 10 min with a 30-min idle limit, the first is idle (last seen at 0:20).
    later = NOW + timedelta(hours=1, minutes=10)
    assert repos.web_sessions.purge(now=later, idle_since=later - timedelta(minutes=30)) == 1
    assert repos.web_sessions.get("a" * 64) is None
    assert repos.web_sessions.delete("b" * 64) is True
    assert repos.web_sessions.delete("b" * 64) is False
    with pytest.raises(NotFoundError, match=r"^token must be"):
        repos.web_sessions.touch("b" * 64, at=later)


def test_read_events_are_stored_filtered_and_append_only(repos: Repositories) -> None:
    clock_times = iter([NOW, NOW + timedelta(minutes=5)])
    reader = Repositories(repos.session, actor="U-0002", clock=lambda: next(clock_times))
    reader.audit.record_read("patient", "P-0001", {"resource": "session", "record_ids": ["S-1"]})
    reader.audit.record_read("patient", "P-0002", {"resource": "plan", "record_ids": []})
    repos.patients.add(Patient(code="P-0003"))
    reads = repos.audit.events(action=AuditAction.READ)
    assert [(e.actor, e.entity, e.entity_id, e.occurred_at) for e in reads] == [
        ("U-0002", "patient", "P-0001", NOW),
        ("U-0002", "patient", "P-0002", NOW + timedelta(minutes=5)),
    ]
    assert [e.entity_id for e in repos.audit.events(actor="pt-test")] == ["P-0003"]
    assert [e.entity_id for e in repos.audit.events(since=NOW + timedelta(minutes=1))] == ["P-0002"]
    assert [e.entity_id for e in repos.audit.events(until=NOW + timedelta(minutes=1))] == [
        "P-0001",
        "P-0003",
    ]
    assert [e.entity_id for e in repos.audit.events(limit=2)] == ["P-0002", "P-0003"]
    with pytest.raises(InvalidParameterError, match=r"^limit must be >= 1"):
        repos.audit.events(limit=0)
    db = repos.session
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(text("UPDATE audit_event SET entity_id = 'P-0009' WHERE action = 'read'"))
    with pytest.raises(DBAPIError, match="append-only"), db.begin_nested():
        db.execute(text("DELETE FROM audit_event WHERE action = 'read'"))
    row = db.scalars(select(AuditEventRow).where(AuditEventRow.action == "read").limit(1)).one()
    with pytest.raises(DomainRuleError, match="append-only"), db.begin_nested():
        row.entity_id = "P-0009"
        db.flush()
    assert len(repos.audit.events(action=AuditAction.READ)) == 2
