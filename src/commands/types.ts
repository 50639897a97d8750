/**
 * What every door hands the core, and what the core needs to answer. Doors (Slack, Teams,
 * console, CLI, jobs) build a CommandRequest; handlers return a Reply; nobody here knows a surface.
 */
import type { Reply } from "../reply/reply.ts";
import type { Services } from "../services/ports.ts";

export type Surface = "cli" | "slack" | "teams" | "console" | "job";

export interface Actor {
  /** Platform user id: Slack U…, Teams AAD object id, console demo identity, "cli". */
  id: string;
  name?: string;
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
  log?: CoreLogger;
}

export interface Verb {
  name: string;
  /** One line for `help`. */
  summary: string;
  usage: string;
  examples: string[];
  /** Longer help for `help <verb>`. */
  details?: string;
  /** False for verbs that never touch Azure (help, explain): no demo-data notice. */
  usesAzure?: boolean;
  run(args: string[], request: CommandRequest, ctx: CommandContext): Promise<Reply>;
}
