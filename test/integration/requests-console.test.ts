/**
 * The "done when", on the embedded default: the demo server (no configuration beyond a
 * data folder) and its local console API. Dana asks for `2 NC24ads_A100_v4 in swedencentral for
 * 3d`, sees the pre-check, cannot approve it herself; Finn (not an approver) is refused; Sam (a
 * configured demo approver) approves; the lease ends on time under a fake clock; and all of it is
 * in `requests export`.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import type { Action, Reply } from "../../src/reply/reply.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { type FreshDatabase, freshSqlite } from "../support/fresh-database.ts";

interface View {
  id: string;
  pane: string;
  threadId?: string;
  ephemeralFor?: string;
  reply?: Reply;
}

const actionsOf = (reply: Reply | undefined): Action[] => (reply?.parts ?? []).flatMap((p) => (p.kind === "actions" ? p.actions : []));
const flat = (reply: Reply | undefined) => JSON.stringify(reply ?? {});

describe("GPU requests in the demo console (the issue's done-when)", () => {
  let server: RunningServer;
  let db: FreshDatabase;
  const clock = { now: new Date("2026-03-02T09:00:00.000Z") };

  beforeAll(async () => {
    db = freshSqlite();
    const config = loadConfig({ GPUOPS_DATA_DIR: db.dataDir, PORT: "0", GPUOPS_SCHEDULER: "false", GPUOPS_LOG_LEVEL: "silent" });
    expect(config.demo).toBe(true);
    server = await startServer(config, { log: createLogger("silent"), now: () => clock.now });
  });
  afterAll(async () => {
    await server?.close();
    await db?.drop();
  });

  const api = async (path: string, body?: unknown) => {
    const res = await fetch(
      `${server.url}/console/api/${path}`,
      body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) },
    );
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, unknown>;
  };
  const command = async (actor: string, text: string) => (await api("command", { text, actor })) as { messageId: string; reply: Reply };
  const click = async (actor: string, messageId: string, a: Action) => {
    const r = (await api("action", { verb: a.verb, payload: a.payload, actor, messageId })) as { ephemeral?: View; updated: View[]; posted: View[] };
    await server.app.requests?.drain();
    return r;
  };
  const channel = async () => ((await api("channel")).messages as View[]).filter((m) => !m.ephemeralFor);

  it("pre-checks, is approved by a configured approver (not the requester), expires on time, and is all in the export", async () => {
    const pre = await command("dana", "request 2 NC24ads_A100_v4 in swedencentral for 3d -- fine-tune the support model");
    expect(flat(pre.reply)).toMatch(/Offered.*yes, in swedencentral/);
    expect(flat(pre.reply)).toMatch(/Estimated cost/);
    expect(flat(pre.reply)).toMatch(/2 GPUs, one approval/);
    const submit = actionsOf(pre.reply).find((a) => a.label === "Submit") as Action;
    const submitted = await click("dana", pre.messageId, submit);
    expect(flat(submitted.updated[0]?.reply)).toMatch(/Sent to the approvers in console channel local/);

    const card = (await channel()).find((m) => m.reply?.title === "GPU request #1 from Dana") as View;
    const approve = actionsOf(card.reply).find((a) => a.label === "Approve") as Action;
    expect((await click("dana", card.id, approve)).ephemeral?.reply?.code).toBe("self_approval");
    expect((await click("finn", card.id, approve)).ephemeral?.reply?.code).toBe("not_approver");
    clock.now = new Date("2026-03-02T09:30:00.000Z");
    const ok = await click("sam", card.id, approve);
    expect(flat(ok.updated[0]?.reply)).toMatch(/Approved by Sam at 2026-03-02 09:30 UTC/);

    const jobs = server.app.requests;
    if (!jobs) throw new Error("no requests runtime");
    expect((await jobs.port.store.get("1"))?.request.lease?.end).toBe("2026-03-05T09:30:00.000Z");
    clock.now = new Date("2026-03-05T09:29:00.000Z");
    await jobs.runLeaseJobs(clock.now);
    expect((await jobs.port.store.get("1"))?.request.state).toBe("reminded");
    clock.now = new Date("2026-03-05T09:30:00.000Z");
    await jobs.runLeaseJobs(clock.now);
    expect((await jobs.port.store.get("1"))?.request.state).toBe("expired");

    const exported = await command("lee", "requests export");
    const csv = exported.reply.attachment?.content ?? "";
    const rows = csv.trim().split("\n").slice(1);
    const events = rows.map((r) => r.split(",").slice(2, 4).join(" "));
    expect(events).toEqual([
      "created dana",
      "precheck gpuops",
      "submit dana",
      "refused dana",
      "refused finn",
      "approve sam",
      "act_start gpuops",
      "act_done gpuops",
      "lease_remind gpuops",
      "expire gpuops",
    ]);
    expect(csv).toMatch(/,2026-03-05T09:30:00\.000Z,expire,gpuops,,reminded,expired,lease ended 2026-03-05 09:30 UTC,dana,Dana,/);
  });
});
