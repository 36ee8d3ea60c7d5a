"""Condition summary of a balance session: trials grouped by sensory condition (the mCTSIB layout),
per-condition medians, and the sensory indices a clinician reads from them.

A session is a set of analysed trials, each recorded under a :class:`TrialCondition` (vision,
surface and stance). This module groups the trials by condition, takes each condition's median
over its trials (the convention of the public balance data set, where each subject's value is
the median of three trials; Santos & Duarte 2016), and derives the condition summary:

=============================  =========================================================
index                          formula (``S(c)`` = condition median of a sway metric)
=============================  =========================================================
``romberg_ratio``              ``S(firm, EC) / S(firm, EO)``  (Romberg quotient)
``romberg_foam_ratio``         ``S(foam, EC) / S(foam, EO)``  (Romberg quotient on foam)
``foam_ratio``                 ``S(foam, EO) / S(firm, EO)``
``foam_eyes_closed_ratio``     ``S(foam, EC) / S(firm, EC)``
``visual_pct``                 ``min(%Δ(firm EC vs firm EO), %Δ(foam EC vs foam EO))``
``somatosensory_pct``          ``min(%Δ(foam EO vs firm EO), %Δ(foam EC vs firm EC))``
``vestibular_pct``             ``%Δ(foam EC vs firm EO)``
``som_ratio``                  ``S(firm, EO) / S(firm, EC)``  (SOT ``SOM = C2/C1`` analogue)
``vis_ratio``                  ``S(firm, EO) / S(foam, EO)``  (SOT ``VIS = C4/C1`` analogue)
``vest_ratio``                 ``S(firm, EO) / S(foam, EC)``  (SOT ``VEST = C5/C1`` analogue)
=============================  =========================================================

with ``%Δ(b vs a) = 100 · (S(b) − S(a)) / S(a)``. The three percentage contributions follow the
APDM instrumented-CTSIB composites (Visual, Proprio, Vestibular). A larger value means that
removing the sense made sway grow more, i.e. that balance relied more on that sense.

SOT correspondence, and what does not map
-----------------------------------------
The NeuroCom Sensory Organization Test (SOT) ratios are ratios of *equilibrium scores* (ES,
100 = no sway, 0 = fall) between six conditions; a ratio of 1 means no loss. mCTSIB replaces the
sway-referenced support surface by foam and has no sway-referenced visual surround. So with
C1 ≈ firm EO, C2 ≈ firm EC, C4 ≈ foam EO and C5 ≈ foam EC, the ratios here are the **sway-based
analogues** ``S(C1)/S(Cx)``: like the SOT ratios they are 1 when the condition adds no sway and
fall towards 0 as it adds more. They are **not** SOT scores and must not be compared with
NeuroCom norms: the ES is computed from the peak-to-peak AP sway *angle* of the centre of mass
(which needs the person's height and a CoM model), not from CoP area or velocity, and foam is
only an approximation of a sway-referenced plate. ``PREF`` (``(C3 + C6) / (C2 + C5)``) and the
composite ES need C3 and C6 (sway-referenced vision), which the mCTSIB layout does not have; they
are not computed.

Indices are computed per stance (bipedal, tandem, single leg, ...) from the conditions of that
stance only. When a condition an index needs is missing, the index has ``value=None`` and names
the missing conditions; nothing is imputed.

References
----------
Santos DA, Duarte M (2016) A public data set of human balance evaluations. PeerJ 4:e2648.
doi:10.7717/peerj.2648

Shumway-Cook A, Horak FB (1986) Assessing the influence of sensory interaction on balance.
Phys Ther 66(10):1548-1550. doi:10.1093/ptj/66.10.1548

Nashner LM, Peters JF (1990) Dynamic posturography in the diagnosis and management of dizziness
and balance disorders. Neurol Clin 8(2):331-349. doi:10.1016/S0733-8619(18)30359-1

APDM Wearable Technologies, Mobility Lab instrumented CTSIB (i-CTSIB) composite measures
(support.apdm.com; no DOI).
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal, Protocol, TypeVar

import numpy as np

from reeducate.balance.trial import Stance, Surface, TrialCondition, Vision
from reeducate.errors import InvalidParameterError


class SummarisedTrial(Protocol):
    """What the summary reads of a trial: a :class:`~reeducate.balance.trial.CopTrial` has it,
    and so does the description of a stored trial whose samples are not at hand."""

    @property
    def condition(self) -> TrialCondition: ...
    @property
    def source_name(self) -> str: ...
    @property
    def sampling_rate_hz(self) -> float: ...
    @property
    def duration_s(self) -> float: ...


class SummarisedAnalysis(Protocol):
    """What the summary reads of an analysed trial: a
    :class:`~reeducate.balance.analysis.TrialAnalysis`, or a stored analysis (its metrics, the
    preset that made them and the trial's description)."""

    @property
    def trial(self) -> SummarisedTrial: ...
    @property
    def metrics(self) -> Mapping[str, float]: ...
    @property
    def preset(self) -> str: ...


AnalysisT = TypeVar("AnalysisT", bound=SummarisedAnalysis)

#: Metrics the condition summary uses unless told otherwise.
DEFAULT_SUMMARY_METRICS: Final[tuple[str, ...]] = ("ellipse_area_95_m2", "mean_velocity_m_s")

#: The four sensory conditions of the mCTSIB, in the order they are usually tested and shown.
MCTSIB_CONDITIONS: Final[tuple[tuple[Surface, Vision], ...]] = (
    (Surface.FIRM, Vision.OPEN),
    (Surface.FIRM, Vision.CLOSED),
    (Surface.FOAM, Vision.OPEN),
    (Surface.FOAM, Vision.CLOSED),
)

_STANCE_ORDER: Final[tuple[Stance, ...]] = tuple(Stance)

IndexKind = Literal["ratio", "percent_change_min", "percent_change", "inverse_ratio"]

_FE = (Surface.FIRM, Vision.OPEN)
_FC = (Surface.FIRM, Vision.CLOSED)
_OE = (Surface.FOAM, Vision.OPEN)
_OC = (Surface.FOAM, Vision.CLOSED)


@dataclass(frozen=True, slots=True, kw_only=True)
class _IndexSpec:
    name: str
    kind: IndexKind
    # (numerator, denominator) pairs; for "percent_change_min" the minimum over pairs is taken.
    pairs: tuple[tuple[tuple[Surface, Vision], tuple[Surface, Vision]], ...]
    formula: str
    description: str


#: The indices of the condition summary, as data (see the module docstring for the references).
INDEX_SPECS: Final[tuple[_IndexSpec, ...]] = (
    _IndexSpec(
        name="romberg_ratio",
        kind="ratio",
        pairs=((_FC, _FE),),
        formula="S(firm, EC) / S(firm, EO)",
        description="Romberg quotient: sway with eyes closed over eyes open, firm surface",
    ),
    _IndexSpec(
        name="romberg_foam_ratio",
        kind="ratio",
        pairs=((_OC, _OE),),
        formula="S(foam, EC) / S(foam, EO)",
        description="Romberg quotient on foam",
    ),
    _IndexSpec(
        name="foam_ratio",
        kind="ratio",
        pairs=((_OE, _FE),),
        formula="S(foam, EO) / S(firm, EO)",
        description="Foam ratio: sway on foam over firm, eyes open",
    ),
    _IndexSpec(
        name="foam_eyes_closed_ratio",
        kind="ratio",
        pairs=((_OC, _FC),),
        formula="S(foam, EC) / S(firm, EC)",
        description="Foam ratio with eyes closed",
    ),
    _IndexSpec(
        name="visual_pct",
        kind="percent_change_min",
        pairs=((_FC, _FE), (_OC, _OE)),
        formula="min(%Δ firm EC vs EO, %Δ foam EC vs EO)",
        description="Visual contribution (APDM i-CTSIB): sway increase when the eyes close",
    ),
    _IndexSpec(
        name="somatosensory_pct",
        kind="percent_change_min",
        pairs=((_OE, _FE), (_OC, _FC)),
        formula="min(%Δ foam vs firm EO, %Δ foam vs firm EC)",
        description="Somatosensory contribution (APDM i-CTSIB 'Proprio'): sway increase on foam",
    ),
    _IndexSpec(
        name="vestibular_pct",
        kind="percent_change",
        pairs=((_OC, _FE),),
        formula="%Δ foam EC vs firm EO",
        description="Vestibular reliance (APDM i-CTSIB): sway increase with only vestibular input",
    ),
    _IndexSpec(
        name="som_ratio",
        kind="inverse_ratio",
        pairs=((_FC, _FE),),
        formula="S(firm, EO) / S(firm, EC)",
        description="Sway analogue of the SOT SOM ratio (C2/C1); 1 = no loss; not an SOT score",
    ),
    _IndexSpec(
        name="vis_ratio",
        kind="inverse_ratio",
        pairs=((_OE, _FE),),
        formula="S(firm, EO) / S(foam, EO)",
        description="Sway analogue of the SOT VIS ratio (C4/C1); 1 = no loss; not an SOT score",
    ),
    _IndexSpec(
        name="vest_ratio",
        kind="inverse_ratio",
        pairs=((_OC, _FE),),
        formula="S(firm, EO) / S(foam, EC)",
        description="Sway analogue of the SOT VEST ratio (C5/C1); 1 = no loss; not an SOT score",
    ),
)

#: What the SOT has that the four mCTSIB conditions cannot give (shown in reports).
NOT_COMPUTED: Final[Mapping[str, str]] = {
    "sot_pref_ratio": (
        "SOT PREF = (C3 + C6) / (C2 + C5) needs sway-referenced vision (C3, C6), which the "
        "mCTSIB layout does not have"
    ),
    "sot_equilibrium_score": (
        "the SOT equilibrium score is the peak-to-peak AP sway angle of the centre of mass "
        "(needs height and a CoM model), not a CoP area or velocity"
    ),
}


@dataclass(frozen=True, slots=True, kw_only=True)
class ConditionMetrics:
    """The trials of one condition and their median per metric.

    Attributes
    ----------
    condition : TrialCondition
        Vision, surface and stance.
    trial_names : tuple of str
        ``source_name`` of each trial, in input order.
    trial_values : Mapping[str, tuple of float]
        Per metric (SI name), the value of each trial, in the order of ``trial_names``.
    median : Mapping[str, float]
        Per metric, the median over the trials (SI units).
    sampling_rates_hz : tuple of float
        Sampling rate of each trial as analysed (after preprocessing).
    durations_s : tuple of float
        Duration of each trial as analysed.
    """

    condition: TrialCondition
    trial_names: tuple[str, ...]
    trial_values: Mapping[str, tuple[float, ...]]
    median: Mapping[str, float]
    sampling_rates_hz: tuple[float, ...]
    durations_s: tuple[float, ...]

    @property
    def n_trials(self) -> int:
        """Number of trials in this condition."""
        return len(self.trial_names)


@dataclass(frozen=True, slots=True, kw_only=True)
class SensoryIndex:
    """One index of the condition summary for one metric and stance.

    ``value`` is ``None`` when a condition it needs is missing (listed in ``missing``) or when a
    denominator is zero (said in ``note``).
    """

    name: str
    metric: str
    stance: Stance
    value: float | None
    formula: str
    description: str
    missing: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class ConditionSummary:
    """Condition summary of one session, all computed with one preset.

    Attributes
    ----------
    preset : str
        Preset of every analysis in the session.
    metrics : tuple of str
        SI metric names summarised.
    conditions : tuple of ConditionMetrics
        One entry per condition present, mCTSIB order first, then other stances.
    indices : tuple of SensoryIndex
        Every index of :data:`INDEX_SPECS` for every metric and every stance present.
    missing_conditions : tuple of TrialCondition
        mCTSIB conditions (bipedal) with no trial.
    unclassified_trials : tuple of str
        Trials whose vision or surface is unknown; summarised but used in no index.
    not_computed : Mapping[str, str]
        SOT quantities the mCTSIB layout cannot give, with the reason.
    """

    preset: str
    metrics: tuple[str, ...]
    conditions: tuple[ConditionMetrics, ...]
    indices: tuple[SensoryIndex, ...]
    missing_conditions: tuple[TrialCondition, ...]
    unclassified_trials: tuple[str, ...]
    not_computed: Mapping[str, str] = field(default_factory=lambda: dict(NOT_COMPUTED))

    def condition(self, condition: TrialCondition, /) -> ConditionMetrics | None:
        """The entry of ``condition``, or ``None`` when the session has no such trial."""
        for entry in self.conditions:
            if entry.condition == condition:
                return entry
        return None

    def index(self, name: str, /, *, metric: str, stance: Stance = Stance.BIPEDAL) -> SensoryIndex:
        """The index ``name`` for ``metric`` and ``stance``.

        Raises
        ------
        InvalidParameterError
            If no such index was computed.
        """
        for entry in self.indices:
            if entry.name == name and entry.metric == metric and entry.stance is stance:
                return entry
        known = sorted({i.name for i in self.indices})
        raise InvalidParameterError(
            f"index must be one of {known} for metric {metric!r} and stance {stance.value!r}; "
            f"got {name!r}"
        )


_BY_LABEL: Final[Mapping[str, TrialCondition]] = {
    c.label: c
    for c in (
        TrialCondition(vision=vision, surface=surface, stance=stance)
        for vision, surface, stance in itertools.product(
            (None, *Vision), (None, *Surface), tuple(Stance)
        )
    )
}


def condition_from_label(label: str, /) -> TrialCondition:
    """The condition whose :attr:`~reeducate.balance.trial.TrialCondition.label` is ``label``
    (stored trials keep the label).

    >>> condition_from_label("foam/eyes closed")
    TrialCondition(vision=<Vision.CLOSED: 'closed'>, surface=<Surface.FOAM: 'foam'>, \
stance=<Stance.BIPEDAL: 'bipedal'>)
    >>> condition_from_label("unspecified") == TrialCondition()
    True

    Raises
    ------
    InvalidParameterError
        ``label`` is no condition's label.
    """
    try:
        return _BY_LABEL[label]
    except KeyError:
        raise InvalidParameterError(
            f"label must be a condition label such as 'firm/eyes open'; got {label!r}"
        ) from None


def condition_sort_key(condition: TrialCondition, /) -> tuple[int, int, int]:
    """Sort key: stance order, then mCTSIB order (firm EO, firm EC, foam EO, foam EC), then
    conditions with unknown vision or surface.

    >>> condition_sort_key(TrialCondition(surface=Surface.FOAM, vision=Vision.OPEN))
    (0, 2, 0)
    """
    stance_rank = _STANCE_ORDER.index(condition.stance)
    if condition.surface is None or condition.vision is None:
        return (stance_rank, len(MCTSIB_CONDITIONS), 0)
    return (stance_rank, MCTSIB_CONDITIONS.index((condition.surface, condition.vision)), 0)


def group_by_condition(
    analyses: Sequence[AnalysisT], /
) -> dict[TrialCondition, tuple[AnalysisT, ...]]:
    """Group analysed trials by their condition, in mCTSIB order then stance order.

    Parameters
    ----------
    analyses : sequence of TrialAnalysis
        Analysed trials; each carries its condition in ``analysis.trial.condition``.

    Returns
    -------
    dict
        Condition -> the analyses of that condition, in input order.

    Examples
    --------
    >>> group_by_condition([])
    {}
    """
    groups: dict[TrialCondition, list[AnalysisT]] = {}
    for analysis in analyses:
        groups.setdefault(analysis.trial.condition, []).append(analysis)
    return {c: tuple(groups[c]) for c in sorted(groups, key=condition_sort_key)}


def _metric_values(
    group: Sequence[AnalysisT], metric: str, condition: TrialCondition
) -> tuple[float, ...]:
    values = []
    for analysis in group:
        if metric not in analysis.metrics:
            raise InvalidParameterError(
                f"metrics must contain {metric!r} for every trial; trial "
                f"{analysis.trial.source_name!r} ({condition.label}) has "
                f"{len(analysis.metrics)} metrics without it"
            )
        values.append(float(analysis.metrics[metric]))
    return tuple(values)


def condition_medians(
    analyses: Sequence[AnalysisT], /, *, metrics: Sequence[str] = DEFAULT_SUMMARY_METRICS
) -> tuple[ConditionMetrics, ...]:
    """Per-condition median of each metric over the trials of that condition.

    Parameters
    ----------
    analyses : sequence of TrialAnalysis
        Analysed trials.
    metrics : sequence of str
        SI metric names (default: 95 % ellipse area and mean velocity).

    Returns
    -------
    tuple of ConditionMetrics
        One per condition present, in mCTSIB order (firm EO, firm EC, foam EO, foam EC), bipedal
        stance first.

    Raises
    ------
    InvalidParameterError
        If a trial lacks one of ``metrics``.

    Examples
    --------
    >>> condition_medians([])
    ()
    """
    out = []
    for condition, group in group_by_condition(analyses).items():
        values = {m: _metric_values(group, m, condition) for m in metrics}
        out.append(
            ConditionMetrics(
                condition=condition,
                trial_names=tuple(a.trial.source_name for a in group),
                trial_values=values,
                median={m: float(np.median(v)) for m, v in values.items()},
                sampling_rates_hz=tuple(float(a.trial.sampling_rate_hz) for a in group),
                durations_s=tuple(float(a.trial.duration_s) for a in group),
            )
        )
    return tuple(out)


def _compute_index(
    spec: _IndexSpec,
    *,
    metric: str,
    stance: Stance,
    medians: Mapping[tuple[Surface, Vision], float],
) -> SensoryIndex:
    needed = {c for pair in spec.pairs for c in pair}
    missing = tuple(
        TrialCondition(surface=s, vision=v, stance=stance).label
        for (s, v) in MCTSIB_CONDITIONS
        if (s, v) in needed and (s, v) not in medians
    )

    def make(value: float | None, *, note: str = "") -> SensoryIndex:
        return SensoryIndex(
            name=spec.name,
            metric=metric,
            stance=stance,
            value=value,
            formula=spec.formula,
            description=spec.description,
            missing=missing,
            note=note,
        )

    if missing:
        return make(None)
    results = []
    for numerator, denominator in spec.pairs:
        num, den = medians[numerator], medians[denominator]
        if spec.kind == "inverse_ratio":
            num, den = den, num
        if den == 0.0:
            return make(None, note=f"the denominator median of {metric} is 0; index undefined")
        ratio = num / den
        results.append(100.0 * (ratio - 1.0) if spec.kind.startswith("percent") else ratio)
    return make(float(min(results)))


def summarize_conditions(
    analyses: Sequence[AnalysisT], /, *, metrics: Sequence[str] = DEFAULT_SUMMARY_METRICS
) -> ConditionSummary:
    """Condition summary of a session: per-condition medians and sensory indices.

    Parameters
    ----------
    analyses : sequence of TrialAnalysis
        Analysed trials of one session, all with the same preset.
    metrics : sequence of str
        SI metric names to summarise (default: ``ellipse_area_95_m2``, ``mean_velocity_m_s``).

    Returns
    -------
    ConditionSummary
        Medians per condition; Romberg quotient, foam ratios, APDM i-CTSIB contributions and SOT
        analogue ratios per metric and stance (see the module docstring for formulas and what is
        not computed). Missing conditions are listed, never imputed.

    Raises
    ------
    InvalidParameterError
        If ``analyses`` is empty, mixes presets, ``metrics`` is empty or a trial lacks a metric.

    References
    ----------
    Santos & Duarte 2016, doi:10.7717/peerj.2648 (median of three trials per condition);
    Shumway-Cook & Horak 1986, doi:10.1093/ptj/66.10.1548 (CTSIB);
    Nashner & Peters 1990, doi:10.1016/S0733-8619(18)30359-1 (SOT ratios).

    Examples
    --------
    >>> import numpy as np
    >>> from types import SimpleNamespace
    >>> from reeducate.balance.trial import CopTrial, TrialCondition, Vision, Surface
    >>> def fake(vision, area_m2):
    ...     cond = TrialCondition(vision=vision, surface=Surface.FIRM)
    ...     trial = CopTrial(ap_m=np.zeros(10), ml_m=np.zeros(10), sampling_rate_hz=100.0,
    ...                      source_unit="m", source_name="t", condition=cond)
    ...     return SimpleNamespace(trial=trial, preset="santos-duarte-2016",
    ...                            metrics={"ellipse_area_95_m2": area_m2})
    >>> s = summarize_conditions([fake(Vision.OPEN, 2e-4), fake(Vision.CLOSED, 3e-4)],
    ...                          metrics=["ellipse_area_95_m2"])
    >>> round(s.index("romberg_ratio", metric="ellipse_area_95_m2").value, 6)
    1.5
    >>> s.index("foam_ratio", metric="ellipse_area_95_m2").missing
    ('foam/eyes open',)
    """
    if len(analyses) == 0:
        raise InvalidParameterError("analyses must hold at least one trial; got 0")
    metrics = tuple(metrics)
    if not metrics:
        raise InvalidParameterError("metrics must name at least one metric; got none")
    presets = sorted({a.preset for a in analyses})
    if len(presets) != 1:
        raise InvalidParameterError(
            f"analyses must all use one preset (conventions differ between presets); got {presets}"
        )
    conditions = condition_medians(analyses, metrics=metrics)
    stances = sorted({c.condition.stance for c in conditions}, key=_STANCE_ORDER.index)
    indices: list[SensoryIndex] = []
    for stance in stances:
        for metric in metrics:
            medians: dict[tuple[Surface, Vision], float] = {}
            for c in conditions:
                surface, vision = c.condition.surface, c.condition.vision
                if c.condition.stance is stance and surface is not None and vision is not None:
                    medians[(surface, vision)] = c.median[metric]
            if not medians:
                continue
            indices.extend(
                _compute_index(spec, metric=metric, stance=stance, medians=medians)
                for spec in INDEX_SPECS
            )
    present = {c.condition for c in conditions}
    missing_conditions = tuple(
        cond
        for s, v in MCTSIB_CONDITIONS
        if (cond := TrialCondition(surface=s, vision=v)) not in present
    )
    unclassified = tuple(
        name
        for c in conditions
        if c.condition.surface is None or c.condition.vision is None
        for name in c.trial_names
    )
    return ConditionSummary(
        preset=presets[0],
        metrics=metrics,
        conditions=conditions,
        indices=tuple(indices),
        missing_conditions=missing_conditions,
        unclassified_trials=unclassified,
    )
