// Two real gpuops processes (child_process.fork of test/support/scheduler-worker.ts) sharing one
// PostgreSQL database, their fake clocks moved in lockstep over IPC: every digest run is tried
// by both and claimed by one, so each channel gets one digest a day; when one process is killed
// (SIGKILL) the other carries on, still once a day.
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore, type Store } from "../../src/store/store.ts";
import { createSubscriptionStore } from "../../src/store/subscriptions.ts";
import { type FreshDatabase, freshPostgres } from "../support/fresh-database.ts";

const WORKER = fileURLToPath(new URL("../support/scheduler-worker.ts", import.meta.url));
const HOUR = 3600_000;
const START = Date.parse("2026-09-01T00:00:00Z");
const CHANNELS = ["C0ALPHA", "C0BRAVO", "C0CHARLIE"];

interface Worker {
  child: ChildProcess;
  name: string;
  posts: Array<{ channelId: string; title: string }>;
  claims: { won: number; lost: number; runs: number };
  /** Resolves on the next message of a type. */
  next(type: string): Promise<Record<string, unknown>>;
}

function startWorker(name: string, databaseUrl: string): Promise<Worker> {
  const child = fork(WORKER, [], {
    env: { ...process.env, DATABASE_URL: databaseUrl, WORKER_NAME: name, START: new Date(START).toISOString(), NODE_NO_WARNINGS: "1" },
    execPath: process.execPath,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const waiting = new Map<string, Array<{ resolve: (m: Record<string, unknown>) => void; reject: (e: Error) => void }>>();
  const w: Worker = {
    child,
    name,
    posts: [],
    claims: { won: 0, lost: 0, runs: 0 },
    next: (type) =>
      new Promise((resolve, reject) => {
        const list = waiting.get(type) ?? [];
        list.push({ resolve, reject });
        waiting.set(type, list);
      }),
  };
  child.on("message", (m: Record<string, unknown>) => {
    if (m.type === "post") w.posts.push({ channelId: String(m.channelId), title: String(m.title) });
    if (m.type === "advanced") w.claims = m.claims as Worker["claims"];
    waiting.get(String(m.type))?.shift()?.resolve(m);
  });
  child.on("exit", (code) => {
    for (const [type, list] of waiting) for (const p of list.splice(0)) p.reject(new Error(`${name} exited (${code}) while waiting for ${type}`));
  });
  return w.next("ready").then(() => w);
}

async function advance(workers: Worker[], to: number): Promise<void> {
  await Promise.all(
    workers.map((w) => {
      const done = w.next("advanced");
      w.child.send({ type: "advance", to: new Date(to).toISOString() });
      return done;
    }),
  );
}

describe("two gpuops processes on one PostgreSQL", () => {
  let db: FreshDatabase;
  let store: Store;
  const workers: Worker[] = [];

  beforeAll(async () => {
    db = await freshPostgres("gpuops_e2e_digest");
    store = await openStore({ databaseUrl: db.databaseUrl });
    const subs = createSubscriptionStore(store.db);
    for (const [i, ch] of CHANNELS.entries()) {
      await subs.save(
        { platform: "slack", channelId: ch, kind: "digest" },
        {
          at: ["07:00", "09:15", "18:30"][i] as string,
          timezone: ["UTC", "Europe/Berlin", "America/New_York"][i] as string,
          scope: null,
          noise: { kind: "always" },
          updateInPlace: false,
        },
        { id: "U0SETUP" },
        new Date(START),
      );
    }
  });
  afterAll(async () => {
    for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGKILL");
    await store?.close();
    await db?.drop();
  });

  it("claims each run once between two processes, and one carries on when the other is killed", async () => {
    workers.push(await startWorker("alpha", db.databaseUrl as string), await startWorker("bravo", db.databaseUrl as string));
    const [a, b] = workers as [Worker, Worker];

    // Four days in lockstep, an hour at a time.
    for (let h = 1; h <= 4 * 24; h++) await advance([a, b], START + h * HOUR);
    const slotsSoFar = 4 * CHANNELS.length;
    expect(a.claims.won + b.claims.won).toBe(slotsSoFar);
    // Both processes tried every run (a few more than once while the other was still on it).
    expect(a.claims.runs).toBe(slotsSoFar);
    expect(b.claims.runs).toBe(slotsSoFar);
    expect(a.claims.lost + b.claims.lost).toBeGreaterThanOrEqual(slotsSoFar);

    // Kill one without warning; the other posts the next two days alone.
    b.child.kill("SIGKILL");
    await new Promise((r) => b.child.once("exit", r));
    for (let h = 4 * 24 + 1; h <= 6 * 24; h++) await advance([a], START + h * HOUR);

    const posts = [...a.posts, ...b.posts];
    for (const ch of CHANNELS) {
      const titles = posts.filter((p) => p.channelId === ch).map((p) => p.title);
      expect(titles).toHaveLength(6);
      expect(new Set(titles).size).toBe(6);
    }
    const runs = await store.db.selectFrom("job_run").select(["job", "period_key", "claimed_by", "status"]).execute();
    expect(runs).toHaveLength(6 * CHANNELS.length);
    expect(new Set(runs.map((r) => `${r.job}|${r.period_key}`)).size).toBe(runs.length);
    expect(runs.every((r) => r.status === "done")).toBe(true);
    expect(new Set(runs.map((r) => r.claimed_by))).toEqual(new Set([...(a.claims.won ? ["alpha"] : []), ...(b.claims.won ? ["bravo"] : [])]));

    const stopped = a.next("stopped");
    a.child.send({ type: "stop" });
    await stopped;
  }, 120_000);
});
