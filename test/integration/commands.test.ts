// The verbs end to end through runCommand, on the demo wiring (real SDK clients, fake Azure over
// HTTPS). Expected values are derived from the fake tenant's raw data (the real recordings for
// swedencentral and westus), not hard-coded, so they follow the seed if it changes.
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEMO_NOTICE } from "../../src/commands/registry.ts";
import { findSize, GPU_SIZES } from "../../src/domain/gpu-catalogue.ts";
import { listPriceUsd } from "../../src/fake-azure/demo-fleet.ts";
import type { RawSku, RawUsage } from "../../src/fake-azure/demo-tenant.ts";
import type { FactsPart, Reply, Row, TablePart } from "../../src/reply/reply.ts";
import { cliRequest, type DemoHarness, startDemoApp } from "../support/demo-app.ts";
import { runCommand, verbs } from "../support/router.ts";

const SWEDEN: RawSku[] = JSON.parse(readFileSync(new URL("../../src/fake-azure/seed/resource-skus.swedencentral-gpu.az-cli-2025.json", import.meta.url), "utf8"));

let h: DemoHarness;
beforeAll(async () => {
  h = await startDemoApp();
});
afterAll(async () => h?.close());

const ask = (text: string) => runCommand(cliRequest(text), h.app.context());
const tableOf = (r: Reply): TablePart => {
  const t = r.parts.find((p): p is TablePart => p.kind === "table");
  if (!t) throw new Error(`no table in ${JSON.stringify(r)}`);
  return t;
};
const textOf = (r: Reply) =>
  r.parts
    .filter((p) => p.kind === "text")
    .map((p) => p.text)
    .join("\n");
const short = (name: string) => name.replace(/^Standard_/, "");
const cap = (sku: RawSku, name: string) => sku.capabilities.find((c) => c.name === name)?.value;
const familyKey = (f: string) => f.toLowerCase().replace(/\s+/g, "");
const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));
/** n × (num/den) GPUs, the way people read it: "3 GPUs", "1 GPU", "1/2 GPU", "3.5 GPUs", "≈ 3.33 GPUs" (never "7/2"). */
function gpusText(n: number, num: number, den: number): string {
  const top = n * num;
  const g = gcd(top, den) || 1;
  const [a, b] = [top / g, den / g];
  if (b === 1) return `${a} GPU${a === 1 ? "" : "s"}`;
  if (a < b) return `${a}/${b} GPU`;
  const rounded = Math.round((a / b) * 100) / 100;
  return `${rounded * b === a ? "" : "≈ "}${rounded} GPUs`;
}

describe("skus", () => {
  it("`skus swedencentral a100` lists exactly the A100 sizes of the real swedencentral recording", async () => {
    const r = await ask("skus swedencentral a100");
    expect(r.outcome).toBe("ok");
    const expected = SWEDEN.filter((s) => s.resourceType === "virtualMachines" && /A100/i.test(s.name));
    expect(expected.length).toBeGreaterThan(0);
    const rows = tableOf(r).rows;
    expect(rows.map((row) => row.size).sort()).toEqual(expected.map((s) => short(s.name)).sort());
    for (const sku of expected) {
      const row = rows.find((x) => x.size === short(sku.name)) as Row;
      // GPU count, vCPUs and zones agree with the recording's capabilities. RAM is the catalogue's
      // (the fact sheet): the API reports MemoryGB 1800 for ND96amsr_A100_v4, the size page 1900 GiB.
      expect(row.gpu).toMatch(new RegExp(`^${cap(sku, "GPUs")} × A100`));
      expect(row.vcpus).toBe(cap(sku, "vCPUs"));
      expect(row.ram).toBe(`${findSize(sku.name)?.memoryGib} GiB`);
      expect(row.zones).toBe([...(sku.locationInfo[0]?.zones ?? [])].sort().join(", "));
      expect(row.gpuMem).toBe(`${Number(cap(sku, "GPUs")) * 80} GB`);
      expect(row.availability).toBe("available");
    }
    expect(r.title).toContain("swedencentral (Sweden Central)");
    expect(r.context).toContain(DEMO_NOTICE);
  });

  it("Standard_ND96isr_H100_v5 in swedencentral shows the real restrictions in plain words", async () => {
    const r = await ask("skus swedencentral h100");
    const raw = SWEDEN.find((s) => s.name === "Standard_ND96isr_H100_v5") as RawSku;
    const row = tableOf(r).rows.find((x) => x.size === "ND96isr_H100_v5") as Row;
    expect(row).toBeDefined();
    const zoneRestriction = raw.restrictions.find((x) => x.type === "Zone");
    expect(raw.restrictions.some((x) => x.type === "Location" && x.reasonCode === "NotAvailableForSubscription")).toBe(true);
    expect(zoneRestriction).toBeDefined();
    // Blocked in the whole region: the zone restriction the raw SKU also carries would only repeat it.
    expect(row.availability).toBe("not offered to this subscription in this region");
    expect(row.zones).toBe("—");
    // The unrestricted H100 NVL sizes in the same answer are available.
    expect(tableOf(r).rows.find((x) => x.size === "NC40ads_H100_v5")?.availability).toBe("available");
  });

  it("accepts a region as eastus, East US, east us, quoted or shouted", async () => {
    const answers = await Promise.all(["skus eastus a100", "skus East US a100", 'skus "East US" a100', "skus east us a100", "skus EASTUS a100"].map(ask));
    for (const r of answers) {
      expect(r.outcome).toBe("ok");
      expect(r.title).toBe(answers[0]?.title);
      expect(tableOf(r).rows).toEqual(tableOf(answers[0] as Reply).rows);
    }
    expect(answers[0]?.title).toContain("eastus (East US)");
  });

  it("accepts a GPU as a100 or A100, and h100 nvl picks the NVL sizes only", async () => {
    const [lower, upper] = await Promise.all([ask("skus swedencentral a100"), ask("skus swedencentral A100")]);
    expect(tableOf(upper).rows).toEqual(tableOf(lower).rows);
    const nvl = await ask("skus swedencentral h100 nvl");
    const expected = SWEDEN.filter((s) => findSize(s.name)?.gpu.key === "h100-nvl").map((s) => short(s.name));
    expect(expected.length).toBeGreaterThan(0);
    expect(
      tableOf(nvl)
        .rows.map((x) => x.size)
        .sort(),
    ).toEqual(expected.sort());
    for (const row of tableOf(nvl).rows) expect(row.gpu).toContain("H100 NVL");
  });

  it("without a filter lists every GPU size the region offers, and a size name narrows to that size", async () => {
    const all = await ask("skus swedencentral");
    expect(tableOf(all).rows).toHaveLength(SWEDEN.filter((s) => s.resourceType === "virtualMachines").length);
    const one = await ask("skus swedencentral NC24ads_A100_v4");
    expect(tableOf(one).rows.map((x) => x.size)).toEqual(["NC24ads_A100_v4"]);
  });

  it("a size blocked in the region is listed as such, titled by its short name, with a pointer to `where`", async () => {
    const raw = h.fake.tenant.skus("eastus").find((s) => s.name === "Standard_NV36adms_A10_v5") as RawSku;
    expect(raw.restrictions.some((x) => x.type === "Location")).toBe(true);
    const r = await ask("skus eastus NV36adms_A10_v5");
    expect(r.outcome).toBe("ok");
    expect(r.title).toBe("NV36adms_A10_v5 in eastus (East US)");
    expect(tableOf(r).rows.map((x) => [x.size, x.zones, x.availability])).toEqual([["NV36adms_A10_v5", "—", "not offered to this subscription in this region"]]);
    expect(textOf(r)).toContain("NV36adms_A10_v5 is not offered in eastus (East US) to this subscription. Try `where NV36adms_A10_v5` to find regions that offer it.");
    // Where it is offered, there is no such warning.
    const ok = await ask("skus swedencentral NC24ads_A100_v4");
    expect(textOf(ok)).not.toContain("not offered");
  });

  it("unknown regions and GPUs get the nearest valid word and an example", async () => {
    const region = await ask("skus estus a100");
    expect(region).toMatchObject({ outcome: "user_error", code: "unknown_region" });
    expect(textOf(region)).toContain("Did you mean eastus?");
    expect(textOf(region)).toContain("Try: skus eastus a100");
    const gpu = await ask("skus eastus a1000x");
    expect(gpu).toMatchObject({ outcome: "user_error", code: "unknown_gpu" });
    expect(textOf(gpu)).toMatch(/Try: skus eastus \S+/);
  });
});

describe("unknown verbs and help", () => {
  it("an unknown verb gets the nearest verb and that verb's example", async () => {
    for (const [typo, verb] of [
      ["skuss swedencentral", "skus"],
      ["qouta westus", "quota"],
      ["wher a100", "where"],
    ] as const) {
      const r = await ask(typo);
      expect(r).toMatchObject({ outcome: "user_error", code: "unknown_command" });
      expect(textOf(r)).toContain(`Did you mean ${verb}?`);
      expect(textOf(r)).toContain(`Try: ${verbs().find((v) => v.name === verb)?.examples[0]}`);
    }
    // Nothing recognised at all: say so and point at `help`, rather than a list of every verb.
    const none = await ask("frobnicate the cluster");
    expect(none).toMatchObject({ outcome: "user_error", code: "not_understood" });
    expect(textOf(none)).toContain("`help`");
  });

  it("`help` lists every verb with its usage; empty input is help too", async () => {
    for (const text of ["help", "", "/gpu"]) {
      const r = await ask(text);
      expect(r.outcome).toBe("ok");
      expect(tableOf(r).rows.map((row) => row.usage)).toEqual(verbs().map((v) => v.usage));
      expect(r.context).not.toContain(DEMO_NOTICE);
    }
  });

  it("`help quota` shows usage, details and examples; `help nope` suggests", async () => {
    const quota = verbs().find((v) => v.name === "quota");
    const r = await ask("help quota");
    expect(r.title).toBe(`quota: ${quota?.summary}`);
    expect(textOf(r)).toContain(`Usage: ${quota?.usage}`);
    for (const e of quota?.examples ?? []) expect(textOf(r)).toContain(`• ${e}`);
    const bad = await ask("help qota");
    expect(bad).toMatchObject({ outcome: "user_error", code: "unknown_command" });
    expect(textOf(bad)).toContain("Did you mean quota?");
  });
});

describe("where", () => {
  it("`where a100 8`: every A100 offer in the configured regions, numbers from the tenant's usages, best first", async () => {
    const r = await ask("where a100 8");
    expect(r.outcome).toBe("ok");
    const subs = h.fake.tenant.subscriptions;
    const a100 = new Set(GPU_SIZES.filter((s) => s.gpu.name.startsWith("A100")).map((s) => s.size));
    const rows = tableOf(r).rows;

    // Exactly the A100 SKUs the fake offers in the configured regions, for every subscription in scope.
    const expected = subs.flatMap((sub) =>
      h.config.regions.flatMap((region) =>
        h.fake.tenant
          .skus(region)
          .filter((s) => a100.has(s.name))
          .map((s) => `${sub.name}/${region}/${short(s.name)}`),
      ),
    );
    expect(rows.map((row) => `${row.subscription}/${row.region}/${row.size}`).sort()).toEqual(expected.sort());

    const ranks = rows.map((row) => {
      const sku = h.fake.tenant.skus(row.region as string).find((s) => short(s.name) === row.size) as RawSku;
      const size = findSize(sku.name);
      if (!size) throw new Error(`${sku.name} not in catalogue`);
      const sub = subs.find((x) => x.name === row.subscription)?.id as string;
      const usages = h.fake.tenant.usages(sub, row.region as string) as RawUsage[];
      const fam = usages.find((u) => familyKey(u.name.value) === familyKey(sku.family ?? ""));
      const cores = usages.find((u) => u.name.value === "cores") as RawUsage;
      const famFree = fam ? Math.max(0, fam.limit - fam.currentValue) : 0;
      const regionalFree = Math.max(0, cores.limit - cores.currentValue);
      const free = Math.min(famFree, regionalFree);
      const vms = Math.floor(free / size.vcpus);
      const offered = !sku.restrictions.some((x) => x.type === "Location");
      // Quota headroom only where the size is offered.
      expect(row.headroom).toBe(offered ? `${vms} VM${vms === 1 ? "" : "s"} (${gpusText(vms, size.gpus.num, size.gpus.den)})` : "—");

      const vmsWanted = Math.ceil((8 * size.gpus.den) / size.gpus.num);
      const fits = vmsWanted * size.vcpus <= free;
      if (!offered) expect(row.fit).toBe("not offered");
      else if (fits) expect(row.fit).toBe(`fits ${vmsWanted} VM${vmsWanted === 1 ? "" : "s"}`);
      else {
        const needed = vmsWanted * size.vcpus;
        const [famShort, regShort] = [Math.max(0, needed - famFree), Math.max(0, needed - regionalFree)];
        expect(row.fit).toBe(`needs +${Math.max(famShort, regShort).toLocaleString("en-US")} vCPUs (${regShort > famShort ? "regional cap" : "family quota"})`);
      }
      // The demo tenant's list price (what the fake Retail Prices API serves), per VM and per GPU.
      const usd = listPriceUsd(sku.name, row.region as string);
      const perGpu = usd === undefined ? Number.POSITIVE_INFINITY : (usd * size.gpus.den) / size.gpus.num;
      if (usd !== undefined) expect(row.price).toContain(`$${usd.toFixed(2)}/h`);
      return [offered ? 0 : 1, offered && fits ? 0 : 1, perGpu, -(vms * size.gpus.num) / size.gpus.den, `${row.region}`] as const;
    });
    // Best first: offered, then fits, then cheapest per GPU-hour, then most GPU headroom, then region name.
    const order = (x: number, y: number) => (x === y ? 0 : x < y ? -1 : 1);
    for (let i = 1; i < ranks.length; i++) {
      const [a, b] = [ranks[i - 1], ranks[i]] as [(typeof ranks)[number], (typeof ranks)[number]];
      const cmp = order(a[0], b[0]) || order(a[1], b[1]) || order(a[2], b[2]) || order(a[3], b[3]) || a[4].localeCompare(b[4]);
      expect(cmp, `${rows[i - 1]?.region}/${rows[i - 1]?.size} before ${rows[i]?.region}/${rows[i]?.size}`).toBeLessThanOrEqual(0);
    }
  });

  it("a size counts VMs, and an unknown GPU or a missing one is a kind user error", async () => {
    const r = await ask("where NC24ads_A100_v4 2");
    expect(r.title).toBe("Where to get 2 × NC24ads_A100_v4");
    expect(tableOf(r).columns.at(-1)?.label).toBe("For 2 VMs (1 GPU per VM)");
    for (const row of tableOf(r).rows) expect(row.fit).toMatch(/^(fits 2 VMs|needs \+\d+ vCPUs .*|not offered)$/);
    expect(await ask("where")).toMatchObject({ outcome: "user_error", code: "missing_gpu" });
    const bad = await ask("where a1000 8");
    expect(bad).toMatchObject({ outcome: "user_error", code: "unknown_gpu" });
    expect(textOf(bad)).toContain("Try: where");
  });
});

describe("quota", () => {
  it("`quota westus` shows each GPU family's used / limit and what still fits, from the tenant's usages", async () => {
    const r = await ask("quota westus");
    expect(r.outcome).toBe("ok");
    expect(r.title).toBe("GPU quota in westus (West US)");
    const subs = h.fake.tenant.subscriptions;
    const caps = r.parts.find((p): p is FactsPart => p.kind === "facts")?.facts ?? [];
    const rows = tableOf(r).rows;

    let sawFraction = false;
    for (const sub of subs) {
      const usages = h.fake.tenant.usages(sub.id, "westus") as RawUsage[];
      const cores = usages.find((u) => u.name.value === "cores") as RawUsage;
      expect(caps.find((f) => f.label === `${sub.name} · westus regional cap`)?.value).toMatch(new RegExp(`^${cores.currentValue} / ${cores.limit} vCPUs used`));
      const regionalFree = Math.max(0, cores.limit - cores.currentValue);

      const gpuFamilies = usages.filter((u) => /^standard\s*n[cdvg]/i.test(u.name.value) && (u.limit > 0 || u.currentValue > 0));
      const subRows = rows.filter((row) => row.subscription === sub.name);
      expect(subRows.map((row) => row.family).sort()).toEqual(gpuFamilies.map((u) => u.name.value).sort());

      for (const u of gpuFamilies) {
        const row = subRows.find((x) => x.family === u.name.value) as Row;
        expect(row.used).toBe(`${u.currentValue} / ${u.limit}`);
        const famFree = Math.max(0, u.limit - u.currentValue);
        const free = Math.min(famFree, regionalFree);
        expect(row.free).toBe(`${free}${regionalFree < famFree ? " (regional cap)" : ""}`);
        // Every "N × size (G GPUs)" claim checks out against the raw numbers; sizes that do not fit are left out.
        const claims = [...(row.fits ?? "").matchAll(/(\d+) × (\S+) \(([^)]+)\)/g)];
        for (const m of claims) {
          const size = findSize(m[2] as string);
          if (!size) throw new Error(`unknown size ${m[2]}`);
          const vms = Math.floor(free / size.vcpus);
          expect(Number(m[1]), `${sub.name} ${m[2]}`).toBe(vms);
          expect(vms).toBeGreaterThan(0);
          expect(m[3]).toBe(gpusText(vms, size.gpus.num, size.gpus.den));
          if (m[3]?.includes("/")) sawFraction = true;
        }
        // Nothing fits: it says so, and which limit is in the way.
        // (Sizes the region does not let the subscription start are checked in answers-quota.test.ts.)
        if (claims.length === 0 && !/retired family|^nothing: (no size of this family can be started here|this region offers no size)/.test(row.fits ?? "")) {
          expect(row.fits).toMatch(
            free === 0 ? (u.limit === 0 ? /^nothing: no quota in this family \(limit 0\)$/ : /^nothing: the (family quota|regional cap) is used up$/) : /^nothing: \d+ vCPUs free/,
          );
        }
      }
      // The fractional-GPU family is there with its smallest size: NV6ads_A10_v5 is 1/6 GPU.
      const nv = usages.find((u) => familyKey(u.name.value) === "standardnvadsa10v5family");
      if (nv && nv.limit > 0) {
        const vms = Math.floor(Math.min(Math.max(0, nv.limit - nv.currentValue), regionalFree) / 6);
        if (vms > 0) expect(subRows.find((x) => x.family === nv.name.value)?.fits).toContain(`${vms} × NV6ads_A10_v5 (${gpusText(vms, 1, 6)})`);
      }
    }
    expect(sawFraction).toBe(true);
  });

  it("a GPU whose family has no usage row in the region: most likely not offered there, so no 'request a quota increase'", async () => {
    const gb300 = GPU_SIZES.filter((x) => x.gpu.name.startsWith("GB300")).map((x) => familyKey(x.family ?? ""));
    for (const sub of h.fake.tenant.subscriptions) {
      const rows = h.fake.tenant.usages(sub.id, "eastus") as RawUsage[];
      expect(rows.some((u) => gb300.includes(familyKey(u.name.value)))).toBe(false);
    }
    const r = await ask("quota eastus gb300");
    expect(r.outcome).toBe("ok");
    expect(r.parts.some((p) => p.kind === "table")).toBe(false);
    expect(textOf(r)).toMatch(
      /^Azure's quota list has no GB300 \(Blackwell Ultra\) family row \(.+\) in eastus, which usually means GB300 \(Blackwell Ultra\) is not offered there: a quota increase would not help\./,
    );
    expect(textOf(r)).toContain("Try `skus eastus gb300` to see what is offered, or `where gb300` for regions that offer it.");
    expect(textOf(r)).not.toMatch(/request a quota increase/i);
  });

  it("a GPU filter narrows to that GPU's families", async () => {
    const r = await ask("quota westus t4");
    expect(r.outcome).toBe("ok");
    const families = new Set(tableOf(r).rows.map((row) => familyKey(row.family as string)));
    expect([...families]).toEqual([familyKey("Standard NCASv3_T4 Family")]);
  });
});

describe("running", () => {
  it("without an owner tag the Owner column names the team, and says that it is one", async () => {
    const inventory = await h.app.services.fleet.gpuInventory(h.fake.tenant.subscriptions.map((x) => x.id));
    const teamOnly = inventory.resources.filter((x) => x.powerState === "running" && !x.owner && x.team);
    expect(teamOnly.length).toBeGreaterThan(0);
    const r = await ask("running");
    const rows = tableOf(r).rows;
    for (const res of teamOnly) expect(rows.find((x) => x.name === res.name)?.owner, res.name).toBe(`team ${res.team}`);
    expect(tableOf(r).columns.map((c) => c.label)).toContain("List price/h");
  });
});

describe("explain and free questions", () => {
  it('`explain "what is a PTU"` answers from the glossary without touching Azure', async () => {
    const before = h.fake.requests.length;
    const r = await ask('explain "what is a PTU"');
    expect(r.outcome).toBe("ok");
    expect(r.title).toMatch(/PTU/);
    const labels = r.parts.flatMap((p) => (p.kind === "facts" ? p.facts.map((f) => f.label) : []));
    expect(labels).toEqual(["Why infra cares", "On Azure"]);
    expect(JSON.stringify(r.parts)).toMatch(/Azure OpenAI/);
    expect(r.context).not.toContain(DEMO_NOTICE);
    expect(h.fake.requests.length).toBe(before);
  });

  it("free questions work without a verb", async () => {
    const ptu = await ask("what is a PTU?");
    expect(ptu.outcome).toBe("ok");
    expect(ptu.title).toMatch(/PTU/);
    const vs = await ask("TPM vs RPM");
    expect(vs.outcome).toBe("ok");
    expect(vs.title).toMatch(/TPM.* vs .*RPM|RPM.* vs .*TPM/);
  });

  it('"which VM uses the T4 GPU?" is answered from the catalogue', async () => {
    const r = await ask("which VM uses the T4 GPU?");
    expect(r.outcome).toBe("ok");
    const expected = GPU_SIZES.filter((s) => s.gpu.key === "t4").map((s) => short(s.size));
    expect(expected).toContain("NC4as_T4_v3");
    expect(tableOf(r).rows.map((row) => row.size)).toEqual(expected);
    expect(textOf(r)).toContain("where t4");
  });

  it("an unknown term is a kind error with an example", async () => {
    const r = await ask("explain zzqxv");
    expect(r).toMatchObject({ outcome: "user_error", code: "unknown_term" });
    expect(textOf(r)).toContain("Try: explain");
  });
});
