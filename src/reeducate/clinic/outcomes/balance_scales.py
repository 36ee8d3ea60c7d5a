"""Clinician-rated balance scales: Berg Balance Scale, Mini-BESTest, Functional Gait Assessment,
and the modified Clinical Test of Sensory Interaction on Balance (mCTSIB).

Every number below comes from the team reference ``reference/clinic.md`` §2, with its source;
``verify=True`` marks what that reference flags as not confirmed against the primary paper.
Item labels are short names of the tasks, not the instruments' item text (the Mini-BESTest has
a commercial-use restriction; see the reference's licensing note).

Not encoded, on purpose:

- Berg, stroke: the reference gives a *range* of published cut-offs (46.5–50.5, 2024 scoping
  review), not one cut-off; no band can be drawn from it.
- Mini-BESTest MCID in Parkinson disease is published as 3.4–4.0 (anchor-dependent); the upper
  end, 4.0, is encoded so that "meets MCID" holds for every published estimate.

Examples
--------
>>> from reeducate.clinic.outcomes import score
>>> s = score("minibest", {"1": 2, "2": 2, "3l": 2, "3r": 1, "4": 2, "5": 2, "6l": 1, "6r": 2,
...                        "7": 2, "8": 2, "9": 2, "10": 2, "11": 2, "12": 2, "13": 2, "14": 1})
>>> s.total, s.subscores["anticipatory"], s.subscores["both_sides_total"]
(25.0, 5.0, 29.0)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from reeducate.clinic.outcomes.base import (
    Band,
    Better,
    ChangeThreshold,
    CutOffScheme,
    GroupRule,
    Interpretation,
    Item,
    MeasureDefinition,
    Population,
    Scoring,
    Subscore,
    ThresholdKind,
    Unit,
    at_least,
    below,
    between,
    check_consecutive_trials,
)
from reeducate.errors import InvalidParameterError

# --------------------------------------------------------------------------------------------
# Berg Balance Scale
# --------------------------------------------------------------------------------------------

_BBS_TASKS: Final = (
    "sitting to standing",
    "standing unsupported",
    "sitting unsupported",
    "standing to sitting",
    "transfers",
    "standing with eyes closed",
    "standing with feet together",
    "reaching forward with outstretched arm",
    "retrieving an object from the floor",
    "turning to look behind",
    "turning 360 degrees",
    "placing alternate foot on a stool",
    "standing with one foot in front",
    "standing on one foot",
)

BBS: Final = MeasureDefinition(
    id="bbs",
    name="Berg Balance Scale",
    code="bbs-total",
    unit=Unit.POINTS,
    better=Better.HIGHER,
    items=tuple(
        Item(id=str(n), label=task, allowed=between(0, 4))
        for n, task in enumerate(_BBS_TASKS, start=1)
    ),
    total_range=between(0, 56),
    scoring=Scoring.SUM,
    scoring_source="Berg 1992: 14 items scored 0–4, total = sum (0–56)",
    cutoffs=(
        CutOffScheme(
            name="fall risk",
            population=Population.OLDER_ADULTS,
            bands=(
                Band(range=below(45), label="increased fall risk", flag=True),
                Band(range=at_least(45), label="no increased fall risk by this cut-off"),
            ),
            source="Berg 1992; common clinical cut-off",
        ),
        CutOffScheme(
            name="fall-risk banding",
            population=Population.ADULTS,
            bands=(
                Band(range=between(0, 20), label="high fall risk", flag=True),
                Band(range=between(21, 40), label="medium fall risk", flag=True),
                Band(range=between(41, 56), label="low fall risk"),
            ),
            source="tool banding of the R package cliot",
        ),
        CutOffScheme(
            name="community walking (on admission)",
            population=Population.STROKE,
            bands=(
                Band(
                    range=below(29),
                    label="community walking speed not predicted by this cut-off",
                    flag=True,
                ),
                Band(range=at_least(29), label="predicts community walking speed"),
            ),
            source="Louie & Eng 2018",
        ),
    ),
    thresholds=(
        ChangeThreshold(
            kind=ThresholdKind.MDC95,
            population=Population.OLDER_ADULTS,
            amount=4,
            baseline=between(45, 56),
            source="Donoghue & Stokes 2009, J Rehabil Med 41:343 (n=118)",
        ),
        ChangeThreshold(
            kind=ThresholdKind.MDC95,
            population=Population.OLDER_ADULTS,
            amount=5,
            baseline=between(35, 44),
            source="Donoghue & Stokes 2009, J Rehabil Med 41:343 (n=118)",
        ),
        ChangeThreshold(
            kind=ThresholdKind.MDC95,
            population=Population.OLDER_ADULTS,
            amount=7,
            baseline=between(25, 34),
            source="Donoghue & Stokes 2009, J Rehabil Med 41:343 (n=118)",
        ),
        ChangeThreshold(
            kind=ThresholdKind.MDC95,
            population=Population.OLDER_ADULTS,
            amount=5,
            baseline=between(0, 24),
            source="Donoghue & Stokes 2009, J Rehabil Med 41:343 (n=118)",
        ),
        ChangeThreshold(
            kind=ThresholdKind.MDC90,
            population=Population.STROKE,
            amount=6,
            source="Stevenson 2001",
        ),
        ChangeThreshold(
            kind=ThresholdKind.MDC,
            population=Population.CHRONIC_STROKE,
            amount=2.7,
            source="Alghadir 2018, PMC6136166",
        ),
    ),
    notes=("no MCID verified",),
)

# --------------------------------------------------------------------------------------------
# Mini-BESTest
# --------------------------------------------------------------------------------------------

_MINIBEST_ITEMS: Final = (
    ("1", "sit to stand", None),
    ("2", "rise to toes", None),
    ("3l", "stand on one leg, left", "3"),
    ("3r", "stand on one leg, right", "3"),
    ("4", "compensatory stepping, forward", None),
    ("5", "compensatory stepping, backward", None),
    ("6l", "compensatory stepping, lateral, left", "6"),
    ("6r", "compensatory stepping, lateral, right", "6"),
    ("7", "stance, feet together, eyes open, firm surface", None),
    ("8", "stance, feet together, eyes closed, foam", None),
    ("9", "incline, eyes closed", None),
    ("10", "change in gait speed", None),
    ("11", "walk with head turns", None),
    ("12", "walk with pivot turns", None),
    ("13", "step over obstacles", None),
    ("14", "timed up and go with dual task", None),
)

MINIBEST: Final = MeasureDefinition(
    id="minibest",
    name="Mini-BESTest",
    code="minibest-total",
    unit=Unit.POINTS,
    better=Better.HIGHER,
    items=tuple(
        Item(id=iid, label=label, allowed=between(0, 2), group=group)
        for iid, label, group in _MINIBEST_ITEMS
    ),
    group_rule=GroupRule.LOWER,
    total_range=between(0, 28),
    scoring=Scoring.SUM,
    scoring_source=(
        "Franchignoni 2010 / sralab: 14 items 0–2; for the bilateral items 3 and 6 the lower "
        "side counts; total 0–28"
    ),
    subscores=(
        Subscore(id="anticipatory", label="anticipatory (items 1–3)", items=("1", "2", "3")),
        Subscore(
            id="reactive", label="reactive postural control (items 4–6)", items=("4", "5", "6")
        ),
        Subscore(id="sensory", label="sensory orientation (items 7–9)", items=("7", "8", "9")),
        Subscore(
            id="dynamic_gait",
            label="dynamic gait (items 10–14)",
            items=("10", "11", "12", "13", "14"),
        ),
        Subscore(
            id="both_sides_total",
            label="research variant: both sides of items 3 and 6 counted (0–32)",
            items=tuple(iid for iid, _, _ in _MINIBEST_ITEMS),
        ),
    ),
    cutoffs=(
        CutOffScheme(
            name="recurrent falls",
            population=Population.PARKINSON,
            bands=(
                Band(range=below(19), label="recurrent-faller range", flag=True),
                Band(range=at_least(19), label="not in the recurrent-faller range"),
            ),
            source="Mak & Auyeung 2013, J Rehabil Med 45",
        ),
    ),
    thresholds=(
        ChangeThreshold(
            kind=ThresholdKind.MCID,
            population=Population.PARKINSON,
            amount=4.0,
            source="Mini-BESTest responsiveness study in PD, 2023 (3.4–4.0)",
            note="published as 3.4–4.0; the upper end is used",
        ),
        ChangeThreshold(
            kind=ThresholdKind.SRD,
            population=Population.PARKINSON,
            amount=4.1,
            source="Löfgren 2014, PMC4272769",
        ),
    ),
)

# --------------------------------------------------------------------------------------------
# Functional Gait Assessment
# --------------------------------------------------------------------------------------------

_FGA_TASKS: Final = (
    "gait level surface",
    "change in gait speed",
    "gait with horizontal head turns",
    "gait with vertical head turns",
    "gait and pivot turn",
    "step over obstacle",
    "gait with narrow base of support",
    "gait with eyes closed",
    "ambulating backwards",
    "steps",
)

FGA: Final = MeasureDefinition(
    id="fga",
    name="Functional Gait Assessment",
    code="fga-total",
    unit=Unit.POINTS,
    better=Better.HIGHER,
    items=tuple(
        Item(id=str(n), label=task, allowed=between(0, 3))
        for n, task in enumerate(_FGA_TASKS, start=1)
    ),
    total_range=between(0, 30),
    scoring=Scoring.SUM,
    scoring_source="Wrisley 2004: 10 items scored 0–3, total = sum (0–30)",
    cutoffs=(
        CutOffScheme(
            name="fall risk",
            population=Population.OLDER_ADULTS,
            bands=(
                Band(range=between(0, 22), label="increased fall risk", flag=True),
                Band(range=between(23, 30), label="no increased fall risk by this cut-off"),
            ),
            source="Wrisley & Kumar 2010 (≤ 22/30)",
        ),
    ),
    thresholds=(
        ChangeThreshold(
            kind=ThresholdKind.MCID,
            population=Population.OLDER_ADULTS,
            amount=4,
            source="Beninato 2014, PTJ 94:1594 (physical-therapist anchor)",
        ),
        ChangeThreshold(
            kind=ThresholdKind.MDC95,
            population=Population.VESTIBULAR,
            amount=6,
            source="Marchetti 2014",
        ),
    ),
)

# --------------------------------------------------------------------------------------------
# mCTSIB
# --------------------------------------------------------------------------------------------

#: The four conditions, in test order.
MCTSIB_CONDITIONS: Final = (
    ("firm_eo", "firm surface, eyes open"),
    ("firm_ec", "firm surface, eyes closed"),
    ("foam_eo", "foam, eyes open"),
    ("foam_ec", "foam, eyes closed"),
)
#: Seconds a condition lasts; a condition whose mean is below this counts as failed.
MCTSIB_TRIAL_S: Final = 30.0

#: Sensory pattern by the set of failed conditions (team reference §2, interacoustics academy).
#: Any other set is reported as a pattern the source does not classify.
MCTSIB_PATTERNS: Final[Mapping[frozenset[str], tuple[str, bool]]] = {
    frozenset(): ("all four conditions held for 30 s", False),
    frozenset({"foam_ec"}): ("vestibular pattern: fails foam with eyes closed only", True),
    frozenset({"firm_ec", "foam_ec"}): ("visual dependence: fails with eyes closed", True),
    frozenset({"foam_eo", "foam_ec"}): ("somatosensory dependence: fails on foam", True),
}


def mctsib_pattern(values: Mapping[str, float], /) -> tuple[Interpretation, ...]:
    """Sensory pattern of mCTSIB condition means (``values`` by condition id).

    Examples
    --------
    >>> mctsib_pattern({"firm_eo": 30, "firm_ec": 30, "foam_eo": 30, "foam_ec": 12})[0].label
    'vestibular pattern: fails foam with eyes closed only'
    """
    failed = frozenset(c for c, _ in MCTSIB_CONDITIONS if values[c] < MCTSIB_TRIAL_S)
    if failed in MCTSIB_PATTERNS:
        label, flag = MCTSIB_PATTERNS[failed]
    else:
        names = ", ".join(c for c, _ in MCTSIB_CONDITIONS if c in failed)
        label, flag = f"pattern not classified by the source: fails {names}", True
    return (
        Interpretation(
            scheme="sensory pattern",
            population=Population.ADULTS,
            label=label,
            criterion="condition failed when its mean < 30 s",
            source="interacoustics academy (team reference clinic.md §2)",
            flag=flag,
        ),
    )


def check_mctsib_trials(measure: MeasureDefinition, given: Mapping[str, float], /) -> None:
    """Trials of a condition are consecutive, and none follows a first trial held for 30 s.

    Further attempts are given only when the first is not held for 30 s (sralab CTSIB-M), so a
    second or third trial after a full first one is a recording error, not something to average.

    Examples
    --------
    >>> from reeducate.errors import InvalidParameterError
    >>> try:
    ...     check_mctsib_trials(MCTSIB, {"foam_ec_1": 30.0, "foam_ec_2": 12.0})
    ... except InvalidParameterError as err:
    ...     "no further trial after a first trial held for 30 s" in str(err)
    True
    """
    check_consecutive_trials(measure, given)
    for cid, label in MCTSIB_CONDITIONS:
        if given.get(f"{cid}_1") == MCTSIB_TRIAL_S:
            for trial in (2, 3):
                extra = f"{cid}_{trial}"
                if extra in given:
                    raise InvalidParameterError(
                        f"measure {measure.id!r}, item {extra!r} ({label}, trial {trial}): "
                        f"no further trial after a first trial held for 30 s; "
                        f"got {given[extra]!r}"
                    )


MCTSIB: Final = MeasureDefinition(
    id="mctsib",
    name="modified Clinical Test of Sensory Interaction on Balance",
    code="mctsib-total",
    unit=Unit.SECONDS,
    better=Better.HIGHER,
    items=tuple(
        Item(
            id=f"{cid}_{trial}",
            label=f"{label}, trial {trial}",
            allowed=between(0, MCTSIB_TRIAL_S),
            unit=Unit.SECONDS,
            integer=False,
            optional=trial > 1,
            group=cid,
        )
        for cid, label in MCTSIB_CONDITIONS
        for trial in (1, 2, 3)
    ),
    group_rule=GroupRule.MEAN,
    total_range=between(0, 4 * MCTSIB_TRIAL_S),
    scoring=Scoring.SUM,
    scoring_source=(
        "sralab CTSIB-M: 4 conditions of 30 s; a condition not held for 30 s gets up to 2 more "
        "attempts and the trials given are averaged; total = sum of the 4 condition scores "
        "(0–120 s)"
    ),
    subscores=tuple(
        Subscore(id=cid, label=label, items=(cid,), scoring=Scoring.SUM)
        for cid, label in MCTSIB_CONDITIONS
    ),
    interpret_items=mctsib_pattern,
    check_items=check_mctsib_trials,
    notes=("no cut-off, MCID or MDC verified",),
)

BALANCE_SCALES: Final = (BBS, MINIBEST, FGA, MCTSIB)
