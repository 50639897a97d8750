import { type Kysely, SqliteAdapter, sql } from "kysely";

/**
 * Pool VM reservations, job claim heartbeats, and a sealed audit log.
 *
 * `pool_vm_claim`: one row per pre-provisioned pool VM a `start-vms` request holds, keyed by the
 * VM itself, so two requests approved together on two replicas can never plan the same VM (the
 * second insert of a key is a conflict, on both engines). The request's undo deallocates only the
 * VMs it reserved and then deletes its rows.
 *
 * The audit log (`gpu_request_event`) already refused UPDATE and DELETE. Two holes remained:
 * SQLite's `INSERT OR REPLACE` deletes the clashing row without firing delete triggers (so it
 * could rewrite who approved), and PostgreSQL's `TRUNCATE` fires no row triggers. A BEFORE
 * INSERT trigger now refuses any insert that would replace a row, and a BEFORE TRUNCATE trigger
 * refuses emptying the table.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("pool_vm_claim")
    /** Lower-case "<subscription>/<resource group>/<vm name>". */
    .addColumn("vm_key", "varchar(400)", (c) => c.primaryKey())
    .addColumn("request_id", "integer", (c) => c.notNull().references("gpu_request.id"))
    .addColumn("effect_key", "varchar(200)", (c) => c.notNull())
    .addColumn("subscription_id", "varchar(40)", (c) => c.notNull())
    .addColumn("resource_group", "varchar(200)", (c) => c.notNull())
    .addColumn("vm_name", "varchar(200)", (c) => c.notNull())
    .addColumn("claimed_at", "varchar(40)", (c) => c.notNull())
    .execute();
  await db.schema.createIndex("pool_vm_claim_request").on("pool_vm_claim").columns(["request_id"]).execute();

  // A running job's liveness, on the real clock (scheduling may run on an injected one): a
  // replica takes a claim over only once its holder has stopped renewing this.
  await db.schema.alterTable("job_run").addColumn("heartbeat_at", "varchar(40)").execute();

  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  if (sqlite) {
    // Fires before REPLACE's implicit delete, so a clash on id or (request_id, seq) aborts instead of rewriting.
    await sql`CREATE TRIGGER gpu_request_event_no_replace BEFORE INSERT ON gpu_request_event
      WHEN EXISTS (SELECT 1 FROM gpu_request_event WHERE id = NEW.id)
        OR (NEW.seq IS NOT NULL AND EXISTS (SELECT 1 FROM gpu_request_event WHERE request_id = NEW.request_id AND seq = NEW.seq))
      BEGIN SELECT RAISE(ABORT, 'gpu_request_event is append-only: an existing entry cannot be replaced'); END`.execute(db);
  } else {
    await sql`CREATE TRIGGER gpu_request_event_no_truncate BEFORE TRUNCATE ON gpu_request_event FOR EACH STATEMENT EXECUTE FUNCTION gpu_request_event_append_only()`.execute(db);
  }
}
