/**
 * A PostingPort that keeps what it was asked to post, with fault knobs: fail the next N posts, or
 * every post to a channel, with a given error. Tests use it where the thing under test is the
 * digest/alert logic, not a chat platform (those have their own fake servers).
 *
 * @example
 * const poster = createRecordingPoster("slack");
 * poster.failChannel("C-archived", new GpuopsError("chat_unavailable", "channel_not_found"));
 */
import type { Reply } from "../../src/reply/reply.ts";
import type { PostedMessage, PostingPort } from "../../src/services/ports.ts";

export interface RecordedPost {
  kind: "post" | "update";
  channelId: string;
  messageId: string;
  reply: Reply;
  threadId?: string;
}

export interface RecordingPoster extends PostingPort {
  posts: RecordedPost[];
  /** Every post/update to this channel throws `error` (until cleared). */
  failChannel(channelId: string, error: Error): void;
  /** The next `times` calls to this channel throw `error`, then it works again. */
  failNext(channelId: string, times: number, error: Error): void;
  clearFaults(): void;
  /** Calls that threw, per channel. */
  failures: Map<string, number>;
  /** Posts (new messages) per channel. */
  count(channelId: string, kind?: "post" | "update"): number;
}

export function createRecordingPoster(platform: string): RecordingPoster {
  const posts: RecordedPost[] = [];
  const always = new Map<string, Error>();
  const next = new Map<string, { times: number; error: Error }>();
  const failures = new Map<string, number>();
  let seq = 0;

  function maybeFail(channelId: string): void {
    const err = always.get(channelId);
    const n = next.get(channelId);
    const fail = err ?? (n && n.times > 0 ? n.error : undefined);
    if (n && n.times > 0 && !err) n.times -= 1;
    if (fail) {
      failures.set(channelId, (failures.get(channelId) ?? 0) + 1);
      throw fail;
    }
  }

  return {
    platform,
    posts,
    failures,
    async post(channelId, reply, opts = {}) {
      maybeFail(channelId);
      const messageId = `m${++seq}`;
      posts.push({ kind: "post", channelId, messageId, reply, ...(opts.threadId ? { threadId: opts.threadId } : {}) });
      const m: PostedMessage = { platform, channelId, messageId };
      if (opts.threadId) m.threadId = opts.threadId;
      return m;
    },
    async update(message, reply) {
      maybeFail(message.channelId);
      posts.push({ kind: "update", channelId: message.channelId, messageId: message.messageId, reply });
    },
    failChannel: (channelId, error) => void always.set(channelId, error),
    failNext: (channelId, times, error) => void next.set(channelId, { times, error }),
    clearFaults() {
      always.clear();
      next.clear();
    },
    count: (channelId, kind = "post") => posts.filter((p) => p.channelId === channelId && p.kind === kind).length,
  };
}
