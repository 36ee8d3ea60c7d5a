"""Analyse one trial with a preset: preprocessing, then the full metric set, with the settings
that produced the numbers stored beside them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from reeducate.balance.metrics import compute_sway_metrics
from reeducate.balance.preprocess import centre_offset_m, preprocess
from reeducate.balance.presets import Preset
from reeducate.balance.trial import CopTrial


@dataclass(frozen=True, slots=True, kw_only=True)
class TrialAnalysis:
    """Metrics of one trial, with everything needed to reproduce them.

    Attributes
    ----------
    trial : CopTrial
        The trial as the metrics saw it (after preprocessing).
    metrics : Mapping[str, float]
        Metric values in SI units, each name ending in its unit (``ellipse_area_95_m2``).
    preset : str
        Name of the preset used.
    settings : Mapping[str, Any]
        Preprocessing and metric conventions as plain values, stored with every result.
    """

    trial: CopTrial
    metrics: Mapping[str, float]
    preset: str
    settings: Mapping[str, Any]


def analyze_trial(trial: CopTrial, /, *, preset: Preset) -> TrialAnalysis:
    """Preprocess ``trial`` as ``preset`` says and compute every sway metric."""
    processed = preprocess(trial, preprocessing=preset.preprocessing)
    # A preset that centres on the raw mean before preprocessing reports positions from there.
    origin_ap_m, origin_ml_m = centre_offset_m(trial, preprocessing=preset.preprocessing)
    result = compute_sway_metrics(
        processed.ap_m,
        processed.ml_m,
        sampling_rate_hz=processed.sampling_rate_hz,
        conventions=preset.conventions,
        origin_ap_m=origin_ap_m,
        origin_ml_m=origin_ml_m,
    )
    return TrialAnalysis(
        trial=processed,
        metrics=result.values,
        preset=preset.name,
        settings={
            "preset": preset.name,
            "preprocessing": preset.preprocessing.as_dict(),
            "conventions": preset.conventions.as_dict(),
        },
    )
