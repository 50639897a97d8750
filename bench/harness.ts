/**
 * The shape every `npm run bench` scenario has, and small timing helpers they share. A scenario
 * returns flat figures (numbers or short strings) keyed by a readable name with its unit, e.g.
 * `{ "warm p50 (ms)": 0.42 }`; run.ts prints them and writes them to bench/report.json.
 *
 * @example
 * export const myScenario: BenchScenario = { name: "slack ack", async run() { return { "p99 (ms)": 3.1 } } };
 */

export interface BenchScenario {
  name: string;
  run(): Promise<Record<string, string | number>>;
}

/** Value at quantile q (0..1) of already-measured samples, nearest-rank. */
export function quantile(samples: readonly number[], q: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[rank] as number;
}

/** Milliseconds with 3 decimals: enough for sub-millisecond figures, short in a report. */
export const ms = (n: number) => Math.round(n * 1000) / 1000;

/** Times `fn` `runs` times after `warmup` untimed runs; returns each run's milliseconds. */
export async function timeRuns(runs: number, fn: () => Promise<unknown> | unknown, warmup = Math.min(20, runs)): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn();
    samples.push(performance.now() - t);
  }
  return samples;
}

/** `npm run bench -- --quick`: fewer rounds and requests, for a first look (run.ts sets BENCH_QUICK). */
export const quick = () => process.env.BENCH_QUICK === "1";
