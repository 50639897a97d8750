/**
 * The core's PostingPort for Teams: post or update a card in a conversation gpuops has heard from
 * (its reference is in the store), through the Agents SDK's continueConversation. Transient
 * connector answers are retried with back-off and jitter; "the app is gone" answers (403 / not in
 * roster, conversation not found) mark the conversation broken so `status` can say so, and throw.
 *
 * @example
 * const posted = await port.post(conversationId, digestReply);
 * await port.update(posted, digestReplyWithApproval);
 */
import type { ConversationReference } from "@microsoft/agents-activity";
import type { CloudAdapter } from "@microsoft/agents-hosting";

import { GpuopsError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import type { Reply } from "../../reply/reply.ts";
import type { ConversationRefsPort, PostedMessage, PostingPort } from "../../services/ports.ts";
import { replyActivity } from "./card-activity.ts";
import { type RetryPolicy, withConnectorRetry } from "./connector-retry.ts";
import { type BotIdentity, connectorOf, continueConversation } from "./continue-conversation.ts";
import { baseConversationId, threadConversationId } from "./conversation-ids.ts";

export interface TeamsPostingDeps {
  adapter: CloudAdapter;
  identity: BotIdentity;
  /** Where conversation references are kept (the store); undefined without one. */
  conversations: ConversationRefsPort | undefined;
  log: Logger;
  now(): Date;
  retry: RetryPolicy;
}

export function createTeamsPostingPort(deps: TeamsPostingDeps): PostingPort {
  const { adapter, identity, log } = deps;

  async function referenceFor(channelId: string, threadId: string | undefined): Promise<ConversationReference> {
    if (!deps.conversations) throw new GpuopsError("chat_unavailable", "Teams: proactive posts need the store, and none is open.");
    const conversation = await deps.conversations.get(channelId);
    if (!conversation) {
      throw new GpuopsError(
        "chat_unavailable",
        "Teams: gpuops has never been added to that conversation. Add the app to the team or chat (or @mention it there once), then try again.",
        {
          context: { conversation: baseConversationId(channelId) },
        },
      );
    }
    if (conversation.status === "broken") {
      throw new GpuopsError("chat_unavailable", `Teams: gpuops cannot post there any more: ${conversation.brokenReason ?? "the app was removed"}. Add the app again to resume.`, {
        context: { conversation: conversation.conversationId, gone: "yes" },
      });
    }
    const reference = conversation.reference as ConversationReference;
    return { ...reference, conversation: { ...reference.conversation, id: threadConversationId(conversation.conversationId, threadId) } };
  }

  /** Runs a connector call with retries; a "gone" answer marks the conversation broken. */
  async function guarded<T>(what: string, channelId: string, call: () => Promise<T>): Promise<T> {
    try {
      return await withConnectorRetry(what, call, deps.retry, (r) => log.warn({ ...r, conversation: baseConversationId(channelId) }, "teams: connector asked to retry"));
    } catch (err) {
      if (err instanceof GpuopsError && err.context.gone === "yes" && deps.conversations) {
        await deps.conversations.markBroken(channelId, err.message, deps.now());
        log.warn({ conversation: baseConversationId(channelId), reason: err.message }, "teams: conversation marked broken");
      }
      throw err;
    }
  }

  return {
    platform: "teams",
    async post(channelId: string, reply: Reply, opts: { threadId?: string } = {}): Promise<PostedMessage> {
      const reference = await referenceFor(channelId, opts.threadId);
      let messageId = "";
      await guarded("post a message", channelId, () =>
        continueConversation(adapter, identity, reference, async (context) => {
          // A new message, not a reply to the continuation event: the Bot Connector's "send to conversation".
          const connector = connectorOf(adapter, context);
          const activity = replyActivity(reply).applyConversationReference(context.activity.getConversationReference());
          delete activity.replyToId;
          const response = await connector.sendToConversation(reference.conversation.id, activity);
          messageId = response.id ?? "";
        }),
      );
      const posted: PostedMessage = { platform: "teams", channelId: baseConversationId(channelId), messageId };
      if (opts.threadId !== undefined) posted.threadId = opts.threadId;
      return posted;
    },
    async update(message: PostedMessage, reply: Reply): Promise<void> {
      const reference = await referenceFor(message.channelId, message.threadId);
      await guarded("update a message", message.channelId, () =>
        continueConversation(adapter, identity, reference, async (context) => {
          await context.updateActivity(replyActivity(reply, message.messageId));
        }),
      );
    },
  };
}
