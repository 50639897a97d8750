/**
 * Resource SKUs through `@azure/arm-compute`, always with the location filter (an unfiltered
 * list is tens of MB), cached per subscription+region with a TTL; concurrent askers share one call.
 * Answers that span every subscription × region ask many at once, so at most `concurrency` calls
 * are in flight (ARM throttles per subscription and per tenant).
 */
import { LRUCache } from "lru-cache";
import pLimit from "p-limit";
import { assertSafeRegion } from "../domain/regions.ts";
import type { SkuPort, SkuRestriction, VmSku } from "../services/ports.ts";
import { mapAzureError } from "./azure-errors.ts";
import type { AzureAccess } from "./client-factory.ts";

export function createSkuAdapter(azure: AzureAccess, opts: { ttlSeconds: number; concurrency?: number }): SkuPort {
  const limit = pLimit(Math.max(1, opts.concurrency ?? 6));
  const fetchLimited = (subscriptionId: string, region: string) => limit(() => fetchSkus(azure, subscriptionId, region));
  const cache = new LRUCache<string, VmSku[], { subscriptionId: string; region: string }>({
    max: 500,
    ttl: Math.max(1, opts.ttlSeconds) * 1000,
    fetchMethod: async (_key, _stale, { context }) => fetchLimited(context.subscriptionId, context.region),
  });
  return {
    async listVmSkus(subscriptionId, region) {
      assertSafeRegion(region);
      if (opts.ttlSeconds === 0) return fetchLimited(subscriptionId, region);
      const result = await cache.fetch(`${subscriptionId}/${region}`, { context: { subscriptionId, region } });
      return result ?? [];
    },
    cachedVmSkus: (subscriptionId, region) => (opts.ttlSeconds === 0 ? undefined : cache.get(`${subscriptionId}/${region}`)),
  };
}

async function fetchSkus(azure: AzureAccess, subscriptionId: string, region: string): Promise<VmSku[]> {
  const out: VmSku[] = [];
  try {
    // The region is validated above; the filter is built only from that ARM identifier.
    for await (const sku of azure.compute(subscriptionId).resourceSkus.list({ filter: `location eq '${assertSafeRegion(region)}'` })) {
      if (sku.resourceType !== "virtualMachines" || !sku.name) continue;
      const info = sku.locationInfo?.find((l) => l.location?.toLowerCase() === region) ?? sku.locationInfo?.[0];
      const restrictions: SkuRestriction[] = (sku.restrictions ?? []).map((r) => ({
        type: r.type === "Zone" ? "Zone" : "Location",
        reasonCode: r.reasonCode ?? "Unknown",
        zones: r.restrictionInfo?.zones ?? [],
      }));
      out.push({
        name: sku.name,
        family: sku.family ?? "",
        region,
        zones: [...(info?.zones ?? [])].sort(),
        restrictions,
        capabilities: (sku.capabilities ?? []).map((c) => ({ name: c.name ?? "", value: c.value ?? "" })),
      });
    }
  } catch (err) {
    throw mapAzureError(err, { api: "Resource SKUs", subscriptionId, region });
  }
  return out;
}
