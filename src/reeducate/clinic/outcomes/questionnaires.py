"""Patient-reported measures: ABC scale, Oswestry Disability Index, Neck Disability Index, NPRS,
Patient-Specific Functional Scale, Lower Extremity Functional Scale and Short FES-I.

Numbers come from the team reference ``reference/clinic.md`` §2 with their sources, except the
Short FES-I, which that reference does not cover: its scoring is from Kempen 2008 and its
categories from Delbaere 2010; the HBEDB data set (``FES_T``/``FES_S``) labels all its subjects
with exactly these categories, which the reference test checks. Item labels are short topic
names, not the copyrighted item text (ODI © Fairbank, licensed through Mapi; ABC).

Missing items
-------------
- **ODI**: % = sum / (5 × answered sections) × 100; each missing section lowers the denominator
  by 5. Up to 2 missing sections are scored; 3 or more invalidate the form (common practice,
  marked [verify] in the reference); ``max_missing`` overrides it.
- **NDI**: a missing item is replaced by the mean of the answered items (raw = sum × 10 /
  answered, the same as proportional scaling). The reference gives no limit; the ODI's (2) is
  used.
- **PSFS**: 3 to 5 activities; the score is the mean of those given.
- Others: no published rule, so no item may be missing.

Bands of prorated totals
------------------------
ODI % and prorated NDI totals need not be integers. ODI bands are read as ``0–20``, ``> 20 and ≤
40``, ... (a total above a band's last integer belongs to the next band); NDI bands as ``0 to < 5``,
``5 to < 15``, ... (a total below the next band's first integer stays in the lower band). For
complete forms both readings give the published integer bands exactly.

Examples
--------
>>> from reeducate.clinic.outcomes import score
>>> s = score("odi", {"1": 2, "2": 1, "3": 3, "4": 1, "5": 2, "6": 2, "7": 1, "8": None,
...                   "9": 2, "10": 2})
>>> round(s.total, 2), s.interpretation[0].label, s.missing_items
(35.56, 'moderate disability', ('8',))
"""

from __future__ import annotations

from typing import Final

from reeducate.clinic.outcomes.base import (
    Band,
    Better,
    ChangeThreshold,
    CutOffScheme,
    Item,
    MeasureDefinition,
    Population,
    Scoring,
    Subscore,
    ThresholdKind,
    Unit,
    above,
    at_least,
    below,
    between,
    from_until,
    over_to,
)

#: Missing sections allowed by default on the ODI (3 or more invalidate; [verify]).
ODI_MAX_MISSING: Final = 2

# --------------------------------------------------------------------------------------------
# Activities-specific Balance Confidence
# --------------------------------------------------------------------------------------------

ABC: Final = MeasureDefinition(
    id="abc",
    name="Activities-specific Balance Confidence scale",
    code="abc-mean",
    unit=Unit.PERCENT,
    better=Better.HIGHER,
    items=tuple(
        Item(
            id=str(n),
            label=f"ABC activity {n}: confidence",
            allowed=between(0, 100),
            unit=Unit.PERCENT,
            integer=False,
        )
        for n in range(1, 17)
    ),
    total_range=between(0, 100),
    scoring=Scoring.MEAN,
    scoring_source="Powell & Myers 1995: 16 items, 0–100 % confidence; score = mean of 16",
    cutoffs=(
        CutOffScheme(
            name="fall risk",
            population=Population.OLDER_ADULTS,
            bands=(
                Band(range=below(67), label="increased fall risk", flag=True),
                Band(range=at_least(67), label="no increased fall risk by this cut-off"),
            ),
            source="Lajoie & Gallagher 2004 (sensitivity 84 %, specificity 87 %)",
        ),
        CutOffScheme(
            name="physical functioning",
            population=Population.OLDER_ADULTS,
            bands=(
                Band(range=below(50), label="low level of physical functioning", flag=True),
                Band(range=between(50, 80), label="moderate level of physical functioning"),
                Band(range=above(80), label="high level of physical functioning"),
            ),
            source="Myers 1998",
        ),
    ),
    notes=("MCID/MDC not encoded: [verify] in the team reference",),
)

# --------------------------------------------------------------------------------------------
# Oswestry Disability Index
# --------------------------------------------------------------------------------------------

_ODI_SECTIONS: Final = (
    "pain intensity",
    "personal care",
    "lifting",
    "walking",
    "sitting",
    "standing",
    "sleeping",
    "sex life",
    "social life",
    "travelling",
)

ODI: Final = MeasureDefinition(
    id="odi",
    name="Oswestry Disability Index",
    code="odi-score",
    unit=Unit.PERCENT,
    better=Better.LOWER,
    items=tuple(
        Item(id=str(n), label=section, allowed=between(0, 5))
        for n, section in enumerate(_ODI_SECTIONS, start=1)
    ),
    total_range=between(0, 100),
    scoring=Scoring.PERCENT_OF_MAXIMUM,
    scoring_source=(
        "Fairbank & Pynsent 2000: 10 sections 0–5; % = sum / (5 × answered sections) × 100"
    ),
    max_missing=ODI_MAX_MISSING,
    missing_rule=(
        "each missing section lowers the denominator by 5 (Fairbank & Pynsent 2000); "
        "3 or more missing invalidate the form (common practice, [verify])"
    ),
    cutoffs=(
        CutOffScheme(
            name="disability",
            population=Population.LOW_BACK_PAIN,
            bands=(
                Band(range=between(0, 20), label="minimal disability"),
                Band(range=over_to(20, 40), label="moderate disability"),
                Band(range=over_to(40, 60), label="severe disability", flag=True),
                Band(range=over_to(60, 80), label="crippled", flag=True),
                Band(range=over_to(80, 100), label="bed-bound", flag=True),
            ),
            source="Fairbank (0–20, 21–40, 41–60, 61–80, 81–100 %)",
        ),
    ),
    thresholds=(
        ChangeThreshold(
            kind=ThresholdKind.MDC90,
            population=Population.LOW_BACK_PAIN,
            amount=10,
            source="team reference clinic.md §2 (MDC90 ≈ 10 %-points)",
        ),
        ChangeThreshold(
            kind=ThresholdKind.MCID,
            population=Population.LOW_BACK_PAIN,
            amount=10,
            relative_pct=30,
            source="Ostelo 2008 consensus (10 points or 30 %)",
        ),
    ),
    loinc="97909-6",
)

# --------------------------------------------------------------------------------------------
# Neck Disability Index
# --------------------------------------------------------------------------------------------

_NDI_ITEMS: Final = (
    "pain intensity",
    "personal care",
    "lifting",
    "reading",
    "headaches",
    "concentration",
    "work",
    "driving",
    "sleeping",
    "recreation",
)

NDI: Final = MeasureDefinition(
    id="ndi",
    name="Neck Disability Index",
    code="ndi-total",
    unit=Unit.POINTS,
    better=Better.LOWER,
    items=tuple(
        Item(id=str(n), label=topic, allowed=between(0, 5))
        for n, topic in enumerate(_NDI_ITEMS, start=1)
    ),
    total_range=between(0, 50),
    scoring=Scoring.PRORATED_SUM,
    scoring_source="Vernon & Mior 1991: 10 items 0–5, raw 0–50 (× 2 = %)",
    max_missing=ODI_MAX_MISSING,
    missing_rule=(
        "a missing item is given the mean of the answered items (proportional scaling); "
        "more than 2 missing invalidate the form (the ODI practice; no NDI limit in the "
        "reference)"
    ),
    subscores=(
        Subscore(
            id="percent",
            label="percent of maximum (raw × 2)",
            items=tuple(str(n) for n in range(1, 11)),
            scoring=Scoring.PERCENT_OF_MAXIMUM,
        ),
    ),
    cutoffs=(
        CutOffScheme(
            name="disability",
            population=Population.NECK_PAIN,
            bands=(
                Band(range=from_until(0, 5), label="no disability"),
                Band(range=from_until(5, 15), label="mild disability"),
                Band(range=from_until(15, 25), label="moderate disability"),
                Band(range=from_until(25, 35), label="severe disability", flag=True),
                Band(range=between(35, 50), label="complete disability", flag=True),
            ),
            source="Vernon & Mior (0–4, 5–14, 15–24, 25–34, ≥ 35)",
        ),
    ),
    thresholds=(
        ChangeThreshold(
            kind=ThresholdKind.MDC90,
            population=Population.NECK_PAIN,
            amount=4.7,
            source="Stratford 1999 (≈ 5 points)",
        ),
        ChangeThreshold(
            kind=ThresholdKind.MCID,
            population=Population.NECK_PAIN,
            amount=5,
            source="team reference clinic.md §2 (MCID ≈ 5; physiotutors, metriks.ca)",
        ),
    ),
)

# --------------------------------------------------------------------------------------------
# Numeric Pain Rating Scale
# --------------------------------------------------------------------------------------------

_THIEME: Final = "Thieme 2021 (specific back pain, n=1232)"

NPRS: Final = MeasureDefinition(
    id="nprs",
    name="Numeric Pain Rating Scale",
    code="nprs",
    unit=Unit.POINTS,
    better=Better.LOWER,
    items=(
        Item(id="pain", label="pain intensity, 0 = no pain, 10 = worst", allowed=between(0, 10)),
    ),
    total_range=between(0, 10),
    scoring=Scoring.SUM,
    scoring_source="single item 0–10",
    cutoffs=(
        CutOffScheme(
            name="pain severity",
            population=Population.ADULTS,
            bands=(
                Band(range=between(0, 0), label="no pain"),
                Band(range=between(1, 3), label="mild pain"),
                Band(range=between(4, 6), label="moderate pain", flag=True),
                Band(range=between(7, 10), label="severe pain", flag=True),
            ),
            source="SNOMED interpretation codes (hl7.eu); 0 is the scale's 'no pain' anchor",
        ),
    ),
    thresholds=(
        ChangeThreshold(
            kind=ThresholdKind.MCID,
            population=Population.CHRONIC_PAIN,
            amount=2,
            relative_pct=30,
            source="Ostelo 2008; Farrar 2001 (2 points or 30 %)",
        ),
        ChangeThreshold(
            kind=ThresholdKind.MCID,
            population=Population.LOW_BACK_PAIN,
            amount=1,
            baseline=between(1, 4),
            source=_THIEME,
        ),
        ChangeThreshold(
            kind=ThresholdKind.MCID,
            population=Population.LOW_BACK_PAIN,
            amount=2,
            baseline=between(5, 7),
            source=_THIEME,
        ),
        ChangeThreshold(
            kind=ThresholdKind.MCID,
            population=Population.LOW_BACK_PAIN,
            amount=4,
            baseline=between(8, 10),
            source=_THIEME,
            note="published as 3–4 points; the upper end is used",
        ),
        ChangeThreshold(
            kind=ThresholdKind.MDC,
            population=Population.ADULTS,
            amount=1.77,
            source="team reference clinic.md §2 (MDC 1.77; population not stated)",
        ),
    ),
    loinc="72514-3",
)

# --------------------------------------------------------------------------------------------
# Patient-Specific Functional Scale
# --------------------------------------------------------------------------------------------

PSFS: Final = MeasureDefinition(
    id="psfs",
    name="Patient-Specific Functional Scale",
    code="psfs-mean",
    unit=Unit.POINTS,
    better=Better.HIGHER,
    items=tuple(
        Item(
            id=f"activity_{n}",
            label=f"patient-chosen activity {n}, 0 = unable, 10 = as before",
            allowed=between(0, 10),
            optional=n > 3,
        )
        for n in range(1, 6)
    ),
    total_range=between(0, 10),
    scoring=Scoring.MEAN,
    scoring_source="Stratford 1995: 3–5 patient-chosen activities 0–10; score = mean",
    thresholds=(
        ChangeThreshold(
            kind=ThresholdKind.MDC90,
            population=Population.ADULTS,
            amount=2,
            source="Stratford 1995 form (average score)",
        ),
        ChangeThreshold(
            kind=ThresholdKind.MDC90,
            population=Population.ADULTS,
            amount=3,
            scope="item",
            source="Stratford 1995 form (single activity)",
        ),
    ),
)

# --------------------------------------------------------------------------------------------
# Lower Extremity Functional Scale
# --------------------------------------------------------------------------------------------

_LEFS_TOPICS: Final = (
    "usual work, housework or school activities",
    "usual hobbies, recreational or sporting activities",
    "getting into or out of the bath",
    "walking between rooms",
    "putting on shoes or socks",
    "squatting",
    "lifting an object from the floor",
    "light activities around the home",
    "heavy activities around the home",
    "getting into or out of a car",
    "walking 2 blocks",
    "walking a mile",
    "going up or down 10 stairs",
    "standing for 1 hour",
    "sitting for 1 hour",
    "running on even ground",
    "running on uneven ground",
    "making sharp turns while running fast",
    "hopping",
    "rolling over in bed",
)

LEFS: Final = MeasureDefinition(
    id="lefs",
    name="Lower Extremity Functional Scale",
    code="lefs-total",
    unit=Unit.POINTS,
    better=Better.HIGHER,
    items=tuple(
        Item(id=str(n), label=topic, allowed=between(0, 4))
        for n, topic in enumerate(_LEFS_TOPICS, start=1)
    ),
    total_range=between(0, 80),
    scoring=Scoring.SUM,
    scoring_source="Binkley 1999: 20 items 0–4; total = sum (0–80)",
    thresholds=(
        ChangeThreshold(
            kind=ThresholdKind.MDC,
            population=Population.LOWER_EXTREMITY,
            amount=9,
            source="Binkley 1999",
        ),
        ChangeThreshold(
            kind=ThresholdKind.MCID,
            population=Population.LOWER_EXTREMITY,
            amount=9,
            source="Binkley 1999",
        ),
    ),
)

# --------------------------------------------------------------------------------------------
# Short Falls Efficacy Scale – International
# --------------------------------------------------------------------------------------------

_SHORT_FES_I_TOPICS: Final = (
    "getting dressed or undressed",
    "taking a bath or shower",
    "getting in or out of a chair",
    "going up or down stairs",
    "reaching above the head or to the ground",
    "walking up or down a slope",
    "going out to a social event",
)

SHORT_FES_I: Final = MeasureDefinition(
    id="short-fes-i",
    name="Short Falls Efficacy Scale – International",
    code="short-fes-i-total",
    unit=Unit.POINTS,
    better=Better.LOWER,
    items=tuple(
        Item(
            id=str(n),
            label=f"concern about falling: {topic}, 1 = not at all, 4 = very concerned",
            allowed=between(1, 4),
        )
        for n, topic in enumerate(_SHORT_FES_I_TOPICS, start=1)
    ),
    total_range=between(7, 28),
    scoring=Scoring.SUM,
    scoring_source="Kempen 2008, Age Ageing 37:45: 7 items 1–4; total = sum (7–28)",
    cutoffs=(
        CutOffScheme(
            name="concern about falling",
            population=Population.OLDER_ADULTS,
            bands=(
                Band(range=between(7, 8), label="low concern"),
                Band(range=between(9, 13), label="moderate concern", flag=True),
                Band(range=between(14, 28), label="high concern", flag=True),
            ),
            source="Delbaere 2010, Age Ageing 39:210",
            note="not in the team reference; matches every HBEDB FES_S label",
        ),
    ),
    notes=("MCID/MDC not encoded: none in the team reference",),
)

QUESTIONNAIRES: Final = (ABC, ODI, NDI, NPRS, PSFS, LEFS, SHORT_FES_I)
