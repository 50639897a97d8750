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
 * const teams = mountTeamsDoor(web, { teams: config.teams, context: app.context, db: app.store?.db, log, listenHost: config.server.host });
 * await teams.posting.post(conversationId, reply);
 */
import { CloudAdapter, type TurnContext } from "@microsoft/agents-hosting";
import express, { type Express, type NextFunction, type Request, type Response } from "express";
import type { Kysely } from "kysely";
import { registerAction } from "../../commands/actions.ts";
import { showRowsAction } from "../../commands/show-rows.ts";
import type { CommandContext } from "../../commands/types.ts";
import { isLoopbackHost } from "../../config.ts";
import type { Logger } from "../../log.ts";
import type { PostingPort } from "../../services/ports.ts";
import type { Database } from "../../store/schema.ts";
import { isLocalMode, type TeamsSettings, teamsAuthConfig } from "./auth-config.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./connector-retry.ts";
import { createTeamsPostingPort } from "./posting-port.ts";
import { TeamsAgent } from "./teams-agent.ts";

export const TEAMS_ROUTE = "/api/messages";

export interface TeamsDoorDeps {
  teams: TeamsSettings;
  context(): CommandContext;
  db: Kysely<Database> | undefined;
  log: Logger;
  now?: () => Date;
  /** Back-off settings for connector calls (tests use short waits and a fixed jitter). */
  retry?: Partial<RetryPolicy>;
  /** The address the server listens on: anonymous local mode is only for loopback. */
  listenHost: string;
}

export interface TeamsDoor {
  /** "authenticated": JWTs checked; "local": anonymous development mode on loopback; "off": refused (no app id in production or beyond loopback). */
  mode: "authenticated" | "local" | "off";
  adapter: CloudAdapter | undefined;
  posting: PostingPort | undefined;
  /** Resolves when answers still being prepared in the background have been sent (or `maxWaitMs` passed). */
  idle(maxWaitMs?: number): Promise<void>;
}

/** Builds the adapter, the conversation logic and the posting port, and mounts POST /api/messages. */
export function mountTeamsDoor(web: Express, deps: TeamsDoorDeps): TeamsDoor {
  const log = deps.log.child({ door: "teams" });
  const local = isLocalMode(deps.teams);
  const refuse = (): TeamsDoor => {
    web.post(TEAMS_ROUTE, (_req, res) => {
      res.status(401).json({ error: "Teams is not configured on this server." });
    });
    return { mode: "off", adapter: undefined, posting: undefined, idle: async () => {} };
  };
  if (local && process.env.NODE_ENV?.toLowerCase() === "production") {
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

  // With real tokens, also insist that the activity's serviceUrl is the one the token was issued for
  // (off by default in the SDK): a stolen token cannot point the bot at another host.
  const adapter = new CloudAdapter(teamsAuthConfig(deps.teams), undefined, undefined, { validateServiceUrl: !local });
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...deps.retry };
  const now = deps.now ?? (() => new Date());
  // Anonymous identity in local mode: the SDK then calls the connector without a token.
  const identity = deps.teams.appId ?? {};
  const agent = new TeamsAgent({ adapter, identity, context: deps.context, db: deps.db, log, now, slowReplyMs: deps.teams.slowReplyMs, retry });
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    log.error({ err: error, activityType: context.activity.type }, "teams: turn failed");
    try {
      if (context.activity.type === "message") await context.sendActivity("Sorry, something went wrong on our side while answering; it has been logged. Try again, or ask `help`.");
    } catch (err) {
      log.warn({ err }, "teams: could not tell the user about the failure");
    }
  };
  const posting = createTeamsPostingPort({ adapter, identity, db: deps.db, log, now, retry });
  registerAction(showRowsAction);

  web.post(
    TEAMS_ROUTE,
    // Authenticate before reading the body: an unauthenticated request costs nothing and runs nothing.
    (req: Request, res: Response, next: NextFunction) => adapter.authorizeRequest(req, res, next),
    express.json({ limit: "1mb" }),
    async (req: Request, res: Response) => {
      try {
        await adapter.process(req, res, (context) => agent.run(context));
      } catch (err) {
        log.error({ err }, "teams: could not process the activity");
        if (!res.headersSent) res.status(400).json({ error: "Not a valid activity." });
      }
    },
  );
  return { mode: local ? "local" : "authenticated", adapter, posting, idle: (maxWaitMs?: number) => agent.idle(maxWaitMs) };
}
