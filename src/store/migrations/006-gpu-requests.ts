import { type Kysely, SqliteAdapter, sql } from "kysely";
import { idColumn } from "./id-column.ts";

/**
 * GPU requests (issue 8): the request (its state, a version for conditional updates, and the
 * domain value as JSON), the append-only audit log, the lease, and side-effect claims.
 *
 * Exactly-once rules live in constraints: an accepted transition writes event (request_id, seq)
 * with seq = the new version, so two writers of the same version cannot both land; a side effect
 * has one row per idempotency key. The audit log refuses UPDATE and DELETE (triggers), so not
 * even a bug can rewrite history.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("gpu_request")
    .addColumn("id", "integer", idColumn(db))
    .addColumn("version", "integer", (c) => c.notNull())
    .addColumn("state", "varchar(30)", (c) => c.notNull())
    .addColumn("requester_id", "varchar(200)", (c) => c.notNull())
    .addColumn("requester_name", "varchar(200)")
    .addColumn("platform", "varchar(20)", (c) => c.notNull())
    .addColumn("subscription_id", "varchar(40)", (c) => c.notNull())
    .addColumn("region", "varchar(40)", (c) => c.notNull())
    .addColumn("size", "varchar(80)", (c) => c.notNull())
    .addColumn("vm_count", "integer", (c) => c.notNull())
    .addColumn("gpus", "integer", (c) => c.notNull())
    .addColumn("hours", "integer", (c) => c.notNull())
    .addColumn("action", "varchar(30)", (c) => c.notNull())
    .addColumn("created_at", "varchar(40)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(40)", (c) => c.notNull())
    /** When the clock next has something to do (reminder, expiry); null when nothing. */
    .addColumn("next_due_at", "varchar(40)")
    .addColumn("data", "text", (c) => c.notNull())
    .addColumn("messages", "text", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("gpu_request_state").on("gpu_request").columns(["state", "next_due_at"]).execute();
  await db.schema.createIndex("gpu_request_requester").on("gpu_request").columns(["requester_id", "id"]).execute();

  await db.schema
    .createTable("gpu_request_event")
    .addColumn("id", "integer", idColumn(db))
    .addColumn("request_id", "integer", (c) => c.notNull().references("gpu_request.id"))
    /** The version this accepted transition produced; null for refusals (they change nothing). */
    .addColumn("seq", "integer")
    .addColumn("kind", "varchar(30)", (c) => c.notNull())
    .addColumn("actor_id", "varchar(200)", (c) => c.notNull())
    .addColumn("actor_name", "varchar(200)")
    .addColumn("at", "varchar(40)", (c) => c.notNull())
    .addColumn("from_state", "varchar(30)", (c) => c.notNull())
    .addColumn("to_state", "varchar(30)", (c) => c.notNull())
    .addColumn("detail", "text", (c) => c.notNull())
    .addUniqueConstraint("gpu_request_event_seq_unique", ["request_id", "seq"])
    .execute();
  await db.schema.createIndex("gpu_request_event_request").on("gpu_request_event").columns(["request_id", "id"]).execute();

  await db.schema
    .createTable("lease")
    .addColumn("request_id", "integer", (c) => c.primaryKey().references("gpu_request.id"))
    .addColumn("start_at", "varchar(40)", (c) => c.notNull())
    .addColumn("end_at", "varchar(40)", (c) => c.notNull())
    .addColumn("extensions", "integer", (c) => c.notNull())
    /** "active" while capacity is held, then "released" or "expired". */
    .addColumn("status", "varchar(20)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(40)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("lease_end").on("lease").columns(["status", "end_at"]).execute();

  await db.schema
    .createTable("gpu_request_effect")
    .addColumn("key", "varchar(200)", (c) => c.primaryKey())
    .addColumn("request_id", "integer", (c) => c.notNull().references("gpu_request.id"))
    .addColumn("kind", "varchar(20)", (c) => c.notNull())
    .addColumn("status", "varchar(20)", (c) => c.notNull())
    .addColumn("attempts", "integer", (c) => c.notNull())
    .addColumn("claimed_by", "varchar(200)")
    .addColumn("claimed_until", "varchar(40)")
    .addColumn("plan", "text")
    .addColumn("result", "text")
    .addColumn("created_at", "varchar(40)", (c) => c.notNull())
    .addColumn("updated_at", "varchar(40)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("gpu_request_effect_open").on("gpu_request_effect").columns(["status", "claimed_until"]).execute();

  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  if (sqlite) {
    await sql`CREATE TRIGGER gpu_request_event_no_update BEFORE UPDATE ON gpu_request_event BEGIN SELECT RAISE(ABORT, 'gpu_request_event is append-only'); END`.execute(db);
    await sql`CREATE TRIGGER gpu_request_event_no_delete BEFORE DELETE ON gpu_request_event BEGIN SELECT RAISE(ABORT, 'gpu_request_event is append-only'); END`.execute(db);
  } else {
    await sql`CREATE FUNCTION gpu_request_event_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'gpu_request_event is append-only'; END $$`.execute(db);
    await sql`CREATE TRIGGER gpu_request_event_no_change BEFORE UPDATE OR DELETE ON gpu_request_event FOR EACH ROW EXECUTE FUNCTION gpu_request_event_append_only()`.execute(db);
  }
}
