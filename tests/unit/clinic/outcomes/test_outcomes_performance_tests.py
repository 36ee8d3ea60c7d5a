"""TUG, Five Times Sit to Stand, Functional Reach and single-leg stance: every cut-off edge and
age norm from the team reference (``reference/clinic.md`` §2), as tables."""

from __future__ import annotations

import pytest

from reeducate.clinic.outcomes import OutcomeScore, compare, score
from reeducate.errors import InvalidParameterError


def label(s: OutcomeScore, scheme: str) -> str:
    (found,) = [i.label for i in s.interpretation if i.scheme == scheme]
    return found


def norm_labels(s: OutcomeScore) -> list[str]:
    return [i.label for i in s.interpretation if i.scheme == "age norm"]


# --- Timed Up and Go ----------------------------------------------------------------------

NO_RISK = "no increased fall risk by this cut-off"


@pytest.mark.parametrize(
    ("time_s", "scheme", "expected"),
    [
        # community older adults, Shumway-Cook 2000 [verify]: ≥ 13.5 s
        (13.49, "fall risk", NO_RISK),
        (13.5, "fall risk", "increased fall risk"),
        # older adults, Bischoff 2003 / CDC STEADI: ≥ 12 s below normal
        (11.99, "mobility", "normal"),
        (12.0, "mobility", "below normal"),
        # LOINC 89423-8: < 10 normal; > 20 needs help outside; ≥ 30 dependent
        (9.99, "mobility (LOINC 89423-8 description)", "normal"),
        (10.0, "mobility (LOINC 89423-8 description)", "not classified by the source (10–20 s)"),
        (20.0, "mobility (LOINC 89423-8 description)", "not classified by the source (10–20 s)"),
        (20.01, "mobility (LOINC 89423-8 description)", "needs help outside the home"),
        (29.99, "mobility (LOINC 89423-8 description)", "needs help outside the home"),
        (30.0, "mobility (LOINC 89423-8 description)", "dependent in mobility"),
        # older adults in China, Kang 2017: 15.96 s
        (15.95, "recurrent falls", "not in the recurrent-faller range"),
        (15.96, "recurrent falls", "recurrent-faller range"),
    ],
)
def test_tug_cutoff_edges(time_s: float, scheme: str, expected: str) -> None:
    s = score("tug", time_s)
    assert s.total == time_s
    assert label(s, scheme) == expected


def test_tug_unverified_cutoff_is_marked() -> None:
    s = score("tug", 14.0)
    verify = {i.scheme for i in s.interpretation if i.verify}
    assert verify == {"fall risk"}
    assert str(s.interpretation[0]).endswith("[verify]")


def test_tug_mdc_in_chronic_stroke_and_direction() -> None:
    better = compare(score("tug", 20.0), score("tug", 16.8), population="chronic_stroke")
    assert (better.direction.value, better.exceeds_mdc) == ("improved", True)  # 3.2 s
    small = compare(score("tug", 20.0), score("tug", 17.0), population="chronic_stroke")
    assert (round(small.change, 6), small.exceeds_mdc) == (-3.0, False)
    worse = compare(score("tug", 12.0), score("tug", 16.0))
    assert (worse.direction.value, worse.exceeds_mdc) == ("worse", True)
    assert worse.summary == "Timed Up and Go: 12 → 16 s (+4 s, worse); meets MDC"
    assert compare(score("tug", 12.0), score("tug", 16.0), population="stroke").exceeds_mdc is None


@pytest.mark.parametrize("bad", [0, -1.0, 300.5, "12", None])
def test_tug_refuses_impossible_times(bad: object) -> None:
    with pytest.raises(InvalidParameterError, match=r"measure 'tug'"):
        score("tug", bad)  # type: ignore[arg-type]


def test_tug_unknown_item_is_named() -> None:
    with pytest.raises(InvalidParameterError, match="unknown item 'time_s'; expected one of time"):
        score("tug", {"time_s": 10.0})


# --- Five Times Sit to Stand --------------------------------------------------------------


@pytest.mark.parametrize(
    ("time_s", "scheme", "flag"),
    [
        (11.99, "fall risk", False),  # Lusardi 2017: ≥ 12 s
        (12.0, "fall risk", True),
        (13.59, "disability", False),  # Guralnik 2000: ≥ 13.6 s
        (13.6, "disability", True),
        (14.99, "recurrent falls", False),  # Buatois 2008: ≥ 15 s
        (15.0, "recurrent falls", True),
    ],
)
def test_ftsts_cutoff_edges(time_s: float, scheme: str, flag: bool) -> None:
    (found,) = [i for i in score("ftsts", time_s).interpretation if i.scheme == scheme]
    assert found.flag is flag


@pytest.mark.parametrize(
    ("age", "norm_s"),
    # Bohannon 2006: worse than average above 11.4 (60–69), 12.6 (70–79), 14.8 (80–89)
    [(60, 11.4), (69.9, 11.4), (70, 12.6), (79.5, 12.6), (80, 14.8), (89.9, 14.8)],
)
def test_ftsts_age_norms(age: float, norm_s: float) -> None:
    at = score("ftsts", norm_s, age_years=age)
    over = score("ftsts", norm_s + 0.1, age_years=age)
    assert norm_labels(at)[0].startswith("not worse than the mean for age")
    assert norm_labels(over)[0].startswith("worse than the mean for age")
    (interp,) = [i for i in over.interpretation if i.scheme == "age norm"]
    assert interp.criterion == f"mean {norm_s:g} s" and interp.flag


@pytest.mark.parametrize(
    ("age", "note"), [(None, "age not given"), (59.9, "no age norm"), (90, "no age norm")]
)
def test_ftsts_without_an_applicable_norm_says_why(age: float | None, note: str) -> None:
    s = score("ftsts", 12.0, age_years=age)
    assert norm_labels(s) == []
    assert any(n.startswith(note) for n in s.notes)


@pytest.mark.parametrize("age", [0, -5, 121, True, "70", float("nan")])
def test_impossible_age_is_refused(age: object) -> None:
    with pytest.raises(InvalidParameterError, match="age_years must be > 0 and ≤ 120; got"):
        score("ftsts", 12.0, age_years=age)  # type: ignore[arg-type]


# --- Functional Reach ---------------------------------------------------------------------


def test_frt_is_the_mean_of_the_trials_given() -> None:
    assert score("frt", {"trial_1": 20.0, "trial_2": 24.0, "trial_3": 25.0}).total == 23.0
    assert score("frt", {"trial_1": 20.0, "trial_2": 24.0}).total == 22.0
    assert score("frt", 18.5).total == 18.5


@pytest.mark.parametrize(
    ("reach_cm", "expected"),
    # Duncan/Weiner 1992: < 6 in high, 6–10 in moderate, > 10 in low (1 in = 2.54 cm)
    [
        (0.0, "high fall risk"),
        (15.23, "high fall risk"),
        (15.24, "moderate fall risk"),
        (25.4, "moderate fall risk"),
        (25.41, "low fall risk"),
    ],
)
def test_frt_fall_risk_edges_in_cm(reach_cm: float, expected: str) -> None:
    assert label(score("frt", reach_cm), "fall risk") == expected


@pytest.mark.parametrize(
    ("age", "sex", "norm_cm"),
    # Duncan 1990 [verify]: 20–40 M 16.7 F 14.6; 41–69 M 14.9 F 13.8; 70–87 M 13.2 F 10.5 in
    [
        (20, "male", 16.7 * 2.54),
        (40.9, "female", 14.6 * 2.54),
        (41, "male", 14.9 * 2.54),
        (69, "female", 13.8 * 2.54),
        (70, "male", 13.2 * 2.54),
        (87.5, "female", 10.5 * 2.54),
    ],
)
def test_frt_norms_by_age_and_sex(age: float, sex: str, norm_cm: float) -> None:
    below = score("frt", norm_cm - 0.01, age_years=age, sex=sex)
    at = score("frt", norm_cm, age_years=age, sex=sex)
    (b,) = [i for i in below.interpretation if i.scheme == "age norm"]
    (a,) = [i for i in at.interpretation if i.scheme == "age norm"]
    assert (b.flag, a.flag) == (True, False)
    assert b.verify and b.label.endswith(sex)


def test_frt_norm_needs_sex() -> None:
    s = score("frt", 30.0, age_years=50)
    assert norm_labels(s) == []
    assert s.notes == (
        "sex not given: male norm (Duncan 1990 (published in inches)) not applied",
        "sex not given: female norm (Duncan 1990 (published in inches)) not applied",
    )
    with pytest.raises(InvalidParameterError, match="sex must be one of female, male; got 'x'"):
        score("frt", 30.0, age_years=50, sex="x")


def test_frt_trials_must_be_in_order_and_in_range() -> None:
    with pytest.raises(InvalidParameterError, match=r"item 'trial_3'.*needs the trial before it"):
        score("frt", {"trial_1": 20.0, "trial_3": 22.0})
    with pytest.raises(InvalidParameterError, match=r"must be a number 0–100 cm; got -2.0"):
        score("frt", -2.0)


# --- Single-leg stance, eyes open ---------------------------------------------------------


def test_sls_is_the_best_of_up_to_three_trials() -> None:
    s = score("sls-eo", {"trial_1": 4.0, "trial_2": 9.5, "trial_3": 7.0})
    assert s.total == 9.5
    assert s.subscores["mean_of_trials"] == pytest.approx(20.5 / 3, rel=1e-12)


@pytest.mark.parametrize(("time_s", "flag"), [(4.99, True), (5.0, False)])
def test_sls_five_second_criterion(time_s: float, flag: bool) -> None:
    (found,) = [i for i in score("sls-eo", time_s).interpretation if i.scheme == "fall risk"]
    assert found.flag is flag  # Bohannon 2006: < 5 s


@pytest.mark.parametrize(
    ("age", "mean_s", "group"),
    # Bohannon 2006 meta-analysis, eyes open: 60–69 27.0 s; 70–79 17.2 s; 80–99 8.5 s
    [
        (60, 27.0, "60–69"),
        (69.99, 27.0, "60–69"),
        (70, 17.2, "70–79"),
        (80, 8.5, "80–99"),
        (99.5, 8.5, "80–99"),
    ],
)
def test_sls_age_norms(age: float, mean_s: float, group: str) -> None:
    assert norm_labels(score("sls-eo", mean_s, age_years=age)) == [
        f"not worse than the mean for age {group} y"
    ]
    assert norm_labels(score("sls-eo", mean_s - 0.1, age_years=age)) == [
        f"worse than the mean for age {group} y"
    ]


def test_sls_has_no_norm_under_60() -> None:
    assert score("sls-eo", 30.0, age_years=45).notes == ("no age norm for age 45 y",)


def test_sls_refuses_out_of_range_trial() -> None:
    with pytest.raises(
        InvalidParameterError, match=r"item 'trial_2'.*must be a number 0–120 s; got 121"
    ):
        score("sls-eo", {"trial_1": 30.0, "trial_2": 121})
