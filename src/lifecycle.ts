/**
 * Readiness and graceful shutdown of the one server process.
 *
 * - `/readyz` answers 200 once the store is open (its migrations ran at open), the doors are
 *   mounted and the port listens, and only while the store still answers a query; 503 before,
 *   while draining, and when the store is unreachable. `/healthz` stays the liveness check.
 * - On SIGTERM (Kubernetes, Container Apps, `docker stop`): readiness turns 503 at once and the
 *   server keeps serving for the drain delay, so load balancers stop sending new work first; then
 *   it stops accepting connections, waits (bounded by the shutdown timeout) for in-flight HTTP
 *   requests, command answers, slow Slack replies, Teams turns and posts, stops the scheduler
 *   (waiting for runs in progress), hands back the job claims it still holds so another replica
 *   takes them over at once, and closes the store.
 *
 * @example
 * const lifecycle = createLifecycle({ store: app.store });
 * web.get("/readyz", lifecycle.readyz);
 * lifecycle.markReady();
 * process.on("SIGTERM", () => void lifecycle.shutdown(steps).then(() => process.exit(0)));
 */
import type { Server } from "node:http";
import type { RequestHandler } from "express";

import type { CommandRequest, CoreLogger } from "./commands/types.ts";
import type { Reply } from "./reply/reply.ts";
import type { PostingPort } from "./services/ports.ts";
import type { Store } from "./store/store.ts";

export type ReadyState = "starting" | "ready" | "draining" | "stopped";

export interface ShutdownSteps {
  http: Server;
  /** Waits for the doors' own background work (slow Slack replies, Teams turns). */
  doorsIdle(): Promise<void>;
  /** Stops the scheduler; resolves when runs in progress have ended. */
  stopScheduler(): Promise<void>;
  /** Owner name of this process's job claims. */
  schedulerOwner?: string;
  /** Closes the doors, the store and the rest. */
  close(): Promise<void>;
}

export interface Lifecycle {
  readonly state: ReadyState;
  markReady(): void;
  readyz: RequestHandler;
  /** Counts a command or a post as in flight until the promise settles. */
  track<T>(work: Promise<T>): Promise<T>;
  /** The command hook the router's run calls: in flight from start to answer. */
  commandStarted(request: CommandRequest): (reply: Reply | undefined) => void;
  /** A posting port whose posts and updates count as in flight. */
  trackPosting(port: PostingPort): PostingPort;
  inFlight(): number;
  /** Drains and closes; safe to call twice (the second call waits for the first). */
  shutdown(steps: ShutdownSteps): Promise<{ timedOut: boolean; releasedClaims: number }>;
}

export interface LifecycleOptions {
  store: Pick<Store, "ping" | "releaseClaims"> | undefined;
  log?: CoreLogger;
  /** Seconds /readyz answers 503 before the server stops accepting. */
  drainDelaySeconds?: number;
  /** Seconds to wait for in-flight work before closing anyway. */
  shutdownTimeoutSeconds?: number;
  /** Waits, injectable for tests. */
  sleep?: (ms: number) => Promise<void>;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** How long a readiness probe waits for the store before calling it unreachable. */
const STORE_PING_MS = 2000;

export function createLifecycle(opts: LifecycleOptions): Lifecycle {
  let state: ReadyState = "starting";
  let shuttingDown: Promise<{ timedOut: boolean; releasedClaims: number }> | undefined;
  const pending = new Set<Promise<unknown>>();
  const sleep = opts.sleep ?? realSleep;

  const track = <T>(work: Promise<T>): Promise<T> => {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    pending.add(settled);
    void settled.finally(() => pending.delete(settled));
    return work;
  };

  async function storeReachable(): Promise<string | undefined> {
    if (!opts.store) return undefined;
    const store = opts.store;
    try {
      await Promise.race([store.ping(), sleep(STORE_PING_MS).then(() => Promise.reject(new Error(`no answer in ${STORE_PING_MS} ms`)))]);
      return undefined;
    } catch (err) {
      return `store unreachable: ${err instanceof Error ? err.message : String(err)}`;
    }
  }

  /** Resolves when nothing tracked is in flight (work started meanwhile is waited for too). */
  async function idle(): Promise<void> {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  }

  /** Hands back this process's unfinished claims: dated (claim and heartbeat) at the epoch, another replica takes them over at once (as a takeover, so the job checks what was already done). */
  async function releaseClaims(owner: string | undefined): Promise<number> {
    if (!opts.store || !owner) return 0;
    return opts.store.releaseClaims(owner);
  }

  return {
    get state() {
      return state;
    },
    markReady() {
      if (state === "starting") state = "ready";
    },
    readyz: async (_req, res) => {
      const checks: Record<string, string> = {};
      checks.doors = state === "starting" ? "starting" : "ok";
      checks.store = opts.store ? ((await storeReachable()) ?? "ok") : "none";
      checks.migrations = opts.store ? "ok" : "none";
      const draining = state === "draining" || state === "stopped";
      const ok = !draining && checks.doors === "ok" && (checks.store === "ok" || checks.store === "none");
      res
        .status(ok ? 200 : 503)
        .set("cache-control", "no-store")
        .json({ status: ok ? "ready" : draining ? "draining" : "not ready", checks, inFlight: pending.size });
    },
    track,
    commandStarted() {
      let finish!: () => void;
      void track(
        new Promise<void>((resolve) => {
          finish = resolve;
        }),
      );
      return () => finish();
    },
    trackPosting(port) {
      return {
        platform: port.platform,
        post: (channelId, reply, o) => track(port.post(channelId, reply, o)),
        update: (message, reply) => track(port.update(message, reply)),
      };
    },
    inFlight: () => pending.size,
    shutdown(steps) {
      shuttingDown ??= (async () => {
        const log = opts.log;
        state = "draining";
        const delayMs = (opts.drainDelaySeconds ?? 0) * 1000;
        const timeoutMs = (opts.shutdownTimeoutSeconds ?? 30) * 1000;
        log?.info({ drainDelayMs: delayMs, timeoutMs, inFlight: pending.size }, "draining: /readyz now answers 503");
        if (delayMs > 0) await sleep(delayMs);
        // Stop accepting; keep-alive connections with no request in progress close now, busy ones after their answer.
        const httpClosed = new Promise<void>((resolve) => steps.http.close(() => resolve()));
        steps.http.closeIdleConnections();
        let timedOut = false;
        const bounded = (p: Promise<unknown>) =>
          Promise.race([
            p.then(() => true),
            sleep(timeoutMs).then(() => {
              timedOut = true;
              return false;
            }),
          ]);
        await bounded(Promise.all([httpClosed, idle(), steps.doorsIdle(), steps.stopScheduler()]).then(() => idle()));
        if (timedOut) log?.warn({ inFlight: pending.size }, "shutdown timeout reached; closing with work still in flight");
        steps.http.closeAllConnections();
        let releasedClaims = 0;
        try {
          releasedClaims = await releaseClaims(steps.schedulerOwner);
        } catch (err) {
          log?.warn({ err }, "could not hand back job claims; other replicas take them over once they go stale");
        }
        // A job that outlived the timeout would hold closing up for good (the scheduler waits for it): bound this too.
        const closed = await Promise.race([steps.close().then(() => true), sleep(Math.min(timeoutMs, 5000)).then(() => false)]);
        if (!closed) log?.warn({}, "closing took too long; leaving the rest to process exit");
        state = "stopped";
        log?.info({ timedOut, releasedClaims }, "stopped");
        return { timedOut, releasedClaims };
      })();
      return shuttingDown;
    },
  };
}

const instrumented = new WeakSet<PostingPort>();

/**
 * Routes a posting port's post and update through `wrap` (metrics, in-flight tracking) on the
 * port itself, so registries that hand it out keep its identity and its other methods. Once per port.
 */
export function instrumentInPlace(port: PostingPort, wrap: (inner: PostingPort) => PostingPort): PostingPort {
  if (instrumented.has(port)) return port;
  const outer = wrap({ platform: port.platform, post: port.post.bind(port), update: port.update.bind(port) });
  port.post = outer.post;
  port.update = outer.update;
  instrumented.add(port);
  return port;
}
