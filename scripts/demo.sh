#!/usr/bin/env bash
# The main job on the bundled Keelung network: set up, plan tomorrow's-style demo day, check
# it, print manifests, and show a summary. Usage: bash scripts/demo.sh [YYYY-MM-DD]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
DATE="${1:-2026-12-01}"
OUT="out/${DATE}"
.venv/bin/bookvan plan --date "$DATE" --out "$OUT"
.venv/bin/bookvan check "$OUT"
.venv/bin/bookvan manifest "$OUT" --lang both
echo
echo "Plan folder: $OUT (plan.json, stops.parquet, …); driver manifests, labels, GPX and the day overview: $OUT/manifests/"
