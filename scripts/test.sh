#!/usr/bin/env bash
# Install immsim with its test tools and run the whole test suite, slow tests
# included (pass -m "not slow" for the quick subset), then the linter.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
.venv/bin/ruff check src tests benchmarks tools
exec .venv/bin/python -m pytest "$@"
