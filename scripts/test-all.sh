#!/usr/bin/env bash
# Everything CI checks, in order: lint, types, unit + kernel tests with coverage gates, examples, bench smoke.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
step() { printf '\n=== %s\n' "$*"; }
step "lint"; pnpm run lint
step "build"; pnpm run build
step "typecheck"; pnpm run typecheck
step "tests (kernel tests run inside a throwaway fake-host namespace when root)"; pnpm run test
[ -x examples/downstream/run.sh ] && { step "downstream example (packed tarballs, one backend)"; bash examples/downstream/run.sh; }
[ -f bench/package.json ] && { step "benchmark smoke profile"; pnpm --filter @ns/bench run bench; }
step "done"
