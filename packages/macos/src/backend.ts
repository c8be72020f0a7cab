import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type BackendFactoryOptions,
  type CommandRunner,
  type CreateResult,
  createExecRunner,
  type EnterSpec,
  type NamespaceRecord,
  type NetworkBackend,
  type OwnedObject,
  type ResolvedNamespace,
} from "@ns/core";
import { type NamespaceStats, NsError, TeardownError, toNsError } from "@ns/types";
import { MACOS_CAPABILITIES } from "./capabilities.ts";
import { createFull, createPrivate, type MacosData } from "./create.ts";
import {
  ANCHOR_ROOT,
  anchorName,
  anchorNamespaceId,
  parseOwnedFileName,
  profileFileName,
  tokenFileName,
} from "./names.ts";
import { createPfDriver } from "./pfctl.ts";
import { safeId, safeToken } from "./safe.ts";
import { createStateFiles, type StateFiles } from "./state-files.ts";
import { namespaceStats } from "./stats.ts";

/** Programs the backend runs; absolute paths pin them (bare names are looked up on PATH). */
export interface MacosTools {
  sandboxExec: string;
  pfctl: string;
  netstat: string;
  route: string;
}

/** Options of createMacosBackend. */
export interface MacosBackendOptions extends BackendFactoryOptions {
  /** Runs pfctl, route and netstat (default: createExecRunner from @ns/core); tests pass a fake. */
  runner?: CommandRunner;
  /** Directory for Seatbelt profiles and pf token notes (default `<tmpdir>/ns-macos-<uid>`, mode 0700). */
  stateDir?: string;
  /** The state files themselves (default: files under stateDir). */
  files?: StateFiles;
  /** Program names or paths. */
  tools?: Partial<MacosTools>;
}

const DEFAULT_TOOLS: MacosTools = {
  sandboxExec: "sandbox-exec",
  pfctl: "pfctl",
  netstat: "netstat",
  route: "route",
};

/** The default state dir: per user, under the temp dir, so that gc in any later process finds leftovers. */
export function defaultMacosStateDir(): string {
  return join(tmpdir(), `ns-macos-${process.getuid?.() ?? "user"}`);
}

function unsupported(mode: string): NsError {
  const cap = MACOS_CAPABILITIES.modes[mode as "bridged"];
  return new NsError("ERR_NS_UNSUPPORTED", `the macos backend does not support ${mode} mode`, {
    hint: cap?.notes ?? "use full, private or shared",
    details: { backend: "macos", mode },
  });
}

/**
 * The macOS backend: Seatbelt profiles (sandbox-exec) for the process, a pf anchor `ns/<id>` for forwards
 * and NAT. It never checks the platform (probe does), so it runs anywhere against an injected runner.
 */
export function createMacosBackend(options: MacosBackendOptions = {}): NetworkBackend {
  const runner = options.runner ?? createExecRunner();
  const tools: MacosTools = { ...DEFAULT_TOOLS, ...options.tools };
  const files = options.files ?? createStateFiles(options.stateDir ?? defaultMacosStateDir());
  const pf = createPfDriver(runner, tools.pfctl);
  // Shared namespaces own nothing in the OS; this remembers the ones this backend object destroyed.
  const destroyedShared = new Set<string>();
  const dataOf = (r: NamespaceRecord) => r.backendData as Partial<MacosData>;

  /** The teardown steps, shared by destroy, create's rollback and gc; each runs even when one fails. */
  const teardown = async (id: string, mode: string, data: Partial<MacosData>) => {
    const failures: NsError[] = [];
    const step = async (fn: () => Promise<void>) => {
      await fn().catch((e) => failures.push(toNsError(e)));
    };
    if (mode === "private" || data.anchor !== undefined) await step(() => pf.flush(anchorName(id)));
    await step(async () => {
      // After a crash mid-create the record may hold no token: the note in the state dir still does.
      const token = data.pfToken ?? (await files.read(tokenFileName(id)))?.trim();
      if (token) await pf.release(safeToken(token));
      await files.remove(tokenFileName(id));
    });
    await step(() => files.remove(profileFileName(id)));
    if (failures.length > 0) throw new TeardownError(id, failures);
  };

  const ctx = {
    runner,
    pf,
    files,
    route: tools.route,
    undo: (id: string, data: MacosData) => teardown(id, data.mode, data),
    ...(options.uplink !== undefined ? { uplink: options.uplink } : {}),
  };

  return {
    name: "macos",
    capabilities: MACOS_CAPABILITIES,

    async create(ns: ResolvedNamespace, signal?: AbortSignal): Promise<CreateResult> {
      const id = safeId(ns?.config?.id);
      const mode = ns.config.mode;
      if (signal?.aborted) throw new NsError("ERR_NS_ABORTED", `create of ${id} was aborted`);
      if (mode === "full") return createFull(ctx, id, signal);
      if (mode === "private") return createPrivate(ctx, ns, id, signal);
      if (mode === "shared") {
        destroyedShared.delete(id);
        return { data: { mode: "shared" } };
      }
      throw unsupported(String(mode));
    },

    async destroy(record: NamespaceRecord) {
      const id = safeId(record.info.id);
      if (record.info.mode === "shared") {
        destroyedShared.add(id);
        return;
      }
      await teardown(id, record.info.mode, dataOf(record));
    },

    async exists(record: NamespaceRecord) {
      const id = safeId(record.info.id);
      if (record.info.mode === "shared") return !destroyedShared.has(id);
      if (!(await files.exists(profileFileName(id)))) return false;
      if (dataOf(record).anchor === undefined) return true;
      return (await pf.anchors()).includes(anchorName(id));
    },

    async getStats(record: NamespaceRecord): Promise<NamespaceStats> {
      const { info } = record;
      const id = safeId(info.id);
      const uplink = dataOf(record).uplink;
      // The host interfaces the namespace's traffic uses; shared uses the host's and reports none, as elsewhere.
      const ifnames = info.mode === "shared" ? [] : ["lo0"];
      if (info.mode === "private" && uplink !== undefined && uplink !== "lo0") ifnames.push(uplink);
      return namespaceStats({ runner, pf, netstat: tools.netstat }, id, info.createdAt, ifnames);
    },

    enter(record: NamespaceRecord): EnterSpec {
      const id = safeId(record.info.id);
      const mode = record.info.mode;
      if (mode === "shared") return { prefix: [], enforced: false };
      if (mode !== "full" && mode !== "private") throw unsupported(mode);
      return {
        prefix: [tools.sandboxExec, "-f", join(files.dir, profileFileName(id))],
        env: { NS_NAMESPACE_ID: id },
        enforced: MACOS_CAPABILITIES.modes[mode].enforced,
      };
    },

    async listOwned(): Promise<OwnedObject[]> {
      const owned: OwnedObject[] = [];
      for (const name of await files.list()) {
        const parsed = parseOwnedFileName(name);
        if (parsed) owned.push({ kind: parsed.kind, name, namespaceId: parsed.namespaceId });
      }
      for (const anchor of await pf.anchors()) {
        const nsId = anchorNamespaceId(anchor);
        if (nsId) owned.push({ kind: "pf-anchor", name: anchor, namespaceId: nsId });
      }
      return owned;
    },

    async removeOwned(objects: OwnedObject[]) {
      const failures: NsError[] = [];
      for (const o of objects) {
        try {
          if (o.kind === "pf-anchor") {
            const nsId = anchorNamespaceId(o.name);
            if (!nsId)
              throw new NsError("ERR_NS_INTERNAL", `${o.name} is not an anchor under ${ANCHOR_ROOT}/`);
            await pf.flush(anchorName(nsId));
            continue;
          }
          const parsed = parseOwnedFileName(o.name);
          if (!parsed || parsed.kind !== o.kind)
            throw new NsError("ERR_NS_INTERNAL", `${o.kind}:${o.name} is not a file of ours`);
          if (parsed.kind === "pf-token") {
            const token = (await files.read(o.name))?.trim();
            if (token) await pf.release(safeToken(token));
          }
          await files.remove(o.name);
        } catch (e) {
          failures.push(toNsError(e));
        }
      }
      if (failures.length > 0) throw new TeardownError("gc", failures);
    },
  };
}
