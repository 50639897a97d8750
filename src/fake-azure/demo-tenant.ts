/**
 * The demo tenant: a few subscriptions with a realistic GPU footprint, built on real recorded
 * responses (seed/, see seed/SOURCES.md). swedencentral and eastus SKUs are the recordings as
 * published; other regions are generated from the GPU catalogue in exactly the recorded shape.
 * Usages start from the real westus recording, with GPU family rows set for the demo.
 * Deterministic: the same tenant every start, so tests and screenshots are stable.
 */
import { readFileSync } from "node:fs";
import { GPU_SIZES, type GpuSize } from "../domain/gpu-catalogue.ts";
import { isKnownRegion, regionDisplayName } from "../domain/regions.ts";

/** The raw Resource SKU record, as the API (and az CLI) spells it. */
export interface RawSku {
  resourceType: string;
  name: string;
  tier?: string;
  size?: string;
  family?: string;
  locations: string[];
  locationInfo: Array<{ location: string; zones: string[]; zoneDetails?: unknown[] }>;
  capabilities: Array<{ name: string; value: string }>;
  restrictions: Array<{ type: string; values: string[]; restrictionInfo: { locations?: string[]; zones?: string[] }; reasonCode: string }>;
  [extra: string]: unknown;
}

export interface RawUsage {
  limit: number;
  unit: "Count";
  currentValue: number;
  name: { value: string; localizedValue: string };
}

export interface DemoSubscription {
  id: string;
  name: string;
}

export interface DemoTenant {
  subscriptions: DemoSubscription[];
  regions: string[];
  pageSize: number;
  skus(region: string): RawSku[];
  usages(subscriptionId: string, region: string): RawUsage[] | undefined;
  /** Mutable for tests: override usage rows of one subscription+region. */
  setUsage(subscriptionId: string, region: string, family: string, current: number, limit: number): void;
}

export const DEMO_SUBSCRIPTIONS: DemoSubscription[] = [
  { id: "7d3a4b52-1c6e-4f0a-9b8e-2a5d6c7e8f90", name: "ai-platform-prod" },
  { id: "b1e2c3d4-5f60-4718-8a9b-0c1d2e3f4a5b", name: "ml-research-dev" },
  { id: "0f9e8d7c-6b5a-4938-a271-605f4e3d2c1b", name: "inference-prod" },
];

export const DEMO_REGIONS = ["eastus", "eastus2", "southcentralus", "westus", "westus2", "westus3", "swedencentral", "westeurope", "uksouth", "japaneast", "australiaeast"];

const seed = (file: string): unknown => JSON.parse(readFileSync(new URL(`./seed/${file}`, import.meta.url), "utf8"));

/** FNV-1a: a stable small hash for deterministic demo choices. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Sizes whose API "GPUs" capability is missing or reports 1 for a fractional share (fact sheet A). */
function apiGpuCapability(size: GpuSize): string | undefined {
  if (/GB200|GB300/.test(size.size) || size.size === "Standard_ND96is_MI300X_v5") return undefined;
  if (size.gpus.num < size.gpus.den) return "1";
  return String(size.gpus.num / size.gpus.den);
}

function generatedSku(size: GpuSize, region: string): RawSku {
  const location = regionDisplayName(region).replace(/\s+/g, "");
  const h = hash(`${size.size}@${region}`);
  const zones = h % 5 === 0 ? [] : ["1", "2", "3"];
  const capabilities = [
    { name: "vCPUs", value: String(size.vcpus) },
    { name: "HyperVGenerations", value: "V2" },
    { name: "MemoryGB", value: String(size.memoryGib) },
    { name: "CpuArchitectureType", value: /GB200|GB300/.test(size.size) ? "Arm64" : "x64" },
    { name: "LowPriorityCapable", value: "True" },
    { name: "vCPUsAvailable", value: String(size.vcpus) },
    ...(apiGpuCapability(size) === undefined ? [] : [{ name: "GPUs", value: apiGpuCapability(size) as string }]),
    { name: "AcceleratedNetworkingEnabled", value: size.series.startsWith("NCC") ? "False" : "True" },
    { name: "RdmaEnabled", value: /^Standard_ND/.test(size.size) ? "True" : "False" },
  ];
  const restrictions: RawSku["restrictions"] = [];
  if (h % 11 === 0) {
    restrictions.push({ type: "Location", values: [location], restrictionInfo: { locations: [location] }, reasonCode: "NotAvailableForSubscription" });
  } else if (zones.length && h % 4 === 0) {
    restrictions.push({ type: "Zone", values: [location], restrictionInfo: { locations: [location], zones: ["2"] }, reasonCode: "NotAvailableForSubscription" });
  }
  const shortName = size.size.replace(/^Standard_/, "");
  return {
    capabilities,
    family: size.family ?? "",
    locationInfo: [{ location, zoneDetails: [], zones }],
    locations: [location],
    name: size.size,
    resourceType: "virtualMachines",
    restrictions,
    size: shortName,
    tier: "Standard",
  };
}

/** Which catalogue sizes a generated region offers: current ones, most regions, deterministic. */
function offeredIn(size: GpuSize, region: string): boolean {
  if (size.status.kind === "retired") return false;
  if (size.status.kind === "preview") return region === "westus2";
  return hash(`offer:${size.series}@${region}`) % 10 < 7;
}

export function createDemoTenant(): DemoTenant {
  const sweden = seed("resource-skus.swedencentral-gpu.az-cli-2025.json") as RawSku[];
  const eastusMixed = (seed("resource-skus.eastus-mixed.skewer.json") as { value: RawSku[] }).value;
  const westusUsages = (seed("compute-usages.westus.az-cli-recording-2023.json") as { value: RawUsage[] }).value;

  const skuCache = new Map<string, RawSku[]>();
  const skus = (region: string): RawSku[] => {
    let list = skuCache.get(region);
    if (list) return list;
    if (region === "swedencentral") list = sweden;
    else if (!DEMO_REGIONS.includes(region)) list = [];
    else {
      const generated = GPU_SIZES.filter((s) => offeredIn(s, region)).map((s) => generatedSku(s, region));
      list = region === "eastus" ? [...eastusMixed, ...generated] : generated;
    }
    skuCache.set(region, list);
    return list;
  };

  const usageCache = new Map<string, RawUsage[]>();
  const usages = (subscriptionId: string, region: string): RawUsage[] | undefined => {
    const key = `${subscriptionId}/${region}`;
    const cached = usageCache.get(key);
    if (cached) return cached;
    if (!DEMO_SUBSCRIPTIONS.some((s) => s.id === subscriptionId) || !isKnownRegion(region)) return undefined;
    const rows: RawUsage[] = westusUsages.map((u) => ({ ...u, name: { ...u.name } }));
    // A real region the demo does not seed answers as Azure does for a subscription with nothing
    // there: the recorded list as is (regional cap, GPU families mostly at limit 0), not an error.
    if (!DEMO_REGIONS.includes(region)) {
      usageCache.set(key, rows);
      return rows;
    }
    // One family row per GPU family offered here; the limit fits a few of the largest size.
    const families = new Map<string, { min: number; max: number }>();
    for (const sku of skus(region)) {
      const vcpus = Number(sku.capabilities.find((c) => c.name === "vCPUs")?.value ?? 0);
      if (!sku.family || !/^Standard_N/i.test(sku.name)) continue;
      const f = families.get(sku.family) ?? { min: vcpus, max: vcpus };
      families.set(sku.family, { min: Math.min(f.min, vcpus), max: Math.max(f.max, vcpus) });
    }
    let regionalCurrent = 9;
    for (const [family, { min, max }] of families) {
      const h = hash(`${subscriptionId}/${region}/${family}`);
      const limit = [0, max, max * 2, max * 4][h % 4] as number;
      const current = limit === 0 ? 0 : Math.min(limit, min * ((h >>> 3) % Math.max(1, Math.floor(limit / min) + 1)));
      regionalCurrent += current;
      const existing = rows.find((r) => r.name.value.replace(/\s/g, "").toLowerCase() === family.replace(/\s/g, "").toLowerCase());
      if (existing) {
        existing.limit = limit;
        existing.currentValue = current;
      } else {
        rows.push({ limit, unit: "Count", currentValue: current, name: { value: family, localizedValue: `${family} vCPUs` } });
      }
    }
    const cores = rows.find((r) => r.name.value === "cores");
    if (cores) {
      cores.currentValue = regionalCurrent;
      cores.limit = Math.max(350, Math.ceil((regionalCurrent * 1.25) / 50) * 50);
    }
    usageCache.set(key, rows);
    return rows;
  };

  return {
    subscriptions: DEMO_SUBSCRIPTIONS,
    regions: DEMO_REGIONS,
    pageSize: 50,
    skus,
    usages,
    setUsage(subscriptionId, region, family, current, limit) {
      const rows = usages(subscriptionId, region);
      if (!rows) throw new Error(`no demo usages for ${subscriptionId}/${region}`);
      const row = rows.find((r) => r.name.value === family);
      if (row) {
        row.currentValue = current;
        row.limit = limit;
      } else rows.push({ limit, unit: "Count", currentValue: current, name: { value: family, localizedValue: `${family} vCPUs` } });
    },
  };
}
