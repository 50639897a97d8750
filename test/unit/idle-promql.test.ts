import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { activityQuery, hostOfSeries, hostRegex, isHostLabelValue, isLabelName, supportQuery, UnsafePromqlError } from "../../src/telemetry/promql.ts";

const SAFE = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-".split("");
const ALNUM = SAFE.filter((c) => /[A-Za-z0-9]/.test(c));
const safeHost = fc
  .tuple(fc.constantFrom(...ALNUM), fc.array(fc.constantFrom(...SAFE), { maxLength: 30 }), fc.constantFrom(...ALNUM))
  .map(([a, mid, z]) => `${a}${mid.join("")}${z}`);

/** Strings that must never reach a query: anything with a character outside the host alphabet. */
const HOSTILE = ['"', "\\", "}", "{", "|", "=", "~", "\n", " ", "'", "`", "(", ")", "[", "]", "*", "+", "?", "$", "^", ",", "#", "\u0000", "é", "\u202e"];
const hostile = fc
  .tuple(fc.array(fc.constantFrom(...SAFE), { maxLength: 10 }), fc.constantFrom(...HOSTILE), fc.string({ maxLength: 10 }))
  .map(([pre, bad, post]) => `${pre.join("")}${bad}${post}`);

/** The contents of every double-quoted PromQL string literal, unescaped. */
function stringLiterals(promql: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"/g;
  for (const m of promql.matchAll(re)) out.push((m[1] as string).replace(/\\(.)/g, "$1"));
  return out;
}

describe("PromQL from validated identifiers", () => {
  it("rejects any host name carrying a character outside the strict alphabet, before a query exists", () => {
    fc.assert(
      fc.property(hostile, safeHost, (bad, good) => {
        expect(isHostLabelValue(bad)).toBe(false);
        expect(() => activityQuery({ hostLabels: ["Hostname"], hosts: [good, bad], rangeSeconds: 60 })).toThrow(UnsafePromqlError);
        expect(() => supportQuery({ hostLabels: ["Hostname"], hosts: [bad], windowSeconds: 60 })).toThrow(UnsafePromqlError);
      }),
      { numRuns: 500 },
    );
  });

  it("rejects hostile pool names, scale-set names and label names", () => {
    fc.assert(
      fc.property(hostile, (bad) => {
        expect(() => hostRegex(["ok"], [bad])).toThrow(UnsafePromqlError);
        expect(() => hostRegex(["ok"], [], [bad])).toThrow(UnsafePromqlError);
        expect(isLabelName(bad)).toBe(false);
        expect(() => activityQuery({ hostLabels: [bad], hosts: ["ok"], rangeSeconds: 60 })).toThrow(UnsafePromqlError);
      }),
      { numRuns: 300 },
    );
    expect(() => hostRegex([])).toThrow(UnsafePromqlError);
    expect(isLabelName("__name__")).toBe(false);
  });

  it("for accepted names, every string literal is one of ours and its regex matches exactly the hosts asked", () => {
    fc.assert(
      fc.property(fc.uniqueArray(safeHost, { minLength: 1, maxLength: 8 }), safeHost, (hosts, other) => {
        const q = activityQuery({ hostLabels: ["Hostname", "node"], hosts, rangeSeconds: 120 });
        const literals = stringLiterals(q);
        const regexes = literals.filter((l) => l.startsWith("(?i)"));
        expect(regexes.length).toBe(4); // two metrics × two labels
        for (const l of literals) expect(l.startsWith("(?i)") || ["gpuops_signal", "engine_active", "gpu_util", ""].includes(l)).toBe(true);
        const re = new RegExp(`^(?:${(regexes[0] as string).slice(4)})$`, "i");
        for (const h of hosts) expect(re.test(h)).toBe(true);
        if (!hosts.some((h) => h.toLowerCase() === other.toLowerCase())) expect(re.test(other)).toBe(false);
        // Nothing outside the literals but our own grammar: metric names, labels, functions, durations.
        const skeleton = q.replace(/"((?:[^"\\]|\\.)*)"/g, '""');
        expect(skeleton).toMatch(/^[A-Za-z0-9_ (),{}=~"[\]]+$/);
      }),
      { numRuns: 300 },
    );
  });

  it("matches AKS nodes of a pool and instances of a scale set, and nothing else", () => {
    const re = new RegExp(`^(?:${hostRegex(["gpu-vm-1"], ["gpupool"], ["vmss.train"]).slice(4)})$`, "i");
    expect(re.test("aks-gpupool-12345678-vmss000001")).toBe(true);
    expect(re.test("aks-gpupool2-12345678-vmss000001")).toBe(false);
    expect(re.test("vmss.train00000a")).toBe(true);
    expect(re.test("vmssxtrain00000a")).toBe(false);
    expect(re.test("GPU-VM-1")).toBe(true);
  });

  it("maps a series to its host by the first configured label, port stripped from instance", () => {
    expect(hostOfSeries({ Hostname: "GPU-VM-1", instance: "10.0.0.4:9400" }, ["Hostname", "instance"])).toBe("gpu-vm-1");
    expect(hostOfSeries({ instance: "gpu-vm-2:9400" }, ["Hostname", "instance"])).toBe("gpu-vm-2");
    expect(hostOfSeries({ job: "dcgm" }, ["Hostname"])).toBeUndefined();
  });
});
