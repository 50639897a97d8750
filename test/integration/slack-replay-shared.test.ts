/**
 * The Slack replay guard across replicas: two gpuops servers (real Bolt receivers over HTTP) on one
 * store, as behind a load balancer. A signed request replayed to the other replica is refused; a
 * tampered copy carrying the genuine signature is refused without spending that signature; a
 * timestamp from the future is refused.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/log.ts";
import { type RunningServer, startServer } from "../../src/server.ts";
import { createSlackRequestLedger, REMEMBER_MS } from "../../src/store/slack-requests.ts";
import { openStore } from "../../src/store/store.ts";
import { type FakeSlack, postSigned, signSlackRequest, slashCommandBody, startFakeSlack } from "../support/fake-slack.ts";
import { freshPostgres, freshSqlite } from "../support/fresh-database.ts";

const SECRET = "test-signing-secret-replicas";
const dataDir = mkdtempSync(join(tmpdir(), "gpuops-slack-replay-"));
let fake: FakeSlack;
let a: RunningServer;
let b: RunningServer;

async function replica(): Promise<RunningServer> {
  const config = loadConfig(
    {
      GPUOPS_DEMO: "true",
      GPUOPS_DATA_DIR: dataDir,
      GPUOPS_CONSOLE: "off",
      GPUOPS_SCHEDULER: "false",
      PORT: "0",
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_BOT_TOKEN: fake.botToken,
      SLACK_API_URL: fake.apiUrl,
    },
    { cwd: dataDir },
  );
  return startServer(config, { log: createLogger("silent") });
}

beforeAll(async () => {
  fake = await startFakeSlack();
  a = await replica();
  b = await replica();
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  await fake?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const send = (server: RunningServer, headers: Record<string, string>, body: string) =>
  fetch(`${server.url}/slack/events`, { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", ...headers }, body });
const azureCalls = () => (a.app.fake?.requests.length ?? 0) + (b.app.fake?.requests.length ?? 0);
const settle = () => new Promise((r) => setTimeout(r, 150));

describe("Slack replay guard shared by replicas", () => {
  it("refuses the same signed request replayed to a second replica on the same store", async () => {
    const body = slashCommandBody({ text: "quota westus", responseUrl: fake.responseUrl("two-replicas") });
    const headers = signSlackRequest(SECRET, body, Math.floor(Date.now() / 1000));
    const first = await send(a, headers, body);
    expect(first.status).toBe(200);
    expect(JSON.stringify(await first.json())).toContain("westus");
    await settle();
    const before = azureCalls();
    const again = await send(b, headers, body);
    expect(again.status).toBe(401);
    await settle();
    expect(azureCalls()).toBe(before);
    expect(a.slack?.stats().replays ?? 0).toBe(0);
    expect(b.slack?.stats().replays).toBe(1);
  });

  it("a tampered body with a copied signature is refused and the genuine request still runs", async () => {
    const body = slashCommandBody({ text: "quota westus", responseUrl: fake.responseUrl("genuine") });
    const headers = signSlackRequest(SECRET, body, Math.floor(Date.now() / 1000));
    const tampered = body.replace("quota+westus", "quota+eastus");
    expect(tampered).not.toBe(body);
    const forged = await send(a, headers, tampered);
    expect(forged.status).toBe(401);
    const genuine = await send(a, headers, body);
    expect(genuine.status).toBe(200);
    expect(JSON.stringify(await genuine.json())).toContain("westus");
  });

  it("refuses a correctly signed request stamped more than 5 minutes in the future", async () => {
    const before = azureCalls();
    const future = Math.floor(Date.now() / 1000) + 6 * 60;
    const res = await postSigned(a.url, SECRET, slashCommandBody({ text: "quota westus", responseUrl: fake.responseUrl("future") }), { timestamp: future });
    expect(res.status).toBe(401);
    await settle();
    expect(azureCalls()).toBe(before);
    expect(fake.responsesTo("future")).toHaveLength(0);
    // Slightly ahead (clock skew) is still fine.
    const near = await postSigned(a.url, SECRET, slashCommandBody({ text: "help", responseUrl: fake.responseUrl("near") }), { timestamp: Math.floor(Date.now() / 1000) + 30 });
    expect(near.status).toBe(200);
  });
});

describe.each(["sqlite", "postgres"] as const)("seen-request ledger on %s", (engine) => {
  it("one request's keys go in together, each answered for itself, and two replicas never both see one first", async () => {
    const where = engine === "sqlite" ? freshSqlite() : await freshPostgres("gpuops_seen_batch");
    const one = await openStore({ databaseUrl: where.databaseUrl, dataDir: where.dataDir });
    const two = await openStore({ databaseUrl: where.databaseUrl, dataDir: where.dataDir });
    try {
      const t0 = new Date("2026-12-01T10:00:00.000Z");
      const [l1, l2] = [createSlackRequestLedger(one.db), createSlackRequestLedger(two.db)];
      expect(await l1.firstSights(["sig:v0=a", "command:1.1"], t0)).toEqual([true, true]);
      // A fresh signature on the same command (a retry, a replay): only the signature is new.
      expect(await l2.firstSights(["sig:v0=b", "command:1.1"], t0)).toEqual([true, false]);
      expect(await l2.firstSights(["sig:v0=a", "command:2.2"], t0)).toEqual([false, true]);
      const race = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? l1 : l2).firstSights([`sig:v0=r${i}`, "command:3.3"], t0)));
      expect(race.map((r) => r[0])).toEqual(Array(10).fill(true));
      expect(race.filter((r) => r[1])).toHaveLength(1);
      expect(await l1.firstSights([], t0)).toEqual([]);
    } finally {
      await one.close();
      await two.close();
      await where.drop();
    }
  });

  it("one of two stores on one database sees a key first; it is forgotten after the window", async () => {
    const where = engine === "sqlite" ? freshSqlite() : await freshPostgres("gpuops_seen");
    const one = await openStore({ databaseUrl: where.databaseUrl, dataDir: where.dataDir });
    const two = await openStore({ databaseUrl: where.databaseUrl, dataDir: where.dataDir });
    try {
      const t0 = new Date("2026-12-01T10:00:00.000Z");
      const [l1, l2] = [createSlackRequestLedger(one.db), createSlackRequestLedger(two.db)];
      const firsts = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? l1 : l2).firstSight("sig:v0=abc", t0)));
      expect(firsts.filter(Boolean)).toHaveLength(1);
      expect(await l2.firstSight("command:123.456", t0)).toBe(true);
      const later = new Date(t0.getTime() + REMEMBER_MS + 61_000);
      expect(await l1.firstSight("sig:v0=other", later)).toBe(true);
      expect(await l1.firstSight("sig:v0=abc", later)).toBe(true);
    } finally {
      await one.close();
      await two.close();
      await where.drop();
    }
  });
});
