#!/usr/bin/env bash
# Screenshot of the controller dashboard in headless Chromium.
#   Scripts/dashboard-screenshot.sh [URL] [OUT.png]
# URL defaults to http://127.0.0.1:8080/dashboard (start a cluster with `loraserve up` first).
# Needs chromium (Debian: apt-get install chromium).
set -euo pipefail
url="${1:-http://127.0.0.1:8080/dashboard}"
out="${2:-dashboard.png}"
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
if [[ -z "$browser" ]]; then
  echo "error: chromium not found (apt-get install chromium)" >&2
  exit 1
fi
if ! curl -fsS -o /dev/null "$url"; then
  echo "error: $url does not answer" >&2
  exit 1
fi
"$browser" --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1400,1000 \
  --screenshot="$(realpath -m "$out")" "$url" 2>/dev/null
test -s "$out" && echo "wrote $out"
