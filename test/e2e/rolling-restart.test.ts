/**
 * A rolling restart of two real gpuops processes (node src/server.ts, demo mode) sharing one
 * PostgreSQL, under a steady stream of signed Slack slash commands. A small load balancer in the
 * test sends each request to a replica whose /readyz says 200, re-reading them every 50 ms as an
 * endpoints controller would. Each replica in turn gets SIGTERM while requests flow: its /readyz
 * must turn 503 while it still runs, it must exit 0, and no request may be lost: every one is
 * acknowledged with 200, and every answer that went the slow way (response_url) arrives.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeSlack, signSlackRequest, slashCommandBody, startFakeSlack } from "../support/fake-slack.ts";
import { type FreshDatabase, freshPostgres } from "../support/fresh-database.ts";

const ROOT = new URL("../..", import.meta.url).pathname;
const SECRET = "rolling-restart-signing-secret";
const DRAIN_DELAY_S = 1;

interface Replica {
  name: string;
  proc: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

function startReplica(name: string, env: Record<string, string>): Promise<Replica> {
  const proc = spawn(process.execPath, [join(ROOT, "src/server.ts")], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on("exit", (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${name} did not start:\n${out}`)), 45_000);
    proc.stdout?.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /gpuops is running[^:]*: (http:\/\/[^\s/]+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ name, proc, url: m[1] as string, exited, output: () => out });
      }
    });
    proc.stderr?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`${name} exited before it was ready:\n${out}`));
    });
  });
}

async function readyStatus(url: string): Promise<number | undefined> {
  try {
    return (await fetch(`${url}/readyz`, { signal: AbortSignal.timeout(1000) })).status;
  } catch {
    return undefined;
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Round-robin over the replicas whose /readyz is 200, as last seen; never retries a failed request. */
class Balancer {
  server: Server;
  backends: Replica[] = [];
  ready = new Set<Replica>();
  private next = 0;
  private polling = true;
  routed = new Map<string, number>();

  constructor() {
    this.server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const ready = this.backends.filter((b) => this.ready.has(b));
      if (ready.length === 0) {
        res.writeHead(503).end("no ready replica");
        return;
      }
      const target = ready[this.next++ % ready.length] as Replica;
      this.routed.set(target.name, (this.routed.get(target.name) ?? 0) + 1);
      try {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string" && k !== "host" && k !== "connection") headers[k] = v;
        const upstream = await fetch(`${target.url}${req.url}`, { method: req.method ?? "POST", headers, body: Buffer.concat(chunks) });
        const body = Buffer.from(await upstream.arrayBuffer());
        res.writeHead(upstream.status, { "content-type": upstream.headers.get("content-type") ?? "text/plain" }).end(body);
      } catch (err) {
        res.writeHead(502).end(`upstream ${target.name} failed: ${(err as Error).message}`);
      }
    });
    void this.poll();
  }

  private async poll(): Promise<void> {
    while (this.polling) {
      await Promise.all(
        this.backends.map(async (b) => {
          if ((await readyStatus(b.url)) === 200) this.ready.add(b);
          else this.ready.delete(b);
        }),
      );
      await pause(50);
    }
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async close(): Promise<void> {
    this.polling = false;
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

let db: FreshDatabase;
let fake: FakeSlack;
let balancer: Balancer;
let lbUrl: string;
const replicas: Replica[] = [];

function envFor(): Record<string, string> {
  return {
    GPUOPS_DEMO: "true",
    DATABASE_URL: db.databaseUrl as string,
    PORT: "0",
    GPUOPS_CONSOLE: "off",
    GPUOPS_LOG_LEVEL: "info",
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_BOT_TOKEN: fake.botToken,
    SLACK_API_URL: fake.apiUrl,
    // The shortest ack deadline: answers that ask Azure go the slow way (response_url), which is what a drain must not drop.
    GPUOPS_SLACK_ACK_DEADLINE_MS: "50",
    GPUOPS_DRAIN_DELAY: `${DRAIN_DELAY_S}s`,
    GPUOPS_SHUTDOWN_TIMEOUT: "20s",
  };
}

beforeAll(async () => {
  db = await freshPostgres("gpuops_roll");
  fake = await startFakeSlack();
  balancer = new Balancer();
  lbUrl = await balancer.listen();
}, 60_000);

afterAll(async () => {
  for (const r of replicas) if (r.proc.exitCode === null) r.proc.kill("SIGKILL");
  await balancer?.close();
  await fake?.close();
  await db?.drop();
});

interface Sent {
  id: string;
  status: number;
  body: string;
}

/** Sends signed slash commands through the balancer from `concurrency` senders, until stopped. */
function startLoad(concurrency: number): { stop(): Promise<Sent[]> } {
  const sent: Sent[] = [];
  let running = true;
  let seq = 0;
  const worker = async () => {
    while (running) {
      seq += 1;
      const id = `r${seq}`;
      // help and warm skus answers are ready within the ack; idle reads telemetry every time and takes the slow way.
      const text = seq % 3 === 0 ? "help" : seq % 3 === 1 ? "skus swedencentral a100" : "idle";
      const body = slashCommandBody({ text, responseUrl: fake.responseUrl(id), userId: "U0ALICE01" });
      const headers = { "content-type": "application/x-www-form-urlencoded", ...signSlackRequest(SECRET, body, Math.floor(Date.now() / 1000)) };
      try {
        const res = await fetch(`${lbUrl}/slack/events`, { method: "POST", headers, body });
        sent.push({ id, status: res.status, body: await res.text() });
      } catch (err) {
        sent.push({ id, status: 0, body: (err as Error).message });
      }
      // A steady stream, not a flood: the two cores also have to start the replacement replica.
      await pause(40);
    }
  };
  const workers = Array.from({ length: concurrency }, worker);
  return {
    async stop() {
      running = false;
      await Promise.all(workers);
      return sent;
    },
  };
}

async function waitReady(r: Replica): Promise<void> {
  for (let i = 0; i < 200 && !balancer.ready.has(r); i++) await pause(50);
  expect(balancer.ready.has(r), `${r.name} ready`).toBe(true);
}

/** SIGTERMs a replica and records its /readyz answers until it exits. */
async function terminate(r: Replica): Promise<{ readyDuringDrain: number[]; exit: { code: number | null; signal: NodeJS.Signals | null } }> {
  const readyDuringDrain: number[] = [];
  let exited = false;
  const exit = r.exited.then((e) => {
    exited = true;
    return e;
  });
  r.proc.kill("SIGTERM");
  while (!exited) {
    const s = await readyStatus(r.url);
    if (s !== undefined) readyDuringDrain.push(s);
    await pause(25);
  }
  return { readyDuringDrain, exit: await exit };
}

describe("rolling restart of two replicas under Slack load", () => {
  it("answers every request while each replica in turn drains and restarts", async () => {
    const a = await startReplica("a", envFor());
    const b = await startReplica("b", envFor());
    replicas.push(a, b);
    balancer.backends = [a, b];
    await waitReady(a);
    await waitReady(b);

    const load = startLoad(3);
    await pause(1500);

    // Replica a: drained while requests flow, replaced by a2.
    const endA = await terminate(a);
    balancer.backends = balancer.backends.filter((x) => x !== a);
    expect(endA.exit, a.output()).toEqual({ code: 0, signal: null });
    expect(endA.readyDuringDrain, "a's /readyz while draining").toContain(503);
    // The signal lands a moment after kill(): once draining, the replica never turns ready again.
    expect(endA.readyDuringDrain.slice(endA.readyDuringDrain.indexOf(503))).not.toContain(200);
    expect(a.output()).toContain("draining: /readyz now answers 503");

    const a2 = await startReplica("a2", envFor());
    replicas.push(a2);
    balancer.backends.push(a2);
    await waitReady(a2);
    await pause(1000);

    // Replica b: the same.
    const endB = await terminate(b);
    balancer.backends = balancer.backends.filter((x) => x !== b);
    expect(endB.exit, b.output()).toEqual({ code: 0, signal: null });
    expect(endB.readyDuringDrain).toContain(503);
    await pause(1000);

    const sent = await load.stop();
    const lost = sent.filter((s) => s.status !== 200);
    expect(lost, `lost requests: ${JSON.stringify(lost.slice(0, 3))}`).toEqual([]);
    expect(sent.length).toBeGreaterThan(30);
    // Every replica took a share of the traffic, so each drain happened under load.
    for (const name of ["a", "b", "a2"]) expect(balancer.routed.get(name) ?? 0, name).toBeGreaterThan(0);

    // Answers acknowledged with "Working on it" came later through response_url: none dropped by a drain.
    const slow = sent.filter((s) => s.body.includes("Working on it"));
    expect(slow.length).toBeGreaterThan(0);
    await fake.waitFor(() => slow.every((s) => fake.responsesTo(s.id).length > 0), 15_000);
    for (const s of slow) expect(JSON.stringify(fake.responsesTo(s.id)[0]?.body)).toMatch(/swedencentral|A100/i);

    await terminate(a2);
  }, 180_000);
});
