"""Stabilogram diffusion and sway density against the Quijoux et al. 2021 code (raw mode).

Peer: github.com/Jythen/code_descriptors_postural_control (MIT), run with
``resample=False, filter_=False`` on [ML, AP] in cm, centred, 100 Hz; its outputs for the 192
HBEDB trials of subjects 1-16 are in ``hbedb/peer/quijoux2021_raw100Hz_subjects_01-16.csv``.
Its "diffusion" is exp(log-log intercept) in cm² (ours: ``*_loglog_intercept_m2``), its
critical displacement an MSD in cm², its sway density in s and its peak distance in cm.

Quijoux F et al. (2021) Physiol Rep 9:e15067, doi:10.14814/phy2.15067.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from reeducate.balance.metrics.stochastic import DiffusionConventions, diffusion_metrics
from reeducate.balance.metrics.sway_density import SwayDensityConventions, sway_density_metrics

pytestmark = pytest.mark.shared_data

FS_HZ: Final = 100.0

#: peer feature -> (our name, peer value / our value)
PEER_TO_OURS: Final[dict[str, tuple[str, float]]] = {
    **{
        f"{peer}_Diffusion_{axis.upper()}": (f"{axis}_{ours}", factor)
        for axis in ("ap", "ml")
        for peer, ours, factor in (
            ("short_time_diffusion", "short_term_loglog_intercept_m2", 1e4),
            ("long_time_diffusion", "long_term_loglog_intercept_m2", 1e4),
            ("critical_time", "critical_time_s", 1.0),
            ("critical_displacement", "critical_mean_square_displacement_m2", 1e4),
            ("short_time_scaling", "short_term_scaling_exponent_ratio", 1.0),
            ("long_time_scaling", "long_term_scaling_exponent_ratio", 1.0),
        )
    },
    "mean_peak_Sway_Density": ("sway_density_mean_peak_s", 1.0),
    "mean_distance_peak_Sway_Density": ("sway_density_mean_distance_peak_m", 1e2),
}


@pytest.fixture(scope="module")
def tables(shared_data: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    folder = shared_data / "hbedb"
    peer = pd.read_csv(folder / "peer" / "quijoux2021_raw100Hz_subjects_01-16.csv")
    peer = peer.set_index("Trial")
    rows = {}
    for trial in peer.index:
        data = pd.read_csv(
            folder / "trials" / f"{trial}.txt", sep="\t", usecols=["COPx[cm]", "COPy[cm]"]
        )
        ap_m = data["COPx[cm]"].to_numpy() * 1e-2
        ml_m = data["COPy[cm]"].to_numpy() * 1e-2
        values = diffusion_metrics(
            ap_m, ml_m, sampling_rate_hz=FS_HZ, conventions=DiffusionConventions.quijoux_2021()
        )
        values |= sway_density_metrics(
            ap_m, ml_m, sampling_rate_hz=FS_HZ, conventions=SwayDensityConventions.quijoux_2021()
        )
        rows[trial] = {
            peer_name: values[ours] * factor for peer_name, (ours, factor) in PEER_TO_OURS.items()
        }
    return peer, pd.DataFrame.from_dict(rows, orient="index")


def test_all_192_trials_are_compared(tables: tuple[pd.DataFrame, pd.DataFrame]) -> None:
    peer, ours = tables
    assert len(peer) == 192 and list(ours.index) == list(peer.index)


@pytest.mark.parametrize("peer_name", sorted(PEER_TO_OURS))
def test_diffusion_and_sway_density_match_quijoux2021_raw(
    peer_name: str, tables: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    peer, ours = tables
    want = peer[peer_name].to_numpy()
    got = ours.loc[peer.index, peer_name].to_numpy()
    assert np.isfinite(want).all() and np.isfinite(got).all()
    # Same breakpoints on every trial and the same fits. Measured max relative error 1.1e-10
    # (critical displacement ML, BDS00074): the FFT MSD differs from the peer's direct mean
    # by up to 3e-11 relative at lag 1 (cancellation against the record's variance), and the
    # critical point amplifies it where the two log-log slopes are close. 1e-9 keeps a 9x
    # margin over that; sway density (same comparisons, same filter) agrees to 8e-14.
    assert_allclose(got, want, rtol=1e-9)
