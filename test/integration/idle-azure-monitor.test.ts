/**
 * The Azure Monitor source through the real `@azure/monitor-query-metrics` MetricsClient (built
 * by the client factory) against the fake Azure's metrics:getBatch route: batching (≤ 50 ids, one
 * subscription, region and type per call), the real response shape, the idle verdict on scripted
 * nvidia_smi telemetry, throttling and failures.
 */
import { MetricsClient } from "@azure/monitor-query-metrics";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type AzureAccess, createAzureAccess } from "../../src/azure/client-factory.ts";
import { DEFAULT_IDLE_POLICY, evaluateIdle } from "../../src/domain/idle-rule.ts";
import type { ArmResource } from "../../src/fake-azure/demo-fleet.ts";
import { type FakeAzure, startFakeAzure } from "../../src/fake-azure/server.ts";
import type { GpuResource, UtilizationQuery } from "../../src/services/ports.ts";
import { createMonitorSource, MAX_IDS_PER_BATCH } from "../../src/telemetry/azure-monitor.ts";
import { createUtilization } from "../../src/telemetry/utilization.ts";

let fake: FakeAzure;
let azure: AzureAccess;

beforeEach(async () => {
  fake = await startFakeAzure();
  azure = createAzureAccess({ cloud: "public", url: fake.url, token: fake.token, concurrency: 8, maxRetries: 3, maxRetryWaitSeconds: 5, loopbackCa: fake.ca });
});
afterEach(async () => {
  await fake.close();
});

const SUB_A = "7d3a4b52-1c6e-4f0a-9b8e-2a5d6c7e8f90";
const SUB_B = "b1e2c3d4-5f60-4718-8a9b-0c1d2e3f4a5b";

function vm(sub: string, name: string, region = "eastus"): GpuResource {
  return {
    id: `/subscriptions/${sub}/resourceGroups/rg-gen/providers/Microsoft.Compute/virtualMachines/${name}`,
    name,
    kind: "vm",
    subscriptionId: sub,
    resourceGroup: "rg-gen",
    region,
    size: "Standard_NC24ads_A100_v4",
    instances: 1,
    powerState: "running",
    tags: {},
  };
}

function fromFleet(r: ArmResource): GpuResource {
  return { ...vm(r.subscriptionId, r.name, r.location), id: r.id, resourceGroup: r.resourceGroup };
}

const query = (now = new Date()): UtilizationQuery => ({ now, windowSeconds: 3600, lookbackSeconds: 26 * 3600, idleBelow: { utilPercent: 5, engineActive: 0.05 } });
const batchCalls = () => fake.requests.filter((r) => r.path.endsWith("/metrics:getBatch"));
const running = () =>
  fake.fleet.resources.filter(
    (r) =>
      r.type === "microsoft.compute/virtualmachines" &&
      (r.properties.extended as { instanceView?: { powerState?: { code?: string } } } | undefined)?.instanceView?.powerState?.code === "PowerState/running" &&
      /^Standard_N/.test(String((r.properties.hardwareProfile as { vmSize: string }).vmSize)),
  );

describe("Azure Monitor nvidia_smi metrics (batch API)", () => {
  it("asks in batches of at most 50 ids, one subscription, region and type per call", async () => {
    const resources = [
      ...Array.from({ length: 120 }, (_, i) => vm(SUB_A, `gen-a-${i}`)),
      ...Array.from({ length: 7 }, (_, i) => vm(SUB_A, `gen-w-${i}`, "westus2")),
      ...Array.from({ length: 3 }, (_, i) => vm(SUB_B, `gen-b-${i}`)),
    ];
    const source = createMonitorSource(azure, { cloud: "public", metricsUrl: fake.url });
    const result = await createUtilization([source], { stepSeconds: 60 }).read(resources, query());
    const calls = batchCalls();
    expect(calls).toHaveLength(5); // 50 + 50 + 20, 7 in westus2, 3 in the other subscription
    expect(result.queries["azure-monitor"]).toBe(5);
    for (const c of calls) {
      const ids = (c.body as { resourceids: string[] }).resourceids;
      expect(ids.length).toBeLessThanOrEqual(MAX_IDS_PER_BATCH);
      const subs = new Set(ids.map((id) => id.split("/")[2]));
      expect(subs.size).toBe(1);
      expect(c.path).toBe(`/subscriptions/${[...subs][0]}/metrics:getBatch`);
      expect(c.query).toMatchObject({ metricnamespace: "Telegraf/nvidia_smi", aggregation: "maximum", interval: "PT1M", "api-version": "2024-02-01" });
      expect(c.query.metricnames?.split(",")).toEqual(["utilization_gpu", "memory_used"]);
    }
    // None of these VMs publishes metrics: every one is unknown, none idle.
    expect(result.readings.every((r) => r.telemetry.kind === "missing" && r.telemetry.reason === "no_telemetry")).toBe(true);
  });

  it("the fake refuses a batch of 51 ids, as the API does", async () => {
    const client = new MetricsClient(fake.url, azure.credential, { ...azure.clientOptions(), endpoint: fake.url });
    const ids = Array.from({ length: 51 }, (_, i) => vm(SUB_A, `x-${i}`).id);
    await expect(client.queryResources(ids, ["utilization_gpu"], "Telegraf/nvidia_smi", { startTime: new Date(Date.now() - 3600_000), endTime: new Date() })).rejects.toMatchObject(
      {
        statusCode: 400,
      },
    );
  });

  it("finds when an idle stretch began at any minute of the hour (no self-made gap between look-back and window)", async () => {
    // Minutes just past a 15-min boundary used to end the look-back with a short partial bucket
    // and a one-step gap before the window, which read as a hole: "idle since" became the window start.
    const [a] = running() as [ArmResource];
    const source = createMonitorSource(azure, { cloud: "public", metricsUrl: fake.url });
    for (const minute of [1, 2, 16, 17, 31, 32, 46, 47, 23]) {
      const now = Date.parse("2026-11-20T22:00:13.478Z") + minute * 60_000;
      fake.telemetry.set(a.id, { kind: "busy" });
      fake.telemetry.set(a.id, { kind: "idle" }, now - 3 * 3600_000);
      const result = await createUtilization([source], { stepSeconds: 60 }).read([fromFleet(a)], query(new Date(now)));
      const v = evaluateIdle((result.readings[0] as { telemetry: Parameters<typeof evaluateIdle>[0] }).telemetry, now, DEFAULT_IDLE_POLICY);
      expect(v.state, `minute ${minute}`).toBe("idle");
      if (v.state === "idle") expect(Math.abs(v.idleSince - (now - 3 * 3600_000)), `minute ${minute}`).toBeLessThan(15 * 60_000);
    }
  });

  it("finds idle, parked and busy VMs and when their idle stretch began, looking back only for quiet ones", async () => {
    const now = Date.now();
    const [a, b, c, d] = running() as [ArmResource, ArmResource, ArmResource, ArmResource];
    fake.telemetry.set(a.id, { kind: "busy" });
    fake.telemetry.set(a.id, { kind: "idle" }, now - 3 * 3600_000);
    fake.telemetry.set(b.id, { kind: "busy" });
    fake.telemetry.set(b.id, { kind: "idle", parked: true }, now - 30 * 3600_000);
    fake.telemetry.set(c.id, { kind: "busy" });
    fake.telemetry.set(d.id, { kind: "none" });
    const source = createMonitorSource(azure, { cloud: "public", metricsUrl: fake.url });
    const result = await createUtilization([source], { stepSeconds: 60 }).read([a, b, c, d].map(fromFleet), query(new Date(now)));
    const verdict = (r: ArmResource) => {
      const reading = result.readings.find((x) => x.key === r.id);
      if (!reading) throw new Error(`no reading for ${r.name}`);
      return evaluateIdle(reading.telemetry, now, DEFAULT_IDLE_POLICY);
    };
    const va = verdict(a);
    expect(va.state).toBe("idle");
    if (va.state === "idle") {
      expect(Math.abs(va.idleSince - (now - 3 * 3600_000))).toBeLessThan(15 * 60_000);
      expect(va.sinceAtLeast).toBe(false);
    }
    const vb = verdict(b);
    expect(vb.state).toBe("parked");
    if (vb.state === "parked") expect(vb.sinceAtLeast).toBe(true); // longer ago than the 26 h look back
    expect(verdict(c).state).toBe("busy");
    expect(verdict(d)).toMatchObject({ state: "unknown", reason: "no_telemetry" });
    // Stage 1 for every VM, stage 2 (the look back, 15-minute grain) only for the two quiet ones.
    const calls = batchCalls();
    const lookback = calls.filter((q) => q.query.interval === "PT15M");
    expect(lookback.flatMap((q) => (q.body as { resourceids: string[] }).resourceids).sort()).toEqual([a.id, b.id].sort());
  });

  it("waits out a 429 with Retry-After, and says so when Monitor fails for good", async () => {
    const [a] = running() as [ArmResource];
    fake.telemetry.set(a.id, { kind: "busy" });
    fake.addFault({ match: "metrics:getBatch", status: 429, headers: { "retry-after": "1" }, times: 1 });
    const source = createMonitorSource(azure, { cloud: "public", metricsUrl: fake.url });
    const ok = await createUtilization([source], { stepSeconds: 60 }).read([fromFleet(a)], query());
    expect(ok.readings[0]?.telemetry.kind).toBe("activity");
    expect(azure.counters()["Monitor/metrics:getBatch"]?.throttled).toBe(1);

    fake.addFault({ match: "metrics:getBatch", status: 403 });
    const failed = await createUtilization([source], { stepSeconds: 60 }).read([fromFleet(a)], query());
    const t = failed.readings[0]?.telemetry;
    expect(t).toMatchObject({ kind: "missing", reason: "source_error" });
    expect(t?.kind === "missing" && t.detail).toContain("HTTP 403");
  });
});
