/**
 * `explain <term>` and free questions ("what is a PTU?", "TPM vs RPM", "which VM uses the T4
 * GPU?", "how much GPU memory does NC40ads_H100_v5 have?"). Glossary answers come from
 * domain/glossary; GPU models list the sizes that carry them, and sizes their GPUs, from the catalogue.
 */
import { type GlossaryTerm, lookupTerm } from "../domain/glossary.ts";
import { findGpuModels, findSize, formatStatus, GPU_SIZES, type GpuSize } from "../domain/gpu-catalogue.ts";
import { facts, type Part, type Row, reply, table, text, userError } from "../reply/reply.ts";
import { gpuMemText, gpusOf, gpuText, shortSize } from "./format.ts";
import type { Verb } from "./types.ts";

function termParts(t: GlossaryTerm): Part[] {
  return [
    text(t.definition),
    facts([
      { label: "Why infra cares", value: t.whyInfraCares },
      { label: "On Azure", value: t.azure },
    ]),
  ];
}

function sizesTable(sizes: readonly GpuSize[]): Part {
  const rows: Row[] = sizes.map((s) => ({ size: shortSize(s.size), series: s.series, gpu: gpuText(s), mem: gpuMemText(s), use: s.use }));
  return table(
    [
      { key: "size", label: "Size", priority: 1, kind: "size" },
      { key: "series", label: "Series", priority: 3, kind: "name" },
      { key: "gpu", label: "GPU", priority: 1, kind: "name" },
      { key: "mem", label: "GPU memory", align: "right", priority: 2, kind: "number" },
      { key: "use", label: "Typical use", priority: 3, kind: "text" },
    ],
    rows,
  );
}

/** A GPU model's entry also lists the catalogue sizes that carry it. */
function gpuSizesParts(t: GlossaryTerm): Part[] {
  if (!t.gpuModels?.length) return [];
  const keys = new Set(t.gpuModels);
  const sizes = GPU_SIZES.filter((s) => keys.has(s.gpu.key));
  if (sizes.length === 0) return [text("No current Azure size carries it.")];
  const word = t.aliases[0] ?? t.id;
  return [sizesTable(sizes), text(`Where they are offered: \`where ${word}\`; what they cost per hour: \`where ${word}\` or \`skus <region> ${word}\`.`)];
}

/** "what GPU is in NC24ads_A100_v4", "how much GPU memory does … have": a size's facts from the catalogue. */
function sizeAnswer(size: GpuSize) {
  const short = shortSize(size.size);
  return reply(`${short}: ${gpuText(size)}`, [
    facts([
      { label: "GPU", value: `${size.gpu.vendor} ${size.gpu.name}` },
      { label: "GPUs per VM", value: gpusOf(size.gpus) },
      { label: "GPU memory", value: gpuMemText(size) },
      { label: "vCPUs", value: String(size.vcpus) },
      { label: "RAM", value: `${size.memoryGib} GiB` },
      { label: "Series / quota family", value: `${size.series}${size.family ? ` / ${size.family}` : ""}` },
      { label: "Status", value: formatStatus(size.status) },
      { label: "Typical use", value: size.use },
    ]),
    text(`Where it is offered and its list price: \`where ${short}\`.`),
  ]);
}

/** A size named anywhere in the question ("Standard_NC4as_T4_v3", "nc24ads a100 v4"). */
function sizeIn(question: string): GpuSize | undefined {
  const whole = findSize(question);
  if (whole) return whole;
  const words = question.split(/[\s?!,]+/).filter(Boolean);
  for (const w of words) if (/^(standard_)?n[a-z]{0,3}\d/i.test(w)) return findSize(w);
  return undefined;
}

/** "which VM uses the T4 GPU?" → the sizes carrying that GPU, from the catalogue. */
function gpuModelQuestion(question: string): ReturnType<typeof reply> | undefined {
  if (!/\b(which|what)\b.*\b(vm|vms|size|sizes|sku|skus|series|machine|machines)\b|\b(vm|vms|sizes?)\b.*\b(with|have|has|use|uses)\b/i.test(question)) return undefined;
  const words = question
    .toLowerCase()
    .replace(/[?!.,]/g, " ")
    .split(/\s+/)
    .filter(Boolean);
  for (let n = 2; n >= 1; n--) {
    for (let i = 0; i + n <= words.length; i++) {
      const phrase = words.slice(i, i + n).join(" ");
      if (phrase.length < 2 || /^(vm|vms|the|gpu|gpus|a|uses|use|which|what|size|sizes)$/.test(phrase)) continue;
      const models = findGpuModels(phrase);
      if (models.length === 0) continue;
      const keys = new Set(models.map((m) => m.key));
      const sizes = GPU_SIZES.filter((s) => keys.has(s.gpu.key));
      return reply(`Sizes with the ${models.map((m) => m.name).join(" / ")}`, [sizesTable(sizes), text(`See where they are offered: \`where ${phrase}\`.`)]);
    }
  }
  return undefined;
}

/** True for free questions about which sizes carry a GPU model, so the router sends them here. */
export function isGpuModelQuestion(question: string): boolean {
  return gpuModelQuestion(question.slice(0, 500)) !== undefined;
}

export function explain(question: string) {
  const q = question.trim();
  if (!q) return userError("missing_term", "Tell me which term to explain.", "explain PTU");
  const size = sizeIn(q.slice(0, 500));
  if (size) return sizeAnswer(size);
  const gpuAnswer = gpuModelQuestion(q);
  if (gpuAnswer) return gpuAnswer;
  const r = lookupTerm(q);
  switch (r.kind) {
    case "term":
      return reply(r.term.term, [...termParts(r.term), ...gpuSizesParts(r.term), ...(r.related.length ? [text(`Related: ${r.related.map((t) => t.term).join(", ")}`)] : [])]);
    case "comparison": {
      const [a, b] = r.terms;
      return reply(`${a.term} vs ${b.term}`, [text(a.term, "info"), ...termParts(a), text(b.term, "info"), ...termParts(b)]);
    }
    case "suggestions":
      return userError(
        "unknown_term",
        `I don't have "${r.query.slice(0, 60)}" in the glossary. Did you mean: ${r.suggestions.map((t) => t.term).join(", ")}?`,
        `explain ${r.suggestions[0]?.aliases[0] ?? "ptu"}`,
      );
    case "none":
      return userError("unknown_term", `I don't have "${r.query.slice(0, 60)}" in the glossary yet.`, "explain PTU");
  }
}

export const explainVerb: Verb = {
  name: "explain",
  usesAzure: false,
  summary: "Plain-words glossary of AI-infrastructure terms (PTU, TPM, ONNX, MIG, InfiniBand, …)",
  usage: "explain <term>",
  examples: ["explain PTU", "what is a PTU?", "TPM vs RPM", "explain t4", "a100 vs h100", "explain NC40ads_H100_v5", "which VM uses the T4 GPU?"],
  async run(args) {
    return explain(args.join(" "));
  },
};
