// `quota` advice checked against what the fake Azure serves: the "you can still start" claims are
// recomputed from the raw Resource SKUs (restrictions, zones) and usages of each subscription, with
// retirement dates from the catalogue, never from the code under test.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findSize } from "../../src/domain/gpu-catalogue.ts";
import type { RawSku, RawUsage } from "../../src/fake-azure/demo-tenant.ts";
import type { Reply, TablePart } from "../../src/reply/reply.ts";
import { cliRequest, type DemoHarness, startDemoApp } from "../support/demo-app.ts";
import { runCommand } from "../support/router.ts";

const AFTER_RETIREMENT = new Date("2026-12-03T09:00:00Z");
const BEFORE_RETIREMENT = new Date("2026-06-01T09:00:00Z");
const familyKey = (f: string) => f.toLowerCase().replace(/\s+/g, "");
const short = (name: string) => name.replace(/^Standard_/, "");
const vcpusOf = (sku: RawSku) => Number(sku.capabilities.find((c) => c.name === "vCPUs")?.value);

/** Sizes of a family a subscription may start, from the raw SKU list: no Location restriction, a usable zone, not retired. */
function startable(skus: RawSku[], family: string, today: string): RawSku[] {
  return skus.filter((s) => {
    if (s.resourceType !== "virtualMachines" || familyKey(s.family ?? "") !== familyKey(family)) return false;
    if (s.restrictions.some((r) => r.type === "Location")) return false;
    const zones = s.locationInfo[0]?.zones ?? [];
    const blockedZones = new Set(s.restrictions.filter((r) => r.type === "Zone").flatMap((r) => r.restrictionInfo.zones ?? []));
    if (zones.length > 0 && zones.every((z) => blockedZones.has(z))) return false;
    const status = findSize(s.name)?.status;
    if (status && (status.kind === "retired" || status.kind === "retiring") && today >= status.on) return false;
    return true;
  });
}

const tableOf = (r: Reply) => r.parts.find((p): p is TablePart => p.kind === "table");

describe.each([
  ["after the NV v3/v4 retirement", AFTER_RETIREMENT],
  ["before it", BEFORE_RETIREMENT],
])("quota <region> offers only sizes the region offers the subscription (%s)", (_label, now) => {
  let h: DemoHarness;
  beforeAll(async () => {
    h = await startDemoApp({ now: () => now });
  });
  afterAll(async () => h?.close());

  it.each(["swedencentral", "westus", "eastus"])("%s: every claim, and only those, from the raw SKUs and usages", async (region) => {
    const r = await runCommand(cliRequest(`quota ${region}`), h.app.context());
    expect(r.outcome).toBe("ok");
    const rows = tableOf(r)?.rows ?? [];
    const skus = h.fake.tenant.skus(region);
    const today = now.toISOString().slice(0, 10);
    let checked = 0;
    for (const sub of h.fake.tenant.subscriptions) {
      const usages = h.fake.tenant.usages(sub.id, region) as RawUsage[];
      const cores = usages.find((u) => u.name.value === "cores") as RawUsage;
      for (const row of rows.filter((x) => x.subscription === sub.name)) {
        if (/retired family/.test(row.fits ?? "")) continue;
        const u = usages.find((x) => x.name.value === row.family) as RawUsage;
        const free = Math.min(Math.max(0, u.limit - u.currentValue), Math.max(0, cores.limit - cores.currentValue));
        const expected = startable(skus, u.name.value, today)
          .map((s) => ({ size: short(s.name), vms: Math.floor(free / vcpusOf(s)) }))
          .filter((x) => x.vms > 0)
          .map((x) => `${x.vms} × ${x.size}`)
          .sort();
        const claimed = [...(row.fits ?? "").matchAll(/(\d+) × (\S+) \(/g)].map((m) => `${m[1]} × ${m[2]}`).sort();
        expect(claimed, `${sub.name} ${region} ${row.family}`).toEqual(expected);
        checked += 1;
      }
    }
    expect(checked).toBeGreaterThan(5);
  });

  it("swedencentral never offers ND96isr_H100_v5, which the recording marks NotAvailableForSubscription", async () => {
    const raw = h.fake.tenant.skus("swedencentral").find((s) => s.name === "Standard_ND96isr_H100_v5") as RawSku;
    expect(raw.restrictions.some((x) => x.type === "Location" && x.reasonCode === "NotAvailableForSubscription")).toBe(true);
    const r = await runCommand(cliRequest("quota swedencentral"), h.app.context());
    const fits = (tableOf(r)?.rows ?? []).map((x) => x.fits ?? "");
    expect(fits.some((f) => /\d+ × ND96isr_H100_v5/.test(f))).toBe(false);
    expect(fits.some((f) => /ND96isr_H100_v5 not offered to this subscription/.test(f))).toBe(true);
  });
});

describe("quota without a region", () => {
  let h: DemoHarness;
  beforeAll(async () => {
    h = await startDemoApp({ now: () => AFTER_RETIREMENT });
  });
  afterAll(async () => h?.close());

  /** Every GPU family quota with a limit or use, per subscription × region, from the raw usages. */
  function allFamilyQuotas() {
    const out: Array<{ sub: string; region: string; family: string; current: number; limit: number }> = [];
    for (const sub of h.fake.tenant.subscriptions) {
      for (const region of h.config.regions) {
        for (const u of h.fake.tenant.usages(sub.id, region) ?? []) {
          if (/^standard\s*n[cdvg]/i.test(u.name.value) && (u.limit > 0 || u.currentValue > 0))
            out.push({ sub: sub.name, region, family: u.name.value, current: u.currentValue, limit: u.limit });
        }
      }
    }
    return out;
  }

  it("lists the families in use, most used first, and sums up the rest", async () => {
    const r = await runCommand(cliRequest("quota"), h.app.context());
    expect(r.outcome).toBe("ok");
    const rows = tableOf(r)?.rows ?? [];
    const all = allFamilyQuotas();
    const inUse = all.filter((q) => q.current > 0);
    expect(rows).toHaveLength(inUse.length);
    expect(rows.length).toBeLessThan(all.length);
    const fractions = rows.map((x) => {
      const [used, limit] = (x.used ?? "").split(" / ").map(Number) as [number, number];
      return limit > 0 ? used / limit : 1;
    });
    for (let i = 1; i < fractions.length; i++) expect(fractions[i - 1] as number).toBeGreaterThanOrEqual(fractions[i] as number);
    const rest = all.length - inUse.length;
    const summary = r.parts.find((p) => p.kind === "text" && /have nothing in use/.test(p.text));
    expect(summary && summary.kind === "text" ? summary.text : "").toContain(`${rest} more GPU family quotas`);
    expect(r.data?.notShown).toMatchObject({ families: rest });
  });

  it("`quota all` lists every family quota, sorted by how much is used", async () => {
    const r = await runCommand(cliRequest("quota all"), h.app.context());
    const rows = tableOf(r)?.rows ?? [];
    expect(rows).toHaveLength(allFamilyQuotas().length);
    const first = rows[0]?.pct ?? "";
    expect(Number(first.replace(/\D/g, ""))).toBeGreaterThanOrEqual(Number((rows[rows.length - 1]?.pct ?? "").replace(/\D/g, "")));
  });
});
