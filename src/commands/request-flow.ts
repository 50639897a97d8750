/**
 * The moving parts around the GPU request state machine: apply an event with optimistic
 * concurrency (read, decide, conditional save, re-read on a lost race), record refusals, decide
 * who is an approver on which platform, and tell people (approvers' card, requester, thread).
 * Posting failures are logged and never undo a stored decision.
 */
import { type AuditEntry, type GpuRequest, type Person, type RefusalCode, type RequestEvent, type TransitionResult, transition } from "../domain/gpu-request.ts";
import { asGpuopsError } from "../errors.ts";
import type { Reply } from "../reply/reply.ts";
import type { PostedMessage, RequestMessages, RequestsPort, SideEffect, StoredRequest } from "../services/ports.ts";
import { approverReply } from "./request-card.ts";
import type { CoreLogger } from "./types.ts";

export type Applied =
  | { ok: true; stored: StoredRequest; before: GpuRequest; entry: AuditEntry }
  | { ok: false; code: RefusalCode | "not_found"; reason: string; stored?: StoredRequest };

/** Side effects a transition starts: the action on approval, the undo on release/expiry/failure. */
export function effectsFor(before: GpuRequest, after: GpuRequest): Array<Pick<SideEffect, "key" | "kind">> {
  const out: Array<Pick<SideEffect, "key" | "kind">> = [];
  if (after.state === "approved" && before.state !== "approved") out.push({ key: `${after.id}:act`, kind: "act" });
  if (after.reversal === "pending" && before.reversal !== "pending") out.push({ key: `${after.id}:reverse`, kind: "reverse" });
  return out;
}

const MAX_ATTEMPTS = 8;

/**
 * Applies the event `make` builds from the current request. On a lost race (someone else saved
 * first) it re-reads and decides again, so a late click sees the new state and is refused with
 * who decided and when. Refusals are appended to the audit log with the person who tried.
 */
export async function applyEvent(port: RequestsPort, id: string, make: (r: GpuRequest) => RequestEvent): Promise<Applied> {
  for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
    const stored = await port.store.get(id);
    if (!stored) return { ok: false, code: "not_found", reason: `There is no GPU request #${id.slice(0, 20)}. \`requests mine\` lists yours.` };
    const event = make(stored.request);
    const t: TransitionResult = transition(stored.request, event, port.policy);
    if (!t.ok) {
      const actor: Person | undefined = "actor" in event ? event.actor : undefined;
      // A person's refused attempt is audit-worthy; the bot losing a race with itself is not.
      if (!actor) return { ok: false, code: t.code, reason: t.reason, stored };
      const entry: AuditEntry = { kind: "refused", actor: actor.id, at: event.at, from: stored.request.state, to: stored.request.state, detail: `${event.type}: ${t.reason}` };
      if (actor.name !== undefined) entry.actorName = actor.name;
      await port.store.refuse(id, entry);
      return { ok: false, code: t.code, reason: t.reason, stored };
    }
    const saved = await port.store.save(id, stored.version, t.request, t.entry, effectsFor(stored.request, t.request));
    if (saved) return { ok: true, stored: { request: t.request, version: stored.version + 1, messages: stored.messages }, before: stored.request, entry: t.entry };
  }
  return { ok: false, code: "illegal", reason: "The request kept changing while you clicked; look at it again and retry." };
}

/** Whether `actorId` on `platform` is an approver (or on the escalation list), groups included. */
export async function isApprover(port: RequestsPort, platform: string, actorId: string): Promise<boolean> {
  const list = port.approvers[platform];
  if (!list) return false;
  const entries = [...list.approvers, ...list.escalation];
  if (entries.includes(actorId)) return true;
  const directory = port.groups(platform);
  for (const entry of entries) {
    const group = entry.startsWith("group:") ? entry.slice("group:".length) : platform === "slack" && /^S[A-Z0-9]{2,}$/.test(entry) ? entry : undefined;
    if (group === undefined || !directory) continue;
    try {
      if (await directory.isMember(actorId, group)) return true;
    } catch {
      // An unreachable directory must not grant approval; the list check above already failed.
    }
  }
  return false;
}

/** The platform and channel the approvers' card goes to: the requester's platform first, else any configured one. */
export function approverTarget(port: RequestsPort, platform: string): { platform: string; channelId: string } | undefined {
  const order = [platform, "slack", "teams", "console"];
  for (const p of order) {
    const channel = port.approvers[p]?.channel;
    if (channel && port.posting(p)) return { platform: p, channelId: channel };
  }
  return undefined;
}

async function safely<T>(log: CoreLogger | undefined, what: string, fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    const e = asGpuopsError(err, "internal");
    log?.warn({ err, code: e.code }, `GPU request: could not ${what}`);
    return undefined;
  }
}

/** Posts the approvers' card and remembers where; undefined when no approver channel is reachable. */
export async function postToApprovers(port: RequestsPort, stored: StoredRequest, log?: CoreLogger): Promise<PostedMessage | undefined> {
  const target = approverTarget(port, stored.request.origin.platform);
  if (!target) return undefined;
  const posting = port.posting(target.platform);
  if (!posting) return undefined;
  const posted = await safely(log, "post to the approvers", () => posting.post(target.channelId, approverReply(stored.request)));
  if (posted) {
    const messages: RequestMessages = { ...stored.messages, approvers: posted };
    await port.store.setMessages(stored.request.id, messages);
    stored.messages = messages;
  }
  return posted;
}

/** Re-renders the approvers' card for everyone (who decided and when), except the message the click already updates. */
export async function refreshApprovers(
  port: RequestsPort,
  stored: StoredRequest,
  opts: { skip?: PostedMessage | undefined; log?: CoreLogger | undefined; escalatedTo?: string[] } = {},
): Promise<void> {
  const m = stored.messages.approvers;
  if (!m) return;
  if (opts.skip && opts.skip.platform === m.platform && opts.skip.messageId === m.messageId) return;
  const posting = port.posting(m.platform);
  if (!posting) return;
  await safely(opts.log, "update the approvers' card", () => posting.update(m, approverReply(stored.request, opts.escalatedTo ? { escalatedTo: opts.escalatedTo } : {})));
}

/** Tells the requester directly, in the conversation where they asked. */
export async function tellRequester(port: RequestsPort, r: GpuRequest, reply: Reply, log?: CoreLogger): Promise<void> {
  const posting = port.posting(r.origin.platform);
  if (!posting || !r.origin.channelId) return;
  await safely(log, "tell the requester", () => posting.post(r.origin.channelId, reply));
}

/**
 * Brings the requester's own card up to date: edits it where it is known (the message they
 * submitted from, or the one posted to them before); otherwise posts it once and keeps it, so
 * later news edits that message instead of adding another.
 */
export async function updateRequesterCard(port: RequestsPort, stored: StoredRequest, reply: Reply, log?: CoreLogger, opts: { postIfMissing?: boolean } = {}): Promise<void> {
  const r = stored.request;
  const messages = (await safely(log, "read the request's messages", () => port.store.get(r.id)))?.messages ?? stored.messages;
  const card = messages.requester;
  const cardPosting = card ? port.posting(card.platform) : undefined;
  if (card && cardPosting) {
    const updated = await safely(log, "update the requester's card", async () => {
      await cardPosting.update(card, reply);
      return true;
    });
    if (updated) return;
  }
  if (opts.postIfMissing === false) return;
  const posting = port.posting(r.origin.platform);
  if (!posting || !r.origin.channelId) return;
  const posted = await safely(log, "tell the requester", () => posting.post(r.origin.channelId, reply));
  if (posted) {
    const next: RequestMessages = { ...messages, requester: posted };
    await safely(log, "remember the requester's card", () => port.store.setMessages(r.id, next));
    stored.messages = next;
  }
}

/** Posts in the approvers' card thread (action progress, reminders); falls back to the requester. */
export async function postInThread(port: RequestsPort, stored: StoredRequest, reply: Reply, log?: CoreLogger): Promise<void> {
  const m = stored.messages.approvers;
  const posting = m ? port.posting(m.platform) : undefined;
  if (m && posting) {
    await safely(log, "post in the request thread", () => posting.post(m.channelId, reply, { threadId: m.threadId ?? m.messageId }));
    return;
  }
  await tellRequester(port, stored.request, reply, log);
}
