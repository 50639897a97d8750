/**
 * The platform-neutral answer every command returns. Renderers (render/) turn it into Slack
 * blocks, an Adaptive Card, plain text or JSON; nothing here knows about a surface.
 *
 * @example
 * reply("A100 sizes in swedencentral", [table(cols, rows)], { notices: [demoNotice] })
 */
import type { ErrorCode } from "../errors.ts";

export type Tone = "info" | "success" | "warning" | "error";

export interface TextPart {
  kind: "text";
  text: string;
  tone?: Tone;
}

export interface Fact {
  label: string;
  value: string;
}

export interface FactsPart {
  kind: "facts";
  facts: Fact[];
}

/**
 * What a column holds, so renderers never break inside a token: sizes ("NC24ads_A100_v4"), money
 * ("$2,746.58"), dates and numbers stay on one line; names (VMs, regions) too; only `text` wraps.
 */
export type ColumnKind = "text" | "name" | "size" | "money" | "date" | "number";

/**
 * Which columns matter most: 1 is shown on every surface (a phone, a 70-character Slack code
 * line), 2 when there is room, 3 is the first to go on a narrow surface.
 */
export type ColumnPriority = 1 | 2 | 3;

export interface Column {
  key: string;
  label: string;
  align?: "left" | "right";
  /** Defaults to 2. */
  priority?: ColumnPriority;
  /** Defaults to "text". */
  kind?: ColumnKind;
}

export type Row = Record<string, string>;

export interface TablePart {
  kind: "table";
  title?: string;
  columns: Column[];
  rows: Row[];
  /** Shown when a renderer has to cut rows: "N more — narrow with <narrowHint>". */
  narrowHint?: string;
}

export interface ImagePart {
  kind: "image";
  alt: string;
  /** Id of a PNG held by the image store; renderers turn it into a URL or an upload. */
  imageId?: string;
  url?: string;
}

/** A button. `payload` carries ids, never free text, so it can be validated on the way back. */
export interface Action {
  verb: string;
  label: string;
  style?: "primary" | "danger";
  payload: Record<string, string | number>;
  confirm?: { title: string; text: string; confirm: string; deny: string };
}

export interface ActionsPart {
  kind: "actions";
  actions: Action[];
}

export type Part = TextPart | FactsPart | TablePart | ImagePart | ActionsPart;

/** Severity of the whole answer: user errors and Azure errors map to CLI exit codes 1 and 2. */
export type Outcome = "ok" | "partial" | "user_error" | "azure_error";

export interface Reply {
  title: string;
  parts: Part[];
  /** Small print: data freshness, demo-data notice, partial-result warnings. */
  context: string[];
  outcome: Outcome;
  /** Stable code for errors (bad_command, azure_throttled, ...): one list, in errors.ts. */
  code?: ErrorCode;
  /** A file the answer is (a CSV export): the CLI prints it raw; chat doors may attach it (the parts still show it). */
  attachment?: { filename: string; mimeType: string; content: string };
  /** The verb that answered (set by the router): what metrics count and the CLI reads, without parsing the text again. */
  verb?: string;
  /** False for an answer of a verb that changes state: doors offer no "Share in channel" (set by the router). */
  shareable?: boolean;
  /** The typed command a plain-language question was read as (`cost yesterday by rg`): what a re-run asks. */
  readAs?: string;
  /**
   * The answer as data for `--json` and scripts: numbers as numbers, money as { amount, currency },
   * dates as ISO strings, keys documented in the README ("JSON output"). Chat renderers ignore it.
   */
  data?: Record<string, unknown>;
}

export function reply(title: string, parts: Part[], opts: { context?: string[]; outcome?: Outcome; code?: ErrorCode; data?: Record<string, unknown> } = {}): Reply {
  const r: Reply = { title, parts, context: opts.context ?? [], outcome: opts.outcome ?? "ok" };
  if (opts.code !== undefined) r.code = opts.code;
  if (opts.data !== undefined) r.data = opts.data;
  return r;
}

export const text = (t: string, tone?: Tone): TextPart => (tone ? { kind: "text", text: t, tone } : { kind: "text", text: t });
export const facts = (f: Fact[]): FactsPart => ({ kind: "facts", facts: f });
export function table(columns: Column[], rows: Row[], opts: { title?: string; narrowHint?: string } = {}): TablePart {
  const t: TablePart = { kind: "table", columns, rows };
  if (opts.title !== undefined) t.title = opts.title;
  if (opts.narrowHint !== undefined) t.narrowHint = opts.narrowHint;
  return t;
}
export const actions = (a: Action[]): ActionsPart => ({ kind: "actions", actions: a });

/** The title of every user error; renderers put the reason itself where only one line shows. */
export const USER_ERROR_TITLE = "That didn't work";

/** A user-facing error: what was wrong, and an example of the right form. */
export function userError(code: ErrorCode, problem: string, example?: string, extra: Part[] = []): Reply {
  const parts: Part[] = [text(problem, "error")];
  if (example) parts.push(text(`Try: ${example}`));
  return reply(USER_ERROR_TITLE, [...parts, ...extra], { outcome: "user_error", code });
}
