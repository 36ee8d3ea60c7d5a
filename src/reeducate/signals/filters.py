"""Butterworth filters on uniformly sampled arrays: zero-phase (offline) and causal (live).

Time is axis 0. The zero-phase filter runs the designed filter forward and backward
(``scipy.signal.filtfilt``), so its magnitude response is the square of the designed one: a
designed order ``order`` gives an effective order ``2 * order`` and -6.02 dB (not -3 dB) at the
cut-off, with no phase shift. This is how Quijoux et al. (2021) count the order ("4th-order
Butterworth, filtfilt"). The causal filter runs the designed filter once (-3.01 dB at the
cut-off) and carries its state between calls, so a live display can filter chunk by chunk; it
delays the signal by its group delay (:attr:`CausalButterworth.group_delay_s`).

References
----------
Butterworth S (1930) On the theory of filter amplifiers. Wireless Engineer 7:536-541.
Gustafsson F (1996) Determining the initial states in forward-backward filtering. IEEE Trans
Signal Process 44(4):988-992, doi:10.1109/78.492552.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import signal as sps

from reeducate.errors import InvalidParameterError

__all__ = [
    "CausalButterworth",
    "CausalSos",
    "butterworth_coefficients",
    "sos_group_delay_s",
    "zero_phase_butterworth",
]

FilterForm = Literal["ba", "sos"]
BandType = Literal["lowpass", "highpass"]


def _check_design(*, sampling_rate_hz: float, cutoff_hz: float, order: int) -> None:
    if not np.isfinite(sampling_rate_hz) or sampling_rate_hz <= 0:
        raise InvalidParameterError(
            f"sampling_rate_hz must be a finite number > 0; got {sampling_rate_hz!r}"
        )
    nyquist_hz = 0.5 * sampling_rate_hz
    if not np.isfinite(cutoff_hz) or not 0 < cutoff_hz < nyquist_hz:
        raise InvalidParameterError(
            f"cutoff_hz must be > 0 and < the Nyquist frequency {nyquist_hz:g} Hz; "
            f"got {cutoff_hz!r}"
        )
    if isinstance(order, bool) or not isinstance(order, int | np.integer) or order < 1:
        raise InvalidParameterError(f"order must be an integer >= 1; got {order!r}")


def butterworth_coefficients(
    *,
    sampling_rate_hz: float,
    cutoff_hz: float,
    order: int,
    btype: BandType = "lowpass",
    form: FilterForm = "ba",
) -> tuple[NDArray[np.float64], NDArray[np.float64]] | NDArray[np.float64]:
    """Design a digital Butterworth filter (``scipy.signal.butter``).

    Parameters
    ----------
    sampling_rate_hz, cutoff_hz : float
        Sampling rate and -3 dB cut-off of the designed (single-pass) filter, in Hz.
    order : int
        Order of the designed filter (>= 1).
    btype : {"lowpass", "highpass"}
    form : {"ba", "sos"}
        Transfer-function ``(b, a)`` or second-order sections.

    Returns
    -------
    (b, a) or sos

    Examples
    --------
    >>> b, a = butterworth_coefficients(sampling_rate_hz=100.0, cutoff_hz=10.0, order=4)
    >>> round(float(b.sum() / a.sum()), 12)  # DC gain
    1.0
    """
    _check_design(sampling_rate_hz=sampling_rate_hz, cutoff_hz=cutoff_hz, order=order)
    wn = cutoff_hz / (0.5 * sampling_rate_hz)
    if form == "sos":
        return np.asarray(sps.butter(int(order), wn, btype=btype, output="sos"), dtype=np.float64)
    if form != "ba":
        raise InvalidParameterError(f"form must be 'ba' or 'sos'; got {form!r}")
    b, a = sps.butter(int(order), wn, btype=btype)
    return np.asarray(b, dtype=np.float64), np.asarray(a, dtype=np.float64)


def zero_phase_butterworth(
    x: ArrayLike,
    /,
    *,
    sampling_rate_hz: float,
    cutoff_hz: float,
    order: int,
    btype: BandType = "lowpass",
    form: FilterForm = "ba",
) -> NDArray[np.float64]:
    """Zero-phase Butterworth filter (forward-backward, ``filtfilt``) along axis 0.

    The designed filter of order ``order`` is applied twice, so the effective order is
    ``2 * order`` and the gain at ``cutoff_hz`` is 1/2 (-6.02 dB). Edges are handled as SciPy's
    defaults: odd extension of ``3 * max(len(a), len(b))`` samples for ``form="ba"`` (as in the
    Quijoux et al. 2021 code) and the corresponding default of ``sosfiltfilt`` for ``"sos"``
    (numerically safer for low cut-offs relative to the sampling rate).

    Parameters
    ----------
    x : array_like, shape (n_samples,) or (n_samples, n_channels)
        Uniformly sampled signal (not modified).
    sampling_rate_hz, cutoff_hz : float
        Sampling rate and cut-off in Hz (``0 < cutoff_hz < sampling_rate_hz / 2``).
    order : int
        Order of the designed filter (before doubling by the forward-backward pass).
    btype : {"lowpass", "highpass"}
    form : {"ba", "sos"}

    Returns
    -------
    ndarray, same shape as ``x``

    References
    ----------
    Gustafsson F (1996) IEEE Trans Signal Process 44(4):988-992, doi:10.1109/78.492552.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(1000) / 100.0
    >>> y = zero_phase_butterworth(np.sin(2 * np.pi * 0.5 * t), sampling_rate_hz=100.0,
    ...                            cutoff_hz=10.0, order=4)
    >>> bool(np.max(np.abs(y[100:-100] - np.sin(2 * np.pi * 0.5 * t[100:-100]))) < 1e-3)
    True
    """
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim not in (1, 2):
        raise InvalidParameterError(f"x must be 1-D or 2-D (time on axis 0); got shape {arr.shape}")
    coeffs = butterworth_coefficients(
        sampling_rate_hz=sampling_rate_hz, cutoff_hz=cutoff_hz, order=order, btype=btype, form=form
    )
    if isinstance(coeffs, tuple):
        b, a = coeffs
        min_len = 3 * max(len(a), len(b)) + 1
        if arr.shape[0] < min_len:
            raise InvalidParameterError(
                f"x must have at least {min_len} samples for a order-{order} zero-phase filter; "
                f"got {arr.shape[0]}"
            )
        return np.asarray(sps.filtfilt(b, a, arr, axis=0), dtype=np.float64)
    sos = coeffs
    min_len = 3 * (2 * len(sos) + 1) + 1
    if arr.shape[0] < min_len:
        raise InvalidParameterError(
            f"x must have at least {min_len} samples for a order-{order} zero-phase filter; "
            f"got {arr.shape[0]}"
        )
    return np.asarray(sps.sosfiltfilt(sos, arr, axis=0), dtype=np.float64)


class CausalSos:
    """A causal second-order-sections filter that carries its state from chunk to chunk.

    The general form of :class:`CausalButterworth`, for any ``sos`` design (band-pass, notch,
    cascades). Filtering a signal chunk by chunk gives exactly the output of
    ``scipy.signal.sosfilt`` on the whole signal with the same initial state.

    Parameters
    ----------
    sos : array_like, shape (n_sections, 6)
        The filter, e.g. from ``scipy.signal.butter(..., output="sos")``.
    n_channels : int
        Columns per sample; chunks are (n, n_channels), or (n,) for one channel.
    initial : {"zero", "steady"}
        Zero state (a high-pass or band-pass: the signal is assumed to start from rest), or the
        steady state for the first sample (a low-pass of a signal that starts at an offset).

    Examples
    --------
    >>> import numpy as np
    >>> from scipy import signal
    >>> sos = signal.butter(2, [20, 450], btype="bandpass", fs=2000, output="sos")
    >>> x = np.random.default_rng(1).normal(size=(400, 2))
    >>> f = CausalSos(sos, n_channels=2, initial="zero")
    >>> y = np.concatenate([f.process(x[:7]), f.process(x[7:])])
    >>> bool(np.allclose(y, signal.sosfilt(sos, x, axis=0), rtol=0, atol=1e-12))
    True
    """

    __slots__ = ("_initial", "_n_channels", "_sos", "_zi")

    def __init__(
        self, sos: ArrayLike, /, *, n_channels: int, initial: Literal["zero", "steady"]
    ) -> None:
        arr = np.asarray(sos, dtype=np.float64)
        if arr.ndim != 2 or arr.shape[1] != 6:
            raise InvalidParameterError(f"sos must have shape (n_sections, 6); got {arr.shape}")
        if isinstance(n_channels, bool) or int(n_channels) != n_channels or n_channels < 1:
            raise InvalidParameterError(f"n_channels must be an integer >= 1; got {n_channels!r}")
        if initial not in ("zero", "steady"):
            raise InvalidParameterError(f"initial must be 'zero' or 'steady'; got {initial!r}")
        self._sos = arr
        self._n_channels = int(n_channels)
        self._initial = initial
        self._zi: NDArray[np.float64] | None = None

    @property
    def sos(self) -> NDArray[np.float64]:
        """The filter's second-order sections (a copy)."""
        return self._sos.copy()

    def reset(self) -> None:
        """Forget the state (the next chunk starts a new signal)."""
        self._zi = None

    def process(self, chunk: ArrayLike, /) -> NDArray[np.float64]:
        """Filter the next chunk (shape (n,) or (n, n_channels)); returns the same shape."""
        arr = np.asarray(chunk, dtype=np.float64)
        two_d = arr.reshape(arr.shape[0], -1) if arr.ndim else arr.reshape(1, 1)
        if two_d.shape[1] != self._n_channels:
            raise InvalidParameterError(
                f"chunk must have {self._n_channels} channel(s); got shape {arr.shape}"
            )
        if two_d.shape[0] == 0:
            return arr.copy()
        if self._zi is None:
            if self._initial == "steady":
                zi0 = sps.sosfilt_zi(self._sos)
                self._zi = zi0[:, :, None] * two_d[0][None, None, :]
            else:
                self._zi = np.zeros((self._sos.shape[0], 2, self._n_channels))
        out, self._zi = sps.sosfilt(self._sos, two_d, axis=0, zi=self._zi)
        return np.asarray(out, dtype=np.float64).reshape(arr.shape)


class CausalButterworth(CausalSos):
    """One-pass (causal) Butterworth filter that carries its state between calls.

    Use it for live feedback: feed chunks as they arrive with :meth:`process`; the output is
    identical to filtering the concatenated signal at once. A causal filter cannot be
    zero-phase: the output lags the input by the group delay, which for a low-pass is largest
    near the cut-off and equals :attr:`group_delay_s` at DC (about 0.040 s for order 4 at 10 Hz
    and 100 Hz sampling; analog value 2.613 / (2 pi fc)). The state starts at the steady state
    for the first sample (``sosfilt_zi``), so a signal that starts at a constant offset does not
    ring.

    Parameters
    ----------
    sampling_rate_hz, cutoff_hz : float
        Sampling rate and -3 dB cut-off in Hz.
    order : int
        Filter order (>= 1).
    btype : {"lowpass", "highpass"}
    n_channels : int
        Number of channels (columns) per sample; chunks are (n, n_channels) or (n,) for one.

    Examples
    --------
    >>> import numpy as np
    >>> f = CausalButterworth(sampling_rate_hz=100.0, cutoff_hz=10.0, order=4)
    >>> x = np.random.default_rng(0).normal(size=200)
    >>> y = np.concatenate([f.process(x[:50]), f.process(x[50:])])
    >>> g = CausalButterworth(sampling_rate_hz=100.0, cutoff_hz=10.0, order=4)
    >>> bool(np.allclose(y, g.process(x), rtol=0, atol=1e-12))
    True
    >>> round(f.group_delay_s, 4)
    0.0402
    """

    __slots__ = ("cutoff_hz", "order", "sampling_rate_hz")

    def __init__(
        self,
        *,
        sampling_rate_hz: float,
        cutoff_hz: float,
        order: int,
        btype: BandType = "lowpass",
        n_channels: int = 1,
    ) -> None:
        sos = butterworth_coefficients(
            sampling_rate_hz=sampling_rate_hz,
            cutoff_hz=cutoff_hz,
            order=order,
            btype=btype,
            form="sos",
        )
        assert not isinstance(sos, tuple)
        super().__init__(sos, n_channels=n_channels, initial="steady")
        self.sampling_rate_hz = float(sampling_rate_hz)
        self.cutoff_hz = float(cutoff_hz)
        self.order = int(order)

    @property
    def group_delay_s(self) -> float:
        """Group delay at 0 Hz in seconds (the lag of slow movements)."""
        b, a = sps.sos2tf(self._sos)
        _, gd = sps.group_delay((b, a), w=[0.0])
        return float(gd[0]) / self.sampling_rate_hz


def sos_group_delay_s(
    sos: ArrayLike, /, *, sampling_rate_hz: float, frequency_hz: float
) -> float:
    """Group delay in seconds of a second-order-sections filter at one frequency.

    Computed from the phase of the cascade's frequency response (a central difference of the
    unwrapped phase, which stays accurate for sections with poles close to the unit circle,
    where ``scipy.signal.group_delay`` of the expanded transfer function loses precision).

    Parameters
    ----------
    sos : array_like, shape (n_sections, 6)
    sampling_rate_hz : float
        Sampling rate in Hz (> 0).
    frequency_hz : float
        Frequency at which the delay is wanted, ``0 <= frequency_hz < sampling_rate_hz / 2``.

    Examples
    --------
    >>> sos = butterworth_coefficients(sampling_rate_hz=100.0, cutoff_hz=10.0, order=4,
    ...                                form="sos")
    >>> round(sos_group_delay_s(sos, sampling_rate_hz=100.0, frequency_hz=0.0), 4)
    0.0402
    """
    arr = np.asarray(sos, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 6:
        raise InvalidParameterError(f"sos must have shape (n_sections, 6); got {arr.shape}")
    if not (np.isfinite(sampling_rate_hz) and sampling_rate_hz > 0):
        raise InvalidParameterError(f"sampling_rate_hz must be > 0; got {sampling_rate_hz!r}")
    if not (np.isfinite(frequency_hz) and 0 <= frequency_hz < 0.5 * sampling_rate_hz):
        raise InvalidParameterError(
            f"frequency_hz must be >= 0 and < {0.5 * sampling_rate_hz:g} Hz; got {frequency_hz!r}"
        )
    step = 1e-4 * sampling_rate_hz / 2.0
    if frequency_hz - step < 0:
        freqs = np.array([frequency_hz, frequency_hz + step])
    else:
        freqs = np.array([frequency_hz - step, frequency_hz + step])
    _, h = sps.sosfreqz(arr, worN=freqs, fs=sampling_rate_hz)
    phase = np.unwrap(np.angle(h))
    # tau = -dphi/domega, omega in rad/s
    return float(-(phase[1] - phase[0]) / (2.0 * np.pi * (freqs[1] - freqs[0])))
