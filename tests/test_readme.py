"""The README's example commands run as written (balance, exercise library, outcome measures).

The episode-of-care sequence is run by tests/cli/test_care_cli.py.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from reeducate.cli.app import main
from reeducate.cli.exit_codes import ExitCode

REPO = Path(__file__).resolve().parents[1]
README = (REPO / "README.md").read_text(encoding="utf-8")


def _section(title: str) -> str:
    start = README.index(f"### {title}")
    end = README.find("\n### ", start + 1)
    return README[start : end if end != -1 else None]


def _commands(title: str) -> list[list[str]]:
    blocks = re.findall(r"```bash\n(.*?)```", _section(title), flags=re.S)
    commands = []
    for block in blocks:
        for line in block.splitlines():
            words = shlex.split(line, comments=True)
            if words and words[0] == "reeducate":
                commands.append(words[1:])
    return commands


BALANCE = _commands("Balance assessment")
LIBRARY = _commands("Exercise library and outcome measures")


def test_the_readme_shows_commands_to_run() -> None:
    assert len(BALANCE) >= 5 and len(LIBRARY) >= 8


@pytest.mark.slow
@pytest.mark.parametrize("argv", BALANCE + LIBRARY, ids=lambda a: " ".join(a)[:60])
def test_readme_command_runs(
    argv: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    for name in ("src", "examples"):
        (tmp_path / name).symlink_to(REPO / name)
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        main(argv)
    out, err = capsys.readouterr()
    assert exited.value.code == ExitCode.OK, err
    assert out.strip() or (tmp_path / "report" / "report.html").exists()
