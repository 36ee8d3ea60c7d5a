"""A new patient in one transaction: the patient, an episode of care, a plan of care with its
goals, and the patient's sign-in account, as the therapist registers them.

One unit of work
    The use cases that make each part (:func:`~reeducate.services.care.add_patient`,
    :func:`~reeducate.services.care.open_episode`, :func:`~reeducate.services.care.create_plan`,
    :func:`~reeducate.services.care.add_goal`, :func:`~reeducate.services.accounts.create_user`)
    each run one transaction of their own. :func:`register_patient` runs them inside one outer
    transaction on one connection, each as a savepoint (SQLAlchemy's "joining a session into an
    external transaction"), so their checks, ids and audit events are exactly theirs, and a
    refusal at any step rolls every step back: **nothing is written**. On SQLite the write lock
    is held from the patient's row to the end, across one password hash (about 0.1 s).
Who may
    A therapist, for their own clinic: the patient belongs to the therapist's clinic, and the
    account (a patient account of that patient) is one a therapist may create
    (:data:`~reeducate.services.accounts.MANAGED_ROLES`). Other roles are refused (403) before
    anything is read.
Fields in messages
    Every refusal names the field as the JSON API spells it (``date_of_birth``,
    ``episode.diagnoses[0]``, ``plan.goals[1].target_value``, ``account.password``) and never
    quotes the name or the date of birth.
Passwords
    An initial password typed by the therapist follows the account rules (at least 12
    characters, not the login name); without one, :func:`generate_password` makes one (about
    79 bits of entropy, no look-alike characters) that the caller shows once and never stores;
    only its argon2id hash is kept.

Examples
--------
>>> from datetime import UTC, date, datetime
>>> from reeducate.services.accounts import (SecuritySettings, bootstrap_administrator,
...                                          create_user)
>>> from reeducate.services.care import GoalSpec, open_store
>>> store = open_store("sqlite://", actor="setup",
...                    clock=lambda: datetime(2025, 3, 3, 9, tzinfo=UTC))
>>> fast = SecuritySettings(argon2_time_cost=1, argon2_memory_kib=1024, argon2_parallelism=1)
>>> admin = bootstrap_administrator(store, login="admin", password="a long passphrase",
...                                 settings=fast)
>>> therapist = create_user(store, admin, login="pt.jones", password="another passphrase",
...                         role="therapist", clinic_id="CL-0001", settings=fast)
>>> made = register_patient(store, therapist, NewPatient(
...     name="Ada Example", date_of_birth=date(1950, 6, 1),
...     episode=EpisodeSpec(start_date=date(2025, 3, 3), diagnoses=("R26.81",),
...                         impairments=("balance",)),
...     plan=PlanSpec(start_date=date(2025, 3, 3), frequency_per_week=2, duration_weeks=8,
...                   goals=(GoalSpec(description="Get up and walk safely", measure="tug",
...                                   baseline_value=16, target_value=12,
...                                   target_date=date(2025, 4, 28)),)),
...     account=AccountSpec(login="ada.e")), today=date(2025, 3, 3), settings=fast)
>>> made.code, made.episode_id, made.plan_id, made.goal_ids, made.account.login
('P-0001', 'E-0001', 'C-0001', ('G-0001',), 'ada.e')
>>> len(made.password)  # generated: show it once
19
>>> store.close()
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import TYPE_CHECKING, Final

from reeducate.errors import DomainRuleError, InvalidParameterError, NotFoundError

if TYPE_CHECKING:
    from reeducate.services.accounts import SecuritySettings
    from reeducate.services.care import CareStore, GoalSpec
    from reeducate.store.repositories import UserAccount

__all__ = [
    "AccountSpec",
    "EpisodeSpec",
    "NewPatient",
    "NewPatientResult",
    "PlanSpec",
    "generate_password",
    "register_patient",
]

#: Characters of a generated password: lower-case letters and digits without look-alikes
#: (no 0/o, 1/l/i): 31 symbols, so 16 of them carry 16 × log2(31) ≈ 79 bits.
PASSWORD_ALPHABET: Final = "abcdefghjkmnpqrstuvwxyz23456789"
_PASSWORD_GROUPS: Final = 4
_PASSWORD_GROUP_LENGTH: Final = 4


@dataclass(frozen=True, slots=True, kw_only=True)
class EpisodeSpec:
    """An episode of care as typed: first day, ICD-10 codes, impairments."""

    start_date: date
    diagnoses: tuple[str, ...]
    impairments: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class PlanSpec:
    """A plan of care as typed, with at least one goal (``certification_date`` defaults to
    ``start_date``, as in ``reeducate plan create``)."""

    start_date: date
    frequency_per_week: int
    duration_weeks: int
    goals: tuple[GoalSpec, ...]
    certification_date: date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AccountSpec:
    """The patient's sign-in account: a login name and an initial password (None: generate)."""

    login: str
    password: str | None = field(default=None, repr=False)


@dataclass(frozen=True, slots=True, kw_only=True)
class NewPatient:
    """Everything the therapist typed; the name and date of birth never show in a ``repr``."""

    name: str = field(repr=False)
    date_of_birth: date = field(repr=False)
    episode: EpisodeSpec | None = None
    plan: PlanSpec | None = None
    account: AccountSpec | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class NewPatientResult:
    """What was made. ``password`` is the generated one, to show once (None when typed)."""

    code: str
    clinic_id: str
    episode_id: str | None
    plan_id: str | None
    goal_ids: tuple[str, ...]
    account: UserAccount | None
    password: str | None = field(default=None, repr=False)


def generate_password() -> str:
    """A random initial password, e.g. ``"k7pm-3xqa-wz9e-h4tn"`` (16 symbols of
    :data:`PASSWORD_ALPHABET` in groups of 4, from :mod:`secrets`)."""
    return "-".join(
        "".join(secrets.choice(PASSWORD_ALPHABET) for _ in range(_PASSWORD_GROUP_LENGTH))
        for _ in range(_PASSWORD_GROUPS)
    )


@contextmanager
def _field(prefix: str, *, names: frozenset[str] | None = None) -> Iterator[None]:
    """Re-raise a refusal with ``prefix`` before the field its message names first (when
    ``names`` is given, only for a message that starts with one of them)."""
    try:
        yield
    except (InvalidParameterError, DomainRuleError, NotFoundError) as exc:
        message = str(exc)
        first = message.split(" ", 1)[0].split("[", 1)[0].split(".", 1)[0].rstrip(":")
        if message.startswith(prefix) or (names is not None and first not in names):
            raise
        raise type(exc)(prefix + message) from None


@contextmanager
def _one_transaction(store: CareStore) -> Iterator[CareStore]:
    """``store`` with every use case run on it joining one outer transaction (as savepoints);
    committed when the block ends, rolled back whole when it raises."""
    from sqlalchemy.orm import sessionmaker

    bind = store.factory.kw.get("bind")
    if bind is None or not hasattr(bind, "connect"):
        raise RuntimeError("the store's session factory must be bound to an engine")
    with bind.connect() as connection, connection.begin():
        joined = sessionmaker(
            bind=connection,
            expire_on_commit=False,
            autoflush=True,
            join_transaction_mode="create_savepoint",
        )
        yield replace(store, factory=joined, engine=None)


def register_patient(
    store: CareStore,
    by: UserAccount,
    new: NewPatient,
    /,
    *,
    today: date,
    settings: SecuritySettings | None = None,
) -> NewPatientResult:
    """Register a patient of ``by``'s clinic, with the optional episode, plan and account, in
    one transaction written as ``by`` (the audit trail's actor).

    Parameters
    ----------
    store : CareStore
        Where to write (its actor is replaced by ``by.id``).
    by : UserAccount
        The therapist.
    new : NewPatient
        What was typed. A plan needs an episode; a plan needs at least one goal.
    today : date
        The date of birth may not be after it.
    settings : SecuritySettings or None
        Password hashing and rules (None: the defaults).

    Raises
    ------
    reeducate.services.access.PermissionDeniedError
        ``by`` may not create patients (another role, no clinic) or patient accounts.
    InvalidParameterError, DomainRuleError, NotFoundError
        A field that breaks its rule (the message names it; nothing is written).
    """
    from reeducate.clinic.care import Goal
    from reeducate.services.access import Action, Resource, authorize
    from reeducate.services.accounts import (
        DEFAULT_SECURITY,
        check_password,
        create_user,
        normalize_login,
    )
    from reeducate.services.care import add_goal, add_patient, create_plan, open_episode

    security = settings or DEFAULT_SECURITY
    clinic_id = by.clinic_id or ""
    authorize(by, Action.CREATE, Resource.PATIENT, clinic_id=clinic_id)
    if new.account is not None:
        authorize(by, Action.CREATE, Resource.USER, clinic_id=clinic_id)
    _check_identity(new, today=today)
    if new.plan is not None:
        _check_plan(new.plan, new.episode)
    goal_names = frozenset(f.name for f in fields(Goal)) - {"id"}
    password = None
    if new.account is not None:
        password = new.account.password or generate_password()
        with _field("account."):  # checked again by create_user; here before anything is written
            check_password(password, login=normalize_login(new.account.login), settings=security)
    episode_id = plan_id = None
    goal_ids: list[str] = []
    account = None
    with _one_transaction(replace(store, actor=by.id)) as unit:
        code = add_patient(
            unit, name=new.name, date_of_birth=new.date_of_birth, clinic_id=clinic_id
        )
        if new.episode is not None:
            with _field("episode."):
                episode_id = open_episode(
                    unit,
                    patient_code=code,
                    start_date=new.episode.start_date,
                    diagnoses=new.episode.diagnoses,
                    impairments=new.episode.impairments,
                ).id
        if new.plan is not None:
            plan = new.plan
            with _field("plan."), _field("plan.goals[0].", names=goal_names):
                made = create_plan(
                    unit,
                    patient_code=code,
                    start_date=plan.start_date,
                    frequency_per_week=plan.frequency_per_week,
                    duration_weeks=plan.duration_weeks,
                    certification_date=plan.certification_date or plan.start_date,
                    goal=plan.goals[0],
                )
            plan_id = made.id
            goal_ids.append(made.goals[0].id)
            for i, goal in enumerate(plan.goals[1:], start=1):
                with _field(f"plan.goals[{i}]."):
                    goal_ids.append(
                        add_goal(unit, patient_code=code, goal=goal, plan_id=plan_id).id
                    )
        if new.account is not None and password is not None:
            with _field("account."):
                account = create_user(
                    unit,
                    by,
                    login=new.account.login,
                    password=password,
                    role="patient",
                    patient_code=code,
                    settings=security,
                )
    return NewPatientResult(
        code=code,
        clinic_id=clinic_id,
        episode_id=episode_id,
        plan_id=plan_id,
        goal_ids=tuple(goal_ids),
        account=account,
        password=password if new.account is not None and not new.account.password else None,
    )


def _check_identity(new: NewPatient, /, *, today: date) -> None:
    from reeducate.clinic.care import PatientIdentity

    if not isinstance(new.name, str) or not new.name.strip() or len(new.name) > 200:
        raise InvalidParameterError(
            "name must be non-empty text of at most 200 characters; got a value that is not "
            "(not shown: identifying)"
        )
    born = new.date_of_birth
    if isinstance(born, date) and born > today:
        raise InvalidParameterError(
            f"date_of_birth must not be after today ({today.isoformat()}); got a later date "
            "(not shown: identifying)"
        )
    try:
        PatientIdentity(name=new.name, date_of_birth=born)
    except InvalidParameterError as exc:
        raise InvalidParameterError(str(exc).removeprefix("identity.")) from None


def _check_plan(plan: PlanSpec, episode: EpisodeSpec | None, /) -> None:
    if episode is None:
        raise InvalidParameterError(
            "plan needs an episode of care: give episode.diagnoses and episode.impairments; "
            "got a plan without an episode"
        )
    if not plan.goals:
        raise InvalidParameterError("plan.goals must hold at least one measurable goal; got none")
    if plan.start_date < episode.start_date:
        raise InvalidParameterError(
            f"plan.start_date must not be before episode.start_date "
            f"({episode.start_date.isoformat()}); got {plan.start_date.isoformat()}"
        )
