/**
 * The PTU hourly price from GPUOPS_OPENAI_PTU_HOURLY_PRICE ("2.5" or "2.5 EUR"). The Retail Prices
 * adapter reads VM meters only, so PTU cost is a configured price, labelled as such; the demo uses
 * a round placeholder, labelled as a demo price. Apart from the Azure OpenAI adapter, so the
 * setting is checked at start without loading the Cognitive Services SDK.
 */
import type { MaybePrice } from "../domain/money.ts";
import { GpuopsError } from "../errors.ts";

export interface PtuPrice {
  perHour: number;
  currency: string;
  source: string;
}

export function ptuPriceSetting(env: Record<string, string | undefined>, opts: { demo: boolean; currency: string }): PtuPrice | undefined {
  const raw = env.GPUOPS_OPENAI_PTU_HOURLY_PRICE?.trim();
  if (raw) {
    const m = /^(\d{1,6}(?:\.\d{1,6})?)(?:\s+([A-Z]{3}))?$/.exec(raw);
    if (!m || Number(m[1]) <= 0)
      throw new GpuopsError(
        "bad_config",
        `GPUOPS_OPENAI_PTU_HOURLY_PRICE must be a positive number, optionally with a currency (e.g. "2.5" or "2.5 EUR"); got "${raw.slice(0, 20)}".`,
      );
    return { perHour: Number(m[1]), currency: m[2] ?? opts.currency, source: "configured price (GPUOPS_OPENAI_PTU_HOURLY_PRICE)" };
  }
  return opts.demo ? { perHour: 1, currency: opts.currency, source: "demo placeholder price, not a Microsoft price" } : undefined;
}

/** The price as answers show it: known with its source, or why it is not. */
export function ptuPriceAnswer(p: PtuPrice | undefined): MaybePrice & { source?: string } {
  if (!p) return { known: false, reason: "no PTU hourly price configured (GPUOPS_OPENAI_PTU_HOURLY_PRICE)" };
  return { known: true, perHour: p.perHour, currency: p.currency, source: p.source };
}
