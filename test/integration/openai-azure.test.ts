// The real @azure/arm-cognitiveservices client, built by our client factory, against the fake Azure
// over HTTPS on loopback: the fake answers in the official example shapes, paging, refusals with
// the role to ask for, throttling, and the `openai` answers built from what the fake serves.

import { readFileSync } from "node:fs";
import { request } from "node:https";
import { afterEach, describe, expect, it } from "vitest";
import { openaiVerb } from "../../src/commands/openai.ts";
import { openAiOf } from "../../src/fake-azure/demo-openai.ts";
import type { Reply, TablePart, TextPart } from "../../src/reply/reply.ts";
import type { OpenAiPort } from "../../src/services/ports.ts";
import { cliRequest, type DemoHarness, startDemoApp } from "../support/demo-app.ts";
import { runCommand } from "../support/router.ts";

const NOW = new Date("2026-12-03T09:00:00Z");
const PROD = "7d3a4b52-1c6e-4f0a-9b8e-2a5d6c7e8f90";

const open: DemoHarness[] = [];
async function demo(opts: Parameters<typeof startDemoApp>[0] = {}): Promise<DemoHarness> {
  const h = await startDemoApp({ now: () => NOW, ...opts });
  open.push(h);
  return h;
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

const port = (h: DemoHarness) => h.app.services.openai as OpenAiPort;
const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/azure/cognitiveservices/${name}`, import.meta.url), "utf8"));
const exampleItem = (name: string) => fixture(name).responses["200"].body.value[0];
const tableOf = (r: Reply) => r.parts.find((p): p is TablePart => p.kind === "table") as TablePart;
const textOf = (r: Reply) =>
  r.parts
    .filter((p): p is TextPart => p.kind === "text")
    .map((p) => p.text)
    .join("\n");

/** Every key path of a JSON value ("properties.model.name"); array items share one path. */
function keyPaths(v: unknown, prefix = ""): Set<string> {
  const out = new Set<string>();
  if (Array.isArray(v)) for (const item of v) for (const k of keyPaths(item, `${prefix}[]`)) out.add(k);
  else if (v && typeof v === "object") {
    for (const [k, child] of Object.entries(v)) {
      const path = prefix ? `${prefix}.${k}` : k;
      out.add(path);
      // Free-form maps (tags, capabilities) hold data, not fields.
      if (k !== "tags") for (const p of keyPaths(child, path)) out.add(p);
    }
  }
  return out;
}

/** GET straight from the fake (no SDK) to see the raw body. */
function rawGet(h: DemoHarness, path: string): Promise<{ value: unknown[] }> {
  return new Promise((resolve, reject) => {
    const req = request(`${h.fake.url}${path}`, { ca: h.fake.ca, headers: { authorization: `Bearer ${h.fake.token}` } }, (res) => {
      let body = "";
      res.on("data", (c) => (body += c));
      res.on("end", () => resolve(JSON.parse(body)));
    });
    req.on("error", reject);
    req.end();
  });
}

describe("the fake speaks the official example shapes", () => {
  const cases: Array<[string, string]> = [
    ["ListUsages.json", `/subscriptions/${PROD}/providers/Microsoft.CognitiveServices/locations/swedencentral/usages?api-version=2024-10-01`],
    ["ListAccountsBySubscription.json", `/subscriptions/${PROD}/providers/Microsoft.CognitiveServices/accounts?api-version=2024-10-01`],
    [
      "ListDeployments.json",
      `/subscriptions/${PROD}/resourceGroups/rg-openai-prod/providers/Microsoft.CognitiveServices/accounts/aoai-prod-swc/deployments?api-version=2024-10-01`,
    ],
    [
      "ListModelCapacities.json",
      `/subscriptions/${PROD}/providers/Microsoft.CognitiveServices/modelCapacities?api-version=2024-10-01&modelFormat=OpenAI&modelName=gpt-4o&modelVersion=2024-11-20`,
    ],
    [
      "ListLocationBasedModelCapacities.json",
      `/subscriptions/${PROD}/providers/Microsoft.CognitiveServices/locations/eastus2/modelCapacities?api-version=2024-10-01&modelFormat=OpenAI&modelName=gpt-4o&modelVersion=2024-11-20`,
    ],
    ["ListLocationModels.json", `/subscriptions/${PROD}/providers/Microsoft.CognitiveServices/locations/eastus/models?api-version=2024-10-01`],
  ];
  for (const [file, path] of cases) {
    it(`${file}: no field the example lacks`, async () => {
      const h = await demo();
      const body = await rawGet(h, path);
      expect(body.value.length).toBeGreaterThan(0);
      const allowed = new Set((fixture(file).responses["200"].body.value as unknown[]).flatMap((item) => [...keyPaths(item)]));
      for (const item of body.value) expect([...keyPaths(item)].filter((k) => !allowed.has(k))).toEqual([]);
    });
  }
});

describe("Azure OpenAI through @azure/arm-cognitiveservices", () => {
  it("reads quota usages per region, OpenAI rows next to the example's AccountCount", async () => {
    const h = await demo();
    const rows = await port(h).usages(PROD, "swedencentral");
    expect(rows[0]).toMatchObject({ name: exampleItem("ListUsages.json").name.value });
    expect(rows.find((u) => u.name === "OpenAI.Standard.gpt-4o")).toMatchObject({ current: 240, limit: 450 });
    expect(h.app.azure.counters()["Microsoft.CognitiveServices/usages"]?.calls).toBe(1);
  });

  it("follows nextLink for accounts, deployments and capacities and keeps only OpenAI-capable accounts", async () => {
    const h = await demo({ fake: { pageSize: 1 } });
    const accounts = await port(h).accounts(PROD);
    expect(accounts.map((a) => [a.name, a.kind, a.region])).toEqual([
      ["aoai-prod-swc", "OpenAI", "swedencentral"],
      ["foundry-prod-eus2", "AIServices", "eastus2"],
    ]);
    const deployments = await port(h).deployments(accounts[0] as (typeof accounts)[number]);
    expect(deployments.map((d) => `${d.name}:${d.type}:${d.capacity}`)).toEqual(["chat-gpt4o:Standard:240", "chat-mini:GlobalStandard:500", "ptu-gpt4o:ProvisionedManaged:100"]);
    const caps = await port(h).modelCapacities(PROD, { format: "OpenAI", name: "gpt-4o", version: "2024-11-20" });
    expect(new Set(caps.map((c) => c.region))).toEqual(new Set(openAiOf(h.fake.tenant).regions));
    const pages = h.fake.requests.filter((r) => /\/modelCapacities$/i.test(r.path));
    expect(pages.length).toBe(caps.length);
  });

  it("asks the location-based capacities API when given a region", async () => {
    const h = await demo();
    const caps = await port(h).modelCapacities(PROD, { format: "OpenAI", name: "gpt-4o", version: "2024-11-20" }, "eastus2");
    expect(new Set(caps.map((c) => c.region))).toEqual(new Set(["eastus2"]));
    expect(h.fake.requests.some((r) => /\/locations\/eastus2\/modelCapacities$/i.test(r.path) && r.query.modelName === "gpt-4o")).toBe(true);
  });

  it("says which role is missing when Azure refuses (403)", async () => {
    const h = await demo();
    h.fake.addFault({ match: "/Microsoft.CognitiveServices/locations/swedencentral/usages", status: 403 });
    await expect(port(h).usages(PROD, "swedencentral")).rejects.toMatchObject({ code: "azure_forbidden", message: expect.stringContaining("Cognitive Services Usages Reader") });
    const r = await runCommand(cliRequest("openai quota swedencentral"), h.app.context());
    expect(r.outcome).toBe("azure_error");
    expect(`${textOf(r)} ${r.context.join(" ")}`).toContain("Cognitive Services Usages Reader");
  });

  it("waits out a 429 with Retry-After through the shared pipeline", async () => {
    const h = await demo();
    h.fake.addFault({ match: "/Microsoft.CognitiveServices/locations/eastus2/usages", status: 429, headers: { "retry-after": "0" }, times: 1 });
    const rows = await port(h).usages(PROD, "eastus2");
    expect(rows.length).toBeGreaterThan(1);
    expect(h.app.azure.counters()["Microsoft.CognitiveServices/usages"]).toMatchObject({ calls: 2, throttled: 1, retries: 1 });
  });
});

describe("`openai` answers from the fake", () => {
  it("quota: per-model TPM used, limit, left and RPM, following the limits Azure reports", async () => {
    const h = await demo();
    let r = await runCommand(cliRequest("openai quota swedencentral gpt-4o"), h.app.context());
    expect(textOf(r)).toContain("ai-platform-prod · gpt-4o Standard: 240k of 450k TPM used, 210k left (≈ 1,260 RPM at 6 RPM per 1k TPM)");
    openAiOf(h.fake.tenant).setLimit(PROD, "swedencentral", "OpenAI.Standard.gpt-4o", 300);
    r = await runCommand(cliRequest("aoai quota swedencentral gpt-4o"), h.app.context());
    expect(textOf(r)).toContain("gpt-4o Standard: 240k of 300k TPM used, 60k left (≈ 360 RPM");
    expect(tableOf(r).rows.some((row) => row.subscription === "ai-platform-prod" && row.limit === "300k TPM" && row.left === "60k")).toBe(true);
  });

  it("quota: a model with no quota row is said to be absent, not zero", async () => {
    const h = await demo();
    const r = await runCommand(cliRequest("openai quota swedencentral gpt-5-turbo-nope"), h.app.context());
    expect(textOf(r)).toContain("No quota item found for gpt-5-turbo-nope");
  });

  it("where: regions that fit the ask come first, largest capacity first", async () => {
    const h = await demo();
    const r = await runCommand(cliRequest("openai where gpt-4o 300k tpm"), h.app.context());
    const rows = tableOf(r).rows;
    const fits = rows.map((x) => x.fit);
    expect(fits[0]).toBe("yes");
    expect(fits.lastIndexOf("yes")).toBeLessThan(fits.indexOf("not enough"));
    expect(rows.every((x) => !/Provisioned/.test(x.type ?? ""))).toBe(true);
    expect(rows[0]).toMatchObject({ region: "eastus2", type: "GlobalStandard", available: "3M TPM" });
    // Capacity the API no longer reports moves the region down.
    for (const k of [...openAiOf(h.fake.tenant).capacity.keys()]) if (k.startsWith("eastus2|")) openAiOf(h.fake.tenant).capacity.set(k, 0);
    const again = tableOf(await runCommand(cliRequest("openai where gpt-4o 300k tpm"), h.app.context())).rows;
    expect(again[0]?.region).not.toBe("eastus2");
    expect(again.filter((x) => x.region === "eastus2").every((x) => x.fit === "none left")).toBe(true);
  });

  it("deployments: every deployment with capacity in its unit and a warning for versions retiring soon", async () => {
    const h = await demo();
    const r = await runCommand(cliRequest("openai deployments"), h.app.context());
    const rows = tableOf(r).rows;
    expect(rows).toHaveLength(openAiOf(h.fake.tenant).deployments.length);
    expect(rows.find((x) => x.deployment === "ptu-reserved")).toMatchObject({ type: "GlobalProvisionedManaged", capacity: "50 PTU", retires: "2027-06-30" });
    expect(rows.find((x) => x.deployment === "chat-gpt4o")).toMatchObject({ capacity: "240k TPM", version: "2024-11-20" });
    expect(textOf(r)).toContain("legacy-35 (gpt-35-turbo 0125, retires 2027-01-31)");
    const swc = await runCommand(cliRequest("openai deployments swedencentral"), h.app.context());
    expect(new Set(tableOf(swc).rows.map((x) => x.region))).toEqual(new Set(["swedencentral"]));
  });

  it("deployments: one account refused is a partial answer that names it and the role", async () => {
    const h = await demo();
    h.fake.addFault({ match: "/accounts/aoai-research-eus/deployments", status: 403 });
    const r = await runCommand(cliRequest("openai deployments"), h.app.context());
    expect(r.outcome).toBe("partial");
    expect(tableOf(r).rows.some((x) => x.account === "aoai-research-eus")).toBe(false);
    expect(tableOf(r).rows.some((x) => x.deployment === "ptu-reserved")).toBe(true);
    expect(r.context.join(" ")).toMatch(/deployments of aoai-research-eus: .*Cognitive Services Usages Reader/);
  });

  it("idle: the under-used PTU deployment with PTUs × hourly price burnt; no data is unknown", async () => {
    const h = await demo();
    const r = await runCommand(cliRequest("openai idle"), h.app.context());
    const rows = tableOf(r).rows;
    expect(rows.find((x) => x.deployment === "ptu-reserved")).toMatchObject({ state: "idle", ptu: "50", cost: "$50.00/h", burnt: "$1,200.00" });
    expect(rows.find((x) => x.deployment === "ptu-gpt4o")?.state).toBe("busy");
    expect(rows.find((x) => x.deployment === "ptu-eu-mini")?.state).toBe("unknown");
    expect(r.context.join(" ")).toMatch(/demo placeholder price/);
    const metricCalls = h.fake.requests.filter((q) => /\/providers\/microsoft\.insights\/metrics$/i.test(q.path));
    expect(metricCalls.length).toBe(3);
    expect(metricCalls[0]?.query).toMatchObject({ metricnames: "AzureOpenAIProvisionedManagedUtilizationV2", interval: "PT1H", $filter: "ModelDeploymentName eq '*'" });
    expect(metricCalls[0]?.query.timespan).toBe("2026-12-02T09:00:00.000Z/2026-12-03T09:00:00.000Z");
    // A higher threshold turns the busy deployment idle only when its peak is under it.
    const strict = await runCommand(cliRequest("openai idle 99 %"), h.app.context());
    expect(tableOf(strict).rows.find((x) => x.deployment === "ptu-gpt4o")?.state).toBe("idle");
  });

  it("turns unclear words into a kind answer with an example", async () => {
    const h = await demo();
    for (const words of [["bogus"], ["where"], ["where", "gpt-4o", "50k", "ptu"], ["quota", "atlantis-ocean", "gpt-4o"], ["idle", "lots"]]) {
      const r = await openaiVerb.run(words, cliRequest(`openai ${words.join(" ")}`), h.app.context());
      expect(r.outcome, words.join(" ")).toBe("user_error");
      expect(textOf(r), words.join(" ")).toMatch(/Try: openai /);
    }
  });

  it("bare `openai` says what it can answer", async () => {
    const h = await demo();
    const r = await runCommand(cliRequest("aoai"), h.app.context());
    expect(r).toMatchObject({ title: "Azure OpenAI capacity", outcome: "ok" });
    expect(tableOf(r).rows.map((x) => (x.ask ?? "").split(" ")[1])).toEqual(["quota", "where", "deployments", "idle"]);
  });
});
