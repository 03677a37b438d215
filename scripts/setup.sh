#!/usr/bin/env bash
# Create .venv (if needed) and install immsim with the given extras, e.g. "test".
#
# The install goes through uv (a package installer from the registry, installed into .venv by pip) when it can:
# on a 2-core machine with no cache, 30 s against pip's 52 s for the test extras, with the same versions
# (docs/performance.md). Bytecode is compiled at install, as pip does, so that no process pays for it at
# import (about 5 s each where PYTHONDONTWRITEBYTECODE is set). If uv cannot be had or fails (an index only
# pip is configured for, say), pip does the install.
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
target="."
if [ -n "$extras" ]; then
  target=".[$extras]"
fi
if .venv/bin/python -m pip install --quiet uv 2>/dev/null &&
  .venv/bin/python -m uv pip install --quiet --compile-bytecode --python .venv/bin/python -e "$target"; then
  exit 0
fi
echo "setup: uv was not available; installing with pip" >&2
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e "$target"
