"""Power spectra of uniformly sampled signals."""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import fft as sp_fft

from reeducate.errors import InvalidParameterError

__all__ = ["welch_psd"]


def welch_psd(
    x: ArrayLike,
    /,
    *,
    sampling_rate_hz: float,
    nperseg: int,
    noverlap: int,
    nfft: int,
    detrend: Literal["constant", "linear"],
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """One-sided power spectral density by Welch's method, periodic Hann window.

    Segments of ``nperseg`` samples, ``noverlap`` apart by ``nperseg - noverlap``, are
    detrended (mean or least-squares line removed), multiplied by the periodic Hann window,
    zero-padded to ``nfft`` and transformed; the periodograms are scaled as a density
    (``1 / (fs * sum(w**2))``), doubled except at 0 Hz and Nyquist, and averaged. This is the
    estimator of ``scipy.signal.welch(x, fs, window="hann", nperseg, noverlap, nfft, detrend,
    scaling="density", average="mean")``, computed directly (the general STFT machinery costs
    more than the transforms for these short records); the two agree to rounding.

    Parameters
    ----------
    x : array_like, shape (n_samples,) or (n_samples, n_channels)
        Signal, time on axis 0.
    sampling_rate_hz : float
        Sampling rate in Hz (> 0).
    nperseg, noverlap, nfft : int
        Segment length, overlap (``0 <= noverlap < nperseg <= n_samples``) and FFT length
        (``>= nperseg``).
    detrend : {"constant", "linear"}
        What is removed from each segment before windowing.

    Returns
    -------
    f_hz : ndarray, shape (nfft // 2 + 1,)
    psd : ndarray, shape (nfft // 2 + 1,) or (nfft // 2 + 1, n_channels)
        Units of ``x`` squared per hertz.

    References
    ----------
    Welch PD (1967) IEEE Trans Audio Electroacoust 15(2):70-73. doi:10.1109/TAU.1967.1161901

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(2000) / 100.0
    >>> f, p = welch_psd(np.sin(2 * np.pi * 5.0 * t), sampling_rate_hz=100.0, nperseg=1000,
    ...                  noverlap=500, nfft=1000, detrend="constant")
    >>> float(f[np.argmax(p)])
    5.0
    """
    data = np.asarray(x, dtype=np.float64)
    if data.ndim not in (1, 2):
        raise InvalidParameterError(f"x must be 1-D or 2-D; got shape {data.shape}")
    n = data.shape[0]
    if not (np.isfinite(sampling_rate_hz) and sampling_rate_hz > 0):
        raise InvalidParameterError(f"sampling_rate_hz must be > 0; got {sampling_rate_hz!r}")
    if not (2 <= nperseg <= n and 0 <= noverlap < nperseg and nfft >= nperseg):
        raise InvalidParameterError(
            "need 2 <= nperseg <= n_samples, 0 <= noverlap < nperseg and nfft >= nperseg; got "
            f"nperseg={nperseg}, noverlap={noverlap}, nfft={nfft}, n_samples={n}"
        )
    if detrend not in ("constant", "linear"):
        raise InvalidParameterError(f"detrend must be 'constant' or 'linear'; got {detrend!r}")
    step = nperseg - noverlap
    n_segments = (n - noverlap) // step
    starts = step * np.arange(n_segments)
    segments = data[starts[:, None] + np.arange(nperseg)]  # (n_segments, nperseg[, channels])
    segments = segments - segments.mean(axis=1, keepdims=True)
    if detrend == "linear":
        centred_t = np.arange(nperseg) - (nperseg - 1) / 2.0
        shape = (1, nperseg) + (1,) * (data.ndim - 1)
        centred_t = centred_t.reshape(shape)
        slope = (segments * centred_t).sum(axis=1, keepdims=True) / np.sum(centred_t**2)
        segments = segments - slope * centred_t
    window = 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(nperseg) / nperseg)
    segments = segments * window.reshape((1, nperseg) + (1,) * (data.ndim - 1))
    spectrum = sp_fft.rfft(segments, n=nfft, axis=1)
    power = spectrum.real**2 + spectrum.imag**2
    power *= 1.0 / (sampling_rate_hz * np.sum(window**2))
    if nfft % 2 == 0:
        power[:, 1:-1] *= 2.0
    else:
        power[:, 1:] *= 2.0
    psd = np.asarray(power.mean(axis=0), dtype=np.float64)
    f_hz = np.asarray(sp_fft.rfftfreq(nfft, 1.0 / sampling_rate_hz), dtype=np.float64)
    return f_hz, psd
