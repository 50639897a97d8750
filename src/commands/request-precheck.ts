/**
 * The pre-check a requester sees before anyone is asked: is the size offered in that region to
 * this subscription (restrictions, zones), does it fit the family quota and the regional cap,
 * what it costs at list price, and what the policy asks (one or two approvals, the lease cap).
 * Azure failures become lines saying what could not be checked, never a crash.
 */
import { formatHours } from "../domain/duration.ts";
import { type Fraction, toNumber } from "../domain/fraction.ts";
import { normaliseFamily, normaliseSize, type SizeInfo } from "../domain/gpu-catalogue.ts";
import { approvalsNeeded, type PrecheckResult, type RequestPolicy, type RequestSpec } from "../domain/gpu-request.ts";
import { formatHourly, formatMoney } from "../domain/money.ts";
import { fitsQuota } from "../domain/quota-headroom.ts";
import { type SkuOffer, toOffer } from "../domain/sku-offer.ts";
import { asGpuopsError } from "../errors.ts";
import type { Services, Usage } from "../services/ports.ts";
import { shortSize } from "./format.ts";
import type { ParsedRequest } from "./request-parse.ts";

export const REGIONAL_CAP = "cores";

export interface PrecheckOutcome {
  spec: RequestSpec;
  result: PrecheckResult;
}

/** GPUs per VM as a number (fractional shares count as a share of one GPU). */
const gpusPerVm = (g: Fraction | null): number => (g ? toNumber(g) : 0);

/** For a GPU-count request: the offered size that gives `gpus` with the fewest VMs (whole multiples first). */
export function chooseSize(offers: SkuOffer[], gpus: number): { offer: SkuOffer; vmCount: number } | undefined {
  const usable = offers.filter((o) => o.available && gpusPerVm(o.info.gpus) >= 1 && o.info.status.kind !== "retired");
  if (usable.length === 0) return undefined;
  const scored = usable.map((offer) => {
    const per = gpusPerVm(offer.info.gpus);
    const vmCount = Math.ceil(gpus / per);
    return { offer, vmCount, waste: vmCount * per - gpus };
  });
  scored.sort((a, b) => a.waste - b.waste || a.vmCount - b.vmCount || a.offer.info.vcpus - b.offer.info.vcpus);
  const best = scored[0];
  return best ? { offer: best.offer, vmCount: best.vmCount } : undefined;
}

function quotaLines(vmCount: number, info: SizeInfo, usages: Usage[]): Pick<PrecheckResult, "fits" | "shortByVcpus" | "quotaFamily" | "quotaTarget"> & { lines: string[] } {
  const family = info.family;
  const row = family ? usages.find((u) => normaliseFamily(u.name) === normaliseFamily(family)) : undefined;
  const regional = usages.find((u) => u.name === REGIONAL_CAP);
  const familyLine = { current: row?.current ?? 0, limit: row?.limit ?? 0 };
  const fit = fitsQuota(vmCount, info.vcpus, familyLine, regional);
  const familyName = row?.name ?? family ?? "its family";
  const familyFree = Math.max(0, familyLine.limit - familyLine.current);
  const regionalText = regional ? `; regional cap ${Math.max(0, regional.limit - regional.current)} of ${regional.limit} vCPUs free` : "";
  if (fit.fits) {
    return {
      fits: true,
      shortByVcpus: 0,
      lines: [`Quota: fits: needs ${fit.neededVcpus} vCPUs; ${familyFree} of ${familyLine.limit} vCPUs free in ${familyName}${regionalText}`],
    };
  }
  const familyShort = Math.max(0, fit.neededVcpus - familyFree);
  const out: ReturnType<typeof quotaLines> = {
    fits: false,
    shortByVcpus: fit.shortBy,
    lines: [
      `Quota: needs a quota increase of ${fit.shortBy} vCPUs: ${fit.neededVcpus} vCPUs needed; ${familyFree} of ${familyLine.limit} vCPUs free in ${familyName}${regionalText}`,
    ],
  };
  // The family limit is what Microsoft.Quota raises per family; a regional shortfall needs "cores" raised too.
  if (familyShort > 0 && row) {
    out.quotaFamily = row.name;
    out.quotaTarget = familyLine.limit + familyShort;
  } else if (regional && fit.binding === "regional") {
    out.quotaFamily = REGIONAL_CAP;
    out.quotaTarget = regional.limit + fit.shortBy;
  }
  return out;
}

/**
 * Checks a parsed request against Azure and the policy. `subscription` is where it would run.
 * Returns a spec (size resolved for GPU-model requests) and the pre-check lines.
 */
export async function precheck(parsed: ParsedRequest, subscription: { id: string; name: string }, services: Services, policy: RequestPolicy): Promise<PrecheckOutcome> {
  const lines: string[] = [];
  let blocking: string | undefined;
  let offers: SkuOffer[] = [];
  let skusFailed: string | undefined;
  try {
    offers = (await services.skus.listVmSkus(subscription.id, parsed.region)).map(toOffer).filter((o): o is SkuOffer => o !== undefined);
  } catch (err) {
    skusFailed = asGpuopsError(err).message;
  }

  let info: SizeInfo | undefined;
  let vmCount = parsed.count;
  let offer: SkuOffer | undefined;
  if (parsed.target.kind === "size") {
    info = parsed.target.size;
    const wanted = normaliseSize(parsed.target.size.size);
    offer = offers.find((o) => normaliseSize(o.info.size) === wanted);
  } else {
    const keys = new Set(parsed.target.models.map((m) => m.key));
    const chosen = chooseSize(
      offers.filter((o) => o.info.gpu && keys.has(o.info.gpu.key)),
      parsed.count,
    );
    if (chosen) {
      offer = chosen.offer;
      info = chosen.offer.info;
      vmCount = chosen.vmCount;
      lines.push(`Size: ${parsed.count} ${parsed.target.label} GPU${parsed.count === 1 ? "" : "s"} → ${vmCount} × ${shortSize(info.size)}`);
    }
  }

  if (skusFailed) {
    lines.push(`Offered: could not be checked (${skusFailed})`);
  } else if (!offer) {
    const what = parsed.target.kind === "size" ? shortSize(parsed.target.size.size) : `No ${parsed.target.label} size`;
    blocking =
      parsed.target.kind === "size"
        ? `${what} is not offered in ${parsed.region} to subscription ${subscription.name}. Try \`where ${what}\` for regions that offer it.`
        : `${what} is offered in ${parsed.region} to subscription ${subscription.name}. Try \`where ${parsed.target.models[0]?.aliases[0] ?? "a100"}\`.`;
    lines.push(`Offered: no, ${blocking}`);
  } else if (!offer.available) {
    blocking = `${shortSize(offer.info.size)} is ${offer.restrictions.join("; ")} (subscription ${subscription.name}).`;
    lines.push(`Offered: no, ${blocking}`);
  } else {
    const zones = offer.zones.length ? `zones ${offer.zones.join(", ")}` : "regional (no zones)";
    lines.push(`Offered: yes, in ${parsed.region}, ${zones}${offer.restrictions.length ? `; ${offer.restrictions.join("; ")}` : ""}`);
  }

  // A GPU-model request whose size could not be resolved has nothing more to check.
  if (!info) {
    const spec: RequestSpec = {
      subscriptionId: subscription.id,
      region: parsed.region,
      size: "unknown",
      vmCount: parsed.count,
      gpus: parsed.count,
      hours: parsed.hours,
      reason: parsed.reason,
    };
    if (parsed.costCenter) spec.costCenter = parsed.costCenter;
    return { spec, result: { offered: false, fits: false, shortByVcpus: 0, lines, blocking: blocking ?? "The size could not be resolved." } };
  }

  const gpus = Math.ceil(vmCount * gpusPerVm(info.gpus));
  const spec: RequestSpec = { subscriptionId: subscription.id, region: parsed.region, size: info.size, vmCount, gpus, hours: parsed.hours, reason: parsed.reason };
  if (parsed.costCenter) spec.costCenter = parsed.costCenter;

  const result: PrecheckResult = { offered: offer?.available ?? false, fits: false, shortByVcpus: 0, lines };
  const unchecked: string[] = [];
  if (skusFailed) unchecked.push(`offer: ${skusFailed}`);
  try {
    const q = quotaLines(vmCount, info, await services.usages.listUsages(subscription.id, parsed.region));
    result.fits = q.fits;
    result.shortByVcpus = q.shortByVcpus;
    if (q.quotaFamily !== undefined) result.quotaFamily = q.quotaFamily;
    if (q.quotaTarget !== undefined) result.quotaTarget = q.quotaTarget;
    lines.push(...q.lines);
  } catch (err) {
    const why = asGpuopsError(err).message;
    lines.push(`Quota: could not be checked (${why})`);
    unchecked.push(`quota: ${why}`);
  }
  if (unchecked.length) result.unchecked = unchecked;

  try {
    const price = await services.prices.hourlyPrice(info.size, parsed.region);
    if (price.known) {
      const amount = price.perHour * vmCount * parsed.hours;
      result.estimatedCost = { amount, currency: price.currency };
      lines.push(
        `Estimated cost: ${formatMoney(amount, price.currency)} (list price ${formatHourly(price.perHour, price.currency)} × ${vmCount} VM${vmCount === 1 ? "" : "s"} × ${parsed.hours} h)`,
      );
    } else {
      lines.push(`Estimated cost: no list price for ${shortSize(info.size)} in ${parsed.region} (${price.reason})`);
    }
  } catch (err) {
    lines.push(`Estimated cost: no list price (${asGpuopsError(err).message})`);
  }

  const needed = approvalsNeeded(gpus, policy);
  lines.push(
    `Policy: ${gpus} GPU${gpus === 1 ? "" : "s"}, ${needed === 2 ? "two approvals" : "one approval"} (two above ${policy.twoApprovalsAboveGpus} GPUs); leases up to ${formatHours(policy.maxHours)}`,
  );
  if (blocking !== undefined) result.blocking = blocking;
  return { spec, result };
}
