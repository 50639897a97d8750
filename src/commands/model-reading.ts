/**
 * The last resort for plain words the grammar could not read: when a reader (a language model,
 * services.reader) is configured, it is offered the read-only verbs as tools and picks one with
 * its arguments. What it picks is only a command text: it runs through the typed grammar like
 * anything a person types, so the verb's own validators decide, and every figure comes from
 * Azure as always. A pick the grammar refuses, a refusal, a timeout or no reader at all ends in
 * the usual suggestions; a write verb never runs from a pick, it only gets the confirmation.
 */
import { z } from "zod";
import { type Part, type Reply, text } from "../reply/reply.ts";
import type { ReaderPick, ReaderTool } from "../services/ports.ts";
import { cleanChatText } from "../understand/chat-text.ts";
import { type Understanding, WRITE_VERBS } from "../understand/understand.ts";
import { tokenize } from "./args.ts";
import { confirmation, type RunTyped, suggestionReply } from "./plain-words.ts";
import type { CommandContext, CommandRequest, Verb } from "./types.ts";

const MAX_ARGUMENTS = 200;
/** Verbs offered to the reader besides the write verbs left out: help answers no question. */
const NOT_OFFERED: ReadonlySet<string> = new Set(["help"]);

/** A verb's tool arguments: the words after the verb, as typed (its usage line says which). */
export function toolArgumentsSchema(verb: Pick<Verb, "name" | "usage">) {
  return z.strictObject({
    arguments: z
      .string()
      .max(MAX_ARGUMENTS)
      .regex(/^[^\u0000-\u001f\u007f]*$/, "no control characters")
      .describe(`The words after "${verb.name}", following: ${verb.usage}. Empty for none.`),
  });
}

const offered = (v: Verb) => v.shareable !== false && !WRITE_VERBS.has(v.name) && !NOT_OFFERED.has(v.name);

/** One tool per read-only verb, its JSON schema generated from the same zod schema that checks the pick. */
export function readerTools(verbs: readonly Verb[]): ReaderTool[] {
  return verbs.filter(offered).map((v) => {
    const { $schema: _drop, ...parameters } = z.toJSONSchema(toolArgumentsSchema(v)) as Record<string, unknown>;
    return { name: v.name, description: `${v.summary} Examples: ${v.examples.map((e) => `\`${e}\``).join(", ")}`, parameters };
  });
}

/** The pick as a command text, if it names an offered verb and its arguments pass the schema. */
export function pickedCommand(pick: Extract<ReaderPick, { kind: "pick" }>, verbs: readonly Verb[]): string | undefined {
  const verb = verbs.find((v) => v.name === pick.name);
  if (!verb || !offered(verb)) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(pick.arguments || "{}");
  } catch {
    return undefined;
  }
  const parsed = toolArgumentsSchema(verb).safeParse(raw);
  if (!parsed.success) return undefined;
  const words = tokenize(parsed.data.arguments);
  return [verb.name, ...words.map((w) => (/\s/.test(w) ? `"${w.replace(/"/g, "")}"` : w))].join(" ");
}

const WHY_NOT: Readonly<Record<Extract<ReaderPick, { kind: "none" }>["reason"], string>> = {
  no_choice: "did not pick a command for it",
  refused: "declined it (content filter)",
  busy: "is busy right now",
  timeout: "did not answer in time",
  failed: "could not be reached",
};

function withNote(r: Reply, note: string): Reply {
  return { ...r, parts: [...r.parts, text(note, "info")] };
}

export interface ModelReadingDeps {
  verbs: readonly Verb[];
  /** Runs a command in the typed grammar only (the registry's). */
  runTyped: RunTyped;
}

/**
 * The answer for a question nothing in the grammar read: the reader's pick when it is a valid
 * read-only command, else the suggestions (with why the reader did not help, when one is configured).
 */
export async function answerUnread(
  question: string,
  none: Extract<Understanding, { kind: "none" }>,
  request: CommandRequest,
  ctx: CommandContext,
  deps: ModelReadingDeps,
): Promise<Reply> {
  const reader = ctx.services.reader;
  if (typeof reader?.pick !== "function" || typeof reader.label !== "string") return suggestionReply(question, none);
  let pick: ReaderPick;
  try {
    pick = await reader.pick(cleanChatText(question), readerTools(deps.verbs));
  } catch {
    pick = { kind: "none", reason: "failed" };
  }
  if (pick.kind === "none") {
    const later = pick.retryAfterSeconds ? ` (try again in ${pick.retryAfterSeconds} s)` : "";
    return withNote(suggestionReply(question, none), `${reader.label} ${WHY_NOT[pick.reason]}${later}.`);
  }
  const command = pickedCommand(pick, deps.verbs);
  if (!command) return withNote(suggestionReply(question, none), `${reader.label} suggested something that is not a command I can run.`);
  const head = command.split(" ")[0] ?? "";
  // Belt and braces: the tools hold no write verb, and a write is never run from a guess.
  if (WRITE_VERBS.has(head) || deps.verbs.find((v) => v.name === head)?.shareable === false) return confirmation({ command });
  // Azure failures propagate: the registry turns them into its usual "Azure did not answer".
  const answer = await deps.runTyped({ ...request, text: command }, ctx);
  if (answer.outcome === "user_error") {
    return withNote(suggestionReply(question, none), `${reader.label} read this as \`${command}\`, which the command grammar does not accept.`);
  }
  const top: Part = text(`I read this as \`${command}\` (with ${reader.label})`);
  return { ...answer, parts: [top, ...answer.parts], readAs: command };
}
