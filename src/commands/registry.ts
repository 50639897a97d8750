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
import { answerWithin } from "./partial.ts";
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
[requestVerb, requestsVerb].forEach(registerVerb);
registerRequestActions();
registerVerb(helpVerb(() => VERBS));

export const verbs = (): readonly Verb[] => VERBS;

const ALIASES: Record<string, string> = { sku: "skus", sizes: "skus", "?": "help", define: "explain", whatis: "explain", quotas: "quota" };

export const DEMO_NOTICE = "Demo data: a fake Azure tenant, not your subscriptions.";

/** Strips what doors may leave in front of a command: "/gpu", "gpu", "@gpuops". */
export function stripPrefix(text: string): string {
  return text
    .trim()
    .replace(/^\/?gpu(ops)?\b[:,]?\s*/i, "")
    .trim();
}

export async function runCommand(request: CommandRequest, ctx: CommandContext): Promise<Reply> {
  const { reply, usesAzure } = await dispatch(request, ctx);
  if (ctx.settings.demo && usesAzure && reply.outcome !== "user_error" && !reply.context.includes(DEMO_NOTICE)) reply.context.push(DEMO_NOTICE);
  return reply;
}

async function dispatch(request: CommandRequest, ctx: CommandContext): Promise<{ reply: Reply; usesAzure: boolean }> {
  const verbName = resolveVerbName(request.text);
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

async function answer(request: CommandRequest, ctx: CommandContext): Promise<Reply> {
  const text = stripPrefix(request.text);
  const tokens = tokenize(text);
  if (tokens.length === 0) return (VERBS.find((v) => v.name === "help") as Verb).run([], request, ctx);
  const head = (tokens[0] as string).toLowerCase();
  const name = ownWord(ALIASES, head) ?? head;
  const verb = VERBS.find((v) => v.name === name);
  try {
    if (verb) return await verb.run(tokens.slice(1), request, ctx);
    if (isGlossaryQuestion(text) || isGpuModelQuestion(text)) return explain(text);
    const guess = nearest(
      head,
      VERBS.map((v) => v.name),
      2,
    );
    const example = guess ? (VERBS.find((v) => v.name === guess)?.examples[0] ?? guess) : "skus eastus a100";
    return userError(
      "unknown_command",
      `I don't know the command "${head.slice(0, 40)}".${guess ? ` Did you mean ${guess}?` : ""} Commands: ${VERBS.map((v) => v.name).join(", ")}.`,
      example,
    );
  } catch (err) {
    const e = asGpuopsError(err, "internal");
    if (e.code.startsWith("azure_")) {
      return { ...userError(e.code, e.message, "the same question again in a minute, or `status`"), title: "Azure did not answer", outcome: "azure_error" };
    }
    ctx.log?.error({ err, code: e.code, verb: name }, "command failed");
    return userError(e.code, "Something went wrong on our side while answering; it has been logged. Try again, or ask `help`.");
  }
}
