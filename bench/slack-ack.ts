/**
 * The doors side by side with their SDKs: gpuops (`node src/server.ts`, demo data, Slack over
 * HTTP against a fake Slack, Teams in local mode) against a no-op Bolt app and a no-op Agents SDK
 * app, each server in its own process and the load generator (bench/load.ts) in another. Every
 * round runs each path once, interleaved so drift hits all alike; figures are medians over rounds.
 * Then a noisy burst: 4,000 slash commands on fresh connections, counting acks over 3 s (Slack's
 * deadline, platform-facts B/S1).
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { startFakeSlack } from "../test/support/fake-slack.ts";
import { type BenchScenario, quick } from "./harness.ts";
import type { LoadResult } from "./load.ts";
import { cpuMsOf, load, median, startTarget, type Target } from "./processes.ts";

const SECRET = "bench-signing-secret";
const REGION = process.env.BENCH_SKUS_REGION ?? "swedencentral";

/** Goals from the issue: gpuops against the no-op app of the same SDK. */
const GOALS = {
  slack: { throughput: 0.8, p99: 1.3 },
  teams: { throughput: 0.5, p99: 2 },
};

/** A Bot Connector that only says "sent": counts replies, keeps nothing, so it costs next to no CPU. */
async function startLeanConnector(): Promise<{ url: string; posts(): number; close(): Promise<void> }> {
  let posts = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      posts += 1;
      res.writeHead(201, { "content-type": "application/json" }).end(`{"id":"activity-${posts}"}`);
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    posts: () => posts,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
const verdict = (ok: boolean) => (ok ? "ok" : "MISS");

export const slackAckScenario: BenchScenario = {
  name: "doors: acks vs no-op SDK apps",
  async run() {
    const rounds = Number(process.env.BENCH_DOOR_ROUNDS ?? (quick() ? 2 : 5));
    const requests = Number(process.env.BENCH_DOOR_REQUESTS ?? (quick() ? 600 : 3000));
    const burstSize = Number(process.env.BENCH_BURST_REQUESTS ?? 4000);
    const fake = await startFakeSlack();
    const connector = await startLeanConnector();
    const targets: Target[] = [];
    try {
      const gpuops = await startTarget("gpuops", ["src/server.ts"], {
        GPUOPS_DEMO: "true",
        GPUOPS_DATA_DIR: ":memory:",
        PORT: "0",
        GPUOPS_HOST: "127.0.0.1",
        GPUOPS_LOG_LEVEL: "error",
        GPUOPS_CONSOLE: "off",
        SLACK_SIGNING_SECRET: SECRET,
        SLACK_BOT_TOKEN: fake.botToken,
        SLACK_API_URL: fake.apiUrl,
      });
      targets.push(gpuops);
      const bolt = await startTarget("no-op Bolt", ["bench/noop-bolt.ts"], { SLACK_SIGNING_SECRET: SECRET, SLACK_BOT_TOKEN: fake.botToken, SLACK_API_URL: fake.apiUrl });
      targets.push(bolt);
      const agents = await startTarget("no-op Agents", ["bench/noop-agents.ts"], {});
      targets.push(agents);
      const authAtStart = fake.callsOf("auth.test").length;

      const responseUrl = fake.responseUrl("bench");
      const paths = [
        { key: "slack help", target: gpuops, kind: "slack" as const, text: "help", concurrency: 200, expect: '"blocks"' },
        { key: "slack no-op", target: bolt, kind: "slack" as const, text: "help", concurrency: 200, expect: "" },
        { key: "slack skus", target: gpuops, kind: "slack" as const, text: `skus ${REGION}`, concurrency: 200, expect: '"type":"table"' },
        { key: "teams skus", target: gpuops, kind: "teams" as const, text: `skus ${REGION}`, concurrency: 100, expect: "" },
        { key: "teams no-op", target: agents, kind: "teams" as const, text: "skus", concurrency: 100, expect: "" },
      ];
      const plan = (p: (typeof paths)[number], n: number) => ({
        url: p.target.url,
        kind: p.kind,
        text: p.text,
        requests: n,
        concurrency: p.concurrency,
        secret: SECRET,
        replyUrl: p.kind === "slack" ? responseUrl : connector.url,
        expect: p.expect,
      });
      // Warm JIT, sockets and caches (the first skus answer fetches the region's SKUs from the fake Azure).
      for (const p of paths) await load(plan(p, 300));
      const results = new Map<string, LoadResult[]>(paths.map((p) => [p.key, []]));
      // The server's CPU per request over each load (all its threads, from /proc): what a request
      // costs, less moved than req/s by how the 2 cores are shared with the load generator.
      const cpuPerRequest = new Map<string, number[]>(paths.map((p) => [p.key, []]));
      const postsBefore = connector.posts();
      for (let r = 0; r < rounds; r++) {
        for (const p of paths) {
          const cpuBefore = cpuMsOf(p.target.pid);
          const res = await load(plan(p, requests));
          cpuPerRequest.get(p.key)?.push(((cpuMsOf(p.target.pid) - cpuBefore) * 1000) / requests);
          if (res.failed > 0) throw new Error(`${p.key}: ${res.failed} of ${res.requests} failed, first: ${res.firstFailure}`);
          results.get(p.key)?.push(res);
        }
      }
      const cpu = (key: string) => Math.round(median(cpuPerRequest.get(key) ?? []));
      const teamsRequests = rounds * requests * 2;
      const teamsReplies = connector.posts() - postsBefore;
      const med = (key: string, f: "rps" | "p99" | "p50") => Math.round(median((results.get(key) ?? []).map((x) => x[f])));

      // The noisy burst: fresh connections, many at once, gpuops then the no-op app.
      const burst = async (url: string, expect: string) =>
        load({ url, kind: "slack", text: "help", requests: burstSize, concurrency: 500, keepAlive: false, secret: SECRET, replyUrl: responseUrl, expect });
      const gBurst = await burst(gpuops.url, '"blocks"');
      const nBurst = await burst(bolt.url, "");

      const gpuopsAuth = fake.callsOf("auth.test").length - authAtStart;
      const late = fake.responses.length;
      const figures: Record<string, string | number> = {
        "requests per round per path": requests,
        rounds,
        "concurrency (Slack / Teams)": "200 / 100",
      };
      const compare = (label: string, key: string, base: string, goal: { throughput: number; p99: number }) => {
        const tr = ratio(med(key, "rps"), med(base, "rps"));
        const pr = ratio(med(key, "p99"), med(base, "p99"));
        figures[`${label}: req/s, p50, p99 (ms)`] = `${med(key, "rps")}, ${med(key, "p50")}, ${med(key, "p99")}`;
        figures[`${label}: throughput ratio (goal ≥ ${goal.throughput}×)`] = `${tr}× ${verdict(tr >= goal.throughput)}`;
        figures[`${label}: p99 ratio (goal ≤ ${goal.p99}×)`] = `${pr}× ${verdict(pr <= goal.p99)}`;
      };
      figures["no-op Bolt: req/s, p50, p99 (ms)"] = `${med("slack no-op", "rps")}, ${med("slack no-op", "p50")}, ${med("slack no-op", "p99")}`;
      compare("Slack /gpu help", "slack help", "slack no-op", GOALS.slack);
      compare(`Slack /gpu skus ${REGION} (warm)`, "slack skus", "slack no-op", GOALS.slack);
      figures["no-op Agents: req/s, p50, p99 (ms)"] = `${med("teams no-op", "rps")}, ${med("teams no-op", "p50")}, ${med("teams no-op", "p99")}`;
      compare(`Teams skus ${REGION} (warm)`, "teams skus", "teams no-op", GOALS.teams);
      figures["Teams replies at the connector / messages sent"] = `${teamsReplies} / ${teamsRequests}`;
      figures["CPU per request (µs, all threads): Slack help, skus / no-op Bolt"] =
        `${cpu("slack help")}, ${cpu("slack skus")} / ${cpu("slack no-op")} (${ratio(cpu("slack help"), cpu("slack no-op"))}×, ${ratio(cpu("slack skus"), cpu("slack no-op"))}×)`;
      figures["CPU per request (µs, all threads): Teams skus / no-op Agents"] = `${cpu("teams skus")} / ${cpu("teams no-op")} (${ratio(cpu("teams skus"), cpu("teams no-op"))}×)`;
      figures[`burst ${burstSize} fresh connections × 500: gpuops acks over 3 s (goal 0)`] =
        `${gBurst.over3s} ${verdict(gBurst.over3s === 0)} (p99 ${gBurst.p99} ms, max ${gBurst.max} ms, failed ${gBurst.failed})`;
      figures[`burst: no-op Bolt acks over 3 s`] = `${nBurst.over3s} (p99 ${nBurst.p99} ms, max ${nBurst.max} ms, failed ${nBurst.failed})`;
      figures["answers sent late via response_url"] = late;
      figures["gpuops auth.test calls at start / during load"] = `${authAtStart} / ${gpuopsAuth}`;
      if (gpuopsAuth !== 0) throw new Error(`auth.test was called ${gpuopsAuth} times under load; must be 0`);
      if (teamsReplies < teamsRequests / 2) throw new Error(`only ${teamsReplies} Teams replies for ${teamsRequests} messages`);
      return figures;
    } finally {
      for (const t of targets) await t.stop();
      await connector.close();
      await fake.close();
    }
  },
};
