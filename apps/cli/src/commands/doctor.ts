import { arch, platform, release } from "node:os";
import { join } from "node:path";
import { type BackendReport, createNamespaceManager, readHostFacts, STATE_DB_FILE } from "@ns/core";
import { ISOLATION_MODES, toNsError } from "@ns/types";
import type { Command } from "commander";
import { type App, addGlobalOptions, examples, optionsOf } from "../app.ts";
import { backendOption, importBackendPackage, stateDirOption } from "../context.ts";
import { type Check, linuxChecks, TOOLS } from "../doctor-checks.ts";
import { EXIT_FAILED, EXIT_OK } from "../errors.ts";
import { table } from "../table.ts";

/** `ns doctor --json` document. */
export interface DoctorReport {
  ok: boolean;
  backend: (BackendReport & { enforced: boolean }) | null;
  platform: string;
  release: string;
  arch: string;
  node: string;
  uid: number;
  stateDb: string;
  checks: Check[];
  problems: Check[];
}

/** Gathers the report: backend choice, then the host's privileges, tools and kernel features. */
export async function doctorReport(app: App, o: Parameters<App["withContext"]>[0]): Promise<DoctorReport> {
  const requested = backendOption(o, app.io.env);
  const stateDir = stateDirOption(o, app.io.env);
  const checks: Check[] = [];
  let backend: DoctorReport["backend"] = null;
  // A memory store: doctor must work even where the state directory cannot be created.
  const namespaces = createNamespaceManager({
    backend: requested,
    env: app.io.env,
    importBackend: importBackendPackage,
  });
  try {
    const info = await namespaces.backendInfo();
    const enforced = ISOLATION_MODES.some((m) => info.capabilities.modes[m].enforced);
    const forcedBy = { option: "--backend", env: "NS_BACKEND", none: undefined }[info.requestedBy ?? "none"];
    backend = { ...info, enforced };
    checks.push({
      name: "backend",
      category: "backend",
      status: enforced ? "ok" : "warn",
      detail: `${info.name}: ${info.reason}`,
      ...(enforced
        ? {}
        : {
            fix: forcedBy
              ? `isolation is simulated because ${forcedBy} asks for ${info.name}: ${forcedBy === "NS_BACKEND" ? "unset NS_BACKEND" : "leave out --backend"} to get the best backend this host supports`
              : "isolation is simulated: fix the problems below (usually: run as root with ip, nft, nsenter)",
          }),
    });
  } catch (e) {
    const err = toNsError(e);
    checks.push({
      name: "backend",
      category: "backend",
      status: "error",
      detail: `${requested}: ${err.message}`,
      fix: err.hint ?? "choose another --backend",
    });
  }
  await namespaces.close().catch(() => {});
  const facts = readHostFacts();
  if (facts.platform === "linux") {
    const wantLinux = requested === "linux" || app.io.env.NS_BACKEND === "linux";
    const own = linuxChecks(facts, wantLinux);
    const backendFindings = await linuxBackendFindings(wantLinux);
    // The backend's own ip_forward finding knows what it will do about it; tools are already listed.
    checks.push(
      ...own.filter((c) => !(c.name === "ip_forward" && backendFindings.length > 0)),
      ...backendFindings,
    );
  }
  return {
    ok: !checks.some((c) => c.status === "error"),
    backend,
    platform: platform(),
    release: release(),
    arch: arch(),
    node: process.version,
    uid: facts.uid,
    stateDb: join(stateDir, STATE_DB_FILE),
    checks,
    problems: checks.filter((c) => c.status !== "ok"),
  };
}

interface LinuxFinding {
  level: "ok" | "info" | "warn" | "error";
  code: string;
  message: string;
  hint?: string;
}

/** Findings of @ns/linux's own doctor (forward policies of other firewalls, br_netfilter, …), when installed. */
async function linuxBackendFindings(needed: boolean): Promise<Check[]> {
  try {
    const mod = (await import("@ns/linux")) as { doctor?: () => Promise<LinuxFinding[]> };
    if (typeof mod.doctor !== "function") return [];
    const findings = await mod.doctor();
    return (
      findings
        // Ours already cover these tools; others (flock for the process driver) only the backend knows about.
        .filter((f) => !TOOLS.some((t) => f.code === `missing-${t.tool}`))
        .map((f) => {
          const status =
            f.level === "ok" || f.level === "info" ? "ok" : f.level === "error" && !needed ? "warn" : f.level;
          const c: Check = { name: f.code, category: "kernel", status, detail: f.message };
          if (f.hint !== undefined && status !== "ok") c.fix = f.hint;
          return c;
        })
    );
  } catch {
    return []; // @ns/linux not installed or its checks failed: our own checks still stand
  }
}

function human(r: DoctorReport): string {
  const out: string[] = [];
  if (r.backend) {
    out.push(`backend:  ${r.backend.name} (${r.backend.reason})`);
    out.push(
      `modes:    ${ISOLATION_MODES.map((m) => {
        const c = r.backend!.capabilities.modes[m];
        return `${m} ${!c.supported ? "unsupported" : c.enforced ? "enforced" : "simulated"}`;
      }).join(", ")}`,
    );
  }
  out.push(`host:     ${r.platform} ${r.release} ${r.arch}, node ${r.node}, uid ${r.uid}`);
  out.push(`state:    ${r.stateDb}`, "");
  out.push(
    table(
      ["CHECK", "STATUS", "DETAIL"],
      r.checks.map((c) => [c.name, c.status, c.detail]),
    ).trimEnd(),
  );
  if (r.problems.length > 0) {
    out.push("", "problems:");
    for (const p of r.problems)
      out.push(`  - ${p.name} (${p.status}): ${p.detail}`, `    fix: ${p.fix ?? "-"}`);
  } else out.push("", "no problems found");
  return `${out.join("\n")}\n`;
}

/** `ns doctor`. */
export function doctorCommand(program: Command, app: App): void {
  const cmd = program
    .command("doctor")
    .description("show the backend in use and why, and check privileges, tools and kernel features")
    .option("--json", "print the report as JSON");
  addGlobalOptions(cmd)
    .addHelpText(
      "after",
      examples([
        "ns doctor",
        "ns doctor --backend linux     # what linux would need",
        "ns doctor --json | jq '.problems'",
        "",
        "Exit code: 0 when nothing blocks the chosen backend, 1 when something does.",
      ]),
    )
    .action(async (_o: unknown, c: Command) => {
      const o = optionsOf<object>(c);
      const r = await doctorReport(app, o);
      app.print(o, r, () => human(r));
      app.exitCode = r.ok ? EXIT_OK : EXIT_FAILED;
    });
}
