"""welch_psd against scipy.signal.welch (another implementation) and Parseval (closed form)."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from scipy.signal import welch

from reeducate.errors import InvalidParameterError
from reeducate.signals.spectra import welch_psd

CASES = [
    (3000, 1500, 3000, "constant"),  # Santos & Duarte: half-record segments
    (1000, 500, 6000, "linear"),  # Quijoux: 10-s segments zero-padded to the record
    (999, 333, 1501, "linear"),  # odd lengths, odd nfft (no Nyquist bin)
    (777, 0, 777, "constant"),  # no overlap
]


@pytest.mark.parametrize(("nperseg", "noverlap", "nfft", "detrend"), CASES)
def test_welch_psd_matches_scipy_welch(
    nperseg: int, noverlap: int, nfft: int, detrend: str
) -> None:
    rng = np.random.default_rng(11)
    x = np.cumsum(rng.normal(size=(6000, 2)), axis=0) + np.array([5.0, -3.0])
    want_f, want_p = welch(
        x, fs=100.0, window="hann", nperseg=nperseg, noverlap=noverlap, nfft=nfft,
        detrend=detrend, axis=0,
    )  # fmt: skip
    got_f, got_p = welch_psd(
        x, sampling_rate_hz=100.0, nperseg=nperseg, noverlap=noverlap, nfft=nfft,
        detrend=detrend,  # type: ignore[arg-type]
    )  # fmt: skip
    assert_array_equal(got_f, want_f)
    # Same FFT and formulas, different order of operations: rounding only, relative to the
    # spectrum's peak (tiny bins carry cancellation error in both).
    assert_allclose(got_p, want_p, rtol=0, atol=1e-13 * want_p.max())


def test_welch_psd_of_one_channel_keeps_its_shape() -> None:
    x = np.sin(2 * np.pi * 2.0 * np.arange(4000) / 100.0)
    f, p = welch_psd(x, sampling_rate_hz=100.0, nperseg=1000, noverlap=500, nfft=1000,
                     detrend="constant")  # fmt: skip
    assert p.shape == f.shape == (501,)
    assert f[np.argmax(p)] == pytest.approx(2.0)


def test_welch_psd_integrates_to_the_variance_of_white_noise() -> None:
    # Parseval: the area under a density estimate of unit-variance white noise is about 1.
    x = np.random.default_rng(2).normal(size=200_000)
    f, p = welch_psd(x, sampling_rate_hz=50.0, nperseg=1000, noverlap=500, nfft=1000,
                     detrend="constant")  # fmt: skip
    assert np.trapezoid(p, f) == pytest.approx(1.0, rel=0.01)  # 399 averaged segments


@pytest.mark.parametrize(
    "kwargs",
    [
        {"nperseg": 1, "noverlap": 0, "nfft": 10},
        {"nperseg": 100, "noverlap": 100, "nfft": 100},
        {"nperseg": 100, "noverlap": 10, "nfft": 50},
        {"nperseg": 5000, "noverlap": 10, "nfft": 5000},
    ],
)
def test_impossible_segments_are_refused(kwargs: dict[str, int]) -> None:
    with pytest.raises(InvalidParameterError, match="nperseg"):
        welch_psd(np.zeros(1000), sampling_rate_hz=100.0, detrend="constant", **kwargs)
