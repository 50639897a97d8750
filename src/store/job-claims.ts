/**
 * The scheduler's claims on job runs (table `job_run`): one row per job + period, inserted to
 * claim it, renewed by a heartbeat while it runs, taken over when its process died mid-run, and
 * finished with an outcome. The scheduler decides when; these are the queries.
 *
 * @example
 * const claims = createJobClaims(store);
 * if (await claims.claim({ job: "idle-scan", periodKey, owner }, now)) { ... await claims.finish({ job: "idle-scan", periodKey }, "done", null, now); }
 */
import type { Claim, Store } from "./store.ts";

/** A run's claim as stored. */
interface ClaimState {
  status: string;
  claimedBy: string;
  claimedAt: string;
  /** Real time of the holder's last heartbeat; null for claims written before heartbeats. */
  heartbeatAt: string | null;
}

export interface JobClaims {
  /** Claims one run: exactly one caller gets true for a job + period (the store's unique key). */
  claim(claim: Claim, now: Date): Promise<boolean>;
  finish(run: Omit<Claim, "owner">, status: "done" | "failed" | "skipped", detail: string | null, now: Date): Promise<void>;
  /** The claim on a run, when there is one. */
  state(job: string, periodKey: string): Promise<ClaimState | undefined>;
  /**
   * Takes over a claim still as it was when read (`seen`): of several processes trying at once,
   * one gets true. `liveAt` is the new holder's first heartbeat.
   */
  takeOver(job: string, periodKey: string, seen: Pick<ClaimState, "claimedAt" | "heartbeatAt">, owner: string, now: Date, liveAt: string): Promise<boolean>;
  /** Renews `owner`'s live claim on a run (a heartbeat); nothing when the claim is no longer theirs. */
  renew(job: string, periodKey: string, owner: string, liveAt: string): Promise<void>;
}

/** Claims on `store`; claiming and finishing go through the store's own methods (read at each call). */
export function createJobClaims(store: Store): JobClaims {
  const db = store.db;
  return {
    claim: (claim, now) => store.claimJob(claim, now),
    finish: (run, status, detail, now) => store.finishJob(run, status, detail, now),
    async state(job, periodKey) {
      const row = await db
        .selectFrom("job_run")
        .select(["status", "claimed_by", "claimed_at", "heartbeat_at"])
        .where("job", "=", job)
        .where("period_key", "=", periodKey)
        .executeTakeFirst();
      return row ? { status: row.status, claimedBy: row.claimed_by, claimedAt: row.claimed_at, heartbeatAt: row.heartbeat_at } : undefined;
    },
    async takeOver(job, periodKey, seen, owner, now, liveAt) {
      const r = await db
        .updateTable("job_run")
        .set({ claimed_by: owner, claimed_at: now.toISOString(), heartbeat_at: liveAt })
        .where("job", "=", job)
        .where("period_key", "=", periodKey)
        .where("status", "=", "claimed")
        .where("claimed_at", "=", seen.claimedAt)
        .where((eb) => (seen.heartbeatAt ? eb("heartbeat_at", "=", seen.heartbeatAt) : eb("heartbeat_at", "is", null)))
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },
    async renew(job, periodKey, owner, liveAt) {
      await db
        .updateTable("job_run")
        .set({ heartbeat_at: liveAt })
        .where("job", "=", job)
        .where("period_key", "=", periodKey)
        .where("claimed_by", "=", owner)
        .where("status", "=", "claimed")
        .execute();
    },
  };
}
