/**
 * The scheduler: cron patterns in IANA time zones (DST handled by croner) and fixed intervals,
 * driven by an injectable clock. Every due run is claimed in the store (job + period key, unique)
 * before it runs, so with several replicas, or after a restart, each run happens once.
 *
 * Missed runs: a daily job ("local-date" periods) whose time passed while gpuops was down runs at
 * start-up if it is still the same local day, and is otherwise recorded as skipped (claimed with
 * status "skipped", so `status` shows it and no replica posts yesterday's digest today). Interval
 * jobs run their current slot; a plain cron slot runs up to `maxLateMs` late, and is dropped after.
 *
 * Jobs come from `every()` (fixed: the idle scan, lease checks) and from sources re-read on every
 * wake-up (the digest subscriptions, which other replicas may change). The parts: scheduler-slots.ts
 * (schedules and their slots), scheduler-catalogue.ts (which jobs), scheduler-runs.ts (claims and runs).
 *
 * @example
 * const scheduler = createScheduler({ claims: createJobClaims(store), log });
 * scheduler.every("idle-scan", 15 * 60_000, async () => scanIdle());
 * scheduler.every("lease-expiry", "* * * * *", async (run) => expireLeases(run.scheduledAt));
 * await scheduler.start();
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { CoreLogger } from "../commands/types.ts";
import type { JobStatus } from "../services/ports.ts";
import type { JobClaims } from "../store/job-claims.ts";
import { createJobCatalogue } from "./scheduler-catalogue.ts";
import { type RunDeps, visit } from "./scheduler-runs.ts";
import { type Compiled, compile, nextWake } from "./scheduler-slots.ts";
import { type Clock, errorText, type JobDefinition, type JobFn, type Schedule, systemClock } from "./scheduler-types.ts";

export type { Clock, JobDefinition, JobFn, JobOutcome, JobRun, Schedule } from "./scheduler-types.ts";

export interface SchedulerOptions {
  /** The claims on job runs (store/job-claims.ts): each run is claimed before it runs. */
  claims: JobClaims;
  clock?: Clock;
  log?: CoreLogger;
  /** How often job sources are re-read even when nothing is due (default 60 s). */
  refreshMs?: number;
  /** Runs started at once within one wake-up (default 4). */
  concurrency?: number;
  /** A run taking longer than this is recorded as failed and no longer waited for (default 10 min). */
  runTimeoutMs?: number;
  /**
   * A claim not renewed for this long belongs to a process that died mid-run (default 60 s):
   * another process takes it over. A live run renews its claim every `heartbeatMs`, so however
   * long it takes, it is never taken over while its process lives.
   */
  staleClaimMs?: number;
  /** How often a running job renews its claim (default 15 s). */
  heartbeatMs?: number;
  /**
   * Real time for liveness (default Date.now): heartbeats and their staleness are measured on it,
   * not on `clock`, which tests move in jumps. Claims from before heartbeats use `clock`.
   */
  liveNow?: () => number;
  /** How late a plain cron slot may still run after a restart (default 10 min); daily jobs use their local day instead. */
  maxLateMs?: number;
  /** Name of this process in the claims table (default host#pid#random). */
  owner?: string;
  /** Only jobs whose name passes run here (tests that exercise one kind of job); default all. */
  only?: (job: string) => boolean;
  /** Told of every run's end (metrics). */
  onRunEnd?: (job: string, status: string, seconds: number) => void;
}

export interface Scheduler {
  /** Registers a fixed job: a cron pattern (UTC unless given a zone) or an interval in ms. Returns an unregister function. */
  every(name: string, schedule: Schedule, fn: JobFn, opts?: Omit<JobDefinition, "name" | "schedule" | "run">): () => void;
  /** Registers a source of jobs, re-read on every wake-up (subscriptions that come and go). */
  source(name: string, provider: () => Promise<JobDefinition[]>): void;
  /** First wake-up now (catching up missed runs), then on schedule. */
  start(): Promise<void>;
  /** Stops waking up and waits for runs in progress. */
  stop(): Promise<void>;
  /** One wake-up, now: what `start` and the timer call. Safe to call while one is in progress. */
  tick(): Promise<void>;
  /** Asks for a wake-up soon, e.g. after a subscription changed. */
  poke(): void;
  /** Known jobs with their next run, for `status`. */
  jobs(): JobStatus[];
  /** True between start() and stop(). */
  isRunning(): boolean;
  readonly owner: string;
}

/** A known job as `status` shows it. */
function jobStatus(c: Compiled, now: Date): JobStatus {
  const next = nextWake(c, now);
  const s: JobStatus = { job: c.def.name, timezone: c.timezone };
  if (next !== undefined) s.nextRun = new Date(next).toISOString();
  if (c.def.platform) s.platform = c.def.platform;
  if (c.def.channelId) s.channelId = c.def.channelId;
  return s;
}

/** The next wake-up: the earliest next slot, within `refreshMs` (sooner, within a heartbeat, when a run held elsewhere needs another look). */
function nextWakeAt(known: Compiled[], now: number, refreshMs: number, soonMs: number | undefined): number {
  let at = now + refreshMs;
  if (soonMs !== undefined) at = Math.min(at, now + soonMs);
  for (const c of known) {
    const next = nextWake(c, new Date(now));
    if (next !== undefined && next < at) at = next;
  }
  return at;
}

function runDeps(opts: SchedulerOptions, clock: Clock): RunDeps {
  const staleClaimMs = opts.staleClaimMs ?? 60_000;
  return {
    claims: opts.claims,
    owner: opts.owner ?? `${hostname().slice(0, 60)}#${process.pid}#${randomBytes(3).toString("hex")}`,
    clock,
    liveNow: opts.liveNow ?? Date.now,
    staleClaimMs,
    heartbeatMs: Math.max(100, Math.min(opts.heartbeatMs ?? 15_000, Math.floor(staleClaimMs / 3))),
    runTimeoutMs: opts.runTimeoutMs ?? 10 * 60_000,
    maxLateMs: opts.maxLateMs ?? 10 * 60_000,
    settled: new Map(),
    log: opts.log,
    onRunEnd: opts.onRunEnd,
  };
}

export function createScheduler(opts: SchedulerOptions): Scheduler {
  const clock = opts.clock ?? systemClock;
  const refreshMs = opts.refreshMs ?? 60_000;
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const deps = runDeps(opts, clock);
  const catalogue = createJobCatalogue({ refreshMs, only: opts.only, log: opts.log });
  let known: Compiled[] = [];
  let timer: { cancel(): void } | undefined;
  let running = false;
  let stopped = true;
  let again = false;
  let current: Promise<void> | undefined;
  /** A visit found a run held by another process; the next wake-up comes within a heartbeat. */
  let recheckSoon = false;

  async function wake(): Promise<void> {
    const now = clock.now();
    known = await catalogue.definitions(now);
    const queue = [...known];
    const workers = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        try {
          if ((await visit(deps, c, now)) === "recheck") recheckSoon = true;
        } catch (err) {
          opts.log?.error({ job: c.def.name, err: errorText(err) }, "could not check or claim a scheduled job");
        }
      }
    });
    await Promise.all(workers);
  }

  function arm(): void {
    timer?.cancel();
    timer = undefined;
    if (stopped) return;
    const now = clock.now().getTime();
    const at = nextWakeAt(known, now, refreshMs, recheckSoon ? deps.heartbeatMs : undefined);
    recheckSoon = false;
    timer = clock.setTimer(() => tick(), Math.max(0, at - now));
  }

  async function tick(): Promise<void> {
    if (running) {
      again = true;
      return current;
    }
    running = true;
    current = (async () => {
      try {
        do {
          again = false;
          await wake();
        } while (again && !stopped);
      } catch (err) {
        opts.log?.error({ err: errorText(err) }, "scheduler wake-up failed");
      } finally {
        running = false;
        arm();
      }
    })();
    return current;
  }

  return {
    owner: deps.owner,
    every(name, schedule, fn, extra = {}) {
      const def: JobDefinition = { ...extra, name, schedule, run: fn };
      compile(def); // fail fast on a bad pattern at registration
      catalogue.setFixed(def);
      if (!stopped) this.poke();
      return () => {
        catalogue.removeFixed(name);
      };
    },
    source(name, provider) {
      catalogue.addSource(name, provider);
      if (!stopped) this.poke();
    },
    async start() {
      if (!stopped) return;
      stopped = false;
      catalogue.markDirty();
      await tick();
    },
    async stop() {
      stopped = true;
      timer?.cancel();
      timer = undefined;
      await current;
    },
    tick,
    isRunning: () => !stopped,
    poke() {
      catalogue.markDirty();
      if (stopped) return;
      if (running) {
        again = true;
        return;
      }
      timer?.cancel();
      timer = clock.setTimer(() => tick(), 0);
    },
    jobs() {
      const now = clock.now();
      return known.map((c) => jobStatus(c, now));
    },
  };
}
