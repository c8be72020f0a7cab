import { setTimeout as sleep } from "node:timers/promises";
import { processAlive } from "@ns/core";
import { type NsError, toNsError } from "@ns/types";
import type { Command } from "commander";
import { type App, addGlobalOptions, examples, optionsOf } from "../app.ts";
import { EXIT_FAILED, EXIT_OK, errorJson, formatError, usageError } from "../errors.ts";
import { infoText, listTable, statsTable } from "../format.ts";
import { buildConfig, type NamespaceOptions, parseInteger } from "../parse.ts";
import { trapSignals } from "../signals.ts";
import { addNamespaceOptions } from "./run.ts";

/** `ns create`. */
export function createCommand(program: Command, app: App): void {
  const cmd = program
    .command("create")
    .description("create a namespace that stays until `ns destroy` (or until --pid exits and `ns gc` runs)");
  addNamespaceOptions(cmd)
    .option("--name <id>", "id of the namespace (default: ns- and 12 hex digits)")
    .option(
      "--pid <n>",
      "bind to this process: getByPid finds it and `ns gc` removes it once the process exits",
    )
    .option("--json", "print the namespace as JSON");
  addGlobalOptions(cmd)
    .addHelpText(
      "after",
      examples([
        "ns create --name web --mode private --forward 8080:80",
        "ns create --mode full --pid $$ --json",
        "ns create --name lab-a --mode bridged --bridge lab --ip 10.77.0.2/24",
        "",
        "Prints the new id (or the namespace as JSON with --json).",
      ]),
    )
    .action(async (_o: unknown, c: Command) => {
      const o = optionsOf<NamespaceOptions>(c);
      const config = buildConfig(o);
      // A namespace bound to a process that does not exist would be garbage at once.
      if (config.pid !== undefined && !processAlive(config.pid))
        throw usageError(`invalid --pid "${o.pid}": no such process`, "give the pid of a running process");
      app.exitCode = await app.withContext(o, async (ctx) => {
        const info = await ctx.namespaces.create(config);
        app.print(o, info, () => `${info.id}\n`);
        return EXIT_OK;
      });
    });
}

/** `ns list`. */
export function listCommand(program: Command, app: App): void {
  const cmd = program
    .command("list")
    .alias("ls")
    .description("list namespaces")
    .option("--json", "print { namespaces: [...] } as JSON")
    .option("-q, --quiet", "print only ids, one per line");
  addGlobalOptions(cmd)
    .addHelpText(
      "after",
      examples(["ns list", "ns list --json | jq -r '.namespaces[].id'", "ns destroy $(ns list -q)"]),
    )
    .action(async (_o: unknown, c: Command) => {
      const o = optionsOf<{ quiet?: boolean }>(c);
      app.exitCode = await app.withContext(o, async (ctx) => {
        const all = await ctx.namespaces.list();
        if (o.quiet && !o.json) app.io.stdout(all.map((n) => `${n.id}\n`).join(""));
        else app.print(o, { namespaces: all }, () => listTable(all));
        return EXIT_OK;
      });
    });
}

/** `ns info ID`. */
export function infoCommand(program: Command, app: App): void {
  const cmd = program
    .command("info")
    .description("show one namespace")
    .argument("<id>", "namespace id")
    .option("--json", "print the namespace as JSON");
  addGlobalOptions(cmd)
    .addHelpText("after", examples(["ns info web", "ns info web --json | jq .interface.ipAddr"]))
    .action(async (id: string, _o: unknown, c: Command) => {
      const o = optionsOf<object>(c);
      app.exitCode = await app.withContext(o, async (ctx) => {
        const info = await ctx.namespaces.getInfo(id);
        app.print(o, info, () => infoText(info));
        return EXIT_OK;
      });
    });
}

/** `ns stats ID [--watch]`. */
export function statsCommand(program: Command, app: App): void {
  const cmd = program
    .command("stats")
    .description("show traffic counters of a namespace")
    .argument("<id>", "namespace id")
    .option("--json", "print the stats as JSON (with --watch: one JSON document per line)")
    .option("-w, --watch", "print again every --interval until interrupted or the namespace is gone")
    .option("--interval <ms>", "interval of --watch in milliseconds", "1000")
    .option("--count <n>", "with --watch: stop after n samples");
  addGlobalOptions(cmd)
    .addHelpText(
      "after",
      examples(["ns stats web", "ns stats web --watch --interval 500", "ns stats web --json"]),
    )
    .action(async (id: string, _o: unknown, c: Command) => {
      const o = optionsOf<{ watch?: boolean; interval: string; count?: string }>(c);
      const interval = parseInteger("--interval", o.interval);
      const count = o.count === undefined ? Number.POSITIVE_INFINITY : parseInteger("--count", o.count);
      if (interval < 50)
        throw usageError(`invalid --interval "${o.interval}": must be at least 50 (milliseconds)`);
      app.exitCode = await app.withContext(o, async (ctx) => {
        if (!o.watch) {
          const s = await ctx.namespaces.getStats(id);
          app.print(o, s, () => statsTable(s));
          return EXIT_OK;
        }
        const trap = trapSignals();
        try {
          for (let n = 0; n < count && !trap.received; n++) {
            const s = await ctx.namespaces.getStats(id);
            if (o.json) app.io.stdout(`${JSON.stringify(s)}\n`);
            else app.io.stdout(`${n > 0 ? "\n" : ""}${new Date().toISOString()}\n${statsTable(s)}`);
            if (n + 1 < count) await sleep(interval);
          }
        } finally {
          trap.release();
        }
        return EXIT_OK;
      });
    });
}

/** `ns destroy ID... | --all`. */
export function destroyCommand(program: Command, app: App): void {
  const cmd = program
    .command("destroy")
    .alias("rm")
    .description("destroy namespaces (every one with --all); goes on past failures")
    .argument("[ids...]", "namespace ids")
    .option("--all", "destroy every namespace in the state directory")
    .option("--json", "print { destroyed: [...], failed: [...] } as JSON");
  addGlobalOptions(cmd)
    .addHelpText("after", examples(["ns destroy web", "ns destroy web db", "ns destroy --all --json"]))
    .action(async (ids: string[], _o: unknown, c: Command) => {
      const o = optionsOf<{ all?: boolean }>(c);
      if (o.all && ids.length > 0) throw usageError("give namespace ids or --all, not both");
      if (!o.all && ids.length === 0) throw usageError("give at least one namespace id, or --all");
      app.exitCode = await app.withContext(o, async (ctx) => {
        const targets = o.all ? (await ctx.namespaces.list()).map((n) => n.id) : ids;
        const destroyed: string[] = [];
        const failed: { id: string; error: Record<string, unknown> }[] = [];
        const errors: NsError[] = [];
        for (const id of targets) {
          try {
            await ctx.namespaces.destroy(id);
            destroyed.push(id);
          } catch (e) {
            errors.push(toNsError(e));
            failed.push({ id, error: errorJson(e).error });
          }
        }
        if (!o.json) for (const e of errors) app.io.stderr(formatError(e, o.debug === true));
        app.print(o, { destroyed, failed }, () => destroyed.map((id) => `destroyed ${id}\n`).join(""));
        return failed.length > 0 ? EXIT_FAILED : EXIT_OK;
      });
    });
}

/** `ns gc`. */
export function gcCommand(program: Command, app: App): void {
  const cmd = program
    .command("gc")
    .description("remove leftovers: namespaces of exited pids or crashed runs, and OS objects no record owns")
    .option("--json", "print the report as JSON");
  addGlobalOptions(cmd)
    .addHelpText("after", examples(["ns gc", "ns gc --json"]))
    .action(async (_o: unknown, c: Command) => {
      const o = optionsOf<object>(c);
      app.exitCode = await app.withContext(o, async (ctx) => {
        const r = await ctx.namespaces.gc();
        const json = {
          removedRecords: r.removedRecords,
          removedObjects: r.removedObjects,
          reasons: r.reasons ?? {},
          errors: r.errors.map((e) => errorJson(e).error),
        };
        app.print(o, json, () => {
          const lines = [
            ...r.removedRecords.map(
              (id) => `removed namespace ${id}${r.reasons?.[id] ? ` (${r.reasons[id]})` : ""}`,
            ),
            ...r.removedObjects.map((x) => `removed orphan ${x}`),
          ];
          if (lines.length === 0 && r.errors.length === 0) lines.push("nothing to clean up");
          return lines.map((l) => `${l}\n`).join("");
        });
        if (!o.json) for (const e of r.errors) app.io.stderr(formatError(e, o.debug === true));
        return r.errors.length > 0 ? EXIT_FAILED : EXIT_OK;
      });
    });
}
