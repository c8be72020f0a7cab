#!/usr/bin/env bash
# Installs the tools the benchmark compares against (Debian packages). Run once, as root, before
# `pnpm bench`; the benchmark itself never installs anything and reports what is missing.
set -euo pipefail

if [ "$(id -u)" -ne 0 ]; then
  echo "bench/setup.sh: run as root (apt-get install)" >&2
  exit 1
fi

# iperf3: throughput; netavark + containernetworking-plugins: the baselines other tools give;
# iptables: both of those program the firewall through it (inside the bench's own fake host only).
want=(iproute2 nftables util-linux iperf3 netavark containernetworking-plugins iptables)
missing=()
for p in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "bench/setup.sh: everything is installed"
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# netavark suggests aardvark-dns; the bench runs with DNS disabled, so recommends are skipped.
apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "bench/setup.sh: installed ${missing[*]}"
