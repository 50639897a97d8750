/**
 * The chart port: spend series drawn as images the renderers can show.
 */

/** A daily series for a stacked chart; values align with `dates`. */
export interface DailySpendChart {
  title: string;
  currency: string;
  dates: string[];
  groups: Array<{ label: string; values: number[] }>;
  /** Days from this ISO date on are still being billed: drawn as partial. */
  partialFrom?: string;
}

/** Where a rendered image can be fetched: an id in the image store, and a URL when one is known. */
export interface ImageRef {
  imageId: string;
  url?: string;
}

export interface ChartPort {
  /** Renders a PNG of daily spend, stacked by group, and keeps it for the renderers. */
  dailySpend(chart: DailySpendChart): Promise<ImageRef>;
}
