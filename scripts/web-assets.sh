#!/usr/bin/env bash
# Install the web application's stylesheets and fonts (npm packages pinned in
# src/reeducate/web/assets/package-lock.json) into the git-ignored node_modules beside it.
# The application serves them itself (no CDN) and refuses to start without them.
# Idempotent: does nothing when every locked package is installed at its locked version
# (pass --force to reinstall).
set -euo pipefail
cd "$(dirname "$0")/../src/reeducate/web/assets"
if ! command -v npm >/dev/null 2>&1; then
    echo "web-assets: npm not found; install Node.js and npm (Debian: apt-get install -y npm)" >&2
    exit 1
fi
installed() {
    node -e '
        const fs = require("fs");
        const lock = JSON.parse(fs.readFileSync("package-lock.json", "utf8")).packages;
        for (const [path, entry] of Object.entries(lock)) {
            if (!path) continue;
            let got;
            try { got = JSON.parse(fs.readFileSync(path + "/package.json", "utf8")).version; }
            catch { process.exit(1); }
            if (got !== entry.version) process.exit(1);
        }'
}
if [ "${1:-}" != "--force" ] && installed; then
    echo "web-assets: up to date"
    exit 0
fi
npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
installed || { echo "web-assets: npm ci did not install the locked versions" >&2; exit 1; }
echo "web-assets: installed $(node -p 'Object.entries(require("./package.json").dependencies).map(([n, v]) => n + "@" + v).join(", ")')"
