import { describeBackendConformance } from "@ns/core/testing";
import { createSimulationBackend } from "./backend.ts";

describeBackendConformance({ name: "simulation", createBackend: () => createSimulationBackend() });
