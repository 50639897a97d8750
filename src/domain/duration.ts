/**
 * Lease durations as people type them: "3d", "12h", "1w", "2 days", "1d 12h", "36 hours",
 * "1.5d". Leases are counted in whole hours; anything else is a value saying what was wrong,
 * never an exception.
 *
 * @example
 * parseDuration("2 days") // { ok: true, hours: 48 }
 * parseDuration("30m")    // { ok: false, problem: "The shortest lease is 1 hour ..." }
 */

export type DurationResult = { ok: true; hours: number } | { ok: false; problem: string };

const UNIT_HOURS: Record<string, number> = {
  h: 1,
  hr: 1,
  hrs: 1,
  hour: 1,
  hours: 1,
  d: 24,
  day: 24,
  days: 24,
  w: 168,
  wk: 168,
  wks: 168,
  week: 168,
  weeks: 168,
};

const MINUTE_UNITS = new Set(["m", "min", "mins", "minute", "minutes"]);
const MONTH_UNITS = new Set(["mo", "month", "months"]);

/** Longest text we look at: a duration is a few words at most. */
const MAX_LENGTH = 40;

/** Upper bound for any parsed value (a year); policy caps are far lower and are checked elsewhere. */
export const MAX_PARSE_HOURS = 24 * 366;

/**
 * Parses a duration into whole hours. Accepts one or more "<number><unit>" pieces separated by
 * optional spaces or "and" ("1 day and 12 hours"). Numbers may have a decimal point.
 */
export function parseDuration(input: string): DurationResult {
  const text = input.trim().toLowerCase();
  if (text === "") return { ok: false, problem: "The duration is missing." };
  if (text.length > MAX_LENGTH) return { ok: false, problem: "That duration is too long to be one." };
  const piece = /(\d+(?:\.\d+)?|\.\d+)\s*([a-z]+)/y;
  let pos = 0;
  let hours = 0;
  let pieces = 0;
  const skipSeparators = () => {
    const sep = /(?:\s*,\s*|\s+and\s+|\s*\+\s*|\s+)/y;
    sep.lastIndex = pos;
    const m = sep.exec(text);
    if (m) pos = sep.lastIndex;
  };
  while (pos < text.length) {
    if (pieces > 0) skipSeparators();
    piece.lastIndex = pos;
    const m = piece.exec(text);
    if (!m) {
      if (/^\d+(\.\d+)?$/.test(text)) return { ok: false, problem: `"${text}" has no unit: say hours, days or weeks.` };
      return { ok: false, problem: `I can't read "${input.trim()}" as a duration.` };
    }
    const value = Number(m[1]);
    const unit = m[2] as string;
    if (MINUTE_UNITS.has(unit)) return { ok: false, problem: "The shortest lease is 1 hour; minutes are not used." };
    if (MONTH_UNITS.has(unit)) return { ok: false, problem: "Months vary in length: say days or weeks instead." };
    const factor = Object.hasOwn(UNIT_HOURS, unit) ? UNIT_HOURS[unit] : undefined;
    if (factor === undefined) return { ok: false, problem: `"${unit}" is not a unit I know: use h, d or w (hours, days, weeks).` };
    hours += value * factor;
    pieces++;
    pos = piece.lastIndex;
  }
  // Decimal inputs ("1.5d") must land on whole hours; tolerate float noise.
  const rounded = Math.round(hours);
  if (Math.abs(hours - rounded) > 1e-9) return { ok: false, problem: "Leases are counted in whole hours: try e.g. 36h instead of 1.51d." };
  if (rounded < 1) return { ok: false, problem: "The shortest lease is 1 hour." };
  if (rounded > MAX_PARSE_HOURS) return { ok: false, problem: "That is longer than a year." };
  return { ok: true, hours: rounded };
}

/** "3 days", "1 day 12 hours", "12 hours", "2 weeks": the words a person would say. */
export function formatHours(hours: number): string {
  const h = Math.max(0, Math.round(hours));
  if (h === 0) return "0 hours";
  const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? "" : "s"}`;
  if (h % 168 === 0) return plural(h / 168, "week");
  const days = Math.floor(h / 24);
  const rest = h % 24;
  if (days === 0) return plural(rest, "hour");
  return rest === 0 ? plural(days, "day") : `${plural(days, "day")} ${plural(rest, "hour")}`;
}

/** "3d", "36h", "2w": the compact form used in commands, and re-parsed to the same hours. */
export function compactHours(hours: number): string {
  const h = Math.round(hours);
  if (h > 0 && h % 168 === 0) return `${h / 168}w`;
  if (h > 0 && h % 24 === 0) return `${h / 24}d`;
  return `${h}h`;
}
