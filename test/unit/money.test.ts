import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatChange, formatHourly, formatHourlyTotal, formatMaybeHourly, formatMoney, formatShare, parseAmount, sumMoney, toCents } from "../../src/domain/money.ts";

describe("money", () => {
  it("formats in the currency as returned", () => {
    expect(formatMoney(1234.5, "USD")).toBe("$1,234.50");
    expect(formatMoney(0.004, "EUR")).toBe("€0.00");
    expect(formatMoney(1200.4, "JPY")).toBe("¥1,200");
    expect(formatMoney(12, "XTS")).toMatch(/12\.00/);
    expect(formatMoney(5, "not-a-code")).toBe("5.00 not-a-code");
  });

  it("hourly prices keep three decimals below one unit", () => {
    expect(formatHourly(0.526, "USD")).toBe("$0.526/h");
    expect(formatHourly(3.673, "USD")).toBe("$3.67/h");
    // Fleet totals (running, the digest) share one rule: whole units from 100 up.
    expect(formatHourlyTotal(1079.79, "USD")).toBe("$1,080/h");
    expect(formatHourlyTotal(42.184, "USD")).toBe("$42.18/h");
    expect(formatHourlyTotal(99.995, "EUR")).toBe("€100/h");
    expect(formatHourlyTotal(1200.4, "JPY")).toBe("¥1,200/h");
  });

  it("never shows a missing price as zero", () => {
    expect(formatMaybeHourly({ known: false, reason: "no row" })).toBe("no list price");
    expect(formatMaybeHourly({ known: true, perHour: 3.5, currency: "USD" }, 2)).toBe("$7.00/h");
  });

  it("parses the exponent numbers Cost Management sends", () => {
    expect(parseAmount("1E-06")).toBe(0.000001);
    expect(parseAmount(9.2e-5)).toBe(0.000092);
    expect(Number.isNaN(parseAmount("USD"))).toBe(true);
  });

  it("sums exactly in micro-units", () => {
    expect(sumMoney([0.1, 0.2])).toBe(0.3);
    expect(sumMoney([1e-6, 4e-6, 9.2e-5])).toBe(0.000097);
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10_000_000_000 }), { maxLength: 200 }), (micros) => {
        const total = sumMoney(micros.map((m) => m / 1e6));
        expect(Math.round(total * 1e6)).toBe(micros.reduce((a, b) => a + b, 0));
      }),
    );
  });

  it("rounds to cents half away from zero", () => {
    expect(toCents(1.005)).toBe(1.01);
    expect(toCents(-1.005)).toBe(-1.01);
    expect(toCents(2.675)).toBe(2.68);
  });

  it("describes change and share", () => {
    expect(formatChange(112, 100)).toBe("▲ 12 %");
    expect(formatChange(90, 100)).toBe("▼ 10 %");
    expect(formatChange(5, 0)).toBe("new");
    expect(formatChange(0, 0)).toBe("—");
    expect(formatShare(0.1, 100)).toBe("<1 %");
    expect(formatShare(50, 100)).toBe("50 %");
  });
});
