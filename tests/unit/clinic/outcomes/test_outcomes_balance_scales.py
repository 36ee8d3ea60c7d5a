"""Berg, Mini-BESTest, FGA and mCTSIB: worked examples and every cut-off edge, written as
tables that read like the team reference (``reference/clinic.md`` §2)."""

from __future__ import annotations

import pytest

from reeducate.clinic.outcomes import OutcomeScore, compare, score
from reeducate.errors import InvalidParameterError


def _items_for_total(n_items: int, top: int, total: int) -> dict[str, int]:
    """Item scores 1..n summing to ``total`` (each ≤ top), filled from item 1."""
    out, left = {}, total
    for i in range(1, n_items + 1):
        out[str(i)] = min(top, left)
        left -= out[str(i)]
    assert left == 0
    return out


def bbs(total: int) -> OutcomeScore:
    return score("bbs", _items_for_total(14, 4, total))


def fga(total: int) -> OutcomeScore:
    return score("fga", _items_for_total(10, 3, total))


def label(s: OutcomeScore, scheme: str) -> str:
    (found,) = [i.label for i in s.interpretation if i.scheme == scheme]
    return found


# --- Berg Balance Scale -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "scheme", "expected"),
    [
        # older adults, Berg 1992: < 45 increased fall risk
        (0, "fall risk", "increased fall risk"),
        (44, "fall risk", "increased fall risk"),
        (45, "fall risk", "no increased fall risk by this cut-off"),
        (56, "fall risk", "no increased fall risk by this cut-off"),
        # cliot banding: 0–20 high, 21–40 medium, 41–56 low
        (20, "fall-risk banding", "high fall risk"),
        (21, "fall-risk banding", "medium fall risk"),
        (40, "fall-risk banding", "medium fall risk"),
        (41, "fall-risk banding", "low fall risk"),
        # stroke, Louie & Eng 2018: ≥ 29 on admission predicts community walking speed
        (
            28,
            "community walking (on admission)",
            "community walking speed not predicted by this cut-off",
        ),
        (29, "community walking (on admission)", "predicts community walking speed"),
    ],
)
def test_berg_cutoff_edges(total: int, scheme: str, expected: str) -> None:
    s = bbs(total)
    assert s.total == total
    assert label(s, scheme) == expected


def test_berg_interpretation_carries_population_source_and_flag() -> None:
    s = bbs(44)
    first = s.interpretation[0]
    assert str(first) == (
        "fall risk: increased fall risk (< 45; older adults; Berg 1992; common clinical cut-off)"
    )
    assert "fall risk: increased fall risk (older adults)" in s.flags
    assert "fall-risk banding: low fall risk (adults)" not in s.flags
    assert bbs(56).flags == ()


@pytest.mark.parametrize(
    ("baseline", "needed"),
    # Donoghue & Stokes 2009 MDC95: 4 if 45–56, 5 if 35–44, 7 if 25–34, 5 if 0–24
    [(56, 4), (45, 4), (44, 5), (35, 5), (34, 7), (25, 7), (24, 5), (5, 5)],
)
def test_berg_mdc_depends_on_baseline_in_older_adults(baseline: int, needed: int) -> None:
    before = bbs(baseline)
    down = [
        compare(before, bbs(baseline - d), population="older_adults") for d in (needed - 1, needed)
    ]
    assert [c.exceeds_mdc for c in down] == [False, True]
    assert [c.threshold.amount for c in down[1].checks] == [needed]
    assert down[1].exceeds_mcid is None  # no MCID verified


def test_berg_stroke_mdc90_and_chronic_stroke_mdc() -> None:
    stroke = compare(bbs(30), bbs(35), population="stroke")
    assert [c.threshold.describe("points") for c in stroke.checks] == ["MDC90 6 points"]
    assert stroke.exceeds_mdc is False
    chronic = compare(bbs(30), bbs(33), population="chronic_stroke")
    assert chronic.exceeds_mdc is True  # 3 ≥ 2.7 (Alghadir 2018)
    everyone = compare(bbs(30), bbs(36))  # all populations: 7 (older adults), 6, 2.7
    assert sorted(c.threshold.amount or 0 for c in everyone.checks) == [2.7, 6, 7]
    assert everyone.exceeds_mdc is False  # conservative: must meet every applicable MDC
    assert compare(bbs(30), bbs(37)).exceeds_mdc is True


def test_berg_needs_every_item() -> None:
    items: dict[str, object] = {str(i): 4 for i in range(1, 15)}
    items["14"] = None
    with pytest.raises(InvalidParameterError, match="got 1 missing: 14"):
        score("bbs", items)


# --- Mini-BESTest -------------------------------------------------------------------------

MINI_ALL_2 = {
    "1": 2, "2": 2, "3l": 2, "3r": 2, "4": 2, "5": 2, "6l": 2, "6r": 2,
    "7": 2, "8": 2, "9": 2, "10": 2, "11": 2, "12": 2, "13": 2, "14": 2,
}  # fmt: skip


def mini(**changes: int) -> OutcomeScore:
    return score("minibest", {**MINI_ALL_2, **{k.lstrip("_"): v for k, v in changes.items()}})


def test_minibest_takes_the_lower_side_of_items_3_and_6() -> None:
    assert mini().total == 28
    assert mini(_3l=0).total == 26 and mini(_3r=0).total == 26
    assert mini(_3l=1, _3r=0).total == 26
    assert mini(_6l=1, _6r=2).total == 27
    s = mini(_3l=1, _3r=2, _6l=2, _6r=0, _14=1)
    assert s.total == 28 - 1 - 2 - 1
    assert s.subscores == {
        "anticipatory": 5,
        "reactive": 4,
        "sensory": 6,
        "dynamic_gait": 9,
        "both_sides_total": 32 - 1 - 2 - 1,
    }


def test_minibest_needs_both_sides() -> None:
    items = {k: v for k, v in MINI_ALL_2.items() if k != "6r"}
    with pytest.raises(InvalidParameterError, match="missing: 6r"):
        score("minibest", items)


def test_minibest_item_range_is_0_to_2() -> None:
    with pytest.raises(
        InvalidParameterError,
        match=r"item '3l' \(stand on one leg, left\): must be an integer 0–2; got 3",
    ):
        mini(_3l=3)


@pytest.mark.parametrize(("last_item", "total", "flag"), [(0, 18, True), (1, 19, False)])
def test_minibest_parkinson_recurrent_faller_edge(last_item: int, total: int, flag: bool) -> None:
    # Mak & Auyeung 2013: < 19
    s = mini(_10=0, _11=0, _12=0, _13=0, _14=last_item)
    assert s.total == total
    assert (label(s, "recurrent falls") == "recurrent-faller range") is flag
    assert ("recurrent falls: recurrent-faller range (Parkinson disease)" in s.flags) is flag


def test_minibest_mcid_and_srd_in_parkinson() -> None:
    # MCID 4.0 (upper end of 3.4–4.0), SRD 4.1 (Löfgren 2014)
    base = mini(_10=0, _11=0, _12=0, _13=0, _14=0)  # 18
    four = compare(base, mini(_10=0, _11=0, _12=0))  # +4
    five = compare(base, mini(_10=0, _11=0, _12=1))  # +5
    assert (four.change, four.exceeds_mcid, four.exceeds_mdc) == (4, True, False)
    assert (five.change, five.exceeds_mcid, five.exceeds_mdc) == (5, True, True)
    three = compare(base, mini(_10=0, _11=0, _12=0, _13=1))
    assert (three.change, three.exceeds_mcid) == (3, False)


# --- Functional Gait Assessment -----------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "expected"),
    [
        (0, "increased fall risk"),
        (22, "increased fall risk"),
        (23, "no increased fall risk by this cut-off"),
        (30, "no increased fall risk by this cut-off"),
    ],
)
def test_fga_fall_risk_edge_at_22(total: int, expected: str) -> None:
    s = fga(total)
    assert s.total == total and label(s, "fall risk") == expected


def test_fga_mcid_older_adults_and_mdc_vestibular() -> None:
    assert compare(fga(15), fga(19), population="older_adults").exceeds_mcid is True
    assert compare(fga(15), fga(18), population="older_adults").exceeds_mcid is False
    vest = [compare(fga(15), fga(15 + d), population="vestibular") for d in (5, 6)]
    assert [(c.exceeds_mdc, c.exceeds_mcid) for c in vest] == [(False, None), (True, None)]


def test_fga_items_are_0_to_3() -> None:
    with pytest.raises(
        InvalidParameterError, match="item '10' \\(steps\\): must be an integer 0–3; got 4"
    ):
        score("fga", {**_items_for_total(10, 3, 20), "10": 4})


# --- mCTSIB ---------------------------------------------------------------------------------

FULL = {"firm_eo_1": 30.0, "firm_ec_1": 30.0, "foam_eo_1": 30.0, "foam_ec_1": 30.0}


def test_mctsib_all_conditions_held_is_120_and_normal() -> None:
    s = score("mctsib", FULL)
    assert s.total == 120
    assert s.subscores == {"firm_eo": 30, "firm_ec": 30, "foam_eo": 30, "foam_ec": 30}
    assert label(s, "sensory pattern") == "all four conditions held for 30 s"
    assert s.flags == ()


def test_mctsib_averages_up_to_three_trials_per_condition() -> None:
    s = score(
        "mctsib",
        {
            **FULL,
            "foam_ec_1": 4.0,
            "foam_ec_2": 9.0,
            "foam_ec_3": 11.0,
            "foam_eo_1": 25.0,
            "foam_eo_2": 30.0,
        },
    )
    assert s.subscores["foam_ec"] == 8.0
    assert s.subscores["foam_eo"] == 27.5
    assert s.total == 30 + 30 + 27.5 + 8.0
    one = score("mctsib", {**FULL, "firm_ec_1": 12.5})
    assert one.subscores["firm_ec"] == 12.5  # one trial given: its value


def test_mctsib_floor() -> None:
    s = score(
        "mctsib",
        {f"{c}_{t}": 0.0 for c in ("firm_eo", "firm_ec", "foam_eo", "foam_ec") for t in (1, 2, 3)},
    )
    assert s.total == 0


@pytest.mark.parametrize(
    ("failed", "expected"),
    [
        ({"foam_ec_1": 29.9}, "vestibular pattern: fails foam with eyes closed only"),
        ({"firm_ec_1": 20.0, "foam_ec_1": 3.0}, "visual dependence: fails with eyes closed"),
        ({"foam_eo_1": 10.0, "foam_ec_1": 3.0}, "somatosensory dependence: fails on foam"),
        ({"firm_ec_1": 20.0}, "pattern not classified by the source: fails firm_ec"),
        (
            {"firm_ec_1": 20.0, "foam_eo_1": 15.0, "foam_ec_1": 1.0},
            "pattern not classified by the source: fails firm_ec, foam_eo, foam_ec",
        ),
    ],
)
def test_mctsib_sensory_patterns(failed: dict[str, float], expected: str) -> None:
    s = score("mctsib", {**FULL, **failed})
    assert label(s, "sensory pattern") == expected
    assert s.flags == (f"sensory pattern: {expected} (adults)",)


def test_mctsib_refuses_bad_trials() -> None:
    with pytest.raises(
        InvalidParameterError,
        match=r"item 'foam_ec_1' \(foam, eyes closed, trial 1\): must be a number 0–30 s; got 31",
    ):
        score("mctsib", {**FULL, "foam_ec_1": 31})
    with pytest.raises(
        InvalidParameterError,
        match=r"item 'firm_ec_2' .*no further trial after a first trial held for 30 s; got 20.0",
    ):
        score("mctsib", {**FULL, "firm_ec_2": 20.0})
    with pytest.raises(
        InvalidParameterError, match=r"item 'foam_ec_3' .*needs the trial before it \('foam_ec_2'\)"
    ):
        score("mctsib", {**FULL, "foam_ec_1": 10.0, "foam_ec_3": 12.0})
    with pytest.raises(InvalidParameterError, match="missing: foam_ec_1"):
        score("mctsib", {k: v for k, v in FULL.items() if k != "foam_ec_1"})
    with pytest.raises(InvalidParameterError, match="'mctsib' needs item values as a mapping"):
        score("mctsib", 120)
