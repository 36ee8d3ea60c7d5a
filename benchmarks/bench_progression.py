"""Benchmark: one progression recommendation from a year of daily sessions (issue 3 target:
under 10 ms).

One patient does single-leg stance every day for 365 days, climbing the family's ladder every
two weeks (the last weeks at the top). ``recommend`` is timed on the whole year, with the
baseline of only sorting the same sessions by date, measured in the same process; the weekly
dose check is timed too.

Usage: ``.venv/bin/python benchmarks/bench_progression.py``
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date, timedelta

import numpy as np

from reeducate.clinic.exercises import load_library
from reeducate.clinic.progression import (
    DifficultyScale,
    PerceivedDifficulty,
    SessionRecord,
    SetRecord,
    Setting,
    recommend,
    weekly_dose,
)
from reeducate.clinic.progression_rules import default_rules

LADDER = (
    "bal-sls-two-hands",
    "bal-sls-one-hand",
    "bal-sls-fingertip",
    "bal-sls-firm-eo",
    "bal-sls-foam-eo",
    "bal-sls-wobble-eo",
)


def year_of_sessions(start: date) -> list[SessionRecord]:
    sessions = []
    for day in range(365):
        variant = LADDER[min(day // 14, len(LADDER) - 1)]
        sessions.append(
            SessionRecord(
                variant_id=variant,
                session_date=start + timedelta(days=day),
                setting=Setting.HOME if day % 7 else Setting.CLINIC,
                sets_prescribed=3,
                sets=(SetRecord(hold_target_s=30, hold_done_s=30 if day % 5 else 25),) * 3,
                difficulty=PerceivedDifficulty(
                    scale=DifficultyScale.BALANCE_1_5, value=2 if day % 3 else 3
                ),
                pain_before_nprs=2,
                pain_after_nprs=2 + day % 2,
                duration_min=20,
            )
        )
    return sessions


def percentiles(samples_s: list[float]) -> tuple[float, float]:
    p50, p99 = np.percentile(np.asarray(samples_s) * 1e3, [50, 99])
    return float(p50), float(p99)


def timed(call: Callable[[], object], repeats: int) -> list[float]:
    samples = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        call()
        samples.append(time.perf_counter() - t0)
    return samples


def main() -> None:
    library, rules = load_library(), default_rules()
    start = date(2024, 1, 1)
    sessions = year_of_sessions(start)
    today = start + timedelta(days=365)
    current = sessions[-1].variant_id
    rec = recommend(current, sessions, library=library, rules=rules, today=today)
    print(
        f"sessions: {len(sessions)} (daily for a year); recommendation: {rec.decision}, {rec.rule}"
    )
    print(f"  {rec.evidence}")

    def engine() -> object:
        return recommend(current, sessions, library=library, rules=rules, today=today)

    def baseline() -> object:
        return sorted(sessions, key=lambda s: (s.session_date, s.sequence))

    def dose() -> object:
        return weekly_dose(sessions, week_of=today - timedelta(days=3), rules=rules)

    for _ in range(50):  # warm up
        engine()
        baseline()
    repeats = 1000
    engine_p50, engine_p99 = percentiles(timed(engine, repeats))
    base_p50, base_p99 = percentiles(timed(baseline, repeats))
    dose_p50, dose_p99 = percentiles(timed(dose, repeats))
    print(
        f"recommend (1 year of daily sessions): p50 {engine_p50:.3f} ms, p99 {engine_p99:.3f} ms"
        f" (target < 10 ms)"
    )
    print(f"baseline, sorting the sessions:       p50 {base_p50:.3f} ms, p99 {base_p99:.3f} ms")
    print(f"ratio recommend / sort (p50): {engine_p50 / base_p50:.1f}x")
    print(f"weekly_dose (same year):              p50 {dose_p50:.3f} ms, p99 {dose_p99:.3f} ms")


if __name__ == "__main__":
    main()
