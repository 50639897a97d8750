/**
 * The labelled question corpus (test/fixtures/understand/questions.tsv), its deterministic split
 * (every third question held out) and the scoring rule shared by the accuracy test and the
 * library comparison.
 */
import { readFileSync } from "node:fs";
import { lookupTerm } from "../../src/domain/glossary.ts";
import { findSize } from "../../src/domain/gpu-catalogue.ts";
import type { Understanding } from "../../src/understand/understand.ts";

export interface Labelled {
  question: string;
  /** A command, "?a | b" (ask back with these readings) or "-" (nothing matches). */
  label: string;
  heldOut: boolean;
}

export const CORPUS_NOW = new Date("2026-12-03T10:00:00Z");

/** The tuning corpus (questions.tsv, split by line order) or the never-tuned fresh set (fresh-held-out.tsv, all held out). */
export function loadCorpus(file: "questions.tsv" | "fresh-held-out.tsv" = "questions.tsv"): Labelled[] {
  const lines = readFileSync(new URL(`../fixtures/understand/${file}`, import.meta.url), "utf8").split("\n");
  const out: Labelled[] = [];
  for (const line of lines) {
    if (!line.trim() || line.startsWith("#")) continue;
    const [question, label] = line.split("\t");
    if (question === undefined || label === undefined) throw new Error(`corpus line without a tab: ${line}`);
    out.push({ question, label: label.trim(), heldOut: file !== "questions.tsv" || out.length % 3 === 2 });
  }
  return out;
}

/** What an explain argument names: a catalogue size, a glossary entry (or two), or the words. */
function explainKey(arg: string): string {
  const size = findSize(arg);
  if (size) return `size:${size.size}`;
  const r = lookupTerm(arg);
  if (r.kind === "term") return `term:${r.term.id}`;
  if (r.kind === "comparison") return `vs:${r.terms.map((t) => t.id).join("|")}`;
  return arg.toLowerCase();
}

/** Two commands mean the same: equal ignoring case, or explain commands naming the same thing. */
export function sameCommand(a: string, b: string): boolean {
  if (a.toLowerCase() === b.toLowerCase()) return true;
  const ea = /^explain (.+)$/i.exec(a)?.[1];
  const eb = /^explain (.+)$/i.exec(b)?.[1];
  return ea !== undefined && eb !== undefined && explainKey(ea) === explainKey(eb);
}

export function isCorrect(u: Understanding, label: string): boolean {
  if (label === "-") return u.kind === "none";
  if (label.startsWith("?")) {
    if (u.kind !== "ambiguous") return false;
    const wanted = label
      .slice(1)
      .split("|")
      .map((s) => s.trim());
    return wanted.filter((w) => u.readings.some((r) => sameCommand(r.command, w))).length >= 2;
  }
  return u.kind === "reading" && sameCommand(u.reading.command, label);
}
