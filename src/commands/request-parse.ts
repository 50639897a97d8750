/**
 * The grammar of a GPU request typed in chat or the terminal:
 *
 *   request <n> <size|gpu> in <region> for <duration> [cost-center <tag>] -- <reason>
 *
 * "in" and "for" may come in either order; the reason follows "--" (or the "—"/"–" a chat client
 * may turn it into). With a size, <n> counts VMs; with a GPU model ("a100"), <n> counts GPUs and
 * the pre-check picks the size. Every mistake is a value with what was wrong and an example.
 *
 * @example
 * parseRequest(tokenize("2 NC24ads_A100_v4 in swedencentral for 3d -- fine-tune llama"))
 */
import { parseDuration } from "../domain/duration.ts";
import { findGpuModels, findSize, type GpuModel, type GpuSize } from "../domain/gpu-catalogue.ts";
import { resolveRegion } from "../domain/regions.ts";
import type { ErrorCode } from "../errors.ts";
import { filterVocabulary, nearest, nearestRegion } from "./args.ts";
import { shortSize } from "./format.ts";

/** Said after every duration we could not read (a request, an extension, a shorter approval). */
export const DURATION_HINT = 'Durations look like 12h, 3d, 1w or "2 days".';

export const REQUEST_EXAMPLE = "request 2 NC24ads_A100_v4 in swedencentral for 3d -- fine-tune the support model";

export type RequestTarget = { kind: "size"; size: GpuSize } | { kind: "gpu"; models: GpuModel[]; label: string };

export interface ParsedRequest {
  /** VMs for a size, GPUs for a GPU model. */
  count: number;
  target: RequestTarget;
  region: string;
  hours: number;
  reason: string;
  costCenter?: string;
}

export type ParseResult = { ok: true; request: ParsedRequest } | { ok: false; code: ErrorCode; problem: string; example: string };

export const MAX_COUNT = 1000;
export const MAX_REASON = 1000;
const COST_CENTER = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/;
const REASON_MARKERS = new Set(["--", "—", "–", "---"]);
const COST_CENTER_WORDS = new Set(["cost-center", "costcenter", "cost-centre", "cc"]);

const fail = (code: ErrorCode, problem: string, example = REQUEST_EXAMPLE): ParseResult => ({ ok: false, code, problem, example });
const clip = (s: string, n = 60) => (s.length > n ? `${s.slice(0, n)}…` : s);

/** A cost-center tag as typed in a form or after `cost-center`: undefined when it is not a safe tag value. */
export function validCostCenter(text: string): string | undefined {
  const t = text.trim();
  return COST_CENTER.test(t) ? t : undefined;
}

/** Cleans a free-text reason: control characters out, spaces collapsed. */
export function cleanReason(text: string): string {
  return text
    .replace(/[\u0000-\u001f\u007f]/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * The reason is free text: take it verbatim from the raw message after the first marker, so
 * quotes and apostrophes ("don't", "'fast' lane") survive; the tokenizer would eat them.
 */
function reasonFromRaw(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const m = /(?:^|\s)(?:---|--|—|–)(?:\s|$)/.exec(raw);
  return m ? raw.slice(m.index + m[0].length) : undefined;
}

/** Reads "2", "2x", "×2" as a count. */
function readCount(token: string): number | undefined {
  const m = /^(?:[x×])?(\d{1,6})(?:[x×])?$/i.exec(token);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n >= 1 ? n : undefined;
}

/** Resolves what is asked for: a size first (exact), then a GPU model. */
export function resolveTarget(text: string): RequestTarget | undefined {
  const t = text.trim();
  if (!t || t.length > 80) return undefined;
  const size = findSize(t);
  if (size) return { kind: "size", size };
  const models = findGpuModels(t);
  if (models.length > 0) return { kind: "gpu", models, label: models.map((m) => m.name).join(" / ") };
  return undefined;
}

/**
 * Parses the words after `request`. Tokens come from the shared tokenizer (quotes kept together,
 * control characters dropped, input capped).
 */
export function parseRequest(tokens: string[], rawText?: string): ParseResult {
  const markerAt = tokens.findIndex((t) => REASON_MARKERS.has(t));
  const head = markerAt >= 0 ? tokens.slice(0, markerAt) : tokens;
  const reason = markerAt >= 0 ? cleanReason(reasonFromRaw(rawText) ?? tokens.slice(markerAt + 1).join(" ")) : "";

  const first = head[0];
  if (first === undefined) return fail("missing_count", "Say how many VMs (or GPUs) you need, which size or GPU, where, for how long and why.");
  const count = readCount(first);
  if (count === undefined) return fail("bad_count", `"${clip(first, 20)}" is not a number of VMs or GPUs: start with how many you need.`);
  if (count > MAX_COUNT) return fail("bad_count", `${count} is more than one request can ask for (at most ${MAX_COUNT}); split it, or talk to the infra team.`);

  const lower = head.map((t) => t.toLowerCase());
  const inAt = lower.indexOf("in", 1);
  const forAt = lower.indexOf("for", 1);
  const ccAt = lower.findIndex((t, i) => i > 0 && COST_CENTER_WORDS.has(t));
  const stops = [inAt, forAt, ccAt].filter((i) => i > 0);
  const end = (from: number) => Math.min(head.length, ...stops.filter((i) => i > from));
  const firstStop = stops.length ? Math.min(...stops) : head.length;

  const whatText = head.slice(1, firstStop).join(" ");
  if (!whatText) return fail("missing_size", "Say which size or GPU you need after the number, e.g. NC24ads_A100_v4 or a100.");
  const target = resolveTarget(whatText);
  if (!target) {
    const guess = nearest(whatText.replace(/\s+/g, ""), filterVocabulary(), 3);
    return fail(
      "unknown_gpu",
      `I don't know the size or GPU "${clip(whatText)}".${guess ? ` Did you mean ${guess}?` : " Sizes look like NC24ads_A100_v4; GPUs like a100, h100 or t4."}`,
      guess ? `request ${count} ${guess} in swedencentral for 3d -- <why>` : REQUEST_EXAMPLE,
    );
  }

  if (inAt < 0) return fail("missing_region", 'Say where with "in <region>", e.g. in swedencentral.');
  const regionText = head.slice(inAt + 1, end(inAt)).join(" ");
  const region = resolveRegion(regionText);
  if (!region) {
    const guess = regionText ? nearestRegion(regionText) : undefined;
    return fail(
      "unknown_region",
      regionText
        ? `I don't know the region "${clip(regionText)}".${guess ? ` Did you mean ${guess}?` : ""} Regions look like swedencentral or "East US".`
        : 'The region is missing after "in".',
    );
  }

  if (forAt < 0) return fail("missing_duration", 'Say for how long with "for <duration>", e.g. for 3d, for 12h or for 1w.');
  const durationText = head.slice(forAt + 1, end(forAt)).join(" ");
  const duration = parseDuration(durationText);
  if (!duration.ok) return fail("bad_duration", `${duration.problem} ${DURATION_HINT}`);

  let costCenter: string | undefined;
  if (ccAt > 0) {
    const tag = head.slice(ccAt + 1, end(ccAt)).join(" ");
    costCenter = validCostCenter(tag);
    if (!costCenter) return fail("bad_cost_center", `"${clip(tag, 40)}" is not a cost-center tag: use letters, digits and . _ : / - (up to 64), e.g. cost-center ml-research.`);
  }

  if (!reason) {
    const sizeWord = target.kind === "size" ? shortSize(target.size.size) : whatText;
    return fail(
      "reason_required",
      'A reason is required: add "-- <why you need them>" at the end.',
      `request ${count} ${sizeWord} in ${region} for ${durationText || "3d"} -- <why>`,
    );
  }
  if (reason.length > MAX_REASON) return fail("reason_too_long", `Keep the reason under ${MAX_REASON} characters.`);

  const request: ParsedRequest = { count, target, region, hours: duration.hours, reason };
  if (costCenter !== undefined) request.costCenter = costCenter;
  return { ok: true, request };
}
