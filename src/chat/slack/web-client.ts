/**
 * The one place Slack Web API clients are built: base URL (SLACK_API_URL for tests and proxies),
 * bounded retries, rate-limited calls handed back to us instead of parked inside the client, and
 * Slack's logger routed into pino. Also: the start-up token check and Slack error → GpuopsError.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { LogLevel, type Logger as SlackLogger, WebClient, type WebClientOptions } from "@slack/web-api";
import { ConfigError } from "../../config.ts";
import { GpuopsError } from "../../errors.ts";
import type { Logger } from "../../log.ts";

export interface SlackApiSettings {
  botToken: string;
  apiUrl: string;
  /** Per-call timeout (default 10 s). */
  timeoutMs?: number;
}

/**
 * Methods that make something new each time they are called. A timeout or a dropped connection
 * does not say whether Slack acted, so these are never retried blindly: the caller finds out
 * (message metadata, see posting.ts) before it posts again. A 429 is different: Slack says it
 * did not process the call, and the posting port waits out its Retry-After and tries again.
 */
export const NON_IDEMPOTENT_METHODS: ReadonlySet<string> = new Set(["chat.postMessage", "chat.postEphemeral", "chat.scheduleMessage", "chat.meMessage"]);

/** Set while a non-idempotent call is in flight, so the retry policy can see it. */
const onceOnly = new AsyncLocalStorage<string>();

/** Slack's Logger interface on top of pino, so Bolt and the WebClient log as gpuops does. */
export function slackLogger(log: Logger): SlackLogger {
  let level = LogLevel.INFO;
  const child = log.child({ component: "slack" });
  return {
    debug: (...m: unknown[]) => child.debug(m.map(String).join(" ")),
    info: (...m: unknown[]) => child.info(m.map(String).join(" ")),
    warn: (...m: unknown[]) => child.warn(m.map(String).join(" ")),
    error: (...m: unknown[]) => child.error(m.map(String).join(" ")),
    setLevel: (l: LogLevel) => {
      level = l;
    },
    getLevel: () => level,
    setName: () => {},
  };
}

/**
 * Options shared by our WebClient and Bolt's: a 429 rejects at once with its Retry-After
 * (callers decide how long they may wait), other failures retry twice, quickly.
 */
export function webClientOptions(settings: SlackApiSettings, log: Logger): WebClientOptions {
  // The WebClient hands this object to p-retry, whose onFailedAttempt (absent from Slack's
  // RetryOptions type) ends the loop when it throws: a post that may have landed is not sent again.
  const retryConfig: NonNullable<WebClientOptions["retryConfig"]> & { onFailedAttempt(err: Error): void } = {
    retries: 2,
    factor: 2,
    minTimeout: 200,
    maxTimeout: 1000,
    onFailedAttempt: (err) => {
      if (onceOnly.getStore()) throw err;
    },
  };
  return {
    slackApiUrl: settings.apiUrl,
    logger: slackLogger(log),
    rejectRateLimitedCalls: true,
    retryConfig,
    timeout: settings.timeoutMs ?? 10_000,
  };
}

/** The WebClient with reads retried and posts sent once (see NON_IDEMPOTENT_METHODS). */
class OnceWebClient extends WebClient {
  override apiCall(method: string, options?: Record<string, unknown>): ReturnType<WebClient["apiCall"]> {
    if (NON_IDEMPOTENT_METHODS.has(method)) return onceOnly.run(method, () => super.apiCall(method, options));
    return super.apiCall(method, options);
  }
}

export function createSlackWebClient(settings: SlackApiSettings, log: Logger): WebClient {
  return new OnceWebClient(settings.botToken, webClientOptions(settings, log));
}

export interface BotIdentity {
  botId: string;
  botUserId: string;
  teamId?: string;
}

/**
 * Asks Slack once, at start, who the bot token belongs to. Bolt then gets the ids and never
 * calls auth.test on a request path. Configured ids skip even this call.
 */
export async function verifyBotToken(client: WebClient, known: { botId?: string | undefined; botUserId?: string | undefined }): Promise<BotIdentity> {
  if (known.botId && known.botUserId) return { botId: known.botId, botUserId: known.botUserId };
  try {
    const r = await client.auth.test();
    if (!r.ok || !r.bot_id || !r.user_id) throw new Error(r.error ?? "auth.test answered without a bot id (is SLACK_BOT_TOKEN a bot token?)");
    return { botId: r.bot_id, botUserId: r.user_id, ...(r.team_id ? { teamId: r.team_id } : {}) };
  } catch (err) {
    const code = slackErrorCode(err);
    // Only an answer from Slack says something about the token; a network failure says nothing of it.
    const unreachable = code === undefined ? unreachableReason(err) : undefined;
    if (unreachable !== undefined) {
      throw new GpuopsError(
        "chat_unavailable",
        `SLACK_API_URL: could not reach the Slack API at ${client.slackApiUrl} (${unreachable}); check the network, proxy or SLACK_API_URL.`,
        {
          cause: err,
        },
      );
    }
    throw new ConfigError(`SLACK_BOT_TOKEN: Slack did not accept the bot token${code ? ` (${code})` : ""}; copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions.`, {
      cause: err,
    });
  }
}

/** Why the WebClient got no Slack answer (connection refused, DNS, timeout, a proxy's HTTP error), or undefined. */
function unreachableReason(err: unknown): string | undefined {
  const e = err as { code?: unknown; original?: { code?: unknown; message?: unknown }; statusCode?: unknown } | undefined;
  if (e?.code === "slack_webapi_request_error") return String(e.original?.code ?? e.original?.message ?? "no answer");
  if (e?.code === "slack_webapi_http_error") return `HTTP ${String(e.statusCode)}`;
  return undefined;
}

/** Slack's error string (`channel_not_found`) from a WebClient error, when it has one. */
export function slackErrorCode(err: unknown): string | undefined {
  const e = err as { data?: { error?: unknown }; code?: unknown } | undefined;
  return typeof e?.data?.error === "string" ? e.data.error : undefined;
}

/** Seconds Slack asked us to wait, when the error is a rate limit (HTTP 429). */
export function retryAfterSeconds(err: unknown): number | undefined {
  const e = err as { code?: unknown; retryAfter?: unknown } | undefined;
  return e?.code === "slack_webapi_rate_limited_error" && typeof e.retryAfter === "number" ? e.retryAfter : undefined;
}

/** Errors no retry can fix, with the words an operator needs. */
export const PERMANENT_POST_ERRORS: Record<string, string> = {
  channel_not_found: "the channel does not exist or gpuops cannot see it (for a private channel, invite the app first)",
  is_archived: "the channel is archived; unarchive it or subscribe another channel",
  not_in_channel: "gpuops is not a member of the channel; invite it with /invite @gpuops",
  account_inactive: "the gpuops app was removed from the workspace or its token was revoked; reinstall the app",
  token_revoked: "the bot token was revoked; reinstall the app and update SLACK_BOT_TOKEN",
  invalid_auth: "Slack did not accept SLACK_BOT_TOKEN",
  missing_scope: "the app lacks a scope it needs; add it from deploy/slack/manifest.yaml and reinstall the app",
  restricted_action: "the workspace does not allow gpuops to post in this channel",
  message_not_found: "the message to update no longer exists",
  cant_update_message: "gpuops can only update its own messages",
  msg_too_long: "the message was too long for Slack",
  invalid_blocks: "Slack rejected the message layout",
};

/**
 * For a `missing_scope` error, the scope Slack says the method needed (its `needed` field, e.g.
 * "usergroups:read"), in words an operator can act on; undefined for any other error.
 */
export function missingScopeReason(err: unknown): string | undefined {
  if (slackErrorCode(err) !== "missing_scope") return undefined;
  const needed = (err as { data?: { needed?: unknown } }).data?.needed;
  const scope = typeof needed === "string" && /^[a-z.:_,]{1,200}$/.test(needed) ? needed : undefined;
  return scope ? `the app lacks the ${scope} scope; add it to the bot scopes (deploy/slack/manifest.yaml) and reinstall the app` : (PERMANENT_POST_ERRORS.missing_scope as string);
}

/** A readable GpuopsError for a failed post/update; the Slack error string stays in the context. */
export function postingError(err: unknown, channelId: string): GpuopsError {
  const code = slackErrorCode(err);
  const reason = code
    ? (missingScopeReason(err) ?? (Object.hasOwn(PERMANENT_POST_ERRORS, code) ? PERMANENT_POST_ERRORS[code] : undefined) ?? `Slack answered ${code}`)
    : err instanceof Error
      ? err.message
      : String(err);
  return new GpuopsError("chat_unavailable", `Could not post to Slack channel ${channelId}: ${reason}.`, { cause: err, context: { slackError: code, channelId } });
}
