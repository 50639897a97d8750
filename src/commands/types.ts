/**
 * What every door hands the core, and what the core needs to answer. Doors (Slack, Teams,
 * console, CLI, jobs) build a CommandRequest; handlers return a Reply; nobody here knows a surface.
 */
import type { IdleSettings } from "../domain/idle-rule.ts";
import type { Reply } from "../reply/reply.ts";
import type { Services } from "../services/ports.ts";

export type Surface = "cli" | "slack" | "teams" | "console" | "job";

export interface Actor {
  /** Platform user id: Slack U…, Teams AAD object id, console demo identity, "cli". */
  id: string;
  /** Display name: for showing only, never for deciding who someone is (anyone can pick one). */
  name?: string;
  /** An e-mail / UPN the platform vouched for (Teams roster, Slack users.info); set only by a door that checked it. */
  email?: string;
}

export interface Channel {
  id: string;
  platform: Surface;
}

export interface CommandRequest {
  text: string;
  actor: Actor;
  channel: Channel;
  surface: Surface;
}

export interface CommandSettings {
  regions: string[];
  currency: string;
  timezone: string;
  demo: boolean;
  /** Digest defaults from config: a new subscription's time, and how spend is split ("rg", "size", "subscription", "tag:<key>"). */
  digest?: { defaultAt: string; groupBy: string };
  /** The idle rule, look back and Deallocate approvers (`idle`, idle alerts); defaults when absent. */
  idle?: IdleSettings;
  /** How long a command may take before it answers with what it has; no deadline when absent. */
  commandDeadlineMs?: number;
}

/** The slice of a logger the core uses (pino satisfies it). */
export interface CoreLogger {
  error(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  info(obj: object, msg: string): void;
}

export interface CommandContext {
  services: Services;
  settings: CommandSettings;
  now(): Date;
  /** Where the core reports what it could not answer (app and CLI: pino; tests: test/support/log.ts). */
  log: CoreLogger;
  /** Called as a command starts; the function it returns gets the answer (metrics, graceful shutdown). */
  observe?: (request: CommandRequest) => (reply: Reply | undefined) => void;
}

export interface Verb {
  name: string;
  /** One line for `help`. */
  summary: string;
  usage: string;
  examples: string[];
  /** Longer help for `help <verb>`. */
  details?: string;
  /** `--flags` the CLI passes through to this verb instead of refusing them (e.g. "--dry-run"). */
  cliOptions?: string[];
  /** False for verbs that never touch Azure (help, explain): no demo-data notice. */
  usesAzure?: boolean;
  /** False for verbs that change state (a GPU request): doors must not offer to re-run them for someone else ("Share in channel"). */
  shareable?: boolean;
  /** True for verbs that read or write the store (GPU requests): the one-shot CLI opens it for them. */
  usesStore?: boolean;
  run(args: string[], request: CommandRequest, ctx: CommandContext): Promise<Reply>;
}
