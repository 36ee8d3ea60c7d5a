"""A full episode of care through ``reeducate.cli.app.main`` on a temporary SQLite database:
patient → episode → plan and goals → prescription → two sessions that master the exercise →
``progress`` recommends one step harder with the evidence → ``progress decide --accept`` → the
prescription holds the harder variant → a session with pain +3 → ``progress`` says regress.
Every bad input is refused with one line on stderr and writes no row; the patient's name and
date of birth never appear in any output.

The command sequence is the README's "An episode of care from the terminal".
"""

# ruff: noqa: E501  (shell commands and messages are kept whole, one per line)
from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.cli.running import flat, run

from reeducate.cli.app import main
from reeducate.cli.exit_codes import ExitCode
from reeducate.store.engine import create_engine_for
from reeducate.store.models import Base

NAME = "Ada Example"  # as in the README
BORN = "1950-06-01"

#: The README's sequence, command by command (without the leading ``reeducate``).
EPISODE = f"""
patient add --name "{NAME}" --date-of-birth {BORN}
episode open P-0001 --start 2025-03-03 --diagnosis R26.81 --impairment balance --impairment proprioception
plan create P-0001 --start 2025-03-03 --frequency 2 --weeks 8 --goal "Stand on one leg for 20 s" --goal-measure sls-eo --goal-baseline 4 --goal-target 20 --goal-by 2025-04-28
goal add P-0001 --description "Get up and walk safely" --measure tug --baseline 16 --target 12 --by 2025-04-28
measure score tug --value 16 --population older_adults --patient P-0001 --date 2025-03-03
plan prescribe P-0001 bal-sls-firm-eo --sets 3 --hold-s 30 --start 2025-03-03
session log P-0001 --date 2025-03-05 --exercise bal-sls-firm-eo --hold-done 30,30,30 --difficulty 2 --pain-before 1 --pain-after 1 --duration-min 10 --minutes 97112=25 --cue "Soft knee"
session log P-0001 --date 2025-03-07 --exercise bal-sls-firm-eo --hold-done 30,30,30 --difficulty 2 --pain-before 1 --pain-after 1 --duration-min 10 --minutes 97112=25
progress P-0001 --on 2025-03-07
progress decide P-0001 bal-sls-firm-eo --accept --on 2025-03-07
plan show P-0001 --on 2025-03-07
session log P-0001 --date 2025-03-10 --exercise bal-sls-foam-eo --hold-done 30,30,30 --difficulty 3 --pain-before 1 --pain-after 4 --duration-min 10 --minutes 97112=25
progress P-0001 --on 2025-03-10
patient show P-0001 --on 2025-03-10
"""


def row_counts(path: Path) -> dict[str, int]:
    engine = create_engine_for(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            return {
                name: connection.scalar(select(func.count()).select_from(table)) or 0
                for name, table in Base.metadata.tables.items()
            }
    finally:
        engine.dispose()


class Outputs:
    """Every stdout and stderr seen, to check that no identifying data was printed."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def check_private(self) -> None:
        for text in self.texts:
            assert NAME not in text and "Ada" not in text
            assert BORN not in text


@pytest.fixture
def outputs() -> Outputs:
    return Outputs()


@pytest.fixture(scope="module")
def _seeded_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database after the first 8 commands of the episode (up to the second session)."""
    path = tmp_path_factory.mktemp("seeded") / "clinic.sqlite3"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REEDUCATE_DATABASE_URL", f"sqlite:///{path}")
        patch.setenv("REEDUCATE_ACTOR", "pt-jones")
        for line in EPISODE.strip().splitlines()[:8]:
            with pytest.raises(SystemExit) as exited:
                main(shlex.split(line))
            assert exited.value.code in (0, None), line
    return path


@pytest.fixture
def seeded(database: Path, _seeded_file: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """``database`` holding the episode up to the second session (a copy, per test)."""
    capsys.readouterr()  # what seeding printed
    shutil.copy(_seeded_file, database)
    return database


def cli(command: str, capsys: pytest.CaptureFixture[str], outputs: Outputs) -> tuple[int, str, str]:
    code, out, err = run(shlex.split(command), capsys)
    outputs.texts += [out, err]
    return code, out, err


def run_episode(capsys: pytest.CaptureFixture[str], outputs: Outputs) -> list[str]:
    stdouts = []
    for line in EPISODE.strip().splitlines():
        code, out, err = cli(line, capsys, outputs)
        assert code == ExitCode.OK, f"{line}\n{err}"
        stdouts.append(out)
    return stdouts


def test_a_full_episode_of_care_from_the_terminal(
    database: Path, capsys: pytest.CaptureFixture[str], outputs: Outputs
) -> None:
    outs = run_episode(capsys, outputs)
    assert outs[0].strip() == "P-0001"
    first_err = outputs.texts[1]
    assert f"created the database {database}" in flat(first_err)  # said once, on stderr
    assert "created the database" not in "".join(outputs.texts[2:])

    progressed = flat(outs[8])
    assert "PROGRESS bal-sls-firm-eo" in progressed
    assert "bal-sls-foam-eo" in progressed and "(surface: firm → foam)" in progressed
    assert "rule mastery" in progressed
    assert (
        "evidence 2 consecutive sessions (5 and 7 Mar) with all 3 sets at 30/30 s, "
        "self-rating 2/5, no symptoms → progress along surface" in progressed
    )
    assert "below evidence-based dose: 20 of 120 min" in progressed

    decided = flat(outs[9])
    assert "accept (progress was recommended by rule mastery)" in decided
    assert "prescription RX-0002 from 2025-03-07: bal-sls-foam-eo" in decided
    plan = flat(outs[10])
    assert "Prescription RX-0002 (from 2025-03-07) bal-sls-foam-eo" in plan
    assert "bal-sls-firm-eo" not in plan

    regressed = flat(outs[12])
    assert "REGRESS bal-sls-foam-eo" in regressed and "rule symptoms" in regressed
    assert "pain rose from 1 to 4 (NPRS, +3; regress at +2)" in regressed
    assert "foam → firm (bal-sls-firm-eo)" in regressed

    shown = flat(outs[13])
    assert "Identity recorded (not shown)" in shown
    assert "D-0001 2025-03-07: progress recommended for bal-sls-firm-eo; accept" in shown
    assert "M-0001 2025-03-03 tug 16 s" in shown
    for out in outs:  # readable at 80 columns
        assert all(len(line.rstrip()) <= 80 for line in out.splitlines()), out
    counts = row_counts(database)
    assert (counts["treatment_session"], counts["progression_decision"]) == (3, 1)
    assert counts["outcome_score"] == 1 and counts["prescription"] == 2
    outputs.check_private()


def test_json_output_of_progress_and_decide(
    seeded: Path, capsys: pytest.CaptureFixture[str], outputs: Outputs
) -> None:
    code, out, _ = cli("progress P-0001 --on 2025-03-07 --format json", capsys, outputs)
    assert code == ExitCode.OK
    report = json.loads(out)
    (item,) = report["exercises"]
    assert (item["decision"], item["rule"], item["target_variant_id"]) == (
        "progress",
        "mastery",
        "bal-sls-foam-eo",
    )
    assert {p["criterion"] for p in item["data_points"]} >= {"sets", "pain", "difficulty"}
    code, out, _ = cli(
        'progress decide P-0001 bal-sls-firm-eo --reject --reason "Knee swelling" '
        "--on 2025-03-07 --format json",
        capsys,
        outputs,
    )
    decision = json.loads(out)["decision"]
    assert (decision["decision"], decision["reason"], decision["decided_by"]) == (
        "reject",
        "Knee swelling",
        "pt-jones",
    )
    assert json.loads(out)["prescription_id"] is None
    code, out, _ = cli("patient list --format json", capsys, outputs)
    assert [p["code"] for p in json.loads(out)] == ["P-0001"]
    outputs.check_private()


BAD_INPUTS = [
    # (command, exit code, the start of the one-line message)
    ("plan prescribe P-0001 bal-sls-on-the-moon", ExitCode.NOT_FOUND, "variant_id must be an exercise of the library"),
    ("plan prescribe P-0001 bal-sls-foam-eo --sets 0 --hold-s 30", ExitCode.USAGE, "sets must be an integer 1–10; got 0"),
    ("session log P-0001 --date 2025-03-12 --exercise bal-sls-firm-eo --hold-done 30,30,30 --pain-before 11", ExitCode.USAGE, "pain_before_nprs must be an integer 0–10; got 11"),
    ("session log P-0001 --date 2025-03-12 --exercise bal-sls-firm-eo --hold-done 30,30,30 --pain-after -1", ExitCode.USAGE, "pain_after_nprs must be an integer 0–10; got -1"),
    ("session log P-0001 --date 2025-03-12 --exercise bal-nope --hold-done 30", ExitCode.NOT_FOUND, "exercises[0].variant_id must be an exercise of the library"),
    ("measure score bbs --item 1=7 --patient P-0001", ExitCode.USAGE, "measure 'bbs', item '1'"),
    ("session log P-0001 --date 2025-03-01 --exercise bal-sls-firm-eo --hold-done 30,30,30", ExitCode.INPUT_ERROR, "session_date must not be before the episode began (2025-03-03); got 2025-03-01"),
    ("session log P-0001 --date 2025-03-05 --exercise bal-sls-firm-eo --hold-done 30,30,30", ExitCode.INPUT_ERROR, "exercises[0].variant_id must not repeat an exercise already recorded"),
    ("session log P-0999 --date 2025-03-12 --exercise bal-sls-firm-eo --hold-done 30,30,30", ExitCode.NOT_FOUND, "patient_code must be a recorded patient; got 'P-0999'"),
    ("measure score tug --value 12 --patient P-0999", ExitCode.NOT_FOUND, "patient_code must be a recorded patient; got 'P-0999'"),
    ("progress decide P-0001 bal-sls-firm-eo --reject --on 2025-03-07", ExitCode.USAGE, "reason is required to reject a recommendation"),
    ("progress decide P-0001 bal-sls-firm-eo --accept --reject --on 2025-03-07", ExitCode.USAGE, "exactly one of --accept, --change-to ID and --reject"),
    ("session log P-0001 --date 2025-13-01 --exercise bal-sls-firm-eo --hold-done 30", ExitCode.USAGE, "--date must be a date YYYY-MM-DD; got '2025-13-01'"),
    ("episode open P-0001 --start 2025-03-03 --diagnosis 97112 --impairment balance", ExitCode.USAGE, "diagnoses[0] must be an ICD-10 code"),
    ("patient add --name X --date-of-birth 1850-01-01", ExitCode.USAGE, "identity.date_of_birth must be a date on or after 1900-01-01"),
    ("plan create P-0001 --frequency 9 --weeks 8 --goal G --goal-measure tug --goal-baseline 16 --goal-target 12 --goal-by 2025-05-01 --start 2025-03-03", ExitCode.USAGE, "frequency_per_week must be an integer 1–7; got 9"),
]  # fmt: skip


@pytest.mark.parametrize(("command", "exit_code", "message"), BAD_INPUTS)
def test_bad_input_is_refused_with_one_line_and_nothing_written(
    command: str,
    exit_code: ExitCode,
    message: str,
    seeded: Path,
    capsys: pytest.CaptureFixture[str],
    outputs: Outputs,
) -> None:
    database = seeded  # the episode up to the second session
    before = row_counts(database)
    code, out, err = cli(command, capsys, outputs)
    assert code == exit_code, err
    assert out == ""
    assert err.startswith(f"error: {message}"), err
    assert len(err.strip().splitlines()) == 1
    assert row_counts(database) == before
    outputs.check_private()


SESSION_FILE = """\
date = 2025-03-12
setting = "clinic"
note = "Two exercises"
minutes = { "97112" = 20, "97110" = 10 }

[[exercise]]
variant = "bal-sls-firm-eo"
hold_done_s = [30, 30, 25]
difficulty = 3
pain_before_nprs = 1
pain_after_nprs = 2
losses_of_balance = [0, 0, 1]
cues = ["Soft knee"]
duration_min = 10

[[exercise]]
variant = "bal-sls-firm-ec"
hold_target_s = 10
hold_done_s = [10, 8]
quality = 3
quality_scale_max = 4
assistance = "supervision"
"""


def test_a_whole_session_from_a_file_and_its_errors_name_the_file(
    seeded: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], outputs: Outputs
) -> None:
    database = seeded
    session = tmp_path / "session.toml"
    session.write_text(SESSION_FILE, encoding="utf-8")
    code, out, err = cli(f"session log P-0001 --file {session}", capsys, outputs)
    assert code == ExitCode.OK, err
    assert "bal-sls-firm-eo, bal-sls-firm-ec" in flat(out)
    assert "97110 10 min, 97112 20 min" in flat(out)
    before = row_counts(database)
    bad = tmp_path / "bad.toml"
    bad.write_text(SESSION_FILE.replace("pain_after_nprs = 2", "pain = 2"), encoding="utf-8")
    code, _, err = cli(f"session log P-0001 --file {bad}", capsys, outputs)
    assert (code, flat(err)[:48]) == (
        ExitCode.INPUT_ERROR,
        "error: bad.toml, exercise[0]: unknown key 'pain'",
    )
    bad.write_text(SESSION_FILE.replace("pain_after_nprs = 2", "pain_after_nprs = 12"), "utf-8")
    code, _, err = cli(f"session log P-0001 --file {bad}", capsys, outputs)
    assert code == ExitCode.USAGE
    assert flat(err) == "error: bad.toml: pain_after_nprs must be an integer 0–10; got 12"
    assert row_counts(database) == before
    outputs.check_private()


def test_the_readme_shows_exactly_this_episode() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("### An episode of care from the terminal", 1)[1]
    block = section.split("```bash\n", 1)[1].split("```", 1)[0]
    commands = [
        shlex.split(line, comments=True)[1:]
        for line in block.splitlines()
        if line.startswith("reeducate ")
    ]
    assert commands == [shlex.split(line) for line in EPISODE.strip().splitlines()]
    assert "export REEDUCATE_DATABASE_URL=sqlite:///demo-clinic.sqlite3" in block
