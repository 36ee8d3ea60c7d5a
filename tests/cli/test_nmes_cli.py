"""``reeducate nmes`` through ``reeducate.cli.app.main`` on a temporary SQLite database: the
protocol table, the check (exit 0, or 3 with one line on stderr on a hard stop or a
contraindication), screening items added and resolved, sessions logged or refused (writing
nothing). The patient's name never appears. The commands are the README's NMES section."""

# ruff: noqa: E501  (shell commands are kept whole, one per line)
from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import pytest
from sqlalchemy import func, select
from tests.cli.running import flat
from tests.cli.running import run as run_argv

from reeducate.cli.exit_codes import ExitCode
from reeducate.store.engine import create_engine_for
from reeducate.store.models import NmesScreeningItemRow, NmesSessionRow

NAME = "Ada Example"


def run(command: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``reeducate COMMAND``, checking that the patient's name never reaches the output."""
    code, out, err = run_argv(shlex.split(command), capsys)
    assert NAME not in out + err
    return code, out, err


def count(path: Path, model: type) -> int:
    engine = create_engine_for(f"sqlite:///{path}")
    try:
        with engine.connect() as connection:
            return connection.scalar(select(func.count()).select_from(model)) or 0
    finally:
        engine.dispose()


def test_protocols_table_and_json(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run("nmes protocols", capsys)
    assert code == ExitCode.OK
    for protocol_id in ("quad-tka", "quad-strengthening", "gluteal-activation",
                        "dorsiflexion-assist", "motor-reeducation-cyclic", "motor-reeducation-emg"):  # fmt: skip
        assert protocol_id in out
    assert all(len(line) <= 80 for line in out.splitlines())
    code, out, _ = run("nmes protocols --format json", capsys)
    rows = {row["id"]: row for row in json.loads(out)}
    assert rows["quad-tka"]["pulse_width_us"] == 250
    assert "stevens-lapsley-2012" in rows["quad-tka"]["sources"]
    assert rows["dorsiflexion-assist"]["exercise_variants"] == [
        "nm-tibialis-seated",
        "nm-tibialis-seated-long",
    ]


def test_check_without_a_patient_exits_3_on_a_hard_stop(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run("nmes check --protocol quad-tka --intensity-ma 80", capsys)
    assert code == ExitCode.OK and err == ""
    assert "rms current 12.65 mA" in flat(out)  # 80 × sqrt(0.025)
    assert "verdict allow" in flat(out)
    code, out, err = run(
        "nmes check --protocol quad-tka --intensity-ma 200 --electrode-area-cm2 10", capsys
    )
    assert code == ExitCode.INPUT_ERROR
    assert "current density 3.162 mA rms/cm²" in flat(out)
    assert len(err.strip().splitlines()) == 1 and "stimulation refused (stop)" in err
    assert "Traceback" not in err


def test_screen_check_log_and_sessions(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(f'patient add --name "{NAME}" --date-of-birth 1950-06-01', capsys)
    assert out.strip() == "P-0001"
    # README: record the patient's screening items
    code, out, _ = run(
        "nmes screen --patient P-0001 --add pacemaker --add impaired_sensation_at_site@anterior_thigh",
        capsys,
    )
    assert code == ExitCode.OK and "NS-0001  pacemaker" in out and "at anterior_thigh" in out
    # README: the check before stimulating
    code, out, err = run(
        "nmes check --protocol quad-tka --patient P-0001 --intensity-ma 70", capsys
    )
    assert code == ExitCode.INPUT_ERROR
    assert "screening block" in flat(out) and "stimulation refused (block)" in err
    code, _, err = run(
        "nmes log --patient P-0001 --protocol quad-tka --intensity-ma 70 --contractions 15 --minutes 16 --skin-before intact --skin-after intact --date 2025-03-05",
        capsys,
    )
    assert code == ExitCode.INPUT_ERROR and "must pass the check" in err
    assert count(database, NmesSessionRow) == 0
    # the pacemaker was a mistake; the sensation precaution gets documented
    code, out, _ = run(
        'nmes screen --patient P-0001 --resolve NS-0001 --resolve NS-0002 --add impaired_sensation_at_site@anterior_thigh --precaution "intensity by visible contraction; skin checked every 5 min"',
        capsys,
    )
    assert "NS-0003" in out and "NS-0001" not in out
    code, out, _ = run("nmes check --protocol quad-tka --patient P-0001 --intensity-ma 70", capsys)
    assert code == ExitCode.OK and "verdict allow_with_precaution" in flat(out)
    # README: log the session with a dynamometer reading
    code, out, err = run(
        "nmes log --patient P-0001 --protocol quad-tka --intensity-ma 70 --contractions 15 --minutes 16 --skin-before intact --skin-after mild_redness --peak-force-n 150 --mvic-n 400 --date 2025-03-05",
        capsys,
    )
    assert code == ExitCode.OK, err
    assert "NM-0001" in out and "evoked force 38 % MVIC" in flat(out)
    assert "below the protocol's target of 50 % MVIC" in flat(out)
    code, out, _ = run("nmes sessions --patient P-0001 --format json", capsys)
    (session,) = json.loads(out)
    assert session["minutes_attended"] == 16 and session["evoked_force_pct_mvic"] == 37.5
    assert session["checks"]["verdict"] == "allow_with_precaution"
    code, out, _ = run("nmes screen --patient P-0001 --all --format json", capsys)
    assert [i["id"] for i in json.loads(out)] == ["NS-0001", "NS-0002", "NS-0003"]


@pytest.mark.parametrize(
    ("command", "message", "exit_code"),
    [
        ("nmes screen --patient P-0001 --add flu", "code must be one of", ExitCode.USAGE),
        (
            "nmes screen --patient P-0001 --add acute_dvt@",
            "--add must be CODE or CODE@SITE",
            ExitCode.USAGE,
        ),
        (
            "nmes screen --patient P-0001 --precaution x",
            "--precaution must come with --add",
            ExitCode.USAGE,
        ),
        ("nmes screen --patient P-0009 --add pacemaker", "P-0009", ExitCode.NOT_FOUND),
        ("nmes check --protocol quad", "protocol must be one of", ExitCode.NOT_FOUND),
        (
            "nmes log --patient P-0001 --protocol quad-tka --intensity-ma 70 --contractions 15 --minutes 16 --skin-before blister_or_burn --skin-after intact",
            "never go on broken skin",
            ExitCode.INPUT_ERROR,
        ),
        (
            "nmes log --patient P-0001 --protocol quad-tka --intensity-ma 70 --contractions 15 --minutes 16 --skin-before intact --skin-after intact --peak-force-n 100",
            "must be given together",
            ExitCode.USAGE,
        ),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(
    database: Path,
    capsys: pytest.CaptureFixture[str],
    command: str,
    message: str,
    exit_code: ExitCode,
) -> None:
    run(f'patient add --name "{NAME}" --date-of-birth 1950-06-01', capsys)
    code, _, err = run(command, capsys)
    assert code == exit_code
    assert message in err and len(err.strip().splitlines()) == 1
    assert count(database, NmesScreeningItemRow) == 0
    assert count(database, NmesSessionRow) == 0


def _readme_commands() -> list[str]:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    start = readme.index("### Neuromuscular electrical stimulation (NMES)")
    end = min(i for i in (readme.find("\n## ", start), readme.find("\n### ", start + 1)) if i > 0)
    (block,) = re.findall(r"```bash\n(.*?)```", readme[start:end], flags=re.S)
    commands = []
    for line in block.splitlines():
        words = shlex.split(line, comments=True)
        if words and words[0] == "reeducate":
            commands.append(shlex.join(words[1:]))
    return commands


def test_the_readme_sequence_runs(database: Path, capsys: pytest.CaptureFixture[str]) -> None:
    commands = _readme_commands()
    assert len(commands) == 6
    run(f'patient add --name "{NAME}" --date-of-birth 1950-06-01', capsys)
    outputs = []
    for command in commands:
        code, out, err = run(command, capsys)
        assert code == ExitCode.OK, (command, err)
        outputs.append(flat(out))
    assert "verdict allow_with_precaution" in outputs[3]
    assert "evoked force 50 % MVIC" in outputs[4]  # 190 N of 380 N
    assert count(database, NmesSessionRow) == 1
