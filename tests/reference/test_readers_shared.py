"""Readers on the real recordings in ../shared/data: HBEDB, PDS and the AMTI export."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from numpy.testing import assert_allclose

from reeducate.balance.forceplate import DualPlateTrial, cop_from_forces_moments
from reeducate.balance.trial import CopTrial, Surface, Vision
from reeducate.errors import SignalQualityWarning
from reeducate.io import read_cop, read_trial_metadata
from reeducate.io.forceplates import merged_net_cop

pytestmark = pytest.mark.shared_data


def _hbedb_files(shared_data: Path) -> list[Path]:
    return sorted((shared_data / "hbedb" / "trials").glob("BDS*.txt"))


def test_hbedb_cop_matches_moments_over_force(shared_data: Path) -> None:
    """Recorded COPx/COPy (cm) against -My/Fz and Mx/Fz from the same file, all 192 trials."""
    worst_m = 0.0
    files = _hbedb_files(shared_data)
    assert len(files) == 192
    for path in files:
        trial = read_cop(path)
        assert isinstance(trial, CopTrial) and trial.n_samples == 6000
        raw = np.loadtxt(path, skiprows=1)  # independent parser
        ap, ml = cop_from_forces_moments(raw[:, 1:4], raw[:, 4:7], origin_depth_m=0.0)
        worst_m = max(
            worst_m, float(np.abs(trial.ap_m - ap).max()), float(np.abs(trial.ml_m - ml).max())
        )
        assert_allclose(trial.ap_m, raw[:, 7] / 100, rtol=1e-15)  # same decimal text, same value
    # The files print COP with 6 decimals in cm: rounding alone gives <= 5e-9 m; measured 6.1e-9
    # (the forces and moments are rounded too).
    assert worst_m < 1e-8


def test_hbedb_metadata_fills_condition(shared_data: Path) -> None:
    md = read_trial_metadata(shared_data / "hbedb" / "BDSinfoCOP_subjects_01-16.tsv")
    assert len(md) == 192
    trial = read_cop(shared_data / "hbedb" / "trials" / "BDS00001.txt", metadata=md)
    assert isinstance(trial, CopTrial)
    assert trial.condition.vision is Vision.OPEN and trial.condition.surface is Surface.FIRM
    assert md["BDS00001"].age_group == "Young"
    # published COParea 0.9446915167229832 cm2 -> m2
    assert md["BDS00001"].published_metrics["ellipse_area_95_m2"] == pytest.approx(
        0.9446915167229832e-4, rel=1e-15
    )
    surfaces = {info.condition.surface for info in md.values()}
    assert surfaces == {Surface.FIRM, Surface.FOAM}


def test_pds_net_cop_matches_own_merge_of_plates(shared_data: Path) -> None:
    """COPNET against (F_L·CoP_L + F_R·CoP_R)/(F_L + F_R) from the per-foot columns, 12 trials."""
    md = read_trial_metadata(shared_data / "pds" / "PDSinfoCOP_subject13.tsv")
    files = sorted((shared_data / "pds").glob("PDS13*grf.txt"))
    assert len(files) == 12
    worst_m = 0.0
    for path in files:
        trial = read_cop(path, metadata=md)
        assert isinstance(trial, DualPlateTrial)
        assert trial.net.condition.vision is not None
        merged = merged_net_cop(trial)
        worst_m = max(
            worst_m,
            float(np.abs(merged[:, 0] - trial.net.ap_m).max()),
            float(np.abs(merged[:, 1] - trial.net.ml_m).max()),
        )
    # Measured 9.6e-6 m: the file rounds each CoP to 1e-6 m and forces to 1e-6 N, and COPNET
    # was computed by the authors before rounding; 20 um is far below sway amplitudes (mm).
    assert worst_m < 2e-5


def test_amti_export_trims_dropouts_and_step_off(shared_data: Path) -> None:
    path = shared_data / "amti" / "amti_quiet_standing.csv"
    with pytest.warns(SignalQualityWarning) as record:
        trial = read_cop(path)
    assert isinstance(trial, CopTrial)
    messages = [str(w.message) for w in record]
    assert len(messages) == 1
    assert "0.000 s to 0.020 s" in messages[0] and "156.000 s to 156.040 s" in messages[0]
    assert trial.sampling_rate_hz == 100.0 and trial.n_samples == 15605 - 8
    raw = np.loadtxt(path, delimiter=",", skiprows=35)[3:15600]
    # Motive's own Cx/Cy columns (m) agree with -My/Fz, Mx/Fz to their 6-decimal printing.
    assert_allclose(trial.ap_m, raw[:, 9], atol=1e-6)
    assert_allclose(trial.ml_m, raw[:, 10], atol=1e-6)
    assert 500 < float(np.median(trial.vertical_force_n)) < 700  # ~59 kg person, in newtons


def test_readers_emit_no_warning_on_clean_trials(shared_data: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_cop(_hbedb_files(shared_data)[0])
        read_cop(shared_data / "pds" / "PDS13OR1grf.txt")
