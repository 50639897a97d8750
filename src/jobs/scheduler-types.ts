/** The scheduler's vocabulary, shared by its parts (src/jobs/scheduler*.ts) and the jobs it runs. */

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

export const errorText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 500);
