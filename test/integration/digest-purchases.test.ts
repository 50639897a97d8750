// The digest's 7-day average is usage: a reservation bought in the window is named, not averaged.
// Truth is recomputed from the fake Azure's own cost records, not from gpuops.
import { afterEach, describe, expect, it } from "vitest";
import { buildDigest } from "../../src/commands/digest.ts";
import { type CostRecord, createDemoFleet } from "../../src/fake-azure/demo-fleet.ts";
import type { FactsPart, Reply, TextPart } from "../../src/reply/reply.ts";
import { type DemoHarness, startDemoApp } from "../support/demo-app.ts";

const open: DemoHarness[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});
async function demo(at: Date): Promise<DemoHarness> {
  const h = await startDemoApp({ now: () => at, fake: { fleet: createDemoFleet({ now: () => at }) } });
  open.push(h);
  return h;
}

const isoDay = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const gpuMeter = (r: CostRecord) => r.meterCategory === "Virtual Machines" && /^N[CDGV]/i.test(r.meterSubCategory);
const cents = (n: number) => Math.round(n * 100) / 100;
const money = (n: number) => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const fact = (r: Reply, label: string) => r.parts.flatMap((p) => (p.kind === "facts" ? (p as FactsPart).facts : [])).find((f) => f.label === label)?.value;
const texts = (r: Reply) => r.parts.flatMap((p) => (p.kind === "text" ? [(p as TextPart).text] : []));

describe("digest: one-off purchases stay out of the 7-day average", () => {
  // 3 Dec (UTC): the digest reports 2 Dec against 25 Nov – 1 Dec, and the demo's reservation is billed on 1 Dec.
  const at = new Date("2026-12-03T09:00:00Z");

  it("the average equals the usage-only average, and the purchase is named on its own line", async () => {
    const h = await demo(at);
    const before = Array.from({ length: 7 }, (_, i) => isoDay(Date.parse("2026-11-25T00:00:00Z") + i * 86_400_000));
    const records = before.flatMap((d) => h.fake.fleet.costRecords(d)).filter(gpuMeter);
    const bought = records.filter((r) => r.chargeType === "Purchase");
    // The window really holds a purchase, so an average over all charges would differ.
    expect(bought.map((r) => r.date)).toEqual(["2026-12-01"]);
    expect(bought[0]?.actual).toBeGreaterThan(1000);
    const usage = records.filter((r) => r.chargeType === "Usage").reduce((n, r) => n + Math.round(r.actual * 1e6), 0) / 1e6;
    const everything = records.reduce((n, r) => n + Math.round(r.actual * 1e6), 0) / 1e6;

    const d = await buildDigest(h.app.context(), { scope: null, timezone: "UTC" }, at);
    expect(d.day).toBe("2026-12-02");
    expect(d.summary?.baseline.kind).toBe("full");
    expect(d.summary?.average7).toBeCloseTo(usage / 7, 2);
    expect(fact(d.reply, "7-day average")).toBe(`${money(cents(usage / 7))}/day`);
    expect(fact(d.reply, "7-day average")).not.toBe(`${money(cents(everything / 7))}/day`);
    expect(texts(d.reply)).toContain(`Not in these figures or the average: ${money(cents(bought[0]?.actual ?? 0))} reservation purchase on 1 Dec (ai-platform-prod), a one-off.`);
  });

  it("a resource-group scope does not name a purchase that belongs to no resource group", async () => {
    const h = await demo(at);
    const d = await buildDigest(h.app.context(), { scope: { kind: "rg", value: "rg-llm-training" }, timezone: "UTC" }, at);
    expect(d.summary).toBeDefined();
    expect(texts(d.reply).join("\n")).not.toContain("purchase");
  });

  it("a subscription scope without the purchase names none", async () => {
    const h = await demo(at);
    const d = await buildDigest(h.app.context(), { scope: { kind: "subscription", value: "ml-research-dev" }, timezone: "UTC" }, at);
    expect(d.summary).toBeDefined();
    expect(texts(d.reply).join("\n")).not.toContain("purchase");
  });
});
