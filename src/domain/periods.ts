/**
 * Period maths for spend questions: "today", "yesterday", "7d", "30d", "mtd", "last-month" as
 * calendar dates in the configured IANA time zone, the previous period of the same length for
 * the trend, and the window a daily chart covers. Dates are ISO "YYYY-MM-DD" strings; the clock
 * is a parameter. Pure functions, no I/O.
 *
 * Cost Management bills by UTC day (UsageDate); gpuops names days by the configured zone's
 * calendar, so "yesterday" in Auckland and in Los Angeles can be different billing days.
 *
 * @example
 * resolvePeriod("yesterday", new Date("2026-03-15T11:30:00Z"), "Pacific/Auckland").current
 * // { from: "2026-03-15", to: "2026-03-15", days: 1 }
 */

export const PERIOD_NAMES = ["today", "yesterday", "7d", "30d", "mtd", "last-month"] as const;
export type PeriodName = (typeof PERIOD_NAMES)[number];

/** Inclusive range of calendar dates. */
export interface DateRange {
  from: string;
  to: string;
  days: number;
}

export interface Period {
  name: PeriodName;
  /** "the last 7 days", "month to date (March 2026)". */
  label: string;
  current: DateRange;
  previous: DateRange;
  /** "the previous 7 days", "the same days of February". */
  previousLabel: string;
  /** The zone's date at the time asked. */
  today: string;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

function parts(date: string): [number, number, number] {
  const m = ISO_DATE.exec(date);
  if (!m) throw new RangeError(`not an ISO date: ${date}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

const utcMs = (date: string) => {
  const [y, m, d] = parts(date);
  return Date.UTC(y, m - 1, d);
};
const isoOf = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export const addDays = (date: string, n: number): string => isoOf(utcMs(date) + n * DAY_MS);

/** Whole days from a to b (b − a). */
export const daysBetween = (a: string, b: string): number => Math.round((utcMs(b) - utcMs(a)) / DAY_MS);

export function range(from: string, to: string): DateRange {
  return { from, to, days: daysBetween(from, to) + 1 };
}

/** Every date of a range, oldest first. */
export function datesIn(r: DateRange): string[] {
  return Array.from({ length: r.days }, (_, i) => addDays(r.from, i));
}

const dateFormatters = new Map<string, Intl.DateTimeFormat>();

/** The calendar date in `timeZone` at instant `now`. */
export function localDate(now: Date, timeZone: string): string {
  let f = dateFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" });
    dateFormatters.set(timeZone, f);
  }
  const p = Object.fromEntries(f.formatToParts(now).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day}`;
}

export const monthStart = (date: string): string => `${date.slice(0, 7)}-01`;

/** Last day of the month `date` falls in. */
export function monthEnd(date: string): string {
  const [y, m] = parts(date);
  return isoOf(Date.UTC(y, m, 0));
}

const MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"];
export const monthName = (date: string): string => `${MONTHS[parts(date)[1] - 1]} ${parts(date)[0]}`;

/** "14 Mar" for tables and charts; "14 Mar 2026" with the year. */
export function shortDate(date: string, withYear = false): string {
  const [y, m, d] = parts(date);
  return `${d} ${(MONTHS[m - 1] as string).slice(0, 3)}${withYear ? ` ${y}` : ""}`;
}

/** The current and previous period of a name, as dates in the zone. */
export function resolvePeriod(name: PeriodName, now: Date, timeZone: string): Period {
  const today = localDate(now, timeZone);
  const base = { name, today };
  switch (name) {
    case "today":
      return { ...base, label: "today so far", current: range(today, today), previous: range(addDays(today, -1), addDays(today, -1)), previousLabel: "yesterday" };
    case "yesterday": {
      const y = addDays(today, -1);
      return { ...base, label: `yesterday (${shortDate(y)})`, current: range(y, y), previous: range(addDays(y, -1), addDays(y, -1)), previousLabel: "the day before" };
    }
    case "7d":
    case "30d": {
      const n = name === "7d" ? 7 : 30;
      const from = addDays(today, -(n - 1));
      return {
        ...base,
        label: `the last ${n} days`,
        current: range(from, today),
        previous: range(addDays(from, -n), addDays(from, -1)),
        previousLabel: `the previous ${n} days`,
      };
    }
    case "mtd": {
      const from = monthStart(today);
      const current = range(from, today);
      const prevFrom = monthStart(addDays(from, -1));
      // Compare like with like: the same number of days at the start of last month.
      const prevTo = [addDays(prevFrom, current.days - 1), addDays(from, -1)].sort()[0] as string;
      return { ...base, label: `month to date (${monthName(today)})`, current, previous: range(prevFrom, prevTo), previousLabel: `the same days of ${monthName(prevFrom)}` };
    }
    case "last-month": {
      const lastEnd = addDays(monthStart(today), -1);
      const lastFrom = monthStart(lastEnd);
      const beforeEnd = addDays(lastFrom, -1);
      return {
        ...base,
        label: monthName(lastFrom),
        current: range(lastFrom, lastEnd),
        previous: range(monthStart(beforeEnd), beforeEnd),
        previousLabel: monthName(beforeEnd),
      };
    }
  }
}

/** Days a daily chart shows: the current period, stretched back to at least `minDays`. */
export function chartWindow(period: Period, minDays = 14): DateRange {
  const from = period.current.days >= minDays ? period.current.from : addDays(period.current.to, -(minDays - 1));
  return range(from, period.current.to);
}

/** True when `inner` lies inside `outer`. */
export const covers = (outer: DateRange, inner: DateRange): boolean => outer.from <= inner.from && inner.to <= outer.to;

/** Calendar months a range touches: Cost Management charges about one QPU per month of data. */
export function monthsSpanned(r: DateRange): number {
  const [y1, m1] = parts(r.from);
  const [y2, m2] = parts(r.to);
  return (y2 - y1) * 12 + (m2 - m1) + 1;
}

/** 20260315 (Cost Management's UsageDate, a Number) ↔ "2026-03-15". */
export function toUsageDate(date: string): number {
  const [y, m, d] = parts(date);
  return y * 10_000 + m * 100 + d;
}

export function fromUsageDate(value: unknown): string | undefined {
  const n = typeof value === "number" ? value : typeof value === "string" && /^\d{8}$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isInteger(n) || n < 19_000_101 || n > 29_991_231) return undefined;
  const s = String(n);
  const iso = `${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}`;
  return isoOf(utcMs(iso)) === iso ? iso : undefined;
}

/**
 * The last UTC billing day whose charges can be taken as complete: a day's usage keeps arriving
 * for about 24 hours after it ends, so at any instant the two most recent UTC days are partial.
 */
export function billedCompleteThrough(now: Date): string {
  return addDays(now.toISOString().slice(0, 10), -2);
}
