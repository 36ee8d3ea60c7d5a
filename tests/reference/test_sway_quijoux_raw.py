"""Every positional, ellipse, dynamic and spectral variable that the Quijoux et al. 2021 code
also defines, against that code's output on the same 192 HBEDB trials (raw mode).

Peer: github.com/Jythen/code_descriptors_postural_control (MIT), run with
``resample=False, filter_=False`` on [ML, AP] in cm, centred; 72 features per trial stored in
``hbedb/peer/quijoux2021_raw100Hz_subjects_01-16.csv`` (see the shared data README). Here the
same trials go through :func:`compute_sway_metrics` with ``SwayConventions.quijoux_2021()`` and
no preprocessing, and the peer's cm, cm², cm/s are converted to SI.

Quijoux F et al. (2021) Physiol Rep 9(22):e15067. doi:10.14814/phy2.15067
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from reeducate.balance.conventions import SwayConventions
from reeducate.balance.metrics import compute_sway_metrics

pytestmark = pytest.mark.shared_data

FS_HZ: Final = 100.0

#: Peer value = ours × factor. ``power`` is special: the peer sums PSD bins in cm²/Hz while
#: ours integrate them (Δf × sum, rectangle rule) in m², so peer = ours × 1e4 / Δf.
FACTOR: Final[dict[str, float | str]] = {
    "m": 1e2,
    "m2": 1e4,
    "m_s": 1e2,
    "m2_s": 1e4,
    "m_inv": 1e-2,
    "1": 1.0,
    "power": "power",
}

#: Peer feature -> (our SI name, conversion kind).
PEER_TO_OURS: Final[dict[str, tuple[str, str]]] = {
    # positional
    "mean_value_AP": ("mean_position_ap_m", "m"),
    "mean_value_ML": ("mean_position_ml_m", "m"),
    "mean_distance_AP": ("mean_distance_ap_m", "m"),
    "mean_distance_ML": ("mean_distance_ml_m", "m"),
    "mean_distance_Radius": ("mean_distance_m", "m"),
    "maximal_distance_AP": ("max_distance_ap_m", "m"),
    "maximal_distance_ML": ("max_distance_ml_m", "m"),
    "maximal_distance_Radius": ("max_distance_m", "m"),
    "rms_AP": ("rms_ap_m", "m"),
    "rms_ML": ("rms_ml_m", "m"),
    "rms_Radius": ("rms_distance_m", "m"),
    "range_AP": ("range_ap_m", "m"),
    "range_ML": ("range_ml_m", "m"),
    "range_ML_AND_AP": ("range_m", "m"),  # peer: O(N²) loop; ours: convex hull
    "range_ratio_ML_AND_AP": ("range_ml_over_ap_ratio", "1"),
    "planar_deviation_ML_AND_AP": ("planar_deviation_m", "m"),
    "coefficient_sway_direction_ML_AND_AP": ("sway_direction_coefficient_ratio", "1"),
    "principal_sway_direction_ML_AND_AP": ("principal_sway_direction_deg", "1"),
    # ellipse (peer: population moments)
    "confidence_ellipse_area_ML_AND_AP": ("ellipse_area_95_m2", "m2"),
    # dynamic
    "mean_velocity_AP": ("mean_velocity_ap_m_s", "m_s"),
    "mean_velocity_ML": ("mean_velocity_ml_m_s", "m_s"),
    "mean_velocity_ML_AND_AP": ("mean_velocity_m_s", "m_s"),
    "sway_area_per_second_ML_AND_AP": ("sway_area_per_second_m2_s", "m2_s"),
    "phase_plane_parameter_AP": ("phase_plane_parameter_ap_m", "m"),
    "phase_plane_parameter_ML": ("phase_plane_parameter_ml_m", "m"),
    "LFS_ML_AND_AP": ("length_over_area_m_inv", "m_inv"),
    "fractal_dimension_ML_AND_AP": ("fractal_dimension_ce", "1"),
    "mean_frequency_AP": ("prieto_mean_frequency_ap_hz", "1"),
    "mean_frequency_ML": ("prieto_mean_frequency_ml_hz", "1"),
    "mean_frequency_ML_AND_AP": ("prieto_mean_frequency_hz", "1"),
    "zero_crossing_SPD_AP": ("zero_crossings_ap_count", "1"),
    "zero_crossing_SPD_ML": ("zero_crossings_ml_count", "1"),
    "peak_velocity_pos_SPD_AP": ("peak_velocity_pos_ap_m_s", "m_s"),
    "peak_velocity_pos_SPD_ML": ("peak_velocity_pos_ml_m_s", "m_s"),
    "peak_velocity_neg_SPD_AP": ("peak_velocity_neg_ap_m_s", "m_s"),
    "peak_velocity_neg_SPD_ML": ("peak_velocity_neg_ml_m_s", "m_s"),
    "peak_velocity_all_SPD_AP": ("peak_velocity_all_ap_m_s", "m_s"),
    "peak_velocity_all_SPD_ML": ("peak_velocity_all_ml_m_s", "m_s"),
    # spectral (peer: Welch 10 s, 50 %, linear detrend, nfft = N; bins in [0.15, 5] Hz)
    **{
        f"{peer}_Power_Spectrum_Density_{axis.upper()}": (ours.format(axis=axis), kind)
        for axis in ("ap", "ml")
        for peer, ours, kind in (
            ("total_power", "total_power_{axis}_m2", "power"),
            ("power_frequency_50", "power_frequency_50_{axis}_hz", "1"),
            ("power_frequency_95", "power_frequency_95_{axis}_hz", "1"),
            ("frequency_mode", "frequency_mode_{axis}_hz", "1"),
            ("centroid_frequency", "centroid_frequency_{axis}_hz", "1"),
            ("frequency_dispersion", "frequency_dispersion_{axis}_ratio", "1"),
            ("energy_content_below_05", "band_power_below_0p5hz_{axis}_m2", "power"),
            ("energy_content_05_2", "band_power_0p5_2hz_{axis}_m2", "power"),
            ("energy_content_above_2", "band_power_above_2hz_{axis}_m2", "power"),
            ("frequency_quotient", "frequency_quotient_{axis}_ratio", "1"),
        )
    },
}

#: Peer features owned by the diffusion and sway-density modules (tested with them).
NOT_IN_THESE_FAMILIES: Final = frozenset(
    [
        f"{name}_Diffusion_{axis}"
        for name in (
            "short_time_diffusion",
            "long_time_diffusion",
            "critical_time",
            "critical_displacement",
            "short_time_scaling",
            "long_time_scaling",
        )
        for axis in ("AP", "ML")
    ]
    + ["mean_peak_Sway_Density", "mean_distance_peak_Sway_Density"]
)


@pytest.fixture(scope="module")
def comparison(shared_data: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.Series]:
    """(peer table, our values in the peer's units, number of samples) per trial."""
    folder = shared_data / "hbedb"
    peer = pd.read_csv(folder / "peer" / "quijoux2021_raw100Hz_subjects_01-16.csv")
    peer = peer.set_index("Trial")
    conventions = SwayConventions.quijoux_2021()
    ours = {}
    n_samples = {}
    for trial in peer.index:
        data = pd.read_csv(
            folder / "trials" / f"{trial}.txt", sep="\t", usecols=["COPx[cm]", "COPy[cm]"]
        )
        ap_m = data["COPx[cm]"].to_numpy() * 1e-2
        ml_m = data["COPy[cm]"].to_numpy() * 1e-2
        values = compute_sway_metrics(
            ap_m, ml_m, sampling_rate_hz=FS_HZ, conventions=conventions
        ).values
        n = len(ap_m)
        n_samples[trial] = n
        row = {}
        for peer_name, (our_name, kind) in PEER_TO_OURS.items():
            factor = FACTOR[kind]
            # Welch bin width with nfft = N is fs / N.
            scale = 1e4 / (FS_HZ / n) if factor == "power" else float(factor)
            row[peer_name] = values[our_name] * scale
        ours[trial] = row
    return peer, pd.DataFrame.from_dict(ours, orient="index"), pd.Series(n_samples)


def test_mapping_covers_every_peer_feature(
    comparison: tuple[pd.DataFrame, pd.DataFrame, pd.Series],
) -> None:
    peer, ours, _ = comparison
    assert len(peer) == 192 and len(ours) == 192
    assert set(PEER_TO_OURS) | NOT_IN_THESE_FAMILIES == set(peer.columns)
    assert not set(PEER_TO_OURS) & NOT_IN_THESE_FAMILIES


@pytest.mark.parametrize("peer_name", sorted(PEER_TO_OURS))
def test_metric_matches_quijoux2021_raw(
    peer_name: str, comparison: tuple[pd.DataFrame, pd.DataFrame, pd.Series]
) -> None:
    peer, ours, _ = comparison
    want = peer[peer_name].to_numpy()
    got = ours.loc[peer.index, peer_name].to_numpy()
    assert np.isfinite(want).all() and np.isfinite(got).all()
    if peer_name == "principal_sway_direction_ML_AND_AP":
        # The peer takes arccos(|cos θ|) of a PCA vector, whose rounding error is ~eps/θ rad:
        # 1.6e-10° at the smallest angle here (0.0044°, BDS00119); ours uses atan2.
        assert_allclose(got, want, rtol=1e-9, atol=1e-9)
    else:
        # Same formulas and conventions; only floating-point rounding (measured <= 6e-14).
        assert_allclose(got, want, rtol=1e-9)


def test_ellipse_area_is_published_coparea_times_n_minus_1_over_n(
    shared_data: Path, comparison: tuple[pd.DataFrame, pd.DataFrame, pd.Series]
) -> None:
    """The documented convention difference holds on real data: population covariance."""
    _, ours, n = comparison
    published = pd.read_csv(
        shared_data / "hbedb" / "BDSinfoCOP_subjects_01-16.tsv", sep="\t", index_col="Trial"
    )["COParea"]
    trials = ours.index
    expected = published.loc[trials] * (n.loc[trials] - 1) / n.loc[trials]
    # Published at full precision; the factor is exact, rounding and the published F quantile
    # (7.5e-13) remain.
    assert_allclose(ours.loc[trials, "confidence_ellipse_area_ML_AND_AP"], expected, rtol=1e-9)
    # ... and it is a real difference, far above the tolerance (1/6000 = 1.7e-4).
    ratio = ours.loc[trials, "confidence_ellipse_area_ML_AND_AP"] / published.loc[trials]
    assert np.all(np.abs(ratio - 1) > 1e-4)
