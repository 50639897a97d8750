// GPU compute recognition in cost rows: the meter subcategory pattern and the catalogue, cross-checked.
// Meter names are built here from the catalogue's sizes the way Cost Management spells them.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyGpuRow } from "../../src/azure/cost.ts";
import { GPU_SIZES } from "../../src/domain/gpu-catalogue.ts";

const meterOf = (size: string) => size.replace(/^Standard_/, "").replace(/_/g, " ");

describe("classifyGpuRow", () => {
  it("a meter naming a catalogue GPU size is GPU compute even when the subcategory pattern misses it", () => {
    for (const s of GPU_SIZES) {
      const meter = meterOf(s.size);
      expect(classifyGpuRow("Virtual Machines Series", meter), meter).toEqual({ gpu: true, agree: false });
      expect(classifyGpuRow(`${s.series.replace(/_/g, " ")} Series`, meter).gpu, meter).toBe(true);
    }
  });

  it("the subcategory pattern alone still counts a size the catalogue does not know, flagged as one reading", () => {
    expect(classifyGpuRow("NCv9 Series", "NC999x v9")).toEqual({ gpu: true, agree: false });
  });

  it("general-purpose meters are not GPU compute on either reading", () => {
    expect(classifyGpuRow("Dv5 Series", "D4s v5")).toEqual({ gpu: false, agree: true });
    expect(classifyGpuRow("Premium SSD Managed Disks", "P10 LRS Disk")).toEqual({ gpu: false, agree: true });
  });

  it("never throws, and calls nothing GPU that neither reading recognises", () => {
    fc.assert(
      fc.property(fc.string(), fc.option(fc.string(), { nil: undefined }), (sub, meter) => {
        const r = classifyGpuRow(sub, meter);
        if (!/^\s*N[CDGV]/i.test(sub) && r.gpu) expect(r.agree === false || meter !== undefined || sub.trim() !== "").toBe(true);
      }),
    );
    fc.assert(
      fc.property(fc.stringMatching(/^[A-MO-Z][a-z0-9 ]{0,20}$/), (sub) => {
        expect(classifyGpuRow(sub, "D4s v5").gpu).toBe(false);
      }),
    );
  });
});
