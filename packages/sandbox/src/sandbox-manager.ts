import type { ChildProcess } from "node:child_process";
import { createNamespaceManager, type NamespaceManager, type NamespaceManagerOptions } from "@ns/core";
import { isNsError, type NamespaceConfig, type NamespaceInfo, NsError, toNsError } from "@ns/types";
import { assertCapabilities, Capability, requiredCapabilities } from "./capability.ts";
import { type ExtrasFacts, linuxExtras, readExtrasFacts } from "./linux-extras.ts";
import { createPidWatcher, type PidWatcher, type ProcessProbe, realProcessProbe } from "./pid-watcher.ts";
import { SandboxConfig } from "./sandbox-config.ts";
import { type SandboxProcess, type SandboxResult, type SpawnOptions, spawnEntered } from "./spawn.ts";

/** A created sandbox: its config and the namespace it runs in. */
export interface Sandbox {
  /** Namespace id (also the sandbox id). */
  readonly id: string;
  /** The config it was created from. */
  readonly config: SandboxConfig;
  /** The namespace as created. */
  readonly namespace: NamespaceInfo;
  /** Whether the OS enforces its isolation (false on the simulation backend). */
  readonly enforced: boolean;
  /** Why it is less isolated than its mode says, if it is (e.g. simulated). */
  readonly warnings: readonly string[];
}

/** Options of SandboxManager.withNamespaces. */
export interface SandboxManagerOptions extends NamespaceManagerOptions {
  /** Use this namespace manager instead of creating one from the other options. */
  namespaces?: NamespaceManager;
  /** Poll interval for watched foreign pids, ms (default 500). */
  watchIntervalMs?: number;
  /** Process probe for the watcher (tests simulate exits and pid reuse). */
  probe?: ProcessProbe;
  /** Facts for the Linux child prefix (tests). */
  extrasFacts?: ExtrasFacts;
}

/** Creates sandboxes, runs processes in them and cleans up after them. */
export interface SandboxManager {
  /** The namespace manager underneath. */
  readonly namespaces: NamespaceManager;
  /** Checks capabilities, then creates the namespace; a foreign owner pid is watched and its exit destroys the sandbox. */
  createSandbox(config: SandboxConfig): Promise<Sandbox>;
  /** A sandbox for a namespace that already exists (e.g. made by `ns create`), holding exactly what its mode needs plus `extra`. */
  open(id: string, extra?: Iterable<Capability>): Promise<Sandbox>;
  /** Starts `command args` inside the sandbox's namespace. */
  spawn(
    sandbox: Sandbox,
    command: string,
    args?: readonly string[],
    options?: SpawnOptions,
  ): Promise<SandboxProcess>;
  /** Spawns and waits for the result. */
  run(
    sandbox: Sandbox,
    command: string,
    args?: readonly string[],
    options?: SpawnOptions,
  ): Promise<SandboxResult>;
  /** Destroys the namespace, killing processes this manager started in it; idempotent. */
  destroySandbox(sandbox: Sandbox | string): Promise<void>;
  /** Destroys the sandbox when `pid` exits; a later process reusing the pid does not count as it. */
  watchPid(sandbox: Sandbox, pid: number): () => void;
  /** Stops watching pids and closes the namespace manager if this manager created it. */
  close(): Promise<void>;
}

const SIMULATED =
  "the simulation backend does not isolate: the process runs with the host's network (nothing is enforced)";

/** A sandbox over a namespace: enforced as its backend says, with the simulation warning when it is not. */
function sandboxOf(info: NamespaceInfo, config: SandboxConfig): Sandbox {
  return {
    id: info.id,
    config,
    namespace: info,
    enforced: info.enforced,
    warnings: info.enforced ? [] : [SIMULATED],
  };
}

/** The config a namespace was created from, as far as its public info tells. */
function configOf(info: NamespaceInfo): NamespaceConfig {
  const c: NamespaceConfig = {
    id: info.id,
    mode: info.mode,
    portForwards: info.portForwards,
    dnsServers: info.dnsServers,
  };
  if (info.pid !== undefined) c.pid = info.pid;
  if (info.bridge !== undefined) c.bridge = info.bridge;
  return c;
}

/** Creates a sandbox manager over an existing or new NamespaceManager. */
export function createSandboxManager(options: SandboxManagerOptions = {}): SandboxManager {
  const namespaces = options.namespaces ?? createNamespaceManager(options);
  const probe = options.probe ?? realProcessProbe;
  const watcher: PidWatcher = createPidWatcher({ intervalMs: options.watchIntervalMs ?? 500, probe });
  const facts = options.extrasFacts ?? readExtrasFacts();
  const children = new Map<string, Set<ChildProcess>>();
  const unwatch = new Map<string, (() => void)[]>();

  const destroyById = async (id: string, createdAt?: string) => {
    for (const stop of unwatch.get(id) ?? []) stop();
    unwatch.delete(id);
    for (const c of children.get(id) ?? [])
      if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
    children.delete(id);
    try {
      // A namespace re-created under the same id since is not ours to destroy.
      if (createdAt !== undefined && (await namespaces.getInfo(id)).createdAt !== createdAt) return;
      await namespaces.destroy(id);
    } catch (e) {
      if (!isNsError(e, "ERR_NS_NOT_FOUND")) throw toNsError(e);
    }
  };

  const watch = (sandbox: Sandbox, pid: number, startTime: string | undefined) => {
    const onExit = () => {
      destroyById(sandbox.id, sandbox.namespace.createdAt).catch(() => {
        // gc retries what an automatic cleanup could not remove.
      });
    };
    const stop = watcher.watch(pid, onExit, startTime);
    unwatch.set(sandbox.id, [...(unwatch.get(sandbox.id) ?? []), stop]);
    return stop;
  };

  const manager: SandboxManager = {
    namespaces,
    async createSandbox(config) {
      if (!(config.capabilities instanceof Set))
        throw new NsError("ERR_NS_INVALID_CONFIG", "capabilities must be a Set of Capability values", {
          hint: "start from a preset: SandboxConfig.minimal(), .standard() or .privileged()",
        });
      assertCapabilities(config.capabilities, config.network);
      const network = { ...config.network };
      if (config.pid !== undefined) network.pid = config.pid;
      const sandbox = sandboxOf(await namespaces.create(network), config);
      const info = sandbox.namespace;
      if (config.pid !== undefined && config.pid !== process.pid) {
        // The start time core recorded at creation: if the pid was already reused, it counts as exited.
        const start = (await namespaces.store.get(info.id))?.pidStartTime;
        watch(sandbox, config.pid, start);
      }
      return sandbox;
    },
    async open(id, extra = []) {
      const info = await namespaces.getInfo(id);
      const network = configOf(info);
      const caps = [...requiredCapabilities(network).map((r) => r.capability), ...extra];
      return sandboxOf(info, SandboxConfig.custom(network, caps));
    },
    async spawn(sandbox, command, args = [], opts = {}) {
      const enter = await namespaces.enter(sandbox.id);
      const extraPrefix = linuxExtras(facts, {
        enforced: enter.enforced,
        dropRaw: !sandbox.config.capabilities.has(Capability.NetworkRaw),
        killWithParent: opts.killWithParent ?? false,
      });
      const warnings = enter.enforced ? [] : [SIMULATED];
      const {
        child,
        exited,
        process: proc,
      } = await spawnEntered(enter, command, args, {
        ...opts,
        extraPrefix,
        warnings,
      });
      const live = children.get(sandbox.id) ?? new Set();
      children.set(sandbox.id, live);
      live.add(child);
      const result = exited.then(async (r): Promise<SandboxResult> => {
        live.delete(child);
        if (!opts.destroyOnExit || live.size > 0) return r;
        try {
          await destroyById(sandbox.id, sandbox.namespace.createdAt);
          return r;
        } catch (e) {
          return { ...r, cleanupError: toNsError(e) };
        }
      });
      return { ...proc, result };
    },
    async run(sandbox, command, args = [], opts = {}) {
      return (await manager.spawn(sandbox, command, args, opts)).result;
    },
    async destroySandbox(sandbox) {
      const id = typeof sandbox === "string" ? sandbox : sandbox.id;
      await destroyById(id, typeof sandbox === "string" ? undefined : sandbox.namespace.createdAt);
    },
    watchPid(sandbox, pid) {
      return watch(sandbox, pid, undefined);
    },
    async close() {
      watcher.close();
      unwatch.clear();
      if (!options.namespaces) await namespaces.close();
    },
  };
  return manager;
}

/** Entry point named as in the original design. */
export const SandboxManager = {
  /** A sandbox manager that creates its namespaces through a NamespaceManager (`createNamespaceManager(options)`). */
  withNamespaces(options: SandboxManagerOptions = {}): SandboxManager {
    return createSandboxManager(options);
  },
} as const;
