/**
 * Sending a message without the Agents SDK's copy of it. The SDK's connector client turns every
 * outgoing activity into JSON text, parses it back (`normalizeOutgoingActivity`, to rename two
 * fields) and serialises the copy again to send it: three passes over a 12 KB answer card on every
 * message, with no option to skip them. On `skus` that copy was a quarter of a Teams message's CPU.
 *
 * `LeanCloudAdapter` is the SDK's CloudAdapter with `sendActivities` overridden for plain
 * messages: it writes the activity's wire JSON once, with the renames the SDK makes, and posts it
 * through the turn's own connector client (`turnState.get(ConnectorClientKey).httpClient`, the
 * client, token and headers the SDK set up for the turn). A card that answers are sent with again
 * and again (kept with its answer, see card-activity.ts) is serialised once, on its first send,
 * and its JSON text is written in as it is after that. Anything else (invoke responses, traces,
 * targeted and agentic activities) goes through the SDK unchanged.
 */
import type { Activity } from "@microsoft/agents-activity";
import { CloudAdapter, type ConnectorClient, type ResourceResponse, type TurnContext } from "@microsoft/agents-hosting";

const keptJson = new WeakMap<object, string>();

/** Marks `card` as never changing again (an answer's kept card): its JSON text is made once, on its first send, and reused. */
export function sendUnchanged<T extends object>(card: T): T {
  if (!keptJson.has(card)) keptJson.set(card, "");
  return card;
}

function contentJson(content: unknown): string {
  if (typeof content !== "object" || content === null || !keptJson.has(content)) return JSON.stringify(content) ?? "null";
  let text = keptJson.get(content) as string;
  if (text === "") {
    text = JSON.stringify(content);
    keptJson.set(content, text);
  }
  return text;
}

/** `{"a":1}` + `"b":2` → `{"a":1,"b":2}`. */
function withMember(objectJson: string, member: string): string {
  return `${objectJson.slice(0, -1)}${objectJson.length > 2 ? "," : ""}${member}}`;
}

/**
 * The activity as the SDK puts it on the wire (after its normalizeOutgoingActivity: `channelId`
 * from the private `_channelId`, `relatesTo.agent` as `bot`), with each attachment's content
 * written in from its JSON text.
 */
export function wireJson(activity: Activity): string {
  const { attachments, relatesTo, _channelId, ...rest } = activity as unknown as Record<string, unknown> & {
    attachments?: Array<Record<string, unknown>>;
    relatesTo?: Record<string, unknown>;
    _channelId?: unknown;
  };
  const head: Record<string, unknown> = rest;
  if (relatesTo) {
    const { agent, ...others } = relatesTo;
    head.relatesTo = agent ? { ...others, bot: agent } : relatesTo;
  }
  if (_channelId) head.channelId = String(_channelId);
  const json = JSON.stringify(head);
  if (!attachments) return json;
  const parts = attachments.map(({ content, ...meta }) => (content === undefined ? JSON.stringify(meta) : withMember(JSON.stringify(meta), `"content":${contentJson(content)}`)));
  return withMember(json, `"attachments":[${parts.join(",")}]`);
}

/** Plain messages the SDK would post as they are: to Teams and other channels, not to agentic identities (whose conversation ids it trims) nor targeted. */
function leanable(activity: Activity): boolean {
  if (activity.type !== "message" || !activity.serviceUrl || !activity.conversation?.id) return false;
  if (activity.channelIdChannel === "agents") return false;
  return !activity.isTargetedActivity();
}

export class LeanCloudAdapter extends CloudAdapter {
  override async sendActivities(context: TurnContext, activities: Activity[]): Promise<ResourceResponse[]> {
    const connector = context?.turnState.get<ConnectorClient>(this.ConnectorClientKey);
    if (!connector || !activities?.length || !activities.every(leanable)) return super.sendActivities(context, activities);
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      delete activity.id;
      const conversationId = activity.conversation?.id as string;
      const url = activity.replyToId ? `v3/conversations/${conversationId}/activities/${encodeURIComponent(activity.replyToId)}` : `v3/conversations/${conversationId}/activities`;
      // A string body is sent as it is (HttpClient.request); errors are the SDK's HttpError, as from replyToActivity.
      const response = await connector.httpClient.request({ method: "post", url, headers: { "Content-Type": "application/json" }, data: wireJson(activity) });
      const data = response.data as ResourceResponse | string | undefined;
      responses.push(data && typeof data === "object" ? data : { id: "" });
    }
    return responses;
  }
}
