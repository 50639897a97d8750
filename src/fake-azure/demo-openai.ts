/**
 * The demo tenant's Azure OpenAI side: a few accounts across subscriptions and regions, their
 * Standard / GlobalStandard / provisioned deployments, per-region quota (usages follow from the
 * deployments), model versions with retirement dates, model capacities per region, and hourly
 * PTU utilisation. Every record is built in the field set of the official 2024-10-01 examples
 * (test/fixtures/azure/cognitiveservices); the values are demo values. Deterministic.
 */
import { DEMO_SUBSCRIPTIONS } from "./demo-tenant.ts";

export interface DemoOpenAiAccount {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
  location: string;
  kind: string;
  sku: string;
}

export interface DemoOpenAiDeployment {
  account: string;
  name: string;
  model: string;
  version: string;
  sku: string;
  capacity: number;
  /** Hourly peak utilisation (%) pattern; undefined = publishes nothing (no traffic ever). */
  utilisation?: (hourIndex: number) => number;
}

export interface DemoModel {
  name: string;
  version: string;
  /** ISO instant inference stops, when Microsoft has announced one. */
  retires?: string;
}

export interface DemoOpenAi {
  accounts: DemoOpenAiAccount[];
  deployments: DemoOpenAiDeployment[];
  models: DemoModel[];
  /** Quota limits in capacity units (1,000 TPM, or PTUs), per subscription × region × usage name. */
  limits: Map<string, number>;
  /** Available capacity per region × model@version × sku, in capacity units. */
  capacity: Map<string, number>;
  regions: string[];
  /** Mutable for tests: set a quota limit. */
  setLimit(subscriptionId: string, region: string, usageName: string, limit: number): void;
}

const [PROD, RESEARCH, INFERENCE] = DEMO_SUBSCRIPTIONS.map((s) => s.id) as [string, string, string];

/** Quota usage name for a deployment: per model for token quota, per region for PTUs. */
export function usageNameFor(sku: string, model: string): string {
  return /provisioned/i.test(sku) ? `OpenAI.${sku}` : `OpenAI.${sku}.${model}`;
}

const wave = (base: number, swing: number) => (h: number) => Math.max(0, Math.round((base + swing * Math.sin((h / 24) * 2 * Math.PI)) * 10) / 10);

export function createDemoOpenAi(): DemoOpenAi {
  const accounts: DemoOpenAiAccount[] = [
    { subscriptionId: PROD, resourceGroup: "rg-openai-prod", name: "aoai-prod-swc", location: "swedencentral", kind: "OpenAI", sku: "S0" },
    { subscriptionId: PROD, resourceGroup: "rg-openai-prod", name: "foundry-prod-eus2", location: "eastus2", kind: "AIServices", sku: "S0" },
    { subscriptionId: PROD, resourceGroup: "rg-vision", name: "vision-prod", location: "westeurope", kind: "ComputerVision", sku: "S1" },
    { subscriptionId: INFERENCE, resourceGroup: "rg-inference", name: "aoai-inference-we", location: "westeurope", kind: "OpenAI", sku: "S0" },
    { subscriptionId: RESEARCH, resourceGroup: "rg-research", name: "aoai-research-eus", location: "eastus", kind: "OpenAI", sku: "S0" },
  ];
  const deployments: DemoOpenAiDeployment[] = [
    { account: "aoai-prod-swc", name: "chat-gpt4o", model: "gpt-4o", version: "2024-11-20", sku: "Standard", capacity: 240 },
    { account: "aoai-prod-swc", name: "chat-mini", model: "gpt-4o-mini", version: "2024-07-18", sku: "GlobalStandard", capacity: 500 },
    { account: "aoai-prod-swc", name: "ptu-gpt4o", model: "gpt-4o", version: "2024-08-06", sku: "ProvisionedManaged", capacity: 100, utilisation: wave(55, 25) },
    { account: "foundry-prod-eus2", name: "gpt41-global", model: "gpt-4.1", version: "2025-04-14", sku: "GlobalStandard", capacity: 300 },
    { account: "foundry-prod-eus2", name: "ptu-reserved", model: "gpt-4o", version: "2024-11-20", sku: "GlobalProvisionedManaged", capacity: 50, utilisation: wave(2.5, 1.5) },
    { account: "aoai-inference-we", name: "embeddings", model: "text-embedding-3-large", version: "1", sku: "Standard", capacity: 120 },
    { account: "aoai-inference-we", name: "ptu-eu-mini", model: "gpt-4o-mini", version: "2024-07-18", sku: "DataZoneProvisionedManaged", capacity: 30 },
    { account: "aoai-research-eus", name: "legacy-35", model: "gpt-35-turbo", version: "0125", sku: "Standard", capacity: 60 },
  ];
  const models: DemoModel[] = [
    { name: "gpt-4o", version: "2024-08-06", retires: "2027-03-31T00:00:00Z" },
    { name: "gpt-4o", version: "2024-11-20", retires: "2027-06-30T00:00:00Z" },
    { name: "gpt-4o-mini", version: "2024-07-18", retires: "2027-03-31T00:00:00Z" },
    { name: "gpt-4.1", version: "2025-04-14" },
    { name: "gpt-35-turbo", version: "0125", retires: "2027-01-31T00:00:00Z" },
    { name: "text-embedding-3-large", version: "1" },
  ];
  const regions = ["swedencentral", "eastus", "eastus2", "westeurope", "westus3", "japaneast"];

  const limits = new Map<string, number>();
  const key = (sub: string, region: string, usage: string) => `${sub}|${region}|${usage.toLowerCase()}`;
  const tokenLimits: Array<[string, string, number]> = [
    ["Standard", "gpt-4o", 450],
    ["GlobalStandard", "gpt-4o", 1000],
    ["Standard", "gpt-4o-mini", 1000],
    ["GlobalStandard", "gpt-4o-mini", 2000],
    ["GlobalStandard", "gpt-4.1", 1000],
    ["Standard", "gpt-35-turbo", 240],
    ["Standard", "text-embedding-3-large", 350],
  ];
  const ptuLimits: Array<[string, number]> = [
    ["ProvisionedManaged", 300],
    ["GlobalProvisionedManaged", 200],
    ["DataZoneProvisionedManaged", 100],
  ];
  for (const sub of [PROD, RESEARCH, INFERENCE]) {
    for (const region of regions) {
      for (const [sku, model, limit] of tokenLimits) limits.set(key(sub, region, usageNameFor(sku, model)), limit);
      for (const [sku, limit] of ptuLimits) limits.set(key(sub, region, usageNameFor(sku, "")), limit);
    }
  }

  // What the regions still have for new deployments (capacity units), by model@version and type.
  const capacity = new Map<string, number>();
  const cap = (region: string, model: string, version: string, sku: string, units: number) => capacity.set(`${region}|${model}@${version}|${sku}`.toLowerCase(), units);
  const table: Array<[string, number, number, number, number, number]> = [
    // region, Standard, GlobalStandard, DataZoneStandard, ProvisionedManaged, GlobalProvisionedManaged
    ["swedencentral", 450, 1000, 600, 150, 400],
    ["eastus", 0, 1000, 300, 0, 500],
    ["eastus2", 350, 3000, 800, 50, 600],
    ["westeurope", 200, 900, 250, 0, 100],
    ["westus3", 1200, 2000, 0, 300, 800],
    ["japaneast", 100, 500, 0, 25, 150],
  ];
  for (const m of models) {
    // Newer versions get the capacity; older ones a quarter of it; the legacy model little.
    const factor = m.name === "gpt-35-turbo" ? 0.1 : m.version === "2024-08-06" ? 0.25 : m.name === "gpt-4o" ? 1 : 0.8;
    for (const [region, std, glob, dz, ptu, gptu] of table) {
      cap(region, m.name, m.version, "Standard", Math.floor(std * factor));
      cap(region, m.name, m.version, "GlobalStandard", Math.floor(glob * factor));
      cap(region, m.name, m.version, "DataZoneStandard", Math.floor(dz * factor));
      cap(region, m.name, m.version, "ProvisionedManaged", Math.floor(ptu * factor));
      cap(region, m.name, m.version, "GlobalProvisionedManaged", Math.floor(gptu * factor));
    }
  }

  return {
    accounts,
    deployments,
    models,
    limits,
    capacity,
    regions,
    setLimit: (sub, region, usage, limit) => limits.set(key(sub, region, usage), limit),
  };
}

/** Quota rows for a subscription × region: limit from the table, current = the deployments' capacity. */
export function demoOpenAiUsages(demo: DemoOpenAi, subscriptionId: string, region: string): Array<{ name: string; current: number; limit: number }> {
  const prefix = `${subscriptionId}|${region}|`;
  const rows: Array<{ name: string; current: number; limit: number }> = [];
  for (const [k, limit] of demo.limits) {
    if (!k.startsWith(prefix)) continue;
    const usage = k.slice(prefix.length);
    const current = demo.deployments
      .filter((d) => {
        const a = demo.accounts.find((x) => x.name === d.account);
        return a?.subscriptionId === subscriptionId && a.location === region && usageNameFor(d.sku, d.model).toLowerCase() === usage;
      })
      .reduce((n, d) => n + d.capacity, 0);
    rows.push({ name: canonicalUsageName(usage), current, limit });
  }
  return rows;
}

const SKU_SPELLING = ["Standard", "GlobalStandard", "DataZoneStandard", "ProvisionedManaged", "GlobalProvisionedManaged", "DataZoneProvisionedManaged"];

/** "openai.globalstandard.gpt-4o" → "OpenAI.GlobalStandard.gpt-4o" (the spelling Azure uses). */
function canonicalUsageName(lower: string): string {
  const [, sku, ...model] = lower.split(".");
  const spelled = SKU_SPELLING.find((s) => s.toLowerCase() === sku) ?? sku;
  return ["OpenAI", spelled, ...model].join(".");
}

const perTenant = new WeakMap<object, DemoOpenAi>();

/** The Azure OpenAI demo of a fake's tenant (made on first use), so tests can change it through `fake.tenant`. */
export function openAiOf(tenant: object): DemoOpenAi {
  let demo = perTenant.get(tenant);
  if (!demo) {
    demo = createDemoOpenAi();
    perTenant.set(tenant, demo);
  }
  return demo;
}
