/**
 * The store: Kysely over SQLite (better-sqlite3, WAL, a file in the data dir) by default, or
 * PostgreSQL when DATABASE_URL is set. Same queries on both; migrations run at open.
 */
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import BetterSqlite3 from "better-sqlite3";
import { type Dialect, Kysely, PostgresDialect, type SqliteDatabase, SqliteDialect, sql } from "kysely";
import { type MigrationProvider, Migrator } from "kysely/migration";
import { LRUCache } from "lru-cache";
import { GpuopsError } from "../errors.ts";
import type { ConversationRefsPort, SeenRequests } from "../services/ports.ts";
import { type AlertStatePort, createAlertStateStore } from "./alert-state.ts";
import { isUniqueViolation } from "./errors.ts";
import { MIGRATIONS } from "./migrations/index.ts";
import type { Database } from "./schema.ts";
import { createSlackRequestLedger } from "./slack-requests.ts";
import { createConversationRefStore } from "./teams-conversations.ts";

export interface StoreOptions {
  databaseUrl?: string | undefined;
  /** SQLite file folder; ":memory:" for a throwaway store. */
  dataDir?: string;
}

export interface Claim {
  job: string;
  periodKey: string;
  owner: string;
  /** Real time the claim is alive as of (the scheduler's first heartbeat), written with the claim. */
  heartbeatAt?: string;
}

export interface Store {
  db: Kysely<Database>;
  engine: "sqlite" | "postgres";
  /**
   * Claims one unit of scheduled work. Inserting the row is the claim: the unique key means
   * exactly one caller (process, replica) gets true for a given job + period.
   */
  claimJob(claim: Claim, now: Date): Promise<boolean>;
  finishJob(claim: Omit<Claim, "owner">, status: "done" | "failed" | "skipped", detail: string | null, now: Date): Promise<void>;
  /** Deletes finished claims older than `before` (the unique key only matters while a period can recur). */
  pruneJobRuns(before: Date): Promise<number>;
  /** Hands back an owner's unfinished claims, dated (claim and heartbeat) at the epoch so another replica takes them over at once; how many. */
  releaseClaims(owner: string): Promise<number>;
  /** Resolves when the database answers a query (readiness, `status`). */
  ping(): Promise<void>;
  /** When the newest cache entry under a key prefix was fetched (ISO), e.g. "cost:"; undefined when none is cached. */
  newestCacheFetch(prefix: string): Promise<string | undefined>;
  cacheGet(key: string, now: Date): Promise<string | undefined>;
  cachePut(key: string, value: string, ttlSeconds: number, now: Date): Promise<void>;
  /** Idle alert episodes, where they were posted, and the buttons pressed on them. */
  alerts: AlertStatePort;
  /** Chat conversation references for proactive posts (Teams). */
  conversations: ConversationRefsPort;
  /** Slack requests already run, shared by replicas (signature, event and command keys). */
  slackRequests: SeenRequests;
  close(): Promise<void>;
}

/**
 * Kysely's SQLite driver prepares every query anew; preparing costs more than running a small
 * statement (the Slack replay ledger writes twice per request). Statements are kept by their SQL
 * text and reused: Kysely runs one query at a time on its single SQLite connection, so a kept
 * statement is never busy, and SQLite re-prepares it by itself after a migration.
 */
function withStatementCache(sqlite: BetterSqlite3.Database): SqliteDatabase {
  const statements = new LRUCache<string, BetterSqlite3.Statement>({ max: 500 });
  return {
    close: () => sqlite.close(),
    prepare(text) {
      let stmt = statements.get(text);
      if (!stmt) {
        stmt = sqlite.prepare(text);
        statements.set(text, stmt);
      }
      return stmt;
    },
  };
}

class Provider implements MigrationProvider {
  async getMigrations() {
    return MIGRATIONS;
  }
}

/** host:port/database of a PostgreSQL URL, without user or password. */
function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname}${u.port ? `:${u.port}` : ""}${u.pathname}`;
  } catch {
    return "(DATABASE_URL is not a URL)";
  }
}

export async function openStore(opts: StoreOptions): Promise<Store> {
  let dialect: Dialect;
  let engine: Store["engine"];
  // Named in start-up errors: where the store is, never the credentials.
  let where: string;
  if (opts.databaseUrl) {
    engine = "postgres";
    where = `DATABASE_URL: PostgreSQL at ${describeDatabaseUrl(opts.databaseUrl)}`;
    // The PostgreSQL driver is loaded only when the store is PostgreSQL.
    const { default: pg } = await import("pg");
    dialect = new PostgresDialect({ pool: new pg.Pool({ connectionString: opts.databaseUrl, max: 10, connectionTimeoutMillis: 10_000 }) });
  } else {
    engine = "sqlite";
    const dir = opts.dataDir ?? "./data";
    let file = ":memory:";
    where = "SQLite in memory";
    try {
      if (dir !== ":memory:") {
        file = join(dir, "gpuops.db");
        where = `GPUOPS_DATA_DIR: SQLite file ${file}`;
        mkdirSync(dir, { recursive: true });
      }
      const sqlite = new BetterSqlite3(file);
      sqlite.pragma("journal_mode = WAL");
      sqlite.pragma("busy_timeout = 5000");
      sqlite.pragma("foreign_keys = ON");
      dialect = new SqliteDialect({ database: withStatementCache(sqlite) });
    } catch (err) {
      throw new GpuopsError("store_error", `${where}: could not open the store (${(err as Error).message ?? String(err)})`, { cause: err });
    }
  }
  const db = new Kysely<Database>({ dialect });
  const migrator = new Migrator({ db, provider: new Provider() });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    await db.destroy();
    const failed = results?.find((r: { status: string }) => r.status === "Error")?.migrationName;
    const reason = (error as Error).message || String((error as { code?: unknown }).code ?? error);
    throw new GpuopsError("store_error", failed ? `Store migration ${failed} failed: ${reason}` : `${where}: could not open the store (${reason})`, { cause: error });
  }

  return {
    db,
    engine,
    ...jobRunMethods(db),
    ...cacheMethods(db),
    alerts: createAlertStateStore(db),
    conversations: createConversationRefStore(db),
    slackRequests: createSlackRequestLedger(db),
    close: () => db.destroy(),
  };
}

/** Claims of scheduled work (table job_run): one row per job and period. */
function jobRunMethods(db: Kysely<Database>): Pick<Store, "claimJob" | "finishJob" | "pruneJobRuns" | "releaseClaims" | "ping"> {
  return {
    async claimJob(claim, now) {
      try {
        await db
          .insertInto("job_run")
          .values({
            job: claim.job,
            period_key: claim.periodKey,
            claimed_by: claim.owner,
            claimed_at: now.toISOString(),
            finished_at: null,
            status: "claimed",
            detail: null,
            heartbeat_at: claim.heartbeatAt ?? null,
          })
          .execute();
        return true;
      } catch (err) {
        if (isUniqueViolation(err)) return false;
        throw new GpuopsError("store_error", "Could not claim a job run", { cause: err });
      }
    },
    async finishJob(claim, status, detail, now) {
      await db.updateTable("job_run").set({ status, detail, finished_at: now.toISOString() }).where("job", "=", claim.job).where("period_key", "=", claim.periodKey).execute();
    },
    async pruneJobRuns(before) {
      const result = await db.deleteFrom("job_run").where("claimed_at", "<", before.toISOString()).where("status", "in", ["done", "skipped", "failed"]).executeTakeFirst();
      await db.deleteFrom("cache_entry").where("expires_at", "<", before.toISOString()).execute();
      return Number(result.numDeletedRows);
    },
    async releaseClaims(owner) {
      const result = await db
        .updateTable("job_run")
        .set({ claimed_at: new Date(0).toISOString(), heartbeat_at: new Date(0).toISOString() })
        .where("claimed_by", "=", owner)
        .where("status", "=", "claimed")
        .executeTakeFirst();
      return Number(result.numUpdatedRows ?? 0);
    },
    async ping() {
      await sql`select 1`.execute(db);
    },
  };
}

/** The cache of Azure answers (table cache_entry). */
function cacheMethods(db: Kysely<Database>): Pick<Store, "cacheGet" | "cachePut" | "newestCacheFetch"> {
  return {
    async newestCacheFetch(prefix) {
      const row = await db
        .selectFrom("cache_entry")
        .select((eb) => eb.fn.max("fetched_at").as("at"))
        .where("key", "like", `${prefix}%`)
        .executeTakeFirst();
      return (row?.at as string | null | undefined) ?? undefined;
    },
    async cacheGet(key, now) {
      const row = await db.selectFrom("cache_entry").select(["value", "expires_at"]).where("key", "=", key).executeTakeFirst();
      return row && row.expires_at > now.toISOString() ? row.value : undefined;
    },
    async cachePut(key, value, ttlSeconds, now) {
      const row = { key, value, fetched_at: now.toISOString(), expires_at: new Date(now.getTime() + ttlSeconds * 1000).toISOString() };
      await db
        .insertInto("cache_entry")
        .values(row)
        .onConflict((oc) => oc.column("key").doUpdateSet({ value: row.value, fetched_at: row.fetched_at, expires_at: row.expires_at }))
        .execute();
    },
  };
}
