#!/usr/bin/env bash
# UI figures (not a test): runs the e2e "Visualize layer" flow in code-server + Chromium and prints
# the time from the last quick pick to the first feature-map tile drawn in the panel, then the time
# from a click on another layer (model warm) until every tile in view is drawn.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f .test-artifacts/ui-figures.json
node scripts/build.mjs
node test/run-code-server.mjs e2e --grep "Visualize layer" | grep -E "figure:|passed|failed"
cat .test-artifacts/ui-figures.json
