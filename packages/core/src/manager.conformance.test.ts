import { createFakeBackend } from "./testing/fake-backend.ts";
import { describeBackendConformance } from "./testing/index.ts";

// The manager against a backend with no behaviour of its own: what the suite checks is the manager's part.
describeBackendConformance({ name: "fake (core)", createBackend: () => createFakeBackend() });
