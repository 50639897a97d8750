// Azure OpenAI capacity arithmetic: usage names, units, the `openai where` ask, ranking, idle PTUs.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseMetrics, ptuPriceSetting } from "../../src/azure/cognitive-services.ts";
import { capacityText, parseIdleArgs } from "../../src/commands/openai.ts";
import {
  DEPLOYMENT_TYPES,
  parseCapacityAsk,
  parseDeploymentType,
  parseUsageName,
  ptuCost,
  ptuVerdict,
  quotaFigures,
  quotaSentence,
  rankOffers,
  rpmFor,
  sameModel,
} from "../../src/domain/openai-capacity.ts";
import { GpuopsError } from "../../src/errors.ts";

const fixture = (name: string) => JSON.parse(readFileSync(new URL(`../fixtures/azure/cognitiveservices/${name}`, import.meta.url), "utf8"));

describe("usage names", () => {
  it("reads deployment type and model from OpenAI quota names", () => {
    expect(parseUsageName("OpenAI.Standard.gpt-4o")).toEqual({ type: "Standard", model: "gpt-4o" });
    expect(parseUsageName("OpenAI.GlobalStandard.gpt-4o-mini")).toEqual({ type: "GlobalStandard", model: "gpt-4o-mini" });
    expect(parseUsageName("OpenAI.Standard.gpt4.1")).toEqual({ type: "Standard", model: "gpt4.1" });
    expect(parseUsageName("OpenAI.ProvisionedManaged")).toEqual({ type: "ProvisionedManaged", model: undefined });
  });

  it("ignores rows that are not OpenAI quota, such as the example's AccountCount", () => {
    const rows = fixture("ListUsages.json").responses["200"].body.value as Array<{ name: { value: string } }>;
    expect(rows.map((r) => parseUsageName(r.name.value))).toEqual([undefined]);
    expect(parseUsageName("OpenAIish")).toBeUndefined();
  });

  it("matches models whose usage name drops the dash", () => {
    expect(sameModel("gpt4.1", "gpt-4.1")).toBe(true);
    expect(sameModel("gpt-4o", "gpt-4o-mini")).toBe(false);
    expect(sameModel("gpt-4.1", "gpt-41")).toBe(false);
  });
});

describe("units", () => {
  it("counts token quota in 1,000 TPM and RPM at 6 per 1,000 TPM", () => {
    const f = quotaFigures("Standard", 240, 450);
    expect(f).toEqual({ unit: "TPM", used: 240_000, limit: 450_000, left: 210_000, rpmLeft: 1260 });
    expect(quotaSentence("gpt-4o", "Standard", f)).toBe("gpt-4o Standard: 240k of 450k TPM used, 210k left (≈ 1,260 RPM at 6 RPM per 1k TPM)");
    expect(rpmFor(1_000)).toBe(6);
  });

  it("counts provisioned quota in PTUs, with no RPM", () => {
    const f = quotaFigures("GlobalProvisionedManaged", 50, 200);
    expect(f).toEqual({ unit: "PTU", used: 50, limit: 200, left: 150, rpmLeft: undefined });
    expect(quotaSentence(undefined, "GlobalProvisionedManaged", f)).toBe("GlobalProvisionedManaged (all models): 50 of 200 PTU used, 150 left");
  });

  it("never reports negative headroom when usage exceeds the limit", () => {
    expect(quotaFigures("Standard", 500, 450).left).toBe(0);
  });

  it("writes capacity in the unit of the deployment type", () => {
    expect(capacityText("Standard", 240)).toBe("240k TPM");
    expect(capacityText("GlobalStandard", 1500)).toBe("1.5M TPM");
    expect(capacityText("ProvisionedManaged", 100)).toBe("100 PTU");
    expect(capacityText("Standard", undefined)).toBe("—");
  });
});

describe("the `openai where` ask", () => {
  it("reads TPM and PTU amounts and deployment types", () => {
    expect(parseCapacityAsk(["gpt-4o", "300k", "tpm"])).toEqual({ ok: true, ask: { model: "gpt-4o", amount: { value: 300, unit: "TPM" } } });
    expect(parseCapacityAsk(["gpt-4.1", "1.5m", "tpm", "global", "standard"])).toEqual({
      ok: true,
      ask: { model: "gpt-4.1", amount: { value: 1500, unit: "TPM" }, type: "GlobalStandard" },
    });
    expect(parseCapacityAsk(["gpt-4o", "50", "ptu", "data", "zone", "provisioned"])).toEqual({
      ok: true,
      ask: { model: "gpt-4o", amount: { value: 50, unit: "PTU" }, type: "DataZoneProvisionedManaged" },
    });
    expect(parseCapacityAsk(["GPT-4o"])).toEqual({ ok: true, ask: { model: "gpt-4o" } });
    // Quota moves in steps of 1,000 TPM: 1,500 TPM needs 2 units.
    expect(parseCapacityAsk(["gpt-4o", "1500", "tpm"])).toEqual({ ok: true, ask: { model: "gpt-4o", amount: { value: 2, unit: "TPM" } } });
  });

  it("refuses unclear or contradictory asks with a reason", () => {
    for (const words of [
      [],
      ["300k"],
      ["gpt-4o", "300"],
      ["gpt-4o", "50k", "ptu"],
      ["gpt-4o", "50", "ptu", "standard"],
      ["gpt-4o", "lots"],
      ["gpt-4o", "0", "ptu"],
      ["drop;table"],
    ]) {
      const r = parseCapacityAsk(words);
      expect(r.ok, words.join(" ")).toBe(false);
      if (!r.ok) expect(r.problem.length).toBeGreaterThan(10);
    }
  });

  it("never throws and only passes plain model names on, whatever the words (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 30 }), { maxLength: 8 }), (words) => {
        const r = parseCapacityAsk(words);
        if (r.ok) {
          expect(r.ask.model).toMatch(/^[a-z0-9][a-z0-9._-]{0,63}$/);
          if (r.ask.amount) expect(Number.isInteger(r.ask.amount.value) && r.ask.amount.value >= 1).toBe(true);
        } else expect(typeof r.problem).toBe("string");
      }),
    );
  });

  it("round-trips any well-formed ask (property)", () => {
    const model = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}(\.[0-9])?$/);
    fc.assert(
      fc.property(model, fc.integer({ min: 1, max: 99_999 }), fc.boolean(), fc.constantFrom(...DEPLOYMENT_TYPES), fc.boolean(), (m, n, ptu, type, withType) => {
        const unitOk = ptu === /provisioned/i.test(type);
        const words = [m, ptu ? `${n}` : `${n}k`, ptu ? "ptu" : "tpm", ...(withType && unitOk ? [type] : [])];
        const r = parseCapacityAsk(words);
        expect(r).toEqual({ ok: true, ask: { model: m, amount: { value: n, unit: ptu ? "PTU" : "TPM" }, ...(withType && unitOk ? { type } : {}) } });
      }),
    );
  });

  it("knows every deployment type by its Azure spelling", () => {
    for (const t of DEPLOYMENT_TYPES) expect(parseDeploymentType(t)).toBe(t);
    expect(parseDeploymentType("global provisioned")).toBe("GlobalProvisionedManaged");
    expect(parseDeploymentType("constructor")).toBeUndefined();
  });
});

describe("ranking regions", () => {
  const offers = [
    { region: "eastus", version: "1", skuName: "Standard", available: 0 },
    { region: "westus3", version: "1", skuName: "Standard", available: 1200 },
    { region: "swedencentral", version: "1", skuName: "Standard", available: 450 },
    { region: "westeurope", version: "1", skuName: "Standard", available: 200 },
    { region: "eastus2", version: "1", skuName: "ProvisionedManaged", available: 50 },
  ];

  it("puts regions that fit first, then the most capacity; PTU offers drop out of a TPM ask", () => {
    const r = rankOffers(offers, { model: "gpt-4o", amount: { value: 300, unit: "TPM" } });
    expect(r.map((o) => [o.region, o.fits])).toEqual([
      ["westus3", true],
      ["swedencentral", true],
      ["westeurope", false],
      ["eastus", false],
    ]);
  });

  it("keeps only the type asked for", () => {
    expect(rankOffers(offers, { model: "gpt-4o", type: "ProvisionedManaged" }).map((o) => o.region)).toEqual(["eastus2"]);
  });
});

describe("idle PTUs", () => {
  it("is idle only when every hour stays under the threshold over enough data", () => {
    expect(ptuVerdict([2, 3, 4], 24, { thresholdPercent: 10, minHours: 6 })).toEqual({ kind: "idle", peakPercent: 4, hours: 24 });
    expect(ptuVerdict([2, 30, 4], 24, { thresholdPercent: 10, minHours: 6 })).toEqual({ kind: "busy", peakPercent: 30 });
    expect(ptuVerdict([], 24, { thresholdPercent: 10, minHours: 6 }).kind).toBe("unknown");
    expect(ptuVerdict([1, 1], 2, { thresholdPercent: 10, minHours: 6 }).kind).toBe("unknown");
  });

  it("costs PTUs × hourly price × hours", () => {
    expect(ptuCost(50, 2, 24)).toBe(2400);
  });

  it("reads the threshold and refuses anything else (property: never throws)", () => {
    expect(parseIdleArgs([])).toEqual({ thresholdPercent: 10 });
    expect(parseIdleArgs(["under", "20", "%"])).toEqual({ thresholdPercent: 20 });
    expect(parseIdleArgs(["5%"])).toEqual({ thresholdPercent: 5 });
    expect("problem" in parseIdleArgs(["all"])).toBe(true);
    fc.assert(fc.property(fc.array(fc.string({ maxLength: 20 }), { maxLength: 5 }), (words) => void parseIdleArgs(words)));
  });

  it("reads one series per deployment from a metrics-list body in the documented shape", () => {
    const doc = fixture("docs-2018-01-01.metrics-list.vm-percentage-cpu.json");
    // The documented body is a VM metric: nothing about PTUs in it.
    expect(parseMetrics(doc)).toEqual([]);
    const split = structuredClone(doc);
    split.value[0].name = { value: "ProvisionedManagedUtilizationV2", localizedValue: "Provisioned-managed Utilization V2" };
    split.value[0].timeseries[0].metadatavalues = [{ name: { value: "ModelDeploymentName", localizedValue: "ModelDeploymentName" }, value: "ptu-a" }];
    expect(parseMetrics(split)).toEqual([{ deployment: "ptu-a", points: [0.44, 0.31, 0.29, 0.29, 0.285] }]);
  });

  it("takes a configured PTU price, labels the demo's, and refuses a malformed one", () => {
    expect(ptuPriceSetting({ GPUOPS_OPENAI_PTU_HOURLY_PRICE: "2.5 EUR" }, { demo: false, currency: "USD" })).toEqual({
      perHour: 2.5,
      currency: "EUR",
      source: "configured price (GPUOPS_OPENAI_PTU_HOURLY_PRICE)",
    });
    expect(ptuPriceSetting({}, { demo: false, currency: "USD" })).toBeUndefined();
    expect(ptuPriceSetting({}, { demo: true, currency: "USD" })?.source).toMatch(/demo/);
    expect(() => ptuPriceSetting({ GPUOPS_OPENAI_PTU_HOURLY_PRICE: "-1" }, { demo: false, currency: "USD" })).toThrow(GpuopsError);
  });
});
