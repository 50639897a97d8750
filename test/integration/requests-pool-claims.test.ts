/**
 * Two replicas on one store, one fake Azure: pool VMs are reserved in the store before they are
 * started, so two `start-vms` requests approved at the same moment on two replicas get different
 * VMs, and releasing one lease deallocates only that request's VMs. A long action keeps its claim
 * with a heartbeat, so a second replica never runs it at the same time.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type App, createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { type FakeAzure, startFakeAzure } from "../../src/fake-azure/server.ts";
import { renderText } from "../../src/render/text.ts";
import type { Action, Reply } from "../../src/reply/reply.ts";
import { type FreshDatabase, freshPostgres } from "../support/fresh-database.ts";
import { createRecordingPoster, type RecordingPoster } from "../support/recording-poster.ts";
import { runAction, runCommand } from "../support/router.ts";

const T0 = new Date("2026-03-02T09:00:00.000Z");
const SUB = "7d3a4b52-1c6e-4f0a-9b8e-2a5d6c7e8f90";
const SIZE = "Standard_NC24ads_A100_v4";

interface Replicas {
  fake: FakeAzure;
  a: App;
  b: App;
  poster: RecordingPoster;
  clock: { now: Date };
  close(): Promise<void>;
}

const open: Replicas[] = [];
afterEach(async () => {
  for (const r of open.splice(0)) await r.close();
});

async function replicas(db: FreshDatabase, runtime: { claimMs?: number; heartbeatMs?: number } = {}): Promise<Replicas> {
  const fake = await startFakeAzure();
  fake.tenant.setUsage(SUB, "swedencentral", "StandardNCADSA100v4Family", 0, 480);
  fake.provisioning.addPoolVms({ subscriptionId: SUB, region: "swedencentral", size: SIZE, count: 4 });
  const clock = { now: T0 };
  const env: Record<string, string> = {
    GPUOPS_DEMO: "true",
    GPUOPS_DATA_DIR: db.dataDir,
    GPUOPS_AZURE_MAX_RETRY_WAIT: "1",
    GPUOPS_LOG_LEVEL: "silent",
    GPUOPS_APPROVAL_ACTION: "start-vms",
    ...(db.databaseUrl ? { DATABASE_URL: db.databaseUrl } : {}),
  };
  const make = () => createApp(loadConfig(env), { fake, withStore: true, now: () => clock.now, requestRuntime: runtime });
  const a = await make();
  const b = await make();
  const poster = createRecordingPoster("console");
  a.posting.register(poster);
  b.posting.register(poster);
  const r: Replicas = {
    fake,
    a,
    b,
    poster,
    clock,
    async close() {
      await a.close();
      await b.close();
      await fake.close();
      await db.drop();
    },
  };
  open.push(r);
  return r;
}

const say = (app: App, actor: string, text: string) =>
  runCommand({ text, actor: { id: actor, name: actor }, channel: { id: "local", platform: "console" }, surface: "console" }, app.context());
const click = async (app: App, actor: string, action: Action) => {
  const result = await runAction(
    { verb: action.verb, payload: action.payload, actor: { id: actor, name: actor }, channel: { id: "local", platform: "console" }, surface: "console" },
    app.context(),
  );
  await app.requests?.drain();
  return result;
};
const button = (reply: Reply | undefined, label: string): Action => {
  const a = (reply?.parts ?? []).flatMap((p) => (p.kind === "actions" ? p.actions : [])).find((x) => x.label === label);
  if (!a) throw new Error(`no "${label}" button in ${reply ? renderText(reply) : "nothing"}`);
  return a;
};

/** Asks for `n` pool VMs as `who` on replica `app`; returns the approvers' card. */
async function ask(r: Replicas, app: App, who: string, n: number): Promise<Reply> {
  const pre = await say(app, who, `request ${n} NC24ads_A100_v4 in swedencentral for 1d -- soak`);
  await click(app, who, button(pre, "Submit"));
  const card = [...r.poster.posts].reverse().find((p) => p.kind === "post" && !p.threadId);
  if (!card) throw new Error("no approvers' card");
  return card.reply;
}

const vmName = (target: string) => target.split("/").at(-1) as string;

// Replicas share PostgreSQL (SQLite is one process's file); the reservation itself is pinned on both engines in requests-store.test.ts.
describe("pool VMs on two replicas (PostgreSQL)", () => {
  const fresh = () => freshPostgres("gpuops_poolclaim");
  it("never plans the same VM for two requests approved together, and a release frees only its own", async () => {
    const r = await replicas(await fresh());
    const first = await ask(r, r.a, "dana", 2);
    const second = await ask(r, r.b, "finn", 2);

    await Promise.all([click(r.a, "sam", button(first, "Approve")), click(r.b, "lee", button(second, "Approve"))]);

    const starts = r.fake.provisioning.calls.filter((c) => c.kind === "start").map((c) => vmName(c.target));
    expect(starts).toHaveLength(4);
    expect(new Set(starts).size).toBe(4);
    const claims = await r.a.requests?.port.store.poolVmClaims();
    const byRequest = (id: string) => (claims ?? []).filter((c) => c.requestId === id).map((c) => c.name);
    expect(byRequest("1")).toHaveLength(2);
    expect(byRequest("2")).toHaveLength(2);
    expect(new Set([...byRequest("1"), ...byRequest("2")]).size).toBe(4);
    for (const id of ["1", "2"]) expect((await r.a.requests?.port.store.get(id))?.request.state).toBe("active");

    // dana releases her lease: only her two VMs are deallocated; finn's keep running and stay his.
    const lease = await r.a.requests?.port.store.get("1");
    const release = { verb: "request.release", label: "Release now", payload: { id: "1" } } as Action;
    await click(r.a, "dana", release);
    await r.a.requests?.runEffects();
    await r.a.requests?.drain();
    expect((await r.a.requests?.port.store.get("1"))?.request.state).toBe("released");
    const deallocated = r.fake.requests.filter((q) => q.method === "POST" && /\/deallocate$/.test(q.path)).map((q) => vmName(q.path.replace(/\/deallocate$/, "")));
    expect(deallocated.sort()).toEqual([...byRequest("1")].sort());
    const left = await r.a.requests?.port.store.poolVmClaims();
    expect((left ?? []).map((c) => c.requestId)).toEqual(["2", "2"]);
    expect(lease?.request.state).toBe("active");
  }, 60_000);

  it("refuses a request the pool cannot serve without taking another request's VMs", async () => {
    const r = await replicas(await fresh());
    const first = await ask(r, r.a, "dana", 3);
    const second = await ask(r, r.b, "finn", 2);
    await Promise.all([click(r.a, "sam", button(first, "Approve")), click(r.b, "lee", button(second, "Approve"))]);
    const starts = r.fake.provisioning.calls.filter((c) => c.kind === "start").map((c) => vmName(c.target));
    expect(new Set(starts).size).toBe(starts.length);
    const states = await Promise.all(["1", "2"].map(async (id) => (await r.a.requests?.port.store.get(id))?.request.state));
    // One of the two got its VMs; the other failed cleanly, holding none.
    expect(states.filter((s) => s === "active")).toHaveLength(1);
    const claims = (await r.a.requests?.port.store.poolVmClaims()) ?? [];
    const winner = states[0] === "active" ? "1" : "2";
    expect(claims.every((c) => c.requestId === winner)).toBe(true);
    expect(claims).toHaveLength(starts.length);
  }, 60_000);

  it("keeps a long action's claim alive with a heartbeat, so another replica does not run it too", async () => {
    const r = await replicas(await fresh(), { claimMs: 1_000, heartbeatMs: 50 });
    const card = await ask(r, r.a, "dana", 1);
    // Azure takes its time over the start; meanwhile the clock moves well past the claim's length.
    r.fake.addFault({ match: /\/start/, method: "POST", latencyMs: 1_500, times: 1 });
    const approving = click(r.a, "sam", button(card, "Approve"));
    await new Promise((res) => setTimeout(res, 300));
    r.clock.now = new Date(T0.getTime() + 5_000);
    await new Promise((res) => setTimeout(res, 200));
    const other = await r.b.requests?.runEffects();
    await approving;
    expect(other).toBe(0);
    expect(r.fake.provisioning.calls.filter((c) => c.kind === "start")).toHaveLength(1);
    expect((await r.a.requests?.port.store.get("1"))?.request.state).toBe("active");
  }, 60_000);
});
