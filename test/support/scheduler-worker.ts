/**
 * A gpuops process for multi-process tests: the app (store = DATABASE_URL, its own fake Azure),
 * its scheduler on a fake clock the parent moves over IPC, and a Slack posting port that reports
 * each post to the parent. Run with `child_process.fork` under Node >= 22.18 (type stripping).
 *
 * IPC in:  { type: "advance", to: ISO } → { type: "advanced", to, claims: { won, lost, runs (distinct runs tried) } }
 *          { type: "stop" }             → { type: "stopped" }, then exit
 * IPC out: { type: "ready", owner }, { type: "post", channelId, title, owner }
 */
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { createDemoFleet } from "../../src/fake-azure/demo-fleet.ts";
import { startFakeAzure } from "../../src/fake-azure/server.ts";
import { createFakeClock } from "./fake-clock.ts";
import { createRecordingPoster } from "./recording-poster.ts";

type Message = { type: "advance"; to: string } | { type: "stop" };

const send = (m: unknown) => new Promise<void>((resolve) => process.send?.(m, () => resolve()));

const owner = process.env.WORKER_NAME ?? `worker-${process.pid}`;
const clock = createFakeClock(process.env.START ?? new Date().toISOString());
const fleet = createDemoFleet({ now: () => clock.now() });
fleet.knobs.qpu = { short: 1e9, shortMs: 10_000, long: 1e9, longMs: 60_000 };
fleet.knobs.graphQuota = { perWindow: 1e9, windowMs: 5_000 };
const fake = await startFakeAzure({ fleet });
const config = loadConfig({
  GPUOPS_DEMO: "true",
  DATABASE_URL: process.env.DATABASE_URL,
  GPUOPS_DATA_DIR: ":memory:",
  GPUOPS_REGIONS: "eastus",
  GPUOPS_LOG_LEVEL: "silent",
});
const app = await createApp(config, {
  withStore: true,
  fake,
  costBudget: { perShortWindow: 1e9, perLongWindow: 1e9 },
  jobs: { clock, owner, only: (job) => job.startsWith("digest:"), refreshMs: 6 * 3600_000, sleep: async () => {} },
});
const poster = createRecordingPoster("slack");
const post = poster.post.bind(poster);
poster.post = async (channelId, reply, opts) => {
  const m = await post(channelId, reply, opts);
  await send({ type: "post", channelId, title: reply.title, owner });
  return m;
};
app.posting.register(poster);

// Count this process's claim attempts: both processes must try every run, and only one may win it.
const claims = { won: 0, lost: 0, runs: 0 };
const attempted = new Set<string>();
const store = app.store;
if (!store) throw new Error("the worker needs a store");
const claim = store.claimJob.bind(store);
store.claimJob = async (c, now) => {
  const won = await claim(c, now);
  if (won) claims.won++;
  else claims.lost++;
  attempted.add(`${c.job}|${c.periodKey}`);
  claims.runs = attempted.size;
  return won;
};

process.on("message", (m: Message) => {
  void (async () => {
    if (m.type === "advance") {
      await clock.advanceTo(m.to);
      await send({ type: "advanced", to: m.to, claims });
    } else if (m.type === "stop") {
      await app.close();
      await fake.close();
      await send({ type: "stopped" });
      process.exit(0);
    }
  })();
});

await app.scheduler?.start();
await send({ type: "ready", owner });
