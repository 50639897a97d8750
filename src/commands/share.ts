/**
 * Built-in buttons for every door: "share" (post the answer the person saw in the channel for
 * everyone, saying who shared it) and "ask" (answer the clicker; Slack App Home's common
 * questions). Payloads carry ids and a command, never the answer's text; a command is validated
 * and then parsed again by the same grammar as typed text, never interpolated anywhere. Doors
 * render the buttons; the rule for when an answer gets "Share" lives here.
 */
import { LRUCache } from "lru-cache";
import { z } from "zod";
import type { Action, Reply } from "../reply/reply.ts";
import { type AnyActionHandler, action } from "./actions.ts";
import { approxReplyBytes, newAnswerId } from "./kept-answers.ts";
import type { CommandContext, CommandRequest } from "./types.ts";

/** Runs a command as typed text (the router's run, passed in to keep layers acyclic). */
export type RunCommand = (request: CommandRequest, ctx: CommandContext) => Promise<Reply>;

/** Longest command a button may carry (well inside Slack's 2,000-char button value). */
export const MAX_BUTTON_COMMAND = 300;

const command = z
  .string()
  .min(1)
  .max(MAX_BUTTON_COMMAND)
  .regex(/^[^\u0000-\u001f\u007f]+$/, "no control characters");
const commandPayload = z.object({ command });
/** A share button carries the answer's id (the answer itself stays here) and its command as the fallback. */
const sharePayload = z.object({
  command,
  answer: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,40}$/)
    .optional(),
});

/**
 * Answers offered for sharing, kept briefly by id so "Share in channel" posts exactly what the
 * person saw, not a re-run whose numbers may have moved. In memory: a click on another replica,
 * or after the entry expired, falls back to asking the command again and says so.
 */
const offered = new LRUCache<string, Reply>({
  max: 1000,
  maxSize: 32 * 1024 * 1024,
  sizeCalculation: approxReplyBytes,
  ttl: 30 * 60 * 1000,
});
/** The id an answer was kept under: the same answer offered again (a memoised one) is kept once. */
const ids = new WeakMap<Reply, string>();

function keep(answer: Reply): string {
  const known = ids.get(answer);
  if (known && offered.has(known)) return known;
  const id = newAnswerId();
  // A copy: what is shared stays what the person saw, whatever happens to the original.
  offered.set(id, structuredClone(answer));
  ids.set(answer, id);
  return id;
}

/** The "Share in channel" button for an ephemeral answer to `command`, when the command fits a button. */
export function shareButton(text: string, answer?: Reply): Action | undefined {
  if (!commandPayload.safeParse({ command: text }).success) return undefined;
  const payload: Record<string, string> = { command: text };
  if (answer) payload.answer = keep(answer);
  return { verb: "share", label: "Share in channel", payload };
}

/**
 * "Share in channel" for a private answer, by one rule for every door: answers only (ok or
 * partial), never for verbs that change state (re-running a GPU request for someone else would
 * repeat it), and only when the command fits a button. The answer is kept so the share posts it.
 * Whether it may be shared is on the Reply (the router sets it); `shareableText` judges only a
 * reply that did not come through a router.
 */
export function shareButtonFor(reply: Reply, text: string, shareableText?: (command: string) => boolean): Action | undefined {
  if (reply.outcome !== "ok" && reply.outcome !== "partial") return undefined;
  // A question read as a command is asked again as that command, never as the raw words.
  const command = reply.readAs ?? text;
  if (!(reply.shareable ?? shareableText?.(command) ?? true)) return undefined;
  return shareButton(command, reply);
}

/** The answer a share button points at, while it is kept (tests and doors that render it). */
export const offeredAnswer = (id: string): Reply | undefined => offered.get(id);

/** A button that asks gpuops `command` on the clicker's behalf. */
export const askButton = (label: string, command: string): Action => ({ verb: "ask", label, payload: { command } });

/** The "share" and "ask" buttons every door offers, running commands through `run`. */
export function commandActions(run: RunCommand): AnyActionHandler[] {
  return [
    action({
      verb: "share",
      schema: sharePayload,
      async run(p, req, ctx) {
        const kept = p.answer === undefined ? undefined : offered.get(p.answer);
        const reply = kept ? structuredClone(kept) : await run({ text: p.command, actor: req.actor, channel: req.channel, surface: req.surface }, ctx);
        if (!kept && p.answer !== undefined) reply.context = [...reply.context, "Asked again: the answer that was shared had expired."];
        // Slack's door names the sharer itself, with a real mention; the other doors get it here.
        if (req.surface !== "slack") reply.context = [...reply.context, `Shared by ${req.actor.name ?? req.actor.id}`];
        return { post: reply };
      },
    }),
    action({
      verb: "ask",
      schema: commandPayload,
      async run(p, req, ctx) {
        const reply = await run({ text: p.command, actor: req.actor, channel: req.channel, surface: req.surface }, ctx);
        return { ephemeral: reply };
      },
    }),
  ];
}
