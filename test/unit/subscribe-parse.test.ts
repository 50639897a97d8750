// The subscription grammar: property tests over generated option sets (any order, any casing)
// and over arbitrary text (never throws; wrong input gets a problem and an example).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tokenize } from "../../src/commands/args.ts";
import { parseKind, parseSubscribeArgs, type SubscribeArgs } from "../../src/commands/subscribe.ts";
import { type DigestScope, formatScope, type NoiseRule, parseNoiseRule, parseScope } from "../../src/domain/digest.ts";
import { canonicalTimeZone, parseTimeOfDay } from "../../src/domain/schedule.ts";

const ZONES = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Australia/Sydney", "America/Argentina/Buenos_Aires", "Pacific/Auckland"];

const time = fc.record({ h: fc.integer({ min: 0, max: 23 }), m: fc.integer({ min: 0, max: 59 }) }).map(({ h, m }) => `${String(h).padStart(2, "0")}:${String(m).padStart(2, "0")}`);
const ident = fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/);
const scope: fc.Arbitrary<DigestScope> = fc.oneof(
  ident.map((value) => ({ kind: "rg" as const, value })),
  ident.map((value) => ({ kind: "subscription" as const, value })),
  fc.record({ key: ident, value: ident }).map(({ key, value }) => ({ kind: "tag" as const, key, value })),
);
const noise: fc.Arbitrary<NoiseRule> = fc.oneof(
  fc.constant({ kind: "always" as const }),
  fc.integer({ min: 1, max: 500 }).map((threshold) => ({ kind: "percent" as const, threshold })),
  fc.integer({ min: 1, max: 100_000 }).map((threshold) => ({ kind: "amount" as const, threshold, currency: "USD" })),
);

function noiseText(n: NoiseRule, style: number): string {
  if (n.kind === "always") return style % 2 ? "always" : "when always";
  if (n.kind === "percent") return ["when change > ", "when > ", "when change >"][style % 3] + `${n.threshold}${style % 2 ? " %" : "%"}`;
  return ["when change > $", "when > ", "when change>"][style % 3] + `${n.threshold}${style % 3 === 0 ? "" : " USD"}`;
}

describe("subscribe grammar", () => {
  it("reads back any valid set of options, in any order and casing", () => {
    fc.assert(
      fc.property(
        fc.record({ at: time, timezone: fc.constantFrom(...ZONES), scope, noise, updateInPlace: fc.boolean() }, { requiredKeys: [] }),
        fc.integer({ min: 0, max: 5 }),
        fc.boolean(),
        (opts, style, upper) => {
          const pieces: string[] = [];
          if (opts.at) pieces.push(style % 2 && !opts.timezone ? opts.at : `at ${opts.at}`);
          if (opts.timezone) pieces.push(`tz ${upper ? opts.timezone.toLowerCase() : opts.timezone}`);
          if (opts.scope) pieces.push(`scope ${formatScope(opts.scope)}`);
          if (opts.noise) pieces.push(noiseText(opts.noise, style));
          if (opts.updateInPlace !== undefined) pieces.push(opts.updateInPlace ? "update-in-place" : "new-message");
          // Shuffle deterministically by style.
          const ordered = pieces.map((p, i) => ({ p, k: (i * 7 + style * 3) % (pieces.length + 1) })).sort((a, b) => a.k - b.k);
          const text = `${upper ? "DIGEST" : "digest"} ${ordered.map((o) => o.p).join(" ")}`;
          const r = parseSubscribeArgs(tokenize(text), "USD");
          if (!r.ok) throw new Error(`${text}: ${r.problem}`);
          const want: SubscribeArgs = { kind: "digest" };
          if (opts.at) want.at = opts.at;
          if (opts.timezone) want.timezone = opts.timezone;
          if (opts.scope) want.scope = opts.scope;
          if (opts.noise) want.noise = opts.noise;
          if (opts.updateInPlace !== undefined) want.updateInPlace = opts.updateInPlace;
          expect(r.value).toEqual(want);
        },
      ),
      { numRuns: 400 },
    );
  });

  it("never throws on arbitrary text; a refusal always says what was wrong and gives an example", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ maxLength: 80 }),
          fc
            .array(fc.constantFrom("digest", "idle", "at", "tz", "scope", "when", ">", "10%", "$5", "rg:x", "Europe/Berlin", "25:00", "update-in-place", "#general", "'; drop"), {
              maxLength: 8,
            })
            .map((a) => a.join(" ")),
        ),
        (text) => {
          const r = parseSubscribeArgs(tokenize(text), "USD");
          if (!r.ok) {
            expect(r.problem.length).toBeGreaterThan(10);
            expect(r.example).toMatch(/^subscribe /);
          }
        },
      ),
      { numRuns: 800 },
    );
  });

  it("refuses to aim a change at another channel", () => {
    for (const text of ["digest channel C0999", "digest --channel C0999", "digest <#C0999|general>", "idle #general", "digest at 09:00 <@U123>"]) {
      const r = parseSubscribeArgs(tokenize(text), "USD");
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.problem).toMatch(/inside the channel itself/);
    }
  });

  it("answers kind mistakes with the kinds and a near guess", () => {
    const none = parseKind(undefined, "subscribe");
    expect(none.ok).toBe(false);
    if (!none.ok) expect(none.problem).toMatch(/digest .* or idle/);
    const typo = parseKind("digets", "unsubscribe");
    expect(typo.ok).toBe(false);
    if (!typo.ok) {
      expect(typo.problem).toMatch(/did you mean digest/);
      expect(typo.example).toBe("unsubscribe digest");
    }
    expect(parseKind("IDLE", "subscribe")).toEqual({ ok: true, value: "idle" });
  });

  it("refuses bad times, zones, scopes, rules, repeats and extras with specific reasons", () => {
    const cases: Array<[string, RegExp]> = [
      ["digest at 25:00", /not a time of day/],
      ["digest at", /needs a time of day/],
      ["digest tz Mars/Olympus", /not an IANA time zone/],
      ["digest tz", /IANA time zone/],
      ["digest scope vnet:x", /not a scope/],
      ["digest scope rg:bad'name", /not a resource group name/],
      ["digest scope tag:team", /needs a value/],
      ["digest when change > lots", /not a threshold/],
      ["digest when change > €500", /amounts are in USD/],
      ["digest when change > 0%", /above 0/],
      ["digest at 08:00 at 09:00", /given twice/],
      ["digest update-in-place new-message", /given twice/],
      ["digest every monday", /don't understand "every"/],
      ["idle at 09:00", /takes no options/],
    ];
    for (const [text, problem] of cases) {
      const r = parseSubscribeArgs(tokenize(text), "USD");
      expect(r.ok, text).toBe(false);
      if (!r.ok) expect(r.problem, text).toMatch(problem);
    }
  });

  it("takes a zone right after the time, and am/pm times", () => {
    expect(parseSubscribeArgs(tokenize("digest at 9:30 am Europe/Berlin"), "USD")).toEqual({ ok: true, value: { kind: "digest", at: "09:30", timezone: "Europe/Berlin" } });
    expect(parseSubscribeArgs(tokenize("digest at 5pm tz utc"), "USD")).toEqual({ ok: true, value: { kind: "digest", at: "17:00", timezone: "UTC" } });
    expect(parseSubscribeArgs(tokenize("digest scope all always"), "USD")).toEqual({ ok: true, value: { kind: "digest", scope: null, noise: { kind: "always" } } });
  });
});

describe("schedule and scope words", () => {
  it("reads every 24-hour time back to itself", () => {
    fc.assert(
      fc.property(time, (t) => {
        expect(parseTimeOfDay(t)).toEqual({ ok: true, value: t });
        expect(parseTimeOfDay(t.replace(/^0/, ""))).toEqual({ ok: true, value: t });
      }),
    );
  });

  it("rejects out-of-range times", () => {
    fc.assert(
      fc.property(fc.integer({ min: 24, max: 99 }), fc.integer({ min: 0, max: 99 }), (h, m) => {
        expect(parseTimeOfDay(`${h}:${String(m).padStart(2, "0")}`).ok).toBe(false);
      }),
    );
    expect(parseTimeOfDay("12:60").ok).toBe(false);
  });

  it("knows IANA zones, any casing, and nothing else", () => {
    expect(canonicalTimeZone("europe/berlin")).toBe("Europe/Berlin");
    expect(canonicalTimeZone("America/New_York")).toBe("America/New_York");
    expect(canonicalTimeZone("Not/AZone")).toBeUndefined();
    expect(canonicalTimeZone("../../etc/passwd")).toBeUndefined();
  });

  it("lets no query syntax through a scope", () => {
    fc.assert(
      fc.property(fc.constantFrom("rg:", "sub:", "tag:k="), fc.string({ maxLength: 30 }), (prefix, rest) => {
        const p = parseScope(prefix + rest);
        if (p.ok) expect(formatScope(p.value)).not.toMatch(/['"\\\s;|&<>%?]/);
      }),
      { numRuns: 500 },
    );
  });

  it("parses noise rules in the digest's currency only", () => {
    expect(parseNoiseRule("change > 12.5 %", "USD")).toEqual({ ok: true, value: { kind: "percent", threshold: 12.5 } });
    expect(parseNoiseRule("> 1,500 EUR", "EUR")).toEqual({ ok: true, value: { kind: "amount", threshold: 1500, currency: "EUR" } });
    expect(parseNoiseRule("> $10", "EUR").ok).toBe(false);
    expect(parseNoiseRule("> 10", "GBP")).toEqual({ ok: true, value: { kind: "amount", threshold: 10, currency: "GBP" } });
  });
});
