/**
 * Soak (c): three gpuops replicas on one PostgreSQL, killed with SIGKILL around digest, idle-alert
 * and approval times over N simulated days.
 *
 * Each replica is a child process (this file with SOAK_CHAOS_ROLE=worker) running the app the
 * server builds (createApp: store, scheduler, digest and idle jobs, GPU request runtime) in demo
 * mode, its own fake Azure, and the real Slack posting port (official WebClient) against one fake
 * Slack run here. Time is the scheduler's injected clock: this process moves all replicas'
 * clocks in lockstep over IPC, an hour at a time (as test/e2e/digest-two-processes.test.ts does).
 * Claims are renewed on the real clock, so the takeover window is real seconds (shortened to
 * 5 s here; 60 s by default).
 *
 * Every day: a replica is killed while the day's first digest goes out, another while two
 * `start-vms` requests are approved at once on two replicas, another during the idle scan; each
 * comes back a few real seconds later. At the end it counts, from the fake Slack's channel history
 * (message metadata) and the store:
 *
 *   digests posted = days × channels exactly, lost 0, double 0; idle alerts posted twice 0;
 *   pool VMs double-booked 0 (no VM in two requests' plans while both held it).
 *
 *   node bench/soak-chaos.ts [--quick] [--days N]
 *
 * Needs PostgreSQL: GPUOPS_TEST_DATABASE_URL (`npm test` sets it) names a server where a fresh
 * database is created and dropped. Exits 1 when a figure is wrong.
 */
import { type ChildProcess, fork } from "node:child_process";
import { fileURLToPath } from "node:url";

const HOUR = 3600_000;
const DAY = 24 * HOUR;
// Shorter than the defaults (60 s / 15 s) so a kill costs seconds, long enough that a replica
// whose event loop is busy rendering a digest on a loaded machine is not mistaken for a dead one.
const STALE_MS = 5_000;
const BEAT_MS = 500;
const SUB = "7d3a4b52-1c6e-4f0a-9b8e-2a5d6c7e8f90";
const SIZE = "Standard_NC24ads_A100_v4";
const START = Date.parse("2026-09-01T00:00:00Z");
const CHANNELS: Array<{ id: string; at: string; timezone: string }> = [
  { id: "C0ALPHA", at: "07:00", timezone: "UTC" },
  { id: "C0BRAVO", at: "09:15", timezone: "Europe/Berlin" },
  { id: "C0CHARLIE", at: "18:30", timezone: "America/New_York" },
];
const IDLE_CHANNEL = "C0IDLE";

type Msg = Record<string, unknown> & { type: string };

// ---------------------------------------------------------------------------------------------
// Worker: one replica.
// ---------------------------------------------------------------------------------------------
async function worker(): Promise<void> {
  const { createApp } = await import("../src/app.ts");
  const { runAction, runCommand } = await import("../test/support/router.ts");
  const { loadConfig } = await import("../src/config.ts");
  const { createDemoFleet } = await import("../src/fake-azure/demo-fleet.ts");
  const { startFakeAzure } = await import("../src/fake-azure/server.ts");
  const { createSlackPosting } = await import("../src/chat/slack/posting.ts");
  const { createSlackWebClient } = await import("../src/chat/slack/web-client.ts");
  const { IDLE_SCAN_JOB } = await import("../src/jobs/idle-scan.ts");
  const { createLogger } = await import("../src/log.ts");
  const { createFakeClock } = await import("../test/support/fake-clock.ts");
  const { createRecordingPoster } = await import("../test/support/recording-poster.ts");

  const send = (m: unknown) => new Promise<void>((resolve) => process.send?.(m, () => resolve()));
  const owner = process.env.WORKER_NAME ?? `w-${process.pid}`;
  const clock = createFakeClock(process.env.START ?? new Date(START).toISOString());
  const fleet = createDemoFleet({ now: () => clock.now() });
  fleet.knobs.qpu = { short: 1e9, shortMs: 10_000, long: 1e9, longMs: 60_000 };
  fleet.knobs.graphQuota = { perWindow: 1e9, windowMs: 5_000 };
  const fake = await startFakeAzure({ fleet });
  fake.tenant.setUsage(SUB, "swedencentral", "StandardNCADSA100v4Family", 0, 960);
  fake.provisioning.addPoolVms({ subscriptionId: SUB, region: "swedencentral", size: SIZE, count: 4 });
  const log = createLogger("silent");
  const app = await createApp(
    loadConfig({
      GPUOPS_DEMO: "true",
      DATABASE_URL: process.env.DATABASE_URL,
      GPUOPS_DATA_DIR: ":memory:",
      GPUOPS_REGIONS: "eastus",
      GPUOPS_LOG_LEVEL: "silent",
      GPUOPS_APPROVAL_ACTION: "start-vms",
      GPUOPS_IDLE_SCAN_EVERY: "6h",
      GPUOPS_AZURE_MAX_RETRY_WAIT: "1",
    }),
    {
      withStore: true,
      fake,
      costBudget: { perShortWindow: 1e9, perLongWindow: 1e9 },
      jobs: {
        clock,
        owner,
        only: (job) => job.startsWith("digest:") || job === IDLE_SCAN_JOB,
        refreshMs: 6 * HOUR,
        sleep: async () => {},
        staleClaimMs: STALE_MS,
        heartbeatMs: BEAT_MS,
      },
      requestRuntime: { claimMs: STALE_MS, heartbeatMs: BEAT_MS },
    },
  );
  const client = createSlackWebClient({ botToken: process.env.SLACK_TOKEN as string, apiUrl: process.env.SLACK_API_URL as string }, log);
  app.posting.register(createSlackPosting({ client, log, minIntervalMs: 0 }));
  // The approvers' cards go to the console channel of this replica (where the demo approvers are).
  app.posting.register(createRecordingPoster("console"));

  const who = (id: string) => ({ actor: { id, name: id }, channel: { id: "local", platform: "console" as const }, surface: "console" as const });
  process.on("message", (m: Msg) => {
    void (async () => {
      try {
        if (m.type === "advance") {
          await clock.advanceTo(String(m.to));
          await send({ type: "advanced", seq: m.seq });
        } else if (m.type === "request") {
          const pre = await runCommand({ text: String(m.text), ...who(String(m.who)) }, app.context());
          const submit = pre.parts.flatMap((p) => (p.kind === "actions" ? p.actions : [])).find((a) => a.label === "Submit");
          if (submit) await runAction({ verb: submit.verb, payload: submit.payload, ...who(String(m.who)) }, app.context());
          const id = (await app.requests?.port.store.list({ requesterId: String(m.who), limit: 1 }))?.[0]?.request.id;
          await send({ type: "requested", seq: m.seq, id });
        } else if (m.type === "approve") {
          await runAction({ verb: "request.approve", payload: { id: String(m.id) }, ...who(String(m.actor)) }, app.context());
          await app.requests?.drain();
          await send({ type: "approved", seq: m.seq });
        } else if (m.type === "lease-jobs") {
          await app.requests?.runLeaseJobs(new Date(String(m.at)));
          await send({ type: "leased", seq: m.seq });
        } else if (m.type === "stop") {
          await app.close();
          await fake.close();
          await send({ type: "stopped" });
          process.exit(0);
        }
      } catch (err) {
        await send({ type: "error", seq: m.seq, error: String((err as Error)?.stack ?? err) });
      }
    })();
  });
  await app.scheduler?.start();
  await send({ type: "ready", owner });
}

// ---------------------------------------------------------------------------------------------
// Parent: the chaos.
// ---------------------------------------------------------------------------------------------
interface Worker {
  name: string;
  child: ChildProcess;
  alive: boolean;
  call(m: Msg, reply: string): Promise<Msg>;
}

let seq = 0;

function spawnWorker(name: string, env: Record<string, string>, at: number): Promise<Worker> {
  const child = fork(fileURLToPath(import.meta.url), [], {
    env: { ...process.env, ...env, SOAK_CHAOS_ROLE: "worker", WORKER_NAME: name, START: new Date(at).toISOString(), NODE_NO_WARNINGS: "1" },
    execPath: process.execPath,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const waiting = new Map<number | string, { resolve: (m: Msg) => void; reject: (e: Error) => void }>();
  const w: Worker = {
    name,
    child,
    alive: true,
    call(m, reply) {
      const s = ++seq;
      return new Promise((resolve, reject) => {
        waiting.set(s, { resolve, reject });
        child.send({ ...m, seq: s });
        void reply;
      });
    },
  };
  child.on("message", (m: Msg) => {
    const key = m.type === "ready" ? "ready" : (m.seq as number);
    const p = waiting.get(key);
    if (!p) return;
    waiting.delete(key);
    if (m.type === "error") p.reject(new Error(`${name}: ${String(m.error)}`));
    else p.resolve(m);
  });
  child.on("exit", () => {
    w.alive = false;
    for (const [, p] of waiting) p.reject(new Error(`${name} exited`));
    waiting.clear();
  });
  return new Promise((resolve, reject) => {
    waiting.set("ready", { resolve: () => resolve(w), reject });
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function parent(): Promise<number> {
  const args = process.argv.slice(2);
  const daysArg = args.indexOf("--days");
  const DAYS = daysArg >= 0 ? Number(args[daysArg + 1]) : args.includes("--quick") ? 1 : 30;
  if (!process.env.GPUOPS_TEST_DATABASE_URL) {
    console.error("soak chaos needs PostgreSQL: set GPUOPS_TEST_DATABASE_URL (npm test sets it), e.g. postgres://gpuops:gpuops@127.0.0.1:5432/gpuops_test");
    return 2;
  }
  const { freshPostgres } = await import("../test/support/fresh-database.ts");
  const { startFakeSlack } = await import("../test/support/fake-slack.ts");
  const { openStore } = await import("../src/store/store.ts");
  const { createSubscriptionStore } = await import("../src/store/subscriptions.ts");
  const { digestMarker } = await import("../src/jobs/digest.ts");
  const { localDate } = await import("../src/domain/periods.ts");

  const started = performance.now();
  let simNow = START;
  const db = await freshPostgres("gpuops_soak_chaos");
  const slack = await startFakeSlack({ now: () => new Date(simNow) });
  const store = await openStore({ databaseUrl: db.databaseUrl });
  const subs = createSubscriptionStore(store.db);
  for (const c of CHANNELS) {
    await subs.save(
      { platform: "slack", channelId: c.id, kind: "digest" },
      { at: c.at, timezone: c.timezone, scope: null, noise: { kind: "always" }, updateInPlace: false },
      { id: "U0SETUP" },
      new Date(START),
    );
  }
  await subs.save(
    { platform: "slack", channelId: IDLE_CHANNEL, kind: "idle" },
    { at: null, timezone: "UTC", scope: null, noise: { kind: "always" }, updateInPlace: false },
    { id: "U0SETUP" },
    new Date(START),
  );

  const env = { DATABASE_URL: db.databaseUrl as string, SLACK_API_URL: slack.apiUrl, SLACK_TOKEN: slack.botToken };
  const names = ["alpha", "bravo", "charlie"];
  const workers: Worker[] = await Promise.all(names.map((n) => spawnWorker(n, env, START)));
  let kills = 0;
  let rand = 12345;
  const random = () => {
    rand = (rand * 1103515245 + 12345) % 2 ** 31;
    return rand / 2 ** 31;
  };

  const live = () => workers.filter((w) => w.alive);
  /** Moves every live replica to `to`; with `kill`, SIGKILLs that one a moment after it started. */
  async function advance(to: number, kill?: Worker): Promise<void> {
    simNow = to;
    const calls = live().map((w) => w.call({ type: "advance", to: new Date(to).toISOString() }, "advanced").catch(() => undefined));
    if (kill) {
      await sleep(random() * 150);
      kill.child.kill("SIGKILL");
      kills++;
    }
    await Promise.all(calls);
    if (kill) await revive(kill);
  }
  /** Waits out the takeover window (real time), then starts the replica again at the current simulated time. */
  async function revive(w: Worker): Promise<void> {
    await new Promise((r) => (w.alive ? w.child.once("exit", r) : r(undefined)));
    await sleep(STALE_MS + 500);
    // The others take over what it held within a heartbeat or two of simulated time.
    for (const o of live()) await o.call({ type: "advance", to: new Date(simNow + 60_000).toISOString() }, "advanced").catch(() => undefined);
    simNow += 60_000;
    const fresh = await spawnWorker(w.name, env, simNow);
    workers[workers.indexOf(w)] = fresh;
  }
  const pick = (exclude?: Worker) => {
    const l = live().filter((w) => w !== exclude);
    return l[Math.floor(random() * l.length)] as Worker;
  };

  for (let d = 0; d < DAYS; d++) {
    for (let h = 0; h < 24; h++) {
      const hourStart = START + d * DAY + h * HOUR;
      if (h === 7) {
        // The first digest of the day (07:00 UTC): a replica dies while it goes out.
        await advance(Math.max(simNow, hourStart - 1_000));
        await advance(Math.max(simNow, hourStart + 1_000), workers[d % 3]);
      }
      if (h === 10) {
        await advance(Math.max(simNow, hourStart));
        // Two start-vms requests approved at once on two replicas; one of those dies mid-action.
        const a = pick();
        const r1 = (await a.call({ type: "request", who: "dana", text: "request 2 NC24ads_A100_v4 in swedencentral for 1d -- soak" }, "requested")).id as string;
        const r2 = (await a.call({ type: "request", who: "finn", text: "request 2 NC24ads_A100_v4 in swedencentral for 1d -- soak" }, "requested")).id as string;
        const b = pick(a);
        const approvals = [a.call({ type: "approve", id: r1, actor: "sam" }, "approved"), b.call({ type: "approve", id: r2, actor: "lee" }, "approved")].map((p) =>
          p.catch(() => undefined),
        );
        const victim = random() < 0.5 ? a : b;
        await sleep(random() * 100);
        victim.child.kill("SIGKILL");
        kills++;
        await Promise.all(approvals);
        await revive(victim);
      }
      if (h === 12) {
        // The idle scan (every 6 h, 12:00 among them): a replica dies during it.
        await advance(Math.max(simNow, hourStart - 1_000));
        await advance(Math.max(simNow, hourStart + 1_000), workers[(d + 1) % 3]);
      }
      await advance(Math.max(simNow, hourStart + HOUR));
      // The lease clock (expiries, undo, resuming interrupted actions), on one live replica.
      await pick()
        .call({ type: "lease-jobs", at: new Date(simNow).toISOString() }, "leased")
        .catch(() => undefined);
    }
  }
  // A last stretch so the final day's evening digest and any resumed action finish.
  await advance(simNow + 2 * HOUR);
  for (const w of live()) await w.call({ type: "stop" }, "stopped").catch(() => undefined);

  // Digests: every local day whose digest time fell inside the run, once per channel.
  let expected = 0;
  let posted = 0;
  let lost = 0;
  let double = 0;
  const seen = new Map<string, number>();
  for (const c of CHANNELS) {
    for (const m of slack.messagesIn(c.id)) {
      const marker = m.metadata?.event_payload.marker;
      if (typeof marker === "string") seen.set(marker, (seen.get(marker) ?? 0) + 1);
    }
    for (let d = 0; d < DAYS; d++) {
      const date = localDate(new Date(START + d * DAY + 12 * HOUR), c.timezone);
      expected++;
      const n = seen.get(digestMarker("slack", c.id, date)) ?? 0;
      if (n === 0) lost++;
      if (n > 1) {
        double += n - 1;
        const when = slack
          .messagesIn(c.id)
          .filter((m) => m.metadata?.event_payload.marker === digestMarker("slack", c.id, date))
          .map((m) => new Date(Number(m.ts) * 1000).toISOString());
        console.error(`double: ${c.id} ${date} posted at ${when.join(", ")}`);
      }
      if (n > 0) posted++;
    }
  }
  const stray = CHANNELS.reduce((sum, c) => sum + slack.messagesIn(c.id).filter((m) => !m.metadata).length, 0);
  // Idle alerts: one message per episode and channel.
  const idleMarkers = new Map<string, number>();
  for (const m of slack.messagesIn(IDLE_CHANNEL)) {
    const marker = m.metadata?.event_payload.marker;
    if (typeof marker === "string" && !m.thread_ts) idleMarkers.set(marker, (idleMarkers.get(marker) ?? 0) + 1);
  }
  const idleDouble = [...idleMarkers.values()].reduce((s, n) => s + Math.max(0, n - 1), 0);
  // Pool VMs: no VM in two requests' plans while both held it (from the action's end to its undo).
  const events = await store.db.selectFrom("gpu_request_event").select(["request_id", "kind", "at"]).execute();
  const effects = await store.db.selectFrom("gpu_request_effect").select(["key", "plan"]).execute();
  const holds: Array<{ id: number; vms: string[]; from: number; to: number }> = [];
  for (const e of effects) {
    if (!e.key.endsWith(":act") || !e.plan) continue;
    const id = Number(e.key.split(":")[0]);
    const vms = ((JSON.parse(e.plan) as { vms?: Array<{ resourceGroup: string; name: string }> }).vms ?? []).map((v) => `${v.resourceGroup}/${v.name}`.toLowerCase());
    const mine = events.filter((x) => Number(x.request_id) === id);
    const from = Date.parse(mine.find((x) => x.kind === "act_start")?.at ?? mine.find((x) => x.kind === "approve")?.at ?? "");
    const end = mine.find((x) => x.kind === "reverse_done" || x.kind === "reverse_failed")?.at;
    holds.push({ id, vms, from, to: end ? Date.parse(end) : Number.POSITIVE_INFINITY });
  }
  let doubleBooked = 0;
  for (let i = 0; i < holds.length; i++) {
    for (let j = i + 1; j < holds.length; j++) {
      const a = holds[i] as (typeof holds)[number];
      const b = holds[j] as (typeof holds)[number];
      if (a.from < b.to && b.from < a.to) doubleBooked += a.vms.filter((v) => b.vms.includes(v)).length;
    }
  }
  const starts = holds.length;
  await store.close();
  await slack.close();
  await db.drop();

  const ok = posted === expected && lost === 0 && double === 0 && stray === 0 && idleDouble === 0 && doubleBooked === 0;
  console.log(`soak chaos: 3 replicas on one PostgreSQL, ${DAYS} simulated day(s), ${kills} SIGKILLs (digest, approval and idle-scan times)`);
  console.log(`digests posted = ${posted} (days × channels = ${DAYS} × ${CHANNELS.length} = ${expected}), lost ${lost}, double ${double}, without marker ${stray}`);
  console.log(`idle alerts: ${idleMarkers.size} episode post(s), posted twice ${idleDouble}`);
  console.log(`approvals: ${starts} action plan(s); pool VMs double-booked ${doubleBooked}`);
  console.log(`time: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return ok ? 0 : 1;
}

if (process.env.SOAK_CHAOS_ROLE === "worker") {
  await worker();
} else {
  parent().then(
    (code) => process.exit(code),
    (err) => {
      console.error(err);
      process.exit(2);
    },
  );
}
