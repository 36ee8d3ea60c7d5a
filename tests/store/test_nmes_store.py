"""NMES records on SQLite and PostgreSQL: screening items and the session log round-trip, every
write is audited and bumps the patient's revision, items are resolved (never deleted), and the
database's own checks refuse what the domain refuses."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from tests.store.conftest import NOW

from reeducate.clinic.care import Patient
from reeducate.errors import DomainRuleError, NotFoundError
from reeducate.stim.session import NmesSessionRecord
from reeducate.store.models import NmesScreeningItemRow, NmesSessionRow, PatientRow
from reeducate.store.nmes_repositories import NmesScreeningRepository, NmesSessionRepository
from reeducate.store.repositories import Repositories


@pytest.fixture
def nmes(repos: Repositories) -> tuple[NmesScreeningRepository, NmesSessionRepository]:
    repos.patients.add(Patient(code="P-0001"))
    return (
        NmesScreeningRepository(repos.session, repos.audit, actor="pt-test"),
        NmesSessionRepository(repos.session, repos.audit, actor="pt-test"),
    )


def _revision(db: Session) -> int:
    return db.scalar(select(PatientRow.revision).where(PatientRow.code == "P-0001")) or 0


def record(**changes: object) -> NmesSessionRecord:
    values: dict[str, object] = {
        "protocol_id": "quad-tka", "session_date": date(2025, 3, 5), "frequency_hz": 50,
        "pulse_width_us": 250, "waveform": "symmetric_biphasic", "on_s": 15, "off_s": 45,
        "ramp_up_s": 3, "ramp_down_s": 1, "intensity_ma": 70, "electrode_area_cm2": 96.52,
        "contractions": 15, "minutes_attended": 16, "skin_before": "intact",
        "skin_after": "mild_redness", "peak_force_n": 175.0, "mvic_n": 350.0,
    } | changes  # fmt: skip
    return NmesSessionRecord(**values)  # type: ignore[arg-type]


def test_screening_items_round_trip_resolve_and_audit(
    db: Session,
    repos: Repositories,
    nmes: tuple[NmesScreeningRepository, NmesSessionRepository],
) -> None:
    items, _ = nmes
    before = _revision(db)
    items.add(patient_code="P-0001", item_id="NS-0001", code="pacemaker", body_site=None,
              precaution=None)  # fmt: skip
    items.add(
        patient_code="P-0001", item_id="NS-0002", code="impaired_sensation_at_site",
        body_site="anterior_thigh", precaution="intensity by visible contraction",
    )  # fmt: skip
    assert _revision(db) == before + 2
    resolved = items.resolve("NS-0001", patient_code="P-0001")
    assert resolved.resolved_by == "pt-test" and resolved.resolved_at == NOW
    assert _revision(db) == before + 3
    assert [i.id for i in items.active("P-0001")] == ["NS-0002"]
    assert [i.id for i in items.for_patient("P-0001")] == ["NS-0001", "NS-0002"]
    stored = items.active("P-0001")[0]
    assert (stored.body_site, stored.precaution) == (
        "anterior_thigh",
        "intensity by visible contraction",
    )
    events = repos.audit.events(entity="nmes_screening_item")
    assert [(e.action.value, e.entity_id) for e in events] == [
        ("create", "NS-0001"), ("create", "NS-0002"), ("update", "NS-0001"),
    ]  # fmt: skip
    with pytest.raises(DomainRuleError, match="already resolved"):
        items.resolve("NS-0001", patient_code="P-0001")
    with pytest.raises(NotFoundError, match="screening item of P-0002"):
        items.resolve("NS-0002", patient_code="P-0002")
    with pytest.raises(NotFoundError, match="recorded patient"):
        items.add(patient_code="P-0009", item_id="NS-0003", code="pacemaker", body_site=None,
                  precaution=None)  # fmt: skip


def test_a_session_round_trips_with_its_derived_values(
    db: Session,
    repos: Repositories,
    nmes: tuple[NmesScreeningRepository, NmesSessionRepository],
) -> None:
    _, sessions = nmes
    before = _revision(db)
    stored = sessions.add(
        record(), session_id="NM-0001", patient_code="P-0001", checks={"verdict": "allow"}
    )
    assert _revision(db) == before + 1
    (back,) = sessions.for_patient("P-0001")
    assert back == stored
    assert back.record == record()
    assert back.record.evoked_force_pct_mvic == 50.0
    # 70 mA × sqrt(2 × 250e-6 × 50) = 11.0680 mA rms; / 96.52 cm²
    assert back.rms_current_ma == pytest.approx(70 * (0.025**0.5), rel=1e-12)
    assert back.current_density_ma_cm2 == pytest.approx(70 * (0.025**0.5) / 96.52, rel=1e-12)
    assert back.charge_per_phase_uc == pytest.approx(17.5, rel=1e-12)
    row = db.get(NmesSessionRow, "NM-0001")
    assert row is not None and row.evoked_force_pct_mvic == 50.0
    (event,) = repos.audit.events(entity="nmes_session")
    assert event.detail["intensity_ma"] == 70 and event.detail["patient_code"] == "P-0001"
    with pytest.raises(DomainRuleError, match="id must be new"):
        sessions.add(record(), session_id="NM-0001", patient_code="P-0001", checks={})


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("mvic_n", None),  # a force without its MVIC
        ("skin_after", "sunburnt"),
        ("waveform", "sine"),
        ("minutes_attended", 600),
        ("intensity_ma", 0.0),
    ],
)
def test_the_database_refuses_what_the_domain_refuses(
    db: Session,
    nmes: tuple[NmesScreeningRepository, NmesSessionRepository],
    column: str,
    value: object,
) -> None:
    _, sessions = nmes
    sessions.add(record(), session_id="NM-0001", patient_code="P-0001", checks={})
    with pytest.raises(IntegrityError), db.begin_nested():
        db.execute(
            update(NmesSessionRow).where(NmesSessionRow.id == "NM-0001").values({column: value})
        )


def test_a_resolved_item_needs_who_and_when(
    db: Session, nmes: tuple[NmesScreeningRepository, NmesSessionRepository]
) -> None:
    items, _ = nmes
    items.add(patient_code="P-0001", item_id="NS-0001", code="pacemaker", body_site=None,
              precaution=None)  # fmt: skip
    with pytest.raises(IntegrityError), db.begin_nested():
        db.execute(
            update(NmesScreeningItemRow)
            .where(NmesScreeningItemRow.id == "NS-0001")
            .values(resolved_by="pt-test")
        )
