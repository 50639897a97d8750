/**
 * Every command's real answer (from the demo tenant over the real Azure SDK clients), rendered
 * for Slack, stays inside Block Kit's limits and the escaping rule, including the longest
 * answer (`skus` across all regions), error answers and Azure failures.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSlackLimits, renderSlack } from "../../src/render/slack.ts";
import type { Reply, TablePart } from "../../src/reply/reply.ts";
import { cliRequest, type DemoHarness, startDemoApp } from "../support/demo-app.ts";
import { runCommand, verbs } from "../support/router.ts";

const FIXED = [
  "",
  "help",
  "help skus",
  "skus",
  "skus swedencentral",
  "skus swedencentral a100",
  "skus eastus",
  "skus westus2 h100",
  "where h100",
  "where a100 8",
  "where NC24ads_A100_v4",
  "quota",
  "quota westus",
  "quota westus a100",
  "explain PTU",
  "what is a PTU?",
  "explain florbglorp",
  "skus narnia",
  "frobnicate the gpus",
  "where",
  `skus ${"x".repeat(3000)}`,
  `explain ${"<!channel> ".repeat(400)}`,
];

function check(label: string, r: Reply) {
  const m = renderSlack(r, { extraActions: [{ verb: "share", label: "Share in channel", payload: { command: label.slice(0, 300) } }] });
  const problems = checkSlackLimits(m);
  expect(problems, `${label}: ${problems.join("; ")}`).toEqual([]);
  return m;
}

describe("Slack rendering of every command stays inside Block Kit limits", () => {
  let h: DemoHarness;
  beforeAll(async () => {
    h = await startDemoApp();
  });
  afterAll(async () => {
    await h.close();
  });

  it("fixed list plus every example of every registered verb", async () => {
    const texts = [...FIXED, ...verbs().flatMap((v) => v.examples), ...verbs().map((v) => `help ${v.name}`)];
    for (const t of texts) check(t, await runCommand(cliRequest(t), h.app.context()));
    // Generous: other verbs' examples wait out the fake Azure's throttling on purpose.
  }, 90_000);

  it("the longest answer (skus in every region) is cut with 'N more — narrow with …' and the count adds up", async () => {
    const r = await runCommand(cliRequest("skus"), h.app.context());
    const rows = (r.parts.find((p) => p.kind === "table") as TablePart).rows.length;
    const m = check("skus", r);
    const json = JSON.stringify(m.blocks);
    // The main table is a native table block: its rows less the header row.
    const shown = m.blocks.reduce((n, b) => n + (b.type === "table" ? b.rows.length - 1 : 0), 0);
    const more = /(\d+) more — narrow with `skus &lt;region&gt; &lt;gpu&gt;`/.exec(json);
    expect(rows).toBeGreaterThan(60);
    expect(more, json.slice(-400)).not.toBeNull();
    expect(shown + Number(more?.[1])).toBe(rows);
    // Each row now names its subscriptions too, so fewer fit Slack's limits than before.
    expect(shown).toBeGreaterThanOrEqual(15);
  });

  it("Azure failures (throttling everywhere, one region down) render within limits", async () => {
    h.fake.addFault({ match: "/skus", status: 429, headers: { "retry-after": "60" } });
    h.fake.addFault({ match: "/usages", status: 500 });
    for (const t of ["skus eastus2", "quota eastus2", "where h200", "skus"]) check(`fault: ${t}`, await runCommand(cliRequest(t), h.app.context()));
    h.fake.clearFaults();
  });
});
