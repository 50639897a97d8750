/**
 * Test harness: a fake Azure on loopback plus a gpuops App wired to it exactly as `--demo`
 * wires it (real SDK clients over real HTTPS). Each test gets its own fake, so request logs and
 * fault knobs never leak between tests.
 */
import { type App, createApp } from "../../src/app.ts";
import type { CommandRequest } from "../../src/commands/types.ts";
import { type Config, loadConfig } from "../../src/config.ts";
import { createDemoFleet } from "../../src/fake-azure/demo-fleet.ts";
import { type FakeAzure, type FakeAzureOptions, startFakeAzure } from "../../src/fake-azure/server.ts";

export interface DemoHarness {
  fake: FakeAzure;
  app: App;
  config: Config;
  close(): Promise<void>;
}

/**
 * `now` is the clock of both sides: the app's, and the fake tenant's (its VMs' histories and
 * telemetry are laid out back from it) unless the test brings a fleet of its own. A fake left on
 * the wall clock would make a test with a fixed `now` depend on the hour it runs at.
 */
export async function startDemoApp(opts: { env?: Record<string, string>; fake?: FakeAzureOptions; withStore?: boolean; now?: () => Date } = {}): Promise<DemoHarness> {
  const now = opts.now;
  const fake = await startFakeAzure(now && !opts.fake?.fleet ? { ...opts.fake, fleet: createDemoFleet({ now }) } : opts.fake);
  const config = loadConfig({ GPUOPS_DEMO: "true", GPUOPS_DATA_DIR: ":memory:", GPUOPS_AZURE_MAX_RETRY_WAIT: "5", ...opts.env });
  const app = await createApp(config, { fake, withStore: opts.withStore ?? false, ...(opts.now ? { now: opts.now } : {}) });
  return {
    fake,
    app,
    config,
    async close() {
      await app.close();
      await fake.close();
    },
  };
}

export function cliRequest(text: string, actorId = "tester"): CommandRequest {
  return { text, actor: { id: actorId, name: actorId }, channel: { id: "test", platform: "cli" }, surface: "cli" };
}
