/**
 * continueConversation that reports failures to its caller. The SDK runs the logic inside its
 * middleware pipeline, where an error goes to the adapter's onTurnError and is swallowed; a
 * proactive post must instead see the connector's answer (to retry it, or mark the conversation
 * broken), so the logic's error is carried out and rethrown here.
 */
import type { ConversationReference } from "@microsoft/agents-activity";
import type { CloudAdapter, ConnectorClient, TurnContext } from "@microsoft/agents-hosting";

export type BotIdentity = Parameters<CloudAdapter["continueConversation"]>[0];

export async function continueConversation(
  adapter: CloudAdapter,
  identity: BotIdentity,
  reference: ConversationReference,
  logic: (context: TurnContext) => Promise<void>,
): Promise<void> {
  let failure: { error: unknown } | undefined;
  await adapter.continueConversation(identity, reference, async (context) => {
    try {
      await logic(context);
    } catch (error) {
      failure = { error };
    }
  });
  if (failure) throw failure.error;
}

/** Inside continueConversation: the connector client the SDK prepared for this conversation. */
export function connectorOf(adapter: CloudAdapter, context: TurnContext): ConnectorClient {
  return context.turnState.get<ConnectorClient>(adapter.ConnectorClientKey);
}
