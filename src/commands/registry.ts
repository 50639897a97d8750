/**
 * The command table and the one entry point every door calls. Any text yields a Reply: unknown
 * verbs get the nearest one and an example; free questions go to the glossary; failures from
 * Azure become readable answers with what to do. Later issues add verbs here.
 */
import { isGlossaryQuestion } from "../domain/glossary.ts";
import { asGpuopsError } from "../errors.ts";
import { type Reply, userError } from "../reply/reply.ts";
import { nearest, ownWord, tokenize } from "./args.ts";
import { costVerb } from "./cost.ts";
import { digestVerb } from "./digest.ts";
import { explain, explainVerb, isGpuModelQuestion } from "./explain.ts";
import { helpVerb } from "./help.ts";
import { idleVerb } from "./idle.ts";
import { answerUnread } from "./model-reading.ts";
import { OPENAI_ALIASES, openaiVerb } from "./openai.ts";
import { answerWithin } from "./partial.ts";
import { clarification, confirmation, readQuestion, registerPlainWordActions, withReading } from "./plain-words.ts";
import { quotaVerb } from "./quota.ts";
import { registerRequestActions, requestVerb } from "./request.ts";
import { requestsVerb } from "./requests.ts";
import { runningVerb } from "./running.ts";
import { skusVerb } from "./skus.ts";
import { statusVerb } from "./status.ts";
import { subscribeVerb, subscriptionsVerb, unsubscribeVerb } from "./subscribe.ts";
import type { CommandContext, CommandRequest, Verb } from "./types.ts";
import { whereVerb } from "./where.ts";

const VERBS: Verb[] = [];
export const registerVerb = (v: Verb) => {
  if (!VERBS.some((x) => x.name === v.name)) VERBS.push(v);
};
[skusVerb, whereVerb, quotaVerb, costVerb, runningVerb, explainVerb].forEach(registerVerb);
[subscribeVerb, unsubscribeVerb, subscriptionsVerb, digestVerb, statusVerb].forEach(registerVerb);
registerVerb(idleVerb);
registerVerb(openaiVerb);
[requestVerb, requestsVerb].forEach(registerVerb);
registerRequestActions();
registerPlainWordActions((request, ctx) => runCommand(request, ctx));
registerVerb(helpVerb(() => VERBS));

export const verbs = (): readonly Verb[] => VERBS;

const ALIASES: Record<string, string> = { sku: "skus", sizes: "skus", "?": "help", define: "explain", whatis: "explain", quotas: "quota" };
Object.assign(ALIASES, OPENAI_ALIASES);

export const DEMO_NOTICE = "Demo data: a fake Azure tenant, not your subscriptions.";

/** Strips what doors may leave in front of a command: "/gpu", "gpu", "@gpuops". */
export function stripPrefix(text: string): string {
  return text
    .trim()
    .replace(/^\/?gpu(ops)?\b[:,]?\s*/i, "")
    .trim();
}

export function runCommand(request: CommandRequest, ctx: CommandContext): Promise<Reply> {
  const done = ctx.observe?.(request);
  const work = runUnobserved(request, ctx);
  if (done) void work.then(done, () => done(undefined));
  return work;
}

async function runUnobserved(request: CommandRequest, ctx: CommandContext): Promise<Reply> {
  const { reply, usesAzure } = await dispatch(request, ctx);
  if (ctx.settings.demo && usesAzure && reply.outcome !== "user_error" && !reply.context.includes(DEMO_NOTICE)) reply.context.push(DEMO_NOTICE);
  return reply;
}

async function dispatch(request: CommandRequest, ctx: CommandContext): Promise<{ reply: Reply; usesAzure: boolean }> {
  const verbName = resolveVerbName(request.text) ?? understoodVerbName(request.text);
  const verb = VERBS.find((v) => v.name === verbName);
  // Every verb answers within the deadline; one that changes something says its change may still land.
  const reply = await answerWithin(ctx, (c) => answer(request, c), { changesState: verb?.shareable === false, verb: verbName });
  return { reply, usesAzure: verb ? verb.usesAzure !== false : false };
}

/** The verb a text would run, or undefined (free question / unknown). */
export function resolveVerbName(text: string): string | undefined {
  const head = tokenize(stripPrefix(text))[0]?.toLowerCase();
  if (head === undefined) return "help";
  const name = ownWord(ALIASES, head) ?? head;
  return VERBS.some((v) => v.name === name) ? name : undefined;
}

/** Quotes other than in a contraction (it's is fine), brackets, chat markup (<…>), "=", backslashes, %-escapes, " eq ": filter syntax, not a sentence. */
const QUERY_SHAPED = /'(?!(s|t|re|m|ve|ll|d)\b)|(^|[^a-z])'|["()=<>\\]|&lt;|%[0-9a-f]{2}|\beq\b/i;
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
async function runTyped(request: CommandRequest, ctx: CommandContext): Promise<Reply> {
  const tokens = tokenize(stripPrefix(request.text));
  const head = (tokens[0] ?? "help").toLowerCase();
  const verb = VERBS.find((v) => v.name === (ownWord(ALIASES, head) ?? head));
  if (!verb) return userError("unknown_command", `I don't know the command "${head.slice(0, 40)}".`, "help");
  return verb.run(tokens.slice(1), request, ctx);
}

/**
 * Plain words: a read-only reading runs with "I read this as" on top; a write reading gets a
 * confirmation; two readings a question back. After a typed verb failed, only a reading that
 * differs from what was typed is used (the verb's own error explains the rest).
 */
async function plainWords(request: CommandRequest, ctx: CommandContext, typedVerb?: string): Promise<Reply | undefined> {
  const afterTypedError = typedVerb !== undefined;
  const u = readQuestion(request.text, ctx);
  if (u.kind === "reading") {
    const r = u.reading;
    if (afterTypedError && r.command.toLowerCase() === stripPrefix(request.text).toLowerCase()) return undefined;
    // After a typed verb failed, a reading may fix its words, not swap the verb ("openai idle lots" is no GPU question).
    if (afterTypedError && r.verb !== typedVerb) return undefined;
    if (r.writes) return confirmation(r);
    const answered = await runTyped({ ...request, text: r.command }, ctx).catch((err: unknown) => failureReply(err, ctx, r.verb));
    return withReading(answered, r, u.alternatives);
  }
  if (afterTypedError) return undefined;
  if (u.kind === "ambiguous") return clarification(u.readings);
  return undefined;
}

async function answer(request: CommandRequest, ctx: CommandContext): Promise<Reply> {
  const text = stripPrefix(request.text);
  const tokens = tokenize(text);
  if (tokens.length === 0) return (VERBS.find((v) => v.name === "help") as Verb).run([], request, ctx);
  const head = (tokens[0] as string).toLowerCase();
  const name = ownWord(ALIASES, head) ?? head;
  const verb = VERBS.find((v) => v.name === name);
  try {
    if (verb) {
      const typed = await verb.run(tokens.slice(1), request, ctx);
      // Text shaped like a query language ("eastus' or 1 eq 1") keeps the grammar's refusal, never a guess.
      if (typed.outcome !== "user_error" || QUERY_SHAPED.test(text) || !SENTENCE_WORD.test(plainTokens(tokens))) return typed;
      return (await plainWords(request, ctx, verb.name)) ?? typed;
    }
    const guess = nearest(
      head,
      VERBS.map((v) => v.name),
      2,
    );
    // A mistyped verb with grammar after it ("qouta westus") keeps the typed grammar's "did you mean".
    const typoOfVerb = guess !== undefined && !SENTENCE_WORD.test(plainTokens(tokens));
    const plain = typoOfVerb ? undefined : await plainWords(request, ctx);
    if (plain) return plain;
    if (isGlossaryQuestion(text) || isGpuModelQuestion(text)) return explain(text);
    if (!guess) {
      const none = readQuestion(request.text, ctx);
      if (none.kind === "none") return answerUnread(text, none, request, ctx, { verbs: VERBS, runTyped });
    }
    const example = guess ? (VERBS.find((v) => v.name === guess)?.examples[0] ?? guess) : "skus eastus a100";
    return userError(
      "unknown_command",
      `I don't know the command "${head.slice(0, 40)}".${guess ? ` Did you mean ${guess}?` : ""} Commands: ${VERBS.map((v) => v.name).join(", ")}.`,
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
  ctx.log?.error({ err, code: e.code, verb: verbName }, "command failed");
  return userError(e.code, "Something went wrong on our side while answering; it has been logged. Try again, or ask `help`.");
}
