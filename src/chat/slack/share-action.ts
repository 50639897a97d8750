/**
 * Built-in buttons that carry a command: "share" (post the answer in the channel for everyone)
 * and "ask" (answer the clicker; App Home's common questions). The command text is validated
 * and then parsed again by the same grammar as typed text, never interpolated anywhere.
 */
import { z } from "zod";
import { registerAction } from "../../commands/actions.ts";
import { runCommand } from "../../commands/registry.ts";
import type { Action } from "../../reply/reply.ts";

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
