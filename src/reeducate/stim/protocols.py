"""NMES protocols as data: settings, dose, intensity target, electrodes, each value with its
source.

The protocols live in ``reeducate/stim/data/protocols.toml`` so that clinicians can read and
review them. Every numeric setting is a table ``{ value = ..., min = ..., max = ..., source =
"key", range_source = "key" }`` whose ``source`` is a key of the file's ``[sources]`` table
(``convention`` marks a value this software proposes where the reference gives none); the
optional ``min``/``max`` are the range a clinician may set without leaving the protocol.

File layout
-----------
::

    schema_version = 1
    [sources]
    stevens-lapsley-2012 = "Stevens-Lapsley JE et al. (2012) ... doi:10.2522/ptj.20110124"

    [[protocol]]
    id = "quad-tka"
    name = "..."
    purpose = "strengthening"            # see Purpose
    mode = "cyclic"                      # cyclic | emg_triggered
    target_muscles = ["quadriceps"]
    waveform = { value = "symmetric_biphasic", source = "..." }
    frequency_hz = { value = 50, min = 30, max = 100, source = "...", range_source = "..." }
    pulse_width_us = { value = 250, ... }   # phase duration
    on_s = { ... }                        # stimulation on, ramps included
    off_s = { ... }                       # rest between contractions
    ramp_up_s = { ... }
    ramp_down_s = { ... }
    contractions_per_session = { ... }
    sessions_per_day = { ... }
    intensity = { target = "maximal_tolerated", min_pct_mvic = 50, source = "...",
                  pct_mvic_source = "..." }   # see IntensityTarget
    electrode = { width_cm = 7.6, length_cm = 12.7, source = "..." }
    trigger = { trigger_pct_mvc = 20, release_pct_mvc = 10, min_effort_s = 0.05,
                source = "...", min_effort_source = "..." }   # EMG-triggered only
    placement_source = "..."
    exercise_variants = ["nm-quad-supine-long"]   # the exercise library's matching variants
    notes = "..."                                  # optional
    [[protocol.placement]]
    site = "anterior_thigh"              # see reeducate.stim.screening.BodySite
    description = "over the distal medial quadriceps"

Rules checked on load (a :class:`~reeducate.errors.FileFormatError` names the file, the
protocol id and the field): unknown keys are errors; ids are unique; every ``source`` names a
key of ``[sources]``; every number is in its plausible range and ``min <= value <= max``; the
ramps fit in the on-time; ``trigger`` is given exactly for EMG-triggered protocols, with
``release_pct_mvc <= trigger_pct_mvc``.

Examples
--------
>>> protocols = load_protocols()
>>> p = protocols.get("quad-tka")
>>> p.frequency_hz.value, p.pulse_width_us.value, p.on_s.value, p.off_s.value
(50.0, 250.0, 15.0, 45.0)
>>> round(p.electrode_area_cm2, 2), p.intensity.target.value
(96.52, 'maximal_tolerated')
>>> sorted(p.id for p in protocols)[:2]
['dorsiflexion-assist', 'gluteal-activation']
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib import resources
from types import MappingProxyType
from typing import Any, Final, TypeVar

from reeducate.enums import allowed_values, member_of
from reeducate.errors import FileFormatError, NotFoundError
from reeducate.stim.parameters import Waveform
from reeducate.stim.screening import BodySite

__all__ = [
    "Electrode",
    "IntensitySpec",
    "IntensityTarget",
    "Placement",
    "Protocol",
    "ProtocolLibrary",
    "Purpose",
    "Setting",
    "StimMode",
    "TriggerSpec",
    "load_protocols",
    "parse_protocols",
]

SCHEMA_VERSION: Final = 1
_E = TypeVar("_E", bound=StrEnum)
_FILE: Final = "stim/data/protocols.toml"


class StimMode(StrEnum):
    """How stimulation is timed (same values as :class:`reeducate.clinic.exercises.NmesMode`)."""

    CYCLIC = "cyclic"
    EMG_TRIGGERED = "emg_triggered"


class Purpose(StrEnum):
    """What the protocol is for."""

    STRENGTHENING = "strengthening"
    ACTIVATION = "activation"
    MOTOR_REEDUCATION = "motor_reeducation"


class IntensityTarget(StrEnum):
    """How intensity is set: the highest the patient tolerates; a share of the maximal voluntary
    isometric contraction (needs a dynamometer); or the lowest that moves the joint through its
    available range comfortably."""

    MAXIMAL_TOLERATED = "maximal_tolerated"
    PCT_MVIC = "pct_mvic"
    FUNCTIONAL_MOVEMENT = "functional_movement"


@dataclass(frozen=True, slots=True, kw_only=True)
class Setting:
    """One numeric setting with its allowed range and sources."""

    value: float
    source: str
    min: float | None = None
    max: float | None = None
    range_source: str | None = None

    def allows(self, value: float, /) -> bool:
        """Whether ``value`` is within the protocol's range (the value itself when no range)."""
        low = self.value if self.min is None else self.min
        high = self.value if self.max is None else self.max
        return low <= value <= high


@dataclass(frozen=True, slots=True, kw_only=True)
class IntensitySpec:
    """How intensity is set, and the evoked force aimed for when a dynamometer is used."""

    target: IntensityTarget
    source: str
    min_pct_mvic: float | None = None
    pct_mvic_source: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Electrode:
    """Electrode size (rectangular, each of the pair)."""

    width_cm: float
    length_cm: float
    source: str

    @property
    def area_cm2(self) -> float:
        """Area of one electrode, cm²."""
        return self.width_cm * self.length_cm


@dataclass(frozen=True, slots=True, kw_only=True)
class TriggerSpec:
    """EMG trigger settings: effort above ``trigger_pct_mvc`` for ``min_effort_s`` starts the
    stimulation; the envelope must fall below ``release_pct_mvc`` before the next one."""

    trigger_pct_mvc: float
    release_pct_mvc: float
    min_effort_s: float
    source: str
    min_effort_source: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Placement:
    """One electrode's place."""

    site: BodySite
    description: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Protocol:
    """An NMES protocol (see the module docstring for the fields)."""

    id: str
    name: str
    purpose: Purpose
    mode: StimMode
    target_muscles: tuple[str, ...]
    waveform: Waveform
    waveform_source: str
    frequency_hz: Setting
    pulse_width_us: Setting
    on_s: Setting
    off_s: Setting
    ramp_up_s: Setting
    ramp_down_s: Setting
    contractions_per_session: Setting
    sessions_per_day: Setting
    intensity: IntensitySpec
    electrode: Electrode
    trigger: TriggerSpec | None
    placement: tuple[Placement, ...]
    placement_source: str
    exercise_variants: tuple[str, ...]
    notes: str | None = None

    @property
    def electrode_area_cm2(self) -> float:
        """Area of one electrode of the protocol's size, cm²."""
        return self.electrode.area_cm2

    @property
    def sites(self) -> tuple[BodySite, ...]:
        """The body sites of the electrodes, each once."""
        return tuple(dict.fromkeys(p.site for p in self.placement))

    @property
    def session_minutes(self) -> float:
        """Minutes of one session at the default dose: contractions × (on + off)."""
        cycle_s = self.on_s.value + self.off_s.value
        return self.contractions_per_session.value * cycle_s / 60.0

    def sources(self) -> set[str]:
        """Every source key the protocol cites."""
        keys = {
            self.waveform_source,
            self.placement_source,
            self.intensity.source,
            self.electrode.source,
        }
        for setting in self._settings().values():
            keys.add(setting.source)
            if setting.range_source is not None:
                keys.add(setting.range_source)
        if self.intensity.pct_mvic_source is not None:
            keys.add(self.intensity.pct_mvic_source)
        if self.trigger is not None:
            keys |= {self.trigger.source, self.trigger.min_effort_source}
        return keys

    def _settings(self) -> dict[str, Setting]:
        return {name: getattr(self, name) for name in _SETTINGS}


@dataclass(frozen=True, slots=True)
class ProtocolLibrary:
    """The protocols and the sources they cite."""

    protocols: Mapping[str, Protocol]
    source_texts: Mapping[str, str]

    def get(self, protocol_id: str, /) -> Protocol:
        """The protocol ``protocol_id``, or :class:`NotFoundError` listing the known ids."""
        try:
            return self.protocols[protocol_id]
        except KeyError:
            known = ", ".join(sorted(self.protocols))
            raise NotFoundError(f"protocol must be one of {known}; got {protocol_id!r}") from None

    def __iter__(self) -> Iterator[Protocol]:
        return iter(self.protocols.values())

    def __len__(self) -> int:
        return len(self.protocols)

    def __contains__(self, protocol_id: object) -> bool:
        return protocol_id in self.protocols


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------

#: Numeric settings and their plausible ranges (beyond them a value is a typing error).
_SETTINGS: Final[Mapping[str, tuple[float, float]]] = MappingProxyType(
    {
        "frequency_hz": (1.0, 200.0),
        "pulse_width_us": (20.0, 1000.0),
        "on_s": (1.0, 60.0),
        "off_s": (0.0, 300.0),
        "ramp_up_s": (0.0, 10.0),
        "ramp_down_s": (0.0, 10.0),
        "contractions_per_session": (1.0, 500.0),
        "sessions_per_day": (1.0, 6.0),
    }
)
_INTEGER_SETTINGS: Final = frozenset({"contractions_per_session", "sessions_per_day"})
_PROTOCOL_KEYS: Final = frozenset(
    {
        "id", "name", "purpose", "mode", "target_muscles", "waveform", "intensity", "electrode",
        "trigger", "placement", "placement_source", "exercise_variants", "notes", *_SETTINGS,
    }
)  # fmt: skip
_OPTIONAL_KEYS: Final = frozenset({"trigger", "notes"})


class _Where:
    def __init__(self, file: str, protocol_id: str) -> None:
        self.file = file
        self.protocol_id = protocol_id

    def error(self, field: str, detail: str) -> FileFormatError:
        return FileFormatError(
            f"{self.file}: protocol {self.protocol_id!r}, field {field} {detail}"
        )


def _table(
    where: _Where, field: str, value: object, keys: set[str], required: set[str]
) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise where.error(field, f"must be a table; got {value!r}")
    unknown = sorted(set(value) - keys)
    if unknown:
        raise where.error(
            field, f"has unknown key {unknown[0]!r}; allowed: {', '.join(sorted(keys))}"
        )
    missing = sorted(required - set(value))
    if missing:
        raise where.error(f"{field}.{missing[0]}", "is required; got nothing")
    return value


def _text(where: _Where, field: str, value: object) -> str:
    if not isinstance(value, str) or not value.strip():
        raise where.error(field, f"must be non-empty text; got {value!r}")
    return value


def _number(where: _Where, field: str, value: object, low: float, high: float) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not low <= value <= high
    ):
        raise where.error(field, f"must be a number {low:g}–{high:g}; got {value!r}")
    return float(value)


def _source(where: _Where, field: str, value: object, sources: Mapping[str, str]) -> str:
    key = _text(where, field, value)
    if key not in sources:
        raise where.error(
            field, f"must be a key of [sources] ({', '.join(sorted(sources))}); got {key!r}"
        )
    return key


def _enum(where: _Where, field: str, value: object, enum: type[_E]) -> _E:
    member = member_of(enum, value)
    if member is None:
        raise where.error(field, f"must be one of {allowed_values(enum)}; got {value!r}")
    return member


def _setting(where: _Where, name: str, value: object, sources: Mapping[str, str]) -> Setting:
    table = _table(
        where, name, value, {"value", "min", "max", "source", "range_source"}, {"value", "source"}
    )
    low, high = _SETTINGS[name]
    numbers = {
        key: _number(where, f"{name}.{key}", table[key], low, high)
        for key in ("value", "min", "max")
        if key in table
    }
    if name in _INTEGER_SETTINGS and not all(v.is_integer() for v in numbers.values()):
        raise where.error(name, f"must be whole numbers; got {numbers}")
    lo, hi = numbers.get("min", numbers["value"]), numbers.get("max", numbers["value"])
    if not lo <= numbers["value"] <= hi:
        raise where.error(
            name, f"must have min <= value <= max; got {lo:g}, {numbers['value']:g}, {hi:g}"
        )
    has_range = "min" in table or "max" in table
    range_source = table.get("range_source")
    return Setting(
        value=numbers["value"],
        min=numbers.get("min"),
        max=numbers.get("max"),
        source=_source(where, f"{name}.source", table["source"], sources),
        range_source=(
            _source(where, f"{name}.range_source", range_source, sources)
            if range_source is not None
            else (_source(where, f"{name}.source", table["source"], sources) if has_range else None)
        ),
    )


def _protocol(where: _Where, raw: Mapping[str, Any], sources: Mapping[str, str]) -> Protocol:
    unknown = sorted(set(raw) - _PROTOCOL_KEYS)
    if unknown:
        raise where.error(unknown[0], "is not a known key")
    missing = sorted(_PROTOCOL_KEYS - _OPTIONAL_KEYS - set(raw))
    if missing:
        raise where.error(missing[0], "is required; got nothing")
    settings = {name: _setting(where, name, raw[name], sources) for name in _SETTINGS}
    if settings["ramp_up_s"].value + settings["ramp_down_s"].value > settings["on_s"].value:
        raise where.error(
            "ramp_up_s",
            f"plus ramp_down_s must not exceed on_s ({settings['on_s'].value:g} s); got "
            f"{settings['ramp_up_s'].value:g} + {settings['ramp_down_s'].value:g} s",
        )
    wave = _table(where, "waveform", raw["waveform"], {"value", "source"}, {"value", "source"})
    intensity = _table(
        where, "intensity", raw["intensity"],
        {"target", "source", "min_pct_mvic", "pct_mvic_source"}, {"target", "source"},
    )  # fmt: skip
    if ("min_pct_mvic" in intensity) != ("pct_mvic_source" in intensity):
        raise where.error("intensity", "must give min_pct_mvic and pct_mvic_source together")
    electrode = _table(
        where, "electrode", raw["electrode"], {"width_cm", "length_cm", "source"},
        {"width_cm", "length_cm", "source"},
    )  # fmt: skip
    mode = _enum(where, "mode", raw["mode"], StimMode)
    trigger: TriggerSpec | None = None
    if (mode is StimMode.EMG_TRIGGERED) != ("trigger" in raw):
        raise where.error(
            "trigger", f"must be given exactly for emg_triggered protocols; got mode {mode.value}"
        )
    if "trigger" in raw:
        keys = {"trigger_pct_mvc", "release_pct_mvc", "min_effort_s", "source", "min_effort_source"}
        t = _table(where, "trigger", raw["trigger"], keys, keys)
        trigger = TriggerSpec(
            trigger_pct_mvc=_number(where, "trigger.trigger_pct_mvc", t["trigger_pct_mvc"], 1, 100),
            release_pct_mvc=_number(where, "trigger.release_pct_mvc", t["release_pct_mvc"], 0, 100),
            min_effort_s=_number(where, "trigger.min_effort_s", t["min_effort_s"], 0, 2),
            source=_source(where, "trigger.source", t["source"], sources),
            min_effort_source=_source(
                where, "trigger.min_effort_source", t["min_effort_source"], sources
            ),
        )
        if trigger.release_pct_mvc > trigger.trigger_pct_mvc:
            raise where.error(
                "trigger.release_pct_mvc",
                f"must be <= trigger_pct_mvc; got {trigger.release_pct_mvc:g}",
            )
    placements = raw["placement"]
    if not isinstance(placements, list) or not placements:
        raise where.error("placement", "must list at least one electrode; got none")
    placement = tuple(
        Placement(
            site=_enum(where, f"placement[{i}].site", t["site"], BodySite),
            description=_text(where, f"placement[{i}].description", t["description"]),
        )
        for i, t in enumerate(
            _table(where, f"placement[{i}]", p, {"site", "description"}, {"site", "description"})
            for i, p in enumerate(placements)
        )
    )
    muscles = raw["target_muscles"]
    variants = raw["exercise_variants"]
    if not isinstance(muscles, list) or not muscles:
        raise where.error("target_muscles", f"must list at least one muscle; got {muscles!r}")
    if not isinstance(variants, list):
        raise where.error("exercise_variants", f"must be a list of variant ids; got {variants!r}")
    return Protocol(
        id=where.protocol_id,
        name=_text(where, "name", raw["name"]),
        purpose=_enum(where, "purpose", raw["purpose"], Purpose),
        mode=mode,
        target_muscles=tuple(_text(where, "target_muscles", m) for m in muscles),
        waveform=_enum(where, "waveform.value", wave["value"], Waveform),
        waveform_source=_source(where, "waveform.source", wave["source"], sources),
        intensity=IntensitySpec(
            target=_enum(where, "intensity.target", intensity["target"], IntensityTarget),
            source=_source(where, "intensity.source", intensity["source"], sources),
            min_pct_mvic=(
                _number(where, "intensity.min_pct_mvic", intensity["min_pct_mvic"], 1, 100)
                if "min_pct_mvic" in intensity
                else None
            ),
            pct_mvic_source=(
                _source(where, "intensity.pct_mvic_source", intensity["pct_mvic_source"], sources)
                if "pct_mvic_source" in intensity
                else None
            ),
        ),
        electrode=Electrode(
            width_cm=_number(where, "electrode.width_cm", electrode["width_cm"], 1, 30),
            length_cm=_number(where, "electrode.length_cm", electrode["length_cm"], 1, 30),
            source=_source(where, "electrode.source", electrode["source"], sources),
        ),
        trigger=trigger,
        placement=placement,
        placement_source=_source(where, "placement_source", raw["placement_source"], sources),
        exercise_variants=tuple(_text(where, "exercise_variants", v) for v in variants),
        notes=_text(where, "notes", raw["notes"]) if "notes" in raw else None,
        **settings,
    )


def parse_protocols(text: str, /, *, file: str = "protocols.toml") -> ProtocolLibrary:
    """Parse and check a protocols file's text (see the module docstring).

    Raises
    ------
    FileFormatError
        The text is not TOML or breaks a rule; the message names ``file``, the protocol and
        the field.
    """
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise FileFormatError(f"{file}: not valid TOML: {error}") from None
    if document.get("schema_version") != SCHEMA_VERSION:
        raise FileFormatError(
            f"{file}: schema_version must be {SCHEMA_VERSION}; "
            f"got {document.get('schema_version')!r}"
        )
    unknown = sorted(set(document) - {"schema_version", "sources", "protocol"})
    if unknown:
        raise FileFormatError(f"{file}: unknown top-level key {unknown[0]!r}")
    sources = document.get("sources")
    if not isinstance(sources, dict) or not all(
        isinstance(v, str) and v.strip() for v in sources.values()
    ):
        raise FileFormatError(f"{file}: [sources] must map keys to citations (text)")
    protocols: dict[str, Protocol] = {}
    for index, raw in enumerate(document.get("protocol", [])):
        protocol_id = raw.get("id") if isinstance(raw, dict) else None
        if not isinstance(protocol_id, str) or not protocol_id.strip():
            raise FileFormatError(
                f"{file}: protocol #{index + 1} field id must be non-empty text; "
                f"got {protocol_id!r}"
            )
        if protocol_id in protocols:
            raise FileFormatError(f"{file}: protocol id must be unique; got {protocol_id!r} twice")
        protocols[protocol_id] = _protocol(_Where(file, protocol_id), raw, sources)
    if not protocols:
        raise FileFormatError(f"{file}: must hold at least one [[protocol]]; got none")
    return ProtocolLibrary(MappingProxyType(protocols), MappingProxyType(dict(sources)))


@cache
def load_protocols() -> ProtocolLibrary:
    """The built-in protocols (``reeducate/stim/data/protocols.toml``), read once."""
    text = resources.files("reeducate.stim.data").joinpath("protocols.toml").read_text("utf-8")
    return parse_protocols(text, file=_FILE)
