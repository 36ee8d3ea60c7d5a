"""Contraindications and precautions of NMES, screened against a patient's record and the
electrode sites of a protocol: block, warn, or allow with a documented precaution.

The rules are a table (:data:`RULES`), one row per coded condition of the patient's record; the
codes are those of :class:`reeducate.clinic.exercises.Contraindication` (this package sits below
``clinic`` and cannot import it: a test checks that every code here is one of them). Each rule
says whether the condition is a **contraindication** (do not apply) or a **precaution** (apply
with care) and *where* it applies:

``anywhere``
    wherever the electrodes go (an active implanted device, inability to give feedback);
``sites``
    only when an electrode is over one of the rule's body sites (pregnancy: abdomen, pelvis, low
    back); elsewhere the rule's ``elsewhere`` kind applies (often nothing);
``recorded_site``
    only when an electrode is over the site recorded with the condition (malignancy, damaged
    skin, impaired sensation ...); a condition recorded **without** a site is taken to be under
    the electrodes (the safe reading);
``recorded_limb``
    like ``recorded_site`` but anywhere on the same limb or body part (an acute DVT in the calf
    blocks stimulation of the thigh of the same leg: the contractions pump the veins). Sides are
    not recorded, so either leg counts (the safe reading).

Apart from the patient, some sites are never stimulated (:data:`SITE_RULES`): the anterior neck
and carotid sinus, the head and eyes (transcranial), and over the reproductive organs.

Verdicts, worst last (:class:`Verdict`): ``allow``; ``allow_with_precaution`` (a precaution
applies and the record documents what is done about it: the item's ``precaution`` text);
``warn`` (a precaution applies and none is documented: document one before stimulating);
``block`` (a contraindication applies).

Sources: Houghton, Nussbaum & Hoens (2010) *Electrophysical Agents - Contraindications and
Precautions*, Physiotherapy Canada 62(5), ch. 4, doi:10.3138/ptc.2009-09-s4, as summarised in
``reference/emg-nmes-streaming.md`` §5.3 (which was assembled from a device IFU following it and
must be checked against the full text before it ships). The list must be confirmed by a
clinician; the software's verdict supports, never replaces, the clinician's sign-off.

Examples
--------
>>> result = screen([ScreeningItem(code="pregnancy")],
...                 sites={BodySite.ANTERIOR_THIGH})
>>> result.verdict.value
'allow'
>>> screen([ScreeningItem(code="pregnancy")], sites={BodySite.LOW_BACK}).verdict.value
'block'
>>> screen([ScreeningItem(code="impaired_sensation_at_site", site=BodySite.ANTERIOR_THIGH,
...         precaution="intensity set by visible contraction; skin checked every 5 min")],
...        sites={BodySite.ANTERIOR_THIGH}).verdict.value
'allow_with_precaution'
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import Final, Literal

from reeducate.errors import InvalidParameterError

__all__ = [
    "EXERCISE_LIBRARY",
    "HOUGHTON_2010",
    "LIMB_OF",
    "RULES",
    "SITE_RULES",
    "BodySite",
    "Rule",
    "ScreeningFinding",
    "ScreeningItem",
    "ScreeningResult",
    "SiteRule",
    "Verdict",
    "parse_site",
    "screen",
]

HOUGHTON_2010: Final = (
    "Houghton, Nussbaum & Hoens 2010, Physiother Can 62(5) ch. 4, doi:10.3138/ptc.2009-09-s4 "
    "(reference/emg-nmes-streaming.md §5.3)"
)

EXERCISE_LIBRARY: Final = (
    "reeducate exercise library, NMES families (reeducate/clinic/data/exercises/nmes.toml): "
    "contraindications of the exercise the stimulation assists"
)


class BodySite(StrEnum):
    """Where an electrode is, coarse enough to screen against a patient's record."""

    HEAD = "head"
    EYES = "eyes"
    ANTERIOR_NECK = "anterior_neck"
    POSTERIOR_NECK = "posterior_neck"
    ANTERIOR_CHEST = "anterior_chest"
    UPPER_BACK = "upper_back"
    LOW_BACK = "low_back"
    ABDOMEN = "abdomen"
    PELVIS = "pelvis"
    BUTTOCK = "buttock"
    SHOULDER = "shoulder"
    UPPER_ARM = "upper_arm"
    FOREARM = "forearm"
    HAND = "hand"
    ANTERIOR_THIGH = "anterior_thigh"
    POSTERIOR_THIGH = "posterior_thigh"
    ANTERIOR_SHIN = "anterior_shin"
    CALF = "calf"
    FOOT = "foot"


#: The limb or body part each site belongs to (for ``recorded_limb`` rules).
LIMB_OF: Final[Mapping[BodySite, str]] = MappingProxyType(
    {
        BodySite.HEAD: "head_neck",
        BodySite.EYES: "head_neck",
        BodySite.ANTERIOR_NECK: "head_neck",
        BodySite.POSTERIOR_NECK: "head_neck",
        BodySite.ANTERIOR_CHEST: "trunk",
        BodySite.UPPER_BACK: "trunk",
        BodySite.LOW_BACK: "trunk",
        BodySite.ABDOMEN: "trunk",
        BodySite.PELVIS: "trunk",
        BodySite.BUTTOCK: "lower_limb",
        BodySite.SHOULDER: "upper_limb",
        BodySite.UPPER_ARM: "upper_limb",
        BodySite.FOREARM: "upper_limb",
        BodySite.HAND: "upper_limb",
        BodySite.ANTERIOR_THIGH: "lower_limb",
        BodySite.POSTERIOR_THIGH: "lower_limb",
        BodySite.ANTERIOR_SHIN: "lower_limb",
        BodySite.CALF: "lower_limb",
        BodySite.FOOT: "lower_limb",
    }
)


def parse_site(value: object, /, *, field: str = "site") -> BodySite:
    """A :class:`BodySite` from its code, or :class:`InvalidParameterError` naming ``field``.

    >>> parse_site("anterior_thigh").value
    'anterior_thigh'
    """
    if isinstance(value, BodySite):
        return value
    for member in BodySite:
        if value == member.value:
            return member
    allowed = ", ".join(s.value for s in BodySite)
    raise InvalidParameterError(f"{field} must be one of {allowed}; got {value!r}")


class Verdict(StrEnum):
    """The screening verdict, from best to worst."""

    ALLOW = "allow"
    ALLOW_WITH_PRECAUTION = "allow_with_precaution"
    WARN = "warn"
    BLOCK = "block"


_RANK: Final = {v: i for i, v in enumerate(Verdict)}

Kind = Literal["contraindication", "precaution"]


@dataclass(frozen=True, slots=True, kw_only=True)
class Rule:
    """How one coded condition of the patient's record bears on NMES.

    Attributes
    ----------
    code : str
        The condition's code (a :class:`reeducate.clinic.exercises.Contraindication` value).
    kind : {"contraindication", "precaution"}
        What the condition is where the rule applies.
    where : {"anywhere", "sites", "recorded_site", "recorded_limb"}
        Where the rule applies (see the module docstring).
    sites : frozenset of BodySite
        The sites of a ``sites`` rule (empty otherwise).
    elsewhere : {"precaution"} or None
        What the condition is when the electrodes are not where the rule applies (None:
        nothing).
    reason : str
        Why, in words a clinician reads.
    source : str
        Where the rule comes from.
    """

    code: str
    kind: Kind
    where: Literal["anywhere", "sites", "recorded_site", "recorded_limb"]
    reason: str
    sites: frozenset[BodySite] = frozenset()
    elsewhere: Literal["precaution"] | None = None
    source: str = HOUGHTON_2010

    def __post_init__(self) -> None:
        if (self.where == "sites") != bool(self.sites):
            raise InvalidParameterError(
                f"rule {self.code}: sites must be given exactly when where is 'sites'; got "
                f"where {self.where!r} with {len(self.sites)} sites"
            )


def _rules(*rules: Rule) -> Mapping[str, Rule]:
    return MappingProxyType({r.code: r for r in rules})


_HEAD_NECK: Final = frozenset(
    {BodySite.HEAD, BodySite.EYES, BodySite.ANTERIOR_NECK, BodySite.POSTERIOR_NECK}
)
_NECK: Final = frozenset({BodySite.ANTERIOR_NECK, BodySite.POSTERIOR_NECK})
_THORAX: Final = frozenset({BodySite.ANTERIOR_CHEST, BodySite.UPPER_BACK})

#: The screening table: one rule per coded condition (``reference/emg-nmes-streaming.md`` §5.3).
RULES: Final[Mapping[str, Rule]] = _rules(
    # Do not apply (contraindications)
    Rule(code="pacemaker", kind="contraindication", where="anywhere",
         reason="active implanted electronic device (pacemaker, ICD, neurostimulator): "
         "stimulation can interfere with it"),
    Rule(code="implanted_defibrillator", kind="contraindication", where="anywhere",
         reason="implanted cardioverter-defibrillator: stimulation can be sensed as an "
         "arrhythmia and trigger a shock"),
    Rule(code="implanted_neurostimulator", kind="contraindication", where="anywhere",
         reason="implanted neurostimulator (spinal cord, deep brain, sacral, vagus): "
         "stimulation can interfere with it"),
    Rule(code="acute_dvt", kind="contraindication", where="recorded_limb",
         reason="active DVT or thrombophlebitis: contractions of the limb may dislodge the "
         "thrombus (no site recorded: taken to be in the stimulated limb)"),
    Rule(code="pregnancy", kind="contraindication", where="sites",
         sites=frozenset({BodySite.ABDOMEN, BodySite.PELVIS, BodySite.LOW_BACK}),
         reason="pregnancy: no stimulation over the abdomen, pelvis or low back (TENS in "
         "labour is the accepted exception, not NMES)"),
    Rule(code="cardiac_disease_or_dysrhythmia", kind="contraindication", where="sites",
         sites=_THORAX,
         reason="cardiac disease or dysrhythmia: no stimulation through the chest"),
    Rule(code="malignancy_at_site", kind="contraindication", where="recorded_site",
         reason="known or suspected malignancy under the electrodes (no site recorded: taken "
         "to be under them)"),
    Rule(code="infection_at_site", kind="contraindication", where="recorded_site",
         reason="infected tissue, tuberculosis or osteomyelitis under the electrodes"),
    Rule(code="bleeding_disorder", kind="contraindication", where="recorded_site",
         reason="bleeding tissue or untreated haemorrhagic disorder (no site recorded: a "
         "systemic disorder, taken to be everywhere)"),
    Rule(code="recent_radiation_at_site", kind="contraindication", where="recorded_site",
         reason="tissue radiated in about the last 6 months"),
    Rule(code="impaired_cognition", kind="contraindication", where="anywhere",
         reason="cannot understand the treatment or report what is felt"),
    # Apply with care (precautions)
    Rule(code="impaired_sensation_at_site", kind="precaution", where="recorded_site",
         reason="impaired sensation: the patient cannot report an excessive current or a "
         "burn; set intensity by the visible contraction and check the skin"),
    Rule(code="impaired_communication", kind="precaution", where="anywhere",
         reason="impaired cognition or communication: agree a way to signal discomfort"),
    Rule(code="skin_damage_at_site", kind="precaution", where="recorded_site",
         reason="damaged or fragile skin, or skin disease: keep electrodes off it"),
    Rule(code="active_epiphyses_at_site", kind="precaution", where="recorded_site",
         reason="active epiphyses in a child under the electrodes"),
    Rule(code="regenerating_nerves_at_site", kind="precaution", where="recorded_site",
         reason="regenerating nerves under the electrodes"),
    Rule(code="recent_surgery_at_site", kind="precaution", where="recorded_limb",
         reason="recent surgery: the contraction must not disrupt healing (loads and ranges "
         "agreed with the surgical team)"),
    Rule(code="unhealed_fracture", kind="precaution", where="recorded_limb",
         reason="recent or unhealed fracture: the contraction must not disrupt healing"),
    Rule(code="epilepsy", kind="contraindication", where="sites", sites=_HEAD_NECK,
         elsewhere="precaution",
         reason="epilepsy: no stimulation of the head and neck; elsewhere with care"),
    Rule(code="heart_failure", kind="contraindication", where="sites",
         sites=frozenset({BodySite.ANTERIOR_CHEST}), elsewhere="precaution",
         reason="heart failure: avoid the anterior chest; lower-limb stimulation appears safe "
         "with monitoring"),
    # From the exercise library's NMES families (movement risks of the exercise stimulated)
    Rule(code="recent_abdominal_surgery", kind="precaution", where="sites",
         sites=frozenset({BodySite.ABDOMEN}), source=EXERCISE_LIBRARY,
         reason="recent abdominal or hernia surgery: no strong abdominal contraction without "
         "the surgeon's agreement"),
    Rule(code="cervical_instability", kind="contraindication", where="sites",
         sites=_NECK, source=EXERCISE_LIBRARY,
         reason="cervical instability: no stimulated neck muscle contraction"),
    Rule(code="cervical_arterial_dysfunction", kind="contraindication", where="sites",
         sites=_NECK, source=EXERCISE_LIBRARY,
         reason="suspected cervical arterial dysfunction: no stimulation of the neck"),
    Rule(code="progressive_neurological_deficit", kind="contraindication", where="anywhere",
         source=EXERCISE_LIBRARY,
         reason="progressive neurological deficit or other red flag: medical review first"),
)  # fmt: skip


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteRule:
    """A site never stimulated, whoever the patient."""

    site: BodySite
    reason: str
    source: str = HOUGHTON_2010


#: Sites never stimulated (§5.3: "do not apply" over them, whoever the patient).
SITE_RULES: Final[Mapping[BodySite, SiteRule]] = MappingProxyType(
    {
        BodySite.ANTERIOR_NECK: SiteRule(
            site=BodySite.ANTERIOR_NECK,
            reason="over the anterior neck or carotid sinus (laryngeal spasm, hypotension)",
        ),
        BodySite.HEAD: SiteRule(site=BodySite.HEAD, reason="transcranial stimulation"),
        BodySite.EYES: SiteRule(site=BodySite.EYES, reason="over the eyes"),
        BodySite.PELVIS: SiteRule(
            site=BodySite.PELVIS, reason="over the reproductive organs (anterior pelvis, groin)"
        ),
    }
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ScreeningItem:
    """One coded condition of the patient's record.

    Attributes
    ----------
    code : str
        The condition (a :class:`reeducate.clinic.exercises.Contraindication` value).
    site : BodySite or None
        Where it is, when it is somewhere (malignancy, damaged skin ...); None: not recorded.
    precaution : str or None
        The precaution documented for it (what is done so that stimulation is safe); it turns a
        precaution's ``warn`` into ``allow_with_precaution``. It never lifts a
        contraindication.
    """

    code: str
    site: BodySite | None = None
    precaution: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.code, str) or not self.code.strip():
            raise InvalidParameterError(f"code must be non-empty text; got {self.code!r}")
        if self.site is not None:
            object.__setattr__(self, "site", parse_site(self.site))
        if self.precaution is not None and (
            not isinstance(self.precaution, str) or not self.precaution.strip()
        ):
            raise InvalidParameterError(
                f"precaution must be non-empty text or None; got {self.precaution!r}"
            )


@dataclass(frozen=True, slots=True, kw_only=True)
class ScreeningFinding:
    """What one item (or a site rule) means for this stimulation.

    Attributes
    ----------
    code : str
        The condition's code, or ``site:<site>`` for a site never stimulated.
    verdict : Verdict
        Its verdict here.
    reason : str
        Why, in words.
    source : str
        Where the rule comes from.
    sites : tuple of BodySite
        The electrode sites it concerns (empty: none of them).
    precaution : str or None
        The documented precaution, when there is one.
    """

    code: str
    verdict: Verdict
    reason: str
    source: str
    sites: tuple[BodySite, ...] = ()
    precaution: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class ScreeningResult:
    """The verdict and every finding, worst first; ``not_screened`` lists the patient's codes
    that have no NMES rule (they do not bear on electrical stimulation)."""

    verdict: Verdict
    findings: tuple[ScreeningFinding, ...]
    sites: tuple[BodySite, ...]
    not_screened: tuple[str, ...]

    def to_dict(self) -> dict[str, object]:
        """Plain values for JSON and the session log."""
        return {
            "verdict": self.verdict.value,
            "sites": [s.value for s in self.sites],
            "findings": [
                {
                    "code": f.code,
                    "verdict": f.verdict.value,
                    "reason": f.reason,
                    "sites": [s.value for s in f.sites],
                    "precaution": f.precaution,
                    "source": f.source,
                }
                for f in self.findings
            ],
            "not_screened": list(self.not_screened),
        }


def _affected(rule: Rule, item: ScreeningItem, sites: tuple[BodySite, ...]) -> tuple[BodySite, ...]:
    """The electrode sites where ``rule`` applies for ``item``."""
    if rule.where == "anywhere":
        return sites
    if rule.where == "sites":
        return tuple(s for s in sites if s in rule.sites)
    if item.site is None:  # not recorded: taken to be under the electrodes
        return sites
    if rule.where == "recorded_site":
        return tuple(s for s in sites if s is item.site)
    limb = LIMB_OF[item.site]
    return tuple(s for s in sites if LIMB_OF[s] == limb)


def _precaution_verdict(item: ScreeningItem) -> Verdict:
    return Verdict.WARN if item.precaution is None else Verdict.ALLOW_WITH_PRECAUTION


def screen(
    items: Iterable[ScreeningItem],
    /,
    *,
    sites: Collection[BodySite | str],
    rules: Mapping[str, Rule] = RULES,
) -> ScreeningResult:
    """Screen a patient's coded conditions against the electrode sites of a stimulation.

    Parameters
    ----------
    items : iterable of ScreeningItem
        The patient's active conditions (codes without an NMES rule are listed as
        ``not_screened``).
    sites : collection of BodySite or str
        Where the electrodes go (at least one).
    rules : mapping of str to Rule
        The rules (default :data:`RULES`).

    Returns
    -------
    ScreeningResult
        The worst verdict of all findings (``allow`` when there are none) and the findings,
        worst first; site rules (sites never stimulated) are findings too.

    Examples
    --------
    >>> r = screen([ScreeningItem(code="acute_dvt", site="calf")], sites=["anterior_thigh"])
    >>> r.verdict.value, r.findings[0].sites
    ('block', (<BodySite.ANTERIOR_THIGH: 'anterior_thigh'>,))
    >>> screen([], sites=["anterior_neck"]).verdict.value
    'block'
    """
    chosen = tuple(dict.fromkeys(parse_site(s, field="sites") for s in sites))
    if not chosen:
        raise InvalidParameterError("sites must name at least one electrode site; got none")
    findings: list[ScreeningFinding] = []
    not_screened: list[str] = []
    for site in chosen:
        if site in SITE_RULES:
            site_rule = SITE_RULES[site]
            findings.append(
                ScreeningFinding(
                    code=f"site:{site.value}",
                    verdict=Verdict.BLOCK,
                    reason=f"electrodes never go {site_rule.reason}",
                    source=site_rule.source,
                    sites=(site,),
                )
            )
    for item in items:
        rule = rules.get(item.code)
        if rule is None:
            not_screened.append(item.code)
            continue
        affected = _affected(rule, item, chosen)
        if affected:
            verdict = (
                Verdict.BLOCK if rule.kind == "contraindication" else _precaution_verdict(item)
            )
            reason = rule.reason
        elif rule.elsewhere == "precaution":
            verdict = _precaution_verdict(item)
            reason = f"{rule.reason} (electrodes are away from the sites it rules out)"
        else:
            verdict = Verdict.ALLOW
            where = f" ({item.site.value})" if item.site is not None else ""
            reason = f"{rule.reason}: not at these electrode sites{where}"
        findings.append(
            ScreeningFinding(
                code=item.code,
                verdict=verdict,
                reason=reason,
                source=rule.source,
                sites=affected,
                precaution=item.precaution,
            )
        )
    findings.sort(key=lambda f: -_RANK[f.verdict])
    worst = findings[0].verdict if findings else Verdict.ALLOW
    return ScreeningResult(
        verdict=worst,
        findings=tuple(findings),
        sites=chosen,
        not_screened=tuple(dict.fromkeys(not_screened)),
    )
