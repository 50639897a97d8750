/** Small, shared wording for numbers and sizes, so every verb says things the same way. */
import { type Fraction, formatFraction } from "../domain/fraction.ts";
import { effectiveStatus, formatStatus, type SizeInfo } from "../domain/gpu-catalogue.ts";
import { regionDisplayName } from "../domain/regions.ts";

export const shortSize = (size: string) => size.replace(/^Standard_/, "");

export function gpuText(info: SizeInfo): string {
  if (!info.gpu || !info.gpus) return info.gpus ? `${formatFraction(info.gpus)} × GPU` : "GPU (model unknown)";
  return `${formatFraction(info.gpus)} × ${info.gpu.name}`;
}

export const gpuMemText = (info: SizeInfo) => (info.gpuMemoryGb === null ? "?" : `${info.gpuMemoryGb} GB`);

export function statusText(info: SizeInfo, today: Date): string {
  const s = formatStatus(effectiveStatus(info.status, today.toISOString().slice(0, 10)));
  return info.inCatalogue ? s : `${s}, not in catalogue`;
}

export const regionLabel = (r: string) => `${r} (${regionDisplayName(r)})`;

export function gpusOf(f: Fraction | null): string {
  return f === null ? "?" : formatFraction(f);
}

export const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export function percent(part: number, whole: number): string {
  return whole <= 0 ? "—" : `${Math.round((part / whole) * 100)} %`;
}
