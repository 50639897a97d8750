import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type ActivityBucket,
  DEFAULT_IDLE_POLICY,
  evaluateIdle,
  formatIdleDuration,
  type IdlePolicy,
  idleCost,
  parseDurationSeconds,
  policyFor,
  type VmTelemetry,
} from "../../src/domain/idle-rule.ts";
import { loadH200Trace } from "../support/fake-dcgm-exporter.ts";

const NOW = Date.parse("2026-03-02T12:00:00Z");
const MIN = 60_000;

/** Contiguous one-minute buckets ending at `now`, oldest first, with the given maxima. */
function minutes(values: number[], end = NOW, stepMs = MIN): ActivityBucket[] {
  return values.map((max, i) => ({ from: end - (values.length - i) * stepMs, to: end - (values.length - i - 1) * stepMs, max }));
}

function activity(buckets: ActivityBucket[], extra: Partial<Extract<VmTelemetry, { kind: "activity" }>> = {}): VmTelemetry {
  const rangeStart = Math.min(...buckets.map((b) => b.from), NOW);
  return { kind: "activity", signal: "gpu_util", buckets, rangeStart, source: "test", ...extra };
}

describe("idle rule", () => {
  it("calls a VM idle when every reading stays below 5 % for the whole hour", () => {
    const v = evaluateIdle(activity(minutes(Array(90).fill(2))), NOW, DEFAULT_IDLE_POLICY);
    expect(v.state).toBe("idle");
    if (v.state !== "idle") return;
    expect(v.idleSince).toBe(NOW - 90 * MIN);
    expect(v.idleSeconds).toBe(90 * 60);
    expect(v.sinceAtLeast).toBe(true);
  });

  it("is busy when one reading inside the window reaches the threshold, and says when", () => {
    const values = Array(90).fill(0);
    values[70] = 5;
    const v = evaluateIdle(activity(minutes(values)), NOW, DEFAULT_IDLE_POLICY);
    expect(v.state).toBe("busy");
    if (v.state === "busy") expect(v.lastActiveAt).toBe(NOW - 19 * MIN);
  });

  it("starts the idle episode after the last busy reading", () => {
    const values = Array(120).fill(1);
    values[10] = 80;
    const v = evaluateIdle(activity(minutes(values)), NOW, DEFAULT_IDLE_POLICY);
    expect(v.state).toBe("idle");
    if (v.state === "idle") {
      expect(v.idleSince).toBe(NOW - 109 * MIN);
      expect(v.sinceAtLeast).toBe(false);
    }
  });

  it("uses the 0–1 scale for DCGM_FI_PROF_GR_ENGINE_ACTIVE", () => {
    const low = evaluateIdle(activity(minutes(Array(61).fill(0.04)), { signal: "engine_active" }), NOW, DEFAULT_IDLE_POLICY);
    const high = evaluateIdle(activity(minutes(Array(61).fill(0.06)), { signal: "engine_active" }), NOW, DEFAULT_IDLE_POLICY);
    expect(low.state).toBe("idle");
    expect(high.state).toBe("busy");
  });

  it("is parked when idle but holding GPU memory", () => {
    const v = evaluateIdle(activity(minutes(Array(61).fill(0)), { memoryUsedMib: 58_555, powerW: 126 }), NOW, DEFAULT_IDLE_POLICY);
    expect(v.state).toBe("parked");
    expect(v.memoryUsedMib).toBe(58_555);
    expect(v.powerW).toBe(126);
  });

  it("is unknown, never idle, without telemetry, with stale telemetry, or with too little history", () => {
    expect(evaluateIdle({ kind: "missing", reason: "no_telemetry", detail: "no DCGM series", source: "prometheus" }, NOW, DEFAULT_IDLE_POLICY)).toMatchObject({
      state: "unknown",
      reason: "no_telemetry",
    });
    expect(evaluateIdle(activity([]), NOW, DEFAULT_IDLE_POLICY)).toMatchObject({ state: "unknown", reason: "no_telemetry" });
    const stale = evaluateIdle(activity(minutes(Array(90).fill(0), NOW - 30 * MIN)), NOW, DEFAULT_IDLE_POLICY);
    expect(stale).toMatchObject({ state: "unknown", reason: "stale" });
    const short = evaluateIdle(activity(minutes(Array(20).fill(0))), NOW, DEFAULT_IDLE_POLICY);
    expect(short).toMatchObject({ state: "unknown", reason: "short_history" });
  });

  it("a hole in the record ends the idle run: nothing is claimed about the missing stretch", () => {
    const before = minutes(Array(60).fill(0), NOW - 40 * MIN);
    const after = minutes(Array(30).fill(0));
    const v = evaluateIdle(activity([...before, ...after]), NOW, DEFAULT_IDLE_POLICY);
    expect(v).toMatchObject({ state: "unknown", reason: "short_history" });
  });

  it("applies per-subscription overrides of threshold and window", () => {
    const sub = "7D3A4B52-1C6E-4F0A-9B8E-2A5D6C7E8F90";
    const policy = policyFor(DEFAULT_IDLE_POLICY, { [sub.toLowerCase()]: { utilPercent: 20, windowSeconds: 600 } }, sub);
    expect(policy).toMatchObject({ utilPercent: 20, windowSeconds: 600, engineActive: 0.05 });
    const v = evaluateIdle(activity(minutes(Array(15).fill(12))), NOW, policy);
    expect(v.state).toBe("idle");
    expect(policyFor(DEFAULT_IDLE_POLICY, {}, sub)).toBe(DEFAULT_IDLE_POLICY);
  });

  it("cost of idleness = idle hours × list price per hour, and nothing when there is no list price", () => {
    expect(idleCost(3 * 3600, { known: true, perHour: 98.32, currency: "USD" })).toEqual({ soFar: 98.32 * 3, perDay: 98.32 * 24, currency: "USD" });
    expect(idleCost(3600, { known: false, reason: "no list price" })).toBeUndefined();
  });

  it("replays the real H200 trace: idle, light and after are idle, parked is parked, heavy is busy", () => {
    const trace = loadH200Trace();
    const policy: IdlePolicy = { ...DEFAULT_IDLE_POLICY, windowSeconds: 5, staleSeconds: 5 };
    const byPhase = (phase: string) => trace.filter((r) => r.phase === phase);
    const verdict = (phase: string) => {
      const rows = byPhase(phase).slice(2); // the first sample of a phase still shows the previous one settling
      const end = NOW;
      const span = 500;
      const buckets = rows.map((r, i) => ({ from: end - (rows.length - i) * span, to: end - (rows.length - i - 1) * span, max: r.utilGpuPct }));
      const memoryUsedMib = Math.max(...rows.map((r) => r.memUsedMib));
      return evaluateIdle(activity(buckets, { memoryUsedMib }), end, policy).state;
    };
    expect(verdict("idle")).toBe("idle");
    expect(verdict("light")).toBe("idle");
    expect(verdict("parked")).toBe("parked");
    expect(verdict("heavy")).toBe("busy");
    expect(verdict("after")).toBe("idle");
  });

  it("formats durations and parses them back", () => {
    expect(formatIdleDuration(12)).toBe("12 s");
    expect(formatIdleDuration(3 * 3600 + 20 * 60)).toBe("3 h 20 min");
    expect(formatIdleDuration(52 * 3600)).toBe("2 d 4 h");
    expect(parseDurationSeconds("1h")).toBe(3600);
    expect(parseDurationSeconds("2h30m")).toBe(9000);
    expect(parseDurationSeconds("10s")).toBe(10);
    expect(parseDurationSeconds("60")).toBe(3600);
    expect(parseDurationSeconds("1 hour")).toBeUndefined();
    expect(parseDurationSeconds("")).toBeUndefined();
  });
});

describe("idle rule properties", () => {
  const policyArb = fc.record({
    utilPercent: fc.integer({ min: 1, max: 50 }),
    engineActive: fc.double({ min: 0.01, max: 0.5, noNaN: true }),
    windowSeconds: fc.integer({ min: 60, max: 7200 }),
    parkedMemoryMib: fc.integer({ min: 512, max: 16384 }),
    staleSeconds: fc.integer({ min: 60, max: 1800 }),
  });
  const bucketsArb = fc.array(fc.record({ ageMin: fc.integer({ min: 0, max: 300 }), lenMin: fc.integer({ min: 1, max: 15 }), max: fc.double({ min: 0, max: 100, noNaN: true }) }), {
    maxLength: 60,
  });
  const toBuckets = (raw: Array<{ ageMin: number; lenMin: number; max: number }>) =>
    raw.map((b) => ({ from: NOW - (b.ageMin + b.lenMin) * MIN, to: NOW - b.ageMin * MIN, max: b.max }));

  it("never calls a VM idle without telemetry", () => {
    fc.assert(
      fc.property(policyArb, fc.constantFrom("no_telemetry" as const, "source_error" as const), fc.string(), (policy, reason, detail) => {
        const v = evaluateIdle({ kind: "missing", reason, detail, source: "x" }, NOW, policy);
        expect(v.state).toBe("unknown");
      }),
    );
  });

  it("a busy reading overlapped by a quiet one still ends the idle run (found by the property below)", () => {
    const policy = { ...DEFAULT_IDLE_POLICY, utilPercent: 1, windowSeconds: 120, staleSeconds: 60 };
    // A quiet bucket over the last two minutes, and a reading at the threshold inside it.
    const buckets = [
      { from: NOW - 2 * MIN, to: NOW - MIN, max: 1 },
      { from: NOW - 2 * MIN, to: NOW, max: 0 },
    ];
    const v = evaluateIdle(activity(buckets), NOW, policy);
    expect(v.state).toBe("busy");
    if (v.state === "busy") expect(v.lastActiveAt).toBe(NOW - MIN);
  });

  it("idle or parked only when nothing in the window reached the threshold, for at least the window", () => {
    fc.assert(
      fc.property(policyArb, bucketsArb, fc.option(fc.integer({ min: 0, max: 100_000 }), { nil: undefined }), (policy, raw, mem) => {
        const buckets = toBuckets(raw);
        const t = activity(buckets, mem === undefined ? {} : { memoryUsedMib: mem });
        const v = evaluateIdle(t, NOW, policy);
        if (v.state === "idle" || v.state === "parked") {
          expect(v.idleSeconds).toBeGreaterThanOrEqual(policy.windowSeconds);
          const windowStart = NOW - policy.windowSeconds * 1000;
          for (const b of buckets) if (b.from >= windowStart) expect(b.max).toBeLessThan(policy.utilPercent);
          expect(v.state === "parked").toBe(mem !== undefined && mem >= policy.parkedMemoryMib);
        }
      }),
    );
  });

  it("a full window of low, fresh, unbroken readings is always idle or parked", () => {
    fc.assert(
      fc.property(policyArb, fc.integer({ min: 1, max: 10 }), fc.double({ min: 0, max: 1, noNaN: true }), (policy, stepMin, frac) => {
        const count = Math.ceil(policy.windowSeconds / 60 / stepMin) + 1;
        const buckets = minutes(Array(count).fill(frac * policy.utilPercent * 0.999), NOW, stepMin * MIN);
        const v = evaluateIdle(activity(buckets), NOW, { ...policy, staleSeconds: Math.max(policy.staleSeconds, stepMin * 60) });
        expect(["idle", "parked"]).toContain(v.state);
      }),
    );
  });

  it("raising the threshold never turns an idle VM busy", () => {
    fc.assert(
      fc.property(policyArb, bucketsArb, fc.integer({ min: 0, max: 50 }), (policy, raw, extra) => {
        const t = activity(toBuckets(raw));
        const a = evaluateIdle(t, NOW, policy);
        const b = evaluateIdle(t, NOW, { ...policy, utilPercent: policy.utilPercent + extra });
        if (a.state === "idle" || a.state === "parked") expect(["idle", "parked"]).toContain(b.state);
      }),
    );
  });

  it("stale telemetry is unknown whatever it says", () => {
    fc.assert(
      fc.property(policyArb, bucketsArb, (policy, raw) => {
        const shifted = toBuckets(raw).map((b) => ({ ...b, from: b.from - (policy.staleSeconds + 60) * 1000, to: b.to - (policy.staleSeconds + 60) * 1000 }));
        const v = evaluateIdle(activity(shifted), NOW, policy);
        expect(v.state).toBe("unknown");
      }),
    );
  });

  it("idle cost grows linearly with idle time", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.double({ min: 0, max: 500, noNaN: true }), (secs, perHour) => {
        const c = idleCost(secs, { known: true, perHour, currency: "USD" });
        expect(c?.soFar).toBeCloseTo((secs / 3600) * perHour, 6);
        expect(c?.perDay).toBeCloseTo(perHour * 24, 6);
      }),
    );
  });
});
