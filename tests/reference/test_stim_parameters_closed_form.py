"""Derived stimulation quantities against independent computations: the rms current of a pulse
train synthesised sample by sample and integrated numerically, the charge of one phase by
integration, and the worked example of the IEC 60601-2-10 current-density guidance quoted in
``reference/emg-nmes-streaming.md`` §5.2 (25 cm² at 50 mA rms = 2 mA rms/cm²)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from reeducate.stim.parameters import (
    IEC_60601_2_10,
    Severity,
    Waveform,
    charge_per_phase_uc,
    check_parameters,
    energy_per_pulse_mj,
    rms_current_ma,
)

STEP_S = 1e-6  # 1 µs grid: every phase is a whole number of samples


def _pulse_train(
    *, intensity_ma: float, pulse_width_us: float, frequency_hz: float, waveform: Waveform,
    duration_s: float,
) -> np.ndarray:  # fmt: skip
    """Current (mA) sampled every microsecond: rectangular phases at the start of each period,
    the second (negative) one right after the first for a symmetric biphasic pulse."""
    n = round(duration_s / STEP_S)
    t_us = np.arange(n)
    period_us = round(1e6 / frequency_hz)
    phase = t_us % period_us
    width = round(pulse_width_us)
    current = np.where(phase < width, intensity_ma, 0.0)
    if waveform is Waveform.SYMMETRIC_BIPHASIC:
        current = np.where((phase >= width) & (phase < 2 * width), -intensity_ma, current)
    return current


@pytest.mark.parametrize("waveform", list(Waveform))
@pytest.mark.parametrize(
    ("intensity_ma", "pulse_width_us", "frequency_hz"),
    [(100, 250, 50), (65, 300, 40), (40, 1000, 100), (80, 200, 25)],  # whole-µs periods
)
def test_rms_current_matches_numerical_integration(
    waveform: Waveform, intensity_ma: float, pulse_width_us: float, frequency_hz: float
) -> None:
    # One second holds a whole number of periods at these frequencies, so the mean of the
    # squares over it is the rms of the infinite train.
    train = _pulse_train(
        intensity_ma=intensity_ma, pulse_width_us=pulse_width_us, frequency_hz=frequency_hz,
        waveform=waveform, duration_s=1.0,
    )  # fmt: skip
    numerical = float(np.sqrt(np.mean(train**2)))
    closed = rms_current_ma(
        intensity_ma=intensity_ma, pulse_width_us=pulse_width_us, frequency_hz=frequency_hz,
        waveform=waveform,
    )  # fmt: skip
    # Exact on the 1 µs grid (phases and periods are whole microseconds): float rounding only
    # (a sum of 1e6 squares).
    assert_allclose(closed, numerical, rtol=1e-9)


def test_charge_per_phase_matches_integration() -> None:
    train = _pulse_train(
        intensity_ma=80, pulse_width_us=250, frequency_hz=50,
        waveform=Waveform.SYMMETRIC_BIPHASIC, duration_s=0.02,
    )  # fmt: skip
    positive_uc = float(train[train > 0].sum() * STEP_S * 1e3)  # mA·s -> µC
    negative_uc = float(-train[train < 0].sum() * STEP_S * 1e3)
    assert_allclose(positive_uc, charge_per_phase_uc(intensity_ma=80, pulse_width_us=250))
    assert_allclose(negative_uc, positive_uc)  # symmetric: charge-balanced


def test_energy_into_the_test_load_matches_integration() -> None:
    train = _pulse_train(
        intensity_ma=120, pulse_width_us=400, frequency_hz=50,
        waveform=Waveform.SYMMETRIC_BIPHASIC, duration_s=0.02,
    )  # fmt: skip
    joules = float(np.sum((train * 1e-3) ** 2 * 500.0) * STEP_S)  # one pulse in 20 ms
    got = energy_per_pulse_mj(intensity_ma=120, pulse_width_us=400, waveform="symmetric_biphasic")
    assert_allclose(got, joules * 1e3, rtol=1e-12)


def test_current_density_guidance_matches_the_standards_worked_example() -> None:
    # "a 25 cm² electrode at 50 mA rms": 2 mA rms/cm², the limit itself (a hard stop here).
    # 50 mA rms at 250 µs, 50 Hz symmetric biphasic needs I = 50 / sqrt(0.025) mA peak.
    peak_ma = 50.0 / np.sqrt(2 * 250e-6 * 50)
    check = check_parameters(
        intensity_ma=peak_ma, pulse_width_us=250, frequency_hz=50,
        waveform="symmetric_biphasic", electrode_area_cm2=25,
    )  # fmt: skip
    assert_allclose(check.rms_current_ma, 50.0, rtol=1e-12)
    assert_allclose(check.current_density_ma_cm2, 2.0, rtol=1e-12)
    assert check.severity is Severity.STOP
    assert IEC_60601_2_10.current_density_ma_cm2.stop_at == 2.0  # §5.2
    assert IEC_60601_2_10.rms_current_ma.stop_at == 50.0  # §5.2
