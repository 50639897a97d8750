/** Small, shared wording for numbers and sizes, so every verb says things the same way. */
import { type Fraction, formatFraction } from "../domain/fraction.ts";
import { effectiveStatus, formatStatus, type SizeInfo } from "../domain/gpu-catalogue.ts";
import { formatMaybeHourly, formatMoney, type MaybePrice } from "../domain/money.ts";
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

/** The small print under every list price (`running`, `skus`). */
export const listPriceNote = (currency: string) =>
  `List prices: pay-as-you-go Linux, per hour, ${currency}, from the Azure Retail Prices API (cached for a day); reservations or savings plans may lower what you pay.`;

/** What every verb shows when a GPU VM has no owner tag (a team tag is the next best contact). */
export const NO_OWNER = "no owner tag";

/** The contact for a VM as tables show it: its owner tag, else "team <team>", else "no owner tag". */
export const ownerText = (owner: string | undefined, team?: string | undefined): string => owner ?? (team ? `team ${team}` : NO_OWNER);

/** "a, b, c", or "a, b, c and 4 more" past `max` names: no trailing punctuation, so callers end the sentence. */
export function someNames(names: readonly string[], max = 5): string {
  if (names.length <= max) return names.join(", ");
  return `${names.slice(0, max).join(", ")} and ${names.length - max} more`;
}

/** 1234567 → "1,234,567" (counts and vCPUs in sentences). */
export const count = (n: number) => n.toLocaleString("en-US");

/**
 * How many GPUs, for people: whole numbers as they are ("8 GPUs"), a share of one GPU as the
 * fraction Azure uses ("1/6 GPU"), more than one GPU in shares as a decimal ("3.5 GPUs",
 * "≈ 3.33 GPUs") rather than "7/2" or "10/3".
 */
export function gpusPhrase(f: Fraction): string {
  if (f.den === 1) return plural(f.num, "GPU");
  return `${gpuNumber(f)} ${f.num < f.den ? "GPU" : "GPUs"}`;
}

/** The number alone, as in gpusPhrase: "8", "1/6", "3.5", "≈ 3.33". */
export function gpuNumber(f: Fraction): string {
  if (f.den === 1 || f.num < f.den) return formatFraction(f);
  const value = f.num / f.den;
  const rounded = Math.round(value * 100) / 100;
  return `${Math.abs(rounded - value) < 1e-9 ? "" : "≈ "}${rounded}`;
}

export function percent(part: number, whole: number): string {
  return whole <= 0 ? "—" : `${Math.round((part / whole) * 100)} %`;
}

/** Hours in an average month (8,760 / 12): what "per month" means for an hourly list price. */
export const HOURS_PER_MONTH = 730;

/** A trailing "monthly" (or "per-month") on a verb's words: list prices are then shown per month. */
export function takeMonthly(args: readonly string[]): { monthly: boolean; rest: string[] } {
  const last = args[args.length - 1]?.toLowerCase();
  return last === "monthly" || last === "per-month" ? { monthly: true, rest: args.slice(0, -1) } : { monthly: false, rest: [...args] };
}

/** "$5,095.40/month" (730 h × the hourly list price), or "no list price". */
export const formatMaybeMonthly = (price: MaybePrice): string => (price.known ? `${formatMoney(price.perHour * HOURS_PER_MONTH, price.currency)}/month` : formatMaybeHourly(price));

export const MONTHLY_NOTE = `Monthly prices are ${HOURS_PER_MONTH} hours (an average month) × the hourly list price.`;
