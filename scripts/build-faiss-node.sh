#!/usr/bin/env bash
# Builds faiss-node's N-API binding against Debian's libfaiss instead of its install script, which downloads
# prebuilt binaries or the faiss sources from the web. Idempotent: skips when the binding is newer than its source.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pkg="$root/node_modules/faiss-node"
out="$pkg/build/Release/faiss-node.node"
src="$pkg/src/faiss.cc"
[ -f "$src" ] || { echo "faiss-node is not installed (run npm ci first)" >&2; exit 1; }
compat="$root/scripts/native/faiss-compat.h"
if [ -f "$out" ] && [ "$out" -nt "$src" ] && [ "$out" -nt "$0" ] && [ "$out" -nt "$compat" ]; then
  echo "faiss-node binding is up to date"; exit 0
fi

node_include=$(node -p "require('path').join(process.execPath, '..', '..', 'include', 'node')")
addon_include=$(node -p "require('node-addon-api').include_dir" 2>/dev/null || echo "$root/node_modules/node-addon-api")
[ -d "$addon_include" ] || addon_include="$pkg/node_modules/node-addon-api"

mkdir -p "$(dirname "$out")"
echo "compiling faiss-node against $(dpkg-query -W -f='libfaiss-dev ${Version}' libfaiss-dev 2>/dev/null || echo 'system libfaiss')"
g++ -std=c++17 -O2 -fPIC -shared -fopenmp \
  -include "$compat" \
  -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS -DNODE_ADDON_API_DISABLE_DEPRECATED \
  -I"$node_include" -I"$addon_include" \
  "$src" -o "$out.tmp" -lfaiss -lopenblas -fopenmp
# Debian ships libfaiss as a static archive only, which does not record its BLAS dependency: without -lopenblas
# the binding loads, then dies with "undefined symbol: sgemm_" on the first BLAS path (a batch of 20+ queries).
mv "$out.tmp" "$out"
echo "built $out"
