/**
 * A PNG of daily spend, stacked by group, drawn server-side with @napi-rs/canvas (Skia; the
 * binary ships inside its npm package, nothing is downloaded at install or run time). The font is
 * DejaVu Sans from @fontsource, registered once, so the picture is the same on every machine.
 *
 * @example
 * const png = renderDailySpend({ title: "GPU spend, last 14 days", currency: "USD", dates, groups });
 */
import { createRequire } from "node:module";
import { createCanvas, GlobalFonts, type SKRSContext2D } from "@napi-rs/canvas";
import { formatMoney } from "../domain/money.ts";
import { shortDate } from "../domain/periods.ts";
import type { DailySpendChart } from "../services/ports.ts";

const FONT = "GpuopsSans";
let fontReady = false;

function ensureFont(): void {
  if (fontReady) return;
  const require = createRequire(import.meta.url);
  GlobalFonts.registerFromPath(require.resolve("@fontsource/dejavu-sans/files/dejavu-sans-latin-400-normal.woff2"), FONT);
  GlobalFonts.registerFromPath(require.resolve("@fontsource/dejavu-sans/files/dejavu-sans-latin-700-normal.woff2"), FONT);
  fontReady = true;
}

/** Okabe–Ito, readable by colour-blind people; grey is kept for "other". */
const PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"];
const OTHER = "#9E9E9E";
const MAX_SERIES = 7;

export const CHART_WIDTH = 900;
export const CHART_HEIGHT = 420;

/** Keeps the biggest groups and folds the rest into "other". */
export function topGroups(chart: DailySpendChart, max = MAX_SERIES): DailySpendChart["groups"] {
  const total = (g: { values: number[] }) => g.values.reduce((a, b) => a + b, 0);
  const sorted = [...chart.groups].sort((a, b) => total(b) - total(a));
  if (sorted.length <= max) return sorted;
  const kept = sorted.slice(0, max - 1);
  const rest = sorted.slice(max - 1);
  const other = chart.dates.map((_, i) => rest.reduce((n, g) => n + (g.values[i] ?? 0), 0));
  return [...kept, { label: `other (${rest.length})`, values: other }];
}

/** A round axis maximum: 1, 2, 2.5 or 5 × a power of ten. */
export function niceMax(value: number): number {
  if (value <= 0) return 1;
  const exp = 10 ** Math.floor(Math.log10(value));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * exp >= value) return m * exp;
  return 10 * exp;
}

function compactMoney(amount: number, currency: string): string {
  if (amount >= 1_000_000) return `${formatMoney(amount / 1_000_000, currency, { digits: 1 })}M`;
  if (amount >= 10_000) return `${formatMoney(amount / 1000, currency, { digits: 0 })}k`;
  if (amount >= 1000) return `${formatMoney(amount / 1000, currency, { digits: 1 })}k`;
  return formatMoney(amount, currency, { digits: 0 });
}

function fitText(ctx: SKRSContext2D, text: string, width: number): string {
  if (ctx.measureText(text).width <= width) return text;
  let t = text;
  while (t.length > 1 && ctx.measureText(`${t}…`).width > width) t = t.slice(0, -1);
  return `${t}…`;
}

/** Draws the chart and returns PNG bytes. */
export function renderDailySpend(chart: DailySpendChart): Buffer {
  ensureFont();
  const canvas = createCanvas(CHART_WIDTH, CHART_HEIGHT);
  const ctx = canvas.getContext("2d");
  ctx.fillStyle = "#FFFFFF";
  ctx.fillRect(0, 0, CHART_WIDTH, CHART_HEIGHT);

  const plot = { left: 78, top: 52, right: CHART_WIDTH - 200, bottom: CHART_HEIGHT - 46 };
  ctx.fillStyle = "#1F1F1F";
  ctx.font = `bold 17px ${FONT}`;
  ctx.textBaseline = "alphabetic";
  ctx.fillText(fitText(ctx, chart.title, CHART_WIDTH - 32), 16, 28);

  const groups = topGroups(chart);
  const totals = chart.dates.map((_, i) => groups.reduce((n, g) => n + Math.max(0, g.values[i] ?? 0), 0));
  const max = niceMax(Math.max(0, ...totals));
  const y = (v: number) => plot.bottom - (v / max) * (plot.bottom - plot.top);

  // Grid and money axis.
  ctx.font = `12px ${FONT}`;
  ctx.textAlign = "right";
  ctx.textBaseline = "middle";
  for (let i = 0; i <= 5; i++) {
    const v = (max / 5) * i;
    ctx.strokeStyle = i === 0 ? "#6B6B6B" : "#E3E3E3";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(plot.left, Math.round(y(v)) + 0.5);
    ctx.lineTo(plot.right, Math.round(y(v)) + 0.5);
    ctx.stroke();
    ctx.fillStyle = "#4A4A4A";
    ctx.fillText(compactMoney(v, chart.currency), plot.left - 8, y(v));
  }

  const n = Math.max(1, chart.dates.length);
  const slot = (plot.right - plot.left) / n;
  const barWidth = Math.max(2, slot * 0.72);
  chart.dates.forEach((date, i) => {
    let base = 0;
    const x = plot.left + i * slot + (slot - barWidth) / 2;
    // Days still being billed are drawn faded and labelled, so a short bar is not read as a drop.
    const partial = chart.partialFrom !== undefined && date >= chart.partialFrom;
    ctx.globalAlpha = partial ? 0.35 : 1;
    groups.forEach((g, gi) => {
      const v = Math.max(0, g.values[i] ?? 0);
      if (v <= 0) return;
      ctx.fillStyle = g.label.startsWith("other (") ? OTHER : (PALETTE[gi % PALETTE.length] as string);
      const top = y(base + v);
      ctx.fillRect(x, top, barWidth, y(base) - top);
      base += v;
    });
    ctx.globalAlpha = 1;
    if (partial) {
      ctx.fillStyle = "#6B6B6B";
      ctx.textAlign = "center";
      ctx.textBaseline = "bottom";
      ctx.font = `10px ${FONT}`;
      ctx.fillText("partial", plot.left + i * slot + slot / 2, y(base) - 3);
      ctx.font = `12px ${FONT}`;
    }
    // Date labels: as many as fit without overlapping.
    const every = Math.ceil(n / Math.floor((plot.right - plot.left) / 56));
    if ((n - 1 - i) % every === 0) {
      ctx.fillStyle = "#4A4A4A";
      ctx.textAlign = "center";
      ctx.textBaseline = "top";
      ctx.fillText(shortDate(date), plot.left + i * slot + slot / 2, plot.bottom + 8);
    }
  });

  if (totals.every((t) => t <= 0)) {
    ctx.fillStyle = "#6B6B6B";
    ctx.textAlign = "center";
    ctx.textBaseline = "middle";
    ctx.font = `14px ${FONT}`;
    ctx.fillText("No GPU spend in this period", (plot.left + plot.right) / 2, (plot.top + plot.bottom) / 2);
  }

  // Legend, biggest first (the same order as the stack from the bottom).
  ctx.textAlign = "left";
  ctx.textBaseline = "middle";
  ctx.font = `12px ${FONT}`;
  groups.forEach((g, gi) => {
    const ly = plot.top + 6 + gi * 22;
    ctx.fillStyle = g.label.startsWith("other (") ? OTHER : (PALETTE[gi % PALETTE.length] as string);
    ctx.fillRect(plot.right + 18, ly - 6, 12, 12);
    ctx.fillStyle = "#1F1F1F";
    ctx.fillText(fitText(ctx, g.label || "(none)", CHART_WIDTH - plot.right - 44), plot.right + 36, ly);
  });

  return canvas.toBuffer("image/png");
}
