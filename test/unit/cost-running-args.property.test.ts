// Property tests for the `cost` and `running` argument parsers: whatever people type, the parser
// answers (never throws), and anything it accepts is within the strict allow-lists that guard the
// Cost Management filter / grouping and the inventory filters.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseCostArgs } from "../../src/commands/cost.ts";
import { parseRunningArgs } from "../../src/commands/running.ts";
import { TAG_KEY, TAG_VALUE } from "../../src/domain/tags.ts";
import type { Reply } from "../../src/reply/reply.ts";

const words = fc.array(
  fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("by", "tag:", "tag:team", "rg", "7d", "last", "month", "amortized", "eastus", "a100", "tag:team=x", "'", '"', "=")),
  {
    maxLength: 8,
  },
);
const isError = (r: object): r is { error: Reply } => "error" in r;

describe("cost arguments", () => {
  it("never throws, and every refusal is a user error with an example", () => {
    fc.assert(
      fc.property(words, (args) => {
        const r = parseCostArgs(args);
        if (isError(r)) {
          expect(r.error.outcome).toBe("user_error");
          expect(JSON.stringify(r.error)).toContain("Try: cost 7d by rg");
        } else if (r.grouping.kind === "tag") expect(r.grouping.key).toMatch(TAG_KEY);
      }),
      { numRuns: 500 },
    );
  });

  it("accepts a tag key only when it is on the allow-list", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 80 }), (key) => {
        const r = parseCostArgs(["7d", "by", `tag:${key}`]);
        expect(isError(r)).toBe(!TAG_KEY.test(key));
        if (!isError(r)) expect(r.grouping).toEqual({ kind: "tag", key });
      }),
      { numRuns: 500 },
    );
  });

  it("reads every valid combination, in any order", () => {
    const period = fc.constantFrom(
      ["today", "today"],
      ["yesterday", "yesterday"],
      ["7d", "7d"],
      ["30d", "30d"],
      ["mtd", "mtd"],
      ["last-month", "last-month"],
      ["week", "7d"],
      ["lastmonth", "last-month"],
    );
    const grouping = fc.oneof(
      fc.constantFrom(["rg", { kind: "rg" }], ["size", { kind: "size" }], ["subscription", { kind: "subscription" }], ["resource-group", { kind: "rg" }]),
      fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.:-]{0,20}$/).map((k) => [`tag:${k}`, { kind: "tag", key: k }] as const),
    );
    fc.assert(
      fc.property(period, grouping, fc.boolean(), fc.boolean(), fc.boolean(), ([p, pName], [g, gValue], by, amortized, upper) => {
        const parts = [[p], by ? ["by", g] : [g], amortized ? ["amortized"] : []].filter((x) => x.length > 0);
        const tokens = parts.flat().map((t) => (upper && !t.startsWith("tag:") ? t.toUpperCase() : t));
        const r = parseCostArgs(tokens);
        expect(r).toEqual({ period: pName, grouping: gValue, type: amortized ? "AmortizedCost" : "ActualCost" });
        const reversed = parseCostArgs(parts.reverse().flat());
        expect(reversed).toEqual({ period: pName, grouping: gValue, type: amortized ? "AmortizedCost" : "ActualCost" });
      }),
      { numRuns: 300 },
    );
  });
});

describe("running arguments", () => {
  it("never throws, and any accepted tag filter is on the allow-lists", () => {
    fc.assert(
      fc.property(words, (args) => {
        const r = parseRunningArgs(args);
        if (isError(r)) {
          expect(r.error.outcome).toBe("user_error");
          expect(JSON.stringify(r.error)).toContain("Try: running");
        } else if (r.tag) {
          expect(r.tag.key).toMatch(TAG_KEY);
          expect(r.tag.value).toMatch(TAG_VALUE);
        }
        if (!isError(r) && r.region) expect(r.region).toMatch(/^[a-z][a-z0-9]{2,39}$/);
      }),
      { numRuns: 500 },
    );
  });

  it("reads tag:<key>=<value> exactly, and refuses anything outside the allow-lists", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }), fc.string({ minLength: 1, maxLength: 60 }), (key, value) => {
        fc.pre(!key.includes("="));
        const r = parseRunningArgs([`tag:${key}=${value}`]);
        const ok = TAG_KEY.test(key) && TAG_VALUE.test(value);
        expect(isError(r)).toBe(!ok);
        if (!isError(r)) expect(r.tag).toEqual({ key, value });
      }),
      { numRuns: 500 },
    );
  });

  it("takes regions in any spelling and GPU filters together", () => {
    expect(parseRunningArgs(["East", "US", "2", "h100"])).toMatchObject({ region: "eastus2", filter: { kind: "gpu" } });
    expect(parseRunningArgs(["tag:owner=alice@contoso.com", "NC24ads_A100_v4"])).toMatchObject({ tag: { key: "owner", value: "alice@contoso.com" }, filter: { kind: "size" } });
  });
});
