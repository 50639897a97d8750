/**
 * Teams-shaped activities as the Bot Connector POSTs them to /api/messages (the fields Teams
 * sends for personal chats, channels, installs and Universal Actions invokes; ids are made up
 * in Teams' formats: "29:" users, "28:" bots, "a:" personal and "19:…@thread.tacv2" channel
 * conversations).
 */

export const TENANT_ID = "72f988bf-86f1-41af-91ab-2d7cd011db47";
export const BOT_APP_ID = "9c0e2a6e-5a0e-4a43-8b6f-1d2e3f405162";
export const BOT_ID = `28:${BOT_APP_ID}`;
export const USER = {
  id: "29:1GcS4EyB_oSI8A88XmWBN7NJFyMqe3QGnJdgLfFGkJnVelzRGos0bPbpsfJjcbAD22bmKc4GMbrY2g4JDrrA8vM06X1-cHHle4zOE6U4ttcc",
  name: "Ada Lovelace",
  aadObjectId: "6b0c5c9e-2f6a-4e2e-9d3c-8f0e1a2b3c4d",
};
export const PERSONAL_CONVERSATION = `a:1${"Xz9".repeat(20)}`;
export const CHANNEL_CONVERSATION = "19:2b0c8c4d27f64e1c9a1f0e3d5b6a7c8d@thread.tacv2";
export const TEAM_ID = "19:9f8e7d6c5b4a49382716a5b4c3d2e1f0@thread.tacv2";

let seq = 1_712_000_000_000;
const nextId = () => String(seq++);

function base(serviceUrl: string, conversation: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: nextId(),
    timestamp: new Date().toISOString(),
    serviceUrl,
    channelId: "msteams",
    from: { ...USER },
    recipient: { id: BOT_ID, name: "gpuops" },
    conversation,
    locale: "en-US",
    channelData: { tenant: { id: TENANT_ID } },
    ...extra,
  };
}

export const personalConversation = (id = PERSONAL_CONVERSATION) => ({ conversationType: "personal", tenantId: TENANT_ID, id });

/** A 1:1 chat message. */
export function personalMessage(serviceUrl: string, text: string, conversationId = PERSONAL_CONVERSATION): Record<string, unknown> {
  return base(serviceUrl, personalConversation(conversationId), {
    type: "message",
    text,
    textFormat: "plain",
    entities: [{ type: "clientInfo", locale: "en-US", country: "US", platform: "Web", timezone: "Europe/London" }],
  });
}

/** A channel message that @mentions the bot (Teams puts the mention in the text and an entity). */
export function channelMention(serviceUrl: string, command: string, opts: { rootId?: string } = {}): Record<string, unknown> {
  const rootId = opts.rootId ?? nextId();
  return base(
    serviceUrl,
    { isGroup: true, conversationType: "channel", tenantId: TENANT_ID, id: `${CHANNEL_CONVERSATION};messageid=${rootId}` },
    {
      type: "message",
      text: `<at>gpuops</at> ${command}\n`,
      textFormat: "plain",
      entities: [
        { type: "mention", text: "<at>gpuops</at>", mentioned: { id: BOT_ID, name: "gpuops" } },
        { type: "clientInfo", locale: "en-US", country: "US", platform: "Windows", timezone: "Europe/London" },
      ],
      channelData: {
        teamsChannelId: CHANNEL_CONVERSATION,
        teamsTeamId: TEAM_ID,
        channel: { id: CHANNEL_CONVERSATION, name: "gpu-capacity" },
        team: { id: TEAM_ID, name: "AI Platform" },
        tenant: { id: TENANT_ID },
      },
    },
  );
}

/** A group chat message that @mentions the bot (no team or channel in channelData). */
export function groupChatMention(serviceUrl: string, command: string, conversationId = "19:meeting_OGZkYzA0@thread.v2"): Record<string, unknown> {
  return base(
    serviceUrl,
    { isGroup: true, conversationType: "groupChat", tenantId: TENANT_ID, id: conversationId },
    {
      type: "message",
      text: `<at>gpuops</at>&nbsp;${command}`,
      textFormat: "plain",
      entities: [{ type: "mention", text: "<at>gpuops</at>", mentioned: { id: BOT_ID, name: "gpuops" } }],
    },
  );
}

/** The bot installed in a personal scope. */
export function installationAdd(serviceUrl: string, conversationId = PERSONAL_CONVERSATION): Record<string, unknown> {
  return base(serviceUrl, personalConversation(conversationId), { type: "installationUpdate", action: "add" });
}

/** Universal Actions: a click on an Action.Execute button of the message `replyToId`. */
export function cardInvoke(serviceUrl: string, replyToId: string, verb: string, data: unknown, conversationId = PERSONAL_CONVERSATION): Record<string, unknown> {
  return base(serviceUrl, personalConversation(conversationId), {
    type: "invoke",
    name: "adaptiveCard/action",
    replyToId,
    value: { action: { type: "Action.Execute", verb, data }, trigger: "manual" },
  });
}

/** Action.Submit fallback: the click arrives as a message whose value is the button's data. */
export function cardSubmit(serviceUrl: string, replyToId: string, data: unknown, conversationId = PERSONAL_CONVERSATION): Record<string, unknown> {
  return base(serviceUrl, personalConversation(conversationId), { type: "message", replyToId, value: data });
}

/** POSTs an activity to a running gpuops server's /api/messages. */
export async function postActivity(serverUrl: string, activity: Record<string, unknown>, headers: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${serverUrl}/api/messages`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(activity) });
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body };
}
