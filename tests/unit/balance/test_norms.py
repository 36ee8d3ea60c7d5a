"""Age-group norms: the log-normal percentile model (closed forms), unit conversion, flags,
wording, and the refusal to compare across conventions."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.stats import norm

from reeducate.balance.norms import (
    NORM_METRICS,
    NORM_TABLE,
    AgeGroup,
    NormRow,
    NormSource,
    age_group_for,
    compare_with_norm,
    find_norm,
    norm_percentile,
    norm_quantile,
    resolve_age_group,
)
from reeducate.balance.trial import Stance, Surface, TrialCondition, Vision
from reeducate.errors import InvalidParameterError

AREA = "ellipse_area_95_m2"
VELO = "mean_velocity_m_s"
MFREQ = "mean_power_frequency_hz"
FIRM_EO = TrialCondition(surface=Surface.FIRM, vision=Vision.OPEN)
FOAM_EC = TrialCondition(surface=Surface.FOAM, vision=Vision.CLOSED)
QUARTILE_ROWS = [r for r in NORM_TABLE if r.has_quartiles]


def hbedb(metric: str, group: AgeGroup, condition: TrialCondition) -> NormRow:
    assert condition.surface is not None and condition.vision is not None
    row = find_norm(
        source=NormSource.HBEDB,
        metric=metric,
        age_group=group,
        surface=condition.surface,
        vision=condition.vision,
    )
    assert row is not None
    return row


def compare(value_si: float, **kw: object) -> object:
    args: dict[str, object] = {
        "metric": AREA,
        "age_years": 70.0,
        "condition": FOAM_EC,
        "preset": "santos-duarte-2016",
        "sampling_rate_hz": 100.0,
        "duration_s": 60.0,
    }
    args.update(kw)
    return compare_with_norm(value_si, **args)  # type: ignore[arg-type]


@pytest.mark.parametrize("row", QUARTILE_ROWS, ids=lambda r: f"{r.source}-{r.metric}-{r.age_group}")
def test_split_lognormal_puts_published_quartiles_at_25_50_75_exactly(row: NormRow) -> None:
    got = [norm_percentile(q, row=row) for q in (row.q1, row.median, row.q3)]  # type: ignore[arg-type]
    # closed form: each quartile sits exactly at z = -z75, 0, +z75; only rounding remains
    np.testing.assert_allclose(got, [25.0, 50.0, 75.0], rtol=0, atol=1e-12)


@pytest.mark.parametrize("row", QUARTILE_ROWS[:24], ids=lambda r: f"{r.metric}-{r.age_group}")
def test_lognormal_iqr_matches_its_closed_form(row: NormRow) -> None:
    assert row.median is not None and row.q1 is not None and row.q3 is not None
    sigma = (math.log(row.q3) - math.log(row.q1)) / 1.3489795003921634  # 2·Φ⁻¹(0.75)
    assert norm_percentile(row.median, row=row, method="lognormal_iqr") == pytest.approx(50.0)
    for x in (0.3 * row.median, row.q1, row.q3, 4.0 * row.median):
        want = 100.0 * norm.cdf((math.log(x) - math.log(row.median)) / sigma)
        # scipy.stats vs scipy.special on the same closed form: rounding only
        assert norm_percentile(x, row=row, method="lognormal_iqr") == pytest.approx(want, rel=1e-12)
    # geometric-mean-centred quartiles are the 25th/75th under this model
    half = math.sqrt(row.q3 / row.q1)
    at_q1 = norm_percentile(row.median / half, row=row, method="lognormal_iqr")
    assert at_q1 == pytest.approx(25.0, abs=1e-9)


def test_lognormal_iqr_is_exact_on_log_symmetric_quartiles() -> None:
    row = NormRow(
        source=NormSource.HBEDB, metric=AREA, age_group=AgeGroup.OLD, surface=Surface.FIRM,
        vision=Vision.OPEN, n=10, q1=1.0, median=2.0, q3=4.0,
    )  # fmt: skip
    for method in ("split_lognormal", "lognormal_iqr"):
        got = [norm_percentile(v, row=row, method=method) for v in (1.0, 2.0, 4.0)]  # type: ignore[arg-type]
        np.testing.assert_allclose(got, [25.0, 50.0, 75.0], atol=1e-12)


@pytest.mark.parametrize("method", ["split_lognormal", "lognormal_iqr"])
@pytest.mark.parametrize("pct", [0.5, 5.0, 25.0, 50.0, 63.0, 95.0, 99.9])
def test_quantile_inverts_percentile(method: str, pct: float) -> None:
    row = hbedb(AREA, AgeGroup.OLD, FOAM_EC)
    value = norm_quantile(pct, row=row, method=method)  # type: ignore[arg-type]
    assert norm_percentile(value, row=row, method=method) == pytest.approx(pct, rel=1e-12)  # type: ignore[arg-type]


def test_percentile_is_monotonic_and_zero_for_non_positive_values() -> None:
    row = hbedb(VELO, AgeGroup.YOUNG, FIRM_EO)
    values = np.geomspace(0.01, 100.0, 200)
    pcts = [norm_percentile(float(v), row=row) for v in values]
    assert np.all(np.diff(pcts) >= 0) and pcts[0] < 1e-6 and pcts[-1] > 100 - 1e-6
    assert norm_percentile(0.0, row=row) == 0.0
    with pytest.raises(InvalidParameterError, match="finite"):
        norm_percentile(float("nan"), row=row)


def test_si_input_is_converted_to_the_table_units() -> None:
    area_row = hbedb(AREA, AgeGroup.OLD, FOAM_EC)  # cm²
    assert area_row.median is not None
    got = compare(area_row.median * 1e-4)  # m²
    assert got.value_table == pytest.approx(area_row.median, rel=1e-12)  # type: ignore[attr-defined]
    assert got.percentile == pytest.approx(50.0, abs=1e-9)  # type: ignore[attr-defined]
    velo_row = hbedb(VELO, AgeGroup.YOUNG, FIRM_EO)  # cm/s
    assert velo_row.q3 is not None
    got = compare(velo_row.q3 / 100.0, metric=VELO, age_years=30.0, condition=FIRM_EO)
    assert got.percentile == pytest.approx(75.0, abs=1e-9)  # type: ignore[attr-defined]


def test_z_score_uses_the_published_mean_and_sd() -> None:
    row = hbedb(VELO, AgeGroup.OLD, FOAM_EC)  # 4.38 ± 1.11 cm/s
    got = compare(0.0600, metric=VELO)  # 6.00 cm/s
    assert got.z_score == pytest.approx((6.00 - 4.38) / 1.11, rel=1e-12)  # type: ignore[attr-defined]
    assert row.mean == 4.38 and row.sd == 1.11


def test_sway_above_the_95th_percentile_is_flagged_in_words() -> None:
    row = hbedb(AREA, AgeGroup.OLD, FOAM_EC)
    high = compare(norm_quantile(97.4, row=row) * 1e-4)
    assert high.outside_band is True  # type: ignore[attr-defined]
    assert high.interpretation == (  # type: ignore[attr-defined]
        "more sway than 97 % of adults 60+ standing on foam with eyes closed (sway area)"
    )
    assert "95th percentile" in high.band  # type: ignore[attr-defined]
    within = compare(norm_quantile(94.0, row=row) * 1e-4)
    assert within.outside_band is False  # type: ignore[attr-defined]
    assert "within the normal range" in within.interpretation  # type: ignore[attr-defined]
    low = compare(norm_quantile(1.0, row=row) * 1e-4)  # little sway is not a problem
    assert low.outside_band is False  # type: ignore[attr-defined]


def test_frequency_band_is_two_sided() -> None:
    row = hbedb(MFREQ, AgeGroup.YOUNG, FIRM_EO)
    kw = {"metric": MFREQ, "age_years": 30.0, "condition": FIRM_EO}
    low = compare(norm_quantile(3.0, row=row), **kw)
    assert low.outside_band is True  # type: ignore[attr-defined]
    assert low.interpretation.startswith("sway frequency lower than 97 % of adults 18–59")  # type: ignore[attr-defined]
    high = compare(norm_quantile(96.0, row=row), **kw)
    assert high.outside_band is True  # type: ignore[attr-defined]
    assert "higher than 96 %" in high.interpretation  # type: ignore[attr-defined]
    assert compare(norm_quantile(6.0, row=row), **kw).outside_band is False  # type: ignore[attr-defined]


def test_pds_area_has_only_a_z_score_and_flags_from_it() -> None:
    kw = {"source": NormSource.PDS, "condition": FIRM_EO}
    got = compare(2.98e-4 + 1.7 * 1.48e-4, **kw)  # old firm EO: 2.98 ± 1.48 cm²
    assert got.percentile is None  # type: ignore[attr-defined]
    assert got.z_score == pytest.approx(1.7, rel=1e-9)  # type: ignore[attr-defined]
    assert got.outside_band is True  # type: ignore[attr-defined]
    assert compare(2.98e-4 + 1.6 * 1.48e-4, **kw).outside_band is False  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("kw", "reason"),
    [
        ({"preset": "quijoux-2021", "source": NormSource.HBEDB}, "only to preset"),
        ({"preset": "quijoux-2021-raw"}, "no published norms for preset 'quijoux-2021-raw'"),
        ({"preset": "santos-duarte-2016", "source": NormSource.QUIJOUX_HBEDB}, "only to preset"),
        ({"age_years": 12.0}, "below 18 years"),
        (
            {
                "condition": TrialCondition(
                    surface=Surface.FIRM, vision=Vision.OPEN, stance=Stance.TANDEM
                )
            },
            "bipedal",
        ),
        ({"condition": TrialCondition(surface=Surface.FIRM)}, "surface or vision is unknown"),
        ({"sampling_rate_hz": 1000.0}, "measured at 100 Hz; got 1000 Hz"),
        ({"duration_s": 30.0}, "54–66 s; got 30.0 s"),
        ({"metric": "rms_ap_m"}, "publishes no rms_ap_m norm"),
    ],
)
def test_norms_are_never_applied_across_conventions(kw: dict[str, object], reason: str) -> None:
    got = compare(3e-4, **kw)
    assert got.status == "no_norm"  # type: ignore[attr-defined]
    assert reason in got.reason  # type: ignore[attr-defined]
    assert got.percentile is None and got.outside_band is None  # type: ignore[attr-defined]


def test_quijoux_norms_apply_to_the_quijoux_preset_eyes_open_firm_only() -> None:
    kw = {"preset": "quijoux-2021", "sampling_rate_hz": 25.0, "metric": "rms_ap_m"}
    got = compare(0.419e-2, condition=FIRM_EO, **kw)  # old median, cm -> m
    assert got.status == "compared" and got.source is NormSource.QUIJOUX_HBEDB  # type: ignore[attr-defined]
    assert got.percentile == pytest.approx(50.0, abs=1e-9)  # type: ignore[attr-defined]
    closed = compare(0.419e-2, condition=FOAM_EC, **kw)
    assert closed.status == "no_norm" and "publishes no" in closed.reason  # type: ignore[attr-defined]


def test_age_groups() -> None:
    assert age_group_for(59.99) is AgeGroup.YOUNG
    assert age_group_for(60.0) is AgeGroup.OLD
    assert age_group_for(17.9) is None
    assert resolve_age_group(age_years=None, age_group="young") is AgeGroup.YOUNG
    assert resolve_age_group(age_years=70.0, age_group=AgeGroup.OLD) is AgeGroup.OLD
    with pytest.raises(InvalidParameterError, match="must agree"):
        resolve_age_group(age_years=30.0, age_group="old")
    with pytest.raises(InvalidParameterError, match="got neither"):
        resolve_age_group(age_years=None, age_group=None)
    with pytest.raises(InvalidParameterError, match="got 'elderly'"):
        resolve_age_group(age_years=None, age_group="elderly")
    with pytest.raises(InvalidParameterError, match=r"age_years must be in \(0, 130\]"):
        age_group_for(-3.0)


def test_age_group_alone_selects_the_norm() -> None:
    got = compare(2.17e-4, age_years=None, age_group="old", condition=FIRM_EO)
    assert got.percentile == pytest.approx(50.0, abs=1e-9)  # type: ignore[attr-defined]


def test_table_shape_and_rows_validate() -> None:
    for source, metric, n_rows in [
        (NormSource.HBEDB, AREA, 8),
        (NormSource.HBEDB, VELO, 8),
        (NormSource.HBEDB, MFREQ, 8),
        (NormSource.PDS, AREA, 8),
        (NormSource.PDS, VELO, 8),
    ]:
        assert sum(r.source is source and r.metric == metric for r in NORM_TABLE) == n_rows
    quijoux = [r for r in NORM_TABLE if r.source is NormSource.QUIJOUX_HBEDB]
    assert {(r.surface, r.vision) for r in quijoux} == {(Surface.FIRM, Vision.OPEN)}
    assert {r.n for r in quijoux} == {76, 87}
    assert all(r.metric in NORM_METRICS for r in NORM_TABLE)
    with pytest.raises(InvalidParameterError, match="0 < q1 < median < q3"):
        NormRow(
            source=NormSource.HBEDB,
            metric=AREA,
            age_group=AgeGroup.OLD,
            surface=Surface.FIRM,
            vision=Vision.OPEN,
            n=1,
            q1=2.0,
            median=1.0,
            q3=3.0,
        )


def test_norm_metric_names_are_metrics_the_package_computes() -> None:
    from reeducate.balance.metrics import METRIC_DESCRIPTIONS

    unknown = sorted(set(NORM_METRICS) - set(METRIC_DESCRIPTIONS))
    assert unknown == []
