/**
 * Idle alerts through the real Slack door: `/gpu subscribe idle` and button clicks arrive signed
 * at Bolt's receiver, the alert goes out through the Slack posting port (the official WebClient)
 * to a fake Slack speaking the Web API, and Deallocate reaches the fake ARM.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import type { ArmResource } from "../../src/fake-azure/demo-fleet.ts";
import { scanIdleOnce } from "../../src/jobs/idle-scan.ts";
import { createLogger } from "../../src/log.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { blockActionsBody, type FakeSlack, postSigned, slashCommandBody, startFakeSlack } from "../support/fake-slack.ts";
import { type FreshDatabase, freshSqlite } from "../support/fresh-database.ts";

const SECRET = "idle-slack-signing-secret";
const CHANNEL = "C0IDLE0001";
const SAM = "U0SAM0001";

interface Button {
  action_id: string;
  value: string;
  text: { text: string };
}

let slack: FakeSlack;
let server: RunningServer;
let db: FreshDatabase;
let target: ArmResource;

const powerOf = (r: ArmResource) => (r.properties.extended as { instanceView?: { powerState?: { code?: string } } } | undefined)?.instanceView?.powerState?.code;
const buttonsOf = (blocks: unknown): Button[] => ((blocks ?? []) as Array<{ type: string; elements?: Button[] }>).flatMap((b) => (b.type === "actions" ? (b.elements ?? []) : []));
const scan = () => scanIdleOnce({ store: server.app.store as NonNullable<RunningServer["app"]["store"]>, posting: server.app.posting, context: server.app.context }, new Date());

beforeAll(async () => {
  slack = await startFakeSlack();
  db = freshSqlite();
  const config = loadConfig({
    GPUOPS_DEMO: "true",
    GPUOPS_DATA_DIR: db.dataDir,
    PORT: "0",
    GPUOPS_SCHEDULER: "false",
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: slack.botToken,
    SLACK_API_URL: slack.apiUrl,
    GPUOPS_SLACK_APPROVERS: SAM,
  });
  server = await startServer(config, { log: createLogger("silent") });
  const fake = server.app.fake;
  if (!fake) throw new Error("demo mode has a fake Azure");
  fake.fleet.knobs.graphQuota = { perWindow: 1e9, windowMs: 5000 };
  for (const r of fake.fleet.resources) fake.telemetry.set(r.id, { kind: "busy" });
  const vm = fake.fleet.resources.find(
    (r) =>
      r.type === "microsoft.compute/virtualmachines" &&
      powerOf(r) === "PowerState/running" &&
      /^Standard_N/.test(String((r.properties.hardwareProfile as { vmSize: string }).vmSize)) &&
      r.tags.owner,
  );
  if (!vm) throw new Error("no running GPU VM in the demo fleet");
  target = vm;
  fake.telemetry.set(target.id, { kind: "idle", parked: true }, Date.now() - 3 * 3600_000);
});

afterAll(async () => {
  await server?.close();
  await slack?.close();
  await db?.drop();
});

describe("idle alerts through the Slack door", () => {
  it("subscribe idle, one alert with buttons, Snooze updates the message, Deallocate reaches ARM once", async () => {
    const sub = await postSigned(server.url, SECRET, slashCommandBody({ text: "subscribe idle", channelId: CHANNEL, responseUrl: slack.responseUrl("sub") }));
    expect(sub.status).toBe(200);

    const first = await scan();
    expect(first.posted).toBe(1);
    const posted = slack.callsOf("chat.postMessage");
    expect(posted).toHaveLength(1);
    expect(posted[0]?.args.channel).toBe(CHANNEL);
    expect(JSON.stringify(posted[0]?.args.blocks)).toContain(`Parked GPU: ${target.name}`);
    const buttons = buttonsOf(posted[0]?.args.blocks);
    expect(buttons.map((b) => b.text.text)).toEqual(["Snooze 4 h", "Snooze 24 h", "Keep 7 days", "Deallocate…"]);
    const ts = (slack.callsOf("chat.postMessage").length && (await server.app.store?.db.selectFrom("alert_message").select("message_id").executeTakeFirst())?.message_id) as string;

    // A second scan updates the same message in place.
    await scan();
    expect(slack.callsOf("chat.postMessage")).toHaveLength(1);
    expect(slack.callsOf("chat.update").at(-1)?.args.ts).toBe(ts);

    const snooze = buttons[0] as Button;
    const owner = String(target.tags.owner);
    // Slack vouches for the e-mail of the owner; Mallory's display name is the owner tag, her e-mail is not.
    slack.addUser("U0OWNER01", { name: "Owner", email: owner });
    slack.addUser("U0MALLORY", { name: owner, email: "mallory@example.org" });
    const press = async (userId: string, id: string, channelId = CHANNEL) => {
      await postSigned(
        server.url,
        SECRET,
        blockActionsBody({ actionId: snooze.action_id, value: snooze.value, channelId, messageTs: ts, userId, responseUrl: slack.responseUrl(id) }),
      );
      await waitFor(() => slack.responses.some((r) => r.id === id));
      return JSON.stringify(slack.responses.find((r) => r.id === id)?.body);
    };
    // Neither an approver nor the owner, a look-alike owner, nor the owner in another channel: refused and recorded.
    expect(await press("U0DANA001", "dana")).toContain("Only the configured GPU approvers or the VM's owner");
    expect(await press("U0MALLORY", "mallory")).toContain("Only the configured GPU approvers or the VM's owner");
    expect(await press("U0OWNER01", "elsewhere", "C0OTHER001")).toContain("not posted in this channel");
    const refusals = await server.app.store?.db.selectFrom("alert_action").select(["action", "actor_id"]).orderBy("id").execute();
    expect(refusals).toEqual([
      { action: "refused", actor_id: "U0DANA001" },
      { action: "refused", actor_id: "U0MALLORY" },
      { action: "refused", actor_id: "U0OWNER01" },
    ]);
    expect(slack.callsOf("chat.update").some((c) => JSON.stringify(c.args.blocks).includes("Snoozed until"))).toBe(false);
    // The owner, identified by the e-mail Slack has for them, in the alert's channel.
    const res = await postSigned(
      server.url,
      SECRET,
      blockActionsBody({ actionId: snooze.action_id, value: snooze.value, channelId: CHANNEL, messageTs: ts, userId: "U0OWNER01", responseUrl: slack.responseUrl("snooze") }),
    );
    expect(res.status).toBe(200);
    await waitFor(() => slack.responses.some((r) => r.id === "snooze") || slack.callsOf("chat.update").some((c) => JSON.stringify(c.args.blocks).includes("Snoozed until")));
    const snoozedShown = [...slack.responses.filter((r) => r.id === "snooze").map((r) => r.body), ...slack.callsOf("chat.update").map((c) => c.args)];
    expect(JSON.stringify(snoozedShown)).toContain("Snoozed until");

    // A non-approver is refused (ephemeral), and nothing reaches ARM.
    const deallocate = buttons[3] as Button;
    await postSigned(
      server.url,
      SECRET,
      blockActionsBody({ actionId: deallocate.action_id, value: deallocate.value, channelId: CHANNEL, messageTs: ts, userId: "U0FINN001", responseUrl: slack.responseUrl("finn") }),
    );
    await waitFor(() => slack.responses.some((r) => r.id === "finn"));
    expect(JSON.stringify(slack.responses.find((r) => r.id === "finn")?.body)).toContain("Only the configured GPU approvers");
    const armDeallocates = () => server.app.fake?.requests.filter((q) => q.method === "POST" && q.path.endsWith("/deallocate")).length;
    expect(armDeallocates()).toBe(0);

    // The approver asks, then confirms twice; ARM is called once and the message ends resolved.
    await postSigned(
      server.url,
      SECRET,
      blockActionsBody({ actionId: deallocate.action_id, value: deallocate.value, channelId: CHANNEL, messageTs: ts, userId: SAM, responseUrl: slack.responseUrl("ask") }),
    );
    await waitFor(() => slack.responses.some((r) => r.id === "ask"));
    const confirm = buttonsOf(slack.responses.find((r) => r.id === "ask")?.body.blocks).find((b) => b.text.text === "Yes, deallocate") as Button;
    expect(confirm).toBeDefined();
    await Promise.all(
      ["c1", "c2"].map((id) =>
        postSigned(
          server.url,
          SECRET,
          blockActionsBody({ actionId: confirm.action_id, value: confirm.value, channelId: CHANNEL, messageTs: ts, userId: SAM, responseUrl: slack.responseUrl(id) }),
        ),
      ),
    );
    await waitFor(() => slack.responses.filter((r) => r.id === "c1" || r.id === "c2").length >= 2);
    await server.app.idleActions?.settle();
    expect(armDeallocates()).toBe(1);
    expect(powerOf(target)).toBe("PowerState/deallocated");
    const lastUpdate = slack.callsOf("chat.update").at(-1);
    expect(JSON.stringify(lastUpdate?.args.blocks)).toContain(`Resolved: ${target.name} is deallocated`);
    const note = slack.callsOf("chat.postMessage").at(-1);
    expect(note?.args.thread_ts).toBe(ts);
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 25));
  }
}
