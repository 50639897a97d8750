// The digest's pure maths: sums to the cent, the 7-day average with missing days as zero, the
// top groups plus "others" adding up, the noise rule on both sides of its threshold, quota and
// the running estimate.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type DailySpend, decideNoise, quotaNearLimit, readNoiseRule, runningEstimate, serialiseNoiseRule, summariseSpend, summaryWindow } from "../../src/domain/digest.ts";
import { addDays } from "../../src/domain/periods.ts";

const DAY = "2026-03-10";
const cents = (n: number) => Math.round(n * 100);

const rowArb = fc.record({
  offset: fc.integer({ min: -9, max: 1 }),
  group: fc.constantFrom("rg-a", "rg-b", "rg-c", "rg-d", "rg-e", "rg-f", "rg-g", ""),
  amount: fc.integer({ min: 0, max: 5_000_000 }).map((m) => m / 100),
});

describe("summariseSpend", () => {
  it("totals, averages and groups add up exactly", () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 60 }), (raw) => {
        const rows: DailySpend[] = raw.map((r) => ({ date: addDays(DAY, r.offset), group: r.group, amount: r.amount }));
        const s = summariseSpend(rows, DAY, 5);
        const on = (d: string) => rows.filter((r) => r.date === d).reduce((a, r) => a + cents(r.amount), 0);
        expect(cents(s.total)).toBe(on(DAY));
        const before = Array.from({ length: 7 }, (_, k) => on(addDays(DAY, -(k + 1)))).reduce((a, b) => a + b, 0);
        expect(Math.abs(s.average7 * 700 - before)).toBeLessThan(1);
        expect(cents(s.groups.reduce((a, g) => a + g.amount, 0) + s.others.amount)).toBe(on(DAY));
        expect(s.groups.length).toBeLessThanOrEqual(5);
        for (let i = 1; i < s.groups.length; i++) expect((s.groups[i - 1] as { amount: number }).amount).toBeGreaterThanOrEqual((s.groups[i] as { amount: number }).amount);
        expect(s.series.map((x) => x.date)).toEqual(Array.from({ length: 8 }, (_, i) => addDays(summaryWindow(DAY).from, i)));
        if (s.average7 === 0) expect(s.changePct).toBeNull();
        else {
          // Relative tolerance: a tiny baseline makes the percentage huge (4.8e9 %), where absolute
          // decimals are beyond a double's precision.
          const expected = ((s.total - s.average7) / s.average7) * 100;
          expect(Math.abs((s.changePct as number) - expected)).toBeLessThanOrEqual(Math.abs(expected) * 1e-12 + 1e-9);
        }
      }),
    );
  });

  it("counts a day with no rows as zero spend and ignores rows outside the window", () => {
    const rows: DailySpend[] = [
      { date: DAY, group: "rg-a", amount: 140 },
      { date: addDays(DAY, -1), group: "rg-a", amount: 70 },
      { date: addDays(DAY, -8), group: "rg-a", amount: 1_000_000 },
      { date: addDays(DAY, 1), group: "rg-a", amount: 1_000_000 },
    ];
    const s = summariseSpend(rows, DAY);
    expect(s.total).toBe(140);
    expect(s.average7).toBe(10);
    expect(s.changePct).toBeCloseTo(1300);
  });
});

describe("the 7-day baseline", () => {
  const day = (offset: number, amount: number, group = "rg-a"): DailySpend => ({ date: addDays(DAY, offset), group, amount });

  it("is full only when spend data reaches back to the first of the 7 days", () => {
    expect(summariseSpend([day(0, 10), ...Array.from({ length: 7 }, (_, k) => day(-(k + 1), 5))], DAY).baseline).toEqual({ kind: "full" });
    // Data from 3 days before: 3 of the 7 days.
    expect(summariseSpend([day(0, 10), day(-1, 5), day(-2, 5), day(-3, 5)], DAY).baseline).toEqual({ kind: "partial", from: addDays(DAY, -3), days: 3 });
    // Nothing before yesterday at all, and dust (a VM started and deleted at once) is not data.
    expect(summariseSpend([day(0, 10), day(-5, 0.000001)], DAY).baseline).toEqual({ kind: "none" });
  });

  it("holds for any rows: full iff the 7th day before has spend, none iff no day before has", () => {
    fc.assert(
      fc.property(fc.array(rowArb, { maxLength: 40 }), (raw) => {
        const rows: DailySpend[] = raw.map((r) => ({ date: addDays(DAY, r.offset), group: r.group, amount: r.amount }));
        const b = summariseSpend(rows, DAY).baseline;
        const spent = (d: string) => rows.some((r) => r.date === d && cents(r.amount) !== 0);
        const before = Array.from({ length: 7 }, (_, k) => addDays(DAY, -(k + 1)));
        expect(b.kind === "full").toBe(spent(addDays(DAY, -7)));
        expect(b.kind === "none").toBe(!before.some(spent));
        if (b.kind === "partial") {
          expect(spent(b.from)).toBe(true);
          expect(before.filter((d) => d < b.from).some(spent)).toBe(false);
          expect(b.days).toBe(before.filter((d) => d >= b.from).length);
        }
      }),
    );
  });
});

describe("decideNoise", () => {
  it("posts exactly when the change is more than the threshold, in percent or amount", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.integer({ min: 0, max: 2_000_000 }), fc.integer({ min: 1, max: 300 }), (avgC, totalC, threshold) => {
        const average7 = avgC / 100;
        const total = totalC / 100;
        const delta = total - average7;
        const changePct = (delta / average7) * 100;
        const s = { total, average7, delta, changePct };
        expect(decideNoise({ kind: "percent", threshold }, s).post).toBe(Math.abs(changePct) > threshold);
        expect(decideNoise({ kind: "amount", threshold, currency: "USD" }, s).post).toBe(Math.abs(delta) > threshold);
        expect(decideNoise({ kind: "always" }, s).post).toBe(true);
      }),
    );
  });

  it("treats new spend against a zero average as a change, and nothing against nothing as none", () => {
    expect(decideNoise({ kind: "percent", threshold: 10 }, { total: 5, average7: 0, delta: 5, changePct: null }).post).toBe(true);
    expect(decideNoise({ kind: "percent", threshold: 10 }, { total: 0, average7: 0, delta: 0, changePct: null }).post).toBe(false);
    expect(decideNoise({ kind: "percent", threshold: 10 }, { total: 110, average7: 100, delta: 10, changePct: 10 }).post).toBe(false);
  });

  it("posts when the 7-day average covers only some days: the rule cannot judge a change", () => {
    const partial = { total: 110, average7: 100, delta: 10, changePct: 10, baseline: { kind: "partial" as const, from: "2026-03-07", days: 3 } };
    for (const rule of [
      { kind: "percent" as const, threshold: 50 },
      { kind: "amount" as const, threshold: 1000, currency: "USD" },
    ]) {
      const d = decideNoise(rule, partial);
      expect(d.post).toBe(true);
      expect(d.reason).toMatch(/covers only 3 of 7 days, so the rule cannot judge a change/);
    }
    expect(decideNoise({ kind: "percent", threshold: 50 }, { ...partial, baseline: { kind: "full" } }).post).toBe(false);
  });

  it("stores and reads rules back", () => {
    for (const rule of [{ kind: "always" as const }, { kind: "percent" as const, threshold: 12.5 }, { kind: "amount" as const, threshold: 500, currency: "EUR" }]) {
      expect(readNoiseRule(serialiseNoiseRule(rule))).toEqual(rule);
    }
    expect(readNoiseRule("garbage")).toEqual({ kind: "always" });
  });
});

describe("quota and running estimate", () => {
  it("lists families above 80 % only, fullest first", () => {
    const rows = [
      { subscription: "s", region: "eastus", family: "A", current: 80, limit: 100 },
      { subscription: "s", region: "eastus", family: "B", current: 81, limit: 100 },
      { subscription: "s", region: "eastus", family: "C", current: 96, limit: 96 },
      { subscription: "s", region: "eastus", family: "D", current: 0, limit: 0 },
    ];
    expect(quotaNearLimit(rows).map((r) => [r.family, r.used])).toEqual([
      ["C", 1],
      ["B", 0.81],
    ]);
  });

  it("prices running VMs at list price and counts those without a price apart", () => {
    expect(
      runningEstimate([
        { size: "a", perHour: 3.673 },
        { size: "a", perHour: 3.673 },
        { size: "b", perHour: null },
      ]),
    ).toEqual({ vms: 3, perHour: 7.346, unpriced: 1 });
  });
});
