/**
 * The part of the Teams door that needs the Microsoft 365 Agents SDK: the CloudAdapter, the
 * conversation logic and the proactive posting port. The door loads this module on the first
 * Teams activity or proactive post, not at start-up: the SDK and its token libraries are about
 * 500 modules and 40 MB that a server nobody talks to through Teams never needs.
 */
import type { CloudAdapter, TurnContext } from "@microsoft/agents-hosting";
import type { Router } from "../../commands/router.ts";
import type { CommandContext } from "../../commands/types.ts";
import type { Logger } from "../../log.ts";
import type { ConversationRefsPort, PostingPort } from "../../services/ports.ts";
import { type TeamsSettings, teamsAuthConfig } from "./auth-config.ts";
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from "./connector-retry.ts";
import { LeanCloudAdapter } from "./lean-sends.ts";
import { createTeamsPostingPort } from "./posting-port.ts";
import { TeamsAgent } from "./teams-agent.ts";

/** What the runtime is built from: the door's dependencies (see TeamsDoorDeps). */
export interface TeamsRuntimeDeps {
  teams: TeamsSettings;
  context(): CommandContext;
  /** Runs commands and clicks (the app's router). */
  router: Router;
  /** Where conversation references are kept (the store); undefined without one. */
  conversations: ConversationRefsPort | undefined;
  now?: () => Date;
  retry?: Partial<RetryPolicy>;
}

export interface TeamsRuntime {
  adapter: CloudAdapter;
  agent: TeamsAgent;
  posting: PostingPort;
}

export function createTeamsRuntime(deps: TeamsRuntimeDeps, local: boolean, log: Logger): TeamsRuntime {
  // With real tokens, also insist that the activity's serviceUrl is the one the token was issued for
  // (off by default in the SDK): a stolen token cannot point the bot at another host.
  // The SDK's adapter, sending plain messages without its per-message copy of the card (lean-sends.ts).
  const adapter = new LeanCloudAdapter(teamsAuthConfig(deps.teams), undefined, undefined, { validateServiceUrl: !local });
  const retry: RetryPolicy = { ...DEFAULT_RETRY_POLICY, ...deps.retry };
  const now = deps.now ?? (() => new Date());
  // Anonymous identity in local mode: the SDK then calls the connector without a token.
  const identity = deps.teams.appId ?? {};
  const agent = new TeamsAgent({
    adapter,
    identity,
    context: deps.context,
    router: deps.router,
    conversations: deps.conversations,
    log,
    now,
    slowReplyMs: deps.teams.slowReplyMs,
    retry,
  });
  adapter.onTurnError = async (context: TurnContext, error: Error) => {
    log.error({ err: error, activityType: context.activity.type }, "teams: turn failed");
    try {
      if (context.activity.type === "message") await context.sendActivity("Sorry, something went wrong on our side while answering; it has been logged. Try again, or ask `help`.");
    } catch (err) {
      log.warn({ err }, "teams: could not tell the user about the failure");
    }
  };
  const posting = createTeamsPostingPort({ adapter, identity, conversations: deps.conversations, log, now, retry });
  return { adapter, agent, posting };
}
