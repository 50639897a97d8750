/**
 * `skus [region] [gpu|family|size]`: the GPU sizes a region offers this subscription, with each
 * size's list price per hour (one Retail Prices lookup per region, cached; never a call per row).
 */
import { toNumber } from "../domain/fraction.ts";
import { effectiveStatus } from "../domain/gpu-catalogue.ts";
import { formatMaybeHourly, type MaybePrice } from "../domain/money.ts";
import { type SkuOffer, toOffer } from "../domain/sku-offer.ts";
import { type Column, type Outcome, type Part, type Reply, type Row, reply, table, text, userError } from "../reply/reply.ts";
import type { SizeFilter } from "./args.ts";
import { derivedMemo } from "./derived-memo.ts";
import { formatMaybeMonthly, gpuMemText, gpuText, HOURS_PER_MONTH, listPriceNote, MONTHLY_NOTE, regionLabel, shortSize, statusText, takeMonthly } from "./format.ts";
import { type Gathered, gather, partialNotes } from "./partial.ts";
import { parseRegionAndFilter } from "./region-and-filter.ts";
import type { CommandContext, Verb } from "./types.ts";

type Subscription = { id: string; name: string };
type SkusKey = { sub: Subscription; region: string };
type PricedOffer = { o: SkuOffer; price: MaybePrice };
/** One region × size × what it offers, with the subscriptions that see it that way. */
type MergedOffer = { region: string; o: SkuOffer; price: MaybePrice; subs: string[] };

/**
 * Every subscription × region's matching offers with their list price. The price port reads a
 * region's whole price list once (and caches it), so a price per row costs no extra call; price
 * failures become "price lookup failed" and are collected in `priceErrors`.
 */
function lookupPricedOffers(ctx: CommandContext, keys: SkusKey[], filter: SizeFilter | undefined, priceErrors: Set<string>): Promise<Gathered<SkusKey, PricedOffer[]>> {
  const priceOf = (size: string, region: string): Promise<MaybePrice> =>
    ctx.services.prices.hourlyPrice(size, region).catch((err: unknown): MaybePrice => {
      priceErrors.add(err instanceof Error ? err.message.slice(0, 200) : String(err));
      return { known: false, reason: "price lookup failed" };
    });
  return gather(keys, async ({ sub: s, region: r }) => {
    const offers = (await ctx.services.skus.listVmSkus(s.id, r)).map(toOffer).filter((o): o is SkuOffer => o !== undefined && matches(o, filter));
    const prices = await Promise.all(offers.map((o) => priceOf(o.info.size, r)));
    return offers.map((o, i) => ({ o, price: prices[i] as MaybePrice }));
  });
}

/** One row per region × size × what it offers, in the regions' order, then GPU, vCPUs, size, subscriptions. */
function mergeOffers(g: Gathered<SkusKey, PricedOffer[]>, regions: string[]): MergedOffer[] {
  const merged = new Map<string, MergedOffer>();
  for (const { key, value } of g.ok) {
    for (const { o, price } of value) {
      const id = `${key.region}|${o.info.size}|${o.zones.join(",")}|${o.restrictions.join(";")}`;
      const m = merged.get(id);
      if (m) m.subs.push(key.sub.name);
      else merged.set(id, { region: key.region, o, price, subs: [key.sub.name] });
    }
  }
  const regionOrder = new Map(regions.map((r, i) => [r, i]));
  return [...merged.values()].sort(
    (a, b) =>
      (regionOrder.get(a.region) ?? 0) - (regionOrder.get(b.region) ?? 0) ||
      (a.o.info.gpu?.name ?? "").localeCompare(b.o.info.gpu?.name ?? "") ||
      a.o.info.vcpus - b.o.info.vcpus ||
      a.o.info.size.localeCompare(b.o.info.size) ||
      a.subs.join().localeCompare(b.subs.join()),
  );
}

function sizeRecord({ region, o, price, subs: seenBy }: MergedOffer, now: () => Date, monthly: boolean): Record<string, unknown> {
  return {
    region,
    subscriptions: seenBy,
    size: o.info.size,
    gpu: o.info.gpu?.name ?? null,
    gpus: o.info.gpus ? toNumber(o.info.gpus) : null,
    gpuMemoryGb: o.info.gpuMemoryGb,
    vcpus: o.info.vcpus,
    memoryGib: o.info.memoryGib,
    zones: o.zones,
    offered: o.available,
    restrictions: o.restrictions,
    status: effectiveStatus(o.info.status, now().toISOString()),
    listPricePerHour: price.known ? { amount: price.perHour, currency: price.currency } : null,
    ...(monthly ? { listPricePerMonth: price.known ? { amount: price.perHour * HOURS_PER_MONTH, currency: price.currency } : null } : {}),
  };
}

/** `subscription` is "all" when every subscription that answered in the region sees the size this way. */
function sizeRow({ region, o, price }: MergedOffer, subscription: string, now: () => Date, monthly: boolean): Row {
  return {
    subscription,
    region,
    size: shortSize(o.info.size),
    gpu: gpuText(o.info),
    gpuMem: gpuMemText(o.info),
    vcpus: String(o.info.vcpus),
    ram: `${o.info.memoryGib} GiB`,
    zones: o.zones.length ? o.zones.join(", ") : o.available ? "regional" : "—",
    availability: o.restrictions.length ? o.restrictions.join("; ") : "available",
    status: statusText(o.info, now()),
    price: monthly ? formatMaybeMonthly(price) : formatMaybeHourly(price),
  };
}

/** No size to list: why, and where to look next. */
function emptySkusParts(ctx: CommandContext, outcome: Outcome, filter: SizeFilter | undefined, filterText: string, regions: string[], what: string, where: string): Part[] {
  const none =
    outcome === "azure_error"
      ? "Azure did not answer for any region."
      : filter?.kind === "size"
        ? `${what} is not offered ${where} to this subscription.`
        : `No ${what} are offered ${where} to this subscription.`;
  // A region gpuops does not watch (GPUOPS_REGIONS) is fine to ask, but `where` will not search it: say so.
  const unwatched =
    regions.length === 1 && !ctx.settings.regions.includes(regions[0] as string) ? ` (${regions[0]} is not one of the regions \`where\` searches: GPUOPS_REGIONS)` : "";
  const hint =
    outcome === "azure_error"
      ? text("Try again in a minute, or `status`.")
      : filter
        ? text(`Try \`where ${filterText}\` to find regions that offer it${unwatched}.`)
        : text(`Try \`skus ${ctx.settings.regions[0] ?? "eastus"}\`, or \`where <gpu>\` (e.g. \`where a100\`) to find regions that offer a GPU${unwatched}.`);
  return [text(none, outcome === "azure_error" ? "error" : "info"), hint];
}

function skusColumns(subs: Subscription[], regions: string[], monthly: boolean): Column[] {
  return [
    ...(subs.length > 1 ? [{ key: "subscription", label: "Subscriptions", priority: 2 as const, kind: "name" as const }] : []),
    ...(regions.length > 1 ? [{ key: "region", label: "Region", priority: 2 as const, kind: "name" as const }] : []),
    { key: "size", label: "Size", priority: 1 as const, kind: "size" as const },
    { key: "gpu", label: "GPU", priority: 1 as const, kind: "name" as const },
    { key: "gpuMem", label: "GPU memory", align: "right" as const, priority: 2 as const, kind: "number" as const },
    { key: "vcpus", label: "vCPUs", align: "right" as const, priority: 3 as const, kind: "number" as const },
    { key: "ram", label: "RAM", align: "right" as const, priority: 3 as const, kind: "number" as const },
    { key: "zones", label: "Zones", priority: 3 as const, kind: "text" as const },
    { key: "availability", label: "Availability", priority: 3 as const, kind: "text" as const },
    { key: "status", label: "Status", priority: 2 as const, kind: "text" as const },
    { key: "price", label: monthly ? "List price/month" : "List price/h", align: "right" as const, priority: 1 as const, kind: "money" as const },
  ];
}

/** Warm answers: kept while the SKU lists and price lists they were built from are still the cached ones. */
const answers = derivedMemo<Reply>();

/** The cached data an answer for `keys` reads, when every piece of it is cached; undefined otherwise. */
function cachedData(ctx: CommandContext, keys: SkusKey[], regions: string[]): object[] | undefined {
  const data: object[] = [];
  for (const k of keys) {
    const list = ctx.services.skus.cachedVmSkus?.(k.sub.id, k.region);
    if (!list) return undefined;
    data.push(list);
  }
  for (const r of regions) {
    const prices = ctx.services.prices.cachedPriceList?.(r);
    if (!prices) return undefined;
    data.push(prices);
  }
  return data;
}

const sameData = (a: object[] | undefined, b: object[] | undefined) => a !== undefined && b !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);

export const skusVerb: Verb = {
  name: "skus",
  summary: "GPU sizes a region offers this subscription: GPU model × count, memory, zones, restrictions, list price per hour",
  usage: "skus [region] [gpu|family|size] [monthly]",
  examples: ["skus swedencentral a100", 'skus "East US" h100', "skus eastus", "skus t4"],
  details:
    'Without a region, every configured region is asked. Restricted sizes are listed with the restriction in plain words. Prices are pay-as-you-go Linux list prices from the Azure Retail Prices API, cached for a day; "no list price" when Azure publishes none. monthly shows them per month (730 hours).',
  async run(allArgs, _req, ctx) {
    const { monthly, rest: args } = takeMonthly(allArgs);
    const parsed = parseRegionAndFilter(args, "skus", ctx.settings.regions);
    if ("reply" in parsed) return parsed.reply;
    const { regions, filter } = parsed;
    const filterText = parsed.filterText ?? filter?.label ?? "";
    const subs = await ctx.services.scope.subscriptions();
    const sub = subs[0];
    if (!sub) return userError("no_scope", "No Azure subscription is in scope.", "set AZURE_SUBSCRIPTION_IDS");
    // What a region offers differs per subscription: every subscription in scope is asked.
    const keys = subs.flatMap((s) => regions.map((region) => ({ sub: s, region })));
    // Everything else the answer depends on: who is asked, what was asked, the day (retirements), the settings.
    const memoKey = [
      subs.map((x) => `${x.id}=${x.name}`).join(","),
      allArgs.join(" "),
      ctx.now().toISOString().slice(0, 10),
      ctx.settings.currency,
      ctx.settings.regions.join(","),
    ].join("|");
    const before = cachedData(ctx, keys, regions);
    const known = before && answers.get(before, memoKey);
    if (known) return known;
    const answer = await answerSkus(ctx, { subs, keys, regions, filter, filterText, monthly });
    // Kept only when it was built from the data still cached now: a refetch in between means the next asker builds it again.
    const after = cachedData(ctx, keys, regions);
    if (answer.outcome === "ok" && sameData(before, after)) answers.set(after as object[], memoKey, answer);
    return answer;
  },
};

interface SkusQuestion {
  subs: Subscription[];
  keys: SkusKey[];
  regions: string[];
  filter: SizeFilter | undefined;
  filterText: string;
  monthly: boolean;
}

async function answerSkus(ctx: CommandContext, q: SkusQuestion): Promise<Reply> {
  const { subs, keys, regions, filter, filterText, monthly } = q;
  const sub = subs[0] as Subscription;
  const priceErrors = new Set<string>();
  const g = await lookupPricedOffers(ctx, keys, filter, priceErrors);
  const answeredIn = (region: string) => g.ok.filter((x) => x.key.region === region).length;
  const rows: Row[] = [];
  const data: Array<Record<string, unknown>> = [];
  let offered = 0;
  let currency: string | undefined;
  for (const m of mergeOffers(g, regions)) {
    if (m.price.known) currency ??= m.price.currency;
    if (m.o.available) offered += 1;
    data.push(sizeRecord(m, ctx.now, monthly));
    rows.push(sizeRow(m, m.subs.length === answeredIn(m.region) && subs.length > 1 ? "all" : m.subs.join(", "), ctx.now, monthly));
  }
  const { notes, outcome } = partialNotes(g, (k) => (subs.length > 1 ? `${k.sub.name} in ${regionLabel(k.region)}` : regionLabel(k.region)));
  const what = filter ? (filter.kind === "size" ? filter.label : `${filter.label} sizes`) : "GPU sizes";
  const where = regions.length === 1 ? `in ${regionLabel(regions[0] as string)}` : `in ${regions.length} regions`;
  const title = `${what} ${where}`;
  const context = [
    subs.length === 1
      ? `Subscription ${sub.name} (${sub.id}).`
      : `${subs.length} subscriptions: ${subs.map((x) => x.name).join(", ")} ("all" where every one that answered sees the size the same way).`,
    ...notes,
  ];
  if (rows.length > 0) context.push(listPriceNote(currency ?? ctx.settings.currency));
  if (rows.length > 0 && monthly) context.push(MONTHLY_NOTE);
  if (priceErrors.size > 0) context.push(`Some list prices could not be read (shown as "no list price"): ${[...priceErrors][0]}`);
  if (rows.length === 0) {
    return reply(title, emptySkusParts(ctx, outcome, filter, filterText, regions, what, where), {
      context,
      data: { kind: "skus", regions, subscriptions: subs.map((x) => ({ id: x.id, name: x.name })), sizes: [] },
      outcome,
      ...(outcome === "azure_error" ? { code: g.failed[0]?.error.code ?? "azure_error" } : {}),
    });
  }
  const parts: Part[] = [table(skusColumns(subs, regions, monthly), rows, { narrowHint: regions.length > 1 ? "skus <region> <gpu>" : "skus <region> <gpu>, e.g. a100" })];
  // Listed but blocked everywhere asked: point at the regions that do offer it.
  if (filter && offered === 0) {
    parts.push(
      text(
        `${filter.kind === "size" ? `${filter.label} is` : "These sizes are"} not offered ${where} to this subscription. Try \`where ${filterText}\` to find regions that offer it.`,
        "warning",
      ),
    );
  }
  // Missing prices make the answer partial, as in `running`; the sizes themselves are complete.
  return reply(title, parts, {
    context,
    outcome: outcome === "ok" && priceErrors.size > 0 ? "partial" : outcome,
    data: { kind: "skus", regions, subscriptions: subs.map((x) => ({ id: x.id, name: x.name })), sizes: data },
  });
}

function matches(o: SkuOffer, filter: SizeFilter | undefined): boolean {
  if (!filter) return true;
  const name = o.info.size.toLowerCase();
  return filter.sizes.some((s) => s.size.toLowerCase() === name);
}
