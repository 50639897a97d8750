/**
 * The daily GPU-spend chart shared by `cost` and the digest: rows of (day, label, amount) become a
 * stacked series over the given days, rendered by the chart port. A chart is a bonus: when
 * rendering fails the numbers still answer, so failure is logged and yields no image part.
 */
import { shortDate } from "../domain/periods.ts";
import type { ImagePart } from "../reply/reply.ts";
import type { CommandContext } from "./types.ts";

export interface ChartRow {
  date: string;
  label: string;
  amount: number;
}

export async function spendChartPart(
  ctx: CommandContext,
  chart: { groupingLabel: string; currency: string; dates: string[]; rows: Iterable<ChartRow>; partialFrom?: string },
): Promise<ImagePart | undefined> {
  const { dates, currency } = chart;
  if (dates.length === 0) return undefined;
  const index = new Map(dates.map((d, i) => [d, i]));
  const series = new Map<string, number[]>();
  for (const r of chart.rows) {
    const i = index.get(r.date);
    if (i === undefined) continue;
    const values = series.get(r.label) ?? dates.map(() => 0);
    values[i] = (values[i] as number) + r.amount;
    series.set(r.label, values);
  }
  const title = `GPU spend per day by ${chart.groupingLabel}, ${shortDate(dates[0] as string)} – ${shortDate(dates[dates.length - 1] as string, true)} (${currency})`;
  const partial = chart.partialFrom !== undefined && chart.partialFrom <= (dates[dates.length - 1] as string) ? chart.partialFrom : undefined;
  try {
    const ref = await ctx.services.charts.dailySpend({
      title,
      currency,
      dates,
      groups: [...series].map(([label, values]) => ({ label, values })),
      ...(partial ? { partialFrom: partial } : {}),
    });
    const alt = partial ? `${title}; days from ${shortDate(partial)} are partial (still being billed)` : title;
    const part: ImagePart = { kind: "image", alt, imageId: ref.imageId };
    if (ref.url) part.url = ref.url;
    return part;
  } catch (err) {
    ctx.log.warn({ err: err instanceof Error ? err.message : String(err) }, "chart rendering failed");
    return undefined;
  }
}
