"""The progression graph of the built-in exercise library.

Definitions used below (``F(v)`` = the variants of v's family, ``L_D(v)`` = v's level on D):

* **one step harder on D**: ``harder(v, D) = w`` with ``L_D(w) = next level after L_D(v)`` and
  ``L_E(w) = L_E(v)`` for every other dimension E (a different default dose is allowed);
* **no dead end / no skipped rung**: for every v and D, if some ``w in F(v)`` has
  ``L_D(w) > L_D(v)`` and equals v on every other dimension, then ``harder(v, D)`` exists;
* **reachable**: every variant of a family is reached from the family's entry by harder steps.

These checks use only the public API, with their own algorithms, so they do not trust the
loader's checks; the last tests show the loader refusing families that break each rule.
"""

from __future__ import annotations

import tomllib
from collections import Counter
from importlib import resources
from pathlib import Path

import pytest

from reeducate.clinic.dimensions import Dimension, Support, Surface, Vision, levels_of, rank
from reeducate.clinic.exercises import (
    ExerciseLibrary,
    ExerciseVariant,
    Region,
    Technique,
    load_library,
    load_library_from,
)
from reeducate.errors import FileFormatError


@pytest.fixture(scope="module")
def library() -> ExerciseLibrary:
    return load_library()


def raw_ids() -> tuple[list[str], list[str]]:
    """Family and variant ids as written in the package's TOML files, read without the loader."""
    families: list[str] = []
    variants: list[str] = []
    folder = resources.files("reeducate.clinic.data").joinpath("exercises")
    for item in folder.iterdir():
        if item.name.endswith(".toml"):
            document = tomllib.loads(item.read_text(encoding="utf-8"))
            for family in document["family"]:
                families.append(family["id"])
                variants.extend(v["id"] for v in family["variant"])
    return families, variants


def test_at_least_150_variants(library: ExerciseLibrary) -> None:
    assert len(library) >= 150


def test_ids_are_unique_in_the_files(library: ExerciseLibrary) -> None:
    families, variants = raw_ids()
    assert [i for i, n in Counter(variants).items() if n > 1] == []
    assert [i for i, n in Counter(families).items() if n > 1] == []
    assert len(variants) == len(library)
    assert len(families) == len(library.families)


# Issue 3: every technique of DOMAIN.md for every region.
@pytest.mark.parametrize("region", list(Region))
@pytest.mark.parametrize("technique", list(Technique))
def test_every_technique_and_region_has_a_variant(
    library: ExerciseLibrary, technique: Technique, region: Region
) -> None:
    assert library.search(technique=technique, region=region)


def test_harder_is_exactly_one_level_up_on_that_dimension(library: ExerciseLibrary) -> None:
    steps = 0
    for v in library:
        for d in Dimension:
            w = library.harder(v.id, d)
            if w is None:
                continue
            steps += 1
            assert w.family == v.family, (v.id, d)
            assert w.levels.differences(v.levels) == (d,), (v.id, d, w.id)
            assert rank(w.levels.level(d)) == rank(v.levels.level(d)) + 1, (v.id, d, w.id)
    assert steps >= len(library) - len(library.families)  # a tree at least


def test_harder_and_easier_are_inverse(library: ExerciseLibrary) -> None:
    for v in library:
        for d in Dimension:
            up = library.harder(v.id, d)
            if up is not None:
                assert library.easier(up.id, d) is v, (v.id, d)
            down = library.easier(v.id, d)
            if down is not None:
                assert library.harder(down.id, d) is v, (v.id, d)


def test_graph_has_no_cycles(library: ExerciseLibrary) -> None:
    # Depth-first search with colours over the harder links of every dimension.
    colour: dict[str, int] = {}  # 1 = on the current path, 2 = done

    def visit(start: str) -> None:
        stack = [(start, iter(Dimension))]
        colour[start] = 1
        while stack:
            node, dims = stack[-1]
            for d in dims:
                nxt = library.harder(node, d)
                if nxt is None:
                    continue
                state = colour.get(nxt.id)
                assert state != 1, f"cycle through {nxt.id}"
                if state is None:
                    colour[nxt.id] = 1
                    stack.append((nxt.id, iter(Dimension)))
                    break
            else:
                colour[node] = 2
                stack.pop()

    for v in library:
        if v.id not in colour:
            visit(v.id)
    assert len(colour) == len(library)


def test_no_dead_ends_where_a_step_should_exist(library: ExerciseLibrary) -> None:
    by_family: dict[str, list[ExerciseVariant]] = {}
    for v in library:
        by_family.setdefault(v.family, []).append(v)
    for members in by_family.values():
        for v in members:
            for w in members:
                differences = w.levels.differences(v.levels)
                if len(differences) != 1:
                    continue
                (d,) = differences
                if rank(w.levels.level(d)) > rank(v.levels.level(d)):
                    assert library.harder(v.id, d) is not None, f"{v.id}: dead end on {d}"


def test_every_variant_is_reachable_from_its_family_entry(library: ExerciseLibrary) -> None:
    for family in library.families:
        entry = library.get(family.entry)
        assert entry.family == family.id
        assert library.easier_options(entry.id) == ()  # nothing is easier than the entry
        seen = {entry.id}
        frontier = [entry.id]
        while frontier:
            for _, w in library.harder_options(frontier.pop()):
                if w.id not in seen:
                    seen.add(w.id)
                    frontier.append(w.id)
        assert seen == set(family.variant_ids), family.id


def test_leads_to_names_families_of_the_library(library: ExerciseLibrary) -> None:
    ids = {f.id for f in library.families}
    for family in library.families:
        assert set(family.leads_to) <= ids - {family.id}


# The ladders read as documentation: Otago single-leg stance, then sensory challenge one at a time.


def test_single_leg_stance_withdraws_hand_support_one_step_at_a_time(
    library: ExerciseLibrary,
) -> None:
    ladder = ["bal-sls-two-hands"]
    while (nxt := library.harder(ladder[-1], Dimension.SUPPORT)) is not None:
        ladder.append(nxt.id)
    assert ladder == [
        "bal-sls-two-hands",
        "bal-sls-one-hand",
        "bal-sls-fingertip",
        "bal-sls-firm-eo",
    ]
    assert [library.get(i).levels.support for i in ladder] == list(levels_of(Dimension.SUPPORT))


def test_single_leg_stance_on_firm_floor_progresses_surface_alone(
    library: ExerciseLibrary,
) -> None:
    # reference/clinic.md §5.2 case 3: foam, not foam plus eyes closed
    foam = library.harder("bal-sls-firm-eo", Dimension.SURFACE)
    assert foam is not None
    assert foam.levels.surface is Surface.FOAM and foam.levels.vision is Vision.EYES_OPEN
    assert foam.levels.support is Support.NONE


# ---------------------------------------------------------------------------------------------
# The loader refuses families that break the graph rules (so the checks above can fail).

FAMILY = """\
schema_version = 1

[[family]]
id = "t-sls"
name = "Test single-leg stance"
technique = "balance"
regions = ["ankle_foot"]
entry = "t-firm"
posture = "standing"
cpt_code = "97112"
instructions = ["Stand on one leg."]
cues = ["Hips level."]
common_faults = ["Leaning."]
safety_notes = ["Counter within reach."]
contraindications = []
equipment = ["counter"]
dose = { sets = 3, hold_s = 10, rest_s = 30, sessions_per_week = 3 }
measurements = [{ kind = "balance_trial" }]

[family.levels]
joints = "multi"
movement_path = "linear_one_plane"
load_bearing = "full_standing"
base_of_support = "single_leg"
support = "none"
surface = "firm"
vision = "eyes_open"
task = "static_hold"
resistance = "none"
speed = "slow_controlled"
duration = "short"
"""


def variant(vid: str, levels: str = "", harder: str = "") -> str:
    text = f'\n[[family.variant]]\nid = "{vid}"\nname = "{vid}"\n'
    if levels:
        text += f"levels = {{ {levels} }}\n"
    if harder:
        text += f"harder = {{ {harder} }}\n"
    return text


def refuse(tmp_path: Path, text: str) -> str:
    path = tmp_path / "family.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FileFormatError) as info:
        load_library_from([path])
    return str(info.value).removeprefix(f"{path}, ")


def test_a_skipped_rung_is_refused(tmp_path: Path) -> None:
    # firm and wobble board but nothing on foam: the step from firm on surface cannot exist.
    text = FAMILY + variant("t-firm") + variant("t-wobble", 'surface = "unstable"')
    assert refuse(tmp_path, text) == (
        "variant 't-firm', field harder.surface: is missing: 't-wobble' is higher on surface "
        "with every other level equal, but no variant sits at surface = foam (the family skips "
        "a level)"
    )


def test_a_missing_link_to_an_existing_step_is_refused(tmp_path: Path) -> None:
    text = (
        FAMILY
        + variant("t-firm", harder='surface = "t-foam"')
        + variant("t-foam", 'surface = "foam"')
        + variant("t-wobble", 'surface = "unstable"')
    )
    assert refuse(tmp_path, text) == (
        "variant 't-foam', field harder.surface: is missing; add harder.surface = 't-wobble'"
    )


def test_a_variant_unreachable_from_the_entry_is_refused(tmp_path: Path) -> None:
    # t-ec differs from t-firm on two dimensions and is linked from nowhere.
    text = (
        FAMILY
        + variant("t-firm", harder='surface = "t-foam"')
        + variant("t-foam", 'surface = "foam"')
        + variant("t-ec", 'vision = "eyes_closed", support = "fingertip"')
    )
    assert refuse(tmp_path, text) == (
        "family 't-sls', field entry: must reach every variant of the family by harder steps; "
        "from 't-firm' none reaches 't-ec'"
    )


def test_a_link_into_another_family_is_refused(tmp_path: Path) -> None:
    other = (
        FAMILY.replace('id = "t-sls"', 'id = "t-other"')
        .replace('entry = "t-firm"', 'entry = "t-foam"')
        .removeprefix("schema_version = 1\n")
    )
    text = (
        FAMILY
        + variant("t-firm", harder='surface = "t-foam"')
        + other
        + variant("t-foam", 'surface = "foam"')
    )
    assert refuse(tmp_path, text).startswith(
        "variant 't-firm', field harder.surface: must name a variant of the same family "
        "('t-sls'); 't-foam' is in family 't-other'"
    )
