// The Teams door with an app id configured: the Agents SDK's JWT check guards /api/messages, so a
// request without a valid token gets 401 and nothing runs. The valid case signs a token with a key
// served as JWKS on loopback (the SDK derives the JWKS URL from authorityEndpoint + tenantId), and
// the bot's outbound connector token comes from a loopback Entra auth sidecar: nothing leaves the
// machine.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { reply, text } from "../../src/reply/reply.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { type FakeBotConnector, startFakeBotConnector } from "../support/fake-bot-connector.ts";
import { type FakeEntra, startFakeEntra } from "../support/fake-entra.ts";
import { BOT_APP_ID, installationAdd, personalMessage, postActivity, TENANT_ID } from "../support/teams-activities.ts";

const dataDir = mkdtempSync(join(tmpdir(), "gpuops-teams-auth-"));
let server: RunningServer;
let connector: FakeBotConnector;
let entra: FakeEntra;

const nowSeconds = () => Math.floor(Date.now() / 1000);

function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { iss: entra.issuer, aud: BOT_APP_ID, tid: TENANT_ID, serviceurl: connector.url, iat: nowSeconds() - 10, nbf: nowSeconds() - 10, exp: nowSeconds() + 3600, ...overrides };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** Posts a command without a valid token and checks that nothing at all happened. */
async function expectRejected(headers: Record<string, string>): Promise<void> {
  const azureBefore = server.app.fake?.requests.length ?? 0;
  const connectorBefore = connector.calls.length;
  const res = await postActivity(server.url, personalMessage(connector.url, "gpu quota westus"), headers);
  expect(res.status).toBe(401);
  await new Promise((r) => setTimeout(r, 100));
  expect(server.app.fake?.requests.length ?? 0).toBe(azureBefore);
  expect(connector.calls.length).toBe(connectorBefore);
}

beforeAll(async () => {
  connector = await startFakeBotConnector();
  entra = await startFakeEntra(TENANT_ID);
  const config = loadConfig(
    {
      PORT: "0",
      GPUOPS_DATA_DIR: dataDir,
      GPUOPS_CONSOLE: "off",
      GPUOPS_LOG_LEVEL: "silent",
      clientId: BOT_APP_ID,
      tenantId: TENANT_ID,
      authType: "EntraAuthSideCar",
      authorityEndpoint: entra.url,
      sidecarBaseUrl: entra.url,
    },
    { cwd: dataDir },
  );
  server = await startServer(config, { log: createLogger("silent") });
});
afterAll(async () => {
  await server?.close();
  await connector?.close();
  await entra?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("Teams door with an app id", () => {
  it("is in authenticated mode", () => {
    expect(server.teams.mode).toBe("authenticated");
  });

  it("rejects a request without a token with 401, and runs nothing", async () => {
    await expectRejected({});
  });

  it("rejects a malformed Authorization header and a token that is not a JWT", async () => {
    await expectRejected({ authorization: "Basic dXNlcjpwYXNz" });
    await expectRejected(bearer("not-a-jwt"));
  });

  it("rejects tokens signed by an unknown key, for another app, expired, or from another issuer", async () => {
    await expectRejected(bearer(entra.sign(claims(), { key: "other" })));
    await expectRejected(bearer(entra.sign(claims({ aud: "11111111-2222-3333-4444-555555555555" }))));
    await expectRejected(bearer(entra.sign(claims({ exp: nowSeconds() - 3600, iat: nowSeconds() - 7200, nbf: nowSeconds() - 7200 }))));
    await expectRejected(bearer(entra.sign(claims({ iss: `${entra.url}/00000000-0000-0000-0000-000000000000/v2.0` }))));
  });

  it("refuses a valid token used for an activity that names another serviceUrl (400), and runs nothing", async () => {
    const azureBefore = server.app.fake?.requests.length ?? 0;
    const res = await postActivity(
      server.url,
      personalMessage(connector.url, "gpu quota westus"),
      bearer(entra.sign(claims({ serviceurl: "https://smba.trafficmanager.net/emea/" }))),
    );
    expect(res.status).toBe(400);
    await new Promise((r) => setTimeout(r, 100));
    expect(server.app.fake?.requests.length ?? 0).toBe(azureBefore);
    expect(connector.calls).toEqual([]);
  });

  it("answers a correctly signed request, calling the connector with the bot's own token", async () => {
    const activity = personalMessage(connector.url, "gpu quota westus");
    const res = await postActivity(server.url, activity, bearer(entra.sign(claims())));
    expect(res.status).toBe(200);
    await connector.waitFor((calls) => calls.some((c) => c.activityId === activity.id));
    const call = connector.calls.find((c) => c.activityId === activity.id);
    expect(call?.authorization).toBe(`Bearer ${entra.outboundToken}`);
    expect(JSON.stringify(call?.activity.attachments)).toContain("GPU quota in westus");
    expect(entra.requests.some((r) => r.path === `/${TENANT_ID}/discovery/v2.0/keys`)).toBe(true);
    const tokenRequest = entra.requests.find((r) => r.path.startsWith("/AuthorizationHeaderUnauthenticated/"));
    expect(tokenRequest?.query["optionsOverride.Scopes"]).toEqual(["https://api.botframework.com"]);
  });

  it("posts proactively as the bot (its app id), with its token", async () => {
    const conversation = "a:1auth-proactive";
    await postActivity(server.url, installationAdd(connector.url, conversation), bearer(entra.sign(claims())));
    const posted = await server.teams.posting?.post(conversation, reply("Idle GPU alert", [text("2 × ND96isr_H100_v5 idle for 3 h")]));
    const sent = connector.calls.find((c) => c.kind === "send" && c.id === posted?.messageId);
    expect(sent?.authorization).toBe(`Bearer ${entra.outboundToken}`);
  });
});
