import { existsSync } from "node:fs";
import { SandboxConfig, SandboxManager } from "@ns/sandbox";

// Run a command in a fully isolated sandbox; it is destroyed when the command exits.
const sandboxes = SandboxManager.withNamespaces();
const sandbox = await sandboxes.createSandbox(SandboxConfig.minimal());
const script = "console.log('hello from', process.env.NS_NAMESPACE_ID)";
const result = await sandboxes.run(sandbox, process.execPath, ["-e", script], {
  stdio: "inherit",
  destroyOnExit: true,
});
const { name, reason } = await sandboxes.namespaces.backendInfo();
console.log(`exit code ${result.exitCode}; backend ${name} (${reason}); enforced: ${sandbox.enforced}`);
await sandboxes.close();

// Only the one backend we installed is there: the others were never pulled in.
for (const pkg of ["@ns/linux", "@ns/macos"]) {
  const present = existsSync(new URL(`./node_modules/${pkg}`, import.meta.url));
  console.log(`${pkg} installed: ${present ? "yes" : "no"}`);
  if (present) throw new Error(`${pkg} must not be installed in this example`);
}
if (result.exitCode !== 0) process.exit(result.exitCode);
