"""Outcome measures: item validation, scoring, interpretation by population, and change over
time against MCID/MDC.

The measures are declarative tables (:data:`MEASURES`), one :class:`MeasureDefinition` each:

============  =====================================================  ========  ======
id            measure                                                unit      better
============  =====================================================  ========  ======
bbs           Berg Balance Scale                                     points    higher
tug           Timed Up and Go                                        s         lower
minibest      Mini-BESTest (lower side of bilateral items 3 and 6)   points    higher
fga           Functional Gait Assessment                             points    higher
abc           Activities-specific Balance Confidence scale           %         higher
ftsts         Five Times Sit to Stand                                s         lower
frt           Functional Reach Test (mean of trials)                 cm        higher
sls-eo        single-leg stance, eyes open (best trial), age norms   s         higher
mctsib        modified CTSIB, 4 conditions × up to 3 trials          s         higher
odi           Oswestry Disability Index (missing sections scaled)    %         lower
ndi           Neck Disability Index                                  points    lower
nprs          Numeric Pain Rating Scale                              points    lower
psfs          Patient-Specific Functional Scale (3–5 activities)     points    higher
lefs          Lower Extremity Functional Scale                       points    higher
short-fes-i   Short Falls Efficacy Scale – International             points    lower
============  =====================================================  ========  ======

Sources: the team reference ``reference/clinic.md`` §2 (each cut-off, norm and threshold
carries its own), and for the Short FES-I Kempen 2008 and Delbaere 2010.

Examples
--------
>>> from reeducate.clinic.outcomes import compare, score
>>> before = score("tug", 15.2)
>>> [str(i) for i in before.interpretation][1]
'mobility: below normal (≥ 12 s; older adults; Bischoff 2003; CDC STEADI)'
>>> change = compare(before, score("tug", 11.0), population="chronic_stroke")
>>> change.direction.value, change.exceeds_mdc
('improved', True)
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Final

from reeducate.clinic.outcomes import base
from reeducate.clinic.outcomes.balance_scales import BBS, FGA, MCTSIB, MINIBEST
from reeducate.clinic.outcomes.base import (
    AgeNorm,
    Band,
    Better,
    ChangeDirection,
    ChangeThreshold,
    CutOffScheme,
    GroupRule,
    Interpretation,
    Item,
    MeasureDefinition,
    OutcomeChange,
    OutcomeScore,
    Population,
    Range,
    Scoring,
    Sex,
    Subscore,
    ThresholdCheck,
    ThresholdKind,
    Unit,
)
from reeducate.clinic.outcomes.performance_tests import FRT, FTSTS, SLS_EO, TUG
from reeducate.clinic.outcomes.questionnaires import (
    ABC,
    LEFS,
    NDI,
    NPRS,
    ODI,
    PSFS,
    SHORT_FES_I,
)
from reeducate.errors import InvalidParameterError, NotFoundError

__all__ = [
    "MEASURES",
    "AgeNorm",
    "Band",
    "Better",
    "ChangeDirection",
    "ChangeThreshold",
    "CutOffScheme",
    "GroupRule",
    "Interpretation",
    "Item",
    "MeasureDefinition",
    "OutcomeChange",
    "OutcomeScore",
    "Population",
    "Range",
    "Scoring",
    "Sex",
    "Subscore",
    "ThresholdCheck",
    "ThresholdKind",
    "Unit",
    "compare",
    "get_measure",
    "score",
]

#: Every outcome measure by id, in the order of issue 3.
MEASURES: Final[Mapping[str, MeasureDefinition]] = MappingProxyType(
    {
        m.id: m
        for m in (
            *(BBS, TUG, MINIBEST, FGA, ABC, FTSTS, FRT, SLS_EO, MCTSIB),
            *(ODI, NDI, NPRS, PSFS, LEFS, SHORT_FES_I),
        )
    }
)


def get_measure(measure_id: str, /) -> MeasureDefinition:
    """The definition of a measure, or :class:`~reeducate.errors.NotFoundError` naming the ids.

    Examples
    --------
    >>> get_measure("fga").total_range.describe()
    '0–30'
    """
    try:
        return MEASURES[measure_id]
    except KeyError:
        raise NotFoundError(
            f"measure_id must be one of {', '.join(MEASURES)}; got {measure_id!r}"
        ) from None


def score(
    measure_id: str,
    items: Mapping[str, object] | Mapping[int, object] | float,
    /,
    *,
    age_years: float | None = None,
    sex: Sex | str | None = None,
    population: Population | str | None = None,
    max_missing: int | None = None,
) -> OutcomeScore:
    """Validate and score one outcome measure.

    Parameters
    ----------
    measure_id
        A key of :data:`MEASURES`.
    items
        Item values by item id (see each measure's ``items``); ``None`` or absent = missing.
        A single number for measures with one required item (``tug``, ``ftsts``, ``nprs``; the
        first trial of ``sls-eo`` and ``frt``).
    age_years, sex
        Apply age (and sex) norms where the measure has them (``sls-eo``, ``ftsts``, ``frt``).
    population
        Only cut-offs for this population (and unrestricted ones); a :class:`Population` or its
        lower-case name such as ``"older_adults"``. ``None``: all.
    max_missing
        Override the number of missing items allowed (only for ``odi`` and ``ndi``).

    Returns
    -------
    OutcomeScore
        Total, unit, subscores, interpretations with population and source, flags and how
        missing items were handled.

    Raises
    ------
    NotFoundError
        Unknown measure id.
    InvalidParameterError
        Unknown item, item value out of range (the message names the measure, the item and the
        allowed range), too many missing items, bad age or sex.

    Examples
    --------
    >>> s = score("bbs", {str(i): 3 for i in range(1, 15)})
    >>> s.total, s.flags
    (42.0, ('fall risk: increased fall risk (older adults)',))
    """
    return base.score_measure(
        get_measure(measure_id),
        items,
        age_years=age_years,
        sex=sex,
        population=population,
        max_missing=max_missing,
    )


def compare(
    previous: OutcomeScore,
    current: OutcomeScore,
    /,
    *,
    population: Population | str | None = None,
) -> OutcomeChange:
    """Change between two scores of the same measure.

    The change is ``current.total − previous.total``; ``direction`` says whether that is an
    improvement for this measure (lower is better for TUG, 5xSTS, ODI, NDI, NPRS, Short FES-I).
    Thresholds that depend on the baseline use ``previous.total``. ``exceeds_mdc`` and
    ``exceeds_mcid`` are True only when every applicable threshold of that kind is met, ``None``
    when none applies; restrict them with ``population``.

    Examples
    --------
    >>> c = compare(score("nprs", 7), score("nprs", 4), population="chronic_pain")
    >>> c.change, c.direction.value, c.exceeds_mcid, c.exceeds_mdc
    (-3.0, 'improved', True, True)
    """
    if previous.measure != current.measure:
        raise InvalidParameterError(
            f"current must be a score of the same measure as previous ({previous.measure!r}); "
            f"got {current.measure!r}"
        )
    return base.compare(get_measure(previous.measure), previous, current, population=population)
