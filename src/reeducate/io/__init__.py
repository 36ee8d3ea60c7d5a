"""Readers and writers of file formats (may use pandas; the pure layers may not).

Names are imported on first use (PEP 562), so ``reeducate.io.options`` can be imported
without pandas.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from reeducate.io.cop_readers import detect_format, read_cop
    from reeducate.io.forceplates import TrialInfo, read_trial_metadata
    from reeducate.io.options import DelimitedOptions

__all__ = ["DelimitedOptions", "TrialInfo", "detect_format", "read_cop", "read_trial_metadata"]

_HOMES = {
    "DelimitedOptions": "reeducate.io.options",
    "TrialInfo": "reeducate.io.forceplates",
    "detect_format": "reeducate.io.cop_readers",
    "read_cop": "reeducate.io.cop_readers",
    "read_trial_metadata": "reeducate.io.forceplates",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'reeducate.io' has no attribute {name!r}")
