/**
 * The shared memory of Slack requests already run (table slack_request_seen): the first replica to
 * insert a key runs the request, every other sight of it (another replica, a restart) is refused.
 * This runs on every Slack request before its ack, so one statement carries the keys of every
 * request that arrived in the same event-loop turn (each request's signature and trigger or event id).
 */
import { type Kysely, sql } from "kysely";
import type { SeenRequests } from "../services/ports.ts";
import type { Database } from "./schema.ts";

/** Signatures are valid for 5 minutes and Slack retries within a few; twice that is plenty. */
export const REMEMBER_MS = 10 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 1000;
/** The column's width (migration 008). */
const MAX_KEY = 300;

/** Rows per statement: far inside SQLite's and PostgreSQL's limits on bound values. */
const MAX_ROWS = 400;

interface Asked {
  keys: string[];
  resolve(firsts: boolean[]): void;
  reject(err: unknown): void;
}

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
  /** The keys of `rows` that this insert added (the others were there already). */
  const insertNew = async (rows: string[], seenAt: string): Promise<Set<string>> => {
    const inserted = new Set<string>();
    for (let i = 0; i < rows.length; i += MAX_ROWS) {
      const values = sql.join(rows.slice(i, i + MAX_ROWS).map((k) => sql`(${k}, ${seenAt})`));
      // A plain statement, not the query builder: building the query cost more than running it.
      const r = await sql<{ seen_key: string }>`insert into slack_request_seen (seen_key, seen_at) values ${values} on conflict (seen_key) do nothing returning seen_key`.execute(
        db,
      );
      for (const x of r.rows) inserted.add(x.seen_key);
    }
    return inserted;
  };

  // Requests that arrive together (a burst: one event-loop turn) share one statement.
  let batch: { asked: Asked[]; now: Date } | undefined;
  const flush = async () => {
    const { asked, now } = batch as { asked: Asked[]; now: Date };
    batch = undefined;
    try {
      await prune(now.getTime());
      const rows = [...new Set(asked.flatMap((a) => a.keys))];
      const inserted = await insertNew(rows, now.toISOString());
      // Inside one batch a key is new for the first request that carries it only.
      const claimed = new Set<string>();
      for (const a of asked) {
        a.resolve(
          a.keys.map((k) => {
            if (!inserted.has(k) || claimed.has(k)) return false;
            claimed.add(k);
            return true;
          }),
        );
      }
    } catch (err) {
      for (const a of asked) a.reject(err);
    }
  };
  const firstSights = (keys: readonly string[], now: Date): Promise<boolean[]> => {
    if (keys.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      if (!batch) {
        batch = { asked: [], now };
        setImmediate(() => void flush());
      }
      batch.asked.push({ keys: keys.map((k) => k.slice(0, MAX_KEY)), resolve, reject });
    });
  };
  return {
    firstSights,
    async firstSight(key, now) {
      return (await firstSights([key], now))[0] === true;
    },
  };
}
