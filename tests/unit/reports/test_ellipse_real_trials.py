"""The drawn 95 % prediction ellipse on real quiet-standing trials (HBEDB subjects 1-16)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reeducate.balance.analysis import analyze_trial
from reeducate.balance.presets import get_preset
from reeducate.balance.trial import CopTrial
from reeducate.reports.figures import prediction_ellipse

pytestmark = [pytest.mark.shared_data, pytest.mark.slow]


def test_drawn_ellipse_encloses_about_95_percent_of_real_cop_samples(shared_data: Path) -> None:
    """Real CoP is autocorrelated and drifts, so single trials scatter around 95 % (0.91-0.99
    on these 192); what the drawing must get right (centre, axes, angle convention) shows in the
    average and in most trials. A wrong angle convention drops the mean below 0.9."""
    preset = get_preset("santos-duarte-2016")
    trials = sorted((shared_data / "hbedb" / "trials").glob("BDS*.txt"))
    assert len(trials) == 192
    fractions = []
    for path in trials:
        cop_cm = pd.read_csv(path, sep="\t", usecols=[7, 8]).to_numpy()
        trial = CopTrial(
            ap_m=cop_cm[:, 0] / 100,
            ml_m=cop_cm[:, 1] / 100,
            sampling_rate_hz=100.0,
            source_unit="cm",
            source_name=path.name,
        )
        analysis = analyze_trial(trial, preset=preset)
        inside = prediction_ellipse(analysis).contains(trial.ap_m, trial.ml_m)
        fractions.append(float(inside.mean()))
    f = np.asarray(fractions)
    assert 0.945 <= f.mean() <= 0.955  # measured 0.9502
    assert 0.945 <= np.median(f) <= 0.955  # measured 0.9506
    assert np.mean((f >= 0.93) & (f <= 0.97)) >= 0.85  # measured 0.87
    assert f.min() > 0.90  # measured 0.914
