/**
 * Answers for text that is not a typed command: understand/ reads it, and this turns the reading
 * into a Reply every door can show. A read-only reading runs at once, its answer starting with
 * "I read this as `cost yesterday by rg`"; a reading that changes something (a request, a
 * subscription, an approval) only ever gets a confirmation button that shows the exact command;
 * two readings get a question back with a button each; nothing readable gets suggestions chosen
 * from the words that were recognised. Buttons carry the command text, which is validated and
 * parsed again by the typed grammar when clicked, never run as it was read.
 */
import { z } from "zod";
import { type Action, actions, type Part, type Reply, reply, text } from "../reply/reply.ts";
import { type Reading, type Understanding, understand, WRITE_VERBS } from "../understand/understand.ts";
import { type AnyActionHandler, action } from "./actions.ts";
import type { CommandContext, CommandRequest, CommandSettings } from "./types.ts";

/** Runs a command in the typed grammar (the router's, passed in to keep layers acyclic). */
export type RunTyped = (request: CommandRequest, ctx: CommandContext) => Promise<Reply>;

const MAX_BUTTON_COMMAND = 300;
const commandPayload = z.object({
  command: z
    .string()
    .min(1)
    .max(MAX_BUTTON_COMMAND)
    .regex(/^[^\u0000-\u001f\u007f]+$/, "no control characters"),
});

/** The tag "by team" means: the digest's configured tag grouping when there is one, else "team". */
function teamTag(settings: CommandSettings): string {
  const g = settings.digest?.groupBy ?? "";
  return g.startsWith("tag:") && g.length > 4 ? g.slice(4) : "team";
}

export function readQuestion(textIn: string, ctx: Pick<CommandContext, "settings" | "now">): Understanding {
  return understand(textIn, { teamTag: teamTag(ctx.settings), now: ctx.now() });
}

/** True for a command whose verb changes something (checked again on every click). */
function commandWrites(command: string): boolean {
  const head = command.trim().split(/\s+/)[0]?.toLowerCase() ?? "";
  return WRITE_VERBS.has(head) || head === "request";
}

const readAs = (command: string) => text(`I read this as \`${command}\``);

const runButton = (command: string, label = command): Action => ({ verb: "understand.run", label: label.slice(0, 75), payload: { command } });

/** The reply for a reading that would change something: the exact command, and a button to run it. */
export function confirmation(r: Pick<Reading, "command" | "note">): Reply {
  const parts: Part[] = [readAs(r.command), text("That changes something, so I only do it when you press the button (or type the command yourself).")];
  if (r.note) parts.push(text(r.note, "info"));
  const isNewRequest = /^request \d/.test(r.command);
  if (isNewRequest && !/\s--\s/.test(r.command)) {
    parts.push(text(`A request needs a reason, so type it with one: \`${r.command} -- <why you need them>\`, or use the form.`));
    parts.push(actions([{ verb: "request.form", label: "Open the request form", style: "primary", payload: {} }]));
  } else {
    parts.push(
      actions([
        {
          verb: "understand.confirm",
          label: `Run: ${r.command}`.slice(0, 75),
          style: "primary",
          payload: { command: r.command },
          confirm: { title: "Run this command?", text: r.command, confirm: "Run it", deny: "Cancel" },
        },
      ]),
    );
  }
  return reply("Confirm before I act", parts);
}

export function clarification(readings: readonly Reading[]): Reply {
  return reply("Which did you mean?", [
    text(`I can read this ${readings.length === 2 ? "two" : "a few"} ways: ${readings.map((r) => `\`${r.command}\``).join(", ")}.`),
    actions(readings.map((r) => (r.writes ? { ...runButton(r.command), verb: "understand.confirm" } : runButton(r.command)))),
  ]);
}

export function suggestionReply(question: string, u: Extract<Understanding, { kind: "none" }>): Reply {
  const shown = question.length > 60 ? `${question.slice(0, 60)}…` : question;
  const heard = [u.recognised.money ? "money" : "", u.recognised.gpu ?? "", u.recognised.size ?? "", u.recognised.region ?? ""].filter(Boolean);
  const parts: Part[] = [text(`I couldn't read "${shown}" as a question I can answer.${heard.length ? ` I did recognise: ${heard.join(", ")}.` : ""}`, "error")];
  if (u.suggestions.length > 0) {
    parts.push(text(`Try: ${u.suggestions.map((s) => `\`${s}\``).join(", ")}`));
    parts.push(actions(u.suggestions.slice(0, 4).map((s) => runButton(s))));
  } else {
    parts.push(text("I didn't recognise a GPU, size, region, money word or glossary term in it. Ask about spend, quota, prices, idle or running GPUs, or type `help`."));
  }
  return reply("I didn't understand that", parts, { outcome: "user_error", code: "not_understood" });
}

/** Puts "I read this as …" (and any note about the reading) on top of the answer it ran. */
export function withReading(answer: Reply, r: Reading, alternatives: readonly Reading[] = []): Reply {
  const top: Part[] = [readAs(r.command)];
  if (r.note) top.push(text(r.note, "info"));
  const others = alternatives.filter((a) => !a.writes).slice(0, 2);
  const tail = others.length ? [text("Or did you mean:"), actions(others.map((a) => runButton(a.command)))] : [];
  return { ...answer, parts: [...top, ...answer.parts, ...tail], readAs: r.command };
}

/** The buttons plain-word answers carry, running their command through `run`. */
export function plainWordActions(run: RunTyped): AnyActionHandler[] {
  return [
    action({
      verb: "understand.run",
      schema: commandPayload,
      async run(p, req, ctx) {
        // A forged or stale click never runs a write: it gets the confirmation instead.
        if (commandWrites(p.command)) return { update: confirmation({ command: p.command }) };
        const answer = await run({ text: p.command, actor: req.actor, channel: req.channel, surface: req.surface }, ctx);
        return { update: { ...answer, parts: [readAs(p.command), ...answer.parts] } };
      },
    }),
    action({
      verb: "understand.confirm",
      schema: commandPayload,
      async run(p, req, ctx) {
        // Pressing the button that shows the command is the confirmation; the typed grammar parses it again.
        const answer = await run({ text: p.command, actor: req.actor, channel: req.channel, surface: req.surface }, ctx);
        return { update: answer };
      },
    }),
  ];
}
