/**
 * What people are told about a GPU request, through the core on the demo tenant (real SDK
 * clients against the fake Azure, a real SQLite store, a recording posting port):
 *
 * - A pre-check Azure could not answer says "unknown" in the audit log and on the approvers'
 *   card; it never claims "needs a quota increase of 0 vCPUs".
 * - An approval is one post (the outcome in the card's thread); the requester's own card is
 *   edited to say what happened: approved with no automatic action, VMs started, or a quota
 *   increase filed: never "ready" when nothing was provisioned.
 */
import { afterEach, describe, expect, it } from "vitest";
import { type App, createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { type FakeAzure, startFakeAzure } from "../../src/fake-azure/server.ts";
import { renderText } from "../../src/render/text.ts";
import type { Action, Reply } from "../../src/reply/reply.ts";
import type { PostedMessage } from "../../src/services/ports.ts";
import { type FreshDatabase, freshSqlite } from "../support/fresh-database.ts";
import { createRecordingPoster, type RecordingPoster } from "../support/recording-poster.ts";
import { runAction, runCommand } from "../support/router.ts";

const T0 = new Date("2026-03-02T09:00:00.000Z");
const SUB = "7d3a4b52-1c6e-4f0a-9b8e-2a5d6c7e8f90";

interface Rig {
  app: App;
  fake: FakeAzure;
  poster: RecordingPoster;
  db: FreshDatabase;
}

const rigs: Rig[] = [];
afterEach(async () => {
  for (const r of rigs.splice(0)) {
    await r.app.close();
    await r.fake.close();
    await r.db.drop();
  }
});

async function rig(env: Record<string, string> = {}, setup?: (fake: FakeAzure) => void): Promise<Rig> {
  const fake = await startFakeAzure();
  setup?.(fake);
  const db = freshSqlite();
  const config = loadConfig({ GPUOPS_DEMO: "true", GPUOPS_DATA_DIR: db.dataDir, GPUOPS_AZURE_MAX_RETRY_WAIT: "1", GPUOPS_LOG_LEVEL: "silent", ...env });
  const app = await createApp(config, { fake, withStore: true, now: () => T0 });
  const poster = createRecordingPoster("console");
  app.posting.register(poster);
  const r = { app, fake, poster, db };
  rigs.push(r);
  return r;
}

const say = (r: Rig, actor: string, text: string) =>
  runCommand({ text, actor: { id: actor, name: actor }, channel: { id: "local", platform: "console" }, surface: "console" }, r.app.context());
async function click(r: Rig, actor: string, action: Action, message?: PostedMessage) {
  const result = await runAction(
    {
      verb: action.verb,
      payload: action.payload,
      actor: { id: actor, name: actor },
      channel: { id: "local", platform: "console" },
      surface: "console",
      ...(message ? { message } : {}),
    },
    r.app.context(),
  );
  await r.app.requests?.drain();
  return result;
}
const button = (reply: Reply | undefined, label: string): Action => {
  const a = (reply?.parts ?? []).flatMap((p) => (p.kind === "actions" ? p.actions : [])).find((x) => x.label === label);
  if (!a) throw new Error(`no "${label}" button in ${reply ? renderText(reply) : "nothing"}`);
  return a;
};
const posts = (r: Rig) => r.poster.posts.filter((p) => p.kind === "post");

/** Asks as dana; the pre-check is posted as her own message (her card), and submitted from it. */
async function submitFromCard(r: Rig, text: string): Promise<{ card: PostedMessage; approvers: Reply }> {
  const pre = await say(r, "dana", text);
  const card = await r.poster.post("local", pre);
  await click(r, "dana", button(pre, "Submit"), card);
  const approvers = posts(r).at(-1)?.reply;
  if (!approvers) throw new Error("no approvers' card");
  return { card, approvers };
}

describe("what a GPU request tells people", () => {
  it("says unknown when the pre-check could read neither SKUs nor quota, in the audit and to approvers", async () => {
    const r = await rig({}, (fake) => {
      fake.addFault({ match: /Microsoft\.Compute\/skus/, status: 403, body: { error: { code: "AuthorizationFailed", message: "no read on skus" } } });
      fake.addFault({ match: /Microsoft\.Compute\/locations\/[^/]+\/usages/, status: 403, body: { error: { code: "AuthorizationFailed", message: "no read on usages" } } });
    });
    const pre = await say(r, "dana", "request 2 NC24ads_A100_v4 in swedencentral for 1d -- eval run");
    expect(renderText(pre)).toMatch(/Not fully pre-checked/);
    await click(r, "dana", button(pre, "Submit"));
    const card = renderText(posts(r).at(-1)?.reply as Reply);
    expect(card).toMatch(/Not fully pre-checked: Azure could not tell whether the size is offered or quota/);
    expect(card).not.toMatch(/quota increase of 0/);
    const audit = await r.app.requests?.port.store.history({ requestId: "1" });
    const precheck = audit?.find((e) => e.kind === "precheck");
    expect(precheck?.detail).toMatch(/quota is unknown/);
    expect(precheck?.detail).toMatch(/whether the size is offered is unknown/);
    expect(precheck?.detail).not.toMatch(/0 vCPUs/);
  }, 60_000);

  it("one approval with no automatic action: one post, and the requester's card says approved, nothing provisioned", async () => {
    const r = await rig();
    const { card, approvers } = await submitFromCard(r, "request 2 NC24ads_A100_v4 in swedencentral for 3d -- fine-tune");
    const before = posts(r).length;
    await click(r, "sam", button(approvers, "Approve"));
    const after = posts(r).slice(before);
    expect(after).toHaveLength(1);
    expect(after[0]?.threadId).toBeDefined();
    expect(renderText(after[0]?.reply as Reply)).toMatch(/please provision it by hand/);
    // The requester's own card (the message she submitted from) now says what happened.
    const edits = r.poster.posts.filter((p) => p.kind === "update" && p.messageId === card.messageId);
    const latest = edits.at(-1)?.reply as Reply;
    expect(latest.title).toBe("GPU request #1 approved: no automatic action");
    expect(renderText(latest)).toMatch(/Nothing was provisioned automatically/);
    expect(renderText(latest)).not.toMatch(/waiting for approval|ready/i);
  }, 60_000);

  it("start-vms and quota-request outcomes are named for what they did", async () => {
    const r = await rig({ GPUOPS_APPROVAL_ACTION: "start-vms" }, (fake) => {
      fake.tenant.setUsage(SUB, "swedencentral", "StandardNCADSA100v4Family", 0, 96);
      fake.provisioning.addPoolVms({ subscriptionId: SUB, region: "swedencentral", size: "Standard_NC24ads_A100_v4", count: 2 });
    });
    const a = await submitFromCard(r, "request 2 NC24ads_A100_v4 in swedencentral for 1d -- training");
    await click(r, "sam", button(a.approvers, "Approve"));
    const started = r.poster.posts.filter((p) => p.kind === "update" && p.messageId === a.card.messageId).at(-1)?.reply as Reply;
    expect(started.title).toBe("GPU request #1: VMs started");
    expect(renderText(started)).toMatch(/Started 2 VMs: gpu-pool-nc24ads-a100-v4-1, gpu-pool-nc24ads-a100-v4-2/);

    const q = await rig({}, (fake) => fake.tenant.setUsage(SUB, "swedencentral", "StandardNCADSA100v4Family", 24, 48));
    const b = await submitFromCard(q, "request 4 NC24ads_A100_v4 in swedencentral for 1d -- batch inference");
    await click(q, "sam", button(b.approvers, "Approve + request quota"));
    const filed = q.poster.posts.filter((p) => p.kind === "update" && p.messageId === b.card.messageId).at(-1)?.reply as Reply;
    expect(filed.title).toBe("GPU request #1: quota increase filed");
    expect(renderText(filed)).toMatch(/Microsoft\.Quota request for StandardNCADSA100v4Family to 120 vCPUs/);
    expect(renderText(filed)).toMatch(/Nothing was started/);
  }, 60_000);
});
