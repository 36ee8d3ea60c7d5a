"""Path shape of an end-effector: straight line, diagonal or circle, and fit to a prescribed one.

Method (``reference/movement.md`` section 4.3):

* principal components of the path (positions centred on their mean): the share of variance
  on the first axis is ``linearity_ratio``; a path is **linear** when it exceeds
  ``linear_min_ratio`` (0.98: a quarter circle scores 0.96, a
  line with noise of 3 % of its length 0.996);
* a linear path is **diagonal** when its first axis makes 30-60 deg with the vertical (e.g.
  PNF D1/D2 patterns), else **vertical** or **horizontal**;
* a path is **circular** when it is closed (start-end distance below ``closure_max_ratio`` of
  the path length, or several turns), its total turning is at least 300 deg, and an algebraic
  (Kasa) circle fits it with a residual RMS below ``circle_max_residual_ratio`` of the radius.

The deviation from a prescribed pattern is the RMS distance of the points from the best-fitting
line (orthogonal regression) or circle, as a share of the path's extent (the line's length or
the circle's radius), and, for a prescribed direction, the angle between the path's axis and
it. The numbers are exact on closed forms (a circle of radius r has length 2 pi r per turn,
zero residual); the class thresholds are starting points, not validated cut-offs.

References
----------
Kasa I (1976) A circle fitting procedure and its error analysis. IEEE Trans Instrum Meas
IM-25(1):8-14, doi:10.1109/TIM.1976.6312298.
Voss DE, Ionta MK, Myers BJ (1985) Proprioceptive neuromuscular facilitation: patterns and
techniques, 3rd ed. Harper & Row (diagonal patterns).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reeducate.errors import InvalidParameterError, SignalQualityError

FloatArray = NDArray[np.float64]
PathClass = Literal["linear_vertical", "linear_horizontal", "diagonal", "circular", "curved"]


@dataclass(frozen=True, slots=True, kw_only=True)
class CircleFit:
    """Algebraic (Kasa) circle fit in the path's plane."""

    centre: FloatArray
    radius: float
    residual_rms: float


def fit_circle(points_2d: ArrayLike, /) -> CircleFit:
    """Least-squares algebraic circle ``x^2 + y^2 + D x + E y + F = 0`` (Kasa 1976).

    Example
    -------
    >>> import numpy as np
    >>> a = np.linspace(0, 2 * np.pi, 50, endpoint=False)
    >>> c = fit_circle(np.c_[3 + 2 * np.cos(a), -1 + 2 * np.sin(a)])
    >>> [round(float(v), 9) for v in (*c.centre, c.radius, c.residual_rms)]
    [3.0, -1.0, 2.0, 0.0]
    """
    p = np.asarray(points_2d, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] != 2 or p.shape[0] < 3:
        raise InvalidParameterError(f"points_2d must have shape (n >= 3, 2); got {p.shape}")
    a = np.c_[p, np.ones(len(p))]
    b = -(p**2).sum(axis=1)
    (d, e, f), *_ = np.linalg.lstsq(a, b, rcond=None)
    centre = np.array([-d / 2, -e / 2])
    r2 = float(centre @ centre - f)
    radius = float(np.sqrt(max(r2, 0.0)))
    resid = np.linalg.norm(p - centre, axis=1) - radius
    return CircleFit(centre=centre, radius=radius, residual_rms=float(np.sqrt(np.mean(resid**2))))


@dataclass(frozen=True, slots=True, kw_only=True)
class PathShape:
    """Shape of one end-effector path.

    Attributes
    ----------
    shape : {"linear_vertical", "linear_horizontal", "diagonal", "circular", "curved"}
    length : float
        Path length, in the unit of the points.
    extent : float
        Length of the path along its first principal axis (max - min projection).
    linearity_ratio : float
        Variance share of the first principal axis (1 = a straight line).
    planarity_ratio : float
        Variance share of the first two axes (1 for 2-D points).
    axis_from_vertical_deg : float
        Angle, in [0, 90], between the first principal axis and the vertical.
    closure_ratio : float
        Start-to-end distance over path length (0 = closed).
    turning_deg : float
        Total signed turning of the path's direction in its best plane (360 per loop).
    circle : CircleFit
        Circle fitted in the best plane.
    line_residual_ratio : float
        RMS distance from the best-fitting line over ``extent``.
    circle_residual_ratio : float
        Circle residual RMS over its radius.
    """

    shape: PathClass
    length: float
    extent: float
    linearity_ratio: float
    planarity_ratio: float
    axis_from_vertical_deg: float
    closure_ratio: float
    turning_deg: float
    circle: CircleFit
    line_residual_ratio: float
    circle_residual_ratio: float


def path_shape(
    points: ArrayLike,
    /,
    *,
    vertical: ArrayLike,
    linear_min_ratio: float = 0.98,
    closure_max_ratio: float = 0.2,
    circle_max_residual_ratio: float = 0.15,
) -> PathShape:
    """Classify an end-effector path (see the module for the method).

    Parameters
    ----------
    points : array_like, shape (n_samples, 2 or 3)
        Positions; NaN rows are dropped.
    vertical : array_like, shape (2,) or (3,)
        The upward direction in the points' frame (``(0, -1)`` for image pixels).
    linear_min_ratio, closure_max_ratio, circle_max_residual_ratio : float
        Class thresholds.

    Example
    -------
    >>> import numpy as np
    >>> t = np.linspace(0, 1, 100)
    >>> path_shape(np.c_[t, t], vertical=(0, 1)).shape
    'diagonal'
    >>> a = np.linspace(0, 2 * np.pi, 1001)
    >>> s = path_shape(np.c_[np.cos(a), np.sin(a)], vertical=(0, 1))
    >>> s.shape, round(s.length, 3), round(s.turning_deg)
    ('circular', 6.283, 360)
    """
    p = np.asarray(points, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] not in (2, 3):
        raise InvalidParameterError(f"points must have shape (n_samples, 2 or 3); got {p.shape}")
    p = p[np.isfinite(p).all(axis=1)]
    if len(p) < 5:
        raise SignalQualityError(f"path needs at least 5 finite points; got {len(p)}")
    up = np.asarray(vertical, dtype=np.float64)
    if up.shape != (p.shape[1],) or not np.linalg.norm(up) > 0:
        raise InvalidParameterError(
            f"vertical must be a non-zero vector of length {p.shape[1]}; got {up!r}"
        )
    up = up / np.linalg.norm(up)
    centred = p - p.mean(axis=0)
    _, sv, vt = np.linalg.svd(centred, full_matrices=False)
    var = sv**2
    total = float(var.sum())
    if total == 0:
        raise SignalQualityError("path does not move (all points equal)")
    linearity = float(var[0] / total)
    planarity = float(var[:2].sum() / total)
    axis = vt[0]
    from_vertical = float(np.degrees(np.arccos(min(1.0, abs(float(axis @ up))))))
    steps = np.linalg.norm(np.diff(p, axis=0), axis=1)
    length = float(steps.sum())
    proj = centred @ axis
    extent = float(proj.max() - proj.min())
    plane = centred @ vt[:2].T  # (n, 2) coordinates in the best plane
    line_resid = float(np.sqrt(np.mean(plane[:, 1] ** 2 + (
        (centred @ vt[2]) ** 2 if p.shape[1] == 3 else 0.0))))  # fmt: skip
    circle = fit_circle(plane)
    d = np.diff(plane, axis=0)
    d = d[np.linalg.norm(d, axis=1) > 1e-12 * max(extent, 1e-300)]
    headings = np.arctan2(d[:, 1], d[:, 0])
    turning = float(np.degrees(np.sum(np.angle(np.exp(1j * np.diff(headings))))))
    closure = float(np.linalg.norm(p[-1] - p[0]) / length) if length > 0 else 0.0
    circ_ratio = circle.residual_rms / circle.radius if circle.radius > 0 else np.inf
    shape: PathClass
    if linearity >= linear_min_ratio:
        if 30.0 <= from_vertical <= 60.0:
            shape = "diagonal"
        elif from_vertical < 30.0:
            shape = "linear_vertical"
        else:
            shape = "linear_horizontal"
    elif (
        abs(turning) >= 300.0
        and (closure <= closure_max_ratio or abs(turning) >= 600.0)
        and circ_ratio <= circle_max_residual_ratio
    ):
        shape = "circular"
    else:
        shape = "curved"
    return PathShape(
        shape=shape,
        length=length,
        extent=extent,
        linearity_ratio=linearity,
        planarity_ratio=planarity,
        axis_from_vertical_deg=from_vertical,
        closure_ratio=closure,
        turning_deg=turning,
        circle=circle,
        line_residual_ratio=line_resid / extent if extent > 0 else float("inf"),
        circle_residual_ratio=float(circ_ratio),
    )


Prescribed = Literal["straight", "diagonal", "circle"]


@dataclass(frozen=True, slots=True, kw_only=True)
class PatternFit:
    """How closely a path followed a prescribed pattern.

    Attributes
    ----------
    prescribed : {"straight", "diagonal", "circle"}
    shape : PathShape
    deviation_ratio : float
        RMS distance from the ideal line (over its extent) or circle (over its radius).
    direction_error_deg : float or None
        For a prescribed direction: angle between the path's axis and it, in [0, 90].
    score : float
        0-1: 1 at zero deviation, falling linearly to 0 at ``tolerance_ratio`` (and at
        ``tolerance_deg`` of direction error, whichever is worse).
    matches : bool
        Whether the classified shape is the prescribed one.
    """

    prescribed: Prescribed
    shape: PathShape
    deviation_ratio: float
    direction_error_deg: float | None
    score: float
    matches: bool


def follows_pattern(
    points: ArrayLike,
    /,
    *,
    prescribed: Prescribed,
    vertical: ArrayLike,
    direction: ArrayLike | None = None,
    tolerance_ratio: float = 0.2,
    tolerance_deg: float = 30.0,
) -> PatternFit:
    """Score how closely a path followed a straight line, a diagonal or a circle.

    Example
    -------
    >>> import numpy as np
    >>> t = np.linspace(0, 1, 50)
    >>> f = follows_pattern(np.c_[t, 0.01 * np.sin(9 * t)], prescribed="straight",
    ...                     vertical=(0, 1), direction=(1, 0))
    >>> f.matches, f.score > 0.9
    (True, True)
    """
    if prescribed not in ("straight", "diagonal", "circle"):
        raise InvalidParameterError(
            f"prescribed must be 'straight', 'diagonal' or 'circle'; got {prescribed!r}"
        )
    shape = path_shape(points, vertical=vertical)
    dir_err: float | None = None
    if prescribed == "circle":
        dev = shape.circle_residual_ratio
        matches = shape.shape == "circular"
    else:
        dev = shape.line_residual_ratio
        matches = (shape.shape == "diagonal") if prescribed == "diagonal" else (
            shape.shape in ("linear_vertical", "linear_horizontal", "diagonal"))  # fmt: skip
        if direction is not None:
            p = np.asarray(points, dtype=np.float64)
            p = p[np.isfinite(p).all(axis=1)]
            _, _, vt = np.linalg.svd(p - p.mean(axis=0), full_matrices=False)
            want = np.asarray(direction, dtype=np.float64)
            want = want / np.linalg.norm(want)
            dir_err = float(np.degrees(np.arccos(min(1.0, abs(float(vt[0] @ want))))))
    score = max(0.0, 1.0 - dev / tolerance_ratio)
    if dir_err is not None:
        score = min(score, max(0.0, 1.0 - dir_err / tolerance_deg))
    return PatternFit(prescribed=prescribed, shape=shape, deviation_ratio=float(dev),
                      direction_error_deg=dir_err, score=float(score),
                      matches=bool(matches))  # fmt: skip
