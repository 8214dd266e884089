#!/usr/bin/env bash
# Builds faiss-node's N-API binding against Debian's libfaiss instead of its install script, which downloads
# prebuilt binaries or the faiss sources from the web. The npm package's source is never edited: a patched copy
# (scripts/native/faiss-node.patch, forwarding to scripts/native/faiss-binding*.h: Float32Array input, filtered
# search, subset search, HNSW / IVF parameters) is written under its build folder and compiled from there.
# Idempotent: skips when the binding is newer than its source, the patch, the headers and this script.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
pkg="$root/node_modules/faiss-node"
out="$pkg/build/Release/faiss-node.node"
src="$pkg/src/faiss.cc"
native="$root/scripts/native"
[ -f "$src" ] || { echo "faiss-node is not installed (run npm ci first)" >&2; exit 1; }
command -v patch >/dev/null || { echo "patch is not installed (apt-get install patch; scripts/setup.sh does)" >&2; exit 1; }
up_to_date=1
for input in "$src" "$0" "$native"/*; do
  [ -f "$out" ] && [ "$out" -nt "$input" ] || up_to_date=0
done
if [ "$up_to_date" = 1 ]; then
  echo "faiss-node binding is up to date"; exit 0
fi

node_include=$(node -p "require('path').join(process.execPath, '..', '..', 'include', 'node')")
addon_include=$(node -p "require('node-addon-api').include_dir" 2>/dev/null || echo "$root/node_modules/node-addon-api")
[ -d "$addon_include" ] || addon_include="$pkg/node_modules/node-addon-api"

mkdir -p "$(dirname "$out")"
patched="$pkg/build/faiss-carlens.cc"
patch --quiet --forward -o "$patched" "$src" "$native/faiss-node.patch" \
  || { echo "scripts/native/faiss-node.patch does not apply to $src (faiss-node $(node -p "require('faiss-node/package.json').version"))" >&2; exit 1; }
echo "compiling faiss-node (patched) against $(dpkg-query -W -f='libfaiss-dev ${Version}' libfaiss-dev 2>/dev/null || echo 'system libfaiss')"
g++ -std=c++17 -O2 -fPIC -shared -fopenmp \
  -include "$native/faiss-compat.h" \
  -DNAPI_VERSION=8 -DNAPI_CPP_EXCEPTIONS -DNODE_ADDON_API_DISABLE_DEPRECATED \
  -I"$native" -I"$node_include" -I"$addon_include" \
  "$patched" -o "$out.tmp" -lfaiss -lopenblas -fopenmp
# Debian ships libfaiss as a static archive only, which does not record its BLAS dependency: without -lopenblas
# the binding loads, then dies with "undefined symbol: sgemm_" on the first BLAS path (a batch of 20+ queries).
mv "$out.tmp" "$out"
echo "built $out"
