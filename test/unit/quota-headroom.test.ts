import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatFraction, fraction } from "../../src/domain/fraction.ts";
import { findSize } from "../../src/domain/gpu-catalogue.ts";
import { fitsQuota, headroom } from "../../src/domain/quota-headroom.ts";

const size = (name: string) => {
  const s = findSize(name);
  if (!s) throw new Error(`${name} missing from the catalogue`);
  return { vcpus: s.vcpus, gpus: s.gpus };
};

describe("headroom: the family quota and the regional cap", () => {
  it("the family quota binds when the region has more room", () => {
    // NC24ads_A100_v4: 24 vCPUs, 1 GPU. Family 48 of 120 used -> 72 free -> 3 VMs.
    const h = headroom({ current: 48, limit: 120 }, { current: 100, limit: 1000 }, size("Standard_NC24ads_A100_v4"));
    expect(h).toMatchObject({ familyFree: 72, regionalFree: 900, freeVcpus: 72, binding: "family", vms: 3 });
    expect(formatFraction(h.gpus!)).toBe("3");
  });

  it("the regional cap binds when it is tighter than the family", () => {
    // Family has 384 free, but the region only 50: 2 × 24-vCPU VMs, not 16.
    const h = headroom({ current: 0, limit: 384 }, { current: 450, limit: 500 }, size("Standard_NC24ads_A100_v4"));
    expect(h).toMatchObject({ familyFree: 384, regionalFree: 50, freeVcpus: 50, binding: "regional", vms: 2 });
  });

  it("an unknown regional cap leaves the family in charge", () => {
    const h = headroom({ current: 0, limit: 96 }, undefined, size("Standard_ND96isr_H100_v5"));
    expect(h).toMatchObject({ regionalFree: undefined, binding: "family", vms: 1 });
    expect(formatFraction(h.gpus!)).toBe("8");
  });

  it("over-used quota (current > limit, as Azure allows after a decrease) means zero, not negative", () => {
    const h = headroom({ current: 130, limit: 96 }, { current: 600, limit: 500 }, size("Standard_NC24ads_A100_v4"));
    expect(h.familyFree).toBe(0);
    expect(h.regionalFree).toBe(0);
    expect(h.vms).toBe(0);
    expect(formatFraction(h.gpus!)).toBe("0");
  });

  it("keeps fractional GPUs exact: 3 × NV6ads_A10_v5 is 1/2 GPU", () => {
    const nv6 = size("Standard_NV6ads_A10_v5");
    expect(formatFraction(nv6.gpus)).toBe("1/6");
    const h = headroom({ current: 0, limit: 18 }, { current: 0, limit: 100 }, nv6);
    expect(h.vms).toBe(3);
    expect(h.gpus).toEqual(fraction(1, 2));
    expect(formatFraction(h.gpus!)).toBe("1/2");
    // 7 × NV4as_v4 (1/8 GPU) = 7/8, never 0.875000001.
    const h2 = headroom({ current: 4, limit: 32 }, undefined, size("Standard_NV4as_v4"));
    expect(h2.vms).toBe(7);
    expect(formatFraction(h2.gpus!)).toBe("7/8");
  });

  it("a size of unknown GPU count gets null GPUs and a zero-vCPU size fits nothing", () => {
    expect(headroom({ current: 0, limit: 10 }, undefined, { vcpus: 2, gpus: null }).gpus).toBeNull();
    expect(headroom({ current: 0, limit: 10 }, undefined, { vcpus: 0, gpus: null }).vms).toBe(0);
  });

  const line = fc.record({ current: fc.nat(5000), limit: fc.nat(5000) });
  it("property: vms is the largest count that fits under both limits", () => {
    fc.assert(
      fc.property(line, fc.option(line, { nil: undefined }), fc.integer({ min: 1, max: 256 }), (fam, reg, vcpus) => {
        const h = headroom(fam, reg, { vcpus, gpus: fraction(1, 6) });
        const famFree = Math.max(0, fam.limit - fam.current);
        const regFree = reg ? Math.max(0, reg.limit - reg.current) : Number.POSITIVE_INFINITY;
        expect(h.vms * vcpus).toBeLessThanOrEqual(Math.min(famFree, regFree));
        expect((h.vms + 1) * vcpus).toBeGreaterThan(Math.min(famFree, regFree));
        expect(h.binding).toBe(regFree < famFree ? "regional" : "family");
        expect(h.gpus).toEqual(fraction(h.vms, 6));
      }),
    );
  });
});

describe("fitsQuota", () => {
  it("fits when both limits allow it", () => {
    expect(fitsQuota(2, 24, { current: 0, limit: 48 }, { current: 0, limit: 100 })).toEqual({
      fits: true,
      neededVcpus: 48,
      freeVcpus: 48,
      shortBy: 0,
      binding: "family",
    });
  });

  it("says how many vCPUs the family quota is short by", () => {
    // 8 × ND96isr_H100_v5 = 768 vCPUs; family has 96 free, region plenty.
    const fit = fitsQuota(8, 96, { current: 0, limit: 96 }, { current: 0, limit: 5000 });
    expect(fit).toMatchObject({ fits: false, neededVcpus: 768, shortBy: 672, binding: "family" });
  });

  it("says when the regional cap is what is short", () => {
    // Family has room for 4 × 24 = 96, the region only 40 free: short by 56 on the regional cap.
    const fit = fitsQuota(4, 24, { current: 0, limit: 200 }, { current: 60, limit: 100 });
    expect(fit).toMatchObject({ fits: false, neededVcpus: 96, freeVcpus: 40, shortBy: 56, binding: "regional" });
  });

  it("short on both: the larger shortfall is the one to raise", () => {
    const fit = fitsQuota(2, 96, { current: 96, limit: 144 }, { current: 0, limit: 100 });
    // family free 48 (short 144), regional free 100 (short 92)
    expect(fit).toMatchObject({ fits: false, shortBy: 144, binding: "family" });
  });

  it("property: fits exactly when count is within headroom, and shortBy closes the gap", () => {
    const line = fc.record({ current: fc.nat(3000), limit: fc.nat(3000) });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 1, max: 128 }), line, fc.option(line, { nil: undefined }), (count, vcpus, fam, reg) => {
        const fit = fitsQuota(count, vcpus, fam, reg);
        expect(fit.fits).toBe(count <= headroom(fam, reg, { vcpus, gpus: null }).vms);
        // Raising both limits by shortBy always makes it fit.
        const raised = fitsQuota(
          count,
          vcpus,
          { ...fam, limit: Math.max(fam.limit, fam.current) + fit.shortBy },
          reg && { ...reg, limit: Math.max(reg.limit, reg.current) + fit.shortBy },
        );
        expect(raised.fits).toBe(true);
      }),
    );
  });
});
