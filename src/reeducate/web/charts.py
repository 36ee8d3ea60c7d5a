"""Figures of the therapist's chart, rendered on the server as SVG (matplotlib, Agg).

Why server-side SVG rather than a JavaScript chart: the chart must read the same without
JavaScript (progressive enhancement), print in the progress report, and stay inside the strict
Content-Security-Policy (no inline scripts or styles). An SVG delivered as an ``<img>`` data
URI is crisp at every zoom level, needs no npm package, and is the same figure the printable
report embeds. Each figure comes with a data table in the page for screen readers.

matplotlib is imported inside the functions (importing this module stays light); figures are
built with the object-oriented API, never pyplot's global state, so rendering is thread-safe.

Rendered figures are kept in :data:`FIGURE_CACHE`, a small least-recently-used cache keyed by
everything a figure is drawn from (the values, never a record id alone, so two databases can
never share a figure): a chart opened again, or by a colleague, costs no rendering. What is
cached is the SVG only; access is checked and audited on every request before the cache is
consulted.
"""

from __future__ import annotations

import base64
import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Final

from reeducate.errors import InvalidParameterError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = [
    "FIGURE_CACHE",
    "SvgCache",
    "TrendPoint",
    "figure_to_data_uri",
    "figure_to_svg",
    "measure_trend_svg",
    "svg_to_data_uri",
    "trend_figure",
]

_INK: Final = "#1F2937"
_MUTED: Final = "#6B7280"
_GRID: Final = "#E5E7EB"
_LINE: Final = "#1F4E79"
_BAND: Final = "#94A3B8"
_TARGET: Final = "#047857"
#: The narrowest date range of a trend figure, days.
_MIN_SPAN_DAYS: Final = 14


@dataclass(frozen=True, slots=True, kw_only=True)
class TrendPoint:
    """One value of a measure on one day."""

    on: date
    value: float


def trend_figure(
    points: Sequence[TrendPoint],
    /,
    *,
    title: str,
    unit: str,
    mcid: float | None,
    target: float | None = None,
    higher_is_better: bool,
) -> Figure:
    """A measure over time, with the band of +/- one MCID around the first (baseline) value.

    A change that leaves the band is clinically important; inside it, it is not (or not yet).
    The goal's target is drawn as a dashed line when given.

    Parameters
    ----------
    points : sequence of TrendPoint
        At least one, in any order (sorted here by date).
    title, unit : str
        The measure's name and unit (axis label).
    mcid : float or None
        The minimal clinically important difference, in ``unit``; None: no band.
    target : float or None
        The goal's target value.
    higher_is_better : bool
        Which way is improvement (said in the subtitle).

    Raises
    ------
    InvalidParameterError
        No points, or an MCID that is not > 0.
    """
    if not points:
        raise InvalidParameterError("points must hold at least one value; got none")
    if mcid is not None and not mcid > 0:
        raise InvalidParameterError(f"mcid must be > 0; got {mcid!r}")
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    ordered = sorted(points, key=lambda p: p.on)
    days = [p.on for p in ordered]
    values = [p.value for p in ordered]
    fig = Figure(figsize=(6.4, 2.8), dpi=100, layout="constrained")
    ax = fig.add_subplot()
    first, last = days[0], days[-1]
    # At least a fortnight wide, so that a lone score gets day ticks (never "12:00").
    widen = max(0.0, (_MIN_SPAN_DAYS - (last - first).days) / 2)
    margin = timedelta(days=max((last - first).days, _MIN_SPAN_DAYS) * 0.06 + widen)
    left, right = first - margin, last + margin
    baseline = values[0]
    if mcid is not None:
        ax.axhspan(baseline - mcid, baseline + mcid, color=_BAND, alpha=0.18, linewidth=0)
        ax.axhline(baseline, color=_BAND, linewidth=0.8)
        ax.text(
            0.995,  # inside the right edge of the axes, whatever the dates
            baseline + mcid,
            f"MCID ±{mcid:g}",
            color=_MUTED,
            fontsize=8,
            va="bottom",
            ha="right",
            transform=ax.get_yaxis_transform(),
        )
    if target is not None:
        ax.axhline(target, color=_TARGET, linewidth=1.2, linestyle=(0, (4, 3)))
        ax.text(left, target, f" goal {target:g}", color=_TARGET, fontsize=8, va="bottom")  # type: ignore[arg-type]
    ax.plot(days, values, color=_LINE, linewidth=2, marker="o", markersize=6, zorder=3)  # type: ignore[arg-type]
    for day, value in zip(days, values, strict=True):
        ax.annotate(
            f"{value:g}",
            (day, value),
            textcoords="offset points",
            xytext=(0, 8),
            ha="center",
            fontsize=8,
            color=_INK,
        )
    ax.set_xlim(left, right)  # type: ignore[arg-type]  # matplotlib accepts dates
    low = min([*values, *([] if target is None else [target])])
    high = max([*values, *([] if target is None else [target])])
    if mcid is not None:
        low, high = min(low, baseline - mcid), max(high, baseline + mcid)
    pad = (high - low) * 0.18 or max(abs(high) * 0.1, 1.0)
    ax.set_ylim(low - pad, high + pad)
    locator = AutoDateLocator(minticks=3, maxticks=6)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    ax.set_ylabel(unit, color=_MUTED, fontsize=9)
    ax.grid(axis="y", color=_GRID, linewidth=0.8)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(_GRID)
    ax.tick_params(colors=_MUTED, labelsize=8)
    better = "higher is better" if higher_is_better else "lower is better"
    ax.set_title(f"{title}  ·  {better}", loc="left", fontsize=10, color=_INK)
    return fig


def figure_to_svg(fig: Figure, /) -> bytes:
    """The figure as SVG bytes (text kept as paths: no fonts needed by the viewer; no metadata
    date, so the same figure gives the same bytes)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None})
    return buffer.getvalue()


def svg_to_data_uri(svg: bytes, /) -> str:
    """SVG bytes as a ``data:`` URI for an ``<img>``."""
    return f"data:image/svg+xml;base64,{base64.b64encode(svg).decode('ascii')}"


def figure_to_data_uri(fig: Figure, /) -> str:
    """The figure as an SVG ``data:`` URI for an ``<img>`` (:func:`figure_to_svg`)."""
    return svg_to_data_uri(figure_to_svg(fig))


class SvgCache:
    """A thread-safe least-recently-used cache of rendered SVG figures.

    The key must hold everything the figure is drawn from. Two threads that miss the same key
    at once render it once: the second waits for the first (single flight; a chart opened by
    many at once, or the first views after a start, render each figure once). Rendering is
    never done under the cache's own lock: other figures are served meanwhile.

    >>> cache = SvgCache(max_entries=1)
    >>> calls = []
    >>> def render():
    ...     calls.append(1)
    ...     from matplotlib.figure import Figure
    ...     return Figure(figsize=(1, 1))
    >>> first = cache.get_or_render(("a",), render)
    >>> first == cache.get_or_render(("a",), render), len(calls)
    (True, 1)
    >>> _ = cache.get_or_render(("b",), render); len(cache), len(calls)
    (1, 2)
    """

    def __init__(self, *, max_entries: int) -> None:
        if max_entries < 1:
            raise InvalidParameterError(f"max_entries must be >= 1; got {max_entries}")
        self._max_entries = max_entries
        self._entries: OrderedDict[Hashable, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self._rendering: dict[Hashable, threading.Lock] = {}

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def get_or_render(self, key: Hashable, render: Callable[[], Figure], /) -> bytes:
        """The SVG of ``key``, rendered with ``render()`` on a miss."""
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                return found
            flight = self._rendering.setdefault(key, threading.Lock())
        with flight:  # one render per key at a time; the others find it done
            with self._lock:
                found = self._entries.get(key)
                if found is not None:
                    self._entries.move_to_end(key)
                    return found
            try:
                svg = figure_to_svg(render())
                with self._lock:
                    self._entries[key] = svg
                    self._entries.move_to_end(key)
                    while len(self._entries) > self._max_entries:
                        self._entries.popitem(last=False)
            finally:
                with self._lock:
                    self._rendering.pop(key, None)
        return svg

    def clear(self) -> None:
        """Forget every figure."""
        with self._lock:
            self._entries.clear()


#: The application's figures (a chart's trends, a trial's stabilogram ...). A figure is 10 to
#: 80 KiB of SVG: 256 of them stay under about 12 MiB.
FIGURE_CACHE: Final = SvgCache(max_entries=256)


def measure_trend_svg(
    points: Sequence[TrendPoint],
    /,
    *,
    title: str,
    unit: str,
    mcid: float | None,
    target: float | None = None,
    higher_is_better: bool,
) -> bytes:
    """:func:`trend_figure` as SVG (rendered once per distinct figure: :data:`FIGURE_CACHE`)."""
    ordered = tuple(points)
    key = ("trend", ordered, title, unit, mcid, target, higher_is_better)
    return FIGURE_CACHE.get_or_render(
        key,
        lambda: trend_figure(
            ordered,
            title=title,
            unit=unit,
            mcid=mcid,
            target=target,
            higher_is_better=higher_is_better,
        ),
    )
