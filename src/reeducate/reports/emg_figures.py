"""Figures of an EMG analysis (matplotlib object API, Agg, no pyplot state).

1. :func:`raw_figure`: raw and cleaned EMG per channel, microvolts against seconds;
2. :func:`envelope_figure`: the envelope per channel with the onsets and offsets found by each
   method marked (one colour per method);
3. :func:`pct_mvc_figure`: the envelope in %MVC per channel, with an optional target level and
   hold floor.

Amplitudes are computed in volts and shown in microvolts (``MICROVOLTS_PER_VOLT``).
matplotlib is imported inside the functions so importing this module stays light.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Final

import numpy as np
from numpy.typing import NDArray

from reeducate.emg.onsets import ActivationPeriods
from reeducate.emg.recording import MICROVOLTS_PER_VOLT

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["envelope_figure", "pct_mvc_figure", "raw_figure"]

#: One colour per onset method (Okabe-Ito, colour-blind safe).
METHOD_COLOURS: Final[Mapping[str, str]] = {
    "hodges_bui": "#0072B2",
    "solnik": "#D55E00",
    "bonato": "#009E73",
    "envelope_threshold": "#CC79A7",
}
_RAW: Final[str] = "#9CA3AF"
_CLEAN: Final[str] = "#1F4E79"
_ENV: Final[str] = "#C2410C"


def _figure(n_rows: int) -> Figure:
    from matplotlib.figure import Figure

    return Figure(figsize=(9.0, 1.0 + 2.0 * n_rows), layout="constrained")


def _time(n: int, rate: float) -> NDArray[np.float64]:
    return np.arange(n) / rate


def raw_figure(
    raw_v: NDArray[np.float64],
    cleaned_v: NDArray[np.float64],
    /,
    *,
    sampling_rate_hz: float,
    channel_names: Sequence[str],
    title: str,
) -> Figure:
    """Raw (grey) and cleaned (blue) EMG per channel, µV.

    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(size=(200, 2)) * 1e-5
    >>> fig = raw_figure(x, x, sampling_rate_hz=100.0, channel_names=("VL", "BF"), title="t")
    >>> len(fig.axes)
    2
    """
    fig = _figure(len(channel_names))
    axes = fig.subplots(len(channel_names), 1, sharex=True, squeeze=False)[:, 0]
    t = _time(raw_v.shape[0], sampling_rate_hz)
    for i, (ax, name) in enumerate(zip(axes, channel_names, strict=True)):
        ax.plot(t, raw_v[:, i] * MICROVOLTS_PER_VOLT, color=_RAW, lw=0.5, label="raw")
        ax.plot(t, cleaned_v[:, i] * MICROVOLTS_PER_VOLT, color=_CLEAN, lw=0.5, label="cleaned")
        ax.set_ylabel(f"{name} (µV)")
        ax.grid(True, color="#E5E7EB", lw=0.5)
    axes[0].legend(loc="upper right", fontsize=8)
    axes[0].set_title(title, loc="left", fontsize=10)
    axes[-1].set_xlabel("time (s)")
    return fig


def envelope_figure(
    envelope_v: NDArray[np.float64],
    /,
    *,
    sampling_rate_hz: float,
    channel_names: Sequence[str],
    onsets: Mapping[str, Sequence[ActivationPeriods]],
    title: str,
) -> Figure:
    """Envelope per channel (µV) with each method's onsets (solid) and offsets (dotted).

    ``onsets`` maps a channel name to the periods found by each method.

    >>> import numpy as np
    >>> env = np.abs(np.random.default_rng(0).normal(size=(200, 1))) * 1e-5
    >>> fig = envelope_figure(env, sampling_rate_hz=100.0, channel_names=("VL",), onsets={},
    ...                       title="t")
    >>> fig.axes[0].get_ylabel()
    'VL (µV)'
    """
    fig = _figure(len(channel_names))
    axes = fig.subplots(len(channel_names), 1, sharex=True, squeeze=False)[:, 0]
    t = _time(envelope_v.shape[0], sampling_rate_hz)
    for i, (ax, name) in enumerate(zip(axes, channel_names, strict=True)):
        ax.plot(t, envelope_v[:, i] * MICROVOLTS_PER_VOLT, color=_ENV, lw=1.0, label="envelope")
        for periods in onsets.get(name, ()):
            colour = METHOD_COLOURS.get(periods.method, "#6B7280")
            for k, onset in enumerate(periods.onsets_s):
                ax.axvline(onset, color=colour, lw=1.0, label=periods.method if k == 0 else None)
            for offset in periods.offsets_s:
                ax.axvline(offset, color=colour, lw=1.0, ls=":")
        ax.set_ylabel(f"{name} (µV)")
        ax.grid(True, color="#E5E7EB", lw=0.5)
        ax.legend(loc="upper right", fontsize=7)
    axes[0].set_title(title, loc="left", fontsize=10)
    axes[-1].set_xlabel("time (s)")
    return fig


def pct_mvc_figure(
    pct_mvc: NDArray[np.float64],
    /,
    *,
    sampling_rate_hz: float,
    channel_names: Sequence[str],
    title: str,
    target_pct_mvc: float | None = None,
    floor_pct_mvc: float | None = None,
) -> Figure:
    """Envelope in %MVC per channel, with the target (dashed) and hold floor (dotted).

    >>> import numpy as np
    >>> fig = pct_mvc_figure(np.full((100, 1), 20.0), sampling_rate_hz=100.0,
    ...                      channel_names=("VL",), title="t", target_pct_mvc=30.0)
    >>> fig.axes[0].get_ylabel()
    'VL (%MVC)'
    """
    fig = _figure(len(channel_names))
    axes = fig.subplots(len(channel_names), 1, sharex=True, squeeze=False)[:, 0]
    t = _time(pct_mvc.shape[0], sampling_rate_hz)
    for i, (ax, name) in enumerate(zip(axes, channel_names, strict=True)):
        ax.plot(t, pct_mvc[:, i], color=_ENV, lw=1.0)
        if target_pct_mvc is not None and i == 0:
            ax.axhline(target_pct_mvc, color="#111827", ls="--", lw=0.8, label="target")
        if floor_pct_mvc is not None and i == 0:
            ax.axhline(floor_pct_mvc, color="#111827", ls=":", lw=0.8, label="hold floor")
        ax.set_ylabel(f"{name} (%MVC)")
        ax.set_ylim(bottom=0)
        ax.grid(True, color="#E5E7EB", lw=0.5)
    if target_pct_mvc is not None:
        axes[0].legend(loc="upper right", fontsize=8)
    axes[0].set_title(title, loc="left", fontsize=10)
    axes[-1].set_xlabel("time (s)")
    return fig
