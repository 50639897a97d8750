/**
 * The Slack PostingPort: chat.postMessage / chat.update for digests, alerts and approvals.
 * Posts to one channel go out one at a time, about one a second (Slack's chat.postMessage
 * limit, platform-facts B/S5); a 429 pauses that channel for its Retry-After and tries again,
 * within a bound; permanent failures (archived channel, app removed) throw at once with a reason.
 *
 * @example
 * const posting = createSlackPosting({ client, log });
 * const msg = await posting.post("C0123", reply);   // later: posting.update(msg, newerReply)
 */
import type { WebClient } from "@slack/web-api";
import { GpuopsError } from "../../errors.ts";
import type { Logger } from "../../log.ts";
import { renderSlack, type SlackMessage, slackCanShowImage } from "../../render/slack.ts";
import type { Reply } from "../../reply/reply.ts";
import type { PostedMessage, PostingPort } from "../../services/ports.ts";
import { retry } from "../../services/retry.ts";
import { postingError, retryAfterSeconds } from "./web-client.ts";

export interface SlackPostingOptions {
  client: WebClient;
  log: Logger;
  /** Gap between two posts to the same channel (default 1000 ms). */
  minIntervalMs?: number;
  /** Longest Retry-After waited out; longer ones fail with chat_throttled (default 30 s). */
  maxRetryWaitSeconds?: number;
  /** 429s tolerated for one message before giving up (default 3). */
  maxRateLimitRetries?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  /** Where chart PNGs are kept: charts without a public https URL are uploaded as files. */
  images?: { get(id: string): Promise<Buffer | undefined> };
}

export interface SlackPosting extends PostingPort {
  /** Posts an already-rendered message (the door adds Slack-only context such as "shared by <@U…>"). */
  /**
   * Uploads the reply's charts that Slack cannot fetch (no public https URL) into the channel as
   * PNG files (files.uploadV2, scope files:write), under the message; returns how many went up.
   * Failures are logged and leave the message's caption in place, never fail the post.
   */
  uploadCharts(channelId: string, reply: Reply, opts?: { threadId?: string }): Promise<number>;
  postMessage(channelId: string, message: SlackMessage, opts?: { threadId?: string; marker?: string }): Promise<PostedMessage>;
  /** 429 answers seen, for /metrics and tests. */
  stats(): { posts: number; updates: number; rateLimited: number; uploads: number };
}

const needsNoUpload = (url: string | undefined) => url !== undefined && slackCanShowImage(url);
/** The metadata event type gpuops tags its scheduled posts with (digests, idle alerts). */
export const MARKER_EVENT = "gpuops_post";

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs `once` again after each 429, as long as Slack's Retry-After is within `maxWaitMs` and tries
 * remain; other failures become a posting error at once, a 429 given up on becomes chat_throttled.
 */
async function retryRateLimited<T>(
  once: () => Promise<T>,
  channelId: string,
  o: { maxRetries: number; maxWaitMs: number; log: Logger; seen(): void; pause(ms: number): void },
): Promise<T> {
  try {
    return await retry(once, {
      attempts: o.maxRetries + 1,
      backoff: { baseMs: 0 },
      retryAfter: { mode: "instead", maxMs: o.maxWaitMs, beyond: "give-up" },
      decide: (outcome) => {
        const retryAfter = outcome.ok ? undefined : retryAfterSeconds(outcome.error);
        if (retryAfter === undefined) return { retry: false };
        o.seen();
        return { retry: true, retryAfterMs: retryAfter * 1000 };
      },
      onRetry: ({ attempt, delayMs }) => o.log.warn({ channelId, retryAfter: delayMs / 1000, attempt: attempt - 1 }, "Slack rate limit; waiting before retrying"),
      sleep: async (ms) => o.pause(ms),
    });
  } catch (err) {
    const retryAfter = retryAfterSeconds(err);
    if (retryAfter === undefined) throw postingError(err, channelId);
    throw new GpuopsError("chat_throttled", `Slack is rate-limiting posts to channel ${channelId} (asked to wait ${retryAfter} s); try again later.`, {
      cause: err,
      context: { channelId, retryAfter },
    });
  }
}

export function createSlackPosting(opts: SlackPostingOptions): SlackPosting {
  const minInterval = opts.minIntervalMs ?? 1000;
  const maxWait = opts.maxRetryWaitSeconds ?? 30;
  const maxRetries = opts.maxRateLimitRetries ?? 3;
  const sleep = opts.sleep ?? defaultSleep;
  const now = opts.now ?? Date.now;
  const log = opts.log.child({ component: "slack-posting" });
  const queues = new Map<string, Promise<unknown>>();
  const nextAt = new Map<string, number>();
  const counts = { posts: 0, updates: 0, rateLimited: 0, uploads: 0 };

  /** Runs `call` in the channel's queue, spaced and retried on 429. */
  function inChannel<T>(channelId: string, call: () => Promise<T>): Promise<T> {
    const once = async (): Promise<T> => {
      const wait = (nextAt.get(channelId) ?? 0) - now();
      if (wait > 0) await sleep(wait);
      nextAt.set(channelId, now() + minInterval);
      return call();
    };
    const run = () =>
      retryRateLimited(once, channelId, {
        maxRetries,
        maxWaitMs: maxWait * 1000,
        log,
        seen: () => {
          counts.rateLimited += 1;
        },
        // The pause belongs to the channel: the next try, and any post queued behind it, waits at the gate in `once`.
        pause: (ms) => void nextAt.set(channelId, now() + ms),
      });
    const previous = queues.get(channelId) ?? Promise.resolve();
    const result = previous.then(run, run);
    const settled = result.catch(() => undefined);
    queues.set(channelId, settled);
    void settled.then(() => {
      if (queues.get(channelId) === settled) queues.delete(channelId);
    });
    return result;
  }

  async function postMessage(channelId: string, message: SlackMessage, o: { threadId?: string; marker?: string } = {}): Promise<PostedMessage> {
    const r = await inChannel(channelId, () =>
      opts.client.chat.postMessage({
        channel: channelId,
        text: message.text,
        blocks: message.blocks,
        unfurl_links: false,
        unfurl_media: false,
        ...(o.threadId ? { thread_ts: o.threadId } : {}),
        ...(o.marker ? { metadata: { event_type: MARKER_EVENT, event_payload: { marker: o.marker } } } : {}),
      }),
    );
    counts.posts += 1;
    const posted: PostedMessage = { platform: "slack", channelId: r.channel ?? channelId, messageId: r.ts ?? "" };
    if (o.threadId) posted.threadId = o.threadId;
    return posted;
  }

  async function uploadCharts(channelId: string, reply: Reply, o: { threadId?: string } = {}): Promise<number> {
    const images = opts.images;
    if (!images) return 0;
    let n = 0;
    for (const part of reply.parts) {
      if (part.kind !== "image" || part.imageId === undefined || needsNoUpload(part.url)) continue;
      try {
        const png = await images.get(part.imageId);
        if (!png) continue;
        const file = { file: png, filename: "gpuops-chart.png", title: part.alt.slice(0, 250) || "chart", alt_text: part.alt.slice(0, 1000) || "chart" };
        await opts.client.filesUploadV2(o.threadId ? { ...file, channel_id: channelId, thread_ts: o.threadId } : { ...file, channel_id: channelId });
        n += 1;
        counts.uploads += 1;
      } catch (err) {
        log.warn({ err, channelId }, "could not upload a chart to Slack (does the app have files:write?)");
      }
    }
    return n;
  }

  /**
   * Reads the channel's recent history (conversations.history with include_all_metadata; needs
   * channels:history, groups:history for private channels) for gpuops' own message carrying
   * `marker`. Any error — a missing scope included — answers "unknown": the caller then decides.
   */
  async function findPosted(channelId: string, marker: string, since: Date): Promise<PostedMessage | "unknown" | undefined> {
    try {
      let cursor: string | undefined;
      for (let page = 0; page < 5; page++) {
        const r = await opts.client.conversations.history({
          channel: channelId,
          oldest: (since.getTime() / 1000).toFixed(6),
          include_all_metadata: true,
          limit: 200,
          ...(cursor ? { cursor } : {}),
        });
        for (const m of r.messages ?? []) {
          const meta = m.metadata as { event_type?: string; event_payload?: { marker?: unknown } } | undefined;
          if (meta?.event_type === MARKER_EVENT && meta.event_payload?.marker === marker && m.ts) return { platform: "slack", channelId, messageId: m.ts };
        }
        cursor = r.response_metadata?.next_cursor || undefined;
        if (!r.has_more || !cursor) return undefined;
      }
      return "unknown";
    } catch (err) {
      log.warn({ channelId, err: postingError(err, channelId).message }, "could not read the channel's history to check an earlier post");
      return "unknown";
    }
  }

  return {
    platform: "slack",
    postMessage,
    uploadCharts,
    async post(channelId, reply: Reply, o = {}) {
      const uploads = opts.images !== undefined;
      const posted = await postMessage(channelId, renderSlack(reply, { chartUploads: uploads }), o);
      if (uploads) await uploadCharts(channelId, reply, o);
      return posted;
    },
    findPosted,
    async update(message, reply) {
      const m = renderSlack(reply);
      await inChannel(message.channelId, () => opts.client.chat.update({ channel: message.channelId, ts: message.messageId, text: m.text, blocks: m.blocks }));
      counts.updates += 1;
    },
    stats: () => ({ ...counts }),
  };
}
