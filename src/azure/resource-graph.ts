/**
 * Fleet inventory from Azure Resource Graph (`@azure/arm-resourcegraph`): every GPU VM, GPU VM
 * scale set and AKS GPU node pool in scope from ONE paged query (1,000 rows a page, `$skipToken`),
 * with subscriptions batched (fewer than 300 per query, as Resource Graph's throttling guidance
 * asks), instead of listing VMs subscription by subscription. The user quota headers
 * (`x-ms-user-quota-remaining`, `x-ms-user-quota-resets-after`) pace the pages.
 *
 * Resource Graph answers only for what the identity may read, silently; so the query also
 * returns one row per visible subscription, and a subscription in scope without that row is
 * reported as missing with the role that fixes it (Reader).
 */
import type { ResourceGraphClient } from "@azure/arm-resourcegraph";
import { LRUCache } from "lru-cache";
import { GpuopsError } from "../errors.ts";
import type { FleetInventory, FleetPort, GpuResource, GpuResourceKind, MissingScope, PowerState } from "../services/ports.ts";
import { mapAzureError } from "./azure-errors.ts";
import type { AzureAccess } from "./client-factory.ts";

/**
 * The inventory query. GPU sizes are the N-series (NC, ND, NG, NV). AKS keeps each pool's nodes in
 * a scale set tagged `aks-managed-poolName`; those are skipped so pools are counted once, as pools.
 * Fixed text: no user input is ever spliced into it (filters are applied to the result).
 */
export const GPU_INVENTORY_QUERY = `resources
| where type in~ ('microsoft.compute/virtualmachines', 'microsoft.compute/virtualmachinescalesets')
| extend size = tostring(iff(type =~ 'microsoft.compute/virtualmachines', properties.hardwareProfile.vmSize, sku.name))
| where size startswith 'Standard_N' and isnull(tags['aks-managed-poolName'])
| project id, name, type, subscriptionId, resourceGroup, location, size,
    instances = iff(type =~ 'microsoft.compute/virtualmachines', 1, toint(sku.capacity)),
    powerState = iff(type =~ 'microsoft.compute/virtualmachines', tostring(properties.extended.instanceView.powerState.code), iff(toint(sku.capacity) > 0, 'PowerState/running', 'PowerState/deallocated')),
    tags, created = tostring(properties.timeCreated)
| union (resources
    | where type =~ 'microsoft.containerservice/managedclusters'
    | mv-expand pool = properties.agentPoolProfiles
    | extend size = tostring(pool.vmSize)
    | where size startswith 'Standard_N'
    | project id = strcat(id, '/agentPools/', tostring(pool.name)), name = strcat(name, '/', tostring(pool.name)),
        type = 'microsoft.containerservice/managedclusters/agentpools', subscriptionId, resourceGroup, location, size,
        instances = toint(pool['count']),
        powerState = iff(tostring(pool.powerState.code) =~ 'Stopped' or toint(pool['count']) == 0, 'PowerState/deallocated', 'PowerState/running'),
        tags, created = '')
| union (resourcecontainers
    | where type =~ 'microsoft.resources/subscriptions'
    | project id, name, type, subscriptionId, resourceGroup = '', location = '', size = '', instances = 0, powerState = '', tags, created = '')
| order by id asc`;

/** Subscriptions under a management group (run with `managementGroups: [id]`). */
export const SUBSCRIPTIONS_QUERY = `resourcecontainers
| where type =~ 'microsoft.resources/subscriptions'
| project id, subscriptionId, name
| order by id asc`;

/** Resource Graph's largest page. */
export const MAX_PAGE = 1000;
/** Subscriptions per query: the throttling guidance says to batch fewer than 300. */
export const SUBSCRIPTION_BATCH = 250;

export interface FleetAdapterOptions {
  pageSize?: number;
  batchSize?: number;
  /** How long an inventory is reused (the digest, idle scan and `running` share it). */
  ttlSeconds?: number;
  /** Longest wait for the user quota to reset before a page; longer waits fail as throttled. */
  maxQuotaWaitMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
}

interface QuotaState {
  remaining?: number | undefined;
  resetsAfterMs?: number | undefined;
}

/** "00:00:05" → 5000 ms. */
export function parseResetsAfter(value: string | undefined): number | undefined {
  const m = /^(\d+):(\d{2}):(\d{2}(?:\.\d+)?)$/.exec(value?.trim() ?? "");
  if (!m) return undefined;
  return Math.round((Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3])) * 1000);
}

const POWER_STATES: Record<string, PowerState> = {
  running: "running",
  starting: "starting",
  stopping: "stopping",
  stopped: "stopped",
  deallocating: "deallocating",
  deallocated: "deallocated",
};

export function powerStateOf(code: unknown): PowerState {
  const m = /^PowerState\/(\w+)$/i.exec(typeof code === "string" ? code : "");
  return (m && POWER_STATES[(m[1] as string).toLowerCase()]) || "unknown";
}

/** A tag by any casing of its key (Azure tag keys are case-insensitive). */
function tag(tags: Record<string, string>, ...keys: string[]): string | undefined {
  const wanted = new Set(keys);
  for (const [k, v] of Object.entries(tags)) if (wanted.has(k.toLowerCase()) && typeof v === "string" && v !== "") return v;
  return undefined;
}

function kindOf(type: string): GpuResourceKind | "subscription" | undefined {
  switch (type.toLowerCase()) {
    case "microsoft.compute/virtualmachines":
      return "vm";
    case "microsoft.compute/virtualmachinescalesets":
      return "vmss";
    case "microsoft.containerservice/managedclusters/agentpools":
      return "aks-pool";
    case "microsoft.resources/subscriptions":
      return "subscription";
    default:
      return undefined;
  }
}

/** One result row → a GpuResource (or the visibility marker of a subscription). */
export function toResource(row: Record<string, unknown>): GpuResource | { subscription: string } | undefined {
  const str = (k: string) => (typeof row[k] === "string" ? (row[k] as string) : "");
  const kind = kindOf(str("type"));
  if (!kind) return undefined;
  if (kind === "subscription") return { subscription: str("subscriptionId").toLowerCase() };
  const rawTags = row.tags && typeof row.tags === "object" ? (row.tags as Record<string, unknown>) : {};
  const tags = Object.fromEntries(Object.entries(rawTags).filter((e): e is [string, string] => typeof e[1] === "string"));
  const instances = Number(row.instances);
  const r: GpuResource = {
    id: str("id"),
    name: str("name"),
    kind,
    subscriptionId: str("subscriptionId").toLowerCase(),
    resourceGroup: str("resourceGroup"),
    region: str("location").toLowerCase(),
    size: str("size"),
    instances: Number.isFinite(instances) && instances >= 0 ? instances : 0,
    powerState: powerStateOf(row.powerState),
    tags,
  };
  const owner = tag(tags, "owner");
  const team = tag(tags, "team");
  const costCenter = tag(tags, "cost-center", "costcenter", "cost_center");
  if (owner) r.owner = owner;
  if (team) r.team = team;
  if (costCenter) r.costCenter = costCenter;
  const created = str("created");
  if (created && Number.isFinite(Date.parse(created))) r.createdAt = new Date(created).toISOString();
  return r;
}

/** The SDK loads at the first inventory question: answers that never ask one (a CLI `skus`) skip it. */
async function graphClient(azure: AzureAccess): Promise<ResourceGraphClient> {
  const sdk = await import("@azure/arm-resourcegraph");
  return azure.client("resourcegraph", (credential, options) => new sdk.ResourceGraphClient(credential, options));
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs one query over one scope, page by page, pacing by the user quota headers.
 * `onRow` sees every row; returns the number of pages read.
 */
async function pagedQuery(
  azure: AzureAccess,
  scope: { subscriptions: string[] } | { managementGroups: string[] },
  query: string,
  onRow: (row: Record<string, unknown>) => void,
  opts: Required<Pick<FleetAdapterOptions, "pageSize" | "maxQuotaWaitMs" | "sleep">>,
  quota: QuotaState,
): Promise<number> {
  const client = await graphClient(azure);
  let skipToken: string | undefined;
  let pages = 0;
  do {
    if (quota.remaining !== undefined && quota.remaining <= 0 && quota.resetsAfterMs !== undefined) {
      if (quota.resetsAfterMs > opts.maxQuotaWaitMs) {
        throw new GpuopsError("azure_throttled", `Resource Graph quota is used up for ${Math.ceil(quota.resetsAfterMs / 1000)} s; try again then.`, {
          context: { api: "Resource Graph", retryAfterSeconds: Math.ceil(quota.resetsAfterMs / 1000) },
        });
      }
      await opts.sleep(quota.resetsAfterMs);
      quota.remaining = undefined;
    }
    const response = await client.resources(
      { ...scope, query, options: { top: opts.pageSize, resultFormat: "objectArray", ...(skipToken ? { skipToken } : {}) } },
      {
        onResponse: (raw) => {
          const remaining = Number(raw.headers.get("x-ms-user-quota-remaining"));
          if (Number.isFinite(remaining)) quota.remaining = remaining;
          const resets = parseResetsAfter(raw.headers.get("x-ms-user-quota-resets-after"));
          if (resets !== undefined) quota.resetsAfterMs = resets;
        },
      },
    );
    pages++;
    const data = Array.isArray(response.data) ? (response.data as Array<Record<string, unknown>>) : [];
    for (const row of data) onRow(row);
    skipToken = response.skipToken || undefined;
  } while (skipToken);
  return pages;
}

/** The fleet port over Resource Graph. Inventories are cached briefly and shared by concurrent askers. */
export function createFleetAdapter(azure: AzureAccess, options: FleetAdapterOptions = {}): FleetPort {
  const opts = {
    pageSize: Math.min(MAX_PAGE, Math.max(1, options.pageSize ?? MAX_PAGE)),
    batchSize: Math.min(299, Math.max(1, options.batchSize ?? SUBSCRIPTION_BATCH)),
    maxQuotaWaitMs: options.maxQuotaWaitMs ?? 10_000,
    sleep: options.sleep ?? defaultSleep,
  };
  const now = options.now ?? (() => new Date());
  const quota: QuotaState = {};
  const ttl = (options.ttlSeconds ?? 120) * 1000;

  const inventory = async (subscriptionIds: string[]): Promise<FleetInventory> => {
    const wanted = [...new Set(subscriptionIds.map((s) => s.toLowerCase()))].sort();
    const resources: GpuResource[] = [];
    const missing: MissingScope[] = [];
    for (let i = 0; i < wanted.length; i += opts.batchSize) {
      const batch = wanted.slice(i, i + opts.batchSize);
      const visible = new Set<string>();
      try {
        await pagedQuery(
          azure,
          { subscriptions: batch },
          GPU_INVENTORY_QUERY,
          (row) => {
            const r = toResource(row);
            if (!r) return;
            if ("subscription" in r) visible.add(r.subscription);
            else resources.push(r);
          },
          opts,
          quota,
        );
      } catch (err) {
        const e = mapAzureError(err, { api: "Resource Graph", role: "Reader" });
        if (e.code !== "azure_forbidden") throw e;
        // The whole batch was refused: say so per subscription and carry on with the others.
        for (const sub of batch) missing.push({ subscriptionId: sub, reason: "Resource Graph refused the query (HTTP 403)", role: "Reader" });
        continue;
      }
      for (const sub of batch) {
        if (!visible.has(sub)) missing.push({ subscriptionId: sub, reason: "not visible to the bot's identity in Resource Graph", role: "Reader" });
      }
    }
    return { resources, missing, fetchedAt: now().toISOString() };
  };

  const cache = new LRUCache<string, FleetInventory, string[]>({
    max: 20,
    ttl: Math.max(1, ttl),
    fetchMethod: async (_key, _stale, { context }) => inventory(context),
  });

  return {
    async gpuInventory(subscriptionIds) {
      if (ttl <= 0) return inventory(subscriptionIds);
      const key = [...new Set(subscriptionIds.map((s) => s.toLowerCase()))].sort().join(",");
      return (await cache.fetch(key, { context: subscriptionIds })) as FleetInventory;
    },
  };
}

/** Subscriptions under a management group, from Resource Graph's `resourcecontainers`. */
export async function resolveManagementGroupSubscriptions(
  azure: AzureAccess,
  managementGroup: string,
  options: FleetAdapterOptions = {},
): Promise<Array<{ id: string; name: string }>> {
  const subs: Array<{ id: string; name: string }> = [];
  try {
    await pagedQuery(
      azure,
      { managementGroups: [managementGroup] },
      SUBSCRIPTIONS_QUERY,
      (row) => {
        const id = typeof row.subscriptionId === "string" ? row.subscriptionId.toLowerCase() : "";
        if (id) subs.push({ id, name: typeof row.name === "string" && row.name ? row.name : id });
      },
      { pageSize: MAX_PAGE, maxQuotaWaitMs: options.maxQuotaWaitMs ?? 10_000, sleep: options.sleep ?? defaultSleep },
      {},
    );
  } catch (err) {
    throw mapAzureError(err, { api: `Resource Graph (management group ${managementGroup})`, role: "Reader on the management group" });
  }
  return subs;
}
