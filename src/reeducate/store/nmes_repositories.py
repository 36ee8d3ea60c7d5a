"""Repositories of NMES records: the patient's screening items and the stimulation session log.

Like every repository (:mod:`reeducate.store.repositories`) they add rows and flush but never
commit, append an audit event per change and add 1 to ``patient.revision`` in the same
transaction.

Examples
--------
>>> from datetime import UTC, date, datetime
>>> from reeducate.clinic.care import Patient
>>> from reeducate.store.engine import create_engine_for, session_factory, transaction
>>> from reeducate.store.migrate import upgrade
>>> from reeducate.store.repositories import Repositories
>>> engine = create_engine_for("sqlite://")
>>> upgrade(engine)
>>> clock = lambda: datetime(2025, 3, 3, 9, 0, tzinfo=UTC)
>>> with transaction(session_factory(engine)) as db:
...     repos = Repositories(db, actor="pt-jones", clock=clock)
...     repos.patients.add(Patient(code="P-0001"))
...     items = NmesScreeningRepository(db, repos.audit, actor="pt-jones")
...     _ = items.add(patient_code="P-0001", item_id="NS-0001", code="pacemaker", body_site=None,
...               precaution=None)
>>> with transaction(session_factory(engine)) as db:
...     repos = Repositories(db, actor="pt-jones", clock=clock)
...     items = NmesScreeningRepository(db, repos.audit, actor="pt-jones")
...     [(i.id, i.code) for i in items.active("P-0001")]
[('NS-0001', 'pacemaker')]
>>> engine.dispose()
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from reeducate.errors import DomainRuleError, NotFoundError
from reeducate.stim.parameters import Waveform
from reeducate.stim.session import NmesSessionRecord, SkinCondition
from reeducate.store.models import AuditAction, NmesScreeningItemRow, NmesSessionRow
from reeducate.store.repositories import AuditLog, _Repository

__all__ = [
    "NmesScreeningRepository",
    "NmesSessionRepository",
    "StoredNmesSession",
    "StoredScreeningItem",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredScreeningItem:
    """A screening item as stored (codes and sites as text; see the row's docstring)."""

    id: str
    patient_code: str
    code: str
    body_site: str | None
    precaution: str | None
    recorded_by: str
    recorded_at: datetime
    resolved_by: str | None
    resolved_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        return {
            "id": self.id,
            "patient_code": self.patient_code,
            "code": self.code,
            "body_site": self.body_site,
            "precaution": self.precaution,
            "recorded_by": self.recorded_by,
            "recorded_at": self.recorded_at.isoformat(),
            "resolved_by": self.resolved_by,
            "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
        }


def _item(row: NmesScreeningItemRow) -> StoredScreeningItem:
    return StoredScreeningItem(
        id=row.id,
        patient_code=row.patient_code,
        code=row.code,
        body_site=row.body_site,
        precaution=row.precaution,
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
        resolved_by=row.resolved_by,
        resolved_at=row.resolved_at,
    )


class _NmesRepository(_Repository):
    def __init__(self, session: Session, audit: AuditLog, /, *, actor: str) -> None:
        super().__init__(session, audit)
        self._actor = actor


class NmesScreeningRepository(_NmesRepository):
    """The patient's NMES screening items (contraindications and precautions)."""

    def add(
        self,
        *,
        patient_code: str,
        item_id: str,
        code: str,
        body_site: str | None,
        precaution: str | None,
    ) -> StoredScreeningItem:
        """Store an item of a recorded patient (codes are checked by the service)."""
        self._require_patient(patient_code)
        self._require_new(NmesScreeningItemRow, item_id, what="screening item")
        row = NmesScreeningItemRow(
            id=item_id,
            patient_code=patient_code,
            code=code,
            body_site=body_site,
            precaution=precaution,
            recorded_by=self._actor,
            recorded_at=self._audit.now(),
        )
        self._session.add(row)
        self._audit.record(
            AuditAction.CREATE,
            "nmes_screening_item",
            item_id,
            {
                "patient_code": patient_code,
                "code": code,
                "body_site": body_site,
                "precaution": precaution,
            },
        )
        self._session.flush()
        self._bump(patient_code)
        return _item(row)

    def resolve(self, item_id: str, /, *, patient_code: str) -> StoredScreeningItem:
        """Mark an active item of the patient resolved (no longer applies); never deleted."""
        row = self._session.get(NmesScreeningItemRow, item_id)
        if row is None or row.patient_code != patient_code:
            raise NotFoundError(f"item must be a screening item of {patient_code}; got {item_id!r}")
        if row.resolved_at is not None:
            raise DomainRuleError(f"item must be active; got {item_id!r}, already resolved")
        row.resolved_by = self._actor
        row.resolved_at = self._audit.now()
        self._audit.record(
            AuditAction.UPDATE,
            "nmes_screening_item",
            item_id,
            {"patient_code": patient_code, "code": row.code, "resolved": True},
        )
        self._session.flush()
        self._bump(patient_code)
        return _item(row)

    def for_patient(self, patient_code: str, /) -> list[StoredScreeningItem]:
        """Every item of the patient, resolved ones included, oldest first."""
        query = (
            select(NmesScreeningItemRow)
            .where(NmesScreeningItemRow.patient_code == patient_code)
            .order_by(NmesScreeningItemRow.recorded_at, NmesScreeningItemRow.id)
        )
        return [_item(row) for row in self._session.scalars(query)]

    def active(self, patient_code: str, /) -> list[StoredScreeningItem]:
        """The patient's items that are not resolved, oldest first."""
        return [i for i in self.for_patient(patient_code) if i.resolved_at is None]


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredNmesSession:
    """An NMES session as stored: the record, its derived values and the checks shown."""

    id: str
    patient_code: str
    record: NmesSessionRecord
    rms_current_ma: float
    current_density_ma_cm2: float
    charge_per_phase_uc: float
    checks: Mapping[str, Any]
    recorded_by: str
    recorded_at: datetime

    def to_dict(self) -> dict[str, Any]:
        """Plain values for JSON."""
        r = self.record
        return {
            "id": self.id,
            "patient_code": self.patient_code,
            "protocol_id": r.protocol_id,
            "session_date": r.session_date.isoformat(),
            "waveform": r.waveform.value,
            "frequency_hz": r.frequency_hz,
            "pulse_width_us": r.pulse_width_us,
            "on_s": r.on_s,
            "off_s": r.off_s,
            "ramp_up_s": r.ramp_up_s,
            "ramp_down_s": r.ramp_down_s,
            "intensity_ma": r.intensity_ma,
            "electrode_area_cm2": r.electrode_area_cm2,
            "rms_current_ma": self.rms_current_ma,
            "current_density_ma_cm2": self.current_density_ma_cm2,
            "charge_per_phase_uc": self.charge_per_phase_uc,
            "contractions": r.contractions,
            "peak_force_n": r.peak_force_n,
            "mvic_n": r.mvic_n,
            "evoked_force_pct_mvic": r.evoked_force_pct_mvic,
            "skin_before": r.skin_before.value,
            "skin_after": r.skin_after.value,
            "minutes_attended": r.minutes_attended,
            "precaution": r.precaution,
            "note": r.note,
            "checks": dict(self.checks),
            "recorded_by": self.recorded_by,
            "recorded_at": self.recorded_at.isoformat(),
        }


def _session(row: NmesSessionRow) -> StoredNmesSession:
    record = NmesSessionRecord(
        protocol_id=row.protocol_id,
        session_date=row.session_date,
        frequency_hz=row.frequency_hz,
        pulse_width_us=row.pulse_width_us,
        waveform=Waveform(row.waveform),
        on_s=row.on_s,
        off_s=row.off_s,
        ramp_up_s=row.ramp_up_s,
        ramp_down_s=row.ramp_down_s,
        intensity_ma=row.intensity_ma,
        electrode_area_cm2=row.electrode_area_cm2,
        contractions=row.contractions,
        minutes_attended=row.minutes_attended,
        skin_before=SkinCondition(row.skin_before),
        skin_after=SkinCondition(row.skin_after),
        peak_force_n=row.peak_force_n,
        mvic_n=row.mvic_n,
        precaution=row.precaution,
        note=row.note,
    )
    return StoredNmesSession(
        id=row.id,
        patient_code=row.patient_code,
        record=record,
        rms_current_ma=row.rms_current_ma,
        current_density_ma_cm2=row.current_density_ma_cm2,
        charge_per_phase_uc=row.charge_per_phase_uc,
        checks=dict(row.checks),
        recorded_by=row.recorded_by,
        recorded_at=row.recorded_at,
    )


class NmesSessionRepository(_NmesRepository):
    """The NMES session log."""

    def add(
        self,
        record: NmesSessionRecord,
        /,
        *,
        session_id: str,
        patient_code: str,
        checks: Mapping[str, Any],
    ) -> StoredNmesSession:
        """Store a session of a recorded patient with the checks shown when it was logged."""
        self._require_patient(patient_code)
        self._require_new(NmesSessionRow, session_id, what="NMES session")
        derived = record.parameter_check()
        row = NmesSessionRow(
            id=session_id,
            patient_code=patient_code,
            session_date=record.session_date,
            protocol_id=record.protocol_id,
            waveform=record.waveform.value,
            frequency_hz=float(record.frequency_hz),
            pulse_width_us=float(record.pulse_width_us),
            on_s=record.on_s,
            off_s=record.off_s,
            ramp_up_s=record.ramp_up_s,
            ramp_down_s=record.ramp_down_s,
            intensity_ma=float(record.intensity_ma),
            electrode_area_cm2=float(record.electrode_area_cm2),
            rms_current_ma=derived.rms_current_ma,
            current_density_ma_cm2=derived.current_density_ma_cm2,
            charge_per_phase_uc=derived.charge_per_phase_uc,
            contractions=record.contractions,
            peak_force_n=record.peak_force_n,
            mvic_n=record.mvic_n,
            evoked_force_pct_mvic=record.evoked_force_pct_mvic,
            skin_before=record.skin_before.value,
            skin_after=record.skin_after.value,
            minutes_attended=record.minutes_attended,
            precaution=record.precaution,
            note=record.note,
            checks=dict(checks),
            recorded_by=self._actor,
            recorded_at=self._audit.now(),
        )
        self._session.add(row)
        stored = _session(row)
        detail = stored.to_dict()
        for key in ("recorded_at", "recorded_by", "id", "checks"):
            detail.pop(key)
        self._audit.record(AuditAction.CREATE, "nmes_session", session_id, detail)
        self._session.flush()
        self._bump(patient_code)
        return stored

    def for_patient(self, patient_code: str, /) -> list[StoredNmesSession]:
        """The patient's NMES sessions, oldest first."""
        query = (
            select(NmesSessionRow)
            .where(NmesSessionRow.patient_code == patient_code)
            .order_by(NmesSessionRow.session_date, NmesSessionRow.id)
        )
        return [_session(row) for row in self._session.scalars(query)]
