"""The whole access matrix: roles × resources × actions × (own record / own clinic / other
clinic), every allowance and every denial of :func:`reeducate.services.access.authorize`.

The expectation here is written from the issue and the policy's documented choices, as rules in
words (:func:`expected`), independently of the policy table it checks: a cell changed in one
and not the other fails a test.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import pytest

from reeducate.errors import InvalidParameterError, ReeducateError
from reeducate.services.access import (
    POLICY,
    Action,
    PermissionDeniedError,
    Resource,
    authorize,
    is_allowed,
)
from reeducate.store.models import Role
from reeducate.store.repositories import UserAccount

CREATED = datetime(2025, 3, 3, 9, tzinfo=UTC)
CLINIC_A, CLINIC_B = "CL-0001", "CL-0002"
#: The patient user's own patient, another patient of the same clinic, one of another clinic.
OWN_PATIENT, OTHER_PATIENT, OTHER_CLINIC_PATIENT = "P-0001", "P-0002", "P-0003"


def account(
    user_id: str, role: Role, *, clinic_id: str | None = CLINIC_A, **more: Any
) -> UserAccount:
    return UserAccount(
        id=user_id,
        login=f"login-of-{user_id.lower()}",
        role=role,
        clinic_id=clinic_id,
        patient_code=more.get("patient_code"),
        created_at=CREATED,
        disabled_at=more.get("disabled_at"),
    )


# Everybody of clinic A: the administrator too, to show that belonging to a clinic gives an
# administrator no clinical access.
USERS = {
    Role.ADMINISTRATOR: account("U-0001", Role.ADMINISTRATOR),
    Role.THERAPIST: account("U-0002", Role.THERAPIST),
    Role.PATIENT: account("U-0003", Role.PATIENT, patient_code=OWN_PATIENT),
}
COLLEAGUE_ID = "U-0004"  # another account of clinic A
STRANGER_ID = "U-0009"  # an account of clinic B


class Situation(StrEnum):
    OWN_RECORD = "own record"  # the patient user's own patient / one's own account
    OWN_CLINIC = "own clinic"  # another patient / account / the clinic itself, of one's clinic
    OTHER_CLINIC = "other clinic"
    INSTALLATION = "installation"  # resources of no clinic (audit log, exercise library)


PATIENT_RESOURCES = {
    Resource.PATIENT,
    Resource.EPISODE,
    Resource.PLAN,
    Resource.PRESCRIPTION,
    Resource.SESSION,
    Resource.OUTCOME_SCORE,
    Resource.BALANCE_TRIAL,
    Resource.DECISION,
}
CLINICAL_RECORDS = PATIENT_RESOURCES - {Resource.PATIENT, Resource.DECISION}
MANAGE = {Action.LIST, Action.READ, Action.CREATE, Action.UPDATE}
LOOK = {Action.LIST, Action.READ}


def situations(resource: Resource) -> tuple[Situation, ...]:
    if resource in PATIENT_RESOURCES or resource is Resource.USER:
        return (Situation.OWN_RECORD, Situation.OWN_CLINIC, Situation.OTHER_CLINIC)
    if resource is Resource.CLINIC:
        return (Situation.OWN_CLINIC, Situation.OTHER_CLINIC)
    return (Situation.INSTALLATION,)


def target(user: UserAccount, resource: Resource, situation: Situation) -> dict[str, Any]:
    """The keyword arguments of authorize that name the record in this situation."""
    if resource in PATIENT_RESOURCES:
        return {
            Situation.OWN_RECORD: {"patient_code": OWN_PATIENT, "clinic_id": CLINIC_A},
            Situation.OWN_CLINIC: {"patient_code": OTHER_PATIENT, "clinic_id": CLINIC_A},
            Situation.OTHER_CLINIC: {"patient_code": OTHER_CLINIC_PATIENT, "clinic_id": CLINIC_B},
        }[situation]
    if resource is Resource.USER:
        return {
            Situation.OWN_RECORD: {"user_id": user.id, "clinic_id": user.clinic_id},
            Situation.OWN_CLINIC: {"user_id": COLLEAGUE_ID, "clinic_id": CLINIC_A},
            Situation.OTHER_CLINIC: {"user_id": STRANGER_ID, "clinic_id": CLINIC_B},
        }[situation]
    if resource is Resource.CLINIC:
        return {"clinic_id": CLINIC_A if situation is Situation.OWN_CLINIC else CLINIC_B}
    return {}


def expected(role: Role, resource: Resource, action: Action, situation: Situation) -> bool:
    """The policy in words (issue 4 and the documented choices of services/access.py)."""
    # Nothing is ever deleted: records are corrected, accounts disabled, the audit appended to.
    if action is Action.DELETE:
        return False
    # The exercise library is published content: every role browses it, nobody edits it here.
    if resource is Resource.EXERCISE_LIBRARY:
        return action in LOOK
    # Only the engine's recommendations are decided on, only by therapists.
    if action is Action.DECIDE and resource is not Resource.DECISION:
        return False
    mine = situation in (Situation.OWN_RECORD, Situation.OWN_CLINIC)
    if role is Role.ADMINISTRATOR:
        # Manages clinics and accounts everywhere, reads the audit log, no clinical records.
        if resource in (Resource.CLINIC, Resource.USER):
            return action in MANAGE
        return resource is Resource.AUDIT_LOG and action in LOOK
    if resource is Resource.AUDIT_LOG:
        return False
    if role is Role.THERAPIST:
        # Everything of their own clinic's patients, nothing of another clinic's.
        if not mine:
            return False
        if resource is Resource.CLINIC:
            return action in LOOK
        if resource is Resource.DECISION:
            return action in {Action.LIST, Action.READ, Action.DECIDE}
        return action in MANAGE  # accounts (their clinic's), patients, clinical records
    # A patient: their own record only, mostly read-only; they log their own sessions.
    if resource is Resource.CLINIC:
        return action is Action.READ and mine
    own = situation is Situation.OWN_RECORD
    if resource is Resource.USER:
        return own and action in {Action.READ, Action.UPDATE}
    if resource is Resource.PATIENT:
        return own and action is Action.READ
    if resource in CLINICAL_RECORDS:
        return own and (
            action in LOOK or (resource is Resource.SESSION and action is Action.CREATE)
        )
    assert resource is Resource.DECISION
    return False  # recommendations are for the therapist to decide


CASES = [
    pytest.param(role, resource, action, situation, id=f"{role}-{action}-{resource}-{situation}")
    for role in Role
    for resource in Resource
    for action in Action
    for situation in situations(resource)
]


def test_the_matrix_is_complete() -> None:
    # 8 patient resources × 3 situations + user × 3 + clinic × 2 + 2 installation resources,
    # each × 6 actions × 3 roles.
    assert len(CASES) == (8 * 3 + 3 + 2 + 2) * len(Action) * len(Role) == 558
    assert set(POLICY) == {(r, res, a) for r in Role for res in Resource for a in Action}


@pytest.mark.parametrize(("role", "resource", "action", "situation"), CASES)
def test_authorize_matches_the_policy_in_words(
    role: Role, resource: Resource, action: Action, situation: Situation
) -> None:
    user = USERS[role]
    where = target(user, resource, situation)
    if expected(role, resource, action, situation):
        authorize(user, action, resource, **where)  # allowed: returns without raising
        assert is_allowed(user, action, resource, **where)
    else:
        with pytest.raises(PermissionDeniedError) as refused:
            authorize(user, action, resource, **where)
        message = str(refused.value)
        assert user.id in message and str(role) in message
        assert user.login not in message  # a login name may be a person's name
        assert not is_allowed(user, action, resource, **where)


def test_allowance_counts_per_role() -> None:
    # A second, coarse check of the same expectation: how many cells each role is allowed.
    allowed = {
        role: sum(
            expected(role, res, act, sit)
            for res in Resource
            for act in Action
            for sit in situations(res)
        )
        for role in Role
    }
    # administrator: clinic 4 actions × 2 + user 4 × 3 + audit 2 + library 2
    # therapist: clinic 2 + user 4 × 2 + patient & 6 clinical 4 × 7 × 2 + decision 3 × 2 + lib 2
    # patient: clinic 1 + user 2 + patient 1 + 6 clinical × 2 + session create 1 + library 2
    assert allowed == {Role.ADMINISTRATOR: 24, Role.THERAPIST: 74, Role.PATIENT: 19}


@pytest.mark.parametrize("role", list(Role))
def test_a_disabled_account_is_refused_everything(role: Role) -> None:
    active = USERS[role]
    disabled = account(
        active.id,
        role,
        patient_code=active.patient_code,
        disabled_at=datetime(2025, 4, 1, tzinfo=UTC),
    )
    refusals = 0
    for resource in Resource:
        for action in Action:
            for situation in situations(resource):
                where = target(disabled, resource, situation)
                with pytest.raises(PermissionDeniedError, match="is disabled"):
                    authorize(disabled, action, resource, **where)
                refusals += 1
    assert refusals == 186


def test_the_issue_in_plain_words() -> None:
    therapist, patient, admin = (
        USERS[Role.THERAPIST],
        USERS[Role.PATIENT],
        USERS[Role.ADMINISTRATOR],
    )
    # "A therapist sees only the patients of their clinic"
    authorize(therapist, Action.READ, Resource.SESSION, patient_code="P-0002", clinic_id=CLINIC_A)
    with pytest.raises(PermissionDeniedError, match="only for patients of their own clinic"):
        authorize(
            therapist, Action.READ, Resource.SESSION, patient_code="P-0003", clinic_id=CLINIC_B
        )
    # "a patient sees only their own record"
    authorize(
        patient, Action.READ, Resource.OUTCOME_SCORE, patient_code=OWN_PATIENT, clinic_id=CLINIC_A
    )
    with pytest.raises(PermissionDeniedError, match="only of their own record; got patient P-0002"):
        authorize(
            patient, Action.READ, Resource.OUTCOME_SCORE, patient_code="P-0002", clinic_id=CLINIC_A
        )
    # "An audit log ... viewable by the administrator" — and by nobody else
    authorize(admin, Action.LIST, Resource.AUDIT_LOG)
    for user in (therapist, patient):
        with pytest.raises(PermissionDeniedError, match="may not list audit_log"):
            authorize(user, Action.LIST, Resource.AUDIT_LOG)
    # The administrator manages accounts but reads no clinical record.
    authorize(admin, Action.CREATE, Resource.USER, clinic_id=CLINIC_B)
    with pytest.raises(PermissionDeniedError, match="may not read session"):
        authorize(admin, Action.READ, Resource.SESSION, patient_code="P-0002", clinic_id=CLINIC_A)


def test_refusals_are_permission_errors_of_the_project() -> None:
    with pytest.raises(PermissionDeniedError) as refused:
        authorize(USERS[Role.PATIENT], Action.LIST, Resource.AUDIT_LOG)
    assert isinstance(refused.value, PermissionError)
    assert isinstance(refused.value, ReeducateError)


@pytest.mark.parametrize(
    ("role", "resource", "action", "missing"),
    [
        (Role.THERAPIST, Resource.SESSION, Action.READ, "clinic_id"),
        (Role.PATIENT, Resource.SESSION, Action.READ, "patient_code"),
        (Role.PATIENT, Resource.USER, Action.READ, "user_id"),
        (Role.THERAPIST, Resource.USER, Action.CREATE, "clinic_id"),
    ],
)
def test_a_missing_target_is_a_programming_error_not_an_allowance(
    role: Role, resource: Resource, action: Action, missing: str
) -> None:
    with pytest.raises(InvalidParameterError, match=rf"^{missing} .*required"):
        authorize(USERS[role], action, resource)


def test_plain_strings_are_accepted_for_role_action_and_resource() -> None:
    therapist = USERS[Role.THERAPIST]
    authorize(therapist, "decide", "decision", patient_code="P-0002", clinic_id=CLINIC_A)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'fly'"):
        authorize(therapist, "fly", "decision", clinic_id=CLINIC_A)  # type: ignore[arg-type]
