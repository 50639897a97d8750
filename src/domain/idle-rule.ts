/**
 * The idle rule: is a running GPU VM doing GPU work? Pure; the clock and the policy are
 * parameters. Telemetry arrives as buckets (the highest reading of the busiest GPU over a time
 * span), so one rule serves Prometheus (DCGM exporter) and Azure Monitor (nvidia-smi) alike.
 *
 * - idle: every GPU below the threshold for the whole window (default 5 %, or 0.05 when the
 *   signal is DCGM_FI_PROF_GR_ENGINE_ACTIVE; 60 min);
 * - parked: idle while holding GPU memory (a job that allocated and computes nothing);
 * - busy: any reading at or above the threshold inside the window;
 * - unknown: no telemetry, stale telemetry, or not enough history to cover the window.
 *   Unknown is never reported as idle.
 *
 * @example
 * const verdict = evaluateIdle(reading, Date.now(), DEFAULT_IDLE_POLICY);
 * if (verdict.state === "idle") idleCost(verdict.idleSeconds, price); // money burnt so far
 */
import type { MaybePrice } from "./money.ts";

/** Which series the activity comes from; it decides the threshold's scale. */
export type ActivitySignal = "engine_active" | "gpu_util";

export const SIGNAL_LABEL: Record<ActivitySignal, string> = {
  engine_active: "GPU engine active (DCGM_FI_PROF_GR_ENGINE_ACTIVE)",
  gpu_util: "GPU utilisation",
};

export interface IdlePolicy {
  /** GPU utilisation percent (DCGM_FI_DEV_GPU_UTIL, nvidia-smi utilization_gpu) below which a GPU is idle. */
  utilPercent: number;
  /** DCGM_FI_PROF_GR_ENGINE_ACTIVE ratio (0–1) below which a GPU is idle. */
  engineActive: number;
  /** How long every GPU must stay below the threshold. */
  windowSeconds: number;
  /** GPU memory (MiB, on the fullest GPU) at or above which an idle VM counts as "parked". */
  parkedMemoryMib: number;
  /** The newest reading older than this makes the VM "unknown" (telemetry stopped). */
  staleSeconds: number;
}

/**
 * Defaults: the bot default from the platform fact sheet (section E). The parked threshold sits
 * above a bare CUDA context: the real H200 trace holds 1,333 MiB with a process alive and no
 * work, 58,555 MiB with a parked 60 GB allocation (test/fixtures/gpu-telemetry).
 */
export const DEFAULT_IDLE_POLICY: IdlePolicy = {
  utilPercent: 5,
  engineActive: 0.05,
  windowSeconds: 3600,
  parkedMemoryMib: 4096,
  staleSeconds: 600,
};

/** Everything the idle command and the scan need to decide and to act. */
export interface IdleSettings {
  policy: IdlePolicy;
  /** Per Azure subscription id (lower-case). */
  overrides: Readonly<Record<string, IdleOverride>>;
  /** How far back to look for the start of an idle stretch. */
  lookbackSeconds: number;
  /** How often the idle scan runs (its claim slot). */
  scanEverySeconds: number;
  /** Who may press Deallocate besides the VM's owner tag, per platform ("slack", "teams", "console"). */
  approvers: Readonly<Record<string, readonly string[]>>;
}

export const DEFAULT_IDLE_SETTINGS: IdleSettings = {
  policy: DEFAULT_IDLE_POLICY,
  overrides: {},
  lookbackSeconds: 26 * 3600,
  scanEverySeconds: 900,
  approvers: {},
};

/** The longest window and the highest thresholds across the base policy and every override. */
export function widestPolicy(settings: IdleSettings): { windowSeconds: number; utilPercent: number; engineActive: number } {
  const all = [settings.policy, ...Object.keys(settings.overrides).map((sub) => policyFor(settings.policy, settings.overrides, sub))];
  return {
    windowSeconds: Math.max(...all.map((p) => p.windowSeconds)),
    utilPercent: Math.max(...all.map((p) => p.utilPercent)),
    engineActive: Math.max(...all.map((p) => p.engineActive)),
  };
}

/** What a subscription may override (threshold and window). */
export type IdleOverride = Partial<Pick<IdlePolicy, "utilPercent" | "engineActive" | "windowSeconds" | "parkedMemoryMib">>;

/** The policy for one Azure subscription: the base with that subscription's overrides on top. */
export function policyFor(base: IdlePolicy, overrides: Readonly<Record<string, IdleOverride>>, subscriptionId: string): IdlePolicy {
  const o = overrides[subscriptionId.toLowerCase()] ?? overrides[subscriptionId];
  if (!o) return base;
  const merged: IdlePolicy = { ...base };
  for (const key of ["utilPercent", "engineActive", "windowSeconds", "parkedMemoryMib"] as const) {
    const v = o[key];
    if (v !== undefined) merged[key] = v;
  }
  return merged;
}

/** The threshold for a signal, in that signal's own unit. */
export const thresholdFor = (signal: ActivitySignal, policy: IdlePolicy): number => (signal === "engine_active" ? policy.engineActive : policy.utilPercent);

/** The highest reading across the VM's GPUs over [from, to) (epoch ms). */
export interface ActivityBucket {
  from: number;
  to: number;
  max: number;
}

/** Why a VM is "unknown": said in the answer so someone can fix the telemetry. */
export type UnknownReason = "no_telemetry" | "stale" | "short_history" | "source_error";

export const UNKNOWN_REASON_TEXT: Record<UnknownReason, string> = {
  no_telemetry: "no GPU telemetry",
  stale: "telemetry stopped",
  short_history: "not enough history yet",
  source_error: "telemetry source did not answer",
};

/** One VM's telemetry as a source delivered it, or why there is none. */
export type VmTelemetry =
  | {
      kind: "activity";
      signal: ActivitySignal;
      /** Any order; empty means the series exist but hold no sample in the range. */
      buckets: ActivityBucket[];
      /** Start of the queried range: an idle run reaching it started "at the latest" then. */
      rangeStart: number;
      /** Highest GPU memory used on any GPU over the window, MiB, when known. */
      memoryUsedMib?: number;
      /** Board power of all GPUs together, averaged over the window (W), when known. */
      powerW?: number;
      /** "prometheus", "azure-monitor": shown with unknowns and in details. */
      source: string;
    }
  | { kind: "missing"; reason: "no_telemetry" | "source_error"; detail: string; source: string };

interface VerdictBase {
  signal?: ActivitySignal;
  /** Highest reading inside the window (signal units). */
  peak?: number;
  memoryUsedMib?: number;
  powerW?: number;
}

export type IdleVerdict =
  | (VerdictBase & { state: "busy"; signal: ActivitySignal; lastActiveAt: number })
  | (VerdictBase & {
      state: "idle" | "parked";
      signal: ActivitySignal;
      /** When the run of idle readings began (epoch ms). */
      idleSince: number;
      /** The run reaches the start of the data: it began then or earlier. */
      sinceAtLeast: boolean;
      idleSeconds: number;
    })
  | (VerdictBase & { state: "unknown"; reason: UnknownReason; detail: string; lastSeenAt?: number });

/** Buckets further apart than this fraction of their own length leave a hole in the record. */
const GAP_TOLERANCE = 0.5;

const minutes = (ms: number) => Math.max(1, Math.round(ms / 60_000));

/**
 * Decides idle / parked / busy / unknown for one VM at `now` (epoch ms). Walks back from the
 * newest bucket: the run of below-threshold buckets, unbroken by a hole, is the idle episode.
 */
export function evaluateIdle(telemetry: VmTelemetry, now: number, policy: IdlePolicy): IdleVerdict {
  if (telemetry.kind === "missing") return { state: "unknown", reason: telemetry.reason, detail: telemetry.detail };
  const support: VerdictBase = {};
  if (telemetry.memoryUsedMib !== undefined && Number.isFinite(telemetry.memoryUsedMib)) support.memoryUsedMib = telemetry.memoryUsedMib;
  if (telemetry.powerW !== undefined && Number.isFinite(telemetry.powerW)) support.powerW = telemetry.powerW;
  const buckets = telemetry.buckets.filter((b) => Number.isFinite(b.max) && Number.isFinite(b.from) && Number.isFinite(b.to) && b.to > b.from && b.from <= now);
  if (buckets.length === 0) {
    return { ...support, state: "unknown", reason: "no_telemetry", detail: `no ${SIGNAL_LABEL[telemetry.signal]} samples in the range asked (${telemetry.source})` };
  }
  buckets.sort((a, b) => b.to - a.to || b.from - a.from);
  const newest = buckets[0] as ActivityBucket;
  const lastSeenAt = Math.min(newest.to, now);
  if (now - lastSeenAt > policy.staleSeconds * 1000) {
    return { ...support, state: "unknown", reason: "stale", detail: `last GPU reading ${minutes(now - lastSeenAt)} min ago (${telemetry.source})`, lastSeenAt };
  }
  const threshold = thresholdFor(telemetry.signal, policy);
  const windowStart = now - policy.windowSeconds * 1000;
  const peak = Math.max(...buckets.filter((b) => b.to > windowStart).map((b) => b.max));
  if (Number.isFinite(peak)) support.peak = peak;

  let runStart = now;
  let brokenBy: "busy" | "hole" | "start" = "start";
  let lastActiveAt = 0;
  for (const b of buckets) {
    const hole = runStart - b.to > (b.to - b.from) * GAP_TOLERANCE && b !== newest;
    if (hole) {
      brokenBy = "hole";
      break;
    }
    if (b.max >= threshold) {
      brokenBy = "busy";
      lastActiveAt = b.to;
      // Readings can overlap (two series for one GPU): a busy one inside the run so far ends it there.
      runStart = Math.max(runStart, b.to);
      break;
    }
    runStart = Math.min(runStart, b.from);
  }
  const idleMs = now - runStart;
  if (idleMs >= policy.windowSeconds * 1000 && runStart < now) {
    const parked = support.memoryUsedMib !== undefined && support.memoryUsedMib >= policy.parkedMemoryMib;
    return {
      ...support,
      state: parked ? "parked" : "idle",
      signal: telemetry.signal,
      idleSince: runStart,
      sinceAtLeast: brokenBy === "start" && runStart <= telemetry.rangeStart,
      idleSeconds: Math.floor(idleMs / 1000),
    };
  }
  if (brokenBy === "busy") return { ...support, state: "busy", signal: telemetry.signal, lastActiveAt };
  return {
    ...support,
    state: "unknown",
    reason: "short_history",
    detail: `GPU readings cover ${minutes(idleMs)} of the ${minutes(policy.windowSeconds * 1000)} min window (${telemetry.source})`,
    lastSeenAt,
  };
}

/** An idle episode gpuops' own scans watched (epoch ms): when it began, and when a scan last saw it idle. */
export interface WatchedEpisode {
  since: number;
  /** The start the scans recorded was itself a lower bound. */
  sinceAtLeast: boolean;
  lastSeen: number;
}

/**
 * An idle run that reaches past the telemetry takes its start from the episode gpuops watched,
 * when the two join up: the episode began no later than the data does, and a scan saw it idle
 * inside the data (so no stretch between them went unwatched). Idle time then counts from the
 * watched start, exact unless that start was itself a lower bound. Anything else keeps the verdict.
 */
export function withWatchedStart(verdict: IdleVerdict, watched: WatchedEpisode | undefined, now: number): IdleVerdict {
  if (!watched || (verdict.state !== "idle" && verdict.state !== "parked") || !verdict.sinceAtLeast) return verdict;
  if (!(watched.since <= verdict.idleSince && watched.lastSeen >= verdict.idleSince && watched.lastSeen <= now)) return verdict;
  return { ...verdict, idleSince: watched.since, sinceAtLeast: watched.sinceAtLeast, idleSeconds: Math.floor((now - watched.since) / 1000) };
}

/** What an idle stretch costs at list price: burnt so far, and per day while it lasts. */
export interface IdleCost {
  soFar: number;
  perDay: number;
  currency: string;
}

/** Cost of idleness = idle hours × list price per hour. Undefined when Azure has no list price. */
export function idleCost(idleSeconds: number, price: MaybePrice): IdleCost | undefined {
  if (!price.known) return undefined;
  return { soFar: (Math.max(0, idleSeconds) / 3600) * price.perHour, perDay: 24 * price.perHour, currency: price.currency };
}

/** "3 h 20 min", "2 d 4 h", "45 min", "12 s" (short windows in tests and demos). */
export function formatIdleDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}

/**
 * Durations as config and commands write them: "90s", "15m", "1h", "2h30m", "1d", or a bare
 * number of minutes. Undefined for anything else.
 */
export function parseDurationSeconds(text: string): number | undefined {
  const t = text.trim().toLowerCase();
  if (/^\d{1,6}$/.test(t)) return Number(t) * 60;
  if (!/^(\d{1,6}[dhms])+$/.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(/(\d+)([dhms])/g)) total += Number(m[1]) * { d: 86400, h: 3600, m: 60, s: 1 }[m[2] as "d" | "h" | "m" | "s"];
  return total;
}
