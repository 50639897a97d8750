/**
 * An idle alert is posted once per channel even when Slack is slow: the real Slack posting port
 * (official WebClient, short timeout) against the fake Slack. The post goes unanswered in time but
 * lands; the WebClient does not send it again, and the next scan finds it in the channel's history
 * by its metadata marker and updates it instead of posting a second alert.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createSlackPosting } from "../../src/chat/slack/posting.ts";
import { createSlackWebClient } from "../../src/chat/slack/web-client.ts";
import { loadConfig } from "../../src/config.ts";
import type { ArmResource } from "../../src/fake-azure/demo-fleet.ts";
import { alertMarker, scanIdleOnce } from "../../src/jobs/idle-scan.ts";
import { createLogger } from "../../src/log.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { type FakeSlack, postSigned, slashCommandBody, startFakeSlack } from "../support/fake-slack.ts";
import { type FreshDatabase, freshSqlite } from "../support/fresh-database.ts";

const SECRET = "idle-once-signing-secret";
const CHANNEL = "C0IDLEONCE";
const log = createLogger("silent");

let slack: FakeSlack;
let server: RunningServer;
let db: FreshDatabase;
// The demo telemetry is laid out relative to this instant.
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);

const powerOf = (r: ArmResource) => (r.properties.extended as { instanceView?: { powerState?: { code?: string } } } | undefined)?.instanceView?.powerState?.code;
const scan = (at: Date) => scanIdleOnce({ store: server.app.store as NonNullable<RunningServer["app"]["store"]>, posting: server.app.posting, context: server.app.context }, at);

beforeAll(async () => {
  slack = await startFakeSlack({ now: () => NOW });
  db = freshSqlite();
  const config = loadConfig({
    GPUOPS_DEMO: "true",
    GPUOPS_DATA_DIR: db.dataDir,
    PORT: "0",
    GPUOPS_SCHEDULER: "false",
    GPUOPS_LOG_LEVEL: "silent",
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_API_URL: slack.apiUrl,
  });
  server = await startServer(config, { log });
  const fake = server.app.fake;
  if (!fake) throw new Error("demo mode has a fake Azure");
  fake.fleet.knobs.graphQuota = { perWindow: 1e9, windowMs: 5000 };
  for (const r of fake.fleet.resources) fake.telemetry.set(r.id, { kind: "busy" });
  const vm = fake.fleet.resources.find(
    (r) =>
      r.type === "microsoft.compute/virtualmachines" &&
      powerOf(r) === "PowerState/running" &&
      /^Standard_N/.test(String((r.properties.hardwareProfile as { vmSize: string }).vmSize)),
  );
  if (!vm) throw new Error("no running GPU VM in the demo fleet");
  fake.telemetry.set(vm.id, { kind: "idle", parked: true }, NOW.getTime() - 3 * 3600_000);
  // The door's port, with a WebClient that gives up after 300 ms.
  server.app.posting.register(createSlackPosting({ client: createSlackWebClient({ botToken: slack.botToken, apiUrl: slack.apiUrl, timeoutMs: 300 }, log), log, minIntervalMs: 0 }));
}, 60_000);

afterAll(async () => {
  await server?.close();
  await slack?.close();
  await db?.drop();
});

describe("idle alert posted once", () => {
  it("a slow Slack gets one alert: no blind retry, and the next scan finds and updates it", async () => {
    const sub = await postSigned(server.url, SECRET, slashCommandBody({ text: "subscribe idle", channelId: CHANNEL, responseUrl: slack.responseUrl("sub") }));
    expect(sub.status).toBe(200);

    slack.addFault({ method: "chat.postMessage", answerAfterMs: 1_000, times: 1 });
    const first = await scan(NOW);
    expect(first.failed).toBe(1);
    expect(slack.callsOf("chat.postMessage")).toHaveLength(1);
    expect(slack.messagesIn(CHANNEL)).toHaveLength(1);

    const second = await scan(new Date(NOW.getTime() + 15 * 60_000));
    expect(second.posted).toBe(0);
    expect(slack.messagesIn(CHANNEL)).toHaveLength(1);
    const landed = slack.messagesIn(CHANNEL)[0];
    const rows = await server.app.store?.db.selectFrom("alert_message").selectAll().execute();
    expect(rows).toEqual([expect.objectContaining({ channel_id: CHANNEL, message_id: landed?.ts })]);
    expect(landed?.metadata?.event_payload.marker).toBe(alertMarker(Number(rows?.[0]?.alert_id), "slack", CHANNEL));
    // Brought up to date in place.
    expect(slack.callsOf("chat.update").some((c) => c.args.ts === landed?.ts)).toBe(true);
  }, 60_000);
});
