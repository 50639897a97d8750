/**
 * Channel subscriptions in the store: the SubscriptionPort (create, change, remove, list, with
 * an append-only audit of who changed what), the digest's per-day delivery records, and the
 * read-outs `status` needs (last job runs, broken Teams conversations). Same queries on SQLite
 * and PostgreSQL.
 *
 * @example
 * const subs = createSubscriptionStore(store.db);
 * await subs.save({ platform: "slack", channelId: "C0123", kind: "digest" }, settings, actor, now);
 */
import type { Kysely, Selectable } from "kysely";
import { formatScope, readNoiseRule, readScope, serialiseNoiseRule } from "../domain/digest.ts";
import type { ChannelSubscription, SubscriptionEvent, SubscriptionKind, SubscriptionPort, SubscriptionSettings } from "../services/ports.ts";
import type { Database, DigestPostTable } from "./schema.ts";

type SubscriptionRow = Selectable<Database["channel_subscription"]>;

const KINDS: readonly SubscriptionKind[] = ["digest", "idle"];

function fromRow(row: SubscriptionRow): ChannelSubscription {
  return {
    platform: row.platform,
    channelId: row.channel_id,
    kind: KINDS.includes(row.kind as SubscriptionKind) ? (row.kind as SubscriptionKind) : "digest",
    at: row.schedule_at,
    timezone: row.timezone,
    scope: readScope(row.scope),
    noise: readNoiseRule(row.noise_rule),
    updateInPlace: Number(row.update_in_place) === 1,
    createdBy: row.created_by,
    createdAt: row.created_at,
    changedBy: row.changed_by,
    changedAt: row.changed_at,
    activeFrom: row.active_from,
  };
}

/** The settings as the audit log stores them (stable keys, readable values). */
function settingsRecord(s: SubscriptionSettings): Record<string, string | boolean | null> {
  return { at: s.at, timezone: s.timezone, scope: formatScope(s.scope), noise: serialiseNoiseRule(s.noise), updateInPlace: s.updateInPlace };
}

type SettingsRecord = Record<string, unknown>;

/** A stored setting as a channel reads it: "at 08:00", "time zone UTC", "when spend moves > 10 %", "updated in place". */
function settingWords(key: string, v: unknown): string {
  if (v === null || v === undefined) return `${key} —`;
  if (key === "timezone") return `time zone ${String(v)}`;
  if (key === "updateInPlace") return v === true ? "updated in place" : "a new message each day";
  if (key === "noise") {
    const rule = readNoiseRule(String(v));
    return rule.kind === "always" ? "every day" : rule.kind === "percent" ? `when spend moves > ${rule.threshold} %` : `when spend moves > ${rule.threshold} ${rule.currency}`;
  }
  return `${key} ${String(v)}`;
}

/** The settings a kind of subscription uses: idle alerts have no time, noise rule or message mode. */
const KEYS_OF: Record<string, readonly string[]> = { idle: ["timezone", "scope"] };

/** "at 08:00 → 09:30; scope all → rg:training": what changed, for the audit and the channel. */
function describeRecords(a: SettingsRecord | null, b: SettingsRecord | null, kind?: string): string {
  const keys = [...new Set([...Object.keys(a ?? {}), ...Object.keys(b ?? {})])].filter((k) => !kind || !KEYS_OF[kind] || KEYS_OF[kind].includes(k));
  if (!a)
    return keys
      .filter((k) => b?.[k] !== null && b?.[k] !== undefined)
      .map((k) => settingWords(k, b?.[k]))
      .join("; ");
  if (!b) return "removed";
  return (
    keys
      .filter((k) => a[k] !== b[k])
      .map((k) => {
        const [from, to] = [settingWords(k, a[k]), settingWords(k, b[k])];
        // "at 09:00 → 17:30", "every day → when spend moves > 10 %": the key said once when both sides carry it.
        const prefix = ["at", "scope", "time zone"].find((p) => from.startsWith(`${p} `) && to.startsWith(`${p} `));
        return prefix ? `${from} → ${to.slice(prefix.length + 1)}` : `${from} → ${to}`;
      })
      .join("; ") || "no change"
  );
}

export const describeChange = (before: SubscriptionSettings | undefined, after: SubscriptionSettings | undefined): string =>
  describeRecords(before ? settingsRecord(before) : null, after ? settingsRecord(after) : null);

const sameSettings = (a: SubscriptionSettings, b: SubscriptionSettings) => describeChange(a, b) === "no change";

export interface DigestPostRecord {
  platform: string;
  channelId: string;
  localDate: string;
  status: "posting" | "posted" | "updated" | "suppressed" | "failed" | "skipped";
  messageId: string | null;
  threadId: string | null;
  attempts: number;
  reason: string | null;
  at: string;
}

function postFromRow(row: Selectable<DigestPostTable>): DigestPostRecord {
  return {
    platform: row.platform,
    channelId: row.channel_id,
    localDate: row.local_date,
    status: row.status as DigestPostRecord["status"],
    messageId: row.message_id,
    threadId: row.thread_id,
    attempts: Number(row.attempts),
    reason: row.reason,
    at: row.at,
  };
}

export interface SubscriptionStore extends SubscriptionPort {
  /** Writes (or overwrites) the delivery record of one channel and local day. */
  recordPost(record: DigestPostRecord): Promise<void>;
  getPost(platform: string, channelId: string, localDate: string): Promise<DigestPostRecord | undefined>;
  /** The newest delivery that left a message in the channel (for update-in-place). */
  lastMessage(platform: string, channelId: string, beforeDate?: string): Promise<DigestPostRecord | undefined>;
  /** Delivery records, newest first. */
  posts(filter?: { platform?: string; channelId?: string; limit?: number }): Promise<DigestPostRecord[]>;
  /** The latest run of each job whose name starts with `prefix` (or all), from the claims table. */
  lastRuns(prefix?: string): Promise<Map<string, { periodKey: string; status: string; at: string; detail: string | null }>>;
  /** Teams conversations marked broken by the Teams door. */
  brokenConversations(): Promise<Array<{ conversationId: string; reason: string; since: string }>>;
}

export interface SubscriptionStoreOptions {
  /** Called after a subscription is created, changed or removed (the scheduler re-reads its jobs). */
  onChange?: () => void;
}

/** Creates or changes a channel's subscription in one transaction, with its audit event; "unchanged" writes nothing. */
async function saveSubscription(
  db: Kysely<Database>,
  target: Parameters<SubscriptionPort["save"]>[0],
  settings: SubscriptionSettings,
  actor: Parameters<SubscriptionPort["save"]>[2],
  now: Date,
): ReturnType<SubscriptionPort["save"]> {
  const at = now.toISOString();
  const values = {
    schedule_at: settings.at,
    timezone: settings.timezone,
    scope: settings.scope ? formatScope(settings.scope) : null,
    noise_rule: serialiseNoiseRule(settings.noise),
    update_in_place: settings.updateInPlace ? 1 : 0,
    changed_by: actor.id.slice(0, 200),
    changed_at: at,
  };
  return db.transaction().execute(async (trx) => {
    const existing = await trx
      .selectFrom("channel_subscription")
      .selectAll()
      .where("platform", "=", target.platform)
      .where("channel_id", "=", target.channelId)
      .where("kind", "=", target.kind)
      .executeTakeFirst();
    if (!existing) {
      await trx
        .insertInto("channel_subscription")
        .values({ platform: target.platform, channel_id: target.channelId, kind: target.kind, ...values, active_from: at, created_by: values.changed_by, created_at: at })
        .execute();
    } else {
      const previous = fromRow(existing);
      if (sameSettings(previous, settings)) return { action: "unchanged" as const, current: previous, previous };
      // A new time or zone starts counting from now: a slot that already passed today is not "missed".
      const scheduleMoved = previous.at !== settings.at || previous.timezone !== settings.timezone;
      await trx
        .updateTable("channel_subscription")
        .set({ ...values, ...(scheduleMoved ? { active_from: at } : {}) })
        .where("id", "=", existing.id)
        .execute();
    }
    const row = await trx
      .selectFrom("channel_subscription")
      .selectAll()
      .where("platform", "=", target.platform)
      .where("channel_id", "=", target.channelId)
      .where("kind", "=", target.kind)
      .executeTakeFirstOrThrow();
    const current = fromRow(row);
    const previous = existing ? fromRow(existing) : undefined;
    const action = previous ? ("change" as const) : ("subscribe" as const);
    await trx
      .insertInto("subscription_event")
      .values({
        platform: target.platform,
        channel_id: target.channelId,
        kind: target.kind,
        action,
        actor_id: actor.id.slice(0, 200),
        actor_name: actor.name?.slice(0, 200) ?? null,
        at,
        detail: JSON.stringify({ before: previous ? settingsRecord(previous) : null, after: settingsRecord(current) }),
      })
      .execute();
    return previous ? { action, current, previous } : { action, current };
  });
}

function subscriptionMethods(db: Kysely<Database>, opts: SubscriptionStoreOptions): SubscriptionPort {
  const where = (platform: string, channelId: string, kind: string) =>
    db.selectFrom("channel_subscription").selectAll().where("platform", "=", platform).where("channel_id", "=", channelId).where("kind", "=", kind);

  async function audit(e: Omit<SubscriptionEvent, "summary">, detail: object): Promise<void> {
    await db
      .insertInto("subscription_event")
      .values({
        platform: e.platform,
        channel_id: e.channelId,
        kind: e.kind,
        action: e.action,
        actor_id: e.actor.id.slice(0, 200),
        actor_name: e.actor.name?.slice(0, 200) ?? null,
        at: e.at,
        detail: JSON.stringify(detail),
      })
      .execute();
  }

  return {
    async list(filter = {}) {
      let q = db.selectFrom("channel_subscription").selectAll();
      if (filter.platform) q = q.where("platform", "=", filter.platform);
      if (filter.channelId) q = q.where("channel_id", "=", filter.channelId);
      if (filter.kind) q = q.where("kind", "=", filter.kind);
      const rows = await q.orderBy("platform").orderBy("channel_id").orderBy("kind").execute();
      return rows.map(fromRow);
    },

    async get(platform, channelId, kind) {
      const row = await where(platform, channelId, kind).executeTakeFirst();
      return row ? fromRow(row) : undefined;
    },

    async save(target, settings, actor, now) {
      const result = await saveSubscription(db, target, settings, actor, now);
      if (result.action !== "unchanged") opts.onChange?.();
      return result;
    },

    async remove(target, actor, now) {
      const existing = await where(target.platform, target.channelId, target.kind).executeTakeFirst();
      if (!existing) return undefined;
      const removed = await db.deleteFrom("channel_subscription").where("id", "=", existing.id).executeTakeFirst();
      // Two members removing at once: only the one whose delete hit a row records it.
      if (Number(removed.numDeletedRows) === 0) return undefined;
      const previous = fromRow(existing);
      await audit(
        { platform: target.platform, channelId: target.channelId, kind: target.kind, action: "unsubscribe", actor, at: now.toISOString() },
        { before: settingsRecord(previous), after: null },
      );
      opts.onChange?.();
      return previous;
    },

    async history(platform, channelId, limit = 20) {
      const rows = await db
        .selectFrom("subscription_event")
        .selectAll()
        .where("platform", "=", platform)
        .where("channel_id", "=", channelId)
        .orderBy("at", "desc")
        .orderBy("id", "desc")
        .limit(limit)
        .execute();
      return rows.map((r) => {
        let summary: string = r.action;
        try {
          const d = JSON.parse(r.detail) as { before: SettingsRecord | null; after: SettingsRecord | null };
          summary = describeRecords(d.before, d.after, r.kind);
        } catch {
          // An unreadable detail still shows who did what, when.
        }
        const actor = r.actor_name ? { id: r.actor_id, name: r.actor_name } : { id: r.actor_id };
        return { platform: r.platform, channelId: r.channel_id, kind: r.kind as SubscriptionKind, action: r.action as SubscriptionEvent["action"], actor, at: r.at, summary };
      });
    },
  };
}

/** Digest deliveries per channel and local day (table digest_post). */
function digestPostMethods(db: Kysely<Database>): Pick<SubscriptionStore, "recordPost" | "getPost" | "lastMessage" | "posts"> {
  return {
    async recordPost(rec) {
      const values = {
        platform: rec.platform,
        channel_id: rec.channelId,
        local_date: rec.localDate,
        status: rec.status,
        message_id: rec.messageId,
        thread_id: rec.threadId,
        attempts: rec.attempts,
        reason: rec.reason?.slice(0, 2000) ?? null,
        at: rec.at,
      };
      await db
        .insertInto("digest_post")
        .values(values)
        .onConflict((oc) =>
          oc
            .columns(["platform", "channel_id", "local_date"])
            .doUpdateSet({ status: values.status, message_id: values.message_id, thread_id: values.thread_id, attempts: values.attempts, reason: values.reason, at: values.at }),
        )
        .execute();
    },

    async getPost(platform, channelId, localDate) {
      const row = await db
        .selectFrom("digest_post")
        .selectAll()
        .where("platform", "=", platform)
        .where("channel_id", "=", channelId)
        .where("local_date", "=", localDate)
        .executeTakeFirst();
      return row ? postFromRow(row) : undefined;
    },

    async lastMessage(platform, channelId, beforeDate) {
      let q = db
        .selectFrom("digest_post")
        .selectAll()
        .where("platform", "=", platform)
        .where("channel_id", "=", channelId)
        .where("message_id", "is not", null)
        .where("status", "in", ["posted", "updated"]);
      if (beforeDate) q = q.where("local_date", "<", beforeDate);
      const row = await q.orderBy("local_date", "desc").limit(1).executeTakeFirst();
      return row ? postFromRow(row) : undefined;
    },

    async posts(filter = {}) {
      let q = db.selectFrom("digest_post").selectAll();
      if (filter.platform) q = q.where("platform", "=", filter.platform);
      if (filter.channelId) q = q.where("channel_id", "=", filter.channelId);
      const rows = await q
        .orderBy("local_date", "desc")
        .orderBy("id", "desc")
        .limit(filter.limit ?? 1000)
        .execute();
      return rows.map(postFromRow);
    },
  };
}

/** What `status` reads beside the subscriptions: job runs and broken conversations. */
function statusReads(db: Kysely<Database>): Pick<SubscriptionStore, "lastRuns" | "brokenConversations"> {
  return {
    async lastRuns(prefix) {
      // The newest claim of each job, found per job through the (job, period_key) index rather
      // than by reading every run ever made (the per-minute jobs add 1,440 rows a day).
      let q = db
        .selectFrom("job_run as j")
        .select(["j.job", "j.period_key", "j.status", "j.claimed_at", "j.finished_at", "j.detail"])
        .where("j.claimed_at", "=", (eb) =>
          eb
            .selectFrom("job_run as k")
            .select((e) => e.fn.max("k.claimed_at").as("m"))
            .whereRef("k.job", "=", "j.job"),
        );
      if (prefix) q = q.where("j.job", "like", `${prefix.replace(/[%_\\]/g, "")}%`);
      const rows = await q.orderBy("j.job").orderBy("j.period_key", "desc").execute();
      const out = new Map<string, { periodKey: string; status: string; at: string; detail: string | null }>();
      for (const r of rows) {
        if (!out.has(r.job)) out.set(r.job, { periodKey: r.period_key, status: r.status, at: r.finished_at ?? r.claimed_at, detail: r.detail });
      }
      return out;
    },

    async brokenConversations() {
      const rows = await db
        .selectFrom("teams_conversation")
        .select(["conversation_id", "broken_reason", "broken_at", "updated_at"])
        .where("status", "=", "broken")
        .orderBy("broken_at", "desc")
        .execute();
      return rows.map((r) => ({ conversationId: r.conversation_id, reason: r.broken_reason ?? "the app can no longer post there", since: r.broken_at ?? r.updated_at }));
    },
  };
}

export function createSubscriptionStore(db: Kysely<Database>, opts: SubscriptionStoreOptions = {}): SubscriptionStore {
  return { ...subscriptionMethods(db, opts), ...digestPostMethods(db), ...statusReads(db) };
}
