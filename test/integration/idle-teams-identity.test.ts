/**
 * Idle-alert buttons through the real Teams door (Agents SDK CloudAdapter, local mode on
 * loopback): the owner is the person the roster says is behind the click (UPN of the member whose
 * AAD object id sent it), never the display name on the activity. A Teams user who calls
 * themselves by the owner tag is refused and the refusal is recorded; the real owner is not.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import type { ArmResource } from "../../src/fake-azure/demo-fleet.ts";
import { scanIdleOnce } from "../../src/jobs/idle-scan.ts";
import { createLogger } from "../../src/log.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { type FakeBotConnector, startFakeBotConnector } from "../support/fake-bot-connector.ts";
import { cardInvoke, installationAdd, PERSONAL_CONVERSATION, personalMessage, postActivity } from "../support/teams-activities.ts";

const dataDir = mkdtempSync(join(tmpdir(), "gpuops-idle-teams-"));
let server: RunningServer;
let connector: FakeBotConnector;
let target: ArmResource;

const powerOf = (r: ArmResource) => (r.properties.extended as { instanceView?: { powerState?: { code?: string } } } | undefined)?.instanceView?.powerState?.code;

beforeAll(async () => {
  connector = await startFakeBotConnector();
  const config = loadConfig({ PORT: "0", GPUOPS_DATA_DIR: dataDir, GPUOPS_CONSOLE: "off", GPUOPS_SCHEDULER: "false", GPUOPS_DEMO: "true" }, { cwd: dataDir });
  server = await startServer(config, { log: createLogger("silent") });
  const fake = server.app.fake;
  if (!fake) throw new Error("demo mode has a fake Azure");
  fake.fleet.knobs.graphQuota = { perWindow: 1e9, windowMs: 5000 };
  for (const r of fake.fleet.resources) fake.telemetry.set(r.id, { kind: "busy" });
  const vm = fake.fleet.resources.find(
    (r) =>
      r.type === "microsoft.compute/virtualmachines" &&
      powerOf(r) === "PowerState/running" &&
      /^Standard_N/.test(String((r.properties.hardwareProfile as { vmSize: string }).vmSize)) &&
      r.tags.owner,
  );
  if (!vm) throw new Error("no running GPU VM with an owner tag in the demo fleet");
  target = vm;
  fake.telemetry.set(target.id, { kind: "idle", parked: true }, Date.now() - 3 * 3600_000);
});
afterAll(async () => {
  await server?.close();
  await connector?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("idle alert buttons in Teams", () => {
  it("refuses a user whose display name equals the owner tag; accepts the owner the roster names", async () => {
    await postActivity(server.url, installationAdd(connector.url));
    const sub = await postActivity(server.url, { ...personalMessage(connector.url, "gpu subscribe idle"), deliveryMode: "expectReplies" });
    expect(JSON.stringify(sub.body)).toContain("Subscribed");
    const scanned = await scanIdleOnce(
      { store: server.app.store as NonNullable<RunningServer["app"]["store"]>, posting: server.app.posting, context: server.app.context },
      new Date(),
    );
    expect(scanned.posted).toBe(1);
    const db = server.app.store?.db;
    const alert = await db?.selectFrom("alert_message").select(["alert_id", "message_id", "channel_id"]).executeTakeFirstOrThrow();
    expect(alert?.channel_id).toBe(PERSONAL_CONVERSATION);
    const owner = String(target.tags.owner);

    // Mallory's Teams display name is the owner tag; the roster knows her real UPN.
    connector.setMember({ id: "29:mallory", name: owner, aadObjectId: "0f0f0f0f-1111-4222-8333-444455556666", userPrincipalName: "mallory@fabrikam.example" });
    const forged = {
      ...cardInvoke(connector.url, alert?.message_id as string, "idle.deallocate", { payload: { alert: alert?.alert_id } }),
      from: { id: "29:mallory", name: owner, aadObjectId: "0f0f0f0f-1111-4222-8333-444455556666" },
    };
    expect((await postActivity(server.url, forged)).status).toBe(200);
    const snooze = {
      ...cardInvoke(connector.url, alert?.message_id as string, "idle.snooze", { payload: { alert: alert?.alert_id, hours: 4 } }),
      from: { id: "29:mallory", name: owner, aadObjectId: "0f0f0f0f-1111-4222-8333-444455556666" },
    };
    expect((await postActivity(server.url, snooze)).status).toBe(200);
    let log = await db?.selectFrom("alert_action").select(["action", "actor_id", "detail"]).orderBy("id").execute();
    expect(log?.map((l) => [l.action, l.actor_id])).toEqual([
      ["refused", "0f0f0f0f-1111-4222-8333-444455556666"],
      ["refused", "0f0f0f0f-1111-4222-8333-444455556666"],
    ]);

    // The owner, whatever their display name, is the member whose UPN is the owner tag.
    connector.setMember({ id: "29:owner", name: "Someone", aadObjectId: "a1a1a1a1-2222-4333-8444-555566667777", userPrincipalName: owner });
    const real = {
      ...cardInvoke(connector.url, alert?.message_id as string, "idle.deallocate", { payload: { alert: alert?.alert_id } }),
      from: { id: "29:owner", name: "Someone", aadObjectId: "a1a1a1a1-2222-4333-8444-555566667777" },
    };
    expect((await postActivity(server.url, real)).status).toBe(200);
    log = await db?.selectFrom("alert_action").select(["action", "actor_id", "detail"]).orderBy("id").execute();
    expect(log?.at(-1)).toMatchObject({ action: "deallocate", actor_id: "a1a1a1a1-2222-4333-8444-555566667777", detail: "Asked to deallocate (as owner)" });
  });
});
