/** Reply → plain text (CLI, logs) and → JSON (`--json`, APIs). Tables become aligned columns. */
import type { Part, Reply, TablePart } from "../reply/reply.ts";

const width = (s: string) => [...s].length;
const pad = (s: string, n: number, right: boolean) => (right ? " ".repeat(Math.max(0, n - width(s))) + s : s + " ".repeat(Math.max(0, n - width(s))));

export function renderTable(t: TablePart): string {
  const widths = t.columns.map((c) => Math.max(width(c.label), ...t.rows.map((r) => width(r[c.key] ?? ""))));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => pad(cell, widths[i] ?? 0, t.columns[i]?.align === "right"))
      .join("  ")
      .trimEnd();
  const out = [line(t.columns.map((c) => c.label)), widths.map((w) => "-".repeat(w)).join("  ")];
  for (const r of t.rows) out.push(line(t.columns.map((c) => r[c.key] ?? "")));
  return [t.title, ...out].filter((x) => x !== undefined).join("\n");
}

function renderPart(p: Part): string {
  switch (p.kind) {
    case "text":
      return p.tone === "error" ? `Error: ${p.text}` : p.tone === "warning" ? `Warning: ${p.text}` : p.text;
    case "facts":
      return p.facts.map((f) => `${f.label}: ${f.value}`).join("\n");
    case "table":
      return renderTable(p);
    case "image":
      return `[chart: ${p.alt}${p.url ? ` ${p.url}` : ""}]`;
    case "actions":
      return p.actions.length ? `Actions: ${p.actions.map((a) => a.label).join(" | ")}` : "";
  }
}

export function renderText(reply: Reply): string {
  const parts = reply.parts.map(renderPart).filter((s) => s.length > 0);
  const context = reply.context.map((c) => `· ${c}`);
  return [reply.title, "=".repeat(Math.min(80, width(reply.title))), ...parts.flatMap((p) => [p, ""]), ...context].join("\n").trimEnd();
}

/**
 * The Reply as JSON, its `data` (numbers as numbers, documented keys) near the top so scripts find
 * it first; the formatted parts follow for readers and chat renderers.
 */
export function renderJson(reply: Reply): string {
  const { title, outcome, code, data, context, parts, attachment } = reply;
  return JSON.stringify({ title, outcome, code, data, context, parts, attachment }, null, 2);
}
