import { isDeepStrictEqual } from "node:util";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isNsError } from "./errors.ts";
import { brokenConfigArb, relatedField } from "./test-support/broken-configs.ts";
import { validConfigArb } from "./test-support/valid-configs.ts";
import { parseConfig, validateConfig } from "./validate.ts";

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

// 10,000 runs: a cheap native comparison first, vitest's expect (with its readable diff) only on a mismatch.
function same(actual: unknown, expected: unknown): void {
  if (!isDeepStrictEqual(actual, expected)) expect(actual).toStrictEqual(expected);
}

const mixed = fc.oneof(
  validConfigArb.map((config) => ({ config, broken: [] as string[] })),
  brokenConfigArb,
);

describe("validateConfig (property)", () => {
  it("rejects every broken config naming exactly the broken fields, accepts and round-trips every valid one, and never changes its input", () => {
    fc.assert(
      fc.property(mixed, ({ config, broken }) => {
        const before = structuredClone(config);
        // Frozen: any write by the validator throws in strict mode, on top of showing up in the comparison.
        const result = validateConfig(deepFreeze(config));
        same(config, before);
        if (broken.length > 0) {
          if (result.ok) expect.fail(`accepted a config with broken ${broken.join(", ")}`);
          const fields = result.issues.map((i) => i.field);
          for (const b of broken) if (!fields.includes(b)) expect(fields).toContain(b);
          for (const f of fields)
            if (!relatedField(f, broken))
              expect.fail(`unexpected issue on ${f}: ${JSON.stringify(result.issues)}`);
          return;
        }
        if (!result.ok) expect.fail(`rejected a valid config: ${JSON.stringify(result.issues)}`);
        const json = JSON.parse(JSON.stringify(config));
        same(validateConfig(json), result);
        same(result.config, { portForwards: [], dnsServers: [], ...json });
      }),
      { numRuns: 10_000 },
    );
  });

  it("has parseConfig throw ERR_NS_INVALID_CONFIG exactly when validateConfig says not ok", () => {
    const anyInput = fc.oneof(
      validConfigArb,
      brokenConfigArb.map((b) => b.config),
      fc.anything(),
      fc.object(),
    );
    fc.assert(
      fc.property(anyInput, (input) => {
        const result = validateConfig(input);
        let thrown: unknown;
        let parsed: unknown;
        try {
          parsed = parseConfig(input);
        } catch (e) {
          thrown = e;
        }
        if (result.ok) {
          expect(thrown).toBeUndefined();
          same(parsed, result.config);
        } else {
          expect(isNsError(thrown, "ERR_NS_INVALID_CONFIG")).toBe(true);
          same((thrown as { issues: unknown }).issues, result.issues);
        }
      }),
      { numRuns: 2_000 },
    );
  });
});
