/**
 * Microsoft.ResourceGraph `resources`: recognises gpuops's two queries by their exact text (the
 * GPU inventory and the management-group subscription list) and evaluates them over the demo
 * fleet's ARM records; any other query gets the recorded 400 InvalidQuery answer. Pages with
 * `$skipToken` (base64 JSON, as the recording shows), sends the user quota headers, answers 429
 * when the quota is used up, and trims subscriptions the identity may not read (403 when nothing
 * in the request is readable), as Resource Graph does.
 */
import { readFileSync } from "node:fs";
import { GPU_INVENTORY_QUERY, SUBSCRIPTIONS_QUERY } from "../../azure/resource-graph.ts";
import type { ArmResource, DemoFleet } from "../demo-fleet.ts";
import type { FakeResponse, Route } from "../types.ts";

type Row = Record<string, unknown>;

const recordedInvalidQuery = (
  JSON.parse(readFileSync(new URL("../seed/recording-2021-03-01.resources-invalid-query-400.json", import.meta.url), "utf8")) as {
    responses: { "400": { body: unknown } };
  }
).responses["400"].body;

/** The rows gpuops's inventory query yields for these records (what the KQL in azure/resource-graph.ts computes). */
export function evaluateInventory(resources: ArmResource[], subscriptions: Array<{ id: string; name: string }>): Row[] {
  const inScope = new Set(subscriptions.map((s) => s.id.toLowerCase()));
  const rows: Row[] = [];
  const startsWithN = (size: unknown) => typeof size === "string" && size.toLowerCase().startsWith("standard_n");
  for (const r of resources) {
    if (!inScope.has(r.subscriptionId.toLowerCase())) continue;
    const base = { subscriptionId: r.subscriptionId, resourceGroup: r.resourceGroup, location: r.location, tags: r.tags };
    if (r.type === "microsoft.compute/virtualmachines" || r.type === "microsoft.compute/virtualmachinescalesets") {
      const vm = r.type === "microsoft.compute/virtualmachines";
      const size = vm ? (r.properties.hardwareProfile as { vmSize?: string } | undefined)?.vmSize : r.sku?.name;
      if (!startsWithN(size) || r.tags["aks-managed-poolName"] !== undefined) continue;
      const capacity = r.sku?.capacity ?? 0;
      const code = (r.properties.extended as { instanceView?: { powerState?: { code?: string } } } | undefined)?.instanceView?.powerState?.code;
      rows.push({
        id: r.id,
        name: r.name,
        type: r.type,
        ...base,
        size,
        instances: vm ? 1 : capacity,
        powerState: vm ? (code ?? "") : capacity > 0 ? "PowerState/running" : "PowerState/deallocated",
        created: typeof r.properties.timeCreated === "string" ? r.properties.timeCreated : "",
      });
    } else if (r.type === "microsoft.containerservice/managedclusters") {
      const pools = (r.properties.agentPoolProfiles ?? []) as Array<{ name: string; vmSize: string; count: number; powerState?: { code?: string } }>;
      for (const p of pools) {
        if (!startsWithN(p.vmSize)) continue;
        const stopped = (p.powerState?.code ?? "").toLowerCase() === "stopped" || p.count === 0;
        rows.push({
          id: `${r.id}/agentPools/${p.name}`,
          name: `${r.name}/${p.name}`,
          type: "microsoft.containerservice/managedclusters/agentpools",
          ...base,
          size: p.vmSize,
          instances: p.count,
          powerState: stopped ? "PowerState/deallocated" : "PowerState/running",
          created: "",
        });
      }
    }
  }
  for (const s of subscriptions) {
    rows.push({
      id: `/subscriptions/${s.id}`,
      name: s.name,
      type: "microsoft.resources/subscriptions",
      subscriptionId: s.id,
      resourceGroup: "",
      location: "",
      size: "",
      instances: 0,
      powerState: "",
      tags: {},
      created: "",
    });
  }
  return rows.sort((a, b) => ((a.id as string) < (b.id as string) ? -1 : (a.id as string) > (b.id as string) ? 1 : 0));
}

function encodeSkipToken(top: number, skip: number): string {
  const text = JSON.stringify({ $id: "1", MaxRows: top, RowsToSkip: skip, KustoClusterUrl: "https://ar-fake.arg.core.windows.net" }, null, 2);
  return Buffer.from(text, "utf8").toString("base64");
}

function decodeSkipToken(token: string): { top: number; skip: number } | undefined {
  try {
    const t = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { MaxRows?: unknown; RowsToSkip?: unknown };
    if (typeof t.MaxRows === "number" && typeof t.RowsToSkip === "number") return { top: t.MaxRows, skip: t.RowsToSkip };
  } catch {
    // fall through: an unreadable token is a bad request
  }
  return undefined;
}

const hhmmss = (ms: number) => {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${String(Math.floor(s / 3600)).padStart(2, "0")}:${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
};

const forbidden = (scope: string): FakeResponse => ({
  status: 403,
  body: {
    error: {
      code: "AuthorizationFailed",
      message: `The client 'gpuops' with object id '00000000-0000-0000-0000-00000000b07e' does not have authorization to perform action 'Microsoft.ResourceGraph/resources/read' over scope '${scope}' or the scope is invalid.`,
    },
  },
});

export function registerResourceGraphRoutes(fleet: DemoFleet): Route[] {
  const calls: number[] = [];
  const resultCache = new Map<string, Row[]>();
  return [
    {
      method: "POST",
      path: /^\/providers\/Microsoft\.ResourceGraph\/resources$/i,
      handle(ctx) {
        const now = Date.now();
        const { perWindow, windowMs } = fleet.knobs.graphQuota;
        while (calls.length > 0 && (calls[0] as number) <= now - windowMs) calls.shift();
        const resetsAfter = calls.length > 0 ? (calls[0] as number) + windowMs - now : windowMs;
        if (calls.length >= perWindow) {
          return {
            status: 429,
            headers: { "x-ms-user-quota-remaining": "0", "x-ms-user-quota-resets-after": hhmmss(resetsAfter) },
            body: { error: { code: "RateLimiting", message: "Please provide below info when asking for support: the user quota of Resource Graph queries is used up." } },
          };
        }
        calls.push(now);
        const quotaHeaders = {
          "x-ms-user-quota-remaining": String(perWindow - calls.length),
          "x-ms-user-quota-resets-after": hhmmss(resetsAfter),
          "x-ms-ratelimit-remaining-tenant-resource-requests": String(perWindow - calls.length),
        };
        const body = (ctx.body ?? {}) as { subscriptions?: string[]; managementGroups?: string[]; query?: string; options?: Record<string, unknown> };
        if (body.query !== GPU_INVENTORY_QUERY && body.query !== SUBSCRIPTIONS_QUERY) {
          return { status: 400, headers: quotaHeaders, body: recordedInvalidQuery };
        }
        let requested: string[];
        if (body.managementGroups?.length) {
          const group = body.managementGroups[0] as string;
          const subs = fleet.managementGroups[group];
          if (!subs) return forbidden(`/providers/Microsoft.Management/managementGroups/${group}`);
          requested = subs;
        } else requested = (body.subscriptions ?? []).map((s) => s.toLowerCase());
        const readable = requested.filter((s) => !fleet.knobs.forbiddenGraph.has(s));
        if (requested.length > 0 && readable.length === 0) return forbidden(`/subscriptions/${requested[0]}`);
        const known = new Map(fleet.subscriptions.map((s) => [s.id.toLowerCase(), s]));
        const subs = readable.flatMap((id) => {
          const s = known.get(id);
          return s ? [s] : [];
        });

        const key = `${body.query === GPU_INVENTORY_QUERY ? "gpu" : "subs"}|${subs
          .map((s) => s.id)
          .sort()
          .join(",")}`;
        let rows = resultCache.get(key);
        if (!rows) {
          rows =
            body.query === GPU_INVENTORY_QUERY
              ? evaluateInventory(fleet.resources, subs)
              : subs.map((s) => ({ id: `/subscriptions/${s.id}`, subscriptionId: s.id, name: s.name })).sort((a, b) => (a.id < b.id ? -1 : 1));
          resultCache.set(key, rows);
        }
        const opts = body.options ?? {};
        let top = Math.min(fleet.knobs.graphMaxPage, typeof opts.$top === "number" ? opts.$top : 1000);
        let skip = typeof opts.$skip === "number" ? opts.$skip : 0;
        if (typeof opts.$skipToken === "string") {
          const t = decodeSkipToken(opts.$skipToken);
          if (!t) return { status: 400, headers: quotaHeaders, body: { error: { code: "BadRequest", message: "The $skipToken is invalid." } } };
          top = Math.min(fleet.knobs.graphMaxPage, t.top);
          skip = t.skip;
        }
        const page = rows.slice(skip, skip + top);
        const out: Record<string, unknown> = { totalRecords: rows.length, count: page.length, data: page, facets: [], resultTruncated: "false" };
        if (skip + top < rows.length) out.$skipToken = encodeSkipToken(top, skip + top);
        return { status: 200, headers: quotaHeaders, body: out };
      },
    },
  ];
}
