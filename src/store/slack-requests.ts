/**
 * The shared memory of Slack requests already run (table slack_request_seen): the first replica to
 * insert a key runs the request, every other sight of it (another replica, a restart) is refused.
 */
import type { Kysely } from "kysely";
import type { SeenRequests } from "../services/ports.ts";
import type { Database } from "./schema.ts";

/** Signatures are valid for 5 minutes and Slack retries within a few; twice that is plenty. */
export const REMEMBER_MS = 10 * 60 * 1000;
const PRUNE_EVERY_MS = 60 * 1000;

export function createSlackRequestLedger(db: Kysely<Database>): SeenRequests {
  let prunedAt = 0;
  return {
    async firstSight(key, now) {
      const at = now.getTime();
      if (at - prunedAt > PRUNE_EVERY_MS) {
        prunedAt = at;
        await db
          .deleteFrom("slack_request_seen")
          .where("seen_at", "<", new Date(at - REMEMBER_MS).toISOString())
          .execute();
      }
      const r = await db
        .insertInto("slack_request_seen")
        .values({ seen_key: key.slice(0, 300), seen_at: now.toISOString() })
        .onConflict((oc) => oc.column("seen_key").doNothing())
        .executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0n) === 1;
    },
  };
}
