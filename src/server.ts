/**
 * One HTTP server for every door: /healthz, /metrics, and the Slack, Teams and console doors
 * as they attach. `npm start` runs this; with no Azure scope it serves the demo tenant.
 */
import type { Server } from "node:http";
import express, { type Express } from "express";
import { type App, createApp } from "./app.ts";
import { type Config, ConfigError, loadConfig, summariseConfig } from "./config.ts";
import { createLogger, type Logger } from "./log.ts";

export interface RunningServer {
  app: App;
  http: Server;
  express: Express;
  url: string;
  log: Logger;
  close(): Promise<void>;
}

/** Prometheus text format: per-API Azure call counters. */
export function renderMetrics(app: App): string {
  const lines = ["# HELP gpuops_azure_calls_total Azure API calls by API.", "# TYPE gpuops_azure_calls_total counter"];
  const counters = app.azure.counters();
  for (const [api, c] of Object.entries(counters)) lines.push(`gpuops_azure_calls_total{api="${api}"} ${c.calls}`);
  lines.push("# HELP gpuops_azure_throttled_total Azure 429 answers by API.", "# TYPE gpuops_azure_throttled_total counter");
  for (const [api, c] of Object.entries(counters)) lines.push(`gpuops_azure_throttled_total{api="${api}"} ${c.throttled}`);
  lines.push("# HELP gpuops_azure_retries_total Azure retries by API.", "# TYPE gpuops_azure_retries_total counter");
  for (const [api, c] of Object.entries(counters)) lines.push(`gpuops_azure_retries_total{api="${api}"} ${c.retries}`);
  return `${lines.join("\n")}\n`;
}

export async function startServer(config: Config, opts: { log?: Logger; now?: () => Date } = {}): Promise<RunningServer> {
  const log = opts.log ?? createLogger(config.logLevel);
  const app = await createApp(config, { withStore: true, log, ...(opts.now ? { now: opts.now } : {}) });
  const web = express();
  web.disable("x-powered-by");
  web.get("/healthz", (_req, res) => {
    res.json({ status: "ok", demo: config.demo, store: app.store?.engine });
  });
  web.get("/metrics", (_req, res) => {
    res.type("text/plain; version=0.0.4").send(renderMetrics(app));
  });

  const http = await new Promise<Server>((resolve) => {
    const s = web.listen(config.server.port, config.server.host, () => resolve(s));
  });
  const address = http.address();
  const port = typeof address === "object" && address ? address.port : config.server.port;
  const url = `http://${config.server.host.includes(":") ? `[${config.server.host}]` : config.server.host}:${port}`;
  return {
    app,
    http,
    express: web,
    url,
    log,
    async close() {
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      await app.close();
    },
  };
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const log = createLogger(config.logLevel);
  log.info({ summary: summariseConfig(config).split("\n") }, "gpuops starting");
  const server = await startServer(config, { log });
  process.stdout.write(`gpuops is running${config.demo ? " on demo data" : ""}: ${server.url}/\n`);
  const stop = async () => {
    log.info({}, "shutting down");
    await server.close();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
