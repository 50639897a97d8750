/**
 * The Prometheus adapter against a real Prometheus (Debian's package, started by the harness)
 * scraping a fake DCGM exporter that replays the real H200 trace.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_IDLE_POLICY, evaluateIdle, type IdlePolicy, type IdleVerdict } from "../../src/domain/idle-rule.ts";
import type { GpuResource, UtilizationQuery } from "../../src/services/ports.ts";
import { createPrometheusClient, createPrometheusSource } from "../../src/telemetry/prometheus.ts";
import { activityQuery } from "../../src/telemetry/promql.ts";
import { createUtilization } from "../../src/telemetry/utilization.ts";
import { type FakeDcgmExporter, startFakeDcgmExporter } from "../support/fake-dcgm-exporter.ts";
import { type RunningPrometheus, startPrometheus } from "../support/prometheus.ts";

const SUB = "7d3a4b52-1c6e-4f0a-9b8e-2a5d6c7e8f90";
function vm(name: string, extra: Partial<GpuResource> = {}): GpuResource {
  return {
    id: `/subscriptions/${SUB}/resourceGroups/rg-train/providers/Microsoft.Compute/virtualMachines/${name}`,
    name,
    kind: "vm",
    subscriptionId: SUB,
    resourceGroup: "rg-train",
    region: "eastus",
    size: "Standard_ND96isr_H200_v5",
    instances: 1,
    powerState: "running",
    tags: {},
    ...extra,
  };
}

const POLICY: IdlePolicy = { ...DEFAULT_IDLE_POLICY, windowSeconds: 5, staleSeconds: 4 };
const query = (): UtilizationQuery => ({ now: new Date(), windowSeconds: 5, lookbackSeconds: 30, idleBelow: { utilPercent: 5, engineActive: 0.05 } });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let exporter: FakeDcgmExporter;
let prom: RunningPrometheus;

beforeAll(async () => {
  exporter = await startFakeDcgmExporter();
  exporter.playPhase("gpu-idle", "idle", 2);
  exporter.playPhase("gpu-light", "light");
  exporter.playPhase("gpu-parked", "parked", 8);
  exporter.playPhase("gpu-heavy", "heavy", 8);
  exporter.playPhase("aks-gpupool-12345678-vmss000000", "idle");
  exporter.playPhase("aks-gpupool-12345678-vmss000001", "heavy");
  exporter.playPhase("node.with.dots-1", "idle");
  prom = await startPrometheus({ targets: [exporter.target] });
  await prom.waitForSeries('DCGM_FI_DEV_GPU_UTIL{Hostname="gpu-idle"}');
  await sleep(7000); // a full 5 s window of scrapes, plus the bucket
});

afterAll(async () => {
  await prom?.close();
  await exporter?.close();
});

describe("Prometheus utilisation source (real Prometheus, fake DCGM exporter)", () => {
  it("classifies the H200 trace phases: idle and light are idle, parked is parked, heavy is busy", async () => {
    const source = createPrometheusSource({ url: prom.url, hostLabels: ["Hostname"] });
    const utilization = createUtilization([source], { stepSeconds: 1 });
    const pool: GpuResource = {
      ...vm("gpupool"),
      id: `/subscriptions/${SUB}/resourceGroups/rg-aks/providers/Microsoft.ContainerService/managedClusters/train/agentPools/gpupool`,
      kind: "aks-pool",
      instances: 2,
    };
    const resources = [vm("gpu-idle"), vm("gpu-light"), vm("gpu-parked"), vm("gpu-heavy"), vm("gpu-missing"), vm("node.with.dots-1"), pool];
    const result = await utilization.read(resources, query());
    const now = Date.now();
    const verdicts = new Map<string, IdleVerdict>(result.readings.map((r) => [r.host, evaluateIdle(r.telemetry, now, POLICY)]));
    expect(verdicts.get("gpu-idle")?.state).toBe("idle");
    expect(verdicts.get("gpu-light")?.state).toBe("idle");
    expect(verdicts.get("gpu-parked")).toMatchObject({ state: "parked", memoryUsedMib: 58_555 });
    expect(verdicts.get("gpu-heavy")?.state).toBe("busy");
    expect(verdicts.get("node.with.dots-1")?.state).toBe("idle");
    expect(verdicts.get("aks-gpupool-12345678-vmss000000")?.state).toBe("idle");
    expect(verdicts.get("aks-gpupool-12345678-vmss000001")?.state).toBe("busy");
    expect(result.readings.find((r) => r.host === "aks-gpupool-12345678-vmss000000")?.key).toBe(`${pool.id}/nodes/aks-gpupool-12345678-vmss000000`);
    // Missing series is unknown with the reason, never idle.
    expect(verdicts.get("gpu-missing")).toMatchObject({ state: "unknown", reason: "no_telemetry" });
    // Power of the 8 parked GPUs is summed (~126 W each on the real H200).
    const parkedPower = verdicts.get("gpu-parked")?.powerW ?? 0;
    expect(parkedPower).toBeGreaterThan(8 * 100);
    expect(parkedPower).toBeLessThan(8 * 140);
    // One range + one instant query for the window, one range query for the look back of quiet hosts.
    expect(result.queries.prometheus).toBe(3);
  });

  it("prefers DCGM_FI_PROF_GR_ENGINE_ACTIVE when the exporter has profiling metrics", async () => {
    exporter.profiling = true;
    const source = createPrometheusSource({ url: prom.url, hostLabels: ["Hostname"] });
    await prom.waitForSeries('DCGM_FI_PROF_GR_ENGINE_ACTIVE{Hostname="gpu-heavy"}');
    const result = await createUtilization([source], { stepSeconds: 1 }).read([vm("gpu-heavy"), vm("gpu-idle")], query());
    for (const r of result.readings) expect(r.telemetry).toMatchObject({ kind: "activity", signal: "engine_active" });
    const heavy = result.readings.find((r) => r.host === "gpu-heavy");
    expect(heavy && evaluateIdle(heavy.telemetry, Date.now(), POLICY).state).toBe("busy");
    exporter.profiling = false;
  });

  it("a VM whose exporter stops goes stale and is unknown, not idle", async () => {
    exporter.playPhase("gpu-gone", "idle");
    await prom.waitForSeries('DCGM_FI_DEV_GPU_UTIL{Hostname="gpu-gone"}');
    exporter.remove("gpu-gone");
    await sleep(7000);
    const source = createPrometheusSource({ url: prom.url, hostLabels: ["Hostname"] });
    // The query spans 30 s, so the last readings (7 s old, more on a loaded machine) are in it:
    // stale, not "no series".
    const result = await createUtilization([source], { stepSeconds: 1 }).read([vm("gpu-gone")], { ...query(), windowSeconds: 30 });
    const verdict = evaluateIdle((result.readings[0] as { telemetry: Parameters<typeof evaluateIdle>[0] }).telemetry, Date.now(), { ...POLICY, staleSeconds: 3 });
    expect(verdict).toMatchObject({ state: "unknown", reason: "stale" });
  });

  it("real Prometheus accepts the built PromQL for unusual but valid names, and hostile names never leave the process", async () => {
    const client = createPrometheusClient({ url: prom.url });
    const series = await client.query(activityQuery({ hostLabels: ["Hostname", "node", "instance"], hosts: ["a.b-c_d", "x1"], pools: ["gpupool"], rangeSeconds: 5 }), Date.now());
    expect(Array.isArray(series)).toBe(true);
    const source = createPrometheusSource({ url: prom.url, hostLabels: ["Hostname"] });
    const before = source.queries();
    const result = await createUtilization([source], { stepSeconds: 1 }).read([vm('evil"}or vector(1)#')], query());
    expect(source.queries()).toBe(before);
    expect(result.readings[0]?.telemetry).toMatchObject({ kind: "missing", reason: "no_telemetry" });
  });

  it("an unreachable Prometheus makes every host unknown with the reason", async () => {
    const source = createPrometheusSource({ url: "http://127.0.0.1:9", hostLabels: ["Hostname"], maxRetries: 0, timeoutMs: 2000 });
    const result = await createUtilization([source], { stepSeconds: 1 }).read([vm("gpu-idle")], query());
    expect(result.readings[0]?.telemetry).toMatchObject({ kind: "missing", reason: "source_error" });
  });
});

describe("Prometheus client auth", () => {
  it("sends the bearer token, turns URL credentials into Basic auth, and never names either in errors", async () => {
    const { createServer } = await import("node:http");
    const seen: Array<string | undefined> = [];
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      if (req.headers.authorization === "Bearer s3cret-token" || req.headers.authorization === `Basic ${Buffer.from("reader:pa55").toString("base64")}`) {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ status: "success", data: { resultType: "vector", result: [] } }));
      } else res.writeHead(401).end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    try {
      await expect(createPrometheusClient({ url: `http://127.0.0.1:${port}`, token: "s3cret-token" }).query("up", Date.now())).resolves.toEqual([]);
      await expect(createPrometheusClient({ url: `http://reader:pa55@127.0.0.1:${port}` }).query("up", Date.now())).resolves.toEqual([]);
      const err = await createPrometheusClient({ url: `http://reader:wrong-pass@127.0.0.1:${port}`, maxRetries: 0 })
        .query("up", Date.now())
        .catch((e: unknown) => e as Error);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toContain("HTTP 401");
      expect((err as Error).message).not.toContain("wrong-pass");
      expect(seen[0]).toBe("Bearer s3cret-token");
    } finally {
      server.close();
    }
  });
});
