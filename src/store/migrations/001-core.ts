import type { Kysely } from "kysely";
import { idColumn } from "./id-column.ts";

/** Job claims (the unique key is the exactly-once guarantee) and a small shared cache. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable("job_run")
    .addColumn("id", "integer", idColumn(db))
    .addColumn("job", "varchar(200)", (c) => c.notNull())
    .addColumn("period_key", "varchar(100)", (c) => c.notNull())
    .addColumn("claimed_by", "varchar(200)", (c) => c.notNull())
    .addColumn("claimed_at", "varchar(40)", (c) => c.notNull())
    .addColumn("finished_at", "varchar(40)")
    .addColumn("status", "varchar(40)", (c) => c.notNull())
    .addColumn("detail", "text")
    .addUniqueConstraint("job_run_job_period_unique", ["job", "period_key"])
    .execute();
  await db.schema
    .createTable("cache_entry")
    .addColumn("key", "varchar(500)", (c) => c.primaryKey())
    .addColumn("value", "text", (c) => c.notNull())
    .addColumn("fetched_at", "varchar(40)", (c) => c.notNull())
    .addColumn("expires_at", "varchar(40)", (c) => c.notNull())
    .execute();
}
