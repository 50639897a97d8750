import { type Kysely, sql } from "kysely";
import { idColumn } from "./id-column.ts";

/**
 * Idle alerts: one row per idle episode of a VM or AKS node (dedupe: at most one open episode per
 * key, enforced by a partial unique index), with its snooze / keep / deallocate state; the message
 * posted for it in each channel (for updates in place); and an append-only action log (who, when,
 * what) that the message shows.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("alert_state")
    .addColumn("id", "integer", idColumn(db))
    .addColumn("alert_key", "varchar(600)", (c) => c.notNull())
    .addColumn("episode_start", "varchar(40)", (c) => c.notNull())
    .addColumn("status", "varchar(20)", (c) => c.notNull())
    .addColumn("resource_id", "varchar(600)", (c) => c.notNull())
    .addColumn("resource_kind", "varchar(20)", (c) => c.notNull())
    .addColumn("host", "varchar(300)", (c) => c.notNull())
    .addColumn("subscription_id", "varchar(60)", (c) => c.notNull())
    .addColumn("owner", "varchar(300)")
    .addColumn("snapshot", "text", (c) => c.notNull())
    .addColumn("first_seen_at", "varchar(40)", (c) => c.notNull())
    .addColumn("last_seen_at", "varchar(40)", (c) => c.notNull())
    .addColumn("resolved_at", "varchar(40)")
    .addColumn("resolution", "varchar(40)")
    .addColumn("snoozed_until", "varchar(40)")
    .addColumn("snooze_reminded", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("keep_until", "varchar(40)")
    .addColumn("deallocate_state", "varchar(20)")
    .addColumn("deallocate_by", "varchar(300)")
    .addColumn("deallocate_at", "varchar(40)")
    .addColumn("deallocate_detail", "text")
    .addUniqueConstraint("alert_state_episode_unique", ["alert_key", "episode_start"])
    .execute();
  // One open episode per VM or node: the second scan (or replica) to open one loses the insert.
  await sql`CREATE UNIQUE INDEX alert_state_one_open ON alert_state (alert_key) WHERE status = 'open'`.execute(db);
  await db.schema.createIndex("alert_state_status").on("alert_state").columns(["status", "alert_key"]).execute();

  await db.schema
    .createTable("alert_message")
    .addColumn("id", "integer", idColumn(db))
    .addColumn("alert_id", "integer", (c) => c.notNull().references("alert_state.id").onDelete("cascade"))
    .addColumn("platform", "varchar(20)", (c) => c.notNull())
    .addColumn("channel_id", "varchar(300)", (c) => c.notNull())
    .addColumn("message_id", "varchar(300)", (c) => c.notNull())
    .addColumn("thread_id", "varchar(300)")
    .addColumn("posted_at", "varchar(40)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(40)", (c) => c.notNull())
    .addUniqueConstraint("alert_message_unique", ["alert_id", "platform", "channel_id"])
    .execute();
  await db.schema.createIndex("alert_message_lookup").on("alert_message").columns(["platform", "channel_id", "message_id"]).execute();

  await db.schema
    .createTable("alert_action")
    .addColumn("id", "integer", idColumn(db))
    .addColumn("alert_id", "integer", (c) => c.notNull().references("alert_state.id").onDelete("cascade"))
    .addColumn("action", "varchar(40)", (c) => c.notNull())
    .addColumn("actor_id", "varchar(300)", (c) => c.notNull())
    .addColumn("actor_name", "varchar(300)")
    .addColumn("platform", "varchar(20)", (c) => c.notNull())
    .addColumn("at", "varchar(40)", (c) => c.notNull())
    .addColumn("detail", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("alert_action_alert").on("alert_action").columns(["alert_id", "at"]).execute();
}
