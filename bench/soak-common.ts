/**
 * Shared pieces of the soak parts (bench/soak-*.ts): argument reading, a demo app on a fake Azure
 * (real SDK clients over HTTPS on loopback, an in-memory store), one figure line per result, and a
 * hard stop so a soak part always ends by itself.
 */
import { type App, createApp } from "../src/app.ts";
import type { CommandRequest } from "../src/commands/types.ts";
import { loadConfig } from "../src/config.ts";
import type { FakeAzure } from "../src/fake-azure/server.ts";

export const quick = process.argv.includes("--quick");

/** `--name=value` from the command line, as a number. */
export function numberArg(name: string, fallback: number): number {
  const raw = process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const n = raw === undefined ? Number.NaN : Number(raw);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** Ends the process with a failure if the part is still running after `seconds`: a soak never hangs. */
export function hardStop(part: string, seconds: number): void {
  setTimeout(() => {
    process.stdout.write(`${part}: FAILED, still running after ${seconds} s\n`);
    process.exit(3);
  }, seconds * 1000).unref();
}

export async function demoApp(fake: FakeAzure, env: Record<string, string> = {}): Promise<App> {
  const config = loadConfig({ GPUOPS_DEMO: "true", GPUOPS_DATA_DIR: ":memory:", GPUOPS_LOG_LEVEL: "silent", GPUOPS_SCHEDULER: "false", ...env });
  // The fake Azure does not meter Cost Management queries; the real tenant budget would only make the soak wait.
  return createApp(config, { fake, withStore: true, costBudget: { perShortWindow: 1e9, perLongWindow: 1e9 } });
}

export function request(text: string, i: number, surface: CommandRequest["surface"] = "cli"): CommandRequest {
  return { text, actor: { id: `soak-${i % 7}`, name: `soak ${i % 7}` }, channel: { id: `soak-${i % 3}`, platform: surface }, surface };
}

/** Runs `work` over `items` with at most `limit` at a time. */
export async function pool<T>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await work(items[i] as T, i);
    }
  });
  await Promise.all(lanes);
}
