"""``reeducate exercises ...`` end to end (through ``main``): filters, output, one-line errors."""

from __future__ import annotations

import json

import pytest
from tests.cli.running import run

from reeducate.cli.exit_codes import ExitCode
from reeducate.clinic.exercises import load_library
from reeducate.services.library import exercise_detail


def test_search_json_keeps_only_variants_that_satisfy_every_filter(
    capsys: pytest.CaptureFixture[str],
) -> None:
    argv = ["exercises", "search", "--region", "ankle_foot", "--technique", "balance"]
    argv += ["--level", "surface=foam", "--equipment", "foam_pad,counter", "--format", "json"]
    code, out, err = run(argv, capsys)
    assert code == ExitCode.OK, err
    doc = json.loads(out)
    assert doc["count"] == len(doc["exercises"]) > 0
    for hit in doc["exercises"]:
        assert hit["technique"] == "balance" and "ankle_foot" in hit["regions"]
        assert hit["levels"]["surface"] == "foam"
        assert set(hit["equipment"]) <= {"foam_pad", "counter"}
    expected = [
        v.id
        for v in load_library()
        if v.technique == "balance"
        and "ankle_foot" in v.regions
        and v.levels.surface == "foam"
        and v.equipment <= {"foam_pad", "counter"}
    ]
    assert [hit["id"] for hit in doc["exercises"]] == expected
    assert doc["filters"]["levels"] == {"surface": "foam"}


def test_search_table_lists_ids_and_flags_contraindicated_exercises(
    capsys: pytest.CaptureFixture[str],
) -> None:
    base = ["exercises", "search", "--region", "knee", "--technique", "nmes_activation"]
    code, out, err = run([*base, "--contraindication", "pacemaker"], capsys)
    assert code == ExitCode.OK, err
    assert out.startswith("No exercise matches") and "excluded: pacemaker" in " ".join(out.split())
    code, out, err = run(
        [*base, "--contraindication", "pacemaker", "--flag-contraindicated"], capsys
    )
    assert code == ExitCode.OK, err
    nmes_knee = [
        v.id for v in load_library() if v.technique == "nmes_activation" and "knee" in v.regions
    ]
    assert f"{len(nmes_knee)} exercises" in out
    assert all(vid in out for vid in nmes_knee)
    assert " ".join(out.split()).count("contraindicated: pacemaker") == len(nmes_knee)


def test_show_prints_everything_a_therapist_needs(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["exercises", "show", "bal-sls-firm-eo"], capsys)
    assert code == ExitCode.OK, err
    detail = exercise_detail("bal-sls-firm-eo")
    for heading in ("Instructions", "Cues", "Common faults", "Safety", "Contraindications"):
        assert f"\n{heading}\n" in out
    assert "97112" in out and "3 sets × 10 s hold" in out
    assert detail.instructions[-1] in out
    for step in (*detail.harder, *detail.easier):
        assert step.id in out
    assert "↑ surface" in out and "↓ support" in out


def test_show_json_round_trips(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["exercises", "show", "nm-quad-supine", "--format", "json"], capsys)
    assert code == ExitCode.OK, err
    doc = json.loads(out)
    assert doc == exercise_detail("nm-quad-supine").to_dict()
    assert doc["nmes"]["pulse_width_us"] == 300.0 and doc["cpt_code"] == "97032"


def test_terms_lists_every_dimension(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["exercises", "terms", "--format", "json"], capsys)
    assert code == ExitCode.OK, err
    doc = json.loads(out)
    assert list(doc["dimensions"]["surface"]) == ["firm", "foam", "unstable"]
    assert "pacemaker" in doc["contraindications"]


@pytest.mark.parametrize(
    ("argv", "exit_code", "expected"),
    [
        (["show", "bal-sls-firm"], ExitCode.NOT_FOUND, "closest: bal-sls-firm"),
        (["search", "--region", "neck"], ExitCode.USAGE, "region must be one of cervical"),
        (["search", "--technique", "yoga"], ExitCode.USAGE, "technique must be one of"),
        (["search", "--level", "surface=sand"], ExitCode.USAGE, "firm, foam, unstable"),
        (["search", "--level", "surfac=foam"], ExitCode.USAGE, "level must name a dimension"),
        (["search", "--level", "surface"], ExitCode.USAGE, "--level must be KEY=VALUE"),
        (["search", "--equipment", "trampoline"], ExitCode.USAGE, "equipment must be one of"),
        (["search", "--contraindication", "flu"], ExitCode.USAGE, "contraindication must be"),
        (["search", "--format", "xml"], ExitCode.USAGE, "--format"),
    ],
)
def test_bad_input_gives_one_line_on_stderr_and_nothing_on_stdout(
    argv: list[str], exit_code: int, expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(["exercises", *argv], capsys)
    assert code == exit_code
    assert out == ""
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert expected in err
