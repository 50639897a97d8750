/**
 * Test harness: a fake Azure on loopback plus a gpuops App wired to it exactly as `--demo`
 * wires it (real SDK clients over real HTTPS). Each test gets its own fake, so request logs and
 * fault knobs never leak between tests.
 */
import { type App, createApp } from "../../src/app.ts";
import type { CommandRequest } from "../../src/commands/types.ts";
import { type Config, loadConfig } from "../../src/config.ts";
import { type FakeAzure, type FakeAzureOptions, startFakeAzure } from "../../src/fake-azure/server.ts";

export interface DemoHarness {
  fake: FakeAzure;
  app: App;
  config: Config;
  close(): Promise<void>;
}

export async function startDemoApp(opts: { env?: Record<string, string>; fake?: FakeAzureOptions; withStore?: boolean; now?: () => Date } = {}): Promise<DemoHarness> {
  const fake = await startFakeAzure(opts.fake);
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
