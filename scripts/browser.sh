#!/usr/bin/env bash
# Make sure the browser tests can run: Debian's chromium at /usr/bin/chromium (Playwright drives
# this system browser; its own browser download is never used), and the web assets.
# Installs chromium with apt-get when it is missing (needs root, or sudo).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
    if [ "$(id -u)" -eq 0 ]; then
        sudo=()
    elif command -v sudo >/dev/null 2>&1; then
        sudo=(sudo -n)
    else
        echo "browser: /usr/bin/chromium is missing and neither root nor sudo is available;" \
            "install Debian's chromium package" >&2
        exit 1
    fi
    echo "browser: installing Debian's chromium"
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        chromium fonts-liberation >/dev/null
fi
/usr/bin/chromium --version 2>/dev/null | head -n 1
scripts/web-assets.sh
