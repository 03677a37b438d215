#!/usr/bin/env bash
# Install immsim with its test tools (and Debian's Chromium for the browser
# tests), run the linter and the format check, then the whole test suite, slow tests included
# (pass -m "not slow" for the quick subset).
set -euo pipefail
cd "$(dirname "$0")/.."
# The Python packages and the browser install side by side (each mostly waits on downloads); either failing stops here.
bash scripts/install-browser.sh &
browser=$!
bash scripts/setup.sh test
wait "$browser"
.venv/bin/ruff check src tests benchmarks tools
.venv/bin/ruff format --check src tests benchmarks tools
# On every core (pytest-xdist); tests/conftest.py groups and orders the tests and compiles the kernels once.
exec .venv/bin/python -m pytest -n auto --dist loadgroup --no-loadscope-reorder "$@"
