/**
 * Idle longer than the telemetry look-back: the idle scan records each episode in the store, so
 * `idle` and the digest count from the start gpuops watched (exact, no ">"), while the one-shot
 * CLI without a store still says the run reaches past its data (a lower bound). The real app over
 * the fake Azure (Resource Graph, Monitor metrics with scripted GPU telemetry, Retail Prices) on a
 * fake clock; the truth (idle start and money) is recomputed here from the fake's own samples and
 * list prices, not from the code under test.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type App, createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { DEFAULT_IDLE_POLICY, DEFAULT_IDLE_SETTINGS } from "../../src/domain/idle-rule.ts";
import { type ArmResource, listPriceUsd } from "../../src/fake-azure/demo-fleet.ts";
import { scanIdleOnce } from "../../src/jobs/idle-scan.ts";
import type { Reply, TablePart } from "../../src/reply/reply.ts";
import { cliRequest } from "../support/demo-app.ts";
import { type DigestWorld, startDigestWorld } from "../support/digest-world.ts";
import { type FreshDatabase, freshPostgres, freshSqlite } from "../support/fresh-database.ts";
import { runCommand } from "../support/router.ts";

const START = "2026-03-02T08:00:00Z";
const MIN = 60_000;
const HOUR = 3_600_000;
const CHANNEL = "C0IDLE";
const LOOKBACK = DEFAULT_IDLE_SETTINGS.lookbackSeconds * 1000;

let world: DigestWorld;
let target: ArmResource;
let cli: App | undefined;
let db: FreshDatabase;

const t = (minutes: number) => Date.parse(START) + minutes * MIN;
const powerOf = (r: ArmResource) => (r.properties.extended as { instanceView?: { powerState?: { code?: string } } } | undefined)?.instanceView?.powerState?.code;
const sizeOf = (r: ArmResource) => String((r.properties.hardwareProfile as { vmSize: string }).vmSize);
const tableOf = (r: Reply, title?: string) => r.parts.find((p): p is TablePart => p.kind === "table" && (title === undefined || p.title === title));

interface Entry {
  name: string;
  resourceId: string;
  idleSince: string;
  idleSeconds: number;
  lowerBound: boolean;
  idleSinceFrom: string;
  vms: number;
  burntSoFar: { amount: number; currency: string } | null;
}

/** The first minute of the idle run reaching `now`, from the fake's raw samples. */
function trueIdleStart(resourceId: string, now: number): number {
  for (let minute = Math.floor(now / MIN) * MIN - MIN; ; minute -= MIN) {
    const s = world.fake.telemetry.sample(resourceId, minute);
    if (!s || s.util >= DEFAULT_IDLE_POLICY.utilPercent) return minute + MIN;
  }
}

/** One idle scan at `minutes`, as the scheduler's job runs it. */
async function scanAt(minutes: number): Promise<void> {
  await world.clock.advanceTo(new Date(t(minutes)));
  const app = world.app();
  await scanIdleOnce({ store: app.store as NonNullable<typeof app.store>, posting: app.posting, context: app.context }, new Date(t(minutes)));
}

function entryOf(r: Reply): { entry: Entry; row: Record<string, string> } {
  const entry = ((r.data?.entries ?? []) as Entry[]).find((e) => e.resourceId === target.id);
  const row = tableOf(r)?.rows.find((x) => x.name === entry?.name);
  if (!entry || !row) throw new Error(`${target.name} is not in the idle answer: ${r.title}`);
  return { entry, row: row as Record<string, string> };
}

/** The CLI's one-shot app: same fake Azure and clock, no store. */
async function cliIdle(): Promise<Reply> {
  cli ??= await createApp(
    loadConfig({
      GPUOPS_DEMO: "true",
      GPUOPS_DATA_DIR: ":memory:",
      GPUOPS_REGIONS: "eastus,swedencentral",
      GPUOPS_LOG_LEVEL: "silent",
      GPUOPS_TIMEZONE: "UTC",
      GPUOPS_AZURE_MAX_RETRY_WAIT: "5",
    }),
    { fake: world.fake, withStore: false, now: () => world.clock.now() },
  );
  return runCommand(cliRequest("idle"), cli.context());
}

async function setUp(engine: "sqlite" | "postgres"): Promise<void> {
  db = engine === "postgres" ? await freshPostgres("gpuops_idle_watch") : freshSqlite();
  world = await startDigestWorld(START, { db, env: { GPUOPS_TIMEZONE: "UTC" } });
  // Every resource busy, then one GPU VM with a list price goes idle at START.
  for (const r of world.fake.fleet.resources) world.fake.telemetry.set(r.id, { kind: "busy" });
  const candidate = world.fake.fleet.resources.find(
    (r) =>
      r.type === "microsoft.compute/virtualmachines" && powerOf(r) === "PowerState/running" && /^Standard_N/.test(sizeOf(r)) && listPriceUsd(sizeOf(r), r.location) !== undefined,
  );
  if (!candidate) throw new Error("the demo fleet has no running GPU VM with a list price");
  target = candidate;
  world.fake.telemetry.set(target.id, { kind: "idle" }, t(0));
  await world.boot({ platforms: ["slack"] });
  expect((await world.say("slack", CHANNEL, "subscribe idle")).outcome).toBe("ok");
}

async function tearDown(): Promise<void> {
  await cli?.close();
  cli = undefined;
  await world.close();
  await db.drop();
}

function suite(engine: "sqlite" | "postgres") {
  beforeEach(() => setUp(engine));
  afterEach(() => tearDown());

  it("a VM idle longer than the look-back: exact since and money from the watched start; without a store, a lower bound", async () => {
    await scanAt(75); // the scan sees the episode begin (inside the look-back) and records it
    await scanAt(75 + 20 * 60); // and sees it idle again 20 h later
    const now = t(75 + 40 * 60); // 41 h 15 min idle: far past the 26 h look-back
    await world.clock.advanceTo(new Date(now));

    const start = trueIdleStart(target.id, now);
    expect(start).toBe(t(0));
    expect(now - start).toBeGreaterThan(LOOKBACK);
    const price = listPriceUsd(sizeOf(target), target.location) as number;
    const exactMoney = ((now - start) / HOUR) * price;

    const answer = await world.say("slack", CHANNEL, "idle");
    const { entry, row } = entryOf(answer);
    expect(entry.idleSince).toBe(new Date(start).toISOString());
    expect(entry.idleSeconds).toBe((now - start) / 1000);
    expect(entry.lowerBound).toBe(false);
    expect(entry.idleSinceFrom).toBe("idle-scan");
    expect(entry.vms).toBe(1);
    expect(entry.burntSoFar?.currency).toBe("USD");
    expect(entry.burntSoFar?.amount).toBeCloseTo(exactMoney, 6);
    expect(answer.data?.burntSoFarIsLowerBound).toBe(false);
    expect(row.since).toBe("Mon 08:00 (41 h 15 min)");
    expect(row.soFar).toBe(`$${exactMoney.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`);
    expect(answer.title).not.toContain(">");
    expect(answer.context?.join(" ")).toContain("gpuops' own idle scans");

    // The digest's idle section reads the same episodes.
    const digest = await world.say("slack", CHANNEL, "digest");
    const idleRow = tableOf(digest, "GPU VMs idle more than 24 h")?.rows.find((x) => x.name === target.name);
    expect(idleRow?.idle).toBe("41 h");
    expect(idleRow?.wasted).toBe(row.soFar);

    // The alert the scan keeps up to date shows the same start.
    await scanAt(75 + 40 * 60);
    const alert = world.posters.slack.posts.filter((p) => p.kind === "update").at(-1);
    const facts = alert?.reply.parts.find((p) => p.kind === "facts");
    expect(facts?.kind === "facts" && facts.facts.find((f) => f.label === "Idle since")?.value).toBe("Mon 08:00 (41 h 15 min)");
    expect(facts?.kind === "facts" && facts.facts.find((f) => f.label === "Burnt so far")?.value).toBe(row.soFar);

    // The one-shot CLI has no store: the run reaches past its data, and says so.
    const bare = await cliIdle();
    const b = entryOf(bare);
    expect(b.entry.lowerBound).toBe(true);
    expect(b.entry.idleSinceFrom).toBe("telemetry");
    expect(Date.parse(b.entry.idleSince)).toBeGreaterThan(start);
    expect(Date.parse(b.entry.idleSince)).toBeLessThanOrEqual(now - LOOKBACK);
    expect(b.entry.burntSoFar?.amount).toBeLessThan(exactMoney);
    expect(bare.data?.burntSoFarIsLowerBound).toBe(true);
    expect(b.row.since).toMatch(/^before .*\(> /);
    expect(b.row.soFar).toMatch(/^> \$/);
  });

  if (engine === "postgres") return;

  it("with no channel subscribed to alerts the scans still keep the episode, and `idle` counts from it", async () => {
    expect((await world.say("slack", CHANNEL, "unsubscribe idle")).outcome).toBe("ok");
    await scanAt(75);
    await scanAt(75 + 20 * 60);
    const now = t(75 + 40 * 60);
    await world.clock.advanceTo(new Date(now));
    const start = trueIdleStart(target.id, now);
    const { entry, row } = entryOf(await world.say("slack", CHANNEL, "idle"));
    expect(entry.idleSince).toBe(new Date(start).toISOString());
    expect(entry.lowerBound).toBe(false);
    expect(row.soFar).not.toMatch(/^>/);
    expect(world.posters.slack.posts).toHaveLength(0);
  });

  it("an episode the scans stopped watching before the look-back began stays a lower bound", async () => {
    await scanAt(75); // recorded, then gpuops sees nothing for 30 h
    const now = t(75 + 30 * 60);
    await world.clock.advanceTo(new Date(now));
    const { entry, row } = entryOf(await world.say("slack", CHANNEL, "idle"));
    // The record began earlier, but nothing watched the VM between its last scan and the data: it may have worked then.
    expect(entry.lowerBound).toBe(true);
    expect(entry.idleSinceFrom).toBe("telemetry");
    expect(Date.parse(entry.idleSince)).toBeLessThanOrEqual(now - LOOKBACK);
    expect(row.soFar).toMatch(/^> \$/);
  });
}

describe("idle episodes kept across scans (SQLite)", () => suite("sqlite"));

describe("idle episodes kept across scans (PostgreSQL: the same read of open episodes)", () => suite("postgres"));
