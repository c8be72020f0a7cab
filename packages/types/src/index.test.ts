import { describe, expect, it } from "vitest";
import * as api from "./index.ts";

describe("@ns/types public API", () => {
  it("exports the original design's names and every documented helper", () => {
    const names = [
      "NamespaceConfig",
      "newNamespaceId",
      "interfaceConfig",
      "forwardKey",
      "forwardsConflict",
      "parseForwardKey",
      "validateConfig",
      "parseConfig",
      "interfaceNameProblem",
      "NsError",
      "isNsError",
      "toNsError",
      "InvalidConfigError",
      "TeardownError",
      "teardownFailures",
      "NS_ERROR_CODES",
      "ISOLATION_MODES",
      "MAX_ID_LENGTH",
      "MAX_DNS_SERVERS",
      "MAX_PORT_FORWARDS",
      "MAX_BRIDGE_LENGTH",
      "MAX_PID",
      "ipFamily",
      "isIp",
      "canonicalIp",
      "isUnspecifiedIp",
      "ipRange",
      "ipToBigInt",
      "bigIntToIp",
      "maxPrefix",
      "parseCidr",
      "prefixMask",
      "subnetOf",
      "formatSubnet",
      "subnetSize",
      "subnetContains",
      "subnetsOverlap",
      "sumInterfaceStats",
      "zeroInterfaceStats",
    ];
    for (const name of names) expect(api, name).toHaveProperty(name);
    expect(Object.keys(api).sort()).toEqual([...names].sort());
  });

  it("offers the four factories under NamespaceConfig", () => {
    expect(Object.keys(api.NamespaceConfig).sort()).toEqual([
      "bridged",
      "fullIsolation",
      "privateNetwork",
      "shared",
    ]);
  });
});
