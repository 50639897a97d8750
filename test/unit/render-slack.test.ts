/** Reply → Block Kit: limits by construction, escaping, cutting, buttons; and the Slack text parsers. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { parseButtonValue } from "../../src/chat/slack/block-actions.ts";
import { parseVisibility } from "../../src/chat/slack/slash-command.ts";
import { checkSlackLimits, escapeMrkdwn, fitEscaped, renderSlack, SLACK_LIMITS, type SlackBlock, unescapeSlackText } from "../../src/render/slack.ts";
import { type Action, actions, facts, type Part, type Reply, reply, table, text } from "../../src/reply/reply.ts";

const json = (blocks: SlackBlock[]) => JSON.stringify(blocks);
const hostile = fc.oneof(
  fc.string({ maxLength: 60 }),
  fc.constantFrom("<!channel>", "<!here>", "<https://evil.example|click>", "<@U0BOSS01>", "&amp;", "a & b < c > d", "```", "&lt;!channel&gt;", "\u0000\n\t"),
);

describe("escaping", () => {
  it("escapes &, < and > so Slack shows them and parses nothing", () => {
    expect(escapeMrkdwn("<!channel> & <https://x|y>")).toBe("&lt;!channel&gt; &amp; &lt;https://x|y&gt;");
    expect(unescapeSlackText("&lt;!channel&gt; &amp;lt;")).toBe("<!channel> &lt;");
  });

  it("fitEscaped never exceeds its limit, never leaves a raw < or >, never cuts inside an entity", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), fc.integer({ min: 2, max: 300 }), (s, max) => {
        const out = fitEscaped(s, max);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(out).not.toMatch(/[<>]/);
        expect(out.replace(/&(amp|lt|gt);/g, "")).not.toContain("&");
        if (escapeMrkdwn(s).length <= max) expect(out).toBe(escapeMrkdwn(s));
      }),
    );
  });
});

describe("renderSlack", () => {
  it("renders header, text with tone, facts as fields, the table as a native table block, buttons, then context", () => {
    const r = reply(
      "Quota in westus",
      [
        text("Careful", "warning"),
        facts([
          { label: "Used", value: "24 / 48 vCPUs" },
          { label: "Left", value: "1 × NC24ads_A100_v4" },
        ]),
        table(
          [
            { key: "family", label: "Family" },
            { key: "n", label: "Free", align: "right" },
          ],
          [
            { family: "NCADSA100v4", n: "24" },
            { family: "NDSH100v5", n: "0" },
          ],
          { title: "By family" },
        ),
        actions([{ verb: "ask", label: "Refresh", payload: { command: "quota westus" }, style: "primary" }]),
      ],
      { context: ["Demo data"] },
    );
    const m = renderSlack(r);
    expect(m.blocks.map((b) => b.type)).toEqual(["header", "section", "section", "section", "table", "actions", "context"]);
    expect(m.blocks[1]).toEqual({ type: "section", text: { type: "mrkdwn", text: ":warning: Careful" } });
    expect(m.blocks[2]).toMatchObject({ fields: [{ text: "*Used*\n24 / 48 vCPUs" }, { text: "*Left*\n1 × NC24ads_A100_v4" }] });
    expect(m.blocks[3]).toMatchObject({ text: { text: "*By family*" } });
    const bold = (t: string) => ({ type: "rich_text", elements: [{ type: "rich_text_section", elements: [{ type: "text", text: t, style: { bold: true } }] }] });
    const raw = (t: string) => ({ type: "raw_text", text: t });
    expect(m.blocks[4]).toEqual({
      type: "table",
      column_settings: [
        { align: "left", is_wrapped: true },
        { align: "right", is_wrapped: true },
      ],
      rows: [
        [bold("Family"), bold("Free")],
        [raw("NCADSA100v4"), raw("24")],
        [raw("NDSH100v5"), raw("0")],
      ],
    });
    // Where a table block cannot be used (App Home, a second table), the same table is a code block.
    const code = renderSlack(r, { nativeTable: false });
    expect((code.blocks[4] as { text: { text: string } }).text.text).toBe("```Family       Free\n-----------  ----\nNCADSA100v4    24\nNDSH100v5       0```");
    expect(m.blocks[5]).toMatchObject({ elements: [{ action_id: "gpuops:ask:0", style: "primary", value: '{"verb":"ask","payload":{"command":"quota westus"}}' }] });
    expect(m.text).toBe("Quota in westus: Careful");
    expect(checkSlackLimits(m)).toEqual([]);
  });

  it("escapes user text everywhere it lands in mrkdwn (text, facts, table cells, titles, context, fallback)", () => {
    const evil = "<!channel> <https://evil.example|x>";
    const r = reply(`Title ${evil}`, [text(evil), facts([{ label: evil, value: evil }]), table([{ key: "a", label: evil }], [{ a: evil }], { title: evil, narrowHint: evil })], {
      context: [evil],
    });
    for (const nativeTable of [true, false]) {
      const m = renderSlack(r, { nativeTable });
      // Table block cells are raw_text / rich_text text: Slack shows them literally, so they stay as typed.
      const mrkdwnBlocks = m.blocks.filter((b) => b.type !== "header" && b.type !== "table");
      expect(json(mrkdwnBlocks)).not.toMatch(/<!channel|<https/);
      const cells = m.blocks.flatMap((b) => (b.type === "table" ? b.rows.flat() : []));
      expect(cells.length).toBe(nativeTable ? 2 : 0);
      for (const c of cells) expect(["raw_text", "rich_text"]).toContain(c.type);
      expect(m.text).not.toMatch(/<!channel|<https/);
      expect(checkSlackLimits(m)).toEqual([]);
    }
  });

  it("a table cell cannot close the code fence", () => {
    const m = renderSlack(reply("t", [table([{ key: "a", label: "A" }], [{ a: "x```*bold*```" }])]), { nativeTable: false });
    const code = (m.blocks[1] as { text: { text: string } }).text.text;
    expect(code.match(/```/g)).toHaveLength(2);
  });

  it("cuts a long table with 'N more — narrow with …', the counts adding up", () => {
    const rows = Array.from({ length: 500 }, (_, i) => ({ size: `Standard_NC${i}ads_A100_v4`, region: "swedencentral", gpu: "1 × A100 80 GB" }));
    const t = table(
      [
        { key: "size", label: "Size" },
        { key: "region", label: "Region" },
        { key: "gpu", label: "GPU" },
      ],
      rows,
      { narrowHint: "skus <region> <gpu>" },
    );
    const m = renderSlack(reply("Lots", [t], { context: ["Demo data"] }));
    expect(checkSlackLimits(m)).toEqual([]);
    const shown = (json(m.blocks).match(/Standard_NC\d+ads/g) ?? []).length;
    const more = /(\d+) more — narrow with `skus &lt;region&gt; &lt;gpu&gt;`/.exec(json(m.blocks));
    expect(more).not.toBeNull();
    expect(shown + Number(more?.[1])).toBe(500);
    expect(shown).toBeGreaterThan(50);
    // The small print survives the cut.
    expect(m.blocks.at(-1)).toMatchObject({ type: "context", elements: [{ text: "Demo data" }] });
  });

  it("splits long text into sections of at most 3,000 characters and cuts what the message cannot hold", () => {
    const m = renderSlack(reply("Long", [text("word ".repeat(5000))]));
    expect(checkSlackLimits(m)).toEqual([]);
    for (const b of m.blocks) if (b.type === "section" && b.text) expect(b.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
  });

  it("puts facts 10 to a section and buttons 25 to an actions block, ids unique", () => {
    const many: Action[] = Array.from({ length: 30 }, (_, i) => ({ verb: "ask", label: `Q${i}`, payload: { command: `explain t${i}` } }));
    const m = renderSlack(reply("F", [facts(Array.from({ length: 23 }, (_, i) => ({ label: `k${i}`, value: `v${i}` }))), actions(many)]));
    expect(m.blocks.filter((b) => b.type === "section").map((b) => (b.type === "section" ? b.fields?.length : 0))).toEqual([10, 10, 3]);
    expect(m.blocks.filter((b) => b.type === "actions").map((b) => (b.type === "actions" ? b.elements.length : 0))).toEqual([25, 5]);
    expect(checkSlackLimits(m)).toEqual([]);
  });

  it("leaves out a button whose payload would not fit a button value, and shortens long labels", () => {
    const m = renderSlack(
      reply("B", [
        actions([
          { verb: "ask", label: "x".repeat(200), payload: { command: "help" } },
          { verb: "ask", label: "big", payload: { blob: "y".repeat(2500) } },
        ]),
      ]),
    );
    const buttons = m.blocks.flatMap((b) => (b.type === "actions" ? b.elements : []));
    expect(buttons).toHaveLength(1);
    expect(buttons[0]?.text.text.length).toBe(SLACK_LIMITS.buttonText);
  });

  it("turns image parts with an https url into image blocks, others into a caption", () => {
    const m = renderSlack(
      reply("Chart", [
        { kind: "image", alt: "spend by day", url: "https://gpuops.example/img/1.png" },
        { kind: "image", alt: "local", imageId: "abc" },
      ]),
    );
    expect(m.blocks[1]).toEqual({ type: "image", image_url: "https://gpuops.example/img/1.png", alt_text: "spend by day" });
    const caption = (m.blocks[2] as { type: string; elements: Array<{ text: string }> }).elements[0]?.text ?? "";
    expect(m.blocks[2]?.type).toBe("context");
    expect(caption).toMatch(/^Chart: local \(Slack shows charts in answers posted to the channel, or everywhere once gpuops has a public https address: GPUOPS_PUBLIC_URL\)$/);
  });

  it("keeps context within 10 elements", () => {
    const m = renderSlack(reply("C", [], { context: Array.from({ length: 25 }, (_, i) => `note ${i}`) }));
    const ctx = m.blocks.at(-1);
    expect(ctx?.type === "context" && ctx.elements.length).toBe(10);
    expect(checkSlackLimits(m)).toEqual([]);
  });

  it("any Reply, however large or hostile, renders inside the limits (property)", () => {
    const col = fc.record({ key: fc.constantFrom("a", "b", "c", "d", "e"), label: hostile, align: fc.constantFrom<"left" | "right">("left", "right") });
    const part: fc.Arbitrary<Part> = fc.oneof(
      hostile.map((s) => text(s.repeat(3))),
      fc.string({ maxLength: 9000, size: "max" }).map((s) => text(s)),
      fc.array(fc.record({ label: hostile, value: fc.string({ maxLength: 3000, size: "max" }) }), { maxLength: 25, size: "max" }).map(facts),
      fc
        .tuple(fc.array(col, { minLength: 1, maxLength: 5 }), fc.array(fc.dictionary(fc.constantFrom("a", "b", "c", "d", "e"), hostile), { maxLength: 400, size: "max" }), hostile)
        .map(([cols, rows, hint]) => table(cols, rows, { narrowHint: hint, title: hint })),
      fc
        .array(fc.record({ verb: fc.constantFrom("ask", "share"), label: hostile, payload: fc.dictionary(fc.string({ maxLength: 10 }), fc.string({ maxLength: 100 })) }), {
          maxLength: 30,
        })
        .map(actions),
    );
    fc.assert(
      fc.property(hostile, fc.array(part, { maxLength: 12 }), fc.array(hostile, { maxLength: 15 }), (title, parts, context) => {
        const r: Reply = reply(title, parts, { context });
        for (const maxBlocks of [SLACK_LIMITS.messageBlocks, SLACK_LIMITS.surfaceBlocks]) {
          const m = renderSlack(r, { maxBlocks });
          expect(checkSlackLimits(m, { maxBlocks })).toEqual([]);
        }
      }),
      { numRuns: 80 },
    );
  });
});

describe("checkSlackLimits finds what Slack would reject", () => {
  const section = (t: string): SlackBlock => ({ type: "section", text: { type: "mrkdwn", text: t } });
  it.each<[string, SlackBlock[], RegExp]>([
    ["too many blocks", Array.from({ length: 51 }, () => section("x")), /51 blocks > 50/],
    ["long section", [section("x".repeat(3001))], /text 3001 > 3000/],
    ["raw mention", [section("hi <!channel>")], /unescaped/],
    ["11 fields", [{ type: "section", fields: Array.from({ length: 11 }, () => ({ type: "mrkdwn" as const, text: "f" })) }], /11 fields/],
    [
      "duplicate action ids",
      [
        {
          type: "actions",
          elements: [
            { type: "button", text: { type: "plain_text", text: "a" }, action_id: "x", value: "1" },
            { type: "button", text: { type: "plain_text", text: "b" }, action_id: "x", value: "2" },
          ],
        },
      ],
      /duplicate action_id/,
    ],
    ["long button value", [{ type: "actions", elements: [{ type: "button", text: { type: "plain_text", text: "a" }, action_id: "x", value: "v".repeat(2001) }] }], /value 2001/],
    ["too much content", Array.from({ length: 5 }, () => section("y".repeat(2900))), /block content .* > 12000/],
  ])("%s", (_name, blocks, problem) => {
    expect(checkSlackLimits({ blocks }).join("\n")).toMatch(problem);
  });

  it("allows the mentions the door itself writes", () => {
    expect(checkSlackLimits({ blocks: [section("Shared by <@U0ALICE01> in <#C0GENERAL1>")] })).toEqual([]);
  });
});

describe("Slack text parsers", () => {
  it("parseVisibility takes a trailing `public` off the command and nothing else", () => {
    expect(parseVisibility("skus eastus public")).toEqual({ text: "skus eastus", isPublic: true });
    expect(parseVisibility("  help --public ")).toEqual({ text: "help", isPublic: true });
    expect(parseVisibility("public")).toEqual({ text: "public", isPublic: false });
    expect(parseVisibility("explain publication")).toEqual({ text: "explain publication", isPublic: false });
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.boolean(), (s, pub) => {
        const base = s.trim();
        const r = parseVisibility(pub && base ? `${base} public` : s);
        if (pub && base) expect(r).toEqual(parseVisibility(base).isPublic ? { text: parseVisibility(base).text, isPublic: true } : { text: base, isPublic: true });
        expect(r.text).toBe(r.text.trim());
        expect(r.text.length).toBeLessThanOrEqual(s.length + 1);
      }),
    );
  });

  it("parseButtonValue accepts only {verb, payload of ids} and never throws", () => {
    expect(parseButtonValue('{"verb":"share","payload":{"command":"help"}}')).toEqual({ verb: "share", payload: { command: "help" } });
    for (const bad of [
      undefined,
      "",
      "nope",
      "[]",
      '{"verb":"Share!","payload":{}}',
      '{"verb":"share","payload":{"a":{"b":1}}}',
      '{"verb":"share"}',
      `{"verb":"share","payload":{"c":"${"x".repeat(2100)}"}}`,
    ]) {
      expect(parseButtonValue(bad)).toBeUndefined();
    }
    fc.assert(
      fc.property(fc.string({ maxLength: 300 }), (s) => {
        const v = parseButtonValue(s);
        if (v) expect(v.verb).toMatch(/^[a-z][a-z0-9_.-]*$/);
      }),
    );
  });
});
