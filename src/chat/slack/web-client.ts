/**
 * The one place Slack Web API clients are built: base URL (SLACK_API_URL for tests and proxies),
 * bounded retries, rate-limited calls handed back to us instead of parked inside the client, and
 * Slack's logger routed into pino. Also: the start-up token check and Slack error → GpuopsError.
 */
import { LogLevel, type Logger as SlackLogger, WebClient, type WebClientOptions } from "@slack/web-api";
import { GpuopsError } from "../../errors.ts";
import type { Logger } from "../../log.ts";

export interface SlackApiSettings {
  botToken: string;
  apiUrl: string;
}

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
  return {
    slackApiUrl: settings.apiUrl,
    logger: slackLogger(log),
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 1000 },
    timeout: 10_000,
  };
}

export function createSlackWebClient(settings: SlackApiSettings, log: Logger): WebClient {
  return new WebClient(settings.botToken, webClientOptions(settings, log));
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
    throw new GpuopsError(
      "bad_config",
      `SLACK_BOT_TOKEN: Slack did not accept the bot token${code ? ` (${code})` : ""}; copy the Bot User OAuth Token (xoxb-…) from OAuth & Permissions.`,
      {
        cause: err,
      },
    );
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
  missing_scope: "the app lacks a scope it needs (chat:write); reinstall it from deploy/slack/manifest.yaml",
  restricted_action: "the workspace does not allow gpuops to post in this channel",
  message_not_found: "the message to update no longer exists",
  cant_update_message: "gpuops can only update its own messages",
  msg_too_long: "the message was too long for Slack",
  invalid_blocks: "Slack rejected the message layout",
};

/** A readable GpuopsError for a failed post/update; the Slack error string stays in the context. */
export function postingError(err: unknown, channelId: string): GpuopsError {
  const code = slackErrorCode(err);
  const reason = code ? (PERMANENT_POST_ERRORS[code] ?? `Slack answered ${code}`) : err instanceof Error ? err.message : String(err);
  return new GpuopsError("chat_unavailable", `Could not post to Slack channel ${channelId}: ${reason}.`, { cause: err, context: { slackError: code, channelId } });
}
