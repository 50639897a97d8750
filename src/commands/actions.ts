/**
 * One router for button clicks from every surface (Slack block actions, Teams Action.Execute,
 * the console). A button carries a verb and a small payload of ids; the payload is validated
 * against the handler's schema before anything runs, so a forged click gets a clear refusal.
 *
 * Handlers are plain values: each feature returns its list, and the router (commands/router.ts)
 * the app builds holds them; nothing registers itself on import.
 *
 * @example
 * action({ verb: "share", schema: z.object({ command: z.string().max(500) }), run: async (p, req, ctx) => ... })
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

/** A handler as the router holds it (the payload type is checked by its schema at run time). */
export type AnyActionHandler = ActionHandler<unknown>;

/** Keeps a handler's payload type while it is written, and erases it for the router's table. */
export const action = <P>(handler: ActionHandler<P>): AnyActionHandler => handler as AnyActionHandler;

/** Verbs are short ids; anything else is refused before lookup. */
export const ACTION_VERB = /^[a-z][a-z0-9_.-]{0,63}$/;

/** Validates a click against its handler's schema and runs it; failures become answers, never throws. */
export async function dispatchAction(handlers: ReadonlyMap<string, AnyActionHandler>, request: ActionRequest, ctx: CommandContext): Promise<ActionResult> {
  if (!ACTION_VERB.test(request.verb)) return { ephemeral: userError("bad_action", "That button is not one gpuops knows.") };
  const handler = handlers.get(request.verb);
  if (!handler) return { ephemeral: userError("bad_action", `The button "${request.verb}" is not available any more.`) };
  const parsed = handler.schema.safeParse(request.payload);
  if (!parsed.success) return { ephemeral: userError("bad_action", "That button's data was not valid, so nothing was done.") };
  try {
    return await handler.run(parsed.data, request, ctx);
  } catch (err) {
    const e = asGpuopsError(err, "internal");
    ctx.log.error({ err, verb: request.verb }, "action failed");
    return { ephemeral: userError(e.code, e.code.startsWith("azure_") ? e.message : "Something went wrong on our side; nothing was changed. Try again.") };
  }
}
