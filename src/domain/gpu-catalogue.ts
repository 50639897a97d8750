// Azure GPU VM catalogue: the seed the bot answers from before (or instead of) asking Azure.
//
// Source of truth: docs/platform-facts.md section A ("Azure GPU VM catalogue"),
// source keys A1–A19 (Microsoft size pages), A20 (retired-sizes list), A21/A22 (K80/P100/P40 and
// NV retirements), A23/A27 (family strings: Red Hat OpenShift table, ARO-RP), A24 (Aspire generated
// code), A25 (SkyPilot fetch_azure.py). Values flagged ⚠ on the sheet carry a `note`.
//
// Status is "as of the fact sheet" (mid-2026); callers that need "as of today" use effectiveStatus.
// Pure data and pure functions: no I/O.

import { type Fraction, fraction } from "./fraction.ts";

export type SizeStatus =
  | { kind: "current" }
  | { kind: "preview" }
  | { kind: "retiring"; on: string } // ISO date "2026-09-30"
  | { kind: "retired"; on: string };

export interface GpuModel {
  key: string;
  name: string;
  memoryGbPerGpu: number;
  vendor: "NVIDIA" | "AMD";
  aliases: string[];
}

export interface GpuSeries {
  series: string;
  gpu: GpuModel;
  family: string | null;
  use: string;
  status: SizeStatus;
  note?: string;
  /** Form factor / interconnect detail the sheet gives next to the GPU (PCIe, SXM, InfiniBand, …). */
  gpuDetail?: string;
}

export interface GpuSize {
  size: string;
  series: string;
  gpu: GpuModel;
  gpus: Fraction;
  gpuMemoryGb: number;
  vcpus: number;
  memoryGib: number;
  family: string | null;
  use: string;
  status: SizeStatus;
  inCatalogue: true;
  note?: string;
}

// ---------------------------------------------------------------------------------------------
// GPU models. Aliases are matched after lower-casing and dropping spaces, hyphens and underscores,
// so "h100 nvl" also covers "H100-NVL" and "h100nvl". Several models may share an alias ("a100",
// "h100", "v100") on purpose: a bare family name should return every memory variant.

const CURRENT: SizeStatus = { kind: "current" };

const T4: GpuModel = { key: "t4", name: "T4", memoryGbPerGpu: 16, vendor: "NVIDIA", aliases: ["t4", "tesla t4"] };
const V100_16: GpuModel = {
  key: "v100-16",
  name: "V100 16 GB",
  memoryGbPerGpu: 16,
  vendor: "NVIDIA",
  aliases: ["v100", "tesla v100", "v100 16", "v100 16gb"],
};
const V100_32: GpuModel = {
  key: "v100-32",
  name: "V100 32 GB",
  memoryGbPerGpu: 32,
  vendor: "NVIDIA",
  aliases: ["v100", "tesla v100", "v100 32", "v100 32gb"],
};
const A100_40: GpuModel = {
  key: "a100-40",
  name: "A100 40 GB",
  memoryGbPerGpu: 40,
  vendor: "NVIDIA",
  aliases: ["a100", "a100 40", "a100 40gb"],
};
const A100_80: GpuModel = {
  key: "a100-80",
  name: "A100 80 GB",
  memoryGbPerGpu: 80,
  vendor: "NVIDIA",
  aliases: ["a100", "a100 80", "a100 80gb"],
};
const A10: GpuModel = { key: "a10", name: "A10", memoryGbPerGpu: 24, vendor: "NVIDIA", aliases: ["a10", "a10 24gb"] };
const H100_NVL: GpuModel = {
  key: "h100-nvl",
  name: "H100 NVL",
  memoryGbPerGpu: 94,
  vendor: "NVIDIA",
  aliases: ["h100", "h100 nvl", "h100nvl", "h100 94", "h100 94gb"],
};
const H100_80: GpuModel = {
  key: "h100-80",
  name: "H100 80 GB",
  memoryGbPerGpu: 80,
  vendor: "NVIDIA",
  aliases: ["h100", "h100 sxm", "h100 80", "h100 80gb"],
};
const H200: GpuModel = { key: "h200", name: "H200", memoryGbPerGpu: 141, vendor: "NVIDIA", aliases: ["h200", "h200 141gb"] };
const MI300X: GpuModel = {
  key: "mi300x",
  name: "Instinct MI300X",
  memoryGbPerGpu: 192,
  vendor: "AMD",
  aliases: ["mi300x", "mi300", "instinct mi300x"],
};
const GB200: GpuModel = {
  key: "gb200",
  name: "GB200",
  memoryGbPerGpu: 192,
  vendor: "NVIDIA",
  aliases: ["gb200", "gb200 nvl72", "b200", "blackwell"],
};
const GB300: GpuModel = {
  key: "gb300",
  name: "GB300 (Blackwell Ultra)",
  memoryGbPerGpu: 288,
  vendor: "NVIDIA",
  aliases: ["gb300", "b300", "blackwell ultra", "blackwell"],
};
const RTX_PRO_6000: GpuModel = {
  key: "rtx-pro-6000",
  name: "RTX PRO 6000 Blackwell Server Edition",
  memoryGbPerGpu: 96,
  vendor: "NVIDIA",
  aliases: ["rtx pro 6000", "rtx pro 6000 bse", "rtx 6000", "rtx pro", "rtx", "rtx pro 6000 blackwell", "blackwell"],
};
const M60: GpuModel = { key: "m60", name: "Tesla M60", memoryGbPerGpu: 8, vendor: "NVIDIA", aliases: ["m60", "tesla m60"] };
const MI25: GpuModel = {
  key: "mi25",
  name: "Radeon Instinct MI25",
  memoryGbPerGpu: 16,
  vendor: "AMD",
  aliases: ["mi25", "instinct mi25", "radeon instinct mi25"],
};
const V620: GpuModel = {
  key: "v620",
  name: "Radeon PRO V620",
  memoryGbPerGpu: 32,
  vendor: "AMD",
  aliases: ["v620", "radeon pro v620", "radeon v620"],
};
const V710: GpuModel = {
  key: "v710",
  name: "Radeon PRO V710",
  memoryGbPerGpu: 24,
  vendor: "AMD",
  aliases: ["v710", "radeon pro v710", "radeon v710"],
};
// Retired generations: the sheet names the GPU but not its memory; per-GPU memory is the vendor
// figure (K80 counted per GPU die, as Azure exposes it).
const K80: GpuModel = { key: "k80", name: "Tesla K80", memoryGbPerGpu: 12, vendor: "NVIDIA", aliases: ["k80", "tesla k80"] };
const P100: GpuModel = { key: "p100", name: "Tesla P100", memoryGbPerGpu: 16, vendor: "NVIDIA", aliases: ["p100", "tesla p100"] };
const P40: GpuModel = { key: "p40", name: "Tesla P40", memoryGbPerGpu: 24, vendor: "NVIDIA", aliases: ["p40", "tesla p40"] };

export const GPU_MODELS: readonly GpuModel[] = [
  T4,
  V100_16,
  V100_32,
  A100_40,
  A100_80,
  A10,
  H100_NVL,
  H100_80,
  H200,
  MI300X,
  GB200,
  GB300,
  RTX_PRO_6000,
  M60,
  MI25,
  V620,
  V710,
  K80,
  P100,
  P40,
];

// ---------------------------------------------------------------------------------------------
// Series and sizes, in the fact sheet's table order. Each size row is
// [short name without "Standard_", vCPUs, RAM GiB, GPUs per VM, total GPU memory GB | undefined, extra].
// GPU memory is written as the sheet gives it; `undefined` means the sheet omits it and it is
// derived as GPUs × per-GPU memory (NC_A10_v4, RTX PRO compute-optimised sizes).

interface SizeExtra {
  family?: string;
  note?: string;
}
type SizeRow = readonly [string, number, number, Fraction, number | undefined, SizeExtra?];
interface SeriesDef extends GpuSeries {
  sizes: readonly SizeRow[];
}

const f = fraction;

const SERIES_DEFS: readonly SeriesDef[] = [
  {
    series: "NCasT4_v3",
    gpu: T4,
    family: "Standard NCASv3_T4 Family",
    use: "inference, light training",
    status: CURRENT,
    sizes: [
      ["NC4as_T4_v3", 4, 28, f(1), 16],
      ["NC8as_T4_v3", 8, 56, f(1), 16],
      ["NC16as_T4_v3", 16, 110, f(1), 16],
      ["NC64as_T4_v3", 64, 440, f(4), 64],
    ],
  },
  {
    series: "NCv3",
    gpu: V100_16,
    family: "standardNCSv3Family",
    use: "training/HPC",
    status: { kind: "retired", on: "2025-09-30" },
    note: "Retired 30 Sep 2025, including the RDMA size NC24rs_v3 [A2, A20].",
    sizes: [
      ["NC6s_v3", 6, 112, f(1), 16],
      ["NC12s_v3", 12, 224, f(2), 32],
      ["NC24s_v3", 24, 448, f(4), 64],
      ["NC24rs_v3", 24, 448, f(4), 64, { note: "RDMA." }],
    ],
  },
  {
    series: "NC_A100_v4",
    gpu: A100_80,
    gpuDetail: "PCIe, MIG-capable",
    family: "StandardNCADSA100v4Family",
    use: "mid-size training, inference",
    status: CURRENT,
    note: 'Microsoft is "only deploying net-new capacity for NCads_H100_v5" [A3].',
    sizes: [
      ["NC24ads_A100_v4", 24, 220, f(1), 80],
      ["NC48ads_A100_v4", 48, 440, f(2), 160],
      ["NC96ads_A100_v4", 96, 880, f(4), 320],
    ],
  },
  {
    series: "NC_A10_v4",
    gpu: A10,
    family: "StandardNCADSA10v4Family",
    use: "compute A10",
    status: CURRENT,
    note:
      "⚠ Not on the Microsoft size pages read for the fact sheet; sizes and family string come from Aspire " +
      "generated code and SkyPilot [A24, A25]. GPU memory derived as GPUs × 24 GB.",
    sizes: [
      ["NC8ads_A10_v4", 8, 100, f(1), undefined],
      ["NC16ads_A10_v4", 16, 200, f(1), undefined],
      ["NC32ads_A10_v4", 32, 400, f(2), undefined],
    ],
  },
  {
    series: "NCads_H100_v5",
    gpu: H100_NVL,
    family: "StandardNCadsH100v5Family",
    use: "training/inference",
    status: CURRENT,
    sizes: [
      ["NC40ads_H100_v5", 40, 320, f(1), 94],
      ["NC80adis_H100_v5", 80, 640, f(2), 188],
    ],
  },
  {
    series: "NCCads_H100_v5",
    // The sheet says "H100 94 GB"; 94 GB per GPU is the H100 NVL part, so it shares that model.
    gpu: H100_NVL,
    gpuDetail: "confidential VM (AMD SEV-SNP)",
    family: "StandardNCCads2023Family",
    use: "confidential AI",
    status: CURRENT,
    note: "Confidential VM (SEV-SNP); no Accelerated Networking [A5].",
    sizes: [["NCC40ads_H100_v5", 40, 320, f(1), 94]],
  },
  {
    series: "NC_RTXPRO6000BSE_v6",
    gpu: RTX_PRO_6000,
    gpuDetail: "SR-IOV",
    family: null,
    use: "VDI/graphics, single-node AI",
    status: { kind: "preview" },
    note:
      'Public preview (West US 2, Southeast Asia); also called "NCv6". Quota family string unknown. GA adds ' + "partial-GPU sizes (0.25–2 GPUs); no AKS until ~Q4 2026 [A6, A6b].",
    sizes: [
      // General-purpose sizes
      ["NC128ds_xl_RTXPRO6000BSE_v6", 128, 512, f(1), 96],
      ["NC256ds_xl_RTXPRO6000BSE_v6", 256, 1024, f(2), 192],
      ["NC320ds_xl_RTXPRO6000BSE_v6", 320, 1280, f(2), 192],
      // Compute-optimised sizes: the sheet gives no GPU memory.
      ["NC128lds_xl_RTXPRO6000BSE_v6", 128, 256, f(1), undefined, { note: "Compute-optimised; GPU memory derived (GPUs × 96 GB)." }],
      ["NC256lds_xl_RTXPRO6000BSE_v6", 256, 512, f(2), undefined, { note: "Compute-optimised; GPU memory derived (GPUs × 96 GB)." }],
      ["NC320lds_xl_RTXPRO6000BSE_v6", 320, 640, f(2), undefined, { note: "Compute-optimised; GPU memory derived (GPUs × 96 GB)." }],
    ],
  },
  {
    series: "NDv2",
    gpu: V100_32,
    gpuDetail: "NVLink, 100G EDR InfiniBand",
    family: "standardNDSv2Family",
    use: "distributed training",
    status: CURRENT,
    note: "Listed on the size pages and not on the retired-sizes list [A7, A20].",
    sizes: [["ND40rs_v2", 40, 672, f(8), 256]],
  },
  {
    series: "ND_A100_v4",
    gpu: A100_40,
    gpuDetail: "SXM",
    family: "Standard NDASv4_A100 Family",
    use: "large training",
    status: CURRENT,
    note: "Also called NDasrA100_v4.",
    sizes: [["ND96asr_v4", 96, 900, f(8), 320]],
  },
  {
    series: "NDm_A100_v4",
    gpu: A100_80,
    gpuDetail: "SXM",
    family: "standard NDAMSv4_A100Family",
    use: "large training",
    status: CURRENT,
    sizes: [
      [
        "ND96amsr_A100_v4",
        96,
        1900,
        f(8),
        640,
        {
          note: "The size page's \"80\" is GB per GPU [A9]. RAM is the size page's 1900 GiB; the Resource SKUs " + "MemoryGB capability has been seen reporting 1800.",
        },
      ],
    ],
  },
  {
    series: "ND_H100_v5",
    gpu: H100_80,
    gpuDetail: "SXM, 8×400G NDR InfiniBand",
    family: "standardNDSH100v5Family",
    use: "large training/inference",
    status: CURRENT,
    sizes: [["ND96isr_H100_v5", 96, 1900, f(8), 640]],
  },
  {
    series: "ND_H200_v5",
    gpu: H200,
    family: "standardNDISRH200V5Family",
    use: "large training/inference",
    status: CURRENT,
    sizes: [["ND96isr_H200_v5", 96, 1850, f(8), 1128]],
  },
  {
    series: "ND_MI300X_v5",
    gpu: MI300X,
    family: "standardNDISv5MI300XFamily",
    use: "large training/inference",
    status: CURRENT,
    note: "⚠ Family string from Aspire generated code and SkyPilot, not a Microsoft docs page [A24, A25].",
    sizes: [
      ["ND96isr_MI300X_v5", 96, 1850, f(8), 1536],
      [
        "ND96is_MI300X_v5",
        96,
        1850,
        f(8),
        1536,
        {
          note: "⚠ Listed by the Resource SKUs API without a GPUs capability; the sheet gives no figures of its own, " + "so ND96isr_MI300X_v5's are used [A25].",
        },
      ],
    ],
  },
  {
    series: "ND_GB200_v6",
    gpu: GB200,
    gpuDetail: "GB200 NVL72, 18 VMs per rack; Arm (Grace) host",
    family: "standardNDISRGB200V6NDRFamily",
    use: "frontier training",
    status: CURRENT,
    note:
      "⚠ Family string from Aspire generated code and SkyPilot [A24, A25]. RAM: Microsoft page 900 GiB vs " +
      "Aspire 864 GB. Resource SKUs omit the GPUs capability. Arm (Grace) host.",
    sizes: [["ND128isr_NDR_GB200_v6", 128, 900, f(4), 768]],
  },
  {
    series: "ND_GB300_v6",
    gpu: GB300,
    family: "standardNDISRGB300V6Family",
    use: "frontier training/inference",
    status: CURRENT,
    note: "⚠ Family string from Aspire generated code and SkyPilot [A24, A25]. Resource SKUs omit the GPUs capability.",
    sizes: [
      ["ND128isr_GB300_v6", 128, 864, f(4), 1152],
      [
        "ND128isrG5_GB300_v6",
        128,
        864,
        f(4),
        1152,
        {
          family: "standardNDISRGB300G5V6Family",
          note: "⚠ G5 family string from a single third-party source [A25].",
        },
      ],
    ],
  },
  {
    series: "NVadsA10_v5",
    gpu: A10,
    gpuDetail: "partitioned vGPU",
    family: "StandardNVADSA10v5Family",
    use: "VDI/visualization, small inference",
    status: CURRENT,
    note: "Partial-GPU sizes: the Resource SKUs GPUs capability reports 1 for the fractional ones [A25].",
    sizes: [
      ["NV6ads_A10_v5", 6, 55, f(1, 6), 4],
      ["NV12ads_A10_v5", 12, 110, f(1, 3), 8],
      ["NV18ads_A10_v5", 18, 220, f(1, 2), 12],
      ["NV36ads_A10_v5", 36, 440, f(1), 24],
      ["NV36adms_A10_v5", 36, 880, f(1), 24],
      ["NV72ads_A10_v5", 72, 880, f(2), 48],
    ],
  },
  {
    series: "NVv3",
    gpu: M60,
    family: "standardNVSv3Family",
    use: "visualization",
    status: { kind: "retiring", on: "2026-09-30" },
    note: "Retiring 30 Sep 2026 (announced 15 Apr 2026); move to NVads A10 v5 or NVads V710 v5 [A16, A20].",
    sizes: [
      ["NV12s_v3", 12, 112, f(1), 8],
      ["NV24s_v3", 24, 224, f(2), 16],
      ["NV48s_v3", 48, 448, f(4), 32],
    ],
  },
  {
    series: "NVv4",
    gpu: MI25,
    gpuDetail: "partitioned",
    family: "standardNVSv4Family",
    use: "VDI",
    status: { kind: "retiring", on: "2026-09-30" },
    note: "Retiring 30 Sep 2026 [A17, A20]. Partial-GPU sizes: Resource SKUs report GPUs 1 for the fractional ones.",
    sizes: [
      ["NV4as_v4", 4, 14, f(1, 8), 2],
      ["NV8as_v4", 8, 28, f(1, 4), 4],
      ["NV16as_v4", 16, 56, f(1, 2), 8],
      ["NV32as_v4", 32, 112, f(1), 16],
    ],
  },
  {
    series: "NGads_V620",
    gpu: V620,
    family: "StandardNGADSV620v1Family",
    use: "cloud gaming/graphics",
    status: CURRENT,
    sizes: [
      ["NG8ads_V620_v1", 8, 16, f(1, 4), 8],
      ["NG16ads_V620_v1", 16, 32, f(1, 2), 16],
      ["NG32ads_V620_v1", 32, 64, f(1), 32],
      ["NG32adms_V620_v1", 32, 176, f(1), 32],
    ],
  },
  {
    series: "NVads_V710_v5",
    gpu: V710,
    family: "StandardNVadsV710v5Family",
    use: "VDI",
    status: CURRENT,
    sizes: [
      ["NV4ads_V710_v5", 4, 16, f(1, 6), 4],
      ["NV8ads_V710_v5", 8, 32, f(1, 3), 8],
      ["NV12ads_V710_v5", 12, 64, f(1, 2), 12],
      ["NV24ads_V710_v5", 24, 128, f(1), 24],
      ["NV28adms_V710_v5", 28, 160, f(1), 24],
    ],
  },
  // Retired generations: kept so usage rows with their legacy family strings can be explained.
  // The sheet lists no sizes for them, so none are listed here.
  {
    series: "NC",
    gpu: K80,
    family: "standardNCFamily",
    use: "compute (legacy)",
    status: { kind: "retired", on: "2023-08-31" },
    note: "Retired 31 Aug 2023; cannot be provisioned [A21].",
    sizes: [],
  },
  {
    series: "NCv2",
    gpu: P100,
    family: "standardNCSv2Family",
    use: "training/HPC (legacy)",
    status: { kind: "retired", on: "2023-08-31" },
    note: "Retired 31 Aug 2023; cannot be provisioned [A21].",
    sizes: [],
  },
  {
    series: "ND",
    gpu: P40,
    family: "standardNDSFamily",
    use: "inference/training (legacy)",
    status: { kind: "retired", on: "2023-08-31" },
    note: "Retired 31 Aug 2023; cannot be provisioned [A21].",
    sizes: [],
  },
  {
    series: "NV",
    gpu: M60,
    family: "standardNVFamily",
    use: "visualization (legacy)",
    status: { kind: "retired", on: "2023-09-06" },
    note: "Retired 6 Sep 2023 together with NV_Promo; cannot be provisioned [A22].",
    sizes: [],
  },
  {
    series: "NV_Promo",
    gpu: M60,
    family: "standardNVPromoFamily",
    use: "visualization (legacy)",
    status: { kind: "retired", on: "2023-09-06" },
    note: "Retired 6 Sep 2023 together with NV; cannot be provisioned [A22].",
    sizes: [],
  },
];

/**
 * Legacy GPU quota family strings still seen in Compute usages [A25]. standardNCPromoFamily and
 * standardNVSv2Family have no series entry: the sheet gives neither a GPU nor a retirement date for them.
 */
export const LEGACY_GPU_FAMILIES: readonly string[] = [
  "standardNCFamily",
  "standardNCSv2Family",
  "standardNDSFamily",
  "standardNVFamily",
  "standardNCPromoFamily",
  "standardNVPromoFamily",
  "standardNVSv2Family",
];

function seriesOf(def: SeriesDef): GpuSeries {
  const s: GpuSeries = { series: def.series, gpu: def.gpu, family: def.family, use: def.use, status: def.status };
  if (def.note !== undefined) s.note = def.note;
  if (def.gpuDetail !== undefined) s.gpuDetail = def.gpuDetail;
  return s;
}

function sizeOf(def: SeriesDef, row: SizeRow): GpuSize {
  const [short, vcpus, memoryGib, gpus, gpuMemoryGb, extra] = row;
  const size: GpuSize = {
    size: `Standard_${short}`,
    series: def.series,
    gpu: def.gpu,
    gpus,
    gpuMemoryGb: gpuMemoryGb ?? (gpus.num * def.gpu.memoryGbPerGpu) / gpus.den,
    vcpus,
    memoryGib,
    family: extra?.family ?? def.family,
    use: def.use,
    status: def.status,
    inCatalogue: true,
  };
  // A size shows its series' caveats as well as its own: callers usually render one size alone.
  const note = [def.note, extra?.note].filter((n): n is string => n !== undefined).join(" ");
  if (note !== "") size.note = note;
  return size;
}

export const GPU_SERIES: readonly GpuSeries[] = SERIES_DEFS.map(seriesOf);
export const GPU_SIZES: readonly GpuSize[] = SERIES_DEFS.flatMap((def) => def.sizes.map((row) => sizeOf(def, row)));

// ---------------------------------------------------------------------------------------------
// Lookups

/**
 * Quota family strings differ in case and spacing between APIs and eras ("Standard NCASv3_T4 Family",
 * "standard NDAMSv4_A100Family"), so they are compared lower-cased with all whitespace removed [A25].
 */
export function normaliseFamily(family: string): string {
  return family.toLowerCase().replace(/\s+/g, "");
}

/**
 * Looser key for matching what people paste: usages `localizedValue` adds " vCPUs" and sometimes spells
 * the family with underscores the `name.value` lacks ("Standard NCADS_A100_v4 Family vCPUs").
 */
function looseFamilyKey(family: string): string {
  return normaliseFamily(family)
    .replace(/vcpus$/, "")
    .replace(/[_-]/g, "");
}

/** Canonical lower-case ARM size name: "nc24ads a100 v4" → "standard_nc24ads_a100_v4". */
export function normaliseSize(name: string): string {
  const s = name
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, "_")
    .replace(/_+/g, "_")
    .replace(/^_|_$/g, "");
  return s.startsWith("standard_") ? s : `standard_${s}`;
}

const SIZE_INDEX: ReadonlyMap<string, GpuSize> = new Map(GPU_SIZES.map((s) => [normaliseSize(s.size), s]));

export function findSize(name: string): GpuSize | undefined {
  return SIZE_INDEX.get(normaliseSize(name));
}

/** Both keys of a catalogue family, worked out once: lookups run for every quota row of every answer. */
interface FamilyKeys {
  exact: string;
  loose: string;
}
const familyKeysOf = (family: string | null): FamilyKeys | undefined => (family === null ? undefined : { exact: normaliseFamily(family), loose: looseFamilyKey(family) });
const SERIES_FAMILY_KEYS: ReadonlyArray<[GpuSeries, FamilyKeys | undefined]> = GPU_SERIES.map((s) => [s, familyKeysOf(s.family)]);
const SIZE_FAMILY_KEYS: ReadonlyArray<[GpuSize, FamilyKeys | undefined]> = GPU_SIZES.map((s) => [s, familyKeysOf(s.family)]);

function familyMatches(candidate: FamilyKeys | undefined, query: FamilyKeys, loose: boolean): boolean {
  if (candidate === undefined) return false;
  return loose ? candidate.loose === query.loose : candidate.exact === query.exact;
}

export function findSeriesByFamily(family: string): GpuSeries | undefined {
  const query = familyKeysOf(family) as FamilyKeys;
  for (const loose of [false, true]) {
    const series = SERIES_FAMILY_KEYS.find(([, k]) => familyMatches(k, query, loose))?.[0];
    if (series !== undefined) return series;
    // A size may carry its own family (ND128isrG5_GB300_v6); it still belongs to its series.
    const size = SIZE_FAMILY_KEYS.find(([, k]) => familyMatches(k, query, loose))?.[0];
    if (size !== undefined) return GPU_SERIES.find((s) => s.series === size.series);
  }
  return undefined;
}

export function sizesInFamily(family: string): GpuSize[] {
  const query = familyKeysOf(family) as FamilyKeys;
  const pick = (loose: boolean) => SIZE_FAMILY_KEYS.filter(([, k]) => familyMatches(k, query, loose)).map(([s]) => s);
  const exact = pick(false);
  return exact.length > 0 ? exact : pick(true);
}

const LEGACY_FAMILY_KEYS: ReadonlySet<string> = new Set(LEGACY_GPU_FAMILIES.map(normaliseFamily));

export function isLegacyGpuFamily(family: string): boolean {
  return LEGACY_FAMILY_KEYS.has(normaliseFamily(family));
}

function gpuKey(text: string): string {
  return text
    .toLowerCase()
    .replace(/[\s_-]+/g, "")
    .replace(/^(nvidia|amd)/, "")
    .replace(/gpus?$/, "");
}

/**
 * GPU models for a free-text query. Exact alias/key/name matches win ("a10" is the A10, not the
 * A100s); only if none match, aliases starting with the query ("mi300", "radeon") are accepted.
 */
export function findGpuModels(query: string): GpuModel[] {
  const cached = MODELS_BY_QUERY.get(query);
  if (cached !== undefined) return [...cached];
  const found = lookUpGpuModels(query);
  // Queries are chat words: a bounded memo, emptied when full rather than tracking recency.
  if (MODELS_BY_QUERY.size >= 2000) MODELS_BY_QUERY.clear();
  MODELS_BY_QUERY.set(query, found);
  return [...found];
}

/** Every model's match keys, normalised once rather than on each lookup. */
const MODEL_KEYS: ReadonlyArray<{ model: GpuModel; all: readonly string[]; aliases: readonly string[] }> = GPU_MODELS.map((m) => ({
  model: m,
  all: [m.key, m.name, ...m.aliases].map(gpuKey),
  aliases: m.aliases.map(gpuKey),
}));
const MODELS_BY_QUERY = new Map<string, readonly GpuModel[]>();

function lookUpGpuModels(query: string): GpuModel[] {
  const q = gpuKey(query);
  if (q === "") return [];
  const exact = MODEL_KEYS.filter((m) => m.all.includes(q)).map((m) => m.model);
  if (exact.length > 0) return exact;
  // Prefixes only when they look like a model number ("mi300", "h1") or are long enough ("radeon"),
  // so chat words such as "in" or "a" are not taken for GPUs.
  const prefixOk = (/\d/.test(q) && q.length >= 2) || q.length >= 4;
  if (!prefixOk) return [];
  return MODEL_KEYS.filter((m) => m.aliases.some((k) => k.startsWith(q))).map((m) => m.model);
}

export function sizesForGpu(query: string): GpuSize[] {
  const keys = new Set(findGpuModels(query).map((m) => m.key));
  return GPU_SIZES.filter((s) => keys.has(s.gpu.key));
}

export function isGpuQuery(query: string): boolean {
  return findGpuModels(query).length > 0;
}

// ---------------------------------------------------------------------------------------------
// Resource SKU fallback

/** Falls back for an N-series SKU not in the catalogue: built from the Resource SKU capabilities. */
export interface SkuCapabilitiesInput {
  name: string;
  family?: string;
  capabilities: Array<{ name: string; value: string }>;
}

export type SizeInfo =
  | GpuSize
  | (Omit<GpuSize, "inCatalogue" | "gpu" | "gpus" | "gpuMemoryGb" | "series" | "use" | "status"> & {
      inCatalogue: false;
      series: string;
      gpu: GpuModel | null;
      gpus: Fraction | null;
      gpuMemoryGb: number | null;
      use: string;
      status: SizeStatus;
    });

const N_SERIES = /^standard_n[cdvg]/;

function capability(sku: SkuCapabilitiesInput, name: string): number | undefined {
  const c = sku.capabilities.find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (c === undefined) return undefined;
  const n = Number(c.value);
  return c.value.trim() !== "" && Number.isFinite(n) ? n : undefined;
}

/**
 * Sibling key of a size name: series prefix letters plus everything after the size number and its
 * feature letters ("Standard_NC24lds_xl_RTXPRO6000BSE_v6" → "nc|_xl_rtxpro6000bse_v6"). New sizes in a
 * known series (e.g. GA partial-GPU RTX PRO sizes) share it with the catalogued ones.
 */
function siblingKey(name: string): string | undefined {
  const m = /^standard_([a-z]+)\d+[a-z]*(.*)$/.exec(normaliseSize(name));
  return m === null ? undefined : `${m[1]}|${m[2]}`;
}

function inferSeries(sku: SkuCapabilitiesInput): SeriesDef | undefined {
  if (sku.family !== undefined) {
    const byFamily = findSeriesByFamily(sku.family);
    if (byFamily !== undefined) return SERIES_DEFS.find((d) => d.series === byFamily.series);
  }
  const key = siblingKey(sku.name);
  if (key === undefined) return undefined;
  return SERIES_DEFS.find((d) => d.sizes.some((row) => siblingKey(row[0]) === key));
}

/**
 * What the bot knows about a Resource SKU. The catalogue wins over the SKU's own capabilities (its
 * GPUs value is 1 for fractional A10 sizes and absent for GB200/GB300/ND96is_MI300X). Unknown N-series
 * SKUs, or any SKU reporting GPUs ≥ 1, get a best-effort entry marked inCatalogue:false. Anything else is
 * not a GPU size: undefined.
 */
export function describeSku(sku: SkuCapabilitiesInput): SizeInfo | undefined {
  const known = findSize(sku.name);
  if (known !== undefined) return known;

  const gpusCap = capability(sku, "GPUs");
  if (!N_SERIES.test(normaliseSize(sku.name)) && !(gpusCap !== undefined && gpusCap >= 1)) return undefined;

  const def = inferSeries(sku);
  // In a series with partial-GPU sizes a reported "1" may be a share, so the count is left unknown.
  const fractionalSeries = def?.sizes.some((row) => row[3].den !== 1) ?? false;
  const gpus = gpusCap !== undefined && Number.isSafeInteger(gpusCap) && gpusCap >= 0 && !fractionalSeries ? fraction(gpusCap) : null;
  const gpu = def?.gpu ?? null;

  const notes = ["Not in the catalogue; figures from the Resource SKU capabilities."];
  if (def !== undefined) notes.push(`Series inferred as ${def.series}.`);
  if (gpus === null) notes.push("GPU count unknown.");

  return {
    size: sku.name,
    series: def?.series ?? "unknown",
    gpu,
    gpus,
    gpuMemoryGb: gpu !== null && gpus !== null ? (gpus.num * gpu.memoryGbPerGpu) / gpus.den : null,
    vcpus: capability(sku, "vCPUs") ?? 0,
    memoryGib: capability(sku, "MemoryGB") ?? 0,
    family: sku.family ?? def?.family ?? null,
    use: def?.use ?? "unknown",
    // An unknown SKU that Azure lists is taken as current unless its series says otherwise.
    status: def?.status ?? CURRENT,
    inCatalogue: false,
    note: notes.join(" "),
  };
}

// ---------------------------------------------------------------------------------------------
// Status

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function formatDate(iso: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  const month = m === null ? undefined : MONTHS[Number(m[2]) - 1];
  if (m === null || month === undefined) return iso;
  return `${Number(m[3])} ${month} ${m[1]}`;
}

/** "current", "preview", "retiring 30 Sep 2026", "retired 30 Sep 2025". */
export function formatStatus(s: SizeStatus): string {
  switch (s.kind) {
    case "current":
    case "preview":
      return s.kind;
    case "retiring":
    case "retired":
      return `${s.kind} ${formatDate(s.on)}`;
  }
}

/** The fact sheet's status as of `today` (ISO date or timestamp): a retirement date that has passed means retired. */
export function effectiveStatus(s: SizeStatus, today: string): SizeStatus {
  if (s.kind === "retiring" && today.slice(0, 10) >= s.on) return { kind: "retired", on: s.on };
  return s;
}
