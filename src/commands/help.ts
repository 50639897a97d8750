/** `help` and `help <verb>`. */
import { type Reply, reply, table, text, userError } from "../reply/reply.ts";
import { nearest } from "./args.ts";
import { derivedMemo } from "./derived-memo.ts";
import type { Verb } from "./types.ts";

export function helpVerb(verbs: () => Verb[]): Verb {
  // Help depends only on the verb list: each answer is built once per list and question.
  const answers = derivedMemo<Reply>();
  const verb = helpAnswers(verbs);
  return {
    ...verb,
    async run(args, req, ctx) {
      const all = verbs();
      const key = args.join(" ").toLowerCase();
      const known = answers.get([all], key);
      if (known) return known;
      const answer = await verb.run(args, req, ctx);
      answers.set([all], key, answer);
      return answer;
    },
  };
}

function helpAnswers(verbs: () => Verb[]): Verb {
  return {
    name: "help",
    usesAzure: false,
    summary: "What gpuops can answer, and how to ask",
    usage: "help [command]",
    examples: ["help", "help quota"],
    async run(args) {
      const all = verbs();
      if (args.length === 0) {
        return reply(
          "gpuops: straight answers about GPUs on Azure",
          [
            table(
              [
                { key: "usage", label: "Command", priority: 1, kind: "text" },
                { key: "summary", label: "Answers", priority: 1, kind: "text" },
              ],
              all.map((v) => ({ usage: v.usage, summary: v.summary })),
            ),
            text(
              'Regions can be written eastus or "East US"; GPUs as a100, H100, h100 nvl, or a size like NC24ads_A100_v4. Plain questions work too: "what did we spend yesterday by rg?", "any room for 4 A100s in eastus2?", "what is a PTU?" — the answer starts with the command it was read as.',
            ),
          ],
          { context: ["`help <command>` shows examples."] },
        );
      }
      const name = (args[0] as string).toLowerCase();
      const verb = all.find((v) => v.name === name);
      if (!verb) {
        const guess = nearest(
          name,
          all.map((v) => v.name),
          2,
        );
        return userError("unknown_command", `There is no command "${name.slice(0, 40)}".${guess ? ` Did you mean ${guess}?` : ""}`, `help ${guess ?? "skus"}`);
      }
      return reply(`${verb.name}: ${verb.summary}`, [
        text(`Usage: ${verb.usage}`),
        ...(verb.details ? [text(verb.details)] : []),
        text(`Examples:\n${verb.examples.map((e) => `• ${e}`).join("\n")}`),
      ]);
    },
  };
}
