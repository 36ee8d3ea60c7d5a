"""Output parameters: charge, rms current and current density by hand, the warning band and the
hard stop of each limit, and refusals of impossible input."""

from __future__ import annotations

import math

import pytest
from numpy.testing import assert_allclose

from reeducate.errors import InvalidParameterError
from reeducate.stim.parameters import (
    IEC_60601_2_10,
    Severity,
    Waveform,
    charge_per_phase_uc,
    check_parameters,
    current_density_ma_cm2,
    energy_per_pulse_mj,
    intensity_limit_ma,
    rms_current_ma,
)

BIPHASIC = Waveform.SYMMETRIC_BIPHASIC


def test_charge_per_phase_by_hand() -> None:
    # 65 mA × 300 µs = 19.5 µC (Wigerstad-Lossing intensity, 300 µs phase)
    assert_allclose(charge_per_phase_uc(intensity_ma=65, pulse_width_us=300), 19.5, rtol=1e-12)


@pytest.mark.parametrize(
    ("intensity_ma", "pulse_width_us", "frequency_hz", "waveform", "want_ma"),
    [
        # 100 mA × sqrt(2 × 250e-6 × 50) = 100 × sqrt(0.025) = 15.8113883...
        (100, 250, 50, BIPHASIC, 15.811388300841896),
        # 100 mA × sqrt(250e-6 × 50) = 100 × sqrt(0.0125) = 11.1803398...
        (100, 250, 50, Waveform.MONOPHASIC, 11.180339887498949),
        # 50 mA × sqrt(2 × 400e-6 × 100) = 50 × sqrt(0.08) = 14.1421356...
        (50, 400, 100, BIPHASIC, 14.142135623730951),
        # 1 ms wide pulses at 100 Hz: 80 × sqrt(0.2) = 35.777087...
        (80, 1000, 100, BIPHASIC, 35.77708763999664),
    ],
)
def test_rms_current_by_hand(
    intensity_ma: float,
    pulse_width_us: float,
    frequency_hz: float,
    waveform: Waveform,
    want_ma: float,
) -> None:
    got = rms_current_ma(
        intensity_ma=intensity_ma,
        pulse_width_us=pulse_width_us,
        frequency_hz=frequency_hz,
        waveform=waveform,
    )
    assert_allclose(got, want_ma, rtol=1e-12)  # closed form, float64 rounding only


def test_current_density_of_the_standards_example() -> None:
    # The IFU's example: a 25 cm² electrode at 50 mA rms is at 2 mA rms/cm².
    assert current_density_ma_cm2(rms_current_ma=50, electrode_area_cm2=25) == 2.0


def test_energy_per_pulse_by_hand() -> None:
    # 2 phases × (0.1 A)² × 500 Ω × 400e-6 s = 4e-3 J = 4 mJ
    got = energy_per_pulse_mj(intensity_ma=100, pulse_width_us=400, waveform=BIPHASIC)
    assert_allclose(got, 4.0, rtol=1e-12)


@pytest.mark.parametrize(
    ("area_cm2", "want"),
    [
        (25.0, Severity.OK),  # 20 mA rms / 25 = 0.8 mA/cm²
        (12.0, Severity.WARN),  # 20 / 12 = 1.67, in [1.6, 2)
        (10.0, Severity.STOP),  # 20 / 10 = 2.0: the limit itself stops
        (5.0, Severity.STOP),
    ],
)
def test_current_density_warning_band_and_hard_stop(area_cm2: float, want: Severity) -> None:
    check = check_parameters(
        intensity_ma=100, pulse_width_us=400, frequency_hz=50, waveform=BIPHASIC,
        electrode_area_cm2=area_cm2,
    )  # fmt: skip
    assert_allclose(check.rms_current_ma, 20.0, rtol=1e-12)
    density = next(f for f in check.findings if f.quantity == "current_density_ma_cm2")
    assert density.severity is want
    assert check.severity is want
    if want is not Severity.OK:
        assert "2 mA rms/cm²" in density.message
        assert check.findings[0] is density  # the worst finding first


def test_rms_current_limit_is_the_standards_50_ma() -> None:
    # 316.3 mA at 250 µs, 50 Hz biphasic: 316.3 × sqrt(0.025) = 50.01 mA rms, over 50.
    big = check_parameters(
        intensity_ma=316.3, pulse_width_us=250, frequency_hz=50, waveform=BIPHASIC,
        electrode_area_cm2=200,
    )  # fmt: skip
    rms = next(f for f in big.findings if f.quantity == "rms_current_ma")
    assert rms.severity is Severity.STOP and big.severity is Severity.STOP
    assert rms.limit.stop_source == "standard" and rms.limit.warn_source == "convention"
    assert "50 mA rms" in rms.limit.reason


def test_every_limit_says_whether_it_is_the_standards_or_a_convention() -> None:
    for limit in (
        IEC_60601_2_10.rms_current_ma,
        IEC_60601_2_10.current_density_ma_cm2,
        IEC_60601_2_10.energy_per_pulse_mj,
    ):
        assert limit.stop_source == "standard"
        assert limit.warn_source == "convention"
        assert limit.warn_from == pytest.approx(0.8 * limit.stop_at)
    assert IEC_60601_2_10.rms_current_ma.stop_at == 50.0
    assert IEC_60601_2_10.current_density_ma_cm2.stop_at == 2.0
    assert IEC_60601_2_10.energy_per_pulse_mj.stop_at == 300.0


@pytest.mark.parametrize("level", ["warn", "stop"])
@pytest.mark.parametrize(
    ("pulse_width_us", "frequency_hz", "area_cm2"),
    [(250, 50, 25), (300, 50, 96.52), (1000, 100, 16), (200, 35, 4)],
)
def test_intensity_limit_is_where_the_check_changes_severity(
    level: str, pulse_width_us: float, frequency_hz: float, area_cm2: float
) -> None:
    limit_ma = intensity_limit_ma(
        pulse_width_us=pulse_width_us, frequency_hz=frequency_hz, waveform=BIPHASIC,
        electrode_area_cm2=area_cm2, level=level,  # type: ignore[arg-type]
    )  # fmt: skip
    want = Severity.STOP if level == "stop" else Severity.WARN

    def severity(intensity_ma: float) -> Severity:
        return check_parameters(
            intensity_ma=intensity_ma, pulse_width_us=pulse_width_us, frequency_hz=frequency_hz,
            waveform=BIPHASIC, electrode_area_cm2=area_cm2,
        ).severity  # fmt: skip

    assert severity(limit_ma * (1 + 1e-9)) in {want, Severity.STOP}
    below = severity(limit_ma * (1 - 1e-9))
    assert below is (Severity.WARN if level == "stop" else Severity.OK)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"intensity_ma": -5}, "intensity_ma must be > 0"),
        ({"intensity_ma": math.nan}, "intensity_ma must be > 0"),
        ({"intensity_ma": True}, "intensity_ma must be a number"),
        ({"pulse_width_us": 0}, "pulse_width_us must be > 0"),
        ({"frequency_hz": 1500, "pulse_width_us": 400}, "duty"),
        ({"electrode_area_cm2": 0}, "electrode_area_cm2 must be > 0"),
        ({"waveform": "sine"}, "waveform must be one of symmetric_biphasic, monophasic"),
    ],
)
def test_impossible_parameters_are_refused(kwargs: dict[str, object], match: str) -> None:
    base: dict[str, object] = {
        "intensity_ma": 50, "pulse_width_us": 300, "frequency_hz": 50,
        "waveform": "symmetric_biphasic", "electrode_area_cm2": 25,
    }  # fmt: skip
    with pytest.raises(InvalidParameterError, match=match):
        check_parameters(**(base | kwargs))  # type: ignore[arg-type]
