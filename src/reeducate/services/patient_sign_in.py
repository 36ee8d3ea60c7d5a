"""A patient's sign-in, as their therapist manages it: look it up, create it for a patient
registered without one, and reset a forgotten password.

A password left empty is generated (:func:`reeducate.services.intake.generate_password`) and
returned once, to show to the patient; only its hash is stored. A reset ends the patient's
web sessions (:func:`reeducate.services.accounts.set_password`). Everything is authorized as
the therapist (their own clinic's patients only) and audited by the account repository
(never the password or its hash).

Examples
--------
>>> from datetime import date
>>> from reeducate.services.accounts import (SecuritySettings, bootstrap_administrator,
...     create_user)
>>> from reeducate.services.care import add_patient, open_store
>>> fast = SecuritySettings(argon2_time_cost=1, argon2_memory_kib=1024, argon2_parallelism=1)
>>> store = open_store("sqlite://", actor="doc")
>>> admin = bootstrap_administrator(store, login="admin", password="a long passphrase",
...     settings=fast)
>>> pt = create_user(store, admin, login="pt.one", password="another long one", role="therapist",
...     clinic_id="CL-0001", settings=fast)
>>> code = add_patient(store, name="Ada Example", date_of_birth=date(1950, 1, 2),
...     clinic_id="CL-0001")
>>> patient_account(store, pt, code) is None
True
>>> made = create_patient_sign_in(store, pt, code, login="ada.e", settings=fast)
>>> made.account.login, len(made.password)
('ada.e', 19)
>>> reset = reset_patient_password(store, pt, code, password="typed by the therapist",
...     settings=fast)
>>> reset.account.id == made.account.id, reset.password is None
(True, True)
>>> store.close()
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from reeducate.errors import NotFoundError

if TYPE_CHECKING:
    from reeducate.services.accounts import SecuritySettings
    from reeducate.services.care import CareStore
    from reeducate.store.repositories import UserAccount

__all__ = [
    "SignInResult",
    "create_patient_sign_in",
    "patient_account",
    "require_patient_account",
    "reset_patient_password",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class SignInResult:
    """The patient's account, and the password when it was generated (show it once)."""

    account: UserAccount
    password: str | None = field(default=None, repr=False)


def patient_account(store: CareStore, by: UserAccount, code: str, /) -> UserAccount | None:
    """The sign-in account of patient ``code`` (None: the patient has none), for ``by``.

    Raises
    ------
    reeducate.services.access.PermissionDeniedError
        ``by`` may not manage this patient's account (another clinic, another role).
    """
    from reeducate.services.access import Action, Resource, authorize, authorize_patient
    from reeducate.store.engine import transaction
    from reeducate.store.repositories import Repositories

    with transaction(store.factory, read_only=True) as session:
        repos = Repositories(session, actor=by.id, clock=store.clock)
        clinic_id = authorize_patient(repos, by, Action.READ, Resource.PATIENT, patient_code=code)
        authorize(by, Action.CREATE, Resource.USER, clinic_id=clinic_id)
        return repos.users.for_patient(code)


def require_patient_account(store: CareStore, by: UserAccount, code: str, /) -> UserAccount:
    """:func:`patient_account`, or :class:`NotFoundError` when the patient has no sign-in."""
    account = patient_account(store, by, code)
    if account is None:
        raise NotFoundError(f"code must be a patient with a sign-in; {code} has none yet")
    return account


def create_patient_sign_in(
    store: CareStore,
    by: UserAccount,
    code: str,
    /,
    *,
    login: str,
    password: str | None = None,
    settings: SecuritySettings | None = None,
) -> SignInResult:
    """Create the sign-in of patient ``code``, who has none (``password`` None: generated).

    Raises
    ------
    reeducate.services.access.PermissionDeniedError
        ``by`` may not create it.
    InvalidParameterError
        A bad login name or password (the message names ``login`` or ``password``).
    DomainRuleError
        The login name is taken, or the patient has an account already.
    """
    from reeducate.services.accounts import DEFAULT_SECURITY, create_user
    from reeducate.services.intake import generate_password

    chosen = password or generate_password()
    account = create_user(
        store,
        by,
        login=login,
        password=chosen,
        role="patient",
        patient_code=code,
        settings=settings or DEFAULT_SECURITY,
    )
    return SignInResult(account=account, password=None if password else chosen)


def reset_patient_password(
    store: CareStore,
    by: UserAccount,
    code: str,
    /,
    *,
    password: str | None = None,
    settings: SecuritySettings | None = None,
) -> SignInResult:
    """Give patient ``code``'s account a new password (``password`` None: generated) and end
    its web sessions.

    Raises
    ------
    reeducate.services.access.PermissionDeniedError
        ``by`` may not reset it.
    NotFoundError
        The patient has no sign-in yet (create one).
    InvalidParameterError
        The password breaks the rules (the message names ``password``).
    """
    from reeducate.services.accounts import DEFAULT_SECURITY, set_password
    from reeducate.services.intake import generate_password

    account = require_patient_account(store, by, code)
    chosen = password or generate_password()
    set_password(store, by, account.id, new_password=chosen, settings=settings or DEFAULT_SECURITY)
    return SignInResult(account=account, password=None if password else chosen)
