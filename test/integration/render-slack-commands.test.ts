/**
 * Every command's real answer (demo tenant, real Azure SDK clients) rendered for Slack: the main
 * table is a native table block inside Slack's table limits (100 rows, 20 cells a row, one table
 * per message), and every code-block line, where a table block cannot be used, is at most 70
 * characters wide so a phone shows it without wrapping.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CODE_LINE_WIDTH, checkSlackLimits, renderSlack, SLACK_TABLE_LIMITS, wideCodeLines } from "../../src/render/slack.ts";
import type { Reply } from "../../src/reply/reply.ts";
import { cliRequest, type DemoHarness, startDemoApp } from "../support/demo-app.ts";
import { runCommand, verbs } from "../support/router.ts";

const COMMANDS = [
  "idle",
  "running",
  "quota",
  "quota westus",
  "where h100",
  "where a100 8",
  "skus",
  "skus swedencentral a100",
  "cost 7d",
  "cost 30d by size",
  "help",
  "explain a100",
  "status",
];

describe("Slack rendering of every command: native tables and phone-width code", () => {
  let h: DemoHarness;
  const answers = new Map<string, Reply>();
  beforeAll(async () => {
    h = await startDemoApp({ withStore: true });
    const texts = [...new Set([...COMMANDS, ...verbs().flatMap((v) => v.examples)])];
    for (const t of texts) answers.set(t, await runCommand(cliRequest(t), h.app.context()));
  }, 120_000);
  afterAll(async () => {
    await h?.close();
  });

  it("the main table of every answer is one table block within Slack's limits", () => {
    let tablesSeen = 0;
    for (const [t, r] of answers) {
      const m = renderSlack(r);
      expect(checkSlackLimits(m), t).toEqual([]);
      const tables = m.blocks.filter((b) => b.type === "table");
      const withRows = r.parts.filter((p) => p.kind === "table" && p.rows.length > 0).length;
      expect(tables.length, t).toBe(Math.min(1, withRows));
      for (const b of tables) {
        if (b.type !== "table") continue;
        tablesSeen += 1;
        expect(b.rows.length, t).toBeLessThanOrEqual(SLACK_TABLE_LIMITS.rows);
        for (const row of b.rows) expect(row.length, t).toBeLessThanOrEqual(SLACK_TABLE_LIMITS.cells);
        expect(b.column_settings?.length, t).toBe(b.rows[0]?.length);
      }
    }
    expect(tablesSeen).toBeGreaterThan(8);
  });

  it("money, sizes and dates never wrap in a table block; only sentence columns do", () => {
    const idle = renderSlack(answers.get("idle") as Reply);
    const table = idle.blocks.find((b) => b.type === "table");
    if (table?.type !== "table") throw new Error("idle has no table block");
    const header = table.rows[0]?.map((c) => (c.type === "rich_text" ? JSON.stringify(c) : c.type === "raw_text" ? c.text : "")) ?? [];
    const settings = table.column_settings ?? [];
    const col = (label: string) => header.findIndex((h) => h.includes(`"${label}"`));
    for (const label of ["Burnt so far", "Per day", "Size", "Idle since"]) expect(settings[col(label)]?.is_wrapped, label).toBe(false);
    expect(settings[col("Burnt so far")]?.align).toBe("right");
  });

  it("every code-block line is at most 70 characters, with or without table blocks", () => {
    const widest: string[] = [];
    for (const [t, r] of answers) {
      for (const nativeTable of [true, false]) {
        const m = renderSlack(r, { nativeTable });
        expect(checkSlackLimits(m), t).toEqual([]);
        expect(wideCodeLines(m), `${t} (nativeTable ${nativeTable})`).toEqual([]);
        if (!nativeTable)
          widest.push(
            `${t}: ${Math.max(0, ...m.blocks.flatMap((b) => (b.type === "section" && b.text?.text.startsWith("```") ? b.text.text.split("\n").map((l) => l.replace(/```/g, "").length) : [])))}`,
          );
      }
    }
    mkdirSync("test-artifacts", { recursive: true });
    writeFileSync("test-artifacts/slack-code-widths.txt", `${widest.join("\n")}\n`);
    expect(CODE_LINE_WIDTH).toBe(70);
  });

  it("a code table on a phone keeps the columns that matter and says which it left out", () => {
    const m = renderSlack(answers.get("idle") as Reply, { nativeTable: false });
    const text = JSON.stringify(m.blocks);
    const code = m.blocks.find((b) => b.type === "section" && b.text?.text.startsWith("```"));
    const head = code?.type === "section" ? (code.text?.text.split("\n")[0] ?? "") : "";
    for (const label of ["VM / node", "Size", "Burnt so far"]) expect(head).toContain(label);
    expect(text).toMatch(/Left out to fit a phone: [^"]*Resource group · region/);
  });
});
