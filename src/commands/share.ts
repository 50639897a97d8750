/**
 * Built-in buttons that carry a command, for every door: "share" (post the answer in the channel
 * for everyone) and "ask" (answer the clicker; Slack App Home's common questions). The command
 * text is validated and then parsed again by the same grammar as typed text, never interpolated
 * anywhere. Doors render the buttons; the rule for when an answer gets "Share" lives here.
 */
import { z } from "zod";
import type { Action, Reply } from "../reply/reply.ts";
import { registerAction } from "./actions.ts";
import { resolveVerbName, runCommand, verbs } from "./registry.ts";

/** Longest command a button may carry (well inside Slack's 2,000-char button value). */
export const MAX_BUTTON_COMMAND = 300;

const commandPayload = z.object({
  command: z
    .string()
    .min(1)
    .max(MAX_BUTTON_COMMAND)
    .regex(/^[^\u0000-\u001f\u007f]+$/, "no control characters"),
});

/** The "Share in channel" button for an ephemeral answer to `command`, when the command fits a button. */
export function shareButton(command: string): Action | undefined {
  if (!commandPayload.safeParse({ command }).success) return undefined;
  return { verb: "share", label: "Share in channel", payload: { command } };
}

/**
 * "Share in channel" for a private answer, by one rule for every door: answers only (ok or
 * partial), never for verbs that change state (re-running a GPU request for someone else would
 * repeat it), and only when the command fits a button.
 */
export function shareButtonFor(reply: Reply, command: string): Action | undefined {
  if (reply.outcome !== "ok" && reply.outcome !== "partial") return undefined;
  if (verbs().find((v) => v.name === resolveVerbName(command))?.shareable === false) return undefined;
  return shareButton(command);
}

/** A button that asks gpuops `command` on the clicker's behalf. */
export const askButton = (label: string, command: string): Action => ({ verb: "ask", label, payload: { command } });

let registered = false;

/** Registers "share" and "ask" with the core action router (idempotent). */
export function registerCommandActions(): void {
  if (registered) return;
  registered = true;
  registerAction({
    verb: "share",
    schema: commandPayload,
    async run(p, req, ctx) {
      const reply = await runCommand({ text: p.command, actor: req.actor, channel: req.channel, surface: req.surface }, ctx);
      return { post: reply };
    },
  });
  registerAction({
    verb: "ask",
    schema: commandPayload,
    async run(p, req, ctx) {
      const reply = await runCommand({ text: p.command, actor: req.actor, channel: req.channel, surface: req.surface }, ctx);
      return { ephemeral: reply };
    },
  });
}
