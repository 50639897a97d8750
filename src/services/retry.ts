/**
 * The one retry loop: exponential back-off, optional "equal" jitter, and a server's Retry-After
 * honoured up to a bound. It does no I/O of its own (the caller injects `sleep`, and the jitter
 * source for tests), so every layer may use it. Each caller keeps its own policy: how many tries,
 * what is worth another try, and what a Retry-After beyond the bound means (wait the bound, or
 * give up and report throttling).
 *
 * Not p-retry or exponential-backoff: they retry thrown errors on a computed back-off, while here a
 * returned value (an HTTP response with status 429) may be retried and each failure may carry its
 * own delay (Retry-After).
 *
 * @example
 * const body = await retry(() => fetchOnce(), {
 *   attempts: 3,
 *   backoff: { baseMs: 200, capMs: 4000, jitter: "equal" },
 *   retryAfter: { mode: "instead", maxMs: 30_000, beyond: "give-up" },
 *   decide: (o) => (o.ok ? { retry: false } : { retry: isTransient(o.error), retryAfterMs: retryAfterOf(o.error) }),
 *   sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
 * });
 */

export interface Backoff {
  /** Wait before the second try. */
  baseMs: number;
  /** Growth per try (default 2). */
  factor?: number;
  /** Longest back-off step (default: no bound). */
  capMs?: number;
  /** "equal": a uniform pick in [step/2, step], which spreads callers that failed together; default none. */
  jitter?: "none" | "equal";
}

export interface RetryAfterRule {
  /** "at-least": wait the longer of back-off and Retry-After; "instead": wait exactly what was asked. */
  mode: "at-least" | "instead";
  /** Longest Retry-After honoured. */
  maxMs: number;
  /** Beyond `maxMs`: wait `maxMs` ("clamp") or stop trying ("give-up": the service said to go away). */
  beyond: "clamp" | "give-up";
}

/** What one try gave: a value (which may still be worth retrying, e.g. an HTTP 503 response) or an error. */
export type Outcome<T> = { ok: true; value: T } | { ok: false; error: unknown };

export type RetryDecision = { retry: false } | { retry: true; retryAfterMs?: number | undefined };

export interface RetryOptions<T> {
  /** Tries in all, the first included. */
  attempts: number;
  backoff: Backoff;
  retryAfter?: RetryAfterRule;
  /**
   * Whether this outcome of try `attempt` (1-based) is worth another, and the server's Retry-After
   * if it gave one. Asked after every try, the last included (so it may count what it sees).
   */
  decide(outcome: Outcome<T>, attempt: number): RetryDecision | Promise<RetryDecision>;
  sleep(ms: number): Promise<void>;
  /** [0, 1): the jitter source (default Math.random). */
  random?: () => number;
  /** Called before each wait, e.g. to log or count retries. */
  onRetry?(info: { attempt: number; delayMs: number; outcome: Outcome<T> }): void;
}

/** An HTTP Retry-After value (seconds, or an HTTP date) in milliseconds from `now`; undefined when unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  const trimmed = value?.trim();
  if (!trimmed) return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The back-off step after try `attempt` (1-based), jitter applied, before any Retry-After. */
export function backoffDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  const step = Math.min(backoff.capMs ?? Number.POSITIVE_INFINITY, backoff.baseMs * (backoff.factor ?? 2) ** (attempt - 1));
  return backoff.jitter === "equal" ? step / 2 + random() * (step / 2) : step;
}

/**
 * The wait after try `attempt`, or undefined when a Retry-After beyond the bound means giving up.
 * Rounded to whole milliseconds.
 */
export function retryDelay(attempt: number, retryAfterMs: number | undefined, opts: Pick<RetryOptions<unknown>, "backoff" | "retryAfter" | "random">): number | undefined {
  const stepped = backoffDelay(attempt, opts.backoff, opts.random);
  const rule = opts.retryAfter;
  if (retryAfterMs === undefined || rule === undefined) return Math.round(stepped);
  if (retryAfterMs > rule.maxMs && rule.beyond === "give-up") return undefined;
  const asked = Math.max(0, Math.min(retryAfterMs, rule.maxMs));
  return Math.round(rule.mode === "instead" ? asked : Math.max(stepped, asked));
}

/**
 * Runs `op` until `decide` says stop or the tries run out. The last outcome stands: its value is
 * returned or its error thrown, unchanged, so callers map final failures as they always did.
 */
export async function retry<T>(op: (attempt: number) => Promise<T>, opts: RetryOptions<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    let outcome: Outcome<T>;
    try {
      outcome = { ok: true, value: await op(attempt) };
    } catch (error) {
      outcome = { ok: false, error };
    }
    const decision = await opts.decide(outcome, attempt);
    const delayMs = decision.retry && attempt < opts.attempts ? retryDelay(attempt, decision.retryAfterMs, opts) : undefined;
    if (delayMs === undefined) {
      if (outcome.ok) return outcome.value;
      throw outcome.error;
    }
    opts.onRetry?.({ attempt, delayMs, outcome });
    await opts.sleep(delayMs);
  }
}
