/**
 * One Bolt listener for every gpuops button (action_id `gpuops:<verb>:<n>`) and one for every
 * gpuops form submission (callback_id `gpuops:<verb>`). The button value is JSON
 * `{ verb, payload }` of ids, validated here for shape and by the action's own schema in the
 * core router. Results go where they belong: `update` replaces the message, `ephemeral` answers
 * the clicker, `post` goes to the channel (chat.postMessage through the rate-limited port).
 */
import type { App, BlockAction, RespondFn, ViewOutput, ViewSubmitAction } from "@slack/bolt";
import { z } from "zod";
import { ACTION_VERB, type ActionResult } from "../../commands/actions.ts";
import { asGpuopsError, type GpuopsError } from "../../errors.ts";
import { ACTION_ID_PREFIX, renderSlack, type SlackMessage } from "../../render/slack.ts";
import { type Reply, userError } from "../../reply/reply.ts";
import type { PostedMessage } from "../../services/ports.ts";
import { type DoorDeps, mention } from "./door-deps.ts";
import { renderSlackAnswer } from "./long-lists.ts";
import { formValues, MODAL_CALLBACK_PREFIX, modalMetadata, modalView, openModal } from "./modals.ts";

/** The JSON in a gpuops button's value. */
export const buttonValueSchema = z.object({
  verb: z.string().regex(ACTION_VERB),
  payload: z.record(z.string().max(64), z.union([z.string().max(500), z.number()])),
});

export function parseButtonValue(value: string | undefined): z.infer<typeof buttonValueSchema> | undefined {
  if (!value || value.length > 2000) return undefined;
  try {
    const parsed = buttonValueSchema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Where a click came from, in the terms delivery needs. */
interface Source {
  userId: string;
  userName: string | undefined;
  channelId: string | undefined;
  messageTs: string | undefined;
  threadTs: string | undefined;
  isEphemeral: boolean;
  isHome: boolean;
  respond: RespondFn | undefined;
}

/** Our Block Kit message (typed with @slack/types) as Bolt's and the WebClient's arguments. */
const asArgs = (m: SlackMessage): SlackMessage => ({ text: m.text, blocks: m.blocks });

/** Delivers an action's result; failures are told to the clicker, never dropped silently. */
async function deliver(deps: DoorDeps, result: ActionResult, src: Source, verb: string): Promise<void> {
  const { log } = deps;
  const tell = async (reply: Reply) => {
    if (src.isHome) return deps.publishHome(src.userId, reply);
    const m = renderSlackAnswer(reply);
    if (src.respond) {
      await src.respond({ response_type: "ephemeral", replace_original: false, ...asArgs(m) });
    } else if (src.channelId) {
      await deps.client.chat.postEphemeral({ channel: src.channelId, user: src.userId, ...asArgs(m) });
    } else {
      await deps.posting.postMessage(src.userId, m);
    }
  };
  if (result.update) {
    if (src.isHome) await deps.publishHome(src.userId, result.update);
    else if (src.respond) await src.respond({ replace_original: true, ...asArgs(renderSlack(result.update)) });
    else if (src.channelId && src.messageTs) {
      const message: PostedMessage = { platform: "slack", channelId: src.channelId, messageId: src.messageTs };
      await deps.posting.update(message, result.update);
    }
  }
  if (result.ephemeral) await tell(result.ephemeral);
  if (result.post) {
    const m = renderSlack(result.post, verb === "share" ? { trustedContext: [`Shared by ${mention(src.userId)}`] } : {});
    const channel = src.channelId ?? src.userId;
    try {
      await deps.posting.postMessage(channel, m, src.threadTs ? { threadId: src.threadTs } : {});
      if (src.isEphemeral && src.respond) await src.respond({ delete_original: true });
    } catch (err) {
      const e = asGpuopsError(err, "chat_unavailable") as GpuopsError;
      const slackError = e.context.slackError;
      // response_url may post in a channel the bot is not a member of; chat.postMessage may not.
      if (src.respond && (slackError === "not_in_channel" || slackError === "channel_not_found")) {
        await src.respond({ response_type: "in_channel", replace_original: false, ...asArgs(m) });
        if (src.isEphemeral) await src.respond({ delete_original: true });
        return;
      }
      log.warn({ err: e, code: e.code, slackError }, "could not post an action's result");
      await tell(userError(e.code, e.message));
    }
  }
}

function sourceOf(body: BlockAction, respond: RespondFn | undefined): Source {
  const container = (body.container ?? {}) as { type?: string; channel_id?: string; message_ts?: string; thread_ts?: string; is_ephemeral?: boolean };
  return {
    userId: body.user.id,
    userName: body.user.name ?? body.user.username,
    channelId: body.channel?.id ?? container.channel_id,
    messageTs: body.message?.ts ?? container.message_ts,
    threadTs: (body.message as { thread_ts?: string } | undefined)?.thread_ts ?? container.thread_ts,
    isEphemeral: container.is_ephemeral === true,
    isHome: body.view?.type === "home",
    respond: body.response_url ? respond : undefined,
  };
}

export function registerBlockActions(bolt: App, deps: DoorDeps): void {
  bolt.action<BlockAction>({ type: "block_actions", action_id: new RegExp(`^${ACTION_ID_PREFIX}`) }, async ({ ack, body, action, respond }) => {
    const receivedAt = deps.now();
    await ack();
    deps.track(handleClick(deps, body, action, respond, receivedAt));
  });
  bolt.view<ViewSubmitAction>({ type: "view_submission", callback_id: new RegExp(`^${MODAL_CALLBACK_PREFIX}`) }, async ({ ack, body, view }) => {
    await ack();
    deps.track(handleSubmission(deps, body, view));
  });
}

async function handleClick(deps: DoorDeps, body: BlockAction, action: BlockAction["actions"][number], respond: RespondFn, receivedAt: number): Promise<void> {
  const src = sourceOf(body, respond);
  const value = action.type === "button" ? parseButtonValue(action.value) : undefined;
  const log = deps.log.child({ slack: { user: src.userId, channel: src.channelId, action: value?.verb } });
  try {
    if (!value) {
      await deliver(deps, { ephemeral: userError("bad_action", "That button's data was not valid, so nothing was done.") }, src, "invalid");
      return;
    }
    const build = deps.modals.get(value.verb);
    if (build) {
      const spec = await build(value.payload, { userId: src.userId, channelId: src.channelId });
      const meta = { payload: value.payload, ...(src.channelId ? { channelId: src.channelId } : {}) };
      await openModal(deps.client, { triggerId: body.trigger_id, receivedAt, view: modalView(value.verb, spec, meta), now: deps.now });
      return;
    }
    const result = await deps.router.runAction(
      {
        verb: value.verb,
        payload: value.payload,
        actor: { id: src.userId, ...(src.userName ? { name: src.userName } : {}) },
        channel: { id: src.channelId ?? src.userId, platform: "slack" },
        surface: "slack",
        // An ephemeral message cannot be edited later (only through its response_url), so it is not offered as one.
        ...(src.channelId && src.messageTs && !src.isEphemeral ? { message: { platform: "slack", channelId: src.channelId, messageId: src.messageTs } } : {}),
      },
      deps.context(),
    );
    await deliver(deps, result, src, value.verb);
  } catch (err) {
    const e = asGpuopsError(err, "internal");
    log.error({ err: e, code: e.code }, "block action failed");
    const message = e.code === "internal" ? "Something went wrong on our side; nothing was changed. Try again." : e.message;
    await deliver(deps, { ephemeral: userError(e.code, message) }, src, "error").catch(() => undefined);
  }
}

async function handleSubmission(deps: DoorDeps, body: ViewSubmitAction, view: ViewOutput): Promise<void> {
  const verb = view.callback_id.slice(MODAL_CALLBACK_PREFIX.length);
  let meta: z.infer<typeof modalMetadata> | undefined;
  try {
    const parsed = modalMetadata.safeParse(JSON.parse(view.private_metadata || "{}"));
    meta = parsed.success ? parsed.data : undefined;
  } catch {
    meta = undefined;
  }
  const src: Source = {
    userId: body.user.id,
    userName: body.user.name,
    channelId: meta?.channelId,
    messageTs: undefined,
    threadTs: undefined,
    isEphemeral: false,
    isHome: false,
    respond: undefined,
  };
  try {
    const result = meta
      ? await deps.router.runAction(
          {
            verb,
            payload: { ...meta.payload, ...formValues(view.state) },
            actor: { id: src.userId, ...(src.userName ? { name: src.userName } : {}) },
            channel: { id: src.channelId ?? src.userId, platform: "slack" },
            surface: "slack",
          },
          deps.context(),
        )
      : { ephemeral: userError("bad_action", "That form's data was not valid, so nothing was done.") };
    await deliver(deps, result, src, verb);
  } catch (err) {
    deps.log.error({ err, verb }, "form submission failed");
  }
}
