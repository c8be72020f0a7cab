import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const BIN = fileURLToPath(new URL("../dist/bin.js", import.meta.url));

describe("nsd binary", () => {
  let child: ChildProcess | undefined;
  let dir: string | undefined;
  afterEach(() => {
    child?.kill("SIGTERM");
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("serves namespaces from its state directory and loads the backend it was asked for", async () => {
    dir = mkdtempSync(join(tmpdir(), "nsd-bin-"));
    const port = 20000 + (process.pid % 20000);
    child = spawn(
      process.execPath,
      [
        BIN,
        "--listen",
        `127.0.0.1:${port}`,
        "--backend",
        "simulation",
        "--state-dir",
        dir,
        "--gc-interval",
        "0",
      ],
      {
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let stderr = "";
    child.stderr!.on("data", (d) => {
      stderr += String(d);
    });
    const url = `http://127.0.0.1:${port}/v1`;
    for (let i = 0; i < 100 && !stderr.includes("listening"); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(stderr).toContain("backend simulation");
    const created = await fetch(`${url}/namespaces`, {
      method: "POST",
      body: JSON.stringify({ id: "web", mode: "private", portForwards: [], dnsServers: [] }),
    });
    expect(created.status).toBe(201);
    expect(((await (await fetch(`${url}/namespaces`)).json()) as unknown[]).length).toBe(1);
    expect((await fetch(`${url}/namespaces/web`, { method: "DELETE" })).status).toBe(204);
  });
});
