import type { Kysely } from "kysely";

/**
 * Slack requests already run, shared by every replica: a verified request signature (an exact
 * replay) or a trigger / event id (the same user action again). Inserting the key is the claim,
 * so one request runs once however many replicas it is sent to. Rows live about ten minutes.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("slack_request_seen")
    .addColumn("seen_key", "varchar(300)", (c) => c.primaryKey())
    .addColumn("seen_at", "varchar(40)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("slack_request_seen_at").on("slack_request_seen").column("seen_at").execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable("slack_request_seen").execute();
}
