// Shared wording (src/commands/format.ts) and the plain-words SKU restrictions (src/domain/sku-offer.ts).
import { describe, expect, it } from "vitest";
import { count, gpuNumber, gpusPhrase, NO_OWNER, ownerText, someNames } from "../../src/commands/format.ts";
import { periodText } from "../../src/commands/status.ts";
import { fraction } from "../../src/domain/fraction.ts";
import { toOffer } from "../../src/domain/sku-offer.ts";

describe("GPU counts for people", () => {
  it("whole numbers as they are, a share of one GPU as a fraction, more than one as a decimal", () => {
    expect(gpusPhrase(fraction(0))).toBe("0 GPUs");
    expect(gpusPhrase(fraction(1))).toBe("1 GPU");
    expect(gpusPhrase(fraction(16))).toBe("16 GPUs");
    expect(gpusPhrase(fraction(1, 6))).toBe("1/6 GPU");
    expect(gpusPhrase(fraction(21, 6))).toBe("3.5 GPUs");
    expect(gpusPhrase(fraction(7, 4))).toBe("1.75 GPUs");
    expect(gpusPhrase(fraction(10, 3))).toBe("≈ 3.33 GPUs");
    expect(gpuNumber(fraction(4, 3))).toBe("≈ 1.33");
    expect(gpuNumber(fraction(1, 3))).toBe("1/3");
  });

  it("counts get thousands separators", () => {
    expect(count(3199744)).toBe("3,199,744");
    expect(count(96)).toBe("96");
  });
});

describe("lists and owners, worded the same by every verb", () => {
  it("names a few and says how many more, leaving the full stop to the sentence", () => {
    expect(someNames(["a", "b"])).toBe("a, b");
    expect(someNames(["a", "b", "c", "d", "e"])).toBe("a, b, c, d, e");
    expect(someNames(["a", "b", "c", "d", "e", "f", "g"])).toBe("a, b, c, d, e and 2 more");
    expect(`${someNames(["a", "b", "c", "d"], 3)}.`).toBe("a, b, c and 1 more.");
    expect(`${someNames(Array.from({ length: 9 }, (_, i) => `vm${i}`))}.`).not.toMatch(/…\.|\.\.$/);
  });

  it("an owner tag, else the team tag, else 'no owner tag' (never a bare dash)", () => {
    expect(ownerText("alice@contoso.com", "vision")).toBe("alice@contoso.com");
    expect(ownerText(undefined, "vision")).toBe("team vision");
    expect(ownerText(undefined, undefined)).toBe(NO_OWNER);
    expect(NO_OWNER).toBe("no owner tag");
  });
});

describe("job periods in status", () => {
  it("UTC slots read the same whether a cron or an interval job stored them; a digest's local date stays", () => {
    expect(periodText("2026-11-26T22:07")).toBe("2026-11-26 22:07 UTC");
    expect(periodText("2026-11-26T22:00:00.000Z")).toBe("2026-11-26 22:00 UTC");
    expect(periodText("2026-11-27")).toBe("2026-11-27");
  });
});

describe("SKU restrictions in plain words", () => {
  const sku = (restrictions: Parameters<typeof toOffer>[0]["restrictions"]) =>
    toOffer({ name: "Standard_ND96isr_H100_v5", family: "standardNDSH100v5Family", zones: ["1", "2", "3"], restrictions, capabilities: [{ name: "vCPUs", value: "96" }] });

  it("a size blocked in the whole region says only that (its zone restriction would repeat it)", () => {
    const o = sku([
      { type: "Location", reasonCode: "NotAvailableForSubscription", zones: [] },
      { type: "Zone", reasonCode: "NotAvailableForSubscription", zones: ["1", "2", "3"] },
    ]);
    expect(o?.available).toBe(false);
    expect(o?.zones).toEqual([]);
    expect(o?.restrictions).toEqual(["not offered to this subscription in this region"]);
  });

  it("a zone restriction alone is kept, and those zones are taken out", () => {
    const o = sku([{ type: "Zone", reasonCode: "NotAvailableForSubscription", zones: ["2"] }]);
    expect(o?.available).toBe(true);
    expect(o?.zones).toEqual(["1", "3"]);
    expect(o?.restrictions).toEqual(["not offered to this subscription in zone 2"]);
  });
});
