/**
 * `cost [today|yesterday|7d|30d|mtd|last-month] [by rg|size|subscription|tag:<key>] [amortized]`:
 * GPU compute spend from Cost Management with its total, per-group rows, the change against the
 * previous period of the same length, the currency as returned, the data-freshness line, and a
 * chart of the daily series (at least the last 14 days).
 */
import { formatChange, formatMoney, formatShare, sumMoney, toCents } from "../domain/money.ts";
import {
  addDays,
  billedCompleteThrough,
  chartWindow,
  covers,
  datesIn,
  daysBetween,
  PERIOD_NAMES,
  type Period,
  type PeriodName,
  resolvePeriod,
  shortDate,
} from "../domain/periods.ts";
import { TAG_KEY } from "../domain/tags.ts";
import { type Column, type ImagePart, type Part, type Reply, type Row, reply, table, text, userError } from "../reply/reply.ts";
import type { CostGrouping, CostPurchase, CostResult, CostRow, CostType, MissingScope } from "../services/ports.ts";
import { nearest, ownWord } from "./args.ts";
import { spendChartPart } from "./spend-chart.ts";
import type { CommandContext, Verb } from "./types.ts";

export interface CostArgs {
  period: PeriodName;
  grouping: CostGrouping;
  type: CostType;
}

const PERIOD_ALIASES: Record<string, PeriodName> = {
  today: "today",
  yesterday: "yesterday",
  "7d": "7d",
  week: "7d",
  "7days": "7d",
  "30d": "30d",
  "30days": "30d",
  mtd: "mtd",
  month: "mtd",
  "this-month": "mtd",
  "last-month": "last-month",
  lastmonth: "last-month",
};

const GROUP_ALIASES: Record<string, CostGrouping["kind"]> = {
  rg: "rg",
  "resource-group": "rg",
  resourcegroup: "rg",
  "resource-groups": "rg",
  size: "size",
  sizes: "size",
  sku: "size",
  subscription: "subscription",
  subscriptions: "subscription",
  sub: "subscription",
};

const TYPE_WORDS: Record<string, CostType> = { amortized: "AmortizedCost", amortised: "AmortizedCost", actual: "ActualCost" };

const EXAMPLE = "cost 7d by rg";
const VOCABULARY = [...Object.keys(PERIOD_ALIASES), ...Object.keys(GROUP_ALIASES), ...Object.keys(TYPE_WORDS), "by", "tag:team"];

export const groupingLabel = (g: CostGrouping): string =>
  g.kind === "rg" ? "resource group" : g.kind === "size" ? "size" : g.kind === "subscription" ? "subscription" : `tag ${g.key}`;

const groupingWord = (g: CostGrouping): string => (g.kind === "tag" ? `tag:${g.key}` : g.kind);

/** Parses the words after `cost`. Never throws; anything unexpected is a user error with an example. */
export function parseCostArgs(args: string[]): CostArgs | { error: Reply } {
  const out: Partial<CostArgs> = {};
  const tokens = args.filter((a) => a.trim() !== "");
  const fail = (problem: string) => ({ error: userError("bad_cost_args", problem, EXAMPLE) });
  for (let i = 0; i < tokens.length; i++) {
    const raw = tokens[i] as string;
    let word = raw.toLowerCase();
    if (word === "by") {
      const next = tokens[i + 1];
      if (next === undefined) return fail(`"by" needs what to split by: rg, size, subscription or tag:<key>.`);
      continue;
    }
    if ((word === "last" || word === "this") && tokens[i + 1]?.toLowerCase() === "month") {
      word = `${word}-month`;
      i++;
    }
    const period = ownWord(PERIOD_ALIASES, word);
    if (period) {
      if (out.period && out.period !== period) return fail(`Pick one period, not both ${out.period} and ${period}.`);
      out.period = period;
      continue;
    }
    const kind = ownWord(GROUP_ALIASES, word);
    const tag = /^tag[:=](.*)$/i.exec(raw);
    if (kind || tag || (word === "tag" && tokens[i + 1] !== undefined)) {
      let grouping: CostGrouping;
      if (kind) grouping = { kind } as CostGrouping;
      else {
        const key = tag ? (tag[1] as string) : (tokens[++i] as string);
        if (!TAG_KEY.test(key)) {
          return fail(`"${key.slice(0, 40)}" is not a tag key I can split by: use letters, digits, "-", "_", "." or ":" (starting with a letter), e.g. tag:team.`);
        }
        grouping = { kind: "tag", key };
      }
      if (out.grouping && groupingWord(out.grouping) !== groupingWord(grouping)) return fail("Split by one thing at a time (rg, size, subscription or tag:<key>).");
      out.grouping = grouping;
      continue;
    }
    const type = ownWord(TYPE_WORDS, word);
    if (type) {
      out.type = type;
      continue;
    }
    const guess = nearest(word, VOCABULARY, 2);
    return fail(
      `I don't understand "${raw.slice(0, 40)}" in a cost question.${guess ? ` Did you mean ${guess}?` : ""} Periods: ${PERIOD_NAMES.join(", ")}; split by rg, size, subscription or tag:<key>; add "amortized" to spread reservations.`,
    );
  }
  return { period: out.period ?? "7d", grouping: out.grouping ?? { kind: "size" }, type: out.type ?? "ActualCost" };
}

interface Totals {
  /** group → currency → amounts */
  byGroup: Map<string, Map<string, number[]>>;
}

function collect(rows: CostRow[], keep: (r: CostRow) => boolean): Totals {
  const byGroup = new Map<string, Map<string, number[]>>();
  for (const r of rows) {
    if (!keep(r)) continue;
    const perCurrency = byGroup.get(r.group) ?? new Map<string, number[]>();
    const list = perCurrency.get(r.currency) ?? [];
    list.push(r.amount);
    perCurrency.set(r.currency, list);
    byGroup.set(r.group, perCurrency);
  }
  return { byGroup };
}

const totalOf = (t: Totals, group: string, currency: string) => sumMoney(t.byGroup.get(group)?.get(currency) ?? []);

function grandTotals(t: Totals): Map<string, number> {
  const amounts = new Map<string, number[]>();
  for (const perCurrency of t.byGroup.values()) {
    for (const [currency, list] of perCurrency) amounts.set(currency, [...(amounts.get(currency) ?? []), ...list]);
  }
  return new Map([...amounts].map(([c, list]) => [c, sumMoney(list)]));
}

function missingNotes(missing: MissingScope[], names: Map<string, string>): string[] {
  return missing.map((m) => {
    const name = names.get(m.subscriptionId) ?? m.subscriptionId;
    return m.role
      ? `Missing subscription ${name} (${m.subscriptionId}): ${m.reason}; give the bot's identity the ${m.role} role there.`
      : `Missing subscription ${name} (${m.subscriptionId}): ${m.reason}`;
  });
}

function labelFor(group: string, g: CostGrouping, names: Map<string, string>): string {
  if (group === "") return g.kind === "rg" ? "(no resource group)" : g.kind === "tag" ? "(untagged)" : "(none)";
  if (g.kind === "subscription") return names.get(group) ?? group;
  return group;
}

/** "reservation purchase", "savings plan purchase", or "purchase" when Cost Management names no pricing model. */
export function purchaseKind(pricingModel: string): string {
  const m = pricingModel.toLowerCase().replace(/[\s_-]+/g, "");
  return m === "reservation" ? "reservation purchase" : m === "savingsplan" ? "savings plan purchase" : "purchase";
}

/** One line per purchase: same day, subscription, kind and currency summed (Cost Management may split one by meter). */
export interface NamedPurchase {
  date: string;
  amount: number;
  currency: string;
  kind: string;
  pricingModel: string;
  subscriptionId: string | null;
}

/** Purchases dated within [from, to], merged per day, subscription, kind and currency, oldest first; dust dropped. */
export function purchasesIn(purchases: readonly CostPurchase[] | undefined, from: string, to: string): NamedPurchase[] {
  const merged = new Map<string, { p: NamedPurchase; amounts: number[] }>();
  for (const p of purchases ?? []) {
    if (p.date < from || p.date > to) continue;
    const kind = purchaseKind(p.pricingModel);
    const key = [p.date, p.subscriptionId ?? "", kind, p.currency].join("|");
    const m = merged.get(key) ?? {
      p: { date: p.date, amount: 0, currency: p.currency, kind, pricingModel: p.pricingModel, subscriptionId: p.subscriptionId ?? null },
      amounts: [],
    };
    m.amounts.push(p.amount);
    merged.set(key, m);
  }
  return [...merged.values()]
    .map(({ p, amounts }) => ({ ...p, amount: sumMoney(amounts) }))
    .filter((p) => toCents(p.amount) !== 0)
    .sort((a, b) => a.date.localeCompare(b.date) || b.amount - a.amount);
}

/** "$24,618.72 reservation purchase on 1 Dec (ai-platform-prod)", joined with "and". */
export function describePurchases(list: readonly NamedPurchase[], names: Map<string, string>, withSubscription: boolean): string {
  const each = list.map((p) => {
    const sub = withSubscription && p.subscriptionId ? ` (${names.get(p.subscriptionId) ?? p.subscriptionId})` : "";
    return `${formatMoney(p.amount, p.currency)} ${p.kind} on ${shortDate(p.date)}${sub}`;
  });
  return each.length <= 1 ? (each[0] ?? "") : `${each.slice(0, -1).join(", ")} and ${each.at(-1)}`;
}

/** The numbers `--json` carries for purchases. */
export const purchaseData = (list: readonly NamedPurchase[], names: Map<string, string>) =>
  list.map((p) => ({
    date: p.date,
    amount: toCents(p.amount),
    currency: p.currency,
    kind: p.kind,
    pricingModel: p.pricingModel,
    subscriptionId: p.subscriptionId,
    subscriptionName: p.subscriptionId ? (names.get(p.subscriptionId) ?? null) : null,
  }));

/**
 * Whether a change against the previous period is a like-for-like trend. Not when the current
 * period is still running (today so far vs all of yesterday), nor when the previous period has no
 * spend at all or only from part-way through (data that starts later, e.g. a young tenant or a
 * new project): then the answer says so instead of printing "▲ 722 %" as if it were a fact.
 */
export type TrendBasis = { kind: "comparable" } | { kind: "unfinished" } | { kind: "no-previous" } | { kind: "partial-previous"; from: string; days: number };

export function trendBasis(period: Period, rows: CostRow[]): TrendBasis {
  if (period.name === "today") return { kind: "unfinished" };
  const { from, to } = period.previous;
  let first: string | undefined;
  for (const r of rows) {
    // Dust (a VM started and deleted at once: 0.000001) is not data about the period.
    if (r.date === undefined || r.date < from || r.date > to || toCents(r.amount) === 0) continue;
    if (first === undefined || r.date < first) first = r.date;
  }
  if (first === undefined) return { kind: "no-previous" };
  if (first > from) return { kind: "partial-previous", from: first, days: daysBetween(first, to) + 1 };
  return { kind: "comparable" };
}

/** The sentence that replaces the change when there is no like-for-like trend. */
function noTrendSentence(basis: Exclude<TrendBasis, { kind: "comparable" }>, period: Period, previous: string): string {
  if (basis.kind === "unfinished") return `Today is not over and billing lags about a day, so no change against yesterday (${previous}) is shown.`;
  if (basis.kind === "no-previous") return `No GPU spend is recorded for ${period.previousLabel}, so there is no trend to compare with.`;
  return `No change is shown: spend data for ${period.previousLabel} starts on ${shortDate(basis.from)} (${basis.days} of ${period.previous.days} days), so it is not a like-for-like comparison (${previous} in those days).`;
}

function chartPart(
  ctx: CommandContext,
  period: Period,
  daily: CostRow[],
  g: CostGrouping,
  currency: string,
  names: Map<string, string>,
  partialFrom: string,
): Promise<ImagePart | undefined> {
  const rows = daily.flatMap((r) => (r.date === undefined || r.currency !== currency ? [] : [{ date: r.date, label: labelFor(r.group, g, names), amount: r.amount }]));
  return spendChartPart(ctx, { groupingLabel: groupingLabel(g), currency, dates: datesIn(chartWindow(period)), rows, partialFrom });
}

export const costVerb: Verb = {
  name: "cost",
  summary: "GPU spend from Cost Management: total, per group, change vs the previous period, daily chart",
  usage: "cost [today|yesterday|7d|30d|mtd|last-month] [by rg|size|subscription|tag:<key>] [amortized]",
  examples: ["cost 7d by rg", "cost mtd by tag:team", "cost last-month by subscription amortized", "cost yesterday"],
  details:
    "Billed GPU compute (N-series meters of VMs, scale sets and AKS node pools). ActualCost by default (usage as billed; reservation and savings plan purchases in the period are named on their own line, outside the totals and changes); `amortized` spreads those purchases over the resources that use them. Billed data lags about a day, so the most recent day is partial. Days follow the configured time zone (GPUOPS_TIMEZONE).",
  async run(args, _req, ctx) {
    const parsed = parseCostArgs(args);
    if ("error" in parsed) return parsed.error;
    const { grouping, type } = parsed;
    const period = resolvePeriod(parsed.period, ctx.now(), ctx.settings.timezone);
    const subs = await ctx.services.scope.subscriptions();
    const names = new Map(subs.map((s) => [s.id.toLowerCase(), s.name]));
    const scope = { kind: "subscriptions" as const, subscriptionIds: subs.map((s) => s.id) };
    const window = chartWindow(period);

    const dailyQuery = ctx.services.cost.gpuSpend({
      scope,
      from: window.from,
      to: window.to,
      granularity: "Daily",
      grouping,
      type,
      purchases: { from: period.current.from, to: period.current.to },
    });
    const previousQuery = covers(window, period.previous)
      ? undefined
      : // Daily, not one total: the trend needs to know whether the previous period has data from its first day.
        ctx.services.cost.gpuSpend({ scope, from: period.previous.from, to: period.previous.to, granularity: "Daily", grouping, type });
    const [daily, previous] = await Promise.all([dailyQuery, previousQuery]);

    const cmp = compareSpend(period, daily, previous, ctx.now());
    const { missing, completeThrough, absent, currentDates, previousDates, billedDays, basis, trend, sameDays } = cmp;
    const { currentTotals, previousTotals, comparedNowTotals, comparedBeforeTotals } = cmp;
    const title = `GPU spend, ${period.label}, by ${groupingLabel(grouping)}`;
    const freshness = freshnessLine(period, completeThrough, trend && !sameDays);
    const what = `GPU compute only (N-series meters of VMs, scale sets and AKS node pools), ${type === "AmortizedCost" ? "AmortizedCost: reservations spread over the resources using them" : "ActualCost: usage as billed; reservation and savings plan purchases are named apart, not in totals or changes (add `amortized` to spread them)"}.`;
    const bought = purchasesIn(daily.purchases, period.current.from, period.current.to);
    const boughtPart = bought.length > 0 ? [text(`Plus ${describePurchases(bought, names, subs.length > 1)}: one-off, kept out of the total and the change.`)] : [];
    const context = [freshness, what];
    const oneReading = [...daily.rows, ...(previous?.rows ?? [])].filter((r) => r.classifiedBy === "one");
    if (oneReading.length > 0)
      context.push(
        `${oneReading.length} cost row${oneReading.length === 1 ? " was" : "s were"} counted as GPU compute on one reading only (the meter subcategory pattern or the size catalogue, not both): check new or renamed meters.`,
      );
    if (trend && sameDays)
      context.push(
        `Change compares like with like: the ${billedDays} fully billed days (${shortDate(currentDates[0] as string)}–${shortDate(currentDates[billedDays - 1] as string)}) against the same days of ${period.previousLabel} (${shortDate(previousDates[0] as string)}–${shortDate(previousDates[billedDays - 1] as string)})${absent.size ? ", over the subscriptions that answered for both" : ""}.`,
      );
    else if (trend && absent.size) context.push("Change compares the subscriptions that answered for both periods.");
    if (missing.length > 0) {
      context.push(`Partial answer: ${missing.length} of ${subs.length} subscriptions are missing.`, ...missingNotes(missing, names));
    }
    const outcome = missing.length === 0 ? "ok" : missing.length >= subs.length ? "azure_error" : "partial";
    if (outcome === "azure_error") {
      return reply(title, [text("Cost Management did not answer for any subscription in scope, so there is no spend to show.", "error")], {
        context,
        outcome,
        code: "azure_forbidden",
        data: { ...costDataHead(period, grouping, type, completeThrough, missing, names), totals: [], groups: [], purchases: [] },
      });
    }

    const currencies = [...new Set([...currentTotals.keys(), ...previousTotals.keys()])].sort(
      (a, b) => (currentTotals.get(b) ?? 0) - (currentTotals.get(a) ?? 0) || a.localeCompare(b),
    );
    if (currencies.length === 0) {
      return reply(title, [text(`No GPU spend in ${period.label}.`, "info"), ...boughtPart], {
        context,
        outcome,
        data: { ...costDataHead(period, grouping, type, completeThrough, missing, names), trend: basis.kind, totals: [], groups: [], purchases: purchaseData(bought, names) },
      });
    }
    const main = currencies[0] as string;
    const parts: Part[] = [];
    const summary = currencies.map((c) => {
      const now = currentTotals.get(c) ?? 0;
      const prev = previousTotals.get(c) ?? 0;
      if (!trend) return formatMoney(now, c);
      if (!sameDays) return `${formatMoney(now, c)} (${formatChange(now, prev)} vs ${period.previousLabel}: ${formatMoney(prev, c)})`;
      const a = comparedNowTotals.get(c) ?? 0;
      const b = comparedBeforeTotals.get(c) ?? 0;
      return `${formatMoney(now, c)} (${formatChange(a, b)} over its ${billedDays} billed days, ${formatMoney(a, c)}, vs the same days of ${period.previousLabel}: ${formatMoney(b, c)})`;
    });
    const previousTotal = currencies.map((c) => formatMoney(previousTotals.get(c) ?? 0, c)).join(" + ");
    parts.push(
      text(
        `Total GPU spend ${period.label}: ${summary.join(" + ")}${trend ? "" : `. ${noTrendSentence(basis as Exclude<TrendBasis, { kind: "comparable" }>, period, previousTotal)}`}`,
      ),
      ...boughtPart,
    );

    const { columns, rows, groupData } = groupTable(cmp, currencies, grouping, names);
    parts.push(table(columns, rows, { narrowHint: `cost ${parsed.period} by ${grouping.kind === "rg" ? "size" : "rg"}` }));
    const chart = await chartPart(ctx, period, daily.rows, grouping, main, names, addDays(completeThrough, 1));
    if (chart) parts.push(chart);
    if (currencies.length > 1) context.push(`Amounts are in the currencies Cost Management returned (${currencies.join(", ")}); the chart shows ${main}.`);
    const data = {
      ...costDataHead(period, grouping, type, completeThrough, missing, names),
      trend: basis.kind,
      ...(basis.kind === "partial-previous" ? { previousDataFrom: basis.from } : {}),
      totals: currencies.map((c) => ({
        currency: c,
        amount: toCents(currentTotals.get(c) ?? 0),
        previousAmount: basis.kind === "no-previous" ? null : toCents(previousTotals.get(c) ?? 0),
        change: trend ? changeFraction(comparedNowTotals.get(c) ?? 0, comparedBeforeTotals.get(c) ?? 0) : null,
        comparedAmount: trend ? toCents(comparedNowTotals.get(c) ?? 0) : null,
        comparedPreviousAmount: trend ? toCents(comparedBeforeTotals.get(c) ?? 0) : null,
      })),
      comparedDays: trend ? billedDays : null,
      comparedSubscriptionsExclude: [...absent],
      groups: groupData,
      purchases: purchaseData(bought, names),
    };
    return reply(title, parts, { context, outcome, data });
  },
};

/**
 * Both sides of the change, like with like: only the days of this period that are fully billed,
 * against the same days of the previous period, and only subscriptions that answered for both.
 */
function compareSpend(period: Period, daily: CostResult, previous: CostResult | undefined, now: Date) {
  const inRange = (from: string, to: string) => (r: CostRow) => r.date !== undefined && r.date >= from && r.date <= to;
  const current = collect(daily.rows, inRange(period.current.from, period.current.to));
  const previousRows = previous ? previous.rows : daily.rows;
  const before = collect(previousRows, inRange(period.previous.from, period.previous.to));
  const missing = [...daily.missing, ...(previous?.missing ?? []).filter((m) => !daily.missing.some((d) => d.subscriptionId === m.subscriptionId))];
  const completeThrough = billedCompleteThrough(now);
  const absent = new Set(missing.map((m) => m.subscriptionId.toLowerCase()));
  const currentDates = datesIn(period.current);
  const previousDates = datesIn(period.previous);
  const billedDays = Math.min(currentDates.filter((d) => d <= completeThrough).length, previousDates.length);
  const both = (r: CostRow) => r.subscriptionId === undefined || !absent.has(r.subscriptionId.toLowerCase());
  const onDays = (dates: string[]) => {
    const set = new Set(dates.slice(0, billedDays));
    return (r: CostRow) => r.date !== undefined && set.has(r.date) && both(r);
  };
  const comparedNow = collect(daily.rows, onDays(currentDates));
  const comparedBefore = collect(previousRows, onDays(previousDates));
  const basisFound = trendBasis(period, previousRows);
  const basis: TrendBasis = basisFound.kind === "comparable" && billedDays === 0 ? { kind: "unfinished" } : basisFound;
  const trend = basis.kind === "comparable";
  const sameDays = billedDays < period.current.days;
  return {
    current,
    before,
    missing,
    completeThrough,
    absent,
    currentDates,
    previousDates,
    billedDays,
    comparedNow,
    comparedBefore,
    basis,
    trend,
    sameDays,
    currentTotals: grandTotals(current),
    previousTotals: grandTotals(before),
    comparedNowTotals: grandTotals(comparedNow),
    comparedBeforeTotals: grandTotals(comparedBefore),
  };
}

/** The per-group table, and the same rows as numbers for `--json`. */
function groupTable(cmp: ReturnType<typeof compareSpend>, currencies: string[], grouping: CostGrouping, names: Map<string, string>) {
  const { current, before, currentTotals, comparedNow, comparedBefore, basis, trend } = cmp;
  const rows: Row[] = [];
  const groupData: Array<Record<string, unknown>> = [];
  const groups = new Set([...current.byGroup.keys(), ...before.byGroup.keys()]);
  const entries = [...groups].flatMap((group) =>
    currencies.map((c) => ({ group, currency: c, now: totalOf(current, group, c), prev: totalOf(before, group, c) })).filter((e) => toCents(e.now) !== 0 || toCents(e.prev) !== 0),
  );
  entries.sort((a, b) => b.now - a.now || b.prev - a.prev || a.group.localeCompare(b.group));
  for (const e of entries) {
    const whole = currentTotals.get(e.currency) ?? 0;
    groupData.push({
      key: e.group,
      label: labelFor(e.group, grouping, names),
      currency: e.currency,
      amount: toCents(e.now),
      share: whole > 0 ? e.now / whole : null,
      previousAmount: basis.kind === "no-previous" ? null : toCents(e.prev),
      change: trend ? changeFraction(totalOf(comparedNow, e.group, e.currency), totalOf(comparedBefore, e.group, e.currency)) : null,
    });
    rows.push({
      group: `${labelFor(e.group, grouping, names)}${currencies.length > 1 ? ` (${e.currency})` : ""}`,
      spend: formatMoney(e.now, e.currency),
      share: formatShare(e.now, currentTotals.get(e.currency) ?? 0),
      ...(basis.kind === "no-previous" ? {} : { previous: formatMoney(e.prev, e.currency) }),
      ...(trend ? { change: formatChange(totalOf(comparedNow, e.group, e.currency), totalOf(comparedBefore, e.group, e.currency)) } : {}),
    });
  }
  const groupHeader = grouping.kind === "rg" ? "Resource group" : grouping.kind === "size" ? "Size" : grouping.kind === "subscription" ? "Subscription" : `Tag ${grouping.key}`;
  // Without a like-for-like trend there is no Change column; the previous amounts stay, labelled for what they cover.
  const previousHeader = basis.kind === "partial-previous" ? `Previous (from ${shortDate(basis.from)})` : basis.kind === "unfinished" ? "Yesterday" : "Previous";
  const columns: Column[] = [
    { key: "group", label: groupHeader, priority: 1, kind: "name" },
    { key: "spend", label: "Spend", align: "right", priority: 1, kind: "money" },
    { key: "share", label: "Share", align: "right", priority: 2, kind: "number" },
    ...(basis.kind === "no-previous" ? [] : [{ key: "previous", label: previousHeader, align: "right" as const, priority: 3 as const, kind: "money" as const }]),
    ...(trend ? [{ key: "change", label: "Change", align: "right" as const, priority: 2 as const, kind: "number" as const }] : []),
  ];
  return { columns, rows, groupData };
}

/** How far billed data is complete, and whether this period's total (and its change) will still grow. */
function freshnessLine(period: Period, completeThrough: string, provisionalChange: boolean): string {
  // Days of the period after the last complete billing day: its total (and a change) will still grow.
  const unbilled = datesIn(period.current).filter((d) => d > completeThrough).length;
  // The change compares billed days only, so only the total is provisional.
  const grows = `so its total will still grow${provisionalChange ? " and the change is provisional" : ""}`;
  return `Billed data complete through ${shortDate(completeThrough, true)} (UTC billing days); ${
    unbilled === 0
      ? "the last ~24 h are partial."
      : period.current.days === 1
        ? `${period.name === "today" ? "today" : period.label} is still being billed, ${grows}.`
        : `the last ${unbilled === 1 ? "day" : `${unbilled} days`} of this period ${unbilled === 1 ? "is" : "are"} still being billed, ${grows}.`
  }`;
}

/** The change as a fraction (0.12 = 12 % up), null where there is no base to compare with. */
function changeFraction(current: number, previous: number): number | null {
  const p = toCents(previous);
  if (p === 0) return null;
  return (toCents(current) - p) / Math.abs(p);
}

/** The part of `cost --json` that says what was asked and how complete the answer is. */
function costDataHead(period: Period, grouping: CostGrouping, type: CostType, completeThrough: string, missing: MissingScope[], names: Map<string, string>) {
  return {
    kind: "cost",
    period: { name: period.name, label: period.label, from: period.current.from, to: period.current.to, days: period.current.days },
    previousPeriod: { label: period.previousLabel, from: period.previous.from, to: period.previous.to, days: period.previous.days },
    groupedBy: grouping.kind === "tag" ? `tag:${grouping.key}` : grouping.kind,
    costType: type,
    billedCompleteThrough: completeThrough,
    missingSubscriptions: missing.map((m) => ({ id: m.subscriptionId, name: names.get(m.subscriptionId) ?? null, reason: m.reason })),
  };
}
