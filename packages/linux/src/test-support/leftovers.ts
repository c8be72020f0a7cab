import { execFileSync } from "node:child_process";
import { createNodeFileOps } from "../fs.ts";
import { currentNetnsId } from "../host-netns.ts";
import { listMarkers } from "../markers.ts";
import { DEFAULT_STATE_DIR } from "../names.ts";

/** What "nothing of ours left" looks like. */
export const NOTHING = { netns: [], links: [], tables: false, markers: [], blackholes: [] };

/** Everything of ours the kernel and the state dir hold in this (fake) host; netns only those `isMine` accepts (names are machine-wide). */
export function leftovers(isMine: (netns: string) => boolean) {
  const netns = execFileSync("ip", ["netns", "list"], { encoding: "utf8" })
    .split("\n")
    .map((l) => l.split(" ")[0]!)
    .filter((n) => n !== "" && isMine(n));
  const links = execFileSync("ip", ["-o", "link"], { encoding: "utf8" })
    .split("\n")
    .map((l) => l.split(":")[1]?.trim().split("@")[0] ?? "")
    .filter((n) => /^ns[vb][0-9a-f]{12}$/.test(n));
  const tables = execFileSync("nft", ["list", "tables"], { encoding: "utf8" }).includes("inet nsx");
  const markers = listMarkers(createNodeFileOps(), DEFAULT_STATE_DIR, currentNetnsId()).map((m) => m.netns);
  // Inside the fake host every blackhole route is one of ours (background destroys).
  const blackholes = execFileSync("ip", ["route", "show", "type", "blackhole"], { encoding: "utf8" })
    .split("\n")
    .filter((l) => l.trim() !== "");
  return { netns, links, tables, markers, blackholes };
}
