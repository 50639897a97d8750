/** Every migration, in order. Names sort; never rename or edit a released one, add a new one. */
import type { Migration } from "kysely/migration";
import * as m001 from "./001-core.ts";

export const MIGRATIONS: Record<string, Migration> = {
  "001-core": m001,
};
