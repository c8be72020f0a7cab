import { netnsPath } from "./names.ts";

/**
 * Prefix that runs a command inside a named netns. nsenter keeps the cost flat with thousands of namespaces;
 * like `ip netns exec`, the child gets a private mount namespace in which the namespace's resolv.conf is
 * bind-mounted over /etc/resolv.conf and a fresh sysfs shows the namespace's own interfaces.
 */
export function enterPrefix(netnsDir: string, netns: string, resolvConf?: string): string[] {
  const sysfs = "mount -t sysfs -o ro sysfs /sys 2>/dev/null";
  const dns =
    resolvConf === undefined
      ? ""
      : `mount --bind ${resolvConf} /etc/resolv.conf || { echo "ns: cannot mount ${resolvConf}" >&2; exit 125; }; `;
  return [
    "nsenter",
    `--net=${netnsPath(netnsDir, netns)}`,
    "--",
    "unshare",
    "--mount",
    "--propagation",
    "private",
    "--",
    "sh",
    "-c",
    `${dns}${sysfs}; exec "$@"`,
    "sh",
  ];
}
