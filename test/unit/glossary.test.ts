import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { extractTermQuery, type GlossaryResult, isGlossaryQuestion, lookupTerm } from "../../src/domain/glossary.ts";
import { GLOSSARY } from "../../src/domain/glossary-terms.ts";

/** Same folding the lookup uses, to check alias collisions across terms. */
const fold = (s: string): string =>
  s
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/['’‘`´]/g, "")
    .replace(/[^\p{L}\p{N}]+/gu, " ")
    .trim();

function termId(r: GlossaryResult): string | undefined {
  return r.kind === "term" ? r.term.id : undefined;
}

/** Accept a confident term, or suggestions whose first entry is the expected term. */
function bestId(r: GlossaryResult): string | undefined {
  if (r.kind === "term") return r.term.id;
  if (r.kind === "suggestions") return r.suggestions[0]?.id;
  return undefined;
}

describe("glossary data", () => {
  const ids = GLOSSARY.map((t) => t.id);
  const idSet = new Set(ids);

  it("has at least 70 terms", () => {
    expect(GLOSSARY.length).toBeGreaterThanOrEqual(70);
  });

  it("has unique kebab-case ids", () => {
    expect(idSet.size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(?:-[a-z0-9]+)*$/);
  });

  it("only relates to existing, other terms, without duplicates", () => {
    for (const t of GLOSSARY) {
      expect(t.related.length, t.id).toBeGreaterThan(0);
      expect(new Set(t.related).size, t.id).toBe(t.related.length);
      for (const r of t.related) {
        expect(idSet.has(r), `${t.id} → ${r}`).toBe(true);
        expect(r, t.id).not.toBe(t.id);
      }
    }
  });

  it("has lower-case, trimmed, non-empty aliases", () => {
    for (const t of GLOSSARY) {
      expect(t.aliases.length, t.id).toBeGreaterThan(0);
      for (const a of t.aliases) {
        expect(a, t.id).toBe(a.toLowerCase());
        expect(a, t.id).toBe(a.trim());
        expect(a.length, t.id).toBeGreaterThan(0);
      }
    }
  });

  it("never gives two terms the same alias (after folding punctuation)", () => {
    const owner = new Map<string, string>();
    const clashes: string[] = [];
    for (const t of GLOSSARY) {
      for (const a of t.aliases) {
        const k = fold(a);
        const prev = owner.get(k);
        if (prev !== undefined && prev !== t.id) clashes.push(`${a}: ${prev} / ${t.id}`);
        owner.set(k, t.id);
      }
    }
    expect(clashes).toEqual([]);
  });

  it("has no empty or oversized text fields", () => {
    for (const t of GLOSSARY) {
      for (const field of [t.term, t.definition, t.whyInfraCares, t.azure] as const) {
        expect(field.trim().length, t.id).toBeGreaterThan(0);
        expect(field.length, t.id).toBeLessThan(420);
      }
      expect(t.definition, t.id).toMatch(/[.!?"]$/);
      expect(t.whyInfraCares, t.id).toMatch(/[.!?"]$/);
      expect(t.azure, t.id).toMatch(/[.!?"]$/);
    }
  });

  it("states the sourced Azure OpenAI capacity facts", () => {
    const byId = new Map(GLOSSARY.map((t) => [t.id, t]));
    const all = (id: string): string => {
      const t = byId.get(id);
      return t ? `${t.definition} ${t.whyInfraCares} ${t.azure}` : "";
    };
    expect(all("tpm")).toContain("1,000 TPM = 6 RPM");
    expect(all("tpm")).toMatch(/subscription × region × model × deployment type/);
    expect(all("ptu")).toMatch(/hourly per deployed PTU/);
    expect(all("ptu")).toMatch(/minimum 15 PTU, steps of 5/);
    expect(all("infiniband")).toMatch(/8×400 Gb\/s NDR InfiniBand/);
  });
});

describe("lookupTerm: must-include terms by plain name", () => {
  const cases: Array<[string, string]> = [
    ["AI", "ai"],
    ["artificial intelligence", "ai"],
    ["ML", "ml"],
    ["machine learning", "ml"],
    ["deep learning", "deep-learning"],
    ["DL", "deep-learning"],
    ["inference", "inference"],
    ["training", "training"],
    ["fine-tuning", "fine-tuning"],
    ["fine tuning", "fine-tuning"],
    ["GPU", "gpu"],
    ["TPU", "tpu"],
    ["vGPU", "vgpu"],
    ["LLM", "llm"],
    ["MLOps", "mlops"],
    ["CUDA", "cuda"],
    ["ONNX", "onnx"],
    ["TPM", "tpm"],
    ["tokens per minute", "tpm"],
    ["RPM", "rpm"],
    ["requests per minute", "rpm"],
    ["PTU", "ptu"],
    ["provisioned throughput unit", "ptu"],
    ["AKS", "aks"],
    ["InfiniBand", "infiniband"],
    ["RDMA", "rdma"],
    ["NVLink", "nvlink"],
    ["MIG", "mig"],
    ["multi-instance GPU", "mig"],
    ["DCGM", "dcgm"],
    ["NVMe", "nvme"],
    ["data lake", "data-lake"],
    ["Private Link", "private-link"],
    ["VNet", "vnet"],
    ["quantization", "quantization"],
    ["tokens", "tokens"],
    ["batch size", "batch-size"],
    ["latency", "latency"],
    ["throughput", "throughput"],
    // others from the brief
    ["HBM", "hbm"],
    ["GPU memory", "hbm"],
    ["FLOPS", "flops"],
    ["tensor cores", "tensor-cores"],
    ["mixed precision", "mixed-precision"],
    ["BF16", "mixed-precision"],
    ["KV cache", "kv-cache"],
    ["context window", "context-window"],
    ["embeddings", "embeddings"],
    ["vector database", "vector-database"],
    ["RAG", "rag"],
    ["prompt", "prompt"],
    ["temperature", "temperature"],
    ["model parallelism", "model-parallelism"],
    ["data parallelism", "data-parallelism"],
    ["distributed training", "distributed-training"],
    ["checkpoint", "checkpoint"],
    ["epoch", "epoch"],
    ["gradient", "gradient"],
    ["hyperparameter", "hyperparameter"],
    ["LoRA", "lora"],
    ["RLHF", "rlhf"],
    ["transformer", "transformer"],
    ["foundation model", "foundation-model"],
    ["SLM", "slm"],
    ["Azure OpenAI", "azure-openai"],
    ["Azure AI Foundry", "azure-ai-foundry"],
    ["Azure Machine Learning", "azure-machine-learning"],
    ["spot VM", "spot-vm"],
    ["reserved instance", "reserved-instance"],
    ["savings plan", "savings-plan"],
    ["quota", "quota"],
    ["vCPU quota family", "vcpu-quota-family"],
    ["SKU", "sku"],
    ["availability zone", "availability-zone"],
    ["accelerated networking", "accelerated-networking"],
    ["GPUDirect RDMA", "gpudirect-rdma"],
    ["NCCL", "nccl"],
    ["Triton inference server", "triton-inference-server"],
    ["vLLM", "vllm"],
    ["Kubernetes device plugin", "device-plugin"],
    ["NVIDIA GPU Operator", "gpu-operator"],
    ["node pool", "node-pool"],
    ["autoscaling", "autoscaling"],
    ["cold start", "cold-start"],
    ["throughput units", "ptu"],
    ["confidential computing", "confidential-computing"],
    ["SR-IOV", "sr-iov"],
    ["idle GPU", "idle-gpu"],
    ["utilisation", "utilization"],
    ["utilization", "utilization"],
    ["TCO", "tco"],
    ["chargeback", "chargeback"],
    ["showback", "chargeback"],
    ["FinOps", "finops"],
    ["egress", "egress"],
    ["Blob storage", "blob-storage"],
    ["ADLS Gen2", "adls-gen2"],
    ["model registry", "model-registry"],
    ["MLflow", "mlflow"],
    ["ND-series", "nd-series"],
    ["NC-series", "nc-series"],
    ["NV-series", "nv-series"],
  ];

  it.each(cases)("%s → %s", (query, id) => {
    const r = lookupTerm(query);
    expect(r.kind).toBe("term");
    expect(termId(r)).toBe(id);
  });

  it("finds every term by its id and by every alias", () => {
    for (const t of GLOSSARY) {
      expect(termId(lookupTerm(t.id)), t.id).toBe(t.id);
      for (const a of t.aliases) expect(termId(lookupTerm(a)), `${t.id} / ${a}`).toBe(t.id);
    }
  });

  it("returns the related terms resolved", () => {
    const r = lookupTerm("PTU");
    expect(r.kind).toBe("term");
    if (r.kind !== "term") return;
    expect(r.related.map((t) => t.id)).toEqual(r.term.related);
  });
});

describe("lookupTerm: question phrasing", () => {
  const cases: Array<[string, string]> = [
    ["what is a PTU?", "ptu"],
    ["What's MIG", "mig"],
    ["What’s MIG?", "mig"],
    ["whats an LLM", "llm"],
    ["explain rdma", "rdma"],
    ["define data lake", "data-lake"],
    ["define: PTU", "ptu"],
    ["private link", "private-link"],
    ["what does MIG mean", "mig"],
    ["what does PTU stand for?", "ptu"],
    ["Tell me about the InfiniBand", "infiniband"],
    ["meaning of tokens", "tokens"],
    ["What are LLMs?", "llm"],
    ["what are spot VMs?", "spot-vm"],
    ["How does NVLink work?", "nvlink"],
    ["what is the latency", "latency"],
    ["can you explain quantization please", "quantization"],
    ["<@U123ABC> what is a PTU?", "ptu"],
    ["  EXPLAIN   nvme!!! ", "nvme"],
    ["what is an idle gpu", "idle-gpu"],
    ["what is ND96isr_H100_v5", "nd-series"],
  ];

  it.each(cases)("%s → %s", (query, id) => {
    expect(termId(lookupTerm(query))).toBe(id);
  });
});

describe("lookupTerm: typos", () => {
  const strict: Array<[string, string]> = [
    ["infinband", "infiniband"],
    ["infiniband", "infiniband"],
    ["quantisation", "quantization"],
    ["quantizaton", "quantization"],
    ["nvlnk", "nvlink"],
    ["onxx", "onnx"],
    ["cdua", "cuda"],
    ["kubernets", "kubernetes"],
    ["what is infinband?", "infiniband"],
    ["explain hyperparamter", "hyperparameter"],
    ["deep lerning", "deep-learning"],
    ["private lnik", "private-link"],
  ];

  it.each(strict)("%s → %s (confident)", (query, id) => {
    const r = lookupTerm(query);
    expect(r.kind).toBe("term");
    expect(termId(r)).toBe(id);
  });

  it.each([
    ["infinband switch", "infiniband"],
    ["quant", "quantization"],
    ["ptu pricing", "ptu"],
  ])("%s → %s (term or first suggestion)", (query, id) => {
    expect(bestId(lookupTerm(query))).toBe(id);
  });
});

describe("lookupTerm: comparisons", () => {
  const cases: Array<[string, string, string]> = [
    ["TPM vs RPM", "tpm", "rpm"],
    ["tpm vs. rpm?", "tpm", "rpm"],
    ["latency vs throughput", "latency", "throughput"],
    ["latency versus throughput", "latency", "throughput"],
    ["training or inference", "training", "inference"],
    ["what's the difference between TPM and RPM?", "tpm", "rpm"],
    ["reserved instance versus savings plan", "reserved-instance", "savings-plan"],
    ["MIG or vGPU?", "mig", "vgpu"],
    ["explain ptu vs tpm", "ptu", "tpm"],
    ["infinband vs nvlink", "infiniband", "nvlink"],
  ];

  it.each(cases)("%s → %s + %s", (query, a, b) => {
    const r = lookupTerm(query);
    expect(r.kind).toBe("comparison");
    if (r.kind !== "comparison") return;
    expect(r.terms.map((t) => t.id)).toEqual([a, b]);
  });

  it("does not compare a term with itself", () => {
    expect(lookupTerm("spot vs low priority").kind).not.toBe("comparison");
  });
});

describe("lookupTerm: nothing confident", () => {
  it.each(["xqzv blorp", "asdfghjkl", "zzzz", "qwerty", "what is the weather in paris", "tell me a joke", "why is my job slow"])("%s → none or suggestions", (query) => {
    const r = lookupTerm(query);
    expect(["none", "suggestions"]).toContain(r.kind);
  });

  it("never answers gibberish with a confident term", () => {
    expect(lookupTerm("xqzv blorp").kind).not.toBe("term");
    expect(lookupTerm("what is love").kind).not.toBe("term");
    expect(lookupTerm("scaling").kind).not.toBe("term");
  });

  it("handles empty and filler-only questions", () => {
    for (const q of ["", "   ", "?", "what is", "explain", "what is a?", "\u0000\u0007\n\t"]) {
      expect(lookupTerm(q).kind, JSON.stringify(q)).toBe("none");
    }
  });

  it("returns at most 3 suggestions, with the cleaned query", () => {
    const r = lookupTerm("show me H100 prices in eastus");
    if (r.kind === "suggestions") {
      expect(r.suggestions.length).toBeLessThanOrEqual(3);
      expect(r.query).toBe("show me h100 prices in eastus");
    } else {
      expect(r.kind).toBe("none");
    }
  });
});

describe("extractTermQuery", () => {
  it.each([
    ["What's a PTU?", "ptu"],
    ["what is an LLM", "llm"],
    ["what does MIG mean?", "mig"],
    ["Tell me about the InfiniBand", "infiniband"],
    ["explain   RDMA!!", "rdma"],
    ["define data lake", "data lake"],
    ["meaning of tokens", "tokens"],
    ["what's the difference between TPM and RPM?", "tpm and rpm"],
    ["fine-tuning", "fine tuning"],
    ["", ""],
  ])("%j → %j", (q, expected) => {
    expect(extractTermQuery(q)).toBe(expected);
  });

  it("caps very long input", () => {
    expect(extractTermQuery("a".repeat(10_000)).length).toBeLessThanOrEqual(200);
  });
});

describe("isGlossaryQuestion", () => {
  it.each([
    "what is a PTU?",
    "TPM vs RPM",
    "what does MIG mean",
    "What's MIG",
    "explain rdma",
    "define data lake",
    "How does NVLink work?",
    "InfiniBand?",
    "MIG or vGPU?",
    "what's the difference between TPM and RPM?",
    "what is infinband",
  ])("%s → true", (q) => {
    expect(isGlossaryQuestion(q)).toBe(true);
  });

  it.each([
    "",
    "hello",
    "show me H100 prices in eastus",
    "what is my quota in eastus",
    "what's the TPM for gpt-4o",
    "list idle gpus",
    "are there any idle gpus?",
    "xqzv blorp?",
    "what is the weather in paris",
    "ptu",
    "gpu",
  ])("%j → false", (q) => {
    expect(isGlossaryQuestion(q)).toBe(false);
  });
});

describe("robustness", () => {
  it("never throws on arbitrary strings", () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const r = lookupTerm(s);
        expect(["term", "comparison", "suggestions", "none"]).toContain(r.kind);
        expect(typeof isGlossaryQuestion(s)).toBe("boolean");
        expect(typeof extractTermQuery(s)).toBe("string");
      }),
      { numRuns: 300 },
    );
  });

  // fast-check v4 replaced fullUnicodeString() with string({ unit: "binary" }) (any code point).
  it("never throws on full-unicode strings up to 5000 chars", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 5000 }), (s) => {
        lookupTerm(s);
        isGlossaryQuestion(s);
        extractTermQuery(s);
      }),
      { numRuns: 300 },
    );
  });

  it("never throws on glossary-shaped noise", () => {
    const word = fc.constantFrom("what", "is", "a", "vs", "or", "and", "the", "ptu", "tpm", "gpu", "?", "explain", "infinband", "…", "🚀", "\u0000");
    fc.assert(
      fc.property(fc.array(word, { maxLength: 60 }), (ws) => {
        const s = ws.join(" ");
        lookupTerm(s);
        isGlossaryQuestion(s);
      }),
      { numRuns: 300 },
    );
  });

  it("handles huge, control-character and lone-surrogate input quickly", () => {
    const inputs = [
      "x".repeat(10_000),
      "what is ".repeat(2_000),
      "ptu vs ".repeat(2_000),
      `what is a PTU?${"\u0000".repeat(5_000)}`,
      "\uD800\uDC00\uD800".repeat(3_000),
      "ǅ̴̡̛̛̗̳̘̭̮̗̭̹̔̉̓̂̃".repeat(500),
      undefined as unknown as string,
      null as unknown as string,
      42 as unknown as string,
    ];
    const start = performance.now();
    for (const s of inputs) {
      expect(() => lookupTerm(s)).not.toThrow();
      expect(() => isGlossaryQuestion(s)).not.toThrow();
      expect(() => extractTermQuery(s)).not.toThrow();
    }
    expect(performance.now() - start).toBeLessThan(2_000);
  });
});
