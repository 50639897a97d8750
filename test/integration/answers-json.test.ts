// `--json` carries the answer as data: numbers as numbers, money with its currency, ISO dates.
// The totals are recomputed here from the fake Cost Management's own records, not from the command.
import { afterEach, describe, expect, it } from "vitest";
import { findSize, normaliseSize } from "../../src/domain/gpu-catalogue.ts";
import { createDemoFleet } from "../../src/fake-azure/demo-fleet.ts";
import { renderJson } from "../../src/render/text.ts";
import { cliRequest, type DemoHarness, startDemoApp } from "../support/demo-app.ts";
import { runCommand } from "../support/router.ts";

const NOW = new Date("2026-03-16T15:00:00Z");
const open: DemoHarness[] = [];
async function demo(): Promise<DemoHarness> {
  const h = await startDemoApp({ now: () => NOW, fake: { fleet: createDemoFleet({ now: () => NOW }) } });
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
function datesBetween(from: string, to: string): string[] {
  const out: string[] = [];
  for (let d = new Date(`${from}T00:00:00Z`); d.toISOString().slice(0, 10) <= to; d.setUTCDate(d.getUTCDate() + 1)) out.push(d.toISOString().slice(0, 10));
  return out;
}

interface CostData {
  period: { from: string; to: string; days: number };
  previousPeriod: { from: string; to: string };
  billedCompleteThrough: string;
  totals: Array<{ currency: string; amount: number; previousAmount: number | null }>;
  groups: Array<{ key: string; currency: string; amount: number; share: number | null }>;
}

describe("cost --json", () => {
  it("carries numeric totals and per-size amounts that match the fake's GPU compute records", async () => {
    const h = await demo();
    const r = await runCommand(cliRequest("cost 7d"), h.app.context());
    const json = JSON.parse(renderJson(r)) as { data: CostData; title: string };
    const data = json.data;
    expect(data.period.from).toMatch(ISO_DATE);
    expect(data.billedCompleteThrough).toMatch(ISO_DATE);
    expect(data.period.days).toBe(7);
    // Truth: every VM meter whose name is a catalogue GPU size, summed from the fake's records.
    const bySize = new Map<string, number>();
    let total = 0;
    for (const date of datesBetween(data.period.from, data.period.to)) {
      for (const rec of h.fake.fleet.costRecords(date)) {
        // Usage only: a reservation purchase is named apart, not in the totals.
        if (rec.meterCategory !== "Virtual Machines" || rec.chargeType !== "Usage" || !findSize(rec.meter.replace(/ /g, "_"))) continue;
        total += rec.actual;
        const size = normaliseSize(rec.meter);
        bySize.set(size, (bySize.get(size) ?? 0) + rec.actual);
      }
    }
    const [usd] = data.totals;
    expect(typeof usd?.amount).toBe("number");
    expect(usd?.currency).toBe("USD");
    expect(usd?.amount).toBeCloseTo(total, 2);
    expect(typeof usd?.previousAmount).toBe("number");
    for (const g of data.groups) {
      expect(typeof g.amount).toBe("number");
      expect(g.amount, g.key).toBeCloseTo(bySize.get(normaliseSize(g.key)) ?? 0, 2);
    }
    const shares = data.groups.reduce((n, g) => n + (g.share ?? 0), 0);
    expect(shares).toBeCloseTo(1, 6);
  });

  it("quota --json gives vCPUs as numbers, equal to the fake's usages", async () => {
    const h = await demo();
    const r = await runCommand(cliRequest("quota westus"), h.app.context());
    const data = (JSON.parse(renderJson(r)) as { data: { families: Array<{ subscriptionId: string; family: string; usedVcpus: number; limitVcpus: number }> } }).data;
    expect(data.families.length).toBeGreaterThan(0);
    for (const f of data.families) {
      const u = h.fake.tenant.usages(f.subscriptionId, "westus")?.find((x) => x.name.value === f.family);
      expect(f.usedVcpus).toBe(u?.currentValue);
      expect(f.limitVcpus).toBe(u?.limit);
    }
  });
});
