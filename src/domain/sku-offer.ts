/**
 * What a region offers a subscription, in plain words: a Resource SKU joined with the GPU
 * catalogue, its restrictions turned into sentences a person understands.
 */
import { describeSku, effectiveStatus, formatStatus, normaliseFamily, type SizeInfo } from "./gpu-catalogue.ts";

export interface SkuRestrictionInput {
  type: "Location" | "Zone";
  reasonCode: string;
  zones: string[];
}

export interface SkuInput {
  name: string;
  family: string;
  zones: string[];
  restrictions: SkuRestrictionInput[];
  capabilities: Array<{ name: string; value: string }>;
}

export interface SkuOffer {
  info: SizeInfo;
  /** False when a Location restriction blocks the whole region for this subscription. */
  available: boolean;
  /** Zones still usable after Zone restrictions. */
  zones: string[];
  restrictions: string[];
}

function reasonWords(code: string): string {
  if (code === "NotAvailableForSubscription") return "not offered to this subscription";
  if (code === "QuotaId") return "not available for this subscription's offer type";
  return `restricted (${code})`;
}

export function describeRestriction(r: SkuRestrictionInput): string {
  if (r.type === "Location") return `${reasonWords(r.reasonCode)} in this region`;
  const zones = [...r.zones].sort();
  return `${reasonWords(r.reasonCode)} in zone${zones.length === 1 ? "" : "s"} ${zones.join(", ")}`;
}

/**
 * Offers already derived, per SKU object: the SKU adapter hands out the same cached objects until
 * its TTL ends, so a warm answer looks its offers up instead of re-deriving them. A SKU is data
 * from Azure and is never changed in place; a refreshed list brings new objects (and new offers).
 */
const derived = new WeakMap<SkuInput, SkuOffer | null>();

/** Undefined for SKUs that are not GPU sizes. */
export function toOffer(sku: SkuInput): SkuOffer | undefined {
  const known = derived.get(sku);
  if (known !== undefined) return known ?? undefined;
  const offer = deriveOffer(sku);
  derived.set(sku, offer ?? null);
  return offer;
}

function deriveOffer(sku: SkuInput): SkuOffer | undefined {
  const info = describeSku({ name: sku.name, family: sku.family, capabilities: sku.capabilities });
  if (!info) return undefined;
  const blocked = sku.restrictions.some((r) => r.type === "Location");
  const restrictedZones = new Set(sku.restrictions.filter((r) => r.type === "Zone").flatMap((r) => r.zones));
  return {
    info,
    available: !blocked,
    zones: blocked ? [] : sku.zones.filter((z) => !restrictedZones.has(z)),
    // Blocked in the whole region: its zones are blocked too, so saying so again is noise.
    restrictions: (blocked ? sku.restrictions.filter((r) => r.type === "Location") : sku.restrictions).map(describeRestriction),
  };
}

/** Why a listed size of a family cannot be started now; undefined when it can. */
export function whyNotStartable(sku: SkuInput, offer: SkuOffer, today: string): string | undefined {
  if (!offer.available) return offer.restrictions[0] ?? "not offered in this region";
  // A zonal size whose every zone is restricted cannot be placed anywhere in the region.
  if (sku.zones.length > 0 && offer.zones.length === 0) return "restricted in all its zones";
  const status = effectiveStatus(offer.info.status, today);
  if (status.kind === "retired") return formatStatus(status);
  return undefined;
}

export interface FamilyOffers {
  /** Sizes of the family the subscription can start in the region, fewest vCPUs first. */
  startable: SkuOffer[];
  /** Listed sizes of the family that cannot be started, with the reason. */
  blocked: Array<{ offer: SkuOffer; why: string }>;
}

/**
 * What a quota family can actually be spent on in one region for one subscription: the region's
 * Resource SKUs of that family, minus restricted and retired sizes (as of `today`, an ISO date).
 */
export function familyOffers(skus: SkuInput[], family: string, today: string): FamilyOffers {
  const key = normaliseFamily(family);
  const out: FamilyOffers = { startable: [], blocked: [] };
  for (const sku of skus) {
    if (normaliseFamily(sku.family) !== key) continue;
    const offer = toOffer(sku);
    if (!offer) continue;
    const why = whyNotStartable(sku, offer, today);
    if (why === undefined) out.startable.push(offer);
    else out.blocked.push({ offer, why });
  }
  out.startable.sort((a, b) => a.info.vcpus - b.info.vcpus || a.info.size.localeCompare(b.info.size));
  return out;
}
