"""Synthetic surface EMG with known onsets (for validation and benchmarks).

Band-limited Gaussian noise (white noise through the 20–450 Hz band-pass, zero-phase) is a
standard model of the interference pattern of surface EMG: its amplitude is Gaussian and its
spectrum fills the EMG band. A burst multiplies the noise by a rectangular (or ramped)
amplitude profile, added to a background of independent noise, so the true onset and offset
of each burst are known exactly.

References
----------
Hodges PW, Bui BH (1996) doi:10.1016/S0921-884X(96)95190-5 (simulated bursts for onset tests).
Staude G, Wolf W (1999) Objective motor response onset detection in surface myoelectric
signals. Med Eng Phys 21(6-7):449-467, doi:10.1016/S1350-4533(99)00067-3.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray
from scipy import signal as sps

from reeducate.errors import InvalidParameterError
from reeducate.signals.checks import check_sampling_rate

__all__ = ["simulate_bursts"]


def simulate_bursts(
    *,
    duration_s: float,
    sampling_rate_hz: float,
    onsets_s: tuple[float, ...],
    burst_s: float,
    burst_rms_v: float,
    noise_rms_v: float,
    rng: np.random.Generator,
    ramp_s: float = 0.0,
) -> NDArray[np.float64]:
    """One channel of EMG with bursts of known onset, in volts.

    Parameters
    ----------
    duration_s, sampling_rate_hz : float
    onsets_s : tuple of float
        Burst onsets (the first sample of each burst is ``round(onset * rate)``).
    burst_s : float
        Duration of every burst.
    burst_rms_v, noise_rms_v : float
        RMS of the burst's EMG and of the background noise (volts).
    rng : numpy.random.Generator
    ramp_s : float
        Linear rise of the burst's amplitude from 0 (0: a step).

    Returns
    -------
    ndarray, shape (round(duration_s * sampling_rate_hz),)

    Examples
    --------
    >>> import numpy as np
    >>> x = simulate_bursts(duration_s=4.0, sampling_rate_hz=2000.0, onsets_s=(1.0,),
    ...                     burst_s=1.0, burst_rms_v=1e-4, noise_rms_v=5e-6,
    ...                     rng=np.random.default_rng(0))
    >>> round(float(np.sqrt(np.mean(x[2100:3900] ** 2))) * 1e6)
    100
    """
    rate = check_sampling_rate(sampling_rate_hz, minimum_hz=900.0)
    n = round(duration_s * rate)
    if n < 100:
        raise InvalidParameterError(f"duration_s must give at least 100 samples; got {n}")
    if burst_rms_v < 0 or noise_rms_v < 0:
        raise InvalidParameterError("burst_rms_v and noise_rms_v must be >= 0")
    sos = sps.butter(4, [20.0, 450.0], btype="bandpass", fs=rate, output="sos")

    def band_noise() -> NDArray[np.float64]:
        y = sps.sosfiltfilt(sos, rng.standard_normal(n))
        return np.asarray(y / np.sqrt(np.mean(y * y)), dtype=np.float64)

    profile = np.zeros(n)
    ramp_n = round(ramp_s * rate)
    burst_n = round(burst_s * rate)
    for onset in onsets_s:
        i0 = round(onset * rate)
        if not 0 <= i0 < n:
            raise InvalidParameterError(f"onset {onset!r} s lies outside the record")
        i1 = min(n, i0 + burst_n)
        shape = np.ones(i1 - i0)
        if ramp_n > 0:
            k = min(ramp_n, shape.size)
            shape[:k] = np.arange(1, k + 1) / ramp_n
        profile[i0:i1] = shape
    return np.asarray(
        burst_rms_v * profile * band_noise() + noise_rms_v * band_noise(), dtype=np.float64
    )
