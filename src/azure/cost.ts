/**
 * GPU spend from the Cost Management Query API (`@azure/arm-costmanagement`): a Custom time
 * period, daily rows or totals, grouped by resource group, size (meter), subscription or a tag,
 * ActualCost by default and AmortizedCost on request. Each query also groups by meter
 * subcategory so that only GPU compute (the N-series meters of VMs, scale sets and AKS node pools)
 * is counted; the filter keeps the answer to the "Virtual Machines" meter category. ActualCost rows
 * are usage (ChargeType Usage); the one-off purchases of a range (reservations, savings plans) are
 * a second query per subscription, asked for only when a caller wants them named.
 *
 * Quota: a per-tenant QPU budget (cost-budget.ts) paces queries, and any
 * `x-ms-ratelimit-microsoft.costmanagement-*-retry-after` on a 429 pauses them all; the client
 * factory's retry waits the 429 out. A shared cache (TTL + in-flight de-duplication, in the store
 * when there is one) means many channels asking the same question cost one query.
 * Per-subscription failures become a partial answer naming the subscription and the role.
 */
import type { CostManagementClient, QueryDefinition, QueryFilter, QueryGrouping, QueryResult } from "@azure/arm-costmanagement";
import { createHttpHeaders, createPipelineRequest, type PipelinePolicy } from "@azure/core-rest-pipeline";
import { LRUCache } from "lru-cache";
import { findSize, GPU_SERIES } from "../domain/gpu-catalogue.ts";
import { parseAmount } from "../domain/money.ts";
import { fromUsageDate, monthsSpanned, range } from "../domain/periods.ts";
import { TAG_KEY } from "../domain/tags.ts";
import { GpuopsError } from "../errors.ts";
import type { CachePort, CostGrouping, CostPort, CostPurchase, CostQuery, CostResult, CostRow, MissingScope } from "../services/ports.ts";
import { retry } from "../services/retry.ts";
import { mapAzureError } from "./azure-errors.ts";
import { type AzureAccess, retryAfterMs } from "./client-factory.ts";
import { createQpuBudget, type QpuBudget, type QpuBudgetOptions } from "./cost-budget.ts";

export const COST_ROLE = "Cost Management Reader";

/** Tag keys allowed near a Cost Management query: letters, digits and a few separators. */
export const SAFE_TAG_KEY = TAG_KEY;
const SAFE_GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SAFE_GROUP_ID = /^[A-Za-z0-9._()-]{1,90}$/;

/** GPU compute meters: the N-series subcategories (NC, ND, NG, NV …). */
export const GPU_METER_SUBCATEGORY = /^N[CDGV]/i;

const seriesKey = (text: string) =>
  text
    .toLowerCase()
    .replace(/\b(series|linux|windows|spot|low priority)\b/g, "")
    .replace(/[\s_-]+/g, "");
const CATALOGUE_SERIES = new Set(GPU_SERIES.map((s) => seriesKey(s.series)));

/**
 * Whether a cost row is GPU compute, by two independent readings: the MeterSubCategory pattern,
 * and the catalogue (the Meter names a catalogue size, "NC24ads A100 v4", or the subcategory names
 * a catalogue series). Either one is enough; `agree` is false when they differ, so the answer can
 * say that some rows were classified on one reading only.
 */
export function classifyGpuRow(subCategory: string, meter: string | undefined): { gpu: boolean; agree: boolean } {
  const byPattern = GPU_METER_SUBCATEGORY.test(subCategory.trim());
  const byCatalogue =
    (meter !== undefined && meter.trim() !== "" && findSize(sizeFromMeter(meter).replace(/_(Spot|Low_Priority)$/i, "")) !== undefined) ||
    CATALOGUE_SERIES.has(seriesKey(subCategory));
  // Without a meter and with a subcategory neither reading knows, nothing disagrees: not GPU.
  return { gpu: byPattern || byCatalogue, agree: byPattern === byCatalogue || (!byCatalogue && meter === undefined && byPattern) };
}

export interface CostAdapterOptions {
  store?: CachePort | undefined;
  /** How long an answer is reused (Cost Management refreshes about every 4 h). */
  ttlSeconds?: number;
  budget?: QpuBudget | QpuBudgetOptions;
  now?: () => Date;
  /** Safety stop for a runaway nextLink chain. */
  maxPages?: number;
  /** Longest QPU retry-after this adapter waits out itself (after the client's own retries). */
  maxThrottleWaitMs?: number;
}

/** The grouping clauses for a split; the meter subcategory always comes first (GPU or not). */
export function groupingFor(g: CostGrouping): QueryGrouping[] {
  const meter: QueryGrouping = { type: "Dimension", name: "MeterSubCategory" };
  switch (g.kind) {
    case "rg":
      return [meter, { type: "Dimension", name: "ResourceGroupName" }];
    case "size":
      return [meter, { type: "Dimension", name: "Meter" }];
    case "subscription":
      return [meter, { type: "Dimension", name: "SubscriptionId" }];
    case "tag":
      if (!SAFE_TAG_KEY.test(g.key)) throw new GpuopsError("bad_command", `"${g.key.slice(0, 40)}" is not a tag key gpuops can query.`);
      return [meter, { type: "TagKey", name: g.key }];
  }
}

const VM_METERS: QueryFilter = { dimensions: { name: "MeterCategory", operator: "In", values: ["Virtual Machines"] } };
const chargeType = (value: string): QueryFilter => ({ dimensions: { name: "ChargeType", operator: "In", values: [value] } });
const timePeriodOf = (q: Pick<CostQuery, "from" | "to">) => ({ from: new Date(`${q.from}T00:00:00Z`), to: new Date(`${q.to}T23:59:59Z`) });

/**
 * The query body (what the SDK serialises, and what is POSTed again to a nextLink). ActualCost
 * asks for usage only: a reservation or savings plan bought is a one-off (ChargeType Purchase)
 * that would swamp a day's spend and every trend built on it; `purchaseDefinition` lists those apart.
 * AmortizedCost already spreads purchases over the resources that use them.
 */
export function queryDefinition(q: Pick<CostQuery, "from" | "to" | "granularity" | "grouping" | "type">): QueryDefinition {
  const dataset: QueryDefinition["dataset"] = {
    aggregation: { totalCost: { name: "Cost", function: "Sum" } },
    grouping: groupingFor(q.grouping),
    filter: q.type === "ActualCost" ? { and: [VM_METERS, chargeType("Usage")] } : VM_METERS,
  };
  if (q.granularity === "Daily") dataset.granularity = "Daily";
  return { type: q.type, timeframe: "Custom", timePeriod: timePeriodOf(q), dataset };
}

/** One-off purchases of the range, per day, by meter subcategory (GPU or not) and pricing model (reservation or savings plan). */
export function purchaseDefinition(q: Pick<CostQuery, "from" | "to">): QueryDefinition {
  return {
    type: "ActualCost",
    timeframe: "Custom",
    timePeriod: timePeriodOf(q),
    dataset: {
      granularity: "Daily",
      aggregation: { totalCost: { name: "Cost", function: "Sum" } },
      grouping: [
        { type: "Dimension", name: "MeterSubCategory" },
        { type: "Dimension", name: "PricingModel" },
      ],
      filter: { and: [VM_METERS, chargeType("Purchase")] },
    },
  };
}

/** "NC24ads A100 v4" → "NC24ads_A100_v4"; Spot and Low Priority meters keep their suffix. */
export function sizeFromMeter(meter: string): string {
  const m = /^(.*?)( Spot| Low Priority)?$/i.exec(meter.trim()) as RegExpExecArray;
  return `${(m[1] as string).trim().replace(/\s+/g, "_")}${m[2] ?? ""}`;
}

interface ColumnIndex {
  cost: number;
  date: number;
  currency: number;
  subCategory: number;
  group: number;
}

function indexColumns(columns: QueryResult["columns"] | undefined, g: CostGrouping): ColumnIndex {
  const names = (columns ?? []).map((c) => (c.name ?? "").toLowerCase());
  const find = (...candidates: string[]) => names.findIndex((n) => candidates.includes(n));
  let cost = find("cost", "pretaxcost", "costusd", "pretaxcostusd");
  if (cost < 0) cost = (columns ?? []).findIndex((c) => c.type === "Number" && (c.name ?? "").toLowerCase() !== "usagedate");
  const group =
    g.kind === "rg"
      ? find("resourcegroupname", "resourcegroup")
      : g.kind === "size"
        ? find("meter")
        : g.kind === "subscription"
          ? find("subscriptionid", "subscriptionguid")
          : find("tagvalue");
  return { cost, date: find("usagedate"), currency: find("currency", "billingcurrency"), subCategory: find("metersubcategory"), group };
}

/** Rows of one page that are GPU compute, in our words. Non-GPU meters and unreadable rows are skipped. */
export function gpuRows(result: { columns?: QueryResult["columns"] | undefined; rows?: QueryResult["rows"] | undefined }, g: CostGrouping, daily: boolean): CostRow[] {
  const ix = indexColumns(result.columns, g);
  if (ix.cost < 0 || ix.subCategory < 0) throw new GpuopsError("azure_error", "Cost Management answered without the cost or meter columns gpuops asked for.");
  const out: CostRow[] = [];
  for (const row of result.rows ?? []) {
    if (!Array.isArray(row)) continue;
    const sub = String(row[ix.subCategory] ?? "");
    const meter = g.kind === "size" && ix.group >= 0 ? String(row[ix.group] ?? "") : undefined;
    const kind = classifyGpuRow(sub, meter);
    if (!kind.gpu) continue;
    const amount = parseAmount(row[ix.cost]);
    if (!Number.isFinite(amount)) continue;
    const rawGroup = ix.group >= 0 ? String(row[ix.group] ?? "") : "";
    const r: CostRow = {
      group: g.kind === "size" && rawGroup ? sizeFromMeter(rawGroup) : g.kind === "subscription" ? rawGroup.toLowerCase() : rawGroup,
      amount,
      currency: ix.currency >= 0 ? String(row[ix.currency] ?? "") : "",
    };
    if (daily) {
      const date = fromUsageDate(row[ix.date]);
      if (!date) continue;
      r.date = date;
    }
    if (!kind.agree) r.classifiedBy = "one";
    out.push(r);
  }
  return out;
}

type Page = { columns?: QueryResult["columns"] | undefined; rows?: QueryResult["rows"] | undefined };

/** GPU purchase rows of one page of `purchaseDefinition`'s answer. */
export function purchaseRows(result: Page): CostPurchase[] {
  const names = (result.columns ?? []).map((c) => (c.name ?? "").toLowerCase());
  const at = (...candidates: string[]) => names.findIndex((n) => candidates.includes(n));
  const cost = at("cost", "pretaxcost", "costusd", "pretaxcostusd");
  const sub = at("metersubcategory");
  const date = at("usagedate");
  const model = at("pricingmodel");
  const currency = at("currency", "billingcurrency");
  if (cost < 0 || sub < 0 || date < 0) throw new GpuopsError("azure_error", "Cost Management answered without the cost, date or meter columns gpuops asked for.");
  const out: CostPurchase[] = [];
  for (const row of result.rows ?? []) {
    if (!Array.isArray(row) || !classifyGpuRow(String(row[sub] ?? ""), undefined).gpu) continue;
    const amount = parseAmount(row[cost]);
    const day = fromUsageDate(row[date]);
    if (!Number.isFinite(amount) || !day) continue;
    out.push({ date: day, amount, currency: currency >= 0 ? String(row[currency] ?? "") : "", pricingModel: model >= 0 ? String(row[model] ?? "") : "" });
  }
  return out;
}

function scopesOf(q: CostQuery): Array<{ scope: string; subscriptionId?: string }> {
  if (q.scope.kind === "managementGroup") {
    if (!SAFE_GROUP_ID.test(q.scope.id)) throw new GpuopsError("bad_config", "The management group id is not valid.");
    return [{ scope: `providers/Microsoft.Management/managementGroups/${q.scope.id}` }];
  }
  return q.scope.subscriptionIds.map((id) => {
    if (!SAFE_GUID.test(id)) throw new GpuopsError("bad_config", `"${id.slice(0, 40)}" is not a subscription id.`);
    return { scope: `subscriptions/${id.toLowerCase()}`, subscriptionId: id.toLowerCase() };
  });
}

/** Sees every attempt (including the 429s the retry policy waits out) and pauses the whole tenant. */
function qpuObserver(budget: QpuBudget): PipelinePolicy {
  return {
    name: "gpuopsQpuObserver",
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.status === 429) {
        const wait = retryAfterMs(response.headers);
        if (wait !== undefined) budget.pause(wait);
      }
      return response;
    },
  };
}

let adapterCount = 0;

/**
 * Sends once the tenant budget has room for `qpu`; a 429 (one the client's own retries gave up on)
 * pauses the whole budget for its retry-after and the request waits its turn again, up to 5 tries.
 */
function pacedByBudget<T>(budget: QpuBudget, qpu: number, maxThrottleWaitMs: number, send: () => Promise<T>): Promise<T> {
  return retry(
    async () => {
      await budget.acquire(qpu);
      return send();
    },
    {
      attempts: 5,
      backoff: { baseMs: 1000, factor: 1 },
      retryAfter: { mode: "instead", maxMs: maxThrottleWaitMs, beyond: "give-up" },
      decide: (outcome) => {
        const e = (outcome.ok ? {} : outcome.error) as { statusCode?: number; response?: { headers?: { get(n: string): string | undefined } } };
        if (e.statusCode !== 429) return { retry: false };
        return { retry: true, retryAfterMs: e.response?.headers ? retryAfterMs(e.response.headers) : undefined };
      },
      // The wait is the whole tenant's: the next try, like every other query, waits for the budget.
      sleep: async (ms) => budget.pause(ms),
    },
  );
}

export function createCostAdapter(azure: AzureAccess, options: CostAdapterOptions = {}): CostPort {
  const budget = options.budget && "acquire" in options.budget ? options.budget : createQpuBudget(options.budget ?? {});
  const now = options.now ?? (() => new Date());
  const ttlSeconds = options.ttlSeconds ?? 1800;
  const maxPages = options.maxPages ?? 50;
  const maxThrottleWaitMs = options.maxThrottleWaitMs ?? 10_000;
  const clientKey = `costmanagement:${++adapterCount}`;

  const throttleObserver = qpuObserver(budget);
  // The SDK loads at the first cost question: answers that never ask one (a CLI `skus`) skip it.
  const client = async (): Promise<CostManagementClient> => {
    const sdk = await import("@azure/arm-costmanagement");
    return azure.client(
      clientKey,
      (credential, o) => new sdk.CostManagementClient(credential, { ...o, additionalPolicies: [...o.additionalPolicies, { policy: throttleObserver, position: "perRetry" }] }),
    );
  };

  /** One scope's query, every page, each page read by `read`. */
  const runScope = async <T>(scope: string, q: CostQuery, definition: QueryDefinition, read: (page: Page) => T[]): Promise<T[]> => {
    const qpu = monthsSpanned(range(q.from, q.to));
    const c = await client();
    const onResponse = (raw: { headers: { get(n: string): string | undefined } }) => {
      const consumed = Number(raw.headers.get("x-ms-ratelimit-microsoft.costmanagement-qpu-consumed"));
      if (Number.isFinite(consumed)) budget.reconcile(qpu, consumed);
    };
    // Every request takes its QPU from the tenant budget first. A 429 that outlived the client's
    // own retries pauses the budget and is tried again in turn with everything else.
    const paced = <T>(send: () => Promise<T>): Promise<T> => pacedByBudget(budget, qpu, maxThrottleWaitMs, send);
    const first = await paced(() => c.query.usage(scope, definition, { onResponse }));
    const rows = read(first);
    let next = first.nextLink ?? undefined;
    const origin = new URL(azure.endpoint).origin;
    for (let page = 1; next && page < maxPages; page++) {
      // The bearer token goes only where the first request went.
      if (new URL(next).origin !== origin) throw new GpuopsError("azure_error", "Cost Management sent a next-page link to another host; not following it.");
      const url = next;
      const response = await paced(async () => {
        const res = await c.sendRequest(
          createPipelineRequest({
            url,
            method: "POST",
            body: JSON.stringify(definition),
            headers: createHttpHeaders({ "content-type": "application/json; charset=utf-8", accept: "application/json" }),
          }),
        );
        onResponse(res);
        if (res.status !== 200) throw Object.assign(new Error(`Cost Management answered HTTP ${res.status}`), { statusCode: res.status, response: res });
        return res;
      });
      const body = JSON.parse(response.bodyAsText ?? "{}") as { properties?: { nextLink?: string | null; columns?: QueryResult["columns"]; rows?: QueryResult["rows"] } };
      rows.push(...read({ columns: body.properties?.columns, rows: body.properties?.rows }));
      next = body.properties?.nextLink ?? undefined;
    }
    return rows;
  };

  type Kind = "usage" | "purchases";
  const fetchScope = (scope: string, q: CostQuery, kind: Kind): Promise<Array<CostRow | CostPurchase>> =>
    kind === "usage"
      ? runScope(scope, q, queryDefinition(q), (page) => gpuRows(page, q.grouping, q.granularity === "Daily"))
      : runScope(scope, { ...q, ...q.purchases }, purchaseDefinition(q.purchases ?? q), purchaseRows);

  const cache = new LRUCache<string, Array<CostRow | CostPurchase>, { scope: string; query: CostQuery; kind: Kind }>({
    max: 500,
    ttl: Math.max(1, ttlSeconds) * 1000,
    fetchMethod: async (key, _stale, { context }) => {
      const stored = await options.store?.cacheGet(key, now()).catch(() => undefined);
      if (stored) return JSON.parse(stored) as Array<CostRow | CostPurchase>;
      const rows = await fetchScope(context.scope, context.query, context.kind);
      await options.store?.cachePut(key, JSON.stringify(rows), ttlSeconds, now()).catch(() => undefined);
      return rows;
    },
  });

  const cachedScope = async (scope: string, q: CostQuery, kind: Kind): Promise<Array<CostRow | CostPurchase>> => {
    if (ttlSeconds <= 0) return fetchScope(scope, q, kind);
    // v2: ActualCost rows are usage only since purchases are asked for apart.
    const key = `cost:v2:${JSON.stringify(kind === "usage" ? [scope, kind, q.from, q.to, q.granularity, q.grouping, q.type] : [scope, kind, q.purchases?.from, q.purchases?.to])}`;
    return (await cache.fetch(key, { context: { scope, query: q, kind } })) as Array<CostRow | CostPurchase>;
  };

  /** A scope's usage rows and (when asked, ActualCost only) its purchases: one answer or one failure per scope. */
  const scopeAnswer = async (scope: string, q: CostQuery): Promise<{ rows: CostRow[]; purchases: CostPurchase[] }> => {
    const [rows, purchases] = await Promise.all([
      cachedScope(scope, q, "usage") as Promise<CostRow[]>,
      q.purchases && q.type === "ActualCost" ? (cachedScope(scope, q, "purchases") as Promise<CostPurchase[]>) : [],
    ]);
    return { rows, purchases };
  };

  return {
    async gpuSpend(q): Promise<CostResult> {
      const scopes = scopesOf(q);
      return mergeScopes(q, scopes, await Promise.allSettled(scopes.map((s) => scopeAnswer(s.scope, q))));
    },
  };
}

/** Every scope's answer in one result: failed subscriptions become `missing`, naming the role to grant. */
function mergeScopes(
  q: CostQuery,
  scopes: Array<{ scope: string; subscriptionId?: string }>,
  settled: Array<PromiseSettledResult<{ rows: CostRow[]; purchases: CostPurchase[] }>>,
): CostResult {
  const rows: CostRow[] = [];
  const purchases: CostPurchase[] = [];
  const missing: MissingScope[] = [];
  const errors: GpuopsError[] = [];
  settled.forEach((s, i) => {
    const { subscriptionId } = scopes[i] as { subscriptionId?: string };
    if (s.status === "fulfilled") {
      // Tagged with their subscription, so trends can compare the same subscriptions on both sides.
      rows.push(...(subscriptionId ? s.value.rows.map((r) => ({ ...r, subscriptionId })) : s.value.rows));
      purchases.push(...(subscriptionId ? s.value.purchases.map((p) => ({ ...p, subscriptionId })) : s.value.purchases));
      return;
    }
    const e = mapAzureError(s.reason, { api: "Cost Management", ...(subscriptionId ? { subscriptionId } : {}), role: COST_ROLE });
    errors.push(e);
    if (!subscriptionId) return;
    missing.push({
      subscriptionId,
      reason: e.code === "azure_forbidden" ? "Cost Management refused the query (HTTP 403)" : e.message,
      role: e.code === "azure_forbidden" ? COST_ROLE : "",
    });
  });
  // Nothing answered and it was not a permission problem: that is an error, not an empty answer.
  if (errors.length === scopes.length && errors.some((e) => e.code !== "azure_forbidden")) throw errors.find((e) => e.code !== "azure_forbidden");
  if (scopes.length === 1 && errors[0] && !scopes[0]?.subscriptionId) throw errors[0];
  return q.purchases ? { rows, missing, purchases } : { rows, missing };
}
