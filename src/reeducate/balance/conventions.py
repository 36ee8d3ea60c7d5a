"""Every convention that changes the number a sway metric gives, in one explicit object.

Two implementations of "the 95 % ellipse area" or "the mean power frequency" can differ by
orders of magnitude (confidence vs prediction ellipse) or by a few per cent (Welch parameters,
covariance divisor). :class:`SwayConventions` names each choice, is stored with every result
(:meth:`SwayConventions.as_dict`), and comes in two presets:

* :meth:`SwayConventions.santos_duarte_2016` (the default) reproduces the published per-trial
  ``COParea``, ``COPvelo`` and ``COPmfreq`` of the public human-balance data set (Santos & Duarte
  2016) and of the two-plate data set (dos Santos et al. 2017) to rounding error;
* :meth:`SwayConventions.quijoux_2021` reproduces the open code of Quijoux et al. 2021
  (population covariance, 10-s linear-detrended Welch zero-padded to the record length, sums of
  PSD bins over 0.15-5 Hz, (N-1)/fs durations where that code uses them).

References
----------
Santos DA, Duarte M (2016) A public data set of human balance evaluations. PeerJ 4:e2648.
doi:10.7717/peerj.2648

Quijoux F et al. (2021) A review of center of pressure (COP) variables to quantify standing
balance in elderly people: algorithms and open-access code. Physiol Rep 9(22):e15067.
doi:10.14814/phy2.15067
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal, get_args

from reeducate.balance.metrics.stochastic import DiffusionConventions
from reeducate.balance.metrics.sway_density import SwayDensityConventions
from reeducate.errors import InvalidParameterError

EllipseMethod = Literal["f_prediction", "chi2_prediction", "prieto_f3"]
"""Scale of the 95 % prediction ellipse (see :mod:`reeducate.balance.metrics.ellipse`)."""

DurationConvention = Literal["n_over_fs", "n_minus_1_over_fs"]
"""Record duration: ``N / fs`` (Santos & Duarte, Quijoux velocity) or ``(N - 1) / fs``."""

SpectralIntegral = Literal["rectangle", "trapezoid"]
"""How PSD bins become powers: ``Δf·ΣP`` (rectangle; Quijoux's sums times the bin width) or the
trapezoid rule (Santos & Duarte ``psd2``)."""

AxisCombination = Literal["power_weighted_sum", "summed_spectrum"]
"""How the AP and ML spectra give one ``mean_power_frequency_hz``.

``power_weighted_sum``: per-axis mean power frequencies weighted by the plain sum of each
axis's PSD bins in the band (the Santos & Duarte notebook). ``summed_spectrum``: the mean power
frequency of the sum of the two spectra (integrated with :data:`SpectralIntegral`)."""

WelchNfft = Literal["segment", "record"]
"""FFT length of each Welch segment: the segment length, or the whole record (zero-padding)."""

WelchDetrend = Literal["constant", "linear"]
"""Detrending of each Welch segment."""

Centring = Literal["signal_mean", "as_given"]
"""Where positions are measured from: the mean of the signal the metrics receive, or the
signal's own origin (for a signal already referred to a chosen point, e.g. by
``Preprocessing(centre="raw_mean")``)."""


def _check_literal(name: str, value: object, options: object) -> None:
    allowed = get_args(options)
    if value not in allowed:
        raise InvalidParameterError(
            f"{name} must be one of {', '.join(repr(a) for a in allowed)}; got {value!r}"
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class SwayConventions:
    """Conventions of the sway metrics; stored with every result.

    The defaults are those of :meth:`santos_duarte_2016`.

    Parameters
    ----------
    ellipse_method : {"f_prediction", "chi2_prediction", "prieto_f3"}
        Scale of the 95 % prediction ellipse. ``f_prediction``: exact prediction (tolerance)
        region of a bivariate normal, ``2·F_.95(2, N-2)·(N-1)(N+1)/(N(N-2))`` (Chew 1966; Duarte
        2015). ``chi2_prediction``: its large-N limit ``χ²_.95(2) = 5.991`` (Schubert & Kirchner
        2014). ``prieto_f3``: Prieto et al. 1996 with ``F ≈ 3.00``, i.e. 6.
    covariance_ddof : {0, 1}
        Divisor ``N - ddof`` of the covariance used by the ellipse: 1 (sample covariance,
        Santos & Duarte) or 0 (population moments, Quijoux and Prieto).
    velocity_duration : {"n_over_fs", "n_minus_1_over_fs"}
        Duration ``T`` in mean velocity = path length / T.
    sway_area_duration : {"n_over_fs", "n_minus_1_over_fs"}
        Duration in the sway area per second (Quijoux: ``(N-1)/fs``).
    prieto_frequency_duration : {"n_over_fs", "n_minus_1_over_fs"}
        Duration of the mean speed inside Prieto's mean frequency (Quijoux averages the N-1
        sample speeds, i.e. ``(N-1)/fs``).
    welch_segment_s : float or None
        Welch segment length in seconds; ``None`` means half the record (``N // 2`` samples,
        Santos & Duarte).
    welch_overlap_ratio : float
        Overlap of consecutive segments as a fraction of the segment, in [0, 1); the overlap in
        samples is ``floor(ratio · nperseg)``.
    welch_nfft : {"segment", "record"}
        FFT length: the segment (no zero-padding) or the record length ``N`` (Quijoux).
    welch_detrend : {"constant", "linear"}
        Detrending of each segment. The window is always Hann (periodic, scipy's default).
    band_low_hz, band_high_hz : float, float or None
        Analysis band of the spectral metrics, both ends included; ``band_high_hz=None`` means
        the Nyquist frequency. Santos & Duarte: the whole spectrum; Quijoux: 0.15-5 Hz.
    spectral_integral : {"rectangle", "trapezoid"}
        Integration rule for powers and spectral moments.
    mean_power_frequency_axes : {"power_weighted_sum", "summed_spectrum"}
        How AP and ML combine into ``mean_power_frequency_hz``.
    velocity_savgol_window : int
        Window (samples, odd) of the Savitzky-Golay differentiator giving the velocity used by
        the phase-plane parameter and the velocity peaks (Quijoux: 5).
    velocity_savgol_polyorder : int
        Polynomial order of that differentiator (Quijoux: 3).
    centring : {"signal_mean", "as_given"}
        Point the positional, ellipse and dynamic metrics measure positions from.
        ``signal_mean`` (default): the mean of the trajectory they receive (Prieto 1996;
        Santos & Duarte). ``as_given``: the trajectory's own origin, with second moments taken
        about it and the ellipse centred on it, for a signal already referred to a chosen
        point; the "quijoux-2021" preset sets the origin to the mean of the raw signal before
        resampling and filtering (``Preprocessing(centre="raw_mean")``), as that code does, so
        the processed signal's small residual mean is kept in the distances. Only with such a
        preprocessing step: on plate-frame coordinates ``as_given`` measures from the plate's
        origin. Translation-invariant metrics (ranges, path lengths, velocities, spectra,
        diffusion, sway density) do not depend on it.
    diffusion : DiffusionConventions
        Conventions of the stabilogram diffusion analysis.
    sway_density : SwayDensityConventions
        Conventions of the sway-density curve.

    References
    ----------
    Chew V (1966) Confidence, prediction, and tolerance regions for the multivariate normal
    distribution. J Am Stat Assoc 61(315):605-617. doi:10.1080/01621459.1966.10480892

    Prieto TE et al. (1996) Measures of postural steadiness: differences between healthy young
    and elderly adults. IEEE Trans Biomed Eng 43(9):956-966. doi:10.1109/10.532130

    Schubert P, Kirchner M (2014) Ellipse area calculations and their applicability in
    posturography. Gait Posture 39(1):518-522. doi:10.1016/j.gaitpost.2013.09.001

    Duarte M (2015) Comments on "Ellipse area calculations and their applicability in
    posturography". Gait Posture 41(1):44-45. doi:10.1016/j.gaitpost.2014.08.008

    Welch PD (1967) The use of fast Fourier transform for the estimation of power spectra.
    IEEE Trans Audio Electroacoust 15(2):70-73. doi:10.1109/TAU.1967.1161901

    Examples
    --------
    >>> conv = SwayConventions.quijoux_2021()
    >>> conv.covariance_ddof, conv.welch_segment_s, conv.band_low_hz
    (0, 10.0, 0.15)
    >>> SwayConventions() == SwayConventions.santos_duarte_2016()
    True
    >>> SwayConventions.santos_duarte_2016().as_dict()["ellipse_method"]
    'f_prediction'
    """

    ellipse_method: EllipseMethod = "f_prediction"
    covariance_ddof: int = 1
    velocity_duration: DurationConvention = "n_over_fs"
    sway_area_duration: DurationConvention = "n_over_fs"
    prieto_frequency_duration: DurationConvention = "n_over_fs"
    welch_segment_s: float | None = None
    welch_overlap_ratio: float = 0.5
    welch_nfft: WelchNfft = "segment"
    welch_detrend: WelchDetrend = "constant"
    band_low_hz: float = 0.0
    band_high_hz: float | None = None
    spectral_integral: SpectralIntegral = "trapezoid"
    mean_power_frequency_axes: AxisCombination = "power_weighted_sum"
    velocity_savgol_window: int = 5
    velocity_savgol_polyorder: int = 3
    centring: Centring = "signal_mean"
    diffusion: DiffusionConventions = field(default_factory=DiffusionConventions.santos_duarte_2016)
    sway_density: SwayDensityConventions = field(
        default_factory=SwayDensityConventions.santos_duarte_2016
    )

    def __post_init__(self) -> None:
        _check_literal("ellipse_method", self.ellipse_method, EllipseMethod)
        if self.covariance_ddof not in (0, 1) or isinstance(self.covariance_ddof, bool):
            raise InvalidParameterError(
                f"covariance_ddof must be 0 or 1; got {self.covariance_ddof!r}"
            )
        for name in ("velocity_duration", "sway_area_duration", "prieto_frequency_duration"):
            _check_literal(name, getattr(self, name), DurationConvention)
        if self.welch_segment_s is not None and not (
            math.isfinite(self.welch_segment_s) and self.welch_segment_s > 0
        ):
            raise InvalidParameterError(
                f"welch_segment_s must be None or a finite number > 0; got {self.welch_segment_s!r}"
            )
        if not 0.0 <= self.welch_overlap_ratio < 1.0:
            raise InvalidParameterError(
                f"welch_overlap_ratio must be in [0, 1); got {self.welch_overlap_ratio!r}"
            )
        _check_literal("welch_nfft", self.welch_nfft, WelchNfft)
        _check_literal("welch_detrend", self.welch_detrend, WelchDetrend)
        if not (math.isfinite(self.band_low_hz) and self.band_low_hz >= 0):
            raise InvalidParameterError(
                f"band_low_hz must be a finite number >= 0; got {self.band_low_hz!r}"
            )
        if self.band_high_hz is not None and not (
            math.isfinite(self.band_high_hz) and self.band_high_hz > self.band_low_hz
        ):
            raise InvalidParameterError(
                f"band_high_hz must be None or a finite number > band_low_hz "
                f"({self.band_low_hz!r}); got {self.band_high_hz!r}"
            )
        _check_literal("spectral_integral", self.spectral_integral, SpectralIntegral)
        _check_literal("mean_power_frequency_axes", self.mean_power_frequency_axes, AxisCombination)
        _check_literal("centring", self.centring, Centring)
        window, order = self.velocity_savgol_window, self.velocity_savgol_polyorder
        if isinstance(window, bool) or not isinstance(window, int) or window < 3 or window % 2 == 0:
            raise InvalidParameterError(
                f"velocity_savgol_window must be an odd integer >= 3; got {window!r}"
            )
        if isinstance(order, bool) or not isinstance(order, int) or not 1 <= order < window:
            raise InvalidParameterError(
                f"velocity_savgol_polyorder must be an integer in [1, velocity_savgol_window "
                f"- 1 = {window - 1}]; got {order!r}"
            )

    @classmethod
    def santos_duarte_2016(cls) -> SwayConventions:
        """The default: reproduces the published HBEDB / PDS ``COParea``, ``COPvelo``, ``COPmfreq``.

        F-based prediction ellipse with the sample covariance; ``T = N/fs``; Welch with Hann
        segments of ``N // 2`` samples, ``N // 4`` overlap, no zero-padding, constant detrend;
        whole spectrum, trapezoid rule; AP and ML mean power frequencies weighted by their PSD
        sums. Conventions the data set does not define (sway area per second, Savitzky-Golay
        velocity) follow Quijoux et al. 2021 except that durations are ``N/fs`` throughout.

        References
        ----------
        Santos DA, Duarte M (2016) PeerJ 4:e2648. doi:10.7717/peerj.2648

        Examples
        --------
        >>> SwayConventions.santos_duarte_2016().covariance_ddof
        1
        """
        return cls()

    @classmethod
    def quijoux_2021(cls) -> SwayConventions:
        """The conventions of the open code of Quijoux et al. 2021 (raw mode, no preprocessing).

        F-based prediction ellipse with population moments (area = Santos & Duarte area ×
        (N-1)/N); mean velocity over ``N/fs`` but sway area per second and Prieto's mean
        frequency over ``(N-1)/fs``; Welch with 10-s Hann segments, 50 % overlap, linear
        detrend, zero-padded to the record length; spectral metrics from the bins in
        [0.15, 5] Hz (rectangle rule: the code's plain sums times the bin width). Centring on
        the signal's mean, which is that code's on a raw signal; its paper pipeline centres
        before resampling and filtering instead, which the "quijoux-2021" preset reproduces
        with ``Preprocessing(centre="raw_mean")`` and ``centring="as_given"``.

        References
        ----------
        Quijoux F et al. (2021) Physiol Rep 9(22):e15067. doi:10.14814/phy2.15067

        Examples
        --------
        >>> SwayConventions.quijoux_2021().sway_area_duration
        'n_minus_1_over_fs'
        """
        return cls(
            ellipse_method="f_prediction",
            covariance_ddof=0,
            velocity_duration="n_over_fs",
            sway_area_duration="n_minus_1_over_fs",
            prieto_frequency_duration="n_minus_1_over_fs",
            welch_segment_s=10.0,
            welch_overlap_ratio=0.5,
            welch_nfft="record",
            welch_detrend="linear",
            band_low_hz=0.15,
            band_high_hz=5.0,
            spectral_integral="rectangle",
            mean_power_frequency_axes="summed_spectrum",
            velocity_savgol_window=5,
            velocity_savgol_polyorder=3,
            diffusion=DiffusionConventions.quijoux_2021(),
            sway_density=SwayDensityConventions.quijoux_2021(),
        )

    def as_dict(self) -> dict[str, object]:
        """Plain JSON-able copy (nested conventions as dicts), to store with every result.

        Examples
        --------
        >>> import json
        >>> d = SwayConventions.quijoux_2021().as_dict()
        >>> d["band_high_hz"], sorted(d)[:2]
        (5.0, ['band_high_hz', 'band_low_hz'])
        >>> isinstance(json.dumps(d), str)
        True
        """
        out: dict[str, object] = {}
        for name in self.__dataclass_fields__:
            value = getattr(self, name)
            if isinstance(value, (DiffusionConventions, SwayDensityConventions)):
                out[name] = dict(value.as_dict())
            else:
                out[name] = value
        return out


__all__ = [
    "AxisCombination",
    "Centring",
    "DurationConvention",
    "EllipseMethod",
    "SpectralIntegral",
    "SwayConventions",
    "WelchDetrend",
    "WelchNfft",
]
