export type {
  BackendCapabilities,
  BackendData,
  BackendFactoryOptions,
  BackendModule,
  CreateResult,
  EnterSpec,
  ModeCapability,
  NamespaceRecord,
  NamespaceState,
  NetworkBackend,
  OwnedObject,
  ResolvedNamespace,
} from "./backend.ts";
export type { BackendChoice, HostFacts } from "./detect.ts";
export { BACKEND_PACKAGES, chooseBackend, linuxPrivileged, loadBackend, readHostFacts } from "./detect.ts";
export { createExecRunner } from "./exec-runner.ts";
export type { Allocation, IpamOptions } from "./ipam.ts";
export { allocate, DEFAULT_IPAM } from "./ipam.ts";
export { createKeyedLock } from "./keyed-lock.ts";
export type { BackendReport, GcReport, NamespaceManagerOptions } from "./manager.ts";
export { createNamespaceManager, NamespaceManager } from "./manager.ts";
export { ownerExited, processAlive, processOwnerId, processStartTime } from "./process-info.ts";
export type { FakeResponse, RecordedCommand, RecordingRunner } from "./recording-runner.ts";
export { createRecordingRunner } from "./recording-runner.ts";
export type { CommandResult, CommandRunner, RunOptions } from "./runner.ts";
export { classifyFailure, commandError } from "./runner.ts";
export { checkReservation, isExclusive } from "./store/claims.ts";
export { createMemoryStore, existsError, notFound } from "./store/memory-store.ts";
export { SCHEMA_VERSION } from "./store/sqlite-schema.ts";
export type { SqliteStore, SqliteStoreOptions } from "./store/sqlite-store.ts";
export { createSqliteStore, DEFAULT_BUSY_TIMEOUT_MS } from "./store/sqlite-store.ts";
export { defaultStateDir, defaultStatePath, STATE_DB_FILE } from "./store/state-dir.ts";
export type { Claim, ClaimKind, RecordPatch, Reservation, StateStore } from "./store/store.ts";
