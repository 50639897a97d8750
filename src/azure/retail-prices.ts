/**
 * List prices from the Azure Retail Prices API (public, no auth): the pay-as-you-go Linux hourly
 * price of each GPU size, one region at a time (Spot, Low Priority, Windows, Dev/Test and
 * reservation rows excluded), following `NextPageLink`. A region's prices are kept for a day, in
 * the store when there is one (shared by replicas) and in memory otherwise; concurrent askers
 * share one fetch. A size Azure publishes no such price for is "no list price", never 0.
 *
 * The API needs no bearer token, so this uses a plain core-rest-pipeline pipeline carrying the
 * client factory's retry, concurrency, counter and loopback-TLS policies, but no auth policy.
 */
import { createDefaultHttpClient, createPipelineFromOptions, createPipelineRequest, type HttpClient, type Pipeline } from "@azure/core-rest-pipeline";
import { assertSafeRegion } from "../domain/regions.ts";
import { GpuopsError } from "../errors.ts";
import type { CachePort, ListPrice, PricePort } from "../services/ports.ts";
import { mapAzureError } from "./azure-errors.ts";
import type { AzureAccess } from "./client-factory.ts";

export const PUBLIC_PRICES_URL = "https://prices.azure.com";

export interface PriceAdapterOptions {
  /** Base URL of the Retail Prices API (the fake Azure in demo and tests). */
  baseUrl?: string;
  /** ISO 4217; prices come back converted by the API. */
  currency: string;
  store?: CachePort | undefined;
  ttlSeconds?: number;
  now?: () => Date;
  /** Safety stop for a runaway NextPageLink chain. */
  maxPages?: number;
}

/** The Retail Prices item fields gpuops reads. */
interface PriceItem {
  currencyCode?: string;
  retailPrice?: number;
  unitOfMeasure?: string;
  type?: string;
  skuName?: string;
  meterName?: string;
  productName?: string;
  armSkuName?: string;
  tierMinimumUnits?: number;
  effectiveStartDate?: string;
}

/** size (lower-case) → [hourly price, currency] */
type RegionPrices = Record<string, [number, string]>;

/** True for the row gpuops calls the list price: Linux, pay-as-you-go, per hour, not Spot or Low Priority. */
export function isPayAsYouGoLinux(item: PriceItem): boolean {
  if (item.type !== "Consumption" || item.unitOfMeasure !== "1 Hour") return false;
  if (typeof item.retailPrice !== "number" || !Number.isFinite(item.retailPrice)) return false;
  const names = `${item.skuName ?? ""}|${item.meterName ?? ""}`;
  if (/ (Spot|Low Priority)(\||$)/i.test(names)) return false;
  return !/ Win(dows)?\b/i.test(item.productName ?? "");
}

/** Reduces a region's items to one price per GPU size (the current, lowest tier). */
export function pickPrices(items: PriceItem[]): RegionPrices {
  const best = new Map<string, PriceItem>();
  for (const item of items) {
    if (!item.armSkuName || !/^Standard_N/i.test(item.armSkuName) || !isPayAsYouGoLinux(item)) continue;
    const key = item.armSkuName.toLowerCase();
    const seen = best.get(key);
    const newer = (a: PriceItem, b: PriceItem) => (a.effectiveStartDate ?? "") > (b.effectiveStartDate ?? "");
    if (!seen || (item.tierMinimumUnits ?? 0) < (seen.tierMinimumUnits ?? 0) || ((item.tierMinimumUnits ?? 0) === (seen.tierMinimumUnits ?? 0) && newer(item, seen)))
      best.set(key, item);
  }
  return Object.fromEntries([...best].map(([k, v]) => [k, [v.retailPrice as number, v.currencyCode ?? "USD"]]));
}

/** The OData filter for one region; the region is an ARM name checked against a strict pattern. */
export function regionFilter(region: string): string {
  return `serviceName eq 'Virtual Machines' and armRegionName eq '${assertSafeRegion(region)}' and priceType eq 'Consumption'`;
}

export function createPriceAdapter(azure: AzureAccess, options: PriceAdapterOptions): PricePort {
  if (!/^[A-Z]{3}$/.test(options.currency)) throw new GpuopsError("bad_config", `GPUOPS_CURRENCY must be an ISO 4217 code such as USD (got ${options.currency.slice(0, 10)}).`);
  const base = (options.baseUrl ?? PUBLIC_PRICES_URL).replace(/\/+$/, "");
  const ttlSeconds = options.ttlSeconds ?? 86_400;
  const now = options.now ?? (() => new Date());
  const maxPages = options.maxPages ?? 50;
  let pipeline: Pipeline | undefined;
  let http: HttpClient | undefined;
  const memory = new Map<string, { expires: number; prices: RegionPrices }>();
  const inFlight = new Map<string, Promise<RegionPrices>>();

  const send = async (url: string): Promise<{ Items?: PriceItem[]; NextPageLink?: string | null }> => {
    if (!pipeline || !http) {
      const opts = azure.clientOptions();
      pipeline = createPipelineFromOptions({ retryOptions: { maxRetries: 0 }, userAgentOptions: opts.userAgentOptions });
      for (const { policy, position } of opts.additionalPolicies) pipeline.addPolicy(policy, position === "perRetry" ? { afterPhase: "Sign" } : {});
      http = createDefaultHttpClient();
    }
    const response = await pipeline.sendRequest(http, createPipelineRequest({ url, method: "GET", timeout: 30_000 }));
    if (response.status !== 200) throw Object.assign(new Error(`Retail Prices answered HTTP ${response.status}`), { statusCode: response.status, response });
    return JSON.parse(response.bodyAsText ?? "{}");
  };

  const fetchRegion = async (region: string): Promise<RegionPrices> => {
    const items: PriceItem[] = [];
    let url: string | undefined = `${base}/api/retail/prices?currencyCode='${options.currency}'&$filter=${encodeURIComponent(regionFilter(region))}`;
    for (let page = 0; url && page < maxPages; page++) {
      try {
        const body = await send(url);
        items.push(...(body.Items ?? []));
        url = body.NextPageLink || undefined;
      } catch (err) {
        throw mapAzureError(err, { api: "Retail Prices", region });
      }
    }
    return pickPrices(items);
  };

  const priceKey = (region: string) => `retail-prices:v1:${options.currency}:${region}`;
  const inMemory = (key: string) => {
    const hit = memory.get(key);
    return hit && hit.expires > now().getTime() ? hit.prices : undefined;
  };
  const regionPrices = async (region: string): Promise<RegionPrices> => {
    const key = priceKey(region);
    const hit = inMemory(key);
    if (hit) return hit;
    let pending = inFlight.get(key);
    if (!pending) {
      pending = (async () => {
        const stored = await options.store?.cacheGet(key, now()).catch(() => undefined);
        const prices = stored ? (JSON.parse(stored) as RegionPrices) : await fetchRegion(region);
        if (!stored) await options.store?.cachePut(key, JSON.stringify(prices), ttlSeconds, now()).catch(() => undefined);
        memory.set(key, { expires: now().getTime() + ttlSeconds * 1000, prices });
        return prices;
      })().finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  };

  return {
    async hourlyPrice(size, region): Promise<ListPrice> {
      const prices = await regionPrices(assertSafeRegion(region.toLowerCase()));
      const hit = prices[size.toLowerCase()];
      if (!hit) return { known: false, reason: `Azure publishes no pay-as-you-go Linux price for ${size} in ${region}` };
      return { known: true, perHour: hit[0], currency: hit[1] };
    },
    cachedPriceList: (region) => inMemory(priceKey(region.toLowerCase())),
  };
}
