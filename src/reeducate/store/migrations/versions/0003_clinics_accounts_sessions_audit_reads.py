"""Clinics, user accounts, login attempts, web sessions; patients belong to a clinic; the audit
records reads.

* ``clinic`` is created with one row, the **default clinic** ``CL-0001`` ("Default clinic"):
  every patient recorded before this revision is given to it (``patient.clinic_id`` is added,
  filled, then made required), and patients added later without naming a clinic (a one-machine
  install, the CLI) belong to it too. An administrator can rename it.
* ``patient`` gains ``clinic_id`` (required, indexed) and a unique key on (code, clinic_id), the
  target of the patient accounts' composite foreign key.
* ``user_account``, ``login_attempt`` and ``web_session`` are new.
* ``audit_event.action`` also accepts ``read``.

SQLite cannot add a required foreign-key column or change a CHECK constraint in place, so there
``patient`` and ``audit_event`` are rebuilt by hand. Foreign keys are ON during migrations and
``PRAGMA foreign_keys`` cannot change inside the migration's transaction, and dropping a table
that other rows reference would then fail (or cascade: ``patient_identity`` is ON DELETE
CASCADE), so the rebuild defers foreign-key checks to the commit (``PRAGMA defer_foreign_keys``),
keeps the rows (patients and their identities) in temporary tables, drops the old table, renames
the new one into place and inserts the rows again: each re-inserted parent row resolves the
deferred violations its children caused, and ``PRAGMA foreign_key_check`` must come back empty
before the revision completes. ``audit_event``'s append-only triggers are re-created after its
rebuild.

Downgrade refuses while ``audit_event`` holds ``read`` events: revision 0002 cannot store them
and the audit trail is never edited.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 10:12:40.118203
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from reeducate.errors import DomainRuleError

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out here, not imported from the models: a migration must not change when models do.
DEFAULT_CLINIC_ID = "CL-0001"
DEFAULT_CLINIC_NAME = "Default clinic"
_ACTIONS_BEFORE = "action IN ('create', 'update', 'delete')"
_ACTIONS_AFTER = "action IN ('create', 'update', 'delete', 'read')"
_SQLITE_APPEND_ONLY = (
    "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
    "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
)


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


# --------------------------------------------------------------------------------------------
# Upgrade
# --------------------------------------------------------------------------------------------


def upgrade() -> None:
    op.create_table(
        "clinic",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_clinic")),
        sa.UniqueConstraint("name", name=op.f("uq_clinic_name")),
    )
    now = datetime.now(UTC)
    clinic = sa.table(
        "clinic",
        sa.column("id", sa.String()),
        sa.column("name", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    op.bulk_insert(
        clinic,
        [
            {
                "id": DEFAULT_CLINIC_ID,
                "name": DEFAULT_CLINIC_NAME,
                # SQLite keeps naive UTC (as the models' UtcDateTime writes it).
                "created_at": now.replace(tzinfo=None) if _sqlite() else now,
            }
        ],
    )

    if _sqlite():
        op.execute("PRAGMA defer_foreign_keys = ON")
        _rebuild_patient_sqlite(with_clinic=True)
        _rebuild_audit_event_sqlite(_ACTIONS_AFTER)
    else:
        op.add_column("patient", sa.Column("clinic_id", sa.String(length=64), nullable=True))
        op.execute(
            sa.text("UPDATE patient SET clinic_id = :clinic").bindparams(clinic=DEFAULT_CLINIC_ID)
        )
        op.alter_column("patient", "clinic_id", existing_type=sa.String(length=64), nullable=False)
        op.create_foreign_key(
            op.f("fk_patient_clinic_id_clinic"), "patient", "clinic", ["clinic_id"], ["id"]
        )
        op.create_unique_constraint(op.f("uq_patient_code"), "patient", ["code", "clinic_id"])
        op.drop_constraint(op.f("ck_audit_event_action_valid"), "audit_event", type_="check")
        op.create_check_constraint(
            op.f("ck_audit_event_action_valid"), "audit_event", sa.text(_ACTIONS_AFTER)
        )
    op.create_index(op.f("ix_patient_clinic_id"), "patient", ["clinic_id"], unique=False)

    op.create_table(
        "user_account",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("login", sa.String(length=64), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("clinic_id", sa.String(length=64), nullable=True),
        sa.Column("patient_code", sa.String(length=16), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "(role = 'patient') = (patient_code IS NOT NULL)",
            name=op.f("ck_user_account_patient_code_iff_patient"),
        ),
        sa.CheckConstraint(
            "role = 'administrator' OR clinic_id IS NOT NULL",
            name=op.f("ck_user_account_clinic_unless_administrator"),
        ),
        sa.CheckConstraint("login = lower(login)", name=op.f("ck_user_account_login_lower_case")),
        sa.CheckConstraint(
            "role IN ('administrator', 'therapist', 'patient')",
            name=op.f("ck_user_account_role_valid"),
        ),
        sa.ForeignKeyConstraint(
            ["clinic_id"], ["clinic.id"], name=op.f("fk_user_account_clinic_id_clinic")
        ),
        sa.ForeignKeyConstraint(
            ["patient_code", "clinic_id"],
            ["patient.code", "patient.clinic_id"],
            name=op.f("fk_user_account_patient_code_patient"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("login", name=op.f("uq_user_account_login")),
        sa.UniqueConstraint("patient_code", name=op.f("uq_user_account_patient_code")),
    )
    op.create_index(op.f("ix_user_account_clinic_id"), "user_account", ["clinic_id"], unique=False)

    op.create_table(
        "login_attempt",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("login_digest", sa.String(length=64), nullable=False),
        sa.Column("address_digest", sa.String(length=64), nullable=True),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.CheckConstraint(
            "outcome IN ('success', 'failure', 'locked')",
            name=op.f("ck_login_attempt_outcome_valid"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempt")),
    )
    for column in ("address_digest", "attempted_at", "login_digest"):
        op.create_index(op.f(f"ix_login_attempt_{column}"), "login_attempt", [column], unique=False)

    op.create_table(
        "web_session",
        sa.Column("token_digest", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("csrf_secret", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_web_session_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("token_digest", name=op.f("pk_web_session")),
    )
    op.create_index(op.f("ix_web_session_expires_at"), "web_session", ["expires_at"], unique=False)
    op.create_index(op.f("ix_web_session_user_id"), "web_session", ["user_id"], unique=False)

    if _sqlite():
        _require_foreign_keys_sqlite()


# --------------------------------------------------------------------------------------------
# Downgrade
# --------------------------------------------------------------------------------------------


def downgrade() -> None:
    reads = op.get_bind().scalar(sa.text("SELECT count(*) FROM audit_event WHERE action = 'read'"))
    if reads:
        raise DomainRuleError(
            f"cannot downgrade below revision 0003: audit_event holds {reads} read events that "
            "revision 0002 cannot store, and the audit trail is never edited"
        )
    op.drop_index(op.f("ix_web_session_user_id"), table_name="web_session")
    op.drop_index(op.f("ix_web_session_expires_at"), table_name="web_session")
    op.drop_table("web_session")
    for column in ("login_digest", "attempted_at", "address_digest"):
        op.drop_index(op.f(f"ix_login_attempt_{column}"), table_name="login_attempt")
    op.drop_table("login_attempt")
    op.drop_index(op.f("ix_user_account_clinic_id"), table_name="user_account")
    op.drop_table("user_account")
    op.drop_index(op.f("ix_patient_clinic_id"), table_name="patient")

    if _sqlite():
        op.execute("PRAGMA defer_foreign_keys = ON")
        _rebuild_patient_sqlite(with_clinic=False)
        _rebuild_audit_event_sqlite(_ACTIONS_BEFORE)
    else:
        op.drop_constraint(op.f("ck_audit_event_action_valid"), "audit_event", type_="check")
        op.create_check_constraint(
            op.f("ck_audit_event_action_valid"), "audit_event", sa.text(_ACTIONS_BEFORE)
        )
        op.drop_constraint(op.f("uq_patient_code"), "patient", type_="unique")
        op.drop_constraint(op.f("fk_patient_clinic_id_clinic"), "patient", type_="foreignkey")
        op.drop_column("patient", "clinic_id")
    op.drop_table("clinic")

    if _sqlite():
        _require_foreign_keys_sqlite()


# --------------------------------------------------------------------------------------------
# SQLite rebuilds
# --------------------------------------------------------------------------------------------


def _rebuild_patient_sqlite(*, with_clinic: bool) -> None:
    """Replace ``patient`` by its shape with (or without) the clinic link, keeping every row of
    ``patient`` and ``patient_identity`` (the caller has deferred foreign keys)."""
    op.execute("CREATE TEMP TABLE _patient_0003 AS SELECT code, created_at FROM patient")
    op.execute(
        "CREATE TEMP TABLE _patient_identity_0003 AS "
        "SELECT patient_code, name, date_of_birth FROM patient_identity"
    )
    columns: list[sa.schema.SchemaItem] = [
        sa.Column("code", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    ]
    if with_clinic:
        columns += [
            sa.Column("clinic_id", sa.String(length=64), nullable=False),
            sa.ForeignKeyConstraint(
                ["clinic_id"], ["clinic.id"], name=op.f("fk_patient_clinic_id_clinic")
            ),
            sa.UniqueConstraint("code", "clinic_id", name=op.f("uq_patient_code")),
        ]
    op.create_table(
        "_patient_new", *columns, sa.PrimaryKeyConstraint("code", name=op.f("pk_patient"))
    )
    # The implicit DELETE of DROP TABLE empties patient_identity (ON DELETE CASCADE) and counts
    # one deferred violation per referencing row of the other tables...
    op.drop_table("patient")
    op.rename_table("_patient_new", "patient")
    # ... which the re-inserted patients resolve.
    if with_clinic:
        op.execute(
            sa.text(
                "INSERT INTO patient (code, created_at, clinic_id) "
                "SELECT code, created_at, :clinic FROM temp._patient_0003"
            ).bindparams(clinic=DEFAULT_CLINIC_ID)
        )
    else:
        op.execute(
            "INSERT INTO patient (code, created_at) SELECT code, created_at FROM temp._patient_0003"
        )
    op.execute(
        "INSERT INTO patient_identity (patient_code, name, date_of_birth) "
        "SELECT patient_code, name, date_of_birth FROM temp._patient_identity_0003"
    )
    op.execute("DROP TABLE temp._patient_identity_0003")
    op.execute("DROP TABLE temp._patient_0003")


def _rebuild_audit_event_sqlite(actions: str) -> None:
    """Replace ``audit_event`` by the same table with the CHECK on ``action`` given, keeping every
    event and its id, and re-create the append-only triggers (dropped with the old table)."""
    op.create_table(
        "_audit_event_new",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("entity", sa.String(length=32), nullable=False),
        sa.Column("entity_id", sa.String(length=64), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.CheckConstraint(actions, name=op.f("ck_audit_event_action_valid")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_event")),
    )
    op.execute(
        "INSERT INTO _audit_event_new (id, occurred_at, actor, action, entity, entity_id, detail) "
        "SELECT id, occurred_at, actor, action, entity, entity_id, detail FROM audit_event"
    )
    op.drop_table("audit_event")  # its indexes and triggers go with it
    op.rename_table("_audit_event_new", "audit_event")
    op.create_index(op.f("ix_audit_event_entity_id"), "audit_event", ["entity_id"], unique=False)
    op.create_index(
        op.f("ix_audit_event_occurred_at"), "audit_event", ["occurred_at"], unique=False
    )
    for statement in _SQLITE_APPEND_ONLY:
        op.execute(statement)


def _require_foreign_keys_sqlite() -> None:
    """Fail the revision (its transaction rolls back) if any foreign key is left dangling."""
    dangling = op.get_bind().exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if dangling:
        tables = sorted({str(row[0]) for row in dangling})
        raise RuntimeError(
            f"revision 0003 left {len(dangling)} dangling foreign keys in {', '.join(tables)}"
        )
