"""Figures of the balance report (matplotlib, Agg, no pyplot state).

Every function returns a :class:`matplotlib.figure.Figure` built with the object-oriented API
(no global pyplot state, safe in threads); :func:`figure_to_png` renders one to PNG bytes.
matplotlib is imported inside the functions so that importing :mod:`reeducate.reports` stays
light. CoP is shown in millimetres (conversion via :mod:`reeducate.units`); every axis carries
its unit. Each condition keeps one colour in every figure (:func:`condition_colour`).

Figures:

1. :func:`stabilogram_figure`: AP and ML CoP against time, per trial;
2. :func:`statokinesigram_figure`: ML (x) against AP (y), equal aspect, with the 95 %
   prediction ellipse drawn from the trial's metrics (:func:`prediction_ellipse`);

   both drawn by functions of plain arrays (:func:`cop_stabilogram_figure`,
   :func:`cop_statokinesigram_figure`, :func:`ellipse_from_metrics`), which the web chart
   calls with a stored trial's display trace and metrics;
3. :func:`spectrum_figure`: power spectral density per axis (log power, 0–5 Hz) with the mean
   power frequency marked;
4. :func:`condition_summary_figure`: per-condition median area and velocity with the trials as
   dots, Romberg and foam ratios annotated;
5. :func:`norms_figure`: each condition's value on the age group's published distribution
   (median, IQR box, 5th–95th band), values outside the band highlighted.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

import numpy as np
from numpy.typing import ArrayLike, NDArray

from reeducate.balance.conditions import MCTSIB_CONDITIONS, ConditionSummary
from reeducate.balance.norms import (
    AGE_GROUP_WORDS,
    LOWER_BAND_PCT,
    NORM_METRICS,
    UPPER_BAND_PCT,
    NormComparison,
    norm_quantile,
    si_to_table_factor,
)
from reeducate.balance.trial import Stance, Surface, TrialCondition, Vision
from reeducate.errors import InvalidParameterError
from reeducate.units import display_name, length_to_m, to_display

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from reeducate.balance.analysis import TrialAnalysis

#: Millimetres per metre (CoP is displayed in mm).
MM_PER_M: Final[float] = 1.0 / length_to_m("mm", field="display unit")

#: Colour of each mCTSIB condition (Okabe-Ito palette: colour-blind safe, prints in grey).
CONDITION_COLOURS: Final[Mapping[tuple[Surface, Vision], str]] = {
    (Surface.FIRM, Vision.OPEN): "#56B4E9",
    (Surface.FIRM, Vision.CLOSED): "#0072B2",
    (Surface.FOAM, Vision.OPEN): "#E69F00",
    (Surface.FOAM, Vision.CLOSED): "#D55E00",
}
_STANCE_COLOURS: Final[Mapping[Stance, str]] = {
    Stance.SEMI_TANDEM: "#009E73",
    Stance.TANDEM: "#009E73",
    Stance.SINGLE_LEG_LEFT: "#CC79A7",
    Stance.SINGLE_LEG_RIGHT: "#CC79A7",
}
_NEUTRAL: Final[str] = "#6B7280"
_INK: Final[str] = "#1F2937"
_GRID: Final[str] = "#E5E7EB"
_FLAG: Final[str] = "#B91C1C"
AP_COLOUR: Final[str] = "#1F4E79"
ML_COLOUR: Final[str] = "#C2410C"

#: Display unit label of each display-name suffix.
_UNIT_LABELS: Final[tuple[tuple[str, str], ...]] = (
    ("_mm2_s", "mm²/s"),
    ("_mm2", "mm²"),
    ("_mm_s", "mm/s"),
    ("_mm", "mm"),
    ("_hz", "Hz"),
    ("_deg", "°"),
    ("_s", "s"),
)

_METRIC_TITLES: Final[Mapping[str, str]] = {
    "ellipse_area_95_m2": "95 % ellipse area",
    "mean_velocity_m_s": "Mean sway velocity",
    "mean_power_frequency_hz": "Mean power frequency",
}


def condition_colour(condition: TrialCondition, /) -> str:
    """Colour of a condition, the same in every figure and table.

    >>> condition_colour(TrialCondition(surface=Surface.FOAM, vision=Vision.CLOSED))
    '#D55E00'
    """
    if condition.stance is not Stance.BIPEDAL:
        return _STANCE_COLOURS.get(condition.stance, _NEUTRAL)
    if condition.surface is None or condition.vision is None:
        return _NEUTRAL
    return CONDITION_COLOURS[(condition.surface, condition.vision)]


def percentile_label(percentile: float, /) -> str:
    """Short label of a percentile that never rounds into a false 0 or 100.

    >>> percentile_label(99.87), percentile_label(62.4), percentile_label(0.2)
    ('>P99', 'P62', '<P1')
    """
    if percentile > 99.0:
        return ">P99"
    if percentile < 1.0:
        return "<P1"
    return f"P{percentile:.0f}"


def condition_short_label(condition: TrialCondition, /) -> str:
    """Short label such as ``"Foam · EC"`` (stance appended when not bipedal).

    >>> condition_short_label(TrialCondition(surface=Surface.FIRM, vision=Vision.OPEN))
    'Firm · EO'
    """
    parts = []
    if condition.surface is not None:
        parts.append(condition.surface.value.capitalize())
    if condition.vision is not None:
        parts.append("EO" if condition.vision is Vision.OPEN else "EC")
    if condition.stance is not Stance.BIPEDAL:
        parts.append(condition.stance.value.replace("_", " "))
    return " · ".join(parts) if parts else "Unspecified"


def display_unit(si_name: str, /) -> str:
    """Unit label of a metric as displayed (``ellipse_area_95_m2`` -> ``mm²``).

    >>> display_unit("mean_velocity_m_s"), display_unit("mean_power_frequency_hz")
    ('mm/s', 'Hz')
    """
    shown = display_name(si_name)
    for suffix, label in _UNIT_LABELS:
        if shown.endswith(suffix):
            return label
    return ""


def metric_title(si_name: str, /) -> str:
    """Readable title of a metric.

    >>> metric_title("ellipse_area_95_m2")
    '95 % ellipse area'
    """
    if si_name in _METRIC_TITLES:
        return _METRIC_TITLES[si_name]
    stem = display_name(si_name)
    for suffix, _ in _UNIT_LABELS:
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    words = stem.replace("_", " ").replace(" ap", " AP").replace(" ml", " ML")
    return words[:1].upper() + words[1:]


def to_display_value(si_name: str, value_si: float, /) -> float:
    """An SI value in its display unit (via :func:`reeducate.units.to_display`).

    >>> to_display_value("ellipse_area_95_m2", 2.0e-4)
    200.0
    """
    return next(iter(to_display({si_name: value_si}).values()))


@dataclass(frozen=True, slots=True, kw_only=True)
class EllipseGeometry:
    """A 95 % prediction ellipse in the plate frame (metres).

    Attributes
    ----------
    centre_ap_m, centre_ml_m : float
        Centre (the mean CoP).
    semi_major_m, semi_minor_m : float
        Semi-axes.
    major_ap_ratio, major_ml_ratio : float
        Unit vector of the major axis in (AP, ML) components.
    """

    centre_ap_m: float
    centre_ml_m: float
    semi_major_m: float
    semi_minor_m: float
    major_ap_ratio: float
    major_ml_ratio: float

    def outline(self, *, n_points: int = 361) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Closed outline as ``(ap_m, ml_m)`` arrays of ``n_points`` (first = last)."""
        t = np.linspace(0.0, 2.0 * np.pi, n_points)
        u, v = self.semi_major_m * np.cos(t), self.semi_minor_m * np.sin(t)
        # Minor axis: the major axis turned by +90° in the (ML, AP) plane.
        ap = self.centre_ap_m + u * self.major_ap_ratio + v * self.major_ml_ratio
        ml = self.centre_ml_m + u * self.major_ml_ratio - v * self.major_ap_ratio
        return ap, ml

    def contains(self, ap_m: ArrayLike, ml_m: ArrayLike, /) -> NDArray[np.bool_]:
        """Whether each point lies inside (or on) the ellipse."""
        d_ap = np.asarray(ap_m, dtype=np.float64) - self.centre_ap_m
        d_ml = np.asarray(ml_m, dtype=np.float64) - self.centre_ml_m
        along = d_ap * self.major_ap_ratio + d_ml * self.major_ml_ratio
        across = d_ap * self.major_ml_ratio - d_ml * self.major_ap_ratio
        result: NDArray[np.bool_] = (along / self.semi_major_m) ** 2 + (
            across / self.semi_minor_m
        ) ** 2 <= 1.0
        return result


def prediction_ellipse(analysis: TrialAnalysis, /) -> EllipseGeometry:
    """The 95 % prediction ellipse of a trial, from its metrics, centred on the mean CoP
    (:func:`ellipse_from_metrics`).

    Raises
    ------
    InvalidParameterError
        If a metric needed to draw the ellipse is missing.
    """
    return ellipse_from_metrics(
        analysis.metrics,
        centre_ap_m=float(np.mean(analysis.trial.ap_m)),
        centre_ml_m=float(np.mean(analysis.trial.ml_m)),
        source=analysis.trial.source_name,
    )


def ellipse_from_metrics(
    metrics: Mapping[str, float], /, *, centre_ap_m: float, centre_ml_m: float, source: str
) -> EllipseGeometry:
    """The 95 % prediction ellipse given by a trial's metrics, centred where told.

    Uses ``ellipse_semi_major_m``, ``ellipse_semi_minor_m`` and ``ellipse_angle_deg``: the angle
    of the major axis from the +ML axis towards the +AP axis, in degrees (the convention of
    :mod:`reeducate.balance.metrics.ellipse`).

    Parameters
    ----------
    metrics : Mapping[str, float]
        The trial's metrics (SI).
    centre_ap_m, centre_ml_m : float
        Centre of the ellipse (the mean CoP of the trial, or 0 to draw it alone).
    source : str
        What the metrics belong to, for the error message (a file name or a record id).

    Raises
    ------
    InvalidParameterError
        If a metric needed to draw the ellipse is missing.

    Examples
    --------
    >>> e = ellipse_from_metrics({"ellipse_semi_major_m": 0.02, "ellipse_semi_minor_m": 0.01,
    ...                           "ellipse_angle_deg": 90.0}, centre_ap_m=0.0, centre_ml_m=0.0,
    ...                          source="T-0001")
    >>> round(e.major_ap_ratio, 12), round(e.major_ml_ratio, 12)
    (1.0, 0.0)
    """
    needed = ("ellipse_semi_major_m", "ellipse_semi_minor_m", "ellipse_angle_deg")
    missing = [m for m in needed if m not in metrics]
    if missing:
        raise InvalidParameterError(
            f"metrics must contain {', '.join(needed)} to draw the ellipse; "
            f"{source!r} lacks {', '.join(missing)}"
        )
    angle_rad = math.radians(float(metrics["ellipse_angle_deg"]))
    return EllipseGeometry(
        centre_ap_m=centre_ap_m,
        centre_ml_m=centre_ml_m,
        semi_major_m=float(metrics["ellipse_semi_major_m"]),
        semi_minor_m=float(metrics["ellipse_semi_minor_m"]),
        major_ap_ratio=math.sin(angle_rad),
        major_ml_ratio=math.cos(angle_rad),
    )


def _new_figure(width_in: float, height_in: float) -> Figure:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width_in, height_in), dpi=110, layout="constrained")
    return fig


def _style(ax: Axes) -> None:
    ax.grid(True, color=_GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color("#9CA3AF")
    ax.tick_params(colors=_INK, labelsize=8.5)
    ax.xaxis.label.set_color(_INK)
    ax.yaxis.label.set_color(_INK)


def _title(fig: Figure, text: str, subtitle: str = "") -> None:
    # Wrapped within the figure: a narrow one (the chart's, about 4 in) would cut them off.
    fig.suptitle(text, x=0.01, ha="left", fontsize=11, fontweight="bold", color=_INK, wrap=True)
    if subtitle:
        fig.supxlabel(subtitle, x=0.99, ha="right", fontsize=8, color=_NEUTRAL, wrap=True)


def trial_title(analysis: TrialAnalysis, /, *, label: str | None) -> str:
    """Title of a trial's figure: ``label`` or, by default, the condition (never the file name,
    which may identify the person)."""
    return label if label is not None else condition_short_label(analysis.trial.condition)


def stabilogram_figure(
    analysis: TrialAnalysis, /, *, amplitude_limit_mm: float | None = None, label: str | None = None
) -> Figure:
    """AP and ML CoP (mean removed, mm) against time (s) (:func:`cop_stabilogram_figure`).

    Parameters
    ----------
    analysis : TrialAnalysis
        The analysed trial.
    amplitude_limit_mm : float, optional
        Symmetric y-limit (± mm), to share one scale across the trials of a session.
    label : str, optional
        Title of the trial (default: its condition).
    """
    trial = analysis.trial
    return cop_stabilogram_figure(
        trial.time_s,
        trial.ap_m,
        trial.ml_m,
        title=f"Stabilogram · {trial_title(analysis, label=label)}",
        amplitude_limit_mm=amplitude_limit_mm,
    )


def cop_stabilogram_figure(
    time_s: ArrayLike,
    ap_m: ArrayLike,
    ml_m: ArrayLike,
    /,
    *,
    title: str,
    amplitude_limit_mm: float | None = None,
    size_in: tuple[float, float] = (7.2, 3.4),
) -> Figure:
    """AP (top) and ML (bottom) CoP, each relative to its mean, in mm against time in s.

    Parameters
    ----------
    time_s, ap_m, ml_m : array_like, shape (n_samples,)
        Sample times (s) and CoP (m).
    title : str
        The figure's title.
    amplitude_limit_mm : float, optional
        Symmetric y-limit (± mm); by default 8 % beyond the largest excursion.
    size_in : (float, float)
        Width and height in inches.
    """
    t = np.asarray(time_s, dtype=np.float64)
    ap_raw, ml_raw = np.asarray(ap_m, dtype=np.float64), np.asarray(ml_m, dtype=np.float64)
    ap = (ap_raw - np.mean(ap_raw)) * MM_PER_M
    ml = (ml_raw - np.mean(ml_raw)) * MM_PER_M
    limit = amplitude_limit_mm or 1.08 * float(max(np.max(np.abs(ap)), np.max(np.abs(ml)), 1e-3))
    fig = _new_figure(*size_in)
    axes = fig.subplots(2, 1, sharex=True)
    for ax, values, name, colour in (
        (axes[0], ap, "AP", AP_COLOUR),
        (axes[1], ml, "ML", ML_COLOUR),
    ):
        ax.plot(t, values, color=colour, linewidth=0.7)
        ax.axhline(0.0, color="#9CA3AF", linewidth=0.6)
        ax.set_ylim(-limit, limit)
        ax.set_ylabel(f"{name} (mm)", fontsize=9)
        ax.set_xlim(float(t[0]), float(t[-1]))
        _style(ax)
    axes[1].set_xlabel("Time (s)", fontsize=9)
    _title(fig, title, "CoP relative to its mean")
    return fig


def statokinesigram_figure(
    analysis: TrialAnalysis, /, *, half_range_mm: float | None = None, label: str | None = None
) -> Figure:
    """CoP path, ML (x) against AP (y) in mm, equal aspect, with the 95 % prediction ellipse
    (:func:`cop_statokinesigram_figure`).

    Parameters
    ----------
    analysis : TrialAnalysis
        The analysed trial (its metrics must hold the ellipse axes and angle).
    half_range_mm : float, optional
        Half-width of both axes around the mean CoP, to share one scale across a session.
    label : str, optional
        Title of the trial (default: its condition).
    """
    trial = analysis.trial
    return cop_statokinesigram_figure(
        trial.ap_m,
        trial.ml_m,
        ellipse=prediction_ellipse(analysis),
        ellipse_area_m2=analysis.metrics.get("ellipse_area_95_m2"),
        colour=condition_colour(trial.condition),
        title=f"Statokinesigram · {trial_title(analysis, label=label)}",
        half_range_mm=half_range_mm,
    )


def cop_statokinesigram_figure(
    ap_m: ArrayLike | None,
    ml_m: ArrayLike | None,
    /,
    *,
    ellipse: EllipseGeometry | None,
    ellipse_area_m2: float | None,
    colour: str,
    title: str,
    half_range_mm: float | None = None,
    size_in: tuple[float, float] = (4.2, 4.4),
    note: str | None = None,
) -> Figure:
    """CoP path, ML (x) against AP (y) in mm around the ellipse's centre (else the mean CoP),
    equal aspect, with the 95 % prediction ellipse and its area.

    Parameters
    ----------
    ap_m, ml_m : array_like, shape (n_samples,), or None
        The CoP path (m); None to draw the ellipse alone (a trial whose trace was not kept).
    ellipse : EllipseGeometry or None
        The trial's ellipse (:func:`ellipse_from_metrics`); None: path only.
    ellipse_area_m2 : float or None
        Its area, written in the corner.
    colour : str
        Colour of the path (:func:`condition_colour`).
    title : str
        The figure's title.
    half_range_mm : float, optional
        Half-width of both axes; by default 8 % beyond what is drawn.
    size_in : (float, float)
        Width and height in inches.
    note : str, optional
        A line written across the plot (e.g. why there is no path).
    """
    if ellipse is not None:
        centre_ap, centre_ml = ellipse.centre_ap_m, ellipse.centre_ml_m
    elif ap_m is not None and ml_m is not None:
        centre_ap = float(np.mean(np.asarray(ap_m, dtype=np.float64)))
        centre_ml = float(np.mean(np.asarray(ml_m, dtype=np.float64)))
    else:
        raise InvalidParameterError("ap_m and ml_m, or ellipse, must be given; got neither")
    extents = [1e-3]
    fig = _new_figure(*size_in)
    ax = fig.add_subplot()
    if ap_m is not None and ml_m is not None:
        ap = (np.asarray(ap_m, dtype=np.float64) - centre_ap) * MM_PER_M
        ml = (np.asarray(ml_m, dtype=np.float64) - centre_ml) * MM_PER_M
        extents += [float(np.max(np.abs(ap))), float(np.max(np.abs(ml)))]
        ax.plot(ml, ap, color=colour, linewidth=0.55, alpha=0.85)
    if ellipse is not None:
        e_ap, e_ml = ellipse.outline()
        e_ap = (e_ap - centre_ap) * MM_PER_M
        e_ml = (e_ml - centre_ml) * MM_PER_M
        extents += [float(np.max(np.abs(e_ap))), float(np.max(np.abs(e_ml)))]
        ax.plot(e_ml, e_ap, color=_INK, linewidth=1.4)
    ax.plot([0.0], [0.0], marker="+", color=_INK, markersize=9, markeredgewidth=1.4)
    if half_range_mm is None:
        half_range_mm = 1.08 * max(extents)
    ax.set_xlim(-half_range_mm, half_range_mm)
    ax.set_ylim(-half_range_mm, half_range_mm)
    ax.set_aspect("equal")
    ax.set_xlabel("ML (mm)", fontsize=9)
    ax.set_ylabel("AP (mm)", fontsize=9)
    _style(ax)
    if ellipse_area_m2 is not None:
        ax.text(
            0.02,
            0.98,
            f"95 % ellipse: {to_display_value('ellipse_area_95_m2', ellipse_area_m2):.0f} mm²",
            transform=ax.transAxes,
            ha="left",
            va="top",
            fontsize=8.5,
            color=_INK,
            bbox={"boxstyle": "round,pad=0.25", "facecolor": "white", "edgecolor": _GRID},
        )
    if note:
        ax.text(
            0.5,
            0.06,
            note,
            transform=ax.transAxes,
            ha="center",
            va="bottom",
            fontsize=8.5,
            color=_NEUTRAL,
            bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": _GRID},
        )
    _title(fig, title)
    return fig


def spectrum_figure(
    analysis: TrialAnalysis, /, *, max_frequency_hz: float = 5.0, label: str | None = None
) -> Figure:
    """Power spectral density of AP and ML (log scale, 0–``max_frequency_hz``), with the mean
    power frequency marked.

    The spectrum is :func:`reeducate.balance.metrics.cop_power_spectrum` with the conventions of
    the analysis's preset, so it is the one the spectral metrics were computed from.
    """
    from reeducate.balance.metrics import cop_power_spectrum
    from reeducate.balance.presets import get_preset

    trial = analysis.trial
    conventions = get_preset(analysis.preset).conventions
    fig = _new_figure(5.2, 3.2)
    ax = fig.add_subplot()
    peak = 0.0
    for values, name, colour in ((trial.ap_m, "AP", AP_COLOUR), (trial.ml_m, "ML", ML_COLOUR)):
        f_hz, psd = cop_power_spectrum(
            values, sampling_rate_hz=trial.sampling_rate_hz, conventions=conventions
        )
        keep = (f_hz > 0) & (f_hz <= max_frequency_hz)
        psd_mm2_hz = np.asarray(psd)[keep] * MM_PER_M**2
        peak = max(peak, float(np.max(psd_mm2_hz)))
        ax.semilogy(np.asarray(f_hz)[keep], psd_mm2_hz, color=colour, linewidth=1.1, label=name)
        mpf = analysis.metrics.get(f"mean_power_frequency_{name.lower()}_hz")
        if mpf is not None:
            ax.axvline(
                float(mpf),
                color=colour,
                linestyle="--",
                linewidth=0.9,
                label=f"{name} mean power freq. {float(mpf):.2f} Hz",
            )
    mpf_all = analysis.metrics.get("mean_power_frequency_hz")
    if mpf_all is not None:
        ax.axvline(
            float(mpf_all),
            color=_INK,
            linestyle=":",
            linewidth=1.3,
            label=f"Mean power frequency {float(mpf_all):.2f} Hz",
        )
    if peak > 0:
        ax.set_ylim(peak * 1e-5, peak * 3.0)
    ax.set_xlim(0.0, max_frequency_hz)
    ax.set_xlabel("Frequency (Hz)", fontsize=9)
    ax.set_ylabel("Power (mm²/Hz)", fontsize=9)
    ax.legend(frameon=True, framealpha=0.92, edgecolor=_GRID, fontsize=7.5, loc="upper right")
    _style(ax)
    _title(fig, f"Power spectrum · {trial_title(analysis, label=label)}")
    return fig


def _mctsib_order(summary: ConditionSummary) -> list[TrialCondition]:
    present = [c.condition for c in summary.conditions]
    order = [TrialCondition(surface=s, vision=v) for s, v in MCTSIB_CONDITIONS]
    return order + [c for c in present if c not in order]


def condition_summary_figure(summary: ConditionSummary, /) -> Figure:
    """Per-condition median (bar) and trials (dots) of each summary metric, with the Romberg
    quotient and foam ratio annotated; missing conditions are marked, not drawn."""
    order = _mctsib_order(summary)
    fig = _new_figure(3.3 * len(summary.metrics) + 0.6, 3.6)
    axes = np.atleast_1d(fig.subplots(1, len(summary.metrics)))
    x = np.arange(len(order))
    for ax, metric in zip(axes, summary.metrics, strict=True):
        top = 0.0
        for i, condition in enumerate(order):
            entry = summary.condition(condition)
            if entry is None:
                ax.text(
                    i,
                    0.0,
                    "missing",
                    rotation=90,
                    ha="center",
                    va="bottom",
                    fontsize=8,
                    color=_NEUTRAL,
                )
                continue
            colour = condition_colour(condition)
            median = to_display_value(metric, entry.median[metric])
            trials = [to_display_value(metric, v) for v in entry.trial_values[metric]]
            ax.bar(i, median, width=0.62, color=colour, alpha=0.35, edgecolor=colour)
            ax.hlines(median, i - 0.31, i + 0.31, color=colour, linewidth=2.2)
            offsets = np.linspace(-0.14, 0.14, len(trials)) if len(trials) > 1 else [0.0]
            ax.scatter(
                i + np.asarray(offsets),
                trials,
                s=20,
                color=colour,
                edgecolor="white",
                linewidth=0.6,
                zorder=3,
            )
            top = max(top, median, *trials)
        ax.set_xticks(x, [condition_short_label(c) for c in order], fontsize=8.5)
        ax.set_ylabel(f"{metric_title(metric)} ({display_unit(metric)})", fontsize=9)
        ax.set_ylim(0.0, top * 1.32 if top > 0 else 1.0)
        _style(ax)
        ax.grid(False, axis="x")
        notes = []
        for name, label in (
            ("romberg_ratio", "Romberg EC/EO (firm)"),
            ("foam_ratio", "Foam/firm (EO)"),
        ):
            try:
                index = summary.index(name, metric=metric)
            except InvalidParameterError:
                continue
            notes.append(
                f"{label}: {index.value:.2f}" if index.value is not None else f"{label}: n/a"
            )
        if notes:
            ax.text(
                0.02,
                0.98,
                "\n".join(notes),
                transform=ax.transAxes,
                ha="left",
                va="top",
                fontsize=8,
                color=_INK,
                bbox={"boxstyle": "round,pad=0.3", "facecolor": "white", "edgecolor": _GRID},
            )
        ax.set_title(metric_title(metric), fontsize=10, color=_INK, loc="left")
    _title(fig, "Condition summary", "bars: median of trials · dots: single trials")
    return fig


def norms_figure(comparisons: Sequence[NormComparison], /) -> Figure:
    """Each compared value on its age group's published distribution.

    Per metric one panel, per condition one column: the 5th–95th percentile band (light), the
    IQR box and the median of the log-normal model of :mod:`reeducate.balance.norms`, and the
    patient's value (red when outside the normal band). Log scale, display units.
    """
    compared = [
        c
        for c in comparisons
        if c.status == "compared" and c.row is not None and c.row.has_quartiles
    ]
    metrics = list(dict.fromkeys(c.metric for c in compared))
    fig = _new_figure(3.3 * max(len(metrics), 1) + 0.6, 3.8)
    if not metrics:
        ax = fig.add_subplot()
        ax.axis("off")
        ax.text(0.5, 0.5, "No applicable norms", ha="center", va="center", color=_NEUTRAL)
        return fig
    axes = np.atleast_1d(fig.subplots(1, len(metrics)))
    groups = sorted({AGE_GROUP_WORDS[c.age_group] for c in compared if c.age_group is not None})
    for ax, metric in zip(axes, metrics, strict=True):
        items = [c for c in compared if c.metric == metric]
        table_factor = si_to_table_factor(NORM_METRICS[metric][0])
        for i, comp in enumerate(items):
            row = comp.row
            assert row is not None and row.q1 is not None and row.q3 is not None
            assert row.median is not None

            def shown(
                table_value: float, _metric: str = metric, _factor: float = table_factor
            ) -> float:
                return to_display_value(_metric, table_value / _factor)

            lo = shown(norm_quantile(LOWER_BAND_PCT, row=row, method=comp.method))  # type: ignore[arg-type]
            hi = shown(norm_quantile(UPPER_BAND_PCT, row=row, method=comp.method))  # type: ignore[arg-type]
            colour = condition_colour(comp.condition)
            ax.vlines(i, lo, hi, color=colour, linewidth=10, alpha=0.22)
            ax.add_patch(_box(i, shown(row.q1), shown(row.q3), colour))
            ax.hlines(shown(row.median), i - 0.2, i + 0.2, color=_INK, linewidth=1.6)
            value = to_display_value(metric, comp.value_si)
            flagged = bool(comp.outside_band)
            ax.scatter(
                [i],
                [value],
                s=70 if flagged else 46,
                marker="D",
                color=_FLAG if flagged else _INK,
                edgecolor="white",
                linewidth=0.8,
                zorder=4,
            )
            if flagged and comp.percentile is not None:
                ax.annotate(
                    percentile_label(comp.percentile),
                    (i, value),
                    xytext=(7, 0),
                    textcoords="offset points",
                    va="center",
                    fontsize=8,
                    color=_FLAG,
                    fontweight="bold",
                )
        ax.set_yscale("log")
        _plain_log_ticks(ax)
        ax.set_xticks(
            range(len(items)), [condition_short_label(c.condition) for c in items], fontsize=8.5
        )
        ax.set_xlim(-0.6, len(items) - 0.4)
        ax.set_ylabel(f"{metric_title(metric)} ({display_unit(metric)})", fontsize=9)
        ax.set_title(metric_title(metric), fontsize=10, color=_INK, loc="left")
        _style(ax)
        ax.grid(False, axis="x")
    _title(
        fig,
        f"Compared with published norms · {', '.join(groups)}",
        "band: 5th–95th percentile · box: IQR · line: median · ◆ patient (red: outside band)",
    )
    return fig


def _plain_log_ticks(ax: Axes) -> None:
    """Log axis with plain numbers (1, 2, 3, 5 × 10^k) instead of powers of ten."""
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    ax.yaxis.set_major_locator(LogLocator(base=10.0, subs=(1.0, 2.0, 3.0, 5.0)))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax.yaxis.set_minor_formatter(NullFormatter())


def _box(x: float, q1: float, q3: float, colour: str) -> object:
    from matplotlib.patches import Rectangle

    return Rectangle(
        (x - 0.2, q1), 0.4, q3 - q1, facecolor=colour, alpha=0.55, edgecolor=colour, linewidth=1.0
    )


def figure_to_png(fig: Figure, /) -> bytes:
    """Render a figure to PNG bytes (Agg canvas; no display needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=150, facecolor="white")
    return buffer.getvalue()


def session_scales(analyses: Sequence[TrialAnalysis], /) -> tuple[float, float]:
    """Shared scales of a session in mm: (stabilogram ± limit, statokinesigram half-range), so
    that trials of different conditions can be compared by eye."""
    amplitude = 1e-3
    half = 1e-3
    for analysis in analyses:
        ap = (analysis.trial.ap_m - np.mean(analysis.trial.ap_m)) * MM_PER_M
        ml = (analysis.trial.ml_m - np.mean(analysis.trial.ml_m)) * MM_PER_M
        amplitude = max(amplitude, float(np.max(np.abs(ap))), float(np.max(np.abs(ml))))
        try:
            e_ap, e_ml = prediction_ellipse(analysis).outline()
        except InvalidParameterError:
            continue
        e_ap = (e_ap - np.mean(analysis.trial.ap_m)) * MM_PER_M
        e_ml = (e_ml - np.mean(analysis.trial.ml_m)) * MM_PER_M
        half = max(half, float(np.max(np.abs(e_ap))), float(np.max(np.abs(e_ml))))
    return 1.08 * amplitude, 1.08 * max(half, amplitude)
