// Plain-language questions at the Teams door: real Teams-shaped activities POSTed to the real
// server's /api/messages (local mode, demo Azure); the answer card starts with what was read.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { type ConnectorCall, type FakeBotConnector, startFakeBotConnector } from "../support/fake-bot-connector.ts";
import { channelMention, personalMessage, postActivity } from "../support/teams-activities.ts";

const dataDir = mkdtempSync(join(tmpdir(), "gpuops-teams-understand-"));
let server: RunningServer;
let connector: FakeBotConnector;

beforeAll(async () => {
  connector = await startFakeBotConnector();
  const config = loadConfig({ PORT: "0", GPUOPS_DATA_DIR: dataDir, GPUOPS_TEAMS_SLOW_REPLY_MS: "1500", GPUOPS_CONSOLE: "off" }, { cwd: dataDir });
  server = await startServer(config, { log: createLogger("silent") });
});
afterAll(async () => {
  await server?.close();
  await connector?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const cardText = (call: ConnectorCall | undefined) => JSON.stringify(call?.activity.attachments ?? []);

async function answerTo(activity: Record<string, unknown>): Promise<ConnectorCall | undefined> {
  await postActivity(server.url, activity);
  await connector.waitFor((calls) => calls.some((c) => c.activityId === activity.id));
  return connector.calls.find((c) => c.activityId === activity.id);
}

describe("Teams: questions in plain words", () => {
  it("answers a channel @mention question with the reading on top, mention markup gone", async () => {
    const call = await answerTo(channelMention(connector.url, "any room for 4 A100s in east us 2?"));
    const json = cardText(call);
    expect(json).toContain("I read this as `quota eastus2 a100`");
    expect(json).toContain("GPU quota for");
    expect(json).not.toContain("<at>");
  });

  it("asks back in personal chat when a question could mean several things", async () => {
    const call = await answerTo(personalMessage(connector.url, "h100?"));
    const json = cardText(call);
    expect(json).toContain("Which did you mean?");
    expect(json).toContain("understand.run");
  });
});
