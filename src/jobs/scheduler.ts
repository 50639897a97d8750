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
 * wake-up (the digest subscriptions, which other replicas may change).
 *
 * @example
 * const scheduler = createScheduler({ store, log });
 * scheduler.every("idle-scan", 15 * 60_000, async () => scanIdle());
 * scheduler.every("lease-expiry", "* * * * *", async (run) => expireLeases(run.scheduledAt));
 * await scheduler.start();
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { Cron } from "croner";
import type { CoreLogger } from "../commands/types.ts";
import { localDate } from "../domain/periods.ts";
import type { JobStatus } from "../services/ports.ts";
import type { Store } from "../store/store.ts";

/** Time as the scheduler sees it. Tests pass a fake whose timers fire when the test advances it. */
export interface Clock {
  now(): Date;
  /** Calls `fn` after `ms`; a fake clock awaits the promise `fn` returns before moving on. */
  setTimer(fn: () => unknown, ms: number): { cancel(): void };
}

/** Longest a Node timer can wait (about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

export const systemClock: Clock = {
  now: () => new Date(),
  setTimer(fn, ms) {
    const t = setTimeout(() => void fn(), Math.max(0, Math.min(ms, MAX_TIMER_MS)));
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

/**
 * When a job runs: a cron pattern (5 fields, in `timezone`, default UTC), or every N ms.
 * `periodKey` "local-date" makes the job once per local calendar day (daily digests);
 * "slot" (the default for cron) claims each scheduled instant.
 */
export type Schedule = string | number | { cron: string; timezone?: string; periodKey?: "local-date" | "slot" } | { everyMs: number };

export interface JobRun {
  job: string;
  periodKey: string;
  /** The scheduled instant this run stands for (earlier than now when catching up). */
  scheduledAt: Date;
  /** The clock's time when the run started. */
  startedAt: Date;
  /** True when the run is late (done at start-up after a missed time). */
  catchUp: boolean;
  /** True when this run took over the claim of a process that died mid-run: the job should check what that one already did. */
  takeover?: boolean;
  /**
   * Whether this process still holds the run's claim. A job checks it right before an effect
   * that must not happen twice (a post): a process stalled past the takeover window has lost it.
   */
  stillMine?: () => Promise<boolean>;
}

export interface JobOutcome {
  status?: "done" | "failed" | "skipped";
  detail?: string;
}

// biome-ignore lint/suspicious/noConfusingVoidType: a job that reports nothing is a plain `async () => {}`, whose type is Promise<void>.
export type JobFn = (run: JobRun) => Promise<JobOutcome | undefined | void>;

export interface JobDefinition {
  name: string;
  schedule: Schedule;
  run: JobFn;
  /** Scheduled instants before this do not count (a subscription made at 10:00 has no 09:00 run that day). */
  since?: Date;
  /** Called (after claiming) when a daily run's day passed without it; the claim is recorded as skipped either way. */
  onMissed?: (run: JobRun) => Promise<void>;
  /** Labels for `status`. */
  platform?: string;
  channelId?: string;
}

export interface SchedulerOptions {
  store: Store;
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

interface Compiled {
  def: JobDefinition;
  kind: "cron" | "interval";
  cron?: Cron;
  timezone: string;
  local: boolean;
  everyMs: number;
  /** The latest slot and when the next one starts: no cron search on every wake-up. */
  cache?: { slot: Slot; until: number };
}

interface Slot {
  at: Date;
  key: string;
}

const CRON_FIELDS = /^\S+( \S+){4}$/;

/** Compiles a schedule; throws a plain Error naming the job when the pattern or zone is wrong. */
function compile(def: JobDefinition): Compiled {
  const s = def.schedule;
  if (typeof s === "number" || (typeof s === "object" && "everyMs" in s)) {
    const everyMs = typeof s === "number" ? s : s.everyMs;
    if (!Number.isFinite(everyMs) || everyMs < 1000) throw new Error(`job ${def.name}: an interval must be at least 1000 ms`);
    return { def, kind: "interval", timezone: "UTC", local: false, everyMs };
  }
  const pattern = typeof s === "string" ? s : s.cron;
  const timezone = typeof s === "string" ? "UTC" : (s.timezone ?? "UTC");
  if (!CRON_FIELDS.test(pattern.trim())) throw new Error(`job ${def.name}: "${pattern}" is not a 5-field cron pattern`);
  const cron = new Cron(pattern.trim(), { timezone, paused: true, mode: "5-part" });
  return { def, kind: "cron", cron, timezone, local: typeof s === "object" && s.periodKey === "local-date", everyMs: 0 };
}

/** The newest scheduled instant at or before `now`. */
function latestSlot(c: Compiled, now: Date): Slot | undefined {
  const t = now.getTime();
  if (c.cache && c.cache.slot.at.getTime() <= t && t < c.cache.until) return c.cache.slot;
  const slot = searchSlot(c, now);
  if (slot) c.cache = { slot, until: nextWake(c, slot.at) ?? Number.POSITIVE_INFINITY };
  return slot;
}

function searchSlot(c: Compiled, now: Date): Slot | undefined {
  if (c.kind === "interval") {
    const at = new Date(Math.floor(now.getTime() / c.everyMs) * c.everyMs);
    return { at, key: at.toISOString() };
  }
  const at = c.cron?.previousRuns(1, new Date(now.getTime() + 1))[0];
  if (!at) return undefined;
  return { at, key: c.local ? localDate(at, c.timezone) : at.toISOString().slice(0, 16) };
}

function nextWake(c: Compiled, now: Date): number | undefined {
  if (c.kind === "interval") return (Math.floor(now.getTime() / c.everyMs) + 1) * c.everyMs;
  return c.cron?.nextRun(now)?.getTime();
}

const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 500);

export function createScheduler(opts: SchedulerOptions): Scheduler {
  const clock = opts.clock ?? systemClock;
  const refreshMs = opts.refreshMs ?? 60_000;
  const concurrency = Math.max(1, opts.concurrency ?? 4);
  const runTimeoutMs = opts.runTimeoutMs ?? 10 * 60_000;
  const maxLateMs = opts.maxLateMs ?? 10 * 60_000;
  const staleClaimMs = opts.staleClaimMs ?? 60_000;
  const heartbeatMs = Math.max(100, Math.min(opts.heartbeatMs ?? 15_000, Math.floor(staleClaimMs / 3)));
  const liveNow = opts.liveNow ?? Date.now;
  const owner = opts.owner ?? `${hostname().slice(0, 60)}#${process.pid}#${randomBytes(3).toString("hex")}`;
  const fixed = new Map<string, JobDefinition>();
  const sources = new Map<string, { provider: () => Promise<JobDefinition[]>; last: JobDefinition[] }>();
  /** When sources were last read; they are read again after refreshMs, or sooner when poked. */
  let sourcesReadAt = Number.NEGATIVE_INFINITY;
  let sourcesDirty = true;
  /** Compiled schedules by job name, rebuilt when a definition's schedule changes. */
  const compiled = new Map<string, { signature: string; c: Compiled }>();
  /** The last period each job settled (ran, lost the claim, or was skipped): no store round trip for it again. */
  const settled = new Map<string, string>();
  let known: Compiled[] = [];
  let timer: { cancel(): void } | undefined;
  let running = false;
  let stopped = true;
  let again = false;
  let current: Promise<void> | undefined;
  /** A visit found a run held by another process; the next wake-up comes within a heartbeat. */
  let recheckSoon = false;

  const signature = (d: JobDefinition) => JSON.stringify(d.schedule);

  function compiledFor(def: JobDefinition): Compiled | undefined {
    const sig = signature(def);
    const hit = compiled.get(def.name);
    if (hit && hit.signature === sig) {
      hit.c.def = def;
      return hit.c;
    }
    try {
      const c = compile(def);
      compiled.set(def.name, { signature: sig, c });
      return c;
    } catch (err) {
      opts.log?.error({ job: def.name, err: errorText(err) }, "job has an invalid schedule; it will not run");
      return undefined;
    }
  }

  async function definitions(now: Date): Promise<Compiled[]> {
    const defs: JobDefinition[] = [...fixed.values()];
    const reread = sourcesDirty || now.getTime() - sourcesReadAt >= refreshMs;
    if (reread) {
      sourcesDirty = false;
      sourcesReadAt = now.getTime();
    }
    for (const [name, src] of sources) {
      if (reread) {
        try {
          src.last = await src.provider();
        } catch (err) {
          opts.log?.warn({ source: name, err: errorText(err) }, "job source failed; using its last known jobs");
        }
      }
      defs.push(...src.last);
    }
    const out: Compiled[] = [];
    for (const d of defs) {
      if (opts.only && !opts.only(d.name)) continue;
      const c = compiledFor(d);
      if (c) out.push(c);
    }
    const names = new Set(out.map((c) => c.def.name));
    for (const name of compiled.keys()) if (!names.has(name)) compiled.delete(name);
    return out;
  }

  async function claim(job: string, periodKey: string, now: Date): Promise<boolean> {
    return opts.store.claimJob({ job, periodKey, owner, heartbeatAt: new Date(liveNow()).toISOString() }, now);
  }

  /**
   * After a lost claim: "taken" when the holder died mid-run long enough ago and this process now
   * holds the claim, "busy" when someone is (or may still be) running it, "settled" when it ended.
   */
  async function takeOverStale(job: string, periodKey: string, now: Date): Promise<"taken" | "busy" | "settled"> {
    const db = opts.store.db;
    const row = await db.selectFrom("job_run").select(["status", "claimed_at", "heartbeat_at"]).where("job", "=", job).where("period_key", "=", periodKey).executeTakeFirst();
    if (row?.status !== "claimed") return "settled";
    const silentFor = row.heartbeat_at ? liveNow() - Date.parse(row.heartbeat_at) : now.getTime() - Date.parse(row.claimed_at);
    if (silentFor < staleClaimMs) return "busy";
    // Conditional on the claim being unchanged: of several processes trying, one takes it.
    const r = await db
      .updateTable("job_run")
      .set({ claimed_by: owner, claimed_at: now.toISOString(), heartbeat_at: new Date(liveNow()).toISOString() })
      .where("job", "=", job)
      .where("period_key", "=", periodKey)
      .where("status", "=", "claimed")
      .where("claimed_at", "=", row.claimed_at)
      .where((eb) => (row.heartbeat_at ? eb("heartbeat_at", "=", row.heartbeat_at) : eb("heartbeat_at", "is", null)))
      .executeTakeFirst();
    if (Number(r.numUpdatedRows) !== 1) return "busy";
    opts.log?.warn({ job, periodKey, since: row.claimed_at }, "took over a run whose process died before finishing it");
    return "taken";
  }

  /** Renews this process's claim on a run until stopped: a live run is never mistaken for a dead one. */
  async function beat(job: string, periodKey: string): Promise<void> {
    try {
      await opts.store.db
        .updateTable("job_run")
        .set({ heartbeat_at: new Date(liveNow()).toISOString() })
        .where("job", "=", job)
        .where("period_key", "=", periodKey)
        .where("claimed_by", "=", owner)
        .where("status", "=", "claimed")
        .execute();
    } catch (err) {
      opts.log?.warn({ job, err: errorText(err) }, "could not renew a job's claim; will try again");
    }
  }

  /** Renews this process's claim on a run (real time) until stopped: a live run is never mistaken for a dead one. */
  async function heartbeat(job: string, periodKey: string): Promise<{ stop(): void }> {
    await beat(job, periodKey);
    let busy = false;
    const timer = setInterval(() => {
      if (busy) return;
      busy = true;
      void beat(job, periodKey).finally(() => {
        busy = false;
      });
    }, heartbeatMs);
    timer.unref();
    return { stop: () => clearInterval(timer) };
  }

  async function runOne(c: Compiled, slot: Slot, now: Date, takeover = false): Promise<void> {
    const { def } = c;
    const beating = await heartbeat(def.name, slot.key);
    const run: JobRun = { job: def.name, periodKey: slot.key, scheduledAt: slot.at, startedAt: now, catchUp: now.getTime() - slot.at.getTime() > 60_000 };
    if (takeover) run.takeover = true;
    const stillMine = async () => {
      const row = await opts.store.db.selectFrom("job_run").select(["claimed_by", "status"]).where("job", "=", def.name).where("period_key", "=", slot.key).executeTakeFirst();
      return row?.claimed_by === owner && row.status === "claimed";
    };
    run.stillMine = stillMine;
    let outcome: Awaited<ReturnType<JobFn>>;
    let failure: string | undefined;
    try {
      let timeout: { cancel(): void } | undefined;
      const timedOut = new Promise<never>((_, reject) => {
        timeout = clock.setTimer(() => reject(new Error(`still running after ${Math.round(runTimeoutMs / 1000)} s; no longer waited for`)), runTimeoutMs);
      });
      try {
        outcome = await Promise.race([def.run(run), timedOut]);
      } finally {
        timeout?.cancel();
      }
    } catch (err) {
      failure = errorText(err);
      opts.log?.error({ job: def.name, periodKey: slot.key, err: failure }, "scheduled job failed");
    } finally {
      beating.stop();
    }
    const status = failure ? "failed" : (outcome?.status ?? "done");
    const detail = failure ?? outcome?.detail ?? null;
    opts.onRunEnd?.(def.name, status, (clock.now().getTime() - now.getTime()) / 1000);
    try {
      // Taken over while this process stalled: the run's record is the new holder's to write.
      if (!(await stillMine())) return;
      await opts.store.finishJob({ job: def.name, periodKey: slot.key }, status, detail, clock.now());
    } catch (err) {
      opts.log?.error({ job: def.name, err: errorText(err) }, "could not record the end of a job run");
    }
  }

  /** Records a past day's run as skipped; false while another process may still be running it (look again later). */
  async function recordMissed(c: Compiled, slot: Slot, now: Date): Promise<boolean> {
    const { def } = c;
    let takeover = false;
    if (!(await claim(def.name, slot.key, now))) {
      // A process died mid-run and the day ended before anyone took over: settle the claim now
      // (the job checks what that run managed to do), so it is neither lost silently nor kept forever.
      const state = await takeOverStale(def.name, slot.key, now);
      if (state !== "taken") return state === "settled";
      takeover = true;
    }
    const run: JobRun = { job: def.name, periodKey: slot.key, scheduledAt: slot.at, startedAt: now, catchUp: true };
    if (takeover) run.takeover = true;
    const detail = takeover
      ? `interrupted: the process running it stopped and ${slot.key} ended in ${c.timezone} before another took over; not posted late`
      : `missed: gpuops was not running at ${slot.at.toISOString()} and ${slot.key} is over in ${c.timezone}; not posted late`;
    opts.log?.warn({ job: def.name, periodKey: slot.key }, "scheduled run missed while down; recorded as skipped");
    try {
      await def.onMissed?.(run);
    } catch (err) {
      opts.log?.warn({ job: def.name, err: errorText(err) }, "could not record a missed run's details");
    }
    await opts.store.finishJob({ job: def.name, periodKey: slot.key }, "skipped", detail, now);
    return true;
  }

  /** What to do with one job at `now`: run it, record a missed day, or nothing. */
  async function visit(c: Compiled, now: Date): Promise<void> {
    const slot = latestSlot(c, now);
    if (!slot) return;
    const { def } = c;
    if (def.since && slot.at.getTime() < def.since.getTime()) return;
    if (settled.get(def.name) === slot.key) return;
    if (c.local && slot.key !== localDate(now, c.timezone)) {
      // Only a job that knows since when it exists can tell "missed" from "did not exist yet".
      if (def.since && !(await recordMissed(c, slot, now))) {
        recheckSoon = true;
        return;
      }
      settled.set(def.name, slot.key);
      return;
    }
    // A plain cron slot long past (gpuops was down) is not run late: the next one will come.
    if (c.kind === "cron" && !c.local && now.getTime() - slot.at.getTime() > maxLateMs) {
      settled.set(def.name, slot.key);
      return;
    }
    if (await claim(def.name, slot.key, now)) {
      settled.set(def.name, slot.key);
      await runOne(c, slot, now);
      return;
    }
    const state = await takeOverStale(def.name, slot.key, now);
    // "busy": look again soon, in case its process died.
    if (state !== "busy") settled.set(def.name, slot.key);
    else recheckSoon = true;
    if (state === "taken") await runOne(c, slot, now, true);
  }

  async function wake(): Promise<void> {
    const now = clock.now();
    known = await definitions(now);
    const queue = [...known];
    const workers = Array.from({ length: Math.min(concurrency, queue.length) }, async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        try {
          await visit(c, now);
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
    let at = now + refreshMs;
    // Another process holds a run: wake up again soon enough to take it over once its heartbeat stops.
    if (recheckSoon) at = Math.min(at, now + heartbeatMs);
    recheckSoon = false;
    for (const c of known) {
      const next = nextWake(c, new Date(now));
      if (next !== undefined && next < at) at = next;
    }
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
    owner,
    every(name, schedule, fn, extra = {}) {
      const def: JobDefinition = { ...extra, name, schedule, run: fn };
      compile(def); // fail fast on a bad pattern at registration
      fixed.set(name, def);
      if (!stopped) this.poke();
      return () => {
        fixed.delete(name);
      };
    },
    source(name, provider) {
      sources.set(name, { provider, last: [] });
      sourcesDirty = true;
      if (!stopped) this.poke();
    },
    async start() {
      if (!stopped) return;
      stopped = false;
      sourcesDirty = true;
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
      sourcesDirty = true;
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
      return known.map((c) => {
        const next = nextWake(c, now);
        const s: JobStatus = { job: c.def.name, timezone: c.timezone };
        if (next !== undefined) s.nextRun = new Date(next).toISOString();
        if (c.def.platform) s.platform = c.def.platform;
        if (c.def.channelId) s.channelId = c.def.channelId;
        return s;
      });
    },
  };
}
