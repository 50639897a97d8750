/**
 * One router for button clicks from every surface (Slack block actions, Teams Action.Execute,
 * the console). A button carries a verb and a small payload of ids; the payload is validated
 * against the handler's schema before anything runs, so a forged click gets a clear refusal.
 *
 * @example
 * registerAction({ verb: "share", schema: z.object({ command: z.string().max(500) }), run: async (p, req, ctx) => ... })
 */
import type { z } from "zod";
import { asGpuopsError } from "../errors.ts";
import { type Reply, userError } from "../reply/reply.ts";
import type { PostedMessage } from "../services/ports.ts";
import type { Actor, Channel, CommandContext, Surface } from "./types.ts";

export interface ActionRequest {
  verb: string;
  payload: unknown;
  actor: Actor;
  channel: Channel;
  surface: Surface;
  /** The message the button sits on, when the surface knows it (for updates in place). */
  message?: PostedMessage;
}

export interface ActionResult {
  /** New content for the message the button sits on (everyone sees it). */
  update?: Reply;
  /** An answer for the clicker only (refusals, confirmations). */
  ephemeral?: Reply;
  /** A new message for the channel (e.g. "share in channel"). */
  post?: Reply;
}

export interface ActionHandler<P> {
  verb: string;
  schema: z.ZodType<P>;
  run(payload: P, request: ActionRequest, ctx: CommandContext): Promise<ActionResult>;
}

const HANDLERS = new Map<string, ActionHandler<unknown>>();

export function registerAction<P>(handler: ActionHandler<P>): void {
  HANDLERS.set(handler.verb, handler as ActionHandler<unknown>);
}

/** Verbs are short ids; anything else is refused before lookup. */
export const ACTION_VERB = /^[a-z][a-z0-9_.-]{0,63}$/;

export async function runAction(request: ActionRequest, ctx: CommandContext): Promise<ActionResult> {
  if (!ACTION_VERB.test(request.verb)) return { ephemeral: userError("bad_action", "That button is not one gpuops knows.") };
  const handler = HANDLERS.get(request.verb);
  if (!handler) return { ephemeral: userError("bad_action", `The button "${request.verb}" is not available any more.`) };
  const parsed = handler.schema.safeParse(request.payload);
  if (!parsed.success) return { ephemeral: userError("bad_action", "That button's data was not valid, so nothing was done.") };
  try {
    return await handler.run(parsed.data, request, ctx);
  } catch (err) {
    const e = asGpuopsError(err, "internal");
    ctx.log?.error({ err, verb: request.verb }, "action failed");
    return { ephemeral: userError(e.code, e.code.startsWith("azure_") ? e.message : "Something went wrong on our side; nothing was changed. Try again.") };
  }
}
