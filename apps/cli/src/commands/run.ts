import {
  Capability,
  exitCodeOf,
  requiredCapabilities,
  SandboxConfig,
  type SandboxProcess,
} from "@ns/sandbox";
import { isNsError } from "@ns/types";
import { type Command, Option } from "commander";
import { type App, addGlobalOptions, examples, optionsOf } from "../app.ts";
import { formatError, usageError } from "../errors.ts";
import { buildConfig, type NamespaceOptions } from "../parse.ts";
import { trapSignals } from "../signals.ts";

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Adds the namespace options shared by run and create. */
export function addNamespaceOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option("--mode <mode>", "isolation: full, private, shared or bridged").default("full"))
    .option(
      "--forward <[addr:]host:ns[/proto]>",
      "forward a host port into the namespace (private; repeatable)",
      collect,
    )
    .option(
      "--dns <ip>",
      "DNS server for the namespace's resolv.conf (private, bridged; repeatable, max 3)",
      collect,
    )
    .option("--ip <cidr>", "the namespace's address and prefix, e.g. 10.210.0.5/24 (default: from the pool)")
    .option("--gateway <ip>", "gateway inside --ip's subnet (private mode)")
    .option("--mtu <n>", "MTU of the --ip interface (default 1500)")
    .option("--bridge <name>", "bridge to join (bridged mode, required)")
    .option("--uplink <iface>", "host interface to NAT out of (private; default: the default route's)")
    .option("--label <key=value>", "free-form label (repeatable)", collect);
}

/** Shell convention, the same on every backend (nsenter and setpriv exit so too): 127 not found, 126 not executable. */
function startFailure(app: App, e: unknown, debug: boolean): number {
  const errno = isNsError(e) ? (e.details as { errno?: string }).errno : undefined;
  if (errno !== "ENOENT" && errno !== "EACCES") throw e;
  app.io.stderr(formatError(e, debug));
  return errno === "ENOENT" ? 127 : 126;
}

/** `ns run`: create, run, destroy. */
export function runCommand(program: Command, app: App): void {
  const cmd = program
    .command("run")
    .description("run a command in a new namespace; the namespace is destroyed when it exits")
    .argument("<command...>", "command and arguments (put them after --)")
    .passThroughOptions();
  addNamespaceOptions(cmd);
  addGlobalOptions(cmd)
    .addHelpText(
      "after",
      examples([
        "ns run --mode full -- ip -brief link          # only lo",
        "ns run --mode private -- curl -sI https://example.org",
        "ns run --mode private --forward 8080:80 -- python3 -m http.server 80",
        "ns run --mode bridged --bridge lab -- ./node-a",
        "",
        "Exit code: the command's (128+N when killed by signal N, 127 not found, 126 not executable);",
        "1 if ns itself failed; 2 on invalid options (nothing created, the command not started).",
      ]),
    )
    .action(async (argv: string[], _o: unknown, c: Command) => {
      const o = optionsOf<NamespaceOptions>(c);
      const config = buildConfig({ ...o, pid: undefined });
      // Bound to us: if ns run dies without cleaning up, `ns gc` sees the pid gone and removes it.
      config.pid = process.pid;
      app.exitCode = await app.withContext(o, async (ctx) => {
        // Signals that arrive before the child runs must not kill us mid-create (that would leave state for gc).
        const trap = trapSignals();
        let proc: SandboxProcess | undefined;
        try {
          const caps = [...requiredCapabilities(config).map((r) => r.capability), Capability.NetworkRaw];
          const sandbox = await ctx.sandboxes.createSandbox(SandboxConfig.custom(config, caps));
          if (!sandbox.enforced && !(await ctx.namespaces.backendInfo()).requestedBy)
            for (const w of sandbox.warnings) app.io.stderr(`warning: ${w}\n`);
          if (trap.received) {
            await ctx.sandboxes.destroySandbox(sandbox);
            return exitCodeOf(null, trap.received);
          }
          try {
            proc = await ctx.sandboxes.spawn(sandbox, argv[0]!, argv.slice(1), {
              stdio: "inherit",
              forwardSignals: true,
              destroyOnExit: true,
              killWithParent: true,
            });
          } catch (e) {
            await ctx.sandboxes.destroySandbox(sandbox);
            return startFailure(app, e, o.debug === true);
          }
        } finally {
          trap.release();
        }
        if (trap.received) proc.kill(trap.received);
        const result = await proc.result;
        if (result.cleanupError) app.io.stderr(formatError(result.cleanupError, o.debug === true));
        return result.exitCode;
      });
    });
}

/** `ns exec ID -- CMD`: run a command in an existing namespace. */
export function execCommand(program: Command, app: App): void {
  const cmd = program
    .command("exec")
    .description("run a command inside an existing namespace (it stays when the command exits)")
    .argument("<id>", "namespace id")
    .argument("<command...>", "command and arguments (put them after --)")
    .passThroughOptions();
  addGlobalOptions(cmd)
    .addHelpText(
      "after",
      examples([
        "ns exec web -- ip -brief addr",
        "ns exec web -- sh -c 'curl -s http://203.0.113.1/'",
        "",
        "Exit code: the command's (128+N when killed by signal N, 127 not found, 126 not executable); 1 if ns failed.",
      ]),
    )
    .action(async (id: string, rest: string[], _o: unknown, c: Command) => {
      const o = optionsOf<object>(c);
      // With pass-through options, a `--` after the id reaches us as an operand.
      const argv = rest[0] === "--" ? rest.slice(1) : rest;
      if (argv.length === 0) throw usageError("missing the command to run: ns exec ID -- CMD [ARGS...]");
      app.exitCode = await app.withContext(o, async (ctx) => {
        const sandbox = await ctx.sandboxes.open(id, [Capability.NetworkRaw]);
        let proc: SandboxProcess;
        try {
          proc = await ctx.sandboxes.spawn(sandbox, argv[0]!, argv.slice(1), {
            stdio: "inherit",
            forwardSignals: true,
          });
        } catch (e) {
          return startFailure(app, e, o.debug === true);
        }
        return (await proc.result).exitCode;
      });
    });
}
