/**
 * Fresh stores for tests: a SQLite file in a temp folder, or a PostgreSQL database of its own
 * created on the server GPUOPS_TEST_DATABASE_URL points at (npm test starts one and sets it).
 * Each call gets an empty location, so parallel suites never see each other's rows.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export interface FreshDatabase {
  /** DATABASE_URL for PostgreSQL, or undefined for SQLite. */
  databaseUrl: string | undefined;
  /** GPUOPS_DATA_DIR for SQLite. */
  dataDir: string;
  drop(): Promise<void>;
}

export function freshSqlite(): FreshDatabase {
  const dir = mkdtempSync(join(tmpdir(), "gpuops-test-"));
  return {
    databaseUrl: undefined,
    dataDir: dir,
    async drop() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function testPostgresUrl(): string {
  const url = process.env.GPUOPS_TEST_DATABASE_URL;
  if (!url) {
    throw new Error("GPUOPS_TEST_DATABASE_URL is not set: run `npm test` (it starts a local PostgreSQL and sets it), or export it yourself.");
  }
  return url;
}

async function admin<T>(adminUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export async function freshPostgres(prefix = "gpuops_t"): Promise<FreshDatabase> {
  const adminUrl = testPostgresUrl();
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString("hex")}`;
  await admin(adminUrl, (c) => c.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    databaseUrl: url.toString(),
    dataDir: ":memory:",
    async drop() {
      // Give closing pools a moment to hang up; forcing would make their idle clients throw.
      for (let i = 0; i < 20; i++) {
        const busy = await admin(adminUrl, (c) => c.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1", [name]));
        if ((busy.rows[0] as { n: number }).n === 0) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      await admin(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}
