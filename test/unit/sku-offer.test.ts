// SKUs from the recorded swedencentral Resource SKU list (src/fake-azure/seed/SOURCES.md).
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { findGpuModels } from "../../src/domain/gpu-catalogue.ts";
import { formatMoney } from "../../src/domain/money.ts";
import { type SkuInput, toOffer } from "../../src/domain/sku-offer.ts";

interface RawSku {
  name: string;
  family?: string;
  locationInfo?: Array<{ zones?: string[] }>;
  restrictions?: Array<{ type: string; reasonCode: string; restrictionInfo?: { zones?: string[] } }>;
  capabilities?: Array<{ name: string; value: string }>;
}

const raw = JSON.parse(readFileSync(new URL("../../src/fake-azure/seed/resource-skus.swedencentral-gpu.az-cli-2025.json", import.meta.url), "utf8")) as RawSku[];
const toInput = (s: RawSku): SkuInput => ({
  name: s.name,
  family: s.family ?? "",
  zones: s.locationInfo?.[0]?.zones ?? [],
  restrictions: (s.restrictions ?? []).map((r) => ({ type: r.type === "Zone" ? "Zone" : "Location", reasonCode: r.reasonCode, zones: r.restrictionInfo?.zones ?? [] })),
  capabilities: s.capabilities ?? [],
});
const a100 = raw.find((s) => s.name === "Standard_NC24ads_A100_v4") as RawSku;

describe("toOffer on cached SKUs", () => {
  it("derives an offer once per SKU object and looks it up after", () => {
    const sku = toInput(a100);
    const first = toOffer(sku);
    expect(first?.info.size).toBe("Standard_NC24ads_A100_v4");
    expect(toOffer(sku)).toBe(first);
  });

  it("derives afresh for a new SKU object (a refreshed list), so a new restriction shows", () => {
    const before = toOffer(toInput(a100));
    const restricted = { ...toInput(a100), restrictions: [{ type: "Location" as const, reasonCode: "NotAvailableForSubscription", zones: [] }] };
    const after = toOffer(restricted);
    expect(before?.available).toBe(true);
    expect(after?.available).toBe(false);
    expect(after?.restrictions).toEqual(["not offered to this subscription in this region"]);
  });

  it("remembers SKUs that are not GPU sizes as such", () => {
    const cpu = raw.find((s) => !/^Standard_N/i.test(s.name));
    if (cpu) {
      const sku = toInput(cpu);
      expect(toOffer(sku)).toBeUndefined();
      expect(toOffer(sku)).toBeUndefined();
    }
  });
});

describe("warm lookups give the same answers as cold ones", () => {
  it("findGpuModels answers a repeated query alike, and callers cannot change the remembered list", () => {
    const first = findGpuModels("a100");
    first.length = 0;
    expect(findGpuModels("a100").map((m) => m.key)).toEqual(findGpuModels("A100").map((m) => m.key));
    expect(findGpuModels("a100").length).toBeGreaterThan(0);
  });

  it("formatMoney keeps each currency's minor unit after the first call", () => {
    expect(formatMoney(1200.4, "JPY")).toBe("¥1,200");
    expect(formatMoney(1200.4, "JPY")).toBe("¥1,200");
    expect(formatMoney(1234.5, "USD")).toBe("$1,234.50");
    expect(formatMoney(1234.5, "usd")).toBe("$1,234.50");
  });
});
