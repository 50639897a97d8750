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

  /** A new request with its action's side effect pending; returns its id. */
  async function approvedWithEffect(): Promise<string> {
    const created = await requests.create((id) =>
      createRequest({ id, requester: { id: "dana" }, origin: { platform: "console", channelId: "local" }, spec, action: "start-vms", at: T0 }, DEFAULT_POLICY),
    );
    const id = created.request.id;
    const t = transition(created.request, { type: "precheck", at: T0, result: { offered: true, fits: true, shortByVcpus: 0, lines: [] } }, DEFAULT_POLICY);
    if (!t.ok) throw new Error(t.reason);
    expect(await requests.save(id, 1, t.request, t.entry, [{ key: `${id}:act`, kind: "act" }])).toBe(true);
    return id;
  }

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

  it("keeps a claim alive only for its holder (heartbeat)", async () => {
    const id = await approvedWithEffect();
    const now = new Date(T0);
    expect(await requests.claimEffect(`${id}:act`, "a", now, 1_000)).toBeDefined();
    expect(await requests.renewEffect(`${id}:act`, "a", new Date(now.getTime() + 900), 1_000)).toBe(true);
    // Renewed: past the first claim's end it is still held.
    expect(await requests.claimEffect(`${id}:act`, "b", new Date(now.getTime() + 1_500), 1_000)).toBeUndefined();
    expect(await requests.renewEffect(`${id}:act`, "b", new Date(now.getTime() + 1_500), 1_000)).toBe(false);
  });

  it("reserves each pool VM for one request only, even when requests reserve at once, and frees only a request's own", async () => {
    const ids = await Promise.all([approvedWithEffect(), approvedWithEffect(), approvedWithEffect()]);
    const now = new Date(T0);
    for (const id of ids) expect(await requests.claimEffect(`${id}:act`, `owner-${id}`, now, 60_000)).toBeDefined();
    const pool = ["vm-1", "vm-2", "vm-3", "vm-4", "vm-5"].map((name) => ({ resourceGroup: "RG-Pool", name }));
    const got = await Promise.all(ids.map((id) => requests.reservePoolVms(`${id}:act`, `owner-${id}`, id, "sub", pool, 2, now)));
    const granted = got.filter((g) => g !== undefined);
    // Five VMs, three requests of two: two are served, with different VMs; the third holds nothing.
    expect(granted).toHaveLength(2);
    const names = granted.flatMap((g) => g.map((v) => v.name));
    expect(new Set(names).size).toBe(4);
    const refused = ids[got.findIndex((g) => g === undefined)] as string;
    const claims = await requests.poolVmClaims();
    expect(claims.filter((c) => c.requestId === refused)).toEqual([]);
    expect(claims).toHaveLength(4);
    // The plan is what was reserved, saved in the same transaction.
    const servedId = ids[got.findIndex((g) => g !== undefined)] as string;
    expect((await requests.effect(`${servedId}:act`))?.plan).toEqual({ vms: got[ids.indexOf(servedId)] });
    // A VM is the same VM whatever the case of its resource group.
    const shouted = pool.map((v) => ({ resourceGroup: v.resourceGroup.toUpperCase(), name: v.name.toUpperCase() }));
    expect(await requests.reservePoolVms(`${refused}:act`, `owner-${refused}`, refused, "sub", shouted, 2, now)).toBeUndefined();
    // Not the claim's holder: nothing is reserved.
    expect(await requests.reservePoolVms(`${refused}:act`, "intruder", refused, "sub", pool, 1, now)).toBeUndefined();
    expect(await requests.releasePoolVms(servedId)).toBe(2);
    const after = await requests.poolVmClaims();
    expect(after).toHaveLength(2);
    expect(after.every((c) => c.requestId !== servedId)).toBe(true);
    await requests.releasePoolVms(ids.find((i) => i !== servedId && i !== refused) as string);
  });

  it("refuses replacing or truncating the audit log", async () => {
    const before = await requests.history({});
    const first = (await store.db.selectFrom("gpu_request_event").selectAll().orderBy("id").executeTakeFirstOrThrow()) as Record<string, unknown>;
    if (store.engine === "sqlite") {
      await expect(
        sql`INSERT OR REPLACE INTO gpu_request_event (id, request_id, seq, kind, actor_id, actor_name, at, from_state, to_state, detail)
            VALUES (${first.id}, ${first.request_id}, ${first.seq}, ${first.kind}, 'mallory', 'Mallory', ${first.at}, ${first.from_state}, ${first.to_state}, ${first.detail})`.execute(
          store.db,
        ),
      ).rejects.toThrow(/append-only/);
      await expect(
        sql`REPLACE INTO gpu_request_event (request_id, seq, kind, actor_id, actor_name, at, from_state, to_state, detail)
            VALUES (${first.request_id}, ${first.seq}, ${first.kind}, 'mallory', 'Mallory', ${first.at}, ${first.from_state}, ${first.to_state}, ${first.detail})`.execute(
          store.db,
        ),
      ).rejects.toThrow(/append-only/);
    } else {
      await expect(sql`TRUNCATE gpu_request_event`.execute(store.db)).rejects.toThrow(/append-only/);
      await expect(sql`TRUNCATE gpu_request, gpu_request_event, lease, gpu_request_effect, pool_vm_claim`.execute(store.db)).rejects.toThrow(/append-only/);
    }
    expect(await requests.history({})).toEqual(before);
  });
});
