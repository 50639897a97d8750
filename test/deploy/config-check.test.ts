/**
 * `gpuops config check [--live]` through the CLI's main(): what it prints and its exit codes, with
 * live probes against real local services: the test PostgreSQL, a real Prometheus binary, and a
 * Slack Web API stand-in answering auth.test with the x-oauth-scopes header Slack sends.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../../src/cli.ts";
import { AZURE_NEEDS, actionAllowed, manifestSlackScopes } from "../../src/config-check.ts";
import { testPostgresUrl } from "../support/fresh-database.ts";
import { type RunningPrometheus, startPrometheus } from "../support/prometheus.ts";

async function check(args: string[], env: Record<string, string> = {}): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const code = await main(["config", "check", ...args], { GPUOPS_DATA_DIR: ":memory:", ...env }, (s) => lines.push(s));
  return { code, text: lines.join("\n") };
}

describe("gpuops config check", () => {
  it("--demo passes (exit 0) and says what it checked", async () => {
    const { code, text } = await check(["--demo"]);
    expect(code).toBe(0);
    for (const what of ["settings:", "Azure: demo mode", "store:", "Slack:", "Teams:", "console:", "Prometheus:", "shutdown:"]) expect(text).toContain(what);
    expect(text).toContain("All checks passed");
  });

  it("a bad setting exits 1 naming the key and a good example", async () => {
    const { code, text } = await check(["--demo"], { GPUOPS_SLACK_ACK_DEADLINE_MS: "soon" });
    expect(code).toBe(1);
    expect(text).toMatch(/fail\s+settings: [\s\S]*GPUOPS_SLACK_ACK_DEADLINE_MS[\s\S]*example: GPUOPS_SLACK_ACK_DEADLINE_MS=2000/);
  });

  it("an incomplete Slack setup is a configuration problem (exit 1)", async () => {
    const { code, text } = await check(["--demo"], { SLACK_SIGNING_SECRET: "s3cret" });
    expect(code).toBe(1);
    expect(text).toMatch(/fail\s+settings: SLACK_BOT_TOKEN: required/);
  });

  it("refuses an unknown option", async () => {
    expect((await check(["--deep"])).code).toBe(1);
  });
});

describe("gpuops config check --live", () => {
  let slack: Server;
  let slackUrl: string;
  let grantedScopes = "commands,chat:write";
  let prom: RunningPrometheus;

  beforeAll(async () => {
    slack = createServer((req, res) => {
      const ok = req.url?.startsWith("/api/auth.test") && req.headers.authorization === "Bearer xoxb-live-probe";
      res.writeHead(200, { "content-type": "application/json", ...(ok ? { "x-oauth-scopes": grantedScopes } : {}) });
      res.end(
        JSON.stringify(ok ? { ok: true, team: "Contoso", team_id: "T0CONTOSO", user: "gpuops", user_id: "U0GPUOPS1", bot_id: "B0GPUOPS1" } : { ok: false, error: "invalid_auth" }),
      );
    });
    await new Promise<void>((r) => slack.listen(0, "127.0.0.1", r));
    slackUrl = `http://127.0.0.1:${(slack.address() as AddressInfo).port}/api/`;
    prom = await startPrometheus({ targets: [] });
  }, 60_000);
  afterAll(async () => {
    await new Promise((r) => slack?.close(r));
    await prom?.close();
  });

  const slackEnv = () => ({ SLACK_BOT_TOKEN: "xoxb-live-probe", SLACK_SIGNING_SECRET: "s3cret", SLACK_API_URL: slackUrl });

  it("probes PostgreSQL, Prometheus and Slack once each and passes when all answer", async () => {
    grantedScopes = (await manifestSlackScopes()).join(",");
    const { code, text } = await check(["--demo", "--live"], { DATABASE_URL: testPostgresUrl(), PROMETHEUS_URL: prom.url, ...slackEnv() });
    expect(text).toMatch(/ok\s+live: PostgreSQL: connected to 127\.0\.0\.1:\d+ \(PostgreSQL \d+/);
    expect(text).toMatch(/ok\s+live: Prometheus: .* answers \(Prometheus \d+\.\d+/);
    expect(text).toMatch(/ok\s+live: Slack: token works \(team Contoso\) and has every scope/);
    expect(code).toBe(0);
    // The database credentials never appear.
    const db = new URL(testPostgresUrl());
    expect(text).not.toContain(`${db.username}:${db.password}@`);
  });

  it("names the Slack scopes the token lacks, compared with the app manifest (exit 2)", async () => {
    grantedScopes = "commands";
    const { code, text } = await check(["--demo", "--live"], slackEnv());
    expect(code).toBe(2);
    expect(text).toMatch(/fail\s+live: Slack: token works but lacks chat:write/);
  });

  it("a dependency that does not answer fails its probe with exit 2", async () => {
    const { code, text } = await check(["--demo", "--live"], { DATABASE_URL: "postgres://gpuops:hunter2hunter2@127.0.0.1:1/gpuops", PROMETHEUS_URL: "http://127.0.0.1:1" });
    expect(code).toBe(2);
    expect(text).toMatch(/fail\s+live: PostgreSQL: cannot connect to 127\.0\.0\.1:1/);
    expect(text).toMatch(/fail\s+live: Prometheus: 127\.0\.0\.1:1 does not answer/);
    expect(text).not.toContain("hunter2");
  });
});

describe("Azure permission matching", () => {
  // Actions of the built-in roles as Microsoft's "Azure built-in roles" pages list them.
  const reader = [{ actions: ["*/read"], notActions: [] }];
  const costReader = [{ actions: ["Microsoft.Consumption/*/read", "Microsoft.CostManagement/*/read", "Microsoft.Resources/subscriptions/read"], notActions: [] }];

  it("Reader covers every read gpuops needs; with no role nothing is allowed", () => {
    for (const need of AZURE_NEEDS)
      expect(
        need.actions.some((a) => actionAllowed(a, reader)),
        need.need,
      ).toBe(true);
    for (const need of AZURE_NEEDS)
      expect(
        need.actions.some((a) => actionAllowed(a, [])),
        need.need,
      ).toBe(false);
  });

  it("Cost Management Reader alone allows the cost query but not GPU sizes", () => {
    expect(actionAllowed("Microsoft.CostManagement/query/read", costReader)).toBe(true);
    expect(actionAllowed("Microsoft.Compute/skus/read", costReader)).toBe(false);
  });

  it("wildcards match whole segments only as Azure reads them, and notActions take away", () => {
    fc.assert(
      fc.property(fc.array(fc.stringMatching(/^[A-Za-z.]{1,12}$/), { minLength: 1, maxLength: 4 }), (segments) => {
        const action = `${segments.join("/")}/read`;
        expect(actionAllowed(action, reader)).toBe(true);
        expect(actionAllowed(action, [{ actions: ["*/read"], notActions: [action] }])).toBe(false);
        expect(actionAllowed(`${segments.join("/")}/write`, reader)).toBe(false);
        // Regex characters in an action are literal, never a pattern.
        expect(actionAllowed(action, [{ actions: [`${segments.join("/")}.read`] }])).toBe(false);
      }),
    );
  });
});
