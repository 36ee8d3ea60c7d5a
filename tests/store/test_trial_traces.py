"""Balance-trial traces (migration 0004) on SQLite and PostgreSQL: a stored trace reads back as
it was decimated, within single precision; a trial without one says so; the trace goes with its
trial; a stored trace that cannot be read is refused; 0004 upgrades a database with trials and
downgrades without touching them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import numpy as np
import pytest
import sqlalchemy as sa
from numpy.testing import assert_allclose
from sqlalchemy import Engine, inspect, text
from sqlalchemy.orm import Session

from reeducate.balance.display import DISPLAY_MAX_RATE_HZ, DisplayTrace, display_trace
from reeducate.balance.trial import CopTrial
from reeducate.clinic.care import BalanceTrialRecord, Patient
from reeducate.errors import FileFormatError
from reeducate.store import migrate
from reeducate.store.engine import session_factory, transaction
from reeducate.store.models import BalanceTrialTraceRow, UtcDateTime
from reeducate.store.repositories import Repositories
from reeducate.store.trace_codec import TRACE_ENCODING, decode_trace, encode_trace

NOW = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)
RADIUS_M = 0.012


def _record(trial_id: str = "T-0001") -> BalanceTrialRecord:
    return BalanceTrialRecord(
        id=trial_id,
        patient_code="P-0001",
        recorded_at=datetime(2025, 3, 5, 10, 15, tzinfo=UTC),
        source_name="circle.csv",
        condition="firm/eyes open",
        preset="santos-duarte-2016",
        sampling_rate_hz=100.0,
        duration_s=60.0,
        metrics={"ellipse_area_95_m2": 1.5e-4},
        settings={"preset": "santos-duarte-2016"},
    )


def _circle_trace() -> DisplayTrace:
    """A real 60-s, 100-Hz recording's worth of CoP going round a circle, decimated."""
    t = np.arange(6000) / 100.0
    phase = 2 * np.pi * 0.25 * t
    trial = CopTrial(
        ap_m=0.03 + RADIUS_M * np.sin(phase),
        ml_m=-0.01 + RADIUS_M * np.cos(phase),
        sampling_rate_hz=100.0,
        source_unit="m",
        source_name="circle",
    )
    return display_trace(trial, max_rate_hz=DISPLAY_MAX_RATE_HZ)


@pytest.fixture
def with_patient(repos: Repositories) -> Repositories:
    repos.patients.add(Patient(code="P-0001"))
    return repos


def test_trace_round_trip_equals_the_decimated_input_in_single_precision(
    with_patient: Repositories, db: Session
) -> None:
    trace = _circle_trace()
    with_patient.trials.add(_record(), trace=trace)
    db.expire_all()
    back = with_patient.trials.trace("T-0001")
    assert back is not None
    assert back.sampling_rate_hz == 25.0 and back.n_samples == trace.n_samples == 1500
    # float32 keeps 24 bits of mantissa: relative error at most 2**-24 = 6e-8 per sample.
    assert_allclose(back.ml_m, trace.ml_m, rtol=1e-6, atol=0)
    assert_allclose(back.ap_m, trace.ap_m, rtol=1e-6, atol=0)
    # The stored path is still the circle (away from the decimation filter's edge transient).
    radius = np.hypot(back.ap_m - 0.03, back.ml_m + 0.01)[50:-50]
    assert_allclose(radius, RADIUS_M, rtol=1e-6)  # single precision of coordinates ~0.03 m
    row = db.get(BalanceTrialTraceRow, "T-0001")
    assert row is not None and row.encoding == TRACE_ENCODING
    assert len(row.data) < 2 * 1500 * 4  # compressed below the raw float32 size
    event = with_patient.audit.events(entity="balance_trial")[-1]
    assert event.detail["trace_samples"] == 1500


def test_a_trial_without_a_trace_keeps_its_metrics_and_says_so(
    with_patient: Repositories,
) -> None:
    with_patient.trials.add(_record("T-0001"))
    with_patient.trials.add(_record("T-0002"), trace=_circle_trace())
    assert with_patient.trials.trace("T-0001") is None
    assert with_patient.trials.trace("T-9999") is None
    assert with_patient.trials.get("T-0001").metrics["ellipse_area_95_m2"] == 1.5e-4
    assert with_patient.trials.with_trace(["T-0001", "T-0002", "T-9999"]) == {"T-0002"}
    assert with_patient.trials.with_trace([]) == frozenset()


def test_the_trace_goes_with_its_trial(with_patient: Repositories, db: Session) -> None:
    with_patient.trials.add(_record(), trace=_circle_trace())
    db.execute(text("DELETE FROM balance_trial WHERE id = 'T-0001'"))
    assert db.execute(text("SELECT count(*) FROM balance_trial_trace")).scalar_one() == 0


def test_a_trace_needs_its_trial_and_a_positive_rate(
    with_patient: Repositories, db: Session
) -> None:
    from sqlalchemy.exc import IntegrityError

    data = encode_trace(_circle_trace())
    with_patient.trials.add(_record())
    bad = (("T-none", 25.0, 1500), ("T-0001", 0.0, 1500), ("T-0001", 25.0, 1))
    for trial_id, rate_hz, n_samples in bad:
        row = BalanceTrialTraceRow(
            trial_id=trial_id,
            sampling_rate_hz=rate_hz,
            n_samples=n_samples,
            encoding=TRACE_ENCODING,
            data=data,
        )
        with pytest.raises(IntegrityError), db.begin_nested():
            db.add(row)
            db.flush()


def test_a_stored_trace_that_cannot_be_read_is_refused() -> None:
    data = encode_trace(_circle_trace())
    with pytest.raises(FileFormatError, match="encoding must be"):
        decode_trace(data, encoding="raw/f8", n_samples=1500, sampling_rate_hz=25.0)
    with pytest.raises(FileFormatError, match="zlib-compressed"):
        decode_trace(b"not zlib", encoding=TRACE_ENCODING, n_samples=1500, sampling_rate_hz=25.0)
    with pytest.raises(FileFormatError, match="2 x 1499 samples"):
        decode_trace(data, encoding=TRACE_ENCODING, n_samples=1499, sampling_rate_hz=25.0)


# --------------------------------------------------------------------------------------------
# Migration 0004
# --------------------------------------------------------------------------------------------

_PATIENT = sa.table(
    "patient", sa.column("code"), sa.column("created_at", UtcDateTime()), sa.column("clinic_id")
)
_TRIAL = sa.table(
    "balance_trial",
    sa.column("id"),
    sa.column("patient_code"),
    sa.column("recorded_at", UtcDateTime()),
    sa.column("source_name"),
    sa.column("condition"),
    sa.column("preset"),
    sa.column("sampling_rate_hz"),
    sa.column("duration_s"),
    sa.column("metrics", sa.JSON()),
    sa.column("settings", sa.JSON()),
)


def test_0004_adds_traces_to_a_database_with_trials_and_downgrades_without_them(
    new_database: Callable[[], Engine],
) -> None:
    engine = new_database()
    migrate.upgrade(engine, revision="0003")
    with engine.begin() as connection:
        connection.execute(
            sa.insert(_PATIENT).values(code="P-0001", created_at=NOW, clinic_id="CL-0001")
        )
        connection.execute(
            sa.insert(_TRIAL).values(
                id="T-0001", patient_code="P-0001", recorded_at=NOW, source_name="old.csv",
                condition="firm/eyes open", preset="santos-duarte-2016", sampling_rate_hz=100.0,
                duration_s=60.0, metrics={"ellipse_area_95_m2": 1.5e-4}, settings={},
            )
        )  # fmt: skip
    migrate.upgrade(engine)
    assert migrate.current(engine) == migrate.head()
    migrate.check(engine)
    with transaction(session_factory(engine)) as db:
        repos = Repositories(db, actor="pt-test", clock=lambda: NOW)
        assert repos.trials.trace("T-0001") is None  # recorded before traces were kept
        assert repos.trials.get("T-0001").metrics == {"ellipse_area_95_m2": 1.5e-4}
        repos.trials.add(_record("T-0002"), trace=_circle_trace())
    migrate.downgrade(engine, revision="0003")
    with engine.connect() as connection:
        assert "balance_trial_trace" not in inspect(connection).get_table_names()
        ids = connection.execute(text("SELECT id FROM balance_trial ORDER BY id")).scalars()
        assert list(ids) == ["T-0001", "T-0002"]
    migrate.upgrade(engine)
    migrate.check(engine)
