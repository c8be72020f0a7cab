import { existsSync, readFileSync } from "node:fs";
import { release } from "node:os";
import { type HostFacts, linuxPrivileged } from "@ns/core";

/** One finding of `ns doctor`. */
export interface Check {
  /** Short name, e.g. `tool nft`. */
  name: string;
  /** What area it belongs to. */
  category: "backend" | "privileges" | "tools" | "kernel" | "dns";
  /** ok, warn (works with limits) or error (the chosen backend cannot work). */
  status: "ok" | "warn" | "error";
  /** What was found. */
  detail: string;
  /** What to do about it (for warn and error). */
  fix?: string;
}

/** The tools `ns doctor` checks itself (the linux backend's findings about these are not repeated). */
export const TOOLS: { tool: string; pkg: string; why: string; required: boolean }[] = [
  { tool: "ip", pkg: "iproute2", why: "creates namespaces, veth pairs and bridges", required: true },
  { tool: "nft", pkg: "nftables", why: "NAT, forwards and isolation rules", required: true },
  { tool: "nsenter", pkg: "util-linux", why: "starts processes inside namespaces", required: true },
  {
    tool: "unshare",
    pkg: "util-linux",
    why: "gives entered processes the namespace's resolv.conf",
    required: true,
  },
  { tool: "conntrack", pkg: "conntrack", why: "flushes stale UDP forwards", required: false },
  {
    tool: "setpriv",
    pkg: "util-linux",
    why: "drops CAP_NET_RAW and ties children to ns run",
    required: false,
  },
];

function kernelModule(name: string): "loaded" | "available" | "missing" | "unknown" {
  if (existsSync(`/sys/module/${name}`)) return "loaded";
  const dir = `/lib/modules/${release()}`;
  // Built-in drivers without parameters leave no trace in /sys/module; without an index we cannot tell.
  if (!existsSync(dir)) return "unknown";
  for (const f of ["modules.builtin", "modules.dep"]) {
    try {
      if (new RegExp(`/${name}\\.ko`).test(readFileSync(`${dir}/${f}`, "utf8"))) return "available";
    } catch {
      // no module index: cannot tell
    }
  }
  return "missing";
}

/** Linux checks; `needed` says whether the chosen backend is linux (missing things are then errors). */
export function linuxChecks(facts: HostFacts, needed: boolean): Check[] {
  const bad = needed ? "error" : "warn";
  const checks: Check[] = [];
  checks.push(
    linuxPrivileged(facts)
      ? {
          name: "privileges",
          category: "privileges",
          status: "ok",
          detail: `uid ${facts.uid}, CAP_NET_ADMIN and CAP_SYS_ADMIN`,
        }
      : {
          name: "privileges",
          category: "privileges",
          status: bad,
          detail: `uid ${facts.uid} without CAP_NET_ADMIN+CAP_SYS_ADMIN: the linux backend cannot run, isolation is simulated`,
          fix: "run as root (sudo ns ...) or grant the capabilities: sudo setcap cap_net_admin,cap_sys_admin+ep $(command -v node)",
        },
  );
  for (const t of TOOLS) {
    const found = facts.has(t.tool);
    checks.push(
      found
        ? { name: `tool ${t.tool}`, category: "tools", status: "ok", detail: `found (${t.why})` }
        : {
            name: `tool ${t.tool}`,
            category: "tools",
            status: t.required ? bad : "warn",
            detail: `missing: ${t.why}`,
            fix: `apt-get install ${t.pkg} (Fedora: dnf install ${t.pkg})`,
          },
    );
  }
  checks.push(
    existsSync("/proc/self/ns/net")
      ? { name: "network namespaces", category: "kernel", status: "ok", detail: "/proc/self/ns/net present" }
      : {
          name: "network namespaces",
          category: "kernel",
          status: bad,
          detail: "kernel without CONFIG_NET_NS",
          fix: "use a kernel built with CONFIG_NET_NS=y",
        },
  );
  for (const [mod, why] of [
    ["veth", "private mode links"],
    ["bridge", "bridged mode"],
    ["nf_tables", "NAT and isolation rules"],
  ] as const) {
    const state = kernelModule(mod);
    checks.push(
      state === "missing"
        ? {
            name: `module ${mod}`,
            category: "kernel",
            status: "warn",
            detail: `not found in /sys/module or the module index (${why})`,
            fix: `modprobe ${mod}, or check that the kernel has it built in`,
          }
        : {
            name: `module ${mod}`,
            category: "kernel",
            status: "ok",
            detail:
              state === "unknown"
                ? `not listed: no module index for this kernel, probably built in (${why}); if creates fail, modprobe ${mod}`
                : `${state} (${why})`,
          },
    );
  }
  try {
    const fwd = readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8").trim();
    checks.push({
      name: "ip_forward",
      category: "kernel",
      status: "ok",
      detail: fwd === "1" ? "enabled" : "disabled now (private mode needs it; the linux backend turns it on)",
    });
  } catch {
    // not readable: nothing to say
  }
  checks.push(...dnsChecks());
  return checks;
}

function dnsChecks(): Check[] {
  let conf = "";
  try {
    conf = readFileSync("/etc/resolv.conf", "utf8");
  } catch {
    return [
      {
        name: "dns",
        category: "dns",
        status: "warn",
        detail: "/etc/resolv.conf unreadable",
        fix: "pass --dns IP to private and bridged namespaces",
      },
    ];
  }
  if (!/^nameserver\s+127\./m.test(conf))
    return [
      { name: "dns", category: "dns", status: "ok", detail: "host resolvers are reachable from namespaces" },
    ];
  const upstream = existsSync("/run/systemd/resolve/resolv.conf");
  return [
    upstream
      ? {
          name: "dns",
          category: "dns",
          status: "ok",
          detail:
            "host uses a loopback stub; namespaces get the upstream servers of /run/systemd/resolve/resolv.conf",
        }
      : {
          name: "dns",
          category: "dns",
          status: "warn",
          detail: "host resolver is on loopback, unreachable from a namespace",
          fix: "pass --dns IP (e.g. your network's resolver) to private and bridged namespaces",
        },
  ];
}
