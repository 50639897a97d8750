import type { Kysely } from "kysely";
import { idColumn } from "./id-column.ts";

/**
 * Channel subscriptions (digest and idle alerts), the audit of who changed them, and one row per
 * subscription and local day for the digest's delivery (message ref, status, failure reason).
 * Booleans are 0/1 integers so SQLite and PostgreSQL read the same.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("channel_subscription")
    .addColumn("id", "integer", idColumn(db))
    .addColumn("platform", "varchar(20)", (c) => c.notNull())
    .addColumn("channel_id", "varchar(300)", (c) => c.notNull())
    .addColumn("kind", "varchar(20)", (c) => c.notNull())
    .addColumn("schedule_at", "varchar(5)")
    .addColumn("timezone", "varchar(64)", (c) => c.notNull())
    .addColumn("scope", "varchar(300)")
    .addColumn("noise_rule", "varchar(60)", (c) => c.notNull())
    .addColumn("update_in_place", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("active_from", "varchar(40)", (c) => c.notNull())
    .addColumn("created_by", "varchar(200)", (c) => c.notNull())
    .addColumn("created_at", "varchar(40)", (c) => c.notNull())
    .addColumn("changed_by", "varchar(200)", (c) => c.notNull())
    .addColumn("changed_at", "varchar(40)", (c) => c.notNull())
    .addUniqueConstraint("channel_subscription_unique", ["platform", "channel_id", "kind"])
    .execute();
  await db.schema
    .createTable("subscription_event")
    .addColumn("id", "integer", idColumn(db))
    .addColumn("platform", "varchar(20)", (c) => c.notNull())
    .addColumn("channel_id", "varchar(300)", (c) => c.notNull())
    .addColumn("kind", "varchar(20)", (c) => c.notNull())
    .addColumn("action", "varchar(20)", (c) => c.notNull())
    .addColumn("actor_id", "varchar(200)", (c) => c.notNull())
    .addColumn("actor_name", "varchar(200)")
    .addColumn("at", "varchar(40)", (c) => c.notNull())
    .addColumn("detail", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("subscription_event_channel").on("subscription_event").columns(["platform", "channel_id", "at"]).execute();
  await db.schema
    .createTable("digest_post")
    .addColumn("id", "integer", idColumn(db))
    .addColumn("platform", "varchar(20)", (c) => c.notNull())
    .addColumn("channel_id", "varchar(300)", (c) => c.notNull())
    .addColumn("local_date", "varchar(10)", (c) => c.notNull())
    .addColumn("status", "varchar(20)", (c) => c.notNull())
    .addColumn("message_id", "varchar(300)")
    .addColumn("thread_id", "varchar(300)")
    .addColumn("attempts", "integer", (c) => c.notNull().defaultTo(0))
    .addColumn("reason", "text")
    .addColumn("at", "varchar(40)", (c) => c.notNull())
    .addUniqueConstraint("digest_post_unique", ["platform", "channel_id", "local_date"])
    .execute();
}
