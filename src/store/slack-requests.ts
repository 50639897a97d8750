/**
 * The shared memory of Slack requests already run (table slack_request_seen): the first replica to
 * insert a key runs the request, every other sight of it (another replica, a restart) is refused.
 * One request's keys (its signature, its trigger or event id) go in with one statement: this runs
 * on every Slack request, before its ack.
 */
import { type Kysely, sql } from "kysely";
import type { SeenRequests } from "../services/ports.ts";
import type { Database } from "./schema.ts";

/** Signatures are valid for 5 minutes and Slack retries within a few; twice that is plenty. */
export const REMEMBER_MS = 10 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 1000;
/** The column's width (migration 008). */
const MAX_KEY = 300;

export function createSlackRequestLedger(db: Kysely<Database>): SeenRequests {
  let prunedAt = 0;
  const prune = async (at: number) => {
    if (at - prunedAt <= PRUNE_EVERY_MS) return;
    prunedAt = at;
    await db
      .deleteFrom("slack_request_seen")
      .where("seen_at", "<", new Date(at - REMEMBER_MS).toISOString())
      .execute();
  };
  const firstSights = async (keys: readonly string[], now: Date): Promise<boolean[]> => {
    if (keys.length === 0) return [];
    await prune(now.getTime());
    const seenAt = now.toISOString();
    const stored = keys.map((k) => k.slice(0, MAX_KEY));
    // A plain statement, not the query builder: building the query cost more than running it.
    const rows = sql.join(stored.map((k) => sql`(${k}, ${seenAt})`));
    const r = await sql<{ seen_key: string }>`insert into slack_request_seen (seen_key, seen_at) values ${rows} on conflict (seen_key) do nothing returning seen_key`.execute(db);
    const inserted = new Set(r.rows.map((x) => x.seen_key));
    return stored.map((k, i) => inserted.has(k) && stored.indexOf(k) === i);
  };
  return {
    firstSights,
    async firstSight(key, now) {
      return (await firstSights([key], now))[0] === true;
    },
  };
}
