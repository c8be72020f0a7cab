import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { type App, addGlobalOptions, createApp, examples } from "./app.ts";
import { completionCommand } from "./commands/completion.ts";
import { doctorCommand } from "./commands/doctor.ts";
import {
  createCommand,
  destroyCommand,
  gcCommand,
  infoCommand,
  listCommand,
  statsCommand,
} from "./commands/namespaces.ts";
import { execCommand, runCommand } from "./commands/run.ts";
import type { CliIo } from "./context.ts";
import { EXIT_OK, EXIT_USAGE, errorJson, exitCodeFor, formatError } from "./errors.ts";

const VERSION = (() => {
  try {
    return (
      JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
    ).version;
  } catch {
    return "0.0.0";
  }
})();

const COMMANDS: Readonly<Record<string, (program: Command, app: App) => void>> = {
  run: runCommand,
  create: createCommand,
  list: listCommand,
  info: infoCommand,
  stats: statsCommand,
  exec: execCommand,
  destroy: destroyCommand,
  gc: gcCommand,
  doctor: doctorCommand,
  completion: completionCommand,
};

// Commands that run a program: their start-up is the user's latency, so only they are defined (~3 ms of commander).
const HOT = new Set(["run", "exec"]);

/** Builds the `ns` program (only the invoked command when it is `run` or `exec`); `app` receives output and the exit code. */
export function buildProgram(
  app: App,
  onCommanderError: (message: string) => void,
  argv: readonly string[] = [],
): Command {
  const program = new Command("ns")
    .description("put processes into isolated network namespaces")
    .version(VERSION, "-V, --version")
    .enablePositionalOptions()
    .showSuggestionAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (s) => app.io.stdout(s),
      writeErr: (s) => app.io.stderr(s),
      outputError: (s) => onCommanderError(s),
    });
  addGlobalOptions(program).addHelpText(
    "after",
    examples([
      "ns run --mode full -- ip -brief link",
      "ns run --mode private --forward 8080:80 -- python3 -m http.server 80",
      "ns create --name web --mode private && ns exec web -- ip addr && ns destroy web",
      "ns list --json",
      "ns doctor",
      "",
      "Exit codes: 0 ok, 1 operation failed, 2 invalid usage or config (nothing created);",
      "ns run and ns exec exit with the command's code (128+N when killed by signal N).",
      "Environment: NS_BACKEND (auto|linux|macos|simulation), NS_STATE_DIR.",
    ]),
  );
  const only = argv[0] !== undefined && HOT.has(argv[0]) ? argv[0] : undefined;
  for (const [name, register] of Object.entries(COMMANDS))
    if (only === undefined || name === only) register(program, app);
  return program;
}

/** Runs the CLI with `argv` (without node and script) and returns the exit code; never calls process.exit. */
export async function runCli(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const full: CliIo = {
    stdout: io.stdout ?? ((s) => process.stdout.write(s)),
    stderr: io.stderr ?? ((s) => process.stderr.write(s)),
    env: io.env ?? process.env,
  };
  const app = createApp(full);
  let commanderMessage = "";
  const program = buildProgram(
    app,
    (m) => {
      commanderMessage = m;
    },
    argv,
  );
  const debug = argv.includes("--debug");
  const json = argv.slice(0, argv.indexOf("--") === -1 ? undefined : argv.indexOf("--")).includes("--json");
  if (argv.length === 0) {
    full.stderr(program.helpInformation());
    return EXIT_USAGE;
  }
  try {
    await program.parseAsync([...argv], { from: "user" });
    return app.exitCode;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return EXIT_OK;
      if (e.code === "commander.help") return EXIT_USAGE;
      const message = (commanderMessage || e.message).trim().replace(/^error:\s*/, "");
      const sub = program.commands.find((c) => argv.includes(c.name()));
      full.stderr(`error: ${message}\nhint: run \`ns ${sub ? `${sub.name()} ` : ""}--help\` for usage\n`);
      if (json)
        full.stdout(
          `${JSON.stringify({ error: { code: "ERR_NS_INVALID_CONFIG", message, hint: null, details: { usage: true } } })}\n`,
        );
      return EXIT_USAGE;
    }
    full.stderr(formatError(e, debug));
    if (json) full.stdout(`${JSON.stringify(errorJson(e))}\n`);
    return exitCodeFor(e);
  }
}
