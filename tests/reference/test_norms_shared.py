"""Norms against their sources: the published HBEDB per-trial metrics of subjects 1-16, and the
team reference tables the norm table was transcribed from."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from reeducate.balance.norms import NORM_TABLE, AgeGroup, NormRow, NormSource, find_norm
from reeducate.balance.trial import Surface, Vision

pytestmark = pytest.mark.shared_data

PUBLISHED = {
    "COParea": "ellipse_area_95_m2",
    "COPvelo": "mean_velocity_m_s",
    "COPmfreq": "mean_power_frequency_hz",
}

#: Quijoux feature key (reference/balance.md §4.3) -> our SI metric name.
QUIJOUX_NAMES = {
    "confidence_ellipse_area_ML_AND_AP": "ellipse_area_95_m2",
    "mean_velocity_ML_AND_AP": "mean_velocity_m_s",
    "mean_velocity_ML": "mean_velocity_ml_m_s",
    "mean_velocity_AP": "mean_velocity_ap_m_s",
    "rms_ML": "rms_ml_m",
    "rms_AP": "rms_ap_m",
    "mean_distance_Radius": "mean_distance_m",
    "range_ML": "range_ml_m",
    "range_AP": "range_ap_m",
    "sway_area_per_second_ML_AND_AP": "sway_area_per_second_m2_s",
    "mean_frequency_ML_AND_AP": "prieto_mean_frequency_hz",
    "power_frequency_50_Power_Spectrum_Density_ML": "power_frequency_50_ml_hz",
    "power_frequency_50_Power_Spectrum_Density_AP": "power_frequency_50_ap_hz",
    "power_frequency_95_Power_Spectrum_Density_ML": "power_frequency_95_ml_hz",
    "power_frequency_95_Power_Spectrum_Density_AP": "power_frequency_95_ap_hz",
    "centroid_frequency_Power_Spectrum_Density_AP": "centroid_frequency_ap_hz",
    "frequency_dispersion_Power_Spectrum_Density_AP": "frequency_dispersion_ap_ratio",
    "fractal_dimension_ML_AND_AP": "fractal_dimension_ce",
    "phase_plane_parameter_AP": "phase_plane_parameter_ap_m",
    "principal_sway_direction_ML_AND_AP": "principal_sway_direction_deg",
    "short_time_diffusion_Diffusion_AP": "ap_short_term_loglog_intercept_m2",
    "long_time_diffusion_Diffusion_AP": "ap_long_term_loglog_intercept_m2",
    "critical_time_Diffusion_AP": "ap_critical_time_s",
    "short_time_scaling_Diffusion_AP": "ap_short_term_scaling_exponent_ratio",
    "long_time_scaling_Diffusion_AP": "ap_long_term_scaling_exponent_ratio",
    "mean_peak_Sway_Density": "sway_density_mean_peak_s",
    "mean_distance_peak_Sway_Density": "sway_density_mean_distance_peak_m",
}

_NUM = r"([0-9.]+)"
_MEDIAN_IQR = re.compile(rf"{_NUM} \[{_NUM}–{_NUM}\]")
_MEAN_SD = re.compile(rf"{_NUM} ± {_NUM}")


def _median_iqr(cell: str) -> tuple[float, float, float]:
    match = _MEDIAN_IQR.fullmatch(cell.strip())
    assert match is not None, cell
    med, q1, q3 = (float(x) for x in match.groups())
    return q1, med, q3


def _mean_sd(cell: str) -> tuple[float, float]:
    match = _MEAN_SD.fullmatch(cell.strip())
    assert match is not None, cell
    mean, sd = (float(x) for x in match.groups())
    return mean, sd


def _section_rows(text: str, heading: str) -> list[list[str]]:
    start = text.index(heading)
    end = text.index("\n### ", start + 1)
    rows = []
    for line in text[start:end].splitlines():
        if line.startswith("| ") and not line.startswith("| ---") and "---" not in line:
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
    return rows[1:]  # drop the header row


def _row(source: NormSource, metric: str, age: str, surface: str, vision: str) -> NormRow:
    row = find_norm(
        source=source,
        metric=metric,
        age_group=AgeGroup.YOUNG if age.startswith("Young") else AgeGroup.OLD,
        surface=Surface.FIRM if surface in ("Firm", "Rigid") else Surface.FOAM,
        vision=Vision(vision.lower()),
    )
    assert row is not None, (source, metric, age, surface, vision)
    return row


@pytest.fixture(scope="module")
def reference_text(shared_data: Path) -> str:
    return (shared_data.parent / "reference" / "balance.md").read_text(encoding="utf-8")


def test_hbedb_norm_table_matches_reference_section_4_1(reference_text: str) -> None:
    rows = _section_rows(reference_text, "### 4.1")
    assert len(rows) == 8
    for age, surface, vision, n, area_msd, area_iqr, velo_msd, velo_iqr, mfreq_iqr in rows:
        for metric, msd, iqr in (
            ("ellipse_area_95_m2", area_msd, area_iqr),
            ("mean_velocity_m_s", velo_msd, velo_iqr),
            ("mean_power_frequency_hz", None, mfreq_iqr),
        ):
            row = _row(NormSource.HBEDB, metric, age, surface, vision)
            assert row.n == int(n)
            assert (row.q1, row.median, row.q3) == _median_iqr(iqr)  # exact transcription
            assert (row.mean, row.sd) == (_mean_sd(msd) if msd else (None, None))


def test_pds_norm_table_matches_reference_section_4_2(reference_text: str) -> None:
    rows = _section_rows(reference_text, "### 4.2")
    assert len(rows) == 8
    for age, surface, vision, n, area_msd, velo_iqr, _mfreq_median in rows:
        area = _row(NormSource.PDS, "ellipse_area_95_m2", age, surface, vision)
        velo = _row(NormSource.PDS, "mean_velocity_m_s", age, surface, vision)
        assert area.n == velo.n == int(n)
        assert (area.mean, area.sd) == _mean_sd(area_msd)
        assert (velo.q1, velo.median, velo.q3) == _median_iqr(velo_iqr)


def test_quijoux_norm_table_matches_reference_section_4_3(reference_text: str) -> None:
    rows = _section_rows(reference_text, "### 4.3")
    assert {r[0] for r in rows} == set(QUIJOUX_NAMES)
    for key, old, young in rows:
        for age, cell in (("Old", old), ("Young", young)):
            row = _row(NormSource.QUIJOUX_HBEDB, QUIJOUX_NAMES[key], age, "Firm", "Open")
            assert (row.q1, row.median, row.q3) == _median_iqr(cell)
    assert sum(r.source is NormSource.QUIJOUX_HBEDB for r in NORM_TABLE) == 2 * len(rows)


def test_hbedb_young_group_median_matches_published_iqr(shared_data: Path) -> None:
    """The 14 young subjects of the team's subset (1-16): each subject's value is the median of
    their 3 trials (the data set's convention); the median over subjects must fall inside the
    published IQR of the 87 young adults, in every condition and for all three metrics. (A
    sample of 14 of 87 cannot reproduce the median itself; the IQR is the tightest band the
    table supports.)"""
    info = pd.read_csv(shared_data / "hbedb" / "BDSinfoCOP_subjects_01-16.tsv", sep="\t")
    young = info[info["AgeGroup"] == "Young"]
    per_subject = young.groupby(["Subject", "Surface", "Vision"])[list(PUBLISHED)].median()
    assert per_subject.groupby(level=["Surface", "Vision"]).size().tolist() == [14] * 4
    group = per_subject.groupby(level=["Surface", "Vision"]).median()
    for (surface, vision), values in group.iterrows():
        for column, metric in PUBLISHED.items():
            row = _row(NormSource.HBEDB, metric, "Young", str(surface), str(vision))
            assert row.q1 is not None and row.q3 is not None
            assert row.q1 <= values[column] <= row.q3, (surface, vision, column)
    # and each subject's value is the median of exactly 3 trials
    counts = young.groupby(["Subject", "Surface", "Vision"]).size()
    assert np.all(counts.to_numpy() == 3)
