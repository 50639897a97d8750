import { describe, expect, it } from "vitest";
import {
  addDays,
  billedCompleteThrough,
  chartWindow,
  datesIn,
  fromUsageDate,
  localDate,
  monthEnd,
  monthsSpanned,
  PERIOD_NAMES,
  resolvePeriod,
  toUsageDate,
} from "../../src/domain/periods.ts";

describe("localDate and yesterday in the configured zone", () => {
  // 11:30 UTC on 15 March 2026: already 16 March in Auckland (UTC+13, daylight time), still 15 March in Los Angeles (UTC−7).
  const now = new Date("2026-03-15T11:30:00Z");

  it("names the zone's calendar day", () => {
    expect(localDate(now, "Pacific/Auckland")).toBe("2026-03-16");
    expect(localDate(now, "America/Los_Angeles")).toBe("2026-03-15");
    expect(localDate(now, "UTC")).toBe("2026-03-15");
  });

  it("gives each zone its own yesterday around midnight UTC", () => {
    const justAfterMidnightUtc = new Date("2026-03-16T00:30:00Z");
    expect(resolvePeriod("yesterday", justAfterMidnightUtc, "UTC").current).toEqual({ from: "2026-03-15", to: "2026-03-15", days: 1 });
    // Auckland is at 13:30 on the 16th: yesterday is the 15th.
    expect(resolvePeriod("yesterday", justAfterMidnightUtc, "Pacific/Auckland").current.from).toBe("2026-03-15");
    // Los Angeles is at 17:30 on the 15th: yesterday is the 14th.
    expect(resolvePeriod("yesterday", justAfterMidnightUtc, "America/Los_Angeles").current.from).toBe("2026-03-14");
    const justBeforeMidnightUtc = new Date("2026-03-15T23:30:00Z");
    // Auckland has passed its midnight (12:30 on the 16th) while UTC has not.
    expect(resolvePeriod("yesterday", justBeforeMidnightUtc, "Pacific/Auckland").current.from).toBe("2026-03-15");
    expect(resolvePeriod("yesterday", justBeforeMidnightUtc, "UTC").current.from).toBe("2026-03-14");
  });
});

describe("resolvePeriod", () => {
  const now = new Date("2026-03-10T12:00:00Z");

  it("7d and 30d end today and are preceded by a period of the same length", () => {
    const p7 = resolvePeriod("7d", now, "UTC");
    expect(p7.current).toEqual({ from: "2026-03-04", to: "2026-03-10", days: 7 });
    expect(p7.previous).toEqual({ from: "2026-02-25", to: "2026-03-03", days: 7 });
    const p30 = resolvePeriod("30d", now, "UTC");
    expect(p30.current).toEqual({ from: "2026-02-09", to: "2026-03-10", days: 30 });
    expect(p30.previous).toEqual({ from: "2026-01-10", to: "2026-02-08", days: 30 });
  });

  it("month to date compares with the same days of last month", () => {
    const p = resolvePeriod("mtd", now, "UTC");
    expect(p.current).toEqual({ from: "2026-03-01", to: "2026-03-10", days: 10 });
    expect(p.previous).toEqual({ from: "2026-02-01", to: "2026-02-10", days: 10 });
  });

  it("month to date on the 31st compares with a shorter month without spilling into this one", () => {
    const p = resolvePeriod("mtd", new Date("2026-03-31T10:00:00Z"), "UTC");
    expect(p.current.days).toBe(31);
    expect(p.previous).toEqual({ from: "2026-02-01", to: "2026-02-28", days: 28 });
  });

  it("last month is the whole previous calendar month, across a year boundary", () => {
    const p = resolvePeriod("last-month", new Date("2026-01-05T09:00:00Z"), "UTC");
    expect(p.current).toEqual({ from: "2025-12-01", to: "2025-12-31", days: 31 });
    expect(p.previous).toEqual({ from: "2025-11-01", to: "2025-11-30", days: 30 });
    expect(p.label).toBe("December 2025");
  });

  it("last month in a leap year February", () => {
    const p = resolvePeriod("last-month", new Date("2028-03-01T12:00:00Z"), "UTC");
    expect(p.current).toEqual({ from: "2028-02-01", to: "2028-02-29", days: 29 });
    expect(p.previous.to).toBe("2028-01-31");
  });

  it("a month boundary in the zone differs from UTC", () => {
    // 1 April 2026 09:00 in Auckland is still 31 March in UTC.
    const at = new Date("2026-03-31T20:00:00Z");
    expect(resolvePeriod("mtd", at, "Pacific/Auckland").current).toEqual({ from: "2026-04-01", to: "2026-04-01", days: 1 });
    expect(resolvePeriod("mtd", at, "UTC").current.from).toBe("2026-03-01");
    expect(resolvePeriod("last-month", at, "Pacific/Auckland").current.from).toBe("2026-03-01");
  });

  it("every period's previous range ends the day before the current one starts, or is a month before", () => {
    for (const name of PERIOD_NAMES) {
      const p = resolvePeriod(name, now, "Europe/Berlin");
      expect(p.previous.to < p.current.from).toBe(true);
      expect(datesIn(p.current)).toHaveLength(p.current.days);
    }
  });
});

describe("helpers", () => {
  it("chart windows are at least 14 days and end with the period", () => {
    const now = new Date("2026-03-10T12:00:00Z");
    expect(chartWindow(resolvePeriod("today", now, "UTC"))).toEqual({ from: "2026-02-25", to: "2026-03-10", days: 14 });
    expect(chartWindow(resolvePeriod("30d", now, "UTC")).days).toBe(30);
  });

  it("counts months spanned (about one QPU each)", () => {
    expect(monthsSpanned({ from: "2026-03-01", to: "2026-03-31", days: 31 })).toBe(1);
    expect(monthsSpanned({ from: "2026-02-25", to: "2026-03-10", days: 14 })).toBe(2);
    expect(monthsSpanned({ from: "2025-12-20", to: "2026-01-05", days: 17 })).toBe(2);
  });

  it("converts UsageDate numbers both ways and rejects impossible dates", () => {
    expect(toUsageDate("2020-04-01")).toBe(20200401);
    expect(fromUsageDate(20200401)).toBe("2020-04-01");
    expect(fromUsageDate("20200402")).toBe("2020-04-02");
    expect(fromUsageDate(20200231)).toBeUndefined();
    expect(fromUsageDate("x")).toBeUndefined();
  });

  it("says billed data is complete through two UTC days ago", () => {
    expect(billedCompleteThrough(new Date("2026-03-10T15:00:00Z"))).toBe("2026-03-08");
    expect(addDays("2026-03-01", -1)).toBe("2026-02-28");
    expect(monthEnd("2024-02-10")).toBe("2024-02-29");
  });
});
