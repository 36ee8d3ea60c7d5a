"""The preset "quijoux-2021" through :func:`analyze_trial` against the Quijoux et al. 2021
code in its paper pipeline (centring on the raw mean, artefact purge, SWARII to 25 Hz,
4th-order zero-phase Butterworth low-pass at 10 Hz) on the 192 HBEDB trials of subjects 1-16.

Peer: github.com/Jythen/code_descriptors_postural_control (MIT), 2-column [ML, AP] cm input at
100 Hz (it builds the time column ``arange(n) / 100``, centres on the full-rate mean, purges,
resamples, filters); outputs in
``hbedb/peer/quijoux2021_swarii25Hz_lowpass10Hz_subjects_01-16.csv``.

All 72 features are compared. The peer centres once, on the 100 Hz mean *before*
preprocessing, and computes the positional features on the processed signal as it is, whose
mean is no longer zero (dropping t < 0.1 s and the last sample, and SWARII's clipped first
window, move it by up to ~0.3 mm). The preset reproduces that as two explicit, recorded
conventions: ``Preprocessing(centre="raw_mean")`` and ``SwayConventions(centring="as_given")``.
The peer's ``mean_value`` is the raw mean itself: our ``mean_position_*_m`` with the origin of
the processed signal in the plate frame (``centre_offset_m``) passed to the metrics.

Quijoux F et al. (2021) Physiol Rep 9:e15067, doi:10.14814/phy2.15067.
Audiffren J, Contal E (2016) Sensors 16:1208, doi:10.3390/s16081208.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose
from test_diffusion_density_quijoux_raw import PEER_TO_OURS as SDA_SD_TO_OURS
from test_sway_quijoux_raw import FACTOR
from test_sway_quijoux_raw import PEER_TO_OURS as OTHER_TO_OURS

from reeducate.balance.analysis import TrialAnalysis, analyze_trial
from reeducate.balance.metrics import compute_sway_metrics
from reeducate.balance.preprocess import centre_offset_m
from reeducate.balance.presets import get_preset
from reeducate.balance.trial import CopTrial

pytestmark = pytest.mark.shared_data

#: The peer's raw-mean features, which need the processed signal's plate-frame origin.
MEAN_VALUE: Final = ("mean_value_AP", "mean_value_ML")

#: Features that depend on where positions are measured from: before the centring conventions
#: they differed from the peer by up to 3.3e-2 relative (sway-direction coefficient near zero)
#: and 2.5e-3 otherwise (mean value: the whole offset).
CENTRING_DEPENDENT: Final = frozenset(
    [
        *MEAN_VALUE,
        "mean_distance_AP",
        "mean_distance_ML",
        "mean_distance_Radius",
        "maximal_distance_AP",
        "maximal_distance_ML",
        "maximal_distance_Radius",
        "rms_AP",
        "rms_ML",
        "rms_Radius",
        "planar_deviation_ML_AND_AP",
        "coefficient_sway_direction_ML_AND_AP",
        "confidence_ellipse_area_ML_AND_AP",
        "LFS_ML_AND_AP",
        "fractal_dimension_ML_AND_AP",
        "sway_area_per_second_ML_AND_AP",
        "phase_plane_parameter_AP",
        "phase_plane_parameter_ML",
        "mean_frequency_AP",
        "mean_frequency_ML",
        "mean_frequency_ML_AND_AP",
    ]
)

ALL_FEATURES: Final = sorted(set(OTHER_TO_OURS) | set(SDA_SD_TO_OURS))


def _to_peer_units(
    metrics: dict[str, float] | TrialAnalysis, n: int, fs: float
) -> dict[str, float]:
    values = metrics.metrics if isinstance(metrics, TrialAnalysis) else metrics
    row = {}
    for peer_name, (ours, kind) in OTHER_TO_OURS.items():
        factor = FACTOR[kind]
        scale = 1e4 / (fs / n) if factor == "power" else float(factor)
        row[peer_name] = values[ours] * scale
    for peer_name, (ours, scale) in SDA_SD_TO_OURS.items():
        row[peer_name] = values[ours] * scale
    return row


@pytest.fixture(scope="module")
def tables(
    shared_data: Path,
) -> tuple[pd.DataFrame, pd.DataFrame, dict[str, tuple[CopTrial, TrialAnalysis]], pd.DataFrame]:
    folder = shared_data / "hbedb"
    peer = pd.read_csv(folder / "peer" / "quijoux2021_swarii25Hz_lowpass10Hz_subjects_01-16.csv")
    peer = peer.set_index("Trial")
    preset = get_preset("quijoux-2021")
    recentred = replace(preset.conventions, centring="signal_mean")
    rows, trials, rows_recentred = {}, {}, {}
    for trial_id in peer.index:
        data = pd.read_csv(
            folder / "trials" / f"{trial_id}.txt", sep="\t", usecols=["COPx[cm]", "COPy[cm]"]
        )
        trial = CopTrial(
            ap_m=data["COPx[cm]"].to_numpy() * 1e-2,
            ml_m=data["COPy[cm]"].to_numpy() * 1e-2,
            sampling_rate_hz=100.0,
            source_unit="cm",
            source_name=trial_id,
        )
        analysis = analyze_trial(trial, preset=preset)
        processed = analysis.trial
        # Every feature, the raw-mean ones included, straight from analyze_trial.
        rows[trial_id] = _to_peer_units(analysis, processed.n_samples, processed.sampling_rate_hz)
        origin_ap_m, origin_ml_m = centre_offset_m(trial, preprocessing=preset.preprocessing)
        trials[trial_id] = (trial, analysis)
        # Counter-check: the same processed trial, re-centred on its own mean.
        rows_recentred[trial_id] = _to_peer_units(
            compute_sway_metrics(
                processed.ap_m,
                processed.ml_m,
                sampling_rate_hz=processed.sampling_rate_hz,
                conventions=recentred,
                origin_ap_m=origin_ap_m,
                origin_ml_m=origin_ml_m,
            ).values,
            processed.n_samples,
            processed.sampling_rate_hz,
        )
    return (
        peer,
        pd.DataFrame.from_dict(rows, orient="index"),
        trials,
        pd.DataFrame.from_dict(rows_recentred, orient="index"),
    )


def test_every_peer_feature_is_mapped(
    tables: tuple[pd.DataFrame, pd.DataFrame, dict, pd.DataFrame],
) -> None:  # type: ignore[type-arg]
    peer, ours, _, _ = tables
    assert len(peer) == 192 and len(peer.columns) == 72
    assert set(ours.columns) == set(peer.columns) == set(ALL_FEATURES)
    assert CENTRING_DEPENDENT < set(peer.columns)


def test_the_preset_records_its_centring(
    tables: tuple[pd.DataFrame, pd.DataFrame, dict, pd.DataFrame],  # type: ignore[type-arg]
) -> None:
    _, _, trials, _ = tables
    raw, analysis = next(iter(trials.values()))
    assert analysis.settings["preprocessing"]["centre"] == "raw_mean"
    assert analysis.settings["conventions"]["centring"] == "as_given"
    # The processed trial is relative to the raw 100 Hz mean, and not centred on its own mean.
    assert abs(np.mean(analysis.trial.ap_m)) < 1e-3 < abs(np.mean(raw.ap_m))
    assert np.mean(analysis.trial.ap_m) != 0.0


@pytest.mark.parametrize("peer_name", ALL_FEATURES)
def test_paper_pipeline_matches_quijoux2021(
    peer_name: str,
    tables: tuple[pd.DataFrame, pd.DataFrame, dict, pd.DataFrame],  # type: ignore[type-arg]
) -> None:
    peer, ours, _, _ = tables
    want = peer[peer_name].to_numpy()
    got = ours.loc[peer.index, peer_name].to_numpy()
    assert np.isfinite(want).all() and np.isfinite(got).all()
    if peer_name == "principal_sway_direction_ML_AND_AP":
        # The peer takes arccos(|cos θ|) of a PCA vector, whose rounding error is ~eps/θ rad
        # (measured max 7.5e-8 relative, 1.9e-10° absolute, at the smallest angles); ours
        # uses atan2, so an absolute tolerance too (as in the raw-mode test).
        assert_allclose(got, want, rtol=1e-9, atol=1e-9)
    else:
        # Same samples after centring + purge + SWARII + filtfilt, same formulas: rounding
        # only (the peer sums SWARII weights in another order). Measured max 2.9e-12
        # (critical displacement AP); positional, ellipse and dynamic features <= 2.6e-12
        # (sway-direction coefficient), mean_value 5.6e-14.
        assert_allclose(got, want, rtol=1e-9)


def test_re_centring_the_processed_signal_would_not_match(
    tables: tuple[pd.DataFrame, pd.DataFrame, dict, pd.DataFrame],  # type: ignore[type-arg]
) -> None:
    """The centring conventions are what the peer needs, for exactly the documented features."""
    peer, _, _, recentred = tables
    rel = (recentred.loc[peer.index, ALL_FEATURES] / peer[ALL_FEATURES] - 1).abs().max()
    # Re-centring moves the processed mean (<= 0.3 mm) into the distances: measured >= 2.9e-6
    # relative on each centring-dependent feature, and adds the processed mean to mean_value.
    assert (rel[sorted(CENTRING_DEPENDENT)] > 1e-6).all(), rel[sorted(CENTRING_DEPENDENT)]
    others = sorted(set(ALL_FEATURES) - CENTRING_DEPENDENT - {"principal_sway_direction_ML_AND_AP"})
    assert (rel[others] < 1e-9).all(), rel[others]
