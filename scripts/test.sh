#!/usr/bin/env bash
# The whole test suite (browser, PDF and notebook tests included), after setting up what it
# needs. Extra arguments go to pytest, e.g. `bash scripts/test.sh -m "not slow"` for the fast set.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
