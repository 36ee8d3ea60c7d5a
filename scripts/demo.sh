#!/usr/bin/env bash
# Quick start, command 1: install into ./.venv and run the main job on bundled real data.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install.sh c3d
exec .venv/bin/reeducate demo --out "${1:-reeducate-demo}"
