"""The bounded session reads of the chart and the engine give what the whole history gives:
the latest sessions, the count, the exercise keys in the engine's order, the treatment visits
(SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

from tests.store.conftest import EPISODE_START, make_session

from reeducate.clinic.care import (
    Goal,
    PlanOfCare,
    count_treatment_visits,
    exercise_history,
)
from reeducate.clinic.progression import Setting
from reeducate.store.repositories import Repositories


def _store_history(repos: Repositories) -> None:
    """Eight sessions over eight days: two a day on some days (home then clinic, sequences 1
    and 2), different variants, one on the episode's first day."""
    days = [EPISODE_START + timedelta(days=d) for d in (0, 2, 2, 5, 7, 7, 9, 12)]
    for n, day in enumerate(days, start=1):
        setting = Setting.HOME if n % 2 else Setting.CLINIC
        session = make_session(
            f"S-{n:04d}",
            on=day,
            setting=setting,
            variants=("bal-sls-firm-eo",) if n % 3 else ("bal-sls-foam-eo", "bal-sls-firm-eo"),
        )
        sequence = 2 if n in (3, 6) else 1
        session = replace(
            session,
            sequence=sequence,
            exercises=tuple(replace(x, sequence=sequence) for x in session.exercises),
        )
        repos.sessions.add(session)


def test_latest_is_the_tail_of_the_whole_history(seeded: Repositories) -> None:
    _store_history(seeded)
    every = seeded.sessions.for_patient("P-0001")
    assert [s.id for s in seeded.sessions.latest("P-0001", limit=3)] == [s.id for s in every[-3:]]
    assert seeded.sessions.latest("P-0001", limit=100) == every
    until = EPISODE_START + timedelta(days=7)
    up_to = seeded.sessions.for_patient("P-0001", until=until)
    assert seeded.sessions.latest("P-0001", until=until, limit=2) == up_to[-2:]
    assert seeded.sessions.count("P-0001") == len(every) == 8
    assert seeded.sessions.count("P-0001", until=until) == len(up_to)
    assert seeded.sessions.latest("P-0002", limit=5) == []


def test_exercise_keys_are_the_engines_records_in_its_order(seeded: Repositories) -> None:
    _store_history(seeded)
    every = seeded.sessions.for_patient("P-0001")
    history = exercise_history(every)
    assert seeded.sessions.exercise_keys("P-0001") == [
        (r.session_date, r.sequence, r.variant_id) for r in history
    ]
    until = EPISODE_START + timedelta(days=5)
    assert seeded.sessions.exercise_keys("P-0001", until=until) == [
        (r.session_date, r.sequence, r.variant_id) for r in history if r.session_date <= until
    ]


def test_treatment_visits_are_counted_as_the_domain_counts_them(seeded: Repositories) -> None:
    _store_history(seeded)
    every = seeded.sessions.for_patient("P-0001")
    for start_days, through_days in ((0, 30), (2, 30), (3, 7), (0, 2)):
        plan = PlanOfCare(
            id="C-1",
            episode_id="E-1",
            start_date=EPISODE_START + timedelta(days=start_days),
            frequency_per_week=2,
            duration_weeks=6,
            certification_date=EPISODE_START,
            recertification_due_date=EPISODE_START + timedelta(days=60),
            goals=(
                Goal(
                    id="G-1",
                    description="Walk faster",
                    measure_kind="outcome_measure",
                    measure="tug",
                    direction="decrease",
                    baseline_value=16,
                    target_value=12,
                    baseline_date=EPISODE_START,
                    target_date=EPISODE_START + timedelta(days=40),
                ),
            ),
        )
        through = EPISODE_START + timedelta(days=through_days)
        want = count_treatment_visits(plan, every, through=through)
        got = seeded.sessions.treatment_visits("E-1", since=plan.start_date, until=through)
        assert got == want
    assert seeded.sessions.treatment_visits("E-1", since=date(2030, 1, 1)) == 0


def test_next_id_is_one_above_the_highest_number_whatever_the_padding(
    seeded: Repositories,
) -> None:
    from reeducate.store.models import SessionRow

    def reference(ids: list[str], prefix: str) -> str:
        numbers = [int(i[len(prefix) + 1 :]) for i in ids if i[len(prefix) + 1 :].isdigit()]
        return f"{prefix}-{max(numbers, default=0) + 1:04d}"

    assert seeded.next_id(SessionRow, "S") == "S-0001"
    stored: list[str] = []
    # Zero-padded to 6 (the benchmark's fixture), to 4 (the repositories), longer numbers,
    # and ids of other shapes that sort above the numbers.
    for n, session_id in enumerate(
        ["S-000009", "S-0010", "S-0002", "S-99", "S-zzzz", "S-0000100x", "S-00000", "S-12345"]
        + [f"S-longer-than-any-number-{k:02d}" for k in range(40)]  # the full-scan fallback
    ):
        seeded.sessions.add(make_session(session_id, on=EPISODE_START + timedelta(days=n)))
        stored.append(session_id)
        assert seeded.next_id(SessionRow, "S") == reference(stored, "S"), stored
    assert seeded.next_id(SessionRow, "S") == "S-12346"
