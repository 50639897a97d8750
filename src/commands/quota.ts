/** `quota [region] [gpu|family|size]`: vCPU quota per GPU family, the regional cap, and what still fits. */

import { toNumber } from "../domain/fraction.ts";
import { findSeriesByFamily, isLegacyGpuFamily, normaliseFamily } from "../domain/gpu-catalogue.ts";
import { headroom } from "../domain/quota-headroom.ts";
import { type FamilyOffers, familyOffers } from "../domain/sku-offer.ts";
import { type Column, type Fact, facts, type Outcome, type Part, type Row, reply, table, text } from "../reply/reply.ts";
import type { Usage, VmSku } from "../services/ports.ts";
import type { SizeFilter } from "./args.ts";
import { gpusPhrase, percent, plural, regionLabel, shortSize } from "./format.ts";
import { type Gathered, gather, partialNotes } from "./partial.ts";
import { parseRegionAndFilter } from "./region-and-filter.ts";
import type { CommandContext, Verb } from "./types.ts";

export const REGIONAL_CAP = "cores";

/** GPU families: catalogue families, legacy N-series families, and anything spelled like one. */
export function isGpuFamily(name: string): boolean {
  return findSeriesByFamily(name) !== undefined || isLegacyGpuFamily(name) || /^standard\s*n[cdvg]/i.test(name);
}

/** One "you can still start" claim, kept as numbers for `--json`. */
export interface StartClaim {
  size: string;
  vms: number;
  gpus: number | null;
}

/**
 * "2 × NC24ads_A100_v4 (2 GPUs); 1 × NC48ads_A100_v4 (2 GPUs)" for each size of the family that the
 * region offers this subscription (Resource SKUs: unrestricted, not retired) and that still fits,
 * smallest first; when none fits, "nothing:" and what is in the way. `offers` undefined: the
 * Resource SKUs lookup failed, so what is offered is unknown and nothing is claimed.
 */
export function whatStillFits(usage: Usage, regional: Usage | undefined, offers: FamilyOffers | undefined): { text: string; claims: StartClaim[] } {
  if (!offers) return { text: "unknown: Azure did not list the sizes offered here", claims: [] };
  const sizes = offers.startable;
  const smallest = sizes[0];
  if (!smallest) {
    const blocked = offers.blocked.map((b) => `${shortSize(b.offer.info.size)} ${b.why}`);
    return {
      text: blocked.length
        ? `nothing: no size of this family can be started here (${blocked.slice(0, 3).join("; ")}${blocked.length > 3 ? "; …" : ""})`
        : "nothing: this region offers no size of this family to this subscription",
      claims: [],
    };
  }
  const fits = sizes.map((o) => ({ o, h: headroom(usage, regional, { vcpus: o.info.vcpus, gpus: o.info.gpus }) })).filter(({ h }) => h.vms > 0);
  if (fits.length > 0) {
    return {
      text: fits.map(({ o, h }) => `${h.vms} × ${shortSize(o.info.size)} (${h.gpus ? gpusPhrase(h.gpus) : "? GPUs"})`).join("; "),
      claims: fits.map(({ o, h }) => ({ size: o.info.size, vms: h.vms, gpus: h.gpus ? toNumber(h.gpus) : null })),
    };
  }
  const h = headroom(usage, regional, { vcpus: smallest.info.vcpus, gpus: null });
  if (usage.limit === 0) return { text: "nothing: no quota in this family (limit 0)", claims: [] };
  if (h.freeVcpus === 0) return { text: h.binding === "regional" ? "nothing: the regional cap is used up" : "nothing: the family quota is used up", claims: [] };
  return {
    text: `nothing: ${h.freeVcpus} vCPUs free (${h.binding === "regional" ? "regional cap" : "family quota"}), the smallest size (${shortSize(smallest.info.size)}) needs ${smallest.info.vcpus}`,
    claims: [],
  };
}

type Subscription = { id: string; name: string };
type QuotaKey = { sub: Subscription; region: string };
/** Usages decide the row; the region's SKUs (per subscription) decide what can be started, and their failure only leaves that column unknown. */
type QuotaLookup = { usages: Usage[]; skus: { ok: true; v: VmSku[] } | { ok: false; err: unknown } };

/** One family row of the answer, with what the ordering and the summary need. */
interface QuotaLine {
  row: Row;
  data: Record<string, unknown>;
  urgency: number;
  free: number;
  inUse: boolean;
}

/** What the per-subscription, per-region answers add up to. */
interface QuotaFindings {
  lines: QuotaLine[];
  caps: Fact[];
  capData: Array<Record<string, unknown>>;
  skuFailures: string[];
  /** Where the answer has no row at all for the asked-for families (not "limit 0": absent). */
  noRow: Map<string, string[]>;
}

async function lookupQuota(ctx: CommandContext, k: QuotaKey): Promise<QuotaLookup> {
  const [usages, skus] = await Promise.all([
    ctx.services.usages.listUsages(k.sub.id, k.region),
    ctx.services.skus.listVmSkus(k.sub.id, k.region).then(
      (v) => ({ ok: true as const, v }),
      (err: unknown) => ({ ok: false as const, err }),
    ),
  ]);
  return { usages, skus };
}

/** The asked-for families, normalised; undefined when no GPU was asked. */
function wantedFamilies(filter: SizeFilter | undefined): Set<string> | undefined {
  return filter
    ? new Set(
        filter.sizes
          .map((s) => s.family)
          .filter((f): f is string => f !== null)
          .map(normaliseFamily),
      )
    : undefined;
}

function quotaLine(key: QuotaKey, u: Usage, regional: Usage | undefined, skus: QuotaLookup["skus"], today: string): QuotaLine {
  const h = headroom(u, regional, { vcpus: 1, gpus: null });
  const legacy = isLegacyGpuFamily(u.name);
  const fits = legacy ? { text: "retired family: no sizes to start", claims: [] } : whatStillFits(u, regional, skus.ok ? familyOffers(skus.v, u.name, today) : undefined);
  const usedFraction = u.limit > 0 ? u.current / u.limit : u.current > 0 ? 1 : 0;
  return {
    row: {
      subscription: key.sub.name,
      region: key.region,
      family: u.name,
      used: `${u.current} / ${u.limit}`,
      pct: percent(u.current, u.limit),
      free: `${h.freeVcpus}${h.binding === "regional" && h.familyFree > h.freeVcpus ? " (regional cap)" : ""}`,
      fits: fits.text,
    },
    data: {
      subscription: key.sub.name,
      subscriptionId: key.sub.id,
      region: key.region,
      family: u.name,
      usedVcpus: u.current,
      limitVcpus: u.limit,
      usedFraction,
      freeVcpus: h.freeVcpus,
      binding: h.binding,
      canStart: fits.claims,
      canStartText: fits.text,
    },
    urgency: usedFraction,
    free: h.freeVcpus,
    inUse: u.current > 0,
  };
}

function collectQuota(g: Gathered<QuotaKey, QuotaLookup>, subs: Subscription[], wanted: Set<string> | undefined, today: string): QuotaFindings {
  const found: QuotaFindings = { lines: [], caps: [], capData: [], skuFailures: [], noRow: new Map() };
  for (const { key, value } of g.ok) {
    const regional = value.usages.find((u) => u.name === REGIONAL_CAP);
    const families = value.usages.filter((u) => isGpuFamily(u.name) && (wanted ? wanted.has(normaliseFamily(u.name)) : u.limit > 0 || u.current > 0));
    if (families.length === 0) {
      if (wanted) found.noRow.set(key.region, [...(found.noRow.get(key.region) ?? []), key.sub.name]);
      continue;
    }
    if (!value.skus.ok) found.skuFailures.push(`${key.sub.name} in ${key.region}`);
    if (regional) {
      found.caps.push({
        label: `${subs.length > 1 ? `${key.sub.name} · ` : ""}${key.region} regional cap`,
        value: `${regional.current} / ${regional.limit} vCPUs used (${percent(regional.current, regional.limit)})`,
      });
      found.capData.push({ subscription: key.sub.name, subscriptionId: key.sub.id, region: key.region, usedVcpus: regional.current, limitVcpus: regional.limit });
    }
    for (const u of families) found.lines.push(quotaLine(key, u, regional, value.skus, today));
  }
  // Most used first (families at or near their cap lead), then least room left; name order breaks ties.
  found.lines.sort(
    (a, b) =>
      b.urgency - a.urgency ||
      a.free - b.free ||
      (a.row.subscription ?? "").localeCompare(b.row.subscription ?? "") ||
      (a.row.region ?? "").localeCompare(b.row.region ?? "") ||
      (a.row.family ?? "").localeCompare(b.row.family ?? ""),
  );
  return found;
}

/** Azure lists a usage row for every family a region offers the subscription, even at limit 0; no row usually means not offered there. */
function notOfferedNote(filter: SizeFilter | undefined, where: string): string {
  const familyNames = filter ? [...new Set(filter.sizes.map((s) => s.family).filter((f): f is string => f !== null))].join(", ") : "";
  return `Azure's quota list has no ${filter?.label} family row (${familyNames}) ${where}, which usually means ${filter?.label} is not offered there: a quota increase would not help.`;
}

/** "eastus, westus3 (ml-research-dev)": a region alone when no subscription has the row there. */
function noRowPlaces(noRow: Map<string, string[]>, subs: Subscription[]): string {
  return [...noRow].map(([region, names]) => (names.length === subs.length ? region : `${region} (${names.join(", ")})`)).join(", ");
}

/** No family row to show at all: why (Azure failed, not offered, nothing in use) and where to look next. */
function emptyQuotaParts(outcome: Outcome, filter: SizeFilter | undefined, filterText: string, regions: string[]): Part[] {
  const msg =
    outcome === "azure_error"
      ? "Azure did not answer for any region."
      : filter
        ? notOfferedNote(filter, regions.length === 1 ? `in ${regions[0]}` : "in any of the regions asked")
        : "No GPU family has any quota or usage in the regions asked.";
  const hint =
    filter && outcome !== "azure_error"
      ? [
          text(
            `Try \`${regions.length === 1 ? `skus ${regions[0]} ${filterText}` : `skus ${filterText}`}\` to see what is offered, or \`where ${filterText}\` for regions that offer it.`,
          ),
        ]
      : [];
  return [text(msg, outcome === "azure_error" ? "error" : "info"), ...hint];
}

function quotaColumns(subs: Subscription[], regions: string[]): Column[] {
  return [
    ...(subs.length > 1 ? [{ key: "subscription", label: "Subscription", priority: 3 as const, kind: "name" as const }] : []),
    ...(regions.length > 1 ? [{ key: "region", label: "Region", priority: 1 as const, kind: "name" as const }] : []),
    { key: "family", label: "GPU family", priority: 1 as const, kind: "name" as const },
    { key: "used", label: "Used / limit (vCPUs)", align: "right" as const, priority: 2 as const, kind: "number" as const },
    { key: "pct", label: "Used", align: "right" as const, priority: 1 as const, kind: "number" as const },
    { key: "free", label: "Free vCPUs", align: "right" as const, priority: 2 as const, kind: "number" as const },
    { key: "fits", label: "You can still start", priority: 2 as const, kind: "text" as const },
  ];
}

/** The families left out of a summarised answer, in one line. */
function hiddenSummary(hidden: QuotaLine[]): Part[] {
  return hidden.length
    ? [
        text(
          `${plural(hidden.length, "more GPU family quota", "more GPU family quotas")} (subscription × region) ${hidden.length === 1 ? "has" : "have"} nothing in use: ${hidden
            .reduce((n, l) => n + l.free, 0)
            .toLocaleString("en-US")} vCPUs free in all. \`quota <region>\` shows one region, \`quota all\` every family.`,
        ),
      ]
    : [];
}

export const quotaVerb: Verb = {
  name: "quota",
  summary: "GPU family vCPU quota (used / limit), the regional cap, and how many more VMs and GPUs fit",
  usage: "quota [region] [gpu|family|size] | quota all",
  examples: ["quota westus", "quota eastus a100", "quota h100", "quota all"],
  details:
    'Quota is counted in vCPUs per family, and every family also shares the regional "Total Regional vCPUs" cap; the smaller of the two decides. Without a region: the families in use, most used first, the rest summed up; `quota all` lists every family.',
  async run(args, _req, ctx) {
    // "all" lists every GPU family with quota; without it and without a region, only families in use.
    const showAll = args.some((w) => w.toLowerCase() === "all");
    const parsed = parseRegionAndFilter(
      args.filter((w) => w.toLowerCase() !== "all"),
      "quota",
      ctx.settings.regions,
    );
    if ("reply" in parsed) return parsed.reply;
    const { regions, filter } = parsed;
    const filterText = parsed.filterText ?? filter?.label ?? "";
    const today = ctx.now().toISOString().slice(0, 10);
    const subs = await ctx.services.scope.subscriptions();
    const keys = subs.flatMap((sub) => regions.map((region) => ({ sub, region })));
    const g = await gather(keys, (k) => lookupQuota(ctx, k));
    const { lines, caps, capData, skuFailures, noRow } = collectQuota(g, subs, wantedFamilies(filter), today);
    // Every region and no GPU asked: the families in use, the rest summed up (`quota all` lists them).
    const summarise = regions.length > 1 && !filter && !showAll;
    const shown = summarise ? lines.filter((l) => l.inUse) : lines;
    const hidden = summarise ? lines.filter((l) => !l.inUse) : [];
    const rows = shown.map((l) => l.row);
    const { notes, outcome: gatheredOutcome } = partialNotes(g, (k) => `${k.sub.name} in ${k.region}`);
    const outcome = gatheredOutcome === "ok" && skuFailures.length > 0 ? "partial" : gatheredOutcome;
    const title = `GPU quota${filter ? ` for ${filter.label}` : ""} ${regions.length === 1 ? `in ${regionLabel(regions[0] as string)}` : `in ${regions.length} regions`}`;
    const context = [
      `vCPU quota per family; a VM also needs room under the regional cap. "You can still start" counts only sizes the region offers the subscription (Resource SKUs: unrestricted, not retired). ${subs.length > 1 ? `${subs.length} subscriptions.` : `Subscription ${subs[0]?.name ?? "?"}.`}`,
      ...notes,
      ...(skuFailures.length > 0
        ? [`Partial answer: Azure did not answer with the sizes offered (Resource SKUs) for ${skuFailures.join(", ")}, so nothing is claimed to fit there.`]
        : []),
    ];
    const data = {
      kind: "quota",
      regions,
      subscriptions: subs.map((s) => ({ id: s.id, name: s.name })),
      regionalCaps: capData,
      families: shown.map((l) => l.data),
      notShown: { families: hidden.length, freeVcpus: hidden.reduce((n, l) => n + l.free, 0) },
    };
    if (rows.length === 0 && hidden.length === 0) {
      return reply(title, emptyQuotaParts(outcome, filter, filterText, regions), {
        context,
        outcome,
        data,
        ...(outcome === "azure_error" ? { code: g.failed[0]?.error.code ?? "azure_error" } : {}),
      });
    }
    if (filter && noRow.size > 0) context.push(notOfferedNote(filter, `in ${noRowPlaces(noRow, subs)}`));
    const summary = hiddenSummary(hidden);
    const parts = rows.length
      ? [facts(caps), table(quotaColumns(subs, regions), rows, { narrowHint: "quota <region> <gpu>" }), ...summary]
      : [facts(caps), text("No GPU family is in use in the regions asked."), ...summary];
    return reply(title, parts, { context, outcome, data });
  },
};
