"""NMES protocols as data: the built-in file loads, every value cites a source, each protocol
links to the exercise library's matching variants, and a broken file is refused with the file,
protocol and field named."""

from __future__ import annotations

import pytest

from reeducate.clinic.exercises import NmesMode, load_library
from reeducate.errors import FileFormatError, NotFoundError
from reeducate.stim.parameters import Severity, check_parameters
from reeducate.stim.protocols import (
    IntensityTarget,
    Purpose,
    StimMode,
    load_protocols,
    parse_protocols,
)

PROTOCOLS = load_protocols()


def test_the_issue_asks_for_these_protocols() -> None:
    by_purpose = {p.id: (p.purpose, p.mode) for p in PROTOCOLS}
    assert by_purpose["quad-tka"] == (Purpose.STRENGTHENING, StimMode.CYCLIC)
    assert by_purpose["quad-strengthening"] == (Purpose.STRENGTHENING, StimMode.CYCLIC)
    assert by_purpose["motor-reeducation-cyclic"] == (Purpose.MOTOR_REEDUCATION, StimMode.CYCLIC)
    assert by_purpose["motor-reeducation-emg"] == (
        Purpose.MOTOR_REEDUCATION,
        StimMode.EMG_TRIGGERED,
    )
    assert by_purpose["dorsiflexion-assist"][1] is StimMode.EMG_TRIGGERED
    assert by_purpose["gluteal-activation"] == (Purpose.ACTIVATION, StimMode.CYCLIC)


def test_stevens_lapsley_settings_as_published() -> None:
    # Reference §5.1: 50 Hz, 15/45 s, 3 s ramp up, 250 µs, symmetric biphasic, 7.6 × 12.7 cm,
    # 15 contractions twice daily at maximal tolerated intensity.
    p = PROTOCOLS.get("quad-tka")
    assert (p.frequency_hz.value, p.pulse_width_us.value) == (50, 250)
    assert (p.on_s.value, p.off_s.value, p.ramp_up_s.value) == (15, 45, 3)
    assert p.waveform.value == "symmetric_biphasic"
    assert p.electrode_area_cm2 == pytest.approx(7.6 * 12.7)
    assert (p.contractions_per_session.value, p.sessions_per_day.value) == (15, 2)
    assert p.intensity.target is IntensityTarget.MAXIMAL_TOLERATED
    assert p.frequency_hz.source == "stevens-lapsley-2012"
    assert "doi:10.2522/ptj.20110124" in PROTOCOLS.source_texts["stevens-lapsley-2012"]


def test_every_value_cites_a_known_source() -> None:
    for p in PROTOCOLS:
        assert p.sources() <= set(PROTOCOLS.source_texts), p.id
    assert all(text.strip() for text in PROTOCOLS.source_texts.values())


def test_linked_variants_exist_and_agree_with_the_protocol() -> None:
    library = load_library()
    linked = 0
    for p in PROTOCOLS:
        for variant_id in p.exercise_variants:
            v = library.get(variant_id)
            assert v.nmes is not None, variant_id
            assert v.nmes.mode.value == p.mode.value, variant_id
            assert p.frequency_hz.allows(v.nmes.frequency_hz), variant_id
            assert p.pulse_width_us.allows(v.nmes.pulse_width_us), variant_id
            linked += 1
    assert linked >= 8
    # and the library's EMG-triggered family is the dorsiflexion protocol's
    triggered = {
        v.id for v in library if v.nmes is not None and v.nmes.mode is NmesMode.EMG_TRIGGERED
    }
    assert triggered <= set(PROTOCOLS.get("dorsiflexion-assist").exercise_variants)


def test_default_settings_pass_the_safety_check_at_typical_intensities() -> None:
    # 65–100 mA were used with 300 µs at 30 Hz (Wigerstad-Lossing, §5.1); at the protocols'
    # own electrodes 100 mA must not reach a hard stop.
    for p in PROTOCOLS:
        check = check_parameters(
            intensity_ma=100, pulse_width_us=p.pulse_width_us.value,
            frequency_hz=p.frequency_hz.value, waveform=p.waveform,
            electrode_area_cm2=p.electrode_area_cm2,
        )  # fmt: skip
        assert check.severity is not Severity.STOP, p.id


def test_emg_triggered_protocols_have_trigger_settings() -> None:
    for p in PROTOCOLS:
        assert (p.trigger is not None) == (p.mode is StimMode.EMG_TRIGGERED), p.id
        if p.trigger is not None:
            assert 0.025 <= p.trigger.min_effort_s <= 0.05  # Hodges & Bui: 25–50 ms
            assert p.trigger.min_effort_source == "hodges-bui"


def test_unknown_protocol_lists_the_known_ones() -> None:
    with pytest.raises(NotFoundError, match="protocol must be one of dorsiflexion-assist"):
        PROTOCOLS.get("quad")


GOOD = """
schema_version = 1
[sources]
a = "A citation"
[[protocol]]
id = "p1"
name = "P"
purpose = "strengthening"
mode = "cyclic"
target_muscles = ["quadriceps"]
waveform = { value = "symmetric_biphasic", source = "a" }
frequency_hz = { value = 50, min = 30, max = 100, source = "a" }
pulse_width_us = { value = 300, source = "a" }
on_s = { value = 10, source = "a" }
off_s = { value = 30, source = "a" }
ramp_up_s = { value = 2, source = "a" }
ramp_down_s = { value = 1, source = "a" }
contractions_per_session = { value = 10, source = "a" }
sessions_per_day = { value = 1, source = "a" }
intensity = { target = "maximal_tolerated", source = "a" }
electrode = { width_cm = 5, length_cm = 5, source = "a" }
placement_source = "a"
exercise_variants = []
[[protocol.placement]]
site = "anterior_thigh"
description = "thigh"
"""


def test_a_minimal_file_parses() -> None:
    library = parse_protocols(GOOD, file="mine.toml")
    p = library.get("p1")
    assert p.frequency_hz.range_source == "a"  # a range without its own source: the value's
    assert p.sites[0].value == "anterior_thigh"
    assert p.session_minutes == pytest.approx(10 * 40 / 60)


@pytest.mark.parametrize(
    ("old", "new", "match"),
    [
        (
            'source = "a" }\npulse',
            'source = "b" }\npulse',
            "field frequency_hz.source must be a key of",
        ),
        (
            "value = 50, min = 30",
            "value = 20, min = 30",
            "field frequency_hz must have min <= value",
        ),
        (
            "ramp_up_s = { value = 2",
            "ramp_up_s = { value = 9.5",
            "field ramp_up_s plus ramp_down_s",
        ),
        ('mode = "cyclic"', 'mode = "emg_triggered"', "field trigger must be given exactly"),
        ('name = "P"', 'name = "P"\ncolour = "red"', "field colour is not a known key"),
        ('site = "anterior_thigh"', 'site = "knee"', r"field placement\[0\].site must be one of"),
        (
            'value = 10, source = "a" }\nsessions',
            'value = 10.5, source = "a" }\nsessions',
            "field contractions_per_session must be whole numbers",
        ),
        ("schema_version = 1", "schema_version = 2", "schema_version must be 1"),
    ],
)
def test_a_broken_file_is_refused_naming_file_protocol_and_field(
    old: str, new: str, match: str
) -> None:
    assert old in GOOD
    with pytest.raises(FileFormatError, match=match) as error:
        parse_protocols(GOOD.replace(old, new, 1), file="mine.toml")
    assert str(error.value).startswith("mine.toml:")
