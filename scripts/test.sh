#!/usr/bin/env bash
# Sets up (idempotent, offline) and runs every check: types, lint, unit/integration tests and the browser e2e tests.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/setup.sh

echo "== typecheck"; npx tsc -p tsconfig.json --noEmit
echo "== lint"; npx eslint .
echo "== tests"
mkdir -p test-results
status=0
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json || status=$?
# Vitest's own closing lines are not a format CI reads, so print the plain summary line too.
node -e "
const r = JSON.parse(require('fs').readFileSync('test-results/vitest.json', 'utf8'));
const skipped = r.numPendingTests + r.numTodoTests;
console.log('vitest: ' + r.numPassedTests + ' passed, ' + r.numFailedTests + ' failed, ' + skipped + ' skipped');
if (r.numTotalTests === 0) { console.error('no test ran'); process.exit(1); }
" || status=1
exit $status
