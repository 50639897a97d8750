/**
 * A card as tests read it: a RichTextBlock inline written as a plain string is a TextRun with no
 * properties (the Adaptive Cards schema's shorthand, which gpuops uses for table cells to keep cards
 * small), so helpers that look for TextRuns see every run either way.
 */
export function withTextRuns<T>(card: T): T {
  const expand = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(expand);
    if (!node || typeof node !== "object") return node;
    const o = node as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(o)) {
      out[k] = o.type === "RichTextBlock" && k === "inlines" && Array.isArray(v) ? v.map((i) => (typeof i === "string" ? { type: "TextRun", text: i } : expand(i))) : expand(v);
    }
    return out;
  };
  return expand(card) as T;
}
