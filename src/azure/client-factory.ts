/**
 * The one place that builds Azure SDK clients. Every client gets the same credential, endpoint,
 * retry (Retry-After honoured, capped), a timeout per try, per-host concurrency limit and per-API call counters,
 * so live Azure, Azure Stack Hub, sovereign clouds and the fake Azure all go through one path.
 */
import { readFileSync } from "node:fs";
import { Agent } from "node:https";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { ComputeManagementClient } from "@azure/arm-compute";
import type { AccessToken, TokenCredential } from "@azure/core-auth";
import type { PipelinePolicy, PipelineRequest, PipelineResponse } from "@azure/core-rest-pipeline";
import { AZURE_CLOUDS, type AzureCloud } from "../config.ts";
import { GpuopsError } from "../errors.ts";
import { parseRetryAfter, retry } from "../services/retry.ts";

export interface ApiCounter {
  calls: number;
  errors: number;
  throttled: number;
  retries: number;
}

export interface AzureAccessOptions {
  cloud: AzureCloud;
  /** Any ARM-compatible endpoint (Azure Stack Hub, the fake); needs `token`. */
  url?: string | undefined;
  token?: string | undefined;
  concurrency: number;
  maxRetries: number;
  /** Longest Retry-After we wait out inside a request; longer ones fail fast as throttled. */
  maxRetryWaitSeconds: number;
  /** Longest one try may take (connect, headers and body); 0 = no limit. An endpoint that accepts and never answers fails after this. */
  tryTimeoutMs?: number;
  /** PEM of a CA trusted for loopback hosts only (the fake Azure's certificate). */
  loopbackCa?: string | undefined;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Options accepted by both the classic and the modular ARM clients. */
export interface SdkClientOptions {
  endpoint: string;
  credentials: { scopes: string[] };
  credentialScopes: string[];
  retryOptions: { maxRetries: number };
  additionalPolicies: Array<{ policy: PipelinePolicy; position: "perCall" | "perRetry" }>;
  userAgentOptions: { userAgentPrefix: string };
}

export interface AzureAccess {
  readonly endpoint: string;
  readonly credential: TokenCredential;
  /** Options for any ARM SDK client constructor. */
  clientOptions(): SdkClientOptions;
  /** A client built once per key and reused (connection reuse, shared limits). */
  client<T>(key: string, make: (credential: TokenCredential, options: SdkClientOptions) => T): T;
  compute(subscriptionId: string): ComputeManagementClient;
  counters(): Record<string, ApiCounter>;
  totalCalls(): number;
  resetCounters(): void;
}

/** A fixed bearer token: the fake Azure, Azure Stack Hub test rigs, CI. */
export class StaticTokenCredential implements TokenCredential {
  readonly #token: string;
  constructor(token: string) {
    this.#token = token;
  }
  async getToken(): Promise<AccessToken> {
    return { token: this.#token, expiresOnTimestamp: Date.now() + 3600_000 };
  }
}

const LOOPBACK = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

export function isLoopbackUrl(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

/** "Microsoft.Compute/usages", "Microsoft.CostManagement/query": the counter key for a request. */
export function apiName(url: string): string {
  const { pathname, hostname } = new URL(url);
  const m = /\/providers\/([^/]+)\/.*?([^/]+)$/i.exec(pathname);
  if (m) return `${m[1]}/${m[2]}`;
  if (pathname.includes("metrics:getBatch")) return "Monitor/metrics:getBatch";
  return `${hostname}${pathname.split("/").slice(0, 3).join("/")}`;
}

const RETRY_AFTER_SECONDS_HEADERS = [
  "retry-after",
  "x-ms-ratelimit-microsoft.costmanagement-qpu-retry-after",
  "x-ms-ratelimit-microsoft.costmanagement-entity-retry-after",
  "x-ms-ratelimit-microsoft.costmanagement-tenant-retry-after",
  "x-ms-ratelimit-microsoft.costmanagement-clienttype-retry-after",
];

/** The longest wait any throttling header asks for, in ms; undefined when none is present. */
export function retryAfterMs(headers: { get(name: string): string | undefined }, now = Date.now()): number | undefined {
  let wait: number | undefined;
  const take = (ms: number) => {
    if (Number.isFinite(ms) && ms >= 0) wait = Math.max(wait ?? 0, ms);
  };
  for (const name of ["retry-after-ms", "x-ms-retry-after-ms"]) {
    const v = headers.get(name);
    if (v !== undefined && v.trim() !== "") take(Number(v));
  }
  for (const name of RETRY_AFTER_SECONDS_HEADERS) {
    const v = headers.get(name)?.trim();
    if (!v) continue;
    if (name === "retry-after") take(parseRetryAfter(v, now) ?? Number.NaN);
    else if (/^\d+(\.\d+)?$/.test(v)) take(Number(v) * 1000);
  }
  // Resource Graph throttling says when the user quota resets ("00:00:05") instead of Retry-After.
  const resets = /^(\d+):(\d{2}):(\d{2})$/.exec(headers.get("x-ms-user-quota-resets-after")?.trim() ?? "");
  if (wait === undefined && resets) take((Number(resets[1]) * 3600 + Number(resets[2]) * 60 + Number(resets[3])) * 1000);
  return wait;
}

/** Reads never change anything; these POSTs are reads too (queries), so they may be re-sent. */
function isSafeToRetry(request: PipelineRequest): boolean {
  if (["GET", "HEAD", "OPTIONS"].includes(request.method)) return true;
  if (request.method !== "POST") return false;
  const path = new URL(request.url).pathname;
  return /\/(query|resources)$/i.test(path) || path.includes("metrics:getBatch");
}

const TRANSIENT_STATUS = new Set([408, 429, 500, 502, 503, 504]);

const defaultSleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      "abort",
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });

class Semaphore {
  #free: number;
  readonly #waiting: Array<() => void> = [];
  constructor(size: number) {
    this.#free = size;
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#free > 0) this.#free--;
    else await new Promise<void>((resolve) => this.#waiting.push(resolve));
    try {
      return await fn();
    } finally {
      const next = this.#waiting.shift();
      if (next) next();
      else this.#free++;
    }
  }
}

/**
 * DefaultAzureCredential, loaded on the first token request: @azure/identity is a large import
 * that the demo, the tests and answers that never reach Azure (static token or none) do not need.
 */
export function lazyDefaultCredential(authorityHost: string): TokenCredential {
  let real: Promise<TokenCredential> | undefined;
  return {
    async getToken(scopes, options) {
      real ??= import("@azure/identity").then(({ DefaultAzureCredential }) => new DefaultAzureCredential({ authorityHost }));
      return (await real).getToken(scopes, options);
    },
  };
}

type ComputeSdk = typeof import("@azure/arm-compute");
let computeSdk: ComputeSdk | undefined;

/** Lets pending I/O (a health check, a chat request) run between two module loads. */
export const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The Azure SDKs, loaded off the start-up path: the server runs these once it listens, so the
 * first answers (and the scheduler's first idle scan) find them loaded. Loading a module graph
 * holds the event loop, so they load one step at a time (shared core first) and requests that
 * arrive meanwhile are served between steps. Resource Graph and Monitor are otherwise loaded by
 * their adapters on first use; Compute is needed synchronously, see `computeSdkNow`.
 */
export const AZURE_SDKS = {
  core: () => import("@azure/core-rest-pipeline"),
  resourceGraph: () => import("@azure/arm-resourcegraph"),
  monitor: () => import("@azure/monitor-query-metrics"),
  compute: async () => {
    computeSdk ??= await import("@azure/arm-compute");
  },
} as const;

/**
 * The Compute SDK now: asked before the background load (the CLI, tests), it loads here,
 * synchronously. Its ES module entry (the one `import` loads, so both ways share one copy of the
 * Azure core) is required as an ES module.
 */
function computeSdkNow(): ComputeSdk {
  if (computeSdk) return computeSdk;
  const require = createRequire(import.meta.url);
  const manifest = require.resolve("@azure/arm-compute/package.json");
  const entry = (JSON.parse(readFileSync(manifest, "utf8")) as { exports: { ".": { import: { default: string } } } }).exports["."].import.default;
  computeSdk = require(join(dirname(manifest), entry)) as ComputeSdk;
  return computeSdk;
}

export function createAzureAccess(opts: AzureAccessOptions): AzureAccess {
  const cloud = AZURE_CLOUDS[opts.cloud];
  const endpoint = (opts.url ?? cloud.arm).replace(/\/+$/, "");
  const credential: TokenCredential = opts.token ? new StaticTokenCredential(opts.token) : lazyDefaultCredential(cloud.login);
  const sleep = opts.sleep ?? defaultSleep;
  const counters = new Map<string, ApiCounter>();
  const counter = (url: string): ApiCounter => {
    const key = apiName(url);
    let c = counters.get(key);
    if (!c) {
      c = { calls: 0, errors: 0, throttled: 0, retries: 0 };
      counters.set(key, c);
    }
    return c;
  };
  const limits = new Map<string, Semaphore>();
  const loopbackAgent = opts.loopbackCa ? new Agent({ ca: opts.loopbackCa, keepAlive: true }) : undefined;

  const retryPolicy: PipelinePolicy = {
    name: "gpuopsRetryPolicy",
    async sendRequest(request, next) {
      const retryable = isSafeToRetry(request);
      return retry(() => next(request), {
        attempts: opts.maxRetries + 1,
        backoff: { baseMs: 200, capMs: 4000, jitter: "equal" },
        // A long Retry-After is the service telling us to go away: report it rather than hang a chat reply.
        retryAfter: { mode: "instead", maxMs: opts.maxRetryWaitSeconds * 1000, beyond: "give-up" },
        decide: (outcome) => {
          // Classic (core-client) SDK clients deserialise below this policy and throw a RestError
          // carrying the response for an error status; treat it like the response itself.
          const failed = outcome.ok ? outcome.value : (outcome.error as { response?: PipelineResponse } | undefined)?.response;
          const transient = failed ? TRANSIENT_STATUS.has(failed.status) : isTransportError(outcome.ok ? undefined : outcome.error);
          if (!transient || !retryable) return { retry: false };
          return { retry: true, retryAfterMs: failed ? retryAfterMs(failed.headers) : undefined };
        },
        onRetry: () => void counter(request.url).retries++,
        sleep: (ms) => sleep(ms, request.abortSignal as AbortSignal | undefined),
      });
    },
  };

  // Each try gets its own clock, so a hung try is retried like a reset instead of holding the caller forever.
  const tryTimeoutPolicy: PipelinePolicy = {
    name: "gpuopsTryTimeoutPolicy",
    async sendRequest(request, next) {
      const ms = opts.tryTimeoutMs ?? 0;
      if (ms <= 0) return next(request);
      const outer = request.abortSignal as AbortSignal | undefined;
      const ctl = new AbortController();
      const follow = () => ctl.abort(outer?.reason);
      if (outer?.aborted) follow();
      else outer?.addEventListener("abort", follow, { once: true });
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        ctl.abort();
      }, ms);
      request.abortSignal = ctl.signal;
      try {
        return await next(request);
      } catch (err) {
        if (!timedOut) throw err;
        const api = apiName(request.url);
        throw new GpuopsError("azure_unavailable", `Azure did not answer ${api} within ${Math.round(ms / 100) / 10} s; it is usually transient, try again shortly.`, {
          cause: err,
          context: { api, timeoutMs: ms },
        });
      } finally {
        clearTimeout(timer);
        outer?.removeEventListener("abort", follow);
        if (outer) request.abortSignal = outer;
        else delete request.abortSignal;
      }
    },
  };

  const limitPolicy: PipelinePolicy = {
    name: "gpuopsConcurrencyPolicy",
    sendRequest(request, next) {
      const host = new URL(request.url).host;
      let sem = limits.get(host);
      if (!sem) {
        sem = new Semaphore(opts.concurrency);
        limits.set(host, sem);
      }
      return sem.run(() => next(request));
    },
  };

  const countPolicy: PipelinePolicy = {
    name: "gpuopsCounterPolicy",
    async sendRequest(request, next) {
      const c = counter(request.url);
      c.calls++;
      try {
        const response = await next(request);
        if (response.status === 429) c.throttled++;
        if (response.status >= 400) c.errors++;
        return response;
      } catch (err) {
        c.errors++;
        throw err;
      }
    },
  };

  // Trust the fake's certificate for loopback hosts only; every other host keeps the system CAs.
  const loopbackTlsPolicy: PipelinePolicy = {
    name: "gpuopsLoopbackTlsPolicy",
    sendRequest(request, next) {
      if (loopbackAgent && isLoopbackUrl(request.url)) request.agent = loopbackAgent;
      return next(request);
    },
  };

  const clientOptions = (): SdkClientOptions => {
    const scopes = [`${endpoint}/.default`];
    return {
      endpoint,
      credentials: { scopes },
      credentialScopes: scopes,
      retryOptions: { maxRetries: 0 },
      additionalPolicies: [
        { policy: retryPolicy, position: "perCall" },
        { policy: limitPolicy, position: "perRetry" },
        { policy: countPolicy, position: "perRetry" },
        { policy: tryTimeoutPolicy, position: "perRetry" },
        { policy: loopbackTlsPolicy, position: "perRetry" },
      ],
      userAgentOptions: { userAgentPrefix: "gpuops/0.1" },
    };
  };

  const clients = new Map<string, unknown>();
  const client = <T>(key: string, make: (c: TokenCredential, o: SdkClientOptions) => T): T => {
    let c = clients.get(key) as T | undefined;
    if (c === undefined) {
      c = make(credential, clientOptions());
      clients.set(key, c);
    }
    return c;
  };

  return {
    endpoint,
    credential,
    clientOptions,
    client,
    compute: (subscriptionId) => client(`compute:${subscriptionId}`, (cred, o) => new (computeSdkNow().ComputeManagementClient)(cred, subscriptionId, o)),
    counters: () => Object.fromEntries([...counters].map(([k, v]) => [k, { ...v }])),
    totalCalls: () => [...counters.values()].reduce((n, c) => n + c.calls, 0),
    resetCounters: () => counters.clear(),
  };
}

function isTransportError(err: unknown): boolean {
  if (!err || typeof err !== "object") return false;
  if (err instanceof GpuopsError && err.context.timeoutMs !== undefined) return true;
  const code = (err as { code?: unknown }).code;
  return typeof code === "string" && ["ECONNRESET", "ECONNREFUSED", "ETIMEDOUT", "EPIPE", "REQUEST_SEND_ERROR", "UND_ERR_SOCKET", "ENOTFOUND", "EAI_AGAIN"].includes(code);
}
