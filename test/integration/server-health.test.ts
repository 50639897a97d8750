// The one HTTP server, started as `npm start` starts it (demo mode, SQLite in a temp dir), on port 0.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { cliRequest } from "../support/demo-app.ts";
import { runCommand } from "../support/router.ts";

const dataDir = mkdtempSync(join(tmpdir(), "gpuops-server-"));
let server: RunningServer;

beforeAll(async () => {
  const config = loadConfig({ PORT: "0", GPUOPS_DATA_DIR: dataDir, GPUOPS_LOG_LEVEL: "silent" }, { cwd: dataDir });
  server = await startServer(config, { log: createLogger("silent") });
});
afterAll(async () => {
  await server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("server", () => {
  it("listens on a real port on loopback", () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.url).not.toMatch(/:0$/);
  });

  it("/healthz says ok, demo mode and the store engine", async () => {
    const res = await fetch(`${server.url}/healthz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", demo: true, store: "sqlite" });
    expect(res.headers.get("x-powered-by")).toBeNull();
  });

  it("/metrics has per-API Azure call counters after a command", async () => {
    const before = await (await fetch(`${server.url}/metrics`)).text();
    expect(before).toContain("# TYPE gpuops_azure_calls_total counter");
    expect(before).not.toContain('api="Microsoft.Compute/skus"');

    const r = await runCommand(cliRequest("skus swedencentral a100"), server.app.context());
    expect(r.outcome).toBe("ok");
    await runCommand(cliRequest("quota westus"), server.app.context());

    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const text = await res.text();
    // quota asks every demo subscription for westus usages.
    const subs = server.app.fake?.tenant.subscriptions.length ?? 0;
    expect(subs).toBeGreaterThan(0);
    // SKUs once per subscription and region: skus (swedencentral) and quota (westus: which sizes it may start).
    expect(text).toContain(`gpuops_azure_calls_total{api="Microsoft.Compute/skus"} ${2 * subs}`);
    expect(text).toContain(`gpuops_azure_calls_total{api="Microsoft.Compute/usages"} ${subs}`);
    expect(text).toContain('gpuops_azure_throttled_total{api="Microsoft.Compute/skus"} 0');
    expect(text).toContain('gpuops_azure_retries_total{api="Microsoft.Compute/usages"} 0');
  });

  it("unknown paths are 404, not a crash", async () => {
    const res = await fetch(`${server.url}/nope`);
    expect(res.status).toBe(404);
  });
});
