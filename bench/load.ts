/**
 * The load generator, run as its own process (`node bench/load.ts '<json plan>'`) so its CPU is
 * never the server's: it pre-builds every request (a fresh signed Slack slash command, or a fresh
 * Teams activity, each with its own id so no replay guard refuses it), sends them from
 * `concurrency` workers, and prints one JSON line: throughput, latency quantiles, requests that
 * took more than 3 s, and failures.
 *
 * @example
 * node bench/load.ts '{"url":"http://127.0.0.1:3978","kind":"slack","text":"help","secret":"s","requests":2000,"concurrency":200}'
 */
import { createHmac } from "node:crypto";
import { Agent, request } from "node:http";

export interface LoadPlan {
  url: string;
  kind: "slack" | "teams";
  text: string;
  requests: number;
  concurrency: number;
  /** Slack signing secret (kind "slack"). */
  secret?: string;
  /** Where a late Slack answer would go (kind "slack"), or the Teams connector (kind "teams"). */
  replyUrl?: string;
  /** false: a fresh TCP connection per request (a noisy burst); default true. */
  keepAlive?: boolean;
  /** What a good answer contains (checked on every response); empty = any 2xx. */
  expect?: string;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  over3s: number;
  failed: number;
  firstFailure?: string;
}

function slackBody(plan: LoadPlan, i: number, ts: number): { path: string; body: string; headers: Record<string, string> } {
  const body = new URLSearchParams({
    token: "deprecated-verification-token",
    team_id: "T0FAKE001",
    team_domain: "fake",
    channel_id: "C0GENERAL1",
    channel_name: "general",
    user_id: "U0ALICE01",
    user_name: "alice",
    command: "/gpu",
    text: plan.text,
    api_app_id: "A0GPUOPS1",
    is_enterprise_install: "false",
    response_url: `${plan.replyUrl ?? "http://127.0.0.1:9/"}commands/bench-${i}`,
    trigger_id: `${ts}.${process.pid}.${i}.bench`,
  }).toString();
  const sig = createHmac("sha256", plan.secret ?? "")
    .update(`v0:${ts}:${body}`)
    .digest("hex");
  return {
    path: "/slack/events",
    body,
    headers: { "content-type": "application/x-www-form-urlencoded", "x-slack-request-timestamp": String(ts), "x-slack-signature": `v0=${sig}` },
  };
}

function teamsBody(plan: LoadPlan, i: number): { path: string; body: string; headers: Record<string, string> } {
  const activity = {
    type: "message",
    id: `bench-${process.pid}-${i}`,
    timestamp: new Date().toISOString(),
    serviceUrl: plan.replyUrl,
    channelId: "msteams",
    from: { id: "29:1bench-user", name: "Alice", aadObjectId: "6f3c2a1e-0b7d-4e52-9a1f-2c3d4e5f6a7b" },
    recipient: { id: "28:9c0e2a6e-5a0e-4a43-8b6f-1d2e3f405162", name: "gpuops" },
    conversation: { conversationType: "personal", tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47", id: `a:1${"Xz9".repeat(20)}` },
    locale: "en-US",
    channelData: { tenant: { id: "72f988bf-86f1-41af-91ab-2d7cd011db47" } },
    text: plan.text,
    textFormat: "plain",
  };
  return { path: "/api/messages", body: JSON.stringify(activity), headers: { "content-type": "application/json" } };
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;

export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const target = new URL(plan.url);
  const ts = Math.floor(Date.now() / 1000);
  const prepared = Array.from({ length: plan.requests }, (_, i) => (plan.kind === "slack" ? slackBody(plan, i, ts) : teamsBody(plan, i)));
  const agent = new Agent({ keepAlive: plan.keepAlive !== false, maxSockets: plan.concurrency });
  const latencies: number[] = [];
  let failed = 0;
  let firstFailure: string | undefined;
  let next = 0;
  const one = (p: (typeof prepared)[number]) =>
    new Promise<void>((resolve) => {
      const t = performance.now();
      const req = request(
        {
          host: target.hostname,
          port: target.port,
          path: p.path,
          method: "POST",
          agent,
          headers: { ...p.headers, "content-length": Buffer.byteLength(p.body), ...(plan.keepAlive === false ? { connection: "close" } : {}) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            latencies.push(performance.now() - t);
            const text = Buffer.concat(chunks).toString("utf8");
            const ok = (res.statusCode ?? 0) < 300 && (!plan.expect || text.includes(plan.expect));
            if (!ok) {
              failed += 1;
              firstFailure ??= `${res.statusCode}: ${text.slice(0, 200)}`;
            }
            resolve();
          });
        },
      );
      req.on("error", (err) => {
        latencies.push(performance.now() - t);
        failed += 1;
        firstFailure ??= err.message;
        resolve();
      });
      req.end(p.body);
    });
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(plan.concurrency, prepared.length) }, async () => {
      while (next < prepared.length) {
        const p = prepared[next++];
        if (p) await one(p);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  agent.destroy();
  const sorted = latencies.sort((a, b) => a - b);
  const r2 = (n: number) => Math.round(n * 100) / 100;
  return {
    requests: prepared.length,
    seconds: r2(seconds),
    rps: Math.round(prepared.length / seconds),
    p50: r2(quantile(sorted, 0.5)),
    p99: r2(quantile(sorted, 0.99)),
    max: r2(sorted.at(-1) ?? Number.NaN),
    over3s: sorted.filter((l) => l > 3000).length,
    failed,
    ...(firstFailure ? { firstFailure } : {}),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const plan = JSON.parse(process.argv[2] ?? "{}") as LoadPlan;
  process.stdout.write(`${JSON.stringify(await runLoad(plan))}\n`);
}
