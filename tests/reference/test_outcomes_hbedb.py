"""Mini-BESTest and Short FES-I scoring against the totals and categories recorded for real
people in the public HBEDB data set (Santos & Duarte 2016, PeerJ 4:e2648; CC BY 4.0).

``hbedb/BDSinfoCOP_subjects_01-16.tsv`` has 12 rows per subject (one per trial) carrying the same
questionnaire answers: Mini-BESTest items ``Best_1 … Best_14`` with both sides of the bilateral
items (``Best_3l/3r``, ``Best_6l/6r``) and the total ``Best_T``; Short FES-I items ``FES_1 …
FES_7``, the total ``FES_T`` and the category ``FES_S``. Every total and category must be
reproduced exactly (integers; no tolerance). Checked while writing this test: no row
contradicts the published rules (lower side of items 3 and 6; Delbaere 2010 categories), and
counting both sides instead would disagree with every subject, so the test can tell the rules
apart.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from reeducate.clinic.outcomes import score

pytestmark = pytest.mark.shared_data

MINIBEST_COLUMNS = {
    "1": "Best_1",
    "2": "Best_2",
    "3l": "Best_3l",
    "3r": "Best_3r",
    "4": "Best_4",
    "5": "Best_5",
    "6l": "Best_6l",
    "6r": "Best_6r",
    **{str(n): f"Best_{n}" for n in range(7, 15)},
}
FES_COLUMNS = {str(n): f"FES_{n}" for n in range(1, 8)}


@pytest.fixture(scope="module")
def rows(shared_data: Path) -> list[dict[str, str]]:
    path = shared_data / "hbedb" / "BDSinfoCOP_subjects_01-16.tsv"
    with path.open(newline="", encoding="utf-8") as f:
        found = list(csv.DictReader(f, delimiter="\t"))
    assert len(found) == 192  # 16 subjects × 12 trials: the file is the one described
    return found


def _subjects(rows: list[dict[str, str]], columns: list[str]) -> dict[str, dict[str, str]]:
    """One row per subject, after checking the answers are identical on all 12 rows."""
    by_subject: dict[str, set[tuple[str, ...]]] = {}
    for row in rows:
        by_subject.setdefault(row["Subject"], set()).add(tuple(row[c] for c in columns))
    assert all(len(v) == 1 for v in by_subject.values())
    assert len(by_subject) == 16
    return {s: dict(zip(columns, next(iter(v)), strict=True)) for s, v in by_subject.items()}


def test_minibest_total_matches_hbedb_every_row(rows: list[dict[str, str]]) -> None:
    for row in rows:
        items = {iid: int(row[col]) for iid, col in MINIBEST_COLUMNS.items()}
        got = score("minibest", items)
        assert got.total == int(row["Best_T"]), (row["Trial"], got.total, row["Best_T"])


def test_hbedb_minibest_totals_tell_lower_side_from_other_rules(
    rows: list[dict[str, str]],
) -> None:
    """The recorded totals separate the rules: taking the higher side instead disagrees for
    every subject with unequal sides (there are several), and the 0–32 research variant
    (both sides counted) disagrees for every subject."""
    subjects = _subjects(rows, [*MINIBEST_COLUMNS.values(), "Best_T"])
    asymmetric = 0
    for values in subjects.values():
        items = {iid: int(values[col]) for iid, col in MINIBEST_COLUMNS.items()}
        recorded = int(values["Best_T"])
        got = score("minibest", items)
        single = sum(v for k, v in items.items() if k not in {"3l", "3r", "6l", "6r"})
        higher_side = single + max(items["3l"], items["3r"]) + max(items["6l"], items["6r"])
        unequal = items["3l"] != items["3r"] or items["6l"] != items["6r"]
        asymmetric += unequal
        assert (higher_side != recorded) == unequal
        assert got.subscores["both_sides_total"] != recorded
    assert asymmetric >= 5


def test_short_fes_i_total_and_category_match_hbedb_every_row(rows: list[dict[str, str]]) -> None:
    for row in rows:
        items = {iid: int(row[col]) for iid, col in FES_COLUMNS.items()}
        got = score("short-fes-i", items)
        assert got.total == int(row["FES_T"]), (row["Trial"], got.total, row["FES_T"])
        (category,) = [i.label for i in got.interpretation if i.scheme == "concern about falling"]
        assert category.casefold() == row["FES_S"].casefold(), (row["Trial"], category)


def test_hbedb_subjects_cover_every_short_fes_i_category(rows: list[dict[str, str]]) -> None:
    """The check above is not vacuous: the 16 subjects span all three categories, including
    both edges of the moderate band seen in the data (9 and 13) and a high-concern total."""
    subjects = _subjects(rows, ["FES_T", "FES_S"])
    categories = {v["FES_S"] for v in subjects.values()}
    assert categories == {"Low Concern", "Moderate Concern", "High Concern"}
    totals = {int(v["FES_T"]) for v in subjects.values()}
    assert {7, 8, 9, 13, 15} <= totals
