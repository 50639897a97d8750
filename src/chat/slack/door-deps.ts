/** What the Slack listeners share: the core context, Slack clients, and background-work tracking. */
import type { WebClient } from "@slack/web-api";
import type { Router } from "../../commands/router.ts";
import type { CommandContext } from "../../commands/types.ts";
import type { Logger } from "../../log.ts";
import type { Reply } from "../../reply/reply.ts";
import type { ModalBuilder } from "./modals.ts";
import type { SlackPosting } from "./posting.ts";

export interface DoorDeps {
  context(): CommandContext;
  /** Runs commands and clicks (the app's router). */
  router: Router;
  log: Logger;
  client: WebClient;
  posting: SlackPosting;
  /** Answers slower than this are acked with "working on it…" and sent via response_url. */
  ackDeadlineMs: number;
  now(): number;
  /** Keeps a promise of work done after the ack, so shutdown and tests can wait for it. */
  track(work: Promise<unknown>): void;
  publishHome(userId: string, answer?: Reply): Promise<void>;
  modals: Map<string, ModalBuilder>;
}

/** `<@U…>` for a real Slack user id, so the door can mention the clicker safely. */
export function mention(userId: string): string {
  return /^[UW][A-Z0-9]{2,}$/.test(userId) ? `<@${userId}>` : "someone";
}
