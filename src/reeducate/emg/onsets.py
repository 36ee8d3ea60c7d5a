"""Onset and offset of muscle activity, by several published methods.

Each method turns the EMG into a *test function* and a *threshold*; samples where the test
function exceeds the threshold are active. Active runs shorter than ``min_on_s`` are dropped and
gaps shorter than ``min_off_s`` are bridged; an onset is the first sample of a run, an offset
the first sample after it. Methods that use a baseline take it from a rest span ``rest_s`` of
the same recording (the time before the first contraction).

``method``:

``"hodges_bui"``
    Full-wave rectified EMG low-passed at ``lowpass_hz`` (zero-phase Butterworth, order 2;
    Hodges & Bui compared 10, 50 and 500 Hz), averaged over the window of ``window_s`` that
    ends at each sample (their "number of samples for which the mean must exceed" criterion,
    computed causally: a window that starts at the onset would fire up to one window early at
    high signal-to-noise ratios); threshold = rest mean + ``k_sd`` rest SDs (they compared
    1–3 SD). Hodges & Bui (1996),
    doi:10.1016/S0921-884X(96)95190-5.
``"solnik"``
    The same on the Teager-Kaiser energy operator of the EMG (TKEO, then rectification, then
    the low-pass): the operator sharpens the onset because it weighs instantaneous frequency as
    well as amplitude. Li, Zhou & Aruin (2007), doi:10.1007/s10439-007-9320-z; Solnik et al.
    (2010), doi:10.1007/s00421-010-1521-8.
``"bonato"``
    Statistical double threshold: on consecutive non-overlapping pairs of samples,
    ``g = (x[2k]^2 + x[2k+1]^2) / var_rest``, which for Gaussian rest noise follows a chi-square
    with 2 degrees of freedom, so the first threshold ``zeta`` fixes the per-pair false-alarm
    rate ``exp(-zeta / 2)``; a pair is active when at least ``r0`` of the ``m`` pairs ending at
    it exceed ``zeta``. Bonato, D'Alessio & Knaflitz (1998), doi:10.1109/10.661154.
``"envelope_threshold"``
    A fixed threshold on an envelope already computed (for example 10 %MVC on the linear
    envelope): the criterion biofeedback and the activation scorer use; no baseline needed, but
    a zero-phase envelope smears backwards, so onsets come early by about the smoother's
    half-width.

The defaults of :class:`OnsetSettings` are this package's choices within the ranges the papers
compared; they are stored with every result.

References
----------
Hodges PW, Bui BH (1996) A comparison of computer-based methods for the determination of onset
of muscle contraction using electromyography. Electroencephalogr Clin Neurophysiol
101(6):511-519, doi:10.1016/S0921-884X(96)95190-5.
Li X, Zhou P, Aruin AS (2007) Ann Biomed Eng 35(9):1532-1538, doi:10.1007/s10439-007-9320-z.
Solnik S, Rider P, Steinweg K, DeVita P, Hortobagyi T (2010) Teager-Kaiser energy operator
signal conditioning improves EMG onset detection. Eur J Appl Physiol 110(3):489-498,
doi:10.1007/s00421-010-1521-8.
Bonato P, D'Alessio T, Knaflitz M (1998) A statistical method for the measurement of muscle
activation intervals from surface myoelectric signal during gait. IEEE Trans Biomed Eng
45(3):287-299, doi:10.1109/10.661154.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import signal as sps

from reeducate.emg.envelope import lowpass_sos, teager_kaiser
from reeducate.errors import InvalidParameterError, SignalQualityError
from reeducate.signals.checks import check_sampling_rate

__all__ = [
    "ONSET_METHODS",
    "ActivationPeriods",
    "OnsetMethod",
    "OnsetSettings",
    "active_runs",
    "detect_onsets",
]

OnsetMethod = Literal["hodges_bui", "solnik", "bonato", "envelope_threshold"]
ONSET_METHODS: tuple[OnsetMethod, ...] = ("hodges_bui", "solnik", "bonato", "envelope_threshold")


@dataclass(frozen=True, slots=True, kw_only=True)
class OnsetSettings:
    """Parameters of the onset methods (each method uses the ones it names).

    Attributes
    ----------
    k_sd : float
        Threshold in rest SDs above the rest mean (hodges_bui, solnik).
    lowpass_hz : float
        Low-pass of the rectified signal (hodges_bui, solnik).
    window_s : float
        Averaging window ending at each sample (hodges_bui, solnik).
    zeta : float
        First threshold of the Bonato test (chi-square 2 dof; 7.74 gives 2 % false alarms per
        pair).
    m_pairs, r0 : int
        Bonato's second threshold: ``r0`` of the last ``m_pairs`` pairs above ``zeta``.
    min_on_s, min_off_s : float
        Shortest active run kept; shortest rest gap kept (shorter gaps are bridged).
    """

    k_sd: float = 3.0
    lowpass_hz: float = 50.0
    window_s: float = 0.025
    zeta: float = 7.74
    m_pairs: int = 5
    r0: int = 1
    min_on_s: float = 0.05
    min_off_s: float = 0.05

    def __post_init__(self) -> None:
        for name in ("k_sd", "lowpass_hz", "window_s", "zeta"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value > 0):
                raise InvalidParameterError(f"{name} must be > 0; got {value!r}")
        for name in ("min_on_s", "min_off_s"):
            value = getattr(self, name)
            if not (np.isfinite(value) and value >= 0):
                raise InvalidParameterError(f"{name} must be >= 0; got {value!r}")
        if not (1 <= self.r0 <= self.m_pairs):
            raise InvalidParameterError(
                f"r0 must be between 1 and m_pairs ({self.m_pairs}); got {self.r0!r}"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class ActivationPeriods:
    """Active spans found in one channel.

    Attributes
    ----------
    onsets_s, offsets_s : tuple of float
        Times from the first sample; an offset is the first inactive sample after its onset (the
        end of the record when activity lasts to the end).
    method : str
    threshold : float
        Threshold on the test function (units of the test function).
    settings : dict
        The :class:`OnsetSettings` used, as plain values.
    """

    onsets_s: tuple[float, ...]
    offsets_s: tuple[float, ...]
    method: OnsetMethod
    threshold: float
    settings: dict[str, float]


def active_runs(
    mask: ArrayLike, /, *, min_on_samples: int, min_off_samples: int
) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Active runs of a boolean mask, as start and (exclusive) end indices.

    Runs shorter than ``min_on_samples`` are dropped first (isolated noise crossings), then gaps
    shorter than ``min_off_samples`` are bridged.

    >>> s, e = active_runs([0, 1, 1, 0, 1, 1, 1, 0, 0, 0, 1], min_on_samples=2, min_off_samples=2)
    >>> s.tolist(), e.tolist()
    ([1], [7])
    """
    m = np.asarray(mask, dtype=bool)
    padded = np.concatenate([[False], m, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    starts, ends = edges[0::2], edges[1::2]
    keep = (ends - starts) >= max(min_on_samples, 1)  # isolated noise crossings go first
    starts, ends = starts[keep], ends[keep]
    if starts.size > 1 and min_off_samples > 0:
        gaps = starts[1:] - ends[:-1]
        keep_gap = gaps >= min_off_samples
        starts = np.concatenate([starts[:1], starts[1:][keep_gap]])
        ends = np.concatenate([ends[:-1][keep_gap], ends[-1:]])
    return starts, ends


def _rest_slice(rest_s: tuple[float, float] | None, n: int, rate: float) -> slice:
    if rest_s is None:
        raise InvalidParameterError(
            "rest_s (start, stop) of a rest span is required by this method; got None"
        )
    start, stop = float(rest_s[0]), float(rest_s[1])
    i0, i1 = round(start * rate), round(stop * rate)
    if not (0 <= i0 < i1 <= n) or i1 - i0 < 10:
        raise InvalidParameterError(
            f"rest_s must be a span of at least 10 samples inside the record (0 to "
            f"{n / rate:.3f} s); got {rest_s!r}"
        )
    return slice(i0, i1)


def _trailing_mean(x: NDArray[np.float64], w: int) -> NDArray[np.float64]:
    csum = np.concatenate([[0.0], np.cumsum(x)])
    hi = np.arange(1, x.size + 1)
    lo = np.maximum(hi - w, 0)
    return np.asarray((csum[hi] - csum[lo]) / (hi - lo), dtype=np.float64)


def detect_onsets(
    x: ArrayLike,
    /,
    *,
    sampling_rate_hz: float,
    method: OnsetMethod,
    settings: OnsetSettings,
    rest_s: tuple[float, float] | None = None,
    threshold: float | None = None,
) -> ActivationPeriods:
    """Onsets and offsets of activity in one channel.

    Parameters
    ----------
    x : array_like, shape (n_samples,)
        Cleaned EMG (band-passed, zero mean) for ``hodges_bui``, ``solnik`` and ``bonato``; an
        envelope (e.g. in %MVC) for ``envelope_threshold``.
    sampling_rate_hz : float
    method : {"hodges_bui", "solnik", "bonato", "envelope_threshold"}
    settings : OnsetSettings
    rest_s : (float, float), optional
        Rest span in seconds; required by every method but ``envelope_threshold``.
    threshold : float, optional
        Threshold in the envelope's unit; required by ``envelope_threshold`` only.

    Returns
    -------
    ActivationPeriods

    References
    ----------
    Hodges & Bui (1996) doi:10.1016/S0921-884X(96)95190-5; Solnik et al. (2010)
    doi:10.1007/s00421-010-1521-8; Bonato et al. (1998) doi:10.1109/10.661154.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(scale=1.0, size=4000)
    >>> x[2000:3000] *= 20.0  # a burst from 1.0 s to 1.5 s at 2 kHz
    >>> p = detect_onsets(x, sampling_rate_hz=2000.0, method="bonato",
    ...                   settings=OnsetSettings(), rest_s=(0.0, 0.9))
    >>> [round(t, 2) for t in p.onsets_s], [round(t, 2) for t in p.offsets_s]
    ([1.0], [1.5])
    """
    rate = check_sampling_rate(sampling_rate_hz)
    sig = np.asarray(x, dtype=np.float64)
    if sig.ndim != 1:
        raise InvalidParameterError(f"x must be 1-D (one channel); got shape {sig.shape}")
    if not np.all(np.isfinite(sig)):
        raise SignalQualityError("x has NaN or infinite samples; expected finite numbers")
    n = sig.size
    step = 1
    if method in ("hodges_bui", "solnik"):
        rest = _rest_slice(rest_s, n, rate)
        base = np.abs(teager_kaiser(sig)) if method == "solnik" else np.abs(sig)
        sos = lowpass_sos(sampling_rate_hz=rate, cutoff_hz=settings.lowpass_hz, order=2)
        smooth = sps.sosfiltfilt(sos, base)
        g = _trailing_mean(smooth, max(1, round(settings.window_s * rate)))
        thr = float(np.mean(g[rest]) + settings.k_sd * np.std(g[rest], ddof=1))
        mask = g > thr
    elif method == "bonato":
        rest = _rest_slice(rest_s, n, rate)
        var0 = float(np.var(sig[rest], ddof=1))
        if var0 <= 0:
            raise SignalQualityError("the rest span has zero variance; cannot scale the test")
        pairs = sig[: n - n % 2].reshape(-1, 2)
        g = np.sum(pairs * pairs, axis=1) / var0
        above = (g > settings.zeta).astype(np.int64)
        csum = np.concatenate([[0], np.cumsum(above)])
        k = np.arange(above.size)
        lo = np.maximum(k - settings.m_pairs + 1, 0)
        count = csum[k + 1] - csum[lo]
        mask = count >= settings.r0
        thr = float(settings.zeta)
        step = 2
    elif method == "envelope_threshold":
        if threshold is None or not np.isfinite(threshold):
            raise InvalidParameterError(
                "threshold is required by method 'envelope_threshold'; got "
                f"{threshold!r}"
            )
        thr = float(threshold)
        mask = sig > thr
    else:
        raise InvalidParameterError(
            f"method must be one of {', '.join(ONSET_METHODS)}; got {method!r}"
        )
    starts, ends = active_runs(
        mask,
        min_on_samples=round(settings.min_on_s * rate / step),
        min_off_samples=round(settings.min_off_s * rate / step),
    )
    return ActivationPeriods(
        onsets_s=tuple(float(s * step / rate) for s in starts),
        offsets_s=tuple(float(min(e * step, n) / rate) for e in ends),
        method=method,
        threshold=thr,
        settings={k: float(v) for k, v in asdict(settings).items()},
    )
