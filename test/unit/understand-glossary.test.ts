// The glossary side of plain questions: an entry per catalogue GPU model tied to its sizes,
// "X vs Y" for any two entries, vCPU as its own term, and size questions from the catalogue.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { explain } from "../../src/commands/explain.ts";
import { lookupTerm } from "../../src/domain/glossary.ts";
import { GLOSSARY } from "../../src/domain/glossary-terms.ts";
import { GPU_MODELS, GPU_SIZES } from "../../src/domain/gpu-catalogue.ts";
import type { TablePart } from "../../src/reply/reply.ts";

const gpuEntries = GLOSSARY.filter((t) => t.gpuModels?.length);

describe("GPU models in the glossary", () => {
  it("has an entry for every GPU model in the catalogue, naming only real model keys", () => {
    const covered = new Set(gpuEntries.flatMap((t) => t.gpuModels ?? []));
    for (const m of GPU_MODELS) expect(covered, m.key).toContain(m.key);
    for (const k of covered) expect(GPU_MODELS.map((m) => m.key)).toContain(k);
  });

  it("lists the sizes that carry the model with each entry, straight from the catalogue", () => {
    for (const t of gpuEntries) {
      const r = explain(t.aliases[0] as string);
      expect(r.title, t.id).toBe(t.term);
      const sizes = GPU_SIZES.filter((s) => t.gpuModels?.includes(s.gpu.key)).map((s) => s.size.replace(/^Standard_/, ""));
      const table = r.parts.find((p): p is TablePart => p.kind === "table");
      if (sizes.length === 0) expect(table, t.id).toBeUndefined();
      else
        expect(
          table?.rows.map((row) => row.size),
          t.id,
        ).toEqual(sizes);
    }
  });

  it('compares any two entries ("X vs Y")', () => {
    fc.assert(
      fc.property(fc.constantFrom(...GLOSSARY), fc.constantFrom(...GLOSSARY), fc.constantFrom("vs", "versus", "compared to"), (a, b, sep) => {
        fc.pre(a.id !== b.id);
        const r = lookupTerm(`${a.id} ${sep} ${b.id}`);
        expect(r.kind).toBe("comparison");
        if (r.kind === "comparison") expect(r.terms.map((t) => t.id)).toEqual([a.id, b.id]);
      }),
      { numRuns: 500 },
    );
  });

  it("explains vCPU as vCPU, not vGPU", () => {
    expect(explain("vCPU").title).toBe("vCPU (virtual CPU)");
    expect(explain("vcpus").title).toBe("vCPU (virtual CPU)");
    expect(explain("vGPU").title).toBe("vGPU (virtual GPU)");
  });

  it("answers a size's GPU model, count and memory from the catalogue", () => {
    for (const s of GPU_SIZES) {
      const short = s.size.replace(/^Standard_/, "");
      const r = explain(`how much GPU memory does ${short} have`);
      expect(r.title, short).toContain(short);
      const facts = r.parts.find((p) => p.kind === "facts");
      expect(JSON.stringify(facts), short).toContain(`"value":"${s.gpuMemoryGb} GB"`);
      expect(JSON.stringify(facts), short).toContain(s.gpu.name);
    }
  });
});
