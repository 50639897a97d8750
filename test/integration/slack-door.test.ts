/**
 * The Slack door over real HTTP: the gpuops server (startServer) with Bolt's receiver at
 * /slack/events, requests signed here with the real algorithm and Slack's real payload shapes,
 * the official WebClient pointed at a fake Slack on loopback, and the fake Azure behind it all.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import type { ActionResult } from "../../src/commands/actions.ts";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { checkSlackLimits, type SlackBlock } from "../../src/render/slack.ts";
import { reply, text } from "../../src/reply/reply.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { blockActionsBody, type FakeSlack, postSigned, signSlackRequest, slashCommandBody, startFakeSlack } from "../support/fake-slack.ts";
import { startSlackServer } from "../support/slack-server.ts";

const SECRET = "test-signing-secret-8f2c";

interface CommandAnswer {
  response_type?: string;
  text?: string;
  blocks?: SlackBlock[];
  replace_original?: boolean;
}

const allText = (blocks: SlackBlock[] | undefined) => JSON.stringify(blocks ?? []);
const azureCalls = (s: RunningServer) => s.app.fake?.requests.length ?? 0;

function shareValue(answer: CommandAnswer): { actionId: string; value: string } {
  for (const b of answer.blocks ?? []) {
    if (b.type !== "actions") continue;
    const share = b.elements.find((e) => e.action_id.startsWith("gpuops:share:"));
    if (share) return { actionId: share.action_id, value: share.value };
  }
  throw new Error("no share button");
}

describe("Slack door: /gpu over the real Bolt receiver", () => {
  let fake: FakeSlack;
  let server: RunningServer;

  beforeAll(async () => {
    fake = await startFakeSlack();
    server = await startSlackServer(fake, SECRET);
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  it("verifies the bot token once at start, then never on a request", async () => {
    expect(server.slack?.mode).toBe("http");
    expect(server.slack?.identity).toEqual({ botId: fake.botId, botUserId: fake.botUserId, teamId: fake.teamId });
    expect(fake.callsOf("auth.test")).toHaveLength(1);
    expect(server.app.posting.get("slack")).toBe(server.slack?.posting);
    for (let i = 0; i < 5; i++) {
      const res = await postSigned(server.url, SECRET, slashCommandBody({ text: "help", responseUrl: fake.responseUrl(`auth-${i}`) }));
      expect(res.status).toBe(200);
    }
    expect(fake.callsOf("auth.test")).toHaveLength(1);
  });

  it("answers `/gpu skus swedencentral a100` in the ack with a Block Kit table of the A100 sizes", async () => {
    const res = await postSigned(server.url, SECRET, slashCommandBody({ text: "skus swedencentral a100", responseUrl: fake.responseUrl("a100") }));
    expect(res.status).toBe(200);
    // Slack reads the ack as a message only when it says it is JSON.
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const answer = (await res.json()) as CommandAnswer;
    expect(answer.response_type).toBe("ephemeral");
    expect(answer.blocks?.[0]).toMatchObject({ type: "header" });
    const body = allText(answer.blocks);
    for (const size of ["NC24ads_A100_v4", "NC48ads_A100_v4", "NC96ads_A100_v4", "ND96amsr_A100_v4"]) expect(body).toContain(size);
    expect(body).not.toContain("H100");
    expect(body).toContain("Demo data");
    expect(checkSlackLimits({ text: answer.text ?? "", blocks: answer.blocks ?? [] })).toEqual([]);
    expect(JSON.parse(shareValue(answer).value)).toMatchObject({ verb: "share", payload: { command: "skus swedencentral a100", answer: expect.stringMatching(/^[\w-]{16}$/) } });
    expect(fake.responsesTo("a100")).toHaveLength(0);
  });

  it("`… public` answers in the channel, without a share button", async () => {
    const res = await postSigned(server.url, SECRET, slashCommandBody({ text: "help public", responseUrl: fake.responseUrl("pub") }));
    const answer = (await res.json()) as CommandAnswer;
    expect(answer.response_type).toBe("in_channel");
    expect(allText(answer.blocks)).toContain("skus [region]");
    expect(allText(answer.blocks)).not.toContain("gpuops:share");
  });

  it("refuses a bad signature with 401 and runs nothing", async () => {
    const before = azureCalls(server);
    const body = slashCommandBody({ text: "quota westus", responseUrl: fake.responseUrl("badsig") });
    const forged = signSlackRequest("not-the-secret", body, Math.floor(Date.now() / 1000))["x-slack-signature"];
    const res = await postSigned(server.url, SECRET, body, { signature: forged as string });
    expect(res.status).toBe(401);
    expect(await res.text()).toBe("");
    await new Promise((r) => setTimeout(r, 100));
    expect(azureCalls(server)).toBe(before);
    expect(fake.responsesTo("badsig")).toHaveLength(0);
  });

  it("refuses a correctly signed request older than 5 minutes with 401 and runs nothing", async () => {
    const before = azureCalls(server);
    const stale = Math.floor(Date.now() / 1000) - 301;
    const res = await postSigned(server.url, SECRET, slashCommandBody({ text: "quota westus", responseUrl: fake.responseUrl("stale") }), { timestamp: stale });
    expect(res.status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect(azureCalls(server)).toBe(before);
    expect(fake.responsesTo("stale")).toHaveLength(0);
  });

  it("refuses an exact replay of a signed request with 401 and runs the command once", async () => {
    const body = slashCommandBody({ text: "quota westus", responseUrl: fake.responseUrl("replay") });
    const ts = Math.floor(Date.now() / 1000);
    const headers = { "content-type": "application/x-www-form-urlencoded", ...signSlackRequest(SECRET, body, ts) };
    const first = await fetch(`${server.url}/slack/events`, { method: "POST", headers, body });
    expect(first.status).toBe(200);
    expect(allText(((await first.json()) as CommandAnswer).blocks)).toContain("westus");
    const afterFirst = azureCalls(server);
    const again = await fetch(`${server.url}/slack/events`, { method: "POST", headers, body });
    expect(again.status).toBe(401);
    await new Promise((r) => setTimeout(r, 100));
    expect(azureCalls(server)).toBe(afterFirst);
  });

  it("acks a Slack retry (X-Slack-Retry-Num) with X-Slack-No-Retry and does not run the command again", async () => {
    const body = slashCommandBody({ text: "quota westus", responseUrl: fake.responseUrl("retry") });
    const first = await postSigned(server.url, SECRET, body);
    expect(first.status).toBe(200);
    await first.text();
    const afterFirst = azureCalls(server);
    const retry = await postSigned(server.url, SECRET, body, { headers: { "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" } });
    expect(retry.status).toBe(200);
    expect(retry.headers.get("x-slack-no-retry")).toBe("1");
    expect(await retry.text()).toBe("");
    // The same trigger under a fresh signature (a replay that re-signed) is skipped too.
    const resent = await postSigned(server.url, SECRET, body, { timestamp: Math.floor(Date.now() / 1000) - 5 });
    expect(resent.status).toBe(200);
    expect(await resent.text()).toBe("");
    await new Promise((r) => setTimeout(r, 100));
    expect(azureCalls(server)).toBe(afterFirst);
    expect(fake.responsesTo("retry")).toHaveLength(0);
    expect(server.slack?.stats()).toMatchObject({ retries: 1, duplicates: 1 });
  });

  it("neutralises <!channel> and injected links in user text echoed back", async () => {
    for (const [id, textIn] of [
      ["inj1", "<!channel> wake up"],
      ["inj2", "&lt;!channel&gt; wake up"],
      ["inj3", "skus <https://evil.example|click me>"],
      ["inj4", "explain <!here|here> <@U0BOSS01>"],
    ] as const) {
      const res = await postSigned(server.url, SECRET, slashCommandBody({ text: textIn, responseUrl: fake.responseUrl(id) }));
      const answer = (await res.json()) as CommandAnswer;
      const json = JSON.stringify(answer);
      expect(json).not.toMatch(/<!channel|<!here|<https:|<@U0BOSS01>/);
      expect(checkSlackLimits({ text: answer.text ?? "", blocks: answer.blocks ?? [] })).toEqual([]);
    }
    const res = await postSigned(server.url, SECRET, slashCommandBody({ text: "<!channel> wake up", responseUrl: fake.responseUrl("inj5") }));
    expect(allText(((await res.json()) as CommandAnswer).blocks)).toContain("&lt;!channel&gt;");
  });

  it("the share button posts the answer in the channel and removes the private copy", async () => {
    const res = await postSigned(server.url, SECRET, slashCommandBody({ text: "skus swedencentral a100", responseUrl: fake.responseUrl("sh-cmd") }));
    const { actionId, value } = shareValue((await res.json()) as CommandAnswer);
    const click = await postSigned(
      server.url,
      SECRET,
      blockActionsBody({ actionId, value, responseUrl: fake.responseUrl("sh-click"), isEphemeral: true, channelId: "C0GENERAL1" }),
    );
    expect(click.status).toBe(200);
    await server.slack?.idle();
    const posts = fake.callsOf("chat.postMessage");
    const post = posts[posts.length - 1];
    expect(post?.args.channel).toBe("C0GENERAL1");
    const blocks = post?.args.blocks as SlackBlock[];
    expect(JSON.stringify(blocks)).toContain("NC24ads_A100_v4");
    expect(JSON.stringify(blocks)).toContain("Shared by <@U0ALICE01>");
    expect(JSON.stringify(blocks)).not.toContain("gpuops:share");
    expect(checkSlackLimits({ blocks })).toEqual([]);
    await fake.waitFor(() => fake.responsesTo("sh-click").length > 0);
    expect(fake.responsesTo("sh-click")[0]?.body).toEqual({ delete_original: true });
  });

  it("sharing where the bot is not a member falls back to response_url in_channel", async () => {
    const value = JSON.stringify({ verb: "share", payload: { command: "explain PTU" } });
    fake.addFault({ method: "chat.postMessage", error: "not_in_channel", times: 1 });
    await postSigned(
      server.url,
      SECRET,
      blockActionsBody({ actionId: "gpuops:share:0", value, responseUrl: fake.responseUrl("sh-nic"), isEphemeral: true, channelId: "C0PRIVATE1" }),
    );
    await server.slack?.idle();
    const sent = await fake.waitFor(() => (fake.responsesTo("sh-nic").length >= 2 ? fake.responsesTo("sh-nic") : undefined));
    expect(sent[0]?.body).toMatchObject({ response_type: "in_channel", replace_original: false });
    expect(JSON.stringify(sent[0]?.body)).toContain("PTU");
    expect(sent[1]?.body).toEqual({ delete_original: true });
  });

  it("a forged button value is refused with a private note and nothing is posted", async () => {
    const posts = fake.callsOf("chat.postMessage").length;
    for (const [i, value] of ['{"verb":"share","payload":{"command":""}}', "not json", '{"verb":"DROP TABLE","payload":{}}', '{"verb":"nosuch","payload":{}}'].entries()) {
      const id = `forged-${i}`;
      const res = await postSigned(server.url, SECRET, blockActionsBody({ actionId: "gpuops:share:0", value, responseUrl: fake.responseUrl(id), isEphemeral: true }));
      expect(res.status).toBe(200);
      await server.slack?.idle();
      const note = await fake.waitFor(() => fake.responsesTo(id)[0]);
      expect(note.body).toMatchObject({ response_type: "ephemeral", replace_original: false });
      expect(JSON.stringify(note.body)).toMatch(/not valid|not available/);
    }
    expect(fake.callsOf("chat.postMessage")).toHaveLength(posts);
  });

  it("an action's `update` replaces the message the button sits on", async () => {
    server.app.router.addAction({
      verb: "test.refresh",
      schema: z.object({ n: z.number() }),
      run: async (p): Promise<ActionResult> => ({ update: reply(`Refreshed ${p.n}`, [text("fresh")]) }),
    });
    await postSigned(
      server.url,
      SECRET,
      blockActionsBody({ actionId: "gpuops:test.refresh:0", value: '{"verb":"test.refresh","payload":{"n":7}}', responseUrl: fake.responseUrl("upd") }),
    );
    await server.slack?.idle();
    const r = await fake.waitFor(() => fake.responsesTo("upd")[0]);
    expect(r.body).toMatchObject({ replace_original: true });
    expect(JSON.stringify(r.body)).toContain("Refreshed 7");
  });

  it("App Home: app_home_opened publishes the Home view once, even when Slack retries the event", async () => {
    const event = JSON.stringify({
      token: "deprecated",
      team_id: "T0FAKE001",
      api_app_id: "A0GPUOPS1",
      event: { type: "app_home_opened", user: "U0ALICE01", channel: "D0ALICE01", tab: "home", event_ts: "1700000000.1" },
      type: "event_callback",
      event_id: "Ev0HOME0001",
      event_time: 1700000000,
      authorizations: [{ team_id: "T0FAKE001", user_id: fake.botUserId, is_bot: true }],
    });
    const send = (headers: Record<string, string> = {}) =>
      fetch(`${server.url}/slack/events`, {
        method: "POST",
        headers: { "content-type": "application/json", ...signSlackRequest(SECRET, event, Math.floor(Date.now() / 1000)), ...headers },
        body: event,
      });
    expect((await send()).status).toBe(200);
    await server.slack?.idle();
    const retry = await send({ "x-slack-retry-num": "1", "x-slack-retry-reason": "http_timeout" });
    expect(retry.status).toBe(200);
    await server.slack?.idle();
    const publishes = fake.callsOf("views.publish").filter((c) => c.args.user_id === "U0ALICE01");
    expect(publishes).toHaveLength(1);
    const view = publishes[0]?.args.view as { type: string; blocks: SlackBlock[] };
    expect(view.type).toBe("home");
    expect(checkSlackLimits({ blocks: view.blocks }, { maxBlocks: 100 })).toEqual([]);
    const json = JSON.stringify(view.blocks);
    expect(json).toContain("Share in channel");
    expect(json).toContain("gpuops:ask:");
    expect(json).toContain("cached for up to 6 h");
    expect(json).toContain("Demo data");
  });

  it("App Home: a common-question button shows its answer on the Home tab", async () => {
    const value = JSON.stringify({ verb: "ask", payload: { command: "explain PTU" } });
    await postSigned(server.url, SECRET, blockActionsBody({ actionId: "gpuops:ask:3", value, view: "home", userId: "U0BOB0001" }));
    await server.slack?.idle();
    const publish = await fake.waitFor(() => fake.callsOf("views.publish").find((c) => c.args.user_id === "U0BOB0001"));
    const view = publish.args.view as { blocks: SlackBlock[] };
    expect(JSON.stringify(view.blocks)).toContain("Provisioned Throughput");
    expect(checkSlackLimits({ blocks: view.blocks }, { maxBlocks: 100 })).toEqual([]);
  });

  it("App Home lists the workspace's channel subscriptions", async () => {
    const openHome = async (user: string, eventId: string) => {
      const event = JSON.stringify({
        token: "deprecated",
        team_id: "T0FAKE001",
        api_app_id: "A0GPUOPS1",
        event: { type: "app_home_opened", user, channel: `D${user}`, tab: "home", event_ts: "1700000001.1" },
        type: "event_callback",
        event_id: eventId,
        event_time: 1700000001,
        authorizations: [{ team_id: "T0FAKE001", user_id: fake.botUserId, is_bot: true }],
      });
      const res = await fetch(`${server.url}/slack/events`, {
        method: "POST",
        headers: { "content-type": "application/json", ...signSlackRequest(SECRET, event, Math.floor(Date.now() / 1000)) },
        body: event,
      });
      expect(res.status).toBe(200);
      await server.slack?.idle();
      const publish = await fake.waitFor(() => fake.callsOf("views.publish").filter((c) => c.args.user_id === user)[0]);
      return JSON.stringify((publish.args.view as { blocks: SlackBlock[] }).blocks);
    };
    const before = await openHome("U0CAROL01", "Ev0HOMESUB1");
    expect(before).toContain("Channel subscriptions");
    expect(before).toContain("No channel subscribes yet");

    const res = await postSigned(server.url, SECRET, slashCommandBody({ text: "subscribe digest at 08:30", channelId: "C0INFRA001", responseUrl: fake.responseUrl("sub-home") }));
    expect(res.status).toBe(200);
    await server.slack?.idle();
    const after = await openHome("U0DAVE001", "Ev0HOMESUB2");
    expect(after).toContain("C0INFRA001");
    expect(after).toContain("08:30");
  });

  it("modals: a button verb opens a form within the trigger window; its submission runs the verb's action", async () => {
    const seen: unknown[] = [];
    server.app.router.addAction({
      verb: "test.form",
      schema: z.object({ vm: z.string(), reason: z.string().min(3) }),
      run: async (p): Promise<ActionResult> => {
        seen.push(p);
        return { ephemeral: reply("Request sent", [text(`for ${p.vm}`)]) };
      },
    });
    server.slack?.onModal("test.form", (payload) => ({
      title: "Why do you need it?",
      submit: "Send",
      blocks: [
        { type: "input", block_id: "r", label: { type: "plain_text", text: "Reason" }, element: { type: "plain_text_input", action_id: "reason" } },
        { type: "context", elements: [{ type: "mrkdwn", text: String(payload.vm) }] },
      ],
    }));
    await postSigned(
      server.url,
      SECRET,
      blockActionsBody({
        actionId: "gpuops:test.form:0",
        value: '{"verb":"test.form","payload":{"vm":"vm-7"}}',
        triggerId: "13345224609.738474920.8088930838d88f008e0",
        channelId: "C0GENERAL1",
      }),
    );
    await server.slack?.idle();
    const open = await fake.waitFor(() => fake.callsOf("views.open")[0]);
    expect(open.args.trigger_id).toBe("13345224609.738474920.8088930838d88f008e0");
    const view = open.args.view as { callback_id: string; private_metadata: string; type: string };
    expect(view).toMatchObject({ type: "modal", callback_id: "gpuops:test.form" });
    const submission = JSON.stringify({
      type: "view_submission",
      team: { id: "T0FAKE001", domain: "fake" },
      user: { id: "U0ALICE01", username: "alice", name: "alice", team_id: "T0FAKE001" },
      api_app_id: "A0GPUOPS1",
      token: "deprecated",
      trigger_id: "12345.98765.abcd2358fdea",
      view: { ...view, id: "V0MODAL1", state: { values: { r: { reason: { type: "plain_text_input", value: "fine-tuning run" } } } }, hash: "156772938.1827394" },
      response_urls: [],
      is_enterprise_install: false,
    });
    const res = await postSigned(server.url, SECRET, new URLSearchParams({ payload: submission }).toString());
    expect(res.status).toBe(200);
    await server.slack?.idle();
    expect(seen).toEqual([{ vm: "vm-7", reason: "fine-tuning run" }]);
    const eph = await fake.waitFor(() => fake.callsOf("chat.postEphemeral")[0]);
    expect(eph.args).toMatchObject({ channel: "C0GENERAL1", user: "U0ALICE01" });
    expect(JSON.stringify(eph.args.blocks)).toContain("for vm-7");
  });
});

describe("Slack door: slow Azure", () => {
  let fake: FakeSlack;
  let server: RunningServer;
  beforeAll(async () => {
    fake = await startFakeSlack();
    server = await startSlackServer(fake, SECRET, { GPUOPS_SLACK_ACK_DEADLINE_MS: "300" });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  it("acks in time with 'working on it…', then the answer replaces it through response_url", async () => {
    server.app.fake?.addFault({ match: "/providers/Microsoft.Compute/skus", latencyMs: 1500 });
    const started = Date.now();
    const res = await postSigned(server.url, SECRET, slashCommandBody({ text: "skus swedencentral a100", responseUrl: fake.responseUrl("slow") }));
    const ackMs = Date.now() - started;
    expect(res.status).toBe(200);
    const ack = (await res.json()) as CommandAnswer;
    expect(ackMs).toBeLessThan(1200);
    expect(ack.text).toMatch(/Working on it/);
    expect(ack.response_type).toBe("ephemeral");
    expect(fake.responsesTo("slow")).toHaveLength(0);
    const answer = await fake.waitFor(() => fake.responsesTo("slow")[0], 10_000);
    expect(answer.at - started).toBeGreaterThanOrEqual(1400);
    const body = answer.body as CommandAnswer;
    expect(body.replace_original).toBe(true);
    expect(body.response_type).toBe("ephemeral");
    expect(allText(body.blocks)).toContain("NC24ads_A100_v4");
    expect(checkSlackLimits({ text: body.text ?? "", blocks: body.blocks ?? [] })).toEqual([]);
    await server.slack?.idle();
    expect(fake.responsesTo("slow")).toHaveLength(1);
    server.app.fake?.clearFaults();
  });

  it("an Azure failure after the deadline still arrives as a readable answer", async () => {
    server.app.fake?.addFault({ match: "/usages", latencyMs: 600, status: 403 });
    const res = await postSigned(server.url, SECRET, slashCommandBody({ text: "quota westus", responseUrl: fake.responseUrl("slow-err") }));
    expect(((await res.json()) as CommandAnswer).text).toMatch(/Working on it/);
    const answer = await fake.waitFor(() => fake.responsesTo("slow-err")[0], 10_000);
    const json = JSON.stringify(answer.body);
    expect(json).not.toMatch(/stack|at .*\.ts:\d+/);
    expect(json).toMatch(/Reader|permission|access|forbidden/i);
    server.app.fake?.clearFaults();
  });
});

describe("Slack door: secrets stay out of the logs", () => {
  it("neither the signing secret nor the bot token appears in debug logs of start-up, refusals and answers", async () => {
    const fake = await startFakeSlack();
    const lines: string[] = [];
    const sink = { write: (l: string) => lines.push(l) };
    const config = loadConfig({
      GPUOPS_DEMO: "true",
      GPUOPS_DATA_DIR: ":memory:",
      PORT: "0",
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_API_URL: fake.apiUrl,
    });
    const server = await startServer(config, { log: createLogger("debug", sink) });
    try {
      const body = slashCommandBody({ text: "skus swedencentral a100", responseUrl: fake.responseUrl("logs") });
      await (await postSigned(server.url, "wrong-secret", body)).text();
      await (await postSigned(server.url, SECRET, body)).text();
      const value = JSON.stringify({ verb: "share", payload: { command: "explain PTU" } });
      await postSigned(server.url, SECRET, blockActionsBody({ actionId: "gpuops:share:0", value, responseUrl: fake.responseUrl("logs-share"), isEphemeral: true }));
      await server.slack?.idle();
    } finally {
      await server.close();
      await fake.close();
    }
    const all = lines.join("");
    expect(all).toContain("Request verification failed");
    expect(all.length).toBeGreaterThan(1000);
    expect(all).not.toContain(SECRET);
    expect(all).not.toContain(fake.botToken);
  });
});

describe("Slack door: configuration", () => {
  it("stays off without Slack credentials", async () => {
    const server = await startServer(loadConfig({ GPUOPS_DEMO: "true", GPUOPS_DATA_DIR: ":memory:", PORT: "0" }), { log: createLogger("silent") });
    try {
      expect(server.slack).toBeUndefined();
      const res = await fetch(`${server.url}/slack/events`, { method: "POST", body: "x" });
      expect(res.status).toBe(404);
    } finally {
      await server.close();
    }
  });

  it("a bot token Slack refuses stops start-up with a message naming SLACK_BOT_TOKEN", async () => {
    const fake = await startFakeSlack();
    try {
      const config = loadConfig({
        GPUOPS_DEMO: "true",
        GPUOPS_DATA_DIR: ":memory:",
        PORT: "0",
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_BOT_TOKEN: "xoxb-wrong",
        SLACK_API_URL: fake.apiUrl,
      });
      const err = await startServer(config, { log: createLogger("silent") }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/SLACK_BOT_TOKEN.*invalid_auth/);
      expect((err as Error).message).not.toContain("xoxb-wrong");
    } finally {
      await fake.close();
    }
  });

  it("half a Slack configuration is refused with the missing key named", () => {
    expect(() => loadConfig({ SLACK_SIGNING_SECRET: SECRET })).toThrow(/SLACK_BOT_TOKEN/);
    expect(() => loadConfig({ SLACK_BOT_TOKEN: "xoxb-1" })).toThrow(/SLACK_SIGNING_SECRET/);
    expect(() => loadConfig({ SLACK_BOT_TOKEN: "xoxp-user-token", SLACK_SIGNING_SECRET: SECRET })).toThrow(/xoxb/);
  });
});
