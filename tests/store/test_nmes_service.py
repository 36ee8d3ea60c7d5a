"""NMES use cases on SQLite and PostgreSQL: screening items set and resolved in one transaction,
the pre-stimulation check reads them, and a session log is refused (writing nothing) on a hard
stop, a contraindication, or a precaution without a documented one."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from reeducate.errors import DomainRuleError, InvalidParameterError
from reeducate.services import care
from reeducate.services.nmes import (
    NmesSessionLog,
    ScreeningSpec,
    check_nmes,
    log_nmes_session,
    nmes_sessions,
    screening_items,
    update_screening,
)
from reeducate.store.models import AuditEventRow, NmesScreeningItemRow, NmesSessionRow


@pytest.fixture
def store(new_store: care.CareStore) -> care.CareStore:
    care.add_patient(new_store, name="Ada Example", date_of_birth=date(1950, 6, 1))
    return new_store


def _count(store: care.CareStore, model: type) -> int:
    with store.factory() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def log(**changes: object) -> NmesSessionLog:
    values: dict[str, object] = {
        "patient_code": "P-0001", "protocol_id": "quad-tka", "session_date": date(2025, 4, 1),
        "intensity_ma": 70, "contractions": 15, "minutes_attended": 16,
        "skin_before": "intact", "skin_after": "intact",
    } | changes  # fmt: skip
    return NmesSessionLog(**values)  # type: ignore[arg-type]


def test_screening_check_and_log_end_to_end(store: care.CareStore) -> None:
    items = update_screening(
        store, "P-0001",
        add=[ScreeningSpec(code="pacemaker"),
             ScreeningSpec(code="impaired_sensation_at_site", site="anterior_thigh")],
    )  # fmt: skip
    assert [i.id for i in items] == ["NS-0001", "NS-0002"]
    check = check_nmes(store, protocol_id="quad-tka", patient_code="P-0001", intensity_ma=70)
    assert check.verdict == "block" and check.refused

    events_before = _count(store, AuditEventRow)
    with pytest.raises(DomainRuleError, match="active implanted electronic device"):
        log_nmes_session(store, log())
    assert _count(store, NmesSessionRow) == 0 and _count(store, AuditEventRow) == events_before

    # The pacemaker was recorded in error: resolve it. The precaution now warns.
    update_screening(store, "P-0001", resolve=["NS-0001"])
    check = check_nmes(store, protocol_id="quad-tka", patient_code="P-0001", intensity_ma=70)
    assert check.verdict == "warn" and not check.refused
    with pytest.raises(DomainRuleError, match="precaution must be documented"):
        log_nmes_session(store, log())
    stored, check = log_nmes_session(
        store, log(precaution="intensity set by visible contraction; skin checked every 5 min",
                   peak_force_n=200.0, mvic_n=400.0),
    )  # fmt: skip
    assert stored.id == "NM-0001" and check.verdict == "warn"
    assert stored.record.evoked_force_pct_mvic == 50.0
    assert stored.checks["screening"]["verdict"] == "warn"
    assert [s.id for s in nmes_sessions(store, "P-0001")] == ["NM-0001"]
    assert [i.id for i in screening_items(store, "P-0001", include_resolved=True)] == [
        "NS-0001",
        "NS-0002",
    ]


def test_a_hard_stop_refuses_the_log_and_writes_nothing(store: care.CareStore) -> None:
    with pytest.raises(DomainRuleError, match=r"current_density_ma_cm2 .* hard stop"):
        log_nmes_session(store, log(intensity_ma=200, electrode_area_cm2=10))
    assert _count(store, NmesSessionRow) == 0


def test_bad_screening_input_writes_nothing(store: care.CareStore) -> None:
    with pytest.raises(InvalidParameterError, match="code must be one of"):
        update_screening(
            store, "P-0001", add=[ScreeningSpec(code="pacemaker"), ScreeningSpec(code="flu")]
        )
    with pytest.raises(InvalidParameterError, match="site must be one of"):
        update_screening(store, "P-0001", add=[ScreeningSpec(code="acute_dvt", site="leg")])
    assert _count(store, NmesScreeningItemRow) == 0


def test_settings_outside_the_protocol_warn() -> None:
    check = check_nmes(None, protocol_id="quad-tka", intensity_ma=60, frequency_hz=120)
    assert check.verdict == "warn"
    assert any(
        "frequency_hz 120 is outside protocol quad-tka's 30–100" in r for r in check.reasons()
    )
