import type { Command } from "commander";
import { type CliContext, type CliIo, type GlobalOptions, openContext } from "./context.ts";

/** What every command gets: the IO, the merged options and a context opener. */
export interface App {
  readonly io: CliIo;
  /** Exit code set by the last action. */
  exitCode: number;
  /** Opens the state and backend, runs `fn`, always closes. */
  withContext(g: GlobalOptions, fn: (ctx: CliContext) => Promise<number>): Promise<number>;
  /** Prints `value` as JSON (one line per document) with --json, else the human text. */
  print(g: GlobalOptions, value: unknown, human: () => string): void;
}

/** Creates the App for one CLI invocation. */
export function createApp(io: CliIo): App {
  return {
    io,
    exitCode: 0,
    async withContext(g, fn) {
      const ctx = openContext(g, io);
      try {
        return await fn(ctx);
      } finally {
        await ctx.close();
      }
    },
    print(g, value, human) {
      io.stdout(g.json ? `${JSON.stringify(value, null, 2)}\n` : human());
    },
  };
}

/** Options of a command merged with the global ones (given before or after the command name). */
export function optionsOf<T>(cmd: Command): T & GlobalOptions {
  // Unlike commander's optsWithGlobals, the later (command-level) value wins, as on most CLIs.
  const chain: Command[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) chain.unshift(c);
  return Object.assign({}, ...chain.map((c) => c.opts())) as T & GlobalOptions;
}

/** Adds --backend, --state-dir and --debug, so they work after the command name too. */
export function addGlobalOptions(cmd: Command): Command {
  return cmd
    .option("--backend <name>", "backend: auto, linux, macos or simulation (env NS_BACKEND)")
    .option("--state-dir <dir>", "state directory holding state.db (env NS_STATE_DIR)")
    .option("--debug", "print stack traces of errors");
}

/** Indented examples block for --help. */
export function examples(lines: readonly string[]): string {
  // Lines after an empty one are notes, printed flush left.
  const cut = lines.indexOf("");
  const ex = cut === -1 ? lines : lines.slice(0, cut);
  const notes = cut === -1 ? [] : lines.slice(cut + 1);
  const text = `\nExamples:\n${ex.map((l) => `  ${l}`).join("\n")}\n`;
  return notes.length === 0 ? text : `${text}\n${notes.join("\n")}\n`;
}
