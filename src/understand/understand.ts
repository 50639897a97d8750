/**
 * Plain words → the command they mean, in the typed grammar, so every door answers questions
 * the same way and people see (and can copy) the short form. A hand-made grammar: cue phrases
 * pick the verb, slots (slots.ts) fill its arguments. Pure, no I/O, about 0.1 ms per question.
 *
 * The result is a reading (one command, with a confidence and the other plausible readings), a
 * question back (two or more readings that mean different things), or nothing, with what was
 * recognised so the answer can suggest something related. Verbs that change state are flagged
 * `writes`: the caller must ask for confirmation before running them.
 *
 * @example
 * understand("what did we burn on GPUs last week", { teamTag: "team" })
 * // { kind: "reading", reading: { command: "cost 7d", verb: "cost", writes: false, confidence: 0.9 }, alternatives: [] }
 */

import { editDistance } from "../domain/edit-distance.ts";
import { type GlossaryTerm, lookupTermQuick as lookupTerm } from "../domain/glossary.ts";
import { cleanChatText } from "./chat-text.ts";
import { readSlots, type Slots, words } from "./slots.ts";

export interface Reading {
  /** The command in the typed grammar: "cost yesterday by rg". */
  command: string;
  verb: string;
  /** True when running it changes something (a request, a subscription, an approval). */
  writes: boolean;
  /** 0–1: how sure the reading is. */
  confidence: number;
  /** Something the reading could not keep exactly ("cost has 7d and 30d windows …"). */
  note?: string;
}

export interface Recognised {
  money: boolean;
  gpu?: string;
  size?: string;
  region?: string;
  /** Closest glossary entries to the words nobody else took. */
  terms: string[];
}

export type Understanding =
  | { kind: "reading"; reading: Reading; alternatives: Reading[] }
  | { kind: "ambiguous"; readings: Reading[] }
  | { kind: "none"; recognised: Recognised; suggestions: string[] };

export interface UnderstandOptions {
  /** The tag key "by team" groups by (the configured team tag; "team" by default). */
  teamTag?: string;
  /** The clock, for "in November". */
  now?: Date;
}

/** Verbs whose readings must be confirmed before they run. */
export const WRITE_VERBS: ReadonlySet<string> = new Set(["request", "subscribe", "unsubscribe", "approve", "deallocate", "release"]);

/** Cue words a typo is corrected towards (edit distance 1, 2 for long words). */
const CUE_WORDS = [
  "cost",
  "costs",
  "spend",
  "spent",
  "spending",
  "billing",
  "quota",
  "quotas",
  "idle",
  "running",
  "available",
  "availability",
  "regions",
  "region",
  "where",
  "price",
  "prices",
  "pricing",
  "hourly",
  "explain",
  "difference",
  "requests",
  "request",
  "approve",
  "status",
  "digest",
  "summary",
  "subscribe",
  "unsubscribe",
  "capacity",
  "headroom",
  "utilization",
  "utilisation",
  "yesterday",
  "today",
  "month",
  "week",
  "which",
  "what",
  "sizes",
  "skus",
  "gpus",
  "machines",
  "unused",
  "wasting",
  "expensive",
  "cheapest",
  "deallocate",
  "release",
  "memory",
];

/** Real words one edit away from a cue word: never "corrected". */
const KNOWN_WORDS = new Set([
  "sending",
  "pending",
  "waiting",
  "sitting",
  "spending",
  "posting",
  "testing",
  "ending",
  "reading",
  "approval",
  "approvals",
  "send",
  "what's",
  "when",
  "whats",
  "with",
  "that",
  "have",
  "date",
  "data",
  "hour",
  "mean",
  "cast",
  "most",
  "host",
  "post",
  "list",
  "last",
  "lost",
  "past",
  "rate",
  "size",
  "sizes",
  "team",
  "teams",
  "week",
  "weeks",
  "much",
  "many",
  "next",
  "test",
  "ones",
  "more",
  "here",
  "there",
  "where",
  "were",
  "price",
  "pricey",
  "paid",
  "used",
  "uses",
  "user",
  "users",
  "runs",
  "idle",
  "tell",
  "sell",
  "fill",
  "bill",
  "bills",
  "cheap",
  "month",
  "months",
]);

function fixTypos(ws: string[]): string[] {
  return ws.map((w) => {
    if (w.length < 4 || !/^[a-z]+$/.test(w) || CUE_WORDS.includes(w) || KNOWN_WORDS.has(w)) return w;
    const budget = w.length >= 8 ? 2 : 1;
    let best = w;
    let bestD = budget + 1;
    for (const c of CUE_WORDS) {
      const d = editDistance(w, c, budget);
      if (d < bestD) {
        bestD = d;
        best = c;
      }
    }
    return best;
  });
}

type Cue = { verb: string; re: RegExp; weight: number };

const CUES: Cue[] = [
  {
    verb: "cost",
    re: /\b(costs?|costing|spend|spent|spending|spenders?|burn|burned|burnt|burning|bill|billed|billing|bills|invoice|invoiced|charges?|charged|expenses?|expensive|money|dollars|euros|budget|paid|paying|pay|damage|cash|consumption|finops|chargeback|showback|amorti[sz]ed)\b/,
    weight: 2,
  },
  { verb: "cost", re: /\bhow much (did|have|has|were|was|are we|is it costing|did it)\b|\bwhat did we (burn|spend|pay)\b|\$ ?spent\b/, weight: 1.5 },
  {
    verb: "price",
    re: /\b(price|prices|priced|pricing|list price|rates?|hourly|per hour|an hour|a hour|per hr|per month|a month|per gpu hour|per gpu-hour|cheap|cheapest|cheaper|payg|pay as you go|on-demand price|retail)\b|\$?\/h(r|our)?\b/,
    weight: 2.2,
  },
  { verb: "price", re: /\bhow much (is|are|does|do|would|will|for|to run|to rent)\b/, weight: 1.4 },
  {
    verb: "quota",
    re: /\b(quotas?|limits?|headroom|room|capacity|space for|fit|fits|allowance|cores left|vcpus left|vcpu left|how many more|enough|max out|maxed|allowed to|can (we|i) (still )?(add|spin up|launch|start|deploy|create|run)|can we (still )?get)\b/,
    weight: 2,
  },
  {
    verb: "skus",
    re: /\b(skus?|sizes|size options|vm sizes|vm types|offer|offered|offers|offering|available|availability|options|specs|spec sheet|flavou?rs|what can i get|what gpus can|can (i|we) (get|have|use)|catalog|catalogue|lineup|choices|types of gpus?|kinds of gpus?|list (the |all )?(gpu|vm)|exist|exists)\b/,
    weight: 1.5,
  },
  { verb: "where", re: /\b(where|which regions?|what regions?|regions|anywhere|in which region|what region)\b/, weight: 2 },
  {
    verb: "running",
    re: /\b(running|run right now|up right now|in use|being used|deployed|live|active|online|fleet|inventory|provisioned|allocated|on right now|currently on|turned on|powered on|spun up|alive right now)\b|\b(are|is) (\w+ )?up\b/,
    weight: 2,
  },
  { verb: "running", re: /\b(do we have|have we got|we have|we've got|using|who has|who owns)\b/, weight: 1 },
  {
    verb: "idle",
    re: /\b(idle|idling|unused|not used|not using|not being used|wasted|wasting|waste|doing nothing|sitting|asleep|sleeping|underused|under ?utili[sz]ed|low utili[sz]ation|zero utili[sz]ation|0% util\w*|forgotten|abandoned|nobody is using|no one is using|nobody uses|deallocate|deallocated|shut ?down|turn off|switch off|stop paying|zombie|lazy|burning money|doing no work)\b/,
    weight: 2.6,
  },
  {
    verb: "explain",
    re: /\b(what is|what's|whats|what are|what does|explain|define|definition|meaning|mean|means|stand for|stands for|difference between|differences between|vs|versus|compared? to|compare|tell me about|eli5|what s)\b/,
    weight: 1.4,
  },
  {
    verb: "gpuq",
    re: /\bwhich (one|ones|vm|vms|size|sizes|sku|skus|series|machine|machines|instance|instances|instance types?|vm sizes?|family|families)\b.*\b(uses?|has|have|carr(y|ies)|comes? with|with|got|runs?|contains?)\b|\bwhat gpus? (is|are|does|do|comes?|ships?)\b|\bhow many gpus (does|do|is|are|in|on|come)\b|\bhow much (gpu )?(memory|vram|ram|hbm)\b|\bwhat kind of gpu\b|\bwhich gpu (is|does)\b/,
    weight: 3,
  },
  { verb: "requests", re: /\b(requests|approvals?|pending|waiting for approval|awaiting|audit|audit log|asks|tickets?|my request|open request)\b/, weight: 2 },
  {
    verb: "status",
    re: /\b(status|health|healthy|alive|are you (up|ok|there|working|alive)|freshness|fresh|stale|last refresh|refreshed|up to date|uptime|ping|broken|(is|are) (\w+ )?working)\b/,
    weight: 2,
  },
  { verb: "digest", re: /\b(digest|summary|summari[sz]e|recap|overview|rundown|round-?up|tl;?dr|daily report|weekly report|morning report|report)\b/, weight: 2 },
  { verb: "help", re: /\b(help|what can you do|what do you do|commands|how do i use|usage|what can i ask|how does this work)\b/, weight: 2 },
  {
    verb: "request",
    re: /\b(i need|we need|i want|we want|need|request|reserve|book|provision|get me|give me|spin up|allocate me|can i have|could i get|could we get|can i get|ask for|grab|rent|lease)\b/,
    weight: 1.6,
  },
  {
    verb: "subscribe",
    re: /\b(subscribe|notify|alert me|alert us|ping me|ping us|send (me|us|this channel) (the |a |an )?(digest|summary|idle alerts?|alerts?)|every (morning|day|weekday)|each morning|remind|sign (me|us) up)\b/,
    weight: 2.4,
  },
  {
    verb: "unsubscribe",
    re: /\b(unsubscribe|stop (sending|posting|notifying|alerting|those)|stop (the )?(\w+ )?(digests?|alerts?|notifications?|summary)|no more|turn off (the )?(\w+ )?(digest|alerts?)|opt out|mute)\b/,
    weight: 3,
  },
  { verb: "approve", re: /\b(approve|approved|deny|reject|decline|release|extend|cancel|withdraw|submit)\b/, weight: 2.5 },
];

const MONEY = /\$|\b(costs?|spend|spent|spending|burn|burned|bill|billing|invoice|charges?|money|dollars|budget|price|prices|pricing|expensive|cheap|cheapest|\$)/;
const PAST = /\b(did|was|were|have we|has it|spent|burned|burnt|yesterday|last|past|so far|this month|this week|to date|mtd|today|month|week|days)\b/;
const GENERIC_GPU = /\bgpus?\b|\bgpu (vms?|machines?|nodes?|boxes)\b/;

/** The command word for what a question names: a size wins over a GPU model, a GPU over a family. */
const target = (s: Slots) => s.size ?? s.gpu ?? s.family;

const join = (...parts: Array<string | undefined | false>) => parts.filter((p): p is string => typeof p === "string" && p.length > 0).join(" ");

function reading(verb: string, command: string, confidence: number, note?: string): Reading {
  const r: Reading = { command, verb, writes: WRITE_VERBS.has(verb) || /^request (?!show\b)/.test(`${command} `) || verb === "request", confidence };
  if (note) r.note = note;
  return r;
}

function tagWord(s: Slots): string | undefined {
  return s.tag ? `tag:${s.tag.key}=${s.tag.value}` : undefined;
}

function costCommand(s: Slots, text: string, conf: number): Reading {
  let grouping = s.grouping;
  // "which team spent the most" / "by tag team" are groupings; a team name is not a cost filter.
  if (!grouping && s.tag) grouping = `tag:${s.tag.key}`;
  if (!grouping && /\b(which|what|top|biggest|most) (gpu )?(vm )?(size|sku|machine type)s?\b/.test(text)) grouping = "size";
  const notes: string[] = [];
  if (s.periodNote) notes.push(s.periodNote);
  if (s.tag) notes.push(`Cost splits by a tag rather than filtering on one: look for ${s.tag.value} in the ${s.tag.key} rows.`);
  return reading("cost", join("cost", s.period, grouping && `by ${grouping}`, s.amortized && "amortized"), conf, notes.join(" ") || undefined);
}

function priceCommand(s: Slots, conf: number, perMonth: boolean): Reading | undefined {
  const t = target(s);
  // "per month": the verbs show 730 h × the hourly list price themselves.
  const monthly = perMonth ? "monthly" : undefined;
  if (s.region) return reading("skus", join("skus", s.region, t, monthly), conf);
  if (!t) return undefined;
  return reading("where", join("where", t, monthly), conf);
}

function whereCommand(s: Slots, conf: number): Reading | undefined {
  const t = target(s);
  if (!t) return undefined;
  if (s.region) return reading("skus", join("skus", s.region, t), conf);
  // where counts GPUs for a model and VMs for a size.
  const count = s.count && s.count.n > 1 && (s.size ? s.count.unit !== "gpus" : s.count.unit !== "vms") ? String(s.count.n) : undefined;
  return reading("where", join("where", t, count), conf);
}

function quotaCommand(s: Slots, conf: number): Reading {
  const t = target(s);
  if (s.count && !s.region && t) {
    const w = whereCommand(s, conf);
    if (w) return w;
  }
  return reading("quota", join("quota", s.region, t), conf);
}

function explainCommand(clean: string, s: Slots, gpuQuestion: boolean): Reading | undefined {
  if (gpuQuestion && (s.size || s.gpu)) return reading("explain", join("explain", s.size ?? s.gpu), 0.9);
  const r = lookupTerm(clean);
  if (r.kind === "term") return reading("explain", `explain ${aliasOf(r.term)}`, 0.85);
  if (r.kind === "comparison") return reading("explain", `explain ${aliasOf(r.terms[0])} vs ${aliasOf(r.terms[1])}`, 0.85);
  if (s.size) return reading("explain", `explain ${s.size}`, 0.7);
  if (s.gpu) return reading("explain", `explain ${s.gpu}`, 0.7);
  return undefined;
}

/** The id when people type it ("infiniband"), else the first alias: what `explain` is typed with. */
function aliasOf(t: GlossaryTerm): string {
  return t.aliases.includes(t.id) ? t.id : (t.aliases[0] ?? t.id);
}

const AI_WORDS =
  /\b(tpm|rpm|ptus?|openai|open ai|aoai|azure openai|foundry|tokens? per minute|provisioned throughput|model deployments?|models? (?:are |is )?deployed|llm|llms)\b|\bgpt-?\d/;
const AI_MODEL = /\b(gpt-[a-z0-9.-]*[a-z0-9]|o[134](?:-mini)?|text-embedding-[a-z0-9-]*[a-z0-9]|dall-e-\d)\b/;

/**
 * Azure OpenAI capacity questions ("how much gpt-4o TPM is left in swedencentral", "where can I
 * get 300k TPM of gpt-4.1", "which PTU deployments sit idle"). A definition ("what is a PTU")
 * stays with the glossary.
 */
function openAiReading(lower: string, text: string, s: Slots): Reading | undefined {
  if (!AI_WORDS.test(lower)) return undefined;
  const model = AI_MODEL.exec(lower)?.[1];
  if (!model && /^(what is|what's|whats|what are|what does|define|explain|eli5|meaning of|difference between)\b|\b(vs|versus|difference|compared? to)\b/.test(text))
    return undefined;
  const tpm = /\b(\d{1,6}(?:\.\d+)?)\s*(k|m)?\s*tpm\b/.exec(lower);
  const ptu = /\b(\d{1,5})\s*ptus?\b/.exec(lower);
  const capacity = tpm ? `${tpm[1]}${tpm[2] ?? ""} tpm` : ptu ? `${ptu[1]} ptu` : undefined;
  if (/\b(idle|idling|unused|underused|under ?utili[sz]ed|wasted|wasting|sitting|doing nothing|nobody)\b/.test(text)) return reading("openai", "openai idle", 0.85);
  if (model && /\b(where|which regions?|what regions?|anywhere|can (i|we) (get|deploy|have))\b/.test(text) && !s.region)
    return reading("openai", join("openai where", model, capacity), 0.85);
  if (/\b(deployments?|deployed|what models|which models|versions?|retir\w*)\b/.test(text) && !/\b(quota|left|limit|headroom|buy)\b/.test(text))
    return reading("openai", join("openai deployments", s.region), 0.8);
  return reading("openai", join("openai quota", s.region, model), 0.8);
}

function requestCommand(s: Slots, clean: string): Reading | undefined {
  // A request names a size or a GPU model; a family is not something one can ask for.
  const t = s.size ?? s.gpu;
  if (!t || !s.count) return undefined;
  const reason = /(?:\s--\s|\s—\s|\bbecause\b|\breason:?\b|\bso (?:we|i) can\b)\s*(.{1,300})$/i.exec(clean)?.[1];
  const safeReason = reason
    ?.replace(/[^A-Za-z0-9 .,:/+()@#&'-]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
  return reading("request", join("request", String(s.count.n), t, s.region && `in ${s.region}`, s.duration && `for ${s.duration}`, safeReason && `-- ${safeReason}`), 0.85);
}

/** The words in a question that say which verb it is, with their weights. */
function scoreVerbs(text: string): Map<string, number> {
  const scores = new Map<string, number>();
  for (const c of CUES) if (c.re.test(text)) scores.set(c.verb, (scores.get(c.verb) ?? 0) + c.weight);
  return scores;
}

/**
 * What a question means. Typed commands never come here (the registry runs them first); this is
 * for everything else, and for typed commands that failed to parse.
 */
export function understand(input: string, opts: UnderstandOptions = {}): Understanding {
  const clean = cleanChatText(input)
    .replace(/^\/?gpu(ops)?\b[:,]?\s*/i, "")
    .replace(/^@\S+\s*/, "");
  const ws = fixTypos(words(clean));
  const text = ws.join(" ");
  const s = readSlots(ws, { teamTag: opts.teamTag ?? "team", now: opts.now });
  const scores = scoreVerbs(text);
  const has = (v: string) => (scores.get(v) ?? 0) > 0;
  // "anywhere with h200 capacity": without a region, a where-question outranks quota words.
  scores.set("whereboost", (scores.get("where") ?? 0) + 0.5);
  const t = target(s);
  const readings: Reading[] = [];
  const weight = new Map<Reading, number>();
  const push = (r: Reading | undefined, cue?: string) => {
    if (!r || readings.some((x) => x.command === r.command)) return;
    readings.push(r);
    weight.set(r, cue ? (scores.get(cue) ?? 0) : 0);
  };
  const perMonth = /\b(per month|a month|monthly|\/mo|per mo)\b/.test(text);

  // Changes first: they are never run from here without a confirmation, so reading them eagerly is safe.
  if (has("unsubscribe")) {
    const what = /\bidle|alerts?\b/.test(text) && !/\bdigest|summary|report\b/.test(text) ? "idle" : "digest";
    push(reading("unsubscribe", `unsubscribe ${what}`, 0.9));
  } else if (has("subscribe") && !has("requests")) {
    const what = /\bidle\b|\balerts?\b|\bwast/.test(text) && !/\bdigest|summary|report\b/.test(text) ? "idle" : "digest";
    const time = /\b(?:at|by|around)\s+(\d{1,2})(?::(\d{2}))?\s*(am|pm)?\b/.exec(text);
    let at: string | undefined;
    if (time && what === "digest") {
      let h = Number(time[1]);
      if (time[3] === "pm" && h < 12) h += 12;
      if (time[3] === "am" && h === 12) h = 0;
      if (h <= 23) at = `at ${String(h).padStart(2, "0")}:${time[2] ?? "00"}`;
    }
    push(reading("subscribe", join("subscribe", what, at), 0.85));
  }
  if (has("approve") && s.requestId !== undefined) {
    const m = /\b(approve|approved|deny|reject|decline|release|extend|cancel|withdraw|submit)\b/.exec(text)?.[1] ?? "approve";
    const sub = m === "approved" ? "approve" : m === "reject" || m === "decline" ? "deny" : m === "withdraw" ? "cancel" : m;
    const ext = sub === "extend" ? `by ${/\bby (\d{1,3}[hdw])\b/.exec(text)?.[1] ?? (s.duration || "1d")}` : undefined;
    push(reading(sub === "release" ? "release" : "approve", join("request", sub, String(s.requestId), ext), 0.9));
  }
  if (has("request") && !has("requests") && s.count && t && !has("quota") && !has("price") && !has("where") && !has("cost")) push(requestCommand(s, clean));
  if (readings.length > 0) return { kind: "reading", reading: readings[0] as Reading, alternatives: readings.slice(1) };

  const ai = openAiReading(clean.toLowerCase(), text, s);
  if (ai) return { kind: "reading", reading: ai, alternatives: [] };

  // "define quota family", "what is amortized cost": a definition question about a known term.
  const asksDefinition =
    /^(what is|what's|whats|what are|what does|define|explain|eli5|meaning of|tell me about|whats the difference|what's the difference|difference between)\b/.test(text);
  if (asksDefinition && !has("gpuq")) {
    const g = lookupTerm(clean);
    if (g.kind === "term" || g.kind === "comparison") push(explainCommand(clean, s, false), "explain");
    if (readings.length > 0) return { kind: "reading", reading: readings[0] as Reading, alternatives: [] };
  }
  const gpuQuestion = has("gpuq") && !has("running") && !has("idle") && (t !== undefined || GENERIC_GPU.test(text));
  // "which sizes with the a100 are in swedencentral" asks what a region offers.
  if (gpuQuestion && s.region && t) push(reading("skus", join("skus", s.region, t), 0.85), "gpuq");
  else if (gpuQuestion) push(explainCommand(clean, s, true), "gpuq");

  if (has("idle") && !(has("explain") && !GENERIC_GPU.test(text) && !/\b(vms?|machines?|boxes|nodes)\b/.test(text) && !has("running"))) {
    const notes = /\b(deallocate|shut ?down|turn off|switch off|stop)\b/.test(text)
      ? "Deallocating is done from the idle list's buttons, and each asks you to confirm."
      : undefined;
    push(reading("idle", join("idle", s.region, tagWord(s)), 0.9, notes), "idle");
  }
  const priceFirst = has("price") && (t !== undefined || s.region !== undefined) && !(has("cost") && PAST.test(text) && !/\bper (hour|month|gpu)\b/.test(text));
  if (priceFirst) push(priceCommand(s, 0.85, perMonth), "price");
  if (has("cost") && !priceFirst) push(costCommand(s, text, 0.9), "cost");
  if (has("requests")) {
    const f = /\b(export|csv|audit)\b/.test(text)
      ? "export"
      : /\b(all|every|everyone|everybody)\b/.test(text)
        ? "all"
        : /\b(open|pending|waiting|awaiting|outstanding)\b/.test(text)
          ? "open"
          : undefined;
    push(reading("requests", join("requests", f), 0.85), "requests");
  }
  if (has("quota")) push(quotaCommand(s, 0.85), "quota");
  if (has("where")) push(whereCommand(s, 0.85), s.region ? "where" : "whereboost");
  if (has("running") || (/\bhow many\b/.test(text) && /\b(do we|have we|are there|we got)\b/.test(text)))
    push(reading("running", join("running", s.region, t, tagWord(s)), 0.8), "running");
  if (has("skus")) push(reading("skus", join("skus", s.region, t), 0.8), "skus");
  if (has("status")) push(reading("status", "status", 0.85), "status");
  if (has("digest")) push(reading("digest", "digest", 0.85), "digest");
  if (has("price") && !priceFirst && t) push(priceCommand(s, 0.6, perMonth));
  if (has("explain") || readings.length === 0) push(explainCommand(clean, s, false));
  if (has("help") && readings.length === 0) push(reading("help", "help", 0.8));

  if (readings.length === 0) {
    // Bare slots: a region and/or a GPU without a verb could mean several things.
    if (t || s.region) {
      return {
        kind: "ambiguous",
        readings: [
          reading("skus", join("skus", s.region, t), 0.4),
          t && !s.region ? reading("where", join("where", t), 0.4) : reading("quota", join("quota", s.region, t), 0.4),
          t ? reading("explain", `explain ${t}`, 0.3) : reading("running", join("running", s.region), 0.3),
        ],
      };
    }
    const terms = closeTerms(s);
    return { kind: "none", recognised: recognised(s, text, terms), suggestions: suggestionsFor(s, text, terms) };
  }
  // Stronger cues first; equal cues keep the order above (idle before cost, price before cost…).
  readings.sort((a, b) => (weight.get(b) ?? 0) - (weight.get(a) ?? 0));
  const [first, ...rest] = readings as [Reading, ...Reading[]];
  // A bare GPU name with "?" reads as a glossary question and as a shopping one.
  if (first.verb === "explain" && !has("explain") && !gpuQuestion && t && !(readings.length > 1)) {
    return { kind: "ambiguous", readings: [first, reading("where", join("where", t), 0.4), reading("skus", join("skus", s.region, t), 0.3)] };
  }
  return { kind: "reading", reading: first, alternatives: rest.slice(0, 3) };
}

const STOP = new Set([
  "the",
  "and",
  "for",
  "what",
  "whats",
  "with",
  "how",
  "who",
  "why",
  "this",
  "that",
  "you",
  "are",
  "our",
  "can",
  "does",
  "did",
  "about",
  "tell",
  "show",
  "any",
  "much",
  "thing",
  "please",
  "thanks",
  "hello",
]);

/** Closest glossary entries to the words no slot took (one cheap lookup per word, at most 3). */
function closeTerms(s: Slots): string[] {
  const out: string[] = [];
  for (const w of s.leftover.filter((x) => x.length >= 3 && !STOP.has(x)).slice(0, 3)) {
    const g = lookupTerm(w);
    if (g.kind === "term") out.push(aliasOf(g.term));
    else if (g.kind === "suggestions") out.push(...g.suggestions.slice(0, 2).map(aliasOf));
  }
  return [...new Set(out)].slice(0, 3);
}

function recognised(s: Slots, text: string, terms: string[]): Recognised {
  const r: Recognised = { money: MONEY.test(text), terms };
  if (s.gpu) r.gpu = s.gpu;
  if (s.size) r.size = s.size;
  if (s.region) r.region = s.region;
  return r;
}

/** Commands worth trying, chosen by what the question did name; never a generic list. */
function suggestionsFor(s: Slots, text: string, terms: string[]): string[] {
  const out: string[] = [];
  const t = target(s);
  if (MONEY.test(text)) out.push("cost 7d", "cost yesterday by rg", "cost mtd by size");
  if (t) out.push(`skus ${t}`, `where ${t}`);
  if (s.region) out.push(`skus ${s.region}`, `quota ${s.region}`);
  if (s.period && !MONEY.test(text)) out.push(`cost ${s.period}`);
  for (const term of terms) out.push(`explain ${term}`);
  if (out.length === 0 && GENERIC_GPU.test(text)) out.push("running", "idle", "skus");
  return [...new Set(out)].slice(0, 5);
}
