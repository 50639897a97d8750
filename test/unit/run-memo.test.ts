import { describe, expect, it } from "vitest";
import type { GpuResource, OpenAiAccount, OpenAiPort, Services, Usage, UtilizationQuery, UtilizationResult } from "../../src/services/ports.ts";
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

/** An Azure OpenAI port that counts its reads and can fail the next one of a kind. */
function countingOpenAi() {
  const calls = { accounts: 0, deployments: 0, ptu: 0, usages: 0 };
  const failing = new Set<keyof typeof calls>();
  const fail = async (kind: keyof typeof calls) => {
    calls[kind] += 1;
    await new Promise((r) => setTimeout(r, 5));
    if (failing.delete(kind)) throw new Error("throttled");
  };
  const account = (subscriptionId: string, name: string): OpenAiAccount => ({
    id: `/subscriptions/${subscriptionId}/resourceGroups/rg/providers/Microsoft.CognitiveServices/accounts/${name}`,
    name,
    subscriptionId,
    resourceGroup: "rg",
    region: "swedencentral",
    kind: "OpenAI",
  });
  const openai: OpenAiPort = {
    async accounts(subscriptionId) {
      await fail("accounts");
      return [account(subscriptionId, `aoai-${calls.accounts}`)];
    },
    async deployments(a) {
      await fail("deployments");
      return [
        {
          id: `${a.id}/deployments/ptu`,
          name: "ptu",
          account: a,
          model: "gpt-4o",
          version: "2024-08-06",
          type: "ProvisionedManaged",
          capacity: 50,
          provisioningState: "Succeeded",
        },
      ];
    },
    async ptuUtilization(_a, from, to) {
      await fail("ptu");
      return [{ deployment: "ptu", points: [from.getTime(), to.getTime()] }];
    },
    async usages() {
      await fail("usages");
      return [];
    },
    models: async () => [],
    modelCapacities: async () => [],
    ptuHourlyPrice: () => ({ known: true, perHour: 1, currency: "USD", source: "test" }),
  };
  const { services } = countingServices();
  return { services: { ...services, openai } as Services, calls, account, failNext: (kind: keyof typeof calls) => failing.add(kind) };
}

describe("run memo: the digest's Azure OpenAI reads", () => {
  it("shares one accounts read per subscription, one deployments read per account and one PTU read per account and window, also in flight", async () => {
    const clock = createFakeClock("2026-03-03T09:00:00Z");
    const { services, calls, account } = countingOpenAi();
    const memo = createRunMemo({ now: () => clock.now() });
    const day = 24 * 3600_000;
    const digest = async () => {
      const p = memo.context({ services }).services.openai as OpenAiPort;
      const [a, b] = await Promise.all([p.accounts("sub-a"), p.accounts("SUB-B")]);
      const accounts = [...a, ...b];
      const deployments = await Promise.all(accounts.map((x) => p.deployments(x)));
      const to = clock.now();
      const series = await Promise.all(accounts.map((x) => p.ptuUtilization(x, new Date(to.getTime() - day), to)));
      return { accounts, deployments, series };
    };
    const answers = await Promise.all(Array.from({ length: 50 }, digest));
    // A digest that starts a few seconds later, still in the same run, asks for its own "last 24 h".
    await clock.advance(3_000);
    answers.push(await digest());
    expect(calls).toEqual({ accounts: 2, deployments: 2, ptu: 2, usages: 0 });
    expect(new Set(answers.map((x) => JSON.stringify(x))).size).toBe(1);
    // Another window length, or a window that does not end now, is its own read.
    const p = memo.context({ services }).services.openai as OpenAiPort;
    const a = account("sub-a", "aoai-1");
    await p.ptuUtilization(a, new Date(clock.now().getTime() - 3600_000), clock.now());
    await p.ptuUtilization(a, new Date(Date.parse("2026-03-01T00:00:00Z")), new Date(Date.parse("2026-03-02T00:00:00Z")));
    await p.ptuUtilization(a, new Date(Date.parse("2026-03-01T00:00:00Z")), new Date(Date.parse("2026-03-02T00:00:00Z")));
    expect(calls.ptu).toBe(5);
    // What the digest does not read is passed through unshared.
    await p.usages("sub-a", "swedencentral");
    await p.usages("sub-a", "swedencentral");
    expect(calls.usages).toBe(2);
    expect(p.ptuHourlyPrice()).toEqual({ known: true, perHour: 1, currency: "USD", source: "test" });
  });

  it("forgets a failed read at once, and asks again in the next run", async () => {
    const clock = createFakeClock("2026-03-03T09:00:00Z");
    const { services, calls, account, failNext } = countingOpenAi();
    const memo = createRunMemo({ now: () => clock.now() });
    const p = memo.context({ services }).services.openai as OpenAiPort;
    const a = account("sub-a", "aoai-1");
    const to = clock.now();
    const from = new Date(to.getTime() - 24 * 3600_000);
    for (const kind of ["accounts", "deployments", "ptu"] as const) failNext(kind);
    await expect(p.accounts("sub-a")).rejects.toThrow("throttled");
    await expect(p.deployments(a)).rejects.toThrow("throttled");
    await expect(p.ptuUtilization(a, from, to)).rejects.toThrow("throttled");
    // The next digest of the same run tries again, and its answer is the one shared from then on.
    await p.accounts("sub-a");
    await p.deployments(a);
    await p.ptuUtilization(a, from, to);
    await p.accounts("sub-a");
    await p.deployments(a);
    await p.ptuUtilization(a, from, to);
    expect(calls).toEqual({ accounts: 2, deployments: 2, ptu: 2, usages: 0 });
    await clock.advance(24 * 3600_000);
    const next = memo.context({ services }).services.openai as OpenAiPort;
    await next.accounts("sub-a");
    await next.deployments(a);
    await next.ptuUtilization(a, new Date(clock.now().getTime() - 24 * 3600_000), clock.now());
    expect(calls).toEqual({ accounts: 3, deployments: 3, ptu: 3, usages: 0 });
  });
});
