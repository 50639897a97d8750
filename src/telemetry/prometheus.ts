/**
 * GPU utilisation from a Prometheus HTTP API (self-hosted, or Azure Monitor managed Prometheus
 * with an Entra token) scraping the NVIDIA DCGM exporter. Hosts are asked in chunks: per chunk,
 * one range query for both activity signals (DCGM_FI_PROF_GR_ENGINE_ACTIVE preferred,
 * DCGM_FI_DEV_GPU_UTIL as fallback) and one instant query for the supporting signals
 * (DCGM_FI_DEV_FB_USED, DCGM_FI_DEV_POWER_USAGE). Queries go by POST, so long host lists fit.
 *
 * @example
 * const source = createPrometheusSource({ url: "http://127.0.0.1:9090", hostLabels: ["Hostname"] });
 * const answer = await source.fetch(targets, { from, to, stepSeconds: 60 }, true);
 */
import { z } from "zod";
import type { ActivityBucket, ActivitySignal } from "../domain/idle-rule.ts";
import { retry } from "../services/retry.ts";
import { activityQuery, aksNodePattern, hostOfSeries, isHostLabelValue, isPoolName, SIGNAL_LABEL, scaleSetInstancePattern, supportQuery } from "./promql.ts";
import { chunk, type FetchRange, type HostSeries, type SourceAnswer, type Target, type TelemetrySource } from "./source.ts";

export interface PrometheusOptions {
  /** Base URL, e.g. http://prometheus:9090 or the managed workspace's query endpoint. */
  url: string;
  /** Static bearer token (never logged). */
  token?: string | undefined;
  /** Or a token provider (Entra ID for Azure Monitor managed Prometheus). */
  getToken?: (() => Promise<string>) | undefined;
  /** Labels that may carry the host name, tried in order. */
  hostLabels: readonly string[];
  /** Targets per query (the host regex grows with it). */
  chunkSize?: number;
  timeoutMs?: number;
  maxRetries?: number;
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
}

export class PrometheusError extends Error {
  readonly code: "prometheus_unavailable" | "prometheus_rejected" | "prometheus_forbidden";
  readonly status: number | undefined;
  constructor(code: PrometheusError["code"], message: string, status?: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = "PrometheusError";
    this.code = code;
    this.status = status;
  }
}

const sampleValue = z.tuple([z.number(), z.string()]);
const answerSchema = z.discriminatedUnion("status", [
  z.object({
    status: z.literal("success"),
    data: z.discriminatedUnion("resultType", [
      z.object({ resultType: z.literal("matrix"), result: z.array(z.object({ metric: z.record(z.string(), z.string()), values: z.array(sampleValue) })) }),
      z.object({ resultType: z.literal("vector"), result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: sampleValue })) }),
      z.object({ resultType: z.literal("scalar"), result: sampleValue }),
      z.object({ resultType: z.literal("string"), result: sampleValue }),
    ]),
  }),
  z.object({ status: z.literal("error"), errorType: z.string(), error: z.string() }),
]);

export interface PromSeries {
  metric: Record<string, string>;
  /** [epoch seconds, value] */
  values: Array<[number, number]>;
}

const RETRYABLE = new Set([429, 502, 503, 504]);

/** A minimal Prometheus HTTP API client: /api/v1/query and /api/v1/query_range, POSTed. */
export function createPrometheusClient(opts: Omit<PrometheusOptions, "hostLabels" | "chunkSize">) {
  // user:password in the URL becomes Basic auth (fetch refuses URLs with credentials); errors
  // and requests only ever use the URL without them.
  const parsed = new URL(opts.url);
  const basic = parsed.username ? Buffer.from(`${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`).toString("base64") : undefined;
  parsed.username = "";
  parsed.password = "";
  const base = parsed.toString().replace(/\/+$/, "");
  const shown = `${parsed.protocol}//${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname.replace(/\/+$/, "")}`;
  const doFetch = opts.fetch ?? fetch;
  const sleep = opts.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxRetries = opts.maxRetries ?? 2;
  let sent = 0;

  async function call(path: "query" | "query_range", params: Record<string, string>): Promise<PromSeries[]> {
    const headers: Record<string, string> = { "content-type": "application/x-www-form-urlencoded", accept: "application/json" };
    const token = opts.token ?? (opts.getToken ? await opts.getToken() : undefined);
    if (token) headers.authorization = `Bearer ${token}`;
    else if (basic) headers.authorization = `Basic ${basic}`;
    const send = () => {
      sent++;
      return doFetch(`${base}/api/v1/${path}`, {
        method: "POST",
        headers,
        body: new URLSearchParams(params).toString(),
        signal: AbortSignal.timeout(opts.timeoutMs ?? 30_000),
      });
    };
    let res: Response;
    try {
      res = await retry(send, {
        attempts: maxRetries + 1,
        backoff: { baseMs: 200 },
        retryAfter: { mode: "instead", maxMs: 5000, beyond: "clamp" },
        decide: async (outcome, attempt) => {
          if (!outcome.ok) return { retry: true };
          if (!RETRYABLE.has(outcome.value.status)) return { retry: false };
          // The last answer is read below for its error; earlier ones are dropped before the next try.
          if (attempt > maxRetries) return { retry: true };
          await outcome.value.body?.cancel();
          const after = Number(outcome.value.headers.get("retry-after"));
          return { retry: true, retryAfterMs: Number.isFinite(after) && after > 0 ? after * 1000 : undefined };
        },
        sleep,
      });
    } catch (err) {
      throw new PrometheusError("prometheus_unavailable", `Prometheus at ${shown} did not answer (${(err as Error).name})`, undefined, err);
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw new PrometheusError(
        "prometheus_forbidden",
        `Prometheus at ${shown} refused the query (HTTP ${res.status}): check PROMETHEUS_TOKEN or the identity's Monitoring Data Reader role`,
        res.status,
      );
    }
    let body: unknown;
    try {
      body = await res.json();
    } catch (err) {
      throw new PrometheusError("prometheus_unavailable", `Prometheus at ${shown} answered HTTP ${res.status} without JSON`, res.status, err);
    }
    const parsed = answerSchema.safeParse(body);
    if (!parsed.success) throw new PrometheusError("prometheus_unavailable", `Prometheus at ${shown} answered in an unexpected shape (HTTP ${res.status})`, res.status);
    if (parsed.data.status === "error") {
      const code = res.status >= 500 ? "prometheus_unavailable" : "prometheus_rejected";
      throw new PrometheusError(code, `Prometheus rejected the query: ${parsed.data.errorType}: ${parsed.data.error.slice(0, 300)}`, res.status);
    }
    const data = parsed.data.data;
    if (data.resultType === "matrix") return data.result.map((r) => ({ metric: r.metric, values: r.values.map(([t, v]) => [t, Number(v)] as [number, number]) }));
    if (data.resultType === "vector") return data.result.map((r) => ({ metric: r.metric, values: [[r.value[0], Number(r.value[1])] as [number, number]] }));
    return [];
  }

  return {
    /** Instant query at `time` (epoch ms). */
    query: (promql: string, time: number) => call("query", { query: promql, time: (time / 1000).toFixed(3) }),
    /** Range query from `start` to `end` (epoch ms) every `stepSeconds`. */
    queryRange: (promql: string, start: number, end: number, stepSeconds: number) =>
      call("query_range", { query: promql, start: (start / 1000).toFixed(3), end: (end / 1000).toFixed(3), step: `${stepSeconds}s` }),
    sent: () => sent,
  };
}

/** Which target a host belongs to: exact VM names first, then pool and scale-set node patterns. */
function targetMatcher(targets: readonly Target[]): (host: string) => Target | undefined {
  const byHost = new Map<string, Target>();
  const patterns: Array<[RegExp, Target]> = [];
  for (const t of targets) {
    if (t.host) byHost.set(t.host.toLowerCase(), t);
    if (t.pool) patterns.push([new RegExp(`^${aksNodePattern(t.pool)}$`, "i"), t]);
    if (t.scaleSetPrefix) patterns.push([new RegExp(`^${scaleSetInstancePattern(t.scaleSetPrefix)}$`, "i"), t]);
  }
  return (host) => byHost.get(host) ?? patterns.find(([re]) => re.test(host))?.[1];
}

export function createPrometheusSource(opts: PrometheusOptions): TelemetrySource {
  const client = createPrometheusClient(opts);
  const chunkSize = opts.chunkSize ?? 500;
  const hostLabels = opts.hostLabels;

  const usable = (t: Target) =>
    (t.host !== undefined && isHostLabelValue(t.host)) || (t.pool !== undefined && isPoolName(t.pool)) || (t.scaleSetPrefix !== undefined && isHostLabelValue(t.scaleSetPrefix));

  async function fetchChunk(targets: Target[], range: FetchRange, support: boolean): Promise<SourceAnswer> {
    const hosts = targets.flatMap((t) => (t.host ? [t.host] : []));
    const pools = targets.flatMap((t) => (t.pool ? [t.pool] : []));
    const scaleSets = targets.flatMap((t) => (t.scaleSetPrefix ? [t.scaleSetPrefix] : []));
    const sel = { hostLabels, hosts, pools, scaleSets };
    const matcher = targetMatcher(targets);
    const step = Math.max(1, Math.round(range.stepSeconds));
    const rangeSeconds = step * 2; // a bucket longer than the step absorbs scrape jitter
    const series = await client.queryRange(activityQuery({ ...sel, rangeSeconds }), range.from, range.to, step);

    const byHost = new Map<string, { target: Target; engine?: ActivityBucket[]; util?: ActivityBucket[] }>();
    for (const s of series) {
      const host = hostOfSeries(s.metric, hostLabels);
      if (!host) continue;
      const target = matcher(host);
      if (!target) continue;
      const entry = byHost.get(host) ?? { target };
      const buckets = s.values.filter(([, v]) => Number.isFinite(v)).map(([t, v]) => ({ from: t * 1000 - step * 1000, to: t * 1000, max: v }));
      const signal = s.metric[SIGNAL_LABEL] === "engine_active" ? "engine" : "util";
      entry[signal] = [...(entry[signal] ?? []), ...buckets];
      byHost.set(host, entry);
    }
    const out: HostSeries[] = [];
    for (const [host, e] of byHost) {
      const signal: ActivitySignal = e.engine && e.engine.length > 0 ? "engine_active" : "gpu_util";
      out.push({ target: e.target, host, signal, buckets: (signal === "engine_active" ? e.engine : e.util) ?? [] });
    }
    if (support && out.length > 0) {
      const windowSeconds = Math.max(1, Math.round((range.to - range.from) / 1000));
      const supporting = await client.query(supportQuery({ ...sel, windowSeconds }), range.to);
      const mem = new Map<string, number>();
      const power = new Map<string, number>();
      for (const s of supporting) {
        const host = hostOfSeries(s.metric, hostLabels);
        const v = s.values[0]?.[1];
        if (!host || v === undefined || !Number.isFinite(v)) continue;
        const into = s.metric[SIGNAL_LABEL] === "fb_used" ? mem : power;
        into.set(host, Math.max(into.get(host) ?? 0, v));
      }
      for (const h of out) {
        const m = mem.get(h.host);
        const p = power.get(h.host);
        if (m !== undefined) h.memoryUsedMib = m;
        if (p !== undefined) h.powerW = p;
      }
    }
    return { series: out, failed: [] };
  }

  return {
    name: "prometheus",
    covers: usable,
    async fetch(targets, range, support) {
      const answer: SourceAnswer = { series: [], failed: [] };
      const chunks = chunk(targets.filter(usable), chunkSize);
      const results = await Promise.allSettled(chunks.map((c) => fetchChunk(c, range, support)));
      results.forEach((r, i) => {
        if (r.status === "fulfilled") answer.series.push(...r.value.series);
        else for (const target of chunks[i] ?? []) answer.failed.push({ target, detail: (r.reason as Error).message });
      });
      return answer;
    },
    queries: client.sent,
    describeMissing(t) {
      const what = t.pool ? "for the pool's nodes" : t.scaleSetPrefix ? "for the scale set's instances" : "for the VM";
      return `no DCGM exporter series in Prometheus ${what} (host label ${hostLabels.join(" / ")})`;
    },
  };
}
