/**
 * Who may reach the local console, as pure functions of the config and a request's headers.
 *
 * - Off unless it is safe: by default (GPUOPS_CONSOLE=auto) the console is on only in demo mode
 *   on a loopback address. Exposing it beyond this machine takes GPUOPS_CONSOLE=on plus a token
 *   (the config refuses to start otherwise); production (live Azure) keeps it off unless asked.
 * - Without a token, every request must name a loopback host, so a web page that rebinds its
 *   own DNS name to 127.0.0.1 still cannot talk to the console.
 * - With a token, every API call carries it (header, or the cookie set from `/?token=`), compared
 *   in constant time.
 * - API calls are JSON only and same-origin (Origin / Sec-Fetch-Site), so another site's page
 *   cannot drive the console from a user's browser: a cross-site form cannot send JSON, and a
 *   cross-site fetch that could is refused here.
 *
 * @example
 * const access = consoleAccess(config);       // { enabled: true, token: undefined, ... }
 * refuseRequest(access, headersOf(req), { api: true }) // undefined, or why it is refused
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { type Config, isLoopbackHost } from "../../config.ts";

export interface ConsoleAccess {
  enabled: boolean;
  /** Why the console is on or off, for the start-up log. */
  reason: string;
  /** When set, every API call must present it. */
  token?: string;
}

export const TOKEN_COOKIE = "gpuops_console_token";
export const TOKEN_HEADER = "x-gpuops-console-token";

export function consoleAccess(config: Pick<Config, "console" | "server" | "demo">): ConsoleAccess {
  const { mode, token } = config.console;
  const loopback = isLoopbackHost(config.server.host);
  const withToken = token ? { token } : {};
  if (mode === "off") return { enabled: false, reason: "GPUOPS_CONSOLE=off" };
  if (mode === "on") {
    // The config refuses on + non-loopback without a token; this is the second lock.
    if (!loopback && !token) return { enabled: false, reason: "GPUOPS_CONSOLE=on beyond loopback needs GPUOPS_CONSOLE_TOKEN" };
    return { enabled: true, reason: `GPUOPS_CONSOLE=on${token ? " with a token" : ""}`, ...withToken };
  }
  if (!config.demo) return { enabled: false, reason: "off with live Azure unless GPUOPS_CONSOLE=on" };
  if (!loopback) return { enabled: false, reason: `off: listening on ${config.server.host}, beyond loopback (set GPUOPS_CONSOLE=on and GPUOPS_CONSOLE_TOKEN to expose it)` };
  return { enabled: true, reason: "demo mode on loopback", ...withToken };
}

/** The request facts the checks read, lower-cased header names (Node's IncomingHttpHeaders). */
export type HeaderBag = Record<string, string | string[] | undefined>;

const header = (h: HeaderBag, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/** Constant-time comparison; hashing first makes the lengths equal without leaking them. */
export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined || given === "") return false;
  const a = createHash("sha256").update(expected, "utf8").digest();
  const b = createHash("sha256").update(given, "utf8").digest();
  return timingSafeEqual(a, b);
}

/** Reads one cookie from a Cookie header (RFC 6265 pairs; values may be percent-encoded). */
export function readCookie(cookieHeader: string | undefined, name: string): string | undefined {
  if (!cookieHeader) return undefined;
  for (const pair of cookieHeader.split(";")) {
    const eq = pair.indexOf("=");
    if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
    const raw = pair.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}

/** The token a request presents: Authorization: Bearer, the console header, or the cookie. */
export function presentedToken(h: HeaderBag): string | undefined {
  const auth = header(h, "authorization");
  if (auth?.toLowerCase().startsWith("bearer ")) return auth.slice(7).trim();
  return header(h, TOKEN_HEADER) ?? readCookie(header(h, "cookie"), TOKEN_COOKIE);
}

/** Host name of a Host header ("localhost:3978" → "localhost", "[::1]:80" → "::1"). */
export function hostName(hostHeader: string | undefined): string | undefined {
  if (!hostHeader) return undefined;
  const m = /^(\[[^\]]+\]|[^:]+)(:\d+)?$/.exec(hostHeader.trim());
  if (!m?.[1]) return undefined;
  return m[1].replace(/^\[|\]$/g, "").toLowerCase();
}

export interface Refusal {
  status: 401 | 403 | 415;
  code: "console_token" | "console_host" | "console_origin" | "console_content_type";
  message: string;
}

/**
 * Why a request to the console is refused, or undefined when it may go on. `api` marks calls
 * to /console/api (token and CSRF rules); the page itself only needs the host rule, and the
 * token when one is set (it can arrive as `?token=` on the first visit: pass it as `queryToken`;
 * the API never accepts it from the query string, where it would land in logs and history).
 */
export function refuseRequest(access: ConsoleAccess, h: HeaderBag, opts: { api: boolean; method: string; queryToken?: string }): Refusal | undefined {
  const host = hostName(header(h, "host"));
  if (!access.token && (host === undefined || !(isLoopbackHost(host) || host.endsWith(".localhost")))) {
    return { status: 403, code: "console_host", message: "The console answers only on localhost. Open http://localhost:<port>/ on this machine." };
  }
  if (access.token && !tokenMatches(access.token, presentedToken(h)) && !(!opts.api && tokenMatches(access.token, opts.queryToken))) {
    return { status: 401, code: "console_token", message: "This console needs its token: open it once as /?token=<GPUOPS_CONSOLE_TOKEN>." };
  }
  if (!opts.api) return undefined;
  const site = header(h, "sec-fetch-site");
  if (site !== undefined && site !== "same-origin") {
    return { status: 403, code: "console_origin", message: "Console API calls must come from the console page itself." };
  }
  const origin = header(h, "origin");
  if (origin !== undefined && originHost(origin) !== header(h, "host")?.toLowerCase()) {
    return { status: 403, code: "console_origin", message: "Console API calls must come from the console page itself." };
  }
  if (opts.method !== "GET" && opts.method !== "HEAD") {
    const type = header(h, "content-type")?.split(";")[0]?.trim().toLowerCase();
    if (type !== "application/json") {
      return { status: 415, code: "console_content_type", message: "Console API calls must send JSON (Content-Type: application/json)." };
    }
  }
  return undefined;
}

/** "http://localhost:3978" → "localhost:3978"; anything unparsable (incl. "null") → undefined. */
function originHost(origin: string): string | undefined {
  try {
    return new URL(origin).host.toLowerCase();
  } catch {
    return undefined;
  }
}
