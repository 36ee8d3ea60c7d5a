"""Wii Balance Board: four load cells to centre of pressure, then uniform resampling.

Board frame seen from above, the person facing the top edge (the edge opposite the power
button's side in Leach et al.), sensors top-left (TL), top-right (TR), bottom-right (BR) and
bottom-left (BL). With ``L`` the distance between the left and right sensors (ML, 433 mm) and
``W`` the distance between the top and bottom sensors (AP, 238 mm):

    COP_ML = (L/2) · ((TR + BR) - (TL + BL)) / ΣF      (positive to the right)
    COP_AP = (W/2) · ((TL + TR) - (BL + BR)) / ΣF      (positive anterior, toward the top edge)

The board samples at an uneven rate (nominally 60-100 Hz with jitter), so the CoP is resampled
to a uniform rate with SWARII (Audiffren & Contal 2016), which avoids the velocity bias of linear
or piecewise-constant interpolation.

References
----------
Leach JM, Mancini M, Peterka RJ, Hayes TL, Horak FB (2014) Validating and calibrating the
Nintendo Wii Balance Board to derive reliable center of pressure measures. Sensors
14(10):18244-18267, doi:10.3390/s141018244.
Audiffren J, Contal E (2016) Preprocessing the Nintendo Wii Board signal to derive more accurate
descriptors of statokinesigrams. Sensors 16(8):1208, doi:10.3390/s16081208.
"""

from __future__ import annotations

from typing import Final, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reeducate.balance.forceplate import stance_slice
from reeducate.balance.trial import CopTrial, TrialCondition
from reeducate.errors import InvalidParameterError, SignalQualityError
from reeducate.signals.resample import swarii

__all__ = [
    "WBB_SENSOR_SPACING_AP_M",
    "WBB_SENSOR_SPACING_ML_M",
    "cop_from_load_cells",
    "wbb_trial",
]

#: Distance between the left and right load cells (medio-lateral), Leach et al. 2014.
WBB_SENSOR_SPACING_ML_M: Final[float] = 0.433
#: Distance between the top and bottom load cells (anterior-posterior), Leach et al. 2014.
WBB_SENSOR_SPACING_AP_M: Final[float] = 0.238


def _loads(values: ArrayLike) -> NDArray[np.float64]:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 4:
        raise InvalidParameterError(
            f"loads must have shape (n_samples, 4) in the order TL, TR, BR, BL; got {arr.shape}"
        )
    return arr


def cop_from_load_cells(
    loads: ArrayLike, /, *, spacing_ml_m: float, spacing_ap_m: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Centre of pressure from the four load cells of a balance board.

    Parameters
    ----------
    loads : array_like, shape (n_samples, 4)
        Loads of the cells TL, TR, BR, BL, in any one unit (kg or N: only ratios matter).
    spacing_ml_m, spacing_ap_m : float
        Distances between the sensor centres in metres, left-right and top-bottom
        (:data:`WBB_SENSOR_SPACING_ML_M`, :data:`WBB_SENSOR_SPACING_AP_M` for the Wii board).

    Returns
    -------
    ap_m, ml_m : ndarray, shape (n_samples,)
        CoP in metres from the board centre, AP positive toward the top edge (anterior), ML
        positive to the right; NaN where the summed load is not > 0.

    References
    ----------
    Leach et al. (2014) Sensors 14:18244, doi:10.3390/s141018244.

    Examples
    --------
    >>> ap, ml = cop_from_load_cells([[10.0, 10.0, 10.0, 10.0], [20.0, 20.0, 0.0, 0.0]],
    ...                              spacing_ml_m=0.433, spacing_ap_m=0.238)
    >>> ap.tolist(), ml.tolist()
    ([0.0, 0.119], [0.0, 0.0])
    """
    f = _loads(loads)
    for name, value in (("spacing_ml_m", spacing_ml_m), ("spacing_ap_m", spacing_ap_m)):
        if not np.isfinite(value) or value <= 0:
            raise InvalidParameterError(f"{name} must be > 0; got {value!r}")
    tl, tr, br, bl = f[:, 0], f[:, 1], f[:, 2], f[:, 3]
    total = tl + tr + br + bl
    ok = total > 0
    ap = np.full(total.shape, np.nan)
    ml = np.full(total.shape, np.nan)
    np.divide(0.5 * spacing_ap_m * ((tl + tr) - (bl + br)), total, out=ap, where=ok)
    np.divide(0.5 * spacing_ml_m * ((tr + br) - (tl + bl)), total, out=ml, where=ok)
    return ap, ml


def wbb_trial(
    time_s: ArrayLike,
    loads_n: ArrayLike,
    /,
    *,
    resample_hz: float | None,
    window_s: float | None,
    source_name: str,
    source_unit: str,
    spacing_ml_m: float = WBB_SENSOR_SPACING_ML_M,
    spacing_ap_m: float = WBB_SENSOR_SPACING_AP_M,
    on_step_off: Literal["trim", "error"] = "trim",
    condition: TrialCondition | None = None,
) -> CopTrial:
    """A uniformly sampled :class:`CopTrial` from unevenly timed balance-board load cells.

    Parameters
    ----------
    time_s : array_like, shape (n_samples,)
        Sample times in seconds, strictly increasing (uneven spacing allowed).
    loads_n : array_like, shape (n_samples, 4)
        Loads of TL, TR, BR, BL in newtons (the step-off threshold is in newtons).
    resample_hz : float or None
        Uniform output rate in Hz; None takes the board's median rate rounded to the nearest Hz.
    window_s : float or None
        SWARII window in seconds; None takes ``2 / resample_hz`` (the 0.08 s at 25 Hz of
        Quijoux et al. 2021).
    source_name, source_unit : str
        Recorded in the trial.
    spacing_ml_m, spacing_ap_m : float
        Board geometry in metres (Wii board by default, Leach et al. 2014).
    on_step_off : {"trim", "error"}
        What to do when the summed load shows the person off the board (see
        :func:`reeducate.balance.forceplate.stance_slice`).
    condition : TrialCondition, optional
        Vision, surface and stance.

    Returns
    -------
    CopTrial
        CoP in metres at ``resample_hz``, with the summed vertical force.

    References
    ----------
    Leach et al. (2014) doi:10.3390/s141018244; Audiffren & Contal (2016) doi:10.3390/s16081208.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.cumsum(np.full(200, 0.01) + 0.002 * np.sin(np.arange(200)))
    >>> loads = np.tile([200.0, 200.0, 150.0, 150.0], (200, 1))
    >>> trial = wbb_trial(t, loads, resample_hz=100.0, window_s=None, source_name="demo",
    ...                   source_unit="N")
    >>> trial.sampling_rate_hz, round(float(trial.ap_m.mean()), 4), float(abs(trial.ml_m).max())
    (100.0, 0.017, 0.0)
    """
    t = np.asarray(time_s, dtype=np.float64)
    f = _loads(loads_n)
    if t.ndim != 1 or t.shape[0] != f.shape[0]:
        raise InvalidParameterError(
            f"time_s must have shape ({f.shape[0]},) to match loads_n; got {t.shape}"
        )
    if t.size < 2:
        raise SignalQualityError(f"{source_name}: needs at least 2 samples; got {t.size}")
    steps = np.diff(t)
    if not np.all(np.isfinite(t)) or np.any(steps <= 0):
        bad = int(np.argmax(~np.isfinite(steps) | (steps <= 0)))
        raise SignalQualityError(
            f"{source_name}: time_s must be finite and strictly increasing; sample {bad + 1} "
            f"at t = {t[bad + 1]!r} s follows t = {t[bad]!r} s"
        )
    if resample_hz is None:
        resample_hz = float(np.round(1.0 / np.median(steps)))
    if not np.isfinite(resample_hz) or resample_hz <= 0:
        raise InvalidParameterError(f"resample_hz must be > 0; got {resample_hz!r}")
    if window_s is None:
        window_s = 2.0 / resample_hz
    total = f.sum(axis=1)
    keep = stance_slice(
        total,
        sampling_rate_hz=float(1.0 / np.median(steps)),
        on_step_off=on_step_off,
        start_time_s=float(t[0]),
        source_name=source_name,
    )
    t, f, total = t[keep], f[keep], total[keep]
    ap, ml = cop_from_load_cells(f, spacing_ml_m=spacing_ml_m, spacing_ap_m=spacing_ap_m)
    grid_s, values = swarii(
        t, np.column_stack((ap, ml, total)), target_rate_hz=resample_hz, window_s=window_s
    )
    grid = np.asarray(grid_s, dtype=np.float64)
    out = np.asarray(values, dtype=np.float64)
    return CopTrial(
        ap_m=out[:, 0],
        ml_m=out[:, 1],
        sampling_rate_hz=float(resample_hz),
        source_unit=source_unit,
        source_name=source_name,
        start_time_s=float(grid[0]) if grid.size else float(t[0]),
        vertical_force_n=out[:, 2],
        condition=condition if condition is not None else TrialCondition(),
    )
