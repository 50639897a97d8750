/**
 * The GPU request store on both engines: conditional saves (a stale version writes nothing), the
 * audit log refusing UPDATE and DELETE, and side-effect claims (one taker; a lapsed claim can be
 * resumed; a finished one never runs again).
 */
import { sql } from "kysely";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRequest, DEFAULT_POLICY, transition } from "../../src/domain/gpu-request.ts";
import type { GpuRequestStorePort } from "../../src/services/ports.ts";
import { createGpuRequestStore } from "../../src/store/gpu-requests.ts";
import { openStore, type Store } from "../../src/store/store.ts";
import { type FreshDatabase, freshPostgres, freshSqlite } from "../support/fresh-database.ts";

const T0 = "2026-03-02T09:00:00.000Z";
const spec = { subscriptionId: "sub", region: "swedencentral", size: "Standard_NC24ads_A100_v4", vmCount: 1, gpus: 1, hours: 24, reason: 'a, "quoted"\nreason' };

describe.each([
  ["SQLite", freshSqlite as () => FreshDatabase | Promise<FreshDatabase>],
  ["PostgreSQL", () => freshPostgres("gpuops_reqstore")],
])("GPU request store (%s)", (_engine, fresh) => {
  let db: FreshDatabase;
  let store: Store;
  let requests: GpuRequestStorePort;

  beforeAll(async () => {
    db = await fresh();
    store = await openStore({ databaseUrl: db.databaseUrl, dataDir: db.dataDir });
    requests = createGpuRequestStore(store.db, DEFAULT_POLICY);
  });
  afterAll(async () => {
    await store?.close();
    await db?.drop();
  });

  it("saves a transition only from the version it was read at", async () => {
    const created = await requests.create((id) =>
      createRequest({ id, requester: { id: "dana" }, origin: { platform: "console", channelId: "local" }, spec, action: "none", at: T0 }, DEFAULT_POLICY),
    );
    const id = created.request.id;
    const t = transition(created.request, { type: "precheck", at: T0, result: { offered: true, fits: true, shortByVcpus: 0, lines: [] } }, DEFAULT_POLICY);
    if (!t.ok) throw new Error(t.reason);
    expect(await requests.save(id, 1, t.request, t.entry)).toBe(true);
    expect(await requests.save(id, 1, t.request, t.entry)).toBe(false);
    const back = await requests.get(id);
    expect(back).toMatchObject({ version: 2, request: { id, state: "prechecked", spec } });
    expect((await requests.history({ requestId: id })).map((e) => e.kind)).toEqual(["created", "precheck"]);
  });

  it("refuses to rewrite or delete the audit log", async () => {
    await expect(sql`UPDATE gpu_request_event SET detail = 'rewritten'`.execute(store.db)).rejects.toThrow(/append-only/);
    await expect(sql`DELETE FROM gpu_request_event`.execute(store.db)).rejects.toThrow(/append-only/);
    expect((await requests.history({})).length).toBeGreaterThan(0);
  });

  it("gives a side effect to one taker, lets a lapsed claim be resumed, and never reruns a finished one", async () => {
    const created = await requests.create((id) =>
      createRequest({ id, requester: { id: "dana" }, origin: { platform: "console", channelId: "local" }, spec, action: "none", at: T0 }, DEFAULT_POLICY),
    );
    const id = created.request.id;
    const t = transition(created.request, { type: "precheck", at: T0, result: { offered: true, fits: true, shortByVcpus: 0, lines: [] } }, DEFAULT_POLICY);
    if (!t.ok) throw new Error(t.reason);
    expect(await requests.save(id, 1, t.request, t.entry, [{ key: `${id}:act`, kind: "act" }])).toBe(true);
    const now = new Date(T0);
    const takers = await Promise.all(["a", "b", "c", "d"].map((owner) => requests.claimEffect(`${id}:act`, owner, now, 60_000)));
    expect(takers.filter(Boolean)).toHaveLength(1);
    const winner = takers.find(Boolean);
    expect(winner).toMatchObject({ status: "running", attempts: 1 });
    await requests.savePlan(`${id}:act`, "intruder", { vms: ["x"] });
    expect((await requests.effect(`${id}:act`))?.plan).toBeNull();
    const later = new Date(now.getTime() + 61_000);
    expect((await requests.openEffects(later)).map((e) => e.key)).toContain(`${id}:act`);
    const resumed = await requests.claimEffect(`${id}:act`, "e", later, 60_000);
    expect(resumed).toMatchObject({ attempts: 2 });
    await requests.finishEffect(`${id}:act`, "e", "done", "ok", later);
    expect(await requests.claimEffect(`${id}:act`, "f", new Date(later.getTime() + 3600_000), 60_000)).toBeUndefined();
  });
});
