/**
 * The daily digest's maths and rules, pure: what a subscription's scope and noise rule mean,
 * yesterday's spend against the 7-day average, the top groups, quota near its limit, and whether
 * a digest is worth posting. The job (src/jobs/digest.ts) feeds it numbers and delivers the result.
 *
 * @example
 * const s = summariseSpend(rows, "2026-03-02");   // rows: one per day × group
 * decideNoise({ kind: "percent", threshold: 10 }, s) // { post: false, reason: "spend changed 3 % …" }
 */
import { addDays, type DateRange, daysBetween, range } from "./periods.ts";
import type { Parsed } from "./schedule.ts";
import { TAG_KEY, TAG_VALUE } from "./tags.ts";

// ---------------------------------------------------------------- scope

/** What a digest covers: everything in gpuops' scope, or one subscription, resource group or tag. */
export type DigestScope = { kind: "subscription"; value: string } | { kind: "rg"; value: string } | { kind: "tag"; key: string; value: string };

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Subscription display names: letters, digits, space-free punctuation Azure allows. */
const SUB_NAME = /^[A-Za-z0-9][A-Za-z0-9._()-]{0,63}$/;
/** Azure resource group names: 1–90 of letters, digits, _ ( ) - . and not ending in a period. */
const RG_NAME = /^[A-Za-z0-9_().-]{0,89}[A-Za-z0-9_()-]$/;

export const SCOPE_EXAMPLES = ["sub:ai-platform-prod", "rg:rg-training", "tag:team=vision"];

/** "sub:<id or name>", "rg:<name>", "tag:<key>=<value>". User text is validated here, before any query sees it. */
export function parseScope(text: string): Parsed<DigestScope> {
  const t = text.trim();
  const m = /^(sub|subscription|rg|resource-?group|tag):(.*)$/i.exec(t);
  if (!m) return { ok: false, problem: `"${t.slice(0, 40)}" is not a scope: use sub:<subscription>, rg:<resource group> or tag:<key>=<value>` };
  const kind = (m[1] as string).toLowerCase();
  const rest = m[2] as string;
  if (kind === "sub" || kind === "subscription") {
    if (GUID.test(rest) || SUB_NAME.test(rest)) return { ok: true, value: { kind: "subscription", value: rest } };
    return { ok: false, problem: `"${rest.slice(0, 40)}" is not a subscription id or name` };
  }
  if (kind === "tag") {
    const eq = rest.indexOf("=");
    const key = eq < 0 ? rest : rest.slice(0, eq);
    const value = eq < 0 ? "" : rest.slice(eq + 1);
    if (!TAG_KEY.test(key)) return { ok: false, problem: `"${key.slice(0, 40)}" is not a tag key gpuops accepts (a letter, then letters, digits, _ . : -)` };
    if (!TAG_VALUE.test(value)) return { ok: false, problem: `tag:${key} needs a value, as tag:${key}=<value> (letters, digits, _ . : - @ +)` };
    return { ok: true, value: { kind: "tag", key, value } };
  }
  if (RG_NAME.test(rest)) return { ok: true, value: { kind: "rg", value: rest } };
  return { ok: false, problem: `"${rest.slice(0, 40)}" is not a resource group name (1–90 letters, digits, _ ( ) - .)` };
}

export function formatScope(scope: DigestScope | null): string {
  if (!scope) return "all";
  if (scope.kind === "tag") return `tag:${scope.key}=${scope.value}`;
  return `${scope.kind === "subscription" ? "sub" : "rg"}:${scope.value}`;
}

/** Reads a stored scope; anything unreadable counts as "all" rather than failing a digest. */
export function readScope(stored: string | null): DigestScope | null {
  if (!stored || stored === "all") return null;
  const p = parseScope(stored);
  return p.ok ? p.value : null;
}

// ---------------------------------------------------------------- noise rule

/** When a digest is posted: every day, or only when spend moved more than a share or an amount. */
export type NoiseRule = { kind: "always" } | { kind: "percent"; threshold: number } | { kind: "amount"; threshold: number; currency: string };

const SYMBOLS: Record<string, string> = { $: "USD", "€": "EUR", "£": "GBP", "¥": "JPY" };

/**
 * "always", "change > 10%", "> 10 %", "change > $500", "> 500 USD", "change>500EUR".
 * Amounts are in the digest's currency (`currency`); another currency is refused, not converted.
 */
export function parseNoiseRule(text: string, currency: string): Parsed<NoiseRule> {
  const t = text.trim().replace(/\s+/g, " ");
  if (/^always$/i.test(t)) return { ok: true, value: { kind: "always" } };
  const m = /^(?:(?:spend )?change(?:s|d)? ?)?(?:>|over |above |more than )\s?(.+)$/i.exec(t);
  if (!m) return { ok: false, problem: `"${t.slice(0, 40)}" is not a noise rule: use always, change > 10% or change > ${sampleAmount(currency)}` };
  const v = (m[1] as string).trim();
  const pct = /^(\d{1,4}(?:\.\d{1,2})?) ?%$/.exec(v);
  if (pct) {
    const n = Number(pct[1]);
    if (n <= 0 || n > 1000) return { ok: false, problem: `a percentage threshold must be above 0 and at most 1000, not ${pct[1]}` };
    return { ok: true, value: { kind: "percent", threshold: n } };
  }
  const amt = /^(?:([$€£¥]) ?)?(\d{1,9}(?:,\d{3})*(?:\.\d{1,2})?) ?([A-Za-z]{3})?$/.exec(v);
  if (amt && !(amt[1] && amt[3])) {
    const code = amt[3] ? amt[3].toUpperCase() : amt[1] ? (SYMBOLS[amt[1]] as string) : currency;
    if (code !== currency) return { ok: false, problem: `digest amounts are in ${currency}; write the threshold in ${currency}, such as change > ${sampleAmount(currency)}` };
    const n = Number((amt[2] as string).replace(/,/g, ""));
    if (n <= 0) return { ok: false, problem: "an amount threshold must be above 0" };
    return { ok: true, value: { kind: "amount", threshold: n, currency } };
  }
  return { ok: false, problem: `"${v.slice(0, 40)}" is not a threshold: use a percentage (10%) or an amount (${sampleAmount(currency)})` };
}

function sampleAmount(currency: string): string {
  const symbol = Object.entries(SYMBOLS).find(([, c]) => c === currency)?.[0];
  return symbol ? `${symbol}500` : `500 ${currency}`;
}

export function serialiseNoiseRule(rule: NoiseRule): string {
  if (rule.kind === "always") return "always";
  if (rule.kind === "percent") return `percent:${rule.threshold}`;
  return `amount:${rule.threshold}:${rule.currency}`;
}

export function readNoiseRule(stored: string): NoiseRule {
  const [kind, n, currency] = stored.split(":");
  const threshold = Number(n);
  if (kind === "percent" && threshold > 0) return { kind: "percent", threshold };
  if (kind === "amount" && threshold > 0 && currency) return { kind: "amount", threshold, currency };
  return { kind: "always" };
}

export function describeNoiseRule(rule: NoiseRule, format: (amount: number, currency: string) => string): string {
  if (rule.kind === "always") return "every day";
  if (rule.kind === "percent") return `only when spend moves more than ${rule.threshold} % from the 7-day average`;
  return `only when spend moves more than ${format(rule.threshold, rule.currency)} from the 7-day average`;
}

// ---------------------------------------------------------------- spend maths

/** One day's spend for one group (resource group, size, …) as billed. */
export interface DailySpend {
  date: string;
  group: string;
  amount: number;
}

export interface GroupSpend {
  group: string;
  amount: number;
  /** Mean over the 7 days before, days without rows counting as 0. */
  average7: number;
}

/**
 * Whether the 7 days before the reported day make a like-for-like baseline (the rule `cost` uses
 * for a previous period): spend data from their first day ("full"), only from part-way through
 * (a young tenant, a new scope), or none at all. Only a full baseline gives a trend worth stating.
 */
export type Baseline = { kind: "full" } | { kind: "none" } | { kind: "partial"; from: string; days: number };

export interface SpendSummary {
  /** The day reported on (usually yesterday in the subscription's zone). */
  day: string;
  total: number;
  /** Mean daily spend over the 7 days before `day` (days without rows count as 0: see `baseline`). */
  average7: number;
  baseline: Baseline;
  /** total − average7. */
  delta: number;
  /** Percent change vs the average; null when the average is 0. */
  changePct: number | null;
  /** Largest first, at most `top`; `others` holds the rest. */
  groups: GroupSpend[];
  others: { count: number; amount: number };
  /** The 8 days used (the 7 before, then `day`), oldest first, for the chart and the text. */
  series: Array<{ date: string; amount: number }>;
}

/** The 8 days a summary needs: the 7 before `day`, and `day`. */
export const summaryWindow = (day: string): DateRange => range(addDays(day, -7), day);

const micros = (n: number) => Math.round(n * 1_000_000);
const unmicros = (n: number) => n / 1_000_000;

/**
 * Yesterday vs the 7-day average, overall and per group; sums in micro-units so a total is exactly
 * the sum of its rows. Rows outside the window are ignored.
 */
export function summariseSpend(rows: readonly DailySpend[], day: string, top = 5): SpendSummary {
  const window = summaryWindow(day);
  const perDay = new Map<string, number>();
  const perGroupDay = new Map<string, number>();
  const perGroupBefore = new Map<string, number>();
  for (const r of rows) {
    if (r.date < window.from || r.date > window.to || !Number.isFinite(r.amount)) continue;
    const m = micros(r.amount);
    perDay.set(r.date, (perDay.get(r.date) ?? 0) + m);
    if (r.date === day) perGroupDay.set(r.group, (perGroupDay.get(r.group) ?? 0) + m);
    else perGroupBefore.set(r.group, (perGroupBefore.get(r.group) ?? 0) + m);
  }
  const series = Array.from({ length: 8 }, (_, i) => addDays(window.from, i)).map((date) => ({ date, amount: unmicros(perDay.get(date) ?? 0) }));
  const totalM = perDay.get(day) ?? 0;
  const beforeM = series.slice(0, 7).reduce((s, d) => s + micros(d.amount), 0);
  const average7 = unmicros(Math.round(beforeM / 7));
  const total = unmicros(totalM);
  const delta = unmicros(totalM - Math.round(beforeM / 7));
  const changePct = average7 === 0 ? null : (delta / average7) * 100;
  // Dust (a VM started and deleted at once: 0.000001) is not data about a day.
  const first = series.slice(0, 7).find((d) => Math.round(d.amount * 100) !== 0)?.date;
  const baseline: Baseline =
    first === undefined ? { kind: "none" } : first > window.from ? { kind: "partial", from: first, days: daysBetween(first, addDays(day, -1)) + 1 } : { kind: "full" };
  const groups = [...new Set([...perGroupDay.keys(), ...perGroupBefore.keys()])]
    .map((group) => ({ group, amount: unmicros(perGroupDay.get(group) ?? 0), average7: unmicros(Math.round((perGroupBefore.get(group) ?? 0) / 7)) }))
    .filter((g) => g.amount !== 0)
    .sort((a, b) => b.amount - a.amount || a.group.localeCompare(b.group));
  const rest = groups.slice(top);
  return {
    day,
    total,
    average7,
    baseline,
    delta,
    changePct,
    groups: groups.slice(0, top),
    others: { count: rest.length, amount: unmicros(rest.reduce((s, g) => s + micros(g.amount), 0)) },
    series,
  };
}

export interface NoiseDecision {
  post: boolean;
  /** Why, in words the channel (or `status`) can show. */
  reason: string;
}

/** Whether a digest clears its subscription's noise rule. Both sides of the threshold are exclusive: "more than". */
export function decideNoise(
  rule: NoiseRule,
  s: Pick<SpendSummary, "total" | "average7" | "delta" | "changePct"> & { baseline?: Baseline },
  format: (amount: number, currency: string) => string = (a, c) => `${a.toFixed(2)} ${c}`,
): NoiseDecision {
  if (rule.kind === "always") return { post: true, reason: "posted every day" };
  // A change against a baseline that covers only some days is not a change: the rule cannot judge it.
  if (s.baseline?.kind === "partial") return { post: true, reason: `spend data before yesterday covers only ${s.baseline.days} of 7 days, so the rule cannot judge a change` };
  if (rule.kind === "percent") {
    if (s.changePct === null) {
      const post = s.total !== 0;
      return { post, reason: post ? "spend is new against a zero 7-day average" : "no spend yesterday and none the 7 days before" };
    }
    const moved = Math.abs(s.changePct);
    const post = moved > rule.threshold;
    return { post, reason: `spend changed ${moved.toFixed(1)} % vs the 7-day average (threshold ${rule.threshold} %)` };
  }
  const moved = Math.abs(s.delta);
  const post = moved > rule.threshold;
  return { post, reason: `spend changed ${format(moved, rule.currency)} vs the 7-day average (threshold ${format(rule.threshold, rule.currency)})` };
}

// ---------------------------------------------------------------- quota and running fleet

export interface QuotaRow {
  subscription: string;
  region: string;
  family: string;
  current: number;
  limit: number;
}

/** GPU family quota used above `threshold` (a fraction, default 0.8) of its limit, fullest first. */
export function quotaNearLimit<T extends QuotaRow>(rows: readonly T[], threshold = 0.8): Array<T & { used: number }> {
  return rows
    .filter((r) => r.limit > 0 && r.current / r.limit > threshold)
    .map((r) => ({ ...r, used: r.current / r.limit }))
    .sort((a, b) => b.used - a.used || a.family.localeCompare(b.family));
}

export interface RunningVm {
  size: string;
  /** List price per hour, or null when Azure has no list price for the size. */
  perHour: number | null;
}

export interface RunningEstimate {
  vms: number;
  perHour: number;
  /** VMs whose size has no list price: counted, not priced. */
  unpriced: number;
}

/** "N GPU VMs running ≈ $X/h": list price × running VMs; sizes without a price are counted apart. */
export function runningEstimate(vms: readonly RunningVm[]): RunningEstimate {
  let m = 0;
  let unpriced = 0;
  for (const vm of vms) {
    if (vm.perHour === null || !Number.isFinite(vm.perHour)) unpriced++;
    else m += micros(vm.perHour);
  }
  return { vms: vms.length, perHour: unmicros(m), unpriced };
}
