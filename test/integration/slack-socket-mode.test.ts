/**
 * Socket Mode (SLACK_APP_TOKEN): Bolt's SocketModeReceiver opens apps.connections.open at the fake
 * Slack, connects to its WebSocket, and answers a slash-command envelope in its ack.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { checkSlackLimits, type SlackBlock } from "../../src/render/slack.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { type FakeSlack, startFakeSlack } from "../support/fake-slack.ts";

describe("Slack door over Socket Mode", () => {
  let fake: FakeSlack;
  let server: RunningServer;
  beforeAll(async () => {
    fake = await startFakeSlack();
    const config = loadConfig({
      GPUOPS_DEMO: "true",
      GPUOPS_DATA_DIR: ":memory:",
      PORT: "0",
      SLACK_APP_TOKEN: "xapp-1-A0GPUOPS1-fake",
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_API_URL: fake.apiUrl,
    });
    server = await startServer(config, { log: createLogger("silent") });
  });
  afterAll(async () => {
    await server?.close();
    await fake?.close();
  });

  it("connects with the app token and answers /gpu in the envelope ack", async () => {
    expect(server.slack?.mode).toBe("socket");
    await fake.socket.connected();
    const open = fake.callsOf("apps.connections.open");
    expect(open.length).toBeGreaterThanOrEqual(1);
    expect(open[0]?.authorization).toBe("Bearer xapp-1-A0GPUOPS1-fake");
    const id = fake.socket.send("slash_commands", {
      token: "deprecated",
      team_id: "T0FAKE001",
      team_domain: "fake",
      channel_id: "C0GENERAL1",
      channel_name: "general",
      user_id: "U0ALICE01",
      user_name: "alice",
      command: "/gpu",
      text: "skus swedencentral a100",
      api_app_id: "A0GPUOPS1",
      is_enterprise_install: "false",
      response_url: fake.responseUrl("socket"),
      trigger_id: "1.2.socket",
    });
    const ack = await fake.waitFor(() => fake.socket.acks.find((a) => a.envelope_id === id));
    const payload = ack.payload as { response_type: string; blocks: SlackBlock[]; text: string };
    expect(payload.response_type).toBe("ephemeral");
    expect(JSON.stringify(payload.blocks)).toContain("NC24ads_A100_v4");
    expect(checkSlackLimits(payload)).toEqual([]);
    expect(fake.callsOf("auth.test")).toHaveLength(1);
  });

  it("acks a redelivered envelope (retry_attempt 1) without running the command again", async () => {
    const before = server.app.fake?.requests.length ?? 0;
    const id = fake.socket.send(
      "slash_commands",
      {
        team_id: "T0FAKE001",
        channel_id: "C0GENERAL1",
        user_id: "U0ALICE01",
        user_name: "alice",
        command: "/gpu",
        text: "quota westus",
        api_app_id: "A0GPUOPS1",
        response_url: fake.responseUrl("sock-retry"),
        trigger_id: "1.2.retry",
      },
      { retryAttempt: 1 },
    );
    const ack = await fake.waitFor(() => fake.socket.acks.find((a) => a.envelope_id === id));
    expect(ack.payload ?? {}).toEqual({});
    await new Promise((r) => setTimeout(r, 100));
    expect(server.app.fake?.requests.length ?? 0).toBe(before);
  });

  it("mounts no HTTP endpoint for Slack in Socket Mode", async () => {
    const res = await fetch(`${server.url}/slack/events`, { method: "POST", body: "x" });
    expect(res.status).toBe(404);
  });
});

describe("Socket Mode start-up", () => {
  it("an app token Slack refuses stops start-up with a message naming SLACK_APP_TOKEN", async () => {
    const fake = await startFakeSlack();
    fake.addFault({ method: "apps.connections.open", error: "invalid_auth" });
    try {
      const config = loadConfig({
        GPUOPS_DEMO: "true",
        GPUOPS_DATA_DIR: ":memory:",
        PORT: "0",
        SLACK_APP_TOKEN: "xapp-1-revoked",
        SLACK_BOT_TOKEN: fake.botToken,
        SLACK_API_URL: fake.apiUrl,
      });
      const err = await startServer(config, { log: createLogger("silent") }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/SLACK_APP_TOKEN.*invalid_auth/);
      expect((err as Error).message).not.toContain("xapp-1-revoked");
    } finally {
      await fake.close();
    }
  });
});
