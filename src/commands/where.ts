/** `where <gpu|size> [count]`: which regions offer it to this subscription, and how much fits. */
import { type Fraction, formatFraction, multiply, toNumber } from "../domain/fraction.ts";
import { normaliseFamily } from "../domain/gpu-catalogue.ts";
import { formatMaybeHourly, formatMoney, type MaybePrice } from "../domain/money.ts";
import { fitsQuota, headroom } from "../domain/quota-headroom.ts";
import { toOffer, whyNotStartable } from "../domain/sku-offer.ts";
import { type Column, type Reply, type Row, reply, table, text, userError } from "../reply/reply.ts";
import type { Usage, VmSku } from "../services/ports.ts";
import { filterVocabulary, nearest, resolveSizeFilter, type SizeFilter } from "./args.ts";
import { count as countText, formatMaybeMonthly, gpusPhrase, HOURS_PER_MONTH, MONTHLY_NOTE, plural, regionLabel, shortSize, takeMonthly } from "./format.ts";
import { type Gathered, gather, partialNotes } from "./partial.ts";
import { REGIONAL_CAP } from "./quota.ts";
import type { CommandContext, Verb } from "./types.ts";

interface Candidate {
  row: Row;
  /** This offer's data record. */
  record: Record<string, unknown>;
  /** offered, fits, list price per GPU-hour (unknown last), then most headroom. */
  rank: [number, number, number, number];
}

type Subscription = { id: string; name: string };
type WhereKey = { sub: Subscription; region: string };
type WhereLookup = { skus: VmSku[]; usages: Usage[]; prices: Map<string, MaybePrice> };
/** What was asked: the GPU or size, and how many (GPUs for a GPU model, VMs for a size). */
type WhereAsk = { filter: SizeFilter; count: number | undefined; monthly: boolean };

function parseWhereArgs(allArgs: string[]): WhereAsk | { reply: Reply } {
  const { monthly, rest: args } = takeMonthly(allArgs);
  if (args.length === 0) return { reply: userError("missing_gpu", "Tell me which GPU or size to look for.", "where a100 8") };
  let count: number | undefined;
  const last = args[args.length - 1] as string;
  let words = args;
  if (/^\d{1,5}$/.test(last) && args.length > 1) {
    count = Number(last);
    words = args.slice(0, -1);
    if (count < 1) return { reply: userError("bad_count", "The count must be at least 1.", "where a100 8") };
  }
  const phrase = words.join(" ");
  const filter = resolveSizeFilter(phrase);
  if (!filter) {
    const guess = nearest(phrase.replace(/\s+/g, ""), filterVocabulary(), 3);
    return {
      reply: userError(
        "unknown_gpu",
        `I don't know the GPU or size "${phrase.slice(0, 60)}".${guess ? ` Did you mean ${guess}?` : ""}`,
        `where ${guess ?? "a100"}${count ? ` ${count}` : ""}`,
      ),
    };
  }
  return { filter, count, monthly };
}

/**
 * Asks every subscription × region for its SKUs, usages and the list prices of the wanted sizes.
 * One cached price list per region (the port reads a region once), so prices add no call per row;
 * price failures become "no list price" and are collected in `priceErrors`.
 */
function lookupOffers(ctx: CommandContext, keys: WhereKey[], wanted: Set<string>, priceErrors: Set<string>): Promise<Gathered<WhereKey, WhereLookup>> {
  const priceOf = (size: string, region: string): Promise<MaybePrice> =>
    ctx.services.prices.hourlyPrice(size, region).catch((err: unknown): MaybePrice => {
      priceErrors.add(err instanceof Error ? err.message.slice(0, 200) : String(err));
      return { known: false, reason: "price lookup failed" };
    });
  return gather(keys, async ({ sub, region }) => {
    const [skus, usages] = await Promise.all([ctx.services.skus.listVmSkus(sub.id, region), ctx.services.usages.listUsages(sub.id, region)]);
    const offered = skus.filter((s) => wanted.has(s.name.toLowerCase()));
    const prices = new Map(await Promise.all(offered.map(async (s) => [s.name.toLowerCase(), await priceOf(s.name, region)] as const)));
    return { skus, usages, prices };
  });
}

/** The "can start" column: offered or not, then quota for one VM or for the count asked. */
function fitText(available: boolean, offerAvailable: boolean, count: number | undefined, vms: number, vmsWanted: number, fit: ReturnType<typeof fitsQuota>): string {
  return !available
    ? offerAvailable
      ? "cannot start"
      : "not offered"
    : count === undefined
      ? vms > 0
        ? "yes"
        : "needs quota"
      : fit.fits
        ? `fits ${vmsWanted} VM${vmsWanted === 1 ? "" : "s"}`
        : `needs +${countText(fit.shortBy)} vCPUs (${fit.binding === "regional" ? "regional cap" : "family quota"})`;
}

/** One offered size in one subscription × region: its row, its data record and its rank; undefined when not a GPU offer. */
function offerCandidate(key: WhereKey, sku: VmSku, value: WhereLookup, ask: WhereAsk, today: string): Candidate | undefined {
  const { region, sub } = key;
  const { filter, count } = ask;
  const offer = toOffer(sku);
  if (!offer) return undefined;
  const regional = value.usages.find((u) => u.name === REGIONAL_CAP);
  // Restricted in every zone, or retired: listed, but nothing can be started.
  const blocked = whyNotStartable(sku, offer, today);
  const available = blocked === undefined;
  const fam = value.usages.find((u) => normaliseFamily(u.name) === normaliseFamily(sku.family)) ?? { current: 0, limit: 0, name: sku.family, localizedName: sku.family };
  const h = headroom(fam, regional, { vcpus: offer.info.vcpus, gpus: offer.info.gpus });
  // count means GPUs for a GPU model, VMs for a size.
  const vmsWanted = count === undefined ? 1 : filter.kind === "size" || !offer.info.gpus ? count : Math.ceil(count / toNumber(offer.info.gpus));
  const fit = fitsQuota(vmsWanted, offer.info.vcpus, fam, regional);
  const gpus: Fraction | null = h.gpus;
  const price = value.prices.get(sku.name.toLowerCase()) ?? { known: false, reason: "no list price" };
  const perGpuHour = price.known && offer.info.gpus ? price.perHour / toNumber(offer.info.gpus) : Number.POSITIVE_INFINITY;
  const fitsNow = available && (count === undefined ? h.vms > 0 : fit.fits);
  return {
    record: {
      subscription: sub.name,
      subscriptionId: sub.id,
      region,
      size: offer.info.size,
      zones: offer.zones,
      offered: available,
      restrictions: blocked === undefined ? offer.restrictions : [blocked, ...offer.restrictions.filter((x) => x !== blocked)],
      listPricePerHour: price.known ? { amount: price.perHour, currency: price.currency } : null,
      listPricePerGpuHour: price.known && Number.isFinite(perGpuHour) ? { amount: perGpuHour, currency: price.currency } : null,
      ...(ask.monthly ? { listPricePerMonth: price.known ? { amount: price.perHour * HOURS_PER_MONTH, currency: price.currency } : null } : {}),
      headroomVms: available ? h.vms : 0,
      headroomGpus: available && gpus ? toNumber(gpus) : null,
      vmsWanted: count === undefined ? null : vmsWanted,
      fits: fitsNow,
      shortByVcpus: available && count !== undefined && !fit.fits ? fit.shortBy : null,
      binding: available && count !== undefined && !fit.fits ? fit.binding : null,
    },
    row: {
      subscription: sub.name,
      region,
      size: shortSize(offer.info.size),
      zones: offer.zones.length ? offer.zones.join(", ") : available ? "regional" : "—",
      availability: blocked !== undefined && offer.available ? blocked : offer.restrictions.length ? offer.restrictions.join("; ") : "available",
      // Sizes carry 1 to 8 GPUs, so the order is by price per GPU-hour; show it where it differs.
      price: `${ask.monthly ? formatMaybeMonthly(price) : formatMaybeHourly(price)}${price.known && Number.isFinite(perGpuHour) && perGpuHour !== price.perHour ? ` (${formatMoney(perGpuHour * (ask.monthly ? HOURS_PER_MONTH : 1), price.currency)} per GPU)` : ""}`,
      // Quota for a size the region does not offer is beside the point.
      headroom: available ? `${plural(h.vms, "VM")} (${gpus ? gpusPhrase(gpus) : "? GPUs"})` : "—",
      fit: fitText(available, offer.available, count, h.vms, vmsWanted, fit),
    },
    rank: [available ? 0 : 1, fitsNow ? 0 : 1, perGpuHour, -(gpus ? toNumber(gpus) : 0)],
  };
}

/** Every wanted size in every answer, best first. */
function rankedCandidates(g: Gathered<WhereKey, WhereLookup>, wanted: Set<string>, ask: WhereAsk, today: string): Candidate[] {
  const candidates: Candidate[] = [];
  for (const { key, value } of g.ok) {
    for (const sku of value.skus) {
      if (!wanted.has(sku.name.toLowerCase())) continue;
      const candidate = offerCandidate(key, sku, value, ask, today);
      if (candidate) candidates.push(candidate);
    }
  }
  return candidates.sort(
    (a, b) => compareRanks(a.rank, b.rank) || (a.row.region ?? "").localeCompare(b.row.region ?? "") || (a.row.subscription ?? "").localeCompare(b.row.subscription ?? ""),
  );
}

function whereColumns(subs: Subscription[], { filter, count, monthly }: WhereAsk): Column[] {
  const perVm = filter.kind === "size" && filter.sizes[0]?.gpus ? ` (${formatFraction(multiply(filter.sizes[0].gpus, 1))} GPU per VM)` : "";
  return [
    ...(subs.length > 1 ? [{ key: "subscription", label: "Subscription", priority: 2 as const, kind: "name" as const }] : []),
    { key: "region", label: "Region", priority: 1, kind: "name" },
    { key: "size", label: "Size", priority: 1, kind: "size" },
    { key: "zones", label: "Zones", priority: 3, kind: "text" },
    { key: "availability", label: "Availability", priority: 3, kind: "text" },
    { key: "price", label: monthly ? "List price/month" : "List price/h", align: "right", priority: 1, kind: "money" },
    { key: "headroom", label: "Quota headroom", align: "right", priority: 2, kind: "number" },
    {
      key: "fit",
      priority: 1,
      kind: "text",
      label: count ? `For ${countText(count)} ${filter.kind === "size" ? (count === 1 ? "VM" : "VMs") : count === 1 ? "GPU" : "GPUs"}${perVm}` : "Can start now",
    },
  ];
}

/** Nothing to list: Azure failed everywhere, nothing offers it, or only what answered does not. */
function noOfferText(g: Gathered<WhereKey, WhereLookup>, outcome: string, filter: SizeFilter, regions: string[], subs: Subscription[], keys: WhereKey[]): string {
  const answered = new Set(g.ok.map((x) => x.key.region));
  return outcome === "azure_error"
    ? "Azure did not answer for any region."
    : g.failed.length === 0
      ? `None of the ${regions.length} regions searched offers ${filter.label} to ${subs.length === 1 ? "this subscription" : `any of the ${subs.length} subscriptions`}.`
      : // Some lookups failed: what did not answer may offer it, so no "none of".
        `No offer of ${filter.label} among the lookups that answered (${g.ok.length} of ${keys.length} subscription × region, ${answered.size} of ${regions.length} regions); the rest could not be read.`;
}

export const whereVerb: Verb = {
  name: "where",
  summary: "Regions that offer a GPU or size to the subscriptions in scope, with restrictions, list price and quota headroom, cheapest fitting first",
  usage: "where <gpu|size> [count] [monthly]",
  examples: ["where h100", "where a100 8", "where NC24ads_A100_v4 2", "where NC40ads_H100_v5 monthly"],
  details:
    "count is GPUs for a GPU model (where a100 8) and VMs for a size (where NC24ads_A100_v4 2); monthly shows list prices per month (730 hours). Regions searched: GPUOPS_REGIONS, in every subscription in scope.",
  async run(args, _req, ctx) {
    const ask = parseWhereArgs(args);
    if ("reply" in ask) return ask.reply;
    const { filter, count } = ask;
    const subs = await ctx.services.scope.subscriptions();
    if (subs.length === 0) return userError("no_scope", "No Azure subscription is in scope.", "set AZURE_SUBSCRIPTION_IDS");
    const regions = ctx.settings.regions;
    const today = ctx.now().toISOString().slice(0, 10);
    const wanted = new Set(filter.sizes.map((s) => s.size.toLowerCase()));
    const priceErrors = new Set<string>();
    // What a region offers, and the quota, differ per subscription: every subscription in scope is asked.
    const keys = subs.flatMap((sub) => regions.map((region) => ({ sub, region })));
    const g = await lookupOffers(ctx, keys, wanted, priceErrors);
    const candidates = rankedCandidates(g, wanted, ask, today);
    const { notes, outcome } = partialNotes(g, (k) => `${k.sub.name} in ${regionLabel(k.region)}`);
    const scope = subs.length === 1 ? `subscription ${subs[0]?.name}` : `${subs.length} subscriptions (${subs.map((x) => x.name).join(", ")})`;
    const title = `Where to get ${count ? `${count} × ` : ""}${filter.label}`;
    const context = [
      `Searched ${regions.length} regions for ${scope}; best first: offered, fits quota, cheapest list price per GPU-hour, most headroom.`,
      ...notes,
      ...(priceErrors.size > 0 ? [`Some list prices could not be read (shown as "no list price"): ${[...priceErrors][0]}`] : []),
      ...(ask.monthly ? [MONTHLY_NOTE] : []),
    ];
    if (candidates.length === 0) {
      return reply(title, [text(noOfferText(g, outcome, filter, regions, subs, keys), outcome === "azure_error" ? "error" : "info")], {
        context,
        outcome,
        data: { kind: "where", gpu: filter.label, count: count ?? null, regions, subscriptions: subs.map((x) => ({ id: x.id, name: x.name })), offers: [] },
      });
    }
    return reply(
      title,
      [
        table(
          whereColumns(subs, ask),
          candidates.map((c) => c.row),
          { narrowHint: "where <size> <count>" },
        ),
      ],
      {
        context,
        outcome: outcome === "ok" && priceErrors.size > 0 ? "partial" : outcome,
        data: {
          kind: "where",
          gpu: filter.label,
          count: count ?? null,
          countUnit: filter.kind === "size" ? "vms" : "gpus",
          regions,
          subscriptions: subs.map((x) => ({ id: x.id, name: x.name })),
          offers: candidates.map((c) => c.record),
        },
      },
    );
  },
};

/** Lexicographic order; Infinity (unknown price) sorts last without NaN from Infinity − Infinity. */
function compareRanks(a: Candidate["rank"], b: Candidate["rank"]): number {
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as number;
    const y = b[i] as number;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
