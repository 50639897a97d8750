// Expected values below are copied by hand from docs/platform-facts.md section A,
// not computed from the catalogue, so a typo in either place shows up here.
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { add, formatFraction, fraction, multiply, toNumber } from "../../src/domain/fraction.ts";
import {
  describeSku,
  effectiveStatus,
  findGpuModels,
  findSeriesByFamily,
  findSize,
  formatStatus,
  GPU_MODELS,
  GPU_SERIES,
  GPU_SIZES,
  isGpuQuery,
  isLegacyGpuFamily,
  LEGACY_GPU_FAMILIES,
  normaliseFamily,
  normaliseSize,
  type SkuCapabilitiesInput,
  sizesForGpu,
  sizesInFamily,
} from "../../src/domain/gpu-catalogue.ts";

// The real recordings the project keeps (provenance in src/fake-azure/seed/SOURCES.md).
const FIXTURES = new URL("../../src/fake-azure/seed", import.meta.url).pathname;

interface Pin {
  size: string;
  series: string;
  vcpus: number;
  memoryGib: number;
  gpus: string;
  gpuMemoryGb: number;
  family: string | null;
  status: string;
  gpu: string;
}

// One size per series: [size, series, vCPU, RAM GiB, GPUs, GPU mem total GB, quota family, status, GPU model key].
type PinRow = [string, string, number, number, string, number, string | null, string, string];
const PIN_ROWS: PinRow[] = [
  ["Standard_NC4as_T4_v3", "NCasT4_v3", 4, 28, "1", 16, "Standard NCASv3_T4 Family", "current", "t4"],
  ["Standard_NC24s_v3", "NCv3", 24, 448, "4", 64, "standardNCSv3Family", "retired 30 Sep 2025", "v100-16"],
  ["Standard_NC24ads_A100_v4", "NC_A100_v4", 24, 220, "1", 80, "StandardNCADSA100v4Family", "current", "a100-80"],
  ["Standard_NC32ads_A10_v4", "NC_A10_v4", 32, 400, "2", 48, "StandardNCADSA10v4Family", "current", "a10"],
  ["Standard_NC80adis_H100_v5", "NCads_H100_v5", 80, 640, "2", 188, "StandardNCadsH100v5Family", "current", "h100-nvl"],
  ["Standard_NCC40ads_H100_v5", "NCCads_H100_v5", 40, 320, "1", 94, "StandardNCCads2023Family", "current", "h100-nvl"],
  ["Standard_NC256ds_xl_RTXPRO6000BSE_v6", "NC_RTXPRO6000BSE_v6", 256, 1024, "2", 192, null, "preview", "rtx-pro-6000"],
  ["Standard_ND40rs_v2", "NDv2", 40, 672, "8", 256, "standardNDSv2Family", "current", "v100-32"],
  ["Standard_ND96asr_v4", "ND_A100_v4", 96, 900, "8", 320, "Standard NDASv4_A100 Family", "current", "a100-40"],
  ["Standard_ND96amsr_A100_v4", "NDm_A100_v4", 96, 1900, "8", 640, "standard NDAMSv4_A100Family", "current", "a100-80"],
  ["Standard_ND96isr_H100_v5", "ND_H100_v5", 96, 1900, "8", 640, "standardNDSH100v5Family", "current", "h100-80"],
  ["Standard_ND96isr_H200_v5", "ND_H200_v5", 96, 1850, "8", 1128, "standardNDISRH200V5Family", "current", "h200"],
  ["Standard_ND96isr_MI300X_v5", "ND_MI300X_v5", 96, 1850, "8", 1536, "standardNDISv5MI300XFamily", "current", "mi300x"],
  ["Standard_ND128isr_NDR_GB200_v6", "ND_GB200_v6", 128, 900, "4", 768, "standardNDISRGB200V6NDRFamily", "current", "gb200"],
  ["Standard_ND128isr_GB300_v6", "ND_GB300_v6", 128, 864, "4", 1152, "standardNDISRGB300V6Family", "current", "gb300"],
  ["Standard_NV6ads_A10_v5", "NVadsA10_v5", 6, 55, "1/6", 4, "StandardNVADSA10v5Family", "current", "a10"],
  ["Standard_NV24s_v3", "NVv3", 24, 224, "2", 16, "standardNVSv3Family", "retiring 30 Sep 2026", "m60"],
  ["Standard_NV4as_v4", "NVv4", 4, 14, "1/8", 2, "standardNVSv4Family", "retiring 30 Sep 2026", "mi25"],
  ["Standard_NG8ads_V620_v1", "NGads_V620", 8, 16, "1/4", 8, "StandardNGADSV620v1Family", "current", "v620"],
  ["Standard_NV28adms_V710_v5", "NVads_V710_v5", 28, 160, "1", 24, "StandardNVadsV710v5Family", "current", "v710"],
];
const PINS: Pin[] = PIN_ROWS.map(([size, series, vcpus, memoryGib, gpus, gpuMemoryGb, family, status, gpu]) => ({
  size,
  series,
  vcpus,
  memoryGib,
  gpus,
  gpuMemoryGb,
  family,
  status,
  gpu,
}));

// Every size name in the table, expanded to full ARM names.
const ALL_SIZES = [
  "Standard_NC4as_T4_v3",
  "Standard_NC8as_T4_v3",
  "Standard_NC16as_T4_v3",
  "Standard_NC64as_T4_v3",
  "Standard_NC6s_v3",
  "Standard_NC12s_v3",
  "Standard_NC24s_v3",
  "Standard_NC24rs_v3",
  "Standard_NC24ads_A100_v4",
  "Standard_NC48ads_A100_v4",
  "Standard_NC96ads_A100_v4",
  "Standard_NC8ads_A10_v4",
  "Standard_NC16ads_A10_v4",
  "Standard_NC32ads_A10_v4",
  "Standard_NC40ads_H100_v5",
  "Standard_NC80adis_H100_v5",
  "Standard_NCC40ads_H100_v5",
  "Standard_NC128ds_xl_RTXPRO6000BSE_v6",
  "Standard_NC256ds_xl_RTXPRO6000BSE_v6",
  "Standard_NC320ds_xl_RTXPRO6000BSE_v6",
  "Standard_NC128lds_xl_RTXPRO6000BSE_v6",
  "Standard_NC256lds_xl_RTXPRO6000BSE_v6",
  "Standard_NC320lds_xl_RTXPRO6000BSE_v6",
  "Standard_ND40rs_v2",
  "Standard_ND96asr_v4",
  "Standard_ND96amsr_A100_v4",
  "Standard_ND96isr_H100_v5",
  "Standard_ND96isr_H200_v5",
  "Standard_ND96isr_MI300X_v5",
  "Standard_ND96is_MI300X_v5",
  "Standard_ND128isr_NDR_GB200_v6",
  "Standard_ND128isr_GB300_v6",
  "Standard_ND128isrG5_GB300_v6",
  "Standard_NV6ads_A10_v5",
  "Standard_NV12ads_A10_v5",
  "Standard_NV18ads_A10_v5",
  "Standard_NV36ads_A10_v5",
  "Standard_NV36adms_A10_v5",
  "Standard_NV72ads_A10_v5",
  "Standard_NV12s_v3",
  "Standard_NV24s_v3",
  "Standard_NV48s_v3",
  "Standard_NV4as_v4",
  "Standard_NV8as_v4",
  "Standard_NV16as_v4",
  "Standard_NV32as_v4",
  "Standard_NG8ads_V620_v1",
  "Standard_NG16ads_V620_v1",
  "Standard_NG32ads_V620_v1",
  "Standard_NG32adms_V620_v1",
  "Standard_NV4ads_V710_v5",
  "Standard_NV8ads_V710_v5",
  "Standard_NV12ads_V710_v5",
  "Standard_NV24ads_V710_v5",
  "Standard_NV28adms_V710_v5",
];

interface RawSku {
  name: string;
  family?: string;
  capabilities?: Array<{ name: string; value: string }>;
}

function toInput(raw: RawSku): SkuCapabilitiesInput {
  const input: SkuCapabilitiesInput = { name: raw.name, capabilities: raw.capabilities ?? [] };
  if (raw.family !== undefined) input.family = raw.family;
  return input;
}

function cap(raw: RawSku, name: string): string | undefined {
  return raw.capabilities?.find((c) => c.name === name)?.value;
}

describe("fraction", () => {
  it("reduces and formats", () => {
    expect(fraction(2, 12)).toEqual({ num: 1, den: 6 });
    expect(fraction(3, -6)).toEqual({ num: -1, den: 2 });
    expect(formatFraction(fraction(4, 2))).toBe("2");
    expect(formatFraction(fraction(1, 6))).toBe("1/6");
    expect(formatFraction(fraction(8, 6))).toBe("4/3");
    expect(toNumber(fraction(1, 8))).toBe(0.125);
  });

  it("multiplies and adds exactly", () => {
    expect(multiply(fraction(1, 6), 3)).toEqual({ num: 1, den: 2 });
    expect(multiply(fraction(1, 6), 6)).toEqual({ num: 1, den: 1 });
    expect(add(fraction(1, 3), fraction(1, 6))).toEqual({ num: 1, den: 2 });
  });

  it("rejects a zero denominator and non-integers", () => {
    expect(() => fraction(1, 0)).toThrow(RangeError);
    expect(() => fraction(0.5)).toThrow(RangeError);
  });
});

describe("catalogue contents", () => {
  it.each(PINS)("$size matches the fact sheet", (pin) => {
    const s = findSize(pin.size);
    expect(s, pin.size).toBeDefined();
    if (s === undefined) return;
    expect(s.size).toBe(pin.size);
    expect(s.series).toBe(pin.series);
    expect(s.vcpus).toBe(pin.vcpus);
    expect(s.memoryGib).toBe(pin.memoryGib);
    expect(formatFraction(s.gpus)).toBe(pin.gpus);
    expect(s.gpuMemoryGb).toBe(pin.gpuMemoryGb);
    expect(s.family).toBe(pin.family);
    expect(formatStatus(s.status)).toBe(pin.status);
    expect(s.gpu.key).toBe(pin.gpu);
    expect(s.inCatalogue).toBe(true);
  });

  it("pins one size of every sized series", () => {
    const sized = new Set(GPU_SIZES.map((s) => s.series));
    expect(new Set(PINS.map((p) => p.series))).toEqual(sized);
  });

  it("holds exactly the sizes in the fact sheet table, with unique names", () => {
    expect(GPU_SIZES.map((s) => s.size).sort()).toEqual([...ALL_SIZES].sort());
  });

  it("has the retired series with their legacy families and dates", () => {
    const retired = (series: string) => GPU_SERIES.find((s) => s.series === series);
    expect(retired("NC")).toMatchObject({ family: "standardNCFamily", status: { kind: "retired", on: "2023-08-31" } });
    expect(retired("NC")?.gpu.key).toBe("k80");
    expect(retired("NCv2")).toMatchObject({ family: "standardNCSv2Family", status: { kind: "retired", on: "2023-08-31" } });
    expect(retired("NCv2")?.gpu.key).toBe("p100");
    expect(retired("ND")).toMatchObject({ family: "standardNDSFamily", status: { kind: "retired", on: "2023-08-31" } });
    expect(retired("ND")?.gpu.key).toBe("p40");
    expect(retired("NV")).toMatchObject({ family: "standardNVFamily", status: { kind: "retired", on: "2023-09-06" } });
    expect(retired("NV")?.gpu.key).toBe("m60");
    expect(LEGACY_GPU_FAMILIES).toHaveLength(7);
    expect(isLegacyGpuFamily("standardNCPromoFamily")).toBe(true);
    expect(isLegacyGpuFamily("StandardNVADSA10v5Family")).toBe(false);
  });

  it("keeps the sheet's other statuses and the unknown RTX PRO family", () => {
    expect(findSize("Standard_NC24rs_v3")?.status).toEqual({ kind: "retired", on: "2025-09-30" });
    expect(findSize("Standard_NV12s_v3")?.status).toEqual({ kind: "retiring", on: "2026-09-30" });
    expect(findSize("Standard_NC320lds_xl_RTXPRO6000BSE_v6")).toMatchObject({
      vcpus: 320,
      memoryGib: 640,
      gpuMemoryGb: 192,
      family: null,
      status: { kind: "preview" },
    });
    expect(findSize("Standard_NC8ads_A10_v4")?.gpuMemoryGb).toBe(24);
    expect(findSize("Standard_ND128isrG5_GB300_v6")?.family).toBe("standardNDISRGB300G5V6Family");
  });

  it("carries a note wherever the sheet marks ⚠", () => {
    for (const size of [
      "Standard_NC16ads_A10_v4",
      "Standard_ND96isr_MI300X_v5",
      "Standard_ND96is_MI300X_v5",
      "Standard_ND128isr_NDR_GB200_v6",
      "Standard_ND128isr_GB300_v6",
      "Standard_ND128isrG5_GB300_v6",
    ]) {
      expect(findSize(size)?.note, size).toMatch(/⚠/);
    }
  });

  it("is internally consistent: GPU memory = GPUs × per-GPU memory", () => {
    for (const s of GPU_SIZES) {
      expect(s.gpuMemoryGb, s.size).toBeCloseTo(toNumber(s.gpus) * s.gpu.memoryGbPerGpu, 9);
      expect(GPU_MODELS).toContain(s.gpu);
    }
  });
});

describe("fractional GPU shares", () => {
  it.each([
    ["Standard_NV6ads_A10_v5", { num: 1, den: 6 }, 4],
    ["Standard_NV12ads_A10_v5", { num: 1, den: 3 }, 8],
    ["Standard_NV18ads_A10_v5", { num: 1, den: 2 }, 12],
    ["Standard_NV4as_v4", { num: 1, den: 8 }, 2],
    ["Standard_NV8as_v4", { num: 1, den: 4 }, 4],
    ["Standard_NG8ads_V620_v1", { num: 1, den: 4 }, 8],
    ["Standard_NV4ads_V710_v5", { num: 1, den: 6 }, 4],
  ])("%s is a share of one GPU", (size, gpus, mem) => {
    expect(findSize(size)?.gpus).toEqual(gpus);
    expect(findSize(size)?.gpuMemoryGb).toBe(mem);
  });
});

describe("size names", () => {
  it("normalises with or without the Standard_ prefix, any case, spaces", () => {
    expect(normaliseSize("nc24ads_a100_v4")).toBe("standard_nc24ads_a100_v4");
    expect(normaliseSize("Standard_NC24ads_A100_v4")).toBe("standard_nc24ads_a100_v4");
    expect(normaliseSize(" standard nc24ads a100 v4 ")).toBe("standard_nc24ads_a100_v4");
  });

  it("finds sizes case-insensitively", () => {
    expect(findSize("nc24ads_a100_v4")?.size).toBe("Standard_NC24ads_A100_v4");
    expect(findSize("STANDARD_ND96ISR_H100_V5")?.size).toBe("Standard_ND96isr_H100_v5");
    expect(findSize("Standard_D2_v2")).toBeUndefined();
  });
});

describe("quota families", () => {
  const usages = JSON.parse(readFileSync(`${FIXTURES}/compute-usages.westus.az-cli-recording-2023.json`, "utf8")) as {
    value: Array<{ name: { value: string; localizedValue: string } }>;
  };
  const usageFamily = (v: string) => usages.value.find((u) => u.name.value === v)?.name.value ?? "";

  it("normalises case and whitespace only", () => {
    expect(normaliseFamily("Standard NCASv3_T4 Family")).toBe("standardncasv3_t4family");
    expect(normaliseFamily(" standard\tNDAMSv4_A100Family ")).toBe("standardndamsv4_a100family");
  });

  it("matches the usages spellings to catalogue families", () => {
    expect(usageFamily("standard NDAMSv4_A100Family")).not.toBe("");
    expect(normaliseFamily(usageFamily("standard NDAMSv4_A100Family"))).toBe(normaliseFamily(findSize("Standard_ND96amsr_A100_v4")?.family ?? "x"));
    expect(findSeriesByFamily(usageFamily("Standard NCASv3_T4 Family"))?.series).toBe("NCasT4_v3");
    expect(findSeriesByFamily("StandardNCASv3_T4Family")?.series).toBe("NCasT4_v3");
    expect(findSeriesByFamily(usageFamily("Standard NDASv4_A100 Family"))?.series).toBe("ND_A100_v4");
    expect(findSeriesByFamily(usageFamily("StandardNCADSA100v4Family"))?.series).toBe("NC_A100_v4");
    expect(findSeriesByFamily(usageFamily("standardNCSv3Family"))?.series).toBe("NCv3");
    expect(findSeriesByFamily(usageFamily("standardNCFamily"))?.series).toBe("NC");
    expect(sizesInFamily("Standard NCASv3_T4 Family").map((s) => s.size)).toEqual([
      "Standard_NC4as_T4_v3",
      "Standard_NC8as_T4_v3",
      "Standard_NC16as_T4_v3",
      "Standard_NC64as_T4_v3",
    ]);
  });

  it("resolves every GPU family in the usages recording that the sheet knows", () => {
    const gpuFamilies = usages.value.map((u) => u.name.value).filter((v) => /^standard\s*N[CDVG]/i.test(v));
    expect(gpuFamilies.length).toBeGreaterThan(10);
    for (const fam of gpuFamilies) {
      const known = findSeriesByFamily(fam) !== undefined || isLegacyGpuFamily(fam);
      // standardNDSv3Family is the only N family in the recording the sheet does not list.
      if (fam !== "standardNDSv3Family") expect(known, fam).toBe(true);
    }
  });

  it("matches the localized usages spelling too", () => {
    expect(findSeriesByFamily("Standard NCADS_A100_v4 Family vCPUs")?.series).toBe("NC_A100_v4");
    expect(findSeriesByFamily("standardNDISRGB300G5V6Family")?.series).toBe("ND_GB300_v6");
    expect(findSeriesByFamily("standardDv2Family")).toBeUndefined();
  });
});

describe("GPU model queries", () => {
  const keys = (q: string) =>
    findGpuModels(q)
      .map((m) => m.key)
      .sort();

  it("matches names case-insensitively, ignoring spaces and hyphens", () => {
    expect(keys("a100")).toEqual(["a100-40", "a100-80"]);
    expect(keys("A100")).toEqual(["a100-40", "a100-80"]);
    expect(keys("a100 80GB")).toEqual(["a100-80"]);
    expect(keys("h100 nvl")).toEqual(["h100-nvl"]);
    expect(keys("H100NVL")).toEqual(["h100-nvl"]);
    expect(keys("H100-NVL")).toEqual(["h100-nvl"]);
    expect(keys("t4")).toEqual(["t4"]);
    expect(keys("mi300x")).toEqual(["mi300x"]);
    expect(keys("gb200")).toEqual(["gb200"]);
    expect(keys("a10")).toEqual(["a10"]);
    expect(keys("NVIDIA A10")).toEqual(["a10"]);
    expect(keys("mi300")).toEqual(["mi300x"]);
    expect(keys("rtx pro 6000")).toEqual(["rtx-pro-6000"]);
    expect(keys("radeon")).toEqual(["mi25", "v620", "v710"]);
    expect(keys("in")).toEqual([]);
    expect(keys("nope")).toEqual([]);
    expect(keys("")).toEqual([]);
  });

  it("lists sizes for a GPU", () => {
    expect(sizesForGpu("a100").map((s) => s.size)).toEqual([
      "Standard_NC24ads_A100_v4",
      "Standard_NC48ads_A100_v4",
      "Standard_NC96ads_A100_v4",
      "Standard_ND96asr_v4",
      "Standard_ND96amsr_A100_v4",
    ]);
    expect(sizesForGpu("h100 nvl").map((s) => s.size)).toEqual(["Standard_NC40ads_H100_v5", "Standard_NC80adis_H100_v5", "Standard_NCC40ads_H100_v5"]);
    expect(sizesForGpu("nope")).toEqual([]);
  });

  it("tells GPU queries from size names", () => {
    expect(isGpuQuery("H200")).toBe(true);
    expect(isGpuQuery("Standard_NC24ads_A100_v4")).toBe(false);
    expect(isGpuQuery("quota")).toBe(false);
  });
});

describe("describeSku", () => {
  const skus = JSON.parse(readFileSync(`${FIXTURES}/resource-skus.swedencentral-gpu.az-cli-2025.json`, "utf8")) as RawSku[];

  it("resolves every GPU SKU in the swedencentral recording", () => {
    const gpuSkus = skus.filter((s) => Number(cap(s, "GPUs") ?? "0") >= 1);
    expect(gpuSkus).toHaveLength(21);
    for (const raw of gpuSkus) {
      const info = describeSku(toInput(raw));
      expect(info, raw.name).toBeDefined();
      if (info === undefined) continue;
      expect(info.vcpus, raw.name).toBe(Number(cap(raw, "vCPUs")));
      expect(normaliseFamily(info.family ?? ""), raw.name).toBe(normaliseFamily(raw.family ?? "?"));
    }
  });

  it("lets the catalogue win over the SKU's GPUs capability for fractional sizes", () => {
    const raw = skus.find((s) => s.name === "Standard_NV6ads_A10_v5");
    expect(raw && cap(raw, "GPUs")).toBe("1");
    const info = raw && describeSku(toInput(raw));
    expect(info?.inCatalogue).toBe(true);
    expect(info?.gpus).toEqual({ num: 1, den: 6 });
    expect(info?.gpuMemoryGb).toBe(4);
  });

  it("falls back to capabilities for an unknown N-series SKU", () => {
    const info = describeSku({
      name: "Standard_NC999x_Z1_v9",
      family: "standardNCZ1v9Family",
      capabilities: [
        { name: "vCPUs", value: "12" },
        { name: "MemoryGB", value: "96" },
        { name: "GPUs", value: "3" },
      ],
    });
    expect(info).toMatchObject({
      size: "Standard_NC999x_Z1_v9",
      inCatalogue: false,
      vcpus: 12,
      memoryGib: 96,
      gpus: { num: 3, den: 1 },
      gpu: null,
      gpuMemoryGb: null,
      family: "standardNCZ1v9Family",
    });
  });

  it("infers the series of a retired legacy SKU from its family", () => {
    const mixed = JSON.parse(readFileSync(`${FIXTURES}/resource-skus.eastus-mixed.skewer.json`, "utf8")) as {
      value: RawSku[];
    };
    const nv6 = mixed.value.find((s) => s.name === "Standard_NV6");
    expect(nv6).toBeDefined();
    const info = nv6 && describeSku(toInput(nv6));
    expect(info).toMatchObject({ inCatalogue: false, series: "NV", status: { kind: "retired", on: "2023-09-06" } });
    expect(info?.gpu?.key).toBe("m60");
  });

  it("infers the series of a new sibling size (GA partial-GPU RTX PRO)", () => {
    const info = describeSku({
      name: "Standard_NC24lds_xl_RTXPRO6000BSE_v6",
      capabilities: [{ name: "vCPUs", value: "24" }],
    });
    expect(info).toMatchObject({ inCatalogue: false, series: "NC_RTXPRO6000BSE_v6", status: { kind: "preview" } });
    expect(info?.gpus).toBeNull();
  });

  it("accepts a GPU SKU outside the N prefix when it reports GPUs", () => {
    const info = describeSku({ name: "Standard_X4_v1", capabilities: [{ name: "GPUs", value: "1" }] });
    expect(info?.inCatalogue).toBe(false);
  });

  it("returns undefined for a non-GPU SKU", () => {
    expect(
      describeSku({
        name: "Standard_D2_v2",
        family: "standardDv2Family",
        capabilities: [
          { name: "vCPUs", value: "2" },
          { name: "MemoryGB", value: "7" },
        ],
      }),
    ).toBeUndefined();
  });
});

describe("status", () => {
  it("formats", () => {
    expect(formatStatus({ kind: "current" })).toBe("current");
    expect(formatStatus({ kind: "preview" })).toBe("preview");
    expect(formatStatus({ kind: "retiring", on: "2026-09-30" })).toBe("retiring 30 Sep 2026");
    expect(formatStatus({ kind: "retired", on: "2025-09-30" })).toBe("retired 30 Sep 2025");
  });

  it("turns retiring into retired once the date is reached", () => {
    const s = { kind: "retiring", on: "2026-09-30" } as const;
    expect(effectiveStatus(s, "2026-09-29")).toEqual(s);
    expect(effectiveStatus(s, "2026-09-30")).toEqual({ kind: "retired", on: "2026-09-30" });
    expect(effectiveStatus(s, "2027-01-01T00:00:00Z")).toEqual({ kind: "retired", on: "2026-09-30" });
    expect(effectiveStatus({ kind: "current" }, "2030-01-01")).toEqual({ kind: "current" });
  });
});

describe("properties", () => {
  it("lookups never throw on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        findSize(s);
        findGpuModels(s);
        normaliseFamily(s);
        normaliseSize(s);
        findSeriesByFamily(s);
        sizesInFamily(s);
        isGpuQuery(s);
        describeSku({ name: s, capabilities: [{ name: "GPUs", value: s }] });
      }),
      { numRuns: 500 },
    );
  });

  it("findSize accepts any casing and prefix of every catalogued name", () => {
    fc.assert(
      fc.property(fc.constantFrom(...GPU_SIZES), fc.boolean(), fc.boolean(), (size, upper, strip) => {
        let name = strip ? size.size.replace(/^Standard_/, "") : size.size;
        name = upper ? name.toUpperCase() : name.toLowerCase();
        expect(findSize(name)).toBe(size);
      }),
    );
  });
});
