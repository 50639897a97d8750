/**
 * The console's conversation and its "local channel", kept in memory: a ring buffer per pane
 * (the chat you type in; the channel where digests, alerts and approval requests are posted).
 * Messages keep a stable id and a revision, so a button click or a job can update one in place
 * and every open page sees the new revision. Nothing here survives a restart, by design: the
 * store of record (requests, subscriptions, audit) is the database, this is only the view.
 *
 * @example
 * const messages = createConsoleMessages();
 * const m = messages.add({ pane: "chat", channelId: "local", from: "bot", reply });
 * messages.update(m.id, newerReply);   // m.rev goes 1 → 2; subscribers hear about it
 */
import { randomUUID } from "node:crypto";
import type { Actor } from "../../commands/types.ts";
import { GpuopsError } from "../../errors.ts";
import type { Reply } from "../../reply/reply.ts";

export type Pane = "chat" | "channel";

export interface ConsoleMessage {
  id: string;
  pane: Pane;
  /** The console channel it belongs to ("local" unless a job posts elsewhere). */
  channelId: string;
  /** Creation number: the order messages appear in (never changes). */
  order: number;
  /** Revision, 1 on creation, +1 per update. */
  rev: number;
  /** Global change number of the last change, for "what changed since" queries. */
  seq: number;
  at: string;
  from: "user" | "bot";
  /** Who typed it (user messages), or who it was shown to (ephemeral bot answers). */
  actor?: Actor;
  /** What was typed (user messages). */
  text?: string;
  /** The answer (bot messages). */
  reply?: Reply;
  /** Only this actor's view shows it (refusals, confirmations of a click). */
  ephemeralFor?: string;
  threadId?: string;
}

export type NewMessage = Omit<ConsoleMessage, "id" | "order" | "rev" | "seq" | "at">;

export interface ConsoleMessages {
  add(message: NewMessage): ConsoleMessage;
  /** Replaces a bot message's reply; throws chat_unavailable when it has scrolled out of the buffer. */
  update(id: string, reply: Reply): ConsoleMessage;
  get(id: string): ConsoleMessage | undefined;
  /** Oldest first; `afterSeq` keeps only messages changed after that change number. */
  list(pane: Pane, opts?: { afterSeq?: number }): ConsoleMessage[];
  /** The latest change number (0 when nothing happened yet). */
  seq(): number;
  /** Called after every add or update; returns the unsubscribe function. */
  subscribe(listener: (message: ConsoleMessage) => void): () => void;
}

export interface ConsoleMessagesOptions {
  /** Messages kept per pane; the oldest go first (default 200). */
  capacity?: number;
  now?: () => Date;
}

export function createConsoleMessages(opts: ConsoleMessagesOptions = {}): ConsoleMessages {
  const capacity = opts.capacity ?? 200;
  const now = opts.now ?? (() => new Date());
  const panes: Record<Pane, ConsoleMessage[]> = { chat: [], channel: [] };
  const byId = new Map<string, ConsoleMessage>();
  const listeners = new Set<(m: ConsoleMessage) => void>();
  let seq = 0;

  const notify = (m: ConsoleMessage) => {
    for (const l of listeners) l(m);
  };

  return {
    add(message) {
      seq += 1;
      const m: ConsoleMessage = { ...message, id: randomUUID(), order: seq, rev: 1, seq, at: now().toISOString() };
      const pane = panes[m.pane];
      pane.push(m);
      byId.set(m.id, m);
      while (pane.length > capacity) {
        const old = pane.shift();
        if (old) byId.delete(old.id);
      }
      notify(m);
      return m;
    },
    update(id, reply) {
      const m = byId.get(id);
      if (m?.from !== "bot") {
        throw new GpuopsError("chat_unavailable", "That console message is no longer there (the console keeps the latest messages only).", { context: { messageId: id } });
      }
      seq += 1;
      m.reply = reply;
      m.rev += 1;
      m.seq = seq;
      notify(m);
      return m;
    },
    get: (id) => byId.get(id),
    list(pane, o = {}) {
      const after = o.afterSeq ?? 0;
      return panes[pane].filter((m) => m.seq > after);
    },
    seq: () => seq,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
