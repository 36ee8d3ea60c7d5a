"""The full set of centre-of-pressure sway metrics, computed once per trial.

:func:`compute_sway_metrics` validates and centres the trajectory once and shares the
centring, second moments, steps, ellipse and power spectra across the families:

* positional (:mod:`.positional`): distances, RMS, ranges, sway direction;
* the 95 % prediction ellipse (:mod:`.ellipse`);
* dynamic (:mod:`.dynamic`): path length, velocities, sway area, phase plane, fractal
  dimension, Prieto's mean frequency, velocity peaks;
* spectral (:mod:`.spectral`): Welch PSD summaries per axis and the combined mean power
  frequency;
* stabilogram diffusion analysis (:mod:`.stochastic`) and sway density (:mod:`.sway_density`).

Every number depends on the :class:`~reeducate.balance.conventions.SwayConventions` passed in,
which travel with the result.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from numpy.typing import ArrayLike

from reeducate.balance.metrics import dynamic, ellipse, positional, spectral
from reeducate.balance.metrics import stochastic as _stochastic
from reeducate.balance.metrics import sway_density as _sway_density
from reeducate.balance.metrics.positional import centre_cop
from reeducate.balance.metrics.spectral import cop_power_spectrum
from reeducate.errors import InvalidParameterError, SignalQualityError, SignalQualityWarning
from reeducate.signals.checks import check_sampling_rate

if TYPE_CHECKING:
    from reeducate.balance.conventions import SwayConventions


def _collect_descriptions() -> Mapping[str, str]:
    merged: dict[str, str] = {}
    for module in (positional, ellipse, dynamic, spectral, _stochastic, _sway_density):
        # The diffusion and sway-density modules may publish theirs under either name.
        for attribute in ("DESCRIPTIONS", "METRIC_DESCRIPTIONS"):
            table = getattr(module, attribute, None)
            if isinstance(table, Mapping):
                merged.update({str(k): str(v) for k, v in table.items()})
    return MappingProxyType(merged)


#: SI metric name -> one-line plain-language description with its reference.
METRIC_DESCRIPTIONS: Final[Mapping[str, str]] = _collect_descriptions()


@dataclass(frozen=True, slots=True, kw_only=True)
class SwayMetrics:
    """Sway metrics of one trial, with the conventions that produced them.

    Attributes
    ----------
    values : Mapping[str, float]
        Read-only metric values in SI units, each name ending in its unit
        (``ellipse_area_95_m2``, ``mean_velocity_m_s``, ``mean_power_frequency_hz``, ...).
        NaN where a metric is undefined for this trial (e.g. a ratio for a motionless CoP).
    conventions : SwayConventions
        The conventions used; ``conventions.as_dict()`` is what to store beside the values.
    """

    values: Mapping[str, float]
    conventions: SwayConventions


def _merge(values: dict[str, float], extra: Mapping[str, float], source: str) -> None:
    clash = values.keys() & extra.keys()
    if clash:
        raise InvalidParameterError(
            f"{source} returned metric names that already exist: {', '.join(sorted(clash))}"
        )
    values.update({str(k): float(v) for k, v in extra.items()})


def _family_names(module: object) -> tuple[str, ...]:
    for attribute in ("DESCRIPTIONS", "METRIC_DESCRIPTIONS"):
        table = getattr(module, attribute, None)
        if isinstance(table, Mapping):
            return tuple(str(k) for k in table)
    raise InvalidParameterError(f"{module!r} publishes no metric names")  # pragma: no cover


def _merge_family(
    values: dict[str, float],
    compute: Callable[[], Mapping[str, float]],
    *,
    module: object,
    label: str,
) -> None:
    """Merge one family's metrics; a family the record cannot support (too short, no motion)
    is reported as NaN with a :class:`SignalQualityWarning` saying why, so that the other
    families are still computed and no number is silently wrong."""
    try:
        extra = compute()
    except SignalQualityError as exc:
        warnings.warn(f"{label} not computed, reported as NaN: {exc}", SignalQualityWarning,
                      stacklevel=3)  # fmt: skip
        extra = dict.fromkeys(_family_names(module), math.nan)
    _merge(values, extra, label)


def compute_sway_metrics(
    ap_m: ArrayLike,
    ml_m: ArrayLike,
    /,
    *,
    sampling_rate_hz: float,
    conventions: SwayConventions,
    origin_ap_m: float = 0.0,
    origin_ml_m: float = 0.0,
) -> SwayMetrics:
    """Every sway metric of a CoP trajectory under one set of conventions.

    The trajectory is validated and centred once (as ``conventions.centring`` says); moments,
    steps, the ellipse and the Welch spectra are computed once and shared. The formulas and
    references of each metric are in the family modules and in :data:`METRIC_DESCRIPTIONS`.

    Parameters
    ----------
    ap_m, ml_m : array_like, shape (n_samples,)
        Raw anterior-posterior and medio-lateral CoP in metres, in the plate or board frame
        (mean not removed), uniformly sampled. Never modified. With
        ``conventions.centring="as_given"`` positions are measured from the arrays' origin
        instead of their mean: refer them to the chosen point first (the "quijoux-2021"
        preset's ``Preprocessing(centre="raw_mean")``).
    sampling_rate_hz : float
        Sampling rate in Hz (> 0).
    conventions : SwayConventions
        Every convention that changes numbers; use ``SwayConventions.santos_duarte_2016()``
        to compare with the published data-set norms.
    origin_ap_m, origin_ml_m : float
        Plate-frame position of the arrays' origin, when a preprocessing step moved it
        (:func:`~reeducate.balance.preprocess.centre_offset_m`); added to
        ``mean_position_{ap,ml}_m`` only (every other metric is relative). Default 0: the
        arrays are in the plate frame.

    Returns
    -------
    SwayMetrics

    Raises
    ------
    InvalidParameterError
        ``sampling_rate_hz`` not a finite positive number; arrays not 1-D of equal length.
    SignalQualityError
        Non-finite samples; a record too short for the core metrics (fewer than 3 samples for
        the ellipse, fewer than the Savitzky-Golay window).

    Warns
    -----
    SignalQualityWarning
        When the record cannot support the spectral, diffusion or sway-density family (shorter
        than one Welch segment or than the diffusion lags, a CoP that never moves): that
        family's metrics are NaN and the warning says why.

    References
    ----------
    Prieto TE et al. (1996) IEEE Trans Biomed Eng 43(9):956-966. doi:10.1109/10.532130

    Santos DA, Duarte M (2016) PeerJ 4:e2648. doi:10.7717/peerj.2648

    Quijoux F et al. (2021) Physiol Rep 9(22):e15067. doi:10.14814/phy2.15067

    Examples
    --------
    >>> import numpy as np
    >>> from reeducate.balance.conventions import SwayConventions
    >>> rng = np.random.default_rng(7)
    >>> steps = rng.normal(0.0, 1e-4, size=(6000, 2))  # 60 s at 100 Hz, 0.1 mm steps
    >>> ap = 0.05 + np.cumsum(steps[:, 0])
    >>> ml = -0.01 + np.cumsum(steps[:, 1])
    >>> result = compute_sway_metrics(ap, ml, sampling_rate_hz=100.0,
    ...                               conventions=SwayConventions.santos_duarte_2016())
    >>> v = result.values
    >>> bool(np.isclose(v["mean_velocity_m_s"], v["path_length_m"] / 60.0, rtol=1e-12))
    True
    >>> v["ellipse_area_95_m2"] > 0, result.conventions.as_dict()["covariance_ddof"]
    (True, 1)
    """
    fs = check_sampling_rate(sampling_rate_hz)
    for name, origin in (("origin_ap_m", origin_ap_m), ("origin_ml_m", origin_ml_m)):
        if not (isinstance(origin, int | float) and math.isfinite(origin)):
            raise InvalidParameterError(f"{name} must be a finite number; got {origin!r}")
    n_required = dynamic.min_samples(conventions)
    cop = centre_cop(
        ap_m,
        ml_m,
        min_samples=n_required,
        purpose="the sway metrics",
        centring=conventions.centring,
    )
    values: dict[str, float] = positional.positional_from_centred(cop)
    values["mean_position_ap_m"] += origin_ap_m
    values["mean_position_ml_m"] += origin_ml_m
    fitted = ellipse.ellipse_from_centred(cop, conventions=conventions)
    _merge(values, fitted.as_metrics(), "ellipse")
    _merge(
        values,
        dynamic.dynamic_from_centred(
            cop,
            sampling_rate_hz=fs,
            conventions=conventions,
            positional=values,
            ellipse=fitted,
        ),
        "dynamic metrics",
    )
    _merge_family(
        values,
        lambda: spectral.spectral_from_centred(cop, sampling_rate_hz=fs, conventions=conventions),
        module=spectral,
        label="spectral metrics",
    )
    _merge_family(
        values,
        lambda: _stochastic.diffusion_metrics(
            cop.ap, cop.ml, sampling_rate_hz=fs, conventions=conventions.diffusion
        ),
        module=_stochastic,
        label="stabilogram diffusion metrics",
    )
    _merge_family(
        values,
        lambda: _sway_density.sway_density_metrics(
            cop.ap, cop.ml, sampling_rate_hz=fs, conventions=conventions.sway_density
        ),
        module=_sway_density,
        label="sway density metrics",
    )
    return SwayMetrics(values=MappingProxyType(values), conventions=conventions)


__all__ = [
    "METRIC_DESCRIPTIONS",
    "SwayMetrics",
    "compute_sway_metrics",
    "cop_power_spectrum",
]
