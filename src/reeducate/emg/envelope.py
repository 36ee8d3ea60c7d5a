"""Amplitude of surface EMG: linear envelope, moving RMS and the Teager-Kaiser energy operator.

Offline versions (this module) are zero-phase or centred, so an envelope is not delayed; the
live pipeline (:mod:`reeducate.emg.live`) runs the same designs causally and reports the delay
each stage adds.

* **Linear envelope** (:func:`linear_envelope`): full-wave rectification, then a Butterworth
  low-pass run forward and backward (Winter 2009, ch. 10; De Luca 1997). The cut-off (3–10 Hz
  in practice: pyomeca 5 Hz, pyCGM2 6 Hz, NeuroKit2 8 Hz) and the designed order are explicit.
* **Moving RMS** (:func:`moving_rms`): the root of the mean square over a window of
  ``window_s`` (50–250 ms in practice), centred (offline) or trailing (live). Computed with a
  running sum, O(n) whatever the window.
* **TKEO** (:func:`teager_kaiser`): ``x[n]^2 - x[n-1] x[n+1]`` (Kaiser 1990; used for onset
  detection by Li et al. 2007 and Solnik et al. 2010).

References
----------
De Luca CJ (1997) The use of surface electromyography in biomechanics. J Appl Biomech
13(2):135-163, doi:10.1123/jab.13.2.135.
Winter DA (2009) Biomechanics and Motor Control of Human Movement, 4th ed. Wiley,
doi:10.1002/9780470549148.
Kaiser JF (1990) On a simple algorithm to calculate the 'energy' of a signal. Proc IEEE ICASSP,
381-384, doi:10.1109/ICASSP.1990.115702.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import signal as sps

from reeducate.errors import InvalidParameterError
from reeducate.signals.checks import check_sampling_rate

__all__ = [
    "linear_envelope",
    "lowpass_sos",
    "moving_rms",
    "rms_window_samples",
    "teager_kaiser",
]


def _as_signal(x: ArrayLike) -> NDArray[np.float64]:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim not in (1, 2):
        raise InvalidParameterError(f"x must be 1-D or 2-D (time on axis 0); got shape {arr.shape}")
    return arr


def lowpass_sos(*, sampling_rate_hz: float, cutoff_hz: float, order: int) -> NDArray[np.float64]:
    """Butterworth low-pass in second-order sections (the envelope smoother).

    >>> lowpass_sos(sampling_rate_hz=2000.0, cutoff_hz=6.0, order=2).shape
    (1, 6)
    """
    rate = check_sampling_rate(sampling_rate_hz)
    if not (np.isfinite(cutoff_hz) and 0 < cutoff_hz < 0.5 * rate):
        raise InvalidParameterError(
            f"cutoff_hz must be > 0 and < Nyquist ({0.5 * rate:g} Hz); got {cutoff_hz!r}"
        )
    if isinstance(order, bool) or int(order) != order or not 1 <= order <= 8:
        raise InvalidParameterError(f"order must be an integer 1-8; got {order!r}")
    return np.asarray(
        sps.butter(int(order), cutoff_hz, btype="lowpass", fs=rate, output="sos"),
        dtype=np.float64,
    )


def linear_envelope(
    x_clean: ArrayLike, /, *, sampling_rate_hz: float, cutoff_hz: float, order: int
) -> NDArray[np.float64]:
    """Linear envelope: full-wave rectify, then zero-phase Butterworth low-pass.

    The low-pass is designed with ``order`` and run forward and backward
    (``scipy.signal.sosfiltfilt``, odd-extension padding), so its gain at ``cutoff_hz`` is 1/2.

    Parameters
    ----------
    x_clean : array_like, shape (n_samples,) or (n_samples, n_channels)
        Cleaned (band-passed, zero-mean) EMG; the envelope has its unit.
    sampling_rate_hz, cutoff_hz : float
    order : int
        Designed order (1–8) before doubling by the forward-backward pass.

    Returns
    -------
    ndarray, same shape as ``x_clean``

    References
    ----------
    De Luca CJ (1997) J Appl Biomech 13:135-163, doi:10.1123/jab.13.2.135.

    Examples
    --------
    A burst of constant amplitude A has a rectified mean of 2A/pi:

    >>> import numpy as np
    >>> t = np.arange(20000) / 2000.0
    >>> env = linear_envelope(np.sin(2 * np.pi * 97.0 * t), sampling_rate_hz=2000.0,
    ...                       cutoff_hz=6.0, order=2)
    >>> round(float(np.median(env[4000:-4000])) * np.pi / 2, 3)
    1.0
    """
    arr = _as_signal(x_clean)
    sos = lowpass_sos(sampling_rate_hz=sampling_rate_hz, cutoff_hz=cutoff_hz, order=order)
    min_len = 3 * (2 * sos.shape[0] + 1) + 1
    if arr.shape[0] < min_len:
        raise InvalidParameterError(
            f"x_clean must have at least {min_len} samples; got {arr.shape[0]}"
        )
    return np.asarray(sps.sosfiltfilt(sos, np.abs(arr), axis=0), dtype=np.float64)


def rms_window_samples(*, sampling_rate_hz: float, window_s: float) -> int:
    """Window length in samples: ``round(window_s * sampling_rate_hz)``, at least 1.

    >>> rms_window_samples(sampling_rate_hz=2000.0, window_s=0.1)
    200
    """
    rate = check_sampling_rate(sampling_rate_hz)
    if not (np.isfinite(window_s) and window_s > 0):
        raise InvalidParameterError(f"window_s must be > 0; got {window_s!r}")
    return max(1, round(window_s * rate))


def moving_rms(
    x: ArrayLike,
    /,
    *,
    sampling_rate_hz: float,
    window_s: float,
    alignment: Literal["centred", "trailing"],
) -> NDArray[np.float64]:
    """Root mean square over a sliding window of ``window_s``.

    ``"trailing"``: sample ``n`` is the RMS of samples ``n-w+1 .. n`` (causal, what a live
    display shows; it lags by ``(w - 1) / 2`` samples). ``"centred"``: the window is centred on
    sample ``n`` (``n - w//2 .. n - w//2 + w - 1``). Where the window runs past either end, the
    mean is taken over the samples inside it.

    Parameters
    ----------
    x : array_like, shape (n_samples,) or (n_samples, n_channels)
    sampling_rate_hz, window_s : float
    alignment : {"centred", "trailing"}

    Returns
    -------
    ndarray, same shape as ``x``

    Examples
    --------
    The RMS of a sine of amplitude A is A / sqrt(2):

    >>> import numpy as np
    >>> t = np.arange(4000) / 2000.0
    >>> r = moving_rms(3.0 * np.sin(2 * np.pi * 50.0 * t), sampling_rate_hz=2000.0,
    ...                window_s=0.1, alignment="centred")
    >>> bool(abs(r[2000] - 3.0 / np.sqrt(2.0)) < 1e-9)
    True
    """
    arr = _as_signal(x)
    if alignment not in ("centred", "trailing"):
        raise InvalidParameterError(
            f"alignment must be 'centred' or 'trailing'; got {alignment!r}"
        )
    w = rms_window_samples(sampling_rate_hz=sampling_rate_hz, window_s=window_s)
    n = arr.shape[0]
    sq = arr * arr
    csum = np.concatenate([np.zeros((1, *arr.shape[1:])), np.cumsum(sq, axis=0)], axis=0)
    idx = np.arange(n)
    if alignment == "trailing":
        lo = np.maximum(idx - w + 1, 0)
        hi = idx + 1
    else:
        lo = np.maximum(idx - w // 2, 0)
        hi = np.minimum(idx - w // 2 + w, n)
    count = (hi - lo).astype(np.float64)
    if arr.ndim == 2:
        count = count[:, None]
    mean_sq = (csum[hi] - csum[lo]) / count
    return np.asarray(np.sqrt(np.maximum(mean_sq, 0.0)), dtype=np.float64)


def teager_kaiser(x: ArrayLike, /) -> NDArray[np.float64]:
    """Teager-Kaiser energy operator ``x[n]^2 - x[n-1] x[n+1]``; the edge samples copy their
    neighbours (as in NeuroKit2).

    References
    ----------
    Kaiser JF (1990) doi:10.1109/ICASSP.1990.115702. Li X, Zhou P, Aruin AS (2007)
    Teager-Kaiser energy operation of surface EMG improves muscle activity onset detection.
    Ann Biomed Eng 35(9):1532-1538, doi:10.1007/s10439-007-9320-z.

    Examples
    --------
    For a sine A sin(w n) the operator is the constant A^2 sin^2(w):

    >>> import numpy as np
    >>> y = teager_kaiser(2.0 * np.sin(0.3 * np.arange(50)))
    >>> bool(np.allclose(y, 4.0 * np.sin(0.3) ** 2))
    True
    """
    arr = _as_signal(x)
    if arr.shape[0] < 3:
        raise InvalidParameterError(f"x must have at least 3 samples; got {arr.shape[0]}")
    out = np.empty_like(arr)
    out[1:-1] = arr[1:-1] ** 2 - arr[:-2] * arr[2:]
    out[0] = out[1]
    out[-1] = out[-2]
    return out
