/**
 * Browser end-to-end harness: Debian's Chromium (apt `chromium`, installed by
 * scripts/test-services.sh) driven by playwright-core, which downloads nothing. One browser per
 * test file; pages are reused between steps. Screenshots go to test-artifacts/ (gitignored).
 */
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import { loadConfig } from "../../src/config.ts";
import { type RunningServer, startServer } from "../../src/server.ts";

export const CHROMIUM_PATH = process.env.GPUOPS_CHROMIUM ?? "/usr/bin/chromium";
export const ARTIFACTS_DIR = join(import.meta.dirname, "..", "..", "test-artifacts");

/** Headless Chromium with nothing that reaches beyond loopback (no sync, updates, QUIC probes). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

/** Saves a full-page screenshot as test-artifacts/<suite>/<name>.png and returns its path. */
export async function screenshot(page: Page, suite: string, name: string): Promise<string> {
  const dir = join(ARTIFACTS_DIR, suite);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** The real gpuops server on port 0 in demo mode (fake Azure, in-memory SQLite), as `npm start` runs it. */
export async function startDemoServer(env: Record<string, string> = {}): Promise<RunningServer> {
  const config = loadConfig(
    { GPUOPS_DEMO: "true", PORT: "0", GPUOPS_DATA_DIR: ":memory:", GPUOPS_LOG_LEVEL: "silent", GPUOPS_AZURE_MAX_RETRY_WAIT: "5", ...env },
    { cwd: tmpdir() },
  );
  return startServer(config);
}

/** Collects page errors and failed same-origin requests, so a test can assert the page ran clean. */
export function watchPage(page: Page): { errors: string[] } {
  const errors: string[] = [];
  page.on("pageerror", (err) => errors.push(`pageerror: ${err.message}`));
  page.on("console", (msg) => {
    if (msg.type() === "error") errors.push(`console: ${msg.text()}`);
  });
  page.on("requestfailed", (req) => {
    // An EventSource torn down at the end of a test is not a failure.
    if (!req.url().includes("/console/api/events")) errors.push(`requestfailed: ${req.url()} ${req.failure()?.errorText ?? ""}`);
  });
  return { errors };
}
