"""A demo clinic for the web benchmark, written straight into the store with bulk inserts.

One clinic (the default ``CL-0001`` that migration 0003 creates), ``therapists`` therapist
accounts, ``patients`` patients, each with an episode, a plan of care with a TUG goal, a
prescription of two balance exercises, four TUG scores and ``sessions_per_patient`` sessions
(every other day back from ``today``; one in three in the clinic with 25 minutes of 97112, the
others at home; two exercises of two sets each; now and then a pain rise or dizziness, so the
attention rules have something to find).

Rows go in with SQLAlchemy Core ``insert`` in chunks, a few large transactions, no ORM and no
audit events (the benchmark measures reading and logging, not seeding). Ids follow the shapes
the repositories make (``P-0001``, ``S-000001``...), so the services' ``next_id`` keeps working.
Synthetic data only: names are "Demo Patient N".
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Final

from sqlalchemy import Engine, Table, text

from reeducate.store.models import (
    DEFAULT_CLINIC_ID,
    Base,
)

#: Every therapist's password (synthetic accounts of a throwaway database).
PASSWORD: Final = "benchmark therapist passphrase"
VARIANTS: Final = ("bal-sls-firm-eo", "bal-sls-foam-eo")
_CHUNK: Final = 20_000


@dataclass(frozen=True, slots=True, kw_only=True)
class Clinic:
    """What the benchmark needs to know about the seeded clinic."""

    clinic_id: str
    logins: tuple[str, ...]
    patient_codes: tuple[str, ...]
    today: date
    rows: int
    seconds: float


def _table(name: str) -> Table:
    table: Table = Base.metadata.tables[name]
    return table


def _chunks(rows: Iterable[dict[str, Any]], size: int = _CHUNK) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def build_clinic(
    engine: Engine,
    /,
    *,
    therapists: int,
    patients: int,
    sessions_per_patient: int,
    today: date,
    password_hash: str,
    progress: Callable[[str], None] = print,
) -> Clinic:
    """Seed the clinic into a database migrated to head; return its logins and codes."""
    t0 = time.perf_counter()
    now = datetime.now(UTC)
    start = today - timedelta(days=2 * sessions_per_patient + 7)
    certified = max(start, today - timedelta(days=70))  # at most 90 days before re-cert
    codes = tuple(f"P-{i + 1:04d}" for i in range(patients))
    logins = tuple(f"pt{i + 1:02d}" for i in range(therapists))
    total = 0

    def insert(name: str, rows: Iterable[dict[str, Any]]) -> None:
        nonlocal total
        table = _table(name)
        with engine.begin() as connection:
            for batch in _chunks(rows):
                connection.execute(table.insert(), batch)
                total += len(batch)

    insert(
        "user_account",
        (
            {
                "id": f"U-{i + 1:04d}",
                "login": login,
                "role": "therapist",
                "clinic_id": DEFAULT_CLINIC_ID,
                "patient_code": None,
                "password_hash": password_hash,
                "created_at": now,
                "disabled_at": None,
            }
            for i, login in enumerate(logins)
        ),
    )
    insert(
        "patient",
        ({"code": c, "created_at": now, "clinic_id": DEFAULT_CLINIC_ID} for c in codes),
    )
    insert(
        "patient_identity",
        (
            {
                "patient_code": c,
                "name": f"Demo Patient {i + 1}",
                "date_of_birth": date(1940 + i % 50, 1 + i % 12, 1 + i % 28),
            }
            for i, c in enumerate(codes)
        ),
    )
    insert(
        "episode",
        ({"id": f"E-{i + 1:04d}", "patient_code": c, "start_date": start, "end_date": None}
         for i, c in enumerate(codes)),
    )  # fmt: skip
    insert(
        "episode_diagnosis",
        ({"episode_id": f"E-{i + 1:04d}", "position": 0, "code": "R26.81"}
         for i in range(patients)),
    )  # fmt: skip
    insert(
        "episode_impairment",
        ({"episode_id": f"E-{i + 1:04d}", "impairment": "balance"} for i in range(patients)),
    )
    insert(
        "plan_of_care",
        (
            {
                "id": f"PC-{i + 1:04d}",
                "episode_id": f"E-{i + 1:04d}",
                "start_date": start,
                "frequency_per_week": 2,
                "duration_weeks": 52,
                "certification_date": certified,
                # due from 20 days ago to 39 days ahead: some due, some soon, most later
                "recertification_due_date": certified + timedelta(days=50 + i % 40),
                "progress_report_interval_visits": 10,
            }
            for i in range(patients)
        ),
    )
    insert(
        "goal",
        (
            {
                "id": f"G-{i + 1:04d}",
                "plan_id": f"PC-{i + 1:04d}",
                "position": 0,
                "description": "Walk to the shop safely",
                "measure_kind": "outcome_measure",
                "measure": "tug",
                "direction": "decrease",
                "baseline_value": 16.0,
                "target_value": 11.0,
                "baseline_date": start,
                "target_date": today + timedelta(days=60),
            }
            for i in range(patients)
        ),
    )
    insert(
        "prescription",
        ({"id": f"RX-{i + 1:04d}", "plan_id": f"PC-{i + 1:04d}", "start_date": start}
         for i in range(patients)),
    )  # fmt: skip
    insert(
        "prescribed_exercise",
        (
            {
                "prescription_id": f"RX-{i + 1:04d}",
                "position": k,
                "variant_id": variant,
                "sets": 2,
                "reps": None,
                "hold_s": 30.0,
                "rest_s": 30.0,
                "sessions_per_week": 3,
                "tempo": None,
            }
            for i in range(patients)
            for k, variant in enumerate(VARIANTS)
        ),
    )
    insert(
        "outcome_score",
        (
            {
                "id": f"M-{i * 4 + k + 1:06d}",
                "patient_code": c,
                "measure": "tug",
                "scored_on": start + timedelta(days=1 + k * (sessions_per_patient // 2)),
                "items": {"time_s": 16.0 - 1.2 * k},
                "total": 16.0 - 1.2 * k,
                "unit": "s",
                "interpretation": [],
                "flags": [],
                "missing_items": [],
                "context": {},
                "scored_by": "U-0001",
                "recorded_at": now,
            }
            for i, c in enumerate(codes)
            for k in range(4)
        ),
    )
    progress(f"  seeded patients and plans ({total:,} rows, {time.perf_counter() - t0:.1f} s)")

    def sessions() -> Iterator[tuple[str, str, date, str, int]]:
        number = 0
        for i, code in enumerate(codes):
            for k in range(sessions_per_patient):
                number += 1
                day = today - timedelta(days=2 * (sessions_per_patient - 1 - k))
                setting = "clinic" if (i + k) % 3 == 0 else "home"
                yield f"S-{number:06d}", code, day, setting, i * sessions_per_patient + k

    def session_rows() -> Iterator[dict[str, Any]]:
        for sid, code, day, setting, n in sessions():
            yield {
                "id": sid,
                "patient_code": code,
                "episode_id": f"E-{int(code[2:]):04d}",
                "session_date": day,
                "setting": setting,
                "sequence": 1,
                "started_at": None,
                "note": None if n % 5 else "Steady; cue hips level.",
            }

    def exercise_rows() -> Iterator[dict[str, Any]]:
        for sid, code, day, setting, n in sessions():
            for position, variant in enumerate(VARIANTS):
                rise = n % 97 == 0
                yield {
                    "session_id": sid,
                    "position": position,
                    "patient_code": code,
                    "session_date": day,
                    "setting": setting,
                    "sequence": 1,
                    "variant_id": variant,
                    "sets_prescribed": 2,
                    "difficulty_scale": "balance_1_5",
                    "difficulty_value": 2.0 + (n + position) % 3,
                    "difficulty_rater": "patient",
                    "quality_source": None,
                    "quality_score": None,
                    "quality_scale_max": None,
                    "quality_method": None,
                    "pain_before_nprs": 1,
                    "pain_during_nprs": None,
                    "pain_after_nprs": 4 if rise else 1,
                    "symptoms_before": [],
                    "symptoms_during": ["dizziness"] if n % 211 == 0 else [],
                    "symptoms_after": [],
                    "balance_event": "none",
                    "assistance": "independent",
                    "duration_min": None,
                    "cues": [],
                }

    def set_rows() -> Iterator[dict[str, Any]]:
        for sid, _code, _day, _setting, n in sessions():
            for position in range(len(VARIANTS)):
                for set_number in (1, 2):
                    yield {
                        "session_id": sid,
                        "exercise_position": position,
                        "set_number": set_number,
                        "reps_target": None,
                        "reps_target_min": None,
                        "reps_done": None,
                        "hold_target_s": 30.0,
                        "hold_done_s": 30.0 if (n + set_number) % 4 else 24.0,
                        "load_kg": None,
                        "losses_of_balance": 0,
                    }

    def procedure_rows() -> Iterator[dict[str, Any]]:
        for sid, _code, _day, setting, _n in sessions():
            if setting == "clinic":
                yield {"session_id": sid, "code": "97112", "minutes": 25}

    for name, rows in (
        ("treatment_session", session_rows()),
        ("session_exercise", exercise_rows()),
        ("exercise_set", set_rows()),
        ("session_procedure", procedure_rows()),
    ):
        t1 = time.perf_counter()
        before = total
        insert(name, rows)
        progress(f"  {name}: {total - before:,} rows in {time.perf_counter() - t1:.1f} s")
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    return Clinic(
        clinic_id=DEFAULT_CLINIC_ID,
        logins=logins,
        patient_codes=codes,
        today=today,
        rows=total,
        seconds=time.perf_counter() - t0,
    )
