/**
 * Glossary lookup behind `explain <term>` and free questions ("what is a PTU?", "TPM vs RPM").
 *
 * Pipeline: strip question phrasing → exact alias/id match (incl. simple plurals) → "X vs Y"
 * comparison → confident typo match (whole-string edit distance within a length-scaled budget,
 * and no other term equally close) → suggestions (terms named inside the question, near misses,
 * then fuse.js candidates filtered for relevance; at most 3) → none.
 *
 * Never throws: input is capped before any work, and the public functions are wrapped.
 *
 * @example
 * lookupTerm("what is a PTU?")        // { kind: "term", term: <ptu>, related: [...] }
 * lookupTerm("TPM vs RPM")            // { kind: "comparison", terms: [<tpm>, <rpm>] }
 * lookupTerm("infinband")             // { kind: "term", term: <infiniband>, ... }
 */
import Fuse from "fuse.js";
import { editDistance } from "./edit-distance.ts";
import { GLOSSARY, type GlossaryTerm } from "./glossary-terms.ts";

export type { GlossaryTerm } from "./glossary-terms.ts";

export type GlossaryResult =
  | { kind: "term"; term: GlossaryTerm; related: GlossaryTerm[] }
  | { kind: "comparison"; terms: [GlossaryTerm, GlossaryTerm] }
  | { kind: "suggestions"; query: string; suggestions: GlossaryTerm[] }
  | { kind: "none"; query: string };

/** Raw input is cut to this many UTF-16 units before any regex work. */
const RAW_CAP = 1000;
/** The cleaned query is cut to this many characters. */
const QUERY_CAP = 200;
/** Edit-distance matching only runs on queries up to this length (no alias is longer). */
const FUZZY_CAP = 64;
/** Fuse only runs on queries up to this length: longer patterns are split into 32-char bitap chunks
 *  and get slow (~15 ms each) while rarely producing a useful suggestion. */
const FUSE_CAP = 32;
/** Fuse candidates scoring worse than this are not offered as suggestions. */
const SUGGEST_MAX_SCORE = 0.3;
const MAX_SUGGESTIONS = 3;

// ── Normalisation ──────────────────────────────────────────────────────────

/** Lower-case, strip accents and apostrophes, turn every other non-letter/digit run into one space. */
function normalizeKey(s: string): string {
  return s
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/['’‘`´]/g, "")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();
}

function alternation(phrases: readonly string[]): string {
  return [...phrases].sort((a, b) => b.length - a.length).join("|");
}

/** Leading filler and question phrasing, applied repeatedly. Longest alternatives win. */
const PREFIXES = [
  "hey",
  "hi",
  "hello",
  "yo",
  "please",
  "pls",
  "plz",
  "gpuops",
  "bot",
  "quick question",
  "question",
  "can you please",
  "could you please",
  "can you",
  "could you",
  "would you",
  "can u",
  "will you",
  "explain to me",
  "explain what",
  "explain",
  "define",
  "definition of",
  "definition",
  "describe",
  "tell me about",
  "tell me what",
  "tell me",
  "i want to know about",
  "i want to know what",
  "help me understand",
  "what do you mean by",
  "what is meant by",
  "what is the meaning of",
  "the meaning of",
  "meaning of",
  "what is",
  "whats",
  "what s",
  "whatis",
  "what are",
  "what r",
  "what does",
  "what do",
  "how does",
  "how do",
  "who is",
  "eli5",
  "explain like im 5",
  "glossary",
  "difference between",
  "the difference between",
  "differences between",
  "the differences between",
  "explain the difference between",
  "compare",
  "a",
  "an",
  "the",
];
/** Trailing filler, applied repeatedly. */
const SUFFIXES = [
  "mean",
  "means",
  "meant",
  "stand for",
  "stands for",
  "do",
  "does",
  "work",
  "works",
  "is",
  "are",
  "exactly",
  "again",
  "please",
  "pls",
  "thanks",
  "thank you",
  "thx",
  "for me",
  "to me",
  "briefly",
  "in simple terms",
  "in plain english",
  "in plain terms",
  "simply",
  "in azure",
  "on azure",
  "in the cloud",
  "in ai",
  "in ml",
  "in this context",
];
const PREFIX_RE = new RegExp(`^(?:${alternation(PREFIXES)})(?: |$)`);
const SUFFIX_RE = new RegExp(`(?:^| )(?:${alternation(SUFFIXES)})$`);

/** Phrasing that marks free text as a definition question. */
const CUE_RE = new RegExp(
  `^(?:(?:hey|hi|hello|please|pls|can you|could you|gpuops|bot) )*(?:${alternation([
    "what is",
    "whats",
    "what s",
    "what are",
    "what does",
    "what do",
    "explain",
    "define",
    "definition of",
    "describe",
    "tell me about",
    "meaning of",
    "the meaning of",
    "what is meant by",
    "what do you mean by",
    "difference between",
    "compare",
    "eli5",
    "how does",
    "how do",
    "who is",
  ])})(?: |$)`,
);
const VS_RE = /(?:^| )(?:vs|versus)(?: |$)/;

/** Slack/Teams mention markup such as <@U123> or <at>gpuops</at>. */
function stripMarkup(s: string): string {
  return s.replace(/<at>[^<]{0,100}<\/at>/gi, " ").replace(/<[@#!][^>]{0,100}>/g, " ");
}

function stripFillers(s: string): string {
  let out = s;
  for (let i = 0; i < 12; i++) {
    const next = out.replace(PREFIX_RE, "").replace(SUFFIX_RE, "").trim();
    if (next === out) break;
    out = next;
  }
  return out;
}

function cleanQuery(question: string): string {
  const raw = stripMarkup(question.slice(0, RAW_CAP));
  const normalized = normalizeKey(raw).slice(0, QUERY_CAP).trim();
  return stripFillers(normalized);
}

/** The cleaned, lower-cased term text of a question ("What's a PTU?" → "ptu"). Never throws. */
export function extractTermQuery(question: string): string {
  try {
    if (typeof question !== "string") return "";
    return cleanQuery(question);
  } catch {
    return "";
  }
}

// ── Indexes (built lazily, once) ───────────────────────────────────────────

interface AliasEntry {
  key: string;
  id: string;
}

interface Index {
  byId: Map<string, GlossaryTerm>;
  /** normalized alias/id/display name → term id (first writer wins). */
  exact: Map<string, string>;
  entries: AliasEntry[];
  fuse: Fuse<AliasEntry>;
}

let index: Index | undefined;

function getIndex(): Index {
  if (index) return index;
  const byId = new Map<string, GlossaryTerm>();
  const exact = new Map<string, string>();
  const entries: AliasEntry[] = [];
  const add = (text: string, id: string): void => {
    const key = normalizeKey(text);
    if (!key) return;
    if (!exact.has(key)) {
      exact.set(key, id);
      entries.push({ key, id });
    }
  };
  for (const t of GLOSSARY) byId.set(t.id, t);
  // Aliases first so that they own their keys; then ids, display names and spaceless variants.
  for (const t of GLOSSARY) for (const a of t.aliases) add(a, t.id);
  for (const t of GLOSSARY) {
    add(t.id, t.id);
    add(t.term, t.id);
    add(t.term.replace(/\s*\(.*?\)\s*/g, " "), t.id);
  }
  for (const t of GLOSSARY) {
    for (const a of t.aliases) {
      const compact = normalizeKey(a).replace(/ /g, "");
      if (compact.length >= 4) add(compact, t.id);
    }
  }
  const aliasKeys = new Set(GLOSSARY.flatMap((t) => t.aliases.map(normalizeKey)));
  const fuse = new Fuse(
    entries.filter((e) => aliasKeys.has(e.key)),
    {
      keys: ["key"],
      includeScore: true,
      threshold: 0.4,
      ignoreLocation: true,
      minMatchCharLength: 2,
      shouldSort: true,
    },
  );
  index = { byId, exact, entries, fuse };
  return index;
}

// ── Matching ───────────────────────────────────────────────────────────────

function exactMatch(q: string): string | undefined {
  if (!q) return undefined;
  const { exact } = getIndex();
  const direct = exact.get(q) ?? exact.get(q.replace(/ /g, ""));
  if (direct) return direct;
  // Simple plurals: "gpus", "vnets", "checkpoints", "batches".
  if (q.length > 3 && q.endsWith("s")) {
    const singular = exact.get(q.slice(0, -1));
    if (singular) return singular;
    if (q.endsWith("es")) return exact.get(q.slice(0, -2));
  }
  return undefined;
}

/** Typos allowed for a confident fuzzy answer, by query length. */
function allowedEdits(length: number): number {
  if (length < 4) return 0;
  if (length <= 8) return 1;
  if (length <= 12) return 2;
  return 3;
}

/**
 * Fuse's substring scoring is generous ("joke" is close to "token"); a suggestion must also be
 * close as a whole string, share a near-identical word, or be a prefix completion ("quant").
 */
function looksRelated(q: string, words: readonly string[], key: string, limit: number): boolean {
  if (q.length >= 3 && key.startsWith(q)) return true;
  if (editDistance(q, key, limit) <= limit) return true;
  return words.some((w) => {
    const allowed = allowedEdits(w.length);
    return editDistance(w, key, allowed) <= allowed || key.split(" ").some((k) => k.length >= 4 && editDistance(w, k, allowed) <= allowed);
  });
}

interface FuzzyOutcome {
  confident: string | undefined;
  /** Candidate term ids, best first. */
  candidates: string[];
}

/** Memo for nearTerms: comparisons and phrase scans ask about the same fragments repeatedly. */
const nearCache = new Map<string, ReadonlyArray<[string, number]>>();
const NEAR_CACHE_MAX = 2000;

/** Term ids within the allowed edit distance of q, closest first (one entry per term). */
function nearTerms(q: string): ReadonlyArray<[string, number]> {
  const cached = nearCache.get(q);
  if (cached) return cached;
  const result = computeNearTerms(q);
  if (nearCache.size >= NEAR_CACHE_MAX) nearCache.clear();
  nearCache.set(q, result);
  return result;
}

function computeNearTerms(q: string): Array<[string, number]> {
  const allowed = allowedEdits(q.length);
  if (allowed === 0 || q.length > FUZZY_CAP) return [];
  const { entries } = getIndex();
  const bestDistance = new Map<string, number>();
  for (const { key, id } of entries) {
    if (key.length < 4 || Math.abs(key.length - q.length) > allowed) continue;
    // Short words must at least start with the same letter ("onxx" → onnx, but "ramp" ↛ vram).
    if (q.length <= 5 && key[0] !== q[0]) continue;
    const d = editDistance(q, key, allowed);
    if (d <= allowed && d < (bestDistance.get(id) ?? Number.POSITIVE_INFINITY)) bestDistance.set(id, d);
  }
  return [...bestDistance].sort((a, b) => a[1] - b[1]);
}

/**
 * A confident fuzzy answer: a whole-string match within a few edits (transpositions count once,
 * so "cdua" → cuda) and no other term equally close.
 */
function confidentFuzzy(near: ReadonlyArray<[string, number]>): string | undefined {
  const first = near[0];
  const second = near[1];
  return first !== undefined && (second === undefined || second[1] > first[1]) ? first[0] : undefined;
}

function fuzzyMatch(q: string): FuzzyOutcome {
  if (q.length < 2 || q.length > FUZZY_CAP) return { confident: undefined, candidates: [] };

  // The edit-distance check decides whether one term is a confident answer …
  const near = nearTerms(q);
  const confident = confidentFuzzy(near);
  if (confident) return { confident, candidates: [confident] };

  // … otherwise Fuse ranks candidates (substring-tolerant, good for suggestions).
  const candidates: string[] = [];
  const words = q.split(" ").filter((w) => w.length >= 4);
  const suggestLimit = Math.max(1, Math.floor(q.length * 0.4));
  const results = q.length <= FUSE_CAP ? getIndex().fuse.search(q, { limit: 40 }) : [];
  for (const r of results) {
    const { key, id } = r.item;
    if ((r.score ?? 1) <= SUGGEST_MAX_SCORE && !candidates.includes(id) && looksRelated(q, words, key, suggestLimit)) {
      candidates.push(id);
    }
  }
  // Close-but-ambiguous matches are the best suggestions; put them first.
  const nearIds = near.map(([id]) => id);
  return { confident: undefined, candidates: [...nearIds, ...candidates.filter((id) => !nearIds.includes(id))] };
}

/** Longest alias, in words; comparison sides longer than this can't be a single term. */
const MAX_SIDE_WORDS = 7;

/** A single confidently identified term: exact, or an unambiguous small typo. */
function resolveConfident(q: string): string | undefined {
  const cleaned = stripFillers(q);
  if (!cleaned || cleaned.split(" ").length > MAX_SIDE_WORDS) return undefined;
  return exactMatch(cleaned) ?? confidentFuzzy(nearTerms(cleaned));
}

const COMPARISON_SEPARATORS: ReadonlyArray<readonly string[]> = [["vs"], ["versus"], ["v"], ["compared", "to"], ["compared", "with"], ["against"], ["or"], ["and"]];

function resolveComparison(q: string, resolve: (side: string) => string | undefined = resolveConfident): [string, string] | undefined {
  const words = q.split(" ");
  if (words.length < 3 || words.length > 2 * MAX_SIDE_WORDS + 2) return undefined;
  for (const sep of COMPARISON_SEPARATORS) {
    for (let i = 1; i + sep.length < words.length; i++) {
      if (!sep.every((w, k) => words[i + k] === w)) continue;
      if (i > MAX_SIDE_WORDS || words.length - i - sep.length > MAX_SIDE_WORDS) continue;
      const left = resolve(words.slice(0, i).join(" "));
      if (!left) continue;
      const right = resolve(words.slice(i + sep.length).join(" "));
      if (right && right !== left) return [left, right];
    }
  }
  return undefined;
}

/** Exact-only resolver for comparisons that must not rely on fuzzy guesses. */
function resolveExact(q: string): string | undefined {
  return exactMatch(stripFillers(q));
}

/**
 * Term ids named anywhere in the question ("ptu pricing", "infinband switch"), longest phrases
 * first, no overlaps. Exact phrases first, then single typo-tolerant phrases.
 */
function mentionedTerms(q: string): string[] {
  const words = q.split(" ").filter(Boolean).slice(0, 40);
  const { exact } = getIndex();
  const used = new Array<boolean>(words.length).fill(false);
  const found: string[] = [];
  const scan = (maxN: number, limitWords: number, match: (phrase: string, n: number) => string | undefined): void => {
    const count = Math.min(words.length, limitWords);
    for (let n = Math.min(maxN, count); n >= 1; n--) {
      for (let i = 0; i + n <= count; i++) {
        if (used.slice(i, i + n).some(Boolean)) continue;
        const id = match(words.slice(i, i + n).join(" "), n);
        if (!id) continue;
        for (let k = i; k < i + n; k++) used[k] = true;
        if (!found.includes(id)) found.push(id);
      }
    }
  };
  scan(5, words.length, (phrase, n) => {
    // Two-letter aliases ("nd", "ib", "az") are too noisy inside a sentence.
    if (n === 1 && phrase.length < 3) return undefined;
    const singular = n === 1 && phrase.length > 3 && phrase.endsWith("s") ? phrase.slice(0, -1) : undefined;
    return exact.get(phrase) ?? (singular === undefined ? undefined : exact.get(singular));
  });
  // Typos inside a sentence: only phrases long enough for the distance check to mean something.
  scan(3, 20, (phrase) => (phrase.length >= 6 ? confidentFuzzy(nearTerms(phrase)) : undefined));
  return found;
}

function termResult(id: string): GlossaryResult | undefined {
  const { byId } = getIndex();
  const term = byId.get(id);
  if (!term) return undefined;
  const related = term.related.map((r) => byId.get(r)).filter((t): t is GlossaryTerm => t !== undefined);
  return { kind: "term", term, related };
}

function lookupInner(question: string): GlossaryResult {
  if (typeof question !== "string") return { kind: "none", query: "" };
  const q = cleanQuery(question);
  if (!q) return { kind: "none", query: normalizeKey(question.slice(0, QUERY_CAP)) };

  const exactId = exactMatch(q);
  if (exactId) {
    const r = termResult(exactId);
    if (r) return r;
  }

  const { byId } = getIndex();
  const pair = resolveComparison(q);
  if (pair) {
    const a = byId.get(pair[0]);
    const b = byId.get(pair[1]);
    if (a && b) return { kind: "comparison", terms: [a, b] };
  }

  const fuzzy = fuzzyMatch(q);
  if (fuzzy.confident) {
    const r = termResult(fuzzy.confident);
    if (r) return r;
  }

  const ids: string[] = [];
  for (const id of [...mentionedTerms(q), ...fuzzy.candidates]) {
    if (!ids.includes(id)) ids.push(id);
    if (ids.length >= MAX_SUGGESTIONS) break;
  }
  const suggestions = ids.map((id) => byId.get(id)).filter((t): t is GlossaryTerm => t !== undefined);
  if (suggestions.length > 0) return { kind: "suggestions", query: q, suggestions };
  return { kind: "none", query: q };
}

/**
 * Looks a term up from a question or bare term. Strips question phrasing ("what is a", "what's",
 * "explain", "define", "tell me about", "meaning of", trailing "?", articles), then tries an exact
 * alias/id match, an "X vs Y" comparison, a typo-tolerant fuzzy match, and finally suggestions.
 * Never throws.
 */
export function lookupTerm(question: string): GlossaryResult {
  try {
    return lookupInner(question);
  } catch {
    return { kind: "none", query: "" };
  }
}

/** Longest query (twice this) the quick lookup still tries typo matching on. */
const QUICK_FUZZY_CHARS = 16;

/**
 * A cheap lookup for hot paths (reading plain-language questions): exact aliases, "X vs Y" of
 * aliases (typo-tolerant per side), and typo matching only for short queries. Microseconds,
 * where the full lookup's phrase scan can take milliseconds on a long sentence. Never throws.
 */
export function lookupTermQuick(question: string): GlossaryResult {
  try {
    if (typeof question !== "string") return { kind: "none", query: "" };
    const q = cleanQuery(question);
    if (!q) return { kind: "none", query: "" };
    const id = exactMatch(q);
    const exact = id ? termResult(id) : undefined;
    if (exact) return exact;
    const pair = resolveComparison(q);
    const { byId } = getIndex();
    const a = pair && byId.get(pair[0]);
    const b = pair && byId.get(pair[1]);
    if (a && b) return { kind: "comparison", terms: [a, b] };
    if (q.length > QUICK_FUZZY_CHARS * 2 || q.split(" ").length > 3) return { kind: "none", query: q };
    // Edit distance against the aliases only (no fuse.js): the confident typo, else the near misses.
    const near = nearTerms(q);
    const confident = confidentFuzzy(near);
    const sure = confident ? termResult(confident) : undefined;
    if (sure) return sure;
    const suggestions = near
      .slice(0, MAX_SUGGESTIONS)
      .map(([nid]) => byId.get(nid))
      .filter((t): t is GlossaryTerm => t !== undefined);
    return suggestions.length > 0 ? { kind: "suggestions", query: q, suggestions } : { kind: "none", query: q };
  } catch {
    return { kind: "none", query: "" };
  }
}

/**
 * True for free text that is a definition question about a known term — "what is a PTU?",
 * "TPM vs RPM", "what does MIG mean", "InfiniBand?" — so the router can send it to `explain`.
 * Data questions ("what is my quota in eastus", "show H100 prices") stay false. Never throws.
 */
export function isGlossaryQuestion(text: string): boolean {
  try {
    if (typeof text !== "string") return false;
    const capped = text.slice(0, RAW_CAP);
    const norm = normalizeKey(stripMarkup(capped));
    if (!norm) return false;
    const hasCue = CUE_RE.test(norm) || VS_RE.test(norm);
    if (hasCue) {
      const r = lookupInner(capped);
      return r.kind === "term" || r.kind === "comparison";
    }
    // A bare known term or pair followed by "?" ("InfiniBand?", "MIG or vGPU?") — no fuzzy guesses.
    if (/\?\s*$/.test(capped)) {
      const q = cleanQuery(capped);
      return exactMatch(q) !== undefined || resolveComparison(q, resolveExact) !== undefined;
    }
    return false;
  } catch {
    return false;
  }
}
