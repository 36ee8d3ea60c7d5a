#!/usr/bin/env bash
# Quick start, command 2: install into ./.venv and run the whole test suite with its checks.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh dev
export MPLBACKEND=Agg
echo "== ruff";          .venv/bin/ruff check src tests benchmarks
echo "== import-linter"; .venv/bin/lint-imports
echo "== mypy (pure layers)"; .venv/bin/mypy
echo "== pytest"
.venv/bin/python -m pytest -n 2 "$@"
