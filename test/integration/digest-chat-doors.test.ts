// The digest through the real doors: a Slack channel subscribes with a signed /gpu slash command
// (Bolt's receiver, the fake Slack Web API records chat.postMessage) and a Teams channel with an
// @mention activity (the Agents SDK adapter, the loopback Bot Connector records proactive sends).
// The scheduler runs on a fake clock; the server restarts in between. Each channel gets exactly
// one digest per day.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { type FakeBotConnector, startFakeBotConnector } from "../support/fake-bot-connector.ts";
import { createFakeClock } from "../support/fake-clock.ts";
import { type FakeSlack, postSigned, slashCommandBody, startFakeSlack } from "../support/fake-slack.ts";
import { CHANNEL_CONVERSATION, channelMention, postActivity } from "../support/teams-activities.ts";

const SECRET = "digest-door-signing-secret";
const HOUR = 3600_000;
const DAY = 24 * HOUR;
// A day near the real date, so the demo tenant's billed data (relative to real time) is there.
const DAY0 = Math.floor(Date.now() / DAY) * DAY;
const clock = createFakeClock(new Date(DAY0 + 6 * HOUR));
const dataDir = mkdtempSync(join(tmpdir(), "gpuops-digest-doors-"));
let slack: FakeSlack;
let connector: FakeBotConnector;
let server: RunningServer | undefined;

async function start(): Promise<RunningServer> {
  const config = loadConfig(
    {
      PORT: "0",
      GPUOPS_DEMO: "true",
      GPUOPS_DATA_DIR: dataDir,
      GPUOPS_CONSOLE: "off",
      GPUOPS_LOG_LEVEL: "silent",
      GPUOPS_REGIONS: "eastus",
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_API_URL: slack.apiUrl,
    },
    { cwd: dataDir },
  );
  server = await startServer(config, {
    log: createLogger("silent"),
    now: () => clock.now(),
    jobs: { clock, only: (job) => job.startsWith("digest:"), refreshMs: 6 * HOUR },
    teams: { retry: { sleep: async () => {} } },
  });
  return server;
}

async function stop(): Promise<void> {
  await server?.close();
  server = undefined;
}

const slackDigests = () => slack.callsOf("chat.postMessage").filter((c) => c.args.channel === "C0DIGEST1" && String(c.args.text).includes("GPU digest"));
const teamsDigests = () => connector.delivered("send").filter((c) => c.conversationId === CHANNEL_CONVERSATION && JSON.stringify(c.activity).includes("GPU digest"));

beforeAll(async () => {
  slack = await startFakeSlack();
  connector = await startFakeBotConnector();
});
afterAll(async () => {
  await stop();
  await slack?.close();
  await connector?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("digest through the Slack and Teams doors", () => {
  it("delivers exactly one digest per day to a subscribed Slack channel and Teams channel, across restarts", async () => {
    let s = await start();
    const res = await postSigned(s.url, SECRET, slashCommandBody({ text: "subscribe digest at 09:00 tz UTC", channelId: "C0DIGEST1", responseUrl: slack.responseUrl("sub-1") }));
    expect(res.status).toBe(200);
    const teams = await postActivity(s.url, channelMention(connector.url, "subscribe digest at 09:00 tz UTC"));
    expect(teams.status).toBe(200);
    await s.teams.idle();
    expect(await s.app.subscriptions?.get("slack", "C0DIGEST1", "digest")).toMatchObject({ at: "09:00", timezone: "UTC" });
    expect(await s.app.subscriptions?.get("teams", CHANNEL_CONVERSATION, "digest")).toMatchObject({ at: "09:00", timezone: "UTC" });

    // Day 0, 09:00: one each.
    await clock.advanceTo(new Date(DAY0 + 9 * HOUR + 60_000));
    expect(slackDigests()).toHaveLength(1);
    expect(teamsDigests()).toHaveLength(1);
    expect(teamsDigests()[0]?.activity.attachments).toEqual([expect.objectContaining({ contentType: "application/vnd.microsoft.card.adaptive" })]);

    // Restart the same day: nothing is posted again.
    await clock.advanceTo(new Date(DAY0 + 10 * HOUR));
    await stop();
    await clock.advance(HOUR);
    s = await start();
    expect(slackDigests()).toHaveLength(1);
    expect(teamsDigests()).toHaveLength(1);

    // Down over the next 09:00, back at 09:30 the same day: caught up once.
    await clock.advanceTo(new Date(DAY0 + DAY + 8 * HOUR));
    await stop();
    await clock.advanceTo(new Date(DAY0 + DAY + 9.5 * HOUR));
    s = await start();
    expect(slackDigests()).toHaveLength(2);
    expect(teamsDigests()).toHaveLength(2);

    // And the day after, on time, once.
    await clock.advanceTo(new Date(DAY0 + 2 * DAY + 12 * HOUR));
    expect(slackDigests()).toHaveLength(3);
    expect(teamsDigests()).toHaveLength(3);
    const statuses = await s.app.store?.db.selectFrom("digest_post").select(["platform", "local_date", "status"]).orderBy("platform").orderBy("local_date").execute();
    expect(statuses?.map((r) => `${r.platform} ${r.status}`)).toEqual(["slack posted", "slack posted", "slack posted", "teams posted", "teams posted", "teams posted"]);
  }, 60_000);
});
