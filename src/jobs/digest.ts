/**
 * The scheduled digest: one job per subscribed channel ("digest:<platform>:<channel>"), run once
 * per local day at the channel's time. It builds the digest (src/commands/digest.ts), applies the
 * channel's noise rule, delivers through the platform's posting port (a new message, or an edit of
 * the channel's one message with update-in-place), retries failures with bounded back-off, and
 * records the outcome per channel and day, so `status` can say what happened.
 *
 * One channel's failure is its own: each channel is its own job, and nothing here throws.
 *
 * @example
 * scheduler.source("digests", digestJobs({ subscriptions, posting, context: app.context }));
 */
import { buildDigest, type DigestSources } from "../commands/digest.ts";
import { describeSubscription } from "../commands/subscribe.ts";
import type { CommandContext, CoreLogger } from "../commands/types.ts";
import { decideNoise, type NoiseDecision } from "../domain/digest.ts";
import { formatMoney } from "../domain/money.ts";
import { dailyCron } from "../domain/schedule.ts";
import { asGpuopsError, type GpuopsError } from "../errors.ts";
import type { Reply } from "../reply/reply.ts";
import type { ChannelSubscription, PostedMessage, PostingPort } from "../services/ports.ts";
import { retry } from "../services/retry.ts";
import type { DigestPostRecord, SubscriptionStore } from "../store/subscriptions.ts";
import type { PostingRegistry } from "./posting-registry.ts";
import type { JobDefinition, JobOutcome, JobRun } from "./scheduler.ts";

export interface RetryPolicy {
  /** Tries in all, the first included (default 4). */
  attempts: number;
  /** First back-off; each next one is 4× longer (default 2 s → 8 s → 32 s). */
  baseMs: number;
  /** Longest single wait, Retry-After included (default 60 s). */
  maxMs: number;
}

export interface DigestJobDeps {
  subscriptions: SubscriptionStore;
  posting: PostingRegistry;
  /** The command context (services, settings); its clock is not used: runs carry their own time. */
  context: () => CommandContext;
  sources?: DigestSources;
  log?: CoreLogger;
  retry?: Partial<RetryPolicy>;
  /** Waits between retries (tests pass one that records and returns at once). */
  sleep?: (ms: number) => Promise<void>;
  now?: () => Date;
}

export const digestJobName = (platform: string, channelId: string) => `digest:${platform}:${channelId}`;

const DEFAULT_RETRY: RetryPolicy = { attempts: 4, baseMs: 2_000, maxMs: 60_000 };

/** Errors retrying cannot fix: the channel is gone or the app was removed (the doors say so with this code). */
const isPermanent = (code: string) => code === "chat_unavailable";

/** A Retry-After the platform gave with its refusal (seconds, on the error's context), in milliseconds. */
function retryAfterMs(err: GpuopsError): number | undefined {
  const retryAfter = Number(err.context.retryAfter);
  return Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : undefined;
}

/** One failed delivery try, and whether another may help. */
class FailedTry extends Error {
  readonly error: GpuopsError;
  readonly retryable: boolean;
  constructor(error: GpuopsError, retryable: boolean) {
    super(error.message);
    this.error = error;
    this.retryable = retryable;
  }
}

/** The scheduler's job source: one daily job per digest subscription, re-read on every wake-up. */
export function digestJobs(deps: DigestJobDeps): () => Promise<JobDefinition[]> {
  return async () => {
    const subs = await deps.subscriptions.list({ kind: "digest" });
    return subs
      .filter((s) => s.at)
      .map((sub) => ({
        name: digestJobName(sub.platform, sub.channelId),
        schedule: { cron: dailyCron(sub.at as string), timezone: sub.timezone, periodKey: "local-date" as const },
        since: new Date(sub.activeFrom),
        platform: sub.platform,
        channelId: sub.channelId,
        run: (run: JobRun) => runDigest(deps, sub, run),
        onMissed: async (run: JobRun) => {
          // Taken over after the day ended: the stopped run may have posted before it died.
          if (run.takeover && (await confirmEarlierPost(deps, sub, run.periodKey))) return;
          await deps.subscriptions.recordPost({
            platform: sub.platform,
            channelId: sub.channelId,
            localDate: run.periodKey,
            status: "skipped",
            messageId: null,
            threadId: null,
            attempts: 0,
            reason: run.takeover
              ? `gpuops stopped while posting the ${run.periodKey} digest and the day ended before another replica could check it; a past day's digest is not posted late`
              : `gpuops was not running at ${sub.at} ${sub.timezone} on ${run.periodKey}; a past day's digest is not posted late`,
            at: run.startedAt.toISOString(),
          });
        },
      }));
  };
}

/** The tag a day's digest carries (Slack message metadata), so a later run can tell whether it landed. */
export const digestMarker = (platform: string, channelId: string, localDate: string) => `digest:${platform}:${channelId}:${localDate}`;

/** Clock skew allowed between the "posting" record and the platform's message time. */
const LOOKUP_SLACK_MS = 5 * 60_000;

/** Looks for a post tagged `marker` since `since`: the message, undefined (not there), or "unknown". */
async function lookUp(port: PostingPort, channelId: string, marker: string, since: string): Promise<PostedMessage | "unknown" | undefined> {
  if (!port.findPosted) return "unknown";
  return port.findPosted(channelId, marker, new Date(Date.parse(since) - LOOKUP_SLACK_MS));
}

/** After a takeover past the day's end: records the stopped run's post as posted when it landed. */
async function confirmEarlierPost(deps: DigestJobDeps, sub: ChannelSubscription, localDate: string): Promise<boolean> {
  const before = await deps.subscriptions.getPost(sub.platform, sub.channelId, localDate);
  if (before && ["posted", "updated", "suppressed"].includes(before.status)) return true;
  const port = deps.posting.get(sub.platform);
  if (before?.status !== "posting" || !port) return false;
  const found = await lookUp(port, sub.channelId, digestMarker(sub.platform, sub.channelId, localDate), before.at);
  if (!found || found === "unknown") return false;
  await deps.subscriptions.recordPost({
    platform: sub.platform,
    channelId: sub.channelId,
    localDate,
    status: "posted",
    messageId: found.messageId,
    threadId: found.threadId ?? null,
    attempts: before.attempts,
    reason: "confirmed from the channel's history after the posting process stopped",
    at: (deps.now ?? (() => new Date()))().toISOString(),
  });
  return true;
}

function noiseLine(sub: ChannelSubscription, decision: NoiseDecision): string | undefined {
  if (sub.noise.kind === "always") return undefined;
  return `Posted because ${decision.reason}.`;
}

/**
 * Builds, filters and delivers one channel's digest for one local day. Never throws: the outcome
 * (done, failed, with why) is returned for the claims table and written to the delivery record.
 */
export async function runDigest(deps: DigestJobDeps, sub: ChannelSubscription, run: JobRun): Promise<JobOutcome> {
  const now = deps.now ?? (() => new Date());
  const localDate = run.periodKey;
  const record = (r: Omit<DigestPostRecord, "platform" | "channelId" | "localDate" | "at">) =>
    deps.subscriptions.recordPost({ platform: sub.platform, channelId: sub.channelId, localDate, at: now().toISOString(), ...r });

  // A run that took over from a process that died mid-run: what that one finished stands.
  const before = await deps.subscriptions.getPost(sub.platform, sub.channelId, localDate);
  if (before && ["posted", "updated", "suppressed"].includes(before.status)) {
    return { status: "done", detail: `already ${before.status} for ${localDate}${run.takeover ? " before the previous run stopped" : ""}` };
  }

  let reply: Reply;
  let decision: NoiseDecision;
  try {
    const built = await buildDigest(deps.context(), { scope: sub.scope, timezone: sub.timezone }, run.scheduledAt, deps.sources);
    reply = built.reply;
    decision = built.summary ? decideNoise(sub.noise, built.summary, formatMoney) : { post: true, reason: "spend could not be read, so the rule could not hold it back" };
  } catch (err) {
    const reason = `could not build the digest: ${asGpuopsError(err, "internal").message.slice(0, 300)}`;
    deps.log?.error({ job: run.job, err: reason }, "digest failed");
    await record({ status: "failed", messageId: null, threadId: null, attempts: 0, reason });
    return { status: "failed", detail: reason };
  }

  if (!decision.post) {
    await record({ status: "suppressed", messageId: null, threadId: null, attempts: 0, reason: decision.reason });
    deps.log?.info({ job: run.job, reason: decision.reason }, "digest held back by the channel's noise rule");
    return { status: "done", detail: `suppressed: ${decision.reason}` };
  }
  const why = noiseLine(sub, decision);
  if (why) reply.context.push(why);
  if (run.catchUp) reply.context.push(`Late: gpuops was not running at ${sub.at} ${sub.timezone}.`);
  reply.context.push(`This channel gets ${describeSubscription(sub)}. \`subscriptions\` to see, \`unsubscribe digest\` to stop.`);

  const port = deps.posting.get(sub.platform);
  if (!port) {
    const reason = `no posting port for ${sub.platform}: that door is not switched on in this gpuops`;
    await record({ status: "failed", messageId: null, threadId: null, attempts: 0, reason });
    return { status: "failed", detail: reason };
  }

  // With update-in-place, the channel's one message is edited; if it is gone, a new one is posted.
  let previous: PostedMessage | undefined;
  if (sub.updateInPlace) {
    const last = await deps.subscriptions.lastMessage(sub.platform, sub.channelId, localDate);
    if (last?.messageId) previous = { platform: sub.platform, channelId: sub.channelId, messageId: last.messageId, ...(last.threadId ? { threadId: last.threadId } : {}) };
  }
  const marker = digestMarker(sub.platform, sub.channelId, localDate);
  // A run taking over from one that died while posting: post only if that post did not land.
  if (before?.status === "posting" && !previous) {
    const found = await lookUp(port, sub.channelId, marker, before.at);
    if (found && found !== "unknown") {
      await record({ status: "posted", messageId: found.messageId, threadId: found.threadId ?? null, attempts: before.attempts, reason: "confirmed from the channel's history" });
      return { status: "done", detail: `already posted ${found.messageId} before the previous run stopped` };
    }
    // "unknown" (no way to look): posted again; the window is the earlier post's round trip.
  }
  // Fencing: a process that stalled past the takeover window no longer holds the run; the one that took it over posts.
  if (run.stillMine && !(await run.stillMine())) return { status: "done", detail: "another process took this run over; it posts" };
  const postingSince = before?.status === "posting" ? before.at : now().toISOString();
  await record({ status: "posting", messageId: null, threadId: null, attempts: 0, reason: null });

  return deliver({ deps, run, port, channelId: sub.channelId, reply, previous, marker, postingSince, record });
}

/** What one delivery needs: where to post, what, and how to record it. */
interface Delivery {
  deps: DigestJobDeps;
  run: JobRun;
  port: PostingPort;
  channelId: string;
  reply: Reply;
  /** The channel's one message to edit (update-in-place), if it has one. */
  previous: PostedMessage | undefined;
  marker: string;
  /** When this day's posting began (an unanswered post is looked for from then on). */
  postingSince: string;
  record(r: Omit<DigestPostRecord, "platform" | "channelId" | "localDate" | "at">): Promise<unknown>;
}

/** Posts (or edits) the digest, retrying within the policy; records and returns the outcome. */
async function deliver(d: Delivery): Promise<JobOutcome> {
  const { deps, run, port, channelId, reply, marker, postingSince, record } = d;
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...deps.retry };
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let previous = d.previous;
  let lastError = "";
  let tries = 0;
  const tryOnce = async (attempt: number): Promise<JobOutcome> => {
    tries = attempt;
    try {
      if (previous) {
        try {
          await port.update(previous, reply);
          await record({ status: "updated", messageId: previous.messageId, threadId: previous.threadId ?? null, attempts: attempt, reason: null });
          return { status: "done", detail: `updated ${previous.messageId}` };
        } catch (err) {
          // The old message may be deleted or too old to edit: post a fresh one instead.
          deps.log?.warn({ job: run.job, err: asGpuopsError(err, "internal").message }, "digest update failed; posting a new message");
          previous = undefined;
        }
      }
      if (attempt > 1 && run.stillMine && !(await run.stillMine())) return { status: "done", detail: "another process took this run over; it posts" };
      const posted = await port.post(channelId, reply, { marker });
      await record({ status: "posted", messageId: posted.messageId, threadId: posted.threadId ?? null, attempts: attempt, reason: null });
      return { status: "done", detail: `posted ${posted.messageId}` };
    } catch (err) {
      const e = asGpuopsError(err, "internal");
      lastError = e.message.slice(0, 500);
      let retryable = !isPermanent(e.code);
      // A post that failed without an answer (timeout, reset) may still have landed: look before trying again.
      if (port.findPosted && e.code !== "chat_throttled") {
        const found = await lookUp(port, channelId, marker, postingSince);
        if (found && found !== "unknown") {
          await record({
            status: "posted",
            messageId: found.messageId,
            threadId: found.threadId ?? null,
            attempts: attempt,
            reason: "confirmed from the channel's history after an unanswered post",
          });
          return { status: "done", detail: `posted ${found.messageId} (confirmed after the post went unanswered)` };
        }
        // Known not to be there, and the platform gave no answer of its own: safe to try again.
        if (found === undefined && e.context.slackError === undefined) retryable = true;
        if (found === "unknown") retryable = retryable && e.code !== "chat_unavailable";
      }
      throw new FailedTry(e, retryable);
    }
  };
  try {
    return await retry(tryOnce, {
      attempts: policy.attempts,
      backoff: { baseMs: policy.baseMs, factor: 4, capMs: policy.maxMs },
      retryAfter: { mode: "at-least", maxMs: policy.maxMs, beyond: "clamp" },
      decide: (outcome) =>
        !outcome.ok && outcome.error instanceof FailedTry && outcome.error.retryable ? { retry: true, retryAfterMs: retryAfterMs(outcome.error.error) } : { retry: false },
      onRetry: ({ attempt, delayMs }) => deps.log?.warn({ job: run.job, attempt, waitMs: delayMs, err: lastError }, "digest post failed; retrying"),
      sleep,
    });
  } catch (err) {
    // A failed post is reported below; anything else (the store gone mid-run) is the scheduler's to handle.
    if (!(err instanceof FailedTry)) throw err;
  }
  deps.log?.error({ job: run.job, err: lastError }, "digest post failed; giving up for today");
  await record({ status: "failed", messageId: null, threadId: null, attempts: tries, reason: lastError });
  return { status: "failed", detail: lastError };
}
