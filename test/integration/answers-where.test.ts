// `where` and `skus` across every subscription in scope, checked against what the fake Azure serves
// each subscription (its Resource SKUs and usages), recomputed here rather than taken from the code.
import { afterEach, describe, expect, it } from "vitest";
import { findSize, GPU_SIZES } from "../../src/domain/gpu-catalogue.ts";
import type { RawSku, RawUsage } from "../../src/fake-azure/demo-tenant.ts";
import type { Reply, TablePart } from "../../src/reply/reply.ts";
import { cliRequest, type DemoHarness, startDemoApp } from "../support/demo-app.ts";
import { runCommand } from "../support/router.ts";

const NOW = new Date("2026-12-03T09:00:00Z");
const open: DemoHarness[] = [];
async function demo(opts: Parameters<typeof startDemoApp>[0] = {}): Promise<DemoHarness> {
  const h = await startDemoApp({ now: () => NOW, ...opts });
  open.push(h);
  return h;
}
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

const familyKey = (f: string) => f.toLowerCase().replace(/\s+/g, "");
const short = (name: string) => name.replace(/^Standard_/, "");
const tableOf = (r: Reply) => r.parts.find((p): p is TablePart => p.kind === "table");
const textOf = (r: Reply) =>
  r.parts
    .filter((p) => p.kind === "text")
    .map((p) => p.text)
    .join("\n");
const startable = (s: RawSku) => {
  if (s.restrictions.some((r) => r.type === "Location")) return false;
  const zones = s.locationInfo[0]?.zones ?? [];
  const blocked = new Set(s.restrictions.filter((r) => r.type === "Zone").flatMap((r) => r.restrictionInfo.zones ?? []));
  return zones.length === 0 || zones.some((z) => !blocked.has(z));
};

describe("where searches every subscription in scope", () => {
  it("`where h100 16` finds exactly the subscription × region × size combinations with room for 16 GPUs", async () => {
    const h = await demo();
    const h100 = new Set(GPU_SIZES.filter((s) => s.gpu.name.startsWith("H100")).map((s) => s.size));
    const expected: string[] = [];
    for (const sub of h.fake.tenant.subscriptions) {
      for (const region of h.config.regions) {
        const usages = h.fake.tenant.usages(sub.id, region) as RawUsage[];
        const cores = usages.find((u) => u.name.value === "cores") as RawUsage;
        for (const sku of h.fake.tenant.skus(region)) {
          const size = findSize(sku.name);
          if (!size || !h100.has(sku.name) || !startable(sku)) continue;
          const fam = usages.find((u) => familyKey(u.name.value) === familyKey(sku.family ?? ""));
          const free = Math.min(fam ? Math.max(0, fam.limit - fam.currentValue) : 0, Math.max(0, cores.limit - cores.currentValue));
          const vms = Math.ceil((16 * size.gpus.den) / size.gpus.num);
          if (vms * size.vcpus <= free) expected.push(`${sub.name}/${region}/${short(sku.name)}/fits ${vms} VMs`);
        }
      }
    }
    // The demo has room only outside the first subscription: the case one-subscription search missed.
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.every((e) => !e.startsWith(`${h.fake.tenant.subscriptions[0]?.name}/`))).toBe(true);

    const r = await runCommand(cliRequest("where h100 16"), h.app.context());
    expect(r.outcome).toBe("ok");
    const rows = tableOf(r)?.rows ?? [];
    const fitting = rows.filter((x) => x.fit?.startsWith("fits")).map((x) => `${x.subscription}/${x.region}/${x.size}/${x.fit}`);
    expect(fitting.sort()).toEqual(expected.sort());
    // Offers that fit come first, and the JSON data names each offer's subscription.
    expect(rows.slice(0, expected.length).every((x) => x.fit?.startsWith("fits"))).toBe(true);
    const offers = (r.data?.offers ?? []) as Array<{ subscription: string; subscriptionId: string; fits: boolean; headroomVms: number }>;
    expect(offers).toHaveLength(rows.length);
    expect(offers.filter((o) => o.fits)).toHaveLength(expected.length);
    for (const o of offers) expect(h.fake.tenant.subscriptions.find((s) => s.id === o.subscriptionId)?.name).toBe(o.subscription);
  });

  it("a partial search does not claim that none of the regions offers it", async () => {
    const h = await demo({ env: { GPUOPS_REGIONS: "swedencentral,eastus", GPUOPS_AZURE_MAX_RETRIES: "0" } });
    // The swedencentral recording has no H200 sizes; eastus is the only region that could answer.
    expect(h.fake.tenant.skus("swedencentral").some((s) => /H200/.test(s.name))).toBe(false);
    h.fake.addFault({ match: /\/providers\/Microsoft\.Compute\/skus\?.*eastus/i, status: 500 });
    const r = await runCommand(cliRequest("where h200"), h.app.context());
    expect(r.outcome).toBe("partial");
    expect(textOf(r)).not.toMatch(/None of the/);
    expect(textOf(r)).toContain("could not be read");
    expect(r.context.filter((c) => /^Missing \S+ in eastus \(East US\):/.test(c))).toHaveLength(h.fake.tenant.subscriptions.length);
  });

  it("Resource SKUs are read once per subscription and region, then cached", async () => {
    const h = await demo({ env: { GPUOPS_REGIONS: "swedencentral,eastus,westus" } });
    await runCommand(cliRequest("where a100"), h.app.context());
    await runCommand(cliRequest("where h100 16"), h.app.context());
    await runCommand(cliRequest("quota"), h.app.context());
    const firstPages = h.fake.requests.filter((q) => /\/providers\/Microsoft\.Compute\/skus$/i.test(q.path) && q.query.$skiptoken === undefined);
    const keys = firstPages.map((q) => `${q.path.split("/")[2]}|${q.query.$filter}`);
    expect(new Set(keys).size).toBe(h.fake.tenant.subscriptions.length * 3);
    expect(keys).toHaveLength(new Set(keys).size);
  });
});

describe("skus names the subscriptions that see each size", () => {
  it("a subscription whose lookup fails is left out of the rows, and said to be missing", async () => {
    const h = await demo({ env: { GPUOPS_AZURE_MAX_RETRIES: "0" } });
    const [first, ...others] = h.fake.tenant.subscriptions;
    h.fake.addFault({ match: new RegExp(`/subscriptions/${first?.id}/providers/Microsoft\\.Compute/skus`, "i"), status: 500 });
    const r = await runCommand(cliRequest("skus swedencentral a100"), h.app.context());
    expect(r.outcome).toBe("partial");
    const expected = h.fake.tenant
      .skus("swedencentral")
      .filter((s) => /A100/.test(s.name))
      .map((s) => short(s.name));
    const rows = tableOf(r)?.rows ?? [];
    expect(rows.map((x) => x.size).sort()).toEqual(expected.sort());
    // Every other subscription answered and sees them the same way: "all" of those that answered.
    for (const row of rows) expect(row.subscription).toBe("all");
    const sizes = (r.data?.sizes ?? []) as Array<{ size: string; subscriptions: string[]; vcpus: number }>;
    for (const s of sizes) {
      expect(s.subscriptions.sort()).toEqual(others.map((x) => x.name).sort());
      const raw = h.fake.tenant.skus("swedencentral").find((x) => x.name === s.size) as RawSku;
      expect(s.vcpus).toBe(Number(raw.capabilities.find((c) => c.name === "vCPUs")?.value));
    }
    expect(r.context.some((c) => c.startsWith(`Missing ${first?.name} in swedencentral`))).toBe(true);
  });
});
