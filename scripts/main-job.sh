#!/usr/bin/env bash
# Sets up (idempotent, offline) and runs the main job: the pipeline over the shared real datasets
# (damaged: bilgi-car-damage + flickr-car-damage-parts, undamaged: car-parts-undamaged) into ./workspace.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh
npm run -s cli -- run --workspace "${CARLENS_WORKSPACE:-workspace}" "$@"
