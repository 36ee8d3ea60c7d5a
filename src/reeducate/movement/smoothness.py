"""Movement smoothness: spectral arc length (SPARC) and (log) dimensionless jerk.

Both metrics are computed on **one segmented movement** (one repetition, one reach), not on a
whole recording: they were defined and validated for discrete movements (Balasubramanian et
al. 2015). Their values are dimensionless and independent of amplitude; the jerk metrics
depend on duration (Hogan & Sternad 2009) and are very sensitive to noise, so filter the
signal first (without over-smoothing) and report the filter with the number.

Sign convention (as in the reference code ``siva82kb/SPARC``): both metrics are negative and
*larger* (closer to zero) means *smoother*. A single bell-shaped (Gaussian or minimum-jerk)
speed profile gives SPARC ≈ -1.41; a movement made of two sub-movements gives ≈ -1.9.

Input kinds (``data_type``):

* ``"speed"``: a 1-D non-negative speed profile (the magnitude of a velocity, or of an angular
  velocity for a joint). Jerk is its second derivative, as in the reference code.
* ``"velocity"``: a velocity vector ``(n_samples,)`` or ``(n_samples, n_axes)``; jerk is the
  norm of its second derivative, the peak is the peak speed.
* ``"acceleration"``: an acceleration vector (gravity removed); jerk is the norm of its first
  derivative and the peak is the peak acceleration magnitude (LDLJ-A of Melendez-Calderon et
  al. 2021, for IMUs).
* ``"jerk"``: a jerk vector.

Derivatives are plain finite differences divided by the sample interval; the movement
duration is ``n_samples / sampling_rate_hz`` and the integral is a sum times ``dt``, exactly as
the reference code does, so that its published numbers are reproduced.

References
----------
Balasubramanian S, Melendez-Calderon A, Burdet E (2012) A robust and sensitive metric for
quantifying movement smoothness. IEEE Trans Biomed Eng 59(8):2126-2136.
doi:10.1109/TBME.2011.2179545

Balasubramanian S, Melendez-Calderon A, Roby-Brami A, Burdet E (2015) On the analysis of
movement smoothness. J NeuroEng Rehabil 12:112. doi:10.1186/s12984-015-0090-9

Hogan N, Sternad D (2009) Sensitivity of smoothness measures to movement duration, amplitude,
and arrests. J Mot Behav 41(6):529-534. doi:10.3200/35-09-004-RC

Melendez-Calderon A, Shirota C, Balasubramanian S (2021) Estimating movement smoothness from
inertial measurement units. Front Bioeng Biotechnol 8:558771. doi:10.3389/fbioe.2020.558771

Reference implementation (ISC licence, not copied): github.com/siva82kb/SPARC,
``scripts/smoothness.py``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reeducate.errors import InvalidParameterError, SignalQualityError
from reeducate.signals.checks import check_sampling_rate

__all__ = [
    "JerkDataType",
    "SmoothnessResult",
    "dimensionless_jerk",
    "log_dimensionless_jerk",
    "movement_smoothness",
    "sparc",
    "sparc_spectrum",
]

JerkDataType = Literal["speed", "velocity", "acceleration", "jerk"]

#: Order of the time derivative that turns each input kind into jerk.
_DERIVATIVE_ORDER: Final[dict[str, int]] = {
    "speed": 2,
    "velocity": 2,
    "acceleration": 1,
    "jerk": 0,
}

#: Fewest samples for a meaningful metric (a second difference needs 3; ask for a few more).
MIN_SAMPLES: Final = 4


def _as_signal(signal: ArrayLike, /, *, name: str, allow_vector: bool) -> NDArray[np.float64]:
    x = np.asarray(signal, dtype=np.float64)
    if x.ndim == 2 and not allow_vector:
        raise InvalidParameterError(
            f"{name} must be 1-D (n_samples,); got shape {x.shape}. Pass the magnitude "
            "(np.linalg.norm(v, axis=1)) or use data_type='velocity'"
        )
    if x.ndim not in (1, 2):
        raise InvalidParameterError(
            f"{name} must be (n_samples,) or (n_samples, n_axes); got shape {x.shape}"
        )
    if x.shape[0] < MIN_SAMPLES:
        raise SignalQualityError(
            f"{name} must have at least {MIN_SAMPLES} samples; got {x.shape[0]}"
        )
    if not np.all(np.isfinite(x)):
        bad = int(np.count_nonzero(~np.isfinite(x)))
        raise SignalQualityError(
            f"{name} must be finite; got {bad} NaN or infinite value(s). Fill or cut the gap "
            "before computing smoothness"
        )
    return x


def _check_speed(speed: NDArray[np.float64]) -> None:
    lowest = float(np.min(speed))
    if lowest < 0:
        raise InvalidParameterError(
            f"speed must be >= 0 (a speed profile: the magnitude of a velocity); got minimum "
            f"{lowest:g}. Pass np.abs(v) or np.linalg.norm(v, axis=1)"
        )
    if float(np.max(speed)) <= 0:
        raise SignalQualityError("speed is zero throughout: there is no movement to assess")


@dataclass(frozen=True, slots=True, kw_only=True)
class SparcSpectrum:
    """SPARC with the spectra it was computed from.

    Attributes
    ----------
    sparc : float
        Spectral arc length (negative; closer to 0 is smoother).
    frequency_hz : ndarray, shape (n_fft,)
        Frequencies of the whole zero-padded spectrum, ``0 .. fs`` (exclusive).
    magnitude_ratio : ndarray, shape (n_fft,)
        Magnitude spectrum normalised to its maximum.
    selected_frequency_hz, selected_magnitude_ratio : ndarray
        The part of the spectrum whose arc length is measured: below ``cutoff_hz`` and between
        the first and the last bin at or above ``amplitude_threshold``.
    adaptive_cutoff_hz : float
        Highest selected frequency.
    padding_level, cutoff_hz, amplitude_threshold : conventions used.
    """

    sparc: float
    frequency_hz: NDArray[np.float64]
    magnitude_ratio: NDArray[np.float64]
    selected_frequency_hz: NDArray[np.float64]
    selected_magnitude_ratio: NDArray[np.float64]
    adaptive_cutoff_hz: float
    padding_level: int
    cutoff_hz: float
    amplitude_threshold: float


def sparc_spectrum(
    speed: ArrayLike,
    /,
    *,
    sampling_rate_hz: float,
    padding_level: int = 4,
    cutoff_hz: float = 10.0,
    amplitude_threshold: float = 0.05,
) -> SparcSpectrum:
    """Spectral arc length of a speed profile, with the spectra behind it.

    See :func:`sparc`; this variant also returns the spectra (e.g. for a figure).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(-1, 1, 0.01)
    >>> out = sparc_spectrum(np.exp(-5 * t**2), sampling_rate_hz=100.0)
    >>> round(out.sparc, 5), out.frequency_hz.size, round(out.adaptive_cutoff_hz, 3)
    (-1.41403, 4096, 1.221)
    """
    fs = check_sampling_rate(sampling_rate_hz)
    v = _as_signal(speed, name="speed", allow_vector=False)
    _check_speed(v)
    if (
        isinstance(padding_level, bool)
        or not isinstance(padding_level, int | np.integer)
        or not 0 <= padding_level <= 10
    ):
        raise InvalidParameterError(
            f"padding_level must be an integer in [0, 10]; got {padding_level!r}"
        )
    if not math.isfinite(cutoff_hz) or not 0 < cutoff_hz <= fs / 2:
        raise InvalidParameterError(
            f"cutoff_hz must be > 0 and <= the Nyquist frequency {fs / 2:g} Hz; got {cutoff_hz!r}"
        )
    if not math.isfinite(amplitude_threshold) or not 0 < amplitude_threshold < 1:
        raise InvalidParameterError(
            f"amplitude_threshold must be in (0, 1); got {amplitude_threshold!r}"
        )
    # Zero-pad to 2**(ceil(log2 N) + padding_level) points for a fine frequency grid.
    n_fft = int(2 ** (math.ceil(math.log2(v.size)) + int(padding_level)))
    frequency_hz = np.arange(n_fft, dtype=np.float64) * (fs / n_fft)
    magnitude = np.abs(np.fft.fft(v, n_fft))
    magnitude_ratio = magnitude / magnitude.max()
    # Fixed low-pass (drop high-frequency noise), then the adaptive, amplitude-based band.
    below = frequency_hz <= cutoff_hz
    f_low = frequency_hz[below]
    m_low = magnitude_ratio[below]
    above = np.flatnonzero(m_low >= amplitude_threshold)
    f_sel = f_low[above[0] : above[-1] + 1]
    m_sel = m_low[above[0] : above[-1] + 1]
    if f_sel.size < 2:
        # Only one bin above threshold: the spectrum is a single line, its arc length 0.
        arc = 0.0
    else:
        df_ratio = np.diff(f_sel) / (f_sel[-1] - f_sel[0])
        arc = -float(np.sum(np.sqrt(df_ratio * df_ratio + np.diff(m_sel) ** 2)))
    return SparcSpectrum(
        sparc=arc,
        frequency_hz=frequency_hz,
        magnitude_ratio=magnitude_ratio,
        selected_frequency_hz=f_sel,
        selected_magnitude_ratio=m_sel,
        adaptive_cutoff_hz=float(f_sel[-1]),
        padding_level=int(padding_level),
        cutoff_hz=float(cutoff_hz),
        amplitude_threshold=float(amplitude_threshold),
    )


def sparc(
    speed: ArrayLike,
    /,
    *,
    sampling_rate_hz: float,
    padding_level: int = 4,
    cutoff_hz: float = 10.0,
    amplitude_threshold: float = 0.05,
) -> float:
    """Spectral arc length (SPARC) of one movement's speed profile.

    The magnitude spectrum of the zero-padded speed profile is normalised to its maximum and
    limited to ``0 .. cutoff_hz``; within that, the band from the first to the last bin whose
    magnitude is at least ``amplitude_threshold`` is kept, and SPARC is minus the length of
    that curve with the frequency axis normalised to the band width (Balasubramanian et al.
    2015, doi:10.1186/s12984-015-0090-9).

    Parameters
    ----------
    speed : array_like, shape (n_samples,)
        Non-negative speed profile of **one** movement (|velocity| in m/s, or |angular
        velocity| in rad/s or deg/s: the metric is scale-free), uniformly sampled.
    sampling_rate_hz : float
        Sampling rate of ``speed``.
    padding_level : int, default 4
        Zero padding: the FFT length is ``2 ** (ceil(log2(n_samples)) + padding_level)``.
    cutoff_hz : float, default 10.0
        Upper bound of the analysed band (human voluntary movement lies below ~10 Hz).
    amplitude_threshold : float, default 0.05
        Adaptive band: normalised magnitude kept from its first to its last crossing.

    Returns
    -------
    float
        SPARC, negative; closer to 0 is smoother (about -1.41 for one bell-shaped profile).

    Raises
    ------
    InvalidParameterError
        Negative speed values, 2-D input or a parameter out of range.
    SignalQualityError
        NaN or infinite samples, fewer than 4 samples, or no movement at all.

    References
    ----------
    Balasubramanian S et al. (2012) doi:10.1109/TBME.2011.2179545;
    Balasubramanian S et al. (2015) doi:10.1186/s12984-015-0090-9.

    Examples
    --------
    The reference value of ``siva82kb/SPARC`` (a Gaussian speed profile):

    >>> import numpy as np
    >>> t = np.arange(-1, 1, 0.01)
    >>> round(sparc(np.exp(-5 * t**2), sampling_rate_hz=100.0), 5)
    -1.41403
    """
    return sparc_spectrum(
        speed,
        sampling_rate_hz=sampling_rate_hz,
        padding_level=padding_level,
        cutoff_hz=cutoff_hz,
        amplitude_threshold=amplitude_threshold,
    ).sparc


def dimensionless_jerk(
    signal: ArrayLike,
    /,
    *,
    sampling_rate_hz: float,
    data_type: JerkDataType = "speed",
) -> float:
    """Dimensionless (integrated squared) jerk of one movement.

    ``DJ = -(T^p / peak^2) * integral |jerk(t)|^2 dt`` with ``T = n_samples / fs`` the
    duration, ``peak`` the largest magnitude of the input and ``p = 3`` for speed/velocity
    input, ``1`` for acceleration input and ``-1`` for jerk input, so that the result is
    dimensionless (Hogan & Sternad 2009, doi:10.3200/35-09-004-RC; Balasubramanian et al.
    2015; for accelerometers Melendez-Calderon et al. 2021, doi:10.3389/fbioe.2020.558771).

    Parameters
    ----------
    signal : array_like, shape (n_samples,) or (n_samples, n_axes)
        One movement, uniformly sampled. ``"speed"`` input must be 1-D and non-negative.
    sampling_rate_hz : float
    data_type : {"speed", "velocity", "acceleration", "jerk"}, default "speed"
        What ``signal`` is (see the module notes). Acceleration must have gravity removed.

    Returns
    -------
    float
        Negative; closer to 0 is smoother. A minimum-jerk movement gives -720/1.875**2 = -204.8
        in the continuous limit.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(-1, 1, 0.01)
    >>> round(dimensionless_jerk(np.exp(-5 * t**2), sampling_rate_hz=100.0), 5)
    -335.74684
    """
    fs = check_sampling_rate(sampling_rate_hz)
    if data_type not in _DERIVATIVE_ORDER:
        raise InvalidParameterError(
            f"data_type must be one of {sorted(_DERIVATIVE_ORDER)}; got {data_type!r}"
        )
    x = _as_signal(signal, name=data_type, allow_vector=data_type != "speed")
    if data_type == "speed":
        _check_speed(x)
    magnitude = np.abs(x) if x.ndim == 1 else np.linalg.norm(x, axis=1)
    peak = float(np.max(magnitude))
    if peak <= 0:
        raise SignalQualityError(f"{data_type} is zero throughout: there is no movement to assess")
    dt_s = 1.0 / fs
    duration_s = x.shape[0] * dt_s
    order = _DERIVATIVE_ORDER[data_type]
    jerk = np.diff(x, n=order, axis=0) / dt_s**order if order else x
    jerk_sq = jerk * jerk if jerk.ndim == 1 else np.sum(jerk * jerk, axis=1)
    power = {2: 3, 1: 1, 0: -1}[order]
    scale = duration_s**power / peak**2
    return -float(scale) * float(np.sum(jerk_sq)) * dt_s


def log_dimensionless_jerk(
    signal: ArrayLike,
    /,
    *,
    sampling_rate_hz: float,
    data_type: JerkDataType = "speed",
) -> float:
    """Log dimensionless jerk (LDLJ): ``-ln|DJ|`` of :func:`dimensionless_jerk`.

    Balasubramanian et al. (2012, 2015), doi:10.1186/s12984-015-0090-9; with
    ``data_type="acceleration"`` this is LDLJ-A of Melendez-Calderon et al. (2021),
    doi:10.3389/fbioe.2020.558771.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(-1, 1, 0.01)
    >>> round(log_dimensionless_jerk(np.exp(-5 * t**2), sampling_rate_hz=100.0), 5)
    -5.81636
    """
    dj = dimensionless_jerk(signal, sampling_rate_hz=sampling_rate_hz, data_type=data_type)
    if dj == 0:
        raise SignalQualityError(
            f"{data_type} has zero jerk throughout (constant or linear): LDLJ is undefined"
        )
    return -math.log(abs(dj))


@dataclass(frozen=True, slots=True, kw_only=True)
class SmoothnessResult:
    """Smoothness of one movement, with the conventions that produced it.

    Attributes
    ----------
    sparc : float
        Spectral arc length of the speed profile (NaN when the input was acceleration).
    log_dimensionless_jerk : float
    dimensionless_jerk : float
    duration_s : float
    data_type : str
        What the jerk was computed from.
    padding_level, cutoff_hz, amplitude_threshold : SPARC conventions.
    """

    sparc: float
    log_dimensionless_jerk: float
    dimensionless_jerk: float
    duration_s: float
    data_type: JerkDataType
    padding_level: int
    cutoff_hz: float
    amplitude_threshold: float


def movement_smoothness(
    signal: ArrayLike,
    /,
    *,
    sampling_rate_hz: float,
    data_type: JerkDataType = "speed",
    padding_level: int = 4,
    cutoff_hz: float = 10.0,
    amplitude_threshold: float = 0.05,
) -> SmoothnessResult:
    """SPARC and (log) dimensionless jerk of one movement.

    For ``"speed"`` and ``"velocity"`` input SPARC is computed on the speed (the magnitude of
    the velocity). For ``"acceleration"`` or ``"jerk"`` input SPARC needs a speed profile and
    is NaN; only the jerk metrics are given (LDLJ-A).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(-1, 1, 0.01)
    >>> r = movement_smoothness(np.exp(-5 * t**2), sampling_rate_hz=100.0)
    >>> round(r.sparc, 5), round(r.log_dimensionless_jerk, 5), r.duration_s
    (-1.41403, -5.81636, 2.0)
    """
    fs = check_sampling_rate(sampling_rate_hz)
    x = _as_signal(signal, name=data_type, allow_vector=data_type != "speed")
    if data_type == "speed":
        spectral = sparc(
            x,
            sampling_rate_hz=fs,
            padding_level=padding_level,
            cutoff_hz=cutoff_hz,
            amplitude_threshold=amplitude_threshold,
        )
    elif data_type == "velocity":
        speed = np.abs(x) if x.ndim == 1 else np.linalg.norm(x, axis=1)
        spectral = sparc(
            speed,
            sampling_rate_hz=fs,
            padding_level=padding_level,
            cutoff_hz=cutoff_hz,
            amplitude_threshold=amplitude_threshold,
        )
    else:
        spectral = math.nan
    dj = dimensionless_jerk(x, sampling_rate_hz=fs, data_type=data_type)
    return SmoothnessResult(
        sparc=spectral,
        log_dimensionless_jerk=-math.log(abs(dj)) if dj != 0 else math.nan,
        dimensionless_jerk=dj,
        duration_s=x.shape[0] / fs,
        data_type=data_type,
        padding_level=int(padding_level),
        cutoff_hz=float(cutoff_hz),
        amplitude_threshold=float(amplitude_threshold),
    )
