"""Readers and writers of file formats (may use pandas; the pure layers may not)."""

from __future__ import annotations

from reeducate.io.cop_readers import detect_format, read_cop
from reeducate.io.forceplates import TrialInfo, read_trial_metadata
from reeducate.io.options import DelimitedOptions

__all__ = ["DelimitedOptions", "TrialInfo", "detect_format", "read_cop", "read_trial_metadata"]
