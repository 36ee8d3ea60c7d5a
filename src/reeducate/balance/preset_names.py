"""The preset names alone, importable without the numerical stack.

The command line builds its help text and checks ``--preset`` from here before any worker
process imports NumPy and SciPy; :mod:`reeducate.balance.presets` defines the presets
themselves under exactly these names (a test keeps the two in step).
"""

from __future__ import annotations

from typing import Final

from reeducate.errors import NotFoundError

#: Every preset name, the default first.
PRESET_NAMES: Final[tuple[str, ...]] = ("santos-duarte-2016", "quijoux-2021", "quijoux-2021-raw")

#: The preset used when none is named.
DEFAULT_PRESET: Final[str] = PRESET_NAMES[0]


def check_preset_name(name: str, /) -> str:
    """Return ``name`` if a preset has it, else raise :class:`NotFoundError` listing them.

    >>> check_preset_name("quijoux-2021")
    'quijoux-2021'
    """
    if name not in PRESET_NAMES:
        raise NotFoundError(f"preset must be one of {', '.join(PRESET_NAMES)}; got {name!r}")
    return name
