"""Contraindication screening: block, warn, or allow with a documented precaution, by electrode
site; the rules double as documentation of §5.3 of the reference."""

from __future__ import annotations

import pytest

from reeducate.clinic.exercises import CONTRAINDICATION_LABELS, Contraindication, load_library
from reeducate.errors import InvalidParameterError
from reeducate.stim.screening import (
    EXERCISE_LIBRARY,
    HOUGHTON_2010,
    LIMB_OF,
    RULES,
    SITE_RULES,
    BodySite,
    ScreeningItem,
    Verdict,
    screen,
)

THIGH = {BodySite.ANTERIOR_THIGH}


@pytest.mark.parametrize(
    "code",
    ["pacemaker", "implanted_defibrillator", "implanted_neurostimulator", "impaired_cognition"],
)
def test_implanted_devices_and_no_feedback_block_wherever_the_electrodes_go(code: str) -> None:
    for site in BodySite:
        if site in SITE_RULES:
            continue
        result = screen([ScreeningItem(code=code)], sites={site})
        assert result.verdict is Verdict.BLOCK, site


@pytest.mark.parametrize(
    ("sites", "want"),
    [
        ({BodySite.ABDOMEN}, Verdict.BLOCK),
        ({BodySite.LOW_BACK}, Verdict.BLOCK),
        ({BodySite.ANTERIOR_THIGH}, Verdict.ALLOW),
        ({BodySite.ANTERIOR_THIGH, BodySite.LOW_BACK}, Verdict.BLOCK),
    ],
)
def test_pregnancy_blocks_only_over_the_trunk_below(sites: set[BodySite], want: Verdict) -> None:
    assert screen([ScreeningItem(code="pregnancy")], sites=sites).verdict is want


def test_a_condition_at_another_site_allows_and_without_a_site_blocks() -> None:
    elsewhere = screen([ScreeningItem(code="malignancy_at_site", site="forearm")], sites=THIGH)
    assert elsewhere.verdict is Verdict.ALLOW
    assert "not at these electrode sites (forearm)" in elsewhere.findings[0].reason
    here = screen([ScreeningItem(code="malignancy_at_site", site="anterior_thigh")], sites=THIGH)
    assert here.verdict is Verdict.BLOCK
    unknown = screen([ScreeningItem(code="malignancy_at_site")], sites=THIGH)
    assert unknown.verdict is Verdict.BLOCK  # no site recorded: taken to be under the electrodes


def test_dvt_blocks_the_whole_limb_but_not_the_arm() -> None:
    calf = ScreeningItem(code="acute_dvt", site=BodySite.CALF)
    assert screen([calf], sites=THIGH).verdict is Verdict.BLOCK
    assert screen([calf], sites={BodySite.BUTTOCK}).verdict is Verdict.BLOCK
    assert screen([calf], sites={BodySite.FOREARM}).verdict is Verdict.ALLOW
    assert LIMB_OF[BodySite.CALF] == LIMB_OF[BodySite.ANTERIOR_THIGH]


def test_a_precaution_warns_until_one_is_documented() -> None:
    bare = ScreeningItem(code="impaired_sensation_at_site", site=BodySite.ANTERIOR_THIGH)
    documented = ScreeningItem(
        code="impaired_sensation_at_site",
        site=BodySite.ANTERIOR_THIGH,
        precaution="intensity by visible contraction, skin checked every 5 minutes",
    )
    assert screen([bare], sites=THIGH).verdict is Verdict.WARN
    result = screen([documented], sites=THIGH)
    assert result.verdict is Verdict.ALLOW_WITH_PRECAUTION
    assert result.findings[0].precaution == documented.precaution


def test_a_documented_precaution_never_lifts_a_contraindication() -> None:
    item = ScreeningItem(code="pacemaker", precaution="cardiologist says fine")
    assert screen([item], sites=THIGH).verdict is Verdict.BLOCK


def test_epilepsy_blocks_head_and_neck_and_is_a_precaution_elsewhere() -> None:
    item = ScreeningItem(code="epilepsy")
    assert screen([item], sites={BodySite.POSTERIOR_NECK}).verdict is Verdict.BLOCK
    assert screen([item], sites=THIGH).verdict is Verdict.WARN


def test_cardiac_disease_blocks_through_the_chest_only() -> None:
    item = ScreeningItem(code="cardiac_disease_or_dysrhythmia")
    assert screen([item], sites={BodySite.UPPER_BACK}).verdict is Verdict.BLOCK
    assert screen([item], sites=THIGH).verdict is Verdict.ALLOW


@pytest.mark.parametrize("site", sorted(SITE_RULES))
def test_some_sites_are_never_stimulated_whoever_the_patient(site: BodySite) -> None:
    result = screen([], sites={site})
    assert result.verdict is Verdict.BLOCK
    assert result.findings[0].code == f"site:{site.value}"


def test_worst_verdict_first_and_unrelated_codes_listed() -> None:
    result = screen(
        [
            ScreeningItem(code="vestibular_acute"),
            ScreeningItem(code="impaired_sensation_at_site"),
            ScreeningItem(code="pacemaker"),
        ],
        sites=THIGH,
    )
    assert [f.verdict for f in result.findings] == [Verdict.BLOCK, Verdict.WARN]
    assert result.not_screened == ("vestibular_acute",)
    assert result.to_dict()["verdict"] == "block"


def test_no_items_allow() -> None:
    assert screen([], sites=THIGH).verdict is Verdict.ALLOW


def test_bad_input_is_refused() -> None:
    with pytest.raises(InvalidParameterError, match="sites must name at least one"):
        screen([], sites=[])
    with pytest.raises(InvalidParameterError, match="sites must be one of head, eyes"):
        screen([], sites=["knee"])
    with pytest.raises(InvalidParameterError, match="site must be one of"):
        ScreeningItem(code="acute_dvt", site="leg")  # type: ignore[arg-type]


def test_every_rule_code_is_a_contraindication_code_with_a_label() -> None:
    codes = {c.value for c in Contraindication}
    assert set(RULES) <= codes
    for code in RULES:
        assert CONTRAINDICATION_LABELS[Contraindication(code)]


def test_every_contraindication_of_the_nmes_exercises_has_a_screening_rule() -> None:
    library = load_library()
    nmes_codes = {
        c.value
        for v in library
        if v.technique.value == "nmes_activation"
        for c in v.contraindications
    }
    missing = nmes_codes - set(RULES)
    assert not missing, f"NMES exercises name codes the screening does not know: {missing}"


def test_the_reference_lists_every_contraindication_and_precaution() -> None:
    # §5.3 "Do not apply" and "Precautions", one code (or site rule) per line of the list.
    contraindications = {
        "pacemaker", "implanted_defibrillator", "implanted_neurostimulator", "acute_dvt",
        "pregnancy", "cardiac_disease_or_dysrhythmia", "malignancy_at_site",
        "infection_at_site", "bleeding_disorder", "recent_radiation_at_site",
        "impaired_cognition",
    }  # fmt: skip
    precautions = {
        "impaired_sensation_at_site", "impaired_communication", "active_epiphyses_at_site",
        "skin_damage_at_site", "regenerating_nerves_at_site", "recent_surgery_at_site",
        "unhealed_fracture",
    }  # fmt: skip
    from_reference = {c: r for c, r in RULES.items() if r.source == HOUGHTON_2010}
    assert {c for c, r in from_reference.items() if r.kind == "contraindication"} == (
        contraindications
        | {
            "epilepsy",  # contraindicated over the head and neck, a precaution elsewhere
            "heart_failure",  # contraindicated over the anterior chest, a precaution elsewhere
        }
    )
    assert {c for c, r in from_reference.items() if r.kind == "precaution"} == precautions
    # The rest come from the exercise library's NMES families (movement risks).
    assert {c for c, r in RULES.items() if r.source == EXERCISE_LIBRARY} == {
        "recent_abdominal_surgery", "cervical_instability", "cervical_arterial_dysfunction",
        "progressive_neurological_deficit",
    }  # fmt: skip
    assert set(SITE_RULES) == {
        BodySite.ANTERIOR_NECK, BodySite.HEAD, BodySite.EYES, BodySite.PELVIS,
    }  # fmt: skip
