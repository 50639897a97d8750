// The idle trim runs V8's memory-reducing GC only when it pays and never in the way of work:
// after start-up, and on a quiet look (nothing in flight, under 5 % of a core since the last look)
// once the young generation has grown again. Readings and the collector are injected; the last
// tests use V8's real collector.
import { runInNewContext } from "node:vm";
import { afterEach, describe, expect, it } from "vitest";
import { exposedGc, type IdleTrim, type IdleTrimOptions, residentYoungBytes, startIdleTrim } from "../../src/idle-memory.ts";

const MB = 1024 * 1024;

interface World {
  young: number;
  cpuMicros: number;
  clockMs: number;
  busy: boolean;
  gcCalls: unknown[];
  logs: Array<{ level: string; obj: Record<string, unknown>; msg: string }>;
}

const started: IdleTrim[] = [];
afterEach(() => {
  for (const t of started.splice(0)) t.stop();
});

function world(overrides: Partial<IdleTrimOptions> = {}) {
  const w: World = { young: 64 * MB, cpuMicros: 0, clockMs: 0, busy: false, gcCalls: [], logs: [] };
  const log = (level: string) => (obj: object, msg: string) => void w.logs.push({ level, obj: obj as Record<string, unknown>, msg });
  const trim = startIdleTrim({
    busy: () => w.busy,
    log: { info: log("info"), warn: log("warn"), error: log("error") },
    youngBytes: () => w.young,
    residentBytes: () => 100 * MB + w.young,
    cpuMicros: () => w.cpuMicros,
    monotonicMs: () => w.clockMs,
    gc: async (options) => {
      w.gcCalls.push(options);
      w.young = 0.25 * MB;
    },
    ...overrides,
  });
  started.push(trim);
  /** Time passes with this much CPU used (ms). */
  const pass = (ms: number, cpuMs: number) => {
    w.clockMs += ms;
    w.cpuMicros += cpuMs * 1000;
  };
  return { w, trim, pass };
}

describe("idle memory trim", () => {
  it("gives the young generation back once start-up has settled, with V8's memory-reducing flavour", async () => {
    const { w, trim } = world();
    expect(await trim.now("start-up")).toBe(true);
    expect(w.gcCalls).toEqual([{ type: "major", execution: "async", flavor: "last-resort" }]);
    expect(w.logs).toEqual([
      { level: "info", msg: "gave idle memory back", obj: expect.objectContaining({ reason: "start-up", youngMbBefore: 64, rssMbBefore: 164, rssMbAfter: 100 }) },
    ]);
  });

  it("never trims while work is in flight, nor when the young generation is already small", async () => {
    const busy = world();
    busy.w.busy = true;
    expect(await busy.trim.now("start-up")).toBe(false);
    const small = world();
    small.w.young = 4 * MB;
    expect(await small.trim.now("start-up")).toBe(false);
    expect([...busy.w.gcCalls, ...small.w.gcCalls]).toEqual([]);
  });

  it("trims on a quiet look, not on a busy one, and not again until the young generation has grown back", async () => {
    const { w, trim, pass } = world();
    pass(10_000, 900); // 9 % of a core: serving
    expect(await trim.look()).toBe(false);
    pass(10_000, 120); // 1.2 %: quiet
    expect(await trim.look()).toBe(true);
    pass(10_000, 10);
    expect(await trim.look()).toBe(false); // quiet, but nothing left to give back
    w.young = 48 * MB; // a busy spell grew it again
    pass(10_000, 3_000);
    expect(await trim.look()).toBe(false);
    pass(10_000, 20);
    expect(await trim.look()).toBe(true);
    expect(w.gcCalls).toHaveLength(2);
  });

  it("does not count a trim's own CPU against the next look", async () => {
    const { w, trim, pass } = world({
      gc: async () => {
        w.gcCalls.push("gc");
        w.cpuMicros += 2_000_000; // a slow collection
        w.young = 0;
      },
    });
    await trim.now("start-up");
    w.young = 32 * MB;
    pass(10_000, 50);
    expect(await trim.look()).toBe(true);
  });

  it("runs one collection for overlapping calls", async () => {
    const { w, trim } = world();
    const [a, b] = await Promise.all([trim.now("start-up"), trim.now("quiet")]);
    expect([a, b]).toEqual([true, true]);
    expect(w.gcCalls).toHaveLength(1);
  });

  it("says so in the log and carries on when the collector fails", async () => {
    const { w, trim } = world({
      gc: async () => {
        throw new Error("not now");
      },
    });
    expect(await trim.now("start-up")).toBe(false);
    expect(w.logs.map((l) => [l.level, l.msg])).toEqual([["warn", "could not give memory back"]]);
  });
});

describe("V8's collector", () => {
  it("is reached without --expose-gc and without leaving a global gc behind", () => {
    const before = typeof (globalThis as { gc?: unknown }).gc;
    expect(typeof exposedGc()).toBe("function");
    expect(typeof (globalThis as { gc?: unknown }).gc).toBe(before);
    expect(runInNewContext("typeof gc")).toBe("undefined");
  });

  it("shrinks a grown young generation", async () => {
    // Objects that survive a scavenge or two make V8 grow the young generation.
    let keep: object[] = [];
    for (let i = 0; i < 3_000_000; i++) {
      keep.push({ i, s: `x${i}` });
      if (keep.length > 60_000) keep = [];
    }
    const grown = residentYoungBytes();
    const trim = startIdleTrim({ minYoungBytes: 0 });
    started.push(trim);
    expect(await trim.now("test")).toBe(true);
    expect(keep.length).toBeGreaterThan(0);
    expect(residentYoungBytes()).toBeLessThan(grown);
    expect(residentYoungBytes()).toBeLessThanOrEqual(1 * MB);
  });
});
