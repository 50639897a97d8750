/**
 * Soak (d): 50 concurrent clicks on every decision button → exactly one decision per request.
 *
 * Two replicas (two apps) share one store: PostgreSQL when GPUOPS_TEST_DATABASE_URL is set (`npm
 * test` sets it; each run gets a database of its own), SQLite otherwise. Each round files a fresh
 * request per button and fires 50 clicks at once, alternating replicas and approvers, through the
 * action router the chat doors use. Afterwards the audit log must hold exactly one accepted
 * decision per request, the side effects must have run once (pool VMs started once, one quota
 * request, one deallocation per release), and the rest must be refusals.
 *
 *   node bench/soak-clicks.ts [--quick] [--rounds N]
 *
 * Exits 1 when any request has a decision count other than 1 or an action ran twice.
 */
import { type App, createApp } from "../src/app.ts";
import { VERBS } from "../src/commands/request-card.ts";
import { loadConfig } from "../src/config.ts";
import { type FakeAzure, startFakeAzure } from "../src/fake-azure/server.ts";
import type { Action, Reply } from "../src/reply/reply.ts";
import { type FreshDatabase, freshPostgres, freshSqlite } from "../test/support/fresh-database.ts";
import { createRecordingPoster } from "../test/support/recording-poster.ts";
import { runAction, runCommand } from "../test/support/router.ts";

const SUB = "7d3a4b52-1c6e-4f0a-9b8e-2a5d6c7e8f90";
const SIZE = "Standard_NC24ads_A100_v4";
const CLICKS = 50;

const args = process.argv.slice(2);
const quick = args.includes("--quick");
const roundsArg = args.indexOf("--rounds");
const ROUNDS = roundsArg >= 0 ? Number(args[roundsArg + 1]) : quick ? 1 : 10;

/** Accepted audit kinds that are a decision about the request (or its lease). */
const DECISIONS = new Set(["approve", "deny", "cancel", "release", "extend_approve", "extend_deny"]);

interface Button {
  name: string;
  /** Who clicks (alternating); the requester for cancel/release. */
  clickers: string[];
  /** Sets up a request and returns the action to click and the request id. */
  prepare(): Promise<{ id: string; action: Action | ((i: number) => Action) }>;
  /** The side effect count this button must produce exactly once (by comparing before/after). */
  effect?: () => number;
  expectEffect?: number;
}

let clock = new Date("2026-03-02T09:00:00.000Z");
let fake: FakeAzure;
let db: FreshDatabase;
const replicas: App[] = [];

const ctxOf = (app: App) => app.context();
const say = (app: App, actor: string, text: string) =>
  runCommand({ text, actor: { id: actor, name: actor }, channel: { id: "local", platform: "console" }, surface: "console" }, ctxOf(app));
const click = (app: App, actor: string, action: Action) =>
  runAction({ verb: action.verb, payload: action.payload, actor: { id: actor, name: actor }, channel: { id: "local", platform: "console" }, surface: "console" }, ctxOf(app));
const buttonIn = (reply: Reply | undefined, label: string): Action => {
  const a = (reply?.parts ?? []).flatMap((p) => (p.kind === "actions" ? p.actions : [])).find((x) => x.label === label);
  if (!a) throw new Error(`no "${label}" button`);
  return a;
};
const drain = async () => {
  for (const app of replicas) await app.requests?.drain();
};

let lastCard: Reply | undefined;
const poster = createRecordingPoster("console");
const origPost = poster.post.bind(poster);
poster.post = async (channelId, reply, opts) => {
  const m = await origPost(channelId, reply, opts);
  if (!opts?.threadId && reply.parts.some((p) => p.kind === "actions")) lastCard = reply;
  return m;
};

/** Files a request as `who` and submits it; returns its id and the approvers' card. */
async function filed(who: string, text: string): Promise<{ id: string; card: Reply }> {
  const app = replicas[0] as App;
  lastCard = undefined;
  const pre = await say(app, who, text);
  await click(app, who, buttonIn(pre, "Submit"));
  const list = await app.requests?.port.store.list({ requesterId: who, limit: 1 });
  const id = list?.[0]?.request.id;
  if (!id || !lastCard) throw new Error(`could not file a request: ${JSON.stringify(pre.title)}`);
  return { id, card: lastCard };
}

/** An approved, active lease of `vms` pool VMs for dana. */
async function active(vms: number, hours = "1d"): Promise<string> {
  const { id, card } = await filed("dana", `request ${vms} NC24ads_A100_v4 in swedencentral for ${hours} -- soak`);
  await click(replicas[0] as App, "sam", buttonIn(card, "Approve"));
  await drain();
  return id;
}

const starts = () => fake.provisioning.calls.filter((c) => c.kind === "start").length;
const quotas = () => fake.provisioning.calls.filter((c) => c.kind === "quota").length;
const deallocations = () => fake.requests.filter((q) => q.method === "POST" && /\/deallocate$/.test(q.path)).length;

function buttons(): Button[] {
  return [
    {
      name: "Approve",
      clickers: ["sam", "lee"],
      prepare: async () => {
        const { id, card } = await filed("dana", "request 1 NC24ads_A100_v4 in swedencentral for 1d -- soak");
        return { id, action: buttonIn(card, "Approve") };
      },
      effect: starts,
      expectEffect: 1,
    },
    {
      name: "Approve for a shorter time",
      clickers: ["sam", "lee"],
      prepare: async () => {
        const { id } = await filed("dana", "request 1 NC24ads_A100_v4 in swedencentral for 2d -- soak");
        // The shorter-time choices carry hours; clicks pick different lengths, as people would.
        return { id, action: (i: number) => ({ verb: VERBS.approve, label: "shorter", payload: { id, hours: [36, 24, 12, 4][i % 4] as number } }) };
      },
      effect: starts,
      expectEffect: 1,
    },
    {
      name: "Deny",
      clickers: ["sam", "lee"],
      prepare: async () => {
        const { id } = await filed("dana", "request 1 NC24ads_A100_v4 in swedencentral for 1d -- soak");
        return { id, action: { verb: VERBS.deny, label: "Deny", payload: { id, reason: "not this week" } } };
      },
    },
    {
      name: "Approve and Deny at once",
      clickers: ["sam", "lee"],
      prepare: async () => {
        const { id, card } = await filed("dana", "request 1 NC24ads_A100_v4 in swedencentral for 1d -- soak");
        const approve = buttonIn(card, "Approve");
        return { id, action: (i: number) => (i % 2 === 0 ? approve : { verb: VERBS.deny, label: "Deny", payload: { id, reason: "no" } }) };
      },
    },
    {
      name: "Approve + request quota",
      clickers: ["sam", "lee"],
      prepare: async () => {
        fake.tenant.setUsage(SUB, "swedencentral", "StandardNCADSA100v4Family", 24, 48);
        const { id, card } = await filed("dana", "request 4 NC24ads_A100_v4 in swedencentral for 1d -- soak");
        return { id, action: buttonIn(card, "Approve + request quota") };
      },
      effect: quotas,
      expectEffect: 1,
    },
    {
      name: "Cancel",
      clickers: ["dana"],
      prepare: async () => {
        const { id } = await filed("dana", "request 1 NC24ads_A100_v4 in swedencentral for 1d -- soak");
        return { id, action: { verb: VERBS.cancel, label: "Cancel", payload: { id } } };
      },
    },
    {
      name: "Release now",
      clickers: ["dana"],
      prepare: async () => {
        const id = await active(1);
        return { id, action: { verb: VERBS.release, label: "Release now", payload: { id } } };
      },
      effect: deallocations,
      expectEffect: 1,
    },
    {
      name: "Approve extension",
      clickers: ["sam", "lee"],
      prepare: async () => {
        const id = await active(1, "2d");
        // Past the 2-day cap: the extension waits for an approver.
        await click(replicas[0] as App, "dana", { verb: VERBS.extend, label: "Extend", payload: { id, hours: 24 } });
        return { id, action: { verb: VERBS.extendApprove, label: "Approve extension", payload: { id } } };
      },
    },
    {
      name: "Deny extension",
      clickers: ["sam", "lee"],
      prepare: async () => {
        const id = await active(1, "2d");
        await click(replicas[0] as App, "dana", { verb: VERBS.extend, label: "Extend", payload: { id, hours: 24 } });
        return { id, action: { verb: VERBS.extendDeny, label: "Deny extension", payload: { id, reason: "enough" } } };
      },
    },
  ];
}

async function main(): Promise<number> {
  const started = performance.now();
  fake = await startFakeAzure();
  fake.fleet.knobs.graphQuota = { perWindow: 1e9, windowMs: 5_000 };
  fake.tenant.setUsage(SUB, "swedencentral", "StandardNCADSA100v4Family", 0, 1e6);
  const buttonList = buttons();
  // Enough pool VMs for every approval in every round.
  fake.provisioning.addPoolVms({ subscriptionId: SUB, region: "swedencentral", size: SIZE, count: ROUNDS * buttonList.length * 3 });
  const pg = Boolean(process.env.GPUOPS_TEST_DATABASE_URL);
  db = pg ? await freshPostgres("gpuops_soak_clicks") : freshSqlite();
  const env = {
    GPUOPS_DEMO: "true",
    GPUOPS_DATA_DIR: db.dataDir,
    ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
    GPUOPS_LOG_LEVEL: "silent",
    GPUOPS_AZURE_MAX_RETRY_WAIT: "1",
    GPUOPS_APPROVAL_ACTION: "start-vms",
    GPUOPS_MAX_LEASE_DAYS: "2",
  };
  // SQLite is one process's file: one replica; PostgreSQL: two.
  const n = pg ? 2 : 1;
  for (let i = 0; i < n; i++) {
    const app = await createApp(loadConfig(env), { fake, withStore: true, now: () => clock });
    app.posting.register(poster);
    replicas.push(app);
  }

  const problems: string[] = [];
  let requests = 0;
  let clicks = 0;
  const perButton: string[] = [];
  for (const b of buttonList) {
    let ok = 0;
    for (let round = 0; round < ROUNDS; round++) {
      clock = new Date(clock.getTime() + 60_000);
      const { id, action } = await b.prepare();
      await drain();
      const before = b.effect?.() ?? 0;
      const historyBefore = (await replicas[0]?.requests?.port.store.history({ requestId: id }))?.length ?? 0;
      await Promise.all(
        Array.from({ length: CLICKS }, (_, i) => {
          const app = replicas[i % replicas.length] as App;
          const a = typeof action === "function" ? action(i) : action;
          return click(app, b.clickers[i % b.clickers.length] as string, a);
        }),
      );
      await drain();
      clicks += CLICKS;
      requests++;
      const history = ((await replicas[0]?.requests?.port.store.history({ requestId: id })) ?? []).slice(historyBefore);
      const decisions = history.filter((e) => DECISIONS.has(e.kind)).length;
      const effect = (b.effect?.() ?? 0) - before;
      if (decisions !== 1) problems.push(`${b.name} #${id}: ${decisions} decisions`);
      else if (b.expectEffect !== undefined && effect !== b.expectEffect) problems.push(`${b.name} #${id}: its action ran ${effect} times`);
      else ok++;
    }
    perButton.push(`  ${b.name.padEnd(28)} ${ok}/${ROUNDS} requests with exactly 1 decision`);
  }

  for (const app of replicas) await app.close();
  await fake.close();
  await db.drop();

  console.log(`soak clicks: ${buttonList.length} buttons × ${ROUNDS} round(s) × ${CLICKS} concurrent clicks on ${replicas.length} replica(s) (${pg ? "PostgreSQL" : "SQLite"})`);
  for (const line of perButton) console.log(line);
  console.log(`clicks: ${clicks}, requests: ${requests}, decisions per request: ${problems.length === 0 ? "1 (all)" : "NOT 1"}`);
  console.log(`time: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  if (problems.length) {
    for (const p of problems.slice(0, 20)) console.error(`WRONG: ${p}`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(2);
  },
);
