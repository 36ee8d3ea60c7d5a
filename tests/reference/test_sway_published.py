"""The published per-trial COParea, COPvelo and COPmfreq, reproduced with the default conventions.

Sources (CC BY 4.0): Santos DA, Duarte M (2016) A public data set of human balance
evaluations. PeerJ 4:e2648, doi:10.7717/peerj.2648 (``hbedb/``: 192 trials, subjects 1-16);
dos Santos DA et al. (2017) A data set with kinematic and ground reaction forces of human
balance. PeerJ 5:e3626 (``pds/``: 12 net-CoP trials of subject 13). The tables list the
metrics the data sets' authors computed, at full float precision, in cm², cm/s and Hz.

Files are read with plain pandas here on purpose: this test checks the metrics, not the
readers.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from reeducate.balance.conventions import SwayConventions
from reeducate.balance.metrics import compute_sway_metrics
from reeducate.balance.metrics.ellipse import f_quantile_2

pytestmark = pytest.mark.shared_data

FS_HZ = 100.0  # both data sets: 100 Hz, stated in their READMEs and by the 0.01-s time step


def _published_and_ours(table: pd.DataFrame, trajectories: dict[str, tuple]) -> pd.DataFrame:
    conventions = SwayConventions.santos_duarte_2016()
    rows = {}
    for trial, (ap_m, ml_m) in trajectories.items():
        values = compute_sway_metrics(
            ap_m, ml_m, sampling_rate_hz=FS_HZ, conventions=conventions
        ).values
        rows[trial] = {
            "area_cm2": values["ellipse_area_95_m2"] * 1e4,
            "velo_cm_s": values["mean_velocity_m_s"] * 1e2,
            "mfreq_hz": values["mean_power_frequency_hz"],
        }
    ours = pd.DataFrame.from_dict(rows, orient="index")
    return table[["COParea", "COPvelo", "COPmfreq"]].join(ours, how="inner")


@pytest.fixture(scope="module")
def hbedb(shared_data: Path) -> pd.DataFrame:
    folder = shared_data / "hbedb"
    table = pd.read_csv(folder / "BDSinfoCOP_subjects_01-16.tsv", sep="\t", index_col="Trial")
    trajectories = {}
    for trial in table.index:
        data = pd.read_csv(
            folder / "trials" / f"{trial}.txt", sep="\t", usecols=["COPx[cm]", "COPy[cm]"]
        )
        # COPx is AP, COPy is ML, both in cm (data set README).
        trajectories[trial] = (
            data["COPx[cm]"].to_numpy() * 1e-2,
            data["COPy[cm]"].to_numpy() * 1e-2,
        )
    return _published_and_ours(table, trajectories)


@pytest.fixture(scope="module")
def pds(shared_data: Path) -> pd.DataFrame:
    folder = shared_data / "pds"
    table = pd.read_csv(folder / "PDSinfoCOP_subject13.tsv", sep="\t", index_col="Trial")
    trajectories = {}
    for trial in table.index:
        data = pd.read_csv(folder / f"{trial}grf.txt", sep="\t", usecols=["COPNET_X", "COPNET_Z"])
        # Net CoP in m; X is AP, Z is ML (Y vertical).
        trajectories[trial] = (data["COPNET_X"].to_numpy(), data["COPNET_Z"].to_numpy())
    return _published_and_ours(table, trajectories)


def test_every_hbedb_and_pds_trial_is_checked(hbedb: pd.DataFrame, pds: pd.DataFrame) -> None:
    assert len(hbedb) == 192
    assert len(pds) == 12
    assert hbedb.notna().all().all() and pds.notna().all().all()


@pytest.mark.parametrize("data_set", ["hbedb", "pds"])
def test_ellipse_area_matches_published_coparea(
    data_set: str, request: pytest.FixtureRequest
) -> None:
    table = request.getfixturevalue(data_set)
    # Published at full precision; the measured gap (7.5e-13) is the F quantile of the
    # authors' scipy version against the exact closed form used here.
    assert_allclose(table["area_cm2"], table["COParea"], rtol=1e-9)


@pytest.mark.parametrize("data_set", ["hbedb", "pds"])
def test_mean_velocity_matches_published_copvelo(
    data_set: str, request: pytest.FixtureRequest
) -> None:
    table = request.getfixturevalue(data_set)
    # Published at full precision; same formula, so only rounding (measured 1.5e-15) remains.
    assert_allclose(table["velo_cm_s"], table["COPvelo"], rtol=1e-9)


@pytest.mark.parametrize("data_set", ["hbedb", "pds"])
def test_mean_power_frequency_matches_published_copmfreq(
    data_set: str, request: pytest.FixtureRequest
) -> None:
    table = request.getfixturevalue(data_set)
    # Published at full precision; same Welch recipe, only rounding (measured 2.4e-14) remains.
    assert_allclose(table["mfreq_hz"], table["COPmfreq"], rtol=1e-9)


@pytest.mark.parametrize(
    ("change", "expected_ratio"),
    [
        # chi-square scale over the exact F scale at N = 6000: 5.99146 / 5.99627 (-0.083 %)
        ({"ellipse_method": "chi2_prediction"}, None),
        # population instead of sample covariance: (N - 1) / N
        ({"covariance_ddof": 0}, 5999 / 6000),
    ],
)
def test_other_ellipse_conventions_miss_published_coparea(
    shared_data: Path, hbedb: pd.DataFrame, change: dict[str, object], expected_ratio: float | None
) -> None:
    """The golden test can fail: another ellipse convention is caught, by the documented factor."""
    data = pd.read_csv(
        shared_data / "hbedb" / "trials" / "BDS00001.txt",
        sep="\t",
        usecols=["COPx[cm]", "COPy[cm]"],
    )
    ap_m, ml_m = data["COPx[cm]"].to_numpy() * 1e-2, data["COPy[cm]"].to_numpy() * 1e-2
    conventions = replace(SwayConventions.santos_duarte_2016(), **change)
    area_cm2 = (
        compute_sway_metrics(ap_m, ml_m, sampling_rate_hz=FS_HZ, conventions=conventions).values[
            "ellipse_area_95_m2"
        ]
        * 1e4
    )
    published = hbedb.loc["BDS00001", "COParea"]
    if expected_ratio is None:
        n = 6000
        f_scale = 2 * f_quantile_2(0.95, n - 2) * (n - 1) * (n + 1) / (n * (n - 2))
        expected_ratio = -2 * np.log(0.05) / f_scale
    assert abs(area_cm2 / published - 1) > 1e-4  # far outside the golden tolerance
    # The documented factor holds to rounding (closed-form scales, same covariance).
    assert_allclose(area_cm2 / published, expected_ratio, rtol=1e-9)
