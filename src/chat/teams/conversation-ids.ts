/** Teams conversation ids: a channel thread is "<channel id>;messageid=<root id>", the channel is the base. */

/** Teams addresses a channel thread as "<channel id>;messageid=<root id>"; the channel is the base. */
export function baseConversationId(conversationId: string): string {
  const i = conversationId.indexOf(";messageid=");
  return i === -1 ? conversationId : conversationId.slice(0, i);
}

export function threadConversationId(conversationId: string, threadId: string | undefined): string {
  return threadId ? `${baseConversationId(conversationId)};messageid=${threadId}` : baseConversationId(conversationId);
}
