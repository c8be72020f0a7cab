import type { FileOps } from "./fs.ts";
import { etcNetnsDir } from "./names.ts";

/** Where `ip netns exec` (and our enter prefix) finds a namespace's resolv.conf. */
export function resolvConfPath(netns: string): string {
  return `${etcNetnsDir(netns)}/resolv.conf`;
}

const LOOPBACK = /^(127\.|::1$|0\.0\.0\.0$)/;

/** The host's upstream resolvers: systemd-resolved's real servers when present (its 127.0.0.53 stub is unreachable from a namespace). */
export function hostUpstreamServers(files: FileOps): { servers: string[]; search: string[] } {
  const text = files.read("/run/systemd/resolve/resolv.conf") ?? files.read("/etc/resolv.conf") ?? "";
  const servers: string[] = [];
  const search: string[] = [];
  for (const line of text.split("\n")) {
    const [key, ...rest] = line.trim().split(/\s+/);
    if (key === "nameserver" && rest[0] && !LOOPBACK.test(rest[0])) servers.push(rest[0]);
    if (key === "search") search.push(...rest);
  }
  return { servers: servers.slice(0, 3), search };
}

/** Text of a namespace's resolv.conf. */
export function resolvConfText(servers: readonly string[], search: readonly string[] = []): string {
  const lines = ["# written by ns (@ns/linux)"];
  if (search.length > 0) lines.push(`search ${search.join(" ")}`);
  for (const s of servers) lines.push(`nameserver ${s}`);
  return `${lines.join("\n")}\n`;
}
