import { type ColumnDefinitionBuilder, type Kysely, SqliteAdapter } from "kysely";

/**
 * An auto-numbered integer primary key on both engines: PostgreSQL's identity column, SQLite's
 * INTEGER PRIMARY KEY AUTOINCREMENT (SQLite has no GENERATED ... AS IDENTITY).
 *
 * @example
 * .addColumn("id", "integer", idColumn(db))
 */
export function idColumn(db: Kysely<unknown>): (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder {
  // getExecutor() is marked internal in Kysely's typings but is the documented way to reach the dialect adapter.
  const sqlite = db.getExecutor().adapter instanceof SqliteAdapter;
  return (c) => (sqlite ? c.primaryKey().autoIncrement() : c.primaryKey().generatedByDefaultAsIdentity());
}
