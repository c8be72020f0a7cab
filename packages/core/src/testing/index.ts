export type { FakeResponse, RecordedCommand, RecordingRunner } from "../recording-runner.ts";
export { createRecordingRunner } from "../recording-runner.ts";
export type { ConformanceOptions } from "./conformance.ts";
export { describeBackendConformance } from "./conformance.ts";
export type { FakeBackend, FakeBackendOptions, FakeVerb, Gate } from "./fake-backend.ts";
export { createFakeBackend } from "./fake-backend.ts";
export { describeStoreContract, sampleRecord } from "./store-contract.ts";
export { forkTsxWorker, nextMessage } from "./worker.ts";
