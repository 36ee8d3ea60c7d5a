"""Exercise library and outcome-measure use cases shared by the CLI, the JSON API and the web.

Every function returns plain frozen dataclasses holding strings, numbers and tuples (never the
domain's enums), each with ``to_dict()`` giving JSON-ready dicts and lists. The numbers and rules
come from :mod:`reeducate.clinic.exercises`, :mod:`reeducate.clinic.dimensions` and
:mod:`reeducate.clinic.outcomes`; this module validates the caller's words (naming the field and
what is allowed), calls them, and shapes the answer. Nothing here touches a file or a database.

Examples
--------
>>> found = search_exercises(region="ankle_foot", technique="balance", text="single-leg")
>>> all(hit.technique == "balance" and "ankle_foot" in hit.regions for hit in found.exercises)
True
>>> exercise_detail("bal-sls-firm-eo").harder[0].dimension
'surface'
>>> report = score_measure("bbs", {str(i): 3 for i in range(1, 15)})
>>> report.total, report.flags[0]
(42.0, 'fall risk: increased fall risk (older adults)')
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, fields, is_dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Final

from reeducate.clinic.dimensions import DIMENSIONS, Dimension, label_of, parse_level
from reeducate.clinic.exercises import (
    CONTRAINDICATION_LABELS,
    TECHNIQUE_LABELS,
    Contraindication,
    Equipment,
    ExerciseVariant,
    Measurement,
    MeasurementKind,
    Region,
    Technique,
    load_library,
)
from reeducate.clinic.outcomes import MEASURES, get_measure, score
from reeducate.enums import allowed_values, member_of
from reeducate.errors import InvalidParameterError, NotFoundError

if TYPE_CHECKING:
    from reeducate.clinic.dimensions import Level
    from reeducate.clinic.exercises import ExerciseLibrary
    from reeducate.clinic.outcomes import MeasureDefinition, OutcomeScore

__all__ = [
    "CPT_LABELS",
    "BandView",
    "CutOffView",
    "ExerciseDetail",
    "ExerciseSearch",
    "ExerciseSummary",
    "ItemView",
    "LibraryTerms",
    "MeasureDetail",
    "MeasureSummary",
    "NormView",
    "ScoreReport",
    "StepOption",
    "ThresholdView",
    "exercise_detail",
    "format_number",
    "library_terms",
    "list_measures",
    "measure_detail",
    "score_measure",
    "search_exercises",
]

#: What each CPT code an exercise falls under is called (``reference/clinic.md`` §1.1).
CPT_LABELS: Final[Mapping[str, str]] = {
    "97110": "therapeutic exercise",
    "97112": "neuromuscular re-education",
    "97530": "therapeutic activities",
    "97032": "electrical stimulation, attended",
}


def _plain(value: Any) -> Any:
    """JSON-ready copy: dataclasses and mappings become dicts, tuples and sets become lists."""
    if is_dataclass(value) and not isinstance(value, type):
        return {
            f.name: _plain(getattr(value, f.name))
            for f in fields(value)
            if f.metadata.get("json", True)
        }
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list | frozenset | set):
        return [_plain(v) for v in value]
    if isinstance(value, StrEnum):
        return value.value
    return value


class _Plain:
    """Mixin: ``to_dict()`` for the result dataclasses."""

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready dicts, lists, strings and numbers."""
        out: dict[str, Any] = _plain(self)
        return out


def _choice(field_name: str, value: str, enum: type[StrEnum]) -> str:
    """``value`` if it names a member of ``enum``; else an error naming the allowed values."""
    if member_of(enum, value) is None:
        raise InvalidParameterError(
            f"{field_name} must be one of {allowed_values(enum)}; got {value!r}"
        )
    return value


# --------------------------------------------------------------------------------------------
# Exercise library
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class ExerciseSummary(_Plain):
    """One exercise variant in a search result.

    ``contraindicated_by`` names the patient's contraindications the variant conflicts with
    (only when the search flags instead of excluding).
    """

    id: str
    name: str
    family: str
    technique: str
    technique_label: str
    regions: tuple[str, ...]
    posture: str
    levels: Mapping[str, str]
    equipment: tuple[str, ...]
    contraindications: tuple[str, ...]
    cpt_code: str
    contraindicated_by: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class ExerciseSearch(_Plain):
    """The filters as understood (normalised) and the matching variants, in library order."""

    filters: Mapping[str, Any]
    count: int
    exercises: tuple[ExerciseSummary, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class StepOption(_Plain):
    """One step harder or easier along one dimension, to the variant ``id``."""

    dimension: str
    dimension_label: str
    from_level: str
    to_level: str
    to_level_label: str
    id: str
    name: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ExerciseDetail(_Plain):
    """Everything a therapist needs about one variant, with its one-step progressions.

    ``levels`` maps each dimension to its level; ``level_labels`` to the level in words.
    ``dose`` holds ``sets``, ``reps``, ``hold_s``, ``rest_s``, ``sessions_per_week``, ``tempo``
    and ``text`` (the dose in words). ``measurements`` and ``contraindications`` are lists of
    dicts with a ``description`` / ``label`` in words. ``harder`` and ``easier`` list the
    one-step options in the ladder's order.
    """

    id: str
    name: str
    family: str
    family_name: str
    technique: str
    technique_label: str
    regions: tuple[str, ...]
    posture: str
    levels: Mapping[str, str]
    level_labels: Mapping[str, str]
    instructions: tuple[str, ...]
    cues: tuple[str, ...]
    common_faults: tuple[str, ...]
    safety_notes: tuple[str, ...]
    contraindications: tuple[Mapping[str, str], ...]
    equipment: tuple[str, ...]
    dose: Mapping[str, Any]
    cpt_code: str
    cpt_label: str
    measurements: tuple[Mapping[str, Any], ...]
    nmes: Mapping[str, Any] | None
    harder: tuple[StepOption, ...]
    easier: tuple[StepOption, ...]
    source: str


@dataclass(frozen=True, slots=True, kw_only=True)
class LibraryTerms(_Plain):
    """The words the library's filters accept, with their meaning in plain language."""

    regions: tuple[str, ...]
    techniques: Mapping[str, str]
    dimensions: Mapping[str, Mapping[str, str]]
    dimension_labels: Mapping[str, str]
    equipment: tuple[str, ...]
    contraindications: Mapping[str, str]


def _library(library: ExerciseLibrary | None) -> ExerciseLibrary:
    return load_library() if library is None else library


def _summary(variant: ExerciseVariant, conflicts: Collection[str] = ()) -> ExerciseSummary:
    return ExerciseSummary(
        id=variant.id,
        name=variant.name,
        family=variant.family,
        technique=variant.technique.value,
        technique_label=TECHNIQUE_LABELS[variant.technique],
        regions=tuple(r.value for r in variant.regions),
        posture=variant.posture.value,
        levels=variant.levels.as_dict(),
        equipment=tuple(sorted(e.value for e in variant.equipment)),
        contraindications=tuple(sorted(c.value for c in variant.contraindications)),
        cpt_code=variant.cpt_code.value,
        contraindicated_by=tuple(sorted(conflicts)),
    )


def _parse_levels(levels: Mapping[str, str]) -> dict[str, str]:
    parsed: dict[str, str] = {}
    for key, value in levels.items():
        if key not in Dimension.__members__.values():
            raise InvalidParameterError(
                f"level must name a dimension ({', '.join(d.value for d in Dimension)}); "
                f"got {key!r}"
            )
        parsed[key] = parse_level(key, value).value
    return parsed


def search_exercises(
    *,
    region: str | None = None,
    technique: str | None = None,
    levels: Mapping[str, str] | None = None,
    equipment: Collection[str] | None = None,
    contraindications: Collection[str] = (),
    flag_contraindicated: bool = False,
    text: str | None = None,
    library: ExerciseLibrary | None = None,
) -> ExerciseSearch:
    """Find exercise variants that match every given filter.

    Parameters
    ----------
    region, technique
        Keep variants for this body region (one of theirs) or of this technique.
    levels
        ``{dimension: level}``: keep variants at exactly these levels.
    equipment
        The equipment available: keep variants that need nothing else (an empty collection
        keeps only variants without equipment). None: no equipment filter.
    contraindications
        The patient's contraindication codes: variants with any of them are left out, or kept
        and named in ``contraindicated_by`` when ``flag_contraindicated`` is True.
    text
        Words that must all appear in the variant's name, family, instructions, cues or
        equipment (case-insensitive).
    library
        The library to search (the built-in one by default).

    Returns
    -------
    ExerciseSearch

    Raises
    ------
    InvalidParameterError
        A filter names an unknown region, technique, dimension, level, equipment or
        contraindication; the message names the field and lists what is allowed.

    Examples
    --------
    >>> found = search_exercises(region="knee", technique="nmes_activation",
    ...                          contraindications=["pacemaker"], flag_contraindicated=True)
    >>> found.count > 0 and all(h.contraindicated_by == ("pacemaker",) for h in found.exercises)
    True
    """
    want_region = None if region is None else _choice("region", region, Region)
    want_technique = None if technique is None else _choice("technique", technique, Technique)
    want_levels = _parse_levels(levels or {})
    available = (
        None
        if equipment is None
        else sorted({_choice("equipment", e, Equipment) for e in equipment})
    )
    patient = sorted({_choice("contraindication", c, Contraindication) for c in contraindications})
    words = " ".join(text.split()) if text else None
    hits = _library(library).search(
        region=want_region,
        technique=want_technique,
        levels=want_levels,
        equipment_available=available,
        contraindications=patient,
        on_contraindication="flag" if flag_contraindicated else "exclude",
        text=words,
    )
    exercises = tuple(
        _summary(hit.variant, [c.value for c in hit.contraindicated_by]) for hit in hits
    )
    filters: dict[str, Any] = {
        "region": want_region,
        "technique": want_technique,
        "levels": want_levels,
        "equipment": available,
        "contraindications": patient,
        "flag_contraindicated": flag_contraindicated,
        "text": words,
    }
    return ExerciseSearch(filters=filters, count=len(exercises), exercises=exercises)


_FREQUENCY_WORDS: Final[Mapping[int, str]] = {1: "once a week", 7: "daily", 14: "twice a day"}


def _dose(variant: ExerciseVariant) -> dict[str, Any]:
    dose = variant.dose
    parts = [f"{dose.sets} {'set' if dose.sets == 1 else 'sets'}"]
    if dose.reps is not None:
        parts[0] += f" × {dose.reps} reps"
        if dose.hold_s is not None:
            parts.append(f"hold {dose.hold_s:g} s each")
    elif dose.hold_s is not None:
        parts[0] += f" × {dose.hold_s:g} s hold"
    if dose.rest_s > 0:
        parts.append(f"rest {dose.rest_s:g} s")
    if dose.tempo:
        parts.append(f"tempo {dose.tempo}")
    parts.append(
        _FREQUENCY_WORDS.get(dose.sessions_per_week, f"{dose.sessions_per_week} sessions a week")
    )
    return {
        "sets": dose.sets,
        "reps": dose.reps,
        "hold_s": dose.hold_s,
        "rest_s": dose.rest_s,
        "sessions_per_week": dose.sessions_per_week,
        "tempo": dose.tempo,
        "text": "; ".join(parts),
    }


def _words(value: StrEnum | None) -> str:
    return "" if value is None else value.value.replace("_", " ")


def _measurement(measurement: Measurement) -> dict[str, Any]:
    kind = measurement.kind
    if kind is MeasurementKind.BALANCE_TRIAL:
        text = "balance trial on a force plate or board (stance, surface and vision as set)"
    elif kind is MeasurementKind.JOINT_ANGLE_KEYPOINTS:
        text = (
            f"joint angle from video keypoints: {_words(measurement.joint)} "
            f"{_words(measurement.angle)}, {_words(measurement.plane)} plane"
        )
    elif kind is MeasurementKind.IMU:
        text = f"IMU on the {_words(measurement.segment)}: {_words(measurement.quantity)}"
    elif kind is MeasurementKind.EMG_ACTIVATION:
        text = f"surface EMG activation of the {_words(measurement.muscle)}"
        if measurement.target_pct_mvc is not None:
            text += f" (target {measurement.target_pct_mvc:g} % MVC)"
    else:
        text = "therapist rating of quality"
    out: dict[str, Any] = {"kind": kind.value}
    for name in ("joint", "angle", "plane", "muscle", "target_pct_mvc", "segment", "quantity"):
        value = getattr(measurement, name)
        if value is not None:
            out[name] = value.value if isinstance(value, StrEnum) else value
    out["description"] = text
    return out


def _step(dimension: Dimension, source: ExerciseVariant, target: ExerciseVariant) -> StepOption:
    to_level = target.levels.level(dimension)
    return StepOption(
        dimension=dimension.value,
        dimension_label=DIMENSIONS[dimension].label,
        from_level=source.levels.level(dimension).value,
        to_level=to_level.value,
        to_level_label=label_of(to_level),
        id=target.id,
        name=target.name,
    )


def _not_found(variant_id: str, library: ExerciseLibrary) -> NotFoundError:
    close = difflib.get_close_matches(variant_id, [v.id for v in library], n=3, cutoff=0.6)
    hint = f"; closest: {', '.join(close)}" if close else "; search the library to find one"
    return NotFoundError(
        f"exercise id {variant_id!r} is not in the library ({len(library)} variants){hint}"
    )


def exercise_detail(
    variant_id: str, /, *, library: ExerciseLibrary | None = None
) -> ExerciseDetail:
    """Everything about one exercise variant, with its one-step-harder and -easier options.

    Raises
    ------
    NotFoundError
        No variant has this id (the message suggests the closest ids).

    Examples
    --------
    >>> detail = exercise_detail("bal-sls-foam-eo")
    >>> detail.cpt_code, [(s.dimension, s.to_level) for s in detail.easier]
    ('97112', [('surface', 'firm')])
    """
    lib = _library(library)
    if variant_id not in lib:
        raise _not_found(variant_id, lib)
    variant = lib.get(variant_id)
    levels: dict[Dimension, Level] = dict(variant.levels.items())
    return ExerciseDetail(
        id=variant.id,
        name=variant.name,
        family=variant.family,
        family_name=lib.family(variant.family).name,
        technique=variant.technique.value,
        technique_label=TECHNIQUE_LABELS[variant.technique],
        regions=tuple(r.value for r in variant.regions),
        posture=variant.posture.value,
        levels={d.value: level.value for d, level in levels.items()},
        level_labels={d.value: label_of(level) for d, level in levels.items()},
        instructions=variant.instructions,
        cues=variant.cues,
        common_faults=variant.common_faults,
        safety_notes=variant.safety_notes,
        contraindications=tuple(
            {"code": c.value, "label": CONTRAINDICATION_LABELS[c]}
            for c in sorted(variant.contraindications)
        ),
        equipment=tuple(sorted(e.value for e in variant.equipment)),
        dose=_dose(variant),
        cpt_code=variant.cpt_code.value,
        cpt_label=CPT_LABELS.get(variant.cpt_code.value, ""),
        measurements=tuple(_measurement(m) for m in variant.measurements),
        nmes=None if variant.nmes is None else _plain(variant.nmes),
        harder=tuple(_step(d, variant, t) for d, t in lib.harder_options(variant.id)),
        easier=tuple(_step(d, variant, t) for d, t in lib.easier_options(variant.id)),
        source=variant.source,
    )


def library_terms() -> LibraryTerms:
    """The regions, techniques, dimension levels, equipment and contraindication codes the
    search accepts.

    Examples
    --------
    >>> library_terms().dimensions["surface"]["foam"]
    'foam pad or soft surface'
    """
    return LibraryTerms(
        regions=tuple(r.value for r in Region),
        techniques={t.value: label for t, label in TECHNIQUE_LABELS.items()},
        dimensions={
            d.value: {
                level.value: text
                for level, text in zip(info.levels, info.level_labels, strict=True)
            }
            for d, info in DIMENSIONS.items()
        },
        dimension_labels={d.value: info.label for d, info in DIMENSIONS.items()},
        equipment=tuple(e.value for e in Equipment),
        contraindications={c.value: label for c, label in CONTRAINDICATION_LABELS.items()},
    )


# --------------------------------------------------------------------------------------------
# Outcome measures
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class MeasureSummary(_Plain):
    """One outcome measure in the list."""

    id: str
    name: str
    unit: str
    better: str
    n_items: int
    total_range: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemView(_Plain):
    """One item with its allowed values (``allowed`` in words, ``low``/``high`` as numbers)."""

    id: str
    label: str
    allowed: str
    low: float
    high: float
    unit: str
    integer: bool
    optional: bool
    group: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class BandView(_Plain):
    """One band of a cut-off scheme; ``flag`` marks a band the clinician must notice."""

    criterion: str
    label: str
    flag: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class CutOffView(_Plain):
    """A cut-off scheme: its bands for one population, from one source."""

    name: str
    population: str
    source: str
    verify: bool
    note: str
    bands: tuple[BandView, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class NormView(_Plain):
    """A published typical value for an age group (and sex)."""

    age_years: str
    sex: str | None
    statistic: str
    value: float
    source: str
    verify: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class ThresholdView(_Plain):
    """An MCID or MDC for one population, from one source (``description`` in words)."""

    kind: str
    description: str
    population: str
    amount: float | None
    relative_pct: float | None
    baseline: str | None
    scope: str
    source: str
    verify: bool
    note: str


@dataclass(frozen=True, slots=True, kw_only=True)
class MeasureDetail(_Plain):
    """Everything about one measure: items, scoring, cut-offs, norms, MCID/MDC with sources."""

    id: str
    name: str
    unit: str
    better: str
    total_range: str
    scoring: str
    scoring_source: str
    group_rule: str | None
    missing_rule: str
    max_missing: int
    loinc: str | None
    items: tuple[ItemView, ...]
    subscores: tuple[Mapping[str, Any], ...]
    cutoffs: tuple[CutOffView, ...]
    age_norms: tuple[NormView, ...]
    thresholds: tuple[ThresholdView, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ScoreReport(_Plain):
    """A scored measure ready to show: total, subscores, interpretation, flags, missing items.

    ``items`` holds the validated item values by id; ``missing_handling`` says in words what was
    done about missing items; ``context`` the age, sex and population the interpretation used.
    ``outcome`` is the domain result (for storing it); it is left out of :meth:`to_dict`.
    """

    measure: str
    name: str
    total: float
    unit: str
    better: str
    total_range: str
    subscores: tuple[Mapping[str, Any], ...]
    interpretation: tuple[Mapping[str, Any], ...]
    flags: tuple[str, ...]
    items: Mapping[str, float]
    missing_items: tuple[str, ...]
    missing_handling: str
    notes: tuple[str, ...]
    context: Mapping[str, Any]
    outcome: OutcomeScore = field(repr=False, compare=False, metadata={"json": False})


def _unit_text(measure: MeasureDefinition) -> str:
    return "" if measure.unit.value == "points" else measure.unit.value


def list_measures() -> tuple[MeasureSummary, ...]:
    """Every outcome measure reeducate scores, in the order of issue 3.

    Examples
    --------
    >>> [m.id for m in list_measures()][:3]
    ['bbs', 'tug', 'minibest']
    """
    return tuple(
        MeasureSummary(
            id=m.id,
            name=m.name,
            unit=m.unit.value,
            better=m.better.value,
            n_items=len(m.items),
            total_range=m.total_range.describe(_unit_text(m)),
        )
        for m in MEASURES.values()
    )


def measure_detail(measure_id: str, /) -> MeasureDetail:
    """Items with allowed values, scoring, cut-offs, age norms and MCID/MDC, each with its source.

    Raises
    ------
    NotFoundError
        Unknown measure id (the message lists the known ones).

    Examples
    --------
    >>> detail = measure_detail("bbs")
    >>> detail.items[0].allowed, detail.cutoffs[0].bands[0].criterion
    ('an integer 0–4', '< 45')
    """
    m = get_measure(measure_id)
    unit = _unit_text(m)
    return MeasureDetail(
        id=m.id,
        name=m.name,
        unit=m.unit.value,
        better=m.better.value,
        total_range=m.total_range.describe(unit),
        scoring=m.scoring.value,
        scoring_source=m.scoring_source,
        group_rule=None if m.group_rule is None else m.group_rule.value,
        missing_rule=m.missing_rule,
        max_missing=m.max_missing,
        loinc=m.loinc,
        items=tuple(
            ItemView(
                id=i.id,
                label=i.label,
                allowed=i.describe_allowed(),
                low=i.allowed.low,
                high=i.allowed.high,
                unit=i.unit.value,
                integer=i.integer,
                optional=i.optional,
                group=i.group,
            )
            for i in m.items
        ),
        subscores=tuple(
            {"id": s.id, "label": s.label, "items": list(s.items), "scoring": s.scoring.value}
            for s in m.subscores
        ),
        cutoffs=tuple(
            CutOffView(
                name=c.name,
                population=c.population.value,
                source=c.source,
                verify=c.verify,
                note=c.note,
                bands=tuple(
                    BandView(criterion=b.range.describe(unit), label=b.label, flag=b.flag)
                    for b in c.bands
                ),
            )
            for c in m.cutoffs
        ),
        age_norms=tuple(
            NormView(
                age_years=n.age_years.describe(whole_numbers=True),
                sex=None if n.sex is None else n.sex.value,
                statistic=n.statistic,
                value=n.value,
                source=n.source,
                verify=n.verify,
            )
            for n in m.age_norms
        ),
        thresholds=tuple(
            ThresholdView(
                kind=t.kind.value,
                description=t.describe(m.unit.value),
                population=t.population.value,
                amount=t.amount,
                relative_pct=t.relative_pct,
                baseline=None if t.baseline is None else t.baseline.describe(),
                scope=t.scope,
                source=t.source,
                verify=t.verify,
                note=t.note,
            )
            for t in m.thresholds
        ),
        notes=m.notes,
    )


_SEX_WORDS: Final[Mapping[str, str]] = {
    "f": "female",
    "m": "male",
    "female": "female",
    "male": "male",
}


def score_measure(
    measure_id: str,
    items: Mapping[str, float | None] | None = None,
    /,
    *,
    value: float | None = None,
    age_years: float | None = None,
    sex: str | None = None,
    population: str | None = None,
    max_missing: int | None = None,
) -> ScoreReport:
    """Validate item values and score one outcome measure.

    Parameters
    ----------
    measure_id
        A measure id (see :func:`list_measures`).
    items
        Item values by item id; an item left out (or None) is missing, and is handled by the
        measure's published rule or refused.
    value
        The single value of a one-item measure (``tug``, ``ftsts``, ``nprs``; the first trial of
        ``sls-eo`` and ``frt``), instead of ``items``.
    age_years, sex
        For age (and sex) norms: ``sex`` is ``f``, ``m``, ``female`` or ``male``.
    population
        Only cut-offs and thresholds for this population (e.g. ``older_adults``).
    max_missing
        Override the allowance of missing items (``odi``, ``ndi`` only).

    Returns
    -------
    ScoreReport

    Raises
    ------
    NotFoundError
        Unknown measure.
    InvalidParameterError
        Unknown item, a value out of range, too many missing items, both or neither of
        ``items`` and ``value`` for a one-item measure, a bad age, sex or population.

    Examples
    --------
    >>> report = score_measure("tug", value=15.2, population="older_adults")
    >>> report.total, report.unit, report.flags
    (15.2, 's', ('mobility: below normal (older adults)',))
    """
    measure = get_measure(measure_id)
    if value is not None and items:
        raise InvalidParameterError(
            f"measure {measure.id!r}: give either item values or a single value; got both"
        )
    if sex is not None and sex not in _SEX_WORDS:
        raise InvalidParameterError(f"sex must be one of f, m, female, male; got {sex!r}")
    sex_word = None if sex is None else _SEX_WORDS[sex]
    given: Mapping[str, object] | float = dict(items or {}) if value is None else value
    outcome = score(
        measure.id,
        given,
        age_years=age_years,
        sex=sex_word,
        population=population,
        max_missing=max_missing,
    )
    labels = {s.id: s.label for s in measure.subscores}
    return ScoreReport(
        measure=measure.id,
        name=measure.name,
        total=outcome.total,
        unit=outcome.unit.value,
        better=outcome.better.value,
        total_range=measure.total_range.describe(_unit_text(measure)),
        subscores=tuple(
            {"id": sid, "label": labels.get(sid, sid), "value": v}
            for sid, v in outcome.subscores.items()
        ),
        interpretation=tuple(
            {
                "scheme": i.scheme,
                "population": i.population.value,
                "label": i.label,
                "criterion": i.criterion,
                "source": i.source,
                "flag": i.flag,
                "verify": i.verify,
            }
            for i in outcome.interpretation
        ),
        flags=outcome.flags,
        items=dict(outcome.items),
        missing_items=outcome.missing_items,
        missing_handling=outcome.missing_handling,
        notes=(*outcome.notes, *measure.notes),
        context={"age_years": age_years, "sex": sex_word, "population": population},
        outcome=outcome,
    )


def format_number(value: float, /) -> str:
    """A total or item value for display: whole numbers without decimals, others to 2 places.

    Examples
    --------
    >>> format_number(42.0), format_number(63.4375), format_number(12.5)
    ('42', '63.44', '12.5')
    """
    if math.isfinite(value) and float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}".rstrip("0").rstrip(".")
