#!/usr/bin/env bash
# Quick start, command 2: install into ./.venv and run the whole test suite with its checks.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh dev
# System packages the suite needs: PostgreSQL for the store tests (a throwaway server is started
# by the tests themselves unless REEDUCATE_TEST_POSTGRES_URL names one).
if [ -z "${REEDUCATE_TEST_POSTGRES_URL:-}" ]; then
    # Without root on a machine lacking PostgreSQL, its tests skip locally (never in CI).
    scripts/postgres.sh install || echo "warning: PostgreSQL unavailable; its store tests will skip" >&2
fi
# Debian's Chromium for the browser tests (never a browser download at test time).
scripts/browser.sh >/dev/null || echo "warning: chromium unavailable; browser tests will skip" >&2
export MPLBACKEND=Agg
echo "== ruff";          .venv/bin/ruff check src tests benchmarks
echo "== import-linter"; .venv/bin/lint-imports
echo "== mypy (pure layers)"; .venv/bin/mypy
echo "== pytest"
.venv/bin/python -m pytest -n 2 "$@"
