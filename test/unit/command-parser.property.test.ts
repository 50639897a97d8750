// Property tests for the one entry point every door calls. The app is the demo wiring (real
// SDK clients against the fake Azure on loopback), so "no request was made" is read from the
// fake's own request log rather than from a stub of our code.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allRegions, regionDisplayName } from "../../src/domain/regions.ts";
import type { RecordedRequest } from "../../src/fake-azure/server.ts";
import type { Outcome } from "../../src/reply/reply.ts";
import { cliRequest, type DemoHarness, startDemoApp } from "../support/demo-app.ts";
import { runCommand, verbs } from "../support/router.ts";

let h: DemoHarness;
beforeAll(async () => {
  h = await startDemoApp({ env: { GPUOPS_REGIONS: "eastus,swedencentral,westus", GPUOPS_AZURE_MAX_RETRIES: "0" } });
});
afterAll(async () => h?.close());

const OUTCOMES: Outcome[] = ["ok", "partial", "user_error", "azure_error"];
const KNOWN = new Set(allRegions());
const isComputeCall = (r: RecordedRequest) => /\/providers\/Microsoft\.Compute\/(skus|locations\/[^/]+\/usages)$/i.test(r.path);

/** Every Compute call the fake saw names a known region in the one allowed filter shape. */
function expectOnlySafeComputeCalls(requests: RecordedRequest[]): void {
  for (const r of requests.filter(isComputeCall)) {
    if (r.path.endsWith("/skus")) {
      const m = /^location eq '([a-z0-9]+)'$/.exec(r.query.$filter ?? "");
      expect(m, `unfiltered or odd filter: ${r.query.$filter}`).not.toBeNull();
      expect(KNOWN.has(m?.[1] as string)).toBe(true);
    } else {
      const region = /\/locations\/([^/]+)\/usages$/.exec(r.path)?.[1] as string;
      expect(KNOWN.has(region), region).toBe(true);
    }
  }
}

function expectReply(r: unknown): void {
  expect(r).toMatchObject({ title: expect.any(String), parts: expect.any(Array), context: expect.any(Array) });
  const reply = r as { outcome: Outcome; title: string; parts: unknown[] };
  expect(OUTCOMES).toContain(reply.outcome);
  expect(reply.title.length).toBeGreaterThan(0);
  expect(reply.parts.length).toBeGreaterThan(0);
  // Never a stack trace in an answer.
  expect(JSON.stringify(r)).not.toMatch(/\bat .+\.ts:\d+|TypeError|ReferenceError|undefined is not/);
}

const verbNames = verbs().map((v) => v.name);
const words = fc.constantFrom(...verbNames, "eastus", "East US", "swedencentral", "a100", "h100 nvl", "NC24ads_A100_v4", "8", "'", '"', "--json", "what is", "?", "vs");
const commandish = fc.oneof(
  fc.string({ maxLength: 120 }),
  fc.string({ unit: "grapheme", maxLength: 60 }),
  fc.array(words, { maxLength: 6 }).map((w) => w.join(" ")),
  fc.tuple(fc.constantFrom(...verbNames), fc.string({ maxLength: 80 })).map(([v, s]) => `${v} ${s}`),
  fc.tuple(fc.constantFrom("/gpu ", "gpu ", "@gpuops "), fc.array(words, { maxLength: 4 })).map(([p, w]) => p + w.join(" ")),
);

describe("runCommand on any text", () => {
  it("always answers with a Reply, never throws, and only ever sends filter-safe Compute calls", async () => {
    await fc.assert(
      fc.asyncProperty(commandish, async (text) => {
        const before = h.fake.requests.length;
        const r = await runCommand(cliRequest(text), h.app.context());
        expectReply(r);
        expectOnlySafeComputeCalls(h.fake.requests.slice(before));
      }),
      { numRuns: 150 },
    );
  });
});

describe("user text aimed at an OData filter", () => {
  const attacks = [
    "skus eastus' or 1 eq 1",
    "skus eastus' or '1'='1",
    'skus "eastus\' or 1 eq 1"',
    "skus 'eastus'' or 1 eq 1'",
    "quota westus' or 1 eq 1",
    "quota westus' or '1'='1 a100",
    "skus eastus') or (1 eq 1",
    "skus location eq 'eastus'",
    "/gpu skus East US' or 1 eq 1",
    // A quote that looks like a possessive is still not a region: found by the property below.
    "skus Central US'S",
    "quota central us's",
    "skus eastus's",
  ];

  it.each(attacks)("%j is refused as a user error before any request", async (text) => {
    const before = h.fake.requests.length;
    const r = await runCommand(cliRequest(text), h.app.context());
    expect(r.outcome).toBe("user_error");
    expect(r.code).toMatch(/^unknown_(region|gpu)$/);
    expect(JSON.stringify(r.parts)).toContain("Try:");
    expect(h.fake.requests.slice(before).filter(isComputeCall)).toEqual([]);
  });

  it("property: a region name with a quote and anything after it is refused before any request", async () => {
    const region = fc.constantFrom(...allRegions()).chain((r) => fc.constantFrom(r, regionDisplayName(r), regionDisplayName(r).toLowerCase()));
    const tail = fc.oneof(fc.string({ maxLength: 40 }), fc.constantFrom(" or 1 eq 1", " or '1'='1", "' or true", ")", " and name eq 'x'"));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom("skus", "quota"), region, fc.constantFrom("'", "%27", "\\'", "''"), tail, async (verb, reg, quote, rest) => {
        const before = h.fake.requests.length;
        const r = await runCommand(cliRequest(`${verb} ${reg}${quote}${rest}`), h.app.context());
        expect(r.outcome).toBe("user_error");
        expect(h.fake.requests.slice(before).filter(isComputeCall)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it("the same region without the quote does reach Azure, with the filter built from the ARM name", async () => {
    const before = h.fake.requests.length;
    // japaneast is not a configured region, so nothing above has cached it.
    const r = await runCommand(cliRequest("skus Japan East a100"), h.app.context());
    expect(r.outcome).toBe("ok");
    const calls = h.fake.requests.slice(before).filter(isComputeCall);
    // One Resource SKUs call per subscription in scope, each filtered on the ARM name.
    expect(calls.map((c) => c.query.$filter)).toEqual(h.fake.tenant.subscriptions.map(() => "location eq 'japaneast'"));
  });
});
