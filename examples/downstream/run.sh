#!/usr/bin/env bash
# Builds @ns/types, @ns/core, @ns/simulation and @ns/sandbox, packs them into vendor/, installs the
# tarballs with npm into this project (which is outside the pnpm workspace) and runs index.mjs.
# Usage: examples/downstream/run.sh    (from anywhere; needs node, pnpm, npm and the npm registry)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
packages=(types core simulation sandbox)

for p in "${packages[@]}"; do
  (cd "$root/packages/$p" && npx tsc -p tsconfig.build.json)
done

rm -rf "$here/vendor" "$here/node_modules" "$here/package-lock.json"
mkdir -p "$here/vendor"
for p in "${packages[@]}"; do
  # pnpm pack rewrites "workspace:*" dependencies to the real versions.
  (cd "$root/packages/$p" && pnpm pack --pack-destination "$here/vendor" >/dev/null)
done
ls "$here/vendor"

cd "$here"
# better-sqlite3 (a dependency of @ns/core) builds against the local Node headers when no prebuild fits.
export npm_config_nodedir="${npm_config_nodedir:-/usr}"
npm install --no-audit --no-fund --no-save ./vendor/*.tgz
node index.mjs
