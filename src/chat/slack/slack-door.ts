/**
 * The Slack door: a Bolt app on the gpuops HTTP server at /slack/events (signature checked by
 * Bolt with the signing secret), or over Socket Mode when SLACK_APP_TOKEN is set. The bot token
 * is verified once at start and Bolt is given the bot ids, so no request waits on auth.test.
 *
 * @example
 * const slack = await startSlackDoor({ config, app, log, web }); // undefined when Slack is not configured
 * await slack?.posting.post("C0123", reply);
 */
import type { App as BoltApp } from "@slack/bolt";
import type { WebClient } from "@slack/web-api";
import express, { type Express } from "express";
import type { App } from "../../app.ts";
import { type Config, ConfigError } from "../../config.ts";
import type { Logger } from "../../log.ts";
import type { Reply } from "../../reply/reply.ts";
import type { SeenRequests } from "../../services/ports.ts";
import { type HomeSectionProvider, homeBlocks } from "./app-home.ts";
import { registerBlockActions } from "./block-actions.ts";
import type { DoorDeps } from "./door-deps.ts";
import { registerMessageEvents } from "./mentions.ts";
import type { ModalBuilder } from "./modals.ts";
import { createSlackPosting, type SlackPosting } from "./posting.ts";
import { createRequestGuard } from "./request-guard.ts";
import { HTTP_RESPONSE, registerSlashCommand } from "./slash-command.ts";
import { type BotIdentity, createSlackWebClient, slackErrorCode, slackLogger, verifyBotToken, webClientOptions } from "./web-client.ts";

export type SlackMode = "http" | "socket";

/** The path Slack posts commands, interactions and events to (deploy/slack/manifest.yaml). */
export const SLACK_EVENTS_PATH = "/slack/events";

/** How the config switches Slack on: Socket Mode with an app token, HTTP with a signing secret. */
export function slackMode(config: Config): SlackMode | undefined {
  if (!config.slack.botToken) return undefined;
  if (config.slack.appToken) return "socket";
  return config.slack.signingSecret ? "http" : undefined;
}

export interface SlackDoorOptions {
  config: Config;
  app: App;
  log: Logger;
  /** The gpuops express app; /slack/events is mounted on it (HTTP mode). */
  web: Express;
  now?: () => number;
  /** The shared ledger of requests already run (the store's); one process's memory when absent. */
  seen?: SeenRequests | undefined;
}

export interface SlackDoor {
  mode: SlackMode;
  bolt: BoltApp;
  identity: BotIdentity;
  client: WebClient;
  /** Posting port for digests, alerts and approvals. */
  posting: SlackPosting;
  /** Adds a section to App Home (the digest feature lists channel subscriptions here). */
  addHomeSection(provider: HomeSectionProvider): void;
  /** Makes buttons with this verb open a form; its submission runs the verb's action. */
  onModal(verb: string, build: ModalBuilder): void;
  publishHome(userId: string, answer?: Reply): Promise<void>;
  /** Resolves when work started after acks (slow answers, posts) has finished. */
  idle(): Promise<void>;
  stats(): { replays: number; retries: number; duplicates: number; future: number; posts: number; updates: number; rateLimited: number };
  close(): Promise<void>;
}

export async function startSlackDoor(opts: SlackDoorOptions): Promise<SlackDoor | undefined> {
  const { config, app } = opts;
  const mode = slackMode(config);
  const botToken = config.slack.botToken;
  if (!mode || !botToken) return undefined;
  // Bolt is a large import: loaded only when Slack is configured.
  const { App: Bolt, ExpressReceiver, SocketModeReceiver } = await import("@slack/bolt");
  const log = opts.log.child({ door: "slack" });
  const now = opts.now ?? Date.now;
  const api = { botToken, apiUrl: config.slack.apiUrl };
  const client = createSlackWebClient(api, log);
  const identity = await verifyBotToken(client, { botId: config.slack.botId, botUserId: config.slack.botUserId });
  const posting = createSlackPosting({ client, log, images: app.images });
  // Digests and alerts find the Slack port by platform.
  app.posting.register(posting);
  const guard = createRequestGuard({
    signingSecret: config.slack.signingSecret,
    ...(opts.seen ? { seen: opts.seen } : {}),
    now,
    onSkip: (why, key) => log.info({ why, key }, "Slack request skipped"),
  });
  const logger = slackLogger(log);

  const common = {
    token: botToken,
    botId: identity.botId,
    botUserId: identity.botUserId,
    logger,
    clientOptions: webClientOptions(api, log),
    convoStore: false as const,
  };
  let bolt: BoltApp;
  if (mode === "socket") {
    const receiver = new SocketModeReceiver({ appToken: config.slack.appToken as string, logger, installerOptions: { clientOptions: { slackApiUrl: api.apiUrl } } });
    bolt = new Bolt({ ...common, receiver });
  } else {
    const router = express.Router();
    router.post(SLACK_EVENTS_PATH, guard.http);
    const receiver = new ExpressReceiver({
      signingSecret: config.slack.signingSecret as string,
      endpoints: SLACK_EVENTS_PATH,
      router,
      // biome-ignore lint/suspicious/noExplicitAny: Bolt types express from its own @types/express copy; it is the same express 5 app.
      app: opts.web as any,
      logger,
      processBeforeResponse: false,
      // The guard in front already verified it (with Bolt's own check) and refused what fails.
      signatureVerification: false,
      // The command handler sends a kept ack body as JSON text and says its content type on the response.
      customPropertiesExtractor: (req) => ({ [HTTP_RESPONSE]: req.res }),
    });
    bolt = new Bolt({ ...common, receiver });
  }
  bolt.error(async (err) => {
    log.error({ err: { name: err.name, code: (err as { code?: string }).code, message: err.message } }, "Slack request failed");
  });
  // Over HTTP the guard checked everything before Bolt saw the request.
  if (mode === "socket") bolt.use(guard.bolt);

  const pending = new Set<Promise<unknown>>();
  const idle = async () => {
    while (pending.size > 0) await Promise.allSettled([...pending]);
  };
  const providers: HomeSectionProvider[] = [];
  const modals = new Map<string, ModalBuilder>();
  const home = { demo: config.demo, regions: config.regions, skuCacheTtlSeconds: config.azure.skuCacheTtlSeconds };
  const publishHome = async (userId: string, answer?: Reply) => {
    const blocks = await homeBlocks(home, new Date(now()), { id: userId }, providers, answer);
    await client.views.publish({ user_id: userId, view: { type: "home", blocks } });
  };
  const deps: DoorDeps = {
    context: () => app.context(),
    router: app.router,
    log,
    client,
    posting,
    ackDeadlineMs: config.slack.ackDeadlineMs,
    now,
    track(work) {
      const p = work.catch((err: unknown) => log.error({ err }, "background Slack work failed"));
      pending.add(p);
      void p.finally(() => pending.delete(p));
    },
    publishHome,
    modals,
  };

  registerSlashCommand(bolt, deps);
  registerBlockActions(bolt, deps);
  registerMessageEvents(bolt, deps, identity.botUserId);
  bolt.event("app_home_opened", async ({ event }) => {
    if (event.tab !== "home") return;
    deps.track(publishHome(event.user));
  });

  if (mode === "socket") {
    try {
      await bolt.start();
    } catch (err) {
      const code = slackErrorCode(err);
      throw new ConfigError(
        `SLACK_APP_TOKEN: could not open a Socket Mode connection (${code ?? (err as Error).message}); use an app-level token (xapp-…) with connections:write.`,
        {
          cause: err,
        },
      );
    }
  }
  log.info({ mode, botUserId: identity.botUserId }, mode === "socket" ? "Slack connected over Socket Mode" : `Slack listening at ${SLACK_EVENTS_PATH}`);

  return {
    mode,
    bolt,
    identity,
    client,
    posting,
    addHomeSection: (p) => {
      providers.push(p);
    },
    onModal: (verb, build) => {
      modals.set(verb, build);
    },
    publishHome,
    idle,
    stats: () => ({ ...guard.stats(), ...posting.stats() }),
    async close() {
      await Promise.race([idle(), new Promise((r) => setTimeout(r, 5000))]);
      if (mode === "socket") await bolt.stop();
    },
  };
}
