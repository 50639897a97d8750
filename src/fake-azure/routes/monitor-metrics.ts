/**
 * Azure Monitor metrics batch API (`POST /subscriptions/{sub}/metrics:getBatch`, api-version
 * 2024-02-01), the data-plane call `@azure/monitor-query-metrics` makes. Answers in the real
 * response shape: each `values[]` entry is cloned from the spec example in
 * seed/spec-2024-02-01.MetricBatchExample2.json and filled from the demo telemetry. Enforces the
 * documented limits: at most 50 resource ids, all in the path's subscription, one region and one
 * resource type; starttime/endtime and a supported interval.
 *
 * In real Azure this API lives on the regional host https://<region>.metrics.monitor.azure.com;
 * gpuops points GPUOPS_MONITOR_METRICS_URL at the fake for demo and tests.
 */
import { readFileSync } from "node:fs";
import type { DemoFleet } from "../demo-fleet.ts";
import type { DemoTelemetry } from "../demo-telemetry.ts";
import type { FakeResponse, Route } from "../types.ts";

interface Example {
  responses: { "200": { body: { values: Array<Record<string, unknown>> } }; default: { headers: Record<string, string>; body: { error: Record<string, unknown> } } };
}

const example = JSON.parse(readFileSync(new URL("../seed/spec-2024-02-01.MetricBatchExample2.json", import.meta.url), "utf8")) as Example;
const valueTemplate = example.responses["200"].body.values[0] as Record<string, unknown>;
const metricTemplate = (valueTemplate.value as Array<Record<string, unknown>>)[0] as Record<string, unknown>;

const GRAIN_SECONDS: Record<string, number> = { PT1M: 60, PT5M: 300, PT15M: 900, PT30M: 1800, PT1H: 3600, PT6H: 21600, PT12H: 43200, P1D: 86400 };
const MAX_RESOURCES = 50;
const NAMESPACE = "telegraf/nvidia_smi";

const clone = <T>(v: T): T => structuredClone(v);

/** The spec's error answer with our message (400, x-ms-error-code as recorded). */
function badRequest(message: string): FakeResponse {
  const body = clone(example.responses.default.body);
  body.error.message = message;
  return { status: 400, headers: { ...example.responses.default.headers }, body };
}

const armTypeOf = (id: string) => /\/providers\/([^/]+\/[^/]+)\/[^/]+$/i.exec(id)?.[1]?.toLowerCase();

export function registerMonitorMetricsRoutes(fleet: DemoFleet, telemetry: DemoTelemetry): Route[] {
  return [
    {
      method: "POST",
      path: /^\/subscriptions\/([0-9a-fA-F-]{36})\/metrics:getBatch$/,
      handle(ctx) {
        const [sub] = ctx.params as [string];
        const q = ctx.url.searchParams;
        if (q.get("api-version") !== "2024-02-01") return badRequest(`The api-version '${q.get("api-version") ?? ""}' is not supported; use 2024-02-01.`);
        const ids = (ctx.body as { resourceids?: unknown } | undefined)?.resourceids;
        if (!Array.isArray(ids) || ids.length === 0 || !ids.every((i) => typeof i === "string"))
          return badRequest("The request body must carry resourceids: a non-empty list of resource ids.");
        if (ids.length > MAX_RESOURCES) return badRequest(`A batch may carry at most ${MAX_RESOURCES} resource ids; got ${ids.length}.`);
        const start = Date.parse(q.get("starttime") ?? "");
        const end = Date.parse(q.get("endtime") ?? "");
        if (!Number.isFinite(start) || !Number.isFinite(end) || start >= end) {
          return badRequest("Detected invalid time range parameters for API version 2024-02-01. Please use only starttime and endtime to specify a time range.");
        }
        const interval = q.get("interval") ?? "PT1M";
        const grain = GRAIN_SECONDS[interval.toUpperCase()];
        if (!grain) return badRequest(`Invalid interval '${interval}'. Supported: ${Object.keys(GRAIN_SECONDS).join(", ")}.`);
        const names = (q.get("metricnames") ?? "").split(",").filter(Boolean);
        if (names.length === 0) return badRequest("metricnames is required.");
        const namespace = q.get("metricnamespace") ?? "";
        const records = (ids as string[]).map((id) => ({ id, rec: fleet.resources.find((r) => r.id.toLowerCase() === id.toLowerCase()) }));
        if (records.some(({ id }) => !id.toLowerCase().startsWith(`/subscriptions/${sub.toLowerCase()}/`))) {
          return badRequest("All resource ids of a batch must belong to the subscription in the request path.");
        }
        if (new Set(records.map(({ id }) => armTypeOf(id))).size > 1) return badRequest("All resource ids of a batch must be of the same resource type.");
        const regions = new Set(records.flatMap(({ rec }) => (rec ? [rec.location] : [])));
        if (regions.size > 1) return badRequest("All resource ids of a batch must be in the same region.");

        const grainMs = grain * 1000;
        const first = Math.floor(start / grainMs) * grainMs;
        // Every bucket's minutes, read once per resource for all its metrics; the bucket stamps once per request.
        const minutes = Math.ceil((end - first) / 60_000);
        const perBucket = grainMs / 60_000;
        const stamps: string[] = [];
        for (let t = first; t < end; t += grainMs) stamps.push(new Date(t).toISOString().replace(".000Z", "Z"));
        const startIso = new Date(start).toISOString().replace(".000Z", "Z");
        const endIso = new Date(end).toISOString().replace(".000Z", "Z");
        const known = namespace.toLowerCase() === NAMESPACE;
        const values = records.map(({ id, rec }) => {
          // The templates' nested parts are all replaced below, so a shallow copy keeps their key order and shares nothing.
          const entry: Record<string, unknown> = { ...valueTemplate };
          const resourceId = rec?.id ?? id;
          entry.starttime = startIso;
          entry.endtime = endIso;
          entry.interval = interval.toUpperCase();
          entry.namespace = namespace;
          entry.resourceregion = rec?.location ?? "";
          entry.resourceid = resourceId;
          const samples = rec !== undefined && known ? telemetry.samples(resourceId, first, minutes) : undefined;
          entry.value = names.map((name) => {
            const metric: Record<string, unknown> = { ...metricTemplate };
            metric.id = `${resourceId}/providers/Microsoft.Insights/metrics/${name}`;
            metric.name = { value: name, localizedValue: name };
            metric.displayDescription = "";
            metric.unit = "Unspecified";
            const data: Array<Record<string, unknown>> = [];
            let any = false;
            stamps.forEach((timeStamp, b) => {
              let max: number | undefined;
              for (let k = b * perBucket; samples && k < (b + 1) * perBucket && k < minutes; k++) {
                const s = samples[k];
                const v = s === undefined ? undefined : name === "utilization_gpu" ? s.util : name === "memory_used" ? s.memoryMib : undefined;
                if (v !== undefined) max = Math.max(max ?? v, v);
              }
              if (max !== undefined) any = true;
              data.push(max === undefined ? { timeStamp } : { timeStamp, maximum: max });
            });
            // A resource that never published the metric has no time series at all.
            metric.timeseries = any ? [{ metadatavalues: [], data }] : [];
            return metric;
          });
          return entry;
        });
        return { status: 200, body: { values } };
      },
    },
  ];
}
