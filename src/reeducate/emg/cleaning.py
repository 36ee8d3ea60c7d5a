"""Cleaning of surface EMG: baseline removal, band-pass and mains notch (offline, zero-phase).

The same filter designs are used by the live pipeline (:mod:`reeducate.emg.live`), which runs
them causally; here they run forward and backward (``scipy.signal.sosfiltfilt``), so the
magnitude response is squared (a designed order ``n`` acts as order ``2 n``, -6.02 dB at the
corner frequencies) and there is no delay.

Defaults follow SENIAM (Hermens et al. 2000): high-pass 10–20 Hz, low-pass near 500 Hz; we use a
20–450 Hz Butterworth band (below the 500 Hz anti-alias corner of most amplifiers at 1–2 kHz).
Mains interference is removed with second-order IIR notches at the mains frequency and,
optionally, its harmonics below Nyquist. The mains frequency (50 Hz in Europe, 60 Hz in the
Americas) has no default: it must be stated.

References
----------
Hermens HJ, Freriks B, Disselhorst-Klug C, Rau G (2000) Development of recommendations for SEMG
sensors and sensor placement procedures. J Electromyogr Kinesiol 10(5):361-374,
doi:10.1016/S1050-6411(00)00027-4.
De Luca CJ, Gilmore LD, Kuznetsov M, Roy SH (2010) Filtering the surface EMG signal: movement
artifact and baseline noise contamination. J Biomech 43(8):1573-1579,
doi:10.1016/j.jbiomech.2010.01.027.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import signal as sps

from reeducate.errors import InvalidParameterError
from reeducate.signals.checks import check_sampling_rate

__all__ = [
    "BaselineMethod",
    "CleaningSettings",
    "bandpass_sos",
    "clean_emg",
    "min_samples",
    "notch_sos",
    "remove_baseline",
]

BaselineMethod = Literal["none", "mean", "linear"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CleaningSettings:
    """How a raw EMG is cleaned; stored with every result.

    Attributes
    ----------
    mains_hz : {50.0, 60.0} or None
        Mains frequency to notch out; None: no notch. No default (it depends on the country).
    band_hz : (float, float)
        Corners of the Butterworth band-pass, Hz (SENIAM: 20, 450).
    band_order : int
        Designed order of each half of the band-pass (``butter(order, band)`` gives a filter of
        order ``2 * band_order``); 4 by default.
    notch_q : float
        Quality factor of each notch (centre / -3 dB width); 30 gives a 1.7 Hz wide notch at
        50 Hz.
    notch_harmonics : int
        How many multiples of ``mains_hz`` to notch (1 = the fundamental only); harmonics at or
        above the band's upper corner are skipped, since the band-pass removes them.
    baseline : {"none", "mean", "linear"}
        Offset removed before filtering (the band-pass removes it too; removing it first
        shortens the filter's start-up transient).

    Examples
    --------
    >>> CleaningSettings(mains_hz=50.0).band_hz
    (20.0, 450.0)
    """

    mains_hz: float | None
    band_hz: tuple[float, float] = (20.0, 450.0)
    band_order: int = 4
    notch_q: float = 30.0
    notch_harmonics: int = 1
    baseline: BaselineMethod = "mean"

    def __post_init__(self) -> None:
        if self.mains_hz is not None and float(self.mains_hz) not in (50.0, 60.0):
            raise InvalidParameterError(
                f"mains_hz must be 50, 60 or None; got {self.mains_hz!r}"
            )
        low, high = (float(v) for v in self.band_hz)
        if not (np.isfinite(low) and np.isfinite(high) and 0 < low < high):
            raise InvalidParameterError(
                f"band_hz must be (low, high) with 0 < low < high; got {self.band_hz!r}"
            )
        object.__setattr__(self, "band_hz", (low, high))
        if isinstance(self.band_order, bool) or not 1 <= int(self.band_order) <= 8:
            raise InvalidParameterError(
                f"band_order must be an integer 1-8; got {self.band_order!r}"
            )
        if not (np.isfinite(self.notch_q) and self.notch_q > 0):
            raise InvalidParameterError(f"notch_q must be > 0; got {self.notch_q!r}")
        if isinstance(self.notch_harmonics, bool) or not 1 <= int(self.notch_harmonics) <= 10:
            raise InvalidParameterError(
                f"notch_harmonics must be an integer 1-10; got {self.notch_harmonics!r}"
            )
        if self.baseline not in ("none", "mean", "linear"):
            raise InvalidParameterError(
                f"baseline must be 'none', 'mean' or 'linear'; got {self.baseline!r}"
            )

    def as_dict(self) -> dict[str, object]:
        """The settings as plain values (for JSON)."""
        return {
            "mains_hz": self.mains_hz,
            "band_hz": list(self.band_hz),
            "band_order": self.band_order,
            "notch_q": self.notch_q,
            "notch_harmonics": self.notch_harmonics,
            "baseline": self.baseline,
        }


def bandpass_sos(
    *, sampling_rate_hz: float, band_hz: tuple[float, float], order: int
) -> NDArray[np.float64]:
    """Butterworth band-pass in second-order sections.

    Raises :class:`InvalidParameterError` when the upper corner is not below Nyquist (for
    example 450 Hz at a 500 Hz sampling rate).

    >>> bandpass_sos(sampling_rate_hz=2000.0, band_hz=(20.0, 450.0), order=4).shape
    (4, 6)
    """
    rate = check_sampling_rate(sampling_rate_hz)
    low, high = band_hz
    if not 0 < low < high < 0.5 * rate:
        raise InvalidParameterError(
            f"band_hz must satisfy 0 < low < high < Nyquist ({0.5 * rate:g} Hz at "
            f"sampling_rate_hz={rate:g}); got {band_hz!r}"
        )
    return np.asarray(
        sps.butter(int(order), [low, high], btype="bandpass", fs=rate, output="sos"),
        dtype=np.float64,
    )


def notch_sos(
    *, sampling_rate_hz: float, mains_hz: float, q: float, harmonics: int, below_hz: float
) -> NDArray[np.float64] | None:
    """Cascade of IIR notches (``scipy.signal.iirnotch``) at ``k * mains_hz``, k = 1..harmonics,
    keeping those below ``below_hz`` and Nyquist; None when none is kept.

    >>> notch_sos(sampling_rate_hz=2000.0, mains_hz=50.0, q=30.0, harmonics=3,
    ...           below_hz=450.0).shape
    (3, 6)
    """
    rate = check_sampling_rate(sampling_rate_hz)
    sections = []
    for k in range(1, int(harmonics) + 1):
        f0 = k * float(mains_hz)
        if f0 >= below_hz or f0 >= 0.5 * rate:
            break
        b, a = sps.iirnotch(f0, q, fs=rate)
        sections.append(np.concatenate([b, a]))
    if not sections:
        return None
    return np.asarray(sections, dtype=np.float64)


def cleaning_sos(
    settings: CleaningSettings, /, *, sampling_rate_hz: float
) -> NDArray[np.float64]:
    """The whole cleaning filter (band-pass then notches) as one SOS cascade."""
    band = bandpass_sos(
        sampling_rate_hz=sampling_rate_hz, band_hz=settings.band_hz, order=settings.band_order
    )
    if settings.mains_hz is None:
        return band
    notch = notch_sos(
        sampling_rate_hz=sampling_rate_hz,
        mains_hz=settings.mains_hz,
        q=settings.notch_q,
        harmonics=settings.notch_harmonics,
        below_hz=settings.band_hz[1],
    )
    return band if notch is None else np.vstack([band, notch])


def min_samples(settings: CleaningSettings, /, *, sampling_rate_hz: float) -> int:
    """Fewest samples :func:`clean_emg` accepts with ``settings``: the zero-phase filter's
    edge padding (``scipy.signal.sosfiltfilt``: 3 x (2 x sections + 1)) plus one.

    >>> min_samples(CleaningSettings(mains_hz=None), sampling_rate_hz=2000.0)
    28
    """
    sos = cleaning_sos(settings, sampling_rate_hz=check_sampling_rate(sampling_rate_hz))
    return _min_samples(sos)


def _min_samples(sos: NDArray[np.float64], /) -> int:
    """The sosfiltfilt edge padding of cascade ``sos`` plus one."""
    return 3 * (2 * int(sos.shape[0]) + 1) + 1


def remove_baseline(x: ArrayLike, /, *, method: BaselineMethod) -> NDArray[np.float64]:
    """Remove the mean or a least-squares line along axis 0 (``"none"`` returns a copy).

    >>> remove_baseline([1.0, 2.0, 3.0], method="mean").tolist()
    [-1.0, 0.0, 1.0]
    """
    arr = np.array(x, dtype=np.float64, copy=True)
    if method == "none":
        return arr
    if method == "mean":
        return np.asarray(arr - arr.mean(axis=0), dtype=np.float64)
    if method == "linear":
        return np.asarray(sps.detrend(arr, axis=0, type="linear"), dtype=np.float64)
    raise InvalidParameterError(f"method must be 'none', 'mean' or 'linear'; got {method!r}")


def clean_emg(
    x: ArrayLike, /, *, sampling_rate_hz: float, settings: CleaningSettings
) -> NDArray[np.float64]:
    """Zero-phase cleaning: baseline removal, band-pass, mains notch (offline).

    Parameters
    ----------
    x : array_like, shape (n_samples,) or (n_samples, n_channels)
        Raw EMG (any unit; the output has the same unit). Not modified.
    sampling_rate_hz : float
    settings : CleaningSettings

    Returns
    -------
    ndarray, same shape as ``x``

    References
    ----------
    Hermens HJ et al. (2000) J Electromyogr Kinesiol 10:361-374,
    doi:10.1016/S1050-6411(00)00027-4.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(8000) / 2000.0  # 4 s; the 50 Hz notch settles in about 1 s
    >>> raw = 1e-3 + 50e-6 * np.sin(2 * np.pi * 50 * t) + 100e-6 * np.sin(2 * np.pi * 120 * t)
    >>> y = clean_emg(raw, sampling_rate_hz=2000.0, settings=CleaningSettings(mains_hz=50.0))
    >>> bool(np.allclose(y[2000:-2000], 100e-6 * np.sin(2 * np.pi * 120 * t[2000:-2000]),
    ...                  atol=1e-6))
    True
    """
    rate = check_sampling_rate(sampling_rate_hz)
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim not in (1, 2):
        raise InvalidParameterError(f"x must be 1-D or 2-D (time on axis 0); got {arr.shape}")
    sos = cleaning_sos(settings, sampling_rate_hz=rate)
    min_len = _min_samples(sos)
    if arr.shape[0] < min_len:
        raise InvalidParameterError(
            f"x must have at least {min_len} samples for these filters; got {arr.shape[0]}"
        )
    base = remove_baseline(arr, method=settings.baseline)
    return np.asarray(sps.sosfiltfilt(sos, base, axis=0), dtype=np.float64)
