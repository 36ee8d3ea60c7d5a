"""NMES use cases: the protocols, a patient's screening items, the pre-stimulation check
(parameters against IEC 60601-2-10 and the patient's contraindications against the electrode
sites), and the stimulation session log.

Each use case that writes is one transaction (:func:`reeducate.store.engine.transaction`): it
checks everything, writes, appends the audit events, adds 1 to ``patient.revision`` and commits;
any refusal raises one of the project's errors and writes nothing. Nothing here reads a clock:
the audit clock comes from the :class:`~reeducate.services.care.CareStore`.

Record ids: ``NS-0001`` (screening item), ``NM-0001`` (NMES session).

A session is refused (:class:`~reeducate.errors.DomainRuleError`) when its parameters reach a
hard stop, when the screening blocks, or when it warns and no precaution is documented (neither
on the patient's screening item nor for the session).

Examples
--------
>>> from datetime import UTC, date, datetime
>>> from reeducate.services.care import add_patient, open_store
>>> store = open_store("sqlite://", actor="pt-jones",
...                    clock=lambda: datetime(2025, 3, 3, 9, tzinfo=UTC))
>>> code = add_patient(store, name="Ada Example", date_of_birth=date(1950, 6, 1))
>>> [i.code for i in update_screening(store, code, add=[ScreeningSpec(code="pacemaker")])]
['pacemaker']
>>> report = check_nmes(store, protocol_id="quad-tka", patient_code=code, intensity_ma=60)
>>> report.verdict, report.screening.verdict.value
('block', 'block')
>>> store.close()
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Final

from reeducate.clinic.exercises import CONTRAINDICATION_LABELS, Contraindication
from reeducate.enums import allowed_values, member_of
from reeducate.errors import DomainRuleError, InvalidParameterError
from reeducate.stim.parameters import (
    ParameterCheck,
    Severity,
    Waveform,
    check_parameters,
    intensity_limit_ma,
)
from reeducate.stim.protocols import Protocol, ProtocolLibrary, load_protocols
from reeducate.stim.screening import (
    BodySite,
    ScreeningItem,
    ScreeningResult,
    Verdict,
    parse_site,
    screen,
)
from reeducate.stim.session import NmesSessionRecord, parse_skin

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from reeducate.services.care import CareStore
    from reeducate.store.nmes_repositories import (
        NmesScreeningRepository,
        NmesSessionRepository,
        StoredNmesSession,
        StoredScreeningItem,
    )
    from reeducate.store.repositories import Repositories

__all__ = [
    "NmesCheck",
    "NmesSessionLog",
    "ScreeningSpec",
    "check_nmes",
    "list_protocols",
    "log_nmes_session",
    "nmes_sessions",
    "screening_items",
    "update_screening",
]

SCREENING_PREFIX: Final = "NS"
SESSION_PREFIX: Final = "NM"


# --------------------------------------------------------------------------------------------
# Units of work
# --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Nmes:
    repos: Repositories
    items: NmesScreeningRepository
    sessions: NmesSessionRepository


class _Unit:
    def __init__(self, store: CareStore, *, read_only: bool) -> None:
        self._store = store
        self._read_only = read_only
        self._context: Any = None

    def __enter__(self) -> _Nmes:
        from reeducate.store.engine import transaction
        from reeducate.store.nmes_repositories import (
            NmesScreeningRepository,
            NmesSessionRepository,
        )
        from reeducate.store.repositories import Repositories

        self._context = transaction(self._store.factory, read_only=self._read_only)
        session: Session = self._context.__enter__()
        repos = Repositories(session, actor=self._store.actor, clock=self._store.clock)
        actor = self._store.actor
        return _Nmes(
            repos=repos,
            items=NmesScreeningRepository(session, repos.audit, actor=actor),
            sessions=NmesSessionRepository(session, repos.audit, actor=actor),
        )

    def __exit__(self, *exc: Any) -> bool | None:
        result: bool | None = self._context.__exit__(*exc)
        return result


def _patient(unit: _Nmes, code: object) -> str:
    if not isinstance(code, str):
        raise InvalidParameterError(f"patient_code must be text like 'P-0001'; got {code!r}")
    return unit.repos.patients.get(code).code


# --------------------------------------------------------------------------------------------
# Protocols
# --------------------------------------------------------------------------------------------


def list_protocols(*, library: ProtocolLibrary | None = None) -> list[Protocol]:
    """The NMES protocols, by id."""
    protocols = library if library is not None else load_protocols()
    return sorted(protocols, key=lambda p: p.id)


# --------------------------------------------------------------------------------------------
# Screening items
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ScreeningSpec:
    """An item to add to a patient's screening: a contraindication code, where it is, and the
    precaution documented for it."""

    code: str
    site: str | None = None
    precaution: str | None = None


def _check_code(code: object) -> str:
    member = member_of(Contraindication, code)
    if member is None:
        raise InvalidParameterError(
            f"code must be one of {allowed_values(Contraindication)}; got {code!r}"
        )
    return member.value


def _waveform(value: str) -> Waveform:
    member = member_of(Waveform, value)
    if member is None:
        raise InvalidParameterError(
            f"waveform must be one of {allowed_values(Waveform)}; got {value!r}"
        )
    return member


def _check_text(name: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise InvalidParameterError(f"{name} must be non-empty text or nothing; got {value!r}")
    return value.strip()


def update_screening(
    store: CareStore,
    patient_code: str,
    /,
    *,
    add: Sequence[ScreeningSpec] = (),
    resolve: Sequence[str] = (),
) -> list[StoredScreeningItem]:
    """Add items to, and resolve items of, a patient's screening; return the active items.

    One transaction: every item is checked (known code, known site) before anything is
    written.

    Raises
    ------
    InvalidParameterError
        An unknown code or site, or empty precaution text.
    NotFoundError
        An unknown patient, or an item to resolve that is not the patient's.
    DomainRuleError
        An item to resolve that is already resolved.
    """
    checked = [
        (
            _check_code(spec.code),
            parse_site(spec.site, field="site").value if spec.site is not None else None,
            _check_text("precaution", spec.precaution),
        )
        for spec in add
    ]
    with _Unit(store, read_only=False) as unit:
        code = _patient(unit, patient_code)
        for item_id in resolve:
            unit.items.resolve(item_id, patient_code=code)
        from reeducate.store.models import NmesScreeningItemRow

        for item_code, site, precaution in checked:
            unit.items.add(
                patient_code=code,
                item_id=unit.repos.next_id(NmesScreeningItemRow, SCREENING_PREFIX),
                code=item_code,
                body_site=site,
                precaution=precaution,
            )
        return unit.items.active(code)


def screening_items(
    store: CareStore, patient_code: str, /, *, include_resolved: bool = False
) -> list[StoredScreeningItem]:
    """The patient's screening items (active ones, or all with ``include_resolved``)."""
    with _Unit(store, read_only=True) as unit:
        code = _patient(unit, patient_code)
        if include_resolved:
            return unit.items.for_patient(code)
        return unit.items.active(code)


def _screening_input(items: Sequence[StoredScreeningItem]) -> list[ScreeningItem]:
    return [
        ScreeningItem(
            code=i.code,
            site=BodySite(i.body_site) if i.body_site is not None else None,
            precaution=i.precaution,
        )
        for i in items
    ]


# --------------------------------------------------------------------------------------------
# The pre-stimulation check
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class NmesCheck:
    """The check before stimulating: settings used, parameter check, screening, and what is
    outside the protocol's ranges.

    ``verdict`` is ``stop`` (a parameter reaches a hard stop), ``block`` (the screening blocks),
    ``warn`` (a warning band, an undocumented precaution, or a setting outside the protocol's
    range), ``allow_with_precaution`` or ``allow``; ``refused`` is True for stop and block.
    """

    protocol: Protocol
    frequency_hz: float
    pulse_width_us: float
    waveform: Waveform
    electrode_area_cm2: float
    parameters: ParameterCheck | None
    warn_from_ma: float
    stop_at_ma: float
    screening: ScreeningResult | None
    outside_protocol: tuple[str, ...]
    labels: Mapping[str, str] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        """The overall verdict (see the class docstring)."""
        if self.parameters is not None and self.parameters.severity is Severity.STOP:
            return "stop"
        screening = self.screening.verdict if self.screening is not None else Verdict.ALLOW
        if screening is Verdict.BLOCK:
            return "block"
        if (
            (self.parameters is not None and self.parameters.severity is Severity.WARN)
            or screening is Verdict.WARN
            or self.outside_protocol
        ):
            return "warn"
        return screening.value

    @property
    def refused(self) -> bool:
        """Whether stimulation must not go ahead (a hard stop or a block)."""
        return self.verdict in ("stop", "block")

    def reasons(self) -> list[str]:
        """Why the verdict is not ``allow``, in words, worst first."""
        out: list[str] = []
        if self.parameters is not None:
            out += [f.message for f in self.parameters.findings if f.severity is not Severity.OK]
        if self.screening is not None:
            for f in self.screening.findings:
                if f.verdict is not Verdict.ALLOW:
                    label = self.labels.get(f.code, f.code)
                    out.append(f"{f.verdict.value}: {label}: {f.reason}")
        out += list(self.outside_protocol)
        return out

    def to_dict(self) -> dict[str, Any]:
        """Plain values for JSON and the session log."""
        return {
            "protocol_id": self.protocol.id,
            "verdict": self.verdict,
            "frequency_hz": self.frequency_hz,
            "pulse_width_us": self.pulse_width_us,
            "waveform": self.waveform.value,
            "electrode_area_cm2": self.electrode_area_cm2,
            "warn_from_ma": self.warn_from_ma,
            "stop_at_ma": self.stop_at_ma,
            "parameters": self.parameters.to_dict() if self.parameters is not None else None,
            "screening": self.screening.to_dict() if self.screening is not None else None,
            "outside_protocol": list(self.outside_protocol),
            "reasons": self.reasons(),
        }


def _outside(protocol: Protocol, values: Mapping[str, float]) -> tuple[str, ...]:
    out = []
    for name, value in values.items():
        setting = getattr(protocol, name)
        if not setting.allows(value):
            low = setting.value if setting.min is None else setting.min
            high = setting.value if setting.max is None else setting.max
            span = f"{low:g}" if low == high else f"{low:g}–{high:g}"
            out.append(
                f"warn: {name} {value:g} is outside protocol {protocol.id}'s {span} "
                f"({setting.range_source or setting.source})"
            )
    return tuple(out)


def _evaluate(
    protocol: Protocol,
    items: Sequence[StoredScreeningItem] | None,
    *,
    intensity_ma: float | None,
    electrode_area_cm2: float | None,
    frequency_hz: float | None,
    pulse_width_us: float | None,
    waveform: str | None,
    timing: Mapping[str, float] | None = None,
) -> NmesCheck:
    frequency = protocol.frequency_hz.value if frequency_hz is None else frequency_hz
    width = protocol.pulse_width_us.value if pulse_width_us is None else pulse_width_us
    shape = protocol.waveform if waveform is None else waveform
    area = protocol.electrode_area_cm2 if electrode_area_cm2 is None else electrode_area_cm2
    parameters = (
        None
        if intensity_ma is None
        else check_parameters(
            intensity_ma=intensity_ma,
            pulse_width_us=width,
            frequency_hz=frequency,
            waveform=shape,
            electrode_area_cm2=area,
        )
    )
    limits = {
        level: intensity_limit_ma(
            pulse_width_us=width,
            frequency_hz=frequency,
            waveform=shape,
            electrode_area_cm2=area,
            level=level,
        )
        for level in ("warn", "stop")
    }
    screening = None if items is None else screen(_screening_input(items), sites=protocol.sites)
    outside = _outside(
        protocol,
        {"frequency_hz": float(frequency), "pulse_width_us": float(width)} | dict(timing or {}),
    )
    labels = {c.value: label for c, label in CONTRAINDICATION_LABELS.items()}
    return NmesCheck(
        protocol=protocol,
        frequency_hz=float(frequency),
        pulse_width_us=float(width),
        waveform=_waveform(shape),
        electrode_area_cm2=float(area),
        parameters=parameters,
        warn_from_ma=limits["warn"],
        stop_at_ma=limits["stop"],
        screening=screening,
        outside_protocol=outside,
        labels=labels,
    )


def check_nmes(
    store: CareStore | None,
    /,
    *,
    protocol_id: str,
    patient_code: str | None = None,
    intensity_ma: float | None = None,
    electrode_area_cm2: float | None = None,
    frequency_hz: float | None = None,
    pulse_width_us: float | None = None,
    waveform: str | None = None,
    library: ProtocolLibrary | None = None,
) -> NmesCheck:
    """Check a stimulation before it starts.

    Parameters
    ----------
    store : CareStore or None
        Where the patient's screening items are (None: no patient, parameters only).
    protocol_id : str
        The protocol (see :func:`list_protocols`).
    patient_code : str or None
        The patient whose screening items are screened against the protocol's electrode sites.
    intensity_ma : float or None
        Peak intensity planned or reached, mA (None: the check gives only the intensities at
        which the warning band and the hard stop begin).
    electrode_area_cm2, frequency_hz, pulse_width_us, waveform
        Settings that differ from the protocol's (None: the protocol's).

    Raises
    ------
    NotFoundError
        Unknown protocol or patient.
    InvalidParameterError
        A setting that is not a plausible number, or a patient without a store.
    """
    protocol = (library if library is not None else load_protocols()).get(protocol_id)
    items: list[StoredScreeningItem] | None = None
    if patient_code is not None:
        if store is None:
            raise InvalidParameterError("store must be given with patient_code; got None")
        items = screening_items(store, patient_code)
    return _evaluate(
        protocol,
        items,
        intensity_ma=intensity_ma,
        electrode_area_cm2=electrode_area_cm2,
        frequency_hz=frequency_hz,
        pulse_width_us=pulse_width_us,
        waveform=waveform,
    )


# --------------------------------------------------------------------------------------------
# The session log
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class NmesSessionLog:
    """What the clinician enters after an NMES session; settings left None are the protocol's.

    Attributes
    ----------
    patient_code, protocol_id : str
        Who and which protocol.
    session_date : date
        The day.
    intensity_ma : float
        Peak intensity reached, mA.
    contractions : int
        Contractions delivered.
    minutes_attended : int
        Minutes of constant attendance (CPT 97032).
    skin_before, skin_after : str
        Skin check (:class:`reeducate.stim.session.SkinCondition` values).
    frequency_hz, pulse_width_us, waveform, on_s, off_s, ramp_up_s, ramp_down_s,
    electrode_area_cm2 : optional
        Settings actually used when they differ from the protocol's.
    peak_force_n, mvic_n : float or None
        Dynamometer reading: peak evoked force and the patient's MVIC, N (both or neither).
    precaution : str or None
        The precaution taken this session (required when the screening warns).
    note : str or None
        Free text (no identifying data).
    """

    patient_code: str
    protocol_id: str
    session_date: date
    intensity_ma: float
    contractions: int
    minutes_attended: int
    skin_before: str
    skin_after: str
    frequency_hz: float | None = None
    pulse_width_us: float | None = None
    waveform: str | None = None
    on_s: float | None = None
    off_s: float | None = None
    ramp_up_s: float | None = None
    ramp_down_s: float | None = None
    electrode_area_cm2: float | None = None
    peak_force_n: float | None = None
    mvic_n: float | None = None
    precaution: str | None = None
    note: str | None = None


def log_nmes_session(
    store: CareStore, log: NmesSessionLog, /, *, library: ProtocolLibrary | None = None
) -> tuple[StoredNmesSession, NmesCheck]:
    """Record an NMES session as delivered; return it with the check made on it.

    Refused (nothing written) when the parameters reach a hard stop, the screening blocks, or
    it warns and no precaution is documented (for the item or for this session).

    Raises
    ------
    DomainRuleError
        Refused as above (the message gives every reason).
    InvalidParameterError, NotFoundError
        Bad values, unknown protocol or patient.
    """
    protocol = (library if library is not None else load_protocols()).get(log.protocol_id)

    def pick(value: float | None, default: float) -> float:
        return default if value is None else value

    record = NmesSessionRecord(
        protocol_id=protocol.id,
        session_date=log.session_date,
        frequency_hz=pick(log.frequency_hz, protocol.frequency_hz.value),
        pulse_width_us=pick(log.pulse_width_us, protocol.pulse_width_us.value),
        waveform=protocol.waveform if log.waveform is None else _waveform(log.waveform),
        on_s=pick(log.on_s, protocol.on_s.value),
        off_s=pick(log.off_s, protocol.off_s.value),
        ramp_up_s=pick(log.ramp_up_s, protocol.ramp_up_s.value),
        ramp_down_s=pick(log.ramp_down_s, protocol.ramp_down_s.value),
        intensity_ma=log.intensity_ma,
        electrode_area_cm2=pick(log.electrode_area_cm2, protocol.electrode_area_cm2),
        contractions=log.contractions,
        minutes_attended=log.minutes_attended,
        skin_before=parse_skin(log.skin_before, field="skin_before"),
        skin_after=parse_skin(log.skin_after, field="skin_after"),
        peak_force_n=log.peak_force_n,
        mvic_n=log.mvic_n,
        precaution=_check_text("precaution", log.precaution),
        note=_check_text("note", log.note),
    )
    from reeducate.store.models import NmesSessionRow

    with _Unit(store, read_only=False) as unit:
        code = _patient(unit, log.patient_code)
        check = _evaluate(
            protocol,
            unit.items.active(code),
            intensity_ma=record.intensity_ma,
            electrode_area_cm2=record.electrode_area_cm2,
            frequency_hz=record.frequency_hz,
            pulse_width_us=record.pulse_width_us,
            waveform=record.waveform.value,
            timing={"on_s": record.on_s, "off_s": record.off_s},
        )
        if check.refused:
            raise DomainRuleError(
                f"NMES session must pass the check; got {check.verdict}: "
                + "; ".join(r for r in check.reasons() if not r.startswith("warn"))
            )
        assert check.screening is not None
        if check.screening.verdict is Verdict.WARN and record.precaution is None:
            raise DomainRuleError(
                "precaution must be documented for this session (the screening warns); got "
                "none: "
                + "; ".join(f.reason for f in check.screening.findings if f.verdict is Verdict.WARN)
            )
        stored = unit.sessions.add(
            record,
            session_id=unit.repos.next_id(NmesSessionRow, SESSION_PREFIX),
            patient_code=code,
            checks=check.to_dict(),
        )
    return stored, check


def nmes_sessions(store: CareStore, patient_code: str, /) -> list[StoredNmesSession]:
    """The patient's NMES sessions, oldest first."""
    with _Unit(store, read_only=True) as unit:
        return unit.sessions.for_patient(_patient(unit, patient_code))
