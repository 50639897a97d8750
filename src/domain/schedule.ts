/**
 * Times of day and time zones as channel subscriptions use them: "09:00" in an IANA zone, turned
 * into a daily cron pattern the scheduler's library evaluates (DST included). Pure functions; the
 * zone database is the runtime's Intl.
 *
 * @example
 * parseTimeOfDay("9:05")              // { ok: true, value: "09:05" }
 * canonicalTimeZone("europe/berlin")  // "Europe/Berlin"
 * dailyCron("09:05")                  // "5 9 * * *"
 */
import { Cron } from "croner";

export type Parsed<T> = { ok: true; value: T } | { ok: false; problem: string };

const TIME = /^([01]?\d|2[0-3])[:.h]([0-5]\d)$/i;
const AMPM = /^(0?[1-9]|1[0-2])(?::([0-5]\d))?\s*(am|pm)$/i;

/** "09:00", "9:00", "17.30", "9am", "5:30pm" → "HH:MM" (24-hour). */
export function parseTimeOfDay(text: string): Parsed<string> {
  const t = text.trim();
  const m = TIME.exec(t);
  if (m) return { ok: true, value: `${(m[1] as string).padStart(2, "0")}:${m[2]}` };
  const a = AMPM.exec(t);
  if (a) {
    const hour = (Number(a[1]) % 12) + ((a[3] as string).toLowerCase() === "pm" ? 12 : 0);
    return { ok: true, value: `${String(hour).padStart(2, "0")}:${a[2] ?? "00"}` };
  }
  return { ok: false, problem: `"${t.slice(0, 20)}" is not a time of day: use 24-hour HH:MM, such as 09:00 or 17:30` };
}

const ZONE_SHAPE = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+){0,2}$/;
const zoneCache = new Map<string, string | null>();

function isZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

/** The IANA zone's canonical spelling ("europe/berlin" → "Europe/Berlin"), or undefined if unknown. */
export function canonicalTimeZone(text: string): string | undefined {
  const t = text.trim();
  if (t.length > 64 || !ZONE_SHAPE.test(t)) return undefined;
  let zone = zoneCache.get(t.toLowerCase());
  if (zone === undefined) {
    try {
      const resolved = new Intl.DateTimeFormat("en", { timeZone: t }).resolvedOptions().timeZone;
      // Keep the name the user chose (ICU may answer a legacy alias, Asia/Kolkata → Asia/Calcutta); fix only its casing.
      const titled = t.toLowerCase().replace(/(^|[/_-])([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
      zone = resolved.toLowerCase() === t.toLowerCase() ? resolved : isZone(titled) ? titled : t;
    } catch {
      zone = null;
    }
    zoneCache.set(t.toLowerCase(), zone);
  }
  return zone ?? undefined;
}

/** A cron pattern (minute hour * * *) that fires once a day at `at` local time. */
export function dailyCron(at: string): string {
  const [h, m] = at.split(":").map(Number);
  return `${m} ${h} * * *`;
}

const timeFormatters = new Map<string, Intl.DateTimeFormat>();

/** "HH:MM" wall-clock time in `timeZone` at instant `when`. */
export function localTimeOfDay(when: Date, timeZone: string): string {
  let f = timeFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    timeFormatters.set(timeZone, f);
  }
  return f.format(when);
}

const dayFormatters = new Map<string, Intl.DateTimeFormat>();

/** "Tue 3 Mar, 09:00 Europe/Berlin": a scheduled instant as the channel reads it. */
export function describeInstant(when: Date, timeZone: string): string {
  let f = dayFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-GB", { timeZone, weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    dayFormatters.set(timeZone, f);
  }
  return `${f.format(when).replace(" at ", ", ")} ${timeZone}`;
}

/** The next instant a daily `at` in `timeZone` happens after `from` (DST handled by croner). */
export function nextDailyRun(at: string, timeZone: string, from: Date): Date | undefined {
  return new Cron(dailyCron(at), { timezone: timeZone, paused: true, mode: "5-part" }).nextRun(from) ?? undefined;
}
