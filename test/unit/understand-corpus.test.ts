// Accuracy of plain-language understanding on the labelled corpus (two thirds tuned on, one third
// held out by line order), and the safety rule: a reading that changes something never runs
// without a confirmation, whatever the question.
import { describe, expect, it } from "vitest";
import type { CommandContext } from "../../src/commands/types.ts";
import type { Services } from "../../src/services/ports.ts";
import { understand } from "../../src/understand/understand.ts";
import { testLog } from "../support/log.ts";
import { runCommand } from "../support/router.ts";
import { CORPUS_NOW, isCorrect, loadCorpus } from "../support/understand-corpus.ts";

const corpus = loadCorpus();
const opts = { teamTag: "team", now: CORPUS_NOW };

function accuracy(part: typeof corpus): { ok: number; total: number; misses: string[] } {
  const misses: string[] = [];
  let ok = 0;
  for (const q of part) {
    const u = understand(q.question, opts);
    if (isCorrect(u, q.label)) ok++;
    else misses.push(`${q.question} → want ${q.label}, got ${u.kind === "reading" ? u.reading.command : u.kind}`);
  }
  return { ok, total: part.length, misses };
}

/** Every port access is recorded and refused: a write must not reach any of them. */
function recordingContext(touched: string[]): CommandContext {
  const services = new Proxy(
    {},
    {
      get: (_t, port) =>
        new Proxy(
          {},
          {
            get: (_p, method) => {
              if (method === "then") return undefined;
              return () => {
                touched.push(`${String(port)}.${String(method)}`);
                return Promise.reject(new Error("refused in this test"));
              };
            },
          },
        ),
    },
  ) as Services;
  return { services, settings: { regions: ["eastus"], currency: "USD", timezone: "UTC", demo: false }, now: () => CORPUS_NOW, log: testLog() };
}

describe("understanding the question corpus", () => {
  it("has at least 300 labelled questions, a third of them held out", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(300);
    const held = corpus.filter((q) => q.heldOut).length;
    expect(Math.abs(held - corpus.length / 3)).toBeLessThanOrEqual(1);
  });

  it("reads at least 95 % of the held-out questions as labelled (and prints both accuracies)", () => {
    const tune = accuracy(corpus.filter((q) => !q.heldOut));
    const held = accuracy(corpus.filter((q) => q.heldOut));
    const all = accuracy(corpus);
    const pct = (a: { ok: number; total: number }) => `${a.ok}/${a.total} = ${((100 * a.ok) / a.total).toFixed(1)} %`;
    console.log(`understanding accuracy: tune ${pct(tune)}, held-out ${pct(held)}, whole corpus ${pct(all)}`);
    expect(held.ok / held.total, held.misses.join("\n")).toBeGreaterThanOrEqual(0.95);
    expect(tune.ok / tune.total, tune.misses.join("\n")).toBeGreaterThanOrEqual(0.95);
  });

  it("reads at least 90 % of the fresh questions nobody tuned on (and prints the score)", () => {
    const fresh = accuracy(loadCorpus("fresh-held-out.tsv"));
    console.log(`understanding accuracy, never tuned on: ${fresh.ok}/${fresh.total} = ${((100 * fresh.ok) / fresh.total).toFixed(1)} %`);
    expect(fresh.total).toBeGreaterThanOrEqual(40);
    expect(fresh.ok / fresh.total, fresh.misses.join("\n")).toBeGreaterThanOrEqual(0.9);
  });

  it("never runs a write verb from a reading: every write reading gets a confirmation and touches nothing", async () => {
    let writes = 0;
    for (const q of corpus) {
      const u = understand(q.question, opts);
      const readings = u.kind === "reading" ? [u.reading, ...u.alternatives] : u.kind === "ambiguous" ? u.readings : [];
      for (const r of readings) expect(r.writes, r.command).toBe(/^(request|subscribe|unsubscribe)\b/.test(r.command));
      if (!(u.kind === "reading" && u.reading.writes)) continue;
      writes++;
      const touched: string[] = [];
      const reply = await runCommand({ text: q.question, actor: { id: "U1" }, channel: { id: "C1", platform: "slack" }, surface: "slack" }, recordingContext(touched));
      expect(reply.title, q.question).toBe("Confirm before I act");
      expect(reply.parts[0]).toEqual({ kind: "text", text: `I read this as \`${u.reading.command}\`` });
      expect(touched, q.question).toEqual([]);
    }
    expect(writes).toBeGreaterThan(20);
  });
});
