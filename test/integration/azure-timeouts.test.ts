/**
 * An Azure endpoint that accepts the connection and never answers: through the real SDK clients
 * (the fake Azure over HTTPS holding the request open), every try ends at the per-try timeout, and
 * every command answers within its deadline, naming the source that was too slow. The Slack door's
 * "Working on it…" is always followed by an answer.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createAzureAccess } from "../../src/azure/client-factory.ts";
import { loadConfig } from "../../src/config.ts";
import { GpuopsError } from "../../src/errors.ts";
import { type FakeAzure, startFakeAzure } from "../../src/fake-azure/server.ts";
import { createLogger } from "../../src/log.ts";
import type { Reply } from "../../src/reply/reply.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { cliRequest, type DemoHarness, startDemoApp } from "../support/demo-app.ts";
import { postSigned, slashCommandBody, startFakeSlack } from "../support/fake-slack.ts";
import { runCommand } from "../support/router.ts";

/** Long enough to be "never" for any test here; the fake's close() drops the held sockets. */
const HANG = { latencyMs: 10 * 60_000 };
const all = (r: Reply) => JSON.stringify(r);

async function timed<T>(work: Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work;
  return { value, ms: performance.now() - started };
}

describe("per-try timeout in the client factory", () => {
  let fake: FakeAzure;
  beforeAll(async () => {
    fake = await startFakeAzure();
  });
  afterAll(async () => fake?.close());

  it("a ComputeManagementClient call to a hanging endpoint fails after each try's timeout, retried, never hanging", async () => {
    fake.addFault({ match: "/providers/Microsoft.Compute/skus", ...HANG });
    const azure = createAzureAccess({
      cloud: "public",
      url: fake.url,
      token: fake.token,
      concurrency: 4,
      maxRetries: 1,
      maxRetryWaitSeconds: 1,
      tryTimeoutMs: 400,
      loopbackCa: fake.ca,
    });
    const sub = fake.tenant.subscriptions[0]?.id as string;
    const before = fake.requests.length;
    const { value: err, ms } = await timed(
      (async () => {
        try {
          for await (const _ of azure.compute(sub).resourceSkus.list({ filter: "location eq 'eastus'" })) {
            // drain
          }
          return undefined;
        } catch (e) {
          return e;
        }
      })(),
    );
    expect(err).toBeInstanceOf(GpuopsError);
    expect((err as GpuopsError).code).toBe("azure_unavailable");
    expect((err as GpuopsError).message).toMatch(/did not answer Microsoft\.Compute\/skus within 0\.4 s/);
    // Two tries (one retry), each cut at 0.4 s: well under what the hang would take.
    expect(fake.requests.length - before).toBe(2);
    expect(azure.counters()["Microsoft.Compute/skus"]?.retries).toBe(1);
    expect(ms).toBeGreaterThanOrEqual(800);
    expect(ms).toBeLessThan(8_000);
    fake.clearFaults();
  });
});

describe("command deadline", () => {
  let h: DemoHarness;
  afterEach(async () => {
    await h?.close();
  });

  it("a hanging source past the per-try timeout becomes a readable answer that names the API", async () => {
    h = await startDemoApp({ env: { GPUOPS_AZURE_TIMEOUT: "1", GPUOPS_AZURE_MAX_RETRIES: "0", GPUOPS_COMMAND_DEADLINE: "60" } });
    h.fake.addFault({ match: "/usages", ...HANG });
    const { value: r, ms } = await timed(runCommand(cliRequest("quota westus"), h.app.context()));
    expect(r.outcome).toBe("azure_error");
    expect(all(r)).toMatch(/did not answer Microsoft\.Compute\/usages within 1 s/);
    expect(ms).toBeLessThan(10_000);
  });

  it("past the deadline, per-region work keeps what arrived and says which region was too slow", async () => {
    h = await startDemoApp({ env: { GPUOPS_AZURE_TIMEOUT: "300", GPUOPS_COMMAND_DEADLINE: "1", GPUOPS_REGIONS: "swedencentral,westus" } });
    h.fake.addFault({ match: /\/skus\?.*westus/, ...HANG });
    const { value: r, ms } = await timed(runCommand(cliRequest("skus a100"), h.app.context()));
    expect(r.outcome).toBe("partial");
    expect(all(r)).toContain("NC24ads_A100_v4");
    expect(r.context.join("\n")).toMatch(/West US.*too slow: no answer within 1 s/);
    expect(ms).toBeLessThan(8_000);
  });

  it("a single hanging source: the answer names it instead of hanging", async () => {
    h = await startDemoApp({ env: { GPUOPS_AZURE_TIMEOUT: "300", GPUOPS_COMMAND_DEADLINE: "1" } });
    h.fake.addFault({ match: "Microsoft.CostManagement", ...HANG });
    const { value: r, ms } = await timed(runCommand(cliRequest("cost 7d"), h.app.context()));
    expect(r.outcome).toBe("partial");
    expect(r.code).toBe("too_slow");
    expect(all(r)).toContain("Azure Cost Management");
    expect(ms).toBeLessThan(8_000);
  });
});

describe("Slack: 'Working on it…' always gets an answer", () => {
  let server: RunningServer;
  let slack: Awaited<ReturnType<typeof startFakeSlack>>;
  const SECRET = "timeouts-secret";
  beforeAll(async () => {
    slack = await startFakeSlack();
    const config = loadConfig({
      GPUOPS_DEMO: "true",
      GPUOPS_DATA_DIR: ":memory:",
      PORT: "0",
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_API_URL: slack.apiUrl,
      GPUOPS_SLACK_ACK_DEADLINE_MS: "300",
      GPUOPS_AZURE_TIMEOUT: "300",
      GPUOPS_COMMAND_DEADLINE: "1",
      GPUOPS_SCHEDULER: "false",
    });
    server = await startServer(config, { log: createLogger("silent") });
  });
  afterAll(async () => {
    await server?.close();
    await slack?.close();
  });

  it("a hanging Cost Management still ends in an answer through response_url", async () => {
    server.app.fake?.addFault({ match: "Microsoft.CostManagement", ...HANG });
    const res = await postSigned(server.url, SECRET, slashCommandBody({ text: "cost 7d", responseUrl: slack.responseUrl("hang") }));
    expect(((await res.json()) as { text?: string }).text).toMatch(/Working on it/);
    const answer = await slack.waitFor(() => slack.responsesTo("hang")[0], 10_000);
    expect(JSON.stringify(answer.body)).toContain("Azure Cost Management");
    server.app.fake?.clearFaults();
  });
});
