// Trends compare like with like: the fully billed days of the period against the same days of the
// previous one, and the same subscriptions on both sides. Sums recomputed from the fake's records.
import { afterEach, describe, expect, it } from "vitest";
import { findSize } from "../../src/domain/gpu-catalogue.ts";
import { createDemoFleet } from "../../src/fake-azure/demo-fleet.ts";
import { cliRequest, type DemoHarness, startDemoApp } from "../support/demo-app.ts";
import { runCommand } from "../support/router.ts";

const NOW = new Date("2026-03-16T15:00:00Z");
const open: DemoHarness[] = [];
async function demo(): Promise<DemoHarness> {
  const h = await startDemoApp({ now: () => NOW, env: { GPUOPS_AZURE_MAX_RETRIES: "0" }, fake: { fleet: createDemoFleet({ now: () => NOW }) } });
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

const day = (iso: string, n: number) => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
};
/** GPU compute usage (a catalogue size named by the meter; purchases are named apart) billed on the dates, for the subscriptions kept. */
function gpuSpend(h: DemoHarness, dates: string[], keep: (sub: string) => boolean): number {
  let sum = 0;
  for (const d of dates)
    for (const r of h.fake.fleet.costRecords(d))
      if (r.meterCategory === "Virtual Machines" && r.chargeType === "Usage" && findSize(r.meter.replace(/ /g, "_")) && keep(r.subscriptionId)) sum += r.actual;
  return sum;
}
interface Totals {
  change: number | null;
  comparedAmount: number | null;
  comparedPreviousAmount: number | null;
}

describe("cost trends compare like with like", () => {
  it("7d: the billed days against the same days of the previous 7, never today's unbilled zero", async () => {
    const h = await demo();
    const r = await runCommand(cliRequest("cost 7d"), h.app.context());
    const data = r.data as { period: { from: string }; previousPeriod: { from: string }; billedCompleteThrough: string; comparedDays: number; totals: Totals[] };
    // Billing is complete through two days before now: 5 of the 7 days.
    expect(data.billedCompleteThrough).toBe("2026-03-14");
    expect(data.comparedDays).toBe(5);
    const now = [0, 1, 2, 3, 4].map((i) => day(data.period.from, i));
    const before = [0, 1, 2, 3, 4].map((i) => day(data.previousPeriod.from, i));
    const a = gpuSpend(h, now, () => true);
    const b = gpuSpend(h, before, () => true);
    const [t] = data.totals;
    expect(t?.comparedAmount).toBeCloseTo(a, 2);
    expect(t?.comparedPreviousAmount).toBeCloseTo(b, 2);
    expect(t?.change).toBeCloseTo((a - b) / b, 3);
    expect(r.context.some((c) => c.startsWith("Change compares like with like: the 5 fully billed days"))).toBe(true);
  });

  it("a subscription that fails is left out of both sides, not only the current one", async () => {
    const h = await demo();
    const lost = h.fake.tenant.subscriptions[0]?.id as string;
    h.fake.fleet.knobs.forbiddenCost.add(lost);
    const r = await runCommand(cliRequest("cost 30d"), h.app.context());
    expect(r.outcome).toBe("partial");
    const data = r.data as { period: { from: string }; previousPeriod: { from: string }; comparedDays: number; totals: Totals[] };
    const days = Array.from({ length: data.comparedDays }, (_, i) => i);
    const others = (s: string) => s.toLowerCase() !== lost.toLowerCase();
    const a = gpuSpend(
      h,
      days.map((i) => day(data.period.from, i)),
      others,
    );
    const b = gpuSpend(
      h,
      days.map((i) => day(data.previousPeriod.from, i)),
      others,
    );
    expect(data.totals[0]?.comparedAmount).toBeCloseTo(a, 2);
    expect(data.totals[0]?.comparedPreviousAmount).toBeCloseTo(b, 2);
  });
});

describe("cost charts mark the days still being billed", () => {
  it("the chart is told the first partial day, and its text says so", async () => {
    const h = await demo();
    const seen: Array<{ partialFrom?: string; dates: string[] }> = [];
    const charts = h.app.services.charts;
    h.app.services.charts = {
      dailySpend: async (c) => {
        seen.push({ dates: c.dates, ...(c.partialFrom ? { partialFrom: c.partialFrom } : {}) });
        return charts.dailySpend(c);
      },
    };
    const r = await runCommand(cliRequest("cost 7d"), h.app.context());
    // Billing is complete through two UTC days before now (16 Mar 15:00): 15 and 16 Mar are partial.
    expect(seen[0]?.partialFrom).toBe("2026-03-15");
    expect(seen[0]?.dates.at(-1)).toBe("2026-03-16");
    const image = r.parts.find((p) => p.kind === "image");
    expect(image && image.kind === "image" ? image.alt : "").toContain("days from 15 Mar are partial (still being billed)");
  });
});
