#!/usr/bin/env bash
# Renders docs/icon.svg to media/icon.png (the marketplace icon, 256x256) with headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --default-background-color=00000000 \
  --window-size=256,256 --screenshot="$PWD/media/icon.png" "file://$PWD/docs/icon.svg" 2>/dev/null
echo "wrote media/icon.png"
