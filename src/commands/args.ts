/**
 * Argument helpers shared by verbs: tokenising, region prefixes ("East US 2 a100"), and GPU /
 * family / size filters. Everything returns a value or a user error; nothing throws on user text.
 */
import { editDistance } from "../domain/edit-distance.ts";
import { findGpuModels, findSize, GPU_SERIES, GPU_SIZES, type GpuSize, normaliseFamily } from "../domain/gpu-catalogue.ts";
import { allRegions, regionKey, resolveRegion } from "../domain/regions.ts";

const MAX_INPUT = 500;

/** Splits on whitespace, keeps "quoted phrases" together, drops control characters. */
export function tokenize(text: string): string[] {
  const clean = text
    .slice(0, MAX_INPUT)
    .replace(/[\u0000-\u001f\u007f]/g, " ")
    .trim();
  const tokens: string[] = [];
  const re = /"([^"]*)"|'([^']*)'(?=\s|$)|(\S+)/g;
  for (let m = re.exec(clean); m; m = re.exec(clean)) tokens.push(m[1] ?? m[2] ?? m[3] ?? "");
  return tokens.filter((t) => t.length > 0);
}

/** The closest of `candidates` to `word`, if it is close enough to be a plausible typo. */
export function nearest(word: string, candidates: readonly string[], maxDistance = 3): string | undefined {
  let best: string | undefined;
  let bestD = Number.POSITIVE_INFINITY;
  const w = word.toLowerCase().slice(0, 60);
  for (const c of candidates) {
    const d = editDistance(w, c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return bestD <= Math.max(1, Math.min(maxDistance, Math.floor(w.length / 2))) ? best : undefined;
}

export function nearestRegion(text: string): string | undefined {
  return nearest(regionKey(text) || text, allRegions(), 3);
}

/** Takes the longest leading run of 1–4 tokens naming a region ("east", "us", "2"). */
export function takeRegion(tokens: string[]): { region: string; rest: string[] } | undefined {
  for (let n = Math.min(4, tokens.length); n >= 1; n--) {
    const region = resolveRegion(tokens.slice(0, n).join(" "));
    if (region) return { region, rest: tokens.slice(n) };
  }
  return undefined;
}

export type SizeFilter =
  | { kind: "size"; label: string; sizes: GpuSize[]; sizeName: string }
  | { kind: "gpu"; label: string; sizes: GpuSize[] }
  | { kind: "family"; label: string; sizes: GpuSize[]; family: string };

/** A GPU model ("a100", "h100 nvl"), a size ("NC24ads_A100_v4") or a family/series ("NCv3", "StandardNCADSA100v4Family"). */
export function resolveSizeFilter(text: string): SizeFilter | undefined {
  const t = text.trim();
  if (!t || t.length > 80) return undefined;
  const size = findSize(t);
  // Labelled as every table writes sizes ("NC24ads_A100_v4"); sizeName keeps the ARM name.
  if (size) return { kind: "size", label: size.size.replace(/^Standard_/, ""), sizes: [size], sizeName: size.size };
  const models = findGpuModels(t);
  if (models.length > 0) {
    const keys = new Set(models.map((m) => m.key));
    return { kind: "gpu", label: models.map((m) => m.name).join(" / "), sizes: GPU_SIZES.filter((s) => keys.has(s.gpu.key)) };
  }
  const key = normaliseFamily(t).replace(/^standard_?/, "");
  const series = GPU_SERIES.find(
    (s) => normaliseFamily(s.series).replace(/[_-]/g, "") === key.replace(/[_-]/g, "") || (s.family !== null && normaliseFamily(s.family).replace(/^standard_?/, "") === key),
  );
  if (series) {
    return { kind: "family", label: series.family ?? series.series, sizes: GPU_SIZES.filter((s) => s.series === series.series), family: series.family ?? series.series };
  }
  return undefined;
}

/** Words a user may type for GPUs, for "did you mean" hints. */
export function filterVocabulary(): string[] {
  const words = new Set<string>();
  for (const s of GPU_SIZES) {
    words.add(s.size.replace(/^Standard_/, "").toLowerCase());
    for (const a of s.gpu.aliases) words.add(a);
  }
  return [...words];
}

/** A word table lookup that only sees the table's own entries: "__proto__" or "constructor" is just an unknown word. */
export function ownWord<T>(table: Readonly<Record<string, T>>, word: string): T | undefined {
  return Object.hasOwn(table, word) ? table[word] : undefined;
}
