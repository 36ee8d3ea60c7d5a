"""Normalisation of EMG amplitude to a maximal voluntary contraction (%MVC).

The MVC reference is taken from the envelope of a calibration contraction and stored with the
method that produced it:

* ``"peak_moving_average"``: the largest mean of the envelope over any window of ``window_s``
  (0.5–1 s in practice; Burden 2010 recommends averaging over a window rather than a single
  peak sample, which is sensitive to spikes);
* ``"top_samples_median"``: the median of the ``window_s * rate`` largest envelope samples
  (biosiglive's ``compute_mvc``; robust to spikes, not a contiguous window).

References
----------
Burden A (2010) How should we normalize electromyograms obtained from healthy participants?
What we have learned from over 25 years of research. J Electromyogr Kinesiol 20(6):1023-1035,
doi:10.1016/j.jelekin.2010.07.004.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reeducate.errors import InvalidParameterError, SignalQualityError
from reeducate.signals.checks import check_sampling_rate

__all__ = ["MvcMethod", "MvcReference", "mvc_reference", "to_pct_mvc"]

MvcMethod = Literal["peak_moving_average", "top_samples_median"]


@dataclass(frozen=True, slots=True, kw_only=True)
class MvcReference:
    """The MVC amplitude of one channel and how it was obtained.

    Attributes
    ----------
    value : float
        Envelope amplitude at MVC, in the envelope's unit (volts for readers' recordings).
    method : {"peak_moving_average", "top_samples_median"}
    window_s : float
    at_s : float or None
        Centre of the winning window (``peak_moving_average``), seconds from the start.
    """

    value: float
    method: MvcMethod
    window_s: float
    at_s: float | None


def mvc_reference(
    envelope: ArrayLike, /, *, sampling_rate_hz: float, method: MvcMethod, window_s: float
) -> MvcReference:
    """MVC reference amplitude of one channel from the envelope of a calibration contraction.

    Parameters
    ----------
    envelope : array_like, shape (n_samples,)
        Linear envelope or moving RMS of the calibration contraction (not %MVC).
    sampling_rate_hz, window_s : float
    method : {"peak_moving_average", "top_samples_median"}

    Returns
    -------
    MvcReference

    Raises
    ------
    SignalQualityError
        The recording is shorter than the window, or its reference is not > 0.

    References
    ----------
    Burden A (2010) J Electromyogr Kinesiol 20:1023-1035, doi:10.1016/j.jelekin.2010.07.004.

    Examples
    --------
    >>> import numpy as np
    >>> env = np.concatenate([np.full(1000, 1.0), np.full(1000, 3.0), np.full(1000, 1.0)])
    >>> ref = mvc_reference(env, sampling_rate_hz=1000.0, method="peak_moving_average",
    ...                     window_s=0.5)
    >>> ref.value, ref.method
    (3.0, 'peak_moving_average')
    """
    rate = check_sampling_rate(sampling_rate_hz)
    env = np.asarray(envelope, dtype=np.float64)
    if env.ndim != 1:
        raise InvalidParameterError(f"envelope must be 1-D (one channel); got shape {env.shape}")
    if not (np.isfinite(window_s) and window_s > 0):
        raise InvalidParameterError(f"window_s must be > 0; got {window_s!r}")
    w = max(1, round(window_s * rate))
    if env.size < w:
        raise SignalQualityError(
            f"the MVC recording has {env.size / rate:.3f} s; window_s is {window_s:g} s"
        )
    at_s: float | None
    if method == "peak_moving_average":
        csum = np.concatenate([[0.0], np.cumsum(env)])
        means = (csum[w:] - csum[:-w]) / w
        i = int(np.argmax(means))
        value = float(means[i])
        at_s = (i + (w - 1) / 2.0) / rate
    elif method == "top_samples_median":
        top = np.partition(env, env.size - w)[env.size - w :]
        value = float(np.median(top))
        at_s = None
    else:
        raise InvalidParameterError(
            f"method must be 'peak_moving_average' or 'top_samples_median'; got {method!r}"
        )
    if not (np.isfinite(value) and value > 0):
        raise SignalQualityError(f"the MVC reference must be > 0; got {value!r}")
    return MvcReference(value=value, method=method, window_s=float(window_s), at_s=at_s)


def to_pct_mvc(envelope: ArrayLike, /, *, mvc: float | ArrayLike) -> NDArray[np.float64]:
    """Envelope as a percentage of the MVC reference: ``100 * envelope / mvc``.

    ``mvc`` is one value, or one per channel (shape (n_channels,)) for a 2-D envelope.

    >>> to_pct_mvc([0.5, 1.0], mvc=2.0).tolist()
    [25.0, 50.0]
    """
    env = np.asarray(envelope, dtype=np.float64)
    ref = np.asarray(mvc, dtype=np.float64)
    if not np.all(np.isfinite(ref)) or np.any(ref <= 0):
        raise InvalidParameterError(f"mvc must be > 0; got {mvc!r}")
    if ref.ndim > 1 or (ref.ndim == 1 and (env.ndim != 2 or ref.size != env.shape[1])):
        raise InvalidParameterError(
            f"mvc must be one value or one per channel; got shape {ref.shape} for an envelope "
            f"of shape {env.shape}"
        )
    return 100.0 * env / ref
