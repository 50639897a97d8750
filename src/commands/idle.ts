/**
 * `idle [region] [tag:<key>=<value>]`: running GPU VMs (and AKS nodes) that do no GPU work, since
 * when, the money burnt so far and per day at list price, the owner tag, and how many are
 * "unknown" (no or stale telemetry) and why. VMs are counted as `running` counts them: each
 * scale-set instance and AKS node is one, so "N of M running" agrees with `running`.
 * `collectIdle` is shared with the idle scan job and the digest's "idle more than 24 h" section
 * (`idleOver24h`).
 */
import type { DigestScope } from "../domain/digest.ts";
import {
  DEFAULT_IDLE_SETTINGS,
  evaluateIdle,
  formatIdleDuration,
  type IdleCost,
  type IdlePolicy,
  type IdleSettings,
  type IdleVerdict,
  idleCost,
  policyFor,
  SIGNAL_LABEL,
  UNKNOWN_REASON_TEXT,
  type UnknownReason,
  type WatchedEpisode,
  widestPolicy,
  withWatchedStart,
} from "../domain/idle-rule.ts";
import { formatMoney, NO_LIST_PRICE, sumMoney } from "../domain/money.ts";
import { isTagKey, isTagValue, tagValue } from "../domain/tags.ts";
import { type Action, actions, type Part, type Reply, type Row, reply, table, text, userError } from "../reply/reply.ts";
import type { GpuResource, ListPrice, MissingScope } from "../services/ports.ts";
import { nearestRegion, takeRegion } from "./args.ts";
import { NO_OWNER, ownerText, plural, shortSize, someNames } from "./format.ts";
import type { CommandContext, Verb } from "./types.ts";

export interface IdleFilter {
  region?: string;
  tag?: { key: string; value: string };
  /** Subscription id or display name. */
  subscription?: string;
  resourceGroup?: string;
}

/** One idle or parked VM / node, with what it costs. */
export interface IdleEntry {
  key: string;
  resource: GpuResource;
  host: string;
  /** An AKS node or scale-set instance rather than a whole VM. */
  isNode: boolean;
  verdict: Extract<IdleVerdict, { state: "idle" | "parked" }>;
  price: ListPrice;
  /** Units of the price this entry burns (1 per VM or node; a scale set's instances). */
  units: number;
  cost?: IdleCost;
  owner?: string;
  policy: IdlePolicy;
  /** The idle start comes from the episode gpuops' idle scans watched, not from the telemetry alone. */
  startWatched?: true;
}

export interface UnknownEntry {
  key: string;
  resource: GpuResource;
  host: string;
  reason: UnknownReason;
  detail: string;
  /** GPU VMs it stands for (a scale set or pool read as a whole counts all its instances). */
  units: number;
}

/** GPU VMs (scale-set instances and AKS nodes count one each), as `running` counts them. */
export interface IdleCounts {
  running: number;
  idle: number;
  parked: number;
  busy: number;
  unknown: number;
}

export interface IdleReport {
  at: Date;
  /** Idle and parked, most money burnt first. */
  entries: IdleEntry[];
  /** Every reading's verdict, by key (the scan resolves alerts from these). */
  verdicts: Map<string, { resource: GpuResource; host: string; verdict: IdleVerdict }>;
  /** Readings found busy. */
  busy: number;
  unknown: UnknownEntry[];
  counts: IdleCounts;
  /** Stopped but not deallocated: no GPU work, still billed. */
  stoppedAllocated: GpuResource[];
  /** Ids of every GPU resource in scope that is running (the scan resolves the rest as deallocated). */
  running: Set<string>;
  missing: MissingScope[];
  /** Subscription display names by lower-case id (channel scopes may name a subscription). */
  subscriptionNames: Map<string, string>;
  queries: Record<string, number>;
  sources: string[];
  settings: IdleSettings;
  configured: boolean;
}

const ownerOf = (r: GpuResource): string | undefined => r.owner ?? tagValue(r.tags, "owner");
const teamOf = (r: GpuResource): string | undefined => r.team ?? tagValue(r.tags, "team");

export function matchesFilter(r: GpuResource, filter: IdleFilter, subscriptionNames: ReadonlyMap<string, string>): boolean {
  if (filter.region && r.region.toLowerCase() !== filter.region) return false;
  if (filter.tag && tagValue(r.tags, filter.tag.key)?.toLowerCase() !== filter.tag.value.toLowerCase()) return false;
  if (filter.resourceGroup && r.resourceGroup.toLowerCase() !== filter.resourceGroup.toLowerCase()) return false;
  if (filter.subscription) {
    const want = filter.subscription.toLowerCase();
    if (r.subscriptionId.toLowerCase() !== want && subscriptionNames.get(r.subscriptionId.toLowerCase())?.toLowerCase() !== want) return false;
  }
  return true;
}

/** A digest or channel scope as an idle filter. */
export function filterFromScope(scope: DigestScope | null | undefined): IdleFilter {
  if (!scope) return {};
  if (scope.kind === "tag") return { tag: { key: scope.key, value: scope.value } };
  if (scope.kind === "rg") return { resourceGroup: scope.value };
  return { subscription: scope.value };
}

/**
 * Reads the fleet, the telemetry of every running GPU VM and node, and list prices; applies the
 * idle rule with each subscription's policy. Missing telemetry and missing prices are values.
 */
export async function collectIdle(ctx: CommandContext, filter: IdleFilter = {}): Promise<IdleReport> {
  const subs = await ctx.services.scope.subscriptions();
  const names = new Map(subs.map((s) => [s.id.toLowerCase(), s.name]));
  const inventory = await ctx.services.fleet.gpuInventory(subs.map((s) => s.id));
  const inScope = inventory.resources.filter((r) => matchesFilter(r, filter, names));
  return assessIdle(ctx, inScope, { missing: inventory.missing, subscriptionNames: names });
}

/** The idle rule over given resources (running ones are read; stopped-but-allocated ones are listed). */
export async function assessIdle(
  ctx: CommandContext,
  resources: readonly GpuResource[],
  extra: { missing?: MissingScope[]; subscriptionNames?: Map<string, string> } = {},
): Promise<IdleReport> {
  const settings = ctx.settings.idle ?? DEFAULT_IDLE_SETTINGS;
  const at = ctx.now();
  // Starting VMs bill from start-up: read like running ones (as `running` counts them).
  const running = resources.filter((r) => r.powerState === "running" || r.powerState === "starting");
  const counts: IdleCounts = { running: running.reduce((n, r) => n + Math.max(0, r.instances), 0), idle: 0, parked: 0, busy: 0, unknown: 0 };
  const report: IdleReport = {
    at,
    entries: [],
    verdicts: new Map(),
    busy: 0,
    unknown: [],
    counts,
    stoppedAllocated: resources.filter((r) => r.powerState === "stopped"),
    running: new Set(running.map((r) => r.id)),
    missing: extra.missing ?? [],
    subscriptionNames: extra.subscriptionNames ?? new Map(),
    queries: {},
    sources: [],
    settings,
    configured: ctx.services.utilization !== undefined,
  };
  if (!ctx.services.utilization || running.length === 0) return report;

  const widest = widestPolicy(settings);
  const result = await ctx.services.utilization.read(running, {
    now: at,
    windowSeconds: widest.windowSeconds,
    lookbackSeconds: Math.max(settings.lookbackSeconds, widest.windowSeconds),
    idleBelow: { utilPercent: widest.utilPercent, engineActive: widest.engineActive },
  });
  report.queries = result.queries;
  report.sources = result.sources;

  const prices = new Map<string, Promise<ListPrice>>();
  const priceOf = (r: GpuResource) => {
    const k = `${r.size}|${r.region}`;
    let p = prices.get(k);
    if (!p) {
      p = ctx.services.prices.hourlyPrice(r.size, r.region).catch((err: unknown): ListPrice => ({ known: false, reason: `price lookup failed: ${(err as Error).message}` }));
      prices.set(k, p);
    }
    return p;
  };

  const measured = result.readings.map((reading) => {
    const policy = policyFor(settings.policy, settings.overrides, reading.resource.subscriptionId);
    return { reading, policy, verdict: evaluateIdle(reading.telemetry, at.getTime(), policy) };
  });
  const watched = await watchedEpisodes(ctx, measured);
  const perNode = new Map<string, number>();
  for (const { reading, policy, verdict: read } of measured) {
    const verdict = withWatchedStart(read, watched.get(reading.key.toLowerCase()), at.getTime());
    report.verdicts.set(reading.key, { resource: reading.resource, host: reading.host, verdict });
    const isNode = !readsWhole(reading.resource, reading.key, reading.host);
    const units = isNode ? 1 : Math.max(1, reading.resource.instances);
    if (isNode && reading.resource.kind !== "vm") perNode.set(reading.resource.id, (perNode.get(reading.resource.id) ?? 0) + 1);
    if (verdict.state === "busy") {
      report.busy++;
      counts.busy += units;
    } else if (verdict.state === "unknown") {
      report.unknown.push({ key: reading.key, resource: reading.resource, host: reading.host, reason: verdict.reason, detail: verdict.detail, units });
      counts.unknown += units;
    } else {
      counts.idle += units;
      if (verdict.state === "parked") counts.parked += units;
      const price = await priceOf(reading.resource);
      const entry: IdleEntry = { key: reading.key, resource: reading.resource, host: reading.host, isNode, verdict, price, units, policy };
      if (verdict !== read) entry.startWatched = true;
      const cost = idleCost(verdict.idleSeconds, price.known ? { ...price, perHour: price.perHour * units } : price);
      if (cost) entry.cost = cost;
      const owner = ownerOf(reading.resource);
      if (owner) entry.owner = owner;
      report.entries.push(entry);
    }
  }
  // A pool or scale set whose nodes only partly report: the silent ones are unknown, not left out.
  for (const [id, seen] of perNode) {
    const resource = running.find((r) => r.id === id);
    const silent = resource ? resource.instances - seen : 0;
    if (!resource || silent <= 0) continue;
    const what = resource.kind === "aks-pool" ? "nodes" : "instances";
    report.unknown.push({
      key: `${id}/nodes/*`,
      resource,
      host: resource.name,
      reason: "no_telemetry",
      detail: `${silent} of ${resource.instances} ${what} of ${resource.name} sent no GPU readings`,
      units: silent,
    });
    counts.unknown += silent;
  }
  report.entries.sort((a, b) => (b.cost?.soFar ?? -1) - (a.cost?.soFar ?? -1) || b.verdict.idleSeconds - a.verdict.idleSeconds);
  return report;
}

/**
 * The episodes gpuops' idle scans watched, for the runs that reach back past the telemetry.
 * Without a store, or when it fails, none: those runs stay lower bounds and say so.
 */
async function watchedEpisodes(ctx: CommandContext, measured: ReadonlyArray<{ reading: { key: string }; verdict: IdleVerdict }>): Promise<Map<string, WatchedEpisode>> {
  const keys = measured.filter((m) => (m.verdict.state === "idle" || m.verdict.state === "parked") && m.verdict.sinceAtLeast).map((m) => m.reading.key);
  if (!ctx.services.idleEpisodes || keys.length === 0) return new Map();
  try {
    return await ctx.services.idleEpisodes.idleSince(keys);
  } catch (err) {
    ctx.log.warn({ err: (err as Error).message }, "idle: recorded idle episodes unreadable; idle starts past the look-back stay lower bounds");
    return new Map();
  }
}

/**
 * Whether a reading covers a whole resource (a VM, or a scale set / pool a source could only
 * read as one) rather than one of its nodes: a whole scale set burns all its instances.
 */
function readsWhole(resource: GpuResource, key: string, host: string): boolean {
  if (resource.kind === "vm" || key === resource.id) return true;
  return resource.kind === "vmss" && host === resource.name.toLowerCase();
}

/** A GPU VM or node idle for more than a day, in the digest's words (src/commands/digest.ts IdleDigestItem). */
export interface IdleOver24hItem {
  name: string;
  size: string;
  region: string;
  idleHours: number;
  /** Idle since before the data gpuops has: hours and money are lower bounds. */
  atLeast?: boolean;
  /** GPU VMs it stands for (a whole scale set counts its instances). */
  vms: number;
  wasted?: { amount: number; currency: string };
  owner?: string;
  team?: string;
}

/**
 * The digest's "idle more than 24 h" section: of these resources (running, in the channel's
 * scope), the VMs and nodes idle for at least a day, most money burnt first. Undefined when no
 * telemetry source is configured (the digest then leaves the section out).
 *
 * @example
 * digestJobs({ ..., sources: { idleOver24h: (resources, now) => idleOver24h({ ...context(), now: () => now }, resources) } })
 */
export async function idleOver24h(ctx: CommandContext, resources: readonly GpuResource[]): Promise<IdleOver24hItem[] | undefined> {
  if (!ctx.services.utilization) return undefined;
  const report = await assessIdle(ctx, resources);
  return report.entries
    .filter((e) => e.verdict.idleSeconds >= 24 * 3600)
    .map((e) => {
      const item: IdleOver24hItem = { name: entryName(e), size: e.resource.size, region: e.resource.region, idleHours: e.verdict.idleSeconds / 3600, vms: e.units };
      if (e.verdict.sinceAtLeast) item.atLeast = true;
      if (e.cost) item.wasted = { amount: e.cost.soFar, currency: e.cost.currency };
      if (e.owner) item.owner = e.owner;
      const team = teamOf(e.resource);
      if (team) item.team = team;
      return item;
    });
}

/** Sums of one cost field per currency (prices come in the configured currency, but never mix). */
export function totalsByCurrency(entries: readonly IdleEntry[], pick: (c: IdleCost) => number): Array<{ amount: number; currency: string }> {
  const by = new Map<string, number[]>();
  for (const e of entries) if (e.cost) by.set(e.cost.currency, [...(by.get(e.cost.currency) ?? []), pick(e.cost)]);
  return [...by].map(([currency, amounts]) => ({ currency, amount: sumMoney(amounts) }));
}

const moneyList = (totals: Array<{ amount: number; currency: string }>) => totals.map((t) => formatMoney(t.amount, t.currency)).join(" + ") || "—";

/** "Tue 14:05" in the configured zone (with the date when it is not this week). */
export function formatWhen(ms: number, timezone: string, now: number): string {
  const opts: Intl.DateTimeFormatOptions =
    now - ms < 6 * 86_400_000
      ? { weekday: "short", hour: "2-digit", minute: "2-digit", hour12: false }
      : { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", hour12: false };
  return new Intl.DateTimeFormat("en-GB", { ...opts, timeZone: timezone }).format(new Date(ms));
}

/** "gpu-vm-1", or "aks-gpua100-…-vmss000001 (node of aks-infer-eus/gpua100)". */
export function entryName(e: { resource: GpuResource; host: string; isNode?: boolean }): string {
  if (e.resource.kind === "vm") return e.resource.name;
  // Node names are aks-<pool>-…; a pool with no node readings is named as the pool.
  if (e.resource.kind === "aks-pool")
    return e.host.startsWith("aks-") ? `${e.host} (node of ${e.resource.name})` : `${e.resource.name} (AKS pool, ${plural(e.resource.instances, "node")})`;
  return e.host === e.resource.name.toLowerCase() ? `${e.resource.name} (scale set, ${e.resource.instances} instances)` : `${e.host} (instance of ${e.resource.name})`;
}

export function stateText(v: IdleEntry["verdict"]): string {
  if (v.state === "parked") return `parked (${v.memoryUsedMib === undefined ? "memory held" : `${Math.round(v.memoryUsedMib / 1024)} GiB held`})`;
  return "idle";
}

export function sinceText(v: IdleEntry["verdict"], timezone: string, now: number): string {
  const when = formatWhen(v.idleSince, timezone, now);
  return v.sinceAtLeast ? `before ${when} (> ${formatIdleDuration(v.idleSeconds)})` : `${when} (${formatIdleDuration(v.idleSeconds)})`;
}

export function ruleText(policy: IdlePolicy): string {
  return `Idle = every GPU below ${policy.utilPercent} % utilisation (${policy.engineActive} when DCGM_FI_PROF_GR_ENGINE_ACTIVE is available) for ${formatIdleDuration(policy.windowSeconds)}; parked = idle while holding ≥ ${Math.round(policy.parkedMemoryMib / 1024)} GiB of GPU memory.`;
}

/**
 * The unknowns, one line per reason, each saying what the source said and naming a few:
 * "23 GPU VMs are unknown (…), so not counted as idle:\n• 15 with no GPU telemetry. No nvidia_smi metrics in Azure Monitor. They are: a, b, c and 9 more."
 */
export function unknownSummary(unknown: readonly UnknownEntry[]): string | undefined {
  if (unknown.length === 0) return undefined;
  // Grouped by reason and what the source said, minus the per-VM numbers ("12 min ago").
  const groups = new Map<string, { reason: UnknownReason; detail: string; list: UnknownEntry[] }>();
  for (const u of unknown) {
    const k = `${u.reason}|${u.detail.replace(/\d+/g, "#")}`;
    const g = groups.get(k) ?? { reason: u.reason, detail: u.detail, list: [] };
    g.list.push(u);
    groups.set(k, g);
  }
  const units = (list: readonly UnknownEntry[]) => list.reduce((n, u) => n + u.units, 0);
  const sentence = (t: string) => `${t.charAt(0).toUpperCase()}${t.slice(1)}${/[.!?]$/.test(t) ? "" : "."}`;
  const lines = [...groups.values()].map(({ reason, detail, list }) => {
    const named = list.map((u) => (u.key.endsWith("/nodes/*") ? u.resource.name : entryName(u)));
    return `• ${units(list)} with ${UNKNOWN_REASON_TEXT[reason]}. ${sentence(detail)} ${list.length === 1 ? "That is" : "They are"}: ${someNames(named, 3)}.`;
  });
  const total = units(unknown);
  return `${plural(total, "GPU VM")} ${total === 1 ? "is" : "are"} unknown (no usable GPU telemetry), so not counted as idle:\n${lines.join("\n")}`;
}

/** Words after `idle`: a region (any spelling) and/or one tag:<key>=<value>. */
export function parseIdleArgs(args: string[]): IdleFilter | { error: Reply } {
  const filter: IdleFilter = {};
  const rest: string[] = [];
  const fail = (problem: string, example = "idle tag:team=vision") => ({ error: userError("bad_idle_filter", problem, example) });
  for (const a of args) {
    if (/^tag[:=]/i.test(a)) {
      // The same words as `running`, so a filter means the same on both.
      const m = /^tag[:=]([^=]*)=(.*)$/i.exec(a);
      if (!m) return fail(`A tag filter looks like tag:<key>=<value>, e.g. tag:team=vision (got "${a.slice(0, 40)}").`);
      const [key, value] = [m[1] as string, m[2] as string];
      if (!isTagKey(key)) return fail(`"${key.slice(0, 40)}" is not a tag key I can filter on: letters, digits, "-", "_", "." or ":" (starting with a letter).`);
      if (!isTagValue(value)) return fail(`"${value.slice(0, 40)}" is not a tag value I can filter on: letters, digits and "-_.:@+".`, "idle tag:owner=alice@contoso.com");
      if (filter.tag) return fail("Filter on one tag at a time.");
      filter.tag = { key, value };
    } else rest.push(a);
  }
  if (rest.length > 0) {
    const taken = takeRegion(rest);
    if (!taken || taken.rest.length > 0) {
      const shown = rest.join(" ").slice(0, 60);
      const guess = nearestRegion(rest.join(" "));
      return {
        error: userError(
          "bad_idle_filter",
          `I don't know the region "${shown}". \`idle\` takes a region (eastus or "East US") and/or tag:<key>=<value>.${guess ? ` Did you mean ${guess}?` : ""}`,
          `idle ${guess ?? "eastus"}`,
        ),
      };
    }
    filter.region = taken.region;
  }
  return filter;
}

const filterLabel = (f: IdleFilter) => [f.region ? `in ${f.region}` : "", f.tag ? `tagged ${f.tag.key}=${f.tag.value}` : ""].filter(Boolean).join(" ");

export function renderIdleReport(report: IdleReport, filter: IdleFilter, ctx: CommandContext): Reply {
  const tz = ctx.settings.timezone;
  const now = report.at.getTime();
  const label = filterLabel(filter);
  const context: string[] = [ruleText(report.settings.policy)];
  if (Object.keys(report.settings.overrides).length) context.push(`${plural(Object.keys(report.settings.overrides).length, "subscription")} with their own idle rule.`);
  context.push("Money is at pay-as-you-go list price per hour, not your bill; it keeps burning until the VM is deallocated.");
  if (report.sources.length) context.push(`Telemetry: ${report.sources.map((s) => `${s} (${plural(report.queries[s] ?? 0, "query", "queries")})`).join(", ")}.`);
  for (const m of report.missing) context.push(`Not covered: subscription ${m.subscriptionId}: ${m.reason} (needs ${m.role}).`);
  const outcome = report.missing.length ? "partial" : "ok";
  if (!report.configured) {
    return reply(
      "Idle GPUs",
      [text("No GPU telemetry source is configured: set PROMETHEUS_URL (DCGM exporter) or keep GPUOPS_MONITOR_METRICS=true (Azure Monitor nvidia_smi metrics).", "warning")],
      {
        context,
        outcome,
      },
    );
  }
  const parts: Part[] = [];
  const unknown = unknownSummary(report.unknown);
  const stopped = report.stoppedAllocated.length
    ? `${plural(report.stoppedAllocated.length, "GPU VM")} ${report.stoppedAllocated.length === 1 ? "is" : "are"} stopped but still allocated, so still billed: ${someNames(report.stoppedAllocated.map((r) => r.name))}. Deallocate ${report.stoppedAllocated.length === 1 ? "it" : "them"} to stop the meter.`
    : undefined;
  const c = report.counts;
  context.push("GPU VMs are counted as `running` counts them: each scale-set instance and AKS node is one.");
  if (report.entries.length === 0) {
    const msg =
      c.running === 0
        ? `No GPU VMs are running${label ? ` ${label}` : ""}.`
        : `${c.running === 1 ? "The one GPU VM" : `None of the ${c.running} GPU VMs`} running${label ? ` ${label}` : ""} is${c.running === 1 ? " not" : ""} idle${c.unknown ? ` (${c.unknown} unknown, see below)` : ""}.`;
    parts.push(text(msg, "success"));
    if (unknown) parts.push(text(unknown, "warning"));
    if (stopped) parts.push(text(stopped, "warning"));
    return reply(`Idle GPUs${label ? ` ${label}` : ""}`, parts, { context, outcome });
  }
  const soFar = totalsByCurrency(report.entries, (cost) => cost.soFar);
  // Any row idle since before the data: the total is a lower bound too.
  const lowerBound = report.entries.some((e) => e.cost && e.verdict.sinceAtLeast);
  const perDay = totalsByCurrency(report.entries, (cost) => cost.perDay);
  const rest = [c.busy ? `${c.busy} busy` : "", c.unknown ? `${c.unknown} unknown` : ""].filter(Boolean).join(", ");
  parts.push(
    text(
      `${c.idle} of the ${plural(c.running, "GPU VM")} running${label ? ` ${label}` : ""} ${c.idle === 1 ? "is" : "are"} idle${c.parked ? ` (${c.parked} parked: memory held, no work)` : ""}${rest ? `; ${rest}` : ""}. At list price they have burnt ${lowerBound ? "at least " : ""}${moneyList(soFar)} while idle, and burn ${moneyList(perDay)} per day while they stay idle.`,
      "warning",
    ),
  );
  const rows: Row[] = report.entries.map((e) => ({
    name: entryName(e),
    where: `${e.resource.resourceGroup} · ${e.resource.region}`,
    size: shortSize(e.resource.size),
    state: stateText(e.verdict),
    since: sinceText(e.verdict, tz, now),
    // Idle since before the data reaches: the money is a lower bound, and says so like the duration.
    soFar: e.cost ? `${e.verdict.sinceAtLeast ? "> " : ""}${formatMoney(e.cost.soFar, e.cost.currency)}` : NO_LIST_PRICE,
    perDay: e.cost ? formatMoney(e.cost.perDay, e.cost.currency) : "—",
    owner: ownerText(e.owner, teamOf(e.resource)),
  }));
  parts.push(
    table(
      [
        { key: "name", label: "VM / node", priority: 1, kind: "name" },
        { key: "where", label: "Resource group · region", priority: 3, kind: "text" },
        { key: "size", label: "Size", priority: 1, kind: "size" },
        { key: "state", label: "State", priority: 3, kind: "text" },
        { key: "since", label: "Idle since", priority: 2, kind: "date" },
        { key: "soFar", label: "Burnt so far", align: "right", priority: 1, kind: "money" },
        { key: "perDay", label: "Per day", align: "right", priority: 2, kind: "money" },
        { key: "owner", label: "Owner", priority: 2, kind: "name" },
      ],
      rows,
      { narrowHint: "idle <region> or idle tag:team=<team>" },
    ),
  );
  if (report.entries.some((e) => e.resource.kind === "aks-pool"))
    parts.push(text("AKS nodes: scale the node pool down (or let the cluster autoscaler do it) rather than deallocating a node."));
  if (unknown) parts.push(text(unknown, "warning"));
  if (stopped) parts.push(text(stopped, "warning"));
  if (report.entries.some((e) => e.verdict.signal === "engine_active"))
    context.push(`Signal: ${SIGNAL_LABEL.engine_active} where the exporter has it, else ${SIGNAL_LABEL.gpu_util}.`);
  if (report.entries.some((e) => e.startWatched))
    context.push("Idle starts older than the telemetry look-back come from gpuops' own idle scans, which have watched those VMs idle since then.");
  if (lowerBound)
    context.push(
      `"> " marks a VM idle since before the telemetry gpuops can read${ctx.services.idleEpisodes ? " and before its idle scans saw it" : ""}: its idle time and money are at least that much.`,
    );
  return reply(`Idle GPUs${label ? ` ${label}` : ""}: ${lowerBound ? "> " : ""}${moneyList(soFar)} burnt so far`, parts, {
    context,
    outcome,
    data: {
      kind: "idle",
      at: report.at.toISOString(),
      counts: { ...report.counts },
      burntSoFar: soFar,
      burnPerDay: perDay,
      burntSoFarIsLowerBound: lowerBound,
      entries: report.entries.map((e) => ({
        name: entryName(e),
        resourceId: e.resource.id,
        subscriptionId: e.resource.subscriptionId,
        resourceGroup: e.resource.resourceGroup,
        region: e.resource.region,
        size: e.resource.size,
        state: e.verdict.state,
        idleSince: new Date(e.verdict.idleSince).toISOString(),
        idleSeconds: e.verdict.idleSeconds,
        lowerBound: e.verdict.sinceAtLeast,
        idleSinceFrom: e.startWatched ? "idle-scan" : "telemetry",
        vms: e.units,
        burntSoFar: e.cost ? { amount: e.cost.soFar, currency: e.cost.currency } : null,
        burnPerDay: e.cost ? { amount: e.cost.perDay, currency: e.cost.currency } : null,
        owner: e.owner ?? null,
      })),
    },
  });
}

export const idleVerb: Verb = {
  name: "idle",
  summary: "Running GPU VMs doing no GPU work: since when, money burnt so far and per day, owner; unknowns and why",
  usage: "idle [region] [tag:<key>=<value>]",
  examples: ["idle", "idle eastus", "idle tag:team=vision"],
  details:
    'A VM is idle when every GPU stays below the threshold (5 % utilisation, or 0.05 engine activity) for the whole window (60 min); parked when it also holds GPU memory. VMs without telemetry are counted as unknown, never as idle. Idle runs older than the telemetry look-back (26 h) count from the start the idle scan recorded when it has watched them since (the server); otherwise they are lower bounds marked "> ". Subscribe a channel with `subscribe idle` for alerts with Snooze, Keep and Deallocate buttons.',
  async run(args, _request, ctx) {
    const filter = parseIdleArgs(args);
    if ("error" in filter) return filter.error;
    const report = await collectIdle(ctx, filter);
    return renderIdleReport(report, filter, ctx);
  },
};

// ---------------------------------------------------------------------------------------------
// Idle alerts: the message the scan posts per idle episode, updated in place as it goes on.

/** What an alert message shows of its VM or node (kept with the alert, refreshed by each scan). */
export interface IdleAlertSnapshot {
  name: string;
  resourceName: string;
  kind: GpuResource["kind"];
  resourceGroup: string;
  subscriptionId: string;
  region: string;
  size: string;
  state: "idle" | "parked";
  idleSince: number;
  sinceAtLeast: boolean;
  idleSeconds: number;
  memoryUsedMib?: number;
  powerW?: number;
  soFar?: number;
  perDay?: number;
  currency?: string;
  owner?: string;
  /** When these figures were measured (epoch ms). */
  at: number;
}

export function snapshotOf(e: IdleEntry, at: Date): IdleAlertSnapshot {
  const s: IdleAlertSnapshot = {
    name: entryName(e),
    resourceName: e.resource.name,
    kind: e.resource.kind,
    resourceGroup: e.resource.resourceGroup,
    subscriptionId: e.resource.subscriptionId,
    region: e.resource.region,
    size: e.resource.size,
    state: e.verdict.state,
    idleSince: e.verdict.idleSince,
    sinceAtLeast: e.verdict.sinceAtLeast,
    idleSeconds: e.verdict.idleSeconds,
    at: at.getTime(),
  };
  if (e.verdict.memoryUsedMib !== undefined) s.memoryUsedMib = e.verdict.memoryUsedMib;
  if (e.verdict.powerW !== undefined) s.powerW = e.verdict.powerW;
  if (e.cost) {
    s.soFar = e.cost.soFar;
    s.perDay = e.cost.perDay;
    s.currency = e.cost.currency;
  }
  if (e.owner) s.owner = e.owner;
  return s;
}

export interface IdleAlertAction {
  action: string;
  actorName: string;
  at: number;
  detail: string;
}

/** An alert as its message shows it. */
export interface IdleAlertView {
  id: number;
  snapshot: IdleAlertSnapshot;
  status: "open" | "resolved";
  resolution?: "busy" | "deallocated";
  resolvedAt?: number;
  snoozedUntil?: number;
  keepUntil?: number;
  deallocate?: { state: "confirming" | "running" | "succeeded" | "failed"; by: string; at: number; detail?: string };
  actions: IdleAlertAction[];
}

export const IDLE_ACTIONS = {
  snooze: "idle.snooze",
  keep: "idle.keep",
  deallocate: "idle.deallocate",
  confirm: "idle.deallocate.confirm",
  cancel: "idle.deallocate.cancel",
} as const;

/** Actions people took, as the message lists them. */
const SHOWN_ACTIONS = new Set(["snooze", "keep", "deallocate", "deallocate_confirmed", "deallocate_cancelled", "deallocate_done", "deallocate_failed"]);

/** The alert message: figures, what happened to it, and the buttons that still make sense. */
export function idleAlertReply(view: IdleAlertView, timezone: string, now: number): Reply {
  const s = view.snapshot;
  const money = (v: number | undefined) => (v === undefined || !s.currency ? NO_LIST_PRICE : formatMoney(v, s.currency));
  const when = (ms: number) => formatWhen(ms, timezone, now);
  const idleFor = formatIdleDuration(s.idleSeconds);
  const since = s.sinceAtLeast ? `before ${when(s.idleSince)} (> ${idleFor})` : `${when(s.idleSince)} (${idleFor})`;
  const stateWord = s.state === "parked" ? "Parked GPU" : "Idle GPU";
  const parts: Part[] = [];
  let title: string;
  if (view.status === "resolved") {
    const how = view.resolution === "deallocated" ? "deallocated" : "busy again";
    title = `Resolved: ${s.name} is ${how}`;
    parts.push(
      text(
        `${s.name} was ${s.state} for ${idleFor}${s.soFar !== undefined ? `, burning ${money(s.soFar)} at list price` : ""}. ${view.resolution === "deallocated" ? "It is deallocated now: the meter has stopped." : "Its GPUs are working again."}`,
        "success",
      ),
    );
  } else {
    title = `${stateWord}: ${s.name} (${shortSize(s.size)}, ${s.region})`;
    parts.push(
      text(
        `Every GPU has been below the idle threshold for ${idleFor}${s.state === "parked" ? " while holding GPU memory (a job that allocated and computes nothing)" : ""}: ${money(s.soFar)} burnt so far, ${money(s.perDay)} per day while it stays idle.`,
        "warning",
      ),
    );
  }
  const f = [
    { label: s.kind === "vm" ? "VM" : s.kind === "aks-pool" ? "AKS node" : "Scale set", value: s.name },
    { label: "Resource group · region", value: `${s.resourceGroup} · ${s.region}` },
    { label: "Size", value: shortSize(s.size) },
    { label: "Idle since", value: since },
    { label: "Burnt so far", value: money(s.soFar) },
    { label: "Per day", value: money(s.perDay) },
    { label: "Owner", value: s.owner ?? NO_OWNER },
  ];
  if (s.memoryUsedMib !== undefined) f.push({ label: "GPU memory held", value: `${(s.memoryUsedMib / 1024).toFixed(1)} GiB` });
  if (s.powerW !== undefined) f.push({ label: "GPU power", value: `${Math.round(s.powerW)} W` });
  parts.push({ kind: "facts", facts: f });
  if (s.kind === "aks-pool")
    parts.push(text(`AKS node: scale node pool ${s.resourceName} down (or let the cluster autoscaler remove the node); gpuops does not deallocate AKS nodes.`));
  if (s.kind === "vmss") parts.push(text(`Scale set: scale ${s.resourceName} in; gpuops deallocates single VMs only.`));

  const notes: string[] = [];
  if (view.status === "open" && view.keepUntil !== undefined && view.keepUntil > now)
    notes.push(`Kept (busy on purpose) until ${when(view.keepUntil)}: no alerts for it until then.`);
  if (view.status === "open" && view.snoozedUntil !== undefined && view.snoozedUntil > now) notes.push(`Snoozed until ${when(view.snoozedUntil)}.`);
  const d = view.deallocate;
  if (d?.state === "confirming") notes.push(`${d.by} asked to deallocate it. Confirm: the VM stops and its GPUs are released; work in memory and on the temporary disk is lost.`);
  if (d?.state === "running") notes.push(`Deallocating… (asked by ${d.by} at ${when(d.at)}${d.detail ? `; Azure: ${d.detail}` : ""})`);
  if (d?.state === "succeeded") notes.push(`Deallocated by ${d.by} at ${when(d.at)}.`);
  if (d?.state === "failed") notes.push(`Deallocate failed: ${d.detail ?? "Azure did not say why"}. Nothing was changed; try again or deallocate in the portal.`);
  for (const n of notes) parts.push(text(n, d?.state === "failed" ? "error" : "info"));

  const log = view.actions.filter((a) => SHOWN_ACTIONS.has(a.action));
  if (log.length) parts.push(text(`Actions: ${log.map((a) => `${a.detail} (${a.actorName}, ${when(a.at)})`).join(" · ")}`));

  if (view.status === "open") {
    const buttons: Action[] = [];
    if (d?.state === "confirming") {
      buttons.push({ verb: IDLE_ACTIONS.confirm, label: "Yes, deallocate", style: "danger", payload: { alert: view.id } });
      buttons.push({ verb: IDLE_ACTIONS.cancel, label: "Cancel", payload: { alert: view.id } });
    } else if (d?.state !== "running" && d?.state !== "succeeded") {
      buttons.push({ verb: IDLE_ACTIONS.snooze, label: "Snooze 4 h", payload: { alert: view.id, hours: 4 } });
      buttons.push({ verb: IDLE_ACTIONS.snooze, label: "Snooze 24 h", payload: { alert: view.id, hours: 24 } });
      buttons.push({ verb: IDLE_ACTIONS.keep, label: "Keep 7 days", payload: { alert: view.id } });
      if (s.kind === "vm") buttons.push({ verb: IDLE_ACTIONS.deallocate, label: "Deallocate…", style: "danger", payload: { alert: view.id } });
    }
    if (buttons.length) parts.push(actions(buttons));
  }
  return reply(title, parts, { context: [`Measured ${when(s.at)}. Money at pay-as-you-go list price, not your bill.`] });
}
