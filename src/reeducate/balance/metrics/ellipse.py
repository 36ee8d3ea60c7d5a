"""The 95 % prediction ellipse of a centre-of-pressure trajectory: area, semi-axes and angle.

The ellipse ``(p - p̄)ᵀ S⁻¹ (p - p̄) = k`` with ``S`` the AP-ML covariance (divisor ``N - ddof``)
has semi-axes ``sqrt(k·λ_i)`` (``λ_i`` the eigenvalues of ``S``) and area
``π·k·sqrt(det S)``. The scale ``k`` is the convention (``SwayConventions.ellipse_method``):

======================  ===============================================  ==================
method                  k                                                source
======================  ===============================================  ==================
``f_prediction``        ``2·F_.95(2, N-2)·(N-1)(N+1)/(N(N-2))``          Chew 1966; Duarte
``chi2_prediction``     ``χ²_.95(2) = -2·ln(0.05) ≈ 5.991``              Schubert 2014
``prieto_f3``           ``2·3.00``                                       Prieto 1996
======================  ===============================================  ==================

``F_p(2, d)`` has the closed form ``(d/2)·((1 - p)^(-2/d) - 1)``, used here instead of a
numerical quantile. The *confidence* ellipse of the mean (``k`` smaller by about ``N``) is
deliberately not offered: it is wrong for sway.

References
----------
Chew V (1966) Confidence, prediction, and tolerance regions for the multivariate normal
distribution. J Am Stat Assoc 61(315):605-617. doi:10.1080/01621459.1966.10480892

Schubert P, Kirchner M (2014) Ellipse area calculations and their applicability in
posturography. Gait Posture 39(1):518-522. doi:10.1016/j.gaitpost.2013.09.001

Duarte M (2015) Comments on "Ellipse area calculations and their applicability in
posturography". Gait Posture 41(1):44-45. doi:10.1016/j.gaitpost.2014.08.008

Prieto TE et al. (1996) IEEE Trans Biomed Eng 43(9):956-966. doi:10.1109/10.532130
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from numpy.typing import ArrayLike

from reeducate.balance.metrics.positional import (
    CentredCop,
    centre_cop,
    principal_axis_angle_deg,
)
from reeducate.errors import InvalidParameterError, SignalQualityError

if TYPE_CHECKING:
    from reeducate.balance.conventions import SwayConventions

#: Probability content of the ellipse.
PROBABILITY: Final = 0.95

#: Fewest samples the F-based ellipse is defined for (F(2, N-2) needs N > 2).
MIN_SAMPLES: Final = 3

DESCRIPTIONS: Final[Mapping[str, str]] = {
    "ellipse_area_95_m2": "Area of the 95 % prediction ellipse of the CoP (Chew 1966, "
    "doi:10.1080/01621459.1966.10480892; Santos & Duarte 2016 convention by default).",
    "ellipse_semi_major_m": "Semi-major axis of the 95 % prediction ellipse.",
    "ellipse_semi_minor_m": "Semi-minor axis of the 95 % prediction ellipse.",
    "ellipse_angle_deg": "Angle of the ellipse's major axis from the +ML axis towards +AP, "
    "in (-90, 90] degrees (matplotlib's angle with ML on x and AP on y).",
}


def f_quantile_2(probability: float, denominator_dof: int, /) -> float:
    """Quantile of the F(2, d) distribution, exact: ``(d/2)·((1 - p)^(-2/d) - 1)``.

    >>> round(f_quantile_2(0.95, 5998), 6)
    2.997229
    """
    d = float(denominator_dof)
    return 0.5 * d * math.expm1(-2.0 / d * math.log1p(-probability))


def ellipse_scale(n_samples: int, /, *, method: str) -> float:
    """Scale ``k`` of the 95 % prediction ellipse for ``n_samples`` points (see module doc).

    >>> round(ellipse_scale(6000, method="chi2_prediction"), 4)
    5.9915
    """
    if method == "f_prediction":
        n = n_samples
        if n < MIN_SAMPLES:
            raise InvalidParameterError(
                f"n_samples must be >= {MIN_SAMPLES} for the F-based ellipse; got {n}"
            )
        return 2.0 * f_quantile_2(PROBABILITY, n - 2) * (n - 1) * (n + 1) / (n * (n - 2))
    if method == "chi2_prediction":
        return -2.0 * math.log1p(-PROBABILITY)
    if method == "prieto_f3":
        return 2.0 * 3.0
    raise InvalidParameterError(
        f"method must be 'f_prediction', 'chi2_prediction' or 'prieto_f3'; got {method!r}"
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class PredictionEllipse:
    """A 95 % prediction ellipse of the CoP, ready to draw.

    Attributes
    ----------
    centre_ap_m, centre_ml_m : float
        Centre in the input's frame, metres: the mean CoP, or the input's origin (0, 0) with
        ``SwayConventions(centring="as_given")``.
    semi_major_m, semi_minor_m : float
        Semi-axes in metres.
    angle_deg : float
        Angle of the major axis measured from the +ML axis towards the +AP axis, in
        (-90, 90]: with ML on the horizontal and AP on the vertical axis of a
        statokinesigram, this is matplotlib's ``Ellipse(angle=...)``.
    area_m2 : float
        ``π·semi_major·semi_minor``.
    """

    centre_ap_m: float
    centre_ml_m: float
    semi_major_m: float
    semi_minor_m: float
    angle_deg: float
    area_m2: float

    def as_metrics(self) -> dict[str, float]:
        """The four ellipse metrics by their SI names."""
        return {
            "ellipse_area_95_m2": self.area_m2,
            "ellipse_semi_major_m": self.semi_major_m,
            "ellipse_semi_minor_m": self.semi_minor_m,
            "ellipse_angle_deg": self.angle_deg,
        }


def ellipse_from_centred(cop: CentredCop, /, *, conventions: SwayConventions) -> PredictionEllipse:
    """Prediction ellipse of an already centred trajectory (internal)."""
    n = cop.n
    if n < MIN_SAMPLES:
        raise SignalQualityError(
            f"ap_m and ml_m must have at least {MIN_SAMPLES} samples for the ellipse; got {n}"
        )
    divisor = n - conventions.covariance_ddof
    s_aa, s_mm, s_am = cop.sum_aa / divisor, cop.sum_mm / divisor, cop.sum_am / divisor
    k = ellipse_scale(n, method=conventions.ellipse_method)
    det = max(s_aa * s_mm - s_am * s_am, 0.0)
    half_trace = 0.5 * (s_aa + s_mm)
    spread = math.hypot(0.5 * (s_aa - s_mm), s_am)
    major = half_trace + spread
    minor = det / major if major > 0 else 0.0
    return PredictionEllipse(
        centre_ap_m=cop.origin_ap,
        centre_ml_m=cop.origin_ml,
        semi_major_m=math.sqrt(k * major),
        semi_minor_m=math.sqrt(k * minor),
        angle_deg=principal_axis_angle_deg(s_aa, s_mm, s_am),
        area_m2=math.pi * k * math.sqrt(det),
    )


def prediction_ellipse(
    ap_m: ArrayLike, ml_m: ArrayLike, /, *, conventions: SwayConventions
) -> PredictionEllipse:
    """95 % prediction ellipse of a CoP trajectory (the mean is removed inside).

    With ``S`` the covariance of (AP, ML) with divisor ``N - conventions.covariance_ddof`` and
    ``k`` the scale of ``conventions.ellipse_method`` (module table): area ``π·k·sqrt(det S)``,
    semi-axes ``sqrt(k·λ_max)``, ``sqrt(k·λ_min)``, angle of the major eigenvector
    ``0.5·atan2(2·S_AP,ML, S_ML,ML - S_AP,AP)`` from the +ML axis towards +AP.

    Parameters
    ----------
    ap_m, ml_m : array_like, shape (n_samples,)
        Raw anterior-posterior and medio-lateral CoP in metres; at least 3 samples.
    conventions : SwayConventions
        Uses ``ellipse_method``, ``covariance_ddof`` and ``centring`` (``as_given``: moments
        about the input's origin, ellipse centred on it).

    Returns
    -------
    PredictionEllipse

    References
    ----------
    Chew V (1966) J Am Stat Assoc 61(315):605-617. doi:10.1080/01621459.1966.10480892

    Schubert P, Kirchner M (2014) Gait Posture 39(1):518-522.
    doi:10.1016/j.gaitpost.2013.09.001

    Examples
    --------
    >>> import numpy as np
    >>> from reeducate.balance.conventions import SwayConventions
    >>> rng = np.random.default_rng(0)
    >>> ap, ml = rng.normal(0, 0.004, 6000), rng.normal(0, 0.002, 6000)
    >>> e = prediction_ellipse(ap, ml, conventions=SwayConventions.santos_duarte_2016())
    >>> round(e.area_m2 / (np.pi * 5.991 * 0.004 * 0.002), 1), abs(round(e.angle_deg)) >= 85
    (1.0, True)
    """
    cop = centre_cop(
        ap_m, ml_m, min_samples=MIN_SAMPLES, purpose="the ellipse", centring=conventions.centring
    )
    return ellipse_from_centred(cop, conventions=conventions)


def ellipse_metrics(
    ap_m: ArrayLike, ml_m: ArrayLike, /, *, conventions: SwayConventions
) -> dict[str, float]:
    """The ellipse metrics ``ellipse_area_95_m2``, ``ellipse_semi_major_m``,
    ``ellipse_semi_minor_m`` and ``ellipse_angle_deg`` (see :func:`prediction_ellipse`).

    Examples
    --------
    >>> import numpy as np
    >>> from reeducate.balance.conventions import SwayConventions
    >>> m = ellipse_metrics(np.zeros(10), np.zeros(10), conventions=SwayConventions())
    >>> m["ellipse_area_95_m2"]
    0.0
    """
    return prediction_ellipse(ap_m, ml_m, conventions=conventions).as_metrics()


__all__ = [
    "DESCRIPTIONS",
    "PredictionEllipse",
    "ellipse_metrics",
    "ellipse_scale",
    "f_quantile_2",
    "prediction_ellipse",
]
