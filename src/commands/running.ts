/**
 * `running [region] [gpu|family|size] [tag:<key>=<value>]`: GPU VMs (and GPU scale-set instances
 * and AKS GPU nodes) running now, from the fleet inventory, each with its list price per hour,
 * and the sum: "12 GPU VMs running ≈ $187/h now". Stopped-but-allocated VMs are named too: they
 * still bill.
 */
import { add, type Fraction, fraction, multiply } from "../domain/fraction.ts";
import { findSize } from "../domain/gpu-catalogue.ts";
import { formatHourly, formatHourlyTotal, NO_LIST_PRICE, sumMoney } from "../domain/money.ts";
import { regionDisplayName, resolveRegion } from "../domain/regions.ts";
import { isTagKey, isTagValue, tagValue } from "../domain/tags.ts";
import { type Part, type Reply, type Row, reply, table, text, userError } from "../reply/reply.ts";
import type { GpuResource, ListPrice } from "../services/ports.ts";
import { filterVocabulary, nearest, nearestRegion, resolveSizeFilter, type SizeFilter } from "./args.ts";
import { gpuNumber, listPriceNote, ownerText, plural, shortSize, someNames } from "./format.ts";
import type { Verb } from "./types.ts";

export interface RunningArgs {
  region?: string;
  filter?: SizeFilter;
  tag?: { key: string; value: string };
}

const EXAMPLE = "running eastus a100";

/** Parses the words after `running`. Never throws; anything unexpected is a user error with an example. */
export function parseRunningArgs(args: string[]): RunningArgs | { error: Reply } {
  const out: RunningArgs = {};
  const fail = (problem: string, example = EXAMPLE) => ({ error: userError("bad_running_args", problem, example) });
  const tokens = args.filter((a) => a.trim() !== "");
  for (let i = 0; i < tokens.length; i++) {
    const raw = tokens[i] as string;
    const tag = /^tag[:=]/i.exec(raw);
    if (tag) {
      const m = /^tag[:=]([^=]*)=(.*)$/i.exec(raw);
      if (!m) return fail(`A tag filter looks like tag:<key>=<value>, e.g. tag:team=research (got "${raw.slice(0, 40)}").`, "running tag:team=research");
      const [key, value] = [m[1] as string, m[2] as string];
      if (!isTagKey(key))
        return fail(`"${key.slice(0, 40)}" is not a tag key I can filter on: letters, digits, "-", "_", "." or ":" (starting with a letter).`, "running tag:team=research");
      if (!isTagValue(value)) return fail(`"${value.slice(0, 40)}" is not a tag value I can filter on: letters, digits and "-_.:@+".`, "running tag:owner=alice@contoso.com");
      if (out.tag) return fail("Filter on one tag at a time.", "running tag:team=research");
      out.tag = { key, value };
      continue;
    }
    // Regions may be several words ("east us 2"): take the longest run that names one.
    let region: string | undefined;
    let used = 0;
    for (let n = Math.min(4, tokens.length - i); n >= 1 && !region; n--) {
      region = resolveRegion(tokens.slice(i, i + n).join(" "));
      if (region) used = n;
    }
    if (region) {
      if (out.region && out.region !== region) return fail(`Pick one region, not both ${out.region} and ${region}.`);
      out.region = region;
      i += used - 1;
      continue;
    }
    const filter = resolveSizeFilter(raw);
    if (filter) {
      if (out.filter) return fail(`Pick one GPU, size or family, not both ${out.filter.label} and ${filter.label}.`);
      out.filter = filter;
      continue;
    }
    const guess = nearestRegion(raw) ?? nearest(raw, filterVocabulary(), 2);
    return fail(`I don't know "${raw.slice(0, 40)}" as a region, GPU, size or tag filter.${guess ? ` Did you mean ${guess}?` : ""}`);
  }
  return out;
}

const KIND_LABEL: Record<GpuResource["kind"], string> = { vm: "VM", vmss: "scale set", "aks-pool": "AKS pool" };

function gpusText(r: GpuResource): string {
  const size = findSize(r.size);
  return size ? gpuNumber(multiply(size.gpus, r.instances)) : "?";
}

export const runningVerb: Verb = {
  name: "running",
  summary: "GPU VMs running now with their list price per hour, and the total",
  usage: "running [region] [gpu|family|size] [tag:<key>=<value>]",
  examples: ["running", "running eastus", "running a100", "running tag:team=research"],
  details:
    "From Azure Resource Graph (one query over every subscription in scope). Prices are pay-as-you-go Linux list prices from the Azure Retail Prices API, cached for a day; what you pay may be lower with reservations or savings plans. Scale sets and AKS node pools count each instance.",
  async run(args, _req, ctx) {
    const parsed = parseRunningArgs(args);
    if ("error" in parsed) return parsed.error;
    const subs = await ctx.services.scope.subscriptions();
    const names = new Map(subs.map((s) => [s.id.toLowerCase(), s.name]));
    const inventory = await ctx.services.fleet.gpuInventory(subs.map((s) => s.id));
    const wantedSizes = parsed.filter ? new Set(parsed.filter.sizes.map((s) => s.size.toLowerCase())) : undefined;
    const matches = (r: GpuResource) =>
      (!parsed.region || r.region === parsed.region) &&
      (!wantedSizes || wantedSizes.has(r.size.toLowerCase())) &&
      (!parsed.tag || tagValue(r.tags, parsed.tag.key)?.toLowerCase() === parsed.tag.value.toLowerCase());
    const selected = inventory.resources.filter(matches);
    // Azure bills a VM from start-up: Starting ones are counted with the running ones, and marked.
    const running = selected.filter((r) => (r.powerState === "running" || r.powerState === "starting") && r.instances > 0);
    const starting = running.filter((r) => r.powerState === "starting").reduce((n, r) => n + r.instances, 0);
    const stoppedBilled = selected.filter((r) => r.powerState === "stopped");

    const pairs = [...new Set(running.map((r) => `${r.region}|${r.size}`))];
    const priceErrors: string[] = [];
    const prices = new Map<string, ListPrice>(
      await Promise.all(
        pairs.map(async (key): Promise<[string, ListPrice]> => {
          const [region, size] = key.split("|") as [string, string];
          try {
            return [key, await ctx.services.prices.hourlyPrice(size, region)];
          } catch (err) {
            const message = err instanceof Error ? err.message : String(err);
            if (!priceErrors.includes(message)) priceErrors.push(message);
            return [key, { known: false, reason: "price lookup failed" }];
          }
        }),
      ),
    );
    const priceOf = (r: GpuResource) => prices.get(`${r.region}|${r.size}`) ?? ({ known: false, reason: "not looked up" } as ListPrice);

    const where = [parsed.filter?.label, parsed.region && `in ${parsed.region}`, parsed.tag && `tagged ${parsed.tag.key}=${parsed.tag.value}`].filter(Boolean).join(" ");
    const title = `GPU VMs running now${where ? ` (${where})` : ""}`;
    const context: string[] = [];
    const missingNotes = inventory.missing.map(
      (m) => `Missing subscription ${names.get(m.subscriptionId) ?? m.subscriptionId} (${m.subscriptionId}): ${m.reason}; give the bot's identity the ${m.role} role there.`,
    );
    const outcome = inventory.missing.length === 0 && priceErrors.length === 0 ? "ok" : inventory.missing.length >= subs.length ? "azure_error" : "partial";

    const parts: Part[] = [];
    const instances = running.reduce((n, r) => n + r.instances, 0);
    const priced = running.filter((r) => priceOf(r).known);
    const currency = priced.map((r) => priceOf(r)).find((p): p is Extract<ListPrice, { known: true }> => p.known)?.currency ?? ctx.settings.currency;
    const total = sumMoney(priced.map((r) => (priceOf(r) as Extract<ListPrice, { known: true }>).perHour * r.instances));
    const unpriced = running.filter((r) => !priceOf(r).known).reduce((n, r) => n + r.instances, 0);

    if (running.length === 0) {
      parts.push(text(`No GPU VMs are running${where ? ` ${where}` : ""} right now.`, "info"));
    } else {
      const gpus = running.reduce((acc: Fraction, r) => {
        const s = findSize(r.size);
        return s ? add(acc, multiply(s.gpus, r.instances)) : acc;
      }, fraction(0));
      parts.push(
        text(
          `${plural(instances, "GPU VM")} running ≈ ${formatHourlyTotal(total, currency)} now${unpriced > 0 ? ` (+ ${unpriced} without a list price, not counted)` : ""}; ${gpus.den === 1 ? gpus.num : `≈ ${(gpus.num / gpus.den).toFixed(1)}`} GPUs.${starting > 0 ? ` ${starting} of them ${starting === 1 ? "is" : "are"} starting (marked): Azure bills from start-up.` : ""}`,
        ),
      );
      const rows: Row[] = running
        .map((r) => ({ r, price: priceOf(r) }))
        .sort((a, b) => (b.price.known ? b.price.perHour * b.r.instances : -1) - (a.price.known ? a.price.perHour * a.r.instances : -1) || a.r.name.localeCompare(b.r.name))
        .map(({ r, price }) => ({
          name: r.powerState === "starting" ? `${r.name} (starting)` : r.name,
          kind: r.kind === "vm" ? "VM" : `${KIND_LABEL[r.kind]} × ${r.instances}`,
          size: shortSize(r.size),
          gpus: gpusText(r),
          region: r.region,
          subscription: names.get(r.subscriptionId) ?? r.subscriptionId,
          owner: ownerText(r.owner, r.team),
          price: price.known ? formatHourly(price.perHour * r.instances, price.currency) : NO_LIST_PRICE,
        }));
      parts.push(
        table(
          [
            { key: "name", label: "Name", priority: 1, kind: "name" },
            { key: "kind", label: "Kind", priority: 3, kind: "name" },
            { key: "size", label: "Size", priority: 1, kind: "size" },
            { key: "gpus", label: "GPUs", align: "right", priority: 2, kind: "number" },
            { key: "region", label: "Region", priority: 2, kind: "name" },
            ...(subs.length > 1 ? [{ key: "subscription", label: "Subscription", priority: 3 as const, kind: "name" as const }] : []),
            { key: "owner", label: "Owner", priority: 3, kind: "name" },
            { key: "price", label: "List price/h", align: "right" as const, priority: 1 as const, kind: "money" as const },
          ],
          rows,
          { narrowHint: "running <region> <gpu>" },
        ),
      );
    }
    if (stoppedBilled.length > 0) {
      parts.push(
        text(
          `${plural(stoppedBilled.length, "GPU VM")} ${stoppedBilled.length === 1 ? "is" : "are"} stopped but still allocated, so still billed: ${someNames(stoppedBilled.map((r) => r.name))}. Deallocate ${stoppedBilled.length === 1 ? "it" : "them"} to stop the meter.`,
          "warning",
        ),
      );
    }
    context.push(
      listPriceNote(currency),
      `Inventory from Azure Resource Graph at ${inventory.fetchedAt.slice(11, 16)} UTC over ${plural(subs.length, "subscription")}${parsed.region ? ` (${regionDisplayName(parsed.region)})` : ""}.`,
    );
    if (priceErrors.length > 0) context.push(`Some list prices could not be read: ${priceErrors[0]}`);
    if (missingNotes.length > 0) context.push(`Partial answer: ${inventory.missing.length} of ${subs.length} subscriptions are missing.`, ...missingNotes);
    const data = {
      kind: "running",
      at: inventory.fetchedAt,
      vms: instances,
      starting,
      perHour: { amount: total, currency },
      unpricedVms: unpriced,
      resources: running.map((r) => {
        const price = priceOf(r);
        const gpus = findSize(r.size)?.gpus;
        return {
          name: r.name,
          id: r.id,
          kind: r.kind,
          powerState: r.powerState,
          size: r.size,
          instances: r.instances,
          gpus: gpus ? (gpus.num / gpus.den) * r.instances : null,
          region: r.region,
          subscriptionId: r.subscriptionId,
          subscription: names.get(r.subscriptionId) ?? null,
          owner: r.owner ?? null,
          listPricePerHour: price.known ? { amount: price.perHour * r.instances, currency: price.currency } : null,
        };
      }),
      stoppedAllocated: stoppedBilled.map((r) => ({ name: r.name, id: r.id, size: r.size, region: r.region })),
    };
    return reply(title, parts, { context, outcome, data, ...(outcome === "azure_error" ? { code: "azure_forbidden" } : {}) });
  },
};
