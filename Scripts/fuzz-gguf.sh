#!/usr/bin/env bash
# Builds the GGUF mutation fuzzer in release and runs it.
#   Scripts/fuzz-gguf.sh [ITERATIONS] [SEED]
# Uses the real SmolLM2 file as extra seed corpus when present ($LORASERVE_HOME/models).
# PACKAGE_DIR overrides the package to build (default: this repository).
set -euo pipefail
root="${PACKAGE_DIR:-$(cd "$(dirname "$0")/.." && pwd)}"
iterations="${1:-300000}"
seed="${2:-1}"
model="${LORASERVE_HOME:-$HOME/.cache/loraserve}/models/SmolLM2-135M-Instruct.Q4_1.gguf"
cd "$root"
nice -n 5 swift build -c release --product GGUFFuzz
bin="$(swift build -c release --show-bin-path)/GGUFFuzz"
args=(--iterations "$iterations" --seed "$seed")
if [[ -f "$model" ]]; then args+=(--real "$model"); fi
exec nice -n 5 "$bin" "${args[@]}"
