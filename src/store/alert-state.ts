/**
 * Idle alert state (tables alert_state, alert_message, alert_action): one row per idle episode of
 * a VM or node, where each episode's alert was posted, and every button press on it. The idle
 * scan and the alert buttons read and change episodes only through this port.
 *
 * @example
 * const { row, created } = await store.alerts.openEpisode(episode, now);
 * if (await store.alerts.claimDeallocation(row.id, "Ada", now)) await power.deallocate(row.resource_id, …);
 */
import type { Kysely, Selectable } from "kysely";
import type { WatchedEpisode } from "../domain/idle-rule.ts";
import type { IdleEpisodesPort } from "../services/ports.ts";
import { isUniqueViolation } from "./errors.ts";
import type { AlertMessageTable, AlertStateTable, Database } from "./schema.ts";

/** An idle episode as stored (the table's row): times are ISO strings, `snapshot` the JSON the message is drawn from. */
export type IdleAlertRecord = Selectable<AlertStateTable>;

/** Where an alert was posted in one channel; `message_id` is empty while the post is unconfirmed. */
export type AlertMessageRecord = Selectable<AlertMessageTable>;

export interface AlertActionRecord {
  action: string;
  actor_id: string;
  actor_name: string | null;
  at: string;
  detail: string;
}

/** What the scan knows of a newly idle VM or node when it opens its episode. */
export interface NewEpisode {
  key: string;
  idleSince: Date;
  resourceId: string;
  resourceKind: string;
  host: string;
  subscriptionId: string;
  owner: string | null;
  snapshot: string;
}

export interface AlertStatePort extends IdleEpisodesPort {
  openFor(key: string): Promise<IdleAlertRecord | undefined>;
  byId(id: number): Promise<IdleAlertRecord | undefined>;
  listOpen(): Promise<IdleAlertRecord[]>;
  /** Opens the episode (or finds the one another replica just opened), carrying a Snooze / Keep still in effect over from the VM's last episode. */
  openEpisode(e: NewEpisode, now: Date): Promise<{ row: IdleAlertRecord; created: boolean }>;
  /** The scan saw the episode again: its latest figures and owner. */
  seenAgain(id: number, snapshot: string, owner: string | null, now: Date): Promise<void>;
  markReminded(id: number): Promise<void>;
  /** Closes an open episode; false when another scan or replica closed it first. */
  resolve(id: number, resolution: "busy" | "deallocated", now: Date): Promise<boolean>;
  mute(id: number, kind: "snooze" | "keep", until: Date): Promise<void>;

  /** Asks for a deallocation (none asked or the last one failed); false when one is already asked for or running. */
  askDeallocation(id: number, by: string, now: Date): Promise<boolean>;
  cancelDeallocation(id: number): Promise<boolean>;
  /** The claim: only one confirmation turns "confirming" into "running", so Azure is called once. */
  claimDeallocation(id: number, by: string, now: Date): Promise<boolean>;
  deallocationProgress(id: number, status: string): Promise<void>;
  deallocationSucceeded(id: number): Promise<void>;
  deallocationFailed(id: number, detail: string): Promise<void>;

  /** Where an alert was posted (confirmed posts only; `withPending` adds posts still being confirmed). */
  messages(alertId: number, withPending?: boolean): Promise<AlertMessageRecord[]>;
  postedIn(alertId: number, platform: string, channelId: string): Promise<boolean>;
  /** Writes the pending row of a post about to be made; its id. */
  startPost(alertId: number, platform: string, channelId: string, now: Date): Promise<number>;
  /** The post landed: its ids; `postedAt` when it was made now (not found from an earlier attempt). */
  confirmPost(messageRowId: number, posted: { messageId: string; threadId?: string | undefined }, now: Date, postedAt?: Date): Promise<void>;
  /** The post surely failed: the pending row goes so the next scan posts afresh. */
  dropPost(messageRowId: number): Promise<void>;
  touchMessage(messageRowId: number, now: Date): Promise<void>;

  recordAction(a: { alertId: number; action: string; actorId: string; actorName?: string | undefined; platform: string; at: Date; detail: string }): Promise<void>;
  actions(alertId: number): Promise<AlertActionRecord[]>;
}

/** An alert_message row whose post was started but not confirmed (message_id not known yet). */
const PENDING = "";

export const isPendingPost = (m: Pick<AlertMessageRecord, "message_id">) => m.message_id === PENDING;

const asRecord = (row: unknown) => row as IdleAlertRecord | undefined;
const changedOne = (r: { numUpdatedRows: bigint }) => Number(r.numUpdatedRows) === 1;

function episodeReads(db: Kysely<Database>) {
  return {
    async openFor(key: string) {
      return asRecord(await db.selectFrom("alert_state").selectAll().where("alert_key", "=", key).where("status", "=", "open").executeTakeFirst());
    },
    async byId(id: number) {
      return asRecord(await db.selectFrom("alert_state").selectAll().where("id", "=", id).executeTakeFirst());
    },
    async listOpen() {
      return (await db.selectFrom("alert_state").selectAll().where("status", "=", "open").execute()) as IdleAlertRecord[];
    },
    async idleSince(keys: readonly string[]) {
      const out = new Map<string, WatchedEpisode>();
      const wanted = [...new Set(keys.map((k) => k.toLowerCase()))];
      // Chunked: a whole fleet's keys would pass the database's bound-parameter limit.
      for (let i = 0; i < wanted.length; i += 500) {
        const rows = await db
          .selectFrom("alert_state")
          .select(["alert_key", "episode_start", "snapshot", "last_seen_at"])
          .where("status", "=", "open")
          .where("alert_key", "in", wanted.slice(i, i + 500))
          .execute();
        for (const row of rows) out.set(row.alert_key, recordedEpisode(row));
      }
      return out;
    },
  };
}

/**
 * The start an episode's alert shows: its snapshot keeps the earliest start the scans have read
 * and whether that start was a lower bound; the first start recorded when the snapshot is unreadable.
 */
function recordedEpisode(row: { episode_start: string; snapshot: string; last_seen_at: string }): WatchedEpisode {
  const lastSeen = Date.parse(row.last_seen_at);
  try {
    const snap = JSON.parse(row.snapshot) as { idleSince?: unknown; sinceAtLeast?: unknown };
    if (typeof snap.idleSince === "number" && Number.isFinite(snap.idleSince)) return { since: snap.idleSince, sinceAtLeast: snap.sinceAtLeast !== false, lastSeen };
  } catch {
    // Unreadable: the start column, taken as a lower bound.
  }
  return { since: Date.parse(row.episode_start), sinceAtLeast: true, lastSeen };
}

function episodeWrites(
  db: Kysely<Database>,
  reads: ReturnType<typeof episodeReads>,
): Omit<AlertStatePort, keyof ReturnType<typeof episodeReads> | keyof ReturnType<typeof messageRows>> {
  return {
    async openEpisode(e, now) {
      const existing = await reads.openFor(e.key);
      if (existing) return { row: existing, created: false };
      const last = await db.selectFrom("alert_state").select(["snoozed_until", "keep_until"]).where("alert_key", "=", e.key).orderBy("id", "desc").limit(1).executeTakeFirst();
      const stillMuted = (until: string | null | undefined) => (until && Date.parse(until) > now.getTime() ? until : null);
      try {
        const inserted = await db
          .insertInto("alert_state")
          .values({
            alert_key: e.key,
            episode_start: e.idleSince.toISOString(),
            status: "open",
            resource_id: e.resourceId,
            resource_kind: e.resourceKind,
            host: e.host,
            subscription_id: e.subscriptionId,
            owner: e.owner,
            snapshot: e.snapshot,
            first_seen_at: now.toISOString(),
            last_seen_at: now.toISOString(),
            resolved_at: null,
            resolution: null,
            snoozed_until: stillMuted(last?.snoozed_until),
            snooze_reminded: 0,
            keep_until: stillMuted(last?.keep_until),
            deallocate_state: null,
            deallocate_by: null,
            deallocate_at: null,
            deallocate_detail: null,
          })
          .returning("id")
          .executeTakeFirstOrThrow();
        return { row: (await reads.byId(inserted.id)) as IdleAlertRecord, created: true };
      } catch (err) {
        if (!isUniqueViolation(err)) throw err;
        const raced = await reads.openFor(e.key);
        if (!raced) throw err;
        return { row: raced, created: false };
      }
    },
    async seenAgain(id, snapshot, owner, now) {
      await db.updateTable("alert_state").set({ snapshot, last_seen_at: now.toISOString(), owner }).where("id", "=", id).execute();
    },
    async markReminded(id) {
      await db.updateTable("alert_state").set({ snooze_reminded: 1 }).where("id", "=", id).execute();
    },
    async resolve(id, resolution, now) {
      const res = await db
        .updateTable("alert_state")
        .set({ status: "resolved", resolution, resolved_at: now.toISOString() })
        .where("id", "=", id)
        .where("status", "=", "open")
        .executeTakeFirst();
      return changedOne(res);
    },
    async mute(id, kind, until) {
      const at = until.toISOString();
      await db
        .updateTable("alert_state")
        .set(kind === "snooze" ? { snoozed_until: at, snooze_reminded: 0 } : { keep_until: at, snooze_reminded: 0 })
        .where("id", "=", id)
        .execute();
    },
    ...deallocationWrites(db),
  };
}

function deallocationWrites(db: Kysely<Database>) {
  return {
    async askDeallocation(id: number, by: string, now: Date) {
      const res = await db
        .updateTable("alert_state")
        .set({ deallocate_state: "confirming", deallocate_by: by, deallocate_at: now.toISOString(), deallocate_detail: null })
        .where("id", "=", id)
        .where((eb) => eb.or([eb("deallocate_state", "is", null), eb("deallocate_state", "=", "failed")]))
        .executeTakeFirst();
      return changedOne(res);
    },
    async cancelDeallocation(id: number) {
      const res = await db
        .updateTable("alert_state")
        .set({ deallocate_state: null, deallocate_by: null, deallocate_at: null })
        .where("id", "=", id)
        .where("deallocate_state", "=", "confirming")
        .executeTakeFirst();
      return changedOne(res);
    },
    async claimDeallocation(id: number, by: string, now: Date) {
      const res = await db
        .updateTable("alert_state")
        .set({ deallocate_state: "running", deallocate_by: by, deallocate_at: now.toISOString(), deallocate_detail: null })
        .where("id", "=", id)
        .where("deallocate_state", "=", "confirming")
        .executeTakeFirst();
      return changedOne(res);
    },
    async deallocationProgress(id: number, status: string) {
      await db.updateTable("alert_state").set({ deallocate_detail: status }).where("id", "=", id).where("deallocate_state", "=", "running").execute();
    },
    async deallocationSucceeded(id: number) {
      await db.updateTable("alert_state").set({ deallocate_state: "succeeded", deallocate_detail: null }).where("id", "=", id).execute();
    },
    async deallocationFailed(id: number, detail: string) {
      await db.updateTable("alert_state").set({ deallocate_state: "failed", deallocate_detail: detail }).where("id", "=", id).execute();
    },
  };
}

function messageRows(db: Kysely<Database>) {
  return {
    async messages(alertId: number, withPending = false) {
      let q = db.selectFrom("alert_message").selectAll().where("alert_id", "=", alertId);
      if (!withPending) q = q.where("message_id", "!=", PENDING);
      return (await q.orderBy("id").execute()) as AlertMessageRecord[];
    },
    async postedIn(alertId: number, platform: string, channelId: string) {
      const row = await db
        .selectFrom("alert_message")
        .select("id")
        .where("alert_id", "=", alertId)
        .where("platform", "=", platform)
        .where("channel_id", "=", channelId)
        .executeTakeFirst();
      return row !== undefined;
    },
    async startPost(alertId: number, platform: string, channelId: string, now: Date) {
      const at = now.toISOString();
      const inserted = await db
        .insertInto("alert_message")
        .values({ alert_id: alertId, platform, channel_id: channelId, message_id: PENDING, thread_id: null, posted_at: at, updated_at: at })
        .returning("id")
        .executeTakeFirstOrThrow();
      return Number(inserted.id);
    },
    async confirmPost(messageRowId: number, posted: { messageId: string; threadId?: string | undefined }, now: Date, postedAt?: Date) {
      await db
        .updateTable("alert_message")
        .set({ message_id: posted.messageId, thread_id: posted.threadId ?? null, updated_at: now.toISOString(), ...(postedAt ? { posted_at: postedAt.toISOString() } : {}) })
        .where("id", "=", messageRowId)
        .execute();
    },
    async dropPost(messageRowId: number) {
      await db.deleteFrom("alert_message").where("id", "=", messageRowId).execute();
    },
    async touchMessage(messageRowId: number, now: Date) {
      await db.updateTable("alert_message").set({ updated_at: now.toISOString() }).where("id", "=", messageRowId).execute();
    },
    async recordAction(a: { alertId: number; action: string; actorId: string; actorName?: string | undefined; platform: string; at: Date; detail: string }) {
      await db
        .insertInto("alert_action")
        .values({ alert_id: a.alertId, action: a.action, actor_id: a.actorId, actor_name: a.actorName ?? null, platform: a.platform, at: a.at.toISOString(), detail: a.detail })
        .execute();
    },
    async actions(alertId: number) {
      return db.selectFrom("alert_action").select(["action", "actor_id", "actor_name", "at", "detail"]).where("alert_id", "=", alertId).orderBy("id").execute();
    },
  };
}

export function createAlertStateStore(db: Kysely<Database>): AlertStatePort {
  const reads = episodeReads(db);
  return { ...reads, ...episodeWrites(db, reads), ...messageRows(db) };
}
