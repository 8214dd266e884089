#!/usr/bin/env bash
# One idempotent, offline set-up for a fresh Debian machine (run as root, or with sudo available):
# Debian packages -> npm ci (no install scripts: they would download) -> faiss-node binding -> load check.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

debian_packages=(libfaiss-dev libopenblas-dev g++ patch chromium fonts-dejavu-core python3-numpy python3-faiss)
missing=()
for p in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  sudo_cmd=""; [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
stamp=node_modules/.setup-lock-hash
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$lock_hash" ]; then
  echo "setup: npm ci"
  # Install scripts are skipped: electron's and onnxruntime-node's download binaries, faiss-node's clones faiss.
  ELECTRON_SKIP_BINARY_DOWNLOAD=1 ONNXRUNTIME_NODE_INSTALL=skip \
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
  echo "$lock_hash" > "$stamp"
fi

bash scripts/build-faiss-node.sh

node -e "
require('sharp');
require('onnxruntime-node');
const { IndexFlatIP } = require('faiss-node');
const index = new IndexFlatIP(2); index.add([1, 0, 0, 1]);
if (index.search([0, 1], 1).labels[0] !== 1) throw new Error('faiss-node answered wrongly');
// 32 queries at once take faiss's BLAS path: a binding without BLAS would die here, not in the middle of a run.
const batch = index.search(Array.from({ length: 64 }, (_, i) => i % 2), 1).labels;
if (batch.length !== 32 || batch.some((label) => label !== 1)) throw new Error('faiss-node batch search answered wrongly');
// The patched binding (scripts/native/faiss-node.patch): Float32Array in place, a bitmap filter, a row subset.
const { Index, MetricType } = require('faiss-node');
const typed = Index.fromFactory(2, 'Flat', MetricType.METRIC_INNER_PRODUCT);
typed.add(Float32Array.of(1, 0, 0, 1, 0.9, 0.1));
if (typed.search(Float32Array.of(0, 1), 1).labels[0] !== 1) throw new Error('faiss-node Float32Array search answered wrongly');
if (typed.search(Float32Array.of(1, 0), 1, { allowed: Uint8Array.of(0b110) }).labels[0] !== 2) throw new Error('faiss-node filtered search answered wrongly');
if (typed.searchSubset(Float32Array.of(1, 0), 1, Int32Array.of(1, 2)).labels[0] !== 2) throw new Error('faiss-node subset search answered wrongly');
console.log('setup: sharp, onnxruntime-node and faiss-node load');
"
