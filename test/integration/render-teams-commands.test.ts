/**
 * Every command's real answer (demo tenant, real Azure SDK clients) as an Adaptive Card: well
 * under the 28 KB budget by design (rows shown are capped, the rest said, never cut by size),
 * money, sizes and dates in fixed-width columns that hold them on one line, a narrow variant
 * (targetWidth) with the columns that matter most, and error cards whose fallbackText says why.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CARD_DESIGN_BYTES, CARD_ROWS, cardBytes, renderAdaptiveCard, TEAMS_CARD_MAX_BYTES } from "../../src/render/teams.ts";
import type { Reply, TablePart } from "../../src/reply/reply.ts";
import { cliRequest, type DemoHarness, startDemoApp } from "../support/demo-app.ts";
import { runCommand, verbs } from "../support/router.ts";
import { validateAdaptiveCard } from "../support/validate-adaptive-card.ts";

const COMMANDS = ["idle", "running", "quota", "where h100", "where a100 8", "skus", "cost 7d", "help", "status", "skus narnia", "frobnicate the gpus"];
/** "Well under" the 28 KB budget: room for Teams' own envelope and a growing tenant. */
const DESIGN_BYTES = CARD_DESIGN_BYTES;

function nodes(node: unknown, out: Array<Record<string, unknown>> = []): Array<Record<string, unknown>> {
  if (Array.isArray(node)) for (const n of node) nodes(n, out);
  else if (node && typeof node === "object") {
    const o = node as Record<string, unknown>;
    if (typeof o.type === "string") out.push(o);
    for (const v of Object.values(o)) nodes(v, out);
  }
  return out;
}

describe("Adaptive Cards of every command", () => {
  let h: DemoHarness;
  const answers = new Map<string, Reply>();
  beforeAll(async () => {
    h = await startDemoApp({ withStore: true });
    for (const t of [...new Set([...COMMANDS, ...verbs().flatMap((v) => v.examples)])]) answers.set(t, await runCommand(cliRequest(t), h.app.context()));
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it("are valid 1.5 cards well under the 28 KB budget, without cutting rows for size", () => {
    const sizes: string[] = [];
    for (const [t, r] of answers) {
      const card = renderAdaptiveCard(r);
      expect(validateAdaptiveCard(card), t).toEqual([]);
      const bytes = cardBytes(card);
      sizes.push(`${t}: ${bytes}`);
      expect(bytes, t).toBeLessThanOrEqual(DESIGN_BYTES);
      // Rows hidden are said, with how many.
      for (const p of r.parts) {
        if (p.kind !== "table" || p.rows.length <= CARD_ROWS) continue;
        expect(JSON.stringify(card), t).toMatch(/\d+ more rows/);
      }
    }
    mkdirSync("test-artifacts", { recursive: true });
    writeFileSync("test-artifacts/teams-card-bytes.txt", `${sizes.join("\n")}\n`);
    expect(DESIGN_BYTES).toBeLessThan(TEAMS_CARD_MAX_BYTES);
  });

  it("money, sizes and dates get fixed pixel widths; the narrow variant keeps the columns that matter", () => {
    const idle = answers.get("idle") as Reply;
    const t = idle.parts.find((p): p is TablePart => p.kind === "table") as TablePart;
    const card = renderAdaptiveCard(idle);
    const tables = nodes(card).filter((n) => n.type === "Table");
    const wide = tables.find((n) => n.targetWidth === "atLeast:standard") as { columns: Array<{ width: number | string }>; rows: unknown[] };
    expect(wide).toBeDefined();
    const headerRuns = nodes(wide.rows[0]).filter((n) => n.type === "TextRun");
    const labels = headerRuns.map((n) => n.text as string);
    expect(labels.length).toBe(wide.columns.length);
    // The columns that matter least go first when the table is wider than a full-width card.
    for (const c of t.columns) if (!labels.includes(c.label)) expect(c.priority, c.label).toBe(3);
    labels.forEach((label, i) => {
      const c = t.columns.find((x) => x.label === label);
      const w = String(wide.columns[i]?.width);
      expect(w, label).toMatch(/^\d+px$/);
      // A money, size or date column holds its longest value on one line (at least 7 px a character).
      if (c && (c.kind === "money" || c.kind === "size" || c.kind === "date")) {
        const longest = Math.max(...t.rows.slice(0, CARD_ROWS).map((r) => (r[c.key] ?? "").length));
        expect(Number(w.replace("px", "")), label).toBeGreaterThanOrEqual(longest * 7);
      }
    });
    const narrow = nodes(card).filter((n) => n.targetWidth === "atMost:narrow");
    expect(narrow).toHaveLength(1);
    const narrowText = JSON.stringify(narrow);
    for (const label of ["Burnt so far", "Size"]) expect(narrowText).toContain(label);
    expect(narrowText).not.toContain("Resource group · region");
  });

  it("error cards carry the reason in fallbackText", () => {
    for (const t of ["skus narnia", "frobnicate the gpus"]) {
      const r = answers.get(t) ?? undefined;
      if (!r) continue;
      const card = renderAdaptiveCard(r) as unknown as { fallbackText: string };
      expect(card.fallbackText).not.toBe("That didn't work");
      expect(card.fallbackText.length).toBeGreaterThan(15);
    }
  });
});
