/**
 * Slack ack latency: 200 concurrent signed `/gpu help` and `/gpu skus <region>` (warm) slash
 * commands to a running gpuops server (real Bolt receiver on loopback), side by side with a no-op
 * Bolt app on the same machine, as p50/p99 and a ratio. Also counts auth.test calls at the fake
 * Slack: gpuops must make none per request (it verifies the token once at start), and, for
 * contrast, what a Bolt app built with `tokenVerificationEnabled: false` and no bot ids makes.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { App as BoltApp, ExpressReceiver, LogLevel } from "@slack/bolt";
import express from "express";
import { loadConfig } from "../src/config.ts";
import { createLogger } from "../src/log.ts";
import { startServer } from "../src/server.ts";
import { type FakeSlack, signSlackRequest, slashCommandBody, startFakeSlack } from "../test/support/fake-slack.ts";
import { type BenchScenario, ms, quantile } from "./harness.ts";

const SECRET = "bench-signing-secret";
const CONCURRENCY = Number(process.env.BENCH_SLACK_CONCURRENCY ?? 200);
const ROUNDS = Number(process.env.BENCH_SLACK_ROUNDS ?? 5);
const REGION = process.env.BENCH_SKUS_REGION ?? "swedencentral";

/** Sends `n` signed slash commands at once; returns each one's ack time (ms) after checking the answer. */
async function burst(url: string, fake: FakeSlack, text: string, n: number, check: (body: string) => boolean): Promise<number[]> {
  const bodies = Array.from({ length: n }, (_, i) => slashCommandBody({ text, responseUrl: fake.responseUrl(`bench-${i}`) }));
  const ts = Math.floor(Date.now() / 1000);
  const results = await Promise.all(
    bodies.map(async (body) => {
      const t = performance.now();
      const res = await fetch(`${url}/slack/events`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...signSlackRequest(SECRET, body, ts) },
        body,
      });
      const answer = await res.text();
      const elapsed = performance.now() - t;
      if (res.status !== 200 || !check(answer)) throw new Error(`unexpected ack ${res.status}: ${answer.slice(0, 200)}`);
      return elapsed;
    }),
  );
  return results;
}

/** Interleaves bursts to each target round by round, so drift (GC, JIT, CPU contention) hits all alike. */
async function interleaved(targets: Array<{ url: string; text: string; check: (body: string) => boolean }>, fake: FakeSlack): Promise<number[][]> {
  for (const t of targets) await burst(t.url, fake, t.text, 20, t.check); // warm sockets, JIT and caches
  const samples = targets.map(() => [] as number[]);
  for (let r = 0; r < ROUNDS; r++) {
    for (const [i, t] of targets.entries()) samples[i]?.push(...(await burst(t.url, fake, t.text, CONCURRENCY, t.check)));
  }
  return samples;
}

/** A Bolt app that acks and does nothing else, on the same express 5 + ExpressReceiver stack. */
async function startNoopBolt(fake: FakeSlack, opts: { naive: boolean }): Promise<{ url: string; close(): Promise<void> }> {
  const web = express();
  const receiver = new ExpressReceiver({ signingSecret: SECRET, app: web, logLevel: LogLevel.ERROR });
  const bolt = new BoltApp({
    receiver,
    token: fake.botToken,
    clientOptions: { slackApiUrl: fake.apiUrl },
    logLevel: LogLevel.ERROR,
    ...(opts.naive ? { tokenVerificationEnabled: false } : { botId: fake.botId, botUserId: fake.botUserId }),
  });
  bolt.command(/.*/, async ({ ack }) => {
    await ack();
  });
  const http = await new Promise<Server>((resolve) => {
    const s = web.listen(0, "127.0.0.1", () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      }),
  };
}

export const slackAckScenario: BenchScenario = {
  name: "slack ack latency",
  async run() {
    const fake = await startFakeSlack();
    const config = loadConfig({
      GPUOPS_DEMO: "true",
      GPUOPS_DATA_DIR: ":memory:",
      PORT: "0",
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_API_URL: fake.apiUrl,
    });
    const server = await startServer(config, { log: createLogger("error") });
    const noop = await startNoopBolt(fake, { naive: false });
    const naive = await startNoopBolt(fake, { naive: true });
    try {
      const authAtStart = fake.callsOf("auth.test").length;
      const hasBlocks = (b: string) => b.includes('"blocks"');
      const [help = [], noopSamples = [], skus = []] = await interleaved(
        [
          { url: server.url, text: "help", check: hasBlocks },
          { url: noop.url, text: "help", check: (b) => b === "" },
          { url: server.url, text: `skus ${REGION}`, check: (b) => hasBlocks(b) && b.includes("```") },
        ],
        fake,
      );
      // Only the no-op app with bot ids and gpuops ran so far: neither may have called auth.test.
      const gpuopsAuth = fake.callsOf("auth.test").length - authAtStart;
      const viaResponseUrl = fake.responses.length;
      const beforeNaive = fake.callsOf("auth.test").length;
      await burst(naive.url, fake, "help", CONCURRENCY, () => true);
      const naiveAuth = fake.callsOf("auth.test").length - beforeNaive;

      const requests = help.length + skus.length + noopSamples.length;
      if (gpuopsAuth !== 0) throw new Error(`auth.test was called ${gpuopsAuth} times during ${requests} requests; must be 0`);
      if (viaResponseUrl !== 0) throw new Error(`${viaResponseUrl} answers missed the ack deadline`);
      const p = (s: number[], q: number) => ms(quantile(s, q));
      const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
      return {
        "requests per burst": CONCURRENCY,
        bursts: ROUNDS,
        "help ack p50 (ms)": p(help, 0.5),
        "help ack p99 (ms)": p(help, 0.99),
        [`skus ${REGION} ack p50 (ms)`]: p(skus, 0.5),
        [`skus ${REGION} ack p99 (ms)`]: p(skus, 0.99),
        "no-op Bolt ack p50 (ms)": p(noopSamples, 0.5),
        "no-op Bolt ack p99 (ms)": p(noopSamples, 0.99),
        "help / no-op p50 ratio": ratio(quantile(help, 0.5), quantile(noopSamples, 0.5)),
        "help / no-op p99 ratio": ratio(quantile(help, 0.99), quantile(noopSamples, 0.99)),
        "skus / no-op p50 ratio": ratio(quantile(skus, 0.5), quantile(noopSamples, 0.5)),
        "skus / no-op p99 ratio": ratio(quantile(skus, 0.99), quantile(noopSamples, 0.99)),
        "answers sent late via response_url": viaResponseUrl,
        "gpuops auth.test calls at start": authAtStart,
        "gpuops auth.test calls per request": gpuopsAuth / (help.length + skus.length),
        [`naive Bolt (tokenVerificationEnabled:false) auth.test calls / ${CONCURRENCY} requests`]: naiveAuth,
      };
    } finally {
      await naive.close();
      await noop.close();
      await server.close();
      await fake.close();
    }
  },
};
