"""Force plates: forces and moments to centre of pressure, two plates, stepping off.

Sign convention: the plate frame of the AMTI and Kistler manuals, z pointing down into the
plate, forces and moments being those the person exerts on the plate (``Fz > 0`` when loaded),
moments about the plate's origin, which lies ``origin_depth_m`` (``dz``) below the top surface
(the "plate thickness" or "z offset"; zero when the moments are already reduced to the surface,
as in the Santos & Duarte data set). A load ``F`` applied at ``(x, y, -dz)`` from the origin gives
``Mx = y·Fz + dz·Fy`` and ``My = -x·Fz - dz·Fx``, hence the centre of pressure on the surface

    COP_AP = -(My + Fx * dz) / Fz        COP_ML = (Mx - Fy * dz) / Fz

with x the anterior-posterior axis and y the medio-lateral axis of the plate. With ``dz = 0`` this
is the Santos & Duarte (2016) convention ``COPx = -My/Fz`` (AP), ``COPy = Mx/Fz`` (ML). For C3D
files this is also what ezc3d computes with ``dz = -ORIGIN[2]``.

Two plates (one per foot) give the net CoP as the vertical-force-weighted mean of the per-foot
CoPs, exact when both plates are expressed in one frame with their surfaces at one height
(horizontal forces then only contribute to the vertical moment).

References
----------
AMTI (2016) Biomechanics platform instruction manual, section "Calculating the centre of
pressure". Kistler (2011) Force plate formulae, document 000-190e.
Santos DA, Duarte M (2016) A public data set of human balance evaluations. PeerJ 4:e2648,
doi:10.7717/peerj.2648.
Winter DA (2009) Biomechanics and motor control of human movement, 4th ed., Wiley,
doi:10.1002/9780470549148 (net CoP of two plates).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reeducate.balance.trial import CopTrial
from reeducate.errors import InvalidParameterError, SignalQualityError, SignalQualityWarning

__all__ = [
    "DualPlateTrial",
    "StanceSpan",
    "cop_from_forces_moments",
    "find_stance",
    "net_cop_from_plates",
    "stance_slice",
    "weight_bearing_summary",
]


def _as_xyz(name: str, values: ArrayLike) -> NDArray[np.float64]:
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 2 or arr.shape[1] != 3:
        raise InvalidParameterError(f"{name} must have shape (n_samples, 3); got {arr.shape}")
    return arr


def cop_from_forces_moments(
    force_n: ArrayLike, moment_n_m: ArrayLike, /, *, origin_depth_m: float
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Centre of pressure on the plate surface from forces and moments.

    Parameters
    ----------
    force_n : array_like, shape (n_samples, 3)
        Force ``(Fx, Fy, Fz)`` in newtons on the plate, plate frame (x = AP, y = ML, z down;
        ``Fz > 0`` when loaded).
    moment_n_m : array_like, shape (n_samples, 3)
        Moments ``(Mx, My, Mz)`` in N·m about the plate origin.
    origin_depth_m : float
        Distance in metres from the top surface down to the origin of the moments (``dz``;
        0 when the moments are already about a point on the surface).

    Returns
    -------
    ap_m, ml_m : ndarray, shape (n_samples,)
        ``COP_AP = -(My + Fx·dz)/Fz`` and ``COP_ML = (Mx - Fy·dz)/Fz`` in metres; NaN where
        ``Fz <= 0`` (nobody on the plate).

    References
    ----------
    AMTI and Kistler force-plate manuals; Santos & Duarte 2016, doi:10.7717/peerj.2648.

    Examples
    --------
    >>> ap, ml = cop_from_forces_moments([[0.0, 0.0, 700.0]], [[7.0, -14.0, 0.0]],
    ...                                  origin_depth_m=0.0)
    >>> float(ap[0]), float(ml[0])
    (0.02, 0.01)
    """
    f = _as_xyz("force_n", force_n)
    m = _as_xyz("moment_n_m", moment_n_m)
    if f.shape != m.shape:
        raise InvalidParameterError(
            f"force_n and moment_n_m must have the same shape; got {f.shape} and {m.shape}"
        )
    if not np.isfinite(origin_depth_m):
        raise InvalidParameterError(f"origin_depth_m must be finite; got {origin_depth_m!r}")
    fz = f[:, 2]
    loaded = fz > 0
    ap = np.full(fz.shape, np.nan)
    ml = np.full(fz.shape, np.nan)
    np.divide(-(m[:, 1] + f[:, 0] * origin_depth_m), fz, out=ap, where=loaded)
    np.divide(m[:, 0] - f[:, 1] * origin_depth_m, fz, out=ml, where=loaded)
    return ap, ml


@dataclass(frozen=True, slots=True, kw_only=True)
class StanceSpan:
    """Where a person stood on the plate.

    Attributes
    ----------
    start, stop : int
        Kept samples are ``start:stop`` (the longest run with the plate loaded).
    threshold_n : float
        Vertical force below which the plate counted as unloaded.
    removed_spans_s : tuple of (float, float)
        Time spans ``(first, last)`` in seconds of the samples outside the kept run.
    """

    start: int
    stop: int
    threshold_n: float
    removed_spans_s: tuple[tuple[float, float], ...]


def _runs(mask: NDArray[np.bool_]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
    """Start and stop (exclusive) indices of the runs of True in ``mask``."""
    padded = np.concatenate(([False], mask, [False]))
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return edges[0::2], edges[1::2]


def _span_text(spans: tuple[tuple[float, float], ...]) -> str:
    return ", ".join(f"{a:.3f} s to {b:.3f} s" for a, b in spans)


def find_stance(
    vertical_force_n: ArrayLike,
    /,
    *,
    sampling_rate_hz: float,
    start_time_s: float = 0.0,
    min_force_ratio: float = 0.05,
    min_force_n: float = 10.0,
    max_discarded_stance_s: float = 0.5,
    source_name: str = "trial",
) -> StanceSpan:
    """Find the span in which somebody stood on the plate; refuse a step-off mid-trial.

    A sample is unloaded when ``Fz < max(min_force_n, min_force_ratio * median(Fz))``. The
    longest loaded run is kept. Loaded samples outside it (for example a lone frame before a
    dropout at the very start) may be discarded when they add up to at most
    ``max_discarded_stance_s``; more means the person stepped off and back on in the middle of
    the trial, which raises :class:`~reeducate.errors.SignalQualityError` naming the span.

    Parameters
    ----------
    vertical_force_n : array_like, shape (n_samples,)
        Vertical force in newtons.
    sampling_rate_hz : float
        Sampling rate in Hz.
    start_time_s : float
        Time of the first sample (for the messages).
    min_force_ratio, min_force_n : float
        Unloading thresholds (ratio of the median vertical force; newtons).
    max_discarded_stance_s : float
        Most loaded time, in seconds, that may be dropped with the unloaded edges.
    source_name : str
        Name used in messages.

    Returns
    -------
    StanceSpan

    Examples
    --------
    >>> fz = [0.0] + [600.0] * 8 + [0.0]
    >>> span = find_stance(fz, sampling_rate_hz=100.0)
    >>> span.start, span.stop, span.removed_spans_s
    (1, 9, ((0.0, 0.0), (0.09, 0.09)))
    """
    fz = np.asarray(vertical_force_n, dtype=np.float64)
    if fz.ndim != 1 or fz.size == 0:
        raise InvalidParameterError(
            f"vertical_force_n must be a non-empty 1-D array; got shape {fz.shape}"
        )
    if not np.isfinite(sampling_rate_hz) or sampling_rate_hz <= 0:
        raise InvalidParameterError(f"sampling_rate_hz must be > 0; got {sampling_rate_hz!r}")
    finite = np.isfinite(fz)
    median = float(np.median(fz[finite])) if finite.any() else 0.0
    threshold = max(min_force_n, min_force_ratio * median)
    loaded = finite & (fz >= threshold)
    starts, stops = _runs(loaded)
    dt = 1.0 / sampling_rate_hz
    if starts.size == 0:
        raise SignalQualityError(
            f"{source_name}: vertical force is below {threshold:.1f} N in every sample; "
            "nobody stood on the plate"
        )
    longest = int(np.argmax(stops - starts))
    start, stop = int(starts[longest]), int(stops[longest])
    discarded = int(loaded.sum()) - (stop - start)
    if discarded * dt > max_discarded_stance_s:
        inner_unloaded = ~loaded
        gap_starts, gap_stops = _runs(inner_unloaded)
        inside = (gap_starts > 0) & (gap_stops < fz.size)
        spans = tuple(
            (start_time_s + a * dt, start_time_s + (b - 1) * dt)
            for a, b in zip(gap_starts[inside], gap_stops[inside], strict=True)
        )
        raise SignalQualityError(
            f"{source_name}: vertical force drops below {threshold:.1f} N in the middle of the "
            f"trial ({_span_text(spans)}); the person stepped off or the plate dropped out. "
            "Cut the trial into valid parts before analysing it"
        )
    removed: list[tuple[float, float]] = []
    if start > 0:
        removed.append((start_time_s, start_time_s + (start - 1) * dt))
    if stop < fz.size:
        removed.append((start_time_s + stop * dt, start_time_s + (fz.size - 1) * dt))
    return StanceSpan(start=start, stop=stop, threshold_n=threshold, removed_spans_s=tuple(removed))


def stance_slice(
    vertical_force_n: ArrayLike,
    /,
    *,
    sampling_rate_hz: float,
    on_step_off: Literal["trim", "error"],
    start_time_s: float = 0.0,
    source_name: str = "trial",
) -> slice:
    """Slice of the samples to keep, warning (``"trim"``) or raising (``"error"``) on unloading.

    ``"trim"`` keeps the longest loaded span (see :func:`find_stance`) and emits a
    :class:`~reeducate.errors.SignalQualityWarning` naming the removed spans in seconds;
    ``"error"`` raises :class:`~reeducate.errors.SignalQualityError` if any sample is unloaded.
    A step-off in the middle of the trial always raises.

    Examples
    --------
    >>> stance_slice([600.0] * 5, sampling_rate_hz=100.0, on_step_off="error")
    slice(0, 5, None)
    """
    if on_step_off not in ("trim", "error"):
        raise InvalidParameterError(f"on_step_off must be 'trim' or 'error'; got {on_step_off!r}")
    span = find_stance(
        vertical_force_n,
        sampling_rate_hz=sampling_rate_hz,
        start_time_s=start_time_s,
        source_name=source_name,
    )
    if span.removed_spans_s:
        text = (
            f"{source_name}: vertical force below {span.threshold_n:.1f} N (person off the "
            f"plate) from {_span_text(span.removed_spans_s)}"
        )
        if on_step_off == "error":
            raise SignalQualityError(text + "; pass on_step_off='trim' to drop these spans")
        warnings.warn(text + "; these samples were removed", SignalQualityWarning, stacklevel=2)
    return slice(span.start, span.stop)


def net_cop_from_plates(
    left_cop_m: ArrayLike,
    left_vertical_force_n: ArrayLike,
    right_cop_m: ArrayLike,
    right_vertical_force_n: ArrayLike,
    /,
) -> NDArray[np.float64]:
    """Net centre of pressure of two plates: ``(F_L·CoP_L + F_R·CoP_R) / (F_L + F_R)``.

    Parameters
    ----------
    left_cop_m, right_cop_m : array_like, shape (n_samples, 2)
        Per-plate CoP ``(AP, ML)`` in metres, in one common frame.
    left_vertical_force_n, right_vertical_force_n : array_like, shape (n_samples,)
        Vertical forces in newtons (>= 0). A foot off its plate (force 0, CoP undefined)
        contributes nothing.

    Returns
    -------
    ndarray, shape (n_samples, 2)
        Net CoP ``(AP, ML)`` in metres; NaN where the summed force is not > 0.

    References
    ----------
    Winter DA (2009) Biomechanics and motor control of human movement, doi:10.1002/9780470549148.

    Examples
    --------
    >>> net_cop_from_plates([[0.0, -0.1]], [300.0], [[0.0, 0.1]], [100.0]).tolist()
    [[0.0, -0.05]]
    """
    cl = np.asarray(left_cop_m, dtype=np.float64)
    cr = np.asarray(right_cop_m, dtype=np.float64)
    fl = np.asarray(left_vertical_force_n, dtype=np.float64)
    fr = np.asarray(right_vertical_force_n, dtype=np.float64)
    if cl.ndim != 2 or cl.shape[1] != 2 or cr.shape != cl.shape:
        raise InvalidParameterError(
            f"left_cop_m and right_cop_m must both have shape (n_samples, 2); got {cl.shape} "
            f"and {cr.shape}"
        )
    if fl.shape != cl.shape[:1] or fr.shape != fl.shape:
        raise InvalidParameterError(
            f"vertical forces must have shape {cl.shape[:1]}; got {fl.shape} and {fr.shape}"
        )
    wl = np.where(fl > 0, fl, 0.0)[:, None]
    wr = np.where(fr > 0, fr, 0.0)[:, None]
    total = wl + wr
    num = np.where(wl > 0, wl * np.nan_to_num(cl), 0.0) + np.where(
        wr > 0, wr * np.nan_to_num(cr), 0.0
    )
    out = np.full(cl.shape, np.nan)
    np.divide(num, total, out=out, where=np.broadcast_to(total > 0, cl.shape))
    return out


def _frozen(name: str, values: ArrayLike, n: int) -> NDArray[np.float64]:
    arr = np.array(values, dtype=np.float64, copy=True)
    if arr.shape != (n,):
        raise InvalidParameterError(f"{name} must have shape ({n},); got {arr.shape}")
    arr.setflags(write=False)
    return arr


@dataclass(frozen=True, slots=True, kw_only=True)
class DualPlateTrial:
    """A trial on two force plates, one per foot.

    Attributes
    ----------
    net : CopTrial
        Net CoP of both plates (metres), with the summed vertical force.
    left_ap_m, left_ml_m, right_ap_m, right_ml_m : ndarray, shape (n_samples,)
        Per-foot CoP in metres, in the same frame as ``net``.
    left_vertical_force_n, right_vertical_force_n : ndarray, shape (n_samples,)
        Per-foot vertical force in newtons.
    """

    net: CopTrial
    left_ap_m: NDArray[np.float64]
    left_ml_m: NDArray[np.float64]
    right_ap_m: NDArray[np.float64]
    right_ml_m: NDArray[np.float64]
    left_vertical_force_n: NDArray[np.float64]
    right_vertical_force_n: NDArray[np.float64]

    def __post_init__(self) -> None:
        n = self.net.n_samples
        for name in (
            "left_ap_m",
            "left_ml_m",
            "right_ap_m",
            "right_ml_m",
            "left_vertical_force_n",
            "right_vertical_force_n",
        ):
            object.__setattr__(self, name, _frozen(name, getattr(self, name), n))


def weight_bearing_summary(trial: DualPlateTrial, /) -> dict[str, float]:
    """Weight-bearing distribution between the feet.

    Returns
    -------
    dict
        ``left_mean_vertical_force_n``, ``right_mean_vertical_force_n``;
        ``left_load_ratio`` and ``right_load_ratio``: share of body weight on each side,
        ``mean F_side / mean (F_L + F_R)`` (0 to 1; ×100 for % body weight);
        ``symmetry_index_ratio``: Robinson's symmetry index ``(R - L) / (0.5 (R + L))``
        on the mean vertical forces (0 for symmetric stance, positive when more weight is on
        the right; ×100 for the usual percentage).

    References
    ----------
    Robinson RO, Herzog W, Nigg BM (1987) Use of force platform variables to quantify the
    effects of chiropractic manipulation on gait symmetry. J Manipulative Physiol Ther
    10(4):172-176 (PMID 2958572).

    Examples
    --------
    >>> import numpy as np
    >>> from reeducate.balance.trial import CopTrial
    >>> z = np.zeros(4)
    >>> net = CopTrial(ap_m=z, ml_m=z, sampling_rate_hz=100.0, source_unit="m",
    ...                source_name="demo")
    >>> t = DualPlateTrial(net=net, left_ap_m=z, left_ml_m=z, right_ap_m=z, right_ml_m=z,
    ...                    left_vertical_force_n=np.full(4, 300.0),
    ...                    right_vertical_force_n=np.full(4, 500.0))
    >>> s = weight_bearing_summary(t)
    >>> s["left_load_ratio"], s["right_load_ratio"], s["symmetry_index_ratio"]
    (0.375, 0.625, 0.5)
    """
    left = float(np.mean(trial.left_vertical_force_n))
    right = float(np.mean(trial.right_vertical_force_n))
    total = left + right
    if not total > 0:
        raise SignalQualityError(
            f"{trial.net.source_name}: mean vertical force on both plates must be > 0; "
            f"got {total!r} N"
        )
    return {
        "left_mean_vertical_force_n": left,
        "right_mean_vertical_force_n": right,
        "left_load_ratio": left / total,
        "right_load_ratio": right / total,
        "symmetry_index_ratio": (right - left) / (0.5 * total),
    }
