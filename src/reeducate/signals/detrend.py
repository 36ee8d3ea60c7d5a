"""Removal of the mean or of a linear trend along axis 0."""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import signal as sps

from reeducate.errors import InvalidParameterError

__all__ = ["DetrendMethod", "detrend"]

DetrendMethod = Literal["none", "constant", "linear"]


def detrend(x: ArrayLike, /, *, method: DetrendMethod) -> NDArray[np.float64]:
    """Remove the mean (``"constant"``) or the least-squares line (``"linear"``) along axis 0.

    A linear detrend removes slow drift, which lowers area and RMS for drifting trials
    (Witt A, Kurths J, Pikovsky A (1998) Testing stationarity in time series. Phys Rev E
    58:1800-1810, doi:10.1103/PhysRevE.58.1800). ``"none"`` returns a copy.

    Parameters
    ----------
    x : array_like, shape (n_samples,) or (n_samples, n_channels)
        Not modified.
    method : {"none", "constant", "linear"}

    Examples
    --------
    >>> import numpy as np
    >>> np.round(detrend(np.array([1.0, 2.0, 3.0, 4.0]), method="linear"), 12) + 0.0
    array([0., 0., 0., 0.])
    """
    arr = np.array(x, dtype=np.float64, copy=True)
    if method == "none":
        return arr
    if method not in ("constant", "linear"):
        raise InvalidParameterError(
            f"method must be one of 'none', 'constant', 'linear'; got {method!r}"
        )
    if arr.shape[0] < 2:
        raise InvalidParameterError(f"x must have at least 2 samples; got {arr.shape[0]}")
    return np.asarray(sps.detrend(arr, axis=0, type=method), dtype=np.float64)
