"""The demo clinic: deterministic, complete, refused on a non-empty database, real trials."""

from __future__ import annotations

from datetime import date

import pytest

from reeducate.errors import DomainRuleError
from reeducate.services import accounts, care
from reeducate.services.demo_clinic import DEMO_PASSWORDS, seed_demo_clinic

FAST = accounts.SecuritySettings(argon2_time_cost=1, argon2_memory_kib=1024, argon2_parallelism=1)
TODAY = date(2025, 3, 3)


def _seeded(*, with_trials: bool = False, seed: int = 7) -> tuple[care.CareStore, object]:
    store = care.open_store("sqlite://", actor="demo")
    return store, seed_demo_clinic(
        store, today=TODAY, seed=seed, security=FAST, with_trials=with_trials
    )


def test_same_seed_same_clinic_and_another_seed_differs() -> None:
    dumps = []
    for seed in (7, 7, 8):
        store, clinic = _seeded(seed=seed)
        try:
            dumps.append([care.patient_overview(store, c, today=TODAY).to_dict()
                          for c in clinic.patient_codes])  # type: ignore[attr-defined]  # fmt: skip
        finally:
            store.close()
    assert dumps[0] == dumps[1]
    assert dumps[0] != dumps[2]


def test_every_patient_has_a_full_record_and_the_accounts_sign_in() -> None:
    store, clinic = _seeded()
    try:
        assert len(clinic.patient_codes) == 6  # type: ignore[attr-defined]
        symptoms = 0
        for code in clinic.patient_codes:  # type: ignore[attr-defined]
            overview = care.patient_overview(store, code, today=TODAY)
            assert overview.plan is not None and overview.plan.prescription is not None
            assert len(overview.plan.prescription.exercises) == 3
            settings = {str(s.setting) for s in overview.sessions}
            assert settings == {"home", "clinic"}
            assert all(s.session_date < TODAY for s in overview.sessions)
            assert len(overview.scores) >= 4
            symptoms += sum(1 for s in overview.sessions for x in s.exercises
                            if x.symptoms_during or str(x.balance_event) != "none")  # fmt: skip
        assert symptoms > 0
        for account in clinic.accounts:  # type: ignore[attr-defined]
            assert account.password == DEMO_PASSWORDS[account.role]
            result = accounts.login(store, login=account.login, password=account.password,
                                    client_address=None, settings=FAST)  # fmt: skip
            assert result.user.role.value == account.role
            assert result.user.patient_code == account.patient_code
        with pytest.raises(DomainRuleError, match="empty database"):
            seed_demo_clinic(store, today=TODAY, security=FAST)
    finally:
        store.close()


def test_the_bundled_recordings_are_analysed_and_attached() -> None:
    store, clinic = _seeded(with_trials=True)
    try:
        assert clinic.trials == 14  # type: ignore[attr-defined]
        margaret = clinic.patient_codes[0]  # type: ignore[attr-defined]
        visits = [s for s in care.patient_overview(store, margaret, today=TODAY).sessions
                  if s.trial_ids]  # fmt: skip
        assert len(visits) == 2 and all(len(v.trial_ids) == 4 for v in visits)
        assert all(str(v.setting) == "clinic" for v in visits)
    finally:
        store.close()
