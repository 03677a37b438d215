#!/usr/bin/env bash
# Install immsim and run the main job: the built-in default scenario us-2017.
# Extra arguments go to `immsim run` (e.g. --years 10 --replications 5).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/immsim run us-2017 "$@"
