import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { cardBytes, renderAdaptiveCard, TEAMS_CARD_MAX_BYTES } from "../../src/render/teams.ts";
import { type Reply, reply, table, text } from "../../src/reply/reply.ts";
import { withTextRuns } from "../support/card-inlines.ts";
import { validateAdaptiveCard } from "../support/validate-adaptive-card.ts";

/** Every element of a card, depth first. */
function nodes(card: unknown, out: Array<Record<string, unknown>> = []): Array<Record<string, unknown>> {
  const node = withTextRuns(card);
  if (Array.isArray(node)) for (const n of node) nodes(n, out);
  else if (node && typeof node === "object") {
    const o = node as Record<string, unknown>;
    if (typeof o.type === "string") out.push(o);
    for (const v of Object.values(o)) nodes(v, out);
  }
  return out;
}
const runs = (card: unknown) => nodes(card).filter((n) => n.type === "TextRun");
const runTexts = (card: unknown) => runs(card).map((n) => n.text as string);

const cols = [
  { key: "size", label: "Size" },
  { key: "gpus", label: "GPUs", align: "right" as const },
];

describe("renderAdaptiveCard", () => {
  it("puts user text only in TextRuns (never markdown), verbatim, in a card the official library accepts", () => {
    // Anything a user could type, including markdown links, mentions, HTML and template syntax.
    const hostile = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.constantFrom(
        "[click](https://evil.example)",
        "<at>everyone</at>",
        "**bold** _it_ `code`",
        "$" + "{title}",
        "$" + "{$root}",
        "<script>x</script>",
        "- item\n1. item",
        "&lt;b&gt;",
      ),
    );
    fc.assert(
      fc.property(hostile, hostile, hostile, (a, b, c) => {
        const r = reply(a, [text(b), { kind: "facts", facts: [{ label: "Reason", value: c }] }, table(cols, [{ size: b, gpus: c }])], { context: [a] });
        const card = renderAdaptiveCard(r);
        const all = runTexts(card);
        expect(all).toContain(a);
        for (const line of b.split(/\r?\n/)) expect(all).toContain(line);
        expect(all).toContain(c);
        // No element that interprets markdown carries anything.
        expect(nodes(card).filter((n) => n.type === "TextBlock" || n.type === "FactSet")).toEqual([]);
        expect(validateAdaptiveCard(card)).toEqual([]);
      }),
      { numRuns: 60 },
    );
  });

  it("leaves no template placeholder behind when the data has none", () => {
    const r = reply("GPU quota in westus", [text("hello", "warning"), table(cols, [{ size: "NC24ads_A100_v4", gpus: "1" }], { title: "Sizes" })], { context: ["Demo data."] });
    expect(JSON.stringify(renderAdaptiveCard(r))).not.toContain("$" + "{");
  });

  it("colours by tone and outcome", () => {
    const card = renderAdaptiveCard({ ...reply("Azure did not answer", [text("throttled", "error")]), outcome: "azure_error" });
    const [title, body] = runs(card);
    expect(title).toMatchObject({ text: "Azure did not answer", color: "Attention", weight: "Bolder", size: "Large" });
    expect(body).toMatchObject({ text: "throttled", color: "Attention" });
  });

  it("renders buttons as Action.Execute with {verb, payload} data and an Action.Submit fallback", () => {
    const card = renderAdaptiveCard(
      reply("Request 42", [
        {
          kind: "actions",
          actions: [
            { verb: "request.approve", label: "Approve", style: "primary", payload: { id: 42 } },
            { verb: "request.deny", label: "Deny", style: "danger", payload: { id: 42 } },
          ],
        },
      ]),
    );
    const executes = nodes(card).filter((n) => n.type === "Action.Execute");
    expect(executes).toEqual([
      {
        type: "Action.Execute",
        title: "Approve",
        verb: "request.approve",
        style: "positive",
        data: { verb: "request.approve", payload: { id: 42 } },
        fallback: { type: "Action.Submit", title: "Approve", style: "positive", data: { verb: "request.approve", payload: { id: 42 } } },
      },
      {
        type: "Action.Execute",
        title: "Deny",
        verb: "request.deny",
        style: "destructive",
        data: { verb: "request.deny", payload: { id: 42 } },
        fallback: { type: "Action.Submit", title: "Deny", style: "destructive", data: { verb: "request.deny", payload: { id: 42 } } },
      },
    ]);
    expect(validateAdaptiveCard(card)).toEqual([]);
  });

  it("cuts long tables to the budget and says how many rows are hidden and how to narrow", () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({ size: `Standard_NC${i}ads_A100_v4 with a long description`, gpus: String(i % 8) }));
    const card = renderAdaptiveCard(reply("All sizes", [table(cols, rows, { narrowHint: "skus <region> <gpu>" })]), { maxBytes: 12_000 });
    expect(cardBytes(card)).toBeLessThanOrEqual(12_000);
    const tableRows = ((nodes(card).find((n) => n.type === "Table")?.rows ?? []) as unknown[]).length - 1;
    expect(tableRows).toBeGreaterThan(0);
    const note = runTexts(card).find((t) => t.includes("more rows"));
    expect(note).toBe(`${500 - tableRows} more rows — narrow with: skus <region> <gpu>`);
    expect(validateAdaptiveCard(card)).toEqual([]);
  });

  it("keeps every card under the Teams budget whatever the table size", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 400 }), fc.integer({ min: 1, max: 120 }), (n, width) => {
        const rows = Array.from({ length: n }, (_, i) => ({ size: "x".repeat(width), gpus: String(i) }));
        const card = renderAdaptiveCard(reply("Sizes", [table(cols, rows, { narrowHint: "skus eastus" })]));
        expect(cardBytes(card)).toBeLessThanOrEqual(TEAMS_CARD_MAX_BYTES);
      }),
      { numRuns: 25 },
    );
  });

  it("says the answer is too long when even a row-less card would not fit", () => {
    const r: Reply = reply("Huge", [text("y".repeat(3900)), text("z".repeat(3900))]);
    const card = renderAdaptiveCard(r, { maxBytes: 3000 });
    expect(runTexts(card).join(" ")).toMatch(/too long to show in Teams/);
  });

  it("leaves out empty facts, empty tables and empty button rows", () => {
    const card = renderAdaptiveCard(reply("Nothing", [{ kind: "facts", facts: [] }, table(cols, []), { kind: "actions", actions: [] }]));
    expect(nodes(card).map((n) => n.type)).toEqual(["AdaptiveCard", "RichTextBlock", "TextRun"]);
  });
});

describe("table column widths", () => {
  const px = (w: unknown) => Number(String(w).replace(/px$/, ""));
  it("money and sizes get a pixel width that holds their longest value; sentences their longest word", () => {
    const card = renderAdaptiveCard(
      reply("GPU quota in westus", [
        table(
          [
            { key: "size", label: "Size", kind: "size" },
            { key: "price", label: "List price/h", align: "right", kind: "money" },
            { key: "fits", label: "You can still start", kind: "text" },
          ],
          [
            { size: "NC128ds_xl_RTXPRO6000BSE_v6", price: "$1,234.56/h", fits: "5 × NC4as_T4_v3 (5 GPUs); 2 × NC8as_T4_v3 (2 GPUs); 1 × NC16as_T4_v3 (1 GPU)" },
            { size: "NC4as_T4_v3", price: "$0.53/h", fits: "none" },
          ],
        ),
      ]),
    );
    const t = nodes(card).find((n) => n.type === "Table") as { columns: Array<{ width: string; horizontalCellContentAlignment?: string }> };
    const [size, price, fits] = t.columns.map((c) => px(c.width));
    // Every column is in pixels, wide enough for its longest value (sizes, money) or word (sentences).
    expect(size).toBeGreaterThanOrEqual("NC128ds_xl_RTXPRO6000BSE_v6".length * 8);
    expect(price).toBeGreaterThanOrEqual("$1,234.56/h".length * 8);
    expect(fits).toBeGreaterThanOrEqual("NC16as_T4_v3".length * 8);
    expect(fits).toBeLessThan(60 * 9);
    expect(t.columns[1]?.horizontalCellContentAlignment).toBe("Right");
    expect(validateAdaptiveCard(card)).toEqual([]);
  });

  it("a narrow variant keeps the priority-1 columns, as a table when they fit a phone, else as a list", () => {
    const cols3 = [
      { key: "name", label: "VM", priority: 1 as const, kind: "name" as const },
      { key: "where", label: "Where", priority: 3 as const },
      { key: "cost", label: "Cost", priority: 1 as const, kind: "money" as const, align: "right" as const },
    ];
    const small = renderAdaptiveCard(reply("t", [table(cols3, [{ name: "vm-1", where: "rg · eastus", cost: "$1.00" }])]));
    const narrowSmall = nodes(small).filter((n) => n.targetWidth === "atMost:narrow");
    expect(narrowSmall.map((n) => n.type)).toEqual(["Table"]);
    expect(JSON.stringify(narrowSmall)).not.toContain("Where");
    const wideCols = [...cols3, { key: "size", label: "Size", priority: 1 as const, kind: "size" as const }];
    const big = renderAdaptiveCard(reply("t", [table(wideCols, [{ name: "train-se-nd96isr-03", where: "x", cost: "$2,754.60", size: "NC128ds_xl_RTXPRO6000BSE_v6" }])]));
    const narrowBig = nodes(big).filter((n) => n.targetWidth === "atMost:narrow");
    expect(narrowBig.map((n) => n.type)).toEqual(["Container"]);
    expect(runTexts(narrowBig)).toEqual(["train-se-nd96isr-03", " · Cost: $2,754.60 · Size: NC128ds_xl_RTXPRO6000BSE_v6"]);
    expect(validateAdaptiveCard(big)).toEqual([]);
  });
});
