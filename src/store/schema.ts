/** Table types for Kysely. Each migration that adds a table adds its interface here. */
import type { Generated } from "kysely";

export interface JobRunTable {
  id: Generated<number>;
  /** e.g. "digest:slack:C123" */
  job: string;
  /** e.g. "2026-11-26": the unit of exactly-once work. */
  period_key: string;
  claimed_by: string;
  claimed_at: string;
  finished_at: string | null;
  status: string;
  detail: string | null;
}

export interface CacheTable {
  key: string;
  value: string;
  fetched_at: string;
  expires_at: string;
}

export interface Database {
  job_run: JobRunTable;
  cache_entry: CacheTable;
}
