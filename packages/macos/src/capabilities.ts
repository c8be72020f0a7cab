import type { BackendCapabilities } from "@ns/core";

/** The main-ruleset lines that make pf evaluate our anchors; the backend never edits /etc/pf.conf. */
export const PF_CONF_HOOKS = ['nat-anchor "ns/*"', 'rdr-anchor "ns/*"', 'anchor "ns/*"'] as const;

/** What the macOS backend really enforces, per mode (docs/macos.md explains each line). */
export const MACOS_CAPABILITIES: BackendCapabilities = {
  modes: {
    full: {
      supported: true,
      enforced: true,
      notes:
        "Seatbelt (sandbox-exec) denies every network operation except unix sockets and loopback; loopback is the host's, so host services on 127.0.0.1 stay reachable",
    },
    private: {
      supported: true,
      enforced: false,
      notes:
        'shares the host\'s stack: Seatbelt limits inbound to loopback and forwarded ns ports, pf (anchor ns/<id>) does the forwards, but isolation from the host, LAN, other namespaces and 169.254/16 is not enforced (Seatbelt cannot filter by remote address, pf cannot match a pid); forwards need rdr-anchor "ns/*" in /etc/pf.conf',
    },
    shared: { supported: true, enforced: false, notes: "the host network, as in every backend" },
    bridged: {
      supported: false,
      enforced: false,
      notes:
        "macOS has no per-process network stack to attach to a bridge: use the linux backend (e.g. in a Linux VM) for bridged namespaces",
    },
  },
  portForwards: true,
  stats: "kernel",
  gc: true,
};
