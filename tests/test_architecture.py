"""Architecture rules: layers import downward only; importing the package does nothing."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def test_import_linter_contracts_are_kept() -> None:
    exe = shutil.which("lint-imports") or str(Path(sys.executable).with_name("lint-imports"))
    proc = subprocess.run([exe], cwd=REPO, capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "0 broken" in proc.stdout


@pytest.mark.parametrize("module", ["reeducate", "reeducate.errors", "reeducate.units"])
def test_importing_the_package_loads_nothing_heavy(module: str) -> None:
    code = (
        f"import sys, {module}; "
        "heavy = [m for m in ('numpy', 'scipy', 'pandas', 'matplotlib', 'typer', 'logging') "
        "if m in sys.modules]; print(heavy)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"


def test_the_command_line_starts_without_the_numerical_stack() -> None:
    # `reeducate --help` must be instant, and batch workers import SciPy in parallel.
    code = (
        "import sys, reeducate.cli.app; "
        "print([m for m in ('scipy', 'pandas', 'matplotlib') if m in sys.modules])"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.strip() == "[]"
