/**
 * The things a question names, read from its words: a region (ARM name or display name, small
 * typos), a GPU model ("H100s", "nvidia a100") or size (with or without "Standard_"), a count and
 * what it counts (GPUs or VMs), a period as the cost grammar names it, a grouping, a tag filter,
 * a lease duration, a request number. Each slot comes back in the form the typed grammar takes,
 * so a reading is always a command the validators accept. Pure; never throws.
 */

import { editDistance } from "../domain/edit-distance.ts";
import { findSize, GPU_MODELS, GPU_SERIES, normaliseFamily } from "../domain/gpu-catalogue.ts";
import { monthStart } from "../domain/periods.ts";
import { allRegions, resolveRegion } from "../domain/regions.ts";
import { isTagKey, isTagValue } from "../domain/tags.ts";

export type CostPeriod = "today" | "yesterday" | "7d" | "30d" | "mtd" | "last-month";

export interface Slots {
  region?: string;
  /** A size as tables write it ("NC24ads_A100_v4"). */
  size?: string;
  /** A GPU model as one command word ("a100", "h100nvl"). */
  gpu?: string;
  /** A series or quota family word the grammar takes ("ncasv3_t4" is not one; "NCv3" is). */
  family?: string;
  count?: { n: number; unit: "gpus" | "vms" | undefined };
  period?: CostPeriod;
  /** Said when the period asked for is not one the grammar has and a neighbour was used. */
  periodNote?: string;
  /** rg | size | subscription | tag:<key> */
  grouping?: string;
  tag?: { key: string; value: string };
  /** Lease duration as the request grammar writes it: "3d", "12h", "1w". */
  duration?: string;
  requestId?: number;
  amortized?: boolean;
  /** Words that were not taken by any slot (for "did you mean" and glossary hints). */
  leftover: string[];
}

export interface SlotOptions {
  /** Tag key "by team" and "team X" mean. */
  teamTag: string;
  /** For "in November": which month is this or last. */
  now?: Date | undefined;
}

const NUMBER_WORDS = new Map<string, number>([
  ["one", 1],
  ["a", 1],
  ["an", 1],
  ["single", 1],
  ["two", 2],
  ["couple", 2],
  ["pair", 2],
  ["three", 3],
  ["four", 4],
  ["five", 5],
  ["six", 6],
  ["seven", 7],
  ["eight", 8],
  ["nine", 9],
  ["ten", 10],
  ["eleven", 11],
  ["twelve", 12],
  ["dozen", 12],
  ["fourteen", 14],
  ["fifteen", 15],
  ["sixteen", 16],
  ["twenty", 20],
  ["thirty", 30],
  ["thirtytwo", 32],
  ["sixtyfour", 64],
]);

const GPU_UNIT = new Set(["gpu", "gpus", "card", "cards", "accelerator", "accelerators"]);
const VM_UNIT = new Set(["vm", "vms", "machine", "machines", "node", "nodes", "instance", "instances", "box", "boxes", "server", "servers", "host", "hosts"]);

/** Short names people use for a region on its own. */
const REGION_SHORT = new Map([
  ["sweden", "swedencentral"],
  ["norway", "norwayeast"],
  ["poland", "polandcentral"],
  ["italy", "italynorth"],
  ["spain", "spaincentral"],
  ["qatar", "qatarcentral"],
  ["israel", "israelcentral"],
  ["weu", "westeurope"],
  ["neu", "northeurope"],
  ["eus", "eastus"],
  ["eus2", "eastus2"],
  ["wus2", "westus2"],
  ["wus3", "westus3"],
  ["scus", "southcentralus"],
]);

const gpuKey = (s: string) =>
  s
    .toLowerCase()
    .replace(/[\s_-]+/g, "")
    .replace(/^(nvidia|amd)/, "");

/** Every GPU model alias, keyed without spaces, to the one-word form commands take. */
const GPU_WORDS: ReadonlyMap<string, string> = (() => {
  const m = new Map<string, string>();
  for (const model of GPU_MODELS) for (const a of [model.key, model.name, ...model.aliases]) m.set(gpuKey(a), gpuKey(a));
  // Names the catalogue writes with its own spacing.
  m.set("rtxpro6000", "rtxpro6000");
  m.set("rtx6000", "rtx6000");
  return m;
})();

const SERIES_WORDS: ReadonlyMap<string, string> = new Map(GPU_SERIES.map((s) => [normaliseFamily(s.series).replace(/[_-]/g, ""), s.series]));

const REGIONS = allRegions();

const MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december"];
const MONTH_SHORT = MONTHS.map((m) => m.slice(0, 3));

/** Lower-case words: punctuation that is not part of a size, tag or number goes. */
export function words(clean: string): string[] {
  return clean
    .toLowerCase()
    .replace(/'s\b/g, "")
    .replace(/['"]/g, "")
    .replace(/[?!,;()[\]{}<>|]/g, " ")
    .split(/\s+/)
    .map((w) => w.replace(/^[.:]+|[.:]+$/g, ""))
    .filter((w) => w.length > 0);
}

function readNumber(w: string): number | undefined {
  if (/^\d{1,4}$/.test(w)) return Number(w);
  return NUMBER_WORDS.get(w);
}

function gpuWord(w: string): string | undefined {
  const k = gpuKey(w);
  const direct = GPU_WORDS.get(k);
  if (direct) return direct;
  // Plurals: "h100s", "a100's", "t4s".
  const singular = /^(.*\d)s$/.exec(k)?.[1];
  return singular ? GPU_WORDS.get(singular) : undefined;
}

function sizeWord(w: string): string | undefined {
  if (!/^(standard_)?n[a-z]{0,3}\d/i.test(w)) return undefined;
  const size = findSize(w);
  return size ? size.size.replace(/^Standard_/, "") : undefined;
}

function regionTypo(w: string): string | undefined {
  if (w.length < 7 || !/^[a-z]+\d?$/.test(w)) return undefined;
  let best: string | undefined;
  let bestD = 3;
  for (const r of REGIONS) {
    const d = editDistance(w, r, 2);
    if (d < bestD) {
      bestD = d;
      best = r;
    }
  }
  return best;
}

const DURATION_UNITS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^(h|hr|hrs|hour|hours)$/, "h"],
  [/^(d|day|days)$/, "d"],
  [/^(w|wk|wks|week|weeks)$/, "w"],
];

function durationUnit(w: string): string | undefined {
  return DURATION_UNITS.find(([re]) => re.test(w))?.[1];
}

/** "in november" against the clock: this month → mtd, the month before → last-month. */
function monthPeriod(month: number, now: Date | undefined): { period: CostPeriod; note?: string } {
  if (!now) return { period: "last-month" };
  const today = now.toISOString().slice(0, 10);
  const current = Number(today.slice(5, 7)) - 1;
  if (month === current) return { period: "mtd" };
  const prev = Number(monthStart(today).slice(5, 7)) - 2;
  if (month === (prev + 12) % 12) return { period: "last-month" };
  return { period: "last-month", note: `Cost covers this month and last month by name; ${MONTHS[month]} is further back, so this is last month.` };
}

/** Marks words i … i+n−1 as taken by a slot. */
function take(used: boolean[], i: number, n = 1): void {
  for (let k = i; k < i + n && k < used.length; k++) used[k] = true;
}

const at = (ws: string[], i: number) => ws[i] ?? "";

/** Reads the slots of a question given as words (see `words`). */
export function readSlots(ws: string[], opts: SlotOptions): Slots {
  const used = ws.map(() => false);
  const out: Slots = { leftover: [] };
  // Tags and explicit grammar words first: they are unambiguous.
  readTagPairs(ws, used, out);
  readRegion(ws, used, out);
  readFamily(ws, used, out);
  // Sizes (also spelled with spaces: "nc24ads a100 v4"), then GPU models ("h100 nvl", "tesla t4").
  readSize(ws, used, out);
  readGpu(ws, used, out);
  readPeriod(ws, used, out, opts);
  readGrouping(ws, used, out, opts);
  readTagWords(ws, used, out, opts);
  readDuration(ws, used, out);
  readRequestId(ws, used, out);
  readCount(ws, used, out);
  if (/\b(amorti[sz]ed|amortization|amortisation)\b/.test(ws.join(" "))) out.amortized = true;
  out.leftover = ws.filter((_, i) => !used[i]);
  return out;
}

/** "tag:team=vision", "owner=alice". */
function readTagPairs(ws: string[], used: boolean[], out: Slots): void {
  for (let i = 0; i < ws.length; i++) {
    const m = /^(?:tag[:=])?([a-z][a-z0-9_.:-]{0,63})=([a-z0-9][a-z0-9_.:@+-]{0,127})$/.exec(at(ws, i));
    if (m && isTagKey(m[1] as string) && isTagValue(m[2] as string)) {
      out.tag = { key: m[1] as string, value: m[2] as string };
      take(used, i);
    }
  }
}

/** The longest run of up to 4 words that names a region ("east us 2"); failing that, a small typo of one. */
function readRegion(ws: string[], used: boolean[], out: Slots): void {
  for (let i = 0; i < ws.length && !out.region; i++) {
    if (used[i]) continue;
    for (let n = Math.min(4, ws.length - i); n >= 1; n--) {
      const phrase = ws.slice(i, i + n).join(" ");
      const r = n === 1 ? (REGION_SHORT.get(phrase) ?? resolveRegion(phrase)) : resolveRegion(phrase);
      if (r && !(n === 1 && /^\d+$/.test(phrase))) {
        out.region = r;
        take(used, i, n);
        break;
      }
    }
  }
  if (out.region) return;
  for (let i = 0; i < ws.length; i++) {
    if (used[i]) continue;
    const r = regionTypo(at(ws, i));
    if (r) {
      out.region = r;
      take(used, i);
      break;
    }
  }
}

/** Series and quota families, also spelled with spaces ("NCads H100 v5 family"). */
function readFamily(ws: string[], used: boolean[], out: Slots): void {
  for (let i = 0; i < ws.length && !out.family; i++) {
    for (let n = Math.min(4, ws.length - i); n >= 1; n--) {
      const phrase = ws.slice(i, i + n);
      if (phrase.some((_, k) => used[i + k])) continue;
      const s = SERIES_WORDS.get(
        normaliseFamily(phrase.join(""))
          .replace(/[_-]/g, "")
          .replace(/family$/, ""),
      );
      if (s && (n > 1 || /\d|v[0-9]/.test(phrase[0] as string)) && !findSize(phrase.join("_"))) {
        out.family = s;
        take(used, i, n);
        break;
      }
    }
  }
}

function readSize(ws: string[], used: boolean[], out: Slots): void {
  for (let i = 0; i < ws.length && !out.size; i++) {
    if (used[i]) continue;
    for (let n = Math.min(3, ws.length - i); n >= 1; n--) {
      const s = sizeWord(ws.slice(i, i + n).join("_"));
      if (s) {
        out.size = s;
        take(used, i, n);
        break;
      }
    }
  }
}

/** A GPU model, glued to a count ("8x a100", "8xa100", "a100x8") or over up to 3 words ("h100 nvl"). */
function readGpu(ws: string[], used: boolean[], out: Slots): void {
  for (let i = 0; i < ws.length && !out.gpu; i++) {
    if (used[i]) continue;
    const glued = /^(\d{1,3})[x×]([a-z].*)$/.exec(at(ws, i)) ?? /^([a-z].*\d)[x×](\d{1,3})$/.exec(at(ws, i));
    if (glued) {
      const [a, b] = [glued[1] as string, glued[2] as string];
      const model = gpuWord(/^\d/.test(a) ? b : a);
      if (model) {
        out.gpu = model;
        out.count = { n: Number(/^\d/.test(a) ? a : b), unit: "gpus" };
        take(used, i);
        break;
      }
    }
    for (let n = Math.min(3, ws.length - i); n >= 1; n--) {
      const phrase = ws.slice(i, i + n);
      if (phrase.some((w, k) => used[i + k] || (n > 1 && /^(in|for|and|or|vs|per|by)$/.test(w)))) continue;
      const model = gpuWord(phrase.join(" "));
      if (model) {
        out.gpu = model;
        take(used, i, n);
        break;
      }
    }
  }
}

/** Durations: "for 3 days", "for a week", "for 12h", "for the weekend". */
function readDuration(ws: string[], used: boolean[], out: Slots): void {
  for (let i = 0; i < ws.length; i++) {
    if (at(ws, i) !== "for" || out.duration) continue;
    const compact = /^(\d{1,3})(h|d|w)$/.exec(at(ws, i + 1));
    if (compact) {
      out.duration = `${compact[1]}${compact[2]}`;
      take(used, i, 2);
      continue;
    }
    const n = readNumber(at(ws, i + 1));
    const unit = durationUnit(at(ws, i + 2));
    if (n !== undefined && unit) {
      out.duration = `${n}${unit}`;
      take(used, i, 3);
    } else if (at(ws, i + 1) === "the" && at(ws, i + 2) === "weekend") {
      out.duration = "3d";
      take(used, i, 3);
    }
  }
}

/** Request numbers: "request 3", "#3", "request #3". */
function readRequestId(ws: string[], used: boolean[], out: Slots): void {
  for (let i = 0; i < ws.length; i++) {
    const hash = /^#(\d{1,6})$/.exec(at(ws, i));
    if (hash) {
      out.requestId = Number(hash[1]);
      take(used, i);
    } else if (
      /^(request|req|id|number|no)$/.test(at(ws, i)) &&
      /^#?\d{1,6}$/.test(at(ws, i + 1)) &&
      !(GPU_WORDS.has(at(ws, i + 2)) || gpuWord(at(ws, i + 2)) || sizeWord(at(ws, i + 2)))
    ) {
      out.requestId = Number(at(ws, i + 1).replace("#", ""));
      take(used, i + 1);
    }
  }
}

/** Counts: a number, and what it counts from the word after it (or the GPU/size it names). */
function readCount(ws: string[], used: boolean[], out: Slots): void {
  for (let i = 0; i < ws.length && !out.count; i++) {
    if (used[i]) continue;
    const w = at(ws, i);
    const xn = /^(\d{1,4})[x×]$|^[x×](\d{1,4})$/.exec(w);
    let n = xn ? Number(xn[1] ?? xn[2]) : readNumber(w);
    if (n === undefined || n < 1 || n > 1000) continue;
    let j = i + 1;
    if ((w === "a" || w === "an" || w === "couple" || w === "pair" || w === "dozen") && !xn) {
      // "a couple of", "a pair of": the number word is the next one.
      if (w === "a" && NUMBER_WORDS.has(at(ws, j)) && at(ws, j) !== "a") {
        n = NUMBER_WORDS.get(at(ws, j)) as number;
        j++;
      }
      if (at(ws, j) === "of") j++;
      if (w === "a" || w === "an") {
        if (!(GPU_UNIT.has(at(ws, j)) || VM_UNIT.has(at(ws, j)) || gpuWord(at(ws, j)) || sizeWord(at(ws, j)))) continue;
      }
    }
    while (/^(more|extra|additional|new|free|spare|of|x|×|the|nvidia|amd)$/.test(at(ws, j))) j++;
    const unit = countUnit(w, at(ws, j), at(ws, j + 1), at(ws, j + 2));
    if (unit === undefined && !xn && !/^\d/.test(w)) continue;
    out.count = { n, unit };
    take(used, i);
  }
}

/** What a count counts, from the word after it and the two after that ("8 h100 vms" counts VMs). */
function countUnit(w: string, next: string, after: string, afterNext: string): "gpus" | "vms" | undefined {
  return GPU_UNIT.has(next)
    ? "gpus"
    : VM_UNIT.has(next)
      ? "vms"
      : sizeWord(next)
        ? "vms"
        : gpuWord(next) || /^\d+[x×]/.test(w)
          ? VM_UNIT.has(after) || VM_UNIT.has(afterNext)
            ? "vms"
            : "gpus"
          : undefined;
}

function readPeriod(ws: string[], used: boolean[], out: Slots, opts: SlotOptions): void {
  const text = ws.join(" ");
  const set = (p: CostPeriod, note?: string) => {
    out.period ??= p;
    if (note && !out.periodNote) out.periodNote = note;
  };
  const mark = (re: RegExp) => {
    // Marks the words of the first match as used.
    const m = re.exec(text);
    if (!m) return false;
    const before = text.slice(0, m.index).split(" ").filter(Boolean).length;
    const len = m[0].split(" ").filter(Boolean).length;
    for (let k = before; k < before + len; k++) used[k] = true;
    return true;
  };
  if (mark(/\b(so far )?today\b|\bthis morning\b/)) set("today");
  if (mark(/\byesterday\b|\blast night\b|\bday before\b/)) set("yesterday");
  const nDays = /\b(?:last|past|previous|the last|over the last|over the past|in the last|in the past)\s+(\S+)\s+(days?|weeks?)\b/.exec(text);
  if (nDays) {
    const n = readNumber(nDays[1] as string) ?? 0;
    const days = n * ((nDays[2] as string).startsWith("week") ? 7 : 1);
    mark(/\b(?:last|past|previous|the last|over the last|over the past|in the last|in the past)\s+\S+\s+(days?|weeks?)\b/);
    if (days > 0 && days <= 7) set("7d", days < 7 ? `Cost has 7-day and 30-day windows; the last ${days} days are inside the 7-day one.` : undefined);
    else if (days > 7 && days <= 30) set("30d", days < 30 ? `Cost has 7-day and 30-day windows; the last ${days} days are inside the 30-day one.` : undefined);
    else if (days > 30) set("30d", `Cost's longest rolling window is 30 days; the last ${days} days do not fit, so this is the last 30.`);
  }
  if (mark(/\b(last|past|this|previous|the) (week|7 days|seven days)\b|\bweekly\b|\b7d\b|\bthis wk\b|\bin a week\b|\bweek so far\b/)) set("7d");
  if (mark(/\b(last|past|previous) (fortnight|two weeks|2 weeks)\b|\bfortnight\b/)) set("30d", "Cost has 7-day and 30-day windows; the last two weeks are inside the 30-day one.");
  if (mark(/\b(last|past) (30 days|thirty days|month of days)\b|\b30d\b|\bpast month\b|\blast 4 weeks\b|\brolling month\b/)) set("30d");
  if (
    mark(
      /\bthis month\b|\bfor the month\b|\bmonth to date\b|\bmonth-to-date\b|\bmtd\b|\bmonth so far\b|\bso far this month\b|\bthis billing period\b|\bcurrent month\b|\bmonthly\b.*\bso far\b/,
    )
  )
    set("mtd");
  if (mark(/\b(last|previous|prior) month\b|\blast-month\b|\blastmonth\b|\blast billing period\b|\blast invoice\b/)) set("last-month");
  for (let i = 0; i < ws.length && !out.period; i++) {
    const w = ws[i] as string;
    const mi = MONTHS.indexOf(w) >= 0 ? MONTHS.indexOf(w) : w !== "may" && w !== "mar" ? MONTH_SHORT.indexOf(w) : -1;
    if (mi >= 0 && (i === 0 || /^(in|for|during|of|over|since)$/.test(ws[i - 1] as string))) {
      const p = monthPeriod(mi, opts.now);
      set(p.period, p.note);
      used[i] = true;
    }
  }
  if (!out.period && mark(/\bper day\b|\bdaily\b|\ba day\b/)) {
    // "how much a day" has no own window; leave it to the verb.
  }
}

function readGrouping(ws: string[], used: boolean[], out: Slots, opts: SlotOptions): void {
  const text = ws.join(" ");
  const g =
    /\b(?:by|per|for each|each|broken down by|split by|grouped by|group by|breakdown by|across|which|what|top)\s+(team|teams|rg|rgs|resource groups?|resource-groups?|resourcegroups?|size|sizes|sku|skus|vm sizes?|vm types?|machine types?|sub|subs|subscriptions?|owner|owners|project|projects|cost cent(?:er|re)s?|cost-cent(?:er|re)s?|costcenters?|env|envs|environments?|department|departments|app|apps|application|applications)\b/.exec(
      text,
    );
  const tag = /\b(?:by|per|grouped by|split by) (?:tag[: ]?)([a-z][a-z0-9_.-]{0,40})(?: tag)?\b|\bby the ([a-z][a-z0-9_.-]{0,40}) tag\b/.exec(text);
  if (tag && (/\btag\b/.test(tag[0]) || tag[0].includes("tag:"))) {
    const key = (tag[1] ?? tag[2]) as string;
    if (isTagKey(key) && key !== "tag") {
      out.grouping = `tag:${key}`;
      return;
    }
  }
  if (!g) return;
  const word = g[1] as string;
  const kind = /^(rg|rgs|resource)/.test(word)
    ? "rg"
    : /^(size|sku|vm size|vm type|machine type)/.test(word)
      ? "size"
      : /^sub/.test(word)
        ? "subscription"
        : /^team/.test(word)
          ? `tag:${opts.teamTag}`
          : /^owner/.test(word)
            ? "tag:owner"
            : /^project/.test(word)
              ? "tag:project"
              : /^cost/.test(word)
                ? "tag:cost-center"
                : /^env/.test(word)
                  ? "tag:env"
                  : /^department/.test(word)
                    ? "tag:department"
                    : "tag:app";
  // "which size" / "what size" only groups in a spend question; the verb decides whether to keep it.
  out.grouping = kind;
  const before = text.slice(0, g.index).split(" ").filter(Boolean).length;
  for (let k = before; k < before + g[0].split(" ").length; k++) used[k] = true;
}

/** "owned by alice", "alice's vms", "team vision", "for the vision team", "project atlas". */
function readTagWords(ws: string[], used: boolean[], out: Slots, opts: SlotOptions): void {
  if (out.tag) return;
  const text = ws.join(" ");
  const patterns: ReadonlyArray<readonly [RegExp, string]> = [
    [/\bowned by ([a-z0-9][a-z0-9_.@+-]{0,60})\b/, "owner"],
    [/\b(?:owner|user) ([a-z0-9][a-z0-9_.@+-]{0,60})\b/, "owner"],
    [/\bteam ([a-z0-9][a-z0-9_.-]{0,60})\b/, opts.teamTag],
    [/\bthe ([a-z0-9][a-z0-9_.-]{0,60}) team\b/, opts.teamTag],
    [/\bproject ([a-z0-9][a-z0-9_.-]{0,60})\b/, "project"],
  ];
  const stop =
    /^(is|are|has|have|use|uses|using|spent|spend|spending|burn|burned|cost|costs|tag|the|a|an|in|on|for|by|and|or|with|gpus?|vms?|now|right|today|yesterday|last|this|which|what|who|that|run|running|idle|owns|own)$/;
  for (const [re, key] of patterns) {
    const m = re.exec(text);
    if (!m) continue;
    const value = m[1] as string;
    if (stop.test(value) || !isTagValue(value) || REGIONS.includes(value) || gpuWord(value)) continue;
    out.tag = { key, value };
    const before = text.slice(0, m.index).split(" ").filter(Boolean).length;
    for (let k = before; k < before + m[0].split(" ").length; k++) used[k] = true;
    return;
  }
}
