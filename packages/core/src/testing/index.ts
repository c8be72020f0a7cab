export type { FakeResponse, RecordedCommand, RecordingRunner } from "../recording-runner.ts";
export { createRecordingRunner } from "../recording-runner.ts";
export type { ConformanceOptions } from "./conformance.ts";
export { describeBackendConformance } from "./conformance.ts";
