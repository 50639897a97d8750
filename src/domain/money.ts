/**
 * Money as gpuops shows it: amounts in the currency Azure returned (never converted), sums kept
 * in whole micro-units so that a total is exactly the sum of its rows, and "no list price" kept
 * apart from zero. Pure functions, no I/O.
 *
 * @example
 * formatMoney(1234.5, "USD")          // "$1,234.50"
 * formatMoney(0.42, "EUR")           // "€0.42"
 * sumMoney([1e-6, 0.1, 0.2])         // 0.300001 (no float drift)
 */

/** Micro-units: Cost Management sends amounts such as 1E-06, so cents are not fine enough. */
const MICRO = 1_000_000;

export const toMicros = (amount: number): number => Math.round(amount * MICRO);
export const fromMicros = (micros: number): number => micros / MICRO;

/** Exact sum of amounts (each rounded to a micro-unit first). */
export function sumMoney(amounts: Iterable<number>): number {
  let micros = 0;
  for (const a of amounts) micros += toMicros(a);
  return fromMicros(micros);
}

/** Rounds to whole cents (half away from zero), the precision every total is shown with. */
export function toCents(amount: number): number {
  const micros = toMicros(amount);
  const sign = micros < 0 ? -1 : 1;
  return (sign * Math.round(Math.abs(micros) / 10_000)) / 100;
}

/** A cost number as the API sends it: a JSON number, or text such as "1E-06". NaN for anything else. */
export function parseAmount(value: unknown): number {
  if (typeof value === "number") return value;
  if (typeof value === "string" && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value.trim())) return Number(value);
  return Number.NaN;
}

const formatters = new Map<string, Intl.NumberFormat | null>();

function formatter(currency: string, digits?: number): Intl.NumberFormat | undefined {
  const key = `${currency}/${digits ?? "natural"}`;
  let f = formatters.get(key);
  if (f === undefined) {
    try {
      f = new Intl.NumberFormat("en-US", { style: "currency", currency, ...(digits === undefined ? {} : { minimumFractionDigits: digits, maximumFractionDigits: digits }) });
    } catch {
      f = null;
    }
    formatters.set(key, f);
  }
  return f ?? undefined;
}

/** A currency's own minor unit (2 for USD, 0 for JPY), asked of Intl once per currency: resolvedOptions() is slow. */
const minorUnits = new Map<string, number | null>();

function minorUnit(code: string): number | undefined {
  let d = minorUnits.get(code);
  if (d === undefined) {
    d = formatter(code)?.resolvedOptions().maximumFractionDigits ?? null;
    minorUnits.set(code, d);
  }
  return d ?? undefined;
}

const CURRENCY_CODE = /^[A-Za-z]{3}$/;

const roundTo = (amount: number, digits: number) => (digits === 2 ? toCents(amount) : Math.round(amount * 10 ** digits) / 10 ** digits);

/**
 * "$1,234.50", "€12.00", "¥1,200"; a code Intl does not know is printed after the number
 * ("12.00 XTS") rather than guessed. `digits` defaults to the currency's own minor unit.
 */
export function formatMoney(amount: number, currency: string, opts: { digits?: number } = {}): string {
  // Warm answers show the same prices again and again: Intl's format is the costly part, so its
  // strings are kept (a bounded memo, emptied when full).
  const key = `${amount}|${currency}|${opts.digits ?? ""}`;
  const known = formatted.get(key);
  if (known !== undefined) return known;
  const text = formatUncached(amount, currency, opts.digits);
  if (formatted.size >= 10_000) formatted.clear();
  formatted.set(key, text);
  return text;
}

const formatted = new Map<string, string>();

function formatUncached(amount: number, currency: string, wanted: number | undefined): string {
  const code = CURRENCY_CODE.test(currency) ? currency.toUpperCase() : "";
  const natural = code ? minorUnit(code) : undefined;
  const digits = natural === 0 ? 0 : (wanted ?? natural ?? 2);
  const value = roundTo(amount, digits);
  const f = code ? formatter(code, digits) : undefined;
  if (f) return f.format(value === 0 ? 0 : value);
  return `${value.toFixed(digits)} ${code || currency}`.trim();
}

/** A list price per hour, "$3.67/h"; small prices keep three decimals ("$0.526/h"). */
export function formatHourly(amount: number, currency: string): string {
  return `${formatMoney(amount, currency, { digits: amount < 1 && amount > 0 ? 3 : 2 })}/h`;
}

/**
 * An hourly total over many VMs, as `running` and the digest both say it: an estimate, so whole
 * units from 100 up ("$1,080/h"), cents below ("$42.18/h"). One rule, so the two never disagree.
 */
export function formatHourlyTotal(amount: number, currency: string): string {
  return `${formatMoney(amount, currency, Math.abs(toCents(amount)) >= 100 ? { digits: 0 } : {})}/h`;
}

/** A price that may be unknown: Azure has no list price for some sizes; that is never $0. */
export type MaybePrice = { known: true; perHour: number; currency: string } | { known: false; reason: string };

export const NO_LIST_PRICE = "no list price";

export function formatMaybeHourly(price: MaybePrice, count = 1): string {
  return price.known ? formatHourly(price.perHour * count, price.currency) : NO_LIST_PRICE;
}

/** "▲ 12 %", "▼ 3 %", "±0 %"; "new" when there was nothing before; "—" when both are zero. */
export function formatChange(current: number, previous: number): string {
  const c = toCents(current);
  const p = toCents(previous);
  if (p === 0) return c === 0 ? "—" : "new";
  const pct = ((c - p) / Math.abs(p)) * 100;
  const rounded = Math.round(pct);
  if (rounded === 0) return "±0 %";
  return `${rounded > 0 ? "▲" : "▼"} ${Math.abs(rounded)} %`;
}

/** Share of a whole as "42 %" ("<1 %" for tiny non-zero shares). */
export function formatShare(part: number, whole: number): string {
  if (whole <= 0) return "—";
  const pct = (part / whole) * 100;
  if (pct > 0 && pct < 1) return "<1 %";
  return `${Math.round(pct)} %`;
}
