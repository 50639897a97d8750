/**
 * Questions said to the bot rather than typed as /gpu: an @mention in a channel (`app_mention`,
 * answered in the message's thread) and a direct message (`message` in an `im`, answered in the
 * DM). Slack markup is stripped by the core's understanding step; the text then goes through the
 * same router as the slash command. Events are acked by Bolt at once; the answer is posted
 * through the rate-limited posting port. The bot's own messages, edits and other bots are ignored.
 */
import type { App } from "@slack/bolt";
import type { CommandRequest } from "../../commands/types.ts";
import { renderSlack } from "../../render/slack.ts";
import { userError } from "../../reply/reply.ts";
import type { DoorDeps } from "./door-deps.ts";

/** The question in a mention: the bot's own `<@U…>` removed wherever it stands. */
export function mentionText(text: string, botUserId: string): string {
  return text.replaceAll(`<@${botUserId}>`, " ").replace(/\s+/g, " ").trim();
}

interface Said {
  user: string;
  text: string;
  channel: string;
  /** Thread to answer in; undefined answers in the conversation itself. */
  threadTs: string | undefined;
}

function answer(deps: DoorDeps, said: Said, kind: "mention" | "dm"): void {
  const request: CommandRequest = { text: said.text, actor: { id: said.user }, channel: { id: said.channel, platform: "slack" }, surface: "slack" };
  const log = deps.log.child({ slack: { user: said.user, channel: said.channel, kind } });
  deps.track(
    deps.router
      .run(request, deps.context())
      .catch((err: unknown) => {
        log.error({ err }, "answering a message failed");
        return userError("internal", "Something went wrong on our side while answering; it has been logged. Try again, or ask `help`.");
      })
      .then((reply) => deps.posting.postMessage(said.channel, renderSlack(reply), said.threadTs ? { threadId: said.threadTs } : {})),
  );
}

export function registerMessageEvents(bolt: App, deps: DoorDeps, botUserId: string): void {
  bolt.event("app_mention", async ({ event }) => {
    if (!event.user || event.user === botUserId || ("bot_id" in event && event.bot_id)) return;
    answer(deps, { user: event.user, text: mentionText(event.text, botUserId), channel: event.channel, threadTs: event.thread_ts ?? event.ts }, "mention");
  });
  bolt.event("message", async ({ event }) => {
    // Only plain messages people send the bot in its DM: no edits, joins, bot posts or channel chatter.
    if (event.channel_type !== "im" || event.subtype !== undefined) return;
    const m = event as { user?: string; text?: string; bot_id?: string; thread_ts?: string };
    if (!m.user || m.user === botUserId || m.bot_id || !m.text) return;
    answer(deps, { user: m.user, text: mentionText(m.text, botUserId), channel: event.channel, threadTs: m.thread_ts }, "dm");
  });
}
