/**
 * The daily GPU digest as a Reply, and the `digest` verb that shows it on demand. One builder
 * serves the verb and the scheduled job (src/jobs/digest.ts), so what a channel gets at 09:00 is
 * exactly what `digest --dry-run` prints: yesterday's GPU spend against the 7-day average, the top
 * groups, what runs now at list price, GPU VMs idle for more than a day (when idle data exists),
 * GPU quota above 80 %, the freshness line and a chart.
 *
 * @example
 * const d = await buildDigest(ctx, { scope: null, timezone: "Europe/Berlin" }, now);
 * d.reply  // the Reply; d.summary feeds the noise rule
 */
import {
  type DailySpend,
  type DigestScope,
  decideNoise,
  formatScope,
  type NoiseDecision,
  quotaNearLimit,
  runningEstimate,
  type SpendSummary,
  summariseSpend,
  summaryWindow,
} from "../domain/digest.ts";
import { formatChange, formatHourlyTotal, formatMoney, formatShare, NO_LIST_PRICE } from "../domain/money.ts";
import { addDays, billedCompleteThrough, datesIn, localDate, range, shortDate } from "../domain/periods.ts";
import { tagValue } from "../domain/tags.ts";
import { asGpuopsError } from "../errors.ts";
import { facts, type ImagePart, type Part, type Reply, type Row, reply, table, text, userError } from "../reply/reply.ts";
import type { ChannelSubscription, CostGrouping, CostResult, FleetInventory, GpuResource, ListPrice, Usage } from "../services/ports.ts";
import { describePurchases, groupingLabel, purchasesIn } from "./cost.ts";
import { openAiDigestParts } from "./digest-openai.ts";
import { ownerText, plural, shortSize } from "./format.ts";
import { idleOver24h } from "./idle.ts";
import { type Gathered, gather } from "./partial.ts";
import { isGpuFamily, REGIONAL_CAP } from "./quota.ts";
import { spendChartPart } from "./spend-chart.ts";
import { describeSubscription } from "./subscribe.ts";
import type { CommandContext, Verb } from "./types.ts";

/** What one digest covers and how it reads time. */
export interface DigestTarget {
  scope: DigestScope | null;
  timezone: string;
}

/** A GPU VM idle for more than a day, as the idle detector reports it. */
export interface IdleDigestItem {
  name: string;
  size: string;
  region: string;
  idleHours: number;
  /** Idle since before the data gpuops has: hours and money are lower bounds ("> 26 h"). */
  atLeast?: boolean;
  /** GPU VMs the row stands for (a whole scale set counts its instances); 1 when absent. */
  vms?: number;
  /** Money burnt while idle so far (list price × idle hours); undefined when the size has no list price. */
  wasted?: { amount: number; currency: string };
  owner?: string;
  team?: string;
}

/** Inputs that replace the built-in ones (tests). */
export interface DigestSources {
  /** GPU VMs idle > 24 h among `resources` (running, in scope); undefined when there is no idle data. Default: the idle detector (`idleOver24h`). */
  idleOver24h?: (resources: GpuResource[], now: Date) => Promise<IdleDigestItem[] | undefined>;
}

export interface BuiltDigest {
  reply: Reply;
  /** The local date the digest is for (the day it is posted). */
  today: string;
  /** The day reported on (yesterday in the target's zone). */
  day: string;
  /** Undefined when spend could not be read: a noise rule cannot judge it, so the digest goes out. */
  summary?: SpendSummary;
  currency: string;
}

const QUOTA_THRESHOLD = 0.8;
const TOP = 5;
const CHART_DAYS = 14;
/** A digest is a summary: the longest lists are cut, with the command that shows them all. */
const MAX_ROWS = 8;

/** "rg", "size", "subscription", "tag:<key>" (validated by the config schema) → a cost grouping. */
export function groupingOf(groupBy: string | undefined): CostGrouping {
  if (groupBy === "size" || groupBy === "subscription") return { kind: groupBy };
  if (groupBy?.startsWith("tag:")) return { kind: "tag", key: groupBy.slice(4) };
  return { kind: "rg" };
}

const sameText = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

function inScope(r: GpuResource, scope: DigestScope | null): boolean {
  if (!scope || scope.kind === "subscription") return true;
  if (scope.kind === "rg") return sameText(r.resourceGroup, scope.value);
  const v = tagValue(r.tags, scope.key);
  return v !== undefined && sameText(v, scope.value);
}

function groupLabel(group: string, g: CostGrouping, names: Map<string, string>): string {
  if (group === "") return g.kind === "rg" ? "(no resource group)" : g.kind === "tag" ? "(untagged)" : "(none)";
  if (g.kind === "subscription") return names.get(group.toLowerCase()) ?? group;
  return g.kind === "size" ? shortSize(group) : group;
}

const messageOf = (err: unknown) => asGpuopsError(err).message.slice(0, 300);

type Subscription = { id: string; name: string };

/** What the sections of one digest share: where partial data is said, and how it marks the digest partial. */
interface Notes {
  context: string[];
  degrade(): void;
}

/** Who and what a digest covers, resolved against the subscriptions gpuops can see. */
interface DigestFrame {
  today: string;
  day: string;
  scope: DigestScope | null;
  subs: Subscription[];
  names: Map<string, string>;
  grouping: CostGrouping;
}

type Fact = { label: string; value: string };
type NearQuota = ReturnType<typeof quotaNearLimit<{ subscription: string; region: string; family: string; current: number; limit: number }>>;

/**
 * Builds the digest for `target` as of `now` (the scheduled instant). Partial data is said out
 * loud in the reply's context; nothing here throws for an Azure failure.
 */
export async function buildDigest(ctx: CommandContext, target: DigestTarget, now: Date, sources: DigestSources = {}): Promise<BuiltDigest> {
  const frame = await digestFrame(ctx, target, now);
  if ("reply" in frame) return frame;
  const { today, day, scope, subs, grouping } = frame;
  const context: string[] = [];
  let outcome: Reply["outcome"] = "ok";
  const notes: Notes = {
    context,
    degrade: () => {
      if (outcome === "ok") outcome = "partial";
    },
  };
  const subIds = subs.map((s) => s.id);

  // Spend, fleet and quota are independent: ask Azure for them at once.
  const chartRange = range(addDays(day, -(CHART_DAYS - 1)), day);
  const spendP = ctx.services.cost.gpuSpend({
    scope: { kind: "subscriptions", subscriptionIds: subIds },
    from: chartRange.from,
    to: chartRange.to,
    granularity: "Daily",
    grouping,
    type: "ActualCost",
    // One-off purchases stay out of yesterday and its 7-day average; those days' purchases are named apart.
    purchases: summaryWindow(day),
  });
  const fleetP = ctx.services.fleet.gpuInventory(subIds);
  const quotaKeys = subs.flatMap((sub) => ctx.settings.regions.map((region) => ({ sub, region })));
  const quotaP = gather(quotaKeys, (k) => ctx.services.usages.listUsages(k.sub.id, k.region));
  const [spendR, fleetR, quotaR] = await Promise.allSettled([spendP, fleetP, quotaP]);

  const spend = spendSection(ctx, frame, spendR, notes);
  const { summary, currency } = spend;
  // A trend only against a full 7 days of data (the rule `cost` uses for its previous period).
  const trend = summary?.baseline.kind === "full";
  const running = await runningSection(ctx, frame, fleetR, notes);
  const idle = await idleSection(ctx, fleetR, running.running, now, sources, notes);
  const quota = quotaSection(quotaR, quotaKeys.length, notes);
  const f: Fact[] = [...(summary ? spendFacts(summary, day, currency, trend) : []), running.fact, ...idle.facts, ...quota.facts];

  const parts: Part[] = [...spend.parts, facts(f)];
  if (summary && summary.groups.length > 0) parts.push(topGroupsTable(frame, summary, currency, trend));
  parts.push(...idleParts(idle.idle), ...quotaParts(quota.near, subs.length > 1));
  parts.push(...(await openAiDigestParts(ctx, subIds)));
  // --- chart of the last two weeks, stacked by the top groups
  if (summary && spend.rows.length > 0) {
    const chart = await chartPart(ctx, spend.rows, summary, grouping, currency, frame.names, datesIn(chartRange));
    if (chart) parts.push(chart);
  }

  context.unshift(
    `Billed data complete through ${shortDate(billedCompleteThrough(now), true)} (UTC billing days); the last ~24 h are partial, so yesterday may still grow${trend ? " and the change is provisional" : ""}.`,
  );
  if (scope) context.push(`Scope: ${formatScope(scope)}.`);
  const title = `GPU digest · ${shortDate(today)}${scope ? ` · ${formatScope(scope)}` : ""}`;
  const built: BuiltDigest = { reply: reply(title, parts, { context, outcome }), today, day, currency };
  if (summary) built.summary = summary;
  return built;
}

/** The days and subscriptions a digest covers, or the kind refusal of a scope that matches none. */
async function digestFrame(ctx: CommandContext, target: DigestTarget, now: Date): Promise<DigestFrame | BuiltDigest> {
  const today = localDate(now, target.timezone);
  const day = addDays(today, -1);
  const all = await ctx.services.scope.subscriptions();
  const names = new Map(all.map((s) => [s.id.toLowerCase(), s.name]));
  let subs = all;
  const scope = target.scope;
  if (scope?.kind === "subscription") {
    subs = all.filter((s) => sameText(s.id, scope.value) || sameText(s.name, scope.value));
    if (subs.length === 0) {
      const r = reply(
        `GPU digest · ${shortDate(today)}`,
        [text(`The scope ${formatScope(scope)} matches no subscription gpuops can see (${all.map((s) => s.name).join(", ")}).`, "error")],
        {
          context: ["Change it with `subscribe digest scope sub:<name or id>`, or `scope all`."],
          outcome: "user_error",
          code: "bad_scope",
        },
      );
      return { reply: r, today, day, currency: ctx.settings.currency };
    }
  }
  // A resource-group or tag scope is one group of that split; a subscription scope keeps the configured split.
  const grouping: CostGrouping = scope?.kind === "rg" ? { kind: "rg" } : scope?.kind === "tag" ? { kind: "tag", key: scope.key } : groupingOf(ctx.settings.digest?.groupBy);
  return { today, day, scope, subs, names, grouping };
}

/** Yesterday's spend against the 7-day average, from the daily rows Cost Management returned. */
function spendSection(ctx: CommandContext, frame: DigestFrame, spendR: PromiseSettledResult<CostResult>, notes: Notes) {
  const { scope, day, names } = frame;
  const parts: Part[] = [];
  let summary: SpendSummary | undefined;
  let currency = ctx.settings.currency;
  let rows: DailySpend[] = [];
  if (spendR.status === "fulfilled") {
    const result = spendR.value;
    const keep = (g: string) => (scope?.kind === "rg" || scope?.kind === "tag" ? sameText(g, scope.value) : true);
    const currencies = [...new Set(result.rows.map((r) => r.currency))];
    currency = currencies[0] ?? currency;
    rows = result.rows.filter((r) => r.date !== undefined && r.currency === currency && keep(r.group)).map((r) => ({ date: r.date as string, group: r.group, amount: r.amount }));
    summary = summariseSpend(rows, day, TOP);
    if (currencies.length > 1) notes.context.push(`Spend came in several currencies (${currencies.join(", ")}); the digest shows ${currency}.`);
    for (const m of result.missing) {
      notes.degrade();
      notes.context.push(
        `Spend is missing subscription ${names.get(m.subscriptionId.toLowerCase()) ?? m.subscriptionId}: ${m.reason}${m.role ? `; the bot's identity needs ${m.role} there` : ""}.`,
      );
    }
  } else {
    notes.degrade();
    parts.push(text(`Spend: Cost Management did not answer (${messageOf(spendR.reason)}). The rest of the digest is below.`, "warning"));
  }
  if (summary) parts.push(text(spendSentence(summary, day, currency)));
  // A purchase belongs to a subscription, not to a resource group or a tag: named only for a scope it can be in.
  const window = summaryWindow(day);
  const bought = spendR.status === "fulfilled" && scope?.kind !== "rg" && scope?.kind !== "tag" ? purchasesIn(spendR.value.purchases, window.from, window.to) : [];
  if (summary && bought.length > 0)
    parts.push(text(`Not in these figures or the average: ${describePurchases(bought, names, frame.subs.length > 1)}, ${bought.length > 1 ? "one-offs" : "a one-off"}.`));
  return { parts, summary, currency, rows };
}

function spendSentence(summary: SpendSummary, day: string, currency: string): string {
  const spent = `Yesterday (${shortDate(day)}) GPU spend was ${formatMoney(summary.total, currency)}`;
  const b = summary.baseline;
  if (b.kind === "full")
    return `${spent}, ${summary.average7 === 0 ? (summary.total === 0 ? "no change" : "new spend") : `${formatChange(summary.total, summary.average7)} vs the 7-day average`} (${formatMoney(summary.average7, currency)}/day).`;
  if (b.kind === "none") return `${spent}. No GPU spend is recorded for the 7 days before, so there is no trend to compare with.`;
  return `${spent}. No change is shown: spend data for the 7 days before starts on ${shortDate(b.from)} (${b.days} of 7 days), so a 7-day average would not be like-for-like.`;
}

function spendFacts(summary: SpendSummary, day: string, currency: string, trend: boolean): Fact[] {
  const b = summary.baseline;
  const f: Fact[] = [{ label: `Spend ${shortDate(day)}`, value: formatMoney(summary.total, currency) }];
  f.push({
    label: "7-day average",
    value:
      b.kind === "full"
        ? `${formatMoney(summary.average7, currency)}/day`
        : b.kind === "none"
          ? "no data"
          : `not comparable: data from ${shortDate(b.from)} only (${b.days} of 7 days)`,
  });
  if (trend)
    f.push({
      label: "Change",
      value:
        summary.average7 === 0
          ? summary.total === 0
            ? "—"
            : "new"
          : `${formatChange(summary.total, summary.average7)} (${summary.delta >= 0 ? "+" : "−"}${formatMoney(Math.abs(summary.delta), currency)})`,
    });
  return f;
}

/** What runs now in scope, priced at list price. */
async function runningSection(
  ctx: CommandContext,
  frame: DigestFrame,
  fleetR: PromiseSettledResult<FleetInventory>,
  notes: Notes,
): Promise<{ running: GpuResource[]; fact: Fact }> {
  if (fleetR.status !== "fulfilled") {
    notes.degrade();
    return { running: [], fact: { label: "Running now", value: `unknown: Resource Graph did not answer (${messageOf(fleetR.reason)})` } };
  }
  // Starting VMs bill from start-up, so they count as running (as `running` counts them).
  const running = fleetR.value.resources.filter((r) => (r.powerState === "running" || r.powerState === "starting") && r.instances > 0 && inScope(r, frame.scope));
  const pairs = [...new Set(running.map((r) => `${r.region}|${r.size}`))];
  const prices = new Map<string, ListPrice>(
    await Promise.all(
      pairs.map(async (key): Promise<[string, ListPrice]> => {
        const [region, size] = key.split("|") as [string, string];
        try {
          return [key, await ctx.services.prices.hourlyPrice(size, region)];
        } catch {
          return [key, { known: false, reason: "price lookup failed" }];
        }
      }),
    ),
  );
  const vms = running.flatMap((r) => {
    const p = prices.get(`${r.region}|${r.size}`);
    return Array.from({ length: r.instances }, () => ({ size: r.size, perHour: p?.known ? p.perHour : null }));
  });
  const est = runningEstimate(vms);
  const priceCurrency = [...prices.values()].find((p): p is Extract<ListPrice, { known: true }> => p.known)?.currency ?? ctx.settings.currency;
  const fact = {
    label: "Running now",
    value:
      est.vms === 0
        ? "no GPU VMs"
        : `${plural(est.vms, "GPU VM")} ≈ ${formatHourlyTotal(est.perHour, priceCurrency)} (≈ ${formatMoney(est.perHour * 24, priceCurrency, { digits: 0 })}/day at list price)${est.unpriced ? `; ${est.unpriced} without a list price, not counted` : ""}`,
  };
  for (const m of fleetR.value.missing) {
    notes.degrade();
    notes.context.push(`Running VMs are missing subscription ${frame.names.get(m.subscriptionId.toLowerCase()) ?? m.subscriptionId}: ${m.reason}.`);
  }
  return { running, fact };
}

/** GPU VMs idle > 24 h, only when the idle detector is wired and has data. */
async function idleSection(
  ctx: CommandContext,
  fleetR: PromiseSettledResult<FleetInventory>,
  running: GpuResource[],
  now: Date,
  sources: DigestSources,
  notes: Notes,
): Promise<{ idle: IdleDigestItem[] | undefined; facts: Fact[] }> {
  let idle: IdleDigestItem[] | undefined;
  if (fleetR.status === "fulfilled") {
    try {
      idle = sources.idleOver24h ? await sources.idleOver24h(running, now) : await idleOver24h({ ...ctx, now: () => now }, running);
    } catch (err) {
      notes.degrade();
      notes.context.push(`Idle GPUs: the utilisation sources did not answer (${messageOf(err)}).`);
    }
  }
  const idleVms = idle?.reduce((n, i) => n + (i.vms ?? 1), 0) ?? 0;
  return { idle, facts: idle ? [{ label: "Idle > 24 h", value: idle.length === 0 ? "none" : plural(idleVms, "GPU VM") }] : [] };
}

/** GPU family quota above 80 % in the digest's subscriptions and configured regions. */
function quotaSection(quotaR: PromiseSettledResult<Gathered<{ sub: Subscription; region: string }, Usage[]>>, lookups: number, notes: Notes): { near: NearQuota; facts: Fact[] } {
  if (quotaR.status !== "fulfilled") return { near: [], facts: [] };
  const usageRows = quotaR.value.ok.flatMap(({ key, value }) =>
    value
      .filter((u) => u.name !== REGIONAL_CAP && isGpuFamily(u.name))
      .map((u) => ({ subscription: key.sub.name, region: key.region, family: u.name, current: u.current, limit: u.limit })),
  );
  const near = quotaNearLimit(usageRows, QUOTA_THRESHOLD);
  if (quotaR.value.failed.length > 0) {
    notes.degrade();
    notes.context.push(`Quota: ${quotaR.value.failed.length} of ${lookups} subscription/region lookups failed (${quotaR.value.failed[0]?.error.message.slice(0, 120)}).`);
  }
  // One row is a family's quota in one subscription and region: say so, and how many families.
  const families = new Set(near.map((q) => q.family.toLowerCase().replace(/\s+/g, ""))).size;
  return {
    near,
    facts: [
      { label: "Quota > 80 %", value: near.length === 0 ? "none" : `${plural(near.length, "quota")} (subscription × region) in ${plural(families, "GPU family", "GPU families")}` },
    ],
  };
}

function topGroupsTable(frame: DigestFrame, summary: SpendSummary, currency: string, trend: boolean): Part {
  const { grouping, names, day } = frame;
  const groupRows: Row[] = summary.groups.map((g) => ({
    group: groupLabel(g.group, grouping, names),
    spend: formatMoney(g.amount, currency),
    share: formatShare(g.amount, summary.total),
    ...(trend ? { avg: formatMoney(g.average7, currency), change: formatChange(g.amount, g.average7) } : {}),
  }));
  if (summary.others.count > 0) {
    groupRows.push({
      group: `${plural(summary.others.count, "other")}`,
      spend: formatMoney(summary.others.amount, currency),
      share: formatShare(summary.others.amount, summary.total),
      ...(trend ? { avg: "", change: "" } : {}),
    });
  }
  return table(
    [
      { key: "group", label: groupingLabel(grouping).replace(/^./, (c) => c.toUpperCase()), priority: 1, kind: "name" },
      { key: "spend", label: shortDate(day), align: "right", priority: 1, kind: "money" },
      { key: "share", label: "Share", align: "right", priority: 2, kind: "number" },
      ...(trend
        ? [
            { key: "avg", label: "7-day avg", align: "right" as const, priority: 3 as const, kind: "money" as const },
            { key: "change", label: "Change", align: "right" as const, priority: 2 as const, kind: "number" as const },
          ]
        : []),
    ],
    groupRows,
    { title: `Top ${Math.min(TOP, summary.groups.length)} by ${groupingLabel(grouping)}` },
  );
}

function idleParts(idle: IdleDigestItem[] | undefined): Part[] {
  if (!idle || idle.length === 0) return [];
  const parts: Part[] = [
    table(
      [
        { key: "name", label: "VM", priority: 1, kind: "name" },
        { key: "size", label: "Size", priority: 1, kind: "size" },
        { key: "region", label: "Region", priority: 3, kind: "name" },
        { key: "idle", label: "Idle for", align: "right", priority: 2, kind: "number" },
        { key: "wasted", label: "Burnt so far", align: "right", priority: 1, kind: "money" },
        { key: "owner", label: "Owner", priority: 2, kind: "name" },
      ],
      idle.slice(0, MAX_ROWS).map((i) => ({
        name: i.name,
        size: shortSize(i.size),
        region: i.region,
        idle: `${i.atLeast ? "> " : ""}${i.idleHours >= 48 ? `${Math.floor(i.idleHours / 24)} d ${Math.round(i.idleHours % 24)} h` : `${Math.round(i.idleHours)} h`}`,
        wasted: i.wasted ? `${i.atLeast ? "> " : ""}${formatMoney(i.wasted.amount, i.wasted.currency)}` : NO_LIST_PRICE,
        owner: ownerText(i.owner, i.team),
      })),
      { title: "GPU VMs idle more than 24 h", narrowHint: "idle" },
    ),
  ];
  if (idle.length > MAX_ROWS) parts.push(text(`…and ${idle.length - MAX_ROWS} more: \`idle\` lists them all.`));
  return parts;
}

function quotaParts(near: NearQuota, manySubscriptions: boolean): Part[] {
  if (near.length === 0) return [];
  const parts: Part[] = [
    table(
      [
        ...(manySubscriptions ? [{ key: "subscription", label: "Subscription", priority: 3 as const, kind: "name" as const }] : []),
        { key: "region", label: "Region", priority: 3, kind: "name" },
        { key: "family", label: "GPU family", priority: 1, kind: "name" },
        { key: "used", label: "Used / limit (vCPUs)", align: "right" as const, priority: 2 as const, kind: "number" as const },
        { key: "pct", label: "Used", align: "right" as const, priority: 1 as const, kind: "number" as const },
      ],
      near
        .slice(0, MAX_ROWS)
        .map((q) => ({ subscription: q.subscription, region: q.region, family: q.family, used: `${q.current} / ${q.limit}`, pct: `${Math.round(q.used * 100)} %` })),
      { title: "GPU quota above 80 %", narrowHint: "quota <region>" },
    ),
  ];
  if (near.length > MAX_ROWS) parts.push(text(`…and ${near.length - MAX_ROWS} more quotas above 80 %: \`quota <region>\` shows them all.`));
  return parts;
}

function chartPart(
  ctx: CommandContext,
  rows: DailySpend[],
  summary: SpendSummary,
  grouping: CostGrouping,
  currency: string,
  names: Map<string, string>,
  dates: string[],
): Promise<ImagePart | undefined> {
  // The digest stacks its top groups and folds the rest into "others".
  const top = new Set(summary.groups.map((g) => g.group));
  const labelled = rows.map((r) => ({ date: r.date, label: top.has(r.group) ? groupLabel(r.group, grouping, names) : "others", amount: r.amount }));
  // Days after the last complete billing day are drawn as partial.
  return spendChartPart(ctx, { groupingLabel: groupingLabel(grouping), currency, dates, rows: labelled, partialFrom: addDays(billedCompleteThrough(ctx.now()), 1) });
}

/** The words after `digest`: an optional channel to read settings from, and --dry-run. */
export function parseDigestArgs(args: string[]): { channel?: string; dryRun: boolean } | { problem: string } {
  let channel: string | undefined;
  let dryRun = false;
  for (let i = 0; i < args.length; i++) {
    const a = (args[i] as string).toLowerCase();
    if (a === "--dry-run" || a === "dry-run") {
      dryRun = true;
      continue;
    }
    if (a === "--channel" || a === "channel") {
      const c = args[++i];
      if (c === undefined || !/^[A-Za-z0-9][A-Za-z0-9_.:@;=-]{0,199}$/.test(c))
        return { problem: `"${a}" needs a channel id, such as --channel local (the console) or --channel C0123ABCD (Slack).` };
      channel = c;
      continue;
    }
    return { problem: `I don't understand "${(args[i] as string).slice(0, 30)}" after digest. Options: --channel <id>, --dry-run.` };
  }
  return channel === undefined ? { dryRun } : { channel, dryRun };
}

const NOISE_WORD = (d: NoiseDecision) => (d.post ? `would be posted: ${d.reason}` : `would be held back: ${d.reason}`);

export const digestVerb: Verb = {
  name: "digest",
  summary: "Today's GPU digest: yesterday's spend vs the 7-day average, top groups, running now, idle, quota",
  usage: "digest [--channel <id>] [--dry-run]",
  examples: ["digest", "digest --dry-run", "digest --channel local --dry-run"],
  cliOptions: ["--channel", "--dry-run"],
  details:
    "Shows the digest a subscribed channel gets, built now, to you. With --channel (terminal and console only) it uses that channel's subscription (scope, time zone, noise rule); --dry-run adds what the noise rule would decide. Nothing is posted or recorded: the scheduler posts subscribed channels once a day.",
  async run(args, request, ctx) {
    const parsed = parseDigestArgs(args);
    if ("problem" in parsed) return userError("bad_digest_args", parsed.problem, "digest --channel local --dry-run");
    const onChat = request.surface === "slack" || request.surface === "teams";
    if (parsed.channel && onChat && parsed.channel !== request.channel.id) {
      return userError(
        "bad_digest_args",
        "In a chat, digest shows this channel's digest; another channel's settings are read with --channel from the terminal or the console.",
        "digest --dry-run",
      );
    }
    const channelId = parsed.channel ?? (request.surface === "cli" ? undefined : request.channel.id);
    let sub: ChannelSubscription | undefined;
    if (channelId && ctx.services.subscriptions) {
      const platform = parsed.channel && request.surface === "cli" ? undefined : request.channel.platform;
      const candidates = await ctx.services.subscriptions.list({ channelId, kind: "digest", ...(platform ? { platform } : {}) });
      sub = candidates[0];
    }
    const target: DigestTarget = { scope: sub?.scope ?? null, timezone: sub?.timezone ?? ctx.settings.timezone };
    const built = await buildDigest(ctx, target, ctx.now());
    const r = built.reply;
    if (parsed.dryRun) {
      const rule = sub?.noise ?? { kind: "always" as const };
      const decision = built.summary ? decideNoise(rule, built.summary, formatMoney) : { post: true, reason: "spend unknown, so it goes out" };
      r.context.push(
        sub
          ? `Dry run for ${sub.platform} channel ${sub.channelId}: ${describeSubscription(sub)}; ${NOISE_WORD(decision)}. Nothing posted.`
          : `Dry run${channelId ? ` for channel ${channelId}` : ""}: ${ctx.services.subscriptions ? "not subscribed" : "the terminal does not read the server's subscriptions"}, so defaults (${target.timezone}, everything in scope, posted every day). Nothing posted.`,
      );
    } else {
      r.context.push("Built now for you; subscribed channels get it from the scheduler once a day (`subscribe digest`).");
    }
    return r;
  },
};
