/**
 * One HTTP server for every door: /healthz, /metrics, and the Slack, Teams and console doors
 * as they attach. `npm start` runs this; with no Azure scope it serves the demo tenant.
 */
import type { Server } from "node:http";
import express, { type Express } from "express";
import { type App, type AppOptions, createApp } from "./app.ts";
import { chartRoute } from "./charts/chart-route.ts";
import { type Console, createConsole } from "./chat/console/router.ts";
import { type SlackDoor, startSlackDoor } from "./chat/slack/slack-door.ts";
import type { RetryPolicy } from "./chat/teams/connector-retry.ts";
import { mountTeamsDoor, type TeamsDoor } from "./chat/teams/teams-door.ts";
import { type Config, ConfigError, isLoopbackHost, loadConfig, summariseConfig } from "./config.ts";
import { consoleOffPage } from "./console-off.ts";
import { GpuopsError } from "./errors.ts";
import { type IdleTrim, startIdleTrim } from "./idle-memory.ts";
import { createLogger, type Logger } from "./log.ts";

export interface RunningServer {
  app: App;
  http: Server;
  express: Express;
  url: string;
  log: Logger;
  /** The Teams door at /api/messages (its mode and proactive posting port). */
  teams: TeamsDoor;
  /** The local web console (its posting port, messages and whether it is on). */
  console: Console;
  /** Where a person opens the console ("http://localhost:3978/"), when it is on. */
  consoleUrl: string | undefined;
  /** The Slack door, when Slack credentials are configured. */
  slack: SlackDoor | undefined;
  close(): Promise<void>;
  /** Graceful stop (SIGTERM): /readyz 503, drain delay, in-flight work finished within the timeout, claims handed back, store closed. */
  shutdown(): Promise<{ timedOut: boolean; releasedClaims: number }>;
}

interface ServerOptions {
  log?: Logger;
  now?: () => Date;
  teams?: { retry?: Partial<RetryPolicy> };
  jobs?: AppOptions["jobs"];
  /** Test hooks for GPU request side effects (claim timing, a crash right after a decision). */
  requestRuntime?: AppOptions["requestRuntime"];
  /** How long after listen the Azure SDK warm-up starts (`main()`: WARM_UP_AFTER_LISTEN_MS; default at once). */
  warmUpAfterMs?: number;
}

/**
 * `main()` waits this long after listen before the Azure SDK warm-up. Measured on the demo from
 * source (2-core host): a warm-up started at listen held the first /healthz probe 60–80 ms (up to
 * 350 ms), one started 250 ms later held none.
 */
export const WARM_UP_AFTER_LISTEN_MS = 250;

export async function startServer(config: Config, opts: ServerOptions = {}): Promise<RunningServer> {
  const log = opts.log ?? createLogger(config.logLevel);
  const app = await createApp(config, {
    withStore: true,
    metrics: true,
    log,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.jobs ? { jobs: opts.jobs } : {}),
    ...(opts.requestRuntime ? { requestRuntime: opts.requestRuntime } : {}),
  });
  const web = express();
  web.disable("x-powered-by");
  if (app.metrics) web.use(app.metrics.httpMiddleware);
  web.get("/readyz", app.lifecycle.readyz);
  web.get("/healthz", (_req, res) => {
    res.json({ status: "ok", demo: config.demo, store: app.store?.engine });
  });
  if (app.metrics) web.get("/metrics", app.metrics.handler);
  web.get("/charts/:file", chartRoute(app.images));
  // Slack first: Bolt checks the signature on the raw body, so no body parser may run before it.
  let slack: SlackDoor | undefined;
  try {
    slack = await startSlackDoor({ config, app, log, web, seen: app.store?.slackRequests });
  } catch (err) {
    await app.close();
    throw err;
  }
  if (slack) await app.attachSlack(slack);
  const teams = mountTeamsDoor(web, {
    teams: config.teams,
    context: app.context,
    conversations: app.store?.conversations,
    router: app.router,
    log,
    listenHost: config.server.host,
    production: config.nodeEnv?.toLowerCase() === "production",
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.teams?.retry ? { retry: opts.teams.retry } : {}),
  });
  // Digests and alerts post through the doors that are on (Slack and the console register their own).
  if (teams.posting && !app.posting.get(teams.posting.platform)) app.posting.register(teams.posting);
  const consoleDoor = createConsole({ app, config, log });
  if (consoleDoor.access.enabled) {
    web.use(consoleDoor.router);
    app.posting.register(consoleDoor.posting);
  } else {
    log.info({ reason: consoleDoor.access.reason }, "local console off");
    // Switched off on purpose: nothing at /. Off by default (beyond loopback, live Azure): say how to turn it on.
    if (config.console.mode !== "off") web.get("/", consoleOffPage(consoleDoor.access));
  }

  let http: Server;
  try {
    http = await listen(web, config.server.port, config.server.host);
  } catch (err) {
    await slack?.close();
    await app.close();
    throw err;
  }
  const address = http.address();
  const port = typeof address === "object" && address ? address.port : config.server.port;
  const url = `http://${config.server.host.includes(":") ? `[${config.server.host}]` : config.server.host}:${port}`;
  app.setPublicUrl(url);
  // The Azure SDKs load a moment after listen, a step at a time with requests served in between:
  // not before listen, not on a first request, and not in the very first moments, when the
  // orchestrator's first health probe (and any request queued during the restart) arrive: each
  // step holds the event loop while its modules load. The scheduler's first wake-up (catching up
  // the idle scan) waits for them rather than loading them in one piece that would hold every early request.
  const warm = new Promise((resolve) => setTimeout(resolve, opts.warmUpAfterMs ?? 0))
    .then(() => app.warmUp())
    .catch((err: unknown) => log.warn({ err }, "could not preload the Azure SDKs"));
  if (config.scheduler.enabled) {
    await warm;
    await app.scheduler?.start();
  } else log.info({}, "scheduler off on this replica (GPUOPS_SCHEDULER=false)");
  // GPU request actions cut short by a crash or a restart resume now (their claims keep them exactly-once).
  void app.requests?.runEffects().catch((err: unknown) => log.error({ err }, "could not resume GPU request actions"));
  const consoleHost = isLoopbackHost(config.server.host) ? "localhost" : url.slice("http://".length, url.lastIndexOf(":"));
  const consoleUrl = consoleDoor.access.enabled ? `http://${consoleHost}:${port}/` : undefined;
  app.lifecycle.markReady();
  return {
    app,
    http,
    express: web,
    url,
    log,
    teams,
    console: consoleDoor,
    consoleUrl,
    slack,
    async close() {
      await app.scheduler?.stop();
      await slack?.close();
      await teams.idle();
      await new Promise<void>((resolve) => {
        http.close(() => resolve());
        http.closeAllConnections();
      });
      await app.close();
    },
    shutdown() {
      return app.lifecycle.shutdown({
        http,
        doorsIdle: async () => {
          await Promise.all([slack?.idle(), teams.idle()]);
        },
        stopScheduler: async () => app.scheduler?.stop(),
        ...(app.scheduler ? { schedulerOwner: app.scheduler.owner } : {}),
        close: async () => {
          await slack?.close();
          await app.close();
        },
      });
    },
  };
}

/** Listens, or fails with the reason in words (Express 5 hands listen errors to the callback). */
function listen(web: Express, port: number, host: string): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const s = web.listen(port, host, (err?: Error) => {
      if (!err) return resolve(s);
      const code = (err as NodeJS.ErrnoException).code;
      const reason =
        code === "EADDRINUSE"
          ? `port ${port} is in use; set PORT to a free port`
          : code === "EACCES"
            ? `port ${port} needs privileges this process lacks; set PORT to 1024 or above`
            : code === "EADDRNOTAVAIL"
              ? `GPUOPS_HOST ${host} is not an address of this machine`
              : `could not listen on ${host}:${port} (${code ?? err.message})`;
      reject(new ConfigError(reason, { cause: err }));
    });
  });
}

/** One line for a start-up failure: the cause in words, never a stack trace. */
export function startupFailure(err: unknown): string {
  if (err instanceof GpuopsError) return `gpuops could not start: ${err.message}`;
  const e = err as { code?: unknown; message?: unknown } | undefined;
  return `gpuops could not start: ${typeof e?.message === "string" && e.message ? e.message : String(err)}${typeof e?.code === "string" ? ` (${e.code})` : ""}`;
}

/** `npm start`: config from the environment, logs on stderr, the console's address on stdout, graceful stop on SIGTERM. Test entries pass their hooks in `opts`. */
export async function main(opts: Omit<ServerOptions, "log"> = {}): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  // Logs go to stderr so stdout carries only the one line a person needs: where the console is.
  const log = createLogger(config.logLevel, process.stderr);
  log.info({ summary: summariseConfig(config).split("\n") }, "gpuops starting");
  // Signals are taken from the start: one that arrives while the server is still starting (the
  // first scheduler run comes after listen) is honoured with the same graceful stop once it is up.
  let server: RunningServer | undefined;
  let trim: IdleTrim | undefined;
  let stopping = false;
  const stop = async () => {
    if (stopping || !server) {
      stopping = true;
      return;
    }
    stopping = true;
    trim?.stop();
    log.info({}, "shutting down");
    await server.shutdown();
    process.exit(0);
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  try {
    server = await startServer(config, { warmUpAfterMs: WARM_UP_AFTER_LISTEN_MS, ...opts, log });
  } catch (err) {
    log.debug({ err }, "start-up failed");
    process.stderr.write(`${startupFailure(err)}\n`);
    process.exit(1);
  }
  process.stdout.write(
    server.consoleUrl
      ? `gpuops console${config.demo ? " (demo data)" : ""}: ${server.consoleUrl}\n`
      : `gpuops is running: ${server.url}/ (console off: ${server.console.access.reason})\n`,
  );
  if (stopping) {
    stopping = false;
    await stop();
    return;
  }
  // What start-up left behind (module loading, the first scheduled runs) goes back to the machine
  // now; what a busy spell leaves behind, once the process is quiet again.
  if (config.server.memoryTrim) {
    const running = server;
    trim = startIdleTrim({ busy: () => running.app.lifecycle.inFlight() > 0, log });
    void trim.now("start-up");
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
