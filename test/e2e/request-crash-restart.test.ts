/**
 * Crash between decision and action, for real: gpuops runs as a child process (node src/server.ts)
 * against a fake Azure and a fake Slack in this process. An approver clicks Approve; started from
 * test/support/crash-after-decision-server.ts the child SIGKILLs itself right after the decision is stored
 * and before any side effect. A restarted child finds the pending action, runs it exactly once
 * (each pool VM started once) and says so in the request's thread.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FakeAzure, startFakeAzure } from "../../src/fake-azure/server.ts";
import type { SlackBlock } from "../../src/render/slack.ts";
import { openStore } from "../../src/store/store.ts";
import { blockActionsBody, type FakeSlack, postSigned, slashCommandBody, startFakeSlack } from "../support/fake-slack.ts";
import { remoteAzureEnv } from "../support/remote-azure-env.ts";

const SECRET = "crash-test-signing-secret";
const SUB = "7d3a4b52-1c6e-4f0a-9b8e-2a5d6c7e8f90";
const DANA = "U0DANA001";
const SAM = "U0SAM0001";
const APPROVALS = "C0APPROVE1";
const GENERAL = "C0GENERAL1";
const ROOT = new URL("../..", import.meta.url).pathname;

interface Child {
  proc: ChildProcess;
  url: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output(): string;
}

function startChild(env: Record<string, string>, entry = "src/server.ts"): Promise<Child> {
  const proc = spawn(process.execPath, [join(ROOT, entry)], { cwd: ROOT, env: { PATH: process.env.PATH ?? "", ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on("exit", (code, signal) => resolve({ code, signal })));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`gpuops did not start:\n${out}`)), 30_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /gpuops is running[^:]*: (http:\/\/[^\s/]+)\//.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({ proc, url: m[1] as string, exited, output: () => out });
      }
    };
    proc.stdout?.on("data", onData);
    proc.stderr?.on("data", (d: Buffer) => {
      out += d.toString();
    });
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`gpuops exited before it was ready:\n${out}`));
    });
  });
}

/** Polls an async check until it yields a value. */
async function poll<T>(check: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > until) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

const buttonOf = (blocks: unknown, label: string) => {
  for (const b of (blocks ?? []) as SlackBlock[]) {
    if (b.type !== "actions") continue;
    const e = b.elements.find((x) => x.text.text === label);
    if (e) return { actionId: e.action_id, value: e.value };
  }
  throw new Error(`no ${label} button`);
};

describe("a crash between the decision and the action", () => {
  let azure: FakeAzure;
  let slack: FakeSlack;
  let dir: string;
  let env: Record<string, string>;
  const children: Child[] = [];

  beforeAll(async () => {
    azure = await startFakeAzure();
    slack = await startFakeSlack();
    azure.tenant.setUsage(SUB, "swedencentral", "StandardNCADSA100v4Family", 0, 96);
    azure.provisioning.addPoolVms({ subscriptionId: SUB, region: "swedencentral", size: "Standard_NC24ads_A100_v4", count: 2 });
    dir = mkdtempSync(join(tmpdir(), "gpuops-crash-"));
    env = {
      ...remoteAzureEnv(azure, dir),
      GPUOPS_DATA_DIR: dir,
      GPUOPS_SCHEDULER: "false",
      GPUOPS_CONSOLE: "off",
      GPUOPS_LOG_LEVEL: "warn",
      PORT: "0",
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: slack.botToken,
      SLACK_API_URL: slack.apiUrl,
      GPUOPS_SLACK_APPROVERS: SAM,
      GPUOPS_SLACK_APPROVAL_CHANNEL: APPROVALS,
      GPUOPS_APPROVAL_ACTION: "start-vms",
    };
  }, 30_000);

  afterAll(async () => {
    for (const c of children) c.proc.kill("SIGKILL");
    await slack?.close();
    await azure?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs the action once after a restart, and the thread shows it", async () => {
    const first = await startChild(env, "test/support/crash-after-decision-server.ts");
    children.push(first);

    const ask = await postSigned(
      first.url,
      SECRET,
      slashCommandBody({ text: "request 2 NC24ads_A100_v4 in swedencentral for 3d -- crash drill", userId: DANA, channelId: GENERAL, responseUrl: slack.responseUrl("ask") }),
    );
    const askBody = await ask.text();
    const pre = askBody
      ? ((JSON.parse(askBody) as { blocks?: unknown }).blocks ?? (await slack.waitFor(() => slack.responsesTo("ask")[0])).body.blocks)
      : (await slack.waitFor(() => slack.responsesTo("ask")[0])).body.blocks;
    const submit = buttonOf(pre, "Submit");
    await postSigned(first.url, SECRET, blockActionsBody({ ...submit, userId: DANA, channelId: GENERAL, isEphemeral: true, responseUrl: slack.responseUrl("submit") }));
    const card = await slack.waitFor(() => slack.callsOf("chat.postMessage").find((c) => c.args.channel === APPROVALS), 15_000);
    const approve = buttonOf(card.args.blocks, "Approve");
    // Where the card was posted (its ts), as the child recorded it.
    const ts = await poll(async () => {
      const store = await openStore({ dataDir: dir });
      try {
        const row = await store.db.selectFrom("gpu_request").select("messages").where("state", "=", "pending").executeTakeFirst();
        return row ? (JSON.parse(row.messages) as { approvers?: { messageId: string } }).approvers?.messageId : undefined;
      } finally {
        await store.close();
      }
    }, 15_000);

    await postSigned(first.url, SECRET, blockActionsBody({ ...approve, userId: SAM, channelId: APPROVALS, messageTs: ts, responseUrl: slack.responseUrl("approve") })).catch(
      () => undefined,
    );
    const died = await first.exited;
    expect(died.signal).toBe("SIGKILL");

    // The decision is stored; nothing touched Azure.
    const store = await openStore({ dataDir: dir });
    try {
      const row = await store.db.selectFrom("gpu_request").select(["id", "state"]).where("state", "=", "approved").executeTakeFirst();
      expect(row).toBeDefined();
      const effects = await store.db.selectFrom("gpu_request_effect").selectAll().execute();
      expect(effects).toEqual([expect.objectContaining({ key: `${row?.id}:act`, status: "pending", attempts: 0 })]);
    } finally {
      await store.close();
    }
    expect(azure.provisioning.calls).toHaveLength(0);

    const second = await startChild(env);
    children.push(second);
    await slack.waitFor(() => slack.callsOf("chat.postMessage").find((c) => c.args.thread_ts === ts && /Done: started 2 VMs/.test(JSON.stringify(c.args.blocks))), 20_000);
    const thread = slack
      .callsOf("chat.postMessage")
      .filter((c) => c.args.thread_ts === ts)
      .map((c) => JSON.stringify(c.args.blocks));
    // One post about the action in the thread: its outcome.
    expect(thread.filter((t) => /started 2 VMs/.test(t))).toHaveLength(1);
    const starts = azure.provisioning.calls.filter((c) => c.kind === "start");
    expect(starts.map((c) => c.target.split("/").at(-1)).sort()).toEqual(["gpu-pool-nc24ads-a100-v4-1", "gpu-pool-nc24ads-a100-v4-2"]);

    // A third start (another restart) finds nothing left to do.
    second.proc.kill("SIGTERM");
    await second.exited;
    const third = await startChild(env);
    children.push(third);
    await new Promise((r) => setTimeout(r, 500));
    expect(azure.provisioning.calls.filter((c) => c.kind === "start")).toHaveLength(2);
    third.proc.kill("SIGTERM");
    await third.exited;
  }, 90_000);
});
