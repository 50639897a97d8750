/**
 * The GPU request store over Kysely (SQLite or PostgreSQL, same queries). A transition is one
 * transaction: a conditional UPDATE on the version (so of 50 concurrent Approve clicks exactly
 * one lands), the audit event with seq = the new version (unique, a second line of defence), the
 * lease row, and the side effects the transition starts (one row per idempotency key).
 */
import type { Kysely, Transaction } from "kysely";
import { type AuditEntry, type GpuRequest, LEASE_STATES, nextDueAt, type RequestPolicy } from "../domain/gpu-request.ts";
import { GpuopsError } from "../errors.ts";
import type { AuditRow, GpuRequestStorePort, PoolVmRef, RequestMessages, SideEffect, StoredRequest } from "../services/ports.ts";
import { isUniqueViolation } from "./errors.ts";
import type { Database, GpuRequestEffectTable, GpuRequestTable } from "./schema.ts";

/** The key a pool VM is reserved under: one per VM, whatever its spelling in ARM. */
const vmKey = (subscriptionId: string, vm: PoolVmRef) => `${subscriptionId}/${vm.resourceGroup}/${vm.name}`.toLowerCase();

/** Request ids are the store's integers; anything else is not a request. */
function rowId(id: string): number | undefined {
  return /^\d{1,12}$/.test(id) ? Number(id) : undefined;
}

type RequestRow = Pick<GpuRequestTable, "data" | "messages" | "version"> & { id: number };

function hydrate(row: RequestRow): StoredRequest {
  const request = { ...(JSON.parse(row.data) as Omit<GpuRequest, "id">), id: String(row.id) } as GpuRequest;
  return { request, version: Number(row.version), messages: JSON.parse(row.messages) as RequestMessages };
}

function effectOf(row: GpuRequestEffectTable): SideEffect {
  return {
    key: row.key,
    requestId: String(row.request_id),
    kind: row.kind as SideEffect["kind"],
    status: row.status as SideEffect["status"],
    attempts: Number(row.attempts),
    plan: row.plan ? (JSON.parse(row.plan) as Record<string, unknown>) : null,
    result: row.result,
  };
}

const dataOf = (request: GpuRequest): string => {
  const { id: _id, ...rest } = request;
  return JSON.stringify(rest);
};

function columnsOf(request: GpuRequest, policy: RequestPolicy) {
  return {
    state: request.state,
    requester_id: request.requester.id,
    requester_name: request.requester.name ?? null,
    platform: request.origin.platform,
    subscription_id: request.spec.subscriptionId,
    region: request.spec.region,
    size: request.spec.size,
    vm_count: request.spec.vmCount,
    gpus: request.spec.gpus,
    hours: request.spec.hours,
    action: request.action,
    created_at: request.createdAt,
    updated_at: request.updatedAt,
    next_due_at: nextDueAt(request, policy) ?? null,
    data: dataOf(request),
  };
}

async function appendEvent(trx: Transaction<Database> | Kysely<Database>, requestId: number, seq: number | null, entry: AuditEntry): Promise<void> {
  await trx
    .insertInto("gpu_request_event")
    .values({
      request_id: requestId,
      seq,
      kind: entry.kind,
      actor_id: entry.actor,
      actor_name: entry.actorName ?? null,
      at: entry.at,
      from_state: entry.from,
      to_state: entry.to,
      detail: entry.detail,
    })
    .execute();
}

async function syncLease(trx: Transaction<Database>, requestId: number, request: GpuRequest): Promise<void> {
  if (!request.lease) return;
  const status = LEASE_STATES.has(request.state) ? "active" : request.state === "released" ? "released" : "expired";
  const row = { start_at: request.lease.start, end_at: request.lease.end, extensions: request.lease.extensions, status, updated_at: request.updatedAt };
  await trx
    .insertInto("lease")
    .values({ request_id: requestId, ...row })
    .onConflict((oc) => oc.column("request_id").doUpdateSet(row))
    .execute();
}

/** Store failures become one kind error naming what could not be done. */
const wrap = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof GpuopsError) throw err;
    throw new GpuopsError("store_error", `Could not ${what}`, { cause: err });
  }
};

/** Creating and changing requests: each change is one transaction with its audit event, lease and effects. */
function requestWrites(db: Kysely<Database>, policy: RequestPolicy): Pick<GpuRequestStorePort, "create" | "save" | "refuse" | "setMessages"> {
  return {
    create: (make) =>
      wrap("store the GPU request", () =>
        db.transaction().execute(async (trx) => {
          // Insert a placeholder to get the id, then write the request that carries it.
          const placeholder = make("0");
          const inserted = await trx
            .insertInto("gpu_request")
            .values({ version: 1, ...columnsOf(placeholder.request, policy), messages: "{}" })
            .returning("id")
            .executeTakeFirstOrThrow();
          const id = Number(inserted.id);
          const { request, entry } = make(String(id));
          await trx
            .updateTable("gpu_request")
            .set({ ...columnsOf(request, policy) })
            .where("id", "=", id)
            .execute();
          await appendEvent(trx, id, 1, entry);
          return { request, version: 1, messages: {} };
        }),
      ),

    async save(id, expectedVersion, request, entry, effects = []) {
      const n = rowId(id);
      if (n === undefined) return false;
      try {
        return await db.transaction().execute(async (trx) => {
          const r = await trx
            .updateTable("gpu_request")
            .set({ ...columnsOf(request, policy), version: expectedVersion + 1 })
            .where("id", "=", n)
            .where("version", "=", expectedVersion)
            .executeTakeFirst();
          if (Number(r.numUpdatedRows) !== 1) return false;
          await appendEvent(trx, n, expectedVersion + 1, entry);
          await syncLease(trx, n, request);
          for (const e of effects) {
            await trx
              .insertInto("gpu_request_effect")
              .values({
                key: e.key,
                request_id: n,
                kind: e.kind,
                status: "pending",
                attempts: 0,
                claimed_by: null,
                claimed_until: null,
                plan: null,
                result: null,
                created_at: entry.at,
                updated_at: entry.at,
              })
              .onConflict((oc) => oc.column("key").doNothing())
              .execute();
          }
          return true;
        });
      } catch (err) {
        // A unique (request, seq) clash means another writer won this version: a lost race, not a fault.
        if (isUniqueViolation(err)) return false;
        throw new GpuopsError("store_error", "Could not save the GPU request", { cause: err });
      }
    },

    async refuse(id, entry) {
      const n = rowId(id);
      if (n === undefined) return;
      await wrap("record the refusal", () => appendEvent(db, n, null, entry));
    },

    async setMessages(id, messages) {
      const n = rowId(id);
      if (n === undefined) return;
      await wrap("record where the request was posted", () =>
        db
          .updateTable("gpu_request")
          .set({ messages: JSON.stringify(messages) })
          .where("id", "=", n)
          .execute(),
      );
    },
  };
}

/** Reading requests, their history and what is due. */
function requestReads(db: Kysely<Database>): Pick<GpuRequestStorePort, "get" | "list" | "history" | "due"> {
  return {
    async get(id) {
      const n = rowId(id);
      if (n === undefined) return undefined;
      const row = await wrap("read the GPU request", () => db.selectFrom("gpu_request").select(["id", "data", "messages", "version"]).where("id", "=", n).executeTakeFirst());
      return row ? hydrate(row) : undefined;
    },

    async list(filter) {
      let q = db.selectFrom("gpu_request").select(["id", "data", "messages", "version"]).orderBy("id", "desc");
      if (filter.requesterId !== undefined) q = q.where("requester_id", "=", filter.requesterId);
      if (filter.states && filter.states.length > 0) q = q.where("state", "in", [...filter.states]);
      if (filter.limit !== undefined) q = q.limit(filter.limit);
      const rows = await wrap("list GPU requests", () => q.execute());
      return rows.map(hydrate);
    },

    async history(filter) {
      let q = db.selectFrom("gpu_request_event").selectAll().orderBy("id", "asc");
      if (filter.requestId !== undefined) {
        const n = rowId(filter.requestId);
        if (n === undefined) return [];
        q = q.where("request_id", "=", n);
      }
      const rows = await wrap("read the audit log", () => q.execute());
      return rows.map((r): AuditRow => {
        const row: AuditRow = {
          requestId: String(r.request_id),
          kind: r.kind as AuditRow["kind"],
          actor: r.actor_id,
          at: r.at,
          from: r.from_state as AuditRow["from"],
          to: r.to_state as AuditRow["to"],
          detail: r.detail,
        };
        if (r.actor_name !== null) row.actorName = r.actor_name;
        return row;
      });
    },

    async due(now) {
      const iso = now.toISOString();
      const rows = await wrap("find due GPU requests", () =>
        db
          .selectFrom("gpu_request")
          .select(["id", "data", "messages", "version"])
          .where((eb) => eb.or([eb.and([eb("next_due_at", "is not", null), eb("next_due_at", "<=", iso)]), eb("state", "in", ["approved", "acting"])]))
          .orderBy("id", "asc")
          .execute(),
      );
      return rows.map(hydrate);
    },
  };
}

/** Side effects claimed once (idempotency key + owner + lease), planned, finished or released. */
function effectClaims(db: Kysely<Database>): Pick<GpuRequestStorePort, "claimEffect" | "savePlan" | "finishEffect" | "releaseEffect" | "effect" | "renewEffect" | "openEffects"> {
  return {
    async claimEffect(key, owner, now, ttlMs) {
      const iso = now.toISOString();
      const until = new Date(now.getTime() + ttlMs).toISOString();
      return wrap("claim a side effect", async () => {
        const r = await db
          .updateTable("gpu_request_effect")
          .set((eb) => ({ status: "running", claimed_by: owner, claimed_until: until, attempts: eb("attempts", "+", 1), updated_at: iso }))
          .where("key", "=", key)
          .where("status", "in", ["pending", "running"])
          .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", iso)]))
          .executeTakeFirst();
        if (Number(r.numUpdatedRows) !== 1) return undefined;
        const row = await db.selectFrom("gpu_request_effect").selectAll().where("key", "=", key).executeTakeFirstOrThrow();
        return effectOf(row);
      });
    },

    async savePlan(key, owner, plan) {
      await wrap("save a side effect's plan", () =>
        db
          .updateTable("gpu_request_effect")
          .set({ plan: JSON.stringify(plan) })
          .where("key", "=", key)
          .where("claimed_by", "=", owner)
          .execute(),
      );
    },

    async finishEffect(key, owner, status, result, now) {
      await wrap("finish a side effect", () =>
        db
          .updateTable("gpu_request_effect")
          .set({ status, result, claimed_until: null, updated_at: now.toISOString() })
          .where("key", "=", key)
          .where("claimed_by", "=", owner)
          .execute(),
      );
    },

    async releaseEffect(key, owner, now) {
      await wrap("release a side effect", () =>
        db
          .updateTable("gpu_request_effect")
          .set({ claimed_until: now.toISOString(), updated_at: now.toISOString() })
          .where("key", "=", key)
          .where("claimed_by", "=", owner)
          .execute(),
      );
    },

    async effect(key) {
      const row = await wrap("read a side effect", () => db.selectFrom("gpu_request_effect").selectAll().where("key", "=", key).executeTakeFirst());
      return row ? effectOf(row) : undefined;
    },

    async renewEffect(key, owner, now, ttlMs) {
      const until = new Date(now.getTime() + ttlMs).toISOString();
      const r = await wrap("renew a side effect's claim", () =>
        db
          .updateTable("gpu_request_effect")
          .set({ claimed_until: until })
          .where("key", "=", key)
          .where("claimed_by", "=", owner)
          .where("status", "=", "running")
          .executeTakeFirst(),
      );
      return Number(r.numUpdatedRows) === 1;
    },

    async openEffects(now) {
      const iso = now.toISOString();
      const rows = await wrap("list open side effects", () =>
        db
          .selectFrom("gpu_request_effect")
          .selectAll()
          .where("status", "in", ["pending", "running"])
          .where((eb) => eb.or([eb("claimed_until", "is", null), eb("claimed_until", "<", iso)]))
          .orderBy("created_at", "asc")
          .execute(),
      );
      return rows.map(effectOf);
    },
  };
}

/** Pool VMs reserved per request, one reservation per VM. */
function poolVmReservations(db: Kysely<Database>): Pick<GpuRequestStorePort, "reservePoolVms" | "releasePoolVms" | "poolVmClaims"> {
  return {
    async reservePoolVms(key, owner, requestId, subscriptionId, candidates, count, now) {
      const n = rowId(requestId);
      if (n === undefined) return undefined;
      return wrap("reserve pool VMs", () =>
        db.transaction().execute(async (trx) => {
          // Only the claim's holder may plan; the row lock also serialises two planners of one effect.
          const mine = await trx
            .updateTable("gpu_request_effect")
            .set({ updated_at: now.toISOString() })
            .where("key", "=", key)
            .where("claimed_by", "=", owner)
            .where("status", "=", "running")
            .executeTakeFirst();
          if (Number(mine.numUpdatedRows) !== 1) return undefined;
          const taken: PoolVmRef[] = [];
          for (const vm of candidates) {
            if (taken.length === count) break;
            // The VM's key is the primary key: a VM another request holds is a conflict, skipped.
            const r = await trx
              .insertInto("pool_vm_claim")
              .values({
                vm_key: vmKey(subscriptionId, vm),
                request_id: n,
                effect_key: key,
                subscription_id: subscriptionId,
                resource_group: vm.resourceGroup,
                vm_name: vm.name,
                claimed_at: now.toISOString(),
              })
              .onConflict((oc) => oc.column("vm_key").doNothing())
              .executeTakeFirst();
            if (Number(r.numInsertedOrUpdatedRows ?? 0n) === 1) taken.push({ resourceGroup: vm.resourceGroup, name: vm.name });
          }
          if (taken.length < count) {
            // Not enough: keep nothing, so a later run (or another request) starts from a clean slate.
            await trx.deleteFrom("pool_vm_claim").where("effect_key", "=", key).execute();
            return undefined;
          }
          await trx
            .updateTable("gpu_request_effect")
            .set({ plan: JSON.stringify({ vms: taken }) })
            .where("key", "=", key)
            .execute();
          return taken;
        }),
      );
    },

    async releasePoolVms(requestId) {
      const n = rowId(requestId);
      if (n === undefined) return 0;
      const r = await wrap("free pool VMs", () => db.deleteFrom("pool_vm_claim").where("request_id", "=", n).executeTakeFirst());
      return Number(r.numDeletedRows);
    },

    async poolVmClaims() {
      const rows = await wrap("list pool VM reservations", () => db.selectFrom("pool_vm_claim").selectAll().orderBy("vm_key").execute());
      return rows.map((r) => ({ requestId: String(r.request_id), subscriptionId: r.subscription_id, resourceGroup: r.resource_group, name: r.vm_name }));
    },
  };
}

export function createGpuRequestStore(db: Kysely<Database>, policy: RequestPolicy): GpuRequestStorePort {
  return { ...requestWrites(db, policy), ...requestReads(db), ...effectClaims(db), ...poolVmReservations(db) };
}
