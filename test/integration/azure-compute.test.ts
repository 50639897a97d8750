// The real @azure/arm-compute client, built by our client factory, against the fake Azure over
// HTTPS on loopback: paging, the location filter, throttling, faults, auth and the concurrency limit.
import { readFileSync } from "node:fs";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { createAzureAccess, retryAfterMs } from "../../src/azure/client-factory.ts";
import { GpuopsError } from "../../src/errors.ts";
import type { RawSku } from "../../src/fake-azure/demo-tenant.ts";
import type { RecordedRequest } from "../../src/fake-azure/server.ts";
import type { TablePart } from "../../src/reply/reply.ts";
import { cliRequest, type DemoHarness, startDemoApp } from "../support/demo-app.ts";
import { runCommand } from "../support/router.ts";

const SWEDEN: RawSku[] = JSON.parse(readFileSync(new URL("../../src/fake-azure/seed/resource-skus.swedencentral-gpu.az-cli-2025.json", import.meta.url), "utf8"));
const SWEDEN_VMS = SWEDEN.filter((s) => s.resourceType === "virtualMachines").map((s) => s.name);

const open: DemoHarness[] = [];
async function demo(opts: Parameters<typeof startDemoApp>[0] = {}): Promise<DemoHarness> {
  const h = await startDemoApp(opts);
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

const skuCalls = (rs: RecordedRequest[]) => rs.filter((r) => /\/providers\/Microsoft\.Compute\/skus$/i.test(r.path));
const usageCalls = (rs: RecordedRequest[]) => rs.filter((r) => /\/providers\/Microsoft\.Compute\/locations\/[^/]+\/usages$/i.test(r.path));
/** Matches the Resource SKUs request for one region, however the query string is encoded. */
const skusFor = (region: string) => new RegExp(`/providers/Microsoft\\.Compute/skus\\?.*(%27|')${region}(%27|')`, "i");
const sub = (h: DemoHarness) => (h.fake.tenant.subscriptions[0] as { id: string }).id;
const tableOf = (parts: unknown[]) => parts.find((p): p is TablePart => (p as { kind: string }).kind === "table");

async function rejection(p: Promise<unknown>): Promise<GpuopsError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(GpuopsError);
    return err as GpuopsError;
  }
  throw new Error("expected a rejection");
}

describe("Resource SKUs through @azure/arm-compute", () => {
  it("follows nextLink page by page and loses no SKU", async () => {
    const h = await demo({ fake: { pageSize: 4 } });
    const skus = await h.app.services.skus.listVmSkus(sub(h), "swedencentral");
    expect(skus.map((s) => s.name).sort()).toEqual([...SWEDEN_VMS].sort());
    const calls = skuCalls(h.fake.requests);
    expect(calls).toHaveLength(Math.ceil(SWEDEN.length / 4));
    expect(calls.map((c) => c.query.$skiptoken ?? "0")).toEqual(calls.map((_, i) => String(i * 4)));
    expect(h.app.azure.counters()["Microsoft.Compute/skus"]?.calls).toBe(calls.length);
  });

  it("keeps the real restrictions, zones and capabilities of each SKU", async () => {
    const h = await demo({ fake: { pageSize: 5 } });
    const skus = await h.app.services.skus.listVmSkus(sub(h), "swedencentral");
    const h100 = skus.find((s) => s.name === "Standard_ND96isr_H100_v5");
    const raw = SWEDEN.find((s) => s.name === "Standard_ND96isr_H100_v5") as RawSku;
    expect(h100?.family).toBe(raw.family);
    expect(h100?.zones).toEqual([...(raw.locationInfo[0]?.zones ?? [])].sort());
    expect(h100?.restrictions).toEqual(raw.restrictions.map((r) => ({ type: r.type, reasonCode: r.reasonCode, zones: r.restrictionInfo.zones ?? [] })));
    expect(h100?.capabilities).toEqual(raw.capabilities);
  });

  it("always sends the location filter, on the first page and every nextLink", async () => {
    const h = await demo({ fake: { pageSize: 7 } });
    await Promise.all(["eastus", "westus2", "swedencentral", "japaneast"].map((r) => h.app.services.skus.listVmSkus(sub(h), r)));
    const calls = skuCalls(h.fake.requests);
    expect(calls.length).toBeGreaterThan(4);
    for (const c of calls) expect(c.query.$filter).toMatch(/^location eq '(eastus|westus2|swedencentral|japaneast)'$/);
  });

  it("caches per region and shares one in-flight call between concurrent askers", async () => {
    const h = await demo();
    const [a, b] = await Promise.all([h.app.services.skus.listVmSkus(sub(h), "eastus"), h.app.services.skus.listVmSkus(sub(h), "eastus")]);
    expect(a).toEqual(b);
    await h.app.services.skus.listVmSkus(sub(h), "eastus");
    expect(skuCalls(h.fake.requests)).toHaveLength(1);
    await h.app.services.skus.listVmSkus(sub(h), "westus");
    expect(skuCalls(h.fake.requests)).toHaveLength(2);
  });

  it("with GPUOPS_SKU_CACHE_TTL=0 asks Azure every time", async () => {
    const h = await demo({ env: { GPUOPS_SKU_CACHE_TTL: "0" } });
    await h.app.services.skus.listVmSkus(sub(h), "eastus");
    await h.app.services.skus.listVmSkus(sub(h), "eastus");
    expect(skuCalls(h.fake.requests)).toHaveLength(2);
  });

  it("refuses an unsafe region identifier without a request", async () => {
    const h = await demo();
    await expect(h.app.services.skus.listVmSkus(sub(h), "eastus' or 1 eq 1")).rejects.toThrow(/unsafe region/);
    await expect(h.app.services.usages.listUsages(sub(h), "westus' or '1'='1")).rejects.toThrow(/unsafe region/);
    expect(h.fake.requests).toHaveLength(0);
  });
});

describe("Compute usages through @azure/arm-compute", () => {
  it("returns every usage row of the region, the regional cap included", async () => {
    const h = await demo();
    const usages = await h.app.services.usages.listUsages(sub(h), "westus");
    const raw = h.fake.tenant.usages(sub(h), "westus") ?? [];
    expect(usages).toEqual(raw.map((u) => ({ name: u.name.value, localizedName: u.name.localizedValue, current: u.currentValue, limit: u.limit })));
    expect(usages.find((u) => u.name === "cores")?.localizedName).toBe("Total Regional vCPUs");
    expect(usageCalls(h.fake.requests).map((r) => r.path)).toEqual([`/subscriptions/${sub(h)}/providers/Microsoft.Compute/locations/westus/usages`]);
  });
});

describe("throttling", () => {
  it("429 with Retry-After: 1 is retried after waiting, and the answer still comes", async () => {
    const h = await demo();
    h.fake.addFault({ match: "/providers/Microsoft.Compute/skus", status: 429, headers: { "Retry-After": "1" }, times: 1 });
    const started = performance.now();
    const skus = await h.app.services.skus.listVmSkus(sub(h), "swedencentral");
    const elapsed = performance.now() - started;
    expect(skus).toHaveLength(SWEDEN_VMS.length);
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(h.app.azure.counters()["Microsoft.Compute/skus"]).toEqual({ calls: 2, errors: 1, throttled: 1, retries: 1 });
    expect(skuCalls(h.fake.requests)).toHaveLength(2);
  });

  it("503 with Retry-After is honoured the same way", async () => {
    const h = await demo();
    h.fake.addFault({ match: "/usages", status: 503, headers: { "Retry-After": "1" }, times: 1 });
    const started = performance.now();
    const usages = await h.app.services.usages.listUsages(sub(h), "westus");
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(usages.length).toBeGreaterThan(0);
    expect(h.app.azure.counters()["Microsoft.Compute/usages"]?.retries).toBe(1);
  });

  it("a Retry-After longer than GPUOPS_AZURE_MAX_RETRY_WAIT fails fast as azure_throttled", async () => {
    const h = await demo({ env: { GPUOPS_AZURE_MAX_RETRY_WAIT: "2" } });
    h.fake.addFault({ match: "/providers/Microsoft.Compute/skus", status: 429, headers: { "Retry-After": "30" } });
    const started = performance.now();
    const err = await rejection(h.app.services.skus.listVmSkus(sub(h), "swedencentral"));
    expect(performance.now() - started).toBeLessThan(1500);
    expect(err.code).toBe("azure_throttled");
    expect(err.message).toContain("try again in 30 s");
    expect(skuCalls(h.fake.requests)).toHaveLength(1);

    const r = await runCommand(cliRequest("skus swedencentral a100"), h.app.context());
    expect(r.outcome).toBe("azure_error");
    expect(r.code).toBe("azure_throttled");
    // skus asks every subscription in scope; each lookup is named with its subscription.
    expect(r.context.join("\n")).toMatch(/Missing \S+ in swedencentral .*throttling.*30 s/);
  });

  it("parses every throttling header form Azure uses", () => {
    const headers = (h: Record<string, string>) => ({ get: (n: string) => h[n] });
    expect(retryAfterMs(headers({ "retry-after": "7" }))).toBe(7000);
    expect(retryAfterMs(headers({ "retry-after-ms": "250" }))).toBe(250);
    expect(retryAfterMs(headers({ "x-ms-retry-after-ms": "1500" }))).toBe(1500);
    expect(retryAfterMs(headers({ "x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after": "12", "retry-after": "3" }))).toBe(12000);
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(retryAfterMs(headers({ "retry-after": "Thu, 01 Jan 2026 00:00:05 GMT" }), now)).toBe(5000);
    expect(retryAfterMs(headers({}))).toBeUndefined();
    expect(retryAfterMs(headers({ "retry-after": "soon" }))).toBeUndefined();
  });
});

describe("faults", () => {
  it("500 in one region: `skus` without a region is partial and names the missing region", async () => {
    const h = await demo({ env: { GPUOPS_REGIONS: "eastus,eastus2,swedencentral", GPUOPS_AZURE_MAX_RETRIES: "1" } });
    h.fake.addFault({ match: skusFor("eastus2"), status: 500 });
    const r = await runCommand(cliRequest("skus a100"), h.app.context());
    expect(r.outcome).toBe("partial");
    // Every subscription in scope is asked in every region: the fault hits each one's eastus2 lookup.
    const subs = h.fake.tenant.subscriptions.length;
    expect(r.context).toContain(`Partial answer: ${subs} of ${3 * subs} lookups failed.`);
    expect(r.context.filter((c) => /^Missing \S+ in eastus2 \(East US 2\):/.test(c) && c.includes("HTTP 500"))).toHaveLength(subs);
    const regions = new Set(tableOf(r.parts)?.rows.map((row) => row.region));
    expect(regions.has("eastus2")).toBe(false);
    expect(regions.has("swedencentral")).toBe(true);
    // The 500 was retried (it is transient) before giving up.
    expect(skuCalls(h.fake.requests).filter((c) => c.query.$filter === "location eq 'eastus2'")).toHaveLength(2 * subs);
  });

  it("500 in one region: `where` is partial too, and still ranks the rest", async () => {
    const h = await demo({ env: { GPUOPS_REGIONS: "eastus,westus2,swedencentral", GPUOPS_AZURE_MAX_RETRIES: "0" } });
    h.fake.addFault({ match: /\/locations\/westus2\/usages/, status: 500 });
    const r = await runCommand(cliRequest("where a100"), h.app.context());
    expect(r.outcome).toBe("partial");
    // Every subscription in scope is searched, so each one's lookup there is named.
    expect(r.context.some((c) => /^Missing \S+ in westus2 \(West US 2\):/.test(c))).toBe(true);
    const rows = tableOf(r.parts)?.rows ?? [];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.region !== "westus2")).toBe(true);
  });

  it("every region failing is an Azure error, not an empty answer", async () => {
    const h = await demo({ env: { GPUOPS_REGIONS: "eastus,swedencentral", GPUOPS_AZURE_MAX_RETRIES: "0" } });
    h.fake.addFault({ match: "/providers/Microsoft.Compute/skus", status: 500 });
    const r = await runCommand(cliRequest("skus"), h.app.context());
    expect(r.outcome).toBe("azure_error");
    expect(r.code).toBe("azure_unavailable");
    expect(JSON.stringify(r.parts)).toContain("Azure did not answer");
  });

  it("a 400 names Azure's error code, so the reader knows what was wrong", async () => {
    const h = await demo({ env: { GPUOPS_REGIONS: "eastus,swedencentral", GPUOPS_AZURE_MAX_RETRIES: "0" } });
    h.fake.addFault({
      match: /\/locations\/eastus\/usages/,
      status: 400,
      body: { error: { code: "NoRegisteredProviderFound", message: "No registered resource provider found for location 'eastus'." } },
    });
    const r = await runCommand(cliRequest("quota a100"), h.app.context());
    expect(r.outcome).toBe("partial");
    expect(
      r.context.filter((c) => c.startsWith("Missing ") && c.includes("in eastus: Azure Compute usages answered HTTP 400 (NoRegisteredProviderFound) for subscription")),
    ).toHaveLength(3);
  });

  it("a real region the demo does not seed answers like an empty subscription there, not with an error", async () => {
    const h = await demo();
    const r = await runCommand(cliRequest("quota brazilsouth"), h.app.context());
    expect(r.outcome).toBe("ok");
    const caps = r.parts.flatMap((p) => (p.kind === "facts" ? p.facts : []));
    expect(caps.map((f) => f.label)).toContain("ai-platform-prod · brazilsouth regional cap");
    const skus = await runCommand(cliRequest("skus brazilsouth"), h.app.context());
    expect(skus.outcome).toBe("ok");
    expect(JSON.stringify(skus.parts)).toContain("No GPU sizes are offered in brazilsouth (Brazil South) to this subscription.");
    expect(JSON.stringify(skus.parts)).toContain("brazilsouth is not one of the regions `where` searches");
  });

  it("a dropped connection on a GET is retried", async () => {
    const h = await demo();
    h.fake.addFault({ match: "/usages", drop: true, times: 1 });
    const usages = await h.app.services.usages.listUsages(sub(h), "westus");
    expect(usages.length).toBeGreaterThan(0);
    expect(h.app.azure.counters()["Microsoft.Compute/usages"]).toMatchObject({ calls: 2, errors: 1, retries: 1 });
  });

  it("a connection that keeps dropping becomes a readable 'could not reach' answer", async () => {
    const h = await demo({ env: { GPUOPS_AZURE_MAX_RETRIES: "1" } });
    h.fake.addFault({ match: "/providers/Microsoft.Compute/skus", drop: true });
    const r = await runCommand(cliRequest("skus swedencentral"), h.app.context());
    expect(r.outcome).toBe("azure_error");
    expect(r.code).toBe("azure_unavailable");
    expect(r.context.join("\n")).toContain("Could not reach Azure Resource SKUs");
  });

  it("a wrong token gets 401 and a readable answer that tells the operator what to fix", async () => {
    const h = await demo();
    const wrong = "wrong-token-do-not-print";
    const app = await createApp(h.config, { fake: { ...h.fake, token: wrong } });
    try {
      const r = await runCommand(cliRequest("skus swedencentral"), app.context());
      expect(r.outcome).toBe("azure_error");
      expect(r.code).toBe("azure_forbidden");
      expect(r.context.join("\n")).toMatch(/Reader role/);
      const text = JSON.stringify(r);
      expect(text).not.toContain(wrong);
      expect(text).not.toContain(h.fake.token);
      // Auth failures are not transient: one request per subscription in scope, no retry.
      const subs = h.fake.tenant.subscriptions.length;
      expect(app.azure.counters()["Microsoft.Compute/skus"]).toMatchObject({ calls: subs, errors: subs, retries: 0 });
    } finally {
      await app.close();
    }
  });
});

describe("per-host concurrency limit", () => {
  const regions = ["eastus", "eastus2", "westus", "westus2", "westus3", "swedencentral"];
  const LATENCY = 400;

  async function arrivals(concurrency: string): Promise<number[]> {
    const h = await demo({ env: { GPUOPS_AZURE_CONCURRENCY: concurrency } });
    h.fake.addFault({ match: "/providers/Microsoft.Compute/skus", latencyMs: LATENCY });
    await Promise.all(regions.map((r) => h.app.services.skus.listVmSkus(sub(h), r)));
    return skuCalls(h.fake.requests)
      .map((c) => c.at)
      .sort((a, b) => a - b);
  }

  it("with GPUOPS_AZURE_CONCURRENCY=2, no three requests are in flight at once", async () => {
    const limited = await arrivals("2");
    expect(limited).toHaveLength(regions.length);
    // A third request can only start after one of the two before it finished (>= LATENCY later).
    for (let i = 0; i + 2 < limited.length; i++) expect((limited[i + 2] as number) - (limited[i] as number)).toBeGreaterThanOrEqual(LATENCY - 40);
  });

  it("with the default limit the same requests do overlap (so the check above measures the limit)", async () => {
    const free = await arrivals("8");
    const spans = free.slice(2).map((t, i) => t - (free[i] as number));
    expect(Math.min(...spans)).toBeLessThan(LATENCY - 40);
  });
});

describe("clouds and endpoints", () => {
  it.each([
    ["public", "https://management.azure.com"],
    ["china", "https://management.chinacloudapi.cn"],
    ["usgov", "https://management.usgovcloudapi.net"],
  ] as const)("%s cloud talks to %s with that audience", (cloud, arm) => {
    const access = createAzureAccess({ cloud, concurrency: 1, maxRetries: 0, maxRetryWaitSeconds: 1 });
    expect(access.endpoint).toBe(arm);
    expect(access.clientOptions().credentialScopes).toEqual([`${arm}/.default`]);
  });

  it("GPUOPS_AZURE_URL overrides the endpoint for every client", () => {
    const access = createAzureAccess({ cloud: "public", url: "https://azurestack.local:4443/", token: "t", concurrency: 1, maxRetries: 0, maxRetryWaitSeconds: 1 });
    expect(access.endpoint).toBe("https://azurestack.local:4443");
    expect(access.clientOptions().endpoint).toBe("https://azurestack.local:4443");
  });
});
