"""Units: the one place where quantities are converted.

Computation is in SI. Vendor units are converted at load (:func:`length_to_m`) and results are
converted for display by metric name suffix (:func:`to_display`), so a column named
``ellipse_area_95_mm2`` always holds square millimetres.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from reeducate.errors import UnitError

#: Factor that converts one unit of length into metres.
LENGTH_TO_M: Final[Mapping[str, float]] = {"m": 1.0, "cm": 1e-2, "mm": 1e-3}

#: SI name suffix -> (display suffix, factor from SI to display). Longest suffix first.
_DISPLAY_SUFFIXES: Final[tuple[tuple[str, str, float], ...]] = (
    ("_m2_s", "_mm2_s", 1e6),
    ("_m2", "_mm2", 1e6),
    ("_m_s", "_mm_s", 1e3),
    ("_m", "_mm", 1e3),
)


def normalize_length_unit(unit: str, /, *, field: str) -> str:
    """Return the canonical spelling of a length unit, or raise :class:`UnitError`.

    >>> normalize_length_unit(" CM ", field="--cop-unit")
    'cm'
    """
    key = unit.strip().lower()
    if key not in LENGTH_TO_M:
        raise UnitError(f"{field} must be one of {', '.join(LENGTH_TO_M)}; got {unit!r}")
    return key


def length_to_m(unit: str, /, *, field: str) -> float:
    """Factor converting ``unit`` to metres.

    >>> length_to_m("mm", field="COPx")
    0.001
    """
    return LENGTH_TO_M[normalize_length_unit(unit, field=field)]


def display_name(si_name: str, /) -> str:
    """Display name of an SI-named metric (``*_m2`` -> ``*_mm2``); other names unchanged.

    >>> display_name("ellipse_area_95_m2")
    'ellipse_area_95_mm2'
    >>> display_name("mean_power_frequency_hz")
    'mean_power_frequency_hz'
    """
    for si_suffix, shown_suffix, _ in _DISPLAY_SUFFIXES:
        if si_name.endswith(si_suffix):
            return si_name[: -len(si_suffix)] + shown_suffix
    return si_name


def to_display(si_values: Mapping[str, float], /) -> dict[str, float]:
    """Convert SI-named metrics to their display units (mm, mm², mm/s, mm²/s).

    >>> to_display({"mean_velocity_m_s": 0.0062, "sway_direction_deg": 12.0})
    {'mean_velocity_mm_s': 6.2, 'sway_direction_deg': 12.0}
    """
    shown: dict[str, float] = {}
    for name, value in si_values.items():
        factor = 1.0
        for si_suffix, _, f in _DISPLAY_SUFFIXES:
            if name.endswith(si_suffix):
                factor = f
                break
        shown[display_name(name)] = value * factor
    return shown
