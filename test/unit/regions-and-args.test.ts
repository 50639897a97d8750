import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { nearest, nearestRegion, resolveSizeFilter, takeRegion, tokenize } from "../../src/commands/args.ts";
import { stripPrefix } from "../../src/commands/registry.ts";
import { GPU_SIZES } from "../../src/domain/gpu-catalogue.ts";
import { allRegions, assertSafeRegion, isKnownRegion, regionDisplayName, regionKey, resolveRegion } from "../../src/domain/regions.ts";
import { resolveVerbName } from "../support/router.ts";

describe("regions", () => {
  it.each([
    ["eastus", "eastus"],
    ["East US", "eastus"],
    ["east us", "eastus"],
    ["EASTUS", "eastus"],
    ["East US 2", "eastus2"],
    ["east-us-2", "eastus2"],
    ["Sweden Central", "swedencentral"],
    ["  westus3 ", "westus3"],
  ])("%j is the ARM region %s", (text, arm) => {
    expect(resolveRegion(text)).toBe(arm);
  });

  it.each(["eastus' or 1 eq 1", "eastus'", "east'us", 'eastus"', "eastus)", "eastus;drop", "mars", "", "e", "eastus%27"])("%j is not a region", (text) => {
    expect(resolveRegion(text)).toBeUndefined();
  });

  it("display names and ARM names round-trip", () => {
    for (const r of allRegions()) {
      expect(isKnownRegion(r)).toBe(true);
      expect(resolveRegion(regionDisplayName(r))).toBe(r);
      expect(regionKey(regionDisplayName(r))).toBe(r);
    }
  });

  it("assertSafeRegion passes ARM names and refuses anything that could change an OData filter", () => {
    for (const r of allRegions()) expect(assertSafeRegion(r)).toBe(r);
    for (const bad of ["eastus' or 1 eq 1", "East US", "eastus'", "", "1eastus", "a".repeat(41)]) expect(() => assertSafeRegion(bad)).toThrow(/unsafe region/);
  });

  it("property: whatever resolveRegion returns is a known, filter-safe ARM name", () => {
    const regionish = fc.oneof(
      fc.string(),
      fc.constantFrom(...allRegions().map(regionDisplayName)).chain((r) => fc.tuple(fc.constant(r), fc.string({ maxLength: 4 })).map(([a, b]) => a + b)),
    );
    fc.assert(
      fc.property(regionish, (text) => {
        const r = resolveRegion(text);
        if (r !== undefined) {
          expect(isKnownRegion(r)).toBe(true);
          expect(assertSafeRegion(r)).toBe(r);
        }
        if (text.includes("'")) expect(r).toBeUndefined();
      }),
    );
  });

  it("suggests the nearest region for typos", () => {
    expect(nearestRegion("estus")).toBe("eastus");
    expect(nearestRegion("swedencentrl")).toBe("swedencentral");
    expect(nearestRegion("qqqqqqqqqqqq")).toBeUndefined();
  });
});

describe("tokenize", () => {
  it("splits on whitespace and keeps quoted phrases", () => {
    expect(tokenize('skus "East US" a100')).toEqual(["skus", "East US", "a100"]);
    expect(tokenize("skus 'East US 2' h100")).toEqual(["skus", "East US 2", "h100"]);
    expect(tokenize("  quota   westus  ")).toEqual(["quota", "westus"]);
  });

  it("keeps a stray quote inside its word, so it cannot be lost before validation", () => {
    expect(tokenize("skus eastus' or 1 eq 1")).toEqual(["skus", "eastus'", "or", "1", "eq", "1"]);
    expect(tokenize("skus eastus' or '1'='1")).toEqual(["skus", "eastus'", "or", "'1'='1"]);
  });

  it("drops control characters, empty quotes, and anything past 500 characters", () => {
    expect(tokenize("skus\u0000east\u0007us")).toEqual(["skus", "east", "us"]);
    expect(tokenize('skus "" a100')).toEqual(["skus", "a100"]);
    expect(tokenize(`a ${"b".repeat(1000)}`).join(" ").length).toBeLessThanOrEqual(500);
  });

  it("property: never throws and never yields an empty or whitespace-bearing unquoted token", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 700 }), (s) => {
        const tokens = tokenize(s);
        for (const t of tokens) {
          expect(t.length).toBeGreaterThan(0);
          expect(t).not.toMatch(/[\u0000-\u001f]/);
        }
      }),
    );
  });
});

describe("takeRegion", () => {
  it("takes the longest leading run that names a region", () => {
    expect(takeRegion(["East", "US", "2", "a100"])).toEqual({ region: "eastus2", rest: ["a100"] });
    expect(takeRegion(["east", "us", "h100", "nvl"])).toEqual({ region: "eastus", rest: ["h100", "nvl"] });
    expect(takeRegion(["swedencentral"])).toEqual({ region: "swedencentral", rest: [] });
    expect(takeRegion(["a100"])).toBeUndefined();
    expect(takeRegion(["eastus'", "or", "1"])).toBeUndefined();
  });
});

describe("GPU, family and size filters", () => {
  const sizesOf = (text: string) => resolveSizeFilter(text)?.sizes.map((s) => s.size) ?? [];

  it("a100 and A100 mean the same: every A100 size, both memory variants", () => {
    const a = resolveSizeFilter("a100");
    expect(a?.kind).toBe("gpu");
    expect(sizesOf("A100")).toEqual(sizesOf("a100"));
    const expected = GPU_SIZES.filter((s) => s.gpu.name.startsWith("A100")).map((s) => s.size);
    expect(sizesOf("a100").sort()).toEqual(expected.sort());
    expect(new Set(a?.sizes.map((s) => s.gpu.key))).toEqual(new Set(["a100-40", "a100-80"]));
  });

  it("h100 nvl is the NVL model only, not every H100", () => {
    const nvl = sizesOf("h100 nvl");
    expect(nvl.length).toBeGreaterThan(0);
    expect(nvl).toEqual(sizesOf("H100-NVL"));
    for (const s of nvl) expect(GPU_SIZES.find((x) => x.size === s)?.gpu.key).toBe("h100-nvl");
    expect(nvl).not.toContain("Standard_ND96isr_H100_v5");
  });

  it("a size name in any spelling is that one size", () => {
    for (const text of ["NC24ads_A100_v4", "Standard_NC24ads_A100_v4", "nc24ads a100 v4"]) {
      const f = resolveSizeFilter(text);
      expect(f?.kind).toBe("size");
      expect(f?.sizes.map((s) => s.size)).toEqual(["Standard_NC24ads_A100_v4"]);
    }
  });

  it("a quota family or series name is that family's sizes", () => {
    const f = resolveSizeFilter("StandardNCADSA100v4Family");
    expect(f?.kind).toBe("family");
    expect(f?.sizes.map((s) => s.size).sort()).toEqual(["Standard_NC24ads_A100_v4", "Standard_NC48ads_A100_v4", "Standard_NC96ads_A100_v4"]);
  });

  it("unknown words and over-long text are not filters", () => {
    expect(resolveSizeFilter("banana")).toBeUndefined();
    expect(resolveSizeFilter("")).toBeUndefined();
    expect(resolveSizeFilter("a100".repeat(30))).toBeUndefined();
    expect(resolveSizeFilter("a100' or 1 eq 1")).toBeUndefined();
  });

  it("nearest finds plausible typos only", () => {
    expect(nearest("skuss", ["skus", "where", "quota"])).toBe("skus");
    expect(nearest("qouta", ["skus", "where", "quota"])).toBe("quota");
    expect(nearest("zzzzzz", ["skus", "where", "quota"])).toBeUndefined();
  });
});

describe("verb resolution", () => {
  it("strips the doors' prefixes", () => {
    expect(stripPrefix("/gpu skus eastus")).toBe("skus eastus");
    expect(stripPrefix("gpuops: quota westus")).toBe("quota westus");
    expect(stripPrefix("  help ")).toBe("help");
  });

  it("maps verbs and aliases, and leaves free questions unresolved", () => {
    expect(resolveVerbName("skus eastus")).toBe("skus");
    expect(resolveVerbName("SKU eastus")).toBe("skus");
    expect(resolveVerbName("quotas")).toBe("quota");
    expect(resolveVerbName("")).toBe("help");
    expect(resolveVerbName("what is a PTU?")).toBeUndefined();
  });
});
