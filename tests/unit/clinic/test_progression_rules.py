"""The progression rule settings: the defaults are the evidence of ``reference/clinic.md`` §5, a
clinic's file changes only what it names, and a bad file is refused naming the file and key."""

from __future__ import annotations

import dataclasses
import tomllib
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from reeducate.clinic.dimensions import LADDER_ORDER, Dimension
from reeducate.clinic.progression_rules import (
    Assistance,
    BalanceEvent,
    DifficultyScale,
    ProgressionRules,
    default_rules,
    load_rules,
    parse_rules,
)
from reeducate.errors import FileFormatError, InvalidParameterError, NotFoundError


def default_text() -> str:
    return (
        resources.files("reeducate.clinic.data")
        .joinpath("progression_rules.toml")
        .read_text(encoding="utf-8")
    )


def test_the_defaults_are_the_evidence_of_section_5() -> None:
    rules = default_rules()
    # Mastery on 2 consecutive sessions (§5.2).
    assert rules.consecutive_sessions == 2
    # Every set at the TOP of its target, not "session finished" (wger #2480, openGym #278).
    assert rules.all_sets_at_top_of_target is True
    # Intensity low: balance self-rating <= 2/5 (§5.2); RPE 3/10 is a design choice.
    assert rules.max_difficulty == {DifficultyScale.BALANCE_1_5: 2.0, DifficultyScale.RPE_0_10: 3.0}
    # Pain not >= 2 NPRS points above the session's start (NPRS MCID = 2).
    assert rules.pain_rise_nprs == 2
    # Regress: a fall or near-fall, self-rating 5, >= 2 losses of balance per set, < 50 % done.
    assert rules.regress_balance_events == {BalanceEvent.NEAR_FALL, BalanceEvent.FALL}
    assert rules.regress_difficulty_at_or_above == {DifficultyScale.BALANCE_1_5: 5.0}
    assert rules.regress_losses_of_balance_per_set == 2
    assert rules.regress_below_completion_ratio == 0.5
    # After >= 7 days with no sessions, restart one level down.
    assert rules.step_back_after_days_without_session == 7
    # Weekly dose: Sherrington 2011 >= 2 h/week; Lesinski 2015 3 sessions/week.
    assert (rules.weekly_minutes_target, rules.weekly_sessions_target) == (120.0, 3)
    # Mastery also needs no loss of balance, at most supervision, quality >= 75 % if recorded.
    assert (rules.max_losses_of_balance, rules.max_assistance) == (0, Assistance.SUPERVISION)
    assert (rules.min_quality_ratio, rules.quality_required) == (0.75, False)
    assert (rules.load_progression, rules.load_increment_kg) == (True, 0.5)


def test_the_default_dimension_order_is_the_ladder_order() -> None:
    assert default_rules().dimension_order == LADDER_ORDER


def test_the_default_file_cites_its_evidence() -> None:
    text = default_text()
    for source in ("Lesinski 2015", "Muehlbauer 2012", "Sherrington 2011", "MCID", "wger #2480"):
        assert source in text


def test_every_field_has_exactly_one_key_in_the_file() -> None:
    document = tomllib.loads(default_text())
    keys = [
        f"{section}.{key}"
        for section, table in document.items()
        if section != "schema_version"
        for key in table
    ]
    assert len(keys) == len(dataclasses.fields(ProgressionRules)) - 1  # all but `source`


# Every key set to a value other than its default: each must land in its own field.
EVERY_KEY = """
schema_version = 1
[mastery]
consecutive_sessions = 3
all_sets_at_top_of_target = false
max_difficulty = { balance_1_5 = 1, rpe_0_10 = 4 }
max_losses_of_balance = 1
max_assistance = "independent"
min_quality_ratio = 0.8
quality_required = true
[symptoms]
pain_rise_nprs = 3
[regress]
balance_events = ["fall"]
difficulty_at_or_above = { balance_1_5 = 4, rpe_0_10 = 9 }
losses_of_balance_per_set = 3
below_completion_ratio = 0.4
step_back_after_days_without_session = 14
[order]
dimensions = ["surface", "vision", "joints", "movement_path", "load_bearing",
              "base_of_support", "support", "task", "resistance", "speed", "duration"]
[load]
progression = false
increment_kg = 1.0
[dose]
weekly_minutes = 180
weekly_sessions = 4
"""


def test_every_key_of_a_clinic_file_sets_its_field() -> None:
    rules = parse_rules(EVERY_KEY, source="clinic.toml")
    assert rules == ProgressionRules(
        consecutive_sessions=3,
        all_sets_at_top_of_target=False,
        max_difficulty={DifficultyScale.BALANCE_1_5: 1, DifficultyScale.RPE_0_10: 4},
        max_losses_of_balance=1,
        max_assistance=Assistance.INDEPENDENT,
        min_quality_ratio=0.8,
        quality_required=True,
        pain_rise_nprs=3,
        regress_balance_events=frozenset({BalanceEvent.FALL}),
        regress_difficulty_at_or_above={
            DifficultyScale.BALANCE_1_5: 4,
            DifficultyScale.RPE_0_10: 9,
        },
        regress_losses_of_balance_per_set=3,
        regress_below_completion_ratio=0.4,
        step_back_after_days_without_session=14,
        dimension_order=(
            Dimension.SURFACE,
            Dimension.VISION,
            *(d for d in LADDER_ORDER if d not in (Dimension.SURFACE, Dimension.VISION)),
        ),
        load_progression=False,
        load_increment_kg=1.0,
        weekly_minutes_target=180,
        weekly_sessions_target=4,
        source="clinic.toml",
    )
    assert all(
        getattr(rules, f.name) != getattr(default_rules(), f.name)
        for f in dataclasses.fields(ProgressionRules)
    )


def test_a_clinic_file_changes_only_what_it_names() -> None:
    text = "schema_version = 1\n[mastery]\nmax_difficulty = { rpe_0_10 = 4 }\n"
    rules = parse_rules(text, source="clinic.toml")
    # A table is merged scale by scale ...
    assert rules.max_difficulty == {DifficultyScale.BALANCE_1_5: 2.0, DifficultyScale.RPE_0_10: 4.0}
    # ... and everything else keeps its default.
    assert dataclasses.replace(rules, max_difficulty=default_rules().max_difficulty) == (
        dataclasses.replace(default_rules(), source="clinic.toml")
    )
    only_falls = parse_rules(
        'schema_version = 1\n[regress]\nbalance_events = ["fall"]\n', source="clinic.toml"
    )
    assert only_falls.regress_balance_events == {BalanceEvent.FALL}  # a list replaces


def test_load_rules_reads_a_clinic_file(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("schema_version = 1\n[mastery]\nconsecutive_sessions = 3\n", encoding="utf-8")
    rules = load_rules(path)
    assert (rules.consecutive_sessions, rules.source) == (3, str(path))
    with pytest.raises(NotFoundError, match=r"rules file .*missing.toml does not exist"):
        load_rules(tmp_path / "missing.toml")
    bad = tmp_path / "latin1.toml"
    bad.write_bytes("# caf\xe9\nschema_version = 1\n".encode("latin-1"))
    with pytest.raises(FileFormatError, match=r"latin1.toml: must be UTF-8 text"):
        load_rules(bad)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[mastery]\nconsecutive_sessions = 3", "key schema_version: must be 1; got None"),
        ("schema_version = 2", "key schema_version: must be 1; got 2"),
        ("schema_version = 1\n[mastery", "is not valid TOML"),
        (
            "schema_version = 1\n[progress]\nx = 1",
            "key progress: is not a section; allowed: mastery, symptoms, regress, order, load, "
            "dose",
        ),
        (
            "schema_version = 1\n[mastery]\nconsecutive = 2",
            "key mastery.consecutive: is not a key of [mastery]; allowed: consecutive_sessions,",
        ),
        ("schema_version = 1\nmastery = 2", "key mastery: must be a table ([mastery]); got 2"),
        (
            "schema_version = 1\n[mastery]\nconsecutive_sessions = 0",
            "key mastery.consecutive_sessions: must be an integer 1–10; got 0",
        ),
        (
            'schema_version = 1\n[mastery]\nconsecutive_sessions = "2"',
            "key mastery.consecutive_sessions: must be an integer 1–10; got '2'",
        ),
        (
            "schema_version = 1\n[mastery]\nall_sets_at_top_of_target = 1",
            "key mastery.all_sets_at_top_of_target: must be true or false; got 1",
        ),
        (
            "schema_version = 1\n[mastery]\nmax_difficulty = { borg = 12 }",
            "key mastery.max_difficulty: must be one of balance_1_5, rpe_0_10; got 'borg'",
        ),
        (
            "schema_version = 1\n[mastery]\nmax_difficulty = { balance_1_5 = 5 }",
            "key mastery.max_difficulty.balance_1_5: must be a number 1–4; got 5",
        ),
        (
            'schema_version = 1\n[mastery]\nmax_assistance = "some"',
            "key mastery.max_assistance: must be one of independent, supervision, contact_guard,",
        ),
        (
            "schema_version = 1\n[mastery]\nmin_quality_ratio = 75",
            "key mastery.min_quality_ratio: must be a number 0–1; got 75",
        ),
        (
            "schema_version = 1\n[symptoms]\npain_rise_nprs = 0",
            "key symptoms.pain_rise_nprs: must be an integer 1–10; got 0",
        ),
        (
            'schema_version = 1\n[regress]\nbalance_events = ["none"]',
            "key regress.balance_events: must not contain none; got none",
        ),
        (
            'schema_version = 1\n[regress]\nbalance_events = "fall"',
            "key regress.balance_events: must be a list of balance events; got 'fall'",
        ),
        (
            "schema_version = 1\n[regress]\ndifficulty_at_or_above = { balance_1_5 = 2 }",
            "key regress.difficulty_at_or_above: must be above max_difficulty for balance_1_5 "
            "(2); got 2",
        ),
        (
            "schema_version = 1\n[regress]\nlosses_of_balance_per_set = 0",
            "key regress.losses_of_balance_per_set: must be an integer 1–20; got 0",
        ),
        (
            "schema_version = 1\n[regress]\nstep_back_after_days_without_session = 0",
            "key regress.step_back_after_days_without_session: must be an integer 1–365; got 0",
        ),
        (
            'schema_version = 1\n[order]\ndimensions = ["surface", "surface"]',
            "key order.dimensions: must name every dimension exactly once; missing joints, "
            "movement_path, load_bearing, base_of_support, support, vision, task, resistance, "
            "speed, duration, repeated surface",
        ),
        (
            'schema_version = 1\n[order]\ndimensions = ["balance"]',
            "key order.dimensions: must be one of joints, movement_path,",
        ),
        (
            "schema_version = 1\n[load]\nincrement_kg = 0",
            "key load.increment_kg: must be a number 0.1–20; got 0",
        ),
        (
            "schema_version = 1\n[dose]\nweekly_sessions = 8",
            "key dose.weekly_sessions: must be an integer 1–7; got 8",
        ),
    ],
)
def test_a_bad_clinic_file_is_refused_naming_the_file_and_key(text: str, message: str) -> None:
    with pytest.raises(FileFormatError) as info:
        parse_rules(text, source="clinic.toml")
    assert str(info.value).startswith("clinic.toml")
    assert message in str(info.value)


def test_constructing_rules_directly_validates_naming_the_field() -> None:
    good = default_rules()
    bad: list[tuple[dict[str, Any], str]] = [
        ({"consecutive_sessions": 0}, "consecutive_sessions must be an integer 1–10; got 0"),
        (
            {"max_difficulty": {DifficultyScale.BALANCE_1_5: 2}},
            "max_difficulty must give a rating for every scale; missing rpe_0_10",
        ),
        (
            {"max_losses_of_balance": 2},
            "regress_losses_of_balance_per_set must be above max_losses_of_balance (2); got 2",
        ),
        ({"source": ""}, "source must be non-empty text; got ''"),
    ]
    for changes, message in bad:
        with pytest.raises(InvalidParameterError) as info:
            dataclasses.replace(good, **changes)
        assert str(info.value) == message
