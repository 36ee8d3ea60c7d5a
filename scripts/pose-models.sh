#!/usr/bin/env bash
# Install the BlazePose model bundles of the video route (run by scripts/install.sh when the
# `video` extra is installed; needs npm and the extra in ./.venv).
#
# Obtains the npm registry package @mediapipe/pose@0.5.1675469404 (Apache-2.0) with `npm pack`
# (npm checks the registry's integrity hash), checks every model file against the sha256 pinned
# in src/reeducate/movement/pose/models.py, builds pose_landmarker_{lite,full,heavy}.task
# (reproducibly; their sha256 is pinned too) and stores them in $REEDUCATE_POSE_MODELS, or
# .venv/share/reeducate/pose-models. Nothing is downloaded at run time, and nothing goes in git.
# Idempotent: does nothing when the three bundles are present and verified (--force rebuilds).
set -euo pipefail
cd "$(dirname "$0")/.."
py=.venv/bin/python
package="$("$py" -c 'from reeducate.movement.pose.models import NPM_PACKAGE; print(NPM_PACKAGE)')"
dest="${REEDUCATE_POSE_MODELS:-$("$py" -c 'from reeducate.movement.pose.models import default_models_dir; print(default_models_dir())')}"
verified() {
    "$py" - "$dest" <<'PY'
import sys
from pathlib import Path
from reeducate.movement.pose.models import POSE_MODELS, locate_model
try:
    for m in POSE_MODELS:
        locate_model(m, models_dir=Path(sys.argv[1]))
except Exception as exc:  # missing or different: rebuild
    print(f"pose-models: {exc}", file=sys.stderr)
    sys.exit(1)
PY
}
if [ "${1:-}" != "--force" ] && verified 2>/dev/null; then
    echo "pose-models: up to date in $dest"
    exit 0
fi
if ! command -v npm >/dev/null 2>&1; then
    echo "pose-models: npm not found; install Node.js and npm (Debian: apt-get install -y npm)" >&2
    exit 1
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent --loglevel=error "$package" >/dev/null)
tar -xzf "$tmp"/mediapipe-pose-*.tgz -C "$tmp"
"$py" -m reeducate.movement.pose.provision --package-dir "$tmp/package" --output-dir "$dest"
verified
echo "pose-models: installed in $dest"
