"""Running the command line in-process, as the CLI tests do."""

from __future__ import annotations

import pytest

from reeducate.cli.app import main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    """``reeducate ARGV``: its exit code, stdout and stderr."""
    with pytest.raises(SystemExit) as exited:
        main(argv)
    out, err = capsys.readouterr()
    return int(exited.value.code or 0), out, err


def flat(text: str) -> str:
    """Output with Rich's line wrapping undone."""
    return " ".join(text.split())
