import { describe, expect, it } from "vitest";
import type { GpuResource, Services, Usage, UtilizationQuery, UtilizationResult } from "../../src/services/ports.ts";
import { createRunMemo } from "../../src/services/run-memo.ts";
import { createFakeClock } from "../support/fake-clock.ts";

/** Ports that count what they are asked; the memo in front of them is what is tested. */
function countingServices() {
  const calls = { usages: 0, utilization: 0, fleet: 0 };
  let failNext = false;
  const services = {
    usages: {
      async listUsages(subscriptionId: string, region: string): Promise<Usage[]> {
        calls.usages += 1;
        await new Promise((r) => setTimeout(r, 5));
        if (failNext) {
          failNext = false;
          throw new Error("throttled");
        }
        return [{ name: `${subscriptionId}/${region}`, localizedName: "Total Regional vCPUs", currentValue: calls.usages, limit: 100 } as unknown as Usage];
      },
    },
    utilization: {
      async read(_r: GpuResource[], _q: UtilizationQuery): Promise<UtilizationResult> {
        calls.utilization += 1;
        return { readings: [], queries: { "azure-monitor": 1 }, sources: ["azure-monitor"] } as unknown as UtilizationResult;
      },
    },
    fleet: {
      async gpuInventory() {
        calls.fleet += 1;
        return { resources: [], missing: [] } as never;
      },
    },
  } as unknown as Services;
  return { services, calls, failNext: () => (failNext = true) };
}

const vm = (id: string) => ({ id, instances: 1, powerState: "running" }) as GpuResource;

describe("run memo", () => {
  it("shares one quota read per subscription × region among the jobs of one run, also in flight", async () => {
    const clock = createFakeClock("2026-03-03T09:00:00Z");
    const { services, calls } = countingServices();
    const memo = createRunMemo({ now: () => clock.now() });
    const ctxs = Array.from({ length: 50 }, () => memo.context({ services }));
    const answers = await Promise.all(
      ctxs.flatMap((c) => [c.services.usages.listUsages("sub-a", "eastus"), c.services.usages.listUsages("SUB-A", "EastUS"), c.services.usages.listUsages("sub-b", "eastus")]),
    );
    expect(calls.usages).toBe(2);
    expect(new Set(answers.map((a) => a[0]?.name)).size).toBe(2);
  });

  it("shares telemetry only for the same resources and window", async () => {
    const clock = createFakeClock("2026-03-03T09:00:00Z");
    const { services, calls } = countingServices();
    const memo = createRunMemo({ now: () => clock.now() });
    const q: UtilizationQuery = { now: clock.now(), windowSeconds: 3600, lookbackSeconds: 93600, idleBelow: { utilPercent: 5, engineActive: 0.05 } };
    const u = memo.context({ services }).services.utilization;
    await u?.read([vm("/a"), vm("/b")], q);
    await u?.read([vm("/b"), vm("/a")], q);
    expect(calls.utilization).toBe(1);
    await u?.read([vm("/a")], q);
    await u?.read([vm("/a"), vm("/b")], { ...q, windowSeconds: 1800 });
    expect(calls.utilization).toBe(3);
  });

  it("asks again in the next run, and after a failure", async () => {
    const clock = createFakeClock("2026-03-03T09:00:00Z");
    const { services, calls, failNext } = countingServices();
    const memo = createRunMemo({ now: () => clock.now() });
    const ctx = memo.context({ services });
    failNext();
    await expect(ctx.services.usages.listUsages("sub-a", "eastus")).rejects.toThrow("throttled");
    await ctx.services.usages.listUsages("sub-a", "eastus");
    expect(calls.usages).toBe(2);
    await clock.advance(24 * 3600_000);
    await memo.context({ services }).services.usages.listUsages("sub-a", "eastus");
    expect(calls.usages).toBe(3);
    await memo.context({ services }).services.fleet.gpuInventory(["b", "a"]);
    await memo.context({ services }).services.fleet.gpuInventory(["a", "b"]);
    expect(calls.fleet).toBe(1);
  });
});
