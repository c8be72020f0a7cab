// Runs a command inside a throwaway fake host network namespace: `tsx scripts/in-fake-host.ts -- cmd args...`.
import { runInFakeHost } from "../src/testing/fake-host.ts";

const args = process.argv.slice(2);
const command = args[0] === "--" ? args.slice(1) : args;
if (command.length === 0) {
  process.stderr.write("usage: tsx scripts/in-fake-host.ts -- <command> [args...]\n");
  process.exit(2);
}
if (typeof process.getuid === "function" && process.getuid() !== 0) {
  process.stderr.write("in-fake-host needs root (it creates network namespaces)\n");
  process.exit(1);
}
runInFakeHost(command).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`in-fake-host: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(1);
  },
);
