import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assessIdle, type IdleAlertView, idleAlertReply, parseIdleArgs, type UnknownEntry, unknownSummary } from "../../src/commands/idle.ts";
import type { CommandContext } from "../../src/commands/types.ts";
import type { VmTelemetry } from "../../src/domain/idle-rule.ts";
import { isKnownRegion } from "../../src/domain/regions.ts";
import { isTagKey, isTagValue } from "../../src/domain/tags.ts";
import { mayDeallocate } from "../../src/jobs/idle-actions.ts";
import { renderText } from "../../src/render/text.ts";
import type { GpuResource, Services, UtilizationReading } from "../../src/services/ports.ts";
import { testLog } from "../support/log.ts";

describe("idle arguments", () => {
  it("reads a region in any spelling and a tag filter", () => {
    expect(parseIdleArgs([])).toEqual({});
    expect(parseIdleArgs(["East", "US", "2"])).toEqual({ region: "eastus2" });
    expect(parseIdleArgs(["tag:team=vision", "westus2"])).toEqual({ region: "westus2", tag: { key: "team", value: "vision" } });
  });

  it("takes one tag filter, as `running` does, and says which part of a bad one is wrong", () => {
    const two = parseIdleArgs(["tag:team=vision", "tag:team=nlp"]);
    expect("error" in two && renderText(two.error)).toMatch(/Filter on one tag at a time\.[\s\S]*Try: idle tag:team=vision/);
    const badValue = parseIdleArgs(["tag:team=<script>"]);
    expect("error" in badValue && renderText(badValue.error)).toMatch(/"<script>" is not a tag value/);
    const badKey = parseIdleArgs(["tag:9x=1"]);
    expect("error" in badKey && renderText(badKey.error)).toMatch(/"9x" is not a tag key/);
    const shape = parseIdleArgs(["tag:team"]);
    expect("error" in shape && renderText(shape.error)).toMatch(/looks like tag:<key>=<value>/);
  });

  it("answers bad input with what was wrong and an example", () => {
    const r = parseIdleArgs(["narnia"]);
    expect("error" in r && r.error.outcome).toBe("user_error");
    expect("error" in r && JSON.stringify(r.error)).toContain("Try: idle");
    const t = parseIdleArgs(['tag:team="x"']);
    expect("error" in t && t.error.code).toBe("bad_idle_filter");
  });

  it("never throws, and whatever it accepts is a known region and a safe tag", () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.string({ maxLength: 30 }), fc.constantFrom("eastus", "East", "US", "tag:team=ml", "tag:", "tag:a=", "tag:=b", "westus2")), { maxLength: 5 }),
        (args) => {
          const r = parseIdleArgs(args);
          if ("error" in r) {
            expect(r.error.outcome).toBe("user_error");
            return;
          }
          if (r.region !== undefined) expect(isKnownRegion(r.region)).toBe(true);
          if (r.tag) {
            expect(isTagKey(r.tag.key)).toBe(true);
            expect(isTagValue(r.tag.value)).toBe(true);
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("the unknown list", () => {
  const resource = (name: string, kind: GpuResource["kind"] = "vm", instances = 1): GpuResource => ({
    id: `/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/${name}`,
    name,
    kind,
    subscriptionId: "s",
    resourceGroup: "rg",
    region: "eastus",
    size: "Standard_NC24ads_A100_v4",
    instances,
    powerState: "running",
    tags: {},
  });
  const entry = (r: GpuResource, detail: string, units = 1): UnknownEntry => ({ key: r.id, resource: r, host: r.name, reason: "no_telemetry", detail, units });

  it("one line per reason, counted in GPU VMs, a few names each, no brackets inside brackets and no '….'", () => {
    const monitor = "no Telegraf/nvidia_smi metrics in Azure Monitor: the VM needs Telegraf with its nvidia_smi input";
    const list = [
      entry(resource("vmss-a", "vmss", 4), monitor, 4),
      ...["vm-1", "vm-2", "vm-3", "vm-4"].map((n) => entry(resource(n), monitor)),
      entry(resource("aks/gpu", "aks-pool", 6), "AKS nodes report GPU use through Prometheus (DCGM exporter): set PROMETHEUS_URL", 6),
    ];
    const s = unknownSummary(list) as string;
    const lines = s.split("\n");
    expect(lines[0]).toBe("14 GPU VMs are unknown (no usable GPU telemetry), so not counted as idle:");
    expect(lines[1]).toBe(
      "• 8 with no GPU telemetry. No Telegraf/nvidia_smi metrics in Azure Monitor: the VM needs Telegraf with its nvidia_smi input. They are: vmss-a (scale set, 4 instances), vm-1, vm-2 and 2 more.",
    );
    expect(lines[2]).toMatch(
      /^• 6 with no GPU telemetry\. AKS nodes report GPU use through Prometheus \(DCGM exporter\): set PROMETHEUS_URL\. That is: aks\/gpu \(AKS pool, 6 nodes\)\.$/,
    );
    for (const line of lines) {
      expect(line).not.toMatch(/\([^()]*\([^()]*\)[^()]*\)/); // no nested brackets
      expect(line).not.toMatch(/…\.|\.\.$/);
    }
    expect(unknownSummary([])).toBeUndefined();
  });
});

describe("idle counts GPU VMs as running does", () => {
  const NOW = Date.parse("2026-03-10T12:00:00Z");
  const armId = (kind: string, name: string) => `/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/rg/providers/Microsoft.${kind}/${name}`;
  const pool: GpuResource = {
    id: `${armId("ContainerService/managedClusters", "aks")}/agentPools/gpu`,
    name: "aks/gpu",
    kind: "aks-pool",
    subscriptionId: "00000000-0000-0000-0000-000000000001",
    resourceGroup: "rg",
    region: "eastus",
    size: "Standard_NC24ads_A100_v4",
    instances: 4,
    powerState: "running",
    tags: {},
  };
  const scaleSet: GpuResource = { ...pool, id: armId("Compute/virtualMachineScaleSets", "vmss-t4"), name: "vmss-t4", kind: "vmss", size: "Standard_NC4as_T4_v3", instances: 8 };
  /** Two hours of one-minute buckets at `util` %. */
  const activity = (util: number): VmTelemetry => ({
    kind: "activity",
    signal: "gpu_util",
    source: "test",
    rangeStart: NOW - 2 * 3600_000,
    buckets: Array.from({ length: 120 }, (_, i) => ({ from: NOW - (120 - i) * 60_000, to: NOW - (119 - i) * 60_000, max: util })),
  });
  const PRICES: Record<string, number> = { Standard_NC24ads_A100_v4: 3.673, Standard_NC4as_T4_v3: 0.526 };

  function ctxWith(readings: UtilizationReading[]): CommandContext {
    const services = {
      prices: { hourlyPrice: async (size: string) => ({ known: true as const, perHour: PRICES[size] as number, currency: "USD" }) },
      utilization: { read: async () => ({ readings, queries: {}, sources: ["test"] }) },
    } as unknown as Services;
    return { services, settings: { regions: ["eastus"], currency: "USD", timezone: "UTC", demo: false }, now: () => new Date(NOW), log: testLog() };
  }

  it("a pool's silent nodes are unknown, not left out; a scale set read as a whole counts (and costs) all its instances", async () => {
    const report = await assessIdle(
      ctxWith([
        { key: `${pool.id}/nodes/aks-gpu-1`, resource: pool, host: "aks-gpu-1", telemetry: activity(0) },
        { key: `${pool.id}/nodes/aks-gpu-2`, resource: pool, host: "aks-gpu-2", telemetry: activity(80) },
        { key: `${scaleSet.id}/nodes/vmss-t4`, resource: scaleSet, host: "vmss-t4", telemetry: activity(1) },
      ]),
      [pool, scaleSet],
    );
    expect(report.counts).toEqual({ running: 12, idle: 9, parked: 0, busy: 1, unknown: 2 });
    expect(report.unknown).toMatchObject([{ units: 2, detail: "2 of 4 nodes of aks/gpu sent no GPU readings" }]);
    const whole = report.entries.find((e) => e.resource === scaleSet);
    expect(whole?.units).toBe(8);
    expect(whole?.cost?.perDay).toBeCloseTo(0.526 * 8 * 24, 2);
    const node = report.entries.find((e) => e.resource === pool);
    expect(node?.units).toBe(1);
    expect(node?.cost?.perDay).toBeCloseTo(3.673 * 24, 2);
  });
});

describe("who may deallocate", () => {
  const approvers = { slack: ["U0SAM"], teams: ["aad-lee"] };
  it("approvers of the platform, and the owner by user id or verified e-mail, never by display name", () => {
    expect(mayDeallocate({ id: "U0SAM" }, "slack", approvers, undefined)).toEqual({ ok: true, as: "approver" });
    expect(mayDeallocate({ id: "U0SAM" }, "teams", approvers, undefined).ok).toBe(false);
    expect(mayDeallocate({ id: "U0ALICE", name: "Alice" }, "slack", approvers, "alice@contoso.com", "Alice@Contoso.com")).toEqual({ ok: true, as: "owner" });
    expect(mayDeallocate({ id: "U0MALLORY", name: "Alice@Contoso.com" }, "slack", approvers, "alice@contoso.com").ok).toBe(false);
    expect(mayDeallocate({ id: "U0X" }, "__proto__", approvers, undefined).ok).toBe(false);
    expect(mayDeallocate({ id: "U0ALICE" }, "slack", approvers, "u0alice")).toEqual({ ok: true, as: "owner" });
  });
  it("refuses look-alikes with a reason that names the owner tag", () => {
    const r = mayDeallocate({ id: "U0X", name: "alice" }, "slack", approvers, "alice@contoso.com");
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain("owner tag: alice@contoso.com");
    const none = mayDeallocate({ id: "U0X", name: "x" }, "slack", approvers, undefined);
    expect(!none.ok && none.reason).toContain("no owner tag");
  });
});

describe("idle alert message", () => {
  const now = Date.parse("2026-03-02T12:00:00Z");
  const base: IdleAlertView = {
    id: 7,
    status: "open",
    actions: [],
    snapshot: {
      name: "train-nd96-01",
      resourceName: "train-nd96-01",
      kind: "vm",
      resourceGroup: "rg-train",
      subscriptionId: "7d3a4b52-1c6e-4f0a-9b8e-2a5d6c7e8f90",
      region: "eastus",
      size: "Standard_ND96isr_H100_v5",
      state: "parked",
      idleSince: now - 3 * 3600_000,
      sinceAtLeast: false,
      idleSeconds: 3 * 3600,
      memoryUsedMib: 58_555,
      soFar: 294.96,
      perDay: 2359.68,
      currency: "USD",
      owner: "alice@contoso.com",
      at: now,
    },
  };

  it("says what, since when, the money, the owner, and offers the four buttons with ids only", () => {
    const r = idleAlertReply(base, "UTC", now);
    expect(r.title).toBe("Parked GPU: train-nd96-01 (ND96isr_H100_v5, eastus)");
    const text = JSON.stringify(r);
    for (const s of ["$294.96", "$2,359.68", "alice@contoso.com", "Mon 09:00 (3 h)", "57.2 GiB"]) expect(text).toContain(s);
    const buttons = r.parts.flatMap((p) => (p.kind === "actions" ? p.actions : []));
    expect(buttons.map((b) => b.label)).toEqual(["Snooze 4 h", "Snooze 24 h", "Keep 7 days", "Deallocate…"]);
    for (const b of buttons) for (const v of Object.values(b.payload)) expect(typeof v).toBe("number");
  });

  it("names the node pool instead of offering Deallocate for AKS nodes", () => {
    const r = idleAlertReply({ ...base, snapshot: { ...base.snapshot, kind: "aks-pool", name: "aks-gpu-1-vmss000001 (node of aks/gpu)", resourceName: "aks/gpu" } }, "UTC", now);
    expect(JSON.stringify(r)).toContain("scale node pool aks/gpu down");
    expect(r.parts.flatMap((p) => (p.kind === "actions" ? p.actions : [])).some((a) => a.verb === "idle.deallocate")).toBe(false);
  });

  it("shows progress, the action log, and no buttons once resolved", () => {
    const running = idleAlertReply(
      {
        ...base,
        deallocate: { state: "running", by: "sam", at: now, detail: "running" },
        actions: [{ action: "deallocate_confirmed", actorName: "sam", at: now, detail: "Deallocate confirmed" }],
      },
      "UTC",
      now,
    );
    expect(JSON.stringify(running)).toContain("Deallocating… (asked by sam at Mon 12:00; Azure: running)");
    expect(JSON.stringify(running)).toContain("Deallocate confirmed (sam, Mon 12:00)");
    expect(running.parts.some((p) => p.kind === "actions")).toBe(false);
    const resolved = idleAlertReply({ ...base, status: "resolved", resolution: "busy" }, "UTC", now);
    expect(resolved.title).toBe("Resolved: train-nd96-01 is busy again");
    expect(resolved.parts.some((p) => p.kind === "actions")).toBe(false);
  });
});
