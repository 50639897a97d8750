/**
 * Chat ports: posting to a channel, and what a platform says about its users and groups.
 */
import type { Reply } from "../../reply/reply.ts";

/** A message gpuops posted, addressable for later updates (Slack ts, Teams activity id). */
export interface PostedMessage {
  platform: string;
  channelId: string;
  messageId: string;
  /** Thread root when the message sits in a thread. */
  threadId?: string;
}

/**
 * Post or update a message in a channel, used by digests, alerts and approvals. Implemented per
 * platform (Slack chat.postMessage/chat.update, Teams continueConversation, the console).
 * Rate limits and retries are the implementation's job; a permanent failure throws a
 * GpuopsError whose message says why (channel archived, app removed).
 */
export interface PostingPort {
  platform: string;
  /** `marker` tags the message (Slack: message metadata) so findPosted can tell later whether this post landed. */
  post(channelId: string, reply: Reply, opts?: { threadId?: string; marker?: string }): Promise<PostedMessage>;
  update(message: PostedMessage, reply: Reply): Promise<void>;
  /**
   * Whether a post tagged `marker` reached the channel since `since` (after a crash or a timeout,
   * before posting again). "unknown" when this platform cannot tell (no history read, missing scope).
   */
  findPosted?(channelId: string, marker: string, since: Date): Promise<PostedMessage | "unknown" | undefined>;
}

/** Resolves group membership on a platform (Slack user groups); absent → only listed users count. */
export interface GroupDirectory {
  platform: string;
  isMember(userId: string, groupId: string): Promise<boolean>;
}

/**
 * Who a platform user id is, as the platform itself says (Slack users.info with users:read.email).
 * Used to match a VM's owner tag (an e-mail) to the person clicking; never a display name.
 */
export interface UserDirectoryPort {
  platform: string;
  /** The user's e-mail as the platform reports it, or undefined (unknown user, no scope, lookup failed). */
  verifiedEmail(userId: string): Promise<string | undefined>;
}
