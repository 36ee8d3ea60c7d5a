"""ABC, ODI, NDI, NPRS, PSFS, LEFS and Short FES-I: worked examples, missing-item rules, every
band edge and every MCID/MDC, as tables that read like the team reference."""

from __future__ import annotations

import pytest

from reeducate.clinic.outcomes import OutcomeScore, compare, score
from reeducate.errors import InvalidParameterError


def label(s: OutcomeScore, scheme: str) -> str:
    (found,) = [i.label for i in s.interpretation if i.scheme == scheme]
    return found


def sections(*values: int | None) -> dict[str, int | None]:
    return {str(i): v for i, v in enumerate(values, start=1)}


# --- ABC ------------------------------------------------------------------------------------


def abc(value: float) -> OutcomeScore:
    return score("abc", dict.fromkeys(map(str, range(1, 17)), value))


def test_abc_is_the_mean_of_16_items() -> None:
    items = {str(i): 10.0 * (i % 11) for i in range(1, 17)}
    assert score("abc", items).total == pytest.approx(sum(items.values()) / 16, rel=1e-12)
    assert abc(72.5).total == 72.5  # any value 0–100, not only multiples of 10


@pytest.mark.parametrize(
    ("value", "fall_risk", "functioning"),
    # Lajoie & Gallagher 2004: < 67 %; Myers 1998: < 50 low, 50–80 moderate, > 80 high
    [
        (0, True, "low level of physical functioning"),
        (49.9, True, "low level of physical functioning"),
        (50, True, "moderate level of physical functioning"),
        (66.9, True, "moderate level of physical functioning"),
        (67, False, "moderate level of physical functioning"),
        (80, False, "moderate level of physical functioning"),
        (80.1, False, "high level of physical functioning"),
        (100, False, "high level of physical functioning"),
    ],
)
def test_abc_edges(value: float, fall_risk: bool, functioning: str) -> None:
    s = abc(value)
    assert (label(s, "fall risk") == "increased fall risk") is fall_risk
    assert label(s, "physical functioning") == functioning


def test_abc_refuses_out_of_range_and_missing() -> None:
    with pytest.raises(
        InvalidParameterError, match=r"item '16'.*must be a number 0–100 %; got 101"
    ):
        score("abc", {**dict.fromkeys(map(str, range(1, 16)), 50), "16": 101})
    with pytest.raises(InvalidParameterError, match="missing: 16"):
        score("abc", dict.fromkeys(map(str, range(1, 16)), 50))


# --- Oswestry Disability Index --------------------------------------------------------------

ANSWERS = (2, 1, 3, 1, 2, 2, 1, 2, 2, 0)  # sum 16


def test_odi_complete_form_worked_example() -> None:
    s = score("odi", sections(*ANSWERS))
    assert s.total == 32.0  # 16 / 50 × 100
    assert s.missing_items == () and s.missing_handling == "no required item missing"


def test_odi_one_missing_section_lowers_the_denominator_by_5() -> None:
    # the published example: 16 points with one section missing = 16/45 = 35.5 %
    s = score("odi", sections(2, 1, 3, 1, 2, 2, 1, None, 2, 2))
    assert s.total == pytest.approx(16 / 45 * 100, rel=1e-12)
    assert s.missing_items == ("8",)
    assert s.missing_handling.startswith("1 missing (8): each missing section lowers")
    assert label(s, "disability") == "moderate disability"


def test_odi_two_missing_sections() -> None:
    s = score("odi", {k: v for k, v in sections(*ANSWERS).items() if k not in ("3", "10")})
    assert s.total == pytest.approx(13 / 40 * 100, rel=1e-12)
    assert s.missing_items == ("3", "10")


def test_odi_three_missing_invalidate_unless_configured() -> None:
    items = sections(2, 1, None, 1, None, 2, 1, None, 2, 2)
    with pytest.raises(InvalidParameterError, match="at most 2 required items may be missing"):
        score("odi", items)
    assert score("odi", items, max_missing=3).total == pytest.approx(11 / 35 * 100, rel=1e-12)
    with pytest.raises(InvalidParameterError, match="at most 0 required items"):
        score("odi", sections(*ANSWERS[:9]), max_missing=0)
    with pytest.raises(InvalidParameterError, match="max_missing must be an integer 0–9; got 10"):
        score("odi", sections(*ANSWERS), max_missing=10)


@pytest.mark.parametrize(
    ("points", "answered", "expected"),
    # Fairbank: 0–20 minimal, 21–40 moderate, 41–60 severe, 61–80 crippled, 81–100 bed-bound
    [
        (0, 10, "minimal disability"),
        (10, 10, "minimal disability"),  # 20 %
        (9, 8, "moderate disability"),  # 22.5 %: above 20 belongs to the next band
        (20, 10, "moderate disability"),  # 40 %
        (21, 10, "severe disability"),  # 42 %
        (30, 10, "severe disability"),  # 60 %
        (31, 10, "crippled"),  # 62 %
        (40, 10, "crippled"),  # 80 %
        (41, 10, "bed-bound"),  # 82 %
        (50, 10, "bed-bound"),  # 100 %
    ],
)
def test_odi_band_edges(points: int, answered: int, expected: str) -> None:
    values: list[int | None] = [min(5, max(0, points - 5 * i)) for i in range(answered)]
    values += [None] * (10 - answered)
    s = score("odi", sections(*values))
    assert s.total == pytest.approx(points / (5 * answered) * 100, rel=1e-12)
    assert label(s, "disability") == expected


def test_odi_mcid_is_10_points_or_30_percent_and_mdc90_is_10() -> None:
    def odi(total_pct: int) -> OutcomeScore:
        return score("odi", sections(*([5] * (total_pct // 10) + [0] * (10 - total_pct // 10))))

    big = compare(odi(60), odi(50))  # 10 points, 17 %
    assert (big.direction.value, big.exceeds_mcid, big.exceeds_mdc) == ("improved", True, True)
    rel = compare(odi(20), odi(10))  # 10 points, 50 %
    assert rel.exceeds_mcid is True
    # relative criterion alone: 20 % → 14 % is 6 points = 30 % of baseline
    small_base = score("odi", sections(5, 5, 0, 0, 0, 0, 0, 0, 0, 0))
    six_down = score("odi", sections(5, 2, 0, 0, 0, 0, 0, 0, 0, 0))
    c = compare(small_base, six_down)
    assert (round(c.change, 9), c.exceeds_mcid, c.exceeds_mdc) == (-6.0, True, False)
    five_down = score("odi", sections(5, 2, 1, 0, 0, 0, 0, 0, 0, 0))  # 16 %: 4 points, 20 %
    assert compare(small_base, five_down).exceeds_mcid is False


def test_odi_items_are_0_to_5() -> None:
    with pytest.raises(
        InvalidParameterError, match=r"item '8' \(sex life\): must be an integer 0–5; got 6"
    ):
        score("odi", sections(1, 1, 1, 1, 1, 1, 1, 6, 1, 1))


# --- Neck Disability Index ------------------------------------------------------------------


def test_ndi_raw_score_and_percent() -> None:
    s = score("ndi", sections(*ANSWERS))
    assert (s.total, s.subscores["percent"]) == (16.0, 32.0)


def test_ndi_missing_item_gets_the_mean_of_the_answered() -> None:
    s = score("ndi", sections(2, 2, 2, 2, 2, 2, 2, 2, 2, None))
    assert s.total == 20.0  # 18 + mean 2
    s2 = score("ndi", sections(1, 2, 3, 1, 2, 3, 1, 2, None, None))
    assert s2.total == pytest.approx(15 * 10 / 8, rel=1e-12)
    assert s2.subscores["percent"] == pytest.approx(s2.total * 2, rel=1e-12)
    with pytest.raises(InvalidParameterError, match="got 3 missing: 8, 9, 10"):
        score("ndi", sections(1, 2, 3, 1, 2, 3, 1, None, None, None))


@pytest.mark.parametrize(
    ("raw", "expected"),
    # Vernon & Mior: 0–4 none, 5–14 mild, 15–24 moderate, 25–34 severe, ≥ 35 complete
    [
        (0, "no disability"),
        (4, "no disability"),
        (5, "mild disability"),
        (14, "mild disability"),
        (15, "moderate disability"),
        (24, "moderate disability"),
        (25, "severe disability"),
        (34, "severe disability"),
        (35, "complete disability"),
        (50, "complete disability"),
    ],
)
def test_ndi_band_edges(raw: int, expected: str) -> None:
    values = [min(5, max(0, raw - 5 * i)) for i in range(10)]
    s = score("ndi", sections(*values))
    assert s.total == raw and label(s, "disability") == expected


def test_ndi_prorated_total_between_bands_stays_in_the_lower_band() -> None:
    s = score("ndi", sections(1, 1, 1, 1, 0, 0, 0, 0, 0, None))  # 4 × 10/9 = 4.44
    assert s.total == pytest.approx(40 / 9, rel=1e-12)
    assert label(s, "disability") == "no disability"


def test_ndi_mdc_and_mcid() -> None:
    def ndi(raw: int) -> OutcomeScore:
        return score("ndi", sections(*[min(5, max(0, raw - 5 * i)) for i in range(10)]))

    four = compare(ndi(20), ndi(16))
    five = compare(ndi(20), ndi(15))
    assert (four.exceeds_mdc, four.exceeds_mcid) == (False, False)  # MDC90 4.7, MCID 5
    assert (five.exceeds_mdc, five.exceeds_mcid) == (True, True)


# --- NPRS -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pain", "expected"),
    [
        (0, "no pain"),
        (1, "mild pain"),
        (3, "mild pain"),
        (4, "moderate pain"),
        (6, "moderate pain"),
        (7, "severe pain"),
        (10, "severe pain"),
    ],
)
def test_nprs_bands(pain: int, expected: str) -> None:
    assert label(score("nprs", pain), "pain severity") == expected


@pytest.mark.parametrize(
    ("before", "after", "lbp_mcid"),
    # Thieme 2021: 1 point for baseline 1–4, 2 for 5–7, 3–4 (4 used) for 8–10
    [(4, 3, True), (5, 4, False), (5, 3, True), (7, 5, True), (8, 5, False), (8, 4, True)],
)
def test_nprs_mcid_depends_on_baseline_in_low_back_pain(
    before: int, after: int, lbp_mcid: bool
) -> None:
    c = compare(score("nprs", before), score("nprs", after), population="low_back_pain")
    assert c.exceeds_mcid is lbp_mcid
    assert [ch.threshold.source for ch in c.checks if ch.threshold.kind.value == "MCID"] == [
        "Thieme 2021 (specific back pain, n=1232)"
    ]


def test_nprs_mcid_2_points_or_30_percent_and_mdc() -> None:
    def chronic(before: int, after: int) -> tuple[bool | None, bool | None]:
        c = compare(score("nprs", before), score("nprs", after), population="chronic_pain")
        return c.exceeds_mcid, c.exceeds_mdc

    assert chronic(3, 2) == (True, False)  # 1 point = 33 % ≥ 30 %; below MDC 1.77
    assert chronic(8, 7) == (False, False)  # 1 point = 12.5 %
    assert chronic(8, 6) == (True, True)  # 2 points
    assert (
        compare(score("nprs", 0), score("nprs", 0), population="low_back_pain").exceeds_mcid is None
    )


def test_nprs_is_an_integer_0_to_10() -> None:
    for bad in (11, -1, 2.5):
        with pytest.raises(InvalidParameterError, match="must be an integer 0–10"):
            score("nprs", bad)


# --- PSFS -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("activities", "mean"), [((3, 5, 7), 5.0), ((3, 5, 7, 9), 6.0), ((0, 10, 4, 6, 5), 5.0)]
)
def test_psfs_is_the_mean_of_3_to_5_activities(activities: tuple[int, ...], mean: float) -> None:
    s = score("psfs", {f"activity_{i}": v for i, v in enumerate(activities, start=1)})
    assert s.total == mean
    assert s.missing_items == ()


def test_psfs_refuses_fewer_than_3_or_more_than_5() -> None:
    with pytest.raises(InvalidParameterError, match="missing: activity_3"):
        score("psfs", {"activity_1": 3, "activity_2": 5})
    with pytest.raises(InvalidParameterError, match="unknown item 'activity_6'"):
        score("psfs", {f"activity_{i}": 5 for i in range(1, 7)})
    with pytest.raises(InvalidParameterError, match="must be an integer 0–10; got 11"):
        score("psfs", {"activity_1": 11, "activity_2": 5, "activity_3": 5})


def test_psfs_mdc_for_the_average_and_for_single_activities() -> None:
    # Stratford 1995: MDC90 2 points for the average, 3 for a single activity
    before = score("psfs", {"activity_1": 2, "activity_2": 4, "activity_3": 6})
    after = score("psfs", {"activity_1": 5, "activity_2": 6, "activity_3": 7})
    c = compare(before, after)
    assert (c.change, c.exceeds_mdc) == (2.0, True)
    per_item = {ch.item: ch.met for ch in c.checks if ch.item is not None}
    assert per_item == {"activity_1": True, "activity_2": False, "activity_3": False}
    assert (
        compare(
            before, score("psfs", {"activity_1": 3, "activity_2": 5, "activity_3": 9})
        ).exceeds_mdc
        is False
    )


# --- LEFS -----------------------------------------------------------------------------------


def lefs(total: int) -> OutcomeScore:
    return score("lefs", {str(i): min(4, max(0, total - 4 * (i - 1))) for i in range(1, 21)})


def test_lefs_sum_and_mdc_equals_mcid_9() -> None:
    assert (lefs(0).total, lefs(37).total, lefs(80).total) == (0, 37, 80)
    eight, nine = compare(lefs(40), lefs(48)), compare(lefs(40), lefs(49))
    assert (eight.exceeds_mdc, eight.exceeds_mcid) == (False, False)
    assert (nine.exceeds_mdc, nine.exceeds_mcid) == (True, True)
    assert compare(lefs(49), lefs(40)).direction.value == "worse"


# --- Short FES-I ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "expected"),
    # Delbaere 2010: 7–8 low, 9–13 moderate, 14–28 high concern
    [
        (7, "low concern"),
        (8, "low concern"),
        (9, "moderate concern"),
        (13, "moderate concern"),
        (14, "high concern"),
        (28, "high concern"),
    ],
)
def test_short_fes_i_category_edges(total: int, expected: str) -> None:
    items = {str(i): 1 + min(3, max(0, total - 7 - 3 * (i - 1))) for i in range(1, 8)}
    s = score("short-fes-i", items)
    assert s.total == total and label(s, "concern about falling") == expected


def test_short_fes_i_items_are_1_to_4_and_lower_is_better() -> None:
    with pytest.raises(InvalidParameterError, match=r"item '1' .*must be an integer 1–4; got 0"):
        score("short-fes-i", {str(i): 0 if i == 1 else 2 for i in range(1, 8)})
    before = score("short-fes-i", dict.fromkeys(map(str, range(1, 8)), 3))
    after = score("short-fes-i", dict.fromkeys(map(str, range(1, 8)), 2))
    c = compare(before, after)
    assert (c.change, c.direction.value, c.exceeds_mdc, c.exceeds_mcid) == (
        -7,
        "improved",
        None,
        None,
    )
