/**
 * Teams conversation references (table teams_conversation): saved when the app is installed or
 * addressed, read back for proactive posts (they survive restarts and are shared by replicas), and
 * marked broken when Teams says the app can no longer post there. `status` lists the broken ones.
 *
 * @example
 * const refs = createConversationRefStore(store.db);
 * await refs.save(context.activity.getConversationReference(), { teamId }, now);
 */
import type { Kysely } from "kysely";
import { baseConversationId } from "../chat/teams/conversation-ids.ts";
import type { ConversationRefShape, ConversationRefsPort, StoredConversation } from "../services/ports.ts";
import type { Database } from "./schema.ts";

type Row = Database["teams_conversation"];

function fromRow(row: Row): StoredConversation {
  return {
    conversationId: row.conversation_id,
    reference: JSON.parse(row.reference) as ConversationRefShape,
    conversationType: row.conversation_type,
    teamId: row.team_id,
    tenantId: row.tenant_id,
    name: row.name,
    status: row.status === "broken" ? "broken" : "active",
    brokenReason: row.broken_reason,
    brokenAt: row.broken_at,
    updatedAt: row.updated_at,
  };
}

/**
 * What this process last wrote per conversation, per database: a conversation that says the same
 * again (the usual case, message after message) costs no write. An entry is trusted for a while
 * only, so a conversation another replica marked broken is revived here too, soon after.
 */
const written = new WeakMap<object, Map<string, { fingerprint: string; at: number }>>();
const REWRITE_AFTER_MS = 10 * 60_000;

function writtenIn(db: object): Map<string, { fingerprint: string; at: number }> {
  let m = written.get(db);
  if (!m) {
    m = new Map();
    written.set(db, m);
  }
  return m;
}

/**
 * Saves (or refreshes) the reference for a conversation and marks it active: hearing from a
 * conversation proves the app is there. The thread suffix and the triggering activity id are
 * dropped so the reference addresses the conversation itself. Skipped when this process wrote
 * the same reference and details for it within the last minutes and has not marked it broken since.
 */
export async function saveConversationReference(
  db: Kysely<Database>,
  ref: ConversationRefShape,
  meta: { teamId?: string | undefined; name?: string | undefined },
  now: Date,
): Promise<string> {
  const conversationId = baseConversationId(ref.conversation.id);
  const { activityId: _drop, ...rest } = ref;
  const reference: ConversationRefShape = { ...rest, conversation: { ...ref.conversation, id: conversationId } };
  const at = now.toISOString();
  const values = {
    conversation_id: conversationId,
    service_url: ref.serviceUrl ?? "",
    tenant_id: ref.conversation.tenantId ?? null,
    conversation_type: ref.conversation.conversationType ?? null,
    team_id: meta.teamId ?? null,
    name: meta.name ?? ref.conversation.name ?? null,
    reference: JSON.stringify(reference),
    status: "active",
    broken_reason: null,
    broken_at: null,
    created_at: at,
    updated_at: at,
  };
  const seen = writtenIn(db);
  const fingerprint = JSON.stringify([values.reference, values.service_url, values.tenant_id, values.conversation_type, values.team_id, values.name]);
  const last = seen.get(conversationId);
  const t = now.getTime();
  if (last && last.fingerprint === fingerprint && t >= last.at && t - last.at < REWRITE_AFTER_MS) return conversationId;
  await db
    .insertInto("teams_conversation")
    .values(values)
    .onConflict((oc) =>
      oc.column("conversation_id").doUpdateSet({
        service_url: values.service_url,
        tenant_id: values.tenant_id,
        conversation_type: values.conversation_type,
        team_id: (eb) => eb.fn.coalesce(eb.val(values.team_id), eb.ref("teams_conversation.team_id")),
        name: (eb) => eb.fn.coalesce(eb.val(values.name), eb.ref("teams_conversation.name")),
        reference: values.reference,
        status: "active",
        broken_reason: null,
        broken_at: null,
        updated_at: at,
      }),
    )
    .execute();
  if (seen.size >= 10_000) seen.clear();
  seen.set(conversationId, { fingerprint, at: t });
  return conversationId;
}

export async function getConversation(db: Kysely<Database>, conversationId: string): Promise<StoredConversation | undefined> {
  const row = await db.selectFrom("teams_conversation").selectAll().where("conversation_id", "=", baseConversationId(conversationId)).executeTakeFirst();
  return row ? fromRow(row) : undefined;
}

/** Records that the app cannot post to a conversation any more, and why (shown by `status`). */
export async function markConversationBroken(db: Kysely<Database>, conversationId: string, reason: string, now: Date): Promise<void> {
  writtenIn(db).delete(baseConversationId(conversationId));
  await db
    .updateTable("teams_conversation")
    .set({ status: "broken", broken_reason: reason.slice(0, 500), broken_at: now.toISOString(), updated_at: now.toISOString() })
    .where("conversation_id", "=", baseConversationId(conversationId))
    .execute();
}

/** Conversations gpuops can no longer post to, most recent first: what `status` reports. */
export async function listBrokenConversations(db: Kysely<Database>): Promise<StoredConversation[]> {
  const rows = await db.selectFrom("teams_conversation").selectAll().where("status", "=", "broken").orderBy("broken_at", "desc").execute();
  return rows.map(fromRow);
}

export function createConversationRefStore(db: Kysely<Database>): ConversationRefsPort {
  return {
    save: (ref, meta, now) => saveConversationReference(db, ref, meta, now),
    get: (conversationId) => getConversation(db, conversationId),
    markBroken: (conversationId, reason, now) => markConversationBroken(db, conversationId, reason, now),
    listBroken: () => listBrokenConversations(db),
  };
}
