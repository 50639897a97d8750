/**
 * The Teams conversation logic on the Agents SDK's ActivityHandler: messages become commands
 * (mention stripped), card buttons go to the one action router (Universal Actions invoke or the
 * Action.Submit fallback), and every activity refreshes the stored conversation reference so
 * proactive posts can reach the conversation later. Slow answers first say "working on it…" and
 * then replace that message in place, outside the request, so Teams gets its 200 quickly.
 */
import type { Activity, ConversationReference } from "@microsoft/agents-activity";
import { ActivityHandler, type AdaptiveCardInvokeResponse, type AdaptiveCardInvokeValue, type CloudAdapter, type TurnContext } from "@microsoft/agents-hosting";

import type { ActionRequest, ActionResult } from "../../commands/actions.ts";
import type { Router } from "../../commands/router.ts";
import type { CommandContext, CommandRequest } from "../../commands/types.ts";
import type { Logger } from "../../log.ts";
import { ADAPTIVE_CARD_CONTENT_TYPE, type renderAdaptiveCard } from "../../render/teams.ts";
import type { Reply } from "../../reply/reply.ts";
import type { ConversationRefsPort, PostedMessage } from "../../services/ports.ts";

import { type ButtonClick, clickFromInvoke, clickFromMessageValue } from "./action-data.ts";
import { answerCard, noticeActivity, plainSummary, replyActivity } from "./card-activity.ts";
import { type RetryPolicy, withConnectorRetry } from "./connector-retry.ts";
import { type BotIdentity, connectorOf, continueConversation } from "./continue-conversation.ts";
import { baseConversationId } from "./conversation-ids.ts";
import { commandText, mentionEntities } from "./mention-text.ts";
import { formCardFor } from "./request-form.ts";

export const WORKING_ON_IT = "Working on it…";

export interface TeamsAgentDeps {
  adapter: CloudAdapter;
  /** Who the bot is when it continues a conversation: its app id, or an anonymous identity in local mode. */
  identity: BotIdentity;
  context(): CommandContext;
  /** Where conversation references are kept (the store); undefined without one. */
  conversations: ConversationRefsPort | undefined;
  /** Runs commands and clicks (the app's router). */
  router: Router;
  log: Logger;
  now(): Date;
  slowReplyMs: number;
  retry: RetryPolicy;
}

type Outcome<T> = { done: true; value: T } | { done: false };

/** Resolves with the value if `work` settles within `ms`, else with { done: false } (work goes on). */
async function within<T>(work: Promise<T>, ms: number): Promise<Outcome<T>> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Outcome<T>>((resolve) => {
    timer = setTimeout(() => resolve({ done: false }), ms);
  });
  try {
    return await Promise.race([work.then((value): Outcome<T> => ({ done: true, value })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function channelData(activity: Activity): { teamId?: string; teamName?: string; channelName?: string } {
  const data = activity.channelData as { team?: { id?: unknown; name?: unknown }; channel?: { name?: unknown } } | undefined;
  const str = (v: unknown) => (typeof v === "string" && v.length > 0 ? v : undefined);
  const out: { teamId?: string; teamName?: string; channelName?: string } = {};
  const teamId = str(data?.team?.id);
  const teamName = str(data?.team?.name);
  const channelName = str(data?.channel?.name);
  if (teamId) out.teamId = teamId;
  if (teamName) out.teamName = teamName;
  if (channelName) out.channelName = channelName;
  return out;
}

export class TeamsAgent extends ActivityHandler {
  private readonly deps: TeamsAgentDeps;
  private readonly background = new Set<Promise<void>>();

  constructor(deps: TeamsAgentDeps) {
    super();
    this.deps = deps;
    this.onMessage(async (context, next) => {
      await this.rememberConversation(context);
      await this.handleMessage(context);
      await next();
    });
    this.onConversationUpdate(async (context, next) => {
      await this.handleMembership(context);
      await next();
    });
    // The SDK dispatches installationUpdate only to the add/remove handlers, not to onInstallationUpdate.
    this.onInstallationUpdateAdd(async (context, next) => {
      await this.rememberConversation(context);
      await next();
    });
    this.onInstallationUpdateRemove(async (context, next) => {
      await this.forgetConversation(context, "the app was uninstalled from this conversation");
      await next();
    });
  }

  /** Waits for answers still being prepared after their request ended (shutdown, tests), at most `maxWaitMs`. */
  async idle(maxWaitMs = 15_000): Promise<void> {
    const deadline = Date.now() + maxWaitMs;
    while (this.background.size > 0 && Date.now() < deadline) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
      });
      await Promise.race([Promise.allSettled([...this.background]), timeout]);
      clearTimeout(timer);
    }
  }

  private track(work: () => Promise<void>): void {
    const p = work().catch((err: unknown) => this.deps.log.error({ err }, "teams: background reply failed"));
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
  }

  private requestFrom(context: TurnContext, text: string): CommandRequest {
    const { from, conversation } = context.activity;
    const actor = { id: from?.aadObjectId ?? from?.id ?? "unknown", ...(from?.name ? { name: from.name } : {}) };
    return { text, actor, channel: { id: baseConversationId(conversation?.id ?? ""), platform: "teams" }, surface: "teams" };
  }

  private async rememberConversation(context: TurnContext): Promise<void> {
    const { conversations } = this.deps;
    if (!conversations) return;
    try {
      const meta = channelData(context.activity);
      await conversations.save(context.activity.getConversationReference(), { teamId: meta.teamId, name: meta.channelName ?? meta.teamName }, this.deps.now());
    } catch (err) {
      this.deps.log.warn({ err }, "teams: could not save the conversation reference");
    }
  }

  private async forgetConversation(context: TurnContext, reason: string): Promise<void> {
    const id = context.activity.conversation?.id;
    if (!this.deps.conversations || !id) return;
    await this.deps.conversations.markBroken(id, reason, this.deps.now());
    this.deps.log.info({ conversation: baseConversationId(id), reason }, "teams: conversation marked broken");
  }

  /** Bot added to a team or chat: remember it; bot removed: mark it broken. */
  private async handleMembership(context: TurnContext): Promise<void> {
    const botId = context.activity.recipient?.id;
    const { membersRemoved } = context.activity;
    if (membersRemoved?.some((m) => m.id === botId)) await this.forgetConversation(context, "the app was removed from this team or chat");
    else await this.rememberConversation(context);
  }

  private async send(context: TurnContext, activity: Activity): Promise<string | undefined> {
    const response = await withConnectorRetry(
      "send a message",
      () => context.sendActivity(activity),
      this.deps.retry,
      (r) => this.deps.log.warn(r, "teams: connector asked to retry"),
    );
    return response?.id;
  }

  private async update(context: TurnContext, activity: Activity): Promise<void> {
    await withConnectorRetry(
      "update a message",
      () => context.updateActivity(activity),
      this.deps.retry,
      (r) => this.deps.log.warn(r, "teams: connector asked to retry"),
    );
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const click = clickFromMessageValue(context.activity.value);
    if (click) {
      await this.handleSubmit(context, click);
      return;
    }
    const text = commandText({ text: context.activity.text, mentions: mentionEntities(context.activity.entities), botId: context.activity.recipient?.id });
    const work = this.deps.router.run(this.requestFrom(context, text), this.deps.context());
    // expectReplies callers get every reply in the HTTP response, so there is nothing to edit later: wait.
    const quick = context.activity.deliveryMode === "expectReplies" ? { done: true as const, value: await work } : await within(work, this.deps.slowReplyMs);
    if (quick.done) {
      await this.send(context, replyActivity(quick.value));
      return;
    }
    const placeholderId = await this.send(context, noticeActivity(WORKING_ON_IT));
    const reference = context.activity.getConversationReference();
    this.track(async () => {
      const reply = await work;
      if (placeholderId) await this.updateLater(reference, placeholderId, reply);
      else await this.postLater(reference, reply);
    });
  }

  /** Replaces a message after the turn has ended: a proactive update through continueConversation. */
  private async updateLater(reference: ConversationReference, messageId: string, reply: Reply): Promise<void> {
    await withConnectorRetry(
      "update a message",
      () =>
        continueConversation(this.deps.adapter, this.deps.identity, reference, async (context) => {
          await context.updateActivity(replyActivity(reply, messageId));
        }),
      this.deps.retry,
    );
  }

  private async postLater(reference: ConversationReference, reply: Reply): Promise<void> {
    await withConnectorRetry(
      "send a message",
      () =>
        continueConversation(this.deps.adapter, this.deps.identity, reference, async (context) => {
          const connector = connectorOf(this.deps.adapter, context);
          const activity = replyActivity(reply).applyConversationReference(context.activity.getConversationReference());
          delete activity.replyToId;
          await connector.sendToConversation(activity.conversation?.id ?? "", activity);
        }),
      this.deps.retry,
    );
  }

  /**
   * The clicker's UPN from the conversation roster (the Bot Connector's member lookup), checked
   * against the AAD object id on the activity: what an owner tag is matched on. The display name
   * in `from.name` is whatever the person typed and is never used to decide who they are.
   */
  private async rosterEmail(context: TurnContext): Promise<string | undefined> {
    const { from, conversation } = context.activity;
    if (!from?.id || !conversation?.id) return undefined;
    try {
      const member = (await connectorOf(this.deps.adapter, context).getConversationMember(from.id, conversation.id)) as {
        aadObjectId?: string;
        userPrincipalName?: string;
        email?: string;
      };
      if (from.aadObjectId && member.aadObjectId && member.aadObjectId.toLowerCase() !== from.aadObjectId.toLowerCase()) return undefined;
      return member.userPrincipalName ?? member.email;
    } catch (err) {
      this.deps.log.warn({ err }, "teams: could not look up who clicked in the roster");
      return undefined;
    }
  }

  private async actionRequest(context: TurnContext, click: ButtonClick): Promise<ActionRequest> {
    const base = this.requestFrom(context, "");
    // Only idle-alert buttons decide on an owner tag; other clicks need no roster call.
    const email = click.verb.startsWith("idle.") ? await this.rosterEmail(context) : undefined;
    const actor = email ? { ...base.actor, email } : base.actor;
    const request: ActionRequest = { verb: click.verb, payload: click.payload, actor, channel: base.channel, surface: "teams" };
    const messageId = context.activity.replyToId;
    if (messageId) {
      const message: PostedMessage = { platform: "teams", channelId: base.channel.id, messageId };
      request.message = message;
    }
    return request;
  }

  /** The click's effects that every path shares: a new post, and the edit everyone sees. */
  private async applyResult(context: TurnContext, result: ActionResult): Promise<ReturnType<typeof renderAdaptiveCard> | undefined> {
    if (result.post) {
      try {
        await this.send(context, replyActivity(result.post));
      } catch (err) {
        this.deps.log.warn({ err }, "teams: could not post the button's new message");
      }
    }
    if (!result.update) return undefined;
    const card = answerCard(result.update);
    const messageId = context.activity.replyToId;
    if (messageId) {
      try {
        await this.update(context, replyActivity(result.update, messageId));
      } catch (err) {
        this.deps.log.warn({ err }, "teams: could not update the card's message for everyone");
      }
    }
    return card;
  }

  /** Action.Submit fallback: the click arrives as a message whose value is the button's data. */
  private async handleSubmit(context: TurnContext, click: ButtonClick): Promise<void> {
    const result = await this.deps.router.runAction(await this.actionRequest(context, click), this.deps.context());
    await this.applyResult(context, result);
    if (result.ephemeral) await this.send(context, replyActivity(result.ephemeral));
  }

  /** Universal Actions: the updated card goes back in the invoke response (for the clicker) and into the message (for everyone). */
  protected override async onAdaptiveCardInvoke(context: TurnContext, _value: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    await this.rememberConversation(context);
    const message = (text: string): AdaptiveCardInvokeResponse => ({
      statusCode: 200,
      type: "application/vnd.microsoft.activity.message",
      value: text as unknown as Record<string, unknown>,
    });
    const click = clickFromInvoke(context.activity.value);
    if (!click) return message("That button is not one gpuops knows.");
    // Buttons that need typed input (a deny reason, the GPU request form) answer with a form card for the clicker.
    const form = formCardFor(click);
    if (form) return { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: form };
    const result = await this.deps.router.runAction(await this.actionRequest(context, click), this.deps.context());
    const card = await this.applyResult(context, result);
    if (card) return { statusCode: 200, type: ADAPTIVE_CARD_CONTENT_TYPE, value: card };
    if (result.ephemeral) return message(plainSummary(result.ephemeral));
    return message("Done.");
  }
}
