import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compactHours, formatHours, MAX_PARSE_HOURS, parseDuration } from "../../src/domain/duration.ts";

describe("parseDuration", () => {
  it.each([
    ["3d", 72],
    ["12h", 12],
    ["1w", 168],
    ["2 days", 48],
    ["1 day", 24],
    ["36 hours", 36],
    ["1.5d", 36],
    ["1d 12h", 36],
    ["1d12h", 36],
    ["1 day and 12 hours", 36],
    ["2 weeks", 336],
    ["  4H ", 4],
    ["1 Week, 2 days", 216],
  ])("reads %s as %i hours", (text, hours) => {
    expect(parseDuration(text)).toEqual({ ok: true, hours });
  });

  it.each([
    ["", /missing/],
    ["30m", /1 hour/],
    ["2 months", /Months/],
    ["3", /no unit/],
    ["3 fortnights", /not a unit/],
    ["soon", /can't read/],
    ["0h", /shortest/],
    ["1.01h", /whole hours/],
    ["400d", /longer than a year/],
  ])("refuses %j kindly", (text, problem) => {
    const r = parseDuration(text);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(problem);
  });

  it("round-trips every whole number of hours through the compact form", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: MAX_PARSE_HOURS }), (h) => {
        expect(parseDuration(compactHours(h))).toEqual({ ok: true, hours: h });
      }),
    );
  });

  it("adds up any sequence of pieces in any spelling", () => {
    const unit = fc.constantFrom(["h", 1], [" hours", 1], ["d", 24], [" days", 24], ["w", 168], [" weeks", 168]);
    const piece = fc.tuple(fc.integer({ min: 1, max: 9 }), unit);
    const sep = fc.constantFrom(" ", "", ", ", " and ", " + ");
    fc.assert(
      fc.property(fc.array(fc.tuple(piece, sep), { minLength: 1, maxLength: 3 }), (pieces) => {
        const text = pieces.map(([[n, [u]], s], i) => `${i === 0 ? "" : s}${n}${u}`).join("");
        const hours = pieces.reduce((sum, [[n, [, f]]]) => sum + n * f, 0);
        if (text.length > 40) return;
        expect(parseDuration(text)).toEqual({ ok: true, hours });
      }),
    );
  });

  it("never throws and never returns a non-whole or out-of-range value on any text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        const r = parseDuration(text);
        if (r.ok) {
          expect(Number.isInteger(r.hours)).toBe(true);
          expect(r.hours).toBeGreaterThanOrEqual(1);
          expect(r.hours).toBeLessThanOrEqual(MAX_PARSE_HOURS);
        } else expect(r.problem.length).toBeGreaterThan(0);
      }),
    );
  });
});

describe("formatHours", () => {
  it.each([
    [1, "1 hour"],
    [12, "12 hours"],
    [24, "1 day"],
    [36, "1 day 12 hours"],
    [72, "3 days"],
    [168, "1 week"],
    [336, "2 weeks"],
  ])("%i h reads as %s", (h, words) => {
    expect(formatHours(h)).toBe(words);
  });

  it("is read back to the same hours", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5000 }), (h) => {
        expect(parseDuration(formatHours(h))).toEqual({ ok: true, hours: h });
      }),
    );
  });
});
