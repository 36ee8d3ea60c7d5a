"""Resampling of non-uniformly sampled signals to a uniform rate.

:func:`swarii` is the Sliding Windows Weighted Averaged Interpolation of Audiffren & Contal
(2016), designed for jittery devices such as the Wii Balance Board; :func:`linear_resample`
is plain linear interpolation (which that paper advises against when the signal is later
differentiated). :func:`purge_isolated_spikes` is the artefact purge that the SWARII authors
run first (``purge_artefact`` in the code of Quijoux et al. 2021).

Time is axis 0; values have shape (n,) or (n, k).
"""

from __future__ import annotations

import warnings

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reeducate.errors import InvalidParameterError, SignalQualityError, SignalQualityWarning

__all__ = [
    "isolated_spike_keep_mask",
    "linear_resample",
    "purge_isolated_spikes",
    "swarii",
    "uniform_grid",
]


def _check_time_values(
    time_s: ArrayLike, values: ArrayLike
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    t = np.asarray(time_s, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    if t.ndim != 1:
        raise InvalidParameterError(f"time_s must be 1-D; got shape {t.shape}")
    if v.ndim not in (1, 2) or v.shape[0] != t.shape[0]:
        raise InvalidParameterError(
            f"values must have shape (n,) or (n, k) with n = len(time_s) = {t.shape[0]}; "
            f"got {v.shape}"
        )
    if t.shape[0] < 2:
        raise SignalQualityError(f"time_s must have at least 2 samples; got {t.shape[0]}")
    if not (np.all(np.isfinite(t)) and np.all(np.isfinite(v))):
        raise SignalQualityError("time_s and values must be finite (no NaN or inf)")
    dt = np.diff(t)
    if np.any(dt <= 0):
        first = int(np.argmax(dt <= 0))
        raise SignalQualityError(
            f"time_s must be strictly increasing; it is not at t = {t[first]:.6g} s "
            f"(sample {first + 1})"
        )
    return t, v


def _check_rate(name: str, value: float) -> None:
    if not np.isfinite(value) or value <= 0:
        raise InvalidParameterError(f"{name} must be a finite number > 0; got {value!r}")


def uniform_grid(*, start_s: float, stop_s: float, rate_hz: float) -> NDArray[np.float64]:
    """Times ``start_s, start_s + 1/rate_hz, ...`` strictly below ``stop_s``.

    The grid is built by repeated addition of the step (as the reference SWARII code does), so
    the last point and its rounding are identical to that code's.

    Examples
    --------
    >>> uniform_grid(start_s=0.0, stop_s=0.1, rate_hz=25.0)
    array([0.  , 0.04, 0.08])
    """
    _check_rate("rate_hz", rate_hz)
    step = 1.0 / rate_hz
    n_max = int(np.floor((stop_s - start_s) * rate_hz)) + 2
    if n_max <= 0:
        return np.empty(0)
    increments = np.full(n_max, step)
    increments[0] = start_s
    grid = np.add.accumulate(increments)  # sequential, bit-identical to a += loop
    return np.asarray(grid[grid < stop_s], dtype=np.float64)


def swarii(
    time_s: ArrayLike,
    values: ArrayLike,
    /,
    *,
    target_rate_hz: float,
    window_s: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Resample with SWARII (Sliding Windows Weighted Averaged Interpolation).

    Output times are ``t0, t0 + 1/target_rate_hz, ...`` strictly below the last input time,
    with ``t0 = max(0, time_s[0])``. Each output value is the average of the input samples
    whose time lies strictly within ``window_s / 2`` of the output time, each weighted by the
    length of its Voronoi cell (from the midpoint with its previous sample to the midpoint with
    its next one), clipped to the window and to the record; a window holding a single sample
    takes that sample. A constant is returned unchanged, and a linear ramp is returned exactly
    on the grid wherever the samples sit symmetrically around the output time. Windows with no
    sample are filled by linear interpolation between their neighbours, with a
    :class:`~reeducate.errors.SignalQualityWarning` naming the time span.

    The Quijoux et al. (2021) code calls this with ``window_s = 0.08 - 1e-6`` and
    ``target_rate_hz = 25``; this function is vectorised (no loop over samples) and costs
    O(n_out * k) with k the most samples in one window.

    Parameters
    ----------
    time_s : array_like, shape (n,)
        Strictly increasing sample times in seconds (may be jittery or have gaps).
    values : array_like, shape (n,) or (n, k)
        Samples (not modified).
    target_rate_hz : float
        Output sampling rate in Hz.
    window_s : float
        Full width of the sliding window in seconds.

    Returns
    -------
    time_out_s : ndarray, shape (m,)
    values_out : ndarray, shape (m,) or (m, k)

    References
    ----------
    Audiffren J, Contal E (2016) Preprocessing the Nintendo Wii Board signal to derive more
    accurate descriptors of statokinesigrams. Sensors 16(8):1208, doi:10.3390/s16081208.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.array([0.0, 0.011, 0.019, 0.032, 0.041, 0.048, 0.061, 0.069, 0.081])
    >>> _, y = swarii(t, 2.0 * t + 1.0, target_rate_hz=25.0, window_s=0.04)
    >>> np.round(y, 3)  # the first window is clipped at the record start
    array([1.02 , 1.08 , 1.141])
    """
    t, v = _check_time_values(time_s, values)
    _check_rate("target_rate_hz", target_rate_hz)
    _check_rate("window_s", window_s)
    one_d = v.ndim == 1
    v2 = v[:, None] if one_d else v
    half = 0.5 * window_s
    grid = uniform_grid(start_s=max(0.0, float(t[0])), stop_s=float(t[-1]), rate_hz=target_rate_hz)
    if grid.size == 0:
        raise SignalQualityError(
            f"the record ({t[-1] - t[0]:.6g} s) is too short for one sample at {target_rate_hz} Hz"
        )
    n = t.shape[0]
    k = v2.shape[1]
    # Candidate index range per output time, one sample wider on each side than needed; the
    # membership test is then exactly the reference's |t - c| < half.
    lo = np.maximum(np.searchsorted(t, grid - half, side="left") - 1, 0)
    hi = np.minimum(np.searchsorted(t, grid + half, side="right") + 1, n)
    width = int((hi - lo).max())
    offsets = np.arange(width)
    idx = np.minimum(lo[:, None] + offsets[None, :], n - 1)
    valid = (lo[:, None] + offsets[None, :] < hi[:, None]) & (np.abs(t[idx] - grid[:, None]) < half)
    count = valid.sum(axis=1)
    first_off = np.argmax(valid, axis=1)
    last_off = width - 1 - np.argmax(valid[:, ::-1], axis=1)
    # Voronoi cell of sample j: [mid[j-1], mid[j]], clipped to the window and the record.
    mid = 0.5 * (t[1:] + t[:-1])
    left = mid[np.clip(idx - 1, 0, n - 2)]
    right = mid[np.clip(idx, 0, n - 2)]
    is_first = (offsets[None, :] == first_off[:, None]) | (idx == 0)
    is_last = offsets[None, :] == last_off[:, None]
    left = np.where(is_first, np.maximum(t[0], grid - half)[:, None], left)
    right = np.where(is_last, np.minimum(t[-1], grid + half)[:, None], right)
    w = np.where(valid, right - left, 0.0)
    total = w.sum(axis=1)
    out = np.zeros((grid.size, k))
    several = count > 1
    out[several] = np.einsum("mw,mwk->mk", w[several], v2[idx[several]]) / total[several, None]
    single = count == 1
    out[single] = v2[idx[single, first_off[single]]]
    empty = count == 0
    if empty.any():
        if (~empty).sum() < 2:
            raise SignalQualityError(
                f"values cannot be resampled: {int(empty.sum())} of {grid.size} windows of "
                f"{window_s:g} s hold no sample"
            )
        spans = grid[empty]
        warnings.warn(
            f"SWARII: {int(empty.sum())} empty window(s) of {window_s:g} s between "
            f"t = {spans[0]:.3f} s and t = {spans[-1]:.3f} s were filled by linear interpolation",
            SignalQualityWarning,
            stacklevel=2,
        )
        good = ~empty
        for j in range(k):
            out[empty, j] = np.interp(grid[empty], grid[good], out[good, j])
    return grid, (out[:, 0] if one_d else out)


def linear_resample(
    time_s: ArrayLike,
    values: ArrayLike,
    /,
    *,
    target_rate_hz: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Linear interpolation onto a uniform grid from ``time_s[0]`` to below ``time_s[-1]``.

    Kept for comparison: Audiffren & Contal (2016, doi:10.3390/s16081208) show that it biases
    velocity-based descriptors of jittery recordings; prefer :func:`swarii`.

    Examples
    --------
    >>> import numpy as np
    >>> linear_resample(np.array([0.0, 0.3, 1.0]), np.array([0.0, 3.0, 10.0]), target_rate_hz=2.0)
    (array([0. , 0.5]), array([0., 5.]))
    """
    t, v = _check_time_values(time_s, values)
    _check_rate("target_rate_hz", target_rate_hz)
    grid = uniform_grid(start_s=float(t[0]), stop_s=float(t[-1]), rate_hz=target_rate_hz)
    if v.ndim == 1:
        return grid, np.interp(grid, t, v)
    return grid, np.column_stack([np.interp(grid, t, v[:, j]) for j in range(v.shape[1])])


def purge_isolated_spikes(
    time_s: ArrayLike,
    values: ArrayLike,
    /,
    *,
    jump_threshold: float,
    return_threshold: float,
    min_time_s: float,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Drop isolated one- or two-sample spikes, the samples before ``min_time_s``, and the first
    and last sample (the ``purge_artefact`` step of the SWARII reference code).

    Scanning forward, sample ``i`` is dropped when its L1 distance (sum over channels of
    absolute differences) from the last kept sample exceeds ``jump_threshold`` while sample
    ``i + 1`` (or ``i + 2``) is back within ``return_threshold`` of it. The scan is vectorised;
    only the rare spikes are handled one by one. Thresholds are in the unit of ``values`` (the
    reference code uses 2 cm and 0.5 cm on CoP in cm).

    Parameters
    ----------
    time_s : array_like, shape (n,)
    values : array_like, shape (n,) or (n, k)
    jump_threshold, return_threshold : float
        In the unit of ``values``.
    min_time_s : float
        Samples with ``time_s < min_time_s`` are dropped (0.1 s in the reference code).

    Returns
    -------
    time_kept_s, values_kept

    References
    ----------
    Audiffren J, Contal E (2016) Sensors 16(8):1208, doi:10.3390/s16081208.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(8) * 0.1
    >>> x = np.array([0.0, 0.0, 0.0, 5.0, 0.0, 0.0, 0.0, 0.0])
    >>> purge_isolated_spikes(t, x, jump_threshold=2.0, return_threshold=0.5, min_time_s=0.1)[1]
    array([0., 0., 0., 0., 0.])
    """
    keep = isolated_spike_keep_mask(
        time_s,
        values,
        jump_threshold=jump_threshold,
        return_threshold=return_threshold,
        min_time_s=min_time_s,
    )
    return np.asarray(time_s, dtype=np.float64)[keep], np.asarray(values, dtype=np.float64)[keep]


def isolated_spike_keep_mask(
    time_s: ArrayLike,
    values: ArrayLike,
    /,
    *,
    jump_threshold: float,
    return_threshold: float,
    min_time_s: float,
) -> NDArray[np.bool_]:
    """Boolean mask of the samples :func:`purge_isolated_spikes` keeps (same parameters).

    Examples
    --------
    >>> import numpy as np
    >>> isolated_spike_keep_mask(np.arange(5) * 0.1, np.array([0.0, 0.0, 9.0, 0.0, 0.0]),
    ...                          jump_threshold=2.0, return_threshold=0.5, min_time_s=0.0)
    array([False,  True, False,  True, False])
    """
    t = np.asarray(time_s, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    if t.ndim != 1 or v.ndim not in (1, 2) or v.shape[0] != t.shape[0]:
        raise InvalidParameterError(
            f"time_s must be 1-D and values (n,) or (n, k) of the same length; got "
            f"{t.shape} and {v.shape}"
        )
    v2 = v[:, None] if v.ndim == 1 else v
    n = t.shape[0]
    keep = np.zeros(n, dtype=bool)
    if n < 3:
        return keep
    candidates = np.arange(1, n - 1)
    candidates = candidates[t[candidates] >= min_time_s]
    if candidates.size == 0:
        return keep

    def l1(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
        return np.asarray(np.abs(a - b).sum(axis=-1), dtype=np.float64)

    def is_spike(i: int, ref: NDArray[np.float64]) -> bool:
        if not l1(v2[i], ref) > jump_threshold:
            return False
        if l1(v2[i + 1], ref) < return_threshold:  # i + 1 <= n - 1 always
            return True
        return bool(i > 1 and i < n - 2 and l1(v2[i + 2], ref) < return_threshold)

    first = int(candidates[0])
    keep[first] = True  # nothing kept before it: never a spike
    rest = candidates[1:]
    # Vectorised screen assuming the previous sample was kept (true except right after a spike).
    ref = v2[rest - 1]
    big = l1(v2[rest], ref) > jump_threshold
    back1 = l1(v2[rest + 1], ref) < return_threshold
    plus2 = np.minimum(rest + 2, n - 1)
    back2 = (rest > 1) & (rest < n - 2) & (l1(v2[plus2], ref) < return_threshold)
    spike = big & (back1 | back2)
    keep[rest] = ~spike
    # Re-scan sequentially only after each spike, where the reference is the last kept sample
    # (the screen of sample j is valid whenever sample j - 1 was kept).
    handled = -1
    for pos in np.flatnonzero(spike):
        i = int(rest[pos])
        if i <= handled:
            continue
        ref_i = i - 1  # kept: either screened as kept or the end of the previous re-scan
        j = i + 1
        while j <= n - 2:
            keep[j] = not is_spike(j, v2[ref_i])
            if keep[j]:
                break
            j += 1
        handled = j
    return keep
