// List prices through the Retail Prices API (public, no auth) with our client factory's policies,
// against the fake Azure over HTTPS: paging, which rows count as the list price, currency,
// the day-long cache (memory and store), and "no list price".
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { afterEach, describe, expect, it } from "vitest";
import { createPriceAdapter, isPayAsYouGoLinux } from "../../src/azure/retail-prices.ts";
import { createDemoFleet, listPriceUsd } from "../../src/fake-azure/demo-fleet.ts";
import type { RecordedRequest } from "../../src/fake-azure/server.ts";
import { openStore, type Store } from "../../src/store/store.ts";
import { type DemoHarness, startDemoApp } from "../support/demo-app.ts";

let clock = new Date("2026-03-16T15:00:00Z");
const open: DemoHarness[] = [];
const stores: Store[] = [];
async function demo(env: Record<string, string> = {}): Promise<DemoHarness> {
  const h = await startDemoApp({ env, now: () => clock, fake: { fleet: createDemoFleet({ now: () => clock }) } });
  open.push(h);
  return h;
}
afterEach(async () => {
  clock = new Date("2026-03-16T15:00:00Z");
  await Promise.all(open.splice(0).map((h) => h.close()));
  await Promise.all(stores.splice(0).map((s) => s.close()));
});

const priceCalls = (rs: RecordedRequest[]) => rs.filter((r) => r.path === "/api/retail/prices");

/** A plain GET to the fake (no token: the API is public), raw text back. */
function rawGet(h: DemoHarness, pathAndQuery: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(`${h.fake.url}${pathAndQuery}`, { ca: h.fake.ca }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("Retail Prices", () => {
  it("follows NextPageLink through every page and keeps only the pay-as-you-go Linux row", async () => {
    const h = await demo();
    h.fake.fleet.knobs.pricePageSize = 7;
    const items = h.fake.fleet.prices.filter((p) => p.armRegionName === "eastus" && p.type === "Consumption");
    const prices = createPriceAdapter(h.app.azure, { baseUrl: h.fake.url, currency: "USD", now: () => clock });
    const p = await prices.hourlyPrice("Standard_NC24ads_A100_v4", "eastus");
    expect(p).toEqual({ known: true, perHour: listPriceUsd("Standard_NC24ads_A100_v4", "eastus"), currency: "USD" });
    const calls = priceCalls(h.fake.requests);
    expect(calls).toHaveLength(Math.ceil(items.length / 7));
    expect(calls.map((c) => c.query.$skip ?? "0")).toEqual(calls.map((_, i) => String(i * 7)));
    expect(calls[0]?.query.$filter).toBe("serviceName eq 'Virtual Machines' and armRegionName eq 'eastus' and priceType eq 'Consumption'");
    // Spot, Low Priority and Windows rows are cheaper or dearer; none of them may be the answer.
    const others = items.filter((i) => i.armSkuName === "Standard_NC24ads_A100_v4" && !isPayAsYouGoLinux(i)).map((i) => i.retailPrice);
    expect(others.length).toBe(3);
    expect(others).not.toContain((p as { perHour: number }).perHour);
    expect(h.app.azure.counters()["127.0.0.1/api/retail"]?.calls).toBe(calls.length);
  });

  it("asks for the configured currency and shows the currency returned", async () => {
    const h = await demo({ GPUOPS_CURRENCY: "EUR" });
    const p = await h.app.services.prices.hourlyPrice("Standard_NC4as_T4_v3", "westeurope");
    expect(p.known && p.currency).toBe("EUR");
    expect(p.known && p.perHour).toBeCloseTo((listPriceUsd("Standard_NC4as_T4_v3", "westeurope") ?? 0) * 0.92, 6);
    expect(priceCalls(h.fake.requests)[0]?.query.currencyCode).toBe("'EUR'");
  });

  it("says 'no list price' for a size Azure publishes none for, never 0", async () => {
    const h = await demo();
    const p = await h.app.services.prices.hourlyPrice("Standard_NC128ds_xl_RTXPRO6000BSE_v6", "westus2");
    expect(p.known).toBe(false);
    expect(p).not.toHaveProperty("perHour");
  });

  it("caches a region for a day, in memory and in the store, and shares one fetch between askers", async () => {
    const h = await demo();
    const store = await openStore({ dataDir: ":memory:" });
    stores.push(store);
    const a = createPriceAdapter(h.app.azure, { baseUrl: h.fake.url, currency: "USD", store, now: () => clock });
    await Promise.all([a.hourlyPrice("Standard_NC24ads_A100_v4", "eastus"), a.hourlyPrice("Standard_NC40ads_H100_v5", "eastus")]);
    const first = priceCalls(h.fake.requests).length;
    expect(first).toBeGreaterThan(0);
    await a.hourlyPrice("Standard_ND96isr_H100_v5", "eastus");
    // Another replica (a new adapter on the same store) reads the store, not Azure.
    const b = createPriceAdapter(h.app.azure, { baseUrl: h.fake.url, currency: "USD", store, now: () => clock });
    expect(await b.hourlyPrice("Standard_ND96isr_H100_v5", "eastus")).toMatchObject({ known: true, perHour: listPriceUsd("Standard_ND96isr_H100_v5", "eastus") });
    expect(priceCalls(h.fake.requests)).toHaveLength(first);
    // A day later the prices are fetched again.
    clock = new Date(clock.getTime() + 86_400_000 + 1000);
    await b.hourlyPrice("Standard_ND96isr_H100_v5", "eastus");
    expect(priceCalls(h.fake.requests).length).toBeGreaterThan(first);
  });

  it("retries a 503 from the prices API and still answers", async () => {
    const h = await demo();
    h.fake.addFault({ match: "/api/retail/prices", status: 503, times: 1 });
    const p = await h.app.services.prices.hourlyPrice("Standard_NV36ads_A10_v5", "eastus");
    expect(p.known).toBe(true);
    expect(h.app.azure.counters()["127.0.0.1/api/retail"]?.retries).toBe(1);
  });

  it("answers with items carrying the documented fields, in the documented envelope", async () => {
    const h = await demo();
    const sample = JSON.parse(readFileSync(new URL("../../src/fake-azure/seed/docs-2021.retail-prices-sample-items.json", import.meta.url), "utf8")) as Array<
      Record<string, unknown>
    >;
    const documented = new Set(sample.flatMap((i) => Object.keys(i)));
    const required = Object.keys(sample[0] as object).filter((k) => sample.every((i) => k in i));
    const body = JSON.parse(await rawGet(h, `/api/retail/prices?$filter=${encodeURIComponent("armRegionName eq 'eastus'")}`)) as { Items: Array<Record<string, unknown>> };
    expect(Object.keys(body).sort()).toEqual(["BillingCurrency", "Count", "CustomerEntityId", "CustomerEntityType", "Items", "NextPageLink"]);
    expect(body.Items.length).toBeGreaterThan(0);
    for (const item of body.Items) {
      for (const k of Object.keys(item)) expect(documented).toContain(k);
      for (const k of required) expect(item).toHaveProperty(k);
    }
  });

  it("refuses a region that is not an ARM name before building a filter", async () => {
    const h = await demo();
    await expect(h.app.services.prices.hourlyPrice("Standard_NC4as_T4_v3", "eastus' or 1 eq 1")).rejects.toThrow(/unsafe region/);
    expect(priceCalls(h.fake.requests)).toHaveLength(0);
  });
});
