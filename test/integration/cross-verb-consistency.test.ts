// The numbers and words one person sees across verbs agree: `idle` counts GPU VMs as `running`
// does and prices idle hours at the list price `running` shows; the digest's running-now is
// `running`'s total and its yesterday is `cost yesterday`'s; a partial 7-day baseline gives no
// trend; `skus` shows list prices with one Retail Prices read per region. All through
// runCommand on the demo wiring (real SDK clients, fake Azure over HTTPS); expected values come
// from the fake tenant's raw data or the ports, never typed in.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isPayAsYouGoLinux } from "../../src/azure/retail-prices.ts";
import { collectIdle } from "../../src/commands/idle.ts";
import { isGpuFamily } from "../../src/commands/quota.ts";
import { formatHourly, NO_LIST_PRICE, toCents } from "../../src/domain/money.ts";
import { addDays, localDate, shortDate } from "../../src/domain/periods.ts";
import { createDemoFleet } from "../../src/fake-azure/demo-fleet.ts";
import type { FactsPart, Reply, TablePart } from "../../src/reply/reply.ts";
import { cliRequest, type DemoHarness, startDemoApp } from "../support/demo-app.ts";
import { runCommand, verbs } from "../support/router.ts";

const open: DemoHarness[] = [];
afterAll(async () => {
  await Promise.all(open.map((h) => h.close()));
});

async function demo(opts: Parameters<typeof startDemoApp>[0] = {}): Promise<DemoHarness> {
  const h = await startDemoApp(opts);
  open.push(h);
  return h;
}

const ask = (h: DemoHarness, text: string) => runCommand(cliRequest(text), h.app.context());
const texts = (r: Reply) => r.parts.flatMap((p) => (p.kind === "text" ? [p.text] : []));
const tables = (r: Reply) => r.parts.filter((p): p is TablePart => p.kind === "table");
const fact = (r: Reply, label: string) => r.parts.find((p): p is FactsPart => p.kind === "facts")?.facts.find((f) => f.label === label)?.value;

describe("idle, running and the digest agree", () => {
  let h: DemoHarness;
  // One instant for every answer, so nothing crosses an idle threshold between two questions.
  const at = new Date();
  beforeAll(async () => {
    h = await demo({ now: () => at });
  });

  it("idle counts GPU VMs as running does: every scale-set instance and AKS node is one", async () => {
    const running = await ask(h, "running");
    const [, count] = /^(\d+) GPU VMs running ≈/.exec(texts(running)[0] ?? "") ?? [];
    expect(count).toBeDefined();
    const idle = await ask(h, "idle");
    const head = texts(idle)[0] ?? "";
    const m = /^(\d+) of the (\d+) GPU VMs running are idle \((\d+) parked: memory held, no work\); (\d+) busy, (\d+) unknown\./.exec(head);
    expect(m, head).not.toBeNull();
    const [idleN, total, , busy, unknown] = (m ?? []).slice(1).map(Number) as [number, number, number, number, number];
    expect(total).toBe(Number(count));
    expect(idleN + busy + unknown).toBe(total);
    // The unknown list counts the same unit.
    const unknownText = texts(idle).find((t) => t.includes("unknown (no usable GPU telemetry)")) ?? "";
    expect(unknownText.startsWith(`${unknown} GPU VMs are unknown`)).toBe(true);
    expect(idle.context).toContain("GPU VMs are counted as `running` counts them: each scale-set instance and AKS node is one.");
  });

  it("each idle VM burns idle hours × the list price running shows; a whole idle scale set burns all its instances", async () => {
    const report = await collectIdle(h.app.context());
    const running = tables(await ask(h, "running"))[0] as TablePart;
    let checkedScaleSet = false;
    for (const e of report.entries) {
      const price = await h.app.services.prices.hourlyPrice(e.resource.size, e.resource.region);
      if (!price.known) {
        expect(e.cost).toBeUndefined();
        continue;
      }
      const units = e.resource.kind === "vmss" && e.host === e.resource.name.toLowerCase() ? e.resource.instances : 1;
      expect(e.units).toBe(units);
      expect(toCents(e.cost?.perDay ?? -1)).toBe(toCents(price.perHour * units * 24));
      expect(Math.abs((e.cost?.soFar ?? -1) - (e.verdict.idleSeconds / 3600) * price.perHour * units)).toBeLessThan(0.01);
      // The same price `running` shows for that VM or scale set.
      const row = running.rows.find((r) => r.name === e.resource.name);
      if (row && e.resource.kind !== "aks-pool") expect(row.price).toBe(formatHourly(price.perHour * e.resource.instances, price.currency));
      if (units > 1) checkedScaleSet = true;
    }
    expect(checkedScaleSet).toBe(true); // the demo has an idle scale set (vmss-batch-t4, 8 instances)
  });

  it("the digest's running-now is running's total, and its yesterday is cost yesterday's total", async () => {
    const runningHead = texts(await ask(h, "running"))[0] ?? "";
    const [, vms, perHour] = /^(\d+) GPU VMs running ≈ (\S+)\/h now/.exec(runningHead) ?? [];
    const digest = await ask(h, "digest");
    expect(fact(digest, "Running now")).toMatch(new RegExp(`^${vms} GPU VMs ≈ ${perHour?.replace(/[$.]/g, "\\$&")}/h `));
    const cost = texts(await ask(h, "cost yesterday"))[0] ?? "";
    const [, yesterday] = /^Total GPU spend yesterday \([^)]*\): (\$[\d,]+\.\d\d)/.exec(cost) ?? [];
    const day = addDays(localDate(at, "UTC"), -1);
    expect(yesterday).toBeDefined();
    expect(fact(digest, `Spend ${shortDate(day)}`)).toBe(yesterday);
    // The demo has 100 days of spend: a full baseline, so a trend, said to be provisional.
    expect(fact(digest, "Change")).toMatch(/^([▲▼] \d+ %|±0 %) \([+−]\$/);
    expect(digest.context[0]).toMatch(/so yesterday may still grow and the change is provisional\.$/);
  });

  it("the digest counts idle GPU VMs as idle does, and says what its quota number counts", async () => {
    const digest = await ask(h, "digest");
    const report = await collectIdle(h.app.context());
    const over24h = report.entries.filter((e) => e.verdict.idleSeconds >= 24 * 3600).reduce((n, e) => n + e.units, 0);
    expect(fact(digest, "Idle > 24 h")).toBe(`${over24h} GPU VMs`);
    const subs = h.fake.tenant.subscriptions;
    const near = subs.flatMap((s) =>
      h.config.regions.flatMap((region) =>
        (h.fake.tenant.usages(s.id, region) ?? []).filter((u) => isGpuFamily(u.name.value) && u.name.value !== "cores" && u.limit > 0 && u.currentValue / u.limit > 0.8),
      ),
    );
    const families = new Set(near.map((u) => u.name.value.toLowerCase().replace(/\s+/g, ""))).size;
    expect(families).toBeLessThan(near.length);
    expect(fact(digest, "Quota > 80 %")).toBe(`${near.length} quotas (subscription × region) in ${families} GPU families`);
    expect(texts(digest).some((t) => /more quotas above 80 %/.test(t))).toBe(true);
  });

  it("owners read the same everywhere: the owner tag, else the team, else 'no owner tag'", async () => {
    const running = tables(await ask(h, "running"))[0] as TablePart;
    const idle = tables(await ask(h, "idle"))[0] as TablePart;
    const digestIdle = tables(await ask(h, "digest")).find((t) => t.title === "GPU VMs idle more than 24 h") as TablePart;
    for (const t of [running, idle, digestIdle]) for (const r of t.rows) expect(r.owner).toMatch(/^(\S+@\S+|team \S+|no owner tag)$/);
    expect(idle.rows.some((r) => r.owner === "no owner tag")).toBe(true);
  });
});

describe("the digest shows no trend against a partial 7-day baseline", () => {
  const at = new Date("2026-05-12T08:00:00Z");
  /** The demo fleet, but Cost Management has no spend before `since` (a young tenant or a new project). */
  async function demoSince(since: string): Promise<DemoHarness> {
    const base = createDemoFleet({ now: () => at });
    const fleet = { ...base, costRecords: (date: string) => (date < since ? [] : base.costRecords(date)) };
    return demo({ now: () => at, fake: { fleet } });
  }

  it("data from 3 of the 7 days: says so, no change, no 7-day columns", async () => {
    const h = await demoSince("2026-05-08");
    const r = await ask(h, "digest");
    const head = texts(r)[0] ?? "";
    expect(head).toMatch(
      /^Yesterday \(11 May\) GPU spend was \$[\d,]+\.\d\d\. No change is shown: spend data for the 7 days before starts on 8 May \(3 of 7 days\), so a 7-day average would not be like-for-like\.$/,
    );
    expect(fact(r, "7-day average")).toBe("not comparable: data from 8 May only (3 of 7 days)");
    expect(fact(r, "Change")).toBeUndefined();
    const top = tables(r).find((t) => t.title?.startsWith("Top")) as TablePart;
    expect(top.columns.map((c) => c.label)).toEqual(["Resource group", "11 May", "Share"]);
    expect(r.context[0]).not.toMatch(/provisional/);
    expect(JSON.stringify(r.parts.filter((p) => p.kind !== "image"))).not.toMatch(/[▲▼]/);
  });

  it("no spend before yesterday: no trend to compare with", async () => {
    const h = await demoSince("2026-05-11");
    const r = await ask(h, "digest");
    expect(texts(r)[0]).toMatch(/^Yesterday \(11 May\) GPU spend was \$[\d,]+\.\d\d\. No GPU spend is recorded for the 7 days before, so there is no trend to compare with\.$/);
    expect(fact(r, "7-day average")).toBe("no data");
    expect(fact(r, "Change")).toBeUndefined();
  });
});

describe("skus shows list prices", () => {
  it("a List price/h column from the Retail Prices API, one read per region, cached", async () => {
    const h = await demo();
    h.fake.fleet.knobs.pricePageSize = 100_000; // one page per region, so reads = regions
    const priceReads = () => h.fake.requests.filter((r) => r.path === "/api/retail/prices").length;
    const r = await ask(h, "skus");
    expect(r.outcome).toBe("ok");
    const t = tables(r)[0] as TablePart;
    expect(t.columns.at(-1)).toMatchObject({ key: "price", label: "List price/h", align: "right" });
    expect(priceReads()).toBe(h.config.regions.length);
    // Every row's price is the fake's pay-as-you-go Linux item for that size and region, or "no list price".
    let unknown = 0;
    for (const row of t.rows) {
      const item = h.fake.fleet.prices.find((p) => p.armRegionName === row.region && p.armSkuName.toLowerCase() === `standard_${row.size}`.toLowerCase() && isPayAsYouGoLinux(p));
      if (item) expect(row.price).toBe(formatHourly(item.retailPrice, item.currencyCode));
      else {
        unknown++;
        expect(row.price).toBe(NO_LIST_PRICE);
      }
      expect(row.price).not.toMatch(/^\$0(\.0+)?\/h$/);
    }
    expect(unknown).toBeLessThan(t.rows.length);
    expect(r.context).toContain(
      "List prices: pay-as-you-go Linux, per hour, USD, from the Azure Retail Prices API (cached for a day); reservations or savings plans may lower what you pay.",
    );
    await ask(h, "skus swedencentral a100");
    expect(priceReads()).toBe(h.config.regions.length); // cached: no new read
  });

  it("when Retail Prices fails, the sizes still answer, prices say 'no list price' and the answer is partial", async () => {
    const h = await demo();
    h.fake.addFault({ match: "/api/retail/prices", status: 403, body: { error: { code: "AuthorizationFailed", message: "no" } } });
    const r = await ask(h, "skus swedencentral a100");
    expect(r.outcome).toBe("partial");
    const t = tables(r)[0] as TablePart;
    expect(t.rows.length).toBeGreaterThan(0);
    expect(t.rows.every((row) => row.price === NO_LIST_PRICE)).toBe(true);
    expect(r.context.some((c) => c.startsWith('Some list prices could not be read (shown as "no list price")'))).toBe(true);
  });
});

describe("examples that fit the place they are given", () => {
  it("subscriptions and unsubscribe in the terminal suggest their own command, for the channel", async () => {
    const h = await demo();
    for (const [text, example] of [
      ["subscriptions", "subscriptions"],
      ["unsubscribe idle", "unsubscribe idle"],
      ["unsubscribe digest", "unsubscribe digest"],
      ["subscribe idle", "subscribe idle"],
    ]) {
      const r = await ask(h, text as string);
      expect(r.code).toBe("no_channel");
      expect(texts(r)).toContain(`Try: ${example} (in that channel)`);
    }
  });

  it("help request lists runnable examples first and marks the rest as placeholders; the runnable ones work on a fresh demo", async () => {
    const h = await demo({ withStore: true });
    const examples = verbs().find((v) => v.name === "request")?.examples ?? [];
    const firstPlaceholder = examples.findIndex((e) => e.includes("<id>"));
    expect(firstPlaceholder).toBeGreaterThan(1);
    expect(examples.slice(firstPlaceholder).every((e) => e.includes("<id>"))).toBe(true);
    expect(examples.some((e) => /\b\d+\b/.test(e) && /approve|deny|extend|release/.test(e))).toBe(false);
    for (const e of examples.slice(0, firstPlaceholder)) expect((await ask(h, e)).outcome, e).toBe("ok");
    const help = texts(await ask(h, "help request")).join("\n");
    expect(help).toMatch(/<id> is the request's number as `requests` lists it/);
    const missing = await ask(h, "request approve");
    expect(texts(missing)).toContain("Try: requests");
  });
});
