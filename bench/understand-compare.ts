/**
 * The library-versus-grammar comparison behind src/understand (run by hand: `node
 * bench/understand-compare.ts`; numbers quoted in README "Ask in plain words"). NLP.js
 * (@nlpjs/nlp, a kept intent classifier) is trained on the tuning two thirds of the corpus, one
 * intent per verb, and asked the held-out third; the hand grammar is scored on the same third.
 * NLP.js only picks the verb, so its score is verb accuracy — an upper bound for a library
 * pipeline that would still need the same hand-written slot readers to fill regions, GPUs, counts
 * and periods. The grammar is scored on whole commands, the stricter measure.
 */
import { containerBootstrap } from "@nlpjs/core";
import { LangEn } from "@nlpjs/lang-en-min";
import { Nlp } from "@nlpjs/nlp";
import { cleanChatText } from "../src/understand/chat-text.ts";
import { understand } from "../src/understand/understand.ts";
import { CORPUS_NOW, isCorrect, loadCorpus } from "../test/support/understand-corpus.ts";
import { quantile } from "./harness.ts";

const verbOf = (label: string) => (label === "-" ? "none" : label.startsWith("?") ? "ambiguous" : (label.split(" ")[0] as string));

const corpus = loadCorpus();
const tune = corpus.filter((q) => !q.heldOut);
const held = corpus.filter((q) => q.heldOut);

const container = await containerBootstrap();
container.use(Nlp);
container.use(LangEn);
const nlp = container.get("nlp");
nlp.settings.autoSave = false;
nlp.settings.log = false;
nlp.settings.nlu = { log: false };
nlp.addLanguage("en");
for (const q of tune) nlp.addDocument("en", cleanChatText(q.question), verbOf(q.label));
await nlp.train();

let libVerb = 0;
const libTimes: number[] = [];
for (const q of held) {
  const t = performance.now();
  const r = await nlp.process("en", cleanChatText(q.question));
  libTimes.push(performance.now() - t);
  const intent = r.intent === "None" || r.score < 0.5 ? "none" : r.intent;
  if (intent === verbOf(q.label)) libVerb++;
}

let gVerb = 0;
let gWhole = 0;
const gTimes: number[] = [];
for (const q of held) {
  const t = performance.now();
  const u = understand(q.question, { teamTag: "team", now: CORPUS_NOW });
  gTimes.push(performance.now() - t);
  const verb = u.kind === "reading" ? (u.reading.command.split(" ")[0] as string) : u.kind === "ambiguous" ? "ambiguous" : "none";
  if (verb === verbOf(q.label)) gVerb++;
  if (isCorrect(u, q.label)) gWhole++;
}

const pct = (n: number) => `${n}/${held.length} (${((100 * n) / held.length).toFixed(1)} %)`;
console.log(`held-out questions: ${held.length} (trained/tuned on ${tune.length})`);
console.log(`NLP.js intent classifier: verb ${pct(libVerb)}; p50 ${quantile(libTimes, 0.5).toFixed(3)} ms, p99 ${quantile(libTimes, 0.99).toFixed(3)} ms`);
console.log(`hand grammar:             verb ${pct(gVerb)}, whole command ${pct(gWhole)}; p50 ${quantile(gTimes, 0.5).toFixed(3)} ms, p99 ${quantile(gTimes, 0.99).toFixed(3)} ms`);
