/**
 * The demo tenant's fleet, spend and list prices, in the shapes the real APIs use: ARM resource
 * records as Resource Graph holds them (VMs with `properties.extended.instanceView.powerState`,
 * scale sets with `sku.capacity`, AKS clusters with `agentPoolProfiles`), daily cost records that
 * the fake Cost Management aggregates into rows and columns, and Retail Prices items.
 *
 * Deterministic: a seeded generator, so tests and screenshots are stable. Spend is computed per
 * UTC day from each resource's history, relative to the fleet's clock, for the last 100 days.
 * Sizes, counts and prices are demo values (illustrative, not Azure's price list); field shapes
 * follow the recordings in seed/ (see seed/SOURCES.md).
 *
 * `createBigFleet` makes a large tenant (1,000 subscriptions, 100,000 VMs) for the benchmark.
 */
import { findSize } from "../domain/gpu-catalogue.ts";
import { regionDisplayName } from "../domain/regions.ts";
import { DEMO_SUBSCRIPTIONS, type DemoSubscription } from "./demo-tenant.ts";

/** An ARM resource as Resource Graph's `resources` table holds it (lower-case type, as RG returns). */
export interface ArmResource {
  id: string;
  name: string;
  type: string;
  location: string;
  resourceGroup: string;
  subscriptionId: string;
  tags: Record<string, string>;
  sku?: { name: string; tier: string; capacity: number };
  properties: Record<string, unknown>;
}

/** One resource's spend on one UTC day, before the fake Cost Management groups it. */
export interface CostRecord {
  date: string;
  subscriptionId: string;
  resourceGroup: string;
  resourceId: string;
  resourceLocation: string;
  meterCategory: string;
  meterSubCategory: string;
  meter: string;
  /** Cost Management's ChargeType: "Usage" for metered use, "Purchase" for a reservation or savings plan bought. */
  chargeType: "Usage" | "Purchase";
  /** Cost Management's PricingModel: "OnDemand", "Reservation" (usage a reservation covers, or its purchase), "Spot". */
  pricingModel: "OnDemand" | "Reservation" | "Spot";
  tags: Record<string, string>;
  actual: number;
  amortized: number;
  currency: string;
}

/** A Retail Prices API item (fields as in seed/retail-prices.docs-2021.sample-items.json). */
export interface RetailPriceItem {
  currencyCode: string;
  tierMinimumUnits: number;
  reservationTerm?: string;
  retailPrice: number;
  unitPrice: number;
  armRegionName: string;
  location: string;
  effectiveStartDate: string;
  meterId: string;
  meterName: string;
  productId: string;
  skuId: string;
  productName: string;
  skuName: string;
  serviceName: string;
  serviceId: string;
  serviceFamily: string;
  unitOfMeasure: string;
  type: string;
  isPrimaryMeterRegion: boolean;
  armSkuName: string;
}

/** What made a resource cost what it cost, day by day. */
interface History {
  resourceId: string;
  subscriptionId: string;
  resourceGroup: string;
  region: string;
  size: string;
  instances: number;
  tags: Record<string, string>;
  /** Days before the fleet's "today" (UTC) the resource appeared. */
  createdDaysAgo: number;
  /** The most recent days spent in its current state, and the share of each such day it was billed. */
  steadyDays: number;
  steadyShare: 0 | 1;
  /** Before that: the share of days it ran (0..1). */
  duty: number;
  /** Covered by a reservation: ActualCost shows the purchase, AmortizedCost spreads it. */
  reserved: boolean;
}

export interface DemoFleet {
  subscriptions: DemoSubscription[];
  /** Management group id → subscription ids under it. */
  managementGroups: Record<string, string[]>;
  resources: ArmResource[];
  prices: RetailPriceItem[];
  now(): Date;
  /** Cost records of one UTC day (empty outside the 100-day history). */
  costRecords(date: string): CostRecord[];
  /** Fault knobs and limits, mutable by tests. */
  knobs: FleetKnobs;
}

/** The VM an ARM path names (subscription, resource group, name; ARM ids are case-insensitive). */
export function findVm(fleet: DemoFleet, subscriptionId: string, resourceGroup: string, name: string): ArmResource | undefined {
  return fleet.resources.find(
    (r) =>
      r.type === "microsoft.compute/virtualmachines" &&
      r.subscriptionId.toLowerCase() === subscriptionId.toLowerCase() &&
      r.resourceGroup.toLowerCase() === resourceGroup.toLowerCase() &&
      r.name.toLowerCase() === name.toLowerCase(),
  );
}

export interface FleetKnobs {
  /** Subscriptions the bot's identity may not read: Resource Graph trims them, Cost Management answers 403. */
  forbiddenGraph: Set<string>;
  forbiddenCost: Set<string>;
  /** Largest Resource Graph page the fake serves (the real maximum is 1,000). */
  graphMaxPage: number;
  /** Resource Graph user quota: queries per window (real: 15 per 5 s). */
  graphQuota: { perWindow: number; windowMs: number };
  /** Cost Management rows per page before a nextLink. */
  costPageSize: number;
  /** Tenant QPU budget (real: 12 QPU per 10 s and 60 per minute); window lengths shrink in tests. */
  qpu: { short: number; shortMs: number; long: number; longMs: number };
  /** Retail Prices items per page (the API pages at 100 or 1,000). */
  pricePageSize: number;
  /** ARM VM list page size (the naive per-subscription listing of the benchmark). */
  vmListPageSize: number;
  /** Raw Cost Management bodies served before generated answers (recorded pages in tests). */
  scriptedCostBodies: string[];
}

const DAY_MS = 86_400_000;
// Enough history that every period's previous period is covered: last-month's previous month starts up to 92 days back.
const HISTORY_DAYS = 100;

/** mulberry32: small, seeded, good enough for demo data. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** FNV-1a, for stable per-resource choices. */
function hash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Demo list prices, USD per hour in eastus (illustrative; not Azure's price list). */
export const DEMO_LIST_PRICES_USD: Readonly<Record<string, number>> = {
  Standard_NC4as_T4_v3: 0.526,
  Standard_NC8as_T4_v3: 0.752,
  Standard_NC16as_T4_v3: 1.204,
  Standard_NC64as_T4_v3: 4.352,
  Standard_NC24ads_A100_v4: 3.673,
  Standard_NC48ads_A100_v4: 7.346,
  Standard_NC96ads_A100_v4: 14.692,
  Standard_ND96asr_v4: 27.197,
  Standard_ND96amsr_A100_v4: 32.77,
  Standard_NC40ads_H100_v5: 6.98,
  Standard_NC80adis_H100_v5: 13.96,
  Standard_ND96isr_H100_v5: 98.32,
  Standard_ND96isr_H200_v5: 110.24,
  Standard_NV6ads_A10_v5: 0.454,
  Standard_NV12ads_A10_v5: 0.908,
  Standard_NV36ads_A10_v5: 3.2,
  Standard_D4s_v5: 0.192,
  Standard_D8s_v5: 0.384,
  Standard_E16s_v5: 1.008,
};

const REGION_FACTOR: Readonly<Record<string, number>> = {
  eastus: 1,
  eastus2: 1,
  southcentralus: 1.02,
  westus: 1.05,
  westus2: 1,
  westus3: 1,
  swedencentral: 1.08,
  westeurope: 1.12,
  uksouth: 1.15,
  japaneast: 1.2,
  australiaeast: 1.22,
};

/** Demo exchange rates for `currencyCode=` (USD is the Retail Prices reference currency). */
export const DEMO_FX: Readonly<Record<string, number>> = { USD: 1, EUR: 0.92, GBP: 0.79, JPY: 151, SEK: 10.6, AUD: 1.52, CAD: 1.37, CHF: 0.89, INR: 83.5 };

/** "Standard_NC24ads_A100_v4" → "NC24ads A100 v4" (how meters and Retail Prices name a size). */
export const meterName = (size: string) => size.replace(/^Standard_/, "").replace(/_/g, " ");

/** "NC A100 v4 Series": the meter subcategory gpuops's demo uses for a size (N… for GPU sizes). */
export function meterSubCategory(size: string): string {
  const series = findSize(size)?.series;
  if (series) return `${series.replace(/_/g, " ")} Series`;
  const m = /^Standard_([A-Z]+)\d+[a-z]*_?(v\d+)?$/.exec(size);
  return m ? `${m[1]}${m[2] ? ` ${m[2]}` : ""} Series` : "Other Series";
}

export function listPriceUsd(size: string, region: string): number | undefined {
  const base = DEMO_LIST_PRICES_USD[size];
  if (base === undefined) return undefined;
  return Math.round(base * (REGION_FACTOR[region] ?? 1.1) * 10_000) / 10_000;
}

const TEAMS = [
  { team: "llm-training", cc: "CC-4100", owners: ["alice@contoso.com", "arjun@contoso.com"] },
  { team: "inference", cc: "CC-4200", owners: ["bruno@contoso.com", "bea@contoso.com"] },
  { team: "research", cc: "CC-4300", owners: ["chen@contoso.com", "carla@contoso.com", "chidi@contoso.com"] },
  { team: "vision", cc: "CC-4400", owners: ["dana@contoso.com"] },
  { team: "platform", cc: "CC-4500", owners: ["erik@contoso.com"] },
] as const;

interface Group {
  sub: number;
  rg: string;
  region: string;
  team: number;
  prefix: string;
  /** [size, count] */
  vms: Array<[string, number]>;
}

/** The demo estate: which resource groups hold which sizes. About 300 resources in all. */
const DEMO_GROUPS: Group[] = [
  {
    sub: 0,
    rg: "rg-llm-training",
    region: "eastus",
    team: 0,
    prefix: "train",
    vms: [
      ["Standard_ND96isr_H100_v5", 6],
      ["Standard_ND96asr_v4", 4],
      ["Standard_NC96ads_A100_v4", 6],
      ["Standard_NC48ads_A100_v4", 4],
    ],
  },
  {
    sub: 0,
    rg: "rg-llm-training-se",
    region: "swedencentral",
    team: 0,
    prefix: "train-se",
    vms: [
      ["Standard_ND96isr_H100_v5", 4],
      ["Standard_NC80adis_H100_v5", 4],
    ],
  },
  {
    sub: 0,
    rg: "rg-finetune",
    region: "eastus2",
    team: 0,
    prefix: "ft",
    vms: [
      ["Standard_NC24ads_A100_v4", 10],
      ["Standard_NC40ads_H100_v5", 8],
    ],
  },
  {
    sub: 0,
    rg: "rg-platform-shared",
    region: "eastus",
    team: 4,
    prefix: "svc",
    vms: [
      ["Standard_D4s_v5", 18],
      ["Standard_D8s_v5", 12],
    ],
  },
  {
    sub: 1,
    rg: "rg-research-sandbox",
    region: "westus2",
    team: 2,
    prefix: "lab",
    vms: [
      ["Standard_NC4as_T4_v3", 20],
      ["Standard_NC8as_T4_v3", 10],
      ["Standard_NV36ads_A10_v5", 8],
      ["Standard_NC24ads_A100_v4", 12],
      ["Standard_NC128ds_xl_RTXPRO6000BSE_v6", 2],
    ],
  },
  {
    sub: 1,
    rg: "rg-vision",
    region: "westus3",
    team: 3,
    prefix: "cv",
    vms: [
      ["Standard_NV12ads_A10_v5", 10],
      ["Standard_NC16as_T4_v3", 6],
      ["Standard_NV6ads_A10_v5", 4],
    ],
  },
  {
    sub: 1,
    rg: "rg-research-tools",
    region: "westus2",
    team: 2,
    prefix: "tool",
    vms: [
      ["Standard_D4s_v5", 24],
      ["Standard_E16s_v5", 16],
    ],
  },
  {
    sub: 2,
    rg: "rg-inference-eus",
    region: "eastus",
    team: 1,
    prefix: "inf",
    vms: [
      ["Standard_NC40ads_H100_v5", 10],
      ["Standard_NC24ads_A100_v4", 10],
      ["Standard_NV36ads_A10_v5", 6],
    ],
  },
  {
    sub: 2,
    rg: "rg-inference-weu",
    region: "westeurope",
    team: 1,
    prefix: "inf-eu",
    vms: [
      ["Standard_NC24ads_A100_v4", 8],
      ["Standard_NC8as_T4_v3", 8],
      ["Standard_ND96isr_H200_v5", 2],
    ],
  },
  {
    sub: 2,
    rg: "rg-inference-ops",
    region: "eastus",
    team: 1,
    prefix: "ops",
    vms: [
      ["Standard_D8s_v5", 30],
      ["Standard_D4s_v5", 16],
    ],
  },
];

const isGpu = (size: string) => /^Standard_N/i.test(size);

function powerCode(state: string): string {
  return `PowerState/${state}`;
}

function vmRecord(sub: string, rg: string, name: string, region: string, size: string, tags: Record<string, string>, created: string, state: string | undefined): ArmResource {
  const properties: Record<string, unknown> = {
    vmId: `${hash(name).toString(16).padStart(8, "0")}-0000-4000-8000-${hash(`${sub}/${name}`).toString(16).padStart(12, "0")}`,
    hardwareProfile: { vmSize: size },
    provisioningState: "Succeeded",
    timeCreated: created,
  };
  // Resource Graph's extended properties: a VM that was just created may not have them yet.
  if (state) properties.extended = { instanceView: { powerState: { code: powerCode(state), level: "Info", displayStatus: `VM ${state}` } } };
  return {
    id: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${name}`,
    name,
    type: "microsoft.compute/virtualmachines",
    location: region,
    resourceGroup: rg,
    subscriptionId: sub,
    tags,
    properties,
  };
}

function vmssRecord(sub: string, rg: string, name: string, region: string, size: string, capacity: number, tags: Record<string, string>, created: string): ArmResource {
  return {
    id: `/subscriptions/${sub}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachineScaleSets/${name}`,
    name,
    type: "microsoft.compute/virtualmachinescalesets",
    location: region,
    resourceGroup: rg,
    subscriptionId: sub,
    tags,
    sku: { name: size, tier: "Standard", capacity },
    properties: { provisioningState: "Succeeded", timeCreated: created, orchestrationMode: "Uniform" },
  };
}

interface PoolSpec {
  name: string;
  size: string;
  count: number;
  mode: "System" | "User";
  running: boolean;
}

function aksRecords(sub: string, rg: string, name: string, region: string, pools: PoolSpec[], tags: Record<string, string>, created: string): ArmResource[] {
  const nodeRg = `MC_${rg}_${name}_${region}`;
  const cluster: ArmResource = {
    id: `/subscriptions/${sub}/resourcegroups/${rg}/providers/Microsoft.ContainerService/managedClusters/${name}`,
    name,
    type: "microsoft.containerservice/managedclusters",
    location: region,
    resourceGroup: rg,
    subscriptionId: sub,
    tags,
    properties: {
      provisioningState: "Succeeded",
      powerState: { code: "Running" },
      kubernetesVersion: "1.30.6",
      nodeResourceGroup: nodeRg,
      agentPoolProfiles: pools.map((p) => ({
        name: p.name,
        count: p.count,
        vmSize: p.size,
        mode: p.mode,
        osType: "Linux",
        type: "VirtualMachineScaleSets",
        provisioningState: "Succeeded",
        powerState: { code: p.running ? "Running" : "Stopped" },
      })),
    },
  };
  // AKS keeps each pool's nodes in a scale set in the node resource group, tagged by AKS. The
  // inventory must not count them twice; their spend lands on these scale sets.
  const scaleSets = pools.map((p) =>
    vmssRecord(
      sub,
      nodeRg,
      `aks-${p.name}-${(hash(`${name}/${p.name}`) % 90_000_000) + 10_000_000}-vmss`,
      region,
      p.size,
      p.running ? p.count : 0,
      { "aks-managed-poolName": p.name, "aks-managed-orchestrator": "Kubernetes:1.30.6", ...tags },
      created,
    ),
  );
  return [cluster, ...scaleSets];
}

function createdIso(now: Date, daysAgo: number, jitter: number): string {
  return new Date(now.getTime() - daysAgo * DAY_MS - Math.floor(jitter * DAY_MS)).toISOString();
}

/**
 * Visible hours of a UTC day: usage shows up about eight hours after it happens, a whole hour at
 * a time (Cost Management bills by the hour), so two reads within one clock hour agree.
 */
function visibleHours(date: string, now: Date): number {
  const start = Date.parse(`${date}T00:00:00Z`);
  return Math.max(0, Math.min(24, Math.floor((now.getTime() - start) / 3_600_000) - 8));
}

function daysAgoOf(date: string, now: Date): number {
  return Math.round((Date.parse(`${now.toISOString().slice(0, 10)}T00:00:00Z`) - Date.parse(`${date}T00:00:00Z`)) / DAY_MS);
}

/** Spend records of one resource on one day, per its history. */
function spendOn(h: History, date: string, now: Date, daysAgo: number): CostRecord[] {
  if (daysAgo > h.createdDaysAgo || daysAgo < 0) return [];
  const price = listPriceUsd(h.size, h.region) ?? 0;
  if (price === 0) return [];
  const hours = visibleHours(date, now);
  if (hours <= 0) return [];
  let share: number = h.steadyShare;
  if (daysAgo >= h.steadyDays) {
    // Before it settled: a day-by-day pattern around its duty cycle.
    const r = hash(`${h.resourceId}@${date}`) / 4_294_967_296;
    share = r < h.duty ? 0.35 + (r / Math.max(h.duty, 0.01)) * 0.65 : 0;
  }
  if (share === 0) return [];
  const amount = Math.round(price * hours * share * h.instances * 1_000_000) / 1_000_000;
  const base = {
    date,
    subscriptionId: h.subscriptionId,
    resourceGroup: h.resourceGroup.toLowerCase(),
    resourceId: h.resourceId.toLowerCase(),
    resourceLocation: h.region,
    meterCategory: "Virtual Machines",
    meterSubCategory: meterSubCategory(h.size),
    meter: meterName(h.size),
    chargeType: "Usage" as const,
    pricingModel: h.reserved ? ("Reservation" as const) : ("OnDemand" as const),
    tags: h.tags,
    currency: "USD",
  };
  const out: CostRecord[] = [{ ...base, actual: h.reserved ? 0 : amount, amortized: Math.round(amount * (h.reserved ? 0.62 : 1) * 1_000_000) / 1_000_000 }];
  // Each VM's OS disk: not GPU compute, so gpuops must leave it out.
  out.push({
    ...base,
    meterCategory: "Storage",
    meterSubCategory: "Premium SSD Managed Disks",
    meter: "P10 LRS Disk",
    pricingModel: "OnDemand",
    actual: 0.0263,
    amortized: 0.0263,
  });
  return out;
}

function demoHistories(now: Date, subscriptions: DemoSubscription[]): { resources: ArmResource[]; histories: History[] } {
  const rand = rng(42);
  const resources: ArmResource[] = [];
  const histories: History[] = [];
  const states = (i: number): string | undefined => {
    const r = rand();
    if (i % 23 === 7) return undefined; // no extended instance view yet
    if (r < 0.55) return "running";
    if (r < 0.85) return "deallocated";
    if (r < 0.94) return "stopped";
    if (r < 0.97) return "starting";
    return "deallocating";
  };
  let n = 0;
  for (const g of DEMO_GROUPS) {
    const sub = subscriptions[g.sub];
    if (!sub) continue;
    const team = TEAMS[g.team] as (typeof TEAMS)[number];
    for (const [size, count] of g.vms) {
      for (let i = 0; i < count; i++) {
        n++;
        const name = `${g.prefix}-${meterName(size).split(" ")[0]?.toLowerCase()}-${String(i + 1).padStart(2, "0")}`;
        const tags: Record<string, string> = {};
        const tagRoll = rand();
        if (tagRoll > 0.08) tags.team = team.team;
        if (tagRoll > 0.15) tags.owner = team.owners[Math.floor(rand() * team.owners.length)] as string;
        if (tagRoll > 0.2) tags["cost-center"] = team.cc;
        if (rand() < 0.3) tags.env = g.sub === 1 ? "dev" : "prod";
        const createdDaysAgo = 20 + Math.floor(rand() * 380);
        const state = states(n);
        const rec = vmRecord(sub.id, g.rg, name, g.region, size, tags, createdIso(now, createdDaysAgo, rand()), state);
        resources.push(rec);
        const settled = state === "running" ? 1 + Math.floor(rand() * 45) : state === "starting" || state === undefined ? 0 : 1 + Math.floor(rand() * 20);
        histories.push({
          resourceId: rec.id,
          subscriptionId: sub.id,
          resourceGroup: g.rg,
          region: g.region,
          size,
          instances: 1,
          tags,
          createdDaysAgo,
          steadyDays: settled,
          steadyShare: state === "running" || state === "stopped" ? 1 : 0,
          duty: 0.3 + rand() * 0.6,
          reserved: size === "Standard_ND96asr_v4" && i < 2,
        });
      }
    }
  }
  const addScaleSet = (subIdx: number, rg: string, name: string, region: string, size: string, capacity: number, team: number, createdDaysAgo: number) => {
    const sub = subscriptions[subIdx];
    if (!sub) return;
    const t = TEAMS[team] as (typeof TEAMS)[number];
    const tags = { team: t.team, owner: t.owners[0], "cost-center": t.cc };
    const rec = vmssRecord(sub.id, rg, name, region, size, capacity, tags, createdIso(now, createdDaysAgo, 0.3));
    resources.push(rec);
    histories.push({
      resourceId: rec.id,
      subscriptionId: sub.id,
      resourceGroup: rg,
      region,
      size,
      instances: Math.max(capacity, 2),
      tags,
      createdDaysAgo,
      steadyDays: capacity > 0 ? HISTORY_DAYS : 9,
      steadyShare: capacity > 0 ? 1 : 0,
      duty: 0.7,
      reserved: false,
    });
  };
  addScaleSet(1, "rg-research-sandbox", "vmss-batch-t4", "westus2", "Standard_NC4as_T4_v3", 8, 2, 120);
  addScaleSet(0, "rg-finetune", "vmss-sweep-a100", "eastus2", "Standard_NC24ads_A100_v4", 0, 0, 75);
  addScaleSet(2, "rg-inference-eus", "vmss-embed-a10", "eastus", "Standard_NV36ads_A10_v5", 4, 1, 200);

  const addCluster = (subIdx: number, rg: string, name: string, region: string, pools: PoolSpec[], team: number, createdDaysAgo: number) => {
    const sub = subscriptions[subIdx];
    if (!sub) return;
    const t = TEAMS[team] as (typeof TEAMS)[number];
    const tags = { team: t.team, owner: t.owners[0], "cost-center": t.cc };
    const recs = aksRecords(sub.id, rg, name, region, pools, tags, createdIso(now, createdDaysAgo, 0.6));
    resources.push(...recs);
    for (const [i, pool] of pools.entries()) {
      const vmss = recs[i + 1] as ArmResource;
      histories.push({
        resourceId: vmss.id,
        subscriptionId: sub.id,
        resourceGroup: vmss.resourceGroup,
        region,
        size: pool.size,
        instances: Math.max(pool.count, 1),
        tags: vmss.tags,
        createdDaysAgo,
        steadyDays: pool.running ? HISTORY_DAYS : 6,
        steadyShare: pool.running ? 1 : 0,
        duty: 0.8,
        reserved: false,
      });
    }
  };
  addCluster(
    2,
    "rg-inference-eus",
    "aks-infer-eus",
    "eastus",
    [
      { name: "system", size: "Standard_D4s_v5", count: 3, mode: "System", running: true },
      { name: "gpua100", size: "Standard_NC24ads_A100_v4", count: 6, mode: "User", running: true },
      { name: "gput4", size: "Standard_NC4as_T4_v3", count: 4, mode: "User", running: false },
    ],
    1,
    300,
  );
  addCluster(
    0,
    "rg-llm-training",
    "aks-train",
    "eastus",
    [
      { name: "system", size: "Standard_D8s_v5", count: 3, mode: "System", running: true },
      { name: "h100", size: "Standard_ND96isr_H100_v5", count: 2, mode: "User", running: true },
    ],
    0,
    150,
  );
  return { resources, histories };
}

function retailItems(): RetailPriceItem[] {
  const items: RetailPriceItem[] = [];
  const regions = Object.keys(REGION_FACTOR);
  for (const region of regions) {
    for (const size of Object.keys(DEMO_LIST_PRICES_USD)) {
      const price = listPriceUsd(size, region) as number;
      const meter = meterName(size);
      const series = meterSubCategory(size).replace(/ Series$/, "");
      const h = hash(`${size}@${region}`).toString(16).padStart(8, "0");
      const productId = `DZH318Z0${h.slice(0, 4).toUpperCase()}`;
      const item = (over: Partial<RetailPriceItem>, suffix: string): RetailPriceItem => ({
        currencyCode: "USD",
        tierMinimumUnits: 0,
        retailPrice: price,
        unitPrice: price,
        armRegionName: region,
        location: regionDisplayName(region),
        effectiveStartDate: "2024-07-01T00:00:00Z",
        meterId: `${h}-${suffix.padEnd(4, "0").slice(0, 4)}-5${h.slice(0, 3)}-a0cd-0c3a0f2229${suffix.length.toString().padStart(2, "0")}`,
        meterName: meter,
        productId,
        skuId: `${productId}/${suffix.toUpperCase().padEnd(4, "0").slice(0, 4)}`,
        productName: `Virtual Machines ${series} Series`,
        skuName: meter,
        serviceName: "Virtual Machines",
        serviceId: "DZH313Z7MMC8",
        serviceFamily: "Compute",
        unitOfMeasure: "1 Hour",
        type: "Consumption",
        isPrimaryMeterRegion: true,
        armSkuName: size,
        ...over,
      });
      items.push(item({}, "lin"));
      items.push(item({ productName: `Virtual Machines ${series} Series Windows`, retailPrice: price * 1.35, unitPrice: price * 1.35 }, "win"));
      items.push(item({ skuName: `${meter} Spot`, meterName: `${meter} Spot`, retailPrice: price * 0.2, unitPrice: price * 0.2 }, "spot"));
      items.push(item({ skuName: `${meter} Low Priority`, meterName: `${meter} Low Priority`, retailPrice: price * 0.25, unitPrice: price * 0.25 }, "lowp"));
      items.push(item({ type: "DevTestConsumption", retailPrice: price * 0.9, unitPrice: price * 0.9 }, "dev"));
      items.push(item({ type: "Reservation", reservationTerm: "1 Year", retailPrice: Math.round(price * 8760 * 0.62), unitPrice: Math.round(price * 8760 * 0.62) }, "res"));
    }
  }
  return items;
}

function defaultKnobs(): FleetKnobs {
  return {
    forbiddenGraph: new Set(),
    forbiddenCost: new Set(),
    graphMaxPage: 1000,
    graphQuota: { perWindow: 15, windowMs: 5000 },
    costPageSize: 1000,
    qpu: { short: 12, shortMs: 10_000, long: 60, longMs: 60_000 },
    pricePageSize: 100,
    vmListPageSize: 1000,
    scriptedCostBodies: [],
  };
}

function fleetFrom(subscriptions: DemoSubscription[], resources: ArmResource[], histories: History[], now: () => Date): DemoFleet {
  const byDate = new Map<string, CostRecord[]>();
  let cachedFor = "";
  return {
    subscriptions,
    managementGroups: { "mg-ai-platform": subscriptions.map((s) => s.id) },
    resources,
    prices: retailItems(),
    now,
    costRecords(date) {
      const at = now();
      // Cached per hour of the clock: the partial latest days grow as time passes.
      const key = at.toISOString().slice(0, 13);
      if (key !== cachedFor) {
        byDate.clear();
        cachedFor = key;
      }
      let records = byDate.get(date);
      if (!records) {
        const ago = daysAgoOf(date, at);
        records = ago < 0 || ago >= HISTORY_DAYS ? [] : histories.flatMap((h) => spendOn(h, date, at, ago));
        records.push(...extraCharges(date, at, ago, subscriptions));
        byDate.set(date, records);
      }
      return records;
    },
    knobs: defaultKnobs(),
  };
}

/** Charges the real data also has: a reservation purchase with no resource group, and dust. */
function extraCharges(date: string, now: Date, ago: number, subscriptions: DemoSubscription[]): CostRecord[] {
  if (ago < 0 || ago >= HISTORY_DAYS || visibleHours(date, now) <= 0) return [];
  const out: CostRecord[] = [];
  const first = subscriptions[0];
  const second = subscriptions[1];
  const common = { tags: {}, currency: "USD", meterCategory: "Virtual Machines" } as const;
  if (first && date.endsWith("-01")) {
    // Monthly reservation payment: billed on the 1st under no resource group as a Purchase
    // (ActualCost only; AmortizedCost spreads it over the VMs the reservation covers).
    out.push({
      chargeType: "Purchase",
      pricingModel: "Reservation",
      ...common,
      date,
      subscriptionId: first.id,
      resourceGroup: "",
      resourceId: "",
      resourceLocation: "eastus",
      meterSubCategory: meterSubCategory("Standard_ND96asr_v4"),
      meter: meterName("Standard_ND96asr_v4"),
      actual: 2 * 27.197 * 730 * 0.62,
      amortized: 0,
    });
  }
  if (second) {
    // Seconds of a GPU VM started and deleted straight away: amounts such as 1E-06.
    const tiny = [0.000001, 0.000004, 0.000092, 0.000041][hash(date) % 4] as number;
    out.push({
      chargeType: "Usage",
      pricingModel: "OnDemand",
      ...common,
      date,
      subscriptionId: second.id,
      resourceGroup: "rg-research-probes",
      resourceId: `/subscriptions/${second.id}/resourcegroups/rg-research-probes/providers/microsoft.compute/virtualmachines/lab-probe`,
      resourceLocation: "westus2",
      meterSubCategory: meterSubCategory("Standard_NC4as_T4_v3"),
      meter: meterName("Standard_NC4as_T4_v3"),
      actual: tiny,
      amortized: tiny,
    });
  }
  return out;
}

/** The demo tenant's fleet over its three subscriptions. */
export function createDemoFleet(opts: { now?: () => Date; subscriptions?: DemoSubscription[] } = {}): DemoFleet {
  const now = opts.now ?? (() => new Date());
  const subscriptions = opts.subscriptions ?? DEMO_SUBSCRIPTIONS;
  const { resources, histories } = demoHistories(now(), subscriptions);
  return fleetFrom(subscriptions, resources, histories, now);
}

/**
 * A large generated tenant for the benchmark: `subscriptions` subscriptions holding `vms` VMs,
 * `gpuVms` of them GPU sizes. Spend is not modelled (the benchmark reads inventory only).
 */
export function createBigFleet(opts: { subscriptions: number; vms: number; gpuVms: number; now?: () => Date }): DemoFleet {
  const now = opts.now ?? (() => new Date());
  const rand = rng(7);
  const subs: DemoSubscription[] = Array.from({ length: opts.subscriptions }, (_, i) => {
    const hex = (hash(`sub-${i}`).toString(16) + hash(`sub-${i}-b`).toString(16)).padEnd(16, "0");
    return {
      id: `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${String(i % 1000).padStart(3, "0")}-${(i * 7919).toString(16).padStart(12, "0")}`,
      name: `sub-${String(i).padStart(4, "0")}`,
    };
  });
  const gpuSizes = Object.keys(DEMO_LIST_PRICES_USD).filter(isGpu);
  const cpuSizes = Object.keys(DEMO_LIST_PRICES_USD).filter((s) => !isGpu(s));
  const regions = Object.keys(REGION_FACTOR);
  const resources: ArmResource[] = [];
  const at = now();
  // Spread GPU VMs evenly among all VMs so every page of a naive listing carries some.
  const gpuEvery = opts.vms / Math.max(1, opts.gpuVms);
  for (let i = 0; i < opts.vms; i++) {
    const sub = subs[i % subs.length] as DemoSubscription;
    const gpu = Math.floor(i / gpuEvery) !== Math.floor((i + 1) / gpuEvery);
    const size = gpu ? (gpuSizes[i % gpuSizes.length] as string) : (cpuSizes[i % cpuSizes.length] as string);
    const state = rand() < 0.6 ? "running" : rand() < 0.8 ? "deallocated" : "stopped";
    resources.push(vmRecord(sub.id, `rg-${i % 17}`, `vm-${i}`, regions[i % regions.length] as string, size, { team: `team-${i % 9}` }, createdIso(at, 30 + (i % 300), 0.1), state));
  }
  return fleetFrom(subs, resources, [], now);
}
