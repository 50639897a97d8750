import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { tokenize } from "../../src/commands/args.ts";
import { parseRequest } from "../../src/commands/request-parse.ts";
import { compactHours, formatHours } from "../../src/domain/duration.ts";
import { GPU_SIZES } from "../../src/domain/gpu-catalogue.ts";
import { regionDisplayName } from "../../src/domain/regions.ts";

const parse = (text: string) => parseRequest(tokenize(text), text);

describe("request grammar", () => {
  it("reads the issue's example", () => {
    const r = parse("2 NC24ads_A100_v4 in swedencentral for 3d -- fine-tune the support model");
    expect(r).toMatchObject({ ok: true, request: { count: 2, region: "swedencentral", hours: 72, reason: "fine-tune the support model" } });
    if (r.ok && r.request.target.kind === "size") expect(r.request.target.size.size).toBe("Standard_NC24ads_A100_v4");
  });

  it("takes a GPU model, a spelled-out region, a worded duration, either order and a cost center", () => {
    const r = parse('8 h100 for "2 days" in East US 2 cost-center ml-research — eval sweep');
    expect(r).toMatchObject({ ok: true, request: { count: 8, region: "eastus2", hours: 48, costCenter: "ml-research", reason: "eval sweep" } });
    if (r.ok) expect(r.request.target.kind).toBe("gpu");
  });

  it.each([
    ["", "missing_count"],
    ["two a100 in eastus for 1d -- x", "bad_count"],
    ["5000 a100 in eastus for 1d -- x", "bad_count"],
    ["2 in eastus for 1d -- x", "missing_size"],
    ["2 a1000 in eastus for 1d -- x", "unknown_gpu"],
    ["2 a100 for 1d -- x", "missing_region"],
    ["2 a100 in atlantis for 1d -- x", "unknown_region"],
    ["2 a100 in eastus -- x", "missing_duration"],
    ["2 a100 in eastus for 30m -- x", "bad_duration"],
    ["2 a100 in eastus for 3d", "reason_required"],
    ["2 a100 in eastus for 3d --   ", "reason_required"],
    ["2 a100 in eastus for 3d cc bad!tag -- x", "bad_cost_center"],
  ])("refuses %j with %s and an example", (text, code) => {
    const r = parse(text);
    expect(r).toMatchObject({ ok: false, code });
    if (!r.ok) {
      expect(r.problem.length).toBeGreaterThan(10);
      expect(r.example).toMatch(/^request /);
    }
  });

  it("suggests the nearest GPU for a typo", () => {
    const r = parse("2 a10O in eastus for 1d -- x");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problem).toMatch(/Did you mean/);
  });

  const sizes = GPU_SIZES.filter((s) => s.status.kind !== "retired");
  const regionArb = fc
    .constantFrom("swedencentral", "eastus", "westus2", "japaneast")
    .chain((r) => fc.constantFrom(r, regionDisplayName(r), regionDisplayName(r).toUpperCase()).map((text) => ({ r, text })));
  const hoursArb = fc.integer({ min: 1, max: 336 });
  const durationText = (h: number, style: number) => (style === 0 ? compactHours(h) : `"${formatHours(h)}"`);
  const reasonArb = fc.stringMatching(/^[A-Za-z][A-Za-z0-9 ,.'!?()-]{0,80}$/).filter((s) => s.trim().length > 0 && !/(^|\s)(--|—|–)(\s|$)/.test(s));

  it("keeps the reason verbatim, quotes and apostrophes included", () => {
    const r = parse("2 NC24ads_A100_v4 in swedencentral for 3d -- don't  'fast' lane, \"eval\" run ''");
    expect(r.ok && r.request.reason).toBe("don't 'fast' lane, \"eval\" run ''");
  });

  it("parses every well-formed request back to its parts (property)", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1000 }),
        fc.constantFrom(...sizes),
        regionArb,
        hoursArb,
        fc.integer({ min: 0, max: 1 }),
        fc.boolean(),
        reasonArb,
        (count, size, region, hours, style, forFirst, reason) => {
          const sizeWord = size.size.replace(/^Standard_/, "");
          const where = `in ${region.text}`;
          const when = `for ${durationText(hours, style)}`;
          const text = `${count} ${sizeWord} ${forFirst ? `${when} ${where}` : `${where} ${when}`} -- ${reason}`;
          const r = parse(text);
          expect(r.ok).toBe(true);
          if (!r.ok) return;
          expect(r.request.count).toBe(count);
          expect(r.request.region).toBe(region.r);
          expect(r.request.hours).toBe(hours);
          expect(r.request.reason).toBe(reason.replace(/\s+/g, " ").trim());
          expect(r.request.target.kind === "size" && r.request.target.size.size).toBe(size.size);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never throws on any input and always explains a refusal with an example (property)", () => {
    const words = fc.constantFrom("2", "a100", "in", "for", "--", "3d", "eastus", "cc", "x", "—", "h100", "two", "days", '"', "'");
    const textArb = fc.oneof(
      fc.string({ maxLength: 120 }),
      fc.array(words, { maxLength: 14 }).map((w) => w.join(" ")),
    );
    fc.assert(
      fc.property(textArb, (text) => {
        const r = parse(text);
        if (r.ok) {
          expect(r.request.reason.length).toBeGreaterThan(0);
          expect(r.request.hours).toBeGreaterThanOrEqual(1);
          expect(r.request.count).toBeGreaterThanOrEqual(1);
        } else {
          // Our own words never leak these; the user's own "NaN", echoed back, is fine.
          if (!/undefined|NaN|\[object/.test(text)) expect(r.problem).not.toMatch(/undefined|NaN|\[object/);
          expect(r.example.startsWith("request ")).toBe(true);
        }
      }),
      { numRuns: 500 },
    );
  });
});
