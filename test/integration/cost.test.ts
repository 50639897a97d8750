// GPU spend through the real @azure/arm-costmanagement client, built by our client factory,
// against the fake Cost Management over HTTPS: totals against the raw rows, grouping, periods in
// the configured zone, nextLink paging, QPU throttling, partial answers, the shared cache and the
// chart served by the gpuops server.

import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createCostAdapter, GPU_METER_SUBCATEGORY } from "../../src/azure/cost.ts";
import { createQpuBudget, type QpuBudget } from "../../src/azure/cost-budget.ts";
import { loadConfig } from "../../src/config.ts";
import { toCents } from "../../src/domain/money.ts";
import { createDemoFleet } from "../../src/fake-azure/demo-fleet.ts";
import type { FakeAzure, RecordedRequest } from "../../src/fake-azure/server.ts";
import { createLogger } from "../../src/log.ts";
import type { ImagePart, Reply, TablePart, TextPart } from "../../src/reply/reply.ts";
import { startServer } from "../../src/server.ts";
import type { CostRow } from "../../src/services/ports.ts";
import { cliRequest, type DemoHarness, startDemoApp } from "../support/demo-app.ts";
import { runCommand } from "../support/router.ts";

const NOW = new Date("2026-03-16T15:00:00Z");
const open: DemoHarness[] = [];
async function demo(opts: { now?: Date; env?: Record<string, string> } = {}): Promise<DemoHarness> {
  const at = opts.now ?? NOW;
  const h = await startDemoApp({ now: () => at, env: opts.env ?? {}, fake: { fleet: createDemoFleet({ now: () => at }) } });
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

const costCalls = (rs: RecordedRequest[]) => rs.filter((r) => r.method === "POST" && /\/providers\/Microsoft\.CostManagement\/query$/i.test(r.path));
/** The queries for one-off purchases (ChargeType Purchase), asked apart from usage. */
const isPurchaseCall = (r: RecordedRequest) => JSON.stringify(r.body).includes('"values":["Purchase"]');
const subs = (h: DemoHarness) => h.fake.tenant.subscriptions.map((s) => s.id);
const textOf = (r: Reply) =>
  r.parts
    .filter((p): p is TextPart => p.kind === "text")
    .map((p) => p.text)
    .join("\n");
const tableOf = (r: Reply) => r.parts.find((p): p is TablePart => p.kind === "table");
const dollars = (s: string) => Number(s.replace(/[$,]/g, ""));

/** POSTs a body to the fake exactly as a client would and returns the raw text (number tokens intact). */
function rawPost(fake: FakeAzure, pathAndQuery: string, body: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${fake.url}${pathAndQuery}`,
      { method: "POST", ca: fake.ca, headers: { authorization: `Bearer ${fake.token}`, "content-type": "application/json" } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}

interface RawResult {
  properties: { columns: Array<{ name: string; type: string }>; rows: unknown[][]; nextLink: string | null };
}

/** Every GPU row of the queries the command made, read again straight from the wire. */
async function replayRows(h: DemoHarness): Promise<{ rows: Array<Record<string, unknown>>; raw: string[] }> {
  const rows: Array<Record<string, unknown>> = [];
  const raw: string[] = [];
  // The test's own reading is not the system under test: the fake's QPU budget does not throttle it.
  h.fake.fleet.knobs.qpu = { short: 1e9, shortMs: 10_000, long: 1e9, longMs: 60_000 };
  for (const call of costCalls(h.fake.requests).filter((c) => !c.query.$skiptoken && !isPurchaseCall(c))) {
    let path: string | undefined = `${call.path}?api-version=${call.query["api-version"]}`;
    while (path) {
      const text = await rawPost(h.fake, path, call.body);
      raw.push(text);
      const parsed = JSON.parse(text) as RawResult;
      // Refused scopes (403) have no rows to count.
      if (!parsed.properties) break;
      const names = parsed.properties.columns.map((c) => c.name);
      for (const r of parsed.properties.rows)
        rows.push({
          ...Object.fromEntries(names.map((n, i) => [n, r[i]])),
          scope: call.path,
          granularity: (call.body as { dataset: { granularity?: string } }).dataset.granularity ?? "None",
        });
      const next = parsed.properties.nextLink;
      path = next ? next.slice(h.fake.url.length) : undefined;
    }
  }
  return { rows: rows.filter((r) => GPU_METER_SUBCATEGORY.test(String(r.MeterSubCategory))), raw };
}

const usageDate = (iso: string) => Number(iso.replace(/-/g, ""));

describe("cost: totals and grouping", () => {
  it("the total and every group equal the sum of the query's rows, to the cent", async () => {
    const h = await demo();
    const r = await runCommand(cliRequest("cost 7d by rg"), h.app.context());
    expect(r.outcome).toBe("ok");
    const { rows, raw } = await replayRows(h);
    // The wire carries .NET number tokens such as 1E-06; the sum must include them.
    expect(raw.some((t) => /[,[]\d(\.\d+)?E-0\d[,\]]/.test(t))).toBe(true);
    const inPeriod = rows.filter((x) => x.granularity === "Daily" && (x.UsageDate as number) >= usageDate("2026-03-10") && (x.UsageDate as number) <= usageDate("2026-03-16"));
    const micro = (list: Array<Record<string, unknown>>) => list.reduce((n, x) => n + Math.round((x.Cost as number) * 1e6), 0) / 1e6;
    const total = toCents(micro(inPeriod));
    expect(textOf(r)).toContain(`Total GPU spend the last 7 days: $${total.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);
    const table = tableOf(r) as TablePart;
    for (const row of table.rows) {
      const rg = row.group === "(no resource group)" ? "" : row.group;
      expect(dollars(row.spend as string)).toBe(toCents(micro(inPeriod.filter((x) => x.ResourceGroupName === rg))));
    }
    expect(table.rows.map((x) => x.group)).toContain("rg-research-sandbox");
    // CPU VMs and disks are in the raw answer but never in the GPU spend.
    expect(table.rows.map((x) => x.group)).not.toContain("rg-platform-shared");
  });

  it("answers in the recorded Cost Management format: envelope, column types, UsageDate numbers, exponent tokens, empty groups", async () => {
    const h = await demo({ now: new Date("2026-03-02T15:00:00Z") });
    await runCommand(cliRequest("cost 7d by rg"), h.app.context());
    const recorded = readFileSync(new URL("../../src/fake-azure/seed/recording-2019-11-01.query-actualcost-lastmonth-daily-by-resourcegroup-paged.json", import.meta.url), "utf8");
    const recordedBody = (JSON.parse(recorded) as { responses: { "200": { body: { properties: Record<string, unknown> } & Record<string, unknown> } } }).responses["200"].body;
    const { raw } = await replayRows(h);
    const page = JSON.parse(raw[0] as string) as { properties: RawResult["properties"] } & Record<string, unknown>;
    expect(Object.keys(page)).toEqual(Object.keys(recordedBody));
    expect(Object.keys(page.properties).sort()).toEqual(Object.keys(recordedBody.properties).sort());
    const types = Object.fromEntries(page.properties.columns.map((c) => [c.name, c.type]));
    expect(types).toMatchObject({ Cost: "Number", UsageDate: "Number", ResourceGroupName: "String", Currency: "String", MeterSubCategory: "String" });
    const date = page.properties.columns.findIndex((c) => c.name === "UsageDate");
    expect(page.properties.rows.every((r) => Number.isInteger(r[date]) && String(r[date]).length === 8)).toBe(true);
    // Both carry .NET exponent tokens such as 1E-06 and rows with an empty group ("" resource group on the 1st: the reservation payment).
    expect(recorded).toMatch(/\[\dE-06,/);
    expect(raw.join("")).toMatch(/[[,]\d(\.\d+)?E-0\d,/);
    // The demo's reservation is billed to its first subscription.
    const first = costCalls(h.fake.requests).find((c) => c.path.includes(subs(h)[0] as string)) as RecordedRequest;
    const purchasesByRg = await rawPost(h.fake, `${first.path}?api-version=${first.query["api-version"]}`, {
      type: "ActualCost",
      timeframe: "Custom",
      timePeriod: { from: "2026-03-01T00:00:00Z", to: "2026-03-01T23:59:59Z" },
      dataset: {
        granularity: "Daily",
        aggregation: { totalCost: { name: "Cost", function: "Sum" } },
        grouping: [{ type: "Dimension", name: "ResourceGroupName" }],
        filter: { dimensions: { name: "ChargeType", operator: "In", values: ["Purchase"] } },
      },
    });
    expect(purchasesByRg).toMatch(/,"",(\d{8},)?"USD"\]/);
  });

  it("asks for GPU meters of the Virtual Machines category with a Custom daily period, ActualCost by default", async () => {
    const h = await demo();
    await runCommand(cliRequest("cost yesterday by size"), h.app.context());
    const bodies = costCalls(h.fake.requests)
      .filter((c) => !isPurchaseCall(c))
      .map((c) => c.body as Record<string, unknown>);
    expect(bodies).toHaveLength(3);
    expect(bodies[0]).toEqual({
      type: "ActualCost",
      timeframe: "Custom",
      timePeriod: { from: "2026-03-02T00:00:00.000Z", to: "2026-03-15T23:59:59.000Z" },
      dataset: {
        granularity: "Daily",
        aggregation: { totalCost: { name: "Cost", function: "Sum" } },
        grouping: [
          { type: "Dimension", name: "MeterSubCategory" },
          { type: "Dimension", name: "Meter" },
        ],
        filter: {
          and: [{ dimensions: { name: "MeterCategory", operator: "In", values: ["Virtual Machines"] } }, { dimensions: { name: "ChargeType", operator: "In", values: ["Usage"] } }],
        },
      },
    });
    // Purchases are asked for apart, over the period only, by meter subcategory and pricing model.
    const purchases = costCalls(h.fake.requests)
      .filter(isPurchaseCall)
      .map((c) => c.body);
    expect(purchases).toHaveLength(3);
    expect(purchases[0]).toEqual({
      type: "ActualCost",
      timeframe: "Custom",
      timePeriod: { from: "2026-03-15T00:00:00.000Z", to: "2026-03-15T23:59:59.000Z" },
      dataset: {
        granularity: "Daily",
        aggregation: { totalCost: { name: "Cost", function: "Sum" } },
        grouping: [
          { type: "Dimension", name: "MeterSubCategory" },
          { type: "Dimension", name: "PricingModel" },
        ],
        filter: {
          and: [
            { dimensions: { name: "MeterCategory", operator: "In", values: ["Virtual Machines"] } },
            { dimensions: { name: "ChargeType", operator: "In", values: ["Purchase"] } },
          ],
        },
      },
    });
    for (const calls of [costCalls(h.fake.requests).filter((c) => !isPurchaseCall(c)), costCalls(h.fake.requests).filter(isPurchaseCall)]) {
      expect(calls.map((c) => c.path.split("/")[2] ?? "").sort()).toEqual([...subs(h)].sort());
    }
  });

  it("groups by size and by subscription", async () => {
    const h = await demo();
    const bySize = await runCommand(cliRequest("cost 7d by size"), h.app.context());
    const sizes = (tableOf(bySize)?.rows ?? []).map((x) => x.group ?? "");
    expect(sizes).toContain("NC24ads_A100_v4");
    expect(sizes).toContain("ND96isr_H100_v5");
    expect(sizes.every((s) => /^N[CDGV]/.test(s))).toBe(true);

    const bySub = await runCommand(cliRequest("cost 7d by subscription"), h.app.context());
    expect((tableOf(bySub)?.rows ?? []).map((x) => x.group).sort()).toEqual(["ai-platform-prod", "inference-prod", "ml-research-dev"]);
  });

  it("groups by a tag, untagged spend named as such", async () => {
    const h = await demo();
    const byTeam = await runCommand(cliRequest("cost mtd by tag:team"), h.app.context());
    const teams = (tableOf(byTeam)?.rows ?? []).map((x) => x.group);
    expect(teams).toEqual(expect.arrayContaining(["llm-training", "inference", "research", "vision", "(untagged)"]));
    const tagBody = costCalls(h.fake.requests).at(-1)?.body as { dataset: { grouping: unknown[] } };
    expect(tagBody.dataset.grouping[1]).toEqual({ type: "TagKey", name: "team" });
  });

  it("ActualCost names the reservation purchase on its own line, outside the total and the table; AmortizedCost spreads it", async () => {
    const h = await demo();
    const actual = await runCommand(cliRequest("cost mtd by rg"), h.app.context());
    // The truth from the fake's records: the purchases billed on 1 Mar, and the usage of the month so far.
    const days = Array.from({ length: 16 }, (_, i) => `2026-03-${String(i + 1).padStart(2, "0")}`);
    const records = days.flatMap((d) => h.fake.fleet.costRecords(d)).filter((r) => r.meterCategory === "Virtual Machines" && GPU_METER_SUBCATEGORY.test(r.meterSubCategory));
    const bought = records.filter((r) => r.chargeType === "Purchase");
    expect(bought.map((r) => r.date)).toEqual(["2026-03-01"]);
    const usage = toCents(records.filter((r) => r.chargeType === "Usage").reduce((n, r) => n + Math.round(r.actual * 1e6), 0) / 1e6);
    const money = (n: number) => `$${n.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
    expect(textOf(actual)).toMatch(new RegExp(`^Total GPU spend [^:]+: ${money(usage).replace(/[$.]/g, "\\$&")} `));
    expect(textOf(actual)).toContain(
      `\nPlus ${money(toCents(bought[0]!.actual))} reservation purchase on 1 Mar (ai-platform-prod): one-off, kept out of the total and the change.`,
    );
    expect((tableOf(actual)?.rows ?? []).map((x) => x.group)).not.toContain("(no resource group)");
    const data = actual.data as { totals: Array<{ amount: number }>; purchases: Array<Record<string, unknown>> };
    expect(data.totals[0]?.amount).toBe(usage);
    expect(data.purchases).toEqual([
      {
        date: "2026-03-01",
        amount: toCents(bought[0]!.actual),
        currency: "USD",
        kind: "reservation purchase",
        pricingModel: "Reservation",
        subscriptionId: bought[0]!.subscriptionId,
        subscriptionName: "ai-platform-prod",
      },
    ]);
    const h2 = await demo();
    const amortized = await runCommand(cliRequest("cost mtd by rg amortized"), h2.app.context());
    expect((tableOf(amortized)?.rows ?? []).map((x) => x.group)).not.toContain("(no resource group)");
    expect(textOf(amortized)).not.toContain("purchase");
    expect((amortized.data as { purchases: unknown[] }).purchases).toEqual([]);
    expect(costCalls(h2.fake.requests).every((c) => (c.body as { type: string }).type === "AmortizedCost" && !isPurchaseCall(c))).toBe(true);
  });

  it("compares with the previous period and says how fresh the billed data is", async () => {
    const h = await demo();
    const r = await runCommand(cliRequest("cost 30d by rg"), h.app.context());
    // 30 days of daily rows, plus the previous 30 days, daily too (to see whether they have data from their first day).
    const bodies = costCalls(h.fake.requests).map((c) => c.body as { timePeriod: { from: string; to: string }; dataset: { granularity?: string } });
    expect(bodies.every((b) => b.dataset.granularity === "Daily")).toBe(true);
    expect(bodies.map((b) => [b.timePeriod.from.slice(0, 10), b.timePeriod.to.slice(0, 10)]).sort()).toEqual([
      ["2026-01-16", "2026-02-14"],
      ["2026-01-16", "2026-02-14"],
      ["2026-01-16", "2026-02-14"],
      ["2026-02-15", "2026-03-16"],
      ["2026-02-15", "2026-03-16"],
      ["2026-02-15", "2026-03-16"],
      // Purchases, over the period itself.
      ["2026-02-15", "2026-03-16"],
      ["2026-02-15", "2026-03-16"],
      ["2026-02-15", "2026-03-16"],
    ]);
    // The change is over the 28 fully billed days against the same days before (answers-cost-trend.test.ts checks the sums).
    expect(textOf(r)).toMatch(/\(([▲▼] \d+ %|±0 %) over its 28 billed days, \$[\d,]+\.\d\d, vs the same days of the previous 30 days: \$[\d,]+\.\d\d\)/);
    expect(tableOf(r)?.columns.map((c) => c.label)).toEqual(["Resource group", "Spend", "Share", "Previous", "Change"]);
    // 15 and 16 Mar (UTC) are still being billed: the period's total is said to be still growing.
    expect(r.context[0]).toBe("Billed data complete through 14 Mar 2026 (UTC billing days); the last 2 days of this period are still being billed, so its total will still grow.");
  });
});

describe("cost: periods in the configured time zone", () => {
  const at = new Date("2026-03-16T00:30:00Z");
  it("yesterday is the zone's yesterday (Auckland vs Los Angeles around midnight UTC)", async () => {
    const nz = await demo({ now: at, env: { GPUOPS_TIMEZONE: "Pacific/Auckland" } });
    const rNz = await runCommand(cliRequest("cost yesterday"), nz.app.context());
    expect(rNz.title).toContain("yesterday (15 Mar)");
    expect((costCalls(nz.fake.requests)[0]!.body as { timePeriod: { to: string } }).timePeriod.to).toBe("2026-03-15T23:59:59.000Z");

    const la = await demo({ now: at, env: { GPUOPS_TIMEZONE: "America/Los_Angeles" } });
    const rLa = await runCommand(cliRequest("cost yesterday"), la.app.context());
    expect(rLa.title).toContain("yesterday (14 Mar)");
    expect((costCalls(la.fake.requests)[0]!.body as { timePeriod: { to: string } }).timePeriod.to).toBe("2026-03-14T23:59:59.000Z");
  });

  it("last month across a month boundary queries the whole month and the month before", async () => {
    const h = await demo({ now: new Date("2026-04-01T10:00:00Z") });
    const r = await runCommand(cliRequest("cost last month by subscription"), h.app.context());
    expect(r.title).toBe("GPU spend, March 2026, by subscription");
    const periods = costCalls(h.fake.requests).map((c) => {
      const b = c.body as { timePeriod: { from: string; to: string }; dataset: { granularity?: string } };
      return `${b.dataset.granularity ?? "None"} ${b.timePeriod.from.slice(0, 10)}..${b.timePeriod.to.slice(0, 10)}`;
    });
    expect(new Set(periods)).toEqual(new Set(["Daily 2026-03-01..2026-03-31", "Daily 2026-02-01..2026-02-28"]));
  });
});

describe("cost: paging, throttling and partial answers", () => {
  it("follows a nextLink, POSTing the same body, and loses no row", async () => {
    const h = await demo();
    const q = {
      scope: { kind: "subscriptions" as const, subscriptionIds: [subs(h)[0] as string] },
      from: "2026-03-03",
      to: "2026-03-16",
      granularity: "Daily" as const,
      grouping: { kind: "rg" as const },
      type: "ActualCost" as const,
    };
    const whole = await createCostAdapter(h.app.azure, { ttlSeconds: 0 }).gpuSpend(q);
    const onePage = costCalls(h.fake.requests);
    expect(onePage).toHaveLength(1);
    const rawRows = (JSON.parse(await rawPost(h.fake, `${onePage[0]?.path}?api-version=2022-10-01`, onePage[0]?.body)) as RawResult).properties.rows.length;
    h.fake.fleet.knobs.costPageSize = Math.ceil(rawRows / 2);
    h.fake.requests.length = 0;
    const paged = await createCostAdapter(h.app.azure, { ttlSeconds: 0 }).gpuSpend(q);
    const calls = costCalls(h.fake.requests);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.query.$skiptoken).toBeTruthy();
    expect(calls[1]?.body).toEqual(calls[0]?.body);
    const key = (r: CostRow) => `${r.date}|${r.group}|${r.amount}|${r.currency}`;
    expect(paged.rows.map(key).sort()).toEqual(whole.rows.map(key).sort());
    expect(paged.rows.length).toBeGreaterThan(0);
  });

  it("waits out a 429 with the QPU retry-after header, and the answer still comes", async () => {
    const h = await demo();
    h.fake.addFault({ match: "Microsoft.CostManagement/query", status: 429, headers: { "x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after": "1" }, times: 1 });
    const started = Date.now();
    const r = await runCommand(cliRequest("cost 7d by rg"), h.app.context());
    expect(r.outcome).toBe("ok");
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    const c = h.app.azure.counters()["Microsoft.CostManagement/query"];
    expect(c?.throttled).toBe(1);
    expect(c?.retries).toBe(1);
    expect(tableOf(r)?.rows.length).toBeGreaterThan(0);
  });

  it("when the tenant's QPU budget runs out the fake answers 429 and the query waits until it frees", async () => {
    const h = await demo();
    h.fake.fleet.knobs.qpu = { short: 2, shortMs: 1000, long: 100, longMs: 60_000 };
    const r = await runCommand(cliRequest("cost mtd by rg"), h.app.context());
    expect(r.outcome).toBe("ok");
    expect(h.app.azure.counters()["Microsoft.CostManagement/query"]?.throttled).toBeGreaterThan(0);
  });

  it("our own QPU budget spaces queries so the service never has to throttle", async () => {
    const h = await demo();
    // The budget runs on a virtual clock: its waits advance time instead of taking it, so the
    // spacing is exact however loaded the machine is.
    let t = 0;
    const budget = createQpuBudget({
      perShortWindow: 2,
      shortWindowMs: 700,
      now: () => t,
      sleep: async (ms) => {
        t += ms;
      },
    });
    const sentAt: number[] = [];
    const paced: QpuBudget = {
      ...budget,
      acquire: async (qpu) => {
        await budget.acquire(qpu);
        sentAt.push(t);
      },
    };
    const cost = createCostAdapter(h.app.azure, { ttlSeconds: 0, budget: paced });
    await cost.gpuSpend({
      scope: { kind: "subscriptions", subscriptionIds: subs(h) },
      from: "2026-03-10",
      to: "2026-03-16",
      granularity: "Daily",
      grouping: { kind: "rg" },
      type: "ActualCost",
    });
    expect(costCalls(h.fake.requests)).toHaveLength(3);
    expect(sentAt).toHaveLength(3);
    // Two fit the 700 ms window; the third waits for the first to leave it.
    expect(Math.max(...sentAt) - Math.min(...sentAt)).toBeGreaterThanOrEqual(700);
    expect(h.app.azure.counters()["Microsoft.CostManagement/query"]?.throttled ?? 0).toBe(0);
  });

  it("one forbidden subscription: the rest is answered and the missing one is named with the Cost Management Reader role", async () => {
    const h = await demo();
    const [a, b, c] = subs(h) as [string, string, string];
    h.fake.fleet.knobs.forbiddenCost.add(c);
    const r = await runCommand(cliRequest("cost 7d by subscription"), h.app.context());
    expect(r.outcome).toBe("partial");
    const note = r.context.find((x) => x.includes(c)) ?? "";
    expect(note).toContain("inference-prod");
    expect(note).toContain("Cost Management Reader");
    expect((tableOf(r)?.rows ?? []).map((x) => x.group).sort()).toEqual(["ai-platform-prod", "ml-research-dev"]);
    const { rows } = await replayRows(h);
    const inPeriod = rows.filter((x) => x.granularity === "Daily" && (x.UsageDate as number) >= 20260310 && [a, b].includes(String(x.SubscriptionId)));
    const total = toCents(inPeriod.reduce((n, x) => n + Math.round((x.Cost as number) * 1e6), 0) / 1e6);
    expect(textOf(r)).toContain(`$${total.toLocaleString("en-US", { minimumFractionDigits: 2 })}`);
  });

  it("every subscription forbidden is an Azure error that says what to fix", async () => {
    const h = await demo();
    for (const s of subs(h)) h.fake.fleet.knobs.forbiddenCost.add(s);
    const r = await runCommand(cliRequest("cost 7d"), h.app.context());
    expect(r.outcome).toBe("azure_error");
    expect(r.context.filter((x) => x.includes("Cost Management Reader"))).toHaveLength(3);
  });

  it("many channels asking the same question cost one set of queries", async () => {
    const h = await demo();
    const ask = (channel: string) => runCommand({ ...cliRequest("cost 7d by rg"), channel: { id: channel, platform: "slack" } }, h.app.context());
    const [x, y] = await Promise.all([ask("C1"), ask("C2")]);
    await ask("C3");
    // Usage and purchases, once per subscription.
    expect(costCalls(h.fake.requests)).toHaveLength(6);
    expect(tableOf(x)?.rows).toEqual(tableOf(y)?.rows);
  });

  it("bad arguments are refused kindly and never reach Cost Management", async () => {
    const h = await demo();
    for (const text of ["cost 7d by tag:te$am", "cost 7d by colour", "cost fortnight", "cost 7d 30d"]) {
      const r = await runCommand(cliRequest(text), h.app.context());
      expect(r.outcome).toBe("user_error");
      expect(textOf(r)).toContain("Try: cost 7d by rg");
    }
    expect(costCalls(h.fake.requests)).toHaveLength(0);
  });
});

describe("cost: the chart", () => {
  it("is a real PNG, served by the gpuops server at its URL", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "gpuops-chart-"));
    const config = loadConfig({ PORT: "0", GPUOPS_DEMO: "true", GPUOPS_DATA_DIR: dataDir, GPUOPS_LOG_LEVEL: "silent" }, { cwd: dataDir });
    const server = await startServer(config, { log: createLogger("silent") });
    try {
      const r = await runCommand(cliRequest("cost 7d by rg"), server.app.context());
      const image = r.parts.find((p): p is ImagePart => p.kind === "image");
      expect(image?.alt).toMatch(/^GPU spend per day by resource group/);
      expect(image?.url).toBe(`${server.url}/charts/${image?.imageId}.png`);
      const res = await fetch(image?.url as string);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("image/png");
      const png = Buffer.from(await res.arrayBuffer());
      expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(png.subarray(12, 16).toString("ascii")).toBe("IHDR");
      expect(png.readUInt32BE(16)).toBe(900);
      expect(png.readUInt32BE(20)).toBe(420);
      expect((await fetch(`${server.url}/charts/AAAAAAAAAAAAAAAAAAAAAAAA.png`)).status).toBe(404);
      expect((await fetch(`${server.url}/charts/..%2Fsecrets.png`)).status).toBe(404);
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it("links under GPUOPS_PUBLIC_URL when it is set", async () => {
    const h = await demo({ env: { GPUOPS_PUBLIC_URL: "https://gpuops.contoso.com/" } });
    const r = await runCommand(cliRequest("cost 7d"), h.app.context());
    const image = r.parts.find((p): p is ImagePart => p.kind === "image");
    expect(image?.url).toMatch(/^https:\/\/gpuops\.contoso\.com\/charts\/[A-Za-z0-9_-]{24}\.png$/);
    expect(await h.app.images.get(image?.imageId as string)).toBeInstanceOf(Buffer);
  });
});

describe("cost: a trend only when the previous period is like for like", () => {
  /** The demo fleet, but Cost Management has no spend before `since` (a young tenant or a new project). */
  async function demoSince(since: string, at = NOW): Promise<DemoHarness> {
    const base = createDemoFleet({ now: () => at });
    const fleet = { ...base, costRecords: (date: string) => (date < since ? [] : base.costRecords(date)) };
    const h = await startDemoApp({ now: () => at, fake: { fleet } });
    open.push(h);
    return h;
  }

  it("the demo tenant has spend for the whole previous period of the longest reach back, last month's", async () => {
    // 31 Mar: last month is February, the month before it January, which starts 89 days back.
    const h = await demo({ now: new Date("2026-03-31T12:00:00Z") });
    const r = await runCommand(cliRequest("cost last-month by subscription"), h.app.context());
    expect(r.outcome).toBe("ok");
    // February's reservation payment (1 Feb) is named on its own line, not in the total or the change.
    expect(textOf(r)).toMatch(
      /^Total GPU spend February 2026: \$[\d,]+\.\d\d \(([▲▼] \d+ %|±0 %) vs January 2026: \$[\d,]+\.\d\d\)\nPlus \$[\d,]+\.\d\d reservation purchase on 1 Feb \(ai-platform-prod\): one-off, kept out of the total and the change\.$/,
    );
    expect(h.fake.fleet.costRecords("2026-01-01").some((c) => c.meterSubCategory.includes("Series"))).toBe(true);
  });

  it("previous period only partly covered: says from when, shows no change column and no percentage", async () => {
    // Data from 20 Jan: January (the previous period of last month = February) is covered 12 of 31 days.
    const h = await demoSince("2026-01-20");
    const r = await runCommand(cliRequest("cost last-month by subscription amortized"), h.app.context());
    expect(r.outcome).toBe("ok");
    expect(textOf(r)).toMatch(
      /^Total GPU spend February 2026: \$[\d,]+\.\d\d\. No change is shown: spend data for January 2026 starts on 20 Jan \(12 of 31 days\), so it is not a like-for-like comparison \(\$[\d,]+\.\d\d in those days\)\.$/,
    );
    expect(textOf(r)).not.toMatch(/[▲▼]/);
    const t = tableOf(r) as TablePart;
    expect(t.columns.map((c) => c.label)).toEqual(["Subscription", "Spend", "Share", "Previous (from 20 Jan)"]);
    expect(t.rows.every((row) => row.change === undefined)).toBe(true);
  });

  it("no spend at all in the previous period: no trend, no previous column", async () => {
    const h = await demoSince("2026-02-01");
    const r = await runCommand(cliRequest("cost last-month"), h.app.context());
    expect(textOf(r)).toMatch(
      /^Total GPU spend February 2026: \$[\d,]+\.\d\d\. No GPU spend is recorded for January 2026, so there is no trend to compare with\.\nPlus \$[\d,]+\.\d\d reservation purchase on 1 Feb \(ai-platform-prod\): one-off, kept out of the total and the change\.$/,
    );
    expect(tableOf(r)?.columns.map((c) => c.label)).toEqual(["Size", "Spend", "Share"]);
  });

  it("today so far is not compared with all of yesterday as a percentage", async () => {
    const h = await demo();
    const r = await runCommand(cliRequest("cost today"), h.app.context());
    expect(textOf(r)).toMatch(
      /^Total GPU spend today so far: \$[\d,]+\.\d\d\. Today is not over and billing lags about a day, so no change against yesterday \(\$[\d,]+\.\d\d\) is shown\.$/,
    );
    expect(tableOf(r)?.columns.map((c) => c.label)).toEqual(["Size", "Spend", "Share", "Yesterday"]);
    expect(r.context[0]).toBe("Billed data complete through 14 Mar 2026 (UTC billing days); today is still being billed, so its total will still grow.");
  });
});
