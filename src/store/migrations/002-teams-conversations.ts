import type { Kysely } from "kysely";

/**
 * Teams conversation references: what proactive posting needs to reach a chat or channel again
 * (service URL, conversation id, tenant), captured on install and on every message, and whether
 * the app can still post there (403 / not in roster marks it broken; a new message revives it).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("teams_conversation")
    .addColumn("conversation_id", "varchar(500)", (c) => c.primaryKey())
    .addColumn("service_url", "varchar(500)", (c) => c.notNull())
    .addColumn("tenant_id", "varchar(100)")
    .addColumn("conversation_type", "varchar(40)")
    .addColumn("team_id", "varchar(500)")
    .addColumn("name", "varchar(500)")
    .addColumn("reference", "text", (c) => c.notNull())
    .addColumn("status", "varchar(20)", (c) => c.notNull())
    .addColumn("broken_reason", "text")
    .addColumn("broken_at", "varchar(40)")
    .addColumn("created_at", "varchar(40)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(40)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("teams_conversation_status").on("teams_conversation").column("status").execute();
}
