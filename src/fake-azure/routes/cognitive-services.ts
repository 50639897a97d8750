/**
 * Microsoft.CognitiveServices as the Azure OpenAI side of gpuops reads it: accounts by subscription,
 * deployments per account, usages and models per location, model capacities (subscription-wide and
 * per location), and the Azure Monitor metrics list for `ProvisionedManagedUtilizationV2` on an
 * account. Bodies carry exactly the fields of the official 2024-10-01 examples
 * (test/fixtures/azure/cognitiveservices; a test compares the shapes); lists page with nextLink.
 */
import { type DemoOpenAi, demoOpenAiUsages, openAiOf } from "../demo-openai.ts";
import type { DemoTenant } from "../demo-tenant.ts";
import type { FakeResponse, Route, RouteContext } from "../types.ts";
import { paged } from "./compute.ts";

const GUID = "([0-9a-fA-F-]{36})";
const PROVIDER = "providers/Microsoft\\.CognitiveServices";
/** api-versions the fake answers (the SDK's, and the examples'). */
const API_VERSIONS = new Set(["2023-05-01", "2024-10-01", "2025-06-01", "2025-09-01"]);

const error = (status: number, code: string, message: string): FakeResponse => ({ status, body: { error: { code, message } } });

function checks(ctx: RouteContext, sub: string): FakeResponse | undefined {
  const v = ctx.url.searchParams.get("api-version") ?? "";
  if (!API_VERSIONS.has(v)) return error(400, "InvalidApiVersionParameter", `The api-version '${v}' is invalid. The supported versions are '${[...API_VERSIONS].join("','")}'.`);
  if (!ctx.tenant.subscriptions.some((s) => s.id === sub)) return error(404, "SubscriptionNotFound", `The subscription '${sub}' could not be found.`);
  return undefined;
}

const accountId = (a: { subscriptionId: string; resourceGroup: string; name: string }) =>
  `/subscriptions/${a.subscriptionId}/resourceGroups/${a.resourceGroup}/providers/Microsoft.CognitiveServices/accounts/${a.name}`;

/** ListAccountsBySubscription.json item fields. */
function accountBody(a: DemoOpenAi["accounts"][number]) {
  return {
    id: accountId(a),
    name: a.name,
    type: "Microsoft.CognitiveServices/accounts",
    location: a.location,
    sku: { name: a.sku },
    kind: a.kind,
    etag: `W/"datetime'2026-01-15T09%3A00%3A00.0000000Z'"`,
    properties: { endpoint: `https://${a.name}.openai.azure.com/`, provisioningState: "Succeeded" },
  };
}

/** ListModelCapacities.json item fields. */
function capacityBody(sub: string, region: string, model: { name: string; version: string }, sku: string, available: number) {
  return {
    id: `/subscriptions/${sub}/providers/Microsoft.CognitiveServices/locations/${region}/models/OpenAI.${model.name}.${model.version}/skuCapacities/${sku}`,
    type: "Microsoft.CognitiveServices/locations/models/skuCapacities",
    name: sku,
    location: region,
    properties: { model: { format: "OpenAI", name: model.name, version: model.version }, skuName: sku, availableCapacity: available, availableFinetuneCapacity: 0 },
  };
}

function capacities(demo: DemoOpenAi, ctx: RouteContext, sub: string, region: string | undefined): FakeResponse {
  const q = ctx.url.searchParams;
  const format = q.get("modelFormat");
  const name = q.get("modelName");
  const version = q.get("modelVersion");
  if (!format || !name || !version) return error(400, "InvalidParameter", "modelFormat, modelName and modelVersion are required.");
  const model = demo.models.find((m) => m.name.toLowerCase() === name.toLowerCase() && m.version === version);
  if (format !== "OpenAI" || !model) return { status: 200, body: { value: [] } };
  const items: unknown[] = [];
  for (const r of region ? [region] : demo.regions) {
    for (const [k, available] of demo.capacity) {
      const [kr, km, ksku] = k.split("|") as [string, string, string];
      if (kr !== r || km !== `${model.name}@${model.version}`.toLowerCase()) continue;
      const sku = SKU_SPELLING.get(ksku) ?? ksku;
      items.push(capacityBody(sub, r, model, sku, available));
    }
  }
  return paged(ctx, items, ctx.tenant.pageSize);
}

const SKU_SPELLING = new Map(
  ["Standard", "GlobalStandard", "DataZoneStandard", "ProvisionedManaged", "GlobalProvisionedManaged", "DataZoneProvisionedManaged"].map((s) => [s.toLowerCase(), s]),
);

export function registerCognitiveServicesRoutes(tenant: DemoTenant): Route[] {
  const demo = openAiOf(tenant);
  const accountOf = (sub: string, rg: string, name: string) =>
    demo.accounts.find((a) => a.subscriptionId === sub && a.resourceGroup.toLowerCase() === rg.toLowerCase() && a.name.toLowerCase() === name.toLowerCase());
  return [
    {
      method: "GET",
      path: new RegExp(`^/subscriptions/${GUID}/${PROVIDER}/accounts$`, "i"),
      handle(ctx) {
        const [sub] = ctx.params as [string];
        const bad = checks(ctx, sub);
        if (bad) return bad;
        return paged(ctx, demo.accounts.filter((a) => a.subscriptionId === sub).map(accountBody), ctx.tenant.pageSize);
      },
    },
    {
      method: "GET",
      path: new RegExp(`^/subscriptions/${GUID}/resourceGroups/([^/]+)/${PROVIDER}/accounts/([^/]+)/deployments$`, "i"),
      handle(ctx) {
        const [sub, rg, name] = ctx.params as [string, string, string];
        const bad = checks(ctx, sub);
        if (bad) return bad;
        const account = accountOf(sub, rg, name);
        if (!account) return error(404, "ResourceNotFound", `The Resource 'Microsoft.CognitiveServices/accounts/${name}' under resource group '${rg}' was not found.`);
        // ListDeployments.json item fields.
        const items = demo.deployments
          .filter((d) => d.account === account.name)
          .map((d) => ({
            id: `${accountId(account)}/deployments/${d.name}`,
            name: d.name,
            type: "Microsoft.CognitiveServices/accounts/deployments",
            sku: { name: d.sku, capacity: d.capacity },
            properties: { model: { format: "OpenAI", name: d.model, version: d.version }, provisioningState: "Succeeded" },
          }));
        return paged(ctx, items, ctx.tenant.pageSize);
      },
    },
    {
      method: "GET",
      path: new RegExp(`^/subscriptions/${GUID}/${PROVIDER}/locations/([^/]+)/usages$`, "i"),
      handle(ctx) {
        const [sub, location] = ctx.params as [string, string];
        const bad = checks(ctx, sub);
        if (bad) return bad;
        const region = location.toLowerCase();
        const accounts = demo.accounts.filter((a) => a.subscriptionId === sub && a.location === region).length;
        // ListUsages.json item fields: AccountCount, then the OpenAI quota rows in the same shape.
        const rows = [
          { name: { value: "AccountCount", localizedValue: "Cognitive Services total account limit" }, currentValue: accounts, limit: 200, unit: "Count" },
          ...demoOpenAiUsages(demo, sub, region).map((u) => ({ name: { value: u.name, localizedValue: u.name }, currentValue: u.current, limit: u.limit, unit: "Count" })),
        ];
        return { status: 200, body: { value: rows } };
      },
    },
    {
      method: "GET",
      path: new RegExp(`^/subscriptions/${GUID}/${PROVIDER}/locations/([^/]+)/models$`, "i"),
      handle(ctx) {
        const [sub, location] = ctx.params as [string, string];
        const bad = checks(ctx, sub);
        if (bad) return bad;
        if (!demo.regions.includes(location.toLowerCase())) return { status: 200, body: { value: [] } };
        // ListLocationModels.json item fields (the ones that say something for these models).
        const items = demo.models.map((m) => ({
          kind: "OpenAI",
          skuName: "S0",
          model: {
            format: "OpenAI",
            name: m.name,
            version: m.version,
            ...(m.retires ? { deprecation: { fineTune: m.retires, inference: m.retires } } : {}),
            lifecycleStatus: "GenerallyAvailable",
          },
        }));
        return paged(ctx, items, ctx.tenant.pageSize);
      },
    },
    {
      method: "GET",
      path: new RegExp(`^/subscriptions/${GUID}/${PROVIDER}/modelCapacities$`, "i"),
      handle(ctx) {
        const [sub] = ctx.params as [string];
        return checks(ctx, sub) ?? capacities(demo, ctx, sub, undefined);
      },
    },
    {
      method: "GET",
      path: new RegExp(`^/subscriptions/${GUID}/${PROVIDER}/locations/([^/]+)/modelCapacities$`, "i"),
      handle(ctx) {
        const [sub, location] = ctx.params as [string, string];
        return checks(ctx, sub) ?? capacities(demo, ctx, sub, location.toLowerCase());
      },
    },
    {
      method: "GET",
      path: new RegExp(`^/subscriptions/${GUID}/resourceGroups/([^/]+)/${PROVIDER}/accounts/([^/]+)/providers/microsoft\\.insights/metrics$`, "i"),
      handle(ctx) {
        const [sub, rg, name] = ctx.params as [string, string, string];
        const account = accountOf(sub, rg, name);
        if (!account) return error(404, "ResourceNotFound", `The Resource 'Microsoft.CognitiveServices/accounts/${name}' was not found.`);
        return metrics(demo, ctx, account);
      },
    },
  ];
}

/** The metrics-list body (docs example shape), split by ModelDeploymentName, hourly maxima. */
function metrics(demo: DemoOpenAi, ctx: RouteContext, account: DemoOpenAi["accounts"][number]): FakeResponse {
  const q = ctx.url.searchParams;
  if (q.get("api-version") !== "2018-01-01") return error(400, "BadRequest", `api-version '${q.get("api-version") ?? ""}' is not supported here; use 2018-01-01.`);
  const names = (q.get("metricnames") ?? "").split(",").filter(Boolean);
  const [fromText, toText] = (q.get("timespan") ?? "").split("/");
  const from = Date.parse(fromText ?? "");
  const to = Date.parse(toText ?? "");
  if (!Number.isFinite(from) || !Number.isFinite(to) || from >= to) return error(400, "BadRequest", "timespan must be <start>/<end> in ISO 8601.");
  if (q.get("interval") !== "PT1H") return error(400, "BadRequest", "The fake serves interval PT1H only.");
  const hour = 3_600_000;
  const first = Math.floor(from / hour) * hour;
  const iso = (t: number) => new Date(t).toISOString().replace(".000Z", "Z");
  const value = names.map((metric) => {
    const known = metric.toLowerCase() === "provisionedmanagedutilizationv2";
    const series = known
      ? demo.deployments
          .filter((d) => d.account === account.name && /provisioned/i.test(d.sku) && d.utilisation)
          .map((d) => {
            const data: Array<Record<string, unknown>> = [];
            for (let t = first; t < to; t += hour) data.push({ timeStamp: iso(t), maximum: (d.utilisation as (h: number) => number)(Math.floor(t / hour)) });
            return { metadatavalues: [{ name: { value: "ModelDeploymentName", localizedValue: "ModelDeploymentName" }, value: d.name }], data };
          })
      : [];
    return {
      id: `${accountId(account)}/providers/Microsoft.Insights/metrics/${metric}`,
      type: "Microsoft.Insights/metrics",
      name: { value: metric, localizedValue: metric },
      unit: "Percent",
      timeseries: series,
    };
  });
  return { status: 200, body: { cost: 0, timespan: `${iso(from)}/${iso(to)}`, interval: "PT1H", value } };
}
