"""Checks of the parameters every signal function takes (one message form everywhere).

>>> check_sampling_rate(2000)
2000.0
>>> check_sampling_rate(float("nan"))
Traceback (most recent call last):
...
reeducate.errors.InvalidParameterError: sampling_rate_hz must be a finite number > 0; got nan
>>> check_sampling_rate(30, name="frame_rate_hz", minimum_hz=50)
Traceback (most recent call last):
...
reeducate.errors.InvalidParameterError: frame_rate_hz must be a finite number > 50; got 30
"""

from __future__ import annotations

import math

import numpy as np

from reeducate.errors import InvalidParameterError

__all__ = ["check_sampling_rate"]


def check_sampling_rate(
    sampling_rate_hz: float, /, *, minimum_hz: float = 0.0, name: str = "sampling_rate_hz"
) -> float:
    """``sampling_rate_hz`` as a float, after checking that it is a real number (not a bool),
    finite, > 0 and > ``minimum_hz``; :class:`InvalidParameterError` naming ``name`` otherwise.
    """
    if isinstance(sampling_rate_hz, bool) or not isinstance(
        sampling_rate_hz, int | float | np.integer | np.floating
    ):
        raise InvalidParameterError(
            f"{name} must be a finite number > {max(minimum_hz, 0.0):g}; got {sampling_rate_hz!r}"
        )
    rate = float(sampling_rate_hz)
    if not (math.isfinite(rate) and rate > 0 and rate > minimum_hz):
        raise InvalidParameterError(
            f"{name} must be a finite number > {max(minimum_hz, 0.0):g}; got {sampling_rate_hz!r}"
        )
    return rate
