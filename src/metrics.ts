/**
 * Prometheus metrics at /metrics, with prom-client (the Node client Prometheus lists): HTTP
 * request latency by door, command latency by door and verb, scheduled job runs by kind and
 * outcome, posts by platform and outcome, Azure calls / 429s / retries by API (the counters gpuops
 * always had, same names), and Node's runtime metrics. One registry per app, so several servers in
 * one process (tests) do not share counts.
 *
 * @example
 * const metrics = createMetrics({ azure: app.azure });
 * web.use(metrics.httpMiddleware);
 * web.get("/metrics", metrics.handler);
 */
import type { RequestHandler } from "express";
import { Counter, collectDefaultMetrics, Histogram, Registry } from "prom-client";
import type { AzureAccess } from "./azure/client-factory.ts";
import type { CommandRequest } from "./commands/types.ts";
import type { Reply } from "./reply/reply.ts";
import type { PostingPort } from "./services/ports.ts";

export interface Metrics {
  registry: Registry;
  /** Times every HTTP request, labelled by the door its path belongs to. */
  httpMiddleware: RequestHandler;
  handler: RequestHandler;
  /** Starts timing one command; call the result with its answer. */
  commandStarted(request: CommandRequest): (reply: Reply | undefined) => void;
  /** A posting port whose posts and updates are counted by platform and outcome. */
  instrumentPosting(port: PostingPort): PostingPort;
  /** One scheduled job run ended. */
  jobRun(job: string, outcome: string, seconds: number): void;
}

/** The door a request path belongs to (bounded label values: never the raw path). */
export function doorOf(path: string): string {
  if (path.startsWith("/slack/")) return "slack";
  if (path === "/api/messages") return "teams";
  if (path.startsWith("/console") || path === "/") return "console";
  if (path.startsWith("/charts/")) return "charts";
  if (path === "/healthz" || path === "/readyz" || path === "/metrics") return "ops";
  return "other";
}

/** The kind of a job, from its name ("digest:slack:C0123" → "digest"): bounded label values. */
export function jobKind(job: string): string {
  return job.split(/[:#/]/)[0] || "job";
}

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 30];

export function createMetrics(opts: { azure?: AzureAccess; now?: () => number } = {}): Metrics {
  const registry = new Registry();
  const now = opts.now ?? (() => performance.now());
  collectDefaultMetrics({ register: registry, prefix: "gpuops_" });

  const http = new Histogram({
    name: "gpuops_http_request_duration_seconds",
    help: "HTTP request latency by door, method and status class.",
    labelNames: ["door", "method", "status"],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const commands = new Histogram({
    name: "gpuops_command_duration_seconds",
    help: "Command latency, from request to answer, by door, verb and outcome.",
    labelNames: ["door", "verb", "outcome"],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const jobs = new Counter({ name: "gpuops_job_runs_total", help: "Scheduled job runs by kind and outcome.", labelNames: ["kind", "outcome"], registers: [registry] });
  const jobSeconds = new Histogram({
    name: "gpuops_job_duration_seconds",
    help: "Scheduled job run time by kind.",
    labelNames: ["kind"],
    buckets: [0.05, 0.25, 1, 5, 15, 60, 300, 600],
    registers: [registry],
  });
  const posts = new Counter({
    name: "gpuops_posts_total",
    help: "Posts and updates to chat platforms by platform, kind and outcome.",
    labelNames: ["platform", "kind", "outcome"],
    registers: [registry],
  });

  const azure = opts.azure;
  if (azure) {
    // Read from the Azure access layer's own counters at scrape time, under the names gpuops always used.
    const fromCounters = (name: string, help: string, pick: (c: { calls: number; throttled: number; retries: number }) => number) =>
      new Counter({
        name,
        help,
        labelNames: ["api"],
        registers: [registry],
        collect() {
          this.reset();
          for (const [api, c] of Object.entries(azure.counters())) this.inc({ api }, pick(c));
        },
      });
    fromCounters("gpuops_azure_calls_total", "Azure API calls by API.", (c) => c.calls);
    fromCounters("gpuops_azure_throttled_total", "Azure 429 answers by API.", (c) => c.throttled);
    fromCounters("gpuops_azure_retries_total", "Azure retries by API.", (c) => c.retries);
  }

  const counted = <T>(platform: string, kind: string, work: Promise<T>): Promise<T> =>
    work.then(
      (v) => {
        posts.inc({ platform, kind, outcome: "ok" });
        return v;
      },
      (err: unknown) => {
        posts.inc({ platform, kind, outcome: "failed" });
        throw err;
      },
    );

  return {
    registry,
    httpMiddleware: (req, res, next) => {
      const started = now();
      res.once("finish", () => {
        http.observe({ door: doorOf(req.path), method: req.method, status: `${Math.floor(res.statusCode / 100)}xx` }, (now() - started) / 1000);
      });
      next();
    },
    handler: async (_req, res) => {
      res.type(registry.contentType).send(await registry.metrics());
    },
    commandStarted(request) {
      const started = now();
      return (reply) => {
        // The router puts the verb that answered on the Reply: the text is not parsed again here.
        commands.observe({ door: request.surface, verb: reply?.verb ?? "other", outcome: reply?.outcome ?? "failed" }, (now() - started) / 1000);
      };
    },
    instrumentPosting(port) {
      return {
        platform: port.platform,
        post: (channelId, reply, o) => counted(port.platform, "post", port.post(channelId, reply, o)),
        update: (message, reply) => counted(port.platform, "update", port.update(message, reply)),
      };
    },
    jobRun(job, outcome, seconds) {
      const kind = jobKind(job);
      jobs.inc({ kind, outcome });
      jobSeconds.observe({ kind }, seconds);
    },
  };
}
