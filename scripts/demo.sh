#!/usr/bin/env bash
# Quick start, command 1: install into ./.venv, then run the clinic application on a demo clinic
# built from the bundled real recordings: open http://127.0.0.1:8000/ (the demo accounts are
# printed once); Ctrl-C stops it and the demo database goes with it.
#   scripts/demo.sh               the clinic application (PORT=8001 scripts/demo.sh for another port)
#   scripts/demo.sh balance [OUT] the balance-assessment demo: a report of twelve real trials in OUT
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh c3d
if [ "${1:-}" = "balance" ]; then
    exec .venv/bin/reeducate demo --out "${2:-reeducate-demo}"
fi
exec .venv/bin/reeducate serve --demo --port "${PORT:-8000}"
