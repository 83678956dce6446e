#!/usr/bin/env bash
# Redraws the example project's context map shown in README.md:
#   docs/context-map-shop.svg  (pattern-language map, drawn in Rust)
#   docs/context-map-shop.png  (the SVG rendered by headless Chromium, when it is installed)
# Usage: bash docs/context-map.sh   (from anywhere; builds the binary if needed)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo run -q -- map tests/fixtures/shop -o docs/context-map-shop.svg
chromium=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$chromium" ]; then
  echo "chromium not found: wrote docs/context-map-shop.svg only (apt-get install chromium)" >&2
  exit 0
fi
read -r width height < <(sed -n '1s/.* width="\([0-9]*\)" height="\([0-9]*\)".*/\1 \2/p' docs/context-map-shop.svg)
profile=$(mktemp -d)
trap 'rm -rf "$profile"' EXIT
"$chromium" --headless --no-sandbox --disable-gpu --disable-background-networking \
  --disable-component-update --disable-sync --no-first-run --user-data-dir="$profile" \
  --screenshot="$PWD/docs/context-map-shop.png" --window-size="$width,$height" \
  "file://$PWD/docs/context-map-shop.svg" >/dev/null 2>&1
echo "wrote docs/context-map-shop.svg and docs/context-map-shop.png (${width}x${height})"
