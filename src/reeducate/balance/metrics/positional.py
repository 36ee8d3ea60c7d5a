"""Positional (distance) sway metrics of a centre-of-pressure trajectory.

Notation: ``AP[n]``, ``ML[n]`` are the CoP coordinates centred on their means, ``n = 1..N``
(or, with the convention ``centring="as_given"``, the coordinates as given, relative to a point
chosen before the metrics, e.g. the raw mean in the Quijoux et al. 2021 pipeline);
``RD[n] = sqrt(AP[n]² + ML[n]²)`` is the resultant distance from the mean CoP. All moments
here divide by ``N`` (Prieto et al. 1996; Quijoux et al. 2021); the covariance divisor of the
ellipse is a separate convention (:mod:`reeducate.balance.metrics.ellipse`).

References
----------
Prieto TE, Myklebust JB, Hoffmann RG, Lovett EG, Myklebust BM (1996) Measures of postural
steadiness: differences between healthy young and elderly adults. IEEE Trans Biomed Eng
43(9):956-966. doi:10.1109/10.532130

Quijoux F et al. (2021) A review of center of pressure (COP) variables to quantify standing
balance in elderly people: algorithms and open-access code. Physiol Rep 9(22):e15067.
doi:10.14814/phy2.15067
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.spatial import ConvexHull, QhullError

from reeducate.errors import InvalidParameterError, SignalQualityError

if TYPE_CHECKING:
    from reeducate.balance.conventions import Centring

FloatArray = NDArray[np.float64]

#: Prieto's one-sided 95 % normal quantile z_.05 used by the confidence circle.
Z_05: Final = 1.645

#: Below this hull size the diameter is found by comparing all vertex pairs.
_BRUTE_FORCE_HULL: Final = 32

DESCRIPTIONS: Final[Mapping[str, str]] = {
    "mean_position_ap_m": "Mean AP CoP position in the plate frame (Prieto 1996); with centring "
    "'as_given', the AP position distances are measured from (Quijoux 2021: the raw mean).",
    "mean_position_ml_m": "Mean ML CoP position in the plate frame (Prieto 1996); with centring "
    "'as_given', the ML position distances are measured from (Quijoux 2021: the raw mean).",
    "mean_distance_m": "Mean distance of the CoP from its mean position, MDIST (Prieto 1996, "
    "doi:10.1109/10.532130).",
    "mean_distance_ap_m": "Mean absolute AP distance from the mean CoP, MDIST-AP (Prieto 1996).",
    "mean_distance_ml_m": "Mean absolute ML distance from the mean CoP, MDIST-ML (Prieto 1996).",
    "rms_distance_m": "Root-mean-square distance from the mean CoP, RDIST (Prieto 1996).",
    "rms_ap_m": "Root-mean-square AP displacement (SD with 1/N), RDIST-AP (Prieto 1996).",
    "rms_ml_m": "Root-mean-square ML displacement (SD with 1/N), RDIST-ML (Prieto 1996).",
    "max_distance_m": "Largest distance of the CoP from its mean position (Quijoux 2021, "
    "doi:10.14814/phy2.15067).",
    "max_distance_ap_m": "Largest absolute AP distance from the mean CoP (Quijoux 2021).",
    "max_distance_ml_m": "Largest absolute ML distance from the mean CoP (Quijoux 2021).",
    "range_m": "Largest distance between any two CoP points (Prieto 1996 RANGE), via the "
    "convex hull.",
    "range_ap_m": "AP range, maximum minus minimum (Prieto 1996).",
    "range_ml_m": "ML range, maximum minus minimum (Prieto 1996).",
    "range_ml_over_ap_ratio": "ML range divided by AP range (Quijoux 2021 range ratio).",
    "planar_deviation_m": "Planar deviation sqrt(RMS_AP² + RMS_ML²) (Quijoux 2021).",
    "sway_direction_coefficient_ratio": "Coefficient of sway direction: AP-ML covariance over "
    "the product of the RMS (Quijoux 2021).",
    "principal_sway_direction_deg": "Angle between the AP axis and the principal axis of the "
    "CoP scatter, 0-90° (Quijoux 2021).",
    "confidence_circle_area_95_m2": "Area of Prieto's 95 % confidence circle "
    "π(MDIST + 1.645·s_RD)² (Prieto 1996).",
}


@dataclass(frozen=True, slots=True)
class CentredCop:
    """A validated CoP trajectory referred to its centre, with its second moments (internal).

    Shared by every metric family so that centring and moments are computed once. ``ap`` and
    ``ml`` are read-only positions relative to the centre (``origin_ap``, ``origin_ml`` in the
    input's frame: the mean for ``centring="signal_mean"``, 0 for ``"as_given"``); ``sum_*``
    are the second moments about that centre and ``scatter_*`` those about the mean (the same
    numbers for ``signal_mean``); ``mean_ap``, ``mean_ml`` are the input's means.
    """

    ap: FloatArray
    ml: FloatArray
    mean_ap: float
    mean_ml: float
    sum_aa: float
    sum_mm: float
    sum_am: float
    origin_ap: float
    origin_ml: float
    scatter_aa: float
    scatter_mm: float
    scatter_am: float

    @property
    def n(self) -> int:
        """Number of samples."""
        return int(self.ap.shape[0])


def centre_cop(
    ap_m: ArrayLike,
    ml_m: ArrayLike,
    /,
    *,
    min_samples: int,
    purpose: str,
    centring: Centring = "signal_mean",
) -> CentredCop:
    """Validate raw CoP arrays and centre them (internal; inputs are never modified).

    ``centring="signal_mean"`` subtracts the mean of each coordinate; ``"as_given"`` keeps
    the input's origin (see :class:`~reeducate.balance.conventions.SwayConventions`).

    Raises
    ------
    InvalidParameterError
        Arrays that are not 1-D of equal length.
    SignalQualityError
        Non-finite samples, or fewer than ``min_samples`` samples (``purpose`` names the
        metrics that need them).
    """
    ap = np.asarray(ap_m, dtype=np.float64)
    ml = np.asarray(ml_m, dtype=np.float64)
    if ap.ndim != 1 or ml.shape != ap.shape:
        raise InvalidParameterError(
            f"ap_m and ml_m must be 1-D arrays of equal length; got shapes {ap.shape} "
            f"and {ml.shape}"
        )
    n = ap.shape[0]
    if n < min_samples:
        raise SignalQualityError(
            f"ap_m and ml_m must have at least {min_samples} samples for {purpose}; got {n}"
        )
    bad = int(np.count_nonzero(~(np.isfinite(ap) & np.isfinite(ml))))
    if bad:
        raise SignalQualityError(
            f"ap_m and ml_m must be finite; got {bad} non-finite samples out of {n}"
        )
    # A motionless coordinate is centred exactly (np.mean of a constant can be off by 1 ulp).
    mean_ap = float(ap[0]) if ap.min() == ap.max() else float(np.mean(ap))
    mean_ml = float(ml[0]) if ml.min() == ml.max() else float(np.mean(ml))
    if centring == "signal_mean":
        origin_ap, origin_ml = mean_ap, mean_ml
        ap_c = ap - mean_ap
        ml_c = ml - mean_ml
    elif centring == "as_given":
        origin_ap = origin_ml = 0.0
        ap_c = ap.view()  # a view: marking it read-only leaves the caller's array alone
        ml_c = ml.view()
    else:
        raise InvalidParameterError(
            f"centring must be 'signal_mean' or 'as_given'; got {centring!r}"
        )
    ap_c.setflags(write=False)
    ml_c.setflags(write=False)
    sums = (float(np.dot(ap_c, ap_c)), float(np.dot(ml_c, ml_c)), float(np.dot(ap_c, ml_c)))
    if centring == "signal_mean":
        scatter = sums
    else:  # second pass about the mean (no cancellation of the origin's offset)
        ap_d, ml_d = ap - mean_ap, ml - mean_ml
        scatter = (float(np.dot(ap_d, ap_d)), float(np.dot(ml_d, ml_d)), float(np.dot(ap_d, ml_d)))
    return CentredCop(
        ap=ap_c,
        ml=ml_c,
        mean_ap=mean_ap,
        mean_ml=mean_ml,
        sum_aa=sums[0],
        sum_mm=sums[1],
        sum_am=sums[2],
        origin_ap=origin_ap,
        origin_ml=origin_ml,
        scatter_aa=scatter[0],
        scatter_mm=scatter[1],
        scatter_am=scatter[2],
    )


def _diameter_collinear(points: FloatArray) -> float:
    """Largest pairwise distance of points on one line (exact for collinear points)."""
    offsets = points - points[0]
    far = offsets[np.argmax(np.einsum("ij,ij->i", offsets, offsets))]
    if not np.any(far):
        return 0.0
    projection = offsets @ far
    d = points[np.argmax(projection)] - points[np.argmin(projection)]
    return float(np.sqrt(d[0] * d[0] + d[1] * d[1]))


def _pair_distances(a: FloatArray, b: FloatArray) -> FloatArray:
    d = a - b
    return np.asarray(np.sqrt(d[..., 0] ** 2 + d[..., 1] ** 2), dtype=np.float64)


def _diameter_convex_polygon(vertices: FloatArray) -> float:
    """Diameter of a convex polygon given counter-clockwise, in O(h log h).

    Rotating calipers (Shamos 1978): the diameter is attained by an antipodal pair, and every
    antipodal pair is an endpoint of some edge together with the vertex farthest from that
    edge. The farthest vertex is found by a binary search of the outward edge normals, whose
    angles increase monotonically around a convex polygon; the neighbours of that vertex are
    kept as candidates too, so parallel edges and rounding cannot lose the pair.
    """
    h = vertices.shape[0]
    if h <= _BRUTE_FORCE_HULL:
        return float(_pair_distances(vertices[:, None, :], vertices[None, :, :]).max())
    edges = np.roll(vertices, -1, axis=0) - vertices
    previous = np.roll(edges, 1, axis=0)
    # Exterior turning angle at each vertex, in [0, pi) for a convex counter-clockwise polygon.
    turn = np.arctan2(
        previous[:, 0] * edges[:, 1] - previous[:, 1] * edges[:, 0],
        previous[:, 0] * edges[:, 0] + previous[:, 1] * edges[:, 1],
    )
    # Unwrapped angle of the outward normal of edge k (from vertex k to vertex k + 1).
    normal = math.atan2(-edges[0, 0], edges[0, 1]) + np.concatenate(([0.0], np.cumsum(turn[1:])))
    two_turns = np.concatenate((normal, normal + 2.0 * math.pi))
    # Vertex k lies between edges k-1 and k; it is extreme along directions in its normal cone.
    opposite = np.searchsorted(two_turns, normal + math.pi)
    candidates = (opposite[:, None] + np.array([-1, 0, 1])[None, :]) % h
    starts = vertices[:, None, :]
    ends = np.roll(vertices, -1, axis=0)[:, None, :]
    far = vertices[candidates]
    return float(max(_pair_distances(starts, far).max(), _pair_distances(ends, far).max()))


def max_pairwise_distance(points_m: ArrayLike, /) -> float:
    """Largest distance between any two points of a planar point set (its diameter).

    Prieto's RANGE. Computed on the convex hull (points inside the octagon of extreme points
    discarded first, Akl & Toussaint 1978; then Quickhull, Barber et al. 1996) and then over
    the hull's antipodal pairs, O(N log N) instead of the O(N²) comparison of all pairs.

    Parameters
    ----------
    points_m : array_like, shape (n_points, 2)
        Point coordinates in metres (any fixed frame).

    Returns
    -------
    float
        Largest pairwise distance in metres (0 for a single point).

    References
    ----------
    Barber CB, Dobkin DP, Huhdanpaa H (1996) The quickhull algorithm for convex hulls. ACM Trans
    Math Softw 22(4):469-483. doi:10.1145/235815.235821

    Akl SG, Toussaint GT (1978) A fast convex hull algorithm. Inf Process Lett 7(5):219-222.
    doi:10.1016/0020-0190(78)90003-0

    Preparata FP, Shamos MI (1985) Computational Geometry: An Introduction. Springer.
    doi:10.1007/978-1-4612-1098-6

    Examples
    --------
    >>> max_pairwise_distance([[0.0, 0.0], [0.03, 0.0], [0.0, 0.04], [0.01, 0.01]])
    0.05
    """
    points = np.asarray(points_m, dtype=np.float64)
    if points.ndim != 2 or points.shape[1] != 2 or points.shape[0] < 1:
        raise InvalidParameterError(
            f"points_m must have shape (n_points >= 1, 2); got {points.shape}"
        )
    if not np.all(np.isfinite(points)):
        raise SignalQualityError("points_m must be finite; got non-finite coordinates")
    if points.shape[0] < 3:
        return float(_pair_distances(points[:, None, :], points[None, :, :]).max())
    candidates = _outside_extreme_octagon(points)
    try:
        hull = ConvexHull(candidates)
    except QhullError:  # all points on one line (or identical)
        return _diameter_collinear(points)
    return _diameter_convex_polygon(candidates[hull.vertices])


#: Directions (counter-clockwise) whose extreme points span the Akl-Toussaint octagon.
_OCTAGON_DIRECTIONS: Final = np.array(
    [[1, 0], [1, 1], [0, 1], [-1, 1], [-1, 0], [-1, -1], [0, -1], [1, -1]], dtype=np.float64
)


def _outside_extreme_octagon(points: FloatArray) -> FloatArray:
    """Drop the points strictly inside the polygon of the extreme points along 8 directions.

    Those points cannot be hull vertices (Akl & Toussaint 1978); for sway data this leaves a
    few per cent of the samples, so Quickhull runs on far fewer points.
    """
    extreme = np.argmax(points @ _OCTAGON_DIRECTIONS.T, axis=0)
    keep_order = np.concatenate(([True], extreme[1:] != extreme[:-1]))
    corners = points[extreme[keep_order]]
    if corners.shape[0] > 1 and np.array_equal(corners[0], corners[-1]):
        corners = corners[:-1]
    if corners.shape[0] < 3:
        return points
    edges = np.roll(corners, -1, axis=0) - corners
    # p is strictly left of edge a->b when cross(b - a, p - a) > 0, i.e. p·n > a·n with
    # n = (-e_y, e_x): one matrix product for all points and edges.
    normals = np.stack((-edges[:, 1], edges[:, 0]))
    offsets = np.einsum("ij,ji->i", corners, normals)
    outside = ~np.all(points @ normals > offsets, axis=1)
    outside[extreme] = True  # rounding may put a corner "inside" its own edges
    if np.count_nonzero(outside) < 3:
        return points
    return np.asarray(points[outside], dtype=np.float64)


def principal_axis_angle_deg(var_ap: float, var_ml: float, cov_am: float, /) -> float:
    """Angle of the major principal axis from the +ML axis towards +AP, in (-90, 90] degrees.

    ``0.5·atan2(2·cov, var_ML - var_AP)``; 0 when the scatter is isotropic.
    """
    angle = math.degrees(0.5 * math.atan2(2.0 * cov_am, var_ml - var_ap))
    return angle + 180.0 if angle <= -90.0 else angle


def positional_from_centred(cop: CentredCop, /) -> dict[str, float]:
    """Positional metrics of an already centred trajectory (internal)."""
    n = cop.n
    ap, ml = cop.ap, cop.ml
    radius = np.sqrt(ap * ap + ml * ml)
    var_ap, var_ml, cov_am = cop.sum_aa / n, cop.sum_mm / n, cop.sum_am / n
    rms_ap, rms_ml = math.sqrt(var_ap), math.sqrt(var_ml)
    mean_distance = float(np.mean(radius))
    rms_distance = math.sqrt(var_ap + var_ml)
    range_ap = float(ap.max() - ap.min())
    range_ml = float(ml.max() - ml.min())
    sd_radius = math.sqrt(max(rms_distance**2 - mean_distance**2, 0.0))
    # The principal direction is that of the scatter about its mean (a PCA) in every centring.
    angle_from_ml = principal_axis_angle_deg(
        cop.scatter_aa / n, cop.scatter_mm / n, cop.scatter_am / n
    )
    with np.errstate(divide="ignore", invalid="ignore"):
        range_ratio = float(np.divide(range_ml, range_ap))
        coefficient = float(np.divide(cov_am, rms_ap * rms_ml))
    return {
        "mean_position_ap_m": cop.origin_ap,
        "mean_position_ml_m": cop.origin_ml,
        "mean_distance_m": mean_distance,
        "mean_distance_ap_m": float(np.mean(np.abs(ap))),
        "mean_distance_ml_m": float(np.mean(np.abs(ml))),
        "rms_distance_m": rms_distance,
        "rms_ap_m": rms_ap,
        "rms_ml_m": rms_ml,
        "max_distance_m": float(radius.max()),
        "max_distance_ap_m": float(np.abs(ap).max()),
        "max_distance_ml_m": float(np.abs(ml).max()),
        "range_m": max_pairwise_distance(np.column_stack((ml, ap))),
        "range_ap_m": range_ap,
        "range_ml_m": range_ml,
        "range_ml_over_ap_ratio": range_ratio,
        "planar_deviation_m": math.sqrt(rms_ap**2 + rms_ml**2),
        "sway_direction_coefficient_ratio": coefficient,
        "principal_sway_direction_deg": 90.0 - abs(angle_from_ml),
        "confidence_circle_area_95_m2": math.pi * (mean_distance + Z_05 * sd_radius) ** 2,
    }


def positional_metrics(
    ap_m: ArrayLike, ml_m: ArrayLike, /, *, centring: Centring = "signal_mean"
) -> dict[str, float]:
    """Positional sway metrics of a CoP trajectory (the mean is removed inside by default).

    With ``AP``, ``ML`` centred and ``RD = sqrt(AP² + ML²)``:

    * ``mean_position_{ap,ml}_m``: means of the raw coordinates (plate frame), i.e. the point
      ``AP``, ``ML`` are measured from;
    * ``mean_distance_m = mean(RD)``; ``mean_distance_ap_m = mean(|AP|)`` (and ML);
    * ``rms_distance_m = sqrt(mean(RD²))``; ``rms_ap_m = sqrt(mean(AP²))`` (and ML);
    * ``max_distance_m = max(RD)``; ``max_distance_ap_m = max(|AP|)`` (and ML);
    * ``range_m``: largest distance between two CoP points (convex hull, exact);
      ``range_ap_m = max(AP) - min(AP)`` (and ML);
    * ``range_ml_over_ap_ratio = range_ml_m / range_ap_m``;
    * ``planar_deviation_m = sqrt(rms_ap² + rms_ml²)`` (equal to ``rms_distance_m``);
    * ``sway_direction_coefficient_ratio = mean(AP·ML) / (rms_ap·rms_ml)``;
    * ``principal_sway_direction_deg``: angle between the AP axis and the major principal axis
      of the scatter, in [0, 90] (Quijoux's PCA of positions);
    * ``confidence_circle_area_95_m2 = π·(MDIST + 1.645·s_RD)²`` with
      ``s_RD = sqrt(RDIST² - MDIST²)`` (Prieto's AREA-CC).

    Ratios whose denominator is 0 (a motionless CoP) are NaN.

    Parameters
    ----------
    ap_m, ml_m : array_like, shape (n_samples,)
        Raw anterior-posterior and medio-lateral CoP in metres (mean not removed).
    centring : {"signal_mean", "as_given"}
        ``signal_mean``: ``AP``, ``ML`` above are centred on their means. ``as_given``: they
        are the input as it is, for a signal already referred to a chosen point (see
        :class:`~reeducate.balance.conventions.SwayConventions`); distances, RMS and the sway
        direction coefficient are then about that point, ``mean_position_*`` is that point
        (0 in the input's frame). Ranges and the principal direction (a PCA of the scatter
        about its mean) do not depend on it.

    Returns
    -------
    dict of str to float
        Metric values in SI, each name ending in its unit.

    References
    ----------
    Prieto TE et al. (1996) IEEE Trans Biomed Eng 43(9):956-966. doi:10.1109/10.532130

    Quijoux F et al. (2021) Physiol Rep 9(22):e15067. doi:10.14814/phy2.15067

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(1000) / 100.0
    >>> m = positional_metrics(0.01 * np.sin(2 * np.pi * t), np.zeros(1000))
    >>> round(float(m["rms_ap_m"] / (0.01 / np.sqrt(2))), 9), round(m["range_m"], 6)
    (1.0, 0.02)
    """
    return positional_from_centred(
        centre_cop(ap_m, ml_m, min_samples=1, purpose="positional metrics", centring=centring)
    )


__all__ = ["DESCRIPTIONS", "max_pairwise_distance", "positional_metrics"]
