"""Who may do what: the access policy, its scope rule, and audited reads of patient data.

The policy is one table, :data:`POLICY`: for every resource and action, the scope each role
has. A scope says *which* records of that resource the role reaches:

==============  ===============================================================================
scope           the role reaches
==============  ===============================================================================
``any``         every record of the installation
``own_clinic``  the records of their own clinic: a patient's data when the patient belongs to
                the user's clinic; a clinic when it is theirs; an account of their clinic
``own``         their own record only: a patient user their own patient data; any user their
                own account
``none``        nothing
==============  ===============================================================================

The table, read by role (``-`` = none; the test ``tests/unit/services/test_access_matrix.py``
walks every cell of it, own clinic against another clinic, own record against another patient):

======================  ============================  ============================  ===========
resource                administrator                 therapist                     patient
======================  ============================  ============================  ===========
clinic                  list read create update: any  list read: own_clinic         read:
                                                                                    own_clinic
user (accounts)         list read create update: any  list read create update:      read update:
                                                      own_clinic                    own
patient                 -                             list read create update:      read: own
                                                      own_clinic
episode, plan,          -                             list read create update:      list read:
prescription                                          own_clinic                    own
session                 -                             list read create update:      list read
                                                      own_clinic                    create: own
outcome score,          -                             list read create update:      list read:
balance trial                                         own_clinic                    own
recommendation /        -                             list read decide: own_clinic  -
decision
audit log               list read: any                -                             -
exercise library        list read: any                list read: any                list read:
                                                                                    any
======================  ============================  ============================  ===========

Nobody deletes anything: clinical records are corrected by new records, accounts are disabled,
the audit log is append-only. Decisions on recommendations are only ``decide``-d (never created
or updated directly). Choices this table makes, and why:

* **The administrator does not read clinical records.** They manage clinics and accounts and
  read the audit log; the minimum-necessary principle (HIPAA 45 CFR 164.502(b), GDPR art. 5(1)(c))
  gives clinical data to those who treat. The audit log carries pseudonymous codes and the
  records as written, never names or dates of birth.
* **The patient does not see the engine's recommendations** before their therapist has decided:
  the recommendation is decision support for the therapist; its outcome reaches the patient as
  their prescription.
* **A patient logs their own sessions** (home programme) but does not score outcome measures or
  upload trials: those are the therapist's.
* Which *roles* of account a user may create or change (an administrator: administrators and
  therapists; a therapist: patients of their clinic) is a second rule, in
  :data:`reeducate.services.accounts.MANAGED_ROLES`.

A disabled account is refused everything. A patient code that does not exist is refused like a
patient of another clinic, so that codes cannot be probed.

Every read of patient data is audited: :func:`audited_read` (one transaction of its own) or
:func:`record_read` (inside the caller's) checks the policy and appends a ``read`` event naming
who, which patient, which resource and record, when; :func:`record_view` does it for a page
that shows several kinds of a patient's records at once (the chart): the patient's clinic
looked up once, every kind checked against the policy, and one event listing the record ids by
kind; :func:`audited_patient_list` does the same for a clinic's patient list. The API and web
layers call one of them before they show patient data. Refusals raise
:class:`PermissionDeniedError` and write nothing.

Examples
--------
>>> from datetime import UTC, datetime
>>> from reeducate.store.models import Role
>>> from reeducate.store.repositories import UserAccount
>>> therapist = UserAccount(id="U-0002", login="pt.jones", role=Role.THERAPIST,
...                         clinic_id="CL-0001", patient_code=None,
...                         created_at=datetime(2025, 3, 3, tzinfo=UTC))
>>> authorize(therapist, Action.READ, Resource.SESSION, patient_code="P-0001",
...           clinic_id="CL-0001")
>>> authorize(therapist, Action.READ, Resource.SESSION, patient_code="P-0009",
...           clinic_id="CL-0002")
Traceback (most recent call last):
...
reeducate.services.access.PermissionDeniedError: therapist U-0002 may read session only for \
patients of their own clinic; got patient P-0009 of another clinic
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Final

from reeducate.errors import InvalidParameterError, NotFoundError, ReeducateError
from reeducate.store.models import Role

if TYPE_CHECKING:
    from reeducate.services.care import CareStore
    from reeducate.store.repositories import AuditEvent, Repositories, UserAccount

__all__ = [
    "PATIENT_DATA",
    "POLICY",
    "Action",
    "PermissionDeniedError",
    "Resource",
    "Scope",
    "audited_patient_list",
    "audited_read",
    "authorize",
    "authorize_patient",
    "authorize_view",
    "is_allowed",
    "record_read",
    "record_view",
    "scope_of",
    "view_audit_log",
]


class PermissionDeniedError(ReeducateError, PermissionError):
    """The access policy refuses the action (the API answers 403).

    Defined here rather than in :mod:`reeducate.errors` (the lead's file); it subclasses
    :class:`~reeducate.errors.ReeducateError` and :class:`PermissionError`.
    """


class Resource(StrEnum):
    """What the policy protects."""

    CLINIC = "clinic"
    USER = "user"
    PATIENT = "patient"
    EPISODE = "episode"
    PLAN = "plan"
    PRESCRIPTION = "prescription"
    SESSION = "session"
    OUTCOME_SCORE = "outcome_score"
    BALANCE_TRIAL = "balance_trial"
    DECISION = "decision"
    """A progression recommendation and the therapist's decision on it."""
    AUDIT_LOG = "audit_log"
    EXERCISE_LIBRARY = "exercise_library"


class Action(StrEnum):
    """What is done to a resource."""

    LIST = "list"
    READ = "read"
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    DECIDE = "decide"


class Scope(StrEnum):
    """Which records of a resource a role reaches."""

    ANY = "any"
    OWN_CLINIC = "own_clinic"
    OWN = "own"
    NONE = "none"


#: Resources that are a patient's data: reaching them needs the patient (code and clinic).
PATIENT_DATA: Final = frozenset(
    {
        Resource.PATIENT,
        Resource.EPISODE,
        Resource.PLAN,
        Resource.PRESCRIPTION,
        Resource.SESSION,
        Resource.OUTCOME_SCORE,
        Resource.BALANCE_TRIAL,
        Resource.DECISION,
    }
)

_ANY, _CLINIC, _OWN, _NONE = Scope.ANY, Scope.OWN_CLINIC, Scope.OWN, Scope.NONE
_LIST, _READ, _CREATE, _UPDATE, _DECIDE = (
    Action.LIST,
    Action.READ,
    Action.CREATE,
    Action.UPDATE,
    Action.DECIDE,
)

# One row per resource and action that anybody may do; every other cell (DELETE everywhere
# included) is Scope.NONE for every role.
#    resource                      action    administrator  therapist  patient
_TABLE: Final[tuple[tuple[Resource, Action, Scope, Scope, Scope], ...]] = (
    (Resource.CLINIC,              _LIST,    _ANY,          _CLINIC,   _NONE),
    (Resource.CLINIC,              _READ,    _ANY,          _CLINIC,   _CLINIC),
    (Resource.CLINIC,              _CREATE,  _ANY,          _NONE,     _NONE),
    (Resource.CLINIC,              _UPDATE,  _ANY,          _NONE,     _NONE),
    (Resource.USER,                _LIST,    _ANY,          _CLINIC,   _NONE),
    (Resource.USER,                _READ,    _ANY,          _CLINIC,   _OWN),
    (Resource.USER,                _CREATE,  _ANY,          _CLINIC,   _NONE),
    (Resource.USER,                _UPDATE,  _ANY,          _CLINIC,   _OWN),
    (Resource.PATIENT,             _LIST,    _NONE,         _CLINIC,   _NONE),
    (Resource.PATIENT,             _READ,    _NONE,         _CLINIC,   _OWN),
    (Resource.PATIENT,             _CREATE,  _NONE,         _CLINIC,   _NONE),
    (Resource.PATIENT,             _UPDATE,  _NONE,         _CLINIC,   _NONE),
    (Resource.EPISODE,             _LIST,    _NONE,         _CLINIC,   _OWN),
    (Resource.EPISODE,             _READ,    _NONE,         _CLINIC,   _OWN),
    (Resource.EPISODE,             _CREATE,  _NONE,         _CLINIC,   _NONE),
    (Resource.EPISODE,             _UPDATE,  _NONE,         _CLINIC,   _NONE),
    (Resource.PLAN,                _LIST,    _NONE,         _CLINIC,   _OWN),
    (Resource.PLAN,                _READ,    _NONE,         _CLINIC,   _OWN),
    (Resource.PLAN,                _CREATE,  _NONE,         _CLINIC,   _NONE),
    (Resource.PLAN,                _UPDATE,  _NONE,         _CLINIC,   _NONE),
    (Resource.PRESCRIPTION,        _LIST,    _NONE,         _CLINIC,   _OWN),
    (Resource.PRESCRIPTION,        _READ,    _NONE,         _CLINIC,   _OWN),
    (Resource.PRESCRIPTION,        _CREATE,  _NONE,         _CLINIC,   _NONE),
    (Resource.PRESCRIPTION,        _UPDATE,  _NONE,         _CLINIC,   _NONE),
    (Resource.SESSION,             _LIST,    _NONE,         _CLINIC,   _OWN),
    (Resource.SESSION,             _READ,    _NONE,         _CLINIC,   _OWN),
    (Resource.SESSION,             _CREATE,  _NONE,         _CLINIC,   _OWN),
    (Resource.SESSION,             _UPDATE,  _NONE,         _CLINIC,   _NONE),
    (Resource.OUTCOME_SCORE,       _LIST,    _NONE,         _CLINIC,   _OWN),
    (Resource.OUTCOME_SCORE,       _READ,    _NONE,         _CLINIC,   _OWN),
    (Resource.OUTCOME_SCORE,       _CREATE,  _NONE,         _CLINIC,   _NONE),
    (Resource.OUTCOME_SCORE,       _UPDATE,  _NONE,         _CLINIC,   _NONE),
    (Resource.BALANCE_TRIAL,       _LIST,    _NONE,         _CLINIC,   _OWN),
    (Resource.BALANCE_TRIAL,       _READ,    _NONE,         _CLINIC,   _OWN),
    (Resource.BALANCE_TRIAL,       _CREATE,  _NONE,         _CLINIC,   _NONE),
    (Resource.BALANCE_TRIAL,       _UPDATE,  _NONE,         _CLINIC,   _NONE),
    (Resource.DECISION,            _LIST,    _NONE,         _CLINIC,   _NONE),
    (Resource.DECISION,            _READ,    _NONE,         _CLINIC,   _NONE),
    (Resource.DECISION,            _DECIDE,  _NONE,         _CLINIC,   _NONE),
    (Resource.AUDIT_LOG,           _LIST,    _ANY,          _NONE,     _NONE),
    (Resource.AUDIT_LOG,           _READ,    _ANY,          _NONE,     _NONE),
    (Resource.EXERCISE_LIBRARY,    _LIST,    _ANY,          _ANY,      _ANY),
    (Resource.EXERCISE_LIBRARY,    _READ,    _ANY,          _ANY,      _ANY),
)  # fmt: skip

_ROLES: Final = (Role.ADMINISTRATOR, Role.THERAPIST, Role.PATIENT)


def _build_policy() -> dict[tuple[Role, Resource, Action], Scope]:
    policy = {
        (role, resource, action): Scope.NONE
        for role in Role
        for resource in Resource
        for action in Action
    }
    seen: set[tuple[Resource, Action]] = set()
    for resource, action, *scopes in _TABLE:
        if (resource, action) in seen:
            raise AssertionError(f"the policy table has {resource} {action} twice")
        seen.add((resource, action))
        for role, scope in zip(_ROLES, scopes, strict=True):
            if (
                scope is Scope.OWN
                and resource not in PATIENT_DATA
                and resource is not Resource.USER
            ):
                raise AssertionError(f"scope 'own' has no meaning for {resource}")
            policy[role, resource, action] = scope
    return policy


#: The whole policy: (role, resource, action) -> scope, every combination present.
POLICY: Final[Mapping[tuple[Role, Resource, Action], Scope]] = _build_policy()


def scope_of(role: Role, action: Action, resource: Resource) -> Scope:
    """The scope the policy gives ``role`` for ``action`` on ``resource``."""
    return POLICY[Role(role), Resource(resource), Action(action)]


def authorize(
    user: UserAccount,
    action: Action,
    resource: Resource,
    *,
    patient_code: str | None = None,
    clinic_id: str | None = None,
    user_id: str | None = None,
) -> None:
    """Refuse, with :class:`PermissionDeniedError`, what the policy does not allow ``user``.

    Parameters
    ----------
    user : UserAccount
        Who acts (a disabled account is refused everything).
    action, resource : Action, Resource
        What they do, to what.
    patient_code : str or None
        For patient data (:data:`PATIENT_DATA`): whose. Required when the scope is ``own``.
    clinic_id : str or None
        The clinic the target belongs to: the patient's clinic for patient data, the clinic
        itself, the account's clinic for an account, the clinic listed for a list. Required when
        the scope is ``own_clinic``. (:func:`authorize_patient` looks the patient's clinic up.)
    user_id : str or None
        For an account (``Resource.USER``) with scope ``own``: which account.

    Raises
    ------
    PermissionDeniedError
        The policy refuses.
    InvalidParameterError
        The target needed to decide was not given (a programming error, not a refusal).
    """
    role, action, resource = Role(user.role), Action(action), Resource(resource)
    who = f"{role} {user.id}"
    if not user.active:
        raise PermissionDeniedError(f"user account {user.id} is disabled; got {action} {resource}")
    scope = POLICY[role, resource, action]
    if scope is Scope.NONE:
        raise PermissionDeniedError(f"{who} may not {action} {resource}")
    if scope is Scope.ANY:
        return
    if scope is Scope.OWN_CLINIC:
        if clinic_id is None:
            raise InvalidParameterError(
                f"clinic_id (of the {resource} targeted) is required to authorize {who} to "
                f"{action} {resource}; got None"
            )
        if user.clinic_id is None or clinic_id != user.clinic_id:
            if resource in PATIENT_DATA and patient_code is not None:
                target = f"patient {patient_code} of another clinic"
            else:
                target = f"clinic {clinic_id}"
            raise PermissionDeniedError(
                f"{who} may {action} {resource} only for "
                f"{'patients of ' if resource in PATIENT_DATA else ''}their own clinic; "
                f"got {target}"
            )
        return
    # Scope.OWN: a patient user's own patient data, or one's own account.
    if resource is Resource.USER:
        if user_id is None:
            raise InvalidParameterError(
                f"user_id is required to authorize {who} to {action} {resource}; got None"
            )
        if user_id != user.id:
            raise PermissionDeniedError(
                f"{who} may {action} {resource} only for their own account; got {user_id}"
            )
        return
    if patient_code is None:
        raise InvalidParameterError(
            f"patient_code is required to authorize {who} to {action} {resource}; got None"
        )
    if user.patient_code is None or patient_code != user.patient_code:
        raise PermissionDeniedError(
            f"{who} may {action} {resource} only of their own record; got patient {patient_code}"
        )


def is_allowed(
    user: UserAccount,
    action: Action,
    resource: Resource,
    *,
    patient_code: str | None = None,
    clinic_id: str | None = None,
    user_id: str | None = None,
) -> bool:
    """Whether :func:`authorize` allows it (for showing or hiding a link or a button)."""
    try:
        authorize(
            user, action, resource, patient_code=patient_code, clinic_id=clinic_id, user_id=user_id
        )
    except PermissionDeniedError:
        return False
    return True


# --------------------------------------------------------------------------------------------
# With the store: the patient's clinic looked up, reads audited
# --------------------------------------------------------------------------------------------


def authorize_patient(
    repos: Repositories,
    user: UserAccount,
    action: Action,
    resource: Resource,
    /,
    *,
    patient_code: str,
) -> str:
    """:func:`authorize` ``action`` on a patient's data, the patient's clinic looked up in the
    store; returns that clinic. An unknown patient code is refused like a patient of another
    clinic (:class:`PermissionDeniedError`), so that codes cannot be probed."""
    resource = Resource(resource)
    if resource not in PATIENT_DATA:
        raise InvalidParameterError(
            f"resource must be patient data ({', '.join(sorted(PATIENT_DATA))}); got {resource}"
        )
    if not isinstance(patient_code, str):
        raise InvalidParameterError(
            f"patient_code must be text like 'P-0001'; got {patient_code!r}"
        )
    clinic_id = repos.patients.clinic_of(patient_code)
    # An unknown patient is decided as one of a clinic nobody belongs to: the same refusal as
    # another clinic's patient.
    authorize(
        user,
        action,
        resource,
        patient_code=patient_code,
        clinic_id=_NO_CLINIC if clinic_id is None else clinic_id,
    )
    if clinic_id is None:  # only if a role had scope "any" on patient data (none has)
        raise NotFoundError(f"patient_code must be a recorded patient; got {patient_code!r}")
    return clinic_id


#: The clinic of a patient that does not exist: equal to no user's clinic.
_NO_CLINIC: Final = "\x00no-clinic"


def record_read(
    repos: Repositories,
    user: UserAccount,
    resource: Resource,
    /,
    *,
    patient_code: str,
    record_ids: Sequence[str] = (),
    action: Action = Action.READ,
) -> None:
    """Authorize a read (or list) of a patient's data and append a ``read`` audit event, in the
    caller's transaction (its commit writes the event with the data's unit of work).

    The event: actor ``user.id``, entity ``patient``, entity id the patient code (so "who read
    this patient's data" is one indexed query), detail ``{"resource", "action", "record_ids",
    "role"}``.

    Raises
    ------
    PermissionDeniedError
        The policy refuses (nothing is written).
    """
    action = Action(action)
    if action not in (Action.READ, Action.LIST):
        raise InvalidParameterError(f"action must be read or list; got {action}")
    resource = Resource(resource)
    authorize_patient(repos, user, action, resource, patient_code=patient_code)
    repos.audit.record_read(
        "patient",
        patient_code,
        {
            "resource": resource.value,
            "action": action.value,
            "record_ids": [str(record_id) for record_id in record_ids],
            "role": user.role.value,
        },
    )


def _view_action(resource: Resource) -> Action:
    """A view reads the patient and lists each other kind of record."""
    return Action.READ if resource is Resource.PATIENT else Action.LIST


def authorize_view(
    repos: Repositories,
    user: UserAccount,
    /,
    *,
    patient_code: str,
    resources: Iterable[Resource],
) -> str:
    """Authorize a view of a patient's record: read the patient and list each other kind of
    record of ``resources``; the patient's clinic is looked up once (an unknown code is refused
    like another clinic's patient). Returns the clinic.

    Raises
    ------
    PermissionDeniedError
        The policy refuses one of them (nothing is written).
    """
    clinic_id = authorize_patient(
        repos, user, Action.READ, Resource.PATIENT, patient_code=patient_code
    )
    for resource in resources:
        resource = Resource(resource)
        if resource not in PATIENT_DATA:
            raise InvalidParameterError(
                f"resources must be patient data ({', '.join(sorted(PATIENT_DATA))}); "
                f"got {resource}"
            )
        authorize(
            user, _view_action(resource), resource, patient_code=patient_code, clinic_id=clinic_id
        )
    return clinic_id


def record_view(
    repos: Repositories,
    user: UserAccount,
    /,
    *,
    patient_code: str,
    records: Mapping[Resource, Sequence[str]],
) -> None:
    """Authorize a view of several kinds of a patient's records (:func:`authorize_view`) and
    append **one** ``read`` event for all of them, in the caller's transaction.

    The event: actor ``user.id``, entity ``patient``, entity id the patient code, detail
    ``{"resource": "patient", "action": "read", "record_ids": [code], "records": {kind:
    [ids], ...}, "role"}``: ``records`` names every kind shown (the patient included) with the
    ids of its records shown, an empty list for a kind with none; the patient is read, the
    other kinds are listed. One event per view, rather than one per kind, keeps the page opened
    most to one small write; what it records is the same.

    Raises
    ------
    PermissionDeniedError
        The policy refuses (nothing is written).
    """
    kinds = {Resource(resource): ids for resource, ids in records.items()}
    kinds.setdefault(Resource.PATIENT, [patient_code])
    authorize_view(repos, user, patient_code=patient_code, resources=kinds)
    repos.audit.record_read(
        "patient",
        patient_code,
        {
            "resource": Resource.PATIENT.value,
            "action": Action.READ.value,
            "record_ids": [str(patient_code)],
            "records": {
                resource.value: [str(record_id) for record_id in ids]
                for resource, ids in kinds.items()
            },
            "role": user.role.value,
        },
    )


def audited_read(
    store: CareStore,
    user: UserAccount,
    resource: Resource,
    /,
    *,
    patient_code: str,
    record_ids: Sequence[str] = (),
    action: Action = Action.READ,
) -> None:
    """:func:`record_read` in a transaction of its own, committed before the data is shown.

    The API and web layers call it before they render a patient's data read through the
    use cases of :mod:`reeducate.services.care` (their own transactions): the read is on record
    even if rendering fails afterwards.

    Examples
    --------
    >>> from datetime import UTC, date, datetime
    >>> from reeducate.services import care
    >>> from reeducate.store.models import Role
    >>> from reeducate.store.repositories import UserAccount
    >>> store = care.open_store("sqlite://", actor="U-0002",
    ...                         clock=lambda: datetime(2025, 3, 3, 9, tzinfo=UTC))
    >>> code = care.add_patient(store, name="Ada Example", date_of_birth=date(1950, 6, 1))
    >>> created = datetime(2025, 3, 3, tzinfo=UTC)
    >>> therapist = UserAccount(id="U-0002", login="pt.jones", role=Role.THERAPIST,
    ...                         clinic_id="CL-0001", patient_code=None, created_at=created)
    >>> admin = UserAccount(id="U-0001", login="admin", role=Role.ADMINISTRATOR,
    ...                     clinic_id=None, patient_code=None, created_at=created)
    >>> audited_read(store, therapist, Resource.SESSION, patient_code=code,
    ...              action=Action.LIST)
    >>> [(e.actor, e.action.value, e.entity_id, e.detail["resource"])
    ...  for e in view_audit_log(store, admin, action="read")]
    [('U-0002', 'read', 'P-0001', 'session')]
    >>> store.close()
    """
    from reeducate.store.engine import transaction
    from reeducate.store.repositories import Repositories

    with transaction(store.factory) as session:
        repos = Repositories(session, actor=user.id, clock=store.clock)
        record_read(
            repos, user, resource, patient_code=patient_code, record_ids=record_ids, action=action
        )


def audited_patient_list(
    store: CareStore,
    user: UserAccount,
    /,
    *,
    clinic_id: str,
    patient_codes: Sequence[str],
) -> None:
    """Authorize listing a clinic's patients and append one ``read`` event for the list shown
    (its own transaction): entity ``clinic``, entity id ``clinic_id``, detail
    ``{"resource": "patient", "action": "list", "patient_codes": [...], "role"}``.

    One event per list rather than one per patient keeps the therapist's patient list (the
    page opened most) to one small write; "who saw patient X in a list" is a search of the
    ``patient_codes`` of the clinic's list events.

    Raises
    ------
    PermissionDeniedError
        ``user`` may not list the patients of ``clinic_id`` (nothing is written).
    """
    from reeducate.store.engine import transaction
    from reeducate.store.repositories import Repositories

    authorize(user, Action.LIST, Resource.PATIENT, clinic_id=clinic_id)
    with transaction(store.factory) as session:
        repos = Repositories(session, actor=user.id, clock=store.clock)
        repos.audit.record_read(
            "clinic",
            clinic_id,
            {
                "resource": Resource.PATIENT.value,
                "action": Action.LIST.value,
                "patient_codes": [str(code) for code in patient_codes],
                "role": user.role.value,
            },
        )


def view_audit_log(
    store: CareStore,
    user: UserAccount,
    /,
    *,
    entity: str | None = None,
    entity_id: str | None = None,
    action: str | None = None,
    actor: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: int = 500,
) -> list[AuditEvent]:
    """The audit log for an administrator: the latest ``limit`` events (oldest first) matching
    the filters (``action``: create, update, delete or read), written before the event
    ``before_id`` when it is given (the next page back).

    Raises
    ------
    PermissionDeniedError
        ``user`` may not list the audit log (only administrators may).
    """
    from reeducate.store.engine import transaction
    from reeducate.store.models import AuditAction
    from reeducate.store.repositories import Repositories

    authorize(user, Action.LIST, Resource.AUDIT_LOG)
    try:
        wanted = None if action is None else AuditAction(action)
    except ValueError:
        raise InvalidParameterError(
            f"action must be one of {', '.join(a.value for a in AuditAction)}; got {action!r}"
        ) from None
    with transaction(store.factory, read_only=True) as session:
        repos = Repositories(session, actor=user.id, clock=store.clock)
        return repos.audit.events(
            entity=entity,
            entity_id=entity_id,
            action=wanted,
            actor=actor,
            since=since,
            until=until,
            before_id=before_id,
            limit=limit,
        )
