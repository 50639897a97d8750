/**
 * Slack re-sends requests it thinks failed (X-Slack-Retry-Num), and a captured request could be
 * sent again. Neither may run a command twice:
 *  - the exact same signed request again (same X-Slack-Signature, no retry header) → 401;
 *  - a retry → acknowledged with X-Slack-No-Retry: 1, nothing runs;
 *  - the same trigger/event under a fresh signature → acknowledged, nothing runs.
 * Signature checks stay Bolt's; these guards only ever refuse more.
 */
import type { AnyMiddlewareArgs, Middleware } from "@slack/bolt";
import type { NextFunction, Request, Response } from "express";
import { LRUCache } from "lru-cache";

/** How long keys are remembered: Slack's retries come within ~5 min; signatures are valid 5 min. */
const REMEMBER_MS = 10 * 60 * 1000;

export interface RequestGuard {
  /** Express middleware in front of Bolt's receiver at /slack/events. */
  http(req: Request, res: Response, next: NextFunction): void;
  /** Bolt global middleware: skip retries and requests already seen. */
  bolt: Middleware<AnyMiddlewareArgs>;
  stats(): { replays: number; retries: number; duplicates: number };
}

/** The id Slack gives one user action or event: the same on a replay, new on a new action. */
export function requestKey(body: unknown): string | undefined {
  const b = body as { event_id?: unknown; trigger_id?: unknown; type?: unknown; command?: unknown } | undefined;
  if (typeof b?.event_id === "string") return `event:${b.event_id}`;
  if (typeof b?.trigger_id === "string") return `${typeof b.type === "string" ? b.type : typeof b.command === "string" ? "command" : "request"}:${b.trigger_id}`;
  return undefined;
}

export function createRequestGuard(opts: { max?: number; onSkip?: (why: string, key: string | undefined) => void } = {}): RequestGuard {
  const signatures = new LRUCache<string, true>({ max: opts.max ?? 50_000, ttl: REMEMBER_MS });
  const keys = new LRUCache<string, true>({ max: opts.max ?? 50_000, ttl: REMEMBER_MS });
  const counts = { replays: 0, retries: 0, duplicates: 0 };
  return {
    http(req, res, next) {
      const retry = req.headers["x-slack-retry-num"];
      if (retry !== undefined) {
        // Bolt still verifies the signature; the command itself is skipped in `bolt` below.
        res.setHeader("X-Slack-No-Retry", "1");
        next();
        return;
      }
      const sig = req.headers["x-slack-signature"];
      if (typeof sig === "string" && sig.length > 0) {
        if (signatures.has(sig)) {
          counts.replays += 1;
          opts.onSkip?.("replayed signature", undefined);
          res.status(401).send();
          return;
        }
        signatures.set(sig, true);
      }
      next();
    },
    async bolt(args) {
      const { context, body, next } = args;
      const ack = "ack" in args ? (args.ack as (() => Promise<void>) | undefined) : undefined;
      const key = requestKey(body);
      // Socket Mode sends retry_attempt 0 on first delivery; HTTP sends no header.
      if ((context.retryNum ?? 0) > 0) {
        counts.retries += 1;
        opts.onSkip?.(`retry ${context.retryNum} (${context.retryReason ?? "unknown"})`, key);
        await ack?.();
        return;
      }
      if (key !== undefined) {
        if (keys.has(key)) {
          counts.duplicates += 1;
          opts.onSkip?.("duplicate", key);
          await ack?.();
          return;
        }
        keys.set(key, true);
      }
      await next();
    },
    stats: () => ({ ...counts }),
  };
}
