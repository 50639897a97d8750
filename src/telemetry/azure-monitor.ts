/**
 * GPU utilisation from Azure Monitor for VMs whose agent (Telegraf's nvidia_smi input with the
 * azure_monitor output) publishes custom metrics in the `Telegraf/nvidia_smi` namespace:
 * `utilization_gpu` (%) and `memory_used` (MiB). Asked through the metrics batch API
 * (`MetricsClient.queryResources`, POST …/metrics:getBatch), never one call per VM: at most 50
 * resource ids per call, all of one subscription, region and resource type.
 *
 * The batch API lives on a regional host (https://<region>.metrics.monitor.azure.com); a
 * configured metrics URL (the fake Azure in demo and tests) replaces it for every region.
 * Clients come from the client factory, so retries, limits, counters and loopback TLS apply.
 */
import type { MetricsClient } from "@azure/monitor-query-metrics";
import type { AzureAccess } from "../azure/client-factory.ts";
import type { AzureCloud } from "../config.ts";
import type { ActivityBucket } from "../domain/idle-rule.ts";
import { chunk, type FetchRange, type HostSeries, type SourceAnswer, type Target, type TelemetrySource } from "./source.ts";

export const NVIDIA_SMI_NAMESPACE = "Telegraf/nvidia_smi";
export const METRIC_UTIL = "utilization_gpu";
export const METRIC_MEMORY = "memory_used";

/** Most resource ids one batch call may carry (Azure Monitor batch API limit). */
export const MAX_IDS_PER_BATCH = 50;

/** Time grains the metrics API accepts, in seconds. */
const GRAINS: Array<[number, string]> = [
  [60, "PT1M"],
  [300, "PT5M"],
  [900, "PT15M"],
  [1800, "PT30M"],
  [3600, "PT1H"],
  [21600, "PT6H"],
  [43200, "PT12H"],
  [86400, "P1D"],
];

/** The smallest supported grain at least as long as the step asked for. */
export function grainFor(stepSeconds: number): { seconds: number; iso: string } {
  const g = GRAINS.find(([s]) => s >= stepSeconds) ?? (GRAINS[GRAINS.length - 1] as [number, string]);
  return { seconds: g[0], iso: g[1] };
}

const METRICS_HOST_SUFFIX: Record<AzureCloud, string> = {
  public: "metrics.monitor.azure.com",
  china: "metrics.monitor.azure.cn",
  usgov: "metrics.monitor.azure.us",
};

/** The regional data-plane endpoint of the batch API, unless an override is configured. */
export function metricsEndpoint(region: string, cloud: AzureCloud, override?: string): string {
  if (override) return override.replace(/\/+$/, "");
  if (!/^[a-z][a-z0-9]{2,39}$/.test(region)) throw new Error(`not a region name: ${region}`);
  return `https://${region}.${METRICS_HOST_SUFFIX[cloud]}`;
}

export interface MonitorSourceOptions {
  cloud: AzureCloud;
  /** Replaces the regional host for every region (GPUOPS_MONITOR_METRICS_URL). */
  metricsUrl?: string | undefined;
}

const ARM_ID = /^\/subscriptions\/[0-9a-f-]{36}\/resourceGroups\/[^/]+\/providers\/Microsoft\.Compute\/(virtualMachines|virtualMachineScaleSets)\/[^/]+$/i;

export function createMonitorSource(azure: AzureAccess, opts: MonitorSourceOptions): TelemetrySource {
  let calls = 0;
  // The SDK loads at the first idle question: answers that never ask one (a CLI `skus`) skip it.
  const clientFor = async (region: string): Promise<MetricsClient> => {
    const endpoint = metricsEndpoint(region, opts.cloud, opts.metricsUrl);
    const sdk = await import("@azure/monitor-query-metrics");
    return azure.client(`monitor-metrics:${endpoint}`, (credential, options) => new sdk.MetricsClient(endpoint, credential, { ...options, endpoint }));
  };
  const covers = (t: Target) => (t.resource.kind === "vm" || t.resource.kind === "vmss") && ARM_ID.test(t.resource.id);

  async function fetchBatch(targets: Target[], range: FetchRange, support: boolean): Promise<HostSeries[]> {
    const first = targets[0] as Target;
    const grain = grainFor(range.stepSeconds);
    // Grain-aligned start, so every bucket is a whole one.
    const start = Math.floor(range.from / (grain.seconds * 1000)) * grain.seconds * 1000;
    calls++;
    const client = await clientFor(first.resource.region);
    const results = await client.queryResources(
      targets.map((t) => t.resource.id),
      support ? [METRIC_UTIL, METRIC_MEMORY] : [METRIC_UTIL],
      NVIDIA_SMI_NAMESPACE,
      { startTime: new Date(start), endTime: new Date(range.to), interval: grain.iso, aggregation: "maximum" },
    );
    const byId = new Map(targets.map((t) => [t.resource.id.toLowerCase(), t]));
    const out: HostSeries[] = [];
    for (const r of results) {
      const target = r.resourceId ? byId.get(r.resourceId.toLowerCase()) : undefined;
      if (!target) continue;
      const metric = (name: string) => r.metrics.find((m) => m.name === name || m.id?.toLowerCase().endsWith(`/metrics/${name.toLowerCase()}`));
      const points = (name: string) =>
        (metric(name)?.timeseries ?? []).flatMap((ts) =>
          (ts.data ?? []).flatMap((d) => (d.maximum === undefined || d.maximum === null ? [] : [{ at: new Date(d.timeStamp).getTime(), max: d.maximum }])),
        );
      const util = points(METRIC_UTIL);
      if (util.length === 0) continue;
      const buckets: ActivityBucket[] = util.map((p) => ({ from: p.at, to: Math.min(p.at + grain.seconds * 1000, range.to), max: p.max }));
      const series: HostSeries = { target, host: target.resource.name.toLowerCase(), signal: "gpu_util", buckets };
      if (support) {
        const windowStart = range.from;
        const mem = points(METRIC_MEMORY).filter((p) => p.at + grain.seconds * 1000 > windowStart);
        if (mem.length > 0) series.memoryUsedMib = Math.max(...mem.map((p) => p.max));
      }
      out.push(series);
    }
    return out;
  }

  return {
    name: "azure-monitor",
    covers,
    async fetch(targets, range, support) {
      const groups = new Map<string, Target[]>();
      for (const t of targets.filter(covers)) {
        const key = `${t.resource.subscriptionId.toLowerCase()}|${t.resource.region}|${t.resource.kind}`;
        groups.set(key, [...(groups.get(key) ?? []), t]);
      }
      const batches = [...groups.values()].flatMap((g) => chunk(g, MAX_IDS_PER_BATCH));
      const settled = await Promise.allSettled(batches.map((b) => fetchBatch(b, range, support)));
      const answer: SourceAnswer = { series: [], failed: [] };
      settled.forEach((s, i) => {
        if (s.status === "fulfilled") answer.series.push(...s.value);
        else {
          const e = s.reason as { statusCode?: number; message?: string };
          const detail = `Azure Monitor metrics failed${e.statusCode ? ` (HTTP ${e.statusCode})` : ""}: ${(e.message ?? "").slice(0, 200)}`;
          for (const target of batches[i] ?? []) answer.failed.push({ target, detail });
        }
      });
      return answer;
    },
    queries: () => calls,
    describeMissing: () => `no ${NVIDIA_SMI_NAMESPACE} metrics in Azure Monitor: the VM needs Telegraf with its nvidia_smi input`,
  };
}
