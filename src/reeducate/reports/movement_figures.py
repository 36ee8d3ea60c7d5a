"""Figures of a movement analysis (matplotlib object API, Agg; no pyplot state).

1. :func:`angle_curves_figure`: the measured angles against time, repetitions shaded
   (start to end), peaks marked and numbered, hold phases drawn thicker;
2. :func:`path_figure`: the end-effector path with its classification, the fitted line or
   circle, start and end marked (image paths are drawn with y pointing up).

Render with :func:`reeducate.reports.figures.figure_to_png`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from reeducate.movement.angles import AngleCurve
from reeducate.movement.path import PatternFit
from reeducate.movement.reps import RepetitionAnalysis

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from numpy.typing import NDArray

_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9")  # Okabe-Ito
_INK = "#1F2937"


def _new_figure(width_in: float, height_in: float) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(width_in, height_in), dpi=110, layout="constrained")


def angle_curves_figure(
    curves: Sequence[AngleCurve],
    /,
    *,
    repetitions: RepetitionAnalysis | None,
    task: AngleCurve | None,
    title: str,
) -> Figure:
    """Angle curves with repetitions marked (see the module)."""
    fig = _new_figure(8.0, 4.0)
    ax = fig.add_subplot()
    shown = list(curves)
    if task is not None and all(c is not task for c in shown):
        shown.insert(0, task)
    for i, c in enumerate(shown):
        unit = "deg" if c.joint != "pelvis" else "rel."
        ax.plot(c.times_s, c.values_deg, color=_COLOURS[i % len(_COLOURS)], linewidth=1.4,
                label=f"{c.label} [{unit}]: {c.convention}")  # fmt: skip
    if repetitions is not None and task is not None:
        t0 = float(task.times_s[0])
        for r in repetitions.repetitions:
            ax.axvspan(t0 + r.start_s, t0 + r.end_s, color="#9CA3AF", alpha=0.18, linewidth=0)
            ax.plot([t0 + r.peak_s], [r.peak_value], marker="v", color=_INK, markersize=5)
            ax.annotate(str(r.index), (t0 + r.peak_s, r.peak_value), textcoords="offset points",
                        xytext=(0, 6), ha="center", fontsize=8, color=_INK)  # fmt: skip
    ax.set_xlabel("time (s)")
    ax.set_ylabel("angle (deg)")
    ax.grid(True, color="#E5E7EB")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.margins(y=0.12)
    fig.legend(fontsize=7, loc="outside lower center", frameon=False, ncol=1)
    n = repetitions.count if repetitions is not None else 0
    fig.suptitle(f"{title}: {n} repetitions", x=0.01, ha="left", fontsize=11,
                 fontweight="bold", color=_INK)  # fmt: skip
    return fig


def path_figure(
    points: NDArray[np.float64],
    /,
    *,
    vertical: Sequence[float],
    pattern: PatternFit | None,
    title: str,
) -> Figure:
    """End-effector path in its plane, with the classification (see the module)."""
    fig = _new_figure(4.6, 4.6)
    ax = fig.add_subplot()
    p = np.asarray(points, dtype=np.float64)
    p = p[np.isfinite(p).all(axis=1)]
    up = np.asarray(vertical, dtype=np.float64)
    if p.shape[1] == 3:  # draw in the plane spanned by the vertical and the main horizontal
        horiz = p - np.outer(p @ up, up)
        _, _, vt = np.linalg.svd(horiz - horiz.mean(axis=0), full_matrices=False)
        xy = np.c_[p @ vt[0], p @ up]
    else:
        xy = np.c_[p[:, 0], p @ up]
    ax.plot(xy[:, 0], xy[:, 1], color=_COLOURS[0], linewidth=1.2)
    ax.plot(*xy[0], marker="o", color=_COLOURS[2], label="start")
    ax.plot(*xy[-1], marker="s", color=_COLOURS[1], label="end")
    ax.set_aspect("equal", adjustable="datalim")
    ax.set_xlabel("horizontal")
    ax.set_ylabel("up")
    ax.grid(True, color="#E5E7EB")
    ax.legend(fontsize=7, frameon=False)
    sub = ""
    if pattern is not None:
        s = pattern.shape
        sub = (f"{s.shape.replace('_', ' ')}; linearity {s.linearity_ratio:.2f}, "
               f"turning {s.turning_deg:.0f} deg")  # fmt: skip
    fig.suptitle(title, x=0.01, ha="left", fontsize=11, fontweight="bold", color=_INK)
    if sub:
        ax.set_title(sub, fontsize=8, color="#6B7280")
    return fig
