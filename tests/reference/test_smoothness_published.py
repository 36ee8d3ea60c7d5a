"""SPARC and (log) dimensionless jerk against published values and closed forms.

Sources:
* the doctest values of the reference implementation ``siva82kb/SPARC`` (S. Balasubramanian,
  ``scripts/smoothness.py`` @ 3650934f, ISC), printed to 5 decimals, for a Gaussian speed
  profile ``v = exp(-5 t²)``, ``t = np.arange(-1, 1, 0.01)``, 100 Hz;
* values computed with that reference code for a minimum-jerk profile (shared reference
  ``movement.md`` §4.1, printed to 4 decimals);
* closed forms: the minimum-jerk movement (Flash & Hogan 1985, doi:10.1523/JNEUROSCI.05-07-
  01688.1985) has integrated squared jerk 720 D²/T⁵, peak speed 1.875 D/T and peak
  acceleration (10/√3) D/T², so its dimensionless jerk is -720/1.875² = -204.8 from speed and
  -720/(100/3) = -21.6 from acceleration; the spectrum of a Gaussian speed profile
  ``exp(-t²/(2σ²))`` is ``exp(-2π²σ²f²)``, whose arc length up to the 0.05 threshold is an
  integral computed here with ``scipy.integrate.quad``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from numpy.testing import assert_allclose
from scipy.integrate import quad

from reeducate.movement.smoothness import (
    dimensionless_jerk,
    log_dimensionless_jerk,
    movement_smoothness,
    sparc,
    sparc_spectrum,
)


def _gaussian_reference() -> np.ndarray:
    t = np.arange(-1, 1, 0.01)
    return np.exp(-5 * t**2)


def test_sparc_matches_siva82kb_doctest() -> None:
    got = sparc(_gaussian_reference(), sampling_rate_hz=100.0)
    assert_allclose(got, -1.41403, atol=5e-6)  # published to 5 decimals: half a unit of the last


def test_dimensionless_jerk_matches_siva82kb_doctest() -> None:
    got = dimensionless_jerk(_gaussian_reference(), sampling_rate_hz=100.0)
    assert_allclose(got, -335.74684, atol=5e-6)  # published to 5 decimals


def test_log_dimensionless_jerk_matches_siva82kb_doctest() -> None:
    got = log_dimensionless_jerk(_gaussian_reference(), sampling_rate_hz=100.0)
    assert_allclose(got, -5.81636, atol=5e-6)  # published to 5 decimals


def test_minimum_jerk_matches_siva82kb_reference_run() -> None:
    tau = np.arange(0, 1, 0.01)
    v = 30 * tau**2 - 60 * tau**3 + 30 * tau**4
    r = movement_smoothness(v, sampling_rate_hz=100.0)
    assert_allclose(r.sparc, -1.4058, atol=5e-5)  # reference run printed to 4 decimals
    assert_allclose(r.log_dimensionless_jerk, -5.2241, atol=5e-5)  # idem


@pytest.mark.parametrize(("rate_hz", "rtol"), [(1000.0, 1.5e-2), (10000.0, 1.5e-3)])
def test_dimensionless_jerk_of_minimum_jerk_matches_closed_form(
    rate_hz: float, rtol: float
) -> None:
    # Finite differences and the n·dt duration converge to the integral at O(dt): the relative
    # error is ~1/(n) (1e-2 at 1 kHz, 1e-3 at 10 kHz for a 1 s movement).
    tau = np.arange(0, 1, 1 / rate_hz)
    v = 30 * tau**2 - 60 * tau**3 + 30 * tau**4
    assert_allclose(dimensionless_jerk(v, sampling_rate_hz=rate_hz), -720 / 1.875**2, rtol=rtol)


def test_dimensionless_jerk_from_acceleration_matches_closed_form() -> None:
    rate_hz = 10000.0
    tau = np.arange(0, 1, 1 / rate_hz)
    a = 60 * tau - 180 * tau**2 + 120 * tau**3
    got = dimensionless_jerk(a, sampling_rate_hz=rate_hz, data_type="acceleration")
    assert_allclose(got, -720 / (100 / 3), rtol=1e-3)  # O(dt) discretisation, as above
    assert_allclose(
        log_dimensionless_jerk(a, sampling_rate_hz=rate_hz, data_type="acceleration"),
        -math.log(21.6),
        atol=1e-3,
    )


def test_sparc_of_gaussian_matches_closed_form_spectrum() -> None:
    sigma2 = 0.1  # exp(-5 t²) = exp(-t²/(2σ²)) with σ² = 0.1
    f_c = math.sqrt(math.log(1 / 0.05) / (2 * math.pi**2 * sigma2))

    def slope(f: float) -> float:
        return -4 * math.pi**2 * sigma2 * f * math.exp(-2 * math.pi**2 * sigma2 * f * f)

    arc, _ = quad(lambda f: math.sqrt((1 / f_c) ** 2 + slope(f) ** 2), 0.0, f_c)
    t = np.arange(-3, 3, 0.001)
    out = sparc_spectrum(np.exp(-5 * t**2), sampling_rate_hz=1000.0, padding_level=6)
    # The adaptive band ends on an FFT bin (df = 0.002 Hz here) and the arc is a polyline: the
    # two discretisations leave ~5e-4; allow 1e-3.
    assert_allclose(out.sparc, -arc, atol=1e-3)
    assert_allclose(out.adaptive_cutoff_hz, f_c, atol=2 * 1000.0 / out.frequency_hz.size)


def test_two_submovements_are_less_smooth_than_one() -> None:
    # The reference run (movement.md §4.1) gives SPARC -1.93 and LDLJ -7.61 for two
    # sub-movements 0.4 s apart against -1.41 / -5.8 for one (its exact widths are not stated,
    # so only the ordering and a margin are asserted). Sub-movements of σ = 0.1 s, 0.4 s apart.
    t = np.arange(-1, 1.4, 0.01)
    one = np.exp(-50 * t**2)
    two = one + np.exp(-50 * (t - 0.4) ** 2)
    s_one = movement_smoothness(one, sampling_rate_hz=100.0)
    s_two = movement_smoothness(two, sampling_rate_hz=100.0)
    assert s_two.sparc < s_one.sparc - 0.1
    assert s_two.log_dimensionless_jerk < s_one.log_dimensionless_jerk
