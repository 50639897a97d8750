/**
 * The operations endpoints of the real server: /readyz (ready, draining, store unreachable) and
 * /metrics in Prometheus text from prom-client, with the histograms and counters each door,
 * job and post feeds through its one hook.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { doorOf, jobKind } from "../../src/metrics.ts";
import { reply, text } from "../../src/reply/reply.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { openStore } from "../../src/store/store.ts";
import { cliRequest } from "../support/demo-app.ts";
import { runCommand } from "../support/router.ts";

const dirs: string[] = [];
async function start(env: Record<string, string> = {}): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), "gpuops-ops-"));
  dirs.push(dataDir);
  const config = loadConfig({ PORT: "0", GPUOPS_DEMO: "true", GPUOPS_DATA_DIR: dataDir, GPUOPS_LOG_LEVEL: "silent", ...env }, { cwd: dataDir });
  return startServer(config, { log: createLogger("silent") });
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** The value of one sample line, e.g. metric('x_total{a="b"}'). */
function sample(body: string, series: string): number | undefined {
  const line = body.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : undefined;
}

describe("/readyz", () => {
  it("is 200 with its checks once the server is up", async () => {
    const server = await start();
    try {
      const res = await fetch(`${server.url}/readyz`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: "ready", checks: { doors: "ok", store: "ok", migrations: "ok" } });
    } finally {
      await server.close();
    }
  });

  it("turns 503 'draining' on shutdown while still serving, then the server stops", async () => {
    const server = await start({ GPUOPS_DRAIN_DELAY: "1s", GPUOPS_SHUTDOWN_TIMEOUT: "5s" });
    const stopping = server.shutdown();
    const res = await fetch(`${server.url}/readyz`);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { status: string }).status).toBe("draining");
    // Liveness still answers during the drain delay: the process is healthy, just leaving.
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect(await stopping).toEqual({ timedOut: false, releasedClaims: 0 });
    expect(server.app.lifecycle.state).toBe("stopped");
    await expect(fetch(`${server.url}/healthz`)).rejects.toThrow();
  });

  it("after the shutdown timeout, hands back the claim of a job still running so another replica takes it over", async () => {
    const server = await start({ GPUOPS_SHUTDOWN_TIMEOUT: "1s" });
    const dataDir = server.app.config.store.dataDir;
    let started = false;
    server.app.scheduler?.every("stuck-job", 3_600_000, async () => {
      started = true;
      await new Promise(() => undefined);
    });
    for (let i = 0; i < 100 && !started; i++) await new Promise((r) => setTimeout(r, 20));
    expect(started).toBe(true);
    expect(await server.shutdown()).toEqual({ timedOut: true, releasedClaims: 1 });
    const store = await openStore({ dataDir });
    try {
      const row = await store.db.selectFrom("job_run").select(["status", "claimed_at", "heartbeat_at"]).where("job", "=", "stuck-job").executeTakeFirstOrThrow();
      // Still "claimed", but dated at the epoch: any other replica sees it as stale and takes it over now.
      const epoch = new Date(0).toISOString();
      expect(row).toEqual({ status: "claimed", claimed_at: epoch, heartbeat_at: epoch });
    } finally {
      await store.close();
    }
  });

  it("is 503 when the store stops answering", async () => {
    const server = await start();
    try {
      await server.app.store?.close();
      const res = await fetch(`${server.url}/readyz`);
      expect(res.status).toBe(503);
      expect(((await res.json()) as { checks: { store: string } }).checks.store).toMatch(/^store unreachable/);
    } finally {
      await server.close().catch(() => undefined);
    }
  });
});

describe("/metrics", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await start();
  });
  afterAll(async () => {
    await server?.close();
  });

  it("counts commands, HTTP requests, job runs and posts, with Azure calls and Node metrics", async () => {
    expect((await runCommand(cliRequest("skus swedencentral a100"), server.app.context())).outcome).toBe("ok");
    await runCommand(cliRequest("frobnicate"), server.app.context());
    await fetch(`${server.url}/healthz`);
    let ran = false;
    server.app.scheduler?.every("probe-job:once", 3_600_000, async () => {
      ran = true;
    });
    for (let i = 0; i < 100 && !ran; i++) await new Promise((r) => setTimeout(r, 20));
    expect(ran).toBe(true);
    await server.app.posting.get("console")?.post("local", reply("hello", [text("a post")]));

    const res = await fetch(`${server.url}/metrics`);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain/);
    const body = await res.text();
    expect(body).toContain("# TYPE gpuops_command_duration_seconds histogram");
    expect(sample(body, 'gpuops_command_duration_seconds_count{door="cli",verb="skus",outcome="ok"}')).toBe(1);
    expect(sample(body, 'gpuops_command_duration_seconds_count{door="cli",verb="other",outcome="user_error"}')).toBe(1);
    expect(sample(body, 'gpuops_command_duration_seconds_bucket{le="+Inf",door="cli",verb="skus",outcome="ok"}')).toBe(1);
    expect(body).toContain("# TYPE gpuops_http_request_duration_seconds histogram");
    expect(sample(body, 'gpuops_http_request_duration_seconds_count{door="ops",method="GET",status="2xx"}')).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 50 && !(await (await fetch(`${server.url}/metrics`)).text()).includes('kind="probe-job"'); i++) await new Promise((r) => setTimeout(r, 20));
    const later = await (await fetch(`${server.url}/metrics`)).text();
    expect(sample(later, 'gpuops_job_runs_total{kind="probe-job",outcome="done"}')).toBe(1);
    expect(sample(later, 'gpuops_posts_total{platform="console",kind="post",outcome="ok"}')).toBe(1);
    // Today's Azure counters, same names and labels as before prom-client.
    // skus asks every subscription in scope for the region's SKUs, once each.
    expect(sample(later, 'gpuops_azure_calls_total{api="Microsoft.Compute/skus"}')).toBe((await server.app.services.scope.subscriptions()).length);
    expect(sample(later, 'gpuops_azure_throttled_total{api="Microsoft.Compute/skus"}')).toBe(0);
    expect(later).toContain("# TYPE gpuops_azure_retries_total counter");
    // Node runtime metrics.
    expect(later).toContain("gpuops_process_cpu_user_seconds_total");
    expect(later).toContain("gpuops_nodejs_eventloop_lag_seconds");
  });

  it("labels by door and job kind from a bounded set, never a raw path or channel", () => {
    expect(doorOf("/slack/events")).toBe("slack");
    expect(doorOf("/api/messages")).toBe("teams");
    expect(doorOf("/console/api/command")).toBe("console");
    expect(doorOf("/charts/abc.png")).toBe("charts");
    expect(doorOf("/readyz")).toBe("ops");
    expect(doorOf("/wp-admin/../../etc/passwd")).toBe("other");
    expect(jobKind("digest:slack:C0123")).toBe("digest");
    expect(jobKind("idle-scan")).toBe("idle-scan");
  });
});
