#!/usr/bin/env bash
# Sets up a fresh Debian machine with Node 20 for ns: system tools, pnpm, dependencies, build.
# Idempotent: installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION=12.4.2
log() { printf '[setup] %s\n' "$*"; }

as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi; }

# Kernel tools the Linux backend and its tests use (Debian package names).
need=()
command -v ip >/dev/null || [ -x /usr/sbin/ip ] || need+=(iproute2)
command -v nft >/dev/null || [ -x /usr/sbin/nft ] || need+=(nftables)
command -v nsenter >/dev/null || need+=(util-linux)
command -v conntrack >/dev/null || [ -x /usr/sbin/conntrack ] || need+=(conntrack)
command -v ping >/dev/null || need+=(iputils-ping)
command -v iperf3 >/dev/null || need+=(iperf3)
command -v make >/dev/null && command -v g++ >/dev/null || need+=(build-essential python3)
if [ "${#need[@]}" -gt 0 ]; then
  if command -v apt-get >/dev/null; then
    log "installing ${need[*]}"
    as_root apt-get update -qq || log "apt-get update failed; trying the install anyway"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null \
      || log "could not install ${need[*]}; the Linux backend falls back to simulation without them"
  else
    log "no apt-get: install ${need[*]} yourself for the Linux backend"
  fi
fi

if ! command -v pnpm >/dev/null || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  log "installing pnpm $PNPM_VERSION"
  npm install -g --no-audit --no-fund "pnpm@$PNPM_VERSION" >/dev/null 2>&1 || as_root npm install -g --no-audit --no-fund "pnpm@$PNPM_VERSION" >/dev/null
fi

# better-sqlite3 compiles here; pnpm's node-gyp only finds Node's headers through the environment.
if [ -f /usr/include/node/node.h ]; then export npm_config_nodedir=/usr; fi
export TURBO_TELEMETRY_DISABLED=1 DO_NOT_TRACK=1
log "installing dependencies"
pnpm install --frozen-lockfile --reporter=append-only 2>&1 | tail -n 3
log "building"
pnpm run build >/dev/null
log "ready"
