/**
 * Calls to the Bot Connector fail in known ways (platform-facts C, T9): 429 (with Retry-After),
 * 412, 502 and 504 are transient and retried with exponential back-off plus jitter; 403 with
 * "not in roster", or 404 for a conversation that is gone, mean the app was removed and retrying
 * is pointless. Everything else is reported once.
 *
 * @example
 * const id = await withConnectorRetry(() => context.sendActivity(activity), policy);
 */
import { HttpError } from "@microsoft/agents-hosting";
import { GpuopsError } from "../../errors.ts";
import { parseRetryAfter, retry, retryDelay } from "../../services/retry.ts";

export { parseRetryAfter };

export interface RetryPolicy {
  /** Attempts in total, the first included. */
  maxAttempts: number;
  /** First back-off; doubles per attempt. */
  baseDelayMs: number;
  /** Longest single wait; a Retry-After beyond it is reported as throttling instead of waited out. */
  maxDelayMs: number;
  /** [0, 1): the jitter source (Math.random; a fixed function in tests). */
  random(): number;
  sleep(ms: number): Promise<void>;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 30_000,
  random: Math.random,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Status codes the Teams rate-limit guidance says to retry with back-off (T9). */
const TRANSIENT = new Set([412, 429, 502, 504]);

export type ConnectorFailure =
  | { kind: "transient"; status: number | undefined; retryAfterMs: number | undefined }
  | { kind: "gone"; status: number; reason: string }
  | { kind: "permanent"; status: number | undefined };

function errorCode(data: unknown): string {
  const error = (data as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
  return [error?.code, error?.message].filter((x) => typeof x === "string").join(": ");
}

/** What a failed connector call means for the caller. */
export function classifyConnectorError(err: unknown, now = Date.now()): ConnectorFailure {
  if (err instanceof HttpError) {
    const status = err.status;
    const code = errorCode(err.response?.data);
    if (TRANSIENT.has(status)) return { kind: "transient", status, retryAfterMs: parseRetryAfter(err.response?.headers?.get("retry-after"), now) };
    if (status === 403) {
      const roster = /roster/i.test(code);
      return {
        kind: "gone",
        status,
        reason: roster ? "the app is not in this conversation's roster any more (removed or uninstalled)" : `Teams refused the post (403${code ? ` ${code}` : ""})`,
      };
    }
    if (status === 404 && /ConversationNotFound/i.test(code)) return { kind: "gone", status, reason: "the conversation no longer exists for the app" };
    return { kind: "permanent", status };
  }
  // fetch() network failures (connection refused/reset) are worth another try.
  if (err instanceof TypeError && /fetch failed/i.test(err.message)) return { kind: "transient", status: undefined, retryAfterMs: undefined };
  return { kind: "permanent", status: undefined };
}

/** Back-off before attempt `attempt + 1`: "equal jitter" over an exponential step, at least Retry-After. */
export function backoffDelay(attempt: number, retryAfterMs: number | undefined, policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs" | "random">): number {
  return retryDelay(attempt, retryAfterMs, retryOptions({ ...policy, maxAttempts: 1, sleep: async () => {} })) ?? policy.maxDelayMs;
}

/** The shared retry helper's options for a connector policy: a Retry-After beyond the cap is reported, not waited out. */
function retryOptions(policy: RetryPolicy) {
  return {
    attempts: policy.maxAttempts,
    backoff: { baseMs: policy.baseDelayMs, capMs: policy.maxDelayMs, jitter: "equal" as const },
    retryAfter: { mode: "at-least" as const, maxMs: policy.maxDelayMs, beyond: "give-up" as const },
    random: policy.random,
    sleep: policy.sleep,
  };
}

/** A GpuopsError for a connector failure that is final; `context.gone` marks removal. */
export function connectorError(failure: ConnectorFailure, err: unknown, what: string): GpuopsError {
  if (failure.kind === "gone")
    return new GpuopsError("chat_unavailable", `Teams: cannot ${what}: ${failure.reason}.`, { cause: err, context: { status: failure.status, gone: "yes" } });
  if (failure.kind === "transient")
    return new GpuopsError("chat_throttled", `Teams kept refusing to ${what} (${failure.status ?? "network error"}); gave up after retries.`, { cause: err });
  return new GpuopsError("chat_unavailable", `Teams: could not ${what}${failure.status ? ` (HTTP ${failure.status})` : ""}.`, { cause: err });
}

/**
 * Runs a connector call, retrying transient failures. Final failures become a GpuopsError
 * (chat_throttled / chat_unavailable) whose context says whether the app was removed.
 */
export async function withConnectorRetry<T>(
  what: string,
  call: () => Promise<T>,
  policy: RetryPolicy = DEFAULT_RETRY_POLICY,
  onRetry?: (info: { attempt: number; delayMs: number; status: number | undefined }) => void,
): Promise<T> {
  try {
    return await retry(call, {
      ...retryOptions(policy),
      decide: (outcome) => {
        if (outcome.ok) return { retry: false };
        const failure = classifyConnectorError(outcome.error);
        return failure.kind === "transient" ? { retry: true, retryAfterMs: failure.retryAfterMs } : { retry: false };
      },
      onRetry: ({ attempt, delayMs, outcome }) => {
        const failure = outcome.ok ? undefined : classifyConnectorError(outcome.error);
        onRetry?.({ attempt, delayMs, status: failure?.kind === "transient" ? failure.status : undefined });
      },
    });
  } catch (err) {
    throw connectorError(classifyConnectorError(err), err, what);
  }
}
