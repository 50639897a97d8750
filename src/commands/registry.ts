/**
 * The command table and the text helpers around it: the built-in verbs, their aliases, and how a
 * door's text is stripped and read. Running a command is the router's job (commands/router.ts):
 * the app builds one router from this table and hands it to every door.
 */
import { isGlossaryQuestion } from "../domain/glossary.ts";
import { asGpuopsError } from "../errors.ts";
import { type Reply, userError } from "../reply/reply.ts";
import { nearest, ownWord, tokenize } from "./args.ts";
import { costVerb } from "./cost.ts";
import { digestVerb } from "./digest.ts";
import { explain, explainVerb, isGpuModelQuestion } from "./explain.ts";
import { idleVerb } from "./idle.ts";
import { answerUnread } from "./model-reading.ts";
import { OPENAI_ALIASES, openaiVerb } from "./openai.ts";
import { clarification, confirmation, readQuestion, withReading } from "./plain-words.ts";
import { quotaVerb } from "./quota.ts";
import { requestVerb } from "./request.ts";
import { requestsVerb } from "./requests.ts";
import { runningVerb } from "./running.ts";
import { skusVerb } from "./skus.ts";
import { statusVerb } from "./status.ts";
import { subscribeVerb, subscriptionsVerb, unsubscribeVerb } from "./subscribe.ts";
import type { CommandContext, CommandRequest, Verb } from "./types.ts";
import { whereVerb } from "./where.ts";

/** Every verb gpuops ships, in the order `help` lists them (the router adds `help` last). */
export const BUILTIN_VERBS: readonly Verb[] = Object.freeze([
  skusVerb,
  whereVerb,
  quotaVerb,
  costVerb,
  runningVerb,
  explainVerb,
  subscribeVerb,
  unsubscribeVerb,
  subscriptionsVerb,
  digestVerb,
  statusVerb,
  idleVerb,
  openaiVerb,
  requestVerb,
  requestsVerb,
]);

/** A router's verbs: the list in help order and a lookup by name. */
export interface VerbTable {
  readonly list: readonly Verb[];
  get(name: string): Verb | undefined;
}

export function verbTable(list: readonly Verb[]): VerbTable {
  const byName = new Map(list.map((v) => [v.name, v]));
  return { list, get: (name) => byName.get(name) };
}

const ALIASES: Readonly<Record<string, string>> = Object.freeze({
  sku: "skus",
  sizes: "skus",
  "?": "help",
  define: "explain",
  whatis: "explain",
  quotas: "quota",
  ...OPENAI_ALIASES,
});

export const DEMO_NOTICE = "Demo data: a fake Azure tenant, not your subscriptions.";

/** Strips what doors may leave in front of a command: "/gpu", "gpu", "@gpuops". */
export function stripPrefix(text: string): string {
  return text
    .trim()
    .replace(/^\/?gpu(ops)?\b[:,]?\s*/i, "")
    .trim();
}

/** The verb a text would run, or undefined (free question / unknown). */
export function resolveVerbName(table: VerbTable, text: string): string | undefined {
  const head = tokenize(stripPrefix(text))[0]?.toLowerCase();
  if (head === undefined) return "help";
  const name = ownWord(ALIASES, head) ?? head;
  return table.get(name) ? name : undefined;
}

/**
 * Text shaped like a filter rather than a sentence: a quote other than in a common contraction
 * (what's, don't, we're; not "US'S" or "eastus'"), brackets, chat markup (<…>), "=", backslashes,
 * %-escapes, " eq ".
 */
const CONTRACTION =
  /\b(it|that|what|where|who|how|there|here|let|he|she|today|yesterday|everyone|everybody|team|week|month|year)'s\b|\b[a-z]+n't\b|\b(i|we|you|they)'(m|re|ve|ll|d)\b/g;
const FILTER_SYNTAX = /'|["()=<>\\]|&lt;|%[0-9a-f]{2}|\beq\b/i;
const queryShaped = (text: string) => FILTER_SYNTAX.test(text.toLowerCase().replace(CONTRACTION, ""));
/** Words of a sentence rather than of the typed grammar: only then is a failed command re-read. */
const SENTENCE_WORD =
  /\b(what|which|where|how|any|anything|to|from|about|when|every|alerts?|can|could|do|does|did|is|are|was|we|i|our|us|me|my|the|a|an|in|for|of|on|with|gpus?|vms?|machines?|last|past|this|week|month|team|show|list|need|want|please|pls)\b/i;

/** The words after the verb that are not grammar (tag:team=x, scope rg:…): where sentence words are looked for. */
const plainTokens = (tokens: readonly string[]) =>
  tokens
    .slice(1)
    .filter((t) => !/[:=]/.test(t))
    .join(" ");

/**
 * The verb a plain-language question would run at once (read-only readings only), for callers
 * that prepare resources by verb (the CLI); undefined when it would ask back or confirm first.
 */
export function understoodVerbName(text: string): string | undefined {
  const u = readQuestion(text, { settings: { regions: [], currency: "USD", timezone: "UTC", demo: false }, now: () => new Date(0) });
  return u.kind === "reading" && !u.reading.writes ? u.reading.verb : undefined;
}

/** Runs text in the typed grammar only (no plain-words fallback): how a reading's command runs. */
export async function runTyped(table: VerbTable, request: CommandRequest, ctx: CommandContext): Promise<Reply> {
  const tokens = tokenize(stripPrefix(request.text));
  const head = (tokens[0] ?? "help").toLowerCase();
  const verb = table.get(ownWord(ALIASES, head) ?? head);
  if (!verb) return userError("unknown_command", `I don't know the command "${head.slice(0, 40)}".`, "help");
  return verb.run(tokens.slice(1), request, ctx);
}

/**
 * Plain words: a read-only reading runs with "I read this as" on top; a write reading gets a
 * confirmation; two readings a question back. After a typed verb failed, only a reading that
 * differs from what was typed is used (the verb's own error explains the rest).
 */
async function plainWords(table: VerbTable, request: CommandRequest, ctx: CommandContext, typedVerb?: string): Promise<Reply | undefined> {
  const afterTypedError = typedVerb !== undefined;
  const u = readQuestion(request.text, ctx);
  if (u.kind === "reading") {
    const r = u.reading;
    if (afterTypedError && r.command.toLowerCase() === stripPrefix(request.text).toLowerCase()) return undefined;
    // After a typed verb failed, a reading may fix its words, not swap the verb ("openai idle lots" is no GPU question).
    if (afterTypedError && r.verb !== typedVerb) return undefined;
    if (r.writes) return confirmation(r);
    const answered = await runTyped(table, { ...request, text: r.command }, ctx).catch((err: unknown) => failureReply(err, ctx, r.verb));
    return withReading(answered, r, u.alternatives);
  }
  if (afterTypedError) return undefined;
  if (u.kind === "ambiguous") return clarification(u.readings);
  return undefined;
}

/** Any text as an answer: a typed verb, plain words read as one, the glossary, or the nearest verb with an example. */
export async function answer(table: VerbTable, request: CommandRequest, ctx: CommandContext): Promise<Reply> {
  const text = stripPrefix(request.text);
  const tokens = tokenize(text);
  if (tokens.length === 0) return (table.get("help") as Verb).run([], request, ctx);
  const head = (tokens[0] as string).toLowerCase();
  const name = ownWord(ALIASES, head) ?? head;
  const verb = table.get(name);
  try {
    if (verb) {
      const typed = await verb.run(tokens.slice(1), request, ctx);
      // Text shaped like a query language ("eastus' or 1 eq 1") keeps the grammar's refusal, never a guess.
      if (typed.outcome !== "user_error" || queryShaped(text) || !SENTENCE_WORD.test(plainTokens(tokens))) return typed;
      return (await plainWords(table, request, ctx, verb.name)) ?? typed;
    }
    const guess = nearest(
      head,
      table.list.map((v) => v.name),
      2,
    );
    // A mistyped verb with grammar after it ("qouta westus") keeps the typed grammar's "did you mean".
    const typoOfVerb = guess !== undefined && !SENTENCE_WORD.test(plainTokens(tokens));
    const plain = typoOfVerb ? undefined : await plainWords(table, request, ctx);
    if (plain) return plain;
    if (isGlossaryQuestion(text) || isGpuModelQuestion(text)) return explain(text);
    if (!guess) {
      const none = readQuestion(request.text, ctx);
      if (none.kind === "none") return answerUnread(text, none, request, ctx, { verbs: table.list, runTyped: (req, c) => runTyped(table, req, c) });
    }
    const example = guess ? (table.get(guess)?.examples[0] ?? guess) : "skus eastus a100";
    return userError(
      "unknown_command",
      `I don't know the command "${head.slice(0, 40)}".${guess ? ` Did you mean ${guess}?` : ""} Commands: ${table.list.map((v) => v.name).join(", ")}.`,
      example,
    );
  } catch (err) {
    return failureReply(err, ctx, name);
  }
}

/** An exception from a verb as a readable answer: Azure trouble says what to do, the rest is logged. */
function failureReply(err: unknown, ctx: CommandContext, verbName: string): Reply {
  const e = asGpuopsError(err, "internal");
  if (e.code.startsWith("azure_")) {
    return { ...userError(e.code, e.message, "the same question again in a minute, or `status`"), title: "Azure did not answer", outcome: "azure_error" };
  }
  ctx.log.error({ err, code: e.code, verb: verbName }, "command failed");
  return userError(e.code, "Something went wrong on our side while answering; it has been logged. Try again, or ask `help`.");
}
