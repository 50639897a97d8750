/**
 * Slack re-sends requests it thinks failed (X-Slack-Retry-Num), and a captured request could be
 * sent again, to this replica or another. Neither may run a command twice:
 *  - the exact same signed request again (same X-Slack-Signature, no retry header) → 401;
 *  - a retry → acknowledged with X-Slack-No-Retry: 1, nothing runs;
 *  - the same trigger/event under a fresh signature → acknowledged, nothing runs;
 *  - a timestamp more than 5 minutes in the future → 401 (Bolt refuses only the past).
 * What was seen lives in the shared store, so replicas behind one load balancer agree. Over HTTP
 * every check happens here, before Bolt: the signature (with Bolt's own `isValidSlackRequest`,
 * once; Bolt's receiver is told not to check it again), then one store round trip for the
 * signature and the trigger or event id together. A signature is remembered only once it
 * verifies: a tampered body carrying a copied signature is refused and cannot spend the genuine
 * request. Over Socket Mode (no signatures) the Bolt middleware skips retries and duplicates.
 */
import { createRequire } from "node:module";
import type { AnyMiddlewareArgs, Middleware } from "@slack/bolt";
import type { NextFunction, Request, Response } from "express";
import { LRUCache } from "lru-cache";
import type { SeenRequests } from "../../services/ports.ts";

/** Signatures are valid for 5 minutes and Slack retries within a few; twice that is plenty (the store's ledger keeps as long). */
const REMEMBER_MS = 10 * 60 * 1000;

/** Bolt is loaded on the first Slack request, not when the server starts (a server without Slack never loads it). */
let bolt: typeof import("@slack/bolt") | undefined;
const isValidSlackRequest: typeof import("@slack/bolt")["isValidSlackRequest"] = (opts) => {
  bolt ??= createRequire(import.meta.url)("@slack/bolt") as typeof import("@slack/bolt");
  return bolt.isValidSlackRequest(opts);
};

/** How far ahead of our clock a request timestamp may be, as Slack allows behind it. */
const MAX_SKEW_S = 5 * 60;
/** Bolt's own body limit (HTTPModuleFunctions.defaultBodyLimit). */
const BODY_LIMIT = 4 * 1024 * 1024;

export interface RequestGuard {
  /** Express middleware in front of Bolt's receiver at /slack/events: signature, replays, retries, duplicates. */
  http(req: Request, res: Response, next: NextFunction): void;
  /** Bolt global middleware for Socket Mode: skip retries and requests already seen. */
  bolt: Middleware<AnyMiddlewareArgs>;
  stats(): { replays: number; retries: number; duplicates: number; future: number };
}

export interface RequestGuardOptions {
  /** The signing secret (HTTP mode): without it every HTTP request is refused. */
  signingSecret?: string | undefined;
  /** Where seen requests are remembered; one process's memory when absent (no store). */
  seen?: SeenRequests;
  now?: () => number;
  max?: number;
  onSkip?: (why: string, key: string | undefined) => void;
}

/** The id Slack gives one user action or event: the same on a replay, new on a new action. */
export function requestKey(body: unknown): string | undefined {
  const b = body as { event_id?: unknown; trigger_id?: unknown; type?: unknown; command?: unknown } | undefined;
  if (typeof b?.event_id === "string") return `event:${b.event_id}`;
  if (typeof b?.trigger_id === "string") return `${typeof b.type === "string" ? b.type : typeof b.command === "string" ? "command" : "request"}:${b.trigger_id}`;
  return undefined;
}

/** A process-local stand-in for the shared store (the one-shot CLI and store-less tests). */
export function memorySeenRequests(max = 50_000): SeenRequests {
  const keys = new LRUCache<string, true>({ max, ttl: REMEMBER_MS });
  const firstSight = (key: string) => {
    if (keys.has(key)) return false;
    keys.set(key, true);
    return true;
  };
  return {
    firstSight: async (key) => firstSight(key),
    firstSights: async (list) => list.map(firstSight),
  };
}

/** The request's body as Bolt will see it (form fields, an interaction's payload, an event), for its key only. */
export function parseBody(body: string, contentType: string | undefined): unknown {
  try {
    if (contentType?.includes("application/json")) return JSON.parse(body);
    const form = new URLSearchParams(body);
    const payload = form.get("payload");
    return payload !== null ? JSON.parse(payload) : Object.fromEntries(form);
  } catch {
    return undefined;
  }
}

/** The form fields requestKey reads. */
const KEY_FIELDS = new Set(["event_id", "trigger_id", "type", "command"]);

/** A form name or value as URLSearchParams decodes it; undefined when it is not valid percent-encoding (left to URLSearchParams). */
function formDecode(s: string): string | undefined {
  if (!s.includes("%") && !s.includes("+")) return s;
  try {
    return decodeURIComponent(s.replaceAll("+", " "));
  } catch {
    return undefined;
  }
}

/**
 * The request's key, decoding only the form fields it is made of: a slash command's body is a
 * dozen fields, and Bolt parses them all again after this. The same key as
 * `requestKey(parseBody(body, contentType))` for any body (test/unit/request-key.test.ts).
 */
export function requestKeyOf(body: string, contentType: string | undefined): string | undefined {
  if (contentType?.includes("application/json")) return requestKey(parseBody(body, contentType));
  const fields: Record<string, string> = {};
  for (const pair of body.split("&")) {
    if (pair === "") continue;
    const eq = pair.indexOf("=");
    const name = formDecode(eq < 0 ? pair : pair.slice(0, eq));
    if (name === undefined) return requestKey(parseBody(body, contentType));
    // An interaction: the first payload field, as URLSearchParams.get reads it.
    if (name === "payload") return requestKey(parseBody(body, contentType));
    if (!KEY_FIELDS.has(name)) continue;
    const value = formDecode(eq < 0 ? "" : pair.slice(eq + 1));
    if (value === undefined) return requestKey(parseBody(body, contentType));
    // The last one wins, as in Object.fromEntries.
    fields[name] = value;
  }
  return requestKey(fields);
}

/** The raw body, read once and left on `req.rawBody` where Bolt's receiver reads it instead of the stream. */
async function readRawBody(req: Request): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    size += b.length;
    if (size > BODY_LIMIT) return undefined;
    chunks.push(b);
  }
  const raw = Buffer.concat(chunks);
  (req as Request & { rawBody?: Buffer }).rawBody = raw;
  return raw;
}

export function createRequestGuard(opts: RequestGuardOptions = {}): RequestGuard {
  const seen = opts.seen ?? memorySeenRequests(opts.max);
  const now = opts.now ?? Date.now;
  const counts = { replays: 0, retries: 0, duplicates: 0, future: 0 };

  const http = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    const ts = Number(req.headers["x-slack-request-timestamp"]);
    if (Number.isFinite(ts) && ts > Math.floor(now() / 1000) + MAX_SKEW_S) {
      counts.future += 1;
      opts.onSkip?.("timestamp in the future", undefined);
      res.status(401).send();
      return;
    }
    const raw = await readRawBody(req);
    if (raw === undefined) {
      res.status(413).send();
      return;
    }
    const sig = req.headers["x-slack-signature"];
    const body = raw.toString();
    // Bolt's own check (Bolt's receiver is told not to repeat it): secret, headers, age, signature.
    const verified =
      typeof sig === "string" &&
      opts.signingSecret !== undefined &&
      isValidSlackRequest({ signingSecret: opts.signingSecret, body, headers: { "x-slack-signature": sig, "x-slack-request-timestamp": ts }, nowMilliseconds: now() });
    // Refused before anything is remembered, so a forgery spends nothing.
    if (!verified) {
      opts.onSkip?.("Request verification failed (signature, headers or age)", undefined);
      res.status(401).send();
      return;
    }
    const retry = req.headers["x-slack-retry-num"];
    if (retry !== undefined) {
      counts.retries += 1;
      opts.onSkip?.(`retry ${String(retry)} (${String(req.headers["x-slack-retry-reason"] ?? "unknown")})`, undefined);
      res.setHeader("X-Slack-No-Retry", "1");
      res.status(200).send();
      return;
    }
    const key = requestKeyOf(body, req.headers["content-type"]);
    const [newSignature, newRequest] = await seen.firstSights(key === undefined ? [`sig:${sig}`] : [`sig:${sig}`, key], new Date(now()));
    if (!newSignature) {
      counts.replays += 1;
      opts.onSkip?.("replayed signature", undefined);
      res.status(401).send();
      return;
    }
    if (key !== undefined && !newRequest) {
      // The same action under a fresh signature: acknowledged (so Slack stops), nothing runs.
      counts.duplicates += 1;
      opts.onSkip?.("duplicate", key);
      res.status(200).send();
      return;
    }
    next();
  };

  return {
    http(req, res, next) {
      http(req, res, next).catch(next);
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
      if (key !== undefined && !(await seen.firstSight(key, new Date(now())))) {
        counts.duplicates += 1;
        opts.onSkip?.("duplicate", key);
        await ack?.();
        return;
      }
      await next();
    },
    stats: () => ({ ...counts }),
  };
}
