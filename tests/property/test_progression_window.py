"""The engine decides the same on the recent records as on the whole history.

:func:`~reeducate.clinic.progression.recommend_needs_since` says from which day the store
must load a patient's records; the properties: for random histories of the single-leg stance
family of the real library (random variants, dates, sequences, holds, repetitions, loads,
difficulty, pain, losses of balance, near-falls, a few records of another family, a random
``today`` and ``prescribed_on``), ``recommend`` on the records from that day on returns the very
same recommendation (decision, target, rule, evidence, data points, dose change...) as on the
whole history; and the strategy does reach progress, hold and regress.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, Verbosity, find, given, settings
from hypothesis import strategies as st

from reeducate.clinic.exercises import load_library
from reeducate.clinic.progression import (
    BalanceEvent,
    Decision,
    DifficultyScale,
    PerceivedDifficulty,
    SessionRecord,
    SetRecord,
    Setting,
    recommend,
    recommend_needs_since,
)
from reeducate.clinic.progression_rules import default_rules

LIBRARY = load_library()
RULES = default_rules()
FAMILY = LIBRARY.family("bal-sls").variant_ids
OTHER = LIBRARY.family("bal-stance").variant_ids[:2]  # another family: ignored
START = date(2024, 1, 1)


@st.composite
def records(draw: st.DrawFn, variant_id: str) -> SessionRecord | None:
    """One record; None when it would repeat a key (dropped by the caller)."""
    mastered = draw(st.booleans())
    sets_prescribed = draw(st.integers(1, 3))
    n_sets = sets_prescribed if mastered else draw(st.integers(1, sets_prescribed))
    if draw(st.integers(0, 3)) == 0:  # repetitions with a load: the load progression
        load = draw(st.sampled_from((None, 1.0, 1.0, 2.0)))
        done = 12 if mastered else draw(st.integers(0, 12))
        sets = tuple(
            SetRecord(reps_target=12, reps_target_min=8, reps_done=done, load_kg=load)
            for _ in range(n_sets)
        )
    else:
        hold = 30.0 if mastered else draw(st.sampled_from((30.0, 20.0, 10.0, 0.0)))
        losses = 0 if mastered else draw(st.integers(0, 3))
        sets = tuple(
            SetRecord(hold_target_s=30, hold_done_s=hold, losses_of_balance=losses)
            for _ in range(n_sets)
        )
    rating = 1 if mastered else draw(st.integers(1, 5))
    pain_before = draw(st.integers(0, 2))
    pain_during = pain_before if mastered else draw(st.integers(0, 6))
    event = (
        BalanceEvent.NONE
        if mastered
        else draw(st.sampled_from((BalanceEvent.NONE,) * 6 + (BalanceEvent.NEAR_FALL,)))
    )
    return SessionRecord(
        variant_id=variant_id,
        session_date=START,  # set by the history
        setting=draw(st.sampled_from((Setting.CLINIC, Setting.HOME))),
        sets_prescribed=sets_prescribed,
        sets=sets,
        difficulty=None
        if draw(st.integers(0, 9)) == 0
        else PerceivedDifficulty(scale=DifficultyScale.BALANCE_1_5, value=rating),
        pain_before_nprs=pain_before,
        pain_during_nprs=pain_during,
        balance_event=event,
        duration_min=draw(st.sampled_from((None, 10.0, 20.0))),
    )


class Case(dict[str, Any]):
    """A drawn case (a dict), shown in a report by its size only: its records would make a
    repr of tens of kB."""

    def __repr__(self) -> str:
        return (
            f"Case({self['variant_id']}, {len(self['history'])} records, "
            f"today {self['today']}, prescribed_on {self['on']})"
        )


@st.composite
def cases(draw: st.DrawFn) -> Case:
    """A variant the patient is on, a history in the engine's order, today, prescribed_on."""
    current = draw(st.sampled_from(FAMILY))
    # Mostly the current variant, some others of the family, now and then another family.
    pool = (current,) * 4 + FAMILY + OTHER
    n = draw(st.integers(0, 40))
    day = START
    history: list[SessionRecord] = []
    seen: set[tuple[date, int, str]] = set()
    for _ in range(n):
        day += timedelta(days=draw(st.sampled_from((0, 1, 1, 2, 2, 3, 9))))
        sequence = draw(st.sampled_from((1, 1, 1, 2)))
        variant = draw(st.sampled_from(pool))
        if (day, sequence, variant) in seen:
            continue
        seen.add((day, sequence, variant))
        record = draw(records(variant))
        history.append(_on(record, day, sequence))
    history.sort(key=lambda r: (r.session_date, r.sequence))
    today = day + timedelta(days=draw(st.integers(0, 10)))
    prescribed_on = draw(st.one_of(st.none(), st.dates(min_value=START, max_value=today)))
    return Case(variant_id=current, history=history, today=today, on=prescribed_on)


def _on(record: SessionRecord, day: date, sequence: int) -> SessionRecord:
    fields = {name: getattr(record, name) for name in record.__dataclass_fields__}
    return SessionRecord(**{**fields, "session_date": day, "sequence": sequence})


def _recommend(case: dict[str, Any], history: list[SessionRecord]) -> Any:
    return recommend(
        case["variant_id"],
        history,
        library=LIBRARY,
        rules=RULES,
        today=case["today"],
        prescribed_on=case["on"],
    )


def _suffix(case: dict[str, Any]) -> list[SessionRecord]:
    keys = [(r.session_date, r.sequence, r.variant_id) for r in case["history"]]
    since = recommend_needs_since(case["variant_id"], keys, library=LIBRARY, rules=RULES)
    return [] if since is None else [r for r in case["history"] if r.session_date >= since]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_recommend_on_the_needed_records_equals_recommend_on_the_whole_history(
    case: dict[str, Any],
) -> None:
    full = _recommend(case, case["history"])
    recent = _recommend(case, _suffix(case))
    # The whole recommendation: decision, target, rule, evidence, data points, dose change,
    # dimension and levels, flags, suggested families, day.
    assert recent == full
    assert (recent.decision, recent.target_variant_id, recent.rule, recent.evidence) == (
        full.decision,
        full.target_variant_id,
        full.rule,
        full.evidence,
    )


def _reaches(condition: Callable[[Any], bool]) -> dict[str, Any]:
    return find(
        cases(),
        lambda case: (
            len(_suffix(case)) < len(case["history"])
            and condition(_recommend(case, case["history"]))
        ),
        # The first example found, unshrunk: shrinking would only cost time.
        settings=settings(
            max_examples=5_000,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            verbosity=Verbosity.quiet,
        ),
    )


@pytest.mark.parametrize("decision", list(Decision))
def test_the_histories_reach_every_decision_with_a_shorter_window(decision: Decision) -> None:
    # The property above is not vacuous: each decision occurs on histories whose needed
    # window leaves records out.
    found = _reaches(lambda rec: rec.decision is decision)
    assert _recommend(found, _suffix(found)).decision is decision


def test_the_histories_reach_a_regression_along_the_dimension_progressed_last() -> None:
    # The easier step found by walking back to another variant of the family.
    found = _reaches(
        lambda rec: rec.decision is Decision.REGRESS and "most recently progressed" in rec.evidence
    )
    assert _recommend(found, _suffix(found)) == _recommend(found, found["history"])
