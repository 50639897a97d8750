/**
 * The Teams door: POST /api/messages on the gpuops server, through the Microsoft 365 Agents SDK's
 * CloudAdapter (the successor of botbuilder, whose support ended on 31 Dec 2025; platform-facts
 * C, T12). With an app id configured, every request must carry a valid Bot Framework / Entra JWT
 * (the SDK's authorizeJWT) or it gets 401 and nothing runs; with none, it runs in local mode for
 * development and says so loudly, and only while the server listens on loopback: an anonymous door
 * reachable from other machines would run anyone's commands and post replies to whatever serviceUrl
 * they name. Replies go to each activity's serviceUrl.
 *
 * @example
 * const teams = mountTeamsDoor(web, { teams: config.teams, context: app.context, router: app.router, conversations: app.store?.conversations, log, listenHost: config.server.host, production: false });
 * await teams.posting.post(conversationId, reply);
 */
import type { CloudAdapter } from "@microsoft/agents-hosting";
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import type { Router } from "../../commands/router.ts";
import type { CommandContext } from "../../commands/types.ts";
import { isLoopbackHost } from "../../config.ts";
import type { Logger } from "../../log.ts";
import type { ConversationRefsPort, PostingPort } from "../../services/ports.ts";
import { isLocalMode, type TeamsSettings } from "./auth-config.ts";
import type { RetryPolicy } from "./connector-retry.ts";
import type { TeamsRuntime } from "./teams-runtime.ts";

export const TEAMS_ROUTE = "/api/messages";

export interface TeamsDoorDeps {
  teams: TeamsSettings;
  context(): CommandContext;
  /** Where conversation references are kept (the store); undefined without one. */
  conversations: ConversationRefsPort | undefined;
  /** Runs commands and clicks (the app's router). */
  router: Router;
  log: Logger;
  now?: () => Date;
  /** Back-off settings for connector calls (tests use short waits and a fixed jitter). */
  retry?: Partial<RetryPolicy>;
  /** The address the server listens on: anonymous local mode is only for loopback. */
  listenHost: string;
  /** NODE_ENV=production (from config): anonymous local mode is refused. */
  production: boolean;
}

export interface TeamsDoor {
  /** "authenticated": JWTs checked; "local": anonymous development mode on loopback; "off": refused (no app id in production or beyond loopback). */
  mode: "authenticated" | "local" | "off";
  adapter: CloudAdapter | undefined;
  posting: PostingPort | undefined;
  /** Resolves when answers still being prepared in the background have been sent (or `maxWaitMs` passed). */
  idle(maxWaitMs?: number): Promise<void>;
}

/**
 * Mounts POST /api/messages and returns the posting port; the adapter and the conversation logic
 * are built on the first activity or post.
 */
export function mountTeamsDoor(web: Express, deps: TeamsDoorDeps): TeamsDoor {
  const log = deps.log.child({ door: "teams" });
  const local = isLocalMode(deps.teams);
  const refuse = (): TeamsDoor => {
    web.post(TEAMS_ROUTE, (_req, res) => {
      res.status(401).json({ error: "Teams is not configured on this server." });
    });
    return { mode: "off", adapter: undefined, posting: undefined, idle: async () => {} };
  };
  if (local && deps.production) {
    // The SDK refuses anonymous mode in production; so do we, visibly.
    log.error({}, "Teams door off: NODE_ENV=production and no clientId. Set clientId/clientSecret/tenantId (see README, Install in Teams).");
    return refuse();
  }
  if (local && !isLoopbackHost(deps.listenHost)) {
    log.error(
      { host: deps.listenHost },
      `Teams door off: no clientId, and the server listens on ${deps.listenHost}, beyond this machine; anonymous Teams activities are accepted on loopback only. Set clientId/clientSecret/tenantId, or GPUOPS_HOST=127.0.0.1 for local development.`,
    );
    return refuse();
  }
  if (local) {
    log.warn(
      {},
      "TEAMS LOCAL MODE: no clientId configured, so /api/messages accepts UNAUTHENTICATED activities and replies to whatever serviceUrl they name. Development only: set clientId and clientSecret (or authType) before exposing this server.",
    );
  }

  // The SDK is loaded on the first activity or proactive post (teams-runtime.ts), not at start-up.
  let runtime: Promise<TeamsRuntime> | undefined;
  let loaded: TeamsRuntime | undefined;
  const load = (): Promise<TeamsRuntime> => {
    runtime ??= import("./teams-runtime.ts").then((m) => {
      loaded = m.createTeamsRuntime(deps, local, log);
      return loaded;
    });
    return runtime;
  };
  const posting: PostingPort = {
    platform: "teams",
    post: async (channelId, reply, opts) => (await load()).posting.post(channelId, reply, opts),
    update: async (message, reply) => (await load()).posting.update(message, reply),
  };

  web.post(
    TEAMS_ROUTE,
    // Authenticate before reading the body: an unauthenticated request costs nothing and runs nothing.
    (req: Request, res: Response, next: NextFunction) => {
      load().then((rt) => rt.adapter.authorizeRequest(req, res, next), next);
    },
    express.json({ limit: "1mb" }),
    async (req: Request, res: Response) => {
      try {
        const rt = await load();
        await rt.adapter.process(req, res, (context) => rt.agent.run(context));
      } catch (err) {
        log.error({ err }, "teams: could not process the activity");
        if (!res.headersSent) res.status(400).json({ error: "Not a valid activity." });
      }
    },
  );
  return {
    mode: local ? "local" : "authenticated",
    get adapter() {
      return loaded?.adapter;
    },
    posting,
    idle: async (maxWaitMs?: number) => {
      if (runtime) await (await runtime).agent.idle(maxWaitMs);
    },
  };
}
