/**
 * Reply → the Activity Teams receives: one Adaptive Card attachment (rendered by render/teams.ts)
 * and a short plain summary for notifications and the chat list.
 */
import { Activity, ActivityTypes, AttachmentLayoutTypes, InputHints } from "@microsoft/agents-activity";
import { CardFactory } from "@microsoft/agents-hosting";
import { buttonsStillKept, longListOptions } from "../../commands/show-rows.ts";
import { renderedOnce } from "../../render/rendered-once.ts";
import { type AdaptiveCardJson, notificationText, renderAdaptiveCard, renderNoticeCard } from "../../render/teams.ts";
import type { Reply } from "../../reply/reply.ts";
import { sendUnchanged } from "./lean-sends.ts";

/** A message activity carrying `card`; `id` set when it replaces an existing message. */
export function cardActivity(card: AdaptiveCardJson, summary: string, id?: string): Activity {
  // What MessageFactory.attachment builds, without validating the object it builds from (a zod
  // parse per message): the fields are set here, by type.
  const activity = new Activity(ActivityTypes.Message);
  activity.attachmentLayout = AttachmentLayoutTypes.List;
  activity.inputHint = InputHints.AcceptingInput;
  activity.attachments = [CardFactory.adaptiveCard(card)];
  activity.summary = summary.slice(0, 200);
  if (id !== undefined) activity.id = id;
  return activity;
}

/**
 * The card for an answer. A long table shows its first rows and a "Show all" button rather than
 * growing towards the size limit. Rendered once per answer (a memoised answer is sent again and
 * again), again only when the answer behind its button is no longer kept.
 */
export function answerCard(reply: Reply): AdaptiveCardJson {
  // Never changed once rendered: the Teams door sends its JSON text, made once (lean-sends.ts).
  return sendUnchanged(
    renderedOnce(
      reply,
      "teams-card",
      () => renderAdaptiveCard(reply, longListOptions(reply)),
      () => buttonsStillKept(reply),
    ),
  );
}

export function replyActivity(reply: Reply, id?: string): Activity {
  // The summary is what a notification shows: for an error, the reason itself.
  return cardActivity(answerCard(reply), notificationText(reply), id);
}

export function noticeActivity(text: string, id?: string): Activity {
  return cardActivity(renderNoticeCard(text), text, id);
}

/** One line for places that show text only (the invoke "message" response): title and first text. */
export function plainSummary(reply: Reply): string {
  const first = reply.parts.find((p) => p.kind === "text");
  return [reply.title, first?.kind === "text" ? first.text : undefined].filter(Boolean).join(": ").slice(0, 500);
}
