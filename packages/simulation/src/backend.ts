import type {
  BackendFactoryOptions,
  CreateResult,
  NamespaceRecord,
  NetworkBackend,
  ResolvedNamespace,
} from "@ns/core";
import { type NamespaceStats, NsError, sumInterfaceStats, zeroInterfaceStats } from "@ns/types";

const NOT_ENFORCED = "simulated: nothing in the OS isolates the process";

const zeros = (name: string, addresses: string[], mtu: number) =>
  zeroInterfaceStats(name, { addresses, mtu, state: "up" });

/** The in-memory backend: same API, validation and allocation as the real ones, nothing enforced. */
export function createSimulationBackend(_options: BackendFactoryOptions = {}): NetworkBackend {
  const destroyed = new Set<string>();
  const live = new Set<string>();
  return {
    name: "simulation",
    capabilities: {
      modes: {
        full: { supported: true, enforced: false, notes: NOT_ENFORCED },
        private: { supported: true, enforced: false, notes: NOT_ENFORCED },
        shared: { supported: true, enforced: false, notes: "the host network, as in every backend" },
        bridged: { supported: true, enforced: false, notes: NOT_ENFORCED },
      },
      portForwards: true,
      stats: "model",
      gc: true,
    },
    async create(ns: ResolvedNamespace, signal?: AbortSignal): Promise<CreateResult> {
      if (signal?.aborted) throw new NsError("ERR_NS_ABORTED", `create of ${ns.config.id} was aborted`);
      destroyed.delete(ns.config.id);
      live.add(ns.config.id);
      const result: CreateResult = { data: { simulated: true }, handle: `simulation:${ns.config.id}` };
      if (ns.config.mode === "private") result.uplink = ns.config.uplink ?? "uplink0";
      return result;
    },
    async destroy(record: NamespaceRecord) {
      live.delete(record.info.id);
      destroyed.add(record.info.id);
    },
    // The OS holds nothing: a record exists until some simulation backend destroys it (records persist across processes).
    async exists(record: NamespaceRecord) {
      return !destroyed.has(record.info.id) && record.backendData.simulated === true;
    },
    async getStats(record: NamespaceRecord): Promise<NamespaceStats> {
      const { info } = record;
      const interfaces = info.mode === "shared" ? [] : [zeros("lo", ["127.0.0.1/8"], 65536)];
      if (info.interface)
        interfaces.push(
          zeros(
            info.interface.name,
            [`${info.interface.ipAddr}/${info.interface.prefixLen}`],
            info.interface.mtu,
          ),
        );
      return sumInterfaceStats(info.id, info.createdAt, interfaces);
    },
    enter(record: NamespaceRecord) {
      return { prefix: [], env: { NS_SIMULATED: "1", NS_NAMESPACE_ID: record.info.id }, enforced: false };
    },
    async listOwned() {
      return [];
    },
    async removeOwned() {},
  };
}
