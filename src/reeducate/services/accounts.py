"""Accounts: clinics, users, passwords, sign-in with throttling, server-side web sessions.

Passwords
    Hashed with **argon2id** (``argon2-cffi``) at time cost 3, memory 64 MiB, parallelism 4:
    the second recommended option of RFC 9106 §4 (the first, 2 GiB per hash, cannot serve a
    clinic's morning rush of sign-ins on one machine), above the OWASP Password Storage Cheat
    Sheet's minimums (19 MiB, t = 2); about 0.1 s per hash on one core of a current server,
    which is what an attacker pays per guess on stolen hashes. The parameters are
    :class:`SecuritySettings` fields; a hash made with other parameters is re-made at the next
    successful sign-in. Rules (NIST SP 800-63B §5.1.1.2, no composition rules): at least 12
    characters, at most 1,024, not the login name.
Sign-in
    :func:`login` verifies the password; for an unknown or disabled login name it verifies
    against a dummy hash, so the answer takes as long and says the same ("login or password is
    incorrect"). Throttling: 5 failed attempts for one login name (counted since its last
    successful sign-in), or 20 from one client address, within 15 minutes lock that name or
    address for 15 minutes after the failure that reached the threshold (:func:`lockout_until`);
    attempts while locked are refused without checking the password and do not extend the lock.
    The address threshold is higher because a clinic's staff often share one address behind a
    router: one person's typos must not lock out their colleagues, while 20 guesses per quarter
    hour still caps online guessing at 80 an hour. Attempts are stored with the login name and the
    address as SHA-256 digests (pseudonymous), never in clear.
Sessions
    A session is a random 256-bit token (``secrets.token_urlsafe(32)``) given to the browser in
    a cookie; the server keeps only its SHA-256 digest (a random 256-bit value needs no slow
    hash), with the user, creation, last activity, absolute expiry and a per-session CSRF secret.
    A session ends after 30 idle minutes or 12 hours in all, at logout, or when the account is
    disabled or its password changed. The last activity is written at most once a minute.
The clock
    Every time comes from ``store.clock`` (inject one in tests); nothing here reads the system
    clock.

Who may create whom: an administrator creates administrators and therapists (a therapist in a
clinic); a therapist creates the account of a patient of their own clinic
(:data:`MANAGED_ROLES`, and the policy of :mod:`reeducate.services.access`). The first
administrator is made by :func:`bootstrap_administrator` (the CLI calls it).

Errors: :class:`AuthenticationError` (sign-in refused; the API answers 401) and its subclass
:class:`LoginThrottledError` (429, with ``retry_after_s``); both are
:class:`~reeducate.errors.ReeducateError` and :class:`PermissionError`. Messages never quote a
password, a login name or a client address.

Examples
--------
>>> from datetime import UTC, datetime
>>> from reeducate.services.care import open_store
>>> clock = lambda: datetime(2025, 3, 3, 9, tzinfo=UTC)
>>> store = open_store("sqlite://", actor="setup", clock=clock)
>>> fast = SecuritySettings(argon2_time_cost=1, argon2_memory_kib=1024, argon2_parallelism=1)
>>> admin = bootstrap_administrator(store, login="Admin", password="a long passphrase",
...                                 settings=fast)
>>> admin.id, admin.login, admin.role.value
('U-0001', 'admin', 'administrator')
>>> signed_in = login(store, login="ADMIN", password="a long passphrase", settings=fast)
>>> authenticate(store, signed_in.token, settings=fast).user.id
'U-0001'
>>> logout(store, signed_in.token), authenticate(store, signed_in.token, settings=fast)
(True, None)
>>> store.close()
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from typing import TYPE_CHECKING, Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from reeducate.errors import DomainRuleError, InvalidParameterError, ReeducateError
from reeducate.services.access import (
    Action,
    PermissionDeniedError,
    Resource,
    authorize,
    authorize_patient,
)
from reeducate.store.models import LoginOutcome, Role

if TYPE_CHECKING:
    from reeducate.services.care import CareStore
    from reeducate.store.repositories import Clinic, Repositories, UserAccount, WebSession

__all__ = [
    "DEFAULT_SECURITY",
    "MANAGED_ROLES",
    "PASSWORD_MAX_LENGTH",
    "AuthenticationError",
    "CurrentSession",
    "LoginResult",
    "LoginThrottledError",
    "SecuritySettings",
    "authenticate",
    "bootstrap_administrator",
    "check_password",
    "create_clinic",
    "create_user",
    "disable_user",
    "hash_password",
    "list_clinics",
    "list_users",
    "lockout_until",
    "login",
    "logout",
    "needs_rehash",
    "normalize_login",
    "password_hasher",
    "purge_expired",
    "rename_clinic",
    "set_password",
    "token_digest",
    "verify_csrf",
    "verify_password",
]

#: Longest password accepted (bounds the work of hashing one).
PASSWORD_MAX_LENGTH: Final = 1024
_LOGIN_PATTERN: Final = re.compile(r"[a-z0-9][a-z0-9._@-]{2,63}")
_TOKEN_MAX_LENGTH: Final = 128
_CLINIC_NAME_MAX: Final = 200

#: Which roles of account each role may create, reset and disable.
MANAGED_ROLES: Final[Mapping[Role, frozenset[Role]]] = {
    Role.ADMINISTRATOR: frozenset({Role.ADMINISTRATOR, Role.THERAPIST}),
    Role.THERAPIST: frozenset({Role.PATIENT}),
    Role.PATIENT: frozenset(),
}


class AuthenticationError(ReeducateError, PermissionError):
    """Sign-in refused: unknown login name, wrong password or disabled account (one message
    for all three)."""


class LoginThrottledError(AuthenticationError):
    """Sign-in refused unchecked: too many failures for the login name or client address.

    Attributes
    ----------
    retry_after_s : float
        Seconds until the lock ends.
    """

    def __init__(self, message: str, *, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


# --------------------------------------------------------------------------------------------
# Settings
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class SecuritySettings:
    """Parameters of password hashing, sign-in throttling and sessions (see the module text for
    the reasons of the defaults). The application's settings build one of these.

    Attributes
    ----------
    argon2_time_cost : int
        Argon2id passes (RFC 9106 ``t``).
    argon2_memory_kib : int
        Argon2id memory in KiB (``m``; 65,536 KiB = 64 MiB).
    argon2_parallelism : int
        Argon2id lanes (``p``).
    password_min_length : int
        Fewest characters in a password.
    login_failures_per_login, login_failures_per_address : int
        Failures within ``throttle_window_min`` that lock a login name, a client address.
    throttle_window_min, lockout_min : float
        The window failures are counted in, and how long a lock lasts, in minutes.
    session_idle_min, session_lifetime_min : float
        A session ends after this many idle minutes, or this many minutes in all.
    session_touch_interval_s : float
        A session's last activity is written when it is older than this.
    login_attempt_retention_days : float
        :func:`purge_expired` deletes login attempts older than this.
    """

    argon2_time_cost: int = 3
    argon2_memory_kib: int = 65_536
    argon2_parallelism: int = 4
    password_min_length: int = 12
    login_failures_per_login: int = 5
    login_failures_per_address: int = 20
    throttle_window_min: float = 15
    lockout_min: float = 15
    session_idle_min: float = 30
    session_lifetime_min: float = 12 * 60
    session_touch_interval_s: float = 60
    login_attempt_retention_days: float = 30

    def __post_init__(self) -> None:
        for name in (
            "argon2_time_cost",
            "argon2_parallelism",
            "password_min_length",
            "login_failures_per_login",
            "login_failures_per_address",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise InvalidParameterError(f"{name} must be a whole number >= 1; got {value!r}")
        if self.argon2_memory_kib < 8 * self.argon2_parallelism:
            raise InvalidParameterError(
                "argon2_memory_kib must be >= 8 × argon2_parallelism "
                f"({8 * self.argon2_parallelism}); got {self.argon2_memory_kib!r}"
            )
        if self.password_min_length > PASSWORD_MAX_LENGTH:
            raise InvalidParameterError(
                f"password_min_length must be <= {PASSWORD_MAX_LENGTH}; "
                f"got {self.password_min_length}"
            )
        for name in (
            "throttle_window_min",
            "lockout_min",
            "session_idle_min",
            "session_lifetime_min",
            "login_attempt_retention_days",
        ):
            value = getattr(self, name)
            if not isinstance(value, int | float) or isinstance(value, bool) or not value > 0:
                raise InvalidParameterError(f"{name} must be > 0; got {value!r}")
        if not self.session_touch_interval_s >= 0:
            raise InvalidParameterError(
                f"session_touch_interval_s must be >= 0; got {self.session_touch_interval_s!r}"
            )

    @property
    def throttle_window(self) -> timedelta:
        return timedelta(minutes=self.throttle_window_min)

    @property
    def lockout(self) -> timedelta:
        return timedelta(minutes=self.lockout_min)


#: The defaults: RFC 9106 argon2id t=3 m=64 MiB p=4; 5 (login) / 20 (address) failures in
#: 15 min lock 15 min; sessions end after 30 idle minutes or 12 hours.
DEFAULT_SECURITY: Final = SecuritySettings()


# --------------------------------------------------------------------------------------------
# Passwords and login names
# --------------------------------------------------------------------------------------------


@lru_cache(maxsize=8)
def _hasher(time_cost: int, memory_kib: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=parallelism)


def password_hasher(settings: SecuritySettings = DEFAULT_SECURITY, /) -> PasswordHasher:
    """The argon2id hasher of ``settings`` (16-byte salt, 32-byte hash)."""
    return _hasher(
        settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
    )


@lru_cache(maxsize=8)
def _dummy_hash(time_cost: int, memory_kib: int, parallelism: int) -> str:
    # A hash of a random password nobody knows: verified against when the login name is unknown,
    # so that an unknown name costs the same time as a known one.
    return _hasher(time_cost, memory_kib, parallelism).hash(secrets.token_urlsafe(24))


def hash_password(password: str, /, *, settings: SecuritySettings = DEFAULT_SECURITY) -> str:
    """The argon2id hash of ``password`` (PHC string ``$argon2id$v=19$m=...,t=...,p=...$...``)."""
    return password_hasher(settings).hash(password)


def verify_password(
    stored_hash: str, password: str, /, *, settings: SecuritySettings = DEFAULT_SECURITY
) -> bool:
    """Whether ``password`` matches ``stored_hash`` (False also for a malformed hash)."""
    try:
        return password_hasher(settings).verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str, /, *, settings: SecuritySettings = DEFAULT_SECURITY) -> bool:
    """Whether ``stored_hash`` was made with other parameters than ``settings``'."""
    try:
        return password_hasher(settings).check_needs_rehash(stored_hash)
    except (InvalidHashError, ValueError):
        return True


def normalize_login(login: object, /) -> str:
    """The login name as stored: stripped, lower-case; 3–64 characters of letters, digits and
    ``. _ @ -``, starting with a letter or digit.

    Examples
    --------
    >>> normalize_login(" Pt.Jones@Clinic ")
    'pt.jones@clinic'
    """
    if not isinstance(login, str):
        raise InvalidParameterError(f"login must be text; got {type(login).__name__}")
    text = login.strip().lower()
    if not _LOGIN_PATTERN.fullmatch(text):
        raise InvalidParameterError(
            "login must be 3–64 characters of letters, digits, '.', '_', '@' or '-', starting "
            f"with a letter or digit; got {len(text)} characters that do not fit"
        )
    return text


def check_password(
    password: object, /, *, login: str, settings: SecuritySettings = DEFAULT_SECURITY
) -> str:
    """Refuse a password that breaks the rules (length, not the login name); returns it.

    Examples
    --------
    >>> check_password("short", login="pt.jones")
    Traceback (most recent call last):
    ...
    reeducate.errors.InvalidParameterError: password must be at least 12 characters; got 5
    """
    if not isinstance(password, str):
        raise InvalidParameterError(f"password must be text; got {type(password).__name__}")
    if len(password) < settings.password_min_length:
        raise InvalidParameterError(
            f"password must be at least {settings.password_min_length} characters; "
            f"got {len(password)}"
        )
    if len(password) > PASSWORD_MAX_LENGTH:
        raise InvalidParameterError(
            f"password must be at most {PASSWORD_MAX_LENGTH} characters; got {len(password)}"
        )
    if password.strip().casefold() == login.strip().casefold():
        raise InvalidParameterError("password must not be the login name; got the login name")
    return password


def _digest(kind: str, value: str) -> str:
    return hashlib.sha256(f"reeducate:{kind}:{value}".encode()).hexdigest()


def token_digest(token: str, /) -> str:
    """The SHA-256 digest (hex) under which a session token is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


# --------------------------------------------------------------------------------------------
# Units of work
# --------------------------------------------------------------------------------------------


class _Unit:
    """One transaction with the repositories, acting as ``actor``."""

    def __init__(self, store: CareStore, actor: str, *, read_only: bool = False) -> None:
        self._store = store
        self._actor = actor
        self._read_only = read_only
        self._context: object = None

    def __enter__(self) -> Repositories:
        from reeducate.store.engine import transaction
        from reeducate.store.repositories import Repositories

        context = transaction(self._store.factory, read_only=self._read_only)
        self._context = context
        return Repositories(context.__enter__(), actor=self._actor, clock=self._store.clock)

    def __exit__(self, *exc: object) -> bool | None:
        result: bool | None = self._context.__exit__(*exc)  # type: ignore[attr-defined]
        return result


def _now(store: CareStore) -> datetime:
    now = store.clock()
    if now.utcoffset() is None:
        raise InvalidParameterError(
            f"clock must return timezone-aware datetimes; got naive {now.isoformat()}"
        )
    return now


def _require_active(user: UserAccount) -> None:
    if not user.active:
        raise PermissionDeniedError(f"user account {user.id} is disabled")


def _require_manages(by: UserAccount, role: Role, *, what: str) -> None:
    if role not in MANAGED_ROLES[by.role]:
        allowed = ", ".join(sorted(MANAGED_ROLES[by.role])) or "none"
        raise PermissionDeniedError(
            f"{by.role} {by.id} may {what} accounts of roles: {allowed}; got {role}"
        )


# --------------------------------------------------------------------------------------------
# Clinics
# --------------------------------------------------------------------------------------------


def _clinic_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > _CLINIC_NAME_MAX:
        raise InvalidParameterError(
            f"name must be non-empty text of at most {_CLINIC_NAME_MAX} characters; got {name!r}"
        )
    return name.strip()


def create_clinic(store: CareStore, by: UserAccount, /, *, name: str) -> Clinic:
    """Create a clinic (id ``CL-0002``, …); administrators only."""
    from reeducate.store.models import ClinicRow

    name = _clinic_name(name)
    authorize(by, Action.CREATE, Resource.CLINIC)
    with _Unit(store, by.id) as repos:
        return repos.clinics.add(repos.next_id(ClinicRow, "CL"), name=name)


def rename_clinic(store: CareStore, by: UserAccount, clinic_id: str, /, *, name: str) -> Clinic:
    """Rename a clinic; administrators only."""
    name = _clinic_name(name)
    authorize(by, Action.UPDATE, Resource.CLINIC, clinic_id=clinic_id)
    with _Unit(store, by.id) as repos:
        return repos.clinics.rename(clinic_id, name=name)


def list_clinics(store: CareStore, by: UserAccount, /) -> list[Clinic]:
    """The clinics ``by`` may see: all for an administrator, their own for a therapist."""
    if by.role is Role.ADMINISTRATOR:
        authorize(by, Action.LIST, Resource.CLINIC)
        with _Unit(store, by.id) as repos:
            return repos.clinics.all()
    authorize(by, Action.LIST, Resource.CLINIC, clinic_id=by.clinic_id)
    assert by.clinic_id is not None  # authorize refuses a user of no clinic
    with _Unit(store, by.id) as repos:
        return [repos.clinics.get(by.clinic_id)]


# --------------------------------------------------------------------------------------------
# Users
# --------------------------------------------------------------------------------------------


def bootstrap_administrator(
    store: CareStore,
    /,
    *,
    login: str,
    password: str,
    settings: SecuritySettings = DEFAULT_SECURITY,
) -> UserAccount:
    """Create the first administrator (of no clinic) on an installation that has none.

    Raises
    ------
    DomainRuleError
        An administrator already exists (then administrators create the others).
    InvalidParameterError
        A login name or password that breaks the rules.
    """
    from reeducate.store.models import UserAccountRow
    from reeducate.store.repositories import UserAccount

    name = normalize_login(login)
    password_hash = hash_password(
        check_password(password, login=name, settings=settings), settings=settings
    )
    with _Unit(store, "bootstrap") as repos:
        existing = repos.users.count(role=Role.ADMINISTRATOR)
        if existing:
            raise DomainRuleError(
                "bootstrap creates only the first administrator; got an installation with "
                f"{existing} already (an administrator creates the others)"
            )
        user = UserAccount(
            id=repos.next_id(UserAccountRow, "U"),
            login=name,
            role=Role.ADMINISTRATOR,
            clinic_id=None,
            patient_code=None,
            created_at=_now(store),
        )
        repos.users.add(user, password_hash=password_hash)
    return user


def create_user(
    store: CareStore,
    by: UserAccount,
    /,
    *,
    login: str,
    password: str,
    role: Role | str,
    clinic_id: str | None = None,
    patient_code: str | None = None,
    settings: SecuritySettings = DEFAULT_SECURITY,
) -> UserAccount:
    """Create an account, as ``by``.

    An administrator creates administrators (``clinic_id`` optional) and therapists
    (``clinic_id`` required); a therapist creates the account of a patient of their own clinic
    (``patient_code`` required; the account's clinic is the patient's).

    Raises
    ------
    PermissionDeniedError
        ``by`` may not create this account (role, clinic or patient out of their reach).
    InvalidParameterError
        A bad login name, password, role, or a missing or contradictory clinic / patient.
    DomainRuleError
        The login name is taken, or the patient has an account already.
    NotFoundError
        An unknown clinic.
    """
    from reeducate.store.models import UserAccountRow
    from reeducate.store.repositories import UserAccount

    _require_active(by)
    try:
        role = Role(role)
    except ValueError:
        raise InvalidParameterError(
            f"role must be one of {', '.join(r.value for r in Role)}; got {role!r}"
        ) from None
    _require_manages(by, role, what="create")
    name = normalize_login(login)
    if role is Role.PATIENT:
        if patient_code is None:
            raise InvalidParameterError("patient_code is required for a patient account; got None")
    elif patient_code is not None:
        raise InvalidParameterError(
            f"patient_code is only for a patient account; got one for a {role} account"
        )
    if role is Role.THERAPIST and clinic_id is None:
        raise InvalidParameterError("clinic_id is required for a therapist account; got None")
    password_hash = hash_password(
        check_password(password, login=name, settings=settings), settings=settings
    )
    with _Unit(store, by.id) as repos:
        if patient_code is not None:
            patient_clinic = authorize_patient(
                repos, by, Action.READ, Resource.PATIENT, patient_code=patient_code
            )
            if clinic_id is not None and clinic_id != patient_clinic:
                raise InvalidParameterError(
                    f"clinic_id must be the patient's clinic {patient_clinic}; got {clinic_id!r}"
                )
            clinic_id = patient_clinic
        if clinic_id is not None:
            repos.clinics.get(clinic_id)
        authorize(by, Action.CREATE, Resource.USER, clinic_id=clinic_id)
        user = UserAccount(
            id=repos.next_id(UserAccountRow, "U"),
            login=name,
            role=role,
            clinic_id=clinic_id,
            patient_code=patient_code,
            created_at=_now(store),
        )
        repos.users.add(user, password_hash=password_hash)
    return user


def _managed_target(
    repos: Repositories, by: UserAccount, user_id: str, *, what: str
) -> UserAccount:
    target = repos.users.get(user_id)
    _require_manages(by, target.role, what=what)
    authorize(by, Action.UPDATE, Resource.USER, clinic_id=target.clinic_id, user_id=target.id)
    return target


def set_password(
    store: CareStore,
    by: UserAccount,
    user_id: str,
    /,
    *,
    new_password: str,
    current_password: str | None = None,
    settings: SecuritySettings = DEFAULT_SECURITY,
) -> None:
    """Set an account's password and end its web sessions (sign in again).

    A user changing their own password gives ``current_password``; an administrator (for
    administrators and therapists) or a therapist (for their clinic's patients) resets another
    account's without it.

    Raises
    ------
    AuthenticationError
        ``current_password`` is wrong (or missing) for one's own account.
    PermissionDeniedError
        ``by`` may not change this account.
    InvalidParameterError
        The new password breaks the rules.
    """
    _require_active(by)
    own = user_id == by.id
    with _Unit(store, by.id) as repos:
        target = (
            repos.users.get(user_id) if own else _managed_target(repos, by, user_id, what="reset")
        )
        if own:
            authorize(by, Action.UPDATE, Resource.USER, clinic_id=by.clinic_id, user_id=by.id)
            stored = repos.users.password_hash(by.id)
    check_password(new_password, login=target.login, settings=settings)
    if own and (
        current_password is None or not verify_password(stored, current_password, settings=settings)
    ):
        raise AuthenticationError("current_password must be the account's password; got another")
    password_hash = hash_password(new_password, settings=settings)
    with _Unit(store, by.id) as repos:
        repos.users.set_password_hash(
            target.id, password_hash, reason="changed" if own else "reset"
        )
        repos.web_sessions.delete_for_user(target.id)


def disable_user(store: CareStore, by: UserAccount, user_id: str, /) -> UserAccount:
    """Disable an account (it can no longer sign in or act) and end its web sessions.

    Raises
    ------
    PermissionDeniedError
        ``by`` may not manage this account.
    DomainRuleError
        ``by`` disables their own account (ask another administrator).
    """
    _require_active(by)
    if user_id == by.id:
        raise DomainRuleError(f"user_id must be another account than your own; got {user_id}")
    with _Unit(store, by.id) as repos:
        _managed_target(repos, by, user_id, what="disable")
        repos.web_sessions.delete_for_user(user_id)
        return repos.users.disable(user_id)


def list_users(
    store: CareStore, by: UserAccount, /, *, clinic_id: str | None = None
) -> list[UserAccount]:
    """The accounts ``by`` may list: any clinic's (or all, with None) for an administrator, their
    own clinic's for a therapist."""
    if by.role is not Role.ADMINISTRATOR and clinic_id is None:
        clinic_id = by.clinic_id
    authorize(by, Action.LIST, Resource.USER, clinic_id=clinic_id)
    with _Unit(store, by.id) as repos:
        return repos.users.all(clinic_id=clinic_id)


# --------------------------------------------------------------------------------------------
# Sign-in and throttling
# --------------------------------------------------------------------------------------------


def lockout_until(
    failures: Sequence[datetime], /, *, threshold: int, window: timedelta, lockout: timedelta
) -> datetime | None:
    """When the latest lock caused by ``failures`` ends (None: they cause none).

    A failure locks when it and the ``threshold - 1`` failures before it all fall within
    ``window`` (from the first of them to it: less than ``window``); the lock lasts ``lockout``
    from that failure.

    Examples
    --------
    >>> from datetime import UTC, datetime, timedelta
    >>> t0 = datetime(2025, 3, 3, 9, tzinfo=UTC)
    >>> times = [t0 + timedelta(minutes=m) for m in (0, 1, 2, 3, 4)]
    >>> lockout_until(times, threshold=5, window=timedelta(minutes=15),
    ...               lockout=timedelta(minutes=15)) - t0
    datetime.timedelta(seconds=1140)
    >>> lockout_until(times[:4], threshold=5, window=timedelta(minutes=15),
    ...               lockout=timedelta(minutes=15)) is None
    True
    """
    times = sorted(failures)
    until: datetime | None = None
    for last in range(threshold - 1, len(times)):
        if times[last] - times[last - threshold + 1] < window:
            end = times[last] + lockout
            if until is None or end > until:
                until = end
    return until


@dataclass(frozen=True, slots=True, kw_only=True)
class CurrentSession:
    """A valid web session and its user."""

    user: UserAccount
    session: WebSession


@dataclass(frozen=True, slots=True, kw_only=True)
class LoginResult:
    """A successful sign-in: the user, the new session and its token (for the cookie; shown
    nowhere else, stored nowhere)."""

    user: UserAccount
    session: WebSession
    token: str = field(repr=False)


def _lock_end(
    repos: Repositories,
    settings: SecuritySettings,
    now: datetime,
    *,
    login_key: str,
    address_key: str | None,
) -> datetime | None:
    horizon = now - settings.throttle_window - settings.lockout
    since = horizon
    last_success = repos.login_attempts.last_success(login_digest=login_key)
    if last_success is not None and last_success > since:
        since = last_success
    ends = [
        lockout_until(
            repos.login_attempts.failures(since=since, login_digest=login_key),
            threshold=settings.login_failures_per_login,
            window=settings.throttle_window,
            lockout=settings.lockout,
        )
    ]
    if address_key is not None:
        ends.append(
            lockout_until(
                repos.login_attempts.failures(since=horizon, address_digest=address_key),
                threshold=settings.login_failures_per_address,
                window=settings.throttle_window,
                lockout=settings.lockout,
            )
        )
    active = [end for end in ends if end is not None and end > now]
    return max(active) if active else None


def login(
    store: CareStore,
    /,
    *,
    login: str,
    password: str,
    client_address: str | None = None,
    settings: SecuritySettings = DEFAULT_SECURITY,
) -> LoginResult:
    """Sign in: check throttling, verify the password, record the attempt, open a session.

    The password is verified outside any transaction (it takes ~0.1 s), between a read of the
    throttling state and the write of the attempt.

    Parameters
    ----------
    login, password : str
        As typed (the login name is compared lower-case).
    client_address : str or None
        The client's address, for per-address throttling (None: not throttled by address).
    settings : SecuritySettings

    Raises
    ------
    LoginThrottledError
        The login name or the address is locked (``retry_after_s`` says for how long).
    AuthenticationError
        Unknown login name, wrong password or disabled account.
    """
    from reeducate.store.repositories import WebSession

    now = _now(store)
    typed = login.strip().lower()[:256] if isinstance(login, str) else ""
    login_key = _digest("login", typed)
    address_key = None if client_address is None else _digest("address", str(client_address)[:256])
    with _Unit(store, "anonymous") as repos:
        locked_until = _lock_end(repos, settings, now, login_key=login_key, address_key=address_key)
        user = None if locked_until is not None else repos.users.by_login(typed)
        stored = None if user is None else repos.users.password_hash(user.id)
    if locked_until is not None:
        with _Unit(store, "anonymous") as repos:
            repos.login_attempts.add(
                attempted_at=now,
                login_digest=login_key,
                address_digest=address_key,
                outcome=LoginOutcome.LOCKED,
            )
        retry = (locked_until - now).total_seconds()
        raise LoginThrottledError(
            f"sign-in is locked after too many failed attempts; retry in {retry:.0f} s",
            retry_after_s=retry,
        )
    hasher_args = (
        settings.argon2_time_cost,
        settings.argon2_memory_kib,
        settings.argon2_parallelism,
    )
    ok = (
        isinstance(password, str)
        and len(password) <= PASSWORD_MAX_LENGTH
        and verify_password(
            stored if stored is not None else _dummy_hash(*hasher_args), password, settings=settings
        )
        and user is not None
        and user.active
    )
    if not ok or user is None or stored is None:
        with _Unit(store, "anonymous") as repos:
            repos.login_attempts.add(
                attempted_at=now,
                login_digest=login_key,
                address_digest=address_key,
                outcome=LoginOutcome.FAILURE,
            )
        raise AuthenticationError("login or password is incorrect")
    new_hash = (
        hash_password(password, settings=settings)
        if needs_rehash(stored, settings=settings)
        else None
    )
    token = secrets.token_urlsafe(32)
    session = WebSession(
        token_digest=token_digest(token),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(minutes=settings.session_lifetime_min),
        csrf_secret=secrets.token_urlsafe(32),
    )
    with _Unit(store, user.id) as repos:
        repos.login_attempts.add(
            attempted_at=now,
            login_digest=login_key,
            address_digest=address_key,
            outcome=LoginOutcome.SUCCESS,
        )
        if new_hash is not None:
            repos.users.set_password_hash(user.id, new_hash, reason="rehashed")
        repos.web_sessions.add(session)
    return LoginResult(user=user, session=session, token=token)


def _expired(session: WebSession, now: datetime, settings: SecuritySettings) -> bool:
    return now >= session.expires_at or now - session.last_seen_at >= timedelta(
        minutes=settings.session_idle_min
    )


def authenticate(
    store: CareStore, token: object, /, *, settings: SecuritySettings = DEFAULT_SECURITY
) -> CurrentSession | None:
    """The session and user of a cookie's token; None when there is none, it has expired (idle
    or in all; it is then deleted) or the account is disabled. Records the activity (at most
    once per ``session_touch_interval_s``)."""
    from dataclasses import replace

    if not isinstance(token, str) or not token or len(token) > _TOKEN_MAX_LENGTH:
        return None
    digest = token_digest(token)
    now = _now(store)
    # Every request comes here: read without taking the write lock, and write (in a
    # transaction of its own) only when the session ends or its activity is due to be recorded.
    with _Unit(store, "session", read_only=True) as repos:
        session = repos.web_sessions.get(digest)
        if session is None:
            return None
        user = repos.users.get(session.user_id)
        ended = _expired(session, now, settings) or not user.active
        touch = (now - session.last_seen_at).total_seconds() >= settings.session_touch_interval_s
    if ended:
        with _Unit(store, "session") as repos:
            repos.web_sessions.delete(digest)
        return None
    if touch:
        with _Unit(store, "session") as repos:
            if repos.web_sessions.get(digest) is None:  # signed out meanwhile
                return None
            repos.web_sessions.touch(digest, at=now)
        session = replace(session, last_seen_at=now)
    return CurrentSession(user=user, session=session)


def logout(store: CareStore, token: object, /) -> bool:
    """End the session of ``token``; whether there was one."""
    if not isinstance(token, str) or not token or len(token) > _TOKEN_MAX_LENGTH:
        return False
    with _Unit(store, "session") as repos:
        return repos.web_sessions.delete(token_digest(token))


def purge_expired(store: CareStore, /, *, settings: SecuritySettings = DEFAULT_SECURITY) -> int:
    """Delete expired web sessions and login attempts past their retention; how many rows."""
    now = _now(store)
    with _Unit(store, "purge") as repos:
        sessions = repos.web_sessions.purge(
            now=now, idle_since=now - timedelta(minutes=settings.session_idle_min)
        )
        attempts = repos.login_attempts.purge(
            before=now - timedelta(days=settings.login_attempt_retention_days)
        )
    return sessions + attempts


def verify_csrf(session: WebSession, submitted: object, /) -> bool:
    """Whether a form's CSRF token is the session's secret (compared in constant time)."""
    if not isinstance(submitted, str) or not submitted:
        return False
    return hmac.compare_digest(session.csrf_secret.encode(), submitted.encode())
