"""Age-group norms of sway metrics from published data, and the comparison of a patient's value
with them (percentile, z-score, flag).

The norms are data: :data:`NORM_TABLE` holds one :class:`NormRow` per source, metric, age group,
surface and vision, transcribed in the units of the publication (cm, cm², cm/s, Hz) from the team
reference (``reference/balance.md`` §4.1–§4.3). Values given in SI are converted to those units
with :mod:`reeducate.units` before they are compared.

Sources
-------
``hbedb``
    Santos & Duarte 2016 public human-balance data set (163 adults; 60 s at 100 Hz, unfiltered,
    eyes open/closed × firm/foam; each subject's value is the median of 3 trials). Young
    18–59 y (n = 87), older ≥ 60 y (n = 76). Area, velocity: mean ± SD and median [IQR]; mean
    power frequency: median [IQR]. Only for the ``santos-duarte-2016`` preset.
``pds``
    dos Santos et al. 2017 two-plate data set (49 adults, net CoP, same recipe). Area: mean ± SD
    only (z-score, no percentile); velocity: median [IQR] only. Its mean frequencies are
    published as medians without spread and are not in the table. Only for the
    ``santos-duarte-2016`` preset.
``quijoux-2021-hbedb``
    The Quijoux et al. 2021 code in its paper pipeline (SWARII 25 Hz, 10 Hz low-pass) on all
    HBEDB eyes-open firm trials, median [IQR] of per-subject medians. Only for the
    ``quijoux-2021`` preset, eyes open on a firm surface.

Norms are never applied across conventions: a preset, stance, sampling rate or trial duration
that differs from the source's protocol gives a comparison with ``status="no_norm"`` and the
reason, never a number.

Percentiles
-----------
Sway magnitudes are right-skewed, so percentiles come from a log-normal fitted to the published
median and quartiles, not from mean ± SD. Two methods (``method``):

``"split_lognormal"`` (default)
    A two-piece log-normal with ``mu = ln(median)`` and one scale on each side,
    ``sigma_lo = (ln median − ln Q1) / z75`` and ``sigma_hi = (ln Q3 − ln median) / z75`` with
    ``z75 = Φ⁻¹(0.75) ≈ 0.6745``. It honours the three published quantiles exactly: the median is
    the 50th percentile, Q1 the 25th and Q3 the 75th.
``"lognormal_iqr"``
    One log-normal, ``mu = ln(median)``, ``sigma = (ln Q3 − ln Q1) / 1.349`` (``1.349 = 2·z75``).
    The median is exactly the 50th percentile; Q1 and Q3 are the 25th/75th only when the IQR is
    symmetric on the log scale, which the published quartiles are not quite.

The z-score ``(x − mean) / SD`` is reported beside the percentile where the source gives mean ±
SD; it assumes symmetry and is shown for reference only. The flag uses the percentile; only
where a source has no quartiles (``pds`` area) is it taken from the z-score (``z > 1.645``).

Normal band
-----------
For sway magnitudes (area, velocity, distances, ...; ``direction="higher_is_worse"``) the band is
one-sided: a value above the 95th percentile ("more sway than 95 % of the age group") is flagged;
low sway is not. For frequencies, ratios and shape measures (``direction="two_sided"``) the band is
the 5th–95th percentile and a value outside it on either side is flagged.

References
----------
Santos DA, Duarte M (2016) A public data set of human balance evaluations. PeerJ 4:e2648.
doi:10.7717/peerj.2648 (data CC BY 4.0)

dos Santos DA, Fukuchi CA, Fukuchi RK, Duarte M (2017) A data set with kinematic and ground
reaction forces of human balance. PeerJ 5:e3626. doi:10.7717/peerj.3626 (data CC BY 4.0)

Quijoux F et al. (2021) A review of center of pressure (COP) variables to quantify standing
balance in elderly people: algorithms and open-access code. Physiol Rep 9:e15067.
doi:10.14814/phy2.15067
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Final, Literal

from scipy.special import ndtr, ndtri

from reeducate.balance.trial import Stance, Surface, TrialCondition, Vision
from reeducate.errors import InvalidParameterError
from reeducate.units import length_to_m

if TYPE_CHECKING:
    from reeducate.balance.conditions import ConditionSummary

PercentileMethod = Literal["split_lognormal", "lognormal_iqr"]
Direction = Literal["higher_is_worse", "two_sided"]

#: Φ⁻¹(0.75): the standard-normal quartile.
Z75: Final[float] = float(ndtri(0.75))
#: Percentile above which a sway magnitude is flagged (one-sided band).
UPPER_BAND_PCT: Final[float] = 95.0
#: Percentile below which a two-sided measure is flagged.
LOWER_BAND_PCT: Final[float] = 5.0
#: z above which a value is flagged when a source has no quartiles (≈ 95th under normality).
Z_FLAG: Final[float] = float(ndtri(0.95))


class AgeGroup(StrEnum):
    """Age groups of the published norms."""

    YOUNG = "young"  # 18-59 y (HBEDB range 18.3-59.0)
    OLD = "old"  # >= 60 y (HBEDB range 60.5-85.8)


AGE_GROUP_WORDS: Final[Mapping[AgeGroup, str]] = {
    AgeGroup.YOUNG: "adults 18–59",
    AgeGroup.OLD: "adults 60+",
}


class NormSource(StrEnum):
    """Published sources of norms."""

    HBEDB = "hbedb"
    PDS = "pds"
    QUIJOUX_HBEDB = "quijoux-2021-hbedb"


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceProtocol:
    """What a measurement must match for a source's norms to apply."""

    source: NormSource
    presets: tuple[str, ...]
    sampling_rate_hz: float
    duration_range_s: tuple[float, float]
    citation: str
    doi: str
    licence: str


#: Protocol of each source. The duration band is ±10 % of the published 60 s (area grows with
#: trial length); the sampling rate must match (velocity grows with it through noise).
SOURCES: Final[Mapping[NormSource, SourceProtocol]] = {
    NormSource.HBEDB: SourceProtocol(
        source=NormSource.HBEDB,
        presets=("santos-duarte-2016",),
        sampling_rate_hz=100.0,
        duration_range_s=(54.0, 66.0),
        citation="Santos & Duarte 2016, PeerJ 4:e2648 (HBEDB, median of 3 trials per subject)",
        doi="10.7717/peerj.2648",
        licence="CC BY 4.0",
    ),
    NormSource.PDS: SourceProtocol(
        source=NormSource.PDS,
        presets=("santos-duarte-2016",),
        sampling_rate_hz=100.0,
        duration_range_s=(54.0, 66.0),
        citation="dos Santos et al. 2017, PeerJ 5:e3626 (PDS, net CoP of two plates)",
        doi="10.7717/peerj.3626",
        licence="CC BY 4.0",
    ),
    NormSource.QUIJOUX_HBEDB: SourceProtocol(
        source=NormSource.QUIJOUX_HBEDB,
        presets=("quijoux-2021",),
        sampling_rate_hz=25.0,
        duration_range_s=(54.0, 66.0),
        citation=(
            "Quijoux et al. 2021, Physiol Rep 9:e15067, paper pipeline run on the HBEDB "
            "eyes-open firm trials (Santos & Duarte 2016)"
        ),
        doi="10.14814/phy2.15067",
        licence="CC BY 4.0 (data); MIT (code)",
    ),
}

#: Default source for each preset.
DEFAULT_SOURCE: Final[Mapping[str, NormSource]] = {
    "santos-duarte-2016": NormSource.HBEDB,
    "quijoux-2021": NormSource.QUIJOUX_HBEDB,
}

#: SI metric name -> (table unit, plain-language noun, direction).
NORM_METRICS: Final[Mapping[str, tuple[str, str, Direction]]] = {
    "ellipse_area_95_m2": ("cm2", "sway area", "higher_is_worse"),
    "mean_velocity_m_s": ("cm_s", "sway speed", "higher_is_worse"),
    "mean_velocity_ml_m_s": ("cm_s", "side-to-side sway speed", "higher_is_worse"),
    "mean_velocity_ap_m_s": ("cm_s", "forward-backward sway speed", "higher_is_worse"),
    "mean_power_frequency_hz": ("hz", "sway frequency", "two_sided"),
    "rms_ml_m": ("cm", "side-to-side sway (RMS)", "higher_is_worse"),
    "rms_ap_m": ("cm", "forward-backward sway (RMS)", "higher_is_worse"),
    "mean_distance_m": ("cm", "mean sway distance", "higher_is_worse"),
    "range_ml_m": ("cm", "side-to-side sway range", "higher_is_worse"),
    "range_ap_m": ("cm", "forward-backward sway range", "higher_is_worse"),
    "sway_area_per_second_m2_s": ("cm2_s", "sway area per second", "higher_is_worse"),
    "prieto_mean_frequency_hz": ("hz", "mean sway frequency (Prieto)", "two_sided"),
    "power_frequency_50_ml_hz": ("hz", "side-to-side median power frequency", "two_sided"),
    "power_frequency_50_ap_hz": ("hz", "forward-backward median power frequency", "two_sided"),
    "power_frequency_95_ml_hz": ("hz", "side-to-side 95 % power frequency", "two_sided"),
    "power_frequency_95_ap_hz": ("hz", "forward-backward 95 % power frequency", "two_sided"),
    "centroid_frequency_ap_hz": ("hz", "forward-backward centroid frequency", "two_sided"),
    "frequency_dispersion_ap_ratio": ("1", "forward-backward frequency dispersion", "two_sided"),
    "fractal_dimension_ce": ("1", "fractal dimension of the sway path", "two_sided"),
    "phase_plane_parameter_ap_m": ("cm", "forward-backward phase-plane parameter", "two_sided"),
    "principal_sway_direction_deg": ("deg", "principal sway direction", "two_sided"),
    "ap_short_term_loglog_intercept_m2": (
        "cm2",
        "short-term diffusion (AP, Quijoux)",
        "higher_is_worse",
    ),
    "ap_long_term_loglog_intercept_m2": (
        "cm2",
        "long-term diffusion (AP, Quijoux)",
        "higher_is_worse",
    ),
    "ap_critical_time_s": ("s", "forward-backward diffusion critical time", "two_sided"),
    "ap_short_term_scaling_exponent_ratio": ("1", "short-term scaling exponent (AP)", "two_sided"),
    "ap_long_term_scaling_exponent_ratio": ("1", "long-term scaling exponent (AP)", "two_sided"),
    "sway_density_mean_peak_s": ("s", "sway density peaks", "two_sided"),
    "sway_density_mean_distance_peak_m": ("cm", "distance between sway-density peaks", "two_sided"),
}


def si_to_table_factor(table_unit: str) -> float:
    """Factor that converts an SI value to ``table_unit`` (via :mod:`reeducate.units`)."""
    per_cm = 1.0 / length_to_m("cm", field="table_unit")
    factors = {
        "cm": per_cm,
        "cm_s": per_cm,
        "cm2": per_cm**2,
        "cm2_s": per_cm**2,
        "hz": 1.0,
        "s": 1.0,
        "deg": 1.0,
        "1": 1.0,
    }
    return factors[table_unit]


@dataclass(frozen=True, slots=True, kw_only=True)
class NormRow:
    """One published group distribution, in the publication's units (``table_unit``)."""

    source: NormSource
    metric: str
    age_group: AgeGroup
    surface: Surface
    vision: Vision
    n: int
    median: float | None = None
    q1: float | None = None
    q3: float | None = None
    mean: float | None = None
    sd: float | None = None

    def __post_init__(self) -> None:
        if self.metric not in NORM_METRICS:
            raise InvalidParameterError(
                f"metric must be one of the NORM_METRICS names; got {self.metric!r}"
            )
        quartiles = (self.q1, self.median, self.q3)
        if any(q is not None for q in quartiles):
            if self.q1 is None or self.median is None or self.q3 is None:
                raise InvalidParameterError(
                    f"q1, median and q3 must be given together; got {quartiles} ({self.metric})"
                )
            if not 0.0 < self.q1 < self.median < self.q3:
                raise InvalidParameterError(
                    f"quartiles must satisfy 0 < q1 < median < q3; got {quartiles} ({self.metric})"
                )
        if (self.mean is None) != (self.sd is None) or (self.sd is not None and self.sd <= 0):
            raise InvalidParameterError(
                f"mean and sd must be given together with sd > 0; got {self.mean}, {self.sd}"
            )

    @property
    def table_unit(self) -> str:
        """Unit of the published values (``cm2``, ``cm_s``, ``cm``, ``hz``, ``s``, ``deg``)."""
        return NORM_METRICS[self.metric][0]

    @property
    def has_quartiles(self) -> bool:
        """Whether median and IQR are published (percentiles are possible)."""
        return self.median is not None

    @property
    def citation(self) -> str:
        """Citation of the source."""
        return SOURCES[self.source].citation


_Quartiles = tuple[float, float, float]


def _rows(
    source: NormSource,
    metric: str,
    rows: Sequence[
        tuple[str, str, str, int, tuple[float, float, float] | None, tuple[float, float] | None]
    ],
) -> tuple[NormRow, ...]:
    out = []
    for age, surface, vision, n, quartiles, mean_sd in rows:
        q1, med, q3 = quartiles if quartiles is not None else (None, None, None)
        mean, sd = mean_sd if mean_sd is not None else (None, None)
        out.append(
            NormRow(
                source=source,
                metric=metric,
                age_group=AgeGroup(age),
                surface=Surface(surface),
                vision=Vision(vision),
                n=n,
                q1=q1,
                median=med,
                q3=q3,
                mean=mean,
                sd=sd,
            )
        )
    return tuple(out)


_H = NormSource.HBEDB
_P = NormSource.PDS
_Q = NormSource.QUIJOUX_HBEDB

# fmt: off
# HBEDB (reference/balance.md §4.1): (age, surface, vision, n, (Q1, median, Q3), (mean, SD)).
_HBEDB_AREA_CM2 = _rows(_H, "ellipse_area_95_m2", (
    ("young", "firm", "open",   87, (1.13, 1.95, 3.08),    (2.49, 2.15)),
    ("young", "firm", "closed", 87, (1.34, 2.14, 3.58),    (2.86, 2.38)),
    ("young", "foam", "open",   87, (8.63, 11.76, 14.88),  (12.89, 5.95)),
    ("young", "foam", "closed", 86, (10.97, 13.26, 18.28), (14.93, 6.23)),
    ("old",   "firm", "open",   76, (1.51, 2.17, 3.28),    (2.91, 3.35)),
    ("old",   "firm", "closed", 76, (1.44, 2.23, 3.06),    (2.76, 2.65)),
    ("old",   "foam", "open",   73, (13.99, 18.33, 26.26), (20.10, 6.91)),
    ("old",   "foam", "closed", 72, (18.89, 23.27, 32.67), (26.88, 12.22)),
))
_HBEDB_VELOCITY_CM_S = _rows(_H, "mean_velocity_m_s", (
    ("young", "firm", "open",   87, (0.66, 0.80, 1.05), (0.87, 0.30)),
    ("young", "firm", "closed", 87, (0.69, 0.82, 1.13), (0.96, 0.38)),
    ("young", "foam", "open",   87, (1.94, 2.22, 2.64), (2.38, 0.73)),
    ("young", "foam", "closed", 86, (2.41, 2.93, 3.56), (3.14, 1.05)),
    ("old",   "firm", "open",   76, (0.85, 1.00, 1.25), (1.13, 0.49)),
    ("old",   "firm", "closed", 76, (0.92, 1.09, 1.42), (1.22, 0.56)),
    ("old",   "foam", "open",   73, (3.11, 3.49, 3.99), (3.59, 0.72)),
    ("old",   "foam", "closed", 72, (3.65, 4.20, 4.78), (4.38, 1.11)),
))
_HBEDB_MFREQ_HZ = _rows(_H, "mean_power_frequency_hz", (
    ("young", "firm", "open",   87, (0.18, 0.22, 0.29), None),
    ("young", "firm", "closed", 87, (0.19, 0.24, 0.29), None),
    ("young", "foam", "open",   87, (0.21, 0.26, 0.31), None),
    ("young", "foam", "closed", 86, (0.28, 0.34, 0.40), None),
    ("old",   "firm", "open",   76, (0.24, 0.27, 0.35), None),
    ("old",   "firm", "closed", 76, (0.24, 0.30, 0.40), None),
    ("old",   "foam", "open",   73, (0.28, 0.33, 0.38), None),
    ("old",   "foam", "closed", 72, (0.32, 0.36, 0.40), None),
))
# PDS (reference/balance.md §4.2): area mean ± SD only; velocity median [IQR] only.
_PDS_AREA_CM2 = _rows(_P, "ellipse_area_95_m2", (
    ("young", "firm", "open",   27, None, (2.55, 1.24)),
    ("young", "firm", "closed", 27, None, (2.73, 1.27)),
    ("young", "foam", "open",   27, None, (10.41, 4.86)),
    ("young", "foam", "closed", 27, None, (13.04, 6.48)),
    ("old",   "firm", "open",   22, None, (2.98, 1.48)),
    ("old",   "firm", "closed", 22, None, (3.31, 1.90)),
    ("old",   "foam", "open",   22, None, (15.77, 8.10)),
    ("old",   "foam", "closed", 22, None, (22.00, 11.57)),
))
_PDS_VELOCITY_CM_S = _rows(_P, "mean_velocity_m_s", (
    ("young", "firm", "open",   27, (0.81, 0.86, 0.97), None),
    ("young", "firm", "closed", 27, (0.89, 0.95, 1.11), None),
    ("young", "foam", "open",   27, (1.65, 1.80, 1.92), None),
    ("young", "foam", "closed", 27, (2.33, 2.72, 3.06), None),
    ("old",   "firm", "open",   22, (0.95, 1.07, 1.22), None),
    ("old",   "firm", "closed", 22, (1.14, 1.32, 1.53), None),
    ("old",   "foam", "open",   22, (2.29, 2.70, 3.11), None),
    ("old",   "foam", "closed", 22, (3.42, 3.83, 5.08), None),
))
# Quijoux paper pipeline on HBEDB eyes-open firm (reference/balance.md §4.3), median [IQR]:
# metric: ((old Q1, median, Q3), (young Q1, median, Q3)); old n = 76, young n = 87.
_QUIJOUX_EO_FIRM: Final[Mapping[str, tuple[_Quartiles, _Quartiles]]] = {
    "ellipse_area_95_m2":                ((1.5, 2.16, 3.27),       (1.12, 1.95, 3.07)),
    "mean_velocity_m_s":                 ((0.779, 0.938, 1.2),     (0.604, 0.744, 0.989)),
    "mean_velocity_ml_m_s":              ((0.353, 0.432, 0.565),   (0.295, 0.391, 0.486)),
    "mean_velocity_ap_m_s":              ((0.596, 0.739, 0.926),   (0.447, 0.535, 0.712)),
    "rms_ml_m":                          ((0.22, 0.273, 0.328),    (0.187, 0.259, 0.343)),
    "rms_ap_m":                          ((0.351, 0.419, 0.552),   (0.325, 0.424, 0.497)),
    "mean_distance_m":                   ((0.392, 0.462, 0.578),   (0.338, 0.447, 0.562)),
    "range_ml_m":                        ((1.17, 1.51, 1.95),      (1.08, 1.39, 2.01)),
    "range_ap_m":                        ((2.04, 2.3, 2.87),       (1.75, 2.14, 2.55)),
    "sway_area_per_second_m2_s":         ((0.0903, 0.134, 0.187),  (0.0665, 0.0996, 0.152)),
    "prieto_mean_frequency_hz":                 ((0.277, 0.327, 0.409),   (0.227, 0.272, 0.341)),
    "power_frequency_50_ml_hz":          ((0.317, 0.384, 0.467),   (0.317, 0.35, 0.401)),
    "power_frequency_50_ap_hz":          ((0.3, 0.384, 0.434),     (0.284, 0.334, 0.384)),
    "power_frequency_95_ml_hz":          ((0.897, 1.1, 1.25),      (0.985, 1.17, 1.36)),
    "power_frequency_95_ap_hz":          ((1.08, 1.23, 1.39),      (1.02, 1.12, 1.25)),
    "centroid_frequency_ap_hz":          ((0.552, 0.663, 0.746),   (0.516, 0.575, 0.652)),
    "frequency_dispersion_ap_ratio":     ((0.582, 0.606, 0.634),   (0.598, 0.626, 0.648)),
    "fractal_dimension_ce":        ((1.86, 1.95, 2.06),      (1.78, 1.86, 1.94)),
    "phase_plane_parameter_ap_m":        ((0.894, 1.06, 1.38),     (0.727, 0.827, 1.1)),
    "principal_sway_direction_deg":      ((6.11, 12.2, 20.4),      (7.97, 14.9, 22.3)),
    "ap_short_term_loglog_intercept_m2": ((0.332, 0.445, 0.732), (0.185, 0.255, 0.443)),
    "ap_long_term_loglog_intercept_m2": ((0.0983, 0.142, 0.208), (0.0585, 0.0861, 0.141)),
    "ap_critical_time_s":                ((0.302, 0.405, 0.538),   (0.296, 0.432, 0.55)),
    "ap_short_term_scaling_exponent_ratio":       ((0.857, 0.878, 0.904),   (0.861, 0.883, 0.896)),
    "ap_long_term_scaling_exponent_ratio":        ((0.0958, 0.158, 0.223),  (0.13, 0.245, 0.323)),
    "sway_density_mean_peak_s":          ((1.09, 1.67, 2.23),      (1.7, 2.51, 3.59)),
    "sway_density_mean_distance_peak_m": ((0.212, 0.277, 0.346),   (0.167, 0.211, 0.273)),
}
# fmt: on

_QUIJOUX_ROWS = tuple(
    row
    for metric, (old, young) in _QUIJOUX_EO_FIRM.items()
    for row in _rows(
        _Q,
        metric,
        (("old", "firm", "open", 76, old, None), ("young", "firm", "open", 87, young, None)),
    )
)

#: Every published norm row (values in each row's ``table_unit``).
NORM_TABLE: Final[tuple[NormRow, ...]] = (
    *_HBEDB_AREA_CM2,
    *_HBEDB_VELOCITY_CM_S,
    *_HBEDB_MFREQ_HZ,
    *_PDS_AREA_CM2,
    *_PDS_VELOCITY_CM_S,
    *_QUIJOUX_ROWS,
)

_INDEX: Final[Mapping[tuple[NormSource, str, AgeGroup, Surface, Vision], NormRow]] = {
    (r.source, r.metric, r.age_group, r.surface, r.vision): r for r in NORM_TABLE
}


def age_group_for(age_years: float, /) -> AgeGroup | None:
    """Age group of the norms for an age in years; ``None`` below 18 (no norms).

    >>> age_group_for(75.3), age_group_for(33.0), age_group_for(12.0)
    (<AgeGroup.OLD: 'old'>, <AgeGroup.YOUNG: 'young'>, None)
    """
    if not math.isfinite(age_years) or age_years <= 0 or age_years > 130:
        raise InvalidParameterError(f"age_years must be in (0, 130]; got {age_years!r}")
    if age_years < 18.0:
        return None
    return AgeGroup.YOUNG if age_years < 60.0 else AgeGroup.OLD


def resolve_age_group(
    *, age_years: float | None, age_group: AgeGroup | str | None
) -> AgeGroup | None:
    """The norm group from an age in years or a named group (one of them, or both agreeing).

    >>> resolve_age_group(age_years=None, age_group="old")
    <AgeGroup.OLD: 'old'>
    >>> resolve_age_group(age_years=16.0, age_group=None) is None
    True
    """
    named: AgeGroup | None = None
    if age_group is not None:
        try:
            named = AgeGroup(age_group)
        except ValueError:
            raise InvalidParameterError(
                f"age_group must be one of {[g.value for g in AgeGroup]}; got {age_group!r}"
            ) from None
    if age_years is None:
        if named is None:
            raise InvalidParameterError("age_years or age_group must be given; got neither")
        return named
    from_age = age_group_for(age_years)
    if named is not None and from_age is not named:
        raise InvalidParameterError(
            f"age_group must agree with age_years; got {named.value!r} and {age_years:g} years"
        )
    return from_age


def find_norm(
    *, source: NormSource, metric: str, age_group: AgeGroup, surface: Surface, vision: Vision
) -> NormRow | None:
    """The published row for these keys, or ``None`` when the source has none.

    >>> row = find_norm(source=NormSource.HBEDB, metric="mean_velocity_m_s",
    ...                 age_group=AgeGroup.OLD, surface=Surface.FOAM, vision=Vision.CLOSED)
    >>> row.median, row.table_unit, row.n
    (4.2, 'cm_s', 72)
    """
    return _INDEX.get((source, metric, age_group, surface, vision))


def _log_scales(row: NormRow, method: PercentileMethod) -> tuple[float, float, float]:
    if row.q1 is None or row.median is None or row.q3 is None:
        raise InvalidParameterError(
            f"row must publish median and IQR for a percentile; {row.source.value} "
            f"{row.metric} has none"
        )
    mu = math.log(row.median)
    if method == "split_lognormal":
        return mu, (mu - math.log(row.q1)) / Z75, (math.log(row.q3) - mu) / Z75
    if method == "lognormal_iqr":
        sigma = (math.log(row.q3) - math.log(row.q1)) / (2.0 * Z75)
        return mu, sigma, sigma
    raise InvalidParameterError(
        f"method must be 'split_lognormal' or 'lognormal_iqr'; got {method!r}"
    )


def norm_percentile(
    value: float, /, *, row: NormRow, method: PercentileMethod = "split_lognormal"
) -> float:
    """Percentile (0–100) of ``value`` (in ``row.table_unit``) in the row's log-normal model.

    Parameters
    ----------
    value : float
        Value in the table's unit (e.g. cm² for an area row).
    row : NormRow
        A row with median and IQR.
    method : {"split_lognormal", "lognormal_iqr"}
        See the module docstring.

    Returns
    -------
    float
        Percentile in [0, 100]; 0 for ``value <= 0``.

    Examples
    --------
    >>> row = find_norm(source=NormSource.HBEDB, metric="ellipse_area_95_m2",
    ...                 age_group=AgeGroup.YOUNG, surface=Surface.FIRM, vision=Vision.OPEN)
    >>> [round(norm_percentile(v, row=row), 9) for v in (row.q1, row.median, row.q3)]
    [25.0, 50.0, 75.0]
    """
    mu, sigma_lo, sigma_hi = _log_scales(row, method)
    if not math.isfinite(value):
        raise InvalidParameterError(f"value must be finite; got {value!r} ({row.metric})")
    if value <= 0.0:
        return 0.0
    z = math.log(value) - mu
    z /= sigma_lo if z < 0 else sigma_hi
    return 100.0 * float(ndtr(z))


def norm_quantile(
    percentile: float, /, *, row: NormRow, method: PercentileMethod = "split_lognormal"
) -> float:
    """Value (in ``row.table_unit``) at ``percentile`` (0 < p < 100): inverse of
    :func:`norm_percentile`.

    >>> row = find_norm(source=NormSource.HBEDB, metric="mean_velocity_m_s",
    ...                 age_group=AgeGroup.OLD, surface=Surface.FIRM, vision=Vision.OPEN)
    >>> round(norm_quantile(50.0, row=row), 12), round(norm_quantile(75.0, row=row), 12)
    (1.0, 1.25)
    """
    if not 0.0 < percentile < 100.0:
        raise InvalidParameterError(f"percentile must be in (0, 100); got {percentile!r}")
    mu, sigma_lo, sigma_hi = _log_scales(row, method)
    z = float(ndtri(percentile / 100.0))
    return math.exp(mu + z * (sigma_lo if z < 0 else sigma_hi))


NormStatus = Literal["compared", "no_norm"]


@dataclass(frozen=True, slots=True, kw_only=True)
class NormComparison:
    """A value compared with its age group's published distribution.

    Attributes
    ----------
    metric : str
        SI metric name.
    condition : TrialCondition
        Condition of the value.
    value_si : float
        The value compared, SI units.
    status : {"compared", "no_norm"}
        ``"no_norm"`` when no norm applies; ``reason`` says why.
    reason : str
        Why no norm applies ("" when compared).
    age_group : AgeGroup or None
    source : NormSource or None
    row : NormRow or None
        The published row used.
    value_table : float or None
        The value in ``row.table_unit``.
    percentile : float or None
        0–100, from the log-normal model (``method``); ``None`` without quartiles.
    z_score : float or None
        ``(value − mean) / SD``; ``None`` without mean ± SD.
    outside_band : bool or None
        Whether the value is outside the normal band (see ``band``).
    band : str
        The band in words, e.g. "at or below the 95th percentile".
    interpretation : str
        One sentence a therapist can read.
    method : str
        Percentile method.
    """

    metric: str
    condition: TrialCondition
    value_si: float
    status: NormStatus
    reason: str = ""
    age_group: AgeGroup | None = None
    source: NormSource | None = None
    row: NormRow | None = None
    value_table: float | None = None
    percentile: float | None = None
    z_score: float | None = None
    outside_band: bool | None = None
    band: str = ""
    interpretation: str = ""
    method: str = "split_lognormal"


def _condition_words(condition: TrialCondition) -> str:
    surface = "a firm surface" if condition.surface is Surface.FIRM else "foam"
    vision = "eyes open" if condition.vision is Vision.OPEN else "eyes closed"
    return f"standing on {surface} with {vision}"


def _interpret(
    *, metric: str, percentile: float | None, z_score: float | None, group: str
) -> tuple[bool | None, str, str]:
    _, noun, direction = NORM_METRICS[metric]
    if percentile is None:
        if z_score is None:
            return None, "", "no spread published"
        flag = z_score > Z_FLAG
        band = f"z ≤ {Z_FLAG:.3f} (≈ 95th percentile under normality)"
        if flag:
            return True, band, f"{noun} {z_score:.1f} SD above the mean of {group}: above normal"
        return False, band, f"within the normal range of {group} ({noun}, z = {z_score:.1f})"
    if direction == "higher_is_worse":
        band = f"at or below the {UPPER_BAND_PCT:.0f}th percentile"
        if percentile > UPPER_BAND_PCT:
            more = min(math.floor(percentile), 99)
            return True, band, f"more sway than {more} % of {group} ({noun})"
        return (
            False,
            band,
            f"within the normal range of {group} ({noun}, percentile {percentile:.0f})",
        )
    band = f"between the {LOWER_BAND_PCT:.0f}th and {UPPER_BAND_PCT:.0f}th percentiles"
    if percentile > UPPER_BAND_PCT:
        return True, band, f"{noun} higher than {min(math.floor(percentile), 99)} % of {group}"
    if percentile < LOWER_BAND_PCT:
        lower = min(math.floor(100.0 - percentile), 99)
        return True, band, f"{noun} lower than {lower} % of {group}"
    return False, band, f"within the normal range of {group} ({noun}, percentile {percentile:.0f})"


def protocol_problem(
    source: NormSource, /, *, sampling_rate_hz: float, duration_s: float
) -> str | None:
    """Why a trial does not match the protocol of ``source``'s norms, or ``None`` if it does.

    >>> protocol_problem(NormSource.HBEDB, sampling_rate_hz=1000.0, duration_s=60.0)
    'norms of hbedb were measured at 100 Hz; got 1000 Hz'
    """
    protocol = SOURCES[source]
    if not math.isclose(sampling_rate_hz, protocol.sampling_rate_hz, rel_tol=1e-6):
        return (
            f"norms of {source.value} were measured at {protocol.sampling_rate_hz:g} Hz; "
            f"got {sampling_rate_hz:g} Hz"
        )
    lo_s, hi_s = protocol.duration_range_s
    if not lo_s <= duration_s <= hi_s:
        return f"norms of {source.value} need trials of {lo_s:g}–{hi_s:g} s; got {duration_s:.1f} s"
    return None


def compare_with_norm(
    value_si: float,
    /,
    *,
    metric: str,
    condition: TrialCondition,
    preset: str,
    sampling_rate_hz: float,
    duration_s: float,
    age_years: float | None = None,
    age_group: AgeGroup | str | None = None,
    source: NormSource | None = None,
    method: PercentileMethod = "split_lognormal",
) -> NormComparison:
    """Compare one value with the published norm of its age group and condition.

    Parameters
    ----------
    value_si : float
        The value in SI units (e.g. m² for ``ellipse_area_95_m2``). For a session, pass the
        condition median of 3 trials: the norms are distributions of such medians.
    metric : str
        SI metric name.
    condition : TrialCondition
        Vision, surface and stance of the measurement.
    preset : str
        Preset the value was computed with; must be one the source was computed with.
    sampling_rate_hz, duration_s : float
        Sampling rate and duration of the analysed trial(s); must match the source's protocol.
    age_years : float, optional
        Age of the person in years (picks the group; no norms below 18).
    age_group : AgeGroup or {"young", "old"}, optional
        The group, when the age is not given (or to check it).
    source : NormSource, optional
        Source of norms; by default the one of the preset (:data:`DEFAULT_SOURCE`).
    method : {"split_lognormal", "lognormal_iqr"}
        Percentile model (module docstring).

    Returns
    -------
    NormComparison
        ``status="no_norm"`` with the reason when the norms do not apply.

    Examples
    --------
    >>> from reeducate.balance.trial import TrialCondition, Surface, Vision
    >>> c = compare_with_norm(0.08, metric="mean_velocity_m_s", age_years=75.0,
    ...     condition=TrialCondition(surface=Surface.FOAM, vision=Vision.CLOSED),
    ...     preset="santos-duarte-2016", sampling_rate_hz=100.0, duration_s=60.0)
    >>> c.outside_band, c.interpretation
    (True, 'more sway than 99 % of adults 60+ standing on foam with eyes closed (sway speed)')
    >>> compare_with_norm(1e-4, metric="ellipse_area_95_m2", age_years=75.0,
    ...     condition=TrialCondition(surface=Surface.FIRM, vision=Vision.OPEN),
    ...     preset="quijoux-2021", sampling_rate_hz=25.0, duration_s=60.0,
    ...     source=NormSource.HBEDB).reason
    "norms of hbedb apply only to preset(s) ['santos-duarte-2016']; got 'quijoux-2021'"
    """
    if not math.isfinite(value_si):
        raise InvalidParameterError(f"value_si must be finite; got {value_si!r} ({metric})")
    if metric not in NORM_METRICS:
        raise InvalidParameterError(f"metric must be one of {sorted(NORM_METRICS)}; got {metric!r}")
    group = resolve_age_group(age_years=age_years, age_group=age_group)

    def no_norm(reason: str) -> NormComparison:
        return NormComparison(
            metric=metric,
            condition=condition,
            value_si=value_si,
            status="no_norm",
            reason=reason,
            age_group=group,
            source=source,
            method=method,
        )

    if source is None:
        if preset not in DEFAULT_SOURCE:
            return no_norm(
                f"no published norms for preset {preset!r}; norms exist for "
                f"{sorted(DEFAULT_SOURCE)}"
            )
        source = DEFAULT_SOURCE[preset]
    protocol = SOURCES[source]
    if preset not in protocol.presets:
        return no_norm(
            f"norms of {source.value} apply only to preset(s) {list(protocol.presets)}; "
            f"got {preset!r}"
        )
    if group is None:
        return no_norm(f"no norms below 18 years; got {age_years} years")
    if condition.stance is not Stance.BIPEDAL:
        return no_norm(f"norms are for bipedal stance; got {condition.stance.value}")
    if condition.surface is None or condition.vision is None:
        return no_norm("the trial's surface or vision is unknown")
    problem = protocol_problem(source, sampling_rate_hz=sampling_rate_hz, duration_s=duration_s)
    if problem is not None:
        return no_norm(problem)
    row = find_norm(
        source=source,
        metric=metric,
        age_group=group,
        surface=condition.surface,
        vision=condition.vision,
    )
    if row is None:
        return no_norm(
            f"{source.value} publishes no {metric} norm for {AGE_GROUP_WORDS[group]} "
            f"{_condition_words(condition)}"
        )
    value_table = value_si * si_to_table_factor(row.table_unit)
    percentile = norm_percentile(value_table, row=row, method=method) if row.has_quartiles else None
    z_score = (
        (value_table - row.mean) / row.sd if row.mean is not None and row.sd is not None else None
    )
    words = f"{AGE_GROUP_WORDS[group]} {_condition_words(condition)}"
    outside, band, interpretation = _interpret(
        metric=metric, percentile=percentile, z_score=z_score, group=words
    )
    return NormComparison(
        metric=metric,
        condition=condition,
        value_si=value_si,
        status="compared",
        age_group=group,
        source=source,
        row=row,
        value_table=value_table,
        percentile=percentile,
        z_score=z_score,
        outside_band=outside,
        band=band,
        interpretation=interpretation,
        method=method,
    )


def compare_summary_with_norms(
    summary: ConditionSummary,
    /,
    *,
    age_years: float | None = None,
    age_group: AgeGroup | str | None = None,
    metrics: Sequence[str] | None = None,
    source: NormSource | None = None,
    method: PercentileMethod = "split_lognormal",
) -> tuple[NormComparison, ...]:
    """Compare each condition median of a session with the norms (see :func:`compare_with_norm`).

    Parameters
    ----------
    summary : ConditionSummary
        From :func:`reeducate.balance.conditions.summarize_conditions`.
    age_years, age_group
        Age in years and/or the norm group (as :func:`compare_with_norm`).
    metrics : sequence of str, optional
        Metrics to compare; by default those of the summary that have a norm.
    source, method
        As :func:`compare_with_norm`.

    Returns
    -------
    tuple of NormComparison
        One per condition and metric, in the summary's condition order. A condition whose trials
        do not all match the source's protocol (rate, duration) gets ``no_norm``.

    Examples
    --------
    >>> compare_summary_with_norms.__name__
    'compare_summary_with_norms'
    """
    chosen = tuple(m for m in summary.metrics if m in NORM_METRICS) if metrics is None else metrics
    out = []
    for entry in summary.conditions:
        # The protocol must hold for every trial: compare with the first trial that breaks it
        # (so the reason is reported), else with the first trial's rate and duration.
        trials = list(zip(entry.sampling_rates_hz, entry.durations_s, strict=True))
        rate, duration = trials[0]
        resolved = source if source is not None else DEFAULT_SOURCE.get(summary.preset)
        if resolved is not None:
            for r, d in trials:
                if protocol_problem(resolved, sampling_rate_hz=r, duration_s=d) is not None:
                    rate, duration = r, d
                    break
        for metric in chosen:
            out.append(
                compare_with_norm(
                    entry.median[metric],
                    metric=metric,
                    age_years=age_years,
                    age_group=age_group,
                    condition=entry.condition,
                    preset=summary.preset,
                    sampling_rate_hz=rate,
                    duration_s=duration,
                    source=source,
                    method=method,
                )
            )
    return tuple(out)
