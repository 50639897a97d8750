/**
 * The gpuops server on the demo tenant with its Slack door pointed at a fake Slack: the setup
 * every HTTP Slack test shares. `env` adds or overrides settings (a shorter ack deadline, no console).
 */
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import type { FakeSlack } from "./fake-slack.ts";

export function startSlackServer(fake: FakeSlack, signingSecret: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const config = loadConfig({
    GPUOPS_DEMO: "true",
    GPUOPS_DATA_DIR: ":memory:",
    PORT: "0",
    SLACK_SIGNING_SECRET: signingSecret,
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_API_URL: fake.apiUrl,
    ...env,
  });
  return startServer(config, { log: createLogger("silent") });
}
