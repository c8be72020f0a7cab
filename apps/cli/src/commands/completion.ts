import type { Command } from "commander";
import { type App, examples } from "../app.ts";
import { bashCompletion, fishCompletion, specOf, zshCompletion } from "../completion.ts";
import { EXIT_OK, usageError } from "../errors.ts";

/** `ns completion bash|zsh|fish`. */
export function completionCommand(program: Command, app: App): void {
  program
    .command("completion")
    .description("print a shell completion script (bash, zsh or fish)")
    .argument("<shell>", "bash, zsh or fish")
    .addHelpText(
      "after",
      examples([
        "source <(ns completion bash)                 # bash, this shell",
        "ns completion bash > /etc/bash_completion.d/ns",
        "ns completion zsh > ~/.zfunc/_ns       # with fpath+=~/.zfunc in .zshrc",
        "ns completion fish > ~/.config/fish/completions/ns.fish",
      ]),
    )
    .action((shell: string) => {
      const spec = specOf(program);
      const make = { bash: bashCompletion, zsh: zshCompletion, fish: fishCompletion }[shell];
      if (!make) throw usageError(`invalid shell ${JSON.stringify(shell)}: accepted are bash, zsh, fish`);
      app.io.stdout(make(spec));
      app.exitCode = EXIT_OK;
    });
}
