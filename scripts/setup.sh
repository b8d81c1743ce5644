#!/usr/bin/env bash
# Set up bookvan on a fresh machine: the system packages it prints and tests with, then the
# locked Python environment in .venv/ (uv, from the versions in uv.lock).
# Idempotent: a second run only checks. Used by scripts/demo.sh and scripts/test.sh.
set -euo pipefail
cd "$(dirname "$0")/.."

UV_VERSION=0.13.9
# Debian packages: a CJK TrueType font for the PDFs (WenQuanYi Zen Hei, TrueType outlines
# that reportlab embeds), poppler for pdftotext/pdftoppm checks, Chromium for page tests,
# PostgreSQL for the desk's store tests (each test starts its own server in a temp folder).
APT_PACKAGES="fonts-wqy-zenhei poppler-utils chromium postgresql"
missing=""
[ -f /usr/share/fonts/truetype/wqy/wqy-zenhei.ttc ] || missing="$missing fonts-wqy-zenhei"
command -v pdftoppm >/dev/null 2>&1 || missing="$missing poppler-utils"
if [ "${BOOKVAN_SKIP_BROWSER:-0}" != 1 ]; then
  command -v chromium >/dev/null 2>&1 || missing="$missing chromium"
fi
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$missing postgresql"
if [ -n "$missing" ]; then
  echo "setup: installing system packages:$missing" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq >/dev/null
  # shellcheck disable=SC2086
  $SUDO apt-get install -y -qq $missing >/dev/null
fi
: "${APT_PACKAGES}"

if [ ! -x .tools/bin/uv ]; then
  echo "setup: installing uv ${UV_VERSION} into .tools/" >&2
  python3 -m venv .tools
  .tools/bin/pip install -q "uv==${UV_VERSION}"
fi
# Compiled bytecode at install: the environment sets PYTHONDONTWRITEBYTECODE, so without it
# every command recompiles the ~2,300 modules it imports (pandas alone took 5 s under load).
# bookvan's own folders too (the editable install runs them from the checkout); a stale
# .pyc after an edit is simply recompiled in memory.
.tools/bin/uv sync --frozen --quiet --compile-bytecode
.venv/bin/python -m compileall -q -j 0 data demand routing scenarios cli >/dev/null
