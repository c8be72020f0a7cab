#!/usr/bin/env node
import { runCli } from "./program.ts";

// `ns list | head`: the reader went away. Drop the rest of the output quietly, as other tools do, instead of dying
// with a stack trace; the command itself still finishes (`ns run` must still clean up its namespace).
for (const stream of [process.stdout, process.stderr])
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
  });

process.exitCode = await runCli(process.argv.slice(2));
