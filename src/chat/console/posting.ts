/**
 * The console's PostingPort (platform "console"): digests, alerts and approval requests posted
 * "to a channel" land in the console's local channel pane, and updates replace them in place,
 * exactly as Slack's chat.update or a Teams activity update would. There is no rate limit to
 * respect and nothing to retry: the channel is memory.
 *
 * @example
 * const posting = createConsolePosting(messages);
 * const posted = await posting.post("local", digestReply);
 * await posting.update(posted, updatedReply);
 */
import { GpuopsError } from "../../errors.ts";
import type { Reply } from "../../reply/reply.ts";
import type { PostedMessage, PostingPort } from "../../services/ports.ts";
import type { ConsoleMessages } from "./messages.ts";

export const CONSOLE_PLATFORM = "console";
/** The one channel the console page shows by default. */
export const LOCAL_CHANNEL = "local";

/** Console channel ids are short names ("local", "approvers"); anything else is refused. */
const CHANNEL_ID = /^[a-z0-9][a-z0-9_-]{0,63}$/i;

export function createConsolePosting(messages: ConsoleMessages): PostingPort {
  return {
    platform: CONSOLE_PLATFORM,
    async post(channelId, reply: Reply, opts = {}) {
      if (!CHANNEL_ID.test(channelId)) {
        throw new GpuopsError("chat_unavailable", `"${channelId.slice(0, 80)}" is not a console channel name (example: local).`, {
          context: { channelId: channelId.slice(0, 80) },
        });
      }
      const m = messages.add({ pane: "channel", channelId, from: "bot", reply, ...(opts.threadId ? { threadId: opts.threadId } : {}) });
      return { platform: CONSOLE_PLATFORM, channelId, messageId: m.id, ...(opts.threadId ? { threadId: opts.threadId } : {}) };
    },
    async update(message: PostedMessage, reply: Reply) {
      if (message.platform !== CONSOLE_PLATFORM) {
        throw new GpuopsError("chat_unavailable", `A ${message.platform} message cannot be updated through the console.`, { context: { platform: message.platform } });
      }
      messages.update(message.messageId, reply);
    },
  };
}
