/**
 * The utilisation port over one or more telemetry sources (Prometheus first, then Azure
 * Monitor for what Prometheus does not know). Two stages keep the cost flat as fleets grow:
 *   1. the idle window, at the configured step, for every host, with the supporting signals;
 *   2. the look back (coarser step) only for hosts that were below the threshold all window,
 *      to find when their idle stretch began.
 * Anything a source cannot say becomes a "missing" reading with the reason, never an error.
 */
import type { ActivitySignal, VmTelemetry } from "../domain/idle-rule.ts";
import type { GpuResource, UtilizationPort, UtilizationReading } from "../services/ports.ts";
import type { HostSeries, Target, TelemetrySource } from "./source.ts";

export interface UtilizationOptions {
  /** Bucket length for the idle window (seconds). */
  stepSeconds: number;
  /** At most this many buckets over the look back: its step grows with it. */
  lookbackBuckets?: number;
}

/** The resources that burn GPU hours now, turned into what sources can look for. */
export function targetsOf(resources: readonly GpuResource[]): Target[] {
  const out: Target[] = [];
  for (const r of resources) {
    if (r.powerState !== "running" && r.powerState !== "starting") continue;
    if (r.kind === "vm") out.push({ resource: r, host: r.name.toLowerCase() });
    else if (r.kind === "aks-pool") out.push({ resource: r, pool: (/\/agentPools\/([^/]+)$/i.exec(r.id)?.[1] ?? r.name).toLowerCase() });
    else out.push({ resource: r, scaleSetPrefix: r.name.toLowerCase() });
  }
  return out;
}

const targetKey = (t: Target) => t.resource.id.toLowerCase();
const readingKey = (s: HostSeries) => (s.target.resource.kind === "vm" ? s.target.resource.id : `${s.target.resource.id}/nodes/${s.host}`);

export function createUtilization(sources: readonly TelemetrySource[], opts: UtilizationOptions): UtilizationPort {
  const lookbackBuckets = opts.lookbackBuckets ?? 300;
  return {
    async read(resources, query) {
      const now = query.now.getTime();
      const step = Math.max(1, opts.stepSeconds);
      const windowFrom = now - query.windowSeconds * 1000;
      const before = sources.map((s) => s.queries());
      const found = new Map<string, { series: HostSeries; source: TelemetrySource }>();
      const answered = new Set<string>();
      const failures = new Map<string, string[]>();
      const asked = new Map<string, string[]>();
      let remaining = targetsOf(resources);

      for (const source of sources) {
        const mine = remaining.filter((t) => source.covers(t));
        if (mine.length === 0) continue;
        for (const t of mine) asked.set(targetKey(t), [...(asked.get(targetKey(t)) ?? []), source.describeMissing(t)]);
        const answer = await source.fetch(mine, { from: windowFrom, to: now, stepSeconds: step }, true);
        for (const f of answer.failed) failures.set(targetKey(f.target), [...(failures.get(targetKey(f.target)) ?? []), `${source.name}: ${f.detail}`]);
        const hit = new Set<string>();
        for (const s of answer.series) {
          found.set(readingKey(s), { series: s, source });
          hit.add(targetKey(s.target));
        }
        for (const k of hit) answered.add(k);

        // Stage 2: when did the idle stretch begin? Only for hosts quiet through the whole window.
        const quiet = answer.series.filter((s) => s.buckets.length > 0 && s.buckets.every((b) => b.max < threshold(s.signal, query.idleBelow)));
        const lookbackFrom = now - query.lookbackSeconds * 1000;
        // The history ends where the window's first (step-aligned) bucket begins: ending a step
        // earlier left a self-made gap that the idle rule read as a hole whenever the last history
        // bucket was a short partial one, so "idle since" jumped to the window start.
        const historyTo = Math.floor(windowFrom / (step * 1000)) * step * 1000;
        if (quiet.length > 0 && historyTo > lookbackFrom) {
          const coarse = Math.max(step, Math.ceil(query.lookbackSeconds / lookbackBuckets));
          const quietTargets = [...new Map(quiet.map((s) => [targetKey(s.target), s.target])).values()];
          const history = await source.fetch(quietTargets, { from: lookbackFrom, to: historyTo, stepSeconds: coarse }, false);
          for (const h of history.series) {
            const entry = found.get(readingKey(h));
            if (entry && entry.series.signal === h.signal)
              entry.series.buckets = [...h.buckets.filter((b) => b.from < windowFrom).map((b) => ({ ...b, to: Math.min(b.to, windowFrom) })), ...entry.series.buckets];
          }
          for (const s of quiet) s.rangeStart = lookbackFrom;
          if (coarse > step) await refineIdleStart(source, quietTargets, found, windowFrom, step, query.idleBelow);
        }
        remaining = remaining.filter((t) => !hit.has(targetKey(t)));
      }

      const readings: UtilizationReading[] = [];
      for (const [key, { series, source }] of found) {
        const telemetry: VmTelemetry = {
          kind: "activity",
          signal: series.signal,
          buckets: series.buckets,
          rangeStart: series.rangeStart ?? windowFrom - step * 1000,
          source: source.name,
        };
        if (series.memoryUsedMib !== undefined) telemetry.memoryUsedMib = series.memoryUsedMib;
        if (series.powerW !== undefined) telemetry.powerW = series.powerW;
        readings.push({ key, resource: series.target.resource, host: series.host, telemetry });
      }
      for (const t of remaining) {
        const k = targetKey(t);
        const failed = failures.get(k);
        const telemetry: VmTelemetry =
          failed && !answered.has(k)
            ? { kind: "missing", reason: "source_error", detail: failed.join("; "), source: failed.map((f) => f.split(":")[0]).join(", ") }
            : {
                kind: "missing",
                reason: "no_telemetry",
                detail: (asked.get(k) ?? [uncovered(t)]).join("; "),
                source: sources.map((s) => s.name).join(", ") || "none",
              };
        readings.push({ key: t.resource.id, resource: t.resource, host: t.host ?? t.pool ?? t.scaleSetPrefix ?? t.resource.name, telemetry });
      }
      return {
        readings,
        queries: Object.fromEntries(sources.map((s, i) => [s.name, s.queries() - (before[i] ?? 0)])),
        sources: sources.map((s) => s.name),
      };
    },
  };
}

const threshold = (signal: ActivitySignal, below: { utilPercent: number; engineActive: number }) => (signal === "engine_active" ? below.engineActive : below.utilPercent);

/** Why no configured source could even look at a target. */
function uncovered(t: Target): string {
  if (t.pool) return "AKS nodes report GPU use through Prometheus (DCGM exporter): set PROMETHEUS_URL";
  return "no telemetry source covers it: set PROMETHEUS_URL, or enable Azure Monitor nvidia_smi metrics";
}

/**
 * The look back is read at a coarse step, so the idle run would begin at a coarse bucket's edge
 * (up to one coarse step late). The newest busy coarse bucket before the window is read again at
 * the fine step, so the idle start is as exact as the data allows.
 */
async function refineIdleStart(
  source: TelemetrySource,
  targets: Target[],
  found: Map<string, { series: HostSeries; source: TelemetrySource }>,
  windowFrom: number,
  step: number,
  idleBelow: { utilPercent: number; engineActive: number },
): Promise<void> {
  const wanted = new Set(targets.map(targetKey));
  // Targets grouped by the busy bucket to refine: one fetch per distinct interval.
  const byInterval = new Map<string, { from: number; to: number; targets: Map<string, Target>; keys: string[] }>();
  for (const [key, { series, source: s }] of found) {
    if (s !== source || !wanted.has(targetKey(series.target))) continue;
    const th = threshold(series.signal, idleBelow);
    const busy = series.buckets.filter((b) => b.to <= windowFrom && b.max >= th).sort((a, b) => b.to - a.to)[0];
    if (!busy || busy.to - busy.from <= step * 1000) continue;
    const id = `${busy.from}|${busy.to}`;
    const g = byInterval.get(id) ?? { from: busy.from, to: busy.to, targets: new Map<string, Target>(), keys: [] };
    g.targets.set(targetKey(series.target), series.target);
    g.keys.push(key);
    byInterval.set(id, g);
  }
  for (const g of byInterval.values()) {
    const fine = await source.fetch([...g.targets.values()], { from: g.from, to: g.to, stepSeconds: step }, false);
    for (const f of fine.series) {
      const key = readingKey(f);
      const entry = found.get(key);
      if (!entry || !g.keys.includes(key) || entry.series.signal !== f.signal || f.buckets.length === 0) continue;
      const inside = f.buckets.filter((b) => b.from >= g.from && b.from < g.to).map((b) => ({ ...b, to: Math.min(b.to, g.to) }));
      if (inside.length === 0) continue;
      entry.series.buckets = [...entry.series.buckets.filter((b) => !(b.from === g.from && b.to === g.to)), ...inside];
    }
  }
}
