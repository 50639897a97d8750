/**
 * Understanding plain-language questions: every question of the labelled corpus read 20 times
 * (after a warm-up), per-question latency as p50/p99/max over all reads and p99 over each question's
 * median (robust to a loaded machine's pauses), with the corpus accuracy alongside so a
 * faster grammar that reads worse shows up here too. Target: p99 ≤ 1 ms on the deterministic path.
 */
import { understand } from "../src/understand/understand.ts";
import { CORPUS_NOW, isCorrect, loadCorpus } from "../test/support/understand-corpus.ts";
import { type BenchScenario, ms, quantile } from "./harness.ts";

const ROUNDS = Number(process.env.BENCH_UNDERSTAND_ROUNDS ?? 20);

export const understandScenario: BenchScenario = {
  name: "understand (plain-language questions)",
  async run() {
    const corpus = loadCorpus();
    const opts = { teamTag: "team", now: CORPUS_NOW };
    for (const q of corpus) understand(q.question, opts);
    const samples: number[] = [];
    const perQuestion = corpus.map((): number[] => []);
    for (let r = 0; r < ROUNDS; r++) {
      corpus.forEach((q, i) => {
        const t = performance.now();
        understand(q.question, opts);
        const d = performance.now() - t;
        samples.push(d);
        perQuestion[i]?.push(d);
      });
    }
    // Each question's median over the rounds: its own cost, without the scheduler's pauses on a busy machine.
    const medians = perQuestion.map((xs) => quantile(xs, 0.5));
    const held = corpus.filter((q) => q.heldOut);
    const correct = (part: typeof corpus) => part.filter((q) => isCorrect(understand(q.question, opts), q.label)).length;
    return {
      questions: corpus.length,
      "p50 (ms)": ms(quantile(samples, 0.5)),
      "p99 (ms)": ms(quantile(samples, 0.99)),
      "max (ms)": ms(Math.max(...samples)),
      "p99 of per-question medians (ms)": ms(quantile(medians, 0.99)),
      "slowest question median (ms)": ms(Math.max(...medians)),
      "held-out accuracy": `${correct(held)}/${held.length}`,
      "whole-corpus accuracy": `${correct(corpus)}/${corpus.length}`,
    };
  },
};
