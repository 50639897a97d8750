/**
 * Schedules compiled once (croner for cron patterns in IANA zones, DST included; plain arithmetic
 * for intervals) and the slots they give: the newest scheduled instant at or before now, its
 * period key, and the next instant worth waking up for.
 */
import { Cron } from "croner";
import { localDate } from "../domain/periods.ts";
import type { JobDefinition } from "./scheduler-types.ts";

export interface Compiled {
  def: JobDefinition;
  kind: "cron" | "interval";
  cron?: Cron;
  timezone: string;
  local: boolean;
  everyMs: number;
  /** The latest slot and when the next one starts: no cron search on every wake-up. */
  cache?: { slot: Slot; until: number };
}

export interface Slot {
  at: Date;
  key: string;
}

const CRON_FIELDS = /^\S+( \S+){4}$/;

/** Compiles a schedule; throws a plain Error naming the job when the pattern or zone is wrong. */
export function compile(def: JobDefinition): Compiled {
  const s = def.schedule;
  if (typeof s === "number" || (typeof s === "object" && "everyMs" in s)) {
    const everyMs = typeof s === "number" ? s : s.everyMs;
    if (!Number.isFinite(everyMs) || everyMs < 1000) throw new Error(`job ${def.name}: an interval must be at least 1000 ms`);
    return { def, kind: "interval", timezone: "UTC", local: false, everyMs };
  }
  const pattern = typeof s === "string" ? s : s.cron;
  const timezone = typeof s === "string" ? "UTC" : (s.timezone ?? "UTC");
  if (!CRON_FIELDS.test(pattern.trim())) throw new Error(`job ${def.name}: "${pattern}" is not a 5-field cron pattern`);
  const cron = new Cron(pattern.trim(), { timezone, paused: true, mode: "5-part" });
  return { def, kind: "cron", cron, timezone, local: typeof s === "object" && s.periodKey === "local-date", everyMs: 0 };
}

/** The newest scheduled instant at or before `now`. */
export function latestSlot(c: Compiled, now: Date): Slot | undefined {
  const t = now.getTime();
  if (c.cache && c.cache.slot.at.getTime() <= t && t < c.cache.until) return c.cache.slot;
  const slot = searchSlot(c, now);
  if (slot) c.cache = { slot, until: nextWake(c, slot.at) ?? Number.POSITIVE_INFINITY };
  return slot;
}

function searchSlot(c: Compiled, now: Date): Slot | undefined {
  if (c.kind === "interval") {
    const at = new Date(Math.floor(now.getTime() / c.everyMs) * c.everyMs);
    return { at, key: at.toISOString() };
  }
  const at = c.cron?.previousRuns(1, new Date(now.getTime() + 1))[0];
  if (!at) return undefined;
  return { at, key: c.local ? localDate(at, c.timezone) : at.toISOString().slice(0, 16) };
}

export function nextWake(c: Compiled, now: Date): number | undefined {
  if (c.kind === "interval") return (Math.floor(now.getTime() / c.everyMs) + 1) * c.everyMs;
  return c.cron?.nextRun(now)?.getTime();
}
