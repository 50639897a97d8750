/**
 * The chart port: renders a PNG and keeps it where the surface can reach it. Served surfaces
 * (Slack, Teams, the console) get an id in the image store and a URL under the public base URL;
 * the CLI gets a file in a folder, and the path as the URL.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { ChartPort, DailySpendChart, ImageRef } from "../services/ports.ts";
import type { ImageStore } from "./image-store.ts";

export interface ChartServiceOptions {
  images: ImageStore;
  /** Base URL the charts are served under (GPUOPS_PUBLIC_URL, or the server's own URL). */
  publicUrl: () => string | undefined;
  /** Write PNG files here instead of serving them (the CLI). */
  fileDir?: string | undefined;
}

export function createChartService(opts: ChartServiceOptions): ChartPort {
  return {
    async dailySpend(chart: DailySpendChart): Promise<ImageRef> {
      // Skia and its fonts load with the first chart, not with every process that could draw one.
      const { renderDailySpend } = await import("./daily-spend.ts");
      const png = renderDailySpend(chart);
      const imageId = await opts.images.put(png);
      if (opts.fileDir) {
        const dir = resolve(opts.fileDir);
        await mkdir(dir, { recursive: true });
        const path = join(dir, `gpuops-chart-${imageId}.png`);
        await writeFile(path, png);
        return { imageId, url: path };
      }
      const base = opts.publicUrl()?.replace(/\/+$/, "");
      return base ? { imageId, url: `${base}/charts/${imageId}.png` } : { imageId };
    },
  };
}
