// The fleet inventory through the real @azure/arm-resourcegraph client, built by our client
// factory, against the fake Resource Graph over HTTPS: one paged query, batching, quota pacing,
// trimmed subscriptions, management groups, and the `running` command on top.
import { readFileSync } from "node:fs";
import { request } from "node:https";
import { afterEach, describe, expect, it } from "vitest";
import { createFleetAdapter, GPU_INVENTORY_QUERY, resolveManagementGroupSubscriptions } from "../../src/azure/resource-graph.ts";
import { createScope } from "../../src/azure/scope.ts";
import { GpuopsError } from "../../src/errors.ts";
import { type ArmResource, createBigFleet, createDemoFleet, listPriceUsd } from "../../src/fake-azure/demo-fleet.ts";
import type { RecordedRequest } from "../../src/fake-azure/server.ts";
import type { Reply, TablePart, TextPart } from "../../src/reply/reply.ts";
import { cliRequest, type DemoHarness, startDemoApp } from "../support/demo-app.ts";
import { runCommand } from "../support/router.ts";

const NOW = new Date("2026-03-16T15:00:00Z");
const open: DemoHarness[] = [];
async function demo(opts: Parameters<typeof startDemoApp>[0] = {}): Promise<DemoHarness> {
  const h = await startDemoApp({ now: () => NOW, ...opts, fake: { fleet: createDemoFleet({ now: () => NOW }), ...opts.fake } });
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

const graphCalls = (rs: RecordedRequest[]) => rs.filter((r) => r.method === "POST" && /\/providers\/Microsoft\.ResourceGraph\/resources$/i.test(r.path));
const subs = (h: DemoHarness) => h.fake.tenant.subscriptions.map((s) => s.id);
const sizeOf = (r: ArmResource) => (r.type.endsWith("virtualmachines") ? (r.properties.hardwareProfile as { vmSize: string }).vmSize : (r.sku?.name ?? ""));

/** What the inventory must hold, counted straight from the fake's ARM records. */
function expectedIds(resources: ArmResource[], inSubs: string[]): string[] {
  const ids: string[] = [];
  for (const r of resources) {
    if (!inSubs.includes(r.subscriptionId)) continue;
    if (r.type === "microsoft.containerservice/managedclusters") {
      for (const p of r.properties.agentPoolProfiles as Array<{ name: string; vmSize: string }>) if (p.vmSize.startsWith("Standard_N")) ids.push(`${r.id}/agentPools/${p.name}`);
    } else if (sizeOf(r).startsWith("Standard_N") && r.tags["aks-managed-poolName"] === undefined) ids.push(r.id);
  }
  return ids.sort();
}

const textOf = (r: Reply) =>
  r.parts
    .filter((p): p is TextPart => p.kind === "text")
    .map((p) => p.text)
    .join("\n");
const tableOf = (r: Reply) => r.parts.find((p): p is TablePart => p.kind === "table");

describe("GPU inventory from Resource Graph", () => {
  it("reads three pages with $skipToken and loses no row", async () => {
    const h = await demo();
    const all = expectedIds(h.fake.fleet.resources, subs(h));
    // Three subscription rows ride along with the resources; a page of a third of that makes three pages.
    h.fake.fleet.knobs.graphMaxPage = Math.ceil((all.length + 3) / 3);
    const fleet = createFleetAdapter(h.app.azure, { ttlSeconds: 0 });
    const inv = await fleet.gpuInventory(subs(h));
    expect(inv.resources.map((r) => r.id).sort()).toEqual(all);
    expect(new Set(inv.resources.map((r) => r.id)).size).toBe(inv.resources.length);
    expect(inv.missing).toEqual([]);
    const calls = graphCalls(h.fake.requests);
    expect(calls).toHaveLength(3);
    const bodies = calls.map((c) => c.body as { query: string; subscriptions: string[]; options: Record<string, unknown> });
    expect(bodies.every((b) => b.query === GPU_INVENTORY_QUERY)).toBe(true);
    expect(bodies[0]?.options.$top).toBe(1000);
    expect(bodies[0]?.options.$skipToken).toBeUndefined();
    expect(typeof bodies[1]?.options.$skipToken).toBe("string");
    expect(bodies[2]?.options.$skipToken).not.toBe(bodies[1]?.options.$skipToken);
    expect(bodies[0]?.subscriptions.sort()).toEqual([...subs(h)].sort());
  });

  it("recognises GPU VMs, scale sets and AKS GPU pools, and skips CPU VMs and AKS's own scale sets", async () => {
    const h = await demo();
    const inv = await h.app.services.fleet.gpuInventory(subs(h));
    expect(inv.resources.every((r) => /^Standard_N/.test(r.size))).toBe(true);
    expect(inv.resources.some((r) => /^MC_/i.test(r.resourceGroup))).toBe(false);
    const kinds = new Set(inv.resources.map((r) => r.kind));
    expect(kinds).toEqual(new Set(["vm", "vmss", "aks-pool"]));
    const pool = inv.resources.find((r) => r.name === "aks-infer-eus/gpua100");
    expect(pool).toMatchObject({ kind: "aks-pool", size: "Standard_NC24ads_A100_v4", instances: 6, powerState: "running", region: "eastus" });
    expect(inv.resources.find((r) => r.name === "aks-infer-eus/gput4")?.powerState).toBe("deallocated");
    expect(inv.resources.find((r) => r.name === "vmss-sweep-a100")).toMatchObject({ kind: "vmss", instances: 0, powerState: "deallocated" });
    const states = new Set(inv.resources.map((r) => r.powerState));
    for (const s of ["running", "deallocated", "stopped", "unknown"]) expect(states).toContain(s);
    const vm = inv.resources.find((r) => r.kind === "vm" && r.owner && r.team && r.costCenter);
    expect(vm?.owner).toMatch(/@contoso\.com$/);
    expect(vm?.costCenter).toMatch(/^CC-\d{4}$/);
    expect(vm?.createdAt).toMatch(/^\d{4}-\d{2}-\d{2}T/);
  });

  it("waits for the user quota to reset instead of being throttled", async () => {
    const h = await demo();
    const all = expectedIds(h.fake.fleet.resources, subs(h));
    h.fake.fleet.knobs.graphMaxPage = Math.ceil((all.length + 3) / 3);
    h.fake.fleet.knobs.graphQuota = { perWindow: 2, windowMs: 1200 };
    const waits: number[] = [];
    const fleet = createFleetAdapter(h.app.azure, {
      ttlSeconds: 0,
      sleep: async (ms) => {
        waits.push(ms);
        await new Promise((r) => setTimeout(r, ms));
      },
    });
    const inv = await fleet.gpuInventory(subs(h));
    expect(inv.resources).toHaveLength(all.length);
    expect(waits).toHaveLength(1);
    expect(waits[0]).toBeGreaterThanOrEqual(1000);
    expect(h.app.azure.counters()["Microsoft.ResourceGraph/resources"]?.throttled ?? 0).toBe(0);
  });

  it("waits out a 429 that says when the quota resets, and still answers", async () => {
    const h = await demo();
    h.fake.addFault({
      match: "/providers/Microsoft.ResourceGraph/resources",
      status: 429,
      headers: { "x-ms-user-quota-remaining": "0", "x-ms-user-quota-resets-after": "00:00:01" },
      times: 1,
    });
    const started = Date.now();
    const inv = await createFleetAdapter(h.app.azure, { ttlSeconds: 0 }).gpuInventory(subs(h));
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(inv.resources.map((r) => r.id).sort()).toEqual(expectedIds(h.fake.fleet.resources, subs(h)));
    const c = h.app.azure.counters()["Microsoft.ResourceGraph/resources"];
    expect(c?.throttled).toBe(1);
    expect(c?.retries).toBe(1);
  });

  it("covers the readable subscriptions and names the unreadable one with the Reader role", async () => {
    const h = await demo();
    const [a, b, c] = subs(h) as [string, string, string];
    h.fake.fleet.knobs.forbiddenGraph.add(b);
    const inv = await createFleetAdapter(h.app.azure, { ttlSeconds: 0 }).gpuInventory([a, b, c]);
    expect(inv.missing).toEqual([{ subscriptionId: b, reason: expect.stringContaining("not visible"), role: "Reader" }]);
    expect(inv.resources.map((r) => r.id).sort()).toEqual(expectedIds(h.fake.fleet.resources, [a, c]));

    const r = await runCommand(cliRequest("running"), h.app.context());
    expect(r.outcome).toBe("partial");
    const note = r.context.find((x) => x.includes(b)) ?? "";
    expect(note).toContain("ml-research-dev");
    expect(note).toContain("Reader");
    expect(tableOf(r)?.rows.some((row) => row.subscription === "ml-research-dev")).toBe(false);
  });

  it("says which subscriptions are missing when Resource Graph refuses a whole batch", async () => {
    const h = await demo();
    const [a] = subs(h) as [string];
    h.fake.fleet.knobs.forbiddenGraph.add(a);
    const inv = await createFleetAdapter(h.app.azure, { ttlSeconds: 0 }).gpuInventory([a]);
    expect(inv.resources).toEqual([]);
    expect(inv.missing).toEqual([{ subscriptionId: a, reason: expect.stringContaining("403"), role: "Reader" }]);
  });

  it("batches subscriptions, fewer than 300 per query", async () => {
    const big = createBigFleet({ subscriptions: 600, vms: 1800, gpuVms: 90, now: () => NOW });
    const h = await demo({ fake: { fleet: big } });
    const ids = big.subscriptions.map((s) => s.id);
    const inv = await createFleetAdapter(h.app.azure, { ttlSeconds: 0 }).gpuInventory(ids);
    expect(inv.resources).toHaveLength(90);
    expect(inv.missing).toEqual([]);
    const calls = graphCalls(h.fake.requests);
    expect(calls).toHaveLength(3);
    const sent = calls.flatMap((c) => (c.body as { subscriptions: string[] }).subscriptions);
    expect(calls.every((c) => (c.body as { subscriptions: string[] }).subscriptions.length < 300)).toBe(true);
    expect(new Set(sent)).toEqual(new Set(ids));
  });

  it("shares one inventory between concurrent askers", async () => {
    const h = await demo();
    await Promise.all([h.app.services.fleet.gpuInventory(subs(h)), h.app.services.fleet.gpuInventory([...subs(h)].reverse())]);
    await h.app.services.fleet.gpuInventory(subs(h));
    expect(graphCalls(h.fake.requests)).toHaveLength(1);
  });
});

describe("wire format", () => {
  /** One raw POST with the bearer token, like the SDK's: status, headers and text. */
  function rawPost(h: DemoHarness, path: string, body: unknown): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
    return new Promise((resolve, reject) => {
      const req = request(
        `${h.fake.url}${path}`,
        { method: "POST", ca: h.fake.ca, headers: { authorization: `Bearer ${h.fake.token}`, "content-type": "application/json" } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
        },
      );
      req.on("error", reject);
      req.end(JSON.stringify(body));
    });
  }

  it("Resource Graph pages look like the recorded ones: keys, resultTruncated as a string, base64 JSON $skipToken, quota headers", async () => {
    const h = await demo();
    const recorded = JSON.parse(readFileSync(new URL("../../src/fake-azure/seed/recording-2021-03-01.resources-skiptoken-page.json", import.meta.url), "utf8")) as {
      responses: { "200": { headers: Record<string, string>; body: Record<string, unknown> } };
    };
    h.fake.fleet.knobs.graphMaxPage = 10;
    const res = await rawPost(h, "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01", {
      subscriptions: subs(h),
      query: GPU_INVENTORY_QUERY,
      options: { $top: 1000, resultFormat: "objectArray" },
    });
    expect(res.status).toBe(200);
    const body = JSON.parse(res.text) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(Object.keys(recorded.responses["200"].body).sort());
    expect(body.resultTruncated).toBe("false");
    expect(body.count).toBe(10);
    const token = JSON.parse(Buffer.from(body.$skipToken as string, "base64").toString("utf8")) as Record<string, unknown>;
    const recordedToken = JSON.parse(Buffer.from(recorded.responses["200"].body.$skipToken as string, "base64").toString("utf8")) as Record<string, unknown>;
    expect(Object.keys(token).sort()).toEqual(Object.keys(recordedToken).sort());
    for (const name of ["x-ms-user-quota-remaining", "x-ms-user-quota-resets-after", "x-ms-ratelimit-remaining-tenant-resource-requests"]) {
      expect(recorded.responses["200"].headers[name]).toBeDefined();
      expect(res.headers[name]).toMatch(name.endsWith("after") ? /^\d{2}:\d{2}:\d{2}$/ : /^\d+$/);
    }
  });

  it("a query the fake does not know gets the recorded InvalidQuery answer", async () => {
    const h = await demo();
    const res = await rawPost(h, "/providers/Microsoft.ResourceGraph/resources?api-version=2024-04-01", { subscriptions: subs(h), query: "resources | where where" });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text).error.details[0].code).toBe("InvalidQuery");
  });

  it("the naive per-subscription VM listing answers in the ARM shape, with power states", async () => {
    const h = await demo();
    h.fake.fleet.knobs.vmListPageSize = 25;
    const spec = JSON.parse(readFileSync(new URL("../../src/fake-azure/seed/spec-2024-07-01.VirtualMachine_ListBySubscription_ByLocation.json", import.meta.url), "utf8")) as {
      responses: { "200": { body: { value: Array<Record<string, unknown>> } } };
    };
    const specKeys = new Set(Object.keys(spec.responses["200"].body.value[0] as object));
    const sub = subs(h)[0] as string;
    const vms = [];
    for await (const vm of h.app.azure.compute(sub).virtualMachines.listAll({ statusOnly: "true" })) vms.push(vm);
    const expected = h.fake.fleet.resources.filter((r) => r.subscriptionId === sub && r.type === "microsoft.compute/virtualmachines");
    expect(vms.map((v) => v.id).sort()).toEqual(expected.map((r) => r.id).sort());
    expect(h.fake.requests.filter((r) => r.path.endsWith("/virtualMachines"))).toHaveLength(Math.ceil(expected.length / 25));
    const raw = h.fake.fleet.resources.find((r) => r.subscriptionId === sub && r.type === "microsoft.compute/virtualmachines") as ArmResource;
    for (const k of ["id", "name", "type", "location", "tags", "properties"]) expect(specKeys).toContain(k);
    const got = vms.find((v) => v.id === raw.id);
    expect(got?.hardwareProfile?.vmSize).toBe(sizeOf(raw));
    expect(got?.instanceView?.statuses?.some((s) => s.code?.startsWith("PowerState/"))).toBe(true);
  });
});

describe("management group scope", () => {
  it("resolves a management group's subscriptions from resourcecontainers", async () => {
    const h = await demo();
    const scope = createScope({ subscriptionIds: [], managementGroup: "mg-ai-platform", resolveManagementGroup: (g) => resolveManagementGroupSubscriptions(h.app.azure, g) });
    const found = await scope.subscriptions();
    expect(found.map((s) => s.id).sort()).toEqual([...subs(h)].sort());
    expect(found.map((s) => s.name).sort()).toEqual(["ai-platform-prod", "inference-prod", "ml-research-dev"]);
    const body = graphCalls(h.fake.requests)[0]?.body as { managementGroups?: string[] };
    expect(body.managementGroups).toEqual(["mg-ai-platform"]);
  });

  it("an unknown management group is a clear permission error", async () => {
    const h = await demo();
    const err = await resolveManagementGroupSubscriptions(h.app.azure, "mg-nope").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(GpuopsError);
    expect((err as GpuopsError).code).toBe("azure_forbidden");
    expect((err as GpuopsError).message).toContain("Reader");
  });
});

describe("running", () => {
  it("lists running GPU VMs with their list price per hour and the total", async () => {
    const h = await demo();
    const r = await runCommand(cliRequest("running"), h.app.context());
    expect(r.outcome).toBe("ok");
    const inv = await h.app.services.fleet.gpuInventory(subs(h));
    // Starting VMs bill from start-up, so they are counted.
    const running = inv.resources.filter((x) => (x.powerState === "running" || x.powerState === "starting") && x.instances > 0);
    const vms = running.reduce((n, x) => n + x.instances, 0);
    const expected = running.reduce((sum, x) => sum + (listPriceUsd(x.size, x.region) ?? 0) * x.instances, 0);
    const m = /^(\d+) GPU VMs running ≈ \$([\d,]+)\/h now/.exec(textOf(r));
    expect(m).not.toBeNull();
    expect(Number(m?.[1])).toBe(vms);
    expect(Number(m?.[2]?.replace(/,/g, ""))).toBe(Math.round(expected));
    const rows = tableOf(r)?.rows ?? [];
    expect(rows).toHaveLength(running.length);
    const pool = rows.find((row) => row.name === "aks-infer-eus/gpua100");
    expect(pool?.price).toBe(`$${((listPriceUsd("Standard_NC24ads_A100_v4", "eastus") ?? 0) * 6).toFixed(2)}/h`);
    expect(pool?.kind).toBe("AKS pool × 6");
  });

  it("shows a size without a list price as unknown, never $0, and leaves it out of the total", async () => {
    const h = await demo();
    const r = await runCommand(cliRequest("running westus2"), h.app.context());
    const rtx = tableOf(r)?.rows.filter((row) => row.size?.startsWith("NC128ds_xl_RTXPRO6000BSE")) ?? [];
    expect(rtx.length).toBeGreaterThan(0);
    expect(rtx.every((row) => row.price === "no list price")).toBe(true);
    expect(textOf(r)).toMatch(/\+ \d+ without a list price, not counted/);
    expect(JSON.stringify(r)).not.toContain("$0.00/h");
  });

  it("filters by region, GPU and tag, and names stopped-but-billed VMs", async () => {
    const h = await demo();
    const t4 = await runCommand(cliRequest("running west us 2 t4"), h.app.context());
    const rows = tableOf(t4)?.rows ?? [];
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((row) => row.region === "westus2" && /T4/.test(row.size ?? ""))).toBe(true);

    const research = await runCommand(cliRequest("running tag:team=research"), h.app.context());
    const inv = await h.app.services.fleet.gpuInventory(subs(h));
    const expected = inv.resources
      .filter((x) => (x.powerState === "running" || x.powerState === "starting") && x.instances > 0 && x.team === "research")
      .map((x) => (x.powerState === "starting" ? `${x.name} (starting)` : x.name));
    expect((tableOf(research)?.rows ?? []).map((row) => row.name).sort()).toEqual(expected.sort());

    const stopped = inv.resources.filter((x) => x.powerState === "stopped");
    const all = await runCommand(cliRequest("running"), h.app.context());
    expect(textOf(all)).toContain(`${stopped.length} GPU VMs are stopped but still allocated, so still billed`);
  });

  it("refuses a malformed tag filter with an example, and never queries Azure for it", async () => {
    const h = await demo();
    const before = h.fake.requests.length;
    for (const text of ["running tag:te$am=x", "running tag:team", "running tag:team=a'b", "running mars"]) {
      const r = await runCommand(cliRequest(text), h.app.context());
      expect(r.outcome).toBe("user_error");
      expect(textOf(r)).toContain("Try: running");
    }
    expect(h.fake.requests.length).toBe(before);
  });
});
