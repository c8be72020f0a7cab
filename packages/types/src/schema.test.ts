import { describe, expect, it } from "vitest";
import { ISOLATION_MODES } from "./model.ts";
import {
  configSchema,
  interfaceNameProblem,
  MAX_DNS_SERVERS,
  MAX_ID_LENGTH,
  MAX_PORT_FORWARDS,
} from "./schema.ts";

describe("interfaceNameProblem", () => {
  it.each(["eth0", "veth-ns-1", "fifteen-bytes-x", "wg.0", "é-name"])("accepts %j", (name) => {
    expect(interfaceNameProblem(name)).toBeUndefined();
  });

  it.each([
    ["", "empty"],
    ["sixteen-bytes-xx", "15 bytes"],
    ["éééééééé", "15 bytes"],
    [".", ". or .."],
    ["..", ". or .."],
    ["a/b", "'/'"],
    ["eth%d", "'%'"],
    ["a:b", "':'"],
    ["a b", "whitespace"],
    ["a\nb", "whitespace"],
    ["a\u00a0b", "whitespace"],
    ["a\u0007b", "control"],
    ["a\u007fb", "control"],
  ])("rejects %j (%s)", (name, why) => {
    expect(interfaceNameProblem(name)).toContain(why);
  });

  it("rejects non-strings", () => {
    expect(interfaceNameProblem(3 as never)).toBe("must be a string");
  });
});

describe("configSchema", () => {
  it("knows exactly the four isolation modes", () => {
    for (const mode of ISOLATION_MODES) expect(configSchema.shape.mode.safeParse(mode).success).toBe(true);
    expect(ISOLATION_MODES).toHaveLength(4);
  });

  it("has limits that match the documented constants", () => {
    expect(MAX_ID_LENGTH).toBe(48);
    expect(MAX_DNS_SERVERS).toBe(3);
    expect(MAX_PORT_FORWARDS).toBe(256);
  });
});
