"""Timed and distance performance tests: Timed Up and Go, Five Times Sit to Stand, Functional
Reach and single-leg stance (eyes open) with age norms.

Every number comes from the team reference ``reference/clinic.md`` §2 with its source;
``verify=True`` marks what that reference flags as unconfirmed. Times are in seconds and reach in
centimetres, the units the cut-offs are published in (Functional Reach inches converted at the
table, 1 in = 2.54 cm exactly).

The upper limits of the item ranges (300 s for a timed test, 120 s for a stance trial, 100 cm for
a reach) are plausibility bounds that catch typing errors, not clinical cut-offs.

Not encoded, on purpose:

- TUG in stroke: the reference gives a range of cut-offs (15–19 s), not one.
- Five Times Sit to Stand MDC: marked [verify] in the reference without a value.
- Single-leg stance eyes closed, and Springer 2007 norms for ages under 60: the reference asks
  for the table to be transcribed from the paper; it was not available.

Examples
--------
>>> from reeducate.clinic.outcomes import score
>>> s = score("sls-eo", {"trial_1": 12.0, "trial_2": 20.5}, age_years=72)
>>> s.total, [i.label for i in s.interpretation if i.scheme == "age norm"]
(20.5, ['not worse than the mean for age 70–79 y'])
"""

from __future__ import annotations

from typing import Final

from reeducate.clinic.outcomes.base import (
    AgeNorm,
    Band,
    Better,
    ChangeThreshold,
    CutOffScheme,
    GroupRule,
    Item,
    MeasureDefinition,
    Population,
    Scoring,
    Sex,
    Subscore,
    ThresholdKind,
    Unit,
    above,
    at_least,
    below,
    between,
    check_consecutive_trials,
    from_until,
    over_to,
    strictly_between,
)

#: Centimetres per inch (exact by definition); Functional Reach sources publish inches.
CM_PER_INCH: Final = 2.54


def _inches(x: float) -> float:
    return x * CM_PER_INCH


def _timed_item(label: str) -> Item:
    return Item(
        id="time",
        label=label,
        allowed=over_to(0, 300),
        unit=Unit.SECONDS,
        integer=False,
    )


def _trials(label: str, *, unit: Unit, high: float, group: str) -> tuple[Item, ...]:
    return tuple(
        Item(
            id=f"trial_{n}",
            label=f"{label}, trial {n}",
            allowed=between(0, high),
            unit=unit,
            integer=False,
            optional=n > 1,
            group=group,
        )
        for n in (1, 2, 3)
    )


# --------------------------------------------------------------------------------------------
# Timed Up and Go
# --------------------------------------------------------------------------------------------

TUG: Final = MeasureDefinition(
    id="tug",
    name="Timed Up and Go",
    code="tug-time",
    unit=Unit.SECONDS,
    better=Better.LOWER,
    items=(_timed_item("time to rise, walk 3 m, turn, walk back and sit"),),
    total_range=over_to(0, 300),
    scoring=Scoring.SUM,
    scoring_source="Podsiadlo & Richardson 1991: time in seconds, usual footwear and aid",
    cutoffs=(
        CutOffScheme(
            name="fall risk",
            population=Population.COMMUNITY_OLDER_ADULTS,
            bands=(
                Band(range=below(13.5), label="no increased fall risk by this cut-off"),
                Band(range=at_least(13.5), label="increased fall risk", flag=True),
            ),
            source="Shumway-Cook 2000",
            verify=True,
        ),
        CutOffScheme(
            name="mobility",
            population=Population.OLDER_ADULTS,
            bands=(
                Band(range=below(12), label="normal"),
                Band(range=at_least(12), label="below normal", flag=True),
            ),
            source="Bischoff 2003; CDC STEADI",
        ),
        CutOffScheme(
            name="mobility (LOINC 89423-8 description)",
            population=Population.ADULTS,
            bands=(
                Band(range=below(10), label="normal"),
                Band(range=between(10, 20), label="not classified by the source (10–20 s)"),
                Band(
                    range=strictly_between(20, 30),
                    label="needs help outside the home",
                    flag=True,
                ),
                Band(range=at_least(30), label="dependent in mobility", flag=True),
            ),
            source="LOINC 89423-8 term description",
        ),
        CutOffScheme(
            name="recurrent falls",
            population=Population.OLDER_ADULTS_CHINA,
            bands=(
                Band(range=below(15.96), label="not in the recurrent-faller range"),
                Band(range=at_least(15.96), label="recurrent-faller range", flag=True),
            ),
            source="Kang 2017",
            note="the reference gives 15.96 s without saying on which side the boundary lies",
        ),
    ),
    thresholds=(
        ChangeThreshold(
            kind=ThresholdKind.MDC,
            population=Population.CHRONIC_STROKE,
            amount=3.2,
            source="Alghadir 2018, PMC6136166",
        ),
    ),
    loinc="89423-8",
)

# --------------------------------------------------------------------------------------------
# Five Times Sit to Stand
# --------------------------------------------------------------------------------------------

FTSTS: Final = MeasureDefinition(
    id="ftsts",
    name="Five Times Sit to Stand",
    code="ftsts-time",
    unit=Unit.SECONDS,
    better=Better.LOWER,
    items=(_timed_item("time to the fifth stand, arms crossed, chair about 43 cm"),),
    total_range=over_to(0, 300),
    scoring=Scoring.SUM,
    scoring_source="time in seconds to the fifth stand (arms crossed, ~43 cm chair)",
    cutoffs=(
        CutOffScheme(
            name="fall risk",
            population=Population.OLDER_ADULTS,
            bands=(
                Band(range=below(12), label="no increased fall probability by this cut-off"),
                Band(
                    range=at_least(12),
                    label="post-test fall probability raised to 41 %",
                    flag=True,
                ),
            ),
            source="Lusardi 2017",
        ),
        CutOffScheme(
            name="recurrent falls",
            population=Population.OLDER_ADULTS,
            bands=(
                Band(range=below(15), label="not in the recurrent-faller range"),
                Band(range=at_least(15), label="recurrent-faller range", flag=True),
            ),
            source="Buatois 2008",
        ),
        CutOffScheme(
            name="disability",
            population=Population.OLDER_ADULTS,
            bands=(
                Band(range=below(13.6), label="no disability by this cut-off"),
                Band(range=at_least(13.6), label="disability range", flag=True),
            ),
            source="Guralnik 2000",
        ),
    ),
    age_norms=(
        AgeNorm(age_years=from_until(60, 70), value=11.4, source="Bohannon 2006"),
        AgeNorm(age_years=from_until(70, 80), value=12.6, source="Bohannon 2006"),
        AgeNorm(age_years=from_until(80, 90), value=14.8, source="Bohannon 2006"),
    ),
    notes=("MDC not encoded: [verify] in the team reference (Goldberg 2012)",),
)

# --------------------------------------------------------------------------------------------
# Functional Reach
# --------------------------------------------------------------------------------------------

_DUNCAN_1990: Final = "Duncan 1990 (published in inches)"

FRT: Final = MeasureDefinition(
    id="frt",
    name="Functional Reach Test",
    code="frt-distance",
    unit=Unit.CENTIMETRES,
    better=Better.HIGHER,
    items=_trials(
        "forward reach at shoulder height, no step", unit=Unit.CENTIMETRES, high=100, group="reach"
    ),
    group_rule=GroupRule.MEAN,
    check_items=check_consecutive_trials,
    total_range=between(0, 100),
    scoring=Scoring.SUM,
    scoring_source="Duncan 1990: mean of up to 3 trials (2 suffice, Billek-Sawhney)",
    cutoffs=(
        CutOffScheme(
            name="fall risk",
            population=Population.OLDER_ADULTS,
            bands=(
                Band(range=below(_inches(6)), label="high fall risk", flag=True),
                Band(range=between(_inches(6), _inches(10)), label="moderate fall risk", flag=True),
                Band(range=above(_inches(10)), label="low fall risk"),
            ),
            source="Duncan/Weiner 1992 (< 6 in, 6–10 in, > 10 in)",
        ),
    ),
    age_norms=tuple(
        AgeNorm(age_years=ages, sex=sex, value=_inches(inches), source=_DUNCAN_1990, verify=True)
        for ages, sex, inches in (
            (from_until(20, 41), Sex.MALE, 16.7),
            (from_until(20, 41), Sex.FEMALE, 14.6),
            (from_until(41, 70), Sex.MALE, 14.9),
            (from_until(41, 70), Sex.FEMALE, 13.8),
            (from_until(70, 88), Sex.MALE, 13.2),
            (from_until(70, 88), Sex.FEMALE, 10.5),
        )
    ),
)

# --------------------------------------------------------------------------------------------
# Single-leg stance, eyes open
# --------------------------------------------------------------------------------------------

SLS_EO: Final = MeasureDefinition(
    id="sls-eo",
    name="single-leg stance, eyes open",
    code="sls-eo-best",
    unit=Unit.SECONDS,
    better=Better.HIGHER,
    items=_trials("single-leg stance, eyes open", unit=Unit.SECONDS, high=120, group="stance"),
    group_rule=GroupRule.BEST,
    check_items=check_consecutive_trials,
    total_range=between(0, 120),
    scoring=Scoring.SUM,
    scoring_source="best of up to 3 trials, stopped at foot touch or the protocol's maximum",
    subscores=(
        Subscore(
            id="mean_of_trials",
            label="mean of the trials given",
            items=("trial_1", "trial_2", "trial_3"),
            scoring=Scoring.MEAN,
        ),
    ),
    cutoffs=(
        CutOffScheme(
            name="fall risk",
            population=Population.OLDER_ADULTS,
            bands=(
                Band(range=below(5), label="below the proposed 5 s risk criterion", flag=True),
                Band(range=at_least(5), label="not below the proposed 5 s risk criterion"),
            ),
            source="Bohannon 2006 review",
        ),
    ),
    age_norms=(
        AgeNorm(age_years=from_until(60, 70), value=27.0, source="Bohannon 2006 meta-analysis"),
        AgeNorm(age_years=from_until(70, 80), value=17.2, source="Bohannon 2006 meta-analysis"),
        AgeNorm(age_years=from_until(80, 100), value=8.5, source="Bohannon 2006 meta-analysis"),
    ),
)

PERFORMANCE_TESTS: Final = (TUG, FTSTS, FRT, SLS_EO)
