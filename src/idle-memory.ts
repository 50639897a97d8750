/**
 * Gives memory back to the machine when the process goes quiet.
 *
 * V8 grows its young generation to its maximum (64 MB here) while a burst of work runs: the ~1,800
 * modules loading at start, the first idle scan, a busy hour of Slack requests. It does not
 * shrink it again while the process sits idle (its memory reducer only starts after a full GC,
 * which a small heap rarely has), so an idle gpuops held ~35 MB of empty young generation. This
 * runs one memory-reducing full GC (V8's "last resort" flavour: it also shrinks the young
 * generation and compacts the old) when start-up work has settled, and again whenever the process
 * has been quiet for a while after the young generation grew.
 *
 * Quiet means: no command, post or HTTP request in flight, and under 5 % of one core used since
 * the last look. A trim takes ~70 ms on the deployed heap; it never runs while work is in flight.
 *
 * @example
 * const trim = startIdleTrim({ busy: () => lifecycle.inFlight() > 0, log });
 * await trim.now("start-up");
 * trim.stop();
 */
import { getHeapSpaceStatistics, setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import type { CoreLogger } from "./commands/types.ts";

type GcFunction = (options: { type: "major"; execution: "async"; flavor: "last-resort" }) => Promise<void> | undefined;

export interface IdleTrimOptions {
  /** True while work is in flight (a trim then waits for the next quiet look). */
  busy?: () => boolean;
  log?: CoreLogger;
  /** Milliseconds between looks. */
  everyMs?: number;
  /** A young generation at least this large (bytes, resident) is worth a trim. */
  minYoungBytes?: number;
  /** Share of one core under which the time since the last look counts as quiet. */
  quietCpuShare?: number;
  /** Readings and the collector, injected by tests. */
  youngBytes?: () => number;
  residentBytes?: () => number;
  /** CPU time used by the process so far (µs, user + system). */
  cpuMicros?: () => number;
  /** A monotonic clock (ms). */
  monotonicMs?: () => number;
  gc?: GcFunction;
}

export interface IdleTrim {
  /** Trims now unless work is in flight or the young generation is small; says whether it did. */
  now(reason: string): Promise<boolean>;
  /** One periodic look (the timer calls it; exported for tests). */
  look(): Promise<boolean>;
  stop(): void;
}

const MB = 1024 * 1024;

/** The resident size of V8's young generation (new space), in bytes. */
export function residentYoungBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === "new_space")?.physical_space_size ?? 0;
}

/**
 * V8's own `gc()` without starting Node with `--expose-gc`: the flag holds only while one fresh
 * context is made (the same way Jest reaches it), so no other code sees a global `gc`.
 */
export function exposedGc(): GcFunction | undefined {
  const existing = (globalThis as { gc?: unknown }).gc;
  if (typeof existing === "function") return existing as GcFunction;
  try {
    setFlagsFromString("--expose-gc");
    const gc = runInNewContext("gc") as unknown;
    return typeof gc === "function" ? (gc as GcFunction) : undefined;
  } catch {
    return undefined;
  } finally {
    setFlagsFromString("--no-expose-gc");
  }
}

export function startIdleTrim(opts: IdleTrimOptions = {}): IdleTrim {
  const gc = opts.gc ?? exposedGc();
  const young = opts.youngBytes ?? residentYoungBytes;
  const resident = opts.residentBytes ?? (() => process.memoryUsage.rss());
  const cpu =
    opts.cpuMicros ??
    (() => {
      const used = process.cpuUsage();
      return used.user + used.system;
    });
  const clock = opts.monotonicMs ?? (() => performance.now());
  const minYoung = opts.minYoungBytes ?? 8 * MB;
  const quietShare = opts.quietCpuShare ?? 0.05;
  let lastCpu = cpu();
  let lastAt = clock();
  let trimming: Promise<boolean> | undefined;

  const trim = async (reason: string): Promise<boolean> => {
    if (!gc || opts.busy?.()) return false;
    const youngBefore = young();
    if (youngBefore < minYoung) return false;
    const rssBefore = resident();
    const started = clock();
    try {
      await gc({ type: "major", execution: "async", flavor: "last-resort" });
    } catch (err) {
      opts.log?.warn({ err }, "could not give memory back");
      return false;
    }
    opts.log?.info(
      { reason, ms: Math.round(clock() - started), youngMbBefore: Math.round(youngBefore / MB), rssMbBefore: Math.round(rssBefore / MB), rssMbAfter: Math.round(resident() / MB) },
      "gave idle memory back",
    );
    return true;
  };
  const now = (reason: string): Promise<boolean> => {
    trimming ??= trim(reason).finally(() => {
      trimming = undefined;
      // The trim's own CPU is not the next look's work.
      lastCpu = cpu();
      lastAt = clock();
    });
    return trimming;
  };
  const look = async (): Promise<boolean> => {
    const usedMs = (cpu() - lastCpu) / 1000;
    const elapsedMs = clock() - lastAt;
    lastCpu = cpu();
    lastAt = clock();
    if (elapsedMs <= 0 || usedMs / elapsedMs >= quietShare) return false;
    return now("quiet");
  };
  const timer = setInterval(() => void look(), opts.everyMs ?? 10_000);
  timer.unref();
  return { now, look, stop: () => clearInterval(timer) };
}
