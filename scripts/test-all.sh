#!/usr/bin/env bash
# Everything CI checks, in order: lint, types, unit + kernel tests with coverage gates, examples, bench smoke.
set -euo pipefail
cd "$(dirname "$0")/.."
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
step() { printf '\n=== %s\n' "$*"; }
step "lint"; pnpm run lint
step "build"; pnpm run build
step "typecheck"; pnpm run typecheck
step "tests (kernel tests run inside a throwaway fake-host namespace when root)"
log=$(mktemp); trap 'rm -f "$log"' EXIT
pnpm run test 2>&1 | tee "$log"
# One closing line over every vitest run: "N passed, N failed".
plain=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -E '^\S*:test: +Tests +' || true)
count() { printf '%s\n' "$plain" | { grep -oE "[0-9]+ $1" || true; } | awk '{s+=$1} END {print s+0}'; }
passed=$(count passed)
failed=$(count failed)
[ -x examples/downstream/run.sh ] && { step "downstream example (packed tarballs, one backend)"; bash examples/downstream/run.sh; }
[ -f bench/package.json ] && { step "benchmark smoke profile"; pnpm --filter @ns/bench run bench; }
printf '\n%s passed, %s failed\n' "$passed" "$failed"
