/**
 * One job at one wake-up: claim its slot, run it with a heartbeat and a time limit, record its
 * end; take over a run whose process died mid-run; record a past day's run as skipped. Every run
 * goes through its claim, so with several replicas, or after a restart, it happens once.
 */
import type { CoreLogger } from "../commands/types.ts";
import { localDate } from "../domain/periods.ts";
import type { JobClaims } from "../store/job-claims.ts";
import { type Compiled, latestSlot, type Slot } from "./scheduler-slots.ts";
import { type Clock, errorText, type JobFn, type JobRun } from "./scheduler-types.ts";

export interface RunDeps {
  claims: JobClaims;
  /** This process's name in the claims. */
  owner: string;
  clock: Clock;
  /** Real time for heartbeats and their staleness (the clock may move in jumps). */
  liveNow: () => number;
  staleClaimMs: number;
  heartbeatMs: number;
  runTimeoutMs: number;
  /** How late a plain cron slot may still run after a restart. */
  maxLateMs: number;
  /** The last period each job settled (ran, lost the claim, or was skipped): no store round trip for it again. */
  settled: Map<string, string>;
  log?: CoreLogger | undefined;
  onRunEnd?: ((job: string, status: string, seconds: number) => void) | undefined;
}

const liveAt = (d: RunDeps) => new Date(d.liveNow()).toISOString();

/**
 * After a lost claim: "taken" when the holder died mid-run long enough ago and this process now
 * holds the claim, "busy" when someone is (or may still be) running it, "settled" when it ended.
 */
async function takeOverStale(d: RunDeps, job: string, periodKey: string, now: Date): Promise<"taken" | "busy" | "settled"> {
  const row = await d.claims.state(job, periodKey);
  if (row?.status !== "claimed") return "settled";
  const silentFor = row.heartbeatAt ? d.liveNow() - Date.parse(row.heartbeatAt) : now.getTime() - Date.parse(row.claimedAt);
  if (silentFor < d.staleClaimMs) return "busy";
  // Conditional on the claim being unchanged: of several processes trying, one takes it.
  if (!(await d.claims.takeOver(job, periodKey, row, d.owner, now, liveAt(d)))) return "busy";
  d.log?.warn({ job, periodKey, since: row.claimedAt }, "took over a run whose process died before finishing it");
  return "taken";
}

/** Renews this process's claim on a run once. */
async function beat(d: RunDeps, job: string, periodKey: string): Promise<void> {
  try {
    await d.claims.renew(job, periodKey, d.owner, liveAt(d));
  } catch (err) {
    d.log?.warn({ job, err: errorText(err) }, "could not renew a job's claim; will try again");
  }
}

/** Renews this process's claim on a run (real time) until stopped: a live run is never mistaken for a dead one. */
async function heartbeat(d: RunDeps, job: string, periodKey: string): Promise<{ stop(): void }> {
  await beat(d, job, periodKey);
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void beat(d, job, periodKey).finally(() => {
      busy = false;
    });
  }, d.heartbeatMs);
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

/** Runs a job within its time limit; the failure's text when it threw or ran too long. */
async function runWithin(d: RunDeps, fn: JobFn, run: JobRun): Promise<{ outcome?: Awaited<ReturnType<JobFn>>; failure?: string }> {
  let timeout: { cancel(): void } | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timeout = d.clock.setTimer(() => reject(new Error(`still running after ${Math.round(d.runTimeoutMs / 1000)} s; no longer waited for`)), d.runTimeoutMs);
  });
  try {
    return { outcome: await Promise.race([fn(run), timedOut]) };
  } catch (err) {
    const failure = errorText(err);
    d.log?.error({ job: run.job, periodKey: run.periodKey, err: failure }, "scheduled job failed");
    return { failure };
  } finally {
    timeout?.cancel();
  }
}

async function runOne(d: RunDeps, c: Compiled, slot: Slot, now: Date, takeover = false): Promise<void> {
  const { def } = c;
  const beating = await heartbeat(d, def.name, slot.key);
  const run: JobRun = { job: def.name, periodKey: slot.key, scheduledAt: slot.at, startedAt: now, catchUp: now.getTime() - slot.at.getTime() > 60_000 };
  if (takeover) run.takeover = true;
  const stillMine = async () => {
    const row = await d.claims.state(def.name, slot.key);
    return row?.claimedBy === d.owner && row.status === "claimed";
  };
  run.stillMine = stillMine;
  let result: Awaited<ReturnType<typeof runWithin>>;
  try {
    result = await runWithin(d, def.run, run);
  } finally {
    beating.stop();
  }
  const { outcome, failure } = result;
  const status = failure ? "failed" : (outcome?.status ?? "done");
  const detail = failure ?? outcome?.detail ?? null;
  d.onRunEnd?.(def.name, status, (d.clock.now().getTime() - now.getTime()) / 1000);
  try {
    // Taken over while this process stalled: the run's record is the new holder's to write.
    if (!(await stillMine())) return;
    await d.claims.finish({ job: def.name, periodKey: slot.key }, status, detail, d.clock.now());
  } catch (err) {
    d.log?.error({ job: def.name, err: errorText(err) }, "could not record the end of a job run");
  }
}

const claim = (d: RunDeps, job: string, periodKey: string, now: Date) => d.claims.claim({ job, periodKey, owner: d.owner, heartbeatAt: liveAt(d) }, now);

/** Records a past day's run as skipped; false while another process may still be running it (look again later). */
async function recordMissed(d: RunDeps, c: Compiled, slot: Slot, now: Date): Promise<boolean> {
  const { def } = c;
  let takeover = false;
  if (!(await claim(d, def.name, slot.key, now))) {
    // A process died mid-run and the day ended before anyone took over: settle the claim now
    // (the job checks what that run managed to do), so it is neither lost silently nor kept forever.
    const state = await takeOverStale(d, def.name, slot.key, now);
    if (state !== "taken") return state === "settled";
    takeover = true;
  }
  const run: JobRun = { job: def.name, periodKey: slot.key, scheduledAt: slot.at, startedAt: now, catchUp: true };
  if (takeover) run.takeover = true;
  const detail = takeover
    ? `interrupted: the process running it stopped and ${slot.key} ended in ${c.timezone} before another took over; not posted late`
    : `missed: gpuops was not running at ${slot.at.toISOString()} and ${slot.key} is over in ${c.timezone}; not posted late`;
  d.log?.warn({ job: def.name, periodKey: slot.key }, "scheduled run missed while down; recorded as skipped");
  try {
    await def.onMissed?.(run);
  } catch (err) {
    d.log?.warn({ job: def.name, err: errorText(err) }, "could not record a missed run's details");
  }
  await d.claims.finish({ job: def.name, periodKey: slot.key }, "skipped", detail, now);
  return true;
}

/**
 * What to do with one job at `now`: run it, record a missed day, or nothing. "recheck" when
 * another process holds the run: the next wake-up comes within a heartbeat, to take it over if that process died.
 */
export async function visit(d: RunDeps, c: Compiled, now: Date): Promise<"recheck" | undefined> {
  const slot = latestSlot(c, now);
  if (!slot) return undefined;
  const { def } = c;
  if (def.since && slot.at.getTime() < def.since.getTime()) return undefined;
  if (d.settled.get(def.name) === slot.key) return undefined;
  if (c.local && slot.key !== localDate(now, c.timezone)) {
    // Only a job that knows since when it exists can tell "missed" from "did not exist yet".
    if (def.since && !(await recordMissed(d, c, slot, now))) return "recheck";
    d.settled.set(def.name, slot.key);
    return undefined;
  }
  // A plain cron slot long past (gpuops was down) is not run late: the next one will come.
  if (c.kind === "cron" && !c.local && now.getTime() - slot.at.getTime() > d.maxLateMs) {
    d.settled.set(def.name, slot.key);
    return undefined;
  }
  if (await claim(d, def.name, slot.key, now)) {
    d.settled.set(def.name, slot.key);
    await runOne(d, c, slot, now);
    return undefined;
  }
  const state = await takeOverStale(d, def.name, slot.key, now);
  // "busy": look again soon, in case its process died.
  if (state !== "busy") d.settled.set(def.name, slot.key);
  if (state === "taken") await runOne(d, c, slot, now, true);
  return state === "busy" ? "recheck" : undefined;
}
